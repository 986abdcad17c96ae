/* The scorer: loads the world, runs every enabled signal on every account
 * (two threads by default), combines the signals into one score and level,
 * and records alerts.
 *
 * The formula (docs/accounts.md, "Scoring"): log-odds L = prior + Σ wᵢ·sᵢ
 * over the signals that fired, capped at max_log_odds; score = 1/(1+e^−L);
 * level = block at score ≥ levels.block, review at ≥ levels.review, else
 * ok — raised to a signal's hard level (an exact sanctions hit is block)
 * when hard_rules is on. Evidence adds up because the signals are roughly
 * independent signs; the cap keeps one account with everything from
 * drowning the scale. */
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/log.h"
#include "shinsa/screen.h"
#include "shinsa/text.h"
#include "shinsa/trace.h"
#include "signals.h"

const struct shn__signal_def *const shn__signals[] = {
    &shn__signal_dup_id_image,       &shn__signal_unnatural_japanese, &shn__signal_underpriced,
    &shn__signal_crypto_payment,     &shn__signal_risky_network,      &shn__signal_sanctions,
    &shn__signal_shared_identifiers, &shn__signal_wallet_exposure,    &shn__signal_payout_mismatch,
    &shn__signal_profile_churn,      &shn__signal_session_anomaly,    &shn__signal_template_reuse,
    &shn__signal_off_platform,
};
const size_t shn__n_signals = sizeof shn__signals / sizeof shn__signals[0];

#define CHUNK 64 /* accounts evaluated between two hand-overs to the caller */

const char *shn_accounts_level_name(int level)
{
    return level == SHN_ACCOUNTS_BLOCK ? "block" : level == SHN_ACCOUNTS_REVIEW ? "review" : "ok";
}

int shn_accounts_level_parse(const char *s)
{
    if (!s)
        return -1;
    return strcmp(s, "ok") == 0       ? SHN_ACCOUNTS_OK
           : strcmp(s, "review") == 0 ? SHN_ACCOUNTS_REVIEW
           : strcmp(s, "block") == 0  ? SHN_ACCOUNTS_BLOCK
                                      : -1;
}

struct run {
    struct shn__score_ctx ctx;
    struct shn_screen_index *screen;
    struct shn_trace_graph *graph;
    const struct shn__signal_def *defs[SHN_ACCOUNTS_SIGNALS_MAX];
    double weights[SHN_ACCOUNTS_SIGNALS_MAX];
    void *state[SHN_ACCOUNTS_SIGNALS_MAX];
    size_t n_defs;
    double prior, max_log_odds, review, block;
    bool hard_rules;
    struct shn_accounts_score *chunk; /* CHUNK results */
    double *first_scores;             /* per account, when a second pass runs */
    /* Seconds per signal (monotonic clock, summed over the threads). */
    double prepare_time[SHN_ACCOUNTS_SIGNALS_MAX], eval_time[SHN_ACCOUNTS_SIGNALS_MAX];
    unsigned threads;    /* evaluation threads, 1..SHN_ACCOUNTS_THREADS_MAX */
    bool first_pass_run; /* leave the second-pass signals out */
    const struct shn__w_account *const *todo;
    int err;
};

static const char *engine_path(json_t *config, const char *key, const char *given)
{
    const char *s;
    if (given)
        return given;
    s = json_string_value(json_object_get(json_object_get(config, "engines"), key));
    return s && *s ? s : NULL;
}

static bool enabled(const struct run *r, const struct shn__signal_def *def)
{
    for (size_t i = 0; i < r->n_defs; i++)
        if (r->defs[i] == def)
            return true;
    return false;
}

static int open_engines(struct run *r, const struct shn_accounts_score_opts *o,
                        struct shn_diag *diag)
{
    json_t *cfg = r->ctx.config;
    const char *screen = engine_path(cfg, "screen_index", o->screen_index);
    if (!screen)
        screen = o->fallback_screen_index;
    const char *graph = engine_path(cfg, "trace_graph", o->trace_graph);
    struct shn_text_options topt = {.model_path = engine_path(cfg, "text_model", NULL),
                                    .allow_missing_model = true};
    struct shn_diag tdiag;
    int rc = SHN_OK;

