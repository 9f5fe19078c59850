/* Key lifecycles and rollovers: state files beside the key files, and the RFC 7583 timeline. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/status.h"
#include "common/timespec.h"
#include "dnskey.h"
#include "key.h"
#include "keys_internal.h"
#include "rollover.h"

#define STATE_SUFFIX ".zwstate"
/* Times in state files of keys that were in use before any timeline. */
#define SINCE_ALWAYS 1

static uint8_t target_algorithm(const struct keyset *ks,
    const struct key_state *st, const struct rollover_policy *p);
static size_t new_algorithm_sep(const struct keyset *ks,
    const struct key_state *st, uint8_t to);
static bool is_active(const struct key_state *s);

const char *
key_role_name(enum key_role r)
{
	return r == ROLE_KSK ? "KSK" : r == ROLE_ZSK ? "ZSK" : "CSK";
}

const char *
key_state_name(const struct key_state *s, int64_t now)
{
	if (s->removed != 0 && s->removed <= now && s->retired > now)
		return "unpublished";      /* an algorithm rollover's old key */
	if (s->removed != 0 && s->removed <= now)
		return "removed";
	if (s->retired != 0 && s->retired <= now)
		return "retired";
	if (s->active != 0 && s->active <= now)
		return "active";
	if (s->published != 0 && s->published <= now)
		return "published";
	return "generated";
}

static void
state_path(const struct key *k, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s", key_file_prefix(k), STATE_SUFFIX);
}

bool
rollover_has_state(const struct key *k)
{
	char path[PATH_MAX];

	state_path(k, path, sizeof(path));
	return access(path, F_OK) == 0;
}

static enum key_role
default_role(const struct keyset *ks, const struct key *k)
{
	if (!key_is_sep(k))
		return ROLE_ZSK;
	for (size_t i = 0; i < ks->count; i++)
		if (!key_is_sep(ks->keys[i]) &&
		    key_algorithm(ks->keys[i]) == key_algorithm(k))
			return ROLE_KSK;
	return ROLE_CSK;
}

/* "Name: value" lines; times as YYYYMMDDHHMMSS or 0. */
static int
parse_state(const char *path, char *text, struct key_state *st,
    struct diag *d)
{
	unsigned long line = 0;
	char *save = NULL;

	for (char *l = strtok_r(text, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		char *colon, *v;
		int64_t *field = NULL;

		line++;
		if (*l == ';' || *l == '\0')
			continue;
		if ((colon = strchr(l, ':')) == NULL)
			goto bad;
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if (strcmp(l, "Role") == 0) {
			if (strcmp(v, "KSK") == 0)
				st->role = ROLE_KSK;
			else if (strcmp(v, "ZSK") == 0)
				st->role = ROLE_ZSK;
			else if (strcmp(v, "CSK") == 0)
				st->role = ROLE_CSK;
			else
				goto bad;
			continue;
		}
		if (strcmp(l, "Published") == 0)
			field = &st->published;
		else if (strcmp(l, "Active") == 0)
			field = &st->active;
		else if (strcmp(l, "Retired") == 0)
			field = &st->retired;
		else if (strcmp(l, "Removed") == 0)
			field = &st->removed;
		else if (strcmp(l, "DSSeen") == 0)
			field = &st->ds_seen;
		else if (strcmp(l, "AlgorithmRoll") == 0)
			field = &st->algorithm_roll;
		else if (strcmp(l, "RebasedFor") == 0)
			field = &st->rebased_for;
		else if (strcmp(l, "DSSubmitted") == 0)
			field = &st->ds_submitted;
		else if (strcmp(l, "DSWithdrawn") == 0)
			field = &st->ds_withdrawn;
		if (field == NULL)
			goto bad;
		if (strcmp(v, "0") == 0)
			*field = 0;
		else if (strcmp(v, "1") == 0)
			*field = SINCE_ALWAYS;
		else if (time_parse(v, 0, field) != 0 || v[0] == '+')
			goto bad;
	}
	return 0;
bad:
	diag_set(d, path, line, "not a key state line (Role, Published, "
	    "Active, Retired, Removed, DSSubmitted, DSSeen, DSWithdrawn, "
	    "AlgorithmRoll or RebasedFor with a time)");
	return STATUS_KEY_FORMAT;
}

static void
put_time(FILE *f, const char *name, int64_t t)
{
	char buf[32];

	if (t == 0 || t == SINCE_ALWAYS) {
		fprintf(f, "%s: %d\n", name, t == 0 ? 0 : 1);
		return;
	}
	time_format(t, buf, sizeof(buf));
	fprintf(f, "%s: %s\n", name, buf);
}

struct state_writer {
	const struct key *k;
	const struct key_state *st;
};

static int
write_state(FILE *f, void *arg)
{
	const struct state_writer *w = arg;

	fprintf(f, "; zonewarden key state of %s key %u (times UTC; 0: not "
	    "yet, 1: before zonewarden kept time)\n",
	    key_role_name(w->st->role), key_tag(w->k));
	fprintf(f, "Role: %s\n", key_role_name(w->st->role));
	put_time(f, "Published", w->st->published);
	put_time(f, "Active", w->st->active);
	put_time(f, "Retired", w->st->retired);
	put_time(f, "Removed", w->st->removed);
	if (w->st->role != ROLE_ZSK) {
		put_time(f, "DSSubmitted", w->st->ds_submitted);
		put_time(f, "DSSeen", w->st->ds_seen);
		put_time(f, "DSWithdrawn", w->st->ds_withdrawn);
	}
	if (w->st->algorithm_roll != 0)
		put_time(f, "AlgorithmRoll", w->st->algorithm_roll);
	if (w->st->rebased_for != 0)
		put_time(f, "RebasedFor", w->st->rebased_for);
	return ferror(f) ? STATUS_INTERNAL : 0;
}

static int
save_state(const struct key *k, const struct key_state *st, struct diag *d)
{
	char path[PATH_MAX];
	struct state_writer w = { k, st };
	int rc;

	state_path(k, path, sizeof(path));
	if ((rc = file_replace(path, 0644, write_state, &w)) != 0)
		diag_set(d, path, 0, "cannot write the key state");
	return rc;
}

/* Every state file in dir must belong to a loaded key: never lose track of one. */
static int
check_orphan_states(const char *dir, const struct keyset *ks, struct diag *d)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (dp == NULL)
		return status_from_errno(errno);
	while (rc == 0 && (e = readdir(dp)) != NULL) {
		size_t n = strlen(e->d_name), sl = strlen(STATE_SUFFIX);
		bool known = false;

		if (n <= sl || strcmp(e->d_name + n - sl, STATE_SUFFIX) != 0)
			continue;
		for (size_t i = 0; i < ks->count && !known; i++) {
			const char *p = key_file_prefix(ks->keys[i]);
			const char *base = strrchr(p, '/');
			base = base ? base + 1 : p;
			known = strlen(base) == n - sl &&
			    strncmp(base, e->d_name, n - sl) == 0;
		}
		/* Only this zone's states matter; others share the folder. */
		if (!known && strncmp(e->d_name, "K", 1) == 0) {
			char owner[PATH_MAX];
			snprintf(owner, sizeof(owner), "K%s+", key_owner(ks->keys[0]));
			if (strncasecmp(e->d_name, owner, strlen(owner)) == 0) {
				diag_set(d, dir, 0, "%s: a key state without its key "
				    "files: restore them (zonewarden never makes new "
				    "keys in their place)", e->d_name);
				rc = STATUS_KEY_MISSING;
			}
		}
	}
	closedir(dp);
	return rc;
}

