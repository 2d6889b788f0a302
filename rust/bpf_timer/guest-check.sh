# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/guest-lib.sh run_rust_module, phase=loaded then phase=served.
# The timer tests create and fire hundreds of timers: they must have been Rust's.
provider_counter created /sys/kernel/debug/bpf_timer_rust/created 100
provider_counter fired /sys/kernel/debug/bpf_timer_rust/fired 100

live_file=/sys/kernel/debug/bpf_timer_rust/live
# settled_live: the live count once it stops changing (maps and RCU callbacks
# free timers after the tests), at most 60 s.
settled_live() {
	local prev=x cur i
	for i in $(seq 60); do
		cur=$(cat $live_file 2>/dev/null || echo missing)
		[ "$cur" = 0 ] && break
		[ "$cur" = "$prev" ] && [ $i -gt 5 ] && break
		prev=$cur
		sleep 1
	done
	echo "$cur"
}

if [ "$phase" = served ]; then
	# No timer leaked: once the tests' maps are gone, none is left.
	live=$(settled_live)
	if [ "$live" = 0 ]; then
		result rust "timers-freed:$name" PASS
	else
		result rust "timers-freed:$name" FAIL "live: $live"
	fi
fi
