/*
 * Lines of our previous output copied into the new one: when a re-sign
 * keeps most records as they were, their text is already on disk, and
 * copying it (read through a window, no formatting) costs a fraction of
 * writing it again. A file that reads short, or otherwise than the lines
 * checked say, is not copied from: every line is formatted instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/fileio.h"
#include "common/lines.h"
#include "common/status.h"
#include "zones_internal.h"

/* A run at least this long goes from the window to the file directly. */
#define DIRECT_RUN 16384u
/*
 * The old file is read this much at a time (on a VM that shadows page
 * tables, walking a mapping of it took twice as long), each piece
 * scanned, hashed and written while in the CPU's cache. Far more than
 * the longest line zone_write writes (rdata of 65535 octets in hex).
 */
#define COPY_WINDOW (1u << 20)
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
	uint8_t *buf;               /* the window: bytes [off, off + len) of the old file */
	uint64_t off;
	size_t len;
	int fd;                     /* the old file */
	uint64_t body_len;
	uint64_t pos;               /* where line `line` starts */
	uint64_t pending;           /* a run's bytes from here to pos: not written yet */
	bool in_run;
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

	*cp = NULL;
	if (c == NULL || (c->lb = ldns_buffer_new(4096)) == NULL ||
	    (c->buf = malloc(COPY_WINDOW)) == NULL) {
		zone_copier_free(c);
		return STATUS_NOMEM;
	}
	c->out = out;
	c->md = md;
	c->body_len = from->body_len;
	c->fd = from->fd;
	c->line = 1;
	(void)posix_fadvise(c->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	*cp = c;
	return 0;
}

size_t
zone_copier_copied(const struct zone_copier *c)
{
	return c->copied;
}

/*
 * Pages before end are not read again: out of the page cache. The old
 * file is the one the output replaces, so nobody needs them once copied,
 * and the pages the kernel frees go to the new file's cache straight
 * away. Otherwise the new file takes fresh memory, which in a VM that
 * hands freed memory back to its host costs as much again as the copy.
 * A page still dirty stays (its write to disk starts); one dropped that
 * is read again comes back from the disk, so nothing is lost if we fail.
 */
static void
release_before(struct zone_copier *c, uint64_t end)
{
	if (end - c->released < ZONE_RELEASE_STEP)
		return;
	(void)posix_fadvise(c->fd, (off_t)c->released,
	    (off_t)(end - c->released), POSIX_FADV_DONTNEED);
	c->released = end;
}

void
zone_copier_free(struct zone_copier *c)
{
	if (c == NULL)
		return;
	/* The rest of the old file too (lines not copied, its last line). */
	if (c->buf != NULL)
		(void)posix_fadvise(c->fd, 0, 0, POSIX_FADV_DONTNEED);
	free(c->buf);
	free(c->check.buf);
	if (c->lb != NULL)
		ldns_buffer_free(c->lb);
	free(c);
}

/*
 * Bytes [start, end) of the old file, in the window, to the output (and
 * its digest): a long run straight to the file, a short one through the
 * stream's buffer.
 */
static int
copy_bytes(struct zone_copier *c, uint64_t start, uint64_t end)
{
	const uint8_t *p = c->buf + (start - c->off);
	size_t n = (size_t)(end - start);

	if (c->md != NULL)
		(void)XXH3_128bits_update(c->md, p, n);
	if (n < DIRECT_RUN)
		return fwrite(p, 1, n, c->out) == n ? 0 : status_from_errno(errno);
	if (fflush(c->out) != 0)
		return status_from_errno(errno);
	return file_write_all(fileno(c->out), p, n);
}

/*
 * More of the old file into the window, which keeps what lies from pos
 * on (a run's bytes before pos are written first). 0, or
 * ZONE_COPY_MISMATCH when nothing more comes: the file's end, a read
 * error, or a line longer than the window (not one zone_write wrote).
 */
static int
refill(struct zone_copier *c)
{
	size_t keep = (size_t)(c->off + c->len - c->pos), want;
	uint64_t at;
	int rc;

	if (c->in_run && c->pending < c->pos) {
		if ((rc = copy_bytes(c, c->pending, c->pos)) != 0)
			return rc;
		c->pending = c->pos;
	}
	memmove(c->buf, c->buf + (c->pos - c->off), keep);
	c->off = c->pos;
	c->len = keep;
	at = c->off + c->len;
	want = COPY_WINDOW - c->len;
	if (c->body_len - at < want)
		want = (size_t)(c->body_len - at);
	if (want == 0 || file_read_at(c->fd, c->buf + c->len, want, at) != 0)
		return ZONE_COPY_MISMATCH;
	c->len += want;
	return 0;
}

/* Past count more lines (count > 0): c->pos and c->line move on. */
static int
skip_lines(struct zone_copier *c, uint32_t count)
{
	int rc;

	for (;;) {
		const char *p = (const char *)c->buf + (c->pos - c->off);
		const char *end = (const char *)c->buf + c->len;
		const char *q = lines_after(p, end, count);

		if (q != NULL) {
			c->pos = c->off + (uint64_t)(q - (const char *)c->buf);
			c->line += count;
			return 0;
		}
		/* Fewer in the window: past those there are, then more of the file. */
		size_t n = lines_count(p, end);
		if (n > 0) {
			const char *last = memrchr(p, '\n', (size_t)(end - p));
			c->pos = c->off + (uint64_t)(last + 1 - (const char *)c->buf);
			c->line += (uint32_t)n;
			count -= (uint32_t)n;
		}
		if ((rc = refill(c)) != 0)
			return rc;
	}
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
	    memcmp(c->check.buf, c->buf + (start - c->off), c->check.len) != 0)
		return ZONE_COPY_MISMATCH;
	return 0;
}

int
zone_copier_lines(struct zone_copier *c, const struct zone *z, size_t rec,
    uint32_t line, uint32_t count)
{
	uint64_t start;
	int rc;

	/* Our output's lines come in the order of its records. */
	if (line < c->line)
		return ZONE_COPY_MISMATCH;
	if (line > c->line && (rc = skip_lines(c, line - c->line)) != 0)
		return rc;
	c->pending = c->pos;
	c->in_run = true;
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
		start = c->pos;
		if ((rc = skip_lines(c, 1)) != 0 ||
		    (rc = check_line(c, &z->rr[rec + k], start, c->pos)) != 0)
			return rc;
	}
	c->in_run = false;
	if ((rc = copy_bytes(c, c->pending, c->pos)) != 0)
		return rc;
	c->copied += count;
	release_before(c, c->pos);
	return 0;
}
