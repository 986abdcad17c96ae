/* Splitting an mbox into messages (mail.h). A message starts at a line
 * "From " that begins the file or follows an empty line (mboxo/mboxrd
 * alike); the "From " line itself is the envelope and not passed on. */
#include <string.h>

#include "mail_internal.h"

static bool from_line(const char *p, const char *end)
{
    return end - p >= 5 && memcmp(p, "From ", 5) == 0;
}

int shn_mail_mbox_each(const char *data, size_t len,
                       int (*fn)(void *ctx, const char *msg, size_t len, long long offset,
                                 size_t index),
                       void *ctx, struct shn_diag *diag)
{
    const char *end = data + len, *p = data, *start = NULL;
    size_t index = 0;
    bool blank = true; /* the line before p was empty (or p is the start) */
    int rc = SHN_OK;

    if (len > SHN_MAIL_MBOX_MAX)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, 0, "", "mbox of %zu bytes (max %u)", len,
                            SHN_MAIL_MBOX_MAX);
    if (!from_line(data, end))
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, 1, "", "not an mbox: no 'From ' line");
    while (rc == SHN_OK && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *next = nl ? nl + 1 : end;
        if (blank && from_line(p, end)) {
            if (start) {
                /* the blank line before "From " belongs to the separator */
                const char *stop = p;
                if (stop > start && stop[-1] == '\n')
                    stop--;
                if (stop > start && stop[-1] == '\r')
                    stop--;
                rc = fn(ctx, start, (size_t)(stop - start), (long long)(start - data), index++);
            }
            start = next;
        }
        blank = (next - p == 1) || (next - p == 2 && p[0] == '\r');
        p = next;
    }
    if (rc == SHN_OK && start)
        rc = fn(ctx, start, (size_t)(end - start), (long long)(start - data), index);
    return rc;
}
