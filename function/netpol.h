/* SPDX-License-Identifier: Apache-2.0 */
/* NetworkPolicy semantics: a policy read as the API server decodes, defaults and validates it
 * (Go YAML integers, quoted ports are names, aliases resolved, policyTypes and protocol
 * defaults), and the label-selector and port rules the access model is built from. */
#ifndef ANI_NETPOL_H
#define ANI_NETPOL_H

#include "model.h"

#define NETPOL_API	    "networking.k8s.io/v1"
#define METADATA_NAME_LABEL "kubernetes.io/metadata.name"

typedef enum { NP_IN, NP_NOT_IN, NP_EXISTS, NP_DOES_NOT_EXIST } np_op;

typedef struct {
	const char *key;
	np_op op;
	const char **values;
	size_t n_values;
} np_requirement;

/* matchLabels {k: v} is read as {key: k, operator: In, values: [v]}; no requirement selects
 * everything. */
typedef struct {
	np_requirement *v;
	size_t n;
} np_selector;

typedef struct {
	const char *ip_block; /* the cidr of an ipBlock peer, or NULL */
	int has_namespaces;   /* a namespaceSelector; without it, the policy's own namespace */
	np_selector namespaces, pods;
	const yt_node *at;
} np_peer;

typedef struct {
	char protocol[5]; /* TCP, UDP or SCTP (defaulted) */
	const char *name; /* a named port, or NULL */
	long port;	  /* 0: every port of the protocol */
	long end_port;	  /* == port when not a range */
	const yt_node *at;
} np_port;

typedef struct {
	int every_peer; /* from (to) absent or empty */
	np_peer *peers;
	size_t n_peers;
	int every_port; /* ports absent or empty */
	np_port *ports;
	size_t n_ports;
	const yt_node *at;
} np_rule;

typedef struct {
	const ani_item *item;
	np_selector pods;
	int ingress, egress; /* spec.policyTypes, defaulted */
	np_rule *in, *out;
	size_t n_in, n_out;
	yt_arena arena;
} np_policy;

/* Reads a loaded networking.k8s.io/v1 NetworkPolicy. Returns 0, or -1 with `f` naming the field
 * the API server would reject or the decision cannot read (an alias to an anchor outside the
 * resource, a duplicate or merge key). */
int netpol_read(const ani_item *it, np_policy *p, ani_failure *f);
void netpol_policy_free(np_policy *p);

/* Reads a metadata.labels-like mapping of strings into `out` (non-strings are skipped). */
void netpol_labels_from_node(const yt_node *map, ani_labels *out);

/* 1 when the selector selects every object that carries `labels` (and perhaps more). */
int netpol_selector_implied(const np_selector *s, const ani_labels *labels);
/* 0 when the selector selects no object that carries `labels` (and perhaps more). */
int netpol_selector_may_match(const np_selector *s, const ani_labels *labels);
/* 1 when the selector selects the object whose labels are exactly `labels`. */
int netpol_selector_matches(const np_selector *s, const ani_labels *labels);
/* 1 when the selector's requirements are exactly "key In [value]" for each of `want`. */
int netpol_selector_is_exactly(const np_selector *s, const ani_labels *want);

/* The selector {matchLabels: labels}, allocated in `a`. */
void netpol_selector_from_labels(const ani_labels *labels, np_selector *out, yt_arena *a);

#endif
