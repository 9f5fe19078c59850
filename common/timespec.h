/* Parsing and formatting of absolute times and durations given on the command line. */
#ifndef ZW_TIMESPEC_H
#define ZW_TIMESPEC_H

#include <stddef.h>
#include <stdint.h>

#include "attr.h"

/*
 * Parse a duration: plain seconds ("3600") or one or more number+unit pairs
 * with units s, m, h, d, w ("30d", "1d12h"). Returns 0, STATUS_SYNTAX or
 * STATUS_RANGE; *out is written only on success.
 */
int duration_parse(const char *text, int64_t *out) WUR;

/*
 * Parse an absolute time: UTC "YYYYMMDDHHMMSS", epoch seconds, or "+DUR"
 * (now plus a duration). Returns 0, STATUS_SYNTAX or STATUS_RANGE.
 */
int time_parse(const char *text, int64_t now, int64_t *out) WUR;

/* Format a duration the way duration_parse reads it ("1d2h", "5m", "0s") into buf. */
void duration_format(int64_t seconds, char *buf, size_t size);

/* Format t as UTC "YYYYMMDDHHMMSS" into buf (at least 15 bytes). */
void time_format(int64_t t, char *buf, size_t size);

/*
 * Seconds on the monotonic clock, to measure how long something took (never
 * for decisions: those use the one `now` that tools/ reads).
 */
double elapsed_seconds(void);

/* CPU seconds this process used so far (all its threads): in user mode, and in the kernel. */
void cpu_seconds(double *user, double *system);

#endif
