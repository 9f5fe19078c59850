/*
 * Lines of our previous output copied into the new one: when a re-sign
 * keeps most records as they were, their text is already on disk, and
 * copying it (copy_file_range: in the kernel, no formatting, no copy
 * through this process) costs a fraction of writing it again.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ldns/ldns.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/status.h"
#include "zones_internal.h"

/* The window of the old file read at a time (the hash needs its bytes). */
#define WINDOW (4u << 20)
/* A run shorter than this goes through the stream from the window. */
#define SMALL_RUN 4096u
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
	int fd, out_fd;
	FILE *out;
	XXH3_state_t *md;
	uint64_t body_len;
	uint8_t *win;               /* bytes [win_at, win_at + win_len) of fd */
	uint64_t win_at;
	size_t win_len;
	uint64_t pos;               /* where line `line` starts */
	uint32_t line;
	bool kernel_copy;           /* copy_file_range still worth trying */
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
	if (c == NULL || (c->win = malloc(WINDOW)) == NULL ||
	    (c->lb = ldns_buffer_new(4096)) == NULL) {
		zone_copier_free(c);
		return STATUS_NOMEM;
	}
	c->fd = from->fd;
	c->out = out;
	c->out_fd = fileno(out);
	c->md = md;
	c->body_len = from->body_len;
	c->line = 1;
	c->kernel_copy = true;
	*cp = c;
	return 0;
}

size_t
zone_copier_copied(const struct zone_copier *c)
{
	return c->copied;
}

void
zone_copier_free(struct zone_copier *c)
{
	if (c == NULL)
		return;
	free(c->win);
	free(c->check.buf);
	if (c->lb != NULL)
		ldns_buffer_free(c->lb);
	free(c);
}

/* Read the window from at on (within the body). */
static int
fill(struct zone_copier *c, uint64_t at)
{
	uint64_t left = c->body_len - at;
	size_t want = left < WINDOW ? (size_t)left : WINDOW, got = 0;

	while (got < want) {
		ssize_t n = pread(c->fd, c->win + got, want - got,
		    (off_t)(at + got));
		if (n < 0 && errno == EINTR)
			continue;
		/* The old file cannot be read as it was: format instead. */
		if (n <= 0)
			return ZONE_COPY_MISMATCH;
		got += (size_t)n;
	}
	c->win_at = at;
	c->win_len = want;
	return 0;
}

/*
 * The end (after its newline) of the line that starts at c->pos; the
 * window holds the whole line afterwards. *hashed: bytes before it are
 * hashed already (moved on when the window moves).
 */
static int
line_end(struct zone_copier *c, uint64_t *end, uint64_t *hashed)
{
	for (int tries = 0; tries < 2; tries++) {
		if (c->pos >= c->win_at && c->pos < c->win_at + c->win_len) {
			const uint8_t *p = c->win + (c->pos - c->win_at);
			const uint8_t *nl = memchr(p, '\n',
			    c->win_len - (size_t)(c->pos - c->win_at));
			if (nl != NULL) {
				*end = c->win_at + (uint64_t)(nl - c->win) + 1;
				return 0;
			}
		}
		if (c->pos >= c->body_len)
			return ZONE_COPY_MISMATCH;
		/* What the window holds of the run so far is hashed before it goes. */
		if (hashed != NULL && *hashed < c->pos) {
			if (c->md != NULL)
				(void)XXH3_128bits_update(c->md,
				    c->win + (*hashed - c->win_at),
				    (size_t)(c->pos - *hashed));
			*hashed = c->pos;
		}
		int rc = fill(c, c->pos);
		if (rc != 0)
			return rc;
	}
	/* A line longer than the window: not one zone_write wrote. */
	return ZONE_COPY_MISMATCH;
}

/* Is the line [start, end) (in the window) what zone_write writes for rr? */
static int
check_line(struct zone_copier *c, const struct zrr *rr, uint64_t start,
    uint64_t end)
{
	int rc;

	c->check.len = 0;
	if ((rc = zone_format_line(rr, &c->check, c->lb)) != 0)
		return rc;
	if (c->check.len != end - start ||
	    memcmp(c->check.buf, c->win + (start - c->win_at),
	    c->check.len) != 0)
		return ZONE_COPY_MISMATCH;
	return 0;
}

/* Bytes [start, end) of the old file to the output, as they are. */
static int
copy_bytes(struct zone_copier *c, uint64_t start, uint64_t end)
{
	uint64_t at = start;
	bool moved = false;

	if (end - start <= SMALL_RUN && start >= c->win_at) {
		size_t n = (size_t)(end - start);
		return fwrite(c->win + (start - c->win_at), 1, n, c->out) == n ?
		    0 : status_from_errno(errno);
	}
	if (c->kernel_copy && fflush(c->out) != 0)
		return status_from_errno(errno);
	while (c->kernel_copy && at < end) {
		loff_t in = (loff_t)at;
		ssize_t n = copy_file_range(c->fd, &in, c->out_fd, NULL,
		    (size_t)(end - at), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0) {
			at += (uint64_t)n;
			moved = true;
			continue;
		}
		/*
		 * Not between these files (another file system, an old
		 * kernel, a filter), or any other trouble: the rest goes
		 * through this process, where an error is seen for what it is.
		 */
		c->kernel_copy = false;
	}
	/* The stream writes on where the kernel's copy ended. */
	if (moved && fseeko(c->out, 0, SEEK_END) != 0)
		return status_from_errno(errno);
	while (at < end) {
		uint8_t buf[65536];
		size_t want = end - at < sizeof(buf) ? (size_t)(end - at) :
		    sizeof(buf);
		ssize_t n = pread(c->fd, buf, want, (off_t)at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ZONE_COPY_MISMATCH;
		if (fwrite(buf, 1, (size_t)n, c->out) != (size_t)n)
			return status_from_errno(errno);
		at += (uint64_t)n;
	}
	return 0;
}

int
zone_copier_lines(struct zone_copier *c, const struct zone *z, size_t rec,
    uint32_t line, uint32_t count)
{
	uint64_t start, end, hashed;
	int rc;

	/* Our output's lines come in the order of its records. */
	if (line < c->line)
		return ZONE_COPY_MISMATCH;
	while (c->line < line) {
		if ((rc = line_end(c, &end, NULL)) != 0)
			return rc;
		c->pos = end;
		c->line++;
	}
	start = hashed = c->pos;
	for (uint32_t k = 0; k < count; k++) {
		if ((rc = line_end(c, &end, &hashed)) != 0)
			return rc;
		if ((k == 0 || (rec + k) % COPY_CHECK_EVERY == 0) &&
		    (rc = check_line(c, &z->rr[rec + k], c->pos, end)) != 0)
			return rc;
		c->pos = end;
		c->line++;
	}
	end = c->pos;
	if (c->md != NULL && hashed < end)
		(void)XXH3_128bits_update(c->md, c->win + (hashed - c->win_at),
		    (size_t)(end - hashed));
	c->copied += count;
	return copy_bytes(c, start, end);
}
