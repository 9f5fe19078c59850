/* zonewarden keys init|ds|list|import: a zone's keys on disk. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/status.h"
#include "keys/dnskey.h"
#include "keys/keystore.h"
#include "keys/rollover.h"
#include "zones/dname.h"
#include "zones/zone.h"

/* DS and DNSKEY lines carry this TTL; the parent applies its own policy. */
#define KEY_RR_TTL 3600

/* Options the keys commands take (each allows a subset); the first argument index goes to *first_arg. */
struct keys_args {
	const char *keydir;
	const char *algorithm;
	const char *digest;
	const char *bits;
	bool csk;
};

static int
parse_keys_args(struct cli *cli, int argc, char **argv, const char *allowed,
    struct keys_args *a, int *first_arg)
{
	static const struct option opts[] = {
		{ "keydir", required_argument, NULL, 'k' },
		{ "algorithm", required_argument, NULL, 'a' },
		{ "digest", required_argument, NULL, 'd' },
		{ "bits", required_argument, NULL, 'b' },
		{ "csk", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(a, 0, sizeof(*a));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == '?' || strchr(allowed, c) == NULL)
			return cli_usage(cli, "%s: unknown option", cli->command);
		switch (c) {
		case 'k': a->keydir = optarg; break;
		case 'a': a->algorithm = optarg; break;
		case 'd': a->digest = optarg; break;
		case 'b': a->bits = optarg; break;
		case 'c': a->csk = true; break;
		default: break;
		}
	}
	if (optind >= argc)
		return cli_usage(cli, "%s: no ZONE given", cli->command);
	if (a->keydir == NULL)
		return cli_usage(cli, "%s: --keydir is required", cli->command);
	*first_arg = optind;
	return EXIT_OK;
}

int
cmd_keys_init(struct cli *cli, int argc, char **argv)
{
	struct keys_args a;
	struct keyset *ks = NULL;
	struct diag d;
	uint8_t alg = DNSSEC_ALG_ECDSAP256SHA256;
	unsigned bits = 0;
	int first, rc, ex;

	if ((ex = parse_keys_args(cli, argc, argv, "kabc", &a, &first)) != 0)
		return ex;
	if (first + 1 != argc)
		return cli_usage(cli, "keys init: give exactly one ZONE");
	if (a.algorithm != NULL && dnssec_alg_parse(a.algorithm, &alg) != 0)
		return cli_usage(cli, "keys init: unknown algorithm '%s' (use "
		    "ecdsap256sha256, ecdsap384sha384, ed25519, ed448 or "
		    "rsasha256)", a.algorithm);
	if (a.bits != NULL) {
		char *end;
		unsigned long v = strtoul(a.bits, &end, 10);
		if (*a.bits < '0' || *a.bits > '9' || *end != '\0' ||
		    alg != DNSSEC_ALG_RSASHA256 || v < 1024 || v > 4096)
			return cli_usage(cli, "keys init: --bits is for RSA only, "
			    "1024 to 4096");
		bits = (unsigned)v;
	}
	diag_clear(&d);
	rc = keystore_init_zone(a.keydir, argv[first], alg, bits, a.csk,
	    cli->now, &ks, &d);
	if (rc != 0) {
		ex = cli_fail(cli, rc, &d, a.keydir);
		/* Keys already there is a key-state problem, not an I/O one. */
		return rc == -EEXIST ? EXIT_KEY : ex;
	}
	for (size_t i = 0; i < ks->count; i++)
		cli_info(cli, "created %s %u (%s) in %s",
		    a.csk ? "CSK" : key_is_sep(ks->keys[i]) ? "KSK" : "ZSK",
		    key_tag(ks->keys[i]),
		    dnssec_alg_name(key_algorithm(ks->keys[i])),
		    key_file_prefix(ks->keys[i]));
	keyset_free(ks);
	return EXIT_OK;
}

/* Print rdata of a type at owner as one master-file line. */
static int
print_rr(const uint8_t *owner, uint16_t type, const uint8_t *rdata,
    size_t len, const char *prefix)
{
	char line[8192];
	struct zrr rr = {
		.owner = owner, .rdata = rdata, .rdlen = (uint16_t)len,
		.type = type, .ttl = KEY_RR_TTL,
	};
	int rc;

	if ((rc = zrr_format(&rr, line, sizeof(line))) != 0)
		return rc;
	printf("%s%s\n", prefix, line);
	return 0;
}

