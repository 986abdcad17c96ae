/* underpriced: a bid far below the market of its category — one of the four
 * signs the Japanese authorities named (operators undercut to win work).
 *
 * The market of a category is every bid seen in it, converted into the
 * base currency with the config's rate table; bids in a currency the table
 * lacks form their own market with bids of the same currency. Median and
 * quartile, not mean and deviation, because the market holds the very
 * outliers we look for. prepare builds every market once (sorted amounts);
 * eval looks each of the account's bids up by binary search. */
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "signals.h"

#define KEY_MAX (SHN_EVENTS_CATEGORY_MAX + 8)

struct priced_bid {
    char key[KEY_MAX]; /* category, '\x1f', currency or "*" for the converted market */
    double amount;     /* in the market's currency */
};

struct market {
    const char *key; /* into bids[first].key */
    size_t first, n;
    double median, p25;
};

struct state {
    struct priced_bid *bids;
    size_t n_bids;
    struct market *markets;
    size_t n_markets;
    double ratio;
    size_t min_bids;
    json_t *rates; /* borrowed from the config */
};

enum { P_RATIO, P_MIN_BIDS };
static const struct shn__param params[] = {
    [P_RATIO] =
        SHN__NUM("ratio", 0.40, 0, 1, "", "a bid under ratio × its category's median fires"),
    [P_MIN_BIDS] =
        SHN__INT("min_bids", 20, 2, 1e6, "bids", "bids a market needs before it is compared with"),
};
#define SELF (&shn__signal_underpriced)

static double rate_of(json_t *rates, const char *currency)
{
    json_t *v = currency ? json_object_get(rates, currency) : NULL;
    return json_is_number(v) ? json_number_value(v) : 0;
}

/* The market key and converted amount of a bid; false when unusable. */
static bool price(json_t *rates, const struct shn__w_bid *b, struct priced_bid *out)
{
    double rate = rate_of(rates, b->currency);
    if (!b->category || !b->currency || !(b->amount > 0))
        return false;
    snprintf(out->key, sizeof out->key, "%s\x1f%s", b->category, rate > 0 ? "*" : b->currency);
    out->amount = b->amount * (rate > 0 ? rate : 1);
    return true;
}

static int cmp_bid(const void *x, const void *y)
{
    const struct priced_bid *a = x, *b = y;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->amount > b->amount) - (a->amount < b->amount);
}

/* Quantile q of sorted v by linear interpolation (n > 0). */
static double quantile(const struct priced_bid *v, size_t n, double q)
{
    double pos = q * (double)(n - 1), f;
    size_t i = (size_t)pos;
    f = pos - (double)i;
    return i + 1 < n ? v[i].amount + f * (v[i + 1].amount - v[i].amount) : v[n - 1].amount;
}

static void release(void *p)
{
    struct state *s = p;
    if (!s)
        return;
    shn_free(s->bids);
    shn_free(s->markets);
    shn_free(s);
}

static int prepare(const struct shn__score_ctx *c, void **out, struct shn_diag *diag)
{
    struct state *s = shn_calloc(1, sizeof *s);
    size_t total = 0;
    (void)diag;
    if (!s)
        return SHN_ERR_NOMEM;
    s->ratio = shn__param_num(c, SELF, P_RATIO);
    s->min_bids = shn__param_size(c, SELF, P_MIN_BIDS);
    s->rates = json_object_get(json_object_get(c->config, "rates"), "to_base");
    for (size_t i = 0; i < c->w->n_accounts; i++)
        total += c->w->accounts[i].n_bids;
    if (total && !(s->bids = shn_calloc(total, sizeof *s->bids)))
        goto nomem;
    for (size_t i = 0; i < c->w->n_accounts; i++) {
        const struct shn__w_account *a = &c->w->accounts[i];
        for (size_t j = 0; j < a->n_bids; j++)
            s->n_bids += price(s->rates, &a->bids[j], &s->bids[s->n_bids]);
    }
    if (s->n_bids > 1)
        qsort(s->bids, s->n_bids, sizeof *s->bids, cmp_bid);
    if (s->n_bids && !(s->markets = shn_calloc(s->n_bids, sizeof *s->markets)))
        goto nomem;
    for (size_t i = 0; i < s->n_bids;) {
        struct market *m = &s->markets[s->n_markets++];
        size_t j = i;
        while (j < s->n_bids && strcmp(s->bids[j].key, s->bids[i].key) == 0)
            j++;
        m->key = s->bids[i].key;
        m->first = i;
        m->n = j - i;
        m->median = quantile(&s->bids[i], m->n, 0.5);
        m->p25 = quantile(&s->bids[i], m->n, 0.25);
        i = j;
    }
    *out = s;
    return SHN_OK;
nomem:
    release(s);
    return SHN_ERR_NOMEM;
}

