/* Unit tests for common/fileio: files replaced whole or not at all, large ones too. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/status.h"
#include "../unit.h"

/* A large file written slowly: the writeback helper runs several rounds meanwhile. */
#define BIG_CHUNK (64u << 10)
#define BIG_CHUNKS 256u            /* 16 MB */

struct big {
	unsigned fail_after;       /* chunks; 0: none */
};

static unsigned char
big_byte(size_t at)
{
	return (unsigned char)((at * 2654435761u) >> 13);
}

static int
write_big(FILE *out, void *arg)
{
	const struct big *b = arg;
	static unsigned char chunk[BIG_CHUNK];

	for (unsigned c = 0; c < BIG_CHUNKS; c++) {
		if (b->fail_after != 0 && c == b->fail_after)
			return STATUS_SYNTAX;
		for (size_t i = 0; i < BIG_CHUNK; i++)
			chunk[i] = big_byte((size_t)c * BIG_CHUNK + i);
		if (fwrite(chunk, 1, BIG_CHUNK, out) != BIG_CHUNK)
			return -EIO;
		/* Half the chunks go past stdio, as the zone writer's copies do. */
		if (c % 2 == 1 && fflush(out) != 0)
			return -EIO;
		if (c % 32 == 31)
			nanosleep(&(struct timespec){ 0, 15 * 1000000L }, NULL);
	}
	return 0;
}

static int
write_text(FILE *out, void *arg)
{
	return fputs(arg, out) >= 0 ? 0 : -EIO;
}

/* Files in the test's folder other than . and .. */
static unsigned
files_in_dir(void)
{
	DIR *d = opendir(unit_dir);
	struct dirent *e;
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* path holds write_big's bytes, with mode, and is the folder's only file. */
static void
big_file_alone(const char *path, unsigned mode)
{
	struct stat st;
	char *data = NULL;
	size_t len = 0;

	ck_assert_int_eq(file_read_all(path, &data, &len), 0);
	ck_assert_uint_eq(len, (size_t)BIG_CHUNKS * BIG_CHUNK);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)data[i] != big_byte(i))
			ck_abort_msg("byte %zu differs", i);
	free(data);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, mode);
	ck_assert_uint_eq(files_in_dir(), 1);
}

START_TEST(test_replace_large_file_whole)
{
	char path[300];
	struct big b = { 0 };

	snprintf(path, sizeof(path), "%s/zone.signed", unit_dir);
	ck_assert_int_eq(file_replace(path, 0640, write_text, "old\n"), 0);
	ck_assert_int_eq(file_replace(path, 0644, write_big, &b), 0);
	/* No temporary file is left beside it. */
	big_file_alone(path, 0644);
}
END_TEST

START_TEST(test_replace_failing_writer_keeps_old_file)
{
	char path[300];
	struct big b = { .fail_after = BIG_CHUNKS / 2 };
	char *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/zone.signed", unit_dir);
	ck_assert_int_eq(file_replace(path, 0644, write_text, "old\n"), 0);
	ck_assert_int_eq(file_replace(path, 0644, write_big, &b), STATUS_SYNTAX);
	ck_assert_int_eq(file_read_all(path, &data, &len), 0);
	ck_assert_str_eq(data, "old\n");
	free(data);
	ck_assert_uint_eq(files_in_dir(), 1);
}
END_TEST

/* What settle_seen saw: its calls, the rc it got, and the files then. */
struct settle_probe {
	const char *path;
	const char *text;          /* what write_probe writes; NULL: it fails */
	int answer;                /* what settle returns */
	unsigned calls;
	int rc;
	char *old, *temp;          /* path's content, the temporary file's */
};

/* The one temporary file beside probe->path, whole. */
static char *
read_temp(const struct settle_probe *probe)
{
	DIR *d = opendir(unit_dir);
	struct dirent *e;
	char tmp[600], *data = NULL;
	size_t len = 0, n = 0;
	const char *base = strrchr(probe->path, '/') + 1;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, base, strlen(base)) != 0 ||
		    strncmp(e->d_name + strlen(base), ".tmp.", 5) != 0)
			continue;
		snprintf(tmp, sizeof(tmp), "%s/%s", unit_dir, e->d_name);
		ck_assert_int_eq(file_read_all(tmp, &data, &len), 0);
		n++;
	}
	closedir(d);
	ck_assert_uint_eq(n, 1);
	return data;
}

