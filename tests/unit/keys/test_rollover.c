/* Unit tests for keys/rollover: key state files, and the ZSK pre-publication timeline. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/status.h"
#include "keys/dnskey.h"
#include "keys/keystore.h"
#include "keys/rollover.h"
#include "keytest.h"
#include "../unit.h"

#define T0 1795305600   /* 20261122000000 */
#define HOUR 3600

static char *dir;

static void
setup(void)
{
	char from[PATH_MAX];

	dir = kt_tmpdir();
	kt_testdata(from, sizeof(from), "golden/keys");
	kt_copy_dir(from, dir);
	chmod(dir, 0700);
}

static void
teardown(void)
{
	kt_rmtree(dir);
}

static const struct rollover_policy policy = {
	.zsk_lifetime = 30 * 86400, .propagation_delay = HOUR,
	.dnskey_ttl = HOUR, .max_ttl = HOUR,
};

static struct keyset *
load(struct key_state **st)
{
	struct keyset *ks = NULL;
	struct diag d;

	ck_assert_int_eq(keystore_load(dir, "example.com", &ks, &d), 0);
	diag_clear(&d);
	ck_assert_msg(rollover_load(dir, ks, st, &d) == 0, "%s", d.text);
	return ks;
}

static size_t
find_role(const struct keyset *ks, const struct key_state *st, const char *state,
    int64_t now)
{
	for (size_t i = 0; i < ks->count; i++)
		if (st[i].role == ROLE_ZSK &&
		    strcmp(key_state_name(&st[i], now), state) == 0)
			return i;
	return (size_t)-1;
}

START_TEST(test_rollover_zsk_prepublication_timeline)
{
	struct key_state *st;
	struct keyset *ks = load(&st);
	struct diag d;
	bool changed;
	int64_t t = T0;
	uint16_t old_tag, new_tag;

	/* Keys from before the timeline: in use, roles from the flags. */
	ck_assert_uint_eq(ks->count, 2);
	size_t z = find_role(ks, st, "active", t);
	ck_assert_uint_ne(z, (size_t)-1);
	old_tag = key_tag(ks->keys[z]);
	/* First advance: the lifetime starts now, nothing new. */
	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &policy, FORCE_NONE, t, &changed, &d), 0);
	ck_assert_uint_eq(ks->count, 2);
	/* 30 days less the publication wait (2h): the successor appears, published, not signing. */
	t = T0 + 30 * 86400 - 2 * HOUR;
	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &policy, FORCE_NONE, t, &changed, &d), 0);
	ck_assert(changed);
	ck_assert_uint_eq(ks->count, 3);
	ck_assert(key_is_published(ks->keys[2]) && !key_is_signing(ks->keys[2]));
	new_tag = key_tag(ks->keys[2]);
	ck_assert_uint_ne(new_tag, old_tag);
	/* One second before its DNSKEY can be in every cache: still the old ZSK signs. */
	t += 2 * HOUR - 1;
	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &policy, FORCE_NONE, t, &changed, &d), 0);
	ck_assert(!key_is_signing(ks->keys[2]) && key_is_signing(ks->keys[z]));
	t += 1;
	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &policy, FORCE_NONE, t, &changed, &d), 0);
	ck_assert(key_is_signing(ks->keys[2]));
	ck_assert(!key_is_signing(ks->keys[z]) && key_is_published(ks->keys[z]));
	/* Its signatures out of every cache (Dprp + TTLsig): the old ZSK leaves. */
	t += 2 * HOUR;
	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &policy, FORCE_NONE, t, &changed, &d), 0);
	ck_assert(!key_is_published(ks->keys[z]));
	ck_assert_str_eq(key_state_name(&st[z], t), "removed");
	free(st);
	keyset_free(ks);

	/* The states were saved: a fresh load sees the same. */
	ks = load(&st);
	ck_assert_uint_eq(ks->count, 3);
	rollover_apply(ks, st, &policy, t);
	for (size_t i = 0; i < ks->count; i++)
		if (key_tag(ks->keys[i]) == old_tag)
			ck_assert(!key_is_published(ks->keys[i]));
		else if (key_tag(ks->keys[i]) == new_tag)
			ck_assert(key_is_signing(ks->keys[i]));
	free(st);
	keyset_free(ks);
}
END_TEST

