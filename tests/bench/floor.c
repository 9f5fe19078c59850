/* Crypto floor: how many ECDSA P-256 and Ed25519 signatures this machine makes per CPU-second. */
/*
 * floor [SECONDS] runs one thread per online CPU for SECONDS (default 3) of
 * wall time per algorithm, each thread signing ~100-byte messages as fast as
 * it can, and prints one line per algorithm:
 *
 *   ALG threads=N sigs=S cpu_s=C wall_s=W per_cpu_s=S/C per_wall_s=S/W
 *
 * ECDSA goes through OpenSSL 3 the fastest way we know a signer can use
 * it: each thread fetches SHA2-256 once and makes one digest context and
 * one signing context with its key once; each signature then hashes in
 * the one and signs in the other (no algorithm lookups, copies or shared
 * locks per call; copying a ready EVP_DigestSign context per signature
 * was about 5% slower with two threads). Ed25519 is libsodium's
 * crypto_sign_detached. Keys come from a fixed seed: nothing here depends
 * on chance except OpenSSL's ECDSA nonces.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <sodium.h>

#define MSG_LEN 100
#define CHECK_EVERY 32  /* signatures between looks at the clock */

enum alg { ALG_ECDSAP256, ALG_ED25519 };

struct worker {
	pthread_t thread;
	enum alg alg;
	unsigned id;
	double deadline;        /* CLOCK_MONOTONIC seconds */
	uint64_t sigs;
	double cpu;             /* this thread's CPU seconds */
	bool failed;
};

static double
now_clock(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A P-256 key from a fixed private scalar, so runs sign with the same key. */
static EVP_PKEY *
ecdsa_fixed_key(void)
{
	static const unsigned char priv[32] = {
		0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71, 0x82,
		0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9, 0x0a,
		0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71, 0x82,
		0x93, 0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9, 0x0a,
	};
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	BIGNUM *d = NULL;
	EVP_PKEY *pkey = NULL;

	if ((d = BN_bin2bn(priv, sizeof(priv), NULL)) == NULL ||
	    (bld = OSSL_PARAM_BLD_new()) == NULL ||
	    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    "prime256v1", 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1 ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) != 1)
		pkey = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(d);
	return pkey;
}

static EVP_PKEY *ecdsa_key;
static unsigned char ed25519_pk[crypto_sign_PUBLICKEYBYTES];
static unsigned char ed25519_sk[crypto_sign_SECRETKEYBYTES];

static void
fill_message(unsigned char *msg, unsigned id, uint64_t n)
{
	/* Looks like an RRSIG's signed data: varies per signature. */
	memcpy(msg, &n, sizeof(n));
	msg[8] = (unsigned char)id;
}

static bool
run_ecdsa(struct worker *w)
{
	unsigned char msg[MSG_LEN], sig[128], hash[EVP_MAX_MD_SIZE];
	unsigned hlen;
	EVP_MD *md = NULL;
	EVP_MD_CTX *mdctx = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	bool ok = false;

	memset(msg, 0x5a, sizeof(msg));
	if ((md = EVP_MD_fetch(NULL, "SHA2-256", NULL)) == NULL ||
	    (mdctx = EVP_MD_CTX_new()) == NULL ||
	    (ctx = EVP_PKEY_CTX_new_from_pkey(NULL, ecdsa_key, NULL)) == NULL ||
	    EVP_PKEY_sign_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, md) != 1)
		goto out;
	for (;;) {
		for (int k = 0; k < CHECK_EVERY; k++) {
			size_t siglen = sizeof(sig);
			fill_message(msg, w->id, w->sigs);
			if (EVP_DigestInit_ex2(mdctx, md, NULL) != 1 ||
			    EVP_DigestUpdate(mdctx, msg, sizeof(msg)) != 1 ||
			    EVP_DigestFinal_ex(mdctx, hash, &hlen) != 1 ||
			    EVP_PKEY_sign(ctx, sig, &siglen, hash, hlen) != 1)
				goto out;
			w->sigs++;
		}
		if (now_clock(CLOCK_MONOTONIC) >= w->deadline)
			break;
	}
	ok = true;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_MD_CTX_free(mdctx);
	EVP_MD_free(md);
	return ok;
}

