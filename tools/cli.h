/* What every command shares: the global options, exit codes and how errors are reported. */
#ifndef ZW_CLI_H
#define ZW_CLI_H

#include <stdint.h>

#include "common/attr.h"
#include "common/diag.h"

/* Exit codes, documented in zonewarden(1). */
enum exit_code {
	EXIT_OK = 0,
	EXIT_FAIL = 1,       /* anything not below */
	EXIT_USAGE = 2,      /* bad command line */
	EXIT_DATA = 3,       /* zone file that does not parse or breaks a rule */
	EXIT_KEY = 4,        /* missing, malformed or unsafe key files */
	EXIT_VERIFY = 5,     /* the signed result failed its own verification */
	EXIT_IO = 6,         /* a file could not be read or written */
	EXIT_LOCKED = 7,     /* another run holds the zone's lock */
	EXIT_NOT_READY = 8,  /* tlsa ready: the staged record is not safe yet */
};

/* Exit codes of the monitoring commands (check, tlsa probe): Nagios, Icinga. */
enum monitor_exit {
	MONITOR_OK = 0,
	MONITOR_WARNING = 1,
	MONITOR_CRITICAL = 2,
	MONITOR_UNKNOWN = 3,
};
/* "OK", "WARNING", "CRITICAL", "UNKNOWN". */
const char *monitor_status_name(int code);

struct cli {
	int64_t now;         /* the clock, read once (or --now) */
	int verbose;         /* -v: +1, -q: -1 */
	const char *prog;
	const char *command; /* "keys init", for messages */
};

/* Print "zonewarden: error: [file:line: ][owner type: ]text: status" and map status to an exit code. */
int cli_fail(const struct cli *cli, int status, const struct diag *d,
    const char *what);
/* Print a usage error and return EXIT_USAGE. */
int cli_usage(const struct cli *cli, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Print a warning from a diag. */
void cli_warn(const struct cli *cli, const struct diag *d);
/* Print an informational line (hidden by -q). */
void cli_info(const struct cli *cli, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* The exit code for a status. */
int cli_exit_code(int status);

/* A whole number from 0 to max written in decimal digits only. */
int cli_parse_count(const char *text, unsigned max, unsigned *out) WUR;

/* Commands: parse their own options, do one job, return an exit code. */
int cmd_sign(struct cli *cli, int argc, char **argv);
int cmd_keys_init(struct cli *cli, int argc, char **argv);
int cmd_keys_ds(struct cli *cli, int argc, char **argv);
int cmd_keys_list(struct cli *cli, int argc, char **argv);
int cmd_keys_import(struct cli *cli, int argc, char **argv);
int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_config_check(struct cli *cli, int argc, char **argv);
int cmd_keys_status(struct cli *cli, int argc, char **argv);
int cmd_keys_roll(struct cli *cli, int argc, char **argv);
int cmd_keys_ds_seen(struct cli *cli, int argc, char **argv);
int cmd_tlsa(struct cli *cli, int argc, char **argv);
int cmd_tlsa_stage(struct cli *cli, int argc, char **argv);
int cmd_tlsa_ready(struct cli *cli, int argc, char **argv);
int cmd_tlsa_commit(struct cli *cli, int argc, char **argv);
int cmd_tlsa_deploy(struct cli *cli, int argc, char **argv);
int cmd_tlsa_probe(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_mail(struct cli *cli, int argc, char **argv);
int cmd_mail_plan(struct cli *cli, int argc, char **argv);

#endif
