/*
 * zonewarden tlsa stage, ready and commit: a certificate renewal with a new
 * key, without a moment when senders see a TLSA RRset that does not match
 * the certificate served (RFC 7671 §8.1: publish the next key's record,
 * wait until every cache can hold it, then deploy, then drop the old one).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/fileio.h"
#include "common/status.h"
#include "common/timespec.h"
#include "config.h"
#include "dns.h"
#include "keys/keystore.h"
#include "keys/tlsa.h"
#include "run.h"
#include "signer/signer.h"
#include "tlsa_state.h"
#include "zones/zone.h"

#define LOCK_WAIT 60
#define HOOK_TIMEOUT 120

static const struct tlsa_params p311 = { TLSA_USAGE_DANE_EE,
    TLSA_SELECTOR_SPKI, TLSA_MTYPE_SHA256 };

/* What a command works on: the zone, the host, maybe one port; the state under the lock. */
struct roll {
	struct config *config;
	const struct zone_config *zc;
	char host[DNAME_TEXT_MAX];   /* lower case, absolute */
	unsigned port;               /* 0: every port of the host */
	struct tlsa_state st;
	int lock;
};

static void
roll_clear(struct roll *r)
{
	file_unlock(r->lock);
	r->lock = -1;
	tlsa_state_free(&r->st);
	config_free(r->config);
}

/* "RSA", "ECDSA", "Ed25519": the kind of key, which a renewal keeps. */
static void
key_kind(const struct tlsa_source *s, char *buf, size_t size)
{
	const char *t = tlsa_source_key_type(s);
	size_t n = strcspn(t, " ");

	snprintf(buf, size, "%.*s", (int)n, t);
}

static bool
same_rdata(const struct tlsa_rdata *a, const struct tlsa_rdata *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0 &&
	    memcmp(&a->params, &b->params, sizeof(a->params)) == 0;
}

/* Lower-case absolute text of a host name; false when it is none. */
static bool
host_text(const char *in, char *out, size_t size)
{
	uint8_t wire[DNAME_MAX_LENGTH], lower[DNAME_MAX_LENGTH];

	if (dname_parse(in, wire) != 0 || wire[0] == 0)
		return false;
	dname_copy_lower(lower, wire);
	dname_format(lower, out, size);
	return true;
}

/* Does tlsa line t publish for r's host (and port)? */
static bool
line_matches(const struct roll *r, const struct tlsa_config *t)
{
	char h[DNAME_TEXT_MAX];

	return host_text(t->host, h, sizeof(h)) && strcmp(h, r->host) == 0 &&
	    (r->port == 0 || t->port == r->port);
}

/* The 3 1 1 of a certificate file, and its key kind. Returns 0 or a status with d. */
static int
cert_record(const char *path, struct tlsa_rdata *rd, char *kind, size_t size,
    struct diag *d)
{
	struct tlsa_source *src = NULL;
	size_t n;
	int rc;

	if ((rc = tlsa_source_load_cert(path, &src, d)) == 0 &&
	    (rc = tlsa_from_source(src, p311, rd, 1, &n, d)) == 0)
		key_kind(src, kind, size);
	tlsa_source_free(src);
	return rc;
}

/*
 * Options and arguments: ZONE HOST, --config, --port, and for stage one of
 * --cert, --key or --csr (into *file, *file_kind). Loads the config, takes
 * the zone's lock and reads the TLSA state. Returns an exit code.
 */
