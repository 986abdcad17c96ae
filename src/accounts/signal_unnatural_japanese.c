/* unnatural_japanese: the account's Japanese reads as written by someone who
 * does not speak it (machine translation, a learner, a Korean or Chinese
 * writer) — one of the four signs Japan's National Police Agency gave
 * platforms. The text engine (src/text, docs/text.md) scores each text in
 * [0, 1] (1 = natural) and lists the spans that give it away.
 *
 * Which texts: the latest profile and the longest messages (max_texts in
 * all), each cut to max_text_bytes at a sentence end, within
 * max_account_bytes per account — and only texts that are mostly Japanese
 * (kana present, kana + kanji at least min_japanese of the letters): an
 * English or Chinese message is not unnatural Japanese. Identical texts are
 * checked once per run (operators and templates repeat themselves).
 *
 * Score: a text is unnatural below the engine's threshold T (0.5; 0.8% of
 * natural held-out sentences fall below it, docs/text.md). With U the share
 * of the checked characters in unnatural texts and D their mean depth below
 * the threshold ((T - score) / T, weighted by characters), the signal is
 * U · (0.5 + 0.5·D) — when at least min_chars characters of Japanese were
 * checked and U ≥ min_share; else 0. One odd message among natural ones
 * does not fire; a stilted profile does.
 *
 * The engine's tagger is not thread-safe (one engine per thread), so every
 * account is checked in prepare and eval only reads the results. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/utf8.h"
#include "shinsa/text.h"
#include "signals.h"
#include "textscan.h"

#define NAME "unnatural_japanese"
#define FINDINGS_SHOWN 3
#define CANDIDATES_MAX 256 /* messages looked at to find the longest */

struct finding {
    int kind;
    double weight;
    char en[160], ja[192], excerpt[SHN__EXCERPT_CHARS * 4 + 8];
};

/* Only accounts that fired keep their worst text's findings. */
struct worst {
    const char *id; /* message id, NULL = the profile */
    double score;
    size_t chars, n_findings, total_findings;
    struct finding f[FINDINGS_SHOWN];
};

struct result {
    float score, unnatural_share, depth;
    uint32_t texts, unnatural_texts, chars, skipped_texts;
    struct worst *worst;
};

struct cache_slot {
    uint64_t key; /* 0 = empty */
    float score;
};

struct state {
    bool engine;
    struct result *res; /* per account, like w->accounts */
    size_t n;
    double threshold, min_share, min_japanese;
    size_t min_chars, max_texts, max_text_bytes, max_account_bytes;
    size_t threads;
    size_t checked, cache_hits;
    const char *model_path; /* the config's engines.text_model, for a second engine */
};

/* One checking thread: its engine, its accounts and its own cache. */
struct worker {
    struct state *s;
    const struct shn__world *w;
    struct shn_text_engine *eng;
    size_t from, to;
    struct cache_slot *cache;
    size_t cache_size; /* a power of two */
    size_t checked, cache_hits;
    int rc;
};

enum {
    P_THRESHOLD,
    P_MIN_CHARS,
    P_MIN_SHARE,
    P_MIN_JAPANESE,
    P_MAX_TEXTS,
    P_MAX_TEXT_BYTES,
    P_MAX_ACCOUNT_BYTES,
    P_THREADS,
};
/* The cost follows the bytes checked (~7 MB/s a core); the first sentences
 * carry the sign: 500/800 bytes found every planted operator of the sample
 * platform, as 1200/2000 did, in 60% of the time. */
