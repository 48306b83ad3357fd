/* SPDX-License-Identifier: Apache-2.0 */
/* Read all of a file descriptor into one malloc'd buffer (exactly sized for a regular file).
 * With `prefault`, as the function reads its input (function/input.c, mem_advise_huge_pages in
 * function/mem.c): a buffer of 4 MiB or more asks for huge pages (MADV_HUGEPAGE), and each MiB is
 * mapped in one madvise(MADV_POPULATE_WRITE) call just before it is read into, instead of a page
 * fault per page. */
#ifndef BENCH_SLURP_H
#define BENCH_SLURP_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t prefault_next(char *buf, size_t n, size_t cap)
{
	size_t end = cap - n < ((size_t)1 << 20) ? cap : n + ((size_t)1 << 20);
#ifdef MADV_POPULATE_WRITE
	uintptr_t mask = (uintptr_t)sysconf(_SC_PAGESIZE) - 1;
	uintptr_t a = ((uintptr_t)(buf + n) + mask) & ~mask, b = (uintptr_t)(buf + end) & ~mask;
	if (b > a)
		madvise((void *)a, b - a, MADV_POPULATE_WRITE);
#endif
	return end;
}

static void advise_huge(char *buf, size_t cap)
{
	uintptr_t mask = (uintptr_t)sysconf(_SC_PAGESIZE) - 1;
	if (cap >= ((size_t)4 << 20))
		madvise((void *)((uintptr_t)buf & ~mask),
			(((uintptr_t)buf + cap + mask) & ~mask) - ((uintptr_t)buf & ~mask),
			MADV_HUGEPAGE);
}

static char *slurp_fd(int fd, size_t *len, int prefault)
{
	struct stat st;
	size_t cap = 1 << 16, n = 0, mapped = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
		cap = (size_t)st.st_size + 1;
	char *buf = malloc(cap);
	if (!buf)
		return NULL;
	if (prefault)
		advise_huge(buf, cap);
	for (;;) {
		if (n == cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
			if (prefault)
				advise_huge(buf, cap);
		}
		size_t room = cap - n;
		if (prefault) {
			if (n >= mapped)
				mapped = prefault_next(buf, n, cap);
			room = mapped - n;
		}
		ssize_t r = read(fd, buf + n, room);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return buf;
}

#endif
