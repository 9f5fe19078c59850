/* The signing pipeline: DNSKEYs and chain in, serial moved, every authoritative RRset signed, result verified. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "common/timespec.h"
#include "keys/dnskey.h"
#include "keys/keystore.h"
#include "signer_internal.h"
#include "zones/dname.h"

#define BACKDATE_DEFAULT 3600
#define VALIDITY_DEFAULT (14 * 86400)
#define REFRESH_DEFAULT (5 * 86400)
/* No RRset of the previous output matches. */
#define NO_PREV SIZE_MAX
/* Arena chunks for each slice's signatures: 256 slices waste at most 16 MiB. */
#define SLICE_CHUNK (64 * 1024)
/* The fewest RRsets a slice of the signing takes (see signer_sign). */
#define SLICE_MIN 32
/* Keys of one algorithm in a key set. */
#define ALGS_MAX 8

void
sign_policy_init(struct sign_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->denial = DENIAL_NSEC3;
	p->validity = VALIDITY_DEFAULT;
	p->backdate = BACKDATE_DEFAULT;
	p->refresh = REFRESH_DEFAULT;
	p->serial = SERIAL_UNIXTIME;
	/*
	 * Checking an ECDSA or Ed25519 signature costs two to three times as
	 * much as making it: new signatures are checked by sample (which
	 * catches a wrong key or a broken library), the rest of the
	 * self-check covers every record.
	 */
	p->verify_sample = true;
	p->reuse_previous = true;
}

/*
 * Which keys sign what: per algorithm, the SEP keys and the others; and
 * whether each key's DNSKEY was in the previous output (only then can its
 * tag there be trusted to mean this key).
 */
struct signing_keys {
	size_t nalg;
	struct {
		uint8_t alg;
		const struct key *sep[8], *zsk[8], *data[8];
		bool sep_known[8], zsk_known[8], data_known[8];
		size_t nsep, nzsk, ndata;    /* data: SEP keys that sign data too */
	} alg[ALGS_MAX];
};

static int
group_keys(const struct keyset *ks, struct signing_keys *sk, struct diag *d)
{
	memset(sk, 0, sizeof(*sk));
	for (size_t i = 0; i < ks->count; i++) {
		const struct key *k = ks->keys[i];
		size_t a;

		if ((key_flags(k) & DNSKEY_FLAG_REVOKE) || !key_is_signing(k))
			continue;
		for (a = 0; a < sk->nalg && sk->alg[a].alg != key_algorithm(k); a++)
			;
		if (a == sk->nalg) {
			if (a == ALGS_MAX)
				goto too_many;
			sk->alg[a].alg = key_algorithm(k);
			sk->nalg++;
		}
		if (key_is_sep(k)) {
			if (sk->alg[a].nsep == 8)
				goto too_many;
			sk->alg[a].sep[sk->alg[a].nsep++] = k;
			if (!key_signs_keys_only(k))
				sk->alg[a].data[sk->alg[a].ndata++] = k;
		} else {
			if (sk->alg[a].nzsk == 8)
				goto too_many;
			sk->alg[a].zsk[sk->alg[a].nzsk++] = k;
		}
	}
	if (sk->nalg == 0) {
		diag_set(d, NULL, 0, "no active key to sign with");
		return STATUS_KEY_MISSING;
	}
	return 0;
too_many:
	diag_set(d, NULL, 0, "too many keys: at most 8 per role and algorithm");
	return STATUS_RANGE;
}

/* The input's own DNSSEC records are replaced: the signer owns them. */
static bool
is_dnssec_record(const struct zrr *rr, void *arg)
{
	const bool *cds = arg;
	return is_signer_type(rr->type) || (*cds &&
	    (rr->type == RRTYPE_CDS || rr->type == RRTYPE_CDNSKEY));
}

