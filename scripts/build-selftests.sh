#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build test_progs with only the tests in scripts/selftests.txt (and bpf_testmod).
#
# The whole suite needs a kernel built with selftests/bpf/config (twice our build
# time). Instead, prog_tests-subset/ and progs-subset/ hold symlinks to the chosen
# tests and the BPF programs they use; they sit beside the originals, so relative
# includes resolve the same, and the upstream Makefile builds them unchanged.
# TRUNNER_TESTS_DIR is overridden for test_progs only (test_maps is told apart by
# its TRUNNER_EXTRA_SOURCES), so the two runners never define the same targets.
set -euo pipefail
. "$(dirname "$0")/common.sh"
ST=$KTREE/tools/testing/selftests/bpf
[ -f "$KTREE/vmlinux" ] || die "kernel not built: run 'make kernel'"

mapfile -t tests < <(grep -v '^\s*#' "$TOP/scripts/selftests.txt" | grep .)
rm -rf "$ST/prog_tests-subset" "$ST/progs-subset"
exclude=$(git -C "$KTREE" rev-parse --path-format=absolute --git-path info/exclude)
grep -qs progs-subset "$exclude" ||
	printf '%s\n' /tools/testing/selftests/bpf/prog_tests-subset/ \
		/tools/testing/selftests/bpf/progs-subset/ >>"$exclude"
mkdir -p "$ST/prog_tests-subset" "$ST/progs-subset"
for h in "$ST"/prog_tests/*.h; do
	[ "${h##*/}" = tests.h ] || ln -s "../prog_tests/${h##*/}" "$ST/prog_tests-subset/"
done
for h in "$ST"/progs/*.h; do ln -s "../progs/${h##*/}" "$ST/progs-subset/"; done

declare -A progs=()
add_prog() { # a progs/ source and, recursively, the .c files it includes
	local c=$1
	[ -f "$ST/progs/$c" ] && [ -z "${progs[$c]:-}" ] || return 0
	progs[$c]=1
	local inc
	for inc in $(sed -n 's/^#include "\([^"/]*\.c\)".*/\1/p' "$ST/progs/$c"); do add_prog "$inc"; done
}
for t in "${tests[@]}"; do
	[ -f "$ST/prog_tests/$t" ] || die "scripts/selftests.txt: prog_tests/$t does not exist"
	ln -s "../prog_tests/$t" "$ST/prog_tests-subset/"
	# The skeletons the test includes, itself or through a header of prog_tests/.
	srcs=("$ST/prog_tests/$t")
	for h in $(sed -n 's/^#include "\([^"/]*\.h\)".*/\1/p' "$ST/prog_tests/$t"); do
		[ -f "$ST/prog_tests/$h" ] && srcs+=("$ST/prog_tests/$h")
	done
	for p in $(grep -ohE '[A-Za-z0-9_]+\.(l?skel\.h|bpf\.o)' "${srcs[@]}" | sed -E 's/\.(l?skel\.h|bpf\.o)$//' | sort -u); do
		add_prog "$p.c"
	done
done
for c in "${!progs[@]}"; do ln -s "../progs/$c" "$ST/progs-subset/"; done
# test_progs.c includes "prog_tests/tests.h": make it the subset's generated list.
ln -sfn ../prog_tests-subset/tests.h "$ST/prog_tests/tests.h"
log "selftests: ${#tests[@]} prog_tests files, ${#progs[@]} BPF programs"

is_maps='$(filter test_maps.c,$(TRUNNER_EXTRA_SOURCES))'
vars=()
IFS='|' read -r -a vars <<<"$KMAKE_VARS"
args=(
	-C "$KTREE_REL/tools/testing/selftests/bpf" -j"$JOBS"
	"${vars[@]}" CLANG=clang LLC=llc SKIP_DOCS=1
	"TRUNNER_TESTS_DIR=\$(if $is_maps,map_tests,prog_tests-subset)"
	TRUNNER_BPF_PROGS_DIR=progs-subset
	LINKED_SKELS= LSKELS= LSKELS_EXTRA= LSKELS_SIGNED=
	LIBARENA_SKEL= LIBARENA_ASAN_SKEL=
	test_progs
)
mkdir -p "$TOP/out"
blog=$TOP/out/selftests-build-$KVARIANT.log
rc=0
in_root make "${args[@]}" >"$blog" 2>&1 || rc=$?
grep -vE "^  (CLNG-BPF|GEN-SKEL|TEST-OBJ|BINARY|CC|LINK|EXT-OBJ|EXT-COPY|GEN|MKDIR|INSTALL|HOSTCC|HOSTLD|LD|AR) " "$blog" | tail -n 40 || true
[ "$rc" = 0 ] || die "test_progs build failed (full log: $blog)"
ls -la "$ST/test_progs" "$ST/bpf_testmod.ko" >&2
