/* Internals shared by the zones/ source files. */
#ifndef ZW_ZONES_INTERNAL_H
#define ZW_ZONES_INTERNAL_H

#include <sys/stat.h>

#include "common/arena.h"
#include "common/diag.h"
#include "dname.h"
#include "zone.h"

/*
 * The file zone_load_lines read, kept open while it holds exactly one
 * record per line (the record i in file order on line i + 1), so that
 * zone_write can copy the lines of records that did not change.
 */
struct zone_text {
	int fd;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool trusted;              /* zone_trust_text: lines may be copied */
	size_t nlines;             /* lines in the file */
	uint64_t *line_start;      /* nlines + 1: line L is [line_start[L - 1], line_start[L]) */
};

/* Is the file still the one the text was read from (same inode, size, time)? */
bool zone_text_unchanged(const struct zone_text *t);

struct zone {
	uint8_t origin[DNAME_MAX_LENGTH];
	struct zrr *rr;
	size_t count, cap;
	bool finalized;
	const struct zrr *soa;
	struct arena arena;        /* owners and rdata */
	char **files;              /* files[0] is "" (generated records) */
	size_t nfiles;
	struct diag *warnings;
	size_t nwarnings;
	struct zone_text *text;    /* NULL unless read by zone_load_lines */
};

/* Record a warning (kept in the zone for the caller to print). */
int zone_warn(struct zone *z, const struct zrr *rr, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

#endif
