/* crypto_payment: the account is paid, or asks to be paid, in crypto-assets
 * — one of the four signs Japan's National Police Agency gave platforms.
 *
 * Two sources. Payout methods: a crypto method declared in an account
 * event, or used by a payout event (stronger: money actually went there).
 * Texts: the profile(s) and the most recent messages, scanned with a
 * weighted lexicon in Japanese, English, Korean and Chinese
 * (data/accounts/crypto-lexicon.txt) and for wallet-address patterns (EVM,
 * TRON, Bitcoin base58 and bech32), after width folding. A text scores the
 * noisy-or of its distinct terms; the account the noisy-or of its three
 * best texts and of the payout part. Bare words (ウォレット, crypto) weigh
 * little, asks (USDTでお支払い, pay me in USDT) a lot, and words in a
 * profile count half (a blockchain developer lists them as skills).
 *
 * prepare loads the lexicon once; eval only reads it. */
#include <string.h>

#include "signals.h"
#include "textscan.h"

#define NAME "crypto_payment"
#define METHODS_MAX 5

struct state {
    struct shn__lexicon_state base; /* first: the shared part */
    double declared, used;
};

enum { P_LEXICON, P_DECLARED, P_USED, P_ADDRESS, P_PROFILE, P_MAX_MESSAGES };
static const struct shn__param params[] = {
    [P_LEXICON] = SHN__PATH("lexicon", "crypto-lexicon.txt", "the weighted term list"),
    [P_DECLARED] =
        SHN__NUM("declared_score", 0.6, 0, 1, "", "payout part when a crypto method is declared"),
    [P_USED] =
        SHN__NUM("used_score", 0.85, 0, 1, "", "payout part when a payout went to a crypto method"),
    [P_ADDRESS] = SHN__NUM("address_weight", 0.6, 0, 1, "", "weight of a wallet address in a text"),
    [P_PROFILE] = SHN__NUM("profile_factor", 0.5, 0, 1, "",
                           "multiplies the weights of terms found in a profile"),
    [P_MAX_MESSAGES] = SHN__INT("max_messages", 500, 0, SHN__W_PER_LIST_MAX, "messages",
                                "most recent messages scanned"),
};
#define SELF (&shn__signal_crypto_payment)
static const char *const kinds[] = {"word", "ask", NULL};

static int prepare(const struct shn__score_ctx *c, void **out, struct shn_diag *diag)
{
    struct state *s = shn__lexicon_state_new(c, SELF, P_LEXICON, sizeof(struct state));
    (void)diag;
    if (!s)
        return SHN_ERR_NOMEM;
    s->declared = shn__param_num(c, SELF, P_DECLARED);
    s->used = shn__param_num(c, SELF, P_USED);
    s->base.opts = (struct shn__scan_opts){
        .lx = s->base.lx,
        .addresses = true,
        .address_weight = shn__param_num(c, SELF, P_ADDRESS),
        .profile_factor = shn__param_num(c, SELF, P_PROFILE),
        .max_messages = shn__param_size(c, SELF, P_MAX_MESSAGES),
    };
    *out = s;
    return SHN_OK;
}

/* Adds a crypto method to the evidence unless already listed. */
static int note_method(json_t *methods, size_t *n, const char *source, const struct shn__w_pay *p)
{
    char masked[SHN_MASK_MAX];
    size_t i;
    json_t *v;
    const char *addr = p->address ? p->address : "";
    shn__scan_mask(SHN__HIT_EVM, addr, strlen(addr), masked, sizeof masked);
    json_array_foreach(methods, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, "address")), masked) == 0 &&
            strcmp(json_string_value(json_object_get(v, "source")), source) == 0)
            return SHN_OK;
    }
    ++*n;
    if (json_array_size(methods) >= METHODS_MAX)
        return SHN_OK;
    v = json_pack("{s:s, s:s, s:s}", "source", source, "chain", p->chain ? p->chain : "?",
                  "address", masked);
    return v && json_array_append_new(methods, v) == 0 ? SHN_OK : SHN_ERR_NOMEM;
}

