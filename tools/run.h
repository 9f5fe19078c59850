/* One zone's run, as `zonewarden run` does it from cron or a timer: lock, decide, sign, write, reload, remember. */
#ifndef ZW_RUN_H
#define ZW_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "config.h"
#include "signer/signer.h"
#include "state.h"
#include "zones/zone.h"

struct run_options {
	bool dry_run;            /* decide and say, change nothing */
	unsigned lock_wait;      /* seconds to wait for another run's lock */
	unsigned hook_timeout;   /* seconds the reload command may take */
	unsigned threads;        /* 0: one per online CPU */
};

struct run_result {
	struct sign_plan plan;
	struct sign_stats stats;
	bool signed_zone;        /* a new output was written */
	bool reloaded;           /* the reload command ran and succeeded */
	bool created_keys;       /* the zone had no keys: a KSK and ZSK were made */
	unsigned parent_servers;  /* parent-ds-check = dns: name servers asked */
	unsigned parent_answered; /* and those that answered */
	/* Each KSK waiting for its DS: on how many of those servers it is. */
	struct parent_seen parent_seen[PARENT_SEEN_MAX];
	size_t nparent_seen;
	bool parent_unreachable;  /* the parent could not be asked (parent_diag) */
	struct diag parent_diag;
	uint32_t serial;         /* of the output, when known */
	struct diag diag;        /* what failed */
};

struct rollover_policy;
/*
 * The rollover timeline's policy for zc, its waits from the largest TTLs
 * of the input z and the published prev (may be NULL).
 */
void run_rollover_policy(const struct zone_config *zc, const struct zone *z,
    const struct zone *prev, struct rollover_policy *p);

/*
 * Run zc at cli->now: take the zone's lock (keydir/.lock), make the first
 * keys when the key folder holds none, read the input and the published
 * output, decide (signer_plan), and when something is due sign (keeping
 * what still holds), write atomically and run the reload command; a reload
 * that failed before is retried. The run state (state.h) records the
 * outcome. Returns 0 or the failure's status with r->diag.
 */
int run_zone(const struct cli *cli, const struct zone_config *zc,
    const struct run_options *o, struct run_result *r) WUR;

/* Say what a successful run_zone did (cli_info lines, warnings). */
void run_report(const struct cli *cli, const struct zone_config *zc,
    const struct run_options *o, const struct run_result *r);

#endif
