#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs inside the guest for 'make bench' (scripts/bench.sh boots it once).
# Writes what the guest is (guest.txt) and each benchmark's raw samples
# (test_progs -t provider_bench/<subtest> with PROVIDER_BENCH_OUT) into the
# output directory, which is shared with the host (vng --rwdir). Prints one
# "@@BENCH <id> OK|FAIL|SKIP <detail>" line per benchmark and "@@DONE".
#   $1: repository top   $2: output directory   $3: benchmark ids (e.g. "b1 b2 b3 b4")
set -u
TOP=$1 OUT=$2 BENCHES=$3
ST=$TOP/kernel-tree/tools/testing/selftests/bpf
. "$TOP/scripts/guest-lib.sh"
PROVIDERS="bpf_struct_ops_link_rust tcp_cong_update_rust bpf_timer_rust sch_bpf_rust"
# Per benchmark (a test_progs run of its own), in seconds.
BENCH_TIMEOUT=${BENCH_TIMEOUT:-900}

guest_setup
echo "@@BOOT $(uname -r) cpus=$(nproc)"

bench_result() { echo "@@BENCH $*"; }

# What ran: under TCG absolute figures mean little, so say so in the data.
{
	echo "kernel=$(uname -r)"
	echo "cpus=$(nproc)"
	echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "hypervisor_flag=$(grep -qw hypervisor /proc/cpuinfo && echo yes || echo no)"
	echo "hypervisor_detected=$(dmesg | sed -n 's/.*Hypervisor detected: //p' | head -n 1)"
	echo "clocksource=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
	echo "cmdline=$(cat /proc/cmdline)"
	echo "preempt=$(uname -v | grep -oE 'PREEMPT[_A-Z]*' | head -n 1)"
	for v in spectre_v2 retbleed spec_rstack_overflow; do
		echo "vuln_$v=$(cat /sys/devices/system/cpu/vulnerabilities/$v 2>/dev/null)"
	done
	echo "rcu_expedited=$(cat /sys/kernel/rcu_expedited 2>/dev/null)"
	echo "rust_overflow_checks=$(zcat /proc/config.gz 2>/dev/null | grep -c '^CONFIG_RUST_OVERFLOW_CHECKS=y')"
} >"$OUT/guest.txt"
sed 's/^/[guest] /' "$OUT/guest.txt"

# Every arm labelled "c" must be the built-in code: no provider may be loaded.
for m in $PROVIDERS; do
	if grep -q "^$m " /proc/modules; then
		echo "[bench] $m is loaded at boot"
		bench_result all FAIL "$m loaded before the benchmarks"
		echo "@@DONE"
		exit 0
	fi
done

# The tests load the providers from their working directory, as they load
# bpf_testmod.ko; bench.sh copied them there.
for m in $PROVIDERS; do
	[ -f "$ST/$m.ko" ] || echo "[bench] warning: $ST/$m.ko missing (its benchmark will skip)"
done

# run_bench ID SUBTEST: one test_progs run, its raw samples in $OUT/<bench>.csv.
run_bench() {
	local id=$1 sub=$2 mark out rc start m
	mark=$(dmesg_mark)
	out=$(mktemp)
	start=$(date +%s)
	echo "=== bench: $id (provider_bench/$sub)"
	(cd "$ST" && PROVIDER_BENCH_OUT=$OUT timeout -k 10 "$BENCH_TIMEOUT" \
		./test_progs -v -t "provider_bench/$sub" 2>&1) >"$out"
	rc=$?
	sed "s/^/[$id] /" "$out"
	if grep -qE "^#[0-9]+/[0-9]+ +provider_bench/$sub:OK" "$out"; then
		bench_result "$id" OK "$(($(date +%s) - start)) s"
	elif grep -qE "^#[0-9]+/[0-9]+ +provider_bench/$sub:SKIP" "$out"; then
		bench_result "$id" SKIP "$(grep -m1 ':SKIP:' "$out")"
	else
		bench_result "$id" FAIL "rc=$rc after $(($(date +%s) - start)) s"
	fi
	dmesg_check bench "dmesg-clean:$id" "$mark"
	# A failed run may leave its provider loaded: the next benchmark's "c"
	# arms must be built in again.
	for m in $PROVIDERS; do
		grep -q "^$m " /proc/modules || continue
		echo "[$id] $m left loaded: unloading"
		for _ in $(seq 20); do rmmod "$m" 2>/dev/null && break; sleep 1; done
	done
	rm -f "$out"
}

for id in $BENCHES; do
	case $id in
	b1) run_bench b1 link_update ;;
	b2) run_bench b2 tcp_ca_update ;;
	b3) run_bench b3 timer_cycle ;;
	b4) run_bench b4 timer_lateness ;;
	b5) run_bench b5 qdisc_fifo ;;
	b6) run_bench b6 fair_queue ;;
	*) bench_result "$id" FAIL "unknown benchmark" ;;
	esac
done
echo "@@DONE"
