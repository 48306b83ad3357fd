/* SPDX-License-Identifier: Apache-2.0 */
#include "access.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* The container ports of a workload's pods (one port list per container). */
static void read_container_ports(acc_pod *p, const ani_item *it)
{
	for (size_t i = 0; i < it->n_container_ports; i++) {
		const yt_node *ports = it->container_ports[i];
		for (size_t j = 0; ports->kind == YT_SEQUENCE && j < ports->n; j++) {
			const yt_node *q = yt_deref(ports->kids[j]),
				      *name = yt_get_deref(q, "name"),
				      *proto = yt_get_deref(q, "protocol");
			long long number;
			if (!yt_int(yt_get_deref(q, "containerPort"), &number) || number < 1 ||
			    number > 65535)
				continue;
			p->ports = xrealloc(p->ports, (p->n_ports + 1) * sizeof *p->ports);
			acc_container_port *cp = &p->ports[p->n_ports++];
			cp->name = yt_go_string(name) ? xstrdup(name->value) : NULL;
			cp->port = (long)number;
			text_format(cp->protocol, sizeof cp->protocol, "%s",
				    yt_go_string(proto) ? proto->value : "TCP");
		}
	}
}

static void add_selector_pod(acc_model *m, const np_selector *sel)
{
	acc_pod *p = &m->pods[m->n_pods++];
	memset(p, 0, sizeof *p);
	for (size_t i = 0; i < sel->n; i++)
		if (sel->v[i].op == NP_IN && sel->v[i].n_values == 1)
			labels_add(&p->labels, sel->v[i].key, sel->v[i].values[0]);
}

int access_build(acc_model *m, const ani_index *ix, const char *namespace_, const np_selector *pods,
		 const np_policy *defining, ani_failure *f, const ani_item **at)
{
	memset(m, 0, sizeof *m);
	m->namespace_ = namespace_;
	m->defining = defining;
	for (size_t i = 0; i < ix->n_items; i++) {
		const ani_item *it = &ix->items[i];
		if (!eq(it->kind, "NetworkPolicy") || !eq(it->api_version, NETPOL_API) ||
		    !eq(it->namespace_, namespace_) || it->local_config || !it->loaded)
			continue;
		if (defining && defining->item == it)
			continue;
		m->policies = xrealloc(m->policies, (m->n_policies + 1) * sizeof *m->policies);
		if (netpol_read(it, &m->policies[m->n_policies], f)) {
			netpol_policy_free(&m->policies[m->n_policies]);
			*at = it;
			return -1;
		}
		m->n_policies++;
	}
	for (size_t i = 0; i < ix->n_items; i++) {
		const ani_item *it = &ix->items[i];
		if (!it->loaded || !eq(it->namespace_, namespace_) || it->local_config ||
		    !it->has_pod_template)
			continue;
		ani_labels labels = {0};
		netpol_labels_from_node(it->pod_labels, &labels);
		if (!netpol_selector_matches(pods, &labels)) {
			labels_free(&labels);
			continue;
		}
		m->pods = xrealloc(m->pods, (m->n_pods + 1) * sizeof *m->pods);
		acc_pod *p = &m->pods[m->n_pods++];
		memset(p, 0, sizeof *p);
		p->labels = labels;
		p->complete = 1;
		p->workload = it;
		read_container_ports(p, it);
	}
	if (!m->n_pods) {
		m->pods = xcalloc(1, sizeof *m->pods);
		add_selector_pod(m, pods);
	}
	return 0;
}

void access_free(acc_model *m)
{
	for (size_t i = 0; i < m->n_policies; i++)
		netpol_policy_free(&m->policies[i]);
	xfree(m->policies);
	for (size_t i = 0; i < m->n_pods; i++) {
		labels_free(&m->pods[i].labels);
		for (size_t j = 0; j < m->pods[i].n_ports; j++)
			xfree(m->pods[i].ports[j].name);
		xfree(m->pods[i].ports);
	}
	xfree(m->pods);
	memset(m, 0, sizeof *m);
}

