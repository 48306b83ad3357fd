/* SPDX-License-Identifier: Apache-2.0 */
#include "plan.h"

#include "access.h"
#include "netpol.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	text_format(
		f->message, sizeof f->message,
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
	/* A check cannot verify without the policy (onMissingPolicy: auto). */
	int fails = c->on_missing_error < 0 ? mode_checks(c->mode) : c->on_missing_error;
	results_add(rs, fails ? ANI_SEVERITY_ERROR : ANI_SEVERITY_WARNING, NULL, NULL, NULL,
		    "NetworkPolicy %s/%s is not in the input: nothing %s%s%s", c->policy_namespace,
		    name, mode_checks(c->mode) ? "verified" : "merged", near.p ? near.p : "",
		    fails && mode_checks(c->mode)
			    ? " (for an input that is knowingly partial: onMissingPolicy: warn)"
			    : "");
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
		xfree(cs->v[i].ports);
		xfree(cs->v[i].policy_name);
	}
	xfree(cs->v);
	memset(cs, 0, sizeof *cs);
}

/* ---- planning: what the grant needs, the same in every mode ---- */

typedef struct {
	const ani_index *ix;
	const ani_config *c;
	ani_results *rs;
	ani_changes *cs;
	int *needs_label; /* per source: the grant relies on the configured Namespace label */
} planner;

/* The loaded item of that identity (any namespace when NULL), not local-config. */
static const ani_item *find_loaded(const ani_index *ix, const char *api_version, const char *kind,
				   const char *name, const char *namespace_)
{
	for (size_t i = 0; i < ix->n_items; i++) {
		const ani_item *it = &ix->items[i];
		if (it->loaded && !it->local_config && eq(it->kind, kind) &&
		    eq(it->api_version, api_version) && eq(it->name, name) &&
		    (!namespace_ || eq(it->namespace_, namespace_)))
			return it;
	}
	return NULL;
}

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

/* Other Namespaces of the input that carry <namespaceLabel>: <source>: the rule admits them too. */
static void report_label_collisions(planner *pl, const ani_source *s)
{
	const ani_config *c = pl->c;
	for (size_t i = 0; i < pl->ix->n_items; i++) {
		const ani_item *it = &pl->ix->items[i];
		if (!it->loaded || !eq(it->kind, "Namespace") || !eq(it->api_version, "v1") ||
		    eq(it->name, s->namespace_))
			continue;
		ani_labels labels = {0};
		netpol_labels_from_node(it->namespace_labels, &labels);
		if (eq(labels_get(&labels, c->namespace_label), s->namespace_))
			results_add(
				pl->rs,
				mode_checks(c->mode) ? ANI_SEVERITY_ERROR : ANI_SEVERITY_WARNING,
				it, "metadata.labels", it->metadata,
				"carries the label %s=%s too, so the rule for namespace %s "
				"admits it as well; select by %s, which the API server sets and "
				"no user can change (namespaceLabel: %s)",
				c->namespace_label, s->namespace_, s->namespace_,
				METADATA_NAME_LABEL, METADATA_NAME_LABEL);
		labels_free(&labels);
	}
}

/* The label the grant relies on: there, or a change, or a finding saying why it cannot be. */
static void plan_namespace_label(planner *pl, size_t src)
{
	const ani_config *c = pl->c;
	const char *ns = c->from[src].namespace_;
	int failed = 0;
	const ani_item *ns_item = find_namespace(pl->ix, ns, pl->rs, &failed);
	if (failed || !strcmp(c->namespace_label, METADATA_NAME_LABEL))
		return;
	report_label_collisions(pl, &c->from[src]);
	if (!ns_item) {
		int fails = mode_checks(c->mode) && !c->assume_namespace_label;
		results_add(
			pl->rs, fails ? ANI_SEVERITY_ERROR : ANI_SEVERITY_WARNING, NULL, NULL, NULL,
			"Namespace %s is not in the input: it must carry the label %s=%s in the "
			"cluster for the rule to match%s",
			ns, c->namespace_label, ns,
			fails ? " (cannot verify: put the Namespace in the input, set "
				"assumeNamespaceLabel: true, or select by "
				"kubernetes.io/metadata.name)"
			      : "");
		return;
	}
	if (namespace_label_state(ns_item, c, ns, pl->rs) != 0)
		return;
	/* Exit 0 means the source is admitted: a label this run may not add fails it. */
	if (!c->label_namespace)
		results_add(
			pl->rs, ANI_SEVERITY_ERROR, ns_item, "metadata.labels", ns_item->metadata,
			"lacks the label %s=%s that the rule selects, and labelNamespace is false: "
			"the rule does not admit it; label it in the input, or select by "
			"kubernetes.io/metadata.name",
			c->namespace_label, ns);
	else
		changes_add(pl->cs, pl->rs,
			    (ani_change){.kind = CHANGE_LABEL_NAMESPACE,
					 .item = ns_item,
					 .source = src});
}

