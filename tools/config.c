/* The config file: libinih reads the INI syntax, this file knows the sections, keys and values. */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/status.h"
#include "common/timespec.h"
#include "config.h"
#include "keys/dnskey.h"
#include "zones/dname.h"
#include "zones/serial.h"

/* A copy of a section header line (libinih's lines are shorter). */
#define LINE_MAX_CONFIG 1000
#define MIN_VALIDITY 3600
#define ZSK_LIFETIME_DEFAULT (90 * 86400)
#define PROPAGATION_DELAY_DEFAULT 3600
#define PARENT_DS_TTL_DEFAULT 86400

/* One "key = value" as read, for its section. */
struct entry {
	char *key;
	char *value;
	unsigned long line;
};

/* A section as read: [defaults] (name NULL) or [zone NAME]. */
struct section {
	char *name;
	unsigned long line;
	struct entry *entries;
	size_t nentries;
};

struct parse {
	FILE *f;
	const char *path;
	unsigned long line;
	struct section *sections;
	size_t nsections;
	struct section *current;     /* NULL before the first section */
	struct diag *d;
	bool failed;                 /* d holds the first error */
};

static int
fail(struct parse *p, unsigned long line, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static int
fail(struct parse *p, unsigned long line, const char *fmt, ...)
{
	va_list ap;
	char text[sizeof(p->d->text)];

	if (!p->failed) {
		va_start(ap, fmt);
		vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
		diag_set(p->d, p->path, line, "%s", text);
		p->failed = true;
	}
	return 0;
}

/* Do two zone names in text mean the same zone (case, trailing dot aside)? */
static bool
same_zone_name(const char *a, const char *b)
{
	uint8_t wa[DNAME_MAX_LENGTH], wb[DNAME_MAX_LENGTH];

	if (dname_parse(a, wa) != 0 || dname_parse(b, wb) != 0)
		return strcasecmp(a, b) == 0;
	return dname_equal(wa, wb);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/* A section header line: check it and start collecting its entries. */
static void
open_section(struct parse *p, char *line)
{
	char *end = strchr(line, ']'), *name;
	struct section *s;

	if (end == NULL) {
		fail(p, p->line, "section header without ']'");
		return;
	}
	*end = '\0';
	name = trim(line + 1);
	if (strcmp(name, "defaults") == 0) {
		name = NULL;
	} else if (strncmp(name, "zone", 4) == 0 &&
	    isspace((unsigned char)name[4])) {
		uint8_t wire[DNAME_MAX_LENGTH];
		name = trim(name + 5);
		if (*name == '\0' || dname_parse(name, wire) != 0) {
			fail(p, p->line, "[zone %s]: not a domain name", name);
			return;
		}
	} else {
		fail(p, p->line, "unknown section [%s]: use [defaults] or "
		    "[zone NAME]", name);
		return;
	}
	for (size_t i = 0; i < p->nsections; i++) {
		const char *other = p->sections[i].name;
		if ((name == NULL) != (other == NULL))
			continue;
		if (name == NULL || same_zone_name(name, other)) {
			fail(p, p->line, "section [%s%s] given twice (first on "
			    "line %lu)", name ? "zone " : "defaults",
			    name ? name : "", p->sections[i].line);
			return;
		}
	}
	s = realloc(p->sections, (p->nsections + 1) * sizeof(*s));
	if (s == NULL) {
		fail(p, p->line, "out of memory");
		return;
	}
	p->sections = s;
	s = &p->sections[p->nsections++];
	memset(s, 0, sizeof(*s));
	s->line = p->line;
	if (name != NULL && (s->name = strdup(name)) == NULL)
		fail(p, p->line, "out of memory");
	p->current = s;
}

/* libinih's line source: counts lines, catches sections, refuses long lines. */
static char *
read_line(char *str, int num, void *stream)
{
	struct parse *p = stream;
	char *s;
	size_t len;

	if (fgets(str, num, p->f) == NULL)
		return NULL;
	p->line++;
	len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && !feof(p->f)) {
		int c;
		/* libinih reads lines of at most num - 1 bytes, newline included. */
		fail(p, p->line, "line longer than %d characters", num - 2);
		while ((c = fgetc(p->f)) != EOF && c != '\n')
			;
		str[0] = '\0';
		return str;
	}
	s = str;
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '[') {
		char copy[LINE_MAX_CONFIG + 2];
		snprintf(copy, sizeof(copy), "%s", s);
		open_section(p, copy);
	}
	return str;
}

/* Value checks, one per key; NULL text means the value is fine. */
static const char *
check_path(const char *v)
{
	return *v == '\0' ? "a path is needed" : NULL;
}

