/* Zone storage and loading of master files (with libzscanner as the parser). */
#include <errno.h>
#include <fcntl.h>
#include <libzscanner/scanner.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/bigmem.h"
#include "common/lines.h"
#include "common/parallel.h"
#include "common/status.h"
#include "zones_internal.h"

/* $INCLUDE nesting beyond this is almost certainly a loop. */
#define INCLUDE_DEPTH_MAX 16
#define CLASS_IN 1

int
zone_new(const char *origin, struct zone **out)
{
	struct zone *z;
	int rc;

	z = calloc(1, sizeof(*z));
	if (z == NULL)
		return STATUS_NOMEM;
	arena_init(&z->arena);
	if ((rc = dname_parse(origin, z->origin)) != 0)
		goto out;
	z->files = calloc(1, sizeof(char *));
	if (z->files == NULL || (z->files[0] = strdup("")) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	z->nfiles = 1;
	*out = z;
	z = NULL;
out:
	zone_free(z);
	return rc;
}

void
zone_free(struct zone *z)
{
	if (z == NULL)
		return;
	for (size_t i = 0; i < z->nfiles; i++)
		free(z->files[i]);
	free(z->files);
	if (!z->borrowed)
		free(z->rr);
	free(z->warnings);
	arena_clear(&z->arena);
	free(z->image);
	free(z);
}

static int
zone_grow_to(struct zone *z, size_t cap)
{
	struct zrr *rr;

	/* A part's slice of another zone's records has the room it needs. */
	if (z->borrowed)
		return STATUS_RANGE;
	if ((rr = big_realloc(z->rr, cap * sizeof(*rr))) == NULL)
		return STATUS_NOMEM;
	z->rr = rr;
	z->cap = cap;
	return 0;
}

static int
zone_grow(struct zone *z)
{
	return zone_grow_to(z, z->cap ? z->cap * 2 : 1024);
}

int
zone_reserve(struct zone *z, size_t more)
{
	if (z->count + more <= z->cap)
		return 0;
	return zone_grow_to(z, z->count + more);
}

void
zone_take_storage(struct zone *z, struct arena *storage)
{
	arena_absorb(&z->arena, storage);
}

int
zone_take(struct zone *z, const struct zrr *rrs, size_t n,
    struct arena *storage)
{
	int rc;

	if ((rc = zone_reserve(z, n)) != 0)
		return rc;
	for (size_t i = 0; i < n; i++) {
		struct zrr *rr = &z->rr[z->count++];
		*rr = rrs[i];
		rr->line = 0;
		rr->file = 0;
		rr->flags &= ZRR_TRUSTED;
	}
	if (n > 0)
		z->finalized = false;
	zone_take_storage(z, storage);
	return 0;
}

int
zone_open_gaps(struct zone *z, size_t *starts, const uint8_t *gaps, size_t n,
    struct zrr **slots)
{
	size_t total = 0, r = z->count, w;
	int rc;

	for (size_t j = 0; j < n; j++)
		total += gaps[j];
	if ((rc = zone_reserve(z, total)) != 0)
		return rc;
	/* From the back: each RRset and what follows it move up past the gaps behind them. */
	w = z->count + total;
	for (size_t j = n; j-- > 0;) {
		size_t s = starts[j], e = s + 1;

		while (e < r && z->rr[e].owner == z->rr[s].owner &&
		    z->rr[e].type == z->rr[s].type)
			e++;
		memmove(&z->rr[w - (r - e)], &z->rr[e], (r - e) * sizeof(*z->rr));
		w -= r - e;
		r = e;
		w -= gaps[j];
		memset(&z->rr[w], 0, gaps[j] * sizeof(*z->rr));
		starts[j] = w - (e - s);
	}
	z->count += total;
	/* Filled with signatures, the zone needs only a light finalize. */
	z->gaps = z->finalized;
	z->settled = z->gaps ? z->count : 0;
	z->finalized = false;
	*slots = z->rr;
	return 0;
}

/* Append a record; consecutive records with identical owner bytes share one copy. */
static int
zone_append(struct zone *z, const uint8_t *owner, size_t ownerlen,
    uint16_t type, uint32_t ttl, const uint8_t *rdata, size_t rdlen,
    uint32_t line, uint16_t file)
{
	struct zrr *rr;
	const uint8_t *own = NULL;
	int rc;

	if (rdlen > UINT16_MAX)
		return STATUS_RANGE;
	if (z->count == z->cap && (rc = zone_grow(z)) != 0)
		return rc;
	if (z->count > 0) {
		const uint8_t *prev = z->rr[z->count - 1].owner;
		if (dname_length(prev) == ownerlen &&
		    memcmp(prev, owner, ownerlen) == 0)
			own = prev;
	}
	if (own == NULL && (own = arena_dup(&z->arena, owner, ownerlen)) == NULL)
		return STATUS_NOMEM;
	rr = &z->rr[z->count];
	rr->owner = own;
	rr->rdata = rdlen ? arena_dup(&z->arena, rdata, rdlen) : own;
	if (rr->rdata == NULL)
		return STATUS_NOMEM;
	rr->ttl = ttl;
	rr->type = type;
	rr->rdlen = (uint16_t)rdlen;
	rr->line = line;
	rr->file = file;
	rr->flags = 0;
	z->count++;
	z->finalized = false;
	return 0;
}

int
zone_add(struct zone *z, const uint8_t *owner, uint16_t type, uint32_t ttl,
    const uint8_t *rdata, size_t rdlen)
{
	return zone_append(z, owner, dname_length(owner), type, ttl, rdata,
	    rdlen, 0, 0);
}

void
zone_remove_if(struct zone *z, bool (*drop)(const struct zrr *, void *),
    void *arg)
{
	size_t w = 0;

	for (size_t r = 0; r < z->count; r++)
		if (!drop(&z->rr[r], arg))
			z->rr[w++] = z->rr[r];
	if (w != z->count) {
		z->count = w;
		z->finalized = false;
		z->settled = 0;
		z->gaps = false;
	}
}

int
zone_add_file_name(struct zone *z, const char *path, uint16_t *index)
{
	char **files;

	if (z->nfiles >= UINT16_MAX)
		return STATUS_RANGE;
	files = realloc(z->files, (z->nfiles + 1) * sizeof(char *));
	if (files == NULL)
		return STATUS_NOMEM;
	z->files = files;
	if ((files[z->nfiles] = strdup(path)) == NULL)
		return STATUS_NOMEM;
	*index = (uint16_t)z->nfiles++;
	return 0;
}

const char *
zone_release_range(const char *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t to = ((uintptr_t)p + len) & ~(page - 1);

	if (to <= from)
		return p;
	(void)madvise((void *)from, to - from, MADV_DONTNEED);
	return p + (to - (uintptr_t)p);
}

/*
 * zscanner maps the whole file; once parsed, a part is never read again
 * (a margin behind the parser aside).
 */
#define RELEASE_MARGIN (1u << 20)

const char *
zone_parsed_release(const char *released, const char *current,
    const char *end)
{
	/*
	 * Only while the parser reads the file: at its end, when the last
	 * line has no line end, zscanner reads one from a buffer of its own,
	 * anywhere in memory. A range up to there would drop pages of
	 * anything mapped in between (our own records, other threads'
	 * stacks), which then read back as zeros.
	 */
	if (current < released || current > end ||
	    (size_t)(current - released) < ZONE_RELEASE_STEP)
		return released;
	return zone_release_range(released,
	    (size_t)(current - RELEASE_MARGIN - released));
}

static void
release_parsed(zs_scanner_t *s, const char **released, const char *end)
{
	if (s->input.mmaped && !s->input.eof)
		*released = zone_parsed_release(*released, s->input.current,
		    end);
}

static int load_file(struct zone *z, const char *path, const char *origin,
    uint32_t default_ttl, int depth, struct diag *d);

/*
 * Parse what s reads into z, records marked with file (path in messages).
 * $INCLUDE loads that file when depth allows; depth < 0 refuses it.
 */
static int
parse_records(struct zone *z, zs_scanner_t *s, const char *path,
    uint16_t file, int depth, struct diag *d)
{
	/* The file zscanner mapped, when it did (release_parsed). */
	const char *released = s->input.start, *end = s->input.end;
	const char *why;
	int rc;

	for (;;) {
		release_parsed(s, &released, end);
		if (zs_parse_record(s) != 0 && s->state != ZS_STATE_ERROR) {
			diag_set(d, path, s->line_counter, "%s",
			    zs_strerror(s->error.code));
			return STATUS_SYNTAX;
		}
		switch (s->state) {
		case ZS_STATE_DATA:
			if (s->r_class != CLASS_IN) {
				diag_set(d, path, s->line_counter,
				    "class %u is not supported, only IN",
				    s->r_class);
				return STATUS_ZONE_CONTENT;
			}
			if (!dname_is_below_or_at(s->r_owner, z->origin)) {
				char owner[DNAME_TEXT_MAX], zname[DNAME_TEXT_MAX];
				dname_format(s->r_owner, owner, sizeof(owner));
				dname_format(z->origin, zname, sizeof(zname));
				diag_set(d, path, s->line_counter,
				    "%s is outside the zone %s", owner, zname);
				return STATUS_ZONE_CONTENT;
			}
			/* RFC 3597 syntax ("\\# LEN HEX") can give any bytes. */
			if ((why = rdata_check(s->r_type, s->r_data,
			    s->r_data_length)) != NULL) {
				char owner[DNAME_TEXT_MAX], type[24];
				dname_format(s->r_owner, owner, sizeof(owner));
				rrtype_format(s->r_type, type, sizeof(type));
				diag_set(d, path, s->line_counter, "%s %s: malformed "
				    "rdata: %s", owner, type, why);
				return STATUS_ZONE_CONTENT;
			}
			if ((rc = zone_append(z, s->r_owner, s->r_owner_length,
			    s->r_type, s->r_ttl, s->r_data, s->r_data_length,
			    (uint32_t)s->line_counter, file)) != 0)
				return rc;
			break;
		case ZS_STATE_ERROR:
			diag_set(d, path, s->line_counter, "%s",
			    zs_strerror(s->error.code));
			return STATUS_SYNTAX;
		case ZS_STATE_INCLUDE:
			if (depth < 0 || depth >= INCLUDE_DEPTH_MAX) {
				diag_set(d, path, s->line_counter, depth < 0 ?
				    "$INCLUDE in a file read in parts" :
				    "$INCLUDE nested deeper than %d",
				    INCLUDE_DEPTH_MAX);
				return STATUS_SYNTAX;
			}
			/* zscanner resolved the path and put the origin in buffer. */
			if ((rc = load_file(z, s->include_filename,
			    (char *)s->buffer, s->default_ttl, depth + 1, d)) != 0)
				return rc;
			break;
		case ZS_STATE_EOF:
		case ZS_STATE_STOP:
			return 0;
		default:
			break;
		}
	}
}

/* Parse one file (and, recursively, what it includes) into z. */
static int
load_file(struct zone *z, const char *path, const char *origin,
    uint32_t default_ttl, int depth, struct diag *d)
{
	zs_scanner_t *s;
	uint16_t file;
	int rc;

	if ((rc = zone_add_file_name(z, path, &file)) != 0)
		return rc;
	s = malloc(sizeof(*s));
	if (s == NULL)
		return STATUS_NOMEM;
	if (zs_init(s, origin, CLASS_IN, default_ttl) != 0) {
		diag_set(d, path, 0, "invalid origin '%s'", origin);
		free(s);
		return STATUS_SYNTAX;
	}
	if (zs_set_input_file(s, path) != 0) {
		diag_set(d, path, 0, "cannot read zone file: %s",
		    zs_strerror(s->error.code));
		rc = -ENOENT;
	} else
		rc = parse_records(z, s, path, file, depth, d);
	zs_deinit(s);
	free(s);
	return rc;
}

/*
 * Add a record fastline_parse read at line of path, with the checks
 * parse_records makes (its owner's only when not known: added before).
 */
static int
add_fast(struct zone *z, const struct fast_record *r, bool known,
    const char *path, uint64_t line, uint16_t file, struct diag *d)
{
	const char *why;

	if (!known && !dname_is_below_or_at(r->owner, z->origin)) {
		char owner[DNAME_TEXT_MAX], zname[DNAME_TEXT_MAX];
		dname_format(r->owner, owner, sizeof(owner));
		dname_format(z->origin, zname, sizeof(zname));
		diag_set(d, path, line, "%s is outside the zone %s", owner,
		    zname);
		return STATUS_ZONE_CONTENT;
	}
	if ((why = rdata_check(r->type, r->rdata, r->rdlen)) != NULL) {
		char owner[DNAME_TEXT_MAX], type[24];
		dname_format(r->owner, owner, sizeof(owner));
		rrtype_format(r->type, type, sizeof(type));
		diag_set(d, path, line, "%s %s: malformed rdata: %s", owner,
		    type, why);
		return STATUS_ZONE_CONTENT;
	}
	return zone_append(z, r->owner, r->owner_len, r->type, r->ttl,
	    r->rdata, r->rdlen, (uint32_t)line, file);
}

/* The general parser over lines [from, to) of a part, the first being line. */
static int
parse_batch(struct zone *z, zs_scanner_t *s, const char *from, const char *to,
    uint64_t line, const char *path, uint16_t file, struct diag *d)
{
	if (from == to)
		return 0;
	if (zs_set_input_string(s, from, (size_t)(to - from)) != 0) {
		diag_set(d, path, line, "cannot parse it in parts");
		return STATUS_SYNTAX;
	}
	s->line_counter = line;
	return parse_records(z, s, path, file, -1, d);
}

/*
 * Must the general parser see the record line that ends at p? When the
 * next line with anything but blanks or a comment starts with a blank, it
 * has no owner of its own and takes the one before it; one that starts
 * with '$' is a directive, after which the same holds.
 */
static bool
next_needs_owner(const char *p, const char *end)
{
	while (p < end) {
		const char *t = p;
		while (t < end && (*t == ' ' || *t == '\t' || *t == '\r'))
			t++;
		if (t < end && *t != '\n' && *t != ';')
			return t != p || *p == '$';
		if ((p = memchr(t, '\n', (size_t)(end - t))) == NULL)
			return false;
		p++;
	}
	return false;
}

/* Is the character at p (in [line, p]) escaped, by an odd run of backslashes before it? */
static bool
escaped(const char *line, const char *p)
{
	size_t n = 0;

	while (p > line && p[-1] == '\\') {
		p--;
		n++;
	}
	return n % 2 == 1;
}

/*
 * The lines of a part: those fastline_parse reads, by it; the runs of
 * others between them, by the general parser. Line numbers from 1. A line
 * whose owner a later line takes (next_needs_owner) goes to the general
 * parser too, which must know that owner.
 */
static int
parse_lines(struct zone *z, zs_scanner_t *s, const char *p, size_t len,
    const char *path, uint16_t file, struct diag *d)
{
	struct fast_record *r = malloc(sizeof(*r));
	const char *end = p + len, *batch = p, *q = p;
	const char *last = NULL;     /* the line before, when read by hand */
	uint64_t line = 1, batch_line = 1;
	int rc = r != NULL ? 0 : STATUS_NOMEM;

	while (rc == 0 && q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t n = nl != NULL ? (size_t)(nl + 1 - q) : (size_t)(end - q);
		if (nl != NULL && escaped(q, nl)) {
			diag_set(d, path, line, "a line ends in an escaped line "
			    "end: not one record per line");
			rc = STATUS_SYNTAX;
			break;
		}
		/* The same owner text (and tab) as that line: r holds its name. */
		size_t known = last != NULL && n > r->owner_text_len &&
		    memcmp(q, last, r->owner_text_len + 1) == 0 ?
		    r->owner_text_len : 0;
		last = NULL;
		if (!next_needs_owner(q + n, end) &&
		    fastline_parse(q, n, known, r)) {
			if ((rc = parse_batch(z, s, batch, q, batch_line, path,
			    file, d)) == 0)
				rc = add_fast(z, r, known > 0, path, line, file,
				    d);
			batch = q + n;
			batch_line = line + 1;
			last = q;
		}
		q += n;
		line++;
	}
	if (rc == 0)
		rc = parse_batch(z, s, batch, end, batch_line, path, file, d);
	free(r);
	return rc;
}

int
zone_load_lines_buffer(const char *data, size_t len, const char *path,
    const char *origin, uint32_t default_ttl, bool as_written,
    struct zone **out, struct diag *d)
{
	zs_scanner_t *s = malloc(sizeof(*s));
	struct zone *z = NULL;
	uint16_t file;
	int rc;

	*out = NULL;
	if (s == NULL)
		return STATUS_NOMEM;
	if ((rc = zone_new(origin, &z)) != 0 ||
	    (rc = zone_add_file_name(z, path, &file)) != 0) {
		free(s);
		zone_free(z);
		return rc;
	}
	if (zs_init(s, origin, CLASS_IN, default_ttl) != 0) {
		diag_set(d, path, 0, "invalid origin '%s'", origin);
		rc = STATUS_SYNTAX;
	} else {
		rc = parse_lines(z, s, data, len, path, file, d);
		zs_deinit(s);
	}
	free(s);
	if (rc == 0)
		rc = as_written ? zone_finalize_written(z, d) :
		    zone_finalize(z, d);
	if (rc != 0) {
		zone_free(z);
		return rc;
	}
	*out = z;
	return 0;
}

/*
 * One part of a file parsed on its own, into its own slice of the whole
 * zone's records: as many slots as the part has lines, plus one (a record
 * takes a line of its own, the last one perhaps without its newline).
 */
struct part_job {
	const char *path, *origin;    /* origin: the zone's */
	uint32_t default_ttl;
	/* The scanner's origin where the parts begin (wire), when not the zone's. */
	const uint8_t *scan_origin;
	size_t scan_origin_len;
	bool plain_only;              /* each part must be plain (part_is_plain) */
	const char *data;
	const size_t *start;          /* nparts + 1 offsets, at line starts */
	struct zrr *slots;            /* the whole zone's records */
	size_t *base;                 /* where each part's slice begins */
	struct zone **zones;
	struct diag *diags;
	int *rcs;
	size_t *newlines;             /* in each part */
	bool *plain;
};

/*
 * Might a backslash escape a line end (or end the text)? The general
 * parser does not count such a line end as one: the line numbers of what
 * follows would differ.
 */
static bool
may_escape_line_end(const char *p, size_t len)
{
	const char *end = p + len, *q;

	for (q = p; (q = memchr(q, '\\', (size_t)(end - q))) != NULL; q++)
		if (q + 1 == end || q[1] == '\n' || q[1] == '\r')
			return true;
	return false;
}

/*
 * Can this part of a master file be read without what comes before it,
 * knowing only the origin and the default TTL where it begins (and that
 * its first line names its owner)? Not when it may hold a record over
 * several lines (a parenthesis or an escaped line end, even in a comment
 * or a string: we do not look closer), a directive (a line that starts
 * with '$') or a NUL.
 */
static bool
part_is_plain(const char *p, size_t len)
{
	const char *end = p + len, *q;

	if (memchr(p, '(', len) != NULL || memchr(p, ')', len) != NULL ||
	    memchr(p, '\0', len) != NULL || may_escape_line_end(p, len))
		return false;
	for (q = p; (q = memchr(q, '$', (size_t)(end - q))) != NULL; q++)
		if (q == p || q[-1] == '\n')
			return false;
	return true;
}

static int
count_part(size_t begin, size_t end, void *arg, struct diag *unused)
{
	struct part_job *job = arg;

	(void)unused;
	for (size_t k = begin; k < end; k++) {
		const char *p = job->data + job->start[k];
		size_t len = job->start[k + 1] - job->start[k];

		job->newlines[k] = lines_count(p, p + len);
		job->plain[k] = !job->plain_only || part_is_plain(p, len);
		/* Read again by the parser, from the page cache. */
		(void)zone_release_range(p, len);
	}
	return 0;
}

static int
parse_part(size_t begin, size_t end, void *arg, struct diag *unused)
{
	struct part_job *job = arg;

	(void)unused;
	for (size_t k = begin; k < end; k++) {
		const char *p = job->data + job->start[k];
		size_t len = job->start[k + 1] - job->start[k];
		zs_scanner_t *s = malloc(sizeof(*s));
		struct zone *z = NULL;
		uint16_t file;
		int rc;

		rc = s == NULL ? STATUS_NOMEM : 0;
		if (rc != 0 || (rc = zone_new(job->origin, &z)) != 0 ||
		    (rc = zone_add_file_name(z, job->path, &file)) != 0) {
			free(s);
			job->zones[k] = z;
			job->rcs[k] = rc;
			continue;
		}
		z->rr = job->slots + job->base[k];
		z->cap = job->newlines[k] + 1;
		z->borrowed = true;
		job->zones[k] = z;
		if (zs_init(s, job->origin, CLASS_IN, job->default_ttl) != 0) {
			diag_set(&job->diags[k], job->path, 0, "cannot parse it "
			    "in parts");
			rc = STATUS_SYNTAX;
		} else {
			/* Relative names continue from the origin of the file's head. */
			if (job->scan_origin != NULL) {
				memcpy(s->zone_origin, job->scan_origin,
				    job->scan_origin_len);
				s->zone_origin_length =
				    (uint32_t)job->scan_origin_len;
			}
			rc = parse_lines(z, s, p, len, job->path, file,
			    &job->diags[k]);
		}
		zs_deinit(s);
		free(s);
		job->rcs[k] = rc;
		/* Parsed: its pages of the file are not needed again. */
		(void)zone_release_range(p, len);
	}
	return 0;
}

/* Not plain (part_is_plain): to be read by the general parser, whole. */
#define PARTS_NOT_PLAIN 1

/*
 * Parse data[start[0], start[nparts]) in nparts parts on threads workers
 * and append the records to z, in order, their lines counted from
 * first_line. With job->plain_only, returns PARTS_NOT_PLAIN (z untouched)
 * when a part is not plain.
 */
static int
load_parts(struct zone *z, struct part_job *job, size_t nparts,
    uint32_t first_line, unsigned threads, struct diag *d)
{
	size_t slots = 0, lines = first_line, at = z->count;
	int rc;

	job->base = calloc(nparts, sizeof(*job->base));
	job->zones = calloc(nparts, sizeof(*job->zones));
	job->diags = calloc(nparts, sizeof(*job->diags));
	job->rcs = calloc(nparts, sizeof(*job->rcs));
	job->newlines = calloc(nparts, sizeof(*job->newlines));
	job->plain = calloc(nparts, sizeof(*job->plain));
	if (job->base == NULL || job->zones == NULL || job->diags == NULL ||
	    job->rcs == NULL || job->newlines == NULL || job->plain == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	for (size_t k = 0; k < nparts; k++)
		diag_clear(&job->diags[k]);
	/*
	 * The records go straight into the zone, each part into its slice,
	 * sized by its lines: counted first, then parsed.
	 */
	if ((rc = parallel_for(nparts, 1, threads, count_part, job, d)) != 0)
		goto out;
	for (size_t k = 0; k < nparts; k++) {
		if (!job->plain[k]) {
			rc = PARTS_NOT_PLAIN;
			goto out;
		}
		job->base[k] = slots;
		slots += job->newlines[k] + 1;
	}
	if ((rc = zone_reserve(z, slots)) != 0)
		goto out;
	job->slots = z->rr + at;
	if ((rc = parallel_for(nparts, 1, threads, parse_part, job, d)) != 0)
		goto out;
	/* The slices close up in order: their lines continue from the parts before. */
	for (size_t k = 0; k < nparts && rc == 0; k++) {
		struct zone *p = job->zones[k];
		if ((rc = job->rcs[k]) != 0) {
			*d = job->diags[k];
			if (d->line > 0)
				d->line += lines;
			break;
		}
		memmove(&z->rr[z->count], p->rr, p->count * sizeof(*p->rr));
		for (size_t i = 0; i < p->count; i++)
			z->rr[z->count++].line += (uint32_t)lines;
		arena_absorb(&z->arena, &p->arena);
		lines += job->newlines[k];
	}
	z->finalized = false;
out:
	for (size_t k = 0; job->zones != NULL && k < nparts; k++)
		zone_free(job->zones[k]);
	free(job->zones);
	free(job->diags);
	free(job->rcs);
	free(job->newlines);
	free(job->plain);
	free(job->base);
	return rc;
}

/*
 * The first line start at or after at (at itself only when it is 0 or
 * follows a newline) whose first character begins an owner name: no
 * blank, comment, directive or empty line, which take something from the
 * lines before. len when there is none.
 */
static size_t
owner_line(const char *data, size_t len, size_t at)
{
	for (;;) {
		if (at > 0 && at < len && data[at - 1] != '\n') {
			const char *nl = memchr(data + at, '\n', len - at);
			at = nl != NULL ? (size_t)(nl - data) + 1 : len;
		}
		if (at >= len || strchr(" \t\r\n;$", data[at]) == NULL)
			return at;
		at++;
	}
}

/*
 * Part boundaries in data[from, len): nparts parts of about equal size,
 * each starting at a line start, and with owners at an owner_line. A
 * part may be empty.
 */
static void
part_starts(const char *data, size_t len, size_t from, size_t nparts,
    bool owners, size_t *start)
{
	start[0] = from;
	for (size_t k = 1; k < nparts; k++) {
		size_t at = from + (len - from) / nparts * k;
		const char *nl = memchr(data + at, '\n', len - at);

		at = nl != NULL ? (size_t)(nl - data) + 1 : len;
		if (owners)
			at = owner_line(data, len, at);
		start[k] = at < start[k - 1] ? start[k - 1] : at;
	}
	start[nparts] = len;
}

/* A file mapped for reading in parts. */
struct mapped {
	void *map;
	const char *data;
	size_t len;
};

/* Map path; -errno and d set when it cannot. */
static int
map_file(const char *path, struct mapped *m, struct diag *d)
{
	struct stat st;
	void *map;
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
		rc = status_from_errno(errno);
		if (fd >= 0)
			close(fd);
		diag_set(d, path, 0, "cannot read zone file");
		return rc;
	}
	m->len = (size_t)st.st_size;
	map = m->len > 0 ? mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0) :
	    MAP_FAILED;
	rc = map == MAP_FAILED ? status_from_errno(errno) : 0;
	close(fd);
	if (map == MAP_FAILED) {
		diag_set(d, path, 0, "cannot read zone file");
		return rc != 0 ? rc : STATUS_SYNTAX;
	}
	(void)madvise(map, m->len, MADV_SEQUENTIAL);
	m->map = map;
	m->data = map;
	return 0;
}

