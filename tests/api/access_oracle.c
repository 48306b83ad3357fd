/* SPDX-License-Identifier: Apache-2.0 */
/* The effective access, judged by an independent NetworkPolicy evaluator (issue 13): a property
 * test over generated policies, workloads, selectors, YAML styles and configs.
 *
 * The evaluator below is written from the NetworkPolicy API reference
 * (https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/) and
 * the API server's defaults, not from function/netpol.c or function/access.c: it reads the
 * output with libyaml's document loader, decodes integers as Go's YAML decoders do, resolves
 * aliases (the loader does), defaults policyTypes and protocol, and decides per pod and port
 * number: a pod no Ingress policy selects admits everything; an isolated pod admits what some
 * rule of some policy selecting it admits. Each case writes a stream (policies of flux-system,
 * maybe workloads, maybe the source Namespace), runs merge, check and separate mode through the
 * public API and checks, over probe sources and ports:
 *  - merge exits 0 only when every configured port is admitted on every destination pod, and
 *    then never admits a probe outside the configured grant that was not admitted before
 *    (never widens) and keeps every probe admitted before (never narrows);
 *  - check passes exactly when merge exits 0 and changes nothing;
 *  - separate mode never narrows, and exits 0 only with the grant admitted.
 * Deterministic; ANI_ORACLE_SEED and ANI_ORACLE_CASES override the seed and count. */
#include "allow_namespace_ingress.h"

#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static uint64_t rng;
static unsigned below(unsigned n)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (unsigned)((z ^ (z >> 31)) % n);
}
#define PICK(a) ((a)[below(sizeof(a) / sizeof *(a))])

typedef struct {
	char *p;
	size_t len, cap;
} text;