    if (screen && (rc = shn_screen_index_open(screen, &r->screen, diag)) != SHN_OK)
        return rc;
    if (graph && (rc = shn_trace_graph_open(graph, &r->graph, diag)) != SHN_OK)
        return rc;
    r->ctx.screen = r->screen;
    r->ctx.graph = r->graph;
    /* The text engine is optional: without MeCab's dictionary the
     * unnatural_japanese signal stays neutral and says so. Out of memory
     * is no missing dictionary, though; and with the signal disabled
     * nothing reads the engine, so MeCab is not loaded. */
    memset(&tdiag, 0, sizeof tdiag);
    if (enabled(r, &shn__signal_unnatural_japanese) &&
        (rc = shn_text_engine_open(&topt, &r->ctx.text, &tdiag)) != SHN_OK) {
        r->ctx.text = NULL;
        if (rc == SHN_ERR_NOMEM)
            return rc;
        if (o->progress)
            shn_log(SHN_LOG_WARN, "accounts score: no text engine (%s)", tdiag.message);
    }
    return shn__netdb_open(cfg, &r->ctx.net, diag);
}

static void close_run(struct run *r)
{
    for (size_t i = 0; i < r->n_defs; i++)
        if (r->defs[i]->release)
            r->defs[i]->release(r->state[i]);
    shn__netdb_close(r->ctx.net);
    shn_text_engine_free(r->ctx.text);
    shn_trace_graph_close(r->graph);
    shn_screen_index_close(r->screen);
    shn_free(r->chunk);
    shn_free(r->first_scores);
    json_decref(r->ctx.config);
    shn__world_free((struct shn__world *)r->ctx.w);
}

static double num(json_t *o, const char *key, double fallback)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : fallback;
}

static void read_levels(struct run *r)
{
    json_t *c = r->ctx.config, *lv = json_object_get(c, "levels");
    r->prior = num(c, "prior_log_odds", -2.5);
    r->max_log_odds = num(c, "max_log_odds", 8);
    r->review = num(lv, "review", 0.5);
    r->block = num(lv, "block", 0.9);
    r->hard_rules = !json_is_false(json_object_get(c, "hard_rules"));
    for (size_t i = 0; i < shn__n_signals && r->n_defs < SHN_ACCOUNTS_SIGNALS_MAX; i++) {
        double w = shn__config_weight(c, shn__signals[i]);
        if (w < 0)
            continue;
        r->defs[r->n_defs] = shn__signals[i];
        r->weights[r->n_defs++] = w;
    }
}

/* Where the time of each signal goes: the monotonic clock, summed over
 * the threads — wall time, not CPU time. The thread CPU clock would say
 * CPU time, but it is a system call (no vDSO), and reading it around 13
 * signals per account cost 5% of a run. */
static double monotonic_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs every signal on one account and combines them. */
static int score_one(const struct run *r, const struct shn__w_account *a,
                     struct shn_accounts_score *s, double *spent)
{
    double L = r->prior;
    int hard = 0;
    memset(s, 0, sizeof *s);
    s->account = a->id;
    for (size_t i = 0; i < r->n_defs; i++) {
        struct shn_accounts_signal *sig;
        int rc;
        if (r->first_pass_run && r->defs[i]->second_pass)
            continue;
        sig = &s->signals[s->n_signals++];
        snprintf(sig->signal, sizeof sig->signal, "%s", r->defs[i]->name);
        sig->weight = r->weights[i];
        double t0 = monotonic_seconds();
        rc = r->defs[i]->eval(&r->ctx, r->state[i], a, sig);
        spent[i] += monotonic_seconds() - t0;
        if (rc != SHN_OK)
            return rc;
        if (!(sig->score > 0)) /* also catches NaN */
            sig->score = 0;
        if (sig->score > 1)
            sig->score = 1;
        L += sig->weight * sig->score;
        if (sig->hard > hard && sig->score > 0) {
            hard = sig->hard;
            s->hard_by = r->defs[i]->name;
        }
    }
    if (L > r->max_log_odds)
        L = r->max_log_odds;
    s->log_odds = L;
    s->score = 1 / (1 + exp(-L));
    s->level = s->score >= r->block    ? SHN_ACCOUNTS_BLOCK
               : s->score >= r->review ? SHN_ACCOUNTS_REVIEW
                                       : SHN_ACCOUNTS_OK;
    if (r->hard_rules && hard > s->level)
        s->level = hard;
    else
        s->hard_by = NULL;
    return SHN_OK;
}

