/* What NSEC and NSEC3 chains share: type bitmaps, TTLs, the names a chain must cover, and its check. */
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "denial.h"
#include "zones/dname.h"

int
typemap_encode(const uint16_t *types, size_t n, struct bytes *out)
{
	uint16_t t[sizeof(((struct name_info *)0)->types) / sizeof(uint16_t) + 2];
	int rc;

	if (n > sizeof(t) / sizeof(t[0]))
		return STATUS_RANGE;
	/* Ascending (callers append RRSIG and NSEC to a sorted list). */
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		for (; j > 0 && t[j - 1] > types[i]; j--)
			t[j] = t[j - 1];
		t[j] = types[i];
	}
	/* RFC 4034 §4.1.2: windows in order, each trimmed of trailing zero octets. */
	for (size_t i = 0; i < n;) {
		unsigned w = t[i] >> 8, used = 0;
		uint8_t *map;

		if ((rc = bytes_reserve(out, 2u + 32u)) != 0)
			return rc;
		map = out->data + out->len + 2;
		memset(map, 0, 32);
		for (; i < n && (unsigned)(t[i] >> 8) == w; i++) {
			unsigned b = t[i] & 0xff;
			map[b / 8] |= (uint8_t)(0x80u >> (b % 8));
			if (b / 8 + 1 > used)
				used = b / 8 + 1;
		}
		out->data[out->len] = (uint8_t)w;
		out->data[out->len + 1] = (uint8_t)used;
		out->len += 2u + used;
	}
	return 0;
}

uint32_t
denial_ttl(const struct zone *z)
{
	const struct zrr *soa = zone_soa(z);
	size_t a = dname_length(soa->rdata);
	const uint8_t *min;

	a += dname_length(soa->rdata + a);
	min = soa->rdata + a + 16;   /* serial refresh retry expire minimum */
	uint32_t minimum = (uint32_t)min[0] << 24 | (uint32_t)min[1] << 16 |
	    (uint32_t)min[2] << 8 | min[3];
	return soa->ttl < minimum ? soa->ttl : minimum;
}

void
name_info(const struct zone *z, size_t begin, struct name_info *ni)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	/* Not memset: types[] is large and only its first ntypes count. */
	ni->ntypes = 0;
	ni->at_cut = ni->has_ds = ni->has_signed = false;
	ni->in_chain = ni->is_nsec3 = ni->overflow = false;
	ni->begin = begin;
	ni->owner = rr[begin].owner;
	for (ni->end = begin; ni->end < count && rr[ni->end].owner == ni->owner;
	    ni->end++) {
		const struct zrr *r = &rr[ni->end];

		if (r->flags & ZRR_AT_CUT)
			ni->at_cut = true;
		if (r->type == RRTYPE_DS)
			ni->has_ds = true;
		if (r->type == RRTYPE_NSEC3)
			ni->is_nsec3 = true;
		/* Glue is not this zone's data; chain records are listed by their chain. */
		if ((r->flags & ZRR_GLUE) || r->type == RRTYPE_RRSIG ||
		    r->type == RRTYPE_NSEC || r->type == RRTYPE_NSEC3)
			continue;
		if (ni->ntypes == 0 || ni->types[ni->ntypes - 1] != r->type) {
			if (ni->ntypes == sizeof(ni->types) / sizeof(ni->types[0])) {
				ni->overflow = true;
				continue;
			}
			ni->types[ni->ntypes++] = r->type;
		}
		if (zrr_is_authoritative(r))
			ni->has_signed = true;
	}
	ni->in_chain = ni->ntypes > 0 && !ni->is_nsec3;
}

int
denial_verify_chain(const struct zone *z, unsigned threads, struct diag *d)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	for (size_t i = 0; i < count; i++) {
		if (rr[i].type == RRTYPE_NSEC3PARAM)
			return nsec3_verify_built_chain(z, threads, NULL, d);
		if (rr[i].type == RRTYPE_NSEC)
			return nsec_verify_chain(z, d);
	}
	diag_set(d, NULL, 0, "the zone has neither an NSEC nor an NSEC3 chain");
	return STATUS_CHAIN;
}