static const struct shn__param params[] = {
    [P_THRESHOLD] = SHN__NUM("threshold", SHN_TEXT_DEFAULT_THRESHOLD, 0.01, 1, "",
                             "a text scoring below it is unnatural"),
    [P_MIN_CHARS] = SHN__INT("min_chars", 40, 0, 1e6, "characters",
                             "Japanese characters an account needs checked before it can fire"),
    [P_MIN_SHARE] = SHN__NUM("min_share", 0.2, 0, 1, "",
                             "share of the checked characters in unnatural texts that fires"),
    [P_MIN_JAPANESE] = SHN__NUM("min_japanese", 0.6, 0, 1, "",
                                "kana + kanji share of the letters of a Japanese text"),
    [P_MAX_TEXTS] = SHN__INT("max_texts", 4, 1, CANDIDATES_MAX, "texts",
                             "texts checked per account (the profile first)"),
    [P_MAX_TEXT_BYTES] = SHN__INT("max_text_bytes", 500, 16, SHN_TEXT_MAX_BYTES, "bytes",
                                  "each text is cut to this at a sentence end"),
    [P_MAX_ACCOUNT_BYTES] = SHN__INT("max_account_bytes", 800, 16, SHN_TEXT_MAX_BYTES, "bytes",
                                     "bytes checked per account"),
    [P_THREADS] = SHN__INT("threads", 2, 1, 2, "threads",
                           "2: a second text engine checks half the texts in prepare"),
};
#define SELF (&shn__signal_unnatural_japanese)

/* True when text[0..len) is mostly Japanese; *chars = its letters. */
static bool japanese(const char *s, size_t len, double min_share, size_t *chars)
{
    size_t kana = 0, han = 0, letters = 0, n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = shn_utf8_decode(s + i, len - i, &cp);
        i += k ? k : 1;
        n++;
        if ((cp >= 0x3041 && cp <= 0x309F) || (cp >= 0x30A0 && cp <= 0x30FF) ||
            (cp >= 0xFF66 && cp <= 0xFF9D))
            kana++;
        else if ((cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF))
            han++;
        else if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
                 (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0x1100 && cp <= 0x11FF) ||
                 (cp >= 0x3130 && cp <= 0x318F) || (cp >= 0xFF21 && cp <= 0xFF5A) ||
                 (cp >= 0x00C0 && cp <= 0x024F) || (cp >= 0x0400 && cp <= 0x04FF))
            letters++;
    }
    *chars = n;
    letters += kana + han;
    return kana > 0 && letters > 0 && (double)(kana + han) >= min_share * (double)letters;
}

/* len cut to at most max bytes, at a sentence end (。！？ or a newline) in
 * the second half when there is one, else at a character boundary. */
static size_t cut(const char *s, size_t len, size_t max)
{
    size_t end;
    if (len <= max)
        return len;
    end = max;
    while (end > 0 && ((unsigned char)s[end] & 0xC0) == 0x80)
        end--;
    for (size_t i = end; i > max / 2; i--) {
        if (s[i - 1] == '\n')
            return i;
        if (i >= 3 && (memcmp(s + i - 3, "。", 3) == 0 || memcmp(s + i - 3, "！", 3) == 0 ||
                       memcmp(s + i - 3, "？", 3) == 0))
            return i;
    }
    return end;
}

static void release(void *p)
{
    struct state *s = p;
    if (!s)
        return;
    for (size_t i = 0; s->res && i < s->n; i++)
        shn_free(s->res[i].worst);
    shn_free(s->res);
    shn_free(s);
}

/* The engine's score of text[0..len), through the run's cache. */
static int check(struct worker *s, const char *text, size_t len, double *score)
{
    uint64_t key = shn_hash64(text, len, 0x6a61) | 1;
    size_t mask = s->cache_size - 1, i = (size_t)key & mask;
    struct shn_text_engine *eng = s->eng;
    struct shn_text_result r;
    int rc;
    for (size_t probes = 0; probes < 64 && s->cache[i].key; probes++, i = (i + 1) & mask) {
        if (s->cache[i].key == key) {
            s->cache_hits++;
            *score = s->cache[i].score;
            return SHN_OK;
        }
    }
    rc = shn_text_check(eng, text, len, &r);
    if (rc != SHN_OK)
        return rc;
    s->checked++;
    *score = r.score;
    shn_text_result_cleanup(&r);
    if (!s->cache[i].key) { /* a full probe run just stays uncached */
        s->cache[i].key = key;
        s->cache[i].score = (float)*score;
    }
    return SHN_OK;
}