/* One evaluation thread's share of a chunk: accounts from, from + step,
 * from + 2·step, … (interleaved, so that a run of costly accounts is
 * spread over the threads). */
struct share {
    const struct run *r;
    size_t from, to, step;
    int rc;
    double spent[SHN_ACCOUNTS_SIGNALS_MAX];
};

static void *eval_share(void *arg)
{
    struct share *h = arg;
    shn__signal_quiet_evidence(true);
    for (size_t i = h->from; i < h->to && h->rc == SHN_OK; i += h->step)
        h->rc = score_one(h->r, h->r->todo[i], &h->r->chunk[i], h->spent);
    shn__signal_quiet_evidence(false);
    return NULL;
}

/* Evaluates todo[0..n) into r->chunk on `threads` threads (the caller's
 * among them). A thread that cannot be started leaves its share to the
 * caller: fewer threads, same results. */
static int eval_chunk(struct run *r, size_t n, unsigned threads)
{
    struct share h[SHN_ACCOUNTS_THREADS_MAX];
    pthread_t t[SHN_ACCOUNTS_THREADS_MAX];
    bool spawned[SHN_ACCOUNTS_THREADS_MAX] = {false};
    size_t k = threads < n ? threads : n;
    int rc = SHN_OK;
    if (k == 0)
        k = 1;
    for (size_t j = 0; j < k; j++)
        h[j] = (struct share){.r = r, .from = j, .to = n, .step = k, .rc = SHN_OK};
    for (size_t j = 1; j < k; j++)
        spawned[j] = pthread_create(&t[j], NULL, eval_share, &h[j]) == 0;
    eval_share(&h[0]);
    for (size_t j = 1; j < k; j++) {
        if (spawned[j])
            pthread_join(t[j], NULL);
        else
            eval_share(&h[j]);
    }
    for (size_t j = 0; j < k; j++) {
        for (size_t i = 0; i < r->n_defs; i++)
            r->eval_time[i] += h[j].spent[i];
        if (rc == SHN_OK)
            rc = h[j].rc;
    }
    return rc;
}

/* One alert per account and evidence: the fingerprint hashes the level and
 * what every fired signal said. */
static int raise_alert(struct shn_events_db *db, struct shn_accounts_score *s,
                       struct shn_diag *diag)
{
    struct shn_buf body;
    const char *level = shn_accounts_level_name(s->level);
    uint64_t h = shn_hash64(level, strlen(level), 0x5eed);
    char fp[17], when[32];
    time_t now = time(NULL);
    struct tm tm;
    bool inserted = false;
    int rc;

    for (size_t i = 0; i < s->n_signals; i++) {
        const struct shn_accounts_signal *g = &s->signals[i];
        if (g->score <= 0)
            continue;
        h = shn_hash64(g->signal, strlen(g->signal), h);
        h = shn_hash64(g->evidence, strlen(g->evidence), h);
    }
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)h);
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    shn_buf_init(&body, 1u << 20);
    rc = shn_accounts_score_json(s, &body);
    if (rc == SHN_OK) {
        struct shn_events_alert a = {.account = s->account,
                                     .level = s->level,
                                     .score = s->score,
                                     .raised_time = when,
                                     .fingerprint = fp,
                                     .body = body.data};
        rc = shn_events_put_alert(db, &a, &inserted, diag);
    }
    shn_buf_cleanup(&body);
    s->alert_raised = inserted;
    return rc;
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static int prepare_all(struct run *r, struct shn_diag *diag)
{
    for (size_t i = 0; i < r->n_defs; i++) {
        double t0 = monotonic_seconds();
        int rc = r->defs[i]->prepare ? r->defs[i]->prepare(&r->ctx, &r->state[i], diag) : SHN_OK;
        r->prepare_time[i] = monotonic_seconds() - t0;
        if (rc != SHN_OK)
            return rc;
    }
    return SHN_OK;
}

