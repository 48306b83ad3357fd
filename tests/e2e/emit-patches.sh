#!/usr/bin/env bash
# --emit-patches under real kubectl kustomize (the kustomize library kustomize-controller and
# kubectl apply -k run, with no plugins): the Flux bootstrap layout of examples/flux-bootstrap
# rendered with the emitted Component equals the function's merge-mode output object for object;
# --check passes on it; emitting again from it gives a Component without patches; a guard fails
# the build when the rule it extends changed upstream; separate mode writes the policy beside the
# Component.
set -euo pipefail
# shellcheck source=tests/e2e/lib/common.bash
source "$(dirname "$0")/lib/common.bash"
require_tool kubectl "kubectl kustomize renders the Component"
# PyYAML: Debian's python3-yaml (scripts/deps.sh) serves /usr/bin/python3 when another python3 comes first.
PY=python3
$PY -c "import yaml" 2>/dev/null || PY=/usr/bin/python3
same() { "$PY" tests/e2e/lib/same_objects.py "$@"; }

EX=examples/flux-bootstrap/clusters/prod/flux-system
cp -r examples "$TMP/"
layout=$TMP/$EX
render_without_component() {
	sed -i '/^components:/,$d' "$layout/kustomization.yaml"
	kubectl kustomize "$layout" >"$1"
}

step "the committed example renders with its Component, and the Component is what --emit-patches writes from the render without it"
kubectl kustomize "$EX" >"$TMP/example.yaml"
render_without_component "$TMP/base.yaml"
"$ANI_BIN" --emit-patches "$TMP/emitted" <"$TMP/base.yaml" 2>"$TMP/emit.err" || { cat "$TMP/emit.err" >&2; fail "--emit-patches failed"; }
diff -u "$EX/allow-octopilot/kustomization.yaml" "$TMP/emitted/kustomization.yaml" || fail "the committed Component is stale"
ok "the example's Component is current"

step "the render with the Component equals merge mode's output, object for object"
"$ANI_BIN" <"$TMP/base.yaml" >"$TMP/merged.yaml" 2>/dev/null
same "$TMP/example.yaml" "$TMP/merged.yaml" || fail "patched render != merge output"
grep -q 'op: add' "$EX/allow-octopilot/kustomization.yaml" || fail "the Component has no patch"
ok "$(grep -c '^kind: ' "$TMP/example.yaml") objects equal"

step "--check passes on the patched render; emitting again from it gives no patches"
"$ANI_BIN" --check <"$TMP/example.yaml" >/dev/null 2>"$TMP/check.err" || { cat "$TMP/check.err" >&2; fail "--check failed on the patched render"; }
"$ANI_BIN" --emit-patches <"$TMP/example.yaml" >"$TMP/again.yaml" 2>"$TMP/again.err"
grep -qx 'patches: \[\]' "$TMP/again.yaml" || { cat "$TMP/again.yaml" >&2; fail "a second emit still patches"; }
grep -q 'nothing to patch' "$TMP/again.err" || fail "the second emit does not say there is nothing to patch"
ok "check passes, the second Component is empty"

step "added ports are guarded: the patch tests the rule's from, and fails the build when it changed upstream"
# A rule that already admits the namespace on 80 only: the Component adds 9090 to it.
python3 - "$layout" <<'PY'
import sys
p = sys.argv[1] + "/octopilot-system.yaml"
open(p, "a").write("""---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-octopilot
  namespace: flux-system
spec:
  podSelector: {}
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          name: octopilot-system
    ports:
    - port: 80
""")
PY
kubectl kustomize "$layout" >"$TMP/ports-base.yaml"
"$ANI_BIN" --emit-patches "$layout/allow-octopilot" --policy flux-system/allow-octopilot <"$TMP/ports-base.yaml" 2>/dev/null
grep -q 'op: test' "$layout/allow-octopilot/kustomization.yaml" || fail "no test op for the added ports"
printf 'components:\n  - allow-octopilot\n' >>"$layout/kustomization.yaml"
kubectl kustomize "$layout" >"$TMP/ports-patched.yaml"
"$ANI_BIN" --policy flux-system/allow-octopilot <"$TMP/ports-base.yaml" >"$TMP/ports-merged.yaml" 2>/dev/null
same "$TMP/ports-patched.yaml" "$TMP/ports-merged.yaml" || fail "ports patch != merge output"
sed -i 's/          name: octopilot-system/          name: someone-else/' "$layout/octopilot-system.yaml"
if kubectl kustomize "$layout" >/dev/null 2>"$TMP/guard.err"; then
	fail "the build passed although the guarded rule changed"
fi
grep -q "testing value /spec/ingress/0/from failed" "$TMP/guard.err" || { cat "$TMP/guard.err" >&2; fail "the failure does not come from the test op"; }
ok "ports added as merge adds them; a changed rule fails the build (testing value ... failed)"

step "separate mode: --emit-patches DIR writes the dedicated policy as a resource of the Component"
rm -rf "$TMP/examples"
cp -r examples "$TMP/"
render_without_component "$TMP/base.yaml"
rm -rf "$layout/allow-octopilot"
"$ANI_BIN" --mode separate --emit-patches "$layout/allow-octopilot" <"$TMP/base.yaml" 2>/dev/null
[[ -f $layout/allow-octopilot/allow-octopilot-system-to-source-controller.yaml ]] || fail "no policy file beside the Component"
printf 'components:\n  - allow-octopilot\n' >>"$layout/kustomization.yaml"
kubectl kustomize "$layout" >"$TMP/separate-patched.yaml"
"$ANI_BIN" --mode separate <"$TMP/base.yaml" >"$TMP/separate-merged.yaml" 2>/dev/null
same "$TMP/separate-patched.yaml" "$TMP/separate-merged.yaml" || fail "separate Component != separate output"
"$ANI_BIN" --mode separate --emit-patches <"$TMP/base.yaml" >/dev/null 2>"$TMP/nodir.err" && fail "separate mode without DIR succeeded"
grep -q 'give --emit-patches DIR' "$TMP/nodir.err" || fail "no message about DIR"
ok "the dedicated policy is a resource; without DIR it is refused"

step "the real-world policies that are not targets emit nothing"
for f in tests/fixtures/realworld/*.yaml; do
	"$ANI_BIN" --emit-patches <"$f" >"$TMP/rw.yaml" 2>/dev/null || fail "$f: --emit-patches failed"
	grep -q '^  patch:' "$TMP/rw.yaml" && fail "$f: patches emitted for a file without the target"
done
ok "$(ls tests/fixtures/realworld/*.yaml | wc -l) files, no patch"
