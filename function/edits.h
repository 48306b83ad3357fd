/* Turns decisions into text written in the target's own style (block or flow, indentation,
 * sequence indentation, line ends) and splices it into the input bytes. */
#ifndef ANI_EDITS_H
#define ANI_EDITS_H

#include "model.h"
#include "text.h"

/* Replace input[at, end) with text. Edits never overlap; at one position the more indented
 * text goes first, then the order they were added in. */
typedef struct {
	size_t at, end;
	char *text;
} ani_edit;

typedef struct {
	ani_edit *v;
	size_t n;
} ani_edits;

/* A value to write: a string, a number, or a mapping or sequence of values. */
typedef struct gen_value gen_value;

gen_value *gen_string(const char *s);
gen_value *gen_number(long n);
gen_value *gen_map(void);
gen_value *gen_seq(void);
/* Appends to a mapping (with key) or a sequence (key NULL); returns `parent`. */
gen_value *gen_add(gen_value *parent, const char *key, gen_value *value);
size_t gen_len(const gen_value *v);
void gen_free(gen_value *v);

/* The peer {namespaceSelector: {matchLabels: {label: ns}}, podSelector: ...} of a source, and
 * the port entries {port, protocol, endPort}. */
gen_value *gen_peer(const ani_config *c, const ani_source *s);
gen_value *gen_port(const ani_port *p);
/* The rule {from: [the source's peer], ports: [every configured port]}. */
gen_value *gen_rule(const ani_config *c, const ani_source *s);
/* Separate mode's policy for source `s`, with kpt's path annotations when `path` is given. */
gen_value *gen_dedicated_policy(const ani_config *c, const ani_source *s, const char *name,
				const char *path);
/* A scalar written as it is (a number, a boolean, a null). */
gen_value *gen_raw(const char *text);
/* A copy of a tree without aliases: each scalar keeps what YAML reads it as. */
gen_value *gen_from_node(const yt_node *n);

/* Where the text goes and how it is laid out. */
typedef struct {
	const char *buf;
	size_t len;
	const char *newline; /* "\n" or "\r\n", as the input has it */
	size_t map_step;     /* columns a nested mapping is indented by */
	size_t seq_indent;   /* columns a sequence's dashes sit right of its key */
} edit_style;

/* The style of `item` (NULL: the defaults, with the input's line ends). */
edit_style edit_style_for(const char *buf, size_t len, const ani_item *item);
/* Appends a mapping or sequence in block style, its keys or dashes at column `col`. */
void gen_render_block(tbuf *b, const gen_value *v, size_t col, const edit_style *st);

/* The edits take ownership of the values. Check the nodes with edit_check_editable first. */
/* Appends every item of the sequence `items` to `seq`. */
void edit_append_to_sequence(ani_edits *e, const edit_style *st, const yt_node *seq,
			     gen_value *items);
/* The same for a sequence known only by where it ends (the ResourceList's items, which are
 * never built as a tree): for block style, `at` is the end of its last content; for flow, the
 * place to insert (after the last item, or at the `]` of an empty one). */
typedef struct {
	int flow, nonempty;
	size_t dash_col, at;
} edit_sequence_end;
void edit_append_items(ani_edits *e, const edit_style *st, const edit_sequence_end *where,
		       gen_value *items);
/* Appends `doc` as a new YAML document at the end of the input. */
void edit_append_document(ani_edits *e, const edit_style *st, gen_value *doc);
/* Sets map[key] = value where the key is absent or its value is null; -1 with `f` set when the
 * text around the key is not what the parser said. */
int edit_set_in_mapping(ani_edits *e, const edit_style *st, const yt_node *map, const char *key,
			gen_value *value, ani_failure *f);
/* Refuses a node the function would edit through: an alias, an anchored node, a merge key,
 * a duplicate key. */
int edit_check_editable(const yt_node *n, const char *field, ani_failure *f);

void edits_add(ani_edits *e, size_t at, size_t end, char *text);
void edits_free(ani_edits *e);
/* Writes input with the edits applied. Returns 0 or the first non-zero write result. */
int edits_write(const ani_edits *e, const char *buf, size_t len, ani_write_fn write, void *ctx);

#endif
