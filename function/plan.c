#include "plan.h"

#include "netpol.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NETPOL_API "networking.k8s.io/v1"

static int eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static char *source_text(const ani_source *s)
{
	tbuf b = {0};
	tb_printf(&b, "namespace %s", s->namespace_);
	for (size_t i = 0; i < s->pods.n; i++)
		tb_printf(&b, "%s%s=%s", i ? "," : " (pods ", s->pods.v[i].key, s->pods.v[i].value);
	if (s->pods.n)
		tb_putc(&b, ')');
	return tb_take(&b);
}

static void add_failure(ani_results *rs, const ani_item *item, const char *field,
			const ani_failure *f)
{
	results_add(rs, ANI_SEVERITY_ERROR, item, field, NULL, "%s", f->message);
	rs->v[rs->n - 1].line = f->line;
	rs->v[rs->n - 1].column = f->col;
}

/* Edits inside an anchored item would change its aliases too (edit_check_editable covers the
 * nodes below the item). */
static int item_check_editable(const ani_item *it, ani_failure *f)
{
	if (!it->anchored)
		return 0;
	snprintf(f->message, sizeof f->message,
		 "the resource carries an anchor (&): editing it would change every alias of it");
	f->line = it->line;
	f->col = it->col + 1;
	return -1;
}

/* The one item with this apiVersion, kind, name and namespace (any when NULL) that is not
 * local-config; NULL when there is none, or when there are two (*twice set, error result). */
static const ani_item *find_unique(const ani_index *ix, const char *api_version, const char *kind,
				   const char *name, const char *namespace_, ani_results *rs,
				   int *twice)
{
	const ani_item *found = NULL;
	for (size_t i = 0; i < ix->n_items; i++) {
		const ani_item *it = &ix->items[i];
		if (!eq(it->kind, kind) || !eq(it->api_version, api_version) || it->local_config ||
		    !eq(it->name, name) || (namespace_ && !eq(it->namespace_, namespace_)))
			continue;
		if (found) {
			results_add(rs, ANI_SEVERITY_ERROR, it, NULL, NULL,
				    "is in the input twice (first at line %zu)", found->line);
			*twice = 1;
			return NULL;
		}
		found = it;
	}
	return found;
}

/* The policy `name` of the configured namespace; a missing one is reported (with the near
 * misses) when `report_missing`. */
static const ani_item *find_policy(const ani_index *ix, const ani_config *c, const char *name,
				   ani_results *rs, int report_missing)
{
	int twice = 0;
	const ani_item *found =
		find_unique(ix, NETPOL_API, "NetworkPolicy", name, c->policy_namespace, rs, &twice);
	if (found || twice || !report_missing)
		return found;
	tbuf near = {0};
	for (size_t i = 0; i < ix->n_items; i++) {
		const ani_item *it = &ix->items[i];
		if (!eq(it->kind, "NetworkPolicy") || !eq(it->name, name))
			continue;
		tb_puts(&near, near.len ? "; " : "; near misses: ");
		if (!eq(it->api_version, NETPOL_API))
			tb_printf(&near, "%s NetworkPolicy %s (another API group, never edited)",
				  it->api_version ? it->api_version : "?", it->name);
		else if (it->local_config)
			tb_printf(&near, "%s (marked local-config)", it->name);
		else if (!it->namespace_)
			tb_printf(&near, "%s without a namespace", it->name);
		else
			tb_printf(&near, "%s in namespace %s", it->name, it->namespace_);
		tb_printf(&near, " at line %zu", it->line);
	}
	results_add(rs, c->on_missing_error ? ANI_SEVERITY_ERROR : ANI_SEVERITY_WARNING, NULL, NULL,
		    NULL, "NetworkPolicy %s/%s is not in the input: nothing merged%s",
		    c->policy_namespace, name, near.p ? near.p : "");
	tb_free(&near);
	return NULL;
}

static const ani_item *find_namespace(const ani_index *ix, const char *ns, ani_results *rs,
				      int *failed)
{
	return find_unique(ix, "v1", "Namespace", ns, NULL, rs, failed);
}

