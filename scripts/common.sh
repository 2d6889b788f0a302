# SPDX-License-Identifier: GPL-2.0
# Shared settings for every script behind the top-level Makefile.
# Everything heavy lives outside the repository, under $BPFRS_CACHE.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BPFRS_CACHE=${BPFRS_CACHE:-/var/cache/bpf-rust}
ROOT=${BPFRS_ROOT:-$BPFRS_CACHE/trixie-root}
CCACHE_DIR_HOST=${BPFRS_CCACHE:-$BPFRS_CACHE/ccache}
KTREE=$TOP/kernel-tree
JOBS=${JOBS:-$(nproc)}

# Pinned toolchain: the series is written against these. A version that is no longer
# in the archive is an error, never a silent upgrade.
PIN_LINUX_SOURCE=linux-source-7.3
PIN_RUSTC_MIN=1.96
PIN_CLANG=22

die() { echo "error: $*" >&2; exit 1; }
log() { echo ">>> $*" >&2; }

# Run a command inside the trixie root, in a private mount namespace, with the
# repository bind-mounted at the same path. Nothing outlives the command.
in_root() {
	[ -x "$ROOT/usr/bin/make" ] || die "toolchain root missing at $ROOT: run 'make setup'"
	mkdir -p "$CCACHE_DIR_HOST"
	unshare --mount --propagation private -- /bin/bash -c '
		set -e
		root=$1; top=$2; ccache=$3; shift 3
		mount --rbind /dev "$root/dev"
		mount -t proc proc "$root/proc"
		mount --rbind /sys "$root/sys"
		mount -t tmpfs tmpfs "$root/tmp"
		mkdir -p "$root$top" "$root/ccache"
		mount --bind "$top" "$root$top"
		mount --bind "$ccache" "$root/ccache"
		cd "$root$top"
		exec chroot "$root" /usr/bin/env -i \
			HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8 \
			PATH=/usr/lib/llvm-'"$PIN_CLANG"'/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			LIBCLANG_PATH=/usr/lib/llvm-19/lib CCACHE_DIR=/ccache CCACHE_MAXSIZE=5G CCACHE_BASEDIR="$top" \
			CI="${CI:-}" JOBS="'"$JOBS"'" \
			/bin/bash -c "cd \"$top\" && exec \"\$@\"" bash "$@"
	' bash "$ROOT" "$TOP" "$CCACHE_DIR_HOST" "$@"
}
