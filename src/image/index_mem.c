/* The index in memory: owners (a string -> number map with each owner's
 * records), the records' parallel arrays, and the multi-index tables with
 * their posting lists. index.c reads and writes the file; index_query.c
 * answers queries. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/utf8.h"

/* ---------------------------------------------------------------- owners */

int shn__image_owner_valid(const char *owner, size_t len)
{
    if (len == 0 || len > SHN_IMAGE_OWNER_MAX || !shn_utf8_valid(owner, len, NULL))
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)owner[i] < 0x20 || owner[i] == 0x7F)
            return 0;
    return 1;
}

static size_t owner_slot(const struct shn_image_index *idx, const char *owner, size_t len)
{
    size_t mask = idx->nslots - 1, i = (size_t)shn_hash64(owner, len, 0x5eed) & mask;

    for (;; i = (i + 1) & mask) {
        uint32_t s = idx->slots[i];
        if (s == 0)
            return i;
        const struct shn__image_owner *o = &idx->owners[s - 1];
        if (o->id_len == len && memcmp(o->id, owner, len) == 0)
            return i;
    }
}

int shn__image_owner_find(const struct shn_image_index *idx, const char *owner, size_t len)
{
    if (idx->nslots == 0)
        return -1;
    uint32_t s = idx->slots[owner_slot(idx, owner, len)];
    return s ? (int)(s - 1) : -1;
}

/* Finds or creates an owner; its number in *out. */
int shn__image_owner_intern(struct shn_image_index *idx, const char *owner, size_t len,
                            uint32_t *out)
{
    int found = shn__image_owner_find(idx, owner, len);

    if (found >= 0) {
        *out = (uint32_t)found;
        return SHN_OK;
    }
    if ((idx->nowners + 1) * 2 > idx->nslots) {
        size_t nslots = idx->nslots ? idx->nslots * 2 : 1024;
        uint32_t *slots = shn_calloc(nslots, sizeof *slots), *old = idx->slots;
        if (!slots)
            return SHN_ERR_NOMEM;
        idx->slots = slots;
        idx->nslots = nslots;
        for (size_t i = 0; i < idx->nowners; i++)
            slots[owner_slot(idx, idx->owners[i].id, idx->owners[i].id_len)] = (uint32_t)i + 1;
        shn_free(old);
    }
    if (idx->nowners == idx->owners_cap) {
        size_t cap = idx->owners_cap ? idx->owners_cap * 2 : 256;
        struct shn__image_owner *o = shn_realloc(idx->owners, cap * sizeof *o);
        if (!o)
            return SHN_ERR_NOMEM;
        idx->owners = o;
        idx->owners_cap = cap;
    }
    char *id = shn_strndup(owner, len);
    if (!id)
        return SHN_ERR_NOMEM;
    struct shn__image_owner *o = &idx->owners[idx->nowners];
    memset(o, 0, sizeof *o);
    o->id = id;
    o->id_len = (uint8_t)len;
    idx->slots[owner_slot(idx, owner, len)] = (uint32_t)idx->nowners + 1;
    *out = (uint32_t)idx->nowners++;
    return SHN_OK;
}

/* ---------------------------------------------------------------- records */

static int grow_u32(uint32_t **v, uint32_t *cap, uint32_t need)
{
    if (need <= *cap)
        return SHN_OK;
    uint32_t ncap = *cap ? *cap + *cap / 2 + 1 : 4;
    if (ncap < need)
        ncap = need;
    uint32_t *p = shn_realloc(*v, (size_t)ncap * sizeof *p);
    if (!p)
        return SHN_ERR_NOMEM;
    *v = p;
    *cap = ncap;
    return SHN_OK;
}

static int in_slab(const struct shn_image_index *idx, const struct shn__image_posting *p)
{
    return idx->slab && p >= idx->slab && p < idx->slab + idx->slab_len;
}

static int grow_postings(const struct shn_image_index *idx, struct shn__image_bucket *b)
{
    if (b->len < b->cap)
        return SHN_OK;
    uint32_t ncap = b->cap ? b->cap + b->cap / 2 + 1 : 2;
    struct shn__image_posting *p;
    if (in_slab(idx, b->p)) {
        p = shn_malloc((size_t)ncap * sizeof *p);
        if (p)
            memcpy(p, b->p, (size_t)b->len * sizeof *p);
    } else {
        p = shn_realloc(b->p, (size_t)ncap * sizeof *p);
    }
    if (!p)
        return SHN_ERR_NOMEM;
    b->p = p;
    b->cap = ncap;
    return SHN_OK;
}

