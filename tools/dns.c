/* DNS questions with ldns: the stub resolver, one query, every name server of a zone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "dns.h"
#include "zones/zone.h"

ldns_resolver *
dns_resolver(const char *addr, bool recursive)
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

/* Does rr belong in the answer to a question of type t (with its signatures)? */
static bool
wanted(const ldns_rr *rr, ldns_rr_type t, bool dnssec)
{
	if (ldns_rr_get_type(rr) == t)
		return true;
	return dnssec && ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG &&
	    ldns_rr_rd_count(rr) > 0 &&
	    ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)) == t;
}

/* Is rr an NSEC or NSEC3 record, or a signature over one (a denial's records)? */
static bool
denial_record(const ldns_rr *rr)
{
	ldns_rr_type t = ldns_rr_get_type(rr);

	if (t == LDNS_RR_TYPE_RRSIG && ldns_rr_rd_count(rr) > 0)
		t = ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr));
	return t == LDNS_RR_TYPE_NSEC || t == LDNS_RR_TYPE_NSEC3;
}

/* Copies of the records of from that keep says to keep onto *to; false: out of memory. */
static bool
copy_records(const ldns_rr_list *from, ldns_rr_list *to, ldns_rr_type t,
    bool dnssec, bool denial)
{
	for (size_t i = 0; i < ldns_rr_list_rr_count(from); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(from, i);
		ldns_rr *copy;
		if (denial ? !denial_record(rr) : !wanted(rr, t, dnssec))
			continue;
		if ((copy = ldns_rr_clone(rr)) == NULL ||
		    !ldns_rr_list_push_rr(to, copy)) {
			ldns_rr_free(copy);
			return false;
		}
	}
	return true;
}

/* Does the answer section hold a CNAME or DNAME (an alias on the way to name)? */
static bool
has_alias(const ldns_pkt *p)
{
	const ldns_rr_list *l = ldns_pkt_answer(p);

	for (size_t i = 0; i < ldns_rr_list_rr_count(l); i++) {
		ldns_rr_type t = ldns_rr_get_type(ldns_rr_list_rr(l, i));
		if (t == LDNS_RR_TYPE_CNAME || t == LDNS_RR_TYPE_DNAME)
			return true;
	}
	return false;
}

/* The records of type t (with their RRSIGs when dnssec) in p's answer; NULL: no answer (SERVFAIL, REFUSED ...) or no memory. */
static ldns_rr_list *
take_answer(const ldns_pkt *p, ldns_rr_type t, bool dnssec)
{
	ldns_rr_list *l;

	/* NOERROR and NXDOMAIN are answers; SERVFAIL, REFUSED ... are not. */
	if (ldns_pkt_get_rcode(p) != LDNS_RCODE_NOERROR &&
	    ldns_pkt_get_rcode(p) != LDNS_RCODE_NXDOMAIN)
		return NULL;
	if ((l = ldns_rr_list_new()) == NULL)
		return NULL;
	if (!copy_records(ldns_pkt_answer(p), l, t, dnssec, false)) {
		ldns_rr_list_deep_free(l);
		return NULL;
	}
	return l;
}

int
dns_server_take(struct dns_server *s, size_t q, const ldns_pkt *p,
    ldns_rr_type t)
{
	ldns_rr_list *auth;

	if (q >= DNS_QUESTIONS_MAX)
		return STATUS_INTERNAL;
	if ((s->answer[q] = take_answer(p, t, true)) == NULL)
		return 0;
	if ((auth = ldns_rr_list_new()) == NULL ||
	    !copy_records(ldns_pkt_authority(p), auth, t, true, true)) {
		ldns_rr_list_deep_free(auth);
		ldns_rr_list_deep_free(s->answer[q]);
		s->answer[q] = NULL;
		return STATUS_NOMEM;
	}
	s->authority[q] = auth;
	s->rcode[q] = ldns_pkt_get_rcode(p);
	s->aa[q] = ldns_pkt_aa(p);
	s->aliased[q] = has_alias(p);
	/* Not authoritative, pointing at other servers: a referral. */
	s->referral[q] = false;
	for (size_t i = 0; !s->aa[q] &&
	    i < ldns_rr_list_rr_count(ldns_pkt_authority(p)); i++)
		if (ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_authority(p), i)) ==
		    LDNS_RR_TYPE_NS)
			s->referral[q] = true;
	return 0;
}

/* The packet answering name and type t from r, or NULL. */
static ldns_pkt *
query(ldns_resolver *r, const ldns_rdf *name, ldns_rr_type t, bool dnssec)
{
	ldns_pkt *p = NULL;

	ldns_resolver_set_dnssec(r, dnssec);
	if (ldns_resolver_query_status(&p, r, name, t, LDNS_RR_CLASS_IN,
	    ldns_resolver_recursive(r) ? LDNS_RD : 0) != LDNS_STATUS_OK) {
		ldns_pkt_free(p);
		return NULL;
	}
	return p;
}

