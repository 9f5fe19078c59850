/* Unit tests for zones/zone: loading master files, canonical order, and the zone rules. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/arena.h"
#include "common/status.h"
#include "zones/dname.h"
#include "zones/serial.h"
#include "zones/zone.h"
#include "../unit.h"


#define HEAD "$ORIGIN example.com.\n$TTL 300\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n"

/* Zones that break a rule: the status, a piece of the message, and the line. */
static const struct {
	const char *name, *text, *message;
	int status;
	unsigned long line;
} bad[] = {
	{ "cname_and_other.invalid", HEAD "www CNAME ns\nwww A 192.0.2.2\n",
	  "CNAME and other data", STATUS_ZONE_CONTENT, 7 },
	{ "soa_generic.invalid", "$ORIGIN example.com.\n$TTL 300\n@ SOA \\# 1 3f\n"
	  "@ NS ns\nns A 192.0.2.1\n", "SOA: malformed rdata", STATUS_ZONE_CONTENT, 3 },
	{ "two_cnames.invalid", HEAD "www CNAME ns\nwww CNAME x\n",
	  "more than one CNAME", STATUS_ZONE_CONTENT, 7 },
	{ "cname_at_apex.invalid", HEAD "@ CNAME ns\n",
	  "CNAME at the zone apex", STATUS_ZONE_CONTENT, 6 },
	{ "out_of_zone.invalid", HEAD "www.example.net. A 192.0.2.2\n",
	  "outside the zone", STATUS_ZONE_CONTENT, 6 },
	{ "occluded_by_delegation.invalid",
	  HEAD "sub NS ns.sub\nns.sub A 192.0.2.9\nhost.sub TXT \"hidden\"\n",
	  "occluded by the delegation at sub.example.com.", STATUS_ZONE_CONTENT, 8 },
	{ "data_at_delegation.invalid", HEAD "sub NS ns.other.\nsub MX 1 mail\n",
	  "at the delegation point", STATUS_ZONE_CONTENT, 7 },
	{ "occluded_by_dname.invalid", HEAD "old DNAME new.example.net.\nx.old A 192.0.2.3\n",
	  "occluded by the DNAME", STATUS_ZONE_CONTENT, 7 },
	{ "ds_without_ns.invalid", HEAD "sub DS 1 13 2 " "0000000000000000000000000000000000000000000000000000000000000000\n",
	  "DS at sub.example.com. without NS", STATUS_ZONE_CONTENT, 6 },
	{ "ds_at_apex.invalid", HEAD "@ DS 1 13 2 " "0000000000000000000000000000000000000000000000000000000000000000\n",
	  "DS at the zone apex", STATUS_ZONE_CONTENT, 6 },
	{ "soa_below_apex.invalid", HEAD "sub SOA ns h 1 2 3 4 5\n",
	  "belongs only at the zone apex", STATUS_ZONE_CONTENT, 6 },
	{ "no_soa.invalid", "$ORIGIN example.com.\n@ 300 NS ns\n",
	  "no SOA record", STATUS_ZONE_CONTENT, 0 },
	{ "no_apex_ns.invalid", "$ORIGIN example.com.\n@ 300 SOA ns h 1 2 3 4 5\n",
	  "no NS record", STATUS_ZONE_CONTENT, 0 },
	{ "bad_ipv4.invalid", HEAD "www A 192.0.2\n", "IPv4", STATUS_SYNTAX, 6 },
	{ "unknown_type.invalid", HEAD "www FOO 1\n", "", STATUS_SYNTAX, 6 },
	{ "chaos_class.invalid", HEAD "www CH TXT \"x\"\n", "", STATUS_SYNTAX, 6 },
	{ "missing_include.invalid", HEAD "$INCLUDE nothere.zone\n", "", -ENOENT, 0 },
};

START_TEST(test_zone_rejects_rule_breakers_with_file_and_line)
{
	struct zone *z = NULL;
	struct diag d;
	const char *path = unit_write(bad[_i].name, bad[_i].text);
	int rc = zone_load(path, "example.com", 3600, &z, &d);

	ck_assert_msg(rc == bad[_i].status, "%s: status %d, want %d (%s)",
	    bad[_i].name, rc, bad[_i].status, d.text);
	ck_assert_ptr_null(z);
	ck_assert_msg(strstr(d.text, bad[_i].message) != NULL,
	    "%s: message '%s' lacks '%s'", bad[_i].name, d.text, bad[_i].message);
	if (bad[_i].line > 0) {
		ck_assert_msg(d.line == bad[_i].line, "%s: line %lu, want %lu",
		    bad[_i].name, d.line, bad[_i].line);
		ck_assert_msg(strstr(d.file, bad[_i].name) != NULL, "%s: file '%s'",
		    bad[_i].name, d.file);
	}
}
END_TEST

