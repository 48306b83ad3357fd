#include "netpol.h"

#include "text.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METADATA_NAME_LABEL "kubernetes.io/metadata.name"

void netpol_namespace_labels(const ani_config *c, const char *ns, const yt_node *ns_labels,
			     ani_labels *out)
{
	memset(out, 0, sizeof *out);
	labels_add(out, c->namespace_label, ns);
	labels_add(out, METADATA_NAME_LABEL, ns);
	if (ns_labels && ns_labels->kind == YT_MAPPING)
		for (size_t i = 0; i + 1 < ns_labels->n; i += 2)
			if (ns_labels->kids[i]->kind == YT_SCALAR &&
			    yt_is_string(ns_labels->kids[i + 1]))
				labels_add(out, ns_labels->kids[i]->value,
					   ns_labels->kids[i + 1]->value);
}

int netpol_isolates_ingress(const yt_node *policy_types)
{
	/* Without policyTypes, Kubernetes always includes Ingress. */
	if (yt_is_null(policy_types))
		return 1;
	if (policy_types->kind != YT_SEQUENCE)
		return 0;
	for (size_t i = 0; i < policy_types->n; i++)
		if (policy_types->kids[i]->kind == YT_SCALAR &&
		    !strcmp(policy_types->kids[i]->value, "Ingress"))
			return 1;
	return 0;
}

static int values_contain(const yt_node *values, const char *v)
{
	if (!values || values->kind != YT_SEQUENCE)
		return 0;
	for (size_t i = 0; i < values->n; i++)
		if (yt_scalar(values->kids[i]) && !strcmp(values->kids[i]->value, v))
			return 1;
	return 0;
}

/* A requirement holds for every object known to carry `labels` (and maybe others): keys we do
 * not know count as unknown, so only In, NotIn and Exists on known keys can hold. */
static int requirement_holds(const char *key, const char *op, const yt_node *values,
			     const ani_labels *labels)
{
	const char *have = labels_get(labels, key);
	if (!have)
		return 0;
	if (!strcmp(op, "In"))
		return values_contain(values, have);
	if (!strcmp(op, "NotIn"))
		return values && values->kind == YT_SEQUENCE && !values_contain(values, have);
	return !strcmp(op, "Exists");
}

int netpol_selector_implied(const yt_node *selector, const ani_labels *labels)
{
	if (yt_is_null(selector))
		return 1;
	if (selector->kind != YT_MAPPING)
		return 0;
	for (size_t i = 0; i + 1 < selector->n; i += 2) {
		const char *k = yt_scalar(selector->kids[i]);
		const yt_node *v = selector->kids[i + 1];
		if (!k)
			return 0;
		if (!strcmp(k, "matchLabels")) {
			if (yt_is_null(v))
				continue;
			if (v->kind != YT_MAPPING)
				return 0;
			for (size_t j = 0; j + 1 < v->n; j += 2) {
				const char *lk = yt_scalar(v->kids[j]),
					   *lv = yt_scalar(v->kids[j + 1]);
				const char *have = lk ? labels_get(labels, lk) : NULL;
				if (!lv || !have || strcmp(have, lv))
					return 0;
			}
		} else if (!strcmp(k, "matchExpressions")) {
			if (yt_is_null(v))
				continue;
			if (v->kind != YT_SEQUENCE)
				return 0;
			for (size_t j = 0; j < v->n; j++) {
				const char *key = yt_scalar(yt_get(v->kids[j], "key"));
				const char *op = yt_scalar(yt_get(v->kids[j], "operator"));
				if (!key || !op ||
				    !requirement_holds(key, op, yt_get(v->kids[j], "values"),
						       labels))
					return 0;
			}
		} else {
			return 0;
		}
	}
	return 1;
}

/* 1 when the selector's requirements are exactly "key In [value]" for each of `want`, written
 * as matchLabels, as single-value In expressions, or both. */
