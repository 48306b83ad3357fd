/* SPDX-License-Identifier: Apache-2.0 */
/* The two config forms, typed AllowNamespaceIngress and flat ConfigMap, become one validated
 * ani_config. Every error names the field and, when it came from YAML, its line and column. */
#include "model.h"
#include "text.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TYPED_API_VERSION "fn.octopilot.io/v1alpha1"
#define TYPED_KIND	  "AllowNamespaceIngress"

static int cfail(ani_failure *f, const yt_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int cfail(ani_failure *f, const yt_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof f->message, fmt, ap);
	va_end(ap);
	f->line = at ? at->line : 0;
	f->col = at ? at->col + 1 : 0;
	return -1;
}

static int is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static int is_lower_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int valid_dns_label(const char *s, size_t n)
{
	if (n < 1 || n > 63 || !is_lower_alnum((unsigned char)s[0]) ||
	    !is_lower_alnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static int valid_dns_subdomain(const char *s, size_t n)
{
	if (n < 1 || n > 253)
		return 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (!valid_dns_label(s + start, i - start))
				return 0;
			start = i + 1;
		}
	}
	return 1;
}

/* Label values, and the name part of keys (which may not be empty). */
static int valid_label_name(const char *s, size_t n, int allow_empty)
{
	if (n == 0)
		return allow_empty;
	if (n > 63 || !is_alnum((unsigned char)s[0]) || !is_alnum((unsigned char)s[n - 1]))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!is_alnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
			return 0;
	return 1;
}

static int valid_label_key(const char *s)
{
	const char *slash = strchr(s, '/');
	if (!slash)
		return valid_label_name(s, strlen(s), 0);
	return valid_dns_subdomain(s, (size_t)(slash - s)) &&
	       valid_label_name(slash + 1, strlen(slash + 1), 0);
}

static int valid_port_name(const char *s)
{
	size_t n = strlen(s);
	int letters = 0;
	if (n < 1 || n > 15 || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_lower_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
		letters += s[i] >= 'a' && s[i] <= 'z';
	}
	return letters > 0;
}

/* A decimal 1..65535 with nothing else; 0 when not one. */
static long parse_port_number(const char *s)
{
	if (!*s || strlen(s) > 5)
		return 0;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	long v = strtol(s, NULL, 10);
	return v >= 1 && v <= 65535 && s[0] != '0' ? v : 0;
}

static int valid_protocol(const char *s)
{
	return !strcmp(s, "TCP") || !strcmp(s, "UDP") || !strcmp(s, "SCTP");
}

static void free_labels(ani_labels *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].key);
		free(l->v[i].value);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int compare_labels(const void *a, const void *b)
{
	return strcmp(((const ani_label *)a)->key, ((const ani_label *)b)->key);
}

/* Adds a label after checking its syntax; keeps the set sorted. */
static int add_label(ani_labels *l, const char *key, const char *value, const char *field,
		     const yt_node *at, ani_failure *f)
{
	if (!valid_label_key(key))
		return cfail(f, at, "%s: \"%s\" is not a valid label key", field, key);
	if (!valid_label_name(value, strlen(value), 1))
		return cfail(f, at, "%s: \"%s\" is not a valid label value", field, value);
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].key, key))
			return cfail(f, at, "%s: label key \"%s\" is given twice", field, key);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n].key = xstrdup(key);
	l->v[l->n].value = xstrdup(value);
	l->n++;
	qsort(l->v, l->n, sizeof *l->v, compare_labels);
	return 0;
}

static void free_sources(ani_config *c)
{
	for (size_t i = 0; i < c->n_from; i++) {
		free(c->from[i].namespace_);
		free_labels(&c->from[i].pods);
	}
	free(c->from);
	c->from = NULL;
	c->n_from = 0;
}

static void free_ports(ani_config *c)
{
	for (size_t i = 0; i < c->n_ports; i++)
		free(c->ports[i].name);
	free(c->ports);
	c->ports = NULL;
	c->n_ports = 0;
}