static const char *
check_algorithm(const char *v)
{
	uint8_t alg;
	return dnssec_alg_parse(v, &alg) != 0 ? "not an algorithm we sign with "
	    "(ecdsap256sha256, ecdsap384sha384, ed25519, ed448, rsasha256)" :
	    NULL;
}

static const char *
check_denial(const char *v)
{
	return strcmp(v, "nsec3") && strcmp(v, "nsec") ? "use nsec3 or nsec" :
	    NULL;
}

static const char *
check_verify(const char *v)
{
	return strcmp(v, "all") && strcmp(v, "sample") ? "use all or sample" :
	    NULL;
}

static int
parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return STATUS_SYNTAX;
}

static const char *
check_bool(const char *v)
{
	bool b;
	return parse_bool(v, &b) != 0 ? "use yes or no" : NULL;
}

static const char *
check_validity(const char *v)
{
	int64_t s;
	if (duration_parse(v, &s) != 0)
		return "not a duration (e.g. 14d, 36h)";
	return s < MIN_VALIDITY ? "at least 1h" : NULL;
}

static const char *
check_duration(const char *v)
{
	int64_t s;
	return duration_parse(v, &s) != 0 ? "not a duration (e.g. 5d, 12h)" :
	    NULL;
}

static const char *
check_serial(const char *v)
{
	enum serial_policy sp;
	return serial_policy_parse(v, &sp) != 0 ?
	    "use unixtime, dateserial, increment or keep" : NULL;
}

static const char *
check_reload(const char *v)
{
	if (*v == '\0')
		return "a command is needed";
	for (const char *c = strchr(v, '%'); c != NULL; c = strchr(c + 2, '%'))
		if (c[1] != 'z' && c[1] != 'f' && c[1] != '%')
			return "only %z (zone), %f (output file) and %% may "
			    "follow a %";
	return NULL;
}

static const char *
check_parent_check(const char *v)
{
	if (strcmp(v, "manual") == 0 || strcmp(v, "dns") == 0 ||
	    (strncmp(v, "file:", 5) == 0 && v[5]))
		return NULL;
	return "use dns, manual or file:PATH";
}

static const char *
check_ttl(const char *v)
{
	int64_t s;
	if (duration_parse(v, &s) != 0)
		return "not a duration (e.g. 1h)";
	return s < 1 || s > 0x7fffffff ? "from 1s to 68 years" : NULL;
}

/* HOST PORT CERTFILE [NEXTKEYFILE] */
static const char *
check_tlsa(const char *v)
{
	char host[256], port[16], cert[1024], next[1024], extra[2], *end;
	uint8_t name[DNAME_MAX_LENGTH];
	int n = sscanf(v, "%255s %15s %1023s %1023s %1s", host, port, cert,
	    next, extra);
	unsigned long p;

	if (n < 3 || n > 4)
		return "give HOST PORT CERTFILE [NEXTKEYFILE]";
	if (dname_parse(host, name) != 0 || name[0] == 0)
		return "HOST is not a host name";
	p = strtoul(port, &end, 10);
	if (*end != '\0' || port[0] < '0' || port[0] > '9' || p == 0 ||
	    p > 65535)
		return "PORT must be 1 to 65535";
	return NULL;
}

static const char *
check_tlsa_deploy(const char *v)
{
	char cert[1024], key[1024], extra[2];

	return sscanf(v, "%1023s %1023s %1s", cert, key, extra) != 2 ?
	    "give CERTFILE KEYFILE" : NULL;
}

static const char *
check_scheme(const char *v)
{
	return strcmp(v, "ksk-zsk") && strcmp(v, "csk") ? "use ksk-zsk or csk" :
	    NULL;
}

static const char *
check_resolver(const char *v)
{
	const char *at = strchr(v, '@');
	unsigned long port;
	char *end;

	if (*v == '\0' || at == v)
		return "an IP address, optionally @PORT";
	if (at != NULL) {
		port = strtoul(at + 1, &end, 10);
		if (*end != '\0' || port == 0 || port > 65535)
			return "the port after @ must be 1 to 65535";
	}
	return NULL;
}

