#include "results.h"

#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ani_result *results_push(ani_results *rs, ani_severity severity)
{
	rs->v = xrealloc(rs->v, (rs->n + 1) * sizeof *rs->v);
	size_t at = rs->cursor ? rs->cursor++ - 1 : rs->n;
	memmove(&rs->v[at + 1], &rs->v[at], (rs->n - at) * sizeof *rs->v);
	rs->n++;
	ani_result *r = &rs->v[at];
	memset(r, 0, sizeof *r);
	r->severity = severity;
	r->file_index = -1;
	rs->errors += severity == ANI_SEVERITY_ERROR;
	return r;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void results_add(ani_results *rs, ani_severity severity, const ani_item *item,
		 const char *field_path, const yt_node *at, const char *fmt, ...)
{
	ani_result *r = results_push(rs, severity);
	va_list ap;
	va_start(ap, fmt);
	r->message = xvasprintf(fmt, ap);
	va_end(ap);
	r->field_path = dup_or_null(field_path);
	if (item) {
		r->api_version = dup_or_null(item->api_version);
		r->kind = dup_or_null(item->kind);
		r->name = dup_or_null(item->name);
		r->namespace_ = dup_or_null(item->namespace_);
		r->file_path = dup_or_null(item->file_path);
		r->file_index = item->file_index;
		if (item->line) {
			r->line = item->line;
			r->column = item->col + 1;
		}
	}
	if (at) {
		r->line = at->line;
		r->column = at->col + 1;
	}
}

void results_add_failure(ani_results *rs, const ani_failure *f)
{
	ani_result *r = results_push(rs, ANI_SEVERITY_ERROR);
	r->message = xstrdup(f->message);
	r->line = f->line;
	r->column = f->col;
}

static void result_free(ani_result *r)
{
	free((char *)r->message);
	free((char *)r->api_version);
	free((char *)r->kind);
	free((char *)r->name);
	free((char *)r->namespace_);
	free((char *)r->field_path);
	free((char *)r->file_path);
}

void results_drop_info(ani_results *rs)
{
	size_t kept = 0;
	for (size_t i = 0; i < rs->n; i++) {
		if (rs->v[i].severity == ANI_SEVERITY_INFO)
			result_free(&rs->v[i]);
		else
			rs->v[kept++] = rs->v[i];
	}
	rs->n = kept;
}

void results_free(ani_results *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		result_free(&rs->v[i]);
	free(rs->v);
	memset(rs, 0, sizeof *rs);
}

const char *severity_name(ani_severity s)
{
	return s == ANI_SEVERITY_ERROR ? "error" : s == ANI_SEVERITY_WARNING ? "warning" : "info";
}

static void field_line(tbuf *b, size_t col, const char *key, const char *value, const char *nl)
{
	if (!value)
		return;
	tb_spaces(b, col);
	tb_puts(b, key);
	tb_puts(b, ": ");
	tb_put_yaml_double_quoted(b, value);
	tb_puts(b, nl);
}

char *results_render(const ani_results *rs, size_t col, const char *nl)
{
	tbuf b = {0};
	tb_spaces(&b, col);
	tb_puts(&b, "results:");
	tb_puts(&b, nl);
	for (size_t i = 0; i < rs->n; i++) {
		const ani_result *r = &rs->v[i];
		tb_spaces(&b, col);
		tb_puts(&b, "- message: ");
		tb_put_yaml_double_quoted(&b, r->message);
		tb_puts(&b, nl);
		tb_spaces(&b, col + 2);
		tb_printf(&b, "severity: %s%s", severity_name(r->severity), nl);
		if (r->kind) {
			tb_spaces(&b, col + 2);
			tb_printf(&b, "resourceRef:%s", nl);
			field_line(&b, col + 4, "apiVersion", r->api_version, nl);
			field_line(&b, col + 4, "kind", r->kind, nl);
			field_line(&b, col + 4, "name", r->name, nl);
			field_line(&b, col + 4, "namespace", r->namespace_, nl);
		}
		if (r->field_path && r->kind) {
			tb_spaces(&b, col + 2);
			tb_printf(&b, "field:%s", nl);
			field_line(&b, col + 4, "path", r->field_path, nl);
		}
		if (r->file_path) {
			tb_spaces(&b, col + 2);
			tb_printf(&b, "file:%s", nl);
			field_line(&b, col + 4, "path", r->file_path, nl);
			if (r->file_index >= 0) {
				tb_spaces(&b, col + 4);
				tb_printf(&b, "index: %ld%s", r->file_index, nl);
			}
		}
	}
	return tb_take(&b);
}
