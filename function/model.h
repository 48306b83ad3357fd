/* SPDX-License-Identifier: Apache-2.0 */
/* The function's own data: the validated config, the items it may read or edit, the findings. */
#ifndef ANI_MODEL_H
#define ANI_MODEL_H

#include "allow_namespace_ingress.h"
#include "yamltree.h"

#include <stddef.h>

/* A failure with the place it was found; line 0 when there is none. */
typedef struct {
	char message[600];
	size_t line, col;
} ani_failure;

typedef struct {
	char *key, *value;
} ani_label;

/* Sorted by key, keys unique. */
typedef struct {
	ani_label *v;
	size_t n;
} ani_labels;

const char *labels_get(const ani_labels *l, const char *key);
/* Adds a label, keeping the set sorted; -1 (nothing added) when the key is there already. */
int labels_add(ani_labels *l, const char *key, const char *value);
void labels_copy(ani_labels *to, const ani_labels *from);
void labels_free(ani_labels *l);

typedef struct {
	char *namespace_;
	int has_pods;
	ani_labels pods; /* podSelector.matchLabels */
} ani_source;

typedef struct {
	char protocol[5]; /* TCP, UDP or SCTP */
	char *name;	  /* a named port, or NULL */
	long port;	  /* when name is NULL */
	long end_port;	  /* 0 when not a range */
} ani_port;

/* What the run does; `check` after `separate` (or `mode: check-separate`) checks the dedicated
 * policies. */
typedef enum {
	ANI_MODE_MERGE = 0,	/* edit the target policy */
	ANI_MODE_CHECK,		/* change nothing; fail unless a merge would change nothing */
	ANI_MODE_SEPARATE,	/* add (or edit) a dedicated policy per source */
	ANI_MODE_CHECK_SEPARATE /* change nothing; fail unless separate mode would change nothing */
} ani_mode;

typedef struct {
	char *policy_name, *policy_namespace;
	ani_source *from;
	size_t n_from;
	char *namespace_label;
	ani_port *ports;
	size_t n_ports;
	int label_namespace;
	int on_missing_error; /* 1, 0, or -1: when checking */
	ani_mode mode;
	/* check: trust that a source Namespace not in the input carries the label */
	int assume_namespace_label;
	/* separate mode: the dedicated policy's name (NULL: derived per source) and the pods it
	 * protects */
	char *separate_name;
	ani_labels separate_pods;
} ani_config;

/* A value of a workload or Service that the verdicts read (index.c has the path to each). */
typedef enum {
	PART_POD_TEMPLATE,     /* present or not: a workload without one has no pods */
	PART_POD_LABELS,       /* the pod template's metadata.labels */
	PART_CONTAINER_PORTS,  /* one container's ports */
	PART_SERVICE_SELECTOR, /* spec.selector */
	PART_SERVICE_PORTS,    /* spec.ports */
	PART_NAMESPACE_LABELS  /* a Namespace's metadata.labels */
} ani_part_role;

/* Where the first pass found such a value: its whole lines, from span_start to span_end. */
typedef struct {
	ani_part_role role;
	size_t start, span_start, span_end;
	size_t line, depth;
	const yt_node *node; /* built as the first pass read it (in the item's arena), or NULL */
} ani_part;

/* An item the function may read or edit: a NetworkPolicy of any group, a v1 Namespace, or a
 * workload or Service (read only).
 * The first pass keeps only its identity, where it is, and the parts it found (below), or, for a
 * v1 NetworkPolicy of the policy namespace known before the input, its trees (loaded whole);
 * index_load_item parses it (or just a Namespace's labels) again, alone, for the few other items
 * the plan reads, so memory does not grow with their number. */
typedef struct {
	char *api_version, *kind, *name, *namespace_;
	char *file_path; /* config.kubernetes.io/path */
	long file_index; /* config.kubernetes.io/index, -1 if none */
	int local_config;
	int anchored; /* the item itself carries an &anchor: editing it would edit its aliases */
	size_t line, col;
	size_t depth;		     /* nesting level of the item's mapping in the input */
	size_t start;		     /* byte offset of the item's mapping */
	size_t span_start, span_end; /* its whole lines */
	enum { ITEM_NOT_LOADED, ITEM_LOADED_PARTS, ITEM_LOADED_WHOLE } loaded;
	const yt_node *metadata, *spec; /* NULL for a workload or Service loaded by its parts */
	/* The parts the verdicts read, as the first pass found them, when the item's shape let it
	 * be sure (else it is loaded whole): a Namespace's labels (where they are); a workload's or
	 * Service's, built, in the policy namespace known before the input (elsewhere its spec is
	 * skipped). Then what loading read. */
	ani_part *parts;
	size_t n_parts;
	int parts_found;
	int has_pod_template;
	const yt_node *pod_labels, *service_selector, *service_ports, *namespace_labels;
	const yt_node **container_ports;
	size_t n_container_ports;
	yt_arena arena;
} ani_item;