/* The rule of `p` whose one peer is exactly the source's and that lists ports, or p->n_in. */
static size_t exact_peer_rule(const np_policy *p, const ani_config *c, const ani_source *s)
{
	ani_label by_config = {c->namespace_label, s->namespace_};
	ani_label by_name = {METADATA_NAME_LABEL, s->namespace_};
	ani_labels want_config = {&by_config, 1}, want_name = {&by_name, 1};
	for (size_t i = 0; i < p->n_in; i++) {
		const np_rule *r = &p->in[i];
		if (r->every_peer || r->n_peers != 1 || r->every_port)
			continue;
		const np_peer *peer = &r->peers[0];
		if (!peer->ip_block && peer->has_namespaces &&
		    (netpol_selector_is_exactly(&peer->namespaces, &want_config) ||
		     netpol_selector_is_exactly(&peer->namespaces, &want_name)) &&
		    netpol_selector_is_exactly(&peer->pods, &s->pods))
			return i;
	}
	return p->n_in;
}

typedef enum {
	LABELS_UNFORGEABLE, /* without the configured label, which users can set */
	LABELS_VISIBLE,	    /* as in the input */
	LABELS_GRANTED	    /* with the configured label, as the grant will have it */
} label_view;

/* The labels the source namespace is known to carry: the one Kubernetes sets and its Namespace
 * object's, seen as `view` says (the label itself is planned on its own). */
static void source_namespace_labels(const planner *pl, const ani_source *s, label_view view,
				    ani_labels *out)
{
	const ani_config *c = pl->c;
	memset(out, 0, sizeof *out);
	labels_add(out, METADATA_NAME_LABEL, s->namespace_);
	const ani_item *ns = find_loaded(pl->ix, "v1", "Namespace", s->namespace_, NULL);
	ani_labels carried = {0};
	if (ns)
		netpol_labels_from_node(ns->namespace_labels, &carried);
	for (size_t i = 0; i < carried.n; i++)
		if (view != LABELS_UNFORGEABLE || strcmp(carried.v[i].key, c->namespace_label))
			labels_add(out, carried.v[i].key, carried.v[i].value);
	labels_free(&carried);
	if (view == LABELS_GRANTED)
		labels_add(out, c->namespace_label, s->namespace_);
}

/* The verdict for source `i`, from the labels no user can forge, then those the Namespace
 * visibly carries, then with the configured label: the grant relies on that label (which
 * other Namespaces may carry too) unless the first admits the source. */
static void judge_source(planner *pl, const acc_model *m, size_t i, acc_verdict *v)
{
	const ani_source *s = &pl->c->from[i];
	for (label_view view = LABELS_UNFORGEABLE;; view++) {
		ani_labels labels;
		source_namespace_labels(pl, s, view, &labels);
		access_judge(m, s->namespace_, &labels, &s->pods, pl->c, v);
		labels_free(&labels);
		pl->needs_label[i] = view != LABELS_UNFORGEABLE;
		if (v->admitted || view == LABELS_GRANTED)
			return;
		access_verdict_free(v);
	}
}

static void labels_text(tbuf *b, const ani_labels *l)
{
	for (size_t i = 0; i < l->n; i++)
		tb_printf(b, "%s%s=%s", i ? "," : "", l->v[i].key, l->v[i].value);
}

static void rule_field(char *field, size_t size, size_t rule)
{
	text_format(field, size, "spec.ingress[%zu]", rule);
}

