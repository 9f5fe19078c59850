/* The live DANE probe: SMTP STARTTLS (or direct TLS) to every address, verified with OpenSSL's DANE support. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/status.h"
#include "dns.h"
#include "tlsa_probe.h"

const char *
probe_outcome_name(enum probe_outcome o)
{
	switch (o) {
	case PROBE_OK: return "ok";
	case PROBE_UNREACHABLE: return "unreachable";
	case PROBE_STARTTLS_NOT_SUPPORTED: return "starttls-not-supported";
	case PROBE_VALIDATION_FAILURE: return "validation-failure";
	case PROBE_CERTIFICATE_EXPIRED: return "certificate-expired";
	case PROBE_TLSA_INVALID: return "tlsa-invalid";
	case PROBE_DNSSEC_INVALID: return "dnssec-invalid";
	}
	return "?";
}

/*
 * What OpenSSL's error e says: a system error's text, a reason's text
 * (libssl loads those of its own; the crypto library's are not loaded,
 * see keys_crypto_init), else its code.
 */
static const char *
tls_reason(unsigned long e, char *buf, size_t size)
{
	const char *s;

	if (e == 0)
		return "connection closed";
	if (ERR_SYSTEM_ERROR(e))
		return strerror((int)ERR_GET_REASON(e));
	if ((s = ERR_reason_error_string(e)) != NULL)
		return s;
	snprintf(buf, size, "OpenSSL error %08lX", e);
	return buf;
}

/* Signature algorithms that make a server show a key of one type (TLS 1.2, 1.3). */
static const struct {
	const char *type, *sigalgs;
} key_types[] = {
	{ "ECDSA", "ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:"
	    "ecdsa_secp521r1_sha512" },
	{ "RSA", "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:"
	    "rsa_pkcs1_sha256:rsa_pkcs1_sha384:rsa_pkcs1_sha512" },
};

/* A TCP connection to addr:port with send and receive timeouts; -1 on failure. */
static int
dial(const char *addr, unsigned port, unsigned timeout, char *why, size_t size)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
	struct timeval tv = { (time_t)timeout, 0 };
	socklen_t len;
	int fd, rc, err = 0;

	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		len = sizeof(*v6);
	} else {
		snprintf(why, size, "not an address");
		return -1;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(why, size, "socket: %s", strerror(errno));
		return -1;
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* connect() heeds SO_SNDTIMEO on Linux: bounded too. */
	rc = connect(fd, (struct sockaddr *)&ss, len);
	if (rc != 0)
		err = errno;
	if (rc != 0) {
		snprintf(why, size, "connect: %s", strerror(err));
		close(fd);
		return -1;
	}
	return fd;
}

/* Milliseconds on the monotonic clock. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#define REPLY_TIMEOUT (-1)     /* no whole reply in time, or the connection closed */
#define REPLY_TOO_LONG (-2)

/*
 * Read one SMTP reply (all its lines) into buf before deadline (now_ms
 * time); returns its code, REPLY_TIMEOUT or REPLY_TOO_LONG.
 */
static int
smtp_reply(int fd, char *buf, size_t size, int64_t deadline)
{
	size_t used = 0;

	buf[0] = '\0';
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int64_t left = deadline - now_ms();
		char *line = buf, *nl;
		ssize_t n;

		/* Is a last line ("NNN " or "NNN" then CRLF) complete? */
		while ((nl = memchr(line, '\n', used - (size_t)(line - buf))) != NULL) {
			if (nl - line >= 3 && (nl - line == 3 || line[3] != '-'))
				return atoi(line);
			line = nl + 1;
		}
		if (used + 1 >= size)
			return REPLY_TOO_LONG;
		if (left <= 0 || poll(&pfd, 1, (int)(left > 60000 ? 60000 : left)) <= 0)
			return REPLY_TIMEOUT;
		n = recv(fd, buf + used, size - used - 1, 0);
		if (n <= 0)
			return REPLY_TIMEOUT;
		used += (size_t)n;
		buf[used] = '\0';
	}
}

static bool
smtp_send(int fd, const char *text)
{
	size_t n = strlen(text);

	return send(fd, text, n, MSG_NOSIGNAL) == (ssize_t)n;
}

/* Does an EHLO reply offer STARTTLS (a line "250-STARTTLS" or "250 STARTTLS")? */
static bool
offers_starttls(const char *reply)
{
	for (const char *l = reply; l != NULL && *l; ) {
		if (strncasecmp(l + 4, "STARTTLS", 8) == 0 &&
		    (l[12] == '\r' || l[12] == '\n' || l[12] == ' ' || l[12] == '\0'))
			return true;
		l = strchr(l, '\n');
		if (l != NULL)
			l++;
	}
	return false;
}

