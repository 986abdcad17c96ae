/* Custom lists in JSON Lines (docs/lists.md): one entity per line, for a
 * platform's own blocklist and threat-intel indicators.
 *
 * Policy: a field we know with a wrong type or value is an error naming the
 * file, line and field (a typo there would silently weaken screening); a
 * field we do not know is logged once per file and ignored, so that lists
 * written for a newer shinsa still load. */
#define _POSIX_C_SOURCE 200809L
#include "custom_internal.h"
#include "loaders_internal.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/arena.h"
#include "shinsa/core/country.h"
#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/log.h"
#include "shinsa/core/mask.h"
#include "shinsa/core/utf8.h"

#define MAX_WARNED 16
#define MAX_SHORT_TEXT 1024 /* bytes in a name, identifier or code */

struct list_count {
    char name[SHN_CUSTOM_MAX_LISTNAME + 1];
    uint32_t entities;
};

struct custom_ctx {
    struct shn_listset *set;
    const char *file;
    const char *default_list;
    struct shn_diag *diag;
    long line;
    bool adding; /* second pass: the lines were all checked, now add them */
    /* first pass: ids seen in this file (open addressing, in `scratch`) */
    struct shn_arena scratch;
    const char **ids;
    uint32_t n_ids, cap_ids;
    struct list_count lists[SHN_CUSTOM_MAX_LISTS];
    uint32_t n_lists;
    uint32_t entries;
    char warned[MAX_WARNED][48];
    uint32_t n_warned;
};

/* Per-entry running totals, checked against the model's bounds in the
 * first pass so that the second pass cannot fail on them. */
struct entry_counts {
    size_t names, nationalities, idents, programs;
};

static int fail(struct custom_ctx *c, int err, const char *field, const char *fmt, ...)
    SHN_PRINTF(4, 5);

static int fail(struct custom_ctx *c, int err, const char *field, const char *fmt, ...)
{
    char msg[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return shn_diag_set(c->diag, err, c->file, c->line, field, "%s", msg);
}

/* A value of a personal field that is malformed: the problem, and the
 * value's shape only (docs/mask.md) — the list holds people's data. */
static int fail_value(struct custom_ctx *c, const char *field, const char *problem,
                      const char *value)
{
    char shape[SHN_MASK_MAX];
    shn_mask(SHN_MASK_SHAPE, value, strlen(value), shape, sizeof shape);
    return fail(c, SHN_ERR_PARSE, field, "%s: \"%s\"", problem, shape);
}

/* A model append failed in the second pass (the first pass rules out the
 * bounds, so this is memory). */
static int model_fail(struct custom_ctx *c, int rc, const char *field)
{
    if (rc == SHN_ERR_NOMEM)
        return fail(c, rc, field, "out of memory");
    return fail(c, rc, field, "%s", shn_strerror(rc));
}

static void join_field(char *out, size_t size, const char *a, const char *b);

/* An unknown key of `parent` (NULL: of the entry) is warned about once a
 * file, as shn_mask_field shows it: it may be a value typed as a key. */
static void warn_unknown(struct custom_ctx *c, const char *parent, const char *key)
{
    char shown[24], field[48];
    if (c->adding)
        return;
    shn_mask_field(key, strlen(key), shown, sizeof shown);
    if (parent)
        join_field(field, sizeof field, parent, shown);
    else
        snprintf(field, sizeof field, "%s", shown);
    for (uint32_t i = 0; i < c->n_warned; i++)
        if (strcmp(c->warned[i], field) == 0)
            return;
    if (c->n_warned == MAX_WARNED)
        return; /* said so below: a list of junk fields must not flood the log */
    snprintf(c->warned[c->n_warned++], sizeof c->warned[0], "%s", field);
    shn_log(SHN_LOG_WARN,
            "%s:%ld: unknown field \"%s\" ignored (not reported again in this file%s)", c->file,
            c->line, field,
            c->n_warned == MAX_WARNED ? "; further unknown fields are not reported" : "");
}

/* "wallets[0]" + "chain" -> "wallets[0].chain", cut to the diag's field size
 * (a cut name still points at the right place). */
static void join_field(char *out, size_t size, const char *a, const char *b)
{
    if (snprintf(out, size, "%s.%s", a, b) >= (int)size && size > 1)
        out[size - 2] = '~';
}

static bool has_control(const char *s, bool allow_newlines)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (allow_newlines && (ch == '\n' || ch == '\t' || ch == '\r'))
            continue;
        if (ch < 0x20 || ch == 0x7f)
            return true;
    }
    return false;
}

