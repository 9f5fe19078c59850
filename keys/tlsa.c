/* TLSA records from certificates, keys and CSRs: SubjectPublicKeyInfo or certificate digests. */
#include <ctype.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fileio.h"
#include "common/status.h"
#include "tlsa.h"

#define CHAIN_MAX 16

struct tlsa_source {
	X509 *cert[CHAIN_MAX];       /* end entity first; none for a key or CSR */
	size_t ncert;
	EVP_PKEY *pkey;              /* the end entity's public key */
	char key_type[80];
};

int
tlsa_params_parse(const char *text, struct tlsa_params *out, struct diag *d)
{
	unsigned v[3];
	size_t n = 0;

	for (const char *p = text; *p != '\0' && n <= 3; p++) {
		if (*p == ',' || *p == ' ')
			continue;
		if (!isdigit((unsigned char)*p) || n == 3)
			goto bad;
		v[n++] = (unsigned)(*p - '0');
	}
	if (n != 3)
		goto bad;
	if (v[0] < 2 || v[0] > 3) {
		diag_set(d, NULL, 0, "TLSA usage %u: zonewarden makes DANE-TA (2) "
		    "and DANE-EE (3) records only; PKIX usages 0 and 1 do not "
		    "apply to SMTP (RFC 7672 section 3.1.3)", v[0]);
		return STATUS_UNSUPPORTED;
	}
	if (v[1] > 1) {
		diag_set(d, NULL, 0, "TLSA selector %u: use 0 (certificate) or 1 "
		    "(public key)", v[1]);
		return STATUS_UNSUPPORTED;
	}
	if (v[2] < 1 || v[2] > 2) {
		diag_set(d, NULL, 0, "TLSA matching type %u: use 1 (SHA-256) or 2 "
		    "(SHA-512)", v[2]);
		return STATUS_UNSUPPORTED;
	}
	out->usage = (uint8_t)v[0];
	out->selector = (uint8_t)v[1];
	out->mtype = (uint8_t)v[2];
	return 0;
bad:
	diag_set(d, NULL, 0, "'%s' is not three TLSA parameters such as 3,1,1",
	    text);
	return STATUS_SYNTAX;
}

static void
name_key(struct tlsa_source *s)
{
	char group[64];
	size_t glen = 0;
	int id = EVP_PKEY_get_base_id(s->pkey);

	if (id == EVP_PKEY_RSA)
		snprintf(s->key_type, sizeof(s->key_type), "RSA %d",
		    EVP_PKEY_get_bits(s->pkey));
	else if (id == EVP_PKEY_EC &&
	    EVP_PKEY_get_group_name(s->pkey, group, sizeof(group), &glen) == 1)
		snprintf(s->key_type, sizeof(s->key_type), "ECDSA %s",
		    strcmp(group, "prime256v1") == 0 ? "P-256" :
		    strcmp(group, "secp384r1") == 0 ? "P-384" : group);
	else if (id == EVP_PKEY_ED25519)
		snprintf(s->key_type, sizeof(s->key_type), "Ed25519");
	else if (id == EVP_PKEY_ED448)
		snprintf(s->key_type, sizeof(s->key_type), "Ed448");
	else
		snprintf(s->key_type, sizeof(s->key_type), "%s",
		    OBJ_nid2sn(id) ? OBJ_nid2sn(id) : "unknown");
}

/* The file's bytes; for keys, wiped before they are freed (wipe_free). */
static int
read_file(const char *path, char **buf, size_t *len, struct diag *d)
{
	int rc = file_read_all(path, buf, len);

	if (rc != 0)
		diag_set(d, path, 0, "cannot read it");
	return rc;
}

static void
wipe_free(char *buf, size_t len)
{
	if (buf != NULL)
		OPENSSL_cleanse(buf, len);
	free(buf);
}

