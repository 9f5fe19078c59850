/*
 * LD_PRELOAD shim for the tests: with ZW_FAILSYNC=fdatasync, fdatasync(2)
 * fails with EIO, as when the disk failed to write a file's pages back.
 * Linux reports such a failure once, to the first sync that follows: an
 * fsync(2) after it (left as it is here) finds nothing wrong.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int
fdatasync(int fd)
{
	const char *s = getenv("ZW_FAILSYNC");

	if (s != NULL && strcmp(s, "fdatasync") == 0) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fdatasync, fd);
}
