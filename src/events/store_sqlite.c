/* The SQLite back end of the events store (store.h): WAL mode, numbered schema
 * migrations recorded in schema_version, prepared statements reused for
 * every event. synchronous=NORMAL in WAL mode keeps every committed
 * transaction across a crash of the process (kill -9); a power cut may lose
 * the last transactions but never corrupts the file. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "store.h"

struct sqlite_store {
    struct shn__events_store base; /* first: the ops pointer */
    sqlite3 *db;
    sqlite3_stmt *ins_event, *get_account, *each_event, *count;
    sqlite3_stmt *all_events, *ins_alert, *alerts_all, *alerts_of;
    int version;
    char account[SHN_EVENTS_ID_MAX + 1];
    char first_time[40], last_time[40];
};

/* Migration N brings the schema from version N-1 to N. Append only: a
 * database in the field may be at any earlier version. */
static const char *const migrations[] = {
    /* 1: events as given, and one row per account */
    "CREATE TABLE events(id TEXT PRIMARY KEY, account TEXT NOT NULL, type TEXT NOT NULL,"
    " time TEXT NOT NULL, time_unix INTEGER NOT NULL, body TEXT NOT NULL);"
    "CREATE INDEX events_account ON events(account, time_unix);"
    "CREATE TABLE accounts(id TEXT PRIMARY KEY, first_time TEXT NOT NULL,"
    " first_unix INTEGER NOT NULL, last_time TEXT NOT NULL, last_unix INTEGER NOT NULL,"
    " n_events INTEGER NOT NULL);",
    /* 2: bids by category for the market statistics, filled from the events
     * already stored */
    "CREATE TABLE bids(event_id TEXT PRIMARY KEY, account TEXT NOT NULL, category TEXT NOT NULL,"
    " amount REAL NOT NULL, currency TEXT NOT NULL, time_unix INTEGER NOT NULL);"
    "CREATE INDEX bids_category ON bids(category, currency);"
    "INSERT INTO bids SELECT id, account, json_extract(body, '$.category'),"
    " json_extract(body, '$.amount'), json_extract(body, '$.currency'), time_unix"
    " FROM events WHERE type = 'bid';",
    /* 3: an account's bids without a scan, for the underpriced signal */
    "CREATE INDEX bids_account ON bids(account);",
    /* 4: alerts, one per account and evidence fingerprint */
    "CREATE TABLE alerts(id INTEGER PRIMARY KEY, account TEXT NOT NULL, level INTEGER NOT NULL,"
    " score REAL NOT NULL, raised_time TEXT NOT NULL, fingerprint TEXT NOT NULL,"
    " body TEXT NOT NULL, UNIQUE(account, fingerprint));"
    "CREATE INDEX alerts_level ON alerts(level, id);",
    /* 5: the scorer reads every event once (world.c), so the per-account
     * summary and the bids copy are no longer worth a B-tree write per
     * event: summaries come from events_account, markets from the world */
    "DROP TABLE bids; DROP TABLE accounts;",
};

static int db_error(struct sqlite_store *s, struct shn_diag *diag, const char *what)
{
    return shn_diag_set(diag, SHN_ERR_IO, NULL, 0, "", "%s: %s", what,
                        s->db ? sqlite3_errmsg(s->db) : "out of memory");
}

static int exec(struct sqlite_store *s, const char *sql, struct shn_diag *diag)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? SHN_OK : db_error(s, diag, "sqlite");
}

static int read_version(struct sqlite_store *s, int *version)
{
    sqlite3_stmt *st = NULL;
    int rc = SHN_ERR_IO;
    if (sqlite3_prepare_v2(s->db, "SELECT version FROM schema_version", -1, &st, NULL) != SQLITE_OK)
        goto out;
    if (sqlite3_step(st) == SQLITE_ROW) {
        *version = sqlite3_column_int(st, 0);
        rc = SHN_OK;
    }
out:
    sqlite3_finalize(st);
    return rc;
}

/* Each migration runs in its own IMMEDIATE transaction with the version
 * bump, so a crash leaves the schema at a whole version. */
