/* shared_identifiers: one operator behind several accounts shows as the
 * same phone, email, login device, bank account or wallet on each of them
 * (the link engine's finding, docs/link.md) — and it matters more when
 * those other accounts are themselves flagged. Values are normalised by the
 * link engine's normaliser (090-1234-5678 = +81 90 1234 5678; Gmail dots and
 * +tags; wallet letter case; bank strings to letters and digits).
 *
 * ID-document numbers are left out on purpose: dup_id_image (weight 3)
 * already scores a number on two accounts, and counting it here too would
 * weigh one fact twice. Names and IPs are left out too: weak alone (the link
 * engine gives them 0.2 and 0.3), and session_anomaly covers shared IPs.
 *
 * prepare hashes every (kind, normalised value) of every account into one
 * array sorted by hash, then account (64-bit hashes: a collision among a
 * few million values is not a practical concern); eval normalises its own
 * values again, finds each run by binary search and reads the other
 * accounts of the run. A value held by more than `max_share` accounts is
 * boilerplate (a platform escrow wallet, a shared office phone, a default
 * device string) and is ignored, as the link engine does.
 *
 * A second-pass signal: ctx->first_pass holds every account's score
 * without it. Without a first pass (a signal run alone) it still reports
 * sharing, without the flagged-neighbour part. */
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/mask.h"
#include "shinsa/link.h"
#include "signals.h"

#define DEVICES_MAX 32 /* distinct login devices of one account */
#define PAYS_MAX 64    /* payout methods of one account (declared + used) */
#define VALUES_MAX 256 /* identifiers of one account in all */
#define LINKED_MAX 64  /* distinct other accounts tracked in eval */
#define EXAMPLES_MAX 5
#define VALUES_SCORED 8 /* shared values that add to the score */

enum { P_MAX_SHARE, P_FLAGGED, P_REVIEW_LINKED };
static const struct shn__param params[] = {
    /* the link engine's default too: one rule for "too common to link" */
    [P_MAX_SHARE] = SHN__INT("max_share", SHN_LINK_MAX_SHARE, 2, 1e6, "accounts",
                             "a value held by more accounts is boilerplate and ignored"),
    [P_FLAGGED] = SHN__NUM("flagged_score", 0.5, 0, 1, "",
                           "first-pass score from which a linked account is flagged"),
    [P_REVIEW_LINKED] = SHN__NUM("review_linked_score", 0.9, 0, 1, "",
                                 "first-pass score of a strong link that forces review"),
};
#define SELF (&shn__signal_shared_identifiers)

enum kind { K_WALLET, K_PHONE, K_BANK, K_EMAIL, K_DEVICE, K__COUNT };
static const char *const kind_name[] = {"wallet", "phone", "bank", "email", "device"};
static const enum shn_link_kind link_kind[] = {SHN_LINK_WALLET, SHN_LINK_PHONE, SHN_LINK_BANK,
                                               SHN_LINK_EMAIL, SHN_LINK_DEVICE};
/* The link engine's weights (docs/link.md): strong 1.0, medium 0.6. */
static const double kind_weight[] = {1.0, 1.0, 1.0, 0.6, 0.6};

struct ent {
    uint64_t hash;
    uint32_t account;
};

struct state {
    struct ent *ents;
    size_t n_ents;
    /* Per account: it shares a value (2..max_share holders) with another,
     * so eval may read its first-pass score: the first pass scores only
     * these (wants_first_pass). */
    bool *linked;
};

struct value {
    enum kind kind;
    const char *raw;
};

static const char *region_of(const struct shn__w_account *a)
{
    static const char *const known[] = {"JP", "KR", "CN", "US", "RU"};
    for (size_t i = 0; a->residence && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(a->residence, known[i]) == 0)
            return known[i];
    return NULL;
}

/* The raw identifiers of an account, at most VALUES_MAX; devices deduped
 * (an account logs in from its device thousands of times). */
static size_t gather(const struct shn__w_account *a, struct value *v)
{
    size_t n = 0, n_dev = 0;
    const char *dev[DEVICES_MAX];
    for (size_t i = 0; i < a->n_phones && n < VALUES_MAX; i++)
        v[n++] = (struct value){K_PHONE, a->phones[i]};
    for (size_t i = 0; i < a->n_emails && n < VALUES_MAX; i++)
        v[n++] = (struct value){K_EMAIL, a->emails[i]};
    for (size_t k = 0; k < a->n_pays + a->n_payouts && k < PAYS_MAX && n < VALUES_MAX; k++) {
        const struct shn__w_pay *p =
            k < a->n_pays ? &a->pays[k] : &a->payouts[k - a->n_pays].method;
        if (p->address)
            v[n++] = (struct value){K_WALLET, p->address};
        else if (p->account && p->type && strcmp(p->type, "paypal") == 0 && strchr(p->account, '@'))
            v[n++] = (struct value){K_EMAIL, p->account};
        else if (p->account)
            v[n++] = (struct value){K_BANK, p->account};
    }
    for (size_t i = 0; i < a->n_logins && n_dev < DEVICES_MAX && n < VALUES_MAX; i++) {
        const char *d = a->logins[i].device;
        bool dup = false;
        for (size_t j = 0; d && j < n_dev && !dup; j++)
            dup = strcmp(dev[j], d) == 0;
        if (!d || dup)
            continue;
        dev[n_dev++] = d;
        v[n++] = (struct value){K_DEVICE, d};
    }
    return n;
}

