/* TLSA records (RFC 6698, RFC 7671, RFC 7672) from certificates, keys and CSRs. */
#ifndef ZW_TLSA_H
#define ZW_TLSA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"
#include "common/diag.h"

/* The parameters zonewarden makes (RFC 7671 §5, RFC 7672 §3.1). */
enum tlsa_usage { TLSA_USAGE_DANE_TA = 2, TLSA_USAGE_DANE_EE = 3 };
enum tlsa_selector { TLSA_SELECTOR_CERT = 0, TLSA_SELECTOR_SPKI = 1 };
enum tlsa_mtype { TLSA_MTYPE_SHA256 = 1, TLSA_MTYPE_SHA512 = 2 };

struct tlsa_params {
	uint8_t usage, selector, mtype;
};

/* One TLSA rdata: the three parameters and the digest. */
struct tlsa_rdata {
	struct tlsa_params params;
	uint8_t data[64];
	size_t len;
};

/*
 * "3 1 1", "3,1,1" or "311": usage 2 or 3, selector 0 or 1, matching type
 * 1 or 2. Returns 0, or STATUS_SYNTAX (not three numbers) or
 * STATUS_UNSUPPORTED (0 and 1: the PKIX usages, not for DANE-only SMTP,
 * RFC 7672 §3.1.3; matching type 0: the whole data) with d saying which.
 */
int tlsa_params_parse(const char *text, struct tlsa_params *out,
    struct diag *d) WUR;

/*
 * What TLSA records are made from: a certificate or a chain (end entity
 * first), or a key or CSR (the end entity's public key only, e.g. a next
 * key made before its certificate).
 */
struct tlsa_source;

/*
 * Read a certificate or chain (PEM, any number of certificates; or DER,
 * one), a private or public key (PEM or DER; not encrypted), or a CSR (PEM
 * or DER, its signature checked). Private key bytes are wiped after use.
 * Returns 0, -errno, or STATUS_KEY_FORMAT with d naming the file.
 */
int tlsa_source_load_cert(const char *path, struct tlsa_source **out,
    struct diag *d) WUR;
int tlsa_source_load_key(const char *path, struct tlsa_source **out,
    struct diag *d) WUR;
int tlsa_source_load_csr(const char *path, struct tlsa_source **out,
    struct diag *d) WUR;
void tlsa_source_free(struct tlsa_source *s);

/* "RSA 2048", "ECDSA P-256", "Ed25519", ...: the end entity's key. */
const char *tlsa_source_key_type(const struct tlsa_source *s);
/* Certificates in the source (0 for a key or CSR). */
size_t tlsa_source_certs(const struct tlsa_source *s);
/*
 * Is the end-entity certificate for host (its subjectAltName DNS names,
 * wildcards included, or its CN without them; a trailing dot is ignored)?
 * False for a key or CSR.
 */
bool tlsa_source_covers(const struct tlsa_source *s, const char *host);
/* Do a and b hold the same public key (a certificate and its private key)? */
bool tlsa_source_same_key(const struct tlsa_source *a,
    const struct tlsa_source *b);

/*
 * The records for p: DANE-EE from the end entity (its certificate for
 * selector 0, its public key for 1), DANE-TA one per issuer certificate of
 * the chain. At most max into out, their number in *n. Returns 0, or
 * STATUS_KEY_MISSING with d (selector 0 or DANE-TA from a key or CSR, or
 * DANE-TA from a chain without issuers).
 */
int tlsa_from_source(const struct tlsa_source *s, struct tlsa_params p,
    struct tlsa_rdata *out, size_t max, size_t *n, struct diag *d) WUR;

#endif
