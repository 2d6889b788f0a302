#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make test-debug: the suite on the debug kernel (virtme-configs/debug/: KASAN,
# kmemleak, UBSAN, debug objects; fault injection as in the normal kernel), in
# every mode of make test plus all modules at once, each mode ending with a
# kmemleak scan. Builds the debug kernel, its modules and selftests first (see
# common.sh, KVARIANT=debug). Ends with the line "N passed, N failed".
set -uo pipefail
export KVARIANT=debug
. "$(dirname "$0")/common.sh"
start=$(date +%s)
for step in setup-root build-kernel build-modules build-selftests; do
	if ! "$TOP/scripts/$step.sh"; then
		echo "test-debug: $step failed"
		echo "0 passed, 1 failed"
		exit 1
	fi
done
echo "test-debug: built in $(($(date +%s) - start)) s"
# Everything is several times slower under KASAN and kmemleak.
export MODES=${MODES:-c-ref rust all-rust}
export GUEST_TIMEOUT=${GUEST_TIMEOUT:-7200}
export TEST_PROGS_TIMEOUT=${TEST_PROGS_TIMEOUT:-5000}
mkdir -p "$TOP/out"
"$TOP/scripts/run-tests.sh" | tee "$TOP/out/test-debug-run.txt"
rc=${PIPESTATUS[0]}
echo "test-debug: $(($(date +%s) - start)) s in all"
# The result line stays the last one.
tail -n 1 "$TOP/out/test-debug-run.txt"
exit "$rc"
