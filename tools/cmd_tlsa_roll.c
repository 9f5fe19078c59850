/*
 * zonewarden tlsa stage, ready and commit: a certificate renewal with a new
 * key, without a moment when senders see a TLSA RRset that does not match
 * the certificate served (RFC 7671 §8.1: publish the next key's record,
 * wait until every cache can hold it, then deploy, then drop the old one).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/encode.h"
#include "common/fileio.h"
#include "common/status.h"
#include "common/timespec.h"
#include "config.h"
#include "hook.h"
#include "keys/keystore.h"
#include "keys/tlsa.h"
#include "run.h"
#include "tlsa_roll.h"
#include "tlsa_state.h"

#define LOCK_WAIT 60
#define HOOK_TIMEOUT 120

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
	if (!tlsa_roll_host(argv[optind + 1], r->host, sizeof(r->host)))
		return cli_usage(cli, "%s: '%s' is not a host name", cli->command,
		    argv[optind + 1]);
	if ((rc = config_load(path, &r->config, &d)) != 0)
		return cli_fail(cli, rc, &d, path);
	if ((r->zc = config_find_zone(r->config, argv[optind])) == NULL)
		return cli_usage(cli, "%s: zone '%s' is not in %s", cli->command,
		    argv[optind], path);
	for (size_t i = 0; i < r->zc->ntlsa && !found; i++)
		found = tlsa_line_for(&r->zc->tlsa[i], r->host, r->port);
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
		rc = tlsa_from_source(src, tlsa_roll_params, &next, 1, &n, &d);
	if (rc != 0) {
		ex = cli_fail(cli, rc, &d, file);
		goto out;
	}
	tlsa_roll_key_kind(src, kind, sizeof(kind));
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

		if (!tlsa_line_for(t, r.host, r.port))
			continue;
		diag_clear(&d);
		have_now = tlsa_roll_cert_record(t->cert, &now_rd, now_kind,
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
		if (have_now && tlsa_rdata_equal(&now_rd, &next)) {
			cli_info(cli, "%s port %u: the deployed certificate %s "
			    "has this key already: nothing to stage", r.host,
			    t->port, t->cert);
			if (s != NULL)
				tlsa_state_remove_staged(&r.st, s);
			continue;
		}
		if (s != NULL && tlsa_rdata_equal(&s->next, &next))
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
			/* Staged by hand: whoever staged it deploys it. */
			*s->pending_cert = *s->pending_key = '\0';
			*s->deploy_cert = *s->deploy_key = '\0';
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

/* ready or commit with nothing staged for the host: exit 4. */
static int
nothing_staged(const struct cli *cli, const struct roll *r)
{
	struct diag d;

	diag_clear(&d);
	diag_set(&d, NULL, 0, "nothing is staged for %s%s (tlsa stage)", r->host,
	    r->port ? " on that port" : "");
	return cli_fail(cli, STATUS_KEY_MISSING, &d, r->zc->name);
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
		bool ready, ch;

		if (strcmp(s->host, r.host) != 0 ||
		    (r.port != 0 && s->port != r.port))
			continue;
		nstaged++;
		if ((rc = tlsa_roll_check(cli, r.zc, keys, s, true, &ready, &ch,
		    &d)) != 0) {
			ex = cli_fail(cli, rc, &d, r.zc->name);
			goto out;
		}
		changed |= ch;
		if (!ready)
			pending++;
	}
	if (nstaged == 0) {
		ex = nothing_staged(cli, &r);
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
	size_t n;
	int ex, rc;

	diag_clear(&d);
	if ((ex = roll_open(cli, argc, argv, false, &unused, &unused_kind,
	    &r)) != EXIT_OK)
		goto out;
	if ((rc = tlsa_roll_commit(r.zc, &r.st, r.host, r.port, NULL, cli->now,
	    &n, &d)) != 0) {
		ex = cli_fail(cli, rc, &d, r.zc->name);
		goto out;
	}
	if (n == 0) {
		ex = nothing_staged(cli, &r);
		goto out;
	}
	if ((ex = roll_publish(cli, &r)) == EXIT_OK)
		cli_info(cli, "%s: committed; the old record goes after one TTL "
		    "(%us), at the first run after that", r.host,
		    (unsigned)r.zc->tlsa_ttl);
out:
	roll_clear(&r);
	return ex;
}

/* A renewed certificate and its key, as `tlsa deploy` was given them. */
struct renewal {
	const char *cert, *key;
	struct tlsa_source *chain;
	struct tlsa_rdata rd;
	char kind[32];
};

