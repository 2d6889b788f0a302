#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build every out-of-tree module under rust/ against the kernel (M=...).
#   CLIPPY=1 also runs clippy on them.
#   KVARIANT=debug: against out/kernel-debug, from a copy of rust/ in out/debug-modules/
#   (the objects in rust/ belong to the normal kernel).
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ -f "$KTREE/Module.symvers" ] || die "kernel not built: run 'make kernel'"
if [ "$KVARIANT" = debug ]; then
	mkdir -p "$MODULES_DIR"
	# Modules gone from rust/ go from the copy too.
	for dir in "$MODULES_DIR"/*/; do
		[ -d "$dir" ] && [ ! -d "$TOP/rust/$(basename "$dir")" ] && rm -rf "$dir"
	done
	(cd "$TOP" && git ls-files -z --cached --others --exclude-standard rust) |
		(cd "$TOP" && xargs -0 cp --parents -u -t "$MODULES_DIR/..")
fi
for dir in "$MODULES_DIR"/*/; do
	[ -f "$dir/Kbuild" ] || continue
	log "module: ${dir#$TOP/}"
	kmake -s M="${dir%/}" ${CLIPPY:+CLIPPY=1} modules
	ls "$dir"*.ko >&2
done
