/* Running an operator's reload command (`reload =` in the config), bounded in time. */
#ifndef ZW_HOOK_H
#define ZW_HOOK_H

#include "common/attr.h"
#include "common/diag.h"

/*
 * Run command with /bin/sh -c, its output going to our stderr, and wait at
 * most timeout seconds (then kill it and its children). Returns 0 when it
 * exited 0; otherwise STATUS_HOOK with d saying how it ended.
 */
int hook_run(const char *command, unsigned timeout, struct diag *d) WUR;

#endif
