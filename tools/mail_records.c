/* TLS-RPT and MTA-STS records and the MTA-STS policy file, from the config and the zone's MX set. */
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/encode.h"
#include "common/fileio.h"
#include "common/status.h"
#include "mail_records.h"
#include "zones/dname.h"

#define MAIL_TTL_DEFAULT 3600

static int
compare_text(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

int
mail_sts_policy(const struct zone *z, const char *mode, int64_t max_age,
    char **text, size_t *len)
{
	size_t count, n = 0, size = 128;
	const struct zrr *rr = zone_records(z, &count);
	char (*hosts)[DNAME_TEXT_MAX] = NULL, **sorted = NULL, *out = NULL;
	const uint8_t *apex = zone_origin(z);
	int rc = 0;

	*text = NULL;
	for (size_t i = 0; i < count; i++)
		n += rr[i].type == RRTYPE_MX;
	if ((hosts = calloc(n + 1, sizeof(*hosts))) == NULL ||
	    (sorted = calloc(n + 1, sizeof(*sorted))) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	n = 0;
	for (size_t i = 0; i < count; i++) {
		const uint8_t *host = zrr_mx_host(&rr[i]);
		char *dot;
		if (host == NULL || !dname_equal(rr[i].owner, apex))
			continue;
		dname_format(host, hosts[n], DNAME_TEXT_MAX);
		/* A policy line holds a plain host name (RFC 8461 §3.2). */
		if (strpbrk(hosts[n], "\\ ") != NULL) {
			rc = STATUS_ZONE_CONTENT;
			goto out;
		}
		if ((dot = strrchr(hosts[n], '.')) != NULL && dot[1] == '\0')
			*dot = '\0';
		sorted[n] = hosts[n];
		size += strlen(hosts[n]) + 8;
		n++;
	}
	/* RFC 8461 §3.2: enforce and testing name one host at least. */
	if (n == 0 && strcmp(mode, "none") != 0) {
		rc = STATUS_RANGE;
		goto out;
	}
	qsort(sorted, n, sizeof(*sorted), compare_text);
	if ((out = malloc(size)) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	*len = (size_t)snprintf(out, size, "version: STSv1\r\nmode: %s\r\n", mode);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcasecmp(sorted[i], sorted[i - 1]) != 0)
			*len += (size_t)snprintf(out + *len, size - *len,
			    "mx: %s\r\n", sorted[i]);
	*len += (size_t)snprintf(out + *len, size - *len, "max_age: %lld\r\n",
	    (long long)max_age);
	*text = out;
	out = NULL;
out:
	free(out);
	free(hosts);
	free(sorted);
	return rc;
}

void
mail_sts_id(const char *text, size_t len, char id[21])
{
	uint8_t digest[32];
	char hex[65];

	EVP_Digest(text, len, digest, NULL, EVP_sha256(), NULL);
	hex_encode(digest, sizeof(digest), hex);
	memcpy(id, hex, 20);
	id[20] = '\0';
}

int
mail_tls_rpt_text(const char *uris, char *out, size_t size)
{
	char uri[1024];
	int used;
	size_t n = (size_t)snprintf(out, size, "v=TLSRPTv1; rua=");
	bool first = true;

	for (const char *p = uris; sscanf(p, "%1023s%n", uri, &used) == 1;
	    p += used) {
		n += (size_t)snprintf(out + (n < size ? n : size),
		    n < size ? size - n : 0, "%s%s", first ? "" : ",", uri);
		first = false;
	}
	return n < size ? 0 : STATUS_RANGE;
}

/* text as TXT rdata: character-strings of at most 255 bytes. */
static size_t
txt_rdata(const char *text, uint8_t *out, size_t size)
{
	size_t len = strlen(text), n = 0;

	for (size_t at = 0; at < len || at == 0; at += 255) {
		size_t part = len - at < 255 ? len - at : 255;
		if (n + 1 + part > size)
			return 0;
		out[n++] = (uint8_t)part;
		memcpy(out + n, text + at, part);
		n += part;
		if (len == 0)
			break;
	}
	return n;
}

/* labels (presentation form, "_smtp._tls") below the zone apex, into out (DNAME_MAX_LENGTH). */
static bool
owner_below(const uint8_t *apex, const char *labels, uint8_t *out)
{
	char zone[DNAME_TEXT_MAX], text[DNAME_TEXT_MAX + 64];

	dname_format(apex, zone, sizeof(zone));
	snprintf(text, sizeof(text), "%s.%s", labels, zone);
	return dname_parse(text, out) == 0;
}

/* A TXT record the zone file holds at owner, or NULL. */
static const struct zrr *
find_txt(const struct zone *z, const uint8_t *owner)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	for (size_t i = 0; i < count; i++)
		if (rr[i].type == RRTYPE_TXT && dname_equal(rr[i].owner, owner))
			return &rr[i];
	return NULL;
}

uint32_t
mail_mx_ttl(const struct zone *z)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	for (size_t i = 0; i < count; i++)
		if (rr[i].type == RRTYPE_MX && dname_equal(rr[i].owner,
		    zone_origin(z)))
			return rr[i].ttl;
	return 0;
}

