#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Style gates: checkpatch --strict on every patch of the series, rustfmt --check
# and clippy on the modules.
set -euo pipefail
. "$(dirname "$0")/common.sh"
rc=0
for p in $(cat "$TOP/patches/series"); do
	out=$(in_root kernel-tree/scripts/checkpatch.pl --strict --no-tree -q "patches/$p" 2>&1) ||
		{ echo "checkpatch: $p"; echo "$out"; rc=1; }
done
for f in "$TOP"/rust/*/*.c; do
	out=$(in_root kernel-tree/scripts/checkpatch.pl --strict --no-tree -q -f "${f#$TOP/}" 2>&1) ||
		{ echo "checkpatch: ${f#$TOP/}"; echo "$out"; rc=1; }
done
in_root rustfmt --edition 2021 --config-path kernel-tree/.rustfmt.toml --check rust/*/*.rs || rc=1
CLIPPY=1 "$TOP/scripts/build-modules.sh" || rc=1
[ $rc = 0 ] && echo "style checks passed"
exit $rc