/* Parts of this size, at most this many, are worth their threads. */
#define PART_BYTES (8u << 20)
#define PARTS_MAX 32

static size_t
part_count(size_t len, size_t part_bytes)
{
	size_t n = len / part_bytes;

	return n > PARTS_MAX ? PARTS_MAX : n;
}

int
zone_load_lines(const char *path, const char *origin, uint32_t default_ttl,
    unsigned threads, bool (*as_written)(void *), void *arg,
    struct zone **out, struct diag *d)
{
	struct part_job job = { .path = path, .default_ttl = default_ttl };
	char zname[DNAME_TEXT_MAX];
	struct mapped m = { NULL, NULL, 0 };
	struct zone *z = NULL;
	size_t nparts, *start = NULL;
	struct stat st;
	int rc;

	*out = NULL;
	/* Small files gain nothing from parts. */
	if (stat(path, &st) == 0 &&
	    part_count((size_t)st.st_size, PART_BYTES) < 2)
		return zone_load(path, origin, default_ttl, out, d);
	if ((rc = map_file(path, &m, d)) != 0)
		return rc;
	if ((nparts = part_count(m.len, PART_BYTES)) < 2) {
		munmap(m.map, m.len);
		return zone_load(path, origin, default_ttl, out, d);
	}
	if ((rc = zone_new(origin, &z)) != 0) {
		diag_set(d, NULL, 0, "invalid zone name '%s'", origin);
		goto out;
	}
	dname_format(z->origin, zname, sizeof(zname));
	job.origin = zname;
	job.data = m.data;
	if ((start = calloc(nparts + 1, sizeof(*start))) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	/* Parts end at line ends: one record per line, so each parses alone. */
	part_starts(m.data, m.len, 0, nparts, false, start);
	job.start = start;
	if ((rc = zone_add_file_name(z, path, &(uint16_t){ 0 })) != 0 ||
	    (rc = load_parts(z, &job, nparts, 0, threads, d)) != 0)
		goto out;
	if (as_written != NULL && as_written(arg))
		rc = zone_finalize_written(z, d);
	else
		rc = zone_finalize(z, d);
	if (rc == 0) {
		*out = z;
		z = NULL;
	}
out:
	free(start);
	zone_free(z);
	munmap(m.map, m.len);
	return rc;
}

/* Does the text hold "$INCLUDE" (in any case)? */
static bool
holds_include(const char *p, size_t len)
{
	const char *end = p + len;

	for (; (p = memchr(p, '$', (size_t)(end - p))) != NULL; p++)
		if ((size_t)(end - p) >= 8 && strncasecmp(p + 1, "INCLUDE", 7) == 0)
			return true;
	return false;
}

/* The head: about this much, up to a line that names its owner, is read first, alone. */
#define HEAD_BYTES (64u << 10)

/*
 * A large master file read in parts (zone_load_parts) into z, empty;
 * anything but 0 when it was not (the general parser then reads it whole,
 * and says what is wrong with it, if anything).
 */
static int
load_input_parts(struct zone *z, const char *path, const char *zname,
    uint32_t default_ttl, size_t part_bytes, unsigned threads,
    struct diag *d)
{
	struct part_job job = { .path = path, .origin = zname,
	    .plain_only = true };
	struct mapped m = { NULL, NULL, 0 };
	size_t nparts, head, *start = NULL;
	zs_scanner_t *s = NULL;
	uint16_t file;
	int rc;

