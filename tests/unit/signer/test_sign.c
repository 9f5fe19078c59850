/* Unit tests for signer/sign: zones large enough for the signer's fast paths. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/encode.h"
#include "common/status.h"
#include "keys/dnskey.h"
#include "keys/keystore.h"
#include "../keys/keytest.h"
#include "signer/signer.h"
#include "signer/signer_internal.h"
#include "zones/dname.h"
#include "zones/zone.h"
#include "../unit.h"

#define NOW 1795305600   /* 20261122000000 */

static char *dir;
static struct keyset *keys;

static void
setup(void)
{
	keys = kt_golden_keyset(&dir);
}

static void
teardown(void)
{
	keyset_free(keys);
	kt_rmtree(dir);
}

/*
 * 6000 names in shuffled order (hosts, delegations with DS, names under
 * empty non-terminals): more than the keyed sort and the NSEC3 hash
 * buckets need to be used. The signed zone must check in full: every
 * NSEC3 owner and next hash in order, every signature good.
 */
START_TEST(test_sign_large_shuffled_zone_checks_in_full)
{
	enum { NAMES = 6000 };
	static const char head[] = "$ORIGIN example.com.\n$TTL 3600\n"
	    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
	    "@ NS ns1\nns1 A 192.0.2.1\n";
	char (*lines)[128] = calloc(NAMES, sizeof(*lines));
	char *text = malloc(sizeof(head) + NAMES * 128), path[PATH_MAX];
	unsigned seed = 20261129;
	size_t len, checked = 0, count;
	struct zone *z = NULL;
	struct sign_policy p;
	struct sign_stats st;
	struct diag d;

	ck_assert_ptr_nonnull(lines);
	ck_assert_ptr_nonnull(text);
	for (unsigned i = 0; i < NAMES; i++) {
		if (i % 3 == 0)
			snprintf(lines[i], 128, "Host%u A 192.0.2.%u\n", i, i % 250);
		else if (i % 3 == 1)
			snprintf(lines[i], 128, "d%u NS ns.other.\nd%u DS %u 13 2 "
			    "%064u\n", i, i, i, i);
		else
			snprintf(lines[i], 128, "x.ent%u.deep TXT \"%u\"\n", i, i);
	}
	for (unsigned i = NAMES - 1; i > 0; i--) {
		unsigned j = (unsigned)rand_r(&seed) % (i + 1);
		char t[128];
		memcpy(t, lines[i], 128);
		memcpy(lines[i], lines[j], 128);
		memcpy(lines[j], t, 128);
	}
	len = (size_t)snprintf(text, sizeof(head), "%s", head);
	for (unsigned i = 0; i < NAMES; i++)
		len += (size_t)snprintf(text + len, 128, "%s", lines[i]);
	kt_write(dir, "large.zone", text, 0644);
	kt_path(path, sizeof(path), dir, "large.zone");
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	sign_policy_init(&p);
	p.verify_sample = false;
	ck_assert_int_eq(signer_sign_zone(z, keys, &p, NOW, NULL, &st, &d), 0);
	ck_assert_int_eq(signer_verify_zone(z, NOW, 2, &checked, &d), 0);
	zone_records(z, &count);
	ck_assert_uint_gt(count, 4 * NAMES);
	ck_assert_uint_ge(checked, st.signatures_made);
	zone_free(z);
	free(lines);
	free(text);
}
END_TEST

/*
 * The RRsets to sign, listed in parts on every CPU (a zone of 65536
 * records and more), are those a walk over the RRsets finds: no RRset at
 * a part's edge lost or listed twice, none at a cut but DS, no glue.
 */
