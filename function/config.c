/* SPDX-License-Identifier: Apache-2.0 */
/* The settings table and the two config forms, typed AllowNamespaceIngress and flat ConfigMap,
 * that become one validated ani_config. Every error names the field and, when it came from YAML,
 * its line and column. */
#include "model.h"
#include "names.h"
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
	text_vformat(f->message, sizeof f->message, fmt, ap);
	va_end(ap);
	f->line = at ? at->line : 0;
	f->col = at ? at->col + 1 : 0;
	return -1;
}

/* ---- value kinds: one parser each, for both forms, the flags and the defaults ---- */

/* A decimal 1..65535 with nothing else; 0 when not one. */
static long parse_port_number(const char *s)
{
	if (!*s || strlen(s) > 5 || s[0] == '0')
		return 0;
	long v = 0;
	for (const char *p = s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return 0;
		v = v * 10 + (*p - '0');
	}
	return v <= 65535 ? v : 0;
}

static int add_label(ani_labels *l, const char *key, const char *value, const char *field,
		     const yt_node *at, ani_failure *f)
{
	if (!name_is_label_key(key))
		return cfail(f, at, "%s: \"%s\" is not a valid label key", field, key);
	if (!name_is_label_value(value))
		return cfail(f, at, "%s: \"%s\" is not a valid label value", field, value);
	if (labels_add(l, key, value))
		return cfail(f, at, "%s: label key \"%s\" is given twice", field, key);
	return 0;
}

static void free_sources(ani_config *c)
{
	for (size_t i = 0; i < c->n_from; i++) {
		xfree(c->from[i].namespace_);
		labels_free(&c->from[i].pods);
	}
	xfree(c->from);
	c->from = NULL;
	c->n_from = 0;
}

static void free_ports(ani_config *c)
{
	for (size_t i = 0; i < c->n_ports; i++)
		xfree(c->ports[i].name);
	xfree(c->ports);
	c->ports = NULL;
	c->n_ports = 0;
}

static void set_string(char **slot, const char *v)
{
	xfree(*slot);
	*slot = xstrdup(v);
}

static int add_source(ani_config *c, const char *ns, const char *field, const yt_node *at,
		      ani_failure *f)
{
	if (!*ns)
		return cfail(f, at, "%s: the namespace is empty", field);
	if (!name_is_dns_label(ns, strlen(ns)))
		return cfail(f, at, "%s: \"%s\" is not a valid namespace name", field, ns);
	for (size_t i = 0; i < c->n_from; i++)
		if (!strcmp(c->from[i].namespace_, ns))
			return cfail(f, at, "%s: namespace \"%s\" is listed twice", field, ns);
	c->from = xrealloc(c->from, (c->n_from + 1) * sizeof *c->from);
	ani_source *s = &c->from[c->n_from++];
	memset(s, 0, sizeof *s);
	s->namespace_ = xstrdup(ns);
	return 0;
}

/* Where each part of a port was given: its field name and node (NULL outside YAML). */
typedef struct {
	const char *field;
	const yt_node *at;
} port_part;

/* One port from its parts, as every form gives them: `port` a number when `numeric`, else a
 * name; `protocol` NULL for TCP; `end` NULL when not a range. `where` holds the port's, the
 * protocol's and the range end's place. */
static int add_port(ani_config *c, const char *port, int numeric, const char *protocol,
		    const char *end, const port_part where[3], ani_failure *f)
{
	ani_port p = {{0}, NULL, 0, 0};
	if (protocol && !name_is_protocol(protocol))
		/* The protocol has its own field in the typed form, is part of the text in others.
		 */
		return where[1].field != where[0].field
			       ? cfail(f, where[1].at, "%s: must be TCP, UDP or SCTP",
				       where[1].field)
			       : cfail(f, where[1].at,
				       "%s: protocol \"%s\" is not TCP, UDP or SCTP",
				       where[1].field, protocol);
	text_format(p.protocol, sizeof p.protocol, "%s", protocol ? protocol : "TCP");
	if (numeric) {
		p.port = parse_port_number(port);
		if (!p.port)
			return cfail(f, where[0].at, "%s: %s is not a port number (1-65535)",
				     where[0].field, port);
	} else if (!name_is_port_name(port)) {
		return cfail(f, where[0].at, "%s: \"%s\" is not a valid port name (nor a number)",
			     where[0].field, port);
	}
	if (end) {
		long e = parse_port_number(end);
		if (!numeric)
			return cfail(f, where[2].at, "%s: a range needs a numeric port",
				     where[2].field);
		if (!e || e < p.port)
			return cfail(f, where[2].at,
				     "%s: %s-%s is not a port range (low-high, 1-65535)",
				     where[2].field, port, end);
		p.end_port = e == p.port ? 0 : e;
	}
	for (size_t i = 0; i < c->n_ports; i++) {
		const ani_port *q = &c->ports[i];
		if (!strcmp(q->protocol, p.protocol) && q->port == p.port &&
		    q->end_port == p.end_port &&
		    !strcmp(q->name ? q->name : "", numeric ? "" : port))
			return cfail(f, where[0].at, "%s: the same port is listed twice",
				     where[0].field);
	}
	c->ports = xrealloc(c->ports, (c->n_ports + 1) * sizeof *c->ports);
	p.name = numeric ? NULL : xstrdup(port);
	c->ports[c->n_ports++] = p;
	return 0;
}