/*
 * A CSK roll (keys roll --csk): the successor signs the key RRsets only
 * until its DNSKEY can be in every cache, then the data, while the old one
 * keeps signing the key RRsets until the parent serves the new DS, no cache
 * holds the old DS set and none holds its data signatures.
 */
START_TEST(test_rollover_csk_timeline)
{
	static const struct rollover_policy p = {
		.propagation_delay = HOUR, .dnskey_ttl = HOUR, .max_ttl = 3 * HOUR,
		.parent_ds_ttl = 86400, .parent_propagation_delay = HOUR, .cds = true,
	};
	char csk_dir[PATH_MAX];
	struct keyset *ks = NULL;
	struct key_state *st = NULL;
	struct diag d;
	bool changed;
	int64_t t = T0;

	kt_path(csk_dir, sizeof(csk_dir), dir, "csk");
	ck_assert_int_eq(mkdir(csk_dir, 0700), 0);
	diag_clear(&d);
	ck_assert_msg(keystore_init_zone(csk_dir, "example.com",
	    DNSSEC_ALG_ECDSAP256SHA256, 0, true, t, &ks, &d) == 0, "%s", d.text);
	ck_assert_int_eq(rollover_load(csk_dir, ks, &st, &d), 0);
	ck_assert_uint_eq(ks->count, 1);
	ck_assert_int_eq(st[0].role, ROLE_CSK);
	ck_assert_int_eq(rollover_ds_seen(ks, st, key_tag(ks->keys[0]), t, &d), 0);
	ck_assert_int_eq(rollover_start(csk_dir, "example.com", ks, &st, ROLE_CSK,
	    t, &d), 0);
	ck_assert_uint_eq(ks->count, 2);
	/* Published by the next run, signing the key RRsets only. */
	t += HOUR;
	ck_assert_int_eq(rollover_advance(csk_dir, "example.com", ks, &st, NULL,
	    &p, FORCE_NONE, t, &changed, &d), 0);
	ck_assert(changed);
	ck_assert(key_is_published(ks->keys[1]) && key_is_signing(ks->keys[1]));
	ck_assert(key_signs_keys_only(ks->keys[1]));
	ck_assert(key_is_signing(ks->keys[0]) && !key_signs_keys_only(ks->keys[0]));
	/* Ipub (Dprp + TTLkey) later: it signs the data, the old one the keys only. */
	t += 2 * HOUR - 1;
	ck_assert_int_eq(rollover_advance(csk_dir, "example.com", ks, &st, NULL,
	    &p, FORCE_NONE, t, &changed, &d), 0);
	ck_assert(key_signs_keys_only(ks->keys[1]));
	t += 1;
	ck_assert_int_eq(rollover_advance(csk_dir, "example.com", ks, &st, NULL,
	    &p, FORCE_NONE, t, &changed, &d), 0);
	ck_assert(!key_signs_keys_only(ks->keys[1]));
	ck_assert(key_is_signing(ks->keys[0]) && key_signs_keys_only(ks->keys[0]));
	/* The CDS names the new key once its DNSKEY can be in every cache. */
	ck_assert(key_has_cds(ks->keys[1]) && !key_has_cds(ks->keys[0]));
	/* Days later without the new DS at the parent: the old key stays. */
	t += 5 * 86400;
	ck_assert_int_eq(rollover_advance(csk_dir, "example.com", ks, &st, NULL,
	    &p, FORCE_NONE, t, &changed, &d), 0);
	ck_assert(key_is_published(ks->keys[0]));
	char what[128];
	ck_assert_int_eq(rollover_next_event(ks, st, 0, &p, what, sizeof(what)), 0);
	ck_assert_ptr_nonnull(strstr(what, "waiting for the DS"));
	/* The DS seen: the old key goes after TTLds + DprpP, not before. */
	ck_assert_int_eq(rollover_ds_seen(ks, st, key_tag(ks->keys[1]), t, &d), 0);
	ck_assert_int_eq(rollover_next_event(ks, st, 0, &p, what, sizeof(what)),
	    t + 86400 + HOUR);
	t += 86400 + HOUR - 1;
	ck_assert_int_eq(rollover_advance(csk_dir, "example.com", ks, &st, NULL,
	    &p, FORCE_NONE, t, &changed, &d), 0);
	ck_assert(key_is_published(ks->keys[0]));
	t += 1;
	ck_assert_int_eq(rollover_advance(csk_dir, "example.com", ks, &st, NULL,
	    &p, FORCE_NONE, t, &changed, &d), 0);
	ck_assert(!key_is_published(ks->keys[0]) && !key_is_signing(ks->keys[0]));
	ck_assert_str_eq(key_state_name(&st[0], t), "removed");
	free(st);
	keyset_free(ks);
}
END_TEST

