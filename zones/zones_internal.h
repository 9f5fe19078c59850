/* Internals shared by the zones/ source files. */
#ifndef ZW_ZONES_INTERNAL_H
#define ZW_ZONES_INTERNAL_H

#include "common/arena.h"
#include "common/diag.h"
#include "common/status.h"
#include "dname.h"
#include "zone.h"

struct zone {
	uint8_t origin[DNAME_MAX_LENGTH];
	struct zrr *rr;
	size_t count, cap;
	bool borrowed;             /* rr is a slice of another zone's: not
	                              grown (STATUS_RANGE), not freed */
	bool finalized;
	/*
	 * Since the last finalize, when finalized is false: records
	 * [0, settled) are as it left them (in order, checked, flagged) and
	 * [settled, count) were appended; with gaps, zone_open_gaps opened
	 * slots among them instead (settled is count then). settled is 0
	 * after any other change. zone_finalize then does only what the
	 * change needs (zone_check.c).
	 */
	size_t settled;
	bool gaps;
	unsigned full_finalizes;   /* how often all of it was finalized (tests) */
	size_t soa;                /* index of the apex SOA (when finalized) */
	struct arena arena;        /* owners and rdata */
	void *image;               /* the image read (zone_image_load) that */
	                           /* records point into, or NULL */
	char **files;              /* files[0] is "" (generated records) */
	size_t nfiles;
	struct diag *warnings;
	size_t nwarnings;
};

/* Canonical order of two records (zrr_rrset_order, then rdata), across zones. */
int zrr_order(const struct zrr *a, const struct zrr *b);

/*
 * A file mapped for reading is let go behind its reader, every
 * ZONE_RELEASE_STEP bytes, so that a large file does not stay resident:
 * zone_release_range drops the whole pages of [p, p + len) from this
 * process's memory (a page touched again is read back from the file) and
 * returns where the dropped pages end (p when there were none).
 */
#define ZONE_RELEASE_STEP (32u << 20)
const char *zone_release_range(const char *p, size_t len);
/*
 * Behind a parser at current in a file mapped up to end, of which the
 * pages before released are dropped already: drop what it has left behind
 * (every ZONE_RELEASE_STEP, less a margin) and return the new released.
 * Nothing when current is not in [released, end].
 */
const char *zone_parsed_release(const char *released, const char *current,
    const char *end);

/*
 * zone_copy.c: lines of an earlier output (struct zone_text) copied into a
 * new one instead of formatted again.
 *
 * zone_copy_first: where in from's records to look for rr (the first
 * record of a run to write). zone_copy_match: the line of from's file that
 * holds rr byte for byte, or 0; *j moves on (records asked in order).
 */
size_t zone_copy_first(const struct zone_text *from, const struct zrr *rr);
uint32_t zone_copy_match(const struct zone_text *from, const struct zrr *rr,
    size_t *j);

/* The line zone_write writes for rr, newline included, appended at buf[*len]. */
struct zone_line_buf {
	char *buf;
	size_t len, cap;
};
struct ldns_struct_buffer;
int zone_format_line(const struct zrr *rr, struct zone_line_buf *t,
    struct ldns_struct_buffer *lb);

/*
 * Copies runs of lines of from's file to out in order, hashing what it
 * copies into the digest md (when not NULL). zone_copier_lines: count lines from
 * line on, which are the lines of z's records rec, rec+1, ...; returns 0,
 * a status, or ZONE_COPY_MISMATCH when a line checked is not what
 * zone_write writes for its record.
 */
/* Below every enum status: never returned by zone_write. */
#define ZONE_COPY_MISMATCH (STATUS_LAST_ - 100)
struct zone_copier;
struct XXH3_state_s;
int zone_copier_new(const struct zone_text *from, FILE *out,
    struct XXH3_state_s *md, struct zone_copier **c);
int zone_copier_lines(struct zone_copier *c, const struct zone *z,
    size_t rec, uint32_t line, uint32_t count);
/* Lines copied so far. */
size_t zone_copier_copied(const struct zone_copier *c);
void zone_copier_free(struct zone_copier *c);

/*
 * fastline.c: a line of our own output (its newline included) read without
 * the general parser, when it is one of the lines zone_write's fast path
 * writes, exactly so; false otherwise (the general parser reads it then,
 * to the same record). known: 0, or the length of the owner at the start
 * of line (before its tab) when r->owner already holds it, as the last
 * call that returned true read it (the lines of one name share it).
 * owner_text_len receives the length of the owner's text.
 */
struct fast_record {
	uint8_t owner[DNAME_MAX_LENGTH];
	size_t owner_len;
	size_t owner_text_len;
	uint32_t ttl;
	uint16_t type;
	size_t rdlen;
	uint8_t rdata[18 + DNAME_MAX_LENGTH + 2048];
};
bool fastline_parse(const char *line, size_t len, size_t known,
    struct fast_record *r);
/*
 * What zone_load_lines does with each part, over data as one part (path
 * names it in messages), then zone_finalize (zone_finalize_written when
 * as_written): for tests and fuzzing.
 */
int zone_load_lines_buffer(const char *data, size_t len, const char *path,
    const char *origin, uint32_t default_ttl, bool as_written,
    struct zone **out, struct diag *d);

/*
 * An image file at path of the payload as it stands (records as
 * zone_image.c lays them out, or anything else), with a header that names
 * records and the payload's true digest, given in digest: for tests and
 * fuzzing, which make images zone_image_write would not.
 */
int zone_image_file(const char *path, const uint8_t *payload, size_t len,
    uint64_t records, uint8_t digest[ZONE_DIGEST_LEN]);

/* Add path to the zone's file names (records name theirs by index). */
int zone_add_file_name(struct zone *z, const char *path, uint16_t *index);

/*
 * zone_load, with parts of part_bytes (zone_load: 8 MiB) for tests: a
 * file of at least two parts is read in parts on threads workers (0: one
 * per online CPU) when it is plain enough that each part reads the same
 * alone: after a head of about 64 KiB (read first, by the general
 * parser), no directive, no parenthesis and no escaped line end, each
 * part starting at a line that names its owner. Otherwise, or when
 * anything in it is wrong, the general parser reads it whole (so errors
 * are always its own). *in_parts tells which.
 */
int zone_load_parts(const char *path, const char *origin,
    uint32_t default_ttl, size_t part_bytes, unsigned threads,
    bool *in_parts, struct zone **out, struct diag *d) WUR;

/* Record a warning (kept in the zone for the caller to print). */
int zone_warn(struct zone *z, const struct zrr *rr, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

#endif
