/* The image engine: PDQ perceptual hashes of identity-document images and a
 * near-duplicate index of them (the "same ID image on several accounts" sign).
 *
 * Three parts, each usable alone:
 *   - decoding: JPEG (libjpeg-turbo), PNG (libpng), WebP (libwebp), with the
 *     EXIF orientation (libexif), bounded in file size and pixel count, the
 *     bounds checked before any pixel buffer is allocated;
 *   - PDQ: Meta's 256-bit perceptual hash and its quality score, bit-exact
 *     with the reference C++ hasher for the same pixel array;
 *   - the index: an append-only file of (hash, quality, owner, time) records
 *     with an in-memory multi-index-hashing table, exact for any distance.
 *
 * Privacy: image bytes are never written anywhere or logged; only hashes,
 * quality, owner ids and times are stored.
 *
 * Errors follow src/core/err.h: an enum shn_err, out-parameters untouched on
 * failure, details in an optional struct shn_diag. */
#ifndef SHN_IMAGE_IMAGE_H
#define SHN_IMAGE_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/err.h"

struct shn_buf;

/* ---------------------------------------------------------------- hashes */

#define SHN_PDQ_BYTES 32
#define SHN_PDQ_HEX_LEN 64
#define SHN_PDQ_MATCH_DISTANCE 31 /* the PDQ guidance for "same image" */
#define SHN_PDQ_MIN_QUALITY 50    /* below this a hash is unreliable */

/* A PDQ hash as the reference prints it, read as a 256-bit big-endian
 * number: bytes[0] holds the first two hex digits. Bit k = 16*i + j (DCT
 * coefficient row i, column j above the median) is bit (k & 7) of
 * bytes[31 - k / 8]. */
struct shn_pdq {
    uint8_t bytes[SHN_PDQ_BYTES];
};

/* The eight dihedral forms, in the reference tool's order and meaning. */
enum shn_pdq_dihedral {
    SHN_PDQ_ORIG = 0,
    SHN_PDQ_ROT90, /* rotated 90 degrees counter-clockwise */
    SHN_PDQ_ROT180,
    SHN_PDQ_ROT270, /* rotated 90 degrees clockwise */
    SHN_PDQ_FLIPX,  /* mirrored about the x axis (upside down) */
    SHN_PDQ_FLIPY,  /* mirrored about the y axis (left-right) */
    SHN_PDQ_FLIPP,  /* transposed (about the main diagonal) */
    SHN_PDQ_FLIPM,  /* transposed about the anti-diagonal */
    SHN_PDQ_DIHEDRAL_COUNT
};

/* The reference's label for a dihedral form ("orig", "rot90", ...). */
const char *shn_image_dihedral_name(enum shn_pdq_dihedral d);

/* Hamming distance, 0..256. */
int shn_image_pdq_distance(const struct shn_pdq *a, const struct shn_pdq *b);

/* 64 lowercase hex digits and a NUL into out[65]. */
void shn_image_pdq_to_hex(const struct shn_pdq *h, char out[SHN_PDQ_HEX_LEN + 1]);

/* Parses exactly 64 hex digits (either case). SHN_ERR_PARSE otherwise. */
int shn_image_pdq_from_hex(const char *hex, size_t len, struct shn_pdq *out);

/* ---------------------------------------------------------------- decoding */

/* Bounds and choices for decoding. Zeroed fields take the defaults below. */
struct shn_image_options {
    size_t max_file_bytes; /* default 64 MiB */
    uint64_t max_pixels;   /* width * height of the stored image; default 100 M */
    uint32_t max_side;     /* default 30000 */
    /* 0 (default): JPEGs are decoded by libjpeg-turbo straight to a reduced
     * size (DCT scaling, luma only), which PDQ's 64x64 downsampling does not
     * miss; the hash stays within a few bits of the reference.
     * 1: full-size RGB decoding exactly as the reference tool does it. */
    int exact;
};

#define SHN_IMAGE_DEFAULT_MAX_FILE_BYTES ((size_t)64 << 20)
#define SHN_IMAGE_DEFAULT_MAX_PIXELS ((uint64_t)100000000)
#define SHN_IMAGE_DEFAULT_MAX_SIDE 30000u

/* A decoded image. Caller-owned struct; pixels owned by it. */
struct shn_image {
    uint32_t width, height; /* of `pixels` (may be reduced, see source_*) */
    unsigned channels;      /* 1 = grey, 3 = RGB; alpha is composited on white */
    size_t stride;          /* bytes per row */
    uint8_t *pixels;
    uint32_t source_width, source_height; /* as stored in the file */
    unsigned orientation; /* EXIF orientation 1..8 (1 when absent); not yet applied */
    const char *format;   /* static: "jpeg", "png" or "webp" */
};

