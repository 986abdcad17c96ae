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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"

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
            shn__image_owner_valid((const char *)p + ADD_FIXED, p[2]) &&
            (p[1] <= 100 || p[1] == 255)) {
            uint32_t owner;
            rc = shn__image_owner_intern(idx, (const char *)p + ADD_FIXED, p[2], &owner);
            if (rc == SHN_OK)
                rc = shn__image_insert_record(idx, p + 12, p[1], owner, (int64_t)get64(p + 4), pos);
            if (rc != SHN_OK) {
                shn_diag_set(diag, rc, name, 0, NULL, "cannot load the index: %s",
                             shn_strerror(rc));
                goto out;
            }
        } else if (p[0] == TYPE_REMOVE && len == REMOVE_FIXED + (uint32_t)p[2] && p[2] > 0) {
            int o = shn__image_owner_find(idx, (const char *)p + REMOVE_FIXED, p[2]);
            if (o >= 0)
                shn__image_drop_owner(idx, (uint32_t)o);
        } else if (p[0] == TYPE_SCRUBBED) {
            idx->removed++;
        } else {
            idx->damaged++; /* a checksummed frame we do not understand */
        }
        pos += FRAME_SIZE + len;
    }
    idx->torn = size - pos;
    idx->file_end = pos;
    rc = shn__image_build_postings(idx);
    if (rc != SHN_OK)
        shn_diag_set(diag, rc, name, 0, NULL, "cannot load the index: %s", shn_strerror(rc));
out:
    return rc;
}

int shn_image_index_open_memory(const void *data, size_t len, struct shn_image_index **out,
                                struct shn_diag *diag)
{
    struct shn_image_index *idx = shn__image_index_new();
    int rc;

    if (!idx)
        return shn_diag_set(diag, SHN_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    rc = load(idx, data, len, NULL, diag);
    if (rc != SHN_OK) {
        shn__image_index_free(idx);
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

/* True for a file shorter than a header whose bytes are a prefix of ours
 * or zeros (what a crash while creating the file leaves). */
static int header_was_torn(int fd, off_t size)
{
    uint8_t head[HEADER_SIZE];
    ssize_t got = size > 0 ? pread(fd, head, (size_t)size, 0) : 0;
    int zeros = 1;

    if (got != (ssize_t)size)
        return 0;
    for (ssize_t i = 0; i < got; i++)
        zeros &= head[i] == 0;
    return zeros || memcmp(head, "SHNPDQX1", (size_t)(got < 8 ? got : 8)) == 0;
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
    fd = open(path,
              mode == SHN_IMAGE_INDEX_WRITE ? O_RDWR | O_CREAT | O_CLOEXEC : O_RDONLY | O_CLOEXEC,
              0644);
    if (fd < 0)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot open index: %s",
                            strerror(errno));
    /* One writer at a time; readers take a shared lock so that they never
     * read while a removal scrubs. */
    if (flock(fd, mode == SHN_IMAGE_INDEX_WRITE ? LOCK_EX : LOCK_SH) != 0 || fstat(fd, &st) != 0) {
        rc =
            shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot lock index: %s", strerror(errno));
        goto out;
    }
    if (mode == SHN_IMAGE_INDEX_WRITE && st.st_size < HEADER_SIZE &&
        header_was_torn(fd, st.st_size)) {
        /* Empty, or a creation that crashed inside the header: no record
         * can exist yet, so the header is (re)written. */
        rc = ftruncate(fd, 0) == 0 ? create_header(fd) : SHN_ERR_IO;
        if (rc != SHN_OK) {
            shn_diag_set(diag, rc, path, 0, NULL, "cannot write index header: %s", strerror(errno));
            goto out;
        }
    }
    idx = shn__image_index_new();
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
    shn__image_index_free(idx);
    return rc;
}

int shn_image_index_sync(struct shn_image_index *idx, struct shn_diag *diag)
{
    if (idx && idx->fd >= 0 && fdatasync(idx->fd) != 0)
        return shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "fsync failed: %s",
                            strerror(errno));
    return SHN_OK;
}

int shn_image_index_new_memory(struct shn_image_index **out)
{
    struct shn_image_index *idx;
    int rc;
    if (!out)
        return SHN_ERR_INVALID;
    if (!(idx = shn__image_index_new()))
        return SHN_ERR_NOMEM;
    idx->memory = 1;
    rc = shn__image_build_postings(idx);
    if (rc != SHN_OK) {
        shn__image_index_free(idx);
        return rc;
    }
    *out = idx;
    return SHN_OK;
}

int shn_image_index_close(struct shn_image_index *idx)
{
    int rc = SHN_OK;
    if (!idx)
        return SHN_OK;
    rc = shn_image_index_sync(idx, NULL);
    shn__image_index_free(idx);
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
    if (idx->fd < 0 && !idx->memory)
        return shn_diag_set(diag, SHN_ERR_INVALID, idx->path, 0, NULL, "index is read-only");
    for (size_t i = 0; i < count; i++) {
        const char *o = recs[i].owner;
        if (!o || !shn__image_owner_valid(o, strnlen(o, SHN_IMAGE_OWNER_MAX + 1)))
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
        rc = shn__image_owner_intern(idx, r->owner, olen, &owner);
        if (rc == SHN_OK)
            rc = shn__image_insert_record(idx, r->pdq.bytes, r->quality, owner, when,
                                          idx->file_end + used);
        if (rc != SHN_OK) {
            shn_diag_set(diag, rc, idx->path, 0, NULL, "cannot add: %s", shn_strerror(rc));
            goto out;
        }
        used += encode_add(buf + used, r, olen, when);
    }
    if (idx->memory) {
        used = 0; /* nothing to write */
    } else if (write_all(idx->fd, buf, used, idx->file_end) != SHN_OK) {
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
            shn__image_pop_record(idx);
    shn_free(buf);
    return rc;
}

/* Appends a REMOVE frame for the owner and makes it durable. */
static int append_remove(struct shn_image_index *idx, const char *owner, size_t olen,
                         struct shn_diag *diag)
{
    uint8_t frame[FRAME_SIZE + MAX_PAYLOAD] = {0};
    uint8_t *p = frame + FRAME_SIZE;
    size_t len = REMOVE_FIXED + olen;
    int rc = SHN_OK;

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
        (void)ftruncate(idx->fd, (off_t)idx->file_end); /* a torn tail at worst */
        goto out;
    }
    idx->file_end += FRAME_SIZE + len;
out:
    return rc;
}

/* Overwrites the owner's ADD frames with SCRUBBED frames of the same length. */
static int scrub_owner(struct shn_image_index *idx, const struct shn__image_owner *ow,
                       struct shn_diag *diag)
{
    uint8_t frame[FRAME_SIZE + MAX_PAYLOAD] = {0};
    uint8_t *p = frame + FRAME_SIZE;
    size_t len = ADD_FIXED + ow->id_len;
    int rc = SHN_OK;

