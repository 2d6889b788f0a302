// SPDX-License-Identifier: GPL-2.0
/*
 * BTF side of the Rust struct_ops link provider.
 *
 * pahole skips Rust compilation units (--lang_exclude=rust), so anything BPF
 * programs or the verifier must find in this module's BTF is declared here, in
 * C, and calls into Rust. Without module BTF, register_btf_kfunc_id_set()
 * returns 0 after a mere warning: refuse to load instead.
 */
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/module.h>

#include "link_btf.h"

__bpf_kfunc_start_defs();

/**
 * bpf_rust_st_links_created() - Count struct_ops links the Rust provider created.
 *
 * Lets a BPF program, as well as debugfs, tell which implementation served a
 * BPF_LINK_CREATE.
 *
 * Return: the number of links created since the module was loaded.
 */
__bpf_kfunc u64 bpf_rust_st_links_created(void)
{
	return bpf_struct_ops_link_rust_links_created();
}

__bpf_kfunc_end_defs();

BTF_KFUNCS_START(st_link_rust_kfunc_ids)
BTF_ID_FLAGS(func, bpf_rust_st_links_created)
BTF_KFUNCS_END(st_link_rust_kfunc_ids)

static const struct btf_kfunc_id_set st_link_rust_kfunc_set = {
	.owner = THIS_MODULE,
	.set = &st_link_rust_kfunc_ids,
};

int bpf_struct_ops_link_rust_btf_register(void)
{
#ifdef CONFIG_DEBUG_INFO_BTF_MODULES
	if (THIS_MODULE->btf_data_size)
		return register_btf_kfunc_id_set(BPF_PROG_TYPE_UNSPEC,
						 &st_link_rust_kfunc_set);
#endif
	pr_err("bpf_struct_ops_link_rust: no module BTF, kfuncs cannot be registered\n");
	return -ENOENT;
}
