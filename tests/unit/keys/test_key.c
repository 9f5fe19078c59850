/* Unit tests for keys/key: generation, BIND key files, signing, bad files. */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "common/diag.h"
#include "common/status.h"
#include "keys/dnskey.h"
#include "keys/key.h"
#include "keys/keys_internal.h"
#include "keytest.h"
#include "../unit.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define NOW 1795305600  /* 20261122000000 */

/* RFC 8080 §6.1, the first Ed25519 example (key tag 3613). */
#define ED25519_NAME "Kexample.com.+015+03613"
#define ED25519_PRIV "ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNjI="
#define ED25519_PUB "l02Woi0iS8Aa25FQkUd9RMzZHJpBoRQwAQEX1SxZJA4="
/* RFC 8080 §6.1, the second Ed25519 example's public key (key tag 35217). */
#define ED25519_PUB2 "zPnZ/QwEe7S8C5SPz2OfS5RR40ATk2/rYnE9xHIEijs="

static const char ed25519_key[] =
    "; RFC 8080 section 6.1\n"
    "example.com. 3600 IN DNSKEY 257 3 15 " ED25519_PUB "\n";
static const char ed25519_private[] =
    "Private-key-format: v1.2\n"
    "Algorithm: 15 (ED25519)\n"
    "PrivateKey: " ED25519_PRIV "\n";

/* Private key files of the RFC examples, and what they must produce. */
static const struct rfc_key {
	const char *name, *file, *priv, *pub;
	uint8_t alg;
	uint16_t tag;
} rfc_keys[] = {
	{ "RFC 8080 §6.1 Ed25519", ED25519_NAME, ED25519_PRIV, ED25519_PUB,
	    15, 3613 },
	{ "RFC 8080 §6.2 Ed448", "Kexample.com.+016+09713",
	    "xZ+5Cgm463xugtkY5B0Jx6erFTXp13rYegst0qRtNsOYnaVpMx0Z/c5EiA9x8wWb"
	    "DDct/U3FhYWA",
	    "3kgROaDjrh0H2iuixWBrc8g2EpBBLCdGzHmn+G2MpTPhpj/OiBVHHSfPodx1FYYU"
	    "cJKm1MDpJtIA", 16, 9713 },
	{ "RFC 6605 §6.1 P-256", "Kexample.net.+013+55648",
	    "GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ=",
	    "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+"
	    "e+MAnLr+Wi9xMWyQLc8NAA==", 13, 55648 },
	{ "RFC 6605 §6.2 P-384", "Kexample.net.+014+10771",
	    "WURgWHCcYIYUPWgeLmiPY2DJJk02vgrmTfitxgqcL4vwW7BOrbawVmVe0d9V94SR",
	    "xKYaNhWdGOfJ+nPrL8/arkwf2EY3MDJ+SErKivBVSum1w/egsXvSADtNJhyem5RC"
	    "OpgQ6K8X1DRSEkrbYQ+OB+v8/uX45NBwY8rp65F6Glur8I/mlVNgF6W/qTI37m40",
	    14, 10771 },
};

/*
 * RFC 8080 §6 RRSIGs over example.com. MX 10 mail.example.com. EdDSA is
 * deterministic, so our signature must be the RFC's, byte for byte. The
 * RFC prints labels 3; its erratum corrects that to 2, with a new signature.
 */
static const struct eddsa_sig {
	const char *name;
	size_t key;     /* index into rfc_keys */
	uint8_t labels;
	const char *sig;
} eddsa_sigs[] = {
	{ "Ed25519, RFC text", 0, 3,
	    "Edk+IB9KNNWg0HAjm7FazXyrd5m3Rk8zNZbvNpAcM+eysqcUOMIjWoevFkjH5GaM"
	    "WeG96GUVZu6ECKOQmemHDg==" },
	{ "Ed25519, erratum", 0, 2,
	    "oL9krJun7xfBOIWcGHi7mag5/hdZrKWw15jPGrHpjQeRAvTdszaPD+QLs3fx8A4M"
	    "3e23mRZ9VrbpMngwcrqNAg==" },
	{ "Ed448, RFC text", 1, 3,
	    "Nmc0rgGKpr3GKYXcB1JmqqS4NYwhmechvJTqVzt3jR+Qy/lSLFoIk1L+9e39GPL+"
	    "5tVzDPN3f9kAwiu8KCuPPjtl227ayaCZtRKZuJax7n9NuYlZJIusX0SOIOKBGzG+"
	    "yWYtz1/jjbzl5GGkWvREUCUA" },
};

static void
write_rfc_key(const char *dir, const struct rfc_key *r)
{
	char name[128], text[512];
	const char *owner = r->alg >= 15 ? "example.com." : "example.net.";
	const char *alg = dnssec_alg_name(r->alg);

	kt_fmt(name, sizeof(name), "%s.key", r->file);
	kt_fmt(text, sizeof(text), "%s 3600 IN DNSKEY 257 3 %u %s\n", owner,
	    r->alg, r->pub);
	kt_write(dir, name, text, 0644);
	kt_fmt(name, sizeof(name), "%s.private", r->file);
	kt_fmt(text, sizeof(text), "Private-key-format: v1.2\n"
	    "Algorithm: %u (%s)\nPrivateKey: %s\n", r->alg, alg, r->priv);
	kt_write(dir, name, text, 0600);
}

static void
assert_signs_and_verifies(const struct key *k)
{
	uint8_t data[] = "some data to sign", sig[KEY_SIGNATURE_MAX];
	size_t siglen = 0, rdlen;
	const uint8_t *rdata = key_dnskey_rdata(k, &rdlen);

	ck_assert_int_eq(key_sign(k, data, sizeof(data), sig, &siglen), 0);
	ck_assert_uint_gt(siglen, 0);
	ck_assert_int_eq(dnskey_verify(rdata, rdlen, data, sizeof(data), sig,
	    siglen), 0);
	sig[siglen - 1] ^= 0x04;
	ck_assert_int_eq(dnskey_verify(rdata, rdlen, data, sizeof(data), sig,
	    siglen), STATUS_BAD_SIGNATURE);
}

/* A failing load must name the file, and never echo key material. */
static void
assert_diag(const struct diag *d, const char *suffix, const char *text)
{
	ck_assert_msg(kt_ends_with(d->file, suffix), "diag file '%s' is not "
	    "the %s file", d->file, suffix);
	ck_assert_msg(strstr(d->text, text) != NULL, "diag '%s' lacks '%s'",
	    d->text, text);
	ck_assert_ptr_null(strstr(d->text, ED25519_PRIV));
	ck_assert_ptr_null(strstr(d->text, "ODIy"));
}

static const struct gen_case {
	uint8_t alg;
	unsigned bits, want_bits;
	uint16_t flags;
	size_t siglen;
} gen_cases[] = {
	{ 8, 0, 2048, 257, 256 },
	{ 8, 1024, 1024, 256, 128 },
	{ 13, 0, 256, 256, 64 },
	{ 14, 0, 384, 257, 96 },
	{ 15, 0, 256, 257, 64 },
	{ 16, 0, 456, 256, 114 },
};

