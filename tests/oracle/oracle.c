/* SPDX-License-Identifier: Apache-2.0 */
#include "oracle.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static void *oracle_alloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);
	if (!p)
		abort();
	return p;
}

static char *own_copy(oracle_claims *c, const char *s, size_t n)
{
	if (!s)
		return NULL;
	char *p = oracle_alloc(n + 1);
	memcpy(p, s, n);
	char **owned = realloc(c->owned, (c->n_owned + 1) * sizeof *owned);
	if (!owned)
		abort();
	c->owned = owned;
	c->owned[c->n_owned++] = p;
	return p;
}

static char *own_str(oracle_claims *c, const char *s)
{
	return s ? own_copy(c, s, strlen(s)) : NULL;
}

void oracle_claims_add(oracle_claims *c, const char *kind, const char *name, const char *namespace_,
		       const char *message, const char *field)
{
	oracle_claim *v = realloc(c->v, (c->n + 1) * sizeof *v);
	if (!v)
		abort();
	c->v = v;
	c->v[c->n++] = (oracle_claim){own_str(c, kind), own_str(c, name), own_str(c, namespace_),
				      own_str(c, message ? message : ""), own_str(c, field)};
}

void oracle_claims_free(oracle_claims *c)
{
	for (size_t i = 0; i < c->n_owned; i++)
		free(c->owned[i]);
	free(c->owned);
	free(c->v);
	memset(c, 0, sizeof *c);
}

/* ---- the parsed texts ---- */

typedef struct {
	yaml_document_t *docs;
	size_t n_docs;
	int ok;
} loaded;

static loaded load_all(const char *buf, size_t len)
{
	loaded l = {NULL, 0, 0};
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	for (;;) {
		yaml_document_t d;
		if (!yaml_parser_load(&p, &d))
			break;
		if (!yaml_document_get_root_node(&d)) {
			yaml_document_delete(&d);
			l.ok = 1;
			break;
		}
		yaml_document_t *docs = realloc(l.docs, (l.n_docs + 1) * sizeof *docs);
		if (!docs)
			abort();
		l.docs = docs;
		l.docs[l.n_docs++] = d;
	}
	yaml_parser_delete(&p);
	return l;
}

static void unload(loaded *l)
{
	for (size_t i = 0; i < l->n_docs; i++)
		yaml_document_delete(&l->docs[i]);
	free(l->docs);
}

/* A node of one document (0: none). */
typedef struct {
	yaml_document_t *doc;
	int id;
} ref;

static int eq_key(const char *k, const char *key)
{
	return k && !strcmp(k, key);
}

static yaml_node_t *node(ref r)
{
	return r.id ? yaml_document_get_node(r.doc, r.id) : NULL;
}

static const char *scalar(ref r)
{
	yaml_node_t *n = node(r);
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int is_null(ref r)
{
	yaml_node_t *n = node(r);
	if (!n)
		return 1;
	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	const char *v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

static ref get(ref map, const char *key)
{
	yaml_node_t *n = node(map);
	if (!n || n->type != YAML_MAPPING_NODE)
		return (ref){map.doc, 0};
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar((ref){map.doc, p->key});
		if (k && !strcmp(k, key))
			return (ref){map.doc, p->value};
	}
	return (ref){map.doc, 0};
}

/* How many times `key` is a key of the mapping (a duplicate hides from get()). */
static size_t key_count(ref map, const char *key)
{
	yaml_node_t *n = node(map);
	size_t count = 0;
	if (n && n->type == YAML_MAPPING_NODE)
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++)
			count += eq_key(scalar((ref){map.doc, p->key}), key);
	return count;
}

static size_t seq_len(ref r)
{
	yaml_node_t *n = node(r);
	return n && n->type == YAML_SEQUENCE_NODE
		       ? (size_t)(n->data.sequence.items.top - n->data.sequence.items.start)
		       : 0;
}

