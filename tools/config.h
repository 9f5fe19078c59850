/* The config file (zonewarden.conf(5)): a [defaults] section and one [zone NAME] section per zone. */
#ifndef ZW_CONFIG_H
#define ZW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "common/attr.h"
#include "common/diag.h"
#include "signer/signer.h"

#define CONFIG_DEFAULT_PATH "/etc/zonewarden/zonewarden.conf"
#define CONFIG_DEFAULT_KEYDIR "/var/lib/zonewarden/keys"

/* MTA-STS max_age unless mta-sts-max-age says otherwise: one week. */
#define MTA_STS_MAX_AGE_DEFAULT (7 * 86400)

/* TTL of the TLSA records run publishes, unless tlsa-ttl says otherwise. */
#define TLSA_TTL_DEFAULT 3600

/* One tlsa = HOST PORT CERTFILE [NEXTKEYFILE] line. */
struct tlsa_config {
	char *host;                  /* as written */
	unsigned port;
	char *cert;                  /* the deployed certificate (or chain) */
	char *next_key;              /* the next key (or CSR), or NULL */
	unsigned long line;
};

/*
 * One tlsa-deploy = CERTFILE KEYFILE line: where `tlsa deploy` installs a
 * renewed certificate (chain) and its private key, for the tlsa lines
 * that name CERTFILE.
 */
struct tlsa_deploy {
	char *cert;
	char *key;
	unsigned long line;
};

/* Everything zonewarden needs to know about one zone, defaults applied. */
struct zone_config {
	char *name;                  /* as in [zone NAME] */
	char *input;                 /* the operator's unsigned zone file */
	char *output;                /* the signed file the name server loads */
	char *keydir;                /* keys, run state and lock */
	char *reload;                /* command after a new output, or NULL */
	uint8_t algorithm;           /* for keys made by run */
	bool algorithm_set;          /* given in the file: run rolls keys to it */
	bool csk;                    /* key-scheme = csk: one combined key */
	struct sign_policy policy;   /* denial, opt-out, validity, refresh, serial */
	int64_t zsk_lifetime;        /* 0: no scheduled ZSK rollover */
	int64_t ksk_lifetime;        /* 0: no scheduled KSK rollover */
	int64_t csk_lifetime;        /* 0: no scheduled CSK rollover */
	int64_t propagation_delay;   /* until all our name servers serve a new zone */
	int64_t parent_ds_ttl;
	int64_t parent_propagation_delay;
	char *parent_ds_file;        /* parent-ds-check = file:PATH, or NULL */
	bool parent_ds_dns;          /* parent-ds-check = dns */
	char *resolver;              /* IP[@PORT] for dns checks, NULL: resolv.conf */
	bool cds;                    /* publish CDS/CDNSKEY */
	struct tlsa_config *tlsa;    /* TLSA records run publishes */
	size_t ntlsa;
	uint32_t tlsa_ttl;
	struct tlsa_deploy *deploy;  /* certificates tlsa deploy installs */
	size_t ndeploy;
	char *tlsa_reload;           /* command after installing them, or NULL */
	char *tls_rpt;               /* tls-rpt: report URIs, or NULL */
	char *mta_sts;               /* enforce, testing, none; NULL: not published */
	int64_t mta_sts_max_age;     /* seconds */
	char *mta_sts_policy;        /* where the policy file goes */
	unsigned long line;          /* of the [zone NAME] line */
	char *config_file;           /* the file it was read from, for messages */
};

struct config {
	char *path;
	struct zone_config *zones;
	size_t nzones;
};

/*
 * Read and check path. Relative paths in it are taken from the config
 * file's folder. Unknown sections or keys, bad values, a zone without
 * input or output, and a file without any zone are errors naming file,
 * line and key in d: STATUS_SYNTAX; an unreadable file gives -errno.
 */
int config_load(const char *path, struct config **out, struct diag *d) WUR;
void config_free(struct config *c);

/* The zone called name (any case, trailing dot or not), or NULL. */
const struct zone_config *config_find_zone(const struct config *c,
    const char *name);

/*
 * The reload command of zc for running with /bin/sh -c: %z becomes the
 * zone name, %f the output file (each quoted for the shell), %% a %.
 * Returns a malloc'd string, or NULL when out of memory.
 */
char *config_reload_command(const struct zone_config *zc);

#endif
