/* `zonewarden check`: every finding of a signed zone, with verify.c's notion of a valid signature. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "common/status.h"
#include "common/timespec.h"
#include "keys/dnskey.h"
#include "keys/tlsa.h"
#include "signer_internal.h"
#include "zones/serial.h"


int
findings_add(struct findings *f, enum finding_severity s, const char *code,
    const struct zrr *rr, const char *fmt, ...)
{
	struct finding *x;
	va_list ap;

	if (f->count == CHECK_FINDINGS_MAX) {
		f->truncated = true;
		return 0;
	}
	if (f->count == f->cap) {
		size_t cap = f->cap ? 2 * f->cap : 32;
		struct finding *n = realloc(f->list, cap * sizeof(*n));
		if (n == NULL)
			return STATUS_NOMEM;
		f->list = n;
		f->cap = cap;
	}
	x = &f->list[f->count++];
	memset(x, 0, sizeof(*x));
	x->severity = s;
	x->code = code;
	if (rr != NULL) {
		dname_format(rr->owner, x->owner, sizeof(x->owner));
		rrtype_format(rr->type == RRTYPE_RRSIG && rr->rdlen >= 2 ?
		    (uint16_t)(rr->rdata[0] << 8 | rr->rdata[1]) : rr->type,
		    x->type, sizeof(x->type));
	}
	va_start(ap, fmt);
	vsnprintf(x->text, sizeof(x->text), fmt, ap);
	va_end(ap);
	return 0;
}

void
findings_free(struct findings *f)
{
	free(f->list);
	memset(f, 0, sizeof(*f));
}

int
findings_worst(const struct findings *f)
{
	int worst = 0;

	for (size_t i = 0; i < f->count; i++)
		if ((int)f->list[i].severity > worst)
			worst = (int)f->list[i].severity;
	return worst;
}

/* The keys (tag, algorithm) whose signature over the apex DNSKEY RRset holds. */
#define DNSKEY_SIGNERS_MAX 16
struct dnskey_signers {
	uint16_t tag[DNSKEY_SIGNERS_MAX];
	uint8_t alg[DNSKEY_SIGNERS_MAX];
	size_t n;
};

/* Per RRset: which algorithms sign it, which validly, and when that ends. */
struct rrset_check {
	unsigned present_algs;       /* bit a: an RRSIG of k->algs[a] is there */
	unsigned valid_algs;
	int64_t earliest;            /* earliest expiration of a valid signature */
};

/* One RRSIG, every check verify.c's gate makes, the cryptography always. */
static int
check_signature(const struct zone *z, const struct check_options *o,
    const struct keyring *k, const struct zrr *set, size_t n,
    const struct zrr *sigrr, struct bytes *data, struct rrset_check *rc,
    struct dnskey_signers *ds, struct findings *out)
{
	struct rrsig_fields f;
	const uint8_t *sig;
	size_t siglen, ai;
	struct diag d;
	enum sig_problem p;

	diag_clear(&d);
	p = rrsig_check(z, k, o->now, set, n, sigrr, true, data, &ai, NULL,
	    NULL, 0, &d);
	if (ai < k->nalgs)
		rc->present_algs |= 1u << ai;
	if (p == SIG_OTHER_ALG)
		return 0;
	if (p == SIG_NOMEM)
		return STATUS_NOMEM;
	if (p != SIG_OK)
		return findings_add(out, FINDING_ERROR, rrsig_problem_code(p),
		    sigrr, "%s", d.text);
	rc->valid_algs |= 1u << ai;
	if (rrsig_parse(sigrr->rdata, sigrr->rdlen, &f, &sig, &siglen) == 0) {
		int64_t exp = rrsig_time_near(f.expiration, o->now);
		if (rc->earliest == 0 || exp < rc->earliest)
			rc->earliest = exp;
		if (set->type == RRTYPE_DNSKEY && (set->flags & ZRR_APEX) &&
		    ds->n < DNSKEY_SIGNERS_MAX) {
			ds->tag[ds->n] = f.key_tag;
			ds->alg[ds->n++] = f.algorithm;
		}
	}
	return 0;
}

