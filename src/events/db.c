/* The platform database as shinsa/events.h shows it: the public operations
 * over the store interface (store.h), and what `accounts show` prints. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "events_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"

int shn_events_open(const char *path, struct shn_events_db **out, struct shn_diag *diag)
{
    struct shn_events_db *db = NULL;
    struct shn__events_store *store = NULL;
    int rc;
    if (!path || !out) {
        rc = SHN_ERR_INVALID;
        goto out;
    }
    shn__events_route_allocations();
    db = shn_calloc(1, sizeof *db);
    if (!db) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    rc = shn__events_sqlite_open(path, SHN_EVENTS_SCHEMA_VERSION, &store, diag);
    if (rc != SHN_OK)
        goto out;
    db->store = store;
    *out = db;
    db = NULL;
out:
    shn_free(db);
    return rc;
}

void shn_events_close(struct shn_events_db *db)
{
    if (!db)
        return;
    if (db->store)
        db->store->ops->close(db->store);
    shn_free(db);
}

int shn_events_schema_version(struct shn_events_db *db, int *version)
{
    if (!db || !version)
        return SHN_ERR_INVALID;
    return db->store->ops->schema_version(db->store, version);
}

int shn_events_count(struct shn_events_db *db, long long *n)
{
    if (!db || !n)
        return SHN_ERR_INVALID;
    return db->store->ops->count_events(db->store, n);
}

int shn_events_show(struct shn_events_db *db, const char *account,
                    struct shn_events_summary *summary, shn_events_event_fn fn, void *ctx,
                    struct shn_diag *diag)
{
    struct shn_events_summary sum;
    int rc;
    if (!db || !account) {
        rc = SHN_ERR_INVALID;
        goto out;
    }
    rc = db->store->ops->get_account(db->store, account, &sum, diag);
    if (rc == SHN_OK && summary)
        *summary = sum;
    if (rc == SHN_OK && fn)
        rc = db->store->ops->each_event(db->store, account, fn, ctx, diag);
out:
    return rc;
}

int shn_events_begin(struct shn_events_db *db, struct shn_diag *diag)
{
    if (!db)
        return SHN_ERR_INVALID;
    return db->store->ops->begin(db->store, diag);
}

int shn_events_commit(struct shn_events_db *db, struct shn_diag *diag)
{
    if (!db)
        return SHN_ERR_INVALID;
    return db->store->ops->commit(db->store, diag);
}

int shn_events_rollback(struct shn_events_db *db)
{
    if (!db)
        return SHN_ERR_INVALID;
    return db->store->ops->rollback(db->store);
}

int shn_events_each_stored(struct shn_events_db *db, shn_events_stored_fn fn, void *ctx,
                           struct shn_diag *diag)
{
    if (!db || !fn)
        return SHN_ERR_INVALID;
    return db->store->ops->each_event_all(db->store, fn, ctx, diag);
}

int shn_events_put_alert(struct shn_events_db *db, const struct shn_events_alert *a, bool *inserted,
                         struct shn_diag *diag)
{
    if (!db || !a || !inserted)
        return SHN_ERR_INVALID;
    return db->store->ops->put_alert(db->store, a, inserted, diag);
}

int shn_events_each_alert(struct shn_events_db *db, int min_level, const char *account,
                          int (*fn)(void *ctx, const struct shn_events_alert *a), void *ctx,
                          struct shn_diag *diag)
{
    if (!db || !fn)
        return SHN_ERR_INVALID;
    return db->store->ops->each_alert(db->store, min_level, account, fn, ctx, diag);
}

/* ------------------------------------------------------------------ show */

/* The stored events as a JSON array, each body parsed back so that the
 * output is one JSON document. */
static int add_json_event(void *ctx, const char *type, const char *id, const char *time,
                          const char *body)
{
    json_t *events = ctx, *e = json_loads(body, 0, NULL);
    (void)type;
    (void)id;
    (void)time;
    if (!e)
        e = json_string(body); /* never expected: bodies were checked on ingest */
    return e && json_array_append_new(events, e) == 0 ? SHN_OK : SHN_ERR_NOMEM;
}

struct dump {
    struct shn_buf *out;
    int rc;
};

static int append_dump(const char *text, size_t len, void *data)
{
    struct dump *d = data;
    d->rc = shn_buf_append(d->out, text, len);
    return d->rc == SHN_OK ? 0 : -1;
}

int shn_events_show_json(struct shn_events_db *db, const char *account, struct shn_buf *out,
                         struct shn_diag *diag)
{
    struct shn_events_summary sum;
    struct dump d = {out, SHN_OK};
    json_t *events = NULL, *o = NULL;
    size_t len0;
    int rc;
    if (!db || !account || !out) {
        rc = SHN_ERR_INVALID;
        goto out;
    }
    len0 = out->len;
    events = json_array();
    rc = events ? shn_events_show(db, account, &sum, add_json_event, events, diag) : SHN_ERR_NOMEM;
    if (rc != SHN_OK)
        goto out;
    o = json_pack("{s:s, s:s, s:s, s:I, s:O}", "account", sum.account, "first_time", sum.first_time,
                  "last_time", sum.last_time, "n_events", (json_int_t)sum.n_events, "events",
                  events);
    if (!o) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    if (json_dump_callback(o, append_dump, &d, JSON_COMPACT | JSON_ENSURE_ASCII) != 0) {
        /* the buffer's cap, or memory: nothing half-written stays */
        rc = d.rc != SHN_OK ? d.rc : SHN_ERR_NOMEM;
        out->len = len0;
        if (out->data)
            out->data[len0] = '\0';
    }
out:
    json_decref(o);
    json_decref(events);
    return rc;
}

static int add_text_event(void *ctx, const char *type, const char *id, const char *time,
                          const char *body)
{
    return shn_buf_appendf(ctx, "%-25s %-8s %-20s %s\n", time, type, id, body);
}

int shn_events_show_text(struct shn_events_db *db, const char *account, struct shn_buf *out,
                         struct shn_diag *diag)
{
    struct shn_events_summary sum;
    int rc;
    if (!db || !account || !out)
        return SHN_ERR_INVALID;
    rc = shn_events_show(db, account, &sum, NULL, NULL, diag);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out, "account %s: %lld events from %s to %s\n", sum.account,
                             sum.n_events, sum.first_time, sum.last_time);
    if (rc == SHN_OK)
        rc = shn_events_show(db, account, &sum, add_text_event, out, diag);
    return rc;
}
