/* BIND key files: reading and writing K<zone>.+AAA+TTTTT.key and .private. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <sodium.h>

#include "common/fileio.h"
#include "common/status.h"
#include "common/timespec.h"
#include "dnskey.h"
#include "keys_internal.h"

/* A private key file is a few hundred bytes; anything far larger is not one. */
#define PRIVATE_FILE_MAX 65536
/* Room for the .private text of an RSA 4096 key with all its fields. */
#define PRIVATE_TEXT_MAX 16384

static const char *const field_names[KEY_FIELD_COUNT] = {
	[KEY_FIELD_MODULUS] = "Modulus",
	[KEY_FIELD_PUBLIC_EXPONENT] = "PublicExponent",
	[KEY_FIELD_PRIVATE_EXPONENT] = "PrivateExponent",
	[KEY_FIELD_PRIME1] = "Prime1",
	[KEY_FIELD_PRIME2] = "Prime2",
	[KEY_FIELD_EXPONENT1] = "Exponent1",
	[KEY_FIELD_EXPONENT2] = "Exponent2",
	[KEY_FIELD_COEFFICIENT] = "Coefficient",
	[KEY_FIELD_PRIVATE_KEY] = "PrivateKey",
};

const char *
keys_field_name(enum key_field f)
{
	return field_names[f];
}

/* A wire name as lower-case presentation text (ldns escapes odd octets). */
static int
name_text(const ldns_rdf *name, char **out)
{
	ldns_rdf *copy;
	char *text;

	if ((copy = ldns_rdf_clone(name)) == NULL)
		return STATUS_NOMEM;
	/* RFC 4034 §6.2: the canonical form of a name is lower case. */
	ldns_dname2canonical(copy);
	text = ldns_rdf2str(copy);
	ldns_rdf_deep_free(copy);
	if (text == NULL)
		return STATUS_NOMEM;
	*out = text;
	return 0;
}

int
keys_name_normalize(const char *text, char **out)
{
	ldns_rdf *name;
	int rc;

	if (text == NULL || *text == '\0')
		return STATUS_SYNTAX;
	for (const char *p = text; *p != '\0'; p++)
		if (!isgraph((unsigned char)*p))
			return STATUS_SYNTAX;
	if ((name = ldns_dname_new_frm_str(text)) == NULL)
		return STATUS_SYNTAX;
	rc = name_text(name, out);
	ldns_rdf_deep_free(name);
	return rc;
}

int
keys_name_wire(const char *text, uint8_t out[256])
{
	ldns_rdf *name = ldns_dname_new_frm_str(text);
	int rc = STATUS_SYNTAX;

	if (name != NULL && ldns_rdf_size(name) <= 255) {
		memcpy(out, ldns_rdf_data(name), ldns_rdf_size(name));
		rc = 0;
	}
	ldns_rdf_deep_free(name);
	return rc;
}

void
keys_public_file_clear(struct key_public_file *pf)
{
	if (pf == NULL)
		return;
	free(pf->owner);
	free(pf->rdata);
	memset(pf, 0, sizeof(*pf));
}

/* Check the DNSKEY fields that do not need the private key. */
static int
check_dnskey(const char *path, unsigned long line, const uint8_t *rdata,
    size_t len, struct diag *d)
{
	uint16_t flags;
	const char *name;

	if (len < 5) {
		diag_set(d, path, line, "DNSKEY record has no public key");
		return STATUS_KEY_FORMAT;
	}
	flags = (uint16_t)(rdata[0] << 8 | rdata[1]);
	/* RFC 4034 §2.1.2: protocol must be 3. */
	if (rdata[2] != DNSKEY_PROTOCOL) {
		diag_set(d, path, line, "DNSKEY protocol is %u, not 3",
		    rdata[2]);
		return STATUS_KEY_FORMAT;
	}
	/* RFC 4034 §2.1.1: without the Zone Key flag it is no zone key. */
	if (!(flags & DNSKEY_FLAG_ZONE)) {
		diag_set(d, path, line, "DNSKEY flags %u lack the Zone Key bit "
		    "(256): not a zone signing key", flags);
		return STATUS_KEY_FORMAT;
	}
	if (!dnssec_alg_is_supported(rdata[3])) {
		name = dnssec_alg_name(rdata[3]);
		diag_set(d, path, line, "DNSKEY algorithm %u%s%s%s is not "
		    "supported (use 8, 13, 14, 15 or 16)", rdata[3],
		    name ? " (" : "", name ? name : "", name ? ")" : "");
		return STATUS_UNSUPPORTED;
	}
	return 0;
}

