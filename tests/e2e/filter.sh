#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Plain filter: allow-namespace-ingress [flags] < manifests.yaml > out.yaml, results on stderr.
#
# On the real Flux install (examples/flux/gotk-components.yaml) plus the octopilot-system
# Namespace: config from flags, from --config (typed and ConfigMap) and the defaults must give the
# same output, the input plus exactly the rule and the label; stderr says so in readable lines.
# On the real-world files (tests/fixtures/realworld, see SOURCES.md there): every one of those
# real policies is left byte-for-byte alone unless it is the configured target; when it is, the
# merged result is checked.
set -euo pipefail
# shellcheck source=tests/e2e/lib/common.bash
source "$(dirname "$0")/lib/common.bash"

RW=tests/fixtures/realworld
GOTK=examples/flux/gotk-components.yaml
NS=examples/flux-kubectl-kustomize/namespace.yaml

# The README's input: the Flux install, then the Namespace as a second document.
{ cat "$GOTK"; echo ---; cat "$NS"; } >"$TMP/in.yaml"

# run OUT ERR ARGS... < IN: run the filter, exit status in $rc.
run() {
	local out=$1 err=$2
	shift 2
	rc=0
	"$ANI_BIN" "$@" >"$out" 2>"$err" || rc=$?
}

expected_flux_added() {
	default_rule_lines 2 0
	echo '    name: octopilot-system'
}

step "flags: --policy flux-system/allow-egress --from-namespace octopilot-system --port 80 --port 9090/TCP --namespace-label name"
run "$TMP/flags.out" "$TMP/flags.err" --policy flux-system/allow-egress --from-namespace octopilot-system \
	--port 80 --port 9090/TCP --namespace-label name <"$TMP/in.yaml"
[[ $rc -eq 0 ]] || { cat "$TMP/flags.err" >&2; fail "exit status $rc, want 0"; }
expect_added "$TMP/in.yaml" "$TMP/flags.out" < <(expected_flux_added)
ok "stdout = input + the rule + the label"
# Results point at the node they are about: allow-egress's ingress sequence (its first rule) and
# the Namespace's labels mapping (its first label).
rules_at=$(position_after "$TMP/in.yaml" '^  name: allow-egress$' '^  - from:$')
labels_at=$(position_after "$TMP/in.yaml" '^  name: octopilot-system$' '^    [^ ]')
source_controller_ports_at=$(service_ports_at "$TMP/in.yaml" source-controller)
notification_controller_ports_at=$(service_ports_at "$TMP/in.yaml" notification-controller)
webhook_receiver_ports_at=$(service_ports_at "$TMP/in.yaml" webhook-receiver)
cat >"$TMP/flags.err.want" <<EOF
allow-namespace-ingress: <stdin>:$rules_at: info: NetworkPolicy flux-system/allow-egress: added an ingress rule admitting namespace octopilot-system on 80/TCP, 9090/TCP (spec.ingress[1])
allow-namespace-ingress: <stdin>:$source_controller_ports_at: info: Service flux-system/source-controller: maps port 80 to targetPort http (container port 9090): NetworkPolicies match the pods' container ports, so the configured port 80 opens nothing on pods that do not listen on it (spec.ports[0])
allow-namespace-ingress: <stdin>:$notification_controller_ports_at: info: Service flux-system/notification-controller: maps port 80 to targetPort http (container port 9090): NetworkPolicies match the pods' container ports, so the configured port 80 opens nothing on pods that do not listen on it (spec.ports[0])
allow-namespace-ingress: <stdin>:$webhook_receiver_ports_at: info: Service flux-system/webhook-receiver: maps port 80 to targetPort http-webhook (container port 9292): NetworkPolicies match the pods' container ports, so the configured port 80 opens nothing on pods that do not listen on it (spec.ports[0])
allow-namespace-ingress: <stdin>:$labels_at: info: Namespace octopilot-system: labelled name=octopilot-system (metadata.labels)
EOF
diff -u "$TMP/flags.err.want" "$TMP/flags.err" || fail "stderr lines are not the expected ones"
ok "stderr: one readable line per result"