START_TEST(test_key_roundtrip_every_algorithm)
{
	const struct gen_case *c = &gen_cases[_i];
	struct key *k = NULL, *l = NULL;
	char *dir = kt_subdir(), prefix[PATH_MAX], want[PATH_MAX];
	char path[PATH_MAX], *text, line[256];
	uint8_t data[] = "roundtrip";
	uint8_t s1[KEY_SIGNATURE_MAX], s2[KEY_SIGNATURE_MAX];
	size_t len1, len2, rdlen, lrdlen;
	const uint8_t *rdata;
	struct diag d;
	struct stat st;

	ck_assert_int_eq(key_generate("Example.COM", c->alg, c->bits, c->flags,
	    NOW, &k), 0);
	ck_assert_str_eq(key_owner(k), "example.com.");
	ck_assert_uint_eq(key_algorithm(k), c->alg);
	ck_assert_uint_eq(key_flags(k), c->flags);
	ck_assert_uint_eq(key_bits(k), c->want_bits);
	ck_assert(key_is_sep(k) == (c->flags == 257));
	ck_assert_str_eq(key_file_prefix(k), "");
	rdata = key_dnskey_rdata(k, &rdlen);
	ck_assert_uint_eq(key_tag(k), dnskey_tag(rdata, rdlen));
	ck_assert_uint_eq(rdata[2], 3);

	ck_assert_int_eq(key_save(k, dir, prefix, sizeof(prefix)), 0);
	kt_fmt(want, sizeof(want), "%s/Kexample.com.+%03u+%05u", dir, c->alg,
	    key_tag(k));
	ck_assert_str_eq(prefix, want);
	kt_fmt(path, sizeof(path), "%s.private", prefix);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);
	text = kt_read(path);
	kt_fmt(line, sizeof(line), "Private-key-format: v1.3\nAlgorithm: %u "
	    "(%s)\n", c->alg, dnssec_alg_name(c->alg));
	ck_assert_msg(strncmp(text, line, strlen(line)) == 0, "%s", text);
	ck_assert_ptr_nonnull(strstr(text, "\nCreated: 20261122000000\n"
	    "Publish: 20261122000000\nActivate: 20261122000000\n"));
	free(text);
	kt_fmt(path, sizeof(path), "%s.key", prefix);
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0644);
	text = kt_read(path);
	kt_fmt(line, sizeof(line), "; This is a %s key, keyid %u, for "
	    "example.com.\n", c->flags == 257 ? "key-signing" : "zone-signing",
	    key_tag(k));
	ck_assert_msg(strncmp(text, line, strlen(line)) == 0, "%s", text);
	kt_fmt(line, sizeof(line), "\nexample.com. IN DNSKEY %u 3 %u ",
	    c->flags, c->alg);
	ck_assert_ptr_nonnull(strstr(text, line));
	free(text);

	/* Any of the three names of the pair loads it. */
	ck_assert_int_eq(key_load(prefix, &l, &d), 0);
	key_free(l);
	ck_assert_int_eq(key_load(path, &l, &d), 0);
	ck_assert_str_eq(key_file_prefix(l), prefix);
	ck_assert_str_eq(key_owner(l), "example.com.");
	ck_assert_uint_eq(key_tag(l), key_tag(k));
	ck_assert_uint_eq(key_flags(l), c->flags);
	ck_assert_uint_eq(key_bits(l), c->want_bits);
	ck_assert_uint_eq(key_algorithm(l), c->alg);
	key_dnskey_rdata(l, &lrdlen);
	ck_assert_uint_eq(lrdlen, rdlen);
	ck_assert_mem_eq(key_dnskey_rdata(l, &lrdlen), rdata, rdlen);

	/* What the loaded key signs, the generated key's DNSKEY verifies. */
	ck_assert_int_eq(key_sign(l, data, sizeof(data), s1, &len1), 0);
	ck_assert_uint_eq(len1, c->siglen);
	ck_assert_int_eq(dnskey_verify(rdata, rdlen, data, sizeof(data), s1,
	    len1), 0);
	ck_assert_int_eq(key_sign(k, data, sizeof(data), s2, &len2), 0);
	ck_assert_uint_eq(len2, c->siglen);
	if (c->alg == 15 || c->alg == 16 || c->alg == 8)
		ck_assert_mem_eq(s1, s2, len1);   /* deterministic */
	assert_signs_and_verifies(l);

	/* Never over an existing pair. */
	ck_assert_int_eq(key_save(l, dir, NULL, 0), -EEXIST);
	key_free(l);
	key_free(k);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_key_loads_rfc_private_keys)
{
	const struct rfc_key *r = &rfc_keys[_i];
	char *dir = kt_subdir(), path[PATH_MAX];
	uint8_t want[200];
	size_t wantlen, rdlen;
	struct key *k = NULL;
	struct diag d;

	write_rfc_key(dir, r);
	kt_path(path, sizeof(path), dir, r->file);
	ck_assert_msg(key_load(path, &k, &d) == 0, "%s: %s", r->name, d.text);
	/* The public key derived from the private one is the RFC's DNSKEY. */
	wantlen = kt_dnskey(257, r->alg, r->pub, want, sizeof(want));
	ck_assert_mem_eq(key_dnskey_rdata(k, &rdlen), want, wantlen);
	ck_assert_uint_eq(rdlen, wantlen);
	ck_assert_uint_eq(key_tag(k), r->tag);
	assert_signs_and_verifies(k);
	key_free(k);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_key_signature_matches_rfc8080_example)
{
	const struct eddsa_sig *v = &eddsa_sigs[_i];
	const struct rfc_key *r = &rfc_keys[v->key];
	char *dir = kt_subdir(), path[PATH_MAX];
	uint8_t rdata[64], data[512], want[200], sig[KEY_SIGNATURE_MAX];
	uint8_t owner[64], ds[64], wantds[32];
	size_t datalen, wantlen, siglen, rdlen, dslen;
	const uint8_t *dnskey;
	struct key *k = NULL;
	struct diag d;
	struct kt_rrsig rr = {
		.type = 15, .alg = r->alg, .labels = v->labels, .ttl = 3600,
		.expiration = 1440021600, .inception = 1438207200,
		.tag = r->tag, .signer = "example.com.",
		.owner = "example.com.", .rdata = rdata,
	};

	write_rfc_key(dir, r);
	kt_path(path, sizeof(path), dir, r->file);
	ck_assert_int_eq(key_load(path, &k, &d), 0);
	dnskey = key_dnskey_rdata(k, &rdlen);
	if (r->alg == 15) {
		/* RFC 8080 §6.1: example.com. DS 3613 15 2 3aa5ab37... */
		kt_name("example.com.", owner);
		ck_assert_int_eq(dnskey_ds_rdata(owner, dnskey, rdlen,
		    DS_DIGEST_SHA256, ds, &dslen), 0);
		kt_hex("3aa5ab37efce57f737fc1627013fee07"
		    "bdf241bd10f3b1964ab55c78e79a304b", wantds, sizeof(wantds));
		ck_assert_uint_eq(dslen, 36);
		ck_assert_mem_eq(ds + 4, wantds, 32);
	}
	rr.rdlen = kt_mx_rdata(rdata);
	datalen = kt_signing_data(&rr, data);
	wantlen = kt_b64(v->sig, want, sizeof(want));
	ck_assert_int_eq(key_sign(k, data, datalen, sig, &siglen), 0);
	ck_assert_uint_eq(siglen, wantlen);
	ck_assert_msg(memcmp(sig, want, wantlen) == 0, "%s: signature differs",
	    v->name);
	ck_assert_int_eq(dnskey_verify(dnskey, rdlen, data, datalen, sig,
	    siglen), 0);
	sig[7] ^= 0x10;
	ck_assert_int_eq(dnskey_verify(dnskey, rdlen, data, datalen, sig,
	    siglen), STATUS_BAD_SIGNATURE);
	key_free(k);
	kt_rmtree(dir);
}
END_TEST

