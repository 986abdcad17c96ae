/* The accounts engine (issue 6): a platform's events in JSON Lines
 * (docs/events.md) parsed, checked and loaded into a store (SQLite in WAL
 * mode today), from which the signals score every account.
 *
 * Ownership: shn_accounts_open returns a handle the caller releases with
 * shn_accounts_close (NULL is safe). A parsed event borrows the line it was
 * parsed from; it owns no memory. Errors are enum shn_err values; parsers
 * and loaders fill the optional struct shn_diag with line, field and reason. */
#ifndef SHN_ACCOUNTS_ACCOUNTS_H
#define SHN_ACCOUNTS_ACCOUNTS_H

#include <stdbool.h>
#include <stdio.h>

#include "shinsa/core/err.h"

struct shn_buf;

#define SHN_ACCOUNTS_LINE_MAX (64 * 1024) /* bytes of one event line */
#define SHN_ACCOUNTS_ID_MAX 128           /* bytes of an event id or account id */
#define SHN_ACCOUNTS_TEXT_MAX (16 * 1024) /* bytes of a profile or message text */
#define SHN_ACCOUNTS_CATEGORY_MAX 64

enum shn_accounts_event_type {
    SHN_ACCOUNTS_EV_ACCOUNT = 1, /* sign-up or profile change */
    SHN_ACCOUNTS_EV_LOGIN = 2,
    SHN_ACCOUNTS_EV_BID = 3,
    SHN_ACCOUNTS_EV_MESSAGE = 4,
    SHN_ACCOUNTS_EV_PAYOUT = 5,
};

/* One checked event. The fields every event has are copied out; the rest
 * stays in `raw` (the line as given, borrowed from the caller), which is
 * what the store keeps. For bids, category/amount/currency are filled too,
 * since the market statistics index them. */
struct shn_accounts_event {
    enum shn_accounts_event_type type;
    char id[SHN_ACCOUNTS_ID_MAX + 1];
    char account[SHN_ACCOUNTS_ID_MAX + 1];
    char time[40];                                /* ISO 8601 as given */
    long long time_unix;                          /* the same instant in seconds since 1970 UTC */
    char category[SHN_ACCOUNTS_CATEGORY_MAX + 1]; /* bid only */
    double amount;                                /* bid and payout */
    char currency[4];                             /* bid and payout, ISO 4217 */
    const char *raw;
    size_t raw_len;
};

/* "account", "login", ...; "?" for an unknown value. Static storage. */
const char *shn_accounts_event_type_name(enum shn_accounts_event_type type);

/* Parses and checks one line (without its newline). On success fills *ev
 * and returns SHN_OK; otherwise returns SHN_ERR_PARSE or SHN_ERR_TOO_LARGE,
 * leaves *ev untouched and, when diag is given, names `file`, `line`, the
 * field ("id_document.image_pdq", "payout[1].chain", "" for the line) and
 * the reason. `file` must outlive diag. */
int shn_accounts_event_parse(const char *line, size_t len, const char *file, long line_no,
                             struct shn_accounts_event *ev, struct shn_diag *diag);

/* An open events database. */
struct shn_accounts_db;

/* Opens (creating when missing) the SQLite database at `path`, in WAL mode,
 * and brings its schema to the current version. The caller closes it. */
int shn_accounts_open(const char *path, struct shn_accounts_db **out, struct shn_diag *diag);
void shn_accounts_close(struct shn_accounts_db *db);

/* The schema version of an open database (SHN_ACCOUNTS_SCHEMA_VERSION after
 * shn_accounts_open). */
#define SHN_ACCOUNTS_SCHEMA_VERSION 5
int shn_accounts_schema_version(struct shn_accounts_db *db, int *version);

struct shn_accounts_ingest_stats {
    unsigned long long lines;      /* lines read, blank ones included */
    unsigned long long loaded;     /* new events written */
    unsigned long long duplicates; /* valid events whose id was already stored */
    unsigned long long rejected;   /* invalid lines (see the reject file) */
    unsigned long long committed;  /* lines whose outcome is durable */
};

struct shn_accounts_ingest_opts {
    unsigned batch; /* events per transaction; 0 = 10000 */
    /* Invalid lines as JSON Lines {"line": N, "field": F, "reason": R};
     * NULL = only counted. */
    FILE *rejects;
    /* Called after each committed transaction (progress, tests). */
    void (*on_commit)(void *ctx, const struct shn_accounts_ingest_stats *stats);
    void *ctx;
};

/* Reads events from `in` (named `file` in diagnostics) and stores the valid
 * ones; ingesting the same events again adds nothing (idempotent by id).
 * Invalid lines are rejected and counted, never fatal. Returns an error only
 * for I/O or database failures; the transactions committed before stay.
 * opts may be NULL; stats (may be NULL) is filled in any case. */
int shn_accounts_ingest(struct shn_accounts_db *db, FILE *in, const char *file,
                        const struct shn_accounts_ingest_opts *opts,
                        struct shn_accounts_ingest_stats *stats, struct shn_diag *diag);

/* What is stored for one account. Strings are valid until the next call on
 * db. */
struct shn_accounts_summary {
    const char *account;
    const char *first_time;
    const char *last_time;
    long long n_events;
};

/* Calls fn for each stored event of `account`, in time order, with the
 * event's type name, id, time and JSON text (NUL-terminated, valid during
 * the call). A non-zero return from fn stops the walk and is returned.
 * SHN_ERR_NOT_FOUND when the account has no events. */
typedef int (*shn_accounts_event_fn)(void *ctx, const char *type, const char *id, const char *time,
                                     const char *json);