/* Put text as a TXT record at label.ZONE; the zone file must not have one there. */
static int
add_txt(struct zone *z, const struct zone_config *zc, const char *label,
    const char *key, const char *text, uint32_t ttl, struct diag *d)
{
	uint8_t owner[DNAME_MAX_LENGTH], rdata[1400];
	const struct zrr *mine;
	size_t len;

	if (!owner_below(zone_origin(z), label, owner)) {
		diag_set(d, zc->config_file, zc->line, "%s: no room for %s below "
		    "the zone's name", key, label);
		return STATUS_SYNTAX;
	}
	if ((mine = find_txt(z, owner)) != NULL) {
		zone_diag_rr(z, mine, d, "the config's %s publishes this TXT "
		    "set: remove it from the zone file", key);
		return STATUS_ZONE_CONTENT;
	}
	if ((len = txt_rdata(text, rdata, sizeof(rdata))) == 0) {
		diag_set(d, zc->config_file, zc->line, "%s: the record is too "
		    "long", key);
		return STATUS_SYNTAX;
	}
	return zone_add(z, owner, RRTYPE_TXT, ttl, rdata, len);
}

struct policy_text {
	const char *text;
	size_t len;
};

static int
write_policy(FILE *out, void *arg)
{
	const struct policy_text *p = arg;

	return fwrite(p->text, 1, p->len, out) == p->len ? 0 : -EIO;
}

int
mail_policy_write(const struct zone_config *zc, const char *policy,
    size_t len, struct diag *d)
{
	struct policy_text p = { policy, len };
	char *have = NULL;
	size_t have_len = 0;
	int rc = 0;

	if (policy == NULL)
		return 0;
	if (file_read_all(zc->mta_sts_policy, &have, &have_len) != 0 ||
	    have_len != len || memcmp(have, policy, len) != 0) {
		if ((rc = file_replace(zc->mta_sts_policy, 0644, write_policy,
		    &p)) != 0)
			diag_set(d, zc->mta_sts_policy, 0, "cannot write the MTA-STS "
			    "policy");
	}
	free(have);
	return rc;
}

int
mail_records_merge(const struct cli *cli, const struct zone_config *zc,
    struct zone *z, char **policy, size_t *policy_len, struct diag *d)
{
	uint32_t ttl = mail_mx_ttl(z) != 0 ? mail_mx_ttl(z) : MAIL_TTL_DEFAULT;
	char text[1200];
	int rc = 0;

	(void)cli;
	*policy = NULL;
	*policy_len = 0;
	if (zc->tls_rpt == NULL && zc->mta_sts == NULL)
		return 0;
	if (zc->tls_rpt != NULL) {
		if (mail_tls_rpt_text(zc->tls_rpt, text, sizeof(text)) != 0) {
			diag_set(d, zc->config_file, zc->line, "tls-rpt: the report "
			    "addresses make a record longer than %zu bytes",
			    sizeof(text) - 1);
			return STATUS_SYNTAX;
		}
		if ((rc = add_txt(z, zc, "_smtp._tls", "tls-rpt", text, ttl,
		    d)) != 0)
			return rc;
	}
	if (zc->mta_sts != NULL) {
		char id[21];

		if ((rc = mail_sts_policy(z, zc->mta_sts, zc->mta_sts_max_age,
		    policy, policy_len)) != 0) {
			if (rc == STATUS_RANGE)
				diag_set(d, zc->input, 0, "mta-sts = %s needs an MX "
				    "host for the policy's mx lines (RFC 8461); with "
				    "none (or a null MX) use mta-sts = none",
				    zc->mta_sts);
			else if (rc == STATUS_ZONE_CONTENT)
				diag_set(d, zc->input, 0, "an MX host whose name "
				    "cannot be written in an MTA-STS policy (an "
				    "escaped character)");
			return rc == STATUS_NOMEM ? rc : STATUS_ZONE_CONTENT;
		}
		mail_sts_id(*policy, *policy_len, id);
		snprintf(text, sizeof(text), "v=STSv1; id=%s", id);
		if ((rc = add_txt(z, zc, "_mta-sts", "mta-sts", text, ttl, d)) != 0) {
			free(*policy);
			*policy = NULL;
			return rc;
		}
	}
	return zone_finalize(z, d);
}
