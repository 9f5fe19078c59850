/* zonewarden check: every finding of a signed zone file, for people and for monitoring. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_live.h"
#include "cli.h"
#include "keys/tlsa.h"
#include "common/status.h"
#include "common/timespec.h"
#include "parent.h"
#include "signer/check.h"
#include "signing.h"
#include "zones/dname.h"
#include "zones/zone.h"


#define WARN_DEFAULT (3 * 86400)
#define CERTS_MAX 16
#define PROBE_TIMEOUT 10

static void
print_json(const char *zone, const struct findings *f, int ex)
{
	json_t *o = json_object(), *list = json_array();

	for (size_t i = 0; i < f->count; i++) {
		const struct finding *x = &f->list[i];
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}",
		    "severity", x->severity == FINDING_ERROR ? "error" : "warning",
		    "code", x->code, "owner", x->owner, "type", x->type,
		    "text", x->text));
	}
	json_object_set_new(o, "zone", json_string(zone));
	json_object_set_new(o, "status", json_string(monitor_status_name(ex)));
	json_object_set_new(o, "findings", list);
	json_object_set_new(o, "truncated", json_boolean(f->truncated));
	json_dumpf(o, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(o);
}

static void
print_text(const char *zone, const struct findings *f, int ex)
{
	size_t errors = 0;

	for (size_t i = 0; i < f->count; i++)
		errors += f->list[i].severity == FINDING_ERROR;
	printf("CHECK %s - %s: %zu error%s, %zu warning%s%s\n",
	    monitor_status_name(ex), zone, errors, errors == 1 ? "" : "s",
	    f->count - errors, f->count - errors == 1 ? "" : "s",
	    f->truncated ? " (and more)" : "");
	for (size_t i = 0; i < f->count; i++) {
		const struct finding *x = &f->list[i];
		printf("%s %s %s%s%s%s%s\n", x->severity == FINDING_ERROR ?
		    "error" : "warning", x->code, x->owner, *x->owner ? " " : "",
		    x->type, *x->owner || *x->type ? ": " : "", x->text);
	}
}

/* Nothing could be judged: the summary line, or the same as JSON. */
static void
unknown(const char *zone, const char *why, bool json)
{
	if (json) {
		json_t *o = json_pack("{s:s, s:s, s:s}", "zone", zone, "status",
		    "UNKNOWN", "detail", why);
		if (o != NULL) {
			json_dumpf(o, stdout, JSON_INDENT(2));
			fputc('\n', stdout);
		}
		json_decref(o);
	} else
		printf("CHECK UNKNOWN - %s: %s\n", zone, why);
}

