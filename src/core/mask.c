/* The masking policy, kind by kind (docs/mask.md says what each keeps and
 * why). Lengths are counted in characters, never bytes, so that a Japanese
 * name keeps one character as a Latin one does, and no character is cut. */
#include "shinsa/core/mask.h"
#include "mask_internal.h"

#include <stdbool.h>
#include <string.h>

#include "shinsa/core/utf8.h"

#define HIDDEN "***"

size_t shn__mask_char_len(const char *s, size_t len)
{
    uint32_t cp;
    size_t n = shn_utf8_decode(s, len, &cp);
    return n ? n : 1;
}

size_t shn__mask_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i += shn__mask_char_len(s + i, len - i))
        n++;
    return n;
}

/* The byte offset after the first n characters of s[0..len). */
static size_t skip_chars(const char *s, size_t len, size_t n)
{
    size_t i = 0;
    for (; n > 0 && i < len; n--)
        i += shn__mask_char_len(s + i, len - i);
    return i;
}

/* The byte offset where the last n characters of s[0..len) begin. */
static size_t last_chars(const char *s, size_t len, size_t n)
{
    size_t total = shn__mask_chars(s, len);
    return skip_chars(s, len, total > n ? total - n : 0);
}

void shn__mask_out_init(struct shn__mask_out *o, char *buf, size_t size)
{
    o->buf = buf;
    o->size = size;
    o->n = 0;
    o->full = size == 0;
    if (size)
        buf[0] = '\0';
}

/* Appends s[0..len) character by character while whole characters fit;
 * a byte that is not UTF-8 (or a NUL) becomes '?', so the output always is
 * UTF-8, and one C string. */
void shn__mask_put(struct shn__mask_out *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len && !o->full;) {
        uint32_t cp;
        size_t k = shn_utf8_decode(s + i, len - i, &cp);
        const char *from = k && cp ? s + i : "?"; /* a NUL would end the string */
        size_t w = k ? k : 1;
        if (o->n + w >= o->size) {
            o->full = true;
            break;
        }
        memcpy(o->buf + o->n, from, w);
        o->n += w;
        o->buf[o->n] = '\0';
        i += k ? k : 1;
    }
}

void shn__mask_puts(struct shn__mask_out *o, const char *s)
{
    shn__mask_put(o, s, strlen(s));
}

/* head characters, the marker, tail characters — unless that would show
 * more than half of the value: then its first character only (none for a
 * value of one character), so that a short value stays mostly hidden. */
static void keep_ends(struct shn__mask_out *o, const char *s, size_t len, size_t head, size_t tail,
                      const char *marker)
{
    size_t chars = shn__mask_chars(s, len), h, t;
    if ((head + tail) * 2 > chars) {
        head = chars >= 2 ? 1 : 0;
        tail = 0;
    }
    h = skip_chars(s, len, head);
    t = tail ? last_chars(s, len, tail) : len;
    if (t < h)
        t = h;
    shn__mask_put(o, s, h);
    shn__mask_puts(o, marker);
    shn__mask_put(o, s + t, len - t);
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The last `want` ASCII digits of s[0..len), in order, into digits. */
static size_t last_digits(const char *s, size_t len, size_t want, char *digits)
{
    size_t n = 0;
    for (size_t i = len; i > 0 && n < want; i--)
        if (is_digit(s[i - 1]))
            n++;
    for (size_t i = len, k = n; i > 0 && k > 0; i--)
        if (is_digit(s[i - 1]))
            digits[--k] = s[i - 1];
    return n;
}

static size_t count_digits(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += is_digit(s[i]);
    return n;
}

/* The domain says which provider (a free mailbox or a company's), which
 * alone identifies nobody; the mailbox name is the person. */
static void mask_email(struct shn__mask_out *o, const char *s, size_t len)
{
    size_t at = len;
    for (size_t i = len; i > 0 && at == len; i--)
        if (s[i - 1] == '@')
            at = i - 1;
    if (at == len) {
        keep_ends(o, s, len, 1, 0, HIDDEN);
        return;
    }
    keep_ends(o, s, at, 1, 0, HIDDEN);
    shn__mask_put(o, s + at, len - at);
}

/* The country code or trunk prefix, and two digits to tell numbers apart. */
static void mask_phone(struct shn__mask_out *o, const char *s, size_t len)
{
    char digits[2];
    size_t chars = shn__mask_chars(s, len), nd;
    if (count_digits(s, len) < 6 || (3 + 2) * 2 > chars) {
        keep_ends(o, s, len, 1, 0, HIDDEN);
        return;
    }
    nd = last_digits(s, len, 2, digits);
    shn__mask_put(o, s, skip_chars(s, len, 3));
    shn__mask_puts(o, HIDDEN);
    shn__mask_put(o, digits, nd);
}

/* The bank's (or the IBAN's country) first letters and at most four last
 * digits — half of them for a short number — as banks print them; the
 * holder's name in a free-form account string is hidden with the rest. */
static void mask_bank(struct shn__mask_out *o, const char *s, size_t len)
{
    char digits[4];
    size_t chars = shn__mask_chars(s, len), nd = count_digits(s, len) / 2;
    if (nd > 4)
        nd = 4;
    if ((2 + nd) * 2 > chars || nd == 0) {
        keep_ends(o, s, len, 1, 0, HIDDEN);
        return;
    }
    nd = last_digits(s, len, nd, digits);
    shn__mask_put(o, s, skip_chars(s, len, 2));
    shn__mask_puts(o, HIDDEN);
    shn__mask_put(o, digits, nd);
}

/* IPv4: the first two octets (the network's /16: a provider and a region);
 * of a network written a.b.c.0/24, the zero host part and the prefix too.
 * IPv6: the first two groups (the provider's allocation). */
static void mask_ip(struct shn__mask_out *o, const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len), *second = NULL, *slash;
    size_t pos, end, dots = 0;
    if (colon) {
        second = memchr(colon + 1, ':', len - (size_t)(colon + 1 - s));
        if (!second) {
            keep_ends(o, s, len, 1, 0, HIDDEN);
            return;
        }
        shn__mask_put(o, s, (size_t)(second - s));
        shn__mask_puts(o, ":*");
        return;
    }
    slash = memchr(s, '/', len);
    end = slash ? (size_t)(slash - s) : len;
    for (pos = 0; pos < end && dots < 2; pos++)
        dots += s[pos] == '.';
    if (dots < 2) {
        keep_ends(o, s, len, 1, 0, HIDDEN);
        return;
    }
    shn__mask_put(o, s, pos - 1); /* "203.0" */
    while (pos <= end) {
        size_t e = pos;
        while (e < end && s[e] != '.')
            e++;
        shn__mask_puts(o, ".");
        shn__mask_puts(o, slash && e - pos == 1 && s[pos] == '0' ? "0" : "*");
        pos = e + 1;
    }
    if (slash)
        shn__mask_put(o, slash, len - end);
}

