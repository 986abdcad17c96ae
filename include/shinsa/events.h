/* The platform event format (docs/events.md) and the platform database, as
 * one module that the accounts engine and the link engine share: the
 * checked parser and the model of an event, the identifiers of an event
 * for the link engine, a read-only JSON object view for stored events, the
 * store (SQLite in WAL mode today) with its events and alerts, and ingest.
 *
 * Ownership: shn_events_open returns a handle the caller releases with
 * shn_events_close (NULL is safe). A parsed event borrows the line it was
 * parsed from; it owns no memory. Errors are enum shn_err values; parsers
 * and loaders fill the optional struct shn_diag with line, field and reason;
 * on failure out-parameters are left untouched. */
#ifndef SHN_EVENTS_H
#define SHN_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "shinsa/core/arena.h"
#include "shinsa/core/err.h"

struct shn_buf;

#define SHN_EVENTS_LINE_MAX (64 * 1024) /* bytes of one event line */
#define SHN_EVENTS_ID_MAX 128           /* bytes of an event id or account id */
#define SHN_EVENTS_TEXT_MAX (16 * 1024) /* bytes of a profile or message text */
#define SHN_EVENTS_CATEGORY_MAX 64

/* ---------------------------------------------------------------- events */

enum shn_events_type {
    SHN_EVENTS_ACCOUNT = 1, /* sign-up or profile change */
    SHN_EVENTS_LOGIN = 2,
    SHN_EVENTS_BID = 3,
    SHN_EVENTS_MESSAGE = 4,
    SHN_EVENTS_PAYOUT = 5,
};

/* One checked event. The fields every event has are copied out; the rest
 * stays in `raw` (the line as given, borrowed from the caller), which is
 * what the store keeps. For bids, category/amount/currency are filled too,
 * since the market statistics index them. */
struct shn_events_event {
    enum shn_events_type type;
    char id[SHN_EVENTS_ID_MAX + 1];
    char account[SHN_EVENTS_ID_MAX + 1];
    char time[40];                              /* ISO 8601 as given */
    long long time_unix;                        /* the same instant in seconds since 1970 UTC */
    char category[SHN_EVENTS_CATEGORY_MAX + 1]; /* bid only */
    double amount;                              /* bid and payout */
    char currency[4];                           /* bid and payout, ISO 4217 */
    const char *raw;
    size_t raw_len;
};

/* "account", "login", ...; "?" for an unknown value. Static storage. */
const char *shn_events_type_name(enum shn_events_type type);

/* Parses and checks one line (without its newline) against docs/events.md.
 * On success fills *ev and returns SHN_OK; otherwise returns SHN_ERR_PARSE
 * or SHN_ERR_TOO_LARGE, leaves *ev untouched and, when diag is given, names
 * `file`, `line`, the field ("id_document.image_pdq", "payout[1].chain",
 * "" for the line) and the reason. `file` must outlive diag. */
int shn_events_parse(const char *line, size_t len, const char *file, long line_no,
                     struct shn_events_event *ev, struct shn_diag *diag);

/* ------------------------------------------- identifiers (the link engine) */

/* The values of an event that identify a person or a device
 * (docs/events.md, "Identifiers"), whatever the event's type. */
enum shn_events_ident {
    SHN_EVENTS_IDENT_NAME = 1,
    SHN_EVENTS_IDENT_EMAIL,
    SHN_EVENTS_IDENT_PHONE,
    SHN_EVENTS_IDENT_DEVICE,
    SHN_EVENTS_IDENT_IP,
    SHN_EVENTS_IDENT_DOC_NUMBER, /* id_document.number */
    SHN_EVENTS_IDENT_DOC_PDQ,    /* id_document.image_pdq */
    SHN_EVENTS_IDENT_PAYOUT,     /* a payout method's address, else its account */
};

/* One identifying value, valid during the callback only. */
struct shn_events_ident_value {
    enum shn_events_ident ident;
    const char *field; /* its path: "email", "payout[1].address", "method.account" */
    const char *value; /* the string as given; may hold a NUL: len is the truth */
    size_t len;
    const char *pay_type; /* payout methods: the method's "type", "" when absent */
    bool pay_address;     /* payout methods: value is the "address" (else "account") */
};

/* What shn_events_read_identifiers calls. Each callback returns SHN_OK to
 * go on, or an error (having filled the diag it was handed) to stop. */
struct shn_events_ident_reader {
    /* The event's "account" first: NULL when absent or not a string. */
    int (*account)(void *ctx, const char *value, size_t len);
    int (*ident)(void *ctx, const struct shn_events_ident_value *v);
    void *ctx;
};

