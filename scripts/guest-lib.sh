# SPDX-License-Identifier: GPL-2.0
# Guest-side helpers for guest-tests.sh and demo.sh.

# Kernel log lines that mean a real problem (not benign boot chatter).
SPLAT_RE='WARNING:|BUG:|Oops|KASAN|UBSAN|kernel BUG|general protection fault|Kernel panic|'\
'INFO: (possible|inconsistent|trying to register|suspicious RCU|task .* blocked|rcu_)|'\
'rcu: .*(stall|Stall)|detected stalls|refcount_t:|list_(add|del) corruption|'\
'circular locking|recursive locking|unreferenced object|Unable to handle|stack-protector|'\
'watchdog: BUG|hung_task'

result() { echo "@@RESULT $*"; }

guest_setup() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
	ulimit -l unlimited
	ulimit -n 65536
	dmesg -n 1 # keep the kernel log off the console: it is read with dmesg
}

dmesg_mark() { dmesg | wc -l; }

# dmesg_check MODE CHECK MARK: fail CHECK if the kernel logged a splat since MARK.
dmesg_check() {
	local splat
	splat=$(dmesg | tail -n +$(($3 + 1)) | grep -E "$SPLAT_RE" | head -n 20)
	if [ -n "$splat" ]; then
		echo "$splat" | sed "s/^/[$1] dmesg: /"
		dmesg | tail -n +$(($3 + 1)) | tail -n 200 | sed "s/^/[$1] dmesg-tail: /"
		result "$1" "$2" FAIL "kernel splat"
	else
		result "$1" "$2" PASS
	fi
}

# run_test_progs MODE [test_progs args]: the test_progs in this build, labelled.
run_test_progs() {
	local mode=$1 mark out rc
	shift
	mark=$(dmesg_mark)
	out=$(mktemp)
	(cd "$ST" && timeout -k 10 "${TEST_PROGS_TIMEOUT:-1500}" ./test_progs "$@" 2>&1) >"$out"
	rc=$?
	sed "s/^/[$mode] /" "$out"
	local summary
	summary=$(grep -E '^Summary: ' "$out" | tail -n 1)
	if [ -z "$summary" ]; then
		result "$mode" test_progs FAIL "no summary (rc=$rc)"
	else
		# "Summary: P/S PASSED, K SKIPPED, F FAILED"
		echo "@@SUMMARY $mode $summary"
		retry_flaky "$mode" "$out"
		test_lines "$mode" <"$out"
	fi
	dmesg_check "$mode" "dmesg-clean:test_progs" "$mark"
	rm -f "$out"
}

# test_lines MODE < test_progs output: "@@TEST MODE name OK|SKIP|FAIL" per test and subtest.
# test_progs repeats failed tests after "All error logs:": count each once.
test_lines() {
	sed -nE '/^All error logs:/q; s/^#[0-9]+(\/[0-9]+)? +([^ ]+):(OK|SKIP|FAIL)( .*)?$/@@TEST '"$1"' \2 \3/p'
}

# retry_flaky MODE OUT: rerun tests listed in flaky-tests.txt that failed or
# skipped (some upstream tests skip when a race did not happen in time), up to
# twice. A passing rerun replaces the earlier result in OUT (reported as flaky).
retry_flaky() {
	local mode=$1 out=$2 t try rerun
	for t in $(sed -nE 's/^#[0-9]+ +([^ /]+):(FAIL|SKIP).*/\1/p' "$out" | sort -u); do
		grep -qE "^$t[[:space:]]" "$TOP/scripts/flaky-tests.txt" || continue
		for try in 1 2; do
			rerun=$(cd "$ST" && timeout -k 10 600 ./test_progs -t "$t" 2>&1)
			echo "$rerun" | sed "s/^/[$mode] retry $try: /"
			if echo "$rerun" | grep -qE "^#[0-9]+ +$t:OK"; then
				echo "@@FLAKY $mode $t passed on retry $try"
				# Drop the failed lines of $t, keep the passing rerun's.
				grep -vE "^#[0-9]+(/[0-9]+)? +$t(/[^ ]*)?:" "$out" >"$out.new"
				echo "$rerun" | grep -E "^#[0-9]+(/[0-9]+)? +$t(/[^ ]*)?:" >>"$out.new"
				mv "$out.new" "$out"
				break
			fi
		done
	done
}

