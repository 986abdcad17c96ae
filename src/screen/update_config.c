/* The list update config (docs/lists.md): `[section]` headers, `key = value`
 * lines and whole-line `#` comments. Small and strict: an unknown section or
 * key, a repeated key or a malformed value is an error naming the line,
 * because a typo here would silently drop a sanctions list. */
#include "update_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/utf8.h"

enum section { SEC_NONE = -1, SEC_SETTINGS = SHN_UPDATE__GROUPS };

struct parser {
    struct shn__update_config *cfg;
    const char *file;
    const char *base_dir;
    struct shn_diag *diag;
    long line;
    int section;
    unsigned seen_sections;
    unsigned seen_settings;
};

/* The OFAC files a key names, as shn_screen_load_ofac_csv expects them. */
static const struct {
    const char *key, *file;
} ofac_files[] = {
    {"sdn", "sdn.csv"},
    {"add", "add.csv"},
    {"alt", "alt.csv"},
    {"comments", "sdn_comments.csv"},
    {"cons_prim", "cons_prim.csv"},
    {"cons_add", "cons_add.csv"},
    {"cons_alt", "cons_alt.csv"},
    {"cons_comments", "cons_comments.csv"},
};

static const char *const section_names[] = {"ofac", "un", "crypto", "custom", "settings"};

static int fail(struct parser *p, int err, const char *field, const char *fmt, ...)
    SHN_PRINTF(4, 5);

static int fail(struct parser *p, int err, const char *field, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return shn_diag_set(p->diag, err, p->file, p->line, field, "%s", msg);
}

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t';
}

static bool word_chars(const char *s, size_t n, const char *extra)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              (ch && strchr(extra, ch))))
            return false;
    }
    return true;
}

/* ---- Values ------------------------------------------------------------ */

/* "256M", "1G", "65536": bytes, 1 KiB .. 4 GiB. */
static bool parse_size(const char *s, unsigned long long *out)
{
    unsigned long long v, mul = 1;
    char *end;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno)
        return false;
    if (*end == 'K' || *end == 'k')
        mul = 1ULL << 10;
    else if (*end == 'M' || *end == 'm')
        mul = 1ULL << 20;
    else if (*end == 'G' || *end == 'g')
        mul = 1ULL << 30;
    if (mul != 1)
        end++;
    if (*end || v > (4ULL << 30) / mul)
        return false;
    v *= mul;
    if (v < 1024)
        return false;
    *out = v;
    return true;
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
    long v;
    char *end;

    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

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

