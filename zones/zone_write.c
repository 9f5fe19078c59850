/*
 * Master-file output of records: the types a signed zone is mostly made of
 * (addresses, names, signatures, keys, denial records) are formatted here
 * directly; every other record, and names needing escapes, by ldns.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/bigmem.h"
#include "common/encode.h"
#include "common/parallel.h"
#include "common/status.h"
#include "common/timespec.h"
#include "zones_internal.h"

#define CLASS_IN 1
#define OUT_BUFFER (1 << 20)

/* Text built in a caller's buffer; overflow is checked by the caller's sizing. */
struct text {
	char *p;
};

static void
put_str(struct text *t, const char *s)
{
	size_t n = strlen(s);
	memcpy(t->p, s, n);
	t->p += n;
}

static void
put_u(struct text *t, unsigned long v)
{
	char tmp[24];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*t->p++ = tmp[--n];
}

/* A name whose labels need no escapes: letters, digits, '-', '_', or a lone '*'. */
static bool
plain_name(const uint8_t *name, size_t max)
{
	size_t i = 0;

	while (i < max && name[i] != 0) {
		size_t len = name[i];
		if (i + 1 + len > max)
			return false;
		if (len == 1 && name[i + 1] == '*') {
			i += 2;
			continue;
		}
		for (size_t k = 1; k <= len; k++)
			if (!dname_octet_plain(name[i + k]))
				return false;
		i += 1 + len;
	}
	return i < max;
}

/* Put a plain name (checked with plain_name); returns its wire length. */
static size_t
put_name(struct text *t, const uint8_t *name)
{
	size_t i = 0;

	if (name[0] == 0) {
		*t->p++ = '.';
		return 1;
	}
	while (name[i] != 0) {
		memcpy(t->p, name + i + 1, name[i]);
		t->p += name[i];
		*t->p++ = '.';
		i += 1 + name[i];
	}
	return i + 1;
}

/*
 * Types written by their mnemonic: those every reader of our output takes
 * (zscanner, so Knot; NSD; BIND). ldns names more (NULL, WKS, MD, A6,
 * SIG, ...) that zscanner refuses; those are written TYPEnnn, with their
 * rdata in the RFC 3597 form.
 */
static bool
type_named(uint16_t type)
{
	switch (type) {
	case 1: case 2: case 5: case 6: case 12: case 13: case 14: case 15:
	case 16: case 17: case 18: case 21: case 25: case 28: case 29:
	case 33: case 35: case 36: case 37: case 39: case 42: case 43:
	case 44: case 45: case 46: case 47: case 48: case 49: case 50:
	case 51: case 52: case 53: case 59: case 60: case 61: case 62:
	case 63: case 64: case 65: case 99: case 104: case 105: case 106:
	case 107: case 108: case 109: case 256: case 257:
		return true;
	default:
		return false;
	}
}

/* The type as written: its mnemonic (type_named) or TYPEnnn (RFC 3597 §5). */
static void
type_text(uint16_t type, char buf[24])
{
	if (type_named(type))
		rrtype_format(type, buf, 24);
	else
		snprintf(buf, 24, "TYPE%u", type);
}

static void
put_type(struct text *t, uint16_t type)
{
	char buf[24];
	type_text(type, buf);
	put_str(t, buf);
}

/* Does the RFC 4034 §4.1.2 type bitmap name only types type_named takes? */
static bool
bitmap_named(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 2 <= n; i += 2u + p[i + 1])
		for (unsigned b = 0; b < p[i + 1] * 8u && i + 2 + b / 8 < n; b++)
			if ((p[i + 2 + b / 8] & (0x80 >> (b % 8))) &&
			    !type_named((uint16_t)(p[i] * 256 + b)))
				return false;
	return true;
}

static void
put_hex(struct text *t, const uint8_t *p, size_t n)
{
	t->p += hex_encode(p, n, t->p);
}