/*
 * Drop the staged deploys into dp's files (a newer renewal replaces them);
 * their copies go once the state without them is saved (unlink_pending).
 */
struct stale {
	char path[2][TLSA_SOURCE_MAX];
};

static size_t
drop_pending(struct tlsa_state *st, const struct tlsa_deploy *dp,
    struct stale *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < st->nstaged;) {
		struct tlsa_staged *s = &st->staged[i];
		if (strcmp(s->deploy_cert, dp->cert) != 0) {
			i++;
			continue;
		}
		if (n < max) {
			memcpy(out[n].path[0], s->pending_cert, TLSA_SOURCE_MAX);
			memcpy(out[n].path[1], s->pending_key, TLSA_SOURCE_MAX);
			n++;
		}
		tlsa_state_remove_staged(st, s);
	}
	return n;
}

/* Remove the copies of dropped deploys, but not those just written under the same name. */
static void
unlink_pending(const struct stale *old, size_t n, const char *keep)
{
	for (size_t i = 0; i < n; i++) {
		if (keep != NULL && strcmp(old[i].path[0], keep) == 0)
			continue;
		unlink(old[i].path[0]);
		unlink(old[i].path[1]);
	}
}

/*
 * One tlsa-deploy line the renewal is for: install it now (same key, or
 * nothing deployed yet), or stage its records and keep copies for the run
 * that finds them ready. Returns an exit code; *reload when installed.
 */
