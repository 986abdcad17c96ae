/* The engines' files as resources that requests share and a swap replaces.
 *
 * A slot's lock is held only to read or replace the current pointer and to
 * take a reference, a few tens of nanoseconds per request; a request then
 * works on its resource without any lock, and the last one to let go of a
 * swapped-out resource closes it. A lock-free scheme (hazard pointers,
 * split counts) would save little here and is far harder to get right. */
#include <string.h>
#include <sys/stat.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"

void shn__serve_stamp_of(const char *path, struct shn__serve_stamp *out)
{
    struct stat st;

    memset(out, 0, sizeof *out);
    if (!path || stat(path, &st) != 0)
        return;
    out->exists = true;
    out->dev = st.st_dev;
    out->ino = st.st_ino;
    out->size = st.st_size;
    out->mtime = st.st_mtim;
}

bool shn__serve_stamp_same(const struct shn__serve_stamp *a, const struct shn__serve_stamp *b)
{
    return a->exists == b->exists && a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

void shn__serve_slot_init(struct shn__serve_slot *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
}

void shn__serve_slot_cleanup(struct shn__serve_slot *s)
{
    if (!s)
        return;
    shn__serve_res_release(s->cur);
    s->cur = NULL;
    shn_free(s->path);
    s->path = NULL;
    pthread_mutex_destroy(&s->lock);
}

struct shn__serve_res *shn__serve_slot_acquire(struct shn__serve_slot *s)
{
    struct shn__serve_res *r;

    if (!s)
        return NULL;
    pthread_mutex_lock(&s->lock);
    r = s->cur;
    if (r)
        atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
    pthread_mutex_unlock(&s->lock);
    return r;
}

void shn__serve_slot_swap(struct shn__serve_slot *s, struct shn__serve_res *fresh)
{
    struct shn__serve_res *old;

    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    old = s->cur;
    s->cur = fresh;
    pthread_mutex_unlock(&s->lock);
    atomic_fetch_add_explicit(&s->swaps, 1, memory_order_relaxed);
    shn__serve_res_release(old);
}