/* Keys made by dnssec-keygen (BIND 9.18) and ldns-keygen, as test data. */
START_TEST(test_key_loads_files_of_other_tools)
{
	static const char *const tools[] = { "keys/bind", "keys/ldns" };
	char *dir = kt_subdir(), from[PATH_MAX], path[PATH_MAX];
	bool seen[17] = { false };
	struct dirent *e;
	size_t n = 0;
	DIR *dp;

	kt_testdata(from, sizeof(from), tools[_i]);
	kt_copy_dir(from, dir);
	ck_assert_ptr_nonnull(dp = opendir(dir));
	while ((e = readdir(dp)) != NULL) {
		unsigned alg, tag;
		struct key *k = NULL;
		struct diag d;

		if (!kt_ends_with(e->d_name, ".key"))
			continue;
		ck_assert_int_eq(sscanf(e->d_name, "Kexample.com.+%3u+%5u.key",
		    &alg, &tag), 2);
		kt_path(path, sizeof(path), dir, e->d_name);
		ck_assert_msg(key_load(path, &k, &d) == 0, "%s: %s:%lu: %s",
		    e->d_name, d.file, d.line, d.text);
		ck_assert_uint_eq(key_algorithm(k), alg);
		ck_assert_uint_eq(key_tag(k), tag);
		ck_assert_str_eq(key_owner(k), "example.com.");
		assert_signs_and_verifies(k);
		seen[alg] = true;
		n++;
		key_free(k);
	}
	closedir(dp);
	ck_assert_uint_eq(n, 5);
	ck_assert(seen[8] && seen[13] && seen[14] && seen[15] && seen[16]);
	kt_rmtree(dir);
}
END_TEST

/* Variants of the .key line and the .private text that other tools write. */
START_TEST(test_key_accepts_ttl_class_comments_and_old_format)
{
	static const char *const keys[] = {
		"example.com. IN DNSKEY 257 3 15 " ED25519_PUB "\n",
		"; comment\n\nexample.com. 86400 DNSKEY 257 3 15 " ED25519_PUB
		    " ; trailing\n",
		"Example.COM.\tIN\tDNSKEY\t257 3 15 " ED25519_PUB
		    " ;{id = 3613 (ksk), size = 256b}\n",
		"$TTL 300\nexample.com. IN DNSKEY ( 257 3 15\n\t"
		    "l02Woi0iS8Aa25FQkUd9RMzZ HJpBoRQwAQEX1SxZJA4= )\n",
	};
	char *dir = kt_subdir(), path[PATH_MAX];
	struct key *k = NULL;
	struct diag d;

	kt_write(dir, ED25519_NAME ".key", keys[_i], 0644);
	kt_write(dir, ED25519_NAME ".private", "Private-key-format: v1.3\r\n"
	    "Algorithm: 15 (ED25519)\r\n" "PrivateKey: " ED25519_PRIV "\r\n"
	    "Created: 20150801000000\r\nPublish: 20150801000000\r\n"
	    "Activate: 20150801000000\r\nInactive: 20250801000000\r\n\r\n",
	    0600);
	kt_path(path, sizeof(path), dir, ED25519_NAME);
	ck_assert_msg(key_load(path, &k, &d) == 0, "%s:%lu: %s", d.file,
	    d.line, d.text);
	ck_assert_uint_eq(key_tag(k), 3613);
	ck_assert_str_eq(key_owner(k), "example.com.");
	key_free(k);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_key_load_refuses_private_open_to_others)
{
	static const mode_t modes[] = { 0644, 0640, 0604, 0620, 0602 };
	char *dir = kt_subdir(), path[PATH_MAX], mode[16];
	struct key *k = NULL;
	struct diag d;

	kt_write(dir, ED25519_NAME ".key", ed25519_key, 0644);
	kt_write(dir, ED25519_NAME ".private", ed25519_private, modes[_i]);
	kt_path(path, sizeof(path), dir, ED25519_NAME);
	ck_assert_int_eq(key_load(path, &k, &d), STATUS_KEY_UNSAFE);
	ck_assert_ptr_null(k);
	kt_fmt(mode, sizeof(mode), "%04o", (unsigned)modes[_i]);
	assert_diag(&d, ED25519_NAME ".private", mode);
	assert_diag(&d, ED25519_NAME ".private", "chmod 600");
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_key_load_refuses_symlinked_private)
{
	char *dir = kt_subdir(), path[PATH_MAX], target[PATH_MAX];
	struct key *k = NULL;
	struct diag d;

	kt_write(dir, ED25519_NAME ".key", ed25519_key, 0644);
	kt_write(dir, "elsewhere", ed25519_private, 0600);
	kt_path(target, sizeof(target), dir, "elsewhere");
	kt_path(path, sizeof(path), dir, ED25519_NAME ".private");
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(key_load(path, &k, &d), STATUS_KEY_UNSAFE);
	assert_diag(&d, ED25519_NAME ".private", "symbolic link");
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_key_load_reports_missing_files)
{
	char *dir = kt_subdir(), path[PATH_MAX];
	struct key *k = NULL;
	struct diag d;

	kt_write(dir, ED25519_NAME ".key", ed25519_key, 0644);
	kt_path(path, sizeof(path), dir, ED25519_NAME ".key");
	ck_assert_int_eq(key_load(path, &k, &d), -ENOENT);
	assert_diag(&d, ED25519_NAME ".private", "cannot open");
	unlink(path);
	kt_write(dir, ED25519_NAME ".private", ed25519_private, 0600);
	ck_assert_int_eq(key_load(path, &k, &d), -ENOENT);
	assert_diag(&d, ED25519_NAME ".key", "cannot read");
	ck_assert_ptr_null(k);
	kt_rmtree(dir);
}
END_TEST

