#!/usr/bin/env bash
# The whole test suite: unit, data-driven, end-to-end (real kubectl kustomize and kpt), hostile
# input, then the same under ASan+UBSan and valgrind, then a short fuzzing campaign.
# Usage: scripts/test.sh [--quick]   (--quick: skip sanitizers and fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
quick=0
[ "${1:-}" = --quick ] && quick=1
scripts/deps.sh test

summary=()
failures=0
step() {
	local name=$1
	shift
	echo
	echo "==== $name"
	if "$@"; then
		summary+=("ok     $name")
	else
		summary+=("FAILED $name")
		failures=$((failures + 1))
	fi
}

build() {
	cmake -S . -B build -DANI_TESTS=ON >/dev/null &&
		cmake --build build -j"$(nproc)" 2>&1 | grep -v '^\[' || [ "${PIPESTATUS[0]}" = 0 ]
}
format_check() {
	command -v clang-format >/dev/null || { echo "clang-format not installed: skipped"; return 0; }
	clang-format --dry-run --Werror function/*.c function/*.h include/*.h tests/unit/*.c \
		tests/unit/*.h $(ls tests/api/*.c tests/tools/*.c fuzz/*.c 2>/dev/null)
}
step "build (-Wall -Wextra -Werror)" build
step "clang-format" format_check
step "ctest: unit, api, cases, e2e, hostile" ctest --test-dir build --output-on-failure -j2
if [ $quick = 0 ]; then
	step "ASan+UBSan and valgrind" scripts/sanitize.sh
	step "fuzzing (bounded) and crash replay" scripts/fuzz.sh "${ANI_FUZZ_SECONDS:-120}"
fi

echo
echo "==== summary"
printf '%s\n' "${summary[@]}"
passed=$((${#summary[@]} - failures))
echo "steps: $passed passed, $failures failed"
[ "$failures" = 0 ]
