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
	/* Printable octets other than letters, digits, '-', '_' (and a lone '*'): escaped. */
	ck_assert_int_eq(dname_parse("*.a\\*b.sp\\!a\\@c\\$e.x\\/y_z-1.", n), 0);
	dname_format(n, text, sizeof(text));
	ck_assert_str_eq(text, "*.a\\*b.sp\\!a\\@c\\$e.x\\/y_z-1.");
}
END_TEST

/* A name read from rdata counts only when it ends within the rdata. */
START_TEST(test_dname_length_within_rdata)
{
	static const uint8_t www[] = { 3, 'w', 'w', 'w', 0, 0xff };
	static const uint8_t cut[] = { 3, 'w', 'w', 'w' };
	static const uint8_t bad[] = { 0x3f, 0 };

	ck_assert_uint_eq(dname_length_within(www, sizeof(www)), 5);
	ck_assert_uint_eq(dname_length_within(www, 5), 5);
	ck_assert_uint_eq(dname_length_within(www, 4), 0);
	ck_assert_uint_eq(dname_length_within(cut, sizeof(cut)), 0);
	ck_assert_uint_eq(dname_length_within(bad, sizeof(bad)), 0);
	ck_assert_uint_eq(dname_length_within(www, 0), 0);
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

/* A random name of 1 to 4 labels of 1 to 10 octets from a small alphabet. */
static void
random_name(unsigned *seed, uint8_t *out, const uint8_t *suffix,
    size_t suffix_len)
{
	static const uint8_t alphabet[] = { 0, 1, 2, 'a', 'A', 'b', 'z', 0xff };
	unsigned labels = 1 + rand_r(seed) % 4;
	size_t o = 0;

	for (unsigned l = 0; l < labels; l++) {
		unsigned len = 1 + rand_r(seed) % 10;
		out[o++] = (uint8_t)len;
		for (unsigned i = 0; i < len; i++)
			out[o++] = alphabet[rand_r(seed) % sizeof(alphabet)];
	}
	memcpy(out + o, suffix, suffix_len);
}

START_TEST(test_dname_sort_key_agrees_with_canonical_order)
{
	uint8_t origin[DNAME_MAX_LENGTH], a[DNAME_MAX_LENGTH], b[DNAME_MAX_LENGTH];
	unsigned seed = 20261129, olabels, decided = 0;
	size_t olen;

	ck_assert_int_eq(dname_parse("Example.com", origin), 0);
	olen = dname_length(origin);
	olabels = dname_label_count(origin);
	/* The origin itself sorts first: its key is the smallest there is. */
	ck_assert_uint_eq(dname_sort_key(origin, olabels), 0);
	for (int i = 0; i < 200000; i++) {
		random_name(&seed, a, origin, olen);
		random_name(&seed, b, origin, olen);
		if (i % 7 == 0)   /* often: one name a prefix or suffix of the other */
			memcpy(b, a, dname_length(a));
		if (i % 7 == 1)
			memcpy(b, a + a[0] + 1, dname_length(a + a[0] + 1));
		uint64_t ka = dname_sort_key(a, olabels), kb = dname_sort_key(b, olabels);
		int c = dname_compare(a, b);
		if (ka < kb)
			ck_assert_msg(c < 0, "key order against canonical order at %d", i);
		else if (ka > kb)
			ck_assert_msg(c > 0, "key order against canonical order at %d", i);
		decided += ka != kb;
	}
	/* Most pairs are told apart by the key alone. */
	ck_assert_uint_gt(decided, 150000);
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
	/* One label whose last octets spell b's wire form: not below b. */
	ck_assert_int_eq(dname_parse("x\\007example\\003com.", c), 0);
	ck_assert_mem_eq(c + dname_length(c) - dname_length(b), "\7example\3com",
	    dname_length(b));
	ck_assert(!dname_is_below_or_at(c, b));
	ck_assert(dname_equal(dname_parent(dname_parent(a)), b));
}
END_TEST

START_TEST(test_dname_tlsa_owner_and_back)
{
	static const unsigned ports[] = { 1, 25, 443, 465, 65535 };
	uint8_t host[DNAME_MAX_LENGTH], owner[DNAME_MAX_LENGTH],
	    want[DNAME_MAX_LENGTH];
	char text[DNAME_TEXT_MAX], expect[DNAME_TEXT_MAX];
	const uint8_t *h;
	unsigned port;

	ck_assert_int_eq(dname_parse("mail.Example.com", host), 0);
	for (size_t i = 0; i < sizeof(ports) / sizeof(*ports); i++) {
		ck_assert(dname_tlsa_owner(ports[i], host, owner));
		dname_format(owner, text, sizeof(text));
		snprintf(expect, sizeof(expect), "_%u._tcp.mail.Example.com.",
		    ports[i]);
		ck_assert_str_eq(text, expect);
		ck_assert_int_eq(dname_parse(expect, want), 0);
		ck_assert_mem_eq(owner, want, dname_length(want));
		ck_assert(dname_tlsa_port(owner, &port, &h));
		ck_assert_uint_eq(port, ports[i]);
		ck_assert_ptr_eq(h, owner + dname_length(owner) - dname_length(host));
	}
	ck_assert(!dname_tlsa_owner(0, host, owner));
	ck_assert(!dname_tlsa_owner(65536, host, owner));
	/* A host of 245 octets: room for _465._tcp (255 in all), not _4650._tcp. */
	memset(host, 0, sizeof(host));
	for (size_t at = 0; at < 244; at += 61) {
		host[at] = 60;
		memset(host + at + 1, 'a', 60);
	}
	ck_assert_uint_eq(dname_length(host), 245);
	ck_assert(dname_tlsa_owner(465, host, owner));
	ck_assert_uint_eq(dname_length(owner), 255);
	ck_assert(!dname_tlsa_owner(4650, host, owner));
	/* Not TLSA owner names. */
	static const char *const not_tlsa[] = { "_25._udp.mail.example.com",
	    "25._tcp.mail.example.com", "_0._tcp.mail.example.com",
	    "_65536._tcp.mail.example.com", "_2x._tcp.mail.example.com",
	    "_._tcp.mail.example.com", "mail.example.com", "_25.tcp.example.com" };
	for (size_t i = 0; i < sizeof(not_tlsa) / sizeof(*not_tlsa); i++) {
		ck_assert_int_eq(dname_parse(not_tlsa[i], owner), 0);
		ck_assert_msg(!dname_tlsa_port(owner, &port, &h), "%s", not_tlsa[i]);
	}
	ck_assert_int_eq(dname_parse("_25._TCP.mx.example.com", owner), 0);
	ck_assert(dname_tlsa_port(owner, &port, &h));
	ck_assert_uint_eq(port, 25);
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
	tcase_add_test(tc, test_dname_length_within_rdata);
	tcase_add_test(tc, test_dname_subdomain_and_wildcard);
	tcase_add_test(tc, test_dname_tlsa_owner_and_back);
	tcase_add_test(tc, test_dname_sort_key_agrees_with_canonical_order);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