/* Broken .private files: each refused with the file and line named. */
static const struct bad_private {
	const char *name, *text, *diag;
	unsigned long line;
} bad_privates[] = {
	{ "algorithm mismatch", "Private-key-format: v1.3\n"
	    "Algorithm: 13 (ECDSAP256SHA256)\nPrivateKey: " ED25519_PRIV "\n",
	    "does not match algorithm 15", 2 },
	{ "truncated base64", "Private-key-format: v1.3\n"
	    "Algorithm: 15 (ED25519)\n"
	    "PrivateKey: ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIyNj\n",
	    "not valid base64", 3 },
	{ "not base64", "Private-key-format: v1.3\nAlgorithm: 15 (ED25519)\n"
	    "PrivateKey: !!!notbase64\n", "not valid base64", 3 },
	{ "seed of the wrong size", "Private-key-format: v1.3\n"
	    "Algorithm: 15 (ED25519)\n"
	    "PrivateKey: ODIyNjAzODQ2MjgwODAxMjI2NDUxOTAyMDQxNDIy\n",
	    "does not hold a valid private key", 3 },
	{ "no private key", "Private-key-format: v1.3\n"
	    "Algorithm: 15 (ED25519)\nCreated: 20150801000000\n",
	    "no PrivateKey line", 0 },
	{ "no format line", "Algorithm: 15 (ED25519)\n"
	    "PrivateKey: " ED25519_PRIV "\n", "no Private-key-format", 0 },
	{ "future format", "Private-key-format: v2.0\n"
	    "Algorithm: 15 (ED25519)\nPrivateKey: " ED25519_PRIV "\n",
	    "unsupported Private-key-format", 1 },
	{ "not name: value", "Private-key-format: v1.3\n"
	    "Algorithm: 15 (ED25519)\ngarbage\n", "expected 'Name: value'", 3 },
	{ "field twice", "Private-key-format: v1.3\nAlgorithm: 15 (ED25519)\n"
	    "PrivateKey: " ED25519_PRIV "\nPrivateKey: " ED25519_PRIV "\n",
	    "given twice", 4 },
	{ "bad created time", "Private-key-format: v1.3\n"
	    "Algorithm: 15 (ED25519)\nPrivateKey: " ED25519_PRIV "\n"
	    "Created: yesterday\n", "Created is not a time", 4 },
};

START_TEST(test_key_load_refuses_malformed_private)
{
	const struct bad_private *b = &bad_privates[_i];
	char *dir = kt_subdir(), path[PATH_MAX];
	struct key *k = NULL;
	struct diag d;

	kt_write(dir, ED25519_NAME ".key", ed25519_key, 0644);
	kt_write(dir, ED25519_NAME ".private", b->text, 0600);
	kt_path(path, sizeof(path), dir, ED25519_NAME);
	ck_assert_msg(key_load(path, &k, &d) == STATUS_KEY_FORMAT, "%s",
	    b->name);
	assert_diag(&d, ED25519_NAME ".private", b->diag);
	ck_assert_msg(d.line == b->line, "%s: line %lu", b->name, d.line);
	ck_assert_ptr_null(k);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_key_load_refuses_private_of_another_key)
{
	char *dir = kt_subdir(), path[PATH_MAX];
	struct key *k = NULL;
	struct diag d;

	/* The .key holds the RFC's second Ed25519 key, .private the first. */
	kt_write(dir, ED25519_NAME ".key",
	    "example.com. IN DNSKEY 257 3 15 " ED25519_PUB2 "\n", 0644);
	kt_write(dir, ED25519_NAME ".private", ed25519_private, 0600);
	kt_path(path, sizeof(path), dir, ED25519_NAME);
	ck_assert_int_eq(key_load(path, &k, &d), STATUS_KEY_FORMAT);
	assert_diag(&d, ED25519_NAME ".private",
	    "does not match the public key");
	kt_rmtree(dir);
}
END_TEST

/* Copy the lines of text that start with one of the names into out. */
static void
take_lines(const char *text, const char *const *names, char *out)
{
	for (const char *p = text; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);

		for (size_t i = 0; names[i] != NULL; i++)
			if (strncmp(p, names[i], strlen(names[i])) == 0)
				strncat(out, p, len);
		p += len;
	}
}

/* RSA's private exponent and primes are not derived from n: they are tried. */
START_TEST(test_key_load_refuses_rsa_fields_of_another_key)
{
	static const char *const public_lines[] = {
		"Private-key-format", "Algorithm", "Modulus", "PublicExponent",
		NULL,
	};
	static const char *const private_lines[] = {
		"PrivateExponent", "Prime1", "Prime2", "Exponent1", "Exponent2",
		"Coefficient", NULL,
	};
	char *dir = kt_subdir(), pa[PATH_MAX], pb[PATH_MAX], path[PATH_MAX];
	char mixed[8192] = "", *ta, *tb;
	struct key *a = NULL, *b = NULL, *k = NULL;
	struct diag d;

	ck_assert_int_eq(key_generate("example.com.", 8, 1024, 256, NOW, &a),
	    0);
	ck_assert_int_eq(key_generate("example.com.", 8, 1024, 256, NOW, &b),
	    0);
	ck_assert_int_eq(key_save(a, dir, pa, sizeof(pa)), 0);
	ck_assert_int_eq(key_save(b, dir, pb, sizeof(pb)), 0);
	kt_fmt(path, sizeof(path), "%s.private", pa);
	ta = kt_read(path);
	kt_fmt(path, sizeof(path), "%s.private", pb);
	tb = kt_read(path);
	take_lines(ta, public_lines, mixed);
	take_lines(tb, private_lines, mixed);
	kt_fmt(path, sizeof(path), "%s.private", pa);
	kt_write(dir, strrchr(path, '/') + 1, mixed, 0600);
	ck_assert_int_eq(key_load(pa, &k, &d), STATUS_KEY_FORMAT);
	assert_diag(&d, ".private", "do not belong to the public key");
	ck_assert_ptr_null(k);
	/*
	 * Only the private exponent of the other key: signing goes by the
	 * primes, so the signature tried still verifies, but d is checked.
	 */
	static const char *const exponent_line[] = { "PrivateExponent", NULL };
	static const char *const crt_lines[] = { "Prime1", "Prime2",
	    "Exponent1", "Exponent2", "Coefficient", NULL };
	mixed[0] = '\0';
	take_lines(ta, public_lines, mixed);
	take_lines(tb, exponent_line, mixed);
	take_lines(ta, crt_lines, mixed);
	kt_write(dir, strrchr(path, '/') + 1, mixed, 0600);
	ck_assert_int_eq(key_load(pa, &k, &d), STATUS_KEY_FORMAT);
	assert_diag(&d, ".private", "do not belong to the public key");
	ck_assert_ptr_null(k);
	/* And a's own fields again: loaded. */
	mixed[0] = '\0';
	take_lines(ta, public_lines, mixed);
	take_lines(ta, exponent_line, mixed);
	take_lines(ta, crt_lines, mixed);
	kt_write(dir, strrchr(path, '/') + 1, mixed, 0600);
	ck_assert_int_eq(key_load(pa, &k, &d), 0);
	key_free(k);
	free(ta);
	free(tb);
	key_free(a);
	key_free(b);
	kt_rmtree(dir);
}
END_TEST