/* Keeps the worst text's findings (the account fired). */
static int keep_worst(struct shn_text_engine *eng, const char *text, size_t len, const char *id,
                      struct result *out)
{
    struct shn_text_result r;
    struct worst *w = shn_calloc(1, sizeof *w);
    int rc;
    if (!w)
        return SHN_ERR_NOMEM;
    rc = shn_text_check(eng, text, len, &r);
    if (rc != SHN_OK) {
        shn_free(w);
        return rc;
    }
    w->id = id;
    w->score = r.score;
    w->chars = r.chars;
    w->total_findings = r.total_findings;
    /* the heaviest findings first */
    for (size_t k = 0; k < FINDINGS_SHOWN; k++) {
        const struct shn_text_finding *best = NULL;
        for (size_t i = 0; i < r.count; i++) {
            bool taken = false;
            for (size_t j = 0; j < w->n_findings; j++)
                taken |=
                    w->f[j].kind == r.findings[i].kind && strcmp(w->f[j].en, r.findings[i].en) == 0;
            if (!taken && (!best || r.findings[i].weight > best->weight))
                best = &r.findings[i];
        }
        if (!best || !(best->weight > 0))
            break;
        {
            struct finding *f = &w->f[w->n_findings++];
            size_t b0 = 0, b1, cp = 0;
            f->kind = best->kind;
            f->weight = best->weight;
            snprintf(f->en, sizeof f->en, "%s", best->en);
            snprintf(f->ja, sizeof f->ja, "%s", best->ja);
            /* code point offsets to bytes */
            while (b0 < len && cp < best->start) {
                b0++;
                while (b0 < len && ((unsigned char)text[b0] & 0xC0) == 0x80)
                    b0++;
                cp++;
            }
            b1 = b0;
            while (b1 < len && cp < best->end) {
                b1++;
                while (b1 < len && ((unsigned char)text[b1] & 0xC0) == 0x80)
                    b1++;
                cp++;
            }
            shn__scan_excerpt(text, len, b0, b1, NULL, 0, f->excerpt, sizeof f->excerpt);
            for (char *p = f->excerpt; *p; p++)
                if (*p == '\n' || *p == '\t' || *p == '\r')
                    *p = ' ';
        }
    }
    shn_text_result_cleanup(&r);
    out->worst = w;
    return SHN_OK;
}

struct cand {
    const char *text, *id;
    size_t len;
};

static int cmp_cand(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    return (a->len < b->len) - (a->len > b->len);
}

static int score_account(struct worker *wk, const struct shn__w_account *a, struct result *out)
{
    const struct state *s = wk->s;
    struct cand cands[CANDIDATES_MAX + 1];
    size_t n = 0, budget = s->max_account_bytes;
    double total = 0, bad = 0, depth = 0, worst_score = 2;
    const struct cand *worst = NULL;
    int rc = SHN_OK;

    if (a->profile)
        cands[n++] = (struct cand){a->profile, NULL, strlen(a->profile)};
    /* the most recent CANDIDATES_MAX messages, longest first */
    {
        size_t first = n, from = a->n_msgs > CANDIDATES_MAX ? a->n_msgs - CANDIDATES_MAX : 0;
        for (size_t i = from; i < a->n_msgs; i++)
            if (a->msgs[i].text)
                cands[n++] = (struct cand){a->msgs[i].text, a->msgs[i].id, strlen(a->msgs[i].text)};
        qsort(cands + first, n - first, sizeof *cands, cmp_cand);
    }
    for (size_t i = 0; i < n && out->texts < s->max_texts && budget > 0 && rc == SHN_OK; i++) {
        size_t len = cut(cands[i].text, cands[i].len,
                         s->max_text_bytes < budget ? s->max_text_bytes : budget);
        size_t chars;
        double sc = 1;
        if (!len || !japanese(cands[i].text, len, s->min_japanese, &chars)) {
            out->skipped_texts++;
            continue;
        }
        rc = check(wk, cands[i].text, len, &sc);
        if (rc == SHN_ERR_TOO_LARGE || rc == SHN_ERR_INVALID) {
            rc = SHN_OK; /* one bad text is skipped, not the run */
            out->skipped_texts++;
            continue;
        }
        budget -= len;
        out->texts++;
        out->chars += (uint32_t)chars;
        total += (double)chars;
        if (sc < s->threshold) {
            out->unnatural_texts++;
            bad += (double)chars;
            depth += (double)chars * (s->threshold - sc) / s->threshold;
        }
        if (sc < worst_score) {
            worst_score = sc;
            cands[i].len = len; /* what was checked */
            worst = &cands[i];
        }
    }
    if (rc != SHN_OK || !(total > 0))
        return rc;
    out->unnatural_share = (float)(bad / total);
    out->depth = bad > 0 ? (float)(depth / bad) : 0;
    if (out->chars >= s->min_chars && bad > 0 && bad / total >= s->min_share)
        out->score = out->unnatural_share * (0.5f + 0.5f * out->depth);
    if (worst && (out->score > 0 || worst_score < s->threshold))
        rc = keep_worst(wk->eng, worst->text, worst->len, worst->id, out);
    return rc;
}

