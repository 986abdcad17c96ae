/* The accounts engine (issue 6): every account of a platform database (the
 * events module, shinsa/events.h: the event format, the store, ingest)
 * scored by the red-flag signals, with explained verdicts and alerts.
 *
 * Errors are enum shn_err values; the scorer and the config loader fill the
 * optional struct shn_diag with file, key and reason. */
#ifndef SHN_ACCOUNTS_ACCOUNTS_H
#define SHN_ACCOUNTS_ACCOUNTS_H

#include <stdbool.h>
#include <stdio.h>

#include "shinsa/core/err.h"
#include "shinsa/events.h"

struct shn_buf;

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
int shn_accounts_score_run(struct shn_events_db *db, const struct shn_accounts_score_opts *opts,
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

/* Alerts at min_level or above (newest first), of one account or all:
 * shn_events_each_alert (alerts live in the platform database). */
int shn_accounts_alerts_each(struct shn_events_db *db, int min_level, const char *account,
                             int (*fn)(void *ctx, const struct shn_events_alert *a), void *ctx,
                             struct shn_diag *diag);

/* `shinsa alerts list`, one alert at a time: as a JSON line
 * {"id","raised","account","level","score","verdict"} with its newline, or
 * as a text row under shn_accounts_alert_text_header. Appended to out;
 * SHN_ERR_TOO_LARGE past its cap. */
int shn_accounts_alert_json(const struct shn_events_alert *a, struct shn_buf *out);
int shn_accounts_alert_text(const struct shn_events_alert *a, struct shn_buf *out);
int shn_accounts_alert_text_header(struct shn_buf *out);

/* ------------------------------------------------------ IP databases */

/* The IP databases of the network signals (the country MMDB and the AS
 * ranges that scripts/install-deps.sh installs), for other engines (the
 * mail engine's origin check). Read-only once open: lookups may run from
 * several threads. */
struct shn_accounts_ipdb;

/* Opens the country database `country_mmdb` and the AS database `asn`
 * (an MMDB, or the CSV ranges); NULL for either means the installed
 * default ($SHINSA_IPDB_DIR or the install folder), which may be absent.
 * A named file that cannot be read is an error; a missing default is not:
 * *out is then a handle that knows nothing (has_country false).
 * The caller closes it. */
int shn_accounts_ipdb_open(const char *country_mmdb, const char *asn,
                           struct shn_accounts_ipdb **out, struct shn_diag *diag);
void shn_accounts_ipdb_close(struct shn_accounts_ipdb *db); /* NULL is fine */
bool shn_accounts_ipdb_has_country(const struct shn_accounts_ipdb *db);
bool shn_accounts_ipdb_has_asn(const struct shn_accounts_ipdb *db);
/* Country (ISO alpha-2, "" when unknown) and AS number (0 when unknown) of
 * the address text `ip` (IPv4 or IPv6). False when ip is no address;
 * private and reserved addresses are unknown everywhere. */
bool shn_accounts_ipdb_lookup(const struct shn_accounts_ipdb *db, const char *ip, char country[3],
                              unsigned *asn);

#endif