static void add(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (t->len + (size_t)n + 1 > t->cap) {
		t->cap = (t->len + (size_t)n + 1) * 2;
		t->p = realloc(t->p, t->cap);
	}
	va_start(ap, fmt);
	vsnprintf(t->p + t->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	t->len += (size_t)n;
}

/* ---- generation ---- */

static const char *const apps[] = {"source-controller", "helm-controller", "web"};

/* A port number in one of the styles Go's YAML decoders read as that integer. */
static void put_number(text *t, long v)
{
	switch (below(4)) {
	case 0:
		add(t, "%ld", v);
		break;
	case 1:
		add(t, "0x%lx", v);
		break;
	case 2:
		add(t, "0%lo", v);
		break;
	default:
		add(t, "%ld_%ld", v / 10, v % 10);
	}
}

static void put_selector(text *t, const char *indent, int for_namespaces)
{
	switch (below(for_namespaces ? 5 : 4)) {
	case 0:
		add(t, " {}\n");
		break;
	case 1:
		add(t, "\n%s  matchLabels: {app: %s}\n", indent, PICK(apps));
		break;
	case 2:
		add(t,
		    "\n%s  matchExpressions:\n%s  - {key: app, operator: In, values: [%s, %s]}\n",
		    indent, indent, PICK(apps), PICK(apps));
		break;
	case 3:
		if (for_namespaces)
			add(t,
			    "\n%s  matchLabels:\n%s    kubernetes.io/metadata.name: "
			    "octopilot-system\n",
			    indent, indent);
		else
			add(t, "\n%s  matchExpressions:\n%s  - {key: app, operator: Exists}\n",
			    indent, indent);
		break;
	default:
		add(t, "\n%s  matchLabels: {name: %s}\n", indent,
		    below(2) ? "octopilot-system" : "monitoring");
	}
}

static void put_rule(text *t)
{
	add(t, "  -");
	int n_peers = (int)below(3);
	if (n_peers == 0 && below(2)) {
		add(t, " {}\n");
		return;
	}
	add(t, "\n");
	if (n_peers) {
		add(t, "    from:\n");
		for (int i = 0; i < n_peers; i++) {
			unsigned kind = below(4);
			if (kind == 0) {
				add(t, "    - ipBlock: {cidr: 10.0.0.0/8}\n");
				continue;
			}
			add(t, "    -");
			if (kind != 2) {
				add(t, " namespaceSelector:");
				put_selector(t, "      ", 1);
			}
			if (kind != 1) {
				add(t, "%spodSelector:", kind == 2 ? " " : "      ");
				put_selector(t, "      ", 0);
			}
		}
	}
	int n_ports = (int)below(3);
	if (!n_ports)
		return;
	add(t, "    ports:\n");
	static int anchors; /* unique names: libyaml's loader refuses a redefined anchor */
	int anchored = 0;
	for (int i = 0; i < n_ports; i++) {
		unsigned k = below(6);
		add(t, "    - port: ");
		if (k == 0)
			add(t, "http");
		else if (k == 1)
			add(t, "\"http\"");
		else
			put_number(t, PICK(((long[]){80, 8000, 9090, 7999, 53, 1})));
		if (k == 2)
			add(t, "\n      endPort: %ld", PICK(((long[]){8100, 9090, 65535})));
		const char *proto = PICK(((const char *[]){NULL, "TCP", "UDP"}));
		if (proto && !anchored && below(2)) {
			add(t, "\n      protocol: &proto%d %s", ++anchors, proto);
			anchored = anchors;
		} else if (anchored && below(2)) {
			add(t, "\n      protocol: *proto%d", anchored);
		} else if (proto) {
			add(t, "\n      protocol: %s", proto);
		}
		add(t, "\n");
	}
}

static void put_policy(text *t, const char *name, int all_pods)
{
	add(t,
	    "---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: "
	    "%s\n  namespace: flux-system\nspec:\n  podSelector:",
	    name);
	if (all_pods)
		add(t, " {}\n");
	else
		put_selector(t, "  ", 0);
	const char *types = PICK(((const char *[]){
		"", "  policyTypes: []\n", "  policyTypes: [Ingress]\n",
		"  policyTypes: [Ingress, Egress]\n", "  policyTypes: [Egress]\n"}));
	add(t, "%s", types);
	int n = (int)below(3);
	if (n) {
		add(t, "  ingress:\n");
		for (int i = 0; i < n; i++)
			put_rule(t);
	}
}

static void put_workload(text *t, const char *app, int named)
{
	add(t,
	    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\n  namespace: "
	    "flux-system\nspec:\n  selector:\n    matchLabels: {app: %s}\n  template:\n    "
	    "metadata:\n      labels: {app: %s}\n    spec:\n      containers:\n      - name: "
	    "c\n        ports:\n        - containerPort: 9090\n%s",
	    app, app, app, named ? "          name: http\n" : "");
}

typedef struct {
	char ports[64];
	const char *pods; /* podSelector k=v, or NULL */
	const char *label;
	int namespace_in_input, namespace_labelled;
} config;

static void generate(text *in, config *c)
{
	put_policy(in, "allow-egress", below(3) == 0);
	for (int i = 0, n = (int)below(3); i < n; i++) {
		char name[32];
		snprintf(name, sizeof name, "other-%d", i);
		put_policy(in, name, below(2));
	}
	for (int i = 0, n = (int)below(3); i < n; i++)
		put_workload(in, apps[i], below(2));
	c->label = below(3) ? "name" : "kubernetes.io/metadata.name";
	c->namespace_in_input = below(4) != 0;
	c->namespace_labelled = below(2);
	if (c->namespace_in_input) {
		add(in,
		    "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: octopilot-system\n");
		if (c->namespace_labelled)
			add(in, "  labels:\n    name: octopilot-system\n");
	}
	c->pods = below(3) ? NULL : "app=smc";
	static const char *const port_sets[] = {"80",	"9090",	     "80,9090",
						"http", "8000-8100", "53/UDP"};
	snprintf(c->ports, sizeof c->ports, "%s", PICK(port_sets));
}

/* ---- the independent evaluator ---- */

typedef struct {
	yaml_document_t docs[16];
	int n;
} manifests;

static int load(manifests *m, const char *s, size_t len)
{
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)s, len);
	m->n = 0;
	for (;;) {
		cr_assert_lt(m->n, 16);
		if (!yaml_parser_load(&p, &m->docs[m->n])) {
			yaml_parser_delete(&p);
			return -1;
		}
		if (!yaml_document_get_root_node(&m->docs[m->n])) {
			yaml_document_delete(&m->docs[m->n]);
			break;
		}
		m->n++;
	}
	yaml_parser_delete(&p);
	return 0;
}

