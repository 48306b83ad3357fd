/* SPDX-License-Identifier: Apache-2.0 */
/* The pipeline: limits -> index -> (normalize) -> config -> plan -> report. */
#include "allow_namespace_ingress.h"
#include "edits.h"
#include "model.h"
#include "normalize.h"
#include "patches.h"
#include "plan.h"
#include "results.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ani_run {
	mem_pool pool;	 /* every block the run allocated */
	const char *buf; /* the input, or its block-style rewrite */
	size_t len;
	char *owned;
	char *input_name;
	ani_input_kind kind;
	int has_output;
	ani_edits edits;
	ani_results results;
	char *component; /* ANI_OUTPUT_PATCHES */
	ani_files files;
};

ani_limits ani_limits_default(ani_limits l)
{
	if (!l.max_input_bytes)
		l.max_input_bytes = (size_t)1 << 30;
	if (!l.max_depth)
		l.max_depth = 200;
	if (!l.max_items)
		l.max_items = 1000000;
	if (!l.max_scalar_bytes)
		l.max_scalar_bytes = (size_t)64 << 20;
	return l;
}

static int only_blank(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!buf[i] || !strchr(" \t\r\n", buf[i]))
			return 0;
	return 1;
}

/* libyaml also ends a line at a lone CR, a NEL or a Unicode line or paragraph separator; the
 * edits know only LF and CRLF, so such input is refused rather than misread. */
static void describe_odd_line_break(const char *buf, size_t at, ani_failure *f)
{
	const unsigned char *s = (const unsigned char *)buf;
	const char *what = s[at] == '\r' ? "a carriage return (CR) without a line feed"
			   : s[at] == 0xC2
				   ? "a next-line character (U+0085)"
				   : "a Unicode line or paragraph separator (U+2028, U+2029)";
	text_format(f->message, sizeof f->message,
		    "the input has %s: only LF and CRLF line ends are supported", what);
	f->line = 1;
	f->col = 1;
	for (size_t j = 0; j < at; j++) {
		if (s[j] == '\n') {
			f->line++;
			f->col = 1;
		} else if ((s[j] & 0xC0) != 0x80) {
			f->col++;
		}
	}
}

/* 1 when the functionConfig says something (kpt's empty function-input ConfigMap does not). */
static int config_node_given(const yt_node *fc)
{
	if (yt_is_null(fc) || (fc->kind == YT_MAPPING && fc->n == 0))
		return 0;
	const yt_node *kind = yt_get(fc, "kind"), *data = yt_get(fc, "data");
	return !(kind && kind->kind == YT_SCALAR && !strcmp(kind->value, "ConfigMap") &&
		 (yt_is_null(data) || (data->kind == YT_MAPPING && data->n == 0)));
}

static int read_config(const ani_options *o, const ani_index *ix, ani_config *c, ani_failure *f)
{
	config_defaults(c);
	int external = o->config_text != NULL;
	for (size_t i = 0; i < o->n_settings; i++)
		external |= !config_setting_over_function_config(o->settings[i].key);
	if (external && config_node_given(ix->function_config)) {
		text_format(
			f->message, sizeof f->message,
			"config is given twice: in the ResourceList's functionConfig and on the "
			"command line; give one");
		return -1;
	}
	if (o->config_text) {
		/* Positions here are in the config file, not the input: say so in the message. */
		yt_arena arena = {0};
		ani_limits l = ani_limits_default(o->limits);
		yt_node *n =
			yt_parse_document(o->config_text, o->config_len,
					  (yt_limits){l.max_depth, l.max_scalar_bytes, 0}, &arena,
					  f->message, sizeof f->message, &f->line, &f->col);
		int rc = n ? config_from_node(c, n, f) : -1;
		yt_arena_free(&arena);
		if (rc) {
			char msg[sizeof f->message];
			text_format(msg, sizeof msg, "%s", f->message);
			text_format(f->message, sizeof f->message, "config %.150s:%zu:%zu: %.400s",
				    o->config_name ? o->config_name : "file", f->line, f->col, msg);
			f->line = f->col = 0;
			return -1;
		}
	} else if (config_from_node(c, ix->function_config, f)) {
		return -1;
	}
	for (size_t i = 0; i < o->n_settings; i++)
		if (config_apply_setting(c, o->settings[i].key, o->settings[i].value, f))
			return -1;
	return config_validate(c, f);
}

