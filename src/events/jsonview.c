/* The read-only JSON object view (shinsa/events.h): a validating skip over
 * every value, member spans for the top level, decoding on demand. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/events.h"

static const char *ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

static int hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* p at '"': the byte after the closing quote, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end;) {
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            return p + 1;
        if (c < 0x20)
            return NULL;
        if (c != '\\') {
            p++;
            continue;
        }
        if (++p >= end)
            return NULL;
        if (*p == 'u') {
            if (end - p < 5)
                return NULL;
            for (int i = 1; i <= 4; i++)
                if (hex(p[i]) < 0)
                    return NULL;
            p += 5;
        } else if (strchr("\"\\/bfnrt", *p) && *p) {
            p++;
        } else {
            return NULL;
        }
    }
    return NULL;
}

static const char *skip_number(const char *p, const char *end)
{
    const char *start = p;
    bool digit = false;
    if (p < end && *p == '-')
        p++;
    for (; p < end; p++) {
        if (*p >= '0' && *p <= '9')
            digit = true;
        else if (*p != '.' && *p != 'e' && *p != 'E' && *p != '+' && *p != '-')
            break;
    }
    return digit && p > start ? p : NULL;
}

static const char *skip_value(const char *p, const char *end, int depth,
                              enum shn_events_view_type *type);

static const char *skip_container(const char *p, const char *end, int depth, bool object)
{
    char close = object ? '}' : ']';
    enum shn_events_view_type t;
    p = ws(p + 1, end);
    if (p < end && *p == close)
        return p + 1;
    for (;;) {
        if (object) {
            if (p >= end || *p != '"' || !(p = skip_string(p, end)))
                return NULL;
            p = ws(p, end);
            if (p >= end || *p != ':')
                return NULL;
            p = ws(p + 1, end);
        }
        if (!(p = skip_value(p, end, depth + 1, &t)))
            return NULL;
        p = ws(p, end);
        if (p < end && *p == close)
            return p + 1;
        if (p >= end || *p != ',')
            return NULL;
        p = ws(p + 1, end);
    }
}

static const char *skip_value(const char *p, const char *end, int depth,
                              enum shn_events_view_type *type)
{
    if (p >= end || depth > SHN_EVENTS_VIEW_DEPTH)
        return NULL;
    switch (*p) {
    case '"':
        *type = SHN_EVENTS_VIEW_STRING;
        return skip_string(p, end);
    case '{':
        *type = SHN_EVENTS_VIEW_OBJECT;
        return skip_container(p, end, depth, true);
    case '[':
        *type = SHN_EVENTS_VIEW_ARRAY;
        return skip_container(p, end, depth, false);
    case 't':
        *type = SHN_EVENTS_VIEW_OTHER;
        return end - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
    case 'f':
        *type = SHN_EVENTS_VIEW_OTHER;
        return end - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
    case 'n':
        *type = SHN_EVENTS_VIEW_OTHER;
        return end - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
    default:
        *type = SHN_EVENTS_VIEW_NUMBER;
        return skip_number(p, end);
    }
}

bool shn_events_view_object(const char *text, size_t len, struct shn_events_view *out)
{
    const char *p = text, *end = text + len;
    out->n = 0;
    p = ws(p, end);
    if (p >= end || *p != '{')
        return false;
    p = ws(p + 1, end);
    if (p < end && *p == '}')
        return ws(p + 1, end) == end;
    for (;;) {
        const char *key = p, *v;
        enum shn_events_view_type t;
        if (p >= end || *p != '"' || !(p = skip_string(p, end)))
            return false;
        if (out->n < SHN_EVENTS_VIEW_MEMBERS) {
            out->m[out->n].key = key + 1;
            out->m[out->n].key_len = (size_t)(p - key) - 2;
            out->m[out->n].key_escaped = memchr(key + 1, '\\', (size_t)(p - key) - 2) != NULL;
        }
        p = ws(p, end);
        if (p >= end || *p != ':')
            return false;
        v = p = ws(p + 1, end);
        if (!(p = skip_value(p, end, 1, &t)))
            return false;
        if (out->n < SHN_EVENTS_VIEW_MEMBERS) {
            out->m[out->n].v = (struct shn_events_view_value){t, v, (size_t)(p - v)};
            out->n++;
        }
        p = ws(p, end);
        if (p < end && *p == '}')
            return ws(p + 1, end) == end;
        if (p >= end || *p != ',')
            return false;
        p = ws(p + 1, end);
    }
}

bool shn_events_view_as_object(const struct shn_events_view_value *v, struct shn_events_view *out)
{
    out->n = 0;
    return v->type == SHN_EVENTS_VIEW_OBJECT && shn_events_view_object(v->p, v->len, out);
}

static size_t decode(const char *p, const char *end, char *out);

/* A key written with escapes ("t\u0065xt") is the same key to jansson,
 * which checked the event at ingest: decode it before comparing, or such a
 * member would be invisible to the signals. */
