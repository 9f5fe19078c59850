/* Unit tests for tools/tlsa_state: the TLSA rollover state file, read back as written. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/encode.h"
#include "common/status.h"
#include "tools/tlsa_state.h"
#include "../unit.h"

static struct tlsa_rdata
record(uint8_t fill)
{
	struct tlsa_rdata rd = { { 3, 1, 1 }, { 0 }, 32 };

	memset(rd.data, fill, rd.len);
	return rd;
}

/* Staged entries and retiring records come back as saved; expired ones do not. */
START_TEST(test_tlsa_state_round_trip)
{
	struct tlsa_state st = { 0 }, back;
	struct tlsa_staged *s;
	struct tlsa_rdata a = record(0xaa), b = record(0xbb), c = record(0xcc);
	struct diag d;
	struct stat sb;
	char path[300];

	ck_assert_int_eq(tlsa_state_load(unit_dir, &st, &d), 0);
	ck_assert_uint_eq(st.nstaged + st.nretiring, 0);
	ck_assert_ptr_nonnull(s = tlsa_state_add_staged(&st));
	snprintf(s->host, sizeof(s->host), "mail.example.com.");
	s->port = 25;
	snprintf(s->key_type, sizeof(s->key_type), "ECDSA");
	s->next = a;
	s->replaces = b;
	s->has_replaces = true;
	snprintf(s->source, sizeof(s->source), "/etc/ssl/new.pem");
	s->staged_at = 1000;
	s->served_since = 2000;
	ck_assert_ptr_nonnull(s = tlsa_state_add_staged(&st));
	snprintf(s->host, sizeof(s->host), "mail.example.com.");
	s->port = 465;
	snprintf(s->key_type, sizeof(s->key_type), "RSA");
	s->next = c;
	snprintf(s->source, sizeof(s->source), "/etc/ssl/rsa.pem");
	ck_assert_int_eq(tlsa_state_add_retiring(&st, "mx.example.com.", 25, &b,
	    5000), 0);
	/* The same record again: one entry, the later time. */
	ck_assert_int_eq(tlsa_state_add_retiring(&st, "mx.example.com.", 25, &b,
	    6000), 0);
	ck_assert_int_eq(tlsa_state_add_retiring(&st, "mx.example.com.", 25, &c,
	    3000), 0);
	ck_assert_uint_eq(st.nretiring, 2);
	/* Saved at 4000: the record retiring at 3000 is gone already. */
	ck_assert_int_eq(tlsa_state_save(unit_dir, &st, 4000, &d), 0);
	snprintf(path, sizeof(path), "%s/%s", unit_dir, TLSA_STATE_FILE);
	ck_assert_int_eq(stat(path, &sb), 0);
	ck_assert_uint_eq(sb.st_mode & 0777, 0600);
	ck_assert_int_eq(tlsa_state_load(unit_dir, &back, &d), 0);
	ck_assert_uint_eq(back.nstaged, 2);
	ck_assert_uint_eq(back.nretiring, 1);
	s = tlsa_state_find(&back, "mail.example.com.", 25, "ECDSA");
	ck_assert_ptr_nonnull(s);
	ck_assert_mem_eq(s->next.data, a.data, 32);
	ck_assert(s->has_replaces);
	ck_assert_mem_eq(s->replaces.data, b.data, 32);
	ck_assert_str_eq(s->source, "/etc/ssl/new.pem");
	ck_assert_int_eq(s->staged_at, 1000);
	ck_assert_int_eq(s->served_since, 2000);
	s = tlsa_state_find(&back, "mail.example.com.", 465, "RSA");
	ck_assert_ptr_nonnull(s);
	ck_assert(!s->has_replaces);
	ck_assert_ptr_null(tlsa_state_find(&back, "mail.example.com.", 465,
	    "ECDSA"));
	ck_assert_int_eq(back.retiring[0].until, 6000);
	ck_assert_mem_eq(back.retiring[0].rd.data, b.data, 32);
	tlsa_state_remove_staged(&back, tlsa_state_find(&back,
	    "mail.example.com.", 25, "ECDSA"));
	ck_assert_uint_eq(back.nstaged, 1);
	ck_assert_uint_eq(back.staged[0].port, 465);
	tlsa_state_free(&back);
	tlsa_state_free(&st);
}
END_TEST

/* A state file that is not JSON, or lacks a field, is an error naming the file. */
START_TEST(test_tlsa_state_malformed)
{
	static const char *bad[] = {
	    "{ not json",
	    "{\"staged\": [{\"host\": \"a.example.\", \"port\": 25}]}",
	    "{\"staged\": [{\"host\": \"a.example.\", \"port\": 0, "
	    "\"key_type\": \"RSA\", \"next\": \"3 1 1 aa\", \"source\": \"x\"}]}",
	    "{\"retiring\": [{\"host\": \"a.example.\", \"port\": 25, "
	    "\"record\": \"3 1 1 zz\"}]}",
	};
	struct tlsa_state st;
	struct diag d;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unit_write(TLSA_STATE_FILE, bad[i]);
		diag_clear(&d);
		ck_assert_int_eq(tlsa_state_load(unit_dir, &st, &d), STATUS_SYNTAX);
		ck_assert_ptr_nonnull(strstr(d.file, TLSA_STATE_FILE));
		ck_assert_uint_eq(st.nstaged + st.nretiring, 0);
	}
}
END_TEST

/* "3 1 1 <hex>" both ways; hex_decode refuses what is not hex. */
START_TEST(test_tlsa_rdata_text)
{
	struct tlsa_rdata rd = record(0x5a), back;
	char text[TLSA_TEXT_MAX];
	uint8_t out[4];

	tlsa_rdata_format(&rd, text);
	ck_assert_uint_eq(strlen(text), 6 + 64);
	ck_assert(strncmp(text, "3 1 1 5a5a", 10) == 0);
	ck_assert_int_eq(tlsa_rdata_parse(text, &back), 0);
	ck_assert_uint_eq(back.len, rd.len);
	ck_assert_mem_eq(back.data, rd.data, rd.len);
	ck_assert_mem_eq(&back.params, &rd.params, sizeof(rd.params));
	ck_assert_int_eq(tlsa_rdata_parse("3 1 1", &back), STATUS_SYNTAX);
	ck_assert_int_eq(tlsa_rdata_parse("3 1 1 abc", &back), STATUS_SYNTAX);
	ck_assert_uint_eq(hex_decode("0aFf", 4, out, sizeof(out)), 2);
	ck_assert_uint_eq(out[0], 0x0a);
	ck_assert_uint_eq(out[1], 0xff);
	ck_assert_uint_eq(hex_decode("0g", 2, out, sizeof(out)), 0);
	ck_assert_uint_eq(hex_decode("0102030405", 10, out, sizeof(out)), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("tlsa_state");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_test(tc, test_tlsa_state_round_trip);
	tcase_add_test(tc, test_tlsa_state_malformed);
	tcase_add_test(tc, test_tlsa_rdata_text);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
