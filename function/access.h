/* SPDX-License-Identifier: Apache-2.0 */
/* The effective access to a namespace's pods, as the cluster enforces it: a pod is isolated for
 * ingress when a NetworkPolicy of its namespace selects it with Ingress in its policyTypes, and
 * then admits what any rule of any policy selecting it admits. Every verdict (merge, check,
 * separate) comes from this one model. */
#ifndef ANI_ACCESS_H
#define ANI_ACCESS_H

#include "netpol.h"

typedef struct {
	char *name; /* NULL when unnamed */
	long port;
	char protocol[5];
} acc_container_port;

/* A destination pod: the pod template of a workload in the input (labels and container ports
 * known), or, without one, "a pod the destination selector selects", known only by the labels
 * the selector requires. */
typedef struct {
	ani_labels labels;
	int complete;
	const ani_item *workload; /* NULL for the pod known only by the selector */
	acc_container_port *ports;
	size_t n_ports;
} acc_pod;

typedef struct {
	const char *namespace_;
	np_policy *policies; /* the namespace's networking.k8s.io/v1 NetworkPolicies */
	size_t n_policies;
	const np_policy *defining; /* the policy whose podSelector chose the pods, or NULL */
	acc_pod *pods;
	size_t n_pods;
} acc_model;

typedef enum { ACC_NOT_ISOLATED, ACC_MAYBE_ISOLATED, ACC_ISOLATED } acc_isolation;

typedef struct {
	acc_isolation isolation;    /* of the destination pods, the least certain of them */
	const np_policy *isolating; /* a policy that (maybe) isolates them */
	int *missing;		    /* per configured port: 1 when some pod does not admit it */
	size_t n_missing;
	int admitted;	     /* on every configured port */
	const np_policy *by; /* a policy with a rule that admits the source, or NULL */
	size_t by_rule;
} acc_verdict;

/* Reads every v1 NetworkPolicy of `namespace_` (loaded items of the index) and chooses the
 * destination pods: the workloads of that namespace `pods` selects, else the selector's pod.
 * `defining` (may be NULL) is the policy `pods` belongs to. Returns 0, or -1 with `f` and `*at`
 * set when a policy cannot be read. */
int access_build(acc_model *m, const ani_index *ix, const char *namespace_, const np_selector *pods,
		 const np_policy *defining, ani_failure *f, const ani_item **at);
void access_free(acc_model *m);

/* The verdict for the pods `src_pods` (complete: 0) of namespace `src_ns`, which carries
 * `ns_labels` (and perhaps more), on the configured ports. */
void access_judge(const acc_model *m, const char *src_ns, const ani_labels *ns_labels,
		  const ani_labels *src_pods, const ani_config *c, acc_verdict *v);
void access_verdict_free(acc_verdict *v);

/* 1 when policy `p` selects every destination pod. */
int access_selects_every_pod(const acc_model *m, const np_policy *p);

/* Both ends: a policy of the source namespace that isolates the source pods for egress while
 * no egress rule (of any policy selecting them) admits every destination pod on every configured
 * port; *blocking is NULL when there is none. Returns -1 with `f` and `*at` set when a policy of
 * the source namespace cannot be read. */
int access_egress_blocker(const acc_model *m, const ani_index *ix, const ani_source *s,
			  const ani_labels *dest_ns_labels, const ani_config *c,
			  const ani_item **blocking, ani_failure *f, const ani_item **at);

/* 1 when peer `p` of a policy in `policy_ns` surely admits those pods of `src_ns`. */
int access_peer_admits(const np_peer *p, const char *policy_ns, const char *src_ns,
		       const ani_labels *ns_labels, const ani_labels *src_pods);

/* What rule `r` (of a policy in `policy_ns`) admits beyond the configured grant for the source,
 * as words ("from every namespace", "on 80-9090/TCP", "from ipBlock 0.0.0.0/0"); NULL when
 * nothing, or when the rule does not admit the source. Caller frees. */
char *access_rule_overbroad(const np_rule *r, const char *policy_ns, const ani_config *c,
			    const ani_source *s, const ani_labels *ns_labels);

#endif