struct sign_job {
	const struct zone *z;
	const struct signing_keys *keys;
	const size_t *rrsets;        /* start index of each RRset to sign */
	const struct zone *prev;     /* our previous output to reuse, or NULL */
	bool trust_reused;           /* prev's signatures: checked by sample */
	bool sample_new;             /* new signatures: checked by sample */
	int64_t now, refresh;
	bool absolute_times;
	uint32_t inception;
	int64_t expiration_base;     /* before jitter */
	int64_t jitter_range;
	struct zrr *slots;           /* the zone's records, gaps opened */
	struct arena *store;         /* per slice: rdata of its signatures */
	size_t *made, *reused;       /* per slice */
	size_t nslices, nrrsets, nrecords;
	size_t slice_len;
	/* With progress: slices signed, and the first not yet (in order). */
	struct zone_progress *progress;
	pthread_mutex_t lock;
	bool *done;
	size_t frontier;
};

/*
 * Slice s is signed: the records before the first slice not yet signed
 * are final (slices are taken in order, so that frontier moves on
 * steadily).
 */
static void
slice_done(struct sign_job *job, size_t s)
{
	size_t final;

	if (job->progress == NULL)
		return;
	pthread_mutex_lock(&job->lock);
	job->done[s] = true;
	while (job->frontier < job->nslices && job->done[job->frontier])
		job->frontier++;
	final = job->frontier * job->slice_len < job->nrrsets ?
	    job->rrsets[job->frontier * job->slice_len] : job->nrecords;
	pthread_mutex_unlock(&job->lock);
	zone_progress_advance(job->progress, final);
}

/* A walk through prev's RRsets alongside the zone's, both in canonical order. */
struct prev_walk {
	size_t j;                    /* prev's RRset not before the last asked */
	const uint8_t *zowner, *powner; /* the owners compared last ... */
	int owners;                  /* ... and how they compared */
};

/*
 * The index in prev of the RRset rr (owner and type), or NO_PREV; RRsets
 * asked for in canonical order. Two owners are compared once, however many
 * types they hold.
 */
static size_t
previous_rrset(const struct zone *prev, const struct zrr *rr,
    struct prev_walk *w)
{
	size_t count;
	const struct zrr *pr = zone_records(prev, &count);
	int c = 1;

	while (w->j < count) {
		const struct zrr *p = &pr[w->j];
		if (p->owner != w->powner || rr->owner != w->zowner) {
			w->powner = p->owner;
			w->zowner = rr->owner;
			/* Records built as prev had them share its memory (nsec3.c). */
			w->owners = p->owner == rr->owner ? 0 :
			    dname_compare(p->owner, rr->owner);
		}
		c = w->owners != 0 ? w->owners : zrr_type_order(p, rr);
		if (c >= 0)
			break;
		w->j = zone_rrset_end(prev, w->j);
	}
	return w->j < count && c == 0 ? w->j : NO_PREV;
}

/* Is prev's RRset at j the same as z's at i: same records, same TTL, canonical form? */
static bool
same_rrset(const struct zrr *a, size_t n, const struct zone *prev, size_t j)
{
	size_t count, end = zone_rrset_end(prev, j);
	const struct zrr *b = zone_records(prev, &count) + j;

	if (end - j != n)
		return false;
	for (size_t k = 0; k < n; k++)
		if (a[k].ttl != b[k].ttl || ((a[k].rdata != b[k].rdata ||
		    a[k].rdlen != b[k].rdlen) && rdata_compare(a[k].type,
		    a[k].rdata, a[k].rdlen, b[k].rdata, b[k].rdlen) != 0))
			return false;
	return true;
}

/*
 * A signature by k over the RRset at prev index j that may be used again
 * as it is (see signer_sign_zone), or NULL.
 */
static const struct zrr *
reusable_signature(const struct sign_job *job, size_t j, const struct key *k)
{
	size_t count, e = zone_rrset_end(job->prev, j);
	const struct zrr *rr = zone_records(job->prev, &count);

	for (size_t g = e; g < count && rr[g].owner == rr[j].owner &&
	    rr[g].type == RRTYPE_RRSIG; g++) {
		struct rrsig_fields f;
		const uint8_t *sig;
		size_t siglen;

		if (rrsig_parse(rr[g].rdata, rr[g].rdlen, &f, &sig, &siglen) != 0 ||
		    f.covered != rr[j].type)
			break;
		if (f.algorithm != key_algorithm(k) || f.key_tag != key_tag(k) ||
		    !dname_equal(f.signer, zone_origin(job->z)) ||
		    f.labels != rrsig_labels(rr[j].owner) ||
		    f.original_ttl != rr[j].ttl || rr[g].ttl != rr[j].ttl)
			continue;
		if (job->absolute_times ?
		    f.inception == job->inception &&
		    f.expiration == (uint32_t)job->expiration_base :
		    rrsig_time_near(f.inception, job->now) <= job->now &&
		    rrsig_time_near(f.expiration, job->now) - job->now > job->refresh &&
		    /* A validity made shorter applies to kept signatures too. */
		    rrsig_time_near(f.expiration, job->now) <= job->expiration_base)
			return &rr[g];
	}
	return NULL;
}

