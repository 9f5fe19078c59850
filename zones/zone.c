/* Zone storage and loading of master files (with libzscanner as the parser). */
#include <libzscanner/scanner.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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
	free(z->rr);
	free(z->warnings);
	arena_clear(&z->arena);
	free(z);
}

static int
zone_grow_to(struct zone *z, size_t cap)
{
	struct zrr *rr = realloc(z->rr, cap * sizeof(*rr));

	if (rr == NULL)
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
	}
}

static int
add_file_name(struct zone *z, const char *path, uint16_t *index)
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

/*
 * zscanner maps the whole file; once parsed, a part is never read again.
 * Drop it from memory every RELEASE_STEP bytes (keeping a margin behind
 * the parser), so that a large zone file does not stay resident.
 */
#define RELEASE_STEP (32u << 20)
#define RELEASE_MARGIN (1u << 20)

static void
release_parsed(zs_scanner_t *s, const char **released)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t from, to;

	if (!s->input.mmaped || s->input.current < *released + RELEASE_STEP)
		return;
	from = ((uintptr_t)*released + page - 1) & ~(page - 1);
	to = ((uintptr_t)s->input.current - RELEASE_MARGIN) & ~(page - 1);
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_DONTNEED);
	*released = (const char *)to;
}

/* Parse one file (and, recursively, what it includes) into z. */
static int
load_file(struct zone *z, const char *path, const char *origin,
    uint32_t default_ttl, int depth, struct diag *d)
{
	zs_scanner_t *s;
	const char *released;
	uint16_t file;
	int rc;

	if ((rc = add_file_name(z, path, &file)) != 0)
		return rc;
	s = malloc(sizeof(*s));
	if (s == NULL)
		return STATUS_NOMEM;
	if (zs_init(s, origin, CLASS_IN, default_ttl) != 0) {
		diag_set(d, path, 0, "invalid origin '%s'", origin);
		rc = STATUS_SYNTAX;
		goto out_free;
	}
	if (zs_set_input_file(s, path) != 0) {
		diag_set(d, path, 0, "cannot read zone file: %s",
		    zs_strerror(s->error.code));
		rc = -ENOENT;
		goto out;
	}
	released = s->input.start;
	for (;;) {
		release_parsed(s, &released);
		if (zs_parse_record(s) != 0 && s->state != ZS_STATE_ERROR) {
			diag_set(d, path, s->line_counter, "%s",
			    zs_strerror(s->error.code));
			rc = STATUS_SYNTAX;
			goto out;
		}
		switch (s->state) {
		case ZS_STATE_DATA:
			if (s->r_class != CLASS_IN) {
				diag_set(d, path, s->line_counter,
				    "class %u is not supported, only IN",
				    s->r_class);
				rc = STATUS_ZONE_CONTENT;
				goto out;
			}
			if (!dname_is_below_or_at(s->r_owner, z->origin)) {
				char owner[DNAME_TEXT_MAX], zname[DNAME_TEXT_MAX];
				dname_format(s->r_owner, owner, sizeof(owner));
				dname_format(z->origin, zname, sizeof(zname));
				diag_set(d, path, s->line_counter,
				    "%s is outside the zone %s", owner, zname);
				rc = STATUS_ZONE_CONTENT;
				goto out;
			}
			rc = zone_append(z, s->r_owner, s->r_owner_length,
			    s->r_type, s->r_ttl, s->r_data, s->r_data_length,
			    (uint32_t)s->line_counter, file);
			if (rc != 0)
				goto out;
			break;
		case ZS_STATE_ERROR:
			diag_set(d, path, s->line_counter, "%s",
			    zs_strerror(s->error.code));
			rc = STATUS_SYNTAX;
			goto out;
		case ZS_STATE_INCLUDE:
			if (depth >= INCLUDE_DEPTH_MAX) {
				diag_set(d, path, s->line_counter,
				    "$INCLUDE nested deeper than %d",
				    INCLUDE_DEPTH_MAX);
				rc = STATUS_SYNTAX;
				goto out;
			}
			/* zscanner resolved the path and put the origin in buffer. */
			rc = load_file(z, s->include_filename, (char *)s->buffer,
			    s->default_ttl, depth + 1, d);
			if (rc != 0)
				goto out;
			break;
		case ZS_STATE_EOF:
		case ZS_STATE_STOP:
			rc = 0;
			goto out;
		default:
			break;
		}
	}
out:
	zs_deinit(s);
out_free:
	free(s);
	return rc;
}

int
zone_load(const char *path, const char *origin, uint32_t default_ttl,
    struct zone **out, struct diag *d)
{
	struct zone *z = NULL;
	char zname[DNAME_TEXT_MAX];
	int rc;

	if ((rc = zone_new(origin, &z)) != 0) {
		diag_set(d, NULL, 0, "invalid zone name '%s'", origin);
		return rc;
	}
	dname_format(z->origin, zname, sizeof(zname));
	if ((rc = load_file(z, path, zname, default_ttl, 0, d)) != 0)
		goto out;
	if ((rc = zone_finalize(z, d)) != 0)
		goto out;
	*out = z;
	z = NULL;
out:
	zone_free(z);
	return rc;
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
	return z->finalized ? z->soa : NULL;
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

static void
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
