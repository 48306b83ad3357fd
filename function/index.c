/* SPDX-License-Identifier: Apache-2.0 */
/* One pass of libyaml events over the whole input. Of each item it keeps only what identifies it
 * (kind, name, namespace, a few annotations) and where it is, read straight from the events;
 * everything else is skipped event by event, but for the parts the verdicts read: a Namespace's
 * labels (where they are) and, in the policy namespace known before the input, a workload's or
 * Service's (built as they are read) and its v1 NetworkPolicies (built whole). Only those, the
 * ResourceList's functionConfig and results become trees here; index_load_item parses an item
 * (or a Namespace's labels) again, alone, when the plan reads it. */
#include "model.h"
#include "netpol.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESTART_AS_RESOURCE_LIST 2

static int fail_reader(ani_failure *f, const yt_reader *r)
{
	text_format(f->message, sizeof f->message, "%s", r->error);
	f->line = r->error_line;
	f->col = r->error_col;
	return -1;
}

static int fail_at(ani_failure *f, yaml_mark_t at, const char *msg)
{
	text_format(f->message, sizeof f->message, "%s", msg);
	f->line = at.line + 1;
	f->col = at.column + 1;
	return -1;
}

/* The path from a resource's root to a part the verdicts read; "*" is each item of a sequence. */
typedef struct {
	ani_part_role role;
	const char *path[9];
} part_path;

static const part_path template_parts[] = {
	{PART_POD_TEMPLATE, {"spec", "template"}},
	{PART_POD_LABELS, {"spec", "template", "metadata", "labels"}},
	{PART_CONTAINER_PORTS, {"spec", "template", "spec", "containers", "*", "ports"}},
};
static const part_path cron_job_parts[] = {
	{PART_POD_TEMPLATE, {"spec", "jobTemplate", "spec", "template"}},
	{PART_POD_LABELS, {"spec", "jobTemplate", "spec", "template", "metadata", "labels"}},
	{PART_CONTAINER_PORTS,
	 {"spec", "jobTemplate", "spec", "template", "spec", "containers", "*", "ports"}},
};
/* A Pod's labels are in its metadata, which the first pass does not keep: it is loaded whole. */
static const part_path pod_parts[] = {
	{PART_POD_TEMPLATE, {NULL}},
	{PART_POD_LABELS, {"metadata", "labels"}},
	{PART_CONTAINER_PORTS, {"spec", "containers", "*", "ports"}},
};
static const part_path service_parts[] = {
	{PART_SERVICE_SELECTOR, {"spec", "selector"}},
	{PART_SERVICE_PORTS, {"spec", "ports"}},
};
/* Found by the first pass as it reads the metadata (read_fields). */
static const part_path namespace_parts[] = {
	{PART_NAMESPACE_LABELS, {"metadata", "labels"}},
};
#define N_PARTS(a) (sizeof a / sizeof *a)

/* The kinds with parts the verdicts read: those whose pods a NetworkPolicy selects, Service
 * (workload_or_service) and Namespace. */
static const struct {
	const char *api_version, *kind;
	const part_path *parts;
	size_t n_parts;
	int workload_or_service;
} read_kinds[] = {
	{"v1", "Pod", pod_parts, N_PARTS(pod_parts), 1},
	{"v1", "Service", service_parts, N_PARTS(service_parts), 1},
	{"apps/v1", "Deployment", template_parts, N_PARTS(template_parts), 1},
	{"apps/v1", "StatefulSet", template_parts, N_PARTS(template_parts), 1},
	{"apps/v1", "DaemonSet", template_parts, N_PARTS(template_parts), 1},
	{"apps/v1", "ReplicaSet", template_parts, N_PARTS(template_parts), 1},
	{"batch/v1", "Job", template_parts, N_PARTS(template_parts), 1},
	{"batch/v1", "CronJob", cron_job_parts, N_PARTS(cron_job_parts), 1},
	{"v1", "Namespace", namespace_parts, N_PARTS(namespace_parts), 0},
};

static int kind_index(const char *api_version, const char *kind)
{
	for (size_t i = 0; api_version && kind && i < N_PARTS(read_kinds); i++)
		if (kind[0] == read_kinds[i].kind[0] && !strcmp(kind, read_kinds[i].kind) &&
		    !strcmp(api_version, read_kinds[i].api_version))
			return (int)i;
	return -1;
}

static const part_path *parts_of_kind(const char *api_version, const char *kind, size_t *n)
{
	int k = kind_index(api_version, kind);
	*n = k < 0 ? 0 : read_kinds[k].n_parts;
	return k < 0 ? NULL : read_kinds[k].parts;
}

int index_is_workload_or_service(const char *api_version, const char *kind)
{
	int k = kind_index(api_version, kind);
	return k >= 0 && read_kinds[k].workload_or_service;
}

static int is_candidate_kind(const char *api_version, const char *kind)
{
	if (!strcmp(kind, "NetworkPolicy") || index_is_workload_or_service(api_version, kind))
		return 1;
	return !strcmp(kind, "Namespace") && (!api_version || !strcmp(api_version, "v1"));
}

