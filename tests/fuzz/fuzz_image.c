/*
 * The record image reader (zone_image_load), given any payload under a
 * true digest (the first two bytes of the input name how many records it
 * holds): it accepts or refuses without a crash or a read past the file;
 * what it accepts, written as an image again, reads back as the same
 * records. Else: abort.
 */
#include "fuzz.h"
#include "zones/dname.h"
#include "zones/zone.h"
#include "zones/zones_internal.h"

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_image: %s\n", what);
	abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128], again[128];
	uint8_t digest[ZONE_DIGEST_LEN];
	struct zone *z = NULL, *back = NULL;
	size_t n, nb;
	int fd;

	if (size < 2)
		return 0;
	snprintf(path, sizeof(path), "%s/input.img", fuzz_dir());
	snprintf(again, sizeof(again), "%s/again.img", fuzz_dir());
	if (zone_image_file(path, data + 2, size - 2,
	    (uint64_t)(data[0] | data[1] << 8), digest) != 0)
		abort();
	if (zone_image_load(path, "example.com.", "input.zone", digest, &z) != 0)
		return 0;
	if ((fd = open(again, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		abort();
	if (zone_image_write(z, fd, digest) != 0)
		fail("accepted but not written again");
	close(fd);
	if (zone_image_load(again, "example.com.", "input.zone", digest,
	    &back) != 0)
		fail("written again but not readable");
	const struct zrr *a = zone_records(z, &n), *b = zone_records(back, &nb);
	if (n != nb || zone_soa(back) != &b[zone_soa(z) - a])
		fail("read again with another record count or SOA");
	for (size_t i = 0; i < n; i++)
		if (dname_length(a[i].owner) != dname_length(b[i].owner) ||
		    memcmp(a[i].owner, b[i].owner, dname_length(a[i].owner)) ||
		    a[i].ttl != b[i].ttl || a[i].type != b[i].type ||
		    a[i].rdlen != b[i].rdlen ||
		    memcmp(a[i].rdata, b[i].rdata, a[i].rdlen) != 0 ||
		    a[i].flags != b[i].flags || a[i].line != b[i].line)
			fail("read again differently");
	zone_free(z);
	zone_free(back);
	return 0;
}