static bool is_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return false;
    return true;
}

/* A JSON string of at most `max` bytes, not blank, without control
 * characters (except newlines and tabs when `multiline`). */
static int get_text(struct custom_ctx *c, json_t *v, const char *field, size_t max, bool multiline,
                    const char **out)
{
    const char *s;

    if (!json_is_string(v))
        return fail(c, SHN_ERR_PARSE, field, "expected a string");
    s = json_string_value(v);
    if (json_string_length(v) > max)
        return fail(c, SHN_ERR_TOO_LARGE, field, "%zu bytes, the limit is %zu",
                    json_string_length(v), max);
    if (is_blank(s))
        return fail(c, SHN_ERR_PARSE, field, "empty string");
    if (has_control(s, multiline))
        return fail(c, SHN_ERR_PARSE, field, "control character in text");
    *out = s;
    return SHN_OK;
}

/* An array (absent and null count as empty) of at most SHN_MAX_PER_ENTITY. */
static int get_array(struct custom_ctx *c, json_t *v, const char *field, size_t *n)
{
    if (!v || json_is_null(v)) {
        *n = 0;
        return SHN_OK;
    }
    if (!json_is_array(v))
        return fail(c, SHN_ERR_PARSE, field, "expected an array");
    if (json_array_size(v) > SHN_MAX_PER_ENTITY)
        return fail(c, SHN_ERR_TOO_LARGE, field, "%zu values, the limit is %d", json_array_size(v),
                    SHN_MAX_PER_ENTITY);
    *n = json_array_size(v);
    return SHN_OK;
}

static int check_total(struct custom_ctx *c, size_t total, const char *field)
{
    if (total > SHN_MAX_PER_ENTITY)
        return fail(c, SHN_ERR_TOO_LARGE, field, "more than %d values of this kind in one entry",
                    SHN_MAX_PER_ENTITY);
    return SHN_OK;
}

static bool valid_list_name(const char *s)
{
    static const char *const reserved[] = {"ofac", "ofac-cons", "un", "crypto"};
    size_t n = strlen(s);

    if (n == 0 || n > SHN_CUSTOM_MAX_LISTNAME)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.'))
            return false;
    }
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(s, reserved[i]) == 0)
            return false;
    return true;
}

/* ---- Dates ------------------------------------------------------------ */

static bool digits(const char *s, size_t n, unsigned *out)
{
    unsigned v = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *out = v;
    return true;
}

static bool year_ok(unsigned y)
{
    return y >= 1800 && y <= 2100;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* "1984-05-02", "1984-05", "1984", "circa 1960", "1955 to 1957". */
static bool parse_date(const char *s, struct shn_date *d)
{
    size_t n = strlen(s);
    unsigned y, y2, m, day;

    memset(d, 0, sizeof *d);
    if (n == 4 && digits(s, 4, &y) && year_ok(y)) {
        d->kind = SHN_DATE_YEAR;
    } else if (n == 7 && s[4] == '-' && digits(s, 4, &y) && digits(s + 5, 2, &m) && year_ok(y) &&
               m >= 1 && m <= 12) {
        d->kind = SHN_DATE_MONTH;
        d->month = (uint8_t)m;
    } else if (n == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4, &y) && digits(s + 5, 2, &m) &&
               digits(s + 8, 2, &day) && year_ok(y) && m >= 1 && m <= 12 && day >= 1 &&
               day <= days_in_month(y, m)) {
        d->kind = SHN_DATE_EXACT;
        d->month = (uint8_t)m;
        d->day = (uint8_t)day;
    } else if (n == 10 && strncmp(s, "circa ", 6) == 0 && digits(s + 6, 4, &y) && year_ok(y)) {
        d->kind = SHN_DATE_CIRCA;
    } else if (n == 12 && strncmp(s + 4, " to ", 4) == 0 && digits(s, 4, &y) &&
               digits(s + 8, 4, &y2) && year_ok(y) && year_ok(y2) && y2 > y) {
        d->kind = SHN_DATE_RANGE;
        d->year = (uint16_t)y;
        d->year_to = (uint16_t)y2;
        return true;
    } else {
        return false;
    }
    d->year = (uint16_t)y;
    d->year_to = (uint16_t)y;
    return true;
}

