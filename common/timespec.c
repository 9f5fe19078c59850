/* Strict parsers for times and durations (no atoi: every character is checked). */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "status.h"
#include "timespec.h"

/* Largest time we accept: well past 2106 would not fit RRSIG serial arithmetic anyway. */
#define TIME_MAX_SECONDS ((int64_t)1 << 40)

static int
parse_digits(const char **p, int64_t *out)
{
	int64_t v = 0;
	const char *s = *p;

	if (!isdigit((unsigned char)*s))
		return STATUS_SYNTAX;
	while (isdigit((unsigned char)*s)) {
		if (v > TIME_MAX_SECONDS)
			return STATUS_RANGE;
		v = v * 10 + (*s - '0');
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

int
duration_parse(const char *text, int64_t *out)
{
	const char *p = text;
	int64_t total = 0;
	int rc;

	if (text == NULL || *text == '\0')
		return STATUS_SYNTAX;
	while (*p != '\0') {
		int64_t n, unit;

		if ((rc = parse_digits(&p, &n)) != 0)
			return rc;
		switch (*p) {
		case '\0': unit = 1; break;
		case 's': unit = 1; p++; break;
		case 'm': unit = 60; p++; break;
		case 'h': unit = 3600; p++; break;
		case 'd': unit = 86400; p++; break;
		case 'w': unit = 7 * 86400; p++; break;
		default: return STATUS_SYNTAX;
		}
		if (unit == 1 && *p != '\0' && p[-1] != 's')
			return STATUS_SYNTAX;
		if (n > TIME_MAX_SECONDS / unit)
			return STATUS_RANGE;
		total += n * unit;
		if (total > TIME_MAX_SECONDS)
			return STATUS_RANGE;
	}
	*out = total;
	return 0;
}

static bool
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days from 1970-01-01 to the given civil date (proleptic Gregorian). */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
parse_calendar(const char *s, int64_t *out)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t f[6];
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };

	for (int i = 0, pos = 0; i < 6; pos += width[i], i++) {
		f[i] = 0;
		for (int k = 0; k < width[i]; k++)
			f[i] = f[i] * 10 + (s[pos + k] - '0');
	}
	if (f[0] < 1970 || f[1] < 1 || f[1] > 12 || f[2] < 1 || f[3] > 23 ||
	    f[4] > 59 || f[5] > 59)
		return STATUS_RANGE;
	int dim = mdays[f[1] - 1] + (f[1] == 2 && is_leap(f[0]));
	if (f[2] > dim)
		return STATUS_RANGE;
	*out = days_from_civil(f[0], f[1], f[2]) * 86400 + f[3] * 3600 +
	    f[4] * 60 + f[5];
	return 0;
}

int
time_parse(const char *text, int64_t now, int64_t *out)
{
	int64_t v;
	int rc;
	size_t len;

	if (text == NULL || *text == '\0')
		return STATUS_SYNTAX;
	if (text[0] == '+') {
		if ((rc = duration_parse(text + 1, &v)) != 0)
			return rc;
		*out = now + v;
		return 0;
	}
	len = strlen(text);
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)text[i]))
			return STATUS_SYNTAX;
	/* Fourteen digits are a calendar time (as in RRSIG presentation, RFC 4034 §3.2). */
	if (len == 14)
		rc = parse_calendar(text, &v);
	else {
		const char *p = text;
		rc = parse_digits(&p, &v);
	}
	if (rc != 0)
		return rc;
	if (v > TIME_MAX_SECONDS)
		return STATUS_RANGE;
	*out = v;
	return 0;
}

void
time_format(int64_t t, char *buf, size_t size)
{
	/* Civil date from days since 1970-01-01 (proleptic Gregorian, eras of 400 years). */
	int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t secs = t - days * 86400;
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t day = doy - (153 * mp + 2) / 5 + 1;
	int64_t month = mp < 10 ? mp + 3 : mp - 9;
	int64_t year = yoe + era * 400 + (month <= 2);
	int64_t v[6] = { year, month, day, secs / 3600, secs / 60 % 60, secs % 60 };
	char out[32];
	size_t o = 0;

	if (year < 0 || year > 9999) {
		snprintf(buf, size, "%lld", (long long)t);
		return;
	}
	for (int i = 0; i < 6; i++) {
		int width = i == 0 ? 4 : 2;
		for (int k = width - 1; k >= 0; k--) {
			out[o + (size_t)k] = (char)('0' + v[i] % 10);
			v[i] /= 10;
		}
		o += (size_t)width;
	}
	out[o] = '\0';
	snprintf(buf, size, "%s", out);
}

double
elapsed_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
cpu_seconds(double *user, double *system)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		memset(&ru, 0, sizeof(ru));
	*user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	*system = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

void
duration_format(int64_t seconds, char *buf, size_t size)
{
	static const struct { char unit; int64_t s; } units[] = {
		{ 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
	};
	size_t n = 0;

	if (size == 0)
		return;
	buf[0] = '\0';
	if (seconds <= 0) {
		snprintf(buf, size, "0s");
		return;
	}
	for (size_t i = 0; i < 4 && n < size; i++)
		if (seconds >= units[i].s) {
			n += (size_t)snprintf(buf + n, size - n, "%lld%c",
			    (long long)(seconds / units[i].s), units[i].unit);
			seconds %= units[i].s;
		}
}