static void changes_add(ani_changes *cs, const ani_results *rs, ani_change ch)
{
	ch.result_at = rs->n;
	cs->v = xrealloc(cs->v, (cs->n + 1) * sizeof *cs->v);
	cs->v[cs->n++] = ch;
}

void changes_free(ani_changes *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->v[i].ports);
		free(cs->v[i].policy_name);
	}
	free(cs->v);
	memset(cs, 0, sizeof *cs);
}

/* ---- planning: what the grant needs, the same in every mode ---- */

/* Checks the Namespace's labels; returns 1 when the label is there, 0 when it is missing,
 * -1 after an error result. */
static int namespace_label_state(const ani_item *ns_item, const ani_config *c, const char *ns,
				 ani_results *rs)
{
	const yt_node *labels = yt_get(ns_item->metadata, "labels");
	ani_failure f;
	/* Before the null check: an anchored null (`labels: &a`) is no place to write either. */
	if (edit_check_editable(labels, "metadata.labels", &f)) {
		add_failure(rs, ns_item, "metadata.labels", &f);
		return -1;
	}
	if (yt_is_null(labels))
		return 0;
	if (labels->kind != YT_MAPPING) {
		results_add(rs, ANI_SEVERITY_ERROR, ns_item, "metadata.labels", labels,
			    "metadata.labels is not a mapping");
		return -1;
	}
	for (size_t i = 0; i + 1 < labels->n; i += 2) {
		const yt_node *k = labels->kids[i], *v = labels->kids[i + 1];
		if (!yt_is_string(v)) {
			results_add(rs, ANI_SEVERITY_ERROR, ns_item, "metadata.labels", v,
				    "metadata.labels.%s is %s, not a string: quote it",
				    k->kind == YT_SCALAR ? k->value : "?",
				    v->kind != YT_SCALAR ? "a collection"
				    : v->len		 ? v->value
							 : "empty (null)");
			return -1;
		}
	}
	const yt_node *have = yt_get(labels, c->namespace_label);
	if (!have)
		return 0;
	if (strcmp(have->value, ns)) {
		results_add(rs, ANI_SEVERITY_ERROR, ns_item, "metadata.labels", have,
			    "has label %s=%s, so the selector %s=%s could never match it",
			    c->namespace_label, have->value, c->namespace_label, ns);
		return -1;
	}
	return 1;
}

static void plan_namespace_label(const ani_index *ix, const ani_config *c, size_t src,
				 ani_results *rs, ani_changes *cs)
{
	const char *ns = c->from[src].namespace_;
	int failed = 0;
	const ani_item *ns_item = find_namespace(ix, ns, rs, &failed);
	int automatic = !strcmp(c->namespace_label, "kubernetes.io/metadata.name");
	if (failed)
		return;
	if (!ns_item) {
		if (!automatic)
			results_add(rs, ANI_SEVERITY_WARNING, NULL, NULL, NULL,
				    "Namespace %s is not in the input: it must carry the label "
				    "%s=%s in the cluster for the rule to match",
				    ns, c->namespace_label, ns);
		return;
	}
	if (namespace_label_state(ns_item, c, ns, rs) != 0 || automatic)
		return;
	changes_add(cs, rs,
		    (ani_change){.kind = CHANGE_LABEL_NAMESPACE,
				 .item = ns_item,
				 .source = src,
				 .declined = !c->label_namespace});
}

static const yt_node *namespace_labels_node(const ani_index *ix, const char *ns)
{
	for (size_t i = 0; i < ix->n_items; i++) {
		const ani_item *it = &ix->items[i];
		if (eq(it->kind, "Namespace") && eq(it->api_version, "v1") && eq(it->name, ns))
			return yt_get(it->metadata, "labels");
	}
	return NULL;
}

/* Warns of rules that admit a configured namespace more widely than configured. */
static void report_overbroad(const ani_index *ix, const ani_config *c, const ani_item *pol,
			     size_t src, ani_results *rs)
{
	const yt_node *ingress = yt_get(pol->spec, "ingress");
	if (!ingress || ingress->kind != YT_SEQUENCE)
		return;
	ani_labels known;
	netpol_namespace_labels(c, c->from[src].namespace_,
				namespace_labels_node(ix, c->from[src].namespace_), &known);
	for (size_t r = 0; r < ingress->n; r++) {
		char *why = netpol_overbroad(ingress->kids[r], pol->namespace_, c, src, &known);
		if (!why)
			continue;
		char field[64];
		snprintf(field, sizeof field, "spec.ingress[%zu]", r);
		results_add(rs, ANI_SEVERITY_WARNING, pol, field, ingress->kids[r],
			    "admits namespace %s more widely than configured: %s",
			    c->from[src].namespace_, why);
		free(why);
	}
	labels_free(&known);
}

