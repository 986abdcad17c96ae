/* The signal interface of the accounts engine. Each signal is one file,
 * signal_<name>.c, exporting one `const struct shn__signal_def`; score.c
 * lists them in a table and runs them over the world (world.h).
 *
 * Life of a scoring run: the scorer loads the world and the config, opens
 * the engines the config names (screen index, text engine, trace graph, IP
 * databases — any may be absent), calls every signal's `prepare` once on
 * one thread (cross-account indexes, market statistics, anything that
 * needs a non-thread-safe engine), then `eval` for each account, possibly
 * from several threads at once: eval must only read the context and its
 * own prepared state. `release` frees the state.
 *
 * A signal with nothing to go on (no engine, no data) returns score 0 with
 * evidence saying why: neutral, never negative. */
#ifndef SHN_ACCOUNTS_SIGNALS_H
#define SHN_ACCOUNTS_SIGNALS_H

#include <jansson.h>

#include "shinsa/core/buf.h" /* SHN_PRINTF */
#include "world.h"

struct shn_screen_index;
struct shn_text_engine;
struct shn_trace_graph;
struct shn__netdb; /* the IP databases (signal_risky_network.c owns it) */

/* The engines and settings a scoring run shares. NULL engines are absent. */
struct shn__score_ctx {
    const struct shn__world *w;
    json_t *config;                        /* the effective config (config.c) */
    const struct shn_screen_index *screen; /* sanctions, payout_mismatch */
    struct shn_text_engine *text;          /* unnatural_japanese: prepare only */
    const struct shn_trace_graph *graph;   /* wallet_exposure */
    struct shn__netdb *net;                /* risky_network, session_anomaly */
    bool progress;                         /* progress on stderr in prepare */
    /* Second pass only: every account's score (0..1) from a first pass
     * without the second-pass signals, indexed like w->accounts (0 for the
     * accounts no second-pass signal asked for); NULL in the first pass (a
     * second-pass signal then stays neutral). */
    const double *first_pass;
};

/* A signal's parameter, as data: one place for its default and its
 * allowed range. The config loader checks every key under signals.<name>
 * against the table (an unknown key, a wrong type or a value out of range
 * is an error naming the file, the key and the range), the signal reads
 * its values through shn__param_*, `accounts config --defaults` prints the
 * table, and tests/accounts checks it against docs/signals.md. */
enum shn__param_kind {
    SHN__PARAM_NUMBER, /* a number in min..max */
    SHN__PARAM_INT,    /* a whole number in min..max */
    SHN__PARAM_BOOL,   /* true or false (1 or 0 are read as such) */
    SHN__PARAM_PATH,   /* a file path; unset or "" = the data file `file` */
};

struct shn__param {
    const char *name; /* key under signals.<signal> */
    enum shn__param_kind kind;
    double def, min, max; /* NUMBER, INT; BOOL: def 1 = true */
    const char *file;     /* PATH: the installed data file used by default */
    const char *unit;     /* "hours", "bytes", … or "" */
    const char *help;     /* one line, for --defaults readers and the docs test */
};

#define SHN__NUM(n, d, lo, hi, u, h)                                                               \
    {                                                                                              \
        (n), SHN__PARAM_NUMBER, (d), (lo), (hi), NULL, (u), (h)                                    \
    }
#define SHN__INT(n, d, lo, hi, u, h)                                                               \
    {                                                                                              \
        (n), SHN__PARAM_INT, (d), (lo), (hi), NULL, (u), (h)                                       \
    }
#define SHN__BOOL(n, d, h)                                                                         \
    {                                                                                              \
        (n), SHN__PARAM_BOOL, (d) ? 1 : 0, 0, 1, NULL, "", (h)                                     \
    }
#define SHN__PATH(n, f, h)                                                                         \
    {                                                                                              \
        (n), SHN__PARAM_PATH, 0, 0, 0, (f), "", (h)                                                \
    }

/* In a signal's definition: .params and .n_params from its table. */
#define SHN__PARAMS(table) .params = (table), .n_params = sizeof(table) / sizeof((table)[0])

/* The range every signal's weight is checked against. */
#define SHN__WEIGHT_MAX 20

struct shn__signal_def {
    const char *name;      /* "underpriced"; also its key in the config */
    double default_weight; /* documented in docs/signals.md */
    /* The parameters the config may set for this signal besides "weight"
     * and "enabled"; the config loader rejects any other key, so a typo is
     * an error rather than a silent default. Signals index it with their
     * own enum (params[P_RATIO]). */
    const struct shn__param *params;
    size_t n_params;
    /* Once per run, single-threaded; *state (may stay NULL) is passed to
     * eval and release. NULL = nothing to prepare. */
    int (*prepare)(const struct shn__score_ctx *c, void **state, struct shn_diag *diag);
    /* One account; fills out->score, out->evidence, out->reason_en/ja. The
     * scorer fills out->signal and out->weight. */
    int (*eval)(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out);
    void (*release)(void *state); /* NULL = nothing to free */
    /* True for a signal that weighs other accounts' verdicts (accounts
     * linked to flagged accounts): the scorer then scores every account
     * once without such signals, and again with them. */
    bool second_pass;
    /* Second-pass signals only: whether eval will read the first-pass
     * score of the account at this index (for example: it shares an
     * identifier with someone). The first pass then scores only those
     * accounts. NULL = every account. */
    bool (*wants_first_pass)(const void *state, size_t account_index);
};