static int
deploy_one(const struct cli *cli, const struct zone_config *zc,
    const struct tlsa_deploy *dp, const struct renewal *nw,
    const struct tlsa_rdata *now_rd, bool install, bool *reload)
{
	char lock_path[PATH_MAX], dir[TLSA_SOURCE_MAX];
	char pc[TLSA_SOURCE_MAX], pk[TLSA_SOURCE_MAX];
	char hex[2 * sizeof(nw->rd.data) + 1];
	struct tlsa_state st = { 0 };
	struct stale old[16];
	struct diag d;
	size_t staged = 0, nold;
	int lock = -1, rc, ex = EXIT_OK;

	diag_clear(&d);
	snprintf(lock_path, sizeof(lock_path), "%s/.lock", zc->keydir);
	if ((rc = file_mkdirs(zc->keydir, 0700)) != 0 ||
	    (rc = file_lock(lock_path, LOCK_WAIT, &lock)) != 0) {
		diag_set(&d, lock_path, 0, "cannot take the zone's lock");
		return cli_fail(cli, rc, &d, NULL);
	}
	if ((rc = tlsa_state_load(zc->keydir, &st, &d)) != 0) {
		ex = cli_fail(cli, rc, &d, NULL);
		goto out;
	}
	nold = drop_pending(&st, dp, old, sizeof(old) / sizeof(old[0]));
	pc[0] = '\0';
	if (install) {
		/* The key first: a certificate never goes out before its key. */
		if ((rc = tlsa_roll_install(nw->key, dp->key, 0600, &d)) != 0 ||
		    (rc = tlsa_roll_install(nw->cert, dp->cert, 0644, &d)) != 0) {
			ex = cli_fail(cli, rc, &d, NULL);
			goto out;
		}
		*reload = true;
		cli_info(cli, "%s: installed %s and %s (the same key: its TLSA "
		    "record stays)", zc->name, dp->cert, dp->key);
	} else {
		/* Copies of what to deploy once its records are ready. */
		hex_encode(nw->rd.data, 8, hex);
		if (snprintf(dir, sizeof(dir), "%s/tlsa-pending", zc->keydir) >=
		    (int)sizeof(dir) - 64) {
			diag_set(&d, zc->keydir, 0, "key folder path too long");
			ex = cli_fail(cli, -ENAMETOOLONG, &d, NULL);
			goto out;
		}
		snprintf(pc, sizeof(pc), "%.*s/%.16s-%lu.crt", (int)sizeof(dir) - 64,
		    dir, hex, dp->line);
		snprintf(pk, sizeof(pk), "%.*s/%.16s-%lu.key", (int)sizeof(dir) - 64,
		    dir, hex, dp->line);
		if ((rc = file_mkdirs(dir, 0700)) != 0 ||
		    (rc = tlsa_roll_install(nw->cert, pc, 0600, &d)) != 0 ||
		    (rc = tlsa_roll_install(nw->key, pk, 0600, &d)) != 0) {
			if (*d.text == '\0')
				diag_set(&d, dir, 0, "cannot make it");
			ex = cli_fail(cli, rc, &d, NULL);
			goto out;
		}
		for (size_t i = 0; i < zc->ntlsa; i++) {
			const struct tlsa_config *t = &zc->tlsa[i];
			struct tlsa_staged *s;
			char host[DNAME_TEXT_MAX];

			if (strcmp(t->cert, dp->cert) != 0 ||
			    !tlsa_roll_host(t->host, host, sizeof(host)))
				continue;
			if ((s = tlsa_state_find(&st, host, t->port, nw->kind)) ==
			    NULL && (s = tlsa_state_add_staged(&st)) == NULL) {
				ex = cli_fail(cli, STATUS_NOMEM, NULL, NULL);
				goto out;
			}
			if (!tlsa_rdata_equal(&s->next, &nw->rd)) {
				s->staged_at = cli->now;
				s->served_since = 0;
			}
			snprintf(s->host, sizeof(s->host), "%s", host);
			s->port = t->port;
			snprintf(s->key_type, sizeof(s->key_type), "%s", nw->kind);
			s->next = nw->rd;
			s->has_replaces = now_rd != NULL;
			if (now_rd != NULL)
				s->replaces = *now_rd;
			snprintf(s->source, sizeof(s->source), "%s", nw->cert);
			memcpy(s->pending_cert, pc, sizeof(pc));
			memcpy(s->pending_key, pk, sizeof(pk));
			snprintf(s->deploy_cert, sizeof(s->deploy_cert), "%s",
			    dp->cert);
			snprintf(s->deploy_key, sizeof(s->deploy_key), "%s", dp->key);
			staged++;
		}
	}
	if ((rc = tlsa_state_save(zc->keydir, &st, cli->now, &d)) != 0) {
		ex = cli_fail(cli, rc, &d, NULL);
		goto out;
	}
	unlink_pending(old, nold, install ? NULL : pc);
	file_unlock(lock);
	lock = -1;
	if (!install) {
		struct run_options o = { .lock_wait = LOCK_WAIT,
		    .hook_timeout = HOOK_TIMEOUT };
		struct run_result res;

		if ((rc = run_zone(cli, zc, &o, &res)) != 0) {
			ex = cli_fail(cli, rc, &res.diag, zc->name);
			goto out;
		}
		run_report(cli, zc, &o, &res);
		if (now_rd != NULL)
			cli_info(cli, "%s: a new key: %s keeps serving until the "
			    "new record (%zu name%s) is served everywhere and "
			    "caches have had 2 x TTL; a later run installs it then",
			    zc->name, dp->cert, staged, staged == 1 ? "" : "s");
		else
			cli_info(cli, "%s: nothing deployed at %s yet: its record "
			    "(%zu name%s) goes out first; a later run installs it "
			    "once it is served everywhere and caches have had 2 x "
			    "TTL", zc->name, dp->cert, staged, staged == 1 ? "" : "s");
	}
out:
	file_unlock(lock);
	tlsa_state_free(&st);
	return ex;
}

