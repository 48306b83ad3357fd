#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what building and testing need, on Debian 12: apt-get when root, else says what to run.
# Usage: scripts/deps.sh [GROUP...]   (default: build)
#   build  compiler, CMake, libyaml
#   test   build, plus Criterion, clang for the fuzzer, valgrind, the e2e tools, image and arm64;
#          checks for kubectl and kpt
#   image  Debian's docker engine, debootstrap and a registry (tests/e2e/container.sh builds, runs
#          and publishes the image)
#   arm64  the arm64 cross compiler, arm64 libyaml and qemu-user-static (cmake/aarch64-linux-gnu.cmake)
#   bench  what bench/run.sh needs: libfyaml for its baseline, valgrind for --callgrind, python3
set -euo pipefail
[ $# -gt 0 ] || set -- build

packages=()
arm64=0
check_kube_tools=0
add_group() {
	case $1 in
	build) packages+=(gcc make cmake pkg-config libyaml-dev) ;;
	test)
		add_group build
		add_group image
		add_group arm64
		packages+=(libcriterion-dev clang libclang-rt-14-dev afl++ valgrind python3 python3-yaml git patch file binutils groff-base man-db)
		check_kube_tools=1
		;;
	image) packages+=(docker.io debootstrap docker-registry) ;;
	bench)
		add_group build
		packages+=(libfyaml-dev valgrind python3)
		;;
	arm64)
		arm64=1
		packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross libyaml-dev:arm64 qemu-user-static)
		;;
	*)
		echo "deps: unknown group '$1' (build, test, image, arm64, bench)" >&2
		exit 2
		;;
	esac
}
for group in "$@"; do add_group "$group"; done

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	need_arch=0
	[ $arm64 = 1 ] && ! dpkg --print-foreign-architectures | grep -qx arm64 && need_arch=1
	if [ "$(id -u)" = 0 ]; then
		# Tests run in parallel may call this at once: one apt-get at a time.
		exec 9>/var/lock/allow-namespace-ingress-deps.lock
		flock 9
		echo "deps: installing ${missing[*]}"
		[ $need_arch = 1 ] && dpkg --add-architecture arm64
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	else
		echo "deps: missing Debian packages: ${missing[*]}" >&2
		[ $need_arch = 1 ] && echo "deps: run: sudo dpkg --add-architecture arm64 && sudo apt-get update" >&2
		echo "deps: run: sudo apt-get install ${missing[*]}" >&2
		exit 1
	fi
fi

if [ $check_kube_tools = 1 ]; then
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