static bool escaped_key_is(const char *raw, size_t len, const char *key, size_t n)
{
    char buf[128];
    if (len >= sizeof buf)
        return false;
    return decode(raw, raw + len, buf) == n && memcmp(buf, key, n) == 0;
}

struct shn_events_view_value shn_events_view_get(const struct shn_events_view *o, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < o->n; i++) {
        if (o->m[i].key_escaped ? escaped_key_is(o->m[i].key, o->m[i].key_len, key, n)
                                : o->m[i].key_len == n && memcmp(o->m[i].key, key, n) == 0)
            return o->m[i].v;
    }
    return (struct shn_events_view_value){SHN_EVENTS_VIEW_NONE, NULL, 0};
}

static size_t put_utf8(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static uint32_t hex4(const char *p)
{
    return (uint32_t)(hex(p[0]) << 12 | hex(p[1]) << 8 | hex(p[2]) << 4 | hex(p[3]));
}

/* Decodes the checked string body p..end (escapes, \u surrogates) into
 * out, which has room for end - p + 1 bytes; returns the length. */
static size_t decode(const char *p, const char *end, char *out)
{
    char *o = out;
    while (p < end) {
        uint32_t c;
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        switch (p[1]) {
        case 'b':
            c = '\b';
            break;
        case 'f':
            c = '\f';
            break;
        case 'n':
            c = '\n';
            break;
        case 'r':
            c = '\r';
            break;
        case 't':
            c = '\t';
            break;
        case 'u':
            c = hex4(p + 2);
            p += 4;
            /* A high surrogate followed by a low one: one code point. */
            if (c >= 0xD800 && c < 0xDC00 && end - p >= 8 && p[2] == '\\' && p[3] == 'u') {
                uint32_t lo = hex(p[4]) >= 0 && hex(p[5]) >= 0 && hex(p[6]) >= 0 && hex(p[7]) >= 0
                                  ? hex4(p + 4)
                                  : 0;
                if (lo >= 0xDC00 && lo < 0xE000) {
                    c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            if (c >= 0xD800 && c < 0xE000)
                c = 0xFFFD; /* a lone surrogate */
            break;
        default:
            c = (unsigned char)p[1];
            break; /* \" \\ \/ */
        }
        p += 2;
        o += put_utf8(o, c);
    }
    *o = '\0';
    return (size_t)(o - out);
}

const char *shn_events_view_string(const struct shn_events_view_value *v, struct shn_arena *arena)
{
    char *out;
    /* Decoded text is never longer than the raw text between the quotes. */
    if (v->type != SHN_EVENTS_VIEW_STRING || v->len < 2 || !(out = shn_arena_alloc(arena, v->len)))
        return NULL;
    decode(v->p + 1, v->p + v->len - 1, out);
    return out;
}

double shn_events_view_number(const struct shn_events_view_value *v)
{
    char buf[64];
    if (v->type != SHN_EVENTS_VIEW_NUMBER || v->len == 0 || v->len >= sizeof buf)
        return 0;
    memcpy(buf, v->p, v->len);
    buf[v->len] = '\0';
    return strtod(buf, NULL);
}

bool shn_events_view_next(const struct shn_events_view_value *array, size_t *pos,
                          struct shn_events_view_value *out)
{
    const char *p, *end, *start;
    enum shn_events_view_type t;
    if (array->type != SHN_EVENTS_VIEW_ARRAY || *pos >= array->len)
        return false;
    p = array->p + *pos;
    end = array->p + array->len;
    if (*pos == 0) {
        p = ws(p + 1, end);
        if (p < end && *p == ']')
            return false;
    } else {
        p = ws(p, end);
        if (p >= end || *p != ',')
            return false;
        p = ws(p + 1, end);
    }
    start = p;
    if (!(p = skip_value(p, end, 1, &t)))
        return false;
    *out = (struct shn_events_view_value){t, start, (size_t)(p - start)};
    *pos = (size_t)(p - array->p);
    return true;
}