/* Every RRset signed, validly, by every algorithm; no RRSIG where none belongs. */
static int
check_rrsets(const struct zone *z, const struct check_options *o,
    const struct keyring *k, struct dnskey_signers *signers,
    struct findings *out)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);
	struct bytes data = { 0 };
	int rc = 0;

	for (size_t i = 0; i < count && rc == 0;) {
		size_t e = zone_rrset_end(z, i), g;
		struct rrset_check st = { 0, 0, 0 };
		bool auth = zrr_is_authoritative(&rr[i]);

		if (rr[i].type == RRTYPE_RRSIG) {
			/* RRSIGs with nothing of their type before them. */
			rc = findings_add(out, FINDING_ERROR, "sig-orphan", &rr[i],
			    "RRSIG over an RRset the zone does not hold");
			i = e;
			continue;
		}
		for (g = e; g < count && rr[g].owner == rr[i].owner &&
		    rr[g].type == RRTYPE_RRSIG && rr[g].rdlen >= 2 &&
		    (rr[g].rdata[0] << 8 | rr[g].rdata[1]) == rr[i].type; g++)
			;
		if (!auth) {
			if (g > e)
				rc = findings_add(out, FINDING_ERROR,
				    (rr[i].flags & ZRR_GLUE) ? "sig-on-glue" :
				    "sig-on-delegation", &rr[i], "signed, but not "
				    "authoritative data (%s): resolvers reject the "
				    "RRSIG", (rr[i].flags & ZRR_GLUE) ? "glue" :
				    "the NS set of a delegation");
			i = g;
			continue;
		}
		if (g == e) {
			rc = findings_add(out, FINDING_ERROR, "rrset-unsigned",
			    &rr[i], "no RRSIG");
			i = g;
			continue;
		}
		for (size_t s = e; s < g && rc == 0; s++)
			rc = check_signature(z, o, k, &rr[i], e - i, &rr[s], &data,
			    &st, signers, out);
		/*
		 * RFC 4035 §2.2: every algorithm of the DNSKEY set signs every
		 * RRset (a signature that is there but fails is reported above).
		 */
		for (size_t a = 0; a < k->nalgs && rc == 0; a++)
			if (!(st.present_algs & (1u << a)))
				rc = findings_add(out, FINDING_ERROR, "alg-incomplete",
				    &rr[i], "no valid signature by algorithm %u, "
				    "which the DNSKEY set has (RFC 4035 section 2.2)",
				    k->algs[a]);
		/* Caches may keep it a TTL: that much before expiry counts. */
		if (rc == 0 && st.earliest != 0 &&
		    st.earliest - rr[i].ttl < o->now + o->warn) {
			char when[32];
			time_format(st.earliest, when, sizeof(when));
			rc = findings_add(out, FINDING_WARNING, "sig-expiring",
			    &rr[i], "signatures expire at %s (TTL %u)", when,
			    rr[i].ttl);
		}
		i = g;
	}
	bytes_free(&data);
	return rc;
}

/* What became of one DS of the parent. */
enum ds_fate { DS_MATCH, DS_WRONG_DIGEST, DS_NO_KEY, DS_UNKNOWN_ALG,
    DS_UNKNOWN_DIGEST, DS_MALFORMED };

