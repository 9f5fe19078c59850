/* Deciding whether a zone must be signed again: what changed since the published output, and what nears expiry. */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/parallel.h"
#include "common/status.h"
#include "keys/dnskey.h"
#include "keys/key.h"
#include "keys/keystore.h"
#include "signer_internal.h"
#include "zones/dname.h"
#include "zones/serial.h"

const char *
sign_reason_text(enum sign_reason r)
{
	switch (r) {
	case SIGN_NOTHING_DUE: return "nothing due";
	case SIGN_FIRST: return "no signed output yet";
	case SIGN_INPUT_CHANGED: return "input changed";
	case SIGN_KEYS_CHANGED: return "keys changed";
	case SIGN_POLICY_CHANGED: return "denial settings changed";
	case SIGN_REFRESH: return "signatures near expiry";
	}
	return "unknown";
}

/* Index of the next record at or after i that the operator, not the signer, owns. */
static size_t
next_data(const struct zrr *rr, size_t count, size_t i, bool cds)
{
	while (i < count && (is_signer_type(rr[i].type) || (cds &&
	    (rr[i].type == RRTYPE_CDS || rr[i].type == RRTYPE_CDNSKEY))))
		i++;
	return i;
}

/* SOA rdata: two names, then serial, refresh, retry, expire, minimum (RFC 1035 §3.3.13). */
static size_t
soa_serial_offset(const struct zrr *soa)
{
	size_t m = dname_length(soa->rdata);
	return m + dname_length(soa->rdata + m);
}

static bool
same_soa_but_serial(const struct zrr *a, const struct zrr *b)
{
	size_t oa = soa_serial_offset(a), ob = soa_serial_offset(b);

	return a->ttl == b->ttl && oa == ob && a->rdlen == b->rdlen &&
	    oa + 20 == a->rdlen && dname_equal(a->rdata, b->rdata) &&
	    dname_equal(a->rdata + dname_length(a->rdata),
	    b->rdata + dname_length(b->rdata)) &&
	    memcmp(a->rdata + oa + 4, b->rdata + ob + 4, 16) == 0;
}

static void
describe(struct sign_plan *out, const struct zrr *rr, const char *what)
{
	char owner[DNAME_TEXT_MAX], type[24];

	dname_format(rr->owner, owner, sizeof(owner));
	rrtype_format(rr->type, type, sizeof(type));
	snprintf(out->detail, sizeof(out->detail), "%s %s %s", owner, type,
	    what);
}

/* Does the operator's data differ from what prev publishes? */
static bool
data_changed(const struct zone *input, const struct zone *prev, bool cds,
    struct sign_plan *out)
{
	size_t na, nb, i = 0, j = 0;
	const struct zrr *a = zone_records(input, &na);
	const struct zrr *b = zone_records(prev, &nb);

	for (;;) {
		int c;

		i = next_data(a, na, i, cds);
		j = next_data(b, nb, j, cds);
		if (i == na || j == nb)
			break;
		c = zrr_rrset_order(&a[i], &b[j]);
		if (c < 0) {
			describe(out, &a[i], "added");
			return true;
		}
		if (c > 0) {
			describe(out, &b[j], "removed");
			return true;
		}
		if (a[i].type == RRTYPE_SOA && (a[i].flags & ZRR_APEX)) {
			if (!same_soa_but_serial(&a[i], &b[j])) {
				describe(out, &a[i], "changed");
				return true;
			}
			/* A serial the operator moved past the published one is a new version. */
			if (serial_is_greater(zone_serial(input), zone_serial(prev))) {
				snprintf(out->detail, sizeof(out->detail),
				    "input serial %u is ahead of the published %u",
				    zone_serial(input), zone_serial(prev));
				return true;
			}
		} else if (a[i].ttl != b[j].ttl || rdata_compare(a[i].type,
		    a[i].rdata, a[i].rdlen, b[j].rdata, b[j].rdlen) != 0) {
			describe(out, &a[i], "changed");
			return true;
		}
		i++;
		j++;
	}
	if (i < na || j < nb) {
		describe(out, i < na ? &a[i] : &b[j], i < na ? "added" : "removed");
		return true;
	}
	return false;
}

