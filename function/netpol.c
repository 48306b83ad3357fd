/* SPDX-License-Identifier: Apache-2.0 */
#include "netpol.h"

#include "names.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void netpol_labels_from_node(const yt_node *map, ani_labels *out)
{
	map = yt_deref(map);
	if (!map || map->kind != YT_MAPPING)
		return;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const yt_node *k = yt_deref(map->kids[i]), *v = yt_deref(map->kids[i + 1]);
		if (k && k->kind == YT_SCALAR && yt_go_string(v))
			labels_add(out, k->value, v->value);
	}
}

/* ---- selectors ---- */

static int has_value(const np_requirement *r, const char *v)
{
	for (size_t i = 0; i < r->n_values; i++)
		if (!strcmp(r->values[i], v))
			return 1;
	return 0;
}

/* 1: holds for every object carrying `labels`; 0: for none; -1: depends on labels not known.
 * With `complete`, a key not in `labels` is known to be absent. */
static int requirement_state(const np_requirement *r, const ani_labels *labels, int complete)
{
	const char *have = labels_get(labels, r->key);
	if (!have && !complete)
		return -1;
	switch (r->op) {
	case NP_IN:
		return have && has_value(r, have);
	case NP_NOT_IN:
		return !have || !has_value(r, have);
	case NP_EXISTS:
		return have != NULL;
	case NP_DOES_NOT_EXIST:
		return have == NULL;
	}
	return 0;
}

int netpol_selector_implied(const np_selector *s, const ani_labels *labels)
{
	for (size_t i = 0; i < s->n; i++)
		if (requirement_state(&s->v[i], labels, 0) != 1)
			return 0;
	return 1;
}

int netpol_selector_may_match(const np_selector *s, const ani_labels *labels)
{
	for (size_t i = 0; i < s->n; i++)
		if (requirement_state(&s->v[i], labels, 0) == 0)
			return 0;
	return 1;
}

int netpol_selector_matches(const np_selector *s, const ani_labels *labels)
{
	for (size_t i = 0; i < s->n; i++)
		if (requirement_state(&s->v[i], labels, 1) != 1)
			return 0;
	return 1;
}

int netpol_selector_is_exactly(const np_selector *s, const ani_labels *want)
{
	for (size_t i = 0; i < s->n; i++) {
		const np_requirement *r = &s->v[i];
		const char *w = labels_get(want, r->key);
		if (!w || r->op != NP_IN || !r->n_values)
			return 0;
		for (size_t j = 0; j < r->n_values; j++)
			if (strcmp(r->values[j], w))
				return 0;
	}
	for (size_t x = 0; x < want->n; x++) {
		int seen = 0;
		for (size_t i = 0; i < s->n && !seen; i++)
			seen = !strcmp(s->v[i].key, want->v[x].key);
		if (!seen)
			return 0;
	}
	return 1;
}

void netpol_selector_from_labels(const ani_labels *labels, np_selector *out, yt_arena *a)
{
	out->n = labels->n;
	out->v = yt_arena_alloc(a, (labels->n ? labels->n : 1) * sizeof *out->v);
	for (size_t i = 0; i < labels->n; i++) {
		const char **values = yt_arena_alloc(a, sizeof *values);
		values[0] = labels->v[i].value;
		out->v[i] = (np_requirement){labels->v[i].key, NP_IN, values, 1};
	}
}

/* ---- reading a policy as the API server does ---- */

typedef struct {
	ani_failure *f;
	yt_arena *a;
	size_t entries; /* decoded so far */
} reader;

#define MAX_POLICY_ENTRIES ((size_t)1 << 20)

