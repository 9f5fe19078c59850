/* Unit tests for tools/mail_records: the MTA-STS policy from an MX set (RFC 8461 §3.2), its id, the TLS-RPT text (RFC 8460 §3). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "tools/mail_records.h"
#include "zones/zone.h"
#include "../unit.h"

static struct zone *
mx_zone(const char *mx_lines)
{
	char text[2048];
	struct zone *z = NULL;
	struct diag d;

	snprintf(text, sizeof(text), "$ORIGIN example.com.\n$TTL 300\n"
	    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\n"
	    "ns1 A 192.0.2.1\n%s", mx_lines);
	ck_assert_int_eq(zone_load(unit_write("z.zone", text), "example.com.",
	    3600, &z, &d), 0);
	return z;
}

/* RFC 8461 §3.2's example policy, from the MX set that gives it (sorted, each once). */
START_TEST(test_policy_from_mx_set)
{
	struct zone *z = mx_zone("@ MX 10 mail\n@ MX 20 BACKUPMX\n"
	    "@ MX 30 mail.example.com.\n@ MX 5 mx.example.net.\n"
	    "other MX 10 not-this.example.org.\n");
	char *text = NULL;
	size_t len;

	ck_assert_int_eq(mail_sts_policy(z, "enforce", 604800, &text, &len), 0);
	ck_assert_str_eq(text, "version: STSv1\r\nmode: enforce\r\n"
	    "mx: BACKUPMX.example.com\r\nmx: mail.example.com\r\n"
	    "mx: mx.example.net\r\nmax_age: 604800\r\n");
	ck_assert_uint_eq(len, strlen(text));
	free(text);
	zone_free(z);
}
END_TEST

/* A null MX (RFC 7505): no mx line. */
START_TEST(test_policy_null_mx)
{
	struct zone *z = mx_zone("@ MX 0 .\n");
	char *text = NULL;
	size_t len;

	ck_assert_int_eq(mail_sts_policy(z, "none", 86400, &text, &len), 0);
	ck_assert_str_eq(text, "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n");
	free(text);
	/* enforce and testing need a host (RFC 8461 §3.2). */
	ck_assert_int_eq(mail_sts_policy(z, "enforce", 86400, &text, &len),
	    STATUS_RANGE);
	ck_assert_ptr_null(text);
	zone_free(z);
}
END_TEST

/* The id: 20 hex digits, the same for the same policy, another for another. */
START_TEST(test_id_follows_content)
{
	char a[21], b[21], c[21];

	mail_sts_id("version: STSv1\r\nmode: enforce\r\n", 31, a);
	mail_sts_id("version: STSv1\r\nmode: enforce\r\n", 31, b);
	mail_sts_id("version: STSv1\r\nmode: testing\r\n", 31, c);
	ck_assert_uint_eq(strlen(a), 20);
	ck_assert_uint_eq(strspn(a, "0123456789abcdef"), 20);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
}
END_TEST

START_TEST(test_tls_rpt_text)
{
	char out[256], small[24];

	ck_assert_int_eq(mail_tls_rpt_text("mailto:reports@example.com", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "v=TLSRPTv1; rua=mailto:reports@example.com");
	ck_assert_int_eq(mail_tls_rpt_text("mailto:a@example.com   "
	    "https://reporting.example.com/v1/tlsrpt", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "v=TLSRPTv1; rua=mailto:a@example.com,"
	    "https://reporting.example.com/v1/tlsrpt");
	ck_assert_int_ne(mail_tls_rpt_text("mailto:reports@example.com", small,
	    sizeof(small)), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("mail_records");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_test(tc, test_policy_from_mx_set);
	tcase_add_test(tc, test_policy_null_mx);
	tcase_add_test(tc, test_id_follows_content);
	tcase_add_test(tc, test_tls_rpt_text);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
