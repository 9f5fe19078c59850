/* zonewarden tlsa probe: what a DANE sender sees at a mail server, for monitoring. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common/encode.h"
#include "common/status.h"
#include "config.h"
#include "tlsa_probe.h"
#include "tlsa_roll.h"
#include "tlsa_state.h"


#define PROBE_TIMEOUT 10

static bool
is_record(const struct tlsa_rdata *a, const struct probe_record *r)
{
	return tlsa_rdata_equal(a, &r->rd);
}

/* Label record i unless it has a label already. */
static void
label(struct probe_report *rep, const struct tlsa_rdata *rd, const char *name)
{
	for (size_t i = 0; i < rep->nrecords; i++)
		if (!*rep->records[i].label && is_record(rd, &rep->records[i]))
			snprintf(rep->records[i].label,
			    sizeof(rep->records[i].label), "%s", name);
}

/* The 3 1 1 of a next-key file: a key, a CSR or a certificate. */
static bool
next_key_record(const char *path, struct tlsa_rdata *rd)
{
	struct tlsa_source *src = NULL;
	struct diag d;
	size_t n;
	bool ok;

	diag_clear(&d);
	if (tlsa_source_load_cert(path, &src, &d) != 0 &&
	    tlsa_source_load_key(path, &src, &d) != 0 &&
	    tlsa_source_load_csr(path, &src, &d) != 0)
		return false;
	ok = tlsa_from_source(src, tlsa_roll_params, rd, 1, &n, &d) == 0;
	tlsa_source_free(src);
	return ok;
}

/*
 * Name the records from what the config publishes for host and port, in
 * this order: issuer (DANE-TA); next (a staged rollover's new key, before
 * and after it is deployed, until commit); current (a deployed
 * certificate); retiring (what a rollover replaces, or keeps a TTL after
 * commit); next (a tlsa line's next key). Without a config that knows the
 * host, only issuer.
 */
static void
label_records(const char *config, const char *host, unsigned port,
    int64_t now, struct probe_report *rep)
{
	struct config *c = NULL;
	struct diag d;
	char want[DNAME_TEXT_MAX];

	for (size_t i = 0; i < rep->nrecords; i++)
		if (rep->records[i].rd.params.usage == TLSA_USAGE_DANE_TA)
			snprintf(rep->records[i].label, sizeof(rep->records[i].label),
			    "issuer");
	diag_clear(&d);
	if (config == NULL || !tlsa_roll_host(host, want, sizeof(want)) ||
	    config_load(config, &c, &d) != 0)
		return;
	for (size_t z = 0; z < c->nzones; z++) {
		const struct zone_config *zc = &c->zones[z];
		struct tlsa_state st = { 0 };
		const struct tlsa_config *lines[16];
		size_t nlines = 0;

		for (size_t k = 0; k < zc->ntlsa && nlines < 16; k++)
			if (tlsa_line_for(&zc->tlsa[k], want, port))
				lines[nlines++] = &zc->tlsa[k];
		if (nlines == 0)
			continue;
		diag_clear(&d);
		if (tlsa_state_load(zc->keydir, &st, &d) != 0)
			memset(&st, 0, sizeof(st));
		for (size_t k = 0; k < st.nstaged; k++)
			if (st.staged[k].port == port &&
			    strcmp(st.staged[k].host, want) == 0)
				label(rep, &st.staged[k].next, "next");
		for (size_t k = 0; k < nlines; k++) {
			struct tlsa_rdata rd;
			char kind[32];
			diag_clear(&d);
			if (tlsa_roll_cert_record(lines[k]->cert, &rd, kind,
			    sizeof(kind), &d) == 0)
				label(rep, &rd, "current");
		}
		for (size_t k = 0; k < st.nstaged; k++)
			if (st.staged[k].port == port && st.staged[k].has_replaces &&
			    strcmp(st.staged[k].host, want) == 0)
				label(rep, &st.staged[k].replaces, "retiring");
		for (size_t k = 0; k < st.nretiring; k++)
			if (st.retiring[k].until > now && st.retiring[k].port == port &&
			    strcmp(st.retiring[k].host, want) == 0)
				label(rep, &st.retiring[k].rd, "retiring");
		for (size_t k = 0; k < nlines; k++) {
			struct tlsa_rdata rd;
			if (lines[k]->next_key != NULL &&
			    next_key_record(lines[k]->next_key, &rd))
				label(rep, &rd, "next");
		}
		tlsa_state_free(&st);
	}
	config_free(c);
}

static int
exit_status(const struct probe_report *rep)
{
	int ex = MONITOR_OK;

	if (rep->dns_outcome != PROBE_OK)
		return MONITOR_CRITICAL;
	for (size_t i = 0; i < rep->nresults; i++) {
		if (rep->results[i].outcome != PROBE_OK)
			return MONITOR_CRITICAL;
		if (rep->results[i].expired)
			ex = MONITOR_WARNING;
	}
	if (rep->unusable > 0 || rep->nresults == 0)
		ex = rep->nresults == 0 ? MONITOR_CRITICAL : MONITOR_WARNING;
	return ex;
}

static void
record_text(const struct probe_record *r, char *buf, size_t size)
{
	char hex[2 * sizeof(r->rd.data) + 1];

	hex_encode(r->rd.data, r->rd.len, hex);
	snprintf(buf, size, "%u %u %u %s", r->rd.params.usage,
	    r->rd.params.selector, r->rd.params.mtype, hex);
}

