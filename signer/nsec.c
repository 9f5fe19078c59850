/* The NSEC chain (RFC 4034 §4, RFC 4035 §2.3): build and check. */
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "denial.h"
#include "zones/dname.h"

/* Owners in the chain, in canonical order, with the record index of each. */
static int
chain_names(const struct zone *z, size_t **out, size_t *n, struct diag *d)
{
	size_t count, *idx, k = 0;
	const struct zrr *rr = zone_records(z, &count);
	struct name_info ni;

	if ((idx = malloc((count + 1) * sizeof(*idx))) == NULL)
		return STATUS_NOMEM;
	for (size_t i = 0; i < count; i = ni.end) {
		name_info(z, i, &ni);
		if (ni.overflow) {
			zone_diag_rr(z, &rr[i], d, "too many types at one name");
			free(idx);
			return STATUS_ZONE_CONTENT;
		}
		if (ni.in_chain)
			idx[k++] = i;
	}
	*out = idx;
	*n = k;
	return 0;
}

/* Bitmap of a name in the NSEC chain: its types plus NSEC and RRSIG. */
static int
nsec_bitmap(const struct zone *z, size_t at, struct bytes *out)
{
	struct name_info ni;

	name_info(z, at, &ni);
	ni.types[ni.ntypes++] = RRTYPE_RRSIG;
	ni.types[ni.ntypes++] = RRTYPE_NSEC;
	return typemap_encode(ni.types, ni.ntypes, out);
}

int
nsec_build_chain(struct zone *z, uint32_t ttl, struct diag *d)
{
	size_t count, *idx = NULL, n = 0;
	const struct zrr *rr = zone_records(z, &count);
	struct bytes rdata = { 0 };
	struct rrlist out = { 0 };
	int rc;

	if ((rc = chain_names(z, &idx, &n, d)) != 0)
		return rc;
	for (size_t k = 0; k < n && rc == 0; k++) {
		/* RFC 4034 §4.1.1: the last NSEC points back at the apex. */
		const uint8_t *next = rr[idx[(k + 1) % n]].owner;
		size_t nlen = dname_length(next);

		rdata.len = 0;
		if ((rc = bytes_reserve(&rdata, nlen)) != 0)
			break;
		memcpy(rdata.data, next, nlen);
		rdata.len = nlen;
		if ((rc = nsec_bitmap(z, idx[k], &rdata)) != 0)
			break;
		rc = rrlist_push(&out, rr[idx[k]].owner, RRTYPE_NSEC, ttl,
		    rdata.data, rdata.len);
	}
	if (rc == 0)
		rc = rrlist_move_to_zone(&out, z);
	rrlist_free(&out);
	bytes_free(&rdata);
	free(idx);
	return rc;
}

int
nsec_verify_chain(const struct zone *z, struct diag *d)
{
	size_t count, *idx = NULL, n = 0, seen = 0;
	const struct zrr *rr = zone_records(z, &count);
	struct bytes want = { 0 };
	int rc;

	if ((rc = chain_names(z, &idx, &n, d)) != 0)
		return rc;
	for (size_t k = 0; k < n && rc == 0; k++) {
		const struct zrr *nsec = NULL;
		struct name_info ni;

		name_info(z, idx[k], &ni);
		for (size_t i = ni.begin; i < ni.end; i++)
			if (rr[i].type == RRTYPE_NSEC) {
				if (nsec != NULL) {
					zone_diag_rr(z, &rr[i], d,
					    "more than one NSEC at this name");
					rc = STATUS_CHAIN;
				}
				nsec = &rr[i];
			}
		if (rc != 0)
			break;
		if (nsec == NULL) {
			zone_diag_rr(z, &rr[idx[k]], d, "no NSEC at this name");
			rc = STATUS_CHAIN;
			break;
		}
		seen++;
		const uint8_t *next = rr[idx[(k + 1) % n]].owner;
		size_t nlen = dname_length(next);
		if (nsec->rdlen < nlen || !dname_equal(nsec->rdata, next) ||
		    dname_length(nsec->rdata) != nlen) {
			zone_diag_rr(z, nsec, d, "NSEC next name is not "
			    "the next name of the zone");
			rc = STATUS_CHAIN;
			break;
		}
		want.len = 0;
		if ((rc = nsec_bitmap(z, idx[k], &want)) != 0)
			break;
		if (want.len != nsec->rdlen - nlen ||
		    memcmp(want.data, nsec->rdata + nlen, want.len) != 0) {
			zone_diag_rr(z, nsec, d, "NSEC type bitmap does not "
			    "match the types at this name");
			rc = STATUS_CHAIN;
		}
	}
	/* Any NSEC elsewhere (glue names, NSEC3 owners) is an extra link. */
	if (rc == 0) {
		size_t total = 0;
		for (size_t i = 0; i < count; i++)
			total += rr[i].type == RRTYPE_NSEC;
		if (total != seen) {
			diag_set(d, NULL, 0, "%zu NSEC records at names outside "
			    "the chain", total - seen);
			rc = STATUS_CHAIN;
		}
	}
	bytes_free(&want);
	free(idx);
	return rc;
}