/* URI [URI...]: each mailto:ADDR or https://HOST..., RFC 8460 §3. */
static const char *
check_tls_rpt(const char *v)
{
	char uri[1024];
	int used, n = 0;

	for (const char *p = v; sscanf(p, "%1023s%n", uri, &used) == 1;
	    p += used, n++) {
		bool mailto = strncmp(uri, "mailto:", 7) == 0;
		if (!mailto && strncmp(uri, "https://", 8) != 0)
			return "each report address is mailto:ADDRESS or "
			    "https://URL";
		if (strpbrk(uri, ",;!") != NULL)
			return "a report address with , ; or ! (write them as %2C "
			    "%3B %21)";
		for (const char *c = uri; *c != '\0'; c++)
			if (*c <= ' ' || *c > '~' || *c == '"' || *c == '\\')
				return "a report address with a quote, a backslash or "
				    "a character that is not printable ASCII";
		if ((mailto && (strchr(uri + 7, '@') == NULL || uri[7] == '@' ||
		    strchr(uri + 7, '@')[1] == '\0')) ||
		    (!mailto && (uri[8] == '\0' || uri[8] == '/' ||
		    strchr(uri + 8, '.') == NULL)))
			return "a report address with nothing to send to";
	}
	return n == 0 ? "give mailto:ADDRESS or https://URL (one or more)" :
	    NULL;
}

static const char *
check_mta_sts(const char *v)
{
	return strcmp(v, "enforce") && strcmp(v, "testing") && strcmp(v, "none") ?
	    "use enforce, testing or none" : NULL;
}

/* RFC 8461 §3.2: max_age up to 31557600 s (about a year). */
static const char *
check_max_age(const char *v)
{
	int64_t s;
	if (duration_parse(v, &s) != 0)
		return "not a duration (e.g. 7d)";
	return s < 0 || s > 31557600 ? "from 0 to 31557600s (RFC 8461)" :
	    NULL;
}

static const struct {
	const char *key;
	const char *(*check)(const char *value);
} known_keys[] = {
	{ "input", check_path },
	{ "output", check_path },
	{ "keydir", check_path },
	{ "algorithm", check_algorithm },
	{ "denial", check_denial },
	{ "nsec3-opt-out", check_bool },
	{ "signature-validity", check_validity },
	{ "signature-refresh", check_duration },
	{ "serial", check_serial },
	{ "reload", check_reload },
	{ "zsk-lifetime", check_duration },
	{ "propagation-delay", check_duration },
	{ "ksk-lifetime", check_duration },
	{ "csk-lifetime", check_duration },
	{ "parent-ds-ttl", check_duration },
	{ "parent-propagation-delay", check_duration },
	{ "parent-ds-check", check_parent_check },
	{ "cds", check_bool },
	{ "resolver", check_resolver },
	{ "key-scheme", check_scheme },
	{ "dnskey-ttl", check_ttl },
	{ "verify", check_verify },
	{ "tlsa", check_tlsa },
	{ "tlsa-ttl", check_ttl },
	{ "tlsa-deploy", check_tlsa_deploy },
	{ "tlsa-reload", check_reload },
	{ "tls-rpt", check_tls_rpt },
	{ "mta-sts", check_mta_sts },
	{ "mta-sts-max-age", check_max_age },
	{ "mta-sts-policy", check_path },
};

static int
on_value(void *user, const char *section, const char *key, const char *value)
{
	struct parse *p = user;
	struct section *s = p->current;
	struct entry *e;
	const char *why = NULL;
	size_t k;

	(void)section;
	if (s == NULL)
		return fail(p, p->line, "'%s' before any section: put it under "
		    "[defaults] or [zone NAME]", key);
	for (k = 0; k < sizeof(known_keys) / sizeof(known_keys[0]); k++)
		if (strcmp(key, known_keys[k].key) == 0)
			break;
	if (k == sizeof(known_keys) / sizeof(known_keys[0]))
		return fail(p, p->line, "unknown key '%s'", key);
	if ((why = known_keys[k].check(value)) != NULL)
		return fail(p, p->line, "%s = %s: %s", key, value, why);
	/* tlsa and tlsa-deploy lines add up; every other key is given once. */
	bool repeatable = strcmp(key, "tlsa") == 0 ||
	    strcmp(key, "tlsa-deploy") == 0;
	if (repeatable && s->name == NULL)
		return fail(p, p->line, "%s belongs in a [zone NAME] section: "
		    "its host is in that zone", key);
	for (size_t i = 0; !repeatable && i < s->nentries; i++)
		if (strcmp(s->entries[i].key, key) == 0)
			return fail(p, p->line, "'%s' given twice in this "
			    "section (first on line %lu)", key,
			    s->entries[i].line);
	e = realloc(s->entries, (s->nentries + 1) * sizeof(*e));
	if (e == NULL)
		return fail(p, p->line, "out of memory");
	s->entries = e;
	e = &s->entries[s->nentries++];
	e->key = strdup(key);
	e->value = strdup(value);
	e->line = p->line;
	if (e->key == NULL || e->value == NULL)
		return fail(p, p->line, "out of memory");
	return 1;
}

