#include "shinsa/core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shinsa/core/alloc.h"

void shn_buf_init(struct shn_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void shn_buf_cleanup(struct shn_buf *b)
{
    shn_free(b->data);
    shn_buf_init(b, b->cap);
}

void shn_buf_reset(struct shn_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int shn_buf_reserve(struct shn_buf *b, size_t extra)
{
    size_t need, want;
    char *p;

    if (!shn_size_add(b->len, extra, &need) || need > b->cap)
        return SHN_ERR_TOO_LARGE;
    if (need + 1 <= b->alloc)
        return SHN_OK;
    want = b->alloc ? b->alloc : 64;
    while (want < need + 1) {
        if (!shn_size_mul(want, 2, &want))
            return SHN_ERR_TOO_LARGE;
    }
    if (want > b->cap + 1)
        want = b->cap + 1;
    p = shn_realloc(b->data, want);
    if (!p)
        return SHN_ERR_NOMEM;
    b->data = p;
    b->alloc = want;
    return SHN_OK;
}

int shn_buf_append(struct shn_buf *b, const void *data, size_t len)
{
    int rc = shn_buf_reserve(b, len);

    if (rc != SHN_OK)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return SHN_OK;
}

int shn_buf_append_str(struct shn_buf *b, const char *s)
{
    return shn_buf_append(b, s, strlen(s));
}

int shn_buf_append_char(struct shn_buf *b, char c)
{
    return shn_buf_append(b, &c, 1);
}

int shn_buf_appendf(struct shn_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SHN_ERR_INVALID;
    rc = shn_buf_reserve(b, (size_t)n);
    if (rc != SHN_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return SHN_OK;
}

int shn_buf_append_json_string(struct shn_buf *b, const char *s)
{
    int rc = shn_buf_append_char(b, '"');

    for (; rc == SHN_OK && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            rc = shn_buf_append(b, esc, 2);
        } else if (c == '\n') {
            rc = shn_buf_append(b, "\\n", 2);
        } else if (c == '\t') {
            rc = shn_buf_append(b, "\\t", 2);
        } else if (c == '\r') {
            rc = shn_buf_append(b, "\\r", 2);
        } else if (c < 0x20) {
            rc = shn_buf_appendf(b, "\\u%04x", c);
        } else {
            rc = shn_buf_append_char(b, (char)c);
        }
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_char(b, '"');
    return rc;
}

int shn_buf_append_xml_escaped(struct shn_buf *b, const char *s)
{
    int rc = SHN_OK;

    for (; rc == SHN_OK && *s; s++) {
        switch (*s) {
        case '<':
            rc = shn_buf_append_str(b, "&lt;");
            break;
        case '>':
            rc = shn_buf_append_str(b, "&gt;");
            break;
        case '&':
            rc = shn_buf_append_str(b, "&amp;");
            break;
        case '"':
            rc = shn_buf_append_str(b, "&quot;");
            break;
        case '\'':
            rc = shn_buf_append_str(b, "&#39;");
            break;
        default:
            rc = shn_buf_append_char(b, *s);
        }
    }
    return rc;
}