/* ---- Fields ----------------------------------------------------------- */

enum target {
    T_ALIAS,
    T_WEAK,
    T_NATIONALITY,
    T_EMAIL,
    T_PHONE,
    T_PROGRAM,
    T_PASSPORT,
    T_IDNUM,
};

static bool email_ok(const char *s)
{
    const char *at = strchr(s, '@');

    return at && at != s && at[1] && !strchr(at + 1, '@') && !strchr(s, ' ');
}

static bool phone_ok(const char *s)
{
    int n_digits = 0;

    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            n_digits++;
        else if (!strchr("+-(). /", *s))
            return false;
    }
    return n_digits >= 3;
}

/* A country we know becomes its ISO 3166 alpha-2 code ("North Korea",
 * "kp", "PRK" -> "KP"); anything else is kept as written. */
static void normalize_country(const char *s, char *out, size_t size)
{
    const char *code = shn_country_code(s);

    snprintf(out, size, "%s", code ? code : s);
}

/* One value of a string array: checked in both passes, added in the second. */
static int add_item(struct custom_ctx *c, struct shn_entity *e, enum target t, const char *field,
                    const char *s, const char *country)
{
    char cc[MAX_SHORT_TEXT + 1];
    int rc = SHN_OK;

    switch (t) {
    case T_EMAIL:
        if (!email_ok(s))
            return fail_value(c, field, "not an e-mail address", s);
        break;
    case T_PHONE:
        if (!phone_ok(s))
            return fail_value(c, field, "not a phone number (digits, spaces and + - ( ) . / only)",
                              s);
        break;
    default:
        break;
    }
    if (!c->adding)
        return SHN_OK;
    switch (t) {
    case T_ALIAS:
        rc = shn__model_add_name(c->set, e, s, SHN_ALIAS_AKA);
        break;
    case T_WEAK:
        rc = shn__model_add_name(c->set, e, s, SHN_ALIAS_WEAK);
        break;
    case T_NATIONALITY:
        normalize_country(s, cc, sizeof cc);
        rc = shn__model_add_nationality(c->set, e, cc);
        break;
    case T_EMAIL:
        rc = shn__model_add_ident(c->set, e, SHN_ID_EMAIL, s, NULL, NULL);
        break;
    case T_PHONE:
        rc = shn__model_add_ident(c->set, e, SHN_ID_PHONE, s, NULL, NULL);
        break;
    case T_PROGRAM:
        rc = shn__model_add_program(c->set, e, s);
        break;
    case T_PASSPORT:
    case T_IDNUM:
        if (country)
            normalize_country(country, cc, sizeof cc);
        rc = shn__model_add_ident(c->set, e, t == T_PASSPORT ? SHN_ID_PASSPORT : SHN_ID_NATIONAL, s,
                                  NULL, country ? cc : NULL);
        break;
    }
    return rc == SHN_OK ? SHN_OK : model_fail(c, rc, field);
}

static int string_array(struct custom_ctx *c, struct shn_entity *e, json_t *obj, const char *key,
                        enum target t, size_t *total)
{
    json_t *v = json_object_get(obj, key);
    char field[48];
    size_t n = 0; /* set by get_array on success; 0 quiets -O3 */
    int rc = get_array(c, v, key, &n);

    if (rc != SHN_OK)
        return rc;
    *total += n;
    rc = check_total(c, *total, key);
    for (size_t i = 0; rc == SHN_OK && i < n; i++) {
        const char *s;
        snprintf(field, sizeof field, "%s[%zu]", key, i);
        rc = get_text(c, json_array_get(v, i), field, MAX_SHORT_TEXT, false, &s);
        if (rc == SHN_OK)
            rc = add_item(c, e, t, field, s, NULL);
    }
    return rc;
}

/* "passports" and "id_numbers": a string, or {"number": ..., "country": ...}. */
static int document_array(struct custom_ctx *c, struct shn_entity *e, json_t *obj, const char *key,
                          enum target t, size_t *total)
{
    json_t *v = json_object_get(obj, key);
    char field[48], sub[48];
    size_t n = 0; /* set by get_array on success; 0 quiets -O3 */
    int rc = get_array(c, v, key, &n);

