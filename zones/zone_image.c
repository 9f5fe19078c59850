/*
 * A zone's records as bytes, in the order written: read back in one
 * block that the records point into, with no text to parse. The signer
 * writes one beside each large output and reads it on the
 * next run instead of that output's text (tools/signing.c).
 *
 * The file: a header (magic, version, the ZONE_WRITE_FORMAT of the text it
 * stands for, the number of records, the payload's length and digest) in
 * a block of its own, IMAGE_BLOCK bytes, then the payload: each record,
 * its owner's length (0: the owner of the record before) and the owner,
 * TTL (4 bytes), type (2), rdata length (2), rdata. Numbers are
 * little-endian. (The header's block is from when the file was written
 * past the page cache; it stays, so that older caches still read.)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/bigmem.h"
#include "common/fileio.h"
#include "common/status.h"
#include "zones_internal.h"

#define IMAGE_MAGIC "zwimage\n"
#define IMAGE_VERSION 1u
#define IMAGE_BLOCK 4096u
#define IMAGE_HEADER IMAGE_BLOCK
/* Written in steps of this many bytes. */
#define IMAGE_BUFFER (8u << 20)
/* Read in steps of this many: each is hashed while in the CPU's cache. */
#define IMAGE_READ_STEP (1u << 20)
/* Owner, TTL, type, rdata length, rdata: the most one record takes. */
#define IMAGE_RECORD_MAX (1 + DNAME_MAX_LENGTH + 8 + UINT16_MAX)

struct image_header {
	uint32_t version, format;
	uint64_t records, payload_len;
	uint8_t digest[ZONE_DIGEST_LEN];
};

static void
put_u16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
put_u32(uint8_t *p, uint32_t v)
{
	put_u16(p, (uint16_t)v);
	put_u16(p + 2, (uint16_t)(v >> 16));
}

static void
put_u64(uint8_t *p, uint64_t v)
{
	put_u32(p, (uint32_t)v);
	put_u32(p + 4, (uint32_t)(v >> 32));
}

static uint16_t
get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
get_u32(const uint8_t *p)
{
	return get_u16(p) | (uint32_t)get_u16(p + 2) << 16;
}