/* The hash of a value's normalised form; false when nothing is left. */
static bool hash_of(const struct shn__w_account *a, const struct value *v, uint64_t *h,
                    char norm[SHN_LINK_VALUE_MAX + 1])
{
    if (shn_link_normalize(link_kind[v->kind], v->raw, strlen(v->raw), region_of(a), norm,
                           SHN_LINK_VALUE_MAX + 1) != SHN_OK ||
        !norm[0])
        return false;
    *h = shn_hash64(norm, strlen(norm), 0x5e1d0000u + (uint64_t)v->kind);
    return true;
}

static int cmp_ent(const void *x, const void *y)
{
    const struct ent *a = x, *b = y;
    if (a->hash != b->hash)
        return a->hash < b->hash ? -1 : 1;
    return a->account < b->account ? -1 : a->account > b->account;
}

static void release(void *p)
{
    struct state *s = p;
    if (!s)
        return;
    shn_free(s->ents);
    shn_free(s->linked);
    shn_free(s);
}

static int prepare(const struct shn__score_ctx *c, void **out, struct shn_diag *diag)
{
    const struct shn__world *w = c->w;
    struct state *s = shn_calloc(1, sizeof *s);
    struct value *v = shn_calloc(VALUES_MAX, sizeof *v);
    size_t total = 0, k = 0;
    char norm[SHN_LINK_VALUE_MAX + 1];
    double max_share = shn__param_num(c, SELF, P_MAX_SHARE);
    (void)diag;
    if (!s || !v || w->n_accounts > UINT32_MAX) {
        shn_free(v);
        release(s);
        return s && v ? SHN_ERR_TOO_LARGE : SHN_ERR_NOMEM;
    }
    for (size_t i = 0; i < w->n_accounts; i++)
        total += gather(&w->accounts[i], v); /* at most VALUES_MAX each: no overflow */
    if (total && !(s->ents = shn_calloc(total, sizeof *s->ents))) {
        shn_free(v);
        release(s);
        return SHN_ERR_NOMEM;
    }
    for (size_t i = 0; i < w->n_accounts; i++) {
        size_t n = gather(&w->accounts[i], v);
        for (size_t j = 0; j < n && k < total; j++)
            if (hash_of(&w->accounts[i], &v[j], &s->ents[k].hash, norm))
                s->ents[k++].account = (uint32_t)i;
    }
    shn_free(v);
    if (k > 1)
        qsort(s->ents, k, sizeof *s->ents, cmp_ent);
    /* One entry per (value, account). */
    s->n_ents = 0;
    for (size_t i = 0; i < k; i++)
        if (!s->n_ents || cmp_ent(&s->ents[s->n_ents - 1], &s->ents[i]) != 0)
            s->ents[s->n_ents++] = s->ents[i];
    if (!(s->linked = shn_calloc(w->n_accounts ? w->n_accounts : 1, sizeof *s->linked))) {
        release(s);
        return SHN_ERR_NOMEM;
    }
    for (size_t lo = 0, end; lo < s->n_ents; lo = end) {
        for (end = lo + 1; end < s->n_ents && s->ents[end].hash == s->ents[lo].hash; end++)
            ;
        if (end - lo >= 2 && (double)(end - lo) <= max_share)
            for (size_t e = lo; e < end; e++)
                s->linked[s->ents[e].account] = true;
    }
    *out = s;
    return SHN_OK;
}

static bool wants_first_pass(const void *state, size_t account_index)
{
    const struct state *s = state;
    return !s || !s->linked || s->linked[account_index];
}

