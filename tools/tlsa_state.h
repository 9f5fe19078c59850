/* The TLSA rollover state of a zone (tlsa-state.json beside its keys): staged next keys, and records on their way out. */
#ifndef ZW_TLSA_STATE_H
#define ZW_TLSA_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"
#include "common/diag.h"
#include "keys/tlsa.h"
#include "zones/dname.h"

#define TLSA_STATE_FILE "tlsa-state.json"
#define TLSA_SOURCE_MAX 1024

/*
 * A next key staged for one host, port and key type (`tlsa stage`): its
 * record is published beside the deployed certificate's until `tlsa
 * commit`, and so is the record it replaces, whatever the deployed file
 * says meanwhile.
 */
struct tlsa_staged {
	char host[DNAME_TEXT_MAX];      /* lower case, absolute */
	unsigned port;
	char key_type[32];              /* tlsa_source_key_type() */
	struct tlsa_rdata next;         /* 3 1 1 of the staged key */
	struct tlsa_rdata replaces;     /* 3 1 1 of the certificate deployed then */
	bool has_replaces;
	char source[TLSA_SOURCE_MAX];   /* the file it was staged from */
	/*
	 * Staged by `tlsa deploy`: copies of the renewed certificate and key
	 * (in the key folder), and where they go once it is safe; all "" for
	 * a record staged by hand.
	 */
	char pending_cert[TLSA_SOURCE_MAX], pending_key[TLSA_SOURCE_MAX];
	char deploy_cert[TLSA_SOURCE_MAX], deploy_key[TLSA_SOURCE_MAX];
	int64_t staged_at;
	/* Since when every name server serves it, signed (`tlsa ready`); 0: not yet. */
	int64_t served_since;
};

/* A record that stays published until a time (a committed rollover's old key). */
struct tlsa_retiring {
	char host[DNAME_TEXT_MAX];
	unsigned port;
	struct tlsa_rdata rd;
	int64_t until;
};

struct tlsa_state {
	struct tlsa_staged *staged;
	size_t nstaged;
	struct tlsa_retiring *retiring;
	size_t nretiring;
};

/* Read keydir's TLSA state; no file is an empty state. Returns 0 or a status with d. */
int tlsa_state_load(const char *keydir, struct tlsa_state *st,
    struct diag *d) WUR;
/* Write it atomically (mode 0600), leaving out retiring records past now. */
int tlsa_state_save(const char *keydir, const struct tlsa_state *st,
    int64_t now, struct diag *d) WUR;
void tlsa_state_free(struct tlsa_state *st);

/* The entry for host (lower case, absolute), port and key type; NULL when there is none. */
struct tlsa_staged *tlsa_state_find(struct tlsa_state *st, const char *host,
    unsigned port, const char *key_type);
/* A new zeroed entry (STATUS_NOMEM: NULL). */
struct tlsa_staged *tlsa_state_add_staged(struct tlsa_state *st);
void tlsa_state_remove_staged(struct tlsa_state *st, struct tlsa_staged *s);
int tlsa_state_add_retiring(struct tlsa_state *st, const char *host,
    unsigned port, const struct tlsa_rdata *rd, int64_t until) WUR;

/* "3 1 1 <hex>" into buf (at least TLSA_TEXT_MAX), and back (0 or STATUS_SYNTAX). */
#define TLSA_TEXT_MAX (16 + 2 * 64)
void tlsa_rdata_format(const struct tlsa_rdata *rd, char *buf);
int tlsa_rdata_parse(const char *text, struct tlsa_rdata *rd) WUR;

#endif