    if (rc != SHN_OK)
        return rc;
    *total += n;
    rc = check_total(c, *total, key);
    for (size_t i = 0; rc == SHN_OK && i < n; i++) {
        json_t *item = json_array_get(v, i);
        const char *number = NULL, *country = NULL, *k;
        json_t *x;

        snprintf(field, sizeof field, "%s[%zu]", key, i);
        if (json_is_string(item)) {
            rc = get_text(c, item, field, MAX_SHORT_TEXT, false, &number);
        } else if (json_is_object(item)) {
            json_object_foreach(item, k, x)
            {
                if (strcmp(k, "number") != 0 && strcmp(k, "country") != 0)
                    warn_unknown(c, field, k);
            }
            join_field(sub, sizeof sub, field, "number");
            x = json_object_get(item, "number");
            if (!x)
                rc = fail(c, SHN_ERR_PARSE, sub, "required");
            else
                rc = get_text(c, x, sub, MAX_SHORT_TEXT, false, &number);
            x = json_object_get(item, "country");
            if (rc == SHN_OK && x && !json_is_null(x)) {
                join_field(sub, sizeof sub, field, "country");
                rc = get_text(c, x, sub, 64, false, &country);
            }
        } else {
            rc = fail(c, SHN_ERR_PARSE, field,
                      "expected a string or an object {\"number\", \"country\"}");
        }
        if (rc == SHN_OK)
            rc = add_item(c, e, t, field, number, country);
    }
    return rc;
}

static int birth_dates(struct custom_ctx *c, struct shn_entity *e, json_t *obj)
{
    json_t *v = json_object_get(obj, "birth_dates");
    char field[48];
    size_t n = 0; /* set by get_array on success; 0 quiets -O3 */
    int rc = get_array(c, v, "birth_dates", &n);

    for (size_t i = 0; rc == SHN_OK && i < n; i++) {
        struct shn_date d;
        const char *s;

        snprintf(field, sizeof field, "birth_dates[%zu]", i);
        rc = get_text(c, json_array_get(v, i), field, 64, false, &s);
        if (rc == SHN_OK && !parse_date(s, &d))
            rc = fail_value(c, field,
                            "not a date: use YYYY-MM-DD, YYYY-MM, YYYY, \"circa YYYY\" or "
                            "\"YYYY to YYYY\" (years 1800-2100)",
                            s);
        if (rc == SHN_OK && c->adding) {
            rc = shn__model_add_dob(c->set, e, &d);
            if (rc != SHN_OK)
                rc = model_fail(c, rc, field);
        }
    }
    return rc;
}

/* Platform names: lower-case letters, digits, '_', '-', '.'. */
static bool normalize_token(const char *s, bool upper, size_t max, char *out)
{
    size_t n = strlen(s);

    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch >= 'A' && ch <= 'Z' && !upper)
            ch = (char)(ch + 32);
        else if (ch >= 'a' && ch <= 'z' && upper)
            ch = (char)(ch - 32);
        else if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                   (ch >= '0' && ch <= '9') || (!upper && strchr("_-.", ch))))
            return false;
        out[i] = ch;
    }
    out[n] = '\0';
    return true;
}

static int handles(struct custom_ctx *c, struct shn_entity *e, json_t *obj, size_t *total)
{
    json_t *v = json_object_get(obj, "handles"), *list;
    const char *platform;
    char field[48], name[33];
    int rc = SHN_OK;

    if (!v || json_is_null(v))
        return SHN_OK;
    if (!json_is_object(v))
        return fail(c, SHN_ERR_PARSE, "handles",
                    "expected an object of platform: [handles], e.g. {\"github\": [\"x\"]}");
    json_object_foreach(v, platform, list)
    {
        size_t n = 0;

        snprintf(field, sizeof field, "handles.%s", platform);
        if (!normalize_token(platform, false, 32, name))
            return fail(c, SHN_ERR_PARSE, field,
                        "a platform is 1-32 letters, digits, '_', '-' or '.'");
        rc = get_array(c, list, field, &n);
        if (rc != SHN_OK)
            return rc;
        *total += n;
        rc = check_total(c, *total, "handles");
        for (size_t i = 0; rc == SHN_OK && i < n; i++) {
            const char *s;
            snprintf(field, sizeof field, "handles.%s[%zu]", platform, i);
            rc = get_text(c, json_array_get(list, i), field, 256, false, &s);
            if (rc == SHN_OK && s[0] == '@')
                s++; /* "@name" and "name" are the same handle */
            if (rc == SHN_OK && (!*s || strchr(s, ' ')))
                rc = fail(c, SHN_ERR_PARSE, field, "a handle has no spaces");
            if (rc == SHN_OK && c->adding) {
                rc = shn__model_add_ident(c->set, e, SHN_ID_HANDLE, s, name, NULL);
                if (rc != SHN_OK)
                    rc = model_fail(c, rc, field);
            }
        }
        if (rc != SHN_OK)
            return rc;
    }
    return rc;
}