/* "80", "9090/TCP", "8000-8080/UDP", "http", "http/TCP". */
static int add_port_text(ani_config *c, const char *spec, const char *field, const yt_node *at,
			 ani_failure *f)
{
	char *copy = xstrdup(spec);
	char *slash = strchr(copy, '/'), *dash = NULL;
	if (slash)
		*slash++ = '\0';
	int numeric = isdigit((unsigned char)copy[0]);
	if (numeric && (dash = strchr(copy, '-')))
		*dash++ = '\0';
	const port_part where[3] = {{field, at}, {field, at}, {field, at}};
	int rc = add_port(c, copy, numeric, slash, dash, where, f);
	xfree(copy);
	return rc;
}

/* Cuts the next comma-separated entry out of *rest, in place; NULL after the last. (Not strtok_r:
 * every run reads the default lists, and strtok_r's code, strspn's and strcspn's would be three
 * pages of libc touched for them alone.) */
static char *next_entry(char **rest)
{
	char *entry = *rest, *comma = entry ? strchr(entry, ',') : NULL;
	*rest = comma ? comma + 1 : NULL;
	if (comma)
		*comma = '\0';
	return entry;
}

/* Calls `each` on every entry of "a, b,c"; an empty entry is an error. */
static int for_each_entry(const char *v,
			  int (*each)(ani_config *, const char *, const char *, const yt_node *,
				      ani_failure *),
			  ani_config *c, const char *field, const yt_node *at, ani_failure *f)
{
	char *copy = xstrdup(v), *rest = copy, *tok;
	int rc = 0;
	if (!*copy || copy[strlen(copy) - 1] == ',' || copy[0] == ',' || strstr(copy, ",,"))
		rc = cfail(f, at, "%s: \"%s\" has an empty entry", field, v);
	while (!rc && (tok = next_entry(&rest))) {
		while (*tok == ' ')
			tok++;
		size_t n = strlen(tok);
		while (n && tok[n - 1] == ' ')
			tok[--n] = '\0';
		rc = each(c, tok, field, at, f);
	}
	xfree(copy);
	return rc;
}

/* "k=v,k2=v2" into `out` (replaced). */
static int parse_label_list(const char *value, ani_labels *out, const char *field,
			    const yt_node *at, ani_failure *f)
{
	char *copy = xstrdup(value), *rest = copy, *tok;
	int rc = 0;
	labels_free(out);
	if (!*copy)
		rc = cfail(f, at, "%s: empty (give k=v[,k2=v2])", field);
	while (!rc && (tok = next_entry(&rest))) {
		if (!*tok)
			continue; /* "a=b,,c=d": an empty entry adds nothing */
		char *eq = strchr(tok, '=');
		if (!eq) {
			rc = cfail(f, at, "%s: \"%s\" is not key=value", field, tok);
			break;
		}
		*eq = '\0';
		rc = add_label(out, tok, eq + 1, field, at, f);
	}
	xfree(copy);
	return rc;
}

/* ---- the settings: ConfigMap-form values ---- */

typedef int (*apply_fn)(ani_config *c, const char *value, const char *field, const yt_node *at,
			ani_failure *f);

static int set_policy_name(ani_config *c, const char *v, const char *field, const yt_node *at,
			   ani_failure *f)
{
	if (!name_is_dns_subdomain(v, strlen(v)))
		return cfail(f, at, "%s: \"%s\" is not a valid NetworkPolicy name", field, v);
	set_string(&c->policy_name, v);
	return 0;
}

static int set_policy_namespace(ani_config *c, const char *v, const char *field, const yt_node *at,
				ani_failure *f)
{
	if (!name_is_dns_label(v, strlen(v)))
		return cfail(f, at, "%s: \"%s\" is not a valid namespace name", field, v);
	set_string(&c->policy_namespace, v);
	return 0;
}

