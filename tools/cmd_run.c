/* zonewarden run, status and config check: the commands that work from the config file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/status.h"
#include "config.h"
#include "run.h"

#define LOCK_WAIT_DEFAULT 60
#define HOOK_TIMEOUT_DEFAULT 120

/* The zones a command works on: those named, or all of them. Returns an exit code. */
static int
select_zones(const struct cli *cli, const struct config *c, int argc,
    char **argv, const struct zone_config ***out, size_t *n)
{
	const struct zone_config **z;

	*n = 0;
	if ((z = calloc(c->nzones + (size_t)argc + 1, sizeof(*z))) == NULL)
		return EXIT_FAIL;
	if (argc == 0)
		for (size_t i = 0; i < c->nzones; i++)
			z[(*n)++] = &c->zones[i];
	for (int i = 0; i < argc; i++) {
		if ((z[*n] = config_find_zone(c, argv[i])) == NULL) {
			free(z);
			return cli_usage(cli, "%s: zone '%s' is not in %s",
			    cli->command, argv[i], c->path);
		}
		(*n)++;
	}
	*out = z;
	return EXIT_OK;
}

static int
load_config(const struct cli *cli, const char *path, struct config **c)
{
	struct diag d;
	int rc;

	diag_clear(&d);
	if ((rc = config_load(path, c, &d)) != 0)
		return cli_fail(cli, rc, &d, path);
	return 0;
}

int
cmd_run(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "lock-wait", required_argument, NULL, 'w' },
		{ "threads", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_options o = { .lock_wait = LOCK_WAIT_DEFAULT,
	    .hook_timeout = HOOK_TIMEOUT_DEFAULT };
	const char *path = CONFIG_DEFAULT_PATH;
	const struct zone_config **zones = NULL;
	struct config *c = NULL;
	size_t n = 0;
	int ch, ex = EXIT_OK, rc;
	bool mixed = false;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'n': o.dry_run = true; break;
		case 'w':
			if (cli_parse_count(optarg, 3600, &o.lock_wait) != 0)
				return cli_usage(cli, "run: --lock-wait takes "
				    "seconds, 0 to 3600");
			break;
		case 't':
			if (cli_parse_count(optarg, 256, &o.threads) != 0)
				return cli_usage(cli, "run: --threads takes a "
				    "number from 0 to 256");
			break;
		default:
			return cli_usage(cli, "run: unknown option");
		}
	}
	if ((ex = load_config(cli, path, &c)) != EXIT_OK)
		return ex;
	if ((ex = select_zones(cli, c, argc - optind, argv + optind, &zones,
	    &n)) != EXIT_OK) {
		config_free(c);
		return ex;
	}
	/* A failing zone does not stop the others. */
	for (size_t i = 0; i < n; i++) {
		struct run_result r;
		rc = run_zone(cli, zones[i], &o, &r);
		if (rc == 0) {
			run_report(cli, zones[i], &o, &r);
			continue;
		}
		int zex = cli_fail(cli, rc, &r.diag, zones[i]->name);
		if (ex == EXIT_OK)
			ex = zex;
		else if (ex != zex)
			mixed = true;
	}
	free(zones);
	config_free(c);
	/* One failure kind: its code; several: 1. */
	return mixed ? EXIT_FAIL : ex;
}

int
cmd_config_check(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CONFIG_DEFAULT_PATH;
	struct config *c = NULL;
	int ch, ex;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'c')
			return cli_usage(cli, "config check: unknown option");
		path = optarg;
	}
	if (optind != argc)
		return cli_usage(cli, "config check: takes no arguments");
	if ((ex = load_config(cli, path, &c)) != EXIT_OK)
		return ex;
	cli_info(cli, "%s: %zu zone%s, no errors", path, c->nzones,
	    c->nzones == 1 ? "" : "s");
	config_free(c);
	return EXIT_OK;
}
