/*
 * Unit tests for signer/proof: denial proofs as servers send them, from the
 * RFC 5155 Appendix B responses (NSEC3) and a small NSEC chain; a proof
 * missing any one of its records is refused.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/encode.h"
#include "signer/check.h"
#include "signer/signer_internal.h"
#include "zones/dname.h"
#include "../unit.h"

/* Records built for one test; their storage lives here. */
struct recs {
	struct zrr rr[8];
	uint8_t owner[8][DNAME_MAX_LENGTH];
	uint8_t rdata[8][512];
	size_t n;
};

static uint8_t apex[DNAME_MAX_LENGTH];

/* An NSEC3 record of the RFC 5155 Appendix A zone (1 1 12 aabbccdd). */
static void
add_nsec3(struct recs *r, const char *owner_hash, const char *next_hash,
    const uint16_t *types, size_t ntypes)
{
	char owner[128];
	uint8_t *d = r->rdata[r->n];
	struct bytes bm = { 0 };
	size_t len = 0;

	snprintf(owner, sizeof(owner), "%s.example", owner_hash);
	ck_assert_int_eq(dname_parse(owner, r->owner[r->n]), 0);
	d[len++] = 1;                       /* SHA-1 */
	d[len++] = 1;                       /* opt-out */
	d[len++] = 0;
	d[len++] = 12;
	d[len++] = 4;
	memcpy(d + len, "\xaa\xbb\xcc\xdd", 4);
	len += 4;
	d[len++] = 20;
	ck_assert_uint_eq(base32hex_decode(next_hash, 32, d + len, 20), 20);
	len += 20;
	ck_assert_int_eq(typemap_encode(types, ntypes, &bm), 0);
	if (bm.len > 0)
		memcpy(d + len, bm.data, bm.len);
	len += bm.len;
	bytes_free(&bm);
	r->rr[r->n] = (struct zrr){ .owner = r->owner[r->n], .rdata = d,
	    .rdlen = (uint16_t)len, .type = RRTYPE_NSEC3, .ttl = 3600 };
	r->n++;
}

static void
add_nsec(struct recs *r, const char *owner, const char *next,
    const uint16_t *types, size_t ntypes)
{
	uint8_t *d = r->rdata[r->n];
	struct bytes bm = { 0 };
	size_t len;

	ck_assert_int_eq(dname_parse(owner, r->owner[r->n]), 0);
	ck_assert_int_eq(dname_parse(next, d), 0);
	len = dname_length(d);
	ck_assert_int_eq(typemap_encode(types, ntypes, &bm), 0);
	if (bm.len > 0)
		memcpy(d + len, bm.data, bm.len);
	len += bm.len;
	bytes_free(&bm);
	r->rr[r->n] = (struct zrr){ .owner = r->owner[r->n], .rdata = d,
	    .rdlen = (uint16_t)len, .type = RRTYPE_NSEC, .ttl = 3600 };
	r->n++;
}

/* Does recs, less record skip (r->n: none), prove the denial? */
static bool
proves(const struct recs *r, size_t skip, const char *qname, uint16_t qtype,
    enum denial_kind kind, unsigned labels, char *why)
{
	struct zrr v[8];
	uint8_t q[DNAME_MAX_LENGTH];
	size_t n = 0;

	ck_assert_int_eq(dname_parse(qname, q), 0);
	for (size_t i = 0; i < r->n; i++)
		if (i != skip)
			v[n++] = r->rr[i];
	return check_denial_proof(v, n, apex, q, qtype, kind, labels, why, 200);
}

static const uint16_t t_apex[] = { 2, 6, 15, 46, 48, 51 };
static const uint16_t t_mx_rrsig[] = { 15, 46 };
static const uint16_t t_ns_ds[] = { 2, 43, 46 };
static const uint16_t t_a_rrsig[] = { 1, 46 };

