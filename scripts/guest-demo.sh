#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Guest side of 'make demo'.
set -u
TOP=$1
ST=$TOP/kernel-tree/tools/testing/selftests/bpf
. "$TOP/scripts/guest-lib.sh"
guest_setup
echo "--- booted $(uname -r) under $(grep -q hypervisor /proc/cpuinfo && echo a hypervisor)"
for ko in "$TOP"/rust/*/*.ko; do
	echo "--- insmod ${ko#$TOP/}"
	insmod "$ko" && dmesg | grep "$(basename "$ko" .ko)" | tail -n 1
done
echo "--- Rust provider counters before"
grep -r . /sys/kernel/debug/*_rust/ 2>/dev/null
echo "--- bpf_tcp_ca/update_ca: swap a TCP congestion control through one struct_ops link"
(cd "$ST" && ./test_progs -t bpf_tcp_ca/update_ca,bpf_tcp_ca/link_replace)
echo "--- Rust provider counters after"
grep -r . /sys/kernel/debug/*_rust/ 2>/dev/null
for ko in "$TOP"/rust/*/*.ko; do rmmod "$(basename "$ko" .ko)" && echo "--- rmmod $(basename "$ko" .ko): ok"; done
