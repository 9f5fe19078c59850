/* One zone's run: lock, decide, sign, write, reload, remember. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/status.h"
#include "common/timespec.h"
#include "hook.h"
#include "keys/dnskey.h"
#include "keys/keystore.h"
#include "keys/rollover.h"
#include "mail_records.h"
#include "parent.h"
#include "run.h"
#include "signing.h"
#include "state.h"
#include "tlsa_records.h"
#include "tlsa_roll.h"
#include "tlsa_state.h"

#define LOCK_FILE ".lock"

/*
 * A first key set that a killed run left half made (one key, nothing ever
 * published with it, no key state yet): make the other one, so that the
 * zone does not become a CSK zone by accident.
 */
static int
complete_first_keys(const struct zone_config *zc, int64_t now,
    struct keyset *ks, struct run_result *r)
{
	struct key *k;

	if (zc->csk || ks->count != 1 || access(zc->output, F_OK) == 0)
		return 0;
	k = ks->keys[0];
	if (rollover_has_state(k))
		return 0;
	return keystore_add_key(zc->keydir, zc->name, key_algorithm(k),
	    key_is_sep(k) ? DNSKEY_FLAG_ZONE : DNSKEY_FLAG_ZONE | DNSKEY_FLAG_SEP,
	    now, ks, &r->diag);
}

/* The zone's keys; the first KSK and ZSK are made when the folder has none. */
static int
load_or_create_keys(const struct zone_config *zc, const struct run_options *o,
    int64_t now, struct keyset **keys, struct run_result *r)
{
	struct diag d2;
	int rc = keystore_load(zc->keydir, zc->name, keys, &r->diag);

	if (rc == 0 && !o->dry_run)
		return complete_first_keys(zc, now, *keys, r);
	if (rc != STATUS_KEY_MISSING || o->dry_run)
		return rc;
	/* Refused (and the first error kept) when any key file is there. */
	diag_clear(&d2);
	if (keystore_init_zone(zc->keydir, zc->name, zc->algorithm, 0, zc->csk,
	    now, keys, &d2) != 0)
		return rc;
	diag_clear(&r->diag);
	r->created_keys = true;
	return 0;
}

/*
 * Is a KSK waiting for its DS at the parent, or a removed one for its DS
 * to go (for up to 30 days): worth asking the parent?
 */
static bool
ksk_waits_for_ds(const struct keyset *keys, const struct key_state *states,
    int64_t now)
{
	for (size_t i = 0; i < keys->count; i++) {
		const struct key_state *s = &states[i];
		if (s->role == ROLE_ZSK)
			continue;
		if (s->ds_seen == 0 && s->removed == 0)
			return true;
		if (s->ds_seen != 0 && s->removed != 0 && s->ds_withdrawn == 0 &&
		    now < s->removed + 30 * 86400)
			return true;
	}
	return false;
}

/*
 * Move the zone's keys along their timeline to now (keys/rollover.h): the
 * waits come from the zone's own TTLs. A dry run only looks.
 */
/*
 * Raise *max to the largest TTL in z, and *key to its SOA's (the signer's
 * default DNSKEY TTL) and to that of any DNSKEY it holds.
 */
static void
zone_ttls(const struct zone *z, int64_t *max, int64_t *key)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	if (zone_soa(z) != NULL && zone_soa(z)->ttl > *key)
		*key = zone_soa(z)->ttl;
	for (size_t i = 0; i < count; i++) {
		if (rr[i].ttl > *max)
			*max = rr[i].ttl;
		if (rr[i].type == RRTYPE_DNSKEY && rr[i].ttl > *key)
			*key = rr[i].ttl;
	}
}

