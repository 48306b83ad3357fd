#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Separate mode with the real tools: kubectl kustomize (legacy plugin) and kpt fn eval add one
# dedicated NetworkPolicy and the Namespace label, leave Flux's allow-egress alone, and a second
# run (or render) changes nothing; kpt keeps the new policy in the package as a file of its own.
set -euo pipefail
# shellcheck source=tests/e2e/lib/common.bash
source "$(dirname "$0")/lib/common.bash"
require_tool kubectl "kubectl kustomize runs the legacy plugin"
require_tool kpt "kpt fn eval runs the exec function"

# The dedicated policy as kubectl kustomize prints it (sorted keys, indentless sequences).
dedicated_policy() {
	cat <<'POLICY'
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-octopilot-system-to-source-controller
  namespace: flux-system
spec:
  ingress:
POLICY
	default_rule_lines 2 0
	cat <<'POLICY'
  podSelector:
    matchLabels:
      app: source-controller
  policyTypes:
  - Ingress
POLICY
}

step "kubectl kustomize: examples/flux-kubectl-kustomize with mode: separate"
plugin_home "$TMP/plugins" >/dev/null
mkdir -p "$TMP/examples"
cp -r examples/flux examples/flux-kubectl-kustomize "$TMP/examples/"
ex=$TMP/examples/flux-kubectl-kustomize
printf '  mode: separate\n' >>"$ex/allow-namespace-ingress.yaml"
KUSTOMIZE_PLUGIN_HOME=$TMP/plugins kubectl kustomize --enable-alpha-plugins "$ex" >"$TMP/with.yaml"
sed -i '/^transformers:/,$d' "$ex/kustomization.yaml"
kubectl kustomize "$ex" >"$TMP/without.yaml"
# kubectl sorts the new policy among the others: take its document out, the rest must be the
# render without the function plus the label line.
awk -v RS='---\n' -v ORS='---\n' -v dir="$TMP" '
	/name: allow-octopilot-system-to-source-controller\n/ { printf "---\n%s", $0 > (dir "/policy.yaml"); next }
	{ print }' "$TMP/with.yaml" | sed '$d' >"$TMP/rest.yaml"
[[ -s $TMP/policy.yaml ]] || fail "no dedicated policy in the render"
expect_added "$TMP/without.yaml" "$TMP/rest.yaml" <<<'    name: octopilot-system'
expect_same <(dedicated_policy) "$TMP/policy.yaml" "the dedicated policy is not the expected one"
ok "one new NetworkPolicy (exact text), the label, allow-egress and every other resource unchanged"

step "kpt fn eval --exec -- mode=separate on examples/kpt-package, twice"
PKG=$TMP/kpt-package
cp -r examples/kpt-package "$PKG"
for run in 1 2; do
	kpt fn eval "$PKG" --exec "$ANI_BIN" -- mode=separate fromNamespaces=octopilot-system >"$TMP/kpt$run.log" 2>&1 ||
		{ cat "$TMP/kpt$run.log" >&2; fail "kpt fn eval (run $run) failed"; }
	cp -r "$PKG" "$TMP/after$run"
done
expect_same examples/kpt-package/allow-egress.yaml "$PKG/allow-egress.yaml" "kpt: allow-egress.yaml changed in separate mode"
new=$PKG/allow-octopilot-system-to-source-controller.yaml
[[ -f $new ]] || { ls "$PKG" >&2; fail "kpt did not write the new policy to its own file"; }
grep -q 'app: source-controller' "$new" && grep -q 'name: octopilot-system' "$new" || { cat "$new" >&2; fail "the new file is not the dedicated policy"; }
grep -q '^    name: octopilot-system' "$PKG/namespace.yaml" || fail "kpt: the Namespace was not labelled"
diff -r "$TMP/after1" "$TMP/after2" >/dev/null || fail "a second kpt run changed the package"
ok "kpt wrote $(basename "$new"), labelled the Namespace, left allow-egress.yaml alone; a second run changed nothing"
