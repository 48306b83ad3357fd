/* Security properties of the merge, as a property test over generated configs and policies
 * (GitHub issue 4, item 6), through the public API only.
 *
 * Each case draws a config (typed AllowNamespaceIngress or ConfigMap: source namespaces, pod
 * selectors, the namespace label key, ports with numbers, names, ranges and protocols) and a
 * NetworkPolicy (rules with and without `from`, empty `from`, namespaceSelector {} / matchLabels /
 * matchExpressions, podSelectors, ipBlock, ports absent / empty / with and without protocol, named
 * ports, ranges; block and flow styles, both sequence indentations; policyTypes with and without
 * Ingress), with Namespaces for some sources, runs ani_transform on the ResourceList, parses the
 * output with libyaml's document loader (not the function's own reader) and checks:
 *  (a) every rule in the output that is not in the input has a non-empty `from` whose every peer
 *      is exactly {namespaceSelector: {matchLabels: {<namespaceLabel>: <ns>}}} for a configured
 *      ns, plus exactly that source's podSelector when it has one; never an ipBlock, never an
 *      empty selector;
 *  (b) it has a non-empty `ports` equal to the configured ports;
 *  (c) every existing rule keeps its peers and every other field; ports are added only to a rule
 *      whose `from` is exactly one configured peer and which already lists ports, and only
 *      configured ports; nothing else in the policy changes;
 *  (d) a Namespace gains at most the label <namespaceLabel>=<its name>, nothing else changes;
 *  (e) afterwards every configured source is admitted on every configured port: by this file's
 *      own reading of NetworkPolicy semantics, and by the function's check mode
 *      (the setting mode=check) on the output, which must return 0;
 *  (f) check mode on the input returns 0 exactly when the merge changes nothing, and check mode
 *      never changes anything; a failed run writes the list unchanged.
 * Deterministic: a fixed seed and case count (ANI_PROPERTY_SEED and ANI_PROPERTY_CASES override
 * them to explore); a failure prints the case's input and output. */
#include "allow_namespace_ingress.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- deterministic random numbers (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static int chance(unsigned percent)
{
	return below(100) < percent;
}

#define PICK(array) ((array)[below(sizeof(array) / sizeof *(array))])

/* ---- text buffer ---- */