int
cmd_tlsa_deploy(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "cert", required_argument, NULL, 'C' },
		{ "key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CONFIG_DEFAULT_PATH;
	struct renewal nw = { 0 };
	struct tlsa_source *key = NULL;
	struct config *c = NULL;
	struct diag d;
	size_t n, matched = 0;
	int ch, rc, ex = EXIT_OK;

	diag_clear(&d);
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'C': nw.cert = optarg; break;
		case 'k': nw.key = optarg; break;
		default:
			return cli_usage(cli, "tlsa deploy: unknown option");
		}
	}
	if (optind != argc || nw.cert == NULL || nw.key == NULL)
		return cli_usage(cli, "tlsa deploy: give --cert CHAIN and --key KEY");
	if ((rc = tlsa_source_load_cert(nw.cert, &nw.chain, &d)) != 0) {
		ex = cli_fail(cli, rc, &d, nw.cert);
		goto out;
	}
	if ((rc = tlsa_source_load_key(nw.key, &key, &d)) != 0) {
		ex = cli_fail(cli, rc, &d, nw.key);
		goto out;
	}
	if (!tlsa_source_same_key(nw.chain, key)) {
		diag_set(&d, nw.key, 0, "not the key of the certificate in %s: "
		    "nothing deployed", nw.cert);
		ex = cli_fail(cli, STATUS_KEY_MISSING, &d, NULL);
		goto out;
	}
	if ((rc = tlsa_from_source(nw.chain, tlsa_roll_params, &nw.rd, 1, &n,
	    &d)) != 0) {
		ex = cli_fail(cli, rc, &d, nw.cert);
		goto out;
	}
	tlsa_roll_key_kind(nw.chain, nw.kind, sizeof(nw.kind));
	if ((rc = config_load(path, &c, &d)) != 0) {
		ex = cli_fail(cli, rc, &d, path);
		goto out;
	}
	/*
	 * Per zone, the tlsa-deploy lines whose tlsa lines name a host the
	 * certificate is for. It goes where a certificate with a key of its
	 * kind is deployed (an RSA and an ECDSA one renew apart): at once with
	 * the same key, staged with a new one. Where nothing is deployed yet,
	 * it is staged too (the host's other certificate, or the last
	 * published set, may have records there that it does not match).
	 */
	for (size_t z = 0; z < c->nzones; z++) {
		const struct zone_config *zc = &c->zones[z];
		const struct tlsa_deploy *missing[8];
		size_t nmissing = 0, covered = 0, zmatched = 0;
		bool reload = false;

		for (size_t pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < zc->ndeploy; i++) {
			const struct tlsa_deploy *dp = &zc->deploy[i];
			struct tlsa_rdata now_rd;
			char now_kind[32];
			bool cov = false;
			int zex;

			for (size_t k = 0; k < zc->ntlsa && !cov; k++)
				cov = strcmp(zc->tlsa[k].cert, dp->cert) == 0 &&
				    tlsa_source_covers(nw.chain, zc->tlsa[k].host);
			if (!cov)
				continue;
			diag_clear(&d);
			rc = tlsa_roll_cert_record(dp->cert, &now_rd, now_kind,
			    sizeof(now_kind), &d);
			if (pass == 0) {
				covered++;
				if (rc == -ENOENT && nmissing < 8)
					missing[nmissing++] = dp;
				if (rc != 0 && rc != -ENOENT) {
					zex = cli_fail(cli, rc, &d, dp->cert);
					ex = ex == EXIT_OK ? zex : ex;
				}
				continue;
			}
			if (rc != 0 || strcmp(now_kind, nw.kind) != 0)
				continue;
			zmatched++;
			zex = deploy_one(cli, zc, dp, &nw, &now_rd,
			    tlsa_rdata_equal(&now_rd, &nw.rd), &reload);
			if (zex != EXIT_OK && ex == EXIT_OK)
				ex = zex;
		}
		if (covered == 0)
			continue;
		if (zmatched == 0 && nmissing == 1) {
			int zex = deploy_one(cli, zc, missing[0], &nw, NULL, false,
			    &reload);
			if (zex != EXIT_OK && ex == EXIT_OK)
				ex = zex;
			zmatched++;
		} else if (zmatched == 0 && nmissing > 1) {
			diag_set(&d, zc->config_file, missing[0]->line, "tlsa "
			    "deploy: %s and %s are both empty: which takes the %s "
			    "certificate %s? Put the first certificates there by "
			    "hand", missing[0]->cert, missing[1]->cert, nw.kind,
			    nw.cert);
			int zex = cli_fail(cli, STATUS_KEY_MISSING, &d, NULL);
			ex = ex == EXIT_OK ? zex : ex;
		} else if (zmatched == 0 && ex == EXIT_OK) {
			diag_set(&d, zc->config_file, zc->deploy[0].line, "tlsa "
			    "deploy: %s has an %s key, but the certificates "
			    "deployed for its names have keys of another kind: a "
			    "change of key type is not deployed (add a tlsa and "
			    "tlsa-deploy line for it)", nw.cert, nw.kind);
			ex = cli_fail(cli, STATUS_KEY_MISSING, &d, NULL);
		}
		matched += zmatched;
		if (reload && zc->tlsa_reload != NULL &&
		    (rc = hook_run(zc->tlsa_reload, HOOK_TIMEOUT, &d)) != 0) {
			int zex = cli_fail(cli, rc, &d, zc->name);
			ex = ex == EXIT_OK ? zex : ex;
		}
	}
	if (matched == 0 && ex == EXIT_OK)
		cli_info(cli, "%s: no tlsa-deploy line of %s is for its names: "
		    "nothing to do", nw.cert, path);
out:
	tlsa_source_free(key);
	tlsa_source_free(nw.chain);
	config_free(c);
	return ex;
}