/* A path as written, or joined to the config file's folder when relative. */
static char *
resolve_path(const char *config_path, const char *v)
{
	const char *slash = strrchr(config_path, '/');
	size_t dlen = slash ? (size_t)(slash - config_path) : 0;
	char *out;

	if (v[0] == '/' || slash == NULL)
		return strdup(v);
	if ((out = malloc(dlen + 1 + strlen(v) + 1)) == NULL)
		return NULL;
	memcpy(out, config_path, dlen);
	out[dlen] = '/';
	strcpy(out + dlen + 1, v);
	return out;
}

/*
 * One spelling for a file, so that two names of it compare equal: the
 * path resolved against the config's folder, its folder through realpath
 * when it exists ("./", "..", symbolic links), else "." and ".." taken
 * out as written.
 */
static char *
canonical_path(const char *config_path, const char *v)
{
	char *p = resolve_path(config_path, v), *out, *slash, *dir;
	const char **part;
	size_t nparts = 0, n = 0;
	bool absolute;

	if (p == NULL)
		return NULL;
	absolute = p[0] == '/';
	part = calloc(strlen(p) / 2 + 2, sizeof(*part));
	out = malloc(strlen(p) + 2);
	if (part == NULL || out == NULL) {
		free(part);
		free(out);
		free(p);
		return NULL;
	}
	/* Lexically: "." dropped, ".." takes back the component before it. */
	for (char *save = NULL, *c = strtok_r(p, "/", &save); c != NULL;
	    c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0 && nparts > 0 &&
		    strcmp(part[nparts - 1], "..") != 0) {
			nparts--;
			continue;
		}
		part[nparts++] = c;
	}
	out[0] = '\0';
	for (size_t i = 0; i < nparts; i++)
		n += (size_t)sprintf(out + n, "%s%s", i > 0 || absolute ? "/" : "",
		    part[i]);
	free(part);
	free(p);
	/* The folder as the system names it, when it is there. */
	if ((slash = strrchr(out, '/')) != NULL && slash != out) {
		*slash = '\0';
		dir = realpath(out, NULL);
		*slash = '/';
		if (dir != NULL) {
			char *full = malloc(strlen(dir) + strlen(slash) + 1);
			if (full != NULL) {
				sprintf(full, "%s%s", dir, slash);
				free(out);
				out = full;
			}
			free(dir);
		}
	}
	return out;
}

/* A tlsa line (checked by check_tlsa) onto zc's list, its files from the config's folder. */
static int
add_tlsa(struct zone_config *zc, const char *config_path, const struct entry *e)
{
	char host[256], cert[1024], next[1024];
	unsigned long port;
	struct tlsa_config *grown, *t;
	int n = sscanf(e->value, "%255s %lu %1023s %1023s", host, &port, cert,
	    next);      /* checked by check_tlsa: the port is all digits */

	if ((grown = realloc(zc->tlsa, (zc->ntlsa + 1) * sizeof(*grown))) == NULL)
		return STATUS_NOMEM;
	zc->tlsa = grown;
	t = &zc->tlsa[zc->ntlsa++];
	memset(t, 0, sizeof(*t));
	t->port = (unsigned)port;
	t->line = e->line;
	t->host = strdup(host);
	t->cert = canonical_path(config_path, cert);
	if (n == 4)
		t->next_key = resolve_path(config_path, next);
	return t->host == NULL || t->cert == NULL || (n == 4 && t->next_key ==
	    NULL) ? STATUS_NOMEM : 0;
}

/* A tlsa-deploy line onto zc's list, its files from the config's folder. */
static int
add_tlsa_deploy(struct zone_config *zc, const char *config_path,
    const struct entry *e)
{
	char cert[1024], key[1024];
	struct tlsa_deploy *grown, *t;

	if (sscanf(e->value, "%1023s %1023s", cert, key) != 2)
		return STATUS_INTERNAL;         /* checked by check_tlsa_deploy */
	if ((grown = realloc(zc->deploy, (zc->ndeploy + 1) *
	    sizeof(*grown))) == NULL)
		return STATUS_NOMEM;
	zc->deploy = grown;
	t = &zc->deploy[zc->ndeploy++];
	t->line = e->line;
	t->cert = canonical_path(config_path, cert);
	t->key = resolve_path(config_path, key);
	return t->cert == NULL || t->key == NULL ? STATUS_NOMEM : 0;
}