static int check_all(const struct shn__score_ctx *c, struct state *s);

static int prepare(const struct shn__score_ctx *c, void **out, struct shn_diag *diag)
{
    struct state *s = shn_calloc(1, sizeof *s);
    int rc = SHN_OK;
    (void)diag;
    if (!s)
        return SHN_ERR_NOMEM;
    s->threshold = shn__param_num(c, SELF, P_THRESHOLD);
    s->min_share = shn__param_num(c, SELF, P_MIN_SHARE);
    s->min_japanese = shn__param_num(c, SELF, P_MIN_JAPANESE);
    s->min_chars = shn__param_size(c, SELF, P_MIN_CHARS);
    s->max_texts = shn__param_size(c, SELF, P_MAX_TEXTS);
    s->max_text_bytes = shn__param_size(c, SELF, P_MAX_TEXT_BYTES);
    s->max_account_bytes = shn__param_size(c, SELF, P_MAX_ACCOUNT_BYTES);
    s->threads = shn__param_size(c, SELF, P_THREADS);
    s->model_path =
        json_string_value(json_object_get(json_object_get(c->config, "engines"), "text_model"));
    s->engine = c->text != NULL;
    s->n = c->w->n_accounts;
    if (!s->engine || !s->n) {
        *out = s;
        return SHN_OK;
    }
    if (!(s->res = shn_calloc(s->n, sizeof *s->res))) {
        release(s);
        return SHN_ERR_NOMEM;
    }
    rc = check_all(c, s);
    if (rc != SHN_OK) {
        release(s);
        return rc;
    }
    *out = s;
    return SHN_OK;
}

static void *run_worker(void *arg)
{
    struct worker *wk = arg;
    for (size_t i = wk->from; i < wk->to && wk->rc == SHN_OK; i++)
        wk->rc = score_account(wk, &wk->w->accounts[i], &wk->s->res[i]);
    return NULL;
}

/* Checks every account, on two threads when a second engine opens (the
 * tagger is per engine; the dictionary and model are shared mappings). */
