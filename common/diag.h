/* Human detail that accompanies a failing status: where and what. */
#ifndef ZW_DIAG_H
#define ZW_DIAG_H

#include <stdbool.h>

#include "attr.h"

/*
 * Modules never print; they fill a caller-provided diag (which may be NULL).
 * Empty strings and line 0 mean "not known".
 */
struct diag {
	char file[512];
	unsigned long line;
	char owner[1024];   /* owner name in presentation format */
	char type[24];      /* RR type mnemonic */
	char text[1024];
};

void diag_clear(struct diag *d);
/* Set file, line and text; owner and type are cleared. d may be NULL. */
void diag_set(struct diag *d, const char *file, unsigned long line,
    const char *fmt, ...) PRINTF_LIKE(4, 5);
/* Add owner name and type to an already set diag. d may be NULL. */
void diag_set_rr(struct diag *d, const char *owner, const char *type);
bool diag_is_set(const struct diag *d);

#endif
