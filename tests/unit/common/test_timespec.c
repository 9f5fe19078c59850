/* Unit tests for common/timespec: strict duration and time parsing. */
#include <check.h>
#include <stdlib.h>

#include "common/status.h"
#include "common/timespec.h"
#include "../unit.h"

START_TEST(test_duration_accepts_units_and_sums)
{
	int64_t v;
	ck_assert_int_eq(duration_parse("3600", &v), 0);
	ck_assert_int_eq(v, 3600);
	ck_assert_int_eq(duration_parse("30d", &v), 0);
	ck_assert_int_eq(v, 30 * 86400);
	ck_assert_int_eq(duration_parse("1d12h", &v), 0);
	ck_assert_int_eq(v, 86400 + 12 * 3600);
	ck_assert_int_eq(duration_parse("2w", &v), 0);
	ck_assert_int_eq(v, 14 * 86400);
	ck_assert_int_eq(duration_parse("90s", &v), 0);
	ck_assert_int_eq(v, 90);
}
END_TEST

START_TEST(test_duration_rejects_garbage_and_leaves_output)
{
	int64_t v = 42;
	ck_assert_int_eq(duration_parse("", &v), STATUS_SYNTAX);
	ck_assert_int_eq(duration_parse("d", &v), STATUS_SYNTAX);
	ck_assert_int_eq(duration_parse("10x", &v), STATUS_SYNTAX);
	ck_assert_int_eq(duration_parse("-5", &v), STATUS_SYNTAX);
	ck_assert_int_eq(duration_parse("12 h", &v), STATUS_SYNTAX);
	ck_assert_int_eq(duration_parse("99999999999999999999", &v), STATUS_RANGE);
	ck_assert_int_eq(v, 42);
}
END_TEST

START_TEST(test_time_parses_calendar_epoch_and_offset)
{
	int64_t v;
	ck_assert_int_eq(time_parse("20261122000000", 0, &v), 0);
	ck_assert_int_eq(v, 1795305600);
	ck_assert_int_eq(time_parse("19700101000000", 0, &v), 0);
	ck_assert_int_eq(v, 0);
	ck_assert_int_eq(time_parse("20240229120000", 0, &v), 0);
	ck_assert_int_eq(v, 1709208000);
	ck_assert_int_eq(time_parse("1795305600", 0, &v), 0);
	ck_assert_int_eq(v, 1795305600);
	ck_assert_int_eq(time_parse("+2w", 1000, &v), 0);
	ck_assert_int_eq(v, 1000 + 14 * 86400);
}
END_TEST

START_TEST(test_time_rejects_impossible_dates)
{
	int64_t v;
	ck_assert_int_eq(time_parse("20230229000000", 0, &v), STATUS_RANGE);
	ck_assert_int_eq(time_parse("20261301000000", 0, &v), STATUS_RANGE);
	ck_assert_int_eq(time_parse("20261122246000", 0, &v), STATUS_RANGE);
	ck_assert_int_eq(time_parse("2026-11-22", 0, &v), STATUS_SYNTAX);
	ck_assert_int_eq(time_parse("", 0, &v), STATUS_SYNTAX);
}
END_TEST

START_TEST(test_time_format_roundtrips)
{
	char buf[16];
	int64_t v;
	time_format(1795305600 + 3661, buf, sizeof(buf));
	ck_assert_str_eq(buf, "20261122010101");
	ck_assert_int_eq(time_parse(buf, 0, &v), 0);
	ck_assert_int_eq(v, 1795305600 + 3661);
}
END_TEST

START_TEST(test_time_format_calendar_edges)
{
	char buf[16];
	time_format(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "19700101000000");
	time_format(951782400, buf, sizeof(buf));      /* a leap day */
	ck_assert_str_eq(buf, "20000229000000");
	time_format(1798761599, buf, sizeof(buf));     /* the last second of 2026 */
	ck_assert_str_eq(buf, "20261231235959");
	time_format(4294967295ll, buf, sizeof(buf));   /* RRSIG times end here */
	ck_assert_str_eq(buf, "21060207062815");
}
END_TEST

START_TEST(test_duration_format_reads_back)
{
	static const struct { int64_t s; const char *text; } cases[] = {
		{ 0, "0s" }, { 59, "59s" }, { 300, "5m" }, { 3600, "1h" },
		{ 93784, "1d2h3m4s" }, { 1209600, "14d" },
	};
	char buf[32];
	int64_t back;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		duration_format(cases[i].s, buf, sizeof(buf));
		ck_assert_str_eq(buf, cases[i].text);
		ck_assert_int_eq(duration_parse(buf, &back), 0);
		ck_assert_int_eq(back, cases[i].s);
	}
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("timespec");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_duration_accepts_units_and_sums);
	tcase_add_test(tc, test_duration_rejects_garbage_and_leaves_output);
	tcase_add_test(tc, test_time_parses_calendar_epoch_and_offset);
	tcase_add_test(tc, test_time_rejects_impossible_dates);
	tcase_add_test(tc, test_time_format_roundtrips);
	tcase_add_test(tc, test_time_format_calendar_edges);
	tcase_add_test(tc, test_duration_format_reads_back);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