/* 1: the policy selects the pod; 0: it does not; -1: it may select it. */
static int selects(const acc_model *m, const np_policy *p, const acc_pod *pod)
{
	if (pod->complete)
		return netpol_selector_matches(&p->pods, &pod->labels);
	if (p == m->defining || netpol_selector_implied(&p->pods, &pod->labels))
		return 1;
	return netpol_selector_may_match(&p->pods, &pod->labels) ? -1 : 0;
}

int access_peer_admits(const np_peer *p, const char *policy_ns, const char *src_ns,
		       const ani_labels *ns_labels, const ani_labels *src_pods)
{
	if (p->ip_block)
		return 0; /* cluster-external addresses; pod traffic is up to the CNI */
	if (p->has_namespaces ? !netpol_selector_implied(&p->namespaces, ns_labels)
			      : !eq(policy_ns, src_ns))
		return 0;
	return netpol_selector_implied(&p->pods, src_pods);
}

static int rule_admits(const np_rule *r, const char *policy_ns, const char *src_ns,
		       const ani_labels *ns_labels, const ani_labels *src_pods)
{
	if (r->every_peer)
		return 1;
	for (size_t i = 0; i < r->n_peers; i++)
		if (access_peer_admits(&r->peers[i], policy_ns, src_ns, ns_labels, src_pods))
			return 1;
	return 0;
}

typedef struct {
	long lo, hi;
} interval;

typedef struct {
	interval *v;
	size_t n;
	int every; /* every port of the protocol */
	const char **names;
	size_t n_names;
} port_set;

static const acc_container_port *container_port(const acc_pod *pod, const char *name,
						const char *protocol)
{
	for (size_t i = 0; i < pod->n_ports; i++)
		if (eq(pod->ports[i].name, name) && !strcmp(pod->ports[i].protocol, protocol))
			return &pod->ports[i];
	return NULL;
}

static void port_set_add(port_set *s, const np_rule *r, const char *protocol, const acc_pod *pod)
{
	if (r->every_port) {
		s->every = 1;
		return;
	}
	for (size_t i = 0; i < r->n_ports; i++) {
		const np_port *e = &r->ports[i];
		if (strcmp(e->protocol, protocol))
			continue;
		if (!e->port && !e->name) {
			s->every = 1;
			continue;
		}
		long lo = e->port, hi = e->end_port;
		if (e->name) {
			s->names = xrealloc(s->names, (s->n_names + 1) * sizeof *s->names);
			s->names[s->n_names++] = e->name;
			/* A named port is the pod's container port of that name, if it has one. */
			const acc_container_port *cp = container_port(pod, e->name, protocol);
			if (!cp)
				continue;
			lo = hi = cp->port;
		}
		s->v = xrealloc(s->v, (s->n + 1) * sizeof *s->v);
		s->v[s->n++] = (interval){lo, hi};
	}
}

