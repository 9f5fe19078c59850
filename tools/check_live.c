/* The live checks: every address of every name server, over UDP and TCP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_live.h"
#include "common/status.h"
#include "dns.h"
#include "tlsa_probe.h"
#include "zones/serial.h"
#include "zones/dname.h"
#include "zones/zone.h"

/* What one server address served over one transport. */
struct served {
	char where[DNAME_TEXT_MAX + 100];  /* "ns1.example. (192.0.2.1@53, UDP)" */
	uint32_t serial;
	bool answered;
};

/* Copy f's findings into out, each text led by where. */
static int
add_from(struct findings *out, const struct findings *f, const char *where)
{
	for (size_t i = 0; i < f->count; i++) {
		const struct finding *x = &f->list[i];
		struct finding *y;
		int rc;

		if ((rc = findings_add(out, x->severity, x->code, NULL, "at %s: %s",
		    where, x->text)) != 0)
			return rc;
		if (out->count > 0) {
			y = &out->list[out->count - 1];
			memcpy(y->owner, x->owner, sizeof(y->owner));
			memcpy(y->type, x->type, sizeof(y->type));
		}
	}
	return 0;
}

/* A name no zone should hold, asked to see the proof that it does not exist. */
#define NX_LABEL "zonewarden-check-nx"
/* A type no zone should hold at its apex (private use, RFC 6895 §3.1). */
#define NODATA_TYPE 65280
enum { Q_SOA, Q_NS, Q_DNSKEY, Q_NX, Q_NODATA, QUESTIONS };
/* MX hosts whose TLSA sets are asked: as many as the questions allow. */
#define MX_MAX (DNS_QUESTIONS_MAX - QUESTIONS)

/*
 * Does s's answer to question q (qname, qtype) carry a proof of what it
 * denies? The signatures over its records are judged with the rest of what
 * the server sent. A finding when not.
 */
static int
check_served_denial(const struct dns_server *s, size_t q, const ldns_rdf *qname,
    uint16_t qtype, const uint8_t *apex, const char *where,
    struct findings *out)
{
	const ldns_rr_list *answer = s->answer[q];
	enum denial_kind kinds[2];
	size_t nkinds = 0, nrec;
	struct zrr *recs = NULL;
	char why[2][200] = { "", "" }, name[DNAME_TEXT_MAX], *t;
	unsigned labels = 0;
	bool proven = false;
	int rc;

	t = ldns_rdf2str(qname);
	snprintf(name, sizeof(name), "%s", t != NULL ? t : "?");
	free(t);
	if (answer == NULL)
		return findings_add(out, FINDING_ERROR, "live-no-answer", NULL,
		    "%s: no answer for %s type %u", where, name, qtype);
	/*
	 * A referral (an MX host below a delegation: not this zone's to
	 * deny), an alias (the answer is the target's) or an answer without
	 * authority (check_live_server's live-lame) is not judged here.
	 */
	if (!s->aa[q] || s->aliased[q])
		return 0;
	if (s->rcode[q] == LDNS_RCODE_NXDOMAIN)
		kinds[nkinds++] = q == Q_NODATA ? DENIAL_NODATA : DENIAL_NXDOMAIN;
	else if (ldns_rr_list_rr_count(answer) > 0) {
		/* Records: the name exists, or a wildcard made them. */
		if (!dns_from_wildcard(answer, &labels))
			return 0;
		kinds[nkinds++] = DENIAL_WILDCARD;
	} else {
		/* The name has no such type, or only a wildcard without it. */
		kinds[nkinds++] = DENIAL_NODATA;
		if (q != Q_NODATA)
			kinds[nkinds++] = DENIAL_WILDCARD_NODATA;
	}
	if ((rc = dns_records(s->authority[q], &recs, &nrec)) != 0)
		return rc;
	for (size_t k = 0; k < nkinds && !proven; k++)
		proven = check_denial_proof(recs, nrec, apex,
		    ldns_rdf_data(qname), qtype, kinds[k], labels, why[k],
		    sizeof(why[k]));
	free(recs);
	if (proven && !(q == Q_NODATA && s->rcode[q] == LDNS_RCODE_NXDOMAIN))
		return 0;
	if (q == Q_NODATA && s->rcode[q] == LDNS_RCODE_NXDOMAIN)
		snprintf(why[0], sizeof(why[0]), "the zone apex cannot be a name "
		    "that does not exist");
	return findings_add(out, FINDING_ERROR, "live-denial-unproven", NULL,
	    "%s: its %s for %s type %u does not prove itself: %s%s%s", where,
	    s->rcode[q] == LDNS_RCODE_NXDOMAIN ? "NXDOMAIN" :
	    kinds[0] == DENIAL_WILDCARD ? "wildcard answer" : "empty answer",
	    name, qtype, why[0], nkinds > 1 && !(q == Q_NODATA &&
	    s->rcode[q] == LDNS_RCODE_NXDOMAIN) ? "; nor as a wildcard's: " :
	    "", nkinds > 1 ? why[1] : "");
}

