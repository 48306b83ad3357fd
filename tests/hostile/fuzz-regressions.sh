#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Replays every saved fuzzer finding (fuzz/crashes/*) as a regression test:
#  1. through the CLI ($ANI_BIN, the normal build), with the case's options (fuzz/fuzz_case.h):
#     exit 0 or 1 within 10 s, never a crash; a success writes output that the semantic oracle
#     ($ANI_ORACLE) accepts, and running the CLI on that output again changes nothing but results;
#  2. through the ASan+UBSan CLI (build-asan/, from scripts/sanitize.sh) when it is there and
#     not older than the sources;
#  3. through the fuzz target's own property checks, the oracle included (fuzz/fuzz_transform.c
#     built as a plain replay program against the library of $ANI_BUILD_DIR, and of build-asan/
#     when there), over the whole corpus: seeds, saved findings, fixtures and every data-driven
#     case with its options (fuzz/make-corpus.sh).
# Prints "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/lib/results.bash
bin=${ANI_BIN:-build/allow-namespace-ingress}
build_dir=${ANI_BUILD_DIR:-$(dirname "$bin")}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); [ -n "${VERBOSE:-}" ] && echo "ok   $1"; return 0; }
bad() { failed=$((failed + 1)); echo "FAIL $1: $2"; [ -s "$tmp/err" ] && sed 's/^/     /' "$tmp/err" | head -8; return 0; }

