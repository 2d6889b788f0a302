#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure the kernel from virtme-configs/*.config (onto allnoconfig) and build it.
# KVARIANT=debug: out/kernel-debug (see common.sh), virtme-configs/debug/*.config on top.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ -d "$MAIN_KTREE/.git" ] || die "kernel-tree/ missing: run 'make kernel-tree'"

frags=$(ls "$TOP"/virtme-configs/*.config)
if [ "$KVARIANT" = debug ]; then
	frags="$frags $(ls "$TOP"/virtme-configs/debug/*.config)"
	# The debug tree follows kernel-tree's commit; checkout rewrites only the
	# files that differ, so the debug build stays incremental too.
	head=$(git -C "$MAIN_KTREE" rev-parse HEAD)
	# A worktree has a .git file; anything else there is not ours to build.
	if [ ! -f "$KTREE/.git" ] || ! git -C "$KTREE" rev-parse HEAD >/dev/null 2>&1; then
		log "creating $KTREE_REL (worktree of kernel-tree at ${head:0:12})"
		rm -rf "$KTREE"
		git -C "$MAIN_KTREE" worktree prune
		git -C "$MAIN_KTREE" worktree add -q --detach "$KTREE" "$head"
	elif [ "$(git -C "$KTREE" rev-parse HEAD)" != "$head" ]; then
		[ -z "$(git -C "$KTREE" status --porcelain --untracked-files=no)" ] ||
			die "$KTREE_REL has local changes: kernel changes belong in kernel-tree/"
		git -C "$KTREE" checkout -q --detach "$head"
	fi
fi
stamp=$( (cat $frags; echo "$KMAKE_VARS") | sha1sum | cut -c1-16)
if [ "$(cat "$KTREE/.config.bpfrs" 2>/dev/null)" != "$stamp" ] || [ ! -f "$KTREE/.config" ]; then
	log "configuring $KTREE_REL from virtme-configs/ ($KVARIANT)"
	kmake -s allnoconfig >/dev/null
	in_root bash -euc 'cd "$1"; shift; scripts/kconfig/merge_config.sh -m -O . .config "$@" >/dev/null' \
		bash "$KTREE_REL" $frags
	kmake -s olddefconfig
	# Every option a fragment asks for (the last fragment that names it wins) must
	# survive olddefconfig: a dropped one means a missing dependency, which would
	# otherwise show up as a skipped test.
	bad=0
	while IFS='=' read -r opt val; do
		if [ "$val" = n ]; then
			grep -q "^$opt=" "$KTREE/.config" && { echo "  $opt: wanted n, got $(grep "^$opt=" "$KTREE/.config")"; bad=1; }
		else
			grep -qxF "$opt=$val" "$KTREE/.config" || { echo "  $opt: wanted $val, got '$(grep "^$opt=" "$KTREE/.config" || echo unset)'"; bad=1; }
		fi
	done < <(cat $frags | grep -E '^CONFIG_[A-Za-z0-9_]+=' | awk -F= '{ v[$1] = substr($0, length($1) + 2); if (!($1 in o)) { o[$1] = n++ } }
		END { for (k in v) print o[k] "\t" k "=" v[k] }' | sort -n | cut -f2-)
	[ $bad = 0 ] || die "kernel config: options above did not stick (missing dependency?)"
	echo "$stamp" >"$KTREE/.config.bpfrs"
fi

log "building $KTREE_REL (jobs=$JOBS)"
kmake -s -j"$JOBS" bzImage modules
in_root ccache -s | grep -E "Hits|Misses" || true
log "kernel: $(cat "$KTREE/include/config/kernel.release") $(ls -la "$KTREE/arch/x86/boot/bzImage" | awk '{print $5}') bytes"
