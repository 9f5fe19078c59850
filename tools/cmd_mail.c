/*
 * `zonewarden mail ZONE`: the mail domain on one screen. Each MX host
 * with its addresses, TLSA records and what a DANE-validating sender
 * concludes; TLS-RPT and MTA-STS, checked against the MX set and the
 * policy file; every problem with a code (check's, and the mail ones).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_live.h"
#include "cli.h"
#include "common/fileio.h"
#include "common/status.h"
#include "common/timespec.h"
#include "config.h"
#include "keys/tlsa.h"
#include "mail_records.h"
#include "signer/check.h"
#include "signing.h"
#include "tlsa_probe.h"
#include "zones/dname.h"
#include "zones/zone.h"

#define HOSTS_MAX 16
#define PROBE_TIMEOUT 10

/* One MX host as the report shows it. */
struct mail_host {
	unsigned priority;
	uint8_t name[DNAME_MAX_LENGTH];
	char text[DNAME_TEXT_MAX];
	bool in_zone, cname, has_tlsa, signed_addresses;
	char addresses[256];
	size_t ntlsa;
	const char *verdict;         /* what a DANE sender concludes */
	char why[256];
	char probed[512];            /* --live: each address and key type's outcome */
};

/* The TXT at label.ZONE as one string (its character-strings joined); false if none. */
static bool
txt_at(const struct zone *z, const char *label, char *out, size_t size)
{
	uint8_t owner[DNAME_MAX_LENGTH];
	char zone[DNAME_TEXT_MAX], text[DNAME_TEXT_MAX + 32];
	size_t count, n = 0;
	const struct zrr *rr = zone_records(z, &count);

	dname_format(zone_origin(z), zone, sizeof(zone));
	snprintf(text, sizeof(text), "%s.%s", label, zone);
	if (dname_parse(text, owner) != 0)
		return false;
	for (size_t i = 0; i < count; i++) {
		if (rr[i].type != RRTYPE_TXT || !dname_equal(rr[i].owner, owner))
			continue;
		for (size_t p = 0; p < rr[i].rdlen && p + 1 + rr[i].rdata[p] <=
		    rr[i].rdlen; p += 1u + rr[i].rdata[p]) {
			size_t l = rr[i].rdata[p];
			if (n + l >= size)
				l = size - n - 1;
			memcpy(out + n, rr[i].rdata + p + 1, l);
			n += l;
		}
		out[n] = '\0';
		return true;
	}
	return false;
}

/* Is there a record of type t at name? With an RRSIG over it, when sig is not NULL. */
static bool
has_type(const struct zone *z, const uint8_t *name, uint16_t t, bool *sig)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);
	bool found = false;

	if (sig != NULL)
		*sig = false;
	for (size_t i = 0; i < count; i++) {
		if (!dname_equal(rr[i].owner, name))
			continue;
		if (rr[i].type == t)
			found = true;
		if (sig != NULL && rr[i].type == RRTYPE_RRSIG && rr[i].rdlen >= 2 &&
		    (rr[i].rdata[0] << 8 | rr[i].rdata[1]) == t)
			*sig = true;
	}
	return found;
}

/* The host's addresses as text, and whether every address set is signed. */
static void
host_addresses(const struct zone *z, struct mail_host *h)
{
	size_t count, n = 0;
	const struct zrr *rr = zone_records(z, &count);
	bool sig4, sig6, a = has_type(z, h->name, RRTYPE_A, &sig4),
	    aaaa = has_type(z, h->name, RRTYPE_AAAA, &sig6);

	h->addresses[0] = '\0';
	h->signed_addresses = (a || aaaa) && (!a || sig4) && (!aaaa || sig6);
	for (size_t i = 0; i < count; i++) {
		char one[INET6_ADDRSTRLEN];
		if (!dname_equal(rr[i].owner, h->name) ||
		    !((rr[i].type == RRTYPE_A && rr[i].rdlen == 4) ||
		    (rr[i].type == RRTYPE_AAAA && rr[i].rdlen == 16)) ||
		    inet_ntop(rr[i].type == RRTYPE_A ? AF_INET : AF_INET6,
		    rr[i].rdata, one, sizeof(one)) == NULL)
			continue;
		n += (size_t)snprintf(h->addresses + n, n < sizeof(h->addresses) ?
		    sizeof(h->addresses) - n : 0, "%s%s", n ? ", " : "", one);
		if (n >= sizeof(h->addresses))
			break;
	}
}

