#include "shinsa/core/alloc.h"
#include "shinsa/core/err.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The failure hook: -1 off; n > 0 lets n more allocations through; 0 fails
 * every allocation. Atomic, so that a loader that allocates from worker
 * threads (the scoring world) can run under it: which thread's allocation
 * is the Nth is then up to the scheduler, but each is counted once. When
 * the hook is off an allocation costs one relaxed load. */
static atomic_long fail_countdown = -1;

/* Failures seen by this thread, injected or real (shn_alloc_failures). */
static _Thread_local unsigned long failures;

static bool should_fail(void)
{
    long n = atomic_load_explicit(&fail_countdown, memory_order_relaxed);
    while (n > 0)
        if (atomic_compare_exchange_weak_explicit(&fail_countdown, &n, n - 1, memory_order_relaxed,
                                                  memory_order_relaxed))
            return false;
    return n == 0;
}

static void *counted(void *p)
{
    if (!p)
        failures++;
    return p;
}

void shn_alloc_fail_after(long n)
{
    atomic_store_explicit(&fail_countdown, n < 0 ? -1 : n, memory_order_relaxed);
}

unsigned long shn_alloc_failures(void)
{
    return failures;
}

void *shn_malloc(size_t size)
{
    if (should_fail())
        return counted(NULL);
    return counted(malloc(size ? size : 1));
}

void *shn_calloc(size_t count, size_t size)
{
    if (should_fail())
        return counted(NULL);
    if (!count || !size)
        return counted(calloc(1, 1));
    return counted(calloc(count, size));
}

void *shn_realloc(void *ptr, size_t size)
{
    if (should_fail())
        return counted(NULL);
    return counted(realloc(ptr, size ? size : 1));
}

int shn_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    size_t n, bytes;
    void *p;
    if (need <= *cap)
        return SHN_OK;
    n = *cap ? *cap : 16;
    while (n < need)
        if (!shn_size_mul(n, 2, &n))
            return SHN_ERR_TOO_LARGE;
    if (!shn_size_mul(n, elem, &bytes))
        return SHN_ERR_TOO_LARGE;
    if (!(p = shn_realloc(*arr, bytes)))
        return SHN_ERR_NOMEM;
    *arr = p;
    *cap = n;
    return SHN_OK;
}

void shn_free(void *ptr)
{
    free(ptr);
}

char *shn_strndup(const char *s, size_t n)
{
    char *copy;
    size_t total;

    if (!shn_size_add(n, 1, &total))
        return NULL;
    copy = shn_malloc(total);
    if (!copy)
        return NULL;
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

char *shn_strdup(const char *s)
{
    return shn_strndup(s, strlen(s));
}