/* Take the one DNSKEY record of a .key file. */
static int
take_record(const char *path, ldns_rr *rr, unsigned long line,
    struct key_public_file *pf, struct diag *d)
{
	ldns_buffer *buf = NULL;
	int rc;

	if (pf->rdata != NULL) {
		diag_set(d, path, line, "more than one record in a key file");
		return STATUS_KEY_FORMAT;
	}
	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_DNSKEY ||
	    ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
		diag_set(d, path, line, "expected an IN DNSKEY record");
		return STATUS_KEY_FORMAT;
	}
	if ((buf = ldns_buffer_new(LDNS_MAX_PACKETLEN)) == NULL)
		return STATUS_NOMEM;
	if (ldns_rr_rdata2buffer_wire(buf, rr) != LDNS_STATUS_OK) {
		diag_set(d, path, line, "DNSKEY record does not encode");
		rc = STATUS_KEY_FORMAT;
		goto out;
	}
	if ((rc = check_dnskey(path, line, ldns_buffer_begin(buf),
	    ldns_buffer_position(buf), d)) != 0)
		goto out;
	if ((rc = name_text(ldns_rr_owner(rr), &pf->owner)) != 0)
		goto out;
	pf->rdlen = ldns_buffer_position(buf);
	if ((pf->rdata = malloc(pf->rdlen)) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	memcpy(pf->rdata, ldns_buffer_begin(buf), pf->rdlen);
	pf->line = line;
out:
	ldns_buffer_free(buf);
	return rc;
}

int
keys_public_file_load(const char *path, struct key_public_file *out,
    struct diag *d)
{
	struct key_public_file pf = { 0 };
	ldns_rdf *origin = NULL, *prev = NULL;
	uint32_t ttl = 3600;
	char *text = NULL;
	FILE *f = NULL;
	size_t len = 0;
	int line = 0, rc;

	if ((rc = file_read_all(path, &text, &len)) != 0) {
		diag_set(d, path, 0, "cannot read the key file");
		return rc;
	}
	if (len == 0 || memchr(text, '\0', len) != NULL) {
		diag_set(d, path, 0, len ? "binary data in a key file" :
		    "empty key file");
		rc = STATUS_KEY_FORMAT;
		goto out;
	}
	if ((f = fmemopen(text, len, "r")) == NULL) {
		rc = status_from_errno(errno);
		goto out;
	}
	/* ldns reads master-file syntax: comments, TTL, class, parentheses. */
	while (!feof(f)) {
		ldns_rr *rr = NULL;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin,
		    &prev, &line);

		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN)
			continue;
		if (st != LDNS_STATUS_OK) {
			diag_set(d, path, (unsigned long)line, "%s",
			    ldns_get_errorstr_by_id(st));
			rc = STATUS_KEY_FORMAT;
			goto out;
		}
		rc = take_record(path, rr, (unsigned long)line, &pf, d);
		ldns_rr_free(rr);
		if (rc != 0)
			goto out;
	}
	if (pf.rdata == NULL) {
		diag_set(d, path, 0, "no DNSKEY record in the key file");
		rc = STATUS_KEY_FORMAT;
		goto out;
	}
	*out = pf;
	memset(&pf, 0, sizeof(pf));
out:
	keys_public_file_clear(&pf);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	if (f != NULL)
		fclose(f);
	free(text);
	return rc;
}

void
keys_private_file_clear(struct key_private_file *pf)
{
	if (pf == NULL)
		return;
	for (int i = 0; i < KEY_FIELD_COUNT; i++)
		keys_secret_free(&pf->field[i]);
	memset(pf, 0, sizeof(*pf));
}

/* Read a private key file into a secret buffer; refuse unsafe files. */
static int
read_private(const char *path, struct secret *buf, int64_t *mtime,
    struct diag *d)
{
	struct stat st;
	size_t have = 0;
	int fd, rc;