static int wallets(struct custom_ctx *c, struct shn_entity *e, json_t *obj, size_t *total)
{
    json_t *v = json_object_get(obj, "wallets");
    char field[48], sub[48], chain[17];
    size_t n = 0; /* set by get_array on success; 0 quiets -O3 */
    int rc = get_array(c, v, "wallets", &n);

    if (rc != SHN_OK)
        return rc;
    *total += n;
    rc = check_total(c, *total, "wallets");
    for (size_t i = 0; rc == SHN_OK && i < n; i++) {
        json_t *w = json_array_get(v, i), *x;
        const char *k, *chain_text = NULL, *address = NULL;

        snprintf(field, sizeof field, "wallets[%zu]", i);
        if (!json_is_object(w))
            return fail(c, SHN_ERR_PARSE, field,
                        "expected an object {\"chain\": \"ETH\", \"address\": \"0x...\"}");
        json_object_foreach(w, k, x)
        {
            if (strcmp(k, "chain") != 0 && strcmp(k, "address") != 0)
                warn_unknown(c, field, k);
        }
        join_field(sub, sizeof sub, field, "chain");
        x = json_object_get(w, "chain");
        rc = x ? get_text(c, x, sub, 16, false, &chain_text)
               : fail(c, SHN_ERR_PARSE, sub, "required");
        if (rc == SHN_OK && !normalize_token(chain_text, true, 16, chain))
            rc = fail(c, SHN_ERR_PARSE, sub, "an asset code is 1-16 letters or digits, e.g. ETH");
        if (rc != SHN_OK)
            return rc;
        if (strcmp(chain, "BTC") == 0)
            memcpy(chain, "XBT", 4); /* OFAC's code for bitcoin */
        join_field(sub, sizeof sub, field, "address");
        x = json_object_get(w, "address");
        rc =
            x ? get_text(c, x, sub, 256, false, &address) : fail(c, SHN_ERR_PARSE, sub, "required");
        if (rc == SHN_OK && strchr(address, ' '))
            rc = fail(c, SHN_ERR_PARSE, sub, "an address has no spaces");
        if (rc == SHN_OK && c->adding) {
            rc = shn__model_add_ident(c->set, e, SHN_ID_CRYPTO, address, chain, NULL);
            if (rc != SHN_OK)
                rc = model_fail(c, rc, sub);
        }
    }
    return rc;
}

/* ---- Entries ---------------------------------------------------------- */

static const char *const known_fields[] = {
    "id",          "list",          "kind",     "name",    "aliases", "weak_aliases",
    "birth_dates", "nationalities", "emails",   "phones",  "handles", "wallets",
    "passports",   "id_numbers",    "programs", "remarks",
};

static int parse_kind(const char *s)
{
    static const struct {
        const char *name;
        int kind;
    } kinds[] = {{"person", SHN_KIND_PERSON},
                 {"organization", SHN_KIND_ORGANIZATION},
                 {"vessel", SHN_KIND_VESSEL},
                 {"aircraft", SHN_KIND_AIRCRAFT}};

    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(s, kinds[i].name) == 0)
            return kinds[i].kind;
    return -1;
}

