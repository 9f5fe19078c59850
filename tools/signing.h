/* The signing job shared by `sign` and `run`: read a zone with our previous output, sign, write. */
#ifndef ZW_SIGNING_H
#define ZW_SIGNING_H

#include <stdbool.h>
#include <sys/stat.h>

#include "cli.h"
#include "signer/signer.h"
#include "zones/zone.h"

struct keyset;

/* Until a $TTL says otherwise (RFC 2308 §4 wants one in every zone). */
#define SIGNING_DEFAULT_TTL 3600

/*
 * What the last line of a signed output says about how it was made
 * ("; zonewarden-signed 1 ..."), so that signing again with nothing changed
 * and nothing due can leave it as it is without reading it in: the
 * digest (ZONE_DIGEST_LEN) of the input file, the setup's
 * (signer_setup_digest), the digest of the output before that line; when
 * it was signed, its serial, and when its first signature needs
 * refreshing.
 */
struct signing_manifest {
	uint8_t input[ZONE_DIGEST_LEN];
	bool input_known;            /* no $INCLUDE, and unchanged while read */
	struct stat input_of;        /* the file as it was when input was taken */
	bool input_of_known;
	uint8_t setup[SIGNER_SETUP_DIGEST_LEN];
	int64_t signed_at, due;
	uint32_t serial;
	/* The record cache written with it (signing_cache_path), if any. */
	uint8_t cache[ZONE_DIGEST_LEN];
	bool cache_known;
};

/*
 * The digest (ZONE_DIGEST_LEN) of the file at path into m->input. m->input_known is false
 * when it holds an $INCLUDE (the included files would go unseen), or when
 * before is not NULL and the file is not as it was then (changed while it
 * was read). Returns 0 or -errno. A second call with before set, for the
 * file as it was at the first call, takes the first digest again when the
 * file has not changed since (same inode, size and times).
 */
int signing_input_digest(const char *path, const struct stat *before,
    struct signing_manifest *m) WUR;

/*
 * Is the output at path, by its last line, made from what want names (the
 * input, the setup), with nothing due at now, and unchanged since it was
 * written? *found gets what the line says. False on any doubt.
 */
bool signing_up_to_date(const char *path, const struct signing_manifest *want,
    int64_t now, struct signing_manifest *found);

/*
 * Beside an output of SIGNING_CACHE_MIN_RECORDS records or more, its
 * record cache: the same records as an image (zone_image_write), which
 * the next run reads instead of the output's text, much faster, while the
 * output's last line names the cache's digest and the output is intact.
 * Beside it, its spare: the cache before, which the next run writes over
 * (file_overwrite) and then trades names with. Both can be removed at any
 * time (the next run reads the text). Their paths: the output's, plus
 * SIGNING_CACHE_SUFFIX or SIGNING_CACHE_SPARE_SUFFIX; false when too long.
 */
#define SIGNING_CACHE_MIN_RECORDS 65536
#define SIGNING_CACHE_SUFFIX ".zwcache"
#define SIGNING_CACHE_SPARE_SUFFIX ".zwcache.spare"
bool signing_cache_path(const char *out, bool spare, char *path, size_t size);

/*
 * A large output (SIGNING_CACHE_MIN_RECORDS records or more) replaced by
 * a run stays on disk under a second name, its path plus
 * SIGNING_OLD_SUFFIX, until the next run's signing_load removes it beside
 * the reading of the input: on a file system mounted with discard,
 * removing a large file takes about as long as writing it. Its path;
 * false when too long.
 */
#define SIGNING_OLD_SUFFIX ".zwold"
bool signing_old_path(const char *out, char *path, size_t size);
/* Our previous output, as signing_load read it. */
struct signing_previous {
	struct zone *zone;           /* NULL: none, or not usable */
	/*
	 * Our output exactly as we wrote it (the digest on its last line
	 * holds): only then are its signatures trusted without a check of
	 * each (sign_policy.trust_previous), and its lines copied into the
	 * new output (text: the file, open until signing_previous_free).
	 */
	bool intact;
	bool from_cache;             /* its records from its record cache */
	struct zone_text text;
	struct stat st;              /* the file as read (text.fd) */
};
/* After the zone signed with prev: that zone's kept signatures are prev's memory. */
void signing_previous_free(struct signing_previous *prev);

/*
 * Read the zone zname from in and, when with_previous, our previous output
 * from out (at once, on two threads) into *prev. With m not NULL, m's
 * input digest is that of what was read. An output that is missing gives
 * a NULL prev->zone; one that cannot be read, a warning and a NULL
 * prev->zone. The input's warnings are printed. Returns 0 or the input's
 * status with d.
 */
int signing_load(const struct cli *cli, const char *in, const char *out,
    const char *zname, bool with_previous, struct zone **z,
    struct signing_previous *prev, struct signing_manifest *m,
    struct diag *d) WUR;

/* What is added to a zone read from the input before it is signed (run's TLSA). */
struct signing_additions {
	int (*add)(struct zone *z, void *arg, struct diag *d);
	void *arg;
};

/* A signing job: what `sign` and `run` sign, with what, and where it goes. */
struct signing_job {
	const struct cli *cli;       /* cli->now: the time signed at */
	const char *in, *out, *zname;
	const struct keyset *keys;
	const struct sign_policy *policy;
	const struct signing_additions *more;   /* NULL: none */
	/*
	 * When not NULL: run once the signed zone passed its self-check and
	 * was written, just before it takes the output's place (run writes
	 * the MTA-STS policy file that the zone's id names). A failure keeps
	 * the previous output.
	 */
	int (*before_publish)(void *arg, struct diag *d);
	void *arg;
};

/*
 * Sign *z (signer_sign) and write it to job->out atomically (temporary
 * file, fsync, rename), formatted on threads as it is signed (its records
 * in order, as far as signed: zone_progress), while the self-check
 * (signer_verify_signed) runs beside the writing's end: the new output
 * takes the old one's place only once the check passed. m gets signed_at and
 * due (input and setup filled in by the caller); the output's last line
 * says so for signing_up_to_date. Lines prev (intact) has as they are
 * are copied from it (zone_write; prev->text.copied counts them).
 *
 * Should a signature kept from prev fail the self-check (a damaged
 * file), warn, read job->in again (with job->more's additions) and sign
 * everything anew; prev is no longer taken as intact, and *z may be
 * replaced. Returns 0 or a status with d; stats gets the figures.
 */
int signing_sign_write(const struct signing_job *job, struct zone **z,
    struct signing_previous *prev, struct signing_manifest *m,
    struct sign_stats *stats, struct diag *d) WUR;

#endif
