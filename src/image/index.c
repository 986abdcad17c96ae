/* The hash index file: opening, locking and loading it (the format is in
 * index_format.h; add and remove are in index_write.c, check and repair in
 * index_check.c).
 *
 * Crash safety: an append is one write at the end of the valid data. A
 * crash can leave a partial frame or a frame whose bytes never reached the
 * disk; on open, a last frame that runs past the end or fails its checksum,
 * or a tail of zeros, is a torn append: ignored, and cut off by the next
 * writer. Damage elsewhere (a flipped bit) skips the bytes up to the next
 * good frame (index_frame.c) and is counted and listed, never fatal; only a
 * damaged file header is. Removal appends REMOVE (fsynced) before scrubbing
 * the owner's ADD frames in place; an ADD frame still present before a
 * REMOVE of its owner is a removal cut short, which the next writer's open
 * completes. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "index_format.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"

/* Opens against a path that a repair keeps replacing give up after this. */
#define OPEN_TRIES 16

/* ---------------------------------------------------------------- loading */

static int note_damage(struct shn_image_index *idx, const struct shn__image_span *s)
{
    idx->damaged++;
    if (idx->ndamage == SHN__IMAGE_DAMAGE_LIST_MAX)
        return SHN_OK; /* counted, not listed */
    if (shn_grow((void **)&idx->damage, &idx->damage_cap, idx->ndamage + 1, sizeof *idx->damage) !=
        SHN_OK)
        return SHN_ERR_NOMEM;
    idx->damage[idx->ndamage].offset = s->offset;
    idx->damage[idx->ndamage].length = s->length;
    idx->damage[idx->ndamage].one_frame = s->kind == SHN__IMAGE_SPAN_DAMAGED && s->one_frame;
    idx->ndamage++;
    return SHN_OK;
}

static int push_scrub(struct shn_image_index *idx, uint64_t offset, uint32_t payload_len)
{
    if (shn_grow((void **)&idx->scrub, &idx->scrub_cap, idx->nscrub + 1, sizeof *idx->scrub) !=
        SHN_OK)
        return SHN_ERR_NOMEM;
    idx->scrub[idx->nscrub].offset = offset;
    idx->scrub[idx->nscrub].payload_len = payload_len;
    idx->nscrub++;
    return SHN_OK;
}

/* A REMOVE frame: the owner's live records leave memory. Any of them still
 * here was never scrubbed (a removal cut short): listed for the writer. */
static int apply_remove(struct shn_image_index *idx, const uint8_t *p, uint64_t offset)
{
    uint32_t o;
    int rc = shn__image_owner_intern(idx, (const char *)p + SHN__IMAGE_REMOVE_FIXED, p[2], &o);

    for (uint32_t k = 0; rc == SHN_OK && k < idx->owners[o].nrecs; k++)
        rc = push_scrub(idx, idx->offset[idx->owners[o].recs[k]],
                        SHN__IMAGE_ADD_FIXED + idx->owners[o].id_len);
    if (rc == SHN_OK) {
        shn__image_drop_owner(idx, o);
        idx->owners[o].removed_at = offset + 1;
    }
    return rc;
}

/* Damaged frames that may still hold a removed owner's hash: a scrub torn
 * by a crash, or a damaged ADD of an owner removed after it. Listed for the
 * writer's open to overwrite. */
static int scrub_damaged_of_removed(struct shn_image_index *idx, const uint8_t *data)
{
    int rc = SHN_OK;

    for (size_t i = 0; i < idx->ndamage && rc == SHN_OK; i++) {
        const struct shn__image_damage *d = &idx->damage[i];
        const uint8_t *p = data + d->offset + SHN__IMAGE_FRAME_SIZE;
        uint32_t len = (uint32_t)(d->length - SHN__IMAGE_FRAME_SIZE);
        int o;

        if (!d->one_frame)
            continue;
        if (shn__image_payload_torn_scrub(p, len)) {
            rc = push_scrub(idx, d->offset, len);
            continue;
        }
        if (p[0] != SHN__IMAGE_TYPE_ADD || len != SHN__IMAGE_ADD_FIXED + (uint32_t)p[2] ||
            !shn__image_owner_valid((const char *)p + SHN__IMAGE_ADD_FIXED, p[2]))
            continue;
        o = shn__image_owner_find(idx, (const char *)p + SHN__IMAGE_ADD_FIXED, p[2]);
        if (o >= 0 && idx->owners[o].removed_at > d->offset)
            rc = push_scrub(idx, d->offset, len);
    }
    return rc;
}

