/*
 * Key files as a key folder holds them: "ALG+TAG" (the file name's part),
 * then the .key, the .private and the .zwstate text, NUL-separated.
 * keystore_load reads the pair (and checks it), rollover_load the state.
 */
#include "fuzz.h"
#include "keys/keystore.h"
#include "keys/rollover.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char written[3][160];   /* the last input's files */
	const uint8_t *part[4] = { NULL, NULL, NULL, NULL };
	size_t len[4] = { 0, 0, 0, 0 };
	char name[64];
	struct keyset *ks = NULL;
	struct key_state *states = NULL;
	struct diag d;

	for (int i = 0; i < 4; i++)
		len[i] = fuzz_part(&data, &size, &part[i]);
	/* A clean folder for each input: old files must not count. */
	for (int i = 0; i < 3; i++)
		if (written[i][0] != '\0') {
			unlink(written[i]);
			written[i][0] = '\0';
		}
	if (len[0] == 0 || len[0] > 16 || memchr(part[0], '/', len[0]) != NULL ||
	    memchr(part[0], 0, len[0]) != NULL)
		return 0;
	snprintf(name, sizeof(name), "Kexample.com.+%.*s.key", (int)len[0],
	    (const char *)part[0]);
	fuzz_write(name, part[1], len[1], 0644, written[0], sizeof(written[0]));
	snprintf(name, sizeof(name), "Kexample.com.+%.*s.private", (int)len[0],
	    (const char *)part[0]);
	fuzz_write(name, part[2], len[2], 0600, written[1], sizeof(written[1]));
	if (len[3] > 0) {
		snprintf(name, sizeof(name), "Kexample.com.+%.*s.zwstate",
		    (int)len[0], (const char *)part[0]);
		fuzz_write(name, part[3], len[3], 0600, written[2],
		    sizeof(written[2]));
	}
	if (keystore_load(fuzz_dir(), "example.com", &ks, &d) == 0) {
		if (rollover_load(fuzz_dir(), ks, &states, &d) == 0)
			free(states);
		keyset_free(ks);
	}
	return 0;
}
