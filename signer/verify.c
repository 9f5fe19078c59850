/* Verification of a signed zone: the one implementation of "is this signature valid", used as the signer's gate. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "keys/dnskey.h"
#include "signer_internal.h"
#include "zones/dname.h"

#define ALGS_MAX 8
/*
 * Trusted signatures still verified: all of them in zones of up to
 * TRUSTED_ALL RRsets, otherwise those of every TRUSTED_SAMPLE-th RRset.
 */
#define TRUSTED_ALL 1024
#define TRUSTED_SAMPLE 256

struct verify_job {
	const struct zone *z;
	const struct zrr *dnskeys;   /* the apex DNSKEY RRset */
	size_t ndnskeys;
	/* Each DNSKEY decoded once (NULL: unusable, its status in key_status). */
	struct dnskey_verifier **verifiers;
	int *key_status;
	uint8_t algs[ALGS_MAX];      /* algorithms of the DNSKEY set */
	size_t nalgs;
	int64_t now;
	const size_t *rrsets;
	size_t sample;               /* 1: verify every trusted signature too */
	bool sample_new;             /* new signatures only sampled as well */
	atomic_size_t checked;
};

static const char *
alg_text(uint8_t alg, char *buf, size_t size)
{
	const char *name = dnssec_alg_name(alg);
	snprintf(buf, size, "%u (%s)", alg, name ? name : "unknown");
	return buf;
}

/* Check one RRSIG over rr[0..n); returns 0 and the algorithm's index, or a status. */
static int
verify_rrsig(struct verify_job *job, const struct zrr *set, size_t n,
    const struct zrr *sigrr, bool crypto, struct bytes *data,
    size_t *alg_index, struct diag *d)
{
	struct rrsig_fields f;
	const uint8_t *sig;
	size_t siglen;
	int rc;

	if (rrsig_parse(sigrr->rdata, sigrr->rdlen, &f, &sig, &siglen) != 0) {
		zone_diag_rr(job->z, sigrr, d, "malformed RRSIG");
		return STATUS_BAD_SIGNATURE;
	}
	if (!dname_equal(f.signer, zone_origin(job->z))) {
		zone_diag_rr(job->z, sigrr, d, "RRSIG signer is not the zone apex");
		return STATUS_BAD_SIGNATURE;
	}
	if (f.labels != rrsig_labels(set->owner)) {
		zone_diag_rr(job->z, sigrr, d, "RRSIG labels field is %u, "
		    "expected %u", f.labels, rrsig_labels(set->owner));
		return STATUS_BAD_SIGNATURE;
	}
	if (f.original_ttl != set->ttl || sigrr->ttl != set->ttl) {
		zone_diag_rr(job->z, sigrr, d, "RRSIG TTL or original TTL differs "
		    "from the RRset TTL %u", set->ttl);
		return STATUS_BAD_SIGNATURE;
	}
	if (rrsig_time_near(f.inception, job->now) > job->now) {
		zone_diag_rr(job->z, sigrr, d, "signature not yet valid");
		return STATUS_BAD_SIGNATURE;
	}
	if (rrsig_time_near(f.expiration, job->now) < job->now) {
		zone_diag_rr(job->z, sigrr, d, "signature expired");
		return STATUS_BAD_SIGNATURE;
	}
	for (*alg_index = 0; *alg_index < job->nalgs &&
	    job->algs[*alg_index] != f.algorithm; (*alg_index)++)
		;
	/*
	 * An algorithm without a key in the DNSKEY set: an algorithm
	 * rollover's signatures ahead of its keys, or after them (RFC 6781
	 * §4.1.4). Validators ignore them; there is no key to check them with.
	 */
	if (*alg_index == job->nalgs)
		return 0;
	if (crypto && (rc = rrsig_signing_data(&f, set, n, data)) != 0)
		return rc;
	/* Several keys may share a tag (RFC 4034 §5.3.1): try each candidate. */
	rc = STATUS_KEY_MISSING;
	for (size_t k = 0; k < job->ndnskeys; k++) {
		const struct zrr *key = &job->dnskeys[k];
		if (key->rdlen < 4 || key->rdata[3] != f.algorithm ||
		    dnskey_tag(key->rdata, key->rdlen) != f.key_tag)
			continue;
		if (!crypto)
			return 0;
		atomic_fetch_add_explicit(&job->checked, 1, memory_order_relaxed);
		rc = job->verifiers[k] == NULL ? job->key_status[k] :
		    dnskey_verifier_check(job->verifiers[k], data->data,
		    data->len, sig, siglen);
		if (rc == 0)
			return 0;
	}
	zone_diag_rr(job->z, set, d, "RRSIG by key %u algorithm %u %s",
	    f.key_tag, f.algorithm, rc == STATUS_KEY_MISSING ?
	    "names no key of the DNSKEY set" : "does not verify");
	return rc == STATUS_KEY_MISSING ? rc : STATUS_BAD_SIGNATURE;
}

