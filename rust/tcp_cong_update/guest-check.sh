# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/guest-lib.sh run_rust_module with the module loaded ($name),
# with phase=loaded before the tests and phase=served after them.
counter=/sys/kernel/debug/tcp_cong_update_rust/updates
case $phase in
loaded)
	if [ "$(cat $counter 2>/dev/null)" = 0 ]; then
		result rust "updates-zero:$name" PASS
	else
		result rust "updates-zero:$name" FAIL "$counter missing or not 0"
	fi
	;;
served)
	# update_ca, link_replace and the stress test's 60 swaps go through this module.
	n=$(cat $counter 2>/dev/null || echo 0)
	echo "[rust] $counter: $n"
	if [ "$n" -ge 60 ]; then
		result rust "rust-served-updates:$name" PASS "$n updates"
	else
		result rust "rust-served-updates:$name" FAIL "only $n updates performed by Rust"
	fi
	;;
esac