/* Apply one entry to a zone (values were checked as they were read). */
static int
apply(struct zone_config *zc, const char *config_path, const struct entry *e)
{
	char **path = NULL;

	if (strcmp(e->key, "input") == 0)
		path = &zc->input;
	else if (strcmp(e->key, "output") == 0)
		path = &zc->output;
	else if (strcmp(e->key, "keydir") == 0)
		path = &zc->keydir;
	if (path != NULL) {
		free(*path);
		return (*path = resolve_path(config_path, e->value)) ? 0 :
		    STATUS_NOMEM;
	}
	if (strcmp(e->key, "reload") == 0) {
		free(zc->reload);
		return (zc->reload = strdup(e->value)) ? 0 : STATUS_NOMEM;
	}
	if (strcmp(e->key, "tlsa") == 0)
		return add_tlsa(zc, config_path, e);
	if (strcmp(e->key, "tlsa-deploy") == 0)
		return add_tlsa_deploy(zc, config_path, e);
	if (strcmp(e->key, "tls-rpt") == 0) {
		free(zc->tls_rpt);
		return (zc->tls_rpt = strdup(e->value)) ? 0 : STATUS_NOMEM;
	}
	if (strcmp(e->key, "mta-sts") == 0) {
		free(zc->mta_sts);
		return (zc->mta_sts = strdup(e->value)) ? 0 : STATUS_NOMEM;
	}
	if (strcmp(e->key, "mta-sts-max-age") == 0)
		return duration_parse(e->value, &zc->mta_sts_max_age) == 0 ? 0 :
		    STATUS_INTERNAL;
	if (strcmp(e->key, "mta-sts-policy") == 0) {
		free(zc->mta_sts_policy);
		return (zc->mta_sts_policy = canonical_path(config_path,
		    e->value)) ? 0 : STATUS_NOMEM;
	}
	if (strcmp(e->key, "tlsa-reload") == 0) {
		free(zc->tlsa_reload);
		return (zc->tlsa_reload = strdup(e->value)) ? 0 : STATUS_NOMEM;
	}
	if (strcmp(e->key, "tlsa-ttl") == 0) {
		int64_t v;
		int rc = duration_parse(e->value, &v);
		zc->tlsa_ttl = (uint32_t)v;
		return rc;
	}
	if (strcmp(e->key, "algorithm") == 0) {
		zc->algorithm_set = true;
		return dnssec_alg_parse(e->value, &zc->algorithm);
	}
	if (strcmp(e->key, "denial") == 0) {
		zc->policy.denial = strcmp(e->value, "nsec") == 0 ?
		    DENIAL_NSEC : DENIAL_NSEC3;
		return 0;
	}
	if (strcmp(e->key, "nsec3-opt-out") == 0)
		return parse_bool(e->value, &zc->policy.opt_out);
	if (strcmp(e->key, "verify") == 0) {
		zc->policy.verify_sample = strcmp(e->value, "sample") == 0;
		return 0;
	}
	if (strcmp(e->key, "signature-validity") == 0)
		return duration_parse(e->value, &zc->policy.validity);
	if (strcmp(e->key, "signature-refresh") == 0)
		return duration_parse(e->value, &zc->policy.refresh);
	if (strcmp(e->key, "serial") == 0)
		return serial_policy_parse(e->value, &zc->policy.serial);
	if (strcmp(e->key, "zsk-lifetime") == 0)
		return duration_parse(e->value, &zc->zsk_lifetime);
	if (strcmp(e->key, "propagation-delay") == 0)
		return duration_parse(e->value, &zc->propagation_delay);
	if (strcmp(e->key, "ksk-lifetime") == 0)
		return duration_parse(e->value, &zc->ksk_lifetime);
	if (strcmp(e->key, "csk-lifetime") == 0)
		return duration_parse(e->value, &zc->csk_lifetime);
	if (strcmp(e->key, "parent-ds-ttl") == 0)
		return duration_parse(e->value, &zc->parent_ds_ttl);
	if (strcmp(e->key, "parent-propagation-delay") == 0)
		return duration_parse(e->value, &zc->parent_propagation_delay);
	if (strcmp(e->key, "cds") == 0) {
		int rc = parse_bool(e->value, &zc->cds);
		zc->policy.cds = zc->cds;
		return rc;
	}
	if (strcmp(e->key, "dnskey-ttl") == 0) {
		int64_t v;
		int rc = duration_parse(e->value, &v);
		zc->policy.dnskey_ttl = (uint32_t)v;
		return rc;
	}
	if (strcmp(e->key, "key-scheme") == 0) {
		zc->csk = strcmp(e->value, "csk") == 0;
		return 0;
	}
	if (strcmp(e->key, "resolver") == 0) {
		free(zc->resolver);
		return (zc->resolver = strdup(e->value)) ? 0 : STATUS_NOMEM;
	}
	if (strcmp(e->key, "parent-ds-check") == 0) {
		free(zc->parent_ds_file);
		zc->parent_ds_file = NULL;
		zc->parent_ds_dns = strcmp(e->value, "dns") == 0;
		if (strncmp(e->value, "file:", 5) == 0 &&
		    (zc->parent_ds_file = resolve_path(config_path,
		    e->value + 5)) == NULL)
			return STATUS_NOMEM;
		return 0;
	}
	return STATUS_INTERNAL;
}

