#!/usr/bin/env python3
"""Generate the benchmark inputs (deterministic; Python 3 standard library only).

Writes into OUT_DIR (default: bench/out/ next to this script):

  flux.yaml          ResourceList: the Flux install (data/gotk-components.yaml) plus the
                     octopilot-system Namespace (data/octopilot-system-namespace.yaml), ~350 KB
  empty.yaml         ResourceList with `items: []`
  synth-<S>x.yaml    synthetic ResourceList of about S x BASE_MB megabytes, one per --scales entry
  synth-<N>mb.yaml   synthetic ResourceList of about BIG_MB megabytes (unless --big-mb 0)
  kustomize-list.yaml    what `kustomize build` hands a function: a ResourceList of about
                         KUSTOMIZE_MB megabytes of small Deployments, Services and ConfigMaps
                         (short plain and quoted scalars, flow maps), kustomize's and kpt's
                         annotations on every item (unless --kustomize-mb 0)
  kustomize-stream.yaml  the same resources as a plain multi-document stream
  inputs.tsv         name, bytes, items, sha256 of every file written

No file has a functionConfig, so the function applies its defaults. Every synthetic list holds
realistic items (Deployments, ConfigMaps with `|` data, Services, CRDs with long `>-`
descriptions, a few ServiceAccounts, Namespaces and NetworkPolicies; comments and flow
collections in some), then the target NetworkPolicy flux-system/allow-egress (the same text as in
the Flux install) near the end, then three more items, then the octopilot-system Namespace last.
All synthetic lists share one item sequence: a smaller list is a prefix of a bigger one (apart
from its tail). The kustomize-style inputs end the same way (the target NetworkPolicy, three more
items, the Namespace), with the annotations on these too. 1 MB = 1,000,000 bytes.
"""

import argparse
import hashlib
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
HEADER = "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n"
SEED = 5  # GitHub issue 5

# ---------------------------------------------------------------------------------------------
# Documents -> list items, by indenting text


def split_documents(text):
    """Split a multi-document YAML stream on `---` lines. Returns lists of lines (no newline)."""
    docs, cur = [], []
    for line in text.split("\n"):
        if line == "---" or line.startswith("--- ") or line == "...":
            docs.append(cur)
            cur = []
        else:
            cur.append(line)
    docs.append(cur)
    out = []
    for d in docs:
        while d and d[-1] == "":
            d.pop()
        if any(l and not l.startswith("#") for l in d):
            out.append(d)
    return out


def as_item(lines):
    """Turn one document (a block mapping at column 0) into a block sequence item at column 0.

    Comment-only and blank lines before the first key stay comments, at column 0 in front of the
    item; the first key line gets "- ", every later non-empty line gets two spaces (blank lines stay
    empty so that no trailing whitespace appears)."""
    out = []
    i = 0
    while i < len(lines) and (lines[i] == "" or lines[i].startswith("#")):
        if lines[i]:
            out.append(lines[i])
        i += 1
    if i == len(lines):
        raise ValueError("document without content")
    first = lines[i]
    if first.startswith(" ") or first.startswith("-"):
        raise ValueError("document does not start with a block mapping at column 0: %r" % first)
    out.append("- " + first)
    for l in lines[i + 1:]:
        out.append("  " + l if l else "")
    return "\n".join(out) + "\n"


