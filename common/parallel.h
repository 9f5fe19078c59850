/* Splitting work over worker threads that take chunks as they go. */
#ifndef ZW_PARALLEL_H
#define ZW_PARALLEL_H

#include <stddef.h>

#include "attr.h"
#include "diag.h"

/*
 * Run fn over [0, n) in chunks of `chunk` items ([0, chunk), [chunk,
 * 2*chunk), ...) on worker threads (threads 0: online CPUs) that take the
 * next chunk as they finish one. After a failure no new chunk starts.
 * Returns 0 or the status of the failure in the earliest chunk, whose
 * diag goes to d: the same failure whatever the threads' timing.
 */
typedef int (*slice_fn)(size_t begin, size_t end, void *arg, struct diag *d);
int parallel_for(size_t n, size_t chunk, unsigned threads, slice_fn fn,
    void *arg, struct diag *d) WUR;

/*
 * Run fn over the PARALLEL_PARTS parts of [0, n), part p being
 * [n * p / PARALLEL_PARTS, n * (p + 1) / PARALLEL_PARTS), on threads
 * (0: online CPUs); fewer than PARALLEL_ONE_THREAD items go on the
 * calling thread alone. The parts are fixed, so what fn keeps per part
 * never depends on the threads.
 */
#define PARALLEL_PARTS 64
#define PARALLEL_ONE_THREAD 65536
typedef void (*part_fn)(size_t part, size_t begin, size_t end, void *arg);
void parallel_parts(size_t n, unsigned threads, part_fn fn, void *arg);

/* The threads parallel_for runs for threads (0: online CPUs), at most max. */
unsigned parallel_threads(unsigned threads, unsigned max);

#endif
