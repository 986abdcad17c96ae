/* The one safe way to write a file (docs/files.md): a temporary created with
 * O_EXCL in the target's folder, written, fsynced, renamed over the target,
 * the folder fsynced. The temporary's name carries the writer's pid, so that
 * what a crashed writer left behind can be told from what a running one is
 * still writing, and removed at the next write into that folder. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fault_internal.h"
#include "file_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/log.h"

#define TMP_PREFIX ".shinsa-tmp-"
#define UPDATE_PREFIX ".shinsa-update-"
#define MAX_LINK_HOPS 40
#define OUT_BUFFER 65536

/* ---- Mode ------------------------------------------------------------------ */

static int group_shared = -1; /* -1: not decided yet (read the environment) */

void shn_file_set_group_shared(bool shared)
{
    group_shared = shared;
}

unsigned shn_file_create_mode(void)
{
    if (group_shared < 0) {
        const char *e = getenv("SHINSA_SHARE_GROUP");
        group_shared = e && e[0] && strcmp(e, "0") != 0;
    }
    return group_shared ? 0640u : 0600u;
}

/* ---- Paths ----------------------------------------------------------------- */

int shn__file_dirname(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    int n;

    if (!slash)
        n = snprintf(out, size, ".");
    else if (slash == path)
        n = snprintf(out, size, "/");
    else
        n = snprintf(out, size, "%.*s", (int)(slash - path), path);
    return n >= 0 && (size_t)n < size;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

int shn__file_resolve(const char *path, char *out, size_t size, struct shn_diag *diag)
{
    char cur[PATH_MAX], link[PATH_MAX], dir[PATH_MAX];
    struct stat st;
    int hops = 0;

    if (!path || !path[0] || (size_t)snprintf(cur, sizeof cur, "%s", path) >= sizeof cur)
        return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "no path, or path too long");
    for (;;) {
        ssize_t n;
        if (lstat(cur, &st) != 0) {
            if (errno == ENOENT)
                break; /* a new file (or the missing target of a link) */
            return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot stat %s: %s", cur,
                                strerror(errno));
        }
        if (S_ISDIR(st.st_mode))
            return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "is a folder");
        if (!S_ISLNK(st.st_mode)) {
            if (!S_ISREG(st.st_mode))
                return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL,
                                    "not a regular file: refusing to replace it");
            break;
        }
        if (++hops > MAX_LINK_HOPS)
            return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL,
                                "too many levels of symbolic links");
        /* In a folder others can write to, a link may have been planted to
         * make us overwrite a file of the planter's choice. */
        if (st.st_uid != geteuid() && st.st_uid != 0)
            return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL,
                                "%s is a symbolic link owned by another user (uid %lu): "
                                "refusing to follow it",
                                cur, (unsigned long)st.st_uid);
        n = readlink(cur, link, sizeof link - 1);
        if (n < 0)
            return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot read link %s: %s", cur,
                                strerror(errno));
        link[n] = '\0';
        if (link[0] == '/') {
            memcpy(cur, link, (size_t)n + 1);
            continue;
        }
        if (!shn__file_dirname(cur, dir, sizeof dir) ||
            (size_t)snprintf(cur, sizeof cur, "%s/%s", dir, link) >= sizeof cur)
            return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "path too long");
    }
    if ((size_t)snprintf(out, size, "%s", cur) >= size)
        return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "path too long");
    return SHN_OK;
}

/* ---- Stale temporaries ------------------------------------------------------- */

/* Digits up to `end` (or to the name's end when end is 0) as a pid. */
static bool parse_pid(const char *s, char end, long *pid)
{
    long v = 0;
    const char *p = s;

    while (*p >= '0' && *p <= '9' && v < INT_MAX)
        v = v * 10 + (*p++ - '0');
    if (p == s || *p != end || v <= 0 || v > INT_MAX)
        return false;
    *pid = v;
    return true;
}

/* Ours and of a dead process: a temporary (.shinsa-tmp-PID-...), an update
 * folder (.shinsa-update-PID-...), or an older version's BASE.tmp.PID. */
static bool stale_name(const char *name, const char *base, long *pid)
{
    size_t blen = strlen(base);

    if (strncmp(name, TMP_PREFIX, sizeof TMP_PREFIX - 1) == 0)
        return parse_pid(name + sizeof TMP_PREFIX - 1, '-', pid);
    if (strncmp(name, UPDATE_PREFIX, sizeof UPDATE_PREFIX - 1) == 0)
        return parse_pid(name + sizeof UPDATE_PREFIX - 1, '-', pid);
    return blen && strncmp(name, base, blen) == 0 && strncmp(name + blen, ".tmp.", 5) == 0 &&
           parse_pid(name + blen + 5, '\0', pid);
}

