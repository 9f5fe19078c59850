/* What NSEC and NSEC3 chains share: type bitmaps, TTLs, the names a chain must cover, and its check. */
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "denial.h"
#include "zones/dname.h"

int
typemap_encode(const uint16_t *types, size_t n, struct bytes *out)
{
	uint8_t map[256][32];
	uint8_t used[256] = { 0 };
	int rc;

	memset(map, 0, sizeof(map));
	for (size_t i = 0; i < n; i++) {
		unsigned w = types[i] >> 8, b = types[i] & 0xff;
		map[w][b / 8] |= (uint8_t)(0x80u >> (b % 8));
		if (b / 8 + 1 > used[w])
			used[w] = (uint8_t)(b / 8 + 1);
	}
	/* RFC 4034 §4.1.2: windows in order, each trimmed of trailing zero octets. */
	for (unsigned w = 0; w < 256; w++) {
		if (used[w] == 0)
			continue;
		if ((rc = bytes_reserve(out, 2u + used[w])) != 0)
			return rc;
		out->data[out->len++] = (uint8_t)w;
		out->data[out->len++] = used[w];
		memcpy(out->data + out->len, map[w], used[w]);
		out->len += used[w];
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

	memset(ni, 0, sizeof(*ni));
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
denial_verify_chain(const struct zone *z, struct diag *d)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	for (size_t i = 0; i < count; i++) {
		if (rr[i].type == RRTYPE_NSEC3PARAM)
			return nsec3_verify_chain(z, d);
		if (rr[i].type == RRTYPE_NSEC)
			return nsec_verify_chain(z, d);
	}
	diag_set(d, NULL, 0, "the zone has neither an NSEC nor an NSEC3 chain");
	return STATUS_CHAIN;
}