/* Says that the source is already admitted, and by what. */
static void report_admitted(planner *pl, const acc_verdict *v, size_t i, const char *what)
{
	const ani_config *c = pl->c;
	char *src = source_text(&c->from[i]), *all = config_ports_text(c, NULL, ", ");
	if (v->by) {
		char field[64], relies[200] = "";
		rule_field(field, sizeof field, v->by_rule);
		if (pl->needs_label[i])
			text_format(relies, sizeof relies,
				    " (through the label %.60s=%.60s on its Namespace)",
				    c->namespace_label, c->from[i].namespace_);
		results_add(pl->rs, ANI_SEVERITY_INFO, v->by->item, field, v->by->in[v->by_rule].at,
			    "already admits %s on %s%s: %s", src, all, relies, what);
	} else {
		results_add(pl->rs, ANI_SEVERITY_INFO, NULL, NULL, NULL,
			    "no NetworkPolicy isolates the pods of namespace %s for ingress: every "
			    "source, %s included, already reaches them: %s",
			    pl->c->policy_namespace, src, what);
	}
	xfree(src);
	xfree(all);
}

/* Warns of rules that admit the source more widely than configured, in every policy that
 * selects the destination pods. */
static void report_overbroad(planner *pl, const acc_model *m, size_t src)
{
	const ani_source *s = &pl->c->from[src];
	ani_labels known;
	source_namespace_labels(pl, s, LABELS_GRANTED, &known);
	for (size_t i = 0; i <= m->n_policies; i++) {
		const np_policy *p = i < m->n_policies ? &m->policies[i] : m->defining;
		if (!p || !p->ingress || !access_selects_every_pod(m, p))
			continue;
		for (size_t r = 0; r < p->n_in; r++) {
			char *why = access_rule_overbroad(&p->in[r], p->item->namespace_, pl->c, s,
							  &known);
			if (!why)
				continue;
			char field[64];
			rule_field(field, sizeof field, r);
			results_add(pl->rs, ANI_SEVERITY_WARNING, p->item, field, p->in[r].at,
				    "admits namespace %s more widely than configured: %s",
				    s->namespace_, why);
			xfree(why);
		}
	}
	labels_free(&known);
}

/* Both ends: an egress-isolating policy of the source namespace must let the traffic out. */
static void report_egress(planner *pl, const acc_model *m, size_t src)
{
	const ani_source *s = &pl->c->from[src];
	const ani_item *blocking = NULL;
	ani_failure f;
	const ani_item *bad = NULL;
	ani_labels dest_labels = {0};
	labels_add(&dest_labels, METADATA_NAME_LABEL, pl->c->policy_namespace);
	const ani_item *ns = find_loaded(pl->ix, "v1", "Namespace", pl->c->policy_namespace, NULL);
	if (ns)
		netpol_labels_from_node(ns->namespace_labels, &dest_labels);
	if (access_egress_blocker(m, pl->ix, s, &dest_labels, pl->c, &blocking, &f, &bad))
		add_failure(pl->rs, bad, NULL, &f);
	else if (blocking)
		results_add(pl->rs,
			    mode_checks(pl->c->mode) ? ANI_SEVERITY_ERROR : ANI_SEVERITY_WARNING,
			    blocking, "spec.egress", NULL,
			    "isolates pods of namespace %s for egress and no egress rule admits "
			    "the destination pods in %s on every configured port: the traffic "
			    "stays blocked at the source (this function does not edit the source "
			    "side)",
			    s->namespace_, pl->c->policy_namespace);
	labels_free(&dest_labels);
}

static void report_service_ports(planner *pl, const acc_model *m);

static int *copy_missing(const acc_verdict *v)
{
	int *ports = xcalloc(v->n_missing ? v->n_missing : 1, sizeof *ports);
	if (v->n_missing)
		memcpy(ports, v->missing, v->n_missing * sizeof *ports);
	return ports;
}

