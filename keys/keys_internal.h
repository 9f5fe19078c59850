/* Internals of keys/: the key structure, secrets and crypto helpers. */
#ifndef ZW_KEYS_INTERNAL_H
#define ZW_KEYS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "common/attr.h"
#include "common/diag.h"
#include "common/status.h"

/* RSA modulus sizes we make and accept (RFC 5702 §2 allows 512..4096). */
#define KEYS_RSA_MIN_BITS 1024
#define KEYS_RSA_MAX_BITS 4096
#define KEYS_RSA_DEFAULT_BITS 2048
/* Largest DNSKEY public key: RSA 4096 with a 3-byte exponent and length. */
#define KEYS_PUBKEY_MAX (3 + 3 + KEYS_RSA_MAX_BITS / 8)
#define KEYS_ED25519_SIZE 32
#define KEYS_ED448_SIZE 57

struct key {
	char *owner;            /* lower case, absolute, presentation format */
	uint8_t *rdata;         /* DNSKEY rdata */
	size_t rdlen;
	uint8_t alg;
	uint16_t flags;
	uint16_t tag;
	unsigned bits;
	int64_t created;
	bool unpublished;       /* left out of the DNSKEY RRset (key_set_use) */
	bool not_signing;       /* makes no signatures (key_set_use) */
	bool keys_only;         /* signs the key RRsets only (key_set_keys_only) */
	bool cds;               /* its CDS/CDNSKEY go in the zone (key_set_cds) */
	char *prefix;           /* "dir/K...", or "" */
	EVP_PKEY *pkey;         /* RSA, ECDSA and Ed448 keys */
	/*
	 * RSA and ECDSA: a context made ready for signing once; each signature
	 * works on its own duplicate, so threads share nothing mutable.
	 */
	EVP_PKEY_CTX *sign_template;
	const EVP_MD *md;       /* from keys_alg_md(), not owned */
	unsigned char *ed25519_sk;  /* sodium_malloc'd seed||pk, read-only */
};

/*
 * For a diag text "...%s%s": ": reason" for our own status codes. System
 * errors get nothing: whoever prints the diag adds their text.
 */
static inline const char *
keys_why_sep(int status)
{
	return status <= STATUS_SYNTAX ? ": " : "";
}

static inline const char *
keys_why(int status)
{
	return status <= STATUS_SYNTAX ? status_str(status) : "";
}

/* A secret byte string in a sodium_malloc buffer (guarded, wiped on free). */
struct secret {
	unsigned char *data;
	size_t len;
};

/* Allocate size bytes (len is set to size); returns 0 or STATUS_NOMEM. */
int keys_secret_alloc(struct secret *s, size_t size) WUR;
/* Wipe and free; s may hold NULL. */
void keys_secret_free(struct secret *s);

/*
 * One-time, thread-safe set-up: sodium_init() and the digests we use.
 * Returns 0 or STATUS_CRYPTO.
 */
int keys_crypto_init(void) WUR;
/* SHA-256 or SHA-384 for an RSA or ECDSA algorithm, NULL for EdDSA. */
const EVP_MD *keys_alg_md(uint8_t alg);
/* Size of one ECDSA coordinate or signature half (32, 48), or 0. */
size_t keys_ecdsa_size(uint8_t alg);

/*
 * Public key from a DNSKEY rdata's key field (RFC 3110, RFC 6605 §4,
 * RFC 8080 §3) for RSA, ECDSA and Ed448. Ed25519 needs no EVP_PKEY.
 * Returns 0, STATUS_INVAL or STATUS_CRYPTO.
 */
int keys_pkey_from_public(uint8_t alg, const uint8_t *pub, size_t len,
    EVP_PKEY **out) WUR;
/*
 * Is the RSA private exponent of pkey the one its primes give: d < n and
 * e * d = 1 modulo p - 1 and q - 1? Signing goes by the primes (CRT), so a
 * signature that verifies says nothing about d. Returns 0 or
 * STATUS_KEY_FORMAT (STATUS_CRYPTO, STATUS_NOMEM when it cannot tell).
 */
int keys_rsa_check_exponent(EVP_PKEY *pkey) WUR;
/*
 * DNSKEY public key field of an EVP_PKEY (RSA, ECDSA, Ed448) into out
 * (KEYS_PUBKEY_MAX bytes). Returns 0, STATUS_INVAL or STATUS_CRYPTO.
 */
int keys_public_from_pkey(uint8_t alg, EVP_PKEY *pkey, uint8_t *out,
    size_t *len) WUR;

