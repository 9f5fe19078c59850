/* What the last run did for a zone, kept as JSON beside its keys (run-state.json), for the next run and `status`. */
#ifndef ZW_STATE_H
#define ZW_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"
#include "common/diag.h"

#define STATE_FILE "run-state.json"

/* How many of the parent's name servers serve the DS of a waiting KSK. */
#define PARENT_SEEN_MAX 8
struct parent_seen {
	uint16_t tag;
	unsigned serving, servers;
};

struct run_state {
	int64_t last_run;            /* 0: never */
	char outcome[16];            /* "signed", "unchanged", "failed" */
	char reason[64];             /* sign_reason_text() */
	char detail[1100];
	uint32_t serial;             /* of the output, when known */
	int64_t earliest_expiration;
	int64_t next_due;
	uint64_t signatures_made, signatures_kept;
	bool reload_pending;         /* a new output whose reload failed */
	int64_t reload_pending_since;   /* when the first of those failed */
	char error[1100];
	/* parent-ds-check = dns: what the last run that asked the parent saw. */
	int64_t parent_asked;
	struct parent_seen parent_seen[PARENT_SEEN_MAX];
	size_t nparent_seen;
};

/* Read keydir's state; a missing file gives an empty state and 0. */
int state_load(const char *keydir, struct run_state *st, struct diag *d) WUR;
/* Write it atomically (mode 0600). */
int state_save(const char *keydir, const struct run_state *st,
    struct diag *d) WUR;
/* The state as a JSON object (new reference), times in epoch seconds. */
json_t *state_to_json(const struct run_state *st);

#endif