/*
 * Key i has no state in a zone whose other keys have theirs: a run stopped
 * between making it and saving its state (all zero: not yet published).
 * While keys of another algorithm are in use, one of an algorithm that no
 * other key has, or that only an algorithm rollover's keys have, was made
 * by that rollover: marked so (it must sign before it is published), its
 * role from its flags and the scheme of the keys it replaces.
 */
static void
lost_state(const struct keyset *ks, struct key_state *st, const bool *have,
    size_t i)
{
	bool zsk = false, others = false;
	uint8_t alg = key_algorithm(ks->keys[i]);

	for (size_t j = 0; j < ks->count; j++) {
		if (!have[j] || st[j].removed != 0)
			continue;
		if (key_algorithm(ks->keys[j]) == alg) {
			if (st[j].algorithm_roll == 0)
				return;
			continue;
		}
		if (st[j].published != 0 && st[j].removed == 0)
			others = true;
		zsk = zsk || st[j].role == ROLE_ZSK;
	}
	if (!others)
		return;
	st[i].algorithm_roll = SINCE_ALWAYS;
	st[i].role = !key_is_sep(ks->keys[i]) ? ROLE_ZSK : zsk ? ROLE_KSK :
	    ROLE_CSK;
}

int
rollover_load(const char *dir, struct keyset *ks, struct key_state **out,
    struct diag *d)
{
	struct key_state *st = calloc(ks->count + 1, sizeof(*st));
	bool *have = calloc(ks->count + 1, sizeof(*have));
	bool managed = false;
	int rc = 0;

