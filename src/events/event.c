/* The event parser: one JSON Lines record checked against docs/events.md.
 * Unknown fields are rejected unless they start with "x_" (so a misspelt
 * field is caught, while a platform can still carry its own data). */
#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "events_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/mask.h"
#include "shinsa/core/time.h"

#define MAX_PAYOUT_METHODS 16
#define MAX_SKILLS 64
#define SHORT_MAX 256 /* names, emails, phones, chains, addresses, ... */
#define AMOUNT_MAX 1e12

struct ctx {
    const char *file;
    long line;
    struct shn_diag *diag;
};

static int bad(struct ctx *c, const char *field, const char *msg)
{
    return shn_diag_set(c->diag, SHN_ERR_PARSE, c->file, c->line, field, "%s", msg);
}

const char *shn_events_type_name(enum shn_events_type type)
{
    switch (type) {
    case SHN_EVENTS_ACCOUNT:
        return "account";
    case SHN_EVENTS_LOGIN:
        return "login";
    case SHN_EVENTS_BID:
        return "bid";
    case SHN_EVENTS_MESSAGE:
        return "message";
    case SHN_EVENTS_PAYOUT:
        return "payout";
    }
    return "?";
}

/* A string of 1..max bytes; `text` allows newlines and tabs, otherwise no
 * control character at all. */
static int str_field(struct ctx *c, json_t *v, const char *field, size_t max, bool text,
                     const char **out)
{
    const char *s;
    size_t len;
    if (!json_is_string(v))
        return bad(c, field, "expected a string");
    s = json_string_value(v);
    len = json_string_length(v);
    if (strlen(s) != len)
        return bad(c, field, "holds a NUL character");
    if (len == 0)
        return bad(c, field, "empty");
    if (len > max)
        return shn_diag_set(c->diag, SHN_ERR_PARSE, c->file, c->line, field,
                            "longer than %zu bytes", max);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && !(text && (ch == '\n' || ch == '\t' || ch == '\r'))) || ch == 0x7F)
            return bad(c, field, "holds a control character");
    }
    if (out)
        *out = s;
    return SHN_OK;
}

/* An event's time: an instant with a zone (core time, no other forms). */
static bool parse_time(const char *s, long long *unix_time)
{
    int64_t t;
    if (shn_time_parse(s, strlen(s), 0, &t, NULL) != SHN_OK)
        return false;
    *unix_time = t;
    return true;
}

static bool is_upper(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return false;
    return true;
}

static int country_field(struct ctx *c, json_t *v, const char *field)
{
    const char *s;
    int rc = str_field(c, v, field, 2, false, &s);
    if (rc == SHN_OK && (strlen(s) != 2 || !is_upper(s, 2)))
        rc = bad(c, field, "expected an ISO 3166 alpha-2 code such as \"JP\"");
    return rc;
}

static int currency_field(struct ctx *c, json_t *v, const char *field, char out[4])
{
    const char *s;
    int rc = str_field(c, v, field, 3, false, &s);
    if (rc == SHN_OK && (strlen(s) != 3 || !is_upper(s, 3)))
        rc = bad(c, field, "expected an ISO 4217 code such as \"JPY\"");
    if (rc == SHN_OK && out)
        memcpy(out, s, 4);
    return rc;
}

static int amount_field(struct ctx *c, json_t *v, const char *field, double *out)
{
    double a;
    if (!json_is_number(v))
        return bad(c, field, "expected a number");
    a = json_number_value(v);
    if (!isfinite(a) || a <= 0 || a > AMOUNT_MAX)
        return bad(c, field, "expected a positive amount below 1e12");
    if (out)
        *out = a;
    return SHN_OK;
}

/* Every key of obj must be in `allowed` (NULL-terminated) or start with x_. */
static int known_keys(struct ctx *c, json_t *obj, const char *prefix, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = strncmp(key, "x_", 2) == 0;
        (void)v;
        for (size_t i = 0; !ok && allowed[i]; i++)
            ok = strcmp(key, allowed[i]) == 0;
        if (!ok) { /* the key as written only when it looks like a field name */
            char f[48], k[48];
            shn_mask_field(key, strlen(key), k, sizeof k);
            snprintf(f, sizeof f, "%s%s", prefix, k);
            return bad(c, f, "unknown field (extensions must start with \"x_\")");
        }
    }
    return SHN_OK;
}