/* Broken .key files: each refused with the .key file named. */
static const struct bad_public {
	const char *name, *text, *diag;
	int status;
} bad_publics[] = {
	{ "unknown algorithm", "example.com. IN DNSKEY 257 3 5 "
	    ED25519_PUB "\n", "algorithm 5 is not supported",
	    STATUS_UNSUPPORTED },
	{ "not a record", "hello there\n", "", STATUS_KEY_FORMAT },
	{ "no record", "; only a comment\n", "no DNSKEY record",
	    STATUS_KEY_FORMAT },
	{ "two records", "example.com. IN DNSKEY 257 3 15 " ED25519_PUB "\n"
	    "example.com. IN DNSKEY 257 3 15 " ED25519_PUB2 "\n",
	    "more than one record", STATUS_KEY_FORMAT },
	{ "other type", "example.com. IN NS ns.example.com.\n",
	    "expected an IN DNSKEY", STATUS_KEY_FORMAT },
	{ "no zone key flag", "example.com. IN DNSKEY 1 3 15 " ED25519_PUB
	    "\n", "Zone Key", STATUS_KEY_FORMAT },
	{ "bad protocol", "example.com. IN DNSKEY 257 2 15 " ED25519_PUB
	    "\n", "protocol", STATUS_KEY_FORMAT },
};

START_TEST(test_key_load_refuses_malformed_public)
{
	const struct bad_public *b = &bad_publics[_i];
	char *dir = kt_subdir(), path[PATH_MAX];
	struct key *k = NULL;
	struct diag d;

	kt_write(dir, ED25519_NAME ".key", b->text, 0644);
	kt_write(dir, ED25519_NAME ".private", ed25519_private, 0600);
	kt_path(path, sizeof(path), dir, ED25519_NAME);
	ck_assert_msg(key_load(path, &k, &d) == b->status, "%s", b->name);
	assert_diag(&d, ED25519_NAME ".key", b->diag);
	ck_assert_ptr_null(k);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_key_save_refuses_to_overwrite)
{
	char *dir = kt_subdir(), path[PATH_MAX], prefix[PATH_MAX] = "unset";
	struct key *k = NULL, *other = NULL;
	struct diag d;
	char *before, *after;

	write_rfc_key(dir, &rfc_keys[0]);
	kt_path(path, sizeof(path), dir, ED25519_NAME ".private");
	before = kt_read(path);
	kt_path(path, sizeof(path), dir, ED25519_NAME);
	ck_assert_int_eq(key_load(path, &k, &d), 0);
	ck_assert_int_eq(key_save(k, dir, prefix, sizeof(prefix)), -EEXIST);
	ck_assert_str_eq(prefix, "unset");
	kt_path(path, sizeof(path), dir, ED25519_NAME ".private");
	after = kt_read(path);
	ck_assert_str_eq(before, after);
	/* A lone .key of that name also blocks the save. */
	unlink(path);
	ck_assert_int_eq(key_save(k, dir, NULL, 0), -EEXIST);
	ck_assert_int_eq(access(path, F_OK), -1);
	/* A prefix buffer too small is refused before anything is written. */
	ck_assert_int_eq(key_generate("example.org.", 15, 0, 256, NOW, &other),
	    0);
	ck_assert_int_eq(key_save(other, dir, prefix, 8), -ENAMETOOLONG);
	free(before);
	free(after);
	key_free(other);
	key_free(k);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_key_generate_rejects_bad_arguments)
{
	struct key *k = NULL;

	ck_assert_int_eq(key_generate("example.com.", 5, 0, 257, NOW, &k),
	    STATUS_UNSUPPORTED);
	ck_assert_int_eq(key_generate("example.com.", 8, 512, 257, NOW, &k),
	    STATUS_RANGE);
	ck_assert_int_eq(key_generate("example.com.", 8, 8192, 257, NOW, &k),
	    STATUS_RANGE);
	ck_assert_int_eq(key_generate("example.com.", 13, 0, 1, NOW, &k),
	    STATUS_RANGE);
	ck_assert_int_eq(key_generate("bad..name", 13, 0, 257, NOW, &k),
	    STATUS_SYNTAX);
	ck_assert_int_eq(key_generate("", 13, 0, 257, NOW, &k), STATUS_SYNTAX);
	ck_assert_ptr_null(k);
	/* The root zone is a zone too. */
	ck_assert_int_eq(key_generate(".", 13, 0, 257, NOW, &k), 0);
	ck_assert_str_eq(key_owner(k), ".");
	key_free(k);
	key_free(NULL);
}
END_TEST

/* The group orders of P-256 and P-384 (FIPS 186-5, SP 800-186 §3.2.1). */
static const uint8_t p256_order[32] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};
static const uint8_t p384_order[48] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xc7, 0x63, 0x4d, 0x81, 0xf4, 0x37, 0x2d, 0xdf, 0x58, 0x1a, 0x0d, 0xb2,
	0x48, 0xb0, 0xa7, 0x7a, 0xec, 0xec, 0x19, 0x6a, 0xcc, 0xc5, 0x29, 0x73,
};

/* out = a - b, big-endian numbers of n bytes (a >= b). */
static void
sub_be(const uint8_t *a, const uint8_t *b, uint8_t *out, size_t n)
{
	int borrow = 0;

	for (size_t i = n; i-- > 0;) {
		int v = a[i] - b[i] - borrow;
		borrow = v < 0;
		out[i] = (uint8_t)(v + (borrow ? 256 : 0));
	}
}

/*
 * The own verifier's answer for one signature must be the public key's,
 * and the expected one.
 */
static void
assert_same_answer(const struct dnskey_verifier *own,
    const struct dnskey_verifier *pub, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen, int want, const char *what)
{
	int a = dnskey_verifier_check(own, data, len, sig, siglen);
	int b = dnskey_verifier_check(pub, data, len, sig, siglen);

	ck_assert_msg(a == want && b == want, "%s: own key says %d, public "
	    "key %d, want %d", what, a, b, want);
}

/*
 * A verifier for our own key checks ECDSA P-256 signatures with the
 * private scalar (one multiplication of the generator instead of one by
 * the public point); other algorithms verify as usual. Its answers must
 * be verification's: valid signatures, their twin (r, n - s), which
 * verification accepts too, and every kind of damage, each against the
 * verifier of the public DNSKEY alone.
 */
