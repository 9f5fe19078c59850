/* Domain names in uncompressed wire format: canonical order, case, text form. */
#ifndef ZW_DNAME_H
#define ZW_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"

#define DNAME_MAX_LENGTH 255
#define DNAME_MAX_LABELS 128
/* Longest presentation form: every octet as \DDD plus dots. */
#define DNAME_TEXT_MAX (DNAME_MAX_LENGTH * 4 + 2)

/*
 * Octets a name shows as they are in presentation form: letters, digits,
 * '-' and '_' (and '*' as a whole label); dname_format escapes the rest.
 */
static inline bool
dname_octet_plain(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Bytes of the name including the root label. */
size_t dname_length(const uint8_t *name);
/*
 * The length of the wire name at name when it lies whole within max bytes
 * (rdata read from a file: no bound but its length), else 0.
 */
size_t dname_length_within(const uint8_t *name, size_t max);
/* Labels, not counting the root (RFC 4034 §3.1.3 counts this way too). */
unsigned dname_label_count(const uint8_t *name);
/* Is the first label "*" (RFC 4592)? */
bool dname_is_wildcard(const uint8_t *name);
/* The name with its first label removed; the root name for the root itself. */
const uint8_t *dname_parent(const uint8_t *name);
/* Equal ignoring ASCII case. */
bool dname_equal(const uint8_t *a, const uint8_t *b);
/* Is name equal to or below ancestor? */
bool dname_is_below_or_at(const uint8_t *name, const uint8_t *ancestor);
/* <0, 0, >0 in DNSSEC canonical order (RFC 4034 §6.1). */
int dname_compare(const uint8_t *a, const uint8_t *b);
/*
 * The first 8 octets, as a big-endian number, of a key whose octet order is
 * the canonical order of names below the same skip_labels last labels: the
 * other labels from the right, each in lower case with octets 0 and 1
 * escaped and ended by a 0 octet. dname_sort_key(a) < dname_sort_key(b)
 * implies dname_compare(a, b) < 0; equal keys say nothing. name must have
 * at least skip_labels labels.
 */
uint64_t dname_sort_key(const uint8_t *name, unsigned skip_labels);
/* Copy src to dst (DNAME_MAX_LENGTH bytes) in lower case (RFC 4034 §6.2). */
void dname_copy_lower(uint8_t *dst, const uint8_t *src);

/*
 * Presentation form with a trailing dot, escaping as RFC 1035 §5.1 allows
 * ("\." inside labels, \DDD for non-printables). buf holds DNAME_TEXT_MAX.
 */
void dname_format(const uint8_t *name, char *buf, size_t size);

/*
 * Parse an absolute name ("example.com" or "example.com."; "." is the root)
 * with \X and \DDD escapes. out holds DNAME_MAX_LENGTH bytes. Returns 0 or
 * STATUS_SYNTAX (empty label, label over 63, name over 255, bad escape).
 */
int dname_parse(const char *text, uint8_t *out) WUR;

/*
 * _PORT._tcp.HOST, where a TLSA RRset for TLS on that port of HOST lives
 * (RFC 6698 §3), into out (DNAME_MAX_LENGTH bytes). False when the name
 * would be too long or port is out of range.
 */
bool dname_tlsa_owner(unsigned port, const uint8_t *host, uint8_t *out);
/* The port and HOST of a _PORT._tcp.HOST name (any case), else false. */
bool dname_tlsa_port(const uint8_t *owner, unsigned *port,
    const uint8_t **host);

#endif