static void posting_set(struct shn__image_posting *p, const uint64_t h[4], unsigned t, uint32_t r)
{
    p->id = r;
    shn__image_sketch(h, t, p->sketch);
}

/* Big arrays that queries reach at random: transparent huge pages, where
 * the system offers them on request, spare most TLB misses (a page walk
 * for nearly every access otherwise). Only a hint; failure is harmless. */
static void advise_huge(void *p, size_t bytes)
{
#ifdef MADV_HUGEPAGE
    uintptr_t start = ((uintptr_t)p + ((uintptr_t)2 << 20) - 1) & ~(((uintptr_t)2 << 20) - 1);
    uintptr_t end = ((uintptr_t)p + bytes) & ~(((uintptr_t)2 << 20) - 1);
    if (bytes >= ((size_t)4 << 20) && end > start)
        (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

/* Reallocates *arr to cap elements; *arr is untouched on failure. */
static int grow_array(void **arr, size_t cap, size_t elem)
{
    size_t bytes;
    void *p;

    if (!shn_size_mul(cap, elem, &bytes))
        return SHN_ERR_TOO_LARGE;
    p = shn_realloc(*arr, bytes);
    if (!p)
        return SHN_ERR_NOMEM;
    *arr = p;
    return SHN_OK;
}

static int records_reserve(struct shn_image_index *idx, size_t extra)
{
    size_t need, cap;
    int rc;

    if (!shn_size_add(idx->n, extra, &need) || need > SHN_IMAGE_INDEX_MAX)
        return SHN_ERR_TOO_LARGE;
    if (need <= idx->cap)
        return SHN_OK;
    cap = idx->cap ? idx->cap * 2 : 1024;
    if (cap < need)
        cap = need;
    /* Each array is grown on its own; a failure leaves the larger ones
     * larger, which is harmless: idx->cap only moves when all succeeded. */
    rc = grow_array((void **)&idx->hash, cap, sizeof *idx->hash);
    if (rc == SHN_OK)
        rc = grow_array((void **)&idx->owner, cap, sizeof *idx->owner);
    if (rc == SHN_OK)
        rc = grow_array((void **)&idx->time, cap, sizeof *idx->time);
    if (rc == SHN_OK)
        rc = grow_array((void **)&idx->quality, cap, sizeof *idx->quality);
    if (rc == SHN_OK)
        rc = grow_array((void **)&idx->offset, cap, sizeof *idx->offset);
    if (rc != SHN_OK)
        return rc;
    advise_huge(idx->hash, cap * sizeof *idx->hash);
    idx->cap = cap;
    return SHN_OK;
}

/* Undoes the last shn__image_insert_record (its postings are at the ends). */
void shn__image_pop_record(struct shn_image_index *idx)
{
    size_t r = --idx->n;
    for (unsigned t = 0; t < SHN__IMAGE_TABLES; t++) {
        struct shn__image_bucket *b = shn__image_bucket(idx, t, shn__image_chunk(idx->hash[r], t));
        if (b->len && b->p[b->len - 1].id == r)
            b->len--;
    }
    struct shn__image_owner *o = &idx->owners[idx->owner[r]];
    if (o->nrecs && o->recs[o->nrecs - 1] == r)
        o->nrecs--;
    idx->live--;
}

/* Doubles the tables (or more) when they average over 4 records a bucket.
 * Optional: without the memory the old tables stay, still exact, slower. */
static void maybe_grow_tables(struct shn_image_index *idx)
{
    unsigned bits = idx->bucket_bits;
    struct shn__image_bucket *fresh, *old = idx->buckets;

    while (bits < SHN__IMAGE_MAX_BUCKET_BITS && idx->n + 1 > ((size_t)4 << bits))
        bits++;
    if (bits == idx->bucket_bits)
        return;
    fresh = shn_calloc((size_t)SHN__IMAGE_TABLES << bits, sizeof *fresh);
    if (!fresh)
        return;
    advise_huge(fresh, ((size_t)SHN__IMAGE_TABLES << bits) * sizeof *fresh);
    /* Split every old bucket into the new ones its keys now map to, in
     * order, so each new bucket keeps insertion order. */
    unsigned old_bits = idx->bucket_bits;
    int ok = 1;
    for (unsigned t = 0; t < SHN__IMAGE_TABLES && ok; t++) {
        for (size_t k = 0; k < ((size_t)1 << old_bits) && ok; k++) {
            const struct shn__image_bucket *b = &old[((size_t)t << old_bits) + k];
            for (uint32_t i = 0; i < b->len && ok; i++) {
                uint32_t r = b->p[i].id;
                unsigned key = shn__image_chunk(idx->hash[r], t) & ((1u << bits) - 1);
                struct shn__image_bucket *nb = &fresh[((size_t)t << bits) + key];
                ok = grow_postings(idx, nb) == SHN_OK;
                if (ok)
                    nb->p[nb->len++] = b->p[i];
            }
        }
    }
    struct shn__image_bucket *drop = ok ? old : fresh;
    size_t ndrop = (size_t)SHN__IMAGE_TABLES << (ok ? old_bits : bits);
    for (size_t i = 0; i < ndrop; i++)
        if (!in_slab(idx, drop[i].p))
            shn_free(drop[i].p);
    shn_free(drop);
    if (ok) {
        idx->buckets = fresh;
        idx->bucket_bits = bits;
    }
}

/* Adds one record to memory; on failure nothing of it remains. */
int shn__image_insert_record(struct shn_image_index *idx, const uint8_t hash[32], int quality,
                             uint32_t owner, int64_t time, uint64_t offset)
{
    size_t r = idx->n;
    unsigned t;
    int rc = records_reserve(idx, 1);

    if (rc != SHN_OK)
        return rc;
    if (idx->postings_ready)
        maybe_grow_tables(idx);
    memcpy(idx->hash[r], hash, 32);
    idx->owner[r] = owner;
    idx->time[r] = time;
    idx->quality[r] = (uint8_t)quality;
    idx->offset[r] = offset;
    struct shn__image_owner *o = &idx->owners[owner];
    rc = grow_u32(&o->recs, &o->cap, o->nrecs + 1);
    if (rc != SHN_OK)
        return rc;
    for (t = 0; t < SHN__IMAGE_TABLES && idx->postings_ready; t++) {
        struct shn__image_bucket *b = shn__image_bucket(idx, t, shn__image_chunk(idx->hash[r], t));
        rc = grow_postings(idx, b);
        if (rc != SHN_OK)
            break;
        posting_set(&b->p[b->len++], idx->hash[r], t, (uint32_t)r);
    }
    if (rc != SHN_OK) {
        while (t-- > 0)
            shn__image_bucket(idx, t, shn__image_chunk(idx->hash[r], t))->len--;
        return rc;
    }
    o->recs[o->nrecs++] = (uint32_t)r;
    idx->n++;
    idx->live++;
    return SHN_OK;
}

/* Builds the tables for every live record at once, at the end of a load:
 * counted first, so every posting list is allocated once at its size (with
 * an eighth to spare for appends) instead of growing record by record. */
int shn__image_build_postings(struct shn_image_index *idx)
{
    unsigned bits = SHN__IMAGE_MIN_BUCKET_BITS;
    size_t nb;
    struct shn__image_bucket *b;

    while (bits < SHN__IMAGE_MAX_BUCKET_BITS && idx->live > ((size_t)4 << bits))
        bits++;
    nb = (size_t)SHN__IMAGE_TABLES << bits;
    b = shn_calloc(nb, sizeof *b);
    if (!b)
        return SHN_ERR_NOMEM;
    advise_huge(b, nb * sizeof *b);
    unsigned mask = (1u << bits) - 1;
    /* Table by table: the records are read in order and the writes stay
     * within one table's part of the memory. */
    for (unsigned t = 0; t < SHN__IMAGE_TABLES; t++)
        for (size_t r = 0; r < idx->n; r++)
            if (idx->owner[r] != SHN__IMAGE_DELETED)
                b[((size_t)t << bits) + (shn__image_chunk(idx->hash[r], t) & mask)].cap++;
    size_t total = 0, bytes;
    for (size_t i = 0; i < nb; i++) {
        if (b[i].cap)
            b[i].cap += b[i].cap / 8 + 1;
        total += b[i].cap;
    }
    struct shn__image_posting *slab = NULL;
    if (total > 0) {
        if (shn_size_mul(total, sizeof *slab, &bytes))
            slab = shn_malloc(bytes);
        if (!slab) {
            shn_free(b);
            return SHN_ERR_NOMEM;
        }
        advise_huge(slab, bytes);
    }
    total = 0;
    for (size_t i = 0; i < nb; i++) {
        b[i].p = b[i].cap ? slab + total : NULL;
        total += b[i].cap;
    }
    for (unsigned t = 0; t < SHN__IMAGE_TABLES; t++) {
        for (size_t r = 0; r < idx->n; r++) {
            if (idx->owner[r] == SHN__IMAGE_DELETED)
                continue;
            struct shn__image_bucket *bk =
                &b[((size_t)t << bits) + (shn__image_chunk(idx->hash[r], t) & mask)];
            posting_set(&bk->p[bk->len++], idx->hash[r], t, (uint32_t)r);
        }
    }
    idx->buckets = b;
    idx->bucket_bits = bits;
    idx->slab = slab;
    idx->slab_len = total;
    idx->postings_ready = 1;
    return SHN_OK;
}

/* Takes every live record of an owner out of memory; returns the count. */
size_t shn__image_drop_owner(struct shn_image_index *idx, uint32_t owner)
{
    struct shn__image_owner *o = &idx->owners[owner];
    size_t count = o->nrecs;

    for (uint32_t k = 0; k < o->nrecs; k++) {
        uint32_t r = o->recs[k];
        for (unsigned t = 0; t < SHN__IMAGE_TABLES && idx->postings_ready; t++) {
            struct shn__image_bucket *b =
                shn__image_bucket(idx, t, shn__image_chunk(idx->hash[r], t));
            for (uint32_t i = 0; i < b->len; i++) {
                if (b->p[i].id == r) {
                    b->p[i] = b->p[--b->len];
                    break;
                }
            }
        }
        idx->owner[r] = SHN__IMAGE_DELETED;
        memset(idx->hash[r], 0, sizeof idx->hash[r]);
    }
    o->nrecs = 0;
    idx->live -= count;
    idx->removed += count;
    return count;
}

struct shn_image_index *shn__image_index_new(void)
{
    struct shn_image_index *idx = shn_calloc(1, sizeof *idx);
    if (!idx)
        return NULL;
    idx->fd = -1;
    idx->bucket_bits = SHN__IMAGE_MIN_BUCKET_BITS;
    return idx; /* the tables come with the first load */
}

void shn__image_index_free(struct shn_image_index *idx)
{
    if (!idx)
        return;
    if (idx->buckets)
        for (size_t i = 0; i < (size_t)SHN__IMAGE_TABLES << idx->bucket_bits; i++)
            if (!in_slab(idx, idx->buckets[i].p))
                shn_free(idx->buckets[i].p);
    shn_free(idx->slab);
    for (size_t i = 0; i < idx->nowners; i++) {
        shn_free(idx->owners[i].id);
        shn_free(idx->owners[i].recs);
    }
    shn_free(idx->buckets);
    shn_free(idx->owners);
    shn_free(idx->slots);
    shn_free(idx->hash);
    shn_free(idx->owner);
    shn_free(idx->time);
    shn_free(idx->quality);
    shn_free(idx->offset);
    shn_free(idx->damage);
    shn_free(idx->scrub);
    shn_free(idx->path);
    if (idx->fd >= 0)
        close(idx->fd);
    shn_free(idx);
}

void shn_image_index_stats(const struct shn_image_index *idx, struct shn_image_index_stats *out)
{
    size_t owners = 0;
    for (size_t i = 0; i < idx->nowners; i++)
        owners += idx->owners[i].nrecs > 0;
    memset(out, 0, sizeof *out);
    out->hashes = idx->live;
    out->owners = owners;
    out->removed = idx->removed;
    out->damaged_records = idx->damaged;
    out->torn_bytes = idx->torn;
    out->file_bytes = idx->file_end;
    out->records = idx->frames;
    out->unscrubbed = idx->nscrub;
}
