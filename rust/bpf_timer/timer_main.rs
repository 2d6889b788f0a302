// SPDX-License-Identifier: GPL-2.0

//! Rust implementation of the `bpf_timer` helpers.
//!
//! While this module is loaded, `bpf_timer_init()` creates timers here instead of in
//! kernel/bpf/helpers.c, and `bpf_timer_set_callback()`, `bpf_timer_start()`,
//! `bpf_timer_cancel()`, the `bpf_timer_cancel_async()` kfunc and the map's cancel-and-free of
//! those timers run this code, with the behaviour and error codes of C:
//!
//! * init: `EINVAL` for flags beyond the clock id or a clock other than REALTIME, MONOTONIC and
//!   BOOTTIME, `EBUSY` if the slot holds a timer, `ENOMEM`; the core reports `EPERM` when the
//!   map has no user references left;
//! * set_callback: `ENOENT` if the program is being freed;
//! * start: `EINVAL` for unknown flags or without a callback, `ENOENT` while being freed; from
//!   hard interrupts or with interrupts off it is deferred to an irq_work, and `EDEADLK` if this
//!   CPU is running that work for this timer, `ENOMEM` if too many deferred operations on the
//!   timer are in flight at once (C allocates a command and fails the same way);
//! * cancel: `EOPNOTSUPP` from hard interrupts or with interrupts off, `EDEADLK` for a callback
//!   cancelling its own timer or two callbacks cancelling each other (the check is the core's,
//!   shared with built-in timers, so a Rust and a C timer cancelling each other are caught too);
//!   it clears the callback and waits for a running one;
//! * cancel_async: never waits; `ECANCELED` when deferred.
//!
//! Callbacks run in the hrtimer softirq; a callback re-arms its timer by starting it, and may
//! delete the map element that holds it. Timers are charged to their map's memory cgroup.
//!
//! `/sys/kernel/debug/bpf_timer_rust/{created,fired,live}` count the timers this module created,
//! the callbacks it ran and the timers not freed yet. Every timer pins the module; it can be unloaded once the maps let go of
//! their timers and the RCU callbacks freeing them have run.

use core::marker::PhantomData;
use kernel::{
    bpf::timer::{
        in_hardirq_or_irqs_disabled,
        Callback,
        FiringCallback,
        MapTimer,
        MapTimerRef,
        NewTimer,
        Prog,
        Registration,
        TimerImpl,
        TimerProvider,
        TimerSlot, //
    },
    debugfs::{
        Dir,
        File, //
    },
    prelude::*,
    sync::atomic::{
        Acquire,
        Atomic,
        Full,
        Relaxed,
        Release, //
    },
    time::{
        hrtimer::SoftExpires,
        BootTime,
        ClockSource,
        Delta,
        Monotonic,
        RealTime, //
    },
    uapi,
};

module! {
    type: BpfTimerModule,
    name: "bpf_timer_rust",
    authors: ["bpf-rust developers"],
    description: "Rust implementation of the bpf_timer helpers",
    license: "GPL",
}

/// Timers created by this module since it was loaded.
static CREATED: Atomic<u64> = Atomic::new(0);
/// BPF callbacks this module's timers ran.
static FIRED: Atomic<u64> = Atomic::new(0);
/// Timers of this module not freed yet: back to 0 once their maps are gone.
static LIVE: Atomic<u64> = Atomic::new(0);

/// `MAX_CLOCKS`: the low bits of the init flags hold the clock id.
const MAX_CLOCKS: u64 = 16;

/// `BPF_F_TIMER_ABS`: the expiry passed to `bpf_timer_start()` is absolute.
const F_TIMER_ABS: u64 = uapi::BPF_F_TIMER_ABS as u64;
/// `BPF_F_TIMER_CPU_PIN`: `bpf_timer_start()` pins the timer to the calling CPU.
const F_TIMER_CPU_PIN: u64 = uapi::BPF_F_TIMER_CPU_PIN as u64;

/// The expiry `bpf_timer_start()` asks for: `nsecs` from now, or when the timer's clock reads
/// `nsecs` with [`F_TIMER_ABS`], pinned to the calling CPU with [`F_TIMER_CPU_PIN`].
fn expires_from_flags<C: ClockSource>(nsecs: u64, flags: u64) -> SoftExpires<C> {
    // ktime_t is signed: C converts the same way.
    let nanos = nsecs as i64;
    let expires = if flags & F_TIMER_ABS != 0 {
        SoftExpires::absolute_nanos(nanos)
    } else {
        SoftExpires::relative(Delta::from_nanos(nanos))
    };
    if flags & F_TIMER_CPU_PIN != 0 {
        expires.pinned()
    } else {
        expires
    }
}

