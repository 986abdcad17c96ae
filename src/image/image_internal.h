/* Declarations shared between the files of the image engine only. */
#ifndef SHN_IMAGE_INTERNAL_H
#define SHN_IMAGE_INTERNAL_H

#include <stdint.h>

#include "shinsa/image.h"

/* The reference squashes images with a side above this to this square. */
#define SHN__IMAGE_REF_SIDE 512u
/* Fast mode decodes JPEGs to at least this side (by DCT scaling) before
 * the squash to 512x512: measured on the reference set, 256 keeps every
 * hash within 6 bits of the reference's (512: 4 bits) for a third less
 * decoding time. */
#define SHN__IMAGE_FAST_SIDE 256u
/* The reference returns an all-zero hash below this side. */
#define SHN__IMAGE_MIN_SIDE 5u

/* Floats of scratch that shn__image_pdq_core needs besides the luma. */
#define SHN__IMAGE_SCRATCH_EXTRA(rows, cols) ((size_t)(cols)*18 + (size_t)(rows)*129 + 64)

/* Defaults filled in for zeroed option fields. */
void shn__image_options_resolve(const struct shn_image_options *in, struct shn_image_options *out);

/* Checks width x height against the bounds, before any allocation. */
int shn__image_check_size(uint64_t width, uint64_t height, const struct shn_image_options *opts,
                          const char *name, struct shn_diag *diag);

/* Decoders. Each fills *out on success only. */
int shn__image_decode_jpeg(const uint8_t *data, size_t len, const struct shn_image_options *opts,
                           uint32_t reduce_to, const char *name, struct shn_image *out,
                           struct shn_diag *diag);
int shn__image_decode_png(const uint8_t *data, size_t len, const struct shn_image_options *opts,
                          const char *name, struct shn_image *out, struct shn_diag *diag);
int shn__image_decode_webp(const uint8_t *data, size_t len, const struct shn_image_options *opts,
                           const char *name, struct shn_image *out, struct shn_diag *diag);

/* EXIF orientation (1..8) from an APP1 payload ("Exif\0\0" + TIFF) of at
 * most 64 KiB; 1 when absent or unreadable. */
unsigned shn__image_exif_orientation(const uint8_t *data, size_t len);

/* Composites an alpha channel on white in place: 2 -> 1 or 4 -> 3
 * channels per pixel, row by row. */
void shn__image_drop_alpha(uint8_t *pixels, uint32_t width, uint32_t height, size_t stride,
                           unsigned channels);

/* The PDQ core on a float luma array (rows x cols, row-major), which it
 * overwrites; scratch holds rows * cols + SHN__IMAGE_SCRATCH_EXTRA(rows, cols)
 * floats. Fills the 16x16 DCT
 * output (row-major) and the quality. rows, cols >= 5. */
void shn__image_pdq_core(float *luma, float *scratch, uint32_t rows, uint32_t cols, float dct[256],
                         int *quality);

/* Hashes a decoded image the way shn_image_hash_memory does (the squash to
 * 512x512, then the EXIF orientation). */
int shn__image_hash_decoded(const struct shn_image *img, struct shn_image_hash *out);

/* Median threshold of a dihedral form of the DCT output into a hash. */
void shn__image_pdq_bits(const float dct[256], enum shn_pdq_dihedral form, struct shn_pdq *out);

/* The dihedral form that displays an image with this EXIF orientation. */
enum shn_pdq_dihedral shn__image_orientation_form(unsigned orientation);

/* ---------------------------------------------------------------- index */

/* Multi-index hashing: the 256 bits are cut into 16 substrings of 16 bits,
 * each with a direct-addressed table of buckets of record numbers. Two
 * hashes within distance d agree to within floor(d / 16) bits on at least
 * one substring (pigeonhole), so probing every key within that radius in
 * every table finds all of them.
 *
 * A table has 2^bucket_bits buckets, key -> bucket by the low bits: small
 * indexes stay small (256 buckets a table) and the tables double as the
 * index grows, up to 65536 buckets (one per key) from 262,144 hashes on,
 * after which they never change shape again. A bucket may then hold keys
 * other than the probed one; the query checks the record's own substring,
 * which also keeps every record reported once. */
#define SHN__IMAGE_TABLES 16
#define SHN__IMAGE_MIN_BUCKET_BITS 8
#define SHN__IMAGE_MAX_BUCKET_BITS 16
#define SHN__IMAGE_DELETED UINT32_MAX

/* A posting carries, besides the record number, 96 other bits of the hash
 * (the 64-bit word after the one holding the table's substring, and half of
 * the next). Their distance to the query's same bits is a lower bound of
 * the full distance, and for an unrelated hash it is about 48 (over 31 for
 * all but 1 in 5,000): the scan rejects nearly every candidate from the
 * bucket's own contiguous memory, and only near-matches cost a random
 * access to the full hash. 16 bytes: four postings a cache line. */
struct shn__image_posting {
    uint32_t id;
    uint32_t sketch[3];
};

struct shn__image_bucket {
    struct shn__image_posting *p; /* in insertion order until a removal */
    uint32_t len, cap;
};

/* The 64-bit words of a hash whose bits go into table t's sketch. */
#define SHN__IMAGE_SKETCH_WORD(t, k) ((((t) >> 2) + 1 + (k)) & 3)