static int selector_is_exactly(const yt_node *selector, const ani_labels *want)
{
	if (yt_is_null(selector))
		return want->n == 0;
	if (selector->kind != YT_MAPPING)
		return 0;
	int *seen = xcalloc(want->n ? want->n : 1, sizeof *seen);
	int ok = 1;
	for (size_t i = 0; ok && i + 1 < selector->n; i += 2) {
		const char *k = yt_scalar(selector->kids[i]);
		const yt_node *v = selector->kids[i + 1];
		if (k && !strcmp(k, "matchLabels") && v->kind == YT_MAPPING) {
			for (size_t j = 0; ok && j + 1 < v->n; j += 2) {
				const char *lk = yt_scalar(v->kids[j]),
					   *lv = yt_scalar(v->kids[j + 1]);
				const char *w = lk ? labels_get(want, lk) : NULL;
				ok = lv && w && !strcmp(w, lv);
				for (size_t x = 0; ok && x < want->n; x++)
					seen[x] |= !strcmp(want->v[x].key, lk);
			}
		} else if (k && !strcmp(k, "matchExpressions") && v->kind == YT_SEQUENCE) {
			for (size_t j = 0; ok && j < v->n; j++) {
				const char *key = yt_scalar(yt_get(v->kids[j], "key"));
				const char *op = yt_scalar(yt_get(v->kids[j], "operator"));
				const yt_node *vals = yt_get(v->kids[j], "values");
				const char *w = key ? labels_get(want, key) : NULL;
				ok = w && op && !strcmp(op, "In") && vals &&
				     vals->kind == YT_SEQUENCE && vals->n > 0;
				for (size_t x = 0; ok && x < vals->n; x++)
					ok = yt_scalar(vals->kids[x]) &&
					     !strcmp(vals->kids[x]->value, w);
				for (size_t x = 0; ok && x < want->n; x++)
					seen[x] |= !strcmp(want->v[x].key, key);
			}
		} else if (!(k && yt_is_null(v) &&
			     (!strcmp(k, "matchLabels") || !strcmp(k, "matchExpressions")))) {
			ok = 0;
		}
	}
	for (size_t x = 0; ok && x < want->n; x++)
		ok = seen[x];
	free(seen);
	return ok;
}

/* A plain decimal port, or 0. */
static long port_number(const yt_node *n)
{
	if (!n || n->kind != YT_SCALAR || n->style != YAML_PLAIN_SCALAR_STYLE || !n->len ||
	    n->len > 5)
		return 0;
	for (size_t i = 0; i < n->len; i++)
		if (!isdigit((unsigned char)n->value[i]))
			return 0;
	return strtol(n->value, NULL, 10);
}

int netpol_ports_admit(const yt_node *ports, const ani_port *want)
{
	if (yt_is_null(ports) || (ports->kind == YT_SEQUENCE && ports->n == 0))
		return 1;
	if (ports->kind != YT_SEQUENCE)
		return 0;
	for (size_t i = 0; i < ports->n; i++) {
		const yt_node *p = ports->kids[i];
		if (p->kind != YT_MAPPING)
			continue;
		const char *proto = yt_scalar(yt_get(p, "protocol"));
		if (strcmp(proto ? proto : "TCP", want->protocol))
			continue;
		const yt_node *port = yt_get(p, "port");
		if (yt_is_null(port))
			return 1;
		long n = port_number(port);
		if (n) {
			long e = port_number(yt_get(p, "endPort"));
			if (e < n)
				e = n;
			long wlo = want->port, whi = want->end_port ? want->end_port : want->port;
			if (!want->name && n <= wlo && whi <= e)
				return 1;
		} else if (want->name && yt_scalar(port) && !strcmp(port->value, want->name)) {
			return 1;
		}
	}
	return 0;
}

static int peer_admits(const yt_node *peer, const char *policy_ns, const ani_source *s,
		       const ani_labels *ns_labels)
{
	if (peer->kind != YT_MAPPING || yt_get(peer, "ipBlock"))
		return 0;
	const yt_node *nsel = yt_get(peer, "namespaceSelector"),
		      *psel = yt_get(peer, "podSelector");
	int has_nsel = !yt_is_null(nsel), has_psel = !yt_is_null(psel);
	if (!has_nsel && !has_psel)
		return 0;
	if (has_nsel) {
		if (!netpol_selector_implied(nsel, ns_labels))
			return 0;
	} else if (strcmp(policy_ns, s->namespace_)) {
		return 0; /* a podSelector alone selects pods of the policy's own namespace */
	}
	return netpol_selector_implied(psel, &s->pods);
}

static int peer_is_exactly(const yt_node *peer, const ani_config *c, const ani_source *s)
{
	if (peer->kind != YT_MAPPING)
		return 0;
	for (size_t i = 0; i + 1 < peer->n; i += 2) {
		const char *k = yt_scalar(peer->kids[i]);
		if (!k || (strcmp(k, "namespaceSelector") && strcmp(k, "podSelector")))
			return 0;
	}
	const yt_node *nsel = yt_get(peer, "namespaceSelector");
	ani_label by_config = {c->namespace_label, s->namespace_};
	ani_label by_name = {METADATA_NAME_LABEL, s->namespace_};
	ani_labels want_config = {&by_config, 1}, want_name = {&by_name, 1};
	if (!selector_is_exactly(nsel, &want_config) && !selector_is_exactly(nsel, &want_name))
		return 0;
	return selector_is_exactly(yt_get(peer, "podSelector"), &s->pods);
}

