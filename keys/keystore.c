/* The keys of one zone in a key folder: find, load, create and import them. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/status.h"
#include "dnskey.h"
#include "keys_internal.h"
#include "keystore.h"

void
keyset_free(struct keyset *ks)
{
	if (ks == NULL)
		return;
	for (size_t i = 0; i < ks->count; i++)
		key_free(ks->keys[i]);
	free(ks->keys);
	free(ks);
}

static int
keyset_add(struct keyset *ks, struct key *k)
{
	struct key **p;

	if ((p = realloc(ks->keys, (ks->count + 1) * sizeof(*p))) == NULL)
		return STATUS_NOMEM;
	ks->keys = p;
	ks->keys[ks->count++] = k;
	return 0;
}

/* Algorithm, then KSKs before ZSKs, then tag: the same order on every run. */
static int
key_order(const void *a, const void *b)
{
	const struct key *x = *(const struct key *const *)a;
	const struct key *y = *(const struct key *const *)b;

	if (key_algorithm(x) != key_algorithm(y))
		return key_algorithm(x) < key_algorithm(y) ? -1 : 1;
	if (key_flags(x) != key_flags(y))
		return key_flags(x) > key_flags(y) ? -1 : 1;
	if (key_tag(x) != key_tag(y))
		return key_tag(x) < key_tag(y) ? -1 : 1;
	return 0;
}

static int
zone_name(const char *zone, char **out, struct diag *d)
{
	int rc = keys_name_normalize(zone, out);

	if (rc == STATUS_SYNTAX)
		diag_set(d, NULL, 0, "'%s' is not a domain name", zone);
	return rc;
}

/* Others who can write to the folder could swap our keys for theirs. */
static int
check_folder(const char *dir, struct diag *d)
{
	struct stat st;
	int rc;

	if (stat(dir, &st) != 0) {
		rc = status_from_errno(errno);
		diag_set(d, dir, 0, "cannot use the key folder");
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		diag_set(d, dir, 0, "cannot use it as the key folder");
		return -ENOTDIR;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		diag_set(d, dir, 0, "the key folder has mode %04o, writable by "
		    "group or others; run chmod 700 on it",
		    (unsigned)(st.st_mode & 07777));
		return STATUS_KEY_UNSAFE;
	}
	return 0;
}

static bool
digits(const char *p, size_t n, unsigned long *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		*v = *v * 10 + (unsigned long)(p[i] - '0');
	}
	return true;
}

/*
 * Is name K<zone>+AAA+TTTTT<suffix> (BIND's naming; the zone part in any
 * case)? Gives the algorithm and tag it announces.
 */
static bool
key_file_name(const char *name, const char *zone, const char *suffix,
    uint8_t *alg, uint16_t *tag)
{
	size_t zlen = strlen(zone);
	unsigned long a, t;
	const char *p;

	if (name[0] != 'K' || strncasecmp(name + 1, zone, zlen) != 0)
		return false;
	p = name + 1 + zlen;
	if (p[0] != '+' || !digits(p + 1, 3, &a) || p[4] != '+' ||
	    !digits(p + 5, 5, &t) || strcmp(p + 10, suffix) != 0 ||
	    a > 255 || t > 65535)
		return false;
	*alg = (uint8_t)a;
	*tag = (uint16_t)t;
	return true;
}

static int
name_order(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * The file names in dir of zone's keys ending in suffix ("" for any
 * suffix: .key and .private), sorted.
 */
