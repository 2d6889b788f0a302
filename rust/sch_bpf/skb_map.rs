// SPDX-License-Identifier: GPL-2.0

//! The skb map (`BPF_MAP_TYPE_SKBMAP`): packets ordered by a `u64` rank.
//!
//! Packets are kept in a red-black tree keyed by `(rank, sequence)`: ascending ranks, and first
//! in, first out among equal ranks (the sequence number counts the pushes of the map). Pushing,
//! popping the lowest rank and popping a given rank are O(log n). The nodes of popped packets are
//! kept for the next pushes (up to [`SPARE_NODES`]): a map whose length stays below that
//! allocates nothing per packet.
//!
//! Packets go in and out through the kfuncs of the module (see `kfuncs.rs`), and only for the
//! qdisc the map is bound to: a `bpf` qdisc binds the skb maps of its programs when it is created
//! or changed ([`SkbMap::bind`]), purges them when it is reset and unbinds them when it is
//! destroyed. A map is bound to one qdisc at a time. Packets that leave the map outside the
//! qdisc's callbacks (a delete, from user space or from a program) are counted in the map until
//! the qdisc accounts for them ([`SkbMap::take_freed`]).
//!
//! User space sees the map as one of `key_size` 8 (the rank) and `value_size`
//! `sizeof(struct __sk_buff)`:
//!
//! - lookup fills the `__sk_buff`-level fields of the first packet of the rank (`len`, `mark`,
//!   `queue_mapping`, `protocol`, `priority`, `ifindex`, `cb`, `hash`, `tstamp`, `wire_len`),
//!   never its data; `ENOENT` if the rank has no packet;
//! - update is refused with `EOPNOTSUPP` (Cong Wang's RFC returned the kernel-internal
//!   `ENOTSUPP`, which user space sees as an unknown errno, 524);
//! - delete drops the first packet of the rank; `ENOENT` if there is none;
//! - get_next_key walks the distinct ranks in ascending order.
//!
//! `bpf_for_each_map_elem()` visits the packets present when it starts, in order, with the rank
//! as key and the `__sk_buff` fields as value; the map's lock is not held while the callback
//! runs, so that it may use the map.

use crate::{
    DROPPED,
    MAPS,
    PURGED, //
};
use core::mem::offset_of;
use kernel::{
    bpf::map_type::{
        ForEachVisitor,
        MapAttr,
        MapOps,
        MapType,
        ProvidedMap, //
    },
    net::{
        sched::QdiscId,
        skbuff::{
            DropReason,
            SkBuff,
            SkBuffRef,
            QDISC_CB_PRIV_LEN, //
        },
    },
    new_spinlock_irq,
    prelude::*,
    rbtree::{
        RBTree,
        RBTreeNodeReservation, //
    },
    sync::{
        atomic::{
            Atomic,
            Relaxed, //
        },
        SpinLockIrq,
    },
    uapi,
};

/// `BPF_F_NUMA_NODE` and the access flags of user space: the only map flags accepted. Programs
/// reach the map through kfuncs only, which `BPF_F_RDONLY_PROG` and `BPF_F_WRONLY_PROG` could not
/// restrict: they are refused.
const MAP_FLAGS: u32 = uapi::BPF_F_NUMA_NODE | uapi::BPF_F_RDONLY | uapi::BPF_F_WRONLY;

/// The largest `max_entries`, as in Cong Wang's RFC (`SKB_MAP_MAX_SZ`).
const MAX_ENTRIES: u32 = 2048;

/// The value of an element, as user space and `bpf_for_each_map_elem()` see it.
const VALUE_SIZE: usize = size_of::<uapi::__sk_buff>();

/// The key of a packet in the tree: its rank, then its sequence number.
type Key = (u64, u64);

/// The memory a queued packet costs the map: its tree node (a `struct rb_node`, three words,
/// then the key and the packet).
const NODE_SIZE: u64 = (3 * size_of::<usize>() + size_of::<(Key, Option<SkBuff>)>()) as u64;

/// The operations of the skb maps.
pub(crate) static SKB_MAP_OPS: MapOps<SkbMap> = MapOps::new();

/// A map of this type.
pub(crate) type SkbMapRef = ProvidedMap<SkbMap>;

/// How many nodes of popped packets a map keeps for its next pushes.
const SPARE_NODES: usize = 64;

/// A node of the tree, not in it.
type SpareNode = RBTreeNodeReservation<Key, Option<SkBuff>>;

