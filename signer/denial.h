/* Internals of the denial-of-existence chains (NSEC, NSEC3). */
#ifndef ZW_DENIAL_H
#define ZW_DENIAL_H

#include "signer_internal.h"

/* What one owner name holds, as the chains see it. */
struct name_info {
	const uint8_t *owner;
	size_t begin, end;          /* its records */
	uint16_t types[512];        /* types for the bitmap, ascending, no chain types */
	size_t ntypes;
	bool at_cut, has_ds;
	bool has_signed;            /* holds an authoritative RRset */
	bool in_chain;              /* not glue-only, not an NSEC3 owner */
	bool is_nsec3;
	bool overflow;               /* more types than types[] holds */
};

/* Describe the name whose records start at index begin (finalized zone). */
void name_info(const struct zone *z, size_t begin, struct name_info *ni);

int nsec_verify_chain(const struct zone *z, struct diag *d) WUR;

#endif