/* What policy `pol` needs so that sources [first, first + n) are admitted. */
static void plan_policy(const ani_index *ix, const ani_config *c, const ani_item *pol, size_t first,
			size_t n, ani_results *rs, ani_changes *cs)
{
	ani_failure f;
	const yt_node *spec = pol->spec;
	if (!spec || spec->kind != YT_MAPPING) {
		results_add(rs, ANI_SEVERITY_ERROR, pol, "spec", spec, "has no spec mapping");
		return;
	}
	if (!netpol_isolates_ingress(yt_get(spec, "policyTypes"))) {
		results_add(
			rs, ANI_SEVERITY_WARNING, pol, "spec.policyTypes",
			yt_get(spec, "policyTypes"),
			"does not list Ingress in policyTypes, so it does not restrict ingress: "
			"nothing merged");
		return;
	}
	const yt_node *ingress = yt_get(spec, "ingress");
	for (size_t i = first; i < first + n; i++) {
		ani_labels known;
		np_decision d;
		netpol_namespace_labels(c, c->from[i].namespace_,
					namespace_labels_node(ix, c->from[i].namespace_), &known);
		int rc = netpol_decide(spec, pol->namespace_, c, i, &known, &d, &f);
		labels_free(&known);
		if (rc) {
			add_failure(rs, pol, "spec.ingress", &f);
			break;
		}
		if (d.action == NP_ADMITTED) {
			char *src = source_text(&c->from[i]),
			     *all = config_ports_text(c, NULL, ", ");
			char field[64];
			snprintf(field, sizeof field, "spec.ingress[%zu]", d.rule);
			results_add(rs, ANI_SEVERITY_INFO, pol, field, ingress->kids[d.rule],
				    "already admits %s on %s: nothing to change", src, all);
			free(src);
			free(all);
			netpol_decision_free(&d);
		} else {
			changes_add(cs, rs,
				    (ani_change){.kind = d.action == NP_ADD_PORTS ? CHANGE_ADD_PORTS
										  : CHANGE_ADD_RULE,
						 .item = pol,
						 .source = i,
						 .rule = d.rule,
						 .ports = d.missing});
		}
		/* A check also reports what the policy admits beyond the config. */
		if (mode_checks(c->mode))
			report_overbroad(ix, c, pol, i, rs);
	}
}

/* Separate mode: one dedicated policy per source, planned like the target of a merge when it
 * is there, created when it is not. */
static void plan_separate(const ani_index *ix, const ani_config *c, ani_results *rs,
			  ani_changes *cs)
{
	for (size_t i = 0; i < c->n_from; i++) {
		char *name = config_dedicated_policy_name(c, &c->from[i]);
		const ani_item *existing = find_policy(ix, c, name, rs, 0);
		if (existing) {
			plan_policy(ix, c, existing, i, 1, rs, cs);
			free(name);
		} else {
			changes_add(cs, rs,
				    (ani_change){.kind = CHANGE_CREATE_POLICY,
						 .source = i,
						 .policy_name = name});
		}
	}
}

static int named_in(const char *name, char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (eq(name, names[i]))
			return 1;
	return 0;
}

void plan_load_items(const char *buf, ani_index *ix, const ani_config *c, const ani_limits *limits,
		     ani_results *rs)
{
	char **policies = xcalloc(c->n_from + 1, sizeof *policies);
	char **namespaces = xcalloc(c->n_from, sizeof *namespaces);
	policies[0] = c->policy_name;
	for (size_t i = 0; i < c->n_from; i++) {
		namespaces[i] = c->from[i].namespace_;
		policies[i + 1] = config_dedicated_policy_name(c, &c->from[i]);
	}
	for (size_t i = 0; i < ix->n_items; i++) {
		ani_item *it = &ix->items[i];
		int wanted = eq(it->kind, "NetworkPolicy")
				     ? eq(it->api_version, NETPOL_API) &&
					       eq(it->namespace_, c->policy_namespace) &&
					       named_in(it->name, policies, c->n_from + 1)
				     : named_in(it->name, namespaces, c->n_from);
		ani_failure f;
		if (wanted && index_load_item(it, buf, limits, &f))
			add_failure(rs, it, NULL, &f);
	}
	for (size_t i = 0; i < c->n_from; i++)
		free(policies[i + 1]);
	free(policies);
	free(namespaces);
}

