/* Unit tests for the signer's denial pieces: NSEC3 hashing (RFC 5155 Appendix A), base32hex, type bitmaps. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "signer/signer_internal.h"
#include "zones/dname.h"
#include "../unit.h"

/* RFC 5155 Appendix A: salt aabbccdd, 12 iterations. */
static const struct {
	const char *name, *hash;
} rfc5155[] = {
	{ "example", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom" },
	{ "a.example", "35mthgpgcu1qg68fab165klnsnk3dpvl" },
	{ "ai.example", "gjeqe526plbf1g8mklp59enfd789njgi" },
	{ "ns1.example", "2t7b4g4vsa5smi47k61mv5bv1a22bojr" },
	{ "ns2.example", "q04jkcevqvmu85r014c7dkba38o0ji5r" },
	{ "w.example", "k8udemvp1j2f7eg6jebps17vp3n8i58h" },
	{ "*.w.example", "r53bq7cc2uvmubfu5ocmm6pers9tk9en" },
	{ "x.w.example", "b4um86eghhds6nea196smvmlo4ors995" },
	{ "y.w.example", "ji6neoaepv8b5o6k4ev33abha8ht9fgc" },
	{ "x.y.w.example", "2vptu5timamqttgl4luu9kg21e0aor3s" },
	{ "xx.example", "t644ebqk9bibcna874givr6joj62mlhv" },
	{ "A.EXAMPLE", "35mthgpgcu1qg68fab165klnsnk3dpvl" },
};

START_TEST(test_nsec3_hash_matches_rfc5155_appendix_a)
{
	static const uint8_t salt[] = { 0xaa, 0xbb, 0xcc, 0xdd };
	uint8_t name[DNAME_MAX_LENGTH], hash[20], back[20];
	char text[40];

	ck_assert_int_eq(dname_parse(rfc5155[_i].name, name), 0);
	ck_assert_int_eq(nsec3_hash_name(name, 1, 12, salt, sizeof(salt), hash), 0);
	ck_assert_uint_eq(base32hex_encode(hash, 20, text), 32);
	ck_assert_str_eq(text, rfc5155[_i].hash);
	ck_assert_uint_eq(base32hex_decode(text, 32, back, sizeof(back)), 20);
	ck_assert_mem_eq(back, hash, 20);
}
END_TEST

START_TEST(test_nsec3_hash_rejects_unknown_algorithm)
{
	uint8_t name[DNAME_MAX_LENGTH], hash[20];

	ck_assert_int_eq(dname_parse("example", name), 0);
	ck_assert_int_ne(nsec3_hash_name(name, 2, 0, NULL, 0, hash), 0);
}
END_TEST

START_TEST(test_base32hex_decode_rejects_bad_characters)
{
	uint8_t out[20];

	ck_assert_uint_eq(base32hex_decode("0p9mhaveqvm6t7vbl5lop2u3t2rp3toz", 32,
	    out, sizeof(out)), 0);
	ck_assert_uint_eq(base32hex_decode("0p9m-ave", 8, out, sizeof(out)), 0);
}
END_TEST

START_TEST(test_typemap_matches_rfc4034_example)
{
	/* RFC 4034 §4.3: A MX RRSIG NSEC TYPE1234. */
	static const uint8_t want[] = {
		0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03,
		0x04, 0x1b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x20,
	};
	static const uint16_t types[] = { 1234, 15, 1, 47, 46, 15 };
	struct bytes b = { 0 };

	ck_assert_int_eq(typemap_encode(types, 6, &b), 0);
	ck_assert_uint_eq(b.len, sizeof(want));
	ck_assert_mem_eq(b.data, want, sizeof(want));
	bytes_free(&b);
}
END_TEST

START_TEST(test_rrsig_labels_skip_wildcard_and_root)
{
	uint8_t n[DNAME_MAX_LENGTH];

	ck_assert_int_eq(dname_parse("*.w.example", n), 0);
	ck_assert_uint_eq(rrsig_labels(n), 2);
	ck_assert_int_eq(dname_parse("x.w.example", n), 0);
	ck_assert_uint_eq(rrsig_labels(n), 3);
	ck_assert_int_eq(dname_parse(".", n), 0);
	ck_assert_uint_eq(rrsig_labels(n), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("nsec3");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_nsec3_hash_matches_rfc5155_appendix_a, 0,
	    (int)(sizeof(rfc5155) / sizeof(rfc5155[0])));
	tcase_add_test(tc, test_nsec3_hash_rejects_unknown_algorithm);
	tcase_add_test(tc, test_base32hex_decode_rejects_bad_characters);
	tcase_add_test(tc, test_typemap_matches_rfc4034_example);
	tcase_add_test(tc, test_rrsig_labels_skip_wildcard_and_root);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
