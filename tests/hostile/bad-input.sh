#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every data-driven bad-input case under tests/hostile/cases/<name>/ (format in
# tests/hostile/README.md) and prints "N passed, M failed".
#   tests/hostile/bad-input.sh [NAME...]
# Environment: ANI_BIN (default build/allow-namespace-ingress); ANI_WRAP, a command the binary
# runs under (e.g. valgrind ...; time limits are then not checked).
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${ANI_BIN:-build/allow-namespace-ingress}
wrap=()
[ -n "${ANI_WRAP:-}" ] && read -r -a wrap <<<"$ANI_WRAP"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# The input (or output) without its top-level `results:` entry.
strip_results() { awk '/^results:/ {skip = 1; next} skip && /^[^ #-]/ {skip = 0} !skip' "$1"; }

check_stdout() { # kind: prints a reason and returns 1 when stdout is not of that kind
	local out=$tmp/out in=$1 kind=$2
	case $kind in
	empty) [ ! -s "$out" ] || { echo "stdout is not empty"; return 1; } ;;
	unchanged) cmp -s "$in" "$out" || { echo "stdout differs from the input"; return 1; } ;;
	unchanged-list)
		grep -q '^  severity: error' "$out" || { echo "stdout has no error result"; return 1; }
		cmp -s <(strip_results "$in") <(strip_results "$out") ||
			{ echo "stdout is not the unchanged list"; return 1; } ;;
	bom) [ "$(head -c 3 "$out" | od -An -tx1 | tr -d ' \n')" = efbbbf ] ||
		{ echo "stdout does not start with the BOM"; return 1; } ;;
	crlf)
		[ -s "$out" ] || { echo "stdout is empty"; return 1; }
		! grep -q $'[^\r]$' "$out" && [ "$(tail -c 2 "$out" | od -An -tx1 | tr -d ' \n')" = 0d0a ] ||
			{ echo "stdout has a line not ended by CRLF:"; grep -n $'[^\r]$' "$out" | head -3; return 1; } ;;
	block)
		[ -s "$out" ] || { echo "stdout is empty"; return 1; }
		! grep -q '^[[:space:]]*[{[]' "$out" || { echo "stdout is not block style"; return 1; } ;;
	*) echo "unknown stdout check '$kind'"; return 1 ;;
	esac
}

run_case() {
	local dir=$1 name
	name=$(basename "$dir")
	local args=() envs=() problems=()
	[ -f "$dir/args" ] && mapfile -t args <"$dir/args"
	[ -f "$dir/config.yaml" ] && args+=("$dir/config.yaml")
	[ -f "$dir/env" ] && mapfile -t envs <"$dir/env"
	local start end ms got
	start=$(date +%s%N)
	env "${envs[@]}" timeout 60 "${wrap[@]}" "$bin" "${args[@]}" <"$dir/input" >"$tmp/out" 2>"$tmp/err"
	got=$?
	end=$(date +%s%N)
	ms=$(((end - start) / 1000000))
	local want_exit=0 line key val
	while IFS= read -r line || [ -n "$line" ]; do
		[ -z "$line" ] && continue
		key=${line%%:*}
		val=${line#*: }
		[ "$val" = "$line" ] && val=${line#*:}
		case $key in
		exit) want_exit=$val ;;
		stderr) grep -qF -- "$val" "$tmp/err" || problems+=("stderr lacks: $val") ;;
		stderr-lines)
			[ "$(wc -l <"$tmp/err")" = "$val" ] ||
				problems+=("stderr has $(wc -l <"$tmp/err") lines, expected $val") ;;
		stdout)
			local why
			why=$(check_stdout "$dir/input" "$val") || problems+=("$why") ;;
		stdout-contains) grep -qF -- "$val" "$tmp/out" || problems+=("stdout lacks: $val") ;;
		max-seconds)
			[ ${#wrap[@]} -gt 0 ] || [ "$ms" -le $((val * 1000)) ] ||
				problems+=("took ${ms} ms, more than $val s") ;;
		*) problems+=("unknown expect key '$key'") ;;
		esac
	done <"$dir/expect"
	[ "$got" = "$want_exit" ] || problems+=("exit $got, expected $want_exit")
	# Whatever the case: never a crash or a timeout, never exit 0 with nothing written, and a
	# failure writes nothing or the unchanged list with an error result.
	[ "$got" -le 2 ] || problems+=("exit $got: crashed, timed out or (valgrind) reported errors")
	[ "$got" != 0 ] || [ -s "$tmp/out" ] || problems+=("exit 0 with an empty stdout")
	if [ "$got" = 1 ] && [ -s "$tmp/out" ] && ! check_stdout "$dir/input" unchanged-list >/dev/null; then
		problems+=("failed, yet wrote something other than the unchanged list")
	fi
	# Semantic oracle (tests/oracle) on every success; the plugin config or --quiet hides results.
	if [ "$got" = 0 ] && [ -n "${ANI_ORACLE:-}" ]; then
		local err=$tmp/err
		[ -f "$dir/config.yaml" ] || printf '%s\n' "${args[@]}" | grep -qxE -- '-q|--quiet' && err=
		"$ANI_ORACLE" "$dir/input" "$tmp/out" $err 2>"$tmp/oracle" ||
			problems+=("the semantic oracle refuses the output: $(cat "$tmp/oracle")")
	fi
	if [ ${#problems[@]} = 0 ]; then
		passed=$((passed + 1))
		[ -n "${VERBOSE:-}" ] && echo "ok   $name (${ms} ms)"
	else
		failed=$((failed + 1))
		echo "FAIL $name (exit $got, ${ms} ms)"
		printf '     %s\n' "${problems[@]}"
		sed 's/^/     stderr: /' "$tmp/err" | head -5
	fi
}

if [ $# -gt 0 ]; then
	for name in "$@"; do run_case "tests/hostile/cases/$name"; done
else
	for dir in tests/hostile/cases/*/; do run_case "${dir%/}"; done
fi
echo "bad-input: $passed passed, $failed failed"
[ "$failed" = 0 ]
