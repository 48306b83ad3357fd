/* SPDX-License-Identifier: Apache-2.0 */
#include "edits.h"

#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { GEN_STRING, GEN_NUMBER, GEN_RAW, GEN_MAP, GEN_SEQ };

struct gen_value {
	int type;
	char *s;
	long n;
	char **keys;
	gen_value **vals;
	size_t len;
};

static gen_value *gen_new(int type)
{
	gen_value *v = xcalloc(1, sizeof *v);
	v->type = type;
	return v;
}

gen_value *gen_string(const char *s)
{
	gen_value *v = gen_new(GEN_STRING);
	v->s = xstrdup(s);
	return v;
}

gen_value *gen_number(long n)
{
	gen_value *v = gen_new(GEN_NUMBER);
	v->n = n;
	return v;
}

gen_value *gen_map(void)
{
	return gen_new(GEN_MAP);
}

gen_value *gen_seq(void)
{
	return gen_new(GEN_SEQ);
}

gen_value *gen_add(gen_value *parent, const char *key, gen_value *value)
{
	parent->vals = xrealloc(parent->vals, (parent->len + 1) * sizeof *parent->vals);
	parent->vals[parent->len] = value;
	if (parent->type == GEN_MAP) {
		parent->keys = xrealloc(parent->keys, (parent->len + 1) * sizeof *parent->keys);
		parent->keys[parent->len] = xstrdup(key);
	}
	parent->len++;
	return parent;
}

size_t gen_len(const gen_value *v)
{
	return v->len;
}

void gen_free(gen_value *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->len; i++) {
		gen_free(v->vals[i]);
		if (v->keys)
			xfree(v->keys[i]);
	}
	xfree(v->keys);
	xfree(v->vals);
	xfree(v->s);
	xfree(v);
}

static gen_value *gen_match_labels(const ani_labels *labels)
{
	gen_value *m = gen_map();
	for (size_t i = 0; i < labels->n; i++)
		gen_add(m, labels->v[i].key, gen_string(labels->v[i].value));
	return gen_add(gen_map(), "matchLabels", m);
}

gen_value *gen_peer(const ani_config *c, const ani_source *s)
{
	ani_label l = {c->namespace_label, s->namespace_};
	ani_labels ns = {&l, 1};
	gen_value *peer = gen_add(gen_map(), "namespaceSelector", gen_match_labels(&ns));
	if (s->has_pods)
		gen_add(peer, "podSelector", gen_match_labels(&s->pods));
	return peer;
}

gen_value *gen_port(const ani_port *p)
{
	gen_value *v = gen_map();
	gen_add(v, "port", p->name ? gen_string(p->name) : gen_number(p->port));
	gen_add(v, "protocol", gen_string(p->protocol));
	if (p->end_port)
		gen_add(v, "endPort", gen_number(p->end_port));
	return v;
}

gen_value *gen_raw(const char *text)
{
	gen_value *v = gen_new(GEN_RAW);
	v->s = xstrdup(text);
	return v;
}

gen_value *gen_from_node(const yt_node *n)
{
	if (n->kind == YT_SCALAR)
		return n->style != YAML_PLAIN_SCALAR_STYLE || yt_is_string(n) ? gen_string(n->value)
									      : gen_raw(n->value);
	gen_value *v = n->kind == YT_MAPPING ? gen_map() : gen_seq();
	for (size_t i = 0; n->kind == YT_MAPPING && i + 1 < n->n; i += 2)
		gen_add(v, n->kids[i]->value, gen_from_node(n->kids[i + 1]));
	for (size_t i = 0; n->kind == YT_SEQUENCE && i < n->n; i++)
		gen_add(v, NULL, gen_from_node(n->kids[i]));
	return v;
}

/* The rule {from: [the source's peer], ports: [every configured port]}. */
gen_value *gen_rule(const ani_config *c, const ani_source *s)
{
	gen_value *ports = gen_seq();
	for (size_t p = 0; p < c->n_ports; p++)
		gen_add(ports, NULL, gen_port(&c->ports[p]));
	return gen_add(gen_add(gen_map(), "from", gen_add(gen_seq(), NULL, gen_peer(c, s))),
		       "ports", ports);
}

