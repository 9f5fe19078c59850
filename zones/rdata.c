/* Canonical form of rdata (RFC 4034 §6.2) and type mnemonics. */
#include <ldns/ldns.h>
#include <stdio.h>
#include <string.h>

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

int
rdata_compare(uint16_t type, const uint8_t *a, size_t alen, const uint8_t *b,
    size_t blen)
{
	static _Thread_local uint8_t ca[65536], cb[65536];
	size_t min = alen < blen ? alen : blen;
	int c;

	if (canonical_layout(type) != NULL) {
		rdata_canonicalize(type, a, alen, ca);
		rdata_canonicalize(type, b, blen, cb);
		a = ca;
		b = cb;
	}
	c = memcmp(a, b, min);
	if (c != 0)
		return c;
	return alen == blen ? 0 : (alen < blen ? -1 : 1);
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
