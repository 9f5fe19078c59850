/* Unit tests for keys/dnskey: tags, DS, verification against RFC vectors. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "keys/dnskey.h"
#include "keytest.h"
#include "../unit.h"

/* RFC 4034 §5.4: the DNSKEY of dskey.example.com. (RSA/SHA-1, key id 60485). */
static const char rfc4034_key[] =
    "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZ"
    "DRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9Xzc"
    "nOf+EPbtG9DMBmADjFDc2w/rljwvFw==";

/* DS vectors: RFC 4509 §2.3, RFC 6605 §6.1 and §6.2, RFC 8080 §6.1. */
static const struct ds_vector {
	const char *name, *owner;
	uint16_t flags;
	uint8_t alg, digest_type;
	const char *key, *ds;
	uint16_t tag;
} ds_vectors[] = {
	{ "RFC 4509 §2.3", "dskey.example.com.", 256, 5, 2, rfc4034_key,
	    "D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A",
	    60485 },
	{ "RFC 6605 §6.1", "example.net.", 257, 13, 2,
	    "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+"
	    "e+MAnLr+Wi9xMWyQLc8NAA==",
	    "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17",
	    55648 },
	{ "RFC 6605 §6.2", "example.net.", 257, 14, 4,
	    "xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RC"
	    "OpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40",
	    "72d7b62976ce06438e9c0bf319013cf801f09ecc84b8d7e9495f27e305c6a9b0"
	    "563a9b5f4d288405c3008a946df983d6",
	    10771 },
	{ "RFC 8080 §6.1", "example.com.", 257, 15, 2,
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
	    "3aa5ab37efce57f737fc1627013fee07bdf241bd10f3b1964ab55c78e79a304b",
	    3613 },
	{ "RFC 8080 §6.2", "example.com.", 257, 16, 2,
	    "3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYU"
	    "cJKm1MDpJtIA", NULL, 9713 },
};

/*
 * Signature vectors. RFC 6605 §6: www.example.net. A 192.0.2.1. RFC 8080
 * §6: example.com. MX 10 mail.example.com.; the RFC prints the RRSIG with
 * labels 3 (and no algorithm field); its erratum gives labels 2 with a
 * second signature. Both are what the keys sign over those bytes.
 */
static const struct sig_vector {
	const char *name;
	uint8_t alg, labels;
	uint32_t expiration, inception;
	const char *owner, *signer, *key, *sig;
} sig_vectors[] = {
	{ "RFC 6605 §6.1 P-256", 13, 3, 1284026679, 1281607479,
	    "www.example.net.", "example.net.",
	    "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+"
	    "e+MAnLr+Wi9xMWyQLc8NAA==",
	    "qx6wLYqmh+l9oCKTN6qIc+bw6ya+KJ8oMz0YP107epXAyGmt+3SNruPFKG7tZoLB"
	    "LlUzGGus7ZwmwWep666VCw==" },
	{ "RFC 6605 §6.2 P-384", 14, 3, 1284027625, 1281608425,
	    "www.example.net.", "example.net.",
	    "xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RC"
	    "OpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40",
	    "/L5hDKIvGDyI1fcARX3z65qrmPsVz73QD1Mr5CEqOiLP95hxQouuroGCeZOvzFax"
	    "sT8Glr74hbavRKayJNuydCuzWTSSPdz7wnqXL5bdcJzusdnI0RSMROxxwGipWcJm"
	    },
	{ "RFC 8080 §6.1 Ed25519 (printed)", 15, 3, 1440021600, 1438207200,
	    "example.com.", "example.com.",
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
	    "Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+eysqcUOMIjWoevFkjH5GaM"
	    "WeG96GUVZu6ECKOQmemHDg==" },
	{ "RFC 8080 §6.1 Ed25519 (erratum)", 15, 2, 1440021600, 1438207200,
	    "example.com.", "example.com.",
	    "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4=",
	    "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M"
	    "3e23mRZ9VrbpMngwcrqNAg==" },
	{ "RFC 8080 §6.2 Ed448 (printed)", 16, 3, 1440021600, 1438207200,
	    "example.com.", "example.com.",
	    "3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYU"
	    "cJKm1MDpJtIA",
	    "Nmc0rgGKpr3GKYXcB1JmqqS4NYwhmechvJTqVzt3jR+Qy/lSLFoIk1L+9e39GPL+"
	    "5tVzDPN3f9kAwiu8KCuPPjtl227ayaCZtRKZuJax7n9NuYlZJIusX0SOIOKBGzG+"
	    "yWYtz1/jjbzl5GGkWvREUCUA" },
};