static void
put_b64(struct text *t, const uint8_t *p, size_t n)
{
	t->p += base64_encode(p, n, t->p);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* RRSIG times as YYYYMMDDHHMMSS (RFC 4034 §3.2). */
static void
put_time(struct text *t, uint32_t v)
{
	char buf[32];

	time_format(v, buf, sizeof(buf));
	put_str(t, buf);
}

/* The RFC 4034 §4.1.2 type bitmap as mnemonics, each after a space. */
static bool
put_bitmap(struct text *t, const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i + 2 <= n) {
		unsigned win = p[i], len = p[i + 1];
		if (len == 0 || len > 32 || i + 2 + len > n)
			return false;
		for (unsigned b = 0; b < len * 8; b++)
			if (p[i + 2 + b / 8] & (0x80 >> (b % 8))) {
				*t->p++ = ' ';
				put_type(t, (uint16_t)(win * 256 + b));
			}
		i += 2 + len;
	}
	return i == n;
}

/*
 * Format the rdata of rr after the type, into t; false when this type or
 * this rdata is left to ldns.
 */
static bool
put_rdata(struct text *t, const struct zrr *rr)
{
	const uint8_t *d = rr->rdata;
	size_t n = rr->rdlen;
	char addr[INET6_ADDRSTRLEN];

	switch (rr->type) {
	case RRTYPE_A:
		if (n != 4 || inet_ntop(AF_INET, d, addr, sizeof(addr)) == NULL)
			return false;
		put_str(t, addr);
		return true;
	case RRTYPE_AAAA:
		if (n != 16 || inet_ntop(AF_INET6, d, addr, sizeof(addr)) == NULL)
			return false;
		put_str(t, addr);
		return true;
	case RRTYPE_NS:
	case RRTYPE_CNAME:
		if (!plain_name(d, n) || dname_length(d) != n)
			return false;
		put_name(t, d);
		return true;
	case RRTYPE_MX:
		if (n < 3 || !plain_name(d + 2, n - 2) || dname_length(d + 2) != n - 2)
			return false;
		put_u(t, get16(d));
		*t->p++ = ' ';
		put_name(t, d + 2);
		return true;
	case RRTYPE_DS:
		if (n < 5)
			return false;
		put_u(t, get16(d));
		*t->p++ = ' ';
		put_u(t, d[2]);
		*t->p++ = ' ';
		put_u(t, d[3]);
		*t->p++ = ' ';
		put_hex(t, d + 4, n - 4);
		return true;
	case RRTYPE_TLSA:
		if (n < 4)
			return false;
		put_u(t, d[0]);
		*t->p++ = ' ';
		put_u(t, d[1]);
		*t->p++ = ' ';
		put_u(t, d[2]);
		*t->p++ = ' ';
		put_hex(t, d + 3, n - 3);
		return true;
	case RRTYPE_DNSKEY:
		if (n < 5)
			return false;
		put_u(t, get16(d));
		*t->p++ = ' ';
		put_u(t, d[2]);
		*t->p++ = ' ';
		put_u(t, d[3]);
		*t->p++ = ' ';
		put_b64(t, d + 4, n - 4);
		return true;
	case RRTYPE_RRSIG: {
		size_t slen;
		if (n < 19 || !plain_name(d + 18, n - 18))
			return false;
		slen = dname_length(d + 18);
		if (18 + slen >= n)
			return false;
		put_type(t, get16(d));
		*t->p++ = ' ';
		put_u(t, d[2]);
		*t->p++ = ' ';
		put_u(t, d[3]);
		*t->p++ = ' ';
		put_u(t, get32(d + 4));
		*t->p++ = ' ';
		put_time(t, get32(d + 8));
		*t->p++ = ' ';
		put_time(t, get32(d + 12));
		*t->p++ = ' ';
		put_u(t, get16(d + 16));
		*t->p++ = ' ';
		put_name(t, d + 18);
		*t->p++ = ' ';
		put_b64(t, d + 18 + slen, n - 18 - slen);
		return true;
	}
	case RRTYPE_NSEC: {
		size_t nlen;
		if (!plain_name(d, n))
			return false;
		nlen = dname_length(d);
		put_name(t, d);
		return put_bitmap(t, d + nlen, n - nlen);
	}
	case RRTYPE_NSEC3:
	case RRTYPE_NSEC3PARAM: {
		size_t salt, p;
		if (n < 5 || 5 + (size_t)d[4] > n)
			return false;
		salt = d[4];
		put_u(t, d[0]);
		*t->p++ = ' ';
		put_u(t, d[1]);
		*t->p++ = ' ';
		put_u(t, get16(d + 2));
		*t->p++ = ' ';
		if (salt == 0)
			*t->p++ = '-';
		else
			put_hex(t, d + 5, salt);
		p = 5 + salt;
		if (rr->type == RRTYPE_NSEC3PARAM)
			return p == n;
		if (p >= n || p + 1 + d[p] > n || d[p] % 5 != 0)
			return false;
		*t->p++ = ' ';
		t->p += base32hex_encode(d + p + 1, d[p], t->p);
		p += 1 + d[p];
		return put_bitmap(t, d + p, n - p);
	}
	default:
		return false;
	}
}