static int set_policy(ani_config *c, const char *v, const char *field, const yt_node *at,
		      ani_failure *f)
{
	const char *slash = strchr(v, '/');
	if (!slash || slash == v || !slash[1])
		return cfail(f, at, "%s: \"%s\" is not NAMESPACE/NAME", field, v);
	char *ns = xstrndup(v, (size_t)(slash - v));
	int rc = set_policy_namespace(c, ns, field, at, f) ||
		 set_policy_name(c, slash + 1, field, at, f);
	xfree(ns);
	return rc ? -1 : 0;
}

/* Pod selectors set earlier apply to the new list too. */
static int set_from_namespaces(ani_config *c, const char *v, const char *field, const yt_node *at,
			       ani_failure *f)
{
	ani_labels pods = {0};
	int has_pods = c->n_from && c->from[0].has_pods;
	if (has_pods)
		labels_copy(&pods, &c->from[0].pods);
	free_sources(c);
	int rc = for_each_entry(v, add_source, c, field, at, f);
	for (size_t i = 0; !rc && has_pods && i < c->n_from; i++) {
		c->from[i].has_pods = 1;
		labels_copy(&c->from[i].pods, &pods);
	}
	labels_free(&pods);
	return rc;
}

static int set_pod_selector(ani_config *c, const char *v, const char *field, const yt_node *at,
			    ani_failure *f)
{
	ani_labels pods = {0};
	int rc = parse_label_list(v, &pods, field, at, f);
	for (size_t i = 0; !rc && i < c->n_from; i++) {
		c->from[i].has_pods = 1;
		labels_copy(&c->from[i].pods, &pods);
	}
	labels_free(&pods);
	return rc;
}

static int set_namespace_label(ani_config *c, const char *v, const char *field, const yt_node *at,
			       ani_failure *f)
{
	if (!name_is_label_key(v))
		return cfail(f, at, "%s: \"%s\" is not a valid label key", field, v);
	set_string(&c->namespace_label, v);
	return 0;
}

static int set_ports(ani_config *c, const char *v, const char *field, const yt_node *at,
		     ani_failure *f)
{
	free_ports(c);
	return for_each_entry(v, add_port_text, c, field, at, f);
}

static int set_label_namespace(ani_config *c, const char *v, const char *field, const yt_node *at,
			       ani_failure *f)
{
	if (strcmp(v, "true") && strcmp(v, "false"))
		return cfail(f, at, "%s: \"%s\" is not true or false", field, v);
	c->label_namespace = !strcmp(v, "true");
	return 0;
}

static int set_on_missing(ani_config *c, const char *v, const char *field, const yt_node *at,
			  ani_failure *f)
{
	if (strcmp(v, "warn") && strcmp(v, "error") && strcmp(v, "auto"))
		return cfail(f, at, "%s: \"%s\" is not warn, error or auto", field, v);
	c->on_missing_error = !strcmp(v, "error") ? 1 : !strcmp(v, "warn") ? 0 : -1;
	return 0;
}

static int set_assume_label(ani_config *c, const char *v, const char *field, const yt_node *at,
			    ani_failure *f)
{
	if (strcmp(v, "true") && strcmp(v, "false"))
		return cfail(f, at, "%s: \"%s\" is not true or false", field, v);
	c->assume_namespace_label = !strcmp(v, "true");
	return 0;
}

static int set_mode(ani_config *c, const char *v, const char *field, const yt_node *at,
		    ani_failure *f)
{
	if (!strcmp(v, "merge"))
		c->mode = ANI_MODE_MERGE;
	else if (!strcmp(v, "separate"))
		c->mode = ANI_MODE_SEPARATE;
	else if (!strcmp(v, "check-separate"))
		c->mode = ANI_MODE_CHECK_SEPARATE;
	else if (!strcmp(v, "check"))
		c->mode = mode_separate(c->mode) ? ANI_MODE_CHECK_SEPARATE : ANI_MODE_CHECK;
	else
		return cfail(f, at, "%s: \"%s\" is not merge, check, separate or check-separate",
			     field, v);
	return 0;
}

static int set_separate_name(ani_config *c, const char *v, const char *field, const yt_node *at,
			     ani_failure *f)
{
	if (!name_is_dns_subdomain(v, strlen(v)))
		return cfail(f, at, "%s: \"%s\" is not a valid NetworkPolicy name", field, v);
	set_string(&c->separate_name, v);
	return 0;
}

static int set_separate_pods(ani_config *c, const char *v, const char *field, const yt_node *at,
			     ani_failure *f)
{
	return parse_label_list(v, &c->separate_pods, field, at, f);
}

/* ---- the settings: typed-form nodes ---- */

typedef int (*typed_fn)(ani_config *c, const yt_node *n, const char *field, ani_failure *f);

