/* The run state file: a small JSON object written atomically beside the zone's keys. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/status.h"
#include "state.h"

static void
state_path(const char *keydir, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", keydir, STATE_FILE);
}

json_t *
state_to_json(const struct run_state *st)
{
	json_t *seen = json_array(), *o;

	for (size_t i = 0; seen != NULL && i < st->nparent_seen; i++)
		json_array_append_new(seen, json_pack("{s:i, s:i, s:i}", "tag",
		    st->parent_seen[i].tag, "serving",
		    (int)st->parent_seen[i].serving, "servers",
		    (int)st->parent_seen[i].servers));
	o = json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:b, s:I, s:s, s:I, s:o}",
	    "last_run", (json_int_t)st->last_run,
	    "outcome", st->outcome,
	    "reason", st->reason,
	    "detail", st->detail,
	    "serial", (json_int_t)st->serial,
	    "earliest_expiration", (json_int_t)st->earliest_expiration,
	    "next_due", (json_int_t)st->next_due,
	    "signatures_made", (json_int_t)st->signatures_made,
	    "signatures_kept", (json_int_t)st->signatures_kept,
	    "reload_pending", st->reload_pending,
	    "reload_pending_since", (json_int_t)st->reload_pending_since,
	    "error", st->error,
	    "parent_asked", (json_int_t)st->parent_asked,
	    "parent_ds_seen", seen);
	return o;
}

static void
copy_string(json_t *o, const char *key, char *buf, size_t size)
{
	const char *v = json_string_value(json_object_get(o, key));
	snprintf(buf, size, "%s", v ? v : "");
}

static int64_t
get_int(json_t *o, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(o, key));
}

int
state_load(const char *keydir, struct run_state *st, struct diag *d)
{
	char path[PATH_MAX];
	json_error_t err;
	json_t *o;

	memset(st, 0, sizeof(*st));
	state_path(keydir, path, sizeof(path));
	o = json_load_file(path, 0, &err);
	if (o == NULL) {
		if (access(path, F_OK) != 0 && errno == ENOENT)
			return 0;
		diag_set(d, path, (unsigned long)(err.line > 0 ? err.line : 0),
		    "unreadable run state: %s", err.text);
		return STATUS_SYNTAX;
	}
	st->last_run = get_int(o, "last_run");
	copy_string(o, "outcome", st->outcome, sizeof(st->outcome));
	copy_string(o, "reason", st->reason, sizeof(st->reason));
	copy_string(o, "detail", st->detail, sizeof(st->detail));
	st->serial = (uint32_t)get_int(o, "serial");
	st->earliest_expiration = get_int(o, "earliest_expiration");
	st->next_due = get_int(o, "next_due");
	st->signatures_made = (uint64_t)get_int(o, "signatures_made");
	st->signatures_kept = (uint64_t)get_int(o, "signatures_kept");
	st->reload_pending = json_is_true(json_object_get(o, "reload_pending"));
	st->reload_pending_since = get_int(o, "reload_pending_since");
	copy_string(o, "error", st->error, sizeof(st->error));
	st->parent_asked = get_int(o, "parent_asked");
	json_t *seen = json_object_get(o, "parent_ds_seen");
	for (size_t i = 0; i < json_array_size(seen) &&
	    st->nparent_seen < PARENT_SEEN_MAX; i++) {
		json_t *e = json_array_get(seen, i);
		struct parent_seen *p = &st->parent_seen[st->nparent_seen++];
		p->tag = (uint16_t)get_int(e, "tag");
		p->serving = (unsigned)get_int(e, "serving");
		p->servers = (unsigned)get_int(e, "servers");
	}
	json_decref(o);
	return 0;
}

static int
write_state(FILE *f, void *arg)
{
	json_t *o = state_to_json(arg);
	int rc;

	if (o == NULL)
		return STATUS_NOMEM;
	rc = json_dumpf(o, f, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 &&
	    fputc('\n', f) != EOF ? 0 : STATUS_NOMEM;
	json_decref(o);
	return rc;
}

int
state_save(const char *keydir, const struct run_state *st, struct diag *d)
{
	char path[PATH_MAX];
	struct run_state copy = *st;
	int rc;

	state_path(keydir, path, sizeof(path));
	if ((rc = file_replace(path, 0600, write_state, &copy)) != 0)
		diag_set(d, path, 0, "cannot write the run state");
	return rc;
}
