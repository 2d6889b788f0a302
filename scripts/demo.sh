#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot the kernel built from our series, load the Rust modules and show them serving
# a TCP congestion control swap through a struct_ops link (bpf_tcp_ca/update_ca).
set -euo pipefail
. "$(dirname "$0")/common.sh"
GUEST_TIMEOUT=${GUEST_TIMEOUT:-900}
timeout -k 30 "$GUEST_TIMEOUT" bash -c "$(declare -f in_root die); $(declare -p ROOT TOP CCACHE_DIR_HOST JOBS PIN_CLANG LIBCLANG_VER); \
	in_root vng -r kernel-tree/arch/x86/boot/bzImage --cpus 2 --memory 4G --disable-kvm --user root \
	--exec 'bash $TOP/scripts/guest-demo.sh $TOP'" </dev/null