static const struct market *find(const struct state *s, const char *key)
{
    size_t lo = 0, hi = s->n_markets;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->markets[mid].key, key);
        if (c == 0)
            return &s->markets[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    const struct state *s = state;
    const struct shn__w_bid *worst = NULL;
    const struct market *wm = NULL;
    double worst_ratio = 0, worst_base = 0;
    size_t under = 0, thin = 0, priced = 0;
    json_t *ev;
    (void)c;

    for (size_t i = 0; i < a->n_bids; i++) {
        struct priced_bid p;
        const struct market *m;
        double r;
        if (!price(s->rates, &a->bids[i], &p) || !(m = find(s, p.key)))
            continue;
        if (m->n < s->min_bids) {
            thin++;
            continue;
        }
        priced++;
        if (!(m->median > 0))
            continue;
        r = p.amount / m->median;
        under += r < s->ratio;
        if (!worst || r < worst_ratio) {
            worst = &a->bids[i];
            wm = m;
            worst_ratio = r;
            worst_base = p.amount;
        }
    }
    /* Just under the threshold scores 0.5, a bid of nothing 1.0. */
    out->score = under ? 0.5 + 0.5 * (s->ratio - worst_ratio) / s->ratio : 0;
    if (worst) {
        const char *cur = strchr(wm->key, '\x1f') + 1;
        ev = json_pack("{s:I, s:I, s:I, s:I, s:f, s:{s:s, s:s, s:f, s:s, s:f, s:f}, "
                       "s:{s:I, s:s, s:f, s:f}}",
                       "bids", (json_int_t)a->n_bids, "priced_bids", (json_int_t)priced,
                       "thin_market_bids", (json_int_t)thin, "underpriced_bids", (json_int_t)under,
                       "threshold", s->ratio, "lowest", "bid", worst->id, "category",
                       worst->category, "amount", worst->amount, "currency", worst->currency,
                       "amount_base", worst_base, "ratio_to_median", worst_ratio, "market", "bids",
                       (json_int_t)wm->n, "currency", strcmp(cur, "*") == 0 ? "base" : cur,
                       "median", wm->median, "p25", wm->p25);
        if (under) {
            shn__signal_reason_en(out,
                                  "%zu bid(s) under %.0f%% of the market; the lowest, %.0f %s in "
                                  "'%s', is %.0f%% of the category median (%zu bids)",
                                  under, s->ratio * 100, worst->amount, worst->currency,
                                  worst->category, worst_ratio * 100, wm->n);
            shn__signal_reason_ja(out,
                                  "相場の%.0f%%未満の入札が%zu件。最低額は「%s」の%.0f %sで、"
                                  "カテゴリ中央値の%.0f%%（入札%zu件）",
                                  s->ratio * 100, under, worst->category, worst->amount,
                                  worst->currency, worst_ratio * 100, wm->n);
        }
    } else {
        ev = json_pack("{s:I, s:I, s:I, s:f, s:I}", "bids", (json_int_t)a->n_bids, "priced_bids",
                       (json_int_t)priced, "thin_market_bids", (json_int_t)thin, "threshold",
                       s->ratio, "min_market_bids", (json_int_t)s->min_bids);
    }
    return shn__signal_set_evidence(out, ev);
}

const struct shn__signal_def shn__signal_underpriced = {
    .name = "underpriced",
    .default_weight = 1.0,
    SHN__PARAMS(params),
    .prepare = prepare,
    .eval = eval,
    .release = release,
};
