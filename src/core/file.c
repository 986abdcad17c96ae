/* Checked inputs (regular files only, opened without blocking), bounded
 * reading, mapping, same-file checks and the single-writer lock. */
#define _POSIX_C_SOURCE 200809L
#include "shinsa/core/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file_internal.h"
#include "shinsa/core/alloc.h"

static const char *kind_of(mode_t m)
{
    if (S_ISDIR(m))
        return "a folder";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    return "a special file";
}

/* O_NONBLOCK keeps open() of a FIFO with no writer from waiting forever;
 * once fstat says the file is regular the flag is cleared (it means nothing
 * for regular files, but a caller may hand the fd on). */
static int open_regular(const char *path, int *out, struct shn_diag *diag)
{
    struct stat st;
    int fd, flags;

    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot open: %s", strerror(errno));
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "%s, not a regular file",
                            kind_of(st.st_mode));
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        int e = errno;
        close(fd);
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "fcntl failed: %s", strerror(e));
    }
    *out = fd;
    return SHN_OK;
}

int shn_file_open_input(const char *path, int *fd, struct shn_diag *diag)
{
    int d;

    if (!path || !fd)
        return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "no input path");
    if (strcmp(path, "-") != 0)
        return open_regular(path, fd, diag);
    d = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
    if (d < 0)
        return shn_diag_set(diag, SHN_ERR_IO, "<stdin>", 0, NULL, "cannot read: %s",
                            strerror(errno));
    *fd = d;
    return SHN_OK;
}

int shn_file_fopen_input(const char *path, FILE **out, struct shn_diag *diag)
{
    FILE *f;
    int fd = -1, rc = shn_file_open_input(path, &fd, diag);

    if (rc != SHN_OK)
        return rc;
    f = fdopen(fd, "rb");
    if (!f) {
        rc = shn_diag_set(diag, SHN_ERR_NOMEM, path, 0, NULL, "cannot open: %s", strerror(errno));
        close(fd);
        return rc;
    }
    *out = f;
    return SHN_OK;
}

bool shn_file_same(const char *a, const char *b)
{
    struct stat sa, sb;

    if (!a || !b || stat(a, &sa) != 0 || stat(b, &sb) != 0)
        return false;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int shn_file_check_output(const char *output, const char *const *inputs, size_t n_inputs,
                          struct shn_diag *diag)
{
    if (!output || strcmp(output, "-") == 0)
        return SHN_OK;
    for (size_t i = 0; i < n_inputs; i++) {
        if (!inputs[i] || strcmp(inputs[i], "-") == 0 || !shn_file_same(output, inputs[i]))
            continue;
        return shn_diag_set(diag, SHN_ERR_INVALID, output, 0, NULL,
                            "the output is the same file as the input %s: writing it would "
                            "destroy the input",
                            inputs[i]);
    }
    return SHN_OK;
}

int shn_file_read(const char *path, size_t max_bytes, char **data, size_t *len,
                  struct shn_diag *diag)
{
    int rc, fd = -1;
    struct stat st;
    char *buf = NULL;
    size_t size, got = 0;

    rc = open_regular(path, &fd, diag);
    if (rc != SHN_OK)
        return rc;
    if (fstat(fd, &st) != 0) {
        rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot stat: %s", strerror(errno));
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
    int rc, fd = -1;
    struct stat st;
    void *p;

    rc = open_regular(path, &fd, diag);
    if (rc != SHN_OK)
        return rc;
    if (fstat(fd, &st) != 0 || st.st_size == 0) {
        rc = shn_diag_set(diag, SHN_ERR_FORMAT, path, 0, NULL, "empty file");
        goto out;
    }
    if ((unsigned long long)st.st_size > SIZE_MAX) {
        rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, path, 0, NULL, "file too large to map");
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

int shn_file_lock(const char *path, int flags, struct shn_file_lock *lock, struct shn_diag *diag)
{
    char target[PATH_MAX], lpath[PATH_MAX + 8];
    int rc, fd, op = LOCK_EX | (flags & SHN_FILE_LOCK_NOWAIT ? LOCK_NB : 0);

    rc = shn__file_resolve(path, target, sizeof target, diag);
    if (rc != SHN_OK)
        return rc;
    if ((size_t)snprintf(lpath, sizeof lpath, "%s.lock", target) >= sizeof lpath)
        return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "path too long");
    fd = open(lpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
              (mode_t)shn_file_create_mode());
    if (fd < 0)
        return shn_diag_set(diag, SHN_ERR_IO, lpath, 0, NULL, "cannot create the lock file: %s",
                            strerror(errno));
    while ((rc = flock(fd, op)) != 0 && errno == EINTR)
        ;
    if (rc != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return shn_diag_set(diag, SHN_ERR_BUSY, path, 0, NULL,
                                "another process is writing it (locked: %s)", lpath);
        return shn_diag_set(diag, SHN_ERR_IO, lpath, 0, NULL, "cannot lock: %s", strerror(e));
    }
    lock->fd = fd;
    lock->held = true;
    return SHN_OK;
}

void shn_file_unlock(struct shn_file_lock *lock)
{
    if (!lock || !lock->held)
        return;
    close(lock->fd); /* releases the flock */
    lock->held = false;
}
