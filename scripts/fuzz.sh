#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A bounded fuzzing campaign over the public API (fuzz/fuzz_transform.c; see fuzz/README.md).
#   scripts/fuzz.sh [SECONDS]      (default 120)
# 1. builds the libFuzzer target with clang in build-fuzz/ (ASan+UBSan, coverage on the library);
# 2. replays every saved crash input (fuzz/crashes/) through it: each must now pass;
# 3. builds the seed corpus (fuzz/make-corpus.sh) and fuzzes for SECONDS, keeping the corpus it
#    grows in build-fuzz/corpus for the next run; prints the executions and the coverage.
# Exit 0 when nothing was found. A finding is saved in build-fuzz/artifacts/: minimise it
# (fuzz/README.md), fix the bug, and add the input to fuzz/crashes/.
# Environment: ANI_FUZZ_JOBS (parallel fuzzing processes, default: the number of cores),
# ANI_FUZZ_MAX_LEN (default 16384).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
jobs=${ANI_FUZZ_JOBS:-$(nproc)}
# In CI the campaign is reproducible: one process, a fixed seed, a fresh corpus, a fixed number of
# runs (time stays a cap). What passes here passes there; long random campaigns are for people
# (fuzz/README.md). ANI_FUZZ_SEED=N asks for the same anywhere.
seed=${ANI_FUZZ_SEED:-}
[ -z "$seed" ] && [ "${CI:-}" = true ] && seed=1
runs=${ANI_FUZZ_RUNS:-1500000}
[ -n "$seed" ] && jobs=1
max_len=${ANI_FUZZ_MAX_LEN:-16384}
out=build-fuzz

command -v clang >/dev/null || { echo "fuzz: clang is not installed (scripts/deps.sh test)" >&2; exit 1; }
echo "fuzz: building the fuzz target in $out/ (clang, libFuzzer, ASan+UBSan)"
CC=clang cmake -S . -B "$out" -DANI_FUZZ=ON -DANI_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$out" -j"$(nproc)" --target fuzz_transform 2>&1 | grep -v '^\[' || [ "${PIPESTATUS[0]}" = 0 ]
fuzzer=$out/fuzz/fuzz_transform

echo "fuzz: replaying the saved crash inputs (fuzz/crashes/)"
shopt -s nullglob
crashes=(fuzz/crashes/*)
if [ ${#crashes[@]} -gt 0 ]; then
	if ! "$fuzzer" -runs=1 "${crashes[@]}" >"$out/replay.log" 2>&1; then
		grep -E 'property|ERROR|Running:' "$out/replay.log" | tail -5
		echo "fuzz: a saved crash input fails again: see $out/replay.log" >&2
		exit 1
	fi
	echo "fuzz: ${#crashes[@]} saved inputs pass"
fi

fuzz/make-corpus.sh "$out/corpus-seed"
corpus=$out/corpus
mkdir -p "$out/artifacts"
flags=(-dict=fuzz/dict -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
	-max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$out/artifacts/")
if [ -n "$seed" ]; then
	corpus=$out/corpus-ci-$seed
	rm -rf "$corpus"
	flags+=(-seed="$seed" -runs="$runs")
	echo "fuzz: reproducible campaign: seed $seed, at most $runs runs"
fi
mkdir -p "$corpus"
log=$out/fuzz.log
echo "fuzz: fuzzing for $seconds s with $jobs process(es); log in $log"
start=$(date +%s)
status=0
if [ "$jobs" -gt 1 ]; then
	"$fuzzer" -fork="$jobs" "${flags[@]}" "$corpus" "$out/corpus-seed" >"$log" 2>&1 || status=$?
	execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
else
	"$fuzzer" "${flags[@]}" "$corpus" "$out/corpus-seed" >"$log" 2>&1 || status=$?
	execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
fi
elapsed=$(($(date +%s) - start))
found=$(find "$out/artifacts" -type f -newermt "@$start" | wc -l)
echo "fuzz: ${execs:-0} executions in $elapsed s, ${cov:-cov: ?} edges, corpus $(find "$corpus" -type f | wc -l) inputs, $found finding(s)"
if [ "$status" != 0 ] || [ "$found" != 0 ]; then
	grep -E 'property .* broken|ERROR: (Address|Leak|libFuzzer|Undefined)|runtime error' "$log" | head -5
	find "$out/artifacts" -type f -newermt "@$start" | sed 's/^/fuzz: finding: /'
	echo "fuzz: FAILED (exit $status)" >&2
	exit 1
fi
echo "fuzz: ok"