void
run_rollover_policy(const struct zone_config *zc, const struct zone *z,
    const struct zone *prev, struct rollover_policy *p)
{

	memset(p, 0, sizeof(*p));
	p->zsk_lifetime = zc->zsk_lifetime;
	p->ksk_lifetime = zc->ksk_lifetime;
	p->csk_lifetime = zc->csk_lifetime;
	p->algorithm = zc->algorithm_set ? zc->algorithm : 0;
	p->propagation_delay = zc->propagation_delay;
	p->parent_ds_ttl = zc->parent_ds_ttl;
	p->parent_propagation_delay = zc->parent_propagation_delay;
	p->cds = zc->cds;
	/*
	 * The signer gives DNSKEYs the SOA's TTL; signatures take their
	 * RRset's. Caches may hold what the published zone had, so a TTL
	 * lowered in the input counts only once it is published.
	 */
	zone_ttls(z, &p->max_ttl, &p->dnskey_ttl);
	if (prev != NULL)
		zone_ttls(prev, &p->max_ttl, &p->dnskey_ttl);
	/* A DNSKEY TTL of its own: the larger of it and the SOA's, to be safe. */
	if (zc->policy.dnskey_ttl > p->dnskey_ttl)
		p->dnskey_ttl = zc->policy.dnskey_ttl;
	if (p->dnskey_ttl > p->max_ttl)
		p->max_ttl = p->dnskey_ttl;
}

/* For each KSK waiting for its DS: how many parent name servers serve it. */
static void
count_parent_servers(const struct keyset *keys, const struct key_state *states,
    const struct rollover_policy *p, const struct parent_answers *pa,
    struct run_result *r)
{
	r->nparent_seen = 0;
	for (size_t i = 0; i < keys->count; i++) {
		uint16_t tag = rollover_ds_awaited(keys, states, i, p);
		struct parent_seen *ps;
		bool dup = false;

		for (size_t j = 0; j < r->nparent_seen; j++)
			dup = dup || r->parent_seen[j].tag == tag;
		if (tag == 0 || dup || r->nparent_seen == PARENT_SEEN_MAX)
			continue;
		for (size_t k = 0; k < keys->count; k++) {
			if (key_tag(keys->keys[k]) != tag)
				continue;
			ps = &r->parent_seen[r->nparent_seen++];
			ps->tag = tag;
			ps->servers = pa->servers;
			ps->serving = 0;
			for (unsigned s = 0; s < pa->servers; s++)
				if (pa->server[s] != NULL &&
				    rollover_ds_matches(keys->keys[k],
				    (const uint8_t *const *)pa->server[s]->rdata,
				    pa->server[s]->len, pa->server[s]->count))
					ps->serving++;
			break;
		}
	}
}

static int
advance_keys(const struct zone_config *zc, const struct run_options *o,
    int64_t now, const struct zone *z, const struct zone *prev,
    struct keyset *keys, int64_t frozen_since, struct run_result *r)
{
	struct rollover_policy p;
	struct rollover_view view = { 0 };
	struct parent_ds *parent = NULL;
	struct key_state *states = NULL;
	bool *served = NULL, *signing = NULL, changed;
	int rc = 0;

	run_rollover_policy(zc, z, prev, &p);
	if ((rc = rollover_load(zc->keydir, keys, &states, &r->diag)) != 0)
		return rc;
	/*
	 * While the servers lack the last zone, no key moves on: the keys do
	 * what they did when its reload first failed (planned events too).
	 */
	if (o->dry_run || frozen_since != 0) {
		rollover_apply(keys, states, &p, frozen_since != 0 &&
		    frozen_since < now ? frozen_since : now);
		free(states);
		return 0;
	}
	if (prev != NULL) {
		if ((served = calloc(keys->count + 1, sizeof(*served))) == NULL) {
			free(states);
			return STATUS_NOMEM;
		}
		if ((signing = calloc(keys->count + 1, sizeof(*signing))) == NULL) {
			free(served);
			free(states);
			return STATUS_NOMEM;
		}
		signer_key_presence(prev, keys, served, signing);
	}
	view.published_now = served;
	view.signing_now = signing;
	/* The parent is asked only while a KSK waits for its DS there. */
	if (zc->parent_ds_file != NULL && ksk_waits_for_ds(keys, states, now)) {
		rc = parent_ds_load(zc->parent_ds_file, zc->name, &parent,
		    &r->diag);
		/* No file yet: nothing seen yet. */
		if (rc == -ENOENT) {
			diag_clear(&r->diag);
			rc = 0;
		}
	} else if (zc->parent_ds_dns && ksk_waits_for_ds(keys, states, now)) {
		/*
		 * A parent out of reach only delays the roll: the zone is
		 * signed all the same, and the next run asks again.
		 */
		struct parent_answers pa;
		struct diag pd;
		diag_clear(&pd);
		if (parent_ds_query(zc->name, zc->resolver, &pa, &pd) != 0) {
			r->parent_unreachable = true;
			r->parent_diag = pd;
		} else {
			/* Known only when every server was heard (a DS gone, too). */
			if (pa.answered == pa.servers) {
				parent = pa.common;
				pa.common = NULL;
			}
			r->parent_servers = pa.servers;
			r->parent_answered = pa.answered;
			count_parent_servers(keys, states, &p, &pa, r);
		}
		parent_answers_free(&pa);
	}
	if (rc != 0) {
		free(served);
		free(signing);
		free(states);
		return rc;
	}
	if (parent != NULL) {
		view.parent_known = true;
		view.parent_ds = (const uint8_t *const *)parent->rdata;
		view.parent_ds_len = parent->len;
		view.nparent_ds = parent->count;
	}
	rc = rollover_advance(zc->keydir, zc->name, keys, &states, &view, &p,
	    FORCE_NONE, now, &changed, &r->diag);
	parent_ds_free(parent);
	free(served);
	free(signing);
	free(states);
	return rc;
}

