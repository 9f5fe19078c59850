/* The signing job shared by `sign` and `run`: read a zone with our previous output, sign, write. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/encode.h"
#include "common/fileio.h"
#include "common/status.h"
#include "common/timespec.h"
#include "keys/keystore.h"
#include "signing.h"

/* Our previous output, read on its own thread while the input is read. */
struct previous {
	const char *path, *zname;
	struct zone *zone;
	bool intact;                 /* our output, unchanged since written */
	int fd;                      /* the one open file hashed and parsed */
	struct stat st;              /* the file as it was read */
	uint8_t body[ZONE_DIGEST_LEN]; /* the digest its last line gives */
	uint64_t body_len;
	bool body_ok;                /* ... and the digest of its bytes */
	bool from_cache;             /* records read from its record cache */
	struct diag warning;
	bool warn;
	pthread_t thread;
};

static bool read_manifest(int fd, struct signing_manifest *m,
    uint8_t body[ZONE_DIGEST_LEN], uint64_t *body_len);
static bool body_intact(int fd, uint64_t body_len,
    const uint8_t body[ZONE_DIGEST_LEN]);
static bool same_file_state(const struct stat *a, const struct stat *b);

/* The digest of our previous output, taken while it is parsed. */
static void *
check_previous(void *arg)
{
	struct previous *pv = arg;

	pv->body_ok = body_intact(pv->fd, pv->body_len, pv->body);
	return NULL;
}

/* The digest taken beside the parse, and the file as it was before. */
struct digest_job {
	struct previous *pv;
	struct stat before;
	pthread_t thread;
	bool hashing;               /* on its thread, not joined yet */
	bool done;
};

/* Once the parse is done: is the file still what we wrote (digest, file state)? */
static bool
previous_as_written(void *arg)
{
	struct digest_job *job = arg;
	struct stat now;

	if (job->hashing)
		pthread_join(job->thread, NULL);
	else if (!job->done)
		check_previous(job->pv);
	job->hashing = false;
	job->done = true;
	return job->pv->body_ok && fstat(job->pv->fd, &now) == 0 &&
	    same_file_state(&job->before, &now);
}

/*
 * The records of our previous output from its record cache: the file
 * at the cache's name, or else its spare (a run that ended between
 * writing the output and trading the two names left it there). The file
 * read from takes the cache's name, so that the next write, over the
 * spare, never writes over the records we point into.
 */
static int
load_cache(struct previous *pv, const struct signing_manifest *m)
{
	char path[PATH_MAX], spare[PATH_MAX];

	if (!signing_cache_path(pv->path, false, path, sizeof(path)) ||
	    !signing_cache_path(pv->path, true, spare, sizeof(spare)))
		return STATUS_RANGE;
	if (zone_image_load(path, pv->zname, pv->path, m->cache,
	    &pv->zone) == 0)
		return 0;
	if (zone_image_load(spare, pv->zname, pv->path, m->cache,
	    &pv->zone) != 0)
		return STATUS_NOENT;
	if (file_exchange(path, spare) != 0) {
		zone_free(pv->zone);
		pv->zone = NULL;
		return STATUS_NOENT;
	}
	return 0;
}

/*
 * Our own output (its last line says so) is read from its record cache
 * when it names one (and the output is intact), else in parts, on every CPU,
 * while its digest is taken: both from one open file, through
 * /proc/self/fd, whatever happens at its path meanwhile. Only when the
 * digest holds and the file did not change while read are its records
 * taken in the order written, and its signatures trusted without a
 * check. Returns what zone_load_lines returns, or -EINVAL when it is not
 * our output.
 */
