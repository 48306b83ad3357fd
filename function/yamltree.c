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
		/* Small first: most kept items are a few kilobytes of tree. */
		size_t size = c && c->size < 65536 ? c->size * 2 : c ? 65536 : 4096;
		if (size < n)
			size = n;
		c = xmalloc(sizeof *c + size);
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
		free(c);
	}
	keep->used = 0;
	a->head = keep;
}

void yt_arena_free(yt_arena *a)
{
	while (a->head) {
		yt_arena_chunk *next = a->head->next;
		free(a->head);
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
	/* With the encoding forced, libyaml reads a UTF-8 BOM as a character of the first line
	 * (column 1), which breaks its indentation; let it detect UTF-8 from the BOM instead. */
	if (!r->bom)
		yaml_parser_set_encoding(&r->parser, YAML_UTF8_ENCODING);
}

void yt_reader_init(yt_reader *r, const char *buf, size_t len, yt_limits limits)
{
	yt_reader_start(r, buf, len, limits, text_scan_input(buf, len).ascii);
}

void yt_reader_free(yt_reader *r)
{
	yaml_event_delete(&r->ev);
	yaml_parser_delete(&r->parser);
}

void yt_fail(yt_reader *r, yaml_mark_t at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
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
		snprintf(r->error, sizeof r->error, "out of memory while parsing");
	else if (p->context)
		snprintf(r->error, sizeof r->error, "invalid YAML: %s %s", p->context,
			 p->problem ? p->problem : "");
	else
		snprintf(r->error, sizeof r->error, "invalid YAML: %s",
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

int yt_next(yt_reader *r)
{
	yaml_event_t *ev = &r->ev;
	yaml_event_delete(ev); /* a no-op on the zeroed event before the first */
	if (!yaml_parser_parse(&r->parser, ev))
		return parse_failed(r);
	/* Most frequent first: this runs for every event of the input. */
	yaml_event_type_t type = ev->type;
	if (type == YAML_SCALAR_EVENT) {
		/* Names are compared as C strings: "kind\0x" must not read as "kind". Only a
		 * double-quoted scalar's escapes make a NUL: libyaml's reader refuses a raw one. */
		if (ev->data.scalar.length > r->limits.max_scalar_bytes ||
		    (ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE &&
		     memchr(ev->data.scalar.value, 0, ev->data.scalar.length)))
			return event_refused(r);
		if (ev->end_mark.index > ev->start_mark.index || !is_missing_value(r))
			r->last_content = ev->end_mark;
	} else if (type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT) {
		if (++r->depth > r->limits.max_depth)
			return event_refused(r);
	} else if (type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT) {
		r->depth--;
		/* Only a flow collection's end has width (its bracket). */
		if (ev->end_mark.index > ev->start_mark.index)
			r->last_content = ev->end_mark;
	} else if (type == YAML_ALIAS_EVENT) {
		r->last_content = ev->end_mark;
	}
	return 0;
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
	return n;
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

yt_node *yt_build(yt_reader *r, yt_arena *a)
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
		n->value = yt_arena_alloc(a, n->len + 1);
		memcpy(n->value, ev->data.scalar.value, n->len);
		n->value[n->len] = '\0';
		n->end = n->last = yt_mark_byte(r, ev->end_mark);
		return n;
	case YAML_ALIAS_EVENT:
		n = new_node(r, a, YT_ALIAS);
		n->end = n->last = yt_mark_byte(r, ev->end_mark);
		return n;
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
		size_t cap = 0;
		yaml_event_type_t end = map ? YAML_MAPPING_END_EVENT : YAML_SEQUENCE_END_EVENT;
		for (;;) {
			if (yt_next(r))
				return NULL;
			if (ev->type == end)
				break;
			yt_node *kid = yt_build(r, a);
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
		return n;
	}
	default:
		yt_fail(r, ev->start_mark, "unexpected YAML event");
		return NULL;
	}
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
		snprintf(error, error_size, "%s", r.error);
		*error_line = r.error_line;
		*error_col = r.error_col;
	}
	yt_reader_free(&r);
	return root;
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
	free(keys);
	return dup;
}
