/* Unit tests for zones/dname: parsing, formatting and canonical order of names. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "zones/dname.h"
#include "../unit.h"

START_TEST(test_dname_canonical_order_matches_rfc4034_example)
{
	/* RFC 4034 §6.1: these names are listed in canonical order. */
	static const char *const ordered[] = {
		"example", "a.example", "yljkjljk.a.example", "Z.a.example",
		"zABC.a.EXAMPLE", "z.example", "\\001.z.example", "*.z.example",
		"\\200.z.example",
	};
	uint8_t a[DNAME_MAX_LENGTH], b[DNAME_MAX_LENGTH];
	size_t n = sizeof(ordered) / sizeof(ordered[0]);

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			ck_assert_int_eq(dname_parse(ordered[i], a), 0);
			ck_assert_int_eq(dname_parse(ordered[j], b), 0);
			int c = dname_compare(a, b);
			if (i < j)
				ck_assert_msg(c < 0, "%s < %s", ordered[i], ordered[j]);
			else if (i > j)
				ck_assert_msg(c > 0, "%s > %s", ordered[i], ordered[j]);
			else
				ck_assert_int_eq(c, 0);
		}
}
END_TEST

START_TEST(test_dname_parse_format_roundtrip_with_escapes)
{
	uint8_t n[DNAME_MAX_LENGTH];
	char text[DNAME_TEXT_MAX];

	ck_assert_int_eq(dname_parse("a\\.b.Example.COM", n), 0);
	ck_assert_int_eq(n[0], 3);
	ck_assert_int_eq(dname_label_count(n), 3);
	dname_format(n, text, sizeof(text));
	ck_assert_str_eq(text, "a\\.b.Example.COM.");
	ck_assert_int_eq(dname_parse("\\032x.", n), 0);
	dname_format(n, text, sizeof(text));
	ck_assert_str_eq(text, "\\032x.");
	ck_assert_int_eq(dname_parse(".", n), 0);
	ck_assert_int_eq(dname_length(n), 1);
	dname_format(n, text, sizeof(text));
	ck_assert_str_eq(text, ".");
}
END_TEST

START_TEST(test_dname_parse_rejects_bad_names)
{
	uint8_t n[DNAME_MAX_LENGTH];
	char label64[80], longname[300];

	memset(label64, 'a', 64);
	label64[64] = '\0';
	for (int i = 0; i < 128; i++) {
		longname[2 * i] = 'a';
		longname[2 * i + 1] = '.';
	}
	longname[256] = '\0';
	ck_assert_int_eq(dname_parse("", n), STATUS_SYNTAX);
	ck_assert_int_eq(dname_parse("a..b", n), STATUS_SYNTAX);
	ck_assert_int_eq(dname_parse("..", n), STATUS_SYNTAX);
	ck_assert_int_eq(dname_parse(label64, n), STATUS_SYNTAX);
	ck_assert_int_eq(dname_parse(longname, n), STATUS_SYNTAX);
	ck_assert_int_eq(dname_parse("a\\25", n), STATUS_SYNTAX);
	ck_assert_int_eq(dname_parse("a\\256", n), STATUS_SYNTAX);
}
END_TEST

START_TEST(test_dname_subdomain_and_wildcard)
{
	uint8_t a[DNAME_MAX_LENGTH], b[DNAME_MAX_LENGTH], c[DNAME_MAX_LENGTH];

	ck_assert_int_eq(dname_parse("*.Sub.example.com", a), 0);
	ck_assert_int_eq(dname_parse("example.COM.", b), 0);
	ck_assert_int_eq(dname_parse("ample.com", c), 0);
	ck_assert(dname_is_wildcard(a));
	ck_assert(!dname_is_wildcard(b));
	ck_assert(dname_is_below_or_at(a, b));
	ck_assert(dname_is_below_or_at(b, b));
	ck_assert(!dname_is_below_or_at(b, a));
	ck_assert(!dname_is_below_or_at(c, b));
	ck_assert(!dname_is_below_or_at(b, c));
	ck_assert(dname_equal(dname_parent(dname_parent(a)), b));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dname");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dname_canonical_order_matches_rfc4034_example);
	tcase_add_test(tc, test_dname_parse_format_roundtrip_with_escapes);
	tcase_add_test(tc, test_dname_parse_rejects_bad_names);
	tcase_add_test(tc, test_dname_subdomain_and_wildcard);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