static int compare_intervals(const void *a, const void *b)
{
	const interval *x = a, *y = b;
	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* 1 when the intervals together cover lo..hi. */
static int covers(port_set *s, long lo, long hi)
{
	if (s->every)
		return 1;
	if (s->n)
		qsort(s->v, s->n, sizeof *s->v, compare_intervals);
	long next = lo;
	for (size_t i = 0; i < s->n && next <= hi; i++)
		if (s->v[i].lo <= next && s->v[i].hi >= next)
			next = s->v[i].hi + 1;
	return next > hi;
}

static int port_set_admits(port_set *s, const ani_port *want, const acc_pod *pod)
{
	if (!want->name)
		return covers(s, want->port, want->end_port ? want->end_port : want->port);
	for (size_t i = 0; i < s->n_names; i++)
		if (!strcmp(s->names[i], want->name))
			return 1;
	const acc_container_port *cp = container_port(pod, want->name, want->protocol);
	return cp ? covers(s, cp->port, cp->port) : covers(s, 1, 65535);
}

static void port_set_free(port_set *s)
{
	xfree(s->v);
	xfree(s->names);
	memset(s, 0, sizeof *s);
}

/* Judges one pod: isolation, and for each configured port whether the union admits it. */
static acc_isolation judge_pod(const acc_model *m, const acc_pod *pod, const char *src_ns,
			       const ani_labels *ns_labels, const ani_labels *src_pods,
			       const ani_config *c, acc_verdict *v)
{
	const np_policy **sure = xcalloc(m->n_policies + 1, sizeof *sure);
	size_t n_sure = 0;
	acc_isolation iso = ACC_NOT_ISOLATED;
	const np_policy *isolating = NULL;
	for (size_t i = 0; i <= m->n_policies; i++) {
		const np_policy *p = i < m->n_policies ? &m->policies[i] : m->defining;
		if (!p || !p->ingress)
			continue;
		int s = selects(m, p, pod);
		if (s == 1) {
			sure[n_sure++] = p;
			if (iso != ACC_ISOLATED)
				isolating = p;
			iso = ACC_ISOLATED;
		} else if (s == -1 && iso == ACC_NOT_ISOLATED) {
			iso = ACC_MAYBE_ISOLATED;
			isolating = p;
		}
	}
	if (isolating && (!v->isolating || iso == ACC_ISOLATED))
		v->isolating = isolating;
	for (size_t q = 0; q < c->n_ports; q++) {
		if (iso == ACC_NOT_ISOLATED)
			continue;
		port_set set = {0};
		for (size_t i = 0; i < n_sure; i++) {
			const np_policy *p = sure[i];
			for (size_t r = 0; r < p->n_in; r++) {
				if (!rule_admits(&p->in[r], p->item->namespace_, src_ns, ns_labels,
						 src_pods))
					continue;
				port_set_add(&set, &p->in[r], c->ports[q].protocol, pod);
				if (!v->by) {
					v->by = p;
					v->by_rule = r;
				}
			}
		}
		if (!port_set_admits(&set, &c->ports[q], pod))
			v->missing[q] = 1;
		port_set_free(&set);
	}
	xfree(sure);
	return iso;
}

void access_judge(const acc_model *m, const char *src_ns, const ani_labels *ns_labels,
		  const ani_labels *src_pods, const ani_config *c, acc_verdict *v)
{
	memset(v, 0, sizeof *v);
	v->n_missing = c->n_ports;
	v->missing = xcalloc(c->n_ports ? c->n_ports : 1, sizeof *v->missing);
	size_t count[3] = {0};
	for (size_t i = 0; i < m->n_pods; i++)
		count[judge_pod(m, &m->pods[i], src_ns, ns_labels, src_pods, c, v)]++;
	v->isolation = count[ACC_ISOLATED] == m->n_pods	      ? ACC_ISOLATED
		       : count[ACC_NOT_ISOLATED] == m->n_pods ? ACC_NOT_ISOLATED
							      : ACC_MAYBE_ISOLATED;
	v->admitted = 1;
	for (size_t q = 0; q < c->n_ports; q++)
		if (v->missing[q])
			v->admitted = 0;
	if (!v->admitted)
		v->by = NULL;
}

int access_selects_every_pod(const acc_model *m, const np_policy *p)
{
	for (size_t i = 0; i < m->n_pods; i++)
		if (selects(m, p, &m->pods[i]) != 1)
			return 0;
	return 1;
}

int access_egress_blocker(const acc_model *m, const ani_index *ix, const ani_source *s,
			  const ani_labels *dest_ns_labels, const ani_config *c,
			  const ani_item **blocking, ani_failure *f, const ani_item **at)
{
	*blocking = NULL;
	np_policy *sure = NULL;
	size_t n_sure = 0;
	const ani_item *isolating = NULL;
	int rc = 0;
	for (size_t i = 0; i < ix->n_items && !rc; i++) {
		const ani_item *it = &ix->items[i];
		if (!eq(it->kind, "NetworkPolicy") || !eq(it->api_version, NETPOL_API) ||
		    !eq(it->namespace_, s->namespace_) || it->local_config || !it->loaded)
			continue;
		np_policy p;
		if (netpol_read(it, &p, f)) {
			*at = it;
			rc = -1;
		} else if (p.egress && netpol_selector_may_match(&p.pods, &s->pods)) {
			if (!isolating)
				isolating = it;
			if (netpol_selector_implied(&p.pods, &s->pods)) {
				sure = xrealloc(sure, (n_sure + 1) * sizeof *sure);
				sure[n_sure++] = p;
				continue;
			}
		}
		netpol_policy_free(&p);
	}
	for (size_t d = 0; !rc && isolating && !*blocking && d < m->n_pods; d++) {
		const acc_pod *pod = &m->pods[d];
		for (size_t q = 0; q < c->n_ports && !*blocking; q++) {
			port_set set = {0};
			for (size_t i = 0; i < n_sure; i++)
				for (size_t r = 0; r < sure[i].n_out; r++)
					if (rule_admits(&sure[i].out[r], s->namespace_,
							m->namespace_, dest_ns_labels,
							&pod->labels))
						port_set_add(&set, &sure[i].out[r],
							     c->ports[q].protocol, pod);
			if (!port_set_admits(&set, &c->ports[q], pod))
				*blocking = isolating;
			port_set_free(&set);
		}
	}
	for (size_t i = 0; i < n_sure; i++)
		netpol_policy_free(&sure[i]);
	xfree(sure);
	return rc;
}

void access_verdict_free(acc_verdict *v)
{
	xfree(v->missing);
	memset(v, 0, sizeof *v);
}

static void port_words(tbuf *b, const np_port *e)
{
	if (e->name)
		tb_puts(b, e->name);
	else if (!e->port)
		tb_puts(b, "every port");
	else if (e->end_port != e->port)
		tb_printf(b, "%ld-%ld", e->port, e->end_port);
	else
		tb_printf(b, "%ld", e->port);
	tb_printf(b, "/%s", e->protocol);
}

/* 1 when the entry admits only ports the config asks for. */
static int port_entry_configured(const np_port *e, const ani_config *c)
{
	for (size_t i = 0; i < c->n_ports; i++) {
		const ani_port *p = &c->ports[i];
		if (strcmp(e->protocol, p->protocol))
			continue;
		if (e->name ? eq(e->name, p->name)
			    : e->port && !p->name && p->port <= e->port &&
				      e->end_port <= (p->end_port ? p->end_port : p->port))
			return 1;
	}
	return 0;
}

char *access_rule_overbroad(const np_rule *r, const char *policy_ns, const ani_config *c,
			    const ani_source *s, const ani_labels *ns_labels)
{
	if (!rule_admits(r, policy_ns, s->namespace_, ns_labels, &s->pods))
		return NULL;
	tbuf why = {0};
	ani_label by_config = {c->namespace_label, s->namespace_};
	ani_label by_name = {METADATA_NAME_LABEL, s->namespace_};
	ani_labels want_config = {&by_config, 1}, want_name = {&by_name, 1};
	if (r->every_peer)
		tb_puts(&why, "from every source (every namespace and address)");
	for (size_t i = 0; i < r->n_peers; i++) {
		const np_peer *p = &r->peers[i];
		const char *sep = why.len ? ", " : "";
		if (p->ip_block) {
			tb_printf(&why, "%sfrom ipBlock %s", sep, p->ip_block);
			continue;
		}
		if (!access_peer_admits(p, policy_ns, s->namespace_, ns_labels, &s->pods))
			continue;
		if (p->has_namespaces && !p->namespaces.n)
			tb_printf(&why, "%sfrom every namespace", sep);
		else if (p->has_namespaces &&
			 !netpol_selector_is_exactly(&p->namespaces, &want_name) &&
			 !netpol_selector_is_exactly(&p->namespaces, &want_config))
			tb_printf(&why, "%sfrom every namespace its namespaceSelector selects",
				  sep);
		else if (!netpol_selector_is_exactly(&p->pods, &s->pods))
			tb_printf(&why, "%sfrom more pods of namespace %s than configured", sep,
				  s->namespace_);
	}
	if (r->every_port)
		tb_printf(&why, "%son every port", why.len ? ", " : "");
	for (size_t i = 0; i < r->n_ports; i++) {
		if (port_entry_configured(&r->ports[i], c))
			continue;
		tb_puts(&why, why.len ? ", on " : "on ");
		port_words(&why, &r->ports[i]);
	}
	if (!why.len)
		return NULL;
	return tb_take(&why);
}
