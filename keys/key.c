/* DNSSEC key pairs: generation, loading and saving BIND key files, signing. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>
#include <sodium.h>

#include "common/fileio.h"
#include "common/status.h"
#include "dnskey.h"
#include "key.h"
#include "keys_internal.h"

void
key_free(struct key *k)
{
	if (k == NULL)
		return;
	free(k->owner);
	free(k->rdata);
	free(k->prefix);
	EVP_PKEY_CTX_free(k->sign_template);
	EVP_PKEY_free(k->pkey);
	if (k->ed25519_sk != NULL)
		sodium_free(k->ed25519_sk);
	free(k);
}

uint8_t
key_algorithm(const struct key *k)
{
	return k->alg;
}

uint16_t
key_flags(const struct key *k)
{
	return k->flags;
}

uint16_t
key_tag(const struct key *k)
{
	return k->tag;
}

unsigned
key_bits(const struct key *k)
{
	return k->bits;
}

bool
key_is_sep(const struct key *k)
{
	return (k->flags & DNSKEY_FLAG_SEP) != 0;
}

int64_t
key_created(const struct key *k)
{
	return k->created;
}

void
key_set_use(struct key *k, bool published, bool signing)
{
	k->unpublished = !published;
	k->not_signing = !signing;
	k->keys_only = false;
}

void
key_set_keys_only(struct key *k, bool keys_only)
{
	k->keys_only = keys_only;
}

bool
key_signs_keys_only(const struct key *k)
{
	return k->keys_only;
}

bool
key_is_published(const struct key *k)
{
	return !k->unpublished;
}

bool
key_is_signing(const struct key *k)
{
	return !k->not_signing;
}

void
key_set_cds(struct key *k, bool cds)
{
	k->cds = cds;
}

bool
key_has_cds(const struct key *k)
{
	return k->cds;
}

const char *
key_owner(const struct key *k)
{
	return k->owner;
}

const uint8_t *
key_dnskey_rdata(const struct key *k, size_t *len)
{
	*len = k->rdlen;
	return k->rdata;
}

const char *
key_file_prefix(const struct key *k)
{
	return k->prefix != NULL ? k->prefix : "";
}

static struct key *
key_new(const char *owner, uint8_t alg, uint16_t flags)
{
	struct key *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	if ((k->owner = strdup(owner)) == NULL) {
		free(k);
		return NULL;
	}
	k->alg = alg;
	k->flags = flags;
	return k;
}

/* An Ed25519 key pair from its 32-octet seed, in a read-only secret buffer. */
static int
ed25519_from_seed(struct key *k, const unsigned char *seed)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];

	if ((k->ed25519_sk = sodium_malloc(crypto_sign_SECRETKEYBYTES)) == NULL)
		return STATUS_NOMEM;
	if (crypto_sign_seed_keypair(pk, k->ed25519_sk, seed) != 0)
		return STATUS_CRYPTO;
	/* Signing only reads it: a stray write now faults instead. */
	sodium_mprotect_readonly(k->ed25519_sk);
	return 0;
}

/*
 * Fill what follows from the key material: DNSKEY rdata, tag, size, and
 * the signing template. Called once, before the key is shared.
 */