/* A value that is present and not null. */
static json_t *get(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return v && !json_is_null(v) ? v : NULL;
}

static int required(struct ctx *c, json_t *obj, const char *key, const char *field, json_t **out)
{
    *out = get(obj, key);
    return *out ? SHN_OK : bad(c, field, "missing");
}

/* {type: bank|crypto|paypal|other, account} or {type: crypto, chain, address}. */
static int payout_method(struct ctx *c, json_t *m, const char *field)
{
    static const char *const keys[] = {"type", "account", "chain", "address", NULL};
    char f[48], pre[48];
    json_t *v;
    const char *t;
    int rc;
    if (!json_is_object(m))
        return bad(c, field, "expected an object");
    snprintf(pre, sizeof pre, "%s.", field);
    rc = known_keys(c, m, pre, keys);
    snprintf(f, sizeof f, "%s.type", field);
    if (rc == SHN_OK)
        rc = required(c, m, "type", f, &v);
    if (rc == SHN_OK)
        rc = str_field(c, v, f, 16, false, &t);
    if (rc != SHN_OK)
        return rc;
    if (strcmp(t, "crypto") == 0) {
        snprintf(f, sizeof f, "%s.chain", field);
        rc = required(c, m, "chain", f, &v);
        if (rc == SHN_OK)
            rc = str_field(c, v, f, 32, false, NULL);
        snprintf(f, sizeof f, "%s.address", field);
        if (rc == SHN_OK)
            rc = required(c, m, "address", f, &v);
        if (rc == SHN_OK)
            rc = str_field(c, v, f, SHORT_MAX, false, NULL);
        snprintf(f, sizeof f, "%s.account", field);
        if (rc == SHN_OK && get(m, "account"))
            rc = bad(c, f, "a crypto method has chain and address, not account");
        return rc;
    }
    if (strcmp(t, "bank") != 0 && strcmp(t, "paypal") != 0 && strcmp(t, "other") != 0)
        return bad(c, f, "expected bank, crypto, paypal or other");
    snprintf(f, sizeof f, "%s.account", field);
    rc = required(c, m, "account", f, &v);
    if (rc == SHN_OK)
        rc = str_field(c, v, f, SHORT_MAX, false, NULL);
    if (rc == SHN_OK && (get(m, "chain") || get(m, "address")))
        rc = bad(c, field, "chain and address belong to crypto methods only");
    return rc;
}

static int id_document(struct ctx *c, json_t *d)
{
    static const char *const keys[] = {"type", "number", "country", "image", "image_pdq", NULL};
    json_t *v;
    const char *s;
    int rc;
    if (!json_is_object(d))
        return bad(c, "id_document", "expected an object");
    rc = known_keys(c, d, "id_document.", keys);
    if (rc == SHN_OK && (v = get(d, "type")))
        rc = str_field(c, v, "id_document.type", 64, false, NULL);
    if (rc == SHN_OK && (v = get(d, "number")))
        rc = str_field(c, v, "id_document.number", 64, false, NULL);
    if (rc == SHN_OK && (v = get(d, "country")))
        rc = country_field(c, v, "id_document.country");
    if (rc == SHN_OK && (v = get(d, "image")))
        rc = str_field(c, v, "id_document.image", 4096, false, NULL);
    if (rc == SHN_OK && (v = get(d, "image_pdq"))) {
        rc = str_field(c, v, "id_document.image_pdq", 64, false, &s);
        if (rc == SHN_OK) {
            bool hex = strlen(s) == 64;
            for (size_t i = 0; hex && i < 64; i++)
                hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                      (s[i] >= 'A' && s[i] <= 'F');
            if (!hex)
                rc = bad(c, "id_document.image_pdq", "expected 64 hexadecimal digits");
        }
    }
    return rc;
}