# run_rust_module DIR: load the module built in DIR, check it carries module BTF,
# run the tests its provider serves (DIR/tests.txt, test_progs -t names) with it
# loaded, and unload it. DIR/guest-check.sh, if present, is sourced twice with
# phase=loaded (before the tests) and phase=served (after): module-specific checks,
# e.g. that its counters prove it served the tests.
run_rust_module() {
	local dir=$1 ko name mark tests
	ko=$(ls "$dir"/*.ko 2>/dev/null | head -n 1)
	[ -n "$ko" ] || { result rust "module:$(basename "$dir")" FAIL "not built"; return; }
	name=$(basename "$ko" .ko)
	mark=$(dmesg_mark)
	if ! insmod "$ko"; then
		dmesg | tail -n 20 | sed "s/^/[rust] /"
		result rust "insmod:$name" FAIL
		return
	fi
	result rust "insmod:$name" PASS
	if [ -e "/sys/kernel/btf/$name" ]; then
		result rust "module-btf:$name" PASS
	else
		result rust "module-btf:$name" FAIL "/sys/kernel/btf/$name missing"
	fi
	phase=loaded
	[ -f "$dir/guest-check.sh" ] && . "$dir/guest-check.sh"
	# tests.txt: test_progs -t names; a line "-name" excludes (-b) a test that
	# the names match as a substring.
	tests=$(grep -v '^\s*#' "$dir/tests.txt" 2>/dev/null | grep . | grep -v '^-' | paste -sd, -)
	local excluded
	excluded=$(grep '^-' "$dir/tests.txt" 2>/dev/null | sed 's/^-//' | paste -sd, -)
	if [ -n "$tests" ]; then
		echo "=== rust: $name serves: $tests${excluded:+ (not $excluded)}"
		run_test_progs rust -t "$tests" ${excluded:+-b "$excluded"}
	fi
	phase=served
	[ -f "$dir/guest-check.sh" ] && . "$dir/guest-check.sh"
	# Objects a provider made may pin its module until maps and RCU callbacks
	# free them, after the tests: give them a bounded time.
	local waited=0
	until rmmod "$name" 2>/dev/null || [ $waited -ge 60 ]; do
		sleep 1
		waited=$((waited + 1))
	done
	if ! grep -q "^$name " /proc/modules; then
		result rust "rmmod:$name" PASS "after ${waited}s"
	else
		rmmod "$name"
		result rust "rmmod:$name" FAIL "still in use after ${waited}s"
	fi
	dmesg_check rust "dmesg-clean:$name" "$mark"
}

# no_module_loaded MODE: a test that loads a module itself must unload it, or
# the rest of MODE would silently run on that module.
no_module_loaded() {
	local left
	left=$(awk '$1 ~ /_rust$/ { print $1 }' /proc/modules | paste -sd' ' -)
	if [ -z "$left" ]; then
		result "$1" no-module-left PASS
	else
		result "$1" no-module-left FAIL "still loaded: $left"
	fi
}

# run_all_rust_modules: every module loaded at once, as a user would have them, and
# the whole suite; then every module must unload (their objects gone with the tests).
run_all_rust_modules() {
	local dir ko name names=() mark waited
	mark=$(dmesg_mark)
	for dir in "$MODULES_DIR"/*/; do
		ko=$(ls "$dir"*.ko 2>/dev/null | head -n 1)
		[ -n "$ko" ] || { result all-rust "module:$(basename "$dir")" FAIL "not built"; continue; }
		name=$(basename "$ko" .ko)
		if insmod "$ko"; then
			names+=("$name")
			result all-rust "insmod:$name" PASS
		else
			result all-rust "insmod:$name" FAIL
		fi
	done
	echo "=== all-rust: loaded ${names[*]}"
	run_test_progs all-rust
	for name in "${names[@]}"; do
		waited=0
		until rmmod "$name" 2>/dev/null || [ $waited -ge 60 ]; do
			sleep 1
			waited=$((waited + 1))
		done
		if grep -q "^$name " /proc/modules; then
			result all-rust "rmmod:$name" FAIL "still in use after ${waited}s"
		else
			result all-rust "rmmod:$name" PASS "after ${waited}s"
		fi
	done
	dmesg_check all-rust "dmesg-clean:all-rust" "$mark"
}

KMEMLEAK=/sys/kernel/debug/kmemleak

# kmemleak_baseline: what boot left unreferenced is not ours: scan once and mark it
# (kmemleak reports only objects older than 5 s: let boot's age first).
kmemleak_baseline() {
	[ -e $KMEMLEAK ] || return 0
	sleep 6
	echo scan >$KMEMLEAK
	echo clear >$KMEMLEAK
}

# kmemleak_check MODE: nothing leaked while MODE ran. kmemleak reports only objects
# older than 5 s and unreferenced in two scans in a row; freeing through RCU
# callbacks and workqueues needs a moment first.
kmemleak_check() {
	local n
	[ -e $KMEMLEAK ] || return 0
	sleep 10
	# A scan fails once kmemleak has disabled itself (e.g. out of metadata).
	if ! { echo scan >$KMEMLEAK && echo scan >$KMEMLEAK; } 2>/dev/null; then
		dmesg | grep kmemleak | tail -n 5 | sed "s/^/[$1] /"
		result "$1" kmemleak FAIL "kmemleak is disabled"
		return
	fi
	n=$(grep -c '^unreferenced object' $KMEMLEAK)
	if [ "$n" = 0 ]; then
		result "$1" kmemleak PASS
	else
		head -n 200 $KMEMLEAK | sed "s/^/[$1] kmemleak: /"
		result "$1" kmemleak FAIL "$n unreferenced objects"
	fi
	echo clear >$KMEMLEAK
}

# provider_counter CHECK FILE MIN, from a module's guest-check.sh: the provider's
# counter FILE must read 0 when the module is loaded (phase=loaded) and at least
# MIN once the tests ran (phase=served): proof that the module served them.
provider_counter() {
	local check=$1 file=$2 min=$3 n
	n=$(cat "$file" 2>/dev/null || echo missing)
	case $phase in
	loaded)
		if [ "$n" = 0 ]; then
			result rust "$check-zero:$name" PASS
		else
			result rust "$check-zero:$name" FAIL "$file: $n"
		fi
		;;
	served)
		echo "[rust] $file: $n"
		if [ "$n" -ge "$min" ] 2>/dev/null; then
			result rust "rust-served-$check:$name" PASS "$n $check"
		else
			result rust "rust-served-$check:$name" FAIL "$file: $n, expected at least $min"
		fi
		;;
	esac
}