/// An operation deferred from hard interrupt context (or with interrupts off).
const OP_START: u64 = 1;
const OP_CANCEL: u64 = 2;
/// The start flags are kept above the operation.
const OP_FLAGS_SHIFT: u32 = 8;

/// Records for deferred operations of one timer: one pending, the others being written.
const RECORDS: usize = 4;

/// The last operation deferred on a timer, waiting for its irq_work.
///
/// Deferred operations are coalesced: the work applies the last one posted (a start then a
/// cancel leave the timer cancelled, a cancel then a start leave it armed), which is the state
/// running them all in order would leave. Each operation is applied whole: a poster fills a
/// record of its own, then publishes it with one exchange, so two concurrent posters (two CPUs,
/// or an NMI on top of an interrupts-off section) never mix one call's flags with another's
/// time. No locks: posters may interrupt each other on one CPU.
struct DeferredOps {
    /// Bit `i` set: record `i` is free.
    free: Atomic<u32>,
    /// 0, or 1 + the index of the record of the last operation posted.
    latest: Atomic<u32>,
    /// Per record: the operation, with the start flags above `OP_FLAGS_SHIFT`.
    ops: [Atomic<u64>; RECORDS],
    /// Per record: the time of a start.
    nsecs: [Atomic<u64>; RECORDS],
}

impl DeferredOps {
    fn new() -> Self {
        Self {
            free: Atomic::new((1 << RECORDS) - 1),
            latest: Atomic::new(0),
            ops: [const { Atomic::new(0) }; RECORDS],
            nsecs: [const { Atomic::new(0) }; RECORDS],
        }
    }

    /// Posts `op`; it replaces the one pending, if any.
    fn post(&self, op: u64, nsecs: u64, flags: u64) -> Result {
        let mut free = self.free.load(Relaxed);
        let index = loop {
            if free == 0 {
                return Err(ENOMEM);
            }
            let index = free.trailing_zeros();
            match self.free.cmpxchg(free, free & !(1 << index), Acquire) {
                Ok(_) => break index,
                Err(now) => free = now,
            }
        };
        // The record is ours alone until published.
        let record = index as usize;
        self.nsecs[record].store(nsecs, Relaxed);
        self.ops[record].store(op | (flags << OP_FLAGS_SHIFT), Relaxed);
        let replaced = self.latest.xchg(index + 1, Full);
        if replaced != 0 {
            // Taken out of `latest` by us: nobody reads it any more.
            self.free.fetch_add(1 << (replaced - 1), Release);
        }
        Ok(())
    }

    /// Takes the last operation posted: `(op, flags, nsecs)`.
    fn take(&self) -> Option<(u64, u64, u64)> {
        let latest = self.latest.xchg(0, Acquire);
        let index = latest.checked_sub(1)?;
        let record = index as usize;
        let op = self.ops[record].load(Relaxed);
        let nsecs = self.nsecs[record].load(Relaxed);
        self.free.fetch_add(1 << index, Release);
        Some((
            op & ((1 << OP_FLAGS_SHIFT) - 1),
            op >> OP_FLAGS_SHIFT,
            nsecs,
        ))
    }
}

/// A BPF timer on clock `C`.
#[pin_data(PinnedDrop)]
struct BpfTimer<C> {
    deferred: DeferredOps,
    _clock: PhantomData<C>,
}

#[pinned_drop]
impl<C> PinnedDrop for BpfTimer<C> {
    fn drop(self: Pin<&mut Self>) {
        LIVE.fetch_sub(1, Relaxed);
    }
}

impl<C> BpfTimer<C> {
    fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            deferred: DeferredOps::new(),
            _clock: PhantomData,
        }? Error)
        .pin_chain(|_| {
            // Paired with the drop: counted once the timer exists.
            LIVE.add(1, Relaxed);
            Ok(())
        })
    }
}

/// Posts `op` and queues the timer's deferred work with reference `timer`.
fn defer<C: ClockSource + Send + Sync + 'static>(
    timer: MapTimerRef<BpfTimer<C>>,
    op: u64,
    nsecs: u64,
    flags: u64,
) -> Result {
    // The work running on this CPU for this timer called us (e.g. from a tracepoint): queueing
    // it again would loop.
    if timer.is_deferred_running_here() {
        return Err(EDEADLK);
    }
    timer.data().deferred.post(op, nsecs, flags)?;
    timer.defer();
    Ok(())
}

