/* SOA serial policies (RFC 1982 serial number arithmetic). */
#include <string.h>
#include <time.h>

#include "common/status.h"
#include "serial.h"
#include "zones_internal.h"

int
serial_policy_parse(const char *text, enum serial_policy *out)
{
	static const struct { const char *name; enum serial_policy p; } t[] = {
		{ "keep", SERIAL_KEEP }, { "increment", SERIAL_INCREMENT },
		{ "unixtime", SERIAL_UNIXTIME }, { "dateserial", SERIAL_DATESERIAL },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(text, t[i].name) == 0) {
			*out = t[i].p;
			return 0;
		}
	return STATUS_SYNTAX;
}

int
serial_is_greater(uint32_t a, uint32_t b)
{
	/* RFC 1982 §3.2 with SERIAL_BITS = 32; the exact half is undefined: not greater. */
	return (a < b && b - a > 0x80000000u) || (a > b && a - b < 0x80000000u);
}

uint32_t
serial_next(enum serial_policy policy, uint32_t current, int64_t now)
{
	uint32_t want;

	switch (policy) {
	case SERIAL_KEEP:
		return current;
	case SERIAL_UNIXTIME:
		want = (uint32_t)now;
		break;
	case SERIAL_DATESERIAL: {
		struct tm tm;
		time_t t = (time_t)now;
		gmtime_r(&t, &tm);
		want = (uint32_t)((tm.tm_year + 1900) * 1000000u +
		    (unsigned)(tm.tm_mon + 1) * 10000u + (unsigned)tm.tm_mday * 100u);
		break;
	}
	case SERIAL_INCREMENT:
	default:
		want = current + 1;
		break;
	}
	return serial_is_greater(want, current) ? want : current + 1;
}

/*
 * The serial is the first field after MNAME and RNAME (RFC 1035 §3.3.13);
 * zone_finalize made sure that both names and the five numbers are there.
 */
static size_t
serial_offset(const struct zrr *soa)
{
	size_t a = dname_length(soa->rdata);
	return a + dname_length(soa->rdata + a);
}

/* The SOA's 32-bit number at index (0 serial, 1 refresh, ... 4 minimum). */
static uint32_t
soa_number(const struct zone *z, size_t index)
{
	const struct zrr *soa = &z->rr[z->soa];
	const uint8_t *p = soa->rdata + serial_offset(soa) + 4 * index;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

uint32_t
zone_serial(const struct zone *z)
{
	return soa_number(z, 0);
}

uint32_t
zone_soa_expire(const struct zone *z)
{
	return soa_number(z, 3);
}

void
zone_set_serial(struct zone *z, uint32_t serial)
{
	/* rdata lives in the zone's own arena: writable by the zone. */
	const struct zrr *soa = &z->rr[z->soa];
	uint8_t *p = (uint8_t *)(uintptr_t)soa->rdata + serial_offset(soa);

	p[0] = (uint8_t)(serial >> 24);
	p[1] = (uint8_t)(serial >> 16);
	p[2] = (uint8_t)(serial >> 8);
	p[3] = (uint8_t)serial;
}
