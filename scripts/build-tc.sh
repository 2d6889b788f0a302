#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build tc's support for the bpf qdisc (patches/iproute2/q_bpf.c) as q_bpf.so,
# a plugin of the root's tc (Debian's iproute2), and install it where that tc
# looks for qdisc kinds it does not know. Against the kernel tree's UAPI
# headers (the new program type and attributes) and Debian's libbpf.
set -euo pipefail
. "$(dirname "$0")/common.sh"
SRC=patches/iproute2
OUT=out/tc
mkdir -p "$OUT/include/linux"
# Only the two UAPI headers with what the plugin needs from the series; the
# rest from the root, as for any program built against Debian's libbpf.
cp kernel-tree/include/uapi/linux/bpf.h kernel-tree/include/uapi/linux/pkt_sched.h \
	"$OUT/include/linux/"
log "tc plugin: $OUT/q_bpf.so"
in_root bash -c "
	set -e
	tclib=\$(dirname \$(dpkg -L iproute2 | grep '/tc/normal.dist\$'))
	[ -n \"\$tclib\" ] || { echo 'no tc plugin directory in the root' >&2; exit 1; }
	gcc -O2 -g -Wall -Wextra -Wno-unused-parameter -Werror -fPIC -shared -DTC_PLUGIN \
		-I $OUT/include -I $SRC \
		-o $OUT/q_bpf.so $SRC/q_bpf.c -lbpf
	install -m 0644 $OUT/q_bpf.so \"\$tclib/q_bpf.so\"
	echo \"installed \$tclib/q_bpf.so\" >&2
"
