#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# examples/kpt-validate with the real kpt: the Kptfile's pipeline.validators runs the check.
#   (a) mutator and validator: kpt fn render --allow-exec passes, the package gains the grant;
#   (b) the validator alone (the mutator removed): render fails, naming the missing grant and
#       the fix, and leaves the package files as they were.
set -euo pipefail
# shellcheck source=tests/e2e/lib/common.bash
source "$(dirname "$0")/lib/common.bash"
require_tool kpt "kpt fn render with pipeline.validators"

PKG=examples/kpt-validate
mkdir -p "$TMP/bin"
ln -s "$ANI_BIN" "$TMP/bin/allow-namespace-ingress"

step "(a) mutator then validator: render passes"
cp -r "$PKG" "$TMP/a"
env PATH="$TMP/bin:$PATH" kpt fn render "$TMP/a" --allow-exec >"$TMP/a.log" 2>&1 ||
	{ cat "$TMP/a.log" >&2; fail "kpt fn render failed"; }
expect_added "$PKG/allow-egress.yaml" "$TMP/a/allow-egress.yaml" < <(default_rule_lines 4 2)
grep -q '^    name: octopilot-system$' "$TMP/a/namespace.yaml" || fail "the Namespace was not labelled"
ok "the grant is there and the check passed"

step "(b) validator alone: render fails with the check's error"
cp -r "$PKG" "$TMP/b"
python3 - "$TMP/b/Kptfile" <<'PY'
import sys
p = sys.argv[1]
lines = open(p).read().split("\n")
start = lines.index("  mutators:")
end = lines.index("  validators:")
open(p, "w").write("\n".join(lines[:start] + lines[end:]))
PY
if env PATH="$TMP/bin:$PATH" kpt fn render "$TMP/b" --allow-exec >"$TMP/b.log" 2>&1; then
	cat "$TMP/b.log" >&2
	fail "kpt fn render passed without the grant"
fi
grep -q 'does not admit namespace octopilot-system on 80/TCP, 9090/TCP; fix: allow-namespace-ingress' "$TMP/b.log" ||
	{ cat "$TMP/b.log" >&2; fail "the log does not name the missing grant and the fix"; }
for f in allow-egress.yaml namespace.yaml; do
	expect_same "$PKG/$f" "$TMP/b/$f" "a failed render changed $f"
done
ok "render failed, named the grant and the fix, changed nothing"
