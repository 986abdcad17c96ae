/* sanctions: the account screened against the watchlists of the screen
 * engine (OFAC, UN, crypto, custom lists; docs/screen.md). Every name the
 * account ever used (the latest one with its kana reading and its Latin
 * spelling) is screened with the declared birth date and nationality, and
 * every identifier exactly: ID-document numbers and payout wallets
 * (declared and used) — an exact hit on one of those blocks on its own
 * (issue 6: "an exact sanctions hit is block") — and email addresses and
 * phones, which put the account in front of an analyst (review).
 *
 * A name hit alone is a lead, not a verdict: names are shared by many
 * people. Its score rises with the screen engine's name score above the
 * threshold and with agreement of the birth date and nationality, which
 * the screen engine states in its `why` lines (the only public view of
 * them); a birth date far from the list's pulls it down. A name hit with an
 * exact birth-date agreement forces review.
 *
 * No prepare: the screen index is read-only and its queries keep their
 * working memory per thread (src/screen/query.c), so eval may query it
 * from the scorer's threads directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/screen.h"
#include "signals.h"

#define NAMES_MAX 8   /* names of one account screened */
#define IDENTS_MAX 24 /* identifiers of one account screened */
#define HITS_KEPT 5   /* hits in the evidence */
#define WHY_KEPT 3    /* `why` lines per hit in the evidence */
#define QUERY_LIMIT 5 /* hits read per query */

enum { P_NAME_THRESHOLD };
static const struct shn__param params[] = {
    [P_NAME_THRESHOLD] = SHN__NUM("name_threshold", SHN_SCREEN_DEFAULT_THRESHOLD, 0, 1, "",
                                  "the screen engine's name score a name hit needs"),
};
#define SELF (&shn__signal_sanctions)

enum by { BY_NAME, BY_WALLET, BY_ID_NUMBER, BY_EMAIL, BY_PHONE };
static const char *const by_name[] = {"name", "wallet", "id_number", "email", "phone"};

struct found {
    uint32_t entity;
    enum by by;
    double list_score; /* the screen engine's score */
    double score;      /* this signal's */
    bool dob_exact;
    const char *ours; /* the account's value that matched */
    struct shn_screen_hit hit;
};

struct work {
    const struct shn__score_ctx *c;
    const struct shn__w_account *a;
    double threshold;
    struct shn_screen_result r;
    struct found best[HITS_KEPT];
    size_t n_best;
    size_t hits; /* distinct (entity, by) hits, past the kept ones too */
    size_t queries;
};

/* Agreement of birth date and nationality, read from the why lines. */
static double name_score(const struct shn_screen_hit *h, double threshold, bool *dob_exact)
{
    double frac = threshold < 1 ? (h->score - threshold) / (1 - threshold) : 1;
    double s;
    if (frac < 0)
        frac = 0;
    if (frac > 1)
        frac = 1;
    /* 0.6 at the threshold, 0.85 for an identical name: with the default
     * weight (4) and prior (-2.5) a name alone reaches review, never block. */
    s = 0.6 + 0.25 * frac;
    *dob_exact = false;
    for (int i = 0; i < h->n_why && i < SHN_SCREEN_MAX_WHY; i++) {
        const char *w = h->why[i];
        if (strncmp(w, "birth date matches", 18) == 0) {
            s += 0.1;
            *dob_exact = true;
        } else if (strncmp(w, "birth year fits", 15) == 0) {
            s += 0.03;
        } else if (strncmp(w, "birth date differs", 18) == 0) {
            s -= 0.1;
        } else if (strncmp(w, "birth date far", 14) == 0) {
            s -= 0.2;
        } else if (strncmp(w, "nationality", 11) == 0 && strstr(w, " matches ")) {
            s += 0.05;
        }
    }
    return s < 0.3 ? 0.3 : s > 0.95 ? 0.95 : s;
}

static double ident_score(enum by by)
{
    return by == BY_WALLET || by == BY_ID_NUMBER ? 1.0 : 0.9;
}

/* Keeps the hit if it beats what is kept for its entity, or the weakest. */
static void keep(struct work *k, const struct shn_screen_hit *h, enum by by, const char *ours)
{
    struct found f = {.entity = h->entity, .by = by, .list_score = h->score, .ours = ours};
    size_t slot = k->n_best;
    f.score = by == BY_NAME ? name_score(h, k->threshold, &f.dob_exact) : ident_score(by);
    for (size_t i = 0; i < k->n_best; i++) {
        if (k->best[i].entity == h->entity && k->best[i].by == by) {
            if (k->best[i].score >= f.score)
                return;
            slot = i;
            break;
        }
    }
    if (slot == k->n_best) {
        k->hits++;
        if (k->n_best == HITS_KEPT) {
            size_t weakest = 0;
            for (size_t i = 1; i < k->n_best; i++)
                if (k->best[i].score < k->best[weakest].score)
                    weakest = i;
            if (k->best[weakest].score >= f.score)
                return;
            slot = weakest;
        } else {
            k->n_best++;
        }
    }
    f.hit = *h;
    k->best[slot] = f;
}

