#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A stand-in for the binary that runs two builds of it on the same arguments, environment and
# stdin, and records every difference of stdout, stderr or exit status; it then answers as the
# native build did, so the test runner that called it checks its usual expectations too.
#   ANI_NATIVE_BIN   the native binary
#   ANI_OTHER_CMD    the other build, as a command line (e.g. "qemu-aarch64-static build/x")
#   ANI_COMPARE_DIR  where calls.log (one line per call) and differences.log are appended
set -uo pipefail
work=$(mktemp -d "$ANI_COMPARE_DIR/call.XXXXXX")
cat >"$work/stdin"
"$ANI_NATIVE_BIN" "$@" <"$work/stdin" >"$work/native.out" 2>"$work/native.err"
native_exit=$?
read -r -a other <<<"$ANI_OTHER_CMD"
"${other[@]}" "$@" <"$work/stdin" >"$work/other.out" 2>"$work/other.err"
other_exit=$?
call="args: [${*@Q}] stdin: $(wc -c <"$work/stdin") bytes"
echo "$call" >>"$ANI_COMPARE_DIR/calls.log"
{
	[[ $native_exit == "$other_exit" ]] || echo "$call: exit $native_exit native, $other_exit other"
	cmp -s "$work/native.out" "$work/other.out" ||
		{ echo "$call: stdout differs"; diff -u "$work/native.out" "$work/other.out" | head -20; }
	cmp -s "$work/native.err" "$work/other.err" ||
		{ echo "$call: stderr differs"; diff -u "$work/native.err" "$work/other.err" | head -20; }
} >>"$ANI_COMPARE_DIR/differences.log"
cat "$work/native.out"
cat "$work/native.err" >&2
rm -rf "$work"
exit "$native_exit"
