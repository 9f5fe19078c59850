/* Key lifecycles and rollovers (RFC 7583): each key's state, and the timeline that moves keys along. */
#ifndef ZW_ROLLOVER_H
#define ZW_ROLLOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"
#include "common/diag.h"
#include "keystore.h"

enum key_role { ROLE_KSK, ROLE_ZSK, ROLE_CSK };

/*
 * One key's life, kept in K<zone>.+AAA+TTTTT.zwstate beside its key files.
 * Times are seconds since the epoch, 0 for "not yet". A key is in the
 * DNSKEY RRset from published to removed, and signs from active to retired.
 */
struct key_state {
	enum key_role role;
	int64_t published;
	int64_t active;
	int64_t retired;
	int64_t removed;
	int64_t ds_submitted;    /* KSK, CSK: when its DS was asked for (CDS, keys ds) */
	int64_t ds_seen;         /* KSK, CSK: when the parent served its DS */
	int64_t ds_withdrawn;    /* KSK, CSK: gone, when the parent no longer served it */
	int64_t algorithm_roll;  /* made by an algorithm rollover started then */
	int64_t rebased_for;     /* the outage (its start) its times were moved for */
};

/* What the timeline needs to know (RFC 7583 §3.2 names in brackets). */
struct rollover_policy {
	int64_t zsk_lifetime;        /* 0: no scheduled ZSK roll */
	int64_t ksk_lifetime;        /* 0: no scheduled KSK roll */
	int64_t csk_lifetime;        /* 0: no scheduled CSK roll */
	uint8_t algorithm;           /* keys of another algorithm roll to it; 0: none */
	int64_t parent_ds_ttl;       /* [TTLds] */
	int64_t parent_propagation_delay;  /* [DprpP] */
	bool cds;                    /* publish CDS/CDNSKEY (RFC 7344, 8078) */
	int64_t propagation_delay;   /* until every server has a new zone [Dprp] */
	int64_t dnskey_ttl;          /* [TTLkey] */
	int64_t max_ttl;             /* largest TTL of a signed RRset [TTLsig] */
};

/* A zone's keys with their states, in keyset order. */
struct key_timeline {
	struct keyset *keys;
	struct key_state *states;
};

/*
 * Read the state of every key in ks (dir is the key folder); a key
 * without a state file gets one as if published and active since it was
 * made, its role from the SEP flag (CSK when no ZSK of its algorithm).
 * Returns 0 or STATUS_KEY_FORMAT with d naming the file and line.
 */
int rollover_load(const char *dir, struct keyset *ks, struct key_state **out,
    struct diag *d) WUR;

/* What rollover_advance knows of the world outside the key folder. */
struct rollover_view {
	/* Per key (keyset order): is its DNSKEY in the zone served now? NULL: unknown. */
	const bool *published_now;
	/* Per key: do signatures by it cover data in the zone served now? NULL: unknown. */
	const bool *signing_now;
	/* The parent's DS set as DS rdata, when known (file mode). */
	const uint8_t *const *parent_ds;
	const size_t *parent_ds_len;
	size_t nparent_ds;
	bool parent_known;
};

enum rollover_force { FORCE_NONE, FORCE_ZSK, FORCE_KSK, FORCE_CSK };

/*
 * Algorithm rollover (RFC 6781 §4.1.4), when p->algorithm names an
 * algorithm the active keys do not have: keys of it (the roles the old
 * algorithm has) are made that sign every RRset at once but join the
 * DNSKEY set only once every cache holds RRsets signed by both algorithms
 * (Dprp + TTLsig). The CDS then names the new KSK (CSK) once its DNSKEY can
 * be cached. When the parent serves its DS and no cache can hold the old
 * DS set, the old keys leave the DNSKEY set, and their signatures go once
 * no cache can hold the old DNSKEY set (Dprp + TTLkey).
 */

