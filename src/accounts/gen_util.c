/* Randomness and the bounded line buffer of the sample-platform generator. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gen_internal.h"

uint64_t shn__gen_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t shn__gen_below(uint64_t *s, uint64_t n)
{
    return n ? shn__gen_next(s) % n : 0;
}

double shn__gen_unit(uint64_t *s)
{
    return (double)(shn__gen_next(s) >> 11) / 9007199254740992.0;
}

double shn__gen_normal(uint64_t *s)
{
    double u = shn__gen_unit(s), v = shn__gen_unit(s);
    return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

uint64_t shn__gen_mix(uint64_t a, uint64_t b)
{
    uint64_t s = a ^ (b * 0xD6E8FEB86659FD93ull);
    shn__gen_next(&s);
    return shn__gen_next(&s);
}

void shn__gen_putn(struct shn__gen_buf *b, const char *s, size_t n)
{
    if (b->err || n > b->cap - b->len - 1) {
        b->err = SHN_ERR_TOO_LARGE;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void shn__gen_put(struct shn__gen_buf *b, const char *s)
{
    shn__gen_putn(b, s, strlen(s));
}

void shn__gen_printf(struct shn__gen_buf *b, const char *fmt, ...)
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

void shn__gen_json_str(struct shn__gen_buf *b, const char *s)
{
    const char *run = s;

    shn__gen_putn(b, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        shn__gen_putn(b, run, (size_t)(s - run));
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            shn__gen_putn(b, esc, 2);
        } else if (c == '\n') {
            shn__gen_putn(b, "\\n", 2);
        } else {
            shn__gen_printf(b, "\\u%04x", c);
        }
        run = s + 1;
    }
    shn__gen_putn(b, run, (size_t)(s - run));
    shn__gen_putn(b, "\"", 1);
}