static int
list_key_files(const char *dir, const char *zone, const char *suffix,
    char ***out, size_t *count, struct diag *d)
{
	char **names = NULL, **p;
	size_t n = 0;
	struct dirent *e;
	DIR *dp;
	int rc = 0;

	if ((dp = opendir(dir)) == NULL) {
		rc = status_from_errno(errno);
		diag_set(d, dir, 0, "cannot read the key folder");
		return rc;
	}
	while ((errno = 0, e = readdir(dp)) != NULL) {
		uint8_t alg;
		uint16_t tag;
		bool match = *suffix != '\0' ?
		    key_file_name(e->d_name, zone, suffix, &alg, &tag) :
		    key_file_name(e->d_name, zone, ".key", &alg, &tag) ||
		    key_file_name(e->d_name, zone, ".private", &alg, &tag);

		if (!match)
			continue;
		if ((p = realloc(names, (n + 1) * sizeof(*p))) == NULL) {
			rc = STATUS_NOMEM;
			goto out;
		}
		names = p;
		if ((names[n] = strdup(e->d_name)) == NULL) {
			rc = STATUS_NOMEM;
			goto out;
		}
		n++;
	}
	if (errno != 0) {
		rc = status_from_errno(errno);
		diag_set(d, dir, 0, "cannot read the key folder");
		goto out;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), name_order);
	*out = names;
	*count = n;
	names = NULL;
out:
	if (rc != 0)
		free_names(names, n);
	closedir(dp);
	return rc;
}

static int
join(char *buf, size_t size, const char *dir, const char *name)
{
	size_t dlen = strlen(dir);
	int n = snprintf(buf, size, "%s%s%s", dir,
	    dlen > 0 && dir[dlen - 1] == '/' ? "" : "/", name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Is the .private beside a .key absent? Its path goes to priv. */
static bool
private_missing(const char *keyfile, char *priv, size_t size)
{
	struct stat st;
	size_t len = strlen(keyfile);

	if (len < 4 || (size_t)snprintf(priv, size, "%.*s.private",
	    (int)(len - 4), keyfile) >= size)
		return false;
	return lstat(priv, &st) != 0 && errno == ENOENT;
}

/* A key that claims to be zone's must be: its owner and its file name agree. */
static int
check_key(const struct key *k, const char *zone, const char *file,
    uint8_t alg, uint16_t tag, struct diag *d)
{
	if (strcmp(key_owner(k), zone) != 0) {
		diag_set(d, file, 0, "the key belongs to %s, not to the "
		    "zone %s", key_owner(k), zone);
		return STATUS_KEY_FORMAT;
	}
	if (alg != 0 && (key_algorithm(k) != alg || key_tag(k) != tag)) {
		diag_set(d, file, 0, "the file name says algorithm %u tag %u, "
		    "but the key has algorithm %u tag %u", alg, tag,
		    key_algorithm(k), key_tag(k));
		return STATUS_KEY_FORMAT;
	}
	return 0;
}

int
keystore_load(const char *dir, const char *zone, struct keyset **out,
    struct diag *d)
{
	struct keyset *ks = NULL;
	char path[PATH_MAX], priv[PATH_MAX + 8], *name = NULL, **files = NULL;
	size_t nfiles = 0;
	int rc;

	if ((rc = zone_name(zone, &name, d)) != 0 ||
	    (rc = check_folder(dir, d)) != 0 ||
	    (rc = list_key_files(dir, name, ".key", &files, &nfiles, d)) != 0)
		goto out;
	/* What a run killed while writing key files left behind. */
	file_clean_dir_temps(dir);
	if ((ks = calloc(1, sizeof(*ks))) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < nfiles; i++) {
		struct key *k = NULL;
		uint8_t alg = 0;
		uint16_t tag = 0;

		if ((rc = join(path, sizeof(path), dir, files[i])) != 0) {
			diag_set(d, dir, 0, "%s: path too long", files[i]);
			goto out;
		}
		key_file_name(files[i], name, ".key", &alg, &tag);
		if ((rc = key_load(path, &k, d)) == -ENOENT &&
		    private_missing(path, priv, sizeof(priv))) {
			/* A .key without its .private: a key we cannot use. */
			diag_set(d, priv, 0, "the private key file is missing");
			rc = STATUS_KEY_MISSING;
		}
		if (rc != 0)
			goto out;
		if ((rc = check_key(k, name, path, alg, tag, d)) != 0 ||
		    (rc = keyset_add(ks, k)) != 0) {
			key_free(k);
			goto out;
		}
	}
	if (ks->count == 0) {
		diag_set(d, dir, 0, "no usable key for %s in this folder",
		    name);
		rc = STATUS_KEY_MISSING;
		goto out;
	}
	qsort(ks->keys, ks->count, sizeof(*ks->keys), key_order);
	*out = ks;
	ks = NULL;
out:
	keyset_free(ks);
	free_names(files, nfiles);
	free(name);
	return rc;
}

/* Create dir (0700) when missing, then insist that it is safe. */
static int
prepare_folder(const char *dir, struct diag *d)
{
	int rc;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		rc = status_from_errno(errno);
		diag_set(d, dir, 0, "cannot create the key folder");
		return rc;
	}
	return check_folder(dir, d);
}

static void
remove_saved(char saved[][PATH_MAX], size_t n)
{
	/* Twice PATH_MAX: gcc cannot see the bound of saved[i]. */
	char path[2 * PATH_MAX + 16];

	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s.key", saved[i]);
		unlink(path);
		snprintf(path, sizeof(path), "%s.private", saved[i]);
		unlink(path);
	}
}

