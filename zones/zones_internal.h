/* Internals shared by the zones/ source files. */
#ifndef ZW_ZONES_INTERNAL_H
#define ZW_ZONES_INTERNAL_H

#include "common/arena.h"
#include "common/diag.h"
#include "dname.h"
#include "zone.h"

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
};

/* Record a warning (kept in the zone for the caller to print). */
int zone_warn(struct zone *z, const struct zrr *rr, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

#endif