void plan_run(const ani_index *ix, const ani_config *c, ani_results *rs, ani_changes *cs)
{
	if (mode_separate(c->mode)) {
		plan_separate(ix, c, rs, cs);
	} else {
		const ani_item *pol = find_policy(ix, c, c->policy_name, rs, 1);
		if (pol)
			plan_policy(ix, c, pol, 0, c->n_from, rs, cs);
		if (!pol && rs->errors)
			return;
	}
	for (size_t i = 0; i < c->n_from; i++)
		plan_namespace_label(ix, c, i, rs, cs);
	cs->plan_results = rs->n;
}

/* ---- check: every change the grant needs is a failure ---- */

/* The command that makes the change `ch` needs, for a check's message; caller frees. */
static char *fix_command(const ani_config *c, const ani_change *ch)
{
	char *ports = config_ports_text(c, ch->ports, ",");
	char *cmd = xasprintf("allow-namespace-ingress%s --policy %s/%s --from-namespace %s "
			      "--port %s < manifests.yaml",
			      mode_separate(c->mode) ? " --mode separate" : "", c->policy_namespace,
			      c->policy_name, c->from[ch->source].namespace_, ports);
	free(ports);
	return cmd;
}

static void check_change(const ani_config *c, const ani_change *ch, ani_results *rs)
{
	const ani_source *s = &c->from[ch->source];
	char *fix = ch->kind == CHANGE_LABEL_NAMESPACE ? NULL : fix_command(c, ch);
	char *src = source_text(s), *missing = config_ports_text(c, ch->ports, ", ");
	switch (ch->kind) {
	case CHANGE_ADD_RULE:
	case CHANGE_ADD_PORTS:
		results_add(rs, ANI_SEVERITY_ERROR, ch->item, "spec.ingress",
			    yt_get(ch->item->spec, "ingress"), "does not admit %s on %s; fix: %s",
			    src, missing, fix);
		break;
	case CHANGE_CREATE_POLICY:
		results_add(rs, ANI_SEVERITY_ERROR, NULL, NULL, NULL,
			    "NetworkPolicy %s/%s, which admits namespace %s, is not in the input; "
			    "fix: %s",
			    c->policy_namespace, ch->policy_name, s->namespace_, fix);
		break;
	case CHANGE_LABEL_NAMESPACE:
		results_add(rs, ANI_SEVERITY_ERROR, ch->item, "metadata.labels", ch->item->metadata,
			    "lacks the label %s=%s that the rule selects", c->namespace_label,
			    s->namespace_);
		break;
	}
	free(fix);
	free(src);
	free(missing);
}

void plan_check(const ani_config *c, const ani_changes *cs, ani_results *rs)
{
	size_t shift = 0;
	for (size_t i = 0; i < cs->n; i++) {
		rs->cursor = cs->v[i].result_at + shift + 1;
		check_change(c, &cs->v[i], rs);
		shift++;
	}
	rs->cursor = 0;
}

/* ---- write: every change becomes an edit ---- */

/* Where a created policy goes: kpt keeps a new resource in the package next to the file of an
 * item in the same namespace. */
static char *dedicated_policy_path(const ani_index *ix, const ani_config *c, const char *name)
{
	const ani_item *anchor = NULL;
	for (size_t i = 0; i < ix->n_items && !anchor; i++)
		if (ix->items[i].file_path && eq(ix->items[i].namespace_, c->policy_namespace))
			anchor = &ix->items[i];
	for (size_t i = 0; i < ix->n_items && !anchor; i++)
		if (ix->items[i].file_path)
			anchor = &ix->items[i];
	if (!anchor)
		return NULL;
	const char *slash = strrchr(anchor->file_path, '/');
	if (!slash)
		return xasprintf("%s.yaml", name);
	return xasprintf("%.*s/%s.yaml", (int)(slash - anchor->file_path), anchor->file_path, name);
}

