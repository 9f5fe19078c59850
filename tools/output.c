/* Diagnostics on stderr: one format, journal priorities under systemd, status to exit code. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "common/status.h"

/* Under systemd (JOURNAL_STREAM set) lines carry sd-daemon priority prefixes. */
static const char *
priority(const char *level)
{
	if (getenv("JOURNAL_STREAM") == NULL)
		return "";
	return level;
}

int
cli_exit_code(int status)
{
	switch (status) {
	case STATUS_OK:
		return EXIT_OK;
	case STATUS_SYNTAX:
	case STATUS_ZONE_CONTENT:
		return EXIT_DATA;
	case STATUS_KEY_FORMAT:
	case STATUS_KEY_MISSING:
	case STATUS_KEY_UNSAFE:
	case STATUS_UNSUPPORTED:
		return EXIT_KEY;
	case STATUS_BAD_SIGNATURE:
	case STATUS_CHAIN:
		return EXIT_VERIFY;
	case STATUS_RANGE:
		return EXIT_USAGE;
	case STATUS_LOCKED:
		return EXIT_LOCKED;
	default:
		return status < 0 && status > -1000 && status != STATUS_NOMEM ?
		    EXIT_IO : EXIT_FAIL;
	}
}

static void
print_diag(const char *level, const char *pri, const struct diag *d,
    const char *what, int status)
{
	fprintf(stderr, "%szonewarden: %s: ", priority(pri), level);
	if (d != NULL && d->file[0] != '\0') {
		if (d->line > 0)
			fprintf(stderr, "%s:%lu: ", d->file, d->line);
		else
			fprintf(stderr, "%s: ", d->file);
	}
	if (d != NULL && d->owner[0] != '\0')
		fprintf(stderr, "%s %s: ", d->owner, d->type);
	if (d != NULL && d->text[0] != '\0') {
		fputs(d->text, stderr);
		/* System errors add what the system said; our own texts say it all. */
		if (status < 0 && status > -1000)
			fprintf(stderr, ": %s", status_str(status));
	} else if (status != 0)
		fprintf(stderr, "%s%s%s", what ? what : "", what ? ": " : "",
		    status_str(status));
	fputc('\n', stderr);
}

int
cli_fail(const struct cli *cli, int status, const struct diag *d,
    const char *what)
{
	(void)cli;
	print_diag("error", "<3>", d, what, status);
	return cli_exit_code(status);
}

void
cli_warn(const struct cli *cli, const struct diag *d)
{
	if (cli->verbose >= 0)
		print_diag("warning", "<4>", d, NULL, 0);
}

int
cli_usage(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%szonewarden: error: ", priority("<3>"));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see '%s help')\n", cli->prog);
	return EXIT_USAGE;
}

void
cli_info(const struct cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->verbose < 0)
		return;
	fprintf(stderr, "%szonewarden: ", priority("<6>"));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_parse_count(const char *text, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (*text == '\0')
		return STATUS_SYNTAX;
	for (const char *c = text; *c; c++) {
		if (*c < '0' || *c > '9')
			return STATUS_SYNTAX;
		v = v * 10 + (unsigned long)(*c - '0');
		if (v > max)
			return STATUS_RANGE;
	}
	*out = (unsigned)v;
	return 0;
}

const char *
monitor_status_name(int code)
{
	static const char *const names[] = { "OK", "WARNING", "CRITICAL",
	    "UNKNOWN" };

	return code >= 0 && code <= MONITOR_UNKNOWN ? names[code] : "UNKNOWN";
}
