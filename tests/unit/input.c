/* SPDX-License-Identifier: Apache-2.0 */
/* ani_read_all: every byte, in order, whatever the source and however the reads fall across the
 * buffer's growth and the steps in which its pages are mapped ahead; the limit stops it early. */
#include "allow_namespace_ingress.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char *pattern(size_t n)
{
	char *p = malloc(n);
	cr_assert(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (char)(i * 7 + i / 4093);
	return p;
}

/* A child writes `n` bytes of the pattern into a pipe in pieces of `piece` bytes. */
static int pipe_from_child(const char *bytes, size_t n, size_t piece, pid_t *child)
{
	int fds[2];
	cr_assert_eq(pipe(fds), 0);
	*child = fork();
	cr_assert_neq(*child, -1);
	if (*child == 0) {
		close(fds[0]);
		for (size_t at = 0; at < n;) {
			size_t k = n - at < piece ? n - at : piece;
			ssize_t w = write(fds[1], bytes + at, k);
			if (w <= 0)
				_exit(1);
			at += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void read_through_pipe(size_t n, size_t piece, size_t limit, size_t want_len)
{
	char *bytes = pattern(n);
	pid_t child;
	int fd = pipe_from_child(bytes, n, piece, &child);
	char *buf = NULL;
	size_t len = 0;
	cr_assert_eq(ani_read_all(fd, limit, &buf, &len), 0);
	close(fd); /* a writer stopped early by the limit gets EPIPE */
	waitpid(child, NULL, 0);
	cr_assert_eq(len, want_len, "%zu bytes through a pipe in pieces of %zu: read %zu, want %zu",
		     n, piece, len, want_len);
	cr_assert(!memcmp(buf, bytes, len));
	free(buf);
	free(bytes);
}

Test(input, a_pipe_reads_whole_across_growth_and_prefault_steps)
{
	/* Around the first buffer (64 KiB), the prefault step (1 MiB) and its multiples. */
	const size_t sizes[] = {
		0, 1, 65535, 65536, 65537, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, (3 << 20) + 17};
	const size_t pieces[] = {1 << 16, 4093, 1 << 20};
	for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
		for (size_t p = 0; p < sizeof pieces / sizeof *pieces; p++)
			if (sizes[s] / pieces[p] <
			    5000) /* keep one-byte-ish pieces to small sizes */
				read_through_pipe(sizes[s], pieces[p], (size_t)1 << 30, sizes[s]);
}

Test(input, the_limit_stops_one_byte_past_it)
{
	read_through_pipe((3 << 20) + 17, 1 << 16, (size_t)2 << 20, ((size_t)2 << 20) + 1);
	read_through_pipe(100, 7, 99, 100);
	read_through_pipe(100, 7, 100, 100);
}

Test(input, a_regular_file_reads_whole)
{
	const size_t n = (5 << 20) + 3;
	char *bytes = pattern(n);
	FILE *fp = tmpfile();
	cr_assert(fp);
	cr_assert_eq(fwrite(bytes, 1, n, fp), n);
	cr_assert_eq(fflush(fp), 0);
	rewind(fp);
	char *buf = NULL;
	size_t len = 0;
	cr_assert_eq(ani_read_all(fileno(fp), (size_t)1 << 30, &buf, &len), 0);
	cr_assert_eq(len, n);
	cr_assert(!memcmp(buf, bytes, n));
	free(buf);
	/* Past the limit: one byte more than it, then no more. */
	rewind(fp);
	cr_assert_eq(ani_read_all(fileno(fp), 1000, &buf, &len), 0);
	cr_assert_eq(len, 1001);
	cr_assert(!memcmp(buf, bytes, len));
	free(buf);
	fclose(fp);
	free(bytes);
}