static int account_event(struct ctx *c, json_t *o)
{
    static const char *const strings[] = {"name",  "name_reading", "name_latin", "email",
                                          "phone", "address",      NULL};
    json_t *v;
    const char *s;
    char f[48];
    int64_t day;
    int rc = SHN_OK;
    for (size_t i = 0; rc == SHN_OK && strings[i]; i++)
        if ((v = get(o, strings[i])))
            rc = str_field(c, v, strings[i], SHORT_MAX, false, NULL);
    if (rc == SHN_OK && (v = get(o, "birth_date"))) {
        rc = str_field(c, v, "birth_date", 10, false, &s);
        /* Full dates only: partial ones are a screening-query convenience,
         * not something a platform records. */
        if (rc == SHN_OK && shn_time_parse_date(s, strlen(s), &day) != SHN_OK)
            rc = bad(c, "birth_date", "expected a date YYYY-MM-DD");
    }
    if (rc == SHN_OK && (v = get(o, "nationality")))
        rc = country_field(c, v, "nationality");
    if (rc == SHN_OK && (v = get(o, "residence")))
        rc = country_field(c, v, "residence");
    if (rc == SHN_OK && (v = get(o, "profile")))
        rc = str_field(c, v, "profile", SHN_EVENTS_TEXT_MAX, true, NULL);
    if (rc == SHN_OK && (v = get(o, "id_document")))
        rc = id_document(c, v);
    if (rc == SHN_OK && (v = get(o, "payout"))) {
        if (!json_is_array(v))
            rc = bad(c, "payout", "expected an array");
        else if (json_array_size(v) > MAX_PAYOUT_METHODS)
            rc = bad(c, "payout", "more than 16 methods");
        for (size_t i = 0; rc == SHN_OK && i < json_array_size(v); i++) {
            snprintf(f, sizeof f, "payout[%zu]", i);
            rc = payout_method(c, json_array_get(v, i), f);
        }
    }
    if (rc == SHN_OK && (v = get(o, "skills"))) {
        if (!json_is_array(v))
            rc = bad(c, "skills", "expected an array");
        else if (json_array_size(v) > MAX_SKILLS)
            rc = bad(c, "skills", "more than 64 skills");
        for (size_t i = 0; rc == SHN_OK && i < json_array_size(v); i++) {
            snprintf(f, sizeof f, "skills[%zu]", i);
            rc = str_field(c, json_array_get(v, i), f, 64, false, NULL);
        }
    }
    if (rc == SHN_OK && (v = get(o, "hourly_rate"))) {
        static const char *const keys[] = {"amount", "currency", NULL};
        json_t *a, *cur;
        if (!json_is_object(v))
            return bad(c, "hourly_rate", "expected an object");
        rc = known_keys(c, v, "hourly_rate.", keys);
        if (rc == SHN_OK)
            rc = required(c, v, "amount", "hourly_rate.amount", &a);
        if (rc == SHN_OK)
            rc = amount_field(c, a, "hourly_rate.amount", NULL);
        if (rc == SHN_OK)
            rc = required(c, v, "currency", "hourly_rate.currency", &cur);
        if (rc == SHN_OK)
            rc = currency_field(c, cur, "hourly_rate.currency", NULL);
    }
    return rc;
}

static int login_event(struct ctx *c, json_t *o)
{
    json_t *v;
    const char *s;
    unsigned char addr[16];
    int off;
    int rc = required(c, o, "ip", "ip", &v);
    if (rc == SHN_OK)
        rc = str_field(c, v, "ip", 45, false, &s);
    if (rc == SHN_OK && inet_pton(AF_INET, s, addr) != 1 && inet_pton(AF_INET6, s, addr) != 1)
        rc = bad(c, "ip", "not an IPv4 or IPv6 address");
    if (rc == SHN_OK && (v = get(o, "user_agent")))
        rc = str_field(c, v, "user_agent", 1024, false, NULL);
    if (rc == SHN_OK && (v = get(o, "device")))
        rc = str_field(c, v, "device", SHORT_MAX, false, NULL);
    if (rc == SHN_OK && (v = get(o, "utc_offset"))) {
        rc = str_field(c, v, "utc_offset", 6, false, &s);
        if (rc == SHN_OK && shn_time_parse_offset(s, strlen(s), &off) != SHN_OK)
            rc = bad(c, "utc_offset", "expected +HH:MM or -HH:MM");
    }
    return rc;
}