/* The tag a key would have with the REVOKE flag set (RFC 5011 §2.1). */
static uint16_t
revoked_tag(const struct key *k)
{
	uint8_t rdata[KEYS_PUBKEY_MAX + 4];
	size_t len;
	const uint8_t *rd = key_dnskey_rdata(k, &len);

	memcpy(rdata, rd, len);
	rdata[1] |= DNSKEY_FLAG_REVOKE;
	return dnskey_tag(rdata, len);
}

/* Do two keys' tags, also after a revocation, stay apart (RFC 4034 §5.3.1)? */
static bool
tags_collide(const struct key *a, const struct key *b)
{
	return key_tag(a) == key_tag(b) || revoked_tag(a) == key_tag(b) ||
	    key_tag(a) == revoked_tag(b);
}

int
keystore_add_key(const char *dir, const char *zone, uint8_t alg,
    uint16_t flags, int64_t now, struct keyset *ks, struct diag *d)
{
	char saved[1][PATH_MAX], *name = NULL;
	struct key *k = NULL, *back = NULL;
	bool collides;
	int rc;

	if ((rc = zone_name(zone, &name, d)) != 0)
		return rc;
	/* A tag no key of the zone has, revoked or not (RFC 5011 §7). */
	do {
		key_free(k);
		k = NULL;
		if ((rc = key_generate(name, alg, 0, flags, now, &k)) != 0) {
			diag_set(d, dir, 0, "cannot generate a key for %s%s%s",
			    name, keys_why_sep(rc), keys_why(rc));
			goto out;
		}
		collides = false;
		for (size_t i = 0; i < ks->count && !collides; i++)
			collides = tags_collide(k, ks->keys[i]);
	} while (collides);
	if ((rc = key_save(k, dir, saved[0], sizeof(saved[0]))) != 0) {
		diag_set(d, dir, 0, "cannot save the new key %u of %s%s%s",
		    key_tag(k), name, keys_why_sep(rc), keys_why(rc));
		goto out;
	}
	/* Reading back what we wrote checks it and sets the file prefix. */
	if ((rc = key_load(saved[0], &back, d)) != 0 ||
	    (rc = keyset_add(ks, back)) != 0) {
		key_free(back);
		remove_saved(saved, 1);
	}
out:
	key_free(k);
	free(name);
	return rc;
}

int
keystore_init_zone(const char *dir, const char *zone, uint8_t alg,
    unsigned bits, bool csk, int64_t now, struct keyset **out,
    struct diag *d)
{
	struct key *keys[2] = { NULL, NULL };
	char saved[2][PATH_MAX], *name = NULL, **files = NULL;
	size_t nkeys = csk ? 1 : 2, nsaved = 0, nfiles = 0;
	int rc;

