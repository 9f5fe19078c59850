/* Wire-format domain name helpers. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "common/status.h"
#include "dname.h"

static inline uint8_t
lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

size_t
dname_length(const uint8_t *name)
{
	const uint8_t *p = name;

	while (*p != 0)
		p += *p + 1;
	return (size_t)(p - name) + 1;
}

size_t
dname_length_within(const uint8_t *name, size_t max)
{
	size_t i = 0;

	while (i < max && name[i] != 0) {
		if (name[i] > 63)
			return 0;
		i += 1 + name[i];
	}
	return i < max && i + 1 <= DNAME_MAX_LENGTH ? i + 1 : 0;
}

unsigned
dname_label_count(const uint8_t *name)
{
	unsigned n = 0;

	for (; *name != 0; name += *name + 1)
		n++;
	return n;
}

bool
dname_is_wildcard(const uint8_t *name)
{
	return name[0] == 1 && name[1] == '*';
}

const uint8_t *
dname_parent(const uint8_t *name)
{
	return name[0] == 0 ? name : name + name[0] + 1;
}

bool
dname_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		if (*a == 0)
			return true;
		for (unsigned i = 1; i <= *a; i++)
			if (lower(a[i]) != lower(b[i]))
				return false;
		a += *a + 1;
		b += *b + 1;
	}
}

bool
dname_is_below_or_at(const uint8_t *name, const uint8_t *ancestor)
{
	size_t n = dname_length(name), m = dname_length(ancestor);

	/* Drop labels from the left until no more is left than the ancestor. */
	while (n > m) {
		n -= name[0] + 1u;
		name += name[0] + 1;
	}
	return n == m && dname_equal(name, ancestor);
}

static unsigned
label_offsets(const uint8_t *name, uint8_t offs[DNAME_MAX_LABELS])
{
	unsigned n = 0;
	unsigned pos = 0;

	while (name[pos] != 0 && n < DNAME_MAX_LABELS) {
		offs[n++] = (uint8_t)pos;
		pos += name[pos] + 1u;
	}
	return n;
}

/* RFC 4034 §6.1: compare label by label from the root, octets in lower case. */
int
dname_compare(const uint8_t *a, const uint8_t *b)
{
	uint8_t oa[DNAME_MAX_LABELS], ob[DNAME_MAX_LABELS];
	unsigned na = label_offsets(a, oa), nb = label_offsets(b, ob);

	while (na > 0 && nb > 0) {
		const uint8_t *la = a + oa[--na], *lb = b + ob[--nb];
		unsigned len = la[0] < lb[0] ? la[0] : lb[0];

		for (unsigned i = 1; i <= len; i++) {
			uint8_t ca = lower(la[i]), cb = lower(lb[i]);
			if (ca != cb)
				return ca < cb ? -1 : 1;
		}
		if (la[0] != lb[0])
			return la[0] < lb[0] ? -1 : 1;
	}
	return na == nb ? 0 : (na < nb ? -1 : 1);
}

uint64_t
dname_sort_key(const uint8_t *name, unsigned skip_labels)
{
	uint8_t offs[DNAME_MAX_LABELS];
	unsigned n = label_offsets(name, offs), got = 0;
	uint64_t key = 0;

	/* Octet order: 0 and 1 become 1 1 and 1 2, so that 0 can end a label. */
	for (unsigned l = n - skip_labels; l > 0 && got < 8; l--) {
		const uint8_t *label = name + offs[l - 1];
		for (unsigned i = 1; i <= label[0] && got < 8; i++) {
			uint8_t c = lower(label[i]);
			if (c < 2) {
				key = key << 8 | 1;
				if (++got == 8)
					break;
				c++;
			}
			key = key << 8 | c;
			got++;
		}
		if (got < 8) {
			key <<= 8;
			got++;
		}
	}
	/* Short keys end in zero octets (a shift by 64 is undefined). */
	return got == 0 ? 0 : got < 8 ? key << (8 * (8 - got)) : key;
}

void
dname_copy_lower(uint8_t *dst, const uint8_t *src)
{
	size_t len = dname_length(src);

	for (size_t i = 0; i < len;) {
		uint8_t l = src[i];
		dst[i++] = l;
		for (unsigned k = 0; k < l; k++, i++)
			dst[i] = lower(src[i]);
	}
}