static int fail(reader *r, const yt_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(reader *r, const yt_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	text_vformat(r->f->message, sizeof r->f->message, fmt, ap);
	va_end(ap);
	r->f->line = at ? at->line : 0;
	r->f->col = at ? at->col + 1 : 0;
	return -1;
}

/* Aliases can repeat a list without bound: past MAX_POLICY_ENTRIES decoded entries the policy
 * is refused. */
static int count_entries(reader *r, size_t n, const yt_node *at)
{
	r->entries += n;
	if (r->entries <= MAX_POLICY_ENTRIES)
		return 0;
	return fail(r, at,
		    "through its aliases the policy reads as more than %zu entries: not read",
		    MAX_POLICY_ENTRIES);
}

/* NULL, with the failure set, past MAX_POLICY_ENTRIES. */
static void *arena_array(reader *r, size_t n, size_t size, const yt_node *at)
{
	if (count_entries(r, n, at))
		return NULL;
	void *p = yt_arena_alloc(r->a, (n ? n : 1) * size);
	memset(p, 0, (n ? n : 1) * size);
	return p;
}

/* Resolves an alias in place; an alias whose anchor is outside the resource is refused. */
static int resolve(reader *r, const yt_node **n, const char *path)
{
	if (*n && (*n)->kind == YT_ALIAS) {
		if (!(*n)->target)
			return fail(
				r, *n,
				"%s is the alias *%.100s, whose anchor is outside this resource: "
				"not read",
				path, (*n)->value);
		*n = (*n)->target;
	}
	return 0;
}

static int compare_key_nodes(const void *a, const void *b)
{
	const yt_node *x = *(const yt_node *const *)a, *y = *(const yt_node *const *)b;
	int c = strcmp(x->value, y->value);
	return c ? c : (x->start > y->start) - (x->start < y->start);
}

/* A mapping whose keys all read as text, once each, without merge keys. */
static int check_mapping(reader *r, const yt_node **map, const char *path)
{
	if (resolve(r, map, path))
		return -1;
	if ((*map)->kind != YT_MAPPING)
		return fail(r, *map, "%s is not a mapping but a %s", path,
			    (*map)->kind == YT_SEQUENCE ? "list" : "scalar");
	const yt_node *m = *map;
	size_t n = m->n / 2;
	const yt_node **keys = xcalloc(n ? n : 1, sizeof *keys);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		keys[i] = m->kids[2 * i];
		rc = resolve(r, &keys[i], path);
		if (!rc && keys[i]->kind != YT_SCALAR)
			rc = fail(r, keys[i], "%s has a key that is not a string", path);
		if (!rc && !strcmp(keys[i]->value, "<<") &&
		    keys[i]->style == YAML_PLAIN_SCALAR_STYLE)
			rc = fail(r, keys[i], "%s uses a merge key (<<): merge keys are not read",
				  path);
	}
	if (!rc && n) {
		qsort(keys, n, sizeof *keys, compare_key_nodes);
		for (size_t i = 1; i < n && !rc; i++)
			if (!strcmp(keys[i]->value, keys[i - 1]->value))
				rc = fail(r, keys[i], "%s has the key \"%.200s\" twice", path,
					  keys[i]->value);
	}
	xfree(keys);
	return rc;
}

/* The value of `key` in a checked mapping, resolved; NULL when absent or null. */
static int get(reader *r, const yt_node *map, const char *key, const char *path,
	       const yt_node **out)
{
	*out = NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const yt_node *k = yt_deref(map->kids[i]);
		if (strcmp(k->value, key))
			continue;
		const yt_node *v = map->kids[i + 1];
		char field[200];
		text_format(field, sizeof field, "%s.%s", path, key);
		if (resolve(r, &v, field))
			return -1;
		*out = yt_is_null(v) ? NULL : v;
	}
	return 0;
}

static int get_list(reader *r, const yt_node *map, const char *key, const char *path,
		    const yt_node **out)
{
	if (get(r, map, key, path, out))
		return -1;
	if (*out && (*out)->kind != YT_SEQUENCE)
		return fail(r, *out, "%s.%s is not a list", path, key);
	return 0;
}

/* A string as Go reads it into a string field: quoted, or plain and not null, bool or number. */
static int get_string(reader *r, const yt_node *n, const char *path, const char **out)
{
	if (resolve(r, &n, path))
		return -1;
	if (yt_is_null(n)) {
		*out = "";
		return 0;
	}
	if (!yt_go_string(n))
		return fail(r, n, "%s is %s, not a string: the API server rejects it", path,
			    n->kind == YT_SCALAR ? n->value : "a collection");
	*out = n->value;
	return 0;
}

static int add_requirement(reader *r, np_selector *s, size_t *cap, np_requirement req)
{
	if (count_entries(r, 1, NULL))
		return -1;
	if (s->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		np_requirement *v = yt_arena_alloc(r->a, ncap * sizeof *v);
		if (s->n)
			memcpy(v, s->v, s->n * sizeof *v);
		s->v = v;
		*cap = ncap;
	}
	s->v[s->n++] = req;
	return 0;
}

