/* Public side of DNSSEC keys: algorithm names, key tags, DS, verification. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/err.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "common/status.h"
#include "dnskey.h"
#include "key.h"
#include "keys_internal.h"

#define DNAME_MAX 255

static const struct {
	uint8_t alg;
	const char *name;
} alg_names[] = {
	/* RFC 8624 §3.1 mnemonics, from the IANA registry. */
	{ DNSSEC_ALG_RSASHA256, "RSASHA256" },
	{ DNSSEC_ALG_ECDSAP256SHA256, "ECDSAP256SHA256" },
	{ DNSSEC_ALG_ECDSAP384SHA384, "ECDSAP384SHA384" },
	{ DNSSEC_ALG_ED25519, "ED25519" },
	{ DNSSEC_ALG_ED448, "ED448" },
};

bool
dnssec_alg_is_supported(uint8_t alg)
{
	return dnssec_alg_name(alg) != NULL;
}

const char *
dnssec_alg_name(uint8_t alg)
{
	for (size_t i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++)
		if (alg_names[i].alg == alg)
			return alg_names[i].name;
	return NULL;
}

int
dnssec_alg_parse(const char *text, uint8_t *alg)
{
	unsigned v = 0;
	size_t i;

	if (text == NULL || *text == '\0')
		return STATUS_UNSUPPORTED;
	/* Our option names are the mnemonics in lower case. */
	for (i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++) {
		if (strcasecmp(text, alg_names[i].name) == 0) {
			*alg = alg_names[i].alg;
			return 0;
		}
	}
	for (i = 0; text[i] != '\0'; i++) {
		if (!isdigit((unsigned char)text[i]) || i >= 3)
			return STATUS_UNSUPPORTED;
		v = v * 10 + (unsigned)(text[i] - '0');
	}
	if (v > 255 || !dnssec_alg_is_supported((uint8_t)v))
		return STATUS_UNSUPPORTED;
	*alg = (uint8_t)v;
	return 0;
}

uint16_t
dnskey_tag(const uint8_t *rdata, size_t len)
{
	uint32_t ac = 0;

	if (rdata == NULL || len < 4)
		return 0;
	/* RFC 4034 Appendix B.1: RSA/MD5 keys use the modulus' low bits. */
	if (rdata[3] == 1) {
		if (len < 7)
			return 0;
		return (uint16_t)(rdata[len - 3] << 8 | rdata[len - 2]);
	}
	/* RFC 4034 Appendix B: one's complement sum over the whole rdata. */
	for (size_t i = 0; i < len; i++)
		ac += (i & 1) ? rdata[i] : (uint32_t)rdata[i] << 8;
	ac += ac >> 16 & 0xffff;
	return (uint16_t)(ac & 0xffff);
}

/* Length of an uncompressed wire name, or 0 when malformed. */
static size_t
wire_name_length(const uint8_t *name)
{
	size_t len = 0;

	for (;;) {
		uint8_t l = name[len];
		if (l > 63)
			return 0;
		len += 1 + (size_t)l;
		if (len > DNAME_MAX)
			return 0;
		if (l == 0)
			return len;
	}
}

