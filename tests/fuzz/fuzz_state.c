/*
 * Our state files in a key folder: the first byte picks run-state.json or
 * tlsa-state.json, the rest is its text; read, and what is read saved
 * again and read back.
 */
#include "fuzz.h"
#include "tools/state.h"
#include "tools/tlsa_state.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128];
	struct diag d;

	if (size < 1)
		return 0;
	if (data[0] % 2 == 0) {
		struct run_state st;
		fuzz_write(STATE_FILE, data + 1, size - 1, 0600, path, sizeof(path));
		if (state_load(fuzz_dir(), &st, &d) == 0 &&
		    state_save(fuzz_dir(), &st, &d) == 0 &&
		    state_load(fuzz_dir(), &st, &d) != 0)
			abort();
	} else {
		struct tlsa_state st;
		memset(&st, 0, sizeof(st));
		fuzz_write(TLSA_STATE_FILE, data + 1, size - 1, 0600, path,
		    sizeof(path));
		if (tlsa_state_load(fuzz_dir(), &st, &d) == 0) {
			struct tlsa_state again;
			memset(&again, 0, sizeof(again));
			if (tlsa_state_save(fuzz_dir(), &st, 0, &d) == 0 &&
			    tlsa_state_load(fuzz_dir(), &again, &d) != 0)
				abort();
			tlsa_state_free(&again);
		}
		tlsa_state_free(&st);
	}
	return 0;
}
