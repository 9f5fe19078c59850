/* OpenSSL and libsodium glue for keys/: set-up, secrets, key encodings. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <sodium.h>

#include "common/status.h"
#include "dnskey.h"
#include "keys_internal.h"

static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static int crypto_status = STATUS_CRYPTO;
/*
 * Fetched once for the whole process: an explicit fetch saves the name
 * lookup (and its lock) that an implicit one costs on every signature.
 */
static EVP_MD *md_sha256, *md_sha384;

/*
 * OpenSSL starts with its configuration (the providers an operator set
 * up) but without the text of its error reasons, which nothing here
 * prints (libssl loads its own when TLS starts), nor its clean-up at
 * exit, whose memory the process's end frees. The two cost about 1 ms,
 * a twentieth of signing a 100-name zone. Its tables of cipher and
 * digest names stay: OpenSSL's DANE looks its digests up by name.
 */
#define CRYPTO_START (OPENSSL_INIT_LOAD_CONFIG | \
	OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_NO_ATEXIT)

static void
crypto_init_once(void)
{
	if (OPENSSL_init_crypto(CRYPTO_START, NULL) != 1) {
		ERR_clear_error();
		return;
	}
	if (sodium_init() < 0)
		return;
	md_sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	md_sha384 = EVP_MD_fetch(NULL, "SHA2-384", NULL);
	if (md_sha256 == NULL || md_sha384 == NULL) {
		ERR_clear_error();
		return;
	}
	crypto_status = 0;
}

int
keys_crypto_init(void)
{
	if (pthread_once(&crypto_once, crypto_init_once) != 0)
		return STATUS_CRYPTO;
	return crypto_status;
}

const EVP_MD *
keys_alg_md(uint8_t alg)
{
	switch (alg) {
	case DNSSEC_ALG_RSASHA256:
	case DNSSEC_ALG_ECDSAP256SHA256:
		return md_sha256;
	case DNSSEC_ALG_ECDSAP384SHA384:
		return md_sha384;
	default:
		return NULL;
	}
}

size_t
keys_ecdsa_size(uint8_t alg)
{
	switch (alg) {
	case DNSSEC_ALG_ECDSAP256SHA256: return 32;
	case DNSSEC_ALG_ECDSAP384SHA384: return 48;
	default: return 0;
	}
}

int
keys_secret_alloc(struct secret *s, size_t size)
{
	unsigned char *p;

	if ((p = sodium_malloc(size == 0 ? 1 : size)) == NULL)
		return STATUS_NOMEM;
	s->data = p;
	s->len = size;
	return 0;
}

void
keys_secret_free(struct secret *s)
{
	if (s == NULL || s->data == NULL)
		return;
	/* sodium_free() wipes the buffer before unmapping it. */
	sodium_free(s->data);
	s->data = NULL;
	s->len = 0;
}

/* RFC 3110 §2: exponent length (1 octet, or 0 and 2), exponent, modulus. */
static int
rsa_split(const uint8_t *pub, size_t len, const uint8_t **e, size_t *elen,
    const uint8_t **n, size_t *nlen)
{
	size_t hdr = 1, el, bits;

	if (len < 1)
		return STATUS_INVAL;
	el = pub[0];
	if (el == 0) {
		if (len < 3)
			return STATUS_INVAL;
		el = (size_t)pub[1] << 8 | pub[2];
		hdr = 3;
	}
	if (el == 0 || len - hdr <= el)
		return STATUS_INVAL;
	*e = pub + hdr;
	*elen = el;
	*n = pub + hdr + el;
	*nlen = len - hdr - el;
	/* RFC 3110 §2: no leading zero octets in either number. */
	if ((*e)[0] == 0 || (*n)[0] == 0)
		return STATUS_INVAL;
	bits = (*nlen - 1) * 8;
	for (unsigned top = (*n)[0]; top != 0; top >>= 1)
		bits++;
	if (bits < KEYS_RSA_MIN_BITS || bits > KEYS_RSA_MAX_BITS)
		return STATUS_INVAL;
	return 0;
}