static int
load_own_output(struct previous *pv, struct diag *d)
{
	struct digest_job job = { .pv = pv };
	struct signing_manifest m;
	char fdpath[64];
	int rc;

	if ((pv->fd = open(pv->path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	if (fstat(pv->fd, &job.before) != 0 ||
	    !read_manifest(pv->fd, &m, pv->body, &pv->body_len)) {
		close(pv->fd);
		pv->fd = -1;
		return -EINVAL;
	}
	if (pthread_create(&job.thread, NULL, check_previous, pv) == 0)
		job.hashing = true;
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", pv->fd);
	/* Its record cache, when it names one and the output is intact. */
	if (m.cache_known && load_cache(pv, &m) == 0 &&
	    !previous_as_written(&job)) {
		zone_free(pv->zone);
		pv->zone = NULL;
	}
	pv->from_cache = pv->zone != NULL;
	rc = pv->zone != NULL ? 0 : zone_load_lines(fdpath, pv->zname,
	    SIGNING_DEFAULT_TTL, 0, previous_as_written, &job, &pv->zone, d);
	/* First, whatever rc: it joins the digest's thread. */
	pv->intact = previous_as_written(&job) && rc == 0;
	if (pv->intact && fstat(pv->fd, &pv->st) != 0)
		pv->intact = false;
	/* Its lines are copied into the new output: the file stays open. */
	if (!pv->intact) {
		close(pv->fd);
		pv->fd = -1;
	}
	if (rc == 0 && !pv->intact) {
		diag_set(&pv->warning, pv->path, 0, "changed since it was "
		    "written (its digest does not hold, or it changed while "
		    "read): each signature kept from it is verified first");
		pv->warn = true;
	}
	return rc;
}

static void *
load_previous(void *arg)
{
	struct previous *pv = arg;
	struct diag d;
	int rc;

	diag_clear(&d);
	diag_clear(&pv->warning);
	pv->intact = false;
	rc = load_own_output(pv, &d);
	/* Not our output, or a hand edit our writer would not make: read whole. */
	if (rc != 0 && rc != -ENOENT) {
		pv->intact = false;
		pv->warn = false;
		diag_clear(&d);
		rc = zone_load(pv->path, pv->zname, SIGNING_DEFAULT_TTL,
		    &pv->zone, &d);
	}
	if (rc != 0 && rc != -ENOENT) {
		diag_set(&pv->warning, pv->path, d.line, "previous output not "
		    "usable (%s): signing everything anew",
		    *d.text ? d.text : status_str(rc));
		pv->warn = true;
	}
	if (rc != 0) {
		pv->zone = NULL;
		pv->intact = false;
	}
	return NULL;
}

/* Not to be trusted after all: no signature taken unchecked, no line copied. */
static void
previous_distrust(struct signing_previous *prev)
{
	if (prev->text.fd >= 0)
		close(prev->text.fd);
	prev->intact = false;
	prev->text.fd = -1;
	prev->text.copied = 0;
}

void
signing_previous_free(struct signing_previous *prev)
{
	previous_distrust(prev);
	zone_free(prev->zone);
	prev->zone = NULL;
}

/*
 * The output before the last one, kept by that run (signing_old_path):
 * removed on its own thread while the input is read, since removing a
 * large file takes as long as writing it on some file systems.
 */
struct old_removal {
	char path[PATH_MAX];
	pthread_t thread;
	bool removing;
};

static void *
remove_old(void *arg)
{
	struct old_removal *r = arg;

	(void)unlink(r->path);
	return NULL;
}

/*
 * A run that ended between keeping the old output and replacing it left
 * a second name of the output itself: that goes first (at once: the file
 * stays), so that the output does not change while it is read.
 */
static void
old_removal_start(struct old_removal *r, const char *out)
{
	struct stat o, k;

	r->removing = false;
	if (!signing_old_path(out, r->path, sizeof(r->path)) ||
	    lstat(r->path, &k) != 0)
		return;
	bool same = stat(out, &o) == 0 && o.st_dev == k.st_dev &&
	    o.st_ino == k.st_ino;

	if (!same && pthread_create(&r->thread, NULL, remove_old, r) == 0) {
		r->removing = true;
		return;
	}
	(void)unlink(r->path);
}

static void
old_removal_finish(struct old_removal *r)
{
	if (r->removing)
		pthread_join(r->thread, NULL);
	r->removing = false;
}

int
signing_load(const struct cli *cli, const char *in, const char *out,
    const char *zname, bool with_previous, struct zone **z,
    struct signing_previous *prev, struct signing_manifest *m,
    struct diag *d)
{
	struct previous pv = { .path = out, .zname = zname, .fd = -1 };
	struct old_removal old;
	struct stat before;
	bool loading = false, stated;
	int rc;

	*z = NULL;
	memset(prev, 0, sizeof(*prev));
	prev->text.fd = -1;
	old_removal_start(&old, out);
	if (with_previous &&
	    pthread_create(&pv.thread, NULL, load_previous, &pv) == 0)
		loading = true;
	stated = m != NULL && stat(in, &before) == 0;
	rc = zone_load(in, zname, SIGNING_DEFAULT_TTL, z, d);
	if (m != NULL && (!stated || signing_input_digest(in, &before, m) != 0))
		m->input_known = false;
	if (loading) {
		pthread_join(pv.thread, NULL);
		prev->zone = pv.zone;
		prev->intact = pv.intact;
		prev->from_cache = pv.from_cache && pv.intact;
		if (pv.intact) {
			prev->text = (struct zone_text){ pv.zone, pv.fd,
			    pv.body_len, 0 };
			prev->st = pv.st;
		}
		if (pv.warn)
			cli_warn(cli, &pv.warning);
	}
	old_removal_finish(&old);
	if (rc != 0) {
		signing_previous_free(prev);
		return rc;
	}
	for (size_t i = 0; i < zone_warning_count(*z); i++)
		cli_warn(cli, zone_warning(*z, i));
	return 0;
}

/*
 * Does the text hold "$INCLUDE" (in any case) at a '$' in data[0, len)?
 * The word may run on into data[len, avail).
 */
static bool
has_include(const uint8_t *data, size_t len, size_t avail)
{
	const uint8_t *p = data, *end = data + len;

	while (p < end && (p = memchr(p, '$', (size_t)(end - p))) != NULL) {
		if ((size_t)(data + avail - p) >= 8 &&
		    strncasecmp((const char *)p + 1, "INCLUDE", 7) == 0)
			return true;
		p++;
	}
	return false;
}

/* Read and hashed in steps of this many bytes, each hashed while in the CPU's cache. */
#define HASH_STEP (1u << 20)
/* "$INCLUDE": a '$' nearer a step's end than this is looked at with the next step. */
#define INCLUDE_WORD 8u

/*
 * The digest (ZONE_DIGEST_LEN) of the first len bytes of fd, read a step
 * at a time into one buffer: on a VM that shadows page tables, walking a
 * mapping of the file took twice as long. *include (if not NULL) tells
 * whether they hold an $INCLUDE. A file shorter than len gives -EIO.
 */
static int
hash_fd(int fd, uint64_t len, uint8_t out[ZONE_DIGEST_LEN], bool *include)
{
	XXH3_state_t *md = XXH3_createState();
	uint8_t *buf = malloc(INCLUDE_WORD - 1 + HASH_STEP);
	XXH128_canonical_t c;
	size_t keep = 0;            /* bytes of the step before, not yet looked at */
	int rc = 0;

	if (include != NULL)
		*include = false;
	if (md == NULL || buf == NULL) {
		XXH3_freeState(md);
		free(buf);
		return STATUS_NOMEM;
	}
	(void)XXH3_128bits_reset(md);
	for (uint64_t at = 0; at < len;) {
		size_t step = len - at < HASH_STEP ? (size_t)(len - at) : HASH_STEP;

		if ((rc = file_read_at(fd, buf + keep, step, at)) != 0)
			break;
		(void)XXH3_128bits_update(md, buf + keep, step);
		at += step;
		if (include != NULL && !*include) {
			size_t have = keep + step;
			/* Each '$' looked at has its word whole, or the file ends. */
			size_t scan = at == len ? have : have > INCLUDE_WORD - 1 ?
			    have - (INCLUDE_WORD - 1) : 0;

			*include = has_include(buf, scan, have);
			keep = have - scan;
			memmove(buf, buf + scan, keep);
		}
	}
	if (rc == 0) {
		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(md));
		memcpy(out, c.digest, ZONE_DIGEST_LEN);
	}
	XXH3_freeState(md);
	free(buf);
	return rc;
}

static bool
same_file_state(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	    a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	    a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

int
signing_input_digest(const char *path, const struct stat *before,
    struct signing_manifest *m)
{
	struct stat st;
	bool include;
	int fd, rc;

	/* The digest already taken holds for a file not changed since. */
	if (before != NULL && m->input_of_known &&
	    same_file_state(&m->input_of, before) && stat(path, &st) == 0 &&
	    same_file_state(before, &st))
		return 0;
	m->input_known = m->input_of_known = false;
	/*
	 * Only a regular file has bytes to compare; a pipe or FIFO is not
	 * even opened (that would take what its writer sends from the
	 * reader that needs it).
	 */
	if (stat(path, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return -errno;
	if (fstat(fd, &st) != 0)
		rc = -errno;
	else if ((rc = hash_fd(fd, (uint64_t)st.st_size, m->input,
	    &include)) == 0) {
		m->input_known = S_ISREG(st.st_mode) && !include &&
		    (before == NULL || same_file_state(before, &st));
		m->input_of = st;
		m->input_of_known = true;
	}
	close(fd);
	return rc;
}

/*
 * Its number is the form of zone_write's lines (ZONE_WRITE_FORMAT): an
 * output in another form does not read as ours, so none of its lines is
 * copied and none of its signatures trusted unchecked.
 */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)
#define MANIFEST_TAG "; zonewarden-signed " STRINGIFY(ZONE_WRITE_FORMAT) " "

/* Read exactly 2 * len hex digits into out[len]; false if they are not there. */
static bool
parse_digest(const char *text, uint8_t *out, size_t len)
{
	return strlen(text) == 2 * len &&
	    hex_decode(text, 2 * len, out, len) == len;
}

/* Parse the manifest line (NUL-terminated, without its newline). */
static bool
parse_manifest(const char *line, struct signing_manifest *m,
    uint8_t body[ZONE_DIGEST_LEN])
{
	char input[65], setup[65], digest[65], cache[65];
	long long signed_at, due;
	unsigned long serial;
	const char *rest;
	int end = 0;

	memset(m, 0, sizeof(*m));
	if (strncmp(line, MANIFEST_TAG, strlen(MANIFEST_TAG)) != 0 ||
	    sscanf(line + strlen(MANIFEST_TAG), "input=%64s setup=%64s "
	    "signed=%lld due=%lld serial=%lu body=%64s%n", input, setup,
	    &signed_at, &due, &serial, digest, &end) != 6)
		return false;
	rest = line + strlen(MANIFEST_TAG) + (size_t)end;
	/* Then, when a record cache was written with it, its digest. */
	if (*rest != '\0') {
		end = 0;
		if (sscanf(rest, " cache=%64s%n", cache, &end) != 1 ||
		    rest[end] != '\0' ||
		    !parse_digest(cache, m->cache, sizeof(m->cache)))
			return false;
		m->cache_known = true;
	}
	m->input_known = strcmp(input, "-") != 0;
	if ((m->input_known &&
	    !parse_digest(input, m->input, sizeof(m->input))) ||
	    !parse_digest(setup, m->setup, sizeof(m->setup)) ||
	    !parse_digest(digest, body, ZONE_DIGEST_LEN))
		return false;
	m->signed_at = signed_at;
	m->due = due;
	m->serial = (uint32_t)serial;
	return true;
}

/*
 * The manifest on fd's last line into *m and body; *body_len: the bytes
 * before that line. False when there is none.
 */
static bool
read_manifest(int fd, struct signing_manifest *m,
    uint8_t body[ZONE_DIGEST_LEN], uint64_t *body_len)
{
	char text[512], *line;
	struct stat st;
	ssize_t got;
	off_t from;

	memset(m, 0, sizeof(*m));
	/* The last line: after the newline before the final one. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 2)
		return false;
	from = st.st_size > (off_t)sizeof(text) - 1 ?
	    st.st_size - (off_t)sizeof(text) + 1 : 0;
	if ((got = pread(fd, text, (size_t)(st.st_size - from), from)) !=
	    st.st_size - from || text[got - 1] != '\n')
		return false;
	text[got - 1] = '\0';
	if ((line = strrchr(text, '\n')) == NULL)
		return false;
	line++;
	*body_len = (uint64_t)(from + (line - text));
	return parse_manifest(line, m, body);
}

/* Does the body of fd (body_len bytes) still have the digest body? */
static bool
body_intact(int fd, uint64_t body_len, const uint8_t body[ZONE_DIGEST_LEN])
{
	uint8_t have[ZONE_DIGEST_LEN];

	return hash_fd(fd, body_len, have, NULL) == 0 &&
	    memcmp(have, body, ZONE_DIGEST_LEN) == 0;
}

bool
signing_up_to_date(const char *path, const struct signing_manifest *want,
    int64_t now, struct signing_manifest *found)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	uint8_t body[ZONE_DIGEST_LEN];
	uint64_t body_len;
	bool ok;

	memset(found, 0, sizeof(*found));
	if (fd < 0)
		return false;
	/* The cheap questions first; the digest of the whole output last. */
	ok = read_manifest(fd, found, body, &body_len) &&
	    want->input_known && found->input_known &&
	    memcmp(want->input, found->input, ZONE_DIGEST_LEN) == 0 &&
	    memcmp(want->setup, found->setup, sizeof(want->setup)) == 0 &&
	    found->signed_at <= now && now < found->due &&
	    body_intact(fd, body_len, body);
	close(fd);
	return ok;
}

/* The self-check of a signed zone, on its own thread while the zone is written. */
struct self_check {
	const struct zone *z;
	const struct keyset *keys;
	const struct sign_policy *p;
	int64_t now;
	struct sign_stats *stats;
	int rc;
	struct diag d;
};

static void *
self_check(void *arg)
{
	struct self_check *c = arg;

	diag_clear(&c->d);
	c->rc = signer_verify_signed(c->z, c->keys, c->p, c->now, c->stats,
	    &c->d);
	return NULL;
}

bool
signing_old_path(const char *out, char *path, size_t size)
{
	return snprintf(path, size, "%s%s", out, SIGNING_OLD_SUFFIX) <
	    (int)size;
}

/*
 * A large output about to be replaced keeps a second name, so that its
 * removal falls to the next run (beside its reading), not to this one's
 * end. A small one is removed at once, as is anything at that name.
 */
static void
keep_old_output(const struct zone *z, const char *out, char *old,
    size_t size)
{
	size_t count;

	*old = '\0';
	if (!signing_old_path(out, old, size))
		return;
	(void)unlink(old);
	(void)zone_records(z, &count);
	if (count < SIGNING_CACHE_MIN_RECORDS || link(out, old) != 0)
		*old = '\0';
}

bool
signing_cache_path(const char *out, bool spare, char *path, size_t size)
{
	return snprintf(path, size, "%s%s", out, spare ?
	    SIGNING_CACHE_SPARE_SUFFIX : SIGNING_CACHE_SUFFIX) < (int)size;
}

/*
 * The record cache, written over its spare on its own thread beside the
 * zone's text; the two trade names once the text is in place.
 */
struct cache_writer {
	const struct zone *z;
	char path[PATH_MAX], spare[PATH_MAX];
	uint8_t digest[ZONE_DIGEST_LEN];
	pthread_t thread;
	bool writing;                /* on its thread, not joined yet */
	int rc;
};

static int
write_cache_file(int fd, void *arg)
{
	struct cache_writer *c = arg;

	return zone_image_write(c->z, fd, c->digest);
}

static void *
write_cache(void *arg)
{
	struct cache_writer *c = arg;

	c->rc = file_overwrite(c->spare, 0644, write_cache_file, c);
	return NULL;
}

/*
 * A zone of SIGNING_CACHE_MIN_RECORDS or more gets a record cache: its
 * thread starts. Otherwise there is none, and one left from an earlier
 * (larger) zone goes, with its spare: it would name other records.
 */
static void
cache_start(struct cache_writer *c, const struct zone *z, const char *out)
{
	size_t count;

	c->z = z;
	c->writing = false;
	c->rc = STATUS_NOENT;
	if (!signing_cache_path(out, false, c->path, sizeof(c->path)) ||
	    !signing_cache_path(out, true, c->spare, sizeof(c->spare)))
		return;
	(void)zone_records(z, &count);
	if (count >= SIGNING_CACHE_MIN_RECORDS &&
	    pthread_create(&c->thread, NULL, write_cache, c) == 0)
		c->writing = true;
	else {
		(void)unlink(c->path);
		(void)unlink(c->spare);
	}
}

/* Written (0), or not: then the manifest names none. */
static int
cache_finish(struct cache_writer *c)
{
	if (c->writing)
		pthread_join(c->thread, NULL);
	c->writing = false;
	return c->rc;
}

/*
 * What write_zone writes, and what runs beside it and after it. The text
 * is written on its own thread while the zone is signed (progress); once
 * signed, the self-check and the record cache start beside it.
 */
struct zone_writer {
	struct self_check check;     /* its zone and policy are the ones written */
	const struct signing_manifest *m;
	struct zone_text *from;      /* lines to copy, or NULL */
	const struct signing_job *job;
	struct diag *d;              /* for before_publish */
	struct cache_writer cache;
	struct zone_progress progress;
	pthread_t thread;            /* the self-check's, while beside */
	bool beside;
	bool hook_failed;
	pthread_t writer;            /* the text's */
	int rc;                      /* the text's file_replace_settled */
};

static int
write_text(struct zone_writer *w, FILE *out)
{
	const struct zone *z = w->check.z;
	uint8_t body[ZONE_DIGEST_LEN] = { 0 };
	char input[2 * ZONE_DIGEST_LEN + 1], digest[2 * ZONE_DIGEST_LEN + 1];
	char setup[2 * SIGNER_SETUP_DIGEST_LEN + 1];
	char cached[2 * ZONE_DIGEST_LEN + 1], cache[64] = "";
	struct cache_writer *c = &w->cache;
	int rc;

	/* It returns once the zone is signed (or not): what ran beside ends. */
	rc = zone_write(z, out, w->check.p->threads, body, w->from,
	    &w->progress);
	/*
	 * The body goes to the disk now, while the record cache is still
	 * being written: only the last line waits for the cache's digest, and
	 * the fsync after it finds little left to do (at 1M names, a 1%
	 * re-sign waited 0.2-0.35 s for it once the cache was written). Its
	 * error is the file's: a failed write-back is reported only once.
	 */
	if (rc == 0 && c->writing && (fflush(out) != 0 ||
	    fdatasync(fileno(out)) != 0))
		rc = status_from_errno(errno);
	if (cache_finish(c) == 0) {
		cached[hex_encode(c->digest, ZONE_DIGEST_LEN, cached)] = '\0';
		snprintf(cache, sizeof(cache), " cache=%s", cached);
	}
	if (rc != 0)
		return rc;
	if (w->m->input_known)
		input[hex_encode(w->m->input, ZONE_DIGEST_LEN, input)] = '\0';
	else
		strcpy(input, "-");
	setup[hex_encode(w->m->setup, SIGNER_SETUP_DIGEST_LEN, setup)] = '\0';
	digest[hex_encode(body, ZONE_DIGEST_LEN, digest)] = '\0';
	if (fprintf(out, MANIFEST_TAG "input=%s setup=%s signed=%lld due=%lld "
	    "serial=%lu body=%s%s\n", input, setup, (long long)w->m->signed_at,
	    (long long)w->m->due, (unsigned long)zone_serial(z), digest,
	    cache) < 0)
		return status_from_errno(errno);
	return 0;
}

/*
 * The zone's text into the temporary file as it is signed; the
 * self-check runs beside its end. settle_zone ends the check once the
 * text is on the disk.
 */
static int
write_zone(FILE *out, void *arg)
{
	struct zone_writer *w = arg;
	int rc = write_text(w, out);

	if (rc != 0 && w->beside) {
		pthread_join(w->thread, NULL);
		w->beside = false;
	}
	return rc != 0 && w->check.rc != 0 ? w->check.rc : rc;
}

/*
 * After the text was synced (rc: 0, or why not): the file takes the
 * output's place only when this returns 0: the check passed, and
 * before_publish did.
 */
static int
settle_zone(void *arg, int rc)
{
	struct zone_writer *w = arg;

	if (w->beside)
		pthread_join(w->thread, NULL);
	w->beside = false;
	if (w->check.rc != 0)
		return w->check.rc;
	if (rc == 0 && w->job->before_publish != NULL &&
	    (rc = w->job->before_publish(w->job->arg, w->d)) != 0)
		w->hook_failed = true;
	return rc;
}

static void *
write_output(void *arg)
{
	struct zone_writer *w = arg;

	w->rc = file_replace_settled(w->job->out, 0644, write_zone,
	    settle_zone, w);
	return NULL;
}

/*
 * The zone signed (rc 0) or not: the self-check and the cache start
 * beside the text's end (without a thread, the check runs first), and
 * the text's writer learns it.
 */
static void
signed_zone(struct zone_writer *w, int rc)
{
	if (rc == 0) {
		w->beside = pthread_create(&w->thread, NULL, self_check,
		    &w->check) == 0;
		if (!w->beside)
			self_check(&w->check);
		if (w->beside || w->check.rc == 0)
			cache_start(&w->cache, w->check.z, w->job->out);
		else
			rc = w->check.rc;
	}
	zone_progress_end(&w->progress, rc);
}

/*
 * Sign z and write it as it is signed, the self-check beside the
 * writing's end. *check_failed: the self-check (not something else) is
 * what failed.
 */
static int
sign_write(const struct signing_job *job, const struct sign_policy *p,
    struct zone *z, struct signing_previous *prev,
    struct signing_manifest *m, struct sign_stats *stats, bool *check_failed,
    struct diag *d)
{
	const struct cli *cli = job->cli;
	struct zone_writer w = {
		.check = { .z = z, .keys = job->keys, .p = p, .now = cli->now,
		    .stats = stats },
		.m = m, .job = job, .d = d, .cache = { .rc = STATUS_NOENT },
	};
	struct stat fst;
	char old[PATH_MAX];
	bool writing;
	double t0;
	int rc;

	*check_failed = false;
	/* Lines are copied from the previous output only as it was read. */
	if (prev->intact && prev->zone != NULL &&
	    fstat(prev->text.fd, &fst) == 0 && same_file_state(&prev->st, &fst))
		w.from = &prev->text;
	*old = '\0';
	zone_progress_init(&w.progress);
	writing = pthread_create(&w.writer, NULL, write_output, &w) == 0;
	rc = signer_sign(z, job->keys, p, cli->now, prev->zone, &w.progress,
	    stats, d);
	/* Before the writer can put the new output in place (it waits). */
	if (rc == 0) {
		m->signed_at = cli->now;
		m->due = signer_earliest_expiration(z, cli->now) - p->refresh;
		keep_old_output(z, job->out, old, sizeof(old));
	}
	t0 = elapsed_seconds();
	signed_zone(&w, rc);
	if (writing)
		pthread_join(w.writer, NULL);
	else
		write_output(&w);
	zone_progress_destroy(&w.progress);
	/* A writer that failed before writing ended neither. */
	if (w.beside)
		pthread_join(w.thread, NULL);
	(void)cache_finish(&w.cache);
	if (rc != 0)
		return rc;
	rc = w.rc;
	/* Not replaced: the output has its one name again. */
	if (rc != 0 && *old != '\0')
		(void)unlink(old);
	/*
	 * The output in place names the new cache: it takes the cache's name,
	 * the old one becomes the spare that the next run writes over. Should
	 * that fail, the next run finds the cache at the spare's name.
	 */
	if (rc == 0 && w.cache.rc == 0)
		(void)file_exchange(w.cache.path, w.cache.spare);
	stats->seconds_write = elapsed_seconds() - t0;
	if (rc == 0 || w.hook_failed)
		return rc;
	*check_failed = w.check.rc != 0;
	if (*check_failed)
		*d = w.check.d;
	else
		diag_set(d, job->out, 0, "cannot write the signed zone");
	return rc;
}

int
signing_sign_write(const struct signing_job *job, struct zone **z,
    struct signing_previous *prev, struct signing_manifest *m,
    struct sign_stats *stats, struct diag *d)
{
	const struct cli *cli = job->cli;
	struct sign_policy tp = *job->policy;
	bool check_failed;
	int rc;

	memset(stats, 0, sizeof(*stats));
	tp.trust_previous = prev->intact;
	rc = sign_write(job, &tp, *z, prev, m, stats, &check_failed, d);
	if (rc != 0 && check_failed && prev->zone != NULL &&
	    stats->signatures_reused > 0 &&
	    (rc == STATUS_BAD_SIGNATURE || rc == STATUS_KEY_MISSING)) {
		struct diag w;
		/*
		 * A signature kept from the previous output failed the
		 * self-check (a damaged file): sign everything anew from the
		 * input instead.
		 */
		cli_warn(cli, d);
		diag_clear(&w);
		diag_set(&w, job->out, 0, "the self-check failed with signatures "
		    "kept from this previous output: signing everything anew");
		cli_warn(cli, &w);
		diag_clear(d);
		previous_distrust(prev);
		zone_free(*z);
		*z = NULL;
		/* prev only moves the serial on past the one published. */
		tp.trust_previous = false;
		tp.reuse_previous = false;
		memset(stats, 0, sizeof(*stats));
		if ((rc = zone_load(job->in, job->zname, SIGNING_DEFAULT_TTL, z,
		    d)) == 0 && (job->more == NULL ||
		    (rc = job->more->add(*z, job->more->arg, d)) == 0))
			rc = sign_write(job, &tp, *z, prev, m, stats,
			    &check_failed, d);
	}
	return rc;
}