/*
 * Move the keys of zone in dir along to now: start a ZSK roll when the
 * active ZSK's lifetime ends (or when force_zsk), making the successor and
 * publishing it first; activate it once its DNSKEY can be in every cache,
 * retiring the old one; remove the old one once none of its signatures
 * can be cached. KSKs roll double-KSK. A CSK rolls as both: its successor
 * is published signing the key RRsets only, takes over the data once its
 * DNSKEY can be in every cache (the old one then signs the key RRsets
 * only), and the old one goes once the parent serves the new DS, no cache
 * can hold the old DS set, and none can hold its data signatures. published_now lists whether each key's DNSKEY is in the
 * zone served now (NULL: trust the states): a key whose publication never
 * reached a served zone is published again from now. New keys join *ks
 * and *states; every state is saved. Each key's use (key_set_use) then
 * says what the signer does with it. *changed tells whether any state
 * moved. Returns 0 or a status with d.
 */
int rollover_advance(const char *dir, const char *zone, struct keyset *ks,
    struct key_state **states, const struct rollover_view *view,
    const struct rollover_policy *p, enum rollover_force force, int64_t now,
    bool *changed, struct diag *d) WUR;

/* Does k have a state file (is it on a timeline)? */
bool rollover_has_state(const struct key *k);

/*
 * Set each key's use from its state at now; with p (may be NULL: no CDS),
 * the KSK whose DNSKEY every cache can hold, the newest such, gets the CDS.
 */
void rollover_apply(struct keyset *ks, const struct key_state *states,
    const struct rollover_policy *p, int64_t now);

/*
 * Start a roll of the active key of role now (keys roll): its successor is
 * made, to be published by the next run. Nothing when a roll of that role
 * is under way already. Returns 0 or a status with d.
 */
int rollover_start(const char *dir, const char *zone, struct keyset *ks,
    struct key_state **states, enum key_role role, int64_t now,
    struct diag *d) WUR;

/*
 * The zone written since `since` reached the name servers only at now (a
 * reload that failed until now): every key event from since on, past or
 * planned, moves later by now - since (for the caches, nothing happened
 * in between). A key moved for this outage already (a rebase cut short
 * and done again) is not moved twice. Saves what moved.
 */
int rollover_rebase(struct keyset *ks, struct key_state *states, int64_t since,
    int64_t now, struct diag *d) WUR;

/* Does one of the n DS rdata (any digest type we compute) point at k? */
bool rollover_ds_matches(const struct key *k, const uint8_t *const *ds,
    const size_t *len, size_t n);

/*
 * The tag of the KSK (CSK) whose DS at the parent key i waits for: its own,
 * its successor's, or in an algorithm rollover the new algorithm's (what
 * rollover_next_event says it waits for); 0 when it waits for none.
 */
uint16_t rollover_ds_awaited(const struct keyset *ks,
    const struct key_state *states, size_t i, const struct rollover_policy *p);

/* Mark the DS of KSK tag as served by the parent since now (manual mode). */
int rollover_ds_seen(struct keyset *ks, struct key_state *states,
    uint16_t tag, int64_t now, struct diag *d) WUR;

/*
 * Start an algorithm rollover to alg now (keys roll --algorithm): the keys
 * of alg are made, signing from the next run and published once their
 * signatures can be in every cache. Nothing when keys of alg are in use
 * already. Returns 0 or a status with d.
 */
int rollover_start_algorithm(const char *dir, const char *zone,
    struct keyset *ks, struct key_state **states, uint8_t alg,
    const struct rollover_policy *p, int64_t now, struct diag *d) WUR;

/* "KSK", "ZSK", "CSK"; "published", "active", "retired", "removed", "generated". */
const char *key_role_name(enum key_role r);
const char *key_state_name(const struct key_state *s, int64_t now);

/*
 * The next event of key i and when it is due (0 when none or unknown), e.g.
 * "activation" at published + Dprp + TTLkey. Fills what (a short text).
 * The keys' use must be that of now (rollover_apply).
 */
int64_t rollover_next_event(const struct keyset *ks,
    const struct key_state *states, size_t i, const struct rollover_policy *p,
    char *what, size_t size);

#endif