/* B.1: a.c.x.w.example does not exist, nor does *.x.w.example. */
START_TEST(test_nsec3_name_error_rfc5155_b1)
{
	struct recs r = { .n = 0 };
	char why[200];

	ck_assert_int_eq(dname_parse("example", apex), 0);
	add_nsec3(&r, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom",
	    "2t7b4g4vsa5smi47k61mv5bv1a22bojr", t_apex, 6);
	add_nsec3(&r, "b4um86eghhds6nea196smvmlo4ors995",
	    "gjeqe526plbf1g8mklp59enfd789njgi", t_mx_rrsig, 2);
	add_nsec3(&r, "35mthgpgcu1qg68fab165klnsnk3dpvl",
	    "b4um86eghhds6nea196smvmlo4ors995", t_ns_ds, 3);
	ck_assert_msg(proves(&r, r.n, "a.c.x.w.example", 1, DENIAL_NXDOMAIN, 0,
	    why), "%s", why);
	/* Each record is needed: next closer, closest encloser, wildcard. */
	ck_assert(!proves(&r, 0, "a.c.x.w.example", 1, DENIAL_NXDOMAIN, 0, why));
	ck_assert_ptr_nonnull(strstr(why, "next closer name c.x.w.example."));
	ck_assert(!proves(&r, 1, "a.c.x.w.example", 1, DENIAL_NXDOMAIN, 0, why));
	ck_assert(!proves(&r, 2, "a.c.x.w.example", 1, DENIAL_NXDOMAIN, 0, why));
	ck_assert_ptr_nonnull(strstr(why, "wildcard *.x.w.example."));
	/* x.w.example exists: the same records cannot deny it. */
	ck_assert(!proves(&r, r.n, "x.w.example", 1, DENIAL_NXDOMAIN, 0, why));
	ck_assert_ptr_nonnull(strstr(why, "exists"));
}
END_TEST

/* B.2: ns1.example has an A record but no MX. */
START_TEST(test_nsec3_no_data_rfc5155_b2)
{
	struct recs r = { .n = 0 };
	char why[200];

	ck_assert_int_eq(dname_parse("example", apex), 0);
	add_nsec3(&r, "2t7b4g4vsa5smi47k61mv5bv1a22bojr",
	    "2vptu5timamqttgl4luu9kg21e0aor3s", t_a_rrsig, 2);
	ck_assert_msg(proves(&r, r.n, "ns1.example", 15, DENIAL_NODATA, 0, why),
	    "%s", why);
	ck_assert(!proves(&r, r.n, "ns1.example", 1, DENIAL_NODATA, 0, why));
	ck_assert(!proves(&r, r.n, "ns2.example", 15, DENIAL_NODATA, 0, why));
}
END_TEST

/* B.4: a.z.w.example MX, made from *.w.example (RRSIG labels 2). */
START_TEST(test_nsec3_wildcard_expansion_rfc5155_b4)
{
	struct recs r = { .n = 0 };
	char why[200];

	ck_assert_int_eq(dname_parse("example", apex), 0);
	add_nsec3(&r, "q04jkcevqvmu85r014c7dkba38o0ji5r",
	    "r53bq7cc2uvmubfu5ocmm6pers9tk9en", t_a_rrsig, 2);
	ck_assert_msg(proves(&r, r.n, "a.z.w.example", 15, DENIAL_WILDCARD, 2,
	    why), "%s", why);
	ck_assert(!proves(&r, 0, "a.z.w.example", 15, DENIAL_WILDCARD, 2, why));
	/* Claimed labels that leave nothing expanded. */
	ck_assert(!proves(&r, r.n, "a.z.w.example", 15, DENIAL_WILDCARD, 3, why));
}
END_TEST

/* B.5: a.z.w.example AAAA: *.w.example exists, with MX only. */
START_TEST(test_nsec3_wildcard_no_data_rfc5155_b5)
{
	struct recs r = { .n = 0 };
	char why[200];

	ck_assert_int_eq(dname_parse("example", apex), 0);
	add_nsec3(&r, "k8udemvp1j2f7eg6jebps17vp3n8i58h",
	    "kohar7mbb8dc2ce8a9qvl8hon4k53uhi", NULL, 0);
	add_nsec3(&r, "q04jkcevqvmu85r014c7dkba38o0ji5r",
	    "r53bq7cc2uvmubfu5ocmm6pers9tk9en", t_a_rrsig, 2);
	add_nsec3(&r, "r53bq7cc2uvmubfu5ocmm6pers9tk9en",
	    "t644ebqk9bibcna874givr6joj62mlhv", t_mx_rrsig, 2);
	ck_assert_msg(proves(&r, r.n, "a.z.w.example", 28,
	    DENIAL_WILDCARD_NODATA, 0, why), "%s", why);
	for (size_t i = 0; i < r.n; i++)
		ck_assert_msg(!proves(&r, i, "a.z.w.example", 28,
		    DENIAL_WILDCARD_NODATA, 0, why), "proven without record %zu", i);
	ck_assert(!proves(&r, r.n, "a.z.w.example", 15, DENIAL_WILDCARD_NODATA,
	    0, why));
	ck_assert_ptr_nonnull(strstr(why, "lists the type"));
}
END_TEST