/* Add host to hosts[0..*n) unless it is there (in any case) or there is no room. */
static void
add_host(char hosts[][DNAME_TEXT_MAX], size_t *n, size_t max,
    const char *host)
{
	for (size_t i = 0; i < *n; i++)
		if (strcasecmp(hosts[i], host) == 0)
			return;
	if (*n < max)
		snprintf(hosts[(*n)++], DNAME_TEXT_MAX, "%s", host);
}

/* The MX targets of zone that are in it, each once, as text, from z or through resolver. */
static size_t
mx_hosts(const struct zone *z, const char *zone, const char *resolver,
    char hosts[][DNAME_TEXT_MAX], size_t max)
{
	uint8_t origin[DNAME_MAX_LENGTH];
	size_t n = 0;

	if (dname_parse(zone, origin) != 0)
		return 0;
	if (z != NULL) {
		size_t count;
		const struct zrr *rr = zone_records(z, &count);
		for (size_t i = 0; i < count && n < max; i++) {
			const uint8_t *target = zrr_mx_host(&rr[i]);
			char host[DNAME_TEXT_MAX];
			if (target == NULL || !dname_is_below_or_at(target, origin))
				continue;
			dname_format(target, host, sizeof(host));
			add_host(hosts, &n, max, host);
		}
		return n;
	}
	ldns_resolver *res = dns_resolver(resolver, true);
	ldns_rdf *name = ldns_dname_new_frm_str(zone);
	ldns_rr_list *l = res != NULL && name != NULL ?
	    dns_ask(res, name, LDNS_RR_TYPE_MX, false) : NULL;
	for (size_t i = 0; l != NULL && i < ldns_rr_list_rr_count(l) && n < max;
	    i++) {
		const ldns_rdf *host = ldns_rr_rdf(ldns_rr_list_rr(l, i), 1);
		char *t;
		if (host == NULL ||
		    ldns_rdf_get_type(host) != LDNS_RDF_TYPE_DNAME ||
		    !dname_is_below_or_at(ldns_rdf_data(host), origin))
			continue;
		if ((t = ldns_rdf2str(host)) != NULL)
			add_host(hosts, &n, max, t);
		free(t);
	}
	ldns_rr_list_deep_free(l);
	ldns_rdf_deep_free(name);
	ldns_resolver_deep_free(res);
	return n;
}

int
check_live_server(const char *zone, const struct dns_server *s,
    const ldns_rdf *const *names, const ldns_rr_type *types, size_t nq,
    const struct check_options *so, const char *where, bool *answered,
    uint32_t *serial, struct findings *out)
{
	struct findings f = { 0 };
	struct zone *z = NULL;
	struct diag zd;
	int rc = 0;

	*answered = false;
	if (nq < QUESTIONS || s->answer[Q_SOA] == NULL ||
	    s->answer[Q_NS] == NULL || s->answer[Q_DNSKEY] == NULL)
		return findings_add(out, FINDING_ERROR, "live-no-answer", NULL,
		    "%s: no answer", where);
	/* Every answer with authority, but a referral for a host below a cut. */
	for (size_t q = 0; q < nq; q++)
		if (s->answer[q] != NULL && !s->aa[q] &&
		    !(q >= QUESTIONS && s->referral[q])) {
			char *t = ldns_rdf2str(names[q]);
			rc = findings_add(out, FINDING_ERROR, "live-lame", NULL,
			    "%s: answers %s type %u without authority (no AA "
			    "bit): it does not serve the zone (a lame "
			    "delegation)", where, t != NULL ? t : "?",
			    (unsigned)types[q]);
			free(t);
			break;
		}
	if (rc != 0)
		return rc;
	/*
	 * Names and types that do not exist, TLSA sets included (a sender
	 * defers mail when it cannot tell): proven so?
	 */
	for (size_t q = Q_NX; q < nq && rc == 0; q++)
		if (q < QUESTIONS || s->answer[q] == NULL ||
		    ldns_rr_list_rr_count(s->answer[q]) == 0 ||
		    dns_from_wildcard(s->answer[q], NULL))
			rc = check_served_denial(s, q, names[q],
			    (uint16_t)types[q], ldns_rdf_data(names[Q_SOA]), where,
			    out);
	if (rc != 0)
		return rc;
	diag_clear(&zd);
	if (dns_answer_zone(zone, s, nq, &z, &zd) != 0)
		return findings_add(out, FINDING_ERROR, "live-bad-answer", NULL,
		    "%s: its answers do not make a zone apex: %s", where,
		    zd.text);
	*answered = true;
	*serial = zone_serial(z);
	if ((rc = check_zone(z, so, &f)) == 0)
		rc = add_from(out, &f, where);
	findings_free(&f);
	zone_free(z);
	return rc;
}

