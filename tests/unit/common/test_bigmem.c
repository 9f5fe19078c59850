/* Unit tests for common/bigmem and the arena's large chunks: large blocks are advised for huge pages, small ones are not. */
#include <check.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/bigmem.h"
#include "../unit.h"

#define MIB ((size_t)1 << 20)

/* Whether the kernel has THP at all (without it, advice does nothing). */
static bool
thp_kernel(void)
{
	return access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK) == 0;
}

/* The mapping holding p in /proc/self/smaps: its bounds and whether it is advised ("hg" in VmFlags). */
static bool
mapping_of(const void *p, uintptr_t *lo, uintptr_t *hi)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	bool in = false, hg = false, found = false;

	ck_assert_ptr_nonnull(f);
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		unsigned long l, h;
		if (sscanf(line, "%lx-%lx ", &l, &h) == 2 && strchr(line, '-') ==
		    line + strspn(line, "0123456789abcdef")) {
			in = (uintptr_t)p >= l && (uintptr_t)p < h;
			if (in) {
				*lo = l;
				*hi = h;
			}
		} else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			hg = strstr(line, " hg") != NULL;
			found = true;
		}
	}
	fclose(f);
	ck_assert_msg(found, "no mapping holds %p", p);
	return hg;
}

static bool
advised(const void *p)
{
	uintptr_t lo, hi;

	return mapping_of(p, &lo, &hi);
}

/* The first address inside [p, p + size) on a 2 MiB boundary. */
static const char *
first_huge(const char *p)
{
	return (const char *)(((uintptr_t)p + 2 * MIB - 1) & ~(2 * MIB - 1));
}

START_TEST(test_large_blocks_are_advised)
{
	if (!thp_kernel())
		return;
	uintptr_t lo, hi;
	char *big = big_alloc(16 * MIB);
	ck_assert_ptr_nonnull(big);
	ck_assert(advised(first_huge(big)));
	/*
	 * A block that is a mapping of its own (glibc's malloc, whose such
	 * blocks end on a page; not those of ASan or valgrind) is advised
	 * whole and stays one mapping: realloc grows it by mremap(2), which
	 * fails on a range that spans several (and realloc copies instead).
	 */
	uintptr_t end = (uintptr_t)big + malloc_usable_size(big);
	if (end % (uintptr_t)sysconf(_SC_PAGESIZE) == 0) {
		ck_assert(mapping_of(big, &lo, &hi));
		ck_assert_uint_ge(hi, end);
	}
	/* Grown by realloc: the new room is advised too. */
	char *grown = big_realloc(big, 64 * MIB);
	ck_assert_ptr_nonnull(grown);
	ck_assert(advised(first_huge(grown) + 48 * MIB));
	memset(grown, 1, 64 * MIB);
	free(grown);
}
END_TEST

START_TEST(test_small_blocks_are_not)
{
	if (!thp_kernel())
		return;
	/* Below BIGMEM_MIN: a mapping of its own (above malloc's first mmap threshold), not advised. */
	char *small = big_alloc(BIGMEM_MIN - MIB);
	ck_assert_ptr_nonnull(small);
	ck_assert(!advised(small + BIGMEM_MIN / 2));
	free(small);
}
END_TEST

START_TEST(test_large_arena_chunks_are_advised)
{
	struct arena a;
	char *obj[64 * 1024];
	size_t later = 0, on_huge = 0;

	if (!thp_kernel())
		return;
	arena_init(&a);
	/* 64 MiB in 1 KiB objects: the first chunks are 1 MiB, later ones 8 MiB. */
	for (size_t i = 0; i < 64 * 1024; i++) {
		obj[i] = arena_alloc(&a, 1024);
		ck_assert_ptr_nonnull(obj[i]);
		memset(obj[i], (int)(i & 0xff), 1024);
	}
	ck_assert(!advised(obj[0]));
	/* From 32 MiB on, objects stand in 8 MiB chunks, each advised whole. */
	for (size_t i = 32 * 1024; i < 64 * 1024; i += 97) {
		later++;
		on_huge += advised(obj[i]);
	}
	ck_assert_msg(on_huge * 2 > later, "%zu of %zu objects advised", on_huge, later);
	for (size_t i = 0; i < 64 * 1024; i += 101)
		ck_assert_uint_eq((unsigned char)obj[i][1023], i & 0xff);
	arena_clear(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("bigmem");
	TCase *tc = tcase_create("core");

	/* The small block first: nothing advised before it could be reused for it. */
	tcase_add_test(tc, test_small_blocks_are_not);
	tcase_add_test(tc, test_large_blocks_are_advised);
	tcase_add_test(tc, test_large_arena_chunks_are_advised);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