typedef struct {
	char *p;
	size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		cr_assert_not_null(b->p);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void printf_(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void printf_(buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && (size_t)n < sizeof tmp);
	put(b, tmp, (size_t)n);
}

static void spaces(buf *b, int n)
{
	for (int i = 0; i < n; i++)
		put(b, " ", 1);
}

static int write_buf(void *ctx, const char *bytes, size_t len)
{
	put(ctx, bytes, len);
	return 0;
}

/* ---- generated YAML values, rendered in block or flow style ---- */

enum { G_SCALAR, G_MAP, G_SEQ };

typedef struct gnode gnode;
struct gnode {
	int type;
	int flow;
	const char *s;
	const char *keys[8];
	gnode *vals[8];
	int n;
};

static gnode pool[4096];
static int pool_used;
static char strings[65536];
static size_t strings_used;

static gnode *gnew(int type)
{
	cr_assert(pool_used < (int)(sizeof pool / sizeof *pool));
	gnode *g = &pool[pool_used++];
	memset(g, 0, sizeof *g);
	g->type = type;
	return g;
}

static const char *gstr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *gstr(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = strings + strings_used;
	int n = vsnprintf(p, sizeof strings - strings_used, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0 && strings_used + (size_t)n + 1 < sizeof strings);
	strings_used += (size_t)n + 1;
	return p;
}

static gnode *scalar(const char *s)
{
	gnode *g = gnew(G_SCALAR);
	g->s = s;
	return g;
}

static gnode *map(void)
{
	return gnew(G_MAP);
}

static gnode *seq(void)
{
	return gnew(G_SEQ);
}

static gnode *add(gnode *parent, const char *key, gnode *value)
{
	cr_assert(parent->n < 8);
	parent->keys[parent->n] = key;
	parent->vals[parent->n++] = value;
	return parent;
}

static int seq_indent; /* columns a block sequence's dashes sit right of its key: 0 or 2 */

static void render_flow(buf *b, const gnode *g)
{
	if (g->type == G_SCALAR) {
		puts_(b, g->s);
		return;
	}
	puts_(b, g->type == G_MAP ? "{" : "[");
	for (int i = 0; i < g->n; i++) {
		if (i)
			puts_(b, ", ");
		if (g->type == G_MAP)
			printf_(b, "%s: ", g->keys[i]);
		render_flow(b, g->vals[i]);
	}
	puts_(b, g->type == G_MAP ? "}" : "]");
}

static void render_map(buf *b, const gnode *g, int indent, int first_inline);
static void render_seq(buf *b, const gnode *g, int indent);

/* After `key:` or `-`: the value inline, or on the next lines. */
static void render_value(buf *b, const gnode *v, int indent, int seq_item)
{
	if (v->type == G_SCALAR || v->flow || v->n == 0) {
		puts_(b, " ");
		render_flow(b, v);
		puts_(b, "\n");
	} else if (v->type == G_MAP && seq_item) {
		puts_(b, " ");
		render_map(b, v, indent, 1);
	} else if (v->type == G_MAP) {
		puts_(b, "\n");
		render_map(b, v, indent, 0);
	} else {
		puts_(b, "\n");
		render_seq(b, v, indent);
	}
}

static void render_map(buf *b, const gnode *g, int indent, int first_inline)
{
	for (int i = 0; i < g->n; i++) {
		if (i || !first_inline)
			spaces(b, indent);
		printf_(b, "%s:", g->keys[i]);
		const gnode *v = g->vals[i];
		render_value(b, v, v->type == G_SEQ ? indent + seq_indent : indent + 2, 0);
	}
}

static void render_seq(buf *b, const gnode *g, int indent)
{
	for (int i = 0; i < g->n; i++) {
		spaces(b, indent);
		puts_(b, "-");
		render_value(b, g->vals[i], indent + 2, 1);
	}
}

/* Flow style for a collection now and then: it and everything in it. */
static gnode *maybe_flow(gnode *g, unsigned percent)
{
	if (g->type != G_SCALAR && chance(percent))
		g->flow = 1;
	return g;
}

/* ---- the generated case ---- */

typedef struct {
	const char *key, *value;
} label;

typedef struct {
	const char *ns;
	label pods[2];
	int n_pods;
	int in_input; /* a Namespace object for it is in the input */
} source;

typedef struct {
	long port; /* 0 for a named port */
	const char *name;
	const char *proto;
	long end; /* 0 when not a range */
} port;

typedef struct {
	const char *ns_label;
	source src[3];
	int n_src;
	port ports[4];
	int n_ports;
} config;

static const char *const namespaces[] = {"octopilot-system", "monitoring", "team-a", "b", "x-1"};
static const char *const label_keys[] = {"name", "kubernetes.io/metadata.name",
					 "team.example.com/ns", "ns"};
static const char *const pod_keys[] = {"app", "tier", "example.com/role"};
static const char *const pod_values[] = {"web", "api", "source-controller", "x"};
static const char *const protos[] = {"TCP", "UDP", "SCTP"};
static const char *const port_names[] = {"http", "metrics", "grpc-web", "dns"};
static const long port_numbers[] = {80, 443, 9090, 53, 8080, 1, 65535};

static long random_port_number(void)
{
	return chance(60) ? PICK(port_numbers) : 1 + (long)below(65535);
}

static int same_port(const port *a, const port *b)
{
	return a->port == b->port && a->end == b->end && !strcmp(a->proto, b->proto) &&
	       !strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

static void random_config(config *c)
{
	memset(c, 0, sizeof *c);
	c->ns_label = PICK(label_keys);
	c->n_src = 1 + (int)below(3);
	int shared_pods = chance(50); /* the ConfigMap form gives every source the same pods */
	for (int i = 0; i < c->n_src; i++) {
		source *s = &c->src[i];
		do {
			s->ns = PICK(namespaces);
			for (int j = 0; j < i && s->ns; j++)
				if (!strcmp(c->src[j].ns, s->ns))
					s->ns = NULL;
		} while (!s->ns);
		if (shared_pods && i > 0) {
			memcpy(s->pods, c->src[0].pods, sizeof s->pods);
			s->n_pods = c->src[0].n_pods;
		} else if (chance(40)) {
			s->n_pods = 1 + (int)below(2);
			s->pods[0] = (label){pod_keys[0], PICK(pod_values)};
			s->pods[1] = (label){pod_keys[1 + below(2)], PICK(pod_values)};
		}
		s->in_input = chance(70);
	}
	c->n_ports = 1 + (int)below(4);
	for (int i = 0; i < c->n_ports; i++) {
		port *p = &c->ports[i];
		for (;;) {
			memset(p, 0, sizeof *p);
			p->proto = chance(60) ? "TCP" : PICK(protos);
			unsigned kind = below(10);
			if (kind < 2) {
				p->name = PICK(port_names);
			} else {
				p->port = random_port_number();
				if (kind < 4 && p->port < 65535)
					p->end = p->port + 1 +
						 (long)below((unsigned)(65535 - p->port));
			}
			int dup = 0;
			for (int j = 0; j < i; j++)
				dup |= same_port(p, &c->ports[j]);
			if (!dup)
				break;
		}
	}
}

/* The config as an AllowNamespaceIngress, or as a ConfigMap when every source has the same
 * pods. */
static void render_config(buf *b, const config *c)
{
	int shared = 1;
	for (int i = 1; i < c->n_src; i++)
		shared &= c->src[i].n_pods == c->src[0].n_pods &&
			  !memcmp(c->src[i].pods, c->src[0].pods, sizeof c->src[0].pods);
	if (shared && chance(40)) {
		puts_(b, "functionConfig:\n  apiVersion: v1\n  kind: ConfigMap\n  metadata:\n"
			 "    name: function-input\n  data:\n    fromNamespaces: \"");
		for (int i = 0; i < c->n_src; i++)
			printf_(b, "%s%s", i ? "," : "", c->src[i].ns);
		puts_(b, "\"\n");
		for (int i = 0; i < c->src[0].n_pods; i++)
			printf_(b, "%s%s=%s", i ? "," : "    podSelector: \"",
				c->src[0].pods[i].key, c->src[0].pods[i].value);
		if (c->src[0].n_pods)
			puts_(b, "\"\n");
		printf_(b, "    namespaceLabel: %s\n    ports: \"", c->ns_label);
		for (int i = 0; i < c->n_ports; i++) {
			const port *p = &c->ports[i];
			if (i)
				puts_(b, ",");
			if (p->name)
				printf_(b, "%s", p->name);
			else if (p->end)
				printf_(b, "%ld-%ld", p->port, p->end);
			else
				printf_(b, "%ld", p->port);
			if (strcmp(p->proto, "TCP") || chance(50))
				printf_(b, "/%s", p->proto);
		}
		puts_(b, "\"\n");
		return;
	}
	gnode *from = seq();
	for (int i = 0; i < c->n_src; i++) {
		gnode *s = add(map(), "namespace", scalar(c->src[i].ns));
		if (c->src[i].n_pods) {
			gnode *ml = map();
			for (int j = 0; j < c->src[i].n_pods; j++)
				add(ml, c->src[i].pods[j].key, scalar(c->src[i].pods[j].value));
			add(s, "podSelector", add(map(), "matchLabels", maybe_flow(ml, 30)));
		}
		add(from, NULL, s);
	}
	gnode *ports = seq();
	for (int i = 0; i < c->n_ports; i++) {
		const port *p = &c->ports[i];
		gnode *e = add(map(), "port", scalar(p->name ? p->name : gstr("%ld", p->port)));
		if (strcmp(p->proto, "TCP") || chance(50))
			add(e, "protocol", scalar(p->proto));
		if (p->end)
			add(e, "endPort", scalar(gstr("%ld", p->end)));
		add(ports, NULL, maybe_flow(e, 20));
	}
	gnode *spec = map();
	add(spec, "from", from);
	add(spec, "namespaceLabel", scalar(c->ns_label));
	add(spec, "ports", maybe_flow(ports, 20));
	gnode *fc = map();
	add(fc, "apiVersion", scalar("fn.octopilot.io/v1alpha1"));
	add(fc, "kind", scalar("AllowNamespaceIngress"));
	add(fc, "metadata", add(map(), "name", scalar("allow")));
	add(fc, "spec", spec);
	puts_(b, "functionConfig:");
	render_value(b, fc, 2, 0);
}

/* A label selector: {} / matchLabels / matchExpressions, often about a configured source. */
static gnode *random_selector(const config *c, int namespace_selector)
{
	gnode *sel = map();
	unsigned kind = below(10);
	if (kind == 0)
		return sel; /* {}: everything */
	const source *s = &c->src[below((unsigned)c->n_src)];
	const char *key, *value;
	if (namespace_selector) {
		key = chance(60)   ? c->ns_label
		      : chance(50) ? "kubernetes.io/metadata.name"
				   : "other";
		value = chance(75) ? s->ns : PICK(namespaces);
	} else if (s->n_pods && chance(70)) {
		key = s->pods[0].key;
		value = chance(80) ? s->pods[0].value : PICK(pod_values);
	} else {
		key = PICK(pod_keys);
		value = PICK(pod_values);
	}
	if (kind < 7) {
		gnode *ml = add(map(), key, scalar(value));
		if (!namespace_selector && s->n_pods > 1 && chance(50))
			add(ml, s->pods[1].key, scalar(s->pods[1].value));
		add(sel, "matchLabels", maybe_flow(ml, 30));
	} else {
		static const char *const ops[] = {"In", "In", "NotIn", "Exists", "DoesNotExist"};
		const char *op = PICK(ops);
		gnode *e = add(add(map(), "key", scalar(key)), "operator", scalar(op));
		if (strcmp(op, "Exists") && strcmp(op, "DoesNotExist")) {
			gnode *vals = add(seq(), NULL, scalar(value));
			if (chance(30))
				add(vals, NULL, scalar(PICK(namespaces)));
			add(e, "values", maybe_flow(vals, 50));
		}
		add(sel, "matchExpressions", add(seq(), NULL, maybe_flow(e, 30)));
	}
	return sel;
}

/* The peer a configured source would get, spelled in one of the equivalent ways. */
static gnode *exact_peer(const config *c, const source *s)
{
	gnode *nsel = map();
	const char *key = chance(70) ? c->ns_label : "kubernetes.io/metadata.name";
	if (chance(70)) {
		add(nsel, "matchLabels", maybe_flow(add(map(), key, scalar(s->ns)), 30));
	} else {
		gnode *e = add(add(map(), "key", scalar(key)), "operator", scalar("In"));
		add(e, "values", add(seq(), NULL, scalar(s->ns)));
		add(nsel, "matchExpressions", add(seq(), NULL, e));
	}
	gnode *peer = add(map(), "namespaceSelector", maybe_flow(nsel, 30));
	if (s->n_pods) {
		gnode *ml = map();
		for (int j = 0; j < s->n_pods; j++)
			add(ml, s->pods[j].key, scalar(s->pods[j].value));
		add(peer, "podSelector", add(map(), "matchLabels", ml));
	} else if (chance(20)) {
		add(peer, "podSelector", map());
	}
	return peer;
}

static gnode *random_peer(const config *c)
{
	unsigned kind = below(10);
	if (kind < 3)
		return exact_peer(c, &c->src[below((unsigned)c->n_src)]);
	if (kind == 3)
		return add(map(), "ipBlock", add(map(), "cidr", scalar("10.0.0.0/8")));
	gnode *peer = map();
	if (kind < 8)
		add(peer, "namespaceSelector", maybe_flow(random_selector(c, 1), 20));
	if (kind >= 6)
		add(peer, "podSelector", maybe_flow(random_selector(c, 0), 20));
	return peer;
}

static gnode *random_port_entry(const config *c)
{
	gnode *e = map();
	unsigned kind = below(10);
	const port *p = &c->ports[below((unsigned)c->n_ports)];
	if (kind < 4) { /* a configured one, maybe without its protocol */
		add(e, "port", scalar(p->name ? p->name : gstr("%ld", p->port)));
		if (strcmp(p->proto, "TCP") || chance(50))
			add(e, "protocol", scalar(p->proto));
		if (p->end && chance(80))
			add(e, "endPort", scalar(gstr("%ld", p->end)));
	} else if (kind < 6) {
		long n = random_port_number();
		add(e, "port", scalar(gstr("%ld", n)));
		if (chance(40) && n < 65535)
			add(e, "endPort",
			    scalar(gstr("%ld", n + 1 + (long)below((unsigned)(65535 - n)))));
		if (chance(50))
			add(e, "protocol", scalar(PICK(protos)));
	} else if (kind < 8) {
		add(e, "port", scalar(PICK(port_names)));
		if (chance(50))
			add(e, "protocol", scalar(PICK(protos)));
	} else {
		add(e, "protocol", scalar(PICK(protos))); /* every port of a protocol */
	}
	return maybe_flow(e, 30);
}

static gnode *random_rule(const config *c)
{
	gnode *rule = map();
	unsigned from_kind = below(10);
	gnode *ports = NULL;
	unsigned ports_kind = below(10);
	if (ports_kind < 7) {
		ports = seq();
		int n = 1 + (int)below(3);
		for (int i = 0; i < n; i++)
			add(ports, NULL, random_port_entry(c));
	} else if (ports_kind < 8) {
		ports = seq(); /* []: every port */
	}
	if (chance(30) && ports) /* `ports` before `from` */
		add(rule, "ports", maybe_flow(ports, 20));
	if (from_kind < 1) {
		add(rule, "from", seq()); /* []: every source */
	} else if (from_kind < 9) {
		gnode *from = seq();
		int n = from_kind < 5 ? 1 : 1 + (int)below(3);
		for (int i = 0; i < n; i++)
			add(from, NULL, random_peer(c));
		add(rule, "from", maybe_flow(from, 20));
	} /* else no `from`: every source */
	if (ports && (rule->n == 0 || strcmp(rule->keys[0], "ports")))
		add(rule, "ports", maybe_flow(ports, 20));
	if (rule->n == 0) /* {} admits everything: keep it rare */
		add(rule, "from",
		    add(seq(), NULL,
			add(map(), "ipBlock", add(map(), "cidr", scalar("192.168.0.0/16")))));
	return maybe_flow(rule, 15);
}

static void render_case(buf *b, const config *c)
{
	seq_indent = chance(50) ? 0 : 2;
	gnode *spec = map();
	add(spec, "podSelector",
	    chance(70) ? map()
		       : add(map(), "matchLabels", add(map(), "app", scalar("source-controller"))));
	unsigned types = below(10);
	if (types < 5)
		add(spec, "policyTypes",
		    maybe_flow(add(add(seq(), NULL, scalar("Ingress")), NULL, scalar("Egress")),
			       30));
	else if (types < 7)
		add(spec, "policyTypes", add(seq(), NULL, scalar("Ingress")));
	else if (types < 8)
		add(spec, "policyTypes", add(seq(), NULL, scalar("Egress"))); /* not restricted */
	unsigned ingress_kind = below(10);
	if (ingress_kind < 1) {
		add(spec, "ingress", scalar(chance(50) ? "null" : "~"));
	} else if (ingress_kind < 2) {
		add(spec, "ingress", seq());
	} else if (ingress_kind < 9) {
		gnode *rules = seq();
		int n = 1 + (int)below(4);
		for (int i = 0; i < n; i++)
			add(rules, NULL, random_rule(c));
		add(spec, "ingress", maybe_flow(rules, 15));
	} /* else no ingress key */
	if (chance(50))
		add(spec, "egress", add(seq(), NULL, map()));
	gnode *md =
		add(add(map(), "name", scalar("allow-egress")), "namespace", scalar("flux-system"));
	gnode *pol = map();
	add(pol, "apiVersion", scalar("networking.k8s.io/v1"));
	add(pol, "kind", scalar("NetworkPolicy"));
	add(pol, "metadata", md);
	add(pol, "spec", maybe_flow(spec, 8));

	gnode *items = add(seq(), NULL, pol);
	for (int i = 0; i < c->n_src; i++) {
		if (!c->src[i].in_input)
			continue;
		gnode *nsmd = add(map(), "name", scalar(c->src[i].ns));
		unsigned labels = below(10);
		if (labels < 4) {
			gnode *l = add(map(), "app.kubernetes.io/part-of", scalar("octopilot"));
			if (chance(40))
				add(l, c->ns_label, scalar(c->src[i].ns)); /* already labelled */
			add(nsmd, "labels", maybe_flow(l, 30));
		} else if (labels < 5) {
			add(nsmd, "labels", map());
		} else if (labels < 6 && strcmp(c->ns_label, "kubernetes.io/metadata.name")) {
			/* labelled otherwise: the function must refuse */
			add(nsmd, "labels", add(map(), c->ns_label, scalar("somewhere-else")));
		}
		gnode *ns = map();
		add(ns, "apiVersion", scalar("v1"));
		add(ns, "kind", scalar("Namespace"));
		add(ns, "metadata", maybe_flow(nsmd, 15));
		add(items, NULL, ns);
	}
	if (chance(30))
		add(items, NULL,
		    add(add(add(map(), "apiVersion", scalar("v1")), "kind", scalar("ConfigMap")),
			"metadata", add(map(), "name", scalar("unrelated"))));
	puts_(b, "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:\n");
	render_seq(b, items, 0);
	render_config(b, c);
}

/* ---- the output, read with libyaml's document loader ---- */

typedef struct {
	yaml_document_t doc;
	int ok;
} parsed;

static void parse(parsed *p, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	p->ok = yaml_parser_load(&parser, &p->doc) && yaml_document_get_root_node(&p->doc);
	yaml_parser_delete(&parser);
}

typedef struct {
	yaml_document_t *d;
	yaml_node_t *n;
} ref;

static ref node(yaml_document_t *d, int index)
{
	return (ref){d, index ? yaml_document_get_node(d, index) : NULL};
}

static int is(ref r, yaml_node_type_t t)
{
	return r.n && r.n->type == t;
}

static const char *str(ref r)
{
	return is(r, YAML_SCALAR_NODE) ? (const char *)r.n->data.scalar.value : NULL;
}

static int len(ref r)
{
	if (is(r, YAML_SEQUENCE_NODE))
		return (int)(r.n->data.sequence.items.top - r.n->data.sequence.items.start);
	if (is(r, YAML_MAPPING_NODE))
		return (int)(r.n->data.mapping.pairs.top - r.n->data.mapping.pairs.start);
	return 0;
}

static ref item(ref r, int i)
{
	return node(r.d, r.n->data.sequence.items.start[i]);
}

static ref key_at(ref r, int i)
{
	return node(r.d, r.n->data.mapping.pairs.start[i].key);
}

static ref value_at(ref r, int i)
{
	return node(r.d, r.n->data.mapping.pairs.start[i].value);
}

static ref get(ref r, const char *key)
{
	for (int i = 0; is(r, YAML_MAPPING_NODE) && i < len(r); i++)
		if (str(key_at(r, i)) && !strcmp(str(key_at(r, i)), key))
			return value_at(r, i);
	return (ref){r.d, NULL};
}

static int is_null(ref r)
{
	const char *s = str(r);
	return !r.n || (s && (!*s || !strcmp(s, "~") || !strcmp(s, "null")) &&
			r.n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
}

static int equal(ref a, ref b)
{
	if (!a.n || !b.n)
		return !a.n && !b.n;
	if (a.n->type != b.n->type)
		return 0;
	if (a.n->type == YAML_SCALAR_NODE)
		return !strcmp(str(a), str(b));
	if (len(a) != len(b))
		return 0;
	for (int i = 0; i < len(a); i++) {
		if (a.n->type == YAML_SEQUENCE_NODE
			    ? !equal(item(a, i), item(b, i))
			    : !equal(key_at(a, i), key_at(b, i)) ||
				      !equal(value_at(a, i), value_at(b, i)))
			return 0;
	}
	return 1;
}

/* ---- the properties ---- */

/* What the cases exercised, so a generator that stops reaching a path shows. */
static struct {
	int cases, failed_runs, unchanged, new_rules, ports_added, labelled;
} stats;

typedef struct {
	const config *c;
	const char *input;
	const char *output;
	int index;
	uint64_t seed;
} ctx;

#define PROPERTY(cond, ...)                                                                        \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "case %d (seed %llu) input:\n%s\n---- output:\n%s\n",      \
				x->index, (unsigned long long)x->seed, x->input,                   \
				x->output ? x->output : "(none)");                                 \
			cr_assert_fail(__VA_ARGS__);                                               \
		}                                                                                  \
	} while (0)

