#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs data-driven cases (the format: tests/cases/README.md): the binary on each case's input,
# compared with the case's exit status, stderr and stdout, plus the checks every case gets.
#   tests/cases/run.sh [--regen] [CASE...]
# CASE: a case name as ctest shows it without `case-` (NAME for tests/cases/NAME, hostile-NAME
# for tests/hostile/cases/NAME) or a case directory; none: every case of both suites.
# --regen (or ANI_REGEN=1): first rewrite the case's expectations from this run (review the diff).
# Environment: ANI_BIN (default build/allow-namespace-ingress); ANI_WRAP, a command the binary
# runs under (e.g. valgrind ...; time limits are then not checked); ANI_ORACLE, a program run as
# `ORACLE INPUT OUTPUT` after every successful run, which must exit 0.
set -uo pipefail
cd "$(dirname "$0")/../.."
source tests/lib/results.bash
bin=${ANI_BIN:-build/allow-namespace-ingress}
regen=${ANI_REGEN:-}
[ "${1:-}" = --regen ] && { regen=1; shift; }
wrap=()
[ -n "${ANI_WRAP:-}" ] && read -r -a wrap <<<"$ANI_WRAP"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# The two suites (tests/CMakeLists.txt registers their cases under the same names).
suites=(tests/cases tests/hostile/cases)

case_name() { # DIR
	case $1 in
	tests/hostile/cases/*) echo "hostile-${1#tests/hostile/cases/}" ;;
	*) basename "$1" ;;
	esac
}

case_dir() { # NAME or DIR
	case $1 in
	*/*) echo "${1%/}" ;;
	hostile-*) echo "tests/hostile/cases/${1#hostile-}" ;;
	*) echo "tests/cases/$1" ;;
	esac
}

problem() { printf '     %s\n' "$*" >>"$tmp/problems"; }
detail() { head -"${1:-20}" | sed 's/^/       /' >>"$tmp/problems"; }