/* Reads the identifiers of one event line with the event parser's JSON
 * reading (the same errors for a line that is not a JSON object) but
 * without its other checks: a line that names an account and has values of
 * the right JSON types is read, whatever else it lacks. The caller bounds
 * the line's length. SHN_ERR_PARSE (diag filled) when the line is not a
 * JSON object or a known field has the wrong type, SHN_ERR_TOO_LARGE past
 * 256 payout methods, or what a callback returned. */
int shn_events_read_identifiers(const char *line, size_t len, const char *file, long line_no,
                                const struct shn_events_ident_reader *r, struct shn_diag *diag);

/* ------------------------------------------- the JSON view of stored events */

/* A small read-only view of one JSON object, for passes over stored events:
 * members are located without building a tree or allocating, and only the
 * values a reader asks for are decoded (strings into its arena). The
 * parser checked every event at ingest; the view still checks everything it
 * touches, so a damaged database gives an error, never a wild read. Four
 * times faster than a JSON tree for the scoring world's load.
 *
 * Limits: SHN_EVENTS_VIEW_MEMBERS members per object (the rest are
 * ignored), nesting depth SHN_EVENTS_VIEW_DEPTH when skipping values. */
#define SHN_EVENTS_VIEW_MEMBERS 64
#define SHN_EVENTS_VIEW_DEPTH 32

enum shn_events_view_type {
    SHN_EVENTS_VIEW_NONE,
    SHN_EVENTS_VIEW_STRING,
    SHN_EVENTS_VIEW_NUMBER,
    SHN_EVENTS_VIEW_OBJECT,
    SHN_EVENTS_VIEW_ARRAY,
    SHN_EVENTS_VIEW_OTHER
};

/* A value: its type and its bytes in the text (strings with their quotes). */
struct shn_events_view_value {
    enum shn_events_view_type type;
    const char *p;
    size_t len;
};

/* An object: its members, borrowed from the text. */
struct shn_events_view {
    size_t n;
    struct {
        const char *key; /* raw, between the quotes */
        size_t key_len;
        bool key_escaped; /* holds a backslash: compared after decoding */
        struct shn_events_view_value v;
    } m[SHN_EVENTS_VIEW_MEMBERS];
};

/* Reads the object text[0..len) (surrounding white space allowed).
 * Returns false when it is not one well-formed JSON object. */
bool shn_events_view_object(const char *text, size_t len, struct shn_events_view *out);
/* An object value as a view (false when v is not a well-formed object). */
bool shn_events_view_as_object(const struct shn_events_view_value *v, struct shn_events_view *out);

/* The member `key`, or a value of type NONE. */
struct shn_events_view_value shn_events_view_get(const struct shn_events_view *o, const char *key);

/* A string value decoded (escapes, \u surrogates) into the arena; NULL when
 * v is not a string, is malformed, or memory runs out. */
const char *shn_events_view_string(const struct shn_events_view_value *v, struct shn_arena *arena);
/* A number value; 0 when v is not a number. */
double shn_events_view_number(const struct shn_events_view_value *v);

/* The elements of an array value, one at a time: *pos starts at 0; returns
 * false at the end or on malformed input. */
bool shn_events_view_next(const struct shn_events_view_value *array, size_t *pos,
                          struct shn_events_view_value *out);

/* ------------------------------------------------------- the database */

/* An open platform database: the events and the alerts raised on them. */
struct shn_events_db;

/* Opens (creating when missing) the SQLite database at `path`, in WAL mode,
 * and brings its schema to the current version. The caller closes it. */
int shn_events_open(const char *path, struct shn_events_db **out, struct shn_diag *diag);
void shn_events_close(struct shn_events_db *db);

/* The schema version of an open database (SHN_EVENTS_SCHEMA_VERSION after
 * shn_events_open). */
#define SHN_EVENTS_SCHEMA_VERSION 5
int shn_events_schema_version(struct shn_events_db *db, int *version);

/* A write transaction: puts happen between begin and commit; rollback
 * undoes everything since begin. */
int shn_events_begin(struct shn_events_db *db, struct shn_diag *diag);
int shn_events_commit(struct shn_events_db *db, struct shn_diag *diag);
int shn_events_rollback(struct shn_events_db *db);

/* Number of stored events (all accounts). */
int shn_events_count(struct shn_events_db *db, long long *n);

