/* The mail transport records a zone's config publishes: TLS-RPT (RFC 8460) and MTA-STS (RFC 8461). */
#ifndef ZW_MAIL_RECORDS_H
#define ZW_MAIL_RECORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"
#include "config.h"
#include "zones/zone.h"

/*
 * The MTA-STS policy (RFC 8461 §3.2, CRLF lines) of mode with max_age
 * seconds and an mx line for each MX host of z (finalized), once each,
 * sorted, without the trailing dot; a null MX (".") gives none. *text is
 * NUL-terminated, to be freed. Returns 0, STATUS_NOMEM, STATUS_RANGE (no
 * host, and mode is not none) or STATUS_ZONE_CONTENT (a host name with
 * an escape, which a policy cannot hold).
 */
int mail_sts_policy(const struct zone *z, const char *mode, int64_t max_age,
    char **text, size_t *len) WUR;

/*
 * The policy's id (RFC 8461 §3.1: 1 to 32 letters and digits): the first
 * 20 hex digits of its SHA-256, so that it changes when, and only when,
 * the policy does.
 */
void mail_sts_id(const char *text, size_t len, char id[21]);

/* The TTL of z's apex MX set; 0 when it has none. */
uint32_t mail_mx_ttl(const struct zone *z);

/* "v=TLSRPTv1; rua=URI,URI" from tls-rpt's URIs (space-separated) into out. */
int mail_tls_rpt_text(const char *uris, char *out, size_t size) WUR;

/*
 * Add to z (the operator's zone, finalized) what zc publishes for mail:
 * with tls-rpt, TXT "v=TLSRPTv1; rua=..." at _smtp._tls.ZONE; with
 * mta-sts, TXT "v=STSv1; id=ID" at _mta-sts.ZONE, and the policy it
 * stands for in *policy (to be freed; NULL without mta-sts), which the
 * caller writes (mail_policy_write) once the zone is signed and before it
 * is published. TTL: the MX set's, else 3600. A TXT the zone file holds at
 * those names is an error naming its file and line; so is mta-sts
 * enforce or testing without an MX host (STATUS_ZONE_CONTENT). z is
 * finalized again. Returns 0 or a status with d.
 */
int mail_records_merge(const struct cli *cli, const struct zone_config *zc,
    struct zone *z, char **policy, size_t *policy_len, struct diag *d) WUR;

/*
 * Write policy (len bytes) to zc->mta_sts_policy (mode 0644, atomically)
 * unless the file already holds exactly that. Returns 0 or a status with d.
 */
int mail_policy_write(const struct zone_config *zc, const char *policy,
    size_t len, struct diag *d) WUR;

#endif
