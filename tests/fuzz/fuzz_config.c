/* The config file (zonewarden.conf): parsed, checked, freed. */
#include "fuzz.h"
#include "tools/config.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128];
	struct config *c = NULL;
	struct diag d;

	fuzz_write("zw.conf", data, size, 0644, path, sizeof(path));
	if (config_load(path, &c, &d) == 0)
		config_free(c);
	return 0;
}