/// What the map lock protects.
struct Queue {
    /// The packets, by rank then sequence number; every value in the tree is `Some`.
    tree: RBTree<Key, Option<SkBuff>>,
    /// Nodes for the next pushes (at most [`SPARE_NODES`], the capacity).
    spare: KVec<SpareNode>,
    /// The number of packets in `tree`.
    len: u32,
    /// The sequence number of the next packet pushed.
    next_seq: u64,
    /// The qdisc the map is bound to.
    owner: Option<QdiscId>,
}

impl Queue {
    /// Removes the packet at `key` or the first one after it, if `rank` matches it (any rank for
    /// `None`).
    fn remove_from(&mut self, key: &Key, rank: Option<u64>) -> Option<SkBuff> {
        let mut cursor = self.tree.cursor_lower_bound_mut(key)?;
        if rank.is_some_and(|rank| cursor.current().0 .0 != rank) {
            return None;
        }
        let skb = cursor.current_mut().1.take();
        let (_, node) = cursor.remove_current();
        self.len -= 1;
        // Within the capacity, this never allocates; past it the node is freed.
        let _ = self.spare.push_within_capacity(node.into_reservation());
        skb
    }

    /// Removes the first packet of `rank` (the lowest rank for `None`).
    fn remove_first(&mut self, rank: Option<u64>) -> Option<SkBuff> {
        self.remove_from(&(rank.unwrap_or(0), 0), rank)
    }

    /// Takes all the packets out.
    fn take_all(&mut self) -> Packets {
        self.len = 0;
        Packets(core::mem::take(&mut self.tree))
    }
}

/// Packets taken out of a map, in the map's order.
///
/// Dropping it frees those not taken, with [`DropReason::NOT_SPECIFIED`]: use
/// [`Packets::purge`].
pub(crate) struct Packets(RBTree<Key, Option<SkBuff>>);

impl Iterator for Packets {
    type Item = SkBuff;

    fn next(&mut self) -> Option<SkBuff> {
        loop {
            let (_, node) = self.0.cursor_front_mut()?.remove_current();
            if let Some(skb) = node.to_key_value().1 {
                return Some(skb);
            }
        }
    }
}

impl Packets {
    /// Frees the packets, as purged.
    pub(crate) fn purge(self) {
        let mut n = 0;
        for skb in self {
            skb.drop_with_reason(DropReason::QUEUE_PURGE);
            n += 1;
        }
        PURGED.add(n, Relaxed);
    }
}

/// Writes `value` at `offset` of `buf`, if it fits.
fn put(buf: &mut [u8], offset: usize, value: &[u8]) {
    if let Some(dst) = buf.get_mut(offset..offset + value.len()) {
        dst.copy_from_slice(value);
    }
}

/// Fills `value`, a `struct __sk_buff`, with what user space may see of `skb`.
///
/// The fields are those a tc program reads from its `__sk_buff`; `protocol` keeps the network
/// byte order it has there, and `cb` is the private area of the qdisc control block.
fn fill_value(skb: &SkBuffRef, value: &mut [u8]) {
    value.fill(0);
    put(
        value,
        offset_of!(uapi::__sk_buff, len),
        &skb.len().to_ne_bytes(),
    );
    put(
        value,
        offset_of!(uapi::__sk_buff, mark),
        &skb.mark().to_ne_bytes(),
    );
    put(
        value,
        offset_of!(uapi::__sk_buff, queue_mapping),
        &u32::from(skb.queue_mapping()).to_ne_bytes(),
    );
    put(
        value,
        offset_of!(uapi::__sk_buff, protocol),
        &u32::from(skb.protocol().to_be()).to_ne_bytes(),
    );
    put(
        value,
        offset_of!(uapi::__sk_buff, priority),
        &skb.priority().to_ne_bytes(),
    );
    put(
        value,
        offset_of!(uapi::__sk_buff, ifindex),
        &skb.ifindex().to_ne_bytes(),
    );
    put(
        value,
        offset_of!(uapi::__sk_buff, hash),
        &skb.hash_raw().to_ne_bytes(),
    );
    put(
        value,
        offset_of!(uapi::__sk_buff, tstamp),
        &skb.tstamp().to_ne_bytes(),
    );
    put(
        value,
        offset_of!(uapi::__sk_buff, wire_len),
        &skb.qdisc_pkt_len().to_ne_bytes(),
    );
    const { assert!(QDISC_CB_PRIV_LEN <= size_of::<[u32; 5]>()) };
    put(value, offset_of!(uapi::__sk_buff, cb), skb.qdisc_cb());
}

/// Why a push failed.
pub(crate) struct PushError {
    /// `EBUSY` (map not bound to the qdisc), `ENOBUFS` (full, as in Cong Wang's RFC), `ENOMEM` (no
    /// memory).
    pub(crate) err: Error,
    /// The packet, which the caller drops.
    pub(crate) skb: SkBuff,
}

