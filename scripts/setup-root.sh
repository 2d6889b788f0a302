#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Create (or check) the Debian trixie + trixie-backports toolchain root.
# Idempotent: with everything present it only verifies and prints versions.
set -euo pipefail
. "$(dirname "$0")/common.sh"

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PKGS=(
	# kernel build
	build-essential bc bison flex libelf-dev libssl-dev dwarves cpio kmod
	python3 git rsync xz-utils zstd ccache pkg-config
	# Rust for Linux (backports carry the pinned rustc)
	rustc rust-src rustfmt rust-clippy bindgen libclang-dev
	# BPF selftests
	clang-$PIN_CLANG llvm-$PIN_CLANG lld-$PIN_CLANG libcap-dev zlib1g-dev libzstd-dev
	# make bench: scripts/bench-report.py (statistics, plots)
	python3-numpy python3-matplotlib
	# guest runner and guest user space
	virtme-ng qemu-system-x86 iproute2 util-linux mount udev procps ethtool iputils-ping
	# make tc: the bpf qdisc as a plugin of the root's tc
	libbpf-dev
	# kernel source
	"$PIN_LINUX_SOURCE"
)
# make test-debug (KVARIANT=debug): KASAN with Rust needs a Clang-built kernel, and
# bindgen's libclang (19) must understand that Clang's flags: Clang 19.
[ "$KVARIANT" = debug ] && PKGS+=(clang-19 lld-19 llvm-19)
BACKPORTS=(rustc rust-src rustfmt rust-clippy cargo libstd-rust-dev "$PIN_LINUX_SOURCE")

# One stamp per variant: switching between make test and make test-debug does not
# reinstall (the debug set is a superset).
stamp=$ROOT/.bpfrs-setup${KVARIANT/#normal/}
want=$(printf '%s\n' "${PKGS[@]}" | sha1sum | cut -c1-12)

if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
	command -v mmdebstrap >/dev/null || {
		log "installing mmdebstrap on the host"
		apt-get update -qq && apt-get install -y -qq mmdebstrap >/dev/null
	}
	log "creating trixie root in $ROOT"
	mkdir -p "$(dirname "$ROOT")"
	rm -rf "$ROOT.tmp"
	mmdebstrap --variant=apt --include=ca-certificates trixie "$ROOT.tmp" \
		"deb $MIRROR trixie main" "deb $MIRROR trixie-backports main"
	mv "$ROOT.tmp" "$ROOT"
fi

if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	# Prefer backports for the pinned toolchain pieces only.
	cat >"$ROOT/etc/apt/preferences.d/bpfrs-pins" <<PIN
Package: ${BACKPORTS[*]}
Pin: release n=trixie-backports
Pin-Priority: 990
PIN
	log "installing the build and test set into the root"
	chroot "$ROOT" /usr/bin/env DEBIAN_FRONTEND=noninteractive bash -c '
		apt-get update -qq &&
		apt-get install -y -qq --no-install-recommends "$@" >/dev/null' bash "${PKGS[@]}" ||
		die "apt-get install in the root failed (is a pinned package gone from the archive?)"
	echo "$want" >"$stamp"
fi

# Verify the pins: fail loudly if the archive moved on.
ver() { chroot "$ROOT" dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
rv=$(ver rustc)
# trixie-backports keeps only its newest rustc: accept it when it is at least
# the oldest one the series was tested with (7.3 itself needs far less).
[ -n "$rv" ] && dpkg --compare-versions "$rv" ge "$PIN_RUSTC_MIN" ||
	die "rustc >= $PIN_RUSTC_MIN is required, root has '${rv:-none}'"
[ -n "$(ver "$PIN_LINUX_SOURCE")" ] || die "$PIN_LINUX_SOURCE is not installed (gone from trixie-backports?)"
[ -x "$ROOT/usr/bin/clang-$PIN_CLANG" ] || die "clang-$PIN_CLANG missing in the root"

printf '%-16s %s\n' \
	root "$ROOT" \
	linux-source "$(ver "$PIN_LINUX_SOURCE")" \
	rustc "$rv" \
	rust-src "$(ver rust-src)" \
	bindgen "$(ver bindgen)" \
	libclang "$(ver libclang-dev)" \
	clang "$(ver clang-$PIN_CLANG)" \
	gcc "$(ver gcc)" \
	pahole "$(ver dwarves)" \
	virtme-ng "$(ver virtme-ng)" \
	qemu "$(ver qemu-system-x86)"