/* The whole line for rr, with its newline; 0 when left to ldns. */
static size_t
format_fast(const struct zrr *rr, char *line)
{
	struct text t = { line };

	if (!plain_name(rr->owner, DNAME_MAX_LENGTH))
		return 0;
	put_name(&t, rr->owner);
	*t.p++ = '\t';
	put_u(&t, rr->ttl);
	put_str(&t, "\tIN\t");
	put_type(&t, rr->type);
	*t.p++ = '\t';
	if (!put_rdata(&t, rr))
		return 0;
	*t.p++ = '\n';
	return (size_t)(t.p - line);
}

/* Serialize rr as a full wire RR into wire (large enough) and return its length. */
static size_t
rr_to_wire(const struct zrr *rr, uint8_t *wire)
{
	size_t olen = dname_length(rr->owner), p = olen;

	memcpy(wire, rr->owner, olen);
	wire[p++] = (uint8_t)(rr->type >> 8);
	wire[p++] = (uint8_t)rr->type;
	wire[p++] = 0;
	wire[p++] = CLASS_IN;
	wire[p++] = (uint8_t)(rr->ttl >> 24);
	wire[p++] = (uint8_t)(rr->ttl >> 16);
	wire[p++] = (uint8_t)(rr->ttl >> 8);
	wire[p++] = (uint8_t)rr->ttl;
	wire[p++] = (uint8_t)(rr->rdlen >> 8);
	wire[p++] = (uint8_t)rr->rdlen;
	memcpy(wire + p, rr->rdata, rr->rdlen);
	return p + rr->rdlen;
}

/*
 * rr in the RFC 3597 form ("\\# LEN HEX" after its type), for rdata ldns
 * cannot print (a KEY or an IPSECKEY without a key, NULL): the reader
 * accepted it as well formed, and name servers read this form for any type.
 */
static int
format_generic(const struct zrr *rr, ldns_buffer *text)
{
	char owner[DNAME_TEXT_MAX], type[24], *hex = malloc(2u * rr->rdlen + 1);
	int n;

	if (hex == NULL)
		return STATUS_NOMEM;
	hex[hex_encode(rr->rdata, rr->rdlen, hex)] = '\0';
	dname_format(rr->owner, owner, sizeof(owner));
	type_text(rr->type, type);
	ldns_buffer_clear(text);
	/* A failed print leaves its error in the buffer: clear that too. */
	text->_status = LDNS_STATUS_OK;
	n = ldns_buffer_printf(text, "%s\t%u\tIN\t%s\t\\# %u%s%s\n", owner,
	    rr->ttl, type, rr->rdlen, rr->rdlen > 0 ? " " : "", hex);
	free(hex);
	return n < 0 ? STATUS_NOMEM : 0;
}

/*
 * An NSEC3 next hashed owner of a length that is not a multiple of 5
 * octets: its unpadded base32hex (RFC 5155 §3.3) does not read back.
 */
static bool
odd_nsec3_hash(const struct zrr *rr)
{
	size_t p;

	if (rr->type != RRTYPE_NSEC3 || rr->rdlen < 5)
		return false;
	p = 5u + rr->rdata[4];
	return p < rr->rdlen && rr->rdata[p] % 5 != 0;
}

