# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/guest-lib.sh run_rust_module, phase=loaded then phase=served.
if [ "$phase" = loaded ]; then
	# The kfuncs declared in sch_btf.c must be in the module's BTF.
	for kfunc in bpf_skb_map_push bpf_skb_map_pop bpf_skb_map_pop_min \
		     bpf_sch_skb_dequeue bpf_sch_skb_drop; do
		if "$ST/tools/sbin/bpftool" btf dump file "/sys/kernel/btf/$name" 2>/dev/null |
			grep -q "FUNC '$kfunc'"; then
			result rust "kfunc-in-btf:$name:$kfunc" PASS
		else
			result rust "kfunc-in-btf:$name:$kfunc" FAIL "$kfunc not in module BTF"
		fi
	done
fi
# The module served sch_bpf: its qdiscs (fifo, prio, queued_teardown,
# replace, bad_input's good request) and skb maps, and the packets pushed by
# fifo alone (8), counted from zero at load.
provider_counter qdiscs /sys/kernel/debug/sch_bpf_rust/qdiscs 5
provider_counter maps /sys/kernel/debug/sch_bpf_rust/maps 5
provider_counter pushed /sys/kernel/debug/sch_bpf_rust/pushed 8
