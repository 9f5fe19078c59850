/* RRSIG records: their fields, and the exact bytes a signature covers. */
#include <stdlib.h>
#include <string.h>

#include "common/bigmem.h"
#include "common/parallel.h"
#include "common/status.h"
#include "signer_internal.h"
#include "zones/dname.h"

#define CLASS_IN 1

int
bytes_reserve(struct bytes *b, size_t extra)
{
	size_t need = b->len + extra, cap;
	uint8_t *p;

	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < need)
		cap *= 2;
	if ((p = big_realloc(b->data, cap)) == NULL)
		return STATUS_NOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

void
bytes_free(struct bytes *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* Room for one more item; 0 or STATUS_NOMEM. */
static int
rrlist_room(struct rrlist *l)
{
	struct zrr *it;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		if ((it = big_realloc(l->items, cap * sizeof(*it))) == NULL)
			return STATUS_NOMEM;
		l->items = it;
		l->cap = cap;
	}
	return 0;
}

int
rrlist_push_shared(struct rrlist *l, const struct zrr *rr, uint8_t flags)
{
	int rc;

	if ((rc = rrlist_room(l)) != 0)
		return rc;
	l->items[l->n] = (struct zrr){ .owner = rr->owner, .rdata = rr->rdata,
	    .ttl = rr->ttl, .type = rr->type, .rdlen = rr->rdlen,
	    .flags = flags };
	l->n++;
	return 0;
}

int
rrlist_push(struct rrlist *l, const uint8_t *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen)
{
	struct zrr *it;
	int rc;

	if (rdlen > UINT16_MAX)
		return STATUS_RANGE;
	if ((rc = rrlist_room(l)) != 0)
		return rc;
	it = &l->items[l->n];
	memset(it, 0, sizeof(*it));
	it->owner = arena_dup(&l->store, owner, dname_length(owner));
	/* An empty rdata still gets a valid pointer. */
	it->rdata = arena_dup(&l->store, rdata, rdlen ? rdlen : 1);
	if (it->owner == NULL || it->rdata == NULL)
		return STATUS_NOMEM;
	it->ttl = ttl;
	it->type = type;
	it->rdlen = (uint16_t)rdlen;
	l->n++;
	return 0;
}

int
rrlist_move_to_zone(struct rrlist *l, struct zone *z)
{
	int rc = zone_take(z, l->items, l->n, &l->store);

	rrlist_free(l);
	return rc;
}

void
rrlist_free(struct rrlist *l)
{
	arena_clear(&l->store);
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

int
rrsig_parse(const uint8_t *rdata, size_t len, struct rrsig_fields *f,
    const uint8_t **sig, size_t *siglen)
{
	size_t pos = 18;

	if (len < 19)
		return STATUS_INVAL;
	/* The signer name must end inside the rdata. */
	while (pos < len && rdata[pos] != 0)
		pos += rdata[pos] + 1u;
	if (pos >= len)
		return STATUS_INVAL;
	f->covered = (uint16_t)(rdata[0] << 8 | rdata[1]);
	f->algorithm = rdata[2];
	f->labels = rdata[3];
	f->original_ttl = get32(rdata + 4);
	f->expiration = get32(rdata + 8);
	f->inception = get32(rdata + 12);
	f->key_tag = (uint16_t)(rdata[16] << 8 | rdata[17]);
	f->signer = rdata + 18;
	*sig = rdata + pos + 1;
	*siglen = len - pos - 1;
	return 0;
}

uint8_t
rrsig_labels(const uint8_t *owner)
{
	unsigned n = dname_label_count(owner);

	return (uint8_t)(dname_is_wildcard(owner) ? n - 1 : n);
}

int
rrsig_signing_data(const struct rrsig_fields *f, const struct zrr *rr,
    size_t n, struct bytes *out)
{
	size_t slen = dname_length(f->signer), olen = dname_length(rr->owner);
	uint8_t owner[DNAME_MAX_LENGTH];
	int rc;

	out->len = 0;
	if ((rc = bytes_reserve(out, 18 + slen)) != 0)
		return rc;
	put16(out->data, f->covered);
	out->data[2] = f->algorithm;
	out->data[3] = f->labels;
	put32(out->data + 4, f->original_ttl);
	put32(out->data + 8, f->expiration);
	put32(out->data + 12, f->inception);
	put16(out->data + 16, f->key_tag);
	/* RFC 4034 §3.1.7 and §6.2: signer name in canonical (lower) case. */
	dname_copy_lower(out->data + 18, f->signer);
	out->len = 18 + slen;
	/* All records of one RRset share the owner: lower-case it once. */
	dname_copy_lower(owner, rr->owner);
	for (size_t i = 0; i < n; i++) {
		uint8_t *p;

		if ((rc = bytes_reserve(out, olen + 10 + rr[i].rdlen)) != 0)
			return rc;
		p = out->data + out->len;
		memcpy(p, owner, olen);
		p += olen;
		put16(p, rr[i].type);
		put16(p + 2, CLASS_IN);
		put32(p + 4, f->original_ttl);
		put16(p + 8, rr[i].rdlen);
		rdata_canonicalize(rr[i].type, rr[i].rdata, rr[i].rdlen, p + 10);
		out->len += olen + 10 + rr[i].rdlen;
	}
	return 0;
}

/* The RRsets listed part by part of the records (on the threads when many). */
struct rrsets_job {
	const struct zone *z;
	const struct zrr *rr;
	size_t at[PARALLEL_PARTS];   /* each part's RRsets: their count, then their place in out */
	size_t *out;                 /* NULL: count only */
};

/* The first RRset that begins at i or after it. */
static size_t
rrset_at_or_after(const struct zone *z, size_t i)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	/* After finalize, one owner is one pointer. */
	while (i > 0 && i < count && rr[i].owner == rr[i - 1].owner &&
	    rr[i].type == rr[i - 1].type)
		i++;
	return i;
}

/* The RRsets that begin in the part: none lost or listed twice at its edges. */
static void
rrsets_part(size_t p, size_t begin, size_t end, void *arg)
{
	struct rrsets_job *job = arg;
	size_t k = job->out != NULL ? job->at[p] : 0;

	end = rrset_at_or_after(job->z, end);
	for (size_t i = rrset_at_or_after(job->z, begin); i < end;
	    i = zone_rrset_end(job->z, i)) {
		if (!zrr_is_authoritative(&job->rr[i]))
			continue;
		if (job->out != NULL)
			job->out[k] = i;
		k++;
	}
	if (job->out == NULL)
		job->at[p] = k;
}

size_t *
signed_rrsets(const struct zone *z, unsigned threads, size_t *n)
{
	struct rrsets_job job = { .z = z };
	size_t count, total = 0;

	*n = 0;
	job.rr = zone_records(z, &count);
	/* Count, then place: each part's RRsets follow the parts' before it. */
	parallel_parts(count, threads, rrsets_part, &job);
	for (size_t p = 0; p < PARALLEL_PARTS; p++) {
		size_t found = job.at[p];
		job.at[p] = total;
		total += found;
	}
	if ((job.out = big_alloc((total + 1) * sizeof(*job.out))) == NULL)
		return NULL;
	parallel_parts(count, threads, rrsets_part, &job);
	*n = total;
	return job.out;
}

bool
is_signer_type(uint16_t type)
{
	return type == RRTYPE_RRSIG || type == RRTYPE_NSEC ||
	    type == RRTYPE_NSEC3 || type == RRTYPE_NSEC3PARAM ||
	    type == RRTYPE_DNSKEY;
}
