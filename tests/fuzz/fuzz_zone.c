/*
 * The zone file reader: whatever it accepts, the writer can write (the
 * reader refuses what a name server could not load), and our own-output
 * reader, given the same bytes, accepts or refuses without a crash.
 */
#include <strings.h>

#include "fuzz.h"
#include "zones/zone.h"

/* Does a line of data start with "$INCLUDE" (in any case)? In a comment it is harmless. */
static int
has_include(const uint8_t *data, size_t size)
{
	for (size_t i = 0; i + 8 <= size; i++)
		if (data[i] == '$' && (i == 0 || data[i - 1] == '\n' ||
		    data[i - 1] == '\r') &&
		    strncasecmp((const char *)data + i + 1, "INCLUDE", 7) == 0)
			return 1;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128];
	struct zone *z = NULL;
	struct diag d;
	FILE *out;

	/* No $INCLUDE of files outside the input: the reader is what is tested. */
	if (has_include(data, size))
		return 0;
	fuzz_write("input.zone", data, size, 0644, path, sizeof(path));
	if (zone_load(path, "example.com.", 3600, &z, &d) == 0) {
		if ((out = fopen("/dev/null", "w")) == NULL)
			abort();
		if (zone_write(z, out, 1, NULL) != 0) {
			fprintf(stderr, "accepted but not writable\n");
			abort();
		}
		fclose(out);
		zone_free(z);
	}
	z = NULL;
	if (zone_load_lines(path, "example.com.", 3600, 1, &z, &d) == 0)
		zone_free(z);
	return 0;
}
