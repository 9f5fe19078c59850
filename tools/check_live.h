/* `zonewarden check --live`: what every name server of a zone serves, checked as check checks a file. */
#ifndef ZW_CHECK_LIVE_H
#define ZW_CHECK_LIVE_H

#include <ldns/ldns.h>

#include "common/attr.h"
#include "common/diag.h"
#include "signer/check.h"

/*
 * Ask every address of every name server of zone (its NS set, found
 * through resolver: "IP[@PORT]" or NULL for /etc/resolv.conf), over UDP
 * and over TCP, for the apex SOA, NS and DNSKEY sets: each must answer,
 * all must serve the same serial, and each answer's signatures must hold
 * (check_zone's checks, with o's DS set). Findings name the server, its
 * address and the transport. Returns 0 or a status with d (nothing could
 * be asked).
 */
int check_live(const char *zone, const char *resolver,
    const struct check_options *o, struct findings *out,
    struct diag *d) WUR;

/*
 * What check_live makes of one server address's answers (s) to the
 * questions names/types[0..nq): the apex SOA, NS and DNSKEY sets, a name
 * and a type that do not exist, then TLSA sets. Denials must prove
 * themselves; everything gets check_zone with so. Findings are led by
 * where; *answered and *serial tell whether it served a zone apex and
 * which serial. Returns 0 or STATUS_NOMEM.
 */
struct dns_server;
int check_live_server(const char *zone, const struct dns_server *s,
    const ldns_rdf *const *names, const ldns_rr_type *types, size_t nq,
    const struct check_options *so, const char *where, bool *answered,
    uint32_t *serial, struct findings *out) WUR;

/*
 * The live TLSA probe (tlsa probe) of every MX host of the zone that is in
 * it: the MX set from z when given, else asked of resolver, which must
 * validate. A failed handshake or TLSA lookup is an error finding
 * (probe-OUTCOME: probe-tlsa-invalid, probe-unreachable, ...), an expired
 * certificate that DANE-EE still accepts or an unusable record a warning.
 * Returns 0 or STATUS_NOMEM.
 */
struct zone;
/* The finding code for a probe outcome ("probe-tlsa-invalid", ...; static). */
enum probe_outcome;
const char *check_probe_code(enum probe_outcome o);
int check_probe(const struct zone *z, const char *zone, const char *resolver,
    int64_t now, unsigned timeout, struct findings *out) WUR;

#endif
