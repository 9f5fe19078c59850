/* Unit tests for common/fileio: files replaced whole or not at all, large ones too. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
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

/* Without the disk, still whole or not at all: the old file until the rename. */
START_TEST(test_replace_unsynced_whole_or_not_at_all)
{
	char path[300];
	struct big b = { 0 }, failing = { .fail_after = BIG_CHUNKS / 2 };
	char *data = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/zone.signed.zwcache", unit_dir);
	ck_assert_int_eq(file_replace_unsynced(path, 0644, write_text, "old\n"),
	    0);
	ck_assert_int_eq(file_replace_unsynced(path, 0644, write_big, &failing),
	    STATUS_SYNTAX);
	ck_assert_int_eq(file_read_all(path, &data, &len), 0);
	ck_assert_str_eq(data, "old\n");
	free(data);
	ck_assert_uint_eq(files_in_dir(), 1);
	ck_assert_int_eq(file_replace_unsynced(path, 0640, write_big, &b), 0);
	big_file_alone(path, 0640);
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

int
main(void)
{
	Suite *s = suite_create("fileio");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_test(tc, test_replace_large_file_whole);
	tcase_add_test(tc, test_replace_failing_writer_keeps_old_file);
	tcase_add_test(tc, test_replace_unsynced_whole_or_not_at_all);
	tcase_add_test(tc, test_create_new_never_replaces);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
