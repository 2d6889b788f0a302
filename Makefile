# SPDX-License-Identifier: GPL-2.0
# The one entry point. Every target is a user action; scripts/ does the work.
# Heavy state (toolchain root, ccache) lives in $(BPFRS_CACHE), default /var/cache/bpf-rust.

SHELL := /bin/bash
S := scripts

.PHONY: all demo test setup kernel-tree kernel modules selftests tc export-patches \
	check-patches clean help bench test-debug

all: modules selftests tc

help:
	@echo "make demo            build everything, boot it, show the Rust providers at work"
	@echo "make test            build everything and run the tests in a guest (what CI runs)"
	@echo "make test-debug      the tests on a KASAN/kmemleak/UBSAN debug kernel (own tree, out/kernel-debug)"
	@echo "make bench           build everything, boot once, Rust providers vs C as ratios (not CI)"
	@echo "make setup           create/check the Debian trixie toolchain root"
	@echo "make kernel-tree     pristine linux-source-7.3 + patches/ in kernel-tree/"
	@echo "make kernel          configure (virtme-configs/) and build the kernel"
	@echo "make modules         build the Rust modules under rust/"
	@echo "make selftests       build test_progs (scripts/selftests.txt) and bpf_testmod"
	@echo "make tc              build tc's bpf qdisc support (patches/iproute2) into the root's tc"
	@echo "make export-patches  kernel-tree commits -> patches/ (format-patch + series)"
	@echo "make check-patches   checkpatch --strict on the series, rustfmt/clippy on rust/"

setup:
	@$(S)/setup-root.sh

kernel-tree: setup
	@$(S)/kernel-tree.sh

kernel: kernel-tree
	@$(S)/build-kernel.sh

modules: kernel
	@$(S)/build-modules.sh

selftests: kernel
	@$(S)/build-selftests.sh

tc: kernel-tree
	@$(S)/build-tc.sh

test: modules selftests tc
	@$(S)/run-tests.sh

test-debug: kernel-tree tc
	@$(S)/test-debug.sh

demo: modules selftests tc
	@$(S)/demo.sh

bench: modules selftests
	@$(S)/bench.sh

export-patches:
	@$(S)/export-patches.sh

check-patches: kernel-tree
	@$(S)/check-patches.sh

clean:
	@$(S)/clean.sh
