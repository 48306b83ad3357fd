/* SPDX-License-Identifier: Apache-2.0 */
#include "yamltree.h"

#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct yt_arena_chunk {
	yt_arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

void *yt_arena_alloc(yt_arena *a, size_t n)
{
	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
	yt_arena_chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		/* Small first: an item's parts are a few hundred bytes of tree, and one arena per
		 * item with a page each would touch a page per workload (8 of flux.yaml's 40 extra
		 * faults). */
		size_t size = c && c->size < 65536 ? c->size * 2 : c ? 65536 : 1024;
		if (size < n)
			size = n;
		c = xmalloc(sizeof *c + size);
		if (size >= 16384)
			mem_prefault(c->data, size);
		c->used = 0;
		c->size = size;
		c->next = a->head;
		a->head = c;
	}
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

void yt_arena_reset(yt_arena *a)
{
	if (!a->head)
		return;
	yt_arena_chunk *keep = a->head;
	while (keep->next) {
		yt_arena_chunk *c = keep;
		keep = keep->next;
		xfree(c);
	}
	keep->used = 0;
	a->head = keep;
}

void yt_arena_free(yt_arena *a)
{
	while (a->head) {
		yt_arena_chunk *next = a->head->next;
		xfree(a->head);
		a->head = next;
	}
}

/* libyaml decodes a whole chunk of input at a time (16 KiB); a small first one spares a reader
 * that stops after a few events (a stream that turns out to be a ResourceList) decoding 16 KiB
 * for nothing. */
static int feed_input(void *data, unsigned char *buffer, size_t size, size_t *size_read)
{
	yt_reader *r = data;
	size_t n = r->len - r->fed;
	if (n > size)
		n = size;
	if (!r->fed && n > 1024)
		n = 1024;
	memcpy(buffer, r->buf + r->fed, n);
	r->fed += n;
	*size_read = n;
	return 1;
}

static void anchors_clear(yt_reader *r);

static void reader_release(void *what)
{
	yt_reader *r = what;
	anchors_clear(r);
	yaml_event_delete(&r->ev); /* a no-op on a zeroed event */
	yaml_parser_delete(&r->parser);
}

void yt_reader_start(yt_reader *r, const char *buf, size_t len, yt_limits limits, int ascii)
{
	memset(r, 0, sizeof *r);
	r->buf = buf;
	r->len = len;
	r->limits = limits;
	r->bom = text_bom_length(buf, len);
	r->ascii = ascii;
	r->cur_byte = r->bom;
	yaml_parser_initialize(&r->parser);
	yaml_parser_set_input(&r->parser, feed_input, r);
	mem_cleanup_push(&r->cleanup, reader_release, r);
	/* With the encoding forced, libyaml reads a UTF-8 BOM as a character of the first line
	 * (column 1), which breaks its indentation; let it detect UTF-8 from the BOM instead. */
	if (!r->bom)
		yaml_parser_set_encoding(&r->parser, YAML_UTF8_ENCODING);
}

void yt_reader_init(yt_reader *r, const char *buf, size_t len, yt_limits limits)
{
	yt_reader_start(r, buf, len, limits, text_scan_input(buf, len).ascii);
}

struct yt_anchor {
	char *name;
	const yt_node *node;
	unsigned gen;
};

