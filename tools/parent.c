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
