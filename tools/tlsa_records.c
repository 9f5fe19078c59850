/* The TLSA records that a zone's tlsa lines publish: computed from the deployed files, merged into the zone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/status.h"
#include "keys/tlsa.h"
#include "tlsa_records.h"
#include "tlsa_state.h"
#include "zones/dname.h"

#define OWNER_RECORDS_MAX 64

/* The records of one owner name, before they join the zone. */
struct owner_set {
	uint8_t owner[DNAME_MAX_LENGTH];
	struct tlsa_rdata rd[OWNER_RECORDS_MAX];
	size_t n;
	bool failed;                 /* a file of it could not be read */
};

/* _PORT._tcp.HOST in wire form. */
static int
tlsa_owner(const char *host, unsigned port, uint8_t *out)
{
	uint8_t name[DNAME_MAX_LENGTH];
	int rc = dname_parse(host, name);

	if (rc != 0)
		return rc;
	return dname_tlsa_owner(port, name, out) ? 0 : STATUS_SYNTAX;
}

/* rd once in set (key reuse gives the same record twice). */
static void
add_once(struct owner_set *set, const struct tlsa_rdata *rd)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->rd[i].len == rd->len &&
		    memcmp(set->rd[i].data, rd->data, rd->len) == 0 &&
		    memcmp(&set->rd[i].params, &rd->params, sizeof(rd->params)) == 0)
			return;
	if (set->n < OWNER_RECORDS_MAX)
		set->rd[set->n++] = *rd;
}

/*
 * The 3 1 1 of the file at path into set: a certificate or chain, or (for
 * a next key) a key, a CSR or a certificate. A failure is warned about.
 */
static void
add_file(const struct cli *cli, struct owner_set *set, const char *path,
    bool next, unsigned long line, const char *config_path)
{
	static const struct tlsa_params p311 = { TLSA_USAGE_DANE_EE,
	    TLSA_SELECTOR_SPKI, TLSA_MTYPE_SHA256 };
	struct tlsa_source *src = NULL;
	struct tlsa_rdata rd;
	struct diag d, w;
	size_t n;
	int rc;

	diag_clear(&d);
	rc = tlsa_source_load_cert(path, &src, &d);
	if (rc == STATUS_KEY_FORMAT && next) {
		diag_clear(&d);
		if ((rc = tlsa_source_load_key(path, &src, &d)) ==
		    STATUS_KEY_FORMAT) {
			diag_clear(&d);
			rc = tlsa_source_load_csr(path, &src, &d);
			if (rc == STATUS_KEY_FORMAT)
				diag_set(&d, path, 0, "no certificate, key or "
				    "certificate signing request in it");
		}
	}
	if (rc == 0 && (rc = tlsa_from_source(src, p311, &rd, 1, &n, &d)) == 0)
		add_once(set, &rd);
	tlsa_source_free(src);
	if (rc == 0)
		return;
	set->failed = true;
	diag_clear(&w);
	diag_set(&w, config_path, line, "tlsa: %s: %s%s%s: the last published "
	    "TLSA records stay", path, d.text, *d.text ? ": " : "",
	    status_str(rc));
	cli_warn(cli, &w);
}

/* Is there a TLSA record at owner in z? The first one, or NULL. */
static const struct zrr *
find_tlsa(const struct zone *z, const uint8_t *owner)
{
	size_t count;
	const struct zrr *rr = zone_records(z, &count);

	for (size_t i = 0; i < count; i++)
		if (rr[i].type == RRTYPE_TLSA && dname_equal(rr[i].owner, owner))
			return &rr[i];
	return NULL;
}

/* The TLSA RRset prev publishes at owner, added to z. */
static int
keep_published(struct zone *z, const struct zone *prev, const uint8_t *owner,
    uint32_t ttl, size_t *kept)
{
	size_t count;
	const struct zrr *rr;
	int rc = 0;

	*kept = 0;
	if (prev == NULL)
		return 0;
	rr = zone_records(prev, &count);
	for (size_t i = 0; i < count && rc == 0; i++)
		if (rr[i].type == RRTYPE_TLSA && dname_equal(rr[i].owner, owner)) {
			rc = zone_add(z, owner, RRTYPE_TLSA, ttl, rr[i].rdata,
			    rr[i].rdlen);
			(*kept)++;
		}
	return rc;
}

/*
 * What the rollover state adds at owner: each staged next key and the
 * record it replaces, and records on their way out until their time.
 */