static int
roll_open(struct cli *cli, int argc, char **argv, bool staging,
    const char **file, char *file_kind, struct roll *r)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'k' },
		{ "csr", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CONFIG_DEFAULT_PATH;
	char lock_path[PATH_MAX];
	struct diag d;
	int ch, rc;
	bool found = false;

	memset(r, 0, sizeof(*r));
	r->lock = -1;
	diag_clear(&d);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'p':
			if (cli_parse_count(optarg, 65535, &r->port) != 0 ||
			    r->port == 0)
				return cli_usage(cli, "%s: --port: '%s' is not a "
				    "port from 1 to 65535", cli->command, optarg);
			break;
		case 'C': case 'k': case 'r':
			if (!staging)
				return cli_usage(cli, "%s: unknown option",
				    cli->command);
			if (*file != NULL)
				return cli_usage(cli, "%s: give one of --cert, "
				    "--key or --csr", cli->command);
			*file = optarg;
			*file_kind = (char)ch;
			break;
		default:
			return cli_usage(cli, "%s: unknown option", cli->command);
		}
	}
	if (optind + 2 != argc)
		return cli_usage(cli, "%s: give ZONE and HOST", cli->command);
	if (staging && *file == NULL)
		return cli_usage(cli, "%s: give the new certificate, key or CSR "
		    "(--cert, --key or --csr)", cli->command);
	if (!host_text(argv[optind + 1], r->host, sizeof(r->host)))
		return cli_usage(cli, "%s: '%s' is not a host name", cli->command,
		    argv[optind + 1]);
	if ((rc = config_load(path, &r->config, &d)) != 0)
		return cli_fail(cli, rc, &d, path);
	if ((r->zc = config_find_zone(r->config, argv[optind])) == NULL)
		return cli_usage(cli, "%s: zone '%s' is not in %s", cli->command,
		    argv[optind], path);
	for (size_t i = 0; i < r->zc->ntlsa && !found; i++)
		found = line_matches(r, &r->zc->tlsa[i]);
	if (!found) {
		diag_set(&d, r->zc->config_file, r->zc->line, "no tlsa line of "
		    "zone %s publishes for %s%s", r->zc->name, r->host,
		    r->port ? " on that port" : "");
		return cli_fail(cli, STATUS_SYNTAX, &d, NULL);
	}
	if ((rc = file_mkdirs(r->zc->keydir, 0700)) != 0) {
		diag_set(&d, r->zc->keydir, 0, "cannot make the key folder");
		return cli_fail(cli, rc, &d, NULL);
	}
	snprintf(lock_path, sizeof(lock_path), "%s/.lock", r->zc->keydir);
	if ((rc = file_lock(lock_path, LOCK_WAIT, &r->lock)) != 0) {
		diag_set(&d, lock_path, 0, "cannot take the zone's lock");
		return cli_fail(cli, rc, &d, NULL);
	}
	if ((rc = tlsa_state_load(r->zc->keydir, &r->st, &d)) != 0)
		return cli_fail(cli, rc, &d, NULL);
	return EXIT_OK;
}

/* Save the state, let go of the lock, and run the zone so that DNS shows the change. */
static int
roll_publish(const struct cli *cli, struct roll *r)
{
	struct run_options o = { .lock_wait = LOCK_WAIT,
	    .hook_timeout = HOOK_TIMEOUT };
	struct run_result res;
	struct diag d;
	int rc;

	diag_clear(&d);
	if ((rc = tlsa_state_save(r->zc->keydir, &r->st, cli->now, &d)) != 0)
		return cli_fail(cli, rc, &d, NULL);
	file_unlock(r->lock);
	r->lock = -1;
	if ((rc = run_zone(cli, r->zc, &o, &res)) != 0)
		return cli_fail(cli, rc, &res.diag, r->zc->name);
	run_report(cli, r->zc, &o, &res);
	return EXIT_OK;
}

