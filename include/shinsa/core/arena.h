/* Arena (region) allocator for work with one lifetime: an index build, a
 * query, a trace job. Everything allocated from an arena is freed at once by
 * shn_arena_cleanup(); nothing allocated in it may outlive it.
 *
 * The arena is caller-owned: shn_arena_init() on a struct the caller holds. */
#ifndef SHN_CORE_ARENA_H
#define SHN_CORE_ARENA_H

#include <stddef.h>

struct shn_arena_block;

struct shn_arena {
    struct shn_arena_block *head;
    size_t block_size; /* default size of new blocks */
    size_t used;       /* bytes handed out, for statistics */
    size_t limit;      /* 0 = unlimited; else allocations past it fail */
};

/* block_size 0 picks 64 KiB. limit 0 means no cap on total bytes. */
void shn_arena_init(struct shn_arena *a, size_t block_size, size_t limit);
void shn_arena_cleanup(struct shn_arena *a);

/* Returns 16-byte aligned memory, or NULL on failure or past the limit. */
void *shn_arena_alloc(struct shn_arena *a, size_t size);
void *shn_arena_calloc(struct shn_arena *a, size_t count, size_t size);
char *shn_arena_strndup(struct shn_arena *a, const char *s, size_t n);
char *shn_arena_strdup(struct shn_arena *a, const char *s);

#endif
