#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bounded fuzzing campaigns (see fuzz/README.md): the libFuzzer target over the API, and AFL++
# over the CLI binary's own code (argv, limits, config files, stdin, stdout).
#   scripts/fuzz.sh [SECONDS] [libfuzzer|afl|both]      (default 120 s, both, one after the other)
# libfuzzer:
# 1. builds the libFuzzer target with clang in build-fuzz/ (ASan+UBSan, coverage on the library);
# 2. replays every saved crash input (fuzz/crashes/) through it: each must now pass;
# 3. builds the seed corpus (fuzz/make-corpus.sh) and fuzzes for SECONDS, keeping the corpus it
#    grows in build-fuzz/corpus for the next run; prints the executions and the coverage.
# afl:
# 1. builds the CLI harness with afl-clang-fast in build-afl/ (fuzz/afl_cli.c; with ASan+UBSan
#    when ANI_AFL_SANITIZE=1);
# 2. fuzzes for SECONDS from fuzz/seeds and fuzz/crashes into a fresh build-afl/out-SEED/, with a
#    fixed seed (ANI_AFL_SEED, default 1) and the dictionary; prints executions, CPU time, findings.
# Exit 0 when nothing was found. A finding is saved in build-fuzz/artifacts/ (libFuzzer) or
# build-afl/out-SEED/default/crashes/ (AFL++): minimise it (fuzz/README.md), fix the bug, and add
# the input to fuzz/crashes/.
# Environment: ANI_FUZZ_JOBS (parallel libFuzzer processes, default: the number of cores),
# ANI_FUZZ_MAX_LEN (default 16384), ANI_FUZZ_SEED / ANI_FUZZ_RUNS (below), ANI_AFL_SEED,
# ANI_AFL_SANITIZE.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-120}
engine=${2:-both}
case $engine in
libfuzzer | afl | both) ;;
*) echo "fuzz: unknown engine '$engine' (libfuzzer, afl or both)" >&2; exit 2 ;;
esac
TIMEFORMAT='%U %S'