START_TEST(test_key_own_verifier_answers_as_the_public_key)
{
	static const uint8_t algs[] = { 13, 14, 8, 15, 16 };
	uint8_t alg = algs[_i], data[48], sig[KEY_SIGNATURE_MAX];
	uint8_t bad[KEY_SIGNATURE_MAX], other_sig[KEY_SIGNATURE_MAX];
	struct dnskey_verifier *own = NULL, *pub = NULL;
	struct key *k = NULL, *other = NULL;
	size_t n = alg == 13 ? 32 : alg == 14 ? 48 : 0, siglen, olen, rdlen;
	const uint8_t *rdata, *order = n == 32 ? p256_order : p384_order;
	unsigned seed = 7;

	ck_assert_int_eq(key_generate("example.com.", alg, 1024, 256, NOW, &k),
	    0);
	ck_assert_int_eq(key_generate("example.com.", alg, 1024, 256, NOW,
	    &other), 0);
	rdata = key_dnskey_rdata(k, &rdlen);
	ck_assert_int_eq(dnskey_verifier_new_own(k, &own), 0);
	ck_assert_int_eq(dnskey_verifier_new(rdata, rdlen, &pub), 0);
	ck_assert(dnskey_verifier_uses_private(own) == (alg == 13));
	ck_assert(!dnskey_verifier_uses_private(pub));
	for (unsigned round = 0; round < (n != 0 ? 64u : 4u); round++) {
		for (size_t i = 0; i < sizeof(data); i++)
			data[i] = (uint8_t)rand_r(&seed);
		ck_assert_int_eq(key_sign(k, data, sizeof(data), sig, &siglen),
		    0);
		assert_same_answer(own, pub, data, sizeof(data), sig, siglen, 0,
		    "a valid signature");
		memcpy(bad, sig, siglen);
		bad[(size_t)rand_r(&seed) % siglen] ^=
		    (uint8_t)(1u << rand_r(&seed) % 8);
		assert_same_answer(own, pub, data, sizeof(data), bad, siglen,
		    STATUS_BAD_SIGNATURE, "a flipped bit in the signature");
		data[(size_t)rand_r(&seed) % sizeof(data)] ^= 0x10;
		assert_same_answer(own, pub, data, sizeof(data), sig, siglen,
		    STATUS_BAD_SIGNATURE, "a flipped bit in the data");
		ck_assert_int_eq(key_sign(other, data, sizeof(data), other_sig,
		    &olen), 0);
		assert_same_answer(own, pub, data, sizeof(data), other_sig,
		    olen, STATUS_BAD_SIGNATURE, "another key's signature");
		if (n == 0)
			continue;
		/* ECDSA: (r, n - s) is valid whenever (r, s) is. */
		ck_assert_int_eq(key_sign(k, data, sizeof(data), sig, &siglen),
		    0);
		memcpy(bad, sig, n);
		sub_be(order, sig + n, bad + n, n);
		assert_same_answer(own, pub, data, sizeof(data), bad, siglen, 0,
		    "the twin (r, n - s)");
		/* r or s out of 1..n-1. */
		for (unsigned half = 0; half < 2; half++) {
			memcpy(bad, sig, siglen);
			memset(bad + half * n, 0, n);
			assert_same_answer(own, pub, data, sizeof(data), bad,
			    siglen, STATUS_BAD_SIGNATURE, "r or s zero");
			memcpy(bad + half * n, order, n);
			assert_same_answer(own, pub, data, sizeof(data), bad,
			    siglen, STATUS_BAD_SIGNATURE, "r or s equal to n");
			memset(bad + half * n, 0xff, n);
			assert_same_answer(own, pub, data, sizeof(data), bad,
			    siglen, STATUS_BAD_SIGNATURE, "r or s above n");
		}
		assert_same_answer(own, pub, data, sizeof(data), sig,
		    siglen - 1, STATUS_BAD_SIGNATURE, "a short signature");
	}
	dnskey_verifier_free(own);
	dnskey_verifier_free(pub);
	key_free(k);
	key_free(other);
}
END_TEST

/*
 * A key whose DNSKEY is not its private key's (here: another key's) must
 * not be checked with its private key: its signatures would pass there,
 * and fail at every resolver. The verifier made for it falls back to the
 * public key, and refuses them.
 */
START_TEST(test_key_own_verifier_needs_the_published_key)
{
	uint8_t data[] = "signed data", sig[KEY_SIGNATURE_MAX];
	struct dnskey_verifier *v = NULL;
	struct key *k = NULL, *other = NULL;
	size_t siglen;

	ck_assert_int_eq(key_generate("example.com.", 13, 0, 256, NOW, &k), 0);
	ck_assert_int_eq(key_generate("example.com.", 13, 0, 256, NOW, &other),
	    0);
	ck_assert_int_eq(key_sign(k, data, sizeof(data), sig, &siglen), 0);
	ck_assert_uint_eq(k->rdlen, other->rdlen);
	memcpy(k->rdata, other->rdata, k->rdlen);
	ck_assert_int_eq(dnskey_verifier_new_own(k, &v), 0);
	ck_assert(!dnskey_verifier_uses_private(v));
	ck_assert_int_eq(dnskey_verifier_check(v, data, sizeof(data), sig,
	    siglen), STATUS_BAD_SIGNATURE);
	dnskey_verifier_free(v);
	key_free(k);
	key_free(other);
}
END_TEST

/* A P-256 signature (r||s) over a 32-byte digest as it is, not hashed. */
static void
sign_digest(EVP_PKEY *pkey, const uint8_t digest[32], uint8_t sig[64])
{
	uint8_t der[80];
	size_t derlen = sizeof(der);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_PKEY_sign_init(ctx), 1);
	ck_assert_int_eq(EVP_PKEY_sign(ctx, der, &derlen, digest, 32), 1);
	ck_assert_int_eq(keys_ecdsa_der_to_raw(der, derlen, 32, sig), 0);
	EVP_PKEY_CTX_free(ctx);
}

/* OpenSSL's verification of sig (r||s) over a digest, as 0 or BAD_SIGNATURE. */
static int
evp_verify_digest(EVP_PKEY *pkey, const uint8_t digest[32],
    const uint8_t sig[64])
{
	uint8_t *der = NULL;
	size_t derlen;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);
	int ok;

	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(keys_ecdsa_raw_to_der(sig, 32, &der, &derlen), 0);
	ck_assert_int_eq(EVP_PKEY_verify_init(ctx), 1);
	ok = EVP_PKEY_verify(ctx, der, derlen, digest, 32);
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(ctx);
	return ok == 1 ? 0 : STATUS_BAD_SIGNATURE;
}

/*
 * The private key's check at the edges random data does not reach: a
 * digest at or above the group order n (reduced, as verification reduces
 * it), and a digest e = -r·d (mod n), for which verification's point is
 * the point at infinity: invalid, though the arithmetic goes through.
 */
