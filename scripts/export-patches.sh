#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernel-tree commits (base..HEAD) -> patches/NNNN-*.patch + patches/series.
# The cover letter's prose is kept by hand in patches/cover-letter.txt; its
# shortlog and diffstat are regenerated here (scripts/cover-letter.sh).
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ -d "$KTREE/.git" ] || die "kernel-tree/ missing"
[ -z "$(git -C "$KTREE" status --porcelain --untracked-files=no)" ] ||
	die "kernel-tree/ has uncommitted changes: commit them first"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$KTREE" format-patch -q --no-signature --zero-commit --no-numbered \
	-o "$tmp" base..HEAD
find "$TOP/patches" -maxdepth 1 -name '[0-9][0-9][0-9][0-9]-*.patch' ! -name '0000-*' -delete
: >"$TOP/patches/series"
for p in "$tmp"/*.patch; do
	[ -e "$p" ] || break
	cp "$p" "$TOP/patches/"
	echo "${p##*/}" >>"$TOP/patches/series"
done
log "exported $(grep -c . "$TOP/patches/series" || true) patches to patches/ (series updated)"
"$TOP/scripts/cover-letter.sh"