static void unload(manifests *m)
{
	for (int i = 0; i < m->n; i++)
		yaml_document_delete(&m->docs[i]);
}

typedef struct {
	yaml_document_t *d;
	yaml_node_t *n;
} node;

static node at(node x, const char *key)
{
	if (!x.n || x.n->type != YAML_MAPPING_NODE)
		return (node){x.d, NULL};
	for (yaml_node_pair_t *p = x.n->data.mapping.pairs.start; p < x.n->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *k = yaml_document_get_node(x.d, p->key);
		if (k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
			return (node){x.d, yaml_document_get_node(x.d, p->value)};
	}
	return (node){x.d, NULL};
}

static int count(node x)
{
	if (!x.n)
		return 0;
	if (x.n->type == YAML_SEQUENCE_NODE)
		return (int)(x.n->data.sequence.items.top - x.n->data.sequence.items.start);
	if (x.n->type == YAML_MAPPING_NODE)
		return (int)(x.n->data.mapping.pairs.top - x.n->data.mapping.pairs.start);
	return 0;
}

static node item(node x, int i)
{
	return (node){x.d, yaml_document_get_node(x.d, x.n->data.sequence.items.start[i])};
}

static const char *str(node x)
{
	return x.n && x.n->type == YAML_SCALAR_NODE ? (const char *)x.n->data.scalar.value : NULL;
}

static int is_null(node x)
{
	const char *s = str(x);
	return !x.n || (s && x.n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			(!*s || !strcmp(s, "~") || !strcmp(s, "null")));
}

/* Go: strconv.ParseInt(s, 0, 64) after removing '_', for a plain scalar. */
static int go_int(node x, long *out)
{
	const char *s = str(x);
	if (!s || x.n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	char digits[64];
	size_t k = 0;
	for (; *s && k + 1 < sizeof digits; s++)
		if (*s != '_')
			digits[k++] = *s;
	digits[k] = 0;
	char *end;
	long v = strtol(digits, &end, 0);
	if (!k || *end)
		return 0;
	*out = v;
	return 1;
}

typedef struct {
	const char *keys[4], *values[4];
	int n;
} labels;

static const char *label(const labels *l, const char *k)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->keys[i], k))
			return l->values[i];
	return NULL;
}

/* A label selector against an object's complete label set. */
static int selects(node sel, const labels *l)
{
	if (is_null(sel))
		return 1;
	node ml = at(sel, "matchLabels"), me = at(sel, "matchExpressions");
	for (int i = 0; ml.n && i < count(ml); i++) {
		yaml_node_pair_t *p = &ml.n->data.mapping.pairs.start[i];
		const char *k = (char *)yaml_document_get_node(ml.d, p->key)->data.scalar.value;
		const char *v = (char *)yaml_document_get_node(ml.d, p->value)->data.scalar.value;
		if (!label(l, k) || strcmp(label(l, k), v))
			return 0;
	}
	for (int i = 0; me.n && i < count(me); i++) {
		node e = item(me, i), values = at(e, "values");
		const char *have = label(l, str(at(e, "key"))), *op = str(at(e, "operator"));
		int in = 0;
		for (int j = 0; have && values.n && j < count(values); j++)
			in |= !strcmp(str(item(values, j)), have);
		int ok = !strcmp(op, "In")	 ? in
			 : !strcmp(op, "NotIn")	 ? !in
			 : !strcmp(op, "Exists") ? have != NULL
						 : have == NULL;
		if (!ok)
			return 0;
	}
	return 1;
}

