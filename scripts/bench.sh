#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 'make bench': boot the built kernel once under virtme-ng and measure every
# Rust provider against the built-in C code it replaces, as ratios (see the
# README, "Benchmarks"). Raw samples go to out/bench/raw/ (one CSV per
# benchmark, guest.txt, host.txt), then scripts/bench-report.py writes
# out/bench/results.json, out/bench/summary.md and out/bench/*.png and prints
# the summary. The guest run is bounded by a timeout.
#   ACCEL=tcg|kvm|auto (default tcg)   BENCHES="b1 b2 b3 b4 b5 b6"   GUEST_TIMEOUT=seconds
#   BENCH_ROUNDS=n (default 10)   BENCH_SCALE=percent of the work per round (default 100)
#   BENCH_STRICT=1: fail when a goal is missed beyond the noise floor
set -uo pipefail
. "$(dirname "$0")/common.sh"

BENCHES=${BENCHES:-b1 b2 b3 b4 b5 b6}
GUEST_TIMEOUT=${GUEST_TIMEOUT:-1500}
ACCEL=${ACCEL:-tcg}
BENCH_ROUNDS=${BENCH_ROUNDS:-10}
BENCH_SCALE=${BENCH_SCALE:-100}
BZ=kernel-tree/arch/x86/boot/bzImage
ST=$KTREE/tools/testing/selftests/bpf
OUTB=$TOP/out/bench
RAW=$OUTB/raw
PROVIDERS="bpf_struct_ops_link_rust tcp_cong_update_rust bpf_timer_rust sch_bpf_rust"
[ -f "$TOP/$BZ" ] || die "no kernel: run 'make kernel'"
[ -x "$ST/test_progs" ] || die "no test_progs: run 'make selftests'"

# As in run-tests.sh, plus extra vng arguments (here the shared output directory).
vng_run() { # vng_run ACCEL TIMEOUT CMD [VNG_ARGS...]
	local accel_opt=--disable-kvm accel=$1 limit=$2 cmd=$3
	shift 3
	[ "$accel" = kvm ] && accel_opt=
	timeout -k 30 "$limit" bash -c "$(declare -f in_root die); $(declare -p ROOT TOP CCACHE_DIR_HOST JOBS PIN_CLANG LIBCLANG_VER); \
		in_root vng -r $BZ --cpus 2 --memory 4G $accel_opt --user root \"\${@:2}\" --exec \"\$1\"" \
		bash "$cmd" "$@" </dev/null
}

if [ "$ACCEL" = auto ]; then
	if [ -w /dev/kvm ] && vng_run kvm 90 'echo kvm-ok' 2>/dev/null | grep -q kvm-ok; then ACCEL=kvm; else ACCEL=tcg; fi
fi
echo "accelerator: $ACCEL (guest: 2 cpus, 4G; timeout ${GUEST_TIMEOUT}s); benchmarks: $BENCHES"
[ "$ACCEL" = tcg ] &&
	echo "note: under TCG absolute times are not comparable across machines; the Rust/C ratios are"
# The guest's vCPUs share the host's cores: a build running beside it skews the rounds.
load=$(cut -d' ' -f1 /proc/loadavg)
awk -v l="$load" 'BEGIN { exit !(l > 1.0) }' &&
	echo "warning: host load average $load: run make bench with nothing else running"

# The benchmarks load the providers themselves, between their C and Rust objects.
for m in $PROVIDERS; do
	ko=
	for f in "$TOP"/rust/*/"$m.ko"; do [ -f "$f" ] && ko=$f && break; done
	[ -n "$ko" ] || die "$m.ko not built: run 'make modules'"
	cp "$ko" "$ST/"
done

rm -rf "$RAW"
mkdir -p "$RAW"
log_file=$OUTB/bench-$(date +%Y%m%d-%H%M%S).log
{
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "accelerator=$ACCEL"
	echo "host_cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "host_cpus=$(nproc)"
	echo "host_kernel=$(uname -r)"
	echo "repo=$(git -C "$TOP" describe --always --dirty 2>/dev/null)"
	echo "series_head=$(git -C "$KTREE" log -1 --format='%h %s' 2>/dev/null)"
	echo "benches=$BENCHES"
	echo "rounds=$BENCH_ROUNDS"
	echo "scale=$BENCH_SCALE"
	echo "host_load=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$RAW/host.txt"

start=$(date +%s)
guest_cmd="PROVIDER_BENCH_ROUNDS=$BENCH_ROUNDS PROVIDER_BENCH_SCALE=$BENCH_SCALE"
guest_cmd+=" bash $TOP/scripts/guest-bench.sh $TOP $RAW '$BENCHES'"
vng_run "$ACCEL" "$GUEST_TIMEOUT" "$guest_cmd" --rw 2>&1 | tee "$log_file"
rc=${PIPESTATUS[0]}
wall=$(($(date +%s) - start))
echo "guest_wall_s=$wall" >>"$RAW/host.txt"
echo "guest run: $wall s, exit $rc, log $log_file"

fail=0
if ! grep -aq '^@@DONE' "$log_file"; then
	echo "FAILED: the guest did not finish (exit $rc: timeout, panic or hang)"
	fail=1
fi
while read -r _ id status detail; do
	case $status in
	OK) ;;
	SKIP) echo "skipped: $id $detail" ;;
	*) echo "FAILED: $id $detail"; fail=1 ;;
	esac
done < <(grep -aE '^@@BENCH ' "$log_file" | tr -d '\r')
while read -r _ _ check status detail; do
	[ "$status" = PASS ] || { echo "FAILED: $check $detail"; fail=1; }
done < <(grep -aE '^@@RESULT bench ' "$log_file" | tr -d '\r')

# The report runs in the toolchain root (python3, python3-numpy, python3-matplotlib).
report_args=("$OUTB")
[ "${BENCH_STRICT:-0}" = 1 ] && report_args+=(--strict)
in_root python3 scripts/bench-report.py "${report_args[@]}"
report_rc=$?
case $report_rc in
0) ;;
3) echo "goals missed beyond the noise floor (BENCH_STRICT=1)"; fail=1 ;;
*) echo "FAILED: bench-report.py exit $report_rc"; fail=1 ;;
esac
echo "results: $OUTB/summary.md, $OUTB/results.json, $OUTB/*.png"
[ "$fail" = 0 ]
