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

/* After snprintf cut s to fit (s holds len bytes): drops a UTF-8 character
 * the cut left incomplete, so that a truncated diagnostic is still valid
 * text (a JSON writer would refuse it otherwise). Bytes before the cut are
 * left as they are. */
static void end_on_character(char *s, size_t len)
{
    size_t lead = len, need;
    unsigned char c;
    while (lead > 0 && len - lead < 3 && ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead == 0)
        return;
    c = (unsigned char)s[lead - 1];
    need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (len - (lead - 1) < need)
        s[lead - 1] = '\0';
}

int shn_diag_set(struct shn_diag *d, int err, const char *file, long line, const char *field,
                 const char *fmt, ...)
{
    va_list ap;
    int n;

    if (!d)
        return err;
    d->file = file;
    d->line = line;
    d->column = 0;
    if (snprintf(d->field, sizeof d->field, "%s", field ? field : "") >= (int)sizeof d->field)
        end_on_character(d->field, sizeof d->field - 1);
    va_start(ap, fmt);
    n = vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof d->message)
        end_on_character(d->message, sizeof d->message - 1);
    return err;
}

void shn_diag_format(const struct shn_diag *d, char *buf, size_t size)
{
    char where[64] = "";
    int n;

    if (!size)
        return;
    if (d->line > 0)
        snprintf(where, sizeof where, ":%ld", d->line);
    n = snprintf(buf, size, "%s%s: %s%s%s", d->file ? d->file : "<input>", where, d->field,
                 d->field[0] ? ": " : "", d->message);
    if (n >= 0 && (size_t)n >= size)
        end_on_character(buf, size - 1);
}