typedef struct {
	labels labels;
	int http;  /* has a container port named http (9090) */
	int known; /* a workload's pod: its container ports are known */
} pod;

typedef struct {
	const char *ns;
	labels ns_labels, pod_labels;
} source;

static int peer_admits(node peer, const source *s)
{
	if (at(peer, "ipBlock").n)
		return 0; /* cluster-external addresses */
	node ns = at(peer, "namespaceSelector");
	if (ns.n ? !selects(ns, &s->ns_labels) : strcmp(s->ns, "flux-system"))
		return 0;
	return selects(at(peer, "podSelector"), &s->pod_labels);
}

/* Port `number` (or the named port `name`) of protocol `proto` on pod `p` by a rule's ports. */
static int ports_admit(node ports, const pod *p, long number, const char *name, const char *proto)
{
	if (is_null(ports) || !count(ports))
		return 1;
	if (name && !strcmp(name, "http") && p->http)
		number = 9090; /* the pod's container port of that name */
	for (int i = 0; i < count(ports); i++) {
		node e = item(ports, i);
		const char *pr = is_null(at(e, "protocol")) ? "TCP" : str(at(e, "protocol"));
		if (strcmp(pr, proto))
			continue;
		node port = at(e, "port");
		long lo, hi;
		if (is_null(port))
			return 1;
		if (go_int(port, &lo)) {
			hi = lo;
			go_int(at(e, "endPort"), &hi);
			if (number && lo <= number && number <= hi)
				return 1;
			/* whatever number a named port is on a pod we do not know */
			if (name && !p->known && lo <= 1 && hi >= 65535)
				return 1;
		} else if ((name && !strcmp(str(port), name)) ||
			   (!strcmp(str(port), "http") && p->http && number == 9090)) {
			return 1;
		}
	}
	return 0;
}

static int has_type(node spec, const char *t)
{
	node types = at(spec, "policyTypes");
	if (!types.n || !count(types)) /* SetDefaults_NetworkPolicy */
		return !strcmp(t, "Ingress") || (!strcmp(t, "Egress") && count(at(spec, "egress")));
	for (int i = 0; i < count(types); i++)
		if (!strcmp(str(item(types, i)), t))
			return 1;
	return 0;
}

static int admitted(const manifests *m, const pod *p, const source *s, long number,
		    const char *name, const char *proto)
{
	int isolated = 0, ok = 0;
	for (int d = 0; d < m->n; d++) {
		node root = {(yaml_document_t *)&m->docs[d],
			     yaml_document_get_root_node((yaml_document_t *)&m->docs[d])};
		node md = at(root, "metadata"), spec = at(root, "spec");
		if (!str(at(root, "kind")) || strcmp(str(at(root, "kind")), "NetworkPolicy") ||
		    !str(at(md, "namespace")) || strcmp(str(at(md, "namespace")), "flux-system") ||
		    !has_type(spec, "Ingress") || !selects(at(spec, "podSelector"), &p->labels))
			continue;
		isolated = 1;
		node rules = at(spec, "ingress");
		for (int r = 0; rules.n && r < count(rules); r++) {
			node rule = item(rules, r), from = at(rule, "from");
			int peer = is_null(from) || !count(from);
			for (int i = 0; !peer && i < count(from); i++)
				peer = peer_admits(item(from, i), s);
			ok |= peer && ports_admit(at(rule, "ports"), p, number, name, proto);
		}
	}
	return !isolated || ok;
}

/* The destination pods: the workloads the target selects, else one pod with the labels its
 * selector names. */