	if ((rc = map_file(path, &m, d)) != 0)
		return rc;
	nparts = part_count(m.len, part_bytes);
	head = nparts < 2 ? m.len : owner_line(m.data, m.len,
	    HEAD_BYTES < m.len / nparts ? HEAD_BYTES : m.len / nparts);
	if (head >= m.len || holds_include(m.data, head) ||
	    may_escape_line_end(m.data, head) ||
	    (start = calloc(nparts + 1, sizeof(*start))) == NULL ||
	    (s = malloc(sizeof(*s))) == NULL ||
	    zone_add_file_name(z, path, &file) != 0) {
		rc = PARTS_NOT_PLAIN;
		goto out;
	}
	if (zs_init(s, zname, CLASS_IN, default_ttl) != 0) {
		rc = PARTS_NOT_PLAIN;
		goto out;
	}
	/*
	 * The head (directives, a SOA over several lines) goes to the
	 * general parser first: what it leaves set (origin, default TTL)
	 * holds where every part begins, since no part may change it.
	 */
	if (zs_set_input_string(s, m.data, head) != 0)
		rc = PARTS_NOT_PLAIN;
	else {
		s->line_counter = 1;
		rc = parse_records(z, s, path, file, -1, d);
	}
	if (rc == 0) {
		job.data = m.data;
		job.default_ttl = s->default_ttl;
		job.scan_origin = s->zone_origin;
		job.scan_origin_len = s->zone_origin_length;
		part_starts(m.data, m.len, head, nparts, true, start);
		job.start = start;
		/* The first part's line numbers continue from the head's. */
		rc = load_parts(z, &job, nparts,
		    (uint32_t)lines_count(m.data, m.data + head), threads, d);
	}
	zs_deinit(s);
out:
	free(s);
	free(start);
	munmap(m.map, m.len);
	return rc;
}

int
zone_load_parts(const char *path, const char *origin, uint32_t default_ttl,
    size_t part_bytes, unsigned threads, bool *in_parts, struct zone **out,
    struct diag *d)
{
	struct zone *z = NULL;
	char zname[DNAME_TEXT_MAX];
	struct stat st;
	int rc;