/* Parameter `i` of `def` (def->params[i]) from the effective config, or
 * its default when the config does not set it. The config loader has
 * checked type and range; a value it did not check (a config built by
 * hand) that is off the table reads as the default, so no cast in a signal
 * ever sees it. params.c. */
double shn__param_num(const struct shn__score_ctx *c, const struct shn__signal_def *def, size_t i);
/* An INT parameter as a count (the table's range keeps it ≥ 0). */
size_t shn__param_size(const struct shn__score_ctx *c, const struct shn__signal_def *def, size_t i);
bool shn__param_bool(const struct shn__score_ctx *c, const struct shn__signal_def *def, size_t i);
/* A PATH parameter resolved into buf: the configured path, else the
 * table's data file under $SHINSA_ACCOUNTS_DATA or the installed data
 * directory. Returns buf. */
const char *shn__param_path(const struct shn__score_ctx *c, const struct shn__signal_def *def,
                            size_t i, char *buf, size_t size);

/* Checks signals.<name>.<key> = v against the signal tables (weight,
 * enabled, the signal's parameters); errors name `file` and the key path
 * and say the allowed range. params.c, for config.c. */
int shn__params_check(json_t *signals, const char *file, struct shn_diag *diag);
/* Every signal's weight and parameters with their defaults, as the
 * "signals" object of a config (new reference, NULL on allocation
 * failure). */
json_t *shn__params_defaults(void);

/* Routes jansson's allocations through shn_malloc, once per process
 * (alloc_route.c); the config loaders call it first. */
void shn__accounts_route_allocations(void);

/* After a jansson call returned NULL: whether it failed for lack of memory.
 * jansson does not say (its parser then reports a syntax error, or
 * nothing), so a small allocation of its own tells: it fails too when
 * memory is out. signal_util.c. */
bool shn__json_out_of_memory(void);

/* Evidence helpers: serialise `obj` (stolen: always decref'd) into
 * out->evidence, truncating arrays from the end until it fits. On a thread
 * where shn__signal_quiet_evidence(true) was called, the evidence of a
 * signal whose score is 0 is dropped (left empty) instead: the scorer's
 * outputs never show it. Tests and shn__signal_run keep it. */
int shn__signal_set_evidence(struct shn_accounts_signal *out, json_t *obj);
void shn__signal_quiet_evidence(bool on);
/* One-sentence reasons for `accounts explain`, printf-style, truncated to
 * the field (never past it, never mid-character). */
void shn__signal_reason_en(struct shn_accounts_signal *out, const char *fmt, ...) SHN_PRINTF(2, 3);
void shn__signal_reason_ja(struct shn_accounts_signal *out, const char *fmt, ...) SHN_PRINTF(2, 3);

/* Every signal, in the order scores list them (score.c). */
extern const struct shn__signal_def *const shn__signals[];
extern const size_t shn__n_signals;

/* Reads, checks and merges a config file over the built-in defaults
 * (config.c); path NULL = the defaults alone. *out is the effective config,
 * owned by the caller (json_decref). Errors name the file and the key. */
int shn__config_load(const char *path, json_t **out, struct shn_diag *diag);
/* The same from JSON text (`name` for diagnostics): tests and tools. */
int shn__config_parse(const char *text, size_t len, const char *name, json_t **out,
                      struct shn_diag *diag);
/* The weight of a signal in the effective config; < 0 when disabled. */
double shn__config_weight(json_t *config, const struct shn__signal_def *def);

/* Runs one signal (prepare, eval of `account`, release) with the engines
 * and config in *c: how the tests drive a signal. c->config NULL = the
 * defaults. Fills out->signal and out->weight as the scorer does. */
int shn__signal_run(const struct shn__signal_def *def, const struct shn__score_ctx *c,
                    const char *account, struct shn_accounts_signal *out, struct shn_diag *diag);

/* The IP databases (signal_risky_network.c): opened by the scorer from the
 * config's engines.ip_country_mmdb / engines.ip_asn_mmdb (or the installed
 * defaults); absent files leave the network signals neutral. */
int shn__netdb_open(json_t *config, struct shn__netdb **out, struct shn_diag *diag);
void shn__netdb_close(struct shn__netdb *db); /* NULL is fine */

extern const struct shn__signal_def shn__signal_dup_id_image;
extern const struct shn__signal_def shn__signal_unnatural_japanese;
extern const struct shn__signal_def shn__signal_underpriced;
extern const struct shn__signal_def shn__signal_crypto_payment;
extern const struct shn__signal_def shn__signal_risky_network;
extern const struct shn__signal_def shn__signal_sanctions;
extern const struct shn__signal_def shn__signal_shared_identifiers;
extern const struct shn__signal_def shn__signal_wallet_exposure;
extern const struct shn__signal_def shn__signal_payout_mismatch;
extern const struct shn__signal_def shn__signal_profile_churn;
extern const struct shn__signal_def shn__signal_session_anomaly;
extern const struct shn__signal_def shn__signal_template_reuse;
extern const struct shn__signal_def shn__signal_off_platform;

#endif