static int typed_sources(ani_config *c, const yt_node *from, const char *field, ani_failure *f);
static int typed_ports(ani_config *c, const yt_node *ports, const char *field, ani_failure *f);
static int typed_bool(ani_config *c, const yt_node *n, const char *field, ani_failure *f);
static int typed_separate_pods(ani_config *c, const yt_node *n, const char *field, ani_failure *f);

/* ---- the settings: back to ConfigMap-form values, for the commands the function prints ---- */

/* The value of a setting for source `src` (every source when -1); NULL when not set. Caller
 * frees. */
typedef char *(*format_fn)(const ani_config *c, long src);

static char *format_policy(const ani_config *c, long src)
{
	(void)src;
	return xasprintf("%s/%s", c->policy_namespace, c->policy_name);
}

static char *format_from_namespaces(const ani_config *c, long src)
{
	if (src >= 0)
		return xstrdup(c->from[src].namespace_);
	tbuf b = {0};
	for (size_t i = 0; i < c->n_from; i++)
		tb_printf(&b, "%s%s", i ? "," : "", c->from[i].namespace_);
	return tb_take(&b);
}

static char *format_labels(const ani_labels *l)
{
	tbuf b = {0};
	for (size_t i = 0; i < l->n; i++)
		tb_printf(&b, "%s%s=%s", i ? "," : "", l->v[i].key, l->v[i].value);
	return tb_take(&b);
}

/* NULL for every source when their selectors differ: see config_command. */
static char *format_pod_selector(const ani_config *c, long src)
{
	const ani_source *s = &c->from[src >= 0 ? (size_t)src : 0];
	return s->has_pods ? format_labels(&s->pods) : NULL;
}

static char *format_namespace_label(const ani_config *c, long src)
{
	(void)src;
	return xstrdup(c->namespace_label);
}

char *config_ports_text(const ani_config *c, const int *which, const char *sep)
{
	tbuf b = {0};
	for (size_t i = 0; i < c->n_ports; i++) {
		const ani_port *p = &c->ports[i];
		if (which && !which[i])
			continue;
		tb_puts(&b, b.len ? sep : "");
		if (p->name)
			tb_puts(&b, p->name);
		else if (p->end_port)
			tb_printf(&b, "%ld-%ld", p->port, p->end_port);
		else
			tb_printf(&b, "%ld", p->port);
		tb_printf(&b, "/%s", p->protocol);
	}
	return tb_take(&b);
}

static char *format_ports(const ani_config *c, long src)
{
	(void)src;
	return config_ports_text(c, NULL, ",");
}

static char *format_label_namespace(const ani_config *c, long src)
{
	(void)src;
	return xstrdup(c->label_namespace ? "true" : "false");
}

static char *format_on_missing(const ani_config *c, long src)
{
	(void)src;
	return xstrdup(c->on_missing_error < 0 ? "auto" : c->on_missing_error ? "error" : "warn");
}

/* A check's setting: not part of the run that makes the changes. */
static char *format_assume_label(const ani_config *c, long src)
{
	(void)c;
	(void)src;
	return NULL;
}

/* The mode that makes the changes: a check's fix is a merge or separate run. */
static char *format_mode(const ani_config *c, long src)
{
	(void)src;
	return xstrdup(mode_separate(c->mode) ? "separate" : "merge");
}

static char *format_separate_name(const ani_config *c, long src)
{
	(void)src;
	return mode_separate(c->mode) && c->separate_name ? xstrdup(c->separate_name) : NULL;
}

static char *format_separate_pods(const ani_config *c, long src)
{
	(void)src;
	return mode_separate(c->mode) ? format_labels(&c->separate_pods) : NULL;
}

/* ---- the table ---- */

typedef struct {
	ani_setting_spec doc;
	apply_fn apply; /* a ConfigMap-form value (also from flags and defaults) */
	/* The typed form's node at doc.typed_path (a list's node for a path through `[]`); NULL:
	 * a string given to `apply`, or read by the row that owns the list. */
	typed_fn typed;
	format_fn format; /* NULL: written through another row (policyName: policy) */
} setting;

/* The order is the order settings are applied in, as a ConfigMap's data is read: podSelector
 * applies to whatever fromNamespaces says, so it follows it. */