	/* O_NOFOLLOW: a link could point the loader at someone else's file. */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		rc = status_from_errno(errno);
		if (errno == ELOOP) {
			diag_set(d, path, 0, "the private key file is a "
			    "symbolic link; put the file itself there");
			return STATUS_KEY_UNSAFE;
		}
		diag_set(d, path, 0, "cannot open the private key file");
		return rc;
	}
	if (fstat(fd, &st) != 0) {
		rc = status_from_errno(errno);
		diag_set(d, path, 0, "cannot stat the private key file");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_set(d, path, 0, "the private key is not a regular file");
		rc = STATUS_KEY_UNSAFE;
		goto out;
	}
	/* Checked on the open file, so the answer holds for what we read. */
	if ((st.st_mode & 077) != 0) {
		diag_set(d, path, 0, "the private key file has mode %04o, open "
		    "to group or others; run chmod 600 on it",
		    (unsigned)(st.st_mode & 07777));
		rc = STATUS_KEY_UNSAFE;
		goto out;
	}
	if (st.st_size > PRIVATE_FILE_MAX) {
		diag_set(d, path, 0, "too large for a private key file");
		rc = STATUS_KEY_FORMAT;
		goto out;
	}
	if ((rc = keys_secret_alloc(buf, (size_t)st.st_size + 1)) != 0)
		goto out;
	while (have < (size_t)st.st_size) {
		ssize_t n = read(fd, buf->data + have,
		    (size_t)st.st_size - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? status_from_errno(errno) : -EIO;
			diag_set(d, path, 0, "cannot read the private key "
			    "file");
			keys_secret_free(buf);
			goto out;
		}
		have += (size_t)n;
	}
	buf->data[have] = '\0';
	buf->len = have;
	*mtime = (int64_t)st.st_mtime;
	rc = 0;
out:
	close(fd);
	return rc;
}

static char *
trim(char *s, char *end)
{
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* "13 (ECDSAP256SHA256)" or "13": the number is what counts. */
static int
parse_algorithm(const char *v, uint8_t *alg)
{
	unsigned n = 0;
	int digits = 0;

	while (isdigit((unsigned char)*v) && digits < 4) {
		n = n * 10 + (unsigned)(*v++ - '0');
		digits++;
	}
	if (digits == 0 || n > 255 ||
	    (*v != '\0' && !isspace((unsigned char)*v)))
		return STATUS_SYNTAX;
	*alg = (uint8_t)n;
	return 0;
}

/* One "Name: value" line of a private key file. */
static int
private_line(const char *path, unsigned long line, const char *name,
    const char *value, struct key_private_file *pf, bool *seen_format,
    bool *seen_alg, struct diag *d)
{
	size_t vlen = strlen(value), binlen = 0;
	struct secret *field;
	int rc;

	if (strcasecmp(name, "Private-key-format") == 0) {
		/* BIND writes v1.2 or v1.3; a new major version may differ. */
		if (strncmp(value, "v1.", 3) != 0 ||
		    !isdigit((unsigned char)value[3])) {
			diag_set(d, path, line, "unsupported "
			    "Private-key-format '%.16s' (v1.x expected)",
			    value);
			return STATUS_KEY_FORMAT;
		}
		*seen_format = true;
		return 0;
	}
	if (strcasecmp(name, "Algorithm") == 0) {
		if (*seen_alg || parse_algorithm(value, &pf->alg) != 0) {
			diag_set(d, path, line, *seen_alg ? "Algorithm given "
			    "twice" : "Algorithm is not a number");
			return STATUS_KEY_FORMAT;
		}
		pf->alg_line = line;
		*seen_alg = true;
		return 0;
	}
	if (strcasecmp(name, "Created") == 0) {
		if (time_parse(value, 0, &pf->created) != 0) {
			diag_set(d, path, line, "Created is not a time "
			    "(YYYYMMDDHHMMSS)");
			return STATUS_KEY_FORMAT;
		}
		return 0;
	}
	for (int i = 0; i < KEY_FIELD_COUNT; i++) {
		if (strcasecmp(name, field_names[i]) != 0)
			continue;
		field = &pf->field[i];
		if (field->data != NULL) {
			diag_set(d, path, line, "%s given twice",
			    field_names[i]);
			return STATUS_KEY_FORMAT;
		}
		if ((rc = keys_secret_alloc(field, vlen / 4 * 3 + 3)) != 0)
			return rc;
		/* Strict: padding required, no stray characters, no echo. */
		if (vlen == 0 || sodium_base642bin(field->data, field->len,
		    value, vlen, NULL, &binlen, NULL,
		    sodium_base64_VARIANT_ORIGINAL) != 0 || binlen == 0) {
			keys_secret_free(field);
			diag_set(d, path, line, "%s is not valid base64",
			    field_names[i]);
			return STATUS_KEY_FORMAT;
		}
		field->len = binlen;
		pf->field_line[i] = line;
		return 0;
	}
	/* Timing metadata (Publish, Activate, Inactive, ...) and the like. */
	return 0;
}

int
keys_private_file_load(const char *path, struct key_private_file *out,
    struct diag *d)
{
	struct key_private_file pf = { 0 };
	struct secret text = { 0 };
	bool seen_format = false, seen_alg = false;
	unsigned long line = 0;
	int64_t mtime = 0;
	char *p, *end;
	int rc;

	if ((rc = read_private(path, &text, &mtime, d)) != 0)
		return rc;
	pf.created = INT64_MIN;
	for (p = (char *)text.data; *p != '\0'; p = end) {
		char *nl = strchr(p, '\n'), *colon, *name, *value;

		line++;
		end = nl != NULL ? nl + 1 : p + strlen(p);
		if (nl != NULL)
			*nl = '\0';
		name = trim(p, nl != NULL ? nl : end);
		if (*name == '\0' || *name == ';' || *name == '#')
			continue;
		if ((colon = strchr(name, ':')) == NULL) {
			diag_set(d, path, line, "expected 'Name: value'");
			rc = STATUS_KEY_FORMAT;
			goto out;
		}
		value = trim(colon + 1, colon + 1 + strlen(colon + 1));
		trim(name, colon);
		if ((rc = private_line(path, line, name, value, &pf,
		    &seen_format, &seen_alg, d)) != 0)
			goto out;
	}
	if (!seen_format || !seen_alg) {
		diag_set(d, path, 0, "no %s line: not a private key file",
		    seen_format ? "Algorithm" : "Private-key-format");
		rc = STATUS_KEY_FORMAT;
		goto out;
	}
	/* ldns-keygen writes no Created line: the file's age must do. */
	if (pf.created == INT64_MIN)
		pf.created = mtime;
	*out = pf;
	memset(&pf, 0, sizeof(pf));
out:
	keys_private_file_clear(&pf);
	keys_secret_free(&text);
	return rc;
}

/* A growing text in a secret buffer of fixed capacity. */
struct secret_text {
	struct secret buf;
	size_t used;
	bool overflow;
};

static void
st_puts(struct secret_text *t, const char *s)
{
	size_t n = strlen(s);

	if (t->overflow || t->used + n >= t->buf.len) {
		t->overflow = true;
		return;
	}
	memcpy(t->buf.data + t->used, s, n + 1);
	t->used += n;
}

static void
st_base64(struct secret_text *t, const unsigned char *bin, size_t len)
{
	size_t need = sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_ORIGINAL);

	if (t->overflow || t->used + need >= t->buf.len) {
		t->overflow = true;
		return;
	}
	sodium_bin2base64((char *)t->buf.data + t->used, need, bin, len,
	    sodium_base64_VARIANT_ORIGINAL);
	t->used += need - 1;
}

