/* SPDX-License-Identifier: Apache-2.0 */
/* Baseline: parse YAML with libfyaml's event API and do nothing else.
 *
 *   parse-libfyaml [--mem] [FILE]
 *
 * Reads FILE (fy_parser_set_input_file) or, without FILE, standard input: streamed by libfyaml
 * from the FILE * (fy_parser_set_input_fp; the default, used by bench/run.sh), or with --mem
 * read into memory first and parsed from there (fy_parser_set_string). Then loops
 * fy_parser_parse / fy_parser_event_free until the end of the stream.
 * Exits 0 on success, 1 on a parse error, 2 on a usage or I/O error.
 *
 * Not fy_parser_set_input_fd: in libfyaml 0.7.12 it crashes on 53 of the 402 YAML test suite
 * cases (valid ones included); the three modes used here agree with the suite on all 402. */
#include <libfyaml.h>
#include <stdio.h>
#include <string.h>

#include "slurp.h"

int main(int argc, char **argv)
{
	int mem = 0;
	const char *file = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mem"))
			mem = 1;
		else if (!file && argv[i][0] != '-')
			file = argv[i];
		else {
			fprintf(stderr, "usage: %s [--mem] [FILE]\n", argv[0]);
			return 2;
		}
	}

	/* Collect diagnostics instead of printing them: libfyaml 0.7.12 crashes while printing the
	 * source excerpt of an error in input read from a file descriptor
	 * (fy_atom_raw_line_iter_next). The first error is printed below, without the excerpt. */
	struct fy_diag_cfg dc;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	struct fy_diag *diag = fy_diag_create(&dc);
	if (diag)
		fy_diag_set_collect_errors(diag, true);

	struct fy_parse_cfg cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_PARSE;
	cfg.diag = diag;
	struct fy_parser *fyp = diag ? fy_parser_create(&cfg) : NULL;
	if (!fyp) {
		fprintf(stderr, "parse-libfyaml: fy_parser_create failed\n");
		return 2;
	}

	char *buf = NULL;
	int rc;
	if (file) {
		rc = fy_parser_set_input_file(fyp, file);
	} else if (mem) {
		size_t len = 0;
		buf = slurp_fd(0, &len, 0);
		if (!buf) {
			fprintf(stderr, "parse-libfyaml: cannot read standard input\n");
			fy_parser_destroy(fyp);
			return 2;
		}
		rc = fy_parser_set_string(fyp, buf, len);
	} else {
		rc = fy_parser_set_input_fp(fyp, "<stdin>", stdin);
	}
	if (rc) {
		fprintf(stderr, "parse-libfyaml: cannot set the input\n");
		fy_parser_destroy(fyp);
		free(buf);
		return 2;
	}

	unsigned long events = 0;
	struct fy_event *ev;
	while ((ev = fy_parser_parse(fyp)) != NULL) {
		events++;
		fy_parser_event_free(fyp, ev);
	}
	int failed = fy_parser_get_stream_error(fyp) || fy_diag_got_error(diag) || events == 0;
	if (failed) {
		void *it = NULL;
		struct fy_diag_error *err = fy_diag_errors_iterate(diag, &it);
		if (err)
			fprintf(stderr, "parse-libfyaml: %s:%d:%d: %s\n",
				err->file ? err->file : "<input>", err->line + 1, err->column + 1,
				err->msg ? err->msg : "parse error");
		else
			fprintf(stderr, "parse-libfyaml: parse error (after %lu events)\n", events);
	}
	fy_parser_destroy(fyp);
	fy_diag_unref(diag);
	free(buf);
	return failed ? 1 : 0;
}
