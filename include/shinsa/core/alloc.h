/* All allocation goes through these wrappers so that a test can make the
 * Nth allocation fail (shn_alloc_fail_after) and check that every error path
 * frees what it took. They never abort: failure returns NULL. */
#ifndef SHN_CORE_ALLOC_H
#define SHN_CORE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

void *shn_malloc(size_t size);
void *shn_calloc(size_t count, size_t size);
void *shn_realloc(void *ptr, size_t size);
void shn_free(void *ptr); /* shn_free(NULL) is a no-op */

/* Copies of NUL-terminated / length-bounded strings; the caller frees. */
char *shn_strdup(const char *s);
char *shn_strndup(const char *s, size_t n);

/* Grows the array *arr of *cap elements of `elem` bytes (doubling from 16)
 * so that it holds at least `need`; nothing changes on failure.
 * SHN_ERR_TOO_LARGE when the size overflows, SHN_ERR_NOMEM. */
int shn_grow(void **arr, size_t *cap, size_t need, size_t elem);

/* Test hook: after `n` more successful allocations, every allocation fails.
 * A negative `n` turns the hook off. Not thread-safe by design (tests only). */
void shn_alloc_fail_after(long n);

/* Checked size arithmetic: false (and *out untouched) on overflow. */
static inline bool shn_size_mul(size_t a, size_t b, size_t *out)
{
    size_t r;
    if (__builtin_mul_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

static inline bool shn_size_add(size_t a, size_t b, size_t *out)
{
    size_t r;
    if (__builtin_add_overflow(a, b, &r))
        return false;
    *out = r;
    return true;
}

#endif