/* Deterministic spread of expirations (FNV-1a of owner and type), so reruns repeat. */
static uint32_t
jitter_of(const uint8_t *owner, uint16_t type, int64_t range)
{
	uint8_t lower[DNAME_MAX_LENGTH];
	uint64_t h = 1469598103934665603ull;
	size_t len;

	if (range <= 0)
		return 0;
	dname_copy_lower(lower, owner);
	len = dname_length(lower);
	for (size_t i = 0; i < len; i++)
		h = (h ^ lower[i]) * 1099511628211ull;
	h = (h ^ (type >> 8)) * 1099511628211ull;
	h = (h ^ (type & 0xff)) * 1099511628211ull;
	return (uint32_t)(h % (uint64_t)range);
}

/*
 * The keys of algorithm a that sign an RRset: KSKs the key RRsets (DNSKEY,
 * CDS, CDNSKEY), ZSKs the rest; a CSK (or a KSK without ZSK) does both,
 * unless it signs the key RRsets only (a CSK roll under way).
 */
static size_t
signing_keys_for(const struct signing_keys *sk, size_t a, bool by_sep,
    const struct key *const **ks, const bool **known)
{
	if (by_sep && sk->alg[a].nsep > 0) {
		*ks = sk->alg[a].sep;
		*known = sk->alg[a].sep_known;
		return sk->alg[a].nsep;
	}
	if (sk->alg[a].nzsk == 0 && sk->alg[a].ndata > 0) {
		*ks = sk->alg[a].data;
		*known = sk->alg[a].data_known;
		return sk->alg[a].ndata;
	}
	if (sk->alg[a].nzsk == 0 && sk->alg[a].nsep > 0) {
		*ks = sk->alg[a].sep;
		*known = sk->alg[a].sep_known;
		return sk->alg[a].nsep;
	}
	*ks = sk->alg[a].zsk;
	*known = sk->alg[a].zsk_known;
	return sk->alg[a].nzsk;
}

static bool
signed_by_sep(uint16_t type)
{
	return type == RRTYPE_DNSKEY || type == RRTYPE_CDS ||
	    type == RRTYPE_CDNSKEY;
}

/* How many signatures the RRset of this type gets: one per signing key. */
static size_t
signature_count(const struct signing_keys *sk, uint16_t type)
{
	size_t n = 0;

	for (size_t a = 0; a < sk->nalg; a++) {
		const struct key *const *ks;
		const bool *known;
		n += signing_keys_for(sk, a, signed_by_sep(type), &ks, &known);
	}
	return n;
}

/* Fill an opened slot with a signature over rr: rdata, which the zone keeps as it is. */
static void
put_signature(struct zrr *slot, const struct zrr *rr, const uint8_t *rdata,
    size_t len, uint8_t flags)
{
	memset(slot, 0, sizeof(*slot));
	slot->owner = rr->owner;
	slot->rdata = rdata;
	/* RFC 4034 §3: the RRSIG TTL is the TTL of the RRset it covers. */
	slot->ttl = rr->ttl;
	slot->type = RRTYPE_RRSIG;
	slot->rdlen = (uint16_t)len;
	slot->flags = flags;
}

/*
 * The signers (key_signer) one call of sign_slice made, by key: a slice
 * signs with a handful of keys, each thread with its own contexts.
 */
struct slice_signers {
	struct key_signer **s;
	size_t n, cap;
};