static const setting settings[] = {
	{{.key = "policyName",
	  .configmap = 1,
	  .typed_path = "spec.policy.name",
	  .default_value = "allow-egress",
	  .help = "name of the NetworkPolicy to merge into"},
	 set_policy_name,
	 NULL,
	 NULL},
	{{.key = "policyNamespace",
	  .configmap = 1,
	  .typed_path = "spec.policy.namespace",
	  .default_value = "flux-system",
	  .help = "namespace of the NetworkPolicy to merge into"},
	 set_policy_namespace,
	 NULL,
	 NULL},
	{{.key = "policy",
	  .flag = "--policy",
	  .metavar = "NAMESPACE/NAME",
	  .help = "the NetworkPolicy to merge into: sets policyNamespace and policyName"},
	 set_policy,
	 NULL,
	 format_policy},
	{{.key = "fromNamespaces",
	  .configmap = 1,
	  .typed_path = "spec.from[].namespace",
	  .flag = "--from-namespace",
	  .metavar = "NS[,NS]",
	  .repeatable = 1,
	  .default_value = "octopilot-system",
	  .help = "namespaces to admit"},
	 set_from_namespaces,
	 typed_sources,
	 format_from_namespaces},
	{{.key = "podSelector",
	  .configmap = 1,
	  .typed_path = "spec.from[].podSelector",
	  .flag = "--pod-selector",
	  .metavar = "K=V[,K=V]",
	  .repeatable = 1,
	  .help = "admit only these pods of each namespace (default: every pod)"},
	 set_pod_selector,
	 NULL,
	 format_pod_selector},
	{{.key = "namespaceLabel",
	  .configmap = 1,
	  .typed_path = "spec.namespaceLabel",
	  .flag = "--namespace-label",
	  .metavar = "KEY",
	  .default_value = "name",
	  .help = "label key the rule selects namespaces by"},
	 set_namespace_label,
	 NULL,
	 format_namespace_label},
	{{.key = "ports",
	  .configmap = 1,
	  .typed_path = "spec.ports",
	  .flag = "--port",
	  .metavar = "SPEC[,SPEC]",
	  .repeatable = 1,
	  .default_value = "80/TCP,9090/TCP",
	  .help = "ports to admit: 80, 9090/TCP, 8000-8080/UDP, http"},
	 set_ports,
	 typed_ports,
	 format_ports},
	{{.key = "labelNamespace",
	  .configmap = 1,
	  .typed_path = "spec.labelNamespace",
	  .switch_flag = "--no-label-namespace",
	  .switch_value = "false",
	  .switch_help = "do not add the label to the Namespace",
	  .default_value = "true",
	  .help = "add the label the rule selects to each source Namespace: true or false"},
	 set_label_namespace,
	 typed_bool,
	 format_label_namespace},
	{{.key = "onMissingPolicy",
	  .configmap = 1,
	  .typed_path = "spec.onMissingPolicy",
	  .flag = "--on-missing-policy",
	  .metavar = "warn|error|auto",
	  .default_value = "auto",
	  .help = "what an input without the target policy is; auto: a warning when merging, an "
		  "error when checking (it cannot verify)"},
	 set_on_missing,
	 NULL,
	 format_on_missing},
	{{.key = "assumeNamespaceLabel",
	  .configmap = 1,
	  .typed_path = "spec.assumeNamespaceLabel",
	  .switch_flag = "--assume-namespace-label",
	  .switch_value = "true",
	  .switch_help = "check: trust that a source Namespace not in the input carries the label",
	  .over_function_config = 1,
	  .default_value = "false",
	  .help = "check: trust that a source Namespace not in the input carries the label the "
		  "rule selects (else the check fails: it cannot verify): true or false"},
	 set_assume_label,
	 typed_bool,
	 format_assume_label},
	{{.key = "mode",
	  .configmap = 1,
	  .typed_path = "spec.mode",
	  .flag = "--mode",
	  .metavar = "MODE",
	  .switch_flag = "--check",
	  .switch_value = "check",
	  .switch_help = "the same as --mode check",
	  .over_function_config = 1,
	  .default_value = "merge",
	  .help = "merge: edit the policy; separate: add a dedicated NetworkPolicy per namespace "
		  "instead; check: change nothing, fail unless the mode given before (merge or "
		  "separate) would change nothing; check-separate: check in separate mode"},
	 set_mode,
	 NULL,
	 format_mode},
	{{.key = "separatePolicyName",
	  .configmap = 1,
	  .typed_path = "spec.separatePolicy.name",
	  .flag = "--separate-policy-name",
	  .metavar = "NAME",
	  .help = "separate mode: the policy's name (default "
		  "allow-<namespace>-to-<first pod label value>)"},
	 set_separate_name,
	 NULL,
	 format_separate_name},
	{{.key = "separatePolicyPodSelector",
	  .configmap = 1,
	  .typed_path = "spec.separatePolicy.podSelector",
	  .flag = "--separate-pod-selector",
	  .metavar = "K=V[,K=V]",
	  .repeatable = 1,
	  .default_value = "app=source-controller",
	  .help = "separate mode: the pods the policy protects"},
	 set_separate_pods,
	 typed_separate_pods,
	 format_separate_pods},
};
#define N_SETTINGS (sizeof settings / sizeof *settings)