static int screen(struct work *k, const struct shn_screen_query *q, enum by by, const char *ours)
{
    int rc;
    k->queries++;
    rc = shn_screen_query(k->c->screen, q, &k->r);
    /* A value the engine cannot take (too long, nothing usable) is skipped. */
    if (rc == SHN_ERR_INVALID || rc == SHN_ERR_ENCODING || rc == SHN_ERR_TOO_LARGE)
        return SHN_OK;
    if (rc != SHN_OK)
        return rc;
    for (size_t i = 0; i < k->r.n_hits; i++) {
        const struct shn_screen_hit *h = &k->r.hits[i];
        if (by != BY_NAME && !h->exact_identifier)
            continue;
        if (by == BY_NAME && (h->exact_identifier || h->score < k->threshold))
            continue;
        /* Platform accounts are people: a person's name resembling a
         * company's, vessel's or aircraft's (原 結衣 ~ HARA COMPANY once
         * the suffix is folded) is not a sanctions lead. Identifiers
         * (wallets, numbers) count whatever the entity. */
        if (by == BY_NAME) {
            int kind = shn_screen_entity_kind(k->c->screen, h->entity);
            if (kind != SHN_KIND_PERSON && kind != SHN_KIND_UNKNOWN)
                continue;
        }
        keep(k, h, by, ours);
    }
    return SHN_OK;
}

static int screen_name(struct work *k, const char *name, const char *reading)
{
    struct shn_screen_query q = {.name = name,
                                 .reading = reading,
                                 .dob = k->a->birth_date,
                                 .nationality = k->a->nationality,
                                 .threshold = k->threshold,
                                 .limit = QUERY_LIMIT};
    return screen(k, &q, BY_NAME, name);
}

static int screen_ident(struct work *k, enum by by, const char *value)
{
    struct shn_screen_query q = {.threshold = 1.0, .limit = QUERY_LIMIT};
    if (!value || !*value)
        return SHN_OK;
    if (by == BY_WALLET)
        q.crypto = value;
    else if (by == BY_ID_NUMBER)
        q.id = value;
    else if (by == BY_EMAIL)
        q.email = value;
    else
        q.phone = value;
    return screen(k, &q, by, value);
}

/* True when `v` was already screened as one of the first n of list[]. */
static bool seen(const char *const *list, size_t n, const char *v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] && strcmp(list[i], v) == 0)
            return true;
    return false;
}

static int screen_all(struct work *k)
{
    const struct shn__w_account *a = k->a;
    const char *done[NAMES_MAX + IDENTS_MAX];
    size_t n_done = 0;
    int rc = SHN_OK;

    /* Names: the latest with its reading, its Latin spelling, then every
     * other name the account used. */
    if (a->name || a->name_reading) {
        rc = screen_name(k, a->name ? a->name : a->name_reading, a->name ? a->name_reading : NULL);
        if (a->name)
            done[n_done++] = a->name;
    }
    if (rc == SHN_OK && a->name_latin && !seen(done, n_done, a->name_latin)) {
        rc = screen_name(k, a->name_latin, NULL);
        done[n_done++] = a->name_latin;
    }
    for (size_t i = 0; rc == SHN_OK && i < a->n_names && n_done < NAMES_MAX; i++) {
        if (seen(done, n_done, a->names[i]))
            continue;
        rc = screen_name(k, a->names[i], NULL);
        done[n_done++] = a->names[i];
    }
    /* Identifiers, each exactly. */
    n_done = 0;
#define IDENT(by, v)                                                                               \
    do {                                                                                           \
        if (rc == SHN_OK && (v) && n_done < IDENTS_MAX && !seen(done, n_done, (v))) {              \
            done[n_done++] = (v);                                                                  \
            rc = screen_ident(k, (by), (v));                                                       \
        }                                                                                          \
    } while (0)
    for (size_t i = 0; i < a->n_pays; i++)
        if (a->pays[i].address)
            IDENT(BY_WALLET, a->pays[i].address);
    for (size_t i = 0; i < a->n_payouts; i++)
        if (a->payouts[i].method.address)
            IDENT(BY_WALLET, a->payouts[i].method.address);
    for (size_t i = 0; i < a->n_docs; i++)
        IDENT(BY_ID_NUMBER, a->docs[i].number);
    for (size_t i = 0; i < a->n_emails; i++)
        IDENT(BY_EMAIL, a->emails[i]);
    for (size_t i = 0; i < a->n_phones; i++)
        IDENT(BY_PHONE, a->phones[i]);
#undef IDENT
    return rc;
}

