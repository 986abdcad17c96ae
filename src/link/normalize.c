/* Identifier normalisation, one rule per kind (docs/link.md). Each rule
 * turns the ways people write one identifier into one string, so that the
 * same wallet, phone or email seen in different forms becomes one node. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "link_internal.h"
#include "shinsa/image.h"
/* Name analysis turns a name in any script into romanization-independent
 * keys (김철수 / Kim Chol Su / Gim Cheol-su), which is what "similar name"
 * evidence needs. */
#include "shinsa/names.h"

static const char *const kind_names[SHN_LINK_KIND_COUNT] = {
    "wallet", "phone", "email", "device", "bank",   "id_number",
    "image",  "ip",    "ip",    "name",   "handle",
};

const char *shn_link_kind_name(enum shn_link_kind kind)
{
    if ((unsigned)kind >= SHN_LINK_KIND_COUNT)
        return "unknown";
    return kind_names[kind];
}

/* Output with a bound: every append checks room for the final NUL. */
struct out {
    char *p;
    size_t n, size;
    bool full;
};

static void put(struct out *o, char c)
{
    if (o->n + 1 >= o->size) {
        o->full = true;
        return;
    }
    o->p[o->n++] = c;
    o->p[o->n] = '\0';
}

static void puts_n(struct out *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        put(o, s[i]);
}

