# SPDX-License-Identifier: GPL-2.0
# Sourced by scripts/guest-lib.sh run_rust_module, phase=loaded then phase=served.
# update_ca, link_replace and the stress test's 60 swaps go through this module.
provider_counter updates /sys/kernel/debug/tcp_cong_update_rust/updates 60