static ref seq_at(ref r, size_t i)
{
	yaml_node_t *n = node(r);
	return (ref){r.doc, n->data.sequence.items.start[i]};
}

/* ---- equality of parsed nodes; a pair seen before counts as equal (aliases make graphs) ---- */

typedef struct {
	uint64_t *v;
	size_t cap, n;
} pair_set;

static int pair_seen(pair_set *s, int a, int b)
{
	uint64_t key = ((uint64_t)(unsigned)a << 32 | (unsigned)b) + 1;
	if (s->n * 2 >= s->cap) {
		pair_set bigger = {oracle_alloc((s->cap ? s->cap * 2 : 256) * sizeof(uint64_t)),
				   s->cap ? s->cap * 2 : 256, 0};
		for (size_t i = 0; i < s->cap; i++)
			if (s->v[i]) {
				size_t h =
					(size_t)(s->v[i] * 0x9E3779B97F4A7C15u) & (bigger.cap - 1);
				while (bigger.v[h])
					h = (h + 1) & (bigger.cap - 1);
				bigger.v[h] = s->v[i];
				bigger.n++;
			}
		free(s->v);
		*s = bigger;
	}
	size_t h = (size_t)(key * 0x9E3779B97F4A7C15u) & (s->cap - 1);
	while (s->v[h]) {
		if (s->v[h] == key)
			return 1;
		h = (h + 1) & (s->cap - 1);
	}
	s->v[h] = key;
	s->n++;
	return 0;
}

/* A plain scalar that a YAML 1.1 or 1.2 resolver reads as null, a boolean or a number. */
static int plain_is_not_string(const char *v)
{
	static const char *const words[] = {
		"",	 "~",	  "null", "Null", "NULL", "true", "True", "TRUE", "false",
		"False", "FALSE", "yes",  "Yes",  "YES",  "no",	  "No",	  "NO",	  "on",
		"On",	 "ON",	  "off",  "Off",  "OFF",  "y",	  "Y",	  "n",	  "N"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcmp(v, words[i]))
			return 1;
	char *end;
	strtod(v, &end);
	return end != v && !*end;
}

static int equal_in(ref a, ref b, pair_set *seen);

/* Mapping pairs in order, leaving out the pairs whose key is `skip` (NULL: none). */
static int mapping_equal_except(ref a, ref b, const char *skip, pair_set *seen)
{
	yaml_node_t *x = node(a), *y = node(b);
	yaml_node_pair_t *p = x->data.mapping.pairs.start, *q = y->data.mapping.pairs.start;
	for (;;) {
		while (p < x->data.mapping.pairs.top && skip && scalar((ref){a.doc, p->key}) &&
		       !strcmp(scalar((ref){a.doc, p->key}), skip))
			p++;
		while (q < y->data.mapping.pairs.top && skip && scalar((ref){b.doc, q->key}) &&
		       !strcmp(scalar((ref){b.doc, q->key}), skip))
			q++;
		int end_p = p == x->data.mapping.pairs.top, end_q = q == y->data.mapping.pairs.top;
		if (end_p || end_q)
			return end_p && end_q;
		if (!equal_in((ref){a.doc, p->key}, (ref){b.doc, q->key}, seen) ||
		    !equal_in((ref){a.doc, p->value}, (ref){b.doc, q->value}, seen))
			return 0;
		p++;
		q++;
	}
}

