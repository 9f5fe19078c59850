/* zonewarden keys status and keys roll: a configured zone's key timeline, and starting a roll by hand. */
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/fileio.h"
#include "common/status.h"
#include "common/timespec.h"
#include "config.h"
#include "keys/dnskey.h"
#include "keys/rollover.h"
#include "run.h"
#include "signing.h"
#include "state.h"

/* The zone's config, keys, states and timeline policy (its waits from the input's TTLs). */
struct zone_keys {
	struct config *config;
	const struct zone_config *zc;
	struct keyset *keys;
	struct key_state *states;
	struct rollover_policy policy;
	int lock;                    /* the zone's lock, held while states change */
};

static void
zone_keys_clear(struct zone_keys *zk)
{
	file_unlock(zk->lock);
	free(zk->states);
	keyset_free(zk->keys);
	config_free(zk->config);
}

/* Returns an exit code. With lock, the zone's run lock is held until zone_keys_clear. */
static int
zone_keys_load(const struct cli *cli, const char *path, const char *zone,
    bool lock, struct zone_keys *zk)
{
	struct zone *z = NULL;
	struct diag d;
	char lock_path[PATH_MAX];
	int rc;

	memset(zk, 0, sizeof(*zk));
	zk->lock = -1;
	diag_clear(&d);
	if ((rc = config_load(path, &zk->config, &d)) != 0)
		return cli_fail(cli, rc, &d, path);
	if ((zk->zc = config_find_zone(zk->config, zone)) == NULL)
		return cli_usage(cli, "%s: zone '%s' is not in %s", cli->command,
		    zone, path);
	snprintf(lock_path, sizeof(lock_path), "%s/.lock", zk->zc->keydir);
	if (lock && (rc = file_lock(lock_path, 60, &zk->lock)) != 0) {
		diag_set(&d, lock_path, 0, "cannot take the zone's lock");
		return cli_fail(cli, rc, &d, NULL);
	}
	if ((rc = zone_load(zk->zc->input, zk->zc->name, SIGNING_DEFAULT_TTL,
	    &z, &d)) != 0)
		return cli_fail(cli, rc, &d, zk->zc->input);
	run_rollover_policy(zk->zc, z, NULL, &zk->policy);
	zone_free(z);
	if ((rc = keystore_load(zk->zc->keydir, zk->zc->name, &zk->keys,
	    &d)) != 0 ||
	    (rc = rollover_load(zk->zc->keydir, zk->keys, &zk->states, &d)) != 0)
		return cli_fail(cli, rc, &d, zk->zc->keydir);
	rollover_apply(zk->keys, zk->states, &zk->policy, cli->now);
	return EXIT_OK;
}

static void
time_text(int64_t t, char *buf, size_t size)
{
	if (t == 0)
		snprintf(buf, size, "-");
	else if (t == 1)
		snprintf(buf, size, "before");
	else
		time_format(t, buf, size);
}

static int
parse_zone_args(struct cli *cli, int argc, char **argv, const char **config,
    bool *json, enum key_role *role, uint8_t *alg, const char **zone)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "zsk", no_argument, NULL, 'z' },
		{ "ksk", no_argument, NULL, 'K' },
		{ "csk", no_argument, NULL, 'C' },
		{ "algorithm", required_argument, NULL, 'A' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*config = CONFIG_DEFAULT_PATH;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'c')
			*config = optarg;
		else if (ch == 'j' && json != NULL)
			*json = true;
		else if (ch == 'A' && alg != NULL) {
			if (dnssec_alg_parse(optarg, alg) != 0)
				return cli_usage(cli, "%s: --algorithm: '%s' is not "
				    "an algorithm we sign with", cli->command, optarg);
		} else if (role != NULL && (ch == 'z' || ch == 'K' || ch == 'C')) {
			enum key_role r = ch == 'z' ? ROLE_ZSK : ch == 'K' ?
			    ROLE_KSK : ROLE_CSK;
			if ((int)*role != -1 && *role != r)
				return cli_usage(cli, "%s: one of --zsk, --ksk, "
				    "--csk", cli->command);
			*role = r;
		} else
			return cli_usage(cli, "%s: unknown option", cli->command);
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "%s: give exactly one ZONE", cli->command);
	*zone = argv[optind];
	return EXIT_OK;
}

