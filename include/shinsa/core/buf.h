/* A growable byte buffer with a hard cap: growing past `cap` fails with
 * SHN_ERR_TOO_LARGE instead of eating memory. Always NUL-terminated. */
#ifndef SHN_CORE_BUF_H
#define SHN_CORE_BUF_H

#include <stddef.h>

#include "shinsa/core/err.h"

struct shn_buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t alloc;
    size_t cap; /* maximum len */
};

void shn_buf_init(struct shn_buf *b, size_t cap);
void shn_buf_cleanup(struct shn_buf *b);
void shn_buf_reset(struct shn_buf *b); /* len = 0, memory kept */
int shn_buf_append(struct shn_buf *b, const void *data, size_t len);
int shn_buf_append_str(struct shn_buf *b, const char *s);
int shn_buf_append_char(struct shn_buf *b, char c);
int shn_buf_appendf(struct shn_buf *b, const char *fmt, ...) SHN_PRINTF(2, 3);
/* Ensures room for `extra` more bytes without changing len. */
int shn_buf_reserve(struct shn_buf *b, size_t extra);
/* Appends s as a JSON string literal, quotes included. */
int shn_buf_append_json_string(struct shn_buf *b, const char *s);
/* Appends s escaped for XML and HTML text and attribute values
 * (< > & " ' as entities; &#39; is understood by both). */
int shn_buf_append_xml_escaped(struct shn_buf *b, const char *s);

#endif
