// SPDX-License-Identifier: GPL-2.0

//! The struct_ops link: one registration of a struct_ops map, swappable and detachable.
//!
//! Same behaviour and errors as kernel/bpf/bpf_struct_ops.c in Linux 7.3, except that updating a
//! link to the map it already uses is refused with `EINVAL` (7.3 registers the map twice).
//!
//! The one `unsafe` block: `RegisteredMap::register` needs the registration to be dropped before
//! the link is freed, which holds because it is stored in the link's data.

use kernel::{
    bpf::{
        link::{
            Link,
            LinkInfo,
            LinkOps,
            LinkPollTable,
            LinkPrimer,
            LinkType, //
        },
        map::Map,
        struct_ops::{
            LinkCreateAttr,
            LinkLockGuard,
            LinkLocked,
            RegisteredMap, //
        },
    },
    prelude::*,
    seq_file::{
        seq_print,
        SeqFile, //
    },
    sync::{
        aref::ARef,
        atomic::{
            Atomic,
            Relaxed, //
        },
    }, //
};

/// `EPOLLHUP` from `include/uapi/linux/eventpoll.h`.
const EPOLLHUP: u32 = 0x10;

/// The data of a struct_ops link.
#[pin_data]
pub(crate) struct StructOpsLink {
    /// The registered map; `None` once detached.
    registered: LinkLocked<Option<RegisteredMap>>,
    /// Id of the registered map, 0 once detached: read without locks by poll, fdinfo and info.
    map_id: Atomic<u32>,
}

impl StructOpsLink {
    /// `BPF_LINK_CREATE` with attach type `BPF_STRUCT_OPS`. Returns the link's fd.
    pub(crate) fn create(attr: &LinkCreateAttr) -> Result<i32> {
        let map = attr.map()?;
        let map: ARef<_> = match map.as_struct_ops() {
            Some(st_map) if st_map.is_link_ready() => st_map.into(),
            _ => return Err(EINVAL),
        };
        let primer: LinkPrimer<Self> = Link::prime(
            LinkType::StructOps,
            attr.attach_type(),
            try_pin_init!(Self {
                registered: LinkLocked::new(None),
                map_id: Atomic::new(0),
            }),
        )?;
        {
            // Held until the link is complete, so that a subsystem calling detach from `reg`
            // or right after it finds the registration in place.
            let mut lock = LinkLockGuard::lock();
            let link = primer.link();
            link.registered
                .with(&mut lock, |registered, lock| -> Result {
                    // SAFETY: The registration is kept in this link's own data, right here, so it
                    // is dropped (unregistered) before the link is freed. The abstraction cannot
                    // express that yet: the link would have to own a slot for it.
                    let new = unsafe { RegisteredMap::register(map, link, lock)? };
                    link.map_id.store(new.map().id(), Relaxed);
                    *registered = Some(new);
                    Ok(())
                })?;
        }
        Ok(primer.settle())
    }
}

#[vtable]
impl LinkOps for StructOpsLink {
    fn detach(link: &Link<Self>) -> Result {
        let mut lock = LinkLockGuard::lock();
        let detached = link.registered.with(&mut lock, |registered, _| {
            // Unregisters the map and releases it, under the lock as the other link changes.
            // Already detached: not an error, as in C.
            registered.take().is_some()
        });
        if detached {
            link.map_id.store(0, Relaxed);
            drop(lock);
            link.wake_up_pollers();
        }
        Ok(())
    }

    fn show_fdinfo(link: &Link<Self>, m: &SeqFile) {
        let map_id = link.map_id.load(Relaxed);
        if map_id != 0 {
            seq_print!(m, "map_id:\t{}\n", map_id);
        }
    }

    fn fill_link_info(link: &Link<Self>, info: &mut LinkInfo) -> Result {
        let map_id = link.map_id.load(Relaxed);
        if map_id != 0 {
            info.set_struct_ops_map_id(map_id);
        }
        Ok(())
    }

    fn update_map(link: &Link<Self>, new_map: &Map, expected_old_map: Option<&Map>) -> Result {
        let new_map = match new_map.as_struct_ops() {
            Some(st_map) if st_map.is_link_ready() => st_map,
            _ => return Err(EINVAL),
        };
        if !new_map.has_update() {
            return Err(EOPNOTSUPP);
        }
        let mut lock = LinkLockGuard::lock();
        link.registered.with(&mut lock, |registered, lock| {
            let current = registered.as_mut().ok_or(ENOLINK)?;
            if expected_old_map.is_some_and(|old| *old != **current.map()) {
                return Err(EPERM);
            }
            // Refuses another struct_ops type and the map already registered with EINVAL.
            current.update(new_map.into(), lock)?;
            link.map_id.store(new_map.id(), Relaxed);
            Ok(())
        })
    }

    fn poll(link: &Link<Self>, table: LinkPollTable<'_, Self>) -> u32 {
        table.wait();
        if link.map_id.load(Relaxed) == 0 {
            EPOLLHUP
        } else {
            0
        }
    }
}
