/* Verification of a signed zone: the one implementation of "is this signature valid", used as the signer's gate. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "keys/dnskey.h"
#include "keys/key.h"
#include "keys/keystore.h"
#include "signer_internal.h"
#include "zones/dname.h"

void
keyring_free(struct keyring *k)
{
	for (size_t i = 0; k->v != NULL && i < k->n; i++)
		dnskey_verifier_free(k->v[i]);
	free(k->v);
	free(k->status);
	memset(k, 0, sizeof(*k));
}

/* Our key whose DNSKEY rdata is exactly d's, or NULL. */
static const struct key *
own_key(const struct keyset *own, const struct zrr *d)
{
	for (size_t i = 0; own != NULL && i < own->count; i++) {
		size_t len;
		const uint8_t *rd = key_dnskey_rdata(own->keys[i], &len);
		if (len == d->rdlen && memcmp(rd, d->rdata, len) == 0)
			return own->keys[i];
	}
	return NULL;
}

int
keyring_load(const struct zone *z, const struct keyset *own,
    struct keyring *k)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < count; i++)
		if (rr[i].type == RRTYPE_DNSKEY && (rr[i].flags & ZRR_APEX)) {
			if (k->key == NULL)
				k->key = &rr[i];
			k->n++;
		}
	if (k->n == 0)
		return 0;
	if ((k->v = calloc(k->n, sizeof(*k->v))) == NULL ||
	    (k->status = calloc(k->n, sizeof(*k->status))) == NULL) {
		keyring_free(k);
		return STATUS_NOMEM;
	}
	for (size_t i = 0; i < k->n; i++) {
		const struct zrr *d = &k->key[i];
		uint8_t alg = d->rdlen >= 4 ? d->rdata[3] : 0;
		const struct key *mine = own_key(own, d);
		size_t a;

		k->status[i] = mine != NULL ?
		    dnskey_verifier_new_own(mine, &k->v[i]) :
		    dnskey_verifier_new(d->rdata, d->rdlen, &k->v[i]);
		for (a = 0; a < k->nalgs && k->algs[a] != alg; a++)
			;
		if (a == k->nalgs && k->nalgs < KEYRING_ALGS_MAX)
			k->algs[k->nalgs++] = alg;
	}
	return 0;
}

const char *
rrsig_problem_code(enum sig_problem p)
{
	switch (p) {
	case SIG_TTL: return "sig-ttl-mismatch";
	case SIG_NOT_YET_VALID: return "sig-not-yet-valid";
	case SIG_EXPIRED: return "sig-expired";
	case SIG_UNKNOWN_KEY: return "sig-unknown-key";
	default: return "sig-bogus";
	}
}

/* Lead d's text with code (check's finding codes): "CODE: text". */
static void
gate_code(struct diag *d, const char *code)
{
	size_t cl = strlen(code) + 2, tl;

	if (d == NULL)
		return;
	tl = strnlen(d->text, sizeof(d->text) - 1);
	if (cl + tl >= sizeof(d->text))
		tl = sizeof(d->text) - 1 - cl;
	memmove(d->text + cl, d->text, tl);
	memcpy(d->text, code, cl - 2);
	memcpy(d->text + cl - 2, ": ", 2);
	d->text[cl + tl] = '\0';
}

static const char *
alg_text(uint8_t alg, char *buf, size_t size)
{
	const char *name = dnssec_alg_name(alg);
	snprintf(buf, size, "%u (%s)", alg, name ? name : "unknown");
	return buf;
}

/* The first key of k from index i on that may have made a signature by alg and tag, or k->n. */
static size_t
next_candidate(const struct keyring *k, size_t i, uint8_t alg, uint16_t tag)
{
	while (i < k->n && (k->key[i].rdlen < 4 || k->key[i].rdata[3] != alg ||
	    dnskey_tag(k->key[i].rdata, k->key[i].rdlen) != tag))
		i++;
	return i;
}