/* A selector's requirements are exactly key=value for each wanted label: as matchLabels and/or
 * single-value In expressions, nothing else. */
static int selector_is_exactly(ref sel, const label *want, int n_want)
{
	if (is_null(sel))
		return n_want == 0;
	if (!is(sel, YAML_MAPPING_NODE))
		return 0;
	int seen[4] = {0};
	for (int i = 0; i < len(sel); i++) {
		const char *k = str(key_at(sel, i));
		ref v = value_at(sel, i);
		if (!k)
			return 0;
		if (is_null(v) && (!strcmp(k, "matchLabels") || !strcmp(k, "matchExpressions")))
			continue;
		if (!strcmp(k, "matchLabels") && is(v, YAML_MAPPING_NODE)) {
			for (int j = 0; j < len(v); j++) {
				const char *lk = str(key_at(v, j)), *lv = str(value_at(v, j));
				int found = -1;
				for (int w = 0; w < n_want; w++)
					if (lk && lv && !strcmp(lk, want[w].key) &&
					    !strcmp(lv, want[w].value))
						found = w;
				if (found < 0)
					return 0;
				seen[found] = 1;
			}
		} else if (!strcmp(k, "matchExpressions") && is(v, YAML_SEQUENCE_NODE)) {
			for (int j = 0; j < len(v); j++) {
				ref e = item(v, j), vals = get(e, "values");
				const char *key = str(get(e, "key")), *op = str(get(e, "operator"));
				if (!key || !op || strcmp(op, "In") ||
				    !is(vals, YAML_SEQUENCE_NODE) || len(vals) < 1)
					return 0;
				int found = -1;
				for (int w = 0; w < n_want; w++)
					if (!strcmp(key, want[w].key))
						found = w;
				if (found < 0)
					return 0;
				for (int vi = 0; vi < len(vals); vi++)
					if (!str(item(vals, vi)) ||
					    strcmp(str(item(vals, vi)), want[found].value))
						return 0;
				seen[found] = 1;
			}
		} else {
			return 0;
		}
	}
	for (int w = 0; w < n_want; w++)
		if (!seen[w])
			return 0;
	return 1;
}