static int shape_fail(ani_failure *f, const yt_node *at, const char *what)
{
	snprintf(f->message, sizeof f->message, "%s", what);
	f->line = at->line;
	f->col = at->col + 1;
	return -1;
}

/* The first duplicate key or merge key (<<) in a subtree, or NULL: the decision would read the
 * first of two keys (Kubernetes another one) or miss what a merge key brings in. */
static const yt_node *ambiguous_key(const yt_node *n)
{
	if (n->kind == YT_MAPPING) {
		const yt_node *dup = yt_duplicate_key(n);
		long merge = yt_key_slot(n, "<<");
		if (dup || merge >= 0)
			return dup ? dup : n->kids[merge];
	}
	for (size_t i = 0; n->kind != YT_SCALAR && i < n->n; i++) {
		const yt_node *k = ambiguous_key(n->kids[i]);
		if (k)
			return k;
	}
	return NULL;
}

static int ambiguous_fail(ani_failure *f, const yt_node *key, const char *where)
{
	char msg[400];
	if (!strcmp(key->value, "<<"))
		snprintf(msg, sizeof msg, "%s uses a merge key (<<): aliases are not expanded",
			 where);
	else
		snprintf(msg, sizeof msg, "%s has the key \"%.200s\" twice", where, key->value);
	return shape_fail(f, key, msg);
}

/* Refuses what the decision cannot read with certainty. */
static int check_rule_shape(const yt_node *rule, size_t i, ani_failure *f)
{
	char msg[160];
	if (rule->kind != YT_MAPPING) {
		snprintf(msg, sizeof msg, "spec.ingress[%zu] is not a mapping but %s", i,
			 rule->kind == YT_ALIAS	     ? "an alias"
			 : rule->kind == YT_SEQUENCE ? "a list"
						     : "a scalar");
		return shape_fail(f, rule, msg);
	}
	const yt_node *key = ambiguous_key(rule);
	if (key) {
		snprintf(msg, sizeof msg, "spec.ingress[%zu]", i);
		return ambiguous_fail(f, key, msg);
	}
	const yt_node *from = yt_get(rule, "from"), *ports = yt_get(rule, "ports");
	if (from && !yt_is_null(from) && from->kind != YT_SEQUENCE) {
		snprintf(msg, sizeof msg, "spec.ingress[%zu].from is not a list", i);
		return shape_fail(f, from, msg);
	}
	if (ports && !yt_is_null(ports) && ports->kind != YT_SEQUENCE) {
		snprintf(msg, sizeof msg, "spec.ingress[%zu].ports is not a list", i);
		return shape_fail(f, ports, msg);
	}
	for (size_t j = 0; from && from->kind == YT_SEQUENCE && j < from->n; j++)
		if (from->kids[j]->kind != YT_MAPPING) {
			snprintf(msg, sizeof msg, "spec.ingress[%zu].from[%zu] is not a mapping", i,
				 j);
			return shape_fail(f, from->kids[j], msg);
		}
	for (size_t j = 0; ports && ports->kind == YT_SEQUENCE && j < ports->n; j++)
		if (ports->kids[j]->kind != YT_MAPPING) {
			snprintf(msg, sizeof msg, "spec.ingress[%zu].ports[%zu] is not a mapping",
				 i, j);
			return shape_fail(f, ports->kids[j], msg);
		}
	return 0;
}