enum sig_problem
rrsig_check(const struct zone *z, const struct keyring *k, int64_t now,
    const struct zrr *set, size_t n, const struct zrr *sigrr, bool crypto,
    struct bytes *data, size_t *alg_index, atomic_size_t *checked,
    struct dnskey_batch *batch, size_t batch_at, struct diag *d)
{
	struct rrsig_fields f;
	const uint8_t *sig;
	size_t siglen;
	int rc;

	*alg_index = k->nalgs;
	if (rrsig_parse(sigrr->rdata, sigrr->rdlen, &f, &sig, &siglen) != 0) {
		zone_diag_rr(z, sigrr, d, "malformed RRSIG");
		return SIG_MALFORMED;
	}
	for (*alg_index = 0; *alg_index < k->nalgs &&
	    k->algs[*alg_index] != f.algorithm; (*alg_index)++)
		;
	if (!dname_equal(f.signer, zone_origin(z))) {
		zone_diag_rr(z, sigrr, d, "RRSIG by key %u: its signer is not the "
		    "zone apex", f.key_tag);
		return SIG_SIGNER;
	}
	if (f.labels != rrsig_labels(set->owner)) {
		zone_diag_rr(z, sigrr, d, "RRSIG by key %u: labels field is %u, "
		    "expected %u", f.key_tag, f.labels, rrsig_labels(set->owner));
		return SIG_LABELS;
	}
	if (f.original_ttl != set->ttl || sigrr->ttl != set->ttl) {
		zone_diag_rr(z, sigrr, d, "RRSIG by key %u: its TTL %u and "
		    "original TTL %u should both be the RRset's %u (changed after "
		    "signing?)", f.key_tag, sigrr->ttl, f.original_ttl, set->ttl);
		return SIG_TTL;
	}
	if (rrsig_time_near(f.inception, now) > now) {
		zone_diag_rr(z, sigrr, d, "RRSIG by key %u: not yet valid "
		    "(inception in the future)", f.key_tag);
		return SIG_NOT_YET_VALID;
	}
	if (rrsig_time_near(f.expiration, now) < now) {
		zone_diag_rr(z, sigrr, d, "RRSIG by key %u: expired", f.key_tag);
		return SIG_EXPIRED;
	}
	/*
	 * An algorithm without a key in the DNSKEY set: an algorithm
	 * rollover's signatures ahead of its keys, or after them (RFC 6781
	 * §4.1.4). Validators ignore them; there is no key to check them with.
	 */
	if (*alg_index == k->nalgs)
		return SIG_OTHER_ALG;
	if (crypto && (rc = rrsig_signing_data(&f, set, n, data)) != 0) {
		zone_diag_rr(z, sigrr, d, "out of memory");
		return SIG_NOMEM;
	}
	/* Several keys may share a tag (RFC 4034 §5.3.1): try each candidate. */
	rc = STATUS_KEY_MISSING;
	for (size_t i = next_candidate(k, 0, f.algorithm, f.key_tag), next;
	    i < k->n; i = next) {
		next = next_candidate(k, i + 1, f.algorithm, f.key_tag);
		if (!crypto)
			return SIG_OK;
		if (checked != NULL)
			atomic_fetch_add_explicit(checked, 1, memory_order_relaxed);
		/* The last candidate: its answer is the answer, given later. */
		if (batch != NULL && k->v[i] != NULL && next == k->n &&
		    dnskey_batch_add(batch, k->v[i], data->data, data->len, sig,
		    siglen, batch_at) == 0)
			return SIG_OK;
		rc = k->v[i] == NULL ? k->status[i] :
		    dnskey_verifier_check(k->v[i], data->data, data->len, sig,
		    siglen);
		if (rc == 0)
			return SIG_OK;
		/*
		 * Not checked (no memory, a library failure, in the check or
		 * in making the key ready for it): not bogus either.
		 */
		if (rc == STATUS_NOMEM || rc == STATUS_CRYPTO) {
			zone_diag_rr(z, set, d, "RRSIG by key %u could not be "
			    "checked: %s", f.key_tag, rc == STATUS_NOMEM ?
			    "out of memory" : "the crypto library failed");
			return SIG_NOMEM;
		}
	}
	if (rc == STATUS_KEY_MISSING) {
		zone_diag_rr(z, set, d, "RRSIG by key %u algorithm %u names no key "
		    "of the DNSKEY set", f.key_tag, f.algorithm);
		return SIG_UNKNOWN_KEY;
	}
	zone_diag_rr(z, set, d, "RRSIG by key %u algorithm %u does not verify "
	    "(the RRset changed after signing, or the signature is damaged)",
	    f.key_tag, f.algorithm);
	return SIG_BOGUS;
}