static void
remember_failure(struct run_state *st, int rc, const struct diag *d)
{
	snprintf(st->outcome, sizeof(st->outcome), "failed");
	snprintf(st->error, sizeof(st->error), "%s%s%s", d->text,
	    *d->text ? ": " : "", status_str(rc));
}

/*
 * Run the reload command; a failure is remembered so that the next run
 * retries it (and key events wait: the servers do not have the zone). When
 * a reload goes through after failing, the key events since the first
 * failure happened, for the caches, only now.
 */
static int
reload(const struct zone_config *zc, const struct run_options *o, int64_t now,
    struct keyset *keys, struct run_state *st, struct run_result *r)
{
	struct key_state *states = NULL;
	bool was_pending = st->reload_pending && st->reload_pending_since != 0;
	char *cmd;
	int rc = 0;

	if (zc->reload != NULL) {
		if ((cmd = config_reload_command(zc)) == NULL)
			return STATUS_NOMEM;
		rc = hook_run(cmd, o->hook_timeout, &r->diag);
		free(cmd);
		r->reloaded = rc == 0;
	}
	if (rc != 0) {
		if (!was_pending)
			st->reload_pending_since = now;
		st->reload_pending = true;
		return rc;
	}
	st->reload_pending = false;
	if (was_pending && (rc = rollover_load(zc->keydir, keys, &states,
	    &r->diag)) == 0)
		rc = rollover_rebase(keys, states, st->reload_pending_since, now,
		    &r->diag);
	free(states);
	/*
	 * A rebase that did not finish is done again by the next run (keys
	 * already moved for this outage are not moved twice), and until then
	 * the keys stay as they were.
	 */
	if (rc != 0 && was_pending) {
		st->reload_pending = true;
		return rc;
	}
	st->reload_pending_since = 0;
	return rc;
}

/* What the config publishes in the zone: TLSA, TLS-RPT and MTA-STS records. */
struct published {
	const struct cli *cli;
	const struct zone_config *zc;
	const struct tlsa_state *st;
	const struct zone *prev;
	char *policy;                /* the MTA-STS policy the records stand for */
	size_t policy_len;
};

/* signing_additions: what the config publishes, added to a zone just read. */
static int
merge_published(struct zone *z, void *arg, struct diag *d)
{
	struct published *pb = arg;
	int rc = tlsa_records_merge(pb->cli, pb->zc, pb->st, z, pb->prev, d);

	free(pb->policy);
	pb->policy = NULL;
	return rc != 0 ? rc : mail_records_merge(pb->cli, pb->zc, z,
	    &pb->policy, &pb->policy_len, d);
}

/*
 * signing_job.before_publish: the MTA-STS policy goes out before the zone
 * whose id names it, so that a sender that sees a new id finds the new
 * policy.
 */
