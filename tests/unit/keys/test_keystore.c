/* Unit tests for keys/keystore: first keys, loading a folder, imports. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/diag.h"
#include "common/status.h"
#include "keys/dnskey.h"
#include "keys/keystore.h"
#include "keytest.h"
#include "../unit.h"

#define NOW 1795305600  /* 20261122000000 */

/* Files in dir whose names start with prefix. */
static size_t
count_files(const char *dir, const char *prefix)
{
	struct dirent *e;
	size_t n = 0;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return 0;
	while ((e = readdir(dp)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(dp);
	return n;
}

static void
save_new_key(const char *dir, const char *owner, uint8_t alg, uint16_t flags)
{
	struct key *k = NULL;

	ck_assert_int_eq(key_generate(owner, alg, 1024, flags, NOW, &k), 0);
	ck_assert_int_eq(key_save(k, dir, NULL, 0), 0);
	key_free(k);
}

START_TEST(test_keystore_init_creates_ksk_and_zsk)
{
	char *root = kt_subdir(), dir[PATH_MAX], path[PATH_MAX];
	struct keyset *ks = NULL;
	struct diag d;
	struct stat st;

	kt_path(dir, sizeof(dir), root, "keys");
	ck_assert_int_eq(keystore_init_zone(dir, "Example.COM", 13, 0, false,
	    NOW, &ks, &d), 0);
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_uint_eq(ks->count, 2);
	ck_assert_uint_eq(key_flags(ks->keys[0]), 257);
	ck_assert_uint_eq(key_flags(ks->keys[1]), 256);
	ck_assert_uint_ne(key_tag(ks->keys[0]), key_tag(ks->keys[1]));
	for (size_t i = 0; i < ks->count; i++) {
		const struct key *k = ks->keys[i];
		char want[PATH_MAX];

		ck_assert_uint_eq(key_algorithm(k), 13);
		ck_assert_str_eq(key_owner(k), "example.com.");
		kt_fmt(want, sizeof(want), "%s/Kexample.com.+013+%05u", dir,
		    key_tag(k));
		ck_assert_str_eq(key_file_prefix(k), want);
		kt_fmt(path, sizeof(path), "%s.private", want);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_uint_eq(st.st_mode & 0777, 0600);
	}
	ck_assert_uint_eq(count_files(dir, "K"), 4);
	keyset_free(ks);
	keyset_free(NULL);
	kt_rmtree(root);
}
END_TEST

START_TEST(test_keystore_init_creates_one_csk)
{
	char *dir = kt_subdir();
	struct keyset *ks = NULL;
	struct diag d;

	ck_assert_int_eq(keystore_init_zone(dir, "example.com", 15, 0, true,
	    NOW, &ks, &d), 0);
	ck_assert_uint_eq(ks->count, 1);
	ck_assert_uint_eq(key_flags(ks->keys[0]), 257);
	ck_assert_uint_eq(key_algorithm(ks->keys[0]), 15);
	ck_assert_uint_eq(count_files(dir, "K"), 2);
	keyset_free(ks);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_keystore_init_refuses_zone_that_has_keys)
{
	char *dir = kt_subdir();
	struct keyset *ks = NULL, *again = NULL;
	struct diag d;

	ck_assert_int_eq(keystore_init_zone(dir, "example.com.", 13, 0, false,
	    NOW, &ks, &d), 0);
	diag_clear(&d);
	ck_assert_int_eq(keystore_init_zone(dir, "EXAMPLE.com", 15, 0, true,
	    NOW, &again, &d), -EEXIST);
	ck_assert_ptr_null(again);
	ck_assert_str_eq(d.file, dir);
	ck_assert_ptr_nonnull(strstr(d.text, "already"));
	ck_assert_uint_eq(count_files(dir, "K"), 4);
	/* Another zone in the same folder is fine. */
	ck_assert_int_eq(keystore_init_zone(dir, "example.org.", 8, 1024, false,
	    NOW, &again, &d), 0);
	ck_assert_uint_eq(again->count, 2);
	ck_assert_uint_eq(key_bits(again->keys[0]), 1024);
	keyset_free(again);
	keyset_free(ks);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_keystore_load_sorts_by_algorithm_flags_tag)
{
	char *dir = kt_subdir();
	struct keyset *ks = NULL;
	struct diag d;

	save_new_key(dir, "example.com.", 15, 256);
	save_new_key(dir, "example.com.", 13, 256);
	save_new_key(dir, "example.com.", 13, 257);
	save_new_key(dir, "example.com.", 13, 256);
	save_new_key(dir, "example.com.", 8, 257);
	save_new_key(dir, "example.com.", 13, 257);
	ck_assert_int_eq(keystore_load(dir, "example.com.", &ks, &d), 0);
	ck_assert_uint_eq(ks->count, 6);
	for (size_t i = 1; i < ks->count; i++) {
		const struct key *a = ks->keys[i - 1], *b = ks->keys[i];

		ck_assert(key_algorithm(a) <= key_algorithm(b));
		if (key_algorithm(a) != key_algorithm(b))
			continue;
		ck_assert(key_flags(a) >= key_flags(b));
		if (key_flags(a) == key_flags(b))
			ck_assert(key_tag(a) < key_tag(b));
	}
	ck_assert_uint_eq(key_algorithm(ks->keys[0]), 8);
	ck_assert_uint_eq(key_flags(ks->keys[1]), 257);
	ck_assert_uint_eq(key_flags(ks->keys[3]), 256);
	ck_assert_uint_eq(key_algorithm(ks->keys[5]), 15);
	keyset_free(ks);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_keystore_load_takes_only_the_zone_keys)
{
	char *dir = kt_subdir();
	struct keyset *ks = NULL;
	struct diag d;

	save_new_key(dir, "example.com.", 13, 257);
	save_new_key(dir, "example.com.", 13, 256);
	save_new_key(dir, "sub.example.com.", 13, 257);
	save_new_key(dir, "example.org.", 13, 257);
	save_new_key(dir, ".", 13, 257);
	kt_write(dir, "README", "not a key\n", 0644);
	ck_assert_int_eq(keystore_load(dir, "EXAMPLE.com", &ks, &d), 0);
	ck_assert_uint_eq(ks->count, 2);
	for (size_t i = 0; i < ks->count; i++)
		ck_assert_str_eq(key_owner(ks->keys[i]), "example.com.");
	keyset_free(ks);
	ck_assert_int_eq(keystore_load(dir, ".", &ks, &d), 0);
	ck_assert_uint_eq(ks->count, 1);
	ck_assert_str_eq(key_owner(ks->keys[0]), ".");
	keyset_free(ks);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_keystore_load_refuses_folder_writable_by_others)
{
	static const mode_t modes[] = { 0770, 0702, 0777, 0720 };
	char *dir = kt_subdir();
	struct keyset *ks = NULL;
	struct diag d;

	save_new_key(dir, "example.com.", 13, 257);
	ck_assert_int_eq(chmod(dir, modes[_i]), 0);
	ck_assert_int_eq(keystore_load(dir, "example.com.", &ks, &d),
	    STATUS_KEY_UNSAFE);
	ck_assert_ptr_null(ks);
	ck_assert_str_eq(d.file, dir);
	ck_assert_ptr_nonnull(strstr(d.text, "chmod 700"));
	ck_assert_int_eq(keystore_init_zone(dir, "example.org.", 13, 0, false,
	    NOW, &ks, &d), STATUS_KEY_UNSAFE);
	ck_assert_uint_eq(count_files(dir, "Kexample.org"), 0);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_keystore_load_reports_missing_keys)
{
	char *dir = kt_subdir(), path[PATH_MAX];
	struct keyset *ks = NULL;
	struct diag d;

	save_new_key(dir, "example.org.", 13, 257);
	ck_assert_int_eq(keystore_load(dir, "example.com.", &ks, &d),
	    STATUS_KEY_MISSING);
	ck_assert_str_eq(d.file, dir);
	ck_assert_ptr_nonnull(strstr(d.text, "no usable key"));
	kt_path(path, sizeof(path), dir, "absent");
	ck_assert_int_eq(keystore_load(path, "example.com.", &ks, &d),
	    -ENOENT);
	ck_assert_str_eq(d.file, path);
	ck_assert_int_eq(keystore_load(dir, "bad..name", &ks, &d),
	    STATUS_SYNTAX);
	ck_assert_ptr_null(ks);
	kt_rmtree(dir);
}
END_TEST

/* One key of a zone made unusable; the whole load fails, naming the file. */
START_TEST(test_keystore_load_reports_bad_key_files)
{
	char *dir = kt_subdir(), path[PATH_MAX], other[PATH_MAX];
	struct keyset *ks = NULL;
	struct key *k = NULL;
	char prefix[PATH_MAX], text[256], b64[64];
	const uint8_t *rdata;
	size_t rdlen;
	struct diag d;

	save_new_key(dir, "example.com.", 13, 256);
	ck_assert_int_eq(key_generate("example.com.", 15, 0, 257, NOW, &k), 0);
	ck_assert_int_eq(key_save(k, dir, prefix, sizeof(prefix)), 0);
	kt_fmt(path, sizeof(path), "%s.private", prefix);
	switch (_i) {
	case 0:     /* no .private */
		unlink(path);
		ck_assert_int_eq(keystore_load(dir, "example.com", &ks, &d),
		    STATUS_KEY_MISSING);
		ck_assert_str_eq(d.file, path);
		ck_assert_ptr_nonnull(strstr(d.text, "missing"));
		break;
	case 1:     /* .private open to others */
		chmod(path, 0644);
		ck_assert_int_eq(keystore_load(dir, "example.com", &ks, &d),
		    STATUS_KEY_UNSAFE);
		ck_assert_str_eq(d.file, path);
		break;
	case 2:     /* a pair under another key's tag */
		kt_fmt(other, sizeof(other),
		    "%s/Kexample.com.+015+%05u.private", dir,
		    (key_tag(k) + 1) % 65536);
		ck_assert_int_eq(rename(path, other), 0);
		kt_fmt(path, sizeof(path), "%s.key", prefix);
		kt_fmt(other, sizeof(other), "%s/Kexample.com.+015+%05u.key",
		    dir, (key_tag(k) + 1) % 65536);
		ck_assert_int_eq(rename(path, other), 0);
		ck_assert_int_eq(keystore_load(dir, "example.com", &ks, &d),
		    STATUS_KEY_FORMAT);
		ck_assert_str_eq(d.file, other);
		ck_assert_ptr_nonnull(strstr(d.text, "file name says"));
		break;
	case 3:     /* a .key whose owner is another zone */
		rdata = key_dnskey_rdata(k, &rdlen);
		sodium_bin2base64(b64, sizeof(b64), rdata + 4, rdlen - 4,
		    sodium_base64_VARIANT_ORIGINAL);
		kt_fmt(text, sizeof(text),
		    "example.net. IN DNSKEY 257 3 15 %s\n", b64);
		kt_fmt(path, sizeof(path), "%s.key", prefix);
		kt_write(dir, strrchr(path, '/') + 1, text, 0644);
		ck_assert_int_eq(keystore_load(dir, "example.com", &ks, &d),
		    STATUS_KEY_FORMAT);
		ck_assert_str_eq(d.file, path);
		ck_assert_ptr_nonnull(strstr(d.text, "example.net."));
		break;
	}
	ck_assert_ptr_null(ks);
	key_free(k);
	kt_rmtree(dir);
}
END_TEST

START_TEST(test_keystore_import_copies_foreign_keys)
{
	char *src = kt_subdir(), *dst = kt_subdir(), from[PATH_MAX];
	char *paths[10], path[10][PATH_MAX];
	struct keyset *ks = NULL;
	struct dirent *e;
	struct stat st;
	size_t n = 0;
	struct diag d;
	DIR *dp;

	kt_testdata(from, sizeof(from), "keys/bind");
	kt_copy_dir(from, src);
	kt_testdata(from, sizeof(from), "keys/ldns");
	kt_copy_dir(from, src);
	ck_assert_ptr_nonnull(dp = opendir(src));
	/* Name each pair a different way: by .key, by .private, by prefix. */
	while ((e = readdir(dp)) != NULL) {
		size_t len = strlen(e->d_name);

		if (!kt_ends_with(e->d_name, ".key"))
			continue;
		ck_assert_uint_lt(n, 10);
		kt_fmt(path[n], sizeof(path[n]), "%s/%.*s%s", src,
		    (int)(len - 4), e->d_name,
		    n % 3 == 0 ? ".key" : n % 3 == 1 ? ".private" : "");
		paths[n] = path[n];
		n++;
	}
	closedir(dp);
	ck_assert_uint_eq(n, 10);
	rmdir(dst);     /* import creates the folder */
	ck_assert_int_eq(keystore_import(dst, "example.com", paths, n, &d), 0);
	ck_assert_int_eq(stat(dst, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	ck_assert_int_eq(keystore_load(dst, "example.com.", &ks, &d), 0);
	ck_assert_uint_eq(ks->count, 10);
	for (size_t i = 0; i < ks->count; i++) {
		char name[PATH_MAX];
		const char *prefix = key_file_prefix(ks->keys[i]);
		const char *base = strrchr(prefix, '/') + 1;

		/* Same names as the tools chose: BIND's naming is ours. */
		kt_fmt(name, sizeof(name), "%s/%s.key", src, base);
		ck_assert_int_eq(access(name, F_OK), 0);
		kt_fmt(name, sizeof(name), "%s.private",
		    key_file_prefix(ks->keys[i]));
		ck_assert_int_eq(stat(name, &st), 0);
		ck_assert_uint_eq(st.st_mode & 0777, 0600);
	}
	keyset_free(ks);
	/* A second import of the same keys finds them there already. */
	ck_assert_int_eq(keystore_import(dst, "example.com", paths, 1, &d),
	    -EEXIST);
	ck_assert_ptr_nonnull(strstr(d.text, "already"));
	kt_rmtree(src);
	kt_rmtree(dst);
}
END_TEST

START_TEST(test_keystore_import_is_all_or_nothing)
{
	char *src = kt_subdir(), *dst = kt_subdir();
	char good[PATH_MAX], missing[PATH_MAX], *paths[2];
	struct key *k = NULL;
	char prefix[PATH_MAX];
	struct diag d;

	ck_assert_int_eq(key_generate("example.com.", 13, 0, 257, NOW, &k), 0);
	ck_assert_int_eq(key_save(k, src, prefix, sizeof(prefix)), 0);
	kt_fmt(good, sizeof(good), "%s.key", prefix);
	kt_path(missing, sizeof(missing), src, "Kexample.com.+013+00001.key");
	paths[0] = good;
	paths[1] = missing;
	ck_assert_int_eq(keystore_import(dst, "example.com.", paths, 2, &d),
	    -ENOENT);
	ck_assert_ptr_nonnull(strstr(d.file, "Kexample.com.+013+00001"));
	ck_assert_uint_eq(count_files(dst, "K"), 0);
	/* A key of another zone is refused, and nothing is written. */
	ck_assert_int_eq(keystore_import(dst, "example.org.", paths, 1, &d),
	    STATUS_KEY_FORMAT);
	ck_assert_str_eq(d.file, good);
	ck_assert_ptr_nonnull(strstr(d.text, "not to the zone example.org."));
	ck_assert_uint_eq(count_files(dst, "K"), 0);
	ck_assert_int_eq(keystore_import(dst, "example.com.", paths, 0, &d),
	    STATUS_INVAL);
	key_free(k);
	kt_rmtree(src);
	kt_rmtree(dst);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("keystore");
	TCase *tc = tcase_create("core");

	tcase_add_unchecked_fixture(tc, kt_root_setup, kt_root_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_keystore_init_creates_ksk_and_zsk);
	tcase_add_test(tc, test_keystore_init_creates_one_csk);
	tcase_add_test(tc, test_keystore_init_refuses_zone_that_has_keys);
	tcase_add_test(tc, test_keystore_load_sorts_by_algorithm_flags_tag);
	tcase_add_test(tc, test_keystore_load_takes_only_the_zone_keys);
	tcase_add_loop_test(tc,
	    test_keystore_load_refuses_folder_writable_by_others, 0, 4);
	tcase_add_test(tc, test_keystore_load_reports_missing_keys);
	tcase_add_loop_test(tc, test_keystore_load_reports_bad_key_files, 0, 4);
	tcase_add_test(tc, test_keystore_import_copies_foreign_keys);
	tcase_add_test(tc, test_keystore_import_is_all_or_nothing);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
