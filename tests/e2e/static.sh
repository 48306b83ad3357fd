#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Containerfile's static build, outside the engine (tests/e2e/container.sh builds and runs the
# image itself):
#  1. its cmake command (the -D options read from the Containerfile itself) builds a binary that
#     `file` and `ldd` call statically linked;
#  2. that binary runs the way kpt and kustomize run a function container: in a root holding
#     nothing but the binary (chroot), as 65534:65534, no network, no arguments, no new privileges;
#     its output equals the dynamic binary's;
#  3. it passes every other e2e test (they are re-run with ANI_BIN pointing at it).
set -euo pipefail
# shellcheck source=tests/e2e/lib/common.bash
source "$(dirname "$0")/lib/common.bash"

[[ -z ${ANI_E2E_IN_STATIC:-} ]] || { echo "$E2E_NAME: nested run, skipped"; exit 0; }
CF=Containerfile

step "the Containerfile's cmake options, built here: cmake -S . -B \$TMP/build <the -D options of its 'cmake -S' line>"
read -r -a defs <<<"$(grep -m1 'cmake -S ' "$CF" | grep -oE -- '-D[A-Z_]+=[A-Za-z0-9_]+' | tr '\n' ' ')"
[[ " ${defs[*]} " == *" -DANI_STATIC=ON "* && " ${defs[*]} " == *" -DANI_TESTS=OFF "* ]] ||
	fail "the Containerfile's cmake line lacks -DANI_STATIC=ON -DANI_TESTS=OFF (got: ${defs[*]})"
note "options: ${defs[*]}"
if ! cmake -S . -B "$TMP/build" "${defs[@]}" >"$TMP/configure.log" 2>&1; then
	cat "$TMP/configure.log" >&2
	fail "the static configure failed (exact output above)"
fi
if ! cmake --build "$TMP/build" -j2 >"$TMP/build.log" 2>&1; then
	cat "$TMP/build.log" >&2
	fail "the static build failed (exact output above)"
fi
if grep -qi 'warning' "$TMP/build.log"; then
	grep -i 'warning' "$TMP/build.log" | sed 's/^/    /'
	note "the static link printed warnings (above)"
fi
STATIC=$TMP/build/allow-namespace-ingress
[[ -x $STATIC ]] || fail "no binary at $STATIC"
strip -o "$TMP/allow-namespace-ingress" "$STATIC" || fail "strip failed"
STATIC=$TMP/allow-namespace-ingress
ok "built and stripped: $(wc -c <"$STATIC") bytes"

step "file and ldd: statically linked"
file -L "$STATIC" | tee "$TMP/file.txt" | sed 's/^/    /'
grep -q 'statically linked' "$TMP/file.txt" || fail "file does not say statically linked"
ldd_out=$(ldd "$STATIC" 2>&1 || true)
sed 's/^/    ldd: /' <<<"$ldd_out"
grep -qE 'not a dynamic executable|statically linked' <<<"$ldd_out" || fail "ldd lists shared libraries"
ok "static"

step "run as in the image: a root holding only the binary, user 65534:65534, no network, no new privileges, no arguments"
if [[ $(id -u) -ne 0 ]] || ! command -v chroot >/dev/null || ! command -v unshare >/dev/null || ! command -v setpriv >/dev/null; then
	note "not root, or chroot/unshare/setpriv missing: the empty-root run is skipped"
else
	mkdir -p "$TMP/root"
	cp "$STATIC" "$TMP/root/allow-namespace-ingress"
	chmod 0755 "$TMP/root" "$TMP/root/allow-namespace-ingress"
	[[ $(ls -A "$TMP/root") == allow-namespace-ingress ]] || fail "the root holds more than the binary"
	# No network namespace where unshare is not allowed (some sandboxes): say so, still chroot.
	netns=(unshare -n)
	"${netns[@]}" true 2>/dev/null || { netns=(); note "unshare -n is not allowed here: running without a network namespace"; }
	in_image() { "${netns[@]}" setpriv --no-new-privs chroot --userspec=65534:65534 "$TMP/root" /allow-namespace-ingress "$@"; }
	in_image --version >/dev/null 2>&1 || fail "the static binary does not run in an empty root as 65534:65534 (chroot allowed here? $(id))"
	[[ $(in_image --version) == "$("$ANI_BIN" --version)" ]] || fail "--version differs in the empty root"
	for f in tests/fixtures/krm/flux-octopilot.typed-config.yaml tests/fixtures/krm/flux-octopilot.configmap-config.yaml; do
		in_image <"$f" >"$TMP/image.out" 2>"$TMP/image.err" || { cat "$TMP/image.err" >&2; fail "$f: failed in the empty root"; }
		"$ANI_BIN" <"$f" >"$TMP/dynamic.out" 2>/dev/null
		expect_same "$TMP/dynamic.out" "$TMP/image.out" "$f: the static binary in the empty root gives another output than \$ANI_BIN"
		[[ ! -s $TMP/image.err ]] || { cat "$TMP/image.err" >&2; fail "stderr not empty"; }
	done
	ok "same output as the dynamic binary, quiet stderr, nothing else needed in the root"
fi

step "the static binary passes every other e2e test (ANI_BIN=\$TMP/allow-namespace-ingress ANI_BUILD_DIR=\$TMP/build)"
for t in tests/e2e/*.sh; do
	[[ $t == "$0" || $(basename "$t") == static.sh ]] && continue
	start=$SECONDS
	if ANI_E2E_IN_STATIC=1 ANI_BIN=$STATIC ANI_BUILD_DIR=$TMP/build bash "$t" >"$TMP/sub.log" 2>&1; then
		ok "$(basename "$t") with the static binary: PASS ($((SECONDS - start)) s)"
	else
		sed 's/^/    /' "$TMP/sub.log" >&2
		fail "$(basename "$t") fails with the static binary (its output above)"
	fi
done

echo "$E2E_NAME: PASS"
