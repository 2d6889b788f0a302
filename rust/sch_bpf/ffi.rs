// SPDX-License-Identifier: GPL-2.0

//! The calls between `sch_btf.c` and Rust: the kfuncs' entry points, and the registrations that
//! the C part of the module performs.
//!
//! This is the module's only `unsafe` code. The kfuncs must be C for BTF (pahole skips Rust
//! compilation units), so their arguments arrive as raw pointers whose meaning the verifier
//! guarantees from the flags `sch_btf.c` declares; the abstractions cannot check that
//! declaration, which is why the conversions are here, next to the C they rely on. Everything
//! the entry points do is in `kfuncs.rs`, in safe Rust.

use crate::kfuncs::{
    self,
    RunContext, //
};
use kernel::{
    bpf::map::Map,
    error::to_result,
    prelude::*, //
};

mod c {
    use kernel::prelude::*;

    extern "C" {
        /// Registers the kfuncs of `sch_btf.c`; fails without module BTF.
        pub(super) fn sch_bpf_rust_btf_register() -> c_int;
        /// Registers the policy of `BPF_PROG_TYPE_SCHED_QDISC` programs that `sch_btf.c` defines.
        pub(super) fn sch_bpf_rust_prog_provider_register() -> c_int;
        /// Unregisters it.
        pub(super) fn sch_bpf_rust_prog_provider_unregister();
    }
}

/// The kfuncs `sch_btf.c` declares, registered with the BPF core.
///
/// A kfunc set cannot be unregistered: it lives as long as the module's BTF, until unload.
pub(crate) struct Kfuncs;

impl Kfuncs {
    /// Registers the kfuncs; fails with `ENOENT` if the module has no BTF.
    pub(crate) fn register() -> Result<Self> {
        // SAFETY: Takes no arguments; called once, from module init, as
        // `register_btf_kfunc_id_set()` requires.
        to_result(unsafe { c::sch_bpf_rust_btf_register() })?;
        Ok(Self)
    }
}

/// The policy of `BPF_PROG_TYPE_SCHED_QDISC` programs (`struct sch_bpf_prog_provider` in
/// `sch_btf.c`), registered; unregistered when dropped.
///
/// # Invariants
///
/// The provider of `sch_btf.c` is registered.
pub(crate) struct ProgProvider(());

impl ProgProvider {
    /// Registers the policy; fails with `EBUSY` if another module provides one.
    pub(crate) fn register() -> Result<Self> {
        // SAFETY: The provider is a static of `sch_btf.c`; it is unregistered in `drop`, which
        // the module's exit reaches.
        to_result(unsafe { c::sch_bpf_rust_prog_provider_register() })?;
        // INVARIANT: Registered above.
        Ok(Self(()))
    }
}

impl Drop for ProgProvider {
    fn drop(&mut self) {
        // SAFETY: Registered (type invariant); unregistering waits for the calls in flight.
        unsafe { c::sch_bpf_rust_prog_provider_unregister() };
    }
}

/// Returns the context of the program that called a kfunc.
///
/// # Safety
///
/// `ctx` is the `struct bpf_sch_ctx *` argument of a kfunc of `sch_btf.c`, and the returned
/// reference is not used after the kfunc returns.
unsafe fn run_context<'a>(ctx: *mut c_void) -> &'a mut RunContext {
    // SAFETY: The kfuncs are registered for `BPF_PROG_TYPE_SCHED_QDISC` programs only (and
    // refused to `BPF_PROG_TYPE_EXT` ones by the filter of `sch_btf.c`); this module is the only
    // one that runs such programs, always with `QdiscProg::run()` on a `RunContext` (see
    // `qdisc.rs`). So `ctx`, the context the program was given, is the kernel context of that
    // `RunContext`, which the running program does not touch during the kfunc.
    unsafe { RunContext::from_kfunc_ctx(ctx.cast()) }
}

/// Returns the map a program passed to a kfunc.
///
/// # Safety
///
/// `map` is the `map__map` argument of a kfunc of `sch_btf.c`, and the returned reference is not
/// used after the kfunc returns.
unsafe fn kfunc_map<'a>(map: *mut c_void) -> &'a Map {
    // SAFETY: The verifier passes a `CONST_PTR_TO_MAP` of the program (`KF_MAP_SKBMAP` refuses
    // any other pointer), which the program holds a reference to while it runs.
    unsafe { Map::from_raw(map.cast()) }
}

