/* The parent's DS set for a zone, read from a file with ldns. */
#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "parent.h"

void
parent_ds_free(struct parent_ds *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->count; i++)
		free(p->rdata[i]);
	free(p->rdata);
	free(p->len);
	free(p);
}

/* The DS rdata of rr in wire form (its rdfs one after the other). */
static int
add_ds(struct parent_ds *p, const ldns_rr *rr)
{
	size_t len = 0, at = 0;
	uint8_t *buf;

	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++)
		len += ldns_rdf_size(ldns_rr_rdf(rr, i));
	if ((buf = malloc(len + 1)) == NULL)
		return STATUS_NOMEM;
	for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);
		memcpy(buf + at, ldns_rdf_data(f), ldns_rdf_size(f));
		at += ldns_rdf_size(f);
	}
	uint8_t **r = realloc(p->rdata, (p->count + 1) * sizeof(*r));
	size_t *l = r ? realloc(p->len, (p->count + 1) * sizeof(*l)) : NULL;
	if (r != NULL)
		p->rdata = r;
	if (l == NULL) {
		free(buf);
		return STATUS_NOMEM;
	}
	p->len = l;
	p->rdata[p->count] = buf;
	p->len[p->count++] = len;
	return 0;
}

int
parent_ds_load(const char *path, const char *zone, struct parent_ds **out,
    struct diag *d)
{
	struct parent_ds *p = calloc(1, sizeof(*p));
	ldns_rdf *owner = ldns_dname_new_frm_str(zone);
	char line[4096];
	unsigned long n = 0;
	FILE *f = NULL;
	int rc = 0;

	*out = NULL;
	if (p == NULL || owner == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	if ((f = fopen(path, "r")) == NULL) {
		rc = status_from_errno(errno);
		diag_set(d, path, 0, "cannot read the parent's DS set");
		goto out;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		ldns_rr *rr = NULL;
		char *s = line;

		n++;
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == ';' || *s == '\n' || *s == '\0')
			continue;
		if (ldns_rr_new_frm_str(&rr, s, 3600, NULL, NULL) !=
		    LDNS_STATUS_OK) {
			diag_set(d, path, n, "not a resource record");
			rc = STATUS_SYNTAX;
			goto out;
		}
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_DS &&
		    ldns_dname_compare(ldns_rr_owner(rr), owner) == 0)
			rc = add_ds(p, rr);
		ldns_rr_free(rr);
		if (rc != 0)
			goto out;
	}
	*out = p;
	p = NULL;
out:
	if (f != NULL)
		fclose(f);
	ldns_rdf_deep_free(owner);
	parent_ds_free(p);
	return rc;
}

/* A stub resolver asking addr ("IP" or "IP@PORT"), or the system's (/etc/resolv.conf). */
static ldns_resolver *
make_resolver(const char *addr, bool recursive)
{
	ldns_resolver *r = NULL;
	struct timeval tv = { 3, 0 };

	if (addr == NULL) {
		if (ldns_resolver_new_frm_file(&r, NULL) != LDNS_STATUS_OK)
			return NULL;
	} else {
		char ip[64];
		const char *at = strchr(addr, '@');
		size_t n = at ? (size_t)(at - addr) : strlen(addr);
		ldns_rdf *a;

		if (n >= sizeof(ip) || (r = ldns_resolver_new()) == NULL)
			return NULL;
		memcpy(ip, addr, n);
		ip[n] = '\0';
		if ((a = ldns_rdf_new_frm_str(strchr(ip, ':') ?
		    LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A, ip)) == NULL ||
		    ldns_resolver_push_nameserver(r, a) != LDNS_STATUS_OK) {
			ldns_rdf_deep_free(a);
			ldns_resolver_deep_free(r);
			return NULL;
		}
		ldns_rdf_deep_free(a);
		if (at != NULL)
			ldns_resolver_set_port(r, (uint16_t)strtoul(at + 1, NULL, 10));
	}
	ldns_resolver_set_recursive(r, recursive);
	ldns_resolver_set_timeout(r, tv);
	ldns_resolver_set_retry(r, 2);
	return r;
}

/* The records of type t in the answer of a query for name, or NULL. */
static ldns_rr_list *
ask(ldns_resolver *r, const ldns_rdf *name, ldns_rr_type t, bool dnssec)
{
	ldns_pkt *p = NULL;
	ldns_rr_list *l;

	ldns_resolver_set_dnssec(r, dnssec);
	if (ldns_resolver_query_status(&p, r, name, t, LDNS_RR_CLASS_IN,
	    ldns_resolver_recursive(r) ? LDNS_RD : 0) != LDNS_STATUS_OK ||
	    p == NULL) {
		ldns_pkt_free(p);
		return NULL;
	}
	/* An answer without such records (NODATA) is an answer: an empty list. */
	if ((l = ldns_pkt_rr_list_by_type(p, t, LDNS_SECTION_ANSWER)) == NULL)
		l = ldns_rr_list_new();
	ldns_pkt_free(p);
	return l;
}

