/* Unit tests for common/status: every own code has its own text. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "../unit.h"

START_TEST(test_every_own_code_has_text)
{
	for (int s = STATUS_SYNTAX; s > STATUS_LAST_; s--) {
		const char *t = status_str(s);
		ck_assert_ptr_nonnull(t);
		ck_assert_msg(strcmp(t, "unknown status") != 0, "code %d has no text", s);
	}
	ck_assert_str_eq(status_str(STATUS_LOCKED), "locked by another run");
	ck_assert_str_eq(status_str(STATUS_INTERNAL), "internal error");
}
END_TEST

START_TEST(test_errno_and_unknown_codes)
{
	ck_assert_str_eq(status_str(STATUS_OK), "success");
	ck_assert_str_eq(status_str(-ENOENT), strerror(ENOENT));
	ck_assert_str_eq(status_str(STATUS_LAST_), "unknown status");
	ck_assert_str_eq(status_str(-5000), "unknown status");
	ck_assert_int_eq(status_from_errno(EACCES), -EACCES);
	ck_assert_int_eq(status_from_errno(0), STATUS_INTERNAL);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_every_own_code_has_text);
	tcase_add_test(tc, test_errno_and_unknown_codes);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