/* Decodes an image held in memory; the format is told by its first bytes,
 * never by a file name. `reduce_to` > 0 lets a decoder that can (JPEG) skip
 * resolution while keeping both sides >= reduce_to; 0 decodes full size.
 * On success *out owns new pixels (free with shn_image_cleanup). Errors:
 * SHN_ERR_UNSUPPORTED (not JPEG/PNG/WebP), SHN_ERR_TOO_LARGE (a bound),
 * SHN_ERR_PARSE (malformed or truncated), SHN_ERR_NOMEM. `diag` may be NULL;
 * its file is `name` (may be NULL). */
int shn_image_decode(const void *data, size_t len, const struct shn_image_options *opts,
                     uint32_t reduce_to, const char *name, struct shn_image *out,
                     struct shn_diag *diag);

/* Applies img->orientation to the pixels (then orientation = 1). */
int shn_image_orient(struct shn_image *img);

void shn_image_cleanup(struct shn_image *img); /* safe on a zeroed struct */

/* ---------------------------------------------------------------- PDQ */

struct shn_image_hash {
    struct shn_pdq pdq;     /* of the image as displayed (EXIF orientation applied) */
    int quality;            /* 0..100 */
    uint32_t width, height; /* as displayed, before any resizing */
    unsigned orientation;   /* the EXIF orientation that was applied */
    /* The eight dihedral hashes of the pixels as stored in the file (before
     * orientation), as the reference's --pdqdih-across prints them. */
    struct shn_pdq dihedral[SHN_PDQ_DIHEDRAL_COUNT];
};

/* PDQ of a pixel array exactly as the reference hasher core takes it: no
 * resizing. channels 1 (grey) or 3 (RGB); stride in bytes. width/height of
 * the result are the array's; orientation 1. Images with a side under 5
 * pixels hash to all zeros with quality 0, as in the reference. Errors:
 * SHN_ERR_INVALID, SHN_ERR_TOO_LARGE, SHN_ERR_NOMEM. */
int shn_image_hash_pixels(const uint8_t *pixels, uint32_t width, uint32_t height, unsigned channels,
                          size_t stride, struct shn_image_hash *out);

/* Decodes and hashes an image in memory, following the reference tool's
 * pre-processing (images with a side over 512 are squashed to 512x512 by
 * nearest neighbour) and then applying the EXIF orientation. */
int shn_image_hash_memory(const void *data, size_t len, const struct shn_image_options *opts,
                          const char *name, struct shn_image_hash *out, struct shn_diag *diag);

/* The same for a file (read with the max_file_bytes bound checked first). */
int shn_image_hash_file(const char *path, const struct shn_image_options *opts,
                        struct shn_image_hash *out, struct shn_diag *diag);

/* ---------------------------------------------------------------- index */

#define SHN_IMAGE_OWNER_MAX 255 /* bytes of an owner id */
#define SHN_IMAGE_QUALITY_UNKNOWN 255

struct shn_image_index; /* opaque */

enum shn_image_index_mode {
    SHN_IMAGE_INDEX_READ = 0,  /* read-only; the file must exist */
    SHN_IMAGE_INDEX_WRITE = 1, /* read-write, exclusive lock; created when absent */
};

/* Opens (or creates) an index file and loads it into memory. Only a regular
 * file is opened (a FIFO, device or folder is refused without blocking);
 * a new file is created with core's mode (shn_file_create_mode: 0600
 * whatever the umask, unless shared with the group). READ takes a
 * shared lock, WRITE an exclusive one; both wait for the lock (flock).
 *
 * Recovery, on every open: a torn last append (a crash mid-write) is
 * ignored; a damaged record (a failing checksum, a broken frame header) is
 * skipped up to the next good record, counted (damaged_records) and listed
 * (shn_image_index_damage). A WRITE open also cuts the torn append off and
 * completes a removal a crash cut short (an owner's hashes still in the
 * file after its removal record are overwritten and fsynced).
 * Errors: SHN_ERR_IO (cannot open, not a regular file), SHN_ERR_FORMAT (not
 * an index file, unknown version), SHN_ERR_CORRUPT (the file's own header
 * fails its checksum), SHN_ERR_NOMEM, SHN_ERR_TOO_LARGE. On success the
 * caller frees *out with shn_image_index_close. */
int shn_image_index_open(const char *path, enum shn_image_index_mode mode,
                         struct shn_image_index **out, struct shn_diag *diag);

/* Loads an index from bytes (read-only, no file): the fuzzing entry point. */
int shn_image_index_open_memory(const void *data, size_t len, struct shn_image_index **out,
                                struct shn_diag *diag);

