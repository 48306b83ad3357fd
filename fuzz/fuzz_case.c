/* SPDX-License-Identifier: Apache-2.0 */
#include "fuzz_case.h"

#include <stdlib.h>
#include <string.h>

static int starts_line(const char *p, size_t n, const char *word)
{
	size_t w = strlen(word);
	return n >= w && !memcmp(p, word, w) && (n == w || p[w] == '\n' || p[w] == ' ');
}

void fuzz_case_decode(const uint8_t *data, size_t size, fuzz_case *c)
{
	memset(c, 0, sizeof *c);
	const char *p = (const char *)data, *end = p + size;
	if (starts_line(p, size, "#!ani")) {
		const char *nl = memchr(p, '\n', size);
		const char *line_end = nl ? nl : end;
		for (const char *w = p + 5; w < line_end && c->n_words < FUZZ_CASE_MAX_WORDS;) {
			while (w < line_end && (*w == ' ' || *w == '\t'))
				w++;
			const char *we = w;
			while (we < line_end && *we != ' ' && *we != '\t')
				we++;
			if (we > w) {
				char *word = malloc((size_t)(we - w) + 1);
				if (!word)
					abort();
				memcpy(word, w, (size_t)(we - w));
				word[we - w] = '\0';
				c->words[c->n_words++] = word;
			}
			w = we;
		}
		p = nl ? nl + 1 : end;
	}
	if (starts_line(p, (size_t)(end - p), "#!config")) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		c->has_config = 1;
		c->plugin = starts_line(p, (size_t)(end - p), "#!config plugin");
		c->config = nl ? nl + 1 : end;
		const char *marker = c->config;
		while (marker < end && !starts_line(marker, (size_t)(end - marker), "#!input")) {
			const char *next = memchr(marker, '\n', (size_t)(end - marker));
			marker = next ? next + 1 : end;
		}
		c->config_len = (size_t)(marker - c->config);
		const char *after =
			marker < end ? memchr(marker, '\n', (size_t)(end - marker)) : NULL;
		p = after ? after + 1 : end;
	}
	c->input = p;
	c->input_len = (size_t)(end - p);
}

void fuzz_case_free(fuzz_case *c)
{
	for (size_t i = 0; i < c->n_words; i++)
		free(c->words[i]);
	c->n_words = 0;
}