static enum ds_fate
ds_fate(const struct zone *z, const struct keyring *k, const uint8_t *ds,
    size_t len)
{
	bool tag_seen = false, alg_known = false, unsupported = false;
	uint16_t tag;

	if (len < 5)
		return DS_MALFORMED;
	tag = (uint16_t)(ds[0] << 8 | ds[1]);
	for (size_t a = 0; a < k->nalgs; a++)
		alg_known |= k->algs[a] == ds[2];
	for (size_t i = 0; i < k->n; i++) {
		const struct zrr *dk = &k->key[i];
		uint8_t want[4 + 64];
		size_t wlen;
		int rc;

		if (dk->rdlen < 4 || dnskey_tag(dk->rdata, dk->rdlen) != tag ||
		    dk->rdata[3] != ds[2])
			continue;
		tag_seen = true;
		rc = dnskey_ds_rdata(zone_origin(z), dk->rdata, dk->rdlen, ds[3],
		    want, &wlen);
		unsupported |= rc == STATUS_UNSUPPORTED;
		if (rc == 0 && wlen == len && memcmp(want, ds, len) == 0)
			return DS_MATCH;
	}
	if (unsupported)
		return DS_UNKNOWN_DIGEST;
	return tag_seen ? DS_WRONG_DIGEST : alg_known ? DS_NO_KEY :
	    DS_UNKNOWN_ALG;
}

/*
 * The DS set against the DNSKEY set (RFC 4035 §5.2; RFC 8624 on SHA-1): a
 * DS that fails beside one that works is a warning, the chain broken an
 * error.
 */
static int
check_ds(const struct zone *z, const struct check_options *o,
    const struct keyring *k, const struct dnskey_signers *signers,
    struct findings *out)
{
	size_t matched = 0;
	bool signs_dnskey = false;
	int rc = 0;

	if (o->nds == 0)
		return findings_add(out, FINDING_WARNING, "ds-none", NULL, "the "
		    "parent has no DS for this signed zone: resolvers treat it "
		    "as unsigned");
	for (size_t d = 0; d < o->nds; d++)
		matched += ds_fate(z, k, o->ds[d], o->ds_len[d]) == DS_MATCH;
	for (size_t d = 0; d < o->nds && rc == 0; d++) {
		const uint8_t *ds = o->ds[d];
		enum ds_fate fate = ds_fate(z, k, ds, o->ds_len[d]);
		enum finding_severity worse = matched > 0 ? FINDING_WARNING :
		    FINDING_ERROR;
		uint16_t tag = o->ds_len[d] >= 2 ? (uint16_t)(ds[0] << 8 | ds[1]) : 0;
		bool signs = false;

		if (fate != DS_MALFORMED && ds[3] == DS_DIGEST_SHA1)
			rc = findings_add(out, FINDING_WARNING, "ds-sha1", NULL,
			    "DS %u uses SHA-1 (digest type 1): publish SHA-256", tag);
		if (rc != 0)
			break;
		switch (fate) {
		case DS_MALFORMED:
			rc = findings_add(out, worse, "ds-malformed", NULL, "a DS "
			    "record too short to hold a digest");
			continue;
		case DS_WRONG_DIGEST:
			rc = findings_add(out, worse, "ds-wrong-digest", NULL, "DS %u: "
			    "a key has its tag and algorithm, but not its digest", tag);
			continue;
		case DS_UNKNOWN_DIGEST:
			rc = findings_add(out, FINDING_WARNING, "ds-unknown-digest",
			    NULL, "DS %u: digest type %u, which zonewarden cannot "
			    "check", tag, ds[3]);
			continue;
		case DS_UNKNOWN_ALG:
			/* Signs nothing in the zone (RFC 4035 §2.2, RFC 6840 §5.11). */
			rc = findings_add(out, FINDING_ERROR, "ds-alg-unsigned", NULL,
			    "DS %u has algorithm %u, which no key of the DNSKEY set "
			    "has: nothing in the zone is signed with it", tag, ds[2]);
			continue;
		case DS_NO_KEY:
			rc = findings_add(out, worse, "ds-no-key", NULL, "DS %u points "
			    "to no key of the DNSKEY set", tag);
			continue;
		case DS_MATCH:
			break;
		}
		for (size_t i = 0; i < signers->n && !signs; i++)
			signs = signers->tag[i] == tag && signers->alg[i] == ds[2];
		if (signs)
			signs_dnskey = true;
		else
			rc = findings_add(out, worse, "ds-key-signs-nothing", NULL,
			    "DS %u points to a key without a valid signature over the "
			    "DNSKEY RRset (a ZSK, an unused KSK, or its signature is "
			    "missing, expired or bogus)", tag);
	}
	if (rc == 0 && matched == 0)
		rc = findings_add(out, FINDING_ERROR, "ds-no-match", NULL, "no DS "
		    "of the parent matches a key of the DNSKEY set: the chain of "
		    "trust is broken");
	else if (rc == 0 && !signs_dnskey)
		rc = findings_add(out, FINDING_ERROR, "dnskey-not-signed-by-ds-key",
		    k->key, "the DNSKEY RRset has no valid signature by a key the "
		    "parent's DS points to");
	return rc;
}

