#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kubectl kustomize, legacy exec plugin (examples/flux-kubectl-kustomize), with the real kubectl.
#
# A plugin home is laid out in a temp dir, fn.octopilot.io/v1alpha1/allownamespaceingress/
# AllowNamespaceIngress being a symlink to $ANI_BIN, and the example is rendered with
# KUSTOMIZE_PLUGIN_HOME pointing at it. The render must equal the render of the same
# kustomization without the transformer plus exactly the new ingress rule and the Namespace label.
# Also: idempotency, the refusal without --enable-alpha-plugins, a failing plugin, and a real-world
# flux-system kustomization (tests/fixtures/realworld) whose patch deletes every NetworkPolicy.
set -euo pipefail
# shellcheck source=tests/e2e/lib/common.bash
source "$(dirname "$0")/lib/common.bash"
require_tool kubectl "kubectl kustomize runs the legacy plugin"

EX=examples/flux-kubectl-kustomize
plugin_home "$TMP/plugins" >/dev/null

step "the commands of examples/README.md: kubectl kustomize --enable-alpha-plugins $EX with KUSTOMIZE_PLUGIN_HOME"
KUSTOMIZE_PLUGIN_HOME=$TMP/plugins kubectl kustomize --enable-alpha-plugins "$EX" >"$TMP/with.yaml" 2>"$TMP/with.err" ||
	{ cat "$TMP/with.err" >&2; fail "kubectl kustomize failed"; }
ok "rendered $(grep -c '^kind: ' "$TMP/with.yaml") resources"
if [[ -s $TMP/with.err ]]; then
	cat "$TMP/with.err" >&2
	fail "stderr not empty: the plugin should be quiet on success"
fi

step "baseline: the same kustomization without the transformer (a copy with transformers: removed)"
mkdir -p "$TMP/examples"
cp -r examples/flux "$EX" "$TMP/examples/"
base=$TMP/examples/$(basename "$EX")
sed -i '/^transformers:/,$d' "$base/kustomization.yaml"
grep -q 'allow-namespace-ingress' "$base/kustomization.yaml" && fail "the baseline still lists the transformer"
kubectl kustomize "$base" >"$TMP/without.yaml"
ok "rendered $(grep -c '^kind: ' "$TMP/without.yaml") resources"

step "the rendered output = baseline + the new rule in flux-system/allow-egress + the label on Namespace octopilot-system; every other resource byte-for-byte unchanged"
expect_added "$TMP/without.yaml" "$TMP/with.yaml" < <(namespace_label_then_rule)
ok "only the expected lines were added"

step "the added lines are where they belong (Namespace octopilot-system labels; allow-egress spec.ingress[1])"
ns_doc=$(awk 'BEGIN{RS="---\n"} /\nkind: Namespace\n/ && /\n  name: octopilot-system\n/' "$TMP/with.yaml")
grep -q '^  labels:$' <<<"$ns_doc" && grep -q '^    app.kubernetes.io/part-of: octopilot$' <<<"$ns_doc" &&
	grep -q '^    name: octopilot-system$' <<<"$ns_doc" || { echo "$ns_doc" >&2; fail "Namespace octopilot-system lacks the label name=octopilot-system"; }
# allow_egress_doc FILE: the allow-egress NetworkPolicy document of a render.
allow_egress_doc() { awk 'BEGIN{RS="---\n"} /\nkind: NetworkPolicy\n/ && /\n  name: allow-egress\n/' "$1"; }
np_doc=$(allow_egress_doc "$TMP/with.yaml")
[[ $np_doc == *"$(default_rule_lines 2 0)"* ]] || { echo "$np_doc" >&2; fail "allow-egress lacks the rule"; }
rules_before=$(allow_egress_doc "$TMP/without.yaml" | grep -c '^  - from:$')
rules=$(grep -c '^  - from:$' <<<"$np_doc")
[[ $rules -eq $((rules_before + 1)) ]] || { echo "$np_doc" >&2; fail "allow-egress has $rules ingress rules, not $rules_before + 1"; }
ok "Namespace labelled name=octopilot-system; allow-egress has $rules ingress rules ($rules_before + the new one)"

