/* Just enough HTML for mail: the text without tags (for the lexicon) and
 * the tags with their attributes (for links and images). Not a browser:
 * a tolerant, bounded scanner that never looks back, so any input ends. */
#include <ctype.h>
#include <string.h>

#include "html.h"
#include "mail_internal.h"
#include "shinsa/core/utf8.h"

/* Decodes the entity at s (after '&'); returns bytes consumed (0 = not an
 * entity) and writes its UTF-8 into out (≥ 4 bytes). */
static size_t entity(const char *s, size_t len, char *out, size_t *out_len)
{
    static const struct {
        const char *name;
        uint32_t cp;
    } named[] = {{"amp;", '&'},  {"lt;", '<'},    {"gt;", '>'},
                 {"quot;", '"'}, {"apos;", '\''}, {"nbsp;", ' '}};
    uint32_t cp = 0;
    size_t i = 0;
    for (size_t k = 0; k < sizeof named / sizeof named[0]; k++) {
        size_t n = strlen(named[k].name);
        if (len >= n && strncasecmp(s, named[k].name, n) == 0) {
            out[0] = (char)named[k].cp;
            *out_len = 1;
            return n;
        }
    }
    if (len < 3 || s[0] != '#')
        return 0;
    i = 1;
    if (s[1] == 'x' || s[1] == 'X') {
        for (i = 2; i < len && i < 10 && isxdigit((unsigned char)s[i]); i++)
            cp = cp * 16 +
                 (uint32_t)(isdigit((unsigned char)s[i]) ? s[i] - '0' : (tolower(s[i]) - 'a' + 10));
    } else {
        for (; i < len && i < 10 && isdigit((unsigned char)s[i]); i++)
            cp = cp * 10 + (uint32_t)(s[i] - '0');
    }
    if (i >= len || s[i] != ';' || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *out_len = shn_utf8_encode(cp, out);
    return i + 1;
}

size_t shn__mail_html_decode(const char *s, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 4 < cap;) {
        size_t used, el = 0;
        if (s[i] == '&' && (used = entity(s + i + 1, len - i - 1, out + n, &el)) > 0) {
            n += el;
            i += used + 1;
        } else {
            out[n++] = s[i] ? s[i] : ' ';
            i++;
        }
    }
    out[n] = '\0';
    return n;
}

size_t shn__mail_html_text(const char *html, size_t len, char *out, size_t cap)
{
    size_t n = 0;
    bool in_tag = false, skip = false; /* skip: inside <style> or <script> */
    if (cap == 0)
        return 0;
    for (size_t i = 0; i < len && n + 4 < cap; i++) {
        char ch = html[i];
        if (in_tag) {
            if (ch == '>')
                in_tag = false;
            continue;
        }
        if (ch == '<') {
            const char *t = html + i + 1;
            size_t rest = len - i - 1;
            in_tag = true;
            if (rest >= 5 && (strncasecmp(t, "style", 5) == 0 || strncasecmp(t, "scrip", 5) == 0))
                skip = true;
            else if (rest >= 6 &&
                     (strncasecmp(t, "/style", 6) == 0 || strncasecmp(t, "/scrip", 6) == 0))
                skip = false;
            out[n++] = ' ';
            continue;
        }
        if (skip)
            continue;
        if (ch == '\0') /* the text is used as a C string */
            ch = ' ';
        if (ch == '&') {
            size_t el = 0, used = entity(html + i + 1, len - i - 1, out + n, &el);
            if (used) {
                n += el;
                i += used;
                continue;
            }
        }
        out[n++] = ch;
    }
    out[n] = '\0';
    return n;
}

/* The value of attribute `name` in the tag body t[0..len), decoded. */
bool shn__mail_html_attr(const char *t, size_t len, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl < len; i++) {
        size_t j, start, stop;
        char q = 0;
        if (strncasecmp(t + i, name, nl) != 0 || (i > 0 && !isspace((unsigned char)t[i - 1])))
            continue;
        j = i + nl;
        while (j < len && isspace((unsigned char)t[j]))
            j++;
        if (j >= len || t[j] != '=')
            continue;
        j++;
        while (j < len && isspace((unsigned char)t[j]))
            j++;
        if (j < len && (t[j] == '"' || t[j] == '\''))
            q = t[j++];
        start = j;
        while (j < len && (q ? t[j] != q : !isspace((unsigned char)t[j]) && t[j] != '>'))
            j++;
        stop = j;
        shn__mail_html_decode(t + start, stop - start, out, cap);
        return true;
    }
    return false;
}

int shn__mail_html_tags(const char *html, size_t len,
                        int (*fn)(void *ctx, const char *name, const char *body, size_t body_len,
                                  size_t offset, const char *after, size_t after_len),
                        void *ctx)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < len; i++) {
        char name[16];
        size_t k = 0, j = i + 1, close;
        const char *gt;
        if (html[i] != '<')
            continue;
        while (j < len && k + 1 < sizeof name &&
               (isalnum((unsigned char)html[j]) || html[j] == '/'))
            name[k++] = (char)tolower((unsigned char)html[j++]);
        name[k] = '\0';
        if (!k || !(gt = memchr(html + j, '>', len - j)))
            continue;
        close = (size_t)(gt - html);
        rc = fn(ctx, name, html + j, close - j, i, gt + 1, len - close - 1);
        i = close;
    }
    return rc;
}
