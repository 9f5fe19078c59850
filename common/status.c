/* The one table of status texts. */
#include <string.h>

#include "status.h"

static const char *const own_text[] = {
	[-(STATUS_SYNTAX) - 1000] = "syntax error",
	[-(STATUS_ZONE_CONTENT) - 1000] = "invalid zone content",
	[-(STATUS_KEY_FORMAT) - 1000] = "malformed key file",
	[-(STATUS_KEY_MISSING) - 1000] = "no usable key",
	[-(STATUS_KEY_UNSAFE) - 1000] = "unsafe key file",
	[-(STATUS_UNSUPPORTED) - 1000] = "not supported",
	[-(STATUS_CRYPTO) - 1000] = "cryptographic operation failed",
	[-(STATUS_BAD_SIGNATURE) - 1000] = "signature does not verify",
	[-(STATUS_CHAIN) - 1000] = "broken denial-of-existence chain",
	[-(STATUS_RANGE) - 1000] = "value out of range",
	[-(STATUS_LOCKED) - 1000] = "locked by another run",
	[-(STATUS_INTERNAL) - 1000] = "internal error",
	[-(STATUS_HOOK) - 1000] = "command failed",
};

const char *
status_str(int status)
{
	if (status == STATUS_OK)
		return "success";
	if (status > -1000 && status < 0)
		return strerror(-status);
	if (status <= STATUS_SYNTAX && status > STATUS_LAST_)
		return own_text[-status - 1000];
	return "unknown status";
}

int
status_from_errno(int err)
{
	return err > 0 ? -err : STATUS_INTERNAL;
}