static int finish(struct out *o)
{
    if (o->full)
        return SHN_ERR_TOO_LARGE;
    if (o->n == 0)
        return SHN_ERR_PARSE;
    return SHN_OK;
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Next character of s[*i..len) with full-width ASCII (U+FF01..U+FF5E, as
 * typed on Japanese keyboards) and the ideographic space folded to ASCII.
 * Returns the byte for ASCII or folded characters, 0x80 for anything else
 * (skipping the whole UTF-8 sequence). */
static unsigned char next_ascii(const char *s, size_t len, size_t *i)
{
    const unsigned char *u = (const unsigned char *)s;
    unsigned char c = u[*i];
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    if (c == 0xEF && *i + 2 < len) {
        unsigned cp = ((unsigned)(c & 0x0F) << 12) | ((unsigned)(u[*i + 1] & 0x3F) << 6) |
                      (unsigned)(u[*i + 2] & 0x3F);
        if ((u[*i + 1] & 0xC0) == 0x80 && (u[*i + 2] & 0xC0) == 0x80 && cp >= 0xFF01 &&
            cp <= 0xFF5E) {
            *i += 3;
            return (unsigned char)(cp - 0xFF01 + 0x21);
        }
    }
    /* dashes people type in numbers: U+2010..U+2015 and the minus U+2212 */
    if (c == 0xE2 && *i + 2 < len &&
        ((u[*i + 1] == 0x80 && u[*i + 2] >= 0x90 && u[*i + 2] <= 0x95) ||
         (u[*i + 1] == 0x88 && u[*i + 2] == 0x92))) {
        *i += 3;
        return '-';
    }
    if (c == 0xE3 && *i + 2 < len && u[*i + 1] == 0x80 && u[*i + 2] == 0x80) {
        *i += 3;
        return ' ';
    }
    (*i)++;
    while (*i < len && (u[*i] & 0xC0) == 0x80)
        (*i)++;
    return 0x80;
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && is_space((unsigned char)(*s)[0])) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_space((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

static bool ascii_case_eq(const char *a, size_t alen, const char *b)
{
    size_t blen = strlen(b);
    if (alen != blen)
        return false;
    for (size_t i = 0; i < alen; i++)
        if (lower(a[i]) != b[i])
            return false;
    return true;
}

/* Emails: lower case; "+tag" sub-addresses cut (Gmail, Outlook, Fastmail
 * and most providers deliver them to the same box); Gmail ignores dots and
 * googlemail.com is gmail.com. */
static int norm_email(const char *s, size_t len, struct out *o)
{
    const char *at = memchr(s, '@', len);
    if (len >= 7 && ascii_case_eq(s, 7, "mailto:")) {
        s += 7;
        len -= 7;
        at = memchr(s, '@', len);
    }
    if (!at || at == s || at == s + len - 1 || memchr(at + 1, '@', len - (size_t)(at - s) - 1))
        return SHN_ERR_PARSE;
    const char *dom = at + 1;
    size_t dlen = len - (size_t)(dom - s);
    bool gmail =
        ascii_case_eq(dom, dlen, "gmail.com") || ascii_case_eq(dom, dlen, "googlemail.com");
    for (const char *p = s; p < at; p++) {
        if (*p == '+')
            break;
        if (is_space((unsigned char)*p))
            return SHN_ERR_PARSE;
        if (gmail && *p == '.')
            continue;
        put(o, lower(*p));
    }
    if (o->n == 0)
        return SHN_ERR_PARSE;
    put(o, '@');
    if (gmail) {
        puts_n(o, "gmail.com", 9);
    } else {
        for (size_t i = 0; i < dlen; i++) {
            if (is_space((unsigned char)dom[i]))
                return SHN_ERR_PARSE;
            put(o, lower(dom[i]));
        }
    }
    return finish(o);
}

/* Minimal national numbering rules: country code and the trunk prefix that
 * national forms start with. */
struct region_rule {
    const char *region, *cc, *trunk;
};
static const struct region_rule regions[] = {
    {"JP", "81", "0"}, {"KR", "82", "0"}, {"CN", "86", "0"}, {"US", "1", ""}, {"RU", "7", "8"},
};

/* Phones to E.164: "+" and 8..15 digits. "00" is the international prefix;
 * a national form loses its trunk prefix and gains the region's code. */
static int norm_phone(const char *s, size_t len, const char *region, struct out *o)
{
    char digits[32];
    size_t nd = 0, i = 0;
    bool plus = false, any = false;
    const struct region_rule *r = &regions[0];
    for (size_t k = 0; region && k < sizeof regions / sizeof regions[0]; k++)
        if (strcmp(regions[k].region, region) == 0)
            r = &regions[k];
    while (i < len) {
        unsigned char c = next_ascii(s, len, &i);
        if (c >= '0' && c <= '9') {
            if (nd >= sizeof digits - 1)
                return SHN_ERR_PARSE;
            digits[nd++] = (char)c;
            any = true;
        } else if (c == '+' && !any && !plus) {
            plus = true;
        } else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/') {
            continue;
        } else {
            return SHN_ERR_PARSE;
        }
    }
    digits[nd] = '\0';
    const char *d = digits;
    if (!plus && nd > 2 && d[0] == '0' && d[1] == '0') {
        plus = true;
        d += 2;
        nd -= 2;
    }
    put(o, '+');
    if (plus) {
        puts_n(o, d, nd);
    } else {
        size_t tl = strlen(r->trunk), cl = strlen(r->cc);
        if (strcmp(r->region, "US") == 0 && nd == 11 && d[0] == '1') {
            d++;
            nd--;
        } else if (tl > 0 && nd > tl && strncmp(d, r->trunk, tl) == 0) {
            d += tl;
            nd -= tl;
        } else if (nd >= cl + 9 && strncmp(d, r->cc, cl) == 0) {
            cl = 0; /* already carries its country code */
        }
        puts_n(o, r->cc, cl);
        puts_n(o, d, nd);
    }
    if (o->n < 9 || o->n > 16)
        return SHN_ERR_PARSE;
    return finish(o);
}

/* Handles: "service:name" or a profile URL; lower case, no leading "@", no
 * trailing "/", query or fragment. Services: github, telegram (t.me),
 * x (twitter.com), and any other written as "service:name". */
static int norm_handle(const char *s, size_t len, struct out *o)
{
    static const struct {
        const char *host, *service;
    } hosts[] = {
        {"github.com/", "github"},    {"t.me/", "telegram"},
        {"telegram.me/", "telegram"}, {"x.com/", "x"},
        {"twitter.com/", "x"},        {"linkedin.com/in/", "linkedin"},
        {"gitlab.com/", "gitlab"},    {"upwork.com/freelancers/", "upwork"},
    };
    const char *service = NULL;
    size_t slen = 0;
    if (len >= 7 && ascii_case_eq(s, 7, "http://"))
        s += 7, len -= 7;
    if (len >= 8 && ascii_case_eq(s, 8, "https://"))
        s += 8, len -= 8;
    if (len >= 4 && ascii_case_eq(s, 4, "www."))
        s += 4, len -= 4;
    for (size_t k = 0; k < sizeof hosts / sizeof hosts[0] && !service; k++) {
        size_t hl = strlen(hosts[k].host);
        if (len > hl && ascii_case_eq(s, hl, hosts[k].host)) {
            service = hosts[k].service;
            slen = strlen(service);
            s += hl;
            len -= hl;
        }
    }
    if (!service) {
        const char *colon = memchr(s, ':', len);
        if (!colon || colon == s)
            return SHN_ERR_PARSE;
        service = s;
        slen = (size_t)(colon - s);
        s = colon + 1;
        len -= slen + 1;
        if (ascii_case_eq(service, slen, "twitter"))
            service = "x", slen = 1;
        else if (ascii_case_eq(service, slen, "tg"))
            service = "telegram", slen = 8;
    }
    trim(&s, &len);
    while (len > 0 && s[0] == '@')
        s++, len--;
    size_t end = 0;
    while (end < len && s[end] != '/' && s[end] != '?' && s[end] != '#')
        end++;
    if (end == 0)
        return SHN_ERR_PARSE;
    for (size_t i = 0; i < slen; i++)
        put(o, lower(service[i]));
    put(o, ':');
    for (size_t i = 0; i < end; i++) {
        if (is_space((unsigned char)s[i]) || (unsigned char)s[i] < 0x20)
            return SHN_ERR_PARSE;
        put(o, lower(s[i]));
    }
    return finish(o);
}

static bool is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Wallets: EVM addresses (0x + 40 hex) are case-insensitive (the mixed case
 * is only a checksum); every other chain's address is case-sensitive and
 * kept as written. */
static int norm_wallet(const char *s, size_t len, struct out *o)
{
    bool evm = len == 42 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    for (size_t i = 2; evm && i < len; i++)
        evm = is_hex(s[i]);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c == 0x7F)
            return SHN_ERR_PARSE;
        put(o, evm ? lower((char)c) : (char)c);
    }
    return finish(o);
}

