/* Canonical form of rdata (RFC 4034 §6.2) and type mnemonics. */
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/attr.h"
#include "dname.h"
#include "zone.h"

/*
 * How to walk the rdata of the types whose embedded names are lower-cased
 * in canonical form: RFC 4034 §6.2 as corrected by RFC 6840 §5.1 (NSEC's
 * next name keeps its case; RRSIG's signer name is lower-cased). Each
 * character is one field: 'n' a name, 's' a character-string, '1'-'9' that
 * many fixed bytes, 'a' the A6 prefix and suffix (RFC 2874 §3.1).
 */
static const char *
canonical_layout(uint16_t type)
{
	switch (type) {
	case 2: case 3: case 4: case 5: case 7: case 8: case 9: case 12:
	case 39:                /* NS MD MF CNAME MB MG MR PTR DNAME */
	case 30:                /* NXT: name, then a bitmap left as is */
		return "n";
	case 6:                 /* SOA */
	case 14: case 17:       /* MINFO RP */
		return "nn";
	case 15: case 18: case 21: case 36:  /* MX AFSDB RT KX */
		return "2n";
	case 26:                /* PX */
		return "2nn";
	case 33:                /* SRV */
		return "6n";
	case 35:                /* NAPTR */
		return "4sssn";
	case 24: case 46:       /* SIG RRSIG: 18 fixed bytes, signer name */
		return "99n";
	case 38:                /* A6 */
		return "a";
	default:
		return NULL;
	}
}

/* Lower-case the name at *pos of out (a copy of rdata), staying within len. */
static void
lower_name_at(uint8_t *out, size_t len, size_t *pos)
{
	size_t p = *pos;

	while (p < len && out[p] != 0) {
		size_t l = out[p];
		for (size_t i = p + 1; i <= p + l && i < len; i++)
			if (out[i] >= 'A' && out[i] <= 'Z')
				out[i] = (uint8_t)(out[i] + 32);
		p += l + 1;
	}
	*pos = p + 1;
}

size_t
rdata_canonicalize(uint16_t type, const uint8_t *rdata, size_t len,
    uint8_t *out)
{
	const char *layout = canonical_layout(type);
	size_t pos = 0;

	memcpy(out, rdata, len);
	if (layout == NULL)
		return len;
	for (; *layout != '\0' && pos < len; layout++) {
		char f = *layout;

		if (f >= '1' && f <= '9') {
			pos += (size_t)(f - '0');
		} else if (f == 's') {
			pos += 1u + out[pos];
		} else if (f == 'a') {
			/* A6: prefix length, address suffix, then a name only if prefix > 0. */
			unsigned prefix = out[pos] > 128 ? 128 : out[pos];
			pos += 1u + (128u - prefix) / 8u;
			if (prefix > 0 && pos < len)
				lower_name_at(out, len, &pos);
		} else if (f == 'n') {
			lower_name_at(out, len, &pos);
		}
	}
	return len;
}

/* Is there an octet 'A' to 'Z' in p[0..n)? */
static bool
has_capital(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((uint8_t)(p[i] - 'A') <= 'Z' - 'A')
			return true;
	return false;
}

/* Octet by octet, the shorter first when one begins the other. */
static int
compare_octets(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen == blen ? 0 : (alen < blen ? -1 : 1);
}

/*
 * Compare the canonical forms (RFC 4034 §6.2) of a and b, from their first
 * name on. Apart from rdata_compare: its 128 KiB of stack are taken only
 * when a name in them has capitals.
 */
static NOINLINE int
compare_canonical(uint16_t type, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen)
{
	uint8_t ca[65536], cb[65536];

	rdata_canonicalize(type, a, alen, ca);
	rdata_canonicalize(type, b, blen, cb);
	return compare_octets(ca, alen, cb, blen);
}

int
rdata_compare(uint16_t type, const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	const char *layout = canonical_layout(type);
	size_t min = alen < blen ? alen : blen, fixed = 0;
	int c;

	if (layout != NULL) {
		/* The fixed fields before the first name compare as they are. */
		for (const char *f = layout; *f >= '1' && *f <= '9'; f++)
			fixed += (size_t)(*f - '0');
		if (fixed > min)
			fixed = min;
		if ((c = memcmp(a, b, fixed)) != 0)
			return c;
		/* The same bytes have the same canonical form. */
		if (alen == blen && memcmp(a + fixed, b + fixed, alen - fixed) == 0)
			return 0;
		/* Without capitals (names are mostly written in lower case) too. */
		if (has_capital(a + fixed, alen - fixed) ||
		    has_capital(b + fixed, blen - fixed))
			return compare_canonical(type, a, alen, b, blen);
	}
	return compare_octets(a, alen, b, blen);
}