static int destination_pods(const manifests *m, const char *target, pod *out)
{
	node tsel = {0};
	int n = 0;
	for (int d = 0; d < m->n; d++) {
		node root = {(yaml_document_t *)&m->docs[d],
			     yaml_document_get_root_node((yaml_document_t *)&m->docs[d])};
		if (str(at(root, "kind")) && !strcmp(str(at(root, "kind")), "NetworkPolicy") &&
		    !strcmp(str(at(at(root, "metadata"), "name")), target))
			tsel = at(at(root, "spec"), "podSelector");
	}
	for (int d = 0; d < m->n && n < 4; d++) {
		node root = {(yaml_document_t *)&m->docs[d],
			     yaml_document_get_root_node((yaml_document_t *)&m->docs[d])};
		if (!str(at(root, "kind")) || strcmp(str(at(root, "kind")), "Deployment"))
			continue;
		node tmpl = at(at(root, "spec"), "template");
		pod p = {{{"app"}, {str(at(at(at(tmpl, "metadata"), "labels"), "app"))}, 1}, 0, 1};
		node ports = at(item(at(at(tmpl, "spec"), "containers"), 0), "ports");
		p.http = str(at(item(ports, 0), "name")) != NULL;
		if (selects(tsel, &p.labels))
			out[n++] = p;
	}
	if (!n) {
		/* One pod the target selects: app as its selector requires (the generated
		 * selectors are on app only). */
		out[0] = (pod){{{0}, {0}, 0}, 0, 0};
		node ml = at(tsel, "matchLabels"), me = at(tsel, "matchExpressions");
		const char *app = str(at(ml, "app"));
		if (!app && me.n && count(me))
			app = !strcmp(str(at(item(me, 0), "operator")), "In")
				      ? str(item(at(item(me, 0), "values"), 0))
				      : "web";
		if (app)
			out[0].labels = (labels){{"app"}, {app}, 1};
		n = 1;
	}
	return n;
}

/* ---- runs and properties ---- */

static int write_text(void *ctx, const char *bytes, size_t len)
{
	add(ctx, "%.*s", (int)len, bytes);
	return 0;
}

/* Runs the function in `mode`; the output in *out (empty when there is none). */
static int run(const char *in, size_t len, const config *c, const char *mode, text *out)
{
	ani_setting s[8];
	size_t n = 0;
	s[n++] = (ani_setting){"ports", c->ports};
	s[n++] = (ani_setting){"namespaceLabel", c->label};
	if (c->pods)
		s[n++] = (ani_setting){"podSelector", c->pods};
	s[n++] = (ani_setting){"mode", mode};
	/* Some cases leave the Namespace out on purpose: trust its label. */
	s[n++] = (ani_setting){"assumeNamespaceLabel", "true"};
	ani_options o;
	memset(&o, 0, sizeof o);
	o.input_kind = ANI_INPUT_STREAM;
	o.input_name = "<generated>";
	o.settings = s;
	o.n_settings = n;
	ani_run *r = NULL;
	int rc = ani_transform(in, len, &o, &r);
	cr_assert_not_null(r);
	memset(out, 0, sizeof *out);
	add(out, "%s", "");
	cr_assert_eq(ani_run_write(r, write_text, out), 0);
	ani_run_free(r);
	return rc;
}

typedef struct {
	long number;
	const char *name, *proto;
} probe_port;

static const probe_port probe_ports[] = {
	{80, NULL, "TCP"},   {81, NULL, "TCP"}, {9090, NULL, "TCP"}, {8000, NULL, "TCP"},
	{8100, NULL, "TCP"}, {53, NULL, "UDP"}, {0, "http", "TCP"}};

/* The source namespaces and pods probed: the configured one and others. */
static void probe_source(int i, const config *c, const manifests *m, source *s)
{
	memset(s, 0, sizeof *s);
	static const char *const names[] = {"octopilot-system", "monitoring"};
	s->ns = names[i / 2];
	s->ns_labels = (labels){{"kubernetes.io/metadata.name"}, {s->ns}, 1};
	int in_input = 0;
	for (int d = 0; d < m->n; d++) {
		node root = {(yaml_document_t *)&m->docs[d],
			     yaml_document_get_root_node((yaml_document_t *)&m->docs[d])};
		node md = at(root, "metadata");
		if (!str(at(root, "kind")) || strcmp(str(at(root, "kind")), "Namespace") ||
		    strcmp(str(at(md, "name")), s->ns))
			continue;
		in_input = 1;
		const char *v = str(at(at(md, "labels"), "name"));
		if (v) {
			s->ns_labels.keys[1] = "name";
			s->ns_labels.values[1] = v;
			s->ns_labels.n = 2;
		}
	}
	/* A Namespace left out carries the label in the cluster (assumeNamespaceLabel). */
	if (!in_input && !strcmp(s->ns, "octopilot-system") && strcmp(c->label, "name") == 0) {
		s->ns_labels.keys[1] = "name";
		s->ns_labels.values[1] = s->ns;
		s->ns_labels.n = 2;
	}
	if (i % 2)
		s->pod_labels = (labels){{"app"}, {"smc"}, 1};
}

