/* A DNS zone in memory: wire-format records in canonical order, loaded from master files. */
#ifndef ZW_ZONE_H
#define ZW_ZONE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/attr.h"
#include "common/diag.h"

/* Record types the zone code refers to by name. */
enum rrtype {
	RRTYPE_A = 1, RRTYPE_NS = 2, RRTYPE_CNAME = 5, RRTYPE_SOA = 6,
	RRTYPE_MX = 15, RRTYPE_TXT = 16, RRTYPE_AAAA = 28, RRTYPE_DNAME = 39,
	RRTYPE_DS = 43, RRTYPE_RRSIG = 46, RRTYPE_NSEC = 47,
	RRTYPE_DNSKEY = 48, RRTYPE_NSEC3 = 50, RRTYPE_NSEC3PARAM = 51,
	RRTYPE_TLSA = 52, RRTYPE_CDS = 59, RRTYPE_CDNSKEY = 60,
};

/* Set on records by zone_finalize (RFC 4035 §2.2: what is authoritative). */
enum zrr_flag {
	ZRR_AT_CUT = 1 << 0,   /* owner is a delegation point (NS below the apex) */
	ZRR_GLUE = 1 << 1,     /* address record at or below a cut: not authoritative */
	ZRR_APEX = 1 << 2,     /* owner is the zone apex */
	/*
	 * Set by whoever fills an opened slot (zone_open_gaps), kept by
	 * zone_finalize: a signature the self-check verifies by sample only
	 * (one just made, or one kept from our own earlier output that is
	 * unchanged since it was written).
	 */
	ZRR_TRUSTED = 1 << 7,
};

/* One resource record (class IN). Pointers stay valid until zone_free. */
struct zrr {
	const uint8_t *owner;  /* wire name; records of one owner share it after finalize */
	const uint8_t *rdata;  /* wire rdata, names uncompressed */
	uint32_t ttl;
	uint16_t type;
	uint16_t rdlen;
	uint32_t line;         /* line in the source file, 0 when generated */
	uint16_t file;         /* index for zone_file_name(), 0 when generated */
	uint8_t flags;         /* enum zrr_flag */
};

struct zone;

/*
 * Parse the master file at path (RFC 1035 §5 with $ORIGIN, $TTL, $INCLUDE,
 * RFC 3597 unknown types) for the zone origin (presentation form), then
 * finalize it. default_ttl applies until a $TTL. Errors name file and line
 * in d. Returns 0, STATUS_SYNTAX, STATUS_ZONE_CONTENT, -errno or
 * STATUS_NOMEM.
 */
int zone_load(const char *path, const char *origin, uint32_t default_ttl,
    struct zone **out, struct diag *d) WUR;

/*
 * zone_load for a file of one record per line and no directives (our own
 * signed output): read in parts on threads workers (0: one per online
 * CPU). Its line numbers and messages are those zone_load would give.
 * A file under 16 MiB is not worth parts: zone_load reads it. In parts:
 * a line that ends in an escaped line end (a record over two lines) is
 * refused (STATUS_SYNTAX); and when as_written is not NULL and, once
 * every line is read, says true for arg, the records are taken to be as
 * zone_write wrote them: in canonical order, each once, one TTL per
 * RRset. Only that is not checked again (zone_finalize_written); a file
 * that is not what it claims then gives lookups that miss, not unsafe
 * memory.
 */
int zone_load_lines(const char *path, const char *origin,
    uint32_t default_ttl, unsigned threads, bool (*as_written)(void *),
    void *arg, struct zone **out, struct diag *d) WUR;

/* An empty zone for origin (for tests and generated zones). */
int zone_new(const char *origin, struct zone **out) WUR;
void zone_free(struct zone *z);

/*
 * Add a record (copied). The zone must be finalized again before its
 * records are read. Returns 0, STATUS_NOMEM or STATUS_RANGE (rdata too long).
 */
int zone_add(struct zone *z, const uint8_t *owner, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen) WUR;
/* Make room for more records, so that adding them does not reallocate. */
int zone_reserve(struct zone *z, size_t more) WUR;

/*
 * Records made elsewhere join the zone without copying their names and
 * rdata, which live in storage (or in the zone already); the zone takes
 * storage's memory over and leaves storage empty.
 *
 * zone_take appends rrs[0..n) (only ZRR_TRUSTED of their flags is kept).
 *
 * zone_open_gaps makes room in a finalized zone for records that belong
 * right after some RRsets (signatures): starts[0..n), in increasing order,
 * are the first indices of RRsets; gaps[j] empty slots open right after
 * RRset j, and starts[j] becomes its new first index (its gap begins after
 * its records). The slots are zeroed; fill every one of them through
 * *slots (valid until the zone next changes), pass their storage to
 * zone_take_storage, and finalize the zone.
 */
