/* The request target, parsed here rather than by libmicrohttpd (which is
 * told not to unescape), so that one strict decoder sees every byte a
 * client sends in a path or a query: %XX escapes with two hex digits,
 * decoded text valid UTF-8 without NUL, bounded counts. */
#include <stdio.h>
#include <string.h>

#include "serve_internal.h"
#include "shinsa/core/utf8.h"

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into a new arena string; `plus` turns '+' into a space
 * (query strings). NULL with an error recorded. */
static const char *decode(const char *s, size_t n, bool plus, struct shn_arena *arena,
                          const char *what, struct shn__serve_error *err)
{
    char *out = shn_arena_alloc(arena, n + 1);
    size_t o = 0;

    if (!out) {
        shn__serve_fail(err, 500, "internal", "", "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0) {
                shn__serve_fail(err, 400, "bad_target", what,
                                "a %% in the %s is not followed by two hex digits", what);
                return NULL;
            }
            ch = (char)(hi << 4 | lo);
            i += 2;
        } else if (plus && ch == '+') {
            ch = ' ';
        }
        out[o++] = ch;
    }
    out[o] = '\0';
    if (memchr(out, '\0', o) || !shn_utf8_valid(out, o, NULL)) {
        shn__serve_fail(err, 400, "bad_target", what,
                        "the %s decodes to invalid UTF-8 or a NUL byte", what);
        return NULL;
    }
    return out;
}

static int parse_path(const char *p, size_t n, struct shn_arena *arena, struct shn__serve_target *t,
                      struct shn__serve_error *err)
{
    size_t pos = 1; /* p[0] == '/' */

    if (n == 1)
        return SHN_OK; /* "/" has no segments */
    while (pos <= n) {
        const char *slash = memchr(p + pos, '/', n - pos);
        size_t end = slash ? (size_t)(slash - p) : n;
        const char *seg;

        if (t->n_segments == SHN__SERVE_MAX_SEGMENTS)
            return shn__serve_fail(err, 404, "not_found", "", "no such endpoint");
        seg = decode(p + pos, end - pos, false, arena, "path", err);
        if (!seg)
            return SHN_ERR_PARSE;
        t->segment[t->n_segments++] = seg;
        pos = end + 1;
    }
    return SHN_OK;
}

static int parse_query(const char *q, size_t n, struct shn_arena *arena,
                       struct shn__serve_target *t, struct shn__serve_error *err)
{
    size_t pos = 0;

    while (pos < n) {
        const char *amp = memchr(q + pos, '&', n - pos);
        size_t end = amp ? (size_t)(amp - q) : n;
        const char *eq = memchr(q + pos, '=', end - pos);
        size_t kend = eq ? (size_t)(eq - q) : end;

        if (end > pos) { /* "a&&b" has an empty piece: nothing */
            const char *key, *value = "";
            if (t->n_args == SHN__SERVE_MAX_ARGS)
                return shn__serve_fail(err, 400, "bad_target", "", "more than %d query parameters",
                                       SHN__SERVE_MAX_ARGS);
            key = decode(q + pos, kend - pos, true, arena, "query", err);
            if (key && eq)
                value = decode(eq + 1, end - kend - 1, true, arena, "query", err);
            if (!key || !value)
                return SHN_ERR_PARSE;
            if (!key[0])
                return shn__serve_fail(err, 400, "bad_target", "",
                                       "a query parameter without a name");
            t->args[t->n_args].key = key;
            t->args[t->n_args].value = value;
            t->n_args++;
        }
        pos = end + 1;
    }
    return SHN_OK;
}

int shn__serve_target_parse(const char *uri, struct shn_arena *arena, struct shn__serve_target *t,
                            struct shn__serve_error *err)
{
    size_t n, plen;
    const char *q;

    if (!uri || !arena || !t || !err)
        return SHN_ERR_INVALID;
    memset(t, 0, sizeof *t);
    n = strnlen(uri, SHN__SERVE_MAX_TARGET + 1);
    if (n > SHN__SERVE_MAX_TARGET)
        return shn__serve_fail(err, 414, "uri_too_long", "",
                               "the request target is longer than %d bytes", SHN__SERVE_MAX_TARGET);
    if (n == 0 || uri[0] != '/')
        return shn__serve_fail(err, 400, "bad_target", "",
                               "the request target must be a path starting with /");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)uri[i] <= 0x20 || (unsigned char)uri[i] >= 0x7f || uri[i] == '#')
            return shn__serve_fail(err, 400, "bad_target", "",
                                   "the request target holds a byte that must be %%-escaped");
    q = memchr(uri, '?', n);
    plen = q ? (size_t)(q - uri) : n;
    if (parse_path(uri, plen, arena, t, err) != SHN_OK)
        return SHN_ERR_PARSE;
    if (q && parse_query(q + 1, n - plen - 1, arena, t, err) != SHN_OK)
        return SHN_ERR_PARSE;
    return SHN_OK;
}

