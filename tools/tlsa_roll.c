/* The shared steps of a TLSA rollover: readiness over DNS, installing a renewed certificate, commit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/status.h"
#include "common/timespec.h"
#include "dns.h"
#include "hook.h"
#include "signer/check.h"
#include "tlsa_roll.h"
#include "zones/zone.h"

const struct tlsa_params tlsa_roll_params = { TLSA_USAGE_DANE_EE,
    TLSA_SELECTOR_SPKI, TLSA_MTYPE_SHA256 };

void
tlsa_roll_key_kind(const struct tlsa_source *s, char *buf, size_t size)
{
	const char *t = tlsa_source_key_type(s);
	size_t n = strcspn(t, " ");

	snprintf(buf, size, "%.*s", (int)n, t);
}

bool
tlsa_rdata_equal(const struct tlsa_rdata *a, const struct tlsa_rdata *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0 &&
	    memcmp(&a->params, &b->params, sizeof(a->params)) == 0;
}

bool
tlsa_roll_host(const char *in, char *out, size_t size)
{
	uint8_t wire[DNAME_MAX_LENGTH], lower[DNAME_MAX_LENGTH];

	if (dname_parse(in, wire) != 0 || wire[0] == 0)
		return false;
	dname_copy_lower(lower, wire);
	dname_format(lower, out, size);
	return true;
}

bool
tlsa_line_for(const struct tlsa_config *t, const char *host, unsigned port)
{
	char h[DNAME_TEXT_MAX];

	return (port == 0 || t->port == port) &&
	    tlsa_roll_host(t->host, h, sizeof(h)) && strcmp(h, host) == 0;
}

int
tlsa_roll_cert_record(const char *path, struct tlsa_rdata *rd, char *kind,
    size_t size, struct diag *d)
{
	struct tlsa_source *src = NULL;
	size_t n;
	int rc;

	if ((rc = tlsa_source_load_cert(path, &src, d)) == 0 &&
	    (rc = tlsa_from_source(src, tlsa_roll_params, rd, 1, &n, d)) == 0)
		tlsa_roll_key_kind(src, kind, size);
	tlsa_source_free(src);
	return rc;
}

/* Is one of our SEP keys in z's DNSKEY set? */
static bool
has_our_key(const struct zone *z, const struct keyset *keys)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	for (size_t i = 0; i < count; i++) {
		if (rr[i].type != RRTYPE_DNSKEY)
			continue;
		for (size_t k = 0; keys != NULL && k < keys->count; k++) {
			size_t len;
			const uint8_t *mine = key_dnskey_rdata(keys->keys[k], &len);
			if (key_is_sep(keys->keys[k]) && len == rr[i].rdlen &&
			    memcmp(mine, rr[i].rdata, len) == 0)
				return true;
		}
	}
	return false;
}

/*
 * What one address of a name server says about s's record: "" when it
 * serves it, signed and valid now, else why not (into why). *ttl gets the
 * TLSA RRset's TTL when it is served.
 */
