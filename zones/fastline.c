/*
 * Lines of our own signed output read without the general master-file
 * parser: the records most of its lines hold (RRSIG, NSEC3, NS, DS, A,
 * AAAA, MX, CNAME) have one fixed form, that of zone_write's fast path,
 * and read several times faster by hand. Anything else, or anything
 * unusual in them, is left to the general parser, so that what is read
 * here is exactly what it would read.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>

#include "common/encode.h"
#include "zones_internal.h"

/*
 * Record types known here by their mnemonic: those a signed zone's records
 * mostly have, and its RRSIGs and NSEC3s name; the most frequent first.
 */
static const uint16_t common_types[] = {
	46, 2, 50, 1, 43, 28, 15, 16, 5, 52, 6, 48, 12, 13, 33, 35, 39, 44,
	47, 51, 53, 59, 60, 61, 62, 64, 65, 99, 256, 257,
};
#define NTYPES (sizeof(common_types) / sizeof(common_types[0]))
static struct {
	char name[16];
	size_t len;
	uint64_t packed;         /* its first 8 characters, zero-padded */
} type_names[NTYPES];

/* Up to 8 characters as one number (the rest zero), for one comparison. */
static uint64_t
pack8(const char *s, size_t n)
{
	uint64_t v = 0;

	memcpy(&v, s, n < 8 ? n : 8);
	return v;
}

/* The mnemonics as the writer prints them (rrtype_format). */
static void
init_type_names(void)
{
	for (size_t i = 0; i < NTYPES; i++) {
		rrtype_format(common_types[i], type_names[i].name,
		    sizeof(type_names[i].name));
		type_names[i].len = strlen(type_names[i].name);
		type_names[i].packed = pack8(type_names[i].name,
		    type_names[i].len);
	}
}

static bool
take_type(const char **p, const char *end, uint16_t *type)
{
	const char *s = *p;
	size_t n = 0;
	uint64_t packed;

	while (s + n < end && s[n] != ' ' && s[n] != '\t')
		n++;
	packed = pack8(s, n);
	for (size_t i = 0; i < NTYPES; i++)
		if (type_names[i].packed == packed && type_names[i].len == n &&
		    (n <= 8 || memcmp(type_names[i].name, s, n) == 0)) {
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

/* The rdata of an RRSIG after its type: the covered type on. */
static bool
take_rrsig(const char **pp, const char *end, struct fast_record *r)
{
	const char *p = *pp;
	uint64_t alg, labels, ottl, tag;
	uint32_t exp, inc;
	uint16_t covered;
	size_t slen, siglen;

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
	*pp = end;
	return true;
}

/* Four decimal octets as inet_ntop writes them (no leading zeros). */
static bool
take_a(const char **p, const char *end, uint8_t out[4])
{
	for (int i = 0; i < 4; i++) {
		uint64_t v;
		if ((i > 0 && !take_char(p, end, '.')) ||
		    !take_u(p, end, 255, &v))
			return false;
		out[i] = (uint8_t)v;
	}
	return true;
}

/* An IPv6 address in the characters inet_ntop writes. */
static bool
take_aaaa(const char **p, const char *end, uint8_t out[16])
{
	char buf[INET6_ADDRSTRLEN];
	size_t n = 0;

	while (*p + n < end && n < sizeof(buf) &&
	    (((*p)[n] >= '0' && (*p)[n] <= '9') ||
	    ((*p)[n] >= 'a' && (*p)[n] <= 'f') || (*p)[n] == ':' ||
	    (*p)[n] == '.'))
		n++;
	if (n == 0 || n == sizeof(buf))
		return false;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET6, buf, out) != 1)
		return false;
	*p += n;
	return true;
}

/* Where the field at p ends: at the next space, or at end. */
static const char *
field_end(const char *p, const char *end)
{
	const char *sp;

	if (p >= end)
		return end;
	sp = memchr(p, ' ', (size_t)(end - p));
	return sp != NULL ? sp : end;
}

/* Hex digits up to the next space or the end: at least one octet. */
static bool
take_hex(const char **p, const char *end, uint8_t *out, size_t max,
    size_t *len)
{
	const char *e = field_end(*p, end);

	if (e == *p || (*len = hex_decode(*p, (size_t)(e - *p), out, max)) == 0)
		return false;
	*p = e;
	return true;
}

/*
 * Type mnemonics, each after a space, in ascending order, as the RFC 4034
 * §4.1.2 bitmap; an empty list is an empty bitmap.
 */
