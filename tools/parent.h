/* The parent's DS set for a zone, read from a file (parent-ds-check = file:PATH). */
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

#endif