/* The results block replaces the input's own results, or follows the last key. */
static void add_results_edit(ani_run *run, const ani_index *ix)
{
	const char *nl = text_newline(run->buf, run->len);
	char *block = results_render(&run->results, ix->root_col, nl);
	int need_newline;
	if (ix->results) {
		size_t line_start = ix->results_key_start;
		while (line_start > 0 && run->buf[line_start - 1] != '\n')
			line_start--;
		size_t end = text_line_after(run->buf, run->len, ix->results->last, &need_newline);
		if (end < ix->results_key_start)
			end = ix->results_key_start;
		edits_add(&run->edits, line_start, end, EDIT_DEPTH_DOCUMENT_ROOT, block);
		return;
	}
	size_t at = text_line_after(run->buf, run->len, ix->root_last, &need_newline);
	if (need_newline) {
		char *with = xasprintf("%s%s", nl, block);
		xfree(block);
		block = with;
	}
	edits_add(&run->edits, at, at, EDIT_DEPTH_DOCUMENT_ROOT, block);
}

/* The policy's namespace as far as it is known before the input is read (the defaults and the
 * settings given with the options; a functionConfig comes after the items): the first pass builds
 * the parts of its workloads and Services as it reads them, instead of parsing them again. Only a
 * guess at what will be read: the config read later decides. */
static char *policy_namespace_hint(const ani_options *o)
{
	ani_config c;
	config_defaults(&c);
	ani_failure ignored;
	for (size_t i = 0; i < o->n_settings; i++)
		config_apply_setting(&c, o->settings[i].key, o->settings[i].value, &ignored);
	char *ns = c.policy_namespace ? xstrdup(c.policy_namespace) : NULL;
	config_free(&c);
	return ns;
}

static int fail_run(ani_run *run, const ani_failure *f, int with_output)
{
	results_add_failure(&run->results, f);
	edits_free(&run->edits);
	run->has_output = with_output;
	return 1;
}

static int transform(ani_run *run, const char *input, size_t len, const ani_options *o)
{
	/* The trees of the parts and of the loaded items take about 90 KiB of heap on the Flux
	 * install: map it in one call rather than fault in each page as it is first written. A
	 * small input needs no more than its size. */
	size_t heap = (size_t)120 << 10;
	mem_prefault_heap(len < heap ? len : heap);
	run->input_name = xstrdup(o->input_name ? o->input_name : "<stdin>");
	ani_limits limits = ani_limits_default(o->limits);
	ani_failure f = {{0}, 0, 0};
	ani_index ix;
	memset(&ix, 0, sizeof ix);
	if (len > limits.max_input_bytes) {
		text_format(f.message, sizeof f.message,
			    "the input is more than %zu bytes (limit: --max-input-bytes or "
			    "ANI_MAX_INPUT_BYTES)",
			    limits.max_input_bytes);
		return fail_run(run, &f, 0);
	}
	if (only_blank(input, len)) {
		text_format(
			f.message, sizeof f.message,
			"the input is empty: expected a ResourceList or YAML resources on stdin");
		return fail_run(run, &f, 0);
	}
	text_scan scan = text_scan_input(input, len);
	if (scan.odd_break < len) {
		describe_odd_line_break(input, scan.odd_break, &f);
		return fail_run(run, &f, 0);
	}
	char *parts_namespace = policy_namespace_hint(o);
	int indexed = index_input(input, len, scan.ascii, o->input_kind, &limits, parts_namespace,
				  &ix, &f);
	if (!indexed && ix.root_flow) {
		ani_input_kind kind = ix.kind;
		index_free(&ix);
		indexed = normalize_to_block(input, len, &limits, &run->owned, &run->len, &f);
		if (!indexed) {
			run->buf = run->owned;
			indexed = index_input(run->buf, run->len,
					      text_scan_input(run->buf, run->len).ascii, kind,
					      &limits, parts_namespace, &ix, &f);
		}
	}
	xfree(parts_namespace);
	if (indexed) {
		index_free(&ix); /* what was read before the failure */
		return fail_run(run, &f, 0);
	}
	run->kind = ix.kind;
	int resource_list = ix.kind == ANI_INPUT_RESOURCE_LIST;
	ani_config c;
	if (read_config(o, &ix, &c, &f)) {
		fail_run(run, &f, resource_list);
	} else {
		plan_load_items(run->buf, &ix, &c, &limits, &run->results);
		ani_changes changes = {0};
		if (!run->results.errors)
			plan_run(&ix, &c, &run->results, &changes);
		if (!run->results.errors && o->output == ANI_OUTPUT_PATCHES && mode_checks(c.mode))
			results_add(&run->results, ANI_SEVERITY_ERROR, NULL, NULL, NULL,
				    "a check changes nothing, so it has no patches to emit: use "
				    "merge or separate mode");
		else if (!run->results.errors && o->output == ANI_OUTPUT_PATCHES)
			patches_render(&c, &changes, &run->results, &run->component, &run->files);
		else if (!run->results.errors && mode_checks(c.mode))
			plan_check(&c, &changes, &run->results);
		else if (!run->results.errors)
			plan_write(run->buf, run->len, &ix, &c, &changes, &run->results,
				   &run->edits);
		changes_free(&changes);
		if (run->results.errors) {
			edits_free(&run->edits);
			xfree(run->component);
			run->component = NULL;
			files_free(&run->files);
			results_drop_info(&run->results);
		}
		run->has_output = (resource_list && o->output == ANI_OUTPUT_MANIFESTS) ||
				  !run->results.errors;
	}
	config_free(&c);
	if (resource_list && o->output == ANI_OUTPUT_MANIFESTS)
		add_results_edit(run, &ix);
	if (ix.open_block_at_end && edits_write_at(&run->edits, run->len)) {
		text_format(
			f.message, sizeof f.message,
			"the input ends inside a block scalar (| or >) without a final line break: "
			"text added after it would change its value; end the input with a line "
			"break");
		f.line = ix.open_block_line;
		f.col = ix.open_block_col;
		results_drop_info(&run->results);
		fail_run(run, &f, 0);
	}
	index_free(&ix);
	return run->results.errors ? 1 : 0;
}

