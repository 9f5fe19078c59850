/* Atomic publication of files, and files written over in place. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "status.h"

#define WRITE_BUFFER_SIZE (1 << 20)

/*
 * While a file is written, what is written is sent to the disk every
 * WRITEBACK_PERIOD_MS (when at least WRITEBACK_MIN bytes came): the fsync
 * at the end then waits only for the last of a large file, not all of it
 * (the kernel would start on its own only at gigabytes of dirty pages).
 */
#define WRITEBACK_PERIOD_MS 20
#define WRITEBACK_MIN (4 << 20)

struct writeback {
	int fd;
	bool stop;
	pthread_mutex_t lock;
	pthread_cond_t wake;
};

static void *
writeback_run(void *arg)
{
	struct writeback *wb = arg;
	off_t done = 0;

	pthread_mutex_lock(&wb->lock);
	while (!wb->stop) {
		struct timespec until;
		struct stat st;

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += WRITEBACK_PERIOD_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		(void)pthread_cond_timedwait(&wb->wake, &wb->lock, &until);
		if (wb->stop)
			break;
		pthread_mutex_unlock(&wb->lock);
		/*
		 * Only starts the writing; fsync still makes it durable. A
		 * writer may take back what it wrote (zone_write does).
		 */
		if (fstat(wb->fd, &st) == 0) {
			if (st.st_size < done)
				done = st.st_size;
			if (st.st_size - done >= WRITEBACK_MIN) {
				(void)sync_file_range(wb->fd, done,
				    st.st_size - done, SYNC_FILE_RANGE_WRITE);
				done = st.st_size;
			}
		}
		pthread_mutex_lock(&wb->lock);
	}
	pthread_mutex_unlock(&wb->lock);
	return NULL;
}

static int
sync_parent_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd, rc = 0;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return -ENAMETOOLONG;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return status_from_errno(errno);
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = status_from_errno(errno);
	close(fd);
	return rc;
}

/*
 * Write to a fresh temporary file beside path, sent to the disk as it is
 * written and fsynced; on success tmp names it. settle (may be NULL): see
 * file_replace_settled.
 */
static int
write_temp(const char *path, unsigned mode, file_writer_fn write,
    file_settle_fn settle, void *arg, char *tmp, size_t tmpsize)
{
	FILE *f = NULL;
	char *buffer = NULL;
	struct writeback wb = { .fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };
	pthread_condattr_t monotonic;
	pthread_t thread;
	bool writing_back = false;
	int fd = -1, rc;

	for (int attempt = 0;; attempt++) {
		if (snprintf(tmp, tmpsize, "%s.tmp.%ld.%d", path, (long)getpid(),
		    attempt) >= (int)tmpsize)
			return -ENAMETOOLONG;
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    mode);
		if (fd >= 0)
			break;
		if (errno != EEXIST || attempt > 100)
			return status_from_errno(errno);
	}
	/* The umask may have narrowed mode; the caller's mode is what we mean. */
	if (fchmod(fd, mode) != 0) {
		rc = status_from_errno(errno);
		goto out;
	}
	f = fdopen(fd, "w");
	if (f == NULL) {
		rc = status_from_errno(errno);
		goto out;
	}
	fd = -1;
	buffer = malloc(WRITE_BUFFER_SIZE);
	if (buffer != NULL)
		setvbuf(f, buffer, _IOFBF, WRITE_BUFFER_SIZE);
	/* Its periods go by the monotonic clock, whatever the wall clock does. */
	wb.fd = fileno(f);
	if (pthread_condattr_init(&monotonic) == 0) {
		writing_back = pthread_condattr_setclock(&monotonic,
		    CLOCK_MONOTONIC) == 0 &&
		    pthread_cond_init(&wb.wake, &monotonic) == 0;
		pthread_condattr_destroy(&monotonic);
	}
	if (writing_back && pthread_create(&thread, NULL, writeback_run,
	    &wb) != 0) {
		pthread_cond_destroy(&wb.wake);
		writing_back = false;
	}
	rc = write(f, arg);
	if (writing_back) {
		pthread_mutex_lock(&wb.lock);
		wb.stop = true;
		pthread_cond_signal(&wb.wake);
		pthread_mutex_unlock(&wb.lock);
		pthread_join(thread, NULL);
		pthread_cond_destroy(&wb.wake);
	}
	if (rc != 0)
		goto out;
	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)
		rc = status_from_errno(errno);
	if (settle != NULL)
		rc = settle(arg, rc);
	if (rc != 0)
		goto out;
	rc = fclose(f) == 0 ? 0 : status_from_errno(errno);
	f = NULL;
out:
	if (f != NULL)
		fclose(f);
	if (fd >= 0)
		close(fd);
	free(buffer);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

static int
replace(const char *path, unsigned mode, file_writer_fn write,
    file_settle_fn settle, void *arg)
{
	char tmp[PATH_MAX];
	int rc;

	file_clean_temps(path);
	if ((rc = write_temp(path, mode, write, settle, arg, tmp,
	    sizeof(tmp))) != 0)
		return rc;
	if (rename(tmp, path) != 0) {
		rc = status_from_errno(errno);
		unlink(tmp);
		return rc;
	}
	return sync_parent_dir(path);
}

