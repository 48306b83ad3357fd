/* SPDX-License-Identifier: Apache-2.0 */
/* Checked allocation that a run can take back whole. Every block allocated while a pool is
 * current is linked into it; when an allocation fails, the pool's cleanups run (libyaml parsers
 * and emitters still open), every block of the pool is freed, and mem_pool_run returns -1: the
 * library reports out-of-memory as a failure instead of exiting. */
#ifndef ANI_MEM_H
#define ANI_MEM_H

#include <setjmp.h>
#include <stddef.h>

/* A block's header: the links of its pool's list (itself when it has no pool). */
typedef union mem_header {
	struct {
		union mem_header *prev, *next;
	} link;
	max_align_t align;
} mem_header;

/* Something to release when memory runs out: pushed when it is taken, popped when released. */
typedef struct mem_cleanup {
	void (*release)(void *what);
	void *what;
	struct mem_cleanup *prev, *next;
} mem_cleanup;

typedef struct {
	mem_header blocks;    /* list head */
	mem_cleanup cleanups; /* list head */
	jmp_buf *on_failure;
} mem_pool;

void mem_pool_init(mem_pool *pool);
/* Runs fn(arg) with `pool` current. Returns 0, or -1 when memory ran out (the pool then holds
 * nothing). Pools nest: the one current before is current again on return. */
int mem_pool_run(mem_pool *pool, void (*fn)(void *arg), void *arg);
/* Frees every block still in the pool. */
void mem_pool_free(mem_pool *pool);

void mem_cleanup_push(mem_cleanup *c, void (*release)(void *what), void *what);
void mem_cleanup_pop(mem_cleanup *c);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
void xfree(void *p);

/* Maps the pages under [p, p + n) now, in one call, instead of one fault each as they are first
 * written (a fault costs microseconds on a virtual machine). Only whole pages inside the range;
 * best effort: where the kernel cannot (before Linux 5.14), the pages fault in as usual. */
void mem_prefault(void *p, size_t n);
/* Asks the kernel for huge pages (2 MiB on x86-64) under a block of `n` bytes from xmalloc,
 * malloc or realloc, when it is big (4 MiB or more): a page fault, and on a virtual machine the
 * first touch of a page, then cost once per 2 MiB instead of once per 4 KiB. Best effort. */
void mem_advise_huge_pages(void *block, size_t n);
/* Maps `n` bytes at the heap's top for the allocations to come: a block taken there (xmalloc:
 * out of memory fails the run), mapped and given back. glibc keeps up to 128 KiB free at the top
 * (M_TOP_PAD), so `n` should stay below. */
void mem_prefault_heap(size_t n);

#endif
