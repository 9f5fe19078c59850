/* zonewarden status: per configured zone, serials, signature expiry, keys, what is due and the last run. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/status.h"
#include "common/timespec.h"
#include "config.h"
#include "keys/dnskey.h"
#include "keys/keystore.h"
#include "keys/rollover.h"
#include "run.h"
#include "signing.h"
#include "state.h"

/* What status knows of one zone; each part may be missing, with why. */
struct zone_status {
	bool have_input, have_output, have_keys, have_plan;
	uint32_t input_serial, output_serial;
	struct sign_plan plan;
	struct keyset *keys;
	struct key_state *key_states;   /* NULL when they cannot be read */
	struct run_state state;
	char input_error[1200], output_error[1200], keys_error[1200];
};

static void
error_text(char *buf, size_t size, int rc, const struct diag *d)
{
	snprintf(buf, size, "%s%s%s", d->text, *d->text ? ": " : "",
	    status_str(rc));
}

static void
gather(const struct cli *cli, const struct zone_config *zc,
    struct zone_status *s)
{
	struct zone *in = NULL, *out = NULL;
	struct diag d;
	int rc;

	memset(s, 0, sizeof(*s));
	diag_clear(&d);
	if ((rc = zone_load(zc->input, zc->name, SIGNING_DEFAULT_TTL, &in,
	    &d)) == 0) {
		s->have_input = true;
		s->input_serial = zone_serial(in);
	} else {
		error_text(s->input_error, sizeof(s->input_error), rc, &d);
	}
	diag_clear(&d);
	if ((rc = zone_load(zc->output, zc->name, SIGNING_DEFAULT_TTL, &out,
	    &d)) == 0) {
		s->have_output = true;
		s->output_serial = zone_serial(out);
	} else {
		error_text(s->output_error, sizeof(s->output_error), rc, &d);
	}
	diag_clear(&d);
	if ((rc = keystore_load(zc->keydir, zc->name, &s->keys, &d)) == 0) {
		s->have_keys = true;
		diag_clear(&d);
		if (rollover_load(zc->keydir, s->keys, &s->key_states, &d) == 0) {
			struct rollover_policy p;
			if (in != NULL) {
				run_rollover_policy(zc, in, out, &p);
				rollover_apply(s->keys, s->key_states, &p, cli->now);
			} else {
				rollover_apply(s->keys, s->key_states, NULL, cli->now);
			}
		} else {
			s->key_states = NULL;
		}
	} else
		error_text(s->keys_error, sizeof(s->keys_error), rc, &d);
	if (s->have_input && s->have_keys) {
		signer_plan(in, out, s->keys, &zc->policy, cli->now, &s->plan);
		s->have_plan = true;
	}
	diag_clear(&d);
	if (state_load(zc->keydir, &s->state, &d) != 0)
		memset(&s->state, 0, sizeof(s->state));
	zone_free(in);
	zone_free(out);
}

static const char *
key_state_text(const struct zone_status *s, size_t i, int64_t now)
{
	return s->key_states ? key_state_name(&s->key_states[i], now) : "?";
}

/* A key's role as its timeline has it. */
static const char *
key_role_text(const struct zone_status *s, size_t i)
{
	return s->key_states ? key_role_name(s->key_states[i].role) : "?";
}

static json_t *
zone_json(const struct zone_config *zc, const struct zone_status *s,
    int64_t now)
{
	json_t *o = json_object(), *keys = json_array();

	json_object_set_new(o, "zone", json_string(zc->name));
	json_object_set_new(o, "input", json_string(zc->input));
	json_object_set_new(o, "output", json_string(zc->output));
	if (s->have_input)
		json_object_set_new(o, "input_serial",
		    json_integer(s->input_serial));
	else
		json_object_set_new(o, "input_error", json_string(s->input_error));
	if (s->have_output)
		json_object_set_new(o, "output_serial",
		    json_integer(s->output_serial));
	else
		json_object_set_new(o, "output_error",
		    json_string(s->output_error));
	if (s->have_plan) {
		json_object_set_new(o, "due", json_string(
		    sign_reason_text(s->plan.reason)));
		json_object_set_new(o, "due_detail", json_string(s->plan.detail));
		if (s->plan.earliest_expiration != 0) {
			json_object_set_new(o, "earliest_expiration", json_integer(
			    s->plan.earliest_expiration));
			json_object_set_new(o, "next_resign",
			    json_integer(s->plan.next_due));
		}
	}
	for (size_t i = 0; s->have_keys && i < s->keys->count; i++) {
		const struct key *k = s->keys->keys[i];
		json_array_append_new(keys, json_pack("{s:i, s:i, s:s, s:s, s:i, "
		    "s:s}", "tag", key_tag(k), "algorithm", key_algorithm(k),
		    "algorithm_name", dnssec_alg_name(key_algorithm(k)),
		    "role", key_role_text(s, i), "bits", key_bits(k),
		    "state", key_state_text(s, i, now)));
	}
	json_object_set_new(o, "keys", keys);
	if (!s->have_keys)
		json_object_set_new(o, "keys_error", json_string(s->keys_error));
	json_object_set_new(o, "last_run", s->state.last_run ?
	    state_to_json(&s->state) : json_null());
	return o;
}

