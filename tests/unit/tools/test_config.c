/* Unit tests for tools/config: every key, defaults, relative paths, and errors with their line. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/status.h"
#include "keys/dnskey.h"
#include "tools/config.h"
#include "../unit.h"


START_TEST(test_config_reads_every_key_and_applies_defaults)
{
	struct config *c = NULL;
	struct diag d;
	char want[512];
	const char *path = unit_write("zonewarden.conf", 
	    "# comment\n"
	    "[defaults]\n"
	    "algorithm = ed25519\n"
	    "signature-validity = 21d\n"
	    "signature-refresh = 7d\n"
	    "serial = dateserial\n"
	    "reload = nsd-control reload %z\n"
	    "\n"
	    "[zone example.com]\n"
	    "input = zones/example.com.zone\n"
	    "output = /var/lib/nsd/example.com.signed\n"
	    "\n"
	    "[zone Example.NET.]\n"
	    "input = /srv/example.net.zone\n"
	    "output = out/example.net.signed\n"
	    "keydir = /srv/keys/net\n"
	    "algorithm = ecdsap384sha384\n"
	    "denial = nsec\n"
	    "serial = keep\n"
	    "reload = rndc reload %z   ; after %f\n"
	    "\n"
	    "[zone example.org]\n"
	    "input = org.zone\n"
	    "output = org.signed\n"
	    "nsec3-opt-out = yes\n"
	    "zsk-lifetime = 0\n"
	    "propagation-delay = 2h\n"
	    "ksk-lifetime = 365d\n"
	    "parent-ds-ttl = 2d\n"
	    "parent-propagation-delay = 30m\n"
	    "parent-ds-check = file:parent.ds\n"
	    "cds = no\n"
	    "key-scheme = csk\n"
	    "dnskey-ttl = 2h\n"
	    "verify = all\n"
	    "csk-lifetime = 120d\n"
	    "tlsa = mail.example.org 25 cert.pem next.key\n"
	    "tlsa = MAIL.example.org. 465 /etc/cert.pem\n"
	    "tlsa-ttl = 5m\n"
	    "tlsa-deploy = cert.pem tls/mail.key\n"
	    "tlsa-deploy = /etc/cert.pem /etc/cert.key\n"
	    "tlsa-reload = postfix reload\n"
	    "tls-rpt = mailto:tlsrpt@example.org https://r.example.org/v1\n"
	    "mta-sts = testing\n"
	    "mta-sts-max-age = 14d\n"
	    "mta-sts-policy = www/.well-known/mta-sts.txt\n");

	diag_clear(&d);
	ck_assert_int_eq(config_load(path, &c, &d), 0);
	ck_assert_uint_eq(c->nzones, 3);

	const struct zone_config *com = config_find_zone(c, "EXAMPLE.com.");
	ck_assert_ptr_nonnull(com);
	snprintf(want, sizeof(want), "%s/zones/example.com.zone", unit_dir);
	ck_assert_str_eq(com->input, want);
	ck_assert_str_eq(com->output, "/var/lib/nsd/example.com.signed");
	ck_assert_str_eq(com->keydir, "/var/lib/zonewarden/keys/example.com");
	ck_assert_int_eq(com->algorithm, DNSSEC_ALG_ED25519);
	ck_assert_int_eq(com->policy.validity, 21 * 86400);
	ck_assert_int_eq(com->policy.refresh, 7 * 86400);
	ck_assert_int_eq(com->policy.serial, SERIAL_DATESERIAL);
	ck_assert_int_eq(com->policy.denial, DENIAL_NSEC3);
	ck_assert(!com->policy.opt_out);
	ck_assert_str_eq(com->reload, "nsd-control reload %z");
	ck_assert_uint_eq(com->line, 9);

	const struct zone_config *net = config_find_zone(c, "example.net");
	ck_assert_ptr_nonnull(net);
	snprintf(want, sizeof(want), "%s/out/example.net.signed", unit_dir);
	ck_assert_str_eq(net->output, want);
	ck_assert_str_eq(net->keydir, "/srv/keys/net");
	ck_assert_int_eq(net->algorithm, DNSSEC_ALG_ECDSAP384SHA384);
	ck_assert_int_eq(net->policy.denial, DENIAL_NSEC);
	ck_assert_int_eq(net->policy.serial, SERIAL_KEEP);
	/* Inline comments go; the validity still comes from [defaults]. */
	ck_assert_str_eq(net->reload, "rndc reload %z");
	ck_assert_int_eq(net->policy.validity, 21 * 86400);

	const struct zone_config *org = config_find_zone(c, "example.org");
	ck_assert(org->policy.opt_out);
	ck_assert_int_eq(org->zsk_lifetime, 0);
	ck_assert_int_eq(org->propagation_delay, 7200);
	ck_assert_int_eq(com->zsk_lifetime, 90 * 86400);
	ck_assert_int_eq(com->propagation_delay, 3600);
	ck_assert_int_eq(org->ksk_lifetime, 365 * 86400);
	ck_assert_int_eq(org->parent_ds_ttl, 2 * 86400);
	ck_assert_int_eq(org->parent_propagation_delay, 1800);
	snprintf(want, sizeof(want), "%s/parent.ds", unit_dir);
	ck_assert_str_eq(org->parent_ds_file, want);
	ck_assert(!org->cds);
	ck_assert(org->csk);
	ck_assert_uint_eq(org->policy.dnskey_ttl, 7200);
	ck_assert_uint_eq(com->policy.dnskey_ttl, 0);
	ck_assert(!org->policy.verify_sample);
	ck_assert_int_eq(org->csk_lifetime, 120 * 86400);
	ck_assert_int_eq(com->csk_lifetime, 0);
	ck_assert_uint_eq(org->ntlsa, 2);
	ck_assert_str_eq(org->tlsa[0].host, "mail.example.org");
	ck_assert_uint_eq(org->tlsa[0].port, 25);
	snprintf(want, sizeof(want), "%s/cert.pem", unit_dir);
	ck_assert_str_eq(org->tlsa[0].cert, want);
	snprintf(want, sizeof(want), "%s/next.key", unit_dir);
	ck_assert_str_eq(org->tlsa[0].next_key, want);
	ck_assert_uint_eq(org->tlsa[1].port, 465);
	ck_assert_str_eq(org->tlsa[1].cert, "/etc/cert.pem");
	ck_assert_ptr_null(org->tlsa[1].next_key);
	ck_assert_uint_eq(org->tlsa_ttl, 300);
	ck_assert_uint_eq(org->ndeploy, 2);
	snprintf(want, sizeof(want), "%s/cert.pem", unit_dir);
	ck_assert_str_eq(org->deploy[0].cert, want);
	snprintf(want, sizeof(want), "%s/tls/mail.key", unit_dir);
	ck_assert_str_eq(org->deploy[0].key, want);
	ck_assert_str_eq(org->deploy[1].key, "/etc/cert.key");
	ck_assert_str_eq(org->tlsa_reload, "postfix reload");
	ck_assert_uint_eq(com->ndeploy, 0);
	ck_assert_ptr_null(com->tlsa_reload);
	ck_assert_uint_eq(com->ntlsa, 0);
	ck_assert_uint_eq(com->tlsa_ttl, 3600);
	ck_assert_str_eq(org->tls_rpt, "mailto:tlsrpt@example.org https://r.example.org/v1");
	ck_assert_str_eq(org->mta_sts, "testing");
	ck_assert_int_eq(org->mta_sts_max_age, 14 * 86400);
	snprintf(want, sizeof(want), "%s/www/.well-known/mta-sts.txt", unit_dir);
	ck_assert_str_eq(org->mta_sts_policy, want);
	ck_assert_ptr_null(com->tls_rpt);
	ck_assert_ptr_null(com->mta_sts);
	ck_assert_ptr_null(com->mta_sts_policy);
	ck_assert_int_eq(com->mta_sts_max_age, 7 * 86400);
	ck_assert(com->policy.verify_sample);
	ck_assert(!com->csk);
	ck_assert(com->cds);
	ck_assert_ptr_null(com->parent_ds_file);
	ck_assert_int_eq(com->ksk_lifetime, 0);
	ck_assert_int_eq(com->parent_ds_ttl, 86400);
	ck_assert_ptr_null(config_find_zone(c, "example.info"));
	config_free(c);
}
END_TEST

