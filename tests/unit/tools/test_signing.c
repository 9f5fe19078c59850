/* Unit tests for tools/signing: the digest of the input zone, taken once and reused only while the file is unchanged. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "tools/signing.h"
#include "../unit.h"

/* Does m hold the digest of text? */
static bool
digest_is(const struct signing_manifest *m, const char *text)
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits(text, strlen(text)));
	return memcmp(m->input, c.digest, ZONE_DIGEST_LEN) == 0;
}

START_TEST(test_input_digest_of_the_file_as_it_is)
{
	static const char one[] = "@ 3600 IN SOA ns hm 1 3600 900 604800 300\n";
	static const char two[] = "@ 3600 IN SOA ns hm 2 3600 900 604800 300\n"
	    "@ 3600 IN NS ns\n";
	struct signing_manifest m = { 0 };
	const char *path = unit_write("zone", one);
	struct stat before;

	/* The first digest (the up-to-date check's), then the loader's with the file unchanged. */
	ck_assert_int_eq(signing_input_digest(path, NULL, &m), 0);
	ck_assert(m.input_known);
	ck_assert(digest_is(&m, one));
	ck_assert_int_eq(stat(path, &before), 0);
	ck_assert_int_eq(signing_input_digest(path, &before, &m), 0);
	ck_assert(m.input_known);
	ck_assert(digest_is(&m, one));
	/* Changed after the first digest: read again, not the first one reused. */
	path = unit_write("zone", two);
	ck_assert_int_eq(stat(path, &before), 0);
	ck_assert_int_eq(signing_input_digest(path, &before, &m), 0);
	ck_assert(m.input_known);
	ck_assert(digest_is(&m, two));
	/* Changed again after before was taken (while it was read): not known. */
	ck_assert_int_eq(stat(path, &before), 0);
	path = unit_write("zone", one);
	ck_assert_int_eq(signing_input_digest(path, &before, &m), 0);
	ck_assert(!m.input_known);
	/* A file with an $INCLUDE names bytes it does not hold: not known either. */
	path = unit_write("zone", "$include other\n");
	ck_assert_int_eq(signing_input_digest(path, NULL, &m), 0);
	ck_assert(!m.input_known);
}
END_TEST

/*
 * A file of several read steps (1 MiB each): the digest of all of it, and
 * an $INCLUDE found wherever it falls across two steps, or at the end.
 */
START_TEST(test_input_digest_across_steps)
{
	size_t step = 1u << 20, len = 2 * step + 100;
	char *text = malloc(len + 1);
	struct signing_manifest m = { 0 };
	const char *path;

	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < len; i++)
		text[i] = i % 64 == 63 ? '\n' : i % 64 == 0 ? ';' : 'x';
	text[len] = '\0';
	path = unit_write("zone", text);
	ck_assert_int_eq(signing_input_digest(path, NULL, &m), 0);
	ck_assert(m.input_known);
	ck_assert(digest_is(&m, text));
	/* "$INCLUDE" beginning 1 to 8 octets before the second step. */
	for (size_t before = 1; before <= 8; before++) {
		char *copy = strdup(text);

		ck_assert_ptr_nonnull(copy);
		memcpy(copy + 2 * step - before - 1, "\n$include other\n", 16);
		path = unit_write("zone", copy);
		ck_assert_int_eq(signing_input_digest(path, NULL, &m), 0);
		ck_assert_msg(!m.input_known, "$INCLUDE %zu octets before a step",
		    before);
		ck_assert(digest_is(&m, copy));
		free(copy);
	}
	/* The file's last octets: "$INCLUDE" is one, "$INCLUD" is not. */
	memcpy(text + len - 9, "\n$INCLUDE", 9);
	path = unit_write("zone", text);
	ck_assert_int_eq(signing_input_digest(path, NULL, &m), 0);
	ck_assert(!m.input_known);
	text[len - 1] = '\0';
	path = unit_write("zone", text);
	ck_assert_int_eq(signing_input_digest(path, NULL, &m), 0);
	ck_assert(m.input_known);
	ck_assert(digest_is(&m, text));
	free(text);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("signing");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_test(tc, test_input_digest_of_the_file_as_it_is);
	tcase_add_test(tc, test_input_digest_across_steps);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
