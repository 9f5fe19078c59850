/* Text encodings of binary data used in master files: base64, base32hex and hex. */
#include "encode.h"

static const char b32hex[] = "0123456789abcdefghijklmnopqrstuv";

size_t
base32hex_encode(const uint8_t *in, size_t len, char *out)
{
	size_t o = 0;
	unsigned buf = 0, bits = 0;

	for (size_t i = 0; i < len; i++) {
		buf = (buf << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32hex[(buf >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32hex[(buf << (5 - bits)) & 31];
	out[o] = '\0';
	return o;
}

/* Each character's value plus one (0: not of the alphabet), both cases. */
#define V10(c, v) [(c)] = (v), [(c) + 1] = (v) + 1, [(c) + 2] = (v) + 2, \
	[(c) + 3] = (v) + 3, [(c) + 4] = (v) + 4, [(c) + 5] = (v) + 5, \
	[(c) + 6] = (v) + 6, [(c) + 7] = (v) + 7, [(c) + 8] = (v) + 8, \
	[(c) + 9] = (v) + 9
static const uint8_t b32hex_value[256] = {
	V10('0', 1), V10('a', 11), V10('k', 21), ['u'] = 31, ['v'] = 32,
	V10('A', 11), V10('K', 21), ['U'] = 31, ['V'] = 32,
};
static const uint8_t hex_value[256] = {
	V10('0', 1), ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14,
	['e'] = 15, ['f'] = 16, ['A'] = 11, ['B'] = 12, ['C'] = 13,
	['D'] = 14, ['E'] = 15, ['F'] = 16,
};
#undef V10

size_t
base32hex_decode(const char *in, size_t len, uint8_t *out, size_t max)
{
	size_t o = 0;
	unsigned buf = 0, bits = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned v = b32hex_value[(unsigned char)in[i]];
		if (v == 0)
			return 0;
		buf = (buf << 5) | (v - 1);
		bits += 5;
		if (bits >= 8) {
			if (o == max)
				return 0;
			out[o++] = (uint8_t)(buf >> (bits - 8));
			bits -= 8;
		}
	}
	return o;
}

static const char hexdigits[] = "0123456789abcdef";

size_t
hex_encode(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hexdigits[in[i] >> 4];
		out[2 * i + 1] = hexdigits[in[i] & 15];
	}
	out[2 * len] = '\0';
	return 2 * len;
}

size_t
hex_decode(const char *in, size_t len, uint8_t *out, size_t max)
{
	if (len % 2 != 0 || len / 2 > max)
		return 0;
	for (size_t i = 0; i < len / 2; i++) {
		unsigned hi = hex_value[(unsigned char)in[2 * i]],
		    lo = hex_value[(unsigned char)in[2 * i + 1]];
		if (hi == 0 || lo == 0)
			return 0;
		out[i] = (uint8_t)((hi - 1) << 4 | (lo - 1));
	}
	return len / 2;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
base64_encode(const uint8_t *in, size_t len, char *out)
{
	size_t o = 0, i = 0;

	for (; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 |
		    (i + 1 < len ? (uint32_t)in[i + 1] << 8 : 0);
		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

/* The value of each octet as a base64 digit, or -1. */
static const signed char b64_digit[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

/* The value of a base64 digit, or -1. */
static int
b64_value(char c)
{
	return b64_digit[(unsigned char)c];
}

size_t
base64_decode(const char *in, size_t len, uint8_t *out, size_t max)
{
	size_t o = 0, pad = 0, i = 0;

	if (len == 0 || len % 4 != 0)
		return 0;
	if (in[len - 1] == '=')
		pad = in[len - 2] == '=' ? 2 : 1;
	if (len / 4 * 3 - pad > max)
		return 0;
	/* Every group but the last: four digits, three octets. */
	for (; i + 4 < len; i += 4) {
		int a = b64_value(in[i]), b = b64_value(in[i + 1]);
		int c = b64_value(in[i + 2]), d = b64_value(in[i + 3]);
		if ((a | b | c | d) < 0)
			return 0;
		uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 |
		    (uint32_t)c << 6 | (uint32_t)d;
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)v;
	}
	/* The last group, with its padding. */
	int a = b64_value(in[i]), b = b64_value(in[i + 1]);
	int c = pad == 2 ? 0 : b64_value(in[i + 2]);
	int d = pad >= 1 ? 0 : b64_value(in[i + 3]);
	if ((a | b | c | d) < 0)
		return 0;
	uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 |
	    (uint32_t)d;
	/* Canonical: the bits after the last octet are zero. */
	if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
		return 0;
	out[o++] = (uint8_t)(v >> 16);
	if (pad < 2)
		out[o++] = (uint8_t)(v >> 8);
	if (pad < 1)
		out[o++] = (uint8_t)v;
	return o;
}
