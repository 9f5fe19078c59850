/*
 * Certificate, key and CSR input for TLSA records: the first byte picks
 * the reader (certificate or chain, key, CSR), the rest is the file (PEM
 * or DER). What is read gives its records for every usage and selector.
 */
#include "fuzz.h"
#include "keys/tlsa.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct tlsa_params params[] = {
		{ 3, 1, 1 }, { 3, 0, 1 }, { 2, 0, 1 }, { 2, 1, 2 },
	};
	struct tlsa_rdata rd[16];
	struct tlsa_source *s = NULL;
	char path[128];
	struct diag d;
	size_t n;
	int rc;

	if (size < 1)
		return 0;
	fuzz_write("input", data + 1, size - 1, 0600, path, sizeof(path));
	switch (data[0] % 3) {
	case 0: rc = tlsa_source_load_cert(path, &s, &d); break;
	case 1: rc = tlsa_source_load_key(path, &s, &d); break;
	default: rc = tlsa_source_load_csr(path, &s, &d); break;
	}
	if (rc != 0)
		return 0;
	for (size_t i = 0; i < sizeof(params) / sizeof(params[0]); i++)
		if (tlsa_from_source(s, params[i], rd, 16, &n, &d) != 0)
			continue;
	(void)tlsa_source_covers(s, "mail.example.com");
	tlsa_source_free(s);
	return 0;
}