gen_value *gen_dedicated_policy(const ani_config *c, const ani_source *s, const char *name,
				const char *path)
{
	gen_value *md = gen_map();
	gen_add(md, "name", gen_string(name));
	gen_add(md, "namespace", gen_string(c->policy_namespace));
	if (path) {
		gen_value *ann = gen_map();
		gen_add(ann, "config.kubernetes.io/path", gen_string(path));
		gen_add(ann, "internal.config.kubernetes.io/path", gen_string(path));
		gen_add(md, "annotations", ann);
	}
	gen_value *pods = gen_map();
	for (size_t i = 0; i < c->separate_pods.n; i++)
		gen_add(pods, c->separate_pods.v[i].key, gen_string(c->separate_pods.v[i].value));
	gen_value *spec = gen_map();
	gen_add(spec, "podSelector", gen_add(gen_map(), "matchLabels", pods));
	gen_add(spec, "policyTypes", gen_add(gen_seq(), NULL, gen_string("Ingress")));
	gen_add(spec, "ingress", gen_add(gen_seq(), NULL, gen_rule(c, s)));
	gen_value *pol = gen_map();
	gen_add(pol, "apiVersion", gen_string("networking.k8s.io/v1"));
	gen_add(pol, "kind", gen_string("NetworkPolicy"));
	gen_add(pol, "metadata", md);
	gen_add(pol, "spec", spec);
	return pol;
}

/* ---- rendering ---- */

static void render_scalar(tbuf *b, const gen_value *v)
{
	if (v->type == GEN_NUMBER)
		tb_printf(b, "%ld", v->n);
	else if (v->type == GEN_RAW)
		tb_puts(b, v->s);
	else
		tb_put_yaml_string(b, v->s);
}

static void render_flow(tbuf *b, const gen_value *v)
{
	if (v->type != GEN_MAP && v->type != GEN_SEQ) {
		render_scalar(b, v);
		return;
	}
	tb_putc(b, v->type == GEN_MAP ? '{' : '[');
	for (size_t i = 0; i < v->len; i++) {
		if (i)
			tb_puts(b, ", ");
		if (v->type == GEN_MAP) {
			tb_put_yaml_string(b, v->keys[i]);
			tb_puts(b, ": ");
		}
		render_flow(b, v->vals[i]);
	}
	tb_putc(b, v->type == GEN_MAP ? '}' : ']');
}

static void render_seq_block(tbuf *b, const gen_value *s, size_t dash_col, const edit_style *st);

/* Keys at column `col`; the first key continues the current line when `first_inline`. */
static void render_map_block(tbuf *b, const gen_value *m, size_t col, int first_inline,
			     const edit_style *st)
{
	for (size_t i = 0; i < m->len; i++) {
		if (i || !first_inline)
			tb_spaces(b, col);
		tb_put_yaml_string(b, m->keys[i]);
		tb_putc(b, ':');
		const gen_value *v = m->vals[i];
		if (v->type == GEN_MAP) {
			tb_puts(b, st->newline);
			render_map_block(b, v, col + st->map_step, 0, st);
		} else if (v->type == GEN_SEQ) {
			tb_puts(b, st->newline);
			render_seq_block(b, v, col + st->seq_indent, st);
		} else {
			tb_putc(b, ' ');
			render_scalar(b, v);
			tb_puts(b, st->newline);
		}
	}
}

static void render_seq_block(tbuf *b, const gen_value *s, size_t dash_col, const edit_style *st)
{
	for (size_t i = 0; i < s->len; i++) {
		const gen_value *v = s->vals[i];
		tb_spaces(b, dash_col);
		tb_putc(b, '-');
		if (v->type == GEN_MAP) {
			tb_putc(b, ' ');
			render_map_block(b, v, dash_col + 2, 1, st);
		} else if (v->type == GEN_SEQ) {
			tb_puts(b, st->newline);
			render_seq_block(b, v, dash_col + 2, st);
		} else {
			tb_putc(b, ' ');
			render_scalar(b, v);
			tb_puts(b, st->newline);
		}
	}
}

void gen_render_block(tbuf *b, const gen_value *v, size_t col, const edit_style *st)
{
	if (v->type == GEN_MAP)
		render_map_block(b, v, col, 0, st);
	else
		render_seq_block(b, v, col, st);
}

/* ---- style ---- */