	/*
	 * Only complete keys (a .key file, written last) count: a run killed
	 * while making the first keys leaves at most a .private without it.
	 */
	if ((rc = zone_name(zone, &name, d)) != 0 ||
	    (rc = prepare_folder(dir, d)) != 0 ||
	    (rc = list_key_files(dir, name, ".key", &files, &nfiles, d)) != 0)
		goto out;
	if (nfiles > 0) {
		diag_set(d, dir, 0, "%s already has keys in this folder (%s); "
		    "list them with 'keys list'", name, files[0]);
		rc = -EEXIST;
		goto out;
	}
	for (size_t i = 0; i < nkeys; i++) {
		/* A KSK or CSK carries the SEP flag (RFC 4034 §2.1.1). */
		uint16_t flags = i == 0 ? DNSKEY_FLAG_ZONE | DNSKEY_FLAG_SEP :
		    DNSKEY_FLAG_ZONE;

		do {
			key_free(keys[i]);
			keys[i] = NULL;
			if ((rc = key_generate(name, alg, bits, flags, now,
			    &keys[i])) != 0) {
				diag_set(d, dir, 0, "cannot generate a key for "
				    "%s%s%s", name, keys_why_sep(rc),
				    keys_why(rc));
				goto out;
			}
		} while (i == 1 && tags_collide(keys[0], keys[1]));
	}
	for (size_t i = 0; i < nkeys; i++) {
		if ((rc = key_save(keys[i], dir, saved[nsaved],
		    sizeof(saved[nsaved]))) != 0) {
			diag_set(d, dir, 0, "cannot save the new key %u of "
			    "%s%s%s", key_tag(keys[i]), name, keys_why_sep(rc),
			    keys_why(rc));
			goto out;
		}
		nsaved++;
	}
	/* Reading back what we wrote checks it, and gives the file names. */
	rc = keystore_load(dir, name, out, d);
out:
	if (rc != 0)
		remove_saved(saved, nsaved);
	for (size_t i = 0; i < 2; i++)
		key_free(keys[i]);
	free_names(files, nfiles);
	free(name);
	return rc;
}

int
keystore_import(const char *dir, const char *zone, char *const *paths,
    size_t npaths, struct diag *d)
{
	struct keyset ks = { NULL, 0 };
	char (*saved)[PATH_MAX] = NULL, *name = NULL;
	size_t nsaved = 0;
	int rc;

	if (npaths == 0) {
		diag_set(d, NULL, 0, "no key files to import");
		return STATUS_INVAL;
	}
	if ((rc = zone_name(zone, &name, d)) != 0)
		goto out;
	if ((saved = calloc(npaths, sizeof(*saved))) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	/* Check every key before writing any: all are imported, or none. */
	for (size_t i = 0; i < npaths; i++) {
		struct key *k = NULL;

		if ((rc = key_load(paths[i], &k, d)) != 0)
			goto out;
		if ((rc = check_key(k, name, paths[i], 0, 0, d)) != 0 ||
		    (rc = keyset_add(&ks, k)) != 0) {
			key_free(k);
			goto out;
		}
	}
	if ((rc = prepare_folder(dir, d)) != 0)
		goto out;
	for (size_t i = 0; i < ks.count; i++) {
		const struct key *k = ks.keys[i];

		if ((rc = key_save(k, dir, saved[nsaved],
		    sizeof(saved[nsaved]))) != 0) {
			if (rc == -EEXIST)
				diag_set(d, dir, 0, "key %u (algorithm %u) "
				    "of %s is already in the key folder",
				    key_tag(k), key_algorithm(k), name);
			else
				diag_set(d, dir, 0, "cannot save key %u "
				    "(algorithm %u) of %s%s%s", key_tag(k),
				    key_algorithm(k), name, keys_why_sep(rc),
				    keys_why(rc));
			goto out;
		}
		nsaved++;
	}
out:
	if (rc != 0 && saved != NULL)
		remove_saved(saved, nsaved);
	for (size_t i = 0; i < ks.count; i++)
		key_free(ks.keys[i]);
	free(ks.keys);
	free(saved);
	free(name);
	return rc;
}