/* "service:name" or "@name": the service and the sigil say where to look,
 * the name is the person's. */
static void mask_handle(struct shn__mask_out *o, const char *s, size_t len)
{
    const char *colon = memchr(s, ':', len);
    size_t from = 0;
    if (colon && colon - s <= 32)
        from = (size_t)(colon - s) + 1;
    if (from < len && s[from] == '@')
        from++;
    shn__mask_put(o, s, from);
    keep_ends(o, s + from, len - from, 1, 0, HIDDEN);
}

void shn__mask_shape(struct shn__mask_out *o, const char *s, size_t len)
{
    size_t shown = 0, i = 0;
    while (i < len && shown < SHN_MASK_SHAPE_CHARS && !o->full) {
        unsigned char c = (unsigned char)s[i];
        size_t k = shn__mask_char_len(s + i, len - i);
        char ch[2] = {0, 0};
        uint32_t cp;
        if (c == '\\' && i + 1 < len && strchr("\"\\/bfnrt", s[i + 1])) {
            shn__mask_put(o, s + i, 2); /* an escape is structure */
            i += 2;
            shown += 2;
            continue;
        }
        if (c == '\\' && i + 5 < len && s[i + 1] == 'u' && s[i + 2] == '0' && s[i + 3] == '0' &&
            (s[i + 4] == '0' || s[i + 4] == '1')) { /* \u0000-\u001f: a control character */
            shn__mask_put(o, s + i, 6);
            i += 6;
            shown += 6;
            continue;
        }
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            ch[0] = 'x';
        else if (is_digit((char)c))
            ch[0] = '9';
        else if (c < 0x20 || c == 0x7F || !shn_utf8_decode(s + i, len - i, &cp))
            ch[0] = '?';
        else if (c >= 0x80)
            ch[0] = '*';
        else
            ch[0] = (char)c;
        shn__mask_puts(o, ch);
        i += k;
        shown++;
    }
    if (i < len)
        shn__mask_puts(o, "…");
}

size_t shn_mask(enum shn_mask_kind kind, const char *v, size_t len, char *out, size_t size)
{
    struct shn__mask_out o;
    shn__mask_out_init(&o, out, size);
    switch (kind) {
    case SHN_MASK_EMAIL:
        mask_email(&o, v, len);
        break;
    case SHN_MASK_PHONE:
        mask_phone(&o, v, len);
        break;
    case SHN_MASK_NAME:
        keep_ends(&o, v, len, 1, 0, HIDDEN);
        break;
    case SHN_MASK_ID:
        keep_ends(&o, v, len, 2, 2, HIDDEN);
        break;
    case SHN_MASK_BANK:
        mask_bank(&o, v, len);
        break;
    case SHN_MASK_WALLET: /* explorers and analysts shorten addresses so */
        keep_ends(&o, v, len, 6, 4, "…");
        break;
    case SHN_MASK_IP:
        mask_ip(&o, v, len);
        break;
    case SHN_MASK_HANDLE:
        mask_handle(&o, v, len);
        break;
    case SHN_MASK_DIGEST: /* a hash shows no face; 64 bits are enough to read */
        if (shn__mask_chars(v, len) > 16) {
            shn__mask_put(&o, v, skip_chars(v, len, 16));
            shn__mask_puts(&o, "…");
        } else {
            shn__mask_put(&o, v, len);
        }
        break;
    default:
        shn__mask_shape(&o, v, len);
        break;
    }
    return o.n;
}

const char *shn_mask_kind_name(enum shn_mask_kind kind)
{
    static const char *const names[SHN_MASK_KIND_COUNT] = {
        "shape", "email", "phone", "name", "id", "bank", "wallet", "ip", "handle", "digest"};
    return (unsigned)kind < SHN_MASK_KIND_COUNT ? names[kind] : "shape";
}