static bool is_crypto(const struct shn__w_pay *p)
{
    return p->type && strcmp(p->type, "crypto") == 0;
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    const struct state *s = state;
    struct shn__scan_result r = {0};
    json_t *methods = json_array(), *ev;
    size_t n_declared = 0, n_used = 0, n_methods = 0;
    double pay = 0;
    int rc = SHN_OK;
    (void)c;

    if (!methods)
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < a->n_pays && rc == SHN_OK; i++)
        if (is_crypto(&a->pays[i])) {
            n_declared++;
            rc = note_method(methods, &n_methods, "declared", &a->pays[i]);
        }
    for (size_t i = 0; i < a->n_payouts && rc == SHN_OK; i++)
        if (is_crypto(&a->payouts[i].method)) {
            n_used++;
            rc = note_method(methods, &n_methods, "payout", &a->payouts[i].method);
        }
    if (rc == SHN_OK && s->base.lx)
        rc = shn__scan_account(&s->base.opts, a, kinds, &r);
    if (rc != SHN_OK) {
        json_decref(methods);
        return rc;
    }
    pay = n_used ? s->used : n_declared ? s->declared : 0;
    out->score = 1 - (1 - pay) * (1 - r.score);
    ev = json_pack("{s:f, s:f, s:I, s:I, s:o, s:I, s:I, s:o*, s:o*, s:o*, s:I}", "payout_score",
                   pay, "text_score", r.score, "declared_crypto_methods", (json_int_t)n_declared,
                   "crypto_payouts", (json_int_t)n_used, "methods", methods, "texts_scanned",
                   (json_int_t)r.texts, "texts_matched", (json_int_t)r.hit_texts, "terms", r.terms,
                   "examples", r.examples, "addresses", r.found, "addresses_found",
                   (json_int_t)r.n_found);
    r.terms = r.examples = r.found = NULL; /* stolen by json_pack */
    if (ev && !s->base.lx)
        json_object_set_new(ev, "lexicon", json_sprintf("unavailable: %s", s->base.why));
    if (out->score > 0) {
        if (pay > 0 && r.score > 0)
            shn__signal_reason_en(out,
                                  "paid in crypto (%zu crypto payout(s), %zu declared "
                                  "method(s)) and %zu text(s) mention or ask for crypto, "
                                  "e.g. \"%s\"",
                                  n_used, n_declared, r.hit_texts, r.best_excerpt);
        else if (pay > 0)
            shn__signal_reason_en(out,
                                  "a crypto payout method: %zu crypto payout(s), %zu "
                                  "declared crypto method(s)",
                                  n_used, n_declared);
        else
            shn__signal_reason_en(out,
                                  "%zu text(s) mention or ask for payment in crypto, "
                                  "e.g. \"%s\"",
                                  r.hit_texts, r.best_excerpt);
        if (pay > 0 && r.score > 0)
            shn__signal_reason_ja(out,
                                  "暗号資産での受け取り（暗号資産での支払い%zu件、登録された"
                                  "暗号資産の受取方法%zu件）があり、%zu件の文面が暗号資産に"
                                  "触れるか要求している（例:「%s」）",
                                  n_used, n_declared, r.hit_texts, r.best_excerpt);
        else if (pay > 0)
            shn__signal_reason_ja(out,
                                  "暗号資産の受取方法（暗号資産での支払い%zu件、登録された"
                                  "受取方法%zu件）",
                                  n_used, n_declared);
        else
            shn__signal_reason_ja(out,
                                  "%zu件の文面が暗号資産での支払いに触れるか要求している"
                                  "（例:「%s」）",
                                  r.hit_texts, r.best_excerpt);
    }
    shn__scan_result_cleanup(&r);
    return shn__signal_set_evidence(out, ev);
}

const struct shn__signal_def shn__signal_crypto_payment = {
    .name = NAME,
    .default_weight = 1.5,
    SHN__PARAMS(params),
    .prepare = prepare,
    .eval = eval,
    .release = shn__lexicon_state_free,
};
