// SPDX-License-Identifier: GPL-2.0
/*
 * BTF side of sch_bpf_rust: the kfuncs of the sch_bpf programs.
 *
 * pahole skips Rust compilation units (--lang_exclude=rust), so what BPF
 * programs and the verifier must find in this module's BTF is declared here,
 * in C, and calls into Rust (the entry points that sch_bpf_kfuncs! defines in
 * sch_main.rs). Without module BTF,
 * register_btf_kfunc_id_set() returns 0 after a mere warning: refuse to load
 * instead.
 */
#include <linux/bpf.h>
#include <linux/bpf_map_provider.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/filter.h>
#include <linux/module.h>
#include <linux/skbuff.h>

#include "sch_btf.h"

__bpf_kfunc_start_defs();

/**
 * bpf_skb_map_push() - Queue a packet in an skb map.
 * @skb: the packet: the enqueue program's own or one the program popped;
 *	released
 * @map__map: an skb map bound to the program's qdisc
 * @rank: the rank of the packet; packets of equal rank leave in order
 * @ctx: the context of the program
 *
 * The map takes the packet; on failure the packet is dropped (a drop of the
 * qdisc).
 *
 * Return: 0; -ENOBUFS if the map holds max_entries packets, -ENOMEM without
 * memory, -EBUSY if the map is bound to another qdisc.
 */
__bpf_kfunc int bpf_skb_map_push(struct sk_buff *skb, struct bpf_map *map__map,
				 u64 rank, struct bpf_sch_ctx *ctx)
{
	return sch_bpf_rust_skb_map_push((struct bpf_sch_kern_ctx *)ctx, map__map,
					 skb, rank);
}

/**
 * bpf_skb_map_pop() - Take the first packet of a rank out of an skb map.
 * @map__map: an skb map bound to the program's qdisc
 * @rank: the rank
 * @ctx: the context of the program
 *
 * The packet stays the qdisc's: the program must push it (enqueue), hand it
 * over (bpf_sch_skb_dequeue(), dequeue) or drop it (bpf_sch_skb_drop()).
 *
 * Return: the first packet pushed with @rank, or NULL if there is none or the
 * map is bound to another qdisc.
 */
__bpf_kfunc struct sk_buff *bpf_skb_map_pop(struct bpf_map *map__map, u64 rank,
					    struct bpf_sch_ctx *ctx)
{
	return sch_bpf_rust_skb_map_pop((struct bpf_sch_kern_ctx *)ctx, map__map,
					rank);
}

/**
 * bpf_skb_map_pop_min() - Take the packet of the lowest rank out of an skb map.
 * @map__map: an skb map bound to the program's qdisc
 * @ctx: the context of the program
 *
 * As bpf_skb_map_pop(), for the first packet of the lowest rank.
 *
 * Return: the packet, or NULL if the map is empty or bound to another qdisc.
 */
__bpf_kfunc struct sk_buff *bpf_skb_map_pop_min(struct bpf_map *map__map,
						struct bpf_sch_ctx *ctx)
{
	return sch_bpf_rust_skb_map_pop_min((struct bpf_sch_kern_ctx *)ctx,
					    map__map);
}

/**
 * bpf_sch_skb_dequeue() - Hand a packet to the qdisc, to be sent.
 * @skb: a packet the program popped; released
 * @ctx: the context of the dequeue program
 *
 * Dequeue programs only. The qdisc sends the packet once the program returns;
 * a second packet handed over in the same run, or a packet from an enqueue
 * program, is dropped.
 */
__bpf_kfunc void bpf_sch_skb_dequeue(struct sk_buff *skb, struct bpf_sch_ctx *ctx)
{
	sch_bpf_rust_skb_dequeue((struct bpf_sch_kern_ctx *)ctx, skb);
}

/**
 * bpf_sch_skb_drop() - Drop a packet.
 * @skb: the program's own packet or one it popped; released
 * @ctx: the context of the program
 *
 * The drop is counted in the qdisc's statistics.
 */
__bpf_kfunc void bpf_sch_skb_drop(struct sk_buff *skb, struct bpf_sch_ctx *ctx)
{
	sch_bpf_rust_skb_drop((struct bpf_sch_kern_ctx *)ctx, skb);
}

/**
 * bpf_sch_skb_pass() - Hand the enqueue program's packet to the qdisc's classes.
 * @skb: the packet being enqueued (ctx->skb); released
 * @ctx: the context of the enqueue program
 *
 * Enqueue programs only. If the program returns SCH_BPF_PASS, the packet is
 * enqueued to the child qdisc of the class ctx->classid (as the program left
 * it); with another return code, or if there is no such class, it is dropped.
 * A popped packet, or a packet from a dequeue program, is dropped.
 */
