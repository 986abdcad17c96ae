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

#include "image_internal.h"
#include "shinsa/core/alloc.h"

#define MIH_MAX_RADIUS 3

struct query {
    const struct shn_image_index *idx;
    uint64_t q[4];
    int max_distance;
    unsigned radius;
    struct shn_image_match *out;
    size_t cap, found;
};

/* The hot loop is compiled twice (target_clones): with the POPCNT
 * instruction, picked at load time on every x86-64 CPU since about 2008,
 * and without it, for the rest. Everything it calls is inlined into it so
 * that both copies get their own code. */
#define HOT static inline __attribute__((always_inline))

HOT void emit(struct query *qs, uint32_t r, int distance)
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

/* A query visits up to 697 buckets in each of the 16 tables. The buckets
 * are random places in memory, so they are visited in groups: first every
 * bucket header of the group is requested (prefetch), then every posting
 * list, then they are scanned, so that the memory system fetches dozens at
 * once instead of waiting for each in turn. The scan rejects by the
 * postings' sketches; the few survivors are checked against the full hash,
 * again with their fetches requested ahead. */
#define GROUP 1024
#define BATCH 256

struct probe_key {
    const struct shn__image_bucket *b;
    uint16_t key;
    uint8_t t;
};

struct batch {
    uint32_t id[BATCH];
    uint16_t key[BATCH];
    uint8_t t[BATCH];
    unsigned n;
};

HOT void verify(struct query *qs, struct batch *c)
{
    const struct shn_image_index *idx = qs->idx;

    for (unsigned i = 0; i < c->n; i++)
        __builtin_prefetch(idx->hash[c->id[i]]);
    for (unsigned i = 0; i < c->n; i++) {
        uint32_t r = c->id[i];
        unsigned t = c->t[i];
        const uint64_t *h = idx->hash[r];
        if (shn__image_chunk(h, t) != c->key[i])
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
    c->n = 0;
}

HOT void scan_group(struct query *qs, struct probe_key *keys, unsigned n, struct batch *c)
{
    const struct shn_image_index *idx = qs->idx;

    for (unsigned k = 0; k < n; k++) {
        keys[k].b = shn__image_bucket(idx, keys[k].t, keys[k].key);
        __builtin_prefetch(keys[k].b);
    }
    for (unsigned k = 0; k < n; k++) {
        /* the first few cache lines of each posting list */
        const char *p = (const char *)keys[k].b->p;
        size_t bytes = (size_t)keys[k].b->len * sizeof *keys[k].b->p;
        for (size_t off = 0; off < bytes && off < 512; off += 64)
            __builtin_prefetch(p + off);
    }
    for (unsigned k = 0; k < n; k++) {
        const struct shn__image_bucket *b = keys[k].b;
        unsigned t = keys[k].t;
        uint64_t qa = qs->q[SHN__IMAGE_SKETCH_WORD(t, 0)];
        uint32_t qb = (uint32_t)qs->q[SHN__IMAGE_SKETCH_WORD(t, 1)];
        for (uint32_t i = 0; i < b->len; i++) {
            const struct shn__image_posting *p = &b->p[i];
            uint64_t a;
            memcpy(&a, p->sketch, 8);
            if (__builtin_popcountll(a ^ qa) + __builtin_popcount(p->sketch[2] ^ qb) >
                qs->max_distance)
                continue;
            if (c->n == BATCH)
                verify(qs, c);
            c->id[c->n] = p->id;
            c->key[c->n] = keys[k].key;
            c->t[c->n++] = (uint8_t)t;
        }
    }
}

__attribute__((target_clones("popcnt", "default"))) static void run(struct query *qs, int brute)
{
    const struct shn_image_index *idx = qs->idx;
    struct probe_key keys[GROUP];
    struct batch c;
    unsigned n = 0;
    /* keys a table probes: sum of C(16, i) for i <= radius */
    static const unsigned per_table[MIH_MAX_RADIUS + 1] = {1, 17, 137, 697};

    if (brute) {
        for (size_t r = 0; r < idx->n; r++) {
            if (idx->owner[r] == SHN__IMAGE_DELETED)
                continue;
            int d = shn__image_popcount4(qs->q, idx->hash[r]);
            if (d <= qs->max_distance)
                emit(qs, (uint32_t)r, d);
        }
        return;
    }
    c.n = 0;
    for (unsigned t = 0; t < SHN__IMAGE_TABLES; t++) {
        if (n + per_table[qs->radius] > GROUP) {
            scan_group(qs, keys, n, &c);
            n = 0;
        }
        /* Every key within the radius (<= 3) of the query's substring:
         * each set of up to three distinct bits to flip, once. */
        unsigned key = shn__image_chunk(qs->q, t);
        keys[n++] = (struct probe_key){NULL, (uint16_t)key, (uint8_t)t};
        for (unsigned a = 0; a < 16 && qs->radius >= 1; a++) {
            keys[n++] = (struct probe_key){NULL, (uint16_t)(key ^ 1u << a), (uint8_t)t};
            for (unsigned b = a + 1; b < 16 && qs->radius >= 2; b++) {
                keys[n++] =
                    (struct probe_key){NULL, (uint16_t)(key ^ 1u << a ^ 1u << b), (uint8_t)t};
                for (unsigned d = b + 1; d < 16 && qs->radius >= 3; d++)
                    keys[n++] = (struct probe_key){
                        NULL, (uint16_t)(key ^ 1u << a ^ 1u << b ^ 1u << d), (uint8_t)t};
            }
        }
    }
    scan_group(qs, keys, n, &c);
    verify(qs, &c);
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
    run(&qs, (flags & SHN_IMAGE_QUERY_BRUTE_FORCE) || qs.radius > MIH_MAX_RADIUS);
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

static int by_record(const void *pa, const void *pb)
{
    const struct shn_image_match *a = pa, *b = pb;
    if (a->record != b->record)
        return a->record < b->record ? -1 : 1;
    return (a->distance > b->distance) - (a->distance < b->distance);
}

/* Keeps the first of each run of equal keys (the array sorted so that the
 * one to keep comes first); returns the new count. */
static size_t unique(struct shn_image_match *m, size_t n, int by_owner_key)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int same = k > 0 && (by_owner_key ? strcmp(m[k - 1].owner, m[i].owner) == 0
                                          : m[k - 1].record == m[i].record);
        if (!same)
            m[k++] = m[i];
    }
    return k;
}