static int is_resource_list(const char *api_version, const char *kind)
{
	return api_version && kind && !strcmp(kind, "ResourceList") &&
	       !strncmp(api_version, "config.kubernetes.io/", 21);
}

typedef struct {
	yt_reader r;
	ani_index *ix;
	ani_failure *f;
	const ani_limits *limits;
	yt_arena scratch;      /* strings of the item being read */
	int detect;	       /* a stream that may turn out to be a ResourceList */
	int in_list;	       /* reading the items of a v1 List */
	yt_arena list_scratch; /* the List's own strings meanwhile */
	/* The parts found in the item being read; unsure: its shape (a duplicate or merge key on a
	 * path, a part that is a scalar) could make them read otherwise alone, so it is loaded
	 * whole. */
	ani_part *parts;
	size_t n_parts, parts_cap;
	int parts_unsure;
	int namespace_metadata;	     /* reading a v1 Namespace's metadata: its labels are a part */
	const char *parts_namespace; /* index_input's */
	yt_arena part_trees;	     /* the item's parts built so far */
} walker;

/* Moves to the next key of the current mapping: 1 at a plain string key, 0 at the mapping's end,
 * -1 after a failure (`not_string` says what a key of another kind is). */
static int next_string_key(walker *w, const char *not_string)
{
	yt_reader *r = &w->r;
	if (yt_next(r))
		return fail_reader(w->f, r);
	if (r->ev.type == YAML_MAPPING_END_EVENT)
		return 0;
	if (yt_check_key(r))
		return fail_reader(w->f, r);
	if (r->ev.type != YAML_SCALAR_EVENT)
		return fail_at(w->f, r->ev.start_mark, not_string);
	return 1;
}

static int count_item(walker *w);
static int read_item(walker *w, size_t ordinal);

/* The items of a `kind: List` (what kubectl get -o yaml|json prints) are resources too; the
 * current event is the items' SEQUENCE-START. */
static int read_list_items(walker *w)
{
	yt_reader *r = &w->r;
	yt_arena outer = w->scratch;
	w->scratch = w->list_scratch;
	w->in_list = 1;
	int detect = w->detect, rc = 0;
	w->detect = 0;
	for (size_t i = 0; !rc; i++) {
		if (yt_next(r)) {
			rc = fail_reader(w->f, r);
		} else if (r->ev.type == YAML_SEQUENCE_END_EVENT) {
			break;
		} else if (r->ev.type != YAML_MAPPING_START_EVENT) {
			char msg[120];
			text_format(msg, sizeof msg, "List items[%zu] is not a mapping", i);
			rc = fail_at(w->f, r->ev.start_mark, msg);
		} else if (!(rc = count_item(w))) {
			rc = read_item(w, w->ix->total_items - 1);
		}
	}
	w->detect = detect;
	w->in_list = 0;
	w->list_scratch = w->scratch;
	w->scratch = outer;
	return rc;
}

/* The keys the first pass reads, by level: a resource's, its metadata's, their annotations'.
 * Nothing becomes a tree: the values are copied from their events. */
enum {
	K_API_VERSION,
	K_KIND,
	K_METADATA,
	K_SPEC,
	K_NAME,
	K_NAMESPACE,
	K_LABELS,
	K_ANNOTATIONS,
	K_PATH,
	K_INTERNAL_PATH,
	K_INDEX,
	K_INTERNAL_INDEX,
	K_LOCAL_CONFIG,
	N_KEYS
};
#define KEY(s)                                                                                     \
	{                                                                                          \
		s, sizeof s - 1                                                                    \
	}
static const struct {
	const char *s;
	size_t len;
} keys[N_KEYS] = {
	KEY("apiVersion"),
	KEY("kind"),
	KEY("metadata"),
	KEY("spec"),
	KEY("name"),
	KEY("namespace"),
	KEY("labels"),
	KEY("annotations"),
	KEY("config.kubernetes.io/path"),
	KEY("internal.config.kubernetes.io/path"),
	KEY("config.kubernetes.io/index"),
	KEY("internal.config.kubernetes.io/index"),
	KEY("config.kubernetes.io/local-config"),
};

typedef struct {
	int seen[N_KEYS];
	const char *value[N_KEYS]; /* a scalar's text, else NULL */
} item_fields;

/* The key among first..last that the scalar text s (len bytes) is, or -1. */
static int find_key(const void *s, size_t len, int first, int last)
{
	for (int i = first; i <= last; i++)
		if (len == keys[i].len && !memcmp(s, keys[i].s, len))
			return i;
	return -1;
}

static const char *scratch_copy(walker *w, const yaml_event_t *ev)
{
	return yt_arena_strndup(&w->scratch, (const char *)ev->data.scalar.value,
				ev->data.scalar.length);
}

/* The whole lines of the node from `start` to `last` (the byte after its last content), or up
 * to `last` when it is in flow style (what follows on the line is not its). */
static void node_lines(const yt_reader *r, size_t start, size_t last, int flow, size_t *span_start,
		       size_t *span_end)
{
	while (start > r->bom && r->buf[start - 1] != '\n')
		start--;
	int need_newline;
	*span_start = start;
	*span_end = flow ? last : text_line_after(r->buf, r->len, last, &need_newline);
}

static int is_collection_start(const yaml_event_t *ev)
{
	return ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT;
}

