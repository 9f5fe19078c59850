/* Large blocks advised for transparent huge pages. */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "bigmem.h"

/* The PMD size of x86-64 and of arm64 with 4 KiB pages. */
#define HUGE_PAGE ((uintptr_t)2 << 20)

void
big_advise(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
	uintptr_t start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t end = ((uintptr_t)p + size) & ~(HUGE_PAGE - 1);

	if (p == NULL || size < BIGMEM_MIN || end <= start)
		return;
	/* Advice only: EINVAL without THP leaves ordinary pages. */
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