struct verify_job {
	const struct zone *z;
	struct keyring keys;
	int64_t now;
	const size_t *rrsets;
	size_t sample;               /* 1: verify every trusted signature too */
	size_t offset;               /* which RRsets the sample takes this run */
	atomic_size_t checked;
};

/*
 * The signatures of the RRset at rrsets[s]; checks that can wait go into
 * batch (when not NULL), which says whether they hold later.
 */
static int
verify_rrset(struct verify_job *job, size_t s, struct bytes *data,
    struct dnskey_batch *batch, struct diag *d)
{
	size_t count;
	const struct zrr *rr = zone_records(job->z, &count);
	size_t i = job->rrsets[s], e = zone_rrset_end(job->z, i), g;
	unsigned ok = 0;

	/* Canonical order puts the RRSIGs right after the RRset they cover. */
	for (g = e; g < count && rr[g].owner == rr[i].owner &&
	    rr[g].type == RRTYPE_RRSIG && rr[g].rdlen >= 2 &&
	    (rr[g].rdata[0] << 8 | rr[g].rdata[1]) == rr[i].type; g++) {
		size_t ai;
		bool crypto = (s + job->offset) % job->sample == 0 ||
		    (rr[i].flags & ZRR_APEX) ||
		    !(rr[g].flags & ZRR_TRUSTED);
		enum sig_problem p = rrsig_check(job->z, &job->keys,
		    job->now, &rr[i], e - i, &rr[g], crypto, data, &ai,
		    &job->checked, batch, s, d);
		if (p == SIG_NOMEM)
			return STATUS_NOMEM;
		if (p != SIG_OK && p != SIG_OTHER_ALG) {
			gate_code(d, rrsig_problem_code(p));
			return p == SIG_UNKNOWN_KEY ? STATUS_KEY_MISSING :
			    STATUS_BAD_SIGNATURE;
		}
		if (p == SIG_OK)
			ok |= 1u << ai;
	}
	/* RFC 4035 §2.2: every algorithm of the DNSKEY set signs every RRset. */
	for (size_t a = 0; a < job->keys.nalgs; a++)
		if (!(ok & (1u << a))) {
			char alg[40];
			zone_diag_rr(job->z, &rr[i], d, "%s: no valid "
			    "signature by algorithm %s", g == e ?
			    "rrset-unsigned" : "alg-incomplete",
			    alg_text(job->keys.algs[a], alg, sizeof(alg)));
			return STATUS_BAD_SIGNATURE;
		}
	return 0;
}

/*
 * The batch's checks made. The first RRset with one that does not hold
 * is checked again, one signature after the other: its problem, as
 * verify_rrset describes it, comes before rc's (found at a later RRset,
 * or at the same one after it).
 */
static int
verify_batch(struct verify_job *job, struct dnskey_batch *batch,
    struct bytes *data, int rc, struct diag *d)
{
	size_t n = batch->n;

	dnskey_batch_run(batch);
	batch->n = 0;
	for (size_t j = 0; j < n; j++) {
		struct diag again;
		int again_rc;

		if (batch->c[j].rc == 0)
			continue;
		diag_clear(&again);
		if ((again_rc = verify_rrset(job, batch->c[j].at, data, NULL,
		    &again)) != 0) {
			*d = again;
			return again_rc;
		}
	}
	return rc;
}

