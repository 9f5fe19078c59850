/* The TLSA rollover state: a small JSON file written atomically beside the zone's keys. */
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/encode.h"
#include "common/fileio.h"
#include "common/status.h"
#include "tlsa_state.h"

void
tlsa_rdata_format(const struct tlsa_rdata *rd, char *buf)
{
	int n = snprintf(buf, TLSA_TEXT_MAX, "%u %u %u ", rd->params.usage,
	    rd->params.selector, rd->params.mtype);
	hex_encode(rd->data, rd->len, buf + n);
}

int
tlsa_rdata_parse(const char *text, struct tlsa_rdata *rd)
{
	unsigned u, s, m;
	int at = 0;
	size_t len;

	memset(rd, 0, sizeof(*rd));
	if (sscanf(text, "%u %u %u %n", &u, &s, &m, &at) != 3 || u > 255 ||
	    s > 255 || m > 255)
		return STATUS_SYNTAX;
	len = strlen(text + at);
	if ((rd->len = hex_decode(text + at, len, rd->data,
	    sizeof(rd->data))) == 0)
		return STATUS_SYNTAX;
	rd->params = (struct tlsa_params){ (uint8_t)u, (uint8_t)s, (uint8_t)m };
	return 0;
}

static void
state_path(const char *keydir, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", keydir, TLSA_STATE_FILE);
}

void
tlsa_state_free(struct tlsa_state *st)
{
	free(st->staged);
	free(st->retiring);
	memset(st, 0, sizeof(*st));
}

struct tlsa_staged *
tlsa_state_find(struct tlsa_state *st, const char *host, unsigned port,
    const char *key_type)
{
	for (size_t i = 0; i < st->nstaged; i++)
		if (st->staged[i].port == port &&
		    strcmp(st->staged[i].host, host) == 0 &&
		    strcmp(st->staged[i].key_type, key_type) == 0)
			return &st->staged[i];
	return NULL;
}

struct tlsa_staged *
tlsa_state_add_staged(struct tlsa_state *st)
{
	struct tlsa_staged *n = realloc(st->staged,
	    (st->nstaged + 1) * sizeof(*n));

	if (n == NULL)
		return NULL;
	st->staged = n;
	memset(&n[st->nstaged], 0, sizeof(*n));
	return &n[st->nstaged++];
}

void
tlsa_state_remove_staged(struct tlsa_state *st, struct tlsa_staged *s)
{
	size_t i = (size_t)(s - st->staged);

	memmove(&st->staged[i], &st->staged[i + 1],
	    (st->nstaged - i - 1) * sizeof(*s));
	st->nstaged--;
}

int
tlsa_state_add_retiring(struct tlsa_state *st, const char *host,
    unsigned port, const struct tlsa_rdata *rd, int64_t until)
{
	struct tlsa_retiring *n;

	/* The same record again: the later time holds. */
	for (size_t i = 0; i < st->nretiring; i++) {
		struct tlsa_retiring *r = &st->retiring[i];
		if (r->port == port && strcmp(r->host, host) == 0 &&
		    r->rd.len == rd->len && memcmp(r->rd.data, rd->data,
		    rd->len) == 0 && memcmp(&r->rd.params, &rd->params,
		    sizeof(rd->params)) == 0) {
			if (until > r->until)
				r->until = until;
			return 0;
		}
	}
	if ((n = realloc(st->retiring, (st->nretiring + 1) * sizeof(*n))) == NULL)
		return STATUS_NOMEM;
	st->retiring = n;
	n = &n[st->nretiring++];
	memset(n, 0, sizeof(*n));
	snprintf(n->host, sizeof(n->host), "%s", host);
	n->port = port;
	n->rd = *rd;
	n->until = until;
	return 0;
}

static bool
get_string(json_t *o, const char *key, char *buf, size_t size)
{
	const char *v = json_string_value(json_object_get(o, key));

	if (v == NULL || strlen(v) >= size)
		return false;
	memcpy(buf, v, strlen(v) + 1);
	return true;
}

static bool
get_record(json_t *o, const char *key, struct tlsa_rdata *rd)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v != NULL && tlsa_rdata_parse(v, rd) == 0;
}

static bool
get_port(json_t *o, unsigned *port)
{
	json_int_t v = json_integer_value(json_object_get(o, "port"));

	*port = (unsigned)v;
	return v >= 1 && v <= 65535;
}