	if (st == NULL || have == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	if ((rc = check_orphan_states(dir, ks, d)) != 0)
		goto out;
	for (size_t i = 0; i < ks->count && rc == 0; i++) {
		char path[PATH_MAX], *text = NULL;
		size_t len;

		state_path(ks->keys[i], path, sizeof(path));
		st[i].role = default_role(ks, ks->keys[i]);
		rc = file_read_all(path, &text, &len);
		if (rc == -ENOENT) {
			rc = 0;
			continue;
		}
		if (rc != 0) {
			diag_set(d, path, 0, "cannot read the key state");
			break;
		}
		rc = parse_state(path, text, &st[i], d);
		free(text);
		have[i] = true;
		managed = true;
	}
	/*
	 * A key without a state: in use since before any timeline when the
	 * zone has none, otherwise a new key whose state was not written yet
	 * (a run stopped between the two): it starts its life from the start.
	 */
	for (size_t i = 0; i < ks->count && rc == 0; i++)
		if (!have[i] && !managed) {
			st[i].published = st[i].active = SINCE_ALWAYS;
			/* The parent was given their DS before any timeline. */
			if (st[i].role != ROLE_ZSK)
				st[i].ds_seen = SINCE_ALWAYS;
		} else if (!have[i])
			lost_state(ks, st, have, i);
out:
	free(have);
	if (rc != 0) {
		free(st);
		return rc;
	}
	*out = st;
	return 0;
}

/* RFC 7583 §3.2: after publication, until every cache can hold the new DNSKEY set [Ipub]. */
static int64_t
publish_interval(const struct rollover_policy *p)
{
	return p->propagation_delay + p->dnskey_ttl;
}

/*
 * The key whose DS the parent should serve: the newest KSK (CSK) that
 * signs, is published, and whose DNSKEY every cache can hold (RFC 7344
 * §4: no DS before its key); (size_t)-1 when none.
 */
static size_t
ds_wanted(const struct keyset *ks, const struct key_state *st,
    const struct rollover_policy *p, int64_t now)
{
	uint8_t to = target_algorithm(ks, st, p);
	size_t want = (size_t)-1;

	/* In an algorithm rollover, a key of the algorithm it goes to first. */
	for (int pass = to != 0 ? 0 : 1; pass < 2 && want == (size_t)-1; pass++)
	for (size_t i = 0; i < ks->count; i++) {
		const struct key_state *s = &st[i];
		if (pass == 0 && key_algorithm(ks->keys[i]) != to)
			continue;
		if (s->role != ROLE_ZSK && key_is_signing(ks->keys[i]) &&
		    key_is_published(ks->keys[i]) &&
		    (s->published == SINCE_ALWAYS ||
		    s->published + publish_interval(p) <= now) &&
		    (want == (size_t)-1 || s->published > st[want].published))
			want = i;
	}
	return want;
}

void
rollover_apply(struct keyset *ks, const struct key_state *st,
    const struct rollover_policy *p, int64_t now)
{
	size_t cds;

	for (size_t i = 0; i < ks->count; i++) {
		const struct key_state *s = &st[i];
		bool published = s->published != 0 && s->published <= now &&
		    (s->removed == 0 || s->removed > now);
		/*
		 * Signing and publication are apart only in an algorithm
		 * rollover: the new keys sign before they are published, the
		 * old ones after they are withdrawn.
		 */
		bool signing = s->active != 0 && s->active <= now &&
		    (s->retired == 0 || s->retired > now) &&
		    (published || s->published > now ||
		    (s->removed != 0 && s->removed <= now));
		/*
		 * A CSK signs the key RRsets for as long as it is published
		 * (the parent's DS may point at it), the data only while active.
		 */
		if (s->role == ROLE_CSK && published && !signing) {
			key_set_use(ks->keys[i], true, true);
			key_set_keys_only(ks->keys[i], true);
			signing = true;
		} else
			key_set_use(ks->keys[i], published, signing);
		key_set_cds(ks->keys[i], false);
	}
	if (p != NULL && p->cds &&
	    (cds = ds_wanted(ks, st, p, now)) != (size_t)-1)
		key_set_cds(ks->keys[cds], true);
}

/* After retirement, until no cache can hold a signature by the key [Iret, Dsgn = 0]. */
static int64_t
retire_interval(const struct rollover_policy *p)
{
	return p->propagation_delay + p->max_ttl;
}

/* The newest KSK (or CSK) other than i that is not removed, or (size_t)-1. */
static size_t
newer_ksk(const struct keyset *ks, const struct key_state *st, size_t i)
{
	size_t best = (size_t)-1;

	for (size_t j = 0; j < ks->count; j++)
		if (j != i && st[j].role == st[i].role && st[j].removed == 0 &&
		    key_algorithm(ks->keys[j]) == key_algorithm(ks->keys[i]) &&
		    st[j].published > st[i].published &&
		    (best == (size_t)-1 || st[j].published > st[best].published))
			best = j;
	return best;
}

/* When the old KSK may go: its successor's DS seen, and the old DS set out of caches. */
static int64_t
ksk_retire_time(const struct key_state *succ, const struct rollover_policy *p)
{
	int64_t a = succ->published + publish_interval(p);
	int64_t b = succ->ds_seen + p->parent_ds_ttl + p->parent_propagation_delay;

	return a > b ? a : b;
}

/* When an old CSK may go: as a KSK, and none of its data signatures left in caches. */
static int64_t
csk_remove_time(const struct key_state *old, const struct key_state *succ,
    const struct rollover_policy *p)
{
	int64_t a = ksk_retire_time(succ, p);
	int64_t b = old->retired + retire_interval(p);

	return a > b ? a : b;
}

/* A KSK's or CSK's own next event: its DS at the parent, then the end of its lifetime (less lead). */
static int64_t
sep_own_event(const struct key_state *s, uint16_t tag, int64_t lifetime,
    int64_t lead, char *what, size_t size, uint16_t *awaited)
{
	if (s->ds_seen == 0) {
		snprintf(what, size, "its DS at the parent (give it: keys ds)");
		*awaited = tag;
		return 0;
	}
	if (lifetime > 0 && s->active != SINCE_ALWAYS) {
		snprintf(what, size, "successor published (lifetime %lld d)",
		    (long long)(lifetime / 86400));
		return s->active + lifetime - lead;
	}
	snprintf(what, size, "none scheduled");
	return 0;
}

/* rollover_next_event, and in *awaited the tag of the key whose DS it waits for (or 0). */
static int64_t
next_event(const struct keyset *ks, const struct key_state *st, size_t i,
    const struct rollover_policy *p, char *what, size_t size,
    uint16_t *awaited)
{
	const struct key_state *s = &st[i];

	*awaited = 0;
	/*
	 * An algorithm rollover's old key: withdrawn, its signatures still
	 * made (the keys' use says so: rollover_apply first).
	 */
	if (s->removed != 0 && s->retired > s->removed &&
	    key_is_signing(ks->keys[i])) {
		snprintf(what, size, "its signatures dropped (the DNSKEY sets "
		    "with it out of caches)");
		return s->retired;
	}
	if (s->removed != 0) {
		snprintf(what, size, "none");
		return 0;
	}
	/* An algorithm rollover's old key, still in the DNSKEY set. */
	uint8_t to = target_algorithm(ks, st, p);
	if (to != 0 && key_algorithm(ks->keys[i]) != to && is_active(s)) {
		size_t n = new_algorithm_sep(ks, st, to);
		if (n == (size_t)-1) {
			snprintf(what, size, "algorithm rollover to %u (next run)",
			    to);
			return 0;
		}
		if (st[n].ds_seen == 0) {
			snprintf(what, size, "withdrawal, waiting for the DS of "
			    "key %u at the parent", key_tag(ks->keys[n]));
			*awaited = key_tag(ks->keys[n]);
			return 0;
		}
		snprintf(what, size, "withdrawal (the old DS out of caches)");
		return ksk_retire_time(&st[n], p);
	}
	/* An algorithm rollover's new key: signing, published once its signatures are cached. */
	if (s->active != 0 && s->published > s->active &&
	    !key_is_published(ks->keys[i])) {
		snprintf(what, size, "publication (once its signatures can be "
		    "in every cache)");
		return s->published;
	}
	if (s->role == ROLE_CSK && s->active == 0) {
		snprintf(what, size, "activation (its DNSKEY in every cache)");
		return s->published + publish_interval(p);
	}
	if (s->role == ROLE_CSK && s->retired != 0) {
		size_t n = newer_ksk(ks, st, i);
		if (n == (size_t)-1) {
			snprintf(what, size, "none");
			return 0;
		}
		if (st[n].ds_seen == 0) {
			snprintf(what, size, "removal, waiting for the DS of key %u "
			    "at the parent", key_tag(ks->keys[n]));
			*awaited = key_tag(ks->keys[n]);
			return 0;
		}
		snprintf(what, size, "removal (the old DS and its signatures out "
		    "of caches)");
		return csk_remove_time(s, &st[n], p);
	}
	/* A CSK's successor comes ahead of time, like a ZSK's. */
	if (s->role == ROLE_CSK)
		return sep_own_event(s, key_tag(ks->keys[i]), p->csk_lifetime,
		    publish_interval(p), what, size, awaited);
	if (s->role != ROLE_ZSK) {
		size_t n = newer_ksk(ks, st, i);
		if (n != (size_t)-1 && st[n].ds_seen == 0) {
			snprintf(what, size, "retirement, waiting for the DS of "
			    "key %u at the parent", key_tag(ks->keys[n]));
			*awaited = key_tag(ks->keys[n]);
			return 0;
		}
		if (n != (size_t)-1) {
			snprintf(what, size, "retirement (the old DS out of caches)");
			return ksk_retire_time(&st[n], p);
		}
		return sep_own_event(s, key_tag(ks->keys[i]), p->ksk_lifetime, 0,
		    what, size, awaited);
	}
	if (s->retired != 0) {
		snprintf(what, size, "removal (its signatures out of caches)");
		return s->retired + retire_interval(p);
	}
	if (s->published == 0) {
		snprintf(what, size, "publication (next run)");
		return 0;
	}
	if (s->active == 0) {
		snprintf(what, size, "activation (its DNSKEY in every cache)");
		return s->published + publish_interval(p);
	}
	if (p->zsk_lifetime > 0 && s->active != SINCE_ALWAYS) {
		snprintf(what, size, "successor published (lifetime %lld d)",
		    (long long)(p->zsk_lifetime / 86400));
		return s->active + p->zsk_lifetime - publish_interval(p);
	}
	snprintf(what, size, "none scheduled");
	return 0;
}

static bool
is_active(const struct key_state *s)
{
	return s->active != 0 && s->retired == 0 && s->removed == 0;
}

static bool
is_successor(const struct key_state *s)
{
	return s->active == 0 && s->removed == 0;
}

bool
rollover_ds_matches(const struct key *k, const uint8_t *const *dsset,
    const size_t *dslen, size_t n)
{
	uint8_t owner[256], ds[64];
	size_t len, got;
	const uint8_t *rd = key_dnskey_rdata(k, &len);

	/* The owner in wire form, for the digest (RFC 4034 §5.1.4). */
	if (keys_name_wire(key_owner(k), owner) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *want = dsset[i];
		/*
		 * A SHA-1 DS does not count as the parent serving the key's DS:
		 * validators that no longer take SHA-1 (RFC 8624) ignore it.
		 */
		if (dslen[i] < 4 || want[3] == DS_DIGEST_SHA1 ||
		    dnskey_ds_rdata(owner, rd, len, want[3], ds, &got) != 0)
			continue;
		if (got == dslen[i] && memcmp(ds, want, got) == 0)
			return true;
	}
	return false;
}

/* Does the parent's DS set hold a DS for k? */
static bool
parent_has_ds(const struct rollover_view *v, const struct key *k)
{
	return rollover_ds_matches(k, v->parent_ds, v->parent_ds_len,
	    v->nparent_ds);
}

/* Make a new key of k's algorithm and role; its state: generated, or published now. */
static int
add_successor(const char *dir, const char *zone, struct keyset *ks,
    struct key_state **states, size_t i, bool publish, int64_t now,
    struct diag *d)
{
	struct key_state *grown, *s;
	enum key_role role = (*states)[i].role;
	int rc;