/*
 * Does ldns print this name (wire) so that a zone parser reads it back?
 * It escapes '.', ';', '(', ')' and '\\' and writes what is not a graphic
 * character as \\DDD, but others ('@', '$', '!', '"', ...) as they are,
 * which readers refuse: those names are left to dname_format.
 */
static bool
ldns_name_readable(const uint8_t *name, size_t len)
{
	for (size_t i = 0; i < len && name[i] != 0; i += 1u + name[i])
		for (size_t k = 1; k <= name[i] && i + k < len; k++) {
			uint8_t c = name[i + k];
			if (c > ' ' && c < 0x7f && !dname_octet_plain(c) &&
			    !(c == '*' && name[i] == 1) &&
			    strchr(".;()\\", c) == NULL)
				return false;
		}
	return true;
}

/* Is every name in the rdata of lrr readable as ldns prints it? */
static bool
ldns_rdata_names_readable(const ldns_rr *lrr)
{
	for (size_t i = 0; i < ldns_rr_rd_count(lrr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(lrr, i);
		if (ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME &&
		    !ldns_name_readable(ldns_rdf_data(f), ldns_rdf_size(f)))
			return false;
	}
	return true;
}

/* The line in text (ldns's) with the owner before its first tab as dname_format writes it. */
static int
own_owner(const struct zrr *rr, ldns_buffer *text)
{
	char owner[DNAME_TEXT_MAX], *rest;
	size_t n = ldns_buffer_position(text);
	const char *line = (const char *)ldns_buffer_begin(text);
	const char *tab = memchr(line, '\t', n);
	int w;

	if (tab == NULL)
		return STATUS_INTERNAL;
	if ((rest = malloc(n + 1)) == NULL)
		return STATUS_NOMEM;
	memcpy(rest, tab, (size_t)(line + n - tab));
	rest[line + n - tab] = '\0';
	dname_format(rr->owner, owner, sizeof(owner));
	ldns_buffer_clear(text);
	w = ldns_buffer_printf(text, "%s%s", owner, rest);
	free(rest);
	return w < 0 ? STATUS_NOMEM : 0;
}

/*
 * Does the line ldns made hold ';', '(' or ')' outside a quoted string?
 * A reader takes those as a comment or a grouping (ldns prints an SVCB
 * alpn of "h2;" so), and reads another record.
 */
static bool
ldns_text_ambiguous(const ldns_buffer *text)
{
	const char *p = (const char *)ldns_buffer_begin(text);
	size_t n = ldns_buffer_position(text);
	bool quoted = false;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\\') {
			i++;
			continue;
		}
		if (p[i] == '"')
			quoted = !quoted;
		else if (!quoted && (p[i] == ';' || p[i] == '(' || p[i] == ')'))
			return true;
	}
	return false;
}

