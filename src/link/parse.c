/* Platform events (their identifiers, read by the events module) and
 * persona records (docs/link.md) in JSON Lines. A line is checked whole
 * before anything of it is added, so a bad line leaves no trace but its
 * diagnostic. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "link_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/mask.h"
#include "shinsa/events.h"

#define MAX_PER_LINE 1024 /* identifiers one line may carry */
#define MAX_ARRAY 256     /* items of one array */

struct item {
    enum shn_link_kind kind;
    char value[SHN_LINK_VALUE_MAX + 1];
};

struct line_ctx {
    struct shn_link *l;
    struct shn_diag diag;
    const char *file;
    long line;
    struct item *items; /* MAX_PER_LINE */
    size_t n;
    char id[SHN_LINK_ID_MAX + 1]; /* the line's account or persona */
    size_t id_len;
};

static int bad(struct line_ctx *c, const char *field, const char *msg)
{
    return shn_diag_set(&c->diag, SHN_ERR_PARSE, c->file, c->line, field, "%s", msg);
}

static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7F)
            return true;
    return false;
}

/* Normalises one string value (len bytes, which may hold a NUL) into the
 * line's item list. */
static int take_str(struct line_ctx *c, const char *s, size_t len, const char *field,
                    enum shn_link_kind kind, const char *prefix)
{
    char raw[4 * SHN_LINK_VALUE_MAX + 64];
    int rc;
    if (len > 4 * SHN_LINK_VALUE_MAX || strlen(s) != len)
        return bad(c, field, "too long or holds a NUL");
    if (c->n + 2 > MAX_PER_LINE)
        return shn_diag_set(&c->diag, SHN_ERR_TOO_LARGE, c->file, c->line, field,
                            "more than %d identifiers on one line", MAX_PER_LINE);
    if (prefix) {
        int w = snprintf(raw, sizeof raw, "%s:%s", prefix, s);
        if (w < 0 || (size_t)w >= sizeof raw)
            return bad(c, field, "too long");
        s = raw;
        len = (size_t)w;
    }
    rc = shn_link_normalize(kind, s, len, c->l->opt.region, c->items[c->n].value,
                            sizeof c->items[c->n].value);
    if (rc != SHN_OK) {
        char msg[96];
        snprintf(msg, sizeof msg, "not a valid %s", shn_link_kind_name(kind));
        return bad(c, field, msg);
    }
    c->items[c->n++].kind = kind;
    if (kind == SHN_LINK_IP && shn_link_normalize(SHN_LINK_IP24, s, len, NULL, c->items[c->n].value,
                                                  sizeof c->items[c->n].value) == SHN_OK)
        c->items[c->n++].kind = SHN_LINK_IP24;
    return SHN_OK;
}

static int take(struct line_ctx *c, json_t *v, const char *field, enum shn_link_kind kind,
                const char *prefix)
{
    if (!json_is_string(v))
        return bad(c, field, "expected a string");
    return take_str(c, json_string_value(v), json_string_length(v), field, kind, prefix);
}

static int array_of(struct line_ctx *c, json_t *obj, const char *key, size_t *n, json_t **arr)
{
    json_t *v = json_object_get(obj, key);
    *n = 0;
    *arr = v;
    if (!v || json_is_null(v))
        return SHN_OK;
    if (!json_is_array(v))
        return bad(c, key, "expected an array");
    if (json_array_size(v) > MAX_ARRAY)
        return shn_diag_set(&c->diag, SHN_ERR_TOO_LARGE, c->file, c->line, key,
                            "more than %d items", MAX_ARRAY);
    *n = json_array_size(v);
    return SHN_OK;
}

/* ------------------------------------------------------- event lines */

/* The account of an event line: link's own rule for a node id. */
static bool good_id(const char *s, size_t len)
{
    return s && len > 0 && len <= SHN_LINK_ID_MAX && strlen(s) == len && !has_control(s);
}

static int event_account(void *ctx, const char *value, size_t len)
{
    struct line_ctx *c = ctx;
    if (!good_id(value, len))
        return bad(c, "account", "expected a string of 1..256 bytes without control characters");
    memcpy(c->id, value, len + 1);
    c->id_len = len;
    return SHN_OK;
}

/* Each identifier of the event format as one of link's kinds. Crypto
 * addresses are wallets, PayPal accounts emails (when they look like one),
 * every other payout account a bank account. */