static size_t anchor_hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static struct yt_anchor *anchor_slot(struct yt_anchor *v, size_t cap, const char *name)
{
	size_t i = anchor_hash(name) & (cap - 1);
	while (v[i].name && strcmp(v[i].name, name))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

static struct yt_anchor *anchor_find(yt_reader *r, const char *name)
{
	if (!r->anchors_n)
		return NULL;
	struct yt_anchor *a = anchor_slot(r->anchors, r->anchors_cap, name);
	return a->name ? a : NULL;
}

/* A later anchor of the same name replaces the earlier one, as in every YAML loader. */
static void anchor_define(yt_reader *r, const char *name)
{
	r->anchors_and_aliases++;
	if ((r->anchors_n + 1) * 2 > r->anchors_cap) {
		size_t cap = r->anchors_cap ? r->anchors_cap * 2 : 16;
		struct yt_anchor *v = xcalloc(cap, sizeof *v);
		for (size_t i = 0; i < r->anchors_cap; i++)
			if (r->anchors[i].name)
				*anchor_slot(v, cap, r->anchors[i].name) = r->anchors[i];
		xfree(r->anchors);
		r->anchors = v;
		r->anchors_cap = cap;
	}
	struct yt_anchor *a = anchor_slot(r->anchors, r->anchors_cap, name);
	if (!a->name) {
		a->name = xstrdup(name);
		r->anchors_n++;
	}
	a->node = NULL;
	a->gen = 0;
}

static void anchors_clear(yt_reader *r)
{
	for (size_t i = 0; i < r->anchors_cap; i++)
		xfree(r->anchors[i].name);
	xfree(r->anchors);
	r->anchors = NULL;
	r->anchors_cap = r->anchors_n = 0;
}

static const char *event_anchor(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		return (const char *)ev->data.scalar.anchor;
	case YAML_MAPPING_START_EVENT:
		return (const char *)ev->data.mapping_start.anchor;
	case YAML_SEQUENCE_START_EVENT:
		return (const char *)ev->data.sequence_start.anchor;
	default:
		return NULL;
	}
}

void yt_reader_free(yt_reader *r)
{
	mem_cleanup_pop(&r->cleanup);
	reader_release(r);
}