/* The configured ports, as probe numbers (a range: its ends and middle). */
static int configured_ports(const config *c, probe_port *out)
{
	if (!strcmp(c->ports, "80"))
		return out[0] = (probe_port){80, NULL, "TCP"}, 1;
	if (!strcmp(c->ports, "9090"))
		return out[0] = (probe_port){9090, NULL, "TCP"}, 1;
	if (!strcmp(c->ports, "80,9090"))
		return out[0] = (probe_port){80, NULL, "TCP"},
		       out[1] = (probe_port){9090, NULL, "TCP"}, 2;
	if (!strcmp(c->ports, "http"))
		return out[0] = (probe_port){0, "http", "TCP"}, 1;
	if (!strcmp(c->ports, "53/UDP"))
		return out[0] = (probe_port){53, NULL, "UDP"}, 1;
	for (int i = 0; i <= 100; i++)
		out[i] = (probe_port){8000 + i, NULL, "TCP"};
	return 101;
}

/* 1 when the probe is within the configured grant: that namespace, those pods, those ports. */
static int within_grant(const config *c, const source *s, const probe_port *p)
{
	if (strcmp(s->ns, "octopilot-system") || (c->pods && !label(&s->pod_labels, "app")))
		return 0;
	probe_port conf[101];
	int n = configured_ports(c, conf);
	for (int i = 0; i < n; i++)
		if (!strcmp(conf[i].proto, p->proto) &&
		    ((p->name && conf[i].name && !strcmp(p->name, conf[i].name)) ||
		     (!p->name && p->number == conf[i].number) ||
		     /* the named port http is 9090 on pods that have it */
		     (conf[i].name && p->number == 9090) || (p->name && conf[i].number == 9090)))
			return 1;
	return 0;
}

typedef struct {
	int cases, merged, unchanged, refused, separate_created;
} counts;
static counts stats;

static void report(const char *in, const char *out, const char *what, const config *c)
{
	cr_log_error("%s\nconfig: ports=%s podSelector=%s namespaceLabel=%s\n---- input:\n%s\n---- "
		     "output:\n%s",
		     what, c->ports, c->pods ? c->pods : "-", c->label, in, out);
}

#define PROPERTY(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			char what_[300];                                                           \
			snprintf(what_, sizeof what_, __VA_ARGS__);                                \
			report(in.p, out->p ? out->p : "", what_, &c);                             \
			cr_assert_fail("%s", what_);                                               \
		}                                                                                  \
	} while (0)

/* Never narrows: every probe admitted by the input is admitted by the output; never widens
 * beyond the grant: every probe newly admitted is within it. */
static void compare(const manifests *before, const manifests *after, const config *cfg,
		    const text *out_text, const text *in_text, const char *mode)
{
	config c = *cfg;
	text in = *in_text;
	const text *out = out_text;
	pod pods[4];
	int n_pods = destination_pods(before, "allow-egress", pods);
	for (int i = 0; i < 4; i++) {
		source s;
		probe_source(i, &c, after, &s);
		for (int p = 0; p < n_pods; p++)
			for (size_t q = 0; q < sizeof probe_ports / sizeof *probe_ports; q++) {
				const probe_port *pp = &probe_ports[q];
				int was = admitted(before, &pods[p], &s, pp->number, pp->name,
						   pp->proto),
				    is = admitted(after, &pods[p], &s, pp->number, pp->name,
						  pp->proto);
				PROPERTY(!was || is, "%s narrowed: %s (pods %s) on %ld%s/%s", mode,
					 s.ns, s.pod_labels.n ? "app=smc" : "all", pp->number,
					 pp->name ? pp->name : "", pp->proto);
				PROPERTY(was || !is || within_grant(&c, &s, pp),
					 "%s widened beyond the grant: %s (pods %s) on %ld%s/%s",
					 mode, s.ns, s.pod_labels.n ? "app=smc" : "all", pp->number,
					 pp->name ? pp->name : "", pp->proto);
			}
	}
}

