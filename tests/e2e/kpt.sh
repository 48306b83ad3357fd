#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kpt, with the real kpt, on copies of examples/kpt-package:
#   (a) kpt fn eval DIR --exec $ANI_BIN -- fromNamespaces=octopilot-system
#   (b) kpt fn eval DIR --exec $ANI_BIN --fn-config DIR/allow-namespace-ingress.yaml
#   (c) kpt fn render DIR --allow-exec, the Kptfile naming `exec: allow-namespace-ingress`
#       (looked up in PATH)
#   (d) kpt fn render DIR --allow-exec, the Kptfile naming a relative path, which kpt takes from
#       its own working directory (not the package's)
#   (e) the real Flux install (examples/flux/gotk-components.yaml) as a package, compared with
#       kpt's own round trip of it
# kpt writes the function's output back into the package files; `diff -u` against the originals
# must show only the new rule's lines and the label line added: comments, key order, quoting and
# flow style of everything else kept. Each is run twice: the second run must change nothing.
set -euo pipefail
# shellcheck source=tests/e2e/lib/common.bash
source "$(dirname "$0")/lib/common.bash"
require_tool kpt "kpt fn eval / kpt fn render"

PKG=examples/kpt-package
mkdir -p "$TMP/bin"
ln -s "$ANI_BIN" "$TMP/bin/allow-namespace-ingress"

# ingress_section FILE: the lines from `ingress:` up to `egress:` (excluded).
ingress_section() { sed -n '/^  ingress:$/,/^  egress:$/p' "$1" | sed '$d'; }

# check_package DIR: DIR = the example package plus exactly the intended lines.
check_package() {
	local dir=$1
	expect_added "$PKG/allow-egress.yaml" "$dir/allow-egress.yaml" < <(default_rule_lines 4 2)
	expect_added "$PKG/namespace.yaml" "$dir/namespace.yaml" <<'EOF'
    name: octopilot-system
EOF
	expect_same "${KPTFILE_ORIG:-$PKG/Kptfile}" "$dir/Kptfile" "kpt or the function changed the Kptfile"
	expect_same "$PKG/allow-namespace-ingress.yaml" "$dir/allow-namespace-ingress.yaml" "the function config file changed"
	[[ $(ls "$dir" | sort | tr '\n' ' ') == "$(ls "$PKG" | sort | tr '\n' ' ')" ]] || fail "$dir: files added or removed"
	# Where the rule went: right after the existing rule, before `egress:`.
	expect_same <(ingress_section "$PKG/allow-egress.yaml"; default_rule_lines 4 2) \
		<(ingress_section "$dir/allow-egress.yaml") "$dir/allow-egress.yaml: the new rule is not where expected"
}

# run_twice NAME DIR CMD...: run CMD (which edits DIR) twice; check the package after the first
# run, and that the second run changes nothing.
run_twice() {
	local name=$1 dir=$2
	shift 2
	"$@" >"$TMP/$name.1.log" 2>&1 || { cat "$TMP/$name.1.log" >&2; fail "$name: kpt failed"; }
	check_package "$dir"
	ok "$name: only the rule and the label line were added"
	cp -r "$dir" "$TMP/$name.after1"
	"$@" >"$TMP/$name.2.log" 2>&1 || { cat "$TMP/$name.2.log" >&2; fail "$name: kpt failed on the second run"; }
	diff -ru "$TMP/$name.after1" "$dir" || fail "$name: the second run changed the package (not idempotent)"
	grep -q 'nothing to change' "$TMP/$name.2.log" || { cat "$TMP/$name.2.log" >&2; fail "$name: the second run did not report 'nothing to change'"; }
	ok "$name: second run changed nothing ($(grep -o 'already admits[^:]*' "$TMP/$name.2.log" | head -1))"
}

step "precondition: kpt's own round trip (kpt fn eval --exec cat) leaves the example package byte-for-byte unchanged, so any later difference is the function's"
cp -r "$PKG" "$TMP/noop"
kpt fn eval "$TMP/noop" --exec cat >"$TMP/noop.log" 2>&1 || { cat "$TMP/noop.log" >&2; fail "kpt fn eval --exec cat failed"; }
diff -ru "$PKG" "$TMP/noop" || fail "kpt itself reformats the example package: rewrite it in kpt's layout"
ok "unchanged"

