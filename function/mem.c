/* SPDX-License-Identifier: Apache-2.0 */
#define _DEFAULT_SOURCE /* MADV_POPULATE_WRITE */
#include "mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static _Thread_local mem_pool *current;

static void link_after(mem_header *head, mem_header *h)
{
	h->link.prev = head;
	h->link.next = head->link.next;
	head->link.next->link.prev = h;
	head->link.next = h;
}

static void unlink_block(mem_header *h)
{
	h->link.prev->link.next = h->link.next;
	h->link.next->link.prev = h->link.prev;
}

static void adopt(mem_header *h)
{
	if (current)
		link_after(&current->blocks, h);
	else
		h->link.prev = h->link.next = h;
}

void mem_pool_init(mem_pool *pool)
{
	memset(pool, 0, sizeof *pool);
	pool->blocks.link.prev = pool->blocks.link.next = &pool->blocks;
	pool->cleanups.prev = pool->cleanups.next = &pool->cleanups;
}

void mem_pool_free(mem_pool *pool)
{
	while (pool->blocks.link.next != &pool->blocks) {
		mem_header *h = pool->blocks.link.next;
		unlink_block(h);
		free(h);
	}
}

int mem_pool_run(mem_pool *pool, void (*fn)(void *arg), void *arg)
{
	mem_pool *outer = current;
	jmp_buf jump;
	/* volatile: read after longjmp */
	volatile int failed = 0;
	pool->on_failure = &jump;
	current = pool;
	if (setjmp(jump))
		failed = 1;
	else
		fn(arg);
	pool->on_failure = NULL;
	current = outer;
	return failed ? -1 : 0;
}

/* Called deep in a run: release what is open while its frames still exist, then return to
 * mem_pool_run. */
static void out_of_memory(void)
{
	mem_pool *pool = current;
	if (!pool || !pool->on_failure) {
		fputs("allow-namespace-ingress: out of memory outside a run\n", stderr);
		abort();
	}
	while (pool->cleanups.next != &pool->cleanups) {
		mem_cleanup *c = pool->cleanups.next;
		mem_cleanup_pop(c);
		c->release(c->what);
	}
	mem_pool_free(pool);
	longjmp(*pool->on_failure, 1);
}

void mem_cleanup_push(mem_cleanup *c, void (*release)(void *what), void *what)
{
	c->release = release;
	c->what = what;
	if (!current) {
		c->prev = c->next = c;
		return;
	}
	c->prev = &current->cleanups;
	c->next = current->cleanups.next;
	current->cleanups.next->prev = c;
	current->cleanups.next = c;
}

void mem_cleanup_pop(mem_cleanup *c)
{
	c->prev->next = c->next;
	c->next->prev = c->prev;
	c->prev = c->next = c;
}

void *xmalloc(size_t n)
{
	if (n > SIZE_MAX - sizeof(mem_header))
		out_of_memory();
	mem_header *h = malloc(sizeof *h + n);
	if (!h)
		out_of_memory();
	adopt(h);
	return h + 1;
}

void *xcalloc(size_t n, size_t size)
{
	if (size && n > (SIZE_MAX - sizeof(mem_header)) / size)
		out_of_memory();
	mem_header *h = calloc(1, sizeof *h + n * size);
	if (!h)
		out_of_memory();
	adopt(h);
	return h + 1;
}

void *xrealloc(void *p, size_t n)
{
	if (!p)
		return xmalloc(n);
	if (n > SIZE_MAX - sizeof(mem_header))
		out_of_memory();
	mem_header *h = (mem_header *)p - 1;
	mem_header *prev = h->link.prev, *next = h->link.next;
	int alone = prev == h;
	mem_header *q = realloc(h, sizeof *q + n);
	if (!q)
		out_of_memory(); /* h is still linked where it was */
	if (alone) {
		q->link.prev = q->link.next = q;
	} else {
		prev->link.next = q;
		next->link.prev = q;
	}
	return q + 1;
}

void xfree(void *p)
{
	if (!p)
		return;
	mem_header *h = (mem_header *)p - 1;
	unlink_block(h);
	free(h);
}

/* getpagesize, not sysconf: sysconf's code is two pages of libc that nothing else runs, and a
 * first touch of a page is what a short run pays most for. */
static uintptr_t page_mask(void)
{
	return (uintptr_t)getpagesize() - 1;
}

void mem_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t mask = page_mask();
	uintptr_t start = ((uintptr_t)p + mask) & ~mask;
	uintptr_t end = ((uintptr_t)p + n) & ~mask;
	if (end > start)
		madvise((void *)start, end - start, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)n;
#endif
}

void mem_advise_huge_pages(void *block, size_t n)
{
#ifdef MADV_HUGEPAGE
	if (n < ((size_t)4 << 20))
		return;
	uintptr_t mask = page_mask();
	/* All of the pages under the block: a block this big is a mapping of its own, whose first
	 * page holds malloc's header; advising a part of it would split it, and realloc could then
	 * no longer move it without a copy. */
	uintptr_t start = (uintptr_t)block & ~mask;
	uintptr_t end = ((uintptr_t)block + n + mask) & ~mask;
	madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)block;
	(void)n;
#endif
}

void mem_prefault_heap(size_t n)
{
	void *p = xmalloc(n);
	mem_prefault(p, n);
	xfree(p);
}
