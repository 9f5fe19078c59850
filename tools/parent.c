/* The parent's DS set for a zone: read from a file, or asked of the parent's name servers. */
#include <errno.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "dns.h"
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
		if (ldns_rr_get_type(ldns_rr_list_rr(ds, m)) == LDNS_RR_TYPE_DS)
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
	ldns_resolver *rec = dns_resolver(resolver, true);
	ldns_rdf *child = ldns_dname_new_frm_str(zone), *parent = NULL;
	ldns_rr_list *ns = NULL;
	ldns_rr_type ds = LDNS_RR_TYPE_DS;
	struct dns_servers servers = { 0 };
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
		if ((ns = dns_ask(rec, parent, LDNS_RR_TYPE_NS, false)) != NULL &&
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
	if ((rc = dns_servers_ask(rec, parent, (const ldns_rdf *const *)&child,
	    &ds, 1, false, &servers, d)) != 0)
		goto out;
	if ((out->server = calloc(servers.hosts + 1, sizeof(*out->server))) ==
	    NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	/*
	 * A server counts as heard when one of its addresses answers (another
	 * may be out of reach, IPv6 on an IPv4-only host); what it serves is
	 * what every answer of it holds, and what all serve, what every
	 * answer holds.
	 */
	out->servers = (unsigned)servers.hosts;
	for (size_t i = 0; i < servers.count && rc == 0; i++) {
		const struct dns_server *s = &servers.server[i];
		if (s->answer[0] == NULL)
			continue;
		if ((rc = keep_common(&out->server[s->host_index],
		    s->answer[0])) == 0)
			rc = keep_common(&out->common, s->answer[0]);
	}
	for (unsigned h = 0; h < out->servers; h++)
		if (out->server[h] != NULL)
			out->answered++;
	/* A server that did not answer may serve anything: nothing counts as seen. */
	if (rc == 0 && (out->answered == 0 || out->answered < out->servers)) {
		parent_ds_free(out->common);
		if ((out->common = calloc(1, sizeof(*out->common))) == NULL)
			rc = STATUS_NOMEM;
	}
out:
	dns_servers_free(&servers);
	ldns_rr_list_deep_free(ns);
	ldns_rdf_deep_free(parent);
	ldns_rdf_deep_free(child);
	ldns_resolver_deep_free(rec);
	return rc;
}
