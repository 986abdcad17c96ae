/* Repair of a damaged index: every intact record is copied, in order, into
 * a new file that replaces the old one atomically; and the clean-up of the
 * temporary files of repairs that died.
 *
 * The file helpers here (write_buffered, create_temp, fsync_folder) are
 * static on purpose: core's safe-write helper (src/core/file.c) is being
 * written, and these are to move onto it. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index_format.h"
#include "shinsa/core/alloc.h"

#define OUT_BUFFER ((size_t)1 << 16)

/* ---------------------------------------------------------------- temporaries */

/* Splits a path into its folder (into dir) and its last component. */
static const char *split_path(const char *path, char *dir, size_t size)
{
    const char *slash = strrchr(path, '/');

    if (!slash) {
        snprintf(dir, size, ".");
        return path;
    }
    snprintf(dir, size, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    return slash + 1;
}

/* The pid in "<base>.tmp.<pid>", or 0 when name is not such a name. */
static long temp_pid(const char *name, const char *base)
{
    size_t blen = strlen(base);
    const char *p;
    long pid = 0;

    if (strncmp(name, base, blen) != 0 || strncmp(name + blen, ".tmp.", 5) != 0)
        return 0;
    p = name + blen + 5;
    if (*p == '\0' || strlen(p) > 9)
        return 0;
    for (; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        pid = pid * 10 + (*p - '0');
    }
    return pid;
}

size_t shn__image_clean_temps(const char *path)
{
    char real[PATH_MAX], dir[PATH_MAX];
    const char *base;
    struct dirent *e;
    size_t removed = 0;
    DIR *d;

    if (!realpath(path, real))
        return 0;
    base = split_path(real, dir, sizeof dir);
    if (!(d = opendir(dir)))
        return 0;
    while ((e = readdir(d)) != NULL) {
        long pid = temp_pid(e->d_name, base);
        /* Only a dead process's: a live one may be another repair's (it
         * holds the lock on an older file of the same name). */
        if (pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH &&
            unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

/* Creates PATH.tmp.<pid> for writing, never through a link and never over
 * an existing file, except our own pid's leftover (a process of the same
 * pid that died; we hold the index's lock, so no repair of ours uses it). */
static int create_temp(const char *real, char *tmp, size_t size, mode_t mode, int *fd,
                       struct shn_diag *diag)
{
    int f = -1;

    if ((size_t)snprintf(tmp, size, "%s.tmp.%ld", real, (long)getpid()) >= size)
        return shn_diag_set(diag, SHN_ERR_INVALID, real, 0, NULL, "path too long");
    for (int tries = 0; tries < 2 && f < 0; tries++) {
        f = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (f < 0 && (errno != EEXIST || unlink(tmp) != 0))
            break;
    }
    if (f < 0)
        return shn_diag_set(diag, SHN_ERR_IO, tmp, 0, NULL, "cannot create: %s", strerror(errno));
    /* The index's own mode (0600 unless someone shared it on purpose). */
    (void)fchmod(f, mode & 0777);
    *fd = f;
    return SHN_OK;
}

static void fsync_folder(const char *real)
{
    char dir[PATH_MAX];
    int fd;

    split_path(real, dir, sizeof dir);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

/* ---------------------------------------------------------------- copy */

struct out {
    int fd;
    uint8_t *buf;
    size_t used;
    uint64_t offset;
    int rc;
};

static void write_buffered(struct out *o, const void *data, size_t len)
{
    if (o->rc != SHN_OK)
        return;
    if (o->used + len > OUT_BUFFER || !data) {
        o->rc = shn__image_write_all(o->fd, o->buf, o->used, o->offset);
        o->offset += o->used;
        o->used = 0;
    }
    if (data && o->rc == SHN_OK) {
        memcpy(o->buf + o->used, data, len); /* len <= one frame < OUT_BUFFER */
        o->used += len;
    }
}

/* Writes the header and every intact, understood frame of data into fd. */
static int copy_intact(const uint8_t *data, size_t size, int fd)
{
    struct out o = {fd, shn_malloc(OUT_BUFFER), 0, 0, SHN_OK};
    struct shn__image_walk w;
    struct shn__image_span s;

    if (!o.buf)
        return SHN_ERR_NOMEM;
    write_buffered(&o, data, SHN__IMAGE_HEADER_SIZE);
    shn__image_walk_init(&w, data, size);
    for (shn__image_walk_next(&w, &s); s.kind != SHN__IMAGE_SPAN_END; shn__image_walk_next(&w, &s))
        if (s.kind == SHN__IMAGE_SPAN_FRAME && shn__image_payload_kind(s.payload, s.payload_len))
            write_buffered(&o, data + s.offset, s.length);
    write_buffered(&o, NULL, 0);
    shn_free(o.buf);
    return o.rc;
}

/* Loads the written copy back: it must hold exactly what the old file held
 * (every count equal), without any damage. */
static int verify_copy(int fd, const struct shn_image_index_stats *b,
                       struct shn_image_index_stats *a)
{
    struct shn_image_index *copy = NULL;
    struct stat st;
    void *map;
    int rc;

    if (fstat(fd, &st) != 0 || st.st_size < SHN__IMAGE_HEADER_SIZE)
        return SHN_ERR_IO;
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return SHN_ERR_IO;
    rc = shn_image_index_open_memory(map, (size_t)st.st_size, &copy, NULL);
    if (rc == SHN_OK) {
        shn_image_index_stats(copy, a);
        if (a->hashes != b->hashes || a->owners != b->owners || a->removed != b->removed ||
            a->records != b->records || a->damaged_records || a->torn_bytes || a->unscrubbed)
            rc = SHN_ERR_CORRUPT;
    }
    shn_image_index_close(copy);
    munmap(map, (size_t)st.st_size);
    return rc;
}

/* ---------------------------------------------------------------- repair */

static int rewrite(struct shn_image_index *idx, const struct shn_image_index_stats *b,
                   struct shn_image_index_stats *a, struct shn_diag *diag)
{
    char real[PATH_MAX], tmp[PATH_MAX + 32];
    struct stat st;
    void *map = MAP_FAILED;
    int rc, tfd = -1;

    if (!realpath(idx->path, real))
        return shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "cannot resolve: %s",
                            strerror(errno));
    if (fstat(idx->fd, &st) != 0 || st.st_size < SHN__IMAGE_HEADER_SIZE)
        return shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "fstat: %s", strerror(errno));
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, idx->fd, 0);
    if (map == MAP_FAILED)
        return shn_diag_set(diag, SHN_ERR_IO, idx->path, 0, NULL, "mmap: %s", strerror(errno));
    rc = create_temp(real, tmp, sizeof tmp, st.st_mode, &tfd, diag);
    if (rc != SHN_OK)
        goto out;
    rc = copy_intact(map, (size_t)st.st_size, tfd);
    if (rc == SHN_OK && fsync(tfd) != 0)
        rc = SHN_ERR_IO;
    if (rc != SHN_OK) {
        shn_diag_set(diag, rc, tmp, 0, NULL, "cannot write the repaired index: %s",
                     rc == SHN_ERR_IO ? strerror(errno) : shn_strerror(rc));
        goto out;
    }
    rc = verify_copy(tfd, b, a);
    if (rc != SHN_OK) {
        shn_diag_set(diag, rc, idx->path, 0, NULL,
                     "the repaired copy does not hold what the index holds; index left as is");
        goto out;
    }
    if (rename(tmp, real) != 0) {
        rc = shn_diag_set(diag, SHN_ERR_IO, real, 0, NULL, "rename failed: %s", strerror(errno));
        goto out;
    }
    tmp[0] = '\0';
    fsync_folder(real);
out:
    if (tfd >= 0)
        close(tfd);
    if (rc != SHN_OK && tfd >= 0 && tmp[0])
        unlink(tmp);
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