struct prepared {
	uint8_t key[600], data[600], sig[600];
	size_t keylen, datalen, siglen;
};

static void
prepare(const struct sig_vector *v, struct prepared *p)
{
	uint8_t rdata[64];
	struct kt_rrsig rr = {
		.alg = v->alg, .labels = v->labels, .ttl = 3600,
		.expiration = v->expiration, .inception = v->inception,
		.signer = v->signer, .owner = v->owner, .rdata = rdata,
	};

	p->keylen = kt_dnskey(257, v->alg, v->key, p->key, sizeof(p->key));
	if (v->alg == 15 || v->alg == 16) {
		rr.type = 15;   /* MX */
		rr.rdlen = kt_mx_rdata(rdata);
	} else {
		static const uint8_t a[] = { 192, 0, 2, 1 };
		rr.type = 1;    /* A */
		memcpy(rdata, a, sizeof(a));
		rr.rdlen = sizeof(a);
	}
	rr.tag = dnskey_tag(p->key, p->keylen);
	p->datalen = kt_signing_data(&rr, p->data);
	p->siglen = kt_b64(v->sig, p->sig, sizeof(p->sig));
}

START_TEST(test_dnskey_tag_matches_rfc4034_example)
{
	uint8_t rdata[300];
	size_t len = kt_dnskey(256, 5, rfc4034_key, rdata, sizeof(rdata));

	ck_assert_uint_eq(dnskey_tag(rdata, len), 60485);
	/* Too short to be a DNSKEY: no crash, tag 0. */
	ck_assert_uint_eq(dnskey_tag(rdata, 3), 0);
}
END_TEST

START_TEST(test_dnskey_tag_and_ds_match_rfc_examples)
{
	const struct ds_vector *v = &ds_vectors[_i];
	uint8_t rdata[300], owner[256], ds[64], want[64];
	size_t len, dslen, wantlen;

	len = kt_dnskey(v->flags, v->alg, v->key, rdata, sizeof(rdata));
	ck_assert_msg(dnskey_tag(rdata, len) == v->tag, "%s: tag %u", v->name,
	    dnskey_tag(rdata, len));
	if (v->ds == NULL)
		return;
	kt_name(v->owner, owner);
	wantlen = kt_hex(v->ds, want, sizeof(want));
	ck_assert_int_eq(dnskey_ds_rdata(owner, rdata, len, v->digest_type, ds,
	    &dslen), 0);
	ck_assert_uint_eq(dslen, 4 + wantlen);
	ck_assert_uint_eq((unsigned)(ds[0] << 8 | ds[1]), v->tag);
	ck_assert_uint_eq(ds[2], v->alg);
	ck_assert_uint_eq(ds[3], v->digest_type);
	ck_assert_msg(memcmp(ds + 4, want, wantlen) == 0, "%s: digest differs",
	    v->name);
}
END_TEST

START_TEST(test_dnskey_ds_hashes_owner_in_lower_case)
{
	uint8_t rdata[300], lower[64], upper[64], owner[256];
	size_t len, l1, l2;

	len = kt_dnskey(256, 5, rfc4034_key, rdata, sizeof(rdata));
	kt_name("dskey.example.com.", owner);
	ck_assert_int_eq(dnskey_ds_rdata(owner, rdata, len, DS_DIGEST_SHA256,
	    lower, &l1), 0);
	kt_name("DSKEY.Example.COM.", owner);
	ck_assert_int_eq(dnskey_ds_rdata(owner, rdata, len, DS_DIGEST_SHA256,
	    upper, &l2), 0);
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(lower, upper, l1);
}
END_TEST

