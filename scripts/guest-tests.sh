#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest (virtme-ng). Prints test_progs output labelled with the
# provider mode, and one "@@RESULT <mode> <check> PASS|FAIL|SKIP <detail>" line per
# check; run-tests.sh on the host turns those into the final count.
#   $1: repository top   $2: modes (e.g. "c-ref rust")
set -u
TOP=$1 MODES=$2
ST=$TOP/kernel-tree/tools/testing/selftests/bpf
. "$TOP/scripts/guest-lib.sh"

guest_setup
echo "@@BOOT $(uname -r) cpus=$(nproc)"

for mode in $MODES; do
	echo "=== mode: $mode"
	case $mode in
	c-ref)
		run_test_progs c-ref
		;;
	rust)
		for dir in "$TOP"/rust/*/; do
			run_rust_module "$dir"
		done
		;;
	esac
done
echo "@@DONE"
