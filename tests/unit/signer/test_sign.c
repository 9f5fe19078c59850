/* Unit tests for signer/sign: zones large enough for the signer's fast paths. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "keys/keystore.h"
#include "../keys/keytest.h"
#include "signer/signer.h"
#include "zones/zone.h"
#include "../unit.h"

#define NOW 1795305600   /* 20261122000000 */

static char *dir;
static struct keyset *keys;

static void
setup(void)
{
	keys = kt_golden_keyset(&dir);
}

static void
teardown(void)
{
	keyset_free(keys);
	kt_rmtree(dir);
}

/*
 * 6000 names in shuffled order (hosts, delegations with DS, names under
 * empty non-terminals): more than the keyed sort and the NSEC3 hash
 * buckets need to be used. The signed zone must check in full: every
 * NSEC3 owner and next hash in order, every signature good.
 */
START_TEST(test_sign_large_shuffled_zone_checks_in_full)
{
	enum { NAMES = 6000 };
	static const char head[] = "$ORIGIN example.com.\n$TTL 3600\n"
	    "@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
	    "@ NS ns1\nns1 A 192.0.2.1\n";
	char (*lines)[128] = calloc(NAMES, sizeof(*lines));
	char *text = malloc(sizeof(head) + NAMES * 128), path[PATH_MAX];
	unsigned seed = 20261129;
	size_t len, checked = 0, count;
	struct zone *z = NULL;
	struct sign_policy p;
	struct sign_stats st;
	struct diag d;

	ck_assert_ptr_nonnull(lines);
	ck_assert_ptr_nonnull(text);
	for (unsigned i = 0; i < NAMES; i++) {
		if (i % 3 == 0)
			snprintf(lines[i], 128, "Host%u A 192.0.2.%u\n", i, i % 250);
		else if (i % 3 == 1)
			snprintf(lines[i], 128, "d%u NS ns.other.\nd%u DS %u 13 2 "
			    "%064u\n", i, i, i, i);
		else
			snprintf(lines[i], 128, "x.ent%u.deep TXT \"%u\"\n", i, i);
	}
	for (unsigned i = NAMES - 1; i > 0; i--) {
		unsigned j = (unsigned)rand_r(&seed) % (i + 1);
		char t[128];
		memcpy(t, lines[i], 128);
		memcpy(lines[i], lines[j], 128);
		memcpy(lines[j], t, 128);
	}
	len = (size_t)snprintf(text, sizeof(head), "%s", head);
	for (unsigned i = 0; i < NAMES; i++)
		len += (size_t)snprintf(text + len, 128, "%s", lines[i]);
	kt_write(dir, "large.zone", text, 0644);
	kt_path(path, sizeof(path), dir, "large.zone");
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	sign_policy_init(&p);
	ck_assert_int_eq(signer_sign_zone(z, keys, &p, NOW, NULL, &st, &d), 0);
	ck_assert_int_eq(signer_verify_zone(z, NOW, 2, false, &checked, &d), 0);
	zone_records(z, &count);
	ck_assert_uint_gt(count, 4 * NAMES);
	ck_assert_uint_ge(checked, st.signatures_made);
	zone_free(z);
	free(lines);
	free(text);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sign");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_sign_large_shuffled_zone_checks_in_full);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
