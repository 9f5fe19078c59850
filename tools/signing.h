/* The signing job shared by `sign` and `run`: read a zone with our previous output, sign, write. */
#ifndef ZW_SIGNING_H
#define ZW_SIGNING_H

#include <stdbool.h>

#include "cli.h"
#include "signer/signer.h"
#include "zones/zone.h"

struct keyset;

/* Until a $TTL says otherwise (RFC 2308 §4 wants one in every zone). */
#define SIGNING_DEFAULT_TTL 3600

/*
 * Read the zone zname from in and, when with_previous, our previous output
 * from out (at once, on two threads). An output that is missing gives a
 * NULL *prev; one that cannot be read, a warning and a NULL *prev. The
 * input's warnings are printed. Returns 0 or the input's status with d.
 */
int signing_load(const struct cli *cli, const char *in, const char *out,
    const char *zname, bool with_previous, struct zone **z,
    struct zone **prev, struct diag *d) WUR;

/*
 * Sign *z (see signer_sign_zone). Should a signature kept from prev fail
 * the self-check (a damaged file), warn, read in again and sign everything
 * anew (in and out name the files for that); *z may then be replaced.
 * Returns 0 or a status with d.
 */
int signing_sign(const struct cli *cli, const char *in, const char *out,
    const char *zname,
    struct zone **z, const struct zone *prev, const struct keyset *keys,
    const struct sign_policy *p, struct sign_stats *stats,
    struct diag *d) WUR;

/* Write z to path atomically (temporary file, fsync, rename), formatted on threads. */
int signing_write(const struct zone *z, const char *path, unsigned threads,
    struct diag *d) WUR;

#endif
