# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/guest-lib.sh run_rust_module with the module loaded ($name).
# The kfunc declared in link_btf.c must be in the module's BTF, and the counter in debugfs.
bpftool=$ST/tools/sbin/bpftool
if "$bpftool" btf dump file "/sys/kernel/btf/$name" 2>/dev/null |
	grep -q "FUNC 'bpf_rust_st_links_created'"; then
	result rust "kfunc-in-btf:$name" PASS
else
	result rust "kfunc-in-btf:$name" FAIL "bpf_rust_st_links_created not in module BTF"
fi
if [ "$(cat /sys/kernel/debug/bpf_struct_ops_link_rust/links_created 2>/dev/null)" = 0 ]; then
	result rust "debugfs-counter:$name" PASS
else
	result rust "debugfs-counter:$name" FAIL "links_created missing or not 0 before any link"
fi