/* When a second-pass signal is enabled: every account's score without it,
 * for that signal to read (accounts linked to flagged accounts). */
static int first_pass(struct run *r)
{
    const struct shn__world *w = r->ctx.w;
    const struct shn__w_account *ptrs[CHUNK];
    size_t index[CHUNK];
    bool needed = false;
    int rc = SHN_OK;
    for (size_t i = 0; i < r->n_defs; i++)
        needed |= r->defs[i]->second_pass;
    if (!needed)
        return SHN_OK;
    if (!(r->first_scores = shn_calloc(w->n_accounts ? w->n_accounts : 1, sizeof(double))))
        return SHN_ERR_NOMEM;
    r->first_pass_run = true;
    r->todo = ptrs;
    for (size_t next = 0; rc == SHN_OK && next < w->n_accounts;) {
        size_t n = 0;
        /* Only the accounts some second-pass signal will ask about. */
        for (; next < w->n_accounts && n < CHUNK; next++) {
            bool wanted = false;
            for (size_t d = 0; d < r->n_defs && !wanted; d++)
                wanted =
                    r->defs[d]->second_pass && (!r->defs[d]->wants_first_pass ||
                                                r->defs[d]->wants_first_pass(r->state[d], next));
            if (wanted) {
                index[n] = next;
                ptrs[n++] = &w->accounts[next];
            }
        }
        if (n == 0)
            break;
        rc = eval_chunk(r, n, r->threads);
        for (size_t i = 0; rc == SHN_OK && i < n; i++)
            r->first_scores[index[i]] = r->chunk[i].score;
    }
    r->first_pass_run = false;
    r->ctx.first_pass = r->first_scores;
    return rc;
}

/* Scores the accounts of the world in chunks, handing each result to fn
 * and raising alerts on the caller's thread (SQLite writes stay on one). */
static int score_all(struct shn_events_db *db, struct run *r,
                     const struct shn_accounts_score_opts *o, shn_accounts_score_fn fn, void *ctx,
                     struct shn_accounts_score_stats *st, struct shn_diag *diag)
{
    const struct shn__world *w = r->ctx.w;
    const struct shn__w_account *ptrs[CHUNK];
    size_t done = 0, total = o->account ? 1 : w->n_accounts;
    int rc = SHN_OK;
    bool in_tx = false;

    if (o->raise_alerts && (rc = shn_events_begin(db, diag)) != SHN_OK)
        return rc;
    in_tx = o->raise_alerts;
    r->todo = ptrs;
    while (rc == SHN_OK && done < total) {
        size_t n = total - done < CHUNK ? total - done : CHUNK;
        for (size_t i = 0; i < n; i++)
            ptrs[i] = o->account ? shn__world_find(w, o->account) : &w->accounts[done + i];
        rc = eval_chunk(r, n, r->threads);
        for (size_t i = 0; rc == SHN_OK && i < n; i++) {
            struct shn_accounts_score *s = &r->chunk[i];
            st->accounts++;
            st->review += s->level == SHN_ACCOUNTS_REVIEW;
            st->block += s->level == SHN_ACCOUNTS_BLOCK;
            if (o->raise_alerts && s->level >= SHN_ACCOUNTS_REVIEW) {
                rc = raise_alert(db, s, diag);
                st->alerts_raised += s->alert_raised;
            }
            if (rc == SHN_OK && fn)
                rc = fn(ctx, s);
        }
        done += n;
        if (o->progress && total > 10000)
            shn_progress("accounts score: accounts scored", done, total);
    }
    if (o->progress && total > 10000)
        shn_progress_end("accounts score: accounts scored", done);
    if (in_tx)
        rc = rc == SHN_OK ? shn_events_commit(db, diag) : (shn_events_rollback(db), rc);
    return rc;
}