void yt_fail(yt_reader *r, yaml_mark_t at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	text_vformat(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	r->error_line = at.line + 1;
	r->error_col = at.column + 1;
}

/* An empty node after its indicator (`key:`, `- `, `? `) sits right after it, and the indicator
 * is content. A missing value (a `? key` with no `:`) is an empty scalar placed at the next token,
 * maybe lines below: not content. */
static int empty_node_is_content(const char *buf, size_t at)
{
	return at > 0 && strchr(":-?", buf[at - 1]) != NULL;
}

/* A literal or folded scalar without the strip indicator (`|-`, `>-`). */
static int keeps_final_break(yt_reader *r)
{
	int style = r->ev.data.scalar.style;
	if (style != YAML_LITERAL_SCALAR_STYLE && style != YAML_FOLDED_SCALAR_STYLE)
		return 0;
	size_t i = yt_mark_byte(r, r->ev.start_mark);
	while (i < r->len && r->buf[i] != '|' && r->buf[i] != '>')
		i++;
	while (++i < r->len && !strchr(" \t\r\n#", r->buf[i]))
		if (r->buf[i] == '-')
			return 0;
	return 1;
}

/* The current event is an empty scalar: 1 when it is a missing value, not content. Rare: out of
 * line. */
static __attribute__((noinline)) int is_missing_value(yt_reader *r)
{
	return !empty_node_is_content(r->buf, yt_mark_byte(r, r->ev.end_mark));
}

/* Out of the way of the loop that reads every event. */
static __attribute__((noinline)) int parse_failed(yt_reader *r)
{
	const yaml_parser_t *p = &r->parser;
	yaml_mark_t at = p->problem_mark;
	memset(&r->ev, 0, sizeof r->ev);
	if (p->error == YAML_MEMORY_ERROR)
		text_format(r->error, sizeof r->error, "out of memory while parsing");
	else if (p->context)
		text_format(r->error, sizeof r->error, "invalid YAML: %s %s", p->context,
			    p->problem ? p->problem : "");
	else
		text_format(r->error, sizeof r->error, "invalid YAML: %s",
			    p->problem ? p->problem : "parse error");
	if (p->error == YAML_READER_ERROR) {
		/* Reader errors carry a byte offset, not a mark. */
		size_t line = 1, col = 1;
		for (size_t i = 0; i < p->problem_offset && i < r->len; i++) {
			if (r->buf[i] == '\n') {
				line++;
				col = 1;
			} else if (((unsigned char)r->buf[i] & 0xC0) != 0x80) {
				col++;
			}
		}
		at.line = line - 1;
		at.column = col - 1;
	}
	r->error_line = at.line + 1;
	r->error_col = at.column + 1;
	return -1;
}

static __attribute__((noinline)) int event_refused(yt_reader *r)
{
	const yaml_event_t *ev = &r->ev;
	if (ev->type == YAML_SCALAR_EVENT && ev->data.scalar.length > r->limits.max_scalar_bytes)
		yt_fail(r, ev->start_mark,
			"scalar of %zu bytes is longer than %zu (limit: --max-scalar-bytes or "
			"ANI_MAX_SCALAR_BYTES)",
			ev->data.scalar.length, r->limits.max_scalar_bytes);
	else if (ev->type == YAML_SCALAR_EVENT)
		yt_fail(r, ev->start_mark,
			"a quoted string holds a NUL character (\\0, \\x00 or \\u0000)");
	else
		yt_fail(r, ev->start_mark,
			"nesting deeper than %zu levels (limit: --max-depth or ANI_MAX_DEPTH)",
			r->limits.max_depth);
	return -1;
}

/* A scalar that is not a short plain or single-quoted one with width and no anchor: double-quoted
 * (may hold a NUL), block (may keep its final break), empty (may be a missing value), anchored or
 * over the limit. Out of the loop that reads every event. */
static __attribute__((noinline)) int next_scalar_slow(yt_reader *r)
{
	const yaml_event_t *ev = &r->ev;
	/* Names are compared as C strings: "kind\0x" must not read as "kind". Only a double-quoted
	 * scalar's escapes make a NUL: libyaml's reader refuses a raw one. */
	if (ev->data.scalar.length > r->limits.max_scalar_bytes ||
	    (ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE &&
	     memchr(ev->data.scalar.value, 0, ev->data.scalar.length)))
		return event_refused(r);
	if (ev->end_mark.index > ev->start_mark.index || !is_missing_value(r)) {
		r->last_content = ev->end_mark.index;
		r->last_content_open_block = keeps_final_break(r);
		if (r->last_content_open_block)
			r->last_block_start = ev->start_mark;
	}
	if (ev->data.scalar.anchor)
		anchor_define(r, (const char *)ev->data.scalar.anchor);
	return 0;
}

static __attribute__((noinline)) int next_other(yt_reader *r)
{
	const yaml_event_t *ev = &r->ev;
	if (ev->type == YAML_ALIAS_EVENT) {
		r->anchors_and_aliases++;
		if (!r->limits.part && !anchor_find(r, (const char *)ev->data.alias.anchor)) {
			yt_fail(r, ev->start_mark,
				"invalid YAML: the alias *%.200s names no anchor defined before it",
				(const char *)ev->data.alias.anchor);
			return -1;
		}
		r->last_content = ev->end_mark.index;
		r->last_content_open_block = 0;
	} else if (ev->type == YAML_DOCUMENT_START_EVENT) {
		anchors_clear(r);
	} else if (event_anchor(ev)) {
		anchor_define(r, event_anchor(ev));
	}
	return 0;
}

int yt_next_rare(yt_reader *r, int parsed)
{
	if (!parsed)
		return parse_failed(r);
	if (r->ev.type == YAML_SCALAR_EVENT)
		return next_scalar_slow(r);
	if ((r->ev.type == YAML_MAPPING_START_EVENT || r->ev.type == YAML_SEQUENCE_START_EVENT) &&
	    r->depth > r->limits.max_depth)
		return event_refused(r);
	return next_other(r);
}

size_t yt_last_content_byte(yt_reader *r)
{
	return yt_mark_byte(r, (yaml_mark_t){r->last_content, 0, 0});
}

size_t yt_mark_byte(yt_reader *r, yaml_mark_t m)
{
	if (r->ascii) {
		size_t b = r->bom + m.index;
		return b < r->len ? b : r->len;
	}
	const unsigned char *s = (const unsigned char *)r->buf;
	while (r->cur_char < m.index && r->cur_byte < r->len) {
		unsigned char c = s[r->cur_byte];
		r->cur_byte += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		r->cur_char++;
	}
	while (r->cur_char > m.index && r->cur_byte > r->bom) {
		r->cur_byte--;
		while (r->cur_byte > r->bom && (s[r->cur_byte] & 0xC0) == 0x80)
			r->cur_byte--;
		r->cur_char--;
	}
	if (r->cur_byte > r->len)
		r->cur_byte = r->len;
	return r->cur_byte;
}

static yt_node *new_node(yt_reader *r, yt_arena *a, yt_kind kind)
{
	yt_node *n = yt_arena_alloc(a, sizeof *n);
	memset(n, 0, sizeof *n);
	n->kind = kind;
	n->start = yt_mark_byte(r, r->ev.start_mark);
	n->line = r->ev.start_mark.line + 1;
	n->col = r->ev.start_mark.column;
	n->depth = r->depth;
	return n;
}

int yt_check_key(yt_reader *r)
{
	const yaml_event_t *ev = &r->ev;
	const char *anchor = event_anchor(ev);
	const char *what = ev->type == YAML_ALIAS_EVENT ? "is an alias (*)"
			   : anchor			? "carries an anchor (&)"
			   : yt_is_merge_key(ev)	? "is a merge key (<<)"
							: NULL;
	if (!what)
		return 0;
	if (r->defer_key_checks) {
		r->bad_key = 1;
		return 0;
	}
	yt_fail(r, ev->start_mark,
		"a mapping key %s: aliases are not expanded, so the keys would not be what they "
		"seem",
		what);
	return -1;
}

static void add_kid(yt_arena *a, yt_node *parent, yt_node *kid, size_t *cap)
{
	if (parent->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		yt_node **kids = yt_arena_alloc(a, ncap * sizeof *kids);
		if (parent->n)
			memcpy(kids, parent->kids, parent->n * sizeof *kids);
		parent->kids = kids;
		*cap = ncap;
	}
	parent->kids[parent->n++] = kid;
}

char *yt_arena_strndup(yt_arena *a, const char *s, size_t n)
{
	char *p = yt_arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* Records the node built for an anchor, once whole: an alias inside it does not see it. */
static void anchor_built(yt_reader *r, const char *name, const yt_node *n)
{
	struct yt_anchor *e = name ? anchor_find(r, name) : NULL;
	if (e) {
		e->node = n;
		e->gen = r->build_gen;
	}
}

static yt_node *build_node(yt_reader *r, yt_arena *a)
{
	yaml_event_t *ev = &r->ev;
	yt_node *n;
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n = new_node(r, a, YT_SCALAR);
		n->style = ev->data.scalar.style;
		n->anchored = ev->data.scalar.anchor != NULL;
		n->tagged = ev->data.scalar.tag != NULL;
		n->len = ev->data.scalar.length;
		n->value = yt_arena_strndup(a, (const char *)ev->data.scalar.value, n->len);
		n->end = n->last = yt_mark_byte(r, ev->end_mark);
		anchor_built(r, (const char *)ev->data.scalar.anchor, n);
		return n;
	case YAML_ALIAS_EVENT: {
		n = new_node(r, a, YT_ALIAS);
		const char *name = (const char *)ev->data.alias.anchor;
		n->len = strlen(name);
		n->value = yt_arena_strndup(a, name, n->len);
		n->end = n->last = yt_mark_byte(r, ev->end_mark);
		struct yt_anchor *e = anchor_find(r, name);
		n->target = e && e->gen == r->build_gen ? e->node : NULL;
		return n;
	}
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT: {
		int map = ev->type == YAML_MAPPING_START_EVENT;
		n = new_node(r, a, map ? YT_MAPPING : YT_SEQUENCE);
		n->flow = map ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
			      : ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
		n->anchored = (map ? ev->data.mapping_start.anchor
				   : ev->data.sequence_start.anchor) != NULL;
		n->tagged =
			(map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag) != NULL;
		const char *anchor = map ? (const char *)ev->data.mapping_start.anchor
					 : (const char *)ev->data.sequence_start.anchor;
		char *anchor_name = anchor ? yt_arena_strndup(a, anchor, strlen(anchor)) : NULL;
		size_t cap = 0;
		yaml_event_type_t end = map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
		for (;;) {
			if (yt_next(r))
				return NULL;
			if (ev->type == end)
				break;
			if (map && n->n % 2 == 0 && yt_check_key(r))
				return NULL;
			yt_node *kid = build_node(r, a);
			if (!kid)
				return NULL;
			add_kid(a, n, kid, &cap);
		}
		n->end = yt_mark_byte(r, ev->end_mark);
		n->last = n->flow || !n->n ? n->end : n->kids[n->n - 1]->last;
		/* After a missing value the mapping's content ends with its key. */
		if (map && !n->flow && n->n >= 2 && n->kids[n->n - 1]->kind == YT_SCALAR &&
		    n->kids[n->n - 1]->start == n->kids[n->n - 1]->end &&
		    !empty_node_is_content(r->buf, n->kids[n->n - 1]->end))
			n->last = n->kids[n->n - 2]->last;
		anchor_built(r, anchor_name, n);
		return n;
	}
	default:
		yt_fail(r, ev->start_mark, "unexpected YAML event");
		return NULL;
	}
}

yt_node *yt_build(yt_reader *r, yt_arena *a)
{
	/* Aliases resolve only to nodes of this tree: the arena of an earlier one may be gone. */
	r->build_gen++;
	return build_node(r, a);
}

int yt_skip(yt_reader *r)
{
	if (r->ev.type != YAML_MAPPING_START_EVENT && r->ev.type != YAML_SEQUENCE_START_EVENT)
		return 0;
	size_t depth = r->depth - 1;
	do {
		if (yt_next(r))
			return -1;
	} while (r->depth > depth);
	return 0;
}

yt_node *yt_parse_document(const char *buf, size_t len, yt_limits limits, yt_arena *a, char *error,
			   size_t error_size, size_t *error_line, size_t *error_col)
{
	yt_reader r;
	yt_node *root = NULL;
	yt_reader_init(&r, buf, len, limits);
	if (yt_next(&r) || yt_next(&r))
		goto out;
	if (r.ev.type != YAML_DOCUMENT_START_EVENT) {
		yt_fail(&r, r.ev.start_mark, "the YAML text is empty");
		goto out;
	}
	if (yt_next(&r) || !(root = yt_build(&r, a)) || yt_next(&r) || yt_next(&r)) {
		root = NULL;
		goto out;
	}
	if (r.ev.type != YAML_STREAM_END_EVENT) {
		yt_fail(&r, r.ev.start_mark, "expected one YAML document, found more");
		root = NULL;
	}
out:
	if (!root) {
		text_format(error, error_size, "%s", r.error);
		*error_line = r.error_line;
		*error_col = r.error_col;
	}
	yt_reader_free(&r);
	return root;
}

const yt_node *yt_get_deref(const yt_node *map, const char *key)
{
	map = yt_deref(map);
	if (!map || map->kind != YT_MAPPING)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const yt_node *k = yt_deref(map->kids[i]);
		if (k && k->kind == YT_SCALAR && !strcmp(k->value, key))
			return yt_deref(map->kids[i + 1]);
	}
	return NULL;
}