static int read_selector(reader *r, const yt_node *n, const char *path, np_selector *s)
{
	memset(s, 0, sizeof *s);
	if (!n)
		return 0;
	if (check_mapping(r, &n, path))
		return -1;
	size_t cap = 0;
	char field[200];
	const yt_node *labels, *exprs;
	if (get(r, n, "matchLabels", path, &labels) ||
	    get_list(r, n, "matchExpressions", path, &exprs))
		return -1;
	text_format(field, sizeof field, "%s.matchLabels", path);
	if (labels && check_mapping(r, &labels, field))
		return -1;
	for (size_t i = 0; labels && i + 1 < labels->n; i += 2) {
		np_requirement q = {yt_deref(labels->kids[i])->value, NP_IN, NULL, 1};
		if (!(q.values = arena_array(r, 1, sizeof *q.values, labels)))
			return -1;
		text_format(field, sizeof field, "%s.matchLabels.%s", path, q.key);
		if (get_string(r, labels->kids[i + 1], field, &q.values[0]))
			return -1;
		if (add_requirement(r, s, &cap, q))
			return -1;
	}
	for (size_t i = 0; exprs && i < exprs->n; i++) {
		const yt_node *e = exprs->kids[i], *key, *op, *values;
		text_format(field, sizeof field, "%s.matchExpressions[%zu]", path, i);
		if (check_mapping(r, &e, field) || get(r, e, "key", field, &key) ||
		    get(r, e, "operator", field, &op) || get_list(r, e, "values", field, &values))
			return -1;
		np_requirement q = {0};
		if (!key || !yt_go_string(key))
			return fail(r, key ? key : e, "%s.key: a label key is required", field);
		q.key = key->value;
		static const char *const ops[] = {"In", "NotIn", "Exists", "DoesNotExist"};
		size_t o = 0;
		while (o < 4 && !(op && op->kind == YT_SCALAR && !strcmp(op->value, ops[o])))
			o++;
		if (o == 4)
			return fail(
				r, op ? op : e,
				"%s.operator must be In, NotIn, Exists or DoesNotExist: the API "
				"server rejects this policy",
				field);
		q.op = (np_op)o;
		q.n_values = values ? values->n : 0;
		if ((q.op == NP_IN || q.op == NP_NOT_IN) != (q.n_values > 0))
			return fail(r, values ? values : e,
				    "%s.values must be %s for operator %s: the API server rejects "
				    "this policy",
				    field, q.n_values ? "empty" : "non-empty", ops[o]);
		if (!(q.values = arena_array(r, q.n_values, sizeof *q.values, e)))
			return -1;
		for (size_t j = 0; j < q.n_values; j++) {
			char vfield[240];
			text_format(vfield, sizeof vfield, "%s.values[%zu]", field, j);
			if (get_string(r, values->kids[j], vfield, &q.values[j]))
				return -1;
		}
		if (add_requirement(r, s, &cap, q))
			return -1;
	}
	return 0;
}

static int read_peer(reader *r, const yt_node *n, const char *path, np_peer *p)
{
	memset(p, 0, sizeof *p);
	if (check_mapping(r, &n, path))
		return -1;
	p->at = n;
	const yt_node *ns, *pods, *ip;
	char field[200];
	if (get(r, n, "namespaceSelector", path, &ns) || get(r, n, "podSelector", path, &pods) ||
	    get(r, n, "ipBlock", path, &ip))
		return -1;
	if (!ns && !pods && !ip)
		return fail(r, n,
			    "%s names no peer (podSelector, namespaceSelector or ipBlock): the API "
			    "server rejects this policy",
			    path);
	if (ip && (ns || pods))
		return fail(r, n,
			    "%s has an ipBlock and a selector: the API server rejects this policy",
			    path);
	if (ip) {
		const yt_node *cidr;
		text_format(field, sizeof field, "%s.ipBlock", path);
		if (check_mapping(r, &ip, field) || get(r, ip, "cidr", field, &cidr))
			return -1;
		if (!cidr || !yt_go_string(cidr))
			return fail(r, ip,
				    "%s.cidr is required: the API server rejects this policy",
				    field);
		p->ip_block = cidr->value;
		return 0;
	}
	p->has_namespaces = ns != NULL;
	text_format(field, sizeof field, "%s.namespaceSelector", path);
	if (read_selector(r, ns, field, &p->namespaces))
		return -1;
	text_format(field, sizeof field, "%s.podSelector", path);
	return read_selector(r, pods, field, &p->pods);
}

static int read_port_number(reader *r, const yt_node *n, const char *path, long *out)
{
	long long v;
	if (!yt_int(n, &v))
		return fail(r, n, "%s is not a number: the API server rejects this policy", path);
	if (v < 1 || v > 65535)
		return fail(r, n,
			    "%s is %lld, not a port number (1-65535): the API server rejects "
			    "this policy",
			    path, v);
	*out = (long)v;
	return 0;
}