int
cmd_keys_status(struct cli *cli, int argc, char **argv)
{
	const char *config, *zone;
	struct zone_keys zk;
	bool json = false;
	json_t *arr = NULL;
	struct run_state st;
	struct diag sd;
	int ex;

	if ((ex = parse_zone_args(cli, argc, argv, &config, &json, NULL, NULL,
	    &zone)) != EXIT_OK)
		return ex;
	if ((ex = zone_keys_load(cli, config, zone, false, &zk)) != EXIT_OK) {
		zone_keys_clear(&zk);
		return ex;
	}
	diag_clear(&sd);
	if (state_load(zk.zc->keydir, &st, &sd) != 0)
		memset(&st, 0, sizeof(st));
	if (json)
		arr = json_array();
	else
		printf("%-6s %-4s %-16s %-10s %-15s %-15s %-15s %-15s %s\n",
		    "TAG", "ROLE", "ALGORITHM", "STATE", "PUBLISHED", "ACTIVE",
		    "RETIRED", "REMOVED", "NEXT");
	for (size_t i = 0; i < zk.keys->count; i++) {
		const struct key *k = zk.keys->keys[i];
		const struct key_state *s = &zk.states[i];
		char what[256], when[32], t[4][32];
		int64_t next = rollover_next_event(zk.keys, zk.states, i,
		    &zk.policy, what, sizeof(what));
		uint16_t awaited = rollover_ds_awaited(zk.keys, zk.states, i,
		    &zk.policy);
		const struct parent_seen *ps = NULL;

		/* parent-ds-check = dns: what the last run heard from the parent. */
		for (size_t j = 0; awaited != 0 && j < st.nparent_seen; j++)
			if (st.parent_seen[j].tag == awaited)
				ps = &st.parent_seen[j];
		if (ps != NULL) {
			char asked[32];
			size_t l = strlen(what);
			time_format(st.parent_asked, asked, sizeof(asked));
			snprintf(what + l, sizeof(what) - l, ": seen on %u of %u "
			    "parent servers at %s", ps->serving, ps->servers, asked);
		}

		time_text(next, when, sizeof(when));
		time_text(s->published, t[0], sizeof(t[0]));
		time_text(s->active, t[1], sizeof(t[1]));
		time_text(s->retired, t[2], sizeof(t[2]));
		time_text(s->removed, t[3], sizeof(t[3]));
		if (json) {
			json_t *row = json_pack("{s:i, s:s, s:i, "
			    "s:s, s:I, s:I, s:I, s:I, s:s, s:I}", "tag", key_tag(k),
			    "role", key_role_name(s->role), "algorithm",
			    key_algorithm(k), "state", key_state_name(s, cli->now),
			    "published", (json_int_t)s->published, "active",
			    (json_int_t)s->active, "retired",
			    (json_int_t)s->retired, "removed",
			    (json_int_t)s->removed, "next_event", what,
			    "next_event_time", (json_int_t)next);
			if (s->role != ROLE_ZSK)
				json_object_set_new(row, "ds", json_pack(
				    "{s:I, s:I, s:I}", "submitted",
				    (json_int_t)s->ds_submitted, "seen",
				    (json_int_t)s->ds_seen, "withdrawn",
				    (json_int_t)s->ds_withdrawn));
			if (awaited != 0)
				json_object_set_new(row, "ds_awaited",
				    json_integer(awaited));
			if (ps != NULL)
				json_object_set_new(row, "parent", json_pack(
				    "{s:i, s:i, s:I}", "serving", (int)ps->serving,
				    "servers", (int)ps->servers, "asked",
				    (json_int_t)st.parent_asked));
			json_array_append_new(arr, row);
			continue;
		}
		printf("%-6u %-4s %-16s %-10s %-15s %-15s %-15s %-15s %s%s%s\n",
		    key_tag(k), key_role_name(s->role),
		    dnssec_alg_name(key_algorithm(k)),
		    key_state_name(s, cli->now), t[0], t[1], t[2], t[3], what,
		    next ? " at " : "", next ? when : "");
	}
	if (json) {
		json_t *o = json_pack("{s:s, s:o}", "zone", zk.zc->name, "keys",
		    arr);
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
	}
	zone_keys_clear(&zk);
	return EXIT_OK;
}

