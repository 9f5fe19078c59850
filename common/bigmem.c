/* Large blocks advised for transparent huge pages. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bigmem.h"

void
big_advise(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
	uintptr_t page, start, end;

	if (p == NULL || size < BIGMEM_MIN)
		return;
	page = (uintptr_t)sysconf(_SC_PAGESIZE);
	/*
	 * To the end of malloc's block: one that has a mapping of its own is
	 * advised whole, so that it stays one mapping, which realloc needs to
	 * grow it by mremap(2) rather than by copying it.
	 */
	start = (uintptr_t)p & ~(page - 1);
	end = ((uintptr_t)p + malloc_usable_size(p)) & ~(page - 1);
	/* Advice only: EINVAL without THP leaves ordinary pages. */
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)p;
	(void)size;
#endif
}

void *
big_alloc(size_t size)
{
	void *p = malloc(size);

	big_advise(p, size);
	return p;
}

void *
big_realloc(void *p, size_t size)
{
	void *q = realloc(p, size);

	big_advise(q, size);
	return q;
}