shopt -s nullglob
crashes=(fuzz/crashes/*)
[ ${#crashes[@]} -gt 0 ] || { echo "no saved crash inputs"; exit 1; }

# Splits a fuzz case (fuzz/fuzz_case.h) into what the CLI is given: sets case_args and case_env
# (its words) and case_results_shown, writes $tmp/case-input (stdin) and $tmp/case-config (when it has a config).
decode_case() { # FILE
	local f=$1 first words=() w
	case_args=()
	case_env=()
	case_results_shown=1 # stderr has the results, unless the plugin config or --quiet hides them
	IFS= read -r first <"$f" || true
	if [[ $first == '#!ani' || $first == '#!ani '* ]]; then
		read -r -a words <<<"${first#\#!ani}"
		tail -n +2 "$f" >"$tmp/case-body"
	else
		cp "$f" "$tmp/case-body"
	fi
	for w in "${words[@]}"; do
		if [[ $w == ANI_*=* ]]; then case_env+=("$w"); else case_args+=("$w"); fi
		[[ $w == -q || $w == --quiet ]] && case_results_shown=0
	done
	IFS= read -r first <"$tmp/case-body" || true
	if [[ $first == '#!config' || $first == '#!config plugin' ]]; then
		awk 'NR > 1 && !done && /^#!input$/ {done = 1; next} NR > 1 && !done' "$tmp/case-body" >"$tmp/case-config"
		awk 'done; /^#!input$/ {done = 1}' "$tmp/case-body" >"$tmp/case-input"
		if [ "$first" = '#!config plugin' ]; then case_results_shown=0; else case_args+=(--config); fi
		case_args+=("$tmp/case-config")
	else
		mv "$tmp/case-body" "$tmp/case-input"
	fi
}

replay_cli() { # LABEL BINARY
	local label=$1 b=$2 f status
	for f in "${crashes[@]}"; do
		decode_case "$f"
		env "${case_env[@]}" timeout 10 "$b" "${case_args[@]}" <"$tmp/case-input" >"$tmp/out1" 2>"$tmp/err"
		status=$?
		if [ "$status" -gt 1 ]; then
			bad "$label $(basename "$f")" "exit $status"
			continue
		fi
		if [ "$status" = 0 ]; then
			if [ ! -s "$tmp/out1" ]; then
				bad "$label $(basename "$f")" "exit 0 with no output"
				continue
			fi
			local shown=("$tmp/err")
			[ "$case_results_shown" = 1 ] || shown=()
			if [ -n "${ANI_ORACLE:-}" ] &&
				! "$ANI_ORACLE" "$tmp/case-input" "$tmp/out1" "${shown[@]}" 2>"$tmp/oracle"; then
				mv "$tmp/oracle" "$tmp/err"
				bad "$label $(basename "$f")" "the semantic oracle refuses the output"
				continue
			fi
			env "${case_env[@]}" timeout 10 "$b" "${case_args[@]}" <"$tmp/out1" >"$tmp/out2" 2>"$tmp/err"
			status=$?
			if [ "$status" != 0 ] || ! cmp -s <(strip_results "$tmp/out1") <(strip_results "$tmp/out2"); then
				bad "$label $(basename "$f")" "a second run on the output changed it (exit $status)"
				continue
			fi
		fi
		ok "$label $(basename "$f")"
	done
}

replay_properties() { # LABEL BUILD_DIR: the replay program against that build's library
	local label=$1 dir=$2 lib=$2/libani.a cc=cc flags=()
	# A sanitized or fuzzing build's library needs the same runtime at link time.
	if grep -q '^ANI_FUZZ:BOOL=ON' "$dir/CMakeCache.txt" 2>/dev/null; then
		cc=clang
		flags=(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all)
	elif grep -q '^ANI_SANITIZE:BOOL=ON' "$dir/CMakeCache.txt" 2>/dev/null; then
		flags=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
	fi
	if ! "$cc" -std=c11 -D_POSIX_C_SOURCE=200809L -DANI_FUZZ_REPLAY_MAIN -Wall -Wextra -Werror -g \
		"${flags[@]}" -Iinclude -I"$dir/include" -Ifuzz -Itests/oracle fuzz/fuzz_transform.c fuzz/fuzz_case.c \
		tests/oracle/oracle.c "$lib" $(pkg-config --cflags --libs yaml-0.1) \
		-o "$tmp/replay" 2>"$tmp/err"; then
		bad "$label: build the replay program" "compile error"
		return
	fi
	# The whole corpus: seeds, saved findings, fixtures, and every data-driven case with its
	# options (fuzz/make-corpus.sh).
	[ -d "$tmp/corpus" ] || fuzz/make-corpus.sh "$tmp/corpus" >/dev/null
	local inputs=("$tmp/corpus"/*)
	if timeout 300 "$tmp/replay" "${inputs[@]}" >/dev/null 2>"$tmp/err"; then
		ok "$label: properties hold on ${#inputs[@]} inputs"
	else
		grep -v '^replay ' "$tmp/err" >"$tmp/err2"
		echo "     last input: $(grep '^replay ' "$tmp/err" | tail -1)" >>"$tmp/err2"
		mv "$tmp/err2" "$tmp/err"
		bad "$label: properties" "a property check failed"
	fi
}

replay_cli "cli" "$bin"
if [ -f "$build_dir/libani.a" ]; then
	replay_properties "replay ($build_dir)" "$build_dir"
else
	bad "replay" "no $build_dir/libani.a (set ANI_BUILD_DIR)"
fi
# build-asan/ only when it is as new as the sources (scripts/sanitize.sh rebuilds it).
asan_fresh=0
if [ -x build-asan/allow-namespace-ingress ] && [ -f build-asan/libani.a ] &&
	[ -z "$(find function include -newer build-asan/libani.a -print -quit)" ]; then
	asan_fresh=1
fi
if [ $asan_fresh = 1 ] && [ "$(realpath build-asan)" != "$(realpath "$build_dir")" ]; then
	replay_cli "asan cli" build-asan/allow-namespace-ingress
	[ -f build-asan/libani.a ] && replay_properties "replay (build-asan)" build-asan
else
	[ -n "${VERBOSE:-}" ] && echo "(no fresh build-asan/: ASan replay skipped; scripts/sanitize.sh builds it)"
fi

echo "fuzz-regressions: $passed passed, $failed failed"
[ "$failed" = 0 ]