/* Keys are C strings here: yt_next refuses a NUL in a scalar. */
static int path_key_is(const yaml_event_t *ev, const char *segment)
{
	const char *key = (const char *)ev->data.scalar.value;
	return key[0] == segment[0] && segment[0] != '*' && !strcmp(key, segment);
}

static ani_part *add_found_part(walker *w, ani_part_role role)
{
	if (w->n_parts == w->parts_cap) {
		w->parts_cap = w->parts_cap ? 2 * w->parts_cap : 8;
		w->parts = xrealloc(w->parts, w->parts_cap * sizeof *w->parts);
	}
	ani_part *p = &w->parts[w->n_parts++];
	memset(p, 0, sizeof *p);
	p->role = role;
	return p;
}

/* Builds the value whose start event is current, as loading an item builds it: a key loading
 * would refuse only sets *refused. */
static const yt_node *build_as_loading(walker *w, int *refused)
{
	yt_reader *r = &w->r;
	r->defer_key_checks = 1;
	const yt_node *n = yt_build(r, &w->part_trees);
	r->defer_key_checks = 0;
	*refused |= r->bad_key;
	r->bad_key = 0;
	return n;
}

/* The node whose start event is current is a part: notes where it is and skips it. */
static int find_part_here(walker *w, ani_part_role role)
{
	yt_reader *r = &w->r;
	/* A scalar alone could read otherwise (a block scalar's indentation). */
	if (!is_collection_start(&r->ev))
		w->parts_unsure = 1;
	ani_part *p = add_found_part(w, role);
	p->start = yt_mark_byte(r, r->ev.start_mark);
	p->line = r->ev.start_mark.line + 1;
	p->depth = r->depth;
	int flow = r->ev.type == YAML_MAPPING_START_EVENT
			   ? r->ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
			   : r->ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
	/* A workload's or Service's parts are only looked for in that namespace: built as read. */
	if (role != PART_NAMESPACE_LABELS) {
		/* A key loading would refuse makes the item unsure, loaded whole if it is read. */
		if (!(p->node = build_as_loading(w, &w->parts_unsure)))
			return -1;
	} else if (yt_skip(r)) {
		return -1;
	}
	node_lines(r, p->start, yt_last_content_byte(r), flow, &p->span_start, &p->span_end);
	return 0;
}

/* Reads keys first..last of the mapping whose start event is current (anything else is
 * skipped); as in yt_get, the first occurrence of a key counts. On return the current event is
 * the node's last. */
static int read_fields(walker *w, item_fields *fields, int first, int last)
{
	yt_reader *r = &w->r;
	if (r->ev.type != YAML_MAPPING_START_EVENT)
		return yt_skip(r);
	for (;;) {
		if (yt_next(r))
			return -1;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		int key = r->ev.type == YAML_SCALAR_EVENT
				  ? find_key(r->ev.data.scalar.value, r->ev.data.scalar.length,
					     first, last)
				  : -1;
		if (yt_is_merge_key(&r->ev))
			w->parts_unsure = 1;
		if (yt_skip(r) || yt_next(r))
			return -1;
		if (key < 0 || fields->seen[key]++) {
			/* The first occurrence counts: a second labels is not guessed at. */
			if (key == K_LABELS)
				w->parts_unsure = 1;
			if (yt_skip(r))
				return -1;
		} else if (key == K_LABELS) {
			if (w->namespace_metadata ? find_part_here(w, PART_NAMESPACE_LABELS)
						  : yt_skip(r))
				return -1;
		} else if (key == K_ANNOTATIONS) {
			if (read_fields(w, fields, K_PATH, K_LOCAL_CONFIG))
				return -1;
		} else if (r->ev.type == YAML_SCALAR_EVENT) {
			fields->value[key] = scratch_copy(w, &r->ev);
		} else if (yt_skip(r)) {
			return -1;
		}
	}
}

/* What read_fields reads, from a mapping already built (a NetworkPolicy's metadata): keys
 * first..last, the first occurrence counting. */
static void fields_from_tree(item_fields *fields, const yt_node *map, int first, int last)
{
	for (size_t i = 0; map->kind == YT_MAPPING && i + 1 < map->n; i += 2) {
		const yt_node *k = map->kids[i], *v = map->kids[i + 1];
		int key = k->kind == YT_SCALAR ? find_key(k->value, k->len, first, last) : -1;
		if (key < 0 || fields->seen[key]++)
			continue;
		if (key == K_ANNOTATIONS)
			fields_from_tree(fields, v, K_PATH, K_LOCAL_CONFIG);
		else if (v->kind == YT_SCALAR && key != K_LABELS)
			fields->value[key] = v->value;
	}
}

/* Finds the parts below the node whose start event is current, at `level` of the paths flagged
 * in `active` (a bit per path); on return the current event is the node's last. */