ldns_rr_list *
dns_ask(ldns_resolver *r, const ldns_rdf *name, ldns_rr_type t, bool dnssec)
{
	ldns_pkt *p = query(r, name, t, dnssec);
	ldns_rr_list *l = p != NULL ? take_answer(p, t, dnssec) : NULL;

	ldns_pkt_free(p);
	return l;
}

ldns_rr_list *
dns_ask_validated(ldns_resolver *r, const ldns_rdf *name, ldns_rr_type t,
    ldns_pkt_rcode *rcode, bool *ad)
{
	ldns_pkt *p = NULL;
	ldns_rr_list *l;

	*ad = false;
	*rcode = LDNS_RCODE_SERVFAIL;
	ldns_resolver_set_dnssec(r, true);
	ldns_resolver_set_recursive(r, true);
	if (ldns_resolver_query_status(&p, r, name, t, LDNS_RR_CLASS_IN,
	    LDNS_RD) != LDNS_STATUS_OK || p == NULL) {
		ldns_pkt_free(p);
		return NULL;
	}
	*rcode = ldns_pkt_get_rcode(p);
	*ad = ldns_pkt_ad(p);
	if ((l = ldns_pkt_rr_list_by_type(p, t, LDNS_SECTION_ANSWER)) == NULL)
		l = ldns_rr_list_new();
	ldns_pkt_free(p);
	return l;
}

void
dns_servers_free(struct dns_servers *s)
{
	for (size_t i = 0; s->server != NULL && i < s->count; i++)
		for (size_t q = 0; q < DNS_QUESTIONS_MAX; q++) {
			ldns_rr_list_deep_free(s->server[i].answer[q]);
			ldns_rr_list_deep_free(s->server[i].authority[q]);
		}
	free(s->server);
	memset(s, 0, sizeof(*s));
}

/* Room for one more server entry. */
static struct dns_server *
add_server(struct dns_servers *s)
{
	struct dns_server *n = realloc(s->server, (s->count + 1) * sizeof(*n));

	if (n == NULL)
		return NULL;
	s->server = n;
	memset(&n[s->count], 0, sizeof(*n));
	return &n[s->count++];
}

int
dns_servers_ask(ldns_resolver *rec, const ldns_rdf *zone,
    const ldns_rdf *const *name, const ldns_rr_type *type, size_t questions,
    bool tcp, struct dns_servers *out, struct diag *d)
{
	ldns_rr_list *ns;
	char zname[DNAME_TEXT_MAX];
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (questions > DNS_QUESTIONS_MAX)
		return STATUS_INTERNAL;
	{
		char *t = ldns_rdf2str(zone);
		snprintf(zname, sizeof(zname), "%s", t ? t : "?");
		free(t);
	}
	if ((ns = dns_ask(rec, zone, LDNS_RR_TYPE_NS, false)) == NULL ||
	    ldns_rr_list_rr_count(ns) == 0) {
		diag_set(d, NULL, 0, "no NS set found for %s", zname);
		ldns_rr_list_deep_free(ns);
		return STATUS_KEY_MISSING;
	}
	/* Every address of every name server, asked without recursion. */
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns) && rc == 0; i++) {
		const ldns_rdf *host = ldns_rr_rdf(ldns_rr_list_rr(ns, i), 0);
		ldns_rr_type types[2] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };
		char *host_text = ldns_rdf2str(host);
		size_t before = out->count;

		out->hosts++;
		for (int t = 0; t < 2 && rc == 0; t++) {
			ldns_rr_list *addrs = dns_ask(rec, host, types[t], false);
			for (size_t k = 0; addrs && k < ldns_rr_list_rr_count(addrs) &&
			    rc == 0; k++) {
				char *ip = ldns_rdf2str(ldns_rr_rdf(
				    ldns_rr_list_rr(addrs, k), 0));
				struct dns_server *s = add_server(out);
				ldns_resolver *auth;

				if (s == NULL) {
					free(ip);
					rc = STATUS_NOMEM;
					break;
				}
				snprintf(s->host, sizeof(s->host), "%s",
				    host_text ? host_text : "?");
				snprintf(s->addr, sizeof(s->addr), "%s@%u",
				    ip ? ip : "", ldns_resolver_port(rec));
				s->host_index = out->hosts - 1;
				free(ip);
				if ((auth = dns_resolver(s->addr, false)) == NULL)
					continue;
				ldns_resolver_set_usevc(auth, tcp);
				for (size_t q = 0; q < questions && rc == 0; q++) {
					ldns_pkt *p = query(auth, name[q], type[q],
					    true);
					if (p != NULL)
						rc = dns_server_take(s, q, p, type[q]);
					ldns_pkt_free(p);
				}
				ldns_resolver_deep_free(auth);
			}
			ldns_rr_list_deep_free(addrs);
		}
		if (out->count == before)
			out->hosts_without_address++;
		free(host_text);
	}
	ldns_rr_list_deep_free(ns);
	return rc;
}