def read(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        return f.read()


def as_document(lines):
    """One document of a plain multi-document stream."""
    return "---\n" + "\n".join(lines) + "\n"


def flux_target_netpol():
    """The allow-egress NetworkPolicy exactly as in the Flux install (document lines)."""
    for d in split_documents(read("gotk-components.yaml")):
        body = "\n".join(d)
        if "kind: NetworkPolicy" in body and "\n  name: allow-egress\n" in body:
            return d
    raise SystemExit("gen-inputs: allow-egress not found in data/gotk-components.yaml")


def octopilot_namespace():
    return split_documents(read("octopilot-system-namespace.yaml"))[0]


# ---------------------------------------------------------------------------------------------
# Synthetic items

WORDS = (
    "the resource controller reconciles object status spec field value when set to true "
    "kubernetes cluster namespace label selector matches pods that are scheduled on nodes with "
    "given taints and tolerations this must be a valid DNS subdomain name defaults to empty "
    "string which means the server will choose the interval at which the source is checked for "
    "updates reference secret containing credentials for authentication against the remote "
    "repository optional timeout for fetch operations defaults to sixty seconds conditions hold "
    "the latest available observations of the object's current state observed generation is the "
    "last reconciled generation suspend tells the controller to suspend subsequent operations it "
    "does not apply to already started executions"
).split()

TEAMS = ["payments", "search", "checkout", "identity", "ledger", "catalog", "media", "ops"]
LIBS = ["spring", "express", "gin", "actix", "flask", "rails", "phoenix", "quarkus"]


def sentence(rng, n):
    w = [rng.choice(WORDS) for _ in range(n)]
    w[0] = w[0].capitalize()
    return " ".join(w) + "."


def folded(rng, indent, nwords, width=92):
    """A `>-` block scalar body: words wrapped at `width`, each line indented by `indent`."""
    text = " ".join(sentence(rng, rng.randint(8, 18)) for _ in range(max(1, nwords // 12)))
    lines, cur = [], ""
    for w in text.split():
        if cur and len(cur) + 1 + len(w) > width - indent:
            lines.append(" " * indent + cur)
            cur = w
        else:
            cur = (cur + " " + w) if cur else w
    if cur:
        lines.append(" " * indent + cur)
    return lines


def meta(i, rng, kind_name, ns, extra_labels=True, flow=False):
    team = TEAMS[i % len(TEAMS)]
    lines = ["metadata:"]
    if rng.random() < 0.4:
        lines += ["  annotations:",
                  "    meta.helm.sh/release-name: %s" % team,
                  "    meta.helm.sh/release-namespace: %s" % ns]
    if flow:
        lines.append("  labels: {app.kubernetes.io/name: %s, app.kubernetes.io/part-of: %s}"
                     % (kind_name, team))
    else:
        lines += ["  labels:",
                  "    app.kubernetes.io/name: %s" % kind_name,
                  "    app.kubernetes.io/part-of: %s" % team]
        if extra_labels:
            lines += ["    app.kubernetes.io/version: %d.%d.%d" % (1 + i % 3, i % 17, i % 7),
                      "    app.kubernetes.io/managed-by: Helm"]
    lines += ["  name: %s" % kind_name, "  namespace: %s" % ns]
    return lines


def deployment(i, rng):
    ns = "team-%03d" % (i % 97)
    name = "svc-%06d" % i
    styled = i % 5 == 0  # comments, flow maps and indented sequences, as hand-written files have
    seq = "  " if styled else ""  # extra indent of sequences inside mappings when styled
    L = []
    if styled:
        L.append("# %s: %s" % (name, sentence(rng, 6)))
    L += ["apiVersion: apps/v1", "kind: Deployment"]
    L += meta(i, rng, name, ns, flow=styled and i % 2 == 0)
    L += ["spec:",
          "  replicas: %d" % (1 + i % 3),
          "  selector:",
          "    matchLabels:",
          "      app.kubernetes.io/name: %s" % name,
          "  template:",
          "    metadata:"]
    if rng.random() < 0.5:
        L += ["      annotations:",
              "        prometheus.io/port: \"8080\"",
              "        prometheus.io/scrape: \"true\""]
    L += ["      labels:",
          "        app.kubernetes.io/name: %s" % name,
          "    spec:"]
    if styled:
        L.append("      # The manager is the only container; see the runbook before adding sidecars.")
    L += ["      containers:",
          seq + "      - args:",
          seq + "        " + seq + "- --log-level=%s" % rng.choice(["info", "debug", "warn"]),
          seq + "        " + seq + "- --metrics-addr=:8080",
          seq + "        " + seq + "- --watch-all-namespaces=%s" % rng.choice(["true", "false"]),
          seq + "        env:"]
    for k in range(rng.randint(2, 6)):
        L += [seq + "        " + seq + "- name: %s_%d" % (rng.choice(["FEATURE", "LIMIT", "URL", "MODE"]), k),
              seq + "        " + seq + "  value: \"%s\"" % rng.choice(["true", "false", "42", "https://api.example.com/v%d" % k])]
    L += [seq + "        " + seq + "- name: RUNTIME_NAMESPACE",
          seq + "        " + seq + "  valueFrom:",
          seq + "        " + seq + "    fieldRef:",
          seq + "        " + seq + "      fieldPath: metadata.namespace",
          seq + "        image: registry.example.com/%s/%s:v%d.%d.%d" % (ns, name, 1 + i % 3, i % 17, i % 7),
          seq + "        imagePullPolicy: IfNotPresent",
          seq + "        livenessProbe:",
          seq + "          httpGet:",
          seq + "            path: /healthz",
          seq + "            port: healthz",
          seq + "        name: manager",
          seq + "        ports:",
          seq + "        " + seq + "- containerPort: 8080",
          seq + "        " + seq + "  name: http-prom",
          seq + "        " + seq + "  protocol: TCP",
          seq + "        " + seq + "- containerPort: 9440",
          seq + "        " + seq + "  name: healthz",
          seq + "        " + seq + "  protocol: TCP",
          seq + "        readinessProbe:",
          seq + "          httpGet:",
          seq + "            path: /readyz",
          seq + "            port: healthz"]
    if styled:
        L += [seq + "        resources: {limits: {cpu: %dm, memory: %dMi}, requests: {cpu: %dm, memory: %dMi}}  # sized for p99"
              % (500 + 100 * (i % 5), 256 * (1 + i % 4), 50 + 10 * (i % 5), 64 * (1 + i % 4))]
    else:
        L += [seq + "        resources:",
              seq + "          limits:",
              seq + "            cpu: %dm" % (500 + 100 * (i % 5)),
              seq + "            memory: %dMi" % (256 * (1 + i % 4)),
              seq + "          requests:",
              seq + "            cpu: %dm" % (50 + 10 * (i % 5)),
              seq + "            memory: %dMi" % (64 * (1 + i % 4))]
    L += [seq + "        securityContext:",
          seq + "          allowPrivilegeEscalation: false",
          seq + "          capabilities:",
          seq + "            drop:",
          seq + "            " + seq + "- ALL",
          seq + "          readOnlyRootFilesystem: true",
          seq + "          runAsNonRoot: true",
          seq + "        volumeMounts:",
          seq + "        " + seq + "- mountPath: /tmp",
          seq + "        " + seq + "  name: temp",
          "      securityContext:",
          "        fsGroup: 1337",
          "      serviceAccountName: %s" % name,
          "      terminationGracePeriodSeconds: 10",
          "      volumes:",
          seq + "      - emptyDir: {}",
          seq + "        name: temp"]
    return L


def configmap(i, rng):
    ns = "team-%03d" % (i % 97)
    name = "cfg-%06d" % i
    L = ["apiVersion: v1", "data:"]
    L.append("  application.properties: |")
    for k in range(rng.randint(6, 16)):
        L.append("    %s.%s.%s=%s" % (rng.choice(LIBS), rng.choice(WORDS), rng.choice(WORDS),
                                      rng.choice(["true", "false", str(rng.randint(1, 65535)), "${ENV_%d}" % k])))
    if i % 3 == 0:
        L.append("  # Rendered from the team's template; edit the template, not this file.")
        L.append("  nginx.conf: |")
        L += ["    server {",
              "        listen %d;" % (8000 + i % 1000),
              "        server_name %s.example.com;" % name,
              "        location / {",
              "            proxy_pass http://127.0.0.1:8080;  # the app",
              "            proxy_set_header Host $host;",
              "        }",
              "",
              "        location /static/ {",
              "            root /srv/%s;" % name,
              "        }",
              "    }"]
    if i % 4 == 1:
        L.append("  settings.json: |-")
        L.append("    {")
        n = rng.randint(3, 8)
        for k in range(n):
            L.append("      \"%s_%d\": \"%s\"%s" % (rng.choice(WORDS), k, sentence(rng, 4), "," if k < n - 1 else ""))
        L.append("    }")
    L += ["  LOG_LEVEL: %s" % rng.choice(["info", "debug", "'warn'", "\"error\""]),
          "  REPLICAS: \"%d\"" % (1 + i % 5),
          "kind: ConfigMap"]
    L += meta(i, rng, name, ns, extra_labels=False, flow=i % 7 == 0)
    return L


def service(i, rng):
    ns = "team-%03d" % (i % 97)
    name = "svc-%06d" % i
    flow = i % 4 == 0
    L = ["apiVersion: v1", "kind: Service"]
    L += meta(i, rng, name, ns)
    L += ["spec:"]
    if flow:
        L += ["  ports:",
              "  - {name: http, port: 80, protocol: TCP, targetPort: http-prom}",
              "  - {name: grpc, port: 9090, protocol: TCP, targetPort: 9090}",
              "  selector: {app.kubernetes.io/name: %s}" % name]
    else:
        L += ["  ports:",
              "  - name: http",
              "    port: 80",
              "    protocol: TCP",
              "    targetPort: http-prom",
              "  selector:",
              "    app.kubernetes.io/name: %s" % name]
    L.append("  type: %s" % ("ClusterIP" if i % 9 else "LoadBalancer"))
    return L


def crd(i, rng):
    group = "%s.example-%d.io" % (TEAMS[i % len(TEAMS)], i % 13)
    kind = "Widget%d" % i
    plural = "widget%ds" % i
    L = ["apiVersion: apiextensions.k8s.io/v1",
         "kind: CustomResourceDefinition",
         "metadata:",
         "  annotations:",
         "    controller-gen.kubebuilder.io/version: v0.16.%d" % (i % 5),
         "  labels:",
         "    app.kubernetes.io/part-of: %s" % TEAMS[i % len(TEAMS)],
         "  name: %s.%s" % (plural, group),
         "spec:",
         "  group: %s" % group,
         "  names:",
         "    kind: %s" % kind,
         "    listKind: %sList" % kind,
         "    plural: %s" % plural,
         "    singular: widget%d" % i,
         "  scope: Namespaced",
         "  versions:",
         "  - additionalPrinterColumns:",
         "    - jsonPath: .status.conditions[?(@.type==\"Ready\")].status",
         "      name: Ready",
         "      type: string",
         "    name: v1",
         "    schema:",
         "      openAPIV3Schema:",
         "        description: >-"]
    L += folded(rng, 10, 40)
    L += ["        properties:",
          "          apiVersion:",
          "            description: >-"]
    L += folded(rng, 14, 50)
    L += ["            type: string",
          "          spec:",
          "            description: >-"]
    L += folded(rng, 14, 30)
    L += ["            properties:"]
    for k in range(rng.randint(8, 16)):
        L += ["              %s%d:" % (rng.choice(["interval", "timeout", "ref", "suspend", "url", "path"]), k),
              "                description: >-"]
        L += folded(rng, 18, rng.randint(20, 70))
        t = rng.choice(["string", "integer", "boolean", "object"])
        if t == "object":
            L += ["                properties:",
                  "                  name:",
                  "                    description: Name of the referent.",
                  "                    type: string",
                  "                required:",
                  "                - name",
                  "                type: object"]
        elif t == "string" and rng.random() < 0.3:
            L += ["                enum: [Always, IfNotPresent, Never]",
                  "                type: string"]
        else:
            L.append("                type: %s" % t)
    L += ["            type: object",
          "        type: object",
          "    served: true",
          "    storage: true",
          "    subresources:",
          "      status: {}"]
    return L


def serviceaccount(i, rng):
    ns = "team-%03d" % (i % 97)
    return ["apiVersion: v1", "kind: ServiceAccount"] + meta(i, rng, "svc-%06d" % i, ns, extra_labels=False)


def namespace(i, rng):
    ns = "team-%03d" % (i % 97)
    return ["apiVersion: v1", "kind: Namespace", "metadata:", "  labels:",
            "    app.kubernetes.io/part-of: %s" % TEAMS[i % len(TEAMS)],
            "    pod-security.kubernetes.io/enforce: %s" % rng.choice(["restricted", "baseline"]),
            "  name: %s" % ns]


def netpol(i, rng):
    ns = "team-%03d" % (i % 97)
    return ["apiVersion: networking.k8s.io/v1", "kind: NetworkPolicy", "metadata:",
            "  name: allow-egress" if i % 2 else "  name: allow-same-namespace",
            "  namespace: %s" % ns,  # never flux-system: only the real target may match
            "spec:",
            "  ingress:",
            "  - from:",
            "    - podSelector: {}",
            "  podSelector: {}",
            "  policyTypes:",
            "  - Ingress"]


# (weight, generator): by count; CRDs are rare but big.
KINDS = [(30, deployment), (25, configmap), (25, service), (3, crd), (10, serviceaccount),
         (3, namespace), (4, netpol)]


def synthetic_items(seed=SEED):
    rng = random.Random(seed)
    gens = [g for w, g in KINDS for _ in range(w)]
    i = 0
    while True:
        g = gens[rng.randrange(len(gens))]
        yield as_item(g(i, rng))
        i += 1


# ---------------------------------------------------------------------------------------------
# Kustomize-style items: what `kustomize build` hands a function. Many small resources, short
# scalars (plain, 'single' and "double" quoted), flow maps and sequences, and the annotations
# kustomize (v5: index, ids) and kpt (path, seqindent) put on every item.

ENVS = ["dev", "staging", "prod"]


def kustomize_annotations(n, path):
    """The annotation lines (at the metadata's indentation + 2) of the n-th resource."""
    return ["  annotations:",
            "    config.kubernetes.io/index: '%d'" % (n % 7),
            "    config.kubernetes.io/path: '%s'" % path,
            "    internal.config.kubernetes.io/index: '%d'" % (n % 7),
            "    internal.config.kubernetes.io/path: '%s'" % path,
            "    internal.config.kubernetes.io/seqindent: '%s'" % ("compact" if n % 3 else "wide"),
            "    internal.config.kubernetes.io/annotations-migration-resource-id: '%d'" % n,
            "    internal.config.kubernetes.io/id: '%d'" % (n + 1),
            "    config.k8s.io/id: '%d'" % (n + 1)]


def annotate(lines, n, path):
    """Puts kustomize's annotations first under `metadata:` (a document at column 0)."""
    at = lines.index("metadata:") + 1
    return lines[:at] + kustomize_annotations(n, path) + lines[at:]


def kz_labels(name, team, env, indent):
    return [indent + "labels:",
            indent + "  app: %s" % name,
            indent + "  app.kubernetes.io/name: %s" % name,
            indent + "  app.kubernetes.io/part-of: %s" % team,
            indent + "  env: %s" % env]


def kz_deployment(i, rng):
    team, env = TEAMS[i % len(TEAMS)], ENVS[i % 3]
    ns, name = "%s-%s" % (team, env), "app-%06d" % i
    port = 8000 + i % 1000
    L = ["apiVersion: apps/v1", "kind: Deployment", "metadata:"]
    L += kz_labels(name, team, env, "  ")
    L += ["  name: %s" % name, "  namespace: %s" % ns,
          "spec:",
          "  replicas: %d" % (1 + i % 3),
          "  selector:",
          "    matchLabels: {app: %s, env: %s}" % (name, env),
          "  template:",
          "    metadata:",
          "      annotations: {prometheus.io/port: '%d', prometheus.io/scrape: \"true\"}" % port,
          "      labels: {app: %s, env: %s}" % (name, env),
          "    spec:",
          "      containers:",
          "      - args: [--port=%d, \"--log-level=%s\", --env=%s]" % (port, rng.choice(["info", "debug", "warn"]), env),
          "        env:"]
    for k in range(rng.randint(2, 5)):
        L += ["        - name: %s_%d" % (rng.choice(["FEATURE", "LIMIT", "URL", "MODE", "REGION"]), k),
              "          value: %s" % rng.choice(["\"true\"", "'false'", "\"42\"", "'%ds'" % (5 * k + 5), "eu-west-%d" % k])]
    L += ["        - name: POD_NAMESPACE",
          "          valueFrom:",
          "            fieldRef: {fieldPath: metadata.namespace}",
          "        image: registry.example.com/%s/%s:v1.%d.%d" % (team, name, i % 17, i % 7),
          "        imagePullPolicy: IfNotPresent",
          "        name: %s" % name,
          "        ports:",
          "        - {containerPort: %d, name: http, protocol: TCP}" % port,
          "        readinessProbe:",
          "          httpGet: {path: /readyz, port: http}",
          "          periodSeconds: 10",
          "        resources:",
          "          limits: {cpu: %dm, memory: %dMi}" % (250 * (1 + i % 4), 128 * (1 + i % 4)),
          "          requests: {cpu: %dm, memory: %dMi}" % (25 * (1 + i % 4), 64 * (1 + i % 4)),
          "        securityContext:",
          "          allowPrivilegeEscalation: false",
          "          capabilities: {drop: [ALL]}",
          "          readOnlyRootFilesystem: true",
          "      serviceAccountName: %s" % name]
    return L


def kz_service(i, rng):
    team, env = TEAMS[i % len(TEAMS)], ENVS[i % 3]
    ns, name = "%s-%s" % (team, env), "app-%06d" % i
    L = ["apiVersion: v1", "kind: Service", "metadata:"]
    L += kz_labels(name, team, env, "  ")
    L += ["  name: %s" % name, "  namespace: %s" % ns,
          "spec:",
          "  ports:",
          "  - name: http",
          "    port: 80",
          "    protocol: TCP",
          "    targetPort: http"]
    if i % 2:
        L.append("  - {name: grpc, port: 9090, protocol: TCP, targetPort: %d}" % (9000 + i % 100))
    L += ["  selector: {app: %s, env: %s}" % (name, env),
          "  type: %s" % ("ClusterIP" if i % 9 else "LoadBalancer")]
    return L


def kz_configmap(i, rng):
    team, env = TEAMS[i % len(TEAMS)], ENVS[i % 3]
    ns, name = "%s-%s" % (team, env), "app-%06d-config" % i
    L = ["apiVersion: v1", "data:"]
    for k in range(rng.randint(4, 12)):
        L.append("  %s_%d: %s" % (rng.choice(["LOG_LEVEL", "TIMEOUT", "ENDPOINT", "FEATURE_FLAG", "CACHE_TTL", "DB_HOST"]), k,
                                  rng.choice(["info", "\"true\"", "'30s'", "https://%s.%s.svc:8443" % (team, ns),
                                              "\"%d\"" % rng.randint(1, 65535), "db-%d.internal" % k])))
    L += ["kind: ConfigMap", "metadata:"]
    L += kz_labels(name, team, env, "  ")
    L += ["  name: %s" % name, "  namespace: %s" % ns]
    return L


def kz_serviceaccount(i, rng):
    team, env = TEAMS[i % len(TEAMS)], ENVS[i % 3]
    return ["apiVersion: v1", "kind: ServiceAccount", "metadata:",
            "  name: app-%06d" % i, "  namespace: %s-%s" % (team, env)]


def kz_namespace(i, rng):
    team, env = TEAMS[i % len(TEAMS)], ENVS[i % 3]
    return ["apiVersion: v1", "kind: Namespace", "metadata:",
            "  labels: {app.kubernetes.io/part-of: %s, env: %s}" % (team, env),
            "  name: %s-%s" % (team, env)]


def kz_netpol(i, rng):
    team, env = TEAMS[i % len(TEAMS)], ENVS[i % 3]
    return ["apiVersion: networking.k8s.io/v1", "kind: NetworkPolicy", "metadata:",
            "  name: allow-egress" if i % 2 else "  name: allow-same-namespace",
            "  namespace: %s-%s" % (team, env),  # never flux-system: only the real target may match
            "spec:",
            "  ingress:",
            "  - from:",
            "    - podSelector: {}",
            "  podSelector: {}",
            "  policyTypes: [Ingress]"]


# (weight, generator, file of the resource): by count.
KUSTOMIZE_KINDS = [(35, kz_deployment, "deployment"), (30, kz_service, "service"),
                   (28, kz_configmap, "configmap"), (5, kz_serviceaccount, "serviceaccount"),
                   (1, kz_namespace, "namespace"), (1, kz_netpol, "networkpolicy")]


def kustomize_documents(seed=SEED):
    """Document lines of an endless kustomize-style resource sequence."""
    rng = random.Random(seed)
    gens = [(g, f) for w, g, f in KUSTOMIZE_KINDS for _ in range(w)]
    i = 0
    while True:
        g, f = gens[rng.randrange(len(gens))]
        team, env = TEAMS[i % len(TEAMS)], ENVS[i % 3]
        yield annotate(g(i, rng), i, "%s/%s/%s-%06d.yaml" % (env, team, f, i))
        i += 1


# ---------------------------------------------------------------------------------------------


class Output:
    def __init__(self, path, target):
        self.path, self.target = path, target
        self.tmp = path + ".tmp"
        self.f = open(self.tmp, "w", encoding="utf-8", newline="\n")
        self.h = hashlib.sha256()
        self.size = 0
        self.items = 0
        self.open = True

    def write(self, s, item=True):
        b = s.encode("utf-8")
        self.f.write(s)
        self.h.update(b)
        self.size += len(b)
        self.items += 1 if item else 0

    def close(self):
        self.f.close()
        os.replace(self.tmp, self.path)
        self.open = False


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", default=os.path.join(HERE, "out"), help="output directory (default: bench/out)")
    ap.add_argument("--base-mb", type=float, default=6.0, help="size of the 1x synthetic list in MB (default 6)")
    ap.add_argument("--scales", default="1,4,16", help="comma-separated multiples of --base-mb (default 1,4,16)")
    ap.add_argument("--big-mb", type=float, default=100.0, help="size of the big synthetic list in MB, 0 for none (default 100)")
    ap.add_argument("--kustomize-mb", type=float, default=30.0,
                    help="size of the kustomize-style list in MB, 0 for none (default 30)")
    args = ap.parse_args()

    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    os.makedirs(args.out, exist_ok=True)
    rows = []

    def finish(o, name):
        o.close()
        rows.append((name, o.size, o.items, o.h.hexdigest()))

    # Flux
    o = Output(os.path.join(args.out, "flux.yaml"), 0)
    o.write(HEADER, item=False)
    for d in split_documents(read("gotk-components.yaml")):
        o.write(as_item(d))
    o.write(as_item(octopilot_namespace()))
    finish(o, "flux.yaml")

    # Empty
    o = Output(os.path.join(args.out, "empty.yaml"), 0)
    o.write("apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems: []\n", item=False)
    finish(o, "empty.yaml")

    # Synthetic: all sizes from one item stream.
    tail_np, tail_ns = as_item(flux_target_netpol()), as_item(octopilot_namespace())
    specs = [("synth-%dx.yaml" % s, int(s * args.base_mb * 1e6)) for s in scales]
    if args.big_mb > 0:
        specs.append(("synth-%gmb.yaml" % args.big_mb, int(args.big_mb * 1e6)))
    outs = []
    for name, target in specs:
        o = Output(os.path.join(args.out, name), target)
        o.write(HEADER, item=False)
        o.name = name
        o.after = None  # items still to write after the target NetworkPolicy
        outs.append(o)
    gen = synthetic_items()
    # Reserve room for the tail: the NetworkPolicy, three items (about 1.5 KB each) and the Namespace.
    reserve = len(tail_np) + len(tail_ns) + 4500
    while any(o.open for o in outs):
        item = next(gen)
        for o in outs:
            if not o.open:
                continue
            if o.after is None and o.size + len(item) > o.target - reserve:
                o.write(tail_np)
                o.after = 3
            o.write(item)
            if o.after is not None:
                o.after -= 1
                if o.after == 0:
                    o.write(tail_ns)
                    finish(o, o.name)
                    print("gen-inputs: %-18s %12d bytes %8d items" % (o.name, o.size, o.items), file=sys.stderr)

    # Kustomize-style: one resource sequence, as a ResourceList and as a stream; the list's size
    # decides where both end.
    if args.kustomize_mb > 0:
        target = int(args.kustomize_mb * 1e6)
        lst = Output(os.path.join(args.out, "kustomize-list.yaml"), target)
        lst.write(HEADER, item=False)
        stream = Output(os.path.join(args.out, "kustomize-stream.yaml"), target)
        docs = kustomize_documents()
        n = 0
        tail = []
        while not tail:
            doc = next(docs)
            if lst.size + 5 * len(as_item(doc)) > target:
                # The tail: the target NetworkPolicy, three more resources, the Namespace.
                tail = [annotate(flux_target_netpol(), n, "flux-system/allow-egress.yaml"), doc,
                        next(docs), next(docs),
                        annotate(octopilot_namespace(), n + 4, "octopilot-system/namespace.yaml")]
                break
            lst.write(as_item(doc))
            stream.write(as_document(doc))
            n += 1
        for doc in tail:
            lst.write(as_item(doc))
            stream.write(as_document(doc))
        for o, name in ((lst, "kustomize-list.yaml"), (stream, "kustomize-stream.yaml")):
            finish(o, name)
            print("gen-inputs: %-22s %12d bytes %8d items" % (name, o.size, o.items), file=sys.stderr)

    with open(os.path.join(args.out, "inputs.tsv"), "w") as f:
        f.write("name\tbytes\titems\tsha256\n")
        for r in rows:
            f.write("%s\t%d\t%d\t%s\n" % r)


if __name__ == "__main__":
    main()