/* Does prev's CDNSKEY set name exactly the keys marked for the parent? */
static bool
cds_changed(const struct zone *prev, const struct keyset *keys,
    struct sign_plan *out)
{
	size_t count, published = 0, wanted = 0;
	const struct zrr *rr = zone_records(prev, &count);

	for (size_t i = 0; i < count; i++) {
		bool ours = false;
		if (rr[i].type != RRTYPE_CDNSKEY || !(rr[i].flags & ZRR_APEX))
			continue;
		published++;
		for (size_t k = 0; k < keys->count && !ours; k++) {
			size_t len;
			const uint8_t *rd = key_dnskey_rdata(keys->keys[k], &len);
			ours = key_has_cds(keys->keys[k]) && len == rr[i].rdlen &&
			    memcmp(rd, rr[i].rdata, len) == 0;
		}
		if (!ours)
			goto changed;
	}
	for (size_t k = 0; k < keys->count; k++)
		wanted += key_has_cds(keys->keys[k]);
	if (published == wanted)
		return false;
changed:
	snprintf(out->detail, sizeof(out->detail), "the DS asked of the parent "
	    "(CDS/CDNSKEY) changes");
	return true;
}

/* Does k sign at all? (The signer leaves revoked keys out.) */
static bool
is_signer(const struct key *k)
{
	return key_is_signing(k) && !(key_flags(k) & DNSKEY_FLAG_REVOKE);
}

/*
 * Does key k sign data (not only the key RRsets) now, as the signer picks
 * keys (sign.c, signing_keys_for): a ZSK; a KSK or CSK when no ZSK of its
 * algorithm signs, unless it signs keys only and another SEP key of its
 * algorithm does not (else all of them sign the data).
 */
static bool
signs_data(const struct keyset *keys, const struct key *k)
{
	bool data_sep = false;

	if (!is_signer(k))
		return false;
	if (!key_is_sep(k))
		return true;
	for (size_t j = 0; j < keys->count; j++) {
		const struct key *o = keys->keys[j];
		if (!is_signer(o) || key_algorithm(o) != key_algorithm(k))
			continue;
		if (!key_is_sep(o))
			return false;
		data_sep = data_sep || !key_signs_keys_only(o);
	}
	return !key_signs_keys_only(k) || !data_sep;
}

/*
 * Do prev's signatures come from exactly the keys that sign now, the key
 * RRsets' and the data's apart (a CSK handing the data to its successor
 * changes only the latter)?
 */
static bool
signers_changed(const struct zone *prev, const struct keyset *keys,
    struct sign_plan *out)
{
	size_t count;
	const struct zrr *rr = zone_records(prev, &count);
	bool *seen = calloc(2 * keys->count + 1, sizeof(*seen));
	bool changed = false;

	if (seen == NULL)
		return true;
	for (size_t i = 0; i < count && !changed; i++) {
		uint16_t tag, covered;
		uint8_t alg;
		bool known = false, data;

		if (rr[i].type != RRTYPE_RRSIG || rr[i].rdlen < 18)
			continue;
		covered = (uint16_t)(rr[i].rdata[0] << 8 | rr[i].rdata[1]);
		data = covered != RRTYPE_DNSKEY && covered != RRTYPE_CDS &&
		    covered != RRTYPE_CDNSKEY;
		alg = rr[i].rdata[2];
		tag = (uint16_t)(rr[i].rdata[16] << 8 | rr[i].rdata[17]);
		for (size_t k = 0; k < keys->count; k++) {
			const struct key *key = keys->keys[k];
			if (key_algorithm(key) != alg || key_tag(key) != tag ||
			    !is_signer(key) || (data && !signs_data(keys, key)))
				continue;
			seen[2 * k + data] = known = true;
		}
		if (!known) {
			snprintf(out->detail, sizeof(out->detail), "signatures "
			    "by key %u over %s, which it signs no more", tag,
			    data ? "data" : "the key RRsets");
			changed = true;
		}
	}
	for (size_t k = 0; k < keys->count && !changed; k++) {
		const struct key *key = keys->keys[k];
		if (signs_data(keys, key) && !seen[2 * k + 1]) {
			snprintf(out->detail, sizeof(out->detail), "key %u signs "
			    "no data yet", key_tag(key));
			changed = true;
		} else if (is_signer(key) && key_is_sep(key) && !seen[2 * k]) {
			snprintf(out->detail, sizeof(out->detail), "key %u signs "
			    "nothing yet", key_tag(key));
			changed = true;
		}
	}
	free(seen);
	return changed;
}