static int migrate(struct sqlite_store *s, int target, struct shn_diag *diag)
{
    char sql[64];
    int rc, version = 0;
    rc = exec(s,
              "BEGIN IMMEDIATE;"
              "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
              "INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS"
              " (SELECT 1 FROM schema_version);"
              "COMMIT;",
              diag);
    if (rc == SHN_OK && read_version(s, &version) != SHN_OK)
        rc = db_error(s, diag, "reading schema_version");
    if (rc != SHN_OK)
        goto out;
    if (version > (int)(sizeof migrations / sizeof migrations[0])) {
        rc = shn_diag_set(diag, SHN_ERR_FORMAT, NULL, 0, "",
                          "database schema version %d is newer than this shinsa (%d)", version,
                          (int)(sizeof migrations / sizeof migrations[0]));
        goto out;
    }
    while (version < target) {
        rc = exec(s, "BEGIN IMMEDIATE", diag);
        if (rc == SHN_OK)
            rc = exec(s, migrations[version], diag);
        snprintf(sql, sizeof sql, "UPDATE schema_version SET version = %d", version + 1);
        if (rc == SHN_OK)
            rc = exec(s, sql, diag);
        if (rc == SHN_OK)
            rc = exec(s, "COMMIT", diag);
        if (rc != SHN_OK) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            goto out;
        }
        version++;
    }
    s->version = version;
out:
    return rc;
}

static int prepare(struct sqlite_store *s, const char *sql, sqlite3_stmt **st,
                   struct shn_diag *diag)
{
    return sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) == SQLITE_OK
               ? SHN_OK
               : db_error(s, diag, "preparing a statement");
}

static int st_begin(struct shn__events_store *base, struct shn_diag *diag)
{
    return exec((struct sqlite_store *)base, "BEGIN IMMEDIATE", diag);
}

static int st_commit(struct shn__events_store *base, struct shn_diag *diag)
{
    return exec((struct sqlite_store *)base, "COMMIT", diag);
}

static int st_rollback(struct shn__events_store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    return sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL) == SQLITE_OK ? SHN_OK : SHN_ERR_IO;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s, size_t n)
{
    sqlite3_bind_text(st, i, s, (int)n, SQLITE_STATIC);
}

static int step_done(struct sqlite_store *s, sqlite3_stmt *st, struct shn_diag *diag)
{
    int rc = sqlite3_step(st) == SQLITE_DONE ? SHN_OK : db_error(s, diag, "writing an event");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int st_put_event(struct shn__events_store *base, const struct shn_events_event *ev,
                        bool *inserted, struct shn_diag *diag)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    const char *type = shn_events_type_name(ev->type);
    bool added;
    int rc;

    bind_text(s->ins_event, 1, ev->id, strlen(ev->id));
    bind_text(s->ins_event, 2, ev->account, strlen(ev->account));
    bind_text(s->ins_event, 3, type, strlen(type));
    bind_text(s->ins_event, 4, ev->time, strlen(ev->time));
    sqlite3_bind_int64(s->ins_event, 5, ev->time_unix);
    bind_text(s->ins_event, 6, ev->raw, ev->raw_len);
    rc = step_done(s, s->ins_event, diag);
    if (rc != SHN_OK)
        goto out;
    added = sqlite3_changes(s->db) > 0;
    if (rc == SHN_OK)
        *inserted = added;
out:
    return rc;
}

static void copy_col(sqlite3_stmt *st, int i, char *dst, size_t size)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(dst, size, "%s", t ? (const char *)t : "");
}

