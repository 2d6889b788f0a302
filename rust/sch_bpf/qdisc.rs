// SPDX-License-Identifier: GPL-2.0

//! The `bpf` qdisc: a queueing policy written as two `BPF_PROG_TYPE_SCHED_QDISC` programs.
//!
//! Options (`TCA_OPTIONS`, parsed strictly: the container needs `NLA_F_NESTED`):
//!
//! - `TCA_SCH_BPF_ENQUEUE_PROG_FD`, `TCA_SCH_BPF_DEQUEUE_PROG_FD` (`u32`): the programs, loaded
//!   with the expected attach types `BPF_QDISC_ENQUEUE` and `BPF_QDISC_DEQUEUE`; both required
//!   when the qdisc is created, either may be replaced by a change;
//! - `TCA_SCH_BPF_ENQUEUE_PROG_NAME`, `TCA_SCH_BPF_DEQUEUE_PROG_NAME`: optional names, dumped
//!   back with the programs' ids and tags (`*_PROG_ID`, `*_PROG_TAG`, which a request may not
//!   carry);
//! - `TCA_SCH_BPF_FLAGS` (`u32`): no flag is defined, it must be 0.
//!
//! Classes (`tc class add ... classid <major>:<minor>`, kept by `kernel::net::sched`) each have a
//! child qdisc: an enqueue program passes its packet to one with `bpf_sch_skb_pass()` and
//! `SCH_BPF_PASS` (the class `ctx->classid`; none: dropped), a dequeue program dequeues from one
//! with `SCH_BPF_PASS`. Filters attached to the qdisc run when a program calls
//! `bpf_skb_classify()`.
//!
//! The skb maps that the programs use are bound to the qdisc while it uses them ([`Bindings`]):
//! a map used by another live qdisc is refused with `EBUSY`.
//!
//! Each enqueued packet is lent to the enqueue program, which must push it to an skb map or drop
//! it; each dequeue runs the dequeue program, which may hand a packet it popped to the qdisc. The
//! qdisc acts on what the kfuncs recorded ([`Run`]); the return code adds `NET_XMIT_CN`
//! (`SCH_BPF_CN` for a queued packet) and the watchdog (`SCH_BPF_THROTTLE`: dequeue is tried
//! again `ctx->delay` ns from now; on dequeue it also counts an overlimit). The queue length and
//! backlog are kept by `kernel::net::sched` from what happens to the packets; the packets that
//! leave the maps otherwise (deleted by user space or a program) are folded in at each enqueue,
//! dequeue and dump.

use crate::{
    kfuncs::{
        Run,
        RunContext, //
    },
    skb_map::{
        SkbMap,
        SkbMapRef, //
    },
    DEQUEUED,
    DROPPED,
    ENQUEUED,
    POPPED,
    PUSHED,
    QDISCS, //
};
use kernel::{
    net::{
        netlink::attr::{
            AttrWriter,
            Attrs,
            ExtAck,
            NlAttr,
            Policy,
            PolicyEntry, //
        },
        sch_bpf::{
            attr,
            ProgKind,
            QdiscProg,
            Verdict, //
        },
        sched::{
            EnqueueStatus,
            LockedQdisc,
            Qdisc,
            QdiscDropReason,
            QdiscId,
            QdiscOps,
            RtnlQdisc,
            ToFree, //
        },
        skbuff::SkBuff,
    },
    prelude::*,
    str::CString,
    sync::{
        aref::ARef,
        atomic::Relaxed, //
    },
};

/// The longest program name, as for `act_bpf` (`ACT_BPF_NAME_LEN`) and in Cong Wang's RFC.
const NAME_LEN: u16 = 256;

/// The number of attribute types of the options.
const NATTRS: usize = attr::MAX as usize + 1;

/// The options of the qdisc. The dump-only attributes have no entry: a request with them is
/// refused.
static POLICY: Policy<NATTRS> = Policy::new()
    .with(attr::FLAGS, PolicyEntry::u32())
    .with(attr::ENQUEUE_PROG_NAME, PolicyEntry::nul_string(NAME_LEN))
    .with(attr::ENQUEUE_PROG_FD, PolicyEntry::u32())
    .with(attr::DEQUEUE_PROG_NAME, PolicyEntry::nul_string(NAME_LEN))
    .with(attr::DEQUEUE_PROG_FD, PolicyEntry::u32());