static void
zone_config_clear(struct zone_config *zc)
{
	free(zc->name);
	free(zc->input);
	free(zc->output);
	free(zc->keydir);
	free(zc->reload);
	free(zc->parent_ds_file);
	free(zc->resolver);
	free(zc->config_file);
	for (size_t i = 0; i < zc->ntlsa; i++) {
		free(zc->tlsa[i].host);
		free(zc->tlsa[i].cert);
		free(zc->tlsa[i].next_key);
	}
	free(zc->tlsa);
	for (size_t i = 0; i < zc->ndeploy; i++) {
		free(zc->deploy[i].cert);
		free(zc->deploy[i].key);
	}
	free(zc->deploy);
	free(zc->tlsa_reload);
	free(zc->tls_rpt);
	free(zc->mta_sts);
	free(zc->mta_sts_policy);
}

/* Defaults, then [defaults], then the zone's own section; then what must hold. */
static int
build_zone(struct parse *p, const struct section *defaults,
    const struct section *s, struct zone_config *zc)
{
	const struct section *layers[2] = { defaults, s };
	char lower[DNAME_TEXT_MAX];
	size_t n;
	int rc;

	memset(zc, 0, sizeof(*zc));
	sign_policy_init(&zc->policy);
	zc->algorithm = DNSSEC_ALG_ECDSAP256SHA256;
	zc->zsk_lifetime = ZSK_LIFETIME_DEFAULT;
	zc->propagation_delay = PROPAGATION_DELAY_DEFAULT;
	zc->parent_ds_ttl = PARENT_DS_TTL_DEFAULT;
	zc->parent_propagation_delay = PROPAGATION_DELAY_DEFAULT;
	zc->cds = true;
	zc->policy.cds = true;
	zc->tlsa_ttl = TLSA_TTL_DEFAULT;
	zc->mta_sts_max_age = MTA_STS_MAX_AGE_DEFAULT;
	zc->line = s->line;
	if ((zc->name = strdup(s->name)) == NULL ||
	    (zc->config_file = strdup(p->path)) == NULL)
		return STATUS_NOMEM;
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; layers[l] && i < layers[l]->nentries; i++)
			if ((rc = apply(zc, p->path, &layers[l]->entries[i])) != 0)
				return rc;
	if (zc->input == NULL || zc->output == NULL) {
		fail(p, s->line, "[zone %s] has no %s", s->name,
		    zc->input == NULL ? "input" : "output");
		return STATUS_SYNTAX;
	}
	/* The policy file: beside the output unless mta-sts-policy says where. */
	if (zc->mta_sts == NULL && (zc->mta_sts_policy != NULL ||
	    zc->mta_sts_max_age != MTA_STS_MAX_AGE_DEFAULT)) {
		fail(p, s->line, "[zone %s]: mta-sts-policy and mta-sts-max-age "
		    "need mta-sts", s->name);
		return STATUS_SYNTAX;
	}
	if (zc->mta_sts != NULL && zc->mta_sts_policy == NULL) {
		size_t len = strlen(zc->output) + sizeof(".mta-sts.txt");
		char *beside = malloc(len);
		if (beside == NULL)
			return STATUS_NOMEM;
		snprintf(beside, len, "%s.mta-sts.txt", zc->output);
		zc->mta_sts_policy = canonical_path(p->path, beside);
		free(beside);
		if (zc->mta_sts_policy == NULL)
			return STATUS_NOMEM;
	}
	if (zc->policy.opt_out && zc->policy.denial == DENIAL_NSEC) {
		fail(p, s->line, "[zone %s]: nsec3-opt-out needs denial = nsec3",
		    s->name);
		return STATUS_SYNTAX;
	}
	if (zc->zsk_lifetime > 0 && zc->zsk_lifetime < zc->policy.validity) {
		fail(p, s->line, "[zone %s]: zsk-lifetime must be at least "
		    "signature-validity (or 0: no scheduled rollover)", s->name);
		return STATUS_SYNTAX;
	}
	if (zc->csk_lifetime > 0 && zc->csk_lifetime < zc->policy.validity) {
		fail(p, s->line, "[zone %s]: csk-lifetime must be at least "
		    "signature-validity (or 0: no scheduled rollover)", s->name);
		return STATUS_SYNTAX;
	}
	for (size_t i = 0; i < zc->ntlsa; i++) {
		uint8_t host[DNAME_MAX_LENGTH], zone[DNAME_MAX_LENGTH];
		if (dname_parse(zc->tlsa[i].host, host) != 0 ||
		    dname_parse(s->name, zone) != 0 ||
		    !dname_is_below_or_at(host, zone)) {
			fail(p, zc->tlsa[i].line, "tlsa: %s is not in the zone %s",
			    zc->tlsa[i].host, s->name);
			return STATUS_SYNTAX;
		}
	}
	/* What tlsa deploy installs must be a certificate that a tlsa line publishes. */
	for (size_t i = 0; i < zc->ndeploy; i++) {
		bool named = false;
		for (size_t k = 0; k < zc->ntlsa && !named; k++)
			named = strcmp(zc->tlsa[k].cert, zc->deploy[i].cert) == 0;
		if (!named) {
			fail(p, zc->deploy[i].line, "tlsa-deploy: %s is not the "
			    "CERTFILE of a tlsa line of this zone",
			    zc->deploy[i].cert);
			return STATUS_SYNTAX;
		}
	}
	if (zc->policy.refresh >= zc->policy.validity) {
		fail(p, s->line, "[zone %s]: signature-refresh must be shorter "
		    "than signature-validity, or every run signs everything",
		    s->name);
		return STATUS_SYNTAX;
	}
	if (zc->keydir == NULL) {
		/* The zone's name as a folder name: lower case, no trailing dot. */
		snprintf(lower, sizeof(lower), "%s", s->name);
		n = strlen(lower);
		if (n > 1 && lower[n - 1] == '.')
			lower[n - 1] = '\0';
		for (char *c = lower; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (strchr(lower, '/') != NULL) {
			fail(p, s->line, "[zone %s]: give a keydir for a name "
			    "holding '/'", s->name);
			return STATUS_SYNTAX;
		}
		if ((zc->keydir = malloc(strlen(CONFIG_DEFAULT_KEYDIR) + 1 +
		    strlen(lower) + 1)) == NULL)
			return STATUS_NOMEM;
		sprintf(zc->keydir, "%s/%s", CONFIG_DEFAULT_KEYDIR, lower);
	}
	return 0;
}