START_TEST(test_zone_sorts_canonically_dedupes_and_marks_glue)
{
	struct zone *z = NULL;
	struct diag d;
	size_t n;
	const char *path = unit_write("order.valid", HEAD
	    "b A 192.0.2.2\nB A 192.0.2.2\nsub NS ns.sub\nns.sub A 192.0.2.9\n"
	    "sub DS 1 13 2 0000000000000000000000000000000000000000000000000000000000000000\n"
	    "a TXT \"x\"\n");
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	const struct zrr *rr = zone_records(z, &n);
	/* apex SOA NS, a TXT, b A (one of two), ns A, sub NS DS, ns.sub A */
	ck_assert_int_eq(n, 8);
	char owner[DNAME_TEXT_MAX];
	dname_format(rr[0].owner, owner, sizeof(owner));
	ck_assert_str_eq(owner, "example.com.");
	ck_assert_int_eq(rr[0].type, RRTYPE_NS);
	ck_assert_int_eq(rr[1].type, RRTYPE_SOA);
	ck_assert(rr[1].flags & ZRR_APEX);
	dname_format(rr[2].owner, owner, sizeof(owner));
	ck_assert_str_eq(owner, "a.example.com.");
	ck_assert_int_eq(rr[5].type, RRTYPE_NS);
	ck_assert(rr[5].flags & ZRR_AT_CUT);
	ck_assert(!zrr_is_authoritative(&rr[5]));
	ck_assert_int_eq(rr[6].type, RRTYPE_DS);
	ck_assert(zrr_is_authoritative(&rr[6]));
	ck_assert(rr[7].flags & ZRR_GLUE);
	ck_assert(!zrr_is_authoritative(&rr[7]));
	ck_assert_int_eq(zone_serial(z), 1);
	zone_free(z);
}
END_TEST

/* Records added after a finalize, fewer or more than those before, end up in canonical order. */
START_TEST(test_zone_sorts_appended_records_by_merging)
{
	static const size_t adds[] = { 3, 200 };

	for (size_t t = 0; t < sizeof(adds) / sizeof(adds[0]); t++) {
		struct zone *z = NULL;
		struct diag d;
		size_t n;
		uint8_t owner[DNAME_MAX_LENGTH];
		const char *path = unit_write("merge.valid", HEAD
		    "m A 192.0.2.1\nc A 192.0.2.2\nx A 192.0.2.3\n");

		ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
		size_t loaded;
		zone_records(z, &loaded);
		/* Owners in reverse order, interleaving with the loaded ones. */
		for (size_t i = adds[t]; i > 0; i--) {
			char text[64];
			uint8_t rd[4] = { 192, 0, 2, (uint8_t)i };
			snprintf(text, sizeof(text), "h%03zu.example.com.", i);
			ck_assert_int_eq(dname_parse(text, owner), 0);
			ck_assert_int_eq(zone_add(z, owner, RRTYPE_A, 60, rd, 4), 0);
		}
		ck_assert_int_eq(zone_finalize(z, &d), 0);
		const struct zrr *rr = zone_records(z, &n);
		ck_assert_uint_eq(n, loaded + adds[t]);
		for (size_t i = 1; i < n; i++)
			ck_assert_int_le(zrr_rrset_order(&rr[i - 1], &rr[i]), 0);
		zone_free(z);
	}
}
END_TEST

/*
 * A large zone in random order, with names that tie on their first octets,
 * differ only in case, or hold octets 0, 1 and 255: loaded in canonical
 * order (the keyed sort must agree with dname_compare), duplicates gone.
 */