static bool parse_sha256(const char *s, unsigned char out[32])
{
    if (strlen(s) != 64)
        return false;
    for (int i = 0; i < 32; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return true;
}

static bool url_safe(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
            return false;
    return true;
}

/* A plain path becomes a file:/// URL: relative paths are taken from the
 * config's folder, and bytes outside the unreserved set are %-encoded. */
static int path_to_url(struct parser *p, const char *field, const char *path, char **out)
{
    static const char hex[] = "0123456789ABCDEF";
    char *url = NULL;
    size_t n = 0, cap = SHN_UPDATE_MAX_URL + 1;
    const char *parts[3] = {NULL, NULL, path};

    if (path[0] != '/') {
        if (!p->base_dir || p->base_dir[0] != '/')
            return fail(p, SHN_ERR_PARSE, field,
                        "relative path \"%s\" but no folder to take it from", path);
        parts[0] = p->base_dir;
        parts[1] = "/";
    }
    url = shn_malloc(cap);
    if (!url)
        return fail(p, SHN_ERR_NOMEM, field, "out of memory");
    memcpy(url, "file://", 7);
    n = 7;
    for (int k = 0; k < 3; k++) {
        for (const char *s = parts[k]; s && *s; s++) {
            unsigned char ch = (unsigned char)*s;
            bool plain = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                         (ch >= '0' && ch <= '9') || strchr("-._~/", ch);
            if (n + 4 > cap) {
                shn_free(url);
                return fail(p, SHN_ERR_TOO_LARGE, field, "path too long");
            }
            if (plain) {
                url[n++] = (char)ch;
            } else {
                url[n++] = '%';
                url[n++] = hex[ch >> 4];
                url[n++] = hex[ch & 15];
            }
        }
    }
    url[n] = '\0';
    *out = url;
    return SHN_OK;
}

static int parse_url(struct parser *p, const char *field, const char *value, char **out)
{
    const char *why = NULL;
    int rc;

    if (strstr(value, "://")) {
        if (strlen(value) > SHN_UPDATE_MAX_URL)
            return fail(p, SHN_ERR_TOO_LARGE, field, "URL longer than %d bytes",
                        SHN_UPDATE_MAX_URL);
        if (!url_safe(value))
            return fail(p, SHN_ERR_PARSE, field, "a URL has no spaces or non-ASCII bytes");
        rc = shn__update_url_check(value, out, &why);
        return rc == SHN_OK ? SHN_OK : fail(p, rc, field, "%s", why);
    }
    return path_to_url(p, field, value, out);
}

/* ---- Sections and keys ------------------------------------------------- */

static struct shn__update_file *find_file(struct parser *p, const char *key)
{
    for (size_t i = 0; i < p->cfg->n_files; i++)
        if (strcmp(p->cfg->files[i].key, key) == 0)
            return &p->cfg->files[i];
    return NULL;
}

static int settings_key(struct parser *p, const char *key, const char *value)
{
    static const char *const keys[] = {"max_size", "connect_timeout", "timeout", "min_percent"};
    struct shn__update_config *cfg = p->cfg;
    char field[64];
    long v = 0;
    unsigned i;

    snprintf(field, sizeof field, "settings.%s", key);
    for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(key, keys[i]) == 0)
            break;
    if (i == sizeof keys / sizeof keys[0])
        return fail(p, SHN_ERR_PARSE, field,
                    "unknown setting (known: max_size, connect_timeout, timeout, min_percent)");
    if (p->seen_settings & (1u << i))
        return fail(p, SHN_ERR_PARSE, field, "set twice");
    p->seen_settings |= 1u << i;
    switch (i) {
    case 0:
        if (!parse_size(value, &cfg->max_size))
            return fail(p, SHN_ERR_PARSE, field,
                        "\"%s\" is not a size from 1K to 4G (bytes, or a K, M or G suffix)", value);
        break;
    case 1:
        if (!parse_long(value, 1, 600, &cfg->connect_timeout))
            return fail(p, SHN_ERR_PARSE, field, "\"%s\" is not a number of seconds, 1-600", value);
        break;
    case 2:
        if (!parse_long(value, 1, 86400, &cfg->timeout))
            return fail(p, SHN_ERR_PARSE, field, "\"%s\" is not a number of seconds, 1-86400",
                        value);
        break;
    default:
        if (!parse_long(value, 0, 100, &v))
            return fail(p, SHN_ERR_PARSE, field, "\"%s\" is not a percentage, 0-100", value);
        cfg->min_percent = (int)v;
        break;
    }
    return SHN_OK;
}