static int
write_probe(FILE *out, void *arg)
{
	const struct settle_probe *probe = arg;

	if (probe->text == NULL)
		return STATUS_SYNTAX;
	return fputs(probe->text, out) >= 0 ? 0 : -EIO;
}

static int
settle_seen(void *arg, int rc)
{
	struct settle_probe *probe = arg;
	size_t len;

	probe->calls++;
	probe->rc = rc;
	ck_assert_int_eq(file_read_all(probe->path, &probe->old, &len), 0);
	probe->temp = read_temp(probe);
	return probe->answer;
}

/*
 * One file_replace_settled over a file holding "old\n": it returns want,
 * settle was asked once, with the new content on disk beside the old
 * file, and the file then holds after, alone in its folder.
 */
static void
settle_once(struct settle_probe *probe, int want, const char *after)
{
	char *data = NULL;
	size_t len;

	probe->calls = 0;
	ck_assert_int_eq(file_replace_settled(probe->path, 0644, write_probe,
	    settle_seen, probe), want);
	ck_assert_uint_eq(probe->calls, 1);
	ck_assert_int_eq(probe->rc, 0);
	ck_assert_str_eq(probe->old, "old\n");
	ck_assert_str_eq(probe->temp, probe->text);
	free(probe->old);
	free(probe->temp);
	ck_assert_int_eq(file_read_all(probe->path, &data, &len), 0);
	ck_assert_str_eq(data, after);
	free(data);
	ck_assert_uint_eq(files_in_dir(), 1);
}

/*
 * settle decides after the new content is flushed and synced, before it
 * takes the old file's place; it is called once when the writer
 * succeeded, never when it failed.
 */
START_TEST(test_replace_settled_decides_last)
{
	char path[300];
	struct settle_probe probe = { .path = path, .text = "new\n" };

	snprintf(path, sizeof(path), "%s/zone.signed", unit_dir);
	ck_assert_int_eq(file_replace(path, 0644, write_text, "old\n"), 0);
	/* Refused: the old file stays, and nothing is left beside it. */
	probe.answer = STATUS_BAD_SIGNATURE;
	settle_once(&probe, STATUS_BAD_SIGNATURE, "old\n");
	/* A failing writer: settle is not asked. */
	probe.calls = 0;
	probe.text = NULL;
	ck_assert_int_eq(file_replace_settled(path, 0644, write_probe,
	    settle_seen, &probe), STATUS_SYNTAX);
	ck_assert_uint_eq(probe.calls, 0);
	ck_assert_uint_eq(files_in_dir(), 1);
	/* Agreed: the new content takes the old file's place. */
	probe.answer = 0;
	probe.text = "new\n";
	settle_once(&probe, 0, "new\n");
}
END_TEST

/* Writes arg's text from offset 0 and cuts the file there, as zone_image_write does. */
static int
write_fd_text(int fd, void *arg)
{
	size_t n = strlen(arg);

	if (pwrite(fd, arg, n, 0) != (ssize_t)n || ftruncate(fd, (off_t)n) != 0)
		return -EIO;
	return 0;
}

static int
write_fd_failing(int fd, void *arg)
{
	(void)arg;
	return pwrite(fd, "x", 1, 0) == 1 ? STATUS_SYNTAX : -EIO;
}

static void
text_is(const char *path, const char *want)
{
	char *data = NULL;
	size_t len = 0;

	ck_assert_int_eq(file_read_all(path, &data, &len), 0);
	ck_assert_str_eq(data, want);
	free(data);
}

static ino_t
inode_of(const char *path)
{
	struct stat st;

	ck_assert_int_eq(lstat(path, &st), 0);
	return st.st_ino;
}

/*
 * A file written over in place keeps its inode (its disk blocks serve
 * again); never through a symlink, nor into a file another name shares.
 */
