/* Filling diagnostics. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

void
diag_clear(struct diag *d)
{
	if (d != NULL)
		memset(d, 0, sizeof(*d));
}

void
diag_set(struct diag *d, const char *file, unsigned long line,
    const char *fmt, ...)
{
	va_list ap;

	if (d == NULL)
		return;
	diag_clear(d);
	if (file != NULL)
		snprintf(d->file, sizeof(d->file), "%s", file);
	d->line = line;
	va_start(ap, fmt);
	vsnprintf(d->text, sizeof(d->text), fmt, ap);
	va_end(ap);
}

void
diag_set_rr(struct diag *d, const char *owner, const char *type)
{
	if (d == NULL)
		return;
	snprintf(d->owner, sizeof(d->owner), "%s", owner != NULL ? owner : "");
	snprintf(d->type, sizeof(d->type), "%s", type != NULL ? type : "");
}

bool
diag_is_set(const struct diag *d)
{
	return d != NULL && d->text[0] != '\0';
}
