# SPDX-License-Identifier: GPL-2.0
# Shared settings for every script behind the top-level Makefile.
# Everything heavy lives outside the repository, under $BPFRS_CACHE.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BPFRS_CACHE=${BPFRS_CACHE:-/var/cache/bpf-rust}
ROOT=${BPFRS_ROOT:-$BPFRS_CACHE/trixie-root}
CCACHE_DIR_HOST=${BPFRS_CCACHE:-$BPFRS_CACHE/ccache}
JOBS=${JOBS:-$(nproc)}

# Pinned toolchain: the series is written against these. A version that is no longer
# in the archive is an error, never a silent upgrade.
PIN_LINUX_SOURCE=linux-source-7.3
PIN_RUSTC_MIN=1.96
PIN_CLANG=22

# KVARIANT=debug (make test-debug) builds a second kernel with memory checkers in
# out/kernel-debug, a git worktree of kernel-tree/ at the same commit (a tree that
# builds in place cannot also build out of tree, and the normal build must stay
# incremental), with Clang 19: KASAN and Rust together need a Clang-built kernel.
# Its modules are built from a copy of rust/ in out/debug-modules/.
KVARIANT=${KVARIANT:-normal}
case $KVARIANT in
normal)
	KTREE_REL=kernel-tree
	KMAKE_VARS='CC=ccache gcc'
	LIBCLANG_VER=19
	MODULES_DIR=$TOP/rust
	;;
debug)
	KTREE_REL=out/kernel-debug
	# Clang 19: bindgen 0.71 misnames anonymous unions with libclang >= 21, and
	# libclang 19 refuses warning options that only a newer Clang has.
	KMAKE_VARS='LLVM=-19|CC=ccache clang-19'
	LIBCLANG_VER=19
	MODULES_DIR=$TOP/out/debug-modules/rust
	;;
*) echo "error: KVARIANT=$KVARIANT: normal or debug" >&2; exit 1 ;;
esac
KTREE=$TOP/$KTREE_REL
MAIN_KTREE=$TOP/kernel-tree

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
			LIBCLANG_PATH=/usr/lib/llvm-'"$LIBCLANG_VER"'/lib CCACHE_DIR=/ccache CCACHE_MAXSIZE=5G CCACHE_BASEDIR="$top" \
			CI="${CI:-}" JOBS="'"$JOBS"'" \
			/bin/bash -c "cd \"$top\" && exec \"\$@\"" bash "$@"
	' bash "$ROOT" "$TOP" "$CCACHE_DIR_HOST" "$@"
}

# kmake ARGS...: make in the variant's kernel tree with its compiler settings.
kmake() {
	local vars=()
	IFS='|' read -r -a vars <<<"$KMAKE_VARS"
	in_root make -C "$KTREE_REL" "${vars[@]}" "$@"
}