static int
key_setup(struct key *k)
{
	uint8_t pub[KEYS_PUBKEY_MAX];
	size_t publen = 0;
	int rc;

	switch (k->alg) {
	case DNSSEC_ALG_ED25519:
		/* libsodium's secret key is seed || public key. */
		publen = crypto_sign_PUBLICKEYBYTES;
		memcpy(pub, k->ed25519_sk + crypto_sign_SEEDBYTES, publen);
		k->bits = 256;
		break;
	case DNSSEC_ALG_ED448:
		if ((rc = keys_public_from_pkey(k->alg, k->pkey, pub,
		    &publen)) != 0)
			return rc;
		k->bits = 456;
		break;
	default:
		if ((rc = keys_public_from_pkey(k->alg, k->pkey, pub,
		    &publen)) != 0)
			return rc;
		k->bits = (unsigned)EVP_PKEY_get_bits(k->pkey);
		k->md = keys_alg_md(k->alg);
		k->sign_template = EVP_PKEY_CTX_new_from_pkey(NULL, k->pkey,
		    NULL);
		/* RFC 5702 §3: PKCS #1 v1.5 with a SHA-256 DigestInfo. */
		if (k->sign_template == NULL ||
		    EVP_PKEY_sign_init(k->sign_template) != 1 ||
		    (k->alg == DNSSEC_ALG_RSASHA256 &&
		    EVP_PKEY_CTX_set_rsa_padding(k->sign_template,
		    RSA_PKCS1_PADDING) != 1) ||
		    EVP_PKEY_CTX_set_signature_md(k->sign_template,
		    k->md) != 1) {
			ERR_clear_error();
			return STATUS_CRYPTO;
		}
		break;
	}
	/* RFC 4034 §2.1: flags, protocol 3, algorithm, public key. */
	k->rdlen = 4 + publen;
	if ((k->rdata = malloc(k->rdlen)) == NULL)
		return STATUS_NOMEM;
	k->rdata[0] = (uint8_t)(k->flags >> 8);
	k->rdata[1] = (uint8_t)k->flags;
	k->rdata[2] = DNSKEY_PROTOCOL;
	k->rdata[3] = k->alg;
	memcpy(k->rdata + 4, pub, publen);
	k->tag = dnskey_tag(k->rdata, k->rdlen);
	return 0;
}

static int
generate_material(struct key *k, unsigned bits)
{
	struct secret seed = { 0 };
	int rc = 0;

	switch (k->alg) {
	case DNSSEC_ALG_RSASHA256:
		/* Public exponent 65537, OpenSSL's default. */
		k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)bits);
		break;
	case DNSSEC_ALG_ECDSAP256SHA256:
		k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case DNSSEC_ALG_ECDSAP384SHA384:
		k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	case DNSSEC_ALG_ED448:
		k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED448");
		break;
	case DNSSEC_ALG_ED25519:
		if ((rc = keys_secret_alloc(&seed, crypto_sign_SEEDBYTES)) != 0)
			return rc;
		randombytes_buf(seed.data, seed.len);
		rc = ed25519_from_seed(k, seed.data);
		keys_secret_free(&seed);
		return rc;
	default:
		return STATUS_UNSUPPORTED;
	}
	if (k->pkey == NULL) {
		ERR_clear_error();
		return STATUS_CRYPTO;
	}
	return 0;
}

