/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Calls between the Rust (sch_main.rs) and C (sch_btf.c) halves of
 * sch_bpf_rust. kernel::sch_bpf_kfuncs! defines the Rust functions and
 * declares the C one.
 */
#ifndef SCH_BPF_RUST_BTF_H
#define SCH_BPF_RUST_BTF_H

#include <linux/types.h>

struct bpf_map;
struct bpf_sch_kern_ctx;
struct sk_buff;

/* Rust: the bodies of the kfuncs (kernel::sch_bpf_kfuncs! in sch_main.rs). */
int sch_bpf_rust_skb_map_push(struct bpf_sch_kern_ctx *ctx, struct bpf_map *map,
			      struct sk_buff *skb, u64 rank);
struct sk_buff *sch_bpf_rust_skb_map_pop(struct bpf_sch_kern_ctx *ctx,
					 struct bpf_map *map, u64 rank);
struct sk_buff *sch_bpf_rust_skb_map_pop_min(struct bpf_sch_kern_ctx *ctx,
					     struct bpf_map *map);
void sch_bpf_rust_skb_dequeue(struct bpf_sch_kern_ctx *ctx, struct sk_buff *skb);
void sch_bpf_rust_skb_drop(struct bpf_sch_kern_ctx *ctx, struct sk_buff *skb);
void sch_bpf_rust_skb_pass(struct bpf_sch_kern_ctx *ctx, struct sk_buff *skb);
u32 sch_bpf_rust_skb_classify(struct bpf_sch_kern_ctx *ctx, struct sk_buff *skb);
s64 sch_bpf_rust_class_qlen(struct bpf_sch_kern_ctx *ctx, u32 classid);

/* C: registers the kfuncs; -ENOENT without module BTF. */
int sch_bpf_rust_btf_register(void);

#endif /* SCH_BPF_RUST_BTF_H */