step "the same output with no flags (defaults), with --config (typed AllowNamespaceIngress), with --config (ConfigMap)"
for args in "" "--config examples/flux-kubectl-kustomize/allow-namespace-ingress.yaml" \
	"--config examples/filter/allow-namespace-ingress.configmap.yaml"; do
	# shellcheck disable=SC2086
	run "$TMP/alt.out" "$TMP/alt.err" $args <"$TMP/in.yaml"
	[[ $rc -eq 0 ]] || { cat "$TMP/alt.err" >&2; fail "'$args': exit status $rc"; }
	expect_same "$TMP/flags.out" "$TMP/alt.out" "'$args' gives another output than the flags"
	expect_same "$TMP/flags.err" "$TMP/alt.err" "'$args' gives other stderr lines than the flags"
	ok "'${args:-(no flags)}': same stdout and stderr"
done

step "--pod-selector app=secret-manager-controller --port 8000-8080/UDP --namespace-label kubernetes.io/metadata.name --no-label-namespace: one peer with both selectors, a port range, the Namespace left alone"
run "$TMP/pods.out" "$TMP/pods.err" --pod-selector app=secret-manager-controller --port 8000-8080/UDP \
	--namespace-label kubernetes.io/metadata.name --no-label-namespace <"$TMP/in.yaml"
[[ $rc -eq 0 ]] || { cat "$TMP/pods.err" >&2; fail "exit status $rc"; }
expect_added "$TMP/in.yaml" "$TMP/pods.out" <<'EOF'
  - from:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: octopilot-system
      podSelector:
        matchLabels:
          app: secret-manager-controller
    ports:
    - port: 8000
      protocol: UDP
      endPort: 8080
EOF
ok "merged; Namespace untouched"

step "--no-label-namespace with the Namespace in the input lacking the label: exit 1, nothing written"
run "$TMP/nolabel.out" "$TMP/nolabel.err" --no-label-namespace <"$TMP/in.yaml"
[[ $rc -eq 1 && ! -s "$TMP/nolabel.out" ]] || fail "exit status $rc, or output written"
grep -q 'error: Namespace octopilot-system: .*lacks the label name=octopilot-system' "$TMP/nolabel.err" ||
	{ cat "$TMP/nolabel.err" >&2; fail "no error about the unlabelled Namespace"; }
ok "refused: the rule would not admit the Namespace"

step "-q prints nothing when all is well; output unchanged"
run "$TMP/q.out" "$TMP/q.err" -q <"$TMP/in.yaml"
[[ $rc -eq 0 && ! -s $TMP/q.err ]] || { cat "$TMP/q.err" >&2; fail "-q: exit $rc or stderr not empty"; }
expect_same "$TMP/flags.out" "$TMP/q.out"
ok "quiet"

step "idempotent: the output run through again is unchanged, stderr says nothing to change"
run "$TMP/again.out" "$TMP/again.err" <"$TMP/flags.out"
[[ $rc -eq 0 ]] || fail "exit status $rc"
expect_same "$TMP/flags.out" "$TMP/again.out" "second run changed the output"
grep -q 'already admits namespace octopilot-system on 80/TCP, 9090/TCP (through the label name=octopilot-system on its Namespace): nothing to change' "$TMP/again.err" ||
	{ cat "$TMP/again.err" >&2; fail "second run: no 'nothing to change'"; }
ok "unchanged"

step "--check: exit 0 on the output, 1 on the input (with an error line per missing grant)"
run "$TMP/check.out" "$TMP/check.err" --check <"$TMP/flags.out"
[[ $rc -eq 0 ]] || { cat "$TMP/check.err" >&2; fail "--check on the merged output: exit $rc"; }
run "$TMP/check.out" "$TMP/check.err" --check <"$TMP/in.yaml"
[[ $rc -eq 1 ]] || fail "--check on the input: exit $rc, want 1"
[[ $(grep -c ': error: ' "$TMP/check.err") -eq 2 ]] || { cat "$TMP/check.err" >&2; fail "--check: want 2 error lines"; }
ok "check mode reports both missing grants"

