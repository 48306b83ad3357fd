#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One version, from one place: the CMake project version (build/release.env, generated) is what
# the generated header, --version, the man page and the top CHANGELOG.md entry say, and the
# release notes exist for it; every documented image reference is $ANI_IMAGE (full, tagged with the
# version, never latest); LICENSE is Apache-2.0 and every source file of the project says so.
# (The image's labels are checked where the image is built: tests/e2e/container.sh.)
set -euo pipefail
# shellcheck source=tests/e2e/lib/common.bash
source "$(dirname "$0")/lib/common.bash"
[[ -f $ANI_BUILD_DIR/release.env ]] || fail "no $ANI_BUILD_DIR/release.env: configure the build first"
# shellcheck source=/dev/null
. "$ANI_BUILD_DIR/release.env"

step "the version is written once: in project() of CMakeLists.txt, nowhere else in the sources"
grep -qE "^project\(allow-namespace-ingress VERSION $ANI_VERSION\$" CMakeLists.txt || fail "CMakeLists.txt's project() does not say VERSION $ANI_VERSION"
hits=$(git grep -nF "$ANI_VERSION" -- CMakeLists.txt cmake include function docs/allow-namespace-ingress.1.in Containerfile | grep -v '^CMakeLists.txt:.*project(' || true)
[[ -z $hits ]] || { echo "$hits" >&2; fail "the version is also written by hand above"; }
ok "$ANI_VERSION"

step "the generated header, --version, the man page and CHANGELOG.md say $ANI_VERSION"
grep -qx "#define ANI_VERSION \"$ANI_VERSION\"" "$ANI_BUILD_DIR/include/ani_version.h" || fail "ani_version.h does not define $ANI_VERSION"
[[ $("$ANI_BIN" --version) == "allow-namespace-ingress $ANI_VERSION" ]] || fail "--version says '$("$ANI_BIN" --version)'"
grep -q "^\.TH ALLOW-NAMESPACE-INGRESS 1 .* \"allow-namespace-ingress $ANI_VERSION\" " "$ANI_BUILD_DIR/allow-namespace-ingress.1" ||
	fail "the man page's .TH line does not say $ANI_VERSION"
top=$(grep -m1 '^## \[' CHANGELOG.md)
[[ $top == "## [$ANI_VERSION] - "* ]] || fail "CHANGELOG.md's top entry is '$top', not $ANI_VERSION"
scripts/release.sh notes >"$TMP/notes.md" || fail "scripts/release.sh notes failed"
grep -q '^- ' "$TMP/notes.md" || fail "the release notes of $ANI_VERSION list nothing"
ok "header, --version, man page, CHANGELOG ($top), notes: $(grep -c '^- ' "$TMP/notes.md") items"

step "every documented image reference is $ANI_IMAGE (scripts/release.sh refs --check)"
scripts/release.sh refs --check || fail "references above are not this release's: run scripts/release.sh refs"
[[ $ANI_IMAGE == */*/allow-namespace-ingress:"$ANI_VERSION" && $ANI_IMAGE != *:latest ]] || fail "ANI_IMAGE=$ANI_IMAGE is not a full, versioned reference"
n=$(git grep -c "$ANI_IMAGE" | awk -F: '{n += $NF} END {print n}')
ok "$n references, all $ANI_IMAGE"

step "the checker finds a wrong reference (a short name, latest, another version) and refs rewrites it"
mkdir -p "$TMP/tree"
git ls-files -z | xargs -0 cp -p --parents -t "$TMP/tree"
(cd "$TMP/tree" && git init -q && git add -A)
sed -i "s|$ANI_IMAGE|allow-namespace-ingress:latest|" "$TMP/tree/README.md"
sed -i "s|$ANI_IMAGE|$ANI_IMAGE_REGISTRY/allow-namespace-ingress:0.0.1|" "$TMP/tree/metadata.yaml"
(cd "$TMP/tree" && git add -A)
if ANI_BUILD_DIR=$ANI_BUILD_DIR "$TMP/tree/scripts/release.sh" refs --check >"$TMP/check.log" 2>&1; then
	fail "refs --check passed a tree with wrong references"
fi
grep -q '^README.md:.*allow-namespace-ingress:latest' "$TMP/check.log" && grep -q '^metadata.yaml:.*:0.0.1' "$TMP/check.log" ||
	{ cat "$TMP/check.log" >&2; fail "refs --check did not name both wrong references"; }
ANI_BUILD_DIR=$ANI_BUILD_DIR "$TMP/tree/scripts/release.sh" refs >/dev/null
ANI_BUILD_DIR=$ANI_BUILD_DIR "$TMP/tree/scripts/release.sh" refs --check >/dev/null || fail "refs did not fix them"
ok "found both, fixed both"

step "LICENSE is the Apache License 2.0; every source file of the project carries SPDX-License-Identifier: Apache-2.0"
cmp -s LICENSE /usr/share/common-licenses/Apache-2.0 || head -3 LICENSE | grep -q 'Apache License' || fail "LICENSE is not Apache-2.0"
missing=$(git ls-files -- '*.c' '*.h' '*.sh' '*.bash' '*.py' '*.cmake' '*.in' 'CMakeLists.txt' '*/CMakeLists.txt' \
	'Containerfile' '*.Containerfile' 'scripts/*' '.ci/*' 'tests/cases/regen' |
	grep -vE '^(tests/fixtures|tests/hostile/cases|fuzz/corpus|fuzz/crashes)/' |
	while read -r f; do head -5 "$f" | grep -q 'SPDX-License-Identifier: Apache-2.0' || echo "$f"; done)
[[ -z $missing ]] || { echo "$missing" >&2; fail "these source files lack the SPDX line"; }
ok "$(git ls-files -- '*.c' '*.h' '*.sh' | wc -l) C and shell files and the build files"

echo "$E2E_NAME: PASS"
