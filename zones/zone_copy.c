/*
 * Lines of our previous output copied into the new one: when a re-sign
 * keeps most records as they were, their text is already on disk, and
 * copying it (from a mapping of the old file, no formatting) costs a
 * fraction of writing it again. Like the reader, which maps the same
 * file, this assumes the file is not cut short while we run: it is our
 * output, replaced only by rename. If it were, the run would end as if
 * killed (SIGBUS) and the output would stay as it was.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/fileio.h"
#include "common/lines.h"
#include "common/status.h"
#include "zones_internal.h"

/* A run at least this long goes from the mapping to the file directly. */
#define DIRECT_RUN 16384u
/* Copied lines formatted anyway and compared (besides each run's first). */
#define COPY_CHECK_EVERY 64

size_t
zone_copy_first(const struct zone_text *from, const struct zrr *rr)
{
	size_t lo = 0, hi = from->z->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (zrr_order(&from->z->rr[mid], rr) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * The same bytes: owner (case too), TTL, type, rdata; old read from the
 * file itself (index 1), not from one it included.
 */
static bool
same_record(const struct zrr *old, const struct zrr *rr)
{
	size_t len;

	if (old->file != 1 || old->line == 0 || old->ttl != rr->ttl ||
	    old->type != rr->type || old->rdlen != rr->rdlen ||
	    memcmp(old->rdata, rr->rdata, rr->rdlen) != 0)
		return false;
	len = dname_length(rr->owner);
	return old->owner == rr->owner || (dname_length(old->owner) == len &&
	    memcmp(old->owner, rr->owner, len) == 0);
}

uint32_t
zone_copy_match(const struct zone_text *from, const struct zrr *rr, size_t *j)
{
	const struct zrr *old = from->z->rr;
	size_t n = from->z->count;
	int c = 1;

	/* Mostly the next old record is this one. */
	if (*j < n && same_record(&old[*j], rr))
		return old[(*j)++].line;
	while (*j < n && (c = zrr_order(&old[*j], rr)) < 0)
		(*j)++;
	if (*j >= n || c != 0)
		return 0;
	if (!same_record(&old[*j], rr))
		return 0;
	return old[(*j)++].line;
}

struct zone_copier {
	FILE *out;
	XXH3_state_t *md;
	uint8_t *map;               /* the old file's body, mapped (read only) */
	int fd;                     /* the old file */
	uint64_t body_len;
	uint64_t pos;               /* where line `line` starts */
	uint64_t released;          /* pages before this are let go */
	uint32_t line;
	size_t copied;              /* lines */
	struct zone_line_buf check;
	ldns_buffer *lb;
};

int
zone_copier_new(const struct zone_text *from, FILE *out, XXH3_state_t *md,
    struct zone_copier **cp)
{
	struct zone_copier *c = calloc(1, sizeof(*c));
	void *map;

	*cp = NULL;
	if (c == NULL || (c->lb = ldns_buffer_new(4096)) == NULL) {
		zone_copier_free(c);
		return STATUS_NOMEM;
	}
	c->out = out;
	c->md = md;
	c->body_len = from->body_len;
	c->fd = from->fd;
	c->line = 1;
	if (c->body_len > 0) {
		map = c->body_len <= SIZE_MAX ? mmap(NULL, (size_t)c->body_len,
		    PROT_READ, MAP_PRIVATE, from->fd, 0) : MAP_FAILED;
		/* The old file cannot be read as it was: format instead. */
		if (map == MAP_FAILED) {
			zone_copier_free(c);
			return ZONE_COPY_MISMATCH;
		}
		(void)madvise(map, (size_t)c->body_len, MADV_SEQUENTIAL);
		c->map = map;
	}
	*cp = c;
	return 0;
}

size_t
zone_copier_copied(const struct zone_copier *c)
{
	return c->copied;
}

/*
 * Pages before end are not read again: out of this process's memory, and
 * out of the page cache. The old file is the one the output replaces, so
 * nobody needs them once copied, and the pages the kernel frees go to the
 * new file's cache straight away. Otherwise the new file takes fresh
 * memory, which in a VM that hands freed memory back to its host costs as
 * much again as the copy. A page still dirty stays (its write to disk
 * starts); one dropped that is read again comes back from the disk, so
 * nothing is lost if we fail.
 */
static void
release_before(struct zone_copier *c, uint64_t end)
{
	const char *from = (const char *)c->map + c->released;
	uint64_t was = c->released;

	if (end - c->released < ZONE_RELEASE_STEP)
		return;
	c->released += (uint64_t)(zone_release_range(from,
	    (size_t)(end - c->released)) - from);
	if (c->released > was)
		(void)posix_fadvise(c->fd, (off_t)was, (off_t)(c->released - was),
		    POSIX_FADV_DONTNEED);
}

void
zone_copier_free(struct zone_copier *c)
{
	if (c == NULL)
		return;
	if (c->map != NULL) {
		munmap(c->map, (size_t)c->body_len);
		/* The rest of the old file too (lines not copied, its last line). */
		(void)posix_fadvise(c->fd, 0, 0, POSIX_FADV_DONTNEED);
	}
	free(c->check.buf);
	if (c->lb != NULL)
		ldns_buffer_free(c->lb);
	free(c);
}

/* Past count more lines (count > 0): c->pos and c->line move on. */
static int
skip_lines(struct zone_copier *c, uint32_t count)
{
	const char *p = lines_after((const char *)c->map + c->pos,
	    (const char *)c->map + c->body_len, count);

	if (p == NULL)
		return ZONE_COPY_MISMATCH;
	c->pos = (uint64_t)(p - (const char *)c->map);
	c->line += count;
	return 0;
}

/* Is the line [start, end) what zone_write writes for rr? */
static int
check_line(struct zone_copier *c, const struct zrr *rr, uint64_t start,
    uint64_t end)
{
	int rc;

	c->check.len = 0;
	if ((rc = zone_format_line(rr, &c->check, c->lb)) != 0)
		return rc;
	if (c->check.len != end - start ||
	    memcmp(c->check.buf, c->map + start, c->check.len) != 0)
		return ZONE_COPY_MISMATCH;
	return 0;
}

/*
 * Bytes [start, end) of the old file to the output: a long run straight
 * from the mapping (one copy, into the new file), a short one through
 * the stream's buffer.
 */
static int
copy_bytes(struct zone_copier *c, uint64_t start, uint64_t end)
{
	const uint8_t *p = c->map + start;
	size_t n = (size_t)(end - start);

	if (n < DIRECT_RUN)
		return fwrite(p, 1, n, c->out) == n ? 0 : status_from_errno(errno);
	if (fflush(c->out) != 0)
		return status_from_errno(errno);
	return file_write_all(fileno(c->out), p, n);
}

int
zone_copier_lines(struct zone_copier *c, const struct zone *z, size_t rec,
    uint32_t line, uint32_t count)
{
	uint64_t start, end;
	int rc;

	/* Our output's lines come in the order of its records. */
	if (line < c->line)
		return ZONE_COPY_MISMATCH;
	if (line > c->line && (rc = skip_lines(c, line - c->line)) != 0)
		return rc;
	start = c->pos;
	/*
	 * The run's first line is checked, then every COPY_CHECK_EVERY-th
	 * record's; the lines between go by unread.
	 */
	for (uint32_t k = 0, next; k < count; k++) {
		next = k == 0 ? 0 : k + (uint32_t)((COPY_CHECK_EVERY -
		    (rec + k) % COPY_CHECK_EVERY) % COPY_CHECK_EVERY);
		if (next > count)
			next = count;
		if (next > k && (rc = skip_lines(c, next - k)) != 0)
			return rc;
		if ((k = next) == count)
			break;
		end = c->pos;
		if ((rc = skip_lines(c, 1)) != 0 ||
		    (rc = check_line(c, &z->rr[rec + k], end, c->pos)) != 0)
			return rc;
	}
	end = c->pos;
	if (c->md != NULL)
		(void)XXH3_128bits_update(c->md, c->map + start,
		    (size_t)(end - start));
	c->copied += count;
	if ((rc = copy_bytes(c, start, end)) != 0)
		return rc;
	release_before(c, end);
	return 0;
}