START_TEST(test_key_own_check_edges)
{
	uint8_t digest[32], sig[64];
	struct keys_ecdsa_own *own = NULL;
	struct key *k = NULL;
	BIGNUM *d = NULL, *r = BN_new(), *e = BN_new(), *n = BN_new();
	BN_CTX *ctx = BN_CTX_new();

	ck_assert_int_eq(key_generate("example.com.", 13, 0, 256, NOW, &k), 0);
	ck_assert_int_eq(keys_ecdsa_own_new(14, k->pkey, &own),
	    STATUS_UNSUPPORTED);
	ck_assert_ptr_null(own);
	ck_assert_int_eq(keys_ecdsa_own_new(13, k->pkey, &own), 0);
	/* n - 1, n, n + 1, ..., and all ones. */
	for (int add = -1; add <= 4; add++) {
		memcpy(digest, p256_order, sizeof(digest));
		digest[31] = (uint8_t)(digest[31] + add);
		if (add == 4)
			memset(digest, 0xff, sizeof(digest));
		sign_digest(k->pkey, digest, sig);
		ck_assert_int_eq(evp_verify_digest(k->pkey, digest, sig), 0);
		ck_assert_int_eq(keys_ecdsa_own_check(own, digest, 32, sig, 64),
		    0);
		digest[0] ^= 0x01;
		ck_assert_int_eq(keys_ecdsa_own_check(own, digest, 32, sig, 64),
		    STATUS_BAD_SIGNATURE);
		ck_assert_int_eq(evp_verify_digest(k->pkey, digest, sig),
		    STATUS_BAD_SIGNATURE);
	}
	/* e = n - (r·d mod n): u = (e + r·d)/s = 0. */
	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(e);
	ck_assert_ptr_nonnull(n);
	ck_assert_ptr_nonnull(ctx);
	ck_assert_int_eq(EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_PRIV_KEY,
	    &d), 1);
	ck_assert_ptr_nonnull(BN_bin2bn(p256_order, 32, n));
	ck_assert_ptr_nonnull(BN_bin2bn(sig, 32, r));
	ck_assert_int_eq(BN_mod_mul(e, r, d, n, ctx), 1);
	ck_assert_int_eq(BN_sub(e, n, e), 1);
	ck_assert_int_eq(BN_bn2binpad(e, digest, 32), 32);
	ck_assert_int_eq(evp_verify_digest(k->pkey, digest, sig),
	    STATUS_BAD_SIGNATURE);
	ck_assert_int_eq(keys_ecdsa_own_check(own, digest, 32, sig, 64),
	    STATUS_BAD_SIGNATURE);
	/* A digest of another length is no P-256 digest. */
	ck_assert_int_eq(keys_ecdsa_own_check(own, digest, 31, sig, 64),
	    STATUS_BAD_SIGNATURE);
	BN_clear_free(d);
	BN_free(r);
	BN_free(e);
	BN_free(n);
	BN_CTX_free(ctx);
	keys_ecdsa_own_free(own);
	key_free(k);
}
END_TEST

/*
 * Checks made together (keys_ecdsa_own_check_many: more than one batch,
 * two keys, good and bad signatures mixed) give each the answer
 * verification gives, whatever the others' answers.
 */
START_TEST(test_key_own_checks_in_batches)
{
	enum { N = 2 * KEYS_ECDSA_BATCH + 9 };
	static uint8_t digest[N][32], sig[N][64];
	struct keys_ecdsa_check c[N];
	struct keys_ecdsa_own *own[2] = { NULL, NULL };
	struct key *k[2] = { NULL, NULL };
	size_t bad = 0;

	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(key_generate("example.com.", 13, 0, 256, NOW,
		    &k[i]), 0);
		ck_assert_int_eq(keys_ecdsa_own_new(13, k[i]->pkey, &own[i]), 0);
	}
	for (size_t i = 0; i < N; i++) {
		EVP_PKEY *pkey = k[i % 3 == 0]->pkey;

		memset(digest[i], (int)i, sizeof(digest[i]));
		digest[i][0] = (uint8_t)(i >> 8);
		sign_digest(pkey, digest[i], sig[i]);
		c[i] = (struct keys_ecdsa_check){ .o = own[i % 3 == 0],
		    .hash = digest[i], .hlen = 32, .sig = sig[i], .siglen = 64 };
		switch (i % 7) {
		case 2:     /* another digest */
			digest[i][5] ^= 0x40;
			break;
		case 4:     /* checked with the other key */
			c[i].o = own[i % 3 != 0];
			break;
		case 6:     /* r = 0, or a signature too short */
			if (i % 2)
				memset(sig[i], 0, 32);
			else
				c[i].siglen = 63;
			break;
		}
	}
	keys_ecdsa_own_check_many(c, N);
	for (size_t i = 0; i < N; i++) {
		int want = c[i].siglen != 64 ? STATUS_BAD_SIGNATURE :
		    evp_verify_digest(k[c[i].o == own[1]]->pkey, digest[i],
		    sig[i]);
		ck_assert_msg(c[i].rc == want, "check %zu: %d, verification %d",
		    i, c[i].rc, want);
		ck_assert_int_eq(c[i].rc, keys_ecdsa_own_check(c[i].o, digest[i],
		    32, sig[i], c[i].siglen));
		bad += c[i].rc != 0;
	}
	/* Cases 2, 4 and 6 of every 7. */
	ck_assert_uint_eq(bad, 3 * (N / 7) + (N % 7 > 2) + (N % 7 > 4));
	for (int i = 0; i < 2; i++) {
		keys_ecdsa_own_free(own[i]);
		key_free(k[i]);
	}
}
END_TEST

/* d2i_ECDSA_SIG's reading of der, into r||s of n bytes each; false if it refuses. */
static bool
openssl_der_to_raw(const uint8_t *der, size_t len, size_t n, uint8_t *raw)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
	const BIGNUM *r, *s;
	bool ok = sig != NULL && p == der + len;

	if (ok) {
		ECDSA_SIG_get0(sig, &r, &s);
		ok = BN_bn2binpad(r, raw, (int)n) == (int)n &&
		    BN_bn2binpad(s, raw + n, (int)n) == (int)n;
	}
	ECDSA_SIG_free(sig);
	return ok;
}

/*
 * keys_ecdsa_der_to_raw reads what OpenSSL's signatures hold as
 * d2i_ECDSA_SIG does, and refuses what is not DER.
 */