START_TEST(test_signed_rrsets_in_parts_match_a_walk)
{
	enum { NAMES = 24000 };
	static const char head[] = "$ORIGIN example.com.\n$TTL 3600\n"
	    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
	    "@ NS ns1\nns1 A 192.0.2.1\n";
	char *text = malloc(sizeof(head) + NAMES * 200), path[PATH_MAX];
	size_t len, count, n, k = 0, *rrsets;
	struct zone *z = NULL;
	const struct zrr *rr;
	struct diag d;

	ck_assert_ptr_nonnull(text);
	len = (size_t)snprintf(text, sizeof(head), "%s", head);
	for (unsigned i = 0; i < NAMES; i++) {
		if (i % 2 == 1) {
			len += (size_t)snprintf(text + len, 200, "d%u NS ns.d%u\n"
			    "d%u DS %u 13 2 %064u\nns.d%u A 192.0.2.3\n", i, i,
			    i, i, i, i);
			continue;
		}
		/* RRsets of 1 to 5 records, so that parts begin inside some. */
		for (unsigned a = 0; a <= i % 5; a++)
			len += (size_t)snprintf(text + len, 200,
			    "h%u A 192.0.2.%u\n", i, a + 1);
		len += (size_t)snprintf(text + len, 200, "h%u AAAA 2001:db8::1\n", i);
	}
	kt_write(dir, "parts.zone", text, 0644);
	kt_path(path, sizeof(path), dir, "parts.zone");
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	rr = zone_records(z, &count);
	ck_assert_uint_ge(count, 65536);
	ck_assert_ptr_nonnull(rrsets = signed_rrsets(z, 2, &n));
	for (size_t i = 0; i < count; i = zone_rrset_end(z, i)) {
		if (!zrr_is_authoritative(&rr[i]))
			continue;
		ck_assert_uint_lt(k, n);
		ck_assert_uint_eq(rrsets[k], i);
		k++;
	}
	ck_assert_uint_eq(k, n);
	/* Apex SOA, NS; ns1's A; each host's A and AAAA; each delegation's DS. */
	ck_assert_uint_eq(n, 3 + NAMES / 2 * 2 + NAMES / 2);
	free(rrsets);
	zone_free(z);
	free(text);
}
END_TEST

/* A small zone: apex, a name server and a host. */
static const char small_zone[] = "$ORIGIN example.com.\n$TTL 3600\n"
    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
    "@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.2\n";

/* z written out as text into *text (caller frees). */
static void
zone_text(const struct zone *z, char **text)
{
	size_t len = 0;
	FILE *f;

	ck_assert_ptr_nonnull(f = open_memstream(text, &len));
	ck_assert_int_eq(zone_write(z, f, 1, NULL, NULL, NULL), 0);
	ck_assert_int_eq(fclose(f), 0);
}

/* text written as name in dir, and read back. */
static struct zone *
zone_from_text(const char *name, const char *text)
{
	char path[PATH_MAX];
	struct zone *z = NULL;
	struct diag d;

	kt_write(dir, name, text, 0644);
	kt_path(path, sizeof(path), dir, name);
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	return z;
}

/*
 * The gate names what it refuses with check's finding codes: a small zone
 * signed, written, broken in one line and read back.
 */
static const struct gate_case {
	const char *find;       /* the first line holding this is changed */
	const char *replace;    /* its new text; NULL: it goes, with the next */
	const char *code;       /* the gate's text starts with it */
} gate_cases[] = {
	{ "www.example.com.\t3600\tIN\tRRSIG\tA ", "www.example.com.\t3600\tIN\tRRSIG\tA 15 3 "
	    "3600 20261206000000 20261121230000 1 example.com. "
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAA", "sig-unknown-key: " },
	{ "www.example.com.\t3600\tIN\tRRSIG\tA ", "", "rrset-unsigned: " },
	{ "www.example.com.\t3600\tIN\tA\t", "www.example.com.\t3600\tIN\tA\t"
	    "192.0.2.99", "sig-bogus: " },
	{ "\tNSEC3\t1 ", NULL, "chain-broken: " },
	{ "\tRRSIG\tNS ", "example.com.\t3600\tIN\tRRSIG\tA 15 2 3600 "
	    "20261206000000 20261121230000 217 example.com. AAAA", "sig-orphan: " },
};

START_TEST(test_gate_names_check_codes)
{
	const struct gate_case *c = &gate_cases[_i];
	char *text = NULL, *line, *save, *out;
	size_t olen = 0;
	bool changed = false;
	struct zone *z;
	struct sign_policy p;
	struct diag d;
	FILE *f;

	z = zone_from_text("small.zone", small_zone);
	sign_policy_init(&p);
	ck_assert_int_eq(signer_sign_zone(z, keys, &p, NOW, NULL, NULL, &d), 0);
	zone_text(z, &text);
	zone_free(z);
	ck_assert_ptr_nonnull(f = open_memstream(&out, &olen));
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (!changed && strstr(line, c->find) != NULL) {
			changed = true;
			if (c->replace == NULL)
				line = strtok_r(NULL, "\n", &save);
			else if (*c->replace != '\0')
				fprintf(f, "%s\n", c->replace);
			continue;
		}
		fprintf(f, "%s\n", line);
	}
	fclose(f);
	ck_assert_msg(changed, "case %d: no line with %s", _i, c->find);
	z = zone_from_text("broken.zone", out);
	diag_clear(&d);
	ck_assert_int_ne(signer_verify_zone(z, NOW, 1, NULL, &d), 0);
	ck_assert_msg(strncmp(d.text, c->code, strlen(c->code)) == 0,
	    "case %d: want %s..., got %s", _i, c->code, d.text);
	zone_free(z);
	free(text);
	free(out);
}
END_TEST

