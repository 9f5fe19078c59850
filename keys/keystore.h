/* The keys of one zone in a key folder: find, load, create and import them. */
#ifndef ZW_KEYSTORE_H
#define ZW_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"
#include "common/diag.h"
#include "key.h"

/* The keys of one zone, sorted by (algorithm, flags descending, tag). */
struct keyset {
	struct key **keys;
	size_t count;
};

void keyset_free(struct keyset *ks);

/*
 * Load every key of zone (presentation name, any case, with or without the
 * trailing dot) found in dir as K<zone>.+AAA+TTTTT.key/.private pairs.
 * Key files of other zones are ignored; a .key without its .private
 * (STATUS_KEY_MISSING), a private file with unsafe permissions, or a key
 * file whose owner is not the zone are errors (with d naming the file).
 * A folder writable by others is refused (STATUS_KEY_UNSAFE). No keys at
 * all gives STATUS_KEY_MISSING; a zone that is no domain name
 * STATUS_SYNTAX.
 */
int keystore_load(const char *dir, const char *zone, struct keyset **out,
    struct diag *d) WUR;

/*
 * Create the first keys of zone in dir (created if missing, mode 0700): a
 * KSK (257) and a ZSK (256), or one CSK (257) when csk is true. Refuses
 * (-EEXIST, with d) when the zone already has keys
 * there. bits: RSA only, 0 for the default.
 */
int keystore_init_zone(const char *dir, const char *zone, uint8_t alg,
    unsigned bits, bool csk, int64_t now, struct keyset **out,
    struct diag *d) WUR;

/*
 * Make one more key for zone in dir (flags 257 or 256, algorithm alg, its
 * tag unlike any in ks), save it and append it to ks. Returns 0 or a
 * status with d.
 */
int keystore_add_key(const char *dir, const char *zone, uint8_t alg,
    uint16_t flags, int64_t now, struct keyset *ks, struct diag *d) WUR;

/*
 * Copy key pairs made by other tools (dnssec-keygen, ldns-keygen, ...)
 * into dir (created, 0700, if missing) under our file names, after
 * checking that each loads and belongs to zone. The copies are written
 * in our format (BIND v1.3, Created as in the source, Publish and Activate
 * equal to it). All keys are imported or none. Returns 0 or a status with d.
 */
int keystore_import(const char *dir, const char *zone, char *const *paths,
    size_t npaths, struct diag *d) WUR;

#endif
