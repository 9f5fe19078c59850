/* Public side of DNSSEC keys: DNSKEY rdata, key tags, DS, verification. */
#ifndef ZW_DNSKEY_H
#define ZW_DNSKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"

/* DNSSEC algorithm numbers we sign with (RFC 8624 recommended set). */
enum dnssec_alg {
	DNSSEC_ALG_RSASHA256 = 8,
	DNSSEC_ALG_ECDSAP256SHA256 = 13,
	DNSSEC_ALG_ECDSAP384SHA384 = 14,
	DNSSEC_ALG_ED25519 = 15,
	DNSSEC_ALG_ED448 = 16,
};

/* DS digest types (RFC 4509, RFC 6605); SHA-1 is only checked, never produced. */
enum ds_digest {
	DS_DIGEST_SHA1 = 1,          /* checked, never made (RFC 8624 §3.3) */
	DS_DIGEST_SHA256 = 2,
	DS_DIGEST_SHA384 = 4,
};

#define DNSKEY_FLAG_ZONE 0x0100u   /* RFC 4034 §2.1.1 */
#define DNSKEY_FLAG_SEP  0x0001u
#define DNSKEY_FLAG_REVOKE 0x0080u
#define DNSKEY_PROTOCOL 3

/* Is alg one of the algorithms above? */
bool dnssec_alg_is_supported(uint8_t alg);
/* "ECDSAP256SHA256" etc. (RFC 8624 mnemonics), or NULL. */
const char *dnssec_alg_name(uint8_t alg);
/*
 * Algorithm from a name: mnemonic (any case), our lower-case option names
 * (ecdsap256sha256, ed25519, rsasha256, ecdsap384sha384, ed448) or the number.
 * Returns 0 or STATUS_UNSUPPORTED.
 */
int dnssec_alg_parse(const char *text, uint8_t *alg) WUR;

/* Key tag of a DNSKEY rdata (RFC 4034 Appendix B). */
uint16_t dnskey_tag(const uint8_t *rdata, size_t len);

/*
 * DS rdata (key tag, algorithm, digest type, digest) for the DNSKEY rdata at
 * owner (uncompressed wire name; hashed in canonical lower case, RFC 4034
 * §5.1.4). out must hold 4 + 48 bytes. Returns 0, STATUS_UNSUPPORTED or
 * STATUS_INVAL (malformed rdata).
 */
int dnskey_ds_rdata(const uint8_t *owner, const uint8_t *rdata, size_t len,
    uint8_t digest_type, uint8_t *out, size_t *outlen) WUR;

/*
 * Verify sig (in DNSSEC wire form: r||s for ECDSA, RFC 6605 §4; raw for
 * EdDSA, RFC 8080 §4; PKCS#1 v1.5 for RSA, RFC 5702) over data with the
 * public key in a DNSKEY rdata. Thread-safe. Returns 0,
 * STATUS_BAD_SIGNATURE, STATUS_UNSUPPORTED or STATUS_INVAL (bad key, or a
 * key without the Zone Key flag, RFC 4035 §5.3.1).
 */
int dnskey_verify(const uint8_t *rdata, size_t len, const uint8_t *data,
    size_t datalen, const uint8_t *sig, size_t siglen) WUR;

/*
 * The same for many signatures by one key: decode the DNSKEY once (same
 * errors as dnskey_verify), then check signatures with it from any number
 * of threads at once.
 */
struct dnskey_verifier;
int dnskey_verifier_new(const uint8_t *rdata, size_t len,
    struct dnskey_verifier **out) WUR;
int dnskey_verifier_check(const struct dnskey_verifier *v,
    const uint8_t *data, size_t datalen, const uint8_t *sig,
    size_t siglen) WUR;
void dnskey_verifier_free(struct dnskey_verifier *v);
/*
 * A verifier for the DNSKEY of one of our own keys (key_dnskey_rdata's):
 * it gives dnskey_verifier_check's answers, and for ECDSA P-256 finds them
 * with the private key, at less than half the cost of a verification,
 * once a signature by k has verified with the DNSKEY's public key. Should
 * that fail, or anything else, it verifies with the public key. The
 * signer's self-check uses it. k may be freed before the verifier.
 * Returns what dnskey_verifier_new returns.
 */
struct key;
int dnskey_verifier_new_own(const struct key *k,
    struct dnskey_verifier **out) WUR;
/* Does v check with the private key (dnskey_verifier_new_own)? */
bool dnskey_verifier_uses_private(const struct dnskey_verifier *v);

/*
 * Checks by verifiers that use the private key, gathered and made
 * together, at about half the cost each (they share an inversion).
 * dnskey_batch_add: 0, or STATUS_RANGE when the batch is full or v does
 * not use the private key, or STATUS_CRYPTO (check those another way);
 * it hashes data, and sig must stay as it is until dnskey_batch_run,
 * which sets each check's rc to dnskey_verifier_check's answer (the
 * caller then empties the batch: n = 0). at: the caller's, kept with
 * the check.
 */
#define DNSKEY_BATCH 64
struct dnskey_batch {
	size_t n;
	struct dnskey_check {
		const struct dnskey_verifier *v;
		const uint8_t *sig;
		size_t siglen, hlen, at;
		uint8_t hash[64];
		int rc;
	} c[DNSKEY_BATCH];
};
int dnskey_batch_add(struct dnskey_batch *b, const struct dnskey_verifier *v,
    const uint8_t *data, size_t datalen, const uint8_t *sig, size_t siglen,
    size_t at) WUR;
void dnskey_batch_run(struct dnskey_batch *b);

#endif
