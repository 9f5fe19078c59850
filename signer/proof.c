/*
 * Denial-of-existence proofs as a server sends them: do the NSEC or NSEC3
 * records of one answer prove that a name, or a type at a name, does not
 * exist (RFC 4035 §5.4, RFC 5155 §8.4-8.8)?
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "common/encode.h"
#include "signer_internal.h"

/* Is type in the type bitmap bm (RFC 4034 §4.1.2)? */
static bool
bitmap_has(const uint8_t *bm, size_t len, uint16_t type)
{
	unsigned window = type >> 8, bit = type & 0xff;

	for (size_t i = 0; i + 2 <= len;) {
		unsigned w = bm[i], l = bm[i + 1];
		if (l == 0 || l > 32 || i + 2 + l > len)
			return false;
		if (w == window)
			return bit / 8 < l && (bm[i + 2 + bit / 8] & (0x80u >> (bit % 8)));
		i += 2 + l;
	}
	return false;
}

/* Does a bitmap say its owner is a delegation point (NS without SOA)? Then it denies no type there but DS. */
static bool
bitmap_delegation(const uint8_t *bm, size_t len)
{
	return bitmap_has(bm, len, RRTYPE_NS) && !bitmap_has(bm, len, RRTYPE_SOA);
}

/* A delegation point or a DNAME: its record denies nothing below it (RFC 6840 §4.1). */
static bool
bitmap_cuts(const uint8_t *bm, size_t len)
{
	return bitmap_has(bm, len, RRTYPE_DNAME) || bitmap_delegation(bm, len);
}

/* The deepest name that is an ancestor of (or equal to) both a and b. */
static const uint8_t *
common_ancestor(const uint8_t *a, const uint8_t *b)
{
	unsigned na = dname_label_count(a), nb = dname_label_count(b);

	for (; na > nb; na--)
		a = dname_parent(a);
	for (; nb > na; nb--)
		b = dname_parent(b);
	while (na-- > 0 && !dname_equal(a, b)) {
		a = dname_parent(a);
		b = dname_parent(b);
	}
	return a;
}

/* name with its first labels removed until labels are left. */
static const uint8_t *
name_suffix(const uint8_t *name, unsigned labels)
{
	for (unsigned n = dname_label_count(name); n > labels; n--)
		name = dname_parent(name);
	return name;
}

/* "*." in front of name, into out (DNAME_MAX_LENGTH); false if too long. */
static bool
wildcard_of(const uint8_t *name, uint8_t *out)
{
	size_t len = dname_length(name);

	if (len + 2 > DNAME_MAX_LENGTH)
		return false;
	out[0] = 1;
	out[1] = '*';
	memcpy(out + 2, name, len);
	return true;
}

/* --- NSEC3 ---------------------------------------------------------------- */

/* One NSEC3 record, taken apart. */
struct n3 {
	uint8_t owner[NSEC3_HASH_LEN];
	const uint8_t *next;
	uint8_t flags;
	const uint8_t *bitmap;
	size_t bitmap_len;
};

/* The hashing parameters every NSEC3 record of the answer shares. */
struct n3_params {
	uint8_t algorithm;
	uint16_t iterations;
	const uint8_t *salt;
	uint8_t salt_len;
};

/* Parse rr into *out (and *p from the first one). False: malformed. */
static bool
n3_parse(const struct zrr *rr, struct n3 *out, struct n3_params *p, bool first)
{
	const uint8_t *r = rr->rdata;
	size_t salt, hash;
	char label[64];

	if (rr->rdlen < 5 || rr->owner[0] != 32)
		return false;
	salt = r[4];
	if (rr->rdlen < 6 + salt || (hash = r[5 + salt]) != NSEC3_HASH_LEN ||
	    rr->rdlen < 6 + salt + hash)
		return false;
	memcpy(label, rr->owner + 1, 32);
	if (base32hex_decode(label, 32, out->owner, NSEC3_HASH_LEN) !=
	    NSEC3_HASH_LEN)
		return false;
	out->flags = r[1];
	out->next = r + 6 + salt;
	out->bitmap = r + 6 + salt + hash;
	out->bitmap_len = rr->rdlen - (6 + salt + hash);
	if (first) {
		p->algorithm = r[0];
		p->iterations = (uint16_t)(r[2] << 8 | r[3]);
		p->salt = r + 5;
		p->salt_len = r[4];
		return true;
	}
	return p->algorithm == r[0] && p->iterations == (r[2] << 8 | r[3]) &&
	    p->salt_len == r[4] && memcmp(p->salt, r + 5, r[4]) == 0;
}

