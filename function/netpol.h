/* NetworkPolicy semantics, as pure functions over the policy's tree: which sources and ports an
 * ingress rule admits, and what the smallest change is that admits a configured source. */
#ifndef ANI_NETPOL_H
#define ANI_NETPOL_H

#include "model.h"

typedef enum {
	NP_ADMITTED,  /* existing rules already admit the source on every port */
	NP_ADD_PORTS, /* rule `rule` has exactly the source's peer: add the missing ports */
	NP_NEW_RULE   /* append a rule {from: [peer], ports: [every configured port]} */
} np_action;

typedef struct {
	np_action action;
	size_t rule;  /* NP_ADD_PORTS: the rule to extend; NP_ADMITTED: a rule that admits */
	int *missing; /* per configured port: 1 when no rule admits the source on it */
	size_t n_missing;
} np_decision;

/* The labels the source namespace is known to carry: the configured one, the one Kubernetes
 * sets, and those of its Namespace object when the input holds it (may be NULL). */
void netpol_namespace_labels(const ani_config *c, const char *ns, const yt_node *ns_labels,
			     ani_labels *out);

/* 1 when `policy_types` (spec.policyTypes, may be NULL) makes the policy isolate ingress. */
int netpol_isolates_ingress(const yt_node *policy_types);

/* 1 when every requirement of a label selector (matchLabels, matchExpressions) holds for
 * every object known to carry `labels` (and perhaps more). A NULL or empty selector selects all. */
int netpol_selector_implied(const yt_node *selector, const ani_labels *labels);

/* 1 when rule `ports` (NULL, empty: every port) admits `want`. */
int netpol_ports_admit(const yt_node *ports, const ani_port *want);

/* Checks the shape of spec.ingress and decides for source `src`. Returns 0, or -1 with `f` set
 * when the policy is malformed where the decision must read it. */
int netpol_decide(const yt_node *spec, const char *policy_namespace, const ani_config *c,
		  size_t src, const ani_labels *ns_labels, np_decision *d, ani_failure *f);
void netpol_decision_free(np_decision *d);

/* When rule `rule` admits source `src`, says how it admits more than the config asks for
 * (every source, more namespaces or pods, other ports); NULL when it does not. Caller frees. */
char *netpol_overbroad(const yt_node *rule, const char *policy_namespace, const ani_config *c,
		       size_t src, const ani_labels *ns_labels);

#endif