/* Rolling the golden keys (Ed25519) over to ECDSA P-256. */
static const struct rollover_policy to_ecdsa = {
	.propagation_delay = HOUR, .dnskey_ttl = HOUR, .max_ttl = HOUR,
	.parent_ds_ttl = 86400, .parent_propagation_delay = HOUR,
	.algorithm = DNSSEC_ALG_ECDSAP256SHA256,
};

/*
 * A run killed after making an algorithm rollover's KSK but before saving
 * its state (and before making the ZSK): the next advance must not publish
 * it at once, but have it (and the ZSK it makes now) sign first.
 */
START_TEST(test_rollover_algorithm_key_with_lost_state)
{
	const struct rollover_policy p = to_ecdsa;
	struct key_state *st;
	struct keyset *ks = load(&st);
	struct diag d;
	bool changed;
	int64_t t = T0;

	/* The golden keys (Ed25519) on a timeline, then the new KSK's files alone. */
	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &policy, FORCE_NONE, t, &changed, &d), 0);
	ck_assert_int_eq(keystore_add_key(dir, "example.com",
	    DNSSEC_ALG_ECDSAP256SHA256, DNSKEY_FLAG_ZONE | DNSKEY_FLAG_SEP, t,
	    ks, &d), 0);
	free(st);
	keyset_free(ks);
	ks = load(&st);
	ck_assert_uint_eq(ks->count, 3);
	size_t k = 0;
	while (key_algorithm(ks->keys[k]) != DNSSEC_ALG_ECDSAP256SHA256)
		k++;
	ck_assert_int_eq(st[k].role, ROLE_KSK);
	ck_assert_int_ne(st[k].algorithm_roll, 0);
	t += 6 * HOUR;
	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &p, FORCE_NONE, t, &changed, &d), 0);
	/* The missing ZSK made; both sign, neither is published yet. */
	ck_assert_uint_eq(ks->count, 4);
	for (size_t i = 0; i < ks->count; i++) {
		if (key_algorithm(ks->keys[i]) != DNSSEC_ALG_ECDSAP256SHA256)
			continue;
		ck_assert_msg(key_is_signing(ks->keys[i]) &&
		    !key_is_published(ks->keys[i]), "key %u", key_tag(ks->keys[i]));
	}
	/* Published once signatures by both algorithms can be in every cache. */
	t += 2 * HOUR;
	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &p, FORCE_NONE, t, &changed, &d), 0);
	for (size_t i = 0; i < ks->count; i++)
		ck_assert(key_is_published(ks->keys[i]));
	free(st);
	keyset_free(ks);
}
END_TEST

/*
 * The same with the KSK's state saved (published due 2 hours later) and
 * the ZSK's lost, the next run only 6 hours on: the KSK must not go into
 * the DNSKEY set without the ZSK, both wait for their signatures again.
 */