/* NSEC3PARAM (RFC 9276: 0 iterations, no salt) and the denial chain. */
static int
check_denial(const struct zone *z, struct findings *out)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);
	struct diag d;
	int rc = 0;

	for (size_t i = 0; i < count && rc == 0; i++) {
		if (rr[i].type != RRTYPE_NSEC3PARAM || rr[i].rdlen < 5)
			continue;
		unsigned it = (unsigned)(rr[i].rdata[2] << 8 | rr[i].rdata[3]);
		if (it > 0)
			rc = findings_add(out, FINDING_WARNING, "nsec3-iterations",
			    &rr[i], "%u extra iterations: RFC 9276 says 0", it);
		if (rc == 0 && rr[i].rdata[4] > 0)
			rc = findings_add(out, FINDING_WARNING, "nsec3-salt", &rr[i],
			    "a salt of %u bytes: RFC 9276 says none", rr[i].rdata[4]);
	}
	diag_clear(&d);
	/* check has no thread setting: every CPU. */
	if (rc == 0 && denial_verify_chain(z, 0, &d) != 0)
		rc = findings_add(out, FINDING_ERROR, "chain-broken", NULL,
		    "%s%s%s%s%s", d.owner, *d.owner ? " " : "", d.type,
		    *d.owner ? ": " : "", d.text);
	return rc;
}

/* The SOA expire against the signatures' validity (RFC 6781 §4.4.2). */
static int
check_soa_expire(const struct zone *z, const struct check_options *o,
    struct findings *out)
{
	int64_t earliest = signer_earliest_expiration(z, o->now);
	uint32_t expire = zone_soa_expire(z);

	if (earliest > o->now && (int64_t)expire > earliest - o->now)
		return findings_add(out, FINDING_WARNING, "soa-expire",
		    zone_soa(z), "SOA expire %u s is longer than the signatures "
		    "have left (%lld s): a secondary cut off would serve expired "
		    "ones", expire, (long long)(earliest - o->now));
	return 0;
}