    p[0] = TYPE_SCRUBBED;
    put32(frame, FRAME_MAGIC << 24 | (uint32_t)len);
    put32(frame + 4, shn_crc32(0, p, len));
    for (uint32_t k = 0; k < ow->nrecs && rc == SHN_OK; k++)
        if (write_all(idx->fd, frame, FRAME_SIZE + len, idx->offset[ow->recs[k]]) != SHN_OK)
            rc = shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL,
                              "cannot scrub (the removal itself is recorded): %s", strerror(errno));
    if (rc == SHN_OK && fdatasync(idx->fd) != 0)
        rc =
            shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "fsync failed: %s", strerror(errno));
    return rc;
}

int shn_image_index_remove(struct shn_image_index *idx, const char *owner, size_t *removed,
                           struct shn_diag *diag)
{
    size_t olen, count = 0;
    int o, rc = SHN_OK;

    if (!idx || !owner || !removed)
        return SHN_ERR_INVALID;
    if (idx->fd < 0) {
        rc = shn_diag_set(diag, SHN_ERR_INVALID, idx->path, 0, NULL, "index is read-only");
        goto out;
    }
    olen = strnlen(owner, SHN_IMAGE_OWNER_MAX + 1);
    if (!shn__image_owner_valid(owner, olen)) {
        rc = shn_diag_set(diag, SHN_ERR_INVALID, idx->path, 0, "owner", "bad owner id");
        goto out;
    }
    o = shn__image_owner_find(idx, owner, olen);
    if (o < 0 || idx->owners[o].nrecs == 0)
        goto out; /* nothing to remove: not an error */
    /* 1. The removal record, durable before anything is overwritten. */
    rc = append_remove(idx, owner, olen, diag);
    if (rc != SHN_OK)
        goto out;
    /* 2. Scrub the hashes from the file. 3. Memory. The REMOVE record is on
     * disk, so the removal holds on reopen even if a scrub write failed. */
    rc = scrub_owner(idx, &idx->owners[o], diag);
    count = shn__image_drop_owner(idx, (uint32_t)o);
out:
    if (rc == SHN_OK || count > 0)
        *removed = count; /* the removal took effect */
    return rc;
}
