#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Output and input failures are errors: a closed pipe (EPIPE), a full device (/dev/full), a file
# size limit (EFBIG), a closed stdout, a failing read (stdin a directory, stdin closed). In each the
# function must exit non-zero with one "cannot write"/"cannot read" line on stderr, and it must
# never exit 0 having written less than the complete output. Prints "N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
bin=${ANI_BIN:-build/allow-namespace-ingress}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() {
	passed=$((passed + 1))
	[ -n "${VERBOSE:-}" ] && echo "ok   $1"
	return 0
}
bad() {
	failed=$((failed + 1))
	echo "FAIL $1: $2"
	[ -s "$tmp/err" ] && sed 's/^/     stderr: /' "$tmp/err" | head -5
	return 0
}

big=tests/fixtures/krm/flux-octopilot.typed-config.yaml      # 352 KB, a ResourceList
stream=tests/fixtures/legacy-plugin/flux-octopilot.stdin.yaml # 320 KB, a YAML stream
small=tests/hostile/cases/bom-resource-list/input             # 1 KB: fits any stdio buffer
plugin_config=tests/fixtures/legacy-plugin/flux-octopilot.config.yaml

# The complete output, for comparison.
"$bin" <"$big" >"$tmp/big.out" 2>/dev/null || bad reference "the reference run failed"
"$bin" "$plugin_config" <"$stream" >"$tmp/stream.out" 2>/dev/null || bad reference "stream failed"

# expect_error NAME STATUS PATTERN: a non-zero status (no crash) and PATTERN on stderr.
expect_error() {
	local name=$1 status=$2 pattern=$3
	if [ "$status" = 0 ]; then
		bad "$name" "exit 0"
	elif [ "$status" -gt 2 ] && [ "$status" != 141 ]; then
		bad "$name" "exit $status (a crash?)"
	elif ! grep -q "$pattern" "$tmp/err"; then
		bad "$name" "stderr lacks '$pattern'"
	else
		ok "$name"
	fi
}

# 1. The reader closes the pipe early (EPIPE): big outputs, reader takes 10 bytes.
for input in "$big" "$stream"; do
	args=()
	[ "$input" = "$stream" ] && args=("$plugin_config")
	"$bin" "${args[@]}" <"$input" 2>"$tmp/err" | head -c 10 >/dev/null
	status=${PIPESTATUS[0]}
	expect_error "EPIPE $(basename "$input")" "$status" 'error: cannot write the output: Broken pipe'
done
# The reader exits before reading anything at all. The input arrives late, so the reader is
# surely gone before the function writes, however loaded the machine is.
(sleep 0.5; cat "$big") | "$bin" 2>"$tmp/err" | true
expect_error "EPIPE, reader gone at once" "${PIPESTATUS[1]}" 'error: cannot write the output'
# A small output: the whole list sits in the stdio buffer until the final flush.
(sleep 0.5; cat "$small") | "$bin" 2>"$tmp/err" | (exec 0<&-; sleep 1)
expect_error "EPIPE, small output flushed at exit" "${PIPESTATUS[1]}" 'error: cannot write the output'

# 2. A full device.
for input in "$big" "$small"; do
	"$bin" <"$input" >/dev/full 2>"$tmp/err"
	status=$?
	expect_error "/dev/full ${input#tests/}" "$status" \
		'error: cannot write the output: No space left on device'
done
"$bin" "$plugin_config" <"$stream" >/dev/full 2>"$tmp/err"
expect_error "/dev/full legacy-plugin stream" $? 'error: cannot write the output: No space left on device'

# 3. A file size limit (a disk that fills after some bytes): EFBIG once SIGXFSZ is ignored.
(
	ulimit -f 64 # 64 blocks of 512 bytes: 32 KiB of the 352 KB output
	trap '' XFSZ
	exec "$bin" <"$big" >"$tmp/partial" 2>"$tmp/err"
)
status=$?
expect_error "file size limit (EFBIG)" "$status" 'error: cannot write the output: File too large'
[ "$(wc -c <"$tmp/partial")" -lt "$(wc -c <"$tmp/big.out")" ] ||
	bad "file size limit" "the limit did not cut the output (test setup)"

# 4. stdout closed.
"$bin" <"$small" >&- 2>"$tmp/err"
expect_error "stdout closed" $? 'error: cannot write the output: Bad file descriptor'

# 5. Failing reads: nothing is written, exit 1, one line naming the read.
for how in directory closed; do
	if [ $how = directory ]; then
		"$bin" </ >"$tmp/out" 2>"$tmp/err"
	else
		"$bin" <&- >"$tmp/out" 2>"$tmp/err"
	fi
	status=$?
	if [ "$status" != 1 ]; then
		bad "read from a $how stdin" "exit $status, expected 1"
	elif [ -s "$tmp/out" ]; then
		bad "read from a $how stdin" "wrote something"
	elif [ "$(wc -l <"$tmp/err")" != 1 ] || ! grep -q 'error: cannot read stdin: ' "$tmp/err"; then
		bad "read from a $how stdin" "stderr is not one 'cannot read stdin' line"
	else
		ok "read from a $how stdin"
	fi
done
# An unreadable plugin config file.
"$bin" /nonexistent/config.yaml <"$stream" >"$tmp/out" 2>"$tmp/err"
status=$?
if [ "$status" = 1 ] && [ ! -s "$tmp/out" ] && grep -q 'error: cannot read config /nonexistent/config.yaml: No such file or directory' "$tmp/err"; then
	ok "unreadable plugin config"
else
	bad "unreadable plugin config" "exit $status"
fi

# 6. Slow, fragmented input through a pipe is read whole.
(head -c 100000 "$big"; sleep 0.3; tail -c +100001 "$big") | "$bin" >"$tmp/out" 2>"$tmp/err"
if [ "${PIPESTATUS[1]}" = 0 ] && cmp -s "$tmp/out" "$tmp/big.out"; then
	ok "fragmented input"
else
	bad "fragmented input" "output differs from a whole read"
fi

# 7. Whenever the function exits 0, what it wrote is the complete output: through a pipe read
#    slowly in small pieces, the bytes equal the reference.
"$bin" <"$big" 2>"$tmp/err" | dd bs=4096 status=none >"$tmp/out"
status=${PIPESTATUS[0]}
if [ "$status" = 0 ] && cmp -s "$tmp/out" "$tmp/big.out"; then
	ok "complete output through a pipe"
else
	bad "complete output through a pipe" "exit $status or incomplete output"
fi

echo "output-failures: $passed passed, $failed failed"
[ "$failed" = 0 ]