/* Remembers `id` for this file; false if it was seen already. */
static int remember_id(struct custom_ctx *c, const char *id, bool *fresh)
{
    uint32_t mask, i;

    if ((c->n_ids + 1) * 2 > c->cap_ids) {
        uint32_t cap = c->cap_ids ? c->cap_ids * 2 : 256;
        const char **slots = shn_arena_calloc(&c->scratch, cap, sizeof *slots);
        if (!slots)
            return SHN_ERR_NOMEM;
        for (uint32_t j = 0; j < c->cap_ids; j++) {
            if (!c->ids[j])
                continue;
            i = (uint32_t)shn_hash64(c->ids[j], strlen(c->ids[j]), 0) & (cap - 1);
            while (slots[i])
                i = (i + 1) & (cap - 1);
            slots[i] = c->ids[j];
        }
        c->ids = slots;
        c->cap_ids = cap;
    }
    mask = c->cap_ids - 1;
    i = (uint32_t)shn_hash64(id, strlen(id), 0) & mask;
    while (c->ids[i]) {
        if (strcmp(c->ids[i], id) == 0) {
            *fresh = false;
            return SHN_OK;
        }
        i = (i + 1) & mask;
    }
    c->ids[i] = shn_arena_strdup(&c->scratch, id);
    if (!c->ids[i])
        return SHN_ERR_NOMEM;
    c->n_ids++;
    *fresh = true;
    return SHN_OK;
}

static int count_list(struct custom_ctx *c, const char *list)
{
    uint32_t i;

    for (i = 0; i < c->n_lists; i++)
        if (strcmp(c->lists[i].name, list) == 0)
            break;
    if (i == c->n_lists) {
        if (c->n_lists == SHN_CUSTOM_MAX_LISTS)
            return fail(c, SHN_ERR_TOO_LARGE, "list", "more than %d list names in one file",
                        SHN_CUSTOM_MAX_LISTS);
        snprintf(c->lists[i].name, sizeof c->lists[i].name, "%s", list);
        c->lists[i].entities = 0;
        c->n_lists++;
    }
    c->lists[i].entities++;
    return SHN_OK;
}

static int entry_head(struct custom_ctx *c, json_t *obj, const char **id, const char **list,
                      int *kind)
{
    json_t *v;
    const char *k, *s;
    int rc;

    json_object_foreach(obj, k, v)
    {
        size_t i;
        for (i = 0; i < sizeof known_fields / sizeof known_fields[0]; i++)
            if (strcmp(k, known_fields[i]) == 0)
                break;
        if (i == sizeof known_fields / sizeof known_fields[0])
            warn_unknown(c, NULL, k);
    }
    v = json_object_get(obj, "id");
    if (!v || json_is_null(v))
        return fail(c, SHN_ERR_PARSE, "id", "required");
    if (json_is_integer(v))
        return fail(c, SHN_ERR_PARSE, "id", "expected a string (write \"%lld\")",
                    (long long)json_integer_value(v));
    rc = get_text(c, v, "id", SHN_CUSTOM_MAX_ID, false, id);
    if (rc != SHN_OK)
        return rc;

    *list = c->default_list;
    v = json_object_get(obj, "list");
    if (v && !json_is_null(v)) {
        rc = get_text(c, v, "list", SHN_CUSTOM_MAX_LISTNAME, false, list);
        if (rc != SHN_OK)
            return rc;
        if (!valid_list_name(*list))
            return fail(c, SHN_ERR_PARSE, "list",
                        "\"%s\" is not a list name: 1-64 letters, digits, '-', '_' or '.', and "
                        "not ofac, ofac-cons, un or crypto",
                        *list);
    } else if (!valid_list_name(*list)) {
        return fail(c, SHN_ERR_PARSE, "list",
                    "no \"list\" field, and the file name \"%s\" is not a usable list name", *list);
    }

    *kind = SHN_KIND_UNKNOWN;
    v = json_object_get(obj, "kind");
    if (v && !json_is_null(v)) {
        rc = get_text(c, v, "kind", 64, false, &s);
        if (rc != SHN_OK)
            return rc;
        *kind = parse_kind(s);
        if (*kind < 0)
            return fail_value(c, "kind", "not one of person, organization, vessel, aircraft", s);
    }
    return SHN_OK;
}

