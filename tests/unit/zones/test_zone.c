/* Unit tests for zones/zone: loading master files, canonical order, and the zone rules. */
#include <check.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/arena.h"
#include "common/fileio.h"
#include "common/status.h"
#include "zones/dname.h"
#include "zones/serial.h"
#include "zones/zone.h"
#include "zones/zones_internal.h"
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
	/* Two errors: the first in canonical order is the one given (names are checked in parts). */
	{ "first_error_in_order.invalid", HEAD "zz DS 1 13 2 "
	  "0000000000000000000000000000000000000000000000000000000000000000\n"
	  "www CNAME ns\nwww A 192.0.2.2\n",
	  "CNAME and other data", STATUS_ZONE_CONTENT, 8 },
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

START_TEST(test_zrr_mx_host_names_only_real_hosts)
{
	struct zone *z = NULL;
	struct diag d;
	size_t n, hosts = 0;
	static const uint8_t short_mx[2] = { 0, 10 };
	static const uint8_t cut_name[4] = { 0, 10, 5, 'a' };
	const char *path = unit_write("mx.valid", HEAD
	    "@ MX 10 mail\nsub MX 20 mx.other.example.\nnull MX 0 .\n"
	    "mail A 192.0.2.25\n");

	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	/* Rdata too short to hold a name, or a name cut off (records not read from a file). */
	ck_assert_int_eq(zone_add(z, zone_origin(z), RRTYPE_MX, 60, short_mx,
	    sizeof(short_mx)), 0);
	ck_assert_int_eq(zone_add(z, zone_origin(z), RRTYPE_MX, 60, cut_name,
	    sizeof(cut_name)), 0);
	ck_assert_int_eq(zone_finalize(z, &d), 0);
	const struct zrr *rr = zone_records(z, &n);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *host = zrr_mx_host(&rr[i]);
		char text[DNAME_TEXT_MAX];
		if (host == NULL)
			continue;
		hosts++;
		dname_format(host, text, sizeof(text));
		ck_assert_msg(strcmp(text, "mail.example.com.") == 0 ||
		    strcmp(text, "mx.other.example.") == 0, "%s", text);
	}
	ck_assert_uint_eq(hosts, 2);
	zone_free(z);
}
END_TEST

/*
 * Records added after a finalize, fewer or more than those before, in
 * order or not, end up in canonical order: merged by gallop (a few into
 * many) or by keys (many), with names whose keys tie (a long common
 * prefix) or not.
 */
START_TEST(test_zone_sorts_appended_records_by_merging)
{
	static const struct { size_t base, adds; bool sorted; } cases[] = {
		{ 0, 3, false }, { 0, 200, false }, { 400, 3, false },
		{ 400, 200, false }, { 400, 200, true }, { 400, 3, true },
	};

	for (size_t t = 0; t < sizeof(cases) / sizeof(cases[0]); t++) {
		struct zone *z = NULL;
		struct diag d;
		size_t n, len, loaded;
		uint8_t owner[DNAME_MAX_LENGTH];
		char *text = malloc(64 * (cases[t].base + 8));

		ck_assert_ptr_nonnull(text);
		len = (size_t)sprintf(text, "%s", HEAD
		    "m A 192.0.2.1\nc A 192.0.2.2\nx A 192.0.2.3\n");
		for (size_t i = 0; i < cases[t].base; i++)
			len += (size_t)sprintf(text + len, "%s%03zu A 192.0.2.4\n",
			    i % 2 ? "h" : "long-common-", i);
		ck_assert_int_eq(zone_load(unit_write("merge.valid", text),
		    "example.com.", 3600, &z, &d), 0);
		zone_records(z, &loaded);
		/* Owners in reverse order, interleaving with the loaded ones. */
		for (size_t k = cases[t].adds; k > 0; k--) {
			char name[64];
			size_t i = cases[t].sorted ? cases[t].adds + 1 - k : k;
			uint8_t rd[4] = { 198, 51, 100, (uint8_t)i };
			/* In order, the names are too (h... after long-common-...). */
			snprintf(name, sizeof(name), "%s%03zu.example.com.",
			    cases[t].sorted ? (i <= cases[t].adds / 2 ?
			    "long-common-" : "h") : i % 3 ? "h" : "long-common-", i);
			ck_assert_int_eq(dname_parse(name, owner), 0);
			ck_assert_int_eq(zone_add(z, owner, RRTYPE_A, 60, rd, 4), 0);
		}
		ck_assert_int_eq(zone_finalize(z, &d), 0);
		const struct zrr *rr = zone_records(z, &n);
		ck_assert_uint_eq(n, loaded + cases[t].adds);
		for (size_t i = 1; i < n; i++)
			ck_assert_int_le(zrr_order(&rr[i - 1], &rr[i]), 0);
		zone_free(z);
		free(text);
	}
}
END_TEST

/*
 * A large zone in random order, with names that tie on their first octets,
 * differ only in case, or hold octets 0, 1 and 255: loaded in canonical
 * order (the keyed sort must agree with dname_compare), duplicates gone.
 * The file holds blocks of one owner's records, out of type and rdata
 * order, and names come back in several blocks (the sort keys runs of
 * one owner, then orders the records of each name).
 */
START_TEST(test_zone_large_random_order_loads_in_canonical_order)
{
	static const char *const prefixes[] = {
		"h", "H", "long-common-prefix-", "Long-Common-Prefix-",
		"\\000", "\\001x", "\\255", "a.b.c.", "z.",
	};
	static const char *const suffixes[] = { "", ".x", "", ".deep", "", "", "", "", ".a.b.c" };
	enum { NAMES = 3000, BLOCK = 200 };
	char (*blocks)[BLOCK] = calloc(NAMES, sizeof(*blocks));
	char *text = calloc(NAMES + 1, BLOCK);
	unsigned seed = 20261129;
	struct zone *z = NULL;
	struct diag d;
	size_t n, len;

	ck_assert_ptr_nonnull(blocks);
	ck_assert_ptr_nonnull(text);
	for (unsigned i = 0; i < NAMES; i++) {
		char name[64];
		unsigned v = (unsigned)rand_r(&seed) % 200;
		snprintf(name, sizeof(name), "%s%u%s", prefixes[i % 9],
		    (unsigned)rand_r(&seed) % 50, suffixes[i % 9]);
		/* TXT before A, the larger address first; the owner once. */
		snprintf(blocks[i], BLOCK, "%s TXT \"%u\"\n A 192.0.2.%u\n"
		    " A 192.0.2.%u\n", name, i % 3, v + 50, i % 7);
	}
	/* Shuffle the blocks (Fisher-Yates), then the zone file. */
	for (unsigned i = NAMES - 1; i > 0; i--) {
		unsigned j = (unsigned)rand_r(&seed) % (i + 1);
		char t[BLOCK];
		memcpy(t, blocks[i], BLOCK);
		memcpy(blocks[i], blocks[j], BLOCK);
		memcpy(blocks[j], t, BLOCK);
	}
	len = (size_t)snprintf(text, BLOCK, "%s", HEAD);
	for (unsigned i = 0; i < NAMES; i++)
		len += (size_t)snprintf(text + len, BLOCK, "%s", blocks[i]);
	ck_assert_int_eq(zone_load(unit_write("large.valid", text), "example.com.",
	    3600, &z, &d), 0);
	const struct zrr *rr = zone_records(z, &n);
	ck_assert_uint_gt(n, 3000);
	for (size_t i = 1; i < n; i++) {
		int c = dname_compare(rr[i - 1].owner, rr[i].owner);
		ck_assert_int_le(c, 0);
		if (c == 0) {
			ck_assert_ptr_eq(rr[i - 1].owner, rr[i].owner);
			ck_assert_uint_le(rr[i - 1].type, rr[i].type);
			/* In rdata order, equal records merged: no two alike. */
			if (rr[i - 1].type == rr[i].type)
				ck_assert_int_lt(rdata_compare(rr[i].type,
				    rr[i - 1].rdata, rr[i - 1].rdlen, rr[i].rdata,
				    rr[i].rdlen), 0);
		}
	}
	zone_free(z);
	/* One record outside the zone among many: still found and named. */
	snprintf(text + len, BLOCK, "www.example.net. A 192.0.2.1\n");
	ck_assert_int_eq(zone_load(unit_write("large.invalid", text), "example.com.",
	    3600, &z, &d), STATUS_ZONE_CONTENT);
	ck_assert_ptr_nonnull(strstr(d.text, "outside the zone"));
	free(blocks);
	free(text);
}
END_TEST

/* An as_written for zone_load_lines: true, and counts its calls. */
static bool
count_true(void *arg)
{
	(*(unsigned *)arg)++;
	return true;
}

/* The records of a and b alike: bytes, flags, lines, shared owners, SOA. */
static void
same_records(const struct zone *a, const struct zone *b)
{
	size_t na, nb;
	const struct zrr *x = zone_records(a, &na), *y = zone_records(b, &nb);

	ck_assert_uint_eq(na, nb);
	ck_assert_int_eq(zone_soa(a) - x, zone_soa(b) - y);
	for (size_t i = 0; i < na; i++) {
		ck_assert_uint_eq(dname_length(x[i].owner), dname_length(y[i].owner));
		ck_assert_mem_eq(x[i].owner, y[i].owner, dname_length(x[i].owner));
		ck_assert_uint_eq(x[i].ttl, y[i].ttl);
		ck_assert_uint_eq(x[i].type, y[i].type);
		ck_assert_uint_eq(x[i].rdlen, y[i].rdlen);
		ck_assert_mem_eq(x[i].rdata, y[i].rdata, x[i].rdlen);
		ck_assert_uint_eq(x[i].flags, y[i].flags);
		ck_assert_uint_eq(x[i].line, y[i].line);
		ck_assert_str_eq(zone_file_name(a, x[i].file),
		    zone_file_name(b, y[i].file));
		if (i > 0)
			ck_assert_int_eq(x[i].owner == x[i - 1].owner,
			    y[i].owner == y[i - 1].owner);
	}
}

/*
 * z written (canonical order), read back taken as written and read back
 * checked: the same records, flags, names shared and SOA; asked once.
 */