/* An error finding of check at owner about one of the types (space-separated), or NULL. */
static const struct finding *
error_at(const struct findings *f, const char *owner, const char *types)
{
	for (size_t i = 0; i < f->count; i++) {
		const char *t = f->list[i].type;
		const char *at = *t ? strstr(types, t) : NULL;
		if (f->list[i].severity == FINDING_ERROR &&
		    strcasecmp(f->list[i].owner, owner) == 0 && at != NULL &&
		    (at == types || at[-1] == ' ') &&
		    (at[strlen(t)] == ' ' || at[strlen(t)] == '\0'))
			return &f->list[i];
	}
	return NULL;
}

/* Does a tlsa line deploy a certificate for host? */
static bool
host_has_cert(const struct check_cert *certs, size_t n, const uint8_t *host)
{
	for (size_t i = 0; i < n; i++)
		if (dname_equal(certs[i].host, host))
			return true;
	return false;
}

/* Does one mx: pattern of the policy match host (RFC 8461 §4.1: "*." matches one label)? */
static bool
policy_matches(const char *policy, const char *host)
{
	char h[DNAME_TEXT_MAX];
	size_t hl;

	snprintf(h, sizeof(h), "%s", host);
	hl = strlen(h);
	if (hl > 0 && h[hl - 1] == '.')
		h[--hl] = '\0';
	for (const char *line = policy; line != NULL && *line != '\0';) {
		const char *end = strpbrk(line, "\r\n");
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
		char pat[DNAME_TEXT_MAX];

		if (len > 4 && strncmp(line, "mx: ", 4) == 0 && len - 4 < sizeof(pat)) {
			snprintf(pat, sizeof(pat), "%.*s", (int)(len - 4), line + 4);
			if (strcasecmp(pat, h) == 0)
				return true;
			if (strncmp(pat, "*.", 2) == 0) {
				const char *dot = strchr(h, '.');
				if (dot != NULL && strcasecmp(dot + 1, pat + 2) == 0)
					return true;
			}
		}
		line = end == NULL ? NULL : end + strspn(end, "\r\n");
	}
	return false;
}

/* The value after "key: " in the policy, into out; false if none. */
static bool
policy_value(const char *policy, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);

	for (const char *line = policy; line != NULL && *line != '\0';) {
		const char *end = strpbrk(line, "\r\n");
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
		if (len > kl + 2 && strncmp(line, key, kl) == 0 &&
		    line[kl] == ':' && line[kl + 1] == ' ') {
			snprintf(out, size, "%.*s", (int)(len - kl - 2), line + kl + 2);
			return true;
		}
		line = end == NULL ? NULL : end + strspn(end, "\r\n");
	}
	return false;
}

/* "v=TLSRPTv1; rua=URI,..." with each URI mailto: or https: (RFC 8460 §3). */
static bool
tls_rpt_ok(const char *txt)
{
	const char *rua = strstr(txt, "rua=");
	char uris[600];

	if (strncmp(txt, "v=TLSRPTv1;", 11) != 0 || rua == NULL)
		return false;
	size_t n = 0;

	snprintf(uris, sizeof(uris), "%s", rua + 4);
	uris[strcspn(uris, ";")] = '\0';
	for (char *save = NULL, *u = strtok_r(uris, ",", &save); u != NULL;
	    u = strtok_r(NULL, ",", &save), n++) {
		u += strspn(u, " ");
		if ((strncmp(u, "mailto:", 7) != 0 || u[7] == '\0') &&
		    (strncmp(u, "https://", 8) != 0 || u[8] == '\0'))
			return false;
	}
	return n > 0;
}