struct linked {
    uint32_t account;
    double weight; /* strongest kind that links it */
    double first;  /* its first-pass score; -1 when unknown */
};

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    const struct state *s = state;
    const struct shn__world *w = c->w;
    struct value v[VALUES_MAX];
    struct linked linked[LINKED_MAX];
    size_t n = gather(a, v), n_linked = 0, shared = 0, ignored = 0;
    size_t me = shn__world_index(w, a), per_kind[K__COUNT] = {0}; /* shared values per kind */
    double max_share = shn__param_num(c, SELF, P_MAX_SHARE);
    double flagged_at = shn__param_num(c, SELF, P_FLAGGED);
    double review_at = shn__param_num(c, SELF, P_REVIEW_LINKED);
    double keep = 1, boost = 0;
    uint64_t done[VALUES_MAX];
    size_t n_done = 0;
    const struct linked *worst = NULL;
    json_t *values = json_array();

    if (!values)
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        uint64_t h;
        size_t lo = 0, hi = s->n_ents, end, count;
        bool dup = false;
        json_t *accts;
        char masked[SHN_MASK_MAX], norm[SHN_LINK_VALUE_MAX + 1];
        if (!hash_of(a, &v[i], &h, norm))
            continue;
        for (size_t j = 0; j < n_done && !dup; j++)
            dup = done[j] == h;
        if (dup)
            continue;
        done[n_done++] = h;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (s->ents[mid].hash < h)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (end = lo; end < s->n_ents && s->ents[end].hash == h; end++)
            ;
        count = end - lo; /* accounts holding it, this one included */
        if (count < 2)
            continue;
        if ((double)count > max_share) {
            ignored++;
            continue;
        }
        shared++;
        per_kind[v[i].kind]++;
        if (shared <= VALUES_SCORED)
            keep *= 1 - 0.5 * kind_weight[v[i].kind];
        if (!(accts = json_array())) {
            json_decref(values);
            return SHN_ERR_NOMEM;
        }
        for (size_t e = lo; e < end; e++) {
            uint32_t other = s->ents[e].account;
            double fp = c->first_pass ? c->first_pass[other] : -1;
            size_t slot = n_linked;
            if (other == me)
                continue;
            if (json_array_size(accts) < EXAMPLES_MAX)
                json_array_append_new(accts,
                                      fp < 0 ? json_pack("{s:s}", "account", w->accounts[other].id)
                                             : json_pack("{s:s, s:f}", "account",
                                                         w->accounts[other].id, "first_pass", fp));
            for (size_t j = 0; j < n_linked; j++)
                if (linked[j].account == other)
                    slot = j;
            if (slot == n_linked && n_linked < LINKED_MAX)
                linked[n_linked++] = (struct linked){other, 0, fp};
            if (slot < n_linked && linked[slot].weight < kind_weight[v[i].kind])
                linked[slot].weight = kind_weight[v[i].kind];
        }
        /* shown as the link engine shows it: normalised, then masked */
        shn_link_mask(link_kind[v[i].kind], norm, false, masked, sizeof masked);
        if (json_array_size(values) < EXAMPLES_MAX)
            json_array_append_new(
                values, json_pack("{s:s, s:s, s:I, s:o}", "kind", kind_name[v[i].kind], "value",
                                  masked, "shared_by", (json_int_t)count, "accounts", accts));
        else
            json_decref(accts);
    }
    out->score = 0;
    if (shared) {
        double base = 1 - keep;
        for (size_t j = 0; j < n_linked; j++) {
            double b = linked[j].first >= flagged_at ? linked[j].weight * linked[j].first : 0;
            if (b > boost) {
                boost = b;
                worst = &linked[j];
            }
            if (linked[j].weight >= 1.0 && linked[j].first >= review_at)
                out->hard = SHN_ACCOUNTS_REVIEW;
        }
        out->score = base + (1 - base) * 0.8 * boost;
        if (worst) {
            shn__signal_reason_en(out,
                                  "shares %zu identifier(s) with %zu other account(s), "
                                  "including %s, itself flagged (score %.2f)",
                                  shared, n_linked, w->accounts[worst->account].id, worst->first);
            shn__signal_reason_ja(out,
                                  "他の%zu件のアカウントと識別子%zu件を共有し、うち%sは"
                                  "それ自体が要注意（スコア%.2f）",
                                  n_linked, shared, w->accounts[worst->account].id, worst->first);
        } else {
            shn__signal_reason_en(
                out, "shares %zu identifier(s) (%s…) with %zu other account(s)", shared,
                json_string_value(json_object_get(json_array_get(values, 0), "kind")), n_linked);
            shn__signal_reason_ja(
                out, "識別子%zu件（%s…）を他の%zu件のアカウントと共有", shared,
                json_string_value(json_object_get(json_array_get(values, 0), "kind")), n_linked);
        }
    }
    return shn__signal_set_evidence(
        out,
        json_pack("{s:I, s:{s:I, s:I, s:I, s:I, s:I}, s:I, s:I, s:b, s:o?, s:o}", "shared_values",
                  (json_int_t)shared, "by_kind", "wallet", (json_int_t)per_kind[K_WALLET], "phone",
                  (json_int_t)per_kind[K_PHONE], "bank", (json_int_t)per_kind[K_BANK], "email",
                  (json_int_t)per_kind[K_EMAIL], "device", (json_int_t)per_kind[K_DEVICE],
                  "linked_accounts", (json_int_t)n_linked, "ignored_common", (json_int_t)ignored,
                  "first_pass_known", c->first_pass != NULL, "flagged_boost",
                  worst ? json_real(boost) : NULL, "values", values));
}

const struct shn__signal_def shn__signal_shared_identifiers = {
    .name = "shared_identifiers",
    .default_weight = 2.0,
    SHN__PARAMS(params),
    .prepare = prepare,
    .eval = eval,
    .release = release,
    .second_pass = true,
    .wants_first_pass = wants_first_pass,
};
