#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Configure kernel-tree/ from virtme-configs/*.config (onto allnoconfig) and build it.
set -euo pipefail
. "$(dirname "$0")/common.sh"
[ -d "$KTREE/.git" ] || die "kernel-tree/ missing: run 'make kernel-tree'"

frags=$(ls "$TOP"/virtme-configs/*.config)
stamp=$(cat $frags | sha1sum | cut -c1-16)
if [ "$(cat "$KTREE/.config.bpfrs" 2>/dev/null)" != "$stamp" ] || [ ! -f "$KTREE/.config" ]; then
	log "configuring kernel-tree from virtme-configs/"
	in_root bash -euc '
		cd kernel-tree
		make -s CC="ccache gcc" allnoconfig >/dev/null
		scripts/kconfig/merge_config.sh -m -O . .config "$@" >/dev/null
		make -s CC="ccache gcc" olddefconfig
	' bash $frags
	# Every option a fragment asks for must survive olddefconfig: a dropped one
	# means a missing dependency, which would otherwise show up as a skipped test.
	bad=0
	while IFS= read -r line; do
		case "$line" in CONFIG_*=*) ;; *) continue ;; esac
		opt=${line%%=*} val=${line#*=}
		if [ "$val" = n ]; then
			grep -q "^$opt=" "$KTREE/.config" && { echo "  $opt: wanted n, got $(grep "^$opt=" "$KTREE/.config")"; bad=1; }
		else
			grep -qxF "$line" "$KTREE/.config" || { echo "  $opt: wanted $val, got '$(grep "^$opt=" "$KTREE/.config" || echo unset)'"; bad=1; }
		fi
	done < <(cat $frags)
	[ $bad = 0 ] || die "kernel config: options above did not stick (missing dependency?)"
	echo "$stamp" >"$KTREE/.config.bpfrs"
fi

log "building kernel (jobs=$JOBS)"
in_root bash -euc '
	cd kernel-tree
	make -s -j"$JOBS" CC="ccache gcc" bzImage modules
	ccache -s | grep -E "Hits|Misses" || true
'
log "kernel: $(cat "$KTREE/include/config/kernel.release") $(ls -la "$KTREE/arch/x86/boot/bzImage" | awk '{print $5}') bytes"