/* The configured source a peer selects exactly (by the configured label or by
 * kubernetes.io/metadata.name, pods exactly as configured), or -1. */
static int exact_source(const config *c, ref peer)
{
	if (!is(peer, YAML_MAPPING_NODE))
		return -1;
	for (int i = 0; i < len(peer); i++) {
		const char *k = str(key_at(peer, i));
		if (!k || (strcmp(k, "namespaceSelector") && strcmp(k, "podSelector")))
			return -1;
	}
	for (int s = 0; s < c->n_src; s++) {
		label by_config = {c->ns_label, c->src[s].ns};
		label by_name = {"kubernetes.io/metadata.name", c->src[s].ns};
		ref nsel = get(peer, "namespaceSelector");
		if ((selector_is_exactly(nsel, &by_config, 1) ||
		     selector_is_exactly(nsel, &by_name, 1)) &&
		    selector_is_exactly(get(peer, "podSelector"), c->src[s].pods, c->src[s].n_pods))
			return s;
	}
	return -1;
}

/* (a): a peer of a new rule is exactly {namespaceSelector: {matchLabels: {label: ns}}} plus
 * exactly {podSelector: {matchLabels: pods}} when the source has pods. */
static int new_peer_source(const config *c, ref peer)
{
	if (!is(peer, YAML_MAPPING_NODE) || get(peer, "ipBlock").n)
		return -1;
	ref nsel = get(peer, "namespaceSelector");
	ref ml = get(nsel, "matchLabels");
	if (len(nsel) != 1 || !is(ml, YAML_MAPPING_NODE) || len(ml) != 1 || !str(key_at(ml, 0)) ||
	    strcmp(str(key_at(ml, 0)), c->ns_label) || !str(value_at(ml, 0)))
		return -1;
	for (int s = 0; s < c->n_src; s++) {
		if (strcmp(str(value_at(ml, 0)), c->src[s].ns))
			continue;
		const source *src = &c->src[s];
		ref psel = get(peer, "podSelector");
		if (len(peer) != (src->n_pods ? 2 : 1))
			return -1;
		if (!src->n_pods)
			return s;
		ref pml = get(psel, "matchLabels");
		if (len(psel) != 1 || len(pml) != src->n_pods)
			return -1;
		for (int j = 0; j < src->n_pods; j++)
			if (!str(get(pml, src->pods[j].key)) ||
			    strcmp(str(get(pml, src->pods[j].key)), src->pods[j].value))
				return -1;
		return s;
	}
	return -1;
}

