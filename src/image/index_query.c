/* Queries: multi-index hashing, and the brute-force scan that tests it.
 *
 * A hash within distance d of the query agrees with it to within
 * r = floor(d / 16) bits on at least one of the 16 substrings, so probing
 * each table at every key within radius r of the query's substring finds
 * every match (r <= 3 here: at most 697 probes a table; larger distances
 * scan). A record is reported only from the first table in which it is
 * within the radius, which removes duplicates without any shared "seen"
 * state, so queries can run in parallel. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "image/image_internal.h"

#define MIH_MAX_RADIUS 3

struct query {
    const struct shn_image_index *idx;
    uint64_t q[4];
    int max_distance;
    unsigned radius;
    struct shn_image_match *out;
    size_t cap, found;
};

static void emit(struct query *qs, uint32_t r, int distance)
{
    if (qs->found < qs->cap) {
        const struct shn_image_index *idx = qs->idx;
        struct shn_image_match *m = &qs->out[qs->found];
        m->owner = idx->owners[idx->owner[r]].id;
        m->distance = distance;
        m->quality = idx->quality[r];
        m->time = idx->time[r];
        m->record = r;
    }
    qs->found++;
}

static void probe(struct query *qs, unsigned t, unsigned key)
{
    const struct shn_image_index *idx = qs->idx;
    const struct shn__image_bucket *b = shn__image_bucket(idx, t, key);

    for (uint32_t i = 0; i < b->len; i++) {
        uint32_t r = b->ids[i];
        const uint64_t *h = idx->hash[r];
        if (shn__image_chunk(h, t) != key)
            continue; /* another key sharing the bucket (small tables) */
        int d = shn__image_popcount4(qs->q, h);
        if (d > qs->max_distance)
            continue;
        /* Report from the first table within the radius only. */
        unsigned first = 0;
        while (first < t) {
            uint64_t x = (qs->q[first >> 2] ^ h[first >> 2]) >> (16 * (first & 3));
            if ((unsigned)__builtin_popcountll(x & 0xFFFFu) <= qs->radius)
                break;
            first++;
        }
        if (first == t)
            emit(qs, r, d);
    }
}

/* Every key within `radius` bits of `key`, flipping bits from `from` up. */
static void probe_ball(struct query *qs, unsigned t, unsigned key, unsigned from, unsigned radius)
{
    probe(qs, t, key);
    if (radius == 0)
        return;
    for (unsigned b = from; b < 16; b++)
        probe_ball(qs, t, key ^ (1u << b), b + 1, radius - 1);
}

static void brute_force(struct query *qs)
{
    const struct shn_image_index *idx = qs->idx;
    for (size_t r = 0; r < idx->n; r++) {
        if (idx->owner[r] == SHN__IMAGE_DELETED)
            continue;
        int d = shn__image_popcount4(qs->q, idx->hash[r]);
        if (d <= qs->max_distance)
            emit(qs, (uint32_t)r, d);
    }
}

int shn_image_index_query_into(const struct shn_image_index *idx, const struct shn_pdq *q,
                               int max_distance, unsigned flags, struct shn_image_match *matches,
                               size_t cap, size_t *found)
{
    struct query qs;

    if (!idx || !q || !found || max_distance < 0 || max_distance > 256 || (cap && !matches))
        return SHN_ERR_INVALID;
    memset(&qs, 0, sizeof qs);
    qs.idx = idx;
    memcpy(qs.q, q->bytes, sizeof qs.q);
    qs.max_distance = max_distance;
    qs.radius = (unsigned)max_distance / SHN__IMAGE_TABLES;
    qs.out = matches;
    qs.cap = cap;
    if ((flags & SHN_IMAGE_QUERY_BRUTE_FORCE) || qs.radius > MIH_MAX_RADIUS) {
        brute_force(&qs);
    } else {
        for (unsigned t = 0; t < SHN__IMAGE_TABLES; t++)
            probe_ball(&qs, t, shn__image_chunk(qs.q, t), 0, qs.radius);
    }
    *found = qs.found;
    return SHN_OK;
}

static int by_distance(const void *pa, const void *pb)
{
    const struct shn_image_match *a = pa, *b = pb;
    if (a->distance != b->distance)
        return a->distance < b->distance ? -1 : 1;
    int c = strcmp(a->owner, b->owner);
    if (c)
        return c;
    return (a->record > b->record) - (a->record < b->record);
}

static int by_owner(const void *pa, const void *pb)
{
    const struct shn_image_match *a = pa, *b = pb;
    int c = strcmp(a->owner, b->owner);
    if (c)
        return c;
    if (a->distance != b->distance)
        return a->distance < b->distance ? -1 : 1;
    return (a->record > b->record) - (a->record < b->record);
}

int shn_image_index_query(const struct shn_image_index *idx, const struct shn_pdq *q,
                          int max_distance, unsigned flags, struct shn_image_match **matches,
                          size_t *count)
{
    struct shn_image_match *m = NULL;
    size_t found = 0, cap = 64, n;
    int rc;

    if (!matches || !count)
        return SHN_ERR_INVALID;
    /* Query into a guess, and again with the exact size if it was short. */
    for (;;) {
        m = shn_malloc(cap * sizeof *m);
        if (!m)
            return SHN_ERR_NOMEM;
        rc = shn_image_index_query_into(idx, q, max_distance, flags, m, cap, &found);
        if (rc != SHN_OK || found <= cap)
            break;
        shn_free(m);
        cap = found;
    }
    if (rc != SHN_OK) {
        shn_free(m);
        return rc;
    }
    n = found;
    if (n && (flags & SHN_IMAGE_QUERY_BEST_PER_OWNER)) {
        size_t k = 0;
        qsort(m, n, sizeof *m, by_owner);
        for (size_t i = 0; i < n; i++)
            if (k == 0 || strcmp(m[k - 1].owner, m[i].owner) != 0)
                m[k++] = m[i];
        n = k;
    }
    if (n)
        qsort(m, n, sizeof *m, by_distance);
    if (n == 0) {
        shn_free(m);
        m = NULL;
    }
    *matches = m;
    *count = n;
    return SHN_OK;
}
