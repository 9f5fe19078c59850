/* Unit tests for keys/tlsa: parameters, and a known record from a committed certificate. */
#include <check.h>
#include <string.h>

#include "common/encode.h"
#include "common/status.h"
#include "keys/tlsa.h"
#include "keytest.h"
#include "../unit.h"

START_TEST(test_tlsa_params_parse_forms_and_refusals)
{
	struct tlsa_params p;
	struct diag d;

	diag_clear(&d);
	ck_assert_int_eq(tlsa_params_parse("3,1,1", &p, &d), 0);
	ck_assert_uint_eq(p.usage, 3);
	ck_assert_uint_eq(p.selector, 1);
	ck_assert_uint_eq(p.mtype, 1);
	ck_assert_int_eq(tlsa_params_parse("2 0 2", &p, &d), 0);
	ck_assert_uint_eq(p.usage, 2);
	ck_assert_uint_eq(p.selector, 0);
	ck_assert_uint_eq(p.mtype, 2);
	ck_assert_int_eq(tlsa_params_parse("311", &p, &d), 0);
	/* PKIX usages (RFC 7672 section 3.1.3), exact data, out of range, not three. */
	ck_assert_int_eq(tlsa_params_parse("1,1,1", &p, &d), STATUS_UNSUPPORTED);
	ck_assert_ptr_nonnull(strstr(d.text, "RFC 7672"));
	ck_assert_int_eq(tlsa_params_parse("0 0 1", &p, &d), STATUS_UNSUPPORTED);
	ck_assert_int_eq(tlsa_params_parse("3,1,0", &p, &d), STATUS_UNSUPPORTED);
	ck_assert_int_eq(tlsa_params_parse("3,2,1", &p, &d), STATUS_UNSUPPORTED);
	ck_assert_int_eq(tlsa_params_parse("3,1", &p, &d), STATUS_SYNTAX);
	ck_assert_int_eq(tlsa_params_parse("3,1,1,1", &p, &d), STATUS_SYNTAX);
	ck_assert_int_eq(tlsa_params_parse("3;1;1", &p, &d), STATUS_SYNTAX);
}
END_TEST

/*
 * zones/example/mail.example.com.crt (ECDSA P-256, the demo's): its 3 1 1 as
 * `openssl x509 -pubkey | openssl pkey -pubin -outform DER | sha256sum`
 * gave it.
 */
START_TEST(test_tlsa_known_record_from_certificate)
{
	struct tlsa_params p = { TLSA_USAGE_DANE_EE, TLSA_SELECTOR_SPKI,
	    TLSA_MTYPE_SHA256 };
	struct tlsa_source *s = NULL;
	struct tlsa_rdata rd[2];
	char path[PATH_MAX], hex[129];
	struct diag d;
	size_t n;

	kt_testdata(path, sizeof(path), "../../zones/example/mail.example.com.crt");
	diag_clear(&d);
	ck_assert_msg(tlsa_source_load_cert(path, &s, &d) == 0, "%s", d.text);
	ck_assert_str_eq(tlsa_source_key_type(s), "ECDSA P-256");
	ck_assert_int_eq(tlsa_from_source(s, p, rd, 2, &n, &d), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(rd[0].len, 32);
	hex_encode(rd[0].data, rd[0].len, hex);
	ck_assert_str_eq(hex, "71222d6480b2ea7c531675d06be8f5fd"
	    "dc01e1d10ff6e24455b9e500dea22965");
	/* DANE-TA needs issuers: this file has none. */
	p.usage = TLSA_USAGE_DANE_TA;
	ck_assert_int_eq(tlsa_from_source(s, p, rd, 2, &n, &d), STATUS_KEY_MISSING);
	tlsa_source_free(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tlsa");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_tlsa_params_parse_forms_and_refusals);
	tcase_add_test(tc, test_tlsa_known_record_from_certificate);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
