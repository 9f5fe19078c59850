/* Internals shared by the signer/ source files. */
#ifndef ZW_SIGNER_INTERNAL_H
#define ZW_SIGNER_INTERNAL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "common/diag.h"
#include "common/encode.h"
#include "common/parallel.h"
#include "signer.h"
#include "zones/zone.h"

struct key;

/* A growable byte buffer private to one thread. */
struct bytes {
	uint8_t *data;
	size_t len, cap;
};
int bytes_reserve(struct bytes *b, size_t extra) WUR;
void bytes_free(struct bytes *b);

/*
 * Records made by the signer, kept aside until they join the zone together
 * (zone_take: the zone takes the storage over, nothing is copied again).
 */
struct rrlist {
	struct arena store;          /* owners and rdata */
	struct zrr *items;
	size_t n, cap;
};
/* Append a record (owner and rdata copied). Returns 0 or STATUS_NOMEM. */
int rrlist_push(struct rrlist *l, const uint8_t *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen) WUR;
/*
 * Append rr itself: its owner and rdata, not copied, must outlive the
 * list's zone; flags: ZRR_TRUSTED or 0.
 */
int rrlist_push_shared(struct rrlist *l, const struct zrr *rr,
    uint8_t flags) WUR;
/* Add every record to z (see zone_take) and empty the list (also on failure). */
int rrlist_move_to_zone(struct rrlist *l, struct zone *z) WUR;
void rrlist_free(struct rrlist *l);

/*
 * What the self-check takes on trust (ZRR_TRUSTED: signatures kept or
 * sampled, NSEC3 records the chain builder found as they were) is still
 * checked whole in zones of up to TRUSTED_ALL RRsets (or chain names),
 * otherwise at every TRUSTED_SAMPLE-th, from an offset that moves each
 * run (trusted_offset of a seed that does: the clock, the serial), so
 * that over runs each gets its turn.
 */
#define TRUSTED_ALL 1024
#define TRUSTED_SAMPLE 256

static inline size_t
trusted_offset(uint32_t seed, size_t sample)
{
	return (size_t)((seed * 2654435761u) >> 24) % sample;
}

/* Fixed RRSIG fields (RFC 4034 §3.1), all but the signature. */
struct rrsig_fields {
	uint16_t covered;
	uint8_t algorithm;
	uint8_t labels;
	uint32_t original_ttl;
	uint32_t expiration;
	uint32_t inception;
	uint16_t key_tag;
	const uint8_t *signer;       /* wire name */
};

/* Parse RRSIG rdata; *sig points into rdata. Returns 0 or STATUS_INVAL. */
int rrsig_parse(const uint8_t *rdata, size_t len, struct rrsig_fields *f,
    const uint8_t **sig, size_t *siglen) WUR;

/*
 * The data an RRSIG signs (RFC 4034 §3.1.8.1): RRSIG rdata without the
 * signature, then the RRset rr[0..n) in canonical form and order, with the
 * original TTL. The RRset must already be in canonical order (finalized).
 */
int rrsig_signing_data(const struct rrsig_fields *f, const struct zrr *rr,
    size_t n, struct bytes *out) WUR;

/* A type the signer makes itself (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY). */
bool is_signer_type(uint16_t type);

/*
 * The first index of every authoritative RRset of a finalized zone (what
 * gets signed), malloc'd, n of them; NULL when out of memory. A zone of
 * many records is read in parts on threads (0: one per online CPU).
 */
size_t *signed_rrsets(const struct zone *z, unsigned threads, size_t *n);

/* RFC 4034 §3.1.5: an RRSIG's 32-bit time is the one nearest to now (serial arithmetic). */
static inline int64_t
rrsig_time_near(uint32_t t, int64_t now)
{
	return now + (int32_t)(t - (uint32_t)now);
}

/* RRSIG labels field for an owner (RFC 4034 §3.1.3: no root, no leading '*'). */
uint8_t rrsig_labels(const uint8_t *owner);

/* Append the RFC 4034 §4.1.2 type bitmap for the set types[0..n) (unsorted, may repeat). */
int typemap_encode(const uint16_t *types, size_t n, struct bytes *out) WUR;

/* Add the NSEC chain (RFC 4034 §4, RFC 4035 §2.3) to a finalized zone. */
int nsec_build_chain(struct zone *z, uint32_t ttl, struct diag *d) WUR;
/*
 * Add the NSEC3 chain (RFC 5155 §7.1) to a finalized zone. prev, when not
 * NULL, is our earlier output, which outlives z: an NSEC3 record built
 * exactly as prev has it (owner, TTL, rdata) shares prev's memory, and is
 * flagged ZRR_TRUSTED when p trusts prev and samples the check. names,
 * when not NULL, receives the names the chain was built over (or NULL),
 * which spare its check finding and hashing them again.
 */
