#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The release steps, from the names CMake generates (build/release.env: version from project(),
# registry from the ANI_IMAGE_REGISTRY cache variable). docs/release.md says when to run each.
#
# Usage: scripts/release.sh COMMAND   (ANI_BUILD_DIR: the CMake build directory, default build)
#   image [ARGS...]  build the image: $ANI_ENGINE (default docker) build -t $ANI_IMAGE with the OCI
#                    labels' values as --build-arg; ARGS go to the engine (e.g. --platform)
#   index            build linux/amd64 and linux/arm64 images with BuildKit, push them as
#                    $ANI_IMAGE-amd64 and -arm64 and push the two-platform index $ANI_IMAGE
#                    (ANI_PUSH_REGISTRY instead of the configured registry; ANI_REGISTRY_INSECURE=1
#                    for a plain-HTTP registry); needs a docker client with BuildKit
#   notes            print the CHANGELOG.md section of this version: the release notes
#   refs             rewrite every documented image reference (and release source link) to this
#                    release's: $ANI_IMAGE
#   refs --check     list those that are not this release's (exit 1 if any)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${ANI_BUILD_DIR:-build}

# An unconfigured tree gets a configure without tests (no Criterion needed to build an image); a
# configured one is re-configured when the version or the registry may have changed.
if [ ! -f "$build/CMakeCache.txt" ]; then
	cmake -S . -B "$build" -DANI_TESTS=OFF >/dev/null
elif [ ! -f "$build/release.env" ] || [ CMakeLists.txt -nt "$build/release.env" ] ||
	[ cmake/Release.cmake -nt "$build/release.env" ]; then
	cmake "$build" >/dev/null
fi
# shellcheck source=/dev/null
. "$build/release.env"

# The files that quote the image reference: docs, examples and the catalog metadata (fixtures and
# captured outputs are other projects' text).
doc_files() {
	git ls-files -- '*.md' '*.yaml' '*.yml' '*Containerfile' 'docs/*' metadata.yaml |
		grep -vE '^(tests/|bench/|fuzz/|examples/flux/|CHANGELOG\.md$)'
}
# What carries the version: references to the project's images (the function, the Argo CD tools
# image) and links to the source tree of a release.
ref_pattern="([A-Za-z0-9.-]+(:[0-9]+)?/)*allow-namespace-ingress(-tools)?:[A-Za-z0-9_][A-Za-z0-9._-]*|$ANI_SOURCE_URL/tree/v[0-9][A-Za-z0-9.-]*[0-9]"
wanted_ref() { # REF: what REF should be
	case $1 in
	"$ANI_SOURCE_URL"/tree/*) echo "$ANI_SOURCE_URL/tree/v$ANI_VERSION" ;;
	*allow-namespace-ingress-tools:*) echo "$ANI_IMAGE_REGISTRY/allow-namespace-ingress-tools:$ANI_VERSION" ;;
	*) echo "$ANI_IMAGE" ;;
	esac
}

build_image() { # TAG ENGINE_ARGS...: docker build -t TAG with the labels' build args
	local engine=${ANI_ENGINE:-docker} tag=$1 revision cmd
	shift
	revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
	[ -z "$(git status --porcelain 2>/dev/null)" ] || revision=$revision-dirty
	cmd=("$engine" build -t "$tag"
		--build-arg "ANI_VERSION=$ANI_VERSION" --build-arg "ANI_REVISION=$revision"
		--build-arg "ANI_SOURCE_URL=$ANI_SOURCE_URL" --build-arg "ANI_LICENSE=$ANI_LICENSE"
		--build-arg "ANI_DESCRIPTION=$ANI_DESCRIPTION" "$@" -f Containerfile .)
	printf 'release:'
	printf ' %q' "${cmd[@]}"
	echo
	"${cmd[@]}"
}

case ${1:-} in
image)
	shift
	build_image "$ANI_IMAGE" "$@"
	;;
index)
	export DOCKER_BUILDKIT=1 DOCKER_CLI_EXPERIMENTAL=enabled # docker 20.10's manifest command
	engine=${ANI_ENGINE:-docker}
	index=${ANI_PUSH_REGISTRY:-$ANI_IMAGE_REGISTRY}/allow-namespace-ingress:$ANI_VERSION
	insecure=()
	[ "${ANI_REGISTRY_INSECURE:-0}" = 1 ] && insecure=(--insecure)
	for arch in amd64 arm64; do
		build_image "$index-$arch" --platform "linux/$arch"
		"$engine" push "$index-$arch"
	done
	"$engine" manifest rm "$index" >/dev/null 2>&1 || true
	"$engine" manifest create "${insecure[@]}" "$index" "$index-amd64" "$index-arm64"
	"$engine" manifest push "${insecure[@]}" "$index"
	;;
notes)
	section=$(awk -v v="$ANI_VERSION" '
		/^## / { if (found) exit; found = ($2 == "[" v "]"); next }
		found' CHANGELOG.md)
	[ -n "$(tr -d '[:space:]' <<<"$section")" ] ||
		{ echo "release: CHANGELOG.md has no '## [$ANI_VERSION]' section" >&2; exit 1; }
	printf '%s\n' "$section"
	;;
refs)
	check=0
	[ "${2:-}" = --check ] && check=1
	bad=0
	while IFS= read -r file; do
		while IFS=: read -r line ref; do
			want=$(wanted_ref "$ref")
			[ "$ref" = "$want" ] && continue
			if [ $check = 1 ]; then
				echo "$file:$line: $ref (want $want)"
				bad=1
			else
				sed -i "${line}s|$ref|$want|g" "$file"
				echo "release: $file:$line: $ref -> $want"
			fi
		done < <(grep -noE "$ref_pattern" "$file" || true)
		# An untagged reference means :latest.
		if grep -nE "$ANI_IMAGE_REGISTRY/allow-namespace-ingress(-tools)?([^:A-Za-z0-9-]|$)" "$file"; then
			echo "$file: an image reference without a tag (above)"
			bad=1
		fi
	done < <(doc_files)
	[ $bad = 0 ]
	;;
*)
	sed -n '3,11s/^# \{0,1\}//p' "$0" >&2
	exit 2
	;;
esac
