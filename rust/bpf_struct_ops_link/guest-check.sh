# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/guest-lib.sh run_rust_module with the module loaded ($name),
# with phase=loaded before the tests and phase=served after them.
counter=/sys/kernel/debug/bpf_struct_ops_link_rust/links_created
case $phase in
loaded)
	# The kfunc declared in link_btf.c must be in the module's BTF.
	if "$ST/tools/sbin/bpftool" btf dump file "/sys/kernel/btf/$name" 2>/dev/null |
		grep -q "FUNC 'bpf_rust_st_links_created'"; then
		result rust "kfunc-in-btf:$name" PASS
	else
		result rust "kfunc-in-btf:$name" FAIL "bpf_rust_st_links_created not in module BTF"
	fi
	if [ "$(cat $counter 2>/dev/null)" = 0 ]; then
		result rust "links-created-zero:$name" PASS
	else
		result rust "links-created-zero:$name" FAIL "$counter missing or not 0"
	fi
	;;
served)
	# The tests create dozens of links: all of them must have come from Rust.
	n=$(cat $counter 2>/dev/null || echo 0)
	echo "[rust] $counter: $n"
	if [ "$n" -ge 20 ]; then
		result rust "rust-served-links:$name" PASS "$n links"
	else
		result rust "rust-served-links:$name" FAIL "only $n links created by the Rust provider"
	fi
	;;
esac