void
dname_format(const uint8_t *name, char *buf, size_t size)
{
	size_t o = 0;

	if (size == 0)
		return;
	if (*name == 0) {
		snprintf(buf, size, ".");
		return;
	}
	for (; *name != 0 && o + 5 < size; name += *name + 1) {
		for (unsigned i = 1; i <= *name && o + 5 < size; i++) {
			uint8_t c = name[i];
			/*
			 * Letters, digits, '-', '_' and a lone '*' as they are;
			 * other printable octets escaped, which every reader
			 * takes (zone parsers refuse a bare '@', '!', ...).
			 */
			if (dname_octet_plain(c) || (c == '*' && *name == 1)) {
				buf[o++] = (char)c;
			} else if (c > ' ' && c < 0x7f) {
				buf[o++] = '\\';
				buf[o++] = (char)c;
			} else {
				o += (size_t)snprintf(buf + o, size - o, "\\%03u", c);
			}
		}
		buf[o++] = '.';
	}
	buf[o] = '\0';
}

int
dname_parse(const char *text, uint8_t *out)
{
	uint8_t name[DNAME_MAX_LENGTH];
	size_t pos = 0, lpos = 0;
	const char *p = text;

	if (text[0] == '.' && text[1] == '\0') {
		out[0] = 0;
		return 0;
	}
	if (*p == '\0')
		return STATUS_SYNTAX;
	name[0] = 0;
	pos = 1;
	while (*p != '\0') {
		unsigned c = (unsigned char)*p++;

		if (c == '.') {
			if (name[lpos] == 0)
				return STATUS_SYNTAX;  /* empty label */
			if (*p == '\0')
				break;
			lpos = pos++;
			if (pos > DNAME_MAX_LENGTH - 1)
				return STATUS_SYNTAX;
			name[lpos] = 0;
			continue;
		}
		if (c == '\\') {
			if (isdigit((unsigned char)p[0])) {
				if (!isdigit((unsigned char)p[1]) ||
				    !isdigit((unsigned char)p[2]))
					return STATUS_SYNTAX;
				c = (unsigned)(p[0] - '0') * 100 +
				    (unsigned)(p[1] - '0') * 10 + (unsigned)(p[2] - '0');
				if (c > 255)
					return STATUS_SYNTAX;
				p += 3;
			} else if (*p == '\0')
				return STATUS_SYNTAX;
			else
				c = (unsigned char)*p++;
		}
		if (name[lpos] == 63 || pos >= DNAME_MAX_LENGTH - 1)
			return STATUS_SYNTAX;
		name[lpos]++;
		name[pos++] = (uint8_t)c;
	}
	name[pos++] = 0;
	memcpy(out, name, pos);
	return 0;
}

bool
dname_tlsa_owner(unsigned port, const uint8_t *host, uint8_t *out)
{
	size_t l = dname_length(host);
	int n;

	if (port == 0 || port > 65535)
		return false;
	/* "\003_25": the first label's length, then '_' and the digits. */
	n = snprintf((char *)out + 1, 7, "_%u", port);
	out[0] = (uint8_t)n;
	memcpy(out + 1 + n, "\004_tcp", 5);
	if (1u + (size_t)n + 5u + l > DNAME_MAX_LENGTH)
		return false;
	memcpy(out + 1 + n + 5, host, l);
	return true;
}

bool
dname_tlsa_port(const uint8_t *owner, unsigned *port, const uint8_t **host)
{
	unsigned v = 0;

	if (owner[0] < 2 || owner[0] > 6 || owner[1] != '_')
		return false;
	for (size_t i = 2; i <= owner[0]; i++) {
		if (owner[i] < '0' || owner[i] > '9')
			return false;
		v = v * 10 + (unsigned)(owner[i] - '0');
	}
	owner += 1 + owner[0];
	if (owner[0] != 4 || owner[1] != '_' || (owner[2] | 0x20) != 't' ||
	    (owner[3] | 0x20) != 'c' || (owner[4] | 0x20) != 'p')
		return false;
	*host = owner + 5;
	*port = v;
	return v > 0 && v <= 65535;
}