static void
judge_server(const struct cli *cli, const struct zone_config *zc,
    const struct keyset *keys, const struct dns_server *srv,
    const struct tlsa_staged *s, uint32_t *ttl, char *why, size_t size)
{
	struct zone *z = NULL;
	struct diag d;
	size_t count;
	bool served = false;

	*why = '\0';
	for (size_t q = 0; q < 4; q++)
		if (srv->answer[q] == NULL) {
			snprintf(why, size, "no answer");
			return;
		}
	diag_clear(&d);
	if (dns_answer_zone(zc->name, srv, 4, &z, &d) != 0) {
		snprintf(why, size, "its answers do not make a zone: %s", d.text);
		return;
	}
	const struct zrr *rr = zone_records(z, &count);
	for (size_t i = 0; i < count; i++)
		if (rr[i].type == RRTYPE_TLSA && rr[i].rdlen == 3 + s->next.len &&
		    rr[i].rdata[0] == s->next.params.usage &&
		    rr[i].rdata[1] == s->next.params.selector &&
		    rr[i].rdata[2] == s->next.params.mtype &&
		    memcmp(rr[i].rdata + 3, s->next.data, s->next.len) == 0) {
			served = true;
			*ttl = rr[i].ttl;
		}
	if (!served) {
		snprintf(why, size, "does not serve the staged record yet");
		goto out;
	}
	/* What `check --live` finds wrong with the answers: an error makes it invalid. */
	struct check_options o = { .now = cli->now, .skip = CHECK_SKIP_DENIAL |
	    CHECK_SKIP_SOA | CHECK_SKIP_TLSA };
	struct findings f = { 0 };
	if (check_zone(z, &o, &f) != 0)
		snprintf(why, size, "out of memory");
	else
		for (size_t i = 0; i < f.count && *why == '\0'; i++)
			if (f.list[i].severity == FINDING_ERROR &&
			    snprintf(why, size, "DNSSEC-invalid: %s %s: %s",
			    f.list[i].owner, f.list[i].type, f.list[i].text) >=
			    (int)size)
				why[size - 1] = '\0';     /* cut short: still said */
	findings_free(&f);
	if (*why == '\0' && !has_our_key(z, keys))
		snprintf(why, size, "its DNSKEY set holds none of our KSKs");
out:
	zone_free(z);
}

int
tlsa_roll_check(const struct cli *cli, const struct zone_config *zc,
    const struct keyset *keys, struct tlsa_staged *s, bool report,
    bool *ready, bool *changed, struct diag *d)
{
	char owner_text[DNAME_TEXT_MAX + 16], at[32];
	ldns_rdf *zone = ldns_dname_new_frm_str(zc->name), *owner;
	ldns_resolver *rec = dns_resolver(zc->resolver, true);
	struct dns_servers servers = { 0 };
	uint32_t ttl = zc->tlsa_ttl;
	size_t bad = 0;
	int rc;

	*ready = false;
	*changed = false;
	snprintf(owner_text, sizeof(owner_text), "_%u._tcp.%s", s->port,
	    s->host);
	owner = ldns_dname_new_frm_str(owner_text);
	const ldns_rdf *names[4] = { zone, zone, zone, owner };
	const ldns_rr_type types[4] = { LDNS_RR_TYPE_SOA, LDNS_RR_TYPE_NS,
	    LDNS_RR_TYPE_DNSKEY, LDNS_RR_TYPE_TLSA };
	if (zone == NULL || owner == NULL || rec == NULL) {
		diag_set(d, NULL, 0, "cannot set up a resolver%s%s",
		    zc->resolver ? " for " : " from /etc/resolv.conf",
		    zc->resolver ? zc->resolver : "");
		rc = STATUS_INTERNAL;
		goto out;
	}
	if ((rc = dns_servers_ask(rec, zone, names, types, 4, false, &servers,
	    d)) != 0)
		goto out;
	/* Every address of every name server must serve it, valid. */
	for (size_t k = 0; k < servers.count; k++) {
		char why[1100];
		judge_server(cli, zc, keys, &servers.server[k], s, &ttl, why,
		    sizeof(why));
		if (*why != '\0')
			bad++;
		if (report)
			cli_info(cli, "%s: %s (%s): %s", owner_text,
			    servers.server[k].host, servers.server[k].addr,
			    *why ? why : "serves it, signed and valid");
	}
	if (servers.hosts_without_address > 0) {
		if (report)
			cli_info(cli, "%s: %zu name server%s without an address",
			    zc->name, servers.hosts_without_address,
			    servers.hosts_without_address == 1 ? "" : "s");
		bad++;
	}
	if (servers.count == 0)
		bad++;
	if (bad > 0) {
		*changed = s->served_since != 0;
		s->served_since = 0;
		if (report)
			cli_info(cli, "%s: not ready: %zu of %zu server address%s "
			    "do not serve the staged record, signed and valid",
			    owner_text, bad, servers.count, servers.count == 1 ?
			    "" : "es");
		goto out;
	}
	/* Since when every server serves it: the wait counts from there. */
	if (s->served_since == 0) {
		s->served_since = cli->now;
		*changed = true;
	}
	/* RFC 7671 §8.1: until caches holding the old RRset have let it go. */
	int64_t when = s->served_since + 2 * (int64_t)(ttl > zc->tlsa_ttl ?
	    ttl : zc->tlsa_ttl) + zc->propagation_delay;
	time_format(when, at, sizeof(at));
	*ready = cli->now >= when;
	if (!report)
		goto out;
	if (*ready)
		cli_info(cli, "%s: ready: served everywhere, and caches have had "
		    "2 x TTL + propagation delay (since %s) to take it",
		    owner_text, at);
	else
		cli_info(cli, "%s: not ready: served everywhere since %lld; "
		    "ready at %s (2 x TTL + propagation delay)", owner_text,
		    (long long)s->served_since, at);
out:
	dns_servers_free(&servers);
	ldns_resolver_deep_free(rec);
	ldns_rdf_deep_free(zone);
	ldns_rdf_deep_free(owner);
	return rc;
}