static int entry(struct custom_ctx *c, json_t *obj)
{
    struct entry_counts n = {0};
    struct shn_entity *e = NULL;
    const char *id = NULL, *list = NULL, *name = NULL, *remarks = NULL;
    char entity_id[SHN_CUSTOM_MAX_ID + 8];
    json_t *v;
    int kind = SHN_KIND_UNKNOWN, rc;

    if (!json_is_object(obj))
        return fail(c, SHN_ERR_PARSE, NULL, "a line must hold one JSON object");
    rc = entry_head(c, obj, &id, &list, &kind);
    if (rc != SHN_OK)
        return rc;
    snprintf(entity_id, sizeof entity_id, "custom:%s", id);

    if (!c->adding) {
        const struct shn_entity *other = shn__model_find(c->set, entity_id);
        bool fresh;

        if (other)
            return fail(c, SHN_ERR_PARSE, "id",
                        "\"%s\" is already used by list \"%s\" loaded earlier (ids must be "
                        "unique across custom lists)",
                        id, other->source);
        rc = remember_id(c, id, &fresh);
        if (rc != SHN_OK)
            return fail(c, rc, "id", "out of memory");
        if (!fresh)
            return fail(c, SHN_ERR_PARSE, "id", "duplicate id \"%s\" in this file", id);
    } else {
        e = shn__model_entity(c->set, entity_id, list, kind);
        if (!e)
            return fail(c, SHN_ERR_NOMEM, "id", "out of memory");
    }

    v = json_object_get(obj, "name");
    if (v && !json_is_null(v)) {
        rc = get_text(c, v, "name", MAX_SHORT_TEXT, false, &name);
        n.names = 1;
        if (rc == SHN_OK && c->adding) {
            rc = shn__model_add_name(c->set, e, name, SHN_ALIAS_PRIMARY);
            if (rc != SHN_OK)
                rc = model_fail(c, rc, "name");
        }
    }
    if (rc == SHN_OK)
        rc = string_array(c, e, obj, "aliases", T_ALIAS, &n.names);
    if (rc == SHN_OK)
        rc = string_array(c, e, obj, "weak_aliases", T_WEAK, &n.names);
    if (rc == SHN_OK)
        rc = birth_dates(c, e, obj);
    if (rc == SHN_OK)
        rc = string_array(c, e, obj, "nationalities", T_NATIONALITY, &n.nationalities);
    if (rc == SHN_OK)
        rc = string_array(c, e, obj, "emails", T_EMAIL, &n.idents);
    if (rc == SHN_OK)
        rc = string_array(c, e, obj, "phones", T_PHONE, &n.idents);
    if (rc == SHN_OK)
        rc = handles(c, e, obj, &n.idents);
    if (rc == SHN_OK)
        rc = wallets(c, e, obj, &n.idents);
    if (rc == SHN_OK)
        rc = document_array(c, e, obj, "passports", T_PASSPORT, &n.idents);
    if (rc == SHN_OK)
        rc = document_array(c, e, obj, "id_numbers", T_IDNUM, &n.idents);
    if (rc == SHN_OK)
        rc = string_array(c, e, obj, "programs", T_PROGRAM, &n.programs);
    v = json_object_get(obj, "remarks");
    if (rc == SHN_OK && v && !json_is_null(v)) {
        rc = get_text(c, v, "remarks", SHN_MAX_TEXT, true, &remarks);
        if (rc == SHN_OK && c->adding) {
            rc = shn__model_set_remarks(c->set, e, remarks);
            if (rc != SHN_OK)
                rc = model_fail(c, rc, "remarks");
        }
    }
    if (rc == SHN_OK && n.names == 0 && n.idents == 0)
        rc = fail(c, SHN_ERR_PARSE, "name",
                  "an entry needs a name, an alias or an identifier to match on");
    if (rc == SHN_OK && !c->adding) {
        c->entries++;
        rc = count_list(c, list);
    }
    return rc;
}

static int one_line(struct custom_ctx *c, const char *s, size_t len)
{
    json_error_t jerr;
    json_t *obj;
    size_t i = 0, bad = 0;
    unsigned long failures;
    int rc;

    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i == len || s[i] == '#')
        return SHN_OK;
    if (len > SHN_CUSTOM_MAX_LINE)
        return fail(c, SHN_ERR_TOO_LARGE, NULL, "line is %zu bytes, the limit is %zu", len,
                    SHN_CUSTOM_MAX_LINE);
    if (!shn_utf8_valid(s, len, &bad)) {
        rc = fail(c, SHN_ERR_ENCODING, NULL, "invalid UTF-8 at byte %zu of the line", bad + 1);
        if (c->diag)
            c->diag->column = (long)bad + 1;
        return rc;
    }
    failures = shn_alloc_failures();
    obj = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj && shn_alloc_failures() != failures) /* jansson calls it a syntax error */
        return fail(c, SHN_ERR_NOMEM, NULL, "out of memory");
    if (!obj) { /* the field, and the parser's excerpt by its shape only (F15) */
        char field[48], msg[sizeof jerr.text];
        shn_mask_json_error(s, len, (size_t)jerr.position, jerr.text, field, sizeof field, msg,
                            sizeof msg);
        rc = fail(c, SHN_ERR_PARSE, field, "%s", msg);
        if (c->diag)
            c->diag->column = jerr.column > 0 ? (long)jerr.column : 0;
        return rc;
    }
    rc = entry(c, obj);
    json_decref(obj);
    return rc;
}