/* k's signer in the slice's set, made on first use. */
static int
slice_signer(struct slice_signers *set, const struct key *k,
    struct key_signer **out)
{
	int rc;

	for (size_t i = 0; i < set->n; i++)
		if (key_signer_key(set->s[i]) == k) {
			*out = set->s[i];
			return 0;
		}
	if (set->n == set->cap) {
		size_t cap = set->cap ? 2 * set->cap : 4;
		struct key_signer **ns = realloc(set->s, cap * sizeof(*ns));
		if (ns == NULL)
			return STATUS_NOMEM;
		set->s = ns;
		set->cap = cap;
	}
	if ((rc = key_signer_new(k, out)) != 0)
		return rc;
	set->s[set->n++] = *out;
	return 0;
}

static void
slice_signers_free(struct slice_signers *set)
{
	for (size_t i = 0; i < set->n; i++)
		key_signer_free(set->s[i]);
	free(set->s);
}

static int
sign_rrset(const struct sign_job *job, const struct zrr *rr, size_t n,
    const struct key *k, struct slice_signers *signers, struct bytes *data,
    struct zrr *slot, struct arena *store)
{
	struct key_signer *signer;
	uint8_t sig[KEY_SIGNATURE_MAX];
	const uint8_t *apex = zone_origin(job->z);
	size_t siglen, alen = dname_length(apex), fixed;
	uint8_t *copy;
	struct rrsig_fields f = {
		.covered = rr->type,
		.algorithm = key_algorithm(k),
		.labels = rrsig_labels(rr->owner),
		.original_ttl = rr->ttl,
		.inception = job->inception,
		.expiration = (uint32_t)(job->expiration_base -
		    jitter_of(rr->owner, rr->type, job->jitter_range)),
		.key_tag = key_tag(k),
		.signer = apex,
	};
	int rc;

	if ((rc = rrsig_signing_data(&f, rr, n, data)) != 0 ||
	    (rc = slice_signer(signers, k, &signer)) != 0 ||
	    (rc = key_signer_sign(signer, data->data, data->len, sig,
	    &siglen)) != 0)
		return rc;
	/* The RRSIG rdata is the signed prefix (signer name lower-cased) plus the signature. */
	fixed = 18 + alen;
	data->len = fixed;
	if ((rc = bytes_reserve(data, siglen)) != 0)
		return rc;
	memcpy(data->data + fixed, sig, siglen);
	data->len += siglen;
	/* New signatures are checked by sample when the policy says so. */
	if ((copy = arena_dup(store, data->data, data->len)) == NULL)
		return STATUS_NOMEM;
	put_signature(slot, rr, copy, data->len,
	    job->sample_new ? ZRR_TRUSTED : 0);
	return 0;
}

/* Several signatures over one RRset go in canonical order (RFC 4034 §6.3). */
static void
sort_signatures(struct zrr *sigs, size_t n)
{
	for (size_t i = 1; i < n; i++) {
		struct zrr t = sigs[i];
		size_t j = i;
		while (j > 0 && rdata_compare(RRTYPE_RRSIG, sigs[j - 1].rdata,
		    sigs[j - 1].rdlen, t.rdata, t.rdlen) > 0) {
			sigs[j] = sigs[j - 1];
			j--;
		}
		sigs[j] = t;
	}
}