/// An skb map.
#[pin_data]
pub(crate) struct SkbMap {
    #[pin]
    queue: SpinLockIrq<Queue>,
    /// `max_entries`: the largest number of packets.
    max_entries: u32,
    /// Packets that left the map outside the qdisc's callbacks, not accounted for yet by the
    /// qdisc the map is bound to.
    freed_packets: Atomic<u32>,
    /// Their length, as the qdisc layer accounts it.
    freed_bytes: Atomic<u32>,
}

impl SkbMap {
    /// Binds the map to the qdisc `owner`; fails with `EBUSY` if it is bound to another one.
    ///
    /// Returns whether the map was not bound to `owner` before.
    pub(crate) fn bind(&self, owner: QdiscId) -> Result<bool> {
        let mut queue = self.queue.lock();
        match queue.owner {
            Some(bound) if bound == owner => Ok(false),
            Some(_) => Err(EBUSY),
            None => {
                // An unbound map is empty: only its qdisc pushes. Start from clean counters.
                queue.owner = Some(owner);
                self.freed_packets.store(0, Relaxed);
                self.freed_bytes.store(0, Relaxed);
                Ok(true)
            }
        }
    }

    /// Unbinds the map from `owner` and returns the packets it held, which the caller accounts
    /// for; an empty tree if the map is not bound to `owner`.
    pub(crate) fn unbind(&self, owner: QdiscId) -> Packets {
        let mut queue = self.queue.lock();
        if queue.owner != Some(owner) {
            return Packets(RBTree::new());
        }
        queue.owner = None;
        queue.take_all()
    }

    /// Frees the packets of the map if it is bound to `owner`, as purged, and forgets the
    /// packets freed elsewhere: the qdisc was reset, or is being destroyed.
    pub(crate) fn purge(&self, owner: QdiscId) {
        let packets = {
            let mut queue = self.queue.lock();
            if queue.owner != Some(owner) {
                return;
            }
            self.freed_packets.store(0, Relaxed);
            self.freed_bytes.store(0, Relaxed);
            queue.take_all()
        };
        packets.purge();
    }

    /// Takes the number and length of the packets that left the map outside the qdisc's
    /// callbacks since the last call.
    pub(crate) fn take_freed(&self) -> (u32, u32) {
        // Called for every packet: plain loads keep the common case (nothing freed) from
        // writing the shared cache line.
        if self.freed_packets.load(Relaxed) == 0 && self.freed_bytes.load(Relaxed) == 0 {
            return (0, 0);
        }
        (
            self.freed_packets.xchg(0, Relaxed),
            self.freed_bytes.xchg(0, Relaxed),
        )
    }

    /// Adds `skb` with `rank` to the map, for the qdisc `owner`.
    pub(crate) fn push(
        this: &SkbMapRef,
        owner: QdiscId,
        skb: SkBuff,
        rank: u64,
    ) -> Result<(), PushError> {
        let mut queue = this.queue.lock();
        let mut allocated = None;
        loop {
            let err = if queue.owner != Some(owner) {
                Some(EBUSY)
            } else if queue.len >= this.max_entries {
                Some(ENOBUFS)
            } else {
                None
            };
            if let Some(err) = err {
                // A node allocated for this push serves the next one.
                if let Some(node) = allocated.take() {
                    let _ = queue.spare.push_within_capacity(node);
                }
                return Err(PushError { err, skb });
            }
            if let Some(node) = allocated.take().or_else(|| queue.spare.pop()) {
                let seq = queue.next_seq;
                queue.next_seq += 1;
                queue.len += 1;
                let replaced = queue.tree.insert(node.into_node((rank, seq), Some(skb)));
                drop(queue);
                // Sequence numbers are unique: nothing was replaced.
                drop(replaced);
                return Ok(());
            }
            // No spare node: allocate one without the lock, charged to the map's memory
            // cgroup, and check again.
            drop(queue);
            match this
                .map()
                .with_memcg(|account| SpareNode::new(GFP_ATOMIC | __GFP_NOWARN | account))
            {
                Ok(node) => allocated = Some(node),
                Err(_) => return Err(PushError { err: ENOMEM, skb }),
            }
            queue = this.queue.lock();
        }
    }

    /// Removes the first packet of `rank` (the lowest rank for `None`), for the qdisc `owner`.
    ///
    /// Returns `None` if there is none, or if the map is not bound to `owner`.
    pub(crate) fn pop(&self, owner: QdiscId, rank: Option<u64>) -> Option<SkBuff> {
        let mut queue = self.queue.lock();
        if queue.owner != Some(owner) {
            return None;
        }
        queue.remove_first(rank)
    }
}