static int
pkey_fromdata(const char *type, OSSL_PARAM_BLD *bld, int selection,
    EVP_PKEY **out)
{
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int rc = STATUS_CRYPTO;

	if ((params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1)
		goto out;
	if (EVP_PKEY_fromdata(ctx, &pkey, selection, params) != 1) {
		rc = STATUS_INVAL;
		goto out;
	}
	*out = pkey;
	rc = 0;
out:
	if (rc != 0)
		ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return rc;
}

static int
rsa_public(const uint8_t *pub, size_t len, EVP_PKEY **out)
{
	const uint8_t *e, *n;
	size_t elen, nlen;
	BIGNUM *bn_e = NULL, *bn_n = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	int rc;

	if ((rc = rsa_split(pub, len, &e, &elen, &n, &nlen)) != 0)
		return rc;
	rc = STATUS_CRYPTO;
	if ((bn_e = BN_bin2bn(e, (int)elen, NULL)) == NULL ||
	    (bn_n = BN_bin2bn(n, (int)nlen, NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e))
		goto out;
	rc = pkey_fromdata("RSA", bld, EVP_PKEY_PUBLIC_KEY, out);
out:
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_e);
	BN_free(bn_n);
	return rc;
}

static int
ec_public(uint8_t alg, const uint8_t *pub, size_t len, EVP_PKEY **out)
{
	uint8_t point[1 + 2 * 48];
	size_t n = keys_ecdsa_size(alg);
	OSSL_PARAM_BLD *bld = NULL;
	int rc = STATUS_CRYPTO;

	/* RFC 6605 §4: x || y, without the uncompressed-point prefix 0x04. */
	if (len != 2 * n)
		return STATUS_INVAL;
	point[0] = POINT_CONVERSION_UNCOMPRESSED;
	memcpy(point + 1, pub, len);
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    n == 32 ? "P-256" : "P-384", 0) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    point, 1 + len))
		goto out;
	/* The import checks that the point lies on the curve. */
	rc = pkey_fromdata("EC", bld, EVP_PKEY_PUBLIC_KEY, out);
out:
	OSSL_PARAM_BLD_free(bld);
	return rc;
}

int
keys_pkey_from_public(uint8_t alg, const uint8_t *pub, size_t len,
    EVP_PKEY **out)
{
	EVP_PKEY *pkey;

	switch (alg) {
	case DNSSEC_ALG_RSASHA256:
		return rsa_public(pub, len, out);
	case DNSSEC_ALG_ECDSAP256SHA256:
	case DNSSEC_ALG_ECDSAP384SHA384:
		return ec_public(alg, pub, len, out);
	case DNSSEC_ALG_ED448:
		/* RFC 8080 §3: the public key is the raw 57-octet encoding. */
		if (len != KEYS_ED448_SIZE)
			return STATUS_INVAL;
		pkey = EVP_PKEY_new_raw_public_key_ex(NULL, "ED448", NULL, pub,
		    len);
		if (pkey == NULL) {
			ERR_clear_error();
			return STATUS_INVAL;
		}
		*out = pkey;
		return 0;
	default:
		return STATUS_INVAL;
	}
}

static int
rsa_encode(EVP_PKEY *pkey, uint8_t *out, size_t *len)
{
	BIGNUM *n = NULL, *e = NULL;
	size_t nlen, elen, hdr;
	int rc = STATUS_CRYPTO;

	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) != 1 ||
	    EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) != 1)
		goto out;
	nlen = (size_t)BN_num_bytes(n);
	elen = (size_t)BN_num_bytes(e);
	hdr = elen <= 255 ? 1 : 3;
	if (elen == 0 || elen > 0xffff || hdr + elen + nlen > KEYS_PUBKEY_MAX) {
		rc = STATUS_INVAL;
		goto out;
	}
	/* RFC 3110 §2. */
	if (hdr == 1) {
		out[0] = (uint8_t)elen;
	} else {
		out[0] = 0;
		out[1] = (uint8_t)(elen >> 8);
		out[2] = (uint8_t)elen;
	}
	BN_bn2bin(e, out + hdr);
	BN_bn2bin(n, out + hdr + elen);
	*len = hdr + elen + nlen;
	rc = 0;