/* Narrow *common to the DS records that ds holds too (the first answer sets it). */
static int
keep_common(struct parent_ds **common, const ldns_rr_list *ds)
{
	struct parent_ds *got = calloc(1, sizeof(*got));
	size_t w = 0;
	int rc = 0;

	if (got == NULL)
		return STATUS_NOMEM;
	for (size_t m = 0; m < ldns_rr_list_rr_count(ds) && rc == 0; m++)
		rc = add_ds(got, ldns_rr_list_rr(ds, m));
	if (rc != 0 || *common == NULL) {
		if (rc == 0)
			*common = got;
		else
			parent_ds_free(got);
		return rc;
	}
	for (size_t m = 0; m < (*common)->count; m++) {
		bool in = false;
		for (size_t g = 0; g < got->count && !in; g++)
			in = got->len[g] == (*common)->len[m] &&
			    memcmp(got->rdata[g], (*common)->rdata[m],
			    got->len[g]) == 0;
		if (in) {
			(*common)->rdata[w] = (*common)->rdata[m];
			(*common)->len[w++] = (*common)->len[m];
		} else {
			free((*common)->rdata[m]);
		}
	}
	(*common)->count = w;
	parent_ds_free(got);
	return 0;
}

void
parent_answers_free(struct parent_answers *a)
{
	for (unsigned i = 0; a->server != NULL && i < a->servers; i++)
		parent_ds_free(a->server[i]);
	free(a->server);
	parent_ds_free(a->common);
	memset(a, 0, sizeof(*a));
}

int
parent_ds_query(const char *zone, const char *resolver,
    struct parent_answers *out, struct diag *d)
{
	ldns_resolver *rec = make_resolver(resolver, true);
	ldns_rdf *child = ldns_dname_new_frm_str(zone), *parent = NULL;
	ldns_rr_list *ns = NULL;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (rec == NULL || child == NULL) {
		diag_set(d, NULL, 0, "cannot set up a resolver%s%s",
		    resolver ? " for " : " from /etc/resolv.conf",
		    resolver ? resolver : "");
		rc = STATUS_INTERNAL;
		goto out;
	}
	/* The parent zone: the nearest ancestor with NS records of its own. */
	for (parent = ldns_dname_left_chop(child); parent != NULL;) {
		if ((ns = ask(rec, parent, LDNS_RR_TYPE_NS, false)) != NULL &&
		    ldns_rr_list_rr_count(ns) > 0)
			break;
		ldns_rr_list_deep_free(ns);
		ns = NULL;
		if (ldns_dname_label_count(parent) == 0) {
			ldns_rdf_deep_free(parent);
			parent = NULL;
			break;
		}
		ldns_rdf *up = ldns_dname_left_chop(parent);
		ldns_rdf_deep_free(parent);
		parent = up;
	}
	if (ns == NULL) {
		diag_set(d, NULL, 0, "no name servers found for the parent of %s",
		    zone);
		rc = STATUS_KEY_MISSING;
		goto out;
	}
	if ((out->server = calloc(ldns_rr_list_rr_count(ns) + 1,
	    sizeof(*out->server))) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	/*
	 * Every address of every parent name server, asked without recursion.
	 * A server counts as heard when one of its addresses answers (another
	 * may be out of reach, IPv6 on an IPv4-only host); what it serves is
	 * what every answer of it holds, and what all serve, what every
	 * answer holds.
	 */
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns) && rc == 0; i++) {
		const ldns_rdf *host = ldns_rr_rdf(ldns_rr_list_rr(ns, i), 0);
		ldns_rr_type types[2] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };
		struct parent_ds **mine = &out->server[out->servers++];

		for (int t = 0; t < 2 && rc == 0; t++) {
			ldns_rr_list *addrs = ask(rec, host, types[t], false);
			for (size_t k = 0; addrs && k < ldns_rr_list_rr_count(addrs) &&
			    rc == 0; k++) {
				char *ip = ldns_rdf2str(ldns_rr_rdf(
				    ldns_rr_list_rr(addrs, k), 0));
				char addr[80];
				ldns_resolver *auth;
				ldns_rr_list *ds;

				snprintf(addr, sizeof(addr), "%s@%u", ip ? ip : "",
				    ldns_resolver_port(rec));
				free(ip);
				if ((auth = make_resolver(addr, false)) == NULL)
					continue;
				ds = ask(auth, child, LDNS_RR_TYPE_DS, true);
				ldns_resolver_deep_free(auth);
				if (ds == NULL)
					continue;
				if ((rc = keep_common(mine, ds)) == 0)
					rc = keep_common(&out->common, ds);
				ldns_rr_list_deep_free(ds);
			}
			ldns_rr_list_deep_free(addrs);
		}
		if (*mine != NULL)
			out->answered++;
	}
	/* A server that did not answer may serve anything: nothing counts as seen. */
	if (rc == 0 && (out->answered == 0 || out->answered < out->servers)) {
		parent_ds_free(out->common);
		if ((out->common = calloc(1, sizeof(*out->common))) == NULL)
			rc = STATUS_NOMEM;
	}
out:
	ldns_rr_list_deep_free(ns);
	ldns_rdf_deep_free(parent);
	ldns_rdf_deep_free(child);
	ldns_resolver_deep_free(rec);
	return rc;
}
