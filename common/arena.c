/* Chunked bump allocator. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_CHUNK_SIZE (1024 * 1024)

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
arena_clear(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	for (; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	arena_init(a);
}

void *
arena_alloc(struct arena *a, size_t size)
{
	size = (size + 7) & ~(size_t)7;
	if (a->head == NULL || a->head->size - a->used < size) {
		size_t csize = size > ARENA_CHUNK_SIZE / 4 ? size : ARENA_CHUNK_SIZE;
		struct arena_chunk *c = malloc(sizeof(*c) + csize);

		if (c == NULL)
			return NULL;
		c->size = csize;
		if (csize != ARENA_CHUNK_SIZE && a->head != NULL) {
			/* A big object gets its own chunk behind the current one. */
			c->next = a->head->next;
			a->head->next = c;
			a->total += size;
			return c->data;
		}
		c->next = a->head;
		a->head = c;
		a->used = 0;
	}
	void *p = a->head->data + a->used;
	a->used += size;
	a->total += size;
	return p;
}

void *
arena_dup(struct arena *a, const void *src, size_t size)
{
	void *p = arena_alloc(a, size);

	if (p != NULL && size > 0)
		memcpy(p, src, size);
	return p;
}