step "real-world files alone, defaults: output == input byte-for-byte, exit 0, a warning that flux-system/allow-egress is absent"
for f in "$RW"/*.yaml; do
	run "$TMP/rw.out" "$TMP/rw.err" <"$f"
	[[ $rc -eq 0 ]] || { cat "$TMP/rw.err" >&2; fail "$f: exit status $rc"; }
	expect_same "$f" "$TMP/rw.out" "$f: changed though it holds no target"
	grep -q 'warning: NetworkPolicy flux-system/allow-egress is not in the input' "$TMP/rw.err" ||
		{ cat "$TMP/rw.err" >&2; fail "$f: no warning about the missing target"; }
	ok "$(basename "$f"): unchanged, warned"
done

step "each real-world file inside the Flux stream, defaults: only allow-egress and the Namespace change; the real-world documents stay byte-for-byte"
for f in "$RW"/*.yaml; do
	# The real-world file last, so that a missing final newline is kept as it is.
	{ cat "$GOTK"; echo ---; cat "$NS"; echo ---; cat "$f"; } >"$TMP/mix.in"
	run "$TMP/mix.out" "$TMP/mix.err" <"$TMP/mix.in"
	[[ $rc -eq 0 ]] || { cat "$TMP/mix.err" >&2; fail "$f in the Flux stream: exit status $rc"; }
	expect_added "$TMP/mix.in" "$TMP/mix.out" < <(expected_flux_added) >/dev/null
	n=$(wc -c <"$f")
	tail -c "$n" "$TMP/mix.out" | cmp -s - "$f" || fail "$f: its bytes changed inside the stream"
	ok "$(basename "$f"): untouched; allow-egress merged"
done

# rw_target FILE ARGS...: run on FILE with ARGS; stdout must be FILE plus the lines on stdin.
rw_target() {
	local f=$RW/$1
	shift
	run "$TMP/t.out" "$TMP/t.err" "$@" <"$f"
	[[ $rc -eq 0 ]] || { cat "$TMP/t.err" >&2; fail "$f $*: exit status $rc"; }
	expect_added "$f" "$TMP/t.out"
	sed 's/^/    stderr: /' "$TMP/t.err"
}

step "real-world policy as the target: okdp allow-kubocd, --policy flux-system/allow-kubocd --from-namespace octopilot-system"
rw_target okdp-issue40-allow-kubocd-port-9090.yaml --policy flux-system/allow-kubocd \
	--from-namespace octopilot-system < <(default_rule_lines 4 2)
grep -q 'added an ingress rule admitting namespace octopilot-system on 80/TCP, 9090/TCP (spec.ingress\[1\])' "$TMP/t.err" ||
	fail "no 'added' line on stderr"
ok "rule appended after the existing kubocd rule, in the file's own indentation"

step "okdp allow-kubocd, only 9090/TCP, selecting by kubernetes.io/metadata.name (as the file does)"
rw_target okdp-issue40-allow-kubocd-port-9090.yaml --policy flux-system/allow-kubocd --from-namespace octopilot-system \
	--port 9090/TCP --namespace-label kubernetes.io/metadata.name <<'EOF'
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: octopilot-system
      ports:
        - port: 9090
          protocol: TCP
EOF
ok "merged"

step "okdp allow-kubocd already admits kubocd on 9090/TCP: nothing to change"
rw_target okdp-issue40-allow-kubocd-port-9090.yaml --policy flux-system/allow-kubocd --from-namespace kubocd \
	--port 9090/TCP --namespace-label kubernetes.io/metadata.name --no-label-namespace </dev/null
grep -q 'already admits namespace kubocd on 9090/TCP: nothing to change' "$TMP/t.err" || fail "no 'nothing to change'"
ok "unchanged"

step "pulumi policy with a named port and no final newline as the target, --port http"
rw_target pulumi-allow-fetch-flux-artifacts-named-port.yaml --policy flux-system/allow-pulumi-fetch-flux-artifacts \
	--from-namespace octopilot-system --port http <<'EOF'
    - from:
        - namespaceSelector:
            matchLabels:
              name: octopilot-system
      ports:
        - port: http
          protocol: TCP
EOF
[[ $(tail -c 1 "$TMP/t.out" | od -An -c | tr -d ' ') != '\n' ]] || fail "a final newline was added"
ok "merged; still no final newline"

step "Calico NetworkPolicy (crd.projectcalico.org) named as the target: left alone (another API group), with a warning naming the near miss"
rw_target rxbn-calico-netpol-flux-system-folded-scalar.yaml --policy flux-system/ingress-notification-controller </dev/null
grep -q 'near misses: crd.projectcalico.org/v1 NetworkPolicy ingress-notification-controller' "$TMP/t.err" ||
	fail "no near-miss warning"
ok "unchanged"

echo "$E2E_NAME: PASS"