int
cmd_check(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "signed", required_argument, NULL, 's' },
		{ "ds", required_argument, NULL, 'd' },
		{ "warn", required_argument, NULL, 'w' },
		{ "cert", required_argument, NULL, 'c' },
		{ "live", no_argument, NULL, 'l' },
		{ "probe", no_argument, NULL, 'p' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *signed_path = NULL, *ds_path = NULL, *zname;
	const char *resolver = NULL;
	bool live = false, probe = false;
	struct check_options o = { .now = cli->now, .warn = WARN_DEFAULT };
	struct parent_ds *ds = NULL;
	struct findings f = { 0 };
	struct check_cert certs[CERTS_MAX];
	struct tlsa_source *srcs[CERTS_MAX] = { 0 };
	const char *cert_arg[CERTS_MAX];
	size_t ncerts = 0;
	struct zone *z = NULL;
	struct diag d;
	bool json = false;
	int ch, rc, ex;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 's': signed_path = optarg; break;
		case 'd': ds_path = optarg; break;
		case 'w':
			if (duration_parse(optarg, &o.warn) != 0)
				return cli_usage(cli, "check: --warn: '%s' is not a "
				    "duration (e.g. 3d)", optarg);
			break;
		case 'j': json = true; break;
		case 'l': live = true; break;
		case 'p': probe = true; break;
		case 'r': resolver = optarg; break;
		case 'c':
			if (ncerts == CERTS_MAX || strchr(optarg, '=') == NULL)
				return cli_usage(cli, "check: --cert takes HOST=PEM "
				    "(at most %d)", CERTS_MAX);
			cert_arg[ncerts++] = optarg;
			break;
		default:
			return cli_usage(cli, "check: unknown option");
		}
	}
	if (probe && !live && signed_path == NULL)
		return cli_usage(cli, "check: --probe needs --live or --signed (for "
		    "the MX set)");
	if (optind + 1 != argc || (signed_path == NULL && !live))
		return cli_usage(cli, "check: give ZONE and --signed FILE, --live "
		    "or both");
	zname = argv[optind];
	diag_clear(&d);
	/* What cannot be read cannot be judged: UNKNOWN. */
	if ((signed_path != NULL && (rc = zone_load(signed_path, zname,
	    SIGNING_DEFAULT_TTL, &z, &d)) != 0) ||
	    (ds_path != NULL && (rc = parent_ds_load(ds_path, zname, &ds,
	    &d)) != 0)) {
		(void)cli_fail(cli, rc, &d, signed_path);
		unknown(zname, *d.text ? d.text : status_str(rc), json);
		ex = MONITOR_UNKNOWN;
		goto out;
	}
	/* Each HOST=PEM: the host's name and its certificate (chain). */
	for (size_t i = 0; i < ncerts; i++) {
		char host[DNAME_TEXT_MAX];
		const char *eq = strchr(cert_arg[i], '=');
		size_t hl = (size_t)(eq - cert_arg[i]);

		certs[i].src = NULL;
		o.ncerts = i + 1;
		snprintf(host, sizeof(host), "%.*s", (int)(hl < sizeof(host) ?
		    hl : sizeof(host) - 1), cert_arg[i]);
		if (dname_parse(host, certs[i].host) != 0) {
			diag_set(&d, NULL, 0, "--cert: '%s' is not a host name", host);
			rc = STATUS_SYNTAX;
		} else
			rc = tlsa_source_load_cert(eq + 1, &srcs[i], &d);
		certs[i].src = srcs[i];
		if (rc != 0) {
			(void)cli_fail(cli, rc, &d, eq + 1);
			unknown(zname, d.text, json);
			ex = MONITOR_UNKNOWN;
			goto out;
		}
	}
	o.certs = certs;
	/* Live, without a DS file: what every server of the parent serves. */
	rc = 0;
	if (live && ds == NULL) {
		struct parent_answers pa;
		struct diag pd;
		diag_clear(&pd);
		if (parent_ds_query(zname, resolver, &pa, &pd) != 0 ||
		    pa.answered < pa.servers) {
			rc = findings_add(&f, FINDING_WARNING, "live-parent-unknown",
			    NULL, "the parent's DS set could not be asked of all "
			    "its servers%s%s", *pd.text ? ": " : "", pd.text);
		} else {
			ds = pa.common;
			pa.common = NULL;
		}
		parent_answers_free(&pa);
		if (rc != 0) {
			(void)cli_fail(cli, rc, NULL, "check");
			ex = MONITOR_UNKNOWN;
			goto out;
		}
	}
	if (ds != NULL) {
		o.have_ds = true;
		o.ds = (const uint8_t *const *)ds->rdata;
		o.ds_len = ds->len;
		o.nds = ds->count;
	}
	if ((z != NULL && (rc = check_zone(z, &o, &f)) != 0) ||
	    (live && (rc = check_live(zname, resolver, &o, &f, &d)) != 0) ||
	    (probe && (rc = check_probe(z, zname, resolver, cli->now,
	    PROBE_TIMEOUT, &f)) != 0)) {
		(void)cli_fail(cli, rc, &d, "check");
		unknown(zname, *d.text ? d.text : status_str(rc), json);
		ex = MONITOR_UNKNOWN;
		goto out;
	}
	ex = findings_worst(&f) == FINDING_ERROR ? MONITOR_CRITICAL :
	    findings_worst(&f) == FINDING_WARNING ? MONITOR_WARNING : MONITOR_OK;
	if (json)
		print_json(zname, &f, ex);
	else
		print_text(zname, &f, ex);
out:
	for (size_t i = 0; i < CERTS_MAX; i++)
		tlsa_source_free(srcs[i]);
	findings_free(&f);
	parent_ds_free(ds);
	zone_free(z);
	return ex;
}