static bool
take_bitmap(const char **p, const char *end, uint8_t *out, size_t max,
    size_t *len)
{
	uint8_t win[32];
	int cur = -1, last = -1;
	size_t o = 0, used = 0;

	for (;;) {
		uint16_t type = 0;
		bool more = *p < end;
		if (more && (!take_char(p, end, ' ') || !take_type(p, end, &type) ||
		    (int)type <= last))
			return false;
		/* The window before ends when another starts or the list does. */
		if (cur >= 0 && (!more || type >> 8 != cur)) {
			if (o + 2 + used > max)
				return false;
			out[o] = (uint8_t)cur;
			out[o + 1] = (uint8_t)used;
			memcpy(out + o + 2, win, used);
			o += 2 + used;
		}
		if (!more)
			break;
		if (type >> 8 != cur) {
			cur = type >> 8;
			memset(win, 0, sizeof(win));
			used = 0;
		}
		win[(type & 0xff) / 8] |= (uint8_t)(0x80 >> (type % 8));
		if ((type & 0xff) / 8u + 1 > used)
			used = (type & 0xff) / 8u + 1;
		last = type;
	}
	*len = o;
	return true;
}

/* The rdata of an NSEC3: hash, flags, iterations, salt, next owner, types. */
static bool
take_nsec3(const char **p, const char *end, struct fast_record *r)
{
	uint8_t *d = r->rdata;
	const char *h;
	uint64_t alg, flags, iter;
	size_t salt = 0, hash, o, bits;

	if (!take_u(p, end, 255, &alg) || !take_char(p, end, ' ') ||
	    !take_u(p, end, 255, &flags) || !take_char(p, end, ' ') ||
	    !take_u(p, end, 65535, &iter) || !take_char(p, end, ' ') ||
	    (!take_char(p, end, '-') && !take_hex(p, end, d + 5, 255, &salt)) ||
	    !take_char(p, end, ' '))
		return false;
	d[0] = (uint8_t)alg;
	d[1] = (uint8_t)flags;
	d[2] = (uint8_t)(iter >> 8);
	d[3] = (uint8_t)iter;
	d[4] = (uint8_t)salt;
	o = 5 + salt;
	/* The next hashed owner: whole groups of eight digits. */
	h = field_end(*p, end);
	if (h == *p || (h - *p) % 8 != 0 || (h - *p) / 8 * 5 > 255 ||
	    (hash = base32hex_decode(*p, (size_t)(h - *p), d + o + 1,
	    255)) == 0)
		return false;
	d[o] = (uint8_t)hash;
	o += 1 + hash;
	*p = h;
	if (!take_bitmap(p, end, d + o, sizeof(r->rdata) - o, &bits))
		return false;
	r->rdlen = o + bits;
	return true;
}

bool
fastline_parse(const char *line, size_t len, size_t known,
    struct fast_record *r)
{
	const char *p = line, *end = line + len;
	uint64_t ttl, v[3];
	size_t n;

	if (len < 8 || end[-1] != '\n' || known >= len)
		return false;
	pthread_once(&tables_once, init_tables);
	end--;
	if (known > 0)
		p += known;
	else if (!take_name(&p, end, r->owner, &r->owner_len))
		return false;
	r->owner_text_len = (size_t)(p - line);
	if (!take_char(&p, end, '\t') ||
	    /* RFC 2181 §8: TTLs above 2^31 - 1 are the general parser's matter. */
	    !take_u(&p, end, 0x7fffffff, &ttl) ||
	    end - p < 4 || memcmp(p, "\tIN\t", 4) != 0)
		return false;
	p += 4;
	if (!take_type(&p, end, &r->type) || !take_char(&p, end, '\t'))
		return false;
	switch (r->type) {
	case RRTYPE_RRSIG:
		if (!take_rrsig(&p, end, r))
			return false;
		break;
	case RRTYPE_A:
		if (!take_a(&p, end, r->rdata))
			return false;
		r->rdlen = 4;
		break;
	case RRTYPE_AAAA:
		if (!take_aaaa(&p, end, r->rdata))
			return false;
		r->rdlen = 16;
		break;
	case RRTYPE_NS:
	case RRTYPE_CNAME:
		if (!take_name(&p, end, r->rdata, &r->rdlen))
			return false;
		break;
	case RRTYPE_MX:
		if (!take_u(&p, end, 65535, &v[0]) || !take_char(&p, end, ' ') ||
		    !take_name(&p, end, r->rdata + 2, &n))
			return false;
		r->rdata[0] = (uint8_t)(v[0] >> 8);
		r->rdata[1] = (uint8_t)v[0];
		r->rdlen = 2 + n;
		break;
	case RRTYPE_DS:
		if (!take_u(&p, end, 65535, &v[0]) || !take_char(&p, end, ' ') ||
		    !take_u(&p, end, 255, &v[1]) || !take_char(&p, end, ' ') ||
		    !take_u(&p, end, 255, &v[2]) || !take_char(&p, end, ' ') ||
		    !take_hex(&p, end, r->rdata + 4, sizeof(r->rdata) - 4, &n))
			return false;
		r->rdata[0] = (uint8_t)(v[0] >> 8);
		r->rdata[1] = (uint8_t)v[0];
		r->rdata[2] = (uint8_t)v[1];
		r->rdata[3] = (uint8_t)v[2];
		r->rdlen = 4 + n;
		break;
	case RRTYPE_NSEC3:
		if (!take_nsec3(&p, end, r))
			return false;
		break;
	default:
		return false;
	}
	r->ttl = (uint32_t)ttl;
	/* The whole line, nothing after the rdata. */
	return p == end;
}