static void
print_zone(const struct zone_config *zc, const struct zone_status *s,
    int64_t now)
{
	char t1[32], t2[32];

	printf("%s\n", zc->name);
	if (s->have_input)
		printf("  input       %s, serial %u\n", zc->input, s->input_serial);
	else
		printf("  input       %s: %s\n", zc->input, s->input_error);
	if (s->have_output)
		printf("  output      %s, serial %u\n", zc->output, s->output_serial);
	else
		printf("  output      %s: %s\n", zc->output, s->output_error);
	if (s->have_plan && s->plan.earliest_expiration != 0) {
		time_format(s->plan.earliest_expiration, t1, sizeof(t1));
		time_format(s->plan.next_due, t2, sizeof(t2));
		printf("  signatures  earliest expiry %s, re-sign from %s\n", t1,
		    t2);
	}
	if (s->have_plan && s->plan.reason == SIGN_NOTHING_DUE)
		printf("  next run    nothing due\n");
	else if (s->have_plan)
		printf("  next run    signs: %s%s%s\n",
		    sign_reason_text(s->plan.reason), *s->plan.detail ? ": " : "",
		    s->plan.detail);
	if (s->have_keys) {
		printf("  keys       ");
		for (size_t i = 0; i < s->keys->count; i++) {
			const struct key *k = s->keys->keys[i];
			printf(" %s %u %s %u bits %s%s", key_role_text(s, i),
			    key_tag(k), dnssec_alg_name(key_algorithm(k)),
			    key_bits(k), key_state_text(s, i, now),
			    i + 1 < s->keys->count ? ";" : "");
		}
		printf("\n");
	} else {
		printf("  keys        %s: %s\n", zc->keydir, s->keys_error);
	}
	if (s->state.last_run != 0) {
		time_format(s->state.last_run, t1, sizeof(t1));
		printf("  last run    %s: %s%s%s%s%s\n", t1, s->state.outcome,
		    *s->state.reason ? " (" : "", s->state.reason,
		    *s->state.reason ? ")" : "", s->state.reload_pending ?
		    "; reload pending" : "");
		if (*s->state.error)
			printf("              %s\n", s->state.error);
	} else {
		printf("  last run    never\n");
	}
}

int
cmd_status(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = CONFIG_DEFAULT_PATH;
	struct config *c = NULL;
	json_t *all = NULL;
	struct diag d;
	bool json = false;
	int ch, rc;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'j': json = true; break;
		default: return cli_usage(cli, "status: unknown option");
		}
	}
	diag_clear(&d);
	if ((rc = config_load(path, &c, &d)) != 0)
		return cli_fail(cli, rc, &d, path);
	for (int i = optind; i < argc; i++)
		if (config_find_zone(c, argv[i]) == NULL) {
			config_free(c);
			return cli_usage(cli, "status: zone '%s' is not in %s",
			    argv[i], path);
		}
	if (json)
		all = json_array();
	for (size_t i = 0; i < c->nzones; i++) {
		const struct zone_config *zc = &c->zones[i];
		struct zone_status s;
		bool wanted = optind == argc;

		for (int k = optind; k < argc && !wanted; k++)
			wanted = config_find_zone(c, argv[k]) == zc;
		if (!wanted)
			continue;
		gather(cli, zc, &s);
		if (json)
			json_array_append_new(all, zone_json(zc, &s, cli->now));
		else
			print_zone(zc, &s, cli->now);
		keyset_free(s.keys);
		free(s.key_states);
	}
	if (json) {
		json_t *o = json_pack("{s:o}", "zones", all);
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
	}
	config_free(c);
	return EXIT_OK;
}
