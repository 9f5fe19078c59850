/* Canonical ordering of a zone and its semantic rules (what is authoritative, what may coexist). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bigmem.h"
#include "common/parallel.h"
#include "common/status.h"
#include "zones_internal.h"

/* RRSIGs sort right after the RRset they cover: order by covered type, then RRSIG. */
static unsigned
type_order(const struct zrr *rr)
{
	if (rr->type == RRTYPE_RRSIG && rr->rdlen >= 2)
		return ((unsigned)rr->rdata[0] << 9 | (unsigned)rr->rdata[1] << 1) | 1u;
	return (unsigned)rr->type << 1;
}

int
zrr_type_order(const struct zrr *a, const struct zrr *b)
{
	unsigned ta = type_order(a), tb = type_order(b);

	return ta == tb ? 0 : ta < tb ? -1 : 1;
}

int
zrr_rrset_order(const struct zrr *a, const struct zrr *b)
{
	int c;

	if (a->owner != b->owner && (c = dname_compare(a->owner, b->owner)) != 0)
		return c;
	return zrr_type_order(a, b);
}

size_t
zone_rrset_search(const struct zone *z, const struct zrr *rr)
{
	size_t lo = 0, hi = z->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (zrr_rrset_order(&z->rr[mid], rr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
zrr_order(const struct zrr *a, const struct zrr *b)
{
	int c;

	if ((c = zrr_rrset_order(a, b)) != 0)
		return c;
	return rdata_compare(a->type, a->rdata, a->rdlen, b->rdata, b->rdlen);
}

static int
compare_rr(const void *pa, const void *pb)
{
	const struct zrr *a = pa, *b = pb;
	int c;

	if ((c = zrr_order(a, b)) != 0)
		return c;
	/* Equal records: keep the one first in the input (files and lines grow). */
	if (a->file != b->file)
		return a->file < b->file ? -1 : 1;
	return a->line < b->line ? -1 : (a->line > b->line);
}

/*
 * A run of records with one owner in a sort (the parser gives consecutive
 * records of one owner one copy of it): the owner's dname_sort_key, where
 * the run starts and how many records it holds.
 */
struct keyed {
	uint64_t key;
	uint32_t idx, len;
};

/* The records compare_keyed's runs point into (qsort has no argument). */
static _Thread_local const struct zrr *keyed_records;

/* Runs in canonical order of their owners; runs of one name in input order. */
static int
compare_keyed(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;
	const struct zrr *rr = keyed_records;
	int c;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if ((c = dname_compare(rr[a->idx].owner, rr[b->idx].owner)) != 0)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Sort the few records of one name (qsort's set-up costs more). */
static void
sort_name(struct zrr *rr, size_t n)
{
	if (n > 16) {
		qsort(rr, n, sizeof(*rr), compare_rr);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct zrr x = rr[i];
		size_t j = i;
		for (; j > 0 && compare_rr(&rr[j - 1], &x) > 0; j--)
			rr[j] = rr[j - 1];
		rr[j] = x;
	}
}

/*
 * The sort works in parts of the records, on every CPU: each part's runs
 * are keyed and sorted, the parts' runs merged into one order, and the
 * records gathered in that order, each part of the output by its own
 * thread. The order is total (compare_keyed), so the result is the same
 * whatever the parts.
 */
#define SORT_PARTS_MAX 8
#define SORT_PART_MIN 4096          /* records */

struct sort_part {
	size_t rec_begin, rec_end;  /* its records */
	const struct keyed *runs;   /* theirs, sorted */
	size_t m;
	bool outside;               /* an owner outside the zone */
	size_t run_begin, run_end;  /* gathered: these of the merged runs */
	size_t out;                 /* to the output from here */
};

struct sort_job {
	struct zrr *rr, *out;
	const uint8_t *origin;
	unsigned olabels;
	struct keyed *k, *t;        /* room for a run per record */
	const struct keyed *merged;
	struct sort_part part[SORT_PARTS_MAX];
};

/* Key the runs of each part's records, then sort them. */
static int
sort_parts(size_t begin, size_t end, void *arg, struct diag *unused)
{
	struct sort_job *job = arg;
	const struct zrr *rr = job->rr;

	(void)unused;
	keyed_records = rr;
	for (size_t p = begin; p < end; p++) {
		struct sort_part *part = &job->part[p];
		struct keyed *k = job->k + part->rec_begin;
		struct keyed *t = job->t + part->rec_begin, *swap;
		size_t count[8][256] = { { 0 } }, m = 0;

		for (size_t i = part->rec_begin; i < part->rec_end; i++) {
			uint64_t key;
			if (m > 0 && rr[i].owner == rr[k[m - 1].idx].owner) {
				k[m - 1].len++;
				continue;
			}
			if (!dname_is_below_or_at(rr[i].owner, job->origin)) {
				part->outside = true;
				return 0;
			}
			key = dname_sort_key(rr[i].owner, job->olabels);
			k[m++] = (struct keyed){ key, (uint32_t)i, 1 };
			for (unsigned d = 0; d < 8; d++)
				count[d][(key >> (8 * d)) & 0xff]++;
		}
		/* Least significant octet first; an octet all keys share is skipped. */
		for (unsigned d = 0; d < 8 && m > 0; d++) {
			size_t sum = 0;
			if (count[d][(k[0].key >> (8 * d)) & 0xff] == m)
				continue;
			for (unsigned b = 0; b < 256; b++) {
				size_t c = count[d][b];
				count[d][b] = sum;
				sum += c;
			}
			for (size_t i = 0; i < m; i++)
				t[count[d][(k[i].key >> (8 * d)) & 0xff]++] = k[i];
			swap = k;
			k = t;
			t = swap;
		}
		for (size_t i = 0, j; i < m; i = j) {
			for (j = i + 1; j < m && k[j].key == k[i].key; j++)
				;
			if (j - i > 1)
				qsort(k + i, j - i, sizeof(*k), compare_keyed);
		}
		part->runs = k;
		part->m = m;
	}
	return 0;
}

/* Do runs a and b have one owner name? */
static bool
same_name(const struct zrr *rr, const struct keyed *a, const struct keyed *b)
{
	return a->key == b->key &&
	    dname_compare(rr[a->idx].owner, rr[b->idx].owner) == 0;
}

/* The parts' runs in one order (the least of their heads each time) into merged. */
static size_t
merge_parts(const struct sort_job *job, size_t nparts, struct keyed *merged)
{
	size_t at[SORT_PARTS_MAX] = { 0 }, w = 0;

	keyed_records = job->rr;
	for (;;) {
		const struct keyed *best = NULL;
		size_t from = 0;
		for (size_t p = 0; p < nparts; p++) {
			const struct keyed *head = &job->part[p].runs[at[p]];
			if (at[p] < job->part[p].m &&
			    (best == NULL || compare_keyed(head, best) < 0)) {
				best = head;
				from = p;
			}
		}
		if (best == NULL)
			return w;
		merged[w++] = *best;
		at[from]++;
	}
}

/*
 * Gather each part's runs into the output, each name's records together,
 * then in order among themselves. The reads are independent, so the
 * memory system overlaps them when told where the next ones are.
 */
static int
gather_parts(size_t begin, size_t end, void *arg, struct diag *unused)
{
	const struct sort_job *job = arg;
	const struct keyed *k = job->merged;
	const struct zrr *rr = job->rr;

	(void)unused;
	for (size_t p = begin; p < end; p++) {
		const struct sort_part *part = &job->part[p];
		size_t w = part->out, last = part->run_end;
		for (size_t i = part->run_begin, j; i < last; i = j) {
			size_t first = w;
			for (j = i; j < last && (j == i || same_name(rr, &k[i], &k[j]));
			    j++) {
				if (j + 8 < last)
					__builtin_prefetch(&rr[k[j + 8].idx]);
				memcpy(&job->out[w], &rr[k[j].idx],
				    k[j].len * sizeof(*rr));
				w += k[j].len;
			}
			if (w - first > 1)
				sort_name(&job->out[first], w - first);
		}
	}
	return 0;
}

/*
 * Put z->rr[from..count) in canonical order. Comparing names label by label
 * from the right is what makes a plain sort slow, so most of the order
 * comes from a radix sort of a number per run of one owner
 * (dname_sort_key below the origin); only runs whose keys tie compare
 * their names, and only the records of one name are compared in full.
 * Owners outside the zone (an error finalize reports) fall back to the
 * plain sort.
 */
static void
sort_run(struct zone *z, size_t from)
{
	struct sort_job job = { .rr = z->rr + from, .origin = z->origin,
	    .olabels = dname_label_count(z->origin) };
	size_t n = z->count - from, nparts, m, at, w;
	struct keyed *merged = NULL;

	if (n < 64 || n > UINT32_MAX)
		goto plain;
	nparts = n / SORT_PART_MIN;
	nparts = nparts < 1 ? 1 : parallel_threads(0, SORT_PARTS_MAX) < nparts ?
	    parallel_threads(0, SORT_PARTS_MAX) : nparts;
	/* Room for n runs; only the m there are get touched. */
	job.k = big_alloc(n * sizeof(*job.k));
	job.t = big_alloc(n * sizeof(*job.t));
	job.out = big_alloc(n * sizeof(*job.out));
	if (nparts > 1)
		merged = big_alloc(n * sizeof(*merged));
	if (job.k == NULL || job.t == NULL || job.out == NULL ||
	    (nparts > 1 && merged == NULL))
		goto plain;
	for (size_t p = 0; p < nparts; p++) {
		job.part[p].rec_begin = n * p / nparts;
		job.part[p].rec_end = n * (p + 1) / nparts;
	}
	if (parallel_for(nparts, 1, 0, sort_parts, &job, NULL) != 0)
		goto plain;
	for (size_t p = 0; p < nparts; p++)
		if (job.part[p].outside)
			goto plain;
	if (nparts > 1) {
		m = merge_parts(&job, nparts, merged);
		job.merged = merged;
	} else {
		m = job.part[0].m;
		job.merged = job.part[0].runs;
	}
	/* The output in parts too, each beginning at a name. */
	for (size_t p = 0, r = 0; p < nparts; p++) {
		at = m * p / nparts;
		at = at < r ? r : at;
		while (at > 0 && at < m &&
		    same_name(job.rr, &job.merged[at - 1], &job.merged[at]))
			at++;
		job.part[p].run_begin = at;
		if (p > 0)
			job.part[p - 1].run_end = at;
		r = at;
	}
	job.part[nparts - 1].run_end = m;
	w = 0;
	for (size_t p = 0, i = 0; p < nparts; p++) {
		for (; i < job.part[p].run_begin; i++)
			w += job.merged[i].len;
		job.part[p].out = w;
	}
	if (parallel_for(nparts, 1, 0, gather_parts, &job, NULL) != 0)
		goto plain;
	free(merged);
	free(job.t);
	free(job.k);
	/* All of the records: the sorted copy takes the old one's place. */
	if (from == 0 && !z->borrowed) {
		free(z->rr);
		z->rr = job.out;
		z->cap = n;
		return;
	}
	memcpy(job.rr, job.out, n * sizeof(*job.out));
	free(job.out);
	return;
plain:
	free(merged);
	free(job.out);
	free(job.t);
	free(job.k);
	qsort(job.rr, n, sizeof(*job.rr), compare_rr);
}

/*
 * The first index q <= n with every rr[q..n) after x (rr[0..n) sorted):
 * an exponential search back from n, then a binary one, so that merging a
 * few records into many compares few of them.
 */
static size_t
gallop_back(const struct zrr *rr, size_t n, const struct zrr *x)
{
	size_t lo = 0, hi = n, off = 1;

	/* rr[hi..n) are after x; look 1, 2, 4, ... back for one that is not. */
	while (off <= n) {
		if (compare_rr(&rr[n - off], x) <= 0) {
			lo = n - off + 1;
			break;
		}
		hi = n - off;
		off *= 2;
	}
	/* Now rr[lo - 1] (if any) is not after x and rr[hi..n) are. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (compare_rr(&rr[mid], x) > 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/*
 * Merge the sorted runs z->rr[0, p) and z->rr[p, count) in place, from
 * the back, the second copied aside: for a short second run, each of its
 * records finds its place by few comparisons (gallop_back) and the first
 * run's records after it move as one block.
 */
static int
merge_gallop(struct zone *z, size_t p)
{
	size_t n = z->count, m = n - p, a = p, b = m, w = n;
	struct zrr *tmp = big_alloc(m * sizeof(*tmp));

	if (tmp == NULL)
		return STATUS_NOMEM;
	memcpy(tmp, z->rr + p, m * sizeof(*tmp));
	while (b > 0) {
		/* The prefix records after tmp[b - 1] move as one block. */
		size_t q = gallop_back(z->rr, a, &tmp[b - 1]);
		memmove(&z->rr[w - (a - q)], &z->rr[q], (a - q) * sizeof(*tmp));
		w -= a - q;
		a = q;
		z->rr[--w] = tmp[--b];
	}
	free(tmp);
	return 0;
}

/*
 * The same merge for a long second run (a chain's records, each name of
 * the zone a neighbour of one of them): both runs walked once from the
 * back, owners compared by their dname_sort_key (one per owner, from the
 * origin down) and in full only when the keys tie or a name has no key
 * (outside the zone: an error finalize reports). The first known records
 * are known to be in the zone (finalized before). MERGE_UNSORTED, and
 * nothing moved, when the second run is not in order after all.
 */
#define MERGE_UNSORTED 1

static int
merge_keyed(struct zone *z, size_t p, size_t known)
{
	unsigned olabels = dname_label_count(z->origin);
	size_t n = z->count, m = n - p, a = p, b = m, w = n;
	struct zrr *tmp = big_alloc(m * sizeof(*tmp));
	uint64_t *key = big_alloc(m * sizeof(*key)), akey = 0;
	const uint8_t *aowner = NULL;
	bool *keyed = big_alloc(m * sizeof(*keyed)), akeyed = false;

	if (tmp == NULL || key == NULL || keyed == NULL) {
		free(tmp);
		free(key);
		free(keyed);
		return STATUS_NOMEM;
	}
	/* The keys of the second run, which show whether it is in order. */
	for (size_t i = 0; i < m; i++) {
		const struct zrr *rr = &z->rr[p + i];
		if (i > 0 && rr->owner == rr[-1].owner) {
			key[i] = key[i - 1];
			keyed[i] = keyed[i - 1];
		} else {
			keyed[i] = dname_is_below_or_at(rr->owner, z->origin);
			key[i] = keyed[i] ? dname_sort_key(rr->owner, olabels) : 0;
		}
		if (i > 0 && (keyed[i] && keyed[i - 1] && key[i] != key[i - 1] ?
		    key[i] < key[i - 1] : compare_rr(&rr[-1], rr) > 0)) {
			free(tmp);
			free(key);
			free(keyed);
			return MERGE_UNSORTED;
		}
	}
	memcpy(tmp, z->rr + p, m * sizeof(*tmp));
	while (b > 0 && a > 0) {
		const struct zrr *x = &z->rr[a - 1];
		int c;
		if (x->owner != aowner) {
			aowner = x->owner;
			akeyed = a - 1 < known ||
			    dname_is_below_or_at(aowner, z->origin);
			akey = akeyed ? dname_sort_key(aowner, olabels) : 0;
		}
		if (akeyed && keyed[b - 1] && akey != key[b - 1])
			c = akey < key[b - 1] ? -1 : 1;
		else
			c = compare_rr(x, &tmp[b - 1]);
		/* Equal records: the first run's goes first. */
		if (c > 0)
			z->rr[--w] = z->rr[--a];
		else
			z->rr[--w] = tmp[--b];
	}
	memcpy(z->rr, tmp, b * sizeof(*tmp));
	free(tmp);
	free(key);
	free(keyed);
	return 0;
}

/*
 * Sort z->rr, whose first sorted records are known to be in order (and in
 * the zone: a finalize left them). Zones are often sorted already (our own
 * output) or sorted but for records appended since the last finalize (the
 * signer's): sort only what follows the sorted prefix, then merge the two
 * runs. A file mostly out of order (an input) is sorted whole.
 */
static int
sort_records(struct zone *z, size_t sorted)
{
	size_t p = sorted > 1 ? sorted : 1, n = z->count, a;
	int rc;

	while (p < n && compare_rr(&z->rr[p - 1], &z->rr[p]) <= 0)
		p++;
	if (p >= n)
		return 0;
	/* A long tail (a chain's records) is often in order: merge_keyed sees. */
	if (n - p >= p / 8 && (rc = merge_keyed(z, p, sorted)) != MERGE_UNSORTED)
		return rc;
	/* A short one often too (signatures made RRset by RRset). */
	for (a = p + 1; a < n && compare_rr(&z->rr[a - 1], &z->rr[a]) <= 0; a++)
		;
	if (a < n && p < n - p) {
		sort_run(z, 0);
		return 0;
	}
	if (a < n)
		sort_run(z, p);
	if (compare_rr(&z->rr[p - 1], &z->rr[p]) <= 0)
		return 0;
	return n - p >= p / 8 ? merge_keyed(z, p, sorted) : merge_gallop(z, p);
}

/* share_owners over a part, but for its first record (the part before may change it). */
static void
share_part(size_t p, size_t i, size_t to, void *arg)
{
	struct zrr *rr = ((struct zone *)arg)->rr;

	(void)p;
	for (i++; i < to; i++)
		if (rr[i].owner != rr[i - 1].owner &&
		    dname_equal(rr[i].owner, rr[i - 1].owner))
			rr[i].owner = rr[i - 1].owner;
}

/*
 * Records in canonical order: each name's records take one owner
 * pointer, its first record's. In parts, on every CPU when there are
 * many records; then, part by part in order, the records that continue
 * the name the part before ends with take its pointer.
 */
static void
share_owners(struct zone *z)
{
	struct zrr *rr = z->rr;

	parallel_parts(z->count, 0, share_part, z);
	for (size_t p = 1; p < PARALLEL_PARTS; p++) {
		size_t i = z->count * p / PARALLEL_PARTS;
		size_t to = z->count * (p + 1) / PARALLEL_PARTS;
		const uint8_t *was = i > 0 && i < to ? rr[i].owner : NULL;

		if (was == NULL || was == rr[i - 1].owner ||
		    !dname_equal(was, rr[i - 1].owner))
			continue;
		/* The part gave its first name's records rr[i]'s pointer. */
		for (; i < to && rr[i].owner == was; i++)
			rr[i].owner = rr[i - 1].owner;
	}
}

/* RFC 2181 §5: an RRset holds each record once. rr follows prev in order. */
static bool
same_in_rrset(const struct zrr *prev, const struct zrr *rr)
{
	return rdata_compare(rr->type, prev->rdata, prev->rdlen, rr->rdata,
	    rr->rdlen) == 0 && (rr->type != RRTYPE_RRSIG ||
	    type_order(prev) == type_order(rr));
}

/* Does the merge of sort_and_merge drop or change rr, right after prev? */
static bool
merge_changes(const struct zrr *prev, const struct zrr *rr)
{
	return prev->owner == rr->owner && prev->type == rr->type &&
	    (same_in_rrset(prev, rr) ||
	    (rr->type != RRTYPE_RRSIG && rr->ttl != prev->ttl));
}

/* The first record of each part that merge drops or changes. */
struct merge_scan {
	const struct zrr *rr;
	size_t first[PARALLEL_PARTS];
};

static void
merge_scan_part(size_t p, size_t i, size_t to, void *arg)
{
	struct merge_scan *s = arg;
	const struct zrr *rr = s->rr;

	s->first[p] = SIZE_MAX;
	for (i = i > 0 ? i : 1; i < to; i++)
		if (merge_changes(&rr[i - 1], &rr[i])) {
			s->first[p] = i;
			return;
		}
}

/*
 * Sort, share owner pointers, drop duplicates, unify RRset TTLs. Records
 * are looked at in parts, on every CPU; the merge itself starts at the
 * first record it changes or drops (in most zones: none).
 */
static int
sort_and_merge(struct zone *z)
{
	struct merge_scan scan;
	size_t w;
	int rc;

	if ((rc = sort_records(z, z->gaps ? 0 : z->settled)) != 0)
		return rc;
	share_owners(z);
	scan.rr = z->rr;
	parallel_parts(z->count, 0, merge_scan_part, &scan);
	w = z->count;
	for (size_t p = 0; p < PARALLEL_PARTS && w == z->count; p++)
		if (scan.first[p] != SIZE_MAX)
			w = scan.first[p];
	/* w > 0 here: the scan starts at the second record. */
	for (size_t r = w; r < z->count; r++) {
		struct zrr *rr = &z->rr[r];
		const struct zrr *prev = &z->rr[w - 1];

		if (merge_changes(prev, rr)) {
			if (same_in_rrset(prev, rr))
				continue;
			/* RFC 2181 §5.2: one TTL per RRset; keep the first. */
			if ((rc = zone_warn(z, rr, "TTL %u differs from the "
			    "RRset's TTL %u; using %u (RFC 2181 section 5.2)",
			    rr->ttl, prev->ttl, prev->ttl)) != 0)
				return rc;
			rr->ttl = prev->ttl;
		}
		if (w++ != r)
			z->rr[w - 1] = *rr;
	}
	z->count = w;
	return 0;
}

/* What one owner name holds. */
struct name_summary {
	size_t first, end;
	unsigned n_soa, n_ns, n_cname, n_dname, n_ds, n_other_data;
	const struct zrr *soa, *cname, *dname, *ds;  /* the last of each, in file order */
	const struct zrr *other;   /* a record that may not stand beside a CNAME */
	const struct zrr *not_at_cut; /* a record that may not stand at a cut */
};

/* Errors point at the record the operator wrote last: the one that broke the rule. */
static void
keep_last(const struct zrr **slot, const struct zrr *rr)
{
	if (*slot == NULL || rr->file > (*slot)->file ||
	    (rr->file == (*slot)->file && rr->line > (*slot)->line))
		*slot = rr;
}

static void
summarize_name(const struct zone *z, size_t first, struct name_summary *ns)
{
	memset(ns, 0, sizeof(*ns));
	ns->first = first;
	for (ns->end = first; ns->end < z->count &&
	    z->rr[ns->end].owner == z->rr[first].owner; ns->end++) {
		const struct zrr *rr = &z->rr[ns->end];

		switch (rr->type) {
		case RRTYPE_SOA: ns->n_soa++; keep_last(&ns->soa, rr); break;
		case RRTYPE_NS: ns->n_ns++; break;
		case RRTYPE_CNAME: ns->n_cname++; keep_last(&ns->cname, rr); break;
		case RRTYPE_DNAME: ns->n_dname++; keep_last(&ns->dname, rr); break;
		case RRTYPE_DS: ns->n_ds++; keep_last(&ns->ds, rr); break;
		default: break;
		}
		/* RFC 4035 §2.5: RRSIG and NSEC may sit beside a CNAME. */
		if (rr->type != RRTYPE_CNAME && rr->type != RRTYPE_RRSIG &&
		    rr->type != RRTYPE_NSEC && ns->other == NULL)
			ns->other = rr;
		if (rr->type != RRTYPE_NS && rr->type != RRTYPE_DS &&
		    rr->type != RRTYPE_A && rr->type != RRTYPE_AAAA &&
		    rr->type != RRTYPE_RRSIG && rr->type != RRTYPE_NSEC &&
		    ns->not_at_cut == NULL)
			ns->not_at_cut = rr;
	}
}

static void
set_flags(struct zone *z, const struct name_summary *ns, uint8_t flags,
    bool glue_addresses)
{
	for (size_t i = ns->first; i < ns->end; i++) {
		struct zrr *rr = &z->rr[i];
		rr->flags = (uint8_t)((rr->flags & ZRR_TRUSTED) | flags);
		if (glue_addresses &&
		    (rr->type == RRTYPE_A || rr->type == RRTYPE_AAAA))
			rr->flags |= ZRR_GLUE;
	}
}

/* The owner of rr in text, for an error message (formatted only when one is made). */
static const char *
owner_text(const struct zrr *rr, char buf[DNAME_TEXT_MAX])
{
	dname_format(rr->owner, buf, DNAME_TEXT_MAX);
	return buf;
}

/* Rules for a name that is not occluded. */
static int
check_name(struct zone *z, const struct name_summary *ns, bool apex,
    struct diag *d)
{
	const struct zrr *rr0 = &z->rr[ns->first];
	char owner[DNAME_TEXT_MAX];

	if (ns->n_soa > 0 && !apex) {
		zone_diag_rr(z, ns->soa, d, "SOA at %s: an SOA belongs only at the "
		    "zone apex", owner_text(rr0, owner));
		return STATUS_ZONE_CONTENT;
	}
	if (ns->n_cname > 0) {
		if (apex) {
			zone_diag_rr(z, ns->cname, d, "CNAME at the zone apex");
			return STATUS_ZONE_CONTENT;
		}
		if (ns->n_cname > 1) {
			zone_diag_rr(z, ns->cname, d, "more than one CNAME at %s",
			    owner_text(rr0, owner));
			return STATUS_ZONE_CONTENT;
		}
		if (ns->other != NULL) {
			char type[24];
			rrtype_format(ns->other->type, type, sizeof(type));
			zone_diag_rr(z, ns->other, d, "CNAME and other data "
			    "(%s) at %s (RFC 2181 section 10.1)", type,
			    owner_text(rr0, owner));
			return STATUS_ZONE_CONTENT;
		}
	}
	if (ns->n_dname > 1) {
		zone_diag_rr(z, ns->dname, d, "more than one DNAME at %s",
		    owner_text(rr0, owner));
		return STATUS_ZONE_CONTENT;
	}
	if (ns->n_ds > 0 && apex) {
		zone_diag_rr(z, ns->ds, d, "DS at the zone apex: the DS of this "
		    "zone belongs in the parent zone");
		return STATUS_ZONE_CONTENT;
	}
	if (ns->n_ds > 0 && ns->n_ns == 0) {
		zone_diag_rr(z, ns->ds, d, "DS at %s without NS: a DS belongs only "
		    "at a delegation point (RFC 4035 section 2.4)",
		    owner_text(rr0, owner));
		return STATUS_ZONE_CONTENT;
	}
	if (ns->n_ns > 0 && !apex && ns->not_at_cut != NULL) {
		char type[24];
		rrtype_format(ns->not_at_cut->type, type, sizeof(type));
		zone_diag_rr(z, ns->not_at_cut, d, "%s at the delegation point "
		    "%s is occluded: only NS, DS and glue belong there", type,
		    owner_text(rr0, owner));
		return STATUS_ZONE_CONTENT;
	}
	return 0;
}

/* The apex's SOA: one, and whole (its serial is read from it); its index into *soa. */
static int
check_apex_soa(struct zone *z, const struct name_summary *ns, size_t *soa,
    struct diag *d)
{
	*soa = SIZE_MAX;
	for (size_t k = ns->first; k < ns->end; k++) {
		const char *why;

		if (z->rr[k].type != RRTYPE_SOA)
			continue;
		if (*soa != SIZE_MAX) {
			zone_diag_rr(z, &z->rr[k], d, "more than one SOA at the apex");
			return STATUS_ZONE_CONTENT;
		}
		*soa = k;
		/* The serial is read from it: whole, also in zones not read from a file. */
		if ((why = rdata_check(RRTYPE_SOA, z->rr[k].rdata,
		    z->rr[k].rdlen)) != NULL) {
			zone_diag_rr(z, &z->rr[k], d, "malformed rdata: %s", why);
			return STATUS_ZONE_CONTENT;
		}
	}
	return 0;
}

/* A DNAME at name (RRTYPE_DNAME), else NS (RRTYPE_NS: a cut, below the apex), else 0. */
static uint16_t
cut_or_dname(const struct zone *z, const uint8_t *name)
{
	const struct zrr probe = { .owner = name, .type = 0 };
	uint16_t found = 0;

	for (size_t k = zone_rrset_search(z, &probe); k < z->count &&
	    dname_equal(z->rr[k].owner, name); k++)
		if (z->rr[k].type == RRTYPE_DNAME)
			return RRTYPE_DNAME;
		else if (z->rr[k].type == RRTYPE_NS)
			found = RRTYPE_NS;
	return found;
}

/* What check_names found in one part of the names. */
struct names_part {
	int rc;
	size_t apex_soa;        /* SIZE_MAX: none (yet) */
	bool apex_seen, apex_ns;
	struct diag d;
};

struct names_job {
	struct zone *z;
	struct names_part part[PARALLEL_PARTS];
};

/*
 * The delegation or DNAME above name, as check_names holds it when it
 * comes to name: in a zone without an error before name, at most one of
 * name's ancestors below the apex has NS or DNAME (a second one would be
 * occluded by the first, a DNAME at a cut broke a rule).
 */
static void
cut_above(const struct zone *z, const uint8_t *name, const uint8_t **cut,
    const uint8_t **dname)
{
	const uint8_t *up[DNAME_MAX_LABELS];
	unsigned below;

	*cut = *dname = NULL;
	if (!dname_is_below_or_at(name, z->origin))
		return;
	below = dname_label_count(name) - dname_label_count(z->origin);
	up[0] = name;
	for (unsigned k = 1; k < below; k++)
		up[k] = dname_parent(up[k - 1]);
	/* From the apex's child down to name's parent: the first found is it. */
	for (unsigned k = below; k-- > 1;) {
		uint16_t t = cut_or_dname(z, up[k]);

		if (t != 0) {
			*(t == RRTYPE_DNAME ? dname : cut) = up[k];
			return;
		}
	}
}

/*
 * check_names over the names whose first record is in [i, to): with the
 * cut and DNAME above its first name, it comes to what the walk over the
 * whole zone does there. Only these names' flags change.
 */
static void
check_names_part(size_t p, size_t i, size_t to, void *arg)
{
	struct names_job *job = arg;
	struct zone *z = job->z;
	struct names_part *part = &job->part[p];
	const uint8_t *cut = NULL, *dname = NULL;
	struct diag *d = &part->d;

	part->apex_soa = SIZE_MAX;
	while (i > 0 && i < to && z->rr[i].owner == z->rr[i - 1].owner)
		i++;
	if (i > 0 && i < to)
		cut_above(z, z->rr[i].owner, &cut, &dname);
	while (i < to) {
		struct name_summary ns;
		const uint8_t *owner = z->rr[i].owner;
		/* One name is the apex (names are merged by now). */
		bool apex = !part->apex_seen && dname_equal(owner, z->origin);

		part->apex_seen |= apex;
		summarize_name(z, i, &ns);
		i = ns.end;
		/* Canonical order keeps a subtree together: leaving it ends the cut. */
		if (cut != NULL && !dname_is_below_or_at(owner, cut))
			cut = NULL;
		if (dname != NULL && !dname_is_below_or_at(owner, dname))
			dname = NULL;
		if (dname != NULL) {
			char at[DNAME_TEXT_MAX];
			dname_format(dname, at, sizeof(at));
			zone_diag_rr(z, &z->rr[ns.first], d, "occluded by the "
			    "DNAME at %s (RFC 6672 section 2.3)", at);
			part->rc = STATUS_ZONE_CONTENT;
			return;
		}
		if (cut != NULL) {
			/*
			 * Glue, and in a signed zone read back an RRSIG over it:
			 * not data the zone may hold, but what `check` reports
			 * (and signing drops), not a file that cannot be read.
			 */
			for (size_t k = ns.first; k < ns.end; k++) {
				uint16_t t = z->rr[k].type;
				if (t != RRTYPE_A && t != RRTYPE_AAAA &&
				    t != RRTYPE_RRSIG) {
					char at[DNAME_TEXT_MAX];
					dname_format(cut, at, sizeof(at));
					zone_diag_rr(z, &z->rr[k], d, "occluded "
					    "by the delegation at %s: only glue "
					    "(A, AAAA) may be below it", at);
					part->rc = STATUS_ZONE_CONTENT;
					return;
				}
			}
			set_flags(z, &ns, 0, true);
			continue;
		}
		if ((part->rc = check_name(z, &ns, apex, d)) != 0)
			return;
		if (apex) {
			set_flags(z, &ns, ZRR_APEX, false);
			part->apex_ns = ns.n_ns > 0;
			if ((part->rc = check_apex_soa(z, &ns, &part->apex_soa,
			    d)) != 0)
				return;
		} else if (ns.n_ns > 0) {
			set_flags(z, &ns, ZRR_AT_CUT, true);
			cut = owner;
		} else
			set_flags(z, &ns, 0, false);
		if (ns.n_dname > 0 && !apex)
			dname = owner;
	}
}

/*
 * Mark and check every name of records in order, merged (one owner
 * pointer a name). In parts, on every CPU when there are many records;
 * the error is the first in canonical order, as in one walk.
 */
static int
check_names(struct zone *z, struct diag *d)
{
	struct names_job *job = calloc(1, sizeof(*job));
	size_t apex_soa = SIZE_MAX;
	bool apex_ns = false;

	if (job == NULL)
		return STATUS_NOMEM;
	z->full_finalizes++;
	job->z = z;
	parallel_parts(z->count, 0, check_names_part, job);
	for (size_t p = 0; p < PARALLEL_PARTS; p++) {
		const struct names_part *part = &job->part[p];
		int rc = part->rc;

		if (rc != 0) {
			if (d != NULL)
				*d = part->d;
			free(job);
			return rc;
		}
		if (part->apex_seen && apex_soa == SIZE_MAX) {
			apex_soa = part->apex_soa;
			apex_ns = part->apex_ns;
		}
	}
	free(job);
	if (apex_soa == SIZE_MAX || !apex_ns) {
		char zname[DNAME_TEXT_MAX];
		dname_format(z->origin, zname, sizeof(zname));
		diag_set(d, z->nfiles > 1 ? z->files[1] : NULL, 0,
		    "no %s record at the zone apex %s",
		    apex_soa == SIZE_MAX ? "SOA" : "NS", zname);
		return STATUS_ZONE_CONTENT;
	}
	z->soa = apex_soa;
	return 0;
}

/* Sort, merge and check every record: what zone_finalize does in general. */
static int
finalize_all(struct zone *z, struct diag *d)
{
	int rc;

	if ((rc = sort_and_merge(z)) != 0)
		return rc;
	return check_names(z, d);
}

/* The apex SOA's index in a zone finalized before (its apex records come first). */
static size_t
find_apex_soa(const struct zone *z)
{
	size_t i = 0;

	while (z->rr[i].type != RRTYPE_SOA)
		i++;
	return i;
}

struct settle_job {
	struct zone *z;
	bool unsettled[PARALLEL_PARTS];
};

/* settle_signatures over a part of the records; only its RRSIGs' flags change. */
static void
settle_part(size_t p, size_t i, size_t to, void *arg)
{
	struct settle_job *job = arg;
	struct zrr *rr = job->z->rr;
	uint8_t name_flags = 0;

	if (i == 0) {
		if (to > 0 && rr[0].type == RRTYPE_RRSIG) {
			job->unsettled[p] = true;
			return;
		}
		i = 1;
	}
	/* The flags an RRSIG takes: its name's, on the record before its run. */
	for (size_t k = i; k > 0; k--)
		if (rr[k - 1].type != RRTYPE_RRSIG) {
			name_flags = rr[k - 1].flags;
			break;
		}
	for (; i < to; i++) {
		const struct zrr *before = &rr[i - 1];

		if (rr[i].type != RRTYPE_RRSIG) {
			/* Nothing of its name may sort after a signature before it. */
			if (before->type == RRTYPE_RRSIG &&
			    before->owner == rr[i].owner &&
			    type_order(before) > type_order(&rr[i]))
				break;
			name_flags = rr[i].flags;
			continue;
		}
		if (rr[i].owner != before->owner || rr[i].rdlen < 2)
			break;
		if (before->type == RRTYPE_RRSIG ?
		    type_order(before) != type_order(&rr[i]) ||
		    zrr_order(before, &rr[i]) >= 0 :
		    type_order(before) + 1 != type_order(&rr[i]))
			break;
		rr[i].flags = (uint8_t)((rr[i].flags & ZRR_TRUSTED) |
		    (name_flags & (ZRR_AT_CUT | ZRR_APEX)));
	}
	job->unsettled[p] = i < to;
}

/*
 * After zone_open_gaps in a finalized zone, its slots filled: is every
 * record still in canonical order, each RRSIG right after the RRset it
 * covers (or after a signature over it that sorts first), at the same
 * owner (pointer), and no two alike? Then RRSIGs take their name's
 * flags and nothing else changes. False: the whole finalize must run.
 * Read in parts, on every CPU when there are many records.
 */
static bool
settle_signatures(struct zone *z)
{
	struct settle_job job = { .z = z };

	parallel_parts(z->count, 0, settle_part, &job);
	for (size_t p = 0; p < PARALLEL_PARTS; p++)
		if (job.unsettled[p])
			return false;
	return true;
}

/* Marks records appended since the last finalize while settle_appended runs. */
#define ZRR_APPENDED_ (1 << 6)

/* Records of one name, in a zone whose owners may not be shared yet. */
static bool
same_owner(const struct zrr *a, const struct zrr *b)
{
	return a->owner == b->owner || dname_equal(a->owner, b->owner);
}

/*
 * The records of the name of [first, end), which holds appended records,
 * after the merge take one owner pointer (the first record's, as
 * finalize_all shares it, case too). False where only finalize_all
 * decides: a duplicate, or a TTL that differs from its RRset's.
 */
static bool
share_appended_name(struct zone *z, size_t first, size_t end)
{
	const uint8_t *owner = z->rr[first].owner;

	for (size_t k = first; k < end; k++) {
		struct zrr *rr = &z->rr[k];
		rr->owner = owner;
		if (k > first && type_order(&rr[-1]) == type_order(rr) &&
		    (rdata_compare(rr->type, rr[-1].rdata, rr[-1].rdlen,
		    rr->rdata, rr->rdlen) == 0 ||
		    (rr->type != RRTYPE_RRSIG && rr->ttl != rr[-1].ttl)))
			return false;
	}
	return true;
}

/*
 * The checks and flags finalize_all gives the name whose first record is
 * first (owners shared). False where only finalize_all decides: a name below a
 * delegation or DNAME, a broken rule (it reports it as it always does,
 * with the warnings it gives on the way).
 */
static bool
check_appended_name(struct zone *z, size_t first, size_t *apex_soa)
{
	const uint8_t *owner = z->rr[first].owner, *cut, *dname;
	struct name_summary ns;
	struct diag unused;
	bool apex = dname_equal(owner, z->origin);

	/* No cut, no DNAME between the apex and this name. */
	cut_above(z, owner, &cut, &dname);
	if (cut != NULL || dname != NULL)
		return false;
	summarize_name(z, first, &ns);
	if (check_name(z, &ns, apex, &unused) != 0)
		return false;
	if (apex) {
		set_flags(z, &ns, ZRR_APEX, false);
		return check_apex_soa(z, &ns, apex_soa, &unused) == 0;
	}
	set_flags(z, &ns, ns.n_ns > 0 ? ZRR_AT_CUT : 0, ns.n_ns > 0);
	return true;
}

/*
 * settle_appended's work, part by part: each part is whole names
 * (edge[p] to edge[p + 1]), so that no part writes what another reads
 * while the owners are shared, and only flags change while names are
 * checked (each name's, by its part).
 */
struct appended_job {
	struct zone *z;
	size_t edge[PARALLEL_PARTS + 1];
	size_t apex_soa[PARALLEL_PARTS];
	bool unsettled[PARALLEL_PARTS];
};

/* Mark a part of the appended records; unsettled where one needs all of finalize_all. */
static void
mark_appended(size_t p, size_t i, size_t to, void *arg)
{
	struct appended_job *job = arg;
	struct zone *z = job->z;

	for (i = i > z->settled ? i : z->settled; i < to; i++) {
		struct zrr *rr = &z->rr[i];
		/* They change what other names may hold; outside the zone, an error. */
		if (rr->type == RRTYPE_NS || rr->type == RRTYPE_DNAME ||
		    !dname_is_below_or_at(rr->owner, z->origin)) {
			job->unsettled[p] = true;
			return;
		}
		rr->flags |= ZRR_APPENDED_;
	}
}

/* The names in part p holding appended records: share their owners, or check them. */
static void
settle_appended_names(struct appended_job *job, size_t p, bool check)
{
	struct zone *z = job->z;
	size_t begin = job->edge[p], to = job->edge[p + 1];

	job->apex_soa[p] = SIZE_MAX;
	for (size_t i = begin; i < to; i++) {
		size_t first = i, end = i + 1;

		if (!(z->rr[i].flags & ZRR_APPENDED_))
			continue;
		while (first > begin && same_owner(&z->rr[first - 1], &z->rr[i]))
			first--;
		while (end < to && same_owner(&z->rr[end], &z->rr[i]))
			end++;
		if (check ? !check_appended_name(z, first, &job->apex_soa[p]) :
		    !share_appended_name(z, first, end)) {
			job->unsettled[p] = true;
			return;
		}
		i = end - 1;
	}
}

static void
share_appended_part(size_t p, size_t unused_i, size_t unused_to, void *arg)
{
	(void)unused_i;
	(void)unused_to;
	settle_appended_names(arg, p, false);
}

static void
check_appended_part(size_t p, size_t unused_i, size_t unused_to, void *arg)
{
	(void)unused_i;
	(void)unused_to;
	settle_appended_names(arg, p, true);
}

/* Is a part unsettled? */
static bool
any_unsettled(const struct appended_job *job)
{
	for (size_t p = 0; p < PARALLEL_PARTS; p++)
		if (job->unsettled[p])
			return true;
	return false;
}

/*
 * After records were appended to a finalized zone: sort them, merge them
 * in, and settle only the names they went to, in parts (on every CPU when
 * there are many records). 1 where only finalize_all decides: an appended
 * NS or DNAME (they change what other names may hold), a name outside the
 * zone, or what share_appended_name or check_appended_name leave to it.
 */
static int
settle_appended(struct zone *z)
{
	struct appended_job *job = calloc(1, sizeof(*job));
	size_t apex_soa = SIZE_MAX;
	int rc = 1;

	if (job == NULL)
		return STATUS_NOMEM;
	job->z = z;
	parallel_parts(z->count, 0, mark_appended, job);
	if (any_unsettled(job))
		goto out;
	if ((rc = sort_records(z, z->settled)) != 0)
		goto out;
	/* Parts of whole names: each edge moved on to the start of a name. */
	for (size_t p = 1; p < PARALLEL_PARTS; p++) {
		size_t e = z->count * p / PARALLEL_PARTS;

		if (e < job->edge[p - 1])
			e = job->edge[p - 1];
		while (e > 0 && e < z->count && same_owner(&z->rr[e - 1],
		    &z->rr[e]))
			e++;
		job->edge[p] = e;
	}
	job->edge[PARALLEL_PARTS] = z->count;
	parallel_parts(z->count, 0, share_appended_part, job);
	if (!any_unsettled(job))
		parallel_parts(z->count, 0, check_appended_part, job);
	if (any_unsettled(job)) {
		rc = 1;
		goto out;
	}
	for (size_t p = 0; p < PARALLEL_PARTS && apex_soa == SIZE_MAX; p++)
		apex_soa = job->apex_soa[p];
	/* An apex without appended records kept its SOA, which moved. */
	z->soa = apex_soa != SIZE_MAX ? apex_soa : find_apex_soa(z);
out:
	free(job);
	return rc;
}

int
zone_finalize_written(struct zone *z, struct diag *d)
{
	int rc;

	share_owners(z);
	rc = check_names(z, d);
	z->gaps = false;
	z->settled = rc == 0 ? z->count : 0;
	z->finalized = rc == 0;
	return rc;
}

/*
 * What changed since the last finalize decides what runs: signatures in
 * opened slots need only their flags, appended records only their names'
 * checks; anything else (or what those leave to it) the whole finalize.
 */
bool
zone_settle_in_place(struct zone *z)
{
	if (z->finalized)
		return true;
	if (!z->gaps || z->settled != z->count || !settle_signatures(z))
		return false;
	z->soa = find_apex_soa(z);
	z->gaps = false;
	z->finalized = true;
	return true;
}

int
zone_finalize(struct zone *z, struct diag *d)
{
	int rc = 1;

	if (zone_settle_in_place(z))
		return 0;
	if (!z->gaps && z->settled > 0 && z->settled < z->count)
		rc = settle_appended(z);
	if (rc == 1)
		rc = finalize_all(z, d);
	z->gaps = false;
	z->settled = rc == 0 ? z->count : 0;
	z->finalized = rc == 0;
	return rc;
}
