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

#include "core/err.h"

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
#define SHN_ACCOUNTS_SCHEMA_VERSION 3
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
 * fire, neutral), its default weight (docs/accounts.md) and its evidence as
 * a JSON object, so that an analyst can read why. */
struct shn_accounts_signal {
    char signal[32]; /* "underpriced", "dup_id_image" */
    double score;
    double weight;
    char evidence[2048];
};

#define SHN_ACCOUNTS_WEIGHT_UNDERPRICED 1.0
#define SHN_ACCOUNTS_WEIGHT_DUP_ID_IMAGE 2.5

/* One currency's value in the base currency of the rate table. */
struct shn_accounts_rate {
    char currency[4];
    double to_base;
};

struct shn_accounts_underpriced_opts {
    double ratio;      /* fires under ratio x the category median; 0 = 0.40 */
    unsigned min_bids; /* market size before it speaks; 0 = 20 */
    /* Conversion into one base currency; bids in a currency not in the
     * table form their own market per category. NULL = no conversion. */
    const struct shn_accounts_rate *rates;
    size_t n_rates;
};

#define SHN_ACCOUNTS_MARKET_MAX ((size_t)1 << 22) /* bids of one category */

/* underpriced: the account's lowest bid against the market of its category
 * (all stored bids in it, converted; median and lower quartile). opts may
 * be NULL. Fills *out (score 0 when nothing is underpriced or no market is
 * big enough); SHN_ERR_TOO_LARGE when a category exceeds
 * SHN_ACCOUNTS_MARKET_MAX bids or the account has over 10,000 bids. */
int shn_accounts_signal_underpriced(struct shn_accounts_db *db, const char *account,
                                    const struct shn_accounts_underpriced_opts *opts,
                                    struct shn_accounts_signal *out, struct shn_diag *diag);

/* dup_id_image: another account's ID document is within `pdq_distance`
 * of one of this account's by PDQ hash (image_pdq, compared with the image
 * engine's distance; 0 = SHN_PDQ_MATCH_DISTANCE, 31), or carries the same
 * document number (normalised by the link engine; countries must agree when
 * both are given). Score 1.0 for a number, 1 - d/64 for an image at
 * distance d; evidence lists up to 5 other accounts and counts the
 * matching documents. */
int shn_accounts_signal_dup_id_image(struct shn_accounts_db *db, const char *account,
                                     int pdq_distance, struct shn_accounts_signal *out,
                                     struct shn_diag *diag);

#endif
