/* One error type for the whole project, and the diagnostic that parsers fill
 * so that the CLI can say exactly which file, line and field went wrong.
 *
 * Contract (as libuv's): a function returning an error leaves its
 * out-parameters untouched. Values are stable: never renumber, only append. */
#ifndef SHN_CORE_ERR_H
#define SHN_CORE_ERR_H

#include <stddef.h>

enum shn_err {
    SHN_OK = 0,
    SHN_ERR_NOMEM = 1,     /* allocation failed */
    SHN_ERR_IO = 2,        /* open/read/write/mmap failed (errno in message) */
    SHN_ERR_PARSE = 3,     /* malformed input; see the diagnostic */
    SHN_ERR_TOO_LARGE = 4, /* an input or a count went past its bound */
    SHN_ERR_INVALID = 5,   /* bad argument from the caller */
    SHN_ERR_NOT_FOUND = 6,
    SHN_ERR_FORMAT = 7,  /* a binary file of ours is of the wrong kind or version */
    SHN_ERR_CORRUPT = 8, /* a binary file of ours fails its checksum or bounds */
    SHN_ERR_NETWORK = 9, /* a download failed */
    SHN_ERR_UNSUPPORTED = 10,
    SHN_ERR_ENCODING = 11, /* not valid UTF-8, or a conversion failed */
    SHN_ERR_BUSY = 12,     /* another process holds the lock */
    SHN_ERR__COUNT
};

/* Returns a static English description; never NULL. */
const char *shn_strerror(int err);

/* Where bad input was found. `file` points at caller-owned storage that
 * must outlive the diagnostic (usually the path the caller passed in). */
struct shn_diag {
    const char *file;
    long line;      /* 1-based; 0 = not applicable */
    long column;    /* 1-based; 0 = not applicable */
    char field[48]; /* name of the field, "" when not applicable */
    char message[256];
};

#if defined(__GNUC__)
#define SHN_PRINTF(fmt_idx, args_idx) __attribute__((format(printf, fmt_idx, args_idx)))
#else
#define SHN_PRINTF(fmt_idx, args_idx)
#endif

/* Fills `d` (which may be NULL: then nothing happens) and returns `err`, so
 * that a parser can write `return shn_diag_set(d, SHN_ERR_PARSE, ...)`. */
int shn_diag_set(struct shn_diag *d, int err, const char *file, long line, const char *field,
                 const char *fmt, ...) SHN_PRINTF(6, 7);

/* "file:line: field: message" into buf (always NUL-terminated). */
void shn_diag_format(const struct shn_diag *d, char *buf, size_t size);

#endif
