/* SPDX-License-Identifier: Apache-2.0 */
/* The only code that reads untrusted YAML: libyaml's event parser (fuzzed for millions of
 * inputs, unlike libfyaml 0.7.12), with our own limits, byte positions for every node, and small
 * trees built only for the parts of the input the function reads or edits. */
#ifndef ANI_YAMLTREE_H
#define ANI_YAMLTREE_H

#include "mem.h"

#include <stddef.h>
#include <string.h>
#include <yaml.h>

typedef enum { YT_SCALAR, YT_MAPPING, YT_SEQUENCE, YT_ALIAS } yt_kind;

typedef struct yt_node yt_node;
struct yt_node {
	yt_kind kind;
	int flow;	  /* collection written in flow style */
	int style;	  /* yaml_scalar_style_t of a scalar */
	int anchored;	  /* carries an &anchor */
	int tagged;	  /* carries an explicit !tag */
	size_t start;	  /* byte offset of the node (a quoted scalar's opening quote) */
	size_t end;	  /* byte offset after the node (libyaml's end mark) */
	size_t last;	  /* byte offset after the node's last character of content */
	size_t line, col; /* 1-based line, 0-based column of `start` */
	/* Nesting: a collection's own level (a document's root is 1), a scalar's or alias's
	 * parent's level. */
	size_t depth;
	char *value; /* scalar text, or an alias's anchor name; NUL-terminated */
	size_t len;
	yt_node **kids; /* mapping: key0, value0, key1, value1, ...; sequence: items */
	size_t n;
	/* An alias's anchored node, when it was built in the same yt_build call; else NULL. */
	const yt_node *target;
};

/* Memory for the trees of one item; released together. */
typedef struct yt_arena_chunk yt_arena_chunk;
typedef struct {
	yt_arena_chunk *head;
} yt_arena;
void *yt_arena_alloc(yt_arena *a, size_t n);
void yt_arena_free(yt_arena *a);
/* Frees all but one chunk, for reuse. */
void yt_arena_reset(yt_arena *a);
/* The n bytes at s and a NUL, in the arena. */
char *yt_arena_strndup(yt_arena *a, const char *s, size_t n);

typedef struct {
	size_t max_depth;
	size_t max_scalar_bytes;
	/* The text is a part of a document already read whole: an alias may name an anchor defined
	 * before the part. */
	int part;
} yt_limits;

typedef struct {
	yaml_parser_t parser;
	yaml_event_t ev; /* zeroed when there is none */
	const char *buf;
	size_t len;
	size_t fed; /* bytes handed to libyaml so far */
	size_t bom;
	int ascii;		   /* every byte < 0x80: character index == byte offset */
	size_t cur_char, cur_byte; /* cursor for character -> byte conversion */
	size_t depth;
	size_t last_content; /* character index of the end of the last scalar, alias or flow
			      * collection read: yt_last_content_byte */
	/* The last content is a block scalar (| or >) that keeps its final line break: one written
	 * after it, at an end without one, would change its value. */
	int last_content_open_block;
	yaml_mark_t last_block_start; /* that block scalar's */
	yt_limits limits;
	mem_cleanup cleanup; /* the parser and event, released if memory runs out */
	/* Anchors defined so far in the current document (an alias to any other is invalid YAML),
	 * with the node built for each in the current yt_build call. */
	struct yt_anchor *anchors;
	size_t anchors_cap, anchors_n;
	unsigned build_gen;
	size_t anchors_and_aliases; /* read so far: a text with none means what it says alone */
	/* Set by the caller: a key yt_check_key refuses only sets bad_key, for the caller to
	 * decide later. */
	int defer_key_checks, bad_key;
	/* Set on failure. */
	char error[400];
	size_t error_line, error_col; /* 1-based; 0 when unknown */
} yt_reader;

void yt_reader_init(yt_reader *r, const char *buf, size_t len, yt_limits limits);
/* The same, when the caller has scanned buf already: `ascii` is text_scan_input's. */
void yt_reader_start(yt_reader *r, const char *buf, size_t len, yt_limits limits, int ascii);
void yt_reader_free(yt_reader *r);
/* What yt_next does out of line: a parse failure (parsed 0), and the rare events (anchors,
 * aliases, documents, quoted, block or empty scalars, limits). */
int yt_next_rare(yt_reader *r, int parsed);

/* Moves to the next event (r->ev). Returns 0, or -1 with r->error set. Inline: it runs for
 * every event of the input, most of them short plain scalars and collection starts and ends. */
