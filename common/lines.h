/*
 * Newlines in large texts (zone files of millions of short lines): found
 * 64 octets at a time with vector compares and counted by popcount, where
 * a memchr call per line would cost more than the line.
 */
#ifndef ZW_LINES_H
#define ZW_LINES_H

#include <stddef.h>

/* The newlines in [p, end). */
size_t lines_count(const char *p, const char *end);
/* Just past the count-th newline in [p, end) (count > 0), or NULL when there are fewer. */
const char *lines_after(const char *p, const char *end, size_t count);

#endif
