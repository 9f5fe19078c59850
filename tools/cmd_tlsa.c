/* zonewarden tlsa: the TLSA records of a host's certificate, key or CSR. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/encode.h"
#include "common/status.h"
#include "common/timespec.h"
#include "keys/tlsa.h"
#include "zones/dname.h"

#define PARAMS_MAX 8
#define RECORDS_MAX 16

int
cmd_tlsa(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cert", required_argument, NULL, 'c' },
		{ "key", required_argument, NULL, 'k' },
		{ "csr", required_argument, NULL, 'r' },
		{ "port", required_argument, NULL, 'p' },
		{ "params", required_argument, NULL, 'P' },
		{ "ttl", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cert = NULL, *key = NULL, *csr = NULL, *file;
	struct tlsa_params params[PARAMS_MAX];
	struct tlsa_source *src = NULL;
	uint8_t host[DNAME_MAX_LENGTH];
	char host_text[DNAME_TEXT_MAX];
	size_t nparams = 0;
	unsigned port = 25;
	int64_t ttl = 3600;
	struct diag d;
	int c, rc, ex = EXIT_OK;

	diag_clear(&d);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c': cert = optarg; break;
		case 'k': key = optarg; break;
		case 'r': csr = optarg; break;
		case 'p':
			if (cli_parse_count(optarg, 65535, &port) != 0 || port == 0)
				return cli_usage(cli, "tlsa: --port: '%s' is not a "
				    "port from 1 to 65535", optarg);
			break;
		case 't':
			if (duration_parse(optarg, &ttl) != 0 || ttl > 0x7fffffff)
				return cli_usage(cli, "tlsa: --ttl: '%s' is not a "
				    "duration (e.g. 1h)", optarg);
			break;
		case 'P':
			if (nparams == PARAMS_MAX)
				return cli_usage(cli, "tlsa: at most %d --params",
				    PARAMS_MAX);
			if ((rc = tlsa_params_parse(optarg, &params[nparams],
			    &d)) != 0)
				return cli_usage(cli, "tlsa: --params: %s", d.text);
			nparams++;
			break;
		default:
			return cli_usage(cli, "tlsa: unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "tlsa: give exactly one HOST");
	if ((cert != NULL) + (key != NULL) + (csr != NULL) != 1)
		return cli_usage(cli, "tlsa: give one of --cert, --key or --csr");
	if (dname_parse(argv[optind], host) != 0 || host[0] == 0)
		return cli_usage(cli, "tlsa: '%s' is not a host name", argv[optind]);
	if (nparams == 0)
		params[nparams++] = (struct tlsa_params){ TLSA_USAGE_DANE_EE,
		    TLSA_SELECTOR_SPKI, TLSA_MTYPE_SHA256 };
	file = cert ? cert : key ? key : csr;
	rc = cert ? tlsa_source_load_cert(cert, &src, &d) :
	    key ? tlsa_source_load_key(key, &src, &d) :
	    tlsa_source_load_csr(csr, &src, &d);
	if (rc != 0)
		return cli_fail(cli, rc, &d, file);
	/* Owner names in lower case, as the zone file will hold them. */
	{
		uint8_t lower[DNAME_MAX_LENGTH];
		dname_copy_lower(lower, host);
		dname_format(lower, host_text, sizeof(host_text));
	}
	for (size_t i = 0; i < nparams && ex == EXIT_OK; i++) {
		struct tlsa_rdata rd[RECORDS_MAX];
		size_t n;

		if (params[i].usage == TLSA_USAGE_DANE_EE &&
		    params[i].selector == TLSA_SELECTOR_CERT) {
			diag_set(&d, NULL, 0, "TLSA 3 0 %u hashes the whole "
			    "certificate: it changes at every renewal, even with "
			    "the same key; 3 1 1 does not", params[i].mtype);
			cli_warn(cli, &d);
			diag_clear(&d);
		}
		if ((rc = tlsa_from_source(src, params[i], rd, RECORDS_MAX, &n,
		    &d)) != 0) {
			ex = cli_fail(cli, rc, &d, file);
			break;
		}
		for (size_t k = 0; k < n; k++) {
			char hex[2 * sizeof(rd[k].data) + 1];
			hex_encode(rd[k].data, rd[k].len, hex);
			printf("_%u._tcp.%s %lld IN TLSA %u %u %u %s\n", port,
			    host_text, (long long)ttl, rd[k].params.usage,
			    rd[k].params.selector, rd[k].params.mtype, hex);
		}
	}
	if (ex == EXIT_OK && cli->verbose > 0)
		cli_info(cli, "%s: %s key, %zu certificate%s", file,
		    tlsa_source_key_type(src), tlsa_source_certs(src),
		    tlsa_source_certs(src) == 1 ? "" : "s");
	tlsa_source_free(src);
	return ex;
}
