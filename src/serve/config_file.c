/* The syntax of the serve config (docs/serve.md): `[section]` headers,
 * `key = value` lines and whole-line `#` comments, as etc/lists.conf. Small
 * and strict: a malformed line is an error naming it, because a typo in a
 * limit or a path should stop the start, not be ignored. What the keys mean
 * is config.c's business. */
#include <string.h>

#include "serve_internal.h"
#include "shinsa/core/utf8.h"

#define MAX_CONFIG (64u << 10) /* bytes of a config file */
#define MAX_LINE 1024
#define MAX_SECTION 32

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

static bool word(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

struct reader {
    const char *file;
    long line;
    char section[MAX_SECTION + 1];
    shn__serve_conf_fn fn;
    void *ctx;
    struct shn_diag *diag;
};

static int one_line(struct reader *r, const char *s, size_t n)
{
    char key[MAX_LINE + 1], value[MAX_LINE + 1];
    const char *eq;
    size_t kn, vs, vn;

    while (n && is_space(*s)) {
        s++;
        n--;
    }
    while (n && is_space(s[n - 1]))
        n--;
    if (n == 0 || s[0] == '#')
        return SHN_OK;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
            return shn_diag_set(r->diag, SHN_ERR_PARSE, r->file, r->line, NULL,
                                "control character in the line");
    if (s[0] == '[') {
        if (s[n - 1] != ']' || !word(s + 1, n - 2) || n - 2 > MAX_SECTION)
            return shn_diag_set(r->diag, SHN_ERR_PARSE, r->file, r->line, NULL,
                                "a section header is [name]");
        memcpy(r->section, s + 1, n - 2);
        r->section[n - 2] = '\0';
        return r->fn(r->ctx, r->section, NULL, NULL, r->line, r->diag);
    }
    eq = memchr(s, '=', n);
    if (!eq)
        return shn_diag_set(r->diag, SHN_ERR_PARSE, r->file, r->line, NULL,
                            "expected `key = value`, a [section] or a # comment");
    kn = (size_t)(eq - s);
    while (kn && is_space(s[kn - 1]))
        kn--;
    vs = (size_t)(eq - s) + 1;
    while (vs < n && is_space(s[vs]))
        vs++;
    vn = n - vs;
    memcpy(key, s, kn);
    key[kn] = '\0';
    memcpy(value, s + vs, vn);
    value[vn] = '\0';
    if (!word(key, kn))
        return shn_diag_set(r->diag, SHN_ERR_PARSE, r->file, r->line, NULL,
                            "a key is letters, digits, '_' or '-'");
    if (!r->section[0])
        return shn_diag_set(r->diag, SHN_ERR_PARSE, r->file, r->line, key,
                            "key outside any [section]");
    if (vn == 0)
        return shn_diag_set(r->diag, SHN_ERR_PARSE, r->file, r->line, key, "no value");
    return r->fn(r->ctx, r->section, key, value, r->line, r->diag);
}

int shn__serve_conf_parse(const char *text, size_t len, const char *file, shn__serve_conf_fn fn,
                          void *ctx, struct shn_diag *diag)
{
    struct reader r = {.file = file, .fn = fn, .ctx = ctx, .diag = diag};
    size_t pos = 0, bad = 0;
    int rc = SHN_OK;

    if (!text || !fn)
        return SHN_ERR_INVALID;
    if (len > MAX_CONFIG)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, file, 0, NULL,
                            "config is %zu bytes, the limit is %u", len, MAX_CONFIG);
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (rc == SHN_OK && pos < len) {
        const char *eol = memchr(text + pos, '\n', len - pos);
        size_t end = eol ? (size_t)(eol - text) : len, n = end - pos;

        r.line++;
        if (n && text[pos + n - 1] == '\r')
            n--;
        if (n > MAX_LINE)
            rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, file, r.line, NULL,
                              "line longer than %d bytes", MAX_LINE);
        else if (memchr(text + pos, '\0', n) || !shn_utf8_valid(text + pos, n, &bad))
            rc = shn_diag_set(diag, SHN_ERR_ENCODING, file, r.line, NULL,
                              "invalid UTF-8 or a NUL byte in the line");
        else
            rc = one_line(&r, text + pos, n);
        pos = eol ? end + 1 : len;
    }
    return rc;
}