	if ((rc = keystore_add_key(dir, zone, key_algorithm(ks->keys[i]),
	    role == ROLE_ZSK ? DNSKEY_FLAG_ZONE : DNSKEY_FLAG_ZONE |
	    DNSKEY_FLAG_SEP, now, ks, d)) != 0)
		return rc;
	if ((grown = realloc(*states, (ks->count + 1) * sizeof(*grown))) == NULL)
		return STATUS_NOMEM;
	*states = grown;
	s = &grown[ks->count - 1];
	memset(s, 0, sizeof(*s));
	s->role = role;
	if (publish) {
		s->published = now;
		/*
		 * A new KSK signs the DNSKEY set from the start (double-KSK); a
		 * new CSK does too, but the data only once it is active.
		 */
		if (role == ROLE_KSK)
			s->active = now;
	}
	return save_state(ks->keys[ks->count - 1], s, d);
}

/*
 * The algorithm keys roll to: the one asked for (the config), else that of
 * the keys the latest algorithm rollover made (keys roll --algorithm); 0:
 * none (keys of several algorithms then stay as they are).
 */
static uint8_t
target_algorithm(const struct keyset *ks, const struct key_state *st,
    const struct rollover_policy *p)
{
	size_t best = (size_t)-1;

	if (p->algorithm != 0)
		return p->algorithm;
	/* A key whose state was lost (SINCE_ALWAYS) is the newest of all. */
	for (size_t i = 0; i < ks->count; i++)
		if (st[i].algorithm_roll != 0 && st[i].removed == 0 &&
		    (best == (size_t)-1 || st[best].algorithm_roll != SINCE_ALWAYS) &&
		    (best == (size_t)-1 || st[i].algorithm_roll == SINCE_ALWAYS ||
		    st[i].algorithm_roll > st[best].algorithm_roll))
			best = i;
	return best == (size_t)-1 ? 0 : key_algorithm(ks->keys[best]);
}

/* Is a key of another algorithm than alg still in the DNSKEY set or signing? */
static bool
other_algorithm_in_use(const struct keyset *ks, const struct key_state *st,
    uint8_t alg, int64_t now)
{
	for (size_t i = 0; i < ks->count; i++)
		if (key_algorithm(ks->keys[i]) != alg && st[i].published != 0 &&
		    (st[i].removed == 0 || st[i].retired > now))
			return true;
	return false;
}

/*
 * Make a key of alg for every role an active key of another algorithm has
 * and no key of alg has yet (after a run killed between two, the rest).
 * *made counts them.
 */
static int
add_algorithm_keys(const char *dir, const char *zone, struct keyset *ks,
    struct key_state **states, uint8_t alg, const struct rollover_policy *p,
    int64_t now, size_t *made, struct diag *d)
{
	bool roles[3] = { false, false, false };
	size_t n0 = ks->count;
	int rc = 0;

	*made = 0;
	for (size_t i = 0; i < n0; i++)
		if (key_algorithm(ks->keys[i]) != alg && is_active(&(*states)[i]))
			roles[(*states)[i].role] = true;
	for (size_t i = 0; i < n0; i++)
		if (key_algorithm(ks->keys[i]) == alg && (*states)[i].removed == 0)
			roles[(*states)[i].role] = false;
	for (int r = ROLE_KSK; r <= ROLE_CSK && rc == 0; r++) {
		struct key_state *grown, *s;
		if (!roles[r])
			continue;
		if ((rc = keystore_add_key(dir, zone, alg, r == ROLE_ZSK ?
		    DNSKEY_FLAG_ZONE : DNSKEY_FLAG_ZONE | DNSKEY_FLAG_SEP, now,
		    ks, d)) != 0)
			break;
		if ((grown = realloc(*states, (ks->count + 1) *
		    sizeof(*grown))) == NULL)
			return STATUS_NOMEM;
		*states = grown;
		s = &grown[ks->count - 1];
		memset(s, 0, sizeof(*s));
		s->role = (enum key_role)r;
		s->algorithm_roll = now;
		/* Signatures first; the DNSKEY once they can be in every cache. */
		s->active = now;
		s->published = now + retire_interval(p);
		rc = save_state(ks->keys[ks->count - 1], s, d);
		(*made)++;
	}
	return rc;
}

int
rollover_start_algorithm(const char *dir, const char *zone,
    struct keyset *ks, struct key_state **states, uint8_t alg,
    const struct rollover_policy *p, int64_t now, struct diag *d)
{
	for (size_t i = 0; i < ks->count; i++)
		if (key_algorithm(ks->keys[i]) == alg && (*states)[i].removed == 0)
			return 0;
	size_t made;

	if (!other_algorithm_in_use(ks, *states, alg, now)) {
		diag_set(d, dir, 0, "no key in use to roll from");
		return STATUS_KEY_MISSING;
	}
	return add_algorithm_keys(dir, zone, ks, states, alg, p, now, &made, d);
}

/*
 * Every key of algorithm to that the served zone does not show (all of
 * them when it is unknown) signs from now and is published once its
 * signatures can be in every cache: an algorithm rollover starting again.
 */
static void
restart_unserved(const struct keyset *ks, struct key_state *st, uint8_t to,
    const struct rollover_view *view, const struct rollover_policy *p,
    int64_t now, bool *dirty)
{
	for (size_t i = 0; i < ks->count; i++) {
		struct key_state *s = &st[i];
		bool served = view != NULL && view->published_now != NULL &&
		    view->published_now[i];
		if (key_algorithm(ks->keys[i]) != to || s->removed != 0 || served)
			continue;
		if (s->algorithm_roll == SINCE_ALWAYS || s->algorithm_roll == 0)
			s->algorithm_roll = now;
		s->active = now;
		s->published = now + retire_interval(p);
		dirty[i] = true;
	}
}

/*
 * An algorithm rollover's key whose state a killed run did not save: it
 * starts now, and so do the others of its algorithm that no served zone
 * shows yet (they all join the DNSKEY set together, after their
 * signatures). Before anything else looks at the states.
 */
static void
restart_lost_algorithm_keys(const struct keyset *ks, struct key_state *st,
    const struct rollover_view *view, const struct rollover_policy *p,
    int64_t now, bool *dirty)
{
	uint8_t to = target_algorithm(ks, st, p);
	bool lost = false;

	for (size_t i = 0; to != 0 && i < ks->count; i++)
		lost = lost || (key_algorithm(ks->keys[i]) == to &&
		    st[i].algorithm_roll != 0 && st[i].active == 0 &&
		    st[i].published == 0 && st[i].removed == 0);
	if (lost)
		restart_unserved(ks, st, to, view, p, now, dirty);
}

/*
 * One step of an algorithm rollover (see rollover.h), when one is asked
 * for or under way: start it, make its new keys wait again when the zone
 * served lacks their signatures, withdraw the old keys once the parent
 * serves the new DS. Sets dirty[i] for states it moved.
 */
static int
advance_algorithm(const char *dir, const char *zone, struct keyset *ks,
    struct key_state **states, const struct rollover_view *view,
    const struct rollover_policy *p, int64_t now, bool *dirty, bool *changed,
    struct diag *d)
{
	uint8_t to = target_algorithm(ks, *states, p);
	size_t n0 = ks->count, sep = (size_t)-1, made;
	bool lagging = false;
	struct key_state *st;
	int rc;