static int
verify_slice(size_t begin, size_t end, void *arg, struct diag *d)
{
	struct verify_job *job = arg;
	size_t count;
	const struct zrr *rr = zone_records(job->z, &count);
	struct bytes data = { 0 };
	int rc = 0;

	for (size_t s = begin; s < end && rc == 0; s++) {
		size_t i = job->rrsets[s], e = zone_rrset_end(job->z, i), g;
		unsigned ok = 0;

		/* Canonical order puts the RRSIGs right after the RRset they cover. */
		for (g = e; g < count && rr[g].owner == rr[i].owner &&
		    rr[g].type == RRTYPE_RRSIG && rr[g].rdlen >= 2 &&
		    (rr[g].rdata[0] << 8 | rr[g].rdata[1]) == rr[i].type; g++) {
			size_t ai;
			bool crypto = s % job->sample == 0 ||
			    (rr[i].flags & ZRR_APEX) ||
			    (!(rr[g].flags & ZRR_TRUSTED) && !job->sample_new);
			if ((rc = verify_rrsig(job, &rr[i], e - i, &rr[g], crypto,
			    &data, &ai, d)) != 0)
				break;
			if (ai < job->nalgs)
				ok |= 1u << ai;
		}
		/* RFC 4035 §2.2: every algorithm of the DNSKEY set signs every RRset. */
		for (size_t a = 0; rc == 0 && a < job->nalgs; a++)
			if (!(ok & (1u << a))) {
				char alg[40];
				zone_diag_rr(job->z, &rr[i], d, "no valid signature "
				    "by algorithm %s", alg_text(job->algs[a], alg,
				    sizeof(alg)));
				rc = STATUS_BAD_SIGNATURE;
			}
	}
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
		    covered->type != t || !zrr_is_authoritative(covered)) {
			zone_diag_rr(z, &rr[i], d, "RRSIG over data that is not "
			    "this zone's authoritative data");
			return STATUS_BAD_SIGNATURE;
		}
	}
	return 0;
}

int
verify_signatures(const struct zone *z, int64_t now, unsigned threads,
    bool sample_new, size_t *checked, struct diag *d)
{
	struct verify_job job = { .z = z, .now = now };
	size_t count, nrrsets = 0, *rrsets = NULL, chunk;
	const struct zrr *rr = zone_records(z, &count);
	int rc;

	for (size_t i = 0; i < count; i++)
		if (rr[i].type == RRTYPE_DNSKEY && (rr[i].flags & ZRR_APEX)) {
			if (job.dnskeys == NULL)
				job.dnskeys = &rr[i];
			job.ndnskeys++;
			uint8_t alg = rr[i].rdlen >= 4 ? rr[i].rdata[3] : 0;
			size_t a;
			for (a = 0; a < job.nalgs && job.algs[a] != alg; a++)
				;
			if (a == job.nalgs && job.nalgs < ALGS_MAX)
				job.algs[job.nalgs++] = alg;
		}
	if (job.ndnskeys == 0) {
		diag_set(d, NULL, 0, "no DNSKEY RRset at the zone apex");
		return STATUS_KEY_MISSING;
	}
	if ((rc = check_orphan_signatures(z, d)) != 0)
		return rc;
	if ((rrsets = signed_rrsets(z, &nrrsets)) == NULL)
		return STATUS_NOMEM;
	job.rrsets = rrsets;
	job.sample = nrrsets <= TRUSTED_ALL ? 1 : TRUSTED_SAMPLE;
	job.sample_new = sample_new;
	job.verifiers = calloc(job.ndnskeys, sizeof(*job.verifiers));
	job.key_status = calloc(job.ndnskeys, sizeof(*job.key_status));
	if (job.verifiers == NULL || job.key_status == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	for (size_t k = 0; k < job.ndnskeys; k++)
		job.key_status[k] = dnskey_verifier_new(job.dnskeys[k].rdata,
		    job.dnskeys[k].rdlen, &job.verifiers[k]);
	/* Chunks small enough that even a small zone keeps every thread busy. */
	chunk = nrrsets / 64 + 1;
	rc = parallel_for(nrrsets, chunk < 1024 ? chunk : 1024, threads,
	    verify_slice, &job, d);
out:
	for (size_t k = 0; job.verifiers != NULL && k < job.ndnskeys; k++)
		dnskey_verifier_free(job.verifiers[k]);
	free(job.verifiers);
	free(job.key_status);
	free(rrsets);
	if (checked != NULL)
		*checked = atomic_load(&job.checked);
	return rc;
}

int
signer_verify_zone(const struct zone *z, int64_t now, unsigned threads,
    bool sample_new, size_t *checked, struct diag *d)
{
	int rc = verify_signatures(z, now, threads, sample_new, checked, d);

	return rc != 0 ? rc : denial_verify_chain(z, d);
}

int
signer_verify_signatures(const struct zone *z, int64_t now, struct diag *d)
{
	return verify_signatures(z, now, 1, false, NULL, d);
}