static int find_parts(walker *w, const part_path *paths, size_t n_paths, unsigned active, int level)
{
	yt_reader *r = &w->r;
	unsigned below = 0;
	for (size_t i = 0; i < n_paths; i++) {
		if (!(active & 1u << i))
			continue;
		if (paths[i].path[level]) {
			below |= 1u << i;
		} else if (paths[i].role != PART_POD_TEMPLATE) {
			return find_part_here(w, paths[i].role);
		} else {
			add_found_part(w, PART_POD_TEMPLATE); /* present: no text to read */
		}
	}
	if (!below || w->parts_unsure)
		return yt_skip(r);
	if (r->ev.type == YAML_SEQUENCE_START_EVENT) {
		unsigned each = 0;
		for (size_t i = 0; i < n_paths; i++)
			if ((below & 1u << i) && !strcmp(paths[i].path[level], "*"))
				each |= 1u << i;
		for (;;) {
			if (yt_next(r))
				return -1;
			if (r->ev.type == YAML_SEQUENCE_END_EVENT)
				return 0;
			if (each ? find_parts(w, paths, n_paths, each, level + 1) : yt_skip(r))
				return -1;
		}
	}
	if (r->ev.type != YAML_MAPPING_START_EVENT)
		return 0; /* a scalar: nothing below it */
	unsigned seen = 0;
	for (;;) {
		if (yt_next(r))
			return -1;
		if (r->ev.type == YAML_MAPPING_END_EVENT)
			return 0;
		unsigned match = 0;
		if (r->ev.type == YAML_SCALAR_EVENT) {
			if (yt_is_merge_key(&r->ev))
				w->parts_unsure = 1;
			for (size_t i = 0; i < n_paths; i++)
				if ((below & 1u << i) && path_key_is(&r->ev, paths[i].path[level]))
					match |= 1u << i;
		}
		/* The first occurrence of a key counts (yt_get); a second one is not guessed at. */
		if (match & seen)
			w->parts_unsure = 1;
		seen |= match;
		if (yt_skip(r) || yt_next(r))
			return -1;
		if (match && !w->parts_unsure ? find_parts(w, paths, n_paths, match, level + 1)
					      : yt_skip(r))
			return -1;
	}
}

static char *copy_or_null(yt_arena *a, const char *s)
{
	return s ? yt_arena_strndup(a, s, strlen(s)) : NULL;
}

/* Copies what identifies the item out of the scratch arena, which is about to be reused. */
static void describe_item(ani_item *it, const item_fields *fields, yt_arena *strings)
{
	const char *const *v = fields->value;
	it->api_version = copy_or_null(strings, v[K_API_VERSION]);
	it->kind = copy_or_null(strings, v[K_KIND]);
	it->name = copy_or_null(strings, v[K_NAME]);
	it->namespace_ = copy_or_null(strings, v[K_NAMESPACE]);
	it->file_path = copy_or_null(strings, v[fields->seen[K_PATH] ? K_PATH : K_INTERNAL_PATH]);
	it->file_index = -1;
	const char *index = v[K_INDEX] ? v[K_INDEX] : v[K_INTERNAL_INDEX];
	if (index && *index) {
		char *end;
		long n = strtol(index, &end, 10);
		if (!*end && n >= 0)
			it->file_index = n;
	}
	it->local_config = v[K_LOCAL_CONFIG] && !strcmp(v[K_LOCAL_CONFIG], "true");
}

static void free_item(ani_item *it)
{
	yt_arena_free(&it->arena);
}

/* The parts found for a workload, Service or Namespace, when the first pass can be sure of them:
 * the item holds no anchor and no alias (alone, a part would not see them), and what holds them
 * (the spec, a Namespace's metadata) was read knowing the kind. */
static void keep_found_parts(walker *w, ani_item *it, size_t first, int parts_read,
			     size_t anchors_and_aliases)
{
	if (!parts_read || w->parts_unsure || w->r.anchors_and_aliases != anchors_and_aliases)
		return;
	it->n_parts = w->n_parts - first;
	ani_part *kept = yt_arena_alloc(&w->ix->identities, (it->n_parts + 1) * sizeof *kept);
	if (it->n_parts)
		memcpy(kept, w->parts + first, it->n_parts * sizeof *kept);
	it->parts = kept;
	it->parts_found = 1;
	it->arena = w->part_trees; /* the trees of the parts built */
	memset(&w->part_trees, 0, sizeof w->part_trees);
}

/* 1 when the first pass can find every part of the kind: all are in its spec. */
static int parts_in_spec(const part_path *paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!paths[i].path[0] || strcmp(paths[i].path[0], "spec"))
			return 0;
	return n > 0;
}

static int read_item_keys(walker *w, size_t ordinal, size_t parts_first);

static int in_parts_namespace(const walker *w, const char *namespace_)
{
	return w->parts_namespace && namespace_ && !strcmp(namespace_, w->parts_namespace);
}

/* An item loaded whole: its trees (in its arena). */
static void set_item_trees(ani_item *it, const yt_node *metadata, const yt_node *spec)
{
	it->metadata = metadata;
	it->spec = spec;
	it->loaded = ITEM_LOADED_WHOLE;
}

/* Reads one item or document; the current event is its MAPPING-START. An item of a List's
 * items is read inside its List's: the List's own part state is kept around it. */