out:
	BN_free(n);
	BN_free(e);
	return rc;
}

int
keys_public_from_pkey(uint8_t alg, EVP_PKEY *pkey, uint8_t *out, size_t *len)
{
	uint8_t point[1 + 2 * 48];
	size_t n = keys_ecdsa_size(alg), plen = 0;

	switch (alg) {
	case DNSSEC_ALG_RSASHA256:
		return rsa_encode(pkey, out, len);
	case DNSSEC_ALG_ECDSAP256SHA256:
	case DNSSEC_ALG_ECDSAP384SHA384:
		if (EVP_PKEY_get_octet_string_param(pkey,
		    OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point),
		    &plen) != 1) {
			ERR_clear_error();
			return STATUS_CRYPTO;
		}
		if (plen != 1 + 2 * n ||
		    point[0] != POINT_CONVERSION_UNCOMPRESSED)
			return STATUS_INVAL;
		/* RFC 6605 §4: drop the 0x04 prefix. */
		memcpy(out, point + 1, 2 * n);
		*len = 2 * n;
		return 0;
	case DNSSEC_ALG_ED448:
		plen = KEYS_ED448_SIZE;
		if (EVP_PKEY_get_raw_public_key(pkey, out, &plen) != 1 ||
		    plen != KEYS_ED448_SIZE) {
			ERR_clear_error();
			return STATUS_CRYPTO;
		}
		*len = plen;
		return 0;
	default:
		return STATUS_INVAL;
	}
}

/*
 * One DER INTEGER (X.690 §8.3) at *p, positive and minimally encoded,
 * left-padded into n bytes at out; *p moves past it. Short-form lengths
 * only: ECDSA's r and s for P-256 and P-384 never need more.
 */
static bool
der_integer(const uint8_t **p, const uint8_t *end, size_t n, uint8_t *out)
{
	const uint8_t *q = *p;
	size_t len;

	if (end - q < 2 || q[0] != 0x02 || (q[1] & 0x80) != 0 ||
	    (len = q[1]) == 0 || (size_t)(end - q - 2) < len)
		return false;
	q += 2;
	*p = q + len;
	/* Negative, or a leading zero that is not needed: not DER. */
	if ((q[0] & 0x80) != 0 || (len > 1 && q[0] == 0 && (q[1] & 0x80) == 0))
		return false;
	if (q[0] == 0) {
		q++;
		len--;
	}
	if (len > n)
		return false;
	memset(out, 0, n - len);
	memcpy(out + n - len, q, len);
	return true;
}

/*
 * By hand, not by d2i_ECDSA_SIG: this runs once per signature made, and
 * OpenSSL's way (two BIGNUMs allocated and freed) cost about 1% of the
 * time of a signature.
 */
int
keys_ecdsa_der_to_raw(const uint8_t *der, size_t derlen, size_t n,
    uint8_t *raw)
{
	const uint8_t *p = der + 2, *end = der + derlen;

	/* A SEQUENCE of r and s, nothing after. */
	if (derlen < 2 || der[0] != 0x30 || (der[1] & 0x80) != 0 ||
	    der[1] != derlen - 2)
		return STATUS_CRYPTO;
	/* RFC 6605 §4: r and s each padded to the fixed size of the curve. */
	if (!der_integer(&p, end, n, raw) || !der_integer(&p, end, n, raw + n) ||
	    p != end)
		return STATUS_CRYPTO;
	return 0;
}

