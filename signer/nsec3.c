/* The NSEC3 chain (RFC 5155) with RFC 9276 parameters: hashing, building, checking. */
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/bigmem.h"
#include "common/parallel.h"
#include "common/status.h"
#include "denial.h"
#include "zones/dname.h"

#define NSEC3_HASH_SHA1 1
#define NSEC3_FLAG_OPT_OUT 0x01

static EVP_MD *sha1_md;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;

/* Fetch SHA-1 once: an implicit fetch on every hash is much slower. */
static void
fetch_sha1(void)
{
	sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL);
}

/* nsec3_hash_name with a context the caller reuses from name to name. */
static int
hash_with(EVP_MD_CTX *ctx, const uint8_t *name, uint16_t iterations,
    const uint8_t *salt, size_t salt_len, uint8_t out[20])
{
	uint8_t lower[DNAME_MAX_LENGTH], digest[EVP_MAX_MD_SIZE];

	/* RFC 5155 §5: IH(salt, x, 0) = H(x || salt), x in canonical form. */
	dname_copy_lower(lower, name);
	const uint8_t *in = lower;
	size_t inlen = dname_length(lower);
	for (unsigned k = 0; k <= iterations; k++) {
		if (EVP_DigestInit_ex(ctx, sha1_md, NULL) != 1 ||
		    EVP_DigestUpdate(ctx, in, inlen) != 1 ||
		    EVP_DigestUpdate(ctx, salt, salt_len) != 1 ||
		    EVP_DigestFinal_ex(ctx, digest, NULL) != 1)
			return STATUS_CRYPTO;
		in = digest;
		inlen = NSEC3_HASH_LEN;
	}
	memcpy(out, digest, NSEC3_HASH_LEN);
	return 0;
}

/* A context for hash_with, or NULL. */
static EVP_MD_CTX *
hash_context(void)
{
	pthread_once(&sha1_once, fetch_sha1);
	return sha1_md != NULL ? EVP_MD_CTX_new() : NULL;
}