int
cmd_mail(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "signed", required_argument, NULL, 's' },
		{ "live", no_argument, NULL, 'l' },
		{ "resolver", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *signed_path = NULL, *resolver = NULL;
	const char *zname;
	bool live = false, json = false, signed_zone;
	struct config *c = NULL;
	const struct zone_config *zc = NULL;
	struct check_options o = { .now = cli->now, .warn = 3 * 86400 };
	struct check_cert certs[HOSTS_MAX];
	struct tlsa_source *srcs[HOSTS_MAX] = { 0 };
	struct mail_host hosts[HOSTS_MAX];
	struct findings f = { 0 };
	struct zone *z = NULL;
	size_t nhosts = 0, ncerts = 0, count;
	const struct zrr *rr;
	char rpt[600], sts[200], *policy = NULL;
	bool have_rpt, have_sts;
	struct diag d;
	int ch, rc = 0, ex = MONITOR_UNKNOWN;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config_path = optarg; break;
		case 's': signed_path = optarg; break;
		case 'l': live = true; break;
		case 'r': resolver = optarg; break;
		case 'j': json = true; break;
		default: return cli_usage(cli, "mail: unknown option");
		}
	}
	if (optind + 1 != argc)
		return cli_usage(cli, "mail: give ZONE");
	zname = argv[optind];
	diag_clear(&d);
	/* The zone's config (certificates, MTA-STS) when there is one. */
	if (config_path != NULL || signed_path == NULL) {
		if ((rc = config_load(config_path ? config_path :
		    CONFIG_DEFAULT_PATH, &c, &d)) != 0) {
			(void)cli_fail(cli, rc, &d, NULL);
			printf("MAIL UNKNOWN - %s: %s\n", zname, d.text);
			ex = MONITOR_UNKNOWN;
			goto out;
		}
		if ((zc = config_find_zone(c, zname)) == NULL && signed_path == NULL) {
			ex = cli_usage(cli, "mail: zone '%s' is not in %s; give "
			    "--signed FILE", zname, config_path ? config_path :
			    CONFIG_DEFAULT_PATH);
			goto out;
		}
		if (resolver == NULL && zc != NULL)
			resolver = zc->resolver;
	}
	if (signed_path == NULL)
		signed_path = zc->output;
	if ((rc = zone_load(signed_path, zname, SIGNING_DEFAULT_TTL, &z,
	    &d)) != 0) {
		(void)cli_fail(cli, rc, &d, signed_path);
		printf("MAIL UNKNOWN - %s: %s\n", zname, d.text);
		ex = MONITOR_UNKNOWN;
		goto out;
	}
	/* The certificates the config says are deployed, for the TLSA checks. */
	for (size_t i = 0; zc != NULL && i < zc->ntlsa && ncerts < HOSTS_MAX; i++) {
		if (zc->tlsa[i].port != 25 ||
		    dname_parse(zc->tlsa[i].host, certs[ncerts].host) != 0)
			continue;
		diag_clear(&d);
		if (tlsa_source_load_cert(zc->tlsa[i].cert, &srcs[ncerts], &d) != 0) {
			rc = findings_add(&f, FINDING_WARNING, "mail-cert-unreadable",
			    NULL, "%s: %s", zc->tlsa[i].cert, d.text);
			if (rc != 0)
				goto fail;
			continue;
		}
		certs[ncerts].src = srcs[ncerts];
		ncerts++;
	}
	o.certs = certs;
	o.ncerts = ncerts;
	if ((rc = check_zone(z, &o, &f)) != 0)
		goto fail;
	signed_zone = has_type(z, zone_origin(z), RRTYPE_DNSKEY, NULL);

	/* Each MX host. */
	rr = zone_records(z, &count);
	for (size_t i = 0; i < count && nhosts < HOSTS_MAX; i++) {
		struct mail_host *h = &hosts[nhosts];
		uint8_t towner[DNAME_MAX_LENGTH];
		char towner_text[DNAME_TEXT_MAX];
		const struct finding *bad;
		const uint8_t *target = zrr_mx_host(&rr[i]);

		if (target == NULL || !dname_equal(rr[i].owner, zone_origin(z)))
			continue;
		memset(h, 0, sizeof(*h));
		nhosts++;
		h->priority = (unsigned)(rr[i].rdata[0] << 8 | rr[i].rdata[1]);
		memcpy(h->name, target, dname_length(target));
		dname_format(h->name, h->text, sizeof(h->text));
		h->in_zone = dname_is_below_or_at(h->name, zone_origin(z));
		if (!h->in_zone) {
			h->verdict = "not judged";
			snprintf(h->why, sizeof(h->why), "outside this zone");
			continue;
		}
		h->cname = has_type(z, h->name, RRTYPE_CNAME, NULL);
		if (h->cname) {
			h->verdict = "not judged";
			snprintf(h->why, sizeof(h->why), "a CNAME");
			if ((rc = findings_add(&f, FINDING_ERROR, "mx-cname", NULL,
			    "MX host %s is a CNAME: an MX must name a host with "
			    "addresses (RFC 2181 section 10.3); point the MX at the "
			    "target", h->text)) != 0)
				goto fail;
			continue;
		}
		host_addresses(z, h);
		if (h->addresses[0] == '\0' && (rc = findings_add(&f,
		    FINDING_ERROR, "mx-no-address", NULL, "MX host %s has no A "
		    "or AAAA record in the zone", h->text)) != 0)
			goto fail;
		if (dname_tlsa_owner(25, h->name, towner)) {
			size_t k;
			dname_format(towner, towner_text, sizeof(towner_text));
			for (k = 0; k < count; k++)
				if (rr[k].type == RRTYPE_TLSA &&
				    dname_equal(rr[k].owner, towner))
					h->ntlsa++;
			h->has_tlsa = h->ntlsa > 0;
		} else
			towner_text[0] = '\0';
		if (!signed_zone) {
			h->verdict = "no DANE";
			snprintf(h->why, sizeof(h->why), "the zone is not signed");
		} else if (!h->has_tlsa) {
			h->verdict = "no DANE";
			snprintf(h->why, sizeof(h->why), "no TLSA records: "
			    "opportunistic TLS only");
		} else if (h->addresses[0] == '\0') {
			h->verdict = "defer: no address";
			snprintf(h->why, sizeof(h->why), "no A or AAAA record");
		} else if ((bad = error_at(&f, towner_text, "TLSA")) != NULL) {
			h->verdict = strcmp(bad->code, "tlsa-no-match") == 0 ?
			    "defer: tlsa-invalid" : "defer: dnssec-invalid";
			snprintf(h->why, sizeof(h->why), "%s", bad->code);
		} else if ((bad = error_at(&f, h->text, "A AAAA")) != NULL) {
			h->verdict = "defer: dnssec-invalid";
			snprintf(h->why, sizeof(h->why), "%s on its addresses",
			    bad->code);
		} else if (!host_has_cert(certs, ncerts, h->name)) {
			h->verdict = "deliver with DANE if a record matches";
			snprintf(h->why, sizeof(h->why), "TLSA published and signed; "
			    "no tlsa line deploys a certificate to compare");
		} else {
			h->verdict = "deliver with verified TLS";
			snprintf(h->why, sizeof(h->why), "TLSA matches the deployed "
			    "certificate");
		}
		/* Live: what the server at each address presents (DANE needs a signed zone). */
		if (live && h->has_tlsa && signed_zone) {
			struct probe_report *rep = calloc(1, sizeof(*rep));
			char host[DNAME_TEXT_MAX];
			if (rep == NULL) {
				rc = STATUS_NOMEM;
				goto fail;
			}
			snprintf(host, sizeof(host), "%s", h->text);
			diag_clear(&d);
			if (tlsa_probe(host, 25, resolver, cli->now, PROBE_TIMEOUT,
			    rep, &d) == 0) {
				enum probe_outcome worst = PROBE_OK;
				for (size_t r = 0; r < rep->nresults; r++)
					if (rep->results[r].outcome != PROBE_OK) {
						worst = rep->results[r].outcome;
						snprintf(h->why, sizeof(h->why), "probe of %.60s "
						    "(%.10s): %.150s", rep->results[r].addr,
						    rep->results[r].key_type,
						    rep->results[r].detail);
						break;
					}
				if (rep->dns_outcome != PROBE_OK) {
					worst = rep->dns_outcome;
					snprintf(h->why, sizeof(h->why), "%.200s",
					    rep->dns_detail);
				}
				if (worst == PROBE_OK && rep->nresults > 0) {
					h->verdict = "deliver with verified TLS";
					snprintf(h->why, sizeof(h->why), "probe: %zu "
					    "handshake%s, each matching a record",
					    rep->nresults, rep->nresults == 1 ? "" : "s");
				}
				/* Each address and key type, as the probe found it. */
				for (size_t r = 0; r < rep->nresults && r < 8; r++) {
					size_t n = strlen(h->probed);
					snprintf(h->probed + n, sizeof(h->probed) - n,
					    "%s%.50s %.8s %s", n ? ", " : "",
					    rep->results[r].addr, rep->results[r].key_type,
					    probe_outcome_name(rep->results[r].outcome));
				}
				if (worst != PROBE_OK) {
					h->verdict = probe_outcome_name(worst);
					rc = findings_add(&f, FINDING_ERROR,
					    check_probe_code(worst), NULL, "MX host %s: %s",
					    h->text, h->why);
				}
			} else {
				h->verdict = "unknown";
				snprintf(h->why, sizeof(h->why), "probe: %.200s", d.text);
				rc = findings_add(&f, FINDING_ERROR, "probe-unknown", NULL,
				    "MX host %s: %s", h->text, h->why);
			}
			free(rep);
			if (rc != 0)
				goto fail;
		}
	}
	if (nhosts == 0 && (rc = findings_add(&f, FINDING_WARNING, "mx-none", NULL,
	    "no MX set (or a null MX): the domain takes no mail")) != 0)
		goto fail;

	/* TLS-RPT (RFC 8460). */
	have_rpt = txt_at(z, "_smtp._tls", rpt, sizeof(rpt));
	if (have_rpt && !tls_rpt_ok(rpt))
		rc = findings_add(&f, FINDING_ERROR, "tls-rpt-bad", NULL, "the "
		    "TLS-RPT record is not \"v=TLSRPTv1; rua=mailto:...|https://...\": "
		    "%s", rpt);
	else if (!have_rpt && nhosts > 0)
		rc = findings_add(&f, FINDING_WARNING, "tls-rpt-missing", NULL,
		    "no TLS-RPT record at _smtp._tls: senders cannot report "
		    "failed deliveries (set tls-rpt)");
	if (rc != 0)
		goto fail;

	/* MTA-STS (RFC 8461): the record, the policy file, the MX set. */
	have_sts = txt_at(z, "_mta-sts", sts, sizeof(sts));
	if (have_sts) {
		const char *id = strstr(sts, "id=");
		size_t idlen = id != NULL ? strspn(id + 3, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") : 0;
		char mode[16] = "", want_id[21];
		size_t plen = 0;

		if (strncmp(sts, "v=STSv1;", 8) != 0 || idlen == 0 || idlen > 32)
			rc = findings_add(&f, FINDING_ERROR, "mta-sts-bad", NULL,
			    "the MTA-STS record is not \"v=STSv1; id=ID\" (ID: 1 to 32 "
			    "letters and digits): %s", sts);
		else if (zc != NULL && zc->mta_sts_policy != NULL &&
		    file_read_all(zc->mta_sts_policy, &policy, &plen) != 0)
			rc = findings_add(&f, FINDING_ERROR, "mta-sts-policy-missing",
			    NULL, "the policy file %s cannot be read: senders that "
			    "fetch it fail", zc->mta_sts_policy);
		else if (policy == NULL)
			rc = findings_add(&f, FINDING_WARNING, "mta-sts-unchecked",
			    NULL, "no policy file to compare with the MX set (the "
			    "zone has no mta-sts in the config)");
		else {
			mail_sts_id(policy, plen, want_id);
			policy_value(policy, "mode", mode, sizeof(mode));
			if (strncmp(id + 3, want_id, idlen) != 0 ||
			    strlen(want_id) != idlen)
				rc = findings_add(&f, FINDING_ERROR, "mta-sts-id-mismatch",
				    NULL, "the record's id is not the policy file's: "
				    "senders keep their cached policy (run zonewarden "
				    "run)");
			for (size_t i = 0; i < nhosts && rc == 0; i++)
				if (strcmp(mode, "none") != 0 &&
				    !policy_matches(policy, hosts[i].text))
					rc = findings_add(&f, strcmp(mode, "enforce") == 0 ?
					    FINDING_ERROR : FINDING_WARNING,
					    "mta-sts-mx-missing", NULL, "MX host %s is not "
					    "in the MTA-STS policy (mode %s)%s", hosts[i].text,
					    mode, strcmp(mode, "enforce") == 0 ? ": enforcing "
					    "senders refuse to deliver to it; during an MX "
					    "change use mode testing and wait max_age" : "");
		}
		if (rc != 0)
			goto fail;
	}

	ex = findings_worst(&f) == FINDING_ERROR ? MONITOR_CRITICAL :
	    findings_worst(&f) == FINDING_WARNING ? MONITOR_WARNING : MONITOR_OK;
	if (json) {
		json_t *root = json_object(), *mx = json_array(), *list = json_array();
		for (size_t i = 0; i < nhosts; i++)
			json_array_append_new(mx, json_pack("{s:i, s:s, s:b, s:b, s:s, "
			    "s:b, s:i, s:s, s:s, s:s}", "priority", (int)hosts[i].priority,
			    "host", hosts[i].text, "in_zone", hosts[i].in_zone, "cname",
			    hosts[i].cname, "addresses", hosts[i].addresses,
			    "addresses_signed", hosts[i].signed_addresses, "tlsa",
			    (int)hosts[i].ntlsa, "dane", hosts[i].verdict, "why",
			    hosts[i].why, "probed", hosts[i].probed));
		for (size_t i = 0; i < f.count; i++)
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}",
			    "severity", f.list[i].severity == FINDING_ERROR ? "error" :
			    "warning", "code", f.list[i].code, "owner", f.list[i].owner,
			    "type", f.list[i].type, "text", f.list[i].text));
		json_object_set_new(root, "zone", json_string(zname));
		json_object_set_new(root, "status", json_string(
		    monitor_status_name(ex)));
		json_object_set_new(root, "mx", mx);
		json_object_set_new(root, "tls_rpt", have_rpt ? json_string(rpt) :
		    json_null());
		json_object_set_new(root, "mta_sts", have_sts ? json_string(sts) :
		    json_null());
		json_object_set_new(root, "findings", list);
		json_dumpf(root, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(root);
	} else {
		size_t errors = 0;
		for (size_t i = 0; i < f.count; i++)
			errors += f.list[i].severity == FINDING_ERROR;
		printf("MAIL %s - %s: %zu error%s, %zu warning%s\n",
		    monitor_status_name(ex), zname, errors, errors == 1 ? "" : "s",
		    f.count - errors, f.count - errors == 1 ? "" : "s");
		for (size_t i = 0; i < nhosts; i++)
			printf("mx %u %s: %s%s; TLSA: %zu; DANE senders: %s (%s)%s%s\n",
			    hosts[i].priority, hosts[i].text, hosts[i].addresses[0] ?
			    hosts[i].addresses : "no addresses", hosts[i].addresses[0] ?
			    (hosts[i].signed_addresses ? " (signed)" : " (unsigned)") :
			    "", hosts[i].ntlsa, hosts[i].verdict, hosts[i].why,
			    hosts[i].probed[0] ? "; probed: " : "", hosts[i].probed);
		printf("tls-rpt: %s\n", have_rpt ? rpt : "none");
		printf("mta-sts: %s\n", have_sts ? sts : "none");
		for (size_t i = 0; i < f.count; i++)
			printf("%s %s %s%s%s%s%s\n", f.list[i].severity ==
			    FINDING_ERROR ? "error" : "warning", f.list[i].code,
			    f.list[i].owner, *f.list[i].owner ? " " : "",
			    f.list[i].type, *f.list[i].owner || *f.list[i].type ?
			    ": " : "", f.list[i].text);
	}
	goto out;
