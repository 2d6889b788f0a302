// SPDX-License-Identifier: GPL-2.0

//! Rust implementation of `tcp_update_congestion_control()`.
//!
//! A struct_ops link that switches a BPF TCP congestion control to a new map replaces the
//! registered `tcp_congestion_ops` by the new map's one, under the same name. While this module
//! is loaded, it performs that replacement instead of net/ipv4/tcp_cong.c, with the same
//! contract:
//!
//! * the key of the new ops is computed as registration does;
//! * the entry registered under the old ops' key must carry the new ops' name, and must be the
//!   old ops, else `EINVAL` (with the same log lines as C);
//! * the new ops is added before the old one is removed, so the name always resolves;
//! * a grace period passes before returning: no new lookup can find the old ops any more.
//!
//! Sockets that use the old ops keep them (and the map behind them) until they close or switch.
//! Updates served are counted in `/sys/kernel/debug/tcp_cong_update_rust/updates`.

use kernel::{
    debugfs::{
        Dir,
        File, //
    },
    net::tcp_cong::{
        find_by_key,
        replace,
        CongestionOps,
        UpdateProvider,
        UpdateProviderRegistration,
        KEY_UNSPEC, //
    },
    prelude::*,
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        rcu::{
            self,
            synchronize_rcu, //
        },
    }, //
};

module! {
    type: TcpCongUpdateModule,
    name: "tcp_cong_update_rust",
    authors: ["bpf-rust developers"],
    description: "Rust implementation of tcp_update_congestion_control()",
    license: "GPL",
}

/// Successful updates performed by this module since it was loaded.
static UPDATES: Atomic<u64> = Atomic::new(0);

struct Updater;

#[vtable]
impl UpdateProvider for Updater {
    fn update(new: &CongestionOps, old: &CongestionOps) -> Result {
        let key = new.set_key_from_name();
        // Checks under the registry lock, and adds the new ops before removing the old: one
        // walk of the registry, as the C code does.
        if let Err(err) = replace(new, old) {
            // Only now find out which of C's messages applies.
            let guard = rcu::read_lock();
            let existing = find_by_key(old.key(), &guard)
                .filter(|existing| key != KEY_UNSPEC && existing.name() == new.name());
            if existing.is_none() {
                pr_notice!(
                    "{} not registered or non-unique key\n",
                    new.name().to_str().unwrap_or("?")
                );
            } else {
                pr_notice!("invalid old congestion control algorithm to replace\n");
            }
            return Err(err);
        }
        // Lookups that found the old ops are done once this returns.
        synchronize_rcu();
        UPDATES.add(1, Relaxed);
        Ok(())
    }
}

#[pin_data]
struct TcpCongUpdateModule {
    // Declared first, initialised last: unregistered before the rest goes, registered once
    // the rest exists.
    #[pin]
    _provider: UpdateProviderRegistration<Updater>,
    #[pin]
    _updates: File<&'static Atomic<u64>>,
    _debugfs: Dir,
}

impl kernel::InPlaceModule for TcpCongUpdateModule {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let debugfs = Dir::new(c"tcp_cong_update_rust");
        try_pin_init!(Self {
            _updates <- debugfs.read_only_file(c"updates", &UPDATES),
            _debugfs: debugfs,
            _provider <- UpdateProviderRegistration::register(),
        })
        .pin_chain(|_| {
            pr_info!("serving tcp_update_congestion_control()\n");
            Ok(())
        })
    }
}