	*out = NULL;
	*in_parts = false;
	if ((rc = zone_new(origin, &z)) != 0) {
		diag_set(d, NULL, 0, "invalid zone name '%s'", origin);
		return rc;
	}
	dname_format(z->origin, zname, sizeof(zname));
	if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    part_count((size_t)st.st_size, part_bytes) >= 2 &&
	    load_input_parts(z, path, zname, default_ttl, part_bytes, threads,
	    d) == 0)
		*in_parts = true;
	else {
		/*
		 * Read whole by the general parser (nothing of a try in parts
		 * kept): what it accepts, and what it says of what it refuses,
		 * is what the parts are checked against.
		 */
		zone_free(z);
		if ((rc = zone_new(origin, &z)) != 0)
			return rc;
		diag_clear(d);
		rc = load_file(z, path, zname, default_ttl, 0, d);
	}
	if (rc == 0)
		rc = zone_finalize(z, d);
	if (rc == 0) {
		*out = z;
		z = NULL;
	}
	zone_free(z);
	return rc;
}

int
zone_load(const char *path, const char *origin, uint32_t default_ttl,
    struct zone **out, struct diag *d)
{
	bool in_parts;

	return zone_load_parts(path, origin, default_ttl, PART_BYTES, 0,
	    &in_parts, out, d);
}