START_TEST(test_overwrite_in_place)
{
	char path[300], other[300], target[300];
	struct stat st;
	ino_t ino;

	snprintf(path, sizeof(path), "%s/zone.signed.zwcache.spare", unit_dir);
	snprintf(other, sizeof(other), "%s/backup", unit_dir);
	snprintf(target, sizeof(target), "%s/target", unit_dir);
	ck_assert_int_eq(file_overwrite(path, 0640, write_fd_text,
	    "a first, longer content\n"), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0640);
	ino = inode_of(path);
	ck_assert_int_eq(file_overwrite(path, 0644, write_fd_text,
	    "shorter\n"), 0);
	text_is(path, "shorter\n");
	ck_assert_uint_eq(inode_of(path), ino);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0644);
	ck_assert_uint_eq(files_in_dir(), 1);

	/* A hard link's other name keeps what it had. */
	ck_assert_int_eq(link(path, other), 0);
	ck_assert_int_eq(file_overwrite(path, 0644, write_fd_text, "third\n"),
	    0);
	text_is(path, "third\n");
	text_is(other, "shorter\n");
	ck_assert_uint_ne(inode_of(path), ino);

	/* A symlink is replaced by a file; what it pointed to stays. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink(other, path), 0);
	ck_assert_int_eq(file_overwrite(path, 0644, write_fd_text, "fourth\n"),
	    0);
	text_is(path, "fourth\n");
	text_is(other, "shorter\n");
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert(S_ISREG(st.st_mode));

	/* A FIFO too, without waiting for a reader. */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(file_overwrite(path, 0644, write_fd_text, "fifth\n"),
	    0);
	text_is(path, "fifth\n");

	/* A failing writer's status comes back. */
	ck_assert_int_eq(file_overwrite(target, 0644, write_fd_failing, NULL),
	    STATUS_SYNTAX);
}
END_TEST

/* Names traded at once; the file leaving a name stays whole for its readers. */
START_TEST(test_exchange_trades_names)
{
	char path[300], spare[300], missing[300];
	char buf[16] = { 0 };
	int fd;

	snprintf(path, sizeof(path), "%s/zone.signed.zwcache", unit_dir);
	snprintf(spare, sizeof(spare), "%s/zone.signed.zwcache.spare", unit_dir);
	snprintf(missing, sizeof(missing), "%s/other.zwcache", unit_dir);
	ck_assert_int_eq(file_overwrite(path, 0644, write_fd_text, "old\n"), 0);
	ck_assert_int_eq(file_overwrite(spare, 0644, write_fd_text, "new\n"), 0);
	fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(file_exchange(path, spare), 0);
	text_is(path, "new\n");
	text_is(spare, "old\n");
	ck_assert_int_eq(pread(fd, buf, sizeof(buf) - 1, 0), 4);
	ck_assert_str_eq(buf, "old\n");
	close(fd);

	/* Nothing at path: the other file is renamed there. */
	ck_assert_int_eq(file_exchange(missing, spare), 0);
	text_is(missing, "old\n");
	ck_assert_int_eq(access(spare, F_OK), -1);
	ck_assert_uint_eq(files_in_dir(), 2);
	/* Neither there: an error, nothing made. */
	ck_assert_int_eq(file_exchange(spare, spare), -ENOENT);
	ck_assert_uint_eq(files_in_dir(), 2);
}
END_TEST

START_TEST(test_create_new_never_replaces)
{
	char path[300];
	char *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/key.private", unit_dir);
	ck_assert_int_eq(file_create_new(path, 0600, write_text, "first\n"), 0);
	ck_assert_int_eq(file_create_new(path, 0600, write_text, "second\n"),
	    -EEXIST);
	ck_assert_int_eq(file_read_all(path, &data, &len), 0);
	ck_assert_str_eq(data, "first\n");
	free(data);
	ck_assert_uint_eq(files_in_dir(), 1);
}
END_TEST

/* Bytes from an offset, all of them; a file that ends first gives -EIO. */
START_TEST(test_read_at_reads_exactly)
{
	const char *path = unit_write("read-at", "0123456789");
	char buf[8] = { 0 };
	int fd = open(path, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(file_read_at(fd, buf, 4, 3), 0);
	ck_assert_mem_eq(buf, "3456", 4);
	ck_assert_int_eq(file_read_at(fd, buf, 0, 10), 0);
	ck_assert_int_eq(file_read_at(fd, buf, 4, 8), -EIO);
	ck_assert_int_eq(file_read_at(fd, buf, 1, 10), -EIO);
	close(fd);
	ck_assert_int_lt(file_read_at(fd, buf, 1, 0), 0);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("fileio");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_test(tc, test_replace_large_file_whole);
	tcase_add_test(tc, test_replace_failing_writer_keeps_old_file);
	tcase_add_test(tc, test_replace_settled_decides_last);
	tcase_add_test(tc, test_overwrite_in_place);
	tcase_add_test(tc, test_exchange_trades_names);
	tcase_add_test(tc, test_create_new_never_replaces);
	tcase_add_test(tc, test_read_at_reads_exactly);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