static uint64_t
get_u64(const uint8_t *p)
{
	return get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static void
header_format(const struct image_header *h, uint8_t out[IMAGE_HEADER])
{
	memcpy(out, IMAGE_MAGIC, 8);
	put_u32(out + 8, h->version);
	put_u32(out + 12, h->format);
	put_u64(out + 16, h->records);
	put_u64(out + 24, h->payload_len);
	memcpy(out + 32, h->digest, ZONE_DIGEST_LEN);
}

static bool
header_parse(const uint8_t in[IMAGE_HEADER], struct image_header *h)
{
	if (memcmp(in, IMAGE_MAGIC, 8) != 0)
		return false;
	h->version = get_u32(in + 8);
	h->format = get_u32(in + 12);
	h->records = get_u64(in + 16);
	h->payload_len = get_u64(in + 24);
	memcpy(h->digest, in + 32, ZONE_DIGEST_LEN);
	return true;
}

/* Record rr at p (room for IMAGE_RECORD_MAX); its length. */
static size_t
put_record(uint8_t *p, const struct zrr *rr, const struct zrr *before)
{
	size_t olen = dname_length(rr->owner), n = 0;

	if (before != NULL && (before->owner == rr->owner ||
	    (dname_length(before->owner) == olen &&
	    memcmp(before->owner, rr->owner, olen) == 0)))
		p[n++] = 0;
	else {
		p[n++] = (uint8_t)olen;
		memcpy(p + n, rr->owner, olen);
		n += olen;
	}
	put_u32(p + n, rr->ttl);
	put_u16(p + n + 4, rr->type);
	put_u16(p + n + 6, rr->rdlen);
	n += 8;
	memcpy(p + n, rr->rdata, rr->rdlen);
	return n + rr->rdlen;
}

int
zone_image_write(const struct zone *z, int fd, uint8_t digest[ZONE_DIGEST_LEN])
{
	struct image_header h = { IMAGE_VERSION, ZONE_WRITE_FORMAT, z->count,
	    0, { 0 } };
	uint8_t *buf = NULL;
	XXH3_state_t *md = NULL;
	XXH128_canonical_t c;
	size_t len = 0;
	off_t at = IMAGE_HEADER;
	int rc = 0;

	if (!z->finalized)
		return STATUS_INTERNAL;
	if (lseek(fd, IMAGE_HEADER, SEEK_SET) < 0)
		return status_from_errno(errno);
	if ((md = XXH3_createState()) == NULL ||
	    (buf = malloc(IMAGE_BUFFER + IMAGE_RECORD_MAX)) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	(void)XXH3_128bits_reset(md);
	for (size_t i = 0; i < z->count; i++) {
		len += put_record(buf + len, &z->rr[i], i > 0 ? &z->rr[i - 1] :
		    NULL);
		if (len >= IMAGE_BUFFER || i + 1 == z->count) {
			(void)XXH3_128bits_update(md, buf, len);
			if ((rc = file_write_all(fd, buf, len)) != 0)
				goto out;
			at += (off_t)len;
			h.payload_len += len;
			len = 0;
		}
	}
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(md));
	memcpy(h.digest, c.digest, ZONE_DIGEST_LEN);
	memset(buf, 0, IMAGE_HEADER);
	header_format(&h, buf);
	if (lseek(fd, 0, SEEK_SET) < 0)
		goto failed;
	if ((rc = file_write_all(fd, buf, IMAGE_HEADER)) != 0)
		goto out;
	if (ftruncate(fd, at) != 0)
		goto failed;
	memcpy(digest, h.digest, ZONE_DIGEST_LEN);
	goto out;
failed:
	rc = status_from_errno(errno);
out:
	free(buf);
	XXH3_freeState(md);
	return rc;
}

int
zone_image_file(const char *path, const uint8_t *payload, size_t len,
    uint64_t records, uint8_t digest[ZONE_DIGEST_LEN])
{
	struct image_header h = { IMAGE_VERSION, ZONE_WRITE_FORMAT, records,
	    len, { 0 } };
	uint8_t head[IMAGE_HEADER] = { 0 };
	XXH128_canonical_t c;
	int fd, rc = 0;

	XXH128_canonicalFromHash(&c, XXH3_128bits(payload, len));
	memcpy(h.digest, c.digest, ZONE_DIGEST_LEN);
	header_format(&h, head);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) < 0)
		return status_from_errno(errno);
	if ((rc = file_write_all(fd, head, sizeof(head))) == 0)
		rc = file_write_all(fd, payload, len);
	if (close(fd) != 0 && rc == 0)
		rc = status_from_errno(errno);
	if (rc == 0)
		memcpy(digest, h.digest, ZONE_DIGEST_LEN);
	return rc;
}

/*
 * The records of the payload [p, end) into z, pointing into it: each
 * checked as the text reader checks what it reads (owner in the zone,
 * rdata well formed); record i has line i + 1 of file.
 */
