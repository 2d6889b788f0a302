#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Remove what the build made inside the repository (kernel-tree/, module objects,
# logs). The toolchain root and ccache in $BPFRS_CACHE stay.
set -euo pipefail
. "$(dirname "$0")/common.sh"
rm -rf "$KTREE" "$KTREE.tmp" "$TOP/out"
git -C "$TOP" clean -fdXq rust/