/* How an SMTP step failed: a reply code, a timeout or an oversized reply. */
static void
smtp_failed(struct probe_result *r, const char *step, int code)
{
	if (code == REPLY_TIMEOUT) {
		r->outcome = PROBE_UNREACHABLE;
		snprintf(r->detail, sizeof(r->detail), "%s: no reply in time, or "
		    "the connection closed", step);
	} else if (code == REPLY_TOO_LONG) {
		r->outcome = PROBE_STARTTLS_NOT_SUPPORTED;
		snprintf(r->detail, sizeof(r->detail), "%s: a reply longer than "
		    "8 KB", step);
	} else {
		r->outcome = PROBE_STARTTLS_NOT_SUPPORTED;
		snprintf(r->detail, sizeof(r->detail), "%s answered %d", step,
		    code);
	}
}

/*
 * The SMTP part: greeting, EHLO, STARTTLS, all before deadline. Returns
 * true when the server agreed to start TLS; otherwise fills r.
 */
static bool
starttls(int fd, int64_t deadline, struct probe_result *r)
{
	char reply[8192], host[256] = "localhost", ehlo[300];
	int code;

	if ((code = smtp_reply(fd, reply, sizeof(reply), deadline)) != 220) {
		smtp_failed(r, "the greeting", code);
		return false;
	}
	(void)gethostname(host, sizeof(host) - 1);
	snprintf(ehlo, sizeof(ehlo), "EHLO %s\r\n", strchr(host, '.') ? host :
	    "localhost");
	if (!smtp_send(fd, ehlo) ||
	    (code = smtp_reply(fd, reply, sizeof(reply), deadline)) != 250) {
		smtp_failed(r, "EHLO", code);
		return false;
	}
	if (!offers_starttls(reply)) {
		r->outcome = PROBE_STARTTLS_NOT_SUPPORTED;
		snprintf(r->detail, sizeof(r->detail), "EHLO does not offer "
		    "STARTTLS");
		(void)smtp_send(fd, "QUIT\r\n");
		return false;
	}
	if (!smtp_send(fd, "STARTTLS\r\n") ||
	    (code = smtp_reply(fd, reply, sizeof(reply), deadline)) != 220) {
		smtp_failed(r, "STARTTLS", code);
		return false;
	}
	return true;
}

/* "ECDSA", "RSA", "Ed25519", ...: the kind of the server's key. */
static const char *
leaf_key_type(X509 *leaf)
{
	EVP_PKEY *k = leaf != NULL ? X509_get0_pubkey(leaf) : NULL;

	switch (k != NULL ? EVP_PKEY_get_base_id(k) : 0) {
	case EVP_PKEY_EC: return "ECDSA";
	case EVP_PKEY_RSA: case EVP_PKEY_RSA_PSS: return "RSA";
	case EVP_PKEY_ED25519: return "Ed25519";
	case EVP_PKEY_ED448: return "Ed448";
	default: return "other";
	}
}

/* Which of the records OpenSSL matched, by content. */
static int
matched_record(SSL *ssl, const struct probe_report *rep)
{
	uint8_t u, s, m;
	const unsigned char *data;
	size_t len;

	if (SSL_get0_dane_tlsa(ssl, &u, &s, &m, &data, &len) < 0)
		return -1;
	for (size_t i = 0; i < rep->nrecords; i++) {
		const struct tlsa_rdata *rd = &rep->records[i].rd;
		if (rd->params.usage == u && rd->params.selector == s &&
		    rd->params.mtype == m && rd->len == len &&
		    memcmp(rd->data, data, len) == 0)
			return (int)i;
	}
	return -1;
}

/*
 * One connection and handshake to addr for one key type (sigalgs NULL:
 * any). *offered is false when the server has no key of that type.
 */
static void
handshake(SSL_CTX *ctx, const struct probe_report *rep, const char *addr,
    unsigned port, const char *sigalgs, int64_t now, unsigned timeout,
    struct probe_result *r, bool *offered)
{
	bool direct = port == 465 || port == 443;
	int64_t deadline = now_ms() + (int64_t)timeout * 1000;
	char sni[DNAME_TEXT_MAX], algs[256], why[32];
	SSL *ssl = NULL;
	X509 *leaf;
	int fd, depth;
	long vr;