int
dnskey_ds_rdata(const uint8_t *owner, const uint8_t *rdata, size_t len,
    uint8_t digest_type, uint8_t *out, size_t *outlen)
{
	uint8_t name[DNAME_MAX], digest[EVP_MAX_MD_SIZE];
	const EVP_MD *md;
	EVP_MD_CTX *ctx = NULL;
	unsigned dlen = 0;
	size_t nlen;
	uint16_t tag;
	int rc;

	if ((rc = keys_crypto_init()) != 0)
		return rc;
	/*
	 * RFC 8624 §3.3: SHA-1 DS records are no longer made (keys ds offers
	 * SHA-256 and SHA-384); SHA-1 is here to check a parent's old DS.
	 */
	switch (digest_type) {
	case DS_DIGEST_SHA1:
		md = EVP_sha1();
		break;
	case DS_DIGEST_SHA256:
		md = keys_alg_md(DNSSEC_ALG_RSASHA256);
		break;
	case DS_DIGEST_SHA384:
		md = keys_alg_md(DNSSEC_ALG_ECDSAP384SHA384);
		break;
	default:
		return STATUS_UNSUPPORTED;
	}
	/* RFC 4034 §2.1.2: the protocol field must be 3. */
	if (owner == NULL || rdata == NULL || len < 4 ||
	    rdata[2] != DNSKEY_PROTOCOL || len > 0xffff ||
	    (nlen = wire_name_length(owner)) == 0)
		return STATUS_INVAL;
	/* RFC 4034 §5.1.4 and §6.2: the owner name in lower case. */
	for (size_t i = 0; i < nlen; i++)
		name[i] = (uint8_t)tolower(owner[i]);
	rc = STATUS_CRYPTO;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, md, NULL) != 1 ||
	    EVP_DigestUpdate(ctx, name, nlen) != 1 ||
	    EVP_DigestUpdate(ctx, rdata, len) != 1 ||
	    EVP_DigestFinal_ex(ctx, digest, &dlen) != 1)
		goto out;
	tag = dnskey_tag(rdata, len);
	/* RFC 4034 §5.1: key tag, algorithm, digest type, digest. */
	out[0] = (uint8_t)(tag >> 8);
	out[1] = (uint8_t)tag;
	out[2] = rdata[3];
	out[3] = digest_type;
	memcpy(out + 4, digest, dlen);
	*outlen = 4 + dlen;
	rc = 0;
out:
	if (rc != 0)
		ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return rc;
}

/*
 * A DNSKEY made ready for verification once: the key decoded, and for RSA
 * and ECDSA a context initialized for verifying that each check duplicates,
 * so that threads share nothing mutable and no algorithm is looked up per
 * signature.
 */
struct dnskey_verifier {
	uint8_t alg;
	uint8_t ed25519[KEYS_ED25519_SIZE];
	EVP_PKEY *pkey;                  /* RSA, ECDSA, Ed448 */
	EVP_PKEY_CTX *verify_template;   /* RSA, ECDSA */
	const EVP_MD *md;
	struct keys_ecdsa_own *own;      /* P-256, our own key: checks */
};

void
dnskey_verifier_free(struct dnskey_verifier *v)
{
	if (v == NULL)
		return;
	EVP_PKEY_CTX_free(v->verify_template);
	EVP_PKEY_free(v->pkey);
	keys_ecdsa_own_free(v->own);
	free(v);
}

int
dnskey_verifier_new(const uint8_t *rdata, size_t len,
    struct dnskey_verifier **out)
{
	struct dnskey_verifier *v;
	const uint8_t *pub;
	size_t publen;
	uint16_t flags;
	int rc;

