/* Compiler attributes used across zonewarden. */
#ifndef ZW_ATTR_H
#define ZW_ATTR_H

/* A fallible function whose status must be looked at. */
#define WUR __attribute__((warn_unused_result))
/* printf-style format checking: FMT is the format argument, ARGS the first variadic. */
#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))
#define UNUSED __attribute__((unused))
/* Never inlined: keeps a rare path's large stack frame out of its caller's. */
#define NOINLINE __attribute__((noinline))

#endif