/* ECDSA signature: DER (OpenSSL) <-> r||s, each half n bytes (RFC 6605 §4). */
int keys_ecdsa_der_to_raw(const uint8_t *der, size_t derlen, size_t n,
    uint8_t *raw) WUR;
int keys_ecdsa_raw_to_der(const uint8_t *raw, size_t n, uint8_t **der,
    size_t *derlen) WUR;

/*
 * ECDSA P-256 signatures checked with the private key instead of the
 * public one (key_crypto.c says how): the same answer as verifying, at
 * less than half the cost, provided the public key is the private one's
 * (dnskey_verifier_new_own makes sure). keys_ecdsa_own_new: 0,
 * STATUS_UNSUPPORTED (another algorithm, or no private key in pkey),
 * STATUS_NOMEM or STATUS_CRYPTO. keys_ecdsa_own_check takes the digest of
 * the signed data and the signature as r||s; it is thread-safe and returns
 * 0, STATUS_BAD_SIGNATURE, STATUS_NOMEM or STATUS_CRYPTO.
 */
struct keys_ecdsa_own;
int keys_ecdsa_own_new(uint8_t alg, EVP_PKEY *pkey,
    struct keys_ecdsa_own **out) WUR;
int keys_ecdsa_own_check(const struct keys_ecdsa_own *o, const uint8_t *hash,
    size_t hlen, const uint8_t *sig, size_t siglen) WUR;
/*
 * Many checks at once, each as keys_ecdsa_own_check would make it (its
 * answer in rc), at less cost: they share the one inversion each needs,
 * KEYS_ECDSA_BATCH at a time. hash and sig stay the caller's.
 */
#define KEYS_ECDSA_BATCH 64
struct keys_ecdsa_check {
	const struct keys_ecdsa_own *o;
	const uint8_t *hash, *sig;
	size_t hlen, siglen;
	int rc;
};
void keys_ecdsa_own_check_many(struct keys_ecdsa_check *c, size_t n);
void keys_ecdsa_own_free(struct keys_ecdsa_own *o);

/*
 * A zone or owner name in presentation format (any case, trailing dot
 * optional) as lower-case absolute text; caller frees. Returns 0,
 * STATUS_SYNTAX or STATUS_NOMEM.
 */
int keys_name_normalize(const char *text, char **out) WUR;
/* The wire form of a presentation name (escapes understood). 0 or STATUS_SYNTAX. */
int keys_name_wire(const char *text, uint8_t out[256]) WUR;

/* What a .key file holds. */
struct key_public_file {
	char *owner;            /* normalized */
	uint8_t *rdata;
	size_t rdlen;
	unsigned long line;     /* of the DNSKEY record */
};

void keys_public_file_clear(struct key_public_file *pf);
/* Parse a .key file; errors fill d. Returns 0, STATUS_KEY_FORMAT, -errno. */
int keys_public_file_load(const char *path, struct key_public_file *out,
    struct diag *d) WUR;

/* The private fields of BIND's format ("Private-key-format: v1.x"). */
enum key_field {
	KEY_FIELD_MODULUS,
	KEY_FIELD_PUBLIC_EXPONENT,
	KEY_FIELD_PRIVATE_EXPONENT,
	KEY_FIELD_PRIME1,
	KEY_FIELD_PRIME2,
	KEY_FIELD_EXPONENT1,
	KEY_FIELD_EXPONENT2,
	KEY_FIELD_COEFFICIENT,
	KEY_FIELD_PRIVATE_KEY,
	KEY_FIELD_COUNT
};

/* Field name as written in the file ("Modulus", ..., "PrivateKey"). */
const char *keys_field_name(enum key_field f);

/* What a .private file holds: decoded fields live in secret buffers. */
struct key_private_file {
	uint8_t alg;
	unsigned long alg_line;
	int64_t created;        /* Created:, else the file's mtime */
	struct secret field[KEY_FIELD_COUNT];
	unsigned long field_line[KEY_FIELD_COUNT];
};

void keys_private_file_clear(struct key_private_file *pf);
/*
 * Read a .private file: refuses symlinks and group/other permissions
 * (STATUS_KEY_UNSAFE), parses the fields (STATUS_KEY_FORMAT). d names the
 * file and line, never the key material.
 */
int keys_private_file_load(const char *path, struct key_private_file *out,
    struct diag *d) WUR;

/*
 * Write the .private text for k into a new secret buffer (NUL-terminated,
 * len without the NUL). Returns 0, STATUS_NOMEM or STATUS_CRYPTO.
 */
int keys_private_text(const struct key *k, struct secret *out) WUR;
/* The .key text for k (malloc'd, caller frees). */
int keys_public_text(const struct key *k, char **out) WUR;

#endif