int
cmd_keys_ds(struct cli *cli, int argc, char **argv)
{
	struct keys_args a;
	struct keyset *ks = NULL;
	struct diag d;
	uint8_t owner[DNAME_MAX_LENGTH], digest = DS_DIGEST_SHA256;
	struct key_state *states = NULL;
	int first, rc = 0, ex;
	size_t printed = 0;

	if ((ex = parse_keys_args(cli, argc, argv, "kd", &a, &first)) != 0)
		return ex;
	if (first + 1 != argc)
		return cli_usage(cli, "keys ds: give exactly one ZONE");
	if (a.digest != NULL) {
		if (strcmp(a.digest, "sha256") == 0)
			digest = DS_DIGEST_SHA256;
		else if (strcmp(a.digest, "sha384") == 0)
			digest = DS_DIGEST_SHA384;
		else
			return cli_usage(cli, "keys ds: --digest takes sha256 or "
			    "sha384 (SHA-1 is not offered, RFC 8624)");
	}
	if (dname_parse(argv[first], owner) != 0)
		return cli_usage(cli, "keys ds: '%s' is not a domain name",
		    argv[first]);
	diag_clear(&d);
	if ((rc = keystore_load(a.keydir, argv[first], &ks, &d)) != 0 ||
	    (rc = rollover_load(a.keydir, ks, &states, &d)) != 0) {
		keyset_free(ks);
		return cli_fail(cli, rc, &d, a.keydir);
	}
	/* Keys that `run` rolled: only those in the zone now. */
	rollover_apply(ks, states, NULL, cli->now);
	free(states);
	for (size_t i = 0; i < ks->count && rc == 0; i++) {
		const struct key *k = ks->keys[i];
		uint8_t ds[4 + 64];
		size_t klen, dslen;
		const uint8_t *dnskey = key_dnskey_rdata(k, &klen);

		if (!key_is_sep(k) || !key_is_published(k))
			continue;
		if ((rc = dnskey_ds_rdata(owner, dnskey, klen, digest, ds,
		    &dslen)) != 0 ||
		    (rc = print_rr(owner, RRTYPE_DNSKEY, dnskey, klen, "; ")) != 0 ||
		    (rc = print_rr(owner, RRTYPE_DS, ds, dslen, "")) != 0)
			break;
		printed++;
	}
	keyset_free(ks);
	if (rc != 0)
		return cli_fail(cli, rc, NULL, "keys ds");
	if (printed == 0) {
		diag_set(&d, a.keydir, 0, "no KSK or CSK for %s", argv[first]);
		return cli_fail(cli, STATUS_KEY_MISSING, &d, NULL);
	}
	return EXIT_OK;
}

int
cmd_keys_list(struct cli *cli, int argc, char **argv)
{
	struct keys_args a;
	struct keyset *ks = NULL;
	struct diag d;
	int first, rc, ex;

	if ((ex = parse_keys_args(cli, argc, argv, "k", &a, &first)) != 0)
		return ex;
	if (first + 1 != argc)
		return cli_usage(cli, "keys list: give exactly one ZONE");
	diag_clear(&d);
	if ((rc = keystore_load(a.keydir, argv[first], &ks, &d)) != 0)
		return cli_fail(cli, rc, &d, a.keydir);
	printf("%-6s %-4s %-16s %-4s %5s  %s\n", "TAG", "ALG", "ALGORITHM",
	    "ROLE", "BITS", "FILES");
	for (size_t i = 0; i < ks->count; i++) {
		const struct key *k = ks->keys[i];
		bool zsk_of_alg = false;

		/* A SEP key is a CSK when no ZSK of its algorithm signs the data. */
		for (size_t j = 0; j < ks->count; j++)
			zsk_of_alg |= !key_is_sep(ks->keys[j]) &&
			    key_algorithm(ks->keys[j]) == key_algorithm(k);
		printf("%-6u %-4u %-16s %-4s %5u  %s\n", key_tag(k),
		    key_algorithm(k), dnssec_alg_name(key_algorithm(k)),
		    !key_is_sep(k) ? "ZSK" : zsk_of_alg ? "KSK" : "CSK",
		    key_bits(k), key_file_prefix(k));
	}
	keyset_free(ks);
	return EXIT_OK;
}

int
cmd_keys_import(struct cli *cli, int argc, char **argv)
{
	struct keys_args a;
	struct diag d;
	int first, rc, ex;

	if ((ex = parse_keys_args(cli, argc, argv, "k", &a, &first)) != 0)
		return ex;
	if (first + 2 > argc)
		return cli_usage(cli, "keys import: give ZONE and at least one "
		    "key FILE");
	diag_clear(&d);
	rc = keystore_import(a.keydir, argv[first], argv + first + 1,
	    (size_t)(argc - first - 1), &d);
	if (rc != 0)
		return cli_fail(cli, rc, &d, a.keydir);
	cli_info(cli, "imported %d key(s) for %s into %s", argc - first - 1,
	    argv[first], a.keydir);
	return EXIT_OK;
}