const struct zrr *
zone_records(const struct zone *z, size_t *count)
{
	*count = z->count;
	return z->rr;
}

size_t
zone_rrset_end(const struct zone *z, size_t i)
{
	const struct zrr *first = &z->rr[i];

	/* After finalize, one owner is one pointer. */
	while (++i < z->count && z->rr[i].owner == first->owner &&
	    z->rr[i].type == first->type)
		;
	return i;
}

bool
zrr_is_authoritative(const struct zrr *rr)
{
	if (rr->type == RRTYPE_RRSIG || (rr->flags & ZRR_GLUE))
		return false;
	/* RFC 4035 §2.2: at a cut only DS and NSEC belong to this zone. */
	if (rr->flags & ZRR_AT_CUT)
		return rr->type == RRTYPE_DS || rr->type == RRTYPE_NSEC;
	return true;
}

const uint8_t *
zrr_mx_host(const struct zrr *rr)
{
	if (rr->type != RRTYPE_MX || rr->rdlen < 3 || rr->rdata[2] == 0 ||
	    dname_length_within(rr->rdata + 2, rr->rdlen - 2u) == 0)
		return NULL;
	return rr->rdata + 2;
}

const uint8_t *
zone_origin(const struct zone *z)
{
	return z->origin;
}

const char *
zone_file_name(const struct zone *z, uint16_t file)
{
	return file < z->nfiles ? z->files[file] : "";
}