struct nsec3_names;
int nsec3_build_chain(struct zone *z, const struct sign_policy *p,
    uint32_t ttl, const struct zone *prev, struct nsec3_names **names,
    struct diag *d) WUR;
void nsec3_names_free(struct nsec3_names *names);
/*
 * The NSEC3 chain's check (denial_verify_chain's for NSEC3), with the
 * names nsec3_build_chain gave (it takes what names holds) or, with NULL,
 * the names found again. The type bitmap of a record flagged ZRR_TRUSTED
 * is made again and compared only in the sample (TRUSTED_ALL,
 * TRUSTED_SAMPLE, offset by the zone's serial); the rest of it always.
 */
int nsec3_verify_built_chain(const struct zone *z, unsigned threads,
    struct nsec3_names *names, struct diag *d) WUR;
/*
 * Verify the zone's NSEC or NSEC3 chain structure (which one: what it
 * holds), on threads (0: one per online CPU).
 */
int denial_verify_chain(const struct zone *z, unsigned threads,
    struct diag *d) WUR;
/* The apex DNSKEY RRset, each key decoded once (for checking signatures). */
#define KEYRING_ALGS_MAX 8
struct dnskey_verifier;
struct dnskey_batch;
struct keyring {
	const struct zrr *key;       /* the first DNSKEY record; n in a row */
	size_t n;
	struct dnskey_verifier **v;  /* NULL: unusable, its status in status[] */
	int *status;
	uint8_t algs[KEYRING_ALGS_MAX];   /* the algorithms of the set */
	size_t nalgs;
};
/*
 * own, when not NULL: our keys. A DNSKEY of the zone that is one of
 * them checks signatures with its private key (dnskey_verifier_new_own):
 * the same answers, faster for ECDSA P-256.
 */
int keyring_load(const struct zone *z, const struct keyset *own,
    struct keyring *k) WUR;
void keyring_free(struct keyring *k);

/* What is wrong with one RRSIG, if anything: the one notion of a valid signature. */
enum sig_problem {
	SIG_OK,
	SIG_OTHER_ALG,               /* an algorithm with no key: not judged */
	SIG_MALFORMED, SIG_SIGNER, SIG_LABELS, SIG_TTL, SIG_NOT_YET_VALID,
	SIG_EXPIRED, SIG_UNKNOWN_KEY, SIG_BOGUS,
	SIG_NOMEM,                   /* could not be checked: no memory, or
	                                the crypto library failed */
};
/*
 * Check the RRSIG sig over set[0..n) with the keys at now (the
 * cryptography only when crypto; data is scratch space). *alg_index: the
 * signature's algorithm among k->algs (k->nalgs: none). checked, when not
 * NULL, counts cryptographic checks. batch, when not NULL, may take the
 * cryptographic check (with batch_at), and SIG_OK then holds only if the
 * check does (dnskey_batch_run). A problem is described in d.
 */
enum sig_problem rrsig_check(const struct zone *z, const struct keyring *k,
    int64_t now, const struct zrr *set, size_t n, const struct zrr *sig,
    bool crypto, struct bytes *data, size_t *alg_index,
    atomic_size_t *checked, struct dnskey_batch *batch, size_t batch_at,
    struct diag *d);

/* check's finding code for what rrsig_check found wrong ("sig-bogus", ...). */
const char *rrsig_problem_code(enum sig_problem p);

/*
 * The gate's check of the NSEC or NSEC3 chain, its text led by
 * "chain-broken: ". names: NULL, or those nsec3_build_chain gave for the
 * NSEC3 chain it built into z (taken; the caller still frees names).
 */
int signer_verify_chain(const struct zone *z, unsigned threads,
    struct nsec3_names *names, struct diag *d) WUR;

/*
 * signer_verify_zone without the chain: the signatures only. The text of
 * a problem found is led by its check finding code ("sig-bogus: ...").
 * own: as keyring_load's.
 */
int verify_signatures(const struct zone *z, const struct keyset *own,
    int64_t now, unsigned threads, size_t *checked, struct diag *d) WUR;

#define NSEC3_HASH_LEN 20   /* SHA-1, the one NSEC3 hash (RFC 5155 §11) */

/*
 * NSEC3 hash of a wire name (RFC 5155 §5), 20 bytes for SHA-1. Returns 0,
 * STATUS_UNSUPPORTED (algorithm) or STATUS_CRYPTO.
 */
int nsec3_hash_name(const uint8_t *name, uint8_t algorithm,
    uint16_t iterations, const uint8_t *salt, size_t salt_len,
    uint8_t out[20]) WUR;

/* TTL for NSEC and NSEC3 records: RFC 9077 §3.3, min(SOA TTL, SOA MINIMUM). */
uint32_t denial_ttl(const struct zone *z);


#endif