/* Format rr into the ldns buffer (cleared first). */
static int
format_into(const struct zrr *rr, ldns_buffer *text)
{
	uint8_t wire[DNAME_MAX_LENGTH + 10 + 65535];
	ldns_rr *lrr = NULL;
	size_t pos = 0, len = rr_to_wire(rr, wire);
	int rc = 0;

	const ldns_rr_descriptor *desc = ldns_rr_descript(rr->type);

	/*
	 * A type without a mnemonic every reader takes, or a CSYNC whose
	 * bitmap names one (ldns would print the mnemonics).
	 */
	if (odd_nsec3_hash(rr) || !type_named(rr->type) ||
	    (rr->type == 62 && rr->rdlen >= 6 &&
	    !bitmap_named(rr->rdata + 6, rr->rdlen - 6u)))
		return format_generic(rr, text);
	ldns_buffer_clear(text);
	if (ldns_wire2rr(&lrr, wire, len, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK)
		return format_generic(rr, text);
	/*
	 * Fewer fields than the type's text needs (a KEY without its key, a
	 * CSYNC without types): ldns prints them, but no reader takes that.
	 */
	if ((desc != NULL && ldns_rr_rd_count(lrr) <
	    ldns_rr_descriptor_minimum(desc)) ||
	    !ldns_rdata_names_readable(lrr) ||
	    ldns_rr2buffer_str_fmt(text, ldns_output_format_nocomments, lrr) !=
	    LDNS_STATUS_OK || ldns_text_ambiguous(text))
		rc = format_generic(rr, text);
	else if (!ldns_name_readable(rr->owner, DNAME_MAX_LENGTH))
		rc = own_owner(rr, text);
	ldns_rr_free(lrr);
	return rc;
}

/*
 * Records are formatted in chunks on worker threads, a round of chunks at a
 * time, and each round is written in order: the text of a large zone is
 * never all in memory at once.
 */
#define WRITE_CHUNK 16384         /* records a worker formats at once */
#define WRITE_ROUND 8             /* chunks per round */

/* A run of records whose lines are copied from the previous output. */
struct copy_run {
	size_t text_end;              /* the chunk's text before the run */
	size_t rec;                   /* its first record */
	uint32_t line, lines;         /* its lines in the old file */
};

struct write_job {
	const struct zone *z;
	const struct zone_text *from; /* lines to copy, or NULL */
	size_t first;                 /* record of the round's first chunk */
	struct chunk_text {
		struct zone_line_buf text;
		struct copy_run *runs;
		size_t nruns, runs_cap;
	} text[WRITE_ROUND];
};

/*
 * The longest line format_fast can make of rr: owner and names (escaped),
 * numbers, and rdata as hex (2 per byte), base64 (4 per 3) or a type
 * bitmap (at most " TYPE65535" per bit): 80 per rdata byte covers them all.
 */
#define FAST_RDATA_MAX 4096
static size_t
line_bound(const struct zrr *rr)
{
	size_t rd = rr->rdlen <= FAST_RDATA_MAX ? rr->rdlen : 0;
	return 2 * DNAME_TEXT_MAX + 80 * rd + 256;
}

static int
reserve_text(struct zone_line_buf *t, size_t need)
{
	size_t cap;
	char *nb;

	if (t->cap - t->len >= need)
		return 0;
	cap = t->cap ? t->cap : OUT_BUFFER;
	while (cap - t->len < need)
		cap *= 2;
	if ((nb = big_realloc(t->buf, cap)) == NULL)
		return STATUS_NOMEM;
	t->buf = nb;
	t->cap = cap;
	return 0;
}

int
zone_format_line(const struct zrr *rr, struct zone_line_buf *t,
    ldns_buffer *lb)
{
	size_t n = 0;
	int rc;

	/* Room for the longest line this record can give, fast path or ldns. */
	if ((rc = reserve_text(t, line_bound(rr))) != 0)
		return rc;
	if (rr->rdlen <= FAST_RDATA_MAX)
		n = format_fast(rr, t->buf + t->len);
	if (n == 0) {
		if ((rc = format_into(rr, lb)) != 0)
			return rc;
		n = ldns_buffer_position(lb);
		if ((rc = reserve_text(t, n)) != 0)
			return rc;
		memcpy(t->buf + t->len, ldns_buffer_begin(lb), n);
	}
	t->len += n;
	return 0;
}

int
zrr_format(const struct zrr *rr, char *buf, size_t size)
{
	struct zone_line_buf t = { 0 };
	ldns_buffer *lb = ldns_buffer_new(256);
	int rc = lb != NULL ? zone_format_line(rr, &t, lb) : STATUS_NOMEM;

	/* The line as a zone file has it, less its newline. */
	if (rc == 0 && t.len > 0 && t.buf[t.len - 1] == '\n')
		t.len--;
	if (rc == 0 && t.len >= size)
		rc = STATUS_RANGE;
	if (rc == 0) {
		memcpy(buf, t.buf, t.len);
		buf[t.len] = '\0';
	}
	free(t.buf);
	if (lb != NULL)
		ldns_buffer_free(lb);
	return rc;
}

/* Record i has line `line` of the old file: start a run or make one longer. */
static int
add_to_run(struct chunk_text *t, size_t i, uint32_t line)
{
	struct copy_run *r = t->nruns > 0 ? &t->runs[t->nruns - 1] : NULL;

	if (r != NULL && r->text_end == t->text.len && r->rec + r->lines == i &&
	    r->line + r->lines == line) {
		r->lines++;
		return 0;
	}
	if (t->nruns == t->runs_cap) {
		size_t cap = t->runs_cap ? 2 * t->runs_cap : 64;
		struct copy_run *nr = realloc(t->runs, cap * sizeof(*nr));
		if (nr == NULL)
			return STATUS_NOMEM;
		t->runs = nr;
		t->runs_cap = cap;
	}
	t->runs[t->nruns++] = (struct copy_run){ t->text.len, i, line, 1 };
	return 0;
}

/* Format records [begin, end) of the round (chunk indices) into their buffers. */
static int
format_chunks(size_t begin, size_t end, void *arg, struct diag *d)
{
	struct write_job *job = arg;
	ldns_buffer *lb = ldns_buffer_new(4096);
	int rc = 0;

	(void)d;
	if (lb == NULL)
		return STATUS_NOMEM;
	for (size_t c = begin; c < end && rc == 0; c++) {
		struct chunk_text *t = &job->text[c];
		size_t from = job->first + c * WRITE_CHUNK;
		size_t to = from + WRITE_CHUNK < job->z->count ?
		    from + WRITE_CHUNK : job->z->count;
		size_t j = job->from != NULL ?
		    zone_copy_first(job->from, &job->z->rr[from]) : 0;

		t->text.len = 0;
		t->nruns = 0;
		for (size_t i = from; i < to && rc == 0; i++) {
			const struct zrr *rr = &job->z->rr[i];
			uint32_t line = job->from != NULL ?
			    zone_copy_match(job->from, rr, &j) : 0;

			rc = line != 0 ? add_to_run(t, i, line) :
			    zone_format_line(rr, &t->text, lb);
		}
	}
	ldns_buffer_free(lb);
	return rc;
}

/* Format one round on its own thread, while the caller writes the last one. */
struct format_round {
	struct write_job *job;
	size_t chunks;
	unsigned threads;
	int rc;
};

static void *
format_round(void *arg)
{
	struct format_round *f = arg;

	f->rc = parallel_for(f->chunks, 1, f->threads, format_chunks, f->job,
	    NULL);
	return NULL;
}

static size_t
round_chunks(const struct zone *z, size_t first)
{
	size_t chunks = (z->count - first + WRITE_CHUNK - 1) / WRITE_CHUNK;

	return chunks > WRITE_ROUND ? WRITE_ROUND : chunks;
}

/* The writer's word that records moved: what it wrote is taken back. */
#define WRITE_AGAIN (STATUS_LAST_ - 101)

void
zone_progress_init(struct zone_progress *p)
{
	*p = (struct zone_progress){ .final = 0 };
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->moved, NULL);
}