static int read_item(walker *w, size_t ordinal)
{
	size_t parts_first = w->n_parts;
	int unsure = w->parts_unsure;
	yt_arena outer_trees = w->part_trees;
	w->parts_unsure = 0;
	memset(&w->part_trees, 0, sizeof w->part_trees);
	int rc = read_item_keys(w, ordinal, parts_first);
	/* Built for nothing: the item is loaded whole, or not kept. */
	yt_arena_free(&w->part_trees);
	w->n_parts = parts_first;
	w->parts_unsure = unsure;
	w->part_trees = outer_trees;
	return rc;
}

static int read_item_keys(walker *w, size_t ordinal, size_t parts_first)
{
	yt_reader *r = &w->r;
	size_t anchors_and_aliases = r->anchors_and_aliases;
	int parts_read = 0;
	ani_item it = {0};
	it.line = r->ev.start_mark.line + 1;
	it.col = r->ev.start_mark.column;
	it.depth = r->depth;
	it.anchored = r->ev.data.mapping_start.anchor != NULL;
	it.start = yt_mark_byte(r, r->ev.start_mark);
	int flow = r->ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
	item_fields fields = {{0}, {0}};
	const part_path *paths;
	size_t n_paths;
	const char *const *v = fields.value;
	/* A v1 NetworkPolicy of the policy namespace known before the input is loaded whole by the
	 * plan. It is built as it is read instead of parsed again alone: its metadata (when its
	 * kind comes first, as kustomize and kubectl write it) and, once the namespace is known,
	 * every other value of its root, with the keys checked as loading checks them. Anything
	 * else (a value skipped, a refused key, an anchor or alias) leaves it to loading. */
	int whole = w->parts_namespace != NULL, refused = 0;
	const yt_node *metadata = NULL, *spec = NULL;
	yt_arena_reset(&w->scratch);
	size_t list_first = w->ix->n_items; /* items read as a List's, kept only if it is one */
	for (int first_key = 1;; first_key = 0) {
		int at_key = next_string_key(w, "a resource's top-level key is not a string");
		if (at_key < 0)
			return -1;
		if (!at_key)
			break;
		/* A JSON document: edits in its flow style would not be JSON. */
		if (first_key && flow && w->ix->kind == ANI_INPUT_STREAM &&
		    r->ev.data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE)
			w->ix->root_flow = 1;
		int items = !strcmp((const char *)r->ev.data.scalar.value, "items");
		int key = find_key(r->ev.data.scalar.value, r->ev.data.scalar.length, K_API_VERSION,
				   K_SPEC);
		if (key >= 0 && fields.seen[key]++) {
			char msg[120];
			text_format(msg, sizeof msg, "duplicate key \"%s\" in a resource",
				    keys[key].s);
			return fail_at(w->f, r->ev.start_mark, msg);
		}
		if (yt_next(r))
			return fail_reader(w->f, r);
		if (key == K_API_VERSION || key == K_KIND) {
			if (r->ev.type == YAML_SCALAR_EVENT) {
				fields.value[key] = scratch_copy(w, &r->ev);
			} else {
				whole = 0;
				if (yt_skip(r))
					return fail_reader(w->f, r);
			}
			if (w->detect && is_resource_list(v[K_API_VERSION], v[K_KIND]))
				return RESTART_AS_RESOURCE_LIST;
		} else if (key == K_METADATA && whole && v[K_KIND] &&
			   !strcmp(v[K_KIND], "NetworkPolicy") && v[K_API_VERSION] &&
			   !strcmp(v[K_API_VERSION], NETPOL_API)) {
			if (!(metadata = build_as_loading(w, &refused)))
				return fail_reader(w->f, r);
			fields_from_tree(&fields, metadata, K_NAME, K_ANNOTATIONS);
		} else if (metadata && whole && in_parts_namespace(w, v[K_NAMESPACE])) {
			const yt_node *n = build_as_loading(w, &refused);
			if (!n)
				return fail_reader(w->f, r);
			if (key == K_SPEC)
				spec = n;
		} else if (key == K_METADATA) {
			whole = 0;
			w->namespace_metadata =
				(paths = parts_of_kind(v[K_API_VERSION], v[K_KIND], &n_paths)) &&
				paths == namespace_parts;
			int rc = read_fields(w, &fields, K_NAME, K_ANNOTATIONS);
			parts_read |= w->namespace_metadata;
			w->namespace_metadata = 0;
			if (rc)
				return fail_reader(w->f, r);
		} else if (key == K_SPEC && in_parts_namespace(w, v[K_NAMESPACE]) &&
			   (paths = parts_of_kind(v[K_API_VERSION], v[K_KIND], &n_paths)) &&
			   parts_in_spec(paths, n_paths)) {
			/* Level 1: every path starts at this spec. Another namespace's spec is
			 * skipped: loaded whole, if its namespace turns out to be the policy's. */
			int rc = find_parts(w, paths, n_paths, (1u << n_paths) - 1, 1);
			if (rc)
				return fail_reader(w->f, r);
			parts_read = 1;
			whole = 0;
		} else if (items && !w->in_list && r->ev.type == YAML_SEQUENCE_START_EVENT &&
			   (!v[K_KIND] || !strcmp(v[K_KIND], "List"))) {
			whole = 0;
			int rc = read_list_items(w);
			if (rc)
				return rc;
		} else {
			whole = 0;
			if (yt_skip(r))
				return fail_reader(w->f, r);
		}
	}
	if (!v[K_KIND] || !v[K_API_VERSION]) {
		char msg[120];
		text_format(msg, sizeof msg, "resource %zu has no %s", ordinal + 1,
			    v[K_KIND] ? "apiVersion" : "kind");
		yaml_mark_t at = {0, it.line - 1, it.col};
		return fail_at(w->f, at, msg);
	}
	ani_index *ix = w->ix;
	if (ix->n_items > list_first &&
	    (strcmp(v[K_KIND], "List") || strcmp(v[K_API_VERSION], "v1")))
		while (ix->n_items > list_first)
			free_item(&ix->items[--ix->n_items]);
	if (!is_candidate_kind(v[K_API_VERSION], v[K_KIND]))
		return 0;
	describe_item(&it, &fields, &ix->identities);
	keep_found_parts(w, &it, parts_first, parts_read, anchors_and_aliases);
	if (metadata && whole && in_parts_namespace(w, v[K_NAMESPACE]) && !refused &&
	    !it.anchored && r->anchors_and_aliases == anchors_and_aliases) {
		it.arena = w->part_trees; /* the item's trees, as loading would build them */
		memset(&w->part_trees, 0, sizeof w->part_trees);
		set_item_trees(&it, metadata, spec);
	}
	/* The item's text: its whole lines (its first after a BOM). */
	node_lines(r, it.start, yt_last_content_byte(r), flow, &it.span_start, &it.span_end);
	if (ix->n_items == ix->items_cap) {
		ix->items_cap = ix->items_cap ? 2 * ix->items_cap : 16;
		ix->items = xrealloc(ix->items, ix->items_cap * sizeof *ix->items);
		mem_advise_huge_pages(ix->items, ix->items_cap * sizeof *ix->items);
	}
	/* The array's pages are written in order: map the next 64 KiB at once on entering them. */
	size_t at = ix->n_items * sizeof *ix->items, step = 65536;
	if (at / step != (at + sizeof *ix->items) / step) {
		size_t left = (ix->items_cap - ix->n_items) * sizeof *ix->items;
		mem_prefault(ix->items + ix->n_items, left < step ? left : step);
	}
	ix->items[ix->n_items++] = it;
	return 0;
}

