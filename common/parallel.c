/* Splitting work over worker threads that take chunks as they go. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "parallel.h"
#include "status.h"

#define THREADS_MAX 256

struct work {
	size_t n, chunk;
	slice_fn fn;
	void *arg;
	atomic_size_t next;          /* next chunk to hand out */
	atomic_int failed;
	pthread_mutex_t lock;        /* guards rc, failed_chunk and diag */
	int rc;
	size_t failed_chunk;         /* the earliest chunk that failed */
	struct diag diag;
};

static void *
worker(void *p)
{
	struct work *w = p;
	struct diag d;

	while (!atomic_load(&w->failed)) {
		size_t c = atomic_fetch_add(&w->next, 1), begin = c * w->chunk;
		int rc;

		if (begin >= w->n)
			break;
		size_t end = begin + w->chunk < w->n ? begin + w->chunk : w->n;
		diag_clear(&d);
		if ((rc = w->fn(begin, end, w->arg, &d)) != 0) {
			/*
			 * Every chunk before a failed one was handed out before
			 * it and runs to its end: keeping the earliest failure
			 * gives the same answer whatever the timing.
			 */
			pthread_mutex_lock(&w->lock);
			if (w->rc == 0 || c < w->failed_chunk) {
				w->rc = rc;
				w->failed_chunk = c;
				w->diag = d;
			}
			pthread_mutex_unlock(&w->lock);
			atomic_store(&w->failed, 1);
		}
	}
	return NULL;
}

/* The online CPUs, read once (each reading opens a file in /sys). */
static unsigned
online_cpus(void)
{
	static atomic_uint cpus;
	unsigned n = atomic_load_explicit(&cpus, memory_order_relaxed);

	if (n == 0) {
		long got = sysconf(_SC_NPROCESSORS_ONLN);
		n = got > 0 ? (unsigned)got : 1;
		atomic_store_explicit(&cpus, n, memory_order_relaxed);
	}
	return n;
}

unsigned
parallel_threads(unsigned threads, unsigned max)
{
	if (threads == 0)
		threads = online_cpus();
	return threads > max ? max : threads;
}

int
parallel_for(size_t n, size_t chunk, unsigned threads, slice_fn fn,
    void *arg, struct diag *d)
{
	struct work w = { .n = n, .chunk = chunk ? chunk : 1, .fn = fn, .arg = arg };
	pthread_t tid[THREADS_MAX];
	unsigned started = 0;

	threads = parallel_threads(threads, THREADS_MAX);
	atomic_init(&w.next, 0);
	atomic_init(&w.failed, 0);
	pthread_mutex_init(&w.lock, NULL);
	/* The calling thread works too; extra threads only when there is more than one chunk. */
	for (unsigned t = 1; t < threads && (size_t)t * w.chunk < n; t++) {
		if (pthread_create(&tid[started], NULL, worker, &w) != 0)
			break;
		started++;
	}
	worker(&w);
	for (unsigned t = 0; t < started; t++)
		pthread_join(tid[t], NULL);
	pthread_mutex_destroy(&w.lock);
	if (w.rc != 0 && d != NULL)
		*d = w.diag;
	return w.rc;
}

struct parts_work {
	size_t n;
	part_fn fn;
	void *arg;
};

static int
parts_slice(size_t begin, size_t end, void *arg, struct diag *unused)
{
	const struct parts_work *w = arg;

	(void)unused;
	for (size_t p = begin; p < end; p++)
		w->fn(p, w->n * p / PARALLEL_PARTS, w->n * (p + 1) / PARALLEL_PARTS,
		    w->arg);
	return 0;
}

void
parallel_parts(size_t n, unsigned threads, part_fn fn, void *arg)
{
	struct parts_work w = { n, fn, arg };
	/* parts_slice cannot fail: neither can this. */
	int rc = parallel_for(PARALLEL_PARTS, 1,
	    n < PARALLEL_ONE_THREAD ? 1 : threads, parts_slice, &w, NULL);

	(void)rc;
}