# run_function INPUT OUT ERR: the binary as the case says (args, env), under ANI_WRAP; sets
# status and ms.
run_function() {
	local start
	start=${EPOCHREALTIME//[!0-9]/}
	env "${envs[@]}" timeout 60 "${wrap[@]}" "$bin" "${args[@]}" <"$1" >"$2" 2>"$3"
	status=$?
	ms=$(((${EPOCHREALTIME//[!0-9]/} - start) / 1000))
}

# derived_from A B: B keeps at least half of A's lines (B is A plus edits: a diff makes sense).
derived_from() {
	local kept
	kept=$(diff -a --unchanged-line-format=x --old-line-format= --new-line-format= "$1" "$2" | wc -c)
	[ "$kept" -gt 0 ] && [ $((2 * kept)) -ge "$(wc -l <"$1")" ]
}

# not_insertions INPUT OUTPUT: the input lines (results aside) that the output removes, or changes
# other than by inserting text at one place in the line (a flow collection gaining an entry).
not_insertions() {
	diff -a <(strip_results "$1") <(strip_results "$2") | LC_ALL=C awk '
		function flush() { for (; k < n; k++) print "< " old[k + 1]; n = 0; k = 0 }
		function inserted(o, w, p) {
			if (length(w) < length(o)) return 0
			for (p = 0; p < length(o) && substr(o, p + 1, 1) == substr(w, p + 1, 1); p++) ;
			return substr(w, length(w) - (length(o) - p) + 1) == substr(o, p + 1)
		}
		/^[0-9]/ { flush(); next }
		/^< / { old[++n] = substr($0, 3); next }
		/^> / { if (k < n && inserted(old[k + 1], substr($0, 3))) k++ }
		END { flush() }'
}

# regen DIR INPUT: rewrite the case's expectations from this run ($status, $tmp/out, $tmp/err).
regen() {
	local dir=$1 input=$2
	if [ "$status" = 0 ]; then rm -f "$dir/exit"; else echo "$status" >"$dir/exit"; fi
	if [ -s "$tmp/err" ]; then cp "$tmp/err" "$dir/expected.stderr"; else rm -f "$dir/expected.stderr"; fi
	if [ ! -s "$tmp/out" ]; then
		rm -f "$dir/expected.diff" "$dir/expected.output"
	elif [ -f "$dir/expected.output" ] ||
		{ [ ! -f "$dir/expected.diff" ] && ! derived_from "$input" "$tmp/out"; }; then
		cp "$tmp/out" "$dir/expected.output"
	else
		diff -u -a --label input --label output "$input" "$tmp/out" >"$dir/expected.diff"
	fi
}

# expected_stdout DIR INPUT OUT: the stdout the case expects, into OUT.
expected_stdout() {
	local dir=$1 input=$2 out=$3
	if [ -f "$dir/expected.output" ]; then
		[ ! -f "$dir/expected.diff" ] || problem "both expected.output and expected.diff"
		cp "$dir/expected.output" "$out"
	elif [ ! -f "$dir/expected.diff" ]; then
		: >"$out"
	elif [ ! -s "$dir/expected.diff" ]; then
		cp "$input" "$out"
	elif ! patch --quiet --force --fuzz=0 --reject-file="$tmp/rejects" --output="$out" "$input" \
		<"$dir/expected.diff" >"$tmp/patch.log" 2>&1; then
		problem "expected.diff does not apply to the input:"
		detail <"$tmp/patch.log"
	fi
}

run_case() { # DIR
	local dir=$1 name input args=() envs=() status ms
	name=$(case_name "$dir")
	: >"$tmp/problems"
	input=$dir/input
	[ -f "$dir/input.path" ] && input=$(cat "$dir/input.path")
	if [ ! -f "$input" ]; then
		problem "no input: $input"
	else
		[ -f "$dir/args" ] && mapfile -t args <"$dir/args"
		[ -f "$dir/config.yaml" ] && args+=("$dir/config.yaml")
		[ -f "$dir/env" ] && mapfile -t envs <"$dir/env"
		run_function "$input" "$tmp/out" "$tmp/err"
		[ -n "$regen" ] && regen "$dir" "$input"
		check_case "$dir" "$input"
	fi
	if [ -s "$tmp/problems" ]; then
		failed=$((failed + 1))
		echo "FAIL $name (exit ${status:-none}, ${ms:-0} ms)"
		cat "$tmp/problems"
		[ -f "$input" ] && sed 's/^/     stderr: /' "$tmp/err" | head -5
	else
		passed=$((passed + 1))
		echo "ok   $name (${ms} ms)"
	fi
}

check_case() { # DIR INPUT, after run_function
	local dir=$1 input=$2 want_exit=0
	# What the case expects.
	[ -f "$dir/exit" ] && want_exit=$(cat "$dir/exit")
	[ "$status" = "$want_exit" ] || problem "exit $status, expected $want_exit"
	if [ -f "$dir/expected.stderr" ]; then
		cmp -s "$dir/expected.stderr" "$tmp/err" ||
			{ problem "stderr differs from expected.stderr:"; diff -u "$dir/expected.stderr" "$tmp/err" | tail -n +3 | detail; }
	elif [ -s "$tmp/err" ]; then
		problem "stderr should be empty"
	fi
	expected_stdout "$dir" "$input" "$tmp/want"
	cmp -s "$tmp/want" "$tmp/out" ||
		{ problem "stdout differs from the expected one:"; diff -u -a "$tmp/want" "$tmp/out" | tail -n +3 | detail 40; }
	if [ -f "$dir/max-seconds" ] && [ ${#wrap[@]} = 0 ] && [ "$ms" -gt $(($(cat "$dir/max-seconds") * 1000)) ]; then
		problem "took $ms ms, more than $(cat "$dir/max-seconds") s"
	fi

	# What every case must do: no crash or timeout; never exit 0 with nothing written; a failure
	# writes nothing or the unchanged list with an error result.
	[ "$status" -le 2 ] || problem "exit $status: crashed, timed out or (valgrind) reported errors"
	[ "$status" != 0 ] || [ -s "$tmp/out" ] || problem "exit 0 with an empty stdout"
	if [ "$status" != 0 ] && [ -s "$tmp/out" ] &&
		! { grep -q '^  severity: error' "$tmp/out" && cmp -s <(strip_results "$input") <(strip_results "$tmp/out"); }; then
		problem "failed, yet wrote something other than the unchanged list with an error result"
	fi
	# Fidelity: a successful run only inserts (unless the case's rewrites-lines says why).
	if [ "$status" = 0 ] && [ ! -f "$dir/rewrites-lines" ]; then
		not_insertions "$input" "$tmp/out" >"$tmp/removed"
		[ ! -s "$tmp/removed" ] || { problem "the output changes or removes input lines:"; detail 10 <"$tmp/removed"; }
	fi
	# Idempotency: the function on its own output gives the same status and bytes, results aside.
	# A Component (--emit-patches) is no input of the function: tests/e2e/emit-patches.sh checks
	# that the render it patches emits nothing more.
	if [ -s "$tmp/out" ] && [[ " ${args[*]} " != *" --emit-patches "* ]]; then
		local first=$status first_ms=$ms
		run_function "$tmp/out" "$tmp/again" "$tmp/again.err"
		if [ "$status" != "$first" ] || ! cmp -s <(strip_results "$tmp/out") <(strip_results "$tmp/again"); then
			problem "a second run on the output gives exit $status (first $first) or other bytes:"
			diff -u -a <(strip_results "$tmp/out") <(strip_results "$tmp/again") | tail -n +3 | detail
		fi
		status=$first ms=$first_ms
	fi
	# The semantic oracle (tests/oracle): every change a result reports is in the object it names,
	# and nothing else changed. Results are on stderr unless a plugin config or --quiet hides
	# them. A Component's patches are checked by applying them (tests/e2e/emit-patches.sh).
	if [ "$status" = 0 ] && [ -n "${ANI_ORACLE:-}" ] && [[ " ${args[*]} " != *" --emit-patches "* ]]; then
		local results=$tmp/err
		[ -f "$dir/config.yaml" ] || printf '%s\n' "${args[@]}" | grep -qxE -- '-q|--quiet' && results=
		if ! "$ANI_ORACLE" "$input" "$tmp/out" $results >"$tmp/oracle" 2>&1; then
			problem "the oracle ($ANI_ORACLE) refuses the output:"
			detail <"$tmp/oracle"
		fi
	fi
}

dirs=()
if [ $# = 0 ]; then
	for suite in "${suites[@]}"; do
		for dir in "$suite"/*/; do dirs+=("${dir%/}"); done
	done
else
	for name in "$@"; do dirs+=("$(case_dir "$name")"); done
fi
for dir in "${dirs[@]}"; do run_case "$dir"; done
echo "cases: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