static int event_ident(void *ctx, const struct shn_events_ident_value *v)
{
    static const enum shn_link_kind kinds[] = {
        [SHN_EVENTS_IDENT_NAME] = SHN_LINK_NAME,
        [SHN_EVENTS_IDENT_EMAIL] = SHN_LINK_EMAIL,
        [SHN_EVENTS_IDENT_PHONE] = SHN_LINK_PHONE,
        [SHN_EVENTS_IDENT_DEVICE] = SHN_LINK_DEVICE,
        [SHN_EVENTS_IDENT_IP] = SHN_LINK_IP,
        [SHN_EVENTS_IDENT_DOC_NUMBER] = SHN_LINK_ID_NUMBER,
        [SHN_EVENTS_IDENT_DOC_PDQ] = SHN_LINK_IMAGE,
    };
    struct line_ctx *c = ctx;
    enum shn_link_kind kind;
    if (v->ident != SHN_EVENTS_IDENT_PAYOUT)
        kind = kinds[v->ident];
    else if (v->pay_address || strcmp(v->pay_type, "crypto") == 0)
        kind = SHN_LINK_WALLET;
    else if (strcmp(v->pay_type, "paypal") == 0 && memchr(v->value, '@', v->len))
        kind = SHN_LINK_EMAIL;
    else
        kind = SHN_LINK_BANK;
    return take_str(c, v->value, v->len, v->field, kind, NULL);
}

static int string_list(struct line_ctx *c, json_t *o, const char *key, enum shn_link_kind kind,
                       const char *prefix)
{
    json_t *arr;
    size_t n;
    char f[48];
    int rc = array_of(c, o, key, &n, &arr);
    for (size_t i = 0; rc == SHN_OK && i < n; i++) {
        snprintf(f, sizeof f, "%s[%zu]", key, i);
        rc = take(c, json_array_get(arr, i), f, kind, prefix);
    }
    return rc;
}

static int parse_persona(struct line_ctx *c, json_t *o)
{
    static const struct {
        const char *key;
        enum shn_link_kind kind;
    } lists[] = {
        {"names", SHN_LINK_NAME},         {"emails", SHN_LINK_EMAIL},
        {"phones", SHN_LINK_PHONE},       {"devices", SHN_LINK_DEVICE},
        {"bank_accounts", SHN_LINK_BANK}, {"id_numbers", SHN_LINK_ID_NUMBER},
        {"image_pdq", SHN_LINK_IMAGE},    {"ips", SHN_LINK_IP},
    };
    json_t *v, *arr;
    size_t n;
    char f[48];
    int rc = SHN_OK;
    for (size_t k = 0; rc == SHN_OK && k < sizeof lists / sizeof lists[0]; k++)
        rc = string_list(c, o, lists[k].key, lists[k].kind, NULL);
    if (rc != SHN_OK)
        return rc;
    v = json_object_get(o, "handles");
    if (v && !json_is_null(v)) {
        const char *service;
        json_t *list;
        if (!json_is_object(v))
            return bad(c, "handles", "expected an object");
        json_object_foreach(v, service, list)
        {
            if (strlen(service) == 0 || strlen(service) > 32 || has_control(service))
                return bad(c, "handles", "bad service name");
            if (!json_is_array(list) || json_array_size(list) > MAX_ARRAY) {
                snprintf(f, sizeof f, "handles.%s", service);
                return bad(c, f, "expected an array of strings");
            }
            for (size_t i = 0; rc == SHN_OK && i < json_array_size(list); i++) {
                snprintf(f, sizeof f, "handles.%s[%zu]", service, i);
                rc = take(c, json_array_get(list, i), f, SHN_LINK_HANDLE, service);
            }
            if (rc != SHN_OK)
                return rc;
        }
    }
    rc = array_of(c, o, "wallets", &n, &arr);
    for (size_t i = 0; rc == SHN_OK && i < n; i++) {
        json_t *w = json_array_get(arr, i);
        snprintf(f, sizeof f, "wallets[%zu]", i);
        if (json_is_object(w)) {
            json_t *chain = json_object_get(w, "chain");
            if (chain && !json_is_string(chain)) {
                snprintf(f, sizeof f, "wallets[%zu].chain", i);
                return bad(c, f, "expected a string");
            }
            snprintf(f, sizeof f, "wallets[%zu].address", i);
            rc = take(c, json_object_get(w, "address"), f, SHN_LINK_WALLET, NULL);
        } else {
            rc = take(c, w, f, SHN_LINK_WALLET, NULL);
        }
    }
    return rc;
}

