#include "shinsa/core/arena.h"

#include <string.h>

#include "shinsa/core/alloc.h"

struct shn_arena_block {
    struct shn_arena_block *next;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char data[];
};

void shn_arena_init(struct shn_arena *a, size_t block_size, size_t limit)
{
    a->head = NULL;
    a->block_size = block_size ? block_size : 64 * 1024;
    a->used = 0;
    a->limit = limit;
}

void shn_arena_cleanup(struct shn_arena *a)
{
    struct shn_arena_block *b = a->head;

    while (b) {
        struct shn_arena_block *next = b->next;
        shn_free(b);
        b = next;
    }
    a->head = NULL;
    a->used = 0;
}

void *shn_arena_alloc(struct shn_arena *a, size_t size)
{
    struct shn_arena_block *b = a->head;
    size_t aligned, total, new_used;
    void *p;

    if (!shn_size_add(size, 15, &aligned))
        return NULL;
    aligned &= ~(size_t)15;
    if (!shn_size_add(a->used, aligned, &new_used) || (a->limit && new_used > a->limit))
        return NULL;
    if (!b || b->size - b->used < aligned) {
        size_t want = aligned > a->block_size ? aligned : a->block_size;
        if (!shn_size_add(want, sizeof *b, &total))
            return NULL;
        b = shn_malloc(total);
        if (!b)
            return NULL;
        b->size = want;
        b->used = 0;
        /* A block bigger than the default goes behind the head, so the
         * head's free space stays usable for small allocations. */
        if (a->head && want > a->block_size) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    p = b->data + b->used;
    b->used += aligned;
    a->used = new_used;
    return p;
}

void *shn_arena_calloc(struct shn_arena *a, size_t count, size_t size)
{
    size_t total;
    void *p;

    if (!shn_size_mul(count, size, &total))
        return NULL;
    p = shn_arena_alloc(a, total);
    if (p)
        memset(p, 0, total);
    return p;
}

char *shn_arena_strndup(struct shn_arena *a, const char *s, size_t n)
{
    size_t total;
    char *p;

    if (!shn_size_add(n, 1, &total))
        return NULL;
    p = shn_arena_alloc(a, total);
    if (!p)
        return NULL;
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *shn_arena_strdup(struct shn_arena *a, const char *s)
{
    return shn_arena_strndup(a, s, strlen(s));
}