START_TEST(test_key_ecdsa_der_to_raw)
{
	static const struct { const char *curve; size_t n; } curves[] = {
		{ "P-256", 32 }, { "P-384", 48 },
	};
	static const struct { const char *why; uint8_t der[12]; size_t len; }
	    bad[] = {
		{ "empty", { 0 }, 0 },
		{ "not a SEQUENCE", { 0x31, 6, 2, 1, 1, 2, 1, 1 }, 8 },
		{ "SEQUENCE too long", { 0x30, 7, 2, 1, 1, 2, 1, 1 }, 8 },
		{ "SEQUENCE too short", { 0x30, 5, 2, 1, 1, 2, 1, 1 }, 8 },
		{ "long-form length", { 0x30, 0x81, 6, 2, 1, 1, 2, 1, 1 }, 9 },
		{ "a byte after", { 0x30, 7, 2, 1, 1, 2, 1, 1, 0 }, 9 },
		{ "only r", { 0x30, 3, 2, 1, 1 }, 5 },
		{ "s not an INTEGER", { 0x30, 6, 2, 1, 1, 4, 1, 1 }, 8 },
		{ "empty INTEGER", { 0x30, 5, 2, 0, 2, 1, 1 }, 7 },
		{ "negative r", { 0x30, 6, 2, 1, 0x81, 2, 1, 1 }, 8 },
		{ "leading zero not needed", { 0x30, 7, 2, 2, 0, 1, 2, 1, 1 },
		    9 },
		{ "INTEGER past the end", { 0x30, 6, 2, 1, 1, 2, 2, 1 }, 8 },
	};
	uint8_t der[KEY_SIGNATURE_MAX], raw[96], want[96], digest[48];
	uint8_t *made = NULL;
	size_t len, madelen;

	for (size_t c = 0; c < N(curves); c++) {
		size_t n = curves[c].n;
		EVP_PKEY *pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC",
		    curves[c].curve);
		EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pkey, NULL);

		ck_assert_ptr_nonnull(ctx);
		ck_assert_int_eq(EVP_PKEY_sign_init(ctx), 1);
		/* Short r and s, and r and s with the top bit set, come by. */
		for (unsigned i = 0; i < 400; i++) {
			memset(digest, (int)i, sizeof(digest));
			len = sizeof(der);
			ck_assert_int_eq(EVP_PKEY_sign(ctx, der, &len, digest,
			    n), 1);
			ck_assert(openssl_der_to_raw(der, len, n, want));
			ck_assert_int_eq(keys_ecdsa_der_to_raw(der, len, n, raw),
			    0);
			ck_assert_mem_eq(raw, want, 2 * n);
			/* Its own DER back, byte for byte. */
			ck_assert_int_eq(keys_ecdsa_raw_to_der(raw, n, &made,
			    &madelen), 0);
			ck_assert_uint_eq(madelen, len);
			ck_assert_mem_eq(made, der, len);
			OPENSSL_free(made);
			made = NULL;
		}
		/* r and s too long for the curve. */
		memset(raw, 0x7f, 2 * n);
		ck_assert_int_eq(keys_ecdsa_raw_to_der(raw, n, &made, &madelen),
		    0);
		ck_assert_int_eq(keys_ecdsa_der_to_raw(made, madelen, n - 1,
		    raw), STATUS_CRYPTO);
		OPENSSL_free(made);
		made = NULL;
		EVP_PKEY_CTX_free(ctx);
		EVP_PKEY_free(pkey);
	}
	for (size_t i = 0; i < N(bad); i++)
		ck_assert_msg(keys_ecdsa_der_to_raw(bad[i].der, bad[i].len, 32,
		    raw) == STATUS_CRYPTO, "accepted: %s", bad[i].why);
	/* The smallest well-formed one, r = 1 and s = 128 (a zero byte needed). */
	static const uint8_t small[] = { 0x30, 7, 2, 1, 1, 2, 2, 0, 0x80 };
	ck_assert_int_eq(keys_ecdsa_der_to_raw(small, sizeof(small), 32, raw),
	    0);
	memset(want, 0, 64);
	want[31] = 1;
	want[63] = 0x80;
	ck_assert_mem_eq(raw, want, 64);
}
END_TEST

struct sign_job {
	const struct key *k;
	const struct dnskey_verifier *own;
	unsigned id;
	int failures;
};

static void *
sign_many(void *arg)
{
	struct sign_job *job = arg;
	uint8_t data[64], sig[KEY_SIGNATURE_MAX];
	size_t siglen, rdlen;
	const uint8_t *rdata = key_dnskey_rdata(job->k, &rdlen);
	struct key_signer *signer = NULL;

	/* This thread's signer, used again and again, and key_sign in turn. */
	if (key_signer_new(job->k, &signer) != 0 ||
	    key_signer_key(signer) != job->k)
		job->failures++;
	for (unsigned i = 0; i < 40; i++) {
		memset(data, (int)(job->id * 40 + i), sizeof(data));
		if ((i % 2 == 0 || signer == NULL ?
		    key_sign(job->k, data, sizeof(data), sig, &siglen) :
		    key_signer_sign(signer, data, sizeof(data), sig,
		    &siglen)) != 0 ||
		    dnskey_verify(rdata, rdlen, data, sizeof(data), sig,
		    siglen) != 0 ||
		    dnskey_verifier_check(job->own, data, sizeof(data), sig,
		    siglen) != 0)
			job->failures++;
	}
	key_signer_free(signer);
	return NULL;
}

/*
 * Many threads sign with one const key at once, each through its own
 * signer and through key_sign, and check with one verifier of it (the
 * signer and its self-check do this).
 */
START_TEST(test_key_sign_is_thread_safe)
{
	static const uint8_t algs[] = { 8, 13, 14, 15, 16 };
	struct dnskey_verifier *own = NULL;
	struct sign_job jobs[4];
	pthread_t threads[4];
	struct key *k = NULL;

	ck_assert_int_eq(key_generate("example.com.", algs[_i], 1024, 256, NOW,
	    &k), 0);
	ck_assert_int_eq(dnskey_verifier_new_own(k, &own), 0);
	for (unsigned t = 0; t < 4; t++) {
		jobs[t] = (struct sign_job){ .k = k, .own = own, .id = t };
		ck_assert_int_eq(pthread_create(&threads[t], NULL, sign_many,
		    &jobs[t]), 0);
	}
	for (unsigned t = 0; t < 4; t++) {
		ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
		ck_assert_int_eq(jobs[t].failures, 0);
	}
	dnskey_verifier_free(own);
	key_free(k);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("key");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, kt_root_setup, kt_root_teardown);
	/* RSA key generation is slow under the sanitizers. */
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, test_key_roundtrip_every_algorithm, 0,
	    N(gen_cases));
	tcase_add_loop_test(tc, test_key_loads_rfc_private_keys, 0,
	    N(rfc_keys));
	tcase_add_loop_test(tc, test_key_signature_matches_rfc8080_example, 0,
	    N(eddsa_sigs));
	tcase_add_loop_test(tc, test_key_loads_files_of_other_tools, 0, 2);
	tcase_add_loop_test(tc,
	    test_key_accepts_ttl_class_comments_and_old_format, 0, 4);
	tcase_add_loop_test(tc, test_key_load_refuses_private_open_to_others, 0,
	    5);
	tcase_add_test(tc, test_key_load_refuses_symlinked_private);
	tcase_add_test(tc, test_key_load_reports_missing_files);
	tcase_add_loop_test(tc, test_key_load_refuses_malformed_private, 0,
	    N(bad_privates));
	tcase_add_test(tc, test_key_load_refuses_private_of_another_key);
	tcase_add_test(tc, test_key_load_refuses_rsa_fields_of_another_key);
	tcase_add_loop_test(tc, test_key_load_refuses_malformed_public, 0,
	    N(bad_publics));
	tcase_add_test(tc, test_key_save_refuses_to_overwrite);
	tcase_add_test(tc, test_key_generate_rejects_bad_arguments);
	tcase_add_loop_test(tc, test_key_sign_is_thread_safe, 0, 5);
	tcase_add_loop_test(tc, test_key_own_verifier_answers_as_the_public_key,
	    0, 5);
	tcase_add_test(tc, test_key_own_verifier_needs_the_published_key);
	tcase_add_test(tc, test_key_own_check_edges);
	tcase_add_test(tc, test_key_own_checks_in_batches);
	tcase_add_test(tc, test_key_ecdsa_der_to_raw);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