step "idempotent: the rendered output, rendered again through the plugin, is unchanged"
mkdir -p "$TMP/again"
cp "$TMP/with.yaml" "$TMP/again/all.yaml"
cp "$EX/allow-namespace-ingress.yaml" "$TMP/again/"
printf 'resources:\n  - all.yaml\ntransformers:\n  - allow-namespace-ingress.yaml\n' >"$TMP/again/kustomization.yaml"
KUSTOMIZE_PLUGIN_HOME=$TMP/plugins kubectl kustomize --enable-alpha-plugins "$TMP/again" >"$TMP/again.yaml"
expect_same "$TMP/with.yaml" "$TMP/again.yaml" "a second render changed the output"
ok "unchanged"

step "without --enable-alpha-plugins kubectl refuses to run the plugin (not a silent skip)"
if kubectl kustomize "$EX" >/dev/null 2>"$TMP/noalpha.err"; then
	fail "kubectl kustomize without --enable-alpha-plugins succeeded"
fi
grep -q 'plugins disabled' "$TMP/noalpha.err" || { cat "$TMP/noalpha.err" >&2; fail "unexpected error"; }
ok "$(head -1 "$TMP/noalpha.err" | sed 's/.*err=//')"

step "a failing plugin fails the build, its stderr shown (onMissingPolicy: error, policy absent)"
sed -i 's/^    name: allow-egress$/    name: no-such-policy/; s/^spec:$/spec:\n  onMissingPolicy: error/' \
	"$TMP/examples/$(basename "$EX")/allow-namespace-ingress.yaml"
cp "$EX/kustomization.yaml" "$base/kustomization.yaml"
if KUSTOMIZE_PLUGIN_HOME=$TMP/plugins kubectl kustomize --enable-alpha-plugins "$base" >"$TMP/fail.out" 2>"$TMP/fail.err"; then
	fail "kubectl kustomize succeeded though the policy is missing and onMissingPolicy is error"
fi
grep -q 'no-such-policy' "$TMP/fail.err" || { cat "$TMP/fail.err" >&2; fail "kubectl's error does not show the plugin's message"; }
ok "failed; kubectl shows: $(grep -o 'error: NetworkPolicy[^"]*' "$TMP/fail.err" | head -1)"

step "real-world kustomization (rxbn, tests/fixtures/realworld) whose patch deletes every NetworkPolicy, with the transformer added"
# Its gotk-sync.yaml is not in the fixtures: that resource line is dropped; the Namespace is added.
mkdir -p "$TMP/rxbn"
cp examples/flux/gotk-components.yaml "$EX/namespace.yaml" "$EX/allow-namespace-ingress.yaml" "$TMP/rxbn/"
sed '/^  - gotk-sync.yaml$/d; s/^  - gotk-components.yaml$/  - gotk-components.yaml\n  - namespace.yaml/' \
	tests/fixtures/realworld/rxbn-flux-system-kustomization-delete-all-netpols.yaml >"$TMP/rxbn/kustomization.yaml"
printf 'transformers:\n  - allow-namespace-ingress.yaml\n' >>"$TMP/rxbn/kustomization.yaml"
KUSTOMIZE_PLUGIN_HOME=$TMP/plugins kubectl kustomize --enable-alpha-plugins "$TMP/rxbn" >"$TMP/rxbn.out" 2>"$TMP/rxbn.err" ||
	{ cat "$TMP/rxbn.err" >&2; fail "kubectl kustomize of the rxbn kustomization failed"; }
! grep -q '^kind: NetworkPolicy$' "$TMP/rxbn.out" || fail "the rxbn patch should have deleted every NetworkPolicy"
[[ ! -s $TMP/rxbn.err ]] || { cat "$TMP/rxbn.err" >&2; note "kubectl now shows a legacy plugin's stderr on success: update docs/gitops.md"; }
ok "built; no NetworkPolicy left to merge into, and kubectl showed none of the function's warnings (kustomize shows a legacy plugin's stderr only on failure)"
sed -i 's/^spec:$/spec:\n  onMissingPolicy: error/' "$TMP/rxbn/allow-namespace-ingress.yaml"
if KUSTOMIZE_PLUGIN_HOME=$TMP/plugins kubectl kustomize --enable-alpha-plugins "$TMP/rxbn" >/dev/null 2>"$TMP/rxbn.err"; then
	fail "with onMissingPolicy: error the build should fail: the patch deleted allow-egress"
fi
grep -q 'error: NetworkPolicy flux-system/allow-egress is not in the input' "$TMP/rxbn.err" ||
	{ cat "$TMP/rxbn.err" >&2; fail "kubectl's error does not carry the function's message"; }
ok "with onMissingPolicy: error the build fails and says why"

echo "$E2E_NAME: PASS"
