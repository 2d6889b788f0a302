# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/guest-lib.sh run_rust_module, phase=loaded then phase=served.
if [ "$phase" = loaded ]; then
	# The kfunc declared in link_btf.c must be in the module's BTF.
	if "$ST/tools/sbin/bpftool" btf dump file "/sys/kernel/btf/$name" 2>/dev/null |
		grep -q "FUNC 'bpf_rust_st_links_created'"; then
		result rust "kfunc-in-btf:$name" PASS
	else
		result rust "kfunc-in-btf:$name" FAIL "bpf_rust_st_links_created not in module BTF"
	fi
fi
# The tests create dozens of links: all of them must have come from Rust.
provider_counter links /sys/kernel/debug/bpf_struct_ops_link_rust/links_created 20
