/* The live checks: every address of every name server, over UDP and TCP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int
check_live(const char *zone, const char *resolver,
    const struct check_options *o, struct findings *out, struct diag *d)
{
	ldns_resolver *rec = dns_resolver(resolver, true);
	ldns_rdf *name = ldns_dname_new_frm_str(zone);
	struct check_options so = *o;
	struct served *all = NULL;
	size_t nall = 0;
	uint32_t newest = 0;
	bool have_newest = false;
	int rc = 0;

	if (rec == NULL || name == NULL) {
		diag_set(d, NULL, 0, "cannot set up a resolver%s%s",
		    resolver ? " for " : " from /etc/resolv.conf",
		    resolver ? resolver : "");
		rc = STATUS_INTERNAL;
		goto out;
	}
	/* A server's answers are the apex only: no chain, SOA or TLSA to judge. */
	so.skip |= CHECK_SKIP_DENIAL | CHECK_SKIP_SOA | CHECK_SKIP_TLSA;
	for (int tcp = 0; tcp < 2 && rc == 0; tcp++) {
		const ldns_rdf *names[3] = { name, name, name };
		const ldns_rr_type types[3] = { LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NS,
		    LDNS_RR_TYPE_DNSKEY };
		struct dns_servers servers = { 0 };
		struct served *grown;

		if ((rc = dns_servers_ask(rec, name, names, types, 3, tcp != 0,
		    &servers, d)) != 0) {
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
			struct findings f = { 0 };
			struct zone *z = NULL;
			struct diag zd;

			memset(v, 0, sizeof(*v));
			snprintf(v->where, sizeof(v->where), "%s (%s, %s)", s->host,
			    s->addr, tcp ? "TCP" : "UDP");
			if (s->answer[0] == NULL || s->answer[1] == NULL ||
			    s->answer[2] == NULL) {
				rc = findings_add(out, FINDING_ERROR, "live-no-answer",
				    NULL, "%s: no answer", v->where);
				continue;
			}
			diag_clear(&zd);
			if (dns_answer_zone(zone, s, 3, &z, &zd) != 0) {
				rc = findings_add(out, FINDING_ERROR, "live-bad-answer",
				    NULL, "%s: its answers do not make a zone apex: %s",
				    v->where, zd.text);
				continue;
			}
			v->answered = true;
			v->serial = zone_serial(z);
			if (!have_newest || serial_is_greater(v->serial, newest))
				newest = v->serial;
			have_newest = true;
			if ((rc = check_zone(z, &so, &f)) == 0)
				rc = add_from(out, &f, v->where);
			findings_free(&f);
			zone_free(z);
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
	ldns_resolver_deep_free(rec);
	return rc;
}

/* The finding code for a probe outcome (static: findings keep the pointer). */
static const char *
probe_code(enum probe_outcome o)
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

/* The MX targets of zone that are in it, as text, from z or through resolver. */
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
			if (rr[i].type != RRTYPE_MX || rr[i].rdlen < 3 ||
			    !dname_is_below_or_at(rr[i].rdata + 2, origin))
				continue;
			dname_format(rr[i].rdata + 2, hosts[n], DNAME_TEXT_MAX);
			n++;
		}
		return n;
	}
	ldns_resolver *res = dns_resolver(resolver, true);
	ldns_rdf *name = ldns_dname_new_frm_str(zone);
	ldns_rr_list *l = res != NULL && name != NULL ?
	    dns_ask(res, name, LDNS_RR_TYPE_MX, false) : NULL;
	for (size_t i = 0; l != NULL && i < ldns_rr_list_rr_count(l) && n < max;
	    i++) {
		char *t = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(l, i), 1));
		if (t != NULL)
			snprintf(hosts[n++], DNAME_TEXT_MAX, "%s", t);
		free(t);
	}
	ldns_rr_list_deep_free(l);
	ldns_rdf_deep_free(name);
	ldns_resolver_deep_free(res);
	return n;
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
			    "probe-certificate-expired" : probe_code(r->outcome), NULL,
			    "MX host %s, %s %s: %s", hosts[h], r->addr, r->key_type,
			    r->detail);
		}
	}
	free(rep);
	return rc;
}
