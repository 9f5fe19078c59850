/* Key lifecycles and rollovers: state files beside the key files, and the RFC 7583 timeline. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/fileio.h"
#include "common/status.h"
#include "common/timespec.h"
#include "dnskey.h"
#include "key.h"
#include "rollover.h"

#define STATE_SUFFIX ".zwstate"
/* Times in state files of keys that were in use before any timeline. */
#define SINCE_ALWAYS 1

const char *
key_role_name(enum key_role r)
{
	return r == ROLE_KSK ? "KSK" : r == ROLE_ZSK ? "ZSK" : "CSK";
}

const char *
key_state_name(const struct key_state *s, int64_t now)
{
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
	    "Active, Retired or Removed with a time)");
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
		if (!have[i] && !managed)
			st[i].published = st[i].active = SINCE_ALWAYS;
out:
	free(have);
	if (rc != 0) {
		free(st);
		return rc;
	}
	*out = st;
	return 0;
}

void
rollover_apply(struct keyset *ks, const struct key_state *st, int64_t now)
{
	for (size_t i = 0; i < ks->count; i++) {
		const struct key_state *s = &st[i];
		bool published = s->published != 0 && s->published <= now &&
		    (s->removed == 0 || s->removed > now);
		bool signing = published && s->active != 0 && s->active <= now &&
		    (s->retired == 0 || s->retired > now);
		key_set_use(ks->keys[i], published, signing);
	}
}

/* RFC 7583 §3.2: after publication, until every cache can hold the new DNSKEY set [Ipub]. */
static int64_t
publish_interval(const struct rollover_policy *p)
{
	return p->propagation_delay + p->dnskey_ttl;
}

/* After retirement, until no cache can hold a signature by the key [Iret, Dsgn = 0]. */
static int64_t
retire_interval(const struct rollover_policy *p)
{
	return p->propagation_delay + p->max_ttl;
}

int64_t
rollover_next_event(const struct key_state *s, const struct rollover_policy *p,
    char *what, size_t size)
{
	if (s->removed != 0) {
		snprintf(what, size, "none");
		return 0;
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
	if (s->role == ROLE_ZSK && p->zsk_lifetime > 0 &&
	    s->active != SINCE_ALWAYS) {
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

int
rollover_advance(const char *dir, const char *zone, struct keyset *ks,
    struct key_state **states, const bool *published_now,
    const struct rollover_policy *p, bool force_zsk, int64_t now,
    bool *changed, struct diag *d)
{
	size_t n0 = ks->count;
	bool *dirty;
	int rc = 0;

	*changed = false;
	if ((dirty = calloc(n0 + 1, sizeof(*dirty))) == NULL)
		return STATUS_NOMEM;
	/*
	 * Keys in use before the timeline (no state yet) start their lifetime
	 * now, once there is a timeline to follow; they are in every cache.
	 */
	for (size_t i = 0; (p->zsk_lifetime > 0 || force_zsk) && i < n0; i++) {
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
		if (is_successor(s) && s->published != 0 && !published_now[i]) {
			s->published = now;
			dirty[i] = true;
		}
	}
	for (size_t i = 0; i < n0; i++) {
		struct key_state *s = &(*states)[i];
		if (s->role != ROLE_ZSK)
			continue;
		/* A successor made but never published: publish it now. */
		if (is_successor(s) && s->published == 0) {
			s->published = now;
			dirty[i] = true;
		}
		/* Once every cache can hold its DNSKEY: it signs, the old ZSKs retire. */
		if (is_successor(s) && now >= s->published + publish_interval(p)) {
			for (size_t j = 0; j < n0; j++) {
				struct key_state *o = &(*states)[j];
				if (j != i && o->role == ROLE_ZSK && is_active(o) &&
				    key_algorithm(ks->keys[j]) ==
				    key_algorithm(ks->keys[i])) {
					o->retired = now;
					dirty[j] = true;
				}
			}
			s->active = now;
			dirty[i] = true;
		}
		/* Once no cache can hold its signatures: out of the DNSKEY set. */
		if (s->retired != 0 && s->removed == 0 &&
		    now >= s->retired + retire_interval(p)) {
			s->removed = now;
			dirty[i] = true;
		}
	}
	/* Start a ZSK roll when the active ZSK's lifetime ends (less the wait for its successor). */
	for (size_t i = 0; i < n0 && rc == 0; i++) {
		struct key_state *s = &(*states)[i], *grown;
		bool has_successor = false, due;

		if (s->role != ROLE_ZSK || !is_active(s))
			continue;
		for (size_t j = 0; j < ks->count; j++)
			if ((*states)[j].role == ROLE_ZSK &&
			    is_successor(&(*states)[j]) &&
			    key_algorithm(ks->keys[j]) == key_algorithm(ks->keys[i]))
				has_successor = true;
		due = force_zsk || (p->zsk_lifetime > 0 &&
		    now >= s->active + p->zsk_lifetime - publish_interval(p));
		if (has_successor || !due)
			continue;
		if ((rc = keystore_add_key(dir, zone, key_algorithm(ks->keys[i]),
		    DNSKEY_FLAG_ZONE, now, ks, d)) != 0)
			break;
		grown = realloc(*states, (ks->count + 1) * sizeof(*grown));
		if (grown == NULL) {
			rc = STATUS_NOMEM;
			break;
		}
		*states = grown;
		s = &(*states)[i];
		memset(&(*states)[ks->count - 1], 0, sizeof(**states));
		(*states)[ks->count - 1].role = ROLE_ZSK;
		(*states)[ks->count - 1].published = now;
		rc = save_state(ks->keys[ks->count - 1],
		    &(*states)[ks->count - 1], d);
		*changed = true;
		force_zsk = false;
	}
	for (size_t i = 0; i < n0 && rc == 0; i++) {
		if (dirty[i])
			rc = save_state(ks->keys[i], &(*states)[i], d);
		*changed = *changed || dirty[i];
	}
	free(dirty);
	if (rc == 0)
		rollover_apply(ks, *states, now);
	return rc;
}