/* Is prev's apex DNSKEY set exactly the key set's DNSKEYs? */
static bool
keys_changed(const struct zone *prev, const struct keyset *keys, bool cds,
    uint32_t dnskey_ttl, struct sign_plan *out)
{
	size_t count, published = 0;
	const struct zrr *rr = zone_records(prev, &count);

	for (size_t i = 0; i < count; i++) {
		bool ours = false;
		if (rr[i].type != RRTYPE_DNSKEY || !(rr[i].flags & ZRR_APEX))
			continue;
		published++;
		if (rr[i].ttl != dnskey_ttl) {
			snprintf(out->detail, sizeof(out->detail), "DNSKEY TTL %u, "
			    "configured %u", rr[i].ttl, dnskey_ttl);
			return true;
		}
		for (size_t k = 0; k < keys->count && !ours; k++) {
			size_t len;
			const uint8_t *rd = key_dnskey_rdata(keys->keys[k], &len);
			ours = key_is_published(keys->keys[k]) &&
			    len == rr[i].rdlen && memcmp(rd, rr[i].rdata, len) == 0;
		}
		if (!ours) {
			snprintf(out->detail, sizeof(out->detail), "published "
			    "DNSKEY %u is not in the key folder",
			    dnskey_tag(rr[i].rdata, rr[i].rdlen));
			return true;
		}
	}
	size_t wanted = 0;
	for (size_t k = 0; k < keys->count; k++)
		wanted += key_is_published(keys->keys[k]);
	if (published != wanted) {
		snprintf(out->detail, sizeof(out->detail), "%zu keys to publish, "
		    "%zu published", wanted, published);
		return true;
	}
	return signers_changed(prev, keys, out) ||
	    (cds && cds_changed(prev, keys, out));
}

/* Does prev's denial of existence match the policy: NSEC or NSEC3, and its parameters? */
static bool
policy_changed(const struct zone *prev, const struct sign_policy *p,
    struct sign_plan *out)
{
	size_t count;
	const struct zrr *rr = zone_records(prev, &count);
	const struct zrr *param = NULL, *nsec3 = NULL;

	for (size_t i = 0; i < count && (param == NULL || nsec3 == NULL); i++) {
		if (rr[i].type == RRTYPE_NSEC3PARAM && (rr[i].flags & ZRR_APEX))
			param = &rr[i];
		else if (rr[i].type == RRTYPE_NSEC3 && nsec3 == NULL)
			nsec3 = &rr[i];
	}
	if ((param != NULL) != (p->denial == DENIAL_NSEC3)) {
		snprintf(out->detail, sizeof(out->detail), "published with %s, "
		    "configured %s", param ? "NSEC3" : "NSEC",
		    p->denial == DENIAL_NSEC3 ? "NSEC3" : "NSEC");
		return true;
	}
	if (param == NULL)
		return false;
	if (param->rdlen < 5 || param->rdata[0] != 1 ||
	    (param->rdata[2] << 8 | param->rdata[3]) != p->nsec3_iterations ||
	    param->rdata[4] != p->nsec3_salt_len ||
	    memcmp(param->rdata + 5, p->nsec3_salt, p->nsec3_salt_len) != 0) {
		snprintf(out->detail, sizeof(out->detail), "NSEC3 parameters "
		    "differ");
		return true;
	}
	/* RFC 5155 §6: opt-out shows in the flags of the NSEC3 records. */
	if (nsec3 != NULL && nsec3->rdlen > 1 &&
	    ((nsec3->rdata[1] & 1) != 0) != p->opt_out) {
		snprintf(out->detail, sizeof(out->detail), "NSEC3 opt-out %s",
		    p->opt_out ? "turned on" : "turned off");
		return true;
	}
	return false;
}

