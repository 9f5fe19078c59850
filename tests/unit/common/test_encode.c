/* Unit tests for common/encode: base64 both ways, and what the decoder refuses. */
#include <check.h>
#include <openssl/evp.h>
#include <string.h>

#include "common/encode.h"
#include "../unit.h"

START_TEST(test_base64_round_trip_matches_openssl)
{
	uint8_t in[200], back[200];
	char text[300];
	unsigned char ref[300];

	for (size_t len = 1; len <= sizeof(in); len++) {
		for (size_t i = 0; i < len; i++)
			in[i] = (uint8_t)(i * 37 + len * 11);
		size_t tlen = base64_encode(in, len, text);
		/* The same text as OpenSSL's encoder. */
		int rlen = EVP_EncodeBlock(ref, in, (int)len);
		ck_assert_int_eq((int)tlen, rlen);
		ck_assert_mem_eq(text, ref, tlen);
		ck_assert_uint_eq(base64_decode(text, tlen, back, sizeof(back)), len);
		ck_assert_mem_eq(back, in, len);
		/* One octet too little room: refused. */
		ck_assert_uint_eq(base64_decode(text, tlen, back, len - 1), 0);
	}
}
END_TEST

START_TEST(test_base64_decode_refuses_what_is_not_canonical)
{
	static const char *const bad[] = {
		"",            /* nothing */
		"QUJD\n",      /* whitespace */
		"QUJ",         /* not a multiple of 4 */
		"QU=D",        /* padding inside a group */
		"QQ==QUJD",    /* padding before the last group */
		"QR==",        /* bits after the last octet */
		"QUI=" "x",    /* length */
		"QUK=",        /* bits after the last octet, one pad */
		"QU-D",        /* base64url's digit */
		"QUJ\xc3",     /* not ASCII */
		"====",
	};
	uint8_t out[16];

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		ck_assert_msg(base64_decode(bad[i], strlen(bad[i]), out,
		    sizeof(out)) == 0, "'%s' was decoded", bad[i]);
	/* And the canonical forms of the same are. */
	ck_assert_uint_eq(base64_decode("QQ==", 4, out, sizeof(out)), 1);
	ck_assert_uint_eq(base64_decode("QUI=", 4, out, sizeof(out)), 2);
	ck_assert_uint_eq(base64_decode("QUJD", 4, out, sizeof(out)), 3);
	ck_assert_mem_eq(out, "ABC", 3);
	ck_assert_uint_eq(base64_decode("+/+/", 4, out, sizeof(out)), 3);
	ck_assert_mem_eq(out, "\xfb\xff\xbf", 3);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("encode");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_base64_round_trip_matches_openssl);
	tcase_add_test(tc, test_base64_decode_refuses_what_is_not_canonical);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