static void
as_written_same(const struct zone *z)
{
	char path[300];
	struct zone *checked = NULL, *taken = NULL;
	unsigned asked = 0;
	struct diag d;
	size_t n, nc;
	FILE *f;

	snprintf(path, sizeof(path), "%s/as-written.zone", unit_dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(zone_write(z, f, 2, NULL, NULL, NULL), 0);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(zone_load_lines(path, "example.com.", 3600, 2, NULL,
	    NULL, &checked, &d), 0);
	ck_assert_int_eq(zone_load_lines(path, "example.com.", 3600, 2,
	    count_true, &asked, &taken, &d), 0);
	ck_assert_uint_eq(asked, 1);
	(void)zone_records(z, &n);
	(void)zone_records(checked, &nc);
	ck_assert_uint_eq(nc, n);
	same_records(checked, taken);
	zone_free(checked);
	zone_free(taken);
}

/* path read whole and in parts of part_bytes: the same answer; were parts used? */
static bool
parts_same_as_whole(const char *path, size_t part_bytes, int want_rc)
{
	struct zone *a = NULL, *b = NULL;
	struct diag da, db;
	bool whole, in_parts;

	int rc = zone_load_parts(path, "example.com.", 3600, 1u << 30, 2,
	    &whole, &a, &da);
	ck_assert_msg(rc == want_rc, "read whole: %d, %s:%lu: %s", rc, da.file,
	    (unsigned long)da.line, da.text);
	ck_assert(!whole);
	ck_assert_int_eq(zone_load_parts(path, "example.com.", 3600, part_bytes,
	    2, &in_parts, &b, &db), want_rc);
	if (want_rc != 0) {
		ck_assert(!in_parts);
		ck_assert_str_eq(db.file, da.file);
		ck_assert_uint_eq(db.line, da.line);
		ck_assert_str_eq(db.text, da.text);
		return in_parts;
	}
	same_records(a, b);
	ck_assert_uint_eq(zone_warning_count(b), zone_warning_count(a));
	zone_free(a);
	zone_free(b);
	return in_parts;
}

/* A zone as people write it: directives and a SOA over several lines at the head. */
static const char *
write_plain_zone(const char *name, const char *first, const char *extra)
{
	static char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", unit_dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	if (first != NULL)
		fputs(first, f);
	fprintf(f, "; the head\n$ORIGIN example.com.\n$TTL 300\n"
	    "@\tIN\tSOA\tns hostmaster (\n\t\t2026112201 ; serial\n"
	    "\t\t7200 3600 1209600 300 )\n\tNS\tns\nns\tA\t192.0.2.1\n"
	    "$ORIGIN sub.example.com.\n$TTL 120\n");
	for (unsigned i = 0; i < 3000; i++) {
		/* Relative owners and names, under the head's last origin and TTL. */
		fprintf(f, "h%u\tA\t192.0.2.%u\n", i, i % 250);
		/* A blank owner: the line before's; often where a part would begin. */
		if (i % 3 == 0)
			fprintf(f, "\tAAAA\t2001:db8::%x\n \t60 TXT \"a;b \\\"c\\\" %u\"\n",
			    i, i);
		if (i % 7 == 0)
			fprintf(f, "; a comment\n\n   ; and one after blanks\n");
		if (i % 11 == 0)
			fprintf(f, "d%u 3600 IN NS ns1.provider.example.\n"
			    "d%u DS 12345 13 2 %064x\n", i, i, i);
		/* The writer's own form (the fast reader's), absolute names. */
		if (i % 13 == 0)
			fprintf(f, "w%u.example.com.\t300\tIN\tA\t192.0.2.9\n"
			    "w%u.example.com.\t300\tIN\tA\t192.0.2.10\n", i, i);
		/* A TTL other than the RRset's first: a warning either way. */
		if (i % 500 == 0)
			fprintf(f, "h%u 99 A 192.0.2.251\n", i);
		if (i == 1500 && extra != NULL)
			fputs(extra, f);
	}
	fprintf(f, "@ MX 10 h1\n*.wild\tA\t192.0.2.80");    /* no newline at the end */
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

/*
 * A large plain master file is read in parts (each part as the general
 * parser would read it, knowing the head's origin and TTL); anything that
 * could make a part read otherwise alone sends it to the general parser
 * whole, whose errors are the ones given.
 */
START_TEST(test_zone_load_parts_equals_whole)
{
	static const struct { const char *extra; int rc; bool parts; } cases[] = {
		{ NULL, 0, true },
		{ "h9 TXT \"a (parenthesis) in a string\"\n", 0, false },
		{ "; a (parenthesis) in a comment\n", 0, false },
		{ "$TTL 60\n", 0, false },
		{ "$ORIGIN other.example.com.\n", 0, false },
		{ "e1 TXT \"an escaped \\\n line end\"\n", STATUS_SYNTAX, false },
		{ "x TYPE65534 \\# 0\nbad NOTATYPE 1\n", STATUS_SYNTAX, false },
		{ "out.example.net. A 192.0.2.1\n", STATUS_ZONE_CONTENT, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = write_plain_zone("plain.zone", NULL,
		    cases[i].extra);
		/* Parts of a few hundred bytes: about 32 of them. */
		ck_assert_msg(parts_same_as_whole(path, 4096, cases[i].rc) ==
		    cases[i].parts, "case %zu", i);
	}
	/* An $INCLUDE at the head: read whole (it reads the file it names). */
	char inc[400];
	snprintf(inc, sizeof(inc), "$INCLUDE %s/inc.zone\n", unit_dir);
	unit_write("inc.zone", "ns2 A 192.0.2.2\n");
	ck_assert(!parts_same_as_whole(write_plain_zone("plain.zone", inc, NULL),
	    4096, 0));
}
END_TEST

/*
 * A file of one record per line, large enough to be read in parts: the
 * same records, lines and errors as reading it whole.
 */
START_TEST(test_zone_load_lines_equals_zone_load)
{
	enum { NAMES = 100000 };   /* about 32 MB: four parts */
	FILE *f;
	char path[300];
	struct zone *a = NULL, *b = NULL;
	struct diag d;
	size_t na;

	snprintf(path, sizeof(path), "%s/lines.zone", unit_dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "example.com. 300 IN SOA ns.example.com. h.example.com. 1 2 3 4 5\n"
	    "example.com. 300 IN NS ns.example.com.\n"
	    "ns.example.com. 300 IN A 192.0.2.1\n");
	for (unsigned i = 0; i < NAMES; i++) {
		/* Lines without a record: each part has fewer records than lines. */
		if (i % 997 == 0)
			fprintf(f, "; names from %u\n\n", i);
		/* A name's lines in the writer's form: its owner is read once. */
		if (i % 100 == 0)
			fprintf(f, "t%06u.example.com.\t300\tIN\tA\t192.0.2.1\n"
			    "t%06u.example.com.\t300\tIN\tRRSIG\tA 13 3 300 "
			    "20261222000000 20261122000000 %u example.com. "
			    "AAECAwQF\n", i, i, i % 65536);
		fprintf(f, "h%06u.example.com. 300 IN TXT \"%u some text to make "
		    "the line longer than the others are\"\n"
		    "h%06u.example.com. 300 IN A 192.0.2.%u\n"
		    "h%06u.example.com.\t300\tIN\tRRSIG\tA 13 3 300 "
		    "20261222000000 20261122000000 %u example.com. "
		    "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"
		    "MDEyMzQ1Njc4OTo7PD0+P0BBQkM=\n", i, i, i, i % 250, i, i % 65536);
	}
	/*
	 * RRSIG lines the fast reader takes (case, a wildcard, TTL 0, a leap
	 * day, short signatures) and others it leaves to the general parser
	 * (a type by number, leading zeros, base64 that is not canonical, a
	 * signer with an escape, spaces): the same records either way.
	 */
	fprintf(f, "H1.Example.COM.\t0\tIN\tRRSIG\tTXT 8 3 0 20280229000000 "
	    "19700101000000 0 Example.COM. AA==\n"
	    "*.w.example.com.\t60\tIN\tRRSIG\tMX 15 2 60 21060207062815 "
	    "20261122000000 65535 example.com. AAE=\n"
	    "t1.example.com.\t60\tIN\tRRSIG\tTYPE65000 13 2 60 20261222000000 "
	    "20261122000000 1 example.com. AAEC\n"
	    "t2.example.com.\t60\tIN\tRRSIG\tTYPE1 013 2 60 20261222000000 "
	    "20261122000000 1 example.com. AB==\n"
	    "t3.example.com.\t60\tIN\tRRSIG\tA 13 2 60 20261222000000 "
	    "20261122000000 1 ex\\097mple.com. AAEC\n"
	    "t4.example.com. 60 IN RRSIG A 13 2 60 20261222000000 "
	    "20261122000000 1 example.com. AAEC\n");
	/*
	 * The other types the fast reader takes, in the writer's form and
	 * at their edges, and near misses of that form it leaves alone
	 * (leading zeros, upper-case hex, types out of order or by number,
	 * a relative name, a blank at the end): the same records either way.
	 */
	fprintf(f, "n1.example.com.\t300\tIN\tNS\tNs.Example.COM.\n"
	    "n1.example.com.\t300\tIN\tDS\t65535 255 255 00ff\n"
	    "n1.example.com.\t300\tIN\tDS\t0 13 2 DEADbeef\n"
	    "n2.example.com.\t300\tIN\tNS\tns.example.com\n"
	    "n3.example.com.\t300\tIN\tNS\tns.example.com. \n"
	    "a1.example.com.\t0\tIN\tA\t0.0.0.0\n"
	    "a2.example.com.\t2147483647\tIN\tA\t255.255.255.255\n"
	    "a4.example.com.\t300\tIN\tAAAA\t::\n"
	    "a5.example.com.\t300\tIN\tAAAA\t::ffff:192.0.2.1\n"
	    "a6.example.com.\t300\tIN\tAAAA\t2001:db8:1:86a2::53\n"
	    "a7.example.com.\t300\tIN\tAAAA\t2001:DB8::1\n"
	    "a8.example.com.\t300\tIN\tAAAA\t"
	    "0000:0000:0000:0000:0000:ffff:255.255.255.255\n"
	    "c.example.com.\t300\tIN\tCNAME\t*.w.example.com.\n"
	    "m.example.com.\t300\tIN\tMX\t0 m.example.com.\n"
	    "m.example.com.\t300\tIN\tMX\t65535 mail.example.com.\n"
	    "m.example.com.\t300\tIN\tMX\t010 x.example.com.\n"
	    "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example.com.\t300\tIN\tNSEC3\t"
	    "1 1 0 - 2t7b4g4vsa5smi47k61mv5bv1a22bojr NS DS RRSIG\n"
	    "2t7b4g4vsa5smi47k61mv5bv1a22bojr.example.com.\t300\tIN\tNSEC3\t"
	    "1 0 65535 aabbccdd 35MTHGPGCU1QG68FAB165KLNSNK3DPVL "
	    "A NS SOA MX TXT AAAA RRSIG DNSKEY NSEC3PARAM CAA\n"
	    "35mthgpgcu1qg68fab165klnsnk3dpvl.example.com.\t300\tIN\tNSEC3\t"
	    "1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom\n"
	    "q1.example.com.\t300\tIN\tNSEC3\t"
	    "1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom NS A\n"
	    "q2.example.com.\t300\tIN\tNSEC3\t"
	    "1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A TYPE65000\n"
	    "q3.example.com.\t300\tIN\tNSEC3\t"
	    "1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A A\n");
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_msg(zone_load(path, "example.com.", 3600, &a, &d) == 0,
	    "%s:%lu: %s", d.file, (unsigned long)d.line, d.text);
	ck_assert_msg(zone_load_lines(path, "example.com.", 3600, 2, NULL, NULL, &b,
	    &d) == 0,
	    "%s:%lu: %s", d.file, (unsigned long)d.line, d.text);
	const struct zrr *rb = zone_records(b, &na);
	ck_assert_uint_eq(na, 3 + 3 * NAMES + 2 * (NAMES / 100) + 6 + 22);
	same_records(a, b);
	ck_assert_str_eq(zone_file_name(b, rb[na - 1].file), path);
	zone_free(b);
	as_written_same(a);
	zone_free(a);
	/* A bad line far into the file: the same file and line either way. */
	ck_assert_ptr_nonnull(f = fopen(path, "a"));
	fprintf(f, "bad.example.com. 300 IN A 192.0.2\n");
	ck_assert_int_eq(fclose(f), 0);
	struct diag da, db;
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &a, &da), STATUS_SYNTAX);
	ck_assert_int_eq(zone_load_lines(path, "example.com.", 3600, 2, NULL, NULL, &b,
	    &db),
	    STATUS_SYNTAX);
	ck_assert_uint_eq(da.line, 3 + 3 * NAMES + 2 * (NAMES / 100) +
	    2 * (NAMES / 997 + 1) + 6 + 22 + 1);
	ck_assert_uint_eq(db.line, da.line);
	ck_assert_str_eq(db.file, da.file);
}
END_TEST

/*
 * A backslash before a line end escapes it: the record goes on to the
 * next line, which the lines reader (one record a line) refuses rather
 * than read otherwise than zone_load; an escaped backslash ends the line.
 */
START_TEST(test_lines_reader_refuses_escaped_line_ends)
{
	static const char escaped[] = "example.com.\tSOA\tn m 1 7 3 0 0\n"
	    "\tNS\t\\\n\n"
	    "example.com.\t3\tIN\tNS\tm.\n";
	static const char ends[] = "example.com.\tSOA\tn m 1 7 3 0 0\n"
	    "\tNS\ta\\\\\n"
	    "example.com.\t3\tIN\tNS\tm.\n";
	struct zone *a = NULL, *b = NULL;
	struct diag d;
	size_t na, nb;

	ck_assert_int_eq(zone_load(unit_write("escaped.valid", escaped),
	    "example.com.", 3600, &a, &d), 0);
	zone_free(a);
	ck_assert_int_eq(zone_load_lines_buffer(escaped, strlen(escaped),
	    "escaped", "example.com.", 3600, false, &b, &d), STATUS_SYNTAX);
	ck_assert_uint_eq(d.line, 2);
	ck_assert_ptr_nonnull(strstr(d.text, "escaped line end"));
	ck_assert_int_eq(zone_load(unit_write("ends.valid", ends),
	    "example.com.", 3600, &a, &d), 0);
	ck_assert_int_eq(zone_load_lines_buffer(ends, strlen(ends), "ends",
	    "example.com.", 3600, false, &b, &d), 0);
	const struct zrr *ra = zone_records(a, &na), *rb = zone_records(b, &nb);
	ck_assert_uint_eq(na, 3);
	ck_assert_uint_eq(nb, na);
	for (size_t i = 0; i < na; i++) {
		ck_assert_uint_eq(ra[i].line, rb[i].line);
		ck_assert_uint_eq(ra[i].rdlen, rb[i].rdlen);
		ck_assert_mem_eq(ra[i].rdata, rb[i].rdata, ra[i].rdlen);
	}
	zone_free(a);
	zone_free(b);
}
END_TEST

/* Lines exactly as the writer makes them are read by hand; others are not. */
START_TEST(test_fastline_reads_only_the_writers_lines)
{
	static const char *const other[] = {
		"h.example.com.\t300\tIN\tTXT\t\"v=spf1 -all\"\n",
		"h.example.com.\t300\tIN\tA\t192.0.2.01\n",
		"h.example.com.\t300\tIN\tA\t192.0.2\n",
		"h.example.com.\t300\tIN\tA\t192.0.2.1.\n",
		"h.example.com.\t300\tIN\tA\t192.0.2.256\n",
		"h.example.com.\t300\tIN\tAAAA\t2001:DB8::1\n",
		"h.example.com.\t300\tIN\tAAAA\t2001:db8::1::2\n",
		"h.example.com.\t300\tIN\tNS\tns.example.com\n",
		"h.example.com.\t300\tIN\tNS\tns\\.x.example.com.\n",
		"h.example.com.\t300\tIN\tNS\t.\n",
		"h.example.com.\t300\tIN\tMX\t65536 m.example.com.\n",
		"h.example.com.\t300\tIN\tDS\t1 13 2 abc\n",
		"h.example.com.\t300\tIN\tDS\t1 13 2 \n",
		"h.example.com.\t300\tIN\tDS\t1 13 2 ab cd\n",
		"h.example.com.\t300\tIN\tNSEC3\t1 0 0 - 0p9mhave NS A\n",
		"h.example.com.\t300\tIN\tNSEC3\t1 0 0 - 0p9mhave A A\n",
		"h.example.com.\t300\tIN\tNSEC3\t1 0 0 - 0p9mhave A TYPE65000\n",
		"h.example.com.\t300\tIN\tNSEC3\t1 0 0 - 0p9mhav A\n",
		"h.example.com.\t300\tIN\tNSEC3\t1 0 0 abc 0p9mhave A\n",
		"h.example.com.\t300\tIN\tNSEC3\t1 0 0 -- 0p9mhave A\n",
		"h.example.com.\t300\tIN\tNSEC3\t1 0 0 - 0p9mhave A \n",
		"h.example.com.\t300\tIN\tNSEC3\t1 0 0 - 0p9mhave\tA\n",
		"h.example.com. 300 IN A 192.0.2.1\n",
		"h.example.com.\t300\tIN\tA 192.0.2.1\n",
		"h.example.com.\t300\tIN\tRRSIG\tTYPE1 13 3 300 20261222000000 20261122000000 1 example.com. AAEC\n",
		"h.example.com.\t300\tIN\tRRSIG\tA 013 3 300 20261222000000 20261122000000 1 example.com. AAEC\n",
		"h.example.com.\t300\tIN\tRRSIG\tA 13 3 300 20260231000000 20261122000000 1 example.com. AAEC\n",
		"h.example.com.\t300\tIN\tRRSIG\tA 13 3 300 21060207062816 20261122000000 1 example.com. AAEC\n",
		"h.example.com.\t300\tIN\tRRSIG\tA 13 3 300 20261222000000 20261122000000 1 example.com. AB==\n",
		"h.example.com.\t300\tIN\tRRSIG\tA 13 3 300 20261222000000 20261122000000 1 example.com. AAE\n",
		"h.example.com.\t300\tIN\tRRSIG\tA 13 3 300 20261222000000 20261122000000 1 example.com AAEC\n",
		"h.example.com.\t300\tIN\tRRSIG\tA 13 3 300 20261222000000 20261122000000 65536 example.com. AAEC\n",
		"h.example.com.\t2147483648\tIN\tRRSIG\tA 13 3 300 20261222000000 20261122000000 1 example.com. AAEC\n",
		"h.ex*.com.\t300\tIN\tRRSIG\tA 13 3 300 20261222000000 20261122000000 1 example.com. AAEC\n",
		"h.example.com.\t300\tIN\tRRSIG\tA 13 3 300 20261222000000 20261122000000 1 example.com. AAEC",
		"h.example.com.\t300\tIN\tRRSIG\tA 13 3 300 20261222000000 20261122000000 1 example.com. AAEC \n",
	};
	const char *line = "H.example.com.\t300\tIN\tRRSIG\tMX 13 3 300 "
	    "21060207062815 19700101000000 8714 example.com. AAECAw==\n";
	static const uint8_t want[] = {
		0, 15, 13, 3, 0, 0, 1, 44, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0,
		0x22, 0x0a, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm',
		0, 0, 1, 2, 3,
	};
	struct fast_record r;

	ck_assert(fastline_parse(line, strlen(line), 0, &r));
	ck_assert_uint_eq(r.type, RRTYPE_RRSIG);
	ck_assert_uint_eq(r.ttl, 300);
	ck_assert_uint_eq(r.owner_len, 15);
	ck_assert_mem_eq(r.owner, "\001H\007example\003com", 15);
	ck_assert_uint_eq(r.owner_text_len, 14);
	ck_assert_uint_eq(r.rdlen, sizeof(want));
	/* A next line of the same name: its owner is not read again. */
	{
		const char *next = "H.example.com.\t300\tIN\tA\t192.0.2.1\n";
		ck_assert(fastline_parse(next, strlen(next), r.owner_text_len, &r));
		ck_assert_uint_eq(r.type, RRTYPE_A);
		ck_assert_uint_eq(r.owner_len, 15);
		ck_assert_mem_eq(r.owner, "\001H\007example\003com", 15);
		ck_assert(fastline_parse(line, strlen(line), 0, &r));
	}
	ck_assert_mem_eq(r.rdata, want, sizeof(want));
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		ck_assert_msg(!fastline_parse(other[i], strlen(other[i]), 0, &r),
		    "taken: %s", other[i]);

	/* The other types, to their wire form (a bitmap of two windows). */
	static const struct {
		const char *line;
		uint16_t type;
		size_t rdlen;
		uint8_t rdata[40];
	} taken[] = {
		{ "h.example.com.\t300\tIN\tA\t192.0.2.255\n", RRTYPE_A, 4,
		    { 192, 0, 2, 255 } },
		{ "h.example.com.\t300\tIN\tAAAA\t2001:db8::1\n", RRTYPE_AAAA,
		    16, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
		/* The longest text an address has (INET6_ADDRSTRLEN - 1). */
		{ "h.example.com.\t300\tIN\tAAAA\t"
		    "0000:0000:0000:0000:0000:ffff:255.255.255.255\n", RRTYPE_AAAA,
		    16, { [10] = 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } },
		{ "h.example.com.\t300\tIN\tNS\tNs.x.\n", RRTYPE_NS, 6,
		    { 2, 'N', 's', 1, 'x', 0 } },
		{ "h.example.com.\t300\tIN\tMX\t513 m.x.\n", RRTYPE_MX, 7,
		    { 2, 1, 1, 'm', 1, 'x', 0 } },
		{ "h.example.com.\t300\tIN\tDS\t258 13 2 00fF\n", RRTYPE_DS, 6,
		    { 1, 2, 13, 2, 0, 0xff } },
		{ "h.example.com.\t300\tIN\tNSEC3\t1 1 258 ab 0000000g A CAA\n",
		    RRTYPE_NSEC3, 18, { 1, 1, 1, 2, 1, 0xab, 5, 0, 0, 0, 0, 0x10,
		    0, 1, 0x40, 1, 1, 0x40 } },
		{ "h.example.com.\t300\tIN\tNSEC3\t1 0 0 - 00000000\n",
		    RRTYPE_NSEC3, 11, { 1, 0, 0, 0, 0, 5 } },
	};
	for (size_t i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		ck_assert_msg(fastline_parse(taken[i].line, strlen(taken[i].line),
		    0, &r), "not taken: %s", taken[i].line);
		ck_assert_uint_eq(r.type, taken[i].type);
		ck_assert_uint_eq(r.ttl, 300);
		ck_assert_uint_eq(r.rdlen, taken[i].rdlen);
		ck_assert_mem_eq(r.rdata, taken[i].rdata, r.rdlen);
	}
}
END_TEST

/* Gaps opened after RRsets take records that end up in canonical order without a sort. */
/*
 * Open slots after each RRset of the finalized zone z (two after address
 * sets) and fill them with RRSIG-shaped records over the RRset: covered
 * type, then a distinct octet. misplaced 1: one RRset's signature covers
 * another type; 2: the two signatures of address sets come out of order.
 * Returns how many were added.
 */
static size_t
fill_signature_slots(struct zone *z, int misplaced)
{
	struct zrr *slots;
	struct arena store;
	size_t n, *starts, nsets = 0, added = 0;
	uint8_t *gaps;
	const struct zrr *rr = zone_records(z, &n);

	ck_assert_ptr_nonnull(starts = malloc(n * sizeof(*starts)));
	ck_assert_ptr_nonnull(gaps = malloc(n));
	for (size_t i = 0; i < n; i = zone_rrset_end(z, i)) {
		starts[nsets] = i;
		gaps[nsets++] = (uint8_t)(rr[i].type == RRTYPE_A ? 2 : 1);
	}
	ck_assert_int_eq(zone_open_gaps(z, starts, gaps, nsets, &slots), 0);
	arena_init(&store);
	for (size_t j = 0; j < nsets; j++) {
		size_t e = zone_rrset_end(z, starts[j]);
		for (size_t k = 0; k < gaps[j]; k++, added++) {
			const struct zrr *set = &slots[starts[j]];
			uint16_t covered = set->type;
			uint8_t *rd = arena_alloc(&store, 3);
			if (misplaced == 1 && j == nsets / 2)
				covered = set->type != RRTYPE_TXT ? RRTYPE_TXT : RRTYPE_A;
			ck_assert_ptr_null(slots[e + k].owner);
			rd[0] = (uint8_t)(covered >> 8);
			rd[1] = (uint8_t)covered;
			rd[2] = (uint8_t)(misplaced == 2 ? gaps[j] - k : k);
			slots[e + k] = (struct zrr){ .owner = set->owner,
			    .rdata = rd, .ttl = set->ttl, .type = RRTYPE_RRSIG,
			    .rdlen = 3, .flags = ZRR_TRUSTED };
		}
	}
	zone_take_storage(z, &store);
	free(starts);
	free(gaps);
	return added;
}

START_TEST(test_zone_open_gaps_places_records_after_their_rrsets)
{
	struct zone *z = NULL;
	struct diag d;
	size_t n, total;
	const char *path = unit_write("gaps.valid", HEAD
	    "a A 192.0.2.1\nb A 192.0.2.2\nb TXT \"t\"\n");

	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	zone_records(z, &n);
	n += fill_signature_slots(z, 0);
	ck_assert_int_eq(zone_finalize(z, &d), 0);
	const struct zrr *rr = zone_records(z, &total);
	ck_assert_uint_eq(total, n);
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

/* A record to append: owner (text), type, TTL, rdata. */
struct extra {
	const char *owner;
	uint16_t type;
	uint32_t ttl;
	const char *rdata;
	size_t rdlen;
};

#define ZEROS32 "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
#define DS_RDATA(tag) tag "\x0d\x02" ZEROS32

static void
add_extra(struct zone *z, const struct extra *e)
{
	uint8_t owner[DNAME_MAX_LENGTH];

	ck_assert_int_eq(dname_parse(e->owner, owner), 0);
	ck_assert_int_eq(zone_add(z, owner, e->type, e->ttl,
	    (const uint8_t *)e->rdata, e->rdlen), 0);
}

/* A zone never finalized with base's records and then rrs[0..n): finalize does it all. */
static struct zone *
unsettled_copy(const struct zone *base, const struct zrr *rrs, size_t n)
{
	struct zone *c = NULL;
	size_t bn;
	const struct zrr *br = zone_records(base, &bn);

	ck_assert_int_eq(zone_new("example.com.", &c), 0);
	for (size_t i = 0; i < bn; i++)
		ck_assert_int_eq(zone_add(c, br[i].owner, br[i].type, br[i].ttl,
		    br[i].rdata, br[i].rdlen), 0);
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(zone_add(c, rrs[i].owner, rrs[i].type, rrs[i].ttl,
		    rrs[i].rdata, rrs[i].rdlen), 0);
	return c;
}

/* The same records, bytes and flags, in the same order; one owner pointer per name. */
static void
assert_same_zone(const struct zone *a, const struct zone *b)
{
	size_t an, bn;
	const struct zrr *ar = zone_records(a, &an), *br = zone_records(b, &bn);

	ck_assert_uint_eq(an, bn);
	for (size_t i = 0; i < an; i++) {
		size_t len = dname_length(ar[i].owner);
		ck_assert_uint_eq(len, dname_length(br[i].owner));
		ck_assert_mem_eq(ar[i].owner, br[i].owner, len);
		ck_assert_uint_eq(ar[i].type, br[i].type);
		ck_assert_uint_eq(ar[i].ttl, br[i].ttl);
		ck_assert_uint_eq(ar[i].rdlen, br[i].rdlen);
		ck_assert_mem_eq(ar[i].rdata, br[i].rdata, ar[i].rdlen);
		ck_assert_uint_eq(ar[i].flags & ~ZRR_TRUSTED, br[i].flags & ~ZRR_TRUSTED);
		if (i > 0 && dname_equal(ar[i - 1].owner, ar[i].owner))
			ck_assert_ptr_eq(ar[i - 1].owner, ar[i].owner);
	}
	ck_assert_uint_eq(zone_soa(a)->type, RRTYPE_SOA);
	ck_assert_uint_eq(zone_serial(a), zone_serial(b));
	ck_assert_uint_eq(zone_warning_count(a), zone_warning_count(b));
}

#define FINALIZE_BASE HEAD \
	"www A 192.0.2.10\nwww TXT \"w\"\nalias CNAME www\nmail MX 10 www\n" \
	"sub NS ns.sub\nsub DS 1 13 2 " \
	"0000000000000000000000000000000000000000000000000000000000000000\n" \
	"ns.sub A 192.0.2.9\ndeep.a.b TXT \"deep\"\nold DNAME new.example.net.\n"

/*
 * Records appended to a finalized zone: finalize settles only their names
 * where it can (no NS or DNAME among them, no duplicate, no TTL to unify,
 * nothing below a cut or DNAME) and otherwise does it all; either way the
 * zone (records, flags, SOA, warnings, status) is what finalizing all of
 * it gives.
 */
static const struct {
	const char *name;
	struct extra add[3];
	bool all;             /* finalize has to do it all */
	int status;
} appended[] = {
	{ "new names", { { "h1.example.com.", RRTYPE_TXT, 300, "\1a", 2 },
	  { "h0.example.com.", RRTYPE_TXT, 300, "\1b", 2 },
	  { "z.y.x.example.com.", RRTYPE_TXT, 300, "\1c", 2 } }, false, 0 },
	{ "existing names", { { "www.example.com.", RRTYPE_AAAA, 300,
	  "\x20\x01\x0d\xb8" "\0\0\0\0\0\0\0\0\0\0\0\1", 16 },
	  { "www.example.com.", RRTYPE_TXT, 300, "\2w2", 3 },
	  { "WWW.example.com.", RRTYPE_TXT, 300, "\2w3", 3 } }, false, 0 },
	/* (the name's records take the first one's owner, its case too) */
	{ "a first record in other case", { { "WWW.Example.com.", RRTYPE_A,
	  300, "\xc0\0\2\x09", 4 } }, false, 0 },
	{ "a DS at the delegation", { { "sub.example.com.", RRTYPE_DS, 300,
	  DS_RDATA("\0\2"), 36 } }, false, 0 },
	{ "the apex (its SOA moves)", { { "example.com.", RRTYPE_A, 300,
	  "\xc0\0\2\1", 4 }, { "example.com.", RRTYPE_TXT, 300, "\1t", 2 } },
	  false, 0 },
	{ "an address at the delegation point (glue)", { { "sub.example.com.",
	  RRTYPE_A, 300, "\xc0\0\2\x0d", 4 } }, false, 0 },
	{ "a duplicate", { { "www.example.com.", RRTYPE_A, 300, "\xc0\0\2\x0a",
	  4 } }, true, 0 },
	{ "another TTL", { { "www.example.com.", RRTYPE_A, 60, "\xc0\0\2\x0b",
	  4 } }, true, 0 },
	{ "glue below the cut", { { "ns2.sub.example.com.", RRTYPE_A, 300,
	  "\xc0\0\2\x0c", 4 } }, true, 0 },
	{ "a new delegation", { { "x.example.com.", RRTYPE_NS, 300,
	  "\2ns\7example\3com", 16 } }, true, 0 },
	/* (a broken rule is reported by the whole pass, warnings and all) */
	{ "a CNAME's neighbour", { { "alias.example.com.", RRTYPE_A, 300,
	  "\xc0\0\2\5", 4 }, { "www.example.com.", RRTYPE_A, 60,
	  "\xc0\0\2\x0b", 4 } }, true, STATUS_ZONE_CONTENT },
	{ "a DS without NS", { { "www.example.com.", RRTYPE_DS, 300,
	  DS_RDATA("\0\3"), 36 } }, true, STATUS_ZONE_CONTENT },
	{ "below a DNAME", { { "x.old.example.com.", RRTYPE_A, 300,
	  "\xc0\0\2\6", 4 } }, true, STATUS_ZONE_CONTENT },
	/* (zone_load refuses it; finalize leaves it to the whole pass) */
	{ "outside the zone", { { "www.example.net.", RRTYPE_A, 300,
	  "\xc0\0\2\7", 4 } }, true, 0 },
};

START_TEST(test_zone_finalize_appended_equals_whole)
{
	struct zone *z = NULL, *whole;
	struct diag d, dw;
	size_t n, loaded;
	unsigned before;

	ck_assert_int_eq(zone_load(unit_write("settle.valid", FINALIZE_BASE),
	    "example.com.", 3600, &z, &d), 0);
	zone_records(z, &loaded);
	for (size_t k = 0; k < 3 && appended[_i].add[k].owner != NULL; k++)
		add_extra(z, &appended[_i].add[k]);
	/* The whole zone: the loaded records, then the appended ones. */
	whole = unsettled_copy(z, NULL, 0);
	before = z->full_finalizes;
	ck_assert_int_eq(zone_finalize(z, &d), appended[_i].status);
	ck_assert_int_eq(zone_finalize(whole, &dw), appended[_i].status);
	ck_assert_uint_eq(z->full_finalizes - before, appended[_i].all);
	ck_assert_uint_eq(zone_warning_count(z), zone_warning_count(whole));
	if (appended[_i].status == 0) {
		assert_same_zone(z, whole);
		zone_records(z, &n);
		ck_assert_uint_ge(n, loaded);
	}
	zone_free(whole);
	zone_free(z);
}
END_TEST

/*
 * Slots opened and filled in the zone of text (at least min records with
 * them): with signatures in place, finalize gives them their names' flags
 * and nothing else; with one out of place (misplaced 1) or out of order
 * (2), it does it all. Either way the zone is what finalizing all of it
 * gives.
 */
static void
assert_gaps_settle(const char *text, size_t min)
{
	for (int misplaced = 0; misplaced < 3; misplaced++) {
		struct zone *z = NULL, *whole;
		struct diag d;
		unsigned before;
		size_t n;

		ck_assert_int_eq(zone_load(unit_write("sgaps.valid", text),
		    "example.com.", 3600, &z, &d), 0);
		ck_assert_uint_gt(fill_signature_slots(z, misplaced), 0);
		zone_records(z, &n);
		ck_assert_uint_ge(n, min);
		/* The whole zone from the same records, never finalized. */
		whole = unsettled_copy(z, NULL, 0);
		before = z->full_finalizes;
		ck_assert_int_eq(zone_finalize(z, &d), 0);
		ck_assert_int_eq(zone_finalize(whole, &d), 0);
		ck_assert_uint_eq(z->full_finalizes - before, misplaced != 0);
		assert_same_zone(z, whole);
		zone_free(whole);
		zone_free(z);
	}
}

START_TEST(test_zone_finalize_gaps_equals_whole)
{
	assert_gaps_settle(FINALIZE_BASE, 1);
}
END_TEST

/*
 * The same in a zone of more than 65536 records, settled in parts on
 * every CPU: a signature's name flags cross the parts' edges (glue,
 * delegations), and one out of place in a middle part still makes
 * finalize do it all.
 */
START_TEST(test_zone_finalize_gaps_in_parts_equals_whole)
{
	enum { NAMES = 6000 };
	char *text = malloc(sizeof(FINALIZE_BASE) + NAMES * 200);
	size_t len = (size_t)snprintf(text, sizeof(FINALIZE_BASE), "%s",
	    FINALIZE_BASE);

	ck_assert_ptr_nonnull(text);
	for (unsigned i = 0; i < NAMES; i++)
		len += (size_t)snprintf(text + len, 200, "h%u A 192.0.2.1\n"
		    "h%u TXT \"t\"\nd%u NS ns.d%u\nd%u DS 1 13 2 %064u\n"
		    "ns.d%u A 192.0.2.2\n", i, i, i, i, i, i, i);
	assert_gaps_settle(text, 65537);
	free(text);
}
END_TEST

/* A small deterministic generator for the random finalize test. */
static uint64_t
next_random(uint64_t *state)
{
	*state = *state * 6364136223846793005ull + 1442695040888963407ull;
	return *state >> 33;
}

/* A random name below example.com. of 1 to 3 labels from few octets (ties, case, ancestors). */
static void
random_owner(uint64_t *st, uint8_t *owner)
{
	static const char octets[] = "abAB";
	char text[64];
	size_t at = 0;
	unsigned labels = 1 + (unsigned)(next_random(st) % 3);

	for (unsigned l = 0; l < labels; l++) {
		unsigned len = 1 + (unsigned)(next_random(st) % 2);
		for (unsigned k = 0; k < len; k++)
			text[at++] = octets[next_random(st) % 4];
		text[at++] = '.';
	}
	strcpy(text + at, "example.com.");
	if (next_random(st) % 16 == 0)
		strcpy(text, "example.com.");
	ck_assert_int_eq(dname_parse(text, owner), 0);
}

/*
 * A random record, rdata made to fit (names in it are ns.example.com.).
 * A base record is data (A, AAAA, TXT, MX) or now and then a delegation,
 * with one TTL; an appended one may be anything here, TTL included.
 */
static void
add_random(struct zone *z, uint64_t *st, bool base)
{
	static const uint8_t ns[] = "\2ns\7example\3com";
	uint8_t owner[DNAME_MAX_LENGTH], rd[40];
	uint16_t type;
	size_t len;
	uint32_t ttl = !base && next_random(st) % 8 == 0 ? 60 : 300;
	uint64_t pick = next_random(st) % 24;

	random_owner(st, owner);
	if (base && pick >= 4)
		pick = pick == 23 ? 5 : pick % 4;
	switch (pick) {
	case 0: type = RRTYPE_A; len = 4; break;
	case 1: type = RRTYPE_AAAA; len = 16; break;
	case 2: type = RRTYPE_TXT; len = 2; break;
	case 3: type = RRTYPE_MX; len = 2 + sizeof(ns); break;
	case 4: type = RRTYPE_DS; len = 36; break;
	case 5: type = RRTYPE_NS; len = sizeof(ns); break;
	case 6: type = RRTYPE_CNAME; len = sizeof(ns); break;
	case 7: type = RRTYPE_DNAME; len = sizeof(ns); break;
	default: type = RRTYPE_TXT; len = 2; break;
	}
	memset(rd, 0, sizeof(rd));
	rd[len - 1] = (uint8_t)(next_random(st) % 3);   /* few distinct values: duplicates */
	if (type == RRTYPE_TXT)
		rd[0] = 1;
	if (type == RRTYPE_MX)
		memcpy(rd + 2, ns, sizeof(ns));
	if (type == RRTYPE_NS || type == RRTYPE_CNAME || type == RRTYPE_DNAME)
		memcpy(rd, ns, sizeof(ns));
	if (type == RRTYPE_DS) {
		rd[2] = 13;
		rd[3] = 2;
	}
	ck_assert_int_eq(zone_add(z, owner, type, ttl, rd, len), 0);
}

/*
 * Random zones and random records appended to them: whatever finalize
 * does (its shortcut or the whole pass), the status, and for a zone that
 * finalizes the records, flags, owners and warnings, are those of
 * finalizing all of it at once.
 */
START_TEST(test_zone_finalize_appended_random)
{
	uint64_t st = 20261129;
	unsigned settled = 0, compared = 0;

	for (int round = 0; round < 400; round++) {
		struct zone *z = NULL, *whole;
		struct diag d, dw;
		size_t n;
		int rc;

		ck_assert_int_eq(zone_load(unit_write("rand.valid", HEAD),
		    "example.com.", 3600, &z, &d), 0);
		for (int i = 0; i < 30; i++)
			add_random(z, &st, true);
		if (zone_finalize(z, &d) != 0 || zone_warning_count(z) > 0) {
			zone_free(z);
			continue;
		}
		zone_records(z, &n);
		for (unsigned i = 0, more = 1 + next_random(&st) % 6; i < more; i++)
			add_random(z, &st, false);
		whole = unsettled_copy(z, NULL, 0);
		unsigned before = z->full_finalizes;
		rc = zone_finalize(z, &d);
		ck_assert_int_eq(rc, zone_finalize(whole, &dw));
		settled += z->full_finalizes == before;
		ck_assert_uint_eq(zone_warning_count(z), zone_warning_count(whole));
		if (rc == 0) {
			assert_same_zone(z, whole);
			compared++;
		}
		zone_free(whole);
		zone_free(z);
	}
	/* Both ways were taken, and many zones compared record by record. */
	ck_assert_uint_gt(settled, 40);
	ck_assert_uint_gt(compared, 100);
}
END_TEST

/* zone_rrset_search finds where each RRset starts, from another zone too, and a name's first record. */
START_TEST(test_zone_rrset_search)
{
	struct zone *z = NULL, *other = NULL;
	struct diag d;
	size_t n, on;
	const char *path = unit_write("search.valid", FINALIZE_BASE);

	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &other, &d), 0);
	const struct zrr *rr = zone_records(z, &n), *orr = zone_records(other, &on);
	for (size_t i = 0; i < n; i = zone_rrset_end(z, i)) {
		struct zrr probe = { .owner = rr[i].owner, .type = 0 };
		ck_assert_uint_eq(zone_rrset_search(z, &orr[i]), i);
		if (i == 0 || !dname_equal(rr[i - 1].owner, rr[i].owner))
			ck_assert_uint_eq(zone_rrset_search(z, &probe), i);
	}
	/* A name after every other one: the end. */
	uint8_t last[DNAME_MAX_LENGTH];
	ck_assert_int_eq(dname_parse("zzz.example.com.", last), 0);
	struct zrr after = { .owner = last, .type = RRTYPE_A };
	ck_assert_uint_eq(zone_rrset_search(z, &after), n);
	zone_free(other);
	zone_free(z);
}
END_TEST

/* Canonical rdata order (RFC 4034 §6.2, 6.3): names in lower case, other octets as they are. */
START_TEST(test_rdata_compare_canonical)
{
	/* RRSIG: 18 fixed octets, the signer's name, then the signature. */
	static const uint8_t sig_a[] = { 0, 1, 13, 2, 0, 0, 14, 16, 0, 0, 0, 2,
	    0, 0, 0, 1, 0x12, 0x34, 3, 'a', 'b', 'c', 0, 0xff };
	static const uint8_t sig_b[] = { 0, 1, 13, 2, 0, 0, 14, 16, 0, 0, 0, 2,
	    0, 0, 0, 1, 0x12, 0x34, 3, 'A', 'B', 'C', 0, 0xff };
	static const uint8_t sig_c[] = { 0, 1, 13, 2, 0, 0, 14, 16, 0, 0, 0, 2,
	    0, 0, 0, 1, 0x12, 0x35, 3, 'A', 'B', 'C', 0, 0x00 };
	static const uint8_t mx_a[] = { 0, 10, 4, 'm', 'a', 'i', 'l', 0 };
	static const uint8_t mx_b[] = { 0, 10, 4, 'M', 'A', 'I', 'L', 0 };
	static const uint8_t mx_c[] = { 0, 10, 4, 'm', 'a', 'i', 'm', 0 };
	static const uint8_t mx_z[] = { 0, 10, 3, 'Z', 'e', 'd', 0 };
	static const uint8_t mx_abc[] = { 0, 10, 3, 'a', 'b', 'c', 0 };
	static const uint8_t txt_a[] = { 1, 'a' }, txt_b[] = { 1, 'A' };

	ck_assert_int_eq(rdata_compare(RRTYPE_RRSIG, sig_a, sizeof(sig_a),
	    sig_b, sizeof(sig_b)), 0);
	ck_assert_int_lt(rdata_compare(RRTYPE_RRSIG, sig_b, sizeof(sig_b),
	    sig_c, sizeof(sig_c)), 0);
	ck_assert_int_gt(rdata_compare(RRTYPE_RRSIG, sig_c, sizeof(sig_c),
	    sig_a, sizeof(sig_a)), 0);
	ck_assert_int_eq(rdata_compare(RRTYPE_MX, mx_a, sizeof(mx_a), mx_b,
	    sizeof(mx_b)), 0);
	ck_assert_int_lt(rdata_compare(RRTYPE_MX, mx_b, sizeof(mx_b), mx_c,
	    sizeof(mx_c)), 0);
	/* 'Z' < 'a' as octets, but "zed" > "abc" in canonical form. */
	ck_assert_int_gt(rdata_compare(RRTYPE_MX, mx_z, sizeof(mx_z), mx_abc,
	    sizeof(mx_abc)), 0);
	/* Text keeps its case. */
	ck_assert_int_gt(rdata_compare(RRTYPE_TXT, txt_a, 2, txt_b, 2), 0);
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
	ck_assert_int_eq(zone_write(z, f, 2, NULL, NULL, NULL), 0);
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

/* The text of names..., changed when `changed`: rdata, TTLs, case, names gone and new. */
static char *
copy_zone_text(unsigned names, bool changed)
{
	size_t cap = (size_t)names * 200 + 4096, len;
	char *text = malloc(cap);

	ck_assert_ptr_nonnull(text);
	len = (size_t)snprintf(text, cap, "%s", HEAD "a\\032b TXT \"escaped owner\"\n"
	    "_25._tcp.ns TYPE52 \\# 4 03010100\n");
	for (unsigned i = 0; i < names; i++) {
		if (changed && i % 97 == 5)
			continue;             /* a name gone */
		len += (size_t)snprintf(text + len, cap - len,
		    "%sh%u %u A 192.0.2.%u\nh%u MX 10 mail\nh%u TXT \"%u\"\n",
		    changed && i % 89 == 7 ? "H" : "",          /* case */
		    i, changed && i % 83 == 3 ? 60u : 300u,     /* TTL */
		    changed && i % 101 == 9 ? 200 : i % 250,    /* rdata */
		    i, i, i);
		if (changed && i % 113 == 1)
			len += (size_t)snprintf(text + len, cap - len,
			    "new%u AAAA 2001:db8::%x\n", i, i);
	}
	return text;
}

/*
 * A filler of the zone on its own thread, beside zone_write: it changes
 * each record's TTL before the record is final (steps), or after all were
 * given, under a hold (hold), or fails half-way (fail).
 */
enum fill_mode { FILL_STEPS, FILL_HOLD, FILL_FAIL };
struct filler {
	struct zone *z;
	struct zone_progress *p;
	enum fill_mode mode;
};

static void
sleep_ms(long ms)
{
	struct timespec t = { 0, ms * 1000000L };
	nanosleep(&t, NULL);
}

static void *
fill(void *arg)
{
	struct filler *f = arg;
	size_t n = f->z->count, step = n / 10 + 1;

	sleep_ms(5);
	if (f->mode == FILL_FAIL) {
		zone_progress_advance(f->p, n / 2);
		sleep_ms(5);
		zone_progress_end(f->p, STATUS_CRYPTO);
		return NULL;
	}
	if (f->mode == FILL_HOLD) {
		zone_progress_advance(f->p, n);
		sleep_ms(20);
		zone_progress_hold(f->p);
		for (size_t i = 0; i < n; i++)
			f->z->rr[i].ttl = 8888;
		zone_progress_end(f->p, 0);
		return NULL;
	}
	/* Records given in steps, each changed just before. */
	zone_progress_advance(f->p, 0);
	for (size_t at = 0; at < n; at += step) {
		size_t end = at + step < n ? at + step : n;
		sleep_ms(2);
		for (size_t i = at; i < end; i++)
			f->z->rr[i].ttl = 7777;
		zone_progress_advance(f->p, end);
	}
	zone_progress_end(f->p, 0);
	return NULL;
}

/*
 * zone_write beside a filler (zone_progress): it writes no record before
 * the filler gives it, writes again what was written when the filler
 * moves records under a hold, and fails as the filler does; each time it
 * returns only after the filler's end.
 */
START_TEST(test_zone_write_follows_progress)
{
	enum fill_mode modes[] = { FILL_STEPS, FILL_HOLD, FILL_FAIL };
	uint32_t ttls[] = { 7777, 8888, 0 };
	char path[300], *want = NULL, *got = NULL, *text;
	size_t want_len = 0, got_len = 0;
	struct zone *z = NULL;
	struct diag d;

	snprintf(path, sizeof(path), "%s/progress.zone", unit_dir);
	/* 60000 names, three records each: more than one round of writing. */
	text = copy_zone_text(60000, false);
	ck_assert_int_eq(zone_load(unit_write("progress.valid", text),
	    "example.com.", 3600, &z, &d), 0);
	free(text);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct zone_progress p;
		struct filler f = { z, &p, modes[m] };
		pthread_t tid;
		FILE *out;
		int rc;

		for (size_t i = 0; i < z->count; i++)
			z->rr[i].ttl = 300;
		zone_progress_init(&p);
		ck_assert_ptr_nonnull(out = fopen(path, "w+"));
		ck_assert_int_eq(pthread_create(&tid, NULL, fill, &f), 0);
		rc = zone_write(z, out, 2, NULL, NULL, &p);
		pthread_join(tid, NULL);
		zone_progress_destroy(&p);
		ck_assert_int_eq(fclose(out), 0);
		if (modes[m] == FILL_FAIL) {
			ck_assert_int_eq(rc, STATUS_CRYPTO);
			continue;
		}
		ck_assert_int_eq(rc, 0);
		/* What the zone as the filler left it gives, written at once. */
		for (size_t i = 0; i < z->count; i++)
			ck_assert_uint_eq(z->rr[i].ttl, ttls[m]);
		ck_assert_ptr_nonnull(out = open_memstream(&want, &want_len));
		ck_assert_int_eq(zone_write(z, out, 2, NULL, NULL, NULL), 0);
		ck_assert_int_eq(fclose(out), 0);
		ck_assert_int_eq(file_read_all(path, &got, &got_len), 0);
		ck_assert_uint_eq(got_len, want_len);
		ck_assert_int_eq(memcmp(got, want, want_len), 0);
		free(want);
		free(got);
		want = got = NULL;
	}
	zone_free(z);
}
END_TEST

/* How many of the pages of path's first len bytes are in the page cache. */
static size_t
cached_pages(const char *path, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = (len + page - 1) / page, n = 0;
	unsigned char *vec = malloc(pages);
	int fd = open(path, O_RDONLY);
	void *map;

	ck_assert_ptr_nonnull(vec);
	ck_assert_int_ge(fd, 0);
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(map, MAP_FAILED);
	ck_assert_int_eq(mincore(map, len, vec), 0);
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	munmap(map, len);
	close(fd);
	free(vec);
	return n;
}

/*
 * Lines of an earlier output are copied when their record is the same
 * byte for byte: the output is exactly what formatting every line gives,
 * with the same digest; an old line not as zone_write writes it, or an
 * old file that reads short, is not copied (the output starts again).
 */
START_TEST(test_zone_write_copies_unchanged_lines)
{
	enum { NAMES = 60000 };    /* an old file of several 1 MiB windows */
	char oldpath[300], newpath[300], shortpath[300], *want = NULL, *text,
	    *o = NULL;
	uint8_t want_digest[ZONE_DIGEST_LEN], got_digest[ZONE_DIGEST_LEN];
	struct zone *old = NULL, *prev = NULL, *z = NULL;
	size_t want_len = 0, got_len, olen, n, pn, deep = 0;
	struct diag d;
	FILE *f;
	long body;
	int fd;

	snprintf(oldpath, sizeof(oldpath), "%s/copy-old.zone", unit_dir);
	snprintf(newpath, sizeof(newpath), "%s/copy-new.zone", unit_dir);
	snprintf(shortpath, sizeof(shortpath), "%s/copy-short.zone", unit_dir);
	text = copy_zone_text(NAMES, false);
	ck_assert_int_eq(zone_load(unit_write("copy-a.valid", text),
	    "example.com.", 3600, &old, &d), 0);
	free(text);
	text = copy_zone_text(NAMES, true);
	ck_assert_int_eq(zone_load(unit_write("copy-b.valid", text),
	    "example.com.", 3600, &z, &d), 0);
	free(text);
	/* What every line formatted gives. */
	ck_assert_ptr_nonnull(f = open_memstream(&want, &want_len));
	ck_assert_int_eq(zone_write(z, f, 2, want_digest, NULL, NULL), 0);
	ck_assert_int_eq(fclose(f), 0);
	/* The digest is XXH3-128 of the bytes, big-endian. */
	XXH128_canonical_t canon;
	XXH128_canonicalFromHash(&canon, XXH3_128bits(want, want_len));
	ck_assert_mem_eq(want_digest, canon.digest, ZONE_DIGEST_LEN);
	/* The old output, then a line that is not part of it. */
	ck_assert_ptr_nonnull(f = fopen(oldpath, "w"));
	ck_assert_int_eq(zone_write(old, f, 2, NULL, NULL, NULL), 0);
	body = ftell(f);
	fputs("; not a record\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(file_read_all(oldpath, &o, &olen), 0);

	/* A line deep in the old file whose record is checked when copied (index % 64). */
	const struct zrr *rr = zone_records(z, &n), *pr = zone_records(old, &pn);
	for (size_t i = (n - 1) / 64 * 64; deep == 0 && i > 0; i -= 64)
		for (size_t j = pn; j-- > 0 && deep == 0;)
			if (pr[j].type == rr[i].type && pr[j].ttl == rr[i].ttl &&
			    pr[j].rdlen == rr[i].rdlen &&
			    memcmp(pr[j].rdata, rr[i].rdata, rr[i].rdlen) == 0 &&
			    dname_length(pr[j].owner) == dname_length(rr[i].owner) &&
			    memcmp(pr[j].owner, rr[i].owner,
			    dname_length(rr[i].owner)) == 0)
				deep = j + 1;      /* our output: record j is line j + 1 */
	ck_assert_uint_gt(deep, pn / 2);

	for (int damaged = 0; damaged < 4; damaged++) {
		/*
		 * 1, 2: the same record in other words (a blank), its line
		 * cannot be copied; 3: the file read from ends halfway.
		 */
		bool cut = damaged == 3;
		size_t line = damaged == 1 ? 1 : deep, at = 0;
		for (size_t l = 1; l < line; l++)
			at = (size_t)((char *)memchr(o + at, '\n', olen - at) - o) + 1;
		if (damaged == 2)
			ck_assert_uint_gt(at, 4u << 20);
		ck_assert_ptr_nonnull(f = fopen(oldpath, "w"));
		ck_assert_uint_eq(fwrite(o, 1, olen, f), olen);
		if (damaged && !cut) {
			char *tab = memchr(o + at, '\t', olen - at);
			ck_assert_int_eq(fseek(f, tab - o, SEEK_SET), 0);
			ck_assert_int_eq(fputc(' ', f), ' ');
		}
		ck_assert_int_eq(fsync(fileno(f)), 0);     /* its pages clean */
		ck_assert_int_eq(fclose(f), 0);
		ck_assert_int_eq(zone_load_lines(oldpath, "example.com.", 3600, 2,
		    NULL, NULL, &prev, &d), 0);
		ck_assert_uint_gt(cached_pages(oldpath, (size_t)body), 0);
		if (cut) {
			ck_assert_ptr_nonnull(f = fopen(shortpath, "w"));
			ck_assert_uint_eq(fwrite(o, 1, (size_t)body / 2, f),
			    (size_t)body / 2);
			ck_assert_int_eq(fclose(f), 0);
		}
		ck_assert_int_ge(fd = open(cut ? shortpath : oldpath, O_RDONLY), 0);
		struct zone_text from = { prev, fd, (uint64_t)body, 0 };

		/* The output begins after what the caller wrote: that stays. */
		ck_assert_ptr_nonnull(f = fopen(newpath, "w+"));
		fputs("; the caller's\n", f);
		ck_assert_int_eq(zone_write(z, f, 2, got_digest, &from, NULL), 0);
		ck_assert_int_eq(fclose(f), 0);
		close(fd);
		char *got = NULL;
		ck_assert_int_eq(file_read_all(newpath, &got, &got_len), 0);
		ck_assert_uint_eq(got_len, want_len + 15);
		ck_assert_int_eq(memcmp(got, "; the caller's\n", 15), 0);
		ck_assert_int_eq(memcmp(got + 15, want, want_len), 0);
		ck_assert_mem_eq(got_digest, want_digest, sizeof(want_digest));
		/* Most lines copied; none from a damaged file. */
		if (damaged)
			ck_assert_uint_eq(from.copied, 0);
		else
			ck_assert_uint_gt(from.copied, n * 9 / 10);
		/*
		 * The old file (the one replaced) left the page cache; a file
		 * system that keeps its files in memory (tmpfs) cannot drop
		 * them, which the new file shows: then this is not checked.
		 */
		if (!damaged) {
			size_t old_pages = cached_pages(oldpath, (size_t)body + 15);
			ck_assert_ptr_nonnull(f = fopen(newpath, "r+"));
			ck_assert_int_eq(fsync(fileno(f)), 0);
			ck_assert_int_eq(posix_fadvise(fileno(f), 0, 0,
			    POSIX_FADV_DONTNEED), 0);
			ck_assert_int_eq(fclose(f), 0);
			if (cached_pages(newpath, got_len) == 0)
				ck_assert_uint_eq(old_pages, 0);
			else
				fprintf(stderr, "%s: pages not dropped here: the "
				    "page cache check is skipped\n", unit_dir);
		}
		free(got);
		zone_free(prev);
		prev = NULL;
	}
	free(o);
	free(want);
	zone_free(old);
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

/*
 * Pages are dropped behind the parser only while it reads the file: at
 * the end of a file whose last line has no line end, zscanner reads that
 * line end from a buffer of its own, anywhere in memory, and a range up
 * to it dropped whatever lay in between (in the fuzzer: another thread's
 * memory, which read back as zeros).
 */
START_TEST(test_zone_load_drops_only_the_files_pages)
{
	size_t size = 64u << 20, pad = 8u << 20;
	/*
	 * A block mapped before the file, which maps below it (the file is
	 * too large for a hole above), and below zscanner's own buffer: a
	 * range from the file up to that buffer would cross the block.
	 */
	unsigned char *block = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char path[300];
	struct zone *z = NULL;
	struct diag d;
	size_t n;
	FILE *f;

	ck_assert_ptr_ne(block, MAP_FAILED);
	memset(block, 0xab, size);
	snprintf(path, sizeof(path), "%s/no-line-end.zone", unit_dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "example.com. 300 IN SOA ns.example.com. h.example.com. "
	    "1 2 3 4 5\nexample.com. 300 IN NS ns.example.com.\n;");
	for (size_t i = 0; i < pad; i += 64)
		fputs("a comment, to make the file too large for a hole above ..\n;",
		    f);
	fputs("\nns.example.com. 300 IN A 192.0.2.1", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	(void)zone_records(z, &n);
	ck_assert_uint_eq(n, 3);
	for (size_t i = 0; i < size; i += 4096)
		ck_assert_msg(block[i] == 0xab, "byte %zu of memory mapped "
		    "before the load was dropped", i);
	zone_free(z);
	munmap(block, size);
	unlink(path);

	/* A parser outside [released, end] drops nothing. */
	unsigned char *map = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const char *m = (const char *)map, *r;
	ck_assert_ptr_ne(map, MAP_FAILED);
	memset(map, 0xab, size);
	ck_assert_ptr_eq(zone_parsed_release(m, m + size - 1, m + 4096), m);
	ck_assert_ptr_eq(zone_parsed_release(m + 4096, m, m + size), m + 4096);
	ck_assert_int_eq(map[0], 0xab);
	/* Inside, and far enough: the pages behind it, less a margin, go. */
	r = zone_parsed_release(m, m + (40u << 20), m + size);
	ck_assert(r > m && r <= m + (39u << 20));
	ck_assert_int_eq(map[0], 0);
	ck_assert_int_eq(map[(size_t)(r - m)], 0xab);
	munmap(map, size);
}
END_TEST

/* z's image into path; its digest. */
static void
write_image(const struct zone *z, const char *path,
    uint8_t digest[ZONE_DIGEST_LEN])
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(zone_image_write(z, fd, digest), 0);
	ck_assert_int_eq(close(fd), 0);
}

/*
 * A zone's image, read back, holds what its text read back holds (taken
 * as written): the same records, flags, lines and names shared, over
 * many of the writer's buffers and an owner's case kept.
 */
START_TEST(test_zone_image_equals_the_text)
{
	enum { NAMES = 20000 };     /* about 3 MB of image: many buffers */
	char in[300], text[300], image[300];
	struct zone *z = NULL, *lines = NULL, *img = NULL;
	uint8_t digest[ZONE_DIGEST_LEN], other[ZONE_DIGEST_LEN];
	unsigned asked = 0;
	struct diag d;
	FILE *f;

	snprintf(in, sizeof(in), "%s/image-in.zone", unit_dir);
	snprintf(text, sizeof(text), "%s/image.zone", unit_dir);
	snprintf(image, sizeof(image), "%s/image.zone.img", unit_dir);
	ck_assert_ptr_nonnull(f = fopen(in, "w"));
	fputs(HEAD "WWW.Example.COM. A 192.0.2.7\n*.wild TXT \"w\"\n"
	    "sub NS ns.sub\nns.sub A 192.0.2.9\nsub DS 1 13 2 "
	    "0000000000000000000000000000000000000000000000000000000000000000\n"
	    "empty TYPE65280 \\# 0\n", f);
	for (unsigned i = 0; i < NAMES; i++)
		fprintf(f, "h%u 60 TXT \"%.*s\"\nh%u AAAA 2001:db8::%x\n", i,
		    (int)(i % 200), "0123456789abcdefghijklmnopqrstuvwxyz"
		    "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklm"
		    "nopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789"
		    "abcdefghijklmnopqrstuvwxyz", i, i);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(zone_load(in, "example.com.", 3600, &z, &d), 0);
	ck_assert_ptr_nonnull(f = fopen(text, "w"));
	ck_assert_int_eq(zone_write(z, f, 2, NULL, NULL, NULL), 0);
	ck_assert_int_eq(fclose(f), 0);
	write_image(z, image, digest);
	ck_assert_int_eq(zone_load_lines(text, "example.com.", 3600, 2,
	    count_true, &asked, &lines, &d), 0);
	ck_assert_int_eq(zone_image_load(image, "example.com.", text, digest,
	    &img), 0);
	same_records(lines, img);
	zone_free(img);
	img = NULL;
	/* Cut short past its first pages: refused before it is read. */
	ck_assert_int_eq(truncate(image, 3 * 4096), 0);
	ck_assert_int_eq(zone_image_load(image, "example.com.", text, digest,
	    &img), STATUS_SYNTAX);
	ck_assert_ptr_null(img);
	write_image(z, image, digest);
	ck_assert_int_eq(zone_image_load(image, "example.com.", text, digest,
	    &img), 0);
	/* The same records give the same image, and digest. */
	snprintf(image, sizeof(image), "%s/image2.zone.img", unit_dir);
	write_image(img, image, other);
	ck_assert_mem_eq(digest, other, ZONE_DIGEST_LEN);
	zone_free(z);
	zone_free(lines);
	zone_free(img);
}
END_TEST

/* Payload bytes of one record (owner NULL: the record before's). */
static size_t
image_record(uint8_t *p, const char *owner, uint32_t ttl, uint16_t type,
    const void *rdata, uint16_t rdlen)
{
	size_t n = 0;

	if (owner == NULL)
		p[n++] = 0;
	else {
		uint8_t wire[DNAME_MAX_LENGTH];
		ck_assert_int_eq(dname_parse(owner, wire), 0);
		p[n++] = (uint8_t)dname_length(wire);
		memcpy(p + n, wire, dname_length(wire));
		n += dname_length(wire);
	}
	p[n++] = (uint8_t)ttl;
	p[n++] = (uint8_t)(ttl >> 8);
	p[n++] = (uint8_t)(ttl >> 16);
	p[n++] = (uint8_t)(ttl >> 24);
	p[n++] = (uint8_t)type;
	p[n++] = (uint8_t)(type >> 8);
	p[n++] = (uint8_t)rdlen;
	p[n++] = (uint8_t)(rdlen >> 8);
	memcpy(p + n, rdata, rdlen);
	return n + rdlen;
}

/* A zone's first records: SOA and NS at the apex, the name server's A. */
static size_t
image_head(uint8_t *p)
{
	static const uint8_t soa[] = { 2, 'n', 's', 7, 'e', 'x', 'a', 'm',
	    'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 1, 'h', 7, 'e', 'x', 'a',
	    'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0, 0, 0, 0, 1, 0, 0, 0, 2,
	    0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5 };
	size_t n = image_record(p, "example.com.", 300, 6, soa, sizeof(soa));

	n += image_record(p + n, NULL, 300, 2, soa, 16);
	return n + image_record(p + n, "ns.example.com.", 300, 1,
	    "\xc0\x00\x02\x01", 4);
}

/* Try the image of payload (records named): 0 or the loader's status. */
static int
try_image(const uint8_t *payload, size_t len, uint64_t records)
{
	char path[300];
	uint8_t digest[ZONE_DIGEST_LEN];
	struct zone *z = (struct zone *)&path;
	int rc;

	snprintf(path, sizeof(path), "%s/crafted.img", unit_dir);
	ck_assert_int_eq(zone_image_file(path, payload, len, records, digest),
	    0);
	rc = zone_image_load(path, "example.com.", "crafted.zone", digest, &z);
	ck_assert(rc == 0 || z == NULL);
	zone_free(z);
	return rc;
}

/* Bytes of the file at path from offset on become what they were XOR x. */
static void
flip_byte(const char *path, off_t offset, uint8_t x)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	uint8_t b;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, &b, 1, offset), 1);
	b ^= x;
	ck_assert_int_eq(pwrite(fd, &b, 1, offset), 1);
	ck_assert_int_eq(close(fd), 0);
}