/* A port entry the function wrote for configured port p: {port, protocol, endPort?}. */
static int is_port(ref e, const port *p)
{
	const char *v = str(get(e, "port")), *proto = str(get(e, "protocol"));
	const char *end = str(get(e, "endPort"));
	char number[16];
	snprintf(number, sizeof number, "%ld", p->port);
	if (!v || !proto || strcmp(proto, p->proto) || strcmp(v, p->name ? p->name : number))
		return 0;
	if (p->end) {
		snprintf(number, sizeof number, "%ld", p->end);
		return end && !strcmp(end, number) && len(e) == 3;
	}
	return !end && len(e) == 2;
}

static ref find_item(ref items, const char *kind, const char *name)
{
	for (int i = 0; i < len(items); i++) {
		ref it = item(items, i);
		if (str(get(it, "kind")) && !strcmp(str(get(it, "kind")), kind) &&
		    str(get(get(it, "metadata"), "name")) &&
		    !strcmp(str(get(get(it, "metadata"), "name")), name))
			return it;
	}
	return (ref){items.d, NULL};
}

static void check_policy(const ctx *x, ref in_pol, ref out_pol)
{
	const config *c = x->c;
	ref in_spec = get(in_pol, "spec"), out_spec = get(out_pol, "spec");
	ref in_rules = get(in_spec, "ingress"), out_rules = get(out_spec, "ingress");
	PROPERTY(equal(get(in_pol, "metadata"), get(out_pol, "metadata")),
		 "policy metadata changed");
	/* (c) everything but ingress is as it was */
	for (int i = 0; i < len(in_spec); i++) {
		const char *k = str(key_at(in_spec, i));
		if (k && strcmp(k, "ingress"))
			PROPERTY(equal(value_at(in_spec, i), get(out_spec, k)), "spec.%s changed",
				 k);
	}
	PROPERTY(len(out_spec) ==
			 len(in_spec) + (get(in_spec, "ingress").n ? 0 : len(out_rules) > 0),
		 "spec gained or lost a key");
	int n_in = is(in_rules, YAML_SEQUENCE_NODE) ? len(in_rules) : 0;
	PROPERTY(is_null(out_rules) ? n_in == 0 : is(out_rules, YAML_SEQUENCE_NODE),
		 "spec.ingress is no list");
	int n_out = is(out_rules, YAML_SEQUENCE_NODE) ? len(out_rules) : 0;
	PROPERTY(n_out >= n_in && n_out - n_in <= c->n_src, "rules removed or too many added");
	/* (c) existing rules: same peers; ports only added, only configured ones, only to a rule
	 * whose from is exactly one configured peer and which lists ports */
	for (int r = 0; r < n_in; r++) {
		ref a = item(in_rules, r), b = item(out_rules, r);
		if (equal(a, b))
			continue;
		PROPERTY(is(a, YAML_MAPPING_NODE) && len(a) == len(b), "rule %d reshaped", r);
		for (int i = 0; i < len(a); i++) {
			const char *k = str(key_at(a, i));
			PROPERTY(equal(key_at(a, i), key_at(b, i)), "rule %d keys changed", r);
			if (strcmp(k, "ports"))
				PROPERTY(equal(value_at(a, i), value_at(b, i)),
					 "rule %d: %s changed", r, k);
		}
		ref from = get(a, "from"), pa = get(a, "ports"), pb = get(b, "ports");
		PROPERTY(is(from, YAML_SEQUENCE_NODE) && len(from) == 1 &&
				 exact_source(c, item(from, 0)) >= 0,
			 "ports added to rule %d, whose from is not exactly one configured peer",
			 r);
		PROPERTY(is(pa, YAML_SEQUENCE_NODE) && len(pa) > 0 && len(pb) > len(pa),
			 "rule %d: ports added to an absent or empty list (which admits all)", r);
		for (int i = 0; i < len(pa); i++)
			PROPERTY(equal(item(pa, i), item(pb, i)), "rule %d: a port changed", r);
		stats.ports_added++;
		for (int i = len(pa); i < len(pb); i++) {
			int configured = 0;
			for (int p = 0; p < c->n_ports; p++)
				configured |= is_port(item(pb, i), &c->ports[p]);
			PROPERTY(configured, "rule %d: added port %d is not a configured port", r,
				 i);
		}
	}
	/* (a), (b): new rules */
	int used[3] = {0};
	for (int r = n_in; r < n_out; r++) {
		ref rule = item(out_rules, r), from = get(rule, "from"), ports = get(rule, "ports");
		PROPERTY(is(rule, YAML_MAPPING_NODE) && len(rule) == 2,
			 "new rule %d: not {from, ports}", r);
		PROPERTY(is(from, YAML_SEQUENCE_NODE) && len(from) > 0, "new rule %d: empty from",
			 r);
		for (int i = 0; i < len(from); i++) {
			int s = new_peer_source(c, item(from, i));
			stats.new_rules += i == 0;
			PROPERTY(s >= 0, "new rule %d: peer %d is not exactly a configured source",
				 r, i);
			PROPERTY(!used[s], "new rule %d: a second rule for one source", r);
			used[s] = 1;
		}
		PROPERTY(is(ports, YAML_SEQUENCE_NODE) && len(ports) == c->n_ports,
			 "new rule %d: ports absent, empty or not the configured ones", r);
		for (int p = 0; p < c->n_ports; p++)
			PROPERTY(is_port(item(ports, p), &c->ports[p]),
				 "new rule %d: port %d is not configured port %d", r, p, p);
	}
}

/* ---- an independent reading of "admitted" (Kubernetes NetworkPolicy semantics) ---- */

/* A selector requirement holds for every object known to carry `known` labels (and perhaps
 * others): only In, NotIn and Exists on a known key can. */
