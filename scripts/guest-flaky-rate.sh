#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest: how often a test fails or skips, per provider mode.
#   $1: repository top   $2: test_progs -t name   $3: runs per mode
set -u
TOP=$1 TEST=$2 RUNS=$3
ST=$TOP/kernel-tree/tools/testing/selftests/bpf
. "$TOP/scripts/guest-lib.sh"
guest_setup
rate() { # MODE
	local ok=0 bad=0 i
	for i in $(seq "$RUNS"); do
		if (cd "$ST" && ./test_progs -t "$TEST" 2>&1) | grep -qE "^#[0-9]+ +$TEST:OK"; then
			ok=$((ok + 1))
		else
			bad=$((bad + 1))
		fi
	done
	echo "@@RATE $1 $TEST ok=$ok failed_or_skipped=$bad runs=$RUNS"
}
rate c-ref
insmod "$TOP"/rust/bpf_timer/bpf_timer_rust.ko || { echo "@@RATE insmod failed"; exit 1; }
rate rust
echo "@@RATE rust timers created: $(cat /sys/kernel/debug/bpf_timer_rust/created)"