static inline void shn__image_sketch(const uint64_t h[4], unsigned t, uint32_t out[3])
{
    uint64_t a = h[SHN__IMAGE_SKETCH_WORD(t, 0)], b = h[SHN__IMAGE_SKETCH_WORD(t, 1)];
    out[0] = (uint32_t)a;
    out[1] = (uint32_t)(a >> 32);
    out[2] = (uint32_t)b;
}

struct shn__image_owner {
    char *id;       /* NUL-terminated */
    uint32_t *recs; /* live record numbers */
    uint32_t nrecs, cap;
    uint8_t id_len;
    uint64_t removed_at; /* at load: offset of its last REMOVE frame + 1, or 0 */
};

/* A damaged span found at load. one_frame: exactly one frame whose header
 * is intact (so its bytes can be overwritten in place, and it may still
 * hold an owner's hash). */
struct shn__image_damage {
    uint64_t offset, length;
    int one_frame;
};

/* An ADD frame still in the file although its owner was removed: a removal
 * cut short (a crash between its REMOVE frame and the scrub), or a damaged
 * frame of a removed owner. A writer's open overwrites them. */
struct shn__image_scrub {
    uint64_t offset;
    uint32_t payload_len;
};

/* Damaged spans listed at most (the count goes on): the list is for
 * reports and for scrubbing damaged frames of removed owners. */
#define SHN__IMAGE_DAMAGE_LIST_MAX ((size_t)1 << 16)

struct shn_image_index {
    int fd;     /* -1 when read-only or in memory */
    int memory; /* 1: an index without a file (shn_image_index_new_memory) */
    char *path;
    /* records, parallel arrays */
    uint64_t (*hash)[4]; /* the 32 hash bytes as four words (memcpy) */
    uint32_t *owner;     /* owner number or SHN__IMAGE_DELETED */
    int64_t *time;
    uint8_t *quality;
    uint64_t *offset; /* of the record's frame in the file */
    size_t n, cap;
    /* owners and a string -> owner map (open addressing, number + 1) */
    struct shn__image_owner *owners;
    size_t nowners, owners_cap;
    uint32_t *slots;
    size_t nslots;
    /* SHN__IMAGE_TABLES x 2^bucket_bits */
    struct shn__image_bucket *buckets;
    unsigned bucket_bits;
    int postings_ready; /* 0 while a file loads: built once at the end */
    /* The posting lists built at load share one allocation (huge pages);
     * a list that outgrows its room there moves to its own allocation. */
    struct shn__image_posting *slab;
    size_t slab_len;
    /* what the load found */
    struct shn__image_damage *damage;
    size_t ndamage, damage_cap;
    struct shn__image_scrub *scrub; /* pending until a writer's open */
    size_t nscrub, scrub_cap;
    /* counts */
    size_t live, removed, damaged, torn, frames;
    uint64_t file_end;
};

/* index_mem.c: the index in memory, shared with the file code in index.c */
struct shn_image_index *shn__image_index_new(void); /* NULL when out of memory */
void shn__image_index_free(struct shn_image_index *idx);
/* 1 when owner[0..len) is 1..255 bytes of UTF-8 without control characters */
int shn__image_owner_valid(const char *owner, size_t len);
/* owner number, or -1 */
int shn__image_owner_find(const struct shn_image_index *idx, const char *owner, size_t len);
int shn__image_owner_intern(struct shn_image_index *idx, const char *owner, size_t len,
                            uint32_t *out);
/* Adds a record (to the tables too once they are built); all or nothing. */
int shn__image_insert_record(struct shn_image_index *idx, const uint8_t hash[32], int quality,
                             uint32_t owner, int64_t time, uint64_t offset);
void shn__image_pop_record(struct shn_image_index *idx); /* undoes the last insert */
/* Builds the tables for every live record, once, at the end of a load. */
int shn__image_build_postings(struct shn_image_index *idx);
/* Takes an owner's live records out of memory; returns how many. */
size_t shn__image_drop_owner(struct shn_image_index *idx, uint32_t owner);

/* index.c: loads a file's bytes into an empty index (name for messages). */
int shn__image_load(struct shn_image_index *idx, const uint8_t *data, size_t size, const char *name,
                    struct shn_diag *diag);

/* index_write.c: overwrites the pending scrubs (idx->scrub) in the file and
 * fsyncs; the writer's open calls it. */
int shn__image_complete_removals(struct shn_image_index *idx, struct shn_diag *diag);
/* pwrite of all of buf at offset (EINTR retried) */
int shn__image_write_all(int fd, const void *buf, size_t len, uint64_t offset);

static inline unsigned shn__image_chunk(const uint64_t h[4], unsigned t)
{
    return (unsigned)(h[t >> 2] >> (16 * (t & 3))) & 0xFFFFu;
}

static inline struct shn__image_bucket *shn__image_bucket(const struct shn_image_index *idx,
                                                          unsigned t, unsigned key)
{
    return &idx->buckets[((size_t)t << idx->bucket_bits) + (key & ((1u << idx->bucket_bits) - 1))];
}

static inline int shn__image_popcount4(const uint64_t a[4], const uint64_t b[4])
{
    return __builtin_popcountll(a[0] ^ b[0]) + __builtin_popcountll(a[1] ^ b[1]) +
           __builtin_popcountll(a[2] ^ b[2]) + __builtin_popcountll(a[3] ^ b[3]);
}

#endif