struct arena;
int zone_take(struct zone *z, const struct zrr *rrs, size_t n,
    struct arena *storage) WUR;
int zone_open_gaps(struct zone *z, size_t *starts, const uint8_t *gaps,
    size_t n, struct zrr **slots) WUR;
void zone_take_storage(struct zone *z, struct arena *storage);

/* Drop every record for which drop() says true. Keeps the order. */
void zone_remove_if(struct zone *z, bool (*drop)(const struct zrr *, void *),
    void *arg);

/*
 * Sort into canonical order (RFC 4034 §6: owner, then type with each
 * RRSIG right after the RRset it covers, then canonical rdata), drop
 * duplicates, give each RRset one TTL (the first one seen, with a warning,
 * RFC 2181 §5.2), mark cuts and glue, and check the zone rules: SOA and NS
 * at the apex, CNAME alone (RFC 2181 §10.1), nothing below a DNAME (RFC
 * 6672 §2.3) or a delegation except glue, DS only at delegations (RFC 4035
 * §2.4). (Names outside the zone are refused as they are read, by
 * zone_load.) Returns 0 or STATUS_ZONE_CONTENT with d naming the offending
 * record. A zone finalized and not changed since costs nothing; one to
 * which records were only appended, or whose zone_open_gaps slots hold
 * signatures in place, costs about what changed.
 */
int zone_finalize(struct zone *z, struct diag *d) WUR;
/*
 * zone_finalize's light path alone: after zone_open_gaps, its slots
 * filled in place (each signature right after what it covers, in order),
 * the signatures take their names' flags and the zone is finalized; no
 * record moves. False when zone_finalize has more to do, which may move
 * records.
 */
bool zone_settle_in_place(struct zone *z);
/*
 * zone_finalize for records known to be in canonical order, each once,
 * one TTL per RRset (zone_write's, read back): names are shared, cuts and
 * glue marked and the zone rules checked, but nothing is sorted or merged.
 */
int zone_finalize_written(struct zone *z, struct diag *d) WUR;

/* The records, canonical order (valid after zone_finalize). */
const struct zrr *zone_records(const struct zone *z, size_t *count);
/*
 * Order of the RRsets of a and b in canonical zone order (owner, then type,
 * each RRSIG right after the type it covers): <0, 0 (same RRset) or >0.
 * Works across zones: two finalized zones can be walked side by side.
 */
int zrr_rrset_order(const struct zrr *a, const struct zrr *b);
/* zrr_rrset_order of two records whose owners are known to be the same name. */
int zrr_type_order(const struct zrr *a, const struct zrr *b);
/*
 * The first index of z (sorted) whose record does not sort before rr's
 * RRset (zrr_rrset_order): where that RRset starts when z has it. rr may
 * come from another zone, or be a probe with only owner and type set
 * (type 0 finds the name's first record).
 */
size_t zone_rrset_search(const struct zone *z, const struct zrr *rr);
/* Index one past the RRset (same owner and type) that starts at i. */
size_t zone_rrset_end(const struct zone *z, size_t i);
const uint8_t *zone_origin(const struct zone *z);
/* File name for a zrr.file index ("" for generated records). */
const char *zone_file_name(const struct zone *z, uint16_t file);
/* The apex SOA record, or NULL before a successful finalize. */
const struct zrr *zone_soa(const struct zone *z);

/* Fill d with the file, line, owner and type of rr and a text. */
void zone_diag_rr(const struct zone *z, const struct zrr *rr, struct diag *d,
    const char *fmt, ...) PRINTF_LIKE(4, 5);

/* Warnings zone_finalize gave (TTL mismatches, ...). */
size_t zone_warning_count(const struct zone *z);
const struct diag *zone_warning(const struct zone *z, size_t i);

/*
 * Is rr part of authoritative data, which DNSSEC signs (RFC 4035 §2.2)?
 * Not: glue, the NS set at a delegation point, RRSIGs themselves.
 */
bool zrr_is_authoritative(const struct zrr *rr);
/*
 * The host an MX record names (RFC 1035 §3.3.9), or NULL: not an MX, a
 * null MX (RFC 7505: the root), or rdata too short to hold a name.
 */
const uint8_t *zrr_mx_host(const struct zrr *rr);

/* "A", "TYPE65280", ...: presentation mnemonic for a type into buf. */
void rrtype_format(uint16_t type, char *buf, size_t size);

/*
 * Canonical rdata (RFC 4034 §6.2): names embedded in the rdata of the
 * types listed there are lower-cased. Writes at most 65535 bytes to out
 * and returns the length.
 */
size_t rdata_canonicalize(uint16_t type, const uint8_t *rdata, size_t len,
    uint8_t *out);