/* Bank accounts and ID numbers: digits and letters only, upper case. */
static int norm_alnum(const char *s, size_t len, struct out *o)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = next_ascii(s, len, &i);
        if (c >= '0' && c <= '9')
            put(o, (char)c);
        else if (c >= 'a' && c <= 'z')
            put(o, (char)(c - 'a' + 'A'));
        else if (c >= 'A' && c <= 'Z')
            put(o, (char)c);
    }
    return finish(o);
}

static int norm_ip(const char *s, size_t len, bool prefix24, struct out *o)
{
    char tmp[64], text[INET6_ADDRSTRLEN];
    unsigned char addr[16];
    if (len == 0 || len >= sizeof tmp)
        return SHN_ERR_PARSE;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    if (inet_pton(AF_INET, tmp, addr) == 1) {
        if (prefix24)
            addr[3] = 0;
        if (!inet_ntop(AF_INET, addr, text, sizeof text))
            return SHN_ERR_PARSE;
        puts_n(o, text, strlen(text));
        if (prefix24)
            puts_n(o, "/24", 3);
        return finish(o);
    }
    if (prefix24)
        return SHN_ERR_PARSE; /* IPv6 has no /24 evidence */
    if (inet_pton(AF_INET6, tmp, addr) != 1 || !inet_ntop(AF_INET6, addr, text, sizeof text))
        return SHN_ERR_PARSE;
    puts_n(o, text, strlen(text));
    return finish(o);
}

/* Tokens folded (ASCII to lower case, punctuation dropped) and sorted, so
 * "YAMADA, Taro" and "Taro Yamada" meet; other scripts kept as written. */
