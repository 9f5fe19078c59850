/* The TLSA records that a zone's tlsa lines publish, merged into the zone before it is signed. */
#ifndef ZW_TLSA_RECORDS_H
#define ZW_TLSA_RECORDS_H

#include "cli.h"
#include "config.h"
#include "zones/zone.h"

/* More records than this at one name: a warning (RFC 7671 advises few). */
#define TLSA_RECORDS_WARN 12

/*
 * Add to z (the operator's zone, finalized) the TLSA RRsets of zc's tlsa
 * lines: at _PORT._tcp.HOST, the 3 1 1 record of each deployed certificate
 * and of each next key (or CSR, or certificate), each once, with
 * zc->tlsa_ttl; and what the rollover state st (may be NULL) keeps there:
 * staged next keys with the records they replace, and records on their
 * way out until their time (cli->now). A file that cannot be read is a
 * warning, and that name
 * keeps the TLSA RRset prev (our last output; may be NULL) has. TLSA
 * records the zone file holds at those names are an error naming its file
 * and line (STATUS_ZONE_CONTENT). z is finalized again. Returns 0 or a
 * status with d.
 */
struct tlsa_state;
int tlsa_records_merge(const struct cli *cli, const struct zone_config *zc,
    const struct tlsa_state *st, struct zone *z, const struct zone *prev,
    struct diag *d) WUR;

#endif