const ani_setting_spec *ani_setting_spec_at(size_t i)
{
	return i < N_SETTINGS ? &settings[i].doc : NULL;
}

const ani_setting_spec *ani_setting_for_flag(const char *arg, int *is_switch)
{
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const ani_setting_spec *s = &settings[i].doc;
		*is_switch = s->switch_flag && !strcmp(arg, s->switch_flag);
		if (*is_switch || (s->flag && !strcmp(arg, s->flag)))
			return s;
	}
	return NULL;
}

static const setting *setting_named(const char *key)
{
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (!strcmp(settings[i].doc.key, key))
			return &settings[i];
	return NULL;
}

/* "policyName, policyNamespace, ..." for the messages about unknown keys. */
static char *configmap_keys(void)
{
	tbuf b = {0};
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (settings[i].doc.configmap)
			tb_printf(&b, "%s%s", b.len ? ", " : "", settings[i].doc.key);
	return tb_take(&b);
}

static int apply_at(ani_config *c, const setting *s, const char *value, const yt_node *at,
		    ani_failure *f)
{
	return s->apply(c, value, s->doc.key, at, f);
}

void config_defaults(ani_config *c)
{
	memset(c, 0, sizeof *c);
	ani_failure ignored;
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (settings[i].doc.default_value)
			apply_at(c, &settings[i], settings[i].doc.default_value, NULL, &ignored);
}

void config_free(ani_config *c)
{
	xfree(c->policy_name);
	xfree(c->policy_namespace);
	free_sources(c);
	xfree(c->namespace_label);
	free_ports(c);
	xfree(c->separate_name);
	labels_free(&c->separate_pods);
	memset(c, 0, sizeof *c);
}

int config_apply_setting(ani_config *c, const char *key, const char *value, ani_failure *f)
{
	const setting *s = setting_named(key);
	if (!s) {
		char *known = configmap_keys();
		cfail(f, NULL, "unknown setting \"%s\" (known: policy, %s)", key, known);
		xfree(known);
		return -1;
	}
	return apply_at(c, s, value, NULL, f);
}

int config_setting_over_function_config(const char *key)
{
	const setting *s = setting_named(key);
	return s && s->doc.over_function_config;
}

/* ---- ConfigMap form ---- */

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
	for (size_t i = 0; i + 1 < data->n; i += 2) {
		const yt_node *k = data->kids[i], *v = data->kids[i + 1];
		if (k->kind != YT_SCALAR)
			return cfail(f, k, "functionConfig data: a key is not a string");
		const setting *s = setting_named(k->value);
		if (!s || !s->doc.configmap) {
			char *known = configmap_keys();
			cfail(f, k, "unknown setting \"%s\" (known: %s)", k->value, known);
			xfree(known);
			return -1;
		}
		if (v->kind != YT_SCALAR)
			return cfail(f, v, "functionConfig data.%s: not a string", k->value);
	}
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const yt_node *v =
			settings[i].doc.configmap ? yt_get(data, settings[i].doc.key) : NULL;
		if (v && apply_at(c, &settings[i], v->value, v, f))
			return -1;
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

/* 1 when the table puts `key` in the typed form's mapping at `path` ("spec", "spec.from[]"). */
static int typed_key_known(const char *path, const char *key)
{
	size_t plen = strlen(path), klen = strlen(key);
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const char *t = settings[i].doc.typed_path;
		if (!t || strncmp(t, path, plen) || t[plen] != '.')
			continue;
		const char *seg = t + plen + 1;
		size_t n = strcspn(seg, ".[");
		if (n == klen && !strncmp(seg, key, n))
			return 1;
	}
	return 0;
}

/* A mapping whose keys are `known` (NULL-terminated) or, when NULL, the table's at `path`. */
static int check_known_fields(const yt_node *map, const char *field, const char *path,
			      const char *const *known, ani_failure *f)
{
	if (!map || map->kind != YT_MAPPING)
		return cfail(f, map, "%s: expected a mapping", field);
	const yt_node *dup = yt_duplicate_key(map);
	if (dup)
		return cfail(f, dup, "%s: duplicate key \"%s\"", field, dup->value);
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const yt_node *k = map->kids[i];
		int ok = 0;
		if (k->kind == YT_SCALAR && !known)
			ok = typed_key_known(path, k->value);
		for (size_t j = 0; known && known[j] && k->kind == YT_SCALAR; j++)
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
	if (check_known_fields(ps, field, NULL, selector_known, f))
		return -1;
	const yt_node *ml = yt_get(ps, "matchLabels");
	char mlfield[128];
	text_format(mlfield, sizeof mlfield, "%s.matchLabels", field);
	if (!ml || ml->kind != YT_MAPPING || ml->n == 0)
		return cfail(f, ml ? ml : ps,
			     "%s: give at least one label (an empty selector selects every pod)",
			     mlfield);
	const yt_node *dup = yt_duplicate_key(ml);
	if (dup)
		return cfail(f, dup, "%s: duplicate key \"%s\"", mlfield, dup->value);
	labels_free(out);
	for (size_t j = 0; j + 1 < ml->n; j += 2) {
		const yt_node *k = ml->kids[j], *v = ml->kids[j + 1];
		if (!typed_string(k, mlfield, f) || !typed_string(v, mlfield, f) ||
		    add_label(out, k->value, v->value, mlfield, v, f))
			return -1;
	}
	return 0;
}

