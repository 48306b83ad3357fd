/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the unit tests: YAML snippets to trees. */
#ifndef ANI_TEST_HELPERS_H
#define ANI_TEST_HELPERS_H

#include "yamltree.h"

#include <criterion/criterion.h>
#include <string.h>

static yt_arena test_arena;

static inline yt_node *parse(const char *yaml)
{
	char err[400];
	size_t line = 0, col = 0;
	yt_node *n = yt_parse_document(yaml, strlen(yaml), (yt_limits){100, 1 << 20}, &test_arena,
				       err, sizeof err, &line, &col);
	cr_assert_not_null(n, "parse failed: %s at %zu:%zu", err, line, col);
	return n;
}

static inline void free_trees(void)
{
	yt_arena_free(&test_arena);
}

#endif
