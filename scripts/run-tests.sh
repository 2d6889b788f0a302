#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the built kernel under virtme-ng, run the tests in every provider mode,
# fail on any failed test, unexpected skip or kernel splat. Ends with the line
# "N passed, N failed". Every guest run is bounded by a timeout.
#   ACCEL=tcg|kvm|auto (default tcg: this machine's KVM cannot boot a stock kernel)
#   MODES="c-ref rust"   GUEST_TIMEOUT=seconds   TEST_PROGS_TIMEOUT=seconds (one test_progs run)
#   KVARIANT=debug: the debug kernel (make test-debug), see common.sh
set -uo pipefail
. "$(dirname "$0")/common.sh"

MODES=${MODES:-c-ref rust all-rust}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-3000}
TEST_PROGS_TIMEOUT=${TEST_PROGS_TIMEOUT:-1500}
ACCEL=${ACCEL:-tcg}
BZ=$KTREE_REL/arch/x86/boot/bzImage
[ -f "$TOP/$BZ" ] || die "no kernel: run 'make kernel'"
mkdir -p "$TOP/out"
log_file=$TOP/out/test-$KVARIANT-$(date +%Y%m%d-%H%M%S).log

vng_run() { # vng_run ACCEL TIMEOUT CMD
	local accel_opt=--disable-kvm
	[ "$1" = kvm ] && accel_opt=
	timeout -k 30 "$2" bash -c "$(declare -f in_root die); $(declare -p ROOT TOP CCACHE_DIR_HOST JOBS PIN_CLANG LIBCLANG_VER); \
		in_root vng -r $BZ --cpus 2 --memory 4G $accel_opt --user root --exec \"\$1\"" bash "$3" </dev/null
}

if [ "$ACCEL" = auto ]; then
	if [ -w /dev/kvm ] && vng_run kvm 90 'echo kvm-ok' 2>/dev/null | grep -q kvm-ok; then ACCEL=kvm; else ACCEL=tcg; fi
fi
echo "accelerator: $ACCEL (guest: 2 cpus, 4G; timeout ${GUEST_TIMEOUT}s); kernel: $KTREE_REL; modes: $MODES"

# Tests that load a provider module themselves (timer_mixed, provider_unload_race)
# find it beside test_progs, as upstream tests find bpf_testmod.ko.
cp "$MODULES_DIR"/*/*.ko "$KTREE/tools/testing/selftests/bpf/"

start=$(date +%s)
vng_run "$ACCEL" "$GUEST_TIMEOUT" "TEST_PROGS_TIMEOUT=$TEST_PROGS_TIMEOUT bash $TOP/scripts/guest-tests.sh $TOP '$MODES' $KTREE $MODULES_DIR" 2>&1 | tee "$log_file"
rc=${PIPESTATUS[0]}
echo "guest run: $(($(date +%s) - start)) s, exit $rc, log $log_file"

# Expected skips: "<mode|*> <test> <reason>" lines in scripts/expected-skips.txt.
expected_skip() {
	grep -v '^\s*#' "$TOP/scripts/expected-skips.txt" 2>/dev/null |
		awk -v m="$1" -v t="$2" '($1 == m || $1 == "*") && $2 == t { f = 1 } END { exit !f }'
}

pass=0 fail=0
while read -r _ mode name status detail; do
	case $status in
	OK | PASS) pass=$((pass + 1)) ;;
	SKIP)
		if expected_skip "$mode" "$name"; then
			echo "expected skip: [$mode] $name"
		else
			echo "UNEXPECTED SKIP: [$mode] $name"
			fail=$((fail + 1))
		fi
		;;
	*)
		echo "FAILED: [$mode] $name $detail"
		fail=$((fail + 1))
		;;
	esac
done < <(grep -aE '^@@(TEST|RESULT) ' "$log_file" | tr -d '\r')

if ! grep -aq '^@@DONE' "$log_file"; then
	echo "FAILED: the guest did not finish (exit $rc: timeout, panic or hang)"
	fail=$((fail + 1))
fi
for mode in $MODES; do
	grep -aq "^=== mode: $mode" "$log_file" || { echo "FAILED: mode $mode never ran"; fail=$((fail + 1)); }
done
grep -a "^@@FLAKY" "$log_file" | tr -d "\r" | sed "s|^@@FLAKY |flaky (see scripts/flaky-tests.txt): |"
grep -a '^@@SUMMARY' "$log_file" | tr -d '\r' | sed 's/^@@SUMMARY /test_progs /'
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
