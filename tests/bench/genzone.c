/* Deterministic benchmark zone generator: a TLD-like mixed zone of NAMES owner names. */
/*
 * genzone ORIGIN NAMES [--change PERCENT] writes an unsigned master file to
 * stdout. The zone mirrors the one of issue 3: 80% delegations (30% of them
 * with a DS record, 20% with in-bailiwick name servers and glue), 20% hosts
 * with A and some AAAA, MX and TXT, TLSA at _25._tcp for 1% of the hosts,
 * one wildcard. About 1.5 RRSIGs per name under NSEC3.
 *
 * Every property of name i comes from a fixed-seed hash of i alone, so the
 * output is the same on every run and machine, and --change P changes the
 * data of the same P% of the names every time: a host's A address moves, a
 * delegation's DS digest changes (or a DS appears where there was none).
 * The SOA serial is one higher in a changed zone.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEED        UINT64_C(0x7a6f6e6577617264)  /* "zoneward" */
#define CHANGE_SALT UINT64_C(0x6368616e67652121)  /* independent of SEED */

/* SplitMix64 finalizer: a good 64-bit mix of one input, no state. */
static uint64_t
mix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* n bytes of hex derived from (a, b), for digests. */
static void
put_hex(FILE *out, uint64_t a, uint64_t b, size_t nbytes)
{
	uint64_t w = 0;

	for (size_t i = 0; i < nbytes; i++) {
		if (i % 8 == 0)
			w = mix64(a ^ mix64(b + i));
		fprintf(out, "%02X", (unsigned)(w & 0xff));
		w >>= 8;
	}
}

static void
gen_apex(FILE *out, const char *origin, bool changed)
{
	fprintf(out, "$ORIGIN %s.\n$TTL 3600\n", origin);
	fprintf(out, "@\t3600\tIN\tSOA\tns1 hostmaster %s 7200 3600 1209600 300\n",
	    changed ? "2026112202" : "2026112201");
	fputs("@\tNS\tns1\n@\tNS\tns2\n@\tMX\t10 mail\n", out);
	fputs("@\tTXT\t\"v=spf1 mx -all\"\n", out);
	fputs("ns1\tA\t192.0.2.1\nns1\tAAAA\t2001:db8::1\n", out);
	fputs("ns2\tA\t198.51.100.2\nns2\tAAAA\t2001:db8:1::2\n", out);
	fputs("mail\tA\t192.0.2.25\nmail\tAAAA\t2001:db8::25\n", out);
	fputs("*.wild\tA\t192.0.2.80\n*.wild\tTXT\t\"wildcard\"\n", out);
}

static void
gen_delegation(FILE *out, uint64_t i, uint64_t r, bool changed)
{
	bool has_ds = (r >> 8) % 10 < 3;

	if (r % 5 == 0) {
		/* In-bailiwick servers: glue A, and AAAA for half of them. */
		fprintf(out, "d%" PRIu64 "\tNS\tns1.d%" PRIu64 "\n", i, i);
		fprintf(out, "d%" PRIu64 "\tNS\tns2.d%" PRIu64 "\n", i, i);
		fprintf(out, "ns1.d%" PRIu64 "\tA\t10.%u.%u.53\n", i,
		    (unsigned)(i >> 8 & 0xff), (unsigned)(i & 0xff));
		fprintf(out, "ns2.d%" PRIu64 "\tA\t10.%u.%u.54\n", i,
		    (unsigned)(i >> 8 & 0xff), (unsigned)(i & 0xff));
		if ((r >> 4) % 2 == 0)
			fprintf(out, "ns1.d%" PRIu64 "\tAAAA\t2001:db8:%x:%x::53\n",
			    i, (unsigned)(i >> 16 & 0xffff),
			    (unsigned)(i & 0xffff));
	} else {
		unsigned provider = (unsigned)((r >> 40) % 50);
		fprintf(out, "d%" PRIu64 "\tNS\tns1.provider%u.example.\n", i,
		    provider);
		fprintf(out, "d%" PRIu64 "\tNS\tns2.provider%u.example.\n", i,
		    provider);
	}
	/* A change is a key rollover at the child: new digest, or a first DS. */
	if (has_ds || changed) {
		fprintf(out, "d%" PRIu64 "\tDS\t%u 13 2 ", i,
		    (unsigned)((r >> 16) & 0xffff));
		put_hex(out, r, changed ? ~i : i, 32);
		fputc('\n', out);
	}
}

static void
gen_host(FILE *out, uint64_t i, uint64_t r, bool changed)
{
	/* A change renumbers the host out of 10/8 into 172.16/12. */
	if (changed)
		fprintf(out, "h%" PRIu64 "\tA\t172.%u.%u.%u\n", i,
		    16 + (unsigned)(i >> 16 & 0xf), (unsigned)(i >> 8 & 0xff),
		    (unsigned)(i & 0xff));
	else
		fprintf(out, "h%" PRIu64 "\tA\t10.%u.%u.%u\n", i,
		    (unsigned)(i >> 16 & 0xff), (unsigned)(i >> 8 & 0xff),
		    (unsigned)(i & 0xff));
	if ((r >> 16) % 4 == 0)
		fprintf(out, "h%" PRIu64 "\tAAAA\t2001:db8:%x:%x::80\n", i,
		    (unsigned)(i >> 16 & 0xffff), (unsigned)(i & 0xffff));
	if ((r >> 20) % 10 == 0)
		fprintf(out, "h%" PRIu64 "\tMX\t10 mail\n", i);
	if ((r >> 24) % 10 == 0) {
		fprintf(out, "h%" PRIu64 "\tTXT\t\"site-verification=", i);
		put_hex(out, r, i, 12);
		fputs("\"\n", out);
	}
	if ((r >> 28) % 100 == 0) {
		fprintf(out, "_25._tcp.h%" PRIu64 "\tTLSA\t3 1 1 ", i);
		put_hex(out, r, i ^ 0x25, 32);
		fputc('\n', out);
	}
}

static int
parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT64_C(100000000))
		return -1;
	*out = v;
	return 0;
}

static int
parse_percent(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= 0.0 && v <= 100.0))
		return -1;
	*out = v;
	return 0;
}

static void
usage(void)
{
	fputs("usage: genzone ORIGIN NAMES [--change PERCENT]\n", stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	static char buf[1 << 20];
	const char *origin;
	uint64_t names, threshold;
	double percent = 0.0;

	if (argc != 3 && argc != 5)
		usage();
	origin = argv[1];
	if (origin[0] == '\0' || origin[strlen(origin) - 1] == '.' ||
	    parse_u64(argv[2], &names) != 0)
		usage();
	if (argc == 5 && (strcmp(argv[3], "--change") != 0 ||
	    parse_percent(argv[4], &percent) != 0))
		usage();
	/* Changed when the name's hash, out of 1,000,000, falls below this. */
	threshold = (uint64_t)(percent * 10000.0 + 0.5);

	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	gen_apex(stdout, origin, threshold > 0);
	for (uint64_t i = 0; i < names; i++) {
		uint64_t r = mix64(SEED ^ i);
		bool changed = mix64(CHANGE_SALT ^ i) % 1000000 < threshold;

		if (i % 10 < 8)
			gen_delegation(stdout, i, r, changed);
		else
			gen_host(stdout, i, r, changed);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("genzone: stdout");
		return 1;
	}
	return 0;
}