void
zone_progress_destroy(struct zone_progress *p)
{
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->moved);
}

void
zone_progress_advance(struct zone_progress *p, size_t final)
{
	pthread_mutex_lock(&p->lock);
	p->placed = true;
	if (final > p->final)
		p->final = final;
	pthread_cond_broadcast(&p->moved);
	pthread_mutex_unlock(&p->lock);
}

void
zone_progress_hold(struct zone_progress *p)
{
	pthread_mutex_lock(&p->lock);
	p->held = true;
	p->again = true;
	while (p->reading)
		pthread_cond_wait(&p->moved, &p->lock);
	pthread_mutex_unlock(&p->lock);
}

void
zone_progress_end(struct zone_progress *p, int rc)
{
	pthread_mutex_lock(&p->lock);
	p->placed = true;
	p->held = false;
	p->ended = true;
	p->rc = rc;
	p->final = SIZE_MAX;
	pthread_cond_broadcast(&p->moved);
	pthread_mutex_unlock(&p->lock);
}

/* Records [0, need) are final now: the writer may read on (no wait). */
static bool
progress_ready(struct zone_progress *p, size_t need)
{
	bool ready;

	if (p == NULL)
		return true;
	pthread_mutex_lock(&p->lock);
	ready = p->placed && !p->held && !p->again && p->final >= need &&
	    p->rc == 0;
	pthread_mutex_unlock(&p->lock);
	return ready;
}