static int
publish_policy(void *arg, struct diag *d)
{
	const struct published *pb = arg;

	return mail_policy_write(pb->zc, pb->policy, pb->policy_len, d);
}

static int
run_locked(const struct cli *cli, const struct zone_config *zc,
    const struct run_options *o, struct run_result *r, struct run_state *st)
{
	struct sign_policy policy = zc->policy;
	struct keyset *keys = NULL;
	struct zone *z = NULL, *prev = NULL;
	struct signing_previous pv = { .text.fd = -1 };
	struct signing_manifest m = { 0 };
	struct tlsa_state tst = { 0 };
	struct published pb = { cli, zc, &tst, NULL, NULL, 0 };
	int rc;

	policy.threads = o->threads;
	if ((rc = load_or_create_keys(zc, o, cli->now, &keys, r)) != 0)
		goto out;
	/*
	 * The TLSA records of the deployed certificates, and those a TLSA
	 * rollover keeps, join the operator's data.
	 */
	if (zc->ntlsa > 0 &&
	    (rc = tlsa_state_load(zc->keydir, &tst, &r->diag)) != 0)
		goto out;
	/* Renewed certificates whose records every server now serves go out. */
	if (!o->dry_run && tst.nstaged > 0) {
		struct diag w;
		bool changed = false;
		diag_clear(&w);
		if (tlsa_roll_complete(cli, zc, keys, &tst, o->hook_timeout,
		    &changed, &w) != 0)
			cli_warn(cli, &w);
		if (changed && (rc = tlsa_state_save(zc->keydir, &tst, cli->now,
		    &r->diag)) != 0)
			goto out;
	}
	if ((rc = signing_load(cli, zc->input, zc->output, zc->name, true, &z,
	    &pv, &m, &r->diag)) != 0)
		goto out;
	prev = pv.zone;
	pb.prev = prev;
	if ((rc = merge_published(z, &pb, &r->diag)) != 0 ||
	    (rc = advance_keys(zc, o, cli->now, z, prev, keys,
	    st->reload_pending ? (st->reload_pending_since != 0 ?
	    st->reload_pending_since : cli->now) : 0, r)) != 0)
		goto out;
	/* What the parent's servers serve, for keys status. */
	if (r->parent_servers > 0) {
		st->parent_asked = cli->now;
		st->nparent_seen = r->nparent_seen;
		memcpy(st->parent_seen, r->parent_seen, sizeof(r->parent_seen));
	}
	signer_plan(z, prev, keys, &policy, cli->now, &r->plan);
	if (prev != NULL)
		r->serial = zone_serial(prev);
	if (o->dry_run)
		goto out;
	if (r->plan.reason == SIGN_NOTHING_DUE) {
		/* The zone serves this policy's id: put the policy back if it went. */
		if ((rc = mail_policy_write(zc, pb.policy, pb.policy_len,
		    &r->diag)) != 0)
			goto out;
		snprintf(st->outcome, sizeof(st->outcome), "unchanged");
		st->earliest_expiration = r->plan.earliest_expiration;
		st->next_due = r->plan.next_due;
		st->serial = r->serial;
		if (st->reload_pending)
			rc = reload(zc, o, cli->now, keys, st, r);
		goto out;
	}
	struct signing_additions more = { merge_published, &pb };
	struct signing_job job = { .cli = cli, .in = zc->input,
	    .out = zc->output, .zname = zc->name, .keys = keys,
	    .policy = &policy, .more = &more,
	    .before_publish = publish_policy, .arg = &pb };
	if ((rc = signer_setup_digest(zc->name, keys, &policy, m.setup)) != 0 ||
	    (rc = signing_sign_write(&job, &z, &pv, &m, &r->stats,
	    &r->diag)) != 0)
		goto out;
	r->signed_zone = true;
	r->serial = zone_serial(z);
	snprintf(st->outcome, sizeof(st->outcome), "signed");
	st->serial = r->serial;
	st->earliest_expiration = signer_earliest_expiration(z, cli->now);
	st->next_due = st->earliest_expiration - policy.refresh;
	st->signatures_made = r->stats.signatures_made;
	st->signatures_kept = r->stats.signatures_reused;
	/* The output is in place: a reload that fails now is retried next time. */
	rc = reload(zc, o, cli->now, keys, st, r);
out:
	free(pb.policy);
	tlsa_state_free(&tst);
	/* z holds signatures kept from pv: it goes first. */
	zone_free(z);
	signing_previous_free(&pv);
	keyset_free(keys);
	return rc;
}