int
keys_ecdsa_raw_to_der(const uint8_t *raw, size_t n, uint8_t **der,
    size_t *derlen)
{
	BIGNUM *r = NULL, *s = NULL;
	ECDSA_SIG *sig = NULL;
	unsigned char *buf = NULL;
	int len, rc = STATUS_CRYPTO;

	if ((sig = ECDSA_SIG_new()) == NULL ||
	    (r = BN_bin2bn(raw, (int)n, NULL)) == NULL ||
	    (s = BN_bin2bn(raw + n, (int)n, NULL)) == NULL ||
	    ECDSA_SIG_set0(sig, r, s) != 1)
		goto out;
	r = s = NULL;   /* owned by sig now */
	if ((len = i2d_ECDSA_SIG(sig, &buf)) <= 0)
		goto out;
	*der = buf;
	*derlen = (size_t)len;
	rc = 0;
out:
	if (rc != 0)
		ERR_clear_error();
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return rc;
}

int
keys_rsa_check_exponent(EVP_PKEY *pkey)
{
	static const char *const names[] = { OSSL_PKEY_PARAM_RSA_N,
	    OSSL_PKEY_PARAM_RSA_E, OSSL_PKEY_PARAM_RSA_D,
	    OSSL_PKEY_PARAM_RSA_FACTOR1, OSSL_PKEY_PARAM_RSA_FACTOR2 };
	BIGNUM *v[5] = { NULL }, *m = BN_new(), *t = BN_new();
	BN_CTX *ctx = BN_CTX_new();
	int rc = STATUS_NOMEM;

	if (m == NULL || t == NULL || ctx == NULL)
		goto out;
	rc = STATUS_KEY_FORMAT;
	for (size_t i = 0; i < 5; i++)
		if (EVP_PKEY_get_bn_param(pkey, names[i], &v[i]) != 1)
			goto out;
	/* v: n, e, d, p, q. */
	if (BN_cmp(v[2], v[0]) >= 0)
		goto out;
	for (size_t f = 3; f < 5; f++) {
		if (!BN_sub(m, v[f], BN_value_one()) ||
		    !BN_mod_mul(t, v[1], v[2], m, ctx)) {
			rc = STATUS_CRYPTO;
			goto out;
		}
		if (!BN_is_one(t))
			goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	for (size_t i = 0; i < 5; i++)
		BN_clear_free(v[i]);
	BN_clear_free(t);
	BN_free(m);
	BN_CTX_free(ctx);
	return rc;
}

/*
 * ECDSA checks with the private scalar d at hand. Verification (FIPS
 * 186-5 §6.4.2) computes u1·G + u2·Q with u1 = e/s and u2 = r/s modulo the
 * group order n; as Q = d·G, that point is ((e + r·d)/s)·G. One
 * multiplication of the generator, which OpenSSL does from a precomputed
 * table, takes the place of the one by Q: less than half the cost, and
 * exactly the verification's answer. P-256 only: OpenSSL 3.0 has no such table
 * for P-384, and multiplies its generator by a secret scalar with a ladder
 * that costs as much as a whole verification.
 */
struct keys_ecdsa_own {
	EC_GROUP *group;
	BN_MONT_CTX *mont;           /* modulo n */
	BIGNUM *d_mont;              /* d in Montgomery form */
	BIGNUM *n_minus_2;           /* x^(n-2) = 1/x modulo the prime n */
	size_t n;                    /* bytes of r, of s and of the digest */
};

void
keys_ecdsa_own_free(struct keys_ecdsa_own *o)
{
	if (o == NULL)
		return;
	EC_GROUP_free(o->group);
	BN_MONT_CTX_free(o->mont);
	BN_clear_free(o->d_mont);
	BN_free(o->n_minus_2);
	free(o);
}

int
keys_ecdsa_own_new(uint8_t alg, EVP_PKEY *pkey, struct keys_ecdsa_own **out)
{
	size_t n = keys_ecdsa_size(alg);
	struct keys_ecdsa_own *o;
	BIGNUM *d = NULL;
	BN_CTX *ctx = NULL;
	int rc = STATUS_CRYPTO;

	*out = NULL;
	if (alg != DNSSEC_ALG_ECDSAP256SHA256 || pkey == NULL)
		return STATUS_UNSUPPORTED;
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return STATUS_NOMEM;
	o->n = n;
	if (EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &d) != 1) {
		rc = STATUS_UNSUPPORTED;     /* a public key only */
		goto out;
	}
	BN_set_flags(d, BN_FLG_CONSTTIME);
	if ((ctx = BN_CTX_secure_new()) == NULL ||
	    (o->group = EC_GROUP_new_by_curve_name_ex(NULL, NULL,
	    NID_X9_62_prime256v1)) == NULL ||
	    (o->mont = BN_MONT_CTX_new()) == NULL ||
	    BN_MONT_CTX_set(o->mont, EC_GROUP_get0_order(o->group), ctx) != 1 ||
	    (o->d_mont = BN_secure_new()) == NULL ||
	    BN_to_montgomery(o->d_mont, d, o->mont, ctx) != 1 ||
	    (o->n_minus_2 = BN_dup(EC_GROUP_get0_order(o->group))) == NULL ||
	    BN_sub_word(o->n_minus_2, 2) != 1)
		goto out;
	BN_set_flags(o->d_mont, BN_FLG_CONSTTIME);
	*out = o;
	o = NULL;
	rc = 0;
out:
	if (rc != 0)
		ERR_clear_error();
	BN_clear_free(d);
	BN_CTX_free(ctx);
	keys_ecdsa_own_free(o);
	return rc;
}