int shn__signal_run(const struct shn__signal_def *def, const struct shn__score_ctx *c,
                    const char *account, struct shn_accounts_signal *out, struct shn_diag *diag)
{
    struct shn__score_ctx ctx = *c;
    const struct shn__w_account *a = shn__world_find(c->w, account);
    void *state = NULL;
    json_t *own = NULL;
    int rc = SHN_OK;
    if (!a)
        return SHN_ERR_NOT_FOUND;
    if (!ctx.config && (rc = shn__config_load(NULL, &own, diag)) != SHN_OK)
        return rc;
    if (own)
        ctx.config = own;
    memset(out, 0, sizeof *out);
    snprintf(out->signal, sizeof out->signal, "%s", def->name);
    out->weight = shn__config_weight(ctx.config, def);
    if (def->prepare)
        rc = def->prepare(&ctx, &state, diag);
    if (rc == SHN_OK)
        rc = def->eval(&ctx, state, a, out);
    if (def->release)
        def->release(state);
    json_decref(own);
    return rc;
}

int shn_accounts_score_run(struct shn_events_db *db, const struct shn_accounts_score_opts *opts,
                           shn_accounts_score_fn fn, void *ctx,
                           struct shn_accounts_score_stats *stats, struct shn_diag *diag)
{
    struct shn_accounts_score_opts o = {0};
    struct shn_accounts_score_stats st = {0};
    struct run r;
    struct shn__world *w = NULL;
    struct timespec t0;
    int rc;

    memset(&r, 0, sizeof r);
    if (!db)
        return SHN_ERR_INVALID;
    if (opts)
        o = *opts;
    r.threads = o.threads ? o.threads : 2;
    if (r.threads > SHN_ACCOUNTS_THREADS_MAX) {
        rc = shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, "threads", "%u threads: at most %d",
                          o.threads, SHN_ACCOUNTS_THREADS_MAX);
        goto out;
    }
    rc = shn__config_load(o.config_path, &r.ctx.config, diag);
    if (rc != SHN_OK)
        goto out;
    read_levels(&r);
    r.ctx.progress = o.progress;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = shn__world_load(db, o.progress, &w, diag);
    if (rc != SHN_OK)
        goto out;
    r.ctx.w = w;
    st.events = w->n_events;
    st.load_seconds = seconds_since(&t0);
    if (o.account && !shn__world_find(w, o.account)) {
        rc = shn_diag_set(diag, SHN_ERR_NOT_FOUND, NULL, 0, "", "no events for account %s",
                          o.account);
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((rc = open_engines(&r, &o, diag)) != SHN_OK || (rc = prepare_all(&r, diag)) != SHN_OK)
        goto out;
    st.prepare_seconds = seconds_since(&t0);
    if (!(r.chunk = shn_calloc(CHUNK, sizeof *r.chunk))) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = first_pass(&r);
    if (rc == SHN_OK)
        rc = score_all(db, &r, &o, fn, ctx, &st, diag);
    st.eval_seconds = seconds_since(&t0);
    st.n_signals = r.n_defs;
    for (size_t i = 0; i < r.n_defs; i++) {
        st.signal_names[i] = r.defs[i]->name;
        st.signal_prepare[i] = r.prepare_time[i];
        st.signal_eval[i] = r.eval_time[i];
    }
out:
    close_run(&r);
    if (stats)
        *stats = st;
    return rc;
}

int shn_accounts_alerts_each(struct shn_events_db *db, int min_level, const char *account,
                             int (*fn)(void *ctx, const struct shn_events_alert *a), void *ctx,
                             struct shn_diag *diag)
{
    if (!db || !fn)
        return SHN_ERR_INVALID;
    return shn_events_each_alert(db, min_level, account, fn, ctx, diag);
}