int netpol_decide(const yt_node *spec, const char *policy_namespace, const ani_config *c,
		  size_t src, const ani_labels *ns_labels, np_decision *d, ani_failure *f)
{
	const ani_source *s = &c->from[src];
	memset(d, 0, sizeof *d);
	if (!spec || spec->kind != YT_MAPPING)
		return shape_fail(f, spec ? spec : &(yt_node){0}, "spec is not a mapping");
	const yt_node *dup = yt_duplicate_key(spec);
	long merge = yt_key_slot(spec, "<<");
	if (dup || merge >= 0)
		return ambiguous_fail(f, dup ? dup : spec->kids[merge], "spec");
	const yt_node *ingress = yt_get(spec, "ingress");
	if (ingress && ingress->kind == YT_ALIAS)
		return shape_fail(f, ingress,
				  "spec.ingress is an alias (*): aliases are not expanded");
	if (ingress && !yt_is_null(ingress) && ingress->kind != YT_SEQUENCE)
		return shape_fail(f, ingress, "spec.ingress is not a list");
	size_t n_rules = ingress && ingress->kind == YT_SEQUENCE ? ingress->n : 0;
	for (size_t i = 0; i < n_rules; i++)
		if (check_rule_shape(ingress->kids[i], i, f))
			return -1;

	d->n_missing = c->n_ports;
	d->missing = xcalloc(c->n_ports, sizeof *d->missing);
	size_t still_missing = c->n_ports;
	for (size_t p = 0; p < c->n_ports; p++)
		d->missing[p] = 1;
	for (size_t i = 0; i < n_rules && still_missing; i++) {
		const yt_node *rule = ingress->kids[i], *from = yt_get(rule, "from");
		int admits = yt_is_null(from) || from->n == 0;
		for (size_t j = 0; !admits && j < from->n; j++)
			admits = peer_admits(from->kids[j], policy_namespace, s, ns_labels);
		if (!admits)
			continue;
		for (size_t p = 0; p < c->n_ports; p++)
			if (d->missing[p] &&
			    netpol_ports_admit(yt_get(rule, "ports"), &c->ports[p])) {
				d->missing[p] = 0;
				still_missing--;
				d->rule = i;
			}
	}
	if (!still_missing) {
		d->action = NP_ADMITTED;
		return 0;
	}
	for (size_t i = 0; i < n_rules; i++) {
		const yt_node *rule = ingress->kids[i], *from = yt_get(rule, "from"),
			      *ports = yt_get(rule, "ports");
		if (from && from->kind == YT_SEQUENCE && from->n == 1 &&
		    peer_is_exactly(from->kids[0], c, s) && ports && ports->kind == YT_SEQUENCE &&
		    ports->n > 0) {
			d->action = NP_ADD_PORTS;
			d->rule = i;
			return 0;
		}
	}
	d->action = NP_NEW_RULE;
	return 0;
}

void netpol_decision_free(np_decision *d)
{
	free(d->missing);
	memset(d, 0, sizeof *d);
}

/* 1 when every port rule entry `q` admits is one the config asks for. */
static int port_entry_configured(const yt_node *q, const ani_config *c)
{
	const char *proto = yt_scalar(yt_get(q, "protocol"));
	const yt_node *port = yt_get(q, "port");
	long n = port_number(port), e = port_number(yt_get(q, "endPort"));
	if (e < n)
		e = n;
	for (size_t i = 0; i < c->n_ports; i++) {
		const ani_port *p = &c->ports[i];
		if (strcmp(proto ? proto : "TCP", p->protocol) || yt_is_null(port))
			continue;
		if (n && !p->name && p->port <= n && e <= (p->end_port ? p->end_port : p->port))
			return 1;
		if (!n && p->name && yt_scalar(port) && !strcmp(port->value, p->name))
			return 1;
	}
	return 0;
}

char *netpol_overbroad(const yt_node *rule, const char *policy_namespace, const ani_config *c,
		       size_t src, const ani_labels *ns_labels)
{
	const ani_source *s = &c->from[src];
	const yt_node *from = yt_get(rule, "from"), *ports = yt_get(rule, "ports");
	tbuf why = {0};
	if (yt_is_null(from) || from->kind != YT_SEQUENCE || from->n == 0) {
		tb_puts(&why, "it admits every source");
	} else {
		int admits = 0, exact = 0;
		for (size_t j = 0; j < from->n; j++) {
			if (!peer_admits(from->kids[j], policy_namespace, s, ns_labels))
				continue;
			admits = 1;
			exact |= peer_is_exactly(from->kids[j], c, s);
		}
		if (!admits)
			return NULL;
		if (!exact)
			tb_printf(&why, "its peer selects more than %s%s",
				  s->has_pods ? "these pods of " : "namespace ", s->namespace_);
	}
	if (yt_is_null(ports) || ports->kind != YT_SEQUENCE || ports->n == 0) {
		tb_printf(&why, "%son every port", why.len ? ", " : "");
	} else {
		for (size_t i = 0; i < ports->n; i++) {
			const yt_node *q = ports->kids[i];
			if (port_entry_configured(q, c))
				continue;
			const yt_node *port = yt_get(q, "port");
			const char *proto = yt_scalar(yt_get(q, "protocol"));
			tb_printf(&why, "%son %s/%s", why.len ? ", " : "",
				  yt_scalar(port) ? port->value : "every port",
				  proto ? proto : "TCP");
		}
	}
	if (!why.len)
		return NULL;
	return tb_take(&why);
}