static int requirement_holds(const char *key, const char *op, ref values, const label *known,
			     int n_known)
{
	const char *have = NULL;
	for (int i = 0; i < n_known; i++)
		if (!strcmp(known[i].key, key))
			have = known[i].value;
	if (!have || !op)
		return 0;
	int listed = 0;
	for (int i = 0; is(values, YAML_SEQUENCE_NODE) && i < len(values); i++)
		listed |= str(item(values, i)) && !strcmp(str(item(values, i)), have);
	if (!strcmp(op, "In"))
		return listed;
	if (!strcmp(op, "NotIn"))
		return is(values, YAML_SEQUENCE_NODE) && !listed;
	return !strcmp(op, "Exists");
}

static int selects(ref sel, const label *known, int n_known)
{
	if (is_null(sel))
		return 1;
	if (!is(sel, YAML_MAPPING_NODE))
		return 0;
	ref ml = get(sel, "matchLabels"), me = get(sel, "matchExpressions");
	if (len(sel) != (ml.n != NULL) + (me.n != NULL))
		return 0;
	for (int i = 0; !is_null(ml) && i < len(ml); i++) {
		if (!str(key_at(ml, i)) || !str(value_at(ml, i)))
			return 0;
		label want = {str(key_at(ml, i)), str(value_at(ml, i))};
		int ok = 0;
		for (int k = 0; k < n_known; k++)
			ok |= !strcmp(known[k].key, want.key) &&
			      !strcmp(known[k].value, want.value);
		if (!ok)
			return 0;
	}
	for (int i = 0; !is_null(me) && i < len(me); i++) {
		ref e = item(me, i);
		if (!str(get(e, "key")) ||
		    !requirement_holds(str(get(e, "key")), str(get(e, "operator")),
				       get(e, "values"), known, n_known))
			return 0;
	}
	return 1;
}

static int port_admits(ref ports, const port *p)
{
	if (is_null(ports) || (is(ports, YAML_SEQUENCE_NODE) && len(ports) == 0))
		return 1;
	for (int i = 0; i < len(ports); i++) {
		ref e = item(ports, i);
		const char *proto = str(get(e, "protocol")), *v = str(get(e, "port"));
		if (strcmp(proto ? proto : "TCP", p->proto))
			continue;
		if (!get(e, "port").n)
			return 1;
		if (!v)
			continue;
		if (p->name) {
			if (!strcmp(v, p->name))
				return 1;
			continue;
		}
		char *end;
		long lo = strtol(v, &end, 10);
		if (*end || !*v)
			continue; /* a named port: it may or may not be this number */
		const char *e_end = str(get(e, "endPort"));
		long hi = e_end ? strtol(e_end, NULL, 10) : lo;
		if (lo <= p->port && (p->end ? p->end : p->port) <= hi)
			return 1;
	}
	return 0;
}

/* Source s on port p is admitted by the policy's rules (its Namespace carrying ns_labels). */
static int admitted(const config *c, ref rules, int s, const port *p, const label *ns_labels,
		    int n_ns_labels)
{
	const source *src = &c->src[s];
	for (int r = 0; is(rules, YAML_SEQUENCE_NODE) && r < len(rules); r++) {
		ref rule = item(rules, r), from = get(rule, "from");
		int peer_ok = is_null(from) || (is(from, YAML_SEQUENCE_NODE) && len(from) == 0);
		for (int i = 0; !peer_ok && is(from, YAML_SEQUENCE_NODE) && i < len(from); i++) {
			ref peer = item(from, i), nsel = get(peer, "namespaceSelector");
			if (get(peer, "ipBlock").n ||
			    !nsel.n) /* the policy's namespace: not a source */
				continue;
			peer_ok = selects(nsel, ns_labels, n_ns_labels) &&
				  selects(get(peer, "podSelector"), src->pods, src->n_pods);
		}
		if (peer_ok && port_admits(get(rule, "ports"), p))
			return 1;
	}
	return 0;
}

static void check_admitted(const ctx *x, ref items, ref pol)
{
	const config *c = x->c;
	ref types = get(get(pol, "spec"), "policyTypes");
	int isolates = is_null(types);
	for (int i = 0; is(types, YAML_SEQUENCE_NODE) && i < len(types); i++)
		isolates |= str(item(types, i)) && !strcmp(str(item(types, i)), "Ingress");
	if (!isolates)
		return; /* the policy does not restrict ingress: nothing to admit */
	for (int s = 0; s < c->n_src; s++) {
		label known[8] = {{c->ns_label, c->src[s].ns},
				  {"kubernetes.io/metadata.name", c->src[s].ns}};
		int n_known = 2;
		ref labels =
			get(get(find_item(items, "Namespace", c->src[s].ns), "metadata"), "labels");
		for (int i = 0; i < len(labels) && n_known < 8; i++)
			if (str(key_at(labels, i)) && str(value_at(labels, i)))
				known[n_known++] =
					(label){str(key_at(labels, i)), str(value_at(labels, i))};
		for (int p = 0; p < c->n_ports; p++)
			PROPERTY(admitted(c, get(get(pol, "spec"), "ingress"), s, &c->ports[p],
					  known, n_known),
				 "after the run, namespace %s is not admitted on port %d",
				 c->src[s].ns, p);
	}
}

/* Items keep their places; `created` new ones follow. Only Namespaces (and the NetworkPolicies,
 * checked elsewhere) may change. */
static void check_namespaces(const ctx *x, ref in_items, ref out_items, int created)
{
	const config *c = x->c;
	PROPERTY(len(out_items) == len(in_items) + created, "items added or removed");
	for (int i = 0; i < len(in_items); i++) {
		ref a = item(in_items, i), b = item(out_items, i);
		const char *kind = str(get(a, "kind"));
		if (!strcmp(kind, "NetworkPolicy") || equal(a, b))
			continue;
		PROPERTY(!strcmp(kind, "Namespace"), "a %s changed", kind);
		stats.labelled++;
		/* (d) only the label namespaceLabel=name is added */
		ref ma = get(a, "metadata"), mb = get(b, "metadata");
		const char *name = str(get(ma, "name"));
		ref la = get(ma, "labels"), lb = get(mb, "labels");
		PROPERTY(str(get(lb, c->ns_label)) && !strcmp(str(get(lb, c->ns_label)), name) &&
				 !get(la, c->ns_label).n && len(lb) == len(la) + 1,
			 "Namespace %s: not just the label %s=%s added", name, c->ns_label, name);
		for (int j = 0; j < len(la); j++)
			PROPERTY(equal(key_at(la, j), key_at(lb, j)) &&
					 equal(value_at(la, j), value_at(lb, j)),
				 "Namespace %s: a label changed", name);
		for (int j = 0; j < len(ma); j++)
			if (strcmp(str(key_at(ma, j)), "labels"))
				PROPERTY(equal(value_at(ma, j), get(mb, str(key_at(ma, j)))),
					 "Namespace %s: metadata changed", name);
	}
}

/* Runs the function; returns its status, the output in *out. */
static int run(const char *input, size_t n, int check, buf *out)
{
	ani_options o;
	memset(&o, 0, sizeof o);
	o.input_name = "<generated>";
	static const ani_setting check_mode = {"mode", "check"};
	o.settings = check ? &check_mode : NULL;
	o.n_settings = check ? 1 : 0;
	ani_run *r = NULL;
	int rc = ani_transform(input, n, &o, &r);
	cr_assert_not_null(r);
	memset(out, 0, sizeof *out);
	puts_(out, "");
	cr_assert_eq(ani_run_write(r, write_buf, out), 0);
	ani_run_free(r);
	return rc;
}