static void
print_json(const struct probe_report *rep, int ex)
{
	json_t *o = json_object(), *recs = json_array(), *res = json_array();
	char text[TLSA_TEXT_MAX];

	for (size_t i = 0; i < rep->nrecords; i++) {
		record_text(&rep->records[i], text, sizeof(text));
		json_array_append_new(recs, json_pack("{s:s, s:b, s:s}", "record",
		    text, "usable", rep->records[i].usable, "label",
		    rep->records[i].label));
	}
	for (size_t i = 0; i < rep->nresults; i++) {
		const struct probe_result *r = &rep->results[i];
		json_t *e = json_pack("{s:s, s:s, s:s, s:b, s:s}", "address",
		    r->addr, "key_type", r->key_type, "result",
		    probe_outcome_name(r->outcome), "certificate_expired",
		    r->expired, "detail", r->detail);
		if (e != NULL && r->matched >= 0) {
			record_text(&rep->records[r->matched], text, sizeof(text));
			json_object_set_new(e, "matched", json_string(text));
			json_object_set_new(e, "label", json_string(
			    rep->records[r->matched].label));
			json_object_set_new(e, "depth", json_integer(r->depth));
		}
		json_array_append_new(res, e);
	}
	json_object_set_new(o, "host", json_string(rep->host));
	json_object_set_new(o, "port", json_integer(rep->port));
	json_object_set_new(o, "status", json_string(monitor_status_name(ex)));
	json_object_set_new(o, "tlsa", json_pack("{s:b, s:s, s:s, s:o}",
	    "secure", rep->tlsa_secure, "result",
	    probe_outcome_name(rep->dns_outcome), "detail", rep->dns_detail,
	    "records", recs));
	json_object_set_new(o, "results", res);
	json_dumpf(o, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(o);
}

static void
print_text(const struct probe_report *rep, int ex)
{
	size_t ok = 0;

	for (size_t i = 0; i < rep->nresults; i++)
		ok += rep->results[i].outcome == PROBE_OK;
	/* The first line is the monitoring summary. */
	printf("DANE %s - %s port %u: %zu of %zu handshakes on %zu address%s "
	    "matched a TLSA record; %s%s%s\n", monitor_status_name(ex),
	    rep->host, rep->port, ok, rep->nresults, rep->addresses,
	    rep->addresses == 1 ? "" : "es", rep->dns_outcome == PROBE_OK ? "" :
	    probe_outcome_name(rep->dns_outcome), rep->dns_outcome == PROBE_OK ?
	    "" : ": ", rep->dns_detail);
	for (size_t i = 0; i < rep->nrecords; i++) {
		char text[TLSA_TEXT_MAX];
		record_text(&rep->records[i], text, sizeof(text));
		printf("record %s%s%s%s\n", text, *rep->records[i].label ? " (" : "",
		    rep->records[i].label, *rep->records[i].label ? ")" : "");
		if (!rep->records[i].usable)
			printf("  unusable: OpenSSL cannot use this record\n");
	}
	for (size_t i = 0; i < rep->nresults; i++) {
		const struct probe_result *r = &rep->results[i];
		printf("%s %s: %s: %s", r->addr, r->key_type,
		    probe_outcome_name(r->outcome), r->detail);
		if (r->matched >= 0) {
			const struct probe_record *m = &rep->records[r->matched];
			printf(" (%u %u %u %02x%02x%02x%02x...%s%s%s, depth %d)",
			    m->rd.params.usage, m->rd.params.selector,
			    m->rd.params.mtype, m->rd.data[0], m->rd.data[1],
			    m->rd.data[2], m->rd.data[3], *m->label ? ", " : "",
			    m->label, "", r->depth);
		}
		putchar('\n');
	}
}

int
cmd_tlsa_probe(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "config", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *resolver = NULL, *config = NULL;
	unsigned port = 25, timeout = PROBE_TIMEOUT;
	struct probe_report *rep;
	struct diag d;
	bool json = false;
	int ch, rc, ex;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if (cli_parse_count(optarg, 65535, &port) != 0 || port == 0)
				return cli_usage(cli, "tlsa probe: --port: '%s' is not "
				    "a port from 1 to 65535", optarg);
			break;
		case 'r': resolver = optarg; break;
		case 'c': config = optarg; break;
		case 't':
			if (cli_parse_count(optarg, 600, &timeout) != 0 ||
			    timeout == 0)
				return cli_usage(cli, "tlsa probe: --timeout: '%s' is "
				    "not 1 to 600 seconds", optarg);
			break;
		case 'j': json = true; break;
		default:
			return cli_usage(cli, "tlsa probe: unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "tlsa probe: give exactly one HOST");
	if (config == NULL && access(CONFIG_DEFAULT_PATH, R_OK) == 0)
		config = CONFIG_DEFAULT_PATH;
	if ((rep = calloc(1, sizeof(*rep))) == NULL)
		return cli_fail(cli, STATUS_NOMEM, NULL, NULL);
	diag_clear(&d);
	if ((rc = tlsa_probe(argv[optind], port, resolver, cli->now, timeout, rep,
	    &d)) != 0) {
		(void)cli_fail(cli, rc, &d, argv[optind]);
		if (json) {
			json_t *o = json_pack("{s:s, s:i, s:s, s:s}", "host",
			    argv[optind], "port", (int)port, "status", "UNKNOWN",
			    "detail", d.text);
			if (o != NULL) {
				json_dumpf(o, stdout, JSON_INDENT(2));
				fputc('\n', stdout);
			}
			json_decref(o);
		} else
			printf("DANE UNKNOWN - %s port %u: %s\n", argv[optind], port,
			    d.text);
		free(rep);
		return MONITOR_UNKNOWN;
	}
	label_records(config, rep->host, port, cli->now, rep);
	ex = exit_status(rep);
	if (json)
		print_json(rep, ex);
	else
		print_text(rep, ex);
	free(rep);
	return ex;
}
