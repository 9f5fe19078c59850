/* Master-file output of records, formatted by ldns. */
#include <ldns/ldns.h>
#include <string.h>

#include "common/status.h"
#include "zones_internal.h"

#define CLASS_IN 1

/* Serialize rr as a full wire RR into wire (large enough) and return its length. */
static size_t
rr_to_wire(const struct zrr *rr, uint8_t *wire)
{
	size_t olen = dname_length(rr->owner), p = olen;

	memcpy(wire, rr->owner, olen);
	wire[p++] = (uint8_t)(rr->type >> 8);
	wire[p++] = (uint8_t)rr->type;
	wire[p++] = 0;
	wire[p++] = CLASS_IN;
	wire[p++] = (uint8_t)(rr->ttl >> 24);
	wire[p++] = (uint8_t)(rr->ttl >> 16);
	wire[p++] = (uint8_t)(rr->ttl >> 8);
	wire[p++] = (uint8_t)rr->ttl;
	wire[p++] = (uint8_t)(rr->rdlen >> 8);
	wire[p++] = (uint8_t)rr->rdlen;
	memcpy(wire + p, rr->rdata, rr->rdlen);
	return p + rr->rdlen;
}

/* Format rr into the ldns buffer (cleared first). */
static int
format_into(const struct zrr *rr, ldns_buffer *text)
{
	static _Thread_local uint8_t wire[DNAME_MAX_LENGTH + 10 + 65535];
	ldns_rr *lrr = NULL;
	size_t pos = 0, len = rr_to_wire(rr, wire);
	int rc = 0;

	ldns_buffer_clear(text);
	if (ldns_wire2rr(&lrr, wire, len, &pos, LDNS_SECTION_ANSWER) !=
	    LDNS_STATUS_OK)
		return STATUS_INVAL;
	if (ldns_rr2buffer_str_fmt(text, ldns_output_format_nocomments, lrr) !=
	    LDNS_STATUS_OK)
		rc = STATUS_NOMEM;
	ldns_rr_free(lrr);
	return rc;
}

int
zrr_format(const struct zrr *rr, char *buf, size_t size)
{
	ldns_buffer *text = ldns_buffer_new(256);
	size_t n;
	int rc;

	if (text == NULL)
		return STATUS_NOMEM;
	if ((rc = format_into(rr, text)) != 0)
		goto out;
	n = ldns_buffer_position(text);
	/* ldns ends each RR with a newline; callers add their own. */
	while (n > 0 && ldns_buffer_at(text, n - 1)[0] == '\n')
		n--;
	if (n >= size) {
		rc = STATUS_RANGE;
		goto out;
	}
	memcpy(buf, ldns_buffer_begin(text), n);
	buf[n] = '\0';
out:
	ldns_buffer_free(text);
	return rc;
}

int
zone_write(const struct zone *z, FILE *out)
{
	ldns_buffer *text = ldns_buffer_new(4096);
	int rc = 0;

	if (text == NULL)
		return STATUS_NOMEM;
	for (size_t i = 0; i < z->count; i++) {
		if ((rc = format_into(&z->rr[i], text)) != 0)
			break;
		if (fwrite(ldns_buffer_begin(text), 1, ldns_buffer_position(text),
		    out) != ldns_buffer_position(text)) {
			rc = status_from_errno(errno);
			break;
		}
	}
	ldns_buffer_free(text);
	return rc;
}
