/* Unit tests for common/parallel: every item once, fixed parts, and the same failure whatever the timing. */
#include <check.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "common/parallel.h"
#include "common/status.h"
#include "../unit.h"

#define ITEMS 100000

static atomic_uchar seen[ITEMS];

static int
mark(size_t begin, size_t end, void *arg, struct diag *d)
{
	(void)arg;
	(void)d;
	for (size_t i = begin; i < end; i++)
		atomic_fetch_add(&seen[i], 1);
	return 0;
}

START_TEST(test_every_item_once)
{
	/* Chunks that do not divide the items, more threads than chunks, one thread. */
	static const size_t chunks[] = { 7, 4096, 60000, 1 };
	static const unsigned threads[] = { 4, 16, 16, 1 };

	for (size_t t = 0; t < sizeof(chunks) / sizeof(*chunks); t++) {
		for (size_t i = 0; i < ITEMS; i++)
			atomic_store(&seen[i], 0);
		ck_assert_int_eq(parallel_for(ITEMS, chunks[t], threads[t], mark,
		    NULL, NULL), 0);
		for (size_t i = 0; i < ITEMS; i++)
			ck_assert_msg(atomic_load(&seen[i]) == 1, "item %zu seen %d "
			    "times (chunk %zu)", i, atomic_load(&seen[i]), chunks[t]);
	}
	ck_assert_int_eq(parallel_for(0, 8, 4, mark, NULL, NULL), 0);
}
END_TEST

/* Each part's range, as parallel_parts gave it; and every item, by its part. */
static size_t part_begin[PARALLEL_PARTS], part_end[PARALLEL_PARTS];
static atomic_uchar part_calls[PARALLEL_PARTS];

static void
mark_part(size_t p, size_t begin, size_t end, void *arg)
{
	(void)arg;
	atomic_fetch_add(&part_calls[p], 1);
	part_begin[p] = begin;
	part_end[p] = end;
	for (size_t i = begin; i < end; i++)
		atomic_fetch_add(&seen[i], 1);
}

START_TEST(test_parts_are_fixed)
{
	/* None, fewer items than parts, one thread's worth, and on every CPU. */
	static const size_t sizes[] = { 0, 10, 1000, ITEMS };

	ck_assert_uint_gt(ITEMS, PARALLEL_ONE_THREAD);
	for (size_t t = 0; t < sizeof(sizes) / sizeof(*sizes); t++) {
		size_t n = sizes[t];
		for (size_t i = 0; i < ITEMS; i++)
			atomic_store(&seen[i], 0);
		for (size_t p = 0; p < PARALLEL_PARTS; p++)
			atomic_store(&part_calls[p], 0);
		parallel_parts(n, 4, mark_part, NULL);
		for (size_t p = 0; p < PARALLEL_PARTS; p++) {
			ck_assert_int_eq(atomic_load(&part_calls[p]), 1);
			ck_assert_uint_eq(part_begin[p], n * p / PARALLEL_PARTS);
			ck_assert_uint_eq(part_end[p], n * (p + 1) / PARALLEL_PARTS);
		}
		for (size_t i = 0; i < ITEMS; i++)
			ck_assert_int_eq(atomic_load(&seen[i]), i < n);
	}
}
END_TEST

/*
 * Chunk 1 fails late (after a pause), chunk 2 at once: chunk 2's failure
 * comes first in time, but chunk 1's is the one reported.
 */
static int
fail_slowly(size_t begin, size_t end, void *arg, struct diag *d)
{
	(void)end;
	(void)arg;
	if (begin == 1) {
		struct timespec pause = { 0, 100 * 1000 * 1000 };
		nanosleep(&pause, NULL);
		diag_set(d, NULL, 0, "chunk %zu failed", begin);
		return STATUS_CHAIN;
	}
	if (begin == 2) {
		diag_set(d, NULL, 0, "chunk %zu failed", begin);
		return STATUS_RANGE;
	}
	return 0;
}

START_TEST(test_the_earliest_failure_is_reported)
{
	for (int round = 0; round < 3; round++) {
		struct diag d;
		diag_clear(&d);
		ck_assert_int_eq(parallel_for(8, 1, 4, fail_slowly, NULL, &d),
		    STATUS_CHAIN);
		ck_assert_str_eq(d.text, "chunk 1 failed");
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("parallel");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_every_item_once);
	tcase_add_test(tc, test_parts_are_fixed);
	tcase_add_test(tc, test_the_earliest_failure_is_reported);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
