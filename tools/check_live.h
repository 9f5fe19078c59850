/* `zonewarden check --live`: what every name server of a zone serves, checked as check checks a file. */
#ifndef ZW_CHECK_LIVE_H
#define ZW_CHECK_LIVE_H

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

#endif
