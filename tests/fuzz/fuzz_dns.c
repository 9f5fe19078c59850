/*
 * DNS answers as check --live receives them from one server: up to six
 * packets, each led by its length (2 bytes), answering in turn the apex
 * SOA, NS and DNSKEY, a name that does not exist (A), a type the apex
 * lacks (65280), and _25._tcp.mail.example.com. TLSA. They are taken in
 * and judged as the live check judges them.
 */
#include <ldns/ldns.h>

#include "fuzz.h"
#include "signer/check.h"
#include "tools/check_live.h"
#include "tools/dns.h"

#define QUESTIONS 6

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const qnames[QUESTIONS] = { "example.com.",
	    "example.com.", "example.com.", "zonewarden-check-nx.example.com.",
	    "example.com.", "_25._tcp.mail.example.com." };
	static const ldns_rr_type qtypes[QUESTIONS] = { LDNS_RR_TYPE_SOA,
	    LDNS_RR_TYPE_NS, LDNS_RR_TYPE_DNSKEY, LDNS_RR_TYPE_A,
	    (ldns_rr_type)65280, LDNS_RR_TYPE_TLSA };
	ldns_rdf *names[QUESTIONS] = { NULL };
	struct dns_server s;
	struct check_options o;
	struct findings f = { 0 };
	uint32_t serial;
	bool answered;

	memset(&s, 0, sizeof(s));
	memset(&o, 0, sizeof(o));
	o.now = 1795305600;
	o.warn = 3 * 86400;
	o.skip = CHECK_SKIP_DENIAL | CHECK_SKIP_SOA | CHECK_SKIP_TLSA;
	for (size_t q = 0; q < QUESTIONS; q++) {
		ldns_pkt *p = NULL;
		size_t len;

		if ((names[q] = ldns_dname_new_frm_str(qnames[q])) == NULL)
			abort();
		if (size < 2)
			continue;
		len = (size_t)(data[0] << 8 | data[1]);
		data += 2;
		size -= 2;
		if (len > size)
			len = size;
		if (ldns_wire2pkt(&p, data, len) == LDNS_STATUS_OK &&
		    dns_server_take(&s, q, p, qtypes[q]) != 0)
			abort();
		ldns_pkt_free(p);
		data += len;
		size -= len;
	}
	if (check_live_server("example.com.", &s, (const ldns_rdf *const *)names,
	    qtypes, QUESTIONS, &o, "fuzz", &answered, &serial, &f) != 0)
		abort();
	/* ZW_FUZZ_VERBOSE: what the live check made of it (for corpus work). */
	if (getenv("ZW_FUZZ_VERBOSE") != NULL) {
		fprintf(stderr, "answered %d serial %u, %zu findings\n", answered,
		    serial, f.count);
		for (size_t i = 0; i < f.count; i++)
			fprintf(stderr, "  %s %s %s: %s\n", f.list[i].code,
			    f.list[i].owner, f.list[i].type, f.list[i].text);
	}
	findings_free(&f);
	for (size_t q = 0; q < DNS_QUESTIONS_MAX; q++) {
		ldns_rr_list_deep_free(s.answer[q]);
		ldns_rr_list_deep_free(s.authority[q]);
	}
	for (size_t q = 0; q < QUESTIONS; q++)
		ldns_rdf_deep_free(names[q]);
	return 0;
}