/*
 * An image is taken only as written: its digest as asked, its header, its
 * length, and then every record as the text reader would take it. Each
 * refusal leaves no zone.
 */
START_TEST(test_zone_image_refuses_what_it_cannot_trust)
{
	uint8_t p[4096], digest[ZONE_DIGEST_LEN], wrong[ZONE_DIGEST_LEN];
	char text[300], image[300];
	struct zone *z = NULL, *got = NULL;
	struct stat st;
	struct diag d;
	size_t n;

	/* A true image, then each way of damaging it. */
	ck_assert_int_eq(zone_load(unit_write("small.zone", HEAD
	    "www A 192.0.2.2\n"), "example.com.", 3600, &z, &d), 0);
	snprintf(text, sizeof(text), "%s/small.zone", unit_dir);
	snprintf(image, sizeof(image), "%s/small.img", unit_dir);
	write_image(z, image, digest);
	ck_assert_int_eq(zone_image_load(image, "example.com.", text, digest,
	    &got), 0);
	zone_free(got);
	got = NULL;
	memcpy(wrong, digest, sizeof(wrong));
	wrong[5] ^= 1;
	ck_assert_int_eq(zone_image_load(image, "example.com.", text, wrong,
	    &got), STATUS_SYNTAX);
	ck_assert_ptr_null(got);
	ck_assert_int_eq(zone_image_load(image, "example.net.", text, digest,
	    &got), STATUS_SYNTAX);
	ck_assert_int_eq(stat(image, &st), 0);
	flip_byte(image, st.st_size - 1, 0x40);      /* in the records */
	ck_assert_int_eq(zone_image_load(image, "example.com.", text, digest,
	    &got), STATUS_SYNTAX);
	flip_byte(image, st.st_size - 1, 0x40);
	flip_byte(image, 8, 1);                      /* its version */
	ck_assert_int_eq(zone_image_load(image, "example.com.", text, digest,
	    &got), STATUS_SYNTAX);
	flip_byte(image, 8, 1);
	ck_assert_int_eq(truncate(image, st.st_size - 1), 0);
	ck_assert_int_eq(zone_image_load(image, "example.com.", text, digest,
	    &got), STATUS_SYNTAX);
	ck_assert_int_eq(truncate(image, st.st_size + 1), 0);
	ck_assert_int_eq(zone_image_load(image, "example.com.", text, digest,
	    &got), STATUS_SYNTAX);
	ck_assert_int_eq(truncate(image, 100), 0);
	ck_assert_int_eq(zone_image_load(image, "example.com.", text, digest,
	    &got), STATUS_SYNTAX);
	ck_assert_ptr_null(got);
	zone_free(z);

	/* Crafted records with a true digest: first one the loader takes. */
	n = image_head(p);
	ck_assert_int_eq(try_image(p, n, 3), 0);
	ck_assert_int_eq(try_image(p, n, 2), STATUS_SYNTAX);   /* count */
	ck_assert_int_eq(try_image(p, n, 4), STATUS_SYNTAX);
	ck_assert_int_eq(try_image(p, n - 1, 3), STATUS_SYNTAX);
	p[n] = 0;                                              /* a byte more */
	ck_assert_int_eq(try_image(p, n + 1, 3), STATUS_SYNTAX);
	ck_assert_int_eq(try_image(p, 0, 0), STATUS_ZONE_CONTENT); /* no SOA */
	/* The first record without an owner. */
	n = image_record(p, NULL, 300, 1, "\xc0\0\2\2", 4);
	ck_assert_int_eq(try_image(p, n, 1), STATUS_SYNTAX);
	/* An owner outside the zone; a label longer than 63; a name cut short. */
	n = image_head(p);
	n += image_record(p + n, "www.example.net.", 300, 1, "\xc0\0\2\2", 4);
	ck_assert_int_eq(try_image(p, n, 4), STATUS_SYNTAX);
	/* (Owners by hand: the record's own 0 lands on their last byte.) */
	n = image_head(p);
	memcpy(p + n, "\5\x40" "abc\0", 6);
	n += 5 + image_record(p + n + 5, NULL, 300, 1, "\xc0\0\2\2", 4);
	ck_assert_int_eq(try_image(p, n, 4), STATUS_SYNTAX);
	n = image_head(p);
	memcpy(p + n, "\4\3" "ab\0", 5);
	n += 4 + image_record(p + n + 4, NULL, 300, 1, "\xc0\0\2\2", 4);
	ck_assert_int_eq(try_image(p, n, 4), STATUS_SYNTAX);
	/* A length that is not the name's: the apex and one byte more. */
	n = image_head(p);
	memcpy(p + n, "\x0e\7" "example\3" "com\0", 15);
	n += 14 + image_record(p + n + 14, NULL, 300, 1, "\xc0\0\2\2", 4);
	ck_assert_int_eq(try_image(p, n, 4), STATUS_SYNTAX);
	/* The same by hand, well formed: taken. */
	n = image_head(p);
	memcpy(p + n, "\x11\3" "abc\7" "example\3" "com\0", 18);
	n += 17 + image_record(p + n + 17, NULL, 300, 1, "\xc0\0\2\2", 4);
	ck_assert_int_eq(try_image(p, n, 4), 0);
	/* Malformed rdata: an A of three bytes; rdata past the end. */
	n = image_head(p);
	n += image_record(p + n, "www.example.com.", 300, 1, "\xc0\0\2", 3);
	ck_assert_int_eq(try_image(p, n, 4), STATUS_SYNTAX);
	ck_assert_int_eq(try_image(p, n - 1, 4), STATUS_SYNTAX);
	/* Records that break a zone rule (CNAME and other data). */
	n = image_head(p);
	n += image_record(p + n, "www.example.com.", 300, 1, "\xc0\0\2\2", 4);
	n += image_record(p + n, NULL, 300, 5, "\2ns\7example\3com\0", 16);
	ck_assert_int_eq(try_image(p, n, 5), STATUS_ZONE_CONTENT);
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
	tcase_add_test(tc, test_zrr_mx_host_names_only_real_hosts);
	tcase_add_test(tc, test_zone_large_random_order_loads_in_canonical_order);
	tcase_add_test(tc, test_zone_load_lines_equals_zone_load);
	tcase_add_test(tc, test_zone_load_parts_equals_whole);
	tcase_add_test(tc, test_lines_reader_refuses_escaped_line_ends);
	tcase_add_test(tc, test_fastline_reads_only_the_writers_lines);
	tcase_add_test(tc, test_zone_write_long_records);
	tcase_add_test(tc, test_zone_write_copies_unchanged_lines);
	tcase_add_test(tc, test_zone_write_follows_progress);
	tcase_add_test(tc, test_zone_image_equals_the_text);
	tcase_add_test(tc, test_zone_image_refuses_what_it_cannot_trust);
	tcase_add_test(tc, test_zone_open_gaps_places_records_after_their_rrsets);
	tcase_add_loop_test(tc, test_zone_finalize_appended_equals_whole, 0,
	    (int)(sizeof(appended) / sizeof(appended[0])));
	tcase_add_test(tc, test_zone_finalize_gaps_equals_whole);
	tcase_add_test(tc, test_zone_finalize_gaps_in_parts_equals_whole);
	tcase_add_test(tc, test_zone_finalize_appended_random);
	tcase_add_test(tc, test_zone_rrset_search);
	tcase_add_test(tc, test_rdata_compare_canonical);
	tcase_add_test(tc, test_zone_include_reports_included_file_and_line);
	tcase_add_test(tc, test_zone_load_drops_only_the_files_pages);
	tcase_add_test(tc, test_serial_policies_never_go_backwards);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
