/* Writing the index file: appends (add), removal (the right to be
 * forgotten) and the completion of removals a crash cut short.
 *
 * Removal appends a REMOVE frame and fsyncs it, then overwrites each of
 * the owner's ADD frames in place with a SCRUBBED frame of the same length
 * and fsyncs again. The REMOVE frame alone already removes the owner on
 * every later load; the scrub takes the hashes out of the file. A crash
 * between the two leaves ADD frames before a REMOVE of their owner, which
 * the load lists (idx->scrub) and the next writer's open overwrites. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "index_format.h"
#include "shinsa/core/alloc.h"

int shn__image_write_all(int fd, const void *buf, size_t len, uint64_t offset)
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
    if (!shn_size_mul(count, SHN__IMAGE_MAX_FRAME, &size))
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
        used += shn__image_encode_add(buf + used, r->pdq.bytes, r->quality, r->owner, olen, when);
    }
    if (idx->memory) {
        used = 0; /* nothing to write */
    } else if (shn__image_write_all(idx->fd, buf, used, idx->file_end) != SHN_OK) {
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
    uint8_t frame[SHN__IMAGE_MAX_FRAME];
    size_t len = shn__image_encode_remove(frame, owner, olen, (int64_t)time(NULL));
    int rc = SHN_OK;

    if (shn__image_write_all(idx->fd, frame, len, idx->file_end) != SHN_OK ||
        fdatasync(idx->fd) != 0) {
        rc = shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "cannot append: %s",
                          strerror(errno));
        (void)ftruncate(idx->fd, (off_t)idx->file_end); /* a torn tail at worst */
        goto out;
    }
    idx->file_end += len;
out:
    return rc;
}

/* Overwrites the frame at offset with a SCRUBBED frame of the same length. */
static int scrub_at(struct shn_image_index *idx, uint64_t offset, uint32_t payload_len)
{
    uint8_t frame[SHN__IMAGE_MAX_FRAME];
    size_t len = shn__image_encode_scrubbed(frame, payload_len);

    return shn__image_write_all(idx->fd, frame, len, offset);
}

/* Damaged frames (intact header, failing checksum) that still hold this
 * owner's id: their hash may be intact too, so they are scrubbed with the
 * owner's live records. Counts them, and with `scrub` overwrites them
 * (each once: one_frame is cleared). */
static int damaged_of(struct shn_image_index *idx, const char *owner, size_t olen, int scrub,
                      size_t *found)
{
    uint8_t frame[SHN__IMAGE_MAX_FRAME];
    const uint8_t *p = frame + SHN__IMAGE_FRAME_SIZE;
    size_t want = SHN__IMAGE_FRAME_SIZE + SHN__IMAGE_ADD_FIXED + olen;
    int rc = SHN_OK;

    *found = 0;
    for (size_t i = 0; i < idx->ndamage && rc == SHN_OK; i++) {
        struct shn__image_damage *d = &idx->damage[i];
        if (!d->one_frame || d->length != want ||
            pread(idx->fd, frame, want, (off_t)d->offset) != (ssize_t)want)
            continue;
        if (p[0] != SHN__IMAGE_TYPE_ADD || p[2] != olen ||
            memcmp(p + SHN__IMAGE_ADD_FIXED, owner, olen) != 0)
            continue;
        ++*found;
        if (scrub) {
            rc = scrub_at(idx, d->offset, (uint32_t)(want - SHN__IMAGE_FRAME_SIZE));
            d->one_frame = 0;
        }
    }
    return rc;
}

int shn__image_complete_removals(struct shn_image_index *idx, struct shn_diag *diag)
{
    int rc = SHN_OK;

    for (size_t i = 0; i < idx->nscrub && rc == SHN_OK; i++)
        rc = scrub_at(idx, idx->scrub[i].offset, idx->scrub[i].payload_len);
    if (rc == SHN_OK && fdatasync(idx->fd) != 0)
        rc = SHN_ERR_IO;
    if (rc != SHN_OK)
        return shn_diag_set(diag, rc, idx->path, 0, NULL,
                            "cannot complete an interrupted removal: %s", strerror(errno));
    idx->nscrub = 0;
    return SHN_OK;
}

int shn_image_index_remove(struct shn_image_index *idx, const char *owner, size_t *removed,
                           struct shn_diag *diag)
{
    size_t olen, count = 0, damaged = 0;
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
    (void)damaged_of(idx, owner, olen, 0, &damaged);
    if ((o < 0 || idx->owners[o].nrecs == 0) && damaged == 0)
        goto out; /* nothing to remove: not an error */
    /* 1. The removal record, durable before anything is overwritten. */
    rc = append_remove(idx, owner, olen, diag);
    if (rc != SHN_OK)
        goto out;
    /* 2. Scrub the hashes from the file. 3. Memory. The REMOVE record is on
     * disk, so the removal holds on reopen even if a scrub write failed. */
    if (o >= 0)
        for (uint32_t k = 0; k < idx->owners[o].nrecs && rc == SHN_OK; k++)
            rc = scrub_at(idx, idx->offset[idx->owners[o].recs[k]],
                          SHN__IMAGE_ADD_FIXED + (uint32_t)olen);
    if (rc == SHN_OK)
        rc = damaged_of(idx, owner, olen, 1, &damaged);
    if (rc == SHN_OK && fdatasync(idx->fd) != 0)
        rc = SHN_ERR_IO;
    if (rc != SHN_OK)
        shn_diag_set(diag, rc, idx->path, 0, NULL,
                     "cannot scrub (the removal itself is recorded): %s", strerror(errno));
    if (o >= 0)
        count = shn__image_drop_owner(idx, (uint32_t)o);
out:
    if (rc == SHN_OK || count > 0)
        *removed = count; /* the removal took effect */
    return rc;
}