/* What policy `pol` needs so that sources [first, first + n) are admitted. */
static void plan_policy(planner *pl, const ani_item *pol, size_t first, size_t n)
{
	const ani_config *c = pl->c;
	ani_results *rs = pl->rs;
	ani_failure f;
	const yt_node *spec = pol->spec;
	if (!spec || spec->kind != YT_MAPPING) {
		results_add(rs, ANI_SEVERITY_ERROR, pol, "spec", spec, "has no spec mapping");
		return;
	}
	np_policy target;
	if (netpol_read(pol, &target, &f)) {
		add_failure(rs, pol, NULL, &f);
		netpol_policy_free(&target);
		return;
	}
	acc_model m;
	const ani_item *bad = NULL;
	if (access_build(&m, pl->ix, pol->namespace_, &target.pods, &target, &f, &bad)) {
		add_failure(rs, bad, NULL, &f);
		netpol_policy_free(&target);
		return;
	}
	for (size_t i = first; i < first + n; i++) {
		const ani_source *s = &c->from[i];
		acc_verdict v;
		judge_source(pl, &m, i, &v);
		if (v.admitted) {
			report_admitted(pl, &v, i, "nothing to change");
		} else if (!target.ingress) {
			char *src = source_text(s),
			     *missing = config_ports_text(c, v.missing, ", ");
			results_add(
				rs, ANI_SEVERITY_ERROR, pol, "spec.policyTypes",
				yt_get(spec, "policyTypes"),
				"does not restrict ingress (policyTypes lacks Ingress), but "
				"NetworkPolicy %s/%s %s its pods and does not admit %s on %s: a "
				"rule here would grant nothing; use mode: separate, or that policy "
				"as the target",
				v.isolating->item->namespace_, v.isolating->item->name,
				v.isolation == ACC_ISOLATED ? "isolates" : "may isolate", src,
				missing);
			xfree(src);
			xfree(missing);
		} else {
			size_t exact = exact_peer_rule(&target, c, s);
			changes_add(pl->cs, rs,
				    (ani_change){.kind = exact < target.n_in ? CHANGE_ADD_PORTS
									     : CHANGE_ADD_RULE,
						 .item = pol,
						 .source = i,
						 .rule = exact,
						 .ports = copy_missing(&v)});
		}
		/* A check also reports what the policies admit beyond the config. */
		if (mode_checks(c->mode))
			report_overbroad(pl, &m, i);
		report_egress(pl, &m, i);
		access_verdict_free(&v);
	}
	report_service_ports(pl, &m);
	access_free(&m);
	netpol_policy_free(&target);
}

/* Separate mode: one dedicated policy per source, planned like the target of a merge when it
 * is there; created when it is not, only if the pods it protects are isolated already (else
 * it would cut off every source it does not list) and the source is not admitted. */
static void plan_separate(planner *pl)
{
	const ani_config *c = pl->c;
	ani_results *rs = pl->rs;
	np_selector pods;
	yt_arena arena = {0};
	netpol_selector_from_labels(&c->separate_pods, &pods, &arena);
	tbuf sel = {0};
	labels_text(&sel, &c->separate_pods);
	for (size_t i = 0; i < c->n_from; i++) {
		const ani_source *s = &c->from[i];
		char *name = config_dedicated_policy_name(c, s);
		const ani_item *existing = find_policy(pl->ix, c, name, rs, 0);
		if (existing) {
			plan_policy(pl, existing, i, 1);
			xfree(name);
			continue;
		}
		acc_model m;
		acc_verdict v;
		ani_failure f;
		const ani_item *bad = NULL;
		if (access_build(&m, pl->ix, c->policy_namespace, &pods, NULL, &f, &bad)) {
			add_failure(rs, bad, NULL, &f);
			xfree(name);
			break;
		}
		judge_source(pl, &m, i, &v);
		if (v.admitted) {
			report_admitted(pl, &v, i, "no dedicated policy needed");
			xfree(name);
		} else if (v.isolation == ACC_MAYBE_ISOLATED) {
			results_add(
				rs, ANI_SEVERITY_ERROR, v.isolating->item, NULL, NULL,
				"may isolate some of the pods %s for ingress: a dedicated "
				"NetworkPolicy %s/%s would isolate the others and cut off the "
				"sources that reach them; put the workloads of %s in the input, "
				"or choose a separatePolicy.podSelector this policy surely selects",
				sel.p, c->policy_namespace, name, c->policy_namespace);
			xfree(name);
		} else {
			changes_add(pl->cs, rs,
				    (ani_change){.kind = CHANGE_CREATE_POLICY,
						 .source = i,
						 .policy_name = name});
		}
		report_egress(pl, &m, i);
		report_service_ports(pl, &m);
		access_verdict_free(&v);
		access_free(&m);
	}
	tb_free(&sel);
	yt_arena_free(&arena);
}