static bool dead(long pid)
{
    return (pid_t)pid != getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Removes folder `name` under `parent` and what it holds, `depth` levels
 * down. Links are unlinked, never followed (O_NOFOLLOW, *at calls). */
static int remove_tree_at(int parent, const char *name, int depth)
{
    struct dirent *de;
    DIR *d;
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return -1;
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (!S_ISDIR(st.st_mode))
            unlinkat(dirfd(d), de->d_name, 0);
        else if (depth > 0)
            remove_tree_at(dirfd(d), de->d_name, depth - 1);
    }
    closedir(d);
    return unlinkat(parent, name, AT_REMOVEDIR);
}

void shn_file_sweep_stale(const char *path, size_t *removed)
{
    char dir[PATH_MAX];
    struct dirent *de;
    size_t n = 0;
    DIR *d;
    int fd;

    if (!path || !shn__file_dirname(path, dir, sizeof dir))
        return;
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return;
    }
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        long pid;
        if (de->d_name[0] == '.' && (!de->d_name[1] || strcmp(de->d_name, "..") == 0))
            continue;
        if (!stale_name(de->d_name, base_name(path), &pid) || !dead(pid) ||
            fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || st.st_uid != geteuid())
            continue;
        if (S_ISDIR(st.st_mode) ? remove_tree_at(dirfd(d), de->d_name, 2) == 0
                                : unlinkat(dirfd(d), de->d_name, 0) == 0)
            n++;
    }
    closedir(d);
    if (n)
        shn_log(SHN_LOG_DEBUG, "%s: removed %zu stale temporar%s of dead processes", dir, n,
                n == 1 ? "y" : "ies");
    if (removed)
        *removed += n;
}

/* ---- The temporary ------------------------------------------------------------ */

struct tmpfile {
    int fd;
    const char *path; /* as the caller named it, for messages */
    char target[PATH_MAX];
    char tmp[PATH_MAX];
};

static uint32_t random32(void)
{
    static uint32_t counter;
    uint32_t r = 0;
    struct timespec ts;

    if (getentropy(&r, sizeof r) == 0)
        return r;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint32_t)ts.tv_nsec ^ (uint32_t)getpid() * 2654435761u ^ ++counter * 40503u;
}

static int tmp_begin(struct tmpfile *t, const char *path, struct shn_diag *diag)
{
    char dir[PATH_MAX];
    int rc, tries = 0;

    t->fd = -1;
    t->path = path;
    rc = shn__file_resolve(path, t->target, sizeof t->target, diag);
    if (rc != SHN_OK)
        return rc;
    if (!shn__file_dirname(t->target, dir, sizeof dir))
        return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "path too long");
    shn_file_sweep_stale(t->target, NULL);
    do {
        /* O_EXCL: never open what is already there, a planted link included. */
        if ((size_t)snprintf(t->tmp, sizeof t->tmp, "%s/" TMP_PREFIX "%ld-%08x-%.64s", dir,
                             (long)getpid(), (unsigned)random32(),
                             base_name(t->target)) >= sizeof t->tmp)
            return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "path too long");
        t->fd = open(t->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
    } while (t->fd < 0 && errno == EEXIST && ++tries < 100);
    if (t->fd < 0)
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot create a temporary in %s: %s",
                            dir, strerror(errno));
    /* The umask may have narrowed the mode, or a shared setting widen it. */
    if (fchmod(t->fd, (mode_t)shn_file_create_mode()) != 0) {
        rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "cannot set the mode of %s: %s", t->tmp,
                          strerror(errno));
        close(t->fd);
        unlink(t->tmp);
        t->fd = -1;
        return rc;
    }
    return SHN_OK;
}