int shn_image_index_query_many(const struct shn_image_index *idx, const struct shn_pdq *qs,
                               size_t nq, int max_distance, unsigned flags,
                               struct shn_image_match **matches, size_t *count)
{
    struct shn_image_match *m = NULL, *grown;
    size_t used = 0, cap = 64, found, bytes;
    int rc = SHN_OK;

    if (!idx || !qs || !matches || !count || nq == 0)
        return SHN_ERR_INVALID;
    m = shn_malloc(cap * sizeof *m);
    if (!m) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    for (size_t q = 0; q < nq; q++) {
        /* Query into the free room; if it was short, grow and query again. */
        rc = shn_image_index_query_into(idx, &qs[q], max_distance, flags, m + used, cap - used,
                                        &found);
        if (rc == SHN_OK && found > cap - used) {
            if (!shn_size_add(used, found, &cap) || !shn_size_mul(cap, sizeof *m, &bytes)) {
                rc = SHN_ERR_TOO_LARGE;
                goto out;
            }
            grown = shn_realloc(m, bytes);
            if (!grown) {
                rc = SHN_ERR_NOMEM;
                goto out;
            }
            m = grown;
            rc = shn_image_index_query_into(idx, &qs[q], max_distance, flags, m + used, cap - used,
                                            &found);
        }
        if (rc != SHN_OK)
            goto out;
        used += found;
    }
    if (used && nq > 1) { /* a record found by several queries: its nearest */
        qsort(m, used, sizeof *m, by_record);
        used = unique(m, used, 0);
    }
    if (used && (flags & SHN_IMAGE_QUERY_BEST_PER_OWNER)) {
        qsort(m, used, sizeof *m, by_owner);
        used = unique(m, used, 1);
    }
    if (used)
        qsort(m, used, sizeof *m, by_distance);
out:
    if (rc != SHN_OK || used == 0) {
        shn_free(m);
        m = NULL;
        used = 0;
    }
    if (rc == SHN_OK) {
        *matches = m;
        *count = used;
    }
    return rc;
}

int shn_image_index_query(const struct shn_image_index *idx, const struct shn_pdq *q,
                          int max_distance, unsigned flags, struct shn_image_match **matches,
                          size_t *count)
{
    return shn_image_index_query_many(idx, q, 1, max_distance, flags, matches, count);
}