/* The self-check with keys, of text read as name, finds a bogus signature. */
static void
assert_self_check_refuses(const char *name, const char *text,
    const struct keyset *ks)
{
	struct zone *z = zone_from_text(name, text);
	struct sign_policy p;
	struct diag d;

	sign_policy_init(&p);
	diag_clear(&d);
	ck_assert_int_eq(signer_verify_signed(z, ks, &p, NOW, NULL, &d),
	    STATUS_BAD_SIGNATURE);
	ck_assert_msg(strncmp(d.text, "sig-bogus: ", 11) == 0, "%s", d.text);
	zone_free(z);
}

/*
 * With the signing keys at hand, the self-check checks ECDSA signatures
 * with the private key. It must still verify every new signature of a
 * small zone, and refuse a damaged signature and signed data that
 * changed, as verification with the public keys does.
 */
START_TEST(test_self_check_with_own_ecdsa_keys)
{
	char keydir[PATH_MAX], *text = NULL, *at, *end;
	struct keyset *ecdsa = NULL;
	struct keyring kr;
	struct zone *z;
	struct sign_policy p;
	struct sign_stats st;
	struct diag d;

	kt_path(keydir, sizeof(keydir), dir, "ecdsa");
	ck_assert_int_eq(keystore_init_zone(keydir, "example.com", 13, 0, false,
	    NOW, &ecdsa, &d), 0);
	z = zone_from_text("small.zone", small_zone);
	sign_policy_init(&p);
	p.threads = 2;
	ck_assert_int_eq(signer_sign(z, ecdsa, &p, NOW, NULL, NULL, &st, &d), 0);
	ck_assert_int_eq(signer_verify_signed(z, ecdsa, &p, NOW, &st, &d), 0);
	ck_assert_uint_gt(st.signatures_made, 5);
	ck_assert_uint_eq(st.signatures_checked, st.signatures_made);
	/* Both keys' DNSKEYs check with the private key; without keys, none. */
	ck_assert_int_eq(keyring_load(z, ecdsa, &kr), 0);
	ck_assert_uint_eq(kr.n, 2);
	for (size_t i = 0; i < kr.n; i++)
		ck_assert(dnskey_verifier_uses_private(kr.v[i]));
	keyring_free(&kr);
	ck_assert_int_eq(keyring_load(z, NULL, &kr), 0);
	for (size_t i = 0; i < kr.n; i++)
		ck_assert(!dnskey_verifier_uses_private(kr.v[i]));
	keyring_free(&kr);
	zone_text(z, &text);
	zone_free(z);

	/* One base64 digit of www's A signature changed. */
	at = strstr(text, "www.example.com.\t3600\tIN\tRRSIG\tA ");
	ck_assert_ptr_nonnull(at);
	end = strchr(at, '\n');
	ck_assert_ptr_nonnull(end);
	end[-10] = end[-10] == 'A' ? 'B' : 'A';
	assert_self_check_refuses("sig.zone", text, ecdsa);
	end[-10] = end[-10] == 'A' ? 'B' : 'A';

	/* The data it signs changed. */
	at = strstr(text, "www.example.com.\t3600\tIN\tA\t192.0.2.2\n");
	ck_assert_ptr_nonnull(at);
	at[strlen("www.example.com.\t3600\tIN\tA\t192.0.2.")] = '9';
	assert_self_check_refuses("data.zone", text, ecdsa);
	free(text);
	keyset_free(ecdsa);
}
END_TEST

/* The line of text at which at is (1: the first). */
static unsigned long
line_of(const char *text, const char *at)
{
	unsigned long line = 1;

	for (const char *c = text; c < at; c++)
		line += *c == '\n';
	return line;
}

/*
 * The self-check makes its checks with the private key in batches, which
 * answer after the RRsets they cover were read. What it refuses is still
 * the first problem in the zone's order: a damaged signature (b) or a
 * missing one (u), whichever comes first, on one thread or two.
 */
