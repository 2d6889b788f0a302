#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (virtme-ng). Prints test_progs output labelled with the
# provider mode, and one "@@RESULT <mode> <check> PASS|FAIL|SKIP <detail>" line per
# check; run-tests.sh on the host turns those into the final count.
#   $1: repository top   $2: modes (e.g. "c-ref rust all-rust")
#   $3: kernel tree (default kernel-tree/)   $4: module directory (default rust/)
# Modes: c-ref (no module: the C code serves), rust (each module alone, with the
# tests its provider serves), all-rust (every module at once, the whole suite).
# On a kernel with kmemleak, each mode ends with a scan that must find nothing.
set -u
TOP=$1 MODES=$2
KTREE=${3:-$TOP/kernel-tree}
MODULES_DIR=${4:-$TOP/rust}
ST=$KTREE/tools/testing/selftests/bpf
. "$TOP/scripts/guest-lib.sh"

guest_setup
echo "@@BOOT $(uname -r) cpus=$(nproc)"
kmemleak_baseline

for mode in $MODES; do
	echo "=== mode: $mode"
	case $mode in
	c-ref)
		run_test_progs c-ref
		no_module_loaded c-ref
		;;
	rust)
		for dir in "$MODULES_DIR"/*/; do
			run_rust_module "$dir"
		done
		;;
	all-rust)
		run_all_rust_modules
		;;
	*)
		result "$mode" mode FAIL "unknown mode"
		;;
	esac
	kmemleak_check "$mode"
done
echo "@@DONE"