const struct zrr *
zone_soa(const struct zone *z)
{
	return z->finalized ? &z->rr[z->soa] : NULL;
}

size_t
zone_warning_count(const struct zone *z)
{
	return z->nwarnings;
}

const struct diag *
zone_warning(const struct zone *z, size_t i)
{
	return i < z->nwarnings ? &z->warnings[i] : NULL;
}

static void PRINTF_LIKE(4, 0)
vdiag_rr(const struct zone *z, const struct zrr *rr, struct diag *d,
    const char *fmt, va_list ap)
{
	char owner[DNAME_TEXT_MAX], type[24], text[sizeof(d->text)];

	vsnprintf(text, sizeof(text), fmt, ap);
	diag_set(d, rr->file ? zone_file_name(z, rr->file) : NULL, rr->line,
	    "%s", text);
	dname_format(rr->owner, owner, sizeof(owner));
	rrtype_format(rr->type, type, sizeof(type));
	diag_set_rr(d, owner, type);
}

void
zone_diag_rr(const struct zone *z, const struct zrr *rr, struct diag *d,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag_rr(z, rr, d, fmt, ap);
	va_end(ap);
}

int
zone_warn(struct zone *z, const struct zrr *rr, const char *fmt, ...)
{
	struct diag *w;
	va_list ap;

	w = realloc(z->warnings, (z->nwarnings + 1) * sizeof(*w));
	if (w == NULL)
		return STATUS_NOMEM;
	z->warnings = w;
	va_start(ap, fmt);
	vdiag_rr(z, rr, &w[z->nwarnings++], fmt, ap);
	va_end(ap);
	return 0;
}
