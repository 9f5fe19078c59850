/* Newline counting and skipping, 64 octets at a time (see lines.h). */
#include <stdint.h>
#include <string.h>
#if defined(__AVX2__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "lines.h"

#define BLOCK 64

/* Bit i set when p[i] is a newline, for the 64 octets from p. */
static inline uint64_t
newline_mask(const char *p)
{
#if defined(__AVX2__)
	const __m256i nl = _mm256_set1_epi8('\n');
	uint32_t lo = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	    _mm256_loadu_si256((const __m256i *)(const void *)p), nl));
	uint32_t hi = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(
	    _mm256_loadu_si256((const __m256i *)(const void *)(p + 32)), nl));

	return (uint64_t)hi << 32 | lo;
#elif defined(__SSE2__)
	const __m128i nl = _mm_set1_epi8('\n');
	uint64_t m = 0;

	for (unsigned i = 0; i < 4; i++)
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(
		    _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i)),
		    nl)) << (16 * i);
	return m;
#else
	uint64_t m = 0;

	for (unsigned i = 0; i < BLOCK; i++)
		m |= (uint64_t)(p[i] == '\n') << i;
	return m;
#endif
}

size_t
lines_count(const char *p, const char *end)
{
	size_t n = 0;

	for (; end - p >= BLOCK; p += BLOCK)
		n += (size_t)__builtin_popcountll(newline_mask(p));
	for (; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		n++;
	return n;
}

const char *
lines_after(const char *p, const char *end, size_t count)
{
	for (; end - p >= BLOCK; p += BLOCK) {
		uint64_t m = newline_mask(p);
		size_t k = (size_t)__builtin_popcountll(m);

		if (k < count) {
			count -= k;
			continue;
		}
		/* The count-th of this block's newlines. */
		while (--count > 0)
			m &= m - 1;
		return p + __builtin_ctzll(m) + 1;
	}
	while (p < end) {
		const char *q = memchr(p, '\n', (size_t)(end - p));
		if (q == NULL)
			return NULL;
		p = q + 1;
		if (--count == 0)
			return p;
	}
	return NULL;
}