static int equal_in(ref a, ref b, pair_set *seen)
{
	yaml_node_t *x = node(a), *y = node(b);
	if (!x || !y)
		return !x && !y;
	if (x->type != y->type || strcmp((char *)x->tag, (char *)y->tag))
		return 0;
	if (pair_seen(seen, a.id, b.id))
		return 1;
	switch (x->type) {
	case YAML_SCALAR_NODE:
		/* A plain scalar may be null, a number or a boolean, a quoted one never is (JSON
		 * input comes out as block YAML, with other quoting). */
		return x->data.scalar.length == y->data.scalar.length &&
		       !memcmp(x->data.scalar.value, y->data.scalar.value, x->data.scalar.length) &&
		       ((x->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) ==
				(y->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) ||
			!plain_is_not_string((const char *)x->data.scalar.value));
	case YAML_SEQUENCE_NODE: {
		size_t n = seq_len(a);
		if (n != seq_len(b))
			return 0;
		for (size_t i = 0; i < n; i++)
			if (!equal_in(seq_at(a, i), seq_at(b, i), seen))
				return 0;
		return 1;
	}
	case YAML_MAPPING_NODE:
		return mapping_equal_except(a, b, NULL, seen);
	default:
		return 0;
	}
}

static int equal_except(ref a, ref b, const char *skip)
{
	pair_set seen = {NULL, 0, 0};
	yaml_node_t *x = node(a), *y = node(b);
	int eq = skip ? x && y && x->type == YAML_MAPPING_NODE && y->type == YAML_MAPPING_NODE &&
				 mapping_equal_except(a, b, skip, &seen)
		      : equal_in(a, b, &seen);
	free(seen.v);
	return eq;
}

/* ---- framing: the items of a ResourceList, or the documents of a stream ---- */

typedef struct {
	ref *v;
	size_t n;
	int list;
	ref root; /* the ResourceList */
} item_list;

static item_list items_of(loaded *l)
{
	item_list it = {NULL, 0, 0, {NULL, 0}};
	if (l->n_docs == 1) {
		ref root = {&l->docs[0], 1};
		const char *api = scalar(get(root, "apiVersion")),
			   *kind = scalar(get(root, "kind"));
		if (api && kind && !strcmp(kind, "ResourceList") &&
		    !strncmp(api, "config.kubernetes.io/", 21)) {
			it.list = 1;
			it.root = root;
			ref items = get(root, "items");
			it.n = seq_len(items);
			it.v = oracle_alloc(it.n * sizeof *it.v);
			for (size_t i = 0; i < it.n; i++)
				it.v[i] = seq_at(items, i);
			return it;
		}
	}
	it.n = l->n_docs;
	it.v = oracle_alloc(it.n * sizeof *it.v);
	for (size_t i = 0; i < it.n; i++)
		it.v[i] = (ref){&l->docs[i], 1};
	return it;
}