/* The record whose owner hash is h, or NULL. */
static const struct n3 *
n3_match(const struct n3 *v, size_t n, const uint8_t *h)
{
	for (size_t i = 0; i < n; i++)
		if (memcmp(v[i].owner, h, NSEC3_HASH_LEN) == 0)
			return &v[i];
	return NULL;
}

/* The record whose interval covers h (owner < h < next, or the last one's wrap), or NULL. */
static const struct n3 *
n3_cover(const struct n3 *v, size_t n, const uint8_t *h)
{
	for (size_t i = 0; i < n; i++) {
		int after_owner = memcmp(h, v[i].owner, NSEC3_HASH_LEN) > 0;
		int before_next = memcmp(h, v[i].next, NSEC3_HASH_LEN) < 0;
		bool wraps = memcmp(v[i].owner, v[i].next, NSEC3_HASH_LEN) >= 0;
		if (wraps ? after_owner || before_next : after_owner && before_next)
			return &v[i];
	}
	return NULL;
}

static bool
n3_hash(const struct n3_params *p, const uint8_t *name, uint8_t *h)
{
	return nsec3_hash_name(name, p->algorithm, p->iterations, p->salt,
	    p->salt_len, h) == 0;
}

static bool
n3_proves(const struct n3 *v, size_t n, const struct n3_params *p,
    const uint8_t *apex, const uint8_t *qname, uint16_t qtype,
    enum denial_kind kind, unsigned labels, char *why, size_t size)
{
	uint8_t h[NSEC3_HASH_LEN], wild[DNAME_MAX_LENGTH];
	const uint8_t *ce = NULL, *next_closer = NULL;
	const struct n3 *m;
	char text[DNAME_TEXT_MAX];

	if (kind == DENIAL_NODATA) {
		if (!n3_hash(p, qname, h) || (m = n3_match(v, n, h)) == NULL) {
			snprintf(why, size, "no NSEC3 record matches the name");
			return false;
		}
		if (bitmap_has(m->bitmap, m->bitmap_len, qtype) ||
		    bitmap_has(m->bitmap, m->bitmap_len, RRTYPE_CNAME)) {
			snprintf(why, size, "the matching NSEC3 record lists the "
			    "type (or CNAME) as present");
			return false;
		}
		if (qtype != RRTYPE_DS &&
		    bitmap_delegation(m->bitmap, m->bitmap_len)) {
			snprintf(why, size, "the matching NSEC3 record is a "
			    "delegation's: it denies no type but DS");
			return false;
		}
		return true;
	}
	if (kind == DENIAL_WILDCARD) {
		/* The RRSIG's labels name the closest encloser (RFC 5155 §8.8). */
		if (labels >= dname_label_count(qname)) {
			snprintf(why, size, "not a wildcard expansion");
			return false;
		}
		next_closer = name_suffix(qname, labels + 1);
	} else {
		/* The closest encloser: the deepest ancestor with a match (§8.3). */
		for (const uint8_t *a = qname; dname_is_below_or_at(a, apex);
		    a = dname_parent(a)) {
			if (!n3_hash(p, a, h))
				break;
			if ((m = n3_match(v, n, h)) != NULL) {
				ce = a;
				break;
			}
			next_closer = a;
			if (dname_equal(a, apex))
				break;
		}
		if (ce == NULL) {
			snprintf(why, size, "no NSEC3 record matches a closest "
			    "encloser");
			return false;
		}
		if (next_closer == NULL) {
			snprintf(why, size, "an NSEC3 record matches the name "
			    "itself: it exists");
			return false;
		}
		if (bitmap_cuts(m->bitmap, m->bitmap_len)) {
			dname_format(ce, text, sizeof(text));
			snprintf(why, size, "the closest encloser %s is a delegation "
			    "or a DNAME: its NSEC3 record denies nothing below it",
			    text);
			return false;
		}
	}
	if (!n3_hash(p, next_closer, h) || n3_cover(v, n, h) == NULL) {
		dname_format(next_closer, text, sizeof(text));
		snprintf(why, size, "no NSEC3 record covers the next closer name "
		    "%s", text);
		return false;
	}
	if (kind == DENIAL_NXDOMAIN) {
		if (!wildcard_of(ce, wild) || !n3_hash(p, wild, h) ||
		    n3_cover(v, n, h) == NULL) {
			dname_format(ce, text, sizeof(text));
			snprintf(why, size, "no NSEC3 record covers the wildcard "
			    "*.%s", text);
			return false;
		}
	}
	if (kind == DENIAL_WILDCARD_NODATA) {
		/* The wildcard exists, without the type (§8.7). */
		dname_format(ce, text, sizeof(text));
		if (!wildcard_of(ce, wild) || !n3_hash(p, wild, h) ||
		    (m = n3_match(v, n, h)) == NULL) {
			snprintf(why, size, "no NSEC3 record matches the wildcard "
			    "*.%s", text);
			return false;
		}
		if (bitmap_has(m->bitmap, m->bitmap_len, qtype) ||
		    bitmap_has(m->bitmap, m->bitmap_len, RRTYPE_CNAME)) {
			snprintf(why, size, "the NSEC3 record of the wildcard *.%s "
			    "lists the type (or CNAME) as present", text);
			return false;
		}
	}
	return true;
}