	if (to == 0 || !other_algorithm_in_use(ks, *states, to, now))
		return 0;
	/* The start: the new keys (or those a killed run did not make). */
	if ((rc = add_algorithm_keys(dir, zone, ks, states, to, p, now, &made,
	    d)) != 0 || made > 0) {
		*changed = true;
		return rc;
	}
	st = *states;
	sep = new_algorithm_sep(ks, st, to);
	/*
	 * Not yet published, and the zone served lacks their signatures (a
	 * run that did not get its zone out): the wait starts again.
	 */
	for (size_t i = 0; view != NULL && view->signing_now != NULL &&
	    view->published_now != NULL && i < n0; i++)
		if (key_algorithm(ks->keys[i]) == to && st[i].role != ROLE_KSK &&
		    st[i].removed == 0 && st[i].active < now &&
		    !view->signing_now[i] && !view->published_now[i])
			lagging = true;
	if (lagging)
		restart_unserved(ks, st, to, view, p, now, dirty);
	/*
	 * The new DS served and no cache left with the old DS set: the old
	 * keys leave the DNSKEY set, but sign on until no cache can hold a
	 * DNSKEY set with them (validators may want every algorithm there).
	 */
	if (sep == (size_t)-1)
		return 0;
	/*
	 * A DS of another algorithm seen after this key's (the rollover was
	 * turned back after the parent moved on): this key's DS must be
	 * seen again before anything is withdrawn.
	 */
	for (size_t i = 0; i < n0; i++)
		if (key_algorithm(ks->keys[i]) != to && st[i].role != ROLE_ZSK &&
		    st[i].removed == 0 && st[i].ds_seen > st[sep].ds_seen &&
		    st[sep].ds_seen != 0) {
			st[sep].ds_seen = 0;
			st[sep].ds_submitted = 0;
			dirty[sep] = true;
		}
	if (st[sep].ds_seen == 0 || now < ksk_retire_time(&st[sep], p))
		return 0;
	for (size_t i = 0; i < n0; i++)
		if (key_algorithm(ks->keys[i]) != to && is_active(&st[i])) {
			st[i].removed = now;
			st[i].retired = now + publish_interval(p);
			dirty[i] = true;
		}
	return 0;
}

int64_t
rollover_next_event(const struct keyset *ks, const struct key_state *st,
    size_t i, const struct rollover_policy *p, char *what, size_t size)
{
	uint16_t awaited;

	return next_event(ks, st, i, p, what, size, &awaited);
}

uint16_t
rollover_ds_awaited(const struct keyset *ks, const struct key_state *st,
    size_t i, const struct rollover_policy *p)
{
	char what[160];
	uint16_t awaited;

	next_event(ks, st, i, p, what, sizeof(what), &awaited);
	return awaited;
}

/* The KSK (CSK) of algorithm to that an algorithm rollover made, or (size_t)-1. */
static size_t
new_algorithm_sep(const struct keyset *ks, const struct key_state *st,
    uint8_t to)
{
	size_t sep = (size_t)-1;

	for (size_t i = 0; i < ks->count; i++)
		if (key_algorithm(ks->keys[i]) == to && st[i].removed == 0 &&
		    st[i].role != ROLE_ZSK)
			sep = i;
	return sep;
}

int
rollover_ds_seen(struct keyset *ks, struct key_state *states, uint16_t tag,
    int64_t now, struct diag *d)
{
	for (size_t i = 0; i < ks->count; i++) {
		if (key_tag(ks->keys[i]) != tag || states[i].role == ROLE_ZSK ||
		    states[i].removed != 0)
			continue;
		if (states[i].ds_seen == 0)
			states[i].ds_seen = now;
		return save_state(ks->keys[i], &states[i], d);
	}
	diag_set(d, NULL, 0, "no KSK or CSK with tag %u in use", tag);
	return STATUS_KEY_MISSING;
}

int
rollover_advance(const char *dir, const char *zone, struct keyset *ks,
    struct key_state **states, const struct rollover_view *view,
    const struct rollover_policy *p, enum rollover_force force, int64_t now,
    bool *changed, struct diag *d)
{
	size_t n0 = ks->count;
	const bool *published_now = view != NULL ? view->published_now : NULL;
	bool timeline = p->zsk_lifetime > 0 || p->ksk_lifetime > 0 ||
	    p->csk_lifetime > 0 || force != FORCE_NONE;
	bool *dirty;
	int rc = 0;

	*changed = false;
	if ((dirty = calloc(n0 + 1, sizeof(*dirty))) == NULL)
		return STATUS_NOMEM;
	restart_lost_algorithm_keys(ks, *states, view, p, now, dirty);
	/*
	 * Keys in use before the timeline (no state yet) start their lifetime
	 * now, once there is a timeline to follow; they are in every cache.
	 */
	for (size_t i = 0; timeline && i < n0; i++) {
		struct key_state *s = &(*states)[i];
		if (s->active == SINCE_ALWAYS) {
			s->active = now;
			dirty[i] = true;
		}
	}
	/*
	 * The served zone says what was really published: a successor whose
	 * DNSKEY never reached it (a run that stopped before writing) is
	 * published from now, so that its wait starts when caches can see it.
	 */
	for (size_t i = 0; published_now != NULL && i < n0; i++) {
		struct key_state *s = &(*states)[i];
		/* An algorithm rollover's CSK waits for its DS like a KSK. */
		bool sep_wait = s->role == ROLE_KSK ||
		    (s->role == ROLE_CSK && s->algorithm_roll != 0);
		bool waiting = sep_wait ? s->ds_seen == 0 && s->removed == 0 :
		    is_successor(s);
		if (waiting && s->published != 0 && s->published != SINCE_ALWAYS &&
		    !published_now[i] && s->published < now) {
			s->published = now;
			if (s->role == ROLE_KSK && s->algorithm_roll == 0)
				s->active = now;
			dirty[i] = true;
		}
		/*
		 * An algorithm rollover's old key withdrawn, but the served zone
		 * still shows its DNSKEY (that run's zone did not get out): the
		 * wait before its signatures go starts with the zone that drops it.
		 */
		if (s->removed != 0 && s->retired > s->removed &&
		    published_now[i] && s->removed < now) {
			s->removed = now;
			s->retired = now + publish_interval(p);
			dirty[i] = true;
		}
	}
	for (size_t i = 0; i < n0; i++) {
		struct key_state *s = &(*states)[i];

		/*
		 * A key made but never published (a run stopped): publish it
		 * now; an algorithm rollover's signs first (advance_algorithm).
		 */
		if (s->published == 0 && s->removed == 0 &&
		    s->algorithm_roll == 0) {
			s->published = now;
			if (s->role == ROLE_KSK)
				s->active = now;
			dirty[i] = true;
		}
		if (s->role != ROLE_ZSK) {
			/* The parent's DS set, when we can see it, says whether our DS is there. */
			if (view != NULL && view->parent_known && s->ds_seen == 0 &&
			    s->removed == 0 && parent_has_ds(view, ks->keys[i])) {
				s->ds_seen = now;
				dirty[i] = true;
			}
			/* Gone from the zone, and now from the parent too. */
			if (view != NULL && view->parent_known && s->ds_seen != 0 &&
			    s->removed != 0 && s->ds_withdrawn == 0 &&
			    !parent_has_ds(view, ks->keys[i])) {
				s->ds_withdrawn = now;
				dirty[i] = true;
			}
			if (s->role == ROLE_KSK)
				continue;
		}
		/*
		 * Once every cache can hold its DNSKEY: it signs the data, the
		 * old ZSKs (CSKs) of its algorithm retire from the data.
		 */
		if (is_successor(s) && now >= s->published + publish_interval(p)) {
			for (size_t j = 0; j < n0; j++) {
				struct key_state *o = &(*states)[j];
				if (j != i && o->role == s->role && is_active(o) &&
				    key_algorithm(ks->keys[j]) ==
				    key_algorithm(ks->keys[i])) {
					o->retired = now;
					dirty[j] = true;
				}
			}
			s->active = now;
			dirty[i] = true;
		}
		/*
		 * Retired, but the served zone still holds its signatures (the
		 * run that replaced them did not get its zone out): the wait
		 * for them to leave caches starts with the zone that drops them.
		 */
		if (s->retired != 0 && s->removed == 0 && view != NULL &&
		    view->signing_now != NULL && view->signing_now[i]) {
			s->retired = now;
			dirty[i] = true;
		}
		/*
		 * Once no cache can hold its signatures: out of the DNSKEY set
		 * (an old CSK waits for the DS swap as well, below).
		 */
		if (s->role == ROLE_ZSK && s->retired != 0 && s->removed == 0 &&
		    now >= s->retired + retire_interval(p)) {
			s->removed = now;
			dirty[i] = true;
		}
	}
	/*
	 * Two active ZSKs of one algorithm (a run stopped between saving the
	 * new one's activation and the old one's retirement): the older retires.
	 */
	for (size_t i = 0; i < n0; i++) {
		struct key_state *s = &(*states)[i];
		if (s->role == ROLE_KSK || !is_active(s))
			continue;
		for (size_t j = 0; j < n0; j++) {
			struct key_state *o = &(*states)[j];
			if (j != i && o->role == s->role && is_active(o) &&
			    o->active > s->active &&
			    key_algorithm(ks->keys[j]) == key_algorithm(ks->keys[i])) {
				s->retired = now;
				dirty[i] = true;
				break;
			}
		}
	}
	/*
	 * Double-KSK (RFC 7583 §3.3.2): the old KSK leaves once its successor's
	 * DNSKEY is in every cache, the parent serves the successor's DS, and
	 * no cache can hold a DS set without it.
	 */
	for (size_t i = 0; i < n0; i++) {
		struct key_state *s = &(*states)[i];
		size_t n;
		if (s->role == ROLE_ZSK || s->removed != 0 ||
		    (n = newer_ksk(ks, *states, i)) == (size_t)-1 ||
		    (*states)[n].ds_seen == 0 ||
		    now < ksk_retire_time(&(*states)[n], p))
			continue;
		/* An old CSK: only after its successor took over the data, and its signatures left caches. */
		if (s->role == ROLE_CSK && (s->retired == 0 ||
		    now < csk_remove_time(s, &(*states)[n], p)))
			continue;
		if (s->retired == 0)
			s->retired = now;
		s->removed = now;
		dirty[i] = true;
	}
	rc = advance_algorithm(dir, zone, ks, states, view, p, now, dirty,
	    changed, d);
	/* New rolls: when a lifetime ends, or asked for; none during an algorithm rollover. */
	uint8_t to = target_algorithm(ks, *states, p);
	bool alg_roll = to != 0 && other_algorithm_in_use(ks, *states, to, now);
	for (size_t i = 0; i < n0 && rc == 0; i++) {
		struct key_state *s = &(*states)[i];
		bool has_successor = false, due;

		if (!is_active(s) || alg_roll)
			continue;
		if (s->role == ROLE_ZSK) {
			for (size_t j = 0; j < ks->count; j++)
				if ((*states)[j].role == ROLE_ZSK &&
				    is_successor(&(*states)[j]) &&
				    key_algorithm(ks->keys[j]) ==
				    key_algorithm(ks->keys[i]))
					has_successor = true;
			due = force == FORCE_ZSK || (p->zsk_lifetime > 0 &&
			    now >= s->active + p->zsk_lifetime -
			    publish_interval(p));
		} else if (s->role == ROLE_KSK) {
			has_successor = newer_ksk(ks, *states, i) != (size_t)-1;
			due = force == FORCE_KSK || (p->ksk_lifetime > 0 &&
			    now >= s->active + p->ksk_lifetime);
		} else {
			/* Published ahead, like a ZSK: it takes over at the lifetime's end. */
			has_successor = newer_ksk(ks, *states, i) != (size_t)-1;
			due = force == FORCE_CSK || (p->csk_lifetime > 0 &&
			    now >= s->active + p->csk_lifetime -
			    publish_interval(p));
		}
		if (has_successor || !due)
			continue;
		/* (add_successor moves *states: s is not to be used after it) */
		enum key_role role = s->role;
		rc = add_successor(dir, zone, ks, states, i, true, now, d);
		*changed = true;
		if ((role == ROLE_ZSK && force == FORCE_ZSK) ||
		    (role == ROLE_KSK && force == FORCE_KSK) ||
		    (role == ROLE_CSK && force == FORCE_CSK))
			force = FORCE_NONE;
	}
	for (size_t i = 0; i < n0 && rc == 0; i++) {
		if (dirty[i])
			rc = save_state(ks->keys[i], &(*states)[i], d);
		*changed = *changed || dirty[i];
	}
	free(dirty);
	if (rc == 0)
		rollover_apply(ks, *states, p, now);
	/* The key the parent should now serve: asked for from now (CDS, keys ds). */
	size_t want = rc == 0 ? ds_wanted(ks, *states, p, now) : (size_t)-1;
	if (want != (size_t)-1 && (*states)[want].ds_submitted == 0 &&
	    (*states)[want].ds_seen == 0) {
		(*states)[want].ds_submitted = now;
		rc = save_state(ks->keys[want], &(*states)[want], d);
		*changed = true;
	}
	return rc;
}

int
rollover_start(const char *dir, const char *zone, struct keyset *ks,
    struct key_state **states, enum key_role role, int64_t now, struct diag *d)
{
	for (size_t i = 0; i < ks->count; i++) {
		struct key_state *s = &(*states)[i];
		bool under_way = false;

		if (s->role != role || !is_active(s))
			continue;
		/* One roll at a time per role and algorithm. */
		for (size_t j = 0; j < ks->count; j++) {
			struct key_state *o = &(*states)[j];
			if (j != i && o->role == role && o->removed == 0 &&
			    key_algorithm(ks->keys[j]) == key_algorithm(ks->keys[i]) &&
			    (role == ROLE_ZSK ? is_successor(o) :
			    o->published > s->published || o->published == 0))
				under_way = true;
		}
		if (under_way)
			return 0;
		/* Made, not yet published: the next run publishes it. */
		return add_successor(dir, zone, ks, states, i, false, now, d);
	}
	diag_set(d, dir, 0, "no active %s to roll", key_role_name(role));
	return STATUS_KEY_MISSING;
}

int
rollover_rebase(struct keyset *ks, struct key_state *states, int64_t since,
    int64_t now, struct diag *d)
{
	int rc = 0;

	for (size_t i = 0; i < ks->count && rc == 0; i++) {
		struct key_state *s = &states[i];
		int64_t *f[] = { &s->published, &s->active, &s->retired,
		    &s->removed };
		bool moved = false;

		/*
		 * Our own events move by the outage, those planned ahead too (an
		 * algorithm rollover's publication keeps its wait): while it
		 * lasted no run moved a key, so every time from its start on
		 * was set by the run that began it. The parent's DS was seen
		 * when it was. Once per outage and key (a rebase cut short is
		 * done again).
		 */
		if (s->rebased_for == since || now <= since)
			continue;
		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			if (*f[k] > SINCE_ALWAYS && *f[k] >= since) {
				*f[k] += now - since;
				moved = true;
			}
		if (moved) {
			s->rebased_for = since;
			rc = save_state(ks->keys[i], s, d);
		}
	}
	return rc;
}