static int bid_event(struct ctx *c, json_t *o, struct shn_events_event *ev)
{
    json_t *v;
    const char *s;
    int rc = required(c, o, "job", "job", &v);
    if (rc == SHN_OK)
        rc = str_field(c, v, "job", SHN_EVENTS_ID_MAX, false, NULL);
    if (rc == SHN_OK)
        rc = required(c, o, "category", "category", &v);
    if (rc == SHN_OK)
        rc = str_field(c, v, "category", SHN_EVENTS_CATEGORY_MAX, false, &s);
    if (rc == SHN_OK)
        memcpy(ev->category, s, strlen(s) + 1);
    if (rc == SHN_OK)
        rc = required(c, o, "amount", "amount", &v);
    if (rc == SHN_OK)
        rc = amount_field(c, v, "amount", &ev->amount);
    if (rc == SHN_OK)
        rc = required(c, o, "currency", "currency", &v);
    if (rc == SHN_OK)
        rc = currency_field(c, v, "currency", ev->currency);
    return rc;
}

static int message_event(struct ctx *c, json_t *o)
{
    json_t *v;
    int rc = required(c, o, "to", "to", &v);
    if (rc == SHN_OK)
        rc = str_field(c, v, "to", SHN_EVENTS_ID_MAX, false, NULL);
    if (rc == SHN_OK)
        rc = required(c, o, "text", "text", &v);
    if (rc == SHN_OK)
        rc = str_field(c, v, "text", SHN_EVENTS_TEXT_MAX, true, NULL);
    return rc;
}

static int payout_event(struct ctx *c, json_t *o, struct shn_events_event *ev)
{
    json_t *v;
    int rc = required(c, o, "method", "method", &v);
    if (rc == SHN_OK)
        rc = payout_method(c, v, "method");
    if (rc == SHN_OK)
        rc = required(c, o, "amount", "amount", &v);
    if (rc == SHN_OK)
        rc = amount_field(c, v, "amount", &ev->amount);
    if (rc == SHN_OK)
        rc = required(c, o, "currency", "currency", &v);
    if (rc == SHN_OK)
        rc = currency_field(c, v, "currency", ev->currency);
    return rc;
}

static const struct {
    const char *name;
    enum shn_events_type type;
    const char *const keys[24];
} types[] = {
    {"account",
     SHN_EVENTS_ACCOUNT,
     {"event", "id", "time", "account", "name", "name_reading", "name_latin", "birth_date",
      "nationality", "residence", "email", "phone", "address", "id_document", "payout", "profile",
      "skills", "hourly_rate", NULL}},
    {"login",
     SHN_EVENTS_LOGIN,
     {"event", "id", "time", "account", "ip", "user_agent", "device", "utc_offset", NULL}},
    {"bid",
     SHN_EVENTS_BID,
     {"event", "id", "time", "account", "job", "category", "amount", "currency", NULL}},
    {"message", SHN_EVENTS_MESSAGE, {"event", "id", "time", "account", "to", "text", NULL}},
    {"payout",
     SHN_EVENTS_PAYOUT,
     {"event", "id", "time", "account", "method", "amount", "currency", NULL}},
};