static const struct batch_case {
	unsigned bogus, unsigned_, first;   /* hosts; 0: none */
	const char *code;
} batch_cases[] = {
	{ 250, 0, 250, "sig-bogus: " },
	{ 150, 152, 150, "sig-bogus: " },
	{ 152, 150, 150, "rrset-unsigned: " },
	{ 151, 152, 151, "sig-bogus: " },
	{ 152, 151, 151, "rrset-unsigned: " },
};

START_TEST(test_self_check_batches_report_the_first_problem)
{
	enum { HOSTS = 400 };
	const struct batch_case *c = &batch_cases[_i / 2];
	char keydir[PATH_MAX], *zone = malloc(HOSTS * 32 + 256), *text = NULL;
	char find[64], *at, *end;
	struct keyset *ecdsa = NULL;
	struct zone *z;
	struct sign_policy p;
	struct diag d;
	size_t len;

	ck_assert_ptr_nonnull(zone);
	len = (size_t)sprintf(zone, "%s", "$ORIGIN example.com.\n$TTL 3600\n"
	    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n@ NS ns1\n"
	    "ns1 A 192.0.2.1\n");
	/* The second damaged host's A RRset has two records. */
	for (unsigned h = 1; h <= HOSTS; h++)
		len += (size_t)sprintf(zone + len, "h%03u A 192.0.2.%u\n%s", h,
		    h % 250, h == 151 ? "h151 A 192.0.2.251\n" : "");
	kt_path(keydir, sizeof(keydir), dir, "batch");
	ck_assert_int_eq(keystore_init_zone(keydir, "example.com", 13, 0, false,
	    NOW, &ecdsa, &d), 0);
	z = zone_from_text("hosts.zone", zone);
	sign_policy_init(&p);
	p.threads = 1 + (unsigned)(_i % 2);
	ck_assert_int_eq(signer_sign(z, ecdsa, &p, NOW, NULL, NULL, NULL, &d), 0);
	zone_text(z, &text);
	zone_free(z);
	if (c->bogus != 0) {
		snprintf(find, sizeof(find), "h%03u.example.com.\t3600\tIN\t"
		    "RRSIG\tA ", c->bogus);
		ck_assert_ptr_nonnull(at = strstr(text, find));
		ck_assert_ptr_nonnull(end = strchr(at, '\n'));
		end[-10] = end[-10] == 'A' ? 'B' : 'A';
	}
	if (c->unsigned_ != 0) {
		snprintf(find, sizeof(find), "h%03u.example.com.\t3600\tIN\t"
		    "RRSIG\tA ", c->unsigned_);
		ck_assert_ptr_nonnull(at = strstr(text, find));
		ck_assert_ptr_nonnull(end = strchr(at, '\n'));
		memmove(at, end + 1, strlen(end + 1) + 1);
	}
	snprintf(find, sizeof(find), "h%03u.example.com.\t3600\tIN\tA\t",
	    c->first);
	ck_assert_ptr_nonnull(at = strstr(text, find));
	z = zone_from_text("damaged.zone", text);
	diag_clear(&d);
	ck_assert_int_eq(signer_verify_signed(z, ecdsa, &p, NOW, NULL, &d),
	    STATUS_BAD_SIGNATURE);
	ck_assert_msg(strncmp(d.text, c->code, strlen(c->code)) == 0,
	    "case %d: want %s..., got %s", _i, c->code, d.text);
	ck_assert_uint_eq(d.line, line_of(text, at));
	zone_free(z);
	free(text);
	free(zone);
	keyset_free(ecdsa);
}
END_TEST

/* text written as name in dir and read, with an NSEC3PARAM (1 0 0 -) at its apex. */
static struct zone *
nsec3_zone(const char *name, const char *text)
{
	static const uint8_t param[5] = { 1, 0, 0, 0, 0 };
	char path[PATH_MAX];
	struct zone *z = NULL;
	struct diag d;

	kt_write(dir, name, text, 0644);
	kt_path(path, sizeof(path), dir, name);
	ck_assert_msg(zone_load(path, "example.com.", 3600, &z, &d) == 0,
	    "%s", d.text);
	ck_assert_int_eq(zone_add(z, zone_origin(z), RRTYPE_NSEC3PARAM, 0,
	    param, sizeof(param)), 0);
	ck_assert_int_eq(zone_finalize(z, &d), 0);
	return z;
}

