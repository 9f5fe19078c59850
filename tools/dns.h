/* DNS questions with ldns: a stub resolver, one query, and the same question put to every name server of a zone. */
#ifndef ZW_DNS_H
#define ZW_DNS_H

#include <ldns/ldns.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/attr.h"
#include "common/diag.h"
#include "zones/dname.h"

/*
 * A stub resolver asking addr ("IP" or "IP@PORT"), or the system's
 * (/etc/resolv.conf) for NULL; 3 s timeout, 2 tries. NULL on failure.
 */
ldns_resolver *dns_resolver(const char *addr, bool recursive);

/*
 * The records of type t in the answer to name (with dnssec: asked with the
 * DO bit, and the RRSIGs over them too). An answer without any is an empty
 * list; no answer at all (timeout, SERVFAIL, REFUSED ...) is NULL.
 */
ldns_rr_list *dns_ask(ldns_resolver *r, const ldns_rdf *name, ldns_rr_type t,
    bool dnssec);

/*
 * Ask a validating resolver r (recursion, DO bit) for name and type: the
 * records of type t in the answer (NULL when no answer came at all), the
 * rcode, and whether the answer carried the AD bit (validated).
 */
ldns_rr_list *dns_ask_validated(ldns_resolver *r, const ldns_rdf *name,
    ldns_rr_type t, ldns_pkt_rcode *rcode, bool *ad);

/* One address of one name server of a zone, and what it answered. */
#define DNS_QUESTIONS_MAX 16
struct dns_server {
	char host[DNAME_TEXT_MAX];   /* its name, from the NS set */
	char addr[80];               /* IP@PORT asked */
	size_t host_index;           /* the same for every address of a host */
	/* Per question: the answer (dns_ask), NULL when it gave none. */
	ldns_rr_list *answer[DNS_QUESTIONS_MAX];
	/*
	 * With it: the rcode, the AA bit, whether it is a referral (no AA,
	 * NS records in the authority section), whether a CNAME or DNAME
	 * answered, and the NSEC, NSEC3 records of the authority section
	 * with their RRSIGs.
	 */
	ldns_pkt_rcode rcode[DNS_QUESTIONS_MAX];
	bool aa[DNS_QUESTIONS_MAX], referral[DNS_QUESTIONS_MAX];
	bool aliased[DNS_QUESTIONS_MAX];
	ldns_rr_list *authority[DNS_QUESTIONS_MAX];
};

/*
 * Keep of packet p, the answer to question q of type t put to s's server:
 * the records of type t and their RRSIGs in the answer section (as
 * dns_ask), and the rcode, AA bit, alias and denial records above. A
 * packet that is no answer (SERVFAIL, REFUSED ...) leaves answer[q] NULL.
 * Returns 0 or STATUS_NOMEM.
 */
int dns_server_take(struct dns_server *s, size_t q, const ldns_pkt *p,
    ldns_rr_type t) WUR;

struct dns_servers {
	struct dns_server *server;   /* every address of every name server */
	size_t count;
	size_t hosts;                /* name servers in the NS set */
	size_t hosts_without_address;
};

/*
 * Find the NS set of zone through rec, the A and AAAA records of each name
 * server, and put the questions (name[i], type[i], with the DO bit) to
 * every address, without recursion, on rec's port, over TCP with tcp
 * (else UDP, falling back to TCP on truncation). A host without any
 * address counts in hosts_without_address. Free out with
 * dns_servers_free, also on failure. Returns 0, STATUS_KEY_MISSING (no NS
 * set) or another status, with d.
 */
int dns_servers_ask(ldns_resolver *rec, const ldns_rdf *zone,
    const ldns_rdf *const *name, const ldns_rr_type *type, size_t questions,
    bool tcp, struct dns_servers *out, struct diag *d) WUR;

/*
 * Is the answer l made from a wildcard (an RRSIG whose labels field is
 * less than its owner's labels)? *labels (if not NULL): that field.
 */
bool dns_from_wildcard(const ldns_rr_list *l, unsigned *labels);

/*
 * The records of l as zone records (*out, one block to free): owners
 * point into l, which must outlive them. Returns 0, STATUS_NOMEM or
 * STATUS_RANGE.
 */
struct zrr;
int dns_records(const ldns_rr_list *l, struct zrr **out, size_t *n) WUR;

/*
 * The records one server address answered to the first questions (their
 * answers, a wildcard's expansion under the wildcard's own name, and the
 * denial records of their authority sections), as a zone of their own for
 * origin (finalized: the apex SOA and NS among them). Returns 0 or a
 * status with d.
 */
struct zone;
int dns_answer_zone(const char *origin, const struct dns_server *s,
    size_t questions, struct zone **out, struct diag *d) WUR;
void dns_servers_free(struct dns_servers *s);

#endif