__bpf_kfunc void bpf_sch_skb_pass(struct sk_buff *skb, struct bpf_sch_ctx *ctx)
{
	sch_bpf_rust_skb_pass((struct bpf_sch_kern_ctx *)ctx, skb);
}

/**
 * bpf_skb_classify() - Run the filters attached to the qdisc on a packet.
 * @skb: a packet the program holds
 * @ctx: the context of the program
 *
 * Runs the filter chain of the qdisc (tc filter add ... parent <handle>:),
 * as a classful qdisc does to choose the class of a packet.
 *
 * Return: the class id of the filters' result; 0 without filters, when none
 * matches, or when an action ended the classification otherwise (shot,
 * stolen, queued, trap, redirect, which qdisc filters do not support).
 */
__bpf_kfunc u32 bpf_skb_classify(struct sk_buff *skb, struct bpf_sch_ctx *ctx)
{
	return sch_bpf_rust_skb_classify((struct bpf_sch_kern_ctx *)ctx, skb);
}

/**
 * bpf_sch_class_qlen() - The number of packets a class holds.
 * @classid: the class
 * @ctx: the context of the program
 *
 * A dequeue program asks a class that has packets (SCH_BPF_PASS): after a
 * dequeue that gave nothing, the stack does not dequeue again until the next
 * enqueue or the watchdog.
 *
 * Return: the queue length of the class's child qdisc, or -ENOENT if the
 * qdisc has no class @classid.
 */
__bpf_kfunc s64 bpf_sch_class_qlen(u32 classid, struct bpf_sch_ctx *ctx)
{
	return sch_bpf_rust_class_qlen((struct bpf_sch_kern_ctx *)ctx, classid);
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(sch_bpf_rust_kfunc_ids)
BTF_ID_FLAGS(func, bpf_skb_map_push, KF_RELEASE | KF_MAP_SKBMAP)
BTF_ID_FLAGS(func, bpf_skb_map_pop, KF_ACQUIRE | KF_RET_NULL | KF_MAP_SKBMAP)
BTF_ID_FLAGS(func, bpf_skb_map_pop_min, KF_ACQUIRE | KF_RET_NULL | KF_MAP_SKBMAP)
BTF_ID_FLAGS(func, bpf_sch_skb_dequeue, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_sch_skb_drop, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_sch_skb_pass, KF_RELEASE)
BTF_ID_FLAGS(func, bpf_skb_classify)
BTF_ID_FLAGS(func, bpf_sch_class_qlen)
BTF_KFUNCS_END(sch_bpf_rust_kfunc_ids)

/*
 * The kfuncs are for the programs of a bpf qdisc, which this module runs with
 * its own context (the Rust entry points rely on it): refuse extension programs, whose
 * context is not known here.
 *
 * That only dequeue programs hand packets over (and only enqueue programs pass
 * them to classes) is checked at run time by the
 * module. The filter cannot tell the
 * kfuncs apart: it gets the id of the kfunc in the module's BTF as relocated
 * at load (the module is built out of tree, against a distilled base), while
 * the ids in .BTF_ids are those before relocation, and neither
 * btf_relocate_id() nor the module's struct btf is available to a module.
 */
static int sch_bpf_rust_kfunc_filter(const struct bpf_prog *prog, u32 kfunc_id)
{
	if (prog->type != BPF_PROG_TYPE_SCHED_QDISC)
		return -EACCES;
	switch (prog->expected_attach_type) {
	case BPF_QDISC_ENQUEUE:
	case BPF_QDISC_DEQUEUE:
		return 0;
	default:
		return -EACCES;
	}
}

static const struct btf_kfunc_id_set sch_bpf_rust_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &sch_bpf_rust_kfunc_ids,
	.filter = sch_bpf_rust_kfunc_filter,
};

int sch_bpf_rust_btf_register(void)
{
#ifdef CONFIG_DEBUG_INFO_BTF_MODULES
	if (THIS_MODULE->btf_data_size)
		return register_btf_kfunc_id_set(BPF_PROG_TYPE_SCHED_QDISC,
						 &sch_bpf_rust_kfunc_set);
#endif
	pr_err("sch_bpf_rust: no module BTF, kfuncs cannot be registered\n");
	return -ENOENT;
}
