// SPDX-License-Identifier: GPL-2.0

//! What the kfuncs of the module do, and the record of a program run they write.
//!
//! The kfuncs are declared in `sch_btf.c` (BTF, flags) and reach [`SkbMapKfuncs`] through the
//! entry points that `kernel::sch_bpf_kfuncs!` defines (in `sch_main.rs`):
//!
//! | kfunc | flags | programs | here |
//! |---|---|---|---|
//! | `bpf_skb_map_push(skb, map, rank, ctx)` | release, skb map | both | `push` |
//! | `bpf_skb_map_pop(map, rank, ctx)` | acquire, may return null, skb map | both | `pop` |
//! | `bpf_skb_map_pop_min(map, ctx)` | acquire, may return null, skb map | both | `pop` |
//! | `bpf_sch_skb_dequeue(skb, ctx)` | release | dequeue | `dequeue` |
//! | `bpf_sch_skb_drop(skb, ctx)` | release | both | `drop` |
//! | `bpf_sch_skb_pass(skb, ctx)` | release | enqueue | `pass` |
//! | `bpf_skb_classify(skb, ctx)` | | both | (`kernel::net::sched`) |
//! | `bpf_sch_class_qlen(classid, ctx)` | | both | (`kernel::net::sched`) |
//!
//! (`KF_RELEASE`, `KF_ACQUIRE`, `KF_RET_NULL`, `KF_MAP_SKBMAP`.)
//!
//! The verifier makes a program release every packet it holds exactly once: the enqueue
//! program's packet, and the packets it pops. An enqueue program may pop packets (to drop the
//! head of a queue, or to push a packet again with another rank): it must push them or drop them.
//! The qdisc then acts on the [`Run`] record, not only on the program's return code.
//!
//! The restriction of each kfunc to its programs is checked here, at run time: a packet given to
//! a kfunc its program may not call is dropped (see `sch_btf.c` for why the kfunc filter cannot
//! check it when the program is loaded).

use crate::{
    skb_map::{
        PushError,
        SkbMap, //
    },
    DROPPED, //
};
use kernel::{
    bpf::map::Map,
    net::{
        sch_bpf::{
            Kfuncs,
            ProgKind,
            RunCtx, //
        },
        sched::{
            QdiscDropReason,
            QdiscId, //
        },
        skbuff::{
            DropReason,
            SkBuff, //
        },
    },
    prelude::*,
    sync::atomic::Relaxed,
};

/// The record of one program run: what the kfuncs did with the packets.
pub(crate) struct Run {
    /// Which program runs.
    kind: ProgKind,
    /// The qdisc it runs for: the maps it may use are bound to it.
    owner: QdiscId,
    /// Enqueue: the packet lent to the program was pushed to a map.
    pub(crate) pushed: bool,
    /// Enqueue: the packet lent to the program was dropped, and why.
    pub(crate) dropped: Option<(SkBuff, QdiscDropReason)>,
    /// Dequeue: the packet handed over to be sent.
    pub(crate) handed: Option<SkBuff>,
    /// Enqueue: the packet lent to the program, handed over to the classes.
    pub(crate) passed: Option<SkBuff>,
    /// Packets the qdisc held (popped from its maps) that were dropped during the run.
    pub(crate) freed_packets: u32,
    /// Their length, as the qdisc layer accounts it.
    pub(crate) freed_bytes: u32,
    /// Packets pushed to maps during the run.
    pub(crate) pushes: u32,
    /// Packets popped from maps during the run.
    pub(crate) pops: u32,
}

/// The context the module's programs run on.
pub(crate) type RunContext<'a> = RunCtx<'a, Run>;

impl Run {
    /// A record for a run of the `kind` program of the qdisc `owner`.
    pub(crate) fn new(kind: ProgKind, owner: QdiscId) -> Self {
        Self {
            kind,
            owner,
            pushed: false,
            dropped: None,
            handed: None,
            passed: None,
            freed_packets: 0,
            freed_bytes: 0,
            pushes: 0,
            pops: 0,
        }
    }