static bool
is_pem(const char *buf, size_t len)
{
	static const char begin[] = "-----BEGIN ";

	for (size_t i = 0; i + sizeof(begin) - 1 <= len; i++)
		if (memcmp(buf + i, begin, sizeof(begin) - 1) == 0)
			return true;
	return false;
}

static struct tlsa_source *
source_new(void)
{
	return calloc(1, sizeof(struct tlsa_source));
}

void
tlsa_source_free(struct tlsa_source *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->ncert; i++)
		X509_free(s->cert[i]);
	EVP_PKEY_free(s->pkey);
	free(s);
}

/*
 * Fill s from a file's bytes (its public key in s->pkey); false with *why
 * saying what the file lacks.
 */
typedef bool decode_fn(struct tlsa_source *s, const char *buf, size_t len,
    const char **why);

static bool
decode_cert(struct tlsa_source *s, const char *buf, size_t len,
    const char **why)
{
	*why = "no certificate in it (PEM or DER)";
	if (is_pem(buf, len)) {
		BIO *bio = BIO_new_mem_buf(buf, (int)len);
		X509 *x;
		/* Every CERTIFICATE block in order; other blocks are skipped. */
		while (bio != NULL && s->ncert < CHAIN_MAX &&
		    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
			s->cert[s->ncert++] = x;
		BIO_free(bio);
	} else {
		const unsigned char *p = (const unsigned char *)buf;
		X509 *x = d2i_X509(NULL, &p, (long)len);
		if (x != NULL)
			s->cert[s->ncert++] = x;
	}
	return s->ncert > 0 && (s->pkey = X509_get_pubkey(s->cert[0])) != NULL;
}

static bool
decode_key(struct tlsa_source *s, const char *buf, size_t len,
    const char **why)
{
	*why = "no private or public key in it (PEM or DER; encrypted keys "
	    "are not read)";
	if (is_pem(buf, len)) {
		BIO *bio = BIO_new_mem_buf(buf, (int)len);
		/* No password callback: an encrypted key is refused, not asked for. */
		if (bio != NULL)
			s->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, "");
		if (s->pkey == NULL && bio != NULL && BIO_reset(bio) == 1)
			s->pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = (const unsigned char *)buf;
		s->pkey = d2i_AutoPrivateKey(NULL, &p, (long)len);
		if (s->pkey == NULL) {
			p = (const unsigned char *)buf;
			s->pkey = d2i_PUBKEY(NULL, &p, (long)len);
		}
	}
	return s->pkey != NULL;
}

static bool
decode_csr(struct tlsa_source *s, const char *buf, size_t len,
    const char **why)
{
	X509_REQ *req = NULL;
	bool ok;

	if (is_pem(buf, len)) {
		BIO *bio = BIO_new_mem_buf(buf, (int)len);
		if (bio != NULL)
			req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = (const unsigned char *)buf;
		req = d2i_X509_REQ(NULL, &p, (long)len);
	}
	if (req != NULL)
		s->pkey = X509_REQ_get_pubkey(req);
	/* The request's own signature: proof it was made with this key. */
	ok = s->pkey != NULL && X509_REQ_verify(req, s->pkey) == 1;
	*why = req == NULL ? "no certificate signing request in it (PEM or DER)" :
	    "its signature does not verify with its public key";
	X509_REQ_free(req);
	return ok;
}

/* Read path and decode it into a new source; the bytes are wiped after. */
static int
load_source(const char *path, decode_fn *decode, struct tlsa_source **out,
    struct diag *d)
{
	struct tlsa_source *s;
	const char *why = "";
	char *buf = NULL;
	size_t len;
	bool ok;
	int rc;

	*out = NULL;
	if ((rc = read_file(path, &buf, &len, d)) != 0)
		return rc;
	if ((s = source_new()) == NULL) {
		wipe_free(buf, len);
		return STATUS_NOMEM;
	}
	ok = decode(s, buf, len, &why);
	ERR_clear_error();
	/* Any of these files may hold a private key (a key, then the chain). */
	wipe_free(buf, len);
	if (!ok) {
		diag_set(d, path, 0, "%s", why);
		tlsa_source_free(s);
		return STATUS_KEY_FORMAT;
	}
	name_key(s);
	*out = s;
	return 0;
}

