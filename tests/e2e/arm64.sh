#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# linux/arm64: the cross build of the README, run under qemu-aarch64-static, against the native
# binary ($ANI_BIN).
#  1. cmake -S . -B $ANI_BUILD_DIR/arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#     -DANI_STATIC=ON builds a static aarch64 binary (kept in the build directory: re-runs are
#     incremental);
#  2. on every captured input (tests/fixtures/krm, kpt, legacy-plugin) it gives the native
#     binary's stdout, stderr and exit status, byte for byte;
#  3. the data-driven case runner (tests/cases and tests/hostile/cases) runs with a stand-in
#     binary (lib/same-as-native.bash) that runs both builds on each case's arguments and stdin and
#     records any difference: every case input is compared, and the runners' own checks pass.
set -euo pipefail
# shellcheck source=tests/e2e/lib/common.bash
source "$(dirname "$0")/lib/common.bash"
[[ -z ${ANI_E2E_IN_STATIC:-} ]] || { echo "$E2E_NAME: runs once, as its own ctest test (nested run skipped)"; exit 0; }

scripts/deps.sh arm64 || fail "the arm64 tools are missing (scripts/deps.sh arm64 says what to install)"
ARM_BUILD=$ANI_BUILD_DIR/arm64

step "cross build: cmake -S . -B \$ANI_BUILD_DIR/arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DANI_STATIC=ON"
start=$SECONDS
{ cmake -S . -B "$ARM_BUILD" -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake -DANI_STATIC=ON &&
	cmake --build "$ARM_BUILD" -j2; } >"$TMP/build.log" 2>&1 || { cat "$TMP/build.log" >&2; fail "the arm64 build failed (output above)"; }
ARM=$ARM_BUILD/allow-namespace-ingress
file -L "$ARM" | tee "$TMP/file.txt" | sed 's/^/    /'
grep -q 'ARM aarch64' "$TMP/file.txt" && grep -q 'statically linked' "$TMP/file.txt" || fail "not a static aarch64 binary"
ok "static aarch64 binary in $((SECONDS - start)) s"

step "qemu-aarch64-static runs it: --version is the native binary's"
[[ $(qemu-aarch64-static "$ARM" --version) == "$("$ANI_BIN" --version)" ]] || fail "--version differs"
ok "$(qemu-aarch64-static "$ARM" --version)"

export ANI_NATIVE_BIN=$ANI_BIN ANI_OTHER_CMD="qemu-aarch64-static $ARM" ANI_COMPARE_DIR=$TMP/compare
mkdir -p "$ANI_COMPARE_DIR"
: >"$ANI_COMPARE_DIR/differences.log"
SAME=$(dirname "$0")/lib/same-as-native.bash
differences() { # WHAT: fail when the stand-in recorded a difference
	[[ ! -s $ANI_COMPARE_DIR/differences.log ]] || { sed 's/^/    /' "$ANI_COMPARE_DIR/differences.log" >&2; fail "$1: arm64 and native differ (above)"; }
}

step "the captured inputs: the same stdout, stderr and exit status as native"
n=0
for f in tests/fixtures/krm/*.yaml tests/fixtures/kpt/*.yaml; do
	"$SAME" <"$f" >/dev/null 2>&1 || true
	n=$((n + 1))
done
"$SAME" tests/fixtures/legacy-plugin/flux-octopilot.config.yaml <tests/fixtures/legacy-plugin/flux-octopilot.stdin.yaml >/dev/null 2>&1 || true
n=$((n + 1))
differences "captured inputs"
ok "$n captured inputs: identical"

for runner in tests/cases/run.sh; do
	step "$runner with every case run by both builds"
	before=$(wc -l <"$ANI_COMPARE_DIR/calls.log")
	ANI_BIN=$SAME bash "$runner" >"$TMP/runner.log" 2>&1 || { tail -20 "$TMP/runner.log" >&2; fail "$runner failed with the stand-in"; }
	differences "$runner"
	calls=$(($(wc -l <"$ANI_COMPARE_DIR/calls.log") - before))
	[[ $calls -gt 0 ]] || fail "$runner never called the binary"
	ok "$(tail -1 "$TMP/runner.log"); $calls runs, arm64 identical to native in each"
done

echo "$E2E_NAME: PASS"