const yt_node *yt_get(const yt_node *map, const char *key)
{
	long slot = yt_key_slot(map, key);
	return slot < 0 ? NULL : map->kids[slot + 1];
}

long yt_key_slot(const yt_node *map, const char *key)
{
	if (!map || map->kind != YT_MAPPING)
		return -1;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const yt_node *k = map->kids[i];
		if (k->kind == YT_SCALAR && !strcmp(k->value, key))
			return (long)i;
	}
	return -1;
}

const char *yt_scalar(const yt_node *n)
{
	return n && n->kind == YT_SCALAR ? n->value : NULL;
}

int yt_is_null(const yt_node *n)
{
	if (!n)
		return 1;
	if (n->kind != YT_SCALAR || n->style != YAML_PLAIN_SCALAR_STYLE || n->tagged)
		return 0;
	return !n->len || !strcmp(n->value, "~") || !strcmp(n->value, "null") ||
	       !strcmp(n->value, "Null") || !strcmp(n->value, "NULL");
}

int yt_int(const yt_node *n, long long *out)
{
	if (!n || n->kind != YT_SCALAR || n->style != YAML_PLAIN_SCALAR_STYLE || n->tagged ||
	    !n->len)
		return 0;
	char digits[72];
	size_t k = 0;
	for (size_t i = 0; i < n->len; i++)
		if (n->value[i] != '_') {
			if (k + 1 == sizeof digits)
				return 0;
			digits[k++] = n->value[i];
		}
	digits[k] = '\0';
	const char *p = digits;
	int negative = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p += 1;
	if (!*p)
		return 0;
	unsigned long long v = 0;
	for (; *p; p++) {
		int d = *p >= '0' && *p <= '9'	 ? *p - '0'
			: *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
			: *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
						 : 99;
		if (d >= base || v > (0x7fffffffffffffffull - (unsigned)d) / (unsigned)base)
			return 0;
		v = v * (unsigned)base + (unsigned)d;
	}
	*out = negative ? -(long long)v : (long long)v;
	return 1;
}

