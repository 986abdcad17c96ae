/* The bounded line buffer of the sample-platform generator. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "platform_internal.h"

void shn__sample_putn(struct shn__sample_buf *b, const char *s, size_t n)
{
    if (b->err || n > b->cap - b->len - 1) {
        b->err = SHN_ERR_TOO_LARGE;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void shn__sample_put(struct shn__sample_buf *b, const char *s)
{
    shn__sample_putn(b, s, strlen(s));
}

void shn__sample_printf(struct shn__sample_buf *b, const char *fmt, ...)
{
    va_list ap;
    size_t room = b->cap - b->len;
    int n;

    if (b->err)
        return;
    va_start(ap, fmt);
    n = vsnprintf(b->p + b->len, room, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= room) {
        b->p[b->len] = '\0';
        b->err = SHN_ERR_TOO_LARGE;
        return;
    }
    b->len += (size_t)n;
}

void shn__sample_json_str(struct shn__sample_buf *b, const char *s)
{
    const char *run = s;

    shn__sample_putn(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        shn__sample_putn(b, run, (size_t)(s - run));
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            shn__sample_putn(b, esc, 2);
        } else if (c == '\n') {
            shn__sample_putn(b, "\\n", 2);
        } else {
            shn__sample_printf(b, "\\u%04x", c);
        }
        run = s + 1;
    }
    shn__sample_putn(b, run, (size_t)(s - run));
    shn__sample_putn(b, "\"", 1);
}
