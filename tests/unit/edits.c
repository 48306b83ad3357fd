#include "edits.h"
#include "helpers.h"
#include "text.h"

#include <stdlib.h>

static int collect(void *ctx, const char *p, size_t n)
{
	tb_put(ctx, p, n);
	return 0;
}

/* Applies `e` to `src` and returns the text. */
static char *apply(const char *src, ani_edits *e)
{
	tbuf b = {0};
	cr_assert_eq(edits_write(e, src, strlen(src), collect, &b), 0);
	edits_free(e);
	return tb_take(&b);
}

static edit_style style(const char *src, size_t map_step, size_t seq_indent)
{
	const char *nl = strstr(src, "\r\n") ? "\r\n" : "\n";
	return (edit_style){src, strlen(src), nl, map_step, seq_indent};
}

TestSuite(edits, .fini = free_trees);

Test(edits, plain_strings_only_when_they_read_back_as_strings)
{
	const char *plain[] = {"octopilot-system", "name", "kubernetes.io/metadata.name", "a:b"};
	const char *quoted[] = {"true", "No",	"on",	"y",  "~",  "null", "",
				"123",	"1e3",	"0x1f", ".5", "-1", "a: b", "#x",
				"- x",	"x #y", "[a]",	"&a", "*a", "!t"};
	for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
		cr_assert(text_plain_string_ok(plain[i]), "%s", plain[i]);
	for (size_t i = 0; i < sizeof quoted / sizeof *quoted; i++)
		cr_assert_not(text_plain_string_ok(quoted[i]), "%s", quoted[i]);
	tbuf b = {0};
	tb_put_yaml_string(&b, "true");
	tb_putc(&b, ' ');
	tb_put_yaml_string(&b, "it's");
	cr_assert_str_eq(b.p, "'true' \"it's\"");
	tb_free(&b);
}

Test(edits, line_after)
{
	int nl;
	cr_assert_eq(text_line_after("a: b\nc: d\n", 10, 3, &nl), 5);
	cr_assert_not(nl);
	cr_assert_eq(text_line_after("a: |\n  x\nc: d\n", 13, 9, &nl), 9,
		     "already at a line start");
	cr_assert_eq(text_line_after("a: b", 4, 4, &nl), 4);
	cr_assert(nl, "the input ends without a newline");
}

Test(edits, append_to_block_sequence_indentless_and_indented)
{
	const char *src = "ingress:\n- from: []\n# trailing\negress: []\n";
	yt_node *root = parse(src);
	edit_style st = style(src, 2, 0);
	ani_edits e = {0};
	gen_value *peer = gen_add(
		gen_map(), "namespaceSelector",
		gen_add(gen_map(), "matchLabels", gen_add(gen_map(), "name", gen_string("true"))));
	gen_value *rule = gen_add(gen_map(), "from", gen_add(gen_seq(), NULL, peer));
	edit_append_to_sequence(&e, &st, yt_get(root, "ingress"), gen_add(gen_seq(), NULL, rule));
	char *out = apply(src, &e);
	cr_assert_str_eq(out, "ingress:\n- from: []\n- from:\n  - namespaceSelector:\n"
			      "      matchLabels:\n        name: 'true'\n# trailing\negress: []\n");
	free(out);

	src = "spec:\n  ingress:\n    - from: []\n";
	root = parse(src);
	st = style(src, 2, 2);
	gen_value *items =
		gen_add(gen_seq(), NULL,
			gen_add(gen_map(), "from", gen_add(gen_seq(), NULL, gen_string("x"))));
	edit_append_to_sequence(&e, &st, yt_get(yt_get(root, "spec"), "ingress"), items);
	out = apply(src, &e);
	cr_assert_str_eq(out, "spec:\n  ingress:\n    - from: []\n    - from:\n        - x\n");
	free(out);
}

Test(edits, append_to_flow_sequences)
{
	const char *src = "a: [x, y]\nb: []\n";
	yt_node *root = parse(src);
	edit_style st = style(src, 2, 0);
	ani_edits e = {0};
	edit_append_to_sequence(&e, &st, yt_get(root, "a"),
				gen_add(gen_seq(), NULL, gen_add(gen_map(), "k", gen_number(1))));
	edit_append_to_sequence(
		&e, &st, yt_get(root, "b"),
		gen_add(gen_add(gen_seq(), NULL, gen_string("p")), NULL, gen_string("q")));
	char *out = apply(src, &e);
	cr_assert_str_eq(out, "a: [x, y, {k: 1}]\nb: [p, q]\n");
	free(out);
}

Test(edits, set_in_mapping_absent_null_and_flow_with_crlf)
{
	const char *src = "m:\r\n  a: 1\r\n  n:\r\n  t: ~ # keep\r\nf: {a: 1}\r\n";
	yt_node *root = parse(src);
	edit_style st = style(src, 2, 0);
	ani_edits e = {0};
	ani_failure f;
	yt_node *m = (yt_node *)yt_get(root, "m");
	cr_assert_eq(edit_set_in_mapping(&e, &st, m, "new", gen_string("v"), &f), 0);
	cr_assert_eq(
		edit_set_in_mapping(&e, &st, m, "n", gen_add(gen_seq(), NULL, gen_number(1)), &f),
		0);
	cr_assert_eq(
		edit_set_in_mapping(&e, &st, m, "t", gen_add(gen_map(), "k", gen_string("v")), &f),
		0);
	cr_assert_eq(edit_set_in_mapping(&e, &st, yt_get(root, "f"), "b", gen_string("2"), &f), 0);
	char *out = apply(src, &e);
	cr_assert_str_eq(out, "m:\r\n  a: 1\r\n  n:\r\n  - 1\r\n  t: # keep\r\n    k: v\r\n"
			      "  new: v\r\nf: {a: 1, b: '2'}\r\n");
	free(out);
}

Test(edits, refuses_aliases_anchors_merge_keys_and_duplicates)
{
	ani_failure f;
	yt_node *root = parse("a: &x {k: 1}\nb: *x\nc: {<<: *x}\nd: {k: 1, k: 2}\ne: {k: 1}\n");
	cr_assert_neq(edit_check_editable(yt_get(root, "a"), "a", &f), 0);
	cr_assert(strstr(f.message, "anchor"), "%s", f.message);
	cr_assert_neq(edit_check_editable(yt_get(root, "b"), "b", &f), 0);
	cr_assert(strstr(f.message, "alias"), "%s", f.message);
	cr_assert_neq(edit_check_editable(yt_get(root, "c"), "c", &f), 0);
	cr_assert(strstr(f.message, "merge key"), "%s", f.message);
	cr_assert_neq(edit_check_editable(yt_get(root, "d"), "d", &f), 0);
	cr_assert(strstr(f.message, "twice"), "%s", f.message);
	cr_assert_eq(edit_check_editable(yt_get(root, "e"), "e", &f), 0);
}