int
key_generate(const char *owner, uint8_t alg, unsigned bits, uint16_t flags,
    int64_t created, struct key **out)
{
	struct key *k = NULL;
	char *name = NULL;
	int rc;

	if (!dnssec_alg_is_supported(alg))
		return STATUS_UNSUPPORTED;
	if (alg == DNSSEC_ALG_RSASHA256) {
		if (bits == 0)
			bits = KEYS_RSA_DEFAULT_BITS;
		if (bits < KEYS_RSA_MIN_BITS || bits > KEYS_RSA_MAX_BITS)
			return STATUS_RANGE;
	}
	/* RFC 4034 §2.1.1: we only make zone keys. */
	if (!(flags & DNSKEY_FLAG_ZONE))
		return STATUS_RANGE;
	if ((rc = keys_crypto_init()) != 0)
		return rc;
	if ((rc = keys_name_normalize(owner, &name)) != 0)
		return rc;
	if ((k = key_new(name, alg, flags)) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	k->created = created;
	if ((rc = generate_material(k, bits)) != 0 ||
	    (rc = key_setup(k)) != 0)
		goto out;
	*out = k;
	k = NULL;
out:
	key_free(k);
	free(name);
	return rc;
}

/*
 * A secret field as a BIGNUM flagged secure: it is cleared on free, and
 * OSSL_PARAM_BLD copies it into the separate block that OSSL_PARAM_free
 * clears.
 */
static BIGNUM *
secret_bn(const struct secret *s)
{
	BIGNUM *bn = BN_secure_new();

	if (bn != NULL && BN_bin2bn(s->data, (int)s->len, bn) == NULL) {
		BN_clear_free(bn);
		bn = NULL;
	}
	return bn;
}

static int
rsa_from_fields(struct key *k, const struct key_private_file *pf)
{
	static const char *const params[] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	BIGNUM *bn[KEY_FIELD_COEFFICIENT + 1] = { 0 };
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *ossl = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	int i, rc = STATUS_CRYPTO;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		goto out;
	for (i = 0; i <= KEY_FIELD_COEFFICIENT; i++)
		if ((bn[i] = secret_bn(&pf->field[i])) == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, params[i], bn[i]))
			goto out;
	if ((ossl = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1)
		goto out;
	if (EVP_PKEY_fromdata(ctx, &k->pkey, EVP_PKEY_KEYPAIR, ossl) != 1) {
		rc = STATUS_KEY_FORMAT;
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(ossl);
	OSSL_PARAM_BLD_free(bld);
	for (i = 0; i <= KEY_FIELD_COEFFICIENT; i++)
		BN_clear_free(bn[i]);
	return rc;
}

/* An ECDSA key from its scalar; the public point is derived here, d·G. */
static int
ec_from_scalar(struct key *k, const struct secret *priv)
{
	size_t n = keys_ecdsa_size(k->alg);
	int nid = n == 32 ? NID_X9_62_prime256v1 : NID_secp384r1;
	uint8_t point[1 + 2 * 48];
	EC_GROUP *group = NULL;
	EC_POINT *pub = NULL;
	BN_CTX *bnctx = NULL;
	BIGNUM *d = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *ossl = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	int rc = STATUS_CRYPTO;

	/* ldns writes the scalar without leading zeros, BIND at full size. */
	if (priv->len == 0 || priv->len > n)
		return STATUS_KEY_FORMAT;
	if ((group = EC_GROUP_new_by_curve_name_ex(NULL, NULL, nid)) == NULL ||
	    (bnctx = BN_CTX_secure_new()) == NULL ||
	    (d = secret_bn(priv)) == NULL ||
	    (pub = EC_POINT_new(group)) == NULL)
		goto out;
	/* FIPS 186-4 B.4: 0 < d < n. */
	if (BN_is_zero(d) || BN_cmp(d, EC_GROUP_get0_order(group)) >= 0) {
		rc = STATUS_KEY_FORMAT;
		goto out;
	}
	if (EC_POINT_mul(group, pub, d, NULL, NULL, bnctx) != 1 ||
	    EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, point,
	    sizeof(point), bnctx) != 1 + 2 * n ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    n == 32 ? "P-256" : "P-384", 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
	    point, 1 + 2 * n) ||
	    (ossl = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &k->pkey, EVP_PKEY_KEYPAIR, ossl) != 1)
		goto out;
	rc = 0;
out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(ossl);
	OSSL_PARAM_BLD_free(bld);
	EC_POINT_free(pub);
	BN_clear_free(d);
	BN_CTX_free(bnctx);
	EC_GROUP_free(group);
	return rc;
}

