/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the input: all of it, into one block. */
#include "allow_namespace_ingress.h"
#include "mem.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The buffer's pages are mapped a MiB at a time, each MiB just before it is read into; a big buffer
 * asks for huge pages. */
#define PREFAULT_STEP ((size_t)1 << 20)

int ani_read_all(int fd, size_t limit, char **out, size_t *out_len)
{
	/* One byte past the limit, without wrapping at SIZE_MAX. */
	size_t want = limit < SIZE_MAX ? limit + 1 : SIZE_MAX;
	struct stat st;
	size_t cap = 65536;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size < SIZE_MAX)
		cap = (size_t)st.st_size + 1;
	if (cap > want)
		cap = want;
	char *buf = malloc(cap);
	size_t len = 0, prefaulted = 0;
	if (!buf)
		return -1;
	mem_advise_huge_pages(buf, cap);
	for (;;) {
		if (len == cap) {
			if (len > limit || cap == want)
				break;
			size_t ncap = cap > want / 2 ? want : cap * 2;
			char *nbuf = realloc(buf, ncap);
			if (!nbuf) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = nbuf;
			cap = ncap;
			mem_advise_huge_pages(buf, cap);
		}
		if (len >= prefaulted) {
			prefaulted = cap - len < PREFAULT_STEP ? cap : len + PREFAULT_STEP;
			mem_prefault(buf + len, prefaulted - len);
		}
		ssize_t n = read(fd, buf + len, prefaulted - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*out = buf;
	*out_len = len;
	return 0;
}
