/*
 * Large blocks (record arrays, sort buffers, arena chunks) on transparent
 * huge pages where the kernel gives them on request (THP "madvise", the
 * common default): one fault per 2 MiB instead of 512 (at 1M names, a
 * re-sign's reading spent half the system time). Blocks are freed with free().
 */
#ifndef ZW_BIGMEM_H
#define ZW_BIGMEM_H

#include <stddef.h>

/* Blocks from this size on are advised; smaller ones are plain malloc. */
#define BIGMEM_MIN ((size_t)4 << 20)

/* malloc(size), advised when large; NULL when out of memory. */
void *big_alloc(size_t size);
/* realloc(p, size), the whole block advised when large; NULL (p kept) when out of memory. */
void *big_realloc(void *p, size_t size);
/*
 * Ask for huge pages over the pages of the malloc block p (size bytes or
 * more), when size is at least BIGMEM_MIN: the kernel backs its 2 MiB
 * pages with huge ones. Pages already touched keep their size; a kernel
 * without THP makes this do nothing.
 */
void big_advise(void *p, size_t size);

#endif