/* keys roll --algorithm: the new algorithm's keys, signing from the next run. */
static int
roll_algorithm(struct cli *cli, struct zone_keys *zk, uint8_t alg)
{
	size_t before = zk->keys->count;
	struct diag d;
	int rc;

	/* An algorithm set in the config is what run rolls to: it must agree. */
	if (zk->zc->algorithm_set && zk->zc->algorithm != alg)
		return cli_usage(cli, "keys roll: the config sets algorithm %s "
		    "for %s: change it there, and run starts the rollover",
		    dnssec_alg_name(zk->zc->algorithm), zk->zc->name);
	diag_clear(&d);
	if ((rc = rollover_start_algorithm(zk->zc->keydir, zk->zc->name,
	    zk->keys, &zk->states, alg, &zk->policy, cli->now, &d)) != 0)
		return cli_fail(cli, rc, &d, zk->zc->keydir);
	if (zk->keys->count == before)
		cli_info(cli, "%s: keys of algorithm %s are in use already ('keys "
		    "status' shows where the rollover stands)", zk->zc->name,
		    dnssec_alg_name(alg));
	else
		cli_info(cli, "%s: %zu new %s keys sign from the next run and are "
		    "published once their signatures can be in every cache; "
		    "then the parent needs the new DS (keys status says what "
		    "the rollover waits for)", zk->zc->name,
		    zk->keys->count - before, dnssec_alg_name(alg));
	return EXIT_OK;
}

int
cmd_keys_roll(struct cli *cli, int argc, char **argv)
{
	const char *config, *zone;
	struct zone_keys zk;
	struct diag d;
	enum key_role role = (enum key_role)-1;
	uint8_t alg = 0;
	size_t before;
	int ex, rc;

	if ((ex = parse_zone_args(cli, argc, argv, &config, NULL, &role, &alg,
	    &zone)) != EXIT_OK)
		return ex;
	if (((int)role == -1) == (alg == 0))
		return cli_usage(cli, "keys roll: say which key: --zsk, --ksk, "
		    "--csk, or --algorithm ALG");
	if ((ex = zone_keys_load(cli, config, zone, true, &zk)) != EXIT_OK) {
		zone_keys_clear(&zk);
		return ex;
	}
	if (alg != 0) {
		ex = roll_algorithm(cli, &zk, alg);
		zone_keys_clear(&zk);
		return ex;
	}
	/* The successor is made; runs publish it and carry the roll through. */
	diag_clear(&d);
	before = zk.keys->count;
	rc = rollover_start(zk.zc->keydir, zk.zc->name, zk.keys, &zk.states,
	    role, cli->now, &d);
	if (rc != 0) {
		ex = cli_fail(cli, rc, &d, zk.zc->keydir);
	} else if (zk.keys->count == before) {
		cli_info(cli, "%s: a %s roll is under way already ('keys status' "
		    "shows where it stands)", zk.zc->name, key_role_name(role));
	} else {
		const struct key *k = zk.keys->keys[zk.keys->count - 1];
		if (role == ROLE_CSK)
			cli_info(cli, "%s: new CSK %u published from the next run; "
			    "it signs the data once its DNSKEY can be in every "
			    "cache, and the old one goes once the parent serves "
			    "the new DS (keys status says what it waits for)",
			    zk.zc->name, key_tag(k));
		else if (role == ROLE_KSK)
			cli_info(cli, "%s: new KSK %u published from the next run; "
			    "the old one goes once the parent serves the new DS "
			    "(keys status says what it waits for)", zk.zc->name,
			    key_tag(k));
		else
			cli_info(cli, "%s: new ZSK %u published from the next run; "
			    "it signs once its DNSKEY can be in every cache",
			    zk.zc->name, key_tag(k));
	}
	zone_keys_clear(&zk);
	return ex;
}

int
cmd_keys_ds_seen(struct cli *cli, int argc, char **argv)
{
	const char *config, *zone;
	struct zone_keys zk;
	struct diag d;
	unsigned tag;
	int ex, rc;

	if (argc >= 2 && cli_parse_count(argv[argc - 1], 65535, &tag) == 0)
		argc--;
	else
		return cli_usage(cli, "keys ds-seen: give ZONE and a key TAG");
	if ((ex = parse_zone_args(cli, argc, argv, &config, NULL, NULL, NULL,
	    &zone)) != EXIT_OK)
		return ex;
	if ((ex = zone_keys_load(cli, config, zone, true, &zk)) != EXIT_OK) {
		zone_keys_clear(&zk);
		return ex;
	}
	diag_clear(&d);
	if ((rc = rollover_ds_seen(zk.keys, zk.states, (uint16_t)tag, cli->now,
	    &d)) != 0)
		ex = cli_fail(cli, rc, &d, zk.zc->keydir);
	else
		cli_info(cli, "%s: the parent serves the DS of key %u; the next "
		    "runs finish the roll in time", zk.zc->name, tag);
	zone_keys_clear(&zk);
	return ex;
}