static int check_all(const struct shn__score_ctx *c, struct state *s)
{
    struct worker wk[2];
    struct shn_text_options topt = {.model_path = s->model_path, .allow_missing_model = true};
    struct shn_diag d = {0};
    struct shn_text_engine *second = NULL;
    pthread_t t;
    bool spawned = false;
    size_t nw = 1;
    int rc = SHN_OK;

    if (s->threads > 1 && s->n >= 256 && shn_text_engine_open(&topt, &second, &d) == SHN_OK)
        nw = 2;
    for (size_t k = 0; k < nw; k++) {
        wk[k] = (struct worker){.s = s,
                                .w = c->w,
                                .eng = k ? second : c->text,
                                .from = s->n * k / nw,
                                .to = s->n * (k + 1) / nw,
                                .rc = SHN_OK};
        wk[k].cache_size = 1024;
        while (wk[k].cache_size < 2 * (wk[k].to - wk[k].from) * s->max_texts &&
               wk[k].cache_size < ((size_t)1 << 22))
            wk[k].cache_size *= 2;
        if (!(wk[k].cache = shn_calloc(wk[k].cache_size, sizeof *wk[k].cache)))
            rc = SHN_ERR_NOMEM;
    }
    if (rc == SHN_OK) {
        spawned = nw > 1 && pthread_create(&t, NULL, run_worker, &wk[1]) == 0;
        if (nw > 1 && !spawned)
            wk[0].to = s->n; /* no thread: do it all here */
        run_worker(&wk[0]);
        if (spawned)
            pthread_join(t, NULL);
        rc = wk[0].rc != SHN_OK ? wk[0].rc : spawned ? wk[1].rc : SHN_OK;
    }
    for (size_t k = 0; k < nw; k++) {
        s->checked += wk[k].checked;
        s->cache_hits += wk[k].cache_hits;
        shn_free(wk[k].cache);
    }
    shn_text_engine_free(second);
    return rc;
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    const struct state *s = state;
    size_t i = shn__world_index(c->w, a);
    const struct result *r;
    const struct worst *w;
    json_t *ev, *findings;

    if (!s->engine)
        return shn__signal_set_evidence(
            out,
            json_pack("{s:s}", "text_engine", "unavailable (no MeCab dictionary): not checked"));
    if (i >= s->n)
        return SHN_ERR_INVALID;
    r = &s->res[i];
    out->score = r->score;
    ev =
        json_pack("{s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:I}", "texts_checked", (json_int_t)r->texts,
                  "texts_unnatural", (json_int_t)r->unnatural_texts, "texts_not_japanese",
                  (json_int_t)r->skipped_texts, "chars_checked", (json_int_t)r->chars,
                  "unnatural_share", (double)r->unnatural_share, "depth", (double)r->depth,
                  "threshold", s->threshold, "min_chars", (json_int_t)s->min_chars);
    if (!ev)
        return SHN_ERR_NOMEM;
    if ((w = r->worst)) {
        findings = json_array();
        for (size_t k = 0; findings && k < w->n_findings; k++)
            json_array_append_new(findings, json_pack("{s:s, s:f, s:s, s:s, s:s}", "kind",
                                                      shn_text_kind_name(w->f[k].kind), "weight",
                                                      w->f[k].weight, "en", w->f[k].en, "ja",
                                                      w->f[k].ja, "excerpt", w->f[k].excerpt));
        json_object_set_new(ev, "worst",
                            json_pack("{s:s, s:s?, s:f, s:I, s:I, s:o*}", "in",
                                      w->id ? "message" : "profile", "id", w->id, "score", w->score,
                                      "chars", (json_int_t)w->chars, "findings",
                                      (json_int_t)w->total_findings, "top", findings));
    }
    if (out->score > 0 && w) {
        const char *en = w->n_findings ? w->f[0].en : "no single finding";
        const char *ja = w->n_findings ? w->f[0].ja : "個別の指摘なし";
        const char *ex = w->n_findings ? w->f[0].excerpt : "";
        shn__signal_reason_en(out,
                              "%u of %u Japanese text(s) read as unnatural (%.0f%% of the "
                              "text); the worst %s scores %.2f: %s — \"%s\"",
                              r->unnatural_texts, r->texts, r->unnatural_share * 100.0,
                              w->id ? "message" : "profile", w->score, en, ex);
        shn__signal_reason_ja(out,
                              "日本語の文面%u件中%u件が不自然（文字数の%.0f%%）。最も不自然な"
                              "%s（スコア%.2f）: %s「%s」",
                              r->texts, r->unnatural_texts, r->unnatural_share * 100.0,
                              w->id ? "メッセージ" : "プロフィール", w->score, ja, ex);
    }
    return shn__signal_set_evidence(out, ev);
}

const struct shn__signal_def shn__signal_unnatural_japanese = {
    .name = NAME,
    .default_weight = 1.0,
    SHN__PARAMS(params),
    .prepare = prepare,
    .eval = eval,
    .release = release,
};
