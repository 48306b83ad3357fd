#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# cmake --install: the binary in bin/, the kustomize legacy-plugin entry (a relative symlink to the
# same binary) under share/kustomize/plugin/, the man page under share/man/man1/. Then the real
# kubectl kustomize, with KUSTOMIZE_PLUGIN_HOME pointing into the installed tree.
set -euo pipefail
# shellcheck source=tests/e2e/lib/common.bash
source "$(dirname "$0")/lib/common.bash"

PLUGIN_REL=share/kustomize/plugin/fn.octopilot.io/v1alpha1/allownamespaceingress/AllowNamespaceIngress
[[ -f $ANI_BUILD_DIR/CMakeCache.txt ]] || fail "ANI_BUILD_DIR=$ANI_BUILD_DIR is not a configured build directory"

step "cmake --install \$ANI_BUILD_DIR --prefix \$TMP/prefix"
cmake --install "$ANI_BUILD_DIR" --prefix "$TMP/prefix" >"$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log" >&2; fail "cmake --install failed"; }
sed 's/^/    /' "$TMP/install.log"
P=$TMP/prefix

step "the binary: bin/allow-namespace-ingress, executable, the same version as \$ANI_BIN"
[[ -x $P/bin/allow-namespace-ingress && ! -L $P/bin/allow-namespace-ingress ]] || fail "no executable bin/allow-namespace-ingress"
[[ $("$P/bin/allow-namespace-ingress" --version) == "$("$ANI_BIN" --version)" ]] || fail "installed --version differs from \$ANI_BIN's"
ok "$("$P/bin/allow-namespace-ingress" --version)"

step "the legacy-plugin entry: $PLUGIN_REL, a relative symlink that resolves to bin/allow-namespace-ingress and runs"
link=$P/$PLUGIN_REL
[[ -L $link ]] || fail "$PLUGIN_REL is not a symlink"
target=$(readlink "$link")
[[ $target != /* ]] || fail "the link is absolute ($target): it must be relative so the tree can move"
[[ $(readlink -f "$link") == "$(readlink -f "$P/bin/allow-namespace-ingress")" ]] || fail "the link resolves to $(readlink -f "$link")"
"$link" --version >/dev/null || fail "the plugin link does not run"
ok "-> $target; runs: $("$link" --version)"

step "the man page: share/man/man1/allow-namespace-ingress.1, renders without warnings"
man1=$P/share/man/man1/allow-namespace-ingress.1
[[ -s $man1 ]] || fail "no man page installed"
cmp -s "$man1" "$ANI_BUILD_DIR/allow-namespace-ingress.1" || fail "the installed man page is not the generated $ANI_BUILD_DIR/allow-namespace-ingress.1"
if command -v groff >/dev/null; then
	groff -man -Tutf8 -ww -z "$man1" 2>"$TMP/groff.err" || { cat "$TMP/groff.err" >&2; fail "groff failed"; }
	[[ ! -s $TMP/groff.err ]] || { cat "$TMP/groff.err" >&2; fail "groff warnings"; }
	ok "groff -man -ww: no warning"
else
	note "groff not installed: the page was not parsed"
fi
if command -v man >/dev/null; then
	MANWIDTH=80 man -l "$man1" >"$TMP/man.txt" 2>"$TMP/man.err" || { cat "$TMP/man.err" >&2; fail "man -l failed"; }
	grep -q 'allow-namespace-ingress' "$TMP/man.txt" || fail "man -l rendered nothing useful"
	ok "man -l: $(wc -l <"$TMP/man.txt") lines"
fi

step "the man page covers every option and every ConfigMap key of --help"
sed 's/\\-/-/g; s/\\f[BIRP]//g; s/\\://g' "$man1" >"$TMP/man.src"
"$ANI_BIN" --help >"$TMP/help.txt"
missing=()
for flag in $(grep -oE -- '(^|[ ,])--?[a-z][a-z-]*' "$TMP/help.txt" | tr -d ' ,' | sort -u); do
	grep -qF -- "$flag" "$TMP/man.src" || missing+=("$flag")
done
# ConfigMap keys: the camelCase words in brackets (a bracket may span two lines of --help).
for key in $(tr '\n' ' ' <"$TMP/help.txt" | tr -s ' ' | grep -oE '\[[A-Za-z, :]+\]' | tr -d '[]' | tr ',' '\n' |
	sed 's/:.*//; s/ //g' | grep -E '^[a-z][A-Za-z]+$' | sort -u); do
	grep -qw -- "$key" "$TMP/man.src" || missing+=("$key")
done
[[ ${#missing[@]} -eq 0 ]] || fail "docs/allow-namespace-ingress.1.in lacks: ${missing[*]} (update it from --help)"
ok "all $(grep -oE -- '(^|[ ,])--?[a-z][a-z-]*' "$TMP/help.txt" | sort -u | wc -l) options and the ConfigMap keys are documented"

step "kubectl kustomize --enable-alpha-plugins with KUSTOMIZE_PLUGIN_HOME=\$PREFIX/share/kustomize/plugin (the installed tree)"
require_tool kubectl "kubectl kustomize runs the installed plugin"
KUSTOMIZE_PLUGIN_HOME=$P/share/kustomize/plugin kubectl kustomize --enable-alpha-plugins examples/flux-kubectl-kustomize \
	>"$TMP/with.yaml" 2>"$TMP/with.err" || { cat "$TMP/with.err" >&2; fail "kubectl kustomize with the installed plugin failed"; }
mkdir -p "$TMP/ex"
cp -r examples/flux examples/flux-kubectl-kustomize "$TMP/ex/"
sed -i '/^transformers:/,$d' "$TMP/ex/flux-kubectl-kustomize/kustomization.yaml"
kubectl kustomize "$TMP/ex/flux-kubectl-kustomize" >"$TMP/without.yaml"
expect_added "$TMP/without.yaml" "$TMP/with.yaml" >/dev/null < <(namespace_label_then_rule)
ok "the installed plugin merged the rule and labelled the Namespace; nothing else changed"

step "the installed tree is relocatable: moved elsewhere, the plugin link still resolves and kubectl still runs it"
mv "$P" "$TMP/moved"
"$TMP/moved/$PLUGIN_REL" --version >/dev/null || fail "the link broke when the prefix moved"
KUSTOMIZE_PLUGIN_HOME=$TMP/moved/share/kustomize/plugin kubectl kustomize --enable-alpha-plugins examples/flux-kubectl-kustomize \
	>"$TMP/moved.yaml" || fail "kubectl kustomize with the moved tree failed"
expect_same "$TMP/with.yaml" "$TMP/moved.yaml"
ok "same render"

step "DESTDIR staging: DESTDIR=\$TMP/stage cmake --install --prefix /usr/local puts everything under the stage"
DESTDIR=$TMP/stage cmake --install "$ANI_BUILD_DIR" --prefix /usr/local >/dev/null
for f in bin/allow-namespace-ingress "$PLUGIN_REL" share/man/man1/allow-namespace-ingress.1; do
	[[ -e $TMP/stage/usr/local/$f ]] || fail "DESTDIR: no /usr/local/$f under the stage"
done
[[ $(readlink -f "$TMP/stage/usr/local/$PLUGIN_REL") == "$TMP/stage/usr/local/bin/allow-namespace-ingress" ]] ||
	fail "DESTDIR: the link does not resolve inside the stage"
ok "binary, link and man page staged; the link resolves inside the stage"

echo "$E2E_NAME: PASS"
