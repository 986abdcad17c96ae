/* The hash index: an append-only file and its in-memory tables.
 *
 * File layout (all integers little-endian):
 *   header, 32 bytes: "SHNPDQX1", u32 version (1), u32 header size (32),
 *     i64 creation time, u32 reserved (0), u32 CRC-32 of the 28 bytes before;
 *   then records, each a frame: u32 (0xA5 << 24 | payload length),
 *     u32 CRC-32 of the payload, payload:
 *     ADD (1):      u8 type, u8 quality, u8 owner length L, u8 0, i64 time,
 *                   32 hash bytes, L owner bytes            (44 + L bytes)
 *     REMOVE (2):   u8 type, u8 0, u8 L, u8 0, i64 time, L owner bytes
 *     SCRUBBED (3): u8 type, then zeros, as long as the ADD it replaced.
 *
 * Crash safety: an append is one write at the end of the valid data. A
 * crash can leave a partial frame or a frame whose bytes never reached the
 * disk; on open, a last frame that runs past the end or fails its checksum,
 * or a tail of zeros, is a torn append: ignored, and cut off by the next
 * writer. Removal appends REMOVE (fsynced) before scrubbing: the scrub
 * rewrites each ADD frame of the owner in place with a frame of the same
 * length, so even a torn scrub keeps the framing, and its checksum failure
 * mid-file marks a damaged (skipped) record of an owner already removed. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/file.h"
#include "core/hash.h"
#include "core/utf8.h"
#include "image/image_internal.h"

#define HEADER_SIZE 32
#define FRAME_SIZE 8
#define FRAME_MAGIC 0xA5u
#define ADD_FIXED 44u
#define REMOVE_FIXED 12u
#define MAX_PAYLOAD (ADD_FIXED + SHN_IMAGE_OWNER_MAX)
#define TYPE_ADD 1
#define TYPE_REMOVE 2
#define TYPE_SCRUBBED 3

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* ---------------------------------------------------------------- owners */

static int owner_valid(const char *owner, size_t len)
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

static int owner_find(const struct shn_image_index *idx, const char *owner, size_t len)
{
    if (idx->nslots == 0)
        return -1;
    uint32_t s = idx->slots[owner_slot(idx, owner, len)];
    return s ? (int)(s - 1) : -1;
}