static int cmp_found(const void *x, const void *y)
{
    const struct found *a = x, *b = y;
    return a->score < b->score ? 1 : a->score > b->score ? -1 : 0;
}

static json_t *hit_json(const struct shn_screen_index *idx, const struct found *f)
{
    json_t *why = json_array(), *o;
    for (int i = 0; why && i < f->hit.n_why && i < WHY_KEPT; i++)
        json_array_append_new(why, json_string(f->hit.why[i]));
    o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:f, s:b, s:o}", "entity",
                  shn_screen_entity_id(idx, f->entity), "list",
                  shn_screen_entity_source(idx, f->entity), "list_name",
                  shn_screen_entity_name(idx, f->entity), "by", by_name[f->by], "ours", f->ours,
                  "matched", f->hit.matched, "list_score", f->list_score, "exact",
                  f->hit.exact_identifier != 0, "why", why ? why : json_array());
    return o;
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    struct work k = {.c = c, .a = a};
    json_t *hits;
    const struct found *top;
    int rc;
    (void)state;

    if (!c->screen) {
        out->score = 0;
        return shn__signal_set_evidence(out, json_pack("{s:s}", "neutral", "no screen index"));
    }
    k.threshold = shn__param_num(c, SELF, P_NAME_THRESHOLD);
    shn_screen_result_init(&k.r);
    rc = screen_all(&k);
    shn_screen_result_cleanup(&k.r);
    if (rc != SHN_OK)
        return rc;
    if (!k.n_best) {
        out->score = 0;
        return shn__signal_set_evidence(out,
                                        json_pack("{s:I, s:f}", "queries", (json_int_t)k.queries,
                                                  "name_threshold", k.threshold));
    }
    qsort(k.best, k.n_best, sizeof k.best[0], cmp_found);
    top = &k.best[0];
    out->score = top->score;
    for (size_t i = 0; i < k.n_best; i++) {
        const struct found *f = &k.best[i];
        if (f->by == BY_WALLET || f->by == BY_ID_NUMBER)
            out->hard = SHN_ACCOUNTS_BLOCK;
        else if ((f->by != BY_NAME || f->dob_exact) && out->hard != SHN_ACCOUNTS_BLOCK)
            out->hard = SHN_ACCOUNTS_REVIEW;
    }
    if (!(hits = json_array()))
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < k.n_best; i++)
        if (json_array_append_new(hits, hit_json(c->screen, &k.best[i])) != 0) {
            json_decref(hits);
            return SHN_ERR_NOMEM;
        }
    {
        const char *entity = shn_screen_entity_id(c->screen, top->entity);
        const char *listed = shn_screen_entity_name(c->screen, top->entity);
        if (top->by == BY_NAME) {
            shn__signal_reason_en(out,
                                  "the name '%s' resembles watchlist entry %s '%s' "
                                  "(name score %.2f%s)",
                                  top->ours, entity, listed, top->list_score,
                                  top->dob_exact ? ", birth date agrees" : "");
            shn__signal_reason_ja(out, "氏名「%s」が制裁リストの%s「%s」に類似（名前スコア%.2f%s）",
                                  top->ours, entity, listed, top->list_score,
                                  top->dob_exact ? "、生年月日も一致" : "");
        } else {
            shn__signal_reason_en(out, "the %s %s is listed exactly on watchlist entry %s '%s'",
                                  by_name[top->by], top->ours, entity, listed);
            shn__signal_reason_ja(out, "%s「%s」が制裁リストの%s「%s」に完全一致",
                                  top->by == BY_WALLET      ? "ウォレット"
                                  : top->by == BY_ID_NUMBER ? "本人確認書類番号"
                                  : top->by == BY_EMAIL     ? "メールアドレス"
                                                            : "電話番号",
                                  top->ours, entity, listed);
        }
    }
    return shn__signal_set_evidence(
        out, json_pack("{s:I, s:f, s:I, s:o}", "queries", (json_int_t)k.queries, "name_threshold",
                       k.threshold, "hits_total", (json_int_t)k.hits, "hits", hits));
}

const struct shn__signal_def shn__signal_sanctions = {
    .name = "sanctions",
    .default_weight = 4.0,
    SHN__PARAMS(params),
    .eval = eval,
};