START_TEST(test_dnskey_ds_sha1_for_checks_refuses_malformed_input)
{
	static const uint8_t rfc_sha1[] = {   /* RFC 4034 §5.4: DS 60485 5 1 */
		0xec, 0x45, 0x05, 0x01, 0x2b, 0xb1, 0x83, 0xaf, 0x5f, 0x22, 0x58,
		0x81, 0x79, 0xa5, 0x3b, 0x0a, 0x98, 0x63, 0x1f, 0xad, 0x1a, 0x29,
		0x21, 0x18 };
	uint8_t rdata[300], owner[300], ds[64];
	size_t len, dslen = 99;

	len = kt_dnskey(256, 5, rfc4034_key, rdata, sizeof(rdata));
	kt_name("dskey.example.com.", owner);
	/* SHA-1: only to check a parent's DS against ours (keys ds makes none). */
	ck_assert_int_eq(dnskey_ds_rdata(owner, rdata, len, DS_DIGEST_SHA1, ds,
	    &dslen), 0);
	ck_assert_uint_eq(dslen, sizeof(rfc_sha1));
	ck_assert_mem_eq(ds, rfc_sha1, sizeof(rfc_sha1));
	dslen = 99;
	ck_assert_int_eq(dnskey_ds_rdata(owner, rdata, len, 3, ds, &dslen),
	    STATUS_UNSUPPORTED);
	ck_assert_int_eq(dnskey_ds_rdata(owner, rdata, 3, DS_DIGEST_SHA256, ds,
	    &dslen), STATUS_INVAL);
	rdata[2] = 2;   /* protocol must be 3 */
	ck_assert_int_eq(dnskey_ds_rdata(owner, rdata, len, DS_DIGEST_SHA256,
	    ds, &dslen), STATUS_INVAL);
	rdata[2] = 3;
	owner[0] = 64;  /* label too long */
	ck_assert_int_eq(dnskey_ds_rdata(owner, rdata, len, DS_DIGEST_SHA256,
	    ds, &dslen), STATUS_INVAL);
	ck_assert_uint_eq(dslen, 99);
}
END_TEST

START_TEST(test_dnskey_verify_accepts_rfc_signatures)
{
	const struct sig_vector *v = &sig_vectors[_i];
	struct prepared p;

	prepare(v, &p);
	ck_assert_msg(dnskey_verify(p.key, p.keylen, p.data, p.datalen, p.sig,
	    p.siglen) == 0, "%s does not verify", v->name);
}
END_TEST

START_TEST(test_dnskey_verify_rejects_flipped_bits)
{
	const struct sig_vector *v = &sig_vectors[_i];
	struct prepared p;

	prepare(v, &p);
	p.sig[p.siglen / 3] ^= 0x01;
	ck_assert_int_eq(dnskey_verify(p.key, p.keylen, p.data, p.datalen,
	    p.sig, p.siglen), STATUS_BAD_SIGNATURE);
	p.sig[p.siglen / 3] ^= 0x01;
	p.data[p.datalen - 1] ^= 0x80;
	ck_assert_int_eq(dnskey_verify(p.key, p.keylen, p.data, p.datalen,
	    p.sig, p.siglen), STATUS_BAD_SIGNATURE);
	p.data[p.datalen - 1] ^= 0x80;
	/* A signature of the wrong length is no signature. */
	ck_assert_int_eq(dnskey_verify(p.key, p.keylen, p.data, p.datalen,
	    p.sig, p.siglen - 1), STATUS_BAD_SIGNATURE);
}
END_TEST