/* The number of decimal digits at s. */
static size_t digits(const char *s)
{
	size_t n = 0;
	while (s[n] >= '0' && s[n] <= '9')
		n++;
	return n;
}

/* go-yaml's float syntax: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?, or .inf, .nan. */
static int go_float(const char *s)
{
	static const char *const special[] = {".inf",  ".Inf",	".INF",	 "+.inf", "+.Inf", "+.INF",
					      "-.inf", "-.Inf", "-.INF", ".nan",  ".NaN",  ".NAN"};
	for (size_t i = 0; i < sizeof special / sizeof *special; i++)
		if (!strcmp(s, special[i]))
			return 1;
	if (*s == '-' || *s == '+')
		s++;
	size_t whole = digits(s);
	s += whole;
	if (*s == '.') {
		size_t frac = digits(s + 1);
		if (!whole && !frac)
			return 0;
		s += 1 + frac;
	} else if (!whole) {
		return 0;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		size_t exp = digits(s);
		if (!exp)
			return 0;
		s += exp;
	}
	return *s == '\0';
}

int yt_go_string(const yt_node *n)
{
	static const char *const words[] = {
		"y",	"Y",	"yes",	 "Yes",	  "YES",   "n",	 "N",  "no", "No",  "NO",  "true",
		"True", "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF"};
	long long v;
	if (!n || n->kind != YT_SCALAR)
		return 0;
	if (n->style != YAML_PLAIN_SCALAR_STYLE)
		return 1;
	/* A null, bool word or number starts with one of these letters, or with no letter. */
	char first = n->value[0];
	int letter = (first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z');
	int word_letter = letter && memchr("yYnNtTfFoO", first, 10);
	if (letter && !word_letter)
		return 1;
	if (yt_is_null(n) || yt_int(n, &v) || go_float(n->value))
		return 0;
	if (n->len > 5 || !word_letter) /* every word is 1 to 5 letters */
		return 1;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcmp(n->value, words[i]))
			return 0;
	return 1;
}