static int st_get_account(struct shn__events_store *base, const char *account,
                          struct shn_events_summary *out, struct shn_diag *diag)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st = s->get_account;
    int rc, step;
    bind_text(st, 1, account, strlen(account));
    step = sqlite3_step(st);
    if (step == SQLITE_ROW && sqlite3_column_int64(st, 3) == 0)
        step = SQLITE_DONE; /* no events: no account */
    if (step == SQLITE_ROW) {
        copy_col(st, 0, s->account, sizeof s->account);
        copy_col(st, 1, s->first_time, sizeof s->first_time);
        copy_col(st, 2, s->last_time, sizeof s->last_time);
        out->account = s->account;
        out->first_time = s->first_time;
        out->last_time = s->last_time;
        out->n_events = sqlite3_column_int64(st, 3);
        rc = SHN_OK;
    } else if (step == SQLITE_DONE) {
        rc = shn_diag_set(diag, SHN_ERR_NOT_FOUND, NULL, 0, "account", "no account '%s'", account);
    } else {
        rc = db_error(s, diag, "reading an account");
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int st_each_event(struct shn__events_store *base, const char *account,
                         shn_events_event_fn fn, void *ctx, struct shn_diag *diag)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st = s->each_event;
    int rc = SHN_OK, step;
    bind_text(st, 1, account, strlen(account));
    while (rc == SHN_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
        rc = fn(ctx, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_text(st, 1), (const char *)sqlite3_column_text(st, 2),
                (const char *)sqlite3_column_text(st, 3));
    if (rc == SHN_OK && step != SQLITE_DONE)
        rc = db_error(s, diag, "reading events");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static int st_count_events(struct shn__events_store *base, long long *n)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    int rc = SHN_ERR_IO;
    if (sqlite3_step(s->count) == SQLITE_ROW) {
        *n = sqlite3_column_int64(s->count, 0);
        rc = SHN_OK;
    }
    sqlite3_reset(s->count);
    return rc;
}

static int st_schema_version(struct shn__events_store *base, int *version)
{
    return read_version((struct sqlite_store *)base, version);
}

static void st_close(struct shn__events_store *base)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    if (!s)
        return;
    sqlite3_finalize(s->ins_event);
    sqlite3_finalize(s->get_account);
    sqlite3_finalize(s->each_event);
    sqlite3_finalize(s->count);
    sqlite3_finalize(s->all_events);
    sqlite3_finalize(s->ins_alert);
    sqlite3_finalize(s->alerts_all);
    sqlite3_finalize(s->alerts_of);
    sqlite3_close(s->db);
    shn_free(s);
}

static int st_each_event_all(struct shn__events_store *base, shn_events_stored_fn fn, void *ctx,
                             struct shn_diag *diag)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st = s->all_events;
    int rc = SHN_OK, step;
    while (rc == SHN_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *body = (const char *)sqlite3_column_text(st, 4);
        rc = fn(ctx, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 2),
                (const char *)sqlite3_column_text(st, 3), body ? body : "",
                (size_t)sqlite3_column_bytes(st, 4));
    }
    if (rc == SHN_OK && step != SQLITE_DONE)
        rc = db_error(s, diag, "reading events");
    sqlite3_reset(st);
    return rc;
}

static int st_put_alert(struct shn__events_store *base, const struct shn_events_alert *a,
                        bool *inserted, struct shn_diag *diag)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st = s->ins_alert;
    int rc;
    bind_text(st, 1, a->account, strlen(a->account));
    sqlite3_bind_int(st, 2, a->level);
    sqlite3_bind_double(st, 3, a->score);
    bind_text(st, 4, a->raised_time, strlen(a->raised_time));
    bind_text(st, 5, a->fingerprint, strlen(a->fingerprint));
    bind_text(st, 6, a->body, strlen(a->body));
    rc = step_done(s, st, diag);
    if (rc == SHN_OK)
        *inserted = sqlite3_changes(s->db) > 0;
    return rc;
}

