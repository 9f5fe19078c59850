/* Unit tests for signer/plan: what makes a zone due for signing, and what does not. */
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
#define ZONE_TEXT(serial, www) \
	"$ORIGIN example.com.\n$TTL 3600\n" \
	"@ SOA ns1 hostmaster " serial " 7200 3600 1209600 300\n" \
	"@ NS ns1\nns1 A 192.0.2.1\nwww A " www "\n" \
	"sub NS ns.sub\nns.sub A 192.0.2.9\n"

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

static struct zone *
load(const char *text)
{
	char path[PATH_MAX];
	struct zone *z = NULL;
	struct diag d;

	kt_write(dir, "z.zone", text, 0644);
	kt_path(path, sizeof(path), dir, "z.zone");
	ck_assert_int_eq(zone_load(path, "example.com.", 3600, &z, &d), 0);
	return z;
}

/* The input signed at NOW under p: what a previous run published. */
static struct zone *
published(const char *text, const struct sign_policy *p)
{
	struct zone *z = load(text);
	struct sign_stats st;
	struct diag d;

	ck_assert_int_eq(signer_sign_zone(z, keys, p, NOW, NULL, &st, &d), 0);
	return z;
}

START_TEST(test_plan_first_and_nothing_due)
{
	struct sign_policy p;
	struct sign_plan plan;
	sign_policy_init(&p);
	struct zone *in = load(ZONE_TEXT("2026112201", "192.0.2.80"));
	struct zone *prev = published(ZONE_TEXT("2026112201", "192.0.2.80"), &p);

	signer_plan(in, NULL, keys, &p, NOW, &plan);
	ck_assert_int_eq(plan.reason, SIGN_FIRST);
	signer_plan(in, prev, keys, &p, NOW + 3600, &plan);
	ck_assert_int_eq(plan.reason, SIGN_NOTHING_DUE);
	/* Expirations: now + 14d less up to 1.4d of jitter; re-sign from 5d before. */
	ck_assert_int_le(plan.earliest_expiration, NOW + 14 * 86400);
	ck_assert_int_ge(plan.earliest_expiration, NOW + 14 * 86400 - 14 * 8640);
	ck_assert_int_eq(plan.next_due, plan.earliest_expiration - 5 * 86400);
	ck_assert_int_eq(signer_earliest_expiration(prev, NOW),
	    plan.earliest_expiration);
	/* One second before the refresh point: nothing; at it: refresh. */
	signer_plan(in, prev, keys, &p, plan.next_due - 1, &plan);
	ck_assert_int_eq(plan.reason, SIGN_NOTHING_DUE);
	signer_plan(in, prev, keys, &p, plan.next_due, &plan);
	ck_assert_int_eq(plan.reason, SIGN_REFRESH);
	/* Signatures from the future (a clock set back): sign again. */
	signer_plan(in, prev, keys, &p, NOW - 7200, &plan);
	ck_assert_int_eq(plan.reason, SIGN_REFRESH);
	zone_free(in);
	zone_free(prev);
}
END_TEST

START_TEST(test_plan_sees_data_and_serial_changes)
{
	struct sign_policy p;
	struct sign_plan plan;
	sign_policy_init(&p);
	struct zone *prev = published(ZONE_TEXT("2026112201", "192.0.2.80"), &p);
	struct zone *in;

	in = load(ZONE_TEXT("2026112201", "192.0.2.81"));
	signer_plan(in, prev, keys, &p, NOW, &plan);
	ck_assert_int_eq(plan.reason, SIGN_INPUT_CHANGED);
	ck_assert_str_eq(plan.detail, "www.example.com. A changed");
	zone_free(in);
	in = load(ZONE_TEXT("2026112201", "192.0.2.80") "new TXT \"x\"\n");
	signer_plan(in, prev, keys, &p, NOW, &plan);
	ck_assert_int_eq(plan.reason, SIGN_INPUT_CHANGED);
	ck_assert_str_eq(plan.detail, "new.example.com. TXT added");
	zone_free(in);
	/* The published serial (moved on by the signer) is not the input's: no change. */
	in = load(ZONE_TEXT("2026112201", "192.0.2.80"));
	ck_assert_uint_ne(zone_serial(in), zone_serial(prev));
	signer_plan(in, prev, keys, &p, NOW, &plan);
	ck_assert_int_eq(plan.reason, SIGN_NOTHING_DUE);
	zone_free(in);
	/* An input serial ahead of the published one is a new version. */
	in = load(ZONE_TEXT("2026112299", "192.0.2.80"));
	signer_plan(in, prev, keys, &p, NOW, &plan);
	ck_assert_int_eq(plan.reason, SIGN_INPUT_CHANGED);
	ck_assert_ptr_nonnull(strstr(plan.detail, "serial 2026112299"));
	zone_free(in);
	zone_free(prev);
}
END_TEST

START_TEST(test_plan_sees_key_and_denial_changes)
{
	struct sign_policy p, other;
	struct sign_plan plan;
	sign_policy_init(&p);
	struct zone *in = load(ZONE_TEXT("2026112201", "192.0.2.80"));
	struct zone *prev = published(ZONE_TEXT("2026112201", "192.0.2.80"), &p);
	struct keyset fewer = { keys->keys, keys->count - 1 };

	signer_plan(in, prev, &fewer, &p, NOW, &plan);
	ck_assert_int_eq(plan.reason, SIGN_KEYS_CHANGED);
	other = p;
	other.denial = DENIAL_NSEC;
	signer_plan(in, prev, keys, &other, NOW, &plan);
	ck_assert_int_eq(plan.reason, SIGN_POLICY_CHANGED);
	other = p;
	other.opt_out = true;
	signer_plan(in, prev, keys, &other, NOW, &plan);
	ck_assert_int_eq(plan.reason, SIGN_POLICY_CHANGED);
	other = p;
	other.nsec3_iterations = 1;
	signer_plan(in, prev, keys, &other, NOW, &plan);
	ck_assert_int_eq(plan.reason, SIGN_POLICY_CHANGED);
	zone_free(prev);
	/* And back: an NSEC zone planned for NSEC3. */
	prev = published(ZONE_TEXT("2026112201", "192.0.2.80"), &(struct sign_policy){
	    .denial = DENIAL_NSEC, .validity = 14 * 86400, .backdate = 3600,
	    .refresh = 5 * 86400, .serial = SERIAL_UNIXTIME });
	signer_plan(in, prev, keys, &p, NOW, &plan);
	ck_assert_int_eq(plan.reason, SIGN_POLICY_CHANGED);
	ck_assert_str_eq(plan.detail, "published with NSEC, configured NSEC3");
	zone_free(in);
	zone_free(prev);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("plan");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_plan_first_and_nothing_due);
	tcase_add_test(tc, test_plan_sees_data_and_serial_changes);
	tcase_add_test(tc, test_plan_sees_key_and_denial_changes);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
