/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls between the Rust (sch_main.rs, ffi.rs) and C (sch_btf.c) halves of
 * sch_bpf_rust. Rust declares the same prototypes by hand, with void pointers
 * for the structures.
 */
#ifndef SCH_BPF_RUST_BTF_H
#define SCH_BPF_RUST_BTF_H

#include <linux/types.h>

struct bpf_map;
struct bpf_sch_kern_ctx;
struct sk_buff;

/* Rust: the bodies of the kfuncs (ffi.rs). */
int sch_bpf_rust_skb_map_push(struct bpf_sch_kern_ctx *ctx, struct bpf_map *map,
			      struct sk_buff *skb, u64 rank);
struct sk_buff *sch_bpf_rust_skb_map_pop(struct bpf_sch_kern_ctx *ctx,
					 struct bpf_map *map, u64 rank);
struct sk_buff *sch_bpf_rust_skb_map_pop_min(struct bpf_sch_kern_ctx *ctx,
					     struct bpf_map *map);
void sch_bpf_rust_skb_dequeue(struct bpf_sch_kern_ctx *ctx, struct sk_buff *skb);
void sch_bpf_rust_skb_drop(struct bpf_sch_kern_ctx *ctx, struct sk_buff *skb);

/* C: registers the kfuncs; -ENOENT without module BTF. */
int sch_bpf_rust_btf_register(void);

/* C: the policy of BPF_PROG_TYPE_SCHED_QDISC programs (helpers). */
int sch_bpf_rust_prog_provider_register(void);
void sch_bpf_rust_prog_provider_unregister(void);

#endif /* SCH_BPF_RUST_BTF_H */
