/*
 * The checks of `zonewarden check`: every way a signed zone breaks its trust
 * chain, as findings (a severity, a stable code, the owner and type, one
 * line of explanation), all of them, not only the first.
 */
#ifndef ZW_CHECK_H
#define ZW_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"
#include "zones/dname.h"
#include "zones/zone.h"

enum finding_severity { FINDING_WARNING = 1, FINDING_ERROR = 2 };

struct finding {
	enum finding_severity severity;
	const char *code;            /* stable: documented in zonewarden(1) */
	char owner[DNAME_TEXT_MAX];  /* "" for the zone as a whole */
	char type[16];
	char text[320];
};

struct findings {
	struct finding *list;
	size_t count, cap;
	bool truncated;              /* more than CHECK_FINDINGS_MAX */
};
#define CHECK_FINDINGS_MAX 10000

/* A certificate (chain) deployed at a host, for the TLSA checks. */
struct tlsa_source;
struct check_cert {
	uint8_t host[DNAME_MAX_LENGTH];   /* wire name */
	const struct tlsa_source *src;
};

struct check_options {
	int64_t now;
	int64_t warn;                /* expiring within this: a warning */
	/* The parent's DS set (rdata), or NULL when not given. */
	const uint8_t *const *ds;
	const size_t *ds_len;
	size_t nds;
	bool have_ds;
	/* Deployed certificates: each TLSA RRset of their hosts must match one. */
	const struct check_cert *certs;
	size_t ncerts;
	/* CHECK_SKIP_*: parts left out (a server's answers are not a whole zone). */
	unsigned skip;
};
#define CHECK_SKIP_DENIAL 1u
#define CHECK_SKIP_SOA 2u
#define CHECK_SKIP_TLSA 4u

/*
 * Check the signed zone z (finalized, read from a file): signatures (every
 * one verified), signed glue and delegations, algorithms that do not sign
 * everything, expiry, the NSEC or NSEC3 chain, NSEC3 parameters, SOA
 * expire against signature validity, TLSA records (PKIX usages on mail
 * ports, MX hosts without TLSA beside ones with, and against o->certs),
 * and with o->have_ds the DS set against the DNSKEY set. Findings go to out (to be freed with
 * findings_free). Returns 0 or STATUS_NOMEM.
 */
int check_zone(const struct zone *z, const struct check_options *o,
    struct findings *out) WUR;

/* What a server's answer denies, for check_denial_proof. */
enum denial_kind {
	DENIAL_NXDOMAIN,             /* the name does not exist */
	DENIAL_NODATA,               /* the name has no record of the type */
	DENIAL_WILDCARD,             /* an answer made from a wildcard: the
	                                name itself does not exist */
	DENIAL_WILDCARD_NODATA,      /* no name, and a wildcard without the type */
};

/*
 * Do the NSEC or NSEC3 records among recs[0..n) (what one answer carried,
 * for the zone apex) prove the denial of qname and qtype (RFC 4035 §5.4,
 * RFC 5155 §8.4-8.8)? For DENIAL_WILDCARD, labels is the RRSIG labels
 * field of the answer. The signatures over them are check_zone's to judge.
 * Returns true, or false with why (one line).
 */
bool check_denial_proof(const struct zrr *recs, size_t n, const uint8_t *apex,
    const uint8_t *qname, uint16_t qtype, enum denial_kind kind,
    unsigned labels, char *why, size_t size);

/* Add a finding (text formatted); rr may be NULL. Returns 0 or STATUS_NOMEM. */
int findings_add(struct findings *f, enum finding_severity s,
    const char *code, const struct zrr *rr, const char *fmt, ...)
    PRINTF_LIKE(5, 6) WUR;
void findings_free(struct findings *f);
/* The worst severity found: 0 (none), FINDING_WARNING or FINDING_ERROR. */
int findings_worst(const struct findings *f);

#endif