/* Where the file of `key` goes in the temp folder, or an error. */
static int local_name(struct parser *p, const char *key, const char *field, char *out, size_t size)
{
    size_t n = strlen(key);

    switch (p->section) {
    case SHN_UPDATE_OFAC:
        for (size_t i = 0; i < sizeof ofac_files / sizeof ofac_files[0]; i++) {
            if (strcmp(key, ofac_files[i].key) == 0) {
                snprintf(out, size, "ofac/%s", ofac_files[i].file);
                return SHN_OK;
            }
        }
        return fail(p, SHN_ERR_PARSE, field,
                    "unknown OFAC file (known: sdn, add, alt, comments, cons_prim, cons_add, "
                    "cons_alt, cons_comments)");
    case SHN_UPDATE_UN:
        if (strcmp(key, "xml") != 0)
            return fail(p, SHN_ERR_PARSE, field, "unknown UN file (known: xml)");
        snprintf(out, size, "un/consolidated.xml");
        return SHN_OK;
    case SHN_UPDATE_CRYPTO:
        if (n > 16 || !word_chars(key, n, "") || strpbrk(key, "abcdefghijklmnopqrstuvwxyz"))
            return fail(p, SHN_ERR_PARSE, field,
                        "an asset code is 1-16 upper-case letters or digits, e.g. ETH");
        snprintf(out, size, "crypto/sanctioned_addresses_%s.txt", key);
        return SHN_OK;
    default:
        if (n > 64 || !word_chars(key, n, "-_.") || strcmp(key, "ofac") == 0 ||
            strcmp(key, "ofac-cons") == 0 || strcmp(key, "un") == 0 || strcmp(key, "crypto") == 0)
            return fail(p, SHN_ERR_PARSE, field,
                        "a custom list name is 1-64 letters, digits, '-', '_' or '.', and not "
                        "ofac, ofac-cons, un or crypto");
        snprintf(out, size, "custom/%s.jsonl", key);
        return SHN_OK;
    }
}

static int file_key(struct parser *p, const char *key, const char *value)
{
    struct shn__update_config *cfg = p->cfg;
    const char *dot = strrchr(key, '.');
    struct shn__update_file *f;
    char field[72];
    int rc;

    snprintf(field, sizeof field, "%.10s.%.60s", section_names[p->section], key);
    if (dot && strcmp(dot, ".sha256") == 0) {
        /* KEY.sha256 = HEX: checked against the download; KEY comes first. */
        char base[72];
        snprintf(base, sizeof base, "%.10s.%.*s", section_names[p->section],
                 (int)(dot - key > 60 ? 60 : dot - key), key);
        f = find_file(p, base);
        if (!f)
            return fail(p, SHN_ERR_PARSE, field, "a .sha256 line must follow the line of its file");
        if (f->has_sha256)
            return fail(p, SHN_ERR_PARSE, field, "set twice");
        if (!parse_sha256(value, f->sha256))
            return fail(p, SHN_ERR_PARSE, field, "expected 64 hexadecimal digits");
        f->has_sha256 = true;
        return SHN_OK;
    }
    if (find_file(p, field))
        return fail(p, SHN_ERR_PARSE, field, "set twice");
    if (cfg->n_files == SHN_UPDATE_MAX_FILES)
        return fail(p, SHN_ERR_TOO_LARGE, field, "more than %d files", SHN_UPDATE_MAX_FILES);
    f = &cfg->files[cfg->n_files];
    memset(f, 0, sizeof *f);
    rc = local_name(p, key, field, f->local, sizeof f->local);
    if (rc != SHN_OK)
        return rc;
    rc = parse_url(p, field, value, &f->url);
    if (rc != SHN_OK)
        return rc;
    f->group = p->section;
    f->line = p->line;
    snprintf(f->key, sizeof f->key, "%s", field);
    cfg->n_files++;
    return SHN_OK;
}

static int section_line(struct parser *p, const char *s, size_t n)
{
    /* s[0] == '[' and s[n-1] == ']' */
    for (int i = 0; i < (int)(sizeof section_names / sizeof section_names[0]); i++) {
        if (strlen(section_names[i]) == n - 2 && memcmp(s + 1, section_names[i], n - 2) == 0) {
            if (p->seen_sections & (1u << i))
                return fail(p, SHN_ERR_PARSE, section_names[i],
                            "section appears twice; put all its keys in one place");
            p->seen_sections |= 1u << i;
            p->section = i;
            return SHN_OK;
        }
    }
    return fail(p, SHN_ERR_PARSE, NULL,
                "unknown section \"%.*s\" (known: [ofac], [un], [crypto], [custom], [settings])",
                (int)(n > 64 ? 64 : n), s);
}