static void write_label(const char *buf, size_t len, const ani_config *c, const ani_change *ch,
			ani_results *rs, ani_edits *e)
{
	const ani_item *ns_item = ch->item;
	const char *ns = c->from[ch->source].namespace_;
	if (ch->declined) {
		results_add(rs, ANI_SEVERITY_WARNING, ns_item, "metadata.labels", ns_item->metadata,
			    "lacks the label %s=%s that the rule selects", c->namespace_label, ns);
		return;
	}
	ani_failure f;
	const yt_node *md = ns_item->metadata;
	if (item_check_editable(ns_item, &f) || edit_check_editable(md, "metadata", &f)) {
		add_failure(rs, ns_item, "metadata", &f);
		return;
	}
	edit_style st = edit_style_for(buf, len, ns_item);
	const yt_node *labels = yt_get(md, "labels");
	int ok;
	if (!yt_is_null(labels)) {
		ok = !edit_set_in_mapping(e, &st, labels, c->namespace_label, gen_string(ns), &f);
	} else {
		gen_value *map = gen_add(gen_map(), c->namespace_label, gen_string(ns));
		ok = !edit_set_in_mapping(e, &st, md, "labels", map, &f);
	}
	if (!ok) {
		add_failure(rs, ns_item, "metadata.labels", &f);
		return;
	}
	results_add(rs, ANI_SEVERITY_INFO, ns_item, "metadata.labels",
		    yt_is_null(labels) ? md : labels, "labelled %s=%s", c->namespace_label, ns);
}

static void write_ports(const char *buf, size_t len, const ani_config *c, const ani_change *ch,
			ani_results *rs, ani_edits *e)
{
	const ani_item *pol = ch->item;
	const yt_node *spec = pol->spec, *ingress = yt_get(spec, "ingress");
	const yt_node *rule = ingress->kids[ch->rule], *ports = yt_get(rule, "ports");
	char field[64], rule_field[64];
	snprintf(field, sizeof field, "spec.ingress[%zu].ports", ch->rule);
	snprintf(rule_field, sizeof rule_field, "spec.ingress[%zu]", ch->rule);
	ani_failure f;
	if (item_check_editable(pol, &f) || edit_check_editable(spec, "spec", &f) ||
	    edit_check_editable(ingress, "spec.ingress", &f) ||
	    edit_check_editable(rule, rule_field, &f) || edit_check_editable(ports, field, &f)) {
		add_failure(rs, pol, field, &f);
		return;
	}
	gen_value *items = gen_seq();
	for (size_t p = 0; p < c->n_ports; p++)
		if (ch->ports[p])
			gen_add(items, NULL, gen_port(&c->ports[p]));
	edit_style st = edit_style_for(buf, len, pol);
	edit_append_to_sequence(e, &st, ports, items);
	char *missing = config_ports_text(c, ch->ports, ", "),
	     *src = source_text(&c->from[ch->source]);
	results_add(rs, ANI_SEVERITY_INFO, pol, field, ports, "added %s to the rule that admits %s",
		    missing, src);
	free(missing);
	free(src);
}