	*offered = true;
	r->matched = -1;
	r->depth = -1;
	if ((fd = dial(addr, port, timeout, r->detail, sizeof(r->detail))) < 0) {
		r->outcome = PROBE_UNREACHABLE;
		return;
	}
	if (!direct && !starttls(fd, deadline, r))
		goto out;
	/* What is left of the time for the handshake, per read and write. */
	{
		int64_t left = deadline - now_ms();
		struct timeval tv = { (time_t)(left > 0 ? left / 1000 : 0),
		    (suseconds_t)(left > 0 ? left % 1000 * 1000 : 1000) };
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	/* OpenSSL's macros take these as char * (and cast): our own copies. */
	snprintf(sni, sizeof(sni), "%s", rep->host);
	snprintf(algs, sizeof(algs), "%s", sigalgs != NULL ? sigalgs : "");
	if ((ssl = SSL_new(ctx)) == NULL ||
	    SSL_set_fd(ssl, fd) != 1 ||
	    SSL_set_tlsext_host_name(ssl, sni) != 1 ||
	    SSL_dane_enable(ssl, rep->host) <= 0 ||
	    (sigalgs != NULL && SSL_set1_sigalgs_list(ssl, algs) != 1)) {
		r->outcome = PROBE_VALIDATION_FAILURE;
		snprintf(r->detail, sizeof(r->detail), "cannot set up TLS");
		goto out;
	}
	/* RFC 7672 §3.1.1: no name checks for DANE-EE; the test clock for the rest. */
	SSL_dane_set_flags(ssl, DANE_FLAG_NO_DANE_EE_NAMECHECKS);
	X509_VERIFY_PARAM_set_time(SSL_get0_param(ssl), (time_t)now);
	for (size_t i = 0; i < rep->nrecords; i++)
		if (rep->records[i].usable)
			(void)SSL_dane_tlsa_add(ssl, rep->records[i].rd.params.usage,
			    rep->records[i].rd.params.selector,
			    rep->records[i].rd.params.mtype,
			    rep->records[i].rd.data, rep->records[i].rd.len);
	/* Verified below, after the handshake: every failure gets its class. */
	SSL_set_verify(ssl, SSL_VERIFY_NONE, NULL);
	ERR_clear_error();
	if (SSL_connect(ssl) != 1) {
		unsigned long e = ERR_peek_last_error();
		/*
		 * No key of this type: the server, finding no signature
		 * algorithm to use, says handshake_failure. Anything else is a
		 * failure of its own (and the caller checks the rest).
		 */
		if (sigalgs != NULL && ERR_GET_LIB(e) == ERR_LIB_SSL &&
		    ERR_GET_REASON(e) == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE)
			*offered = false;
		r->outcome = PROBE_VALIDATION_FAILURE;
		snprintf(r->detail, sizeof(r->detail), "TLS handshake failed: %s",
		    tls_reason(e, why, sizeof(why)));
		goto out;
	}
	if ((leaf = SSL_get0_peer_certificate(ssl)) != NULL)
		r->expired = X509_cmp_time(X509_get0_notAfter(leaf),
		    &(time_t){ (time_t)now }) < 0;
	/* The key the server showed, whatever was asked for. */
	snprintf(r->key_type, sizeof(r->key_type), "%s", leaf_key_type(leaf));
	vr = SSL_get_verify_result(ssl);
	depth = SSL_get0_dane_authority(ssl, NULL, NULL);
	if (vr == X509_V_OK && depth >= 0) {
		r->outcome = PROBE_OK;
		r->matched = matched_record(ssl, rep);
		r->depth = depth;
		snprintf(r->detail, sizeof(r->detail), "%s", r->expired ?
		    "matched, but the certificate has expired (DANE-EE senders "
		    "accept it; others do not)" : "matched");
	} else if (vr == X509_V_ERR_CERT_HAS_EXPIRED) {
		r->outcome = PROBE_CERTIFICATE_EXPIRED;
		snprintf(r->detail, sizeof(r->detail), "%s",
		    X509_verify_cert_error_string(vr));
	} else {
		r->outcome = PROBE_TLSA_INVALID;
		snprintf(r->detail, sizeof(r->detail), "no TLSA record matches "
		    "the certificate chain: %s", X509_verify_cert_error_string(vr));
	}
	/* A polite end; the answer does not matter. */
	(void)SSL_write(ssl, "QUIT\r\n", 6);
	(void)SSL_shutdown(ssl);
out:
	SSL_free(ssl);
	close(fd);
}

/* The TLSA RRset of _port._tcp.host, validated, into rep. */
static int
lookup_tlsa(ldns_resolver *res, struct probe_report *rep, struct diag *d)
{
	char owner[300];
	ldns_rdf *name;
	ldns_rr_list *l;
	ldns_pkt_rcode rcode;
	bool ad;

	snprintf(owner, sizeof(owner), "_%u._tcp.%s.", rep->port, rep->host);
	if ((name = ldns_dname_new_frm_str(owner)) == NULL) {
		diag_set(d, NULL, 0, "'%s' is not a domain name", owner);
		return STATUS_SYNTAX;
	}
	l = dns_ask_validated(res, name, LDNS_RR_TYPE_TLSA, &rcode, &ad);
	ldns_rdf_deep_free(name);
	if (l == NULL) {
		diag_set(d, NULL, 0, "the resolver did not answer for %s", owner);
		return STATUS_INTERNAL;
	}
	rep->tlsa_secure = ad;
	rep->dns_outcome = PROBE_OK;
	if (rcode == LDNS_RCODE_SERVFAIL) {
		/* A validating resolver says SERVFAIL for bogus data. */
		rep->dns_outcome = PROBE_DNSSEC_INVALID;
		snprintf(rep->dns_detail, sizeof(rep->dns_detail), "%s: SERVFAIL "
		    "from the validating resolver (bogus DNSSEC?)", owner);
	} else if (ldns_rr_list_rr_count(l) == 0) {
		rep->dns_outcome = PROBE_TLSA_INVALID;
		snprintf(rep->dns_detail, sizeof(rep->dns_detail), "%s: no TLSA "
		    "records (%s): DANE does not apply", owner,
		    rcode == LDNS_RCODE_NXDOMAIN ? "NXDOMAIN" : "NODATA");
	} else if (!ad) {
		rep->dns_outcome = PROBE_DNSSEC_INVALID;
		snprintf(rep->dns_detail, sizeof(rep->dns_detail), "%s: the answer "
		    "is not validated (no AD bit): senders ignore these records",
		    owner);
	} else
		snprintf(rep->dns_detail, sizeof(rep->dns_detail), "%s: %zu TLSA "
		    "record%s, validated", owner, ldns_rr_list_rr_count(l),
		    ldns_rr_list_rr_count(l) == 1 ? "" : "s");
	for (size_t i = 0; i < ldns_rr_list_rr_count(l) &&
	    rep->nrecords < PROBE_RECORDS_MAX; i++) {
		const ldns_rr *rr = ldns_rr_list_rr(l, i);
		struct probe_record *pr = &rep->records[rep->nrecords];
		const ldns_rdf *f;

		if (ldns_rr_rd_count(rr) != 4)
			continue;
		pr->rd.params.usage = ldns_rdf_data(ldns_rr_rdf(rr, 0))[0];
		pr->rd.params.selector = ldns_rdf_data(ldns_rr_rdf(rr, 1))[0];
		pr->rd.params.mtype = ldns_rdf_data(ldns_rr_rdf(rr, 2))[0];
		f = ldns_rr_rdf(rr, 3);
		if (ldns_rdf_size(f) > sizeof(pr->rd.data))
			continue;
		pr->rd.len = ldns_rdf_size(f);
		memcpy(pr->rd.data, ldns_rdf_data(f), pr->rd.len);
		rep->nrecords++;
	}
	ldns_rr_list_deep_free(l);
	return 0;
}

/* The A and AAAA records of host, as text, into addrs. */
static size_t
lookup_addresses(ldns_resolver *res, const char *host, char addrs[][64],
    size_t max)
{
	ldns_rr_type types[2] = { LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA };
	ldns_rdf *name = ldns_dname_new_frm_str(host);
	size_t n = 0;

	for (int t = 0; name != NULL && t < 2; t++) {
		ldns_pkt_rcode rcode;
		bool ad;
		ldns_rr_list *l = dns_ask_validated(res, name, types[t], &rcode, &ad);
		for (size_t i = 0; l != NULL && i < ldns_rr_list_rr_count(l) &&
		    n < max; i++) {
			char *text = ldns_rdf2str(ldns_rr_rdf(ldns_rr_list_rr(l, i), 0));
			if (text != NULL)
				snprintf(addrs[n++], 64, "%s", text);
			free(text);
		}
		ldns_rr_list_deep_free(l);
	}
	ldns_rdf_deep_free(name);
	return n;
}

int
tlsa_probe(const char *host, unsigned port, const char *resolver, int64_t now,
    unsigned timeout, struct probe_report *rep, struct diag *d)
{
	char addrs[16][64];
	ldns_resolver *res = dns_resolver(resolver, true);
	SSL_CTX *ctx = NULL;
	size_t naddrs;
	int rc;

	memset(rep, 0, sizeof(*rep));
	snprintf(rep->host, sizeof(rep->host), "%s", host);
	if (*rep->host && rep->host[strlen(rep->host) - 1] == '.')
		rep->host[strlen(rep->host) - 1] = '\0';
	rep->port = port;
	if (res == NULL) {
		diag_set(d, NULL, 0, "cannot set up a resolver%s%s",
		    resolver ? " for " : " from /etc/resolv.conf",
		    resolver ? resolver : "");
		return STATUS_INTERNAL;
	}
	if ((rc = lookup_tlsa(res, rep, d)) != 0)
		goto out;
	if ((naddrs = lookup_addresses(res, rep->host, addrs, 16)) == 0) {
		/* Bogus data gives no addresses either: that is the finding. */
		if (rep->dns_outcome == PROBE_DNSSEC_INVALID)
			goto out;
		diag_set(d, NULL, 0, "%s has no address (A or AAAA)", rep->host);
		rc = STATUS_KEY_MISSING;
		goto out;
	}
	rep->addresses = naddrs;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_dane_enable(ctx) <= 0) {
		diag_set(d, NULL, 0, "cannot set up OpenSSL's DANE support");
		rc = STATUS_CRYPTO;
		goto out;
	}
	/* Which records OpenSSL can use at all: the others count as unusable. */
	{
		SSL *probe = SSL_new(ctx);
		if (probe == NULL || SSL_dane_enable(probe, rep->host) <= 0) {
			SSL_free(probe);
			rc = STATUS_CRYPTO;
			goto out;
		}
		for (size_t i = 0; i < rep->nrecords; i++) {
			struct probe_record *pr = &rep->records[i];
			pr->usable = SSL_dane_tlsa_add(probe, pr->rd.params.usage,
			    pr->rd.params.selector, pr->rd.params.mtype,
			    pr->rd.data, pr->rd.len) > 0;
			if (!pr->usable)
				rep->unusable++;
		}
		SSL_free(probe);
	}
	for (size_t a = 0; a < naddrs; a++) {
		bool not_offered = false, stop = false;
		size_t first = rep->nresults;

		for (size_t k = 0; k < sizeof(key_types) / sizeof(key_types[0]) &&
		    rep->nresults < PROBE_RESULTS_MAX && !stop; k++) {
			struct probe_result *r = &rep->results[rep->nresults];
			bool has;

			memset(r, 0, sizeof(*r));
			memcpy(r->addr, addrs[a], sizeof(r->addr));
			snprintf(r->key_type, sizeof(r->key_type), "%s",
			    key_types[k].type);
			handshake(ctx, rep, addrs[a], port, key_types[k].sigalgs, now,
			    timeout, r, &has);
			if (!has) {
				not_offered = true;
				continue;
			}
			rep->nresults++;
			/* Not even a TLS session: the other key type would not fare better. */
			stop = r->outcome == PROBE_UNREACHABLE ||
			    r->outcome == PROBE_STARTTLS_NOT_SUPPORTED;
		}
		/*
		 * A key type the server seemed not to have, or none at all: what
		 * a sender offering everything gets. Reported when it failed, or
		 * showed a key no result above has.
		 */
		if ((not_offered || rep->nresults == first) && !stop &&
		    rep->nresults < PROBE_RESULTS_MAX) {
			struct probe_result *r = &rep->results[rep->nresults];
			bool has, seen = false;

			memset(r, 0, sizeof(*r));
			memcpy(r->addr, addrs[a], sizeof(r->addr));
			snprintf(r->key_type, sizeof(r->key_type), "any");
			handshake(ctx, rep, addrs[a], port, NULL, now, timeout, r,
			    &has);
			for (size_t i = first; i < rep->nresults && !seen; i++)
				seen = strcmp(rep->results[i].key_type, r->key_type) == 0;
			if (r->outcome != PROBE_OK || !seen)
				rep->nresults++;
		}
	}
out:
	SSL_CTX_free(ctx);
	ldns_resolver_deep_free(res);
	return rc;
}
