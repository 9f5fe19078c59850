/*
 * The steps of a TLSA rollover (RFC 7671 §8.1) that commands and runs share:
 * is a staged record safe to rely on, install a renewed certificate, make
 * the staged record current.
 */
#ifndef ZW_TLSA_ROLL_H
#define ZW_TLSA_ROLL_H

#include <stdbool.h>

#include "cli.h"
#include "config.h"
#include "keys/keystore.h"
#include "keys/tlsa.h"
#include "tlsa_state.h"

/* The 3 1 1 record of p (the only one zonewarden publishes). */
extern const struct tlsa_params tlsa_roll_params;

/*
 * Ask every address of every name server of zc (its NS set, found through
 * zc->resolver) for s's TLSA RRset with the zone's SOA, NS and DNSKEY sets:
 * each must serve s's record, signed, verifying now with a DNSKEY set that
 * holds one of keys' KSKs. When all do, s->served_since is set (if it was
 * 0), else reset; *ready once 2 x TLSA TTL + propagation delay have passed
 * since. *changed when served_since changed. With report, a cli_info line
 * per server address and one verdict. Returns 0 or a status with d (the
 * servers could not be asked at all).
 */
int tlsa_roll_check(const struct cli *cli, const struct zone_config *zc,
    const struct keyset *keys, struct tlsa_staged *s, bool report,
    bool *ready, bool *changed, struct diag *d) WUR;

/*
 * Copy the file src to dst atomically (temporary file, fsync, rename),
 * with dst's mode, owner and group when it exists, mode otherwise.
 */
int tlsa_roll_install(const char *src, const char *dst, unsigned mode,
    struct diag *d) WUR;

/*
 * Make staged records current: those of host (port 0: every port), or
 * with pending not NULL, those that pending copy of a certificate brings.
 * Each needs a tlsa line of its host and port whose certificate now has
 * the staged key (else STATUS_KEY_MISSING with d, and nothing changes).
 * The records they replace stay until now + zc->tlsa_ttl; pending copies
 * are removed. *n: how many were committed (0: nothing staged).
 */
int tlsa_roll_commit(const struct zone_config *zc, struct tlsa_state *st,
    const char *host, unsigned port, const char *pending, int64_t now,
    size_t *n, struct diag *d) WUR;

/*
 * For `run`: each certificate `tlsa deploy` left pending whose records are
 * all ready (tlsa_roll_check, with the zone's keys) is installed, the
 * tlsa-reload command runs, and the records are committed. *changed when st changed (to be saved). Returns 0 or a
 * status with d; a deploy not yet ready is no error.
 */
int tlsa_roll_complete(const struct cli *cli, const struct zone_config *zc,
    const struct keyset *keys, struct tlsa_state *st, unsigned hook_timeout,
    bool *changed, struct diag *d) WUR;

/* The 3 1 1 of a certificate file and its kind of key ("RSA", "ECDSA", ...). */
int tlsa_roll_cert_record(const char *path, struct tlsa_rdata *rd,
    char *kind, size_t size, struct diag *d) WUR;
/* The kind of s's key: the first word of tlsa_source_key_type(). */
void tlsa_roll_key_kind(const struct tlsa_source *s, char *buf, size_t size);
bool tlsa_rdata_equal(const struct tlsa_rdata *a, const struct tlsa_rdata *b);
/* Lower-case absolute text of a host name; false when it is none. */
bool tlsa_roll_host(const char *in, char *out, size_t size);
/*
 * Does tlsa line t publish for host (as tlsa_roll_host gives it) on port
 * (0: any port)?
 */
bool tlsa_line_for(const struct tlsa_config *t, const char *host,
    unsigned port);

#endif