/*
 * (e + r·d)/s is the signature's nonce: as secret as d. It is found the
 * way OpenSSL's signing finds s: products by Montgomery multiplication,
 * the one sum over values blinded by a random b, and one inversion, of
 * b·s, in constant time (Fermat's: b·s to the power n - 2):
 *   u = (b·e + b·r·d) / (b·s).
 * That inversion costs twice the multiplication of G that follows, so
 * the checks of a batch share one (Montgomery's trick): the product of
 * every b·s is inverted, and each 1/(b·s) taken out of it with two more
 * multiplications. The product is of blinded values, as each b·s is.
 * Every intermediate lives in the secure BN_CTX, wiped when it is freed.
 */

/*
 * One check's values: r as it is, t = b·e + b·r·d, x = b·s and the
 * product of x over the batch so far (Montgomery forms); before: the
 * check before it in that product.
 */
struct own_values {
	BIGNUM *r, *t, *x, *prefix;
	size_t before;
};

/* r, t and x of c (c->rc: 0 while it holds), from values in ctx. */
static int
own_blind(const struct keys_ecdsa_check *c, struct own_values *v,
    BN_CTX *ctx)
{
	const struct keys_ecdsa_own *o = c->o;
	const BIGNUM *order = EC_GROUP_get0_order(o->group);
	BIGNUM *s, *e, *b, *rm, *u;
	int rc = STATUS_CRYPTO;

	BN_CTX_start(ctx);
	s = BN_CTX_get(ctx);
	e = BN_CTX_get(ctx);
	b = BN_CTX_get(ctx);
	rm = BN_CTX_get(ctx);
	if ((u = BN_CTX_get(ctx)) == NULL ||
	    BN_bin2bn(c->sig, (int)o->n, v->r) == NULL ||
	    BN_bin2bn(c->sig + o->n, (int)o->n, s) == NULL ||
	    BN_bin2bn(c->hash, (int)c->hlen, e) == NULL)
		goto out;
	/* 0 < r, s < n, or the signature is invalid. */
	if (BN_is_zero(v->r) || BN_is_zero(s) || BN_cmp(v->r, order) >= 0 ||
	    BN_cmp(s, order) >= 0) {
		rc = STATUS_BAD_SIGNATURE;
		goto out;
	}
	BN_set_flags(b, BN_FLG_CONSTTIME);
	BN_set_flags(u, BN_FLG_CONSTTIME);
	BN_set_flags(v->t, BN_FLG_CONSTTIME);
	/*
	 * One Montgomery multiplication of a·R by c gives a·c; the
	 * Montgomery forms made here are those of public values.
	 */
	if (BN_nnmod(e, e, order, ctx) != 1 ||
	    BN_to_montgomery(rm, v->r, o->mont, ctx) != 1 ||
	    BN_to_montgomery(s, s, o->mont, ctx) != 1 ||
	    BN_to_montgomery(e, e, o->mont, ctx) != 1)
		goto out;
	do {
		if (BN_priv_rand_range(b, order) != 1)
			goto out;
	} while (BN_is_zero(b));
	if (/* t = b·d, then b·d·r */
	    BN_mod_mul_montgomery(v->t, b, o->d_mont, o->mont, ctx) != 1 ||
	    BN_mod_mul_montgomery(v->t, v->t, rm, o->mont, ctx) != 1 ||
	    /* u = b·e; t = b·e + b·r·d */
	    BN_mod_mul_montgomery(u, b, e, o->mont, ctx) != 1 ||
	    BN_mod_add_quick(v->t, v->t, u, order) != 1 ||
	    /* x = b·s, in Montgomery form: (b·s)·R */
	    BN_mod_mul_montgomery(v->x, b, s, o->mont, ctx) != 1 ||
	    BN_to_montgomery(v->x, v->x, o->mont, ctx) != 1)
		goto out;
	rc = 0;
out:
	BN_CTX_end(ctx);
	return rc;
}

