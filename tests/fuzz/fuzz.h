/*
 * Shared by the fuzz targets (tests/fuzz/fuzz_*.c): each defines
 * LLVMFuzzerTestOneInput, built with libFuzzer by `make fuzz` and with
 * replay.c by `make check`, which runs the committed corpus under gcc.
 * Inputs reach the code the way users' files do: written to a private
 * folder, then read by the real loaders.
 */
#ifndef ZW_FUZZ_H
#define ZW_FUZZ_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char fuzz_folder[64];

static void
fuzz_cleanup(void)
{
	char cmd[96];

	if (fuzz_folder[0] == '\0')
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fuzz_folder);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_folder);
}

/* A private folder for this process (mode 0700), removed at exit. */
static inline const char *
fuzz_dir(void)
{
	if (fuzz_folder[0] == '\0') {
		const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
		snprintf(fuzz_folder, sizeof(fuzz_folder), "%s/zw-fuzz.XXXXXX", base);
		if (mkdtemp(fuzz_folder) == NULL)
			abort();
		atexit(fuzz_cleanup);
	}
	return fuzz_folder;
}

/* Write data to name in the folder (replaced, with mode); its path into path. */
static inline void
fuzz_write(const char *name, const uint8_t *data, size_t size, mode_t mode,
    char *path, size_t psize)
{
	int fd;

	snprintf(path, psize, "%s/%s", fuzz_dir(), name);
	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)) < 0)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
}

/* The part of data up to the next NUL (or its end); *data and *size move past it. */
static inline size_t
fuzz_part(const uint8_t **data, size_t *size, const uint8_t **part)
{
	const uint8_t *nul = memchr(*data, 0, *size);
	size_t n = nul != NULL ? (size_t)(nul - *data) : *size;

	*part = *data;
	*data += n + (nul != NULL);
	*size -= n + (nul != NULL);
	return n;
}

#endif
