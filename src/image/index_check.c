/* Repair of a damaged index: every intact record is copied, in order, into
 * a new file that replaces the old one atomically. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "index_format.h"
#include "shinsa/core/file.h"

/* Writes the header and every intact, understood frame of data to o. */
static int copy_intact(const uint8_t *data, size_t size, struct shn_file_out *o)
{
    struct shn__image_walk w;
    struct shn__image_span s;
    int rc = shn_file_out_write(o, data, SHN__IMAGE_HEADER_SIZE);

    shn__image_walk_init(&w, data, size);
    for (shn__image_walk_next(&w, &s); rc == SHN_OK && s.kind != SHN__IMAGE_SPAN_END;
         shn__image_walk_next(&w, &s))
        if (s.kind == SHN__IMAGE_SPAN_FRAME && shn__image_payload_kind(s.payload, s.payload_len))
            rc = shn_file_out_write(o, data + s.offset, s.length);
    return rc;
}

/* Loads the written copy back: it must hold exactly what the old file held
 * (every count equal), without any damage. */
static int verify_copy(const char *tmp, const struct shn_image_index_stats *b,
                       struct shn_image_index_stats *a)
{
    struct shn_image_index *copy = NULL;
    struct shn_mapped_file map = {0};
    int rc = shn_file_map(tmp, &map, NULL);

    if (rc == SHN_OK)
        rc = shn_image_index_open_memory(map.data, map.size, &copy, NULL);
    if (rc == SHN_OK) {
        shn_image_index_stats(copy, a);
        if (a->hashes != b->hashes || a->owners != b->owners || a->removed != b->removed ||
            a->records != b->records || a->damaged_records || a->torn_bytes || a->unscrubbed)
            rc = SHN_ERR_CORRUPT;
    }
    shn_image_index_close(copy);
    shn_file_unmap(&map);
    return rc;
}

/* ---------------------------------------------------------------- repair */

/* The copy goes through core's safe writer: a new temporary in the index's
 * folder (O_EXCL, 0600), fsynced, renamed over the index (a symlink is
 * followed), folder fsynced; it is loaded back and compared before the
 * rename. We hold the index's exclusive lock throughout. */
static int rewrite(struct shn_image_index *idx, const struct shn_image_index_stats *b,
                   struct shn_image_index_stats *a, struct shn_diag *diag)
{
    struct shn_file_out *o = NULL;
    struct stat st;
    void *map;
    int rc;

    if (fstat(idx->fd, &st) != 0 || st.st_size < SHN__IMAGE_HEADER_SIZE)
        return shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "fstat: %s", strerror(errno));
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, idx->fd, 0);
    if (map == MAP_FAILED)
        return shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "mmap: %s", strerror(errno));
    rc = shn_file_out_open(idx->path, &o, diag);
    if (rc != SHN_OK)
        goto out;
    rc = copy_intact(map, (size_t)st.st_size, o);
    /* A failed write is kept by o: the flush reports it, with the reason. */
    if (shn_file_out_flush(o, diag) != SHN_OK && rc == SHN_OK)
        rc = SHN_ERR_IO;
    if (rc != SHN_OK)
        goto out;
    rc = verify_copy(shn_file_out_temp_path(o), b, a);
    if (rc != SHN_OK) {
        shn_diag_set(diag, rc, idx->path, 0, NULL,
                     "the repaired copy does not hold what the index holds; index left as is");
        goto out;
    }
    rc = shn_file_out_commit(o, diag);
    o = NULL;
out:
    shn_file_out_abort(o);
    munmap(map, (size_t)st.st_size);
    return rc;
}

int shn_image_index_repair(const char *path, struct shn_image_index_stats *before,
                           struct shn_image_index_stats *after, int *rewritten,
                           struct shn_diag *diag)
{
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats b, a;
    int rc;

    if (!path || !rewritten)
        return SHN_ERR_INVALID;
    /* The writer's open already cuts a torn tail and completes removals;
     * what is left to repair is damage. */
    rc = shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, diag);
    if (rc != SHN_OK)
        return rc;
    shn_image_index_stats(idx, &b);
    a = b;
    if (b.damaged_records > 0)
        rc = rewrite(idx, &b, &a, diag);
    shn_image_index_close(idx); /* releases the old file's lock */
    if (rc != SHN_OK)
        return rc;
    if (before)
        *before = b;
    if (after)
        *after = a;
    *rewritten = b.damaged_records > 0;
    return SHN_OK;
}