static int st_each_alert(struct shn__events_store *base, int min_level, const char *account,
                         int (*fn)(void *ctx, const struct shn_events_alert *a), void *ctx,
                         struct shn_diag *diag)
{
    struct sqlite_store *s = (struct sqlite_store *)base;
    sqlite3_stmt *st = account ? s->alerts_of : s->alerts_all;
    int rc = SHN_OK, step;
    sqlite3_bind_int(st, 1, min_level);
    if (account)
        bind_text(st, 2, account, strlen(account));
    while (rc == SHN_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
        struct shn_events_alert a = {
            .id = sqlite3_column_int64(st, 0),
            .account = (const char *)sqlite3_column_text(st, 1),
            .level = sqlite3_column_int(st, 2),
            .score = sqlite3_column_double(st, 3),
            .raised_time = (const char *)sqlite3_column_text(st, 4),
            .fingerprint = (const char *)sqlite3_column_text(st, 5),
            .body = (const char *)sqlite3_column_text(st, 6),
        };
        rc = fn(ctx, &a);
    }
    if (rc == SHN_OK && step != SQLITE_DONE)
        rc = db_error(s, diag, "reading alerts");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static const struct shn__events_store_ops sqlite_ops = {
    .name = "sqlite",
    .begin = st_begin,
    .commit = st_commit,
    .rollback = st_rollback,
    .put_event = st_put_event,
    .get_account = st_get_account,
    .each_event = st_each_event,
    .each_event_all = st_each_event_all,
    .put_alert = st_put_alert,
    .each_alert = st_each_alert,
    .count_events = st_count_events,
    .schema_version = st_schema_version,
    .close = st_close,
};

int shn__events_sqlite_open(const char *path, int target_version, struct shn__events_store **out,
                            struct shn_diag *diag)
{
    struct sqlite_store *s = NULL;
    int rc;

    if (!path || !out || target_version < 0 || target_version > SHN_EVENTS_SCHEMA_VERSION) {
        rc = SHN_ERR_INVALID;
        goto out;
    }
    s = shn_calloc(1, sizeof *s);
    if (!s) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    s->base.ops = &sqlite_ops;
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, "", "cannot open database: %s",
                          s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(s->db, 10000);
    /* A 64 MB page cache: at a million events the default 2 MB sends most
     * index pages back through read(2); this cut ingest CPU by ~30 %. */
    rc = exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;",
              diag);
    if (rc == SHN_OK)
        rc = migrate(s, target_version, diag);
    if (rc != SHN_OK || target_version < SHN_EVENTS_SCHEMA_VERSION)
        goto out; /* an old schema is for migration tests: no statements */
    rc = prepare(s, "INSERT OR IGNORE INTO events VALUES(?1, ?2, ?3, ?4, ?5, ?6)", &s->ins_event,
                 diag);
    if (rc == SHN_OK)
        rc = prepare(s,
                     "SELECT ?1, (SELECT time FROM events WHERE account = ?1"
                     " ORDER BY time_unix, rowid LIMIT 1),"
                     " (SELECT time FROM events WHERE account = ?1"
                     " ORDER BY time_unix DESC, rowid DESC LIMIT 1),"
                     " (SELECT count(*) FROM events WHERE account = ?1)",
                     &s->get_account, diag);
    if (rc == SHN_OK)
        rc = prepare(s,
                     "SELECT type, id, time, body FROM events WHERE account = ?1"
                     " ORDER BY time_unix, rowid",
                     &s->each_event, diag);
    if (rc == SHN_OK)
        rc = prepare(s, "SELECT count(*) FROM events", &s->count, diag);
    if (rc == SHN_OK)
        rc = prepare(s, "SELECT account, type, time_unix, id, body FROM events", &s->all_events,
                     diag);
    if (rc == SHN_OK)
        rc = prepare(s, "INSERT OR IGNORE INTO alerts VALUES(NULL, ?1, ?2, ?3, ?4, ?5, ?6)",
                     &s->ins_alert, diag);
#define ALERT_COLUMNS "SELECT id, account, level, score, raised_time, fingerprint, body FROM alerts"
    if (rc == SHN_OK)
        rc = prepare(s, ALERT_COLUMNS " WHERE level >= ?1 ORDER BY id DESC", &s->alerts_all, diag);
    if (rc == SHN_OK)
        rc = prepare(s, ALERT_COLUMNS " WHERE level >= ?1 AND account = ?2 ORDER BY id DESC",
                     &s->alerts_of, diag);
out:
    if (rc == SHN_OK) {
        *out = &s->base;
    } else if (s) {
        st_close(&s->base);
    }
    return rc;
}
