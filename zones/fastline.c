/*
 * Lines of our own signed output read without the general master-file
 * parser: its RRSIG lines (most of its bytes) have one fixed form, that of
 * zone_write's fast path, and read several times faster by hand. Anything
 * else, or anything unusual in them, is left to the general parser, so
 * that what is read here is exactly what it would read.
 */
#include <pthread.h>
#include <string.h>

#include "common/encode.h"
#include "zones_internal.h"

/* Record types a signed zone's RRSIGs mostly cover, by their mnemonic. */
static const uint16_t common_types[] = {
	1, 2, 5, 6, 12, 13, 15, 16, 28, 33, 35, 39, 43, 44, 46, 47, 48, 50, 51,
	52, 53, 59, 60, 61, 62, 64, 65, 99, 256, 257,
};
#define NTYPES (sizeof(common_types) / sizeof(common_types[0]))
static struct {
	char name[16];
	size_t len;
} type_names[NTYPES];

/* The mnemonics as the writer prints them (rrtype_format). */
static void
init_type_names(void)
{
	for (size_t i = 0; i < NTYPES; i++) {
		rrtype_format(common_types[i], type_names[i].name,
		    sizeof(type_names[i].name));
		type_names[i].len = strlen(type_names[i].name);
	}
}

static bool
take_type(const char **p, const char *end, uint16_t *type)
{
	const char *s = *p;
	size_t n = 0;

	while (s + n < end && s[n] != ' ' && s[n] != '\t')
		n++;
	for (size_t i = 0; i < NTYPES; i++)
		if (type_names[i].len == n && memcmp(type_names[i].name, s, n) == 0) {
			*type = common_types[i];
			*p = s + n;
			return true;
		}
	return false;
}

/* A decimal number up to max, no leading zero (the writer prints none). */
static bool
take_u(const char **p, const char *end, uint64_t max, uint64_t *v)
{
	const char *s = *p;
	uint64_t x = 0;
	size_t n = 0;

	while (s + n < end && s[n] >= '0' && s[n] <= '9' && n < 11)
		x = x * 10 + (uint64_t)(s[n++] - '0');
	if (n == 0 || n == 11 || x > max || (n > 1 && s[0] == '0'))
		return false;
	*v = x;
	*p = s + n;
	return true;
}

static bool
take_char(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return false;
	(*p)++;
	return true;
}

