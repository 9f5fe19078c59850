/* The signing engine: sign a zone with a key set under a policy at a given time. */
#ifndef ZW_SIGNER_H
#define ZW_SIGNER_H

#include <stdbool.h>
#include <stdint.h>

#include "common/attr.h"
#include "common/diag.h"
#include "zones/serial.h"

struct zone;
struct zone_progress;
struct keyset;

enum denial {
	DENIAL_NSEC3,   /* RFC 5155 with RFC 9276 parameters (default) */
	DENIAL_NSEC,    /* RFC 4034 §4 */
};

struct sign_policy {
	enum denial denial;
	bool opt_out;                /* NSEC3 opt-out: unsigned delegations left out */
	uint16_t nsec3_iterations;   /* RFC 9276 §3.1: 0 */
	uint8_t nsec3_salt_len;      /* RFC 9276 §3.1: empty */
	uint8_t nsec3_salt[255];
	bool absolute_times;         /* use inception/expiration as given */
	int64_t inception, expiration;
	int64_t validity;            /* seconds, when not absolute (default 14d) */
	int64_t backdate;            /* inception = now - backdate (default 1h) */
	int64_t refresh;             /* reuse a signature only if it is valid
	                                longer than this (default 5d) */
	enum serial_policy serial;
	unsigned threads;            /* 0: one per online CPU */
	bool verify_sample;          /* self-check only a sample of new signatures */
	bool trust_previous;         /* prev (signer_sign_zone) is our output as
	                                written: its signatures need no check
	                                but the sample's (default: false) */
	bool reuse_previous;         /* keep prev's signatures that qualify
	                                (default: true); false: prev only
	                                moves the serial on */
	uint32_t dnskey_ttl;         /* DNSKEY, CDS, CDNSKEY TTL; 0: the SOA's */
	bool cds;                    /* make CDS/CDNSKEY for the keys marked so
	                                (key_set_cds), replacing the input's */
};

/* The defaults above: NSEC3, 0 iterations, no salt, 14d validity, 1h back, 5d refresh, unixtime. */
void sign_policy_init(struct sign_policy *p);

/* What a signing run did, for the log line. */
struct sign_stats {
	size_t rrsets;               /* authoritative RRsets signed */
	size_t signatures_made;      /* new signatures */
	size_t signatures_reused;    /* taken from the previous output */
	size_t signatures_checked;   /* verified cryptographically */
	double seconds_chain;        /* building and checking NSEC/NSEC3 */
	double seconds_sign;         /* making (or keeping) signatures */
	double seconds_verify;       /* the self-check of the signatures */
	double seconds_write;        /* writing the result (its writer's figure) */
};

/*
 * Sign z in place at time now: replace any DNSSEC records of the input
 * (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY) with the key set's DNSKEYs, the
 * denial chain and signatures over every authoritative RRset (RFC 4035
 * §2), move the SOA serial per policy, then verify the result: the chain
 * and the signatures (what signer_verify_zone checks).
 *
 * prev, when not NULL, is our own earlier output for this zone. With
 * p->reuse_previous, an RRset that is byte-identical there (canonical
 * form, same TTL) keeps its signature by a key that still signs it, when
 * that key's DNSKEY was in prev's key set and the signature stays valid
 * longer than p->refresh (with absolute times: has exactly those times).
 * With p->trust_previous reused signatures are trusted: the self-check
 * verifies the new ones and a sample of the rest; without it, every
 * reused one is verified. A kept signature's rdata, and an NSEC3 record
 * built as prev has it, stay in prev's memory (no copy): prev is freed
 * after z. The serial policy starts from prev's serial when it is ahead
 * of z's.
 *
 * Returns 0, STATUS_KEY_MISSING (no key to sign with), STATUS_RANGE (bad
 * validity), STATUS_CRYPTO, STATUS_BAD_SIGNATURE or STATUS_CHAIN
 * (self-check failed), STATUS_ZONE_CONTENT, with d. stats may be NULL.
 */
int signer_sign_zone(struct zone *z, const struct keyset *keys,
    const struct sign_policy *p, int64_t now, const struct zone *prev,
    struct sign_stats *stats, struct diag *d) WUR;
