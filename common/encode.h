/* Text encodings of binary data used in master files: base64, base32hex and hex. */
#ifndef ZW_ENCODE_H
#define ZW_ENCODE_H

#include <stddef.h>
#include <stdint.h>

/* Base32hex without padding, lower case (RFC 4648 §7), of len bytes; out gets a NUL. */
size_t base32hex_encode(const uint8_t *in, size_t len, char *out);
/* Decode; returns bytes written or 0 on bad input. */
size_t base32hex_decode(const char *in, size_t len, uint8_t *out, size_t max);
/* Base64 with padding (RFC 4648 §4), of len bytes; out gets a NUL. Returns the length. */
size_t base64_encode(const uint8_t *in, size_t len, char *out);
/*
 * Decode canonical padded base64 (len a multiple of 4, no whitespace, zero
 * bits after the last byte); returns the bytes written, or 0 for anything
 * else or more than max bytes.
 */
size_t base64_decode(const char *in, size_t len, uint8_t *out, size_t max);
/* Lower-case hex of len bytes (2*len characters and a NUL); returns 2*len. */
size_t hex_encode(const uint8_t *in, size_t len, char *out);
/*
 * Decode len hex digits (either case) into out; returns the bytes written,
 * or 0 for an odd length, a non-hex character or more than max bytes.
 */
size_t hex_decode(const char *in, size_t len, uint8_t *out, size_t max);

#endif