const yt_node *yt_deref(const yt_node *n)
{
	return n && n->kind == YT_ALIAS ? n->target : n;
}

int yt_is_string(const yt_node *n)
{
	if (!n || n->kind != YT_SCALAR)
		return 0;
	if (n->style != YAML_PLAIN_SCALAR_STYLE)
		return n->style != YAML_ANY_SCALAR_STYLE;
	return text_plain_reads_as_string(n->value);
}

static int compare_keys(const void *a, const void *b)
{
	const yt_node *x = *(const yt_node *const *)a, *y = *(const yt_node *const *)b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->value, y->value, n);
	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	/* Equal keys sort by position, so the later one is reported. */
	return x->start < y->start ? -1 : x->start > y->start;
}

const yt_node *yt_duplicate_key(const yt_node *map)
{
	if (!map || map->kind != YT_MAPPING || map->n < 4)
		return NULL;
	const yt_node **keys = xmalloc(map->n / 2 * sizeof *keys);
	size_t n = 0;
	for (size_t i = 0; i + 1 < map->n; i += 2)
		if (map->kids[i]->kind == YT_SCALAR)
			keys[n++] = map->kids[i];
	qsort(keys, n, sizeof *keys, compare_keys);
	const yt_node *dup = NULL;
	for (size_t i = 1; i < n && !dup; i++)
		if (keys[i]->len == keys[i - 1]->len &&
		    !memcmp(keys[i]->value, keys[i - 1]->value, keys[i]->len))
			dup = keys[i];
	xfree(keys);
	return dup;
}