int
tlsa_source_load_cert(const char *path, struct tlsa_source **out,
    struct diag *d)
{
	return load_source(path, decode_cert, out, d);
}

int
tlsa_source_load_key(const char *path, struct tlsa_source **out,
    struct diag *d)
{
	return load_source(path, decode_key, out, d);
}

int
tlsa_source_load_csr(const char *path, struct tlsa_source **out,
    struct diag *d)
{
	return load_source(path, decode_csr, out, d);
}

const char *
tlsa_source_key_type(const struct tlsa_source *s)
{
	return s->key_type;
}

size_t
tlsa_source_certs(const struct tlsa_source *s)
{
	return s->ncert;
}

bool
tlsa_source_covers(const struct tlsa_source *s, const char *host)
{
	size_t n = strlen(host);

	if (s->ncert == 0)
		return false;
	if (n > 1 && host[n - 1] == '.')
		n--;
	return X509_check_host(s->cert[0], host, n, 0, NULL) == 1;
}

bool
tlsa_source_same_key(const struct tlsa_source *a, const struct tlsa_source *b)
{
	return EVP_PKEY_eq(a->pkey, b->pkey) == 1;
}

/* The DER bytes to hash for selector: the certificate, or its SubjectPublicKeyInfo. */
static int
hash_object(X509 *cert, EVP_PKEY *pkey, struct tlsa_params p,
    struct tlsa_rdata *out)
{
	unsigned char *der = NULL;
	unsigned int mdlen = 0;
	int len;

	len = p.selector == TLSA_SELECTOR_CERT ? i2d_X509(cert, &der) :
	    cert != NULL ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der) :
	    i2d_PUBKEY(pkey, &der);
	if (len <= 0)
		return STATUS_CRYPTO;
	out->params = p;
	if (EVP_Digest(der, (size_t)len, out->data, &mdlen,
	    p.mtype == TLSA_MTYPE_SHA256 ? EVP_sha256() : EVP_sha512(),
	    NULL) != 1) {
		OPENSSL_free(der);
		return STATUS_CRYPTO;
	}
	out->len = mdlen;
	OPENSSL_free(der);
	return 0;
}

int
tlsa_from_source(const struct tlsa_source *s, struct tlsa_params p,
    struct tlsa_rdata *out, size_t max, size_t *n, struct diag *d)
{
	int rc = 0;

	*n = 0;
	if (s->ncert == 0 && (p.usage == TLSA_USAGE_DANE_TA ||
	    p.selector == TLSA_SELECTOR_CERT)) {
		diag_set(d, NULL, 0, "TLSA %u %u %u needs the certificate%s: a key "
		    "or CSR gives only 3 1 1 and 3 1 2", p.usage, p.selector,
		    p.mtype, p.usage == TLSA_USAGE_DANE_TA ? " chain" : "");
		return STATUS_KEY_MISSING;
	}
	if (p.usage == TLSA_USAGE_DANE_EE) {
		if (max > 0 && (rc = hash_object(s->ncert ? s->cert[0] : NULL,
		    s->pkey, p, &out[0])) == 0)
			*n = 1;
		return rc;
	}
	/* DANE-TA: each issuer in the chain, the end entity's first. */
	if (s->ncert < 2) {
		diag_set(d, NULL, 0, "TLSA %u %u %u needs the issuer certificates: "
		    "give the full chain (fullchain.pem)", p.usage, p.selector,
		    p.mtype);
		return STATUS_KEY_MISSING;
	}
	for (size_t i = 1; i < s->ncert && *n < max && rc == 0; i++)
		if ((rc = hash_object(s->cert[i], NULL, p, &out[*n])) == 0)
			(*n)++;
	return rc;
}