/* Every configured port admitted on every destination pod of `target`, for the configured
 * source (its pods). */
static int grant_admitted(const manifests *m, const config *c, const char *target)
{
	pod pods[4];
	int n_pods = destination_pods(m, target, pods);
	source s;
	probe_source(c->pods ? 1 : 0, c, m, &s);
	probe_port conf[101];
	int n = configured_ports(c, conf);
	for (int p = 0; p < n_pods; p++)
		for (int q = 0; q < n; q++)
			/* A named port a pod does not have is nothing to admit there. */
			if ((!conf[q].name || pods[p].http || !pods[p].known) &&
			    !admitted(m, &pods[p], &s, conf[q].number, conf[q].name, conf[q].proto))
				return 0;
	return 1;
}

static void one_case(void)
{
	text in = {0}, merged = {0}, checked = {0}, separated = {0};
	config c;
	generate(&in, &c);
	const text *out = &merged;
	int rc = run(in.p, in.len, &c, "merge", &merged);
	int rc_check = run(in.p, in.len, &c, "check", &checked);
	int unchanged = rc == 0 && merged.len == in.len && !memcmp(merged.p, in.p, in.len);
	stats.cases++;
	stats.refused += rc != 0;
	stats.unchanged += unchanged;
	PROPERTY((rc_check == 0) == unchanged, "check says %s but merge %s",
		 rc_check ? "not admitted" : "admitted",
		 rc	     ? "failed"
		 : unchanged ? "changed nothing"
			     : "edited");
	manifests before, after;
	cr_assert_eq(load(&before, in.p, in.len), 0, "the generated input does not load:\n%s",
		     in.p);
	if (rc == 0) {
		stats.merged++;
		PROPERTY(load(&after, merged.p, merged.len) == 0, "the output does not load");
		PROPERTY(grant_admitted(&after, &c, "allow-egress"),
			 "merge exited 0 but the configured source is not admitted");
		compare(&before, &after, &c, &merged, &in, "merge");
		unload(&after);
	}
	out = &separated;
	int rc_sep = run(in.p, in.len, &c, "separate", &separated);
	if (rc_sep == 0) {
		PROPERTY(load(&after, separated.p, separated.len) == 0, "the output does not load");
		stats.separate_created += after.n > before.n;
		compare(&before, &after, &c, &separated, &in, "separate");
		unload(&after);
	}
	unload(&before);
	free(in.p);
	free(merged.p);
	free(checked.p);
	free(separated.p);
}

Test(oracle, merge_check_and_separate_against_an_independent_evaluator, .timeout = 300)
{
	const char *seed = getenv("ANI_ORACLE_SEED"), *cases = getenv("ANI_ORACLE_CASES");
	uint64_t base = seed && *seed ? strtoull(seed, NULL, 0) : 0x0a11ce5u;
	int n = cases && *cases ? atoi(cases) : 3000;
	for (int i = 0; i < n; i++) {
		rng = base + (uint64_t)i * 0x100000001b3ull;
		one_case();
	}
	cr_log_info("%d cases: %d merged (%d unchanged), %d refused, %d with a dedicated policy "
		    "created",
		    stats.cases, stats.merged, stats.unchanged, stats.refused,
		    stats.separate_created);
	cr_assert_gt(stats.merged, n / 4, "too few cases merge: the generator is off");
	cr_assert_gt(stats.unchanged, n / 20, "too few cases are already admitted");
}
