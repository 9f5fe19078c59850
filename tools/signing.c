/* The signing job shared by `sign` and `run`: read a zone with our previous output, sign, write. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "common/fileio.h"
#include "common/status.h"
#include "keys/keystore.h"
#include "signing.h"

/* Our previous output, read on its own thread while the input is read. */
struct previous {
	const char *path, *zname;
	struct zone *zone;
	struct diag warning;
	bool warn;
	pthread_t thread;
};

static void *
load_previous(void *arg)
{
	struct previous *pv = arg;
	struct diag d;
	int rc;

	diag_clear(&d);
	diag_clear(&pv->warning);
	rc = zone_load(pv->path, pv->zname, SIGNING_DEFAULT_TTL, &pv->zone, &d);
	if (rc != 0 && rc != -ENOENT) {
		diag_set(&pv->warning, pv->path, d.line, "previous output not "
		    "usable (%s): signing everything anew",
		    *d.text ? d.text : status_str(rc));
		pv->warn = true;
	}
	if (rc != 0)
		pv->zone = NULL;
	return NULL;
}

int
signing_load(const struct cli *cli, const char *in, const char *out,
    const char *zname, bool with_previous, struct zone **z,
    struct zone **prev, struct diag *d)
{
	struct previous pv = { .path = out, .zname = zname };
	bool loading = false;
	int rc;

	*z = NULL;
	*prev = NULL;
	if (with_previous &&
	    pthread_create(&pv.thread, NULL, load_previous, &pv) == 0)
		loading = true;
	rc = zone_load(in, zname, SIGNING_DEFAULT_TTL, z, d);
	if (loading) {
		pthread_join(pv.thread, NULL);
		*prev = pv.zone;
		if (pv.warn)
			cli_warn(cli, &pv.warning);
	}
	if (rc != 0) {
		zone_free(*prev);
		*prev = NULL;
		return rc;
	}
	for (size_t i = 0; i < zone_warning_count(*z); i++)
		cli_warn(cli, zone_warning(*z, i));
	return 0;
}

int
signing_sign(const struct cli *cli, const char *in, const char *out,
    const char *zname,
    struct zone **z, const struct zone *prev, const struct keyset *keys,
    const struct sign_policy *p, struct sign_stats *stats, struct diag *d)
{
	int rc = signer_sign_zone(*z, keys, p, cli->now, prev, stats, d);

	if (rc != 0 && prev != NULL && stats->signatures_reused > 0 &&
	    (rc == STATUS_BAD_SIGNATURE || rc == STATUS_KEY_MISSING)) {
		struct diag w;
		/*
		 * A signature kept from the previous output failed the
		 * self-check (a damaged file): sign everything anew from the
		 * input instead.
		 */
		cli_warn(cli, d);
		diag_clear(&w);
		diag_set(&w, out, 0, "previous output holds a bad signature: "
		    "signing everything anew");
		cli_warn(cli, &w);
		diag_clear(d);
		zone_free(*z);
		*z = NULL;
		if ((rc = zone_load(in, zname, SIGNING_DEFAULT_TTL, z, d)) == 0)
			rc = signer_sign_zone(*z, keys, p, cli->now, NULL, stats,
			    d);
	}
	return rc;
}

struct zone_writer {
	const struct zone *z;
	unsigned threads;
};

static int
write_zone(FILE *out, void *arg)
{
	const struct zone_writer *w = arg;
	return zone_write(w->z, out, w->threads);
}

int
signing_write(const struct zone *z, const char *path, unsigned threads,
    struct diag *d)
{
	struct zone_writer w = { z, threads };
	int rc = file_replace(path, 0644, write_zone, &w);

	if (rc != 0)
		diag_set(d, path, 0, "cannot write the signed zone");
	return rc;
}