/* A writable index in memory only: add works, nothing is written anywhere
 * (remove is refused). For runs that index the hashes they have just read,
 * such as the accounts scorer; freed with shn_image_index_close. */
int shn_image_index_new_memory(struct shn_image_index **out);

/* Closes (fsyncs a writable index first) and frees. NULL is a no-op. */
int shn_image_index_close(struct shn_image_index *idx);

/* One record to add. time 0 means now. */
struct shn_image_record {
    struct shn_pdq pdq;
    int quality;       /* 0..100, or SHN_IMAGE_QUALITY_UNKNOWN */
    const char *owner; /* 1..SHN_IMAGE_OWNER_MAX bytes of UTF-8, no control characters */
    int64_t time;      /* seconds since the epoch */
};

/* Appends records to the file (one write) and to the in-memory table: when
 * this returns SHN_OK they are matchable. Nothing is added on error. Errors:
 * SHN_ERR_INVALID (bad owner or quality; read-only index), SHN_ERR_IO,
 * SHN_ERR_NOMEM, SHN_ERR_TOO_LARGE (past SHN_IMAGE_INDEX_MAX). */
int shn_image_index_add(struct shn_image_index *idx, const struct shn_image_record *recs,
                        size_t count, struct shn_diag *diag);

#define SHN_IMAGE_INDEX_MAX ((size_t)1 << 31)

/* Removes every hash of an owner: appends a removal record (fsynced), then
 * overwrites the owner's hash records in the file with zeros, so the hashes
 * are gone from disk as well as from memory. *removed gets the count (0 when
 * the owner is unknown, which is not an error). Errors: SHN_ERR_INVALID (bad
 * owner, read-only index), SHN_ERR_IO. If the removal record was written but
 * overwriting failed, the removal holds (in memory and on reopen): *removed
 * is set and SHN_ERR_IO returned, as the old bytes may still be on disk
 * until the next WRITE open overwrites them. Damaged records that still
 * carry the owner's id are overwritten too. */
int shn_image_index_remove(struct shn_image_index *idx, const char *owner, size_t *removed,
                           struct shn_diag *diag);

/* Forces appended records to stable storage. */
int shn_image_index_sync(struct shn_image_index *idx, struct shn_diag *diag);

struct shn_image_match {
    const char *owner; /* points into the index; valid until it changes or closes */
    int distance;
    int quality;
    int64_t time;
    uint32_t record; /* record number, stable while the index is open */
};

enum {
    SHN_IMAGE_QUERY_BEST_PER_OWNER = 1, /* one match per owner, its nearest hash */
    SHN_IMAGE_QUERY_BRUTE_FORCE = 2,    /* linear popcount scan (the oracle) */
};

/* Every live hash within max_distance (0..256) of `q`, sorted by distance,
 * then owner, then record. *matches is new memory (shn_free) of *count
 * entries (NULL when 0). Read-only: queries may run in parallel threads as
 * long as no add/remove runs at the same time. */
int shn_image_index_query(const struct shn_image_index *idx, const struct shn_pdq *q,
                          int max_distance, unsigned flags, struct shn_image_match **matches,
                          size_t *count);

/* Every live hash within max_distance of any of the nq hashes in qs, each
 * record once at its smallest distance; sorted and owned as above. With the
 * eight dihedral forms of an image (struct shn_image_hash.dihedral) this
 * also finds rotated and mirrored copies. */
int shn_image_index_query_many(const struct shn_image_index *idx, const struct shn_pdq *qs,
                               size_t nq, int max_distance, unsigned flags,
                               struct shn_image_match **matches, size_t *count);

/* The same with caller-owned storage for speed: fills at most `cap` matches
 * (unsorted) and returns the total number found in *found. */
int shn_image_index_query_into(const struct shn_image_index *idx, const struct shn_pdq *q,
                               int max_distance, unsigned flags, struct shn_image_match *matches,
                               size_t cap, size_t *found);

struct shn_image_index_stats {
    size_t hashes;          /* live hashes */
    size_t owners;          /* owners with at least one live hash */
    size_t removed;         /* hashes removed since the file was created */
    size_t damaged_records; /* damaged spans skipped: a failing checksum, a broken frame
                               header, a record not understood (not the torn tail) */
    size_t torn_bytes;      /* bytes of a torn last append, ignored */
    uint64_t file_bytes;    /* valid bytes of the file */
    size_t records;         /* intact records (add, remove, scrubbed) in the file */
    size_t unscrubbed;      /* hashes of removed owners still in the file (a removal
                               cut short); a WRITE open overwrites them */
};

void shn_image_index_stats(const struct shn_image_index *idx, struct shn_image_index_stats *out);