static int read_port(reader *r, const yt_node *n, const char *path, np_port *p)
{
	memset(p, 0, sizeof *p);
	strcpy(p->protocol, "TCP");
	if (check_mapping(r, &n, path))
		return -1;
	p->at = n;
	const yt_node *proto, *port, *end;
	char field[200];
	if (get(r, n, "protocol", path, &proto) || get(r, n, "port", path, &port) ||
	    get(r, n, "endPort", path, &end))
		return -1;
	if (proto) {
		if (!yt_go_string(proto) || !name_is_protocol(proto->value))
			return fail(
				r, proto,
				"%s.protocol is \"%.60s\", not exactly TCP, UDP or SCTP: the API "
				"server rejects this policy",
				path, proto->kind == YT_SCALAR ? proto->value : "a collection");
		strcpy(p->protocol, proto->value);
	}
	text_format(field, sizeof field, "%s.port", path);
	long long v;
	if (port && yt_int(port, &v)) {
		if (read_port_number(r, port, field, &p->port))
			return -1;
	} else if (port) {
		if (!yt_go_string(port))
			return fail(r, port,
				    "%s is neither a port number nor a port name: the API server "
				    "rejects this policy",
				    field);
		if (!name_is_port_name(port->value))
			return fail(r, port,
				    "%s is the string \"%.60s\", not a valid port name (1-15 "
				    "lowercase letters, digits and '-', with a letter; a quoted "
				    "number is a name): the API server rejects this policy",
				    field, port->value);
		p->name = port->value;
	}
	p->end_port = p->port;
	if (end) {
		text_format(field, sizeof field, "%s.endPort", path);
		if (!p->port)
			return fail(r, end,
				    "%s needs a numeric port: the API server rejects this policy",
				    field);
		if (read_port_number(r, end, field, &p->end_port))
			return -1;
		if (p->end_port < p->port)
			return fail(r, end,
				    "%s (%ld) is below port (%ld): the API server rejects this "
				    "policy",
				    field, p->end_port, p->port);
	}
	return 0;
}

static int read_rules(reader *r, const yt_node *spec, const char *key, const char *peers_key,
		      np_rule **out, size_t *n_out)
{
	const yt_node *rules;
	if (get_list(r, spec, key, "spec", &rules))
		return -1;
	*n_out = rules ? rules->n : 0;
	if (!(*out = arena_array(r, *n_out, sizeof **out, spec)))
		return -1;
	for (size_t i = 0; i < *n_out; i++) {
		np_rule *rule = &(*out)[i];
		const yt_node *n = rules->kids[i], *peers, *ports;
		char path[96], field[160];
		text_format(path, sizeof path, "spec.%s[%zu]", key, i);
		if (check_mapping(r, &n, path) || get_list(r, n, peers_key, path, &peers) ||
		    get_list(r, n, "ports", path, &ports))
			return -1;
		rule->at = n;
		rule->every_peer = !peers || !peers->n;
		rule->n_peers = peers ? peers->n : 0;
		if (!(rule->peers = arena_array(r, rule->n_peers, sizeof *rule->peers, n)))
			return -1;
		for (size_t j = 0; j < rule->n_peers; j++) {
			text_format(field, sizeof field, "%s.%s[%zu]", path, peers_key, j);
			if (read_peer(r, peers->kids[j], field, &rule->peers[j]))
				return -1;
		}
		rule->every_port = !ports || !ports->n;
		rule->n_ports = ports ? ports->n : 0;
		if (!(rule->ports = arena_array(r, rule->n_ports, sizeof *rule->ports, n)))
			return -1;
		for (size_t j = 0; j < rule->n_ports; j++) {
			text_format(field, sizeof field, "%s.ports[%zu]", path, j);
			if (read_port(r, ports->kids[j], field, &rule->ports[j]))
				return -1;
		}
	}
	return 0;
}

int netpol_read(const ani_item *it, np_policy *p, ani_failure *f)
{
	memset(p, 0, sizeof *p);
	p->item = it;
	reader r = {f, &p->arena, 0};
	const yt_node *spec = it->spec, *pods, *types;
	if (!spec)
		return fail(&r, NULL, "has no spec: the API server rejects it");
	if (check_mapping(&r, &spec, "spec") || get(&r, spec, "podSelector", "spec", &pods) ||
	    read_selector(&r, pods, "spec.podSelector", &p->pods) ||
	    read_rules(&r, spec, "ingress", "from", &p->in, &p->n_in) ||
	    read_rules(&r, spec, "egress", "to", &p->out, &p->n_out) ||
	    get_list(&r, spec, "policyTypes", "spec", &types))
		return -1;
	/* SetDefaults_NetworkPolicy: no policyTypes (absent or []) means Ingress, and Egress
	 * when there are egress rules. */
	if (!types || !types->n) {
		p->ingress = 1;
		p->egress = p->n_out > 0;
		return 0;
	}
	for (size_t i = 0; i < types->n; i++) {
		const yt_node *t = types->kids[i];
		char field[64];
		text_format(field, sizeof field, "spec.policyTypes[%zu]", i);
		if (resolve(&r, &t, field))
			return -1;
		if (yt_go_string(t) && !strcmp(t->value, "Ingress"))
			p->ingress = 1;
		else if (yt_go_string(t) && !strcmp(t->value, "Egress"))
			p->egress = 1;
		else
			return fail(
				&r, t,
				"%s is not Ingress or Egress: the API server rejects this policy",
				field);
	}
	return 0;
}

void netpol_policy_free(np_policy *p)
{
	yt_arena_free(&p->arena);
	memset(p, 0, sizeof *p);
}