/* 0, or the errno of the failed write. */
static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;

    while (len) {
        ssize_t n = shn__io_write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? errno : EIO;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void tmp_discard(struct tmpfile *t)
{
    if (t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    unlink(t->tmp);
}

/* fsync, close, rename, fsync of the folder. A folder that cannot be synced
 * is only a warning: the new file is in place by then, and some file
 * systems do not sync folders at all. */
static int tmp_commit(struct tmpfile *t, struct shn_diag *diag)
{
    char dir[PATH_MAX];
    int rc, dfd;

    if (shn__io_fsync(t->fd) != 0) {
        rc = shn_diag_set(diag, SHN_ERR_IO, t->path, 0, NULL, "fsync failed: %s", strerror(errno));
        tmp_discard(t);
        return rc;
    }
    rc = close(t->fd);
    t->fd = -1;
    if (rc != 0) {
        rc = shn_diag_set(diag, SHN_ERR_IO, t->path, 0, NULL, "close failed: %s", strerror(errno));
        tmp_discard(t);
        return rc;
    }
    if (rename(t->tmp, t->target) != 0) {
        rc = shn_diag_set(diag, SHN_ERR_IO, t->path, 0, NULL, "rename failed: %s", strerror(errno));
        tmp_discard(t);
        return rc;
    }
    if (shn__file_dirname(t->target, dir, sizeof dir) &&
        (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        if (shn__io_fsync(dfd) != 0 && errno != EINVAL)
            shn_log(SHN_LOG_WARN, "%s: written, but its folder could not be synced: %s", t->path,
                    strerror(errno));
        close(dfd);
    }
    return SHN_OK;
}

int shn_file_write_atomic(const char *path, const void *data, size_t len, struct shn_diag *diag)
{
    struct tmpfile t;
    int rc, e;

    if (!data && len)
        return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "no data");
    rc = tmp_begin(&t, path, diag);
    if (rc != SHN_OK)
        return rc;
    e = write_all(t.fd, data, len);
    if (e) {
        tmp_discard(&t);
        return shn_diag_set(diag, SHN_ERR_IO, path, 0, NULL, "write failed: %s", strerror(e));
    }
    return tmp_commit(&t, diag);
}

/* ---- Streamed writer ------------------------------------------------------------ */

struct shn_file_out {
    struct tmpfile t;
    int err; /* errno of the first failure, 0 */
    int rc;  /* its shn_err */
    size_t len;
    unsigned char buf[OUT_BUFFER];
};

int shn_file_out_open(const char *path, struct shn_file_out **out, struct shn_diag *diag)
{
    struct shn_file_out *o = shn_malloc(sizeof *o);
    int rc;

    if (!o)
        return shn_diag_set(diag, SHN_ERR_NOMEM, path, 0, NULL, "out of memory");
    rc = tmp_begin(&o->t, path, diag);
    if (rc != SHN_OK) {
        shn_free(o);
        return rc;
    }
    o->err = 0;
    o->rc = SHN_OK;
    o->len = 0;
    *out = o;
    return SHN_OK;
}

static int fail(struct shn_file_out *o, int err)
{
    o->err = err;
    o->rc = SHN_ERR_IO;
    return o->rc;
}

static int flush(struct shn_file_out *o)
{
    int e;

    if (o->rc != SHN_OK || !o->len)
        return o->rc;
    e = write_all(o->t.fd, o->buf, o->len);
    o->len = 0;
    return e ? fail(o, e) : SHN_OK;
}

int shn_file_out_flush(struct shn_file_out *o, struct shn_diag *diag)
{
    int rc = flush(o);

    if (rc == SHN_ERR_IO && o->err)
        return shn_diag_set(diag, rc, o->t.path, 0, NULL, "write failed: %s", strerror(o->err));
    if (rc != SHN_OK)
        return shn_diag_set(diag, rc, o->t.path, 0, NULL, "%s", shn_strerror(rc));
    return SHN_OK;
}

int shn_file_out_write(struct shn_file_out *o, const void *data, size_t len)
{
    int e;

    if (o->rc != SHN_OK)
        return o->rc;
    if (len <= sizeof o->buf - o->len) {
        if (len)
            memcpy(o->buf + o->len, data, len);
        o->len += len;
        return SHN_OK;
    }
    if (flush(o) != SHN_OK)
        return o->rc;
    if (len < sizeof o->buf) {
        memcpy(o->buf, data, len);
        o->len = len;
        return SHN_OK;
    }
    e = write_all(o->t.fd, data, len);
    return e ? fail(o, e) : SHN_OK;
}

int shn_file_out_printf(struct shn_file_out *o, const char *fmt, ...)
{
    char small[1024], *big = NULL;
    va_list ap;
    int n, rc;

    if (o->rc != SHN_OK)
        return o->rc;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SHN_ERR_INVALID;
    if ((size_t)n < sizeof small)
        return shn_file_out_write(o, small, (size_t)n);
    big = shn_malloc((size_t)n + 1);
    if (!big) {
        o->rc = SHN_ERR_NOMEM;
        return o->rc;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rc = shn_file_out_write(o, big, (size_t)n);
    shn_free(big);
    return rc;
}

const char *shn_file_out_temp_path(const struct shn_file_out *o)
{
    return o->t.tmp;
}

int shn_file_out_commit(struct shn_file_out *o, struct shn_diag *diag)
{
    int rc = shn_file_out_flush(o, diag);

    if (rc != SHN_OK) {
        tmp_discard(&o->t);
    } else {
        rc = tmp_commit(&o->t, diag);
    }
    shn_free(o);
    return rc;
}

void shn_file_out_abort(struct shn_file_out *o)
{
    if (!o)
        return;
    tmp_discard(&o->t);
    shn_free(o);
}