START_TEST(test_dnskey_verify_refuses_bad_keys)
{
	struct prepared p;
	uint8_t rsa[300];
	size_t rsalen;

	prepare(&sig_vectors[0], &p);
	/* A point that is not on P-256. */
	p.key[10] ^= 0x01;
	ck_assert_int_eq(dnskey_verify(p.key, p.keylen, p.data, p.datalen,
	    p.sig, p.siglen), STATUS_INVAL);
	p.key[10] ^= 0x01;
	ck_assert_int_eq(dnskey_verify(p.key, p.keylen - 1, p.data, p.datalen,
	    p.sig, p.siglen), STATUS_INVAL);
	/* RFC 4035 §5.3.1: a key without the Zone Key flag verifies nothing. */
	p.key[0] = 0;
	ck_assert_int_eq(dnskey_verify(p.key, p.keylen, p.data, p.datalen,
	    p.sig, p.siglen), STATUS_INVAL);
	p.key[0] = 1;
	p.key[3] = 5;
	ck_assert_int_eq(dnskey_verify(p.key, p.keylen, p.data, p.datalen,
	    p.sig, p.siglen), STATUS_UNSUPPORTED);
	p.key[3] = 13;
	ck_assert_int_eq(dnskey_verify(p.key, 3, p.data, p.datalen, p.sig,
	    p.siglen), STATUS_INVAL);
	/* RFC 3110 with an exponent longer than the key. */
	rsalen = kt_dnskey(256, 8, rfc4034_key, rsa, sizeof(rsa));
	rsa[4] = 0xff;
	ck_assert_int_eq(dnskey_verify(rsa, rsalen, p.data, p.datalen, p.sig,
	    p.siglen), STATUS_INVAL);
	/* Intact, it is a 1024-bit RSA key that made no such signature. */
	rsa[4] = 1;
	ck_assert_int_eq(dnskey_verify(rsa, rsalen, p.data, p.datalen, p.sig,
	    p.siglen), STATUS_BAD_SIGNATURE);
}
END_TEST

START_TEST(test_dnssec_alg_names_and_parse)
{
	uint8_t alg = 0;

	ck_assert_str_eq(dnssec_alg_name(8), "RSASHA256");
	ck_assert_str_eq(dnssec_alg_name(13), "ECDSAP256SHA256");
	ck_assert_str_eq(dnssec_alg_name(14), "ECDSAP384SHA384");
	ck_assert_str_eq(dnssec_alg_name(15), "ED25519");
	ck_assert_str_eq(dnssec_alg_name(16), "ED448");
	ck_assert_ptr_null(dnssec_alg_name(5));
	ck_assert(dnssec_alg_is_supported(13));
	ck_assert(!dnssec_alg_is_supported(7));

	ck_assert_int_eq(dnssec_alg_parse("ed25519", &alg), 0);
	ck_assert_uint_eq(alg, 15);
	ck_assert_int_eq(dnssec_alg_parse("ECDSAP384SHA384", &alg), 0);
	ck_assert_uint_eq(alg, 14);
	ck_assert_int_eq(dnssec_alg_parse("rsasha256", &alg), 0);
	ck_assert_uint_eq(alg, 8);
	ck_assert_int_eq(dnssec_alg_parse("16", &alg), 0);
	ck_assert_uint_eq(alg, 16);
	alg = 0;
	ck_assert_int_eq(dnssec_alg_parse("dsa", &alg), STATUS_UNSUPPORTED);
	ck_assert_int_eq(dnssec_alg_parse("5", &alg), STATUS_UNSUPPORTED);
	ck_assert_int_eq(dnssec_alg_parse("013x", &alg), STATUS_UNSUPPORTED);
	ck_assert_int_eq(dnssec_alg_parse("", &alg), STATUS_UNSUPPORTED);
	ck_assert_int_eq(dnssec_alg_parse("-13", &alg), STATUS_UNSUPPORTED);
	ck_assert_uint_eq(alg, 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("dnskey");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dnskey_tag_matches_rfc4034_example);
	tcase_add_loop_test(tc, test_dnskey_tag_and_ds_match_rfc_examples, 0,
	    sizeof(ds_vectors) / sizeof(ds_vectors[0]));
	tcase_add_test(tc, test_dnskey_ds_hashes_owner_in_lower_case);
	tcase_add_test(tc, test_dnskey_ds_sha1_for_checks_refuses_malformed_input);
	tcase_add_loop_test(tc, test_dnskey_verify_accepts_rfc_signatures, 0,
	    sizeof(sig_vectors) / sizeof(sig_vectors[0]));
	tcase_add_loop_test(tc, test_dnskey_verify_rejects_flipped_bits, 0,
	    sizeof(sig_vectors) / sizeof(sig_vectors[0]));
	tcase_add_test(tc, test_dnskey_verify_refuses_bad_keys);
	tcase_add_test(tc, test_dnssec_alg_names_and_parse);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