    /// Drops a packet the program released: the lent one goes back to the qdisc (which puts it
    /// on its drop list), any other was held by the qdisc and is freed now.
    fn drop_released(&mut self, skb: SkBuff, lent: bool, reason: QdiscDropReason) {
        DROPPED.add(1, Relaxed);
        if lent {
            self.dropped = Some((skb, reason));
            return;
        }
        self.freed_packets = self.freed_packets.saturating_add(1);
        self.freed_bytes = self.freed_bytes.wrapping_add(skb.qdisc_pkt_len());
        skb.drop_with_reason(DropReason::QDISC_DROP);
    }
}

/// The kfuncs of `sch_btf.c`.
pub(crate) struct SkbMapKfuncs;

// SAFETY: `sch_btf.c` declares the kfuncs with the flags and argument order `Kfuncs` documents
// and registers them for `BPF_PROG_TYPE_SCHED_QDISC` with a filter that refuses extension
// programs; this module provides the program type and runs its programs only from `qdisc.rs`, on
// a `RunCtx<Run>`.
unsafe impl Kfuncs for SkbMapKfuncs {
    type Data = Run;

    /// `bpf_skb_map_push()`: the map takes `skb` with `rank`.
    ///
    /// Both programs may push: the enqueue program its packet, or one it popped with another
    /// rank; a dequeue program a packet it popped and does not send yet (an EDT pacer whose first
    /// packet is not due).
    ///
    /// On failure the packet is dropped: `EBUSY` if the map is not bound to the qdisc, `ENOBUFS`
    /// if it is full, `ENOMEM` without memory.
    fn push(ctx: &mut RunContext<'_>, map: &Map, skb: SkBuff, lent: bool, rank: u64) -> Result {
        let run = ctx.data_mut();
        // The verifier passes skb maps only (`KF_MAP_SKBMAP`), all of which are this module's.
        let Some(map) = map.downcast::<SkbMap>() else {
            run.drop_released(skb, lent, QdiscDropReason::GENERIC);
            return Err(EINVAL);
        };
        match SkbMap::push(map, run.owner, skb, rank) {
            Ok(()) => {
                run.pushes += 1;
                if lent {
                    run.pushed = true;
                }
                Ok(())
            }
            Err(PushError { err, skb }) => {
                let reason = if err == ENOBUFS {
                    QdiscDropReason::OVERLIMIT
                } else {
                    QdiscDropReason::GENERIC
                };
                run.drop_released(skb, lent, reason);
                Err(err)
            }
        }
    }

    /// `bpf_skb_map_pop()` (`rank`) and `bpf_skb_map_pop_min()` (`None`): takes the first packet
    /// of `rank`, or of the lowest rank, out of the map; `None` if there is none or if the map is
    /// not bound to the qdisc.
    ///
    /// The packet stays held by the qdisc until the program pushes, hands over or drops it.
    fn pop(ctx: &mut RunContext<'_>, map: &Map, rank: Option<u64>) -> Option<SkBuff> {
        let run = ctx.data_mut();
        let skb = map.downcast::<SkbMap>()?.pop(run.owner, rank)?;
        run.pops += 1;
        Some(skb)
    }

    /// `bpf_sch_skb_dequeue()`: the qdisc sends `skb` once the dequeue program returns.
    ///
    /// A second packet handed over in the same run, or one from an enqueue program, is dropped.
    fn dequeue(ctx: &mut RunContext<'_>, skb: SkBuff, lent: bool) {
        let run = ctx.data_mut();
        if run.kind != ProgKind::Dequeue || run.handed.is_some() {
            run.drop_released(skb, lent, QdiscDropReason::GENERIC);
            return;
        }
        run.handed = Some(skb);
    }

    /// `bpf_sch_skb_pass()`: the enqueue program hands its packet over to the classes.
    ///
    /// A packet the program popped, or one from a dequeue program, is dropped: what a class
    /// takes is the packet being enqueued.
    fn pass(ctx: &mut RunContext<'_>, skb: SkBuff, lent: bool) {
        let run = ctx.data_mut();
        if run.kind != ProgKind::Enqueue || !lent {
            run.drop_released(skb, lent, QdiscDropReason::GENERIC);
            return;
        }
        run.passed = Some(skb);
    }

    /// `bpf_sch_skb_drop()`: drops `skb`, counted as a drop of the qdisc.
    fn drop(ctx: &mut RunContext<'_>, skb: SkBuff, lent: bool) {
        ctx.data_mut()
            .drop_released(skb, lent, QdiscDropReason::GENERIC);
    }
}