static void
sections_free(struct parse *p)
{
	for (size_t i = 0; i < p->nsections; i++) {
		struct section *s = &p->sections[i];
		for (size_t k = 0; k < s->nentries; k++) {
			free(s->entries[k].key);
			free(s->entries[k].value);
		}
		free(s->entries);
		free(s->name);
	}
	free(p->sections);
}

int
config_load(const char *path, struct config **out, struct diag *d)
{
	struct parse p = { .path = path, .d = d };
	const struct section *defaults = NULL;
	struct config *c = NULL;
	int rc = 0, line;

	*out = NULL;
	if ((p.f = fopen(path, "r")) == NULL) {
		rc = status_from_errno(errno);
		diag_set(d, path, 0, "cannot read the config file");
		return rc;
	}
	line = ini_parse_stream(read_line, &p, on_value, &p);
	fclose(p.f);
	if (line != 0 && !p.failed)
		fail(&p, line > 0 ? (unsigned long)line : 0, "%s",
		    line > 0 ? "expected 'key = value', '[section]' or a "
		    "comment" : "cannot parse the config file");
	if (p.failed) {
		rc = STATUS_SYNTAX;
		goto out;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL ||
	    (c->zones = calloc(p.nsections + 1, sizeof(*c->zones))) == NULL) {
		rc = STATUS_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < p.nsections; i++)
		if (p.sections[i].name == NULL)
			defaults = &p.sections[i];
	for (size_t i = 0; i < p.nsections; i++) {
		if (p.sections[i].name == NULL)
			continue;
		rc = build_zone(&p, defaults, &p.sections[i],
		    &c->zones[c->nzones++]);
		if (rc != 0)
			goto out;
	}
	/* A key folder holds one zone's lock and run state. */
	for (size_t i = 0; i < c->nzones; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->zones[i].keydir, c->zones[j].keydir) == 0) {
				fail(&p, c->zones[i].line, "[zone %s] shares its "
				    "keydir %s with [zone %s]: give each zone "
				    "its own", c->zones[i].name,
				    c->zones[i].keydir, c->zones[j].name);
				rc = STATUS_SYNTAX;
				goto out;
			}
	/*
	 * An MTA-STS policy file is one zone's, and no other file we read or
	 * write: not an input, not an output.
	 */
	for (size_t i = 0; i < c->nzones; i++) {
		const char *pol = c->zones[i].mta_sts_policy;
		for (size_t j = 0; pol != NULL && j < c->nzones; j++) {
			char *in = canonical_path(p.path, c->zones[j].input);
			char *output = canonical_path(p.path, c->zones[j].output);
			bool clash = (in != NULL && strcmp(in, pol) == 0) ||
			    (output != NULL && strcmp(output, pol) == 0) ||
			    (j != i && c->zones[j].mta_sts_policy != NULL &&
			    strcmp(c->zones[j].mta_sts_policy, pol) == 0);
			free(in);
			free(output);
			if (clash) {
				fail(&p, c->zones[i].line, "[zone %s]: the MTA-STS "
				    "policy %s is also [zone %s]'s input, output or "
				    "policy: give each zone a file of its own",
				    c->zones[i].name, pol, c->zones[j].name);
				rc = STATUS_SYNTAX;
				goto out;
			}
		}
	}
	/*
	 * A certificate tlsa deploy installs waits for its records in one
	 * zone's state: its hosts must all be in that zone.
	 */
	for (size_t i = 0; i < c->nzones; i++)
		for (size_t k = 0; k < c->zones[i].ndeploy; k++)
			for (size_t j = 0; j < c->nzones; j++)
				for (size_t t = 0; j != i && t < c->zones[j].ntlsa; t++)
					if (strcmp(c->zones[j].tlsa[t].cert,
					    c->zones[i].deploy[k].cert) == 0) {
						fail(&p, c->zones[i].deploy[k].line,
						    "tlsa-deploy: %s also serves "
						    "[zone %s] (line %lu): a certificate "
						    "installed by tlsa deploy may serve "
						    "the hosts of one zone only",
						    c->zones[i].deploy[k].cert,
						    c->zones[j].name,
						    c->zones[j].tlsa[t].line);
						rc = STATUS_SYNTAX;
						goto out;
					}
	if (c->nzones == 0) {
		fail(&p, 0, "no [zone NAME] section: nothing to sign");
		rc = STATUS_SYNTAX;
		goto out;
	}
	*out = c;
	c = NULL;