/* Build the key material from the fields of a .private file. */
static int
material_from_private(struct key *k, const struct key_private_file *pf,
    const char *path, struct diag *d)
{
	const struct secret *priv = &pf->field[KEY_FIELD_PRIVATE_KEY];
	int first = k->alg == DNSSEC_ALG_RSASHA256 ? 0 : KEY_FIELD_PRIVATE_KEY;
	int last = k->alg == DNSSEC_ALG_RSASHA256 ? KEY_FIELD_COEFFICIENT :
	    KEY_FIELD_PRIVATE_KEY;
	int rc;

	for (int i = first; i <= last; i++) {
		if (pf->field[i].data == NULL) {
			diag_set(d, path, 0, "no %s line for algorithm %u",
			    keys_field_name((enum key_field)i), k->alg);
			return STATUS_KEY_FORMAT;
		}
	}
	switch (k->alg) {
	case DNSSEC_ALG_RSASHA256:
		rc = rsa_from_fields(k, pf);
		break;
	case DNSSEC_ALG_ECDSAP256SHA256:
	case DNSSEC_ALG_ECDSAP384SHA384:
		rc = ec_from_scalar(k, priv);
		break;
	case DNSSEC_ALG_ED25519:
		rc = priv->len != crypto_sign_SEEDBYTES ? STATUS_KEY_FORMAT :
		    ed25519_from_seed(k, priv->data);
		break;
	case DNSSEC_ALG_ED448:
		rc = STATUS_KEY_FORMAT;
		if (priv->len != KEYS_ED448_SIZE)
			break;
		k->pkey = EVP_PKEY_new_raw_private_key_ex(NULL, "ED448", NULL,
		    priv->data, priv->len);
		if (k->pkey == NULL) {
			ERR_clear_error();
			rc = STATUS_CRYPTO;
			break;
		}
		rc = 0;
		break;
	default:
		rc = STATUS_UNSUPPORTED;
		break;
	}
	if (rc == STATUS_KEY_FORMAT)
		diag_set(d, path, last == KEY_FIELD_PRIVATE_KEY ?
		    pf->field_line[last] : 0, "%s does not hold a valid "
		    "private key for algorithm %u (%s)", first == last ?
		    "PrivateKey" : "the RSA fields", k->alg,
		    dnssec_alg_name(k->alg));
	else if (rc != 0)
		diag_set(d, path, 0, "cannot use the private key%s%s",
		    keys_why_sep(rc), keys_why(rc));
	return rc;
}

/* Does the key make signatures its own DNSKEY verifies? */
static int
self_test(const struct key *k)
{
	static const uint8_t probe[] = "zonewarden key check";
	uint8_t sig[KEY_SIGNATURE_MAX];
	size_t siglen;

	if (key_sign(k, probe, sizeof(probe), sig, &siglen) != 0 ||
	    dnskey_verify(k->rdata, k->rdlen, probe, sizeof(probe), sig,
	    siglen) != 0)
		return STATUS_KEY_FORMAT;
	return 0;
}

/* Split a path into the prefix of its two files: "X", "X.key", "X.private". */
static int
key_paths(const char *path, char **prefix, char *keyfile, char *privfile,
    size_t size)
{
	size_t len = strlen(path);
	char *p;

	if (len > 4 && strcmp(path + len - 4, ".key") == 0)
		len -= 4;
	else if (len > 8 && strcmp(path + len - 8, ".private") == 0)
		len -= 8;
	if (len + sizeof(".private") > size)
		return -ENAMETOOLONG;
	if ((p = strndup(path, len)) == NULL)
		return STATUS_NOMEM;
	snprintf(keyfile, size, "%s.key", p);
	snprintf(privfile, size, "%s.private", p);
	*prefix = p;
	return 0;
}