int
check_live(const char *zone, const char *resolver,
    const struct check_options *o, struct findings *out, struct diag *d)
{
	ldns_resolver *rec = dns_resolver(resolver, true);
	ldns_rdf *name = ldns_dname_new_frm_str(zone);
	ldns_rdf *nx = name != NULL ? ldns_dname_new_frm_str(NX_LABEL) : NULL;
	struct check_options so = *o;
	struct served *all = NULL;
	char hosts[MX_MAX + 1][DNAME_TEXT_MAX];
	const ldns_rdf *names[DNS_QUESTIONS_MAX] = { 0 };
	ldns_rr_type types[DNS_QUESTIONS_MAX] = { 0 };
	ldns_rdf *tlsa[MX_MAX] = { 0 };
	size_t nall = 0, nhosts = 0, nq = QUESTIONS;
	uint32_t newest = 0;
	bool have_newest = false;
	int rc = 0;

	if (nx != NULL && ldns_dname_cat(nx, name) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(nx);
		nx = NULL;
	}
	if (rec == NULL || name == NULL || nx == NULL) {
		diag_set(d, NULL, 0, "cannot set up a resolver%s%s",
		    resolver ? " for " : " from /etc/resolv.conf",
		    resolver ? resolver : "");
		rc = STATUS_INTERNAL;
		goto out;
	}
	/*
	 * The apex sets, a name and a type that do not exist, and the SMTP
	 * TLSA set of each MX host in the zone: what a validating sender asks.
	 */
	names[Q_SOA] = names[Q_NS] = names[Q_DNSKEY] = names[Q_NODATA] = name;
	names[Q_NX] = nx;
	types[Q_SOA] = LDNS_RR_TYPE_SOA;
	types[Q_NS] = LDNS_RR_TYPE_NS;
	types[Q_DNSKEY] = LDNS_RR_TYPE_DNSKEY;
	types[Q_NX] = LDNS_RR_TYPE_A;
	types[Q_NODATA] = (ldns_rr_type)NODATA_TYPE;
	if ((nhosts = mx_hosts(NULL, zone, resolver, hosts, MX_MAX + 1)) >
	    MX_MAX) {
		nhosts = MX_MAX;
		if ((rc = findings_add(out, FINDING_WARNING, "live-mx-many", NULL,
		    "more than %d MX hosts in the zone: the TLSA sets of the "
		    "first %d are asked", MX_MAX, MX_MAX)) != 0)
			goto out;
	}
	for (size_t h = 0; h < nhosts; h++) {
		char owner[DNAME_TEXT_MAX + 16];
		snprintf(owner, sizeof(owner), "_25._tcp.%.*s",
		    DNAME_TEXT_MAX - 1, hosts[h]);
		if ((tlsa[h] = ldns_dname_new_frm_str(owner)) == NULL)
			continue;
		names[nq] = tlsa[h];
		types[nq++] = LDNS_RR_TYPE_TLSA;
	}
	/* A server's answers are parts of the zone: no chain, SOA or TLSA rules to judge. */
	so.skip |= CHECK_SKIP_DENIAL | CHECK_SKIP_SOA | CHECK_SKIP_TLSA;
	for (int tcp = 0; tcp < 2 && rc == 0; tcp++) {
		struct dns_servers servers = { 0 };
		struct served *grown;

		if ((rc = dns_servers_ask(rec, name, names, types, nq,
		    tcp != 0, &servers, d)) != 0) {
			dns_servers_free(&servers);
			break;
		}
		if (servers.hosts_without_address > 0)
			rc = findings_add(out, FINDING_ERROR, "live-no-address", NULL,
			    "%zu name server%s of the NS set without an address",
			    servers.hosts_without_address,
			    servers.hosts_without_address == 1 ? "" : "s");
		if ((grown = realloc(all, (nall + servers.count + 1) *
		    sizeof(*all))) == NULL)
			rc = STATUS_NOMEM;
		else
			all = grown;
		for (size_t i = 0; i < servers.count && rc == 0; i++) {
			const struct dns_server *s = &servers.server[i];
			struct served *v = &all[nall++];

			memset(v, 0, sizeof(*v));
			snprintf(v->where, sizeof(v->where), "%s (%s, %s)", s->host,
			    s->addr, tcp ? "TCP" : "UDP");
			rc = check_live_server(zone, s, names, types, nq, &so,
			    v->where, &v->answered, &v->serial, out);
			if (v->answered && (!have_newest ||
			    serial_is_greater(v->serial, newest)))
				newest = v->serial;
			have_newest = have_newest || v->answered;
		}
		dns_servers_free(&servers);
	}
	/* Every server serves the newest serial, or one lags behind. */
	for (size_t i = 0; i < nall && rc == 0; i++)
		if (all[i].answered && all[i].serial != newest)
			rc = findings_add(out, FINDING_ERROR, "live-serial-mismatch",
			    NULL, "%s serves serial %u; others serve %u: it has not "
			    "taken the new zone", all[i].where, all[i].serial, newest);
	if (rc == 0 && nall == 0)
		rc = findings_add(out, FINDING_ERROR, "live-no-answer", NULL,
		    "no name server of %s could be asked", zone);
out:
	free(all);
	ldns_rdf_deep_free(name);
	ldns_rdf_deep_free(nx);
	for (size_t h = 0; h < MX_MAX; h++)
		ldns_rdf_deep_free(tlsa[h]);
	ldns_resolver_deep_free(rec);
	return rc;
}