void
rrtype_format(uint16_t type, char *buf, size_t size)
{
	const ldns_rr_descriptor *d = ldns_rr_descript(type);

	/* Called for every record written: no printf for the common case. */
	if (d != NULL && d->_name != NULL && d->_type == type &&
	    strlen(d->_name) < size)
		strcpy(buf, d->_name);
	else
		snprintf(buf, size, "TYPE%u", type);
}

/* --- well-formed rdata ------------------------------------------------------ */

/* A name at d[*p] that ends within n bytes; *p moves past it. */
static bool
take_name(const uint8_t *d, size_t n, size_t *p)
{
	size_t l = *p < n ? dname_length_within(d + *p, n - *p) : 0;

	*p += l;
	return l > 0;
}

/* A character-string at d[*p] that ends within n bytes; *p moves past it. */
static bool
take_string(const uint8_t *d, size_t n, size_t *p)
{
	if (*p >= n || *p + 1 + d[*p] > n)
		return false;
	*p += 1u + d[*p];
	return true;
}

/* A type bitmap (RFC 4034 §4.1.2): windows ascending, 1 to 32 bytes each, filling d[p..n). */
static bool
bitmap_ok(const uint8_t *d, size_t n, size_t p)
{
	int last = -1;

	while (p < n) {
		if (p + 2 > n || d[p] <= last || d[p + 1] == 0 || d[p + 1] > 32 ||
		    p + 2 + d[p + 1] > n)
			return false;
		last = d[p];
		p += 2u + d[p + 1];
	}
	return true;
}

/*
 * Types ldns knows and the checks above do not: the rdata must come apart
 * into at least the fields the type needs and print (what the writer
 * does with it). Types ldns does not know are written in RFC 3597 form.
 */