struct copy_job {
	int fd;
	const struct stat *owner;    /* dst as it was, or NULL */
};

static int
copy_out(FILE *out, void *arg)
{
	const struct copy_job *job = arg;
	char buf[65536];
	ssize_t n;

	if (job->owner != NULL &&
	    (fchmod(fileno(out), job->owner->st_mode & 07777) != 0 ||
	    (fchown(fileno(out), job->owner->st_uid, job->owner->st_gid) != 0 &&
	    errno != EPERM)))
		return status_from_errno(errno);
	while ((n = read(job->fd, buf, sizeof(buf))) > 0)
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			return status_from_errno(errno);
	return n < 0 ? status_from_errno(errno) : 0;
}

int
tlsa_roll_install(const char *src, const char *dst, unsigned mode,
    struct diag *d)
{
	struct copy_job job = { -1, NULL };
	struct stat st;
	int rc;

	if ((job.fd = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = status_from_errno(errno);
		diag_set(d, src, 0, "cannot read it");
		return rc;
	}
	if (stat(dst, &st) == 0)
		job.owner = &st;
	if ((rc = file_replace(dst, mode, copy_out, &job)) != 0)
		diag_set(d, dst, 0, "cannot install %s there", src);
	close(job.fd);
	return rc;
}

/* Does a tlsa line of s's port, for s's host, name a certificate that has the staged key? */
static bool
deployed(const struct zone_config *zc, const struct tlsa_staged *s)
{
	for (size_t k = 0; k < zc->ntlsa; k++) {
		const struct tlsa_config *t = &zc->tlsa[k];
		struct tlsa_rdata rd;
		char kind[32];
		struct diag d;

		diag_clear(&d);
		if (tlsa_line_for(t, s->host, s->port) &&
		    tlsa_roll_cert_record(t->cert, &rd, kind, sizeof(kind),
		    &d) == 0 && tlsa_rdata_equal(&rd, &s->next))
			return true;
	}
	return false;
}

/* Is s one of those a commit of host and port (or of the pending copy) takes? */
static bool
selected(const struct tlsa_staged *s, const char *host, unsigned port,
    const char *pending)
{
	if (pending != NULL)
		return strcmp(s->pending_cert, pending) == 0;
	return strcmp(s->host, host) == 0 && (port == 0 || s->port == port);
}

int
tlsa_roll_commit(const struct zone_config *zc, struct tlsa_state *st,
    const char *host, unsigned port, const char *pending, int64_t now,
    size_t *n, struct diag *d)
{
	int rc;

	*n = 0;
	/* First check all: a commit happens whole or not at all. */
	for (size_t i = 0; i < st->nstaged; i++) {
		const struct tlsa_staged *s = &st->staged[i];
		if (!selected(s, host, port, pending))
			continue;
		(*n)++;
		if (!deployed(zc, s)) {
			diag_set(d, NULL, 0, "port %u: no certificate of %s's tlsa "
			    "lines has the staged key (%s) yet: deploy it first, "
			    "then commit", s->port, s->host, s->source);
			return STATUS_KEY_MISSING;
		}
	}
	/* The old record stays one TTL more: a cache may still pair it with an old answer. */
	for (size_t i = 0; i < st->nstaged;) {
		struct tlsa_staged *s = &st->staged[i];
		if (!selected(s, host, port, pending)) {
			i++;
			continue;
		}
		if (s->has_replaces && !tlsa_rdata_equal(&s->replaces, &s->next) &&
		    (rc = tlsa_state_add_retiring(st, s->host, s->port,
		    &s->replaces, now + zc->tlsa_ttl)) != 0)
			return rc;
		if (*s->pending_cert != '\0') {
			/* Another entry may share the copies: the last one removes them. */
			bool shared = false;
			for (size_t k = 0; k < st->nstaged && !shared; k++)
				shared = k != i && strcmp(st->staged[k].pending_cert,
				    s->pending_cert) == 0 &&
				    !selected(&st->staged[k], host, port, pending);
			if (!shared) {
				unlink(s->pending_cert);
				unlink(s->pending_key);
			}
		}
		tlsa_state_remove_staged(st, s);
	}
	return 0;
}

int
tlsa_roll_complete(const struct cli *cli, const struct zone_config *zc,
    const struct keyset *keys, struct tlsa_state *st, unsigned hook_timeout,
    bool *changed, struct diag *d)
{
	int rc = 0;

	*changed = false;
	for (size_t i = 0; i < st->nstaged && rc == 0; i++) {
		struct tlsa_staged *s = &st->staged[i];
		char cert[TLSA_SOURCE_MAX], key[TLSA_SOURCE_MAX];
		size_t n;
		bool all_ready = true, earlier = false;

		if (*s->pending_cert == '\0')
			continue;
		/* Each pending certificate once: its first entry stands for it. */
		for (size_t k = 0; k < i && !earlier; k++)
			earlier = strcmp(st->staged[k].pending_cert,
			    s->pending_cert) == 0;
		if (earlier)
			continue;
		/* Every record the certificate brings must be ready. */
		for (size_t k = i; k < st->nstaged && rc == 0; k++) {
			struct tlsa_staged *o = &st->staged[k];
			bool ready, ch;
			if (strcmp(o->pending_cert, s->pending_cert) != 0)
				continue;
			rc = tlsa_roll_check(cli, zc, keys, o, cli->verbose > 0,
			    &ready, &ch, d);
			*changed |= ch;
			all_ready &= ready;
		}
		if (rc != 0 || !all_ready)
			continue;
		snprintf(cert, sizeof(cert), "%s", s->pending_cert);
		snprintf(key, sizeof(key), "%s", s->pending_key);
		/*
		 * The key first: a certificate never goes out before its key.
		 * Already there (a run cut short after installing it): only the
		 * reload and the commit are left.
		 */
		if (!deployed(zc, s)) {
			if ((rc = tlsa_roll_install(key, s->deploy_key, 0600,
			    d)) != 0 ||
			    (rc = tlsa_roll_install(cert, s->deploy_cert, 0644,
			    d)) != 0)
				break;
			cli_info(cli, "%s: the renewed certificate's records are "
			    "ready: installed %s and %s", zc->name, s->deploy_cert,
			    s->deploy_key);
		}
		if (zc->tlsa_reload != NULL &&
		    (rc = hook_run(zc->tlsa_reload, hook_timeout, d)) != 0)
			break;
		/* Commit every record it brings (their entries share the copies). */
		rc = tlsa_roll_commit(zc, st, NULL, 0, cert, cli->now, &n, d);
		*changed = true;
		i = (size_t)-1;      /* the list changed: from the start again */
	}
	return rc;
}