const char *
check_probe_code(enum probe_outcome o)
{
	switch (o) {
	case PROBE_UNREACHABLE: return "probe-unreachable";
	case PROBE_STARTTLS_NOT_SUPPORTED: return "probe-starttls-not-supported";
	case PROBE_VALIDATION_FAILURE: return "probe-validation-failure";
	case PROBE_CERTIFICATE_EXPIRED: return "probe-certificate-expired";
	case PROBE_TLSA_INVALID: return "probe-tlsa-invalid";
	case PROBE_DNSSEC_INVALID: return "probe-dnssec-invalid";
	default: return "probe-ok";
	}
}

int
check_probe(const struct zone *z, const char *zone, const char *resolver,
    int64_t now, unsigned timeout, struct findings *out)
{
	char hosts[16][DNAME_TEXT_MAX];
	size_t nhosts = mx_hosts(z, zone, resolver, hosts, 16);
	struct probe_report *rep = calloc(1, sizeof(*rep));
	int rc = 0;

	if (rep == NULL)
		return STATUS_NOMEM;
	for (size_t h = 0; h < nhosts && rc == 0; h++) {
		struct diag d;

		diag_clear(&d);
		if (tlsa_probe(hosts[h], 25, resolver, now, timeout, rep, &d) != 0) {
			rc = findings_add(out, FINDING_ERROR, "probe-unknown", NULL,
			    "MX host %s: %s", hosts[h], d.text);
			continue;
		}
		if (rep->dns_outcome != PROBE_OK) {
			/* The codes are static strings: one per outcome. */
			rc = findings_add(out, FINDING_ERROR,
			    rep->dns_outcome == PROBE_DNSSEC_INVALID ?
			    "probe-dnssec-invalid" : "probe-tlsa-invalid", NULL,
			    "MX host %s: %s", hosts[h], rep->dns_detail);
			continue;
		}
		if (rep->unusable > 0)
			rc = findings_add(out, FINDING_WARNING, "probe-tlsa-unusable",
			    NULL, "MX host %s: %zu TLSA record%s OpenSSL cannot use",
			    hosts[h], rep->unusable, rep->unusable == 1 ? "" : "s");
		for (size_t i = 0; i < rep->nresults && rc == 0; i++) {
			const struct probe_result *r = &rep->results[i];
			if (r->outcome == PROBE_OK && !r->expired)
				continue;
			rc = findings_add(out, r->outcome == PROBE_OK ?
			    FINDING_WARNING : FINDING_ERROR, r->outcome == PROBE_OK ?
			    "probe-certificate-expired" : check_probe_code(r->outcome), NULL,
			    "MX host %s, %s %s: %s", hosts[h], r->addr, r->key_type,
			    r->detail);
		}
	}
	free(rep);
	return rc;
}
