/* SPDX-License-Identifier: Apache-2.0 */
/* Baseline: parse YAML with libyaml's event API and do nothing else.
 *
 *   parse-libyaml [--prefault] [FILE]
 *
 * Reads FILE or standard input into memory (with --prefault, as the function reads its input:
 * see slurp.h), then yaml_parser_set_input_string and a loop of
 * yaml_parser_parse / yaml_event_delete until the stream end event. Exits 0 on success, 1 on a
 * parse error, 2 on a usage or I/O error. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "slurp.h"

int main(int argc, char **argv)
{
	int prefault = argc > 1 && !strcmp(argv[1], "--prefault");
	argc -= prefault;
	argv += prefault;
	if (argc > 2 || (argc == 2 && argv[1][0] == '-')) {
		fprintf(stderr, "usage: %s [--prefault] [FILE]\n", argv[0]);
		return 2;
	}
	int fd = 0;
	if (argc == 2 && (fd = open(argv[1], O_RDONLY)) < 0) {
		perror(argv[1]);
		return 2;
	}
	size_t len = 0;
	char *buf = slurp_fd(fd, &len, prefault);
	if (!buf) {
		fprintf(stderr, "parse-libyaml: cannot read the input\n");
		return 2;
	}

	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		fprintf(stderr, "parse-libyaml: yaml_parser_initialize failed\n");
		free(buf);
		return 2;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);

	int rc = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			fprintf(stderr, "parse-libyaml: %s at line %zu column %zu\n",
				parser.problem ? parser.problem : "parse error",
				parser.problem_mark.line + 1, parser.problem_mark.column + 1);
			rc = 1;
			break;
		}
		int end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (end)
			break;
	}
	yaml_parser_delete(&parser);
	free(buf);
	return rc;
}