/* NetworkPolicies match the pods' container ports: a configured port that is a Service's port
 * mapped to another target port opens nothing on the pods behind it. */
static void report_service_ports(planner *pl, const acc_model *m)
{
	const ani_config *c = pl->c;
	for (size_t i = 0; i < pl->ix->n_items; i++) {
		const ani_item *svc = &pl->ix->items[i];
		if (!svc->loaded || !eq(svc->kind, "Service") || !eq(svc->api_version, "v1") ||
		    !eq(svc->namespace_, m->namespace_))
			continue;
		ani_labels selector = {0};
		netpol_labels_from_node(svc->service_selector, &selector);
		const acc_pod *behind = NULL;
		for (size_t p = 0; p < m->n_pods && !behind && selector.n; p++) {
			size_t k = 0;
			while (k < selector.n &&
			       eq(labels_get(&m->pods[p].labels, selector.v[k].key),
				  selector.v[k].value))
				k++;
			if (k == selector.n)
				behind = &m->pods[p];
		}
		labels_free(&selector);
		const yt_node *ports = svc->service_ports;
		for (size_t j = 0; behind && ports && ports->kind == YT_SEQUENCE && j < ports->n;
		     j++) {
			const yt_node *sp = ports->kids[j], *target = yt_get(sp, "targetPort");
			long long port, number;
			if (!yt_int(yt_get(sp, "port"), &port) || !target ||
			    (yt_int(target, &number) && number == port))
				continue;
			int configured = 0;
			for (size_t q = 0; q < c->n_ports; q++)
				configured |= !c->ports[q].name && !c->ports[q].end_port &&
					      c->ports[q].port == port;
			int listens = 0;
			for (size_t k = 0; k < behind->n_ports; k++)
				listens |= behind->ports[k].port == port;
			if (!configured || listens)
				continue;
			char field[64], number_text[48] = "";
			text_format(field, sizeof field, "spec.ports[%zu]", j);
			for (size_t k = 0; k < behind->n_ports && target->kind == YT_SCALAR; k++)
				if (eq(behind->ports[k].name, target->value))
					text_format(number_text, sizeof number_text,
						    " (container port %ld)", behind->ports[k].port);
			results_add(
				pl->rs, ANI_SEVERITY_INFO, svc, field, sp,
				"maps port %lld to targetPort %s%s: NetworkPolicies match the "
				"pods' container ports, so the configured port %lld opens nothing "
				"on pods that do not listen on it",
				port, target->kind == YT_SCALAR ? target->value : "?", number_text,
				port);
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

/* 1 when the Namespace carries <namespaceLabel>: <a source>, which the rule would admit. */
static int carries_source_label(const ani_item *ns, const ani_config *c)
{
	ani_labels labels = {0};
	netpol_labels_from_node(ns->namespace_labels, &labels);
	const char *v = labels_get(&labels, c->namespace_label);
	int found = 0;
	for (size_t i = 0; v && i < c->n_from && !found; i++)
		found = !strcmp(v, c->from[i].namespace_);
	labels_free(&labels);
	return found;
}

/* Parses, alone, each item the plan may read: every v1 NetworkPolicy of the policy namespace
 * and of the source namespaces, the workloads and Services of the policy namespace, and the
 * Namespaces (all of them when the label is one a user sets: collisions). */
void plan_load_items(const char *buf, ani_index *ix, const ani_config *c, const ani_limits *limits,
		     ani_results *rs)
{
	char **namespaces = xcalloc(c->n_from + 1, sizeof *namespaces);
	namespaces[0] = c->policy_namespace;
	for (size_t i = 0; i < c->n_from; i++)
		namespaces[i + 1] = c->from[i].namespace_;
	int all_namespaces = strcmp(c->namespace_label, METADATA_NAME_LABEL) != 0;
	for (size_t i = 0; i < ix->n_items; i++) {
		ani_item *it = &ix->items[i];
		int wanted, edited = 0;
		if (eq(it->kind, "NetworkPolicy")) {
			wanted = edited = eq(it->api_version, NETPOL_API) &&
					  named_in(it->namespace_, namespaces, c->n_from + 1);
		} else if (eq(it->kind, "Namespace")) {
			/* The sources' are labelled; the policy's is only read. */
			edited = named_in(it->name, namespaces + 1, c->n_from);
			wanted = all_namespaces || edited || eq(it->name, c->policy_namespace);
		} else {
			wanted = index_is_workload_or_service(it->api_version, it->kind) &&
				 eq(it->namespace_, c->policy_namespace);
		}
		/* What is only read is loaded by its parts; a colliding Namespace is reported at
		 * its labels, so it is loaded whole. */
		ani_failure f;
		if (!wanted)
			continue;
		if (index_load_item(it, buf, limits, !edited, &f)) {
			add_failure(rs, it, NULL, &f);
			continue;
		}
		if (!eq(it->kind, "Namespace") || edited)
			continue;
		/* No collision: memory stays flat in the Namespaces. */
		if (!carries_source_label(it, c))
			index_unload_item(it);
		else if (index_load_item(it, buf, limits, 0, &f))
			add_failure(rs, it, NULL, &f);
	}
	xfree(namespaces);
}

void plan_run(const ani_index *ix, const ani_config *c, ani_results *rs, ani_changes *cs)
{
	planner pl = {ix, c, rs, cs, xcalloc(c->n_from ? c->n_from : 1, sizeof(int))};
	/* Without the target the grant is made elsewhere: label as if it relied on the label. */
	for (size_t i = 0; i < c->n_from; i++)
		pl.needs_label[i] = 1;
	if (mode_separate(c->mode)) {
		plan_separate(&pl);
	} else {
		const ani_item *pol = find_policy(ix, c, c->policy_name, rs, 1);
		if (pol)
			plan_policy(&pl, pol, 0, c->n_from);
		if (!pol && rs->errors) {
			xfree(pl.needs_label);
			return;
		}
	}
	for (size_t i = 0; i < c->n_from; i++)
		if (pl.needs_label[i])
			plan_namespace_label(&pl, i);
	xfree(pl.needs_label);
	cs->plan_results = rs->n;
}

/* ---- check: every change the grant needs is a failure ---- */

/* The command that makes the whole checked config true, for one source. */
static char *fix_command(const ani_config *c, size_t src)
{
	char *cmd = config_command(c, (long)src);
	char *fix = xasprintf("%s < manifests.yaml", cmd);
	xfree(cmd);
	return fix;
}

static void check_change(const ani_config *c, const ani_change *ch, ani_results *rs)
{
	const ani_source *s = &c->from[ch->source];
	char *fix = ch->kind == CHANGE_LABEL_NAMESPACE ? NULL : fix_command(c, ch->source);
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
			    "NetworkPolicy %s/%s, which admits namespace %s, is not in the input, "
			    "and no other policy admits %s on %s; fix: %s",
			    c->policy_namespace, ch->policy_name, s->namespace_, src, missing, fix);
		break;
	case CHANGE_LABEL_NAMESPACE:
		results_add(rs, ANI_SEVERITY_ERROR, ch->item, "metadata.labels", ch->item->metadata,
			    "lacks the label %s=%s that the rule selects", c->namespace_label,
			    s->namespace_);
		break;
	}
	xfree(fix);
	xfree(src);
	xfree(missing);
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
	text_format(field, sizeof field, "spec.ingress[%zu].ports", ch->rule);
	text_format(rule_field, sizeof rule_field, "spec.ingress[%zu]", ch->rule);
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
	xfree(missing);
	xfree(src);
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
		text_format(field, sizeof field, "spec.ingress[%zu]", n_rules + gen_len(rules));
		gen_add(rules, NULL, gen_rule(c, s));
		char *src = source_text(s), *all = config_ports_text(c, NULL, ", ");
		results_add(rs, ANI_SEVERITY_INFO, pol, field,
			    ingress && !yt_is_null(ingress) ? ingress : spec,
			    "added an ingress rule admitting %s on %s", src, all);
		xfree(src);
		xfree(all);
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
		xfree(path);
		return;
	} else {
		edit_sequence_end where = {
			.flow = ix->items_flow,
			.nonempty = ix->total_items + *appended > 0,
			.dash_col = ix->items_col,
			.depth = ix->items_depth,
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
	xfree(ports);
	xfree(src);
	xfree(path);
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