impl<C: ClockSource + Send + Sync + 'static> TimerImpl for BpfTimer<C> {
    type Clock = C;

    fn set_callback(timer: &MapTimer<Self>, prog: &Prog, callback: Callback) -> Result {
        timer.set_callback(prog, callback)
    }

    fn start(timer: &MapTimer<Self>, nsecs: u64, flags: u64) -> Result {
        if flags & !(F_TIMER_ABS | F_TIMER_CPU_PIN) != 0 || !timer.has_callback() {
            return Err(EINVAL);
        }
        // A timer being freed must not be armed again.
        let timer = timer.try_get().ok_or(ENOENT)?;
        if in_hardirq_or_irqs_disabled() {
            return defer(timer, OP_START, nsecs, flags);
        }
        timer.start(expires_from_flags(nsecs, flags));
        Ok(())
    }

    fn cancel(timer: &MapTimer<Self>) -> Result<bool> {
        if in_hardirq_or_irqs_disabled() {
            return Err(EOPNOTSUPP);
        }
        // Waiting for our own callback, or for one that waits for us, would never end.
        let cancellation = timer.begin_cancel()?;
        timer.clear_callback();
        Ok(cancellation.cancel_hrtimer())
    }

    fn cancel_async(timer: &MapTimer<Self>) -> Result<i32> {
        // A deferred cancel must not run after the timer is freed.
        let timer = timer.try_get().ok_or(ENOENT)?;
        if in_hardirq_or_irqs_disabled() {
            defer(timer, OP_CANCEL, 0, 0)?;
            return Err(ECANCELED);
        }
        Ok(match timer.try_to_cancel_hrtimer() {
            Ok(active) => active.into(),
            // The callback is running.
            Err(_) => -1,
        })
    }

    fn cancel_and_free(map_ref: MapTimerRef<Self>) {
        map_ref.clear_callback();
        if in_hardirq_or_irqs_disabled() {
            // On failure the reference is dropped: the final free cancels again anyway.
            let _ = defer(map_ref, OP_CANCEL, 0, 0);
        } else {
            // Never wait here: the callback may be deleting its own element. If it is running,
            // the final free retries after it returned.
            let _ = map_ref.try_to_cancel_hrtimer();
        }
    }

    fn run(_timer: &MapTimer<Self>, callback: FiringCallback<'_>) {
        if callback.call() {
            FIRED.add(1, Relaxed);
        }
    }

    fn run_deferred(timer: MapTimerRef<Self>) {
        match timer.data().deferred.take() {
            Some((OP_START, flags, nsecs)) => timer.start(expires_from_flags(nsecs, flags)),
            Some((OP_CANCEL, _, _)) => {
                let _ = timer.try_to_cancel_hrtimer();
            }
            _ => {}
        }
    }
}

struct Provider;

#[vtable]
impl TimerProvider for Provider {
    fn create(slot: &TimerSlot<'_>, flags: u64) -> Result<NewTimer> {
        let clock = flags & (MAX_CLOCKS - 1);
        // Like timerfd, without the _ALARM clocks.
        let valid_clock = [RealTime::ID, Monotonic::ID, BootTime::ID]
            .iter()
            .any(|&id| u64::try_from(id) == Ok(clock));
        if flags >= MAX_CLOCKS || !valid_clock {
            return Err(EINVAL);
        }
        if slot.is_busy() {
            return Err(EBUSY);
        }
        let timer = if clock == RealTime::ID as u64 {
            NewTimer::new(slot, BpfTimer::<RealTime>::new())
        } else if clock == Monotonic::ID as u64 {
            NewTimer::new(slot, BpfTimer::<Monotonic>::new())
        } else {
            NewTimer::new(slot, BpfTimer::<BootTime>::new())
        }?;
        CREATED.add(1, Relaxed);
        Ok(timer)
    }
}

#[pin_data]
struct BpfTimerModule {
    // Declared first, initialised last: unregistered (which waits for the timers' final frees)
    // before the rest goes, registered once everything it uses exists.
    #[pin]
    _provider: Registration<Provider>,
    #[pin]
    _created: File<&'static Atomic<u64>>,
    #[pin]
    _fired: File<&'static Atomic<u64>>,
    #[pin]
    _live: File<&'static Atomic<u64>>,
    _debugfs: Dir,
}

impl kernel::InPlaceModule for BpfTimerModule {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let debugfs = Dir::new(c"bpf_timer_rust");
        try_pin_init!(Self {
            _created <- debugfs.read_only_file(c"created", &CREATED),
            _fired <- debugfs.read_only_file(c"fired", &FIRED),
            _live <- debugfs.read_only_file(c"live", &LIVE),
            _debugfs: debugfs,
            _provider <- Registration::register(),
        })
        .pin_chain(|_| {
            pr_info!("serving the bpf_timer helpers\n");
            Ok(())
        })
    }
}
