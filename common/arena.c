/* Chunked bump allocator. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "bigmem.h"

#define ARENA_CHUNK_SIZE (1024 * 1024)
/* Chunks grow with the arena up to this, where huge pages back them. */
#define ARENA_CHUNK_MAX (2 * BIGMEM_MIN)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;
	_Alignas(16) unsigned char data[];
};

void
arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void
arena_init_chunked(struct arena *a, size_t chunk_size)
{
	arena_init(a);
	a->chunk_size = chunk_size;
}

void
arena_absorb(struct arena *to, struct arena *from)
{
	struct arena_chunk *last;
	size_t chunk_size = from->chunk_size;

	if (from->head == NULL)
		return;
	if (to->head == NULL) {
		/* from's current chunk becomes to's: allocation goes on in it. */
		size_t keep = to->chunk_size;
		*to = *from;
		to->chunk_size = keep;
	} else {
		/* Behind to's current chunk, so that to keeps filling that one. */
		for (last = from->head; last->next != NULL; last = last->next)
			;
		last->next = to->head->next;
		to->head->next = from->head;
		to->total += from->total;
	}
	arena_init_chunked(from, chunk_size);
}

void
arena_clear(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;
	size_t chunk_size = a->chunk_size;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	arena_init_chunked(a, chunk_size);
}

/* size bytes at a multiple of align (a power of two) from the start of a chunk. */
static void *
take(struct arena *a, size_t size, size_t align)
{
	size_t chunk = a->chunk_size ? a->chunk_size : ARENA_CHUNK_SIZE;
	size_t at = (a->used + align - 1) & ~(align - 1);

	if (a->head == NULL || at > a->head->size || a->head->size - at < size) {
		/* As large as what the arena holds, so that chunks are few. */
		if (a->total > chunk)
			chunk = a->total < ARENA_CHUNK_MAX ? a->total : ARENA_CHUNK_MAX;
		bool big = size > chunk / 4;
		size_t csize = big ? size : chunk;
		struct arena_chunk *c = big_alloc(sizeof(*c) + csize);

		if (c == NULL)
			return NULL;
		c->size = csize;
		if (big && a->head != NULL) {
			/* A big object gets its own chunk behind the current one. */
			c->next = a->head->next;
			a->head->next = c;
			a->total += size;
			return c->data;
		}
		c->next = a->head;
		a->head = c;
		at = 0;
	}
	void *p = a->head->data + at;
	a->used = at + size;
	a->total += size;
	return p;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	return take(a, size, 8);
}

void *
arena_dup(struct arena *a, const void *src, size_t size)
{
	void *p = take(a, size, 1);

	if (p != NULL && size > 0)
		memcpy(p, src, size);
	return p;
}