fuzz_afl() {
	command -v afl-clang-fast >/dev/null && command -v afl-fuzz >/dev/null ||
		{ echo "fuzz: AFL++ is not installed (scripts/deps.sh test)" >&2; return 1; }
	local out=build-afl afl_seed=${ANI_AFL_SEED:-1}
	# Without sanitizers by default: with ASan each forked run costs ~8x (libFuzzer, the ASan
	# replay of every finding and scripts/sanitize.sh cover that); ANI_AFL_SANITIZE=1 adds them.
	local sanitize=${ANI_AFL_SANITIZE:-0}
	[ "$sanitize" = 1 ] && sanitize=ON || sanitize=OFF
	echo "fuzz: building the AFL++ harness of the CLI in $out/ (afl-clang-fast, ASan+UBSan $sanitize)"
	CC=afl-clang-fast cmake -S . -B "$out" -DANI_AFL=ON -DANI_TESTS=OFF -DANI_SANITIZE=$sanitize \
		-DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || return 1
	AFL_QUIET=1 cmake --build "$out" -j2 --target afl_cli 2>&1 | grep -v '^\[' ||
		[ "${PIPESTATUS[0]}" = 0 ] || return 1
	local findings=$out/out-$afl_seed
	rm -rf "$findings" "$out/seeds"
	mkdir -p "$out/seeds"
	cp fuzz/seeds/* fuzz/crashes/* "$out/seeds/"
	echo "fuzz: AFL++ for $seconds s, seed $afl_seed, fresh output in $findings; log in $out/afl.log"
	local status=0
	{ time AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1 \
		ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0 \
		UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
		afl-fuzz -i "$out/seeds" -o "$findings" -s "$afl_seed" -V "$seconds" -x fuzz/dict \
		-m none -t 5000 -- "$out/fuzz/afl_cli" @@ >"$out/afl.log" 2>&1; } 2>"$out/afl.cpu" || status=$?
	local stats=$findings/default/fuzzer_stats execs crashes hangs cpu
	execs=$(awk -F' *: *' '$1 == "execs_done" {print $2}' "$stats" 2>/dev/null)
	crashes=$(find "$findings/default/crashes" -type f ! -name README.txt 2>/dev/null | wc -l)
	hangs=$(find "$findings/default/hangs" -type f 2>/dev/null | wc -l)
	cpu=$(awk '{printf "%.0f", $1 + $2}' "$out/afl.cpu" 2>/dev/null)
	echo "fuzz: AFL++: ${execs:-0} executions in $seconds s (${cpu:-?} s CPU), $(awk -F' *: *' '$1 == "edges_found" {print $2}' "$stats" 2>/dev/null) edges, corpus $(awk -F' *: *' '$1 == "corpus_count" {print $2}' "$stats" 2>/dev/null), $crashes crash(es), $hangs hang(s)"
	if [ "$status" != 0 ] || [ "$crashes" != 0 ]; then
		tail -5 "$out/afl.log"
		find "$findings/default/crashes" -type f ! -name README.txt 2>/dev/null | sed 's/^/fuzz: finding: /'
		echo "fuzz: AFL++ FAILED (exit $status)" >&2
		return 1
	fi
	echo "fuzz: AFL++ ok"
}

fuzz_libfuzzer() {
	local jobs=${ANI_FUZZ_JOBS:-$(nproc)}
	# In CI the campaign is reproducible: one process, a fixed seed, a fresh corpus, a fixed number
	# of runs (time stays a cap). What passes here passes there; long random campaigns are for
	# people (fuzz/README.md). ANI_FUZZ_SEED=N asks for the same anywhere.
	local seed=${ANI_FUZZ_SEED:-}
	[ -z "$seed" ] && [ "${CI:-}" = true ] && seed=1
	local runs=${ANI_FUZZ_RUNS:-1500000}
	[ -n "$seed" ] && jobs=1
	local max_len=${ANI_FUZZ_MAX_LEN:-16384}
	local out=build-fuzz
	command -v clang >/dev/null || { echo "fuzz: clang is not installed (scripts/deps.sh test)" >&2; return 1; }
	echo "fuzz: building the fuzz target in $out/ (clang, libFuzzer, ASan+UBSan)"
	CC=clang cmake -S . -B "$out" -DANI_FUZZ=ON -DANI_TESTS=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || return 1
	cmake --build "$out" -j2 --target fuzz_transform 2>&1 | grep -v '^\[' || [ "${PIPESTATUS[0]}" = 0 ] || return 1
	fuzzer=$out/fuzz/fuzz_transform

	echo "fuzz: replaying the saved crash inputs (fuzz/crashes/)"
	shopt -s nullglob
	crashes=(fuzz/crashes/*)
	if [ ${#crashes[@]} -gt 0 ]; then
		if ! "$fuzzer" -runs=1 "${crashes[@]}" >"$out/replay.log" 2>&1; then
			grep -E 'property|ERROR|Running:' "$out/replay.log" | tail -5
			echo "fuzz: a saved crash input fails again: see $out/replay.log" >&2
			return 1
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
		{ time "$fuzzer" -fork="$jobs" "${flags[@]}" "$corpus" "$out/corpus-seed" >"$log" 2>&1; } 2>"$out/fuzz.cpu" || status=$?
		execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
		cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
	else
		{ time "$fuzzer" "${flags[@]}" "$corpus" "$out/corpus-seed" >"$log" 2>&1; } 2>"$out/fuzz.cpu" || status=$?
		execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -1)
		cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
	fi
	elapsed=$(($(date +%s) - start))
	found=$(find "$out/artifacts" -type f -newermt "@$start" | wc -l)
	cpu=$(awk '{printf "%.0f", $1 + $2}' "$out/fuzz.cpu" 2>/dev/null)
	echo "fuzz: ${execs:-0} executions in $elapsed s (${cpu:-?} s CPU), ${cov:-cov: ?} edges, corpus $(find "$corpus" -type f | wc -l) inputs, $found finding(s)"
	if [ "$status" != 0 ] || [ "$found" != 0 ]; then
		grep -E 'property .* broken|ERROR: (Address|Leak|libFuzzer|Undefined)|runtime error' "$log" | head -5
		find "$out/artifacts" -type f -newermt "@$start" | sed 's/^/fuzz: finding: /'
		echo "fuzz: FAILED (exit $status)" >&2
		return 1
	fi
	echo "fuzz: ok"
}

failed=0
if [ "$engine" != afl ]; then fuzz_libfuzzer || failed=1; fi
if [ "$engine" != libfuzzer ]; then fuzz_afl || failed=1; fi
exit $failed
