/* Bump allocation of many small immutable objects (names, rdata) freed together. */
#ifndef ZW_ARENA_H
#define ZW_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t used;            /* bytes used in head */
	size_t total;           /* bytes handed out, for statistics */
	size_t chunk_size;      /* first chunks (0: 1 MiB); later ones grow with the arena */
};

void arena_init(struct arena *a);
/* The same with smaller or larger chunks (many arenas filled at once waste less). */
void arena_init_chunked(struct arena *a, size_t chunk_size);
/*
 * Move every object of from into to (no copying: the chunks change hands);
 * from is left empty. Pointers into from stay valid, now owned by to.
 */
void arena_absorb(struct arena *to, struct arena *from);
/* Free every chunk; the arena is empty and usable afterwards. */
void arena_clear(struct arena *a);
/* size bytes aligned to 8, or NULL when out of memory. Valid until arena_clear. */
void *arena_alloc(struct arena *a, size_t size);
/*
 * A copy of size bytes of src, or NULL: bytes (names, rdata), packed
 * with no alignment, which at a few bytes each saves several percent of
 * a zone's memory.
 */
void *arena_dup(struct arena *a, const void *src, size_t size);

#endif