/* The output without the results entry the function appends (the input has none). */
static size_t before_results(const buf *out)
{
	const char *r = strstr(out->p, "\nresults:\n");
	return r ? (size_t)(r - out->p) + 1 : out->len;
}

static void one_case(int index, uint64_t seed)
{
	config c;
	buf in = {0}, out = {0}, again = {0}, check_in = {0};
	pool_used = 0;
	strings_used = 0;
	random_config(&c);
	render_case(&in, &c);
	ctx cx = {&c, in.p, NULL, index, seed}, *x = &cx;

	int rc = run(in.p, in.len, 0, &out);
	cx.output = out.p;
	PROPERTY(out.len > 0, "no output (a ResourceList always gets one)");
	int unchanged = before_results(&out) == in.len && !memcmp(out.p, in.p, in.len);

	/* (f) check mode on the input: changes nothing, passes exactly when the merge changes
	 * nothing */
	int rc_check = run(in.p, in.len, 1, &check_in);
	PROPERTY(before_results(&check_in) == in.len && !memcmp(check_in.p, in.p, in.len),
		 "check mode changed the input");
	stats.cases++;
	stats.failed_runs += rc != 0;
	stats.unchanged += rc == 0 && unchanged;
	if (rc != 0) {
		PROPERTY(unchanged, "a failed run changed the list");
		PROPERTY(rc_check != 0, "check mode passes an input the merge refuses");
		goto done;
	}
	PROPERTY((rc_check == 0) == unchanged, "check mode says %s but the merge %s",
		 rc_check ? "not admitted" : "admitted", unchanged ? "changed nothing" : "edited");

	parsed pin, pout;
	parse(&pin, in.p, in.len);
	parse(&pout, out.p, out.len);
	PROPERTY(pin.ok, "the generated input does not parse (test bug)");
	PROPERTY(pout.ok, "the output does not parse");
	ref in_items = get(node(&pin.doc, 1), "items"),
	    out_items = get(node(&pout.doc, 1), "items");
	check_namespaces(x, in_items, out_items, 0);
	ref in_pol = find_item(in_items, "NetworkPolicy", "allow-egress");
	ref out_pol = find_item(out_items, "NetworkPolicy", "allow-egress");
	check_policy(x, in_pol, out_pol);
	check_admitted(x, out_items, out_pol);
	yaml_document_delete(&pin.doc);
	yaml_document_delete(&pout.doc);

	/* (e) afterwards every source is admitted on every port */
	rc = run(out.p, out.len, 1, &again);
	PROPERTY(rc == 0, "check mode on the output fails: a configured source is not admitted");
done:
	free(in.p);
	free(out.p);
	free(again.p);
	free(check_in.p);
}

/* ---- separate mode: one dedicated NetworkPolicy per source ---- */

static label sep_pods[2];
static int n_sep_pods;

static const char *dedicated_name(const config *c, int s, const char *fixed)
{
	if (fixed)
		return fixed;
	return gstr("allow-%s-to-%s", c->src[s].ns, n_sep_pods ? sep_pods[0].value : "pods");
}