void
signer_key_presence(const struct zone *z, const struct keyset *ks,
    bool *published, bool *signing)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	for (size_t k = 0; k < ks->count; k++) {
		if (published != NULL)
			published[k] = false;
		if (signing != NULL)
			signing[k] = false;
	}
	for (size_t i = 0; i < count; i++) {
		const uint8_t *d = rr[i].rdata;

		/* The apex's records come first: past them, only signatures count. */
		if (signing == NULL && !(rr[i].flags & ZRR_APEX))
			break;
		if (published != NULL && rr[i].type == RRTYPE_DNSKEY &&
		    (rr[i].flags & ZRR_APEX)) {
			for (size_t k = 0; k < ks->count; k++) {
				size_t len;
				const uint8_t *rd = key_dnskey_rdata(ks->keys[k],
				    &len);
				if (len == rr[i].rdlen && memcmp(rd, d, len) == 0)
					published[k] = true;
			}
		}
		if (signing != NULL && rr[i].type == RRTYPE_RRSIG &&
		    rr[i].rdlen >= 18) {
			uint16_t covered = (uint16_t)(d[0] << 8 | d[1]);
			uint16_t tag = (uint16_t)(d[16] << 8 | d[17]);
			if (covered == RRTYPE_DNSKEY || covered == RRTYPE_CDS ||
			    covered == RRTYPE_CDNSKEY)
				continue;
			for (size_t k = 0; k < ks->count; k++)
				if (key_algorithm(ks->keys[k]) == d[2] &&
				    key_tag(ks->keys[k]) == tag)
					signing[k] = true;
		}
	}
}

/* The signatures' times, part by part of the records (on every CPU when many). */
struct times_job {
	const struct zrr *rr;
	int64_t now;
	struct {
		int64_t earliest, latest_inception;
		bool any;
	} part[PARALLEL_PARTS];
};

static void
times_part(size_t p, size_t i, size_t to, void *arg)
{
	struct times_job *job = arg;

	for (; i < to; i++) {
		const uint8_t *d = job->rr[i].rdata;
		int64_t exp, inc;
		if (job->rr[i].type != RRTYPE_RRSIG || job->rr[i].rdlen < 18)
			continue;
		exp = rrsig_time_near((uint32_t)d[8] << 24 |
		    (uint32_t)d[9] << 16 | (uint32_t)d[10] << 8 | d[11], job->now);
		inc = rrsig_time_near((uint32_t)d[12] << 24 |
		    (uint32_t)d[13] << 16 | (uint32_t)d[14] << 8 | d[15], job->now);
		if (!job->part[p].any || exp < job->part[p].earliest)
			job->part[p].earliest = exp;
		if (!job->part[p].any || inc > job->part[p].latest_inception)
			job->part[p].latest_inception = inc;
		job->part[p].any = true;
	}
}

/* The earliest expiration and latest inception of z's signatures; false when none. */
static bool
signature_times(const struct zone *z, int64_t now, int64_t *earliest,
    int64_t *latest_inception)
{
	struct times_job job = { .now = now };
	size_t count;
	bool any = false;

	*earliest = *latest_inception = 0;
	job.rr = zone_records(z, &count);
	parallel_parts(count, 0, times_part, &job);
	for (size_t p = 0; p < PARALLEL_PARTS; p++) {
		if (!job.part[p].any)
			continue;
		if (!any || job.part[p].earliest < *earliest)
			*earliest = job.part[p].earliest;
		if (!any || job.part[p].latest_inception > *latest_inception)
			*latest_inception = job.part[p].latest_inception;
		any = true;
	}
	return any;
}

int64_t
signer_earliest_expiration(const struct zone *z, int64_t now)
{
	int64_t earliest, inception;

	return signature_times(z, now, &earliest, &inception) ? earliest : 0;
}

void
signer_plan(const struct zone *input, const struct zone *prev,
    const struct keyset *keys, const struct sign_policy *p, int64_t now,
    struct sign_plan *out)
{
	int64_t earliest, latest_inception;
	bool any;

