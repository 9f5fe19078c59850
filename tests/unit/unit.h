/* Shared by the unit suites: a temporary folder per test, and running a suite. */
#ifndef ZW_UNIT_H
#define ZW_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A temporary folder per test (unit_tmp_setup/teardown as a checked fixture). */
static char unit_dir[64];

static inline void
unit_tmp_setup(void)
{
	strcpy(unit_dir, "/tmp/zw-unit.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(unit_dir));
}

static inline void
unit_tmp_teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", unit_dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Write text to name in the test's folder; the path stays valid until the next call. */
static inline const char *
unit_write(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", unit_dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static inline int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