START_TEST(test_zone_large_random_order_loads_in_canonical_order)
{
	static const char *const prefixes[] = {
		"h", "H", "long-common-prefix-", "Long-Common-Prefix-",
		"\\000", "\\001x", "\\255", "a.b.c.", "z.",
	};
	static const char *const suffixes[] = { "", ".x", "", ".deep", "", "", "", "", ".a.b.c" };
	enum { NAMES = 3000 };
	char (*lines)[96] = calloc(2 * NAMES, sizeof(*lines));
	char *text = calloc(2 * NAMES + 8, 96);
	unsigned seed = 20261129;
	struct zone *z = NULL;
	struct diag d;
	size_t n, len;

	ck_assert_ptr_nonnull(lines);
	ck_assert_ptr_nonnull(text);
	for (unsigned i = 0; i < NAMES; i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s%u%s", prefixes[i % 9],
		    (unsigned)rand_r(&seed) % 500, suffixes[i % 9]);
		snprintf(lines[2 * i], 96, "%s A 192.0.2.%u\n", name, i % 7);
		snprintf(lines[2 * i + 1], 96, "%s TXT \"%u\"\n", name, i % 3);
	}
	/* Shuffle (Fisher-Yates), then the zone file. */
	for (unsigned i = 2 * NAMES - 1; i > 0; i--) {
		unsigned j = (unsigned)rand_r(&seed) % (i + 1);
		char t[96];
		memcpy(t, lines[i], 96);
		memcpy(lines[i], lines[j], 96);
		memcpy(lines[j], t, 96);
	}
	len = (size_t)snprintf(text, 96 * 8, "%s", HEAD);
	for (unsigned i = 0; i < 2 * NAMES; i++)
		len += (size_t)snprintf(text + len, 96, "%s", lines[i]);
	ck_assert_int_eq(zone_load(unit_write("large.valid", text), "example.com.",
	    3600, &z, &d), 0);
	const struct zrr *rr = zone_records(z, &n);
	ck_assert_uint_gt(n, 1000);
	for (size_t i = 1; i < n; i++) {
		int c = dname_compare(rr[i - 1].owner, rr[i].owner);
		ck_assert_int_le(c, 0);
		if (c == 0) {
			ck_assert_ptr_eq(rr[i - 1].owner, rr[i].owner);
			ck_assert_uint_le(rr[i - 1].type, rr[i].type);
			/* Equal records were merged: no two alike. */
			ck_assert(rr[i - 1].type != rr[i].type ||
			    rr[i - 1].rdlen != rr[i].rdlen ||
			    memcmp(rr[i - 1].rdata, rr[i].rdata, rr[i].rdlen) != 0);
		}
	}
	zone_free(z);
	/* One record outside the zone among many: still found and named. */
	snprintf(text + len, 96, "www.example.net. A 192.0.2.1\n");
	ck_assert_int_eq(zone_load(unit_write("large.invalid", text), "example.com.",
	    3600, &z, &d), STATUS_ZONE_CONTENT);
	ck_assert_ptr_nonnull(strstr(d.text, "outside the zone"));
	free(lines);
	free(text);
}
END_TEST

/*
 * A file of one record per line, large enough to be read in parts: the
 * same records, lines and errors as reading it whole.
 */
START_TEST(test_zone_load_lines_equals_zone_load)
{
	enum { NAMES = 200000 };   /* about 26 MB: three parts */
	FILE *f;
	char path[300];
	struct zone *a = NULL, *b = NULL;
	struct diag d;
	size_t na, nb;

	snprintf(path, sizeof(path), "%s/lines.zone", unit_dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "example.com. 300 IN SOA ns.example.com. h.example.com. 1 2 3 4 5\n"
	    "example.com. 300 IN NS ns.example.com.\n"
	    "ns.example.com. 300 IN A 192.0.2.1\n");
	for (unsigned i = 0; i < NAMES; i++)
		fprintf(f, "h%06u.example.com. 300 IN TXT \"%u some text to make "
		    "the line longer than the others are\"\n"
		    "h%06u.example.com. 300 IN A 192.0.2.%u\n", i, i, i, i % 250);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &a, &d), 0);
	ck_assert_int_eq(zone_load_lines(path, "example.com.", 3600, 2, &b, &d), 0);
	const struct zrr *ra = zone_records(a, &na), *rb = zone_records(b, &nb);
	ck_assert_uint_eq(na, nb);
	ck_assert_uint_eq(na, 3 + 2 * NAMES);
	for (size_t i = 0; i < na; i++) {
		ck_assert(dname_equal(ra[i].owner, rb[i].owner));
		ck_assert_uint_eq(ra[i].type, rb[i].type);
		ck_assert_uint_eq(ra[i].ttl, rb[i].ttl);
		ck_assert_uint_eq(ra[i].line, rb[i].line);
		ck_assert_uint_eq(ra[i].rdlen, rb[i].rdlen);
		ck_assert_mem_eq(ra[i].rdata, rb[i].rdata, ra[i].rdlen);
	}
	ck_assert_str_eq(zone_file_name(b, rb[na - 1].file), path);
	zone_free(a);
	zone_free(b);
	/* A bad line far into the file: the same file and line either way. */
	ck_assert_ptr_nonnull(f = fopen(path, "a"));
	fprintf(f, "bad.example.com. 300 IN A 192.0.2\n");
	ck_assert_int_eq(fclose(f), 0);
	struct diag da, db;
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &a, &da), STATUS_SYNTAX);
	ck_assert_int_eq(zone_load_lines(path, "example.com.", 3600, 2, &b, &db),
	    STATUS_SYNTAX);
	ck_assert_uint_eq(da.line, 3 + 2 * NAMES + 1);
	ck_assert_uint_eq(db.line, da.line);
	ck_assert_str_eq(db.file, da.file);
}
END_TEST