int
key_load(const char *path, struct key **out, struct diag *d)
{
	char keyfile[PATH_MAX], privfile[PATH_MAX];
	struct key_public_file pub = { 0 };
	struct key_private_file priv = { 0 };
	struct key *k = NULL;
	char *prefix = NULL;
	int rc;

	if ((rc = keys_crypto_init()) != 0)
		return rc;
	if ((rc = key_paths(path, &prefix, keyfile, privfile,
	    sizeof(keyfile))) != 0) {
		diag_set(d, path, 0, "unusable key file name");
		return rc;
	}
	if ((rc = keys_public_file_load(keyfile, &pub, d)) != 0 ||
	    (rc = keys_private_file_load(privfile, &priv, d)) != 0)
		goto out;
	if (priv.alg != pub.rdata[3]) {
		diag_set(d, privfile, priv.alg_line, "Algorithm %u does not "
		    "match algorithm %u of the DNSKEY in %s", priv.alg,
		    pub.rdata[3], keyfile);
		rc = STATUS_KEY_FORMAT;
		goto out;
	}
	if ((k = key_new(pub.owner, pub.rdata[3],
	    (uint16_t)(pub.rdata[0] << 8 | pub.rdata[1]))) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	k->created = priv.created;
	if ((rc = material_from_private(k, &priv, privfile, d)) != 0)
		goto out;
	if ((rc = key_setup(k)) != 0) {
		diag_set(d, privfile, 0, "cannot use the private key%s%s",
		    keys_why_sep(rc), keys_why(rc));
		goto out;
	}
	if (k->alg == DNSSEC_ALG_RSASHA256 && (k->bits < KEYS_RSA_MIN_BITS ||
	    k->bits > KEYS_RSA_MAX_BITS)) {
		diag_set(d, privfile, 0, "RSA key of %u bits: only %u to %u "
		    "bits are supported", k->bits, KEYS_RSA_MIN_BITS,
		    KEYS_RSA_MAX_BITS);
		rc = STATUS_UNSUPPORTED;
		goto out;
	}
	/* The public key we derived must be the one the .key file publishes. */
	if (k->rdlen != pub.rdlen || memcmp(k->rdata, pub.rdata, pub.rdlen)) {
		diag_set(d, privfile, 0, "the private key does not match the "
		    "public key in %s", keyfile);
		rc = STATUS_KEY_FORMAT;
		goto out;
	}
	/*
	 * The RSA private fields are not derived from the public key, so try
	 * them: one signature (milliseconds; a full pairwise check tests the
	 * primes too and costs a hundred times more) checks the primes and
	 * their exponents, and the private exponent is checked against them.
	 */
	if (k->alg == DNSSEC_ALG_RSASHA256 && ((rc = self_test(k)) != 0 ||
	    (rc = keys_rsa_check_exponent(k->pkey)) != 0)) {
		diag_set(d, privfile, 0, "the RSA private fields do not belong "
		    "to the public key in %s", keyfile);
		goto out;
	}
	k->prefix = prefix;
	prefix = NULL;
	*out = k;
	k = NULL;
out:
	key_free(k);
	keys_public_file_clear(&pub);
	keys_private_file_clear(&priv);
	free(prefix);
	return rc;
}

/* file_create_new callback: write a prepared text. */
struct text_arg {
	const char *text;
	size_t len;
};

static int
write_text(FILE *f, void *arg)
{
	const struct text_arg *t = arg;

	/*
	 * Straight to the descriptor: through stdio the secret would linger
	 * in a buffer that is freed without being wiped.
	 */
	if (fflush(f) != 0)
		return status_from_errno(errno);
	return file_write_all(fileno(f), t->text, t->len);
}

int
key_save(const struct key *k, const char *dir, char *prefix,
    size_t prefix_size)
{
	char base[PATH_MAX], keyfile[PATH_MAX + 16], privfile[PATH_MAX + 16];
	struct secret priv = { 0 };
	struct text_arg arg;
	char *pub = NULL;
	size_t dlen = strlen(dir);
	int n, rc;

	/* The owner becomes part of a file name: no path separators in it. */
	if (strchr(k->owner, '/') != NULL || dlen == 0)
		return STATUS_INVAL;
	n = snprintf(base, sizeof(base), "%s%sK%s+%03u+%05u", dir,
	    dir[dlen - 1] == '/' ? "" : "/", k->owner, k->alg, k->tag);
	if (n < 0 || (size_t)n + sizeof(".private") > sizeof(base) ||
	    (prefix != NULL && (size_t)n >= prefix_size))
		return -ENAMETOOLONG;
	snprintf(keyfile, sizeof(keyfile), "%s.key", base);
	snprintf(privfile, sizeof(privfile), "%s.private", base);
	if ((rc = keys_private_text(k, &priv)) != 0 ||
	    (rc = keys_public_text(k, &pub)) != 0)
		goto out;
	/* An existing .key alone also means the name is taken. */
	if (access(keyfile, F_OK) == 0) {
		rc = -EEXIST;
		goto out;
	}
	arg.text = (const char *)priv.data;
	arg.len = priv.len;
	if ((rc = file_create_new(privfile, 0600, write_text, &arg)) != 0)
		goto out;
	arg.text = pub;
	arg.len = strlen(pub);
	if ((rc = file_create_new(keyfile, 0644, write_text, &arg)) != 0) {
		/* Leave no private key without its public half. */
		unlink(privfile);
		goto out;
	}
	if (prefix != NULL)
		snprintf(prefix, prefix_size, "%s", base);
out:
	keys_secret_free(&priv);
	free(pub);
	return rc;
}

/* A key's signing state for one thread (key_signer_new). */
struct key_signer {
	const struct key *k;
	EVP_PKEY_CTX *ctx;          /* the template's copy, signed with again and again */
	EVP_MD_CTX *md;             /* the digest's, reset for each signature */
};

int
key_signer_new(const struct key *k, struct key_signer **out)
{
	struct key_signer *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (s == NULL)
		return STATUS_NOMEM;
	s->k = k;
	if (k->sign_template != NULL &&
	    ((s->ctx = EVP_PKEY_CTX_dup(k->sign_template)) == NULL ||
	    (s->md = EVP_MD_CTX_new()) == NULL)) {
		ERR_clear_error();
		key_signer_free(s);
		return STATUS_CRYPTO;
	}
	*out = s;
	return 0;
}

const struct key *
key_signer_key(const struct key_signer *s)
{
	return s->k;
}

void
key_signer_free(struct key_signer *s)
{
	if (s == NULL)
		return;
	EVP_PKEY_CTX_free(s->ctx);
	EVP_MD_CTX_free(s->md);
	free(s);
}

int
key_signer_sign(struct key_signer *s, const uint8_t *data, size_t len,
    uint8_t *sig, size_t *siglen)
{
	const struct key *k = s->k;
	uint8_t hash[EVP_MAX_MD_SIZE], buf[KEY_SIGNATURE_MAX];
	size_t n = keys_ecdsa_size(k->alg), outlen = sizeof(buf);
	EVP_MD_CTX *mdctx = NULL;
	unsigned hlen = 0;
	int rc = STATUS_CRYPTO;

	switch (k->alg) {
	case DNSSEC_ALG_ED25519:
		/* RFC 8080 §4: PureEdDSA, deterministic, 64 octets. */
		crypto_sign_detached(buf, NULL, data, len, k->ed25519_sk);
		outlen = crypto_sign_BYTES;
		break;
	case DNSSEC_ALG_ED448:
		/* One-shot signing: a context per call. */
		if ((mdctx = EVP_MD_CTX_new()) == NULL ||
		    EVP_DigestSignInit_ex(mdctx, NULL, NULL, NULL, NULL,
		    k->pkey, NULL) != 1 ||
		    EVP_DigestSign(mdctx, buf, &outlen, data, len) != 1)
			goto out;
		break;
	default:
		/*
		 * Hash with the pre-fetched digest and sign, both in this
		 * thread's contexts, made once: no algorithm lookups, no
		 * copies and no locks shared with other threads per signature.
		 */
		if (EVP_DigestInit_ex2(s->md, k->md, NULL) != 1 ||
		    EVP_DigestUpdate(s->md, data, len) != 1 ||
		    EVP_DigestFinal_ex(s->md, hash, &hlen) != 1 ||
		    EVP_PKEY_sign(s->ctx, buf, &outlen, hash, hlen) != 1)
			goto out;
		if (n != 0) {
			uint8_t der[KEY_SIGNATURE_MAX];
			memcpy(der, buf, outlen);
			if (keys_ecdsa_der_to_raw(der, outlen, n, buf) != 0)
				goto out;
			outlen = 2 * n;
		}
		break;
	}
	memcpy(sig, buf, outlen);
	*siglen = outlen;
	rc = 0;
out:
	if (rc != 0)
		ERR_clear_error();
	EVP_MD_CTX_free(mdctx);
	return rc;
}

int
key_sign(const struct key *k, const uint8_t *data, size_t len, uint8_t *sig,
    size_t *siglen)
{
	struct key_signer *s;
	int rc;

	if ((rc = key_signer_new(k, &s)) != 0)
		return rc;
	rc = key_signer_sign(s, data, len, sig, siglen);
	key_signer_free(s);
	return rc;
}
