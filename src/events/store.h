/* The one interface between the events module and its database. Ingest,
 * show, the scoring world's pass and the alerts call only these
 * operations, so a PostgreSQL back end for platforms that run several
 * shinsa instances replaces store_sqlite.c without touching them. The
 * public wrappers are in db.c (shinsa/events.h).
 *
 * Contract: every operation returns an enum shn_err and fills diag (may be
 * NULL) on failure. Writes happen only between begin and commit; rollback
 * undoes everything since begin. Strings handed to callbacks are valid only
 * during the call. */
#ifndef SHN_EVENTS_STORE_H
#define SHN_EVENTS_STORE_H

#include "shinsa/events.h"

struct shn__events_store;

struct shn__events_store_ops {
    const char *name; /* "sqlite" */
    int (*begin)(struct shn__events_store *s, struct shn_diag *diag);
    int (*commit)(struct shn__events_store *s, struct shn_diag *diag);
    int (*rollback)(struct shn__events_store *s);
    /* Stores ev unless its id is already stored: *inserted says which. */
    int (*put_event)(struct shn__events_store *s, const struct shn_events_event *ev, bool *inserted,
                     struct shn_diag *diag);
    int (*get_account)(struct shn__events_store *s, const char *account,
                       struct shn_events_summary *out, struct shn_diag *diag);
    int (*each_event)(struct shn__events_store *s, const char *account, shn_events_event_fn fn,
                      void *ctx, struct shn_diag *diag);
    /* Every stored event of every account, in storage order (a sequential
     * read). */
    int (*each_event_all)(struct shn__events_store *s, shn_events_stored_fn fn, void *ctx,
                          struct shn_diag *diag);
    /* Records an alert unless one with the same account and fingerprint
     * exists (*inserted says which). */
    int (*put_alert)(struct shn__events_store *s, const struct shn_events_alert *a, bool *inserted,
                     struct shn_diag *diag);
    /* Alerts at `min_level` or above, newest first; `account` NULL = all. */
    int (*each_alert)(struct shn__events_store *s, int min_level, const char *account,
                      int (*fn)(void *ctx, const struct shn_events_alert *a), void *ctx,
                      struct shn_diag *diag);
    int (*count_events)(struct shn__events_store *s, long long *n);
    int (*schema_version)(struct shn__events_store *s, int *version);
    void (*close)(struct shn__events_store *s); /* NULL-safe in the wrappers */
};

/* Each back end embeds this first in its own struct. */
struct shn__events_store {
    const struct shn__events_store_ops *ops;
};

/* Opens the SQLite back end at `path`, migrating its schema up to
 * `target_version` (SHN_EVENTS_SCHEMA_VERSION in production; tests pass a
 * lower one to build an old database). */
int shn__events_sqlite_open(const char *path, int target_version, struct shn__events_store **out,
                            struct shn_diag *diag);

#endif
