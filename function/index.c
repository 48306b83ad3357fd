/* SPDX-License-Identifier: Apache-2.0 */
/* One pass of libyaml events over the whole input. Of each item it keeps only what identifies it
 * (kind, name, namespace, a few annotations) and where it is, read straight from the events;
 * everything else is skipped event by event. Only the ResourceList's functionConfig and results
 * become trees here; index_load_item parses an item again, alone, when the plan reads it. */
#include "model.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESTART_AS_RESOURCE_LIST 2

static int fail_reader(ani_failure *f, const yt_reader *r)
{
	snprintf(f->message, sizeof f->message, "%s", r->error);
	f->line = r->error_line;
	f->col = r->error_col;
	return -1;
}

static int fail_at(ani_failure *f, yaml_mark_t at, const char *msg)
{
	snprintf(f->message, sizeof f->message, "%s", msg);
	f->line = at.line + 1;
	f->col = at.column + 1;
	return -1;
}

int index_is_workload_or_service(const char *api_version, const char *kind)
{
	static const char *const kinds[][2] = {
		{"v1", "Pod"},
		{"v1", "Service"},
		{"apps/v1", "Deployment"},
		{"apps/v1", "StatefulSet"},
		{"apps/v1", "DaemonSet"},
		{"apps/v1", "ReplicaSet"},
		{"batch/v1", "Job"},
		{"batch/v1", "CronJob"},
	};
	for (size_t i = 0; api_version && kind && i < sizeof kinds / sizeof *kinds; i++)
		if (!strcmp(api_version, kinds[i][0]) && !strcmp(kind, kinds[i][1]))
			return 1;
	return 0;
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
			snprintf(msg, sizeof msg, "List items[%zu] is not a mapping", i);
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

/* The key among first..last that the current event (a scalar) is, or -1. */
static int find_key(const yaml_event_t *ev, int first, int last)
{
	for (int i = first; i <= last; i++)
		if (ev->data.scalar.length == keys[i].len &&
		    !memcmp(ev->data.scalar.value, keys[i].s, keys[i].len))
			return i;
	return -1;
}

static const char *scratch_copy(walker *w, const yaml_event_t *ev)
{
	size_t n = ev->data.scalar.length;
	char *p = yt_arena_alloc(&w->scratch, n + 1);
	memcpy(p, ev->data.scalar.value, n + 1);
	return p;
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
		int key = r->ev.type == YAML_SCALAR_EVENT ? find_key(&r->ev, first, last) : -1;
		if (yt_skip(r) || yt_next(r))
			return -1;
		if (key < 0 || fields->seen[key]++) {
			if (yt_skip(r))
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

/* The item's text: from the start of its first line (after a BOM) to the end of the line of its
 * last content, or to its closing brace when it is in flow style (what follows is not its). */
static void set_span(ani_item *it, const char *buf, size_t len, size_t bom, size_t last, int flow)
{
	size_t start = it->start;
	while (start > bom && buf[start - 1] != '\n')
		start--;
	int need_newline;
	it->span_start = start;
	it->span_end = flow ? last : text_line_after(buf, len, last, &need_newline);
}

static void free_item(ani_item *it)
{
	yt_arena_free(&it->arena);
}

/* Reads one item or document; the current event is its MAPPING-START. */
static int read_item(walker *w, size_t ordinal)
{
	yt_reader *r = &w->r;
	ani_item it = {0};
	it.line = r->ev.start_mark.line + 1;
	it.col = r->ev.start_mark.column;
	it.depth = r->depth;
	it.anchored = r->ev.data.mapping_start.anchor != NULL;
	it.start = yt_mark_byte(r, r->ev.start_mark);
	int flow = r->ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
	item_fields fields = {{0}, {0}};
	const char *const *v = fields.value;
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
		int key = find_key(&r->ev, K_API_VERSION, K_SPEC);
		if (key >= 0 && fields.seen[key]++) {
			char msg[120];
			snprintf(msg, sizeof msg, "duplicate key \"%s\" in a resource",
				 keys[key].s);
			return fail_at(w->f, r->ev.start_mark, msg);
		}
		if (yt_next(r))
			return fail_reader(w->f, r);
		if (key == K_API_VERSION || key == K_KIND) {
			if (r->ev.type == YAML_SCALAR_EVENT)
				fields.value[key] = scratch_copy(w, &r->ev);
			else if (yt_skip(r))
				return fail_reader(w->f, r);
			if (w->detect && is_resource_list(v[K_API_VERSION], v[K_KIND]))
				return RESTART_AS_RESOURCE_LIST;
		} else if (key == K_METADATA) {
			if (read_fields(w, &fields, K_NAME, K_ANNOTATIONS))
				return fail_reader(w->f, r);
		} else if (items && !w->in_list && r->ev.type == YAML_SEQUENCE_START_EVENT &&
			   (!v[K_KIND] || !strcmp(v[K_KIND], "List"))) {
			int rc = read_list_items(w);
			if (rc)
				return rc;
		} else if (yt_skip(r)) {
			return fail_reader(w->f, r);
		}
	}
	if (!v[K_KIND] || !v[K_API_VERSION]) {
		char msg[120];
		snprintf(msg, sizeof msg, "resource %zu has no %s", ordinal + 1,
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
	describe_item(&it, &fields, &ix->strings);
	set_span(&it, r->buf, r->len, r->bom, yt_last_content_byte(r), flow);
	if (ix->n_items == ix->items_cap) {
		ix->items_cap = ix->items_cap ? 2 * ix->items_cap : 16;
		ix->items = xrealloc(ix->items, ix->items_cap * sizeof *ix->items);
	}
	ix->items[ix->n_items++] = it;
	return 0;
}

static int count_item(walker *w)
{
	if (++w->ix->total_items > w->limits->max_items) {
		char msg[160];
		snprintf(msg, sizeof msg,
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
			snprintf(msg, sizeof msg, "ResourceList items[%zu] is not a mapping",
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
		snprintf(key, sizeof key, "%s", (const char *)r->ev.data.scalar.value);
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
				snprintf(msg, sizeof msg,
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
			snprintf(msg, sizeof msg, "YAML document %zu is not a mapping", doc + 1);
			return fail_at(w->f, r->ev.start_mark, msg);
		}
		w->detect = 0;
		if (yt_next(r))
			return fail_reader(w->f, r);
	}
}

int index_input(const char *buf, size_t len, int ascii, ani_input_kind want,
		const ani_limits *limits, ani_index *ix, ani_failure *f)
{
	yt_limits yl = {limits->max_depth, limits->max_scalar_bytes, 0};
	for (;;) {
		walker w = {.ix = ix, .f = f, .limits = limits, .detect = want == ANI_INPUT_AUTO};
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
	yt_arena_free(&ix->strings);
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

int index_load_item(ani_item *it, const char *buf, const ani_limits *limits, ani_failure *f)
{
	if (it->loaded)
		return 0;
	/* Alone, the item is a document of its own once the `- ` (or `--- `) before it on its first
	 * line is blanked: same bytes, same columns. */
	size_t n = it->span_end - it->span_start;
	char *copy = xmalloc(n);
	memcpy(copy, buf + it->span_start, n);
	memset(copy, ' ', it->start - it->span_start);
	yt_node *root = yt_parse_document(
		copy, n, (yt_limits){limits->max_depth, limits->max_scalar_bytes, 1}, &it->arena,
		f->message, sizeof f->message, &f->line, &f->col);
	xfree(copy);
	if (!root) {
		f->line += it->line - 1;
		return -1;
	}
	/* Alone, the item is a document root (depth 1). */
	shift_positions(root, it->span_start, it->line - 1, it->depth - 1);
	it->metadata = yt_get(root, "metadata");
	it->spec = yt_get(root, "spec");
	it->loaded = 1;
	return 0;
}