/*
 * A chain over a zone large enough that its names are found in several
 * parts at once, the same empty non-terminal reached from each: one NSEC3
 * per name the test counts itself, with and without opt-out, and the
 * chain checks (with other parts, the zone having grown).
 */
START_TEST(test_nsec3_chain_from_parts)
{
	enum { NAMES = 39999 };   /* a multiple of 3 */
	bool opt_out = _i == 1;
	size_t len = 0, count, nsec3 = 0, want;
	char *text = malloc(NAMES * 64 + 256);
	const struct zrr *rr;
	struct zone *z = NULL;
	struct sign_policy p;
	struct diag d;

	ck_assert_ptr_nonnull(text);
	len += (size_t)sprintf(text, "$ORIGIN example.com.\n$TTL 3600\n"
	    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
	    "@ NS ns1\nns1 A 192.0.2.1\n");
	for (unsigned i = 0; i < NAMES; i++)
		len += (size_t)sprintf(text + len, i % 3 == 0 ? "h%u A 192.0.2.1\n" :
		    i % 3 == 1 ? "d%u NS ns.other.\n" : "x.e%u.deep TXT \"t\"\n", i);
	z = nsec3_zone("parts.zone", text);
	zone_records(z, &count);
	ck_assert_uint_gt(count, 2 * 16384);
	sign_policy_init(&p);
	p.opt_out = opt_out;
	p.threads = 2;
	ck_assert_msg(nsec3_build_chain(z, &p, 300, NULL, NULL, &d) == 0, "%s", d.text);
	ck_assert_int_eq(zone_finalize(z, &d), 0);
	ck_assert_msg(denial_verify_chain(z, 2, &d) == 0, "%s", d.text);
	rr = zone_records(z, &count);
	for (size_t i = 0; i < count; i++)
		nsec3 += rr[i].type == RRTYPE_NSEC3;
	/* apex, ns1, hosts, delegations (not with opt-out), x.eN.deep, eN.deep, deep */
	want = 2 + NAMES / 3 + (opt_out ? 0 : NAMES / 3) + 2 * (NAMES / 3) + 1;
	ck_assert_uint_eq(nsec3, want);

	/*
	 * Built again over the zone with a name added and one name's types
	 * changed, with the first as the previous output: the chain checks,
	 * and each NSEC3 record that is the same as before (owner, TTL,
	 * rdata) is the previous one's memory; the changed ones are not.
	 */
	struct zone *z2 = NULL;
	struct nsec3_names *names = NULL;
	size_t count2, shared = 0, fresh = 0;
	len += (size_t)sprintf(text + len, "added A 192.0.2.9\nh0 TXT \"t\"\n");
	z2 = nsec3_zone("parts.zone", text);
	p.trust_previous = true;
	ck_assert_msg(nsec3_build_chain(z2, &p, 300, z, &names, &d) == 0, "%s",
	    d.text);
	ck_assert_ptr_nonnull(names);
	ck_assert_int_eq(zone_finalize(z2, &d), 0);
	/* Checked with the names it was built over, moved to the records' new places. */
	ck_assert_msg(nsec3_verify_built_chain(z2, 2, names, &d) == 0, "%s",
	    d.text);
	nsec3_names_free(names);
	const struct zrr *rr2 = zone_records(z2, &count2);
	for (size_t i = 0; i < count2; i++) {
		if (rr2[i].type != RRTYPE_NSEC3)
			continue;
		size_t j = zone_rrset_search(z, &rr2[i]);
		bool same = j < count && rr[j].type == RRTYPE_NSEC3 &&
		    dname_equal(rr[j].owner, rr2[i].owner) &&
		    rr[j].rdlen == rr2[i].rdlen &&
		    memcmp(rr[j].rdata, rr2[i].rdata, rr2[i].rdlen) == 0;
		ck_assert(same == (j < count && rr2[i].rdata == rr[j].rdata));
		ck_assert(!same || rr2[i].owner == rr[j].owner);
		/* Found as it was: trusted (the previous output is). */
		ck_assert(same == ((rr2[i].flags & ZRR_TRUSTED) != 0));
		shared += same;
		fresh += !same;
	}
	/* The new name's, the one before it in the chain's, and h0's. */
	ck_assert_uint_eq(shared + fresh, want + 1);
	ck_assert_uint_eq(fresh, 3);

	/*
	 * What the check still finds with trusted records: a next hash
	 * wrong in any record; a type bitmap wrong in a new record, and in a
	 * trusted one that the sample takes. The k-th NSEC3 record in the
	 * zone's order is the k-th in hash order.
	 */
	size_t offset = trusted_offset(zone_serial(z2), TRUSTED_SAMPLE);
	size_t k = 0, trusted_any = SIZE_MAX, sampled = SIZE_MAX,
	    new_one = SIZE_MAX;
	for (size_t i = 0; i < count2; i++) {
		if (rr2[i].type != RRTYPE_NSEC3)
			continue;
		bool trusted = rr2[i].flags & ZRR_TRUSTED;
		if (trusted && trusted_any == SIZE_MAX)
			trusted_any = i;
		if (trusted && (k + offset) % TRUSTED_SAMPLE == 0 &&
		    sampled == SIZE_MAX)
			sampled = i;
		if (!trusted && new_one == SIZE_MAX)
			new_one = i;
		k++;
	}
	ck_assert(trusted_any != SIZE_MAX && sampled != SIZE_MAX &&
	    new_one != SIZE_MAX);
	const size_t at[3] = { trusted_any, sampled, new_one };
	for (size_t c = 0; c < 3; c++) {
		/* The test changes the zone's record in place (it owns z2). */
		struct zrr *w = (struct zrr *)(uintptr_t)&rr2[at[c]];
		const uint8_t *kept = w->rdata;
		uint8_t bad[512];
		/* Next hash: after the flags, iterations, salt and hash lengths. */
		size_t byte = c == 0 ? 6 + (size_t)kept[4] : (size_t)w->rdlen - 1;

		ck_assert_uint_le(w->rdlen, sizeof(bad));
		memcpy(bad, kept, w->rdlen);
		bad[byte] ^= c == 0 ? 0x01 : 0x02;
		w->rdata = bad;
		ck_assert_int_eq(nsec3_verify_built_chain(z2, 2, NULL, &d),
		    STATUS_CHAIN);
		w->rdata = kept;
	}
	ck_assert_msg(nsec3_verify_built_chain(z2, 2, NULL, &d) == 0, "%s",
	    d.text);
	zone_free(z2);
	zone_free(z);
	free(text);
}
END_TEST