int shn__events_load(const char *line, size_t len, const char *file, long line_no, json_t **out,
                     struct shn_diag *diag)
{
    json_error_t jerr;
    json_t *o = NULL;
    unsigned long failures;
    int rc = SHN_OK;
    shn__events_route_allocations();
    /* jansson may stop at a NUL as at the end of input; the store must
     * never keep bytes after one. */
    if (memchr(line, '\0', len)) {
        rc = shn_diag_set(diag, SHN_ERR_PARSE, file, line_no, "", "holds a NUL byte");
        goto out;
    }
    failures = shn_alloc_failures();
    o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o && shn_alloc_failures() != failures) { /* jansson calls it a syntax error */
        rc = shn_diag_set(diag, SHN_ERR_NOMEM, file, line_no, "", "out of memory");
        goto out;
    }
    if (!o) { /* the field, and the parser's excerpt by its shape only (F15) */
        char field[sizeof diag->field], msg[sizeof jerr.text];
        shn_mask_json_error(line, len, (size_t)jerr.position, jerr.text, field, sizeof field, msg,
                            sizeof msg);
        rc = shn_diag_set(diag, SHN_ERR_PARSE, file, line_no, field, "invalid JSON: %s", msg);
        goto out;
    }
    if (!json_is_object(o)) {
        rc = shn_diag_set(diag, SHN_ERR_PARSE, file, line_no, "", "expected a JSON object");
        goto out;
    }
    *out = o;
    o = NULL;
out:
    json_decref(o);
    return rc;
}

int shn_events_parse(const char *line, size_t len, const char *file, long line_no,
                     struct shn_events_event *ev, struct shn_diag *diag)
{
    struct ctx c = {file, line_no, diag};
    struct shn_events_event e;
    json_t *o = NULL, *v;
    const char *s;
    size_t t = 0;
    int rc;

    if (len > SHN_EVENTS_LINE_MAX) {
        rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, file, line_no, "", "line longer than %d bytes",
                          SHN_EVENTS_LINE_MAX);
        goto out;
    }
    rc = shn__events_load(line, len, file, line_no, &o, diag);
    if (rc != SHN_OK)
        goto out;
    memset(&e, 0, sizeof e);
    rc = required(&c, o, "event", "event", &v);
    if (rc == SHN_OK)
        rc = str_field(&c, v, "event", 16, false, &s);
    if (rc != SHN_OK)
        goto out;
    while (t < sizeof types / sizeof types[0] && strcmp(types[t].name, s) != 0)
        t++;
    if (t == sizeof types / sizeof types[0]) {
        rc = bad(&c, "event", "expected account, login, bid, message or payout");
        goto out;
    }
    e.type = types[t].type;
    rc = required(&c, o, "id", "id", &v);
    if (rc == SHN_OK)
        rc = str_field(&c, v, "id", SHN_EVENTS_ID_MAX, false, &s);
    if (rc != SHN_OK)
        goto out;
    memcpy(e.id, s, strlen(s) + 1);
    rc = required(&c, o, "account", "account", &v);
    if (rc == SHN_OK)
        rc = str_field(&c, v, "account", SHN_EVENTS_ID_MAX, false, &s);
    if (rc != SHN_OK)
        goto out;
    memcpy(e.account, s, strlen(s) + 1);
    rc = required(&c, o, "time", "time", &v);
    if (rc == SHN_OK)
        rc = str_field(&c, v, "time", sizeof e.time - 1, false, &s);
    if (rc == SHN_OK && !parse_time(s, &e.time_unix))
        rc = bad(&c, "time", "expected ISO 8601 with a zone, e.g. 2026-03-01T09:00:00+09:00");
    if (rc != SHN_OK)
        goto out;
    memcpy(e.time, s, strlen(s) + 1);
    rc = known_keys(&c, o, "", types[t].keys);
    if (rc != SHN_OK)
        goto out;
    switch (e.type) {
    case SHN_EVENTS_ACCOUNT:
        rc = account_event(&c, o);
        break;
    case SHN_EVENTS_LOGIN:
        rc = login_event(&c, o);
        break;
    case SHN_EVENTS_BID:
        rc = bid_event(&c, o, &e);
        break;
    case SHN_EVENTS_MESSAGE:
        rc = message_event(&c, o);
        break;
    case SHN_EVENTS_PAYOUT:
        rc = payout_event(&c, o, &e);
        break;
    }
    if (rc != SHN_OK)
        goto out;
    e.raw = line;
    e.raw_len = len;
    *ev = e;
out:
    json_decref(o);
    return rc;
}
