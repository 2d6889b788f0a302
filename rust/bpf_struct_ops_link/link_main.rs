// SPDX-License-Identifier: GPL-2.0

//! Rust provider of the BPF struct_ops link.
//!
//! `BPF_LINK_CREATE` with attach type `BPF_STRUCT_OPS` registers a struct_ops map (loaded with
//! `BPF_F_LINK`) with its subsystem and returns a link that owns the registration;
//! `BPF_LINK_UPDATE` swaps the map atomically and `BPF_LINK_DETACH` unregisters it. While this
//! module is loaded, new links are created by it instead of by kernel/bpf/bpf_struct_ops.c;
//! each pins the module until it is freed.
//!
//! Which implementation served a link is observable through
//! `/sys/kernel/debug/bpf_struct_ops_link_rust/links_created` and the
//! `bpf_rust_st_links_created()` kfunc.

use kernel::{
    bpf::struct_ops::{
        LinkCreateAttr,
        LinkProvider,
        ProviderRegistration, //
    },
    debugfs::{
        Dir,
        File, //
    },
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
};

mod btf;
mod st_link;

module! {
    type: StructOpsLinkModule,
    name: "bpf_struct_ops_link_rust",
    authors: ["bpf-rust developers"],
    description: "Rust provider of the BPF struct_ops link",
    license: "GPL",
}

/// Links created by this provider since it was loaded.
static LINKS_CREATED: Atomic<u64> = Atomic::new(0);

/// Read by the `bpf_rust_st_links_created()` kfunc in `link_btf.c`.
#[no_mangle]
extern "C" fn bpf_struct_ops_link_rust_links_created() -> u64 {
    LINKS_CREATED.load(Relaxed)
}

struct Provider;

#[vtable]
impl LinkProvider for Provider {
    fn link_create(attr: &LinkCreateAttr) -> Result<i32> {
        let fd = st_link::StructOpsLink::create(attr)?;
        LINKS_CREATED.add(1, Relaxed);
        Ok(fd)
    }
}

#[pin_data]
struct StructOpsLinkModule {
    // Declared first, initialised last: unregistered before the rest goes, registered once
    // everything it uses exists.
    #[pin]
    _provider: ProviderRegistration<Provider>,
    #[pin]
    _links_created: File<&'static Atomic<u64>>,
    _debugfs: Dir,
    _kfuncs: btf::Kfuncs,
}

impl kernel::InPlaceModule for StructOpsLinkModule {
    fn init(_module: &'static ThisModule) -> impl PinInit<Self, Error> {
        let debugfs = Dir::new(c"bpf_struct_ops_link_rust");
        try_pin_init!(Self {
            // Can fail (no module BTF): before the provider, so that no link is created by a
            // module whose init then fails.
            _kfuncs: btf::register()?,
            _links_created <- debugfs.read_only_file(c"links_created", &LINKS_CREATED),
            _debugfs: debugfs,
            _provider <- ProviderRegistration::register(),
        })
        .pin_chain(|_| {
            pr_info!("serving new struct_ops links\n");
            Ok(())
        })
    }
}