START_TEST(test_rollover_algorithm_partner_with_lost_state)
{
	const struct rollover_policy p = to_ecdsa;
	struct key_state *st;
	struct keyset *ks = load(&st);
	struct rollover_view view = { 0 };
	bool served[8] = { false }, changed;
	char state[PATH_MAX];
	struct diag d;
	int64_t t = T0;

	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &policy, FORCE_NONE, t, &changed, &d), 0);
	ck_assert_int_eq(rollover_start_algorithm(dir, "example.com", ks, &st,
	    DNSSEC_ALG_ECDSAP256SHA256, &p, t, &d), 0);
	ck_assert_uint_eq(ks->count, 4);
	for (size_t i = 0; i < ks->count; i++)
		if (key_algorithm(ks->keys[i]) == DNSSEC_ALG_ECDSAP256SHA256 &&
		    !key_is_sep(ks->keys[i])) {
			snprintf(state, sizeof(state), "%s.zwstate",
			    key_file_prefix(ks->keys[i]));
			ck_assert_int_eq(unlink(state), 0);
		}
	free(st);
	keyset_free(ks);
	ks = load(&st);
	/* The old keys are served; nothing of the new algorithm is. */
	for (size_t i = 0; i < ks->count; i++)
		served[i] = key_algorithm(ks->keys[i]) != DNSSEC_ALG_ECDSAP256SHA256;
	view.published_now = served;
	t += 6 * HOUR;
	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, &view,
	    &p, FORCE_NONE, t, &changed, &d), 0);
	ck_assert_uint_eq(ks->count, 4);
	for (size_t i = 0; i < ks->count; i++)
		if (key_algorithm(ks->keys[i]) == DNSSEC_ALG_ECDSAP256SHA256)
			ck_assert_msg(key_is_signing(ks->keys[i]) &&
			    !key_is_published(ks->keys[i]), "key %u published "
			    "alone", key_tag(ks->keys[i]));
	t += 2 * HOUR;
	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, &view,
	    &p, FORCE_NONE, t, &changed, &d), 0);
	for (size_t i = 0; i < ks->count; i++)
		ck_assert(key_is_published(ks->keys[i]));
	free(st);
	keyset_free(ks);
}
END_TEST

/*
 * A reload outage moves the keys' events by its length, planned ones too,
 * and a rebase done again (the first was cut short) moves nothing twice.
 */
START_TEST(test_rollover_rebase_moves_once)
{
	struct key_state *st;
	struct keyset *ks = load(&st);
	struct diag d;
	bool changed;
	int64_t since = T0 + HOUR, now = T0 + 5 * HOUR;

	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &policy, FORCE_NONE, T0, &changed, &d), 0);
	/* A planned event after the outage began, and one before it. */
	st[0].published = since;
	st[0].active = since + 2 * HOUR;
	st[1].active = T0;
	ck_assert_int_eq(rollover_rebase(ks, st, since, now, &d), 0);
	ck_assert_int_eq(st[0].published, now);
	ck_assert_int_eq(st[0].active, now + 2 * HOUR);
	ck_assert_int_eq(st[1].active, T0);
	free(st);
	keyset_free(ks);
	/* The states were saved with the outage they were moved for: again, nothing moves. */
	ks = load(&st);
	ck_assert_int_eq(rollover_rebase(ks, st, since, now + HOUR, &d), 0);
	ck_assert_int_eq(st[0].published, now);
	ck_assert_int_eq(st[0].active, now + 2 * HOUR);
	free(st);
	keyset_free(ks);
}
END_TEST

START_TEST(test_rollover_unserved_successor_waits_again)
{
	struct key_state *st;
	struct keyset *ks = load(&st);
	struct diag d;
	bool changed, served[3] = { true, true, false };

	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &policy, FORCE_ZSK, T0, &changed, &d), 0);
	ck_assert_uint_eq(ks->count, 3);
	/* Hours later the successor's DNSKEY has still not been served: its wait starts again. */
	struct rollover_view view = { .published_now = served };
	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, &view,
	    &policy, FORCE_NONE, T0 + 5 * HOUR, &changed, &d), 0);
	ck_assert(!key_is_signing(ks->keys[2]));
	ck_assert_int_eq(st[2].published, T0 + 5 * HOUR);
	free(st);
	keyset_free(ks);
}
END_TEST