int
cmd_tlsa_stage(struct cli *cli, int argc, char **argv)
{
	const char *file = NULL;
	char file_kind = 0, kind[32];
	struct tlsa_source *src = NULL;
	struct tlsa_rdata next;
	struct roll r;
	struct diag d;
	size_t n, staged = 0, matched = 0;
	int ex, rc;

	diag_clear(&d);
	if ((ex = roll_open(cli, argc, argv, true, &file, &file_kind, &r)) !=
	    EXIT_OK)
		goto out;
	rc = file_kind == 'C' ? tlsa_source_load_cert(file, &src, &d) :
	    file_kind == 'k' ? tlsa_source_load_key(file, &src, &d) :
	    tlsa_source_load_csr(file, &src, &d);
	if (rc == 0)
		rc = tlsa_from_source(src, p311, &next, 1, &n, &d);
	if (rc != 0) {
		ex = cli_fail(cli, rc, &d, file);
		goto out;
	}
	key_kind(src, kind, sizeof(kind));
	/*
	 * Each port of the host whose deployed certificate has a key of the
	 * same kind (an RSA and an ECDSA certificate renew apart).
	 */
	for (size_t i = 0; i < r.zc->ntlsa; i++) {
		const struct tlsa_config *t = &r.zc->tlsa[i];
		struct tlsa_rdata now_rd;
		struct tlsa_staged *s;
		char now_kind[32];
		bool have_now;

		if (!line_matches(&r, t))
			continue;
		diag_clear(&d);
		have_now = cert_record(t->cert, &now_rd, now_kind,
		    sizeof(now_kind), &d) == 0;
		if (have_now && strcmp(now_kind, kind) != 0)
			continue;
		if (!have_now) {
			diag_set(&d, r.zc->config_file, t->line, "tlsa: %s cannot "
			    "be read: staging without the record it replaces",
			    t->cert);
			cli_warn(cli, &d);
		}
		matched++;
		s = tlsa_state_find(&r.st, r.host, t->port, kind);
		if (have_now && same_rdata(&now_rd, &next)) {
			cli_info(cli, "%s port %u: the deployed certificate %s "
			    "has this key already: nothing to stage", r.host,
			    t->port, t->cert);
			if (s != NULL)
				tlsa_state_remove_staged(&r.st, s);
			continue;
		}
		if (s != NULL && same_rdata(&s->next, &next))
			cli_info(cli, "%s port %u: staged already (since %lld)",
			    r.host, t->port, (long long)s->staged_at);
		else {
			if (s == NULL && (s = tlsa_state_add_staged(&r.st)) == NULL) {
				ex = cli_fail(cli, STATUS_NOMEM, NULL, NULL);
				goto out;
			}
			snprintf(s->host, sizeof(s->host), "%s", r.host);
			s->port = t->port;
			snprintf(s->key_type, sizeof(s->key_type), "%s", kind);
			s->next = next;
			s->has_replaces = have_now;
			if (have_now)
				s->replaces = now_rd;
			char *abs = realpath(file, NULL);
			snprintf(s->source, sizeof(s->source), "%s",
			    abs != NULL ? abs : file);
			free(abs);
			s->staged_at = cli->now;
			s->served_since = 0;
		}
		staged++;
	}
	if (matched == 0) {
		diag_set(&d, r.zc->config_file, r.zc->line, "no tlsa line of "
		    "zone %s for %s%s has a certificate with an %s key, as %s "
		    "has", r.zc->name, r.host, r.port ? " on that port" : "",
		    kind, file);
		ex = cli_fail(cli, STATUS_KEY_MISSING, &d, NULL);
		goto out;
	}
	if ((ex = roll_publish(cli, &r)) == EXIT_OK && staged > 0)
		cli_info(cli, "%s: staged %s's record on %zu port%s; 'zonewarden "
		    "tlsa ready %s %s' says when the new certificate may be "
		    "deployed", r.host, file, staged, staged == 1 ? "" : "s",
		    r.zc->name, r.host);
out:
	tlsa_source_free(src);
	roll_clear(&r);
	return ex;
}

/* The zone's RRsets one name server address answered, as a zone of their own. */
static int
answer_zone(const struct zone_config *zc, const struct dns_server *s,
    size_t questions, struct zone **out, struct diag *d)
{
	struct zone *z = NULL;
	int rc;

	*out = NULL;
	if ((rc = zone_new(zc->name, &z)) != 0)
		return rc;
	for (size_t q = 0; q < questions && rc == 0; q++)
		for (size_t i = 0; i < ldns_rr_list_rr_count(s->answer[q]) &&
		    rc == 0; i++) {
			const ldns_rr *rr = ldns_rr_list_rr(s->answer[q], i);
			uint8_t rdata[65535];
			size_t len = 0;
			bool fits = true;

			for (size_t k = 0; k < ldns_rr_rd_count(rr) && fits; k++) {
				const ldns_rdf *f = ldns_rr_rdf(rr, k);
				fits = len + ldns_rdf_size(f) <= sizeof(rdata);
				if (fits) {
					memcpy(rdata + len, ldns_rdf_data(f),
					    ldns_rdf_size(f));
					len += ldns_rdf_size(f);
				}
			}
			rc = fits ? zone_add(z, ldns_rdf_data(ldns_rr_owner(rr)),
			    (uint16_t)ldns_rr_get_type(rr), ldns_rr_ttl(rr),
			    rdata, len) : STATUS_RANGE;
		}
	if (rc == 0)
		rc = zone_finalize(z, d);
	if (rc == 0)
		*out = z;
	else
		zone_free(z);
	return rc;
}