fail:
	(void)cli_fail(cli, rc, NULL, "mail");
	ex = MONITOR_UNKNOWN;
out:
	for (size_t i = 0; i < HOSTS_MAX; i++)
		tlsa_source_free(srcs[i]);
	free(policy);
	findings_free(&f);
	zone_free(z);
	config_free(c);
	return ex;
}

/*
 * `zonewarden mail plan ZONE --mx HOST[:PRIO]...`: the order of steps that
 * moves mail to new MX hosts without a moment where a DANE or MTA-STS
 * sender refuses to deliver, each wait computed from the zone's TTLs, the
 * TLSA TTL and propagation delay, and the MTA-STS max_age.
 */
int
cmd_mail_plan(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "signed", required_argument, NULL, 's' },
		{ "mx", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NULL, *signed_path = NULL, *zname;
	const char *mx[HOSTS_MAX];
	size_t nmx = 0, step = 0;
	struct config *c = NULL;
	const struct zone_config *zc;
	struct zone *z = NULL;
	struct diag d;
	char w_mx[32], w_low[32], w_tlsa[32], w_age[32], w_prop[32];
	uint32_t mx_ttl_now, low = 300;
	int64_t tlsa_wait;
	bool sts;
	int ch, rc, ex = EXIT_OK;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config_path = optarg; break;
		case 's': signed_path = optarg; break;
		case 'm': {
			const char *colon = strchr(optarg, ':');
			unsigned prio;
			if (nmx == HOSTS_MAX)
				return cli_usage(cli, "mail plan: at most %d --mx",
				    HOSTS_MAX);
			if (colon != NULL && cli_parse_count(colon + 1, 65535,
			    &prio) != 0)
				return cli_usage(cli, "mail plan: --mx %s: the "
				    "preference after ':' is a number from 0 to 65535",
				    optarg);
			mx[nmx++] = optarg;
			break;
		}
		default: return cli_usage(cli, "mail plan: unknown option");
		}
	}
	if (optind + 1 != argc || nmx == 0)
		return cli_usage(cli, "mail plan: give ZONE and --mx HOST[:PRIO] "
		    "(one or more)");
	zname = argv[optind];
	diag_clear(&d);
	if ((rc = config_load(config_path ? config_path : CONFIG_DEFAULT_PATH, &c,
	    &d)) != 0)
		return cli_fail(cli, rc, &d, NULL);
	if ((zc = config_find_zone(c, zname)) == NULL) {
		ex = cli_usage(cli, "mail plan: zone '%s' is not in the config",
		    zname);
		goto out;
	}
	if ((rc = zone_load(signed_path ? signed_path : zc->output, zname,
	    SIGNING_DEFAULT_TTL, &z, &d)) != 0) {
		ex = cli_fail(cli, rc, &d, NULL);
		goto out;
	}
	if ((mx_ttl_now = mail_mx_ttl(z)) == 0) {
		ex = cli_usage(cli, "mail plan: %s has no MX set to move from "
		    "(publish the new MX records directly)", zname);
		goto out;
	}
	if (low > mx_ttl_now)
		low = mx_ttl_now;
	/* A TLSA record is safe once every server serves it and caches had 2 x TTL. */
	tlsa_wait = 2 * (int64_t)zc->tlsa_ttl + zc->propagation_delay;
	sts = zc->mta_sts != NULL && strcmp(zc->mta_sts, "none") != 0;
	duration_format(mx_ttl_now, w_mx, sizeof(w_mx));
	duration_format(low, w_low, sizeof(w_low));
	duration_format(tlsa_wait, w_tlsa, sizeof(w_tlsa));
	duration_format(zc->mta_sts_max_age, w_age, sizeof(w_age));
	duration_format(zc->propagation_delay, w_prop, sizeof(w_prop));

	printf("Moving the mail of %s to:", zname);
	for (size_t i = 0; i < nmx; i++) {
		const char *colon = strchr(mx[i], ':');
		if (colon != NULL)
			printf(" %.*s (preference %s)", (int)(colon - mx[i]), mx[i],
			    colon + 1);
		else
			printf(" %s", mx[i]);
	}
	printf("\n");
	printf("%zu. Lower the MX TTL to %s in %s, run zonewarden run, and wait "
	    "%s (the TTL caches hold now) + %s (propagation).\n", ++step, w_low,
	    zc->input, w_mx, w_prop);
	printf("%zu. Publish the new hosts' TLSA first: add a line "
	    "'tlsa = HOST 25 CERTFILE' to [zone %s] for each new host, run, and "
	    "wait %s (2 x tlsa-ttl + propagation-delay); check each with "
	    "'zonewarden tlsa probe HOST' once its mail server is up.\n", ++step,
	    zname, w_tlsa);
	if (sts && strcmp(zc->mta_sts, "enforce") == 0)
		printf("%zu. Set mta-sts = testing, run, and wait %s (max_age: "
		    "senders keep the enforce policy that long).\n", ++step, w_age);
	else if (sts)
		printf("%zu. mta-sts is testing already: make sure it has been for "
		    "%s (max_age) before the next step.\n", ++step, w_age);
	printf("%zu. Add the new MX records beside the old ones, with a lower "
	    "preference (higher number), run, and wait %s + %s; then check with "
	    "'zonewarden mail %s --live'.\n", ++step, w_low, w_prop, zname);
	printf("%zu. Give the new hosts their preferences (given above; the lowest "
	    "numbers are preferred), run, and wait %s + %s.\n", ++step, w_low,
	    w_prop);
	printf("%zu. Remove the old MX records, run, and wait %s + %s; then "
	    "remove the old hosts' tlsa lines and run again.\n", ++step, w_low,
	    w_prop);
	printf("%zu. Restore the MX TTL (%s) and run.\n", ++step, w_mx);
	if (sts)
		printf("%zu. Set mta-sts = %s again (the policy now lists the new "
		    "hosts) and run.\n", ++step, zc->mta_sts);
	{
		int64_t total = mx_ttl_now + zc->propagation_delay + tlsa_wait +
		    (sts && strcmp(zc->mta_sts, "enforce") == 0 ?
		    zc->mta_sts_max_age : 0) + 3 * ((int64_t)low +
		    zc->propagation_delay);
		char w_total[32];
		duration_format(total, w_total, sizeof(w_total));
		printf("At least %s from the first step to the last.\n", w_total);
	}
out:
	zone_free(z);
	config_free(c);
	return ex;
}