static void one_separate_case(int index, uint64_t seed)
{
	config c;
	buf in = {0}, out = {0}, again = {0};
	pool_used = 0;
	strings_used = 0;
	random_config(&c);
	/* The pods the dedicated policies protect: the default (app=source-controller) or given. */
	n_sep_pods = 0;
	if (chance(60)) {
		n_sep_pods = 1 + (int)below(2);
		sep_pods[0] = (label){"app", PICK(pod_values)};
		sep_pods[1] = (label){"tier", PICK(pod_values)};
	}
	int given_pods = n_sep_pods > 0;
	if (!given_pods) {
		n_sep_pods = 1;
		sep_pods[0] = (label){"app", "source-controller"};
	}
	const char *fixed = c.n_src == 1 && chance(30) ? "allow-dedicated" : NULL;
	int existing = chance(30); /* a dedicated policy for the first source is there already */

	seq_indent = chance(50) ? 0 : 2;
	gnode *items = seq();
	if (chance(50)) { /* the merge target: separate mode must leave it alone */
		gnode *spec = add(map(), "podSelector", map());
		add(spec, "ingress", add(seq(), NULL, random_rule(&c)));
		add(items, NULL,
		    add(add(add(add(map(), "apiVersion", scalar("networking.k8s.io/v1")), "kind",
				scalar("NetworkPolicy")),
			    "metadata",
			    add(add(map(), "name", scalar("allow-egress")), "namespace",
				scalar("flux-system"))),
			"spec", spec));
	}
	if (existing) {
		gnode *ml = map();
		for (int i = 0; i < n_sep_pods; i++)
			add(ml, sep_pods[i].key, scalar(sep_pods[i].value));
		gnode *rules = seq();
		for (int i = 0, n = (int)below(3); i < n; i++)
			add(rules, NULL, random_rule(&c));
		gnode *spec = add(map(), "podSelector", add(map(), "matchLabels", ml));
		add(spec, "policyTypes", add(seq(), NULL, scalar("Ingress")));
		add(spec, "ingress", rules);
		add(items, NULL,
		    add(add(add(add(map(), "apiVersion", scalar("networking.k8s.io/v1")), "kind",
				scalar("NetworkPolicy")),
			    "metadata",
			    add(add(map(), "name", scalar(dedicated_name(&c, 0, fixed))),
				"namespace", scalar("flux-system"))),
			"spec", maybe_flow(spec, 10)));
	}
	for (int i = 0; i < c.n_src; i++)
		if (c.src[i].in_input)
			add(items, NULL,
			    add(add(add(map(), "apiVersion", scalar("v1")), "kind",
				    scalar("Namespace")),
				"metadata", add(map(), "name", scalar(c.src[i].ns))));
	puts_(&in, "apiVersion: config.kubernetes.io/v1\nkind: ResourceList\nitems:");
	if (items->n) {
		puts_(&in, "\n");
		render_seq(&in, items, 0);
	} else {
		puts_(&in, " []\n");
	}
	gnode *from = seq();
	for (int i = 0; i < c.n_src; i++) {
		gnode *src = add(map(), "namespace", scalar(c.src[i].ns));
		if (c.src[i].n_pods) {
			gnode *ml = map();
			for (int j = 0; j < c.src[i].n_pods; j++)
				add(ml, c.src[i].pods[j].key, scalar(c.src[i].pods[j].value));
			add(src, "podSelector", add(map(), "matchLabels", ml));
		}
		add(from, NULL, src);
	}
	gnode *ports = seq();
	for (int i = 0; i < c.n_ports; i++) {
		const port *p = &c.ports[i];
		gnode *e = add(map(), "port", scalar(p->name ? p->name : gstr("%ld", p->port)));
		add(e, "protocol", scalar(p->proto));
		if (p->end)
			add(e, "endPort", scalar(gstr("%ld", p->end)));
		add(ports, NULL, e);
	}
	gnode *spec = add(map(), "mode", scalar("separate"));
	if (given_pods || fixed) {
		gnode *sp = map();
		if (fixed)
			add(sp, "name", scalar(fixed));
		if (given_pods) {
			gnode *ml = map();
			for (int i = 0; i < n_sep_pods; i++)
				add(ml, sep_pods[i].key, scalar(sep_pods[i].value));
			add(sp, "podSelector", add(map(), "matchLabels", ml));
		}
		add(spec, "separatePolicy", sp);
	}
	add(spec, "from", from);
	add(spec, "namespaceLabel", scalar(c.ns_label));
	add(spec, "ports", ports);
	gnode *fc = add(add(map(), "apiVersion", scalar("fn.octopilot.io/v1alpha1")), "kind",
			scalar("AllowNamespaceIngress"));
	add(fc, "spec", spec);
	puts_(&in, "functionConfig:");
	render_value(&in, fc, 2, 0);

	ctx cx = {&c, in.p, NULL, index, seed}, *x = &cx;
	int rc = run(in.p, in.len, 0, &out);
	cx.output = out.p;
	if (rc != 0) {
		PROPERTY(before_results(&out) == in.len && !memcmp(out.p, in.p, in.len),
			 "a failed run changed the list");
		stats.failed_runs++;
		goto done;
	}
	parsed pin, pout;
	parse(&pin, in.p, in.len);
	parse(&pout, out.p, out.len);
	PROPERTY(pin.ok && pout.ok, "input or output does not parse");
	ref in_items = get(node(&pin.doc, 1), "items"),
	    out_items = get(node(&pout.doc, 1), "items");
	int created = c.n_src - existing;
	check_namespaces(x, in_items, out_items, created);
	for (int i = 0; i < len(in_items); i++) {
		ref a = item(in_items, i);
		const char *name = str(get(get(a, "metadata"), "name"));
		if (!strcmp(str(get(a, "kind")), "NetworkPolicy") && strcmp(name, "allow-egress"))
			check_policy(x, a, item(out_items, i)); /* the existing dedicated policy */
		else if (!strcmp(str(get(a, "kind")), "NetworkPolicy"))
			PROPERTY(equal(a, item(out_items, i)),
				 "separate mode changed allow-egress");
	}
	for (int s = 0; s < c.n_src; s++) {
		ref pol = find_item(out_items, "NetworkPolicy", dedicated_name(&c, s, fixed));
		PROPERTY(pol.n, "no dedicated policy for %s", c.src[s].ns);
		PROPERTY(
			str(get(get(pol, "metadata"), "namespace")) &&
				!strcmp(str(get(get(pol, "metadata"), "namespace")), "flux-system"),
			"the dedicated policy is in another namespace");
		if (s >= existing) { /* created: exactly one rule, for this source */
			stats.new_rules++;
			ref spec_out = get(pol, "spec"),
			    ml = get(get(spec_out, "podSelector"), "matchLabels");
			PROPERTY(len(get(spec_out, "podSelector")) == 1 && len(ml) == n_sep_pods,
				 "created policy: not exactly the configured pods");
			for (int i = 0; i < n_sep_pods; i++)
				PROPERTY(str(get(ml, sep_pods[i].key)) &&
						 !strcmp(str(get(ml, sep_pods[i].key)),
							 sep_pods[i].value),
					 "created policy: pod label %s", sep_pods[i].key);
			ref types = get(spec_out, "policyTypes"), rules = get(spec_out, "ingress");
			PROPERTY(len(types) == 1 && !strcmp(str(item(types, 0)), "Ingress"),
				 "created policy: policyTypes is not [Ingress]");
			PROPERTY(len(rules) == 1, "created policy: not exactly one rule");
			ref rule = item(rules, 0), rf = get(rule, "from"), rp = get(rule, "ports");
			PROPERTY(len(rule) == 2 && len(rf) == 1 &&
					 new_peer_source(&c, item(rf, 0)) == s,
				 "created policy: its peer is not exactly source %s", c.src[s].ns);
			PROPERTY(len(rp) == c.n_ports,
				 "created policy: ports are not the configured ones");
			for (int p = 0; p < c.n_ports; p++)
				PROPERTY(is_port(item(rp, p), &c.ports[p]),
					 "created policy: port %d", p);
		}
		/* admitted, by the independent reading, on every port */
		label known[2] = {{c.ns_label, c.src[s].ns},
				  {"kubernetes.io/metadata.name", c.src[s].ns}};
		for (int p = 0; p < c.n_ports; p++)
			PROPERTY(admitted(&c, get(get(pol, "spec"), "ingress"), s, &c.ports[p],
					  known, 2),
				 "namespace %s is not admitted on port %d by its dedicated policy",
				 c.src[s].ns, p);
	}
	yaml_document_delete(&pin.doc);
	yaml_document_delete(&pout.doc);
	/* A second run changes nothing. */
	PROPERTY(run(out.p, out.len, 0, &again) == 0, "a second run fails");
	PROPERTY(before_results(&again) == before_results(&out) &&
			 !memcmp(again.p, out.p, before_results(&out)),
		 "a second run changes the list");
	stats.cases++;
done:
	free(in.p);
	free(out.p);
	free(again.p);
}

static uint64_t env_number(const char *name, uint64_t fallback)
{
	const char *v = getenv(name);
	return v && *v ? strtoull(v, NULL, 0) : fallback;
}

Test(security, generated_configs_and_policies, .timeout = 120)
{
	uint64_t seed = env_number("ANI_PROPERTY_SEED", 0x5eed4a11u);
	int cases = (int)env_number("ANI_PROPERTY_CASES", 2000);
	for (int i = 0; i < cases; i++) {
		/* Each case has its own seed, so a failure replays alone. */
		rng_state = seed + (uint64_t)i * 0x100000001b3ull;
		one_case(i, rng_state);
	}
	cr_log_info("%d cases: %d refused, %d already admitted, %d new rules, %d rules given "
		    "ports, %d Namespaces labelled",
		    stats.cases, stats.failed_runs, stats.unchanged, stats.new_rules,
		    stats.ports_added, stats.labelled);
	/* The generator must keep reaching every path. */
	cr_expect(stats.failed_runs > 0 && stats.unchanged > 0 && stats.new_rules > 0 &&
			  stats.ports_added > 0 && stats.labelled > 0,
		  "a path was never exercised");
}

Test(security, separate_mode_generated, .timeout = 120)
{
	uint64_t seed = env_number("ANI_PROPERTY_SEED", 0x5eed4a11u) ^ 0x5e9a4a7eull;
	int cases = (int)env_number("ANI_PROPERTY_CASES", 2000) / 4;
	memset(&stats, 0, sizeof stats);
	for (int i = 0; i < cases; i++) {
		rng_state = seed + (uint64_t)i * 0x100000001b3ull;
		one_separate_case(i, rng_state);
	}
	cr_log_info("separate mode, %d cases: %d refused, %d dedicated policies created or "
		    "merged into, %d Namespaces labelled",
		    cases, stats.failed_runs, stats.new_rules, stats.labelled);
	cr_expect(stats.cases > cases / 2 && stats.new_rules > 0 && stats.labelled > 0,
		  "a path was never exercised");
}