/* Is one of our published SEP keys in z's DNSKEY set? */
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
 * TLSA RRset's TTL.
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
	if (answer_zone(zc, srv, 4, &z, &d) != 0) {
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
	if (!served)
		snprintf(why, size, "does not serve the staged record yet");
	else if (signer_verify_signatures(z, cli->now, &d) != 0)
		snprintf(why, size, "DNSSEC-invalid: %s", d.text);
	else if (!has_our_key(z, keys))
		snprintf(why, size, "its DNSKEY set holds none of our KSKs");
	zone_free(z);
}

int
cmd_tlsa_ready(struct cli *cli, int argc, char **argv)
{
	const char *unused = NULL;
	char unused_kind;
	struct roll r;
	struct keyset *keys = NULL;
	struct diag d;
	size_t pending = 0, nstaged = 0;
	bool changed = false;
	int ex, rc;

	diag_clear(&d);
	if ((ex = roll_open(cli, argc, argv, false, &unused, &unused_kind,
	    &r)) != EXIT_OK)
		goto out;
	if ((rc = keystore_load(r.zc->keydir, r.zc->name, &keys, &d)) != 0) {
		ex = cli_fail(cli, rc, &d, r.zc->keydir);
		goto out;
	}
	for (size_t i = 0; i < r.st.nstaged; i++) {
		struct tlsa_staged *s = &r.st.staged[i];
		char owner_text[DNAME_TEXT_MAX + 16], at[32];
		ldns_rdf *zone = ldns_dname_new_frm_str(r.zc->name), *owner;
		ldns_resolver *rec = dns_resolver(r.zc->resolver, true);
		struct dns_servers servers = { 0 };
		uint32_t ttl = r.zc->tlsa_ttl;
		size_t bad = 0;

		if (strcmp(s->host, r.host) != 0 ||
		    (r.port != 0 && s->port != r.port))
			continue;
		nstaged++;
		snprintf(owner_text, sizeof(owner_text), "_%u._tcp.%s", s->port,
		    s->host);
		owner = ldns_dname_new_frm_str(owner_text);
		const ldns_rdf *names[4] = { zone, zone, zone, owner };
		const ldns_rr_type types[4] = { LDNS_RR_TYPE_SOA,
		    LDNS_RR_TYPE_NS, LDNS_RR_TYPE_DNSKEY, LDNS_RR_TYPE_TLSA };
		if (zone == NULL || owner == NULL || rec == NULL)
			rc = STATUS_NOMEM;
		else
			rc = dns_servers_ask(rec, zone, names, types, 4, &servers,
			    &d);
		if (rc != 0) {
			ex = cli_fail(cli, rc, &d, r.zc->name);
		} else {
			/* Every address of every name server must serve it, valid. */
			for (size_t k = 0; k < servers.count; k++) {
				char why[1100];
				judge_server(cli, r.zc, keys, &servers.server[k], s,
				    &ttl, why, sizeof(why));
				if (*why != '\0')
					bad++;
				cli_info(cli, "%s: %s (%s): %s", owner_text,
				    servers.server[k].host, servers.server[k].addr,
				    *why ? why : "serves it, signed and valid");
			}
			if (servers.hosts_without_address > 0) {
				cli_info(cli, "%s: %zu name server%s without an "
				    "address", r.zc->name,
				    servers.hosts_without_address,
				    servers.hosts_without_address == 1 ? "" : "s");
				bad++;
			}
			if (servers.count == 0)
				bad++;
		}
		dns_servers_free(&servers);
		ldns_resolver_deep_free(rec);
		ldns_rdf_deep_free(zone);
		ldns_rdf_deep_free(owner);
		if (rc != 0)
			goto out;
		/* Since when every server serves it: the wait counts from there. */
		if (bad > 0) {
			if (s->served_since != 0)
				changed = true;
			s->served_since = 0;
			pending++;
			cli_info(cli, "%s: not ready: %zu of %zu server address%s "
			    "do not serve the staged record, signed and valid",
			    owner_text, bad, servers.count, servers.count == 1 ?
			    "" : "es");
			continue;
		}
		if (s->served_since == 0) {
			s->served_since = cli->now;
			changed = true;
		}
		/* RFC 7671 §8.1: until caches holding the old RRset have let it go. */
		int64_t wait = 2 * (int64_t)(ttl > r.zc->tlsa_ttl ? ttl :
		    r.zc->tlsa_ttl) + r.zc->propagation_delay;
		int64_t when = s->served_since + wait;
		time_format(when, at, sizeof(at));
		if (cli->now < when) {
			pending++;
			cli_info(cli, "%s: not ready: served everywhere since %lld; "
			    "ready at %s (2 x TTL + propagation delay)", owner_text,
			    (long long)s->served_since, at);
		} else
			cli_info(cli, "%s: ready: served everywhere, and caches have "
			    "had 2 x TTL + propagation delay (since %s) to take it",
			    owner_text, at);
	}
	if (nstaged == 0) {
		diag_set(&d, NULL, 0, "nothing is staged for %s%s (tlsa stage)",
		    r.host, r.port ? " on that port" : "");
		ex = cli_fail(cli, STATUS_KEY_MISSING, &d, r.zc->name);
		goto out;
	}
	if (changed && (rc = tlsa_state_save(r.zc->keydir, &r.st, cli->now,
	    &d)) != 0) {
		ex = cli_fail(cli, rc, &d, NULL);
		goto out;
	}
	ex = pending > 0 ? EXIT_NOT_READY : EXIT_OK;
out:
	keyset_free(keys);
	roll_clear(&r);
	return ex;
}

