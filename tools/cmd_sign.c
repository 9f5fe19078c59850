/* zonewarden sign: load a zone and its keys, sign, verify, write atomically. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/status.h"
#include "common/timespec.h"
#include "keys/keystore.h"
#include "keys/rollover.h"
#include "signer/signer.h"
#include "signing.h"
#include "zones/zone.h"


int
cmd_sign(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "in", required_argument, NULL, 'i' },
		{ "out", required_argument, NULL, 'o' },
		{ "keydir", required_argument, NULL, 'k' },
		{ "nsec3", no_argument, NULL, '3' },
		{ "nsec", no_argument, NULL, 'n' },
		{ "opt-out", no_argument, NULL, 'O' },
		{ "inception", required_argument, NULL, 'I' },
		{ "expiration", required_argument, NULL, 'E' },
		{ "validity", required_argument, NULL, 'L' },
		{ "serial", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "refresh", required_argument, NULL, 'R' },
		{ "full", no_argument, NULL, 'F' },
		{ "verify", required_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *in = NULL, *out = NULL, *keydir = NULL, *zname;
	const char *inception = NULL, *expiration = NULL, *validity = NULL;
	const char *refresh = NULL;
	struct sign_policy policy;
	struct sign_stats stats = { 0 };
	struct keyset *keys = NULL;
	struct key_state *states = NULL;
	struct zone *z = NULL;
	struct signing_previous prev = { .text.fd = -1 };
	struct signing_manifest m = { 0 }, found;
	struct signing_job job;
	struct diag d;
	int c, rc, ex = EXIT_OK;
	bool nsec = false, nsec3 = false, full = false;
	double t_load, user[3], sys[3];

	sign_policy_init(&policy);
	diag_clear(&d);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i': in = optarg; break;
		case 'o': out = optarg; break;
		case 'k': keydir = optarg; break;
		case '3': nsec3 = true; break;
		case 'n': nsec = true; break;
		case 'O': policy.opt_out = true; break;
		case 'I': inception = optarg; break;
		case 'E': expiration = optarg; break;
		case 'L': validity = optarg; break;
		case 'R': refresh = optarg; break;
		case 'F': full = true; break;
		case 'V':
			if (strcmp(optarg, "all") == 0)
				policy.verify_sample = false;
			else if (strcmp(optarg, "sample") == 0)
				policy.verify_sample = true;
			else
				return cli_usage(cli, "--verify: '%s' is not all "
				    "or sample", optarg);
			break;
		case 's':
			if (serial_policy_parse(optarg, &policy.serial) != 0)
				return cli_usage(cli, "--serial: '%s' is not keep, "
				    "increment, unixtime or dateserial", optarg);
			break;
		case 't':
			if (cli_parse_count(optarg, 256, &policy.threads) != 0)
				return cli_usage(cli, "--threads: '%s' is not a "
				    "number from 0 to 256", optarg);
			break;
		default:
			return cli_usage(cli, "sign: unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "sign: give exactly one ZONE");
	zname = argv[optind];
	if (in == NULL || out == NULL || keydir == NULL)
		return cli_usage(cli, "sign: --in, --out and --keydir are required");
	if (nsec && (nsec3 || policy.opt_out))
		return cli_usage(cli, "sign: --nsec excludes --nsec3 and --opt-out");
	policy.denial = nsec ? DENIAL_NSEC : DENIAL_NSEC3;
	if ((inception == NULL) != (expiration == NULL))
		return cli_usage(cli, "sign: --inception and --expiration go together");
	if (inception != NULL && validity != NULL)
		return cli_usage(cli, "sign: --validity excludes --inception/--expiration");
	if (inception != NULL) {
		policy.absolute_times = true;
		if (time_parse(inception, cli->now, &policy.inception) != 0 ||
		    time_parse(expiration, cli->now, &policy.expiration) != 0)
			return cli_usage(cli, "sign: --inception/--expiration take "
			    "YYYYMMDDHHMMSS (UTC), epoch seconds or +DURATION");
	}
	if (validity != NULL &&
	    (duration_parse(validity, &policy.validity) != 0 ||
	    policy.validity < 3600))
		return cli_usage(cli, "sign: --validity: '%s' is not a duration of "
		    "at least 1h (e.g. 14d)", validity);
	if (refresh != NULL && duration_parse(refresh, &policy.refresh) != 0)
		return cli_usage(cli, "sign: --refresh: '%s' is not a duration "
		    "(e.g. 5d)", refresh);

	if ((rc = keystore_load(keydir, zname, &keys, &d)) != 0 ||
	    (rc = rollover_load(keydir, keys, &states, &d)) != 0) {
		ex = cli_fail(cli, rc, &d, keydir);
		goto out;
	}
	/* Keys that `run` rolls: each published and signing as its state says. */
	rollover_apply(keys, states, NULL, cli->now);
	m.signed_at = cli->now;
	if ((rc = signer_setup_digest(zname, keys, &policy, m.setup)) != 0) {
		ex = cli_fail(cli, rc, &d, "signing");
		goto out;
	}
	/*
	 * Same input, keys and settings as the output says it was made from,
	 * and no signature near expiry: signing again would change only the
	 * serial. The output stays as it is (and is not even read in).
	 */
	if (!full && signing_input_digest(in, NULL, &m) == 0 &&
	    signing_up_to_date(out, &m, cli->now, &found)) {
		char at[32], due[32];
		time_format(found.signed_at, at, sizeof(at));
		time_format(found.due, due, sizeof(due));
		cli_info(cli, "%s: %s is up to date (signed at %s from the same "
		    "input, keys and settings; serial %u; nothing due before %s): "
		    "left as it is", zname, out, at, found.serial, due);
		goto out;
	}
	t_load = elapsed_seconds();
	cpu_seconds(&user[0], &sys[0]);
	if ((rc = signing_load(cli, in, out, zname, !full, &z, &prev,
	    &m, &d)) != 0) {
		ex = cli_fail(cli, rc, &d, in);
		goto out;
	}
	t_load = elapsed_seconds() - t_load;
	cpu_seconds(&user[1], &sys[1]);
	/* Only a zone that passed its own verification replaces the output. */
	job = (struct signing_job){ .cli = cli, .in = in, .out = out,
	    .zname = zname, .keys = keys, .policy = &policy };
	if ((rc = signing_sign_write(&job, &z, &prev, &m, &stats, &d)) != 0) {
		ex = cli_fail(cli, rc, &d, "signing");
		goto out;
	}
	cpu_seconds(&user[2], &sys[2]);
	if (cli->verbose > 1)
		cli_info(cli, "%s: seconds: read %.2f, chain %.2f, sign %.2f, "
		    "write %.2f (with the self-check beside it: %.2f); CPU "
		    "seconds, user + system: read %.2f + %.2f, the rest %.2f + "
		    "%.2f", zname, t_load, stats.seconds_chain,
		    stats.seconds_sign, stats.seconds_write, stats.seconds_verify,
		    user[1] - user[0], sys[1] - sys[0], user[2] - user[1],
		    sys[2] - sys[1]);
	if (cli->verbose > 0) {
		size_t n;
		zone_records(z, &n);
		cli_info(cli, "%s: serial %u, %zu RRsets: %zu signatures made, "
		    "%zu reused, %zu verified; %zu records written to %s "
		    "(%zu lines copied from the previous output%s)",
		    zname, zone_serial(z), stats.rrsets, stats.signatures_made,
		    stats.signatures_reused, stats.signatures_checked, n, out,
		    prev.text.copied, prev.from_cache ? ", its records read "
		    "from its record cache" : "");
	}
out:
	free(states);
	/* z holds signatures kept from prev: it goes first. */
	zone_free(z);
	signing_previous_free(&prev);
	keyset_free(keys);
	return ex;
}
