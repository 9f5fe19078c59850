/* Unit tests for common/lines: counting and skipping newlines, checked against a byte-by-byte walk. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/lines.h"
#include "../unit.h"

/* Texts of every length up to 300 at every start offset in a buffer of 16. */
#define TEXT_MAX 300

static size_t
walk_count(const char *p, const char *end)
{
	size_t n = 0;

	for (; p < end; p++)
		n += *p == '\n';
	return n;
}

static const char *
walk_after(const char *p, const char *end, size_t count)
{
	for (; p < end; p++)
		if (*p == '\n' && --count == 0)
			return p + 1;
	return NULL;
}

/* Newlines at a density set by seed (from none to every octet), other octets anything else. */
static void
fill(char *buf, size_t len, unsigned seed)
{
	unsigned x = seed * 2654435761u + 1, every = 1 + seed % 97;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = seed % 5 == 0 ? 'a' : (x >> 16) % every == 0 ? '\n' :
		    (char)(x >> 24 == '\n' ? 'b' : x >> 24);
	}
}

START_TEST(test_lines_count_matches_a_walk)
{
	char buf[TEXT_MAX + 16];

	for (unsigned seed = 0; seed < 40; seed++) {
		fill(buf, sizeof(buf), seed);
		for (size_t off = 0; off < 16; off++)
			for (size_t len = 0; len <= TEXT_MAX; len++)
				ck_assert_uint_eq(lines_count(buf + off,
				    buf + off + len), walk_count(buf + off,
				    buf + off + len));
	}
}
END_TEST

START_TEST(test_lines_after_matches_a_walk)
{
	char buf[TEXT_MAX + 16];

	for (unsigned seed = 0; seed < 40; seed++) {
		fill(buf, sizeof(buf), seed);
		for (size_t off = 0; off < 16; off += 5) {
			const char *p = buf + off, *end = buf + off + TEXT_MAX;
			size_t n = walk_count(p, end);
			/* Every newline, and one more than there are. */
			for (size_t count = 1; count <= n + 1; count++)
				ck_assert_ptr_eq(lines_after(p, end, count),
				    walk_after(p, end, count));
		}
	}
}
END_TEST

START_TEST(test_lines_of_a_long_text)
{
	/* Lines of 1 to 200 octets, the last without its newline. */
	size_t len = 1 << 20, n = 0;
	char *buf = malloc(len);
	const char *p;

	ck_assert_ptr_nonnull(buf);
	memset(buf, 'x', len);
	for (size_t at = 0, k = 0; at < len - 1; k++) {
		at += 1 + (k * 7919) % 200;
		if (at < len - 1) {
			buf[at] = '\n';
			n++;
		}
	}
	ck_assert_uint_eq(lines_count(buf, buf + len), n);
	/* Skipping all of them in steps of 3 ends at the last line. */
	p = buf;
	for (size_t left = n; left >= 3; left -= 3)
		ck_assert_ptr_nonnull(p = lines_after(p, buf + len, 3));
	ck_assert_ptr_eq(p, walk_after(buf, buf + len, n - n % 3));
	ck_assert_ptr_null(lines_after(buf, buf + len, n + 1));
	free(buf);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("lines");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_lines_count_matches_a_walk);
	tcase_add_test(tc, test_lines_after_matches_a_walk);
	tcase_add_test(tc, test_lines_of_a_long_text);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
