/*
 * The zone file reader: whatever it accepts, the writer can write (the
 * reader refuses what a name server could not load), and what the writer
 * writes reads back as the same records, line for line (by the hand
 * reader of our own RRSIG lines too), and writes again byte for byte with
 * every line copied from the first output; its image (zone_image_write)
 * reads back as the same records too. Our own-output reader, given
 * the input itself, accepts or refuses without a crash, and when both
 * readers accept it, they read the same records. Read in parts (as a
 * large input is), it gives the answer read whole gives.
 */
#include <strings.h>

#include "fuzz.h"
#include "zones/dname.h"
#include "zones/zone.h"
#include "zones/zones_internal.h"

/* Does a line of data start with "$INCLUDE" (in any case)? In a comment it is harmless. */
static int
has_include(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 8 <= size; i++)
		if (data[i] == '$' && (i == 0 || data[i - 1] == '\n' ||
		    data[i - 1] == '\r') &&
		    strncasecmp((const char *)data + i + 1, "INCLUDE", 7) == 0)
			return 1;
	return 0;
}

static void
fail(const char *what)
{
	fprintf(stderr, "fuzz_zone: %s\n", what);
	abort();
}

static bool
same_bytes(const struct zrr *a, const struct zrr *b)
{
	size_t len = dname_length(a->owner);

	return dname_length(b->owner) == len &&
	    memcmp(a->owner, b->owner, len) == 0 && a->ttl == b->ttl &&
	    a->type == b->type && a->rdlen == b->rdlen &&
	    memcmp(a->rdata, b->rdata, a->rdlen) == 0;
}

/* z written to path; its bytes (caller frees) and their length. */
static char *
write_to(const struct zone *z, const char *path, struct zone_text *from,
    size_t *len)
{
	FILE *f = fopen(path, "w");
	char *text;

	if (f == NULL || zone_write(z, f, 1, NULL, from, NULL) != 0)
		fail("accepted but not writable");
	if (fclose(f) != 0 || (f = fopen(path, "r")) == NULL)
		abort();
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	if ((text = malloc(*len + 1)) == NULL ||
	    fread(text, 1, *len, f) != *len)
		abort();
	fclose(f);
	return text;
}

/*
 * The reader of our own output, given the input as one part: it may
 * refuse what the general reader takes (directives, records over several
 * lines), but what it reads must be the same records from the same lines.
 */
static void
check_lines_reader(const struct zone *z, const uint8_t *data, size_t size,
    const char *path)
{
	struct zone *b = NULL;
	struct diag d;
	size_t n, nb;

	/* Taken as written though it is not (any order, duplicates): safe all the same. */
	if (zone_load_lines_buffer((const char *)data, size, path,
	    "example.com.", 3600, true, &b, &d) == 0)
		zone_free(b);
	b = NULL;
	if (zone_load_lines_buffer((const char *)data, size, path,
	    "example.com.", 3600, false, &b, &d) != 0)
		return;
	const struct zrr *ra = zone_records(z, &n), *rb = zone_records(b, &nb);
	if (n != nb)
		fail("the lines reader found another number of records");
	for (size_t i = 0; i < n; i++)
		if (!same_bytes(&ra[i], &rb[i]) || ra[i].line != rb[i].line)
			fail("the lines reader read a record differently");
	zone_free(b);
}

/*
 * The image of back (read from the text at path) reads back as back: the
 * same records, flags, lines, names shared and SOA.
 */