/* Finds or creates an owner; its number in *out. */
static int owner_intern(struct shn_image_index *idx, const char *owner, size_t len, uint32_t *out)
{
    int found = owner_find(idx, owner, len);

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

static int records_reserve(struct shn_image_index *idx, size_t extra)
{
    size_t need, cap;

    if (!shn_size_add(idx->n, extra, &need) || need > SHN_IMAGE_INDEX_MAX)
        return SHN_ERR_TOO_LARGE;
    if (need <= idx->cap)
        return SHN_OK;
    cap = idx->cap ? idx->cap * 2 : 1024;
    if (cap < need)
        cap = need;
    /* Each array is grown on its own; a failure leaves the larger ones
     * larger, which is harmless: idx->cap only moves when all succeeded. */
    void *p;
    if (!(p = shn_realloc(idx->hash, cap * sizeof *idx->hash)))
        return SHN_ERR_NOMEM;
    idx->hash = p;
    advise_huge(p, cap * sizeof *idx->hash);
    if (!(p = shn_realloc(idx->owner, cap * sizeof *idx->owner)))
        return SHN_ERR_NOMEM;
    idx->owner = p;
    if (!(p = shn_realloc(idx->time, cap * sizeof *idx->time)))
        return SHN_ERR_NOMEM;
    idx->time = p;
    if (!(p = shn_realloc(idx->quality, cap * sizeof *idx->quality)))
        return SHN_ERR_NOMEM;
    idx->quality = p;
    if (!(p = shn_realloc(idx->offset, cap * sizeof *idx->offset)))
        return SHN_ERR_NOMEM;
    idx->offset = p;
    idx->cap = cap;
    return SHN_OK;
}

/* Undoes the last insert_record (its postings are at the ends). */
static void pop_record(struct shn_image_index *idx)
{
    size_t r = --idx->n;
    for (unsigned t = 0; t < SHN__IMAGE_TABLES; t++) {
        struct shn__image_bucket *b =
            shn__image_bucket(idx, t, shn__image_chunk(idx->hash[r], t));
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
static int insert_record(struct shn_image_index *idx, const uint8_t hash[32], int quality,
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
        struct shn__image_bucket *b =
            shn__image_bucket(idx, t, shn__image_chunk(idx->hash[r], t));
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
static int build_postings(struct shn_image_index *idx)
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
    for (size_t r = 0; r < idx->n; r++)
        if (idx->owner[r] != SHN__IMAGE_DELETED)
            for (unsigned t = 0; t < SHN__IMAGE_TABLES; t++)
                b[((size_t)t << bits) + (shn__image_chunk(idx->hash[r], t) & mask)].cap++;
    size_t total = 0, bytes;
    for (size_t i = 0; i < nb; i++) {
        if (b[i].cap)
            b[i].cap += b[i].cap / 8 + 1;
        total += b[i].cap;
    }
    struct shn__image_posting *slab = NULL;
    if (total > 0) {
        if (!shn_size_mul(total, sizeof *slab, &bytes) || !(slab = shn_malloc(bytes))) {
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
    for (size_t r = 0; r < idx->n; r++) {
        if (idx->owner[r] == SHN__IMAGE_DELETED)
            continue;
        for (unsigned t = 0; t < SHN__IMAGE_TABLES; t++) {
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
static size_t drop_owner(struct shn_image_index *idx, uint32_t owner)
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

/* ---------------------------------------------------------------- loading */

/* A frame that cannot be read at `pos` is a torn append when what follows
 * could be one: shorter than a frame, or all zeros (space allocated by the
 * file system whose data never arrived). */
static int all_zero(const uint8_t *data, size_t from, size_t size)
{
    for (size_t i = from; i < size; i++)
        if (data[i] != 0)
            return 0;
    return 1;
}

static int torn_tail(const uint8_t *data, size_t size, size_t pos)
{
    return size - pos < FRAME_SIZE + MAX_PAYLOAD || all_zero(data, pos, size);
}

static int load(struct shn_image_index *idx, const uint8_t *data, size_t size, const char *name,
                struct shn_diag *diag)
{
    size_t pos = HEADER_SIZE;
    int rc = SHN_OK;

    if (size < HEADER_SIZE || memcmp(data, "SHNPDQX1", 8) != 0)
        return shn_diag_set(diag, SHN_ERR_FORMAT, name, 0, NULL, "not a shinsa image index");
    if (get32(data + 28) != shn_crc32(0, data, 28))
        return shn_diag_set(diag, SHN_ERR_CORRUPT, name, 0, NULL, "index header checksum fails");
    if (get32(data + 8) != 1 || get32(data + 12) != HEADER_SIZE)
        return shn_diag_set(diag, SHN_ERR_FORMAT, name, 0, NULL,
                            "index version %u is not supported", get32(data + 8));
    while (pos < size) {
        const uint8_t *f = data + pos, *p = f + FRAME_SIZE;
        uint32_t head, len;

        if (size - pos < FRAME_SIZE)
            break;
        head = get32(f);
        len = head & 0xFFFFFFu;
        if (head >> 24 != FRAME_MAGIC || len == 0 || len > MAX_PAYLOAD) {
            if (torn_tail(data, size, pos))
                break;
            rc = shn_diag_set(diag, SHN_ERR_CORRUPT, name, 0, NULL,
                              "index damaged at byte %zu (bad frame)", pos);
            goto out;
        }
        if (len > size - pos - FRAME_SIZE)
            break; /* runs past the end: torn */
        if (get32(f + 4) != shn_crc32(0, p, len)) {
            if (all_zero(data, pos + FRAME_SIZE + len, size))
                break; /* the last frame (before any zeros): a torn append */
            idx->damaged++;
            pos += FRAME_SIZE + len;
            continue;
        }
        if (p[0] == TYPE_ADD && len >= ADD_FIXED + 1 && len == ADD_FIXED + (uint32_t)p[2] &&
            owner_valid((const char *)p + ADD_FIXED, p[2]) && (p[1] <= 100 || p[1] == 255)) {
            uint32_t owner;
            rc = owner_intern(idx, (const char *)p + ADD_FIXED, p[2], &owner);
            if (rc == SHN_OK)
                rc = insert_record(idx, p + 12, p[1], owner, (int64_t)get64(p + 4), pos);
            if (rc != SHN_OK) {
                shn_diag_set(diag, rc, name, 0, NULL, "cannot load the index: %s",
                             shn_strerror(rc));
                goto out;
            }
        } else if (p[0] == TYPE_REMOVE && len == REMOVE_FIXED + (uint32_t)p[2] && p[2] > 0) {
            int o = owner_find(idx, (const char *)p + REMOVE_FIXED, p[2]);
            if (o >= 0)
                drop_owner(idx, (uint32_t)o);
        } else if (p[0] == TYPE_SCRUBBED) {
            idx->removed++;
        } else {
            idx->damaged++; /* a checksummed frame we do not understand */
        }
        pos += FRAME_SIZE + len;
    }
    idx->torn = size - pos;
    idx->file_end = pos;
    rc = build_postings(idx);
    if (rc != SHN_OK)
        shn_diag_set(diag, rc, name, 0, NULL, "cannot load the index: %s", shn_strerror(rc));
out:
    return rc;
}

static struct shn_image_index *index_new(void)
{
    struct shn_image_index *idx = shn_calloc(1, sizeof *idx);
    if (!idx)
        return NULL;
    idx->fd = -1;
    idx->bucket_bits = SHN__IMAGE_MIN_BUCKET_BITS;
    return idx; /* the tables come with the first load */
}

static void index_free(struct shn_image_index *idx)
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
    shn_free(idx->path);
    if (idx->fd >= 0)
        close(idx->fd);
    shn_free(idx);
}

int shn_image_index_open_memory(const void *data, size_t len, struct shn_image_index **out,
                                struct shn_diag *diag)
{
    struct shn_image_index *idx = index_new();
    int rc;

    if (!idx)
        return shn_diag_set(diag, SHN_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    rc = load(idx, data, len, NULL, diag);
    if (rc != SHN_OK) {
        index_free(idx);
        return rc;
    }
    *out = idx;
    return SHN_OK;
}

static int write_all(int fd, const void *buf, size_t len, uint64_t offset)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, (off_t)offset);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return SHN_ERR_IO;
        p += n;
        len -= (size_t)n;
        offset += (uint64_t)n;
    }
    return SHN_OK;
}

static int create_header(int fd)
{
    uint8_t h[HEADER_SIZE] = {0};
    memcpy(h, "SHNPDQX1", 8);
    put32(h + 8, 1);
    put32(h + 12, HEADER_SIZE);
    put64(h + 16, (uint64_t)time(NULL));
    put32(h + 28, shn_crc32(0, h, 28));
    if (write_all(fd, h, sizeof h, 0) != SHN_OK || fsync(fd) != 0)
        return SHN_ERR_IO;
    return SHN_OK;
}

int shn_image_index_open(const char *path, enum shn_image_index_mode mode,
                         struct shn_image_index **out, struct shn_diag *diag)
{
    struct shn_image_index *idx = NULL;
    struct shn_mapped_file map = {0};
    struct stat st;
    int rc = SHN_OK, fd = -1;

    if (!path || !out)
        return SHN_ERR_INVALID;
    fd = open(path, mode == SHN_IMAGE_INDEX_WRITE ? O_RDWR | O_CREAT | O_CLOEXEC
                                                  : O_RDONLY | O_CLOEXEC, 0644);
    if (fd < 0)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot open index: %s",
                            strerror(errno));
    /* One writer at a time; readers take a shared lock so that they never
     * read while a removal scrubs. */
    if (flock(fd, mode == SHN_IMAGE_INDEX_WRITE ? LOCK_EX : LOCK_SH) != 0 || fstat(fd, &st) != 0) {
        rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot lock index: %s",
                          strerror(errno));
        goto out;
    }
    if (st.st_size == 0 && mode == SHN_IMAGE_INDEX_WRITE) {
        rc = create_header(fd);
        if (rc != SHN_OK) {
            shn_diag_set(diag, rc, path, 0, NULL, "cannot write index header: %s", strerror(errno));
            goto out;
        }
    }
    idx = index_new();
    if (idx)
        idx->path = shn_strdup(path);
    if (!idx || !idx->path) {
        rc = shn_diag_set(diag, SHN_ERR_NOMEM, path, 0, NULL, "out of memory");
        goto out;
    }
    rc = shn_file_map(path, &map, diag);
    if (rc == SHN_OK)
        rc = load(idx, map.data, map.size, path, diag);
    shn_file_unmap(&map);
    if (rc != SHN_OK)
        goto out;
    if (mode == SHN_IMAGE_INDEX_WRITE && idx->torn > 0) {
        /* Cut the torn append off before anything is appended after it. */
        if (ftruncate(fd, (off_t)idx->file_end) != 0 || fsync(fd) != 0) {
            rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot truncate torn tail: %s",
                              strerror(errno));
            goto out;
        }
    }
    if (mode == SHN_IMAGE_INDEX_WRITE) {
        idx->fd = fd;
        fd = -1;
    }
    *out = idx;
    idx = NULL;
out:
    if (fd >= 0)
        close(fd);
    index_free(idx);
    return rc;
}

int shn_image_index_sync(struct shn_image_index *idx, struct shn_diag *diag)
{
    if (idx && idx->fd >= 0 && fdatasync(idx->fd) != 0)
        return shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "fsync failed: %s",
                            strerror(errno));
    return SHN_OK;
}

int shn_image_index_close(struct shn_image_index *idx)
{
    int rc = SHN_OK;
    if (!idx)
        return SHN_OK;
    rc = shn_image_index_sync(idx, NULL);
    index_free(idx);
    return rc;
}

/* ---------------------------------------------------------------- add, remove */

static size_t encode_add(uint8_t *f, const struct shn_image_record *r, size_t owner_len,
                         int64_t when)
{
    uint8_t *p = f + FRAME_SIZE;
    size_t len = ADD_FIXED + owner_len;

    p[0] = TYPE_ADD;
    p[1] = (uint8_t)r->quality;
    p[2] = (uint8_t)owner_len;
    p[3] = 0;
    put64(p + 4, (uint64_t)when);
    memcpy(p + 12, r->pdq.bytes, 32);
    memcpy(p + ADD_FIXED, r->owner, owner_len);
    put32(f, FRAME_MAGIC << 24 | (uint32_t)len);
    put32(f + 4, shn_crc32(0, p, len));
    return FRAME_SIZE + len;
}

int shn_image_index_add(struct shn_image_index *idx, const struct shn_image_record *recs,
                        size_t count, struct shn_diag *diag)
{
    uint8_t *buf = NULL;
    size_t size, used = 0, added = 0;
    int64_t now = (int64_t)time(NULL);
    int rc = SHN_OK;

    if (!idx || (!recs && count))
        return SHN_ERR_INVALID;
    if (idx->fd < 0)
        return shn_diag_set(diag, SHN_ERR_INVALID, idx->path, 0, NULL, "index is read-only");
    for (size_t i = 0; i < count; i++) {
        const char *o = recs[i].owner;
        if (!o || !owner_valid(o, strnlen(o, SHN_IMAGE_OWNER_MAX + 1)))
            return shn_diag_set(diag, SHN_ERR_INVALID, idx->path, 0, "owner",
                                "owner id must be 1..%d bytes of UTF-8 without control characters",
                                SHN_IMAGE_OWNER_MAX);
        if ((recs[i].quality < 0 || recs[i].quality > 100) &&
            recs[i].quality != SHN_IMAGE_QUALITY_UNKNOWN)
            return shn_diag_set(diag, SHN_ERR_INVALID, idx->path, 0, "quality",
                                "quality %d is not 0..100", recs[i].quality);
    }
    if (!shn_size_mul(count, FRAME_SIZE + MAX_PAYLOAD, &size))
        return SHN_ERR_TOO_LARGE;
    buf = shn_malloc(size ? size : 1);
    if (!buf) {
        rc = shn_diag_set(diag, SHN_ERR_NOMEM, idx->path, 0, NULL, "out of memory");
        goto out;
    }
    /* Memory first (it can fail), then the file; undo memory if the file
     * write fails, so that an error leaves no trace. */
    for (; added < count; added++) {
        const struct shn_image_record *r = &recs[added];
        size_t olen = strlen(r->owner);
        int64_t when = r->time ? r->time : now;
        uint32_t owner;
        rc = owner_intern(idx, r->owner, olen, &owner);
        if (rc == SHN_OK)
            rc = insert_record(idx, r->pdq.bytes, r->quality, owner, when, idx->file_end + used);
        if (rc != SHN_OK) {
            shn_diag_set(diag, rc, idx->path, 0, NULL, "cannot add: %s", shn_strerror(rc));
            goto out;
        }
        used += encode_add(buf + used, r, olen, when);
    }
    if (write_all(idx->fd, buf, used, idx->file_end) != SHN_OK) {
        rc = shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "cannot append: %s",
                          strerror(errno));
        /* Whatever part reached the file is a torn tail: cut it. */
        if (ftruncate(idx->fd, (off_t)idx->file_end) != 0)
            rc = SHN_ERR_IO;
        goto out;
    }
    idx->file_end += used;
out:
    if (rc != SHN_OK)
        while (added-- > 0)
            pop_record(idx);
    shn_free(buf);
    return rc;
}