int
cmd_tlsa_commit(struct cli *cli, int argc, char **argv)
{
	const char *unused = NULL;
	char unused_kind;
	struct roll r;
	struct diag d;
	size_t committed = 0;
	int ex, rc;

	diag_clear(&d);
	if ((ex = roll_open(cli, argc, argv, false, &unused, &unused_kind,
	    &r)) != EXIT_OK)
		goto out;
	/* First check all: a commit happens whole or not at all. */
	for (size_t i = 0; i < r.st.nstaged; i++) {
		const struct tlsa_staged *s = &r.st.staged[i];
		bool deployed = false;

		if (strcmp(s->host, r.host) != 0 ||
		    (r.port != 0 && s->port != r.port))
			continue;
		committed++;
		for (size_t k = 0; k < r.zc->ntlsa && !deployed; k++) {
			const struct tlsa_config *t = &r.zc->tlsa[k];
			struct tlsa_rdata rd;
			char kind[32];
			if (t->port == s->port && line_matches(&r, t) &&
			    cert_record(t->cert, &rd, kind, sizeof(kind), &d) == 0)
				deployed = same_rdata(&rd, &s->next);
		}
		if (!deployed) {
			diag_set(&d, NULL, 0, "port %u: no certificate of %s's tlsa "
			    "lines has the staged key (%s) yet: deploy it first, "
			    "then commit", s->port, r.host, s->source);
			ex = cli_fail(cli, STATUS_KEY_MISSING, &d, r.zc->name);
			goto out;
		}
	}
	if (committed == 0) {
		diag_set(&d, NULL, 0, "nothing is staged for %s%s (tlsa stage)",
		    r.host, r.port ? " on that port" : "");
		ex = cli_fail(cli, STATUS_KEY_MISSING, &d, r.zc->name);
		goto out;
	}
	/* The old record stays one TTL more: a cache may still pair it with an old answer. */
	for (size_t i = 0; i < r.st.nstaged;) {
		struct tlsa_staged *s = &r.st.staged[i];
		if (strcmp(s->host, r.host) != 0 ||
		    (r.port != 0 && s->port != r.port)) {
			i++;
			continue;
		}
		if (s->has_replaces && !same_rdata(&s->replaces, &s->next) &&
		    (rc = tlsa_state_add_retiring(&r.st, s->host, s->port,
		    &s->replaces, cli->now + r.zc->tlsa_ttl)) != 0) {
			ex = cli_fail(cli, rc, NULL, NULL);
			goto out;
		}
		tlsa_state_remove_staged(&r.st, s);
	}
	if ((ex = roll_publish(cli, &r)) == EXIT_OK)
		cli_info(cli, "%s: committed; the old record goes after one TTL "
		    "(%us), at the first run after that", r.host,
		    (unsigned)r.zc->tlsa_ttl);
out:
	roll_clear(&r);
	return ex;
}
