#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every data-driven case under tests/cases/<name>/ (see tests/cases/README.md):
# the binary on the case's input, compared with the expected exit status, stdout and stderr;
# then, for successful runs, the fidelity and idempotency checks.
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${ANI_BIN:-build/allow-namespace-ingress}
only=${1:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

fail() {
	echo "FAIL $name: $*"
	failed=$((failed + 1))
}

strip_results() { sed '/^results:/,$d' "$1"; }

for dir in tests/cases/*/; do
	name=$(basename "$dir")
	[ -n "$only" ] && [ "$name" != "$only" ] && continue
	input=$dir/input.yaml
	[ -f "$dir/input.path" ] && input=$(cat "$dir/input.path")
	args=()
	[ -f "$dir/args" ] && mapfile -t args <"$dir/args"
	[ -f "$dir/plugin-config.yaml" ] && args+=("$dir/plugin-config.yaml")
	want_exit=0
	[ -f "$dir/exit" ] && want_exit=$(cat "$dir/exit")

	"$bin" "${args[@]}" <"$input" >"$tmp/out" 2>"$tmp/err"
	got_exit=$?
	ok=1
	if [ "$got_exit" != "$want_exit" ]; then
		fail "exit $got_exit, expected $want_exit"; sed 's/^/  stderr: /' "$tmp/err"; ok=0
	fi
	if [ $ok = 1 ] && [ -f "$dir/expected.yaml" ] && ! cmp -s "$dir/expected.yaml" "$tmp/out"; then
		fail "stdout differs from expected.yaml"; diff -u "$dir/expected.yaml" "$tmp/out" | head -40; ok=0
	fi
	if [ $ok = 1 ] && [ ! -f "$dir/expected.yaml" ] && [ -s "$tmp/out" ]; then
		fail "stdout should be empty"; head -5 "$tmp/out"; ok=0
	fi
	if [ $ok = 1 ]; then
		if [ -f "$dir/expected.stderr" ]; then
			while IFS= read -r line; do
				[ -z "$line" ] && continue
				if ! grep -qF -- "$line" "$tmp/err"; then
					fail "stderr lacks: $line"; sed 's/^/  stderr: /' "$tmp/err"; ok=0; break
				fi
			done <"$dir/expected.stderr"
		elif [ -s "$tmp/err" ]; then
			fail "stderr should be empty"; sed 's/^/  stderr: /' "$tmp/err"; ok=0
		fi
	fi
	# Fidelity: a successful run only adds lines (unless the case has a rewrites-lines file saying why).
	if [ $ok = 1 ] && [ "$got_exit" = 0 ] && [ ! -f "$dir/rewrites-lines" ] &&
		diff "$input" "$tmp/out" | grep -q '^<'; then
		fail "output changes or removes input lines:"; diff "$input" "$tmp/out" | grep '^<' | head; ok=0
	fi
	# Idempotency: the output, run again, gives itself back (results aside). A Component
	# (--emit-patches) is no input of the function: tests/e2e/emit-patches.sh checks that the
	# render it patches emits nothing more.
	if [ $ok = 1 ] && [ "$got_exit" = 0 ] && [ -s "$tmp/out" ] && [[ " ${args[*]} " != *" --emit-patches "* ]]; then
		"$bin" "${args[@]}" <"$tmp/out" >"$tmp/again" 2>/dev/null
		if [ $? != 0 ] || ! cmp -s <(strip_results "$tmp/out") <(strip_results "$tmp/again"); then
			fail "a second run changes the output"; diff <(strip_results "$tmp/out") <(strip_results "$tmp/again") | head; ok=0
		fi
	fi
	# Semantic oracle (tests/oracle): every change a result reports is in the object it names, and
	# nothing else changed. Results are on stderr unless the legacy plugin or --quiet hides them.
	# A Component's patches are checked by applying them (tests/e2e/emit-patches.sh).
	if [ $ok = 1 ] && [ "$got_exit" = 0 ] && [ -n "${ANI_ORACLE:-}" ] && [[ " ${args[*]} " != *" --emit-patches "* ]]; then
		err=$tmp/err
		[ -f "$dir/plugin-config.yaml" ] || printf '%s\n' "${args[@]}" | grep -qxE -- '-q|--quiet' && err=
		"$ANI_ORACLE" "$input" "$tmp/out" $err || { fail "the semantic oracle refuses the output"; ok=0; }
	fi
	if [ $ok = 1 ]; then
		passed=$((passed + 1))
		echo "ok   $name"
	fi
done
echo "cases: $passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