int
run_zone(const struct cli *cli, const struct zone_config *zc,
    const struct run_options *o, struct run_result *r)
{
	char lock_path[PATH_MAX];
	struct run_state st;
	struct diag sd;
	int lock = -1, rc;

	memset(r, 0, sizeof(*r));
	diag_clear(&r->diag);
	/* The key folder holds the lock, so it must be there first (0700). */
	if ((rc = file_mkdirs(zc->keydir, 0700)) != 0) {
		diag_set(&r->diag, zc->keydir, 0, "cannot create the key folder");
		return rc;
	}
	snprintf(lock_path, sizeof(lock_path), "%s/%s", zc->keydir, LOCK_FILE);
	if ((rc = file_lock(lock_path, o->lock_wait, &lock)) != 0) {
		diag_set(&r->diag, lock_path, 0, rc == STATUS_LOCKED ?
		    "another run has held this zone's lock for %u s" :
		    "cannot take the zone's lock", o->lock_wait);
		return rc;
	}
	diag_clear(&sd);
	if (state_load(zc->keydir, &st, &sd) != 0) {
		/* A damaged state file only loses the last outcome. */
		cli_warn(cli, &sd);
		memset(&st, 0, sizeof(st));
	}
	st.error[0] = '\0';
	rc = run_locked(cli, zc, o, r, &st);
	if (!o->dry_run) {
		st.last_run = cli->now;
		snprintf(st.reason, sizeof(st.reason), "%s",
		    sign_reason_text(r->plan.reason));
		snprintf(st.detail, sizeof(st.detail), "%s", r->plan.detail);
		if (rc != 0)
			remember_failure(&st, rc, &r->diag);
		diag_clear(&sd);
		if (state_save(zc->keydir, &st, &sd) != 0)
			cli_warn(cli, &sd);
	}
	file_unlock(lock);
	return rc;
}

void
run_report(const struct cli *cli, const struct zone_config *zc,
    const struct run_options *o, const struct run_result *r)
{
	char when[32], due[32];
	const char *why = sign_reason_text(r->plan.reason);
	const char *detail = r->plan.detail;

	if (r->parent_unreachable)
		cli_warn(cli, &r->parent_diag);
	if (r->parent_servers > 0)
		cli_info(cli, "%s: asked the parent for its DS: %u of %u name "
		    "servers answered", zc->name, r->parent_answered,
		    r->parent_servers);
	if (r->created_keys)
		cli_info(cli, "%s: no keys in %s: made %s; 'zonewarden keys ds %s "
		    "--keydir %s' prints the DS for the parent zone", zc->name,
		    zc->keydir, zc->csk ? "a CSK" : "a KSK and a ZSK", zc->name,
		    zc->keydir);
	if (r->plan.reason == SIGN_NOTHING_DUE) {
		time_format(r->plan.earliest_expiration, when, sizeof(when));
		time_format(r->plan.next_due, due, sizeof(due));
		cli_info(cli, "%s: nothing due (serial %u, earliest signature "
		    "expiry %s, re-sign from %s)%s", zc->name, r->serial, when,
		    due, r->reloaded ? "; reload retried" : "");
	} else if (o->dry_run) {
		cli_info(cli, "%s: would sign: %s%s%s", zc->name, why,
		    *detail ? ": " : "", detail);
	} else if (r->signed_zone) {
		cli_info(cli, "%s: signed: %s%s%s; serial %u, %zu signatures "
		    "made, %zu kept; wrote %s%s", zc->name, why,
		    *detail ? ": " : "", detail, r->serial,
		    r->stats.signatures_made, r->stats.signatures_reused,
		    zc->output, r->reloaded ? "; reloaded" : "");
	}
}