static int apply_frame(struct shn_image_index *idx, const struct shn__image_span *s)
{
    const uint8_t *p = s->payload;
    uint32_t owner;
    int rc = SHN_OK;

    switch (shn__image_payload_kind(p, s->payload_len)) {
    case SHN__IMAGE_TYPE_ADD:
        rc = shn__image_owner_intern(idx, (const char *)p + SHN__IMAGE_ADD_FIXED, p[2], &owner);
        if (rc == SHN_OK)
            rc = shn__image_insert_record(idx, p + 12, p[1], owner,
                                          (int64_t)shn__image_get64(p + 4), s->offset);
        break;
    case SHN__IMAGE_TYPE_REMOVE:
        rc = apply_remove(idx, p, s->offset);
        break;
    case SHN__IMAGE_TYPE_SCRUBBED:
        idx->removed++;
        break;
    default:
        return note_damage(idx, s); /* a checksummed frame we do not understand */
    }
    idx->frames++;
    return rc;
}

int shn__image_load(struct shn_image_index *idx, const uint8_t *data, size_t size, const char *name,
                    struct shn_diag *diag)
{
    struct shn__image_walk w;
    struct shn__image_span s;
    int rc = SHN_OK;

    if (size < SHN__IMAGE_HEADER_SIZE || memcmp(data, "SHNPDQX1", 8) != 0)
        return shn_diag_set(diag, SHN_ERR_FORMAT, name, 0, NULL, "not a shinsa image index");
    if (shn__image_get32(data + 28) != shn_crc32(0, data, 28))
        return shn_diag_set(diag, SHN_ERR_CORRUPT, name, 0, NULL,
                            "index header checksum fails (the file's own header is damaged)");
    if (shn__image_get32(data + 8) != 1 || shn__image_get32(data + 12) != SHN__IMAGE_HEADER_SIZE)
        return shn_diag_set(diag, SHN_ERR_FORMAT, name, 0, NULL,
                            "index version %u is not supported", shn__image_get32(data + 8));
    shn__image_walk_init(&w, data, size);
    for (shn__image_walk_next(&w, &s); rc == SHN_OK && s.kind != SHN__IMAGE_SPAN_END;
         shn__image_walk_next(&w, &s)) {
        if (s.kind == SHN__IMAGE_SPAN_TORN)
            idx->torn = s.length;
        else if (s.kind == SHN__IMAGE_SPAN_DAMAGED)
            rc = note_damage(idx, &s);
        else
            rc = apply_frame(idx, &s);
    }
    idx->file_end = size - idx->torn;
    if (rc == SHN_OK)
        rc = scrub_damaged_of_removed(idx, data);
    if (rc == SHN_OK)
        rc = shn__image_build_postings(idx);
    if (rc != SHN_OK)
        shn_diag_set(diag, rc, name, 0, NULL, "cannot load the index: %s", shn_strerror(rc));
    return rc;
}

int shn_image_index_open_memory(const void *data, size_t len, struct shn_image_index **out,
                                struct shn_diag *diag)
{
    struct shn_image_index *idx = shn__image_index_new();
    int rc;

    if (!idx)
        return shn_diag_set(diag, SHN_ERR_NOMEM, NULL, 0, NULL, "out of memory");
    rc = shn__image_load(idx, data, len, NULL, diag);
    if (rc != SHN_OK) {
        shn__image_index_free(idx);
        return rc;
    }
    *out = idx;
    return SHN_OK;
}

/* ---------------------------------------------------------------- files */

/* Opens the index file and takes its lock. Only a regular file is taken:
 * the open does not block (O_NONBLOCK, so a FIFO without a writer cannot
 * hang it) and the type is checked on the descriptor before anything is
 * read. The lock is taken on the file the path names once we hold it: a
 * repair renames a new file over the path while others wait for the old
 * one's lock (the lock is on the index itself, not core's PATH.lock: the
 * file is appended to in place, and readers share it). New files get
 * core's mode, 0600 whatever the umask (see create_header). The type check
 * is core's shn_file_open_input's, which only opens for reading. */
static int open_locked(const char *path, int write, int *fd_out, struct stat *st,
                       struct shn_diag *diag)
{
    int fd = -1, flags, rc = SHN_OK;
    struct stat now;

    for (int tries = 0; tries < OPEN_TRIES; tries++) {
        fd = open(path, (write ? O_RDWR | O_CREAT : O_RDONLY) | O_NONBLOCK | O_NOCTTY | O_CLOEXEC,
                  (mode_t)shn_file_create_mode());
        if (fd < 0)
            return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot open index: %s",
                                strerror(errno));
        if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
            rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "not a regular file");
            goto out;
        }
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
            rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "fcntl: %s", strerror(errno));
            goto out;
        }
        /* One writer at a time; readers take a shared lock so that they
         * never read while a removal scrubs. Both wait for the lock. */
        while ((rc = flock(fd, write ? LOCK_EX : LOCK_SH)) != 0 && errno == EINTR)
            ;
        if (rc != 0 || fstat(fd, st) != 0) {
            rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot lock index: %s",
                              strerror(errno));
            goto out;
        }
        if (stat(path, &now) == 0 && now.st_dev == st->st_dev && now.st_ino == st->st_ino) {
            *fd_out = fd;
            return SHN_OK;
        }
        close(fd); /* replaced while we waited: open what the path names now */
        fd = -1;
    }
    rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "the index keeps being replaced");
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

