// SPDX-License-Identifier: GPL-2.0

//! Calls into `link_btf.c`, the C part of this module that carries its BTF.
//!
//! This is the module's only `unsafe`: a module-local C object has no
//! abstraction in the `kernel` crate to go through.

use kernel::{error::to_result, prelude::*};

mod ffi {
    use kernel::prelude::*;

    extern "C" {
        /// Registers the module's kfuncs; fails when the module has no BTF.
        pub(super) fn bpf_struct_ops_link_rust_btf_register() -> c_int;
    }
}

/// The kfuncs `link_btf.c` declares, registered with the BPF core.
///
/// A kfunc set cannot be unregistered: it lives as long as the module's BTF, that is, until
/// unload.
pub(crate) struct Kfuncs;

/// Registers what `link_btf.c` declares (kfuncs) with the BPF core.
pub(crate) fn register() -> Result<Kfuncs> {
    // SAFETY: `bpf_struct_ops_link_rust_btf_register` takes no arguments and is
    // called once, from module init, as `register_btf_kfunc_id_set()` requires.
    to_result(unsafe { ffi::bpf_struct_ops_link_rust_btf_register() })?;
    Ok(Kfuncs)
}