static inline int yt_next(yt_reader *r)
{
	yaml_event_t *ev = &r->ev;
	yaml_event_delete(ev); /* a no-op on the zeroed event before the first */
	if (!yaml_parser_parse(&r->parser, ev))
		return yt_next_rare(r, 0);
	yaml_event_type_t type = ev->type;
	if (type == YAML_SCALAR_EVENT) {
		if (ev->data.scalar.style > YAML_SINGLE_QUOTED_SCALAR_STYLE ||
		    ev->end_mark.index == ev->start_mark.index || ev->data.scalar.anchor ||
		    ev->data.scalar.length > r->limits.max_scalar_bytes)
			return yt_next_rare(r, 1);
		r->last_content = ev->end_mark.index;
		r->last_content_open_block = 0;
		return 0;
	}
	if (type == YAML_MAPPING_START_EVENT || type == YAML_SEQUENCE_START_EVENT) {
		const yaml_char_t *anchor = type == YAML_MAPPING_START_EVENT
						    ? ev->data.mapping_start.anchor
						    : ev->data.sequence_start.anchor;
		return ++r->depth > r->limits.max_depth || anchor ? yt_next_rare(r, 1) : 0;
	}
	if (type == YAML_MAPPING_END_EVENT || type == YAML_SEQUENCE_END_EVENT) {
		r->depth--;
		/* Only a flow collection's end has width (its bracket). */
		if (ev->end_mark.index > ev->start_mark.index) {
			r->last_content = ev->end_mark.index;
			r->last_content_open_block = 0;
		}
		return 0;
	}
	return yt_next_rare(r, 1);
}
/* Byte offset of a libyaml mark. */
size_t yt_mark_byte(yt_reader *r, yaml_mark_t m);
/* The byte after the last content read (yt_reader.last_content). */
size_t yt_last_content_byte(yt_reader *r);
/* Builds the tree of the node whose start event is current; on return the current event is the
 * node's last event. Returns NULL with r->error set on failure. */
yt_node *yt_build(yt_reader *r, yt_arena *a);
/* Skips the node whose start event is current, as yt_build does, without building anything. */
int yt_skip(yt_reader *r);
/* Refuses the current event as a mapping key when it is an alias, carries an anchor or is a merge
 * key (<<): an alias key repeats a key from elsewhere (a second `ingress` beside the one the
 * function sees), an anchored key invites that, a merge key brings in keys it would not see.
 * Returns 0, or -1 with r->error set. yt_build checks every key it reads. */
int yt_check_key(yt_reader *r);
/* 1 when the event is the plain scalar `<<`: a YAML 1.1 merge key, which decoders expand.
 * Inline: the first pass asks it of every key on its paths. */
static inline int yt_is_merge_key(const yaml_event_t *ev)
{
	return ev->type == YAML_SCALAR_EVENT && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       ev->data.scalar.value[0] == '<' &&
	       !strcmp((const char *)ev->data.scalar.value, "<<");
}
/* Sets r->error at an event's position. */
void yt_fail(yt_reader *r, yaml_mark_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Parses a whole single-document YAML text into a tree (for config files and tests). */
yt_node *yt_parse_document(const char *buf, size_t len, yt_limits limits, yt_arena *a, char *error,
			   size_t error_size, size_t *error_line, size_t *error_col);

/* Tree queries. The value of `key` in a mapping; the first occurrence counts. */
const yt_node *yt_get(const yt_node *map, const char *key);
/* The same through aliases: the mapping, its keys and the value may be aliases (read as
 * Kubernetes reads them, expanded). */
const yt_node *yt_get_deref(const yt_node *map, const char *key);
/* Index of `key` in map->kids (the key's slot), or -1. */
long yt_key_slot(const yt_node *map, const char *key);
/* A scalar's text; NULL for anything else (or NULL). */
const char *yt_scalar(const yt_node *n);
/* 1 for a scalar that a YAML 1.2 core resolver reads as null (plain empty, `~`, `null`). */
int yt_is_null(const yt_node *n);
/* 1 for a plain or quoted scalar that reads as a string (not null, bool or number). */
int yt_is_string(const yt_node *n);
/* 1 when `n` is a plain, untagged scalar that Go's YAML decoders (go-yaml v2 and v3, used by
 * kubectl, the API server, Flux and kustomize) read as an integer: strconv.ParseInt(s, 0, 64)
 * after removing every `_`, so 0443 is octal 291, 0x50 and 0b1010000 are 80, 0o443 is 291. */
int yt_int(const yt_node *n, long long *out);
/* 1 for a scalar that Go's YAML decoders read as a string: quoted, or plain and not a null,
 * bool (YAML 1.1 words), integer (yt_int) or float. */
int yt_go_string(const yt_node *n);
/* An alias's target, the node itself otherwise; NULL for an alias not resolved. */
const yt_node *yt_deref(const yt_node *n);
/* Finds a duplicate key in a mapping; returns the second occurrence or NULL. */
const yt_node *yt_duplicate_key(const yt_node *map);

#endif