typedef struct {
	ani_run *run;
	const char *input;
	size_t len;
	const ani_options *options;
	int status;
} transform_call;

static void transform_in_pool(void *arg)
{
	transform_call *t = arg;
	t->status = transform(t->run, t->input, t->len, t->options);
}

int ani_transform(const char *input, size_t len, const ani_options *o, ani_run **out)
{
	*out = NULL;
	ani_run *run = calloc(1, sizeof *run);
	if (!run)
		return 1;
	mem_pool_init(&run->pool);
	run->buf = input;
	run->len = len;
	transform_call t = {run, input, len, o, 1};
	if (mem_pool_run(&run->pool, transform_in_pool, &t)) {
		free(run);
		return 1;
	}
	*out = run;
	return t.status;
}

int ani_run_write(const ani_run *run, ani_write_fn write, void *ctx)
{
	if (!run->has_output)
		return 0;
	if (run->component)
		return write(ctx, run->component, strlen(run->component)) ? -1 : 0;
	return edits_write(&run->edits, run->buf, run->len, write, ctx) ? -1 : 0;
}

size_t ani_run_file_count(const ani_run *run)
{
	return run->files.n;
}

const char *ani_run_file_name(const ani_run *run, size_t i)
{
	return i < run->files.n ? run->files.v[i].name : NULL;
}

const char *ani_run_file_text(const ani_run *run, size_t i, size_t *len)
{
	if (i >= run->files.n)
		return NULL;
	*len = run->files.v[i].len;
	return run->files.v[i].text;
}

int ani_run_has_output(const ani_run *run)
{
	return run->has_output;
}

ani_input_kind ani_run_input_kind(const ani_run *run)
{
	return run->kind;
}

size_t ani_run_result_count(const ani_run *run)
{
	return run->results.n;
}

const ani_result *ani_run_result(const ani_run *run, size_t i)
{
	return i < run->results.n ? &run->results.v[i] : NULL;
}

typedef struct {
	const ani_run *run;
	const ani_result *result;
	char *line;
} format_call;

static void format_line(void *arg)
{
	format_call *call = arg;
	const ani_run *run = call->run;
	const ani_result *r = call->result;
	tbuf b = {0};
	tb_puts(&b, run->input_name);
	if (r->line)
		tb_printf(&b, ":%zu:%zu", r->line, r->column);
	tb_printf(&b, ": %s: ", severity_name(r->severity));
	if (r->kind)
		tb_printf(&b, "%s %s%s%s: ", r->kind, r->namespace_ ? r->namespace_ : "",
			  r->namespace_ ? "/" : "", r->name ? r->name : "");
	tb_puts(&b, r->message);
	if (r->field_path)
		tb_printf(&b, " (%s)", r->field_path);
	if (r->file_path)
		tb_printf(&b, " [file %s]", r->file_path);
	/* One line, whatever the names and values quoted from the input hold. */
	tbuf line = {0};
	for (size_t i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.p[i];
		if (c == '\n')
			tb_puts(&line, "\\n");
		else if (c < 0x20 || c == 0x7f)
			tb_printf(&line, "\\x%02x", c);
		else
			tb_putc(&line, (char)c);
	}
	tb_free(&b);
	call->line = malloc(line.len + 1);
	if (call->line)
		memcpy(call->line, line.p ? line.p : "", line.len + 1);
	tb_free(&line);
}

char *ani_result_format_line(const ani_run *run, const ani_result *r)
{
	mem_pool pool;
	mem_pool_init(&pool);
	format_call call = {run, r, NULL};
	if (mem_pool_run(&pool, format_line, &call))
		return NULL;
	mem_pool_free(&pool);
	return call.line;
}

void ani_run_free(ani_run *run)
{
	if (!run)
		return;
	edits_free(&run->edits);
	results_free(&run->results);
	xfree(run->component);
	files_free(&run->files);
	xfree(run->owned);
	xfree(run->input_name);
	mem_pool_free(&run->pool);
	free(run);
}
