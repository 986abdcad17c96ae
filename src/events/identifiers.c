/* The identifiers of an event (docs/events.md, "Identifiers"), for the
 * link engine: the fields that name a person, a contact, a device, a
 * document or a payout destination, read whatever the event's type and
 * without the checked parser's other rules, so that the link engine can
 * read exports the accounts engine would reject (a missing time, say)
 * while both agree on where each identifier sits in an event. */
#include <stdio.h>
#include <string.h>

#include "events_internal.h"

/* Payout methods read from one event: more is no event a platform sends
 * (the format allows 16) and would only make a line's work unbounded. */
#define PAYOUT_READ_MAX 256

struct reader {
    const struct shn_events_ident_reader *r;
    const char *file;
    long line;
    struct shn_diag *diag;
};

static int bad(struct reader *c, const char *field, const char *msg)
{
    return shn_diag_set(c->diag, SHN_ERR_PARSE, c->file, c->line, field, "%s", msg);
}

/* A value that is present and not null. */
static json_t *get(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return v && !json_is_null(v) ? v : NULL;
}

/* Hands one string value to the caller. */
static int give(struct reader *c, json_t *v, enum shn_events_ident ident, const char *field,
                const char *pay_type, bool pay_address)
{
    struct shn_events_ident_value iv;
    if (!json_is_string(v))
        return bad(c, field, "expected a string");
    iv.ident = ident;
    iv.field = field;
    iv.value = json_string_value(v);
    iv.len = json_string_length(v);
    iv.pay_type = pay_type;
    iv.pay_address = pay_address;
    return c->r->ident(c->r->ctx, &iv);
}

static int optional(struct reader *c, json_t *obj, const char *key, const char *field,
                    enum shn_events_ident ident)
{
    json_t *v = get(obj, key);
    return v ? give(c, v, ident, field, NULL, false) : SHN_OK;
}

/* A payout method identifies its destination: the address when it has one
 * (crypto), else its account; the caller reads the kind from its type. */
static int payout_method(struct reader *c, json_t *m, const char *field)
{
    char f[48];
    json_t *type, *addr, *acct;
    if (!json_is_object(m))
        return bad(c, field, "expected an object");
    type = json_object_get(m, "type");
    if (type && !json_is_string(type)) {
        snprintf(f, sizeof f, "%s.type", field);
        return bad(c, f, "expected a string");
    }
    addr = get(m, "address");
    acct = get(m, "account");
    snprintf(f, sizeof f, "%s.%s", field, addr ? "address" : "account");
    if (!addr && !acct)
        return SHN_OK;
    return give(c, addr ? addr : acct, SHN_EVENTS_IDENT_PAYOUT, f,
                type ? json_string_value(type) : "", addr != NULL);
}

static int identifiers(struct reader *c, json_t *o)
{
    static const struct {
        const char *key;
        enum shn_events_ident ident;
    } fields[] = {
        {"name", SHN_EVENTS_IDENT_NAME},   {"email", SHN_EVENTS_IDENT_EMAIL},
        {"phone", SHN_EVENTS_IDENT_PHONE}, {"device", SHN_EVENTS_IDENT_DEVICE},
        {"ip", SHN_EVENTS_IDENT_IP},
    };
    json_t *v;
    char f[48];
    int rc = SHN_OK;
    for (size_t k = 0; rc == SHN_OK && k < sizeof fields / sizeof fields[0]; k++)
        rc = optional(c, o, fields[k].key, fields[k].key, fields[k].ident);
    if (rc == SHN_OK && (v = get(o, "id_document"))) {
        if (!json_is_object(v))
            return bad(c, "id_document", "expected an object");
        rc = optional(c, v, "number", "id_document.number", SHN_EVENTS_IDENT_DOC_NUMBER);
        if (rc == SHN_OK)
            rc = optional(c, v, "image_pdq", "id_document.image_pdq", SHN_EVENTS_IDENT_DOC_PDQ);
    }
    if (rc == SHN_OK && (v = get(o, "payout"))) {
        if (!json_is_array(v))
            return bad(c, "payout", "expected an array");
        if (json_array_size(v) > PAYOUT_READ_MAX)
            return shn_diag_set(c->diag, SHN_ERR_TOO_LARGE, c->file, c->line, "payout",
                                "more than %d items", PAYOUT_READ_MAX);
        for (size_t i = 0; rc == SHN_OK && i < json_array_size(v); i++) {
            snprintf(f, sizeof f, "payout[%zu]", i);
            rc = payout_method(c, json_array_get(v, i), f);
        }
    }
    if (rc == SHN_OK && (v = get(o, "method"))) /* a payout event */
        rc = payout_method(c, v, "method");
    return rc;
}

int shn_events_read_identifiers(const char *line, size_t len, const char *file, long line_no,
                                const struct shn_events_ident_reader *r, struct shn_diag *diag)
{
    struct reader c = {r, file, line_no, diag};
    json_t *o = NULL, *v;
    int rc;
    if (!line || !r || !r->account || !r->ident) {
        rc = SHN_ERR_INVALID;
        goto out;
    }
    rc = shn__events_load(line, len, file, line_no, &o, diag);
    if (rc != SHN_OK)
        goto out;
    v = json_object_get(o, "account");
    rc = json_is_string(v) ? r->account(r->ctx, json_string_value(v), json_string_length(v))
                           : r->account(r->ctx, NULL, 0);
    if (rc != SHN_OK)
        goto out;
    if ((v = get(o, "event")) && !json_is_string(v)) {
        rc = bad(&c, "event", "expected a string");
        goto out;
    }
    rc = identifiers(&c, o);
out:
    json_decref(o);
    return rc;
}
