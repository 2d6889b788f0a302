#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Make kernel-tree/ = pristine Debian linux-source + patches/ (git am).
#
# Idempotent and incremental: the series is applied on a fresh branch from the
# pristine commit and checked out over the current tree, so files whose content
# did not change keep their mtime and make rebuilds only what the series touched.
# Refuses to discard kernel-tree work that is not exported to patches/.
set -euo pipefail
. "$(dirname "$0")/common.sh"

series=$TOP/patches/series
base_file=$TOP/patches/BASE
tarball=$ROOT/usr/src/$PIN_LINUX_SOURCE.tar.xz
[ -f "$tarball" ] || die "$tarball missing: run 'make setup'"
have_ver=$(chroot "$ROOT" dpkg-query -W -f='${Version}' "$PIN_LINUX_SOURCE")
want_ver=$(sed -n 's/^debian-version: *//p' "$base_file")
[ "$have_ver" = "$want_ver" ] ||
	die "patches/BASE wants $PIN_LINUX_SOURCE $want_ver, the root has $have_ver: rebase the series"

export GIT_AUTHOR_NAME="bpf-rust base" GIT_AUTHOR_EMAIL="base@localhost" \
	GIT_COMMITTER_NAME="bpf-rust base" GIT_COMMITTER_EMAIL="base@localhost" \
	GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
g() { git -C "$KTREE" "$@"; }

if [ ! -d "$KTREE/.git" ]; then
	log "unpacking $PIN_LINUX_SOURCE $have_ver into kernel-tree/"
	rm -rf "$KTREE.tmp" && mkdir -p "$KTREE.tmp"
	tar -C "$KTREE.tmp" --strip-components=1 -xf "$tarball"
	# Debian's .gitignore ignores everything at the top level (its packaging repo
	# holds only debian/): drop that block, or new kernel files could not be added.
	perl -0pi -e 's/#\n# Debian packaging:.*?\n!\/debian\/\n//s' "$KTREE.tmp/.gitignore"
	git -C "$KTREE.tmp" init -q -b pristine
	git -C "$KTREE.tmp" config core.autocrlf false
	git -C "$KTREE.tmp" config gc.auto 0
	git -C "$KTREE.tmp" add -A -f .
	git -C "$KTREE.tmp" commit -q -m "Debian $PIN_LINUX_SOURCE $have_ver (pristine, minus Debian's ignore-all)"
	git -C "$KTREE.tmp" tag base
	git -C "$KTREE.tmp" checkout -q -b main
	mv "$KTREE.tmp" "$KTREE"
fi

# Work in kernel-tree that patches/ does not have would be lost by re-applying.
if [ -n "$(g status --porcelain --untracked-files=no)" ]; then
	die "kernel-tree/ has uncommitted changes: commit them and 'make export-patches', or 'git -C kernel-tree stash'"
fi
known=$(for p in $(cat "$series" 2>/dev/null); do git patch-id --stable <"$TOP/patches/$p"; done | cut -d' ' -f1 | sort -u)
if [ "${FORCE:-0}" != 1 ]; then
	for c in $(g rev-list --reverse base..HEAD); do
		id=$(g show "$c" | git patch-id --stable | cut -d' ' -f1)
		[ -z "$id" ] || grep -qx "$id" <<<"$known" ||
			die "kernel-tree commit '$(g log -1 --format='%h %s' "$c")' is not in patches/: run 'make export-patches' (or FORCE=1 to drop it)"
	done
fi

# Nothing to do when HEAD already carries exactly the series, in order.
want_ids=$(for p in $(cat "$series" 2>/dev/null); do git patch-id --stable <"$TOP/patches/$p" | cut -d' ' -f1; done)
have_ids=$(for c in $(g rev-list --reverse base..HEAD); do g show "$c" | git patch-id --stable | cut -d' ' -f1; done)
if [ "$want_ids" = "$have_ids" ]; then
	log "kernel-tree: up to date (base $have_ver + $(grep -c . "$series" || true) patches)"
	exit 0
fi

g checkout -q --detach base
g branch -q -D series-new 2>/dev/null || true
g checkout -q -b series-new base
n=0
for p in $(cat "$series" 2>/dev/null); do
	g am -q --keep-cr --committer-date-is-author-date "$TOP/patches/$p" ||
		{ g am --abort || true; g checkout -q main; die "patch $p does not apply"; }
	n=$((n + 1))
done
# Move main to the new series; checkout rewrites only files that differ.
g checkout -q -B main series-new
g branch -q -D series-new
log "kernel-tree: base $have_ver + $n patches, HEAD $(g log -1 --format='%h %s')"
