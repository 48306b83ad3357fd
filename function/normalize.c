/* SPDX-License-Identifier: Apache-2.0 */
#include "normalize.h"

#include "text.h"

#include <stdio.h>
#include <string.h>

static int append_output(void *data, unsigned char *buffer, size_t size)
{
	tb_put(data, (const char *)buffer, size);
	return 1;
}

/* The same event, with every collection in block style. */
static const unsigned char *event_tag(const yaml_event_t *ev)
{
	if (ev->type == YAML_SCALAR_EVENT)
		return ev->data.scalar.tag;
	if (ev->type == YAML_SEQUENCE_START_EVENT)
		return ev->data.sequence_start.tag;
	if (ev->type == YAML_MAPPING_START_EVENT)
		return ev->data.mapping_start.tag;
	return NULL;
}

static int block_event(const yaml_event_t *in, yaml_event_t *out)
{
	switch (in->type) {
	case YAML_STREAM_START_EVENT:
		return yaml_stream_start_event_initialize(out, YAML_UTF8_ENCODING);
	case YAML_STREAM_END_EVENT:
		return yaml_stream_end_event_initialize(out);
	case YAML_DOCUMENT_START_EVENT:
		return yaml_document_start_event_initialize(out, NULL, NULL, NULL, 1);
	case YAML_DOCUMENT_END_EVENT:
		return yaml_document_end_event_initialize(out, 1);
	case YAML_ALIAS_EVENT:
		return yaml_alias_event_initialize(out, in->data.alias.anchor);
	case YAML_SCALAR_EVENT: {
		/* JSON quotes every string; keep quotes only where a plain scalar would read
		 * differently. */
		const char *v = (const char *)in->data.scalar.value;
		int plain = in->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE &&
			    !in->data.scalar.tag && strlen(v) == in->data.scalar.length &&
			    text_plain_string_ok(v);
		/* A plain string the emitter has to quote (a line break in it) needs no "!" tag to
		 * stay a string. */
		int quoted_string = in->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
				    text_plain_reads_as_string(v);
		return yaml_scalar_event_initialize(
			out, in->data.scalar.anchor, in->data.scalar.tag, in->data.scalar.value,
			(int)in->data.scalar.length, plain || in->data.scalar.plain_implicit,
			in->data.scalar.quoted_implicit || quoted_string,
			plain ? YAML_PLAIN_SCALAR_STYLE : in->data.scalar.style);
	}
	case YAML_SEQUENCE_START_EVENT:
		return yaml_sequence_start_event_initialize(
			out, in->data.sequence_start.anchor, in->data.sequence_start.tag,
			in->data.sequence_start.implicit, YAML_BLOCK_SEQUENCE_STYLE);
	case YAML_SEQUENCE_END_EVENT:
		return yaml_sequence_end_event_initialize(out);
	case YAML_MAPPING_START_EVENT:
		return yaml_mapping_start_event_initialize(
			out, in->data.mapping_start.anchor, in->data.mapping_start.tag,
			in->data.mapping_start.implicit, YAML_BLOCK_MAPPING_STYLE);
	case YAML_MAPPING_END_EVENT:
		return yaml_mapping_end_event_initialize(out);
	default:
		return 0;
	}
}

/* Per open collection, what comes next: 'k' a mapping's key, 'v' its value, 's' a sequence's item.
 * Returns 1 when the event's node is a mapping key. */
static int track_key(tbuf *open, const yaml_event_t *ev)
{
	int key = open->len && open->p[open->len - 1] == 'k';
	if (ev->type == YAML_MAPPING_START_EVENT || ev->type == YAML_SEQUENCE_START_EVENT) {
		tb_putc(open, ev->type == YAML_MAPPING_START_EVENT ? 'k' : 's');
		return key;
	}
	if (ev->type == YAML_MAPPING_END_EVENT || ev->type == YAML_SEQUENCE_END_EVENT)
		open->len--;
	else if (ev->type != YAML_SCALAR_EVENT && ev->type != YAML_ALIAS_EVENT)
		return 0;
	/* A node ends: its mapping waits for the other half of the pair. */
	if (open->len && open->p[open->len - 1] != 's')
		open->p[open->len - 1] = open->p[open->len - 1] == 'k' ? 'v' : 'k';
	return key;
}

/* Why the event's node would mean something else in block style, or NULL. */
static const char *meaning_would_change(tbuf *open, const yaml_event_t *ev)
{
	int key = track_key(open, ev);
	/* A tag is no JSON, and an independent reader may resolve it otherwise once the scalar's
	 * quoting changes: refuse rather than rewrite what it means. */
	if (event_tag(ev))
		return "a node carries a tag (!...)";
	/* In block style an empty key cannot stay plain, and quoted it is a string, not null. */
	if (key && ev->type == YAML_SCALAR_EVENT &&
	    ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && !ev->data.scalar.length)
		return "a mapping key is empty (null)";
	return NULL;
}

static void emitter_release(void *what)
{
	yaml_emitter_delete(what);
}

int normalize_to_block(const char *buf, size_t len, const ani_limits *limits, char **out,
		       size_t *out_len, ani_failure *f)
{
	yt_reader r;
	yaml_emitter_t em;
	mem_cleanup em_cleanup;
	tbuf text = {0}, open = {0};
	int rc = -1;
	yt_reader_init(&r, buf, len, (yt_limits){limits->max_depth, limits->max_scalar_bytes, 0});
	yaml_emitter_initialize(&em);
	mem_cleanup_push(&em_cleanup, emitter_release, &em);
	yaml_emitter_set_output(&em, append_output, &text);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	for (;;) {
		if (yt_next(&r)) {
			text_format(f->message, sizeof f->message, "%s", r.error);
			f->line = r.error_line;
			f->col = r.error_col;
			break;
		}
		const char *why = meaning_would_change(&open, &r.ev);
		yaml_event_t ev;
		if (!why && (!block_event(&r.ev, &ev) || !yaml_emitter_emit(&em, &ev)))
			why = em.problem ? em.problem : "unsupported event";
		if (why) {
			text_format(f->message, sizeof f->message,
				    "cannot rewrite the input as block YAML: %s", why);
			f->line = r.ev.start_mark.line + 1;
			f->col = r.ev.start_mark.column + 1;
			break;
		}
		if (r.ev.type == YAML_STREAM_END_EVENT) {
			rc = 0;
			break;
		}
	}
	mem_cleanup_pop(&em_cleanup);
	yaml_emitter_delete(&em);
	yt_reader_free(&r);
	tb_free(&open);
	if (rc) {
		tb_free(&text);
		return -1;
	}
	*out_len = text.len;
	*out = tb_take(&text);
	return 0;
}