static int typed_sources(ani_config *c, const yt_node *from, const char *field, ani_failure *f)
{
	if (from->kind != YT_SEQUENCE || from->n == 0)
		return cfail(f, from, "%s: expected a non-empty list of sources", field);
	free_sources(c);
	for (size_t i = 0; i < from->n; i++) {
		char item[64], nsfield[80], psfield[96];
		text_format(item, sizeof item, "%s[%zu]", field, i);
		text_format(nsfield, sizeof nsfield, "%s.namespace", item);
		text_format(psfield, sizeof psfield, "%s.podSelector", item);
		const yt_node *src = from->kids[i];
		if (check_known_fields(src, item, "spec.from[]", NULL, f))
			return -1;
		const yt_node *ns = yt_get(src, "namespace"), *ps = yt_get(src, "podSelector");
		if (!ns)
			return cfail(f, src, "%s: required", nsfield);
		if (!typed_string(ns, nsfield, f) || add_source(c, ns->value, nsfield, ns, f))
			return -1;
		ani_source *s = &c->from[c->n_from - 1];
		s->has_pods = ps != NULL;
		if (ps && typed_match_labels(ps, psfield, &s->pods, f))
			return -1;
	}
	return 0;
}

static int typed_ports(ani_config *c, const yt_node *ports, const char *field, ani_failure *f)
{
	static const char *const known[] = {"port", "protocol", "endPort", NULL};
	if (ports->kind != YT_SEQUENCE || ports->n == 0)
		return cfail(f, ports,
			     "%s: expected a non-empty list (every port would be opened otherwise)",
			     field);
	free_ports(c);
	for (size_t i = 0; i < ports->n; i++) {
		char item[64], pfield[80], protofield[80], endfield[80];
		text_format(item, sizeof item, "%s[%zu]", field, i);
		text_format(pfield, sizeof pfield, "%s.port", item);
		text_format(protofield, sizeof protofield, "%s.protocol", item);
		text_format(endfield, sizeof endfield, "%s.endPort", item);
		const yt_node *pn = ports->kids[i];
		if (check_known_fields(pn, item, NULL, known, f))
			return -1;
		const yt_node *port = yt_get(pn, "port"), *proto = yt_get(pn, "protocol"),
			      *end = yt_get(pn, "endPort");
		if (!port)
			return cfail(f, pn, "%s: required", pfield);
		if (port->kind != YT_SCALAR)
			return cfail(f, port, "%s: expected a number or a port name", pfield);
		if (proto && !typed_string(proto, protofield, f))
			return -1;
		if (end && (end->kind != YT_SCALAR || end->style != YAML_PLAIN_SCALAR_STYLE))
			return cfail(f, end, "%s: expected a port number", endfield);
		/* A quoted number is a string, so a port name, as Kubernetes reads it. */
		int numeric = port->style == YAML_PLAIN_SCALAR_STYLE &&
			      isdigit((unsigned char)port->value[0]);
		const port_part where[3] = {{pfield, port}, {protofield, proto}, {endfield, end}};
		if (add_port(c, port->value, numeric, proto ? proto->value : NULL,
			     end ? end->value : NULL, where, f))
			return -1;
	}
	return 0;
}

static int typed_bool(ani_config *c, const yt_node *n, const char *field, ani_failure *f)
{
	if (n->kind != YT_SCALAR || n->style != YAML_PLAIN_SCALAR_STYLE ||
	    (strcmp(n->value, "true") && strcmp(n->value, "false")))
		return cfail(f, n, "%s: expected true or false", field);
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (settings[i].doc.typed_path && !strcmp(settings[i].doc.typed_path, field))
			return settings[i].apply(c, n->value, field, n, f);
	return cfail(f, n, "%s: not a setting", field);
}