static int
verify_slice(size_t begin, size_t end, void *arg, struct diag *d)
{
	struct verify_job *job = arg;
	struct bytes data = { 0 };
	struct dnskey_batch *batch = malloc(sizeof(*batch));
	int rc = 0;

	if (batch != NULL)
		batch->n = 0;
	for (size_t s = begin; s < end && rc == 0; s++) {
		rc = verify_rrset(job, s, &data, batch, d);
		/* Checks wait for a batch of half its size at least. */
		if (batch != NULL && (batch->n >= DNSKEY_BATCH / 2 ||
		    s + 1 == end || rc != 0))
			rc = verify_batch(job, batch, &data, rc, d);
	}
	free(batch);
	bytes_free(&data);
	return rc;
}

/* Every RRSIG must follow an authoritative RRset of the type it covers. */
static int
check_orphan_signatures(const struct zone *z, struct diag *d)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);
	const struct zrr *covered = NULL;

	for (size_t i = 0; i < count; i++) {
		if (rr[i].type != RRTYPE_RRSIG) {
			covered = &rr[i];
			continue;
		}
		uint16_t t = rr[i].rdlen >= 2 ?
		    (uint16_t)(rr[i].rdata[0] << 8 | rr[i].rdata[1]) : 0;
		if (covered == NULL || covered->owner != rr[i].owner ||
		    covered->type != t) {
			zone_diag_rr(z, &rr[i], d, "sig-orphan: RRSIG over an "
			    "RRset the zone does not hold");
			return STATUS_BAD_SIGNATURE;
		}
		if (!zrr_is_authoritative(covered)) {
			zone_diag_rr(z, &rr[i], d, "%s: RRSIG over data that is "
			    "not this zone's authoritative data",
			    (covered->flags & ZRR_GLUE) ? "sig-on-glue" :
			    "sig-on-delegation");
			return STATUS_BAD_SIGNATURE;
		}
	}
	return 0;
}

int
verify_signatures(const struct zone *z, const struct keyset *own,
    int64_t now, unsigned threads, size_t *checked, struct diag *d)
{
	struct verify_job job = { .z = z, .now = now };
	size_t nrrsets = 0, *rrsets = NULL, chunk;
	int rc;

	if ((rc = keyring_load(z, own, &job.keys)) != 0)
		return rc;
	if (job.keys.n == 0) {
		diag_set(d, NULL, 0, "dnskey-none: no DNSKEY RRset at the zone "
		    "apex");
		return STATUS_KEY_MISSING;
	}
	if ((rc = check_orphan_signatures(z, d)) != 0)
		goto out;
	if ((rrsets = signed_rrsets(z, threads, &nrrsets)) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	job.rrsets = rrsets;
	job.sample = nrrsets <= TRUSTED_ALL ? 1 : TRUSTED_SAMPLE;
	/*
	 * Another sample each run (from the clock, so a run can be repeated):
	 * over runs, every trusted signature gets its turn.
	 */
	job.offset = trusted_offset((uint32_t)now, job.sample);
	/*
	 * Chunks small enough that even a small zone keeps every thread
	 * busy, and large enough for batches of checks.
	 */
	chunk = nrrsets / 64 + 1;
	if (chunk < DNSKEY_BATCH / 2)
		chunk = DNSKEY_BATCH / 2;
	rc = parallel_for(nrrsets, chunk < 1024 ? chunk : 1024, threads,
	    verify_slice, &job, d);
out:
	keyring_free(&job.keys);
	free(rrsets);
	if (checked != NULL)
		*checked = atomic_load(&job.checked);
	return rc;
}

int
signer_verify_chain(const struct zone *z, unsigned threads,
    struct nsec3_names *names, struct diag *d)
{
	int rc = names != NULL ? nsec3_verify_built_chain(z, threads, names, d) :
	    denial_verify_chain(z, threads, d);

	if (rc != 0)
		gate_code(d, "chain-broken");
	return rc;
}

int
signer_verify_zone(const struct zone *z, int64_t now, unsigned threads,
    size_t *checked, struct diag *d)
{
	int rc = verify_signatures(z, NULL, now, threads, checked, d);

	return rc != 0 ? rc : signer_verify_chain(z, threads, NULL, d);
}