step "(a) kpt fn eval DIR --exec \$ANI_BIN -- fromNamespaces=octopilot-system"
cp -r "$PKG" "$TMP/a"
run_twice a "$TMP/a" kpt fn eval "$TMP/a" --exec "$ANI_BIN" -- fromNamespaces=octopilot-system

step "(b) kpt fn eval DIR --exec \$ANI_BIN --fn-config DIR/allow-namespace-ingress.yaml"
cp -r "$PKG" "$TMP/b"
run_twice b "$TMP/b" kpt fn eval "$TMP/b" --exec "$ANI_BIN" --fn-config "$TMP/b/allow-namespace-ingress.yaml"

step "(c) kpt fn render DIR --allow-exec, Kptfile mutator 'exec: allow-namespace-ingress' found in PATH"
cp -r "$PKG" "$TMP/c"
run_twice c "$TMP/c" env PATH="$TMP/bin:$PATH" kpt fn render "$TMP/c" --allow-exec

step "(d) kpt fn render with a relative exec path: resolved from kpt's working directory"
cp -r "$PKG" "$TMP/d"
sed -i 's|^    - exec: allow-namespace-ingress$|    - exec: ./bin/allow-namespace-ingress|' "$TMP/d/Kptfile"
grep -q 'exec: ./bin/allow-namespace-ingress' "$TMP/d/Kptfile" || fail "could not edit the Kptfile copy"
cp "$TMP/d/Kptfile" "$TMP/Kptfile.d"
KPTFILE_ORIG=$TMP/Kptfile.d run_twice d "$TMP/d" env -C "$TMP" kpt fn render d --allow-exec
cp -r "$PKG" "$TMP/d2"
cp "$TMP/Kptfile.d" "$TMP/d2/Kptfile"
if (cd "$TMP/d2" && kpt fn render . --allow-exec) >"$TMP/d2.log" 2>&1; then
	fail "(d) kpt found ./bin/allow-namespace-ingress from the package directory: kpt's behaviour changed, update docs"
fi
ok "(d) from the package directory the same Kptfile fails (no ./bin there): use a bare name in PATH or an absolute path"

step "(e) the real Flux install as a kpt package (gotk-components.yaml + the Namespace): kpt with the function vs kpt with a no-op (cat) differ only by the rule and the label"
# kpt itself rewrites gotk-components.yaml (drops the leading ---, unwraps long plain scalars),
# so the function's effect is measured against kpt's own round trip, not against the original.
mkdir -p "$TMP/flux"
cp examples/flux/gotk-components.yaml examples/flux-kubectl-kustomize/namespace.yaml "$TMP/flux/"
cp -r "$TMP/flux" "$TMP/flux-noop"
kpt fn eval "$TMP/flux-noop" --exec cat >"$TMP/flux-noop.log" 2>&1 || { cat "$TMP/flux-noop.log" >&2; fail "(e) kpt --exec cat failed"; }
kpt fn eval "$TMP/flux" --exec "$ANI_BIN" -- fromNamespaces=octopilot-system >"$TMP/flux.log" 2>&1 ||
	{ cat "$TMP/flux.log" >&2; fail "(e) kpt with the function failed"; }
expect_added "$TMP/flux-noop/gotk-components.yaml" "$TMP/flux/gotk-components.yaml" >/dev/null \
	< <(default_rule_lines 2 0)
expect_added "$TMP/flux-noop/namespace.yaml" "$TMP/flux/namespace.yaml" >/dev/null <<'EOF'
    name: octopilot-system
EOF
ok "(e) $(wc -l <examples/flux/gotk-components.yaml)-line Flux install through real kpt: only the $(default_rule_lines 2 0 | wc -l) rule lines and the label line"

step "kpt fn render without --allow-exec refuses to run the exec function"
cp -r "$PKG" "$TMP/e"
if PATH="$TMP/bin:$PATH" kpt fn render "$TMP/e" >"$TMP/e.log" 2>&1; then
	diff -ru "$PKG" "$TMP/e" >/dev/null || fail "kpt ran the exec function without --allow-exec"
	note "kpt fn render without --allow-exec exited 0 and changed nothing"
else
	ok "refused: $(grep -m1 -i 'exec' "$TMP/e.log")"
fi
diff -ru "$PKG" "$TMP/e" >/dev/null || fail "the package changed without --allow-exec"

echo "$E2E_NAME: PASS"