/// `bpf_skb_map_push()`.
///
/// # Safety
///
/// Called by `bpf_skb_map_push()` of `sch_btf.c`, declared `KF_RELEASE | KF_MAP_SKBMAP`, with its
/// arguments.
#[no_mangle]
unsafe extern "C" fn sch_bpf_rust_skb_map_push(
    ctx: *mut c_void,
    map: *mut c_void,
    skb: *mut c_void,
    rank: u64,
) -> c_int {
    // SAFETY: By the safety requirements of this function.
    let (ctx, map) = unsafe { (run_context(ctx), kfunc_map(map)) };
    // SAFETY: `skb` is the argument that `KF_RELEASE` applies to: a packet the program owns and
    // gives up.
    let Some((skb, lent)) = (unsafe { ctx.take_released(skb.cast()) }) else {
        return EINVAL.to_errno();
    };
    match kfuncs::push(ctx, map, skb, lent, rank) {
        Ok(()) => 0,
        Err(err) => err.to_errno(),
    }
}

/// `bpf_skb_map_pop()`.
///
/// # Safety
///
/// Called by `bpf_skb_map_pop()` of `sch_btf.c`, declared
/// `KF_ACQUIRE | KF_RET_NULL | KF_MAP_SKBMAP`, with its arguments.
#[no_mangle]
unsafe extern "C" fn sch_bpf_rust_skb_map_pop(
    ctx: *mut c_void,
    map: *mut c_void,
    rank: u64,
) -> *mut c_void {
    // SAFETY: By the safety requirements of this function.
    let (ctx, map) = unsafe { (run_context(ctx), kfunc_map(map)) };
    // `KF_ACQUIRE`: the program owns the packet until it releases it, which
    // `RunCtx::take_released()` expects.
    kfuncs::pop(ctx, map, Some(rank)).map_or(core::ptr::null_mut(), |skb| skb.into_raw().cast())
}

/// `bpf_skb_map_pop_min()`.
///
/// # Safety
///
/// Called by `bpf_skb_map_pop_min()` of `sch_btf.c`, declared
/// `KF_ACQUIRE | KF_RET_NULL | KF_MAP_SKBMAP`, with its arguments.
#[no_mangle]
unsafe extern "C" fn sch_bpf_rust_skb_map_pop_min(
    ctx: *mut c_void,
    map: *mut c_void,
) -> *mut c_void {
    // SAFETY: By the safety requirements of this function.
    let (ctx, map) = unsafe { (run_context(ctx), kfunc_map(map)) };
    // `KF_ACQUIRE`: as in `sch_bpf_rust_skb_map_pop()`.
    kfuncs::pop(ctx, map, None).map_or(core::ptr::null_mut(), |skb| skb.into_raw().cast())
}

/// `bpf_sch_skb_dequeue()`.
///
/// # Safety
///
/// Called by `bpf_sch_skb_dequeue()` of `sch_btf.c`, declared `KF_RELEASE`, with its arguments.
#[no_mangle]
unsafe extern "C" fn sch_bpf_rust_skb_dequeue(ctx: *mut c_void, skb: *mut c_void) {
    // SAFETY: By the safety requirements of this function.
    let ctx = unsafe { run_context(ctx) };
    // SAFETY: `skb` is the argument that `KF_RELEASE` applies to.
    if let Some((skb, lent)) = unsafe { ctx.take_released(skb.cast()) } {
        kfuncs::hand_over(ctx, skb, lent);
    }
}

/// `bpf_sch_skb_drop()`.
///
/// # Safety
///
/// Called by `bpf_sch_skb_drop()` of `sch_btf.c`, declared `KF_RELEASE`, with its arguments.
#[no_mangle]
unsafe extern "C" fn sch_bpf_rust_skb_drop(ctx: *mut c_void, skb: *mut c_void) {
    // SAFETY: By the safety requirements of this function.
    let ctx = unsafe { run_context(ctx) };
    // SAFETY: `skb` is the argument that `KF_RELEASE` applies to.
    if let Some((skb, lent)) = unsafe { ctx.take_released(skb.cast()) } {
        kfuncs::drop_packet(ctx, skb, lent);
    }
}
