#include "shinsa/core/alloc.h"
#include "shinsa/core/err.h"

#include <stdlib.h>
#include <string.h>

static long fail_countdown = -1;

static bool should_fail(void)
{
    if (fail_countdown < 0)
        return false;
    if (fail_countdown == 0)
        return true;
    fail_countdown--;
    return false;
}

void shn_alloc_fail_after(long n)
{
    fail_countdown = n;
}

void *shn_malloc(size_t size)
{
    if (should_fail())
        return NULL;
    return malloc(size ? size : 1);
}

void *shn_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    if (!count || !size)
        return calloc(1, 1);
    return calloc(count, size);
}

void *shn_realloc(void *ptr, size_t size)
{
    if (should_fail())
        return NULL;
    return realloc(ptr, size ? size : 1);
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