/// The attributes of one of the programs.
struct ProgAttrs {
    kind: ProgKind,
    fd: u16,
    name: u16,
    id: u16,
    tag: u16,
}

const ENQUEUE: ProgAttrs = ProgAttrs {
    kind: ProgKind::Enqueue,
    fd: attr::ENQUEUE_PROG_FD,
    name: attr::ENQUEUE_PROG_NAME,
    id: attr::ENQUEUE_PROG_ID,
    tag: attr::ENQUEUE_PROG_TAG,
};

const DEQUEUE: ProgAttrs = ProgAttrs {
    kind: ProgKind::Dequeue,
    fd: attr::DEQUEUE_PROG_FD,
    name: attr::DEQUEUE_PROG_NAME,
    id: attr::DEQUEUE_PROG_ID,
    tag: attr::DEQUEUE_PROG_TAG,
};

/// A program of the qdisc.
struct Prog {
    prog: ARef<QdiscProg>,
    /// The name given with it, if any.
    name: Option<CString>,
}

impl Prog {
    /// The program that `attrs` give for the role of `which`, if any.
    fn parse(
        attrs: &Attrs<'_, NATTRS>,
        which: &ProgAttrs,
        extack: &mut ExtAck<'_>,
    ) -> Result<Option<Self>> {
        let Some(fd) = attrs.get(which.fd) else {
            if let Some(name) = attrs.get(which.name) {
                extack.set_err_msg_attr(c"sch_bpf: program name without program", name);
                return Err(EINVAL);
            }
            return Ok(None);
        };
        // The policy checked the length.
        let prog = match QdiscProg::from_fd(fd.get_u32().ok_or(EINVAL)?) {
            Ok(prog) => prog,
            Err(err) => {
                extack.set_err_msg_attr(
                    if err == EBADF {
                        c"sch_bpf: program fd is not a BPF program"
                    } else {
                        c"sch_bpf: not a sched_qdisc program"
                    },
                    fd,
                );
                return Err(err);
            }
        };
        if prog.kind() != Some(which.kind) {
            extack.set_err_msg_attr(
                match which.kind {
                    ProgKind::Enqueue => c"sch_bpf: enqueue program not of BPF_QDISC_ENQUEUE",
                    ProgKind::Dequeue => c"sch_bpf: dequeue program not of BPF_QDISC_DEQUEUE",
                },
                fd,
            );
            return Err(EINVAL);
        }
        let name = attrs.cstr(which.name).map(CString::try_from).transpose()?;
        Ok(Some(Self { prog, name }))
    }

    /// Adds the program's name, id and tag to a dump.
    fn dump(&self, msg: &mut AttrWriter<'_>, which: &ProgAttrs) -> Result {
        if let Some(name) = &self.name {
            msg.put_string(which.name, name)?;
        }
        msg.put_u32(which.id, self.prog.id())?;
        msg.put_bytes(which.tag, &self.prog.tag())
    }
}

/// The options of a request.
struct Options {
    enqueue: Option<Prog>,
    dequeue: Option<Prog>,
}

impl Options {
    fn parse(opts: &NlAttr, extack: &mut ExtAck<'_>) -> Result<Self> {
        let attrs = opts.parse_nested(&POLICY, extack)?;
        if let Some(flags) = attrs.get(attr::FLAGS) {
            if flags.get_u32() != Some(0) {
                extack.set_err_msg_attr(c"sch_bpf: unknown flags", flags);
                return Err(EINVAL);
            }
        }
        Ok(Self {
            enqueue: Prog::parse(&attrs, &ENQUEUE, extack)?,
            dequeue: Prog::parse(&attrs, &DEQUEUE, extack)?,
        })
    }
}