/* What one pass over the input found. */
typedef struct {
	ani_input_kind kind;
	char *api_version; /* the ResourceList's */
	ani_item *items;
	size_t n_items, items_cap, total_items;
	yt_arena identities;	  /* the items' identity strings and part spans */
	yt_node *function_config; /* NULL when absent */
	yt_arena config_arena;
	int root_flow;		/* the ResourceList is in flow style (JSON) */
	size_t root_col;	/* column of the ResourceList's keys */
	size_t root_last;	/* byte after its last content */
	const yt_node *results; /* the input's own results, to be replaced */
	size_t results_key_start;
	/* Where a new item goes: after the last item (ResourceList) or document (stream). */
	int items_flow;
	size_t items_col;   /* column of the items' dashes */
	size_t items_depth; /* nesting level of the items sequence */
	size_t items_last;  /* byte after the last item's content */
	size_t items_end;   /* byte after the items sequence (its `]` when flow) */
	/* The input ends, without a line break, in a block scalar that keeps its final break:
	 * nothing may be written at the end (yt_reader.last_content_open_block). */
	int open_block_at_end;
	size_t open_block_line, open_block_col;
} ani_index;

/* Findings, in the order they were made. */
typedef struct {
	ani_result *v;
	size_t n;
	int errors;
	/* When set, results go in at position cursor - 1 (and the cursor moves on), so that a
	 * finding made later can stand where its cause was found. */
	size_t cursor;
} ani_results;

void results_add(ani_results *rs, ani_severity severity, const ani_item *item,
		 const char *field_path, const yt_node *at, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void results_add_failure(ani_results *rs, const ani_failure *f);
/* A failed run changes nothing: its reports of changes would mislead. */
void results_drop_info(ani_results *rs);
void results_free(ani_results *rs);

void config_defaults(ani_config *c);
void config_free(ani_config *c);
/* Reads a functionConfig (typed or ConfigMap; NULL or empty means "no config"). */
int config_from_node(ani_config *c, const yt_node *fc, ani_failure *f);
/* Applies one setting (a key of the settings table, a ConfigMap-form value). */
int config_apply_setting(ani_config *c, const char *key, const char *value, ani_failure *f);
/* 1 when the setting may be given over a ResourceList's functionConfig. */
int config_setting_over_function_config(const char *key);
static inline int mode_checks(ani_mode m)
{
	return m == ANI_MODE_CHECK || m == ANI_MODE_CHECK_SEPARATE;
}
static inline int mode_separate(ani_mode m)
{
	return m == ANI_MODE_SEPARATE || m == ANI_MODE_CHECK_SEPARATE;
}
/* The command line that runs this config (for source `src` alone, or every source when -1,
 * which needs config_sources_share_pods): every setting that is not the default, as flags.
 * Check modes give the merge or separate run that makes the changes. Caller frees. */
char *config_command(const ani_config *c, long src);
/* "80/TCP, 9090/TCP": the configured ports flagged in `which` (all when NULL). Caller frees. */
char *config_ports_text(const ani_config *c, const int *which, const char *sep);
/* 1 when every source has the same pod selector, so one command line holds them all. */
int config_sources_share_pods(const ani_config *c);
/* The separate-mode policy's name for source `s`; caller frees. */
char *config_dedicated_policy_name(const ani_config *c, const ani_source *s);
/* Final checks that need the whole config. */
int config_validate(const ani_config *c, ani_failure *f);

/* `ascii` is text_scan_input's verdict on buf. */
/* `parts_namespace` (may be NULL): the policy's namespace as far as it is known before the input
 * is read; the parts of its workloads and Services are built as the first pass reads them. */
int index_input(const char *buf, size_t len, int ascii, ani_input_kind want,
		const ani_limits *limits, const char *parts_namespace, ani_index *ix,
		ani_failure *f);
/* 1 for the kinds whose pods a NetworkPolicy selects (Pod and the workloads with a pod
 * template) and for Service. */
int index_is_workload_or_service(const char *api_version, const char *kind);
/* Builds the item's metadata and spec trees and its parts; with `parts_only`, when the first pass
 * found them, the trees of just its parts (what is read, not edited). Positions as in `buf`. */
int index_load_item(ani_item *it, const char *buf, const ani_limits *limits, int parts_only,
		    ani_failure *f);
/* Sets what loading a whole item sets, from its tree (in the item's arena). */
void index_set_item_tree(ani_item *it, const yt_node *root);
/* Releases what index_load_item read. */
void index_unload_item(ani_item *it);
void index_free(ani_index *ix);

#endif