static void
add_from_state(struct owner_set *set, const struct tlsa_state *st,
    int64_t now)
{
	uint8_t owner[DNAME_MAX_LENGTH];

	for (size_t i = 0; st != NULL && i < st->nstaged; i++) {
		const struct tlsa_staged *s = &st->staged[i];
		if (tlsa_owner(s->host, s->port, owner) != 0 ||
		    !dname_equal(owner, set->owner))
			continue;
		add_once(set, &s->next);
		if (s->has_replaces)
			add_once(set, &s->replaces);
	}
	for (size_t i = 0; st != NULL && i < st->nretiring; i++) {
		const struct tlsa_retiring *r = &st->retiring[i];
		if (r->until > now && tlsa_owner(r->host, r->port, owner) == 0 &&
		    dname_equal(owner, set->owner))
			add_once(set, &r->rd);
	}
}

int
tlsa_records_merge(const struct cli *cli, const struct zone_config *zc,
    const struct tlsa_state *st, struct zone *z, const struct zone *prev,
    struct diag *d)
{
	struct owner_set *sets;
	size_t nsets = 0;
	int rc = 0;

	if (zc->ntlsa == 0)
		return 0;
	if ((sets = calloc(zc->ntlsa, sizeof(*sets))) == NULL)
		return STATUS_NOMEM;
	/* One set per owner name, in the order the lines first name it. */
	for (size_t i = 0; i < zc->ntlsa; i++) {
		const struct tlsa_config *t = &zc->tlsa[i];
		uint8_t owner[DNAME_MAX_LENGTH];
		struct owner_set *set = NULL;
		const struct zrr *mine;

		if (tlsa_owner(t->host, t->port, owner) != 0) {
			diag_set(d, zc->config_file, t->line, "tlsa: no owner name for %s "
			    "port %u", t->host, t->port);
			rc = STATUS_SYNTAX;
			break;
		}
		/* The operator's own TLSA there would be published twice over. */
		if ((mine = find_tlsa(z, owner)) != NULL) {
			char name[DNAME_TEXT_MAX];
			dname_format(owner, name, sizeof(name));
			zone_diag_rr(z, mine, d, "TLSA at %s, where the config's "
			    "tlsa line (line %lu) publishes them from the "
			    "certificate: remove it from the zone file", name,
			    t->line);
			rc = STATUS_ZONE_CONTENT;
			break;
		}
		for (size_t k = 0; k < nsets && set == NULL; k++)
			if (dname_equal(sets[k].owner, owner))
				set = &sets[k];
		if (set == NULL) {
			set = &sets[nsets++];
			memcpy(set->owner, owner, dname_length(owner));
		}
		add_file(cli, set, t->cert, false, t->line, zc->config_file);
		if (t->next_key != NULL)
			add_file(cli, set, t->next_key, true, t->line,
			    zc->config_file);
	}
	for (size_t k = 0; k < nsets && rc == 0; k++) {
		struct owner_set *set = &sets[k];
		char name[DNAME_TEXT_MAX];
		size_t kept;

		dname_format(set->owner, name, sizeof(name));
		/* Never less than what is out there: the last set stays whole. */
		/*
		 * A file that cannot be read: what is published stays, with the
		 * records of the files that can be, and what a rollover keeps
		 * there (a staged first certificate).
		 */
		if (set->failed) {
			/* The files that can be read still count: a union, never less. */
			if ((rc = keep_published(z, prev, set->owner,
			    zc->tlsa_ttl, &kept)) != 0)
				break;
			add_from_state(set, st, cli->now);
			if (kept == 0 && set->n == 0) {
				struct diag w;
				diag_clear(&w);
				diag_set(&w, NULL, 0, "tlsa: nothing published at "
				    "%s yet, and its files cannot be read", name);
				cli_warn(cli, &w);
			}
		} else
			add_from_state(set, st, cli->now);
		for (size_t i = 0; i < set->n && rc == 0; i++) {
			uint8_t rdata[3 + sizeof(set->rd[i].data)];
			rdata[0] = set->rd[i].params.usage;
			rdata[1] = set->rd[i].params.selector;
			rdata[2] = set->rd[i].params.mtype;
			memcpy(rdata + 3, set->rd[i].data, set->rd[i].len);
			rc = zone_add(z, set->owner, RRTYPE_TLSA, zc->tlsa_ttl,
			    rdata, 3 + set->rd[i].len);
		}
		if (rc == 0 && set->n > TLSA_RECORDS_WARN) {
			struct diag w;
			diag_clear(&w);
			diag_set(&w, NULL, 0, "tlsa: %zu records at %s: more than "
			    "%d make answers large; keep to the current and the "
			    "next key per certificate", set->n, name,
			    TLSA_RECORDS_WARN);
			cli_warn(cli, &w);
		}
	}
	free(sets);
	if (rc == 0)
		rc = zone_finalize(z, d);
	return rc;
}