/* Does the nonce u (not 0) give r: the x of u·G, modulo n? */
static int
own_compare(const struct keys_ecdsa_own *o, const BIGNUM *u,
    const BIGNUM *r, BN_CTX *ctx)
{
	EC_POINT *point = NULL;
	BIGNUM *x;
	int rc = STATUS_CRYPTO;

	BN_CTX_start(ctx);
	if ((x = BN_CTX_get(ctx)) == NULL ||
	    (point = EC_POINT_new(o->group)) == NULL ||
	    EC_POINT_mul(o->group, point, u, NULL, NULL, ctx) != 1 ||
	    EC_POINT_get_affine_coordinates(o->group, point, x, NULL,
	    ctx) != 1 ||
	    BN_nnmod(x, x, EC_GROUP_get0_order(o->group), ctx) != 1)
		goto out;
	rc = BN_cmp(x, r) == 0 ? 0 : STATUS_BAD_SIGNATURE;
out:
	EC_POINT_clear_free(point);
	BN_CTX_end(ctx);
	return rc;
}

/* Up to KEYS_ECDSA_BATCH checks of c, every o of the same curve: those with rc 0. */
static void
own_check_batch(struct keys_ecdsa_check *c, size_t n, BN_CTX *ctx)
{
	struct own_values v[KEYS_ECDSA_BATCH];
	const struct keys_ecdsa_own *o = NULL;
	BIGNUM *inv, *u, *q;
	size_t last = 0, live = 0;

	BN_CTX_start(ctx);
	inv = BN_CTX_get(ctx);
	u = BN_CTX_get(ctx);
	q = BN_CTX_get(ctx);
	for (size_t i = 0; i < n; i++) {
		v[i].r = BN_CTX_get(ctx);
		v[i].t = BN_CTX_get(ctx);
		v[i].x = BN_CTX_get(ctx);
		v[i].prefix = BN_CTX_get(ctx);
	}
	if (n == 0 || v[n - 1].prefix == NULL)
		goto fail;
	BN_set_flags(inv, BN_FLG_CONSTTIME);
	BN_set_flags(u, BN_FLG_CONSTTIME);
	BN_set_flags(q, BN_FLG_CONSTTIME);
	/* Each prefix: the product of x over the checks so far that hold. */
	for (size_t i = 0; i < n; i++) {
		if (c[i].rc != 0 || (c[i].rc = own_blind(&c[i], &v[i], ctx)) != 0)
			continue;
		o = c[i].o;
		v[i].before = live == 0 ? SIZE_MAX : last;
		if ((live == 0 ? BN_copy(v[i].prefix, v[i].x) != NULL :
		    BN_mod_mul_montgomery(v[i].prefix, v[last].prefix, v[i].x,
		    o->mont, ctx) == 1) == 0) {
			c[i].rc = STATUS_CRYPTO;
			continue;
		}
		last = i;
		live++;
	}
	if (live == 0)
		goto out;
	/* inv = 1/(the product), in Montgomery form. */
	if (BN_from_montgomery(q, v[last].prefix, o->mont, ctx) != 1 ||
	    BN_mod_exp_mont_consttime(inv, q, o->n_minus_2,
	    EC_GROUP_get0_order(o->group), ctx, o->mont) != 1 ||
	    BN_to_montgomery(inv, inv, o->mont, ctx) != 1)
		goto fail;
	/* From the last check back: 1/x = inv·(prefix before), then inv·x. */
	for (size_t i = last + 1; i-- > 0;) {
		if (c[i].rc != 0)
			continue;
		if (v[i].before == SIZE_MAX) {
			if (BN_copy(q, inv) == NULL)
				goto fail;
		} else if (BN_mod_mul_montgomery(q, inv, v[v[i].before].prefix,
		    o->mont, ctx) != 1 ||
		    BN_mod_mul_montgomery(inv, inv, v[i].x, o->mont, ctx) != 1)
			goto fail;
		/* The nonce t/x; 0 is the point at infinity, with no x to compare. */
		if (BN_mod_mul_montgomery(u, v[i].t, q, o->mont, ctx) != 1)
			goto fail;
		c[i].rc = BN_is_zero(u) ? STATUS_BAD_SIGNATURE :
		    own_compare(c[i].o, u, v[i].r, ctx);
	}
	goto out;
fail:
	for (size_t i = 0; i < n; i++)
		if (c[i].rc == 0)
			c[i].rc = STATUS_CRYPTO;
out:
	BN_CTX_end(ctx);
}

