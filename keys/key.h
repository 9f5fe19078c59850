/* A DNSSEC key pair: generation, BIND-compatible key files, signing. */
#ifndef ZW_KEY_H
#define ZW_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"
#include "common/diag.h"

struct key;

/* Largest signature any supported algorithm makes (RSA 4096). */
#define KEY_SIGNATURE_MAX 512

/*
 * Generate a key pair. bits is used by RSA only (0 = 2048; 1024..4096).
 * flags: 257 for a KSK/CSK, 256 for a ZSK. owner is the zone name in
 * presentation format. created is stored in the key files as Created.
 * Returns 0, STATUS_UNSUPPORTED, STATUS_RANGE (bits, or flags without the
 * Zone Key bit), STATUS_SYNTAX (owner is no domain name), STATUS_CRYPTO or
 * STATUS_NOMEM.
 */
int key_generate(const char *owner, uint8_t alg, unsigned bits, uint16_t flags,
    int64_t created, struct key **out) WUR;

/*
 * Load a key from BIND-format files: path is either file, "X.key" or
 * "X.private", or their common prefix "X"; both files must exist. The
 * private file is refused (STATUS_KEY_UNSAFE) when it is a symlink or
 * readable or writable by group or others. The private key must match the
 * public key of the .key file. Errors fill d with the file, line and what
 * is wrong (never key material). Returns 0, STATUS_KEY_FORMAT,
 * STATUS_KEY_UNSAFE, STATUS_UNSUPPORTED, -errno.
 */
int key_load(const char *path, struct key **out, struct diag *d) WUR;

/*
 * Write K<owner>.+AAA+TTTTT.key (0644) and .private (0600, never over an
 * existing file) into dir. The prefix written ("dir/K...") goes to
 * prefix when not NULL. Returns 0 or a status (-EEXIST when present,
 * -ENAMETOOLONG, STATUS_INVAL for an owner name holding '/').
 */
int key_save(const struct key *k, const char *dir, char *prefix,
    size_t prefix_size) WUR;

void key_free(struct key *k);

uint8_t key_algorithm(const struct key *k);
uint16_t key_flags(const struct key *k);
uint16_t key_tag(const struct key *k);
/* Key size in bits (RSA modulus, curve, 256 for Ed25519, 456 for Ed448). */
unsigned key_bits(const struct key *k);
/* Is this a KSK or CSK (SEP bit set)? */
bool key_is_sep(const struct key *k);
/* Owner name (presentation format, lower case, trailing dot). */
const char *key_owner(const struct key *k);
/* DNSKEY rdata: flags, protocol 3, algorithm, public key. Owned by k. */
const uint8_t *key_dnskey_rdata(const struct key *k, size_t *len);
/* The prefix of the files this key was loaded from or saved to, or "". */
const char *key_file_prefix(const struct key *k);
/* When the key was made (Created in its files). */
int64_t key_created(const struct key *k);

/*
 * What a key does in the zone now (both true for a new key): whether its
 * DNSKEY is in the zone's DNSKEY RRset, and whether it makes signatures.
 * A rollover (keys/rollover.h) sets these as keys come and go.
 */
void key_set_use(struct key *k, bool published, bool signing);
bool key_is_published(const struct key *k);
bool key_is_signing(const struct key *k);
/*
 * A signing SEP key that signs only the key RRsets (DNSKEY, CDS, CDNSKEY),
 * not the data: a CSK that is published ahead of its roll, or that has
 * handed the data over to its successor but is still the one the parent's
 * DS points at. key_set_use clears it.
 */
void key_set_keys_only(struct key *k, bool keys_only);
bool key_signs_keys_only(const struct key *k);
/* Whether the zone asks its parent for this key's DS (CDS/CDNSKEY, RFC 7344). */
void key_set_cds(struct key *k, bool cds);
bool key_has_cds(const struct key *k);

/*
 * Sign data; the signature in DNSSEC wire form goes to sig (at least
 * KEY_SIGNATURE_MAX bytes) and its length to *siglen. Thread-safe: many
 * threads may sign with one key at once. Returns 0 or STATUS_CRYPTO.
 */
int key_sign(const struct key *k, const uint8_t *data, size_t len,
    uint8_t *sig, size_t *siglen) WUR;

/*
 * The same for many signatures on one thread: a signer holds the
 * contexts key_sign would make for each call, made once. One signer per
 * thread (many threads may each have one for the same key); it must not
 * outlive its key. key_signer_new returns 0, STATUS_NOMEM or
 * STATUS_CRYPTO; key_signer_sign what key_sign returns.
 */
struct key_signer;
int key_signer_new(const struct key *k, struct key_signer **out) WUR;
void key_signer_free(struct key_signer *s);
const struct key *key_signer_key(const struct key_signer *s);
int key_signer_sign(struct key_signer *s, const uint8_t *data, size_t len,
    uint8_t *sig, size_t *siglen) WUR;

#endif