/*
 * Is rdata well formed for its type (names that end inside it, fields and
 * strings that fit, nothing left over), so that it can be written out and
 * read back? NULL when it is, else what is wrong (one phrase).
 */
const char *rdata_check(uint16_t type, const uint8_t *rdata, size_t len);
/* Compare two rdata in canonical form (RFC 4034 §6.3). */
int rdata_compare(uint16_t type, const uint8_t *a, size_t alen,
    const uint8_t *b, size_t blen);

/*
 * A digest that tells whether a file still holds the bytes written:
 * XXH3-128 (xxHash), in its canonical (big-endian) form. Fast (tens of
 * GB/s) and not cryptographic: it guards against edits and damage, not
 * against someone who could rewrite the file anyway.
 */
#define ZONE_DIGEST_LEN 16

/*
 * The form of zone_write's lines: change it whenever the line written for
 * some record could change, and older text is no longer copied from; and
 * whenever canonical order or what counts as the same record changes,
 * since zone_load_lines takes an intact output's order as written.
 */
#define ZONE_WRITE_FORMAT 1

/*
 * Text zone_write wrote before (our previous output, in this
 * ZONE_WRITE_FORMAT), still open at fd: z holds its records as read from
 * it (zone_load_lines, each with its line), and its first body_len bytes
 * are zone_write's lines.
 */
struct zone_text {
	const struct zone *z;
	int fd;
	uint64_t body_len;
	size_t copied;           /* set by zone_write: lines copied from it */
};

/*
 * A zone that one thread still fills in while zone_write writes it on
 * another: the filler says how far its records are final, in order (the
 * signer, as its slices are signed), and zone_write writes only those.
 * The filler: zone_progress_advance once the records' number and places
 * are fixed (and then as more become final), zone_progress_hold before it
 * moves records already given (it returns once the writer no longer reads
 * any; what it wrote is then void), zone_progress_end when done (rc 0) or
 * failed (rc: zone_write returns it). The writer returns only after the
 * end. It reads the records' owner, type, TTL and rdata, never their
 * flags: the filler may still set those (zone_settle_in_place) without a
 * hold. Fields are private.
 */
struct zone_progress {
	pthread_mutex_t lock;
	pthread_cond_t moved;
	size_t final;                /* records [0, final) stay as they are */
	bool placed, held, again, ended, reading;
	int rc;
};
void zone_progress_init(struct zone_progress *p);
void zone_progress_destroy(struct zone_progress *p);
void zone_progress_advance(struct zone_progress *p, size_t final);
void zone_progress_hold(struct zone_progress *p);
void zone_progress_end(struct zone_progress *p, int rc);

/*
 * Write every record in master-file format, one per line, formatted on
 * threads workers (0: one per online CPU). With digest not NULL, it gets
 * the digest (ZONE_DIGEST_LEN) of every byte written. With from not NULL (and out a file
 * that can seek), a record that from's zone has byte for byte (owner,
 * TTL, type, rdata) is not formatted again: its line is copied from
 * from's file (read through a window, not formatted). The first line of each run
 * copied and one in 64 of the others are formatted anyway and compared;
 * should one differ, or the old file not read as it did, what was written
 * is taken back and every line is formatted. from's file is taken to be
 * the one the output replaces: its pages leave the page cache as they
 * are copied, the rest once done. With progress not NULL, the zone is
 * written as its filler makes it final (zone_progress), and taken back
 * and written again should the filler move records.
 */
int zone_write(const struct zone *z, FILE *out, unsigned threads,
    uint8_t digest[ZONE_DIGEST_LEN], struct zone_text *from,
    struct zone_progress *progress) WUR;
/*
 * The records of a finalized zone as an image (zone_image.c) into fd:
 * bytes that zone_image_load reads and points records into, with nothing
 * to parse. Written from offset 0 in large steps, over whatever
 * the file held, which is then cut to the image's length. digest gets the
 * digest (ZONE_DIGEST_LEN) that names the image. Returns 0 or a status.
 */
int zone_image_write(const struct zone *z, int fd,
    uint8_t digest[ZONE_DIGEST_LEN]) WUR;
/*
 * The zone an image at path holds, when its digest is digest: the records
 * in the order written (one TTL per RRset, as zone_write wrote them, taken
 * as zone_finalize_written takes them), record i with line i + 1 of the
 * file text, which zone_write wrote from the same records. Every record is
 * checked as zone_load checks what it reads: any doubt gives
 * STATUS_SYNTAX, never unsafe memory. The file is read whole into memory
 * that the records point into until zone_free.
 */
int zone_image_load(const char *path, const char *origin, const char *text,
    const uint8_t digest[ZONE_DIGEST_LEN], struct zone **out) WUR;

/* One record as zone_write writes it (no newline) into buf; 0 or a status. */
int zrr_format(const struct zrr *rr, char *buf, size_t size) WUR;

#endif