/*
 * A name of the zone that is the NSEC3 owner of another name: once the
 * chain is in, that name holds an NSEC3 record and others, and leaves the
 * chain. The check refuses the zone, with the build's names or without.
 */
START_TEST(test_nsec3_owner_on_a_name_is_refused)
{
	uint8_t www[DNAME_MAX_LENGTH], hash[20];
	char label[40], text[512];
	struct nsec3_names *names = NULL;
	struct zone *z = NULL;
	struct sign_policy p;
	struct diag d;

	ck_assert_int_eq(dname_parse("www.example.com.", www), 0);
	ck_assert_int_eq(nsec3_hash_name(www, 1, 0, NULL, 0, hash), 0);
	label[base32hex_encode(hash, sizeof(hash), label)] = '\0';
	snprintf(text, sizeof(text), "$ORIGIN example.com.\n$TTL 3600\n"
	    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
	    "@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.2\n%s TXT \"x\"\n",
	    label);
	z = nsec3_zone("clash.zone", text);
	sign_policy_init(&p);
	ck_assert_int_eq(nsec3_build_chain(z, &p, 300, NULL, &names, &d), 0);
	ck_assert_int_eq(zone_finalize(z, &d), 0);
	ck_assert_int_eq(nsec3_verify_built_chain(z, 1, names, &d), STATUS_CHAIN);
	ck_assert_int_eq(denial_verify_chain(z, 1, &d), STATUS_CHAIN);
	nsec3_names_free(names);
	zone_free(z);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sign");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sign_large_shuffled_zone_checks_in_full);
	tcase_add_test(tc, test_signed_rrsets_in_parts_match_a_walk);
	tcase_add_loop_test(tc, test_nsec3_chain_from_parts, 0, 2);
	tcase_add_test(tc, test_nsec3_owner_on_a_name_is_refused);
	tcase_add_loop_test(tc, test_gate_names_check_codes, 0,
	    (int)(sizeof(gate_cases) / sizeof(gate_cases[0])));
	tcase_add_test(tc, test_self_check_with_own_ecdsa_keys);
	tcase_add_loop_test(tc, test_self_check_batches_report_the_first_problem,
	    0, 2 * (int)(sizeof(batch_cases) / sizeof(batch_cases[0])));
	suite_add_tcase(s, tc);
	return unit_run(s);
}