/* A damaged span of the file, skipped at load. */
struct shn_image_index_damage {
    uint64_t offset; /* from the start of the file */
    uint64_t length; /* bytes skipped */
};

/* The i-th damaged span found when the index was loaded, in file order
 * (the first 65,536 are listed; damaged_records counts them all).
 * SHN_ERR_NOT_FOUND past the end. */
int shn_image_index_damage(const struct shn_image_index *idx, size_t i,
                           struct shn_image_index_damage *out);

/* Rewrites the index at `path` with every intact record and nothing else:
 * damaged spans and a torn tail are dropped, removals are completed, the
 * order, times and the removal records are kept. Under the index's
 * exclusive lock, through core's safe writer (shn_file_out_*: a new
 * temporary in the same folder, O_EXCL, 0600), loaded back and compared,
 * then fsynced, renamed over the index (a symlink is followed: its target
 * is replaced), folder fsynced. Nothing is rewritten when nothing is
 * damaged (*rewritten = 0; the open itself cuts a torn tail and completes
 * removals). `before` (may be NULL) gets the stats once that open has
 * recovered, `after` (may be NULL) those of the new file. Errors: those of
 * shn_image_index_open, SHN_ERR_IO when the new file cannot be written and
 * SHN_ERR_CORRUPT when it does not load back as a copy (in both cases the
 * index is untouched and the temporary file removed). */
int shn_image_index_repair(const char *path, struct shn_image_index_stats *before,
                           struct shn_image_index_stats *after, int *rewritten,
                           struct shn_diag *diag);

/* ---------------------------------------------------------------- output */

/* What `shinsa image` prints, for the command line and the service alike
 * (docs/image.md, "Output"). Each function appends whole lines, with their
 * newline, to `out`: text, or with `json` one JSON object a line. Errors are
 * those of `out` (SHN_ERR_TOO_LARGE past its cap, SHN_ERR_NOMEM); what was
 * appended before the error stays. */

/* An image's hash: "HEX QUALITY WxH FILE", or {"file", "pdq", "quality",
 * "width", "height"}. */
int shn_image_hash_format(const char *file, const struct shn_image_hash *h, bool json,
                          struct shn_buf *out);

/* A file that could not be hashed, matched or added, in a JSON stream:
 * {"file", "error"} (text output says it on stderr only). */
int shn_image_error_json(const char *file, const char *message, struct shn_buf *out);

/* The matches of one query hash `q` (of `file`, or NULL for a hash given as
 * such): "FILE HEX: N matches" then "  DIST  OWNER" a match, or {"file"
 * (when not NULL), "pdq", "matches": [{"owner", "distance"}]}. */
int shn_image_matches_format(const char *file, const struct shn_pdq *q,
                             const struct shn_image_match *m, size_t n, bool json,
                             struct shn_buf *out);

/* A record added (of `file`, or NULL): "added HEX FILE", or {"file",
 * "pdq", "quality" (null when unknown), "owner", "added": true}. */
int shn_image_added_format(const char *file, const struct shn_image_record *r, bool json,
                           struct shn_buf *out);

/* "removed N hashes of OWNER", or {"owner", "removed"}. */
int shn_image_removed_format(const char *owner, size_t removed, bool json, struct shn_buf *out);

/* The counts of the index at `path`: "index PATH: N hashes, ...", or
 * {"index", "hashes", "owners", "removed", "damaged_records", "torn_bytes",
 * "file_bytes"}. */
int shn_image_index_stats_format(const char *path, const struct shn_image_index_stats *s, bool json,
                                 struct shn_buf *out);

/* Logs (shn_log, warning level) the damage the open of `path` skipped and
 * the hashes a cut-short removal left: a damaged index never goes
 * unnoticed, while the results stay as they are. */
void shn_image_index_warn_damage(const struct shn_image_index *idx, const char *path);

/* `shinsa image check`: opens the index at `path` read-only and appends
 * its report to `out` (text: the counts and a line per damaged span; JSON:
 * {"index", "intact_records", "hashes", "removed", "damaged_records",
 * "damaged": [{"offset", "bytes"}], "torn_bytes", "unscrubbed",
 * "file_bytes", "repaired", "after"}); with `repair` and any damage, torn
 * bytes or unscrubbed hashes, repairs it (shn_image_index_repair) and says
 * how. *sound (may be NULL) is set on success: true when the index had no
 * problem or was repaired. Errors: those of the open (nothing appended) and
 * of the repair (the report is appended, "repaired": false), with `diag`;
 * out's own. */
int shn_image_index_check(const char *path, bool repair, bool json, struct shn_buf *out,
                          bool *sound, struct shn_diag *diag);

#endif