/* Gaps opened after RRsets take records that end up in canonical order without a sort. */
START_TEST(test_zone_open_gaps_places_records_after_their_rrsets)
{
	struct zone *z = NULL;
	struct diag d;
	struct zrr *slots;
	struct arena store;
	size_t n, starts[8], nsets = 0;
	uint8_t gaps[8];
	const char *path = unit_write("gaps.valid", HEAD
	    "a A 192.0.2.1\nb A 192.0.2.2\nb TXT \"t\"\n");

	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	const struct zrr *rr = zone_records(z, &n);
	for (size_t i = 0; i < n; i = zone_rrset_end(z, i)) {
		ck_assert_uint_lt(nsets, 8);
		starts[nsets] = i;
		gaps[nsets++] = (uint8_t)(rr[i].type == RRTYPE_A ? 2 : 1);
	}
	ck_assert_int_eq(zone_open_gaps(z, starts, gaps, nsets, &slots), 0);
	arena_init(&store);
	for (size_t j = 0; j < nsets; j++) {
		size_t e = zone_rrset_end(z, starts[j]);
		for (size_t k = 0; k < gaps[j]; k++) {
			/* An RRSIG-shaped rdata: covered type, then a distinct byte. */
			uint8_t *rd = arena_alloc(&store, 3);
			const struct zrr *set = &slots[starts[j]];
			ck_assert_ptr_null(slots[e + k].owner);
			rd[0] = (uint8_t)(set->type >> 8);
			rd[1] = (uint8_t)set->type;
			rd[2] = (uint8_t)k;
			slots[e + k] = (struct zrr){ .owner = set->owner, .rdata = rd,
			    .ttl = set->ttl, .type = RRTYPE_RRSIG, .rdlen = 3 };
		}
	}
	zone_take_storage(z, &store);
	ck_assert_int_eq(zone_finalize(z, &d), 0);
	size_t total;
	rr = zone_records(z, &total);
	size_t want = n;
	for (size_t j = 0; j < nsets; j++)
		want += gaps[j];
	ck_assert_uint_eq(total, want);
	for (size_t i = 0; i < total; i++) {
		if (i > 0)
			ck_assert_int_le(zrr_rrset_order(&rr[i - 1], &rr[i]), 0);
		if (rr[i].type == RRTYPE_RRSIG) {
			/* Right after the RRset it covers, or after its sibling signature. */
			const struct zrr *before = &rr[i - 1];
			uint16_t covered = (uint16_t)(rr[i].rdata[0] << 8 | rr[i].rdata[1]);
			ck_assert(before->owner == rr[i].owner);
			ck_assert(before->type == covered || before->type == RRTYPE_RRSIG);
		}
	}
	zone_free(z);
}
END_TEST