#[vtable]
impl MapType for SkbMap {
    const MAP_TYPE: u32 = uapi::bpf_map_type_BPF_MAP_TYPE_SKBMAP;
    const OPS: &'static MapOps<Self> = &SKB_MAP_OPS;
    type Key = u64;

    fn check_attr(attr: &MapAttr) -> Result {
        if attr.value_size() as usize != VALUE_SIZE
            || attr.max_entries() == 0
            || attr.map_flags() & !MAP_FLAGS != 0
        {
            return Err(EINVAL);
        }
        if attr.max_entries() > MAX_ENTRIES {
            return Err(E2BIG);
        }
        Ok(())
    }

    fn new(attr: &MapAttr) -> impl PinInit<Self, Error> {
        let init = try_pin_init!(Self {
            queue <- new_spinlock_irq!(
                Queue {
                    tree: RBTree::new(),
                    spare: KVec::with_capacity(SPARE_NODES, GFP_KERNEL_ACCOUNT)?,
                    len: 0,
                    next_seq: 0,
                    owner: None,
                },
                "sch_bpf_rust::skb_map"
            ),
            max_entries: attr.max_entries(),
            freed_packets: Atomic::new(0),
            freed_bytes: Atomic::new(0),
        }? Error);
        init.pin_chain(|_| {
            MAPS.add(1, Relaxed);
            Ok(())
        })
    }

    fn mem_usage(map: &SkbMapRef) -> u64 {
        let queue = map.queue.lock();
        (u64::from(queue.len) + queue.spare.len() as u64) * NODE_SIZE
            + (queue.spare.capacity() * size_of::<SpareNode>()) as u64
    }

    fn get_next_key(map: &SkbMapRef, key: Option<&u64>) -> Result<u64> {
        // The first packet of the next rank.
        let from = match key {
            None => (0, 0),
            Some(&rank) => (rank.checked_add(1).ok_or(ENOENT)?, 0),
        };
        let queue = map.queue.lock();
        let cursor = queue.tree.cursor_lower_bound(&from).ok_or(ENOENT)?;
        Ok(cursor.current().0 .0)
    }

    fn lookup(map: &SkbMapRef, key: &u64, value: &mut [u8]) -> Result {
        let queue = map.queue.lock();
        let cursor = queue.tree.cursor_lower_bound(&(*key, 0)).ok_or(ENOENT)?;
        let ((rank, _), Some(skb)) = cursor.current() else {
            return Err(ENOENT);
        };
        if rank != key {
            return Err(ENOENT);
        }
        fill_value(skb, value);
        Ok(())
    }

    fn update(_map: &SkbMapRef, _key: &u64, _value: &[u8], _flags: u64) -> Result {
        // Packets come in only through the push kfunc.
        Err(EOPNOTSUPP)
    }

    fn delete(map: &SkbMapRef, key: &u64) -> Result {
        let skb = {
            let mut queue = map.queue.lock();
            let skb = queue.remove_first(Some(*key)).ok_or(ENOENT)?;
            // The qdisc accounts for it at its next enqueue, dequeue or dump.
            if queue.owner.is_some() {
                map.freed_packets.add(1, Relaxed);
                map.freed_bytes.add(skb.qdisc_pkt_len(), Relaxed);
            }
            skb
        };
        DROPPED.add(1, Relaxed);
        skb.drop_with_reason(DropReason::QDISC_DROP);
        Ok(())
    }

    fn for_each(map: &SkbMapRef, visitor: &mut ForEachVisitor<'_, Self>) -> Result {
        let mut value = [0u8; VALUE_SIZE];
        // The packets pushed from now on are not visited: a callback that pops and pushes again
        // would otherwise be called forever.
        let end = map.queue.lock().next_seq;
        let mut from = (0, 0);
        loop {
            let rank = {
                let mut queue = map.queue.lock();
                let Some(mut cursor) = queue.tree.cursor_lower_bound_mut(&from) else {
                    break;
                };
                while cursor.current().0 .1 >= end {
                    let Some(next) = cursor.move_next() else {
                        return Ok(());
                    };
                    cursor = next;
                }
                let (&(rank, seq), skb) = cursor.current();
                if let Some(skb) = skb {
                    fill_value(skb, &mut value);
                }
                from = (rank, seq + 1);
                rank
            };
            if !visitor.visit(&rank, &mut value) {
                break;
            }
        }
        Ok(())
    }
}