static int count_item(walker *w)
{
	if (++w->ix->total_items > w->limits->max_items) {
		char msg[160];
		text_format(msg, sizeof msg,
			    "more than %zu items (limit: --max-items or ANI_MAX_ITEMS)",
			    w->limits->max_items);
		return fail_at(w->f, w->r.ev.start_mark, msg);
	}
	return 0;
}

static int read_items(walker *w)
{
	yt_reader *r = &w->r;
	if (r->ev.type == YAML_SCALAR_EVENT && yt_is_null(&(yt_node){
						       .kind = YT_SCALAR,
						       .style = r->ev.data.scalar.style,
						       .value = (char *)r->ev.data.scalar.value,
						       .len = r->ev.data.scalar.length,
					       }))
		return 0;
	if (r->ev.type != YAML_SEQUENCE_START_EVENT)
		return fail_at(w->f, r->ev.start_mark, "ResourceList items is not a sequence");
	ani_index *ix = w->ix;
	ix->items_flow = r->ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
	ix->items_col = r->ev.start_mark.column;
	ix->items_depth = r->depth;
	for (;;) {
		if (yt_next(r))
			return fail_reader(w->f, r);
		if (r->ev.type == YAML_SEQUENCE_END_EVENT) {
			ix->items_end = yt_mark_byte(r, r->ev.end_mark);
			if (!ix->total_items)
				ix->items_last = ix->items_end;
			return 0;
		}
		if (count_item(w))
			return -1;
		if (r->ev.type != YAML_MAPPING_START_EVENT) {
			char msg[120];
			text_format(msg, sizeof msg, "ResourceList items[%zu] is not a mapping",
				    w->ix->total_items - 1);
			return fail_at(w->f, r->ev.start_mark, msg);
		}
		if (read_item(w, w->ix->total_items - 1))
			return -1;
		/* Before the end event: a flow sequence's `]` would count as content. */
		ix->items_last = yt_last_content_byte(r);
	}
}