/* Records far longer than usual (TLSA of 30 KB, in hex twice that) are written whole. */
START_TEST(test_zone_write_long_records)
{
	struct zone *z = NULL;
	struct diag d;
	static uint8_t rd[30000];
	uint8_t owner[DNAME_MAX_LENGTH];
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	const char *path = unit_write("long.valid", HEAD);

	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	ck_assert_int_eq(dname_parse("_25._tcp.mail.example.com.", owner), 0);
	for (int i = 0; i < 60; i++) {
		rd[0] = 3;
		rd[1] = 1;
		rd[2] = 1;
		memset(rd + 3, i, sizeof(rd) - 3);
		ck_assert_int_eq(zone_add(z, owner, RRTYPE_TLSA, 300, rd,
		    sizeof(rd)), 0);
	}
	ck_assert_int_eq(zone_finalize(z, &d), 0);
	f = open_memstream(&text, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(zone_write(z, f, 2, NULL), 0);
	fclose(f);
	/* Each TLSA line holds its 29997 bytes of data as 59994 hex digits. */
	size_t lines = 0;
	for (char *l = text; (l = strstr(l, "\tTLSA\t")) != NULL; l++, lines++) {
		char *nl = strchr(l, '\n');
		ck_assert_ptr_nonnull(nl);
		ck_assert_uint_eq((size_t)(nl - l), strlen("\tTLSA\t3 1 1 ") + 59994);
	}
	ck_assert_uint_eq(lines, 60);
	free(text);
	zone_free(z);
}
END_TEST

START_TEST(test_zone_unifies_rrset_ttl_with_warning)
{
	struct zone *z = NULL;
	struct diag d;
	size_t n;
	const char *path = unit_write("ttl.valid", HEAD "www 60 A 192.0.2.1\nwww 120 A 192.0.2.2\n");

	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	const struct zrr *rr = zone_records(z, &n);
	ck_assert_int_eq(rr[n - 1].ttl, 60);
	ck_assert_int_eq(rr[n - 2].ttl, 60);
	ck_assert_int_eq(zone_warning_count(z), 1);
	ck_assert_int_eq(zone_warning(z, 0)->line, 7);
	zone_free(z);
}
END_TEST

START_TEST(test_zone_include_reports_included_file_and_line)
{
	struct zone *z = NULL;
	struct diag d;

	unit_write("inc.zone", "x A 192.0.2.7\ny A 192.0.2\n");
	const char *path = unit_write("main.zone", HEAD "$INCLUDE inc.zone\n");
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d),
	    STATUS_SYNTAX);
	ck_assert_msg(strstr(d.file, "inc.zone") != NULL, "file %s", d.file);
	ck_assert_int_eq(d.line, 2);
}
END_TEST

START_TEST(test_serial_policies_never_go_backwards)
{
	ck_assert_uint_eq(serial_next(SERIAL_INCREMENT, 41, 0), 42);
	ck_assert_uint_eq(serial_next(SERIAL_INCREMENT, 0xffffffffu, 0), 0);
	ck_assert_uint_eq(serial_next(SERIAL_KEEP, 7, 1795305600), 7);
	ck_assert_uint_eq(serial_next(SERIAL_UNIXTIME, 7, 1795305600), 1795305600u);
	ck_assert_uint_eq(serial_next(SERIAL_UNIXTIME, 1795305600u, 1795305600), 1795305601u);
	ck_assert_uint_eq(serial_next(SERIAL_DATESERIAL, 2026010100, 1795305600), 2026112200u);
	ck_assert_uint_eq(serial_next(SERIAL_DATESERIAL, 2026112205, 1795305600), 2026112206u);
	ck_assert(serial_is_greater(1, 0xffffffffu));
	ck_assert(!serial_is_greater(0xffffffffu, 1));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("zone");
	TCase *tc = tcase_create("core");

	/* Unchecked: runs in the parent, so the folder goes even when a test fails. */
	tcase_add_unchecked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	/* The large zones take seconds on a busy shared machine (Check's default is 4 s). */
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_zone_rejects_rule_breakers_with_file_and_line,
	    0, (int)(sizeof(bad) / sizeof(bad[0])));
	tcase_add_test(tc, test_zone_sorts_canonically_dedupes_and_marks_glue);
	tcase_add_test(tc, test_zone_unifies_rrset_ttl_with_warning);
	tcase_add_test(tc, test_zone_sorts_appended_records_by_merging);
	tcase_add_test(tc, test_zone_large_random_order_loads_in_canonical_order);
	tcase_add_test(tc, test_zone_load_lines_equals_zone_load);
	tcase_add_test(tc, test_zone_write_long_records);
	tcase_add_test(tc, test_zone_open_gaps_places_records_after_their_rrsets);
	tcase_add_test(tc, test_zone_include_reports_included_file_and_line);
	tcase_add_test(tc, test_serial_policies_never_go_backwards);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