/* True for a file shorter than a header whose bytes are a prefix of ours
 * or zeros (what a crash while creating the file leaves). */
static int header_was_torn(int fd, off_t size)
{
    uint8_t head[SHN__IMAGE_HEADER_SIZE];
    ssize_t got = size > 0 ? pread(fd, head, (size_t)size, 0) : 0;
    int zeros = 1;

    if (got != (ssize_t)size)
        return 0;
    for (ssize_t i = 0; i < got; i++)
        zeros &= head[i] == 0;
    return zeros || memcmp(head, "SHNPDQX1", (size_t)(got < 8 ? got : 8)) == 0;
}

/* Writes the header of a new (empty) file. The file is ours from here on:
 * core's mode (0600, or 0640 when shared with the group), whatever the
 * umask left of the mode it was created with. */
static int create_header(int fd)
{
    uint8_t h[SHN__IMAGE_HEADER_SIZE];

    shn__image_encode_header(h, (int64_t)time(NULL));
    if (ftruncate(fd, 0) != 0 || fchmod(fd, (mode_t)shn_file_create_mode()) != 0 ||
        shn__image_write_all(fd, h, sizeof h, 0) != SHN_OK || fsync(fd) != 0)
        return SHN_ERR_IO;
    return SHN_OK;
}

/* Loads the file behind fd (size bytes) into a new index. */
static int load_fd(int fd, size_t size, const char *path, struct shn_image_index **out,
                   struct shn_diag *diag)
{
    struct shn_image_index *idx = shn__image_index_new();
    void *map = NULL;
    int rc;

    if (idx)
        idx->path = shn_strdup(path);
    if (!idx || !idx->path) {
        rc = shn_diag_set(diag, SHN_ERR_NOMEM, path, 0, NULL, "out of memory");
        goto out;
    }
    if (size > 0) {
        map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            map = NULL;
            rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "mmap failed: %s", strerror(errno));
            goto out;
        }
    }
    rc = shn__image_load(idx, map, size, path, diag);
out:
    if (map)
        munmap(map, size);
    if (rc == SHN_OK)
        *out = idx;
    else
        shn__image_index_free(idx);
    return rc;
}

/* The writer's duties on open: cut a torn append off before anything is
 * appended after it, and finish removals that a crash cut short (then the
 * file is loaded again, so that every count describes the file as it is). */
static int recover(int fd, const char *path, struct shn_image_index **idx, struct shn_diag *diag)
{
    struct stat st;
    int rc = SHN_OK;

    if ((*idx)->torn > 0 && (ftruncate(fd, (off_t)(*idx)->file_end) != 0 || fsync(fd) != 0))
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot truncate torn tail: %s",
                            strerror(errno));
    if ((*idx)->nscrub == 0)
        return SHN_OK;
    (*idx)->fd = fd;
    rc = shn__image_complete_removals(*idx, diag);
    (*idx)->fd = -1;
    if (rc != SHN_OK)
        return rc;
    if (fstat(fd, &st) != 0)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "fstat: %s", strerror(errno));
    shn__image_index_free(*idx);
    *idx = NULL;
    return load_fd(fd, (size_t)st.st_size, path, idx, diag);
}

int shn_image_index_open(const char *path, enum shn_image_index_mode mode,
                         struct shn_image_index **out, struct shn_diag *diag)
{
    struct shn_image_index *idx = NULL;
    struct stat st;
    int write = mode == SHN_IMAGE_INDEX_WRITE, rc, fd = -1;

    if (!path || !out)
        return SHN_ERR_INVALID;
    rc = open_locked(path, write, &fd, &st, diag);
    if (rc != SHN_OK)
        return rc;
    if (write && st.st_size < SHN__IMAGE_HEADER_SIZE && header_was_torn(fd, st.st_size)) {
        /* Empty, or a creation that crashed inside the header: no record
         * can exist yet, so the header is (re)written. */
        rc = create_header(fd);
        if (rc != SHN_OK || fstat(fd, &st) != 0) {
            rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot write index header: %s",
                              strerror(errno));
            goto out;
        }
    }
    rc = load_fd(fd, (size_t)st.st_size, path, &idx, diag);
    if (rc == SHN_OK && write)
        rc = recover(fd, path, &idx, diag);
    if (rc != SHN_OK)
        goto out;
    if (write) {
        /* what dead processes left beside it: a killed repair's temporary */
        shn_file_sweep_stale(path, NULL);
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

int shn_image_index_damage(const struct shn_image_index *idx, size_t i,
                           struct shn_image_index_damage *out)
{
    if (!idx || !out || i >= idx->ndamage)
        return SHN_ERR_NOT_FOUND;
    out->offset = idx->damage[i].offset;
    out->length = idx->damage[i].length;
    return SHN_OK;
}
