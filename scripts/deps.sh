#!/usr/bin/env bash
# Installs what building and testing need, on Debian 12: apt-get when root, else says what to run.
# Usage: scripts/deps.sh [build|test]   (build: compiler, CMake, libyaml; test: also Criterion,
# clang for the fuzzer, valgrind, and checks for kubectl and kpt)
set -euo pipefail
want=${1:-build}

packages=(gcc make cmake pkg-config libyaml-dev)
if [ "$want" = test ]; then
	packages+=(libcriterion-dev clang libclang-rt-14-dev valgrind python3 python3-yaml git patch file binutils groff-base man-db)
fi

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "deps: installing ${missing[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	else
		echo "deps: missing Debian packages: ${missing[*]}" >&2
		echo "deps: run: sudo apt-get install ${missing[*]}" >&2
		exit 1
	fi
fi

if [ "$want" = test ]; then
	# kubectl (with its embedded kustomize) and kpt run the end-to-end tests. They are not in
	# Debian: they come from the Google Cloud CLI apt repository (packages kubectl and
	# google-cloud-cli-kpt).
	for tool in kubectl kpt; do
		if ! command -v "$tool" >/dev/null; then
			echo "deps: $tool is not installed: the end-to-end tests that run it will fail." >&2
			echo "deps: install the Debian packages kubectl and google-cloud-cli-kpt from the" >&2
			echo "deps: Google Cloud CLI apt repository." >&2
		fi
	done
fi