/* NSEC: c.example between b and d, the wildcard between the apex and a. */
START_TEST(test_nsec_name_error_and_no_data)
{
	struct recs r = { .n = 0 };
	char why[200];

	ck_assert_int_eq(dname_parse("example", apex), 0);
	add_nsec(&r, "b.example", "d.example", t_a_rrsig, 2);
	add_nsec(&r, "example", "a.example", t_apex, 6);
	ck_assert_msg(proves(&r, r.n, "c.example", 1, DENIAL_NXDOMAIN, 0, why),
	    "%s", why);
	ck_assert(!proves(&r, 0, "c.example", 1, DENIAL_NXDOMAIN, 0, why));
	ck_assert(!proves(&r, 1, "c.example", 1, DENIAL_NXDOMAIN, 0, why));
	ck_assert_ptr_nonnull(strstr(why, "wildcard *.example."));
	/*
	 * Below an existing name: the closest encloser is b.example, and
	 * b.example's NSEC covers both x.b.example and *.b.example.
	 */
	ck_assert_msg(proves(&r, 1, "x.b.example", 1, DENIAL_NXDOMAIN, 0, why),
	    "%s", why);
	ck_assert_msg(proves(&r, r.n, "b.example", 15, DENIAL_NODATA, 0, why),
	    "%s", why);
	ck_assert(!proves(&r, r.n, "b.example", 1, DENIAL_NODATA, 0, why));
	ck_assert(!proves(&r, r.n, "b.example", 1, DENIAL_NXDOMAIN, 0, why));
	/* A wildcard without the type. */
	r.n = 0;
	add_nsec(&r, "b.example", "d.example", t_a_rrsig, 2);
	add_nsec(&r, "*.example", "a.example", t_mx_rrsig, 2);
	ck_assert_msg(proves(&r, r.n, "c.example", 1, DENIAL_WILDCARD_NODATA, 0,
	    why), "%s", why);
	ck_assert(!proves(&r, r.n, "c.example", 15, DENIAL_WILDCARD_NODATA, 0,
	    why));
	ck_assert(!proves(&r, 1, "c.example", 1, DENIAL_WILDCARD_NODATA, 0, why));
	/* The last NSEC wraps to the apex. */
	r.n = 0;
	add_nsec(&r, "z.example", "example", t_a_rrsig, 2);
	add_nsec(&r, "example", "a.example", t_apex, 6);
	ck_assert_msg(proves(&r, r.n, "zz.example", 1, DENIAL_NXDOMAIN, 0, why),
	    "%s", why);
}
END_TEST

/*
 * What validators do not accept: a delegation's or DNAME's record denying
 * names below it (RFC 6840 §4.1), NSEC3 records with unknown flags or
 * hash (RFC 5155 §8.1, §8.2), a wildcard answer whose labels field does
 * not name the closest encloser. And an empty non-terminal's NODATA.
 */