int shn_accounts_show(struct shn_accounts_db *db, const char *account,
                      struct shn_accounts_summary *summary, shn_accounts_event_fn fn, void *ctx,
                      struct shn_diag *diag);

/* Number of stored events (all accounts). */
int shn_accounts_count_events(struct shn_accounts_db *db, long long *n);

/* ------------------------------------------------------------- signals */

/* What one signal says about one account: a score in 0..1 (0 = did not
 * fire, neutral), its weight (docs/accounts.md; the config may change it),
 * its evidence as a JSON object, and a one-sentence reason in English and
 * Japanese, so that an analyst can read why. `hard` is a level the evidence
 * forces on its own (an exact sanctions hit: SHN_ACCOUNTS_BLOCK), or 0. */
struct shn_accounts_signal {
    char signal[32]; /* "underpriced", "dup_id_image" */
    double score;
    double weight;
    int hard;
    char evidence[4096];
    char reason_en[320];
    char reason_ja[480];
};

/* ------------------------------------------------------ scoring, alerts */

enum shn_accounts_level { SHN_ACCOUNTS_OK = 0, SHN_ACCOUNTS_REVIEW = 1, SHN_ACCOUNTS_BLOCK = 2 };
const char *shn_accounts_level_name(int level); /* "ok", "review", "block" */
int shn_accounts_level_parse(const char *s);    /* -1 when unknown */

#define SHN_ACCOUNTS_SIGNALS_MAX 16
#define SHN_ACCOUNTS_THREADS_MAX 64 /* evaluation threads of one scoring run */

/* One account's combined verdict (docs/accounts.md, "Scoring"). */
struct shn_accounts_score {
    const char *account;
    double score; /* 0..1 */
    int level;    /* enum shn_accounts_level */
    double log_odds;
    const char *hard_by; /* the signal whose hard rule set the level, or NULL */
    size_t n_signals;    /* every enabled signal, fired or not */
    struct shn_accounts_signal signals[SHN_ACCOUNTS_SIGNALS_MAX];
    bool alert_raised; /* a new alert was recorded for it in this run */
};

struct shn_accounts_score_opts {
    const char *config_path; /* NULL: the built-in defaults (docs/accounts.md) */
    const char *account;     /* NULL: every account */
    /* Engines; NULL = the config's "engines" entry, else none (the signals
     * that need one stay neutral and say so). */
    const char *screen_index;
    const char *trace_graph;
    /* Used when neither the field above nor the config names an index (the
     * CLI passes its default index when that file exists). */
    const char *fallback_screen_index;
    bool raise_alerts; /* record review/block verdicts as alerts */
    bool progress;     /* progress on stderr */
    /* Evaluation threads, 1..SHN_ACCOUNTS_THREADS_MAX (more is
     * SHN_ERR_INVALID); 0 = 2. Preparing the signals is single-threaded
     * (unnatural_japanese has its own "threads" parameter). */
    unsigned threads;
};

struct shn_accounts_score_stats {
    unsigned long long accounts, events, review, block, alerts_raised;
    double load_seconds, prepare_seconds, eval_seconds;
    /* Where the time went, per enabled signal (seconds summed over the
     * threads): the benchmark prints it. */
    size_t n_signals;
    const char *signal_names[SHN_ACCOUNTS_SIGNALS_MAX];
    double signal_prepare[SHN_ACCOUNTS_SIGNALS_MAX], signal_eval[SHN_ACCOUNTS_SIGNALS_MAX];
};

/* Called once per scored account, in account id order, on the caller's
 * thread. A non-zero return stops the run and is returned. */
typedef int (*shn_accounts_score_fn)(void *ctx, const struct shn_accounts_score *s);

/* Scores every account (or opts->account) with every enabled signal.
 * SHN_ERR_NOT_FOUND when opts->account has no events; config errors name
 * the file and the key. */
int shn_accounts_score_run(struct shn_accounts_db *db, const struct shn_accounts_score_opts *opts,
                           shn_accounts_score_fn fn, void *ctx,
                           struct shn_accounts_score_stats *stats, struct shn_diag *diag);

/* {"account":…,"score":…,"level":…,"signals":[{"signal","score","weight",
 * "evidence"}]} with the signals that fired, no newline. */
int shn_accounts_score_json(const struct shn_accounts_score *s, struct shn_buf *out);
/* The reasons as text, one line per fired signal, in "en" or "ja". */
int shn_accounts_explain_text(const struct shn_accounts_score *s, const char *lang,
                              struct shn_buf *out);

/* Checks a config file without scoring (shinsa accounts config --check). */
int shn_accounts_config_check(const char *path, struct shn_diag *diag);
/* The built-in default config, appended to `out` as indented JSON with a
 * newline: every top-level setting and, under "signals", every signal's
 * weight and parameters with their defaults (a valid config file).
 * SHN_ERR_NOMEM, or out's own errors (SHN_ERR_TOO_LARGE). */
int shn_accounts_config_default(struct shn_buf *out);

/* A recorded alert. Strings are valid during the callback only. */
struct shn_accounts_alert {
    long long id; /* 0 before it is stored */
    const char *account;
    int level;
    double score;
    const char *raised_time; /* ISO 8601 UTC, when it was raised */
    const char *fingerprint; /* hash of the evidence: one alert per evidence */
    const char *body;        /* the score JSON at that time */
};

/* Alerts at min_level or above (newest first), of one account or all. */
int shn_accounts_alerts_each(struct shn_accounts_db *db, int min_level, const char *account,
                             int (*fn)(void *ctx, const struct shn_accounts_alert *a), void *ctx,
                             struct shn_diag *diag);

#endif