static const char *
check_with_ldns(uint16_t type, const uint8_t *rdata, size_t len)
{
	uint8_t wire[11 + 65535];
	const ldns_rr_descriptor *desc = ldns_rr_descript(type);
	ldns_rr *rr = NULL;
	size_t pos = 0;
	char *text;
	bool ok;

	if (desc == NULL || desc->_type != type || desc->_name == NULL)
		return NULL;
	wire[0] = 0;                          /* owner: the root */
	wire[1] = (uint8_t)(type >> 8);
	wire[2] = (uint8_t)type;
	wire[3] = 0;
	wire[4] = 1;                          /* IN */
	memset(wire + 5, 0, 4);               /* TTL */
	wire[9] = (uint8_t)(len >> 8);
	wire[10] = (uint8_t)len;
	memcpy(wire + 11, rdata, len);
	if (ldns_wire2rr(&rr, wire, 11 + len, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK || rr == NULL)
		return "the rdata does not have this type's format";
	ok = ldns_rr_rd_count(rr) >= ldns_rr_descriptor_minimum(desc) &&
	    pos == 11 + len;
	text = ok ? ldns_rr2str(rr) : NULL;
	ldns_rr_free(rr);
	if (text == NULL)
		return "the rdata does not have this type's format";
	free(text);
	return NULL;
}

const char *
rdata_check(uint16_t type, const uint8_t *d, size_t n)
{
	size_t p = 0;

	switch (type) {
	case RRTYPE_A:
		return n == 4 ? NULL : "an A record holds 4 bytes";
	case RRTYPE_AAAA:
		return n == 16 ? NULL : "an AAAA record holds 16 bytes";
	case RRTYPE_NS: case RRTYPE_CNAME: case RRTYPE_DNAME:
	case 3: case 4: case 7: case 8: case 9: case 12:   /* MD MF MB MG MR PTR */
		return take_name(d, n, &p) && p == n ? NULL :
		    "the rdata is not one domain name";
	case RRTYPE_MX: case 18: case 21: case 36:          /* AFSDB RT KX */
		p = 2;
		return n > 2 && take_name(d, n, &p) && p == n ? NULL :
		    "the rdata is not a 16-bit number and a domain name";
	case 14: case 17:                                   /* MINFO RP */
		return take_name(d, n, &p) && take_name(d, n, &p) && p == n ?
		    NULL : "the rdata is not two domain names";
	case RRTYPE_SOA:
		return take_name(d, n, &p) && take_name(d, n, &p) &&
		    p + 20 == n ? NULL : "the rdata is not two names and five "
		    "32-bit numbers";
	case 33:                                            /* SRV */
		p = 6;
		return n > 6 && take_name(d, n, &p) && p == n ? NULL :
		    "the rdata is not three 16-bit numbers and a domain name";
	case RRTYPE_TXT: case 99:                           /* SPF */
		if (n == 0)
			return "no character-string";
		while (p < n)
			if (!take_string(d, n, &p))
				return "a character-string runs past the rdata";
		return NULL;
	case 13:                                            /* HINFO */
		return take_string(d, n, &p) && take_string(d, n, &p) &&
		    p == n ? NULL : "the rdata is not two character-strings";
	case 35:                                            /* NAPTR */
		p = 4;
		return n > 4 && take_string(d, n, &p) && take_string(d, n, &p) &&
		    take_string(d, n, &p) && take_name(d, n, &p) && p == n ?
		    NULL : "the rdata is not two numbers, three strings and a "
		    "domain name";
	case RRTYPE_DS: case RRTYPE_CDS:
		return n >= 5 ? NULL : "no digest after key tag, algorithm and "
		    "digest type";
	case RRTYPE_DNSKEY: case RRTYPE_CDNSKEY:
		return n >= 5 ? NULL : "no key after flags, protocol and "
		    "algorithm";
	case RRTYPE_TLSA: case 53:                          /* SMIMEA */
		return n >= 4 ? NULL : "no data after usage, selector and "
		    "matching type";
	case 44:                                            /* SSHFP */
		return n >= 3 ? NULL : "no fingerprint after algorithm and type";
	case 257:                                           /* CAA */
		return n >= 2 && d[1] > 0 && 2u + d[1] <= n ? NULL :
		    "the rdata is not flags, a tag and a value";
	case RRTYPE_RRSIG:
		p = 18;
		return n > 18 && take_name(d, n, &p) && p < n ? NULL :
		    "the rdata is not 18 bytes of fields, a signer name and a "
		    "signature";
	case RRTYPE_NSEC:
		return take_name(d, n, &p) && bitmap_ok(d, n, p) ? NULL :
		    "the rdata is not a domain name and a type bitmap";
	case RRTYPE_NSEC3:
		if (n < 5 || 6u + d[4] > n || d[5 + d[4]] == 0 ||
		    6u + d[4] + d[5 + d[4]] > n ||
		    !bitmap_ok(d, n, 6u + d[4] + d[5 + d[4]]))
			return "the rdata is not NSEC3 fields, a salt, a hash and a "
			    "type bitmap";
		return NULL;
	case RRTYPE_NSEC3PARAM:
		return n >= 5 && 5u + d[4] == n ? NULL :
		    "the rdata is not NSEC3 parameters and a salt";
	case 10:                                            /* NULL */
		return NULL;
	case 25:                                            /* KEY: no key with the no-key flags */
		return n >= 4 ? NULL : "no flags, protocol and algorithm";
	case 62:                                            /* CSYNC */
		return n >= 6 && bitmap_ok(d, n, 6) ? NULL :
		    "the rdata is not a serial, flags and a type bitmap";
	case 45:                                            /* IPSECKEY */
		if (n < 3)
			return "no precedence, gateway type and algorithm";
		p = 3;
		switch (d[1]) {
		case 0: break;
		case 1: p += 4; break;
		case 2: p += 16; break;
		case 3: if (!take_name(d, n, &p)) p = n + 1; break;
		default: return "an unknown gateway type";
		}
		/* RFC 4025 lets the key go (algorithm 0); BIND refuses that. */
		return p < n ? NULL : "no public key after the gateway";
	case 64: case 65:                                   /* SVCB HTTPS */
		p = 2;
		if (n < 3 || !take_name(d, n, &p))
			return "the rdata is not a priority and a target name";
		/* RFC 9460 §2.2: parameters in increasing key order, filling the rdata. */
		for (long last = -1; p < n;) {
			unsigned key, vlen;
			if (p + 4 > n)
				return "a service parameter runs past the rdata";
			key = (unsigned)(d[p] << 8 | d[p + 1]);
			vlen = (unsigned)(d[p + 2] << 8 | d[p + 3]);
			if ((long)key <= last || p + 4 + vlen > n)
				return "service parameters out of order or past the "
				    "rdata";
			last = key;
			p += 4u + vlen;
		}
		return NULL;
	default:
		return check_with_ldns(type, d, n);
	}
}