static int read_resource_list(walker *w)
{
	yt_reader *r = &w->r;
	ani_index *ix = w->ix;
	if (yt_next(r) || yt_next(r))
		return fail_reader(w->f, r);
	if (r->ev.type != YAML_DOCUMENT_START_EVENT)
		return fail_at(w->f, r->ev.start_mark,
			       "the input is empty: expected a ResourceList");
	if (yt_next(r))
		return fail_reader(w->f, r);
	if (r->ev.type != YAML_MAPPING_START_EVENT)
		return fail_at(w->f, r->ev.start_mark,
			       "the input is not a ResourceList (its top level is not a mapping)");
	if (r->ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE) {
		ix->root_flow = 1;
		return 0;
	}
	ix->root_col = r->ev.start_mark.column;
	yaml_mark_t root_mark = r->ev.start_mark;
	const char *kind = NULL;
	int have_items = 0;
	for (;;) {
		int at_key = next_string_key(w, "a ResourceList key is not a string");
		if (at_key < 0)
			return -1;
		if (!at_key)
			break;
		char key[32];
		text_format(key, sizeof key, "%s", (const char *)r->ev.data.scalar.value);
		size_t key_start = yt_mark_byte(r, r->ev.start_mark);
		yaml_mark_t key_mark = r->ev.start_mark;
		if (yt_next(r))
			return fail_reader(w->f, r);
		if (!strcmp(key, "items")) {
			if (have_items++)
				return fail_at(w->f, key_mark,
					       "duplicate key \"items\" in the ResourceList");
			if (read_items(w))
				return -1;
		} else if (!strcmp(key, "functionConfig") || !strcmp(key, "results") ||
			   !strcmp(key, "apiVersion") || !strcmp(key, "kind")) {
			yt_node *n = yt_build(r, &ix->config_arena);
			if (!n)
				return fail_reader(w->f, r);
			const yt_node **slot = NULL;
			if (!strcmp(key, "functionConfig"))
				slot = (const yt_node **)&ix->function_config;
			else if (!strcmp(key, "results"))
				slot = &ix->results;
			if ((slot && *slot) ||
			    (!slot && (key[0] == 'k' ? kind != NULL : ix->api_version != NULL))) {
				char msg[120];
				text_format(msg, sizeof msg,
					    "duplicate key \"%s\" in the ResourceList", key);
				return fail_at(w->f, key_mark, msg);
			}
			if (slot == &ix->results)
				ix->results_key_start = key_start;
			if (slot)
				*slot = n;
			else if (key[0] == 'k')
				kind = n->kind == YT_SCALAR ? n->value : "";
			else
				ix->api_version = xstrdup(n->kind == YT_SCALAR ? n->value : "");
		} else if (yt_skip(r)) {
			return fail_reader(w->f, r);
		}
	}
	ix->root_last = yt_last_content_byte(r);
	if (!is_resource_list(ix->api_version, kind))
		return fail_at(w->f, root_mark,
			       "the input is not a ResourceList (needs apiVersion: "
			       "config.kubernetes.io/v1 and kind: ResourceList)");
	if (!have_items)
		return fail_at(w->f, root_mark, "the ResourceList has no items");
	if (yt_next(r) || yt_next(r))
		return fail_reader(w->f, r);
	if (r->ev.type != YAML_STREAM_END_EVENT)
		return fail_at(w->f, r->ev.start_mark,
			       "a second YAML document follows the ResourceList");
	return 0;
}

static int read_stream(walker *w)
{
	yt_reader *r = &w->r;
	if (yt_next(r))
		return fail_reader(w->f, r);
	for (size_t doc = 0;; doc++) {
		if (yt_next(r))
			return fail_reader(w->f, r);
		if (r->ev.type == YAML_STREAM_END_EVENT)
			return 0;
		if (yt_next(r))
			return fail_reader(w->f, r);
		if (r->ev.type == YAML_MAPPING_START_EVENT) {
			if (count_item(w))
				return -1;
			int rc = read_item(w, w->ix->total_items - 1);
			if (rc)
				return rc;
		} else if (r->ev.type != YAML_SCALAR_EVENT || r->ev.data.scalar.length) {
			char msg[120];
			text_format(msg, sizeof msg, "YAML document %zu is not a mapping", doc + 1);
			return fail_at(w->f, r->ev.start_mark, msg);
		}
		w->detect = 0;
		if (yt_next(r))
			return fail_reader(w->f, r);
	}
}

int index_input(const char *buf, size_t len, int ascii, ani_input_kind want,
		const ani_limits *limits, const char *parts_namespace, ani_index *ix,
		ani_failure *f)
{
	yt_limits yl = {limits->max_depth, limits->max_scalar_bytes, 0};
	for (;;) {
		walker w = {.ix = ix,
			    .f = f,
			    .limits = limits,
			    .detect = want == ANI_INPUT_AUTO,
			    .parts_namespace = parts_namespace};
		memset(ix, 0, sizeof *ix);
		ix->kind = want == ANI_INPUT_AUTO ? ANI_INPUT_STREAM : want;
		yt_reader_start(&w.r, buf, len, yl, ascii);
		int rc = ix->kind == ANI_INPUT_RESOURCE_LIST ? read_resource_list(&w)
							     : read_stream(&w);
		ix->open_block_at_end = w.r.last_content_open_block && len && buf[len - 1] != '\n';
		ix->open_block_line = w.r.last_block_start.line + 1;
		ix->open_block_col = w.r.last_block_start.column + 1;
		yt_reader_free(&w.r);
		yt_arena_free(&w.scratch);
		yt_arena_free(&w.list_scratch);
		xfree(w.parts);
		if (rc == RESTART_AS_RESOURCE_LIST) {
			index_free(ix);
			want = ANI_INPUT_RESOURCE_LIST;
			continue;
		}
		return rc;
	}
}

void index_free(ani_index *ix)
{
	for (size_t i = 0; i < ix->n_items; i++)
		free_item(&ix->items[i]);
	xfree(ix->items);
	yt_arena_free(&ix->identities);
	xfree(ix->api_version);
	yt_arena_free(&ix->config_arena);
	memset(ix, 0, sizeof *ix);
}