static int
sign_slice(size_t begin, size_t end, void *arg, struct diag *d)
{
	struct sign_job *job = arg;
	size_t slice = begin / job->slice_len;
	struct arena *store = &job->store[slice];
	const struct zrr *rr = job->slots;
	struct bytes data = { 0 };
	struct prev_walk walk = { 0 };
	struct slice_signers signers = { 0 };
	int rc = 0;

	if (job->prev != NULL && begin < end)
		walk.j = zone_rrset_search(job->prev, &rr[job->rrsets[begin]]);
	for (size_t s = begin; s < end && rc == 0; s++) {
		size_t i = job->rrsets[s], e = zone_rrset_end(job->z, i), g = e;
		size_t j = job->prev != NULL ?
		    previous_rrset(job->prev, &rr[i], &walk) : NO_PREV;
		bool same = j != NO_PREV && same_rrset(&rr[i], e - i, job->prev, j);

		/* The zeroed slots right after the RRset are this RRset's own. */
		for (size_t a = 0; a < job->keys->nalg && rc == 0; a++) {
			const struct key *const *ks;
			const bool *known;
			size_t nk = signing_keys_for(job->keys, a,
			    signed_by_sep(rr[i].type), &ks, &known);

			for (size_t k = 0; k < nk && rc == 0; k++, g++) {
				const struct zrr *old = same && known[k] ?
				    reusable_signature(job, j, ks[k]) : NULL;
				if (old != NULL) {
					/* Kept: prev outlives z (signer.h). */
					put_signature(&job->slots[g], &rr[i],
					    old->rdata, old->rdlen,
					    job->trust_reused ? ZRR_TRUSTED : 0);
					job->reused[slice]++;
				} else {
					rc = sign_rrset(job, &rr[i], e - i, ks[k],
					    &signers, &data, &job->slots[g],
					    store);
					job->made[slice]++;
				}
			}
		}
		if (rc == 0)
			sort_signatures(&job->slots[e], g - e);
		else
			zone_diag_rr(job->z, &rr[i], d, "signing failed");
	}
	slice_signers_free(&signers);
	bytes_free(&data);
	if (rc == 0)
		slice_done(job, slice);
	return rc;
}