START_TEST(test_config_builtin_defaults)
{
	struct config *c = NULL;
	struct diag d;
	const char *path = unit_write("zonewarden.conf", "[zone a.test]\ninput = /a\noutput = /b\n");

	ck_assert_int_eq(config_load(path, &c, &d), 0);
	const struct zone_config *z = &c->zones[0];
	ck_assert_int_eq(z->algorithm, DNSSEC_ALG_ECDSAP256SHA256);
	ck_assert_int_eq(z->policy.validity, 14 * 86400);
	ck_assert_int_eq(z->policy.refresh, 5 * 86400);
	ck_assert_int_eq(z->policy.serial, SERIAL_UNIXTIME);
	ck_assert_int_eq(z->policy.denial, DENIAL_NSEC3);
	ck_assert_ptr_null(z->reload);
	config_free(c);
}
END_TEST

/* Each bad config: the line and a text naming what is wrong. */
static const struct {
	const char *text;
	unsigned long line;
	const char *words;
} bad[] = {
	{ "[zone a.test]\ninput = /a\noutput = /b\nfrobnicate = 1\n", 4, "unknown key 'frobnicate'" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nalgorithm = dsa\n", 4, "algorithm = dsa" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ndenial = nsec5\n", 4, "use nsec3 or nsec" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nnsec3-opt-out = maybe\n", 4, "use yes or no" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nsignature-validity = 14x\n", 4, "not a duration" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nsignature-validity = 30m\n", 4, "at least 1h" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nsignature-refresh = soon\n", 4, "not a duration" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nserial = sometimes\n", 4, "use unixtime" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nreload = kick %x\n", 4, "%z (zone)" },
	{ "[zone a.test]\ninput = /a\ninput = /c\noutput = /b\n", 3, "given twice" },
	{ "[zone a.test]\ninput = /a\n", 1, "has no output" },
	{ "[zone a.test]\noutput = /b\n", 1, "has no input" },
	{ "[zones a.test]\ninput = /a\noutput = /b\n", 1, "unknown section [zones a.test]" },
	{ "[zone a..test]\ninput = /a\noutput = /b\n", 1, "not a domain name" },
	{ "[zone a.test]\ninput = /a\noutput = /b\n[zone A.TEST.]\n", 4, "given twice" },
	{ "input = /a\n[zone a.test]\noutput = /b\n", 1, "before any section" },
	{ "[zone a.test]\ninput = /a\noutput = /b\njust words\n", 4, "expected 'key = value'" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ndenial = nsec\nnsec3-opt-out = yes\n", 1, "needs denial = nsec3" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nsignature-validity = 7d\nsignature-refresh = 7d\n", 1, "shorter than signature-validity" },
	{ "[defaults]\nserial = keep\n", 0, "no [zone NAME] section" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nzsk-lifetime = 7d\n", 1, "zsk-lifetime must be at least" },
	{ "[zone a.test]\ninput = /a\noutput = /b\npropagation-delay = x\n", 4, "not a duration" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nparent-ds-check = whois\n", 4, "use dns, manual or file:PATH" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nparent-ds-check = file:\n", 4, "use dns, manual or file:PATH" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nresolver = 127.0.0.1@99999\n", 4, "1 to 65535" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nkey-scheme = zsk-only\n", 4, "use ksk-zsk or csk" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ndnskey-ttl = 0\n", 4, "from 1s" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nverify = some\n", 4, "use all or sample" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ncsk-lifetime = 1d\n", 1, "csk-lifetime must be at least" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntlsa = mail.a.test 99999 c.pem\n", 4, "PORT must be 1 to 65535" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntlsa = mail.a.test 25\n", 4, "give HOST PORT CERTFILE" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntlsa = mail.a.test 25x c.pem\n", 4, "PORT must be 1 to 65535" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntlsa = mail.b.test 25 c.pem\n", 4, "not in the zone a.test" },
	{ "[defaults]\ntlsa = mail.a.test 25 c.pem\n[zone a.test]\ninput = /a\noutput = /b\n", 2, "tlsa belongs in a [zone NAME] section" },
	{ "[defaults]\ntlsa-deploy = /c.pem /c.key\n[zone a.test]\ninput = /a\noutput = /b\n", 2, "tlsa-deploy belongs in a [zone NAME] section" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntlsa-deploy = /c.pem\n", 4, "give CERTFILE KEYFILE" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntlsa = mail.a.test 25 /c.pem\ntlsa-deploy = /d.pem /d.key\n", 5, "tlsa-deploy: /d.pem is not the CERTFILE of a tlsa line" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntlsa = mail.a.test 25 /c.pem\ntlsa-deploy = /c.pem /c.key\n[zone b.test]\ninput = /c\noutput = /d\ntlsa = mail.b.test 25 /c.pem\n", 5, "tlsa-deploy: /c.pem also serves [zone b.test] (line 9)" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntlsa = mail.a.test 25 /c.pem\ntlsa-deploy = /nowhere/../c.pem /c.key\n[zone b.test]\ninput = /c\noutput = /d\ntlsa = mail.b.test 25 //./c.pem\n", 5, "tlsa-deploy: /c.pem also serves [zone b.test] (line 9)" },
	{ "[defaults]\nkeydir = /k\n[zone a.test]\ninput = /a\noutput = /b\n[zone b.test]\ninput = /c\noutput = /d\n", 6, "shares its keydir /k" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntls-rpt = reports@a.test\n", 4, "mailto:ADDRESS or https://URL" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntls-rpt = mailto:a@a.test,mailto:b@a.test\n", 4, "with , ; or !" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntls-rpt = mailto:nobody\n", 4, "nothing to send to" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntls-rpt = \n", 4, "one or more" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nmta-sts = strict\n", 4, "use enforce, testing or none" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nmta-sts-max-age = 400d\n", 4, "31557600s" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nmta-sts-max-age = 1d\n", 1, "need mta-sts" },
	{ "[defaults]\nmta-sts = enforce\nmta-sts-policy = /p.txt\n[zone a.test]\ninput = /a\noutput = /b\n[zone b.test]\ninput = /c\noutput = /d\n", 4, "also [zone b.test]" },
	{ "[zone a.test]\ninput = /a\noutput = /b\nmta-sts = testing\nmta-sts-policy = /a\n", 1, "input, output or policy" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntls-rpt = mailto:a@\n", 4, "nothing to send to" },
	{ "[zone a.test]\ninput = /a\noutput = /b\ntls-rpt = https://x\n", 4, "nothing to send to" },
};

START_TEST(test_config_errors_name_line_and_key)
{
	struct config *c = (struct config *)1;
	struct diag d;
	const char *path = unit_write("zonewarden.conf", bad[_i].text);

	diag_clear(&d);
	ck_assert_int_eq(config_load(path, &c, &d), STATUS_SYNTAX);
	ck_assert_ptr_null(c);
	ck_assert_msg(d.line == bad[_i].line, "case %d: line %lu, want %lu (%s)",
	    _i, d.line, bad[_i].line, d.text);
	ck_assert_msg(strstr(d.text, bad[_i].words) != NULL,
	    "case %d: '%s' lacks '%s'", _i, d.text, bad[_i].words);
	ck_assert_str_eq(d.file, path);
}
END_TEST

START_TEST(test_config_long_line_and_missing_file)
{
	struct config *c = NULL;
	struct diag d;
	char text[1200];

	snprintf(text, sizeof(text), "[zone a.test]\ninput = /%0990d\noutput = /b\n", 0);
	diag_clear(&d);
	ck_assert_int_eq(config_load(unit_write("zonewarden.conf", text), &c, &d), STATUS_SYNTAX);
	ck_assert_uint_eq(d.line, 2);
	ck_assert_ptr_nonnull(strstr(d.text, "longer than"));
	diag_clear(&d);
	ck_assert_int_eq(config_load("/nonexistent/zonewarden.conf", &c, &d),
	    -ENOENT);
}
END_TEST

START_TEST(test_config_reload_command_quotes_for_the_shell)
{
	struct zone_config zc = { .name = "example.com", .output =
	    "/srv/it's here.signed", .reload = "knotc zone-reload %z && "
	    "touch %f.done 100%%" };
	char *cmd = config_reload_command(&zc);

	ck_assert_str_eq(cmd, "knotc zone-reload 'example.com' && touch "
	    "'/srv/it'\\''s here.signed'.done 100%");
	free(cmd);
	zc.reload = NULL;
	ck_assert_ptr_null(config_reload_command(&zc));
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, unit_tmp_setup, unit_tmp_teardown);
	tcase_add_test(tc, test_config_reads_every_key_and_applies_defaults);
	tcase_add_test(tc, test_config_builtin_defaults);
	tcase_add_loop_test(tc, test_config_errors_name_line_and_key, 0,
	    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_config_long_line_and_missing_file);
	tcase_add_test(tc, test_config_reload_command_quotes_for_the_shell);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