out:
	if (rc == STATUS_NOMEM && !p.failed)
		diag_set(d, path, 0, "out of memory");
	config_free(c);
	sections_free(&p);
	return rc;
}

void
config_free(struct config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->nzones; i++)
		zone_config_clear(&c->zones[i]);
	free(c->zones);
	free(c->path);
	free(c);
}

const struct zone_config *
config_find_zone(const struct config *c, const char *name)
{
	for (size_t i = 0; i < c->nzones; i++)
		if (same_zone_name(c->zones[i].name, name))
			return &c->zones[i];
	return NULL;
}

/* Append s to the buffer quoted for /bin/sh: '...' with ' as '\''. */
static void
append_quoted(char *out, size_t *n, const char *s)
{
	out[(*n)++] = '\'';
	for (; *s; s++) {
		if (*s == '\'') {
			memcpy(out + *n, "'\\''", 4);
			*n += 4;
		} else {
			out[(*n)++] = *s;
		}
	}
	out[(*n)++] = '\'';
}

char *
config_reload_command(const struct zone_config *zc)
{
	size_t cap, n = 0;
	char *out;

	if (zc->reload == NULL)
		return NULL;
	/* Each character may become 4 in quoting; two quotes per expansion. */
	cap = strlen(zc->reload) + 1;
	for (const char *c = zc->reload; *c; c++)
		if (*c == '%')
			cap += 4 * (strlen(zc->name) + strlen(zc->output)) + 2;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	for (const char *c = zc->reload; *c; c++) {
		if (c[0] == '%' && c[1] == 'z') {
			append_quoted(out, &n, zc->name);
			c++;
		} else if (c[0] == '%' && c[1] == 'f') {
			append_quoted(out, &n, zc->output);
			c++;
		} else if (c[0] == '%' && c[1] == '%') {
			out[n++] = '%';
			c++;
		} else {
			out[n++] = *c;
		}
	}
	out[n] = '\0';
	return out;
}