static void set_string(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

static ani_source *add_source(ani_config *c, const char *ns)
{
	c->from = xrealloc(c->from, (c->n_from + 1) * sizeof *c->from);
	ani_source *s = &c->from[c->n_from++];
	memset(s, 0, sizeof *s);
	s->namespace_ = xstrdup(ns);
	return s;
}

static int add_port(ani_config *c, const ani_port *p, const char *field, const yt_node *at,
		    ani_failure *f)
{
	for (size_t i = 0; i < c->n_ports; i++) {
		const ani_port *q = &c->ports[i];
		if (!strcmp(q->protocol, p->protocol) && q->port == p->port &&
		    q->end_port == p->end_port &&
		    !strcmp(q->name ? q->name : "", p->name ? p->name : ""))
			return cfail(f, at, "%s: the same port is listed twice", field);
	}
	c->ports = xrealloc(c->ports, (c->n_ports + 1) * sizeof *c->ports);
	c->ports[c->n_ports] = *p;
	c->ports[c->n_ports].name = p->name ? xstrdup(p->name) : NULL;
	c->n_ports++;
	return 0;
}

void config_defaults(ani_config *c)
{
	memset(c, 0, sizeof *c);
	c->policy_name = xstrdup("allow-egress");
	c->policy_namespace = xstrdup("flux-system");
	add_source(c, "octopilot-system");
	c->namespace_label = xstrdup("name");
	c->ports = xcalloc(2, sizeof *c->ports);
	c->n_ports = 2;
	strcpy(c->ports[0].protocol, "TCP");
	c->ports[0].port = 80;
	strcpy(c->ports[1].protocol, "TCP");
	c->ports[1].port = 9090;
	c->label_namespace = 1;
	add_label(&c->separate_pods, "app", "source-controller", "", NULL, NULL);
}

void config_free(ani_config *c)
{
	free(c->policy_name);
	free(c->policy_namespace);
	free_sources(c);
	free(c->namespace_label);
	free_ports(c);
	free(c->separate_name);
	free_labels(&c->separate_pods);
	memset(c, 0, sizeof *c);
}

/* ---- shared field rules ---- */

static int set_policy_name(ani_config *c, const char *v, const char *field, const yt_node *at,
			   ani_failure *f)
{
	if (!valid_dns_subdomain(v, strlen(v)))
		return cfail(f, at, "%s: \"%s\" is not a valid NetworkPolicy name", field, v);
	set_string(&c->policy_name, v);
	return 0;
}

static int set_policy_namespace(ani_config *c, const char *v, const char *field, const yt_node *at,
				ani_failure *f)
{
	if (!valid_dns_label(v, strlen(v)))
		return cfail(f, at, "%s: \"%s\" is not a valid namespace name", field, v);
	set_string(&c->policy_namespace, v);
	return 0;
}

static int set_namespace_label(ani_config *c, const char *v, const char *field, const yt_node *at,
			       ani_failure *f)
{
	if (!valid_label_key(v))
		return cfail(f, at, "%s: \"%s\" is not a valid label key", field, v);
	set_string(&c->namespace_label, v);
	return 0;
}

static int add_source_checked(ani_config *c, const char *ns, const char *field, const yt_node *at,
			      ani_failure *f)
{
	if (!*ns)
		return cfail(f, at, "%s: the namespace is empty", field);
	if (!valid_dns_label(ns, strlen(ns)))
		return cfail(f, at, "%s: \"%s\" is not a valid namespace name", field, ns);
	for (size_t i = 0; i < c->n_from; i++)
		if (!strcmp(c->from[i].namespace_, ns))
			return cfail(f, at, "%s: namespace \"%s\" is listed twice", field, ns);
	add_source(c, ns);
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	if (!strcmp(v, "true"))
		*out = 1;
	else if (!strcmp(v, "false"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int set_on_missing(ani_config *c, const char *v, const char *field, const yt_node *at,
			  ani_failure *f)
{
	if (!strcmp(v, "warn"))
		c->on_missing_error = 0;
	else if (!strcmp(v, "error"))
		c->on_missing_error = 1;
	else
		return cfail(f, at, "%s: \"%s\" is not warn or error", field, v);
	return 0;
}

static int set_mode(ani_config *c, const char *v, const char *field, const yt_node *at,
		    ani_failure *f)
{
	if (!strcmp(v, "merge"))
		c->mode = ANI_MODE_MERGE;
	else if (!strcmp(v, "check"))
		c->check = 1;
	else if (!strcmp(v, "separate"))
		c->mode = ANI_MODE_SEPARATE;
	else
		return cfail(f, at, "%s: \"%s\" is not merge, check or separate", field, v);
	return 0;
}

/* "80", "9090/TCP", "8000-8080/UDP", "http", "http/TCP"; a port name points into `buf`, which
 * the caller keeps. */
static int parse_port_spec(const char *spec, ani_port *p, char buf[64], const char *field,
			   const yt_node *at, ani_failure *f)
{
	memset(p, 0, sizeof *p);
	if (strlen(spec) >= 64)
		return cfail(f, at, "%s: \"%s\" is not a port", field, spec);
	strcpy(buf, spec);
	strcpy(p->protocol, "TCP");
	char *slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (!valid_protocol(slash + 1))
			return cfail(f, at, "%s: protocol \"%s\" is not TCP, UDP or SCTP", field,
				     slash + 1);
		strcpy(p->protocol, slash + 1);
	}
	char *dash = strchr(buf, '-');
	if (dash && isdigit((unsigned char)buf[0])) {
		*dash = '\0';
		p->port = parse_port_number(buf);
		p->end_port = parse_port_number(dash + 1);
		if (!p->port || !p->end_port || p->end_port < p->port)
			return cfail(f, at, "%s: \"%s\" is not a port range (low-high, 1-65535)",
				     field, spec);
		if (p->end_port == p->port)
			p->end_port = 0;
		return 0;
	}
	if (isdigit((unsigned char)buf[0])) {
		p->port = parse_port_number(buf);
		if (!p->port)
			return cfail(f, at, "%s: \"%s\" is not a port number (1-65535)", field,
				     buf);
		return 0;
	}
	if (!valid_port_name(buf))
		return cfail(f, at, "%s: \"%s\" is not a port number or a valid port name", field,
			     buf);
	p->name = buf;
	return 0;
}

/* ---- ConfigMap form ---- */

static int split_list(const char *v,
		      int (*each)(ani_config *, const char *, const char *, const yt_node *,
				  ani_failure *),
		      ani_config *c, const char *field, const yt_node *at, ani_failure *f)
{
	char *copy = xstrdup(v);
	int rc = 0;
	char *save = NULL;
	if (!*copy || copy[strlen(copy) - 1] == ',' || copy[0] == ',' || strstr(copy, ",,"))
		rc = cfail(f, at, "%s: \"%s\" has an empty entry", field, v);
	for (char *tok = strtok_r(copy, ",", &save); !rc && tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		size_t n = strlen(tok);
		while (n && tok[n - 1] == ' ')
			tok[--n] = '\0';
		rc = each(c, tok, field, at, f);
	}
	free(copy);
	return rc;
}

static int add_port_spec(ani_config *c, const char *spec, const char *field, const yt_node *at,
			 ani_failure *f)
{
	ani_port p;
	char buf[64];
	if (parse_port_spec(spec, &p, buf, field, at, f))
		return -1;
	return add_port(c, &p, field, at, f);
}

/* "k=v,k2=v2" into `out`. */
static int parse_label_list(const char *value, ani_labels *out, const char *field,
			    const yt_node *at, ani_failure *f)
{
	char *copy = xstrdup(value), *save = NULL;
	int rc = 0;
	if (!*copy)
		rc = cfail(f, at, "%s: empty (give k=v[,k2=v2])", field);
	for (char *tok = strtok_r(copy, ",", &save); !rc && tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq) {
			rc = cfail(f, at, "%s: \"%s\" is not key=value", field, tok);
			break;
		}
		*eq = '\0';
		rc = add_label(out, tok, eq + 1, field, at, f);
	}
	free(copy);
	return rc;
}

static int set_separate_name(ani_config *c, const char *v, const char *field, const yt_node *at,
			     ani_failure *f)
{
	if (!valid_dns_subdomain(v, strlen(v)))
		return cfail(f, at, "%s: \"%s\" is not a valid NetworkPolicy name", field, v);
	set_string(&c->separate_name, v);
	return 0;
}

static int apply_setting_at(ani_config *c, const char *key, const char *value, const yt_node *at,
			    ani_failure *f)
{
	char field[80];
	snprintf(field, sizeof field, "%s", key);
	if (!strcmp(key, "policyName"))
		return set_policy_name(c, value, field, at, f);
	if (!strcmp(key, "policyNamespace"))
		return set_policy_namespace(c, value, field, at, f);
	if (!strcmp(key, "namespaceLabel"))
		return set_namespace_label(c, value, field, at, f);
	if (!strcmp(key, "onMissingPolicy"))
		return set_on_missing(c, value, field, at, f);
	if (!strcmp(key, "mode"))
		return set_mode(c, value, field, at, f);
	if (!strcmp(key, "labelNamespace")) {
		if (parse_bool(value, &c->label_namespace))
			return cfail(f, at, "%s: \"%s\" is not true or false", field, value);
		return 0;
	}
	if (!strcmp(key, "fromNamespaces")) {
		/* Pod selectors set earlier apply to the new list too. */
		ani_labels pods = {0};
		int has_pods = c->n_from && c->from[0].has_pods;
		if (has_pods) {
			pods = c->from[0].pods;
			c->from[0].pods = (ani_labels){0};
		}
		free_sources(c);
		int rc = split_list(value, add_source_checked, c, field, at, f);
		for (size_t i = 0; !rc && has_pods && i < c->n_from; i++) {
			c->from[i].has_pods = 1;
			for (size_t j = 0; j < pods.n; j++)
				add_label(&c->from[i].pods, pods.v[j].key, pods.v[j].value, field,
					  at, f);
		}
		free_labels(&pods);
		return rc;
	}
	if (!strcmp(key, "ports")) {
		free_ports(c);
		return split_list(value, add_port_spec, c, field, at, f);
	}
	if (!strcmp(key, "podSelector")) {
		ani_labels pods = {0};
		if (parse_label_list(value, &pods, field, at, f)) {
			free_labels(&pods);
			return -1;
		}
		for (size_t i = 0; i < c->n_from; i++) {
			free_labels(&c->from[i].pods);
			c->from[i].has_pods = 1;
			for (size_t j = 0; j < pods.n; j++)
				add_label(&c->from[i].pods, pods.v[j].key, pods.v[j].value, field,
					  at, f);
		}
		free_labels(&pods);
		return 0;
	}
	if (!strcmp(key, "separatePolicyName"))
		return set_separate_name(c, value, field, at, f);
	if (!strcmp(key, "separatePolicyPodSelector")) {
		free_labels(&c->separate_pods);
		return parse_label_list(value, &c->separate_pods, field, at, f);
	}
	return cfail(f, at,
		     "unknown setting \"%s\" (known: policyName, policyNamespace, fromNamespaces, "
		     "podSelector, namespaceLabel, ports, labelNamespace, onMissingPolicy, mode, "
		     "separatePolicyName, separatePolicyPodSelector)",
		     key);
}

int config_apply_setting(ani_config *c, const char *key, const char *value, ani_failure *f)
{
	return apply_setting_at(c, key, value, NULL, f);
}

static int config_from_configmap(ani_config *c, const yt_node *fc, ani_failure *f)
{
	for (size_t i = 0; i + 1 < fc->n; i += 2) {
		const char *k = fc->kids[i]->kind == YT_SCALAR ? fc->kids[i]->value : "";
		if (strcmp(k, "apiVersion") && strcmp(k, "kind") && strcmp(k, "metadata") &&
		    strcmp(k, "data"))
			return cfail(f, fc->kids[i],
				     "functionConfig: unknown field \"%s\" in the ConfigMap", k);
	}
	const yt_node *data = yt_get(fc, "data");
	if (yt_is_null(data))
		return 0;
	if (data->kind != YT_MAPPING)
		return cfail(f, data, "functionConfig data: not a mapping");
	const yt_node *dup = yt_duplicate_key(data);
	if (dup)
		return cfail(f, dup, "functionConfig data: duplicate key \"%s\"", dup->value);
	/* podSelector applies to whatever fromNamespaces says, so it goes last. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i + 1 < data->n; i += 2) {
			const yt_node *k = data->kids[i], *v = data->kids[i + 1];
			if (k->kind != YT_SCALAR)
				return cfail(f, k, "functionConfig data: a key is not a string");
			if ((pass == 1) != !strcmp(k->value, "podSelector"))
				continue;
			if (v->kind != YT_SCALAR)
				return cfail(f, v, "functionConfig data.%s: not a string",
					     k->value);
			if (apply_setting_at(c, k->value, v->value, v, f))
				return -1;
		}
	}
	return 0;
}

/* ---- typed form ---- */

static const yt_node *typed_string(const yt_node *n, const char *field, ani_failure *f)
{
	if (!yt_is_string(n)) {
		if (n && n->kind == YT_SCALAR)
			cfail(f, n, "%s: expected a string, got %s (quote it if it is one)", field,
			      n->value);
		else
			cfail(f, n, "%s: expected a string", field);
		return NULL;
	}
	return n;
}

static int check_known_fields(const yt_node *map, const char *field, const char *const *known,
			      ani_failure *f)
{
	if (!map || map->kind != YT_MAPPING)
		return cfail(f, map, "%s: expected a mapping", field);
	const yt_node *dup = yt_duplicate_key(map);
	if (dup)
		return cfail(f, dup, "%s: duplicate key \"%s\"", field, dup->value);
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const yt_node *k = map->kids[i];
		int ok = 0;
		for (size_t j = 0; known[j] && k->kind == YT_SCALAR; j++)
			ok |= !strcmp(k->value, known[j]);
		if (!ok)
			return cfail(f, k, "%s: unknown field \"%s\"", field,
				     k->kind == YT_SCALAR ? k->value : "?");
		if (map->kids[i + 1]->kind == YT_ALIAS)
			return cfail(f, map->kids[i + 1], "%s.%s: aliases are not supported", field,
				     k->value);
	}
	return 0;
}

/* A {matchLabels: {...}} selector with at least one label, into `out` (replaced). */
static int typed_match_labels(const yt_node *ps, const char *field, ani_labels *out, ani_failure *f)
{
	static const char *const selector_known[] = {"matchLabels", NULL};
	if (check_known_fields(ps, field, selector_known, f))
		return -1;
	const yt_node *ml = yt_get(ps, "matchLabels");
	char mlfield[128];
	snprintf(mlfield, sizeof mlfield, "%s.matchLabels", field);
	if (!ml || ml->kind != YT_MAPPING || ml->n == 0)
		return cfail(f, ml ? ml : ps,
			     "%s: give at least one label (an empty selector selects every pod)",
			     mlfield);
	const yt_node *dup = yt_duplicate_key(ml);
	if (dup)
		return cfail(f, dup, "%s: duplicate key \"%s\"", mlfield, dup->value);
	free_labels(out);
	for (size_t j = 0; j + 1 < ml->n; j += 2) {
		const yt_node *k = ml->kids[j], *v = ml->kids[j + 1];
		if (!typed_string(k, mlfield, f) || !typed_string(v, mlfield, f) ||
		    add_label(out, k->value, v->value, mlfield, v, f))
			return -1;
	}
	return 0;
}

static int typed_sources(ani_config *c, const yt_node *from, ani_failure *f)
{
	static const char *const known[] = {"namespace", "podSelector", NULL};
	if (from->kind != YT_SEQUENCE || from->n == 0)
		return cfail(f, from, "spec.from: expected a non-empty list of sources");
	free_sources(c);
	for (size_t i = 0; i < from->n; i++) {
		char field[64];
		snprintf(field, sizeof field, "spec.from[%zu]", i);
		const yt_node *src = from->kids[i];
		if (check_known_fields(src, field, known, f))
			return -1;
		const yt_node *ns = yt_get(src, "namespace");
		char nsfield[80];
		snprintf(nsfield, sizeof nsfield, "%s.namespace", field);
		if (!ns)
			return cfail(f, src, "%s: required", nsfield);
		if (!typed_string(ns, nsfield, f) ||
		    add_source_checked(c, ns->value, nsfield, ns, f))
			return -1;
		const yt_node *ps = yt_get(src, "podSelector");
		if (!ps)
			continue;
		char psfield[96];
		snprintf(psfield, sizeof psfield, "%s.podSelector", field);
		ani_source *s = &c->from[c->n_from - 1];
		s->has_pods = 1;
		if (typed_match_labels(ps, psfield, &s->pods, f))
			return -1;
	}
	return 0;
}

static int typed_ports(ani_config *c, const yt_node *ports, ani_failure *f)
{
	static const char *const known[] = {"port", "protocol", "endPort", NULL};
	if (ports->kind != YT_SEQUENCE || ports->n == 0)
		return cfail(f, ports,
			     "spec.ports: expected a non-empty list (every port would be opened "
			     "otherwise)");
	free_ports(c);
	for (size_t i = 0; i < ports->n; i++) {
		char field[64];
		snprintf(field, sizeof field, "spec.ports[%zu]", i);
		const yt_node *pn = ports->kids[i];
		if (check_known_fields(pn, field, known, f))
			return -1;
		ani_port p = {0};
		strcpy(p.protocol, "TCP");
		const yt_node *port = yt_get(pn, "port"), *proto = yt_get(pn, "protocol"),
			      *end = yt_get(pn, "endPort");
		if (!port)
			return cfail(f, pn, "%s.port: required", field);
		if (port->kind != YT_SCALAR)
			return cfail(f, port, "%s.port: expected a number or a port name", field);
		if (port->style == YAML_PLAIN_SCALAR_STYLE &&
		    isdigit((unsigned char)port->value[0])) {
			p.port = parse_port_number(port->value);
			if (!p.port)
				return cfail(f, port, "%s.port: %s is not a port number (1-65535)",
					     field, port->value);
		} else if (valid_port_name(port->value)) {
			p.name = port->value;
		} else {
			return cfail(f, port, "%s.port: \"%s\" is not a valid port name", field,
				     port->value);
		}
		if (proto) {
			if (proto->kind != YT_SCALAR || !valid_protocol(proto->value))
				return cfail(f, proto, "%s.protocol: must be TCP, UDP or SCTP",
					     field);
			strcpy(p.protocol, proto->value);
		}
		if (end) {
			long e = end->kind == YT_SCALAR && end->style == YAML_PLAIN_SCALAR_STYLE
					 ? parse_port_number(end->value)
					 : 0;
			if (p.name)
				return cfail(f, end, "%s.endPort: needs a numeric port", field);
			if (!e || e < p.port)
				return cfail(f, end, "%s.endPort: must be a port number >= port",
					     field);
			p.end_port = e == p.port ? 0 : e;
		}
		if (add_port(c, &p, field, pn, f))
			return -1;
	}
	return 0;
}

static int typed_scalar_field(ani_config *c, const yt_node *spec, const char *key,
			      int (*set)(ani_config *, const char *, const char *, const yt_node *,
					 ani_failure *),
			      ani_failure *f)
{
	const yt_node *n = yt_get(spec, key);
	if (!n)
		return 0;
	char field[64];
	snprintf(field, sizeof field, "spec.%s", key);
	if (!typed_string(n, field, f))
		return -1;
	return set(c, n->value, field, n, f);
}

static int config_from_typed(ani_config *c, const yt_node *fc, ani_failure *f)
{
	static const char *const top[] = {"apiVersion", "kind", "metadata", "spec", NULL};
	static const char *const spec_known[] = {"policy", "from",	     "namespaceLabel",
						 "ports",  "labelNamespace", "onMissingPolicy",
						 "mode",   "separatePolicy", NULL};
	static const char *const policy_known[] = {"name", "namespace", NULL};
	static const char *const separate_known[] = {"name", "podSelector", NULL};
	if (check_known_fields(fc, "functionConfig", top, f))
		return -1;
	const yt_node *spec = yt_get(fc, "spec");
	if (yt_is_null(spec))
		return 0;
	if (check_known_fields(spec, "spec", spec_known, f))
		return -1;
	const yt_node *policy = yt_get(spec, "policy");
	if (policy) {
		if (check_known_fields(policy, "spec.policy", policy_known, f))
			return -1;
		const yt_node *name = yt_get(policy, "name"), *ns = yt_get(policy, "namespace");
		if (name && (!typed_string(name, "spec.policy.name", f) ||
			     set_policy_name(c, name->value, "spec.policy.name", name, f)))
			return -1;
		if (ns && (!typed_string(ns, "spec.policy.namespace", f) ||
			   set_policy_namespace(c, ns->value, "spec.policy.namespace", ns, f)))
			return -1;
	}
	const yt_node *separate = yt_get(spec, "separatePolicy");
	if (separate) {
		if (check_known_fields(separate, "spec.separatePolicy", separate_known, f))
			return -1;
		const yt_node *name = yt_get(separate, "name");
		if (name &&
		    (!typed_string(name, "spec.separatePolicy.name", f) ||
		     set_separate_name(c, name->value, "spec.separatePolicy.name", name, f)))
			return -1;
		const yt_node *ps = yt_get(separate, "podSelector");
		if (ps &&
		    typed_match_labels(ps, "spec.separatePolicy.podSelector", &c->separate_pods, f))
			return -1;
	}
	const yt_node *from = yt_get(spec, "from"), *ports = yt_get(spec, "ports");
	if (from && typed_sources(c, from, f))
		return -1;
	if (ports && typed_ports(c, ports, f))
		return -1;
	if (typed_scalar_field(c, spec, "namespaceLabel", set_namespace_label, f) ||
	    typed_scalar_field(c, spec, "onMissingPolicy", set_on_missing, f) ||
	    typed_scalar_field(c, spec, "mode", set_mode, f))
		return -1;
	const yt_node *label = yt_get(spec, "labelNamespace");
	if (label && (label->kind != YT_SCALAR || label->style != YAML_PLAIN_SCALAR_STYLE ||
		      parse_bool(label->value, &c->label_namespace)))
		return cfail(f, label, "spec.labelNamespace: expected true or false");
	return 0;
}

int config_from_node(ani_config *c, const yt_node *fc, ani_failure *f)
{
	if (yt_is_null(fc))
		return 0;
	if (fc->kind != YT_MAPPING)
		return cfail(f, fc, "functionConfig: expected a mapping");
	if (fc->n == 0)
		return 0;
	const yt_node *kind = yt_get(fc, "kind"), *api = yt_get(fc, "apiVersion");
	const char *k = kind && kind->kind == YT_SCALAR ? kind->value : "";
	const char *a = api && api->kind == YT_SCALAR ? api->value : "";
	if (!strcmp(k, "ConfigMap") && !strcmp(a, "v1"))
		return config_from_configmap(c, fc, f);
	if (!strcmp(k, TYPED_KIND) && !strcmp(a, TYPED_API_VERSION))
		return config_from_typed(c, fc, f);
	return cfail(f, kind ? kind : fc,
		     "functionConfig: expected apiVersion " TYPED_API_VERSION " kind " TYPED_KIND
		     ", or a v1 ConfigMap; got %s %s",
		     *a ? a : "(no apiVersion)", *k ? k : "(no kind)");
}

char *config_dedicated_policy_name(const ani_config *c, const ani_source *s)
{
	if (c->separate_name)
		return xstrdup(c->separate_name);
	return xasprintf("allow-%s-to-%s", s->namespace_,
			 c->separate_pods.n ? c->separate_pods.v[0].value : "pods");
}

int config_validate(const ani_config *c, ani_failure *f)
{
	if (!c->n_from)
		return cfail(f, NULL, "no source namespace is configured");
	if (!c->n_ports)
		return cfail(f, NULL, "no port is configured");
	/* One dedicated policy per source: one name for several would create them twice. */
	if (c->mode == ANI_MODE_SEPARATE && c->separate_name && c->n_from > 1)
		return cfail(
			f, NULL,
			"separate mode: the policy name %s is given, but %zu source namespaces "
			"are configured and each gets its own policy: leave the name out",
			c->separate_name, c->n_from);
	/* The default names (plan.c) must be valid object names too: label values may hold
	 * capitals and underscores, names may not. */
	for (size_t i = 0; c->mode == ANI_MODE_SEPARATE && !c->separate_name && i < c->n_from;
	     i++) {
		char *name = config_dedicated_policy_name(c, &c->from[i]);
		int ok = valid_dns_subdomain(name, strlen(name));
		if (!ok)
			cfail(f, NULL,
			      "separate mode: the policy name \"%.300s\" (from the namespace and "
			      "the first pod label) is not a valid name: give separatePolicy.name",
			      name);
		free(name);
		if (!ok)
			return -1;
	}
	return 0;
}