static int eq_str(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int names(ref item, const oracle_claim *c)
{
	ref md = get(item, "metadata");
	return eq_str(scalar(get(item, "kind")), c->kind) &&
	       eq_str(scalar(get(md, "name")), c->name) &&
	       (!c->namespace_ || eq_str(scalar(get(md, "namespace")), c->namespace_));
}

/* ---- claims ---- */

enum { CLAIM_NONE, CLAIM_LABEL, CLAIM_RULE, CLAIM_PORTS, CLAIM_CREATED };

static int claim_type(const oracle_claim *c)
{
	if (!strncmp(c->message, "labelled ", 9))
		return CLAIM_LABEL;
	if (!strncmp(c->message, "added an ingress rule admitting namespace ", 42))
		return CLAIM_RULE;
	if (!strncmp(c->message, "added ", 6) && strstr(c->message, " to the rule that admits "))
		return CLAIM_PORTS;
	if (!strncmp(c->message, "created, admitting namespace ", 29))
		return CLAIM_CREATED;
	return CLAIM_NONE;
}

/* "80/TCP, 9090/TCP" -> 2 */
static size_t count_ports(const char *s, const char *stop)
{
	size_t n = 1;
	for (const char *p = s; *p && (!stop || p < stop); p++)
		n += p[0] == ',' && p[1] == ' ';
	return n;
}

/* The rule index N of a field "spec.ingress[N]..." (-1 when none). */
static long field_rule(const char *field)
{
	if (!field || strncmp(field, "spec.ingress[", 13))
		return -1;
	char *end;
	long n = strtol(field + 13, &end, 10);
	return *end == ']' ? n : -1;
}

/* The namespace a "... namespace NS[ (pods ...)] on ..." message names, copied into buf. */
static const char *claimed_namespace(const char *msg, char *buf, size_t size)
{
	const char *p = strstr(msg, "namespace ");
	if (!p)
		return "";
	p += 10;
	size_t n = strcspn(p, " ");
	snprintf(buf, size, "%.*s", (int)n, p);
	return buf;
}

/* A rule whose `from` has a peer selecting namespace `ns` by some label, with `ports` entries. */
static int rule_admits(ref rule, const char *ns, size_t ports)
{
	ref from = get(rule, "from");
	int found = 0;
	for (size_t i = 0; i < seq_len(from) && !found; i++) {
		ref labels = get(get(seq_at(from, i), "namespaceSelector"), "matchLabels");
		yaml_node_t *m = node(labels);
		if (!m || m->type != YAML_MAPPING_NODE)
			continue;
		for (yaml_node_pair_t *p = m->data.mapping.pairs.start;
		     p < m->data.mapping.pairs.top; p++)
			found |= eq_str(scalar((ref){labels.doc, p->value}), ns);
	}
	return found && seq_len(get(rule, "ports")) == ports;
}

typedef struct {
	item_list in, out;
	const oracle_claims *claims;
	int complete;
	char *why;
	size_t why_size;
} checker;

static int fail(checker *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(checker *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(k->why, k->why_size, fmt, ap);
	va_end(ap);
	return -1;
}

/* The claim of `type` on item `out` (and rule `rule` when >= 0), or NULL. */
static const oracle_claim *find_claim(const checker *k, int type, ref out, long rule,
				      const char *label)
{
	for (size_t i = 0; i < k->claims->n; i++) {
		const oracle_claim *c = &k->claims->v[i];
		if (claim_type(c) != type || !names(out, c))
			continue;
		if (rule >= 0 && field_rule(c->field) != rule)
			continue;
		if (label && (strncmp(c->message + 9, label, strlen(label)) ||
			      c->message[9 + strlen(label)] != '='))
			continue;
		return c;
	}
	return NULL;
}

static const char *item_name(ref item)
{
	const char *n = scalar(get(get(item, "metadata"), "name"));
	return n ? n : "?";
}

/* A Namespace may only gain labels, each one claimed. */
static int check_namespace(checker *k, size_t i, ref in, ref out)
{
	ref md_in = get(in, "metadata"), md_out = get(out, "metadata");
	if (!equal_except(in, out, "metadata") || !equal_except(md_in, md_out, "labels") ||
	    key_count(in, "metadata") != key_count(out, "metadata") ||
	    key_count(md_out, "labels") > 1)
		return fail(k, "Namespace %s (item %zu) changed outside metadata.labels",
			    item_name(out), i);
	ref l_in = get(md_in, "labels"), l_out = get(md_out, "labels");
	yaml_node_t *a = node(l_in), *b = node(l_out);
	if (!b || b->type != YAML_MAPPING_NODE || (!is_null(l_in) && a->type != YAML_MAPPING_NODE))
		return fail(k, "Namespace %s: metadata.labels is not a mapping", item_name(out));
	size_t n_in = is_null(l_in)
			      ? 0
			      : (size_t)(a->data.mapping.pairs.top - a->data.mapping.pairs.start);
	size_t n_out = (size_t)(b->data.mapping.pairs.top - b->data.mapping.pairs.start);
	pair_set seen = {NULL, 0, 0};
	int kept = n_out >= n_in;
	for (size_t p = 0; p < n_in && kept; p++)
		kept = equal_in((ref){l_in.doc, a->data.mapping.pairs.start[p].key},
				(ref){l_out.doc, b->data.mapping.pairs.start[p].key}, &seen) &&
		       equal_in((ref){l_in.doc, a->data.mapping.pairs.start[p].value},
				(ref){l_out.doc, b->data.mapping.pairs.start[p].value}, &seen);
	free(seen.v);
	if (!kept)
		return fail(k, "Namespace %s: an existing label changed", item_name(out));
	for (size_t p = n_in; p < n_out && k->complete; p++) {
		const char *key = scalar((ref){l_out.doc, b->data.mapping.pairs.start[p].key});
		if (!key || !find_claim(k, CLAIM_LABEL, out, -1, key))
			return fail(k, "Namespace %s: label %s added, but no result says so",
				    item_name(out), key ? key : "?");
	}
	return 0;
}

/* A NetworkPolicy may only gain rules at the end of spec.ingress and ports at the end of a rule's
 * ports, each claimed. */
static int check_policy(checker *k, size_t i, ref in, ref out)
{
	ref spec_in = get(in, "spec"), spec_out = get(out, "spec");
	if (!equal_except(in, out, "spec") || !equal_except(spec_in, spec_out, "ingress") ||
	    key_count(in, "spec") != key_count(out, "spec") || key_count(spec_out, "ingress") > 1)
		return fail(k, "NetworkPolicy %s (item %zu) changed outside spec.ingress",
			    item_name(out), i);
	ref ing_in = get(spec_in, "ingress"), ing_out = get(spec_out, "ingress");
	size_t n_in = seq_len(ing_in), n_out = seq_len(ing_out);
	if (n_out < n_in || (!is_null(ing_in) && node(ing_in)->type != YAML_SEQUENCE_NODE))
		return fail(k, "NetworkPolicy %s: spec.ingress lost rules", item_name(out));
	for (size_t r = 0; r < n_in; r++) {
		ref rin = seq_at(ing_in, r), rout = seq_at(ing_out, r);
		if (equal_except(rin, rout, NULL))
			continue;
		ref p_in = get(rin, "ports"), p_out = get(rout, "ports");
		size_t a = seq_len(p_in), b = seq_len(p_out);
		int prefix = equal_except(rin, rout, "ports") && b > a;
		for (size_t p = 0; p < a && prefix; p++)
			prefix = equal_except(seq_at(p_in, p), seq_at(p_out, p), NULL);
		if (!prefix)
			return fail(k,
				    "NetworkPolicy %s: spec.ingress[%zu] changed other than by "
				    "added ports",
				    item_name(out), r);
		const oracle_claim *c = find_claim(k, CLAIM_PORTS, out, (long)r, NULL);
		if (k->complete && !c)
			return fail(k,
				    "NetworkPolicy %s: spec.ingress[%zu] gained ports, but no "
				    "result says so",
				    item_name(out), r);
		if (c && count_ports(c->message + 6, strstr(c->message, " to the rule")) != b - a)
			return fail(k,
				    "NetworkPolicy %s: spec.ingress[%zu] gained %zu ports, not as "
				    "its result says",
				    item_name(out), r, b - a);
	}
	for (size_t r = n_in; r < n_out && k->complete; r++)
		if (!find_claim(k, CLAIM_RULE, out, (long)r, NULL))
			return fail(
				k,
				"NetworkPolicy %s: spec.ingress[%zu] added, but no result says so",
				item_name(out), r);
	return 0;
}

/* Every claim holds in the object it names. */
static int check_claim(checker *k, const oracle_claim *c)
{
	char ns[256];
	int type = claim_type(c);
	if (type == CLAIM_NONE)
		return 0;
	for (size_t i = 0; i < k->out.n; i++) {
		ref out = k->out.v[i], in = i < k->in.n ? k->in.v[i] : (ref){NULL, 0};
		if (!names(out, c) || (type == CLAIM_CREATED) != !in.id)
			continue;
		if (type == CLAIM_LABEL) {
			const char *kv = c->message + 9, *eqs = strchr(kv, '=');
			if (!eqs)
				break;
			char key[256];
			snprintf(key, sizeof key, "%.*s", (int)(eqs - kv), kv);
			ref have = get(get(get(out, "metadata"), "labels"), key);
			ref had = get(get(get(in, "metadata"), "labels"), key);
			if (eq_str(scalar(have), eqs + 1) && !had.id)
				return 0;
		} else if (type == CLAIM_RULE) {
			long r = field_rule(c->field);
			ref ing_out = get(get(out, "spec"), "ingress");
			const char *on = strstr(c->message, " on ");
			if (r >= 0 && (size_t)r < seq_len(ing_out) &&
			    (size_t)r >= seq_len(get(get(in, "spec"), "ingress")) && on &&
			    rule_admits(seq_at(ing_out, (size_t)r),
					claimed_namespace(c->message, ns, sizeof ns),
					count_ports(on + 4, NULL)))
				return 0;
		} else if (type == CLAIM_PORTS) {
			long r = field_rule(c->field);
			ref ing_in = get(get(in, "spec"), "ingress");
			ref ing_out = get(get(out, "spec"), "ingress");
			if (r >= 0 && (size_t)r < seq_len(ing_in) && (size_t)r < seq_len(ing_out) &&
			    seq_len(get(seq_at(ing_out, (size_t)r), "ports")) >
				    seq_len(get(seq_at(ing_in, (size_t)r), "ports")))
				return 0;
		} else {
			ref ing = get(get(out, "spec"), "ingress");
			const char *on = strstr(c->message, " on "),
				   *in_path = strstr(c->message, " in ");
			if (seq_len(ing) == 1 && on &&
			    rule_admits(seq_at(ing, 0),
					claimed_namespace(c->message, ns, sizeof ns),
					count_ports(on + 4, in_path)))
				return 0;
		}
	}
	return fail(k, "a result says \"%s\" about %s %s%s%s, but the output does not hold it",
		    c->message, c->kind ? c->kind : "?", c->namespace_ ? c->namespace_ : "",
		    c->namespace_ ? "/" : "", c->name ? c->name : "?");
}

static int list_key_varies(const char *key)
{
	return key && (!strcmp(key, "items") || !strcmp(key, "results"));
}

static int check_items(checker *k)
{
	if (k->in.list != k->out.list)
		return fail(
			k,
			"the output is framed otherwise than the input (ResourceList or stream)");
	if (k->in.list) {
		/* Outside results only items may differ (checked below): the other keys pair up in
		 * order, duplicates included. */
		yaml_node_t *x = node(k->in.root), *y = node(k->out.root);
		yaml_node_pair_t *p = x->data.mapping.pairs.start, *q = y->data.mapping.pairs.start;
		for (;; p++, q++) {
			while (p < x->data.mapping.pairs.top &&
			       list_key_varies(scalar((ref){k->in.root.doc, p->key})))
				p++;
			while (q < y->data.mapping.pairs.top &&
			       list_key_varies(scalar((ref){k->out.root.doc, q->key})))
				q++;
			int end_p = p == x->data.mapping.pairs.top,
			    end_q = q == y->data.mapping.pairs.top;
			if (end_p && end_q)
				break;
			if (end_p || end_q ||
			    !equal_except((ref){k->in.root.doc, p->key},
					  (ref){k->out.root.doc, q->key}, NULL) ||
			    !equal_except((ref){k->in.root.doc, p->value},
					  (ref){k->out.root.doc, q->value}, NULL))
				return fail(
					k,
					"the ResourceList changed outside its items and results");
		}
	}
	if (k->out.n < k->in.n)
		return fail(k, "the output has %zu items, the input %zu", k->out.n, k->in.n);
	for (size_t i = 0; i < k->in.n; i++) {
		ref in = k->in.v[i], out = k->out.v[i];
		if (equal_except(in, out, NULL))
			continue;
		const char *kind = scalar(get(out, "kind"));
		int rc = eq_str(kind, "Namespace")	 ? check_namespace(k, i, in, out)
			 : eq_str(kind, "NetworkPolicy") ? check_policy(k, i, in, out)
							 : fail(k, "item %zu (%s %s) changed", i,
								kind ? kind : "?", item_name(out));
		if (rc)
			return rc;
	}
	for (size_t i = k->in.n; i < k->out.n; i++) {
		ref out = k->out.v[i];
		if (!eq_str(scalar(get(out, "kind")), "NetworkPolicy"))
			return fail(k, "new item %zu is not a NetworkPolicy", i);
		if (k->complete && !find_claim(k, CLAIM_CREATED, out, -1, NULL))
			return fail(k, "new NetworkPolicy %s, but no result says it was created",
				    item_name(out));
	}
	for (size_t i = 0; i < k->claims->n; i++)
		if (check_claim(k, &k->claims->v[i]))
			return -1;
	return 0;
}

int oracle_check(const char *in, size_t in_len, const char *out, size_t out_len,
		 const oracle_claims *claims, int complete, char *why, size_t why_size)
{
	loaded a = load_all(in, in_len), b = load_all(out, out_len);
	checker k = {items_of(&a), items_of(&b), claims, complete, why, why_size};
	/* The function passes an undefined alias through; libyaml's loader refuses it. */
	int rc = !a.ok	 ? (snprintf(why, why_size, "the input does not load: not judged"), 1)
		 : !b.ok ? fail(&k, "the output does not load")
			 : check_items(&k);
	free(k.in.v);
	free(k.out.v);
	unload(&a);
	unload(&b);
	return rc;
}

/* ---- claims from the CLI's texts ---- */

int oracle_claims_from_list(oracle_claims *c, const char *out, size_t out_len)
{
	loaded l = load_all(out, out_len);
	item_list it = items_of(&l);
	if (it.list) {
		ref results = get(it.root, "results");
		for (size_t i = 0; i < seq_len(results); i++) {
			ref r = seq_at(results, i), ref_ = get(r, "resourceRef");
			if (!eq_str(scalar(get(r, "severity")), "info"))
				continue;
			oracle_claims_add(c, scalar(get(ref_, "kind")), scalar(get(ref_, "name")),
					  scalar(get(ref_, "namespace")), scalar(get(r, "message")),
					  scalar(get(get(r, "field"), "path")));
		}
	}
	free(it.v);
	unload(&l);
	return it.list;
}

void oracle_claims_from_stderr(oracle_claims *c, const char *err, size_t err_len)
{
	const char *p = err, *end = err + err_len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *line = own_copy(c, p, n);
		p += n + 1;
		char *s = strstr(line, ": info: ");
		if (!s)
			continue;
		s += 8;
		/* "KIND [NS/]NAME: MESSAGE[ (FIELD)][ [file PATH]]" */
		char *sp = strchr(s, ' '), *colon = sp ? strstr(sp, ": ") : NULL;
		if (!sp || !colon)
			continue;
		*sp = *colon = '\0';
		char *ref_ = sp + 1, *msg = colon + 2, *slash = strchr(ref_, '/');
		char *ns = NULL, *name = ref_;
		if (slash) {
			*slash = '\0';
			ns = ref_;
			name = slash + 1;
		}
		char *file = strstr(msg, " [file ");
		if (file && file[strlen(file) - 1] == ']')
			*file = '\0';
		char *field = NULL;
		size_t ml = strlen(msg);
		char *open = ml ? strrchr(msg, '(') : NULL;
		if (open && open > msg && open[-1] == ' ' && msg[ml - 1] == ')' &&
		    (!strncmp(open + 1, "spec.", 5) || !strncmp(open + 1, "metadata.", 9))) {
			open[-1] = '\0';
			msg[ml - 1] = '\0';
			field = open + 1;
		}
		oracle_claims_add(c, s, name, ns, msg, field);
	}
}
