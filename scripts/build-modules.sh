#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build every out-of-tree module under rust/ against kernel-tree/ (M=...).
#   CLIPPY=1 also runs clippy on them.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ -f "$KTREE/Module.symvers" ] || die "kernel not built: run 'make kernel'"
for dir in "$TOP"/rust/*/; do
	[ -f "$dir/Kbuild" ] || continue
	log "module: ${dir#$TOP/}"
	in_root make -s -C kernel-tree M="${dir%/}" CC="ccache gcc" ${CLIPPY:+CLIPPY=1} modules
	ls "$dir"*.ko >&2
done