/* Columns between a key and the dashes of its block sequence value, from the first one found. */
static int find_seq_indent(const yt_node *n, size_t *out)
{
	if (!n || n->flow)
		return 0;
	if (n->kind == YT_MAPPING) {
		for (size_t i = 0; i + 1 < n->n; i += 2) {
			const yt_node *k = n->kids[i], *v = n->kids[i + 1];
			if (v->kind == YT_SEQUENCE && !v->flow && !v->anchored && !v->tagged &&
			    v->line > k->line && v->col >= k->col) {
				*out = v->col - k->col;
				return 1;
			}
			if (find_seq_indent(v, out))
				return 1;
		}
	} else if (n->kind == YT_SEQUENCE) {
		for (size_t i = 0; i < n->n; i++)
			if (find_seq_indent(n->kids[i], out))
				return 1;
	}
	return 0;
}

edit_style edit_style_for(const char *buf, size_t len, const ani_item *item)
{
	edit_style st = {buf, len, text_newline(buf, len), 2, 0};
	if (!item)
		return st;
	const yt_node *nested[2] = {item->spec, item->metadata};
	for (int i = 0; i < 2; i++) {
		const yt_node *n = nested[i];
		if (n && n->kind == YT_MAPPING && !n->flow && n->line > item->line &&
		    n->col > item->col) {
			st.map_step = n->col - item->col;
			break;
		}
	}
	if (!find_seq_indent(item->spec, &st.seq_indent))
		find_seq_indent(item->metadata, &st.seq_indent);
	return st;
}

/* ---- edits ---- */

/* Edits sort by position, then deepest first, then in the order they were added (ani_edit). */
static int edit_goes_after(const ani_edit *a, size_t at, size_t depth)
{
	if (a->at != at)
		return a->at > at;
	return a->depth < depth;
}

void edits_add(ani_edits *e, size_t at, size_t end, size_t depth, char *text)
{
	e->v = xrealloc(e->v, (e->n + 1) * sizeof *e->v);
	size_t i = e->n;
	while (i > 0 && edit_goes_after(&e->v[i - 1], at, depth)) {
		e->v[i] = e->v[i - 1];
		i--;
	}
	e->v[i] = (ani_edit){at, end, depth, text};
	e->n++;
}

int edits_write_at(const ani_edits *e, size_t at)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].at == at)
			return 1;
	return 0;
}

void edits_free(ani_edits *e)
{
	for (size_t i = 0; i < e->n; i++)
		xfree(e->v[i].text);
	xfree(e->v);
	e->v = NULL;
	e->n = 0;
}

int edits_write(const ani_edits *e, const char *buf, size_t len, ani_write_fn write, void *ctx)
{
	size_t cursor = 0;
	int rc;
	for (size_t i = 0; i < e->n; i++) {
		const ani_edit *ed = &e->v[i];
		if (ed->at > cursor && (rc = write(ctx, buf + cursor, ed->at - cursor)))
			return rc;
		if ((rc = write(ctx, ed->text, strlen(ed->text))))
			return rc;
		if (ed->end > cursor)
			cursor = ed->end;
		if (ed->at > cursor)
			cursor = ed->at;
	}
	if (cursor < len)
		return write(ctx, buf + cursor, len - cursor);
	return 0;
}