START_TEST(test_rollover_refuses_lost_keys)
{
	struct key_state *st;
	struct keyset *ks = load(&st);
	struct diag d;
	char path[PATH_MAX];
	bool changed;

	ck_assert_int_eq(rollover_advance(dir, "example.com", ks, &st, NULL,
	    &policy, FORCE_ZSK, T0, &changed, &d), 0);
	/* The new key's files go missing, its state stays: an error, never a new key. */
	kt_fmt(path, sizeof(path), "%s.key", key_file_prefix(ks->keys[2]));
	ck_assert_int_eq(unlink(path), 0);
	kt_fmt(path, sizeof(path), "%s.private", key_file_prefix(ks->keys[2]));
	ck_assert_int_eq(unlink(path), 0);
	free(st);
	keyset_free(ks);
	ck_assert_int_eq(keystore_load(dir, "example.com", &ks, &d), 0);
	diag_clear(&d);
	ck_assert_int_eq(rollover_load(dir, ks, &st, &d), STATUS_KEY_MISSING);
	ck_assert_ptr_nonnull(strstr(d.text, "without its key files"));
	keyset_free(ks);
}
END_TEST

/* The parent serves a key's DS only by SHA-256 or SHA-384: a SHA-1 DS does not count. */
START_TEST(test_rollover_ds_match_ignores_sha1)
{
	struct key_state *st;
	struct keyset *ks = load(&st);
	const struct key *k = NULL;
	uint8_t owner[64] = "\007example\003com", ds1[64], ds2[64];
	const uint8_t *set[1];
	size_t len, l1, l2;
	const uint8_t *rd;

	for (size_t i = 0; i < ks->count && k == NULL; i++)
		if (key_is_sep(ks->keys[i]))
			k = ks->keys[i];
	ck_assert_ptr_nonnull(k);
	rd = key_dnskey_rdata(k, &len);
	ck_assert_int_eq(dnskey_ds_rdata(owner, rd, len, DS_DIGEST_SHA1, ds1,
	    &l1), 0);
	ck_assert_int_eq(dnskey_ds_rdata(owner, rd, len, DS_DIGEST_SHA256, ds2,
	    &l2), 0);
	set[0] = ds1;
	ck_assert(!rollover_ds_matches(k, set, &l1, 1));
	set[0] = ds2;
	ck_assert(rollover_ds_matches(k, set, &l2, 1));
	free(st);
	keyset_free(ks);
}
END_TEST

START_TEST(test_rollover_bad_state_file_names_its_line)
{
	struct keyset *ks = NULL;
	struct key_state *st = NULL;
	struct diag d;
	char name[PATH_MAX];

	ck_assert_int_eq(keystore_load(dir, "example.com", &ks, &d), 0);
	kt_fmt(name, sizeof(name), "%s.zwstate",
	    strrchr(key_file_prefix(ks->keys[0]), '/') + 1);
	kt_write(dir, name, "; a comment\nRole: ZSK\nPublished: yesterday\n",
	    0644);
	diag_clear(&d);
	ck_assert_int_eq(rollover_load(dir, ks, &st, &d), STATUS_KEY_FORMAT);
	ck_assert_uint_eq(d.line, 3);
	ck_assert_ptr_nonnull(strstr(d.file, name));
	keyset_free(ks);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("rollover");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rollover_zsk_prepublication_timeline);
	tcase_add_test(tc, test_rollover_csk_timeline);
	tcase_add_test(tc, test_rollover_algorithm_key_with_lost_state);
	tcase_add_test(tc, test_rollover_algorithm_partner_with_lost_state);
	tcase_add_test(tc, test_rollover_rebase_moves_once);
	tcase_add_test(tc, test_rollover_unserved_successor_waits_again);
	tcase_add_test(tc, test_rollover_refuses_lost_keys);
	tcase_add_test(tc, test_rollover_ds_match_ignores_sha1);
	tcase_add_test(tc, test_rollover_bad_state_file_names_its_line);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
