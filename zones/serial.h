/* SOA serial numbers: RFC 1982 arithmetic and the policies for the next serial. */
#ifndef ZW_SERIAL_H
#define ZW_SERIAL_H

#include <stdint.h>

#include "common/attr.h"

struct zone;

enum serial_policy {
	SERIAL_KEEP,        /* the input's serial, unchanged */
	SERIAL_INCREMENT,   /* input serial + 1 */
	SERIAL_UNIXTIME,    /* now in epoch seconds, or more than the input */
	SERIAL_DATESERIAL,  /* YYYYMMDDnn, or more than the input */
};

/* "keep", "increment", "unixtime", "dateserial". Returns 0 or STATUS_SYNTAX. */
int serial_policy_parse(const char *text, enum serial_policy *out) WUR;

/* RFC 1982 §3.2: is a greater than b in serial number arithmetic? */
int serial_is_greater(uint32_t a, uint32_t b);

/*
 * The serial to publish after `current` under policy at time now. Never
 * moves backwards in RFC 1982 terms: when the policy's value is not greater
 * than current, current + 1 is used (except for SERIAL_KEEP).
 */
uint32_t serial_next(enum serial_policy policy, uint32_t current, int64_t now);

/* The apex SOA serial of a finalized zone. */
uint32_t zone_serial(const struct zone *z);
/* Its SOA expire (RFC 1035 §3.3.13): how long secondaries serve without the primary. */
uint32_t zone_soa_expire(const struct zone *z);
/* Replace the apex SOA serial (the zone stays finalized). */
void zone_set_serial(struct zone *z, uint32_t serial);

#endif
