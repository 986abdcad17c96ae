#define _POSIX_C_SOURCE 200809L
#include "shinsa/core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shinsa/core/alloc.h"

int shn_file_read(const char *path, size_t max_bytes, char **data, size_t *len,
                  struct shn_diag *diag)
{
    int rc = SHN_OK, fd;
    struct stat st;
    char *buf = NULL;
    size_t size, got = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "not a regular file");
        goto out;
    }
    if ((unsigned long long)st.st_size > max_bytes) {
        rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, path, 0, NULL,
                          "file is %lld bytes, the limit is %zu", (long long)st.st_size, max_bytes);
        goto out;
    }
    size = (size_t)st.st_size;
    buf = shn_malloc(size + 1);
    if (!buf) {
        rc = shn_diag_set(diag, SHN_ERR_NOMEM, path, 0, NULL, "out of memory");
        goto out;
    }
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "read failed: %s", strerror(errno));
            goto out;
        }
        if (n == 0)
            break; /* the file shrank while we read it: take what is there */
        got += (size_t)n;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    buf = NULL;
out:
    shn_free(buf);
    close(fd);
    return rc;
}

int shn_file_map(const char *path, struct shn_mapped_file *out, struct shn_diag *diag)
{
    int rc = SHN_OK, fd;
    struct stat st;
    void *p;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        rc = shn_diag_set(diag, SHN_ERR_FORMAT, path, 0, NULL, "not a regular, non-empty file");
        goto out;
    }
    p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
        rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "mmap failed: %s", strerror(errno));
        goto out;
    }
    out->data = p;
    out->size = (size_t)st.st_size;
out:
    close(fd);
    return rc;
}

void shn_file_unmap(struct shn_mapped_file *m)
{
    if (m->data)
        munmap((void *)m->data, m->size);
    m->data = NULL;
    m->size = 0;
}

static void fsync_parent(const char *path)
{
    char copy[4096];
    int fd;

    snprintf(copy, sizeof copy, "%s", path);
    fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int shn_file_replace(const char *tmp_path, const char *path, struct shn_diag *diag)
{
    int fd = open(tmp_path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return shn_diag_set(diag, SHN_ERR_IO, tmp_path, 0, NULL, "cannot open: %s",
                            strerror(errno));
    if (fsync(fd) != 0) {
        close(fd);
        return shn_diag_set(diag, SHN_ERR_IO, tmp_path, 0, NULL, "fsync failed: %s",
                            strerror(errno));
    }
    close(fd);
    if (rename(tmp_path, path) != 0)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "rename failed: %s", strerror(errno));
    fsync_parent(path);
    return SHN_OK;
}

int shn_file_write_atomic(const char *path, const void *data, size_t len, struct shn_diag *diag)
{
    char tmp[4096];
    const char *p = data;
    int fd, rc = SHN_OK;

    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp)
        return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "path too long");
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return shn_diag_set(diag, SHN_ERR_IO, tmp, 0, NULL, "cannot create: %s", strerror(errno));
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = shn_diag_set(diag, SHN_ERR_IO, tmp, 0, NULL, "write failed: %s", strerror(errno));
            break;
        }
        p += n;
        len -= (size_t)n;
    }
    if (rc == SHN_OK && fsync(fd) != 0)
        rc = shn_diag_set(diag, SHN_ERR_IO, tmp, 0, NULL, "fsync failed: %s", strerror(errno));
    close(fd);
    if (rc == SHN_OK && rename(tmp, path) != 0)
        rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "rename failed: %s", strerror(errno));
    if (rc != SHN_OK)
        unlink(tmp);
    else
        fsync_parent(path);
    return rc;
}