static bool
run_ed25519(struct worker *w)
{
	unsigned char msg[MSG_LEN], sig[crypto_sign_BYTES];

	memset(msg, 0x5a, sizeof(msg));
	for (;;) {
		for (int k = 0; k < CHECK_EVERY; k++) {
			fill_message(msg, w->id, w->sigs);
			if (crypto_sign_detached(sig, NULL, msg, sizeof(msg),
			    ed25519_sk) != 0)
				return false;
			w->sigs++;
		}
		if (now_clock(CLOCK_MONOTONIC) >= w->deadline)
			break;
	}
	return true;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	double cpu0 = now_clock(CLOCK_THREAD_CPUTIME_ID);

	w->failed = !(w->alg == ALG_ECDSAP256 ? run_ecdsa(w) : run_ed25519(w));
	w->cpu = now_clock(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	return NULL;
}

static int
measure(enum alg alg, const char *name, unsigned nthreads, double seconds)
{
	struct worker *ws = calloc(nthreads, sizeof(*ws));
	uint64_t sigs = 0;
	double cpu = 0.0, wall0, wall;
	int rc = 1;

	if (ws == NULL)
		return 1;
	wall0 = now_clock(CLOCK_MONOTONIC);
	for (unsigned i = 0; i < nthreads; i++) {
		ws[i].alg = alg;
		ws[i].id = i;
		ws[i].deadline = wall0 + seconds;
		if (pthread_create(&ws[i].thread, NULL, worker_main,
		    &ws[i]) != 0) {
			nthreads = i;
			goto join;
		}
	}
	rc = 0;
join:
	for (unsigned i = 0; i < nthreads; i++) {
		pthread_join(ws[i].thread, NULL);
		if (ws[i].failed)
			rc = 1;
		sigs += ws[i].sigs;
		cpu += ws[i].cpu;
	}
	wall = now_clock(CLOCK_MONOTONIC) - wall0;
	if (rc == 0 && cpu > 0.0 && wall > 0.0)
		printf("%s threads=%u sigs=%llu cpu_s=%.3f wall_s=%.3f "
		    "per_cpu_s=%.0f per_wall_s=%.0f\n", name, nthreads,
		    (unsigned long long)sigs, cpu, wall, (double)sigs / cpu,
		    (double)sigs / wall);
	else
		fprintf(stderr, "floor: %s: signing failed\n", name);
	free(ws);
	return rc;
}

int
main(int argc, char **argv)
{
	static const unsigned char seed[crypto_sign_SEEDBYTES] = { 42 };
	double seconds = 3.0;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int rc = 0;

	if (argc > 2) {
		fputs("usage: floor [SECONDS]\n", stderr);
		return 2;
	}
	if (argc == 2) {
		char *end;
		errno = 0;
		seconds = strtod(argv[1], &end);
		if (errno != 0 || *end != '\0' || !(seconds > 0.0 &&
		    seconds <= 600.0)) {
			fputs("floor: SECONDS must be in (0, 600]\n", stderr);
			return 2;
		}
	}
	if (ncpu < 1)
		ncpu = 1;
	if (sodium_init() < 0 ||
	    crypto_sign_seed_keypair(ed25519_pk, ed25519_sk, seed) != 0 ||
	    (ecdsa_key = ecdsa_fixed_key()) == NULL) {
		ERR_print_errors_fp(stderr);
		fputs("floor: cannot set up the keys\n", stderr);
		return 1;
	}
	rc |= measure(ALG_ECDSAP256, "ecdsap256sha256", (unsigned)ncpu,
	    seconds);
	rc |= measure(ALG_ED25519, "ed25519", (unsigned)ncpu, seconds);
	EVP_PKEY_free(ecdsa_key);
	sodium_memzero(ed25519_sk, sizeof(ed25519_sk));
	return rc;
}