static int one_line(struct parser *p, const char *s, size_t n)
{
    char key[SHN_UPDATE_MAX_LINE + 1], value[SHN_UPDATE_MAX_LINE + 1];
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
            return fail(p, SHN_ERR_PARSE, NULL, "control character in the line");
    if (s[0] == '[') {
        if (s[n - 1] != ']')
            return fail(p, SHN_ERR_PARSE, NULL, "a section header is [name]");
        return section_line(p, s, n);
    }
    eq = memchr(s, '=', n);
    if (!eq)
        return fail(p, SHN_ERR_PARSE, NULL, "expected `key = value`, a [section] or a # comment");
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
    if (!word_chars(key, kn, "-_."))
        return fail(p, SHN_ERR_PARSE, NULL, "a key is letters, digits, '-', '_' or '.'");
    if (vn == 0)
        return fail(p, SHN_ERR_PARSE, key, "no value");
    if (p->section == SEC_NONE)
        return fail(p, SHN_ERR_PARSE, key, "key outside any [section]");
    if (p->section == SEC_SETTINGS)
        return settings_key(p, key, value);
    return file_key(p, key, value);
}

static int check_whole(struct parser *p)
{
    bool ofac_any = false, ofac_prim = false;

    p->line = 0;
    if (p->cfg->n_files == 0)
        return fail(p, SHN_ERR_PARSE, NULL, "the config names no list file");
    for (size_t i = 0; i < p->cfg->n_files; i++) {
        const struct shn__update_file *f = &p->cfg->files[i];
        if (f->group != SHN_UPDATE_OFAC)
            continue;
        ofac_any = true;
        if (strcmp(f->key, "ofac.sdn") == 0 || strcmp(f->key, "ofac.cons_prim") == 0)
            ofac_prim = true;
    }
    if (ofac_any && !ofac_prim)
        return fail(p, SHN_ERR_PARSE, "ofac",
                    "the [ofac] section needs sdn or cons_prim (the other files extend them)");
    return SHN_OK;
}

int shn__update_config_parse(const char *text, size_t len, const char *file, const char *base_dir,
                             struct shn__update_config **out, struct shn_diag *diag)
{
    struct parser p = {.file = file, .base_dir = base_dir, .diag = diag, .section = SEC_NONE};
    size_t pos = 0, bad = 0;
    int rc = SHN_OK;

    if (len > SHN_UPDATE_MAX_CONFIG)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, file, 0, NULL,
                            "config is %zu bytes, the limit is %zu", len, SHN_UPDATE_MAX_CONFIG);
    p.cfg = shn_calloc(1, sizeof *p.cfg);
    if (!p.cfg)
        return shn_diag_set(diag, SHN_ERR_NOMEM, file, 0, NULL, "out of memory");
    p.cfg->max_size = SHN_UPDATE_DEFAULT_MAX_SIZE;
    p.cfg->connect_timeout = SHN_UPDATE_DEFAULT_CONNECT_TIMEOUT;
    p.cfg->timeout = SHN_UPDATE_DEFAULT_TIMEOUT;
    p.cfg->min_percent = SHN_UPDATE_DEFAULT_MIN_PERCENT;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (rc == SHN_OK && pos < len) {
        const char *eol = memchr(text + pos, '\n', len - pos);
        size_t end = eol ? (size_t)(eol - text) : len, n = end - pos;

        p.line++;
        if (n && text[pos + n - 1] == '\r')
            n--;
        if (n > SHN_UPDATE_MAX_LINE)
            rc =
                fail(&p, SHN_ERR_TOO_LARGE, NULL, "line longer than %d bytes", SHN_UPDATE_MAX_LINE);
        else if (!shn_utf8_valid(text + pos, n, &bad))
            rc = fail(&p, SHN_ERR_ENCODING, NULL, "invalid UTF-8 at byte %zu", bad + 1);
        else
            rc = one_line(&p, text + pos, n);
        pos = eol ? end + 1 : len;
    }
    if (rc == SHN_OK)
        rc = check_whole(&p);
    if (rc != SHN_OK) {
        shn__update_config_free(p.cfg);
        return rc;
    }
    *out = p.cfg;
    return SHN_OK;
}

void shn__update_config_free(struct shn__update_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_files; i++)
        shn_free(cfg->files[i].url);
    shn_free(cfg);
}
