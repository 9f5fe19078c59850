/*
 * The live DANE check of a mail server (RFC 7672): its TLSA RRset through a
 * validating resolver, then every address of the host over SMTP STARTTLS
 * (or TLS from the start on 465 and 443), the presented chain verified
 * against the records with OpenSSL's DANE support, once per key type the
 * server offers.
 */
#ifndef ZW_TLSA_PROBE_H
#define ZW_TLSA_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"
#include "common/diag.h"
#include "keys/tlsa.h"

/* How a DANE sender would see it (the TLS-RPT result types, RFC 8460 §4.3). */
enum probe_outcome {
	PROBE_OK,                    /* a usable TLSA record matched */
	PROBE_UNREACHABLE,           /* no TCP connection */
	PROBE_STARTTLS_NOT_SUPPORTED,
	PROBE_VALIDATION_FAILURE,    /* the TLS handshake itself failed */
	PROBE_CERTIFICATE_EXPIRED,
	PROBE_TLSA_INVALID,          /* no usable record matches the chain */
	PROBE_DNSSEC_INVALID,        /* the TLSA RRset is not validated */
};
const char *probe_outcome_name(enum probe_outcome o);

#define PROBE_RECORDS_MAX 32
#define PROBE_RESULTS_MAX 32

/* One record of the TLSA RRset, and whether OpenSSL can use it. */
struct probe_record {
	struct tlsa_rdata rd;
	bool usable;
	char label[16];              /* set by the caller: "current", "next", ... */
};

/* One handshake: an address of the host, for one kind of server key. */
struct probe_result {
	char addr[64];
	char key_type[16];           /* "ECDSA", "RSA", or "any" */
	enum probe_outcome outcome;
	int matched;                 /* index into the records, or -1 */
	int depth;                   /* of the matched certificate (0: the server's) */
	bool expired;                /* the server's certificate, at the clock */
	char detail[256];
};

struct probe_report {
	char host[254];              /* as asked, without a trailing dot */
	unsigned port;
	/* The TLSA RRset: validated (AD), or why not in dns_detail. */
	bool tlsa_secure;
	enum probe_outcome dns_outcome;    /* PROBE_OK or PROBE_DNSSEC_INVALID/TLSA_INVALID */
	char dns_detail[512];
	struct probe_record records[PROBE_RECORDS_MAX];
	size_t nrecords, unusable;
	struct probe_result results[PROBE_RESULTS_MAX];
	size_t nresults;
	size_t addresses;
};

/*
 * Probe host on port through resolver ("IP[@PORT]" or NULL for
 * /etc/resolv.conf; it must validate DNSSEC), verifying at now, each
 * connection bounded by timeout seconds. Returns 0 (the report holds every
 * outcome) or a status with d when nothing could be asked (resolver, no
 * address).
 */
int tlsa_probe(const char *host, unsigned port, const char *resolver,
    int64_t now, unsigned timeout, struct probe_report *out,
    struct diag *d) WUR;

#endif
