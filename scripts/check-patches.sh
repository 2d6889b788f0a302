#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Style gates: checkpatch --strict on every patch of the series, rustfmt --check,
# clippy on the modules and on the kernel crate, and rustdoc: no warning allowed.
set -euo pipefail
. "$(dirname "$0")/common.sh"
rc=0
# checkpatch runs from kernel-tree/ (it misparses patches from another git work tree).
# Two of its checks are replaced by better ones: UNKNOWN_COMMIT_ID (kernel-tree has no
# upstream history to resolve Fixes: ids in) and FILE_PATH_CHANGES (raised for every
# added file; below, get_maintainer.pl must find a maintainer for each one instead).
checkpatch() {
	in_root bash -c 'cd kernel-tree && scripts/checkpatch.pl --strict --no-tree -q \
		--ignore UNKNOWN_COMMIT_ID,FILE_PATH_CHANGES "$@"' checkpatch "$@"
}
for p in $(cat "$TOP/patches/series"); do
	out=$(checkpatch "../patches/$p" 2>&1) || { echo "checkpatch: $p"; echo "$out"; rc=1; }
done
for f in $(git -C "$KTREE" diff --name-only --diff-filter=A base..HEAD); do
	m=$(in_root bash -c "cd kernel-tree && scripts/get_maintainer.pl --no-git --no-rolestats -f '$f'" 2>/dev/null |
		grep -v 'linux-kernel@vger.kernel.org' | head -n 1)
	[ -n "$m" ] || { echo "MAINTAINERS: no entry covers $f"; rc=1; }
done
for f in $(git -C "$TOP" ls-files 'rust/*.c' 'rust/*.h'); do
	out=$(checkpatch -f "../$f" 2>&1) || { echo "checkpatch: $f"; echo "$out"; rc=1; }
done
# rustfmt: the modules, and the kernel crate files the series adds.
in_root rustfmt --edition 2021 --config-path kernel-tree/.rustfmt.toml --check \
	rust/*/*.rs kernel-tree/rust/kernel/bpf.rs kernel-tree/rust/kernel/bpf/*.rs \
	kernel-tree/rust/kernel/net/tcp_cong.rs kernel-tree/rust/kernel/irq_work.rs \
	kernel-tree/rust/kernel/time/hrtimer.rs kernel-tree/rust/kernel/sync/refcount.rs \
	kernel-tree/rust/kernel/net/skbuff.rs kernel-tree/rust/kernel/net/sched.rs \
	kernel-tree/rust/kernel/net/sch_bpf.rs kernel-tree/rust/kernel/net/netlink/attr.rs \
	kernel-tree/samples/rust/rust_qdisc_fifo.rs || rc=1
CLIPPY=1 "$TOP/scripts/build-modules.sh" || rc=1
# clippy on the kernel crate, where the series' abstractions live. Rebuilding it with
# clippy-driver changes its command line, so the next plain build compiles it again.
[ -f "$KTREE/vmlinux" ] || die "kernel not built: run 'make kernel' first"
out=$(in_root bash -c 'cd kernel-tree && make -s -j"$JOBS" CC="ccache gcc" CLIPPY=1 rust/kernel.o 2>&1') ||
	{ echo "$out"; rc=1; }
if echo "$out" | grep -qE '^(warning|error)'; then
	echo "clippy (kernel crate):"; echo "$out"; rc=1
fi
# rustdoc: broken or private intra-doc links, missing docs.
out=$(in_root bash -c 'cd kernel-tree && make -s -j"$JOBS" CC="ccache gcc" rustdoc 2>&1') ||
	{ echo "$out"; rc=1; }
if echo "$out" | grep -qE '^(warning|error)'; then
	echo "rustdoc:"; echo "$out"; rc=1
fi
[ $rc = 0 ] && echo "style checks passed"
exit $rc
