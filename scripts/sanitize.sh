#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sanitizers and leaks:
#  1. configures build-asan/ with -DANI_SANITIZE=ON (ASan + UBSan, every finding fatal), builds it
#     and runs the whole ctest suite against it;
#  2. runs the end-to-end cases under valgrind (memcheck, full leak check, every leak kind an
#     error) on the normal binary from build/: every data-driven case (tests/cases and
#     tests/hostile/cases), and the captured kustomize / kpt / legacy-plugin inputs;
#     zero errors and zero leaks required, and the output must equal the run without valgrind.
# Prints "N passed, M failed" and exits non-zero on any failure.
#   scripts/sanitize.sh [--no-asan | --no-valgrind]
set -uo pipefail
cd "$(dirname "$0")/.."
do_asan=1
do_valgrind=1
case ${1:-} in
--no-asan) do_asan=0 ;;
--no-valgrind) do_valgrind=0 ;;
esac
jobs=$(nproc)
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

if [ $do_asan = 1 ]; then
	echo "==== ASan+UBSan: build-asan/"
	if cmake -S . -B build-asan -DANI_SANITIZE=ON -DANI_TESTS=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null &&
		cmake --build build-asan -j"$jobs" 2>&1 | grep -Ev '^\[|^(gmake|make)' ; [ "${PIPESTATUS[0]}" = 0 ]; then
		ok "build-asan"
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		# The image and the arm64 build are made from the sources, not this binary: they run once,
		# in the normal suite.
		if ctest --test-dir build-asan --output-on-failure -j"$jobs" -E '^e2e-(container|arm64)$'; then
			ok "ctest under ASan+UBSan"
		else
			bad "ctest under ASan+UBSan"
		fi
		unset ASAN_OPTIONS UBSAN_OPTIONS
	else
		bad "build-asan"
	fi
fi

if [ $do_valgrind = 1 ]; then
	echo "==== valgrind: build/allow-namespace-ingress"
	command -v valgrind >/dev/null || { echo "valgrind is not installed (scripts/deps.sh test)"; exit 1; }
	if ! { cmake -S . -B build >/dev/null && cmake --build build -j"$jobs" --target allow-namespace-ingress >/dev/null; }; then
		bad "build"
	else
		bin=$(realpath build/allow-namespace-ingress)
		tmp=$(mktemp -d)
		trap 'rm -rf "$tmp"' EXIT
		mkdir "$tmp/vg"
		vg=(valgrind -q --log-file="$tmp/vg/%p.log" --error-exitcode=99 --leak-check=full
			--errors-for-leak-kinds=all --show-leak-kinds=all --track-fds=no)
		vg_report() { # prints what valgrind said, and clears it; returns 1 when it said something
			local said=0 f
			for f in "$tmp"/vg/*.log; do
				[ -s "$f" ] || continue
				said=1
				sed 's/^/     /' "$f" | head -40
			done
			rm -f "$tmp"/vg/*.log
			[ $said = 0 ]
		}

		# Every data-driven case (tests/cases, tests/hostile/cases): their runner, with the binary
		# under valgrind.
		if ANI_BIN=$bin ANI_WRAP="${vg[*]}" bash tests/cases/run.sh >"$tmp/cases.log" 2>&1 && vg_report; then
			ok "valgrind: data-driven cases ($(tail -1 "$tmp/cases.log"))"
		else
			grep -v '^ok ' "$tmp/cases.log" | head -60
			vg_report
			bad "valgrind: data-driven cases"
		fi

		# The captured real inputs, each as its orchestrator passes it.
		run_fixture() { # NAME INPUT [ARGS...]
			local name=$1 input=$2
			shift 2
			"$bin" "$@" <"$input" >"$tmp/want" 2>/dev/null
			local want=$?
			"${vg[@]}" "$bin" "$@" <"$input" >"$tmp/got" 2>/dev/null
			local got=$?
			if [ "$got" = 99 ] || ! vg_report; then
				bad "valgrind: $name (memory errors or leaks)"
			elif [ "$got" != "$want" ] || ! cmp -s "$tmp/want" "$tmp/got"; then
				bad "valgrind: $name (exit $got, not $want, or other output)"
			else
				ok "valgrind: $name (exit $got)"
			fi
		}
		for f in tests/fixtures/krm/*.yaml tests/fixtures/kpt/*.yaml; do
			run_fixture "$f" "$f"
		done
		run_fixture "legacy plugin" tests/fixtures/legacy-plugin/flux-octopilot.stdin.yaml \
			tests/fixtures/legacy-plugin/flux-octopilot.config.yaml
		run_fixture "filter, check mode" tests/fixtures/flux/gotk-components.yaml --check
		run_fixture "filter, flags" tests/fixtures/flux/gotk-components.yaml --policy \
			flux-system/allow-egress --from-namespace a --from-namespace b --port 80 --port 8000-8080/UDP
	fi
fi

echo "sanitize: $passed passed, $failed failed"
[ "$failed" = 0 ]