/// Skb maps bound to a qdisc by [`NewBindings::bind`], not committed yet: dropping it unbinds
/// those it bound.
struct NewBindings {
    owner: QdiscId,
    /// The maps, and whether this binding bound them (rather than found them bound already).
    maps: KVec<(ARef<SkbMapRef>, bool)>,
}

impl NewBindings {
    /// Binds the skb maps that `progs` use to the qdisc `owner`. May sleep.
    fn bind(owner: QdiscId, progs: [&QdiscProg; 2], extack: &mut ExtAck<'_>) -> Result<Self> {
        let mut new = Self {
            owner,
            maps: KVec::new(),
        };
        for prog in progs {
            for map in prog.used_maps()? {
                let Some(map) = map.downcast::<SkbMap>() else {
                    continue;
                };
                if new.maps.iter().any(|(bound, _)| **bound == *map) {
                    continue;
                }
                // Recorded before it is bound, so that a failure leaves nothing to undo.
                new.maps.push((ARef::from(map), false), GFP_KERNEL)?;
                match map.bind(owner) {
                    Ok(newly) => {
                        if let Some(last) = new.maps.last_mut() {
                            last.1 = newly;
                        }
                    }
                    Err(err) => {
                        extack.set_err_msg(c"sch_bpf: skb map is used by another qdisc");
                        return Err(err);
                    }
                }
            }
        }
        Ok(new)
    }
}

impl Drop for NewBindings {
    fn drop(&mut self) {
        for (map, newly) in self.maps.iter() {
            if *newly {
                // Just bound: no program of the qdisc pushed to it yet.
                map.unbind(self.owner).purge();
            }
        }
    }
}

/// The skb maps bound to a qdisc: those its programs use. Dropping it purges and unbinds them.
struct Bindings {
    owner: QdiscId,
    maps: KVec<(ARef<SkbMapRef>, bool)>,
}

impl Bindings {
    /// Takes over the maps that `new` bound.
    fn commit(mut new: NewBindings) -> Self {
        Self {
            owner: new.owner,
            maps: core::mem::take(&mut new.maps),
        }
    }

    /// Replaces the maps with those of `new`; the maps no longer used are unbound, and the
    /// packets they held dropped (`sch` accounts for them). Returns the old references, to be
    /// released once the qdisc lock is released.
    fn replace(
        &mut self,
        mut new: NewBindings,
        sch: &LockedQdisc,
    ) -> KVec<(ARef<SkbMapRef>, bool)> {
        let old = core::mem::replace(&mut self.maps, core::mem::take(&mut new.maps));
        for (map, _) in old.iter() {
            if self.maps.iter().all(|(kept, _)| kept != map) {
                // Packets deleted from the map from user space are still in qlen and backlog.
                let (packets, bytes) = map.take_freed();
                sch.account_freed(packets, bytes);
                for skb in map.unbind(self.owner) {
                    sch.drop_held(skb, QdiscDropReason::GENERIC);
                }
            }
        }
        old
    }

    /// Drops the packets of the maps (the qdisc is reset).
    fn purge(&self) {
        for (map, _) in self.maps.iter() {
            map.purge(self.owner);
        }
    }

    /// Takes the number and length of the packets that left the maps outside the qdisc's
    /// callbacks since the last call.
    fn take_freed(&self) -> (u32, u32) {
        self.maps
            .iter()
            .fold((0u32, 0u32), |(packets, bytes), (map, _)| {
                let (p, b) = map.take_freed();
                (packets.saturating_add(p), bytes.wrapping_add(b))
            })
    }

    /// Accounts for the packets that left the maps outside the qdisc's callbacks.
    fn fold(&self, sch: &LockedQdisc) {
        let (packets, bytes) = self.take_freed();
        sch.account_freed(packets, bytes);
    }
}

impl Drop for Bindings {
    fn drop(&mut self) {
        for (map, _) in self.maps.iter() {
            map.unbind(self.owner).purge();
        }
    }
}

/// How many program runs a qdisc counts before adding to the module's counters.
const SERVED_BATCH: u32 = 64;