int
nsec3_hash_name(const uint8_t *name, uint8_t algorithm, uint16_t iterations,
    const uint8_t *salt, size_t salt_len, uint8_t out[20])
{
	EVP_MD_CTX *ctx;
	int rc;

	if (algorithm != NSEC3_HASH_SHA1)
		return STATUS_UNSUPPORTED;
	if ((ctx = hash_context()) == NULL)
		return STATUS_CRYPTO;
	rc = hash_with(ctx, name, iterations, salt, salt_len, out);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* 32 bytes: large chains are sorted and held twice at once. */
struct hashed {
	uint8_t hash[NSEC3_HASH_LEN];
	uint32_t at;        /* first record of the name, or NO_RECORDS for an ENT */
	const uint8_t *name;
};
#define NO_RECORDS UINT32_MAX

struct nsec3_params {
	uint8_t flags;
	uint16_t iterations;
	uint8_t salt_len;
	const uint8_t *salt;
};

static int
compare_hashed(const void *a, const void *b)
{
	return memcmp(((const struct hashed *)a)->hash,
	    ((const struct hashed *)b)->hash, NSEC3_HASH_LEN);
}

/*
 * The chain's names are found and hashed in parts of the zone at once:
 * each part's entries in a vector of their own, then sorted together.
 */
#define ENTRY_PARTS 64          /* at most: fixed, so results never depend on threads */
#define ENTRY_PART_MIN 16384    /* records per part, about (parts begin at names) */

struct entry_part {
	struct hashed *v;
	size_t n, cap;
};

struct entries_job {
	const struct zone *z;
	const struct nsec3_params *p;
	const size_t *start;        /* record where each part begins; nparts + 1 */
	struct entry_part *parts;
	unsigned apex_labels;
};

static int
push_entry(struct entry_part *part, const uint8_t *name, size_t at)
{
	if (part->n == part->cap) {
		size_t cap = part->cap ? part->cap * 2 : 1024;
		struct hashed *v = big_realloc(part->v, cap * sizeof(*v));
		if (v == NULL)
			return STATUS_NOMEM;
		part->v = v;
		part->cap = cap;
	}
	part->v[part->n].name = name;
	part->v[part->n].at = (uint32_t)at;
	part->n++;
	return 0;
}

/*
 * The names a part of the zone gives the chain, hashed: each name it
 * covers, and the empty non-terminals above it (a name's ancestors come
 * again from its other descendants; sorting brings them together).
 */
static int
entries_part(size_t begin, size_t end, void *arg, struct diag *d)
{
	const struct entries_job *job = arg;
	const struct zone *z = job->z;
	const struct nsec3_params *p = job->p;
	const struct zrr *rr = zone_records(z, &(size_t){ 0 });
	EVP_MD_CTX *ctx = NULL;
	struct name_info ni;
	int rc = 0;

	for (size_t part = begin; part < end && rc == 0; part++) {
		struct entry_part *out = &job->parts[part];
		for (size_t i = job->start[part]; i < job->start[part + 1] &&
		    rc == 0; i = ni.end) {
			name_info(z, i, &ni);
			if (ni.overflow) {
				zone_diag_rr(z, &rr[i], d, "too many types at one name");
				rc = STATUS_ZONE_CONTENT;
				break;
			}
			if (!ni.in_chain || ((p->flags & NSEC3_FLAG_OPT_OUT) &&
			    ni.at_cut && !ni.has_ds))
				continue;
			rc = push_entry(out, ni.owner, i);
			/* Ancestors without records of their own are empty non-terminals. */
			const uint8_t *a = ni.owner;
			for (unsigned l = dname_label_count(a);
			    rc == 0 && l > job->apex_labels + 1; l--) {
				a = dname_parent(a);
				rc = push_entry(out, a, NO_RECORDS);
			}
		}
		/* SHA-1 of every name (RFC 5155 §5), while they are at hand. */
		if (rc == 0 && ctx == NULL && (ctx = hash_context()) == NULL)
			rc = STATUS_CRYPTO;
		for (size_t k = 0; k < out->n && rc == 0; k++)
			rc = hash_with(ctx, out->v[k].name, p->iterations, p->salt,
			    p->salt_len, out->v[k].hash);
	}
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* Insertion sort of a bucket of a few entries (qsort's set-up costs more). */
static void
sort_bucket(struct hashed *v, size_t n)
{
	if (n > 32) {
		qsort(v, n, sizeof(*v), compare_hashed);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		struct hashed x = v[i];
		size_t j = i;
		while (j > 0 && memcmp(v[j - 1].hash, x.hash, NSEC3_HASH_LEN) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

#define HASH_BUCKETS 65536       /* by the first 16 bits of a hash */
#define SMALL_SORT 4096          /* fewer entries are sorted in one go */
#define SCATTER_GROUPS_MAX 8

/* Buckets [begin, end) of the counting sort: where each begins, from start. */
struct buckets_job {
	struct hashed *v;
	const size_t *start;         /* HASH_BUCKETS + 1 */
};

static int
sort_buckets(size_t begin, size_t end, void *arg, struct diag *d)
{
	const struct buckets_job *job = arg;

	(void)d;
	for (size_t b = begin; b < end; b++)
		sort_bucket(job->v + job->start[b], job->start[b + 1] -
		    job->start[b]);
	return 0;
}

/* The entries counted and placed by bucket, each group of parts on a thread. */
struct scatter_job {
	const struct entry_part *parts;
	size_t group_start[SCATTER_GROUPS_MAX + 1];     /* parts */
	size_t (*pos)[HASH_BUCKETS];  /* per group: counts, then places */
	struct hashed *v;
};

static unsigned
bucket_of(const struct hashed *e)
{
	return (unsigned)e->hash[0] << 8 | e->hash[1];
}

static int
count_groups(size_t begin, size_t end, void *arg, struct diag *d)
{
	const struct scatter_job *job = arg;

	(void)d;
	for (size_t g = begin; g < end; g++)
		for (size_t k = job->group_start[g]; k < job->group_start[g + 1];
		    k++)
			for (size_t i = 0; i < job->parts[k].n; i++)
				job->pos[g][bucket_of(&job->parts[k].v[i])]++;
	return 0;
}

static int
scatter_groups(size_t begin, size_t end, void *arg, struct diag *d)
{
	const struct scatter_job *job = arg;

	(void)d;
	for (size_t g = begin; g < end; g++)
		for (size_t k = job->group_start[g]; k < job->group_start[g + 1];
		    k++)
			for (size_t i = 0; i < job->parts[k].n; i++) {
				const struct hashed *e = &job->parts[k].v[i];
				job->v[job->pos[g][bucket_of(e)]++] = *e;
			}
	return 0;
}

/*
 * The parts' entries in one vector sorted by hash. The hashes are
 * uniform: a counting sort on their first 16 bits leaves buckets of a few
 * entries each to finish, on every CPU.
 */
static int
sort_by_hash(const struct entry_part *parts, size_t nparts, size_t n,
    unsigned threads, struct hashed **out, struct diag *d)
{
	struct scatter_job job = { .parts = parts };
	size_t groups = parallel_threads(threads, SCATTER_GROUPS_MAX), sum = 0;
	size_t *start;
	struct hashed *v = big_alloc((n + 1) * sizeof(*v));
	int rc = 0;

	*out = NULL;
	/*
	 * A small chain is sorted whole, here: the buckets' 1 MiB of counts
	 * and places would cost more (at 100 names, a tenth of the run).
	 */
	if (n < SMALL_SORT && v != NULL) {
		for (size_t k = 0; k < nparts; k++) {
			if (parts[k].n > 0)
				memcpy(v + sum, parts[k].v, parts[k].n * sizeof(*v));
			sum += parts[k].n;
		}
		sort_bucket(v, n);
		*out = v;
		return 0;
	}
	start = malloc((HASH_BUCKETS + 1) * sizeof(*start));
	groups = groups < nparts ? groups : nparts;
	groups = groups > 0 ? groups : 1;
	job.pos = calloc(groups, sizeof(*job.pos));
	job.v = v;
	if (start == NULL || job.pos == NULL || v == NULL)
		rc = STATUS_NOMEM;
	for (size_t g = 0; rc == 0 && g <= groups; g++)
		job.group_start[g] = nparts * g / groups;
	if (rc == 0)
		rc = parallel_for(groups, 1, threads, count_groups, &job, d);
	/*
	 * Bucket by bucket, group by group: within a bucket the parts come in
	 * order, so equal hashes come alike every run.
	 */
	for (size_t b = 0; rc == 0 && b < HASH_BUCKETS; b++) {
		start[b] = sum;
		for (size_t g = 0; g < groups; g++) {
			size_t c = job.pos[g][b];
			job.pos[g][b] = sum;
			sum += c;
		}
	}
	if (rc == 0) {
		struct buckets_job bj = { v, start };
		start[HASH_BUCKETS] = sum;
		if ((rc = parallel_for(groups, 1, threads, scatter_groups, &job,
		    d)) == 0)
			rc = parallel_for(HASH_BUCKETS, 4096, threads,
			    sort_buckets, &bj, d);
	}
	free(start);
	free(job.pos);
	if (rc != 0) {
		free(v);
		return rc;
	}
	*out = v;
	return 0;
}

/*
 * The names the chain covers (RFC 5155 §7.1): every authoritative name and
 * delegation point, less unsigned delegations when opting out, plus the
 * empty non-terminals above them; sorted by hash, one entry per name.
 */
static int
chain_entries(const struct zone *z, const struct nsec3_params *p,
    unsigned threads, struct hashed **out, size_t *nout, struct diag *d)
{
	size_t count, n = 0, w = 0, nparts, start[ENTRY_PARTS + 1];
	const struct zrr *rr = zone_records(z, &count);
	struct entry_part parts[ENTRY_PARTS] = { { 0 } };
	struct hashed *v = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	if (count >= NO_RECORDS) {
		diag_set(d, NULL, 0, "zone too large for one NSEC3 chain");
		return STATUS_RANGE;
	}
	/* Parts of about equal size, each beginning at a name. */
	nparts = count / ENTRY_PART_MIN + 1;
	nparts = nparts > ENTRY_PARTS ? ENTRY_PARTS : nparts;
	start[0] = 0;
	for (size_t k = 1; k < nparts; k++) {
		size_t b = count / nparts * k;
		if (b < start[k - 1])
			b = start[k - 1];
		while (b > 0 && b < count && (rr[b].owner == rr[b - 1].owner ||
		    dname_equal(rr[b].owner, rr[b - 1].owner)))
			b++;
		start[k] = b;
	}
	start[nparts] = count;
	{
		struct entries_job job = { z, p, start, parts,
		    dname_label_count(zone_origin(z)) };
		rc = parallel_for(nparts, 1, threads, entries_part, &job, d);
	}
	for (size_t k = 0; k < nparts; k++)
		n += parts[k].n;
	if (rc == 0)
		rc = sort_by_hash(parts, nparts, n, threads, &v, d);
	for (size_t k = 0; k < nparts; k++)
		free(parts[k].v);
	if (rc != 0)
		return rc;
	/* sort_by_hash gives one on success; gcc's analyzer loses track. */
	if (v == NULL)
		return STATUS_NOMEM;
	for (size_t r = 0; r < n; r++) {
		if (w > 0 && memcmp(v[w - 1].hash, v[r].hash, NSEC3_HASH_LEN) == 0) {
			if (!dname_equal(v[w - 1].name, v[r].name)) {
				char a[DNAME_TEXT_MAX], b[DNAME_TEXT_MAX];
				dname_format(v[w - 1].name, a, sizeof(a));
				dname_format(v[r].name, b, sizeof(b));
				diag_set(d, NULL, 0, "NSEC3 hash collision between "
				    "%s and %s: choose another salt", a, b);
				free(v);
				return STATUS_CHAIN;
			}
			/* A name with records wins over the same name seen as an ENT. */
			if (v[w - 1].at == NO_RECORDS)
				v[w - 1] = v[r];
			continue;
		}
		v[w++] = v[r];
	}
	*out = v;
	*nout = w;
	return 0;
}

/* NSEC3 rdata without the bitmap (RFC 5155 §3.2). */
static int
nsec3_fixed_rdata(const struct nsec3_params *p, const uint8_t *next,
    struct bytes *out)
{
	int rc;

	out->len = 0;
	if ((rc = bytes_reserve(out, 6u + p->salt_len + NSEC3_HASH_LEN)) != 0)
		return rc;
	uint8_t *q = out->data;
	q[0] = NSEC3_HASH_SHA1;
	q[1] = p->flags;
	q[2] = (uint8_t)(p->iterations >> 8);
	q[3] = (uint8_t)p->iterations;
	q[4] = p->salt_len;
	memcpy(q + 5, p->salt, p->salt_len);
	q[5 + p->salt_len] = NSEC3_HASH_LEN;
	memcpy(q + 6 + p->salt_len, next, NSEC3_HASH_LEN);
	out->len = 6u + p->salt_len + NSEC3_HASH_LEN;
	return 0;
}

/* Bitmap: the name's types, and RRSIG when it holds a signed RRset. ENTs: empty. */
static int
nsec3_bitmap(const struct zone *z, const struct hashed *h, struct bytes *out)
{
	struct name_info ni;

	if (h->at == NO_RECORDS)
		return 0;
	name_info(z, h->at, &ni);
	if (ni.has_signed)
		ni.types[ni.ntypes++] = RRTYPE_RRSIG;
	return typemap_encode(ni.types, ni.ntypes, out);
}

/* Hashed owner name: base32hex label under the apex (RFC 5155 §3). */
static void
hashed_owner(const struct zone *z, const uint8_t *hash, uint8_t *owner)
{
	char label[40];
	size_t l = base32hex_encode(hash, NSEC3_HASH_LEN, label);
	const uint8_t *apex = zone_origin(z);

	owner[0] = (uint8_t)l;
	memcpy(owner + 1, label, l);
	memcpy(owner + 1 + l, apex, dname_length(apex));
}

/* Chains are built and checked on every CPU, in chunks of this many names. */
#define CHAIN_CHUNK 16384

/* The records of a chain sorted by hash: v[k] links to v[(k + 1) % n]. */
struct chain_job {
	const struct zone *z;
	const struct nsec3_params *p;
	const struct hashed *v;
	size_t n;
	uint32_t ttl;
	struct rrlist *lists;        /* building: one per chunk */
	const struct zrr *const *recs; /* checking: the records in hash order */
	const struct zrr **prev;     /* building: the previous output's NSEC3s */
	size_t nprev;
	bool trust;                  /* building: one found as it was is trusted */
	size_t sample, offset;       /* checking: which trusted ones are whole */
};

/*
 * Append r to v (n of them): the zone's records are scanned once, the
 * vector doubling as it goes (one scan of a large zone costs more).
 */
static int
push_record(const struct zrr ***v, size_t *n, const struct zrr *r)
{
	/* Room for a power of two, at least 1024: grown when n reaches one. */
	if (*n >= 1024 && (*n & (*n - 1)) == 0) {
		const struct zrr **w = big_realloc(*v, 2 * *n * sizeof(*w));
		if (w == NULL)
			return STATUS_NOMEM;
		*v = w;
	} else if (*v == NULL && (*v = malloc(1024 * sizeof(**v))) == NULL)
		return STATUS_NOMEM;
	(*v)[(*n)++] = r;
	return 0;
}

/*
 * The previous output's NSEC3 records with an owner of the form a chain
 * has (a 32-octet label), in its order: by hash, when it is ours.
 */
static int
previous_nsec3s(const struct zone *prev, const struct zrr ***out, size_t *n)
{
	size_t count;
	const struct zrr *rr = zone_records(prev, &count);

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < count; i++)
		if (rr[i].type == RRTYPE_NSEC3 && rr[i].owner[0] == 32 &&
		    push_record(out, n, &rr[i]) != 0) {
			free(*out);
			*out = NULL;
			return STATUS_NOMEM;
		}
	return 0;
}

/* The first of job->prev whose hash label does not sort before owner's. */
static size_t
previous_from(const struct chain_job *job, const uint8_t *owner)
{
	size_t lo = 0, hi = job->nprev;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(job->prev[mid]->owner + 1, owner + 1, 32) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * prev's record when it is exactly the NSEC3 record (owner, TTL, rdata)
 * just built, or NULL; *j walks job->prev along the chain. A previous
 * output out of hash order only finds fewer.
 */
static const struct zrr *
previous_same(const struct chain_job *job, size_t *j, const uint8_t *owner,
    const struct bytes *rdata)
{
	const struct zrr *o;

	while (*j < job->nprev &&
	    memcmp(job->prev[*j]->owner + 1, owner + 1, 32) < 0)
		(*j)++;
	if (*j == job->nprev)
		return NULL;
	o = job->prev[*j];
	if (dname_length(o->owner) != dname_length(owner) ||
	    memcmp(o->owner, owner, dname_length(owner)) != 0 ||
	    o->ttl != job->ttl || o->rdlen != rdata->len ||
	    memcmp(o->rdata, rdata->data, rdata->len) != 0)
		return NULL;
	return o;
}

/*
 * In hash order the names jump about the zone: the records of the name
 * a loop reaches a few steps on are fetched into the cache ahead.
 */
#define FETCH_AHEAD 8

static void
fetch_ahead(const struct chain_job *job, size_t k)
{
	size_t count;

	if (k + FETCH_AHEAD < job->n && job->v[k + FETCH_AHEAD].at != NO_RECORDS)
		__builtin_prefetch(&zone_records(job->z, &count)[job->v[k +
		    FETCH_AHEAD].at]);
}

static int
build_slice(size_t begin, size_t end, void *arg, struct diag *d)
{
	const struct chain_job *job = arg;
	struct rrlist *out = &job->lists[begin / CHAIN_CHUNK];
	struct bytes rdata = { 0 };
	uint8_t owner[DNAME_MAX_LENGTH + 40];
	size_t j = 0;
	int rc = 0;

	(void)d;
	for (size_t k = begin; k < end && rc == 0; k++) {
		const struct zrr *same;

		fetch_ahead(job, k);
		if ((rc = nsec3_fixed_rdata(job->p, job->v[(k + 1) % job->n].hash,
		    &rdata)) != 0 ||
		    (rc = nsec3_bitmap(job->z, &job->v[k], &rdata)) != 0)
			break;
		hashed_owner(job->z, job->v[k].hash, owner);
		if (k == begin)
			j = previous_from(job, owner);
		same = previous_same(job, &j, owner, &rdata);
		rc = same != NULL ? rrlist_push_shared(out, same,
		    job->trust ? ZRR_TRUSTED : 0) :
		    rrlist_push(out, owner, RRTYPE_NSEC3, job->ttl, rdata.data,
		    rdata.len);
	}
	bytes_free(&rdata);
	return rc;
}

/* The names a chain was built over (see nsec3_build_chain). */
struct nsec3_names {
	struct hashed *v;
	size_t n;
	size_t before;               /* the zone's records before the chain */
	uint8_t flags;
	uint16_t iterations;
	uint8_t salt_len;
	uint8_t salt[255];
};

void
nsec3_names_free(struct nsec3_names *names)
{
	if (names != NULL)
		free(names->v);
	free(names);
}

int
nsec3_build_chain(struct zone *z, const struct sign_policy *p, uint32_t ttl,
    const struct zone *prev, struct nsec3_names **names, struct diag *d)
{
	struct nsec3_params np = {
		.flags = p->opt_out ? NSEC3_FLAG_OPT_OUT : 0,
		.iterations = p->nsec3_iterations,
		.salt_len = p->nsec3_salt_len,
		.salt = p->nsec3_salt,
	};
	struct chain_job job = { .z = z, .p = &np, .ttl = ttl,
	    .trust = p->trust_previous && p->verify_sample };
	struct hashed *v = NULL;
	size_t n = 0, nlists = 0, before;
	int rc;

	if (names != NULL)
		*names = NULL;
	if (dname_length(zone_origin(z)) + 33 > DNAME_MAX_LENGTH) {
		diag_set(d, NULL, 0, "zone name too long for NSEC3 owner names");
		return STATUS_ZONE_CONTENT;
	}
	if ((rc = chain_entries(z, &np, p->threads, &v, &n, d)) != 0 ||
	    (prev != NULL &&
	    (rc = previous_nsec3s(prev, &job.prev, &job.nprev)) != 0))
		goto out;
	nlists = (n + CHAIN_CHUNK - 1) / CHAIN_CHUNK;
	if ((job.lists = calloc(nlists + 1, sizeof(*job.lists))) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	job.v = v;
	job.n = n;
	if ((rc = parallel_for(n, CHAIN_CHUNK, p->threads, build_slice, &job,
	    d)) != 0)
		goto out;
	/*
	 * The chunks' records join the zone in order (the zone sorts them
	 * anyway), all or none: with the room made first, none can fail.
	 */
	if ((rc = zone_reserve(z, n)) != 0)
		goto out;
	zone_records(z, &before);
	for (size_t l = 0; l < nlists && rc == 0; l++)
		rc = rrlist_move_to_zone(&job.lists[l], z);
	if (rc == 0 && names != NULL &&
	    (*names = calloc(1, sizeof(**names))) != NULL) {
		**names = (struct nsec3_names){ .v = v, .n = n, .before = before,
		    .flags = np.flags, .iterations = np.iterations,
		    .salt_len = np.salt_len };
		memcpy((*names)->salt, np.salt, np.salt_len);
		v = NULL;
	}
out:
	for (size_t l = 0; job.lists != NULL && l < nlists; l++)
		rrlist_free(&job.lists[l]);
	free(job.lists);
	free(job.prev);
	free(v);
	return rc;
}

/* The NSEC3PARAM at the apex (RFC 5155 §4): the parameters every NSEC3 must use. */
static const struct zrr *
find_nsec3param(const struct zone *z)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	for (size_t i = 0; i < count; i++)
		if (rr[i].type == RRTYPE_NSEC3PARAM && (rr[i].flags & ZRR_APEX))
			return &rr[i];
	return NULL;
}

/*
 * Does r hold the NSEC3 rdata of the name h, linking to the hash next
 * (its type bitmap too, with bitmap)? If not, STATUS_CHAIN with d naming
 * them. want: scratch the caller keeps.
 */
static int
check_rdata(const struct zone *z, const struct nsec3_params *p,
    const struct zrr *r, const struct hashed *h, const uint8_t *next,
    bool bitmap, struct bytes *want, struct diag *d)
{
	char name[DNAME_TEXT_MAX];
	int rc;

	if ((rc = nsec3_fixed_rdata(p, next, want)) != 0 ||
	    (bitmap && (rc = nsec3_bitmap(z, h, want)) != 0))
		return rc;
	if ((bitmap ? want->len == r->rdlen : want->len <= r->rdlen) &&
	    memcmp(want->data, r->rdata, want->len) == 0)
		return 0;
	dname_format(h->name, name, sizeof(name));
	zone_diag_rr(z, r, d, "NSEC3 for %s has wrong parameters, next hash or "
	    "type bitmap", name);
	return STATUS_CHAIN;
}

/*
 * An opt-out chain with more records than the names that need one: each
 * record is the NSEC3 of a name of the zone (insecure delegations
 * included), every name of need[0..nneed) has one, and each record links
 * to the next present one with the right parameters and type bitmap.
 */
static int
verify_opt_out_superset(const struct zone *z, const struct nsec3_params *np,
    const struct zrr **recs, size_t nrec, const struct hashed *need,
    size_t nneed, unsigned threads, struct diag *d)
{
	struct nsec3_params all = *np;
	struct hashed *v = NULL;
	const struct hashed **at = NULL;
	struct bytes want = { 0 };
	size_t n = 0, j = 0, k2 = 0;
	int rc;

	/* Every name, insecure delegations too: what a record may stand for. */
	all.flags = 0;
	if ((rc = chain_entries(z, &all, threads, &v, &n, d)) != 0)
		return rc;
	if ((at = calloc(nrec + 1, sizeof(*at))) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	for (size_t k = 0; k < nrec && rc == 0; k++) {
		uint8_t owner[DNAME_MAX_LENGTH + 40];
		bool found = false;

		/* Both in hash order: walk them side by side. */
		while (j < n && !found) {
			hashed_owner(z, v[j].hash, owner);
			found = dname_equal(owner, recs[k]->owner);
			if (!found)
				j++;
		}
		if (!found) {
			zone_diag_rr(z, recs[k], d, "NSEC3 owner does not match the "
			    "hash of any name of the zone");
			rc = STATUS_CHAIN;
			break;
		}
		at[k] = &v[j++];
	}
	/* Every name that needs a record has one. */
	for (size_t i = 0; i < nneed && rc == 0; i++) {
		while (k2 < nrec && memcmp(at[k2]->hash, need[i].hash,
		    NSEC3_HASH_LEN) < 0)
			k2++;
		if (k2 == nrec || memcmp(at[k2]->hash, need[i].hash,
		    NSEC3_HASH_LEN) != 0) {
			char name[DNAME_TEXT_MAX];
			dname_format(need[i].name, name, sizeof(name));
			diag_set(d, NULL, 0, "no NSEC3 record for %s", name);
			rc = STATUS_CHAIN;
		}
	}
	for (size_t k = 0; k < nrec && rc == 0; k++)
		rc = check_rdata(z, np, recs[k], at[k], at[(k + 1) % nrec]->hash,
		    true, &want, d);
out:
	bytes_free(&want);
	free(at);
	free(v);
	return rc;
}

/*
 * Is recs[k]'s type bitmap checked? Not that of a record the builder
 * found as it was (ZRR_TRUSTED: the bitmap it made again equals the one
 * the previous output holds), but for the sample: the check would make
 * it again from the same records with the same code.
 */
static bool
bitmap_checked(const struct chain_job *job, size_t k)
{
	return !(job->recs[k]->flags & ZRR_TRUSTED) ||
	    (k + job->offset) % job->sample == 0;
}

/*
 * Each record of recs[begin, end) is the one v says it must be: its owner,
 * parameters and next hash always, its type bitmap as bitmap_checked says.
 */
static int
check_slice(size_t begin, size_t end, void *arg, struct diag *d)
{
	const struct chain_job *job = arg;
	struct bytes want = { 0 };
	int rc = 0;

	for (size_t k = begin; k < end && rc == 0; k++) {
		const struct zrr *r = job->recs[k];
		const struct hashed *h = &job->v[k];
		uint8_t owner[DNAME_MAX_LENGTH + 40];

		/* Only a bitmap made reads the name's records. */
		if (k + FETCH_AHEAD < job->n && bitmap_checked(job, k + FETCH_AHEAD))
			fetch_ahead(job, k);
		hashed_owner(job->z, h->hash, owner);
		if (!dname_equal(owner, r->owner)) {
			zone_diag_rr(job->z, r, d, "NSEC3 owner does not match "
			    "the hash of any name that needs one");
			rc = STATUS_CHAIN;
			break;
		}
		rc = check_rdata(job->z, job->p, r, h,
		    job->v[(k + 1) % job->n].hash, bitmap_checked(job, k), &want,
		    d);
	}
	bytes_free(&want);
	return rc;
}

/*
 * The names the chain was built over, when they are the names the check
 * would find (chain_entries with the same parameters over the zone, whose
 * other records kept their order around the chain's, and no NSEC3 record
 * landed on a name that has others: that name leaves the chain): each
 * name's first record moved on by the chain's records merged in before
 * it. Else NULL.
 */
static struct hashed *
built_names(const struct zone *z, struct nsec3_names *names,
    const struct nsec3_params *np, size_t *n)
{
	size_t count, k = 0;
	const struct zrr *rr = zone_records(z, &count);
	uint32_t *moved;

	if (names == NULL || names->flags != np->flags ||
	    names->iterations != np->iterations ||
	    names->salt_len != np->salt_len ||
	    memcmp(names->salt, np->salt, np->salt_len) != 0 ||
	    count != names->before + names->n ||
	    (moved = malloc((names->before + 1) * sizeof(*moved))) == NULL)
		return NULL;
	for (size_t i = 0; i < count; i++) {
		/* A finalized zone's records of one name share its owner. */
		if (rr[i].type == RRTYPE_NSEC3) {
			if ((i > 0 && rr[i - 1].owner == rr[i].owner &&
			    rr[i - 1].type != RRTYPE_NSEC3) ||
			    (i + 1 < count && rr[i + 1].owner == rr[i].owner &&
			    rr[i + 1].type != RRTYPE_NSEC3))
				break;
			continue;
		}
		if (k == names->before)
			break;
		moved[k++] = (uint32_t)i;
	}
	if (k != names->before) {
		free(moved);
		return NULL;
	}
	for (size_t e = 0; e < names->n; e++)
		if (names->v[e].at != NO_RECORDS)
			names->v[e].at = moved[names->v[e].at];
	free(moved);
	*n = names->n;
	names->n = 0;
	return names->v;
}

int
nsec3_verify_built_chain(const struct zone *z, unsigned threads,
    struct nsec3_names *names, struct diag *d)
{
	size_t count, n = 0, nrec = 0;
	const struct zrr *rr = zone_records(z, &count);
	const struct zrr *param = find_nsec3param(z), **recs = NULL;
	struct hashed *v = NULL;
	struct nsec3_params np;
	int rc = 0;

	if (param == NULL || param->rdlen < 5 || param->rdlen != 5u + param->rdata[4]) {
		diag_set(d, NULL, 0, "no valid NSEC3PARAM at the apex");
		return STATUS_CHAIN;
	}
	np.iterations = (uint16_t)(param->rdata[2] << 8 | param->rdata[3]);
	np.salt_len = param->rdata[4];
	np.salt = param->rdata + 5;
	/* Opt-out shows in the NSEC3 flags, not in NSEC3PARAM (RFC 5155 §4.1.2). */
	np.flags = 0;
	for (size_t i = 0; i < count; i++)
		if (rr[i].type == RRTYPE_NSEC3) {
			if ((rc = push_record(&recs, &nrec, &rr[i])) != 0)
				goto out;
			if (rr[i].rdlen > 1 && (rr[i].rdata[1] & NSEC3_FLAG_OPT_OUT))
				np.flags = NSEC3_FLAG_OPT_OUT;
		}
	if ((v = built_names(z, names, &np, &n)) != NULL)
		names->v = NULL;
	else if ((rc = chain_entries(z, &np, threads, &v, &n, d)) != 0)
		goto out;
	/*
	 * Opt-out lets a signer keep NSEC3 records for insecure delegations
	 * too (RFC 5155 §6; ldns does): then the chain is checked over the
	 * names it holds, which must include every name that needs one.
	 */
	if ((np.flags & NSEC3_FLAG_OPT_OUT) && nrec > n) {
		rc = verify_opt_out_superset(z, &np, recs, nrec, v, n, threads,
		    d);
		goto out;
	}
	/* Canonical order of the base32hex owners is the order of the hashes. */
	if (nrec != n) {
		diag_set(d, NULL, 0, "the NSEC3 chain has %zu records for %zu "
		    "names that need one", nrec, n);
		rc = STATUS_CHAIN;
		goto out;
	}
	{
		struct chain_job job = { .z = z, .p = &np, .v = v, .n = n,
		    .recs = recs, .sample = n <= TRUSTED_ALL ? 1 : TRUSTED_SAMPLE };

		job.offset = trusted_offset(zone_serial(z), job.sample);
		rc = parallel_for(n, CHAIN_CHUNK, threads, check_slice, &job,
		    d);
	}
out:
	free(v);
	free(recs);
	return rc;
}
