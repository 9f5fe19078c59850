/* Helpers for the keys/ unit suites: temp folders, files, RFC vectors. */
#ifndef ZW_KEYTEST_H
#define ZW_KEYTEST_H

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

/* snprintf that fails the test instead of truncating. */
static inline void kt_fmt(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline void
kt_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < size, "text too long for buffer");
}

/* A fresh folder under /tmp; the caller removes it with kt_rmtree(). */
static inline char *
kt_tmpdir(void)
{
	char tmpl[] = "/tmp/zw-keys-test.XXXXXX";

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	return strdup(tmpl);
}

/* Remove a folder and what it holds (links are removed, not followed). */
static inline void
kt_rm(const char *path)
{
	struct stat st;
	struct dirent *e;
	char sub[PATH_MAX];
	DIR *dp;

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	/* Folders a test made unwritable must still go. */
	chmod(path, 0700);
	if ((dp = opendir(path)) != NULL) {
		while ((e = readdir(dp)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			kt_fmt(sub, sizeof(sub), "%s/%s", path, e->d_name);
			kt_rm(sub);
		}
		closedir(dp);
	}
	rmdir(path);
}

static inline void
kt_rmtree(char *dir)
{
	if (dir == NULL)
		return;
	kt_rm(dir);
	free(dir);
}

/*
 * One root folder per test case, made and removed by the parent process
 * (an unchecked fixture), so it goes even when a forked test fails.
 */
static char *kt_root;

static inline void
kt_root_setup(void)
{
	kt_root = kt_tmpdir();
}

static inline void
kt_root_teardown(void)
{
	kt_rmtree(kt_root);
	kt_root = NULL;
}

/* A fresh folder for one test, inside the root. */
static inline char *
kt_subdir(void)
{
	char tmpl[PATH_MAX];

	ck_assert_ptr_nonnull(kt_root);
	kt_fmt(tmpl, sizeof(tmpl), "%s/t.XXXXXX", kt_root);
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	return strdup(tmpl);
}

static inline bool
kt_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static inline void
kt_path(char *buf, size_t size, const char *dir, const char *name)
{
	kt_fmt(buf, size, "%s/%s", dir, name);
}

static inline void
kt_write(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[PATH_MAX];
	FILE *f;

	kt_path(path, sizeof(path), dir, name);
	unlink(path);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
}

/* Whole file into a new buffer (caller frees). */
static inline char *
kt_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = malloc(1 << 16);
	size_t n;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(buf);
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Copy the regular files of from into to; private keys get mode 0600. */
static inline void
kt_copy_dir(const char *from, const char *to)
{
	struct dirent *e;
	char path[PATH_MAX];
	DIR *dp = opendir(from);

	ck_assert_msg(dp != NULL, "cannot open %s (is ZW_TESTDATA set?)", from);
	while ((e = readdir(dp)) != NULL) {
		size_t len = strlen(e->d_name);
		char *text;

		if (e->d_name[0] == '.')
			continue;
		kt_path(path, sizeof(path), from, e->d_name);
		text = kt_read(path);
		/* git keeps no 0600: the loader insists on it. */
		kt_write(to, e->d_name, text, len > 8 &&
		    strcmp(e->d_name + len - 8, ".private") == 0 ? 0600 : 0644);
		free(text);
	}
	closedir(dp);
}

/* Folder under $ZW_TESTDATA (tests/data when run by make). */
static inline void
kt_testdata(char *buf, size_t size, const char *sub)
{
	const char *root = getenv("ZW_TESTDATA");

	kt_path(buf, size, root != NULL ? root : "tests/data", sub);
}

static inline size_t
kt_b64(const char *b64, uint8_t *out, size_t max)
{
	size_t len = 0;

	ck_assert_int_eq(sodium_base642bin(out, max, b64, strlen(b64), " \n",
	    &len, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	return len;
}

static inline size_t
kt_hex(const char *hex, uint8_t *out, size_t max)
{
	size_t len = 0;

	ck_assert_int_eq(sodium_hex2bin(out, max, hex, strlen(hex), " ", &len,
	    NULL), 0);
	return len;
}

/* DNSKEY rdata from flags, algorithm and base64 public key. */
static inline size_t
kt_dnskey(uint16_t flags, uint8_t alg, const char *b64, uint8_t *out,
    size_t max)
{
	out[0] = (uint8_t)(flags >> 8);
	out[1] = (uint8_t)flags;
	out[2] = 3;
	out[3] = alg;
	return 4 + kt_b64(b64, out + 4, max - 4);
}

/* Presentation name ("example.com.") to wire form; returns the length. */
static inline size_t
kt_name(const char *name, uint8_t *out)
{
	size_t n = 0;

	while (*name != '\0' && strcmp(name, ".") != 0) {
		const char *dot = strchr(name, '.');
		size_t l = dot != NULL ? (size_t)(dot - name) : strlen(name);

		out[n++] = (uint8_t)l;
		memcpy(out + n, name, l);
		n += l;
		name += l + (dot != NULL);
	}
	out[n++] = 0;
	return n;
}

static inline size_t
kt_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return 2;
}

static inline size_t
kt_put32(uint8_t *p, uint32_t v)
{
	kt_put16(p, (uint16_t)(v >> 16));
	kt_put16(p + 2, (uint16_t)v);
	return 4;
}

/* An RRSIG over a one-record RRset, as the RFC examples give them. */
struct kt_rrsig {
	uint16_t type;
	uint8_t alg, labels;
	uint32_t ttl, expiration, inception;
	uint16_t tag;
	const char *signer, *owner;
	const uint8_t *rdata;
	size_t rdlen;
};

/*
 * RFC 4034 §3.1.8.1: the signed data is the RRSIG rdata without the
 * signature, followed by the RRset in canonical form (class IN).
 */
static inline size_t
kt_signing_data(const struct kt_rrsig *s, uint8_t *out)
{
	size_t n = 0;

	n += kt_put16(out + n, s->type);
	out[n++] = s->alg;
	out[n++] = s->labels;
	n += kt_put32(out + n, s->ttl);
	n += kt_put32(out + n, s->expiration);
	n += kt_put32(out + n, s->inception);
	n += kt_put16(out + n, s->tag);
	n += kt_name(s->signer, out + n);
	n += kt_name(s->owner, out + n);
	n += kt_put16(out + n, s->type);
	n += kt_put16(out + n, 1);
	n += kt_put32(out + n, s->ttl);
	n += kt_put16(out + n, (uint16_t)s->rdlen);
	memcpy(out + n, s->rdata, s->rdlen);
	return n + s->rdlen;
}

#ifdef ZW_KEYSTORE_H
/*
 * A fresh folder holding a copy of the golden keys (tests/data/golden/keys)
 * in keys/, loaded for example.com (include keys/keystore.h first).
 */
static inline struct keyset *
kt_golden_keyset(char **dir)
{
	char from[PATH_MAX], to[PATH_MAX];
	struct keyset *keys = NULL;
	struct diag d;

	*dir = kt_tmpdir();
	kt_testdata(from, sizeof(from), "golden/keys");
	kt_path(to, sizeof(to), *dir, "keys");
	ck_assert_int_eq(mkdir(to, 0700), 0);
	kt_copy_dir(from, to);
	ck_assert_int_eq(keystore_load(to, "example.com", &keys, &d), 0);
	return keys;
}
#endif

/* MX 10 mail.example.com. (RFC 8080 §6) */
static inline size_t
kt_mx_rdata(uint8_t *out)
{
	size_t n = kt_put16(out, 10);

	return n + kt_name("mail.example.com.", out + n);
}

#endif