/// What a qdisc served, added to the module's counters (shared by every CPU) once per
/// [`SERVED_BATCH`] runs, and when the qdisc is dumped, reset or goes, rather than once per
/// packet.
#[derive(Default)]
struct Served {
    enqueued: u64,
    dequeued: u64,
    pushed: u64,
    popped: u64,
    runs: u32,
}

impl Served {
    /// Counts a program run: its pushes and pops, an enqueue or a packet dequeued.
    fn count(&mut self, run: &Run, enqueued: bool, dequeued: bool) {
        self.enqueued += u64::from(enqueued);
        self.dequeued += u64::from(dequeued);
        self.pushed += u64::from(run.pushes);
        self.popped += u64::from(run.pops);
        self.runs += 1;
        if self.runs >= SERVED_BATCH {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.runs == 0 {
            return;
        }
        ENQUEUED.add(self.enqueued, Relaxed);
        DEQUEUED.add(self.dequeued, Relaxed);
        PUSHED.add(self.pushed, Relaxed);
        POPPED.add(self.popped, Relaxed);
        // Field by field: assigning a new `Served` would drop this one, which flushes.
        self.enqueued = 0;
        self.dequeued = 0;
        self.pushed = 0;
        self.popped = 0;
        self.runs = 0;
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.flush();
    }
}

/// A `bpf` qdisc.
pub(crate) struct SchBpf {
    enqueue: Prog,
    dequeue: Prog,
    maps: Bindings,
    served: Served,
}

impl SchBpf {
    fn create(sch: &Qdisc, opts: Option<&NlAttr>, extack: &mut ExtAck<'_>) -> Result<Self> {
        let options = match opts {
            Some(opts) => Options::parse(opts, extack)?,
            None => Options {
                enqueue: None,
                dequeue: None,
            },
        };
        // A qdisc never runs without its programs (v5 ran a NULL one).
        let Some(enqueue) = options.enqueue else {
            extack.set_err_msg(c"sch_bpf: missing enqueue program");
            return Err(EINVAL);
        };
        let Some(dequeue) = options.dequeue else {
            extack.set_err_msg(c"sch_bpf: missing dequeue program");
            return Err(EINVAL);
        };
        let new = NewBindings::bind(sch.id(), [&enqueue.prog, &dequeue.prog], extack)?;
        QDISCS.add(1, Relaxed);
        Ok(Self {
            enqueue,
            dequeue,
            maps: Bindings::commit(new),
            served: Served::default(),
        })
    }
}

#[vtable]
impl QdiscOps for SchBpf {
    const KIND: &'static CStr = c"bpf";
    const CLASSFUL: bool = true;

    fn init(
        sch: &Qdisc,
        opts: Option<&NlAttr>,
        extack: &mut ExtAck<'_>,
    ) -> impl PinInit<Self, Error> {
        Self::create(sch, opts, extack)
    }

    fn enqueue(
        this: Pin<&mut Self>,
        sch: &LockedQdisc,
        skb: SkBuff,
        to_free: &mut ToFree<'_>,
    ) -> EnqueueStatus {
        let this = this.get_mut();
        let mut ctx = RunContext::new(sch, Some(skb), Run::new(ProgKind::Enqueue, sch.id()));
        let verdict = this.enqueue.prog.run(&mut ctx);
        let delay = ctx.delay();
        let classid = ctx.classid();
        let (unreleased, mut run) = ctx.into_parts();
        let passed = run.passed.take();
        this.served.count(&run, true, false);
        let mut queued = run.pushed;
        if let Some(skb) = unreleased {
            // The program did not run: the verifier makes it release its packet.
            to_free.push_with_reason(skb, QdiscDropReason::GENERIC);
            queued = false;
        }
        if let Some((skb, reason)) = run.dropped {
            to_free.push_with_reason(skb, reason);
        }
        // Packets the program popped and dropped, and packets deleted from the maps.
        let (packets, bytes) = this.maps.take_freed();
        to_free.account_freed(
            run.freed_packets.saturating_add(packets),
            run.freed_bytes.wrapping_add(bytes),
        );
        if matches!(verdict, Ok(Verdict::Throttle)) {
            sch.watchdog().schedule_after_ns(delay);
        }
        if let Some(skb) = passed {
            // The packet is the class's if the program says so, and the class exists; the
            // enqueue then returns what the class's child returns.
            let skb = match verdict {
                Ok(Verdict::Pass) => match sch.enqueue_class(classid, skb, to_free) {
                    Ok(()) => return EnqueueStatus::Success,
                    Err(skb) => skb,
                },
                _ => skb,
            };
            DROPPED.add(1, Relaxed);
            to_free.push_with_reason(skb, QdiscDropReason::GENERIC);
            return EnqueueStatus::Drop;
        }
        match verdict {
            _ if !queued => EnqueueStatus::Drop,
            Ok(Verdict::Congestion) => EnqueueStatus::Congestion,
            _ => EnqueueStatus::Success,
        }
    }