/* A persona line (link's own format, docs/link.md). */
static int read_persona(struct line_ctx *c, const char *s, size_t len)
{
    json_error_t jerr;
    json_t *o = NULL, *id;
    unsigned long failures = shn_alloc_failures();
    int rc;
    shn__link_route_allocations();
    o = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!o && shn_alloc_failures() != failures) { /* jansson calls it a syntax error */
        rc = shn_diag_set(&c->diag, SHN_ERR_NOMEM, c->file, c->line, "", "out of memory");
        goto out;
    }
    if (!o) { /* the field, and the parser's excerpt by its shape only (F15) */
        char field[sizeof c->diag.field], msg[sizeof jerr.text];
        shn_mask_json_error(s, len, (size_t)jerr.position, jerr.text, field, sizeof field, msg,
                            sizeof msg);
        rc = shn_diag_set(&c->diag, SHN_ERR_PARSE, c->file, c->line, field, "JSON: %s", msg);
        goto out;
    }
    if (!json_is_object(o)) {
        rc = bad(c, "", "expected a JSON object");
        goto out;
    }
    id = json_object_get(o, "persona");
    if (!json_is_string(id) || !good_id(json_string_value(id), json_string_length(id))) {
        rc = bad(c, "persona", "expected a string of 1..256 bytes without control characters");
        goto out;
    }
    c->id_len = json_string_length(id);
    memcpy(c->id, json_string_value(id), c->id_len + 1);
    rc = parse_persona(c, o);
out:
    json_decref(o);
    return rc;
}

/* An event line, read by the events module (shinsa/events.h): the format
 * is defined there, link only maps its identifiers to kinds. */
static int read_event(struct line_ctx *c, const char *s, size_t len)
{
    const struct shn_events_ident_reader r = {event_account, event_ident, c};
    return shn_events_read_identifiers(s, len, c->file, c->line, &r, &c->diag);
}

static int one_line(struct line_ctx *c, const char *s, size_t len, bool persona,
                    struct shn_link_load_stats *st)
{
    uint32_t node;
    int rc;
    c->n = 0;
    if (len > SHN_LINK_LINE_MAX)
        return shn_diag_set(&c->diag, SHN_ERR_TOO_LARGE, c->file, c->line, "",
                            "line longer than %u bytes", SHN_LINK_LINE_MAX);
    rc = persona ? read_persona(c, s, len) : read_event(c, s, len);
    if (rc != SHN_OK)
        return rc;
    /* The line is good: only now does the graph change. */
    rc = shn__link_node_get(c->l, c->id, c->id_len, true, &node);
    if (rc == SHN_OK && persona)
        c->l->nodes[node].persona = 1;
    for (size_t k = 0; rc == SHN_OK && k < c->n; k++)
        rc = shn__link_add_normalized(c->l, node, c->items[k].kind, c->items[k].value,
                                      strlen(c->items[k].value));
    if (rc == SHN_OK)
        st->identifiers += c->n;
    return rc;
}

static int load(struct shn_link *l, const char *data, size_t len, const char *file, bool persona,
                shn_link_bad_line_fn on_bad, void *ctx, struct shn_link_load_stats *stats)
{
    struct line_ctx c;
    struct shn_link_load_stats st = {0};
    size_t pos = 0;
    int rc = SHN_OK;
    if (!l || (!data && len))
        return SHN_ERR_INVALID;
    memset(&c, 0, sizeof c);
    c.l = l;
    c.file = file ? file : "-";
    c.items = shn_malloc(MAX_PER_LINE * sizeof *c.items);
    if (!c.items)
        return SHN_ERR_NOMEM;
    /* A UTF-8 byte order mark is how some tools start a text file: not a
     * bad first line (issue 12 F12). */
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    while (pos < len) {
        const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) : len - pos;
        bool blank = true;
        pos += n + (nl ? 1 : 0);
        c.line++;
        for (size_t k = 0; k < n && blank; k++)
            blank = s[k] == ' ' || s[k] == '\t' || s[k] == '\r';
        if (blank)
            continue;
        st.lines++;
        memset(&c.diag, 0, sizeof c.diag);
        rc = one_line(&c, s, n, persona, &st);
        if (rc == SHN_OK) {
            st.good++;
        } else if (rc == SHN_ERR_PARSE || (rc == SHN_ERR_TOO_LARGE && c.diag.message[0])) {
            st.bad++;
            if (on_bad)
                on_bad(ctx, &c.diag);
            rc = SHN_OK;
        } else {
            goto out; /* out of memory or the graph is full: stop */
        }
    }
out:
    shn_free(c.items);
    if (stats)
        *stats = st;
    return rc;
}

int shn_link_load_events(struct shn_link *l, const char *data, size_t len, const char *file,
                         shn_link_bad_line_fn on_bad, void *ctx, struct shn_link_load_stats *stats)
{
    return load(l, data, len, file, false, on_bad, ctx, stats);
}

int shn_link_load_personas(struct shn_link *l, const char *data, size_t len, const char *file,
                           shn_link_bad_line_fn on_bad, void *ctx,
                           struct shn_link_load_stats *stats)
{
    return load(l, data, len, file, true, on_bad, ctx, stats);
}