static int all_lines(struct custom_ctx *c, const char *data, size_t len)
{
    size_t pos = 0;
    int rc = SHN_OK;

    shn__screen_route_allocations();
    c->line = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3; /* a byte-order mark some editors write */
    while (rc == SHN_OK && pos < len) {
        const char *eol = memchr(data + pos, '\n', len - pos);
        size_t end = eol ? (size_t)(eol - data) : len;
        size_t n = end - pos;

        c->line++;
        if (n && data[pos + n - 1] == '\r')
            n--;
        rc = one_line(c, data + pos, n);
        pos = eol ? end + 1 : len;
    }
    return rc;
}

int shn__screen_load_custom_mem(struct shn_listset *set, const char *data, size_t len,
                                const char *file, const char *default_list, const char *date,
                                struct shn_diag *diag)
{
    struct custom_ctx c;
    int rc;

    memset(&c, 0, sizeof c);
    c.set = set;
    c.file = file;
    c.default_list = default_list ? default_list : "custom";
    c.diag = diag;
    shn_arena_init(&c.scratch, 0, 0);

    if (len > SHN_CUSTOM_MAX_FILE) {
        rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, file, 0, NULL, "%zu bytes, the limit is %zu",
                          len, SHN_CUSTOM_MAX_FILE);
        goto out;
    }
    rc = all_lines(&c, data, len);
    if (rc != SHN_OK)
        goto out;
    if (c.entries > SHN_MAX_ENTITIES - set->n_entities) {
        rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, file, 0, NULL,
                          "%u entries would pass the limit of %u entities", c.entries,
                          (unsigned)SHN_MAX_ENTITIES);
        goto out;
    }
    if (set->n_sources + (c.n_lists ? c.n_lists : 1) >
        sizeof set->sources / sizeof set->sources[0]) {
        rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, file, 0, "list", "too many lists loaded");
        goto out;
    }
    c.adding = true;
    rc = all_lines(&c, data, len);
    if (rc != SHN_OK)
        goto out;
    if (c.n_lists == 0) {
        shn_log(SHN_LOG_WARN, "%s: custom list has no entries", file);
        rc = shn__model_add_source(set, valid_list_name(c.default_list) ? c.default_list : "custom",
                                   file, date, 0);
    }
    for (uint32_t i = 0; rc == SHN_OK && i < c.n_lists; i++)
        rc = shn__model_add_source(set, c.lists[i].name, file, date, c.lists[i].entities);
    if (rc != SHN_OK)
        rc = shn_diag_set(diag, rc, file, 0, NULL, "%s", shn_strerror(rc));
out:
    shn_arena_cleanup(&c.scratch);
    return rc;
}

/* "lists/blocklist.jsonl" -> "blocklist": the base name without its last
 * extension. */
static void list_name_from_path(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    const char *dot;
    size_t n;

    base = base ? base + 1 : path;
    dot = strrchr(base, '.');
    n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    if (n >= size)
        n = size - 1;
    memcpy(out, base, n);
    out[n] = '\0';
}

int shn_screen_load_custom(struct shn_listset *set, const char *path, struct shn_diag *diag)
{
    char list[SHN_CUSTOM_MAX_LISTNAME + 2]; /* one more, so too long stays invalid */
    char date[32] = "";
    char *data = NULL;
    size_t len = 0;
    struct stat st;
    struct tm tm;
    int rc;

    if (!set || !path)
        return shn_diag_set(diag, SHN_ERR_INVALID, path, 0, NULL, "no list set or path");
    rc = shn_file_read(path, SHN_CUSTOM_MAX_FILE, &data, &len, diag);
    if (rc != SHN_OK)
        goto out;
    if (stat(path, &st) == 0 && gmtime_r(&st.st_mtime, &tm))
        strftime(date, sizeof date, "%Y-%m-%d", &tm);
    list_name_from_path(path, list, sizeof list);
    rc = shn__screen_load_custom_mem(set, data, len, path, list, date, diag);
out:
    shn_free(data);
    return rc;
}