static int edit_fail(ani_failure *f, const yt_node *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int edit_fail(ani_failure *f, const yt_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	text_vformat(f->message, sizeof f->message, fmt, ap);
	va_end(ap);
	f->line = at->line;
	f->col = at->col + 1;
	return -1;
}

int edit_check_editable(const yt_node *n, const char *field, ani_failure *f)
{
	if (!n)
		return 0;
	if (n->kind == YT_ALIAS)
		return edit_fail(f, n, "%s is an alias (*): refusing to edit through it", field);
	if (n->anchored)
		return edit_fail(f, n,
				 "%s carries an anchor (&): editing it would change every alias "
				 "of it",
				 field);
	if (n->kind != YT_MAPPING)
		return 0;
	const yt_node *dup = yt_duplicate_key(n);
	if (dup)
		return edit_fail(f, dup, "%s has the key \"%.200s\" twice", field, dup->value);
	return 0;
}

void edit_append_items(ani_edits *e, const edit_style *st, const edit_sequence_end *where,
		       gen_value *items)
{
	tbuf b = {0};
	if (where->flow) {
		for (size_t i = 0; i < items->len; i++) {
			if (i || where->nonempty)
				tb_puts(&b, ", ");
			render_flow(&b, items->vals[i]);
		}
		edits_add(e, where->at, where->at, where->depth, tb_take(&b));
	} else {
		int need_newline;
		size_t at = text_line_after(st->buf, st->len, where->at, &need_newline);
		if (need_newline)
			tb_puts(&b, st->newline);
		render_seq_block(&b, items, where->dash_col, st);
		edits_add(e, at, at, where->depth, tb_take(&b));
	}
	gen_free(items);
}

/* Column of a block collection's entries. Its node starts at its properties (a !tag) when it has
 * any, which may sit elsewhere, e.g. on the line of its key; else at its first entry (a `?` or
 * `-` included). */
static size_t block_col(const edit_style *st, const yt_node *n)
{
	if (!n->tagged)
		return n->col;
	/* Skip the tag, then spaces, line ends and comments up to the first entry. */
	size_t i = n->start, col = n->col;
	while (i < st->len && !strchr(" \t\r\n", st->buf[i])) {
		i++;
		col++;
	}
	while (i < st->len && strchr(" \t\r\n#", st->buf[i])) {
		if (st->buf[i] == '#')
			while (i < st->len && st->buf[i] != '\n')
				i++;
		else
			col = st->buf[i++] == '\n' ? 0 : col + 1;
	}
	return col;
}

void edit_append_to_sequence(ani_edits *e, const edit_style *st, const yt_node *seq,
			     gen_value *items)
{
	edit_sequence_end where = {
		.flow = seq->flow,
		.nonempty = seq->n > 0,
		.dash_col = block_col(st, seq),
		.at = !seq->flow ? seq->last
		      : seq->n	 ? seq->kids[seq->n - 1]->last
				 : seq->end - 1,
		.depth = seq->depth,
	};
	edit_append_items(e, st, &where, items);
}

void edit_append_document(ani_edits *e, const edit_style *st, gen_value *doc)
{
	tbuf b = {0};
	if (st->len && st->buf[st->len - 1] != '\n')
		tb_puts(&b, st->newline);
	tb_printf(&b, "---%s", st->newline);
	render_map_block(&b, doc, 0, 0, st);
	edits_add(e, st->len, st->len, EDIT_DEPTH_STREAM, tb_take(&b));
	gen_free(doc);
}

int edit_set_in_mapping(ani_edits *e, const edit_style *st, const yt_node *map, const char *key,
			gen_value *value, ani_failure *f)
{
	tbuf b = {0};
	long slot = yt_key_slot(map, key);
	if (slot >= 0) {
		/* The key is there with a null value: replace what follows its colon. The new value
		 * is a level below the mapping, which may gain a key at the same place. */
		const yt_node *k = map->kids[slot], *v = map->kids[slot + 1];
		size_t value_depth = map->depth + 1;
		size_t colon = k->end;
		while (colon < st->len && (st->buf[colon] == ' ' || st->buf[colon] == '\t'))
			colon++;
		if (colon >= st->len || st->buf[colon] != ':') {
			gen_free(value);
			return edit_fail(f, k, "cannot find the colon after key %s", key);
		}
		size_t from = colon + 1, to = v->len ? v->end : from;
		if (to < from)
			to = from;
		if (map->flow) {
			tb_putc(&b, ' ');
			render_flow(&b, value);
			edits_add(e, from, to, value_depth, tb_take(&b));
		} else {
			/* Drop the `~`/`null`, keep any comment on the key's line, and put the
			 * block value on the lines after it. */
			if (to > from)
				edits_add(e, from, to, value_depth, xstrdup(""));
			int need_newline;
			size_t at = text_line_after(st->buf, st->len, to, &need_newline);
			if (need_newline)
				tb_puts(&b, st->newline);
			if (value->type == GEN_SEQ)
				render_seq_block(&b, value, k->col + st->seq_indent, st);
			else
				render_map_block(&b, value, k->col + st->map_step, 0, st);
			edits_add(e, at, at, value_depth, tb_take(&b));
		}
	} else if (map->flow) {
		size_t at = map->n ? map->kids[map->n - 1]->last : map->end - 1;
		if (map->n)
			tb_puts(&b, ", ");
		tb_put_yaml_string(&b, key);
		tb_puts(&b, ": ");
		render_flow(&b, value);
		edits_add(e, at, at, map->depth, tb_take(&b));
	} else {
		int need_newline;
		size_t at = text_line_after(st->buf, st->len, map->last, &need_newline);
		if (need_newline)
			tb_puts(&b, st->newline);
		gen_value *entry = gen_add(gen_map(), key, value);
		render_map_block(&b, entry, block_col(st, map), 0, st);
		value = entry;
		edits_add(e, at, at, map->depth, tb_take(&b));
	}
	gen_free(value);
	return 0;
}
