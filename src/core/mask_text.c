/* The masking policy applied to text: free-text excerpts with the personal
 * values in them masked, and parser errors that say where and what went
 * wrong without repeating the input. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "mask_internal.h"
#include "shinsa/core/mask.h"

static size_t prev_char(const char *s, size_t i)
{
    do
        i--;
    while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80);
    return i;
}

static const struct shn_mask_span *span_at(const struct shn_mask_span *spans, size_t n, size_t i)
{
    for (size_t k = 0; k < n; k++)
        if (spans[k].start <= i && i < spans[k].end)
            return &spans[k];
    return NULL;
}

size_t shn_mask_excerpt(const char *s, size_t len, size_t start, size_t end, size_t max_chars,
                        const struct shn_mask_span *spans, size_t n_spans, char *out, size_t size)
{
    static const char cut[] = "…";
    struct shn__mask_out o;
    size_t hit_chars, room, from, to, i;

    shn__mask_out_init(&o, out, size);
    if (size <= sizeof cut)
        return 0;
    start = start < len ? start : len;
    end = end < start ? start : end < len ? end : len;
    hit_chars = shn__mask_chars(s + start, end - start);
    room = hit_chars >= max_chars ? 0 : max_chars - hit_chars;
    from = start;
    for (size_t back = room / 2; back > 0 && from > 0; back--) { /* half the room before */
        from = prev_char(s, from);
        room--;
    }
    to = end;
    if (hit_chars > max_chars) { /* the part alone is too long: its start */
        to = start;
        for (size_t k = 0; k < max_chars && to < len; k++)
            to += shn__mask_char_len(s + to, len - to);
    }
    for (; room > 0 && to < len; room--)
        to += shn__mask_char_len(s + to, len - to);

    o.size -= sizeof cut - 1; /* the closing "…" always fits */
    if (from > 0)
        shn__mask_puts(&o, cut);
    i = from;
    while (i < to && !o.full) {
        const struct shn_mask_span *m = span_at(spans, n_spans, i);
        size_t k;
        if (m) {
            char masked[SHN_MASK_MAX];
            size_t w = shn_mask(m->kind, s + m->start, m->end - m->start, masked, sizeof masked);
            if (o.n + w >= o.size) /* a masked value is shown whole or not at all */
                break;
            shn__mask_put(&o, masked, w);
            i = m->end;
            to = to < i ? i : to;
            continue;
        }
        k = shn__mask_char_len(s + i, len - i);
        shn__mask_put(&o, s + i, k);
        if (!o.full)
            i += k;
    }
    o.size += sizeof cut - 1;
    o.full = false;
    if (i < len)
        shn__mask_puts(&o, cut);
    return o.n;
}

/* ------------------------------------------------------------ JSON errors */

#define DEPTH_MAX 8

struct level {
    bool object;
    bool has_key; /* object: a key was read and its value is (being) read */
    char key[48]; /* object: as shn_mask_field shows it */
    size_t index; /* array: the element being read */
};

/* A field name as formats write them (what else could be personal data: a
 * name typed where a key belongs). */
static bool plain_key(const char *s, size_t len)
{
    if (len == 0 || len > 39)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return false;
    }
    return true;
}

size_t shn_mask_field(const char *key, size_t len, char *out, size_t size)
{
    struct shn__mask_out o;
    shn__mask_out_init(&o, out, size);
    if (plain_key(key, len))
        shn__mask_put(&o, key, len);
    else
        shn__mask_shape(&o, key, len);
    return o.n;
}

/* The end of the string starting at s[i] == '"' (the closing quote, or
 * `stop` when it is not closed before it). */
static size_t string_end(const char *s, size_t i, size_t stop)
{
    for (i++; i < stop; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i;
    }
    return stop;
}

static void field_path(const struct level *lv, size_t depth, char *out, size_t size)
{
    size_t n = 0;
    out[0] = '\0';
    for (size_t d = 0; d < depth && n + 1 < size; d++) {
        int w = 0;
        if (lv[d].object && lv[d].has_key)
            w = snprintf(out + n, size - n, "%s%s", n ? "." : "", lv[d].key);
        else if (!lv[d].object && d > 0)
            w = snprintf(out + n, size - n, "[%zu]", lv[d].index);
        if (w < 0 || (size_t)w >= size - n) { /* too deep to name whole: its start */
            out[n] = '\0';
            break;
        }
        n += (size_t)w;
    }
}

/* The key starting at s[i] == '"' into top (unclosed: to len). */
static void read_key(struct level *top, const char *s, size_t i, size_t len)
{
    size_t e = string_end(s, i, len);
    top->has_key = true;
    shn_mask_field(s + i + 1, e - i - 1, top->key, sizeof top->key);
}

/* Follows the JSON text s[0..len) up to `stop`, where the parser found the
 * token it refused, as far as keys and nesting go (it need not be valid:
 * the parser refused it). A string token where a key belongs is the key
 * being read (a duplicate key, or a value typed where a key belongs). */
static void json_field_at(const char *s, size_t len, size_t stop, char *field, size_t size)
{
    struct level lv[DEPTH_MAX];
    size_t depth = 0, over = 0; /* levels past DEPTH_MAX are counted only */
    bool want_key = false;
    for (size_t i = 0; i < stop; i++) {
        struct level *top = depth && !over ? &lv[depth - 1] : NULL;
        char c = s[i];
        if (c == '"') {
            size_t e = string_end(s, i, stop);
            if (top && top->object && want_key) {
                read_key(top, s, i, stop);
                want_key = false;
            }
            i = e;
        } else if (c == '{' || c == '[') {
            if (depth < DEPTH_MAX && !over)
                lv[depth++] = (struct level){.object = c == '{'};
            else
                over++;
            want_key = c == '{';
        } else if (c == '}' || c == ']') {
            if (over)
                over--;
            else if (depth)
                depth--;
            want_key = false;
        } else if (c == ',' && top) {
            if (top->object) {
                top->has_key = false;
                want_key = true;
            } else {
                top->index++;
            }
        }
    }
    if (want_key && depth && !over && lv[depth - 1].object && stop < len && s[stop] == '"')
        read_key(&lv[depth - 1], s, stop, len);
    field_path(lv, depth, field, size);
}

void shn_mask_json_error(const char *text, size_t len, size_t position, const char *message,
                         char *field, size_t field_size, char *msg, size_t msg_size)
{
    static const char near[] = " near '";
    const char *q = message ? strstr(message, near) : NULL, *from = NULL, *to = NULL;
    size_t stop = position < len ? position : len;
    struct shn__mask_out o;

    if (q) { /* the excerpt runs to the last quote (the message may have been cut) */
        from = q + sizeof near - 1;
        to = from + strlen(from);
        if (to > from && to[-1] == '\'')
            to--;
        /* the parser stands after the token it refused: look before it */
        if ((size_t)(to - from) <= stop &&
            memcmp(text + stop - (size_t)(to - from), from, (size_t)(to - from)) == 0)
            stop -= (size_t)(to - from);
    }
    if (field && field_size)
        json_field_at(text, len, stop, field, field_size);
    if (!msg || !msg_size)
        return;
    shn__mask_out_init(&o, msg, msg_size);
    if (!message)
        return;
    if (!q) {
        shn__mask_puts(&o, message);
        return;
    }
    shn__mask_put(&o, message, (size_t)(from - message));
    shn__mask_shape(&o, from, (size_t)(to - from));
    shn__mask_puts(&o, "'");
}
