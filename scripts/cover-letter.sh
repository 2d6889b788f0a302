#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate patches/0000-cover-letter.patch: its prose (patches/cover-letter.txt:
# subject on the first line, then the body) with the shortlog and diffstat of
# kernel-tree's series.
set -euo pipefail
. "$(dirname "$0")/common.sh"
txt=$TOP/patches/cover-letter.txt
n=$(git -C "$KTREE" rev-list --count base..HEAD)
{
	echo "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"
	echo "From: bpf-rust developer <dev@bpf-rust.invalid>"
	echo "Subject: [PATCH 00/$n] $(head -n 1 "$txt")"
	echo
	tail -n +3 "$txt"
	git -C "$KTREE" shortlog base..HEAD
	echo
	git -C "$KTREE" diff --stat=78 base..HEAD
	echo
	echo "-- "
	echo "base: $(sed -n 's/^debian-version: */Debian linux-source-7.3 /p' "$TOP/patches/BASE")"
} >"$TOP/patches/0000-cover-letter.patch"
log "cover letter: $n patches"
