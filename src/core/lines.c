/* The bounded line reader (lines.h). The buffer starts small and grows up
 * to max_line + 3 bytes (a line, a CR, a LF and the NUL); a line that does
 * not fit is refused there, before more of it is read. */
#define _POSIX_C_SOURCE 200809L
#include "shinsa/core/lines.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

#define FIRST_ALLOC ((size_t)65536)

static void init(struct shn_lines *r, const char *name, size_t max_line)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->name = name;
    r->max_line = max_line ? max_line : 1;
}

void shn_lines_init_fd(struct shn_lines *r, int fd, const char *name, size_t max_line)
{
    init(r, name, max_line);
    r->fd = fd;
}

void shn_lines_init_file(struct shn_lines *r, FILE *fp, const char *name, size_t max_line)
{
    init(r, name, max_line);
    r->fp = fp;
}

int shn_lines_open(struct shn_lines *r, const char *path, size_t max_line, struct shn_diag *diag)
{
    int fd = -1, rc = shn_file_open_input(path, &fd, diag);

    if (rc != SHN_OK)
        return rc;
    shn_lines_init_fd(r, fd, path, max_line);
    r->own = true;
    return SHN_OK;
}

void shn_lines_cleanup(struct shn_lines *r)
{
    if (r->own && r->fp)
        fclose(r->fp);
    else if (r->own && r->fd >= 0)
        close(r->fd);
    shn_free(r->buf);
    init(r, r->name, r->max_line);
}

/* Reads into [end, alloc - 1): the byte after the data is kept for a NUL.
 * Returns the count, 0 at the end, -1 on error (read_errno set). */
static long fill(struct shn_lines *r)
{
    size_t room = r->alloc - 1 - r->end;
    ssize_t n;

    if (r->fp) {
        size_t got = fread(r->buf + r->end, 1, room, r->fp);
        if (got == 0 && ferror(r->fp)) {
            r->read_errno = errno ? errno : EIO;
            return -1;
        }
        r->end += got;
        return (long)got;
    }
    do
        n = read(r->fd, r->buf + r->end, room);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        r->read_errno = errno;
        return -1;
    }
    r->end += (size_t)n;
    return (long)n;
}

/* Makes room after `end`: moves the pending bytes to the front, then grows
 * the buffer up to its cap. */
static int make_room(struct shn_lines *r)
{
    size_t cap, want;
    char *p;

    if (!shn_size_add(r->max_line, 3, &cap))
        return SHN_ERR_TOO_LARGE;
    if (r->start) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->end + 1 < r->alloc)
        return SHN_OK;
    want = r->alloc ? r->alloc * 2 : FIRST_ALLOC;
    if (want > cap || want < r->alloc)
        want = cap;
    if (want <= r->alloc)
        return SHN_ERR_TOO_LARGE;
    p = shn_realloc(r->buf, want);
    if (!p)
        return SHN_ERR_NOMEM;
    r->buf = p;
    r->alloc = want;
    return SHN_OK;
}

static int read_error(struct shn_lines *r, struct shn_diag *diag)
{
    return shn_diag_set(diag, SHN_ERR_IO, r->name, r->line + 1, NULL, "read failed: %s",
                        strerror(r->read_errno));
}

static int more(struct shn_lines *r, struct shn_diag *diag)
{
    long n;
    int rc = make_room(r);

    if (rc != SHN_OK)
        return shn_diag_set(diag, rc, r->name, r->line + 1, NULL, "%s", shn_strerror(rc));
    n = fill(r);
    if (n < 0)
        return read_error(r, diag);
    if (n == 0)
        r->eof = true;
    return SHN_OK;
}

/* Discards the rest of a line that was too long. */
static int skip_rest(struct shn_lines *r, struct shn_diag *diag)
{
    while (r->skipping) {
        char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
        int rc;
        if (nl) {
            r->start = (size_t)(nl - r->buf) + 1;
            r->skipping = false;
            break;
        }
        r->start = r->end = 0;
        if (r->eof)
            return SHN_ERR_NOT_FOUND;
        if ((rc = more(r, diag)) != SHN_OK)
            return rc;
    }
    return SHN_OK;
}

static int too_long(struct shn_lines *r, struct shn_diag *diag)
{
    r->line++;
    return shn_diag_set(diag, SHN_ERR_TOO_LARGE, r->name, r->line, NULL,
                        "line longer than %zu bytes", r->max_line);
}

int shn_lines_next(struct shn_lines *r, char **line, size_t *len, struct shn_diag *diag)
{
    char *p, *nl;
    size_t n;
    int rc;

    if (!r->buf && (rc = more(r, diag)) != SHN_OK)
        return rc;
    if ((rc = skip_rest(r, diag)) != SHN_OK)
        return rc;
    while (!r->bom_done) {
        if (r->end - r->start >= 3 || r->eof) {
            if (r->end - r->start >= 3 && memcmp(r->buf + r->start, "\xEF\xBB\xBF", 3) == 0)
                r->start += 3;
            r->bom_done = true;
        } else if ((rc = more(r, diag)) != SHN_OK) {
            return rc;
        }
    }
    for (;;) {
        nl = memchr(r->buf + r->start, '\n', r->end - r->start);
        if (nl || (r->eof && r->end > r->start))
            break;
        if (r->eof)
            return SHN_ERR_NOT_FOUND;
        if (r->end - r->start > r->max_line + 1) {
            r->skipping = true;
            return too_long(r, diag);
        }
        if ((rc = more(r, diag)) != SHN_OK)
            return rc;
    }
    p = r->buf + r->start;
    n = nl ? (size_t)(nl - p) : r->end - r->start;
    r->start += n + (nl ? 1 : 0);
    if (n && p[n - 1] == '\r')
        n--;
    if (n > r->max_line)
        return too_long(r, diag);
    p[n] = '\0';
    r->line++;
    *line = p;
    *len = n;
    return SHN_OK;
}