/* --- NSEC ----------------------------------------------------------------- */

/* Does the NSEC record rr cover name (owner < name < next, or the last one's wrap)? */
static bool
nsec_covers(const struct zrr *rr, const uint8_t *name)
{
	const uint8_t *next = rr->rdata;
	bool wraps;

	if (dname_length_within(next, rr->rdlen) == 0)
		return false;
	wraps = dname_compare(rr->owner, next) >= 0;
	if (wraps)
		return dname_compare(name, rr->owner) > 0 ||
		    dname_compare(name, next) < 0;
	return dname_compare(name, rr->owner) > 0 &&
	    dname_compare(name, next) < 0;
}

static bool
nsec_proves(const struct zrr *const *v, size_t n, const uint8_t *qname,
    uint16_t qtype, enum denial_kind kind, unsigned labels, char *why,
    size_t size)
{
	const struct zrr *cover = NULL;
	uint8_t wild[DNAME_MAX_LENGTH];
	const uint8_t *ce;
	char text[DNAME_TEXT_MAX];

	for (size_t i = 0; i < n; i++) {
		size_t nl = dname_length_within(v[i]->rdata, v[i]->rdlen);
		if (nl == 0)
			continue;
		if (dname_equal(v[i]->owner, qname)) {
			const uint8_t *bm = v[i]->rdata + nl;
			size_t bl = v[i]->rdlen - nl;
			if (kind != DENIAL_NODATA) {
				snprintf(why, size, "an NSEC record is at the name "
				    "itself: it exists");
				return false;
			}
			if (bitmap_has(bm, bl, qtype) ||
			    bitmap_has(bm, bl, RRTYPE_CNAME)) {
				snprintf(why, size, "the NSEC record at the name lists "
				    "the type (or CNAME) as present");
				return false;
			}
			if (qtype != RRTYPE_DS && bitmap_delegation(bm, bl)) {
				snprintf(why, size, "the NSEC record at the name is a "
				    "delegation's: it denies no type but DS");
				return false;
			}
			return true;
		}
		if (cover == NULL && nsec_covers(v[i], qname))
			cover = v[i];
	}
	if (kind == DENIAL_NODATA) {
		/* An empty non-terminal: the next name is below it (RFC 4035 §3.1.3.2). */
		if (cover != NULL && !dname_equal(cover->rdata, qname) &&
		    dname_is_below_or_at(cover->rdata, qname))
			return true;
		snprintf(why, size, "no NSEC record at the name");
		return false;
	}
	if (cover == NULL) {
		snprintf(why, size, "no NSEC record covers the name");
		return false;
	}
	{
		size_t nl = dname_length_within(cover->rdata, cover->rdlen);
		/* A delegation or DNAME above the name denies nothing below it. */
		if (dname_is_below_or_at(qname, cover->owner) &&
		    bitmap_cuts(cover->rdata + nl, cover->rdlen - nl)) {
			dname_format(cover->owner, text, sizeof(text));
			snprintf(why, size, "the NSEC record of %s, a delegation or "
			    "DNAME above the name, denies nothing below it", text);
			return false;
		}
	}
	/* The closest encloser: the deeper of what the name shares with either end. */
	{
		const uint8_t *a = common_ancestor(qname, cover->owner);
		const uint8_t *b = common_ancestor(qname, cover->rdata);
		ce = dname_label_count(a) >= dname_label_count(b) ? a : b;
	}
	if (kind == DENIAL_WILDCARD) {
		/* The wildcard that answered must sit at the closest encloser. */
		if (labels >= dname_label_count(qname) ||
		    !dname_equal(ce, name_suffix(qname, labels))) {
			dname_format(ce, text, sizeof(text));
			snprintf(why, size, "the RRSIG labels field does not name "
			    "the closest encloser %s the NSEC record shows", text);
			return false;
		}
		return true;
	}
	if (!wildcard_of(ce, wild)) {
		snprintf(why, size, "no room for a wildcard name");
		return false;
	}
	dname_format(ce, text, sizeof(text));
	for (size_t i = 0; i < n; i++) {
		size_t nl = dname_length_within(v[i]->rdata, v[i]->rdlen);
		if (kind == DENIAL_NXDOMAIN && nsec_covers(v[i], wild))
			return true;
		/* Wildcard no data: the wildcard's own NSEC, without the type. */
		if (kind == DENIAL_WILDCARD_NODATA && nl > 0 &&
		    dname_equal(v[i]->owner, wild)) {
			if (!bitmap_has(v[i]->rdata + nl, v[i]->rdlen - nl, qtype) &&
			    !bitmap_has(v[i]->rdata + nl, v[i]->rdlen - nl,
			    RRTYPE_CNAME))
				return true;
			snprintf(why, size, "the NSEC record of the wildcard *.%s "
			    "lists the type (or CNAME) as present", text);
			return false;
		}
	}
	snprintf(why, size, "no NSEC record %s the wildcard *.%s",
	    kind == DENIAL_NXDOMAIN ? "covers" : "matches", text);
	return false;
}