static void shift_positions(yt_node *n, size_t bytes, size_t lines, size_t levels)
{
	n->start += bytes;
	n->end += bytes;
	n->last += bytes;
	n->line += lines;
	n->depth += levels;
	for (size_t i = 0; i < n->n; i++)
		shift_positions(n->kids[i], bytes, lines, levels);
}

/* Parses, alone, the node at `start` whose whole lines are span_start..span_end (the first is
 * line `line`), at nesting level `depth`: once the text before it on its first line is blanked
 * (an item's `- ` or `--- `, a value's key), it is a document of its own, same bytes, same
 * columns. Positions are the input's. */
static yt_node *parse_alone(const char *buf, size_t span_start, size_t start, size_t span_end,
			    size_t line, size_t depth, const ani_limits *limits, yt_arena *a,
			    ani_failure *f)
{
	size_t n = span_end - span_start;
	char *copy = xmalloc(n);
	memcpy(copy, buf + span_start, n);
	memset(copy, ' ', start - span_start);
	yt_node *root = yt_parse_document(
		copy, n, (yt_limits){limits->max_depth, limits->max_scalar_bytes, 1}, a, f->message,
		sizeof f->message, &f->line, &f->col);
	xfree(copy);
	if (!root) {
		f->line += line - 1;
		return NULL;
	}
	/* Alone, the node is a document root (depth 1). */
	shift_positions(root, span_start, line - 1, depth - 1);
	return root;
}

static void set_part(ani_item *it, ani_part_role role, const yt_node *n, size_t *ports_cap)
{
	switch (role) {
	case PART_POD_TEMPLATE:
		it->has_pod_template = 1;
		break;
	case PART_POD_LABELS:
		it->pod_labels = n;
		break;
	case PART_SERVICE_SELECTOR:
		it->service_selector = n;
		break;
	case PART_SERVICE_PORTS:
		it->service_ports = n;
		break;
	case PART_NAMESPACE_LABELS:
		it->namespace_labels = n;
		break;
	case PART_CONTAINER_PORTS:
		if (it->n_container_ports == *ports_cap) {
			*ports_cap = *ports_cap ? 2 * *ports_cap : 4;
			const yt_node **v = yt_arena_alloc(&it->arena, *ports_cap * sizeof *v);
			if (it->n_container_ports)
				memcpy(v, it->container_ports, it->n_container_ports * sizeof *v);
			it->container_ports = v;
		}
		it->container_ports[it->n_container_ports++] = n;
		break;
	}
}

/* Sets the parts of a whole item's tree, at `level` of path `p`. */
static void parts_from_tree(ani_item *it, const yt_node *n, const part_path *p, int level,
			    size_t *ports_cap)
{
	const char *segment = p->path[level];
	if (!n)
		return;
	if (!segment)
		set_part(it, p->role, n, ports_cap);
	else if (strcmp(segment, "*"))
		parts_from_tree(it, yt_get_deref(n, segment), p, level + 1, ports_cap);
	else if (n->kind == YT_SEQUENCE)
		for (size_t i = 0; i < n->n; i++)
			parts_from_tree(it, yt_deref(n->kids[i]), p, level + 1, ports_cap);
}

int index_load_item(ani_item *it, const char *buf, const ani_limits *limits, int parts_only,
		    ani_failure *f)
{
	if (it->loaded == ITEM_LOADED_WHOLE || (it->loaded && parts_only))
		return 0;
	if (it->loaded)
		index_unload_item(it); /* only its parts were read */
	size_t ports_cap = 0;
	if (parts_only && it->parts_found) {
		for (size_t i = 0; i < it->n_parts; i++) {
			const ani_part *p = &it->parts[i];
			const yt_node *n = p->node;
			if (p->role != PART_POD_TEMPLATE && !n &&
			    !(n = parse_alone(buf, p->span_start, p->start, p->span_end, p->line,
					      p->depth, limits, &it->arena, f)))
				return -1;
			set_part(it, p->role, n, &ports_cap);
		}
		it->loaded = ITEM_LOADED_PARTS;
		return 0;
	}
	yt_node *root = parse_alone(buf, it->span_start, it->start, it->span_end, it->line,
				    it->depth, limits, &it->arena, f);
	if (!root)
		return -1;
	index_set_item_tree(it, root);
	return 0;
}

void index_set_item_tree(ani_item *it, const yt_node *root)
{
	set_item_trees(it, yt_get(root, "metadata"), yt_get(root, "spec"));
	size_t n_paths, ports_cap = 0;
	const part_path *paths = parts_of_kind(it->api_version, it->kind, &n_paths);
	for (size_t i = 0; paths && i < n_paths; i++)
		parts_from_tree(it, root, &paths[i], 0, &ports_cap);
}

void index_unload_item(ani_item *it)
{
	yt_arena_free(&it->arena);
	for (size_t i = 0; i < it->n_parts; i++)
		it->parts[i].node = NULL; /* they were in the arena: parsed again by their spans */
	it->metadata = it->spec = NULL;
	it->has_pod_template = 0;
	it->pod_labels = it->service_selector = it->service_ports = it->namespace_labels = NULL;
	it->container_ports = NULL;
	it->n_container_ports = 0;
	it->loaded = ITEM_NOT_LOADED;
}