/* Add the DNSKEY RRset (TTL: the SOA's) and, for NSEC3, NSEC3PARAM. */
static int
add_apex_records(struct zone *z, const struct keyset *ks,
    const struct sign_policy *p)
{
	const struct zrr *soa = zone_soa(z);
	const uint8_t *apex = zone_origin(z);
	uint32_t ttl = p->dnskey_ttl ? p->dnskey_ttl : soa->ttl;
	int rc;

	for (size_t i = 0; i < ks->count; i++) {
		size_t len;
		const uint8_t *rd = key_dnskey_rdata(ks->keys[i], &len);
		if (!key_is_published(ks->keys[i]))
			continue;
		if ((rc = zone_add(z, apex, RRTYPE_DNSKEY, ttl, rd, len)) != 0)
			return rc;
		/* RFC 7344 §3: CDS and CDNSKEY name the DS the parent should hold. */
		if (p->cds && key_has_cds(ks->keys[i])) {
			uint8_t ds[4 + 64];
			size_t dslen;
			if ((rc = zone_add(z, apex, RRTYPE_CDNSKEY, ttl, rd,
			    len)) != 0 ||
			    (rc = dnskey_ds_rdata(apex, rd, len, DS_DIGEST_SHA256,
			    ds, &dslen)) != 0 ||
			    (rc = zone_add(z, apex, RRTYPE_CDS, ttl, ds, dslen)) != 0)
				return rc;
		}
	}
	if (p->denial == DENIAL_NSEC3) {
		uint8_t param[5 + 255];
		param[0] = 1;     /* SHA-1, RFC 5155 §4.1.1 */
		param[1] = 0;     /* flags: opt-out lives in NSEC3 only */
		param[2] = (uint8_t)(p->nsec3_iterations >> 8);
		param[3] = (uint8_t)p->nsec3_iterations;
		param[4] = p->nsec3_salt_len;
		memcpy(param + 5, p->nsec3_salt, p->nsec3_salt_len);
		/* TTL 0 as BIND does: only secondaries and signers read it. */
		rc = zone_add(z, apex, RRTYPE_NSEC3PARAM, 0, param,
		    5u + p->nsec3_salt_len);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
check_times(const struct sign_policy *p, int64_t now, int64_t *inception,
    int64_t *expiration, struct diag *d)
{
	if (p->absolute_times) {
		*inception = p->inception;
		*expiration = p->expiration;
	} else {
		*inception = now - p->backdate;
		*expiration = now + p->validity;
	}
	if (*expiration <= *inception) {
		diag_set(d, NULL, 0, "signature expiration is not after inception");
		return STATUS_RANGE;
	}
	if (*expiration <= now) {
		char exp_text[32], now_text[32];
		time_format(*expiration, exp_text, sizeof(exp_text));
		time_format(now, now_text, sizeof(now_text));
		diag_set(d, NULL, 0, "signature expiration %s is not after "
		    "the current time %s: signatures would already have expired",
		    exp_text, now_text);
		return STATUS_RANGE;
	}
	/* RFC 4034 §3.1.5: 32-bit serial times cover 68 years around now. */
	if (*inception < 0 || *expiration - *inception > 0x7fffffff ||
	    *expiration > 0xffffffffll) {
		diag_set(d, NULL, 0, "signature validity period out of range");
		return STATUS_RANGE;
	}
	return 0;
}

/* Mark the signing keys whose DNSKEY was in prev's apex key set. */
static int
find_known_keys(struct signing_keys *sk, const struct keyset *keys,
    const struct zone *prev)
{
	bool *known = calloc(keys->count + 1, sizeof(*known));

	if (known == NULL)
		return STATUS_NOMEM;
	signer_key_presence(prev, keys, known, NULL);
	for (size_t i = 0; i < keys->count; i++) {
		for (size_t a = 0; a < sk->nalg; a++) {
			for (size_t k = 0; k < sk->alg[a].nsep; k++)
				if (sk->alg[a].sep[k] == keys->keys[i])
					sk->alg[a].sep_known[k] = known[i];
			for (size_t k = 0; k < sk->alg[a].nzsk; k++)
				if (sk->alg[a].zsk[k] == keys->keys[i])
					sk->alg[a].zsk_known[k] = known[i];
			for (size_t k = 0; k < sk->alg[a].ndata; k++)
				if (sk->alg[a].data[k] == keys->keys[i])
					sk->alg[a].data_known[k] = known[i];
		}
	}
	free(known);
	return 0;
}

int
signer_sign(struct zone *z, const struct keyset *keys,
    const struct sign_policy *p, int64_t now, const struct zone *prev,
    struct zone_progress *progress, struct sign_stats *stats,
    struct diag *d)
{
	struct signing_keys sk;
	struct sign_job job = { 0 };
	struct sign_stats st = { 0 };
	size_t count, nrrsets = 0, *rrsets = NULL;
	uint8_t *gaps = NULL;
	const struct zrr *rr;
	int64_t inception, expiration;
	uint32_t serial;
	struct nsec3_names *names = NULL;
	double t0;
	bool cds = p->cds;
	int rc;

	if ((rc = group_keys(keys, &sk, d)) != 0 ||
	    (rc = check_times(p, now, &inception, &expiration, d)) != 0)
		return rc;
	zone_remove_if(z, is_dnssec_record, &cds);
	if ((rc = zone_finalize(z, d)) != 0)
		return rc;
	/*
	 * The serial moves on from the one already published (our previous
	 * output) when that is ahead of the input's, so that secondaries see
	 * every new version.
	 */
	serial = zone_serial(z);
	if (prev != NULL && p->serial != SERIAL_KEEP &&
	    serial_is_greater(zone_serial(prev), serial))
		serial = zone_serial(prev);
	zone_set_serial(z, serial_next(p->serial, serial, now));
	if ((rc = add_apex_records(z, keys, p)) != 0 ||
	    (rc = zone_finalize(z, d)) != 0)
		return rc;
	t0 = elapsed_seconds();
	if (p->denial == DENIAL_NSEC3)
		rc = nsec3_build_chain(z, p, denial_ttl(z),
		    p->reuse_previous ? prev : NULL, &names, d);
	else
		rc = nsec_build_chain(z, denial_ttl(z), d);
	/*
	 * The chain is checked now, while the zone is smallest: adding the
	 * signatures below changes no NSEC or NSEC3 record.
	 */
	if (rc == 0 && (rc = zone_finalize(z, d)) == 0)
		rc = signer_verify_chain(z, p->threads, names, d);
	nsec3_names_free(names);
	if (rc != 0)
		return rc;
	st.seconds_chain = elapsed_seconds() - t0;
	t0 = elapsed_seconds();

	rr = zone_records(z, &count);
	if ((rrsets = signed_rrsets(z, p->threads, &nrrsets)) == NULL)
		return STATUS_NOMEM;
	if (prev != NULL && p->reuse_previous &&
	    (rc = find_known_keys(&sk, keys, prev)) != 0)
		goto out;
	job.z = z;
	job.keys = &sk;
	job.rrsets = rrsets;
	job.prev = prev != NULL && p->reuse_previous ? prev : NULL;
	job.now = now;
	job.refresh = p->refresh;
	job.absolute_times = p->absolute_times;
	job.trust_reused = p->trust_previous;
	job.sample_new = p->verify_sample;
	job.inception = (uint32_t)inception;
	job.expiration_base = expiration;
	/* Absolute times are used exactly; otherwise spread up to a tenth of the validity. */
	job.jitter_range = p->absolute_times ? 0 : (expiration - now) / 10;
	/*
	 * Each slice makes its signing contexts: at least SLICE_MIN RRsets a
	 * slice, so that a small zone does not make them RRset by RRset.
	 */
	job.nslices = 256;
	job.nrrsets = nrrsets;
	job.slice_len = nrrsets / job.nslices + 1;
	if (job.slice_len < SLICE_MIN)
		job.slice_len = SLICE_MIN;
	job.store = calloc(job.nslices, sizeof(*job.store));
	job.made = calloc(job.nslices, sizeof(*job.made));
	job.reused = calloc(job.nslices, sizeof(*job.reused));
	job.done = calloc(job.nslices, sizeof(*job.done));
	if ((gaps = malloc(nrrsets + 1)) == NULL || job.store == NULL ||
	    job.made == NULL || job.reused == NULL || job.done == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	/*
	 * Signatures are written straight into their place in the zone, right
	 * after the RRset they cover: no list of them, no sort afterwards.
	 */
	for (size_t s = 0; s < nrrsets; s++)
		gaps[s] = (uint8_t)signature_count(&sk, rr[rrsets[s]].type);
	if ((rc = zone_open_gaps(z, rrsets, gaps, nrrsets, &job.slots)) != 0)
		goto out;
	for (size_t s = 0; s < job.nslices; s++)
		arena_init_chunked(&job.store[s], SLICE_CHUNK);
	/* The records are placed: a writer may start on the first slices. */
	if (progress != NULL) {
		job.progress = progress;
		pthread_mutex_init(&job.lock, NULL);
		(void)zone_records(z, &job.nrecords);
		zone_progress_advance(progress, nrrsets > 0 ? rrsets[0] :
		    job.nrecords);
	}
	rc = parallel_for(nrrsets, job.slice_len, p->threads, sign_slice,
	    &job, d);
	if (progress != NULL)
		pthread_mutex_destroy(&job.lock);
	for (size_t s = 0; s < job.nslices; s++) {
		zone_take_storage(z, &job.store[s]);
		st.signatures_made += job.made[s];
		st.signatures_reused += job.reused[s];
	}
	st.rrsets = nrrsets;
	/* Records about to move are not read meanwhile. */
	if (rc == 0 && !zone_settle_in_place(z)) {
		if (progress != NULL)
			zone_progress_hold(progress);
		rc = zone_finalize(z, d);
	}
	st.seconds_sign = elapsed_seconds() - t0;
	if (stats != NULL)
		*stats = st;
out:
	free(gaps);
	free(job.done);
	free(job.store);
	free(job.made);
	free(job.reused);
	free(rrsets);
	return rc;
}

int
signer_verify_signed(const struct zone *z, const struct keyset *keys,
    const struct sign_policy *p, int64_t now, struct sign_stats *stats,
    struct diag *d)
{
	double t0 = elapsed_seconds();
	size_t checked = 0;
	int rc = verify_signatures(z, keys, now, p->threads, &checked, d);

	if (stats != NULL) {
		stats->signatures_checked = checked;
		stats->seconds_verify = elapsed_seconds() - t0;
	}
	return rc;
}

int
signer_sign_zone(struct zone *z, const struct keyset *keys,
    const struct sign_policy *p, int64_t now, const struct zone *prev,
    struct sign_stats *stats, struct diag *d)
{
	int rc = signer_sign(z, keys, p, now, prev, NULL, stats, d);

	return rc != 0 ? rc : signer_verify_signed(z, keys, p, now, stats, d);
}