bool
check_denial_proof(const struct zrr *recs, size_t n, const uint8_t *apex,
    const uint8_t *qname, uint16_t qtype, enum denial_kind kind,
    unsigned labels, char *why, size_t size)
{
	enum { MAX = 64 };
	struct n3 v[MAX];
	struct n3_params p = { 0 };
	const struct zrr *nsec[MAX];
	size_t n3 = 0, nn = 0;

	size_t ignored = 0;

	*why = '\0';
	for (size_t i = 0; i < n; i++) {
		if ((recs[i].type == RRTYPE_NSEC3 && n3 == MAX) ||
		    (recs[i].type == RRTYPE_NSEC && nn == MAX)) {
			snprintf(why, size, "more than %d NSEC or NSEC3 records in "
			    "one answer", MAX);
			return false;
		}
		if (recs[i].type == RRTYPE_NSEC3) {
			/* RFC 5155 §8.1, §8.2: unknown hash or flags: ignored. */
			if (recs[i].rdlen >= 2 && (recs[i].rdata[0] != 1 ||
			    (recs[i].rdata[1] & ~1u) != 0)) {
				ignored++;
				continue;
			}
			if (!n3_parse(&recs[i], &v[n3], &p, n3 == 0)) {
				snprintf(why, size, "an NSEC3 record that is malformed "
				    "or has other parameters than the rest");
				return false;
			}
			n3++;
		} else if (recs[i].type == RRTYPE_NSEC)
			nsec[nn++] = &recs[i];
	}
	if (n3 > 0)
		return n3_proves(v, n3, &p, apex, qname, qtype, kind, labels, why,
		    size);
	if (ignored > 0 && nn == 0) {
		snprintf(why, size, "only NSEC3 records of an unknown hash "
		    "algorithm or with unknown flags, which validators ignore");
		return false;
	}
	if (nn > 0)
		return nsec_proves(nsec, nn, qname, qtype, kind, labels, why,
		    size);
	snprintf(why, size, "no NSEC or NSEC3 record in the answer");
	return false;
}