/*
 * The writer reads no record while it waits for [0, need) to be final (a
 * hold may then go on). Returns 0 (it reads again), the filler's failure,
 * or WRITE_AGAIN when records moved.
 */
static int
progress_wait(struct zone_progress *p, size_t need)
{
	int rc = 0;

	if (p == NULL)
		return 0;
	pthread_mutex_lock(&p->lock);
	p->reading = false;
	pthread_cond_broadcast(&p->moved);
	while (!p->ended && (p->held || !p->placed || p->final < need))
		pthread_cond_wait(&p->moved, &p->lock);
	if (p->rc != 0)
		rc = p->rc;
	else if (p->again) {
		p->again = false;
		rc = WRITE_AGAIN;
	} else
		p->reading = true;
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* The writer is done, whatever happened: it waits for the filler's end. */
static int
progress_leave(struct zone_progress *p)
{
	int rc = progress_wait(p, SIZE_MAX);

	if (p != NULL) {
		pthread_mutex_lock(&p->lock);
		p->reading = false;
		pthread_mutex_unlock(&p->lock);
	}
	return rc;
}

/* The end of the round that starts at record first. */
static size_t
round_end(const struct zone *z, size_t first)
{
	return z->count - first > (size_t)WRITE_ROUND * WRITE_CHUNK ?
	    first + (size_t)WRITE_ROUND * WRITE_CHUNK : z->count;
}

/* Bytes [from, to) of a chunk's text to the output (and the digest). */
static int
put_text(FILE *out, XXH3_state_t *md, const char *buf, size_t from, size_t to)
{
	size_t n = to - from;
	const char *p;

	/* A chunk of copied lines only may have no text buffer at all. */
	if (n == 0)
		return 0;
	p = buf + from;
	if (fwrite(p, 1, n, out) != n)
		return status_from_errno(errno);
	if (md != NULL)
		(void)XXH3_128bits_update(md, p, n);
	return 0;
}

/* One formatted chunk to the output: its text, with its runs copied in between. */
static int
put_chunk(const struct write_job *w, const struct chunk_text *t, FILE *out,
    XXH3_state_t *md, struct zone_copier *copier)
{
	size_t at = 0;
	int rc;

	for (size_t r = 0; r < t->nruns; r++) {
		const struct copy_run *run = &t->runs[r];
		if ((rc = put_text(out, md, t->text.buf, at,
		    run->text_end)) != 0 ||
		    (rc = zone_copier_lines(copier, w->z, run->rec, run->line,
		    run->lines)) != 0)
			return rc;
		at = run->text_end;
	}
	return put_text(out, md, t->text.buf, at, t->text.len);
}

/*
 * Rounds of WRITE_ROUND chunks: while the workers format one round into
 * one set of buffers, this thread writes (and hashes) the round before
 * from the other set. With progress, a round is formatted once its
 * records are final: beside the writing when they already are, else
 * after it, once waited for.
 */
static int
write_rounds(const struct zone *z, FILE *out, unsigned threads,
    XXH3_state_t *md, struct zone_text *from, struct zone_progress *progress)
{
	struct write_job jobs[2] = { { .z = z, .from = from },
	    { .z = z, .from = from } };
	struct format_round next = { 0 };
	struct zone_copier *copier = NULL;
	size_t chunks, cur = 0;
	int rc;

	/* The zone's records are counted and placed. */
	if ((rc = progress_wait(progress, 0)) != 0)
		return rc;
	if (from != NULL && (rc = zone_copier_new(from, out, md, &copier)) != 0)
		return rc;
	if (z->count > 0 &&
	    (rc = progress_wait(progress, round_end(z, 0))) == 0) {
		chunks = round_chunks(z, 0);
		rc = parallel_for(chunks, 1, threads, format_chunks, &jobs[0],
		    NULL);
	}
	for (jobs[0].first = 0; rc == 0 && jobs[cur].first < z->count;
	    cur ^= 1) {
		struct write_job *w = &jobs[cur], *f = &jobs[cur ^ 1];
		pthread_t tid;
		bool formatting = false, later = false;

		chunks = round_chunks(z, w->first);
		f->first = w->first + WRITE_ROUND * WRITE_CHUNK;
		next.rc = 0;
		if (f->first < z->count) {
			next = (struct format_round){ f, round_chunks(z, f->first),
			    threads, 0 };
			if (!progress_ready(progress, round_end(z, f->first)))
				later = true;
			else if (pthread_create(&tid, NULL, format_round,
			    &next) == 0)
				formatting = true;
			else
				format_round(&next);
		}
		for (size_t c = 0; c < chunks && rc == 0; c++)
			rc = put_chunk(w, &w->text[c], out, md, copier);
		if (formatting)
			pthread_join(tid, NULL);
		if (rc == 0 && later &&
		    (rc = progress_wait(progress, round_end(z, f->first))) == 0)
			format_round(&next);
		if (rc == 0)
			rc = next.rc;
	}
	if (copier != NULL)
		from->copied = zone_copier_copied(copier);
	zone_copier_free(copier);
	for (size_t j = 0; j < 2; j++)
		for (size_t c = 0; c < WRITE_ROUND; c++) {
			free(jobs[j].text[c].text.buf);
			free(jobs[j].text[c].runs);
		}
	return rc;
}

int
zone_write(const struct zone *z, FILE *out, unsigned threads,
    uint8_t digest[ZONE_DIGEST_LEN], struct zone_text *from,
    struct zone_progress *progress)
{
	XXH3_state_t *md = NULL;
	off_t base = -1;
	int rc, left;

	if (from != NULL) {
		from->copied = 0;
		/* Copies need a file; taking them back, where this output began. */
		if (fileno(out) < 0 || (base = ftello(out)) < 0)
			from = NULL;
	}
	if (progress != NULL && base < 0 && (base = ftello(out)) < 0) {
		/* Cannot be taken back: written once the filler is done. */
		if ((rc = progress_leave(progress)) != 0)
			return rc;
		progress = NULL;
	}
	if (digest != NULL) {
		if ((md = XXH3_createState()) == NULL) {
			(void)progress_leave(progress);
			return STATUS_NOMEM;
		}
		(void)XXH3_128bits_reset(md);
	}
	rc = write_rounds(z, out, threads, md, from, progress);
	/* All written: the filler may still move records (or fail). */
	if (rc == 0)
		rc = progress_wait(progress, SIZE_MAX);
	/*
	 * The old file is not what zone_write writes (format all), or the
	 * filler moved records: start again where this output began.
	 */
	for (int pass = 0; pass < 2 && (rc == ZONE_COPY_MISMATCH ||
	    rc == WRITE_AGAIN); pass++) {
		if (from != NULL)
			from->copied = 0;
		if (rc == ZONE_COPY_MISMATCH)
			from = NULL;
		else
			rc = progress_wait(progress, SIZE_MAX);
		if (rc != 0 && rc != ZONE_COPY_MISMATCH && rc != WRITE_AGAIN)
			break;
		if (fflush(out) != 0 || ftruncate(fileno(out), base) != 0 ||
		    fseeko(out, base, SEEK_SET) != 0) {
			rc = status_from_errno(errno);
			break;
		}
		if (md != NULL)
			(void)XXH3_128bits_reset(md);
		rc = write_rounds(z, out, threads, md, from, progress);
		if (rc == 0)
			rc = progress_wait(progress, SIZE_MAX);
	}
	left = progress_leave(progress);
	if (rc == 0)
		rc = left;
	if (rc == 0 && md != NULL) {
		XXH128_canonical_t c;
		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(md));
		memcpy(digest, c.digest, ZONE_DIGEST_LEN);
	}
	XXH3_freeState(md);
	return rc == WRITE_AGAIN ? STATUS_INTERNAL : rc;
}
