/* Status codes returned by every fallible zonewarden function, and their text. */
#ifndef ZW_STATUS_H
#define ZW_STATUS_H

#include <errno.h>

/*
 * 0 is success. System errors are returned as -errno (so they lie between
 * -1 and -999); zonewarden's own conditions start at -1000.
 */
enum status {
	STATUS_OK = 0,
	STATUS_NOMEM = -ENOMEM,
	STATUS_NOENT = -ENOENT,
	STATUS_EXIST = -EEXIST,
	STATUS_INVAL = -EINVAL,

	STATUS_SYNTAX = -1000,     /* text that does not parse */
	STATUS_ZONE_CONTENT = -1001,       /* parses, but breaks a zone rule */
	STATUS_KEY_FORMAT = -1002,         /* a key file that does not parse */
	STATUS_KEY_MISSING = -1003,        /* no usable key where one is needed */
	STATUS_KEY_UNSAFE = -1004,         /* key file readable by others, symlink, ... */
	STATUS_UNSUPPORTED = -1005,        /* algorithm, digest or type we do not handle */
	STATUS_CRYPTO = -1006,             /* the crypto library failed */
	STATUS_BAD_SIGNATURE = -1007,      /* a signature did not verify */
	STATUS_CHAIN = -1008,              /* an NSEC/NSEC3 chain is broken */
	STATUS_RANGE = -1009,              /* a number or time out of its range */
	STATUS_LOCKED = -1010,             /* another run holds the lock */
	STATUS_INTERNAL = -1011,           /* a bug: should not happen */
	STATUS_HOOK = -1012,               /* an operator's command failed */
	STATUS_LAST_ = -1013       /* one below the lowest code; keep last */
};

/* Human text for a status (never NULL; unknown codes give a generic text). */
const char *status_str(int status);

/* -errno, or STATUS_INTERNAL when errno is 0. */
int status_from_errno(int err);

#endif