/* Octets of plain labels: letters, digits, '-', '_' ('*' only as a whole label). */
static bool plain[256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void
init_tables(void)
{
	init_type_names();
	for (int c = 0; c < 256; c++)
		plain[c] = dname_octet_plain((uint8_t)c);
}

/*
 * An absolute name of plain labels, as the writer prints names that need
 * no escapes; not the root.
 */
static bool
take_name(const char **p, const char *end, uint8_t *out, size_t *outlen)
{
	const char *s = *p;
	size_t o = 0;

	while (s < end && *s != ' ' && *s != '\t') {
		const char *l = s;
		if (*s == '*')
			s++;
		else
			while (s < end && plain[(uint8_t)*s])
				s++;
		size_t len = (size_t)(s - l);
		if (len == 0 || len > 63 || s >= end || *s != '.' ||
		    o + 1 + len + 1 > DNAME_MAX_LENGTH)
			return false;
		out[o++] = (uint8_t)len;
		memcpy(out + o, l, len);
		o += len;
		s++;                       /* the dot */
	}
	if (o == 0)
		return false;
	out[o++] = 0;
	*outlen = o;
	*p = s;
	return true;
}

/* YYYYMMDDHHMMSS of a time that fits 32 bits, each field in its range. */
static bool
take_time(const char **p, const char *end, uint32_t *v)
{
	static const int days_before[12] = {
		0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334,
	};
	static const int month_days[12] = {
		31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};
	const char *s = *p;
	int f[14];

	if (end - s < 14)
		return false;
	for (int i = 0; i < 14; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		f[i] = s[i] - '0';
	}
	int64_t year = f[0] * 1000 + f[1] * 100 + f[2] * 10 + f[3];
	int month = f[4] * 10 + f[5], day = f[6] * 10 + f[7];
	int hh = f[8] * 10 + f[9], mm = f[10] * 10 + f[11], ss = f[12] * 10 + f[13];
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (year < 1970 || month < 1 || month > 12 || day < 1 ||
	    day > month_days[month - 1] || (month == 2 && day == 29 && !leap) ||
	    hh > 23 || mm > 59 || ss > 59)
		return false;
	int64_t leaps = (year - 1969) / 4 - (year - 1901) / 100 + (year - 1601) / 400;
	int64_t days = (year - 1970) * 365 + leaps + days_before[month - 1] +
	    (month > 2 && leap) + day - 1;
	int64_t t = days * 86400 + hh * 3600 + mm * 60 + ss;
	if (t > 0xffffffffll)
		return false;
	*v = (uint32_t)t;
	*p = s + 14;
	return true;
}

bool
fastline_parse(const char *line, size_t len, struct fast_record *r)
{
	const char *p = line, *end = line + len;
	uint64_t ttl, alg, labels, ottl, tag;
	uint32_t exp, inc;
	uint16_t covered;
	size_t slen, siglen;

	const char *tab;

	/* Not an RRSIG line: the cheap test first (owner, tab, TTL, "IN RRSIG"). */
	if (len < 20 || end[-1] != '\n' ||
	    (tab = memchr(line, '\t', len)) == NULL)
		return false;
	for (tab++; tab < end && *tab >= '0' && *tab <= '9'; tab++)
		;
	if (end - tab < 10 || memcmp(tab, "\tIN\tRRSIG\t", 10) != 0)
		return false;
	pthread_once(&tables_once, init_tables);
	end--;
	if (!take_name(&p, end, r->owner, &r->owner_len) ||
	    !take_char(&p, end, '\t') ||
	    /* RFC 2181 §8: TTLs above 2^31 - 1 are the general parser's matter. */
	    !take_u(&p, end, 0x7fffffff, &ttl) ||
	    end - p < 10 || memcmp(p, "\tIN\tRRSIG\t", 10) != 0)
		return false;
	p += 10;
	if (!take_type(&p, end, &covered) || !take_char(&p, end, ' ') ||
	    !take_u(&p, end, 255, &alg) || !take_char(&p, end, ' ') ||
	    !take_u(&p, end, 255, &labels) || !take_char(&p, end, ' ') ||
	    !take_u(&p, end, 0x7fffffff, &ottl) || !take_char(&p, end, ' ') ||
	    !take_time(&p, end, &exp) || !take_char(&p, end, ' ') ||
	    !take_time(&p, end, &inc) || !take_char(&p, end, ' ') ||
	    !take_u(&p, end, 65535, &tag) || !take_char(&p, end, ' ') ||
	    !take_name(&p, end, r->rdata + 18, &slen) ||
	    !take_char(&p, end, ' ') ||
	    (siglen = base64_decode(p, (size_t)(end - p), r->rdata + 18 + slen,
	    sizeof(r->rdata) - 18 - slen)) == 0)
		return false;
	r->ttl = (uint32_t)ttl;
	r->type = RRTYPE_RRSIG;
	r->rdata[0] = (uint8_t)(covered >> 8);
	r->rdata[1] = (uint8_t)covered;
	r->rdata[2] = (uint8_t)alg;
	r->rdata[3] = (uint8_t)labels;
	r->rdata[4] = (uint8_t)(ottl >> 24);
	r->rdata[5] = (uint8_t)(ottl >> 16);
	r->rdata[6] = (uint8_t)(ottl >> 8);
	r->rdata[7] = (uint8_t)ottl;
	for (int i = 0; i < 4; i++) {
		r->rdata[8 + i] = (uint8_t)(exp >> (24 - 8 * i));
		r->rdata[12 + i] = (uint8_t)(inc >> (24 - 8 * i));
	}
	r->rdata[16] = (uint8_t)(tag >> 8);
	r->rdata[17] = (uint8_t)tag;
	r->rdlen = 18 + slen + siglen;
	return true;
}