bool
dns_from_wildcard(const ldns_rr_list *l, unsigned *labels)
{
	for (size_t i = 0; l != NULL && i < ldns_rr_list_rr_count(l); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		const ldns_rdf *f;
		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG ||
		    (f = ldns_rr_rrsig_labels(rr)) == NULL ||
		    ldns_rdf_size(f) != 1)
			continue;
		if (ldns_rdf_data(f)[0] <
		    ldns_dname_label_count(ldns_rr_owner(rr)) -
		    (ldns_dname_is_wildcard(ldns_rr_owner(rr)) ? 1 : 0)) {
			if (labels != NULL)
				*labels = ldns_rdf_data(f)[0];
			return true;
		}
	}
	return false;
}

int
dns_records(const ldns_rr_list *l, struct zrr **out, size_t *n)
{
	size_t count = l != NULL ? ldns_rr_list_rr_count(l) : 0, bytes = 0;
	uint8_t *data;
	struct zrr *v;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < count; i++)
		for (size_t k = 0; k < ldns_rr_rd_count(ldns_rr_list_rr(l, i)); k++)
			bytes += ldns_rdf_size(ldns_rr_rdf(ldns_rr_list_rr(l, i), k));
	if ((v = calloc(1, count * sizeof(*v) + bytes + 1)) == NULL)
		return STATUS_NOMEM;
	data = (uint8_t *)(v + count);
	for (size_t i = 0; i < count; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		size_t len = 0;

		v[i].owner = ldns_rdf_data(ldns_rr_owner(rr));
		v[i].type = (uint16_t)ldns_rr_get_type(rr);
		v[i].ttl = ldns_rr_ttl(rr);
		v[i].rdata = data;
		for (size_t k = 0; k < ldns_rr_rd_count(rr); k++) {
			const ldns_rdf *f = ldns_rr_rdf(rr, k);
			memcpy(data + len, ldns_rdf_data(f), ldns_rdf_size(f));
			len += ldns_rdf_size(f);
		}
		if (len > UINT16_MAX) {
			free(v);
			return STATUS_RANGE;
		}
		v[i].rdlen = (uint16_t)len;
		data += len;
	}
	*out = v;
	*n = count;
	return 0;
}

int
dns_answer_zone(const char *origin, const struct dns_server *s,
    size_t questions, struct zone **out, struct diag *d)
{
	uint8_t rdata[65535];
	struct zone *z = NULL;
	int rc;

	*out = NULL;
	if ((rc = zone_new(origin, &z)) != 0)
		return rc;
	for (size_t q = 0; q < 2 * questions && rc == 0; q++) {
		const ldns_rr_list *l = q < questions ? s->answer[q] :
		    s->authority[q - questions];

		unsigned labels = 0;
		/*
		 * A wildcard's expansion is checked as the wildcard's own
		 * records: the owner its signature covers (RFC 4035 §5.3.2).
		 */
		bool expanded = q < questions && dns_from_wildcard(l, &labels);

		if (l == NULL)
			continue;
		for (size_t i = 0; i < ldns_rr_list_rr_count(l) && rc == 0; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(l, i);
			const uint8_t *owner = ldns_rdf_data(ldns_rr_owner(rr));
			uint8_t wild[DNAME_MAX_LENGTH];
			size_t len = 0;
			bool fits = true;

			if (expanded) {
				while (dname_label_count(owner) > labels)
					owner = dname_parent(owner);
				if (dname_length(owner) + 2 > sizeof(wild))
					continue;
				wild[0] = 1;
				wild[1] = '*';
				memcpy(wild + 2, owner, dname_length(owner));
				owner = wild;
			}

			for (size_t k = 0; k < ldns_rr_rd_count(rr) && fits; k++) {
				const ldns_rdf *f = ldns_rr_rdf(rr, k);
				fits = len + ldns_rdf_size(f) <= sizeof(rdata);
				if (fits) {
					memcpy(rdata + len, ldns_rdf_data(f),
					    ldns_rdf_size(f));
					len += ldns_rdf_size(f);
				}
			}
			const char *why = fits ? rdata_check(
			    (uint16_t)ldns_rr_get_type(rr), rdata, len) : NULL;
			if (why != NULL) {
				char *t = ldns_rdf2str(ldns_rr_owner(rr));
				diag_set(d, NULL, 0, "%s type %u: malformed rdata: %s",
				    t != NULL ? t : "?", ldns_rr_get_type(rr), why);
				free(t);
				rc = STATUS_ZONE_CONTENT;
				break;
			}
			rc = fits ? zone_add(z, owner,
			    (uint16_t)ldns_rr_get_type(rr), ldns_rr_ttl(rr),
			    rdata, len) : STATUS_RANGE;
		}
	}
	if (rc == 0)
		rc = zone_finalize(z, d);
	if (rc == 0)
		*out = z;
	else
		zone_free(z);
	return rc;
}
