/* SPDX-License-Identifier: Apache-2.0 */
/* Out of memory is a failure the library returns, never an exit: every allocation of a run is
 * made to fail in turn (malloc, calloc and realloc are wrapped at link time, see
 * tests/CMakeLists.txt), and each time ani_transform must return 1 with no run, and leak nothing
 * (LeakSanitizer in scripts/sanitize.sh). */
#include "allow_namespace_ingress.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

static long fail_at = -1, allocations;

static int this_one_fails(void)
{
	return fail_at >= 0 && allocations++ == fail_at;
}

void *__wrap_malloc(size_t n)
{
	return this_one_fails() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return this_one_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return this_one_fails() ? NULL : __real_realloc(p, n);
}

static char *read_fixture(const char *name, size_t *len)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", ANI_SOURCE_DIR, name);
	FILE *fp = fopen(path, "rb");
	cr_assert_not_null(fp, "%s", path);
	fseek(fp, 0, SEEK_END);
	*len = (size_t)ftell(fp);
	rewind(fp);
	char *buf = __real_malloc(*len);
	cr_assert_eq(fread(buf, 1, *len, fp), *len);
	fclose(fp);
	return buf;
}

static int discard(void *ctx, const char *bytes, size_t len)
{
	(void)ctx;
	(void)bytes;
	(void)len;
	return 0;
}

/* Fails allocation 0, 1, 2, ... of runs over `input` until a run needs no more. */
static void fail_each_allocation(const char *input_file, const ani_options *o)
{
	size_t len;
	char *input = read_fixture(input_file, &len);
	long k;
	for (k = 0;; k++) {
		ani_run *run = (ani_run *)1;
		fail_at = k;
		allocations = 0;
		int status = ani_transform(input, len, o, &run);
		char *line = run && ani_run_result_count(run)
				     ? ani_result_format_line(run, ani_run_result(run, 0))
				     : NULL;
		fail_at = -1;
		if (allocations <= k) {
			cr_assert_eq(status, 0, "%s: the run without a failure fails", input_file);
			cr_assert_eq(ani_run_write(run, discard, NULL), 0);
			free(line);
			ani_run_free(run);
			break;
		}
		if (run) {
			/* The failure came in ani_result_format_line: it returns NULL. */
			cr_assert_null(line, "%s: allocation %ld", input_file, k);
			ani_run_free(run);
			continue;
		}
		cr_assert_eq(status, 1, "%s: allocation %ld failed, status %d", input_file, k,
			     status);
	}
	cr_assert_gt(k, 10, "%s: too few allocations (%ld) to mean anything", input_file, k);
	free(input);
}

Test(out_of_memory, every_allocation_of_a_merge)
{
	ani_options o = {.input_name = "<flux>"};
	fail_each_allocation("tests/fixtures/legacy-plugin/flux-octopilot.stdin.yaml", &o);
}

Test(out_of_memory, every_allocation_of_separate_mode_patches_and_json)
{
	static const ani_setting separate = {"mode", "separate"};
	ani_options o = {.input_name = "<kpt>", .settings = &separate, .n_settings = 1};
	fail_each_allocation("tests/fixtures/legacy-plugin/flux-octopilot.stdin.yaml", &o);
	o.output = ANI_OUTPUT_PATCHES;
	fail_each_allocation("tests/fixtures/legacy-plugin/flux-octopilot.stdin.yaml", &o);
	ani_options json = {.input_name = "<json>"};
	fail_each_allocation("tests/cases/json-resource-list/input", &json);
}