static int
take_records(struct zone *z, const uint8_t *p, const uint8_t *end,
    uint64_t records, uint16_t file)
{
	const uint8_t *owner = NULL;
	int rc;

	/* Each record takes 9 bytes at least. */
	if (records > (uint64_t)(end - p) / 9 || records >= UINT32_MAX)
		return STATUS_SYNTAX;
	if ((rc = zone_reserve(z, (size_t)records)) != 0)
		return rc;
	for (uint64_t i = 0; i < records; i++) {
		struct zrr *rr = &z->rr[z->count];
		size_t olen = *p++;

		if (olen > 0) {
			if ((size_t)(end - p) < olen ||
			    dname_length_within(p, olen) != olen ||
			    !dname_is_below_or_at(p, z->origin))
				return STATUS_SYNTAX;
			owner = p;
			p += olen;
		} else if (owner == NULL)
			return STATUS_SYNTAX;
		if (end - p < 8)
			return STATUS_SYNTAX;
		rr->owner = owner;
		rr->ttl = get_u32(p);
		rr->type = get_u16(p + 4);
		rr->rdlen = get_u16(p + 6);
		p += 8;
		if ((size_t)(end - p) < rr->rdlen ||
		    rdata_check(rr->type, p, rr->rdlen) != NULL)
			return STATUS_SYNTAX;
		rr->rdata = rr->rdlen > 0 ? p : owner;
		p += rr->rdlen;
		rr->line = (uint32_t)i + 1;
		rr->file = file;
		rr->flags = 0;
		z->count++;
		/* The next record's owner length, or the end. */
		if (i + 1 < records && p == end)
			return STATUS_SYNTAX;
	}
	return p == end ? 0 : STATUS_SYNTAX;
}

/*
 * The payload of fd (len bytes after the header) into a block of its own,
 * read in steps and hashed step by step while each is in the CPU's cache.
 * Read, not mapped: on a VM that shadows page tables, walking a file's
 * mapping took twice as long as reading it. Returns the block or NULL.
 */
static uint8_t *
read_payload(int fd, size_t len, uint8_t digest[ZONE_DIGEST_LEN])
{
	uint8_t *buf = big_alloc(len > 0 ? len : 1);
	XXH3_state_t *md = XXH3_createState();
	XXH128_canonical_t c;
	size_t at = 0;

	if (buf == NULL || md == NULL)
		goto fail;
	(void)XXH3_128bits_reset(md);
	while (at < len) {
		size_t step = len - at < IMAGE_READ_STEP ? len - at :
		    IMAGE_READ_STEP;

		if (file_read_at(fd, buf + at, step, IMAGE_HEADER + at) != 0)
			goto fail;
		(void)XXH3_128bits_update(md, buf + at, step);
		at += step;
	}
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(md));
	memcpy(digest, c.digest, ZONE_DIGEST_LEN);
	XXH3_freeState(md);
	return buf;
fail:
	XXH3_freeState(md);
	free(buf);
	return NULL;
}

int
zone_image_load(const char *path, const char *origin, const char *text,
    const uint8_t digest[ZONE_DIGEST_LEN], struct zone **out)
{
	struct image_header h;
	uint8_t head[IMAGE_HEADER], got[ZONE_DIGEST_LEN];
	struct zone *z = NULL;
	struct stat st;
	uint8_t *payload;
	uint16_t file;
	int fd, rc;

	*out = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return status_from_errno(errno);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    !header_parse(head, &h) || h.version != IMAGE_VERSION ||
	    h.format != ZONE_WRITE_FORMAT ||
	    memcmp(h.digest, digest, ZONE_DIGEST_LEN) != 0 ||
	    h.payload_len != (uint64_t)st.st_size - IMAGE_HEADER ||
	    h.payload_len > SIZE_MAX) {
		close(fd);
		return STATUS_SYNTAX;
	}
	payload = read_payload(fd, (size_t)h.payload_len, got);
	close(fd);
	if (payload == NULL)
		return STATUS_SYNTAX;
	if (memcmp(got, digest, ZONE_DIGEST_LEN) != 0) {
		free(payload);
		return STATUS_SYNTAX;
	}
	if ((rc = zone_new(origin, &z)) != 0) {
		free(payload);
		return rc;
	}
	z->image = payload;
	if ((rc = zone_add_file_name(z, text, &file)) != 0 ||
	    (rc = take_records(z, payload, payload + h.payload_len, h.records,
	    file)) != 0 ||
	    (rc = zone_finalize_written(z, NULL)) != 0) {
		zone_free(z);
		return rc;
	}
	*out = z;
	return 0;
}
