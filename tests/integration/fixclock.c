/*
 * LD_PRELOAD shim that sets the wall clock of a verifier we do not control
 * (BIND's dnssec-verify has no time option, and libfaketime deadlocks with
 * the jemalloc BIND links). ZW_FIXCLOCK=<epoch seconds> is what CLOCK_REALTIME,
 * gettimeofday() and time() report; other clocks go straight to the kernel,
 * so no symbol lookup (and no malloc) happens inside the hooks.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long
fixed_now(void)
{
	const char *s = getenv("ZW_FIXCLOCK");
	return s != NULL ? atoll(s) : -1;
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	long long now = fixed_now();

	if (now >= 0 && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
		ts->tv_sec = (time_t)now;
		ts->tv_nsec = 0;
		return 0;
	}
	return (int)syscall(SYS_clock_gettime, id, ts);
}

int
gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t
time(time_t *t)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (time_t)-1;
	if (t != NULL)
		*t = ts.tv_sec;
	return ts.tv_sec;
}