int
tlsa_state_load(const char *keydir, struct tlsa_state *st, struct diag *d)
{
	char path[PATH_MAX];
	json_error_t err;
	json_t *o, *a;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	state_path(keydir, path, sizeof(path));
	if ((o = json_load_file(path, 0, &err)) == NULL) {
		if (access(path, F_OK) != 0 && errno == ENOENT)
			return 0;
		diag_set(d, path, (unsigned long)(err.line > 0 ? err.line : 0),
		    "unreadable TLSA state: %s", err.text);
		return STATUS_SYNTAX;
	}
	a = json_object_get(o, "staged");
	for (size_t i = 0; i < json_array_size(a) && rc == 0; i++) {
		json_t *e = json_array_get(a, i);
		struct tlsa_staged *s = tlsa_state_add_staged(st);

		if (s == NULL) {
			rc = STATUS_NOMEM;
			break;
		}
		s->has_replaces = json_object_get(e, "replaces") != NULL &&
		    !json_is_null(json_object_get(e, "replaces"));
		if (!get_string(e, "host", s->host, sizeof(s->host)) ||
		    !get_port(e, &s->port) ||
		    !get_string(e, "key_type", s->key_type, sizeof(s->key_type)) ||
		    !get_record(e, "next", &s->next) ||
		    (s->has_replaces && !get_record(e, "replaces", &s->replaces)) ||
		    !get_string(e, "source", s->source, sizeof(s->source))) {
			diag_set(d, path, 0, "TLSA state: staged entry %zu is "
			    "incomplete or malformed", i + 1);
			rc = STATUS_SYNTAX;
			break;
		}
		/* A deploy waiting for it: all four paths, or none. */
		if (json_object_get(e, "pending_cert") != NULL &&
		    (!get_string(e, "pending_cert", s->pending_cert,
		    sizeof(s->pending_cert)) ||
		    !get_string(e, "pending_key", s->pending_key,
		    sizeof(s->pending_key)) ||
		    !get_string(e, "deploy_cert", s->deploy_cert,
		    sizeof(s->deploy_cert)) ||
		    !get_string(e, "deploy_key", s->deploy_key,
		    sizeof(s->deploy_key)))) {
			diag_set(d, path, 0, "TLSA state: staged entry %zu has an "
			    "incomplete deploy", i + 1);
			rc = STATUS_SYNTAX;
			break;
		}
		s->staged_at = (int64_t)json_integer_value(json_object_get(e,
		    "staged_at"));
		s->served_since = (int64_t)json_integer_value(json_object_get(e,
		    "served_since"));
	}
	a = json_object_get(o, "retiring");
	for (size_t i = 0; i < json_array_size(a) && rc == 0; i++) {
		json_t *e = json_array_get(a, i);
		struct tlsa_rdata rd;
		char host[DNAME_TEXT_MAX];
		unsigned port;

		if (!get_string(e, "host", host, sizeof(host)) ||
		    !get_port(e, &port) || !get_record(e, "record", &rd)) {
			diag_set(d, path, 0, "TLSA state: retiring entry %zu is "
			    "incomplete or malformed", i + 1);
			rc = STATUS_SYNTAX;
			break;
		}
		rc = tlsa_state_add_retiring(st, host, port, &rd,
		    (int64_t)json_integer_value(json_object_get(e, "until")));
	}
	json_decref(o);
	if (rc != 0)
		tlsa_state_free(st);
	return rc;
}

struct save_job {
	const struct tlsa_state *st;
	int64_t now;
};

static int
write_state(FILE *f, void *arg)
{
	const struct save_job *job = arg;
	const struct tlsa_state *st = job->st;
	json_t *staged = json_array(), *retiring = json_array(), *o;
	char text[TLSA_TEXT_MAX], repl[TLSA_TEXT_MAX];
	int rc;

	for (size_t i = 0; staged != NULL && i < st->nstaged; i++) {
		const struct tlsa_staged *s = &st->staged[i];
		tlsa_rdata_format(&s->next, text);
		if (s->has_replaces)
			tlsa_rdata_format(&s->replaces, repl);
		json_t *e = json_pack("{s:s, s:i, s:s, s:s, s:s?, s:s, s:I, s:I}",
		    "host", s->host, "port", (int)s->port,
		    "key_type", s->key_type, "next", text,
		    "replaces", s->has_replaces ? repl : NULL,
		    "source", s->source, "staged_at", (json_int_t)s->staged_at,
		    "served_since", (json_int_t)s->served_since);
		/* (A path that is not UTF-8 cannot go into JSON.) */
		if (e == NULL) {
			json_decref(staged);
			json_decref(retiring);
			return STATUS_SYNTAX;
		}
		if (*s->pending_cert != '\0') {
			json_object_set_new(e, "pending_cert",
			    json_string(s->pending_cert));
			json_object_set_new(e, "pending_key",
			    json_string(s->pending_key));
			json_object_set_new(e, "deploy_cert",
			    json_string(s->deploy_cert));
			json_object_set_new(e, "deploy_key",
			    json_string(s->deploy_key));
		}
		json_array_append_new(staged, e);
	}
	for (size_t i = 0; retiring != NULL && i < st->nretiring; i++) {
		const struct tlsa_retiring *r = &st->retiring[i];
		if (r->until <= job->now)
			continue;
		tlsa_rdata_format(&r->rd, text);
		if (json_array_append_new(retiring, json_pack("{s:s, s:i, s:s, "
		    "s:I}", "host", r->host, "port", (int)r->port, "record", text,
		    "until", (json_int_t)r->until)) != 0) {
			json_decref(staged);
			json_decref(retiring);
			return STATUS_SYNTAX;
		}
	}
	o = json_pack("{s:i, s:o, s:o}", "version", 1, "staged", staged,
	    "retiring", retiring);
	if (o == NULL)
		return STATUS_NOMEM;
	rc = json_dumpf(o, f, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 &&
	    fputc('\n', f) != EOF ? 0 : STATUS_NOMEM;
	json_decref(o);
	return rc;
}

int
tlsa_state_save(const char *keydir, const struct tlsa_state *st, int64_t now,
    struct diag *d)
{
	char path[PATH_MAX];
	struct save_job job = { st, now };
	int rc;

	state_path(keydir, path, sizeof(path));
	if ((rc = file_replace(path, 0600, write_state, &job)) != 0)
		diag_set(d, path, 0, "cannot write the TLSA state%s",
		    rc == STATUS_SYNTAX ? " (a file name that is not UTF-8?)" : "");
	return rc;
}
