/* One bounded line reader for every text input (JSON Lines, lists, queries,
 * corpora): a line longer than the cap is refused before it is held in
 * memory, a UTF-8 byte-order mark on the first line is skipped, CRLF reads as
 * LF, and each line comes with its number for diagnostics. */
#ifndef SHN_CORE_LINES_H
#define SHN_CORE_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "shinsa/core/err.h"

/* Caller-owned; set up by one of the init functions, released by
 * shn_lines_cleanup(). Fields are private but for `line`. */
struct shn_lines {
    long line; /* number of the line last returned (1-based) */
    const char *name;
    FILE *fp; /* read through stdio, or else through fd */
    int fd;
    bool own; /* cleanup closes fd / fp */
    bool eof, skipping, bom_done;
    int read_errno;
    size_t max_line;
    char *buf;
    size_t alloc, start, end;
};

/* Reads from an open descriptor or stream (which stay the caller's). `name`
 * is used in diagnostics and must outlive the reader. max_line is the
 * longest line accepted, in bytes without its end of line. */
void shn_lines_init_fd(struct shn_lines *r, int fd, const char *name, size_t max_line);
void shn_lines_init_file(struct shn_lines *r, FILE *fp, const char *name, size_t max_line);

/* Opens `path` with shn_file_open_input() ("-" is standard input; FIFOs and
 * folders refused without blocking); the reader owns what it opened. */
int shn_lines_open(struct shn_lines *r, const char *path, size_t max_line, struct shn_diag *diag);

/* The next line, without its LF or CRLF, NUL-terminated in the reader's
 * buffer (writable, valid until the next call; it may hold NUL bytes: use
 * *len). Returns SHN_OK, SHN_ERR_NOT_FOUND at the end, SHN_ERR_IO on a read
 * error, or SHN_ERR_TOO_LARGE for a line past max_line (diag names its
 * number): at most max_line + 3 bytes are ever held, and the next call
 * skips the rest of that line and goes on with the one after it. */
int shn_lines_next(struct shn_lines *r, char **line, size_t *len, struct shn_diag *diag);

void shn_lines_cleanup(struct shn_lines *r);

#endif