	*out = NULL;
	if (rdata == NULL || len < 4)
		return STATUS_INVAL;
	flags = (uint16_t)(rdata[0] << 8 | rdata[1]);
	pub = rdata + 4;
	publen = len - 4;
	/*
	 * RFC 4034 §2.1.2: protocol 3; RFC 4035 §5.3.1: only a key with the
	 * Zone Key flag may verify zone data.
	 */
	if (rdata[2] != DNSKEY_PROTOCOL || !(flags & DNSKEY_FLAG_ZONE))
		return STATUS_INVAL;
	if (!dnssec_alg_is_supported(rdata[3]))
		return STATUS_UNSUPPORTED;
	if ((rc = keys_crypto_init()) != 0)
		return rc;
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return STATUS_NOMEM;
	v->alg = rdata[3];
	switch (v->alg) {
	case DNSSEC_ALG_ED25519:
		/* RFC 8080 §3: a 32-octet key. */
		if (publen != sizeof(v->ed25519)) {
			rc = STATUS_INVAL;
			goto fail;
		}
		memcpy(v->ed25519, pub, publen);
		break;
	case DNSSEC_ALG_ED448:
		if ((rc = keys_pkey_from_public(v->alg, pub, publen,
		    &v->pkey)) != 0)
			goto fail;
		break;
	default:
		/* RSA (RFC 5702 §3, PKCS #1 v1.5) and ECDSA (RFC 6605 §4). */
		if ((rc = keys_pkey_from_public(v->alg, pub, publen,
		    &v->pkey)) != 0)
			goto fail;
		v->md = keys_alg_md(v->alg);
		rc = STATUS_CRYPTO;
		if ((v->verify_template = EVP_PKEY_CTX_new_from_pkey(NULL,
		    v->pkey, NULL)) == NULL ||
		    EVP_PKEY_verify_init(v->verify_template) != 1 ||
		    (v->alg == DNSSEC_ALG_RSASHA256 &&
		    EVP_PKEY_CTX_set_rsa_padding(v->verify_template,
		    RSA_PKCS1_PADDING) != 1) ||
		    EVP_PKEY_CTX_set_signature_md(v->verify_template,
		    v->md) != 1) {
			ERR_clear_error();
			goto fail;
		}
		break;
	}
	*out = v;
	return 0;
fail:
	dnskey_verifier_free(v);
	return rc;
}

/* RSA and ECDSA: hash, then verify with a copy of the ready template. */
static int
verify_pkey(const struct dnskey_verifier *v, const uint8_t *data,
    size_t datalen, const uint8_t *sig, size_t siglen)
{
	uint8_t hash[EVP_MAX_MD_SIZE], *der = NULL;
	size_t n = keys_ecdsa_size(v->alg), derlen = 0;
	EVP_PKEY_CTX *ctx = NULL;
	unsigned hlen = 0;
	int rc;

	if (n != 0 && siglen != 2 * n)
		return STATUS_BAD_SIGNATURE;
	if (EVP_Digest(data, datalen, hash, &hlen, v->md, NULL) != 1) {
		ERR_clear_error();
		return STATUS_CRYPTO;
	}
	/* Our own P-256 key: its private key gives the same answer, sooner. */
	if (v->own != NULL)
		return keys_ecdsa_own_check(v->own, hash, hlen, sig, siglen);
	if (n != 0) {
		if ((rc = keys_ecdsa_raw_to_der(sig, n, &der, &derlen)) != 0)
			return rc;
		sig = der;
		siglen = derlen;
	}
	rc = STATUS_CRYPTO;
	if ((ctx = EVP_PKEY_CTX_dup(v->verify_template)) == NULL)
		goto out;
	/* Anything but 1 (0 wrong, <0 malformed) means no valid signature. */
	rc = EVP_PKEY_verify(ctx, sig, siglen, hash, hlen) == 1 ? 0 :
	    STATUS_BAD_SIGNATURE;
out:
	ERR_clear_error();
	OPENSSL_free(der);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* Ed448 is PureEdDSA with an empty context (RFC 8080 §4, RFC 8032 §5.2). */
static int
verify_ed448(const struct dnskey_verifier *v, const uint8_t *data,
    size_t datalen, const uint8_t *sig, size_t siglen)
{
	EVP_MD_CTX *ctx = NULL;
	int rc = STATUS_CRYPTO;

	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestVerifyInit_ex(ctx, NULL, NULL, NULL, NULL, v->pkey,
	    NULL) != 1)
		goto out;
	rc = EVP_DigestVerify(ctx, sig, siglen, data, datalen) == 1 ? 0 :
	    STATUS_BAD_SIGNATURE;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	return rc;
}

