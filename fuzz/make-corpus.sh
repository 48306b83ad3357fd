#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the seed corpus for fuzz_transform: every small input the repository holds.
#   fuzz/make-corpus.sh [OUT_DIR]      (default build-fuzz/corpus-seed)
# Sources: fuzz/seeds (hand-written small ResourceLists and streams in every config form and
# style), tests/fixtures (real kustomize/kpt/legacy-plugin captures and real-world policies, and
# the YAML test suite), the data-driven cases of tests/cases and tests/hostile/cases (as fuzz
# cases, fuzz/fuzz_case.h: their arguments, environment and plugin config go in the header), and
# the saved crash inputs in fuzz/crashes. Files are named by content hash, so duplicates collapse;
# files over MAX_BYTES (default 65536) are left out (the big Flux captures: libFuzzer would only
# use a truncated copy).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build-fuzz/corpus-seed}
max=${MAX_BYTES:-65536}
mkdir -p "$out"
n=0
add() {
	local f=$1 size
	[ -f "$f" ] || return 0
	size=$(wc -c <"$f")
	[ "$size" -le "$max" ] || return 0
	cp "$f" "$out/$(sha1sum "$f" | cut -c1-40)"
	n=$((n + 1))
}
shopt -s nullglob globstar
for f in fuzz/seeds/* fuzz/crashes/*; do add "$f"; done
for f in tests/fixtures/**/*.yaml tests/fixtures/**/*.json; do add "$f"; done
# A data-driven case as a fuzz case: "#!ani ARGS ENV", then "#!config plugin" CONFIG "#!input".
as_case() { # DIR INPUT PLUGIN_CONFIG
	local dir=$1 input=$2 config=$3 words=()
	[ -f "$dir/args" ] && mapfile -t words <"$dir/args"
	[ -f "$dir/env" ] && mapfile -t -O "${#words[@]}" words <"$dir/env"
	{
		[ ${#words[@]} -gt 0 ] && echo "#!ani ${words[*]}"
		if [ -f "$config" ]; then
			echo "#!config plugin"
			cat "$config"
			echo "#!input"
		fi
		cat "$input"
	} >"$out/.case"
	add "$out/.case"
	rm -f "$out/.case"
}
for d in tests/cases/*/ tests/hostile/cases/*/; do
	input=$d/input
	[ -f "$d/input.path" ] && input=$(cat "$d/input.path")
	as_case "$d" "$input" "$d/config.yaml"
done
echo "make-corpus: $n files in, $(find "$out" -type f | wc -l) distinct seeds in $out"