/* Calls fn for every stored event of every account, in storage order (one
 * sequential read: the scorer's pass, which sorts in memory), with the
 * event's account, type name, time, id and JSON text (body_len bytes,
 * NUL-terminated). Strings are valid during the call. A non-zero return
 * from fn stops the walk and is returned. */
typedef int (*shn_events_stored_fn)(void *ctx, const char *account, const char *type,
                                    long long time_unix, const char *id, const char *body,
                                    size_t body_len);
int shn_events_each_stored(struct shn_events_db *db, shn_events_stored_fn fn, void *ctx,
                           struct shn_diag *diag);

/* --------------------------------------------------------------- ingest */

struct shn_events_ingest_stats {
    unsigned long long lines;      /* lines read, blank ones included */
    unsigned long long loaded;     /* new events written */
    unsigned long long duplicates; /* valid events whose id was already stored */
    unsigned long long rejected;   /* invalid lines (see the reject file) */
    unsigned long long committed;  /* lines whose outcome is durable */
};

struct shn_events_ingest_opts {
    unsigned batch; /* events per transaction; 0 = 10000 */
    /* Invalid lines as JSON Lines {"line": N, "field": F, "reason": R};
     * NULL = only counted. */
    FILE *rejects;
    /* Called after each committed transaction (progress, tests). */
    void (*on_commit)(void *ctx, const struct shn_events_ingest_stats *stats);
    void *ctx;
};

/* Reads events from `in` (named `file` in diagnostics) and stores the valid
 * ones; ingesting the same events again adds nothing (idempotent by id).
 * A UTF-8 byte order mark at the start of the input is skipped. Invalid
 * lines are rejected and counted, never fatal. Returns an error only for
 * I/O or database failures; the transactions committed before stay.
 * opts may be NULL; stats (may be NULL) is filled in any case. */
int shn_events_ingest(struct shn_events_db *db, FILE *in, const char *file,
                      const struct shn_events_ingest_opts *opts,
                      struct shn_events_ingest_stats *stats, struct shn_diag *diag);

/* ------------------------------------------------------------------ show */

/* What is stored for one account. Strings are valid until the next call on
 * db. */
struct shn_events_summary {
    const char *account;
    const char *first_time;
    const char *last_time;
    long long n_events;
};

/* Calls fn for each stored event of `account`, in time order, with the
 * event's type name, id, time and JSON text (NUL-terminated, valid during
 * the call). A non-zero return from fn stops the walk and is returned.
 * SHN_ERR_NOT_FOUND when the account has no events. */
typedef int (*shn_events_event_fn)(void *ctx, const char *type, const char *id, const char *time,
                                   const char *json);
int shn_events_show(struct shn_events_db *db, const char *account,
                    struct shn_events_summary *summary, shn_events_event_fn fn, void *ctx,
                    struct shn_diag *diag);

/* `shinsa accounts show ACCOUNT --json`: appends {"account", "first_time",
 * "last_time", "n_events", "events": [the stored events in time order]} to
 * out, compact and ASCII-only, without a newline. SHN_ERR_NOT_FOUND when
 * the account has no events; SHN_ERR_TOO_LARGE past out's cap. */
int shn_events_show_json(struct shn_events_db *db, const char *account, struct shn_buf *out,
                         struct shn_diag *diag);
/* The same as text: "account A: N events from T1 to T2" and one line per
 * event (time, type, id, JSON), each ending in a newline. */
int shn_events_show_text(struct shn_events_db *db, const char *account, struct shn_buf *out,
                         struct shn_diag *diag);

/* ---------------------------------------------------------------- alerts */

/* A recorded alert (the accounts engine raises them; docs/accounts.md).
 * Strings are valid during the callback only. */
struct shn_events_alert {
    long long id; /* 0 before it is stored */
    const char *account;
    int level; /* enum shn_accounts_level */
    double score;
    const char *raised_time; /* ISO 8601 UTC, when it was raised */
    const char *fingerprint; /* hash of the evidence: one alert per evidence */
    const char *body;        /* the score JSON at that time */
};

/* Records an alert unless one with the same account and fingerprint exists
 * (*inserted says which). Inside a transaction (shn_events_begin). */
int shn_events_put_alert(struct shn_events_db *db, const struct shn_events_alert *a, bool *inserted,
                         struct shn_diag *diag);

/* Alerts at min_level or above (newest first), of one account or all
 * (account NULL). A non-zero return from fn stops the walk and is returned. */
int shn_events_each_alert(struct shn_events_db *db, int min_level, const char *account,
                          int (*fn)(void *ctx, const struct shn_events_alert *a), void *ctx,
                          struct shn_diag *diag);

#endif