static void
check_image(const struct zone *back, const char *path)
{
	char image[128];
	uint8_t digest[ZONE_DIGEST_LEN];
	struct zone *img = NULL;
	size_t n, ni;
	int fd;

	snprintf(image, sizeof(image), "%s/written.img", fuzz_dir());
	if ((fd = open(image, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0)
		abort();
	if (zone_image_write(back, fd, digest) != 0)
		fail("read back but no image written");
	close(fd);
	if (zone_image_load(image, "example.com.", path, digest, &img) != 0)
		fail("image written but not readable");
	const struct zrr *b = zone_records(back, &n), *m = zone_records(img, &ni);
	if (ni != n || zone_soa(img) != &m[zone_soa(back) - b])
		fail("image read back with another record count or SOA");
	for (size_t i = 0; i < n; i++)
		if (!same_bytes(&m[i], &b[i]) || m[i].flags != b[i].flags ||
		    m[i].line != b[i].line || (i > 0 &&
		    (m[i].owner == m[i - 1].owner) !=
		    (b[i].owner == b[i - 1].owner)))
			fail("image read back differently");
	zone_free(img);
}

/* Write z, read it back, write it again from the first output. */
static void
round_trip(const struct zone *z)
{
	static struct fast_record r;
	char path[128], again_path[128];
	struct zone *back = NULL;
	struct diag d;
	size_t n, nb, len, again_len, line = 0;
	char *text, *again;
	int fd;

	snprintf(path, sizeof(path), "%s/written.zone", fuzz_dir());
	snprintf(again_path, sizeof(again_path), "%s/again.zone", fuzz_dir());
	text = write_to(z, path, NULL, &len);
	if (zone_load_lines(path, "example.com.", 3600, 1, NULL, NULL, &back,
	    &d) != 0)
		fail("written but not readable");
	const struct zrr *a = zone_records(z, &n), *b = zone_records(back, &nb);
	if (n != nb)
		fail("read back with another record count");
	/* Read back as written: the same records, names and flags, not checked for order. */
	struct zone *trusted = NULL;
	size_t nt;
	if (zone_load_lines_buffer(text, len, path, "example.com.", 3600, true,
	    &trusted, &d) != 0)
		fail("written but not readable as written");
	const struct zrr *t = zone_records(trusted, &nt);
	if (nt != n || zone_soa(trusted) != &t[zone_soa(back) - b])
		fail("read back as written with another record count or SOA");
	for (size_t i = 0; i < n; i++)
		if (!same_bytes(&t[i], &b[i]) || t[i].flags != b[i].flags ||
		    (i > 0 && (t[i].owner == t[i - 1].owner) !=
		    (b[i].owner == b[i - 1].owner)))
			fail("read back as written differently");
	zone_free(trusted);
	check_image(back, path);
	for (size_t i = 0, at = 0; i < n; i++) {
		const char *nl = memchr(text + at, '\n', len - at);
		if (!same_bytes(&a[i], &b[i]) || b[i].line != ++line || nl == NULL)
			fail("read back differently");
		/* The hand reader, where it takes a line, reads it the same. */
		size_t l = (size_t)(nl - (text + at)) + 1;
		if (fastline_parse(text + at, l, 0, &r) &&
		    (r.type != a[i].type || r.ttl != a[i].ttl ||
		    r.owner_len != dname_length(a[i].owner) ||
		    memcmp(r.owner, a[i].owner, r.owner_len) != 0 ||
		    r.rdlen != a[i].rdlen ||
		    memcmp(r.rdata, a[i].rdata, r.rdlen) != 0))
			fail("the hand reader read a written line differently");
		at += l;
	}
	if ((fd = open(path, O_RDONLY)) < 0)
		abort();
	struct zone_text from = { back, fd, len, 0 };
	again = write_to(z, again_path, &from, &again_len);
	close(fd);
	if (again_len != len || memcmp(again, text, len) != 0)
		fail("written again from the first output, not the same bytes");
	if (from.copied != n)
		fail("written again, not every line copied");
	free(again);
	free(text);
	zone_free(back);
}

/*
 * The input read in parts of a few bytes (as large files are): the same
 * answer as read whole (rc, z's records line for line, or the message).
 */
static void
check_parts(const char *path, int rc, const struct zone *z,
    const struct diag *d)
{
	struct zone *p = NULL;
	struct diag dp;
	bool in_parts;
	size_t n, np;

	if (zone_load_parts(path, "example.com.", 3600, 16, 2, &in_parts, &p,
	    &dp) != rc)
		fail("read in parts: another answer");
	if (rc != 0) {
		if (dp.line != d->line || strcmp(dp.text, d->text) != 0)
			fail("read in parts: another error");
		return;
	}
	const struct zrr *a = zone_records(z, &n), *b = zone_records(p, &np);
	if (n != np || zone_warning_count(z) != zone_warning_count(p))
		fail("read in parts: other records");
	for (size_t i = 0; i < n; i++)
		if (!same_bytes(&a[i], &b[i]) || a[i].line != b[i].line ||
		    a[i].flags != b[i].flags)
			fail("read in parts: another record");
	zone_free(p);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128];
	struct zone *z = NULL;
	struct diag d;
	int rc;

	/* No $INCLUDE of files outside the input: the reader is what is tested. */
	if (has_include(data, size))
		return 0;
	fuzz_write("input.zone", data, size, 0644, path, sizeof(path));
	diag_clear(&d);
	rc = zone_load(path, "example.com.", 3600, &z, &d);
	check_parts(path, rc, z, &d);
	if (rc == 0) {
		round_trip(z);
		check_lines_reader(z, data, size, path);
		zone_free(z);
	}
	z = NULL;
	if (zone_load_lines(path, "example.com.", 3600, 1, NULL, NULL, &z,
	    &d) == 0)
		zone_free(z);
	return 0;
}
