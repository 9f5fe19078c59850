/* Bump allocation of many small immutable objects (names, rdata) freed together. */
#ifndef ZW_ARENA_H
#define ZW_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t used;            /* bytes used in head */
	size_t total;           /* bytes handed out, for statistics */
};

void arena_init(struct arena *a);
/* Free every chunk; the arena is empty and usable afterwards. */
void arena_clear(struct arena *a);
/* size bytes aligned to 8, or NULL when out of memory. Valid until arena_clear. */
void *arena_alloc(struct arena *a, size_t size);
/* A copy of size bytes of src, or NULL. */
void *arena_dup(struct arena *a, const void *src, size_t size);

#endif
