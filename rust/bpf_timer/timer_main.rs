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
//!   CPU is running that work for this timer;
//! * cancel: `EOPNOTSUPP` from hard interrupts or with interrupts off, `EDEADLK` for a callback
//!   cancelling its own timer or two callbacks cancelling each other; it clears the callback and
//!   waits for a running one;
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
        expires_from_flags,
        in_hardirq_or_irqs_disabled,
        with_running_timer,
        Callback,
        FiringCallback,
        MapTimer,
        MapTimerRef,
        NewTimer,
        Prog,
        Registration,
        TimerImpl,
        TimerProvider,
        TimerSlot,
        F_TIMER_ABS,
        F_TIMER_CPU_PIN, //
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
        BootTime,
        ClockSource,
        Monotonic,
        RealTime, //
    },
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

/// An operation deferred from hard interrupt context (or with interrupts off).
const OP_NONE: u64 = 0;
const OP_START: u64 = 1;
const OP_CANCEL: u64 = 2;
/// The start flags are kept above the operation.
const OP_FLAGS_SHIFT: u32 = 8;

/// A BPF timer on clock `C`.
///
/// Deferred operations are coalesced: the work applies the last one recorded (a start then a
/// cancel leave the timer cancelled, a cancel then a start leave it armed), which is the state
/// running them all in order would leave.
#[pin_data(PinnedDrop)]
struct BpfTimer<C> {
    pending_op: Atomic<u64>,
    pending_nsecs: Atomic<u64>,
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
            pending_op: Atomic::new(OP_NONE),
            pending_nsecs: Atomic::new(0),
            _clock: PhantomData,
        }? Error)
        .pin_chain(|_| {
            // Paired with the drop: counted once the timer exists.
            LIVE.add(1, Relaxed);
            Ok(())
        })
    }
}

/// Records `op` and queues the timer's deferred work with reference `timer`.
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
    let data = timer.data();
    data.pending_nsecs.store(nsecs, Relaxed);
    data.pending_op
        .store(op | (flags << OP_FLAGS_SHIFT), Release);
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
        // Waiting for our own callback would never end.
        if timer.is_running_here() {
            return Err(EDEADLK);
        }
        let cancelling = timer.core().cancelling();
        with_running_timer(|current| {
            // Only a cancel from a timer callback counts: another callback may be waiting for
            // that one, so two of them waiting for each other must be refused.
            let counted = if let Some(current) = current {
                cancelling.fetch_add(1, Full);
                if current.cancelling().load(Relaxed) != 0 {
                    cancelling.fetch_sub(1, Relaxed);
                    return Err(EDEADLK);
                }
                true
            } else {
                false
            };
            timer.clear_callback();
            let active = timer.cancel_hrtimer();
            if counted {
                cancelling.fetch_sub(1, Relaxed);
            }
            Ok(active)
        })
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
        let op = timer.data().pending_op.xchg(OP_NONE, Acquire);
        let nsecs = timer.data().pending_nsecs.load(Relaxed);
        match op & ((1 << OP_FLAGS_SHIFT) - 1) {
            OP_START => timer.start(expires_from_flags(nsecs, op >> OP_FLAGS_SHIFT)),
            OP_CANCEL => {
                let _ = timer.try_to_cancel_hrtimer();
            }
            _ => {}
        }
    }
}

struct Provider;

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
            MapTimer::new(slot, BpfTimer::<RealTime>::new())
        } else if clock == Monotonic::ID as u64 {
            MapTimer::new(slot, BpfTimer::<Monotonic>::new())
        } else {
            MapTimer::new(slot, BpfTimer::<BootTime>::new())
        }?;
        CREATED.add(1, Relaxed);
        Ok(timer)
    }
}

#[pin_data]
struct BpfTimerModule {
    // Dropped first: unregistering waits for the timers' final frees.
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
    fn init(module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let debugfs = Dir::new(c"bpf_timer_rust");
        try_pin_init!(Self {
            _provider: Registration::register(module)?,
            _created <- debugfs.read_only_file(c"created", &CREATED),
            _fired <- debugfs.read_only_file(c"fired", &FIRED),
            _live <- debugfs.read_only_file(c"live", &LIVE),
            _debugfs: debugfs,
        })
        .pin_chain(|_| {
            pr_info!("serving the bpf_timer helpers\n");
            Ok(())
        })
    }
}
