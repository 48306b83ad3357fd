/* SPDX-License-Identifier: Apache-2.0 */
/* One fuzz input, as both fuzzers read it (fuzz/README.md, "Input format"):
 *
 *   #!ani WORD...          optional first line: command-line words (flags, limits, modes, and
 *                          ANI_*=VALUE environment settings), separated by spaces
 *   #!config[ plugin]      optional: the text up to a line "#!input" is a config file, given
 *   CONFIG...              as --config FILE, or as the legacy plugin's config file with "plugin"
 *   #!input
 *   INPUT...               the rest: stdin
 *
 * A plain YAML file is a case with no options, so every seed and saved input stays valid, and
 * the header lines are YAML comments. */
#ifndef ANI_FUZZ_CASE_H
#define ANI_FUZZ_CASE_H

#include <stddef.h>
#include <stdint.h>

#define FUZZ_CASE_MAX_WORDS 64

typedef struct {
	char *words[FUZZ_CASE_MAX_WORDS]; /* NUL-terminated copies */
	size_t n_words;
	int has_config, plugin;
	const char *config, *input; /* into the data */
	size_t config_len, input_len;
} fuzz_case;

void fuzz_case_decode(const uint8_t *data, size_t size, fuzz_case *c);
void fuzz_case_free(fuzz_case *c);

#endif
