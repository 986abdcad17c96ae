#include "shinsa/core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const messages[SHN_ERR__COUNT] = {
    [SHN_OK] = "success",
    [SHN_ERR_NOMEM] = "out of memory",
    [SHN_ERR_IO] = "input/output error",
    [SHN_ERR_PARSE] = "malformed input",
    [SHN_ERR_TOO_LARGE] = "input too large",
    [SHN_ERR_INVALID] = "invalid argument",
    [SHN_ERR_NOT_FOUND] = "not found",
    [SHN_ERR_FORMAT] = "wrong file format or version",
    [SHN_ERR_CORRUPT] = "file is corrupt",
    [SHN_ERR_NETWORK] = "download failed",
    [SHN_ERR_UNSUPPORTED] = "unsupported",
    [SHN_ERR_ENCODING] = "invalid text encoding",
    [SHN_ERR_BUSY] = "in use by another process",
};

const char *shn_strerror(int err)
{
    if (err < 0 || err >= SHN_ERR__COUNT)
        return "unknown error";
    return messages[err];
}

int shn_diag_set(struct shn_diag *d, int err, const char *file, long line, const char *field,
                 const char *fmt, ...)
{
    va_list ap;

    if (!d)
        return err;
    d->file = file;
    d->line = line;
    d->column = 0;
    snprintf(d->field, sizeof d->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
    return err;
}

void shn_diag_format(const struct shn_diag *d, char *buf, size_t size)
{
    char where[64] = "";

    if (!size)
        return;
    if (d->line > 0)
        snprintf(where, sizeof where, ":%ld", d->line);
    snprintf(buf, size, "%s%s: %s%s%s", d->file ? d->file : "<input>", where, d->field,
             d->field[0] ? ": " : "", d->message);
}