static int typed_separate_pods(ani_config *c, const yt_node *n, const char *field, ani_failure *f)
{
	return typed_match_labels(n, field, &c->separate_pods, f);
}

/* Reads the node of one setting at its typed path, checking each mapping on the way. */
static int typed_setting(ani_config *c, const yt_node *fc, const setting *s, ani_failure *f)
{
	const char *path = s->doc.typed_path;
	const yt_node *n = fc;
	char field[128] = "";
	size_t at = 0;
	while (path[at]) {
		size_t seg = strcspn(path + at, ".[");
		char key[64];
		text_format(key, sizeof key, "%.*s", (int)seg, path + at);
		if (at) {
			if (check_known_fields(n, field, field, NULL, f))
				return -1;
			n = yt_get(n, key);
		} else {
			n = yt_get(fc, key);
		}
		if (yt_is_null(n))
			return 0;
		text_format(field + strlen(field), sizeof field - strlen(field), "%s%s",
			    at ? "." : "", key);
		at += seg;
		if (path[at] == '[') /* a list: read by the row that owns it */
			return s->typed ? s->typed(c, n, field, f) : 0;
		if (path[at] == '.')
			at++;
	}
	if (s->typed)
		return s->typed(c, n, field, f);
	if (!typed_string(n, field, f))
		return -1;
	return s->apply(c, n->value, field, n, f);
}

static int config_from_typed(ani_config *c, const yt_node *fc, ani_failure *f)
{
	static const char *const top[] = {"apiVersion", "kind", "metadata", "spec", NULL};
	if (check_known_fields(fc, "functionConfig", NULL, top, f))
		return -1;
	const yt_node *spec = yt_get(fc, "spec");
	if (yt_is_null(spec))
		return 0;
	if (check_known_fields(spec, "spec", "spec", NULL, f))
		return -1;
	for (size_t i = 0; i < N_SETTINGS; i++)
		if (settings[i].doc.typed_path && typed_setting(c, fc, &settings[i], f))
			return -1;
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

/* A command-line word, quoted for a POSIX shell when it needs it. */
static void put_shell_word(tbuf *b, const char *w)
{
	if (*w &&
	    strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/=,:-") ==
		    strlen(w)) {
		tb_puts(b, w);
		return;
	}
	tb_putc(b, '\'');
	for (const char *p = w; *p; p++)
		tb_puts(b, *p == '\'' ? "'\\''" : (char[]){*p, 0});
	tb_putc(b, '\'');
}

char *config_command(const ani_config *c, long src)
{
	tbuf b = {0};
	tb_puts(&b, "allow-namespace-ingress");
	for (size_t i = 0; i < N_SETTINGS; i++) {
		const setting *s = &settings[i];
		char *v = s->format ? s->format(c, src) : NULL;
		int is_default = v && s->doc.default_value && !strcmp(v, s->doc.default_value);
		if (v && !is_default && s->doc.switch_flag && !strcmp(v, s->doc.switch_value))
			tb_printf(&b, " %s", s->doc.switch_flag);
		else if (v && !is_default && s->doc.flag) {
			tb_printf(&b, " %s ", s->doc.flag);
			put_shell_word(&b, v);
		}
		xfree(v);
	}
	return tb_take(&b);
}

int config_sources_share_pods(const ani_config *c)
{
	for (size_t i = 1; i < c->n_from; i++) {
		const ani_labels *a = &c->from[0].pods, *b = &c->from[i].pods;
		if (c->from[i].has_pods != c->from[0].has_pods || a->n != b->n)
			return 0;
		for (size_t j = 0; j < a->n; j++)
			if (strcmp(a->v[j].key, b->v[j].key) ||
			    strcmp(a->v[j].value, b->v[j].value))
				return 0;
	}
	return 1;
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
	if (!mode_separate(c->mode))
		return 0;
	/* One dedicated policy per source: one name for several would create them twice. */
	if (c->separate_name && c->n_from > 1)
		return cfail(
			f, NULL,
			"separate mode: the policy name %s is given, but %zu source namespaces "
			"are configured and each gets its own policy: leave the name out",
			c->separate_name, c->n_from);
	/* The default names must be valid object names too: label values may hold capitals and
	 * underscores, names may not. */
	for (size_t i = 0; !c->separate_name && i < c->n_from; i++) {
		char *name = config_dedicated_policy_name(c, &c->from[i]);
		int ok = name_is_dns_subdomain(name, strlen(name));
		if (!ok)
			cfail(f, NULL,
			      "separate mode: the policy name \"%.300s\" (from the namespace and "
			      "the first pod label) is not a valid name: give separatePolicy.name",
			      name);
		xfree(name);
		if (!ok)
			return -1;
	}
	return 0;
}