/* The new rules of one policy, changes [*i, ...) while they add rules to it, in one edit. */
static void write_rules(const char *buf, size_t len, const ani_config *c, const ani_changes *cs,
			size_t *i, ani_results *rs, ani_edits *e)
{
	const ani_item *pol = cs->v[*i].item;
	const yt_node *spec = pol->spec, *ingress = yt_get(spec, "ingress");
	size_t n_rules = ingress && ingress->kind == YT_SEQUENCE ? ingress->n : 0;
	gen_value *rules = gen_seq();
	for (; *i < cs->n && cs->v[*i].kind == CHANGE_ADD_RULE && cs->v[*i].item == pol; (*i)++) {
		const ani_source *s = &c->from[cs->v[*i].source];
		rs->cursor = cs->v[*i].result_at + rs->n - cs->plan_results + 1;
		char field[64];
		snprintf(field, sizeof field, "spec.ingress[%zu]", n_rules + gen_len(rules));
		gen_add(rules, NULL, gen_rule(c, s));
		char *src = source_text(s), *all = config_ports_text(c, NULL, ", ");
		results_add(rs, ANI_SEVERITY_INFO, pol, field,
			    ingress && !yt_is_null(ingress) ? ingress : spec,
			    "added an ingress rule admitting %s on %s", src, all);
		free(src);
		free(all);
	}
	(*i)--;
	ani_failure f;
	edit_style st = edit_style_for(buf, len, pol);
	if (item_check_editable(pol, &f) || edit_check_editable(spec, "spec", &f) ||
	    edit_check_editable(ingress, "spec.ingress", &f)) {
		gen_free(rules);
		add_failure(rs, pol, "spec.ingress", &f);
	} else if (yt_is_null(ingress)) {
		if (edit_set_in_mapping(e, &st, spec, "ingress", rules, &f))
			add_failure(rs, pol, "spec.ingress", &f);
	} else {
		edit_append_to_sequence(e, &st, ingress, rules);
	}
}

static void write_policy(const char *buf, size_t len, const ani_index *ix, const ani_config *c,
			 const ani_change *ch, size_t *appended, ani_results *rs, ani_edits *e)
{
	const ani_source *s = &c->from[ch->source];
	char *path = dedicated_policy_path(ix, c, ch->policy_name);
	const ani_item *style_item = find_policy(ix, c, c->policy_name, rs, 0);
	edit_style st = edit_style_for(buf, len, style_item);
	gen_value *pol = gen_dedicated_policy(c, s, ch->policy_name, path);
	if (ix->kind == ANI_INPUT_STREAM) {
		edit_append_document(e, &st, pol);
	} else if (!ix->items_end) {
		gen_free(pol);
		results_add(rs, ANI_SEVERITY_ERROR, NULL, NULL, NULL,
			    "cannot add NetworkPolicy %s/%s: the ResourceList's items is null",
			    c->policy_namespace, ch->policy_name);
		free(path);
		return;
	} else {
		edit_sequence_end where = {
			.flow = ix->items_flow,
			.nonempty = ix->total_items + *appended > 0,
			.dash_col = ix->items_col,
			.at = ix->items_flow && !ix->total_items ? ix->items_end - 1
								 : ix->items_last,
		};
		edit_append_items(e, &st, &where, gen_add(gen_seq(), NULL, pol));
		(*appended)++;
	}
	const ani_item created = {.api_version = NETPOL_API,
				  .kind = "NetworkPolicy",
				  .name = ch->policy_name,
				  .namespace_ = c->policy_namespace,
				  .file_path = path,
				  .file_index = -1};
	char *ports = config_ports_text(c, NULL, ", "), *src = source_text(s);
	results_add(rs, ANI_SEVERITY_INFO, &created, NULL, NULL,
		    "created, admitting %s to pods %s=%s on %s%s%s", src,
		    c->separate_pods.n ? c->separate_pods.v[0].key : "",
		    c->separate_pods.n ? c->separate_pods.v[0].value : "", ports,
		    path ? " in " : "", path ? path : "");
	free(ports);
	free(src);
	free(path);
}

void plan_write(const char *buf, size_t len, const ani_index *ix, const ani_config *c,
		const ani_changes *cs, ani_results *rs, ani_edits *e)
{
	size_t appended = 0; /* policies already added to the items: the next needs a separator */
	for (size_t i = 0; i < cs->n; i++) {
		rs->cursor = cs->v[i].result_at + rs->n - cs->plan_results + 1;
		switch (cs->v[i].kind) {
		case CHANGE_ADD_RULE:
			write_rules(buf, len, c, cs, &i, rs, e);
			break;
		case CHANGE_ADD_PORTS:
			write_ports(buf, len, c, &cs->v[i], rs, e);
			break;
		case CHANGE_CREATE_POLICY:
			write_policy(buf, len, ix, c, &cs->v[i], &appended, rs, e);
			break;
		case CHANGE_LABEL_NAMESPACE:
			write_label(buf, len, c, &cs->v[i], rs, e);
			break;
		}
	}
	rs->cursor = 0;
}
