/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls between the Rust (link_main.rs) and C (link_btf.c) halves of
 * bpf_struct_ops_link_rust. Rust declares the same prototypes by hand.
 */
#ifndef BPF_STRUCT_OPS_LINK_RUST_BTF_H
#define BPF_STRUCT_OPS_LINK_RUST_BTF_H

#include <linux/types.h>

/* Rust: links created by the provider since it was loaded. */
u64 bpf_struct_ops_link_rust_links_created(void);

/* C: registers the module's kfuncs; -ENOENT without module BTF. */
int bpf_struct_ops_link_rust_btf_register(void);

#endif /* BPF_STRUCT_OPS_LINK_RUST_BTF_H */