int shn_image_index_remove(struct shn_image_index *idx, const char *owner, size_t *removed,
                           struct shn_diag *diag)
{
    uint8_t frame[FRAME_SIZE + MAX_PAYLOAD];
    size_t olen;
    int o, rc = SHN_OK;

    if (!idx || !owner || !removed)
        return SHN_ERR_INVALID;
    if (idx->fd < 0)
        return shn_diag_set(diag, SHN_ERR_INVALID, idx->path, 0, NULL, "index is read-only");
    olen = strnlen(owner, SHN_IMAGE_OWNER_MAX + 1);
    if (!owner_valid(owner, olen))
        return shn_diag_set(diag, SHN_ERR_INVALID, idx->path, 0, "owner", "bad owner id");
    o = owner_find(idx, owner, olen);
    if (o < 0 || idx->owners[o].nrecs == 0) {
        *removed = 0;
        return SHN_OK;
    }
    /* 1. The removal record, durable before anything is overwritten. */
    uint8_t *p = frame + FRAME_SIZE;
    size_t len = REMOVE_FIXED + olen;
    memset(frame, 0, sizeof frame);
    p[0] = TYPE_REMOVE;
    p[2] = (uint8_t)olen;
    put64(p + 4, (uint64_t)time(NULL));
    memcpy(p + REMOVE_FIXED, owner, olen);
    put32(frame, FRAME_MAGIC << 24 | (uint32_t)len);
    put32(frame + 4, shn_crc32(0, p, len));
    if (write_all(idx->fd, frame, FRAME_SIZE + len, idx->file_end) != SHN_OK ||
        fdatasync(idx->fd) != 0) {
        rc = shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "cannot append: %s",
                          strerror(errno));
        if (ftruncate(idx->fd, (off_t)idx->file_end) != 0)
            rc = SHN_ERR_IO;
        return rc;
    }
    idx->file_end += FRAME_SIZE + len;
    /* 2. Scrub the owner's hash records in place (same frame length). */
    len = ADD_FIXED + olen;
    memset(frame, 0, sizeof frame);
    p[0] = TYPE_SCRUBBED;
    put32(frame, FRAME_MAGIC << 24 | (uint32_t)len);
    put32(frame + 4, shn_crc32(0, p, len));
    const struct shn__image_owner *ow = &idx->owners[o];
    for (uint32_t k = 0; k < ow->nrecs && rc == SHN_OK; k++)
        if (write_all(idx->fd, frame, FRAME_SIZE + len, idx->offset[ow->recs[k]]) != SHN_OK)
            rc = shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL,
                              "cannot scrub (the removal itself is recorded): %s",
                              strerror(errno));
    if (rc == SHN_OK && fdatasync(idx->fd) != 0)
        rc = shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "fsync failed: %s",
                          strerror(errno));
    /* 3. Memory. The REMOVE record is on disk, so this holds on reopen too. */
    *removed = drop_owner(idx, (uint32_t)o);
    return rc;
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
}