START_TEST(test_proof_follows_validator_rules)
{
	static const uint16_t t_ns[] = { 2, 46, 47 };
	static const uint16_t t_ns3[] = { 2, 43, 46 };
	struct recs r = { .n = 0 };
	char why[200];

	ck_assert_int_eq(dname_parse("example", apex), 0);
	/* B.1 with x.w.example a delegation: it cannot be the closest encloser. */
	add_nsec3(&r, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom",
	    "2t7b4g4vsa5smi47k61mv5bv1a22bojr", t_apex, 6);
	add_nsec3(&r, "b4um86eghhds6nea196smvmlo4ors995",
	    "gjeqe526plbf1g8mklp59enfd789njgi", t_ns3, 3);
	add_nsec3(&r, "35mthgpgcu1qg68fab165klnsnk3dpvl",
	    "b4um86eghhds6nea196smvmlo4ors995", t_ns_ds, 3);
	ck_assert(!proves(&r, r.n, "a.c.x.w.example", 1, DENIAL_NXDOMAIN, 0, why));
	ck_assert_ptr_nonnull(strstr(why, "delegation"));
	/* ... nor deny a type there but DS. */
	ck_assert(!proves(&r, r.n, "x.w.example", 1, DENIAL_NODATA, 0, why));
	ck_assert_msg(proves(&r, r.n, "x.w.example", 43, DENIAL_NODATA, 0, why) ==
	    false, "DS is listed");
	/* Flags other than opt-out: the record is ignored. */
	r.n = 0;
	add_nsec3(&r, "2t7b4g4vsa5smi47k61mv5bv1a22bojr",
	    "2vptu5timamqttgl4luu9kg21e0aor3s", t_a_rrsig, 2);
	r.rdata[0][1] = 0x81;
	ck_assert(!proves(&r, r.n, "ns1.example", 15, DENIAL_NODATA, 0, why));
	ck_assert_ptr_nonnull(strstr(why, "unknown flags"));
	/* NSEC at a delegation above the name. */
	r.n = 0;
	add_nsec(&r, "sub.example", "z.example", t_ns, 3);
	add_nsec(&r, "example", "a.example", t_apex, 6);
	ck_assert(!proves(&r, r.n, "x.sub.example", 1, DENIAL_NXDOMAIN, 0, why));
	ck_assert_ptr_nonnull(strstr(why, "delegation or DNAME above"));
	ck_assert(!proves(&r, r.n, "sub.example", 1, DENIAL_NODATA, 0, why));
	/* A DNAME denies nothing below it, but types at its owner it does. */
	{
		static const uint16_t t_dname[] = { 2, 6, 39, 46, 47, 48 };
		r.n = 0;
		add_nsec(&r, "example", "z.example", t_dname, 6);
		ck_assert_msg(proves(&r, r.n, "example", 65280, DENIAL_NODATA, 0,
		    why), "%s", why);
		ck_assert(!proves(&r, r.n, "x.example", 1, DENIAL_NXDOMAIN, 0, why));
		ck_assert_ptr_nonnull(strstr(why, "delegation or DNAME above"));
	}
	/* A wildcard answer must come from the closest encloser's wildcard. */
	r.n = 0;
	add_nsec(&r, "b.example", "c.example", t_a_rrsig, 2);
	ck_assert(!proves(&r, r.n, "a.b.example", 1, DENIAL_WILDCARD, 1, why));
	ck_assert_msg(proves(&r, r.n, "a.b.example", 1, DENIAL_WILDCARD, 2, why),
	    "%s", why);
	/* An empty non-terminal: covered, the next name below it. */
	r.n = 0;
	add_nsec(&r, "mail.example", "_443._tcp.mail.example", t_a_rrsig, 2);
	ck_assert_msg(proves(&r, r.n, "_tcp.mail.example", 52, DENIAL_NODATA, 0,
	    why), "%s", why);
	ck_assert(!proves(&r, r.n, "_udp.mail.example", 52, DENIAL_NODATA, 0,
	    why));
}
END_TEST

/* Nothing to prove with, or a malformed record: refused, not crashed. */
START_TEST(test_proof_refuses_empty_and_malformed)
{
	struct recs r = { .n = 0 };
	char why[200];

	ck_assert_int_eq(dname_parse("example", apex), 0);
	ck_assert(!proves(&r, r.n, "c.example", 1, DENIAL_NXDOMAIN, 0, why));
	ck_assert_ptr_nonnull(strstr(why, "no NSEC or NSEC3"));
	add_nsec3(&r, "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom",
	    "2t7b4g4vsa5smi47k61mv5bv1a22bojr", t_apex, 6);
	r.rr[0].rdlen = 10;
	ck_assert(!proves(&r, r.n, "c.example", 1, DENIAL_NXDOMAIN, 0, why));
	ck_assert_ptr_nonnull(strstr(why, "malformed"));
	r.n = 0;
	add_nsec(&r, "b.example", "d.example", t_a_rrsig, 2);
	r.rr[0].rdlen = 3;
	ck_assert(!proves(&r, r.n, "c.example", 1, DENIAL_NXDOMAIN, 0, why));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("proof");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_nsec3_name_error_rfc5155_b1);
	tcase_add_test(tc, test_nsec3_no_data_rfc5155_b2);
	tcase_add_test(tc, test_nsec3_wildcard_expansion_rfc5155_b4);
	tcase_add_test(tc, test_nsec3_wildcard_no_data_rfc5155_b5);
	tcase_add_test(tc, test_nsec_name_error_and_no_data);
	tcase_add_test(tc, test_proof_follows_validator_rules);
	tcase_add_test(tc, test_proof_refuses_empty_and_malformed);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