int
dnskey_verifier_check(const struct dnskey_verifier *v, const uint8_t *data,
    size_t datalen, const uint8_t *sig, size_t siglen)
{
	if (sig == NULL || (data == NULL && datalen != 0))
		return STATUS_INVAL;
	switch (v->alg) {
	case DNSSEC_ALG_ED25519:
		/* RFC 8080 §4: a 64-octet signature. */
		if (siglen != crypto_sign_BYTES ||
		    crypto_sign_verify_detached(sig, data, datalen,
		    v->ed25519) != 0)
			return STATUS_BAD_SIGNATURE;
		return 0;
	case DNSSEC_ALG_ED448:
		return verify_ed448(v, data, datalen, sig, siglen);
	default:
		return verify_pkey(v, data, datalen, sig, siglen);
	}
}

/*
 * The private key's check holds only while the published key is d·G: one
 * signature by k over a fixed text must verify with the DNSKEY's public key
 * (v's template, as a resolver verifies) before v checks with d.
 */
static bool
signs_for_published_key(const struct key *k, const struct dnskey_verifier *v)
{
	static const uint8_t probe[] = "zonewarden: does this key sign for "
	    "its DNSKEY?";
	uint8_t sig[KEY_SIGNATURE_MAX];
	size_t siglen;

	return key_sign(k, probe, sizeof(probe), sig, &siglen) == 0 &&
	    verify_pkey(v, probe, sizeof(probe), sig, siglen) == 0;
}

int
dnskey_verifier_new_own(const struct key *k, struct dnskey_verifier **out)
{
	struct keys_ecdsa_own *own;
	int rc = dnskey_verifier_new(k->rdata, k->rdlen, out);

	/*
	 * Another algorithm, no private key, a failure, or a published key
	 * that is not this one: v verifies with the public key as any other
	 * verifier does, with the same answers, at the usual cost.
	 */
	if (rc != 0 || keys_ecdsa_own_new(k->alg, k->pkey, &own) != 0)
		return rc;
	if (signs_for_published_key(k, *out))
		(*out)->own = own;
	else
		keys_ecdsa_own_free(own);
	return 0;
}

bool
dnskey_verifier_uses_private(const struct dnskey_verifier *v)
{
	return v->own != NULL;
}

int
dnskey_batch_add(struct dnskey_batch *b, const struct dnskey_verifier *v,
    const uint8_t *data, size_t datalen, const uint8_t *sig, size_t siglen,
    size_t at)
{
	struct dnskey_check *c = &b->c[b->n];
	unsigned hlen = 0;

	if (b->n == DNSKEY_BATCH || v->own == NULL || sig == NULL ||
	    (data == NULL && datalen != 0))
		return STATUS_RANGE;
	if (EVP_Digest(data, datalen, c->hash, &hlen, v->md, NULL) != 1) {
		ERR_clear_error();
		return STATUS_CRYPTO;
	}
	c->v = v;
	c->sig = sig;
	c->siglen = siglen;
	c->hlen = hlen;
	c->at = at;
	c->rc = STATUS_CRYPTO;
	b->n++;
	return 0;
}

void
dnskey_batch_run(struct dnskey_batch *b)
{
	struct keys_ecdsa_check c[DNSKEY_BATCH];

	for (size_t i = 0; i < b->n; i++)
		c[i] = (struct keys_ecdsa_check){ .o = b->c[i].v->own,
		    .hash = b->c[i].hash, .hlen = b->c[i].hlen,
		    .sig = b->c[i].sig, .siglen = b->c[i].siglen };
	keys_ecdsa_own_check_many(c, b->n);
	for (size_t i = 0; i < b->n; i++)
		b->c[i].rc = c[i].rc;
}

int
dnskey_verify(const uint8_t *rdata, size_t len, const uint8_t *data,
    size_t datalen, const uint8_t *sig, size_t siglen)
{
	struct dnskey_verifier *v;
	int rc;

	if (sig == NULL || (data == NULL && datalen != 0))
		return STATUS_INVAL;
	if ((rc = dnskey_verifier_new(rdata, len, &v)) != 0)
		return rc;
	rc = dnskey_verifier_check(v, data, datalen, sig, siglen);
	dnskey_verifier_free(v);
	return rc;
}
