#!/usr/bin/env bash
# Builds the seed corpus for fuzz_transform: every small input the repository holds.
#   fuzz/make-corpus.sh [OUT_DIR]      (default build-fuzz/corpus-seed)
# Sources: fuzz/seeds (hand-written small ResourceLists and streams in every config form and
# style), tests/fixtures (real kustomize/kpt/legacy-plugin captures and real-world policies, and
# the YAML test suite), the data-driven inputs of tests/cases and tests/hostile/cases, and the
# saved crash inputs in fuzz/crashes. Files are named by content hash, so duplicates collapse;
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
for f in tests/cases/*/input tests/hostile/cases/*/input; do add "$f"; done
echo "make-corpus: $n files in, $(find "$out" -type f | wc -l) distinct seeds in $out"