/* Does TLSA rdata match the chain src (end entity; an issuer for DANE-TA)? */
static bool
tlsa_matches(const struct tlsa_source *src, const uint8_t *rd, size_t len)
{
	struct tlsa_params p;
	struct tlsa_rdata got[16];
	struct diag d;
	size_t n;

	if (len < 4)
		return false;
	p = (struct tlsa_params){ rd[0], rd[1], rd[2] };
	diag_clear(&d);
	if (tlsa_from_source(src, p, got, 16, &n, &d) != 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (got[i].len == len - 3 && memcmp(got[i].data, rd + 3, len - 3) == 0)
			return true;
	return false;
}

/*
 * TLSA (RFC 7671, RFC 7672): PKIX usages on mail ports; every TLSA RRset
 * of a host with a deployed certificate given matches one; an MX host of
 * the zone without TLSA while another has them.
 */
static int
check_tlsa(const struct zone *z, const struct check_options *o,
    struct findings *out)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);
	int rc = 0;
	bool any_mx_tlsa = false;

	for (size_t i = 0; i < count && rc == 0;) {
		size_t e = zone_rrset_end(z, i);
		const uint8_t *host;
		unsigned port;
		bool matched = false, given = false;

		if (rr[i].type != RRTYPE_TLSA || !dname_tlsa_port(rr[i].owner, &port,
		    &host)) {
			i = e;
			continue;
		}
		for (size_t k = i; k < e && rc == 0; k++)
			if (rr[k].rdlen >= 1 && rr[k].rdata[0] <= 1 &&
			    (port == 25 || port == 465 || port == 587))
				rc = findings_add(out, FINDING_WARNING,
				    "tlsa-pkix-usage", &rr[k], "usage %u (PKIX) on a "
				    "mail port: SMTP senders do not use it (RFC 7672 "
				    "section 3.1.3)", rr[k].rdata[0]);
		for (size_t c = 0; c < o->ncerts; c++) {
			if (!dname_equal(o->certs[c].host, host))
				continue;
			given = true;
			for (size_t k = i; k < e && !matched; k++)
				matched = tlsa_matches(o->certs[c].src, rr[k].rdata,
				    rr[k].rdlen);
		}
		if (rc == 0 && given && !matched)
			rc = findings_add(out, FINDING_ERROR, "tlsa-no-match", &rr[i],
			    "no record of the RRset matches the certificate given "
			    "for this host: senders will defer mail");
		i = e;
	}
	/*
	 * MX hosts in the zone: all with TLSA at port 25, or none. The TLSA
	 * owners, in canonical order as the zone is, are searched by halves.
	 */
	const uint8_t **owners = calloc(count + 1, sizeof(*owners));
	size_t nowners = 0;
	if (owners == NULL)
		return STATUS_NOMEM;
	for (size_t i = 0; i < count; i++)
		if (rr[i].type == RRTYPE_TLSA && (nowners == 0 ||
		    owners[nowners - 1] != rr[i].owner))
			owners[nowners++] = rr[i].owner;
	for (int pass = 0; pass < 2 && rc == 0; pass++)
		for (size_t i = 0; i < count && rc == 0; i++) {
			const uint8_t *target = zrr_mx_host(&rr[i]);
			uint8_t owner[DNAME_MAX_LENGTH];
			bool has = false;
			size_t lo = 0, hi = nowners;

			if (target == NULL ||
			    !dname_is_below_or_at(target, zone_origin(z)) ||
			    !dname_tlsa_owner(25, target, owner))
				continue;
			while (lo < hi && !has) {
				size_t mid = lo + (hi - lo) / 2;
				int c = dname_compare(owners[mid], owner);
				has = c == 0;
				if (c < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			if (pass == 0)
				any_mx_tlsa |= has;
			else if (any_mx_tlsa && !has) {
				char t[DNAME_TEXT_MAX];
				dname_format(target, t, sizeof(t));
				rc = findings_add(out, FINDING_WARNING,
				    "mx-without-tlsa", &rr[i], "MX host %s has no TLSA "
				    "at _25._tcp while another MX host has: DANE "
				    "senders can be steered to it", t);
			}
		}
	free(owners);
	return rc;
}

int
check_zone(const struct zone *z, const struct check_options *o,
    struct findings *out)
{
	struct keyring k;
	struct dnskey_signers signers = { .n = 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = keyring_load(z, NULL, &k)) != 0)
		goto done;
	if (k.n == 0) {
		rc = findings_add(out, FINDING_ERROR, "dnskey-none", zone_soa(z),
		    "no DNSKEY RRset at the apex: the zone is not signed");
		goto done;
	}
	if ((rc = check_rrsets(z, o, &k, &signers, out)) == 0 &&
	    (!o->have_ds || (rc = check_ds(z, o, &k, &signers, out)) == 0) &&
	    ((o->skip & CHECK_SKIP_DENIAL) || (rc = check_denial(z, out)) == 0) &&
	    ((o->skip & CHECK_SKIP_SOA) ||
	    (rc = check_soa_expire(z, o, out)) == 0) &&
	    !(o->skip & CHECK_SKIP_TLSA))
		rc = check_tlsa(z, o, out);
done:
	keyring_free(&k);
	return rc;
}