    fn dequeue(this: Pin<&mut Self>, sch: &LockedQdisc) -> Option<SkBuff> {
        let this = this.get_mut();
        let mut ctx = RunContext::new(sch, None, Run::new(ProgKind::Dequeue, sch.id()));
        let verdict = this.dequeue.prog.run(&mut ctx);
        let delay = ctx.delay();
        let classid = ctx.classid();
        let (_, mut run) = ctx.into_parts();
        // Packets the program popped and dropped, and packets deleted from the maps; before the
        // packet handed over leaves, which the caller accounts for.
        let (packets, bytes) = this.maps.take_freed();
        sch.account_freed(
            run.freed_packets.saturating_add(packets),
            run.freed_bytes.wrapping_add(bytes),
        );
        if matches!(verdict, Ok(Verdict::Throttle)) {
            sch.watchdog().schedule_after_ns(delay);
            sch.qstats_overlimit();
        }
        let skb = match run.handed.take() {
            // A packet handed over goes first: the program has it out of its maps already.
            None if matches!(verdict, Ok(Verdict::Pass)) => sch.dequeue_class(classid),
            handed => handed,
        };
        this.served.count(&run, false, skb.is_some());
        skb
    }

    fn reset(this: Pin<&mut Self>, _sch: &LockedQdisc) {
        let this = this.get_mut();
        this.served.flush();
        // The stack sets the queue length and backlog to zero.
        this.maps.purge();
    }

    fn change(sch: &RtnlQdisc<Self>, opts: &NlAttr, extack: &mut ExtAck<'_>) -> Result {
        let options = Options::parse(opts, extack)?;
        if options.enqueue.is_none() && options.dequeue.is_none() {
            return Ok(());
        }
        // Changes are serialised by the RTNL lock: the programs stay as read until replaced
        // below.
        let (enqueue, dequeue) = {
            let mut guard = sch.lock();
            let this = guard.data();
            (this.enqueue.prog.clone(), this.dequeue.prog.clone())
        };
        let enqueue = options.enqueue.as_ref().map_or(&enqueue, |new| &new.prog);
        let dequeue = options.dequeue.as_ref().map_or(&dequeue, |new| &new.prog);
        let new = NewBindings::bind(sch.id(), [enqueue, dequeue], extack)?;
        let old = {
            let mut guard = sch.lock();
            let (this, locked) = guard.parts();
            let this = this.get_mut();
            let maps = this.maps.replace(new, locked);
            let enqueue = options
                .enqueue
                .map(|new| core::mem::replace(&mut this.enqueue, new));
            let dequeue = options
                .dequeue
                .map(|new| core::mem::replace(&mut this.dequeue, new));
            (maps, enqueue, dequeue)
        };
        // Released without the qdisc lock.
        drop(old);
        Ok(())
    }

    fn dump(sch: &RtnlQdisc<Self>, opts: &mut AttrWriter<'_>) -> Result {
        let mut guard = sch.lock();
        let (this, locked) = guard.parts();
        let this = this.get_mut();
        // The stack reads the queue length after this.
        this.maps.fold(locked);
        // So that the module's counters include this qdisc's runs when it is shown.
        this.served.flush();
        opts.put_u32(attr::FLAGS, 0)?;
        this.enqueue.dump(opts, &ENQUEUE)?;
        this.dequeue.dump(opts, &DEQUEUE)
    }
}