/* Whether the pattern's segments fit the target's; captures filled in. */
static bool fits(const char *pattern, struct shn__serve_target *t)
{
    const char *p = pattern + 1;
    size_t i = 0;

    t->n_params = 0;
    if (strcmp(pattern, "/") == 0)
        return t->n_segments == 0;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);

        if (i == t->n_segments)
            return false;
        if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
            if (!t->segment[i][0] || t->n_params == SHN__SERVE_MAX_PARAMS)
                return false;
            t->params[t->n_params].name = p + 1;
            t->params[t->n_params].name_len = len - 2;
            t->params[t->n_params].value = t->segment[i];
            t->n_params++;
        } else if (strlen(t->segment[i]) != len || memcmp(t->segment[i], p, len) != 0) {
            return false;
        }
        i++;
        p += len + (slash ? 1 : 0);
    }
    return i == t->n_segments;
}

static void allow_add(char *allow, size_t size, const char *method)
{
    size_t n = strlen(allow);

    if (strstr(allow, method))
        return;
    snprintf(allow + n, size - n, "%s%s", n ? ", " : "", method);
}

const struct shn__serve_route *shn__serve_route_match(const char *method,
                                                      struct shn__serve_target *t, char *allow,
                                                      size_t allow_size,
                                                      struct shn__serve_error *err)
{
    bool head;

    if (!method || !t || !allow || !allow_size || !err)
        return NULL;
    allow[0] = '\0';
    head = strcmp(method, "HEAD") == 0;
    for (size_t i = 0; i < shn__serve_n_routes; i++) {
        const struct shn__serve_route *r = &shn__serve_routes[i];
        if (!fits(r->pattern, t))
            continue;
        if (strcmp(r->method, method) == 0 || (head && strcmp(r->method, "GET") == 0))
            return r;
        allow_add(allow, allow_size, r->method);
        if (strcmp(r->method, "GET") == 0)
            allow_add(allow, allow_size, "HEAD");
    }
    t->n_params = 0;
    if (allow[0])
        shn__serve_fail(err, 405, "method_not_allowed", "", "%s is not allowed here (allowed: %s)",
                        strlen(method) > 16 ? "this method" : method, allow);
    else
        shn__serve_fail(err, 404, "not_found", "", "no such endpoint");
    return NULL;
}

/* A route's parameter entry "name" or "name[]" (may be repeated). */
static bool param_is(const char *entry, const char *key, bool *repeatable)
{
    size_t n = strlen(entry);

    *repeatable = n > 2 && strcmp(entry + n - 2, "[]") == 0;
    if (*repeatable)
        n -= 2;
    return strlen(key) == n && memcmp(entry, key, n) == 0;
}

int shn__serve_args_check(const struct shn__serve_route *route, const struct shn__serve_target *t,
                          struct shn__serve_error *err)
{
    if (!route || !t || !err)
        return SHN_ERR_INVALID;
    for (size_t i = 0; i < t->n_args; i++) {
        const char *key = t->args[i].key;
        bool known = false, repeatable = false;
        for (size_t p = 0; route->params && route->params[p] && !known; p++)
            known = param_is(route->params[p], key, &repeatable);
        if (!known)
            return shn__serve_fail(err, 400, "unknown_parameter", key,
                                   "this endpoint takes no query parameter of this name");
        for (size_t j = 0; j < i && !repeatable; j++)
            if (strcmp(t->args[j].key, key) == 0)
                return shn__serve_fail(err, 400, "bad_parameter", key, "given more than once");
    }
    return SHN_OK;
}

const char *shn__serve_param(const struct shn__serve_target *t, const char *name)
{
    size_t n = name ? strlen(name) : 0;

    for (size_t i = 0; t && name && i < t->n_params; i++)
        if (t->params[i].name_len == n && memcmp(t->params[i].name, name, n) == 0)
            return t->params[i].value;
    return NULL;
}

const char *shn__serve_arg(const struct shn__serve_target *t, const char *key)
{
    for (size_t i = 0; t && key && i < t->n_args; i++)
        if (strcmp(t->args[i].key, key) == 0)
            return t->args[i].value;
    return NULL;
}