int
file_replace(const char *path, unsigned mode, file_writer_fn write, void *arg)
{
	return replace(path, mode, write, NULL, arg);
}

int
file_replace_settled(const char *path, unsigned mode, file_writer_fn write,
    file_settle_fn settle, void *arg)
{
	return replace(path, mode, write, settle, arg);
}

int
file_write_all(int fd, const void *p, size_t n)
{
	const char *at = p;

	while (n > 0) {
		ssize_t w = write(fd, at, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? status_from_errno(errno) : -EIO;
		at += w;
		n -= (size_t)w;
	}
	return 0;
}

int
file_read_at(int fd, void *p, size_t n, uint64_t off)
{
	char *at = p;

	while (n > 0) {
		ssize_t r = pread(fd, at, n, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? status_from_errno(errno) : -EIO;
		at += r;
		off += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}

int
file_overwrite(const char *path, unsigned mode, file_fd_writer_fn write,
    void *arg)
{
	struct stat st;
	int fd, rc;

	/*
	 * Only a plain file of one name is written over: not what a symlink
	 * points to, nor a file a hard link shares with another name, nor a
	 * FIFO (O_NONBLOCK: opening one does not wait for a reader).
	 */
	fd = open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_nlink != 1)) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		if (unlink(path) != 0 && errno != ENOENT)
			return status_from_errno(errno);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
		if (fd < 0)
			return status_from_errno(errno);
	}
	/* The umask may have narrowed mode; an older file may have another. */
	rc = fchmod(fd, mode) == 0 ? write(fd, arg) : status_from_errno(errno);
	if (close(fd) != 0 && rc == 0)
		rc = status_from_errno(errno);
	return rc;
}

int
file_exchange(const char *path, const char *other)
{
	if (renameat2(AT_FDCWD, other, AT_FDCWD, path, RENAME_EXCHANGE) == 0)
		return 0;
	/* No file at path yet, or a file system that cannot exchange. */
	if (errno != ENOENT && errno != EINVAL && errno != ENOSYS)
		return status_from_errno(errno);
	return rename(other, path) == 0 ? 0 : status_from_errno(errno);
}

int
file_create_new(const char *path, unsigned mode, file_writer_fn write,
    void *arg)
{
	char tmp[PATH_MAX];
	int rc;

	if ((rc = write_temp(path, mode, write, NULL, arg, tmp,
	    sizeof(tmp))) != 0)
		return rc;
	/* link() never replaces an existing file: that is the O_EXCL of the final name. */
	rc = link(tmp, path) == 0 ? 0 : status_from_errno(errno);
	unlink(tmp);
	if (rc != 0)
		return rc;
	return sync_parent_dir(path);
}

int
file_read_all(const char *path, char **data, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t have = 0;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return status_from_errno(errno);
	if (fstat(fd, &st) != 0) {
		rc = status_from_errno(errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = -EINVAL;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	while (have < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + have, (size_t)st.st_size - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? status_from_errno(errno) : -EIO;
			goto out;
		}
		have += (size_t)n;
	}
	buf[have] = '\0';
	*data = buf;
	*len = have;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return rc;
}

int
file_lock(const char *path, unsigned wait_seconds, int *fd)
{
	struct timespec step = { 0, 100 * 1000 * 1000 };
	unsigned long waited_ms = 0;
	int f = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (f < 0)
		return status_from_errno(errno);
	while (flock(f, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			int rc = status_from_errno(errno);
			close(f);
			return rc;
		}
		if (waited_ms >= (unsigned long)wait_seconds * 1000) {
			close(f);
			return STATUS_LOCKED;
		}
		nanosleep(&step, NULL);
		waited_ms += 100;
	}
	*fd = f;
	return 0;
}

void
file_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

int
file_mkdirs(const char *path, unsigned mode)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return status_from_errno(errno);
		*p = '/';
	}
	if (mkdir(buf, (mode_t)mode) != 0 && errno != EEXIST)
		return status_from_errno(errno);
	return 0;
}

/*
 * In dir, remove NAME.tmp.PID.N files whose NAME starts with prefix ("" for
 * any) and whose process is gone.
 */
static void
clean_temps(const char *dir, const char *prefix)
{
	size_t plen = strlen(prefix);
	char victim[PATH_MAX];
	struct dirent *e;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		const char *t;
		char *end;
		long pid;

		if (strncmp(e->d_name, prefix, plen) != 0 ||
		    (t = strstr(e->d_name + plen, ".tmp.")) == NULL ||
		    (plen > 0 && t != e->d_name + plen))
			continue;
		pid = strtol(t + 5, &end, 10);
		if (end == t + 5 || *end != '.' || pid <= 0)
			continue;
		/* Only what a process that is gone left: never a live writer's file. */
		if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 ||
		    errno != ESRCH)
			continue;
		if (snprintf(victim, sizeof(victim), "%s/%s", dir, e->d_name) <
		    (int)sizeof(victim))
			unlink(victim);
	}
	closedir(dp);
}

void
file_clean_dir_temps(const char *dir)
{
	clean_temps(dir, "");
}

void
file_clean_temps(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	clean_temps(dir, slash ? slash + 1 : path);
}