/* "Name: base64\n" of len bytes (0 = minimal) from a BN parameter of pkey. */
static int
st_bn_field(struct secret_text *t, const char *name, EVP_PKEY *pkey,
    const char *param, size_t len)
{
	struct secret raw = { 0 };
	BIGNUM *bn = NULL;
	int rc = STATUS_CRYPTO;

	if (EVP_PKEY_get_bn_param(pkey, param, &bn) != 1)
		goto out;
	if (len == 0)
		len = (size_t)BN_num_bytes(bn);
	if ((rc = keys_secret_alloc(&raw, len)) != 0)
		goto out;
	rc = STATUS_CRYPTO;
	if (BN_bn2binpad(bn, raw.data, (int)len) != (int)len)
		goto out;
	st_puts(t, name);
	st_puts(t, ": ");
	st_base64(t, raw.data, len);
	st_puts(t, "\n");
	rc = 0;
out:
	if (rc != 0)
		ERR_clear_error();
	keys_secret_free(&raw);
	BN_clear_free(bn);
	return rc;
}

static int
private_fields(const struct key *k, struct secret_text *t)
{
	static const char *const rsa_params[] = {
		OSSL_PKEY_PARAM_RSA_N, OSSL_PKEY_PARAM_RSA_E,
		OSSL_PKEY_PARAM_RSA_D, OSSL_PKEY_PARAM_RSA_FACTOR1,
		OSSL_PKEY_PARAM_RSA_FACTOR2, OSSL_PKEY_PARAM_RSA_EXPONENT1,
		OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	struct secret raw = { 0 };
	size_t len = KEYS_ED448_SIZE;
	int rc = 0;

	switch (k->alg) {
	case DNSSEC_ALG_RSASHA256:
		for (int i = 0; i <= KEY_FIELD_COEFFICIENT && rc == 0; i++)
			rc = st_bn_field(t, field_names[i], k->pkey,
			    rsa_params[i], 0);
		return rc;
	case DNSSEC_ALG_ECDSAP256SHA256:
	case DNSSEC_ALG_ECDSAP384SHA384:
		/* The scalar at the full size of the curve, as BIND does. */
		return st_bn_field(t, "PrivateKey", k->pkey,
		    OSSL_PKEY_PARAM_PRIV_KEY, keys_ecdsa_size(k->alg));
	case DNSSEC_ALG_ED25519:
		/* RFC 8080 §3: the private key is the 32-octet seed. */
		st_puts(t, "PrivateKey: ");
		st_base64(t, k->ed25519_sk, KEYS_ED25519_SIZE);
		st_puts(t, "\n");
		return 0;
	case DNSSEC_ALG_ED448:
		if ((rc = keys_secret_alloc(&raw, len)) != 0)
			return rc;
		if (EVP_PKEY_get_raw_private_key(k->pkey, raw.data,
		    &len) != 1 || len != KEYS_ED448_SIZE) {
			ERR_clear_error();
			rc = STATUS_CRYPTO;
		} else {
			st_puts(t, "PrivateKey: ");
			st_base64(t, raw.data, len);
			st_puts(t, "\n");
		}
		keys_secret_free(&raw);
		return rc;
	default:
		return STATUS_INTERNAL;
	}
}

int
keys_private_text(const struct key *k, struct secret *out)
{
	struct secret_text t = { 0 };
	char line[128], when[16];
	int rc;

	if ((rc = keys_secret_alloc(&t.buf, PRIVATE_TEXT_MAX)) != 0)
		return rc;
	snprintf(line, sizeof(line), "Private-key-format: v1.3\n"
	    "Algorithm: %u (%s)\n", k->alg, dnssec_alg_name(k->alg));
	st_puts(&t, line);
	if ((rc = private_fields(k, &t)) != 0)
		goto out;
	/* Timing metadata: BIND's tools then see a published, active key. */
	time_format(k->created, when, sizeof(when));
	snprintf(line, sizeof(line), "Created: %s\nPublish: %s\nActivate: %s\n",
	    when, when, when);
	st_puts(&t, line);
	if (t.overflow) {
		rc = STATUS_INTERNAL;
		goto out;
	}
	t.buf.len = t.used;
	*out = t.buf;
	t.buf.data = NULL;
out:
	keys_secret_free(&t.buf);
	return rc;
}

int
keys_public_text(const struct key *k, char **out)
{
	const uint8_t *pub = k->rdata + 4;
	size_t publen = k->rdlen - 4, b64len, size;
	char when[16], date[64], *b64 = NULL, *text = NULL;
	struct tm tm;
	time_t t = (time_t)k->created;
	int n, rc = 0;

	b64len = sodium_base64_ENCODED_LEN(publen,
	    sodium_base64_VARIANT_ORIGINAL);
	size = b64len + strlen(k->owner) * 2 + 512;
	if ((b64 = malloc(b64len)) == NULL || (text = malloc(size)) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	sodium_bin2base64(b64, b64len, pub, publen,
	    sodium_base64_VARIANT_ORIGINAL);
	time_format(k->created, when, sizeof(when));
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y UTC", &tm) == 0)
		date[0] = '\0';
	/* The same comments as dnssec-keygen, then the record itself. */
	n = snprintf(text, size,
	    "; This is a %s%s key, keyid %u, for %s\n"
	    "; Created: %s (%s)\n"
	    "; Publish: %s (%s)\n"
	    "; Activate: %s (%s)\n"
	    "%s IN DNSKEY %u %u %u %s\n",
	    (k->flags & DNSKEY_FLAG_REVOKE) ? "revoked " : "",
	    (k->flags & DNSKEY_FLAG_SEP) ? "key-signing" : "zone-signing",
	    k->tag, k->owner, when, date, when, date, when, date,
	    k->owner, k->flags, k->rdata[2], k->alg, b64);
	if (n < 0 || (size_t)n >= size) {
		rc = STATUS_INTERNAL;
		goto out;
	}
	*out = text;
	text = NULL;
out:
	free(b64);
	free(text);
	return rc;
}
