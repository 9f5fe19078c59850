/* zonewarden: global options and the command table. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common/timespec.h"

#define ZONEWARDEN_VERSION "0.1.0"

struct command {
	const char *name;        /* "sign", or "keys init" */
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *synopsis;
	const char *summary;
};

static const struct command commands[] = {
	{ "sign", cmd_sign,
	  "sign ZONE --in FILE --out FILE --keydir DIR [--nsec3|--nsec] "
	  "[--opt-out] [--inception T --expiration T | --validity DUR] "
	  "[--serial keep|increment|unixtime|dateserial] [--refresh DUR] [--full] "
	  "[--verify all|sample] [--threads N]",
	  "sign a zone file and write the signed zone" },
	{ "keys init", cmd_keys_init,
	  "keys init ZONE --keydir DIR [--algorithm NAME] [--bits N] [--csk]",
	  "create a zone's first KSK and ZSK (or one CSK)" },
	{ "keys ds", cmd_keys_ds,
	  "keys ds ZONE --keydir DIR [--digest sha256|sha384]",
	  "print the DS records to give the parent zone" },
	{ "keys list", cmd_keys_list,
	  "keys list ZONE --keydir DIR",
	  "list a zone's keys: tag, algorithm, role, size" },
	{ "keys import", cmd_keys_import,
	  "keys import ZONE --keydir DIR FILE...",
	  "take key files made by dnssec-keygen or ldns-keygen" },
	{ "keys status", cmd_keys_status,
	  "keys status ZONE [--config FILE] [--json]",
	  "each key's state, its next event and when (configured zones)" },
	{ "keys roll", cmd_keys_roll,
	  "keys roll ZONE --zsk|--ksk|--csk|--algorithm ALG [--config FILE]",
	  "start a key or algorithm rollover now (configured zones)" },
	{ "keys ds-seen", cmd_keys_ds_seen,
	  "keys ds-seen ZONE TAG [--config FILE]",
	  "say that the parent serves the DS of KSK TAG (parent-ds-check = manual)" },
	{ "run", cmd_run,
	  "run [--config FILE] [--dry-run] [--lock-wait SECONDS] [--threads N] "
	  "[ZONE...]",
	  "sign every configured zone that needs it (for cron or a timer)" },
	{ "status", cmd_status,
	  "status [--config FILE] [--json] [ZONE...]",
	  "serials, signature expiry, keys and last run of configured zones" },
	/* Before "tlsa": the first name that matches is taken. */
	{ "tlsa stage", cmd_tlsa_stage,
	  "tlsa stage ZONE HOST --cert FILE|--key FILE|--csr FILE [--port N] "
	  "[--config FILE]",
	  "publish a renewed certificate's record beside the current one" },
	{ "tlsa ready", cmd_tlsa_ready,
	  "tlsa ready ZONE HOST [--port N] [--config FILE]",
	  "exit 0 once every name server serves the staged record and caches "
	  "have had 2 x TTL" },
	{ "tlsa commit", cmd_tlsa_commit,
	  "tlsa commit ZONE HOST [--port N] [--config FILE]",
	  "the staged certificate is deployed: its record is current, the old "
	  "one goes" },
	{ "tlsa deploy", cmd_tlsa_deploy,
	  "tlsa deploy --cert CHAIN --key KEY [--config FILE]",
	  "for renewal hooks: install a renewed certificate now (same key) or "
	  "once its record is safe" },
	{ "tlsa probe", cmd_tlsa_probe,
	  "tlsa probe HOST [--port N] [--resolver IP[@PORT]] [--config FILE] "
	  "[--timeout S] [--json]",
	  "check the mail server's certificates against its TLSA records, live "
	  "(exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)" },
	{ "tlsa", cmd_tlsa,
	  "tlsa HOST --cert FILE|--key FILE|--csr FILE [--port N] "
	  "[--params U,S,M]... [--ttl DUR]",
	  "print the TLSA records (3 1 1 by default) of a certificate, key or CSR" },
	{ "check", cmd_check,
	  "check ZONE [--signed FILE] [--live] [--probe] [--resolver IP[@PORT]] "
	  "[--ds FILE] [--cert HOST=PEM]... [--warn DUR] [--json]",
	  "every way a signed zone breaks its trust chain (exit 0 OK, 1 WARNING, "
	  "2 CRITICAL, 3 UNKNOWN)" },
	{ "mail plan", cmd_mail_plan,
	  "mail plan ZONE --mx HOST[:PRIO]... [--config FILE] [--signed FILE]",
	  "the steps, and the waits between them, to move mail to new MX hosts "
	  "without breaking DANE or MTA-STS" },
	{ "mail", cmd_mail,
	  "mail ZONE [--config FILE] [--signed FILE] [--live] "
	  "[--resolver IP[@PORT]] [--json]",
	  "the mail domain: MX hosts, TLSA, what DANE senders conclude, TLS-RPT, "
	  "MTA-STS (exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN)" },
	{ "config check", cmd_config_check,
	  "config check [--config FILE]",
	  "check the config file and change nothing" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
print_help(FILE *out)
{
	fprintf(out, "usage: zonewarden [--now TIME] [-v|-q] COMMAND [OPTIONS] "
	    "[ARGS]\n\nCommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %-14s %s\n      zonewarden %s\n", commands[i].name,
		    commands[i].summary, commands[i].synopsis);
	fprintf(out, "\nGlobal options:\n"
	    "  --now TIME   the current time (YYYYMMDDHHMMSS UTC, epoch, +DUR)\n"
	    "  -v, -q       more or less to say on stderr\n"
	    "  --version    print the version\n"
	    "See zonewarden(1) for exit codes and details.\n");
}

/* Find the command named by argv[0] (and argv[1] for two-word commands). */
static const struct command *
find_command(int argc, char **argv, int *words)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const char *name = commands[i].name, *space = strchr(name, ' ');
		if (space == NULL) {
			if (strcmp(argv[0], name) == 0) {
				*words = 1;
				return &commands[i];
			}
		} else if (argc > 1 &&
		    strncmp(argv[0], name, (size_t)(space - name)) == 0 &&
		    argv[0][space - name] == '\0' &&
		    strcmp(argv[1], space + 1) == 0) {
			*words = 2;
			return &commands[i];
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	static const struct option global[] = {
		{ "now", required_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { .prog = "zonewarden" };
	const char *now_text = NULL;
	const struct command *cmd;
	int c, words;

	/* '+' stops at the command name: what follows belongs to the command. */
	while ((c = getopt_long(argc, argv, "+vqh", global, NULL)) != -1) {
		switch (c) {
		case 'N': now_text = optarg; break;
		case 'v': cli.verbose++; break;
		case 'q': cli.verbose--; break;
		case 'h': print_help(stdout); return EXIT_OK;
		case 'V': printf("zonewarden %s\n", ZONEWARDEN_VERSION); return EXIT_OK;
		default: return cli_usage(&cli, "unknown global option");
		}
	}
	/* The clock is read here, once, and passed down. */
	cli.now = (int64_t)time(NULL);
	if (now_text != NULL && time_parse(now_text, cli.now, &cli.now) != 0)
		return cli_usage(&cli, "--now: '%s' is not a time "
		    "(YYYYMMDDHHMMSS, epoch seconds or +DURATION)", now_text);
	if (optind >= argc)
		return cli_usage(&cli, "no command given");
	if (strcmp(argv[optind], "help") == 0) {
		print_help(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argc - optind, argv + optind, &words);
	if (cmd == NULL)
		return cli_usage(&cli, "unknown command '%s'", argv[optind]);
	/* The command sees its last name word as argv[0], then its arguments. */
	optind += words - 1;
	cli.command = cmd->name;
	c = optind;
	optind = 0;	/* 0, not 1: GNU getopt re-initializes, dropping the "+" above */
	return cmd->run(&cli, argc - c, argv + c);
}
