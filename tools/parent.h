/* The parent's DS set for a zone: read from a file, or asked of the parent's name servers. */
#ifndef ZW_PARENT_H
#define ZW_PARENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"
#include "common/diag.h"

struct parent_ds {
	uint8_t **rdata;   /* DS rdata in wire form */
	size_t *len;
	size_t count;
};

/*
 * Read the DS records of zone from path (master-file lines such as `keys ds`
 * prints; others are ignored). An empty file is an empty DS set. Returns 0
 * or a status with d naming the file and line.
 */
int parent_ds_load(const char *path, const char *zone, struct parent_ds **out,
    struct diag *d) WUR;
void parent_ds_free(struct parent_ds *p);

/* What the parent's name servers serve. */
struct parent_answers {
	struct parent_ds *common;   /* what every one serves; empty until all are heard */
	struct parent_ds **server;  /* per name server: what every address of it
	                               that answered serves, NULL if none answered */
	unsigned servers, answered; /* name servers asked, and heard */
};

/*
 * Ask the parent (parent-ds-check = dns): find the parent zone's name
 * servers through resolver ("IP[@PORT]", or NULL for /etc/resolv.conf),
 * ask every address of every one of them for the DS of zone (no
 * recursion, DNSSEC OK), on the resolver's port, and give what each of
 * them serves and what they all serve (a server is heard when one of its
 * addresses answers; until every server is heard, nothing counts as seen).
 * out is to be freed with parent_answers_free, also on failure.
 */
int parent_ds_query(const char *zone, const char *resolver,
    struct parent_answers *out, struct diag *d) WUR;
void parent_answers_free(struct parent_answers *a);

#endif
