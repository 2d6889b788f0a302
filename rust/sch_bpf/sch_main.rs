// SPDX-License-Identifier: GPL-2.0

//! Rust implementation of the eBPF qdisc (`sch_bpf`) and of the skb map.
//!
//! While this module is loaded:
//!
//! - `tc qdisc add ... bpf` (netlink `RTM_NEWQDISC` with kind `bpf`, which loads this module by
//!   its alias `net-sch-bpf`) creates a qdisc whose policy is an enqueue and a dequeue program
//!   of type `BPF_PROG_TYPE_SCHED_QDISC` ([`qdisc`]);
//! - `BPF_MAP_CREATE` of `BPF_MAP_TYPE_SKBMAP` creates an skb map, where the programs keep their
//!   packets ordered by rank ([`skb_map`]);
//! - the programs may call the kfuncs of this module (`sch_btf.c`, [`kfuncs`]): push a packet to
//!   an skb map, pop one by rank or the lowest rank, hand a packet to the qdisc to send, drop one,
//!   pass the enqueued packet to a class, run the qdisc's filters on a packet;
//! - `tc class add ... classid <major>:<minor>` adds classes, each with a child qdisc, and `tc
//!   filter add ... parent <major>:` filters, which the programs use (`SCH_BPF_PASS`,
//!   `bpf_skb_classify()`);
//! - the verifier asks this module which helpers the programs may call (those of
//!   `bpf_base_func_proto()`, but for `bpf_tail_call()` and `bpf_kptr_xchg()`, which the core
//!   refuses itself).
//!
//! Every qdisc, map and program using the kfuncs pins the module.
//!
//! `/sys/kernel/debug/sch_bpf_rust/` counts what the module served: `maps` and `qdiscs` created,
//! packets `enqueued` (enqueue program runs), `pushed`, `popped`, `dequeued` (handed to the
//! device), `dropped` (by the programs, failed pushes, deletes, and packets passed to
//! no class; a class's child counts its own drops) and `purged` (freed with their map, or when
//! their qdisc was reset or destroyed). A qdisc adds its runs to `enqueued`, `pushed`, `popped`
//! and `dequeued` in batches, and when it is dumped (`tc qdisc show`), reset or destroyed.

use kernel::{
    bpf::map_type,
    debugfs::{
        Dir,
        File, //
    },
    net::{
        sch_bpf::PolicyRegistration,
        sched::{
            self,
            OpsTable, //
        },
    },
    prelude::*,
    sync::atomic::Atomic,
};

mod kfuncs;
mod qdisc;
mod skb_map;

module! {
    type: SchBpfModule,
    name: "sch_bpf_rust",
    authors: ["bpf-rust developers"],
    description: "Rust eBPF qdisc (sch_bpf) and skb map",
    license: "GPL",
    alias: ["net-sch-bpf"],
}

/// Skb maps created.
static MAPS: Atomic<u64> = Atomic::new(0);
/// `bpf` qdiscs created.
static QDISCS: Atomic<u64> = Atomic::new(0);
/// Enqueue program runs.
static ENQUEUED: Atomic<u64> = Atomic::new(0);
/// Packets pushed to skb maps.
static PUSHED: Atomic<u64> = Atomic::new(0);
/// Packets popped from skb maps.
static POPPED: Atomic<u64> = Atomic::new(0);
/// Packets handed to the device by dequeue programs.
static DEQUEUED: Atomic<u64> = Atomic::new(0);
/// Packets dropped by programs, by failed pushes, by deletes and for want of a class.
static DROPPED: Atomic<u64> = Atomic::new(0);
/// Packets freed with their map or when their qdisc was reset or destroyed.
static PURGED: Atomic<u64> = Atomic::new(0);

kernel::sch_bpf_kfuncs! {
    /// The kfuncs of `sch_btf.c`, registered with the BPF core.
    struct Kfuncs: kfuncs::SkbMapKfuncs;
    register: sch_bpf_rust_btf_register,
    push: sch_bpf_rust_skb_map_push,
    pop: sch_bpf_rust_skb_map_pop,
    pop_min: sch_bpf_rust_skb_map_pop_min,
    dequeue: sch_bpf_rust_skb_dequeue,
    drop: sch_bpf_rust_skb_drop,
    pass: sch_bpf_rust_skb_pass,
    classify: sch_bpf_rust_skb_classify,
    class_qlen: sch_bpf_rust_class_qlen,
}

/// The operations of the `bpf` qdisc kind.
static QDISC_OPS: OpsTable = OpsTable::new::<qdisc::SchBpf>();

#[pin_data]
struct SchBpfModule {
    // Dropped in declaration order: the providers first (registered last, once everything they
    // use exists), then the qdisc kind; the kfuncs stay until the module's BTF goes.
    #[pin]
    _policy: PolicyRegistration<SchBpfModule>,
    #[pin]
    _map_type: map_type::Registration<skb_map::SkbMap>,
    _qdisc: sched::Registration,
    #[pin]
    _maps: File<&'static Atomic<u64>>,
    #[pin]
    _qdiscs: File<&'static Atomic<u64>>,
    #[pin]
    _enqueued: File<&'static Atomic<u64>>,
    #[pin]
    _pushed: File<&'static Atomic<u64>>,
    #[pin]
    _popped: File<&'static Atomic<u64>>,
    #[pin]
    _dequeued: File<&'static Atomic<u64>>,
    #[pin]
    _dropped: File<&'static Atomic<u64>>,
    #[pin]
    _purged: File<&'static Atomic<u64>>,
    _debugfs: Dir,
    _kfuncs: Kfuncs,
}

impl kernel::InPlaceModule for SchBpfModule {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let debugfs = Dir::new(c"sch_bpf_rust");
        try_pin_init!(Self {
            // Can fail (no module BTF): first, so that nothing else is set up for nothing.
            _kfuncs: Kfuncs::register()?,
            _maps <- debugfs.read_only_file(c"maps", &MAPS),
            _qdiscs <- debugfs.read_only_file(c"qdiscs", &QDISCS),
            _enqueued <- debugfs.read_only_file(c"enqueued", &ENQUEUED),
            _pushed <- debugfs.read_only_file(c"pushed", &PUSHED),
            _popped <- debugfs.read_only_file(c"popped", &POPPED),
            _dequeued <- debugfs.read_only_file(c"dequeued", &DEQUEUED),
            _dropped <- debugfs.read_only_file(c"dropped", &DROPPED),
            _purged <- debugfs.read_only_file(c"purged", &PURGED),
            _debugfs: debugfs,
            _qdisc: sched::Registration::register(&QDISC_OPS)?,
            _map_type <- map_type::Registration::register(),
            _policy <- PolicyRegistration::register(),
        })
        .pin_chain(|_| {
            pr_info!("serving the bpf qdisc and skb maps\n");
            Ok(())
        })
    }
}