void
keys_ecdsa_own_check_many(struct keys_ecdsa_check *c, size_t n)
{
	BN_CTX *ctx;
	size_t i;

	/* FIPS 186-5 §6.4.2: the digest's leftmost bits, as many as n has. */
	for (i = 0; i < n; i++)
		c[i].rc = c[i].siglen != 2 * c[i].o->n ||
		    c[i].hlen != c[i].o->n ? STATUS_BAD_SIGNATURE : 0;
	if ((ctx = BN_CTX_secure_new()) == NULL) {
		for (i = 0; i < n; i++)
			if (c[i].rc == 0)
				c[i].rc = STATUS_NOMEM;
		ERR_clear_error();
		return;
	}
	for (i = 0; i < n; i += KEYS_ECDSA_BATCH)
		own_check_batch(c + i, n - i < KEYS_ECDSA_BATCH ? n - i :
		    KEYS_ECDSA_BATCH, ctx);
	ERR_clear_error();
	BN_CTX_free(ctx);
}

int
keys_ecdsa_own_check(const struct keys_ecdsa_own *o, const uint8_t *hash,
    size_t hlen, const uint8_t *sig, size_t siglen)
{
	struct keys_ecdsa_check c = { .o = o, .hash = hash, .hlen = hlen,
	    .sig = sig, .siglen = siglen };

	keys_ecdsa_own_check_many(&c, 1);
	return c.rc;
}