/*
 * signer_sign_zone in two steps, so that the self-check can run while
 * the zone is written out: signer_sign does all but the signatures'
 * self-check (the chain is checked), signer_verify_signed that check
 * (its figures into stats). A zone is published only once both passed.
 * The self-check verifies with the zone's DNSKEYs; those of keys (the
 * keys that signed) check with the private key, which gives the same
 * answer as the public one at less than half the cost for ECDSA P-256
 * (once a signature by each has verified with its DNSKEY). With progress
 * not NULL, signer_sign tells it how far the zone's records are final as
 * they are signed (zone_progress_advance, zone_progress_hold), so that
 * zone_write can write them meanwhile; the caller ends it.
 */
int signer_sign(struct zone *z, const struct keyset *keys,
    const struct sign_policy *p, int64_t now, const struct zone *prev,
    struct zone_progress *progress, struct sign_stats *stats,
    struct diag *d) WUR;
int signer_verify_signed(const struct zone *z, const struct keyset *keys,
    const struct sign_policy *p, int64_t now, struct sign_stats *stats,
    struct diag *d) WUR;

/* Why a zone must be signed now, or that it need not be. */
enum sign_reason {
	SIGN_NOTHING_DUE,
	SIGN_FIRST,             /* there is no previous output */
	SIGN_INPUT_CHANGED,     /* the data differs from what is published */
	SIGN_KEYS_CHANGED,      /* the key set differs from the published DNSKEYs */
	SIGN_POLICY_CHANGED,    /* NSEC/NSEC3 or its parameters differ */
	SIGN_REFRESH,           /* signatures expire within the refresh window */
};

struct sign_plan {
	enum sign_reason reason;
	int64_t earliest_expiration;  /* of the published signatures; 0: none */
	int64_t next_due;             /* when signing is due if nothing changes */
	char detail[1100];            /* what differs, for the log line */
};

/*
 * What the signed zone z shows of each key of ks: published[i] when its
 * DNSKEY is in z's apex DNSKEY RRset, signing[i] when its signatures cover
 * RRsets other than the key RRsets (DNSKEY, CDS, CDNSKEY). Either may be
 * NULL; both hold ks->count entries.
 */
void signer_key_presence(const struct zone *z, const struct keyset *ks,
    bool *published, bool *signing);

/* The earliest expiration among z's signatures (0 when it has none). */
int64_t signer_earliest_expiration(const struct zone *z, int64_t now);

#define SIGNER_SETUP_DIGEST_LEN 32

/*
 * SHA-256 of everything besides the input and the clock that decides what
 * signing zname gives: each key's DNSKEY and what it does now (published,
 * signing, CDS), and every setting of p that changes the output (not
 * threads or verify_sample). A new field of struct sign_policy that
 * changes the output must go in here too. Returns 0 or STATUS_CRYPTO.
 */
int signer_setup_digest(const char *zname, const struct keyset *keys,
    const struct sign_policy *p, uint8_t out[SIGNER_SETUP_DIGEST_LEN]) WUR;

/* "nothing due", "input changed", ... */
const char *sign_reason_text(enum sign_reason r);

/*
 * Decide whether input (the operator's zone, finalized) must be signed with
 * keys under p at time now, given prev, the output published before (NULL
 * when there is none). Compares the data (the SOA serial only when the
 * input's is ahead), the DNSKEY set, the denial mode and its parameters,
 * and the earliest signature expiration against p->refresh. Fills out.
 */
void signer_plan(const struct zone *input, const struct zone *prev,
    const struct keyset *keys, const struct sign_policy *p, int64_t now,
    struct sign_plan *out);

/*
 * Check a signed zone at time now: every RRSIG verifies with a DNSKEY at
 * the apex, is valid at now, and has the right labels, TTL and original
 * TTL; every authoritative RRset is signed by every algorithm of the
 * DNSKEY set (RFC 4035 §2.2); the NSEC or NSEC3 chain covers exactly the
 * names it must, in order, with the right type bitmaps. Returns 0 or the
 * first problem (STATUS_BAD_SIGNATURE, STATUS_CHAIN, STATUS_KEY_MISSING)
 * with d naming owner and type. Signatures flagged ZRR_TRUSTED (new ones
 * with p->verify_sample, reused ones with p->trust_previous) get every
 * check but the cryptographic one, except in zones of up to 1024 RRsets,
 * at the apex, and for a fixed sample (1 RRset in 256). checked, when not NULL, receives the number
 * verified.
 */
int signer_verify_zone(const struct zone *z, int64_t now, unsigned threads,
    size_t *checked, struct diag *d) WUR;


#endif
