/* Unit tests for common/arena: objects survive being handed from one arena to another. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "../unit.h"

START_TEST(test_absorb_keeps_objects_and_allocation_goes_on)
{
	struct arena a, b;
	char *in_a[100], *in_b[300];

	arena_init(&a);
	arena_init_chunked(&b, 1024);
	for (int i = 0; i < 100; i++) {
		in_a[i] = arena_alloc(&a, 40);
		ck_assert_ptr_nonnull(in_a[i]);
		memset(in_a[i], 'a' + i % 26, 40);
	}
	/* Small chunks: b spans many of them, and one object larger than a chunk. */
	for (int i = 0; i < 300; i++) {
		size_t n = i == 150 ? 5000 : 40;
		in_b[i] = arena_alloc(&b, n);
		ck_assert_ptr_nonnull(in_b[i]);
		memset(in_b[i], 'A' + i % 26, n);
	}
	arena_absorb(&a, &b);
	ck_assert_ptr_null(b.head);
	ck_assert_uint_eq(b.chunk_size, 1024);
	/* a goes on allocating in its own current chunk. */
	char *more = arena_dup(&a, "xyz", 4);
	ck_assert_str_eq(more, "xyz");
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(in_a[i][39], 'a' + i % 26);
	for (int i = 0; i < 300; i++)
		ck_assert_int_eq(in_b[i][i == 150 ? 4999 : 39], 'A' + i % 26);
	/* b is empty and usable again. */
	ck_assert_ptr_nonnull(arena_alloc(&b, 8));
	arena_clear(&b);
	arena_clear(&a);
}
END_TEST

START_TEST(test_absorb_into_an_empty_arena)
{
	struct arena a, b;

	arena_init(&a);
	arena_init(&b);
	char *p = arena_dup(&b, "kept", 5);
	arena_absorb(&a, &b);
	ck_assert_str_eq(p, "kept");
	ck_assert_ptr_nonnull(arena_alloc(&a, 16));
	arena_absorb(&a, &b);   /* nothing to take */
	arena_clear(&a);
}
END_TEST

/* Copies of bytes sit back to back; arena_alloc still gives 8-aligned memory. */
START_TEST(test_dup_packs_bytes_alloc_aligns)
{
	struct arena a;
	char *x, *y, *z;
	uint64_t *w;

	arena_init(&a);
	x = arena_dup(&a, "abc", 3);
	y = arena_dup(&a, "defgh", 5);
	ck_assert_ptr_eq(y, x + 3);
	w = arena_alloc(&a, sizeof(*w));
	ck_assert_uint_eq((uintptr_t)w % 8, 0);
	ck_assert_ptr_eq(w, (uint64_t *)(void *)(x + 8));
	*w = UINT64_MAX;
	z = arena_dup(&a, "i", 1);
	ck_assert_ptr_eq(z, (char *)(w + 1));
	ck_assert_mem_eq(x, "abcdefgh", 8);
	ck_assert_int_eq(*z, 'i');
	ck_assert_uint_eq(a.total, 3 + 5 + 8 + 1);
	arena_clear(&a);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("arena");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_absorb_keeps_objects_and_allocation_goes_on);
	tcase_add_test(tc, test_absorb_into_an_empty_arena);
	tcase_add_test(tc, test_dup_packs_bytes_alloc_aligns);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
