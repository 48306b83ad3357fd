/* From the index and the config to changes, then to edits or findings: finds the target
 * NetworkPolicy and the source Namespaces, asks netpol what each source needs, and words every
 * finding. The same plan serves every mode: merge and separate write it, check reports it. */
#ifndef ANI_PLAN_H
#define ANI_PLAN_H

#include "edits.h"
#include "model.h"

/* One change the grant needs. */
typedef enum {
	CHANGE_ADD_RULE,       /* a rule admitting the source, appended to the policy's ingress */
	CHANGE_ADD_PORTS,      /* the missing ports, added to rule `rule`, which has the peer */
	CHANGE_CREATE_POLICY,  /* separate mode: the dedicated policy `policy_name` */
	CHANGE_LABEL_NAMESPACE /* the label the rule selects, on the source Namespace */
} ani_change_kind;

typedef struct {
	ani_change_kind kind;
	const ani_item *item; /* the object changed; NULL for a created policy */
	size_t source;	      /* index in the config's sources */
	size_t rule;	      /* CHANGE_ADD_PORTS */
	int *ports;	      /* per configured port: 1 when missing (NULL: all) */
	char *policy_name;    /* CHANGE_CREATE_POLICY */
	int declined;	      /* CHANGE_LABEL_NAMESPACE with labelNamespace: false */
	size_t result_at;     /* where its results go among the plan's */
} ani_change;

typedef struct {
	ani_change *v;
	size_t n;
	size_t plan_results; /* how many results there were when the plan was made */
} ani_changes;

void changes_free(ani_changes *cs);

/* Parses, alone, each item the plan may read: the target policy, the dedicated ones, the
 * source Namespaces. */
void plan_load_items(const char *buf, ani_index *ix, const ani_config *c, const ani_limits *limits,
		     ani_results *rs);
/* What the grant needs, with the findings that do not depend on the mode. */
void plan_run(const ani_index *ix, const ani_config *c, ani_results *rs, ani_changes *cs);
/* Check modes: every needed change is an error, with the command that makes it. */
void plan_check(const ani_config *c, const ani_changes *cs, ani_results *rs);
/* Merge and separate modes: every needed change becomes an edit and an info result. */
void plan_write(const char *buf, size_t len, const ani_index *ix, const ani_config *c,
		const ani_changes *cs, ani_results *rs, ani_edits *e);

#endif