static int fold_sorted(const char *s, size_t len, struct out *o)
{
    enum { MAX_TOKENS = 16 };
    char buf[SHN_LINK_VALUE_MAX];
    size_t start[MAX_TOKENS], tlen[MAX_TOKENS], nt = 0, n = 0, i = 0;
    bool in = false;
    while (i < len) {
        size_t at = i;
        unsigned char c = next_ascii(s, len, &i);
        bool word = c == 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                    (c >= 'A' && c <= 'Z') || c == '\'';
        if (!word) {
            in = false;
            continue;
        }
        if (!in) {
            if (nt == MAX_TOKENS)
                return SHN_ERR_TOO_LARGE;
            start[nt] = n;
            tlen[nt++] = 0;
            in = true;
        }
        size_t clen = c == 0x80 ? i - at : 1;
        if (n + clen >= sizeof buf)
            return SHN_ERR_TOO_LARGE;
        if (c == 0x80)
            memcpy(buf + n, s + at, clen);
        else
            buf[n] = lower((char)c);
        n += clen;
        tlen[nt - 1] += clen;
    }
    /* insertion sort of at most 16 tokens */
    size_t order[MAX_TOKENS];
    for (size_t k = 0; k < nt; k++) {
        size_t j = k;
        while (j > 0) {
            size_t a = order[j - 1], b = k;
            size_t ml = tlen[a] < tlen[b] ? tlen[a] : tlen[b];
            int c = memcmp(buf + start[a], buf + start[b], ml);
            if (c < 0 || (c == 0 && tlen[a] <= tlen[b]))
                break;
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    for (size_t k = 0; k < nt; k++) {
        if (k > 0)
            put(o, ' ');
        puts_n(o, buf + start[order[k]], tlen[order[k]]);
    }
    return finish(o);
}

/* Names: the folded keys (shinsa/names.h) of the first reading, tokens
 * sorted; names it cannot analyse are folded as written. */
static int norm_name(const char *s, size_t len, struct out *o)
{
    struct shn_name_forms forms;
    char name[4 * SHN_LINK_VALUE_MAX + 1];
    if (len < sizeof name) {
        memcpy(name, s, len);
        name[len] = '\0';
        if (shn_names_analyze(name, NULL, &forms) == SHN_OK && forms.nvariants > 0 &&
            forms.v[0].keys[0] != '\0')
            return fold_sorted(forms.v[0].keys, strlen(forms.v[0].keys), o);
    }
    return fold_sorted(s, len, o);
}

int shn_link_normalize(enum shn_link_kind kind, const char *raw, size_t len, const char *region,
                       char *outp, size_t size)
{
    char tmp[SHN_LINK_VALUE_MAX + 1];
    struct out o = {tmp, 0, sizeof tmp, false};
    int rc;
    if (!raw || !outp || size == 0)
        return SHN_ERR_INVALID;
    tmp[0] = '\0';
    if (len > 4 * SHN_LINK_VALUE_MAX)
        return SHN_ERR_TOO_LARGE;
    trim(&raw, &len);
    if (len == 0)
        return SHN_ERR_PARSE;
    switch (kind) {
    case SHN_LINK_EMAIL:
        rc = norm_email(raw, len, &o);
        break;
    case SHN_LINK_PHONE:
        rc = norm_phone(raw, len, region, &o);
        break;
    case SHN_LINK_HANDLE:
        rc = norm_handle(raw, len, &o);
        break;
    case SHN_LINK_WALLET:
        rc = norm_wallet(raw, len, &o);
        break;
    case SHN_LINK_BANK:
    case SHN_LINK_ID_NUMBER:
        rc = norm_alnum(raw, len, &o);
        break;
    case SHN_LINK_IP:
        rc = norm_ip(raw, len, false, &o);
        break;
    case SHN_LINK_IP24:
        rc = norm_ip(raw, len, true, &o);
        break;
    case SHN_LINK_NAME:
        rc = norm_name(raw, len, &o);
        break;
    case SHN_LINK_IMAGE: {
        struct shn_pdq h;
        rc = shn_image_pdq_from_hex(raw, len, &h);
        if (rc == SHN_OK) {
            shn_image_pdq_to_hex(&h, tmp);
            o.n = strlen(tmp);
        }
        break;
    }
    case SHN_LINK_DEVICE:
        for (size_t i = 0; i < len; i++) {
            if ((unsigned char)raw[i] < 0x20 || raw[i] == 0x7F) {
                rc = SHN_ERR_PARSE;
                goto out;
            }
            put(&o, raw[i]);
        }
        rc = finish(&o);
        break;
    default:
        rc = SHN_ERR_INVALID;
        break;
    }
out:
    if (rc != SHN_OK)
        return rc;
    if (o.n + 1 > size)
        return SHN_ERR_TOO_LARGE;
    memcpy(outp, tmp, o.n + 1);
    return SHN_OK;
}
