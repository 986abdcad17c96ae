/* All allocation goes through these wrappers so that a test can make the
 * Nth allocation fail (shn_alloc_fail_after) and check that every error path
 * frees what it took. They never abort: failure returns NULL. The modules
 * route the third-party libraries' allocations here too (jansson, SQLite,
 * libxml2: docs/architecture.md, "Errors, memory, limits"); shn_malloc and
 * shn_free are malloc- and free-compatible, so memory a library took
 * before it was routed may be freed after. */
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

/* Test hook: after `n` more successful allocations, every allocation fails
 * (until the hook is set again). A negative `n` turns the hook off. Safe
 * when other threads allocate (the count is atomic), though which thread's
 * allocation is the Nth is then up to the scheduler. */
void shn_alloc_fail_after(long n);

/* How many allocations through these wrappers have failed on the calling
 * thread so far, whether the hook failed them or malloc did. A caller of a
 * library that reports a failed allocation as something else (jansson's
 * parser calls it a syntax error) compares the count before and after the
 * call to tell SHN_ERR_NOMEM from bad input. */
unsigned long shn_alloc_failures(void);

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