	memset(out, 0, sizeof(*out));
	if (prev == NULL) {
		out->reason = SIGN_FIRST;
		return;
	}
	any = signature_times(prev, now, &earliest, &latest_inception);
	out->earliest_expiration = earliest;
	out->next_due = any ? earliest - p->refresh : now;
	if (data_changed(input, prev, p->cds, out))
		out->reason = SIGN_INPUT_CHANGED;
	else if (keys_changed(prev, keys, p->cds, p->dnskey_ttl ? p->dnskey_ttl :
	    (zone_soa(input) ? zone_soa(input)->ttl : 0), out))
		out->reason = SIGN_KEYS_CHANGED;
	else if (policy_changed(prev, p, out))
		out->reason = SIGN_POLICY_CHANGED;
	else if (!any || earliest - now <= p->refresh) {
		out->reason = SIGN_REFRESH;
		snprintf(out->detail, sizeof(out->detail), "the earliest "
		    "signature expires within the %lld s refresh window",
		    (long long)p->refresh);
	} else if (latest_inception > now) {
		out->reason = SIGN_REFRESH;
		snprintf(out->detail, sizeof(out->detail), "signatures are not "
		    "valid yet (the clock went back?)");
	}
}

/* Numbers go in as 8 big-endian octets, so that no two setups run together. */
static int
digest_number(EVP_MD_CTX *md, uint64_t v)
{
	uint8_t b[8];

	for (int i = 7; i >= 0; i--, v >>= 8)
		b[i] = (uint8_t)v;
	return EVP_DigestUpdate(md, b, sizeof(b)) == 1 ? 0 : STATUS_CRYPTO;
}

static int
digest_bytes(EVP_MD_CTX *md, const void *data, size_t len)
{
	if (digest_number(md, len) != 0 || EVP_DigestUpdate(md, data, len) != 1)
		return STATUS_CRYPTO;
	return 0;
}

int
signer_setup_digest(const char *zname, const struct keyset *keys,
    const struct sign_policy *p, uint8_t out[SIGNER_SETUP_DIGEST_LEN])
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	char name[DNAME_TEXT_MAX];
	size_t n = 0;
	int rc = 0;

	if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return STATUS_CRYPTO;
	}
	for (; zname[n] != '\0' && n + 1 < sizeof(name); n++)
		name[n] = (char)tolower((unsigned char)zname[n]);
	if (n > 0 && name[n - 1] == '.')
		n--;
	rc |= digest_bytes(md, "zonewarden setup 1", 18);
	rc |= digest_bytes(md, name, n);
	rc |= digest_number(md, p->denial);
	rc |= digest_number(md, p->opt_out);
	rc |= digest_number(md, p->nsec3_iterations);
	rc |= digest_bytes(md, p->nsec3_salt, p->nsec3_salt_len);
	rc |= digest_number(md, p->absolute_times);
	rc |= digest_number(md, (uint64_t)p->inception);
	rc |= digest_number(md, (uint64_t)p->expiration);
	rc |= digest_number(md, (uint64_t)p->validity);
	rc |= digest_number(md, (uint64_t)p->backdate);
	rc |= digest_number(md, (uint64_t)p->refresh);
	rc |= digest_number(md, p->serial);
	rc |= digest_number(md, p->dnskey_ttl);
	rc |= digest_number(md, p->cds);
	rc |= digest_number(md, keys->count);
	for (size_t i = 0; i < keys->count; i++) {
		const struct key *k = keys->keys[i];
		size_t len;
		const uint8_t *rd = key_dnskey_rdata(k, &len);

		rc |= digest_bytes(md, rd, len);
		rc |= digest_number(md, (uint64_t)key_is_published(k) |
		    (uint64_t)key_is_signing(k) << 1 | (uint64_t)key_has_cds(k) << 2 |
		    (uint64_t)key_signs_keys_only(k) << 3);
	}
	if (rc != 0 || EVP_DigestFinal_ex(md, out, NULL) != 1)
		rc = STATUS_CRYPTO;
	EVP_MD_CTX_free(md);
	return rc;
}
