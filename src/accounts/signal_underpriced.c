/* underpriced: a bid far below the market of its category. The market is
 * every stored bid of the category, converted into the base currency of
 * the rate table (a currency missing from the table is its own market).
 * Robust statistics only — median and lower quartile — because a market
 * holds the very outliers we look for, and a mean would follow them. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "accounts/accounts_internal.h"
#include "core/alloc.h"

#define DEFAULT_RATIO 0.40
#define DEFAULT_MIN_BIDS 20
#define ACCOUNT_BIDS_MAX 10000

struct bid {
    char id[SHN_ACCOUNTS_ID_MAX + 1];
    char category[SHN_ACCOUNTS_CATEGORY_MAX + 1];
    char currency[4];
    double amount;
};

struct growing {
    void *items;
    size_t n, cap, item_size, max;
};

static int grow(struct growing *g)
{
    size_t cap, bytes;
    void *p;
    if (g->n < g->cap)
        return SHN_OK;
    if (g->n >= g->max)
        return SHN_ERR_TOO_LARGE;
    cap = g->cap ? g->cap * 2 : 64;
    if (cap > g->max)
        cap = g->max;
    if (!shn_size_mul(cap, g->item_size, &bytes))
        return SHN_ERR_TOO_LARGE;
    p = shn_realloc(g->items, bytes);
    if (!p)
        return SHN_ERR_NOMEM;
    g->items = p;
    g->cap = cap;
    return SHN_OK;
}

/* The factor into the base currency, or 0 when the table has none. */
static double rate_of(const struct shn_accounts_underpriced_opts *o, const char *currency)
{
    for (size_t i = 0; i < o->n_rates; i++)
        if (strcmp(o->rates[i].currency, currency) == 0)
            return o->rates[i].to_base;
    return 0;
}

static int take_bid(void *ctx, const char *id, const char *category, double amount,
                    const char *currency)
{
    struct growing *g = ctx;
    struct bid *b;
    int rc = grow(g);
    if (rc != SHN_OK)
        return rc;
    b = (struct bid *)g->items + g->n++;
    snprintf(b->id, sizeof b->id, "%s", id ? id : "");
    snprintf(b->category, sizeof b->category, "%s", category ? category : "");
    snprintf(b->currency, sizeof b->currency, "%s", currency ? currency : "");
    b->amount = amount;
    return SHN_OK;
}

struct market_ctx {
    struct growing amounts;
    const struct shn_accounts_underpriced_opts *o;
    const char *currency; /* NULL: every convertible currency */
};

static int take_amount(void *ctx, double amount, const char *currency)
{
    struct market_ctx *m = ctx;
    double rate = 1;
    int rc;
    if (!currency)
        return SHN_OK;
    if (m->currency) {
        if (strcmp(currency, m->currency) != 0)
            return SHN_OK;
    } else {
        rate = rate_of(m->o, currency);
        if (rate <= 0)
            return SHN_OK;
    }
    rc = grow(&m->amounts);
    if (rc == SHN_OK)
        ((double *)m->amounts.items)[m->amounts.n++] = amount * rate;
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile q of sorted v[0..n) by linear interpolation (n > 0). */
static double quantile(const double *v, size_t n, double q)
{
    double pos = q * (double)(n - 1);
    size_t i = (size_t)pos;
    double f = pos - (double)i;
    return i + 1 < n ? v[i] + f * (v[i + 1] - v[i]) : v[n - 1];
}

struct finding {
    const struct bid *bid;
    double amount_base, median, p25, ratio;
    size_t market_bids;
    const char *market_currency;
};

int shn_accounts_signal_underpriced(struct shn_accounts_db *db, const char *account,
                                    const struct shn_accounts_underpriced_opts *opts,
                                    struct shn_accounts_signal *out, struct shn_diag *diag)
{
    struct shn_accounts_underpriced_opts o = {0};
    struct growing bids = {NULL, 0, 0, sizeof(struct bid), ACCOUNT_BIDS_MAX};
    struct market_ctx m;
    struct shn_accounts_signal sig;
    struct finding worst = {0};
    size_t under = 0, thin = 0, priced = 0;
    json_t *ev = NULL;
    int rc;

    memset(&m, 0, sizeof m);
    if (!db || !account || !out) {
        rc = SHN_ERR_INVALID;
        goto out;
    }
    if (opts)
        o = *opts;
    if (!(o.ratio > 0 && o.ratio < 1))
        o.ratio = DEFAULT_RATIO;
    if (o.min_bids == 0)
        o.min_bids = DEFAULT_MIN_BIDS;
    m.o = &o;
    m.amounts.item_size = sizeof(double);
    m.amounts.max = SHN_ACCOUNTS_MARKET_MAX;
    rc = db->store->ops->account_bids(db->store, account, take_bid, &bids, diag);
    if (rc != SHN_OK)
        goto out;
    /* Bids come sorted by category and currency, so one market is loaded
     * once per run of bids that share it. */
    for (size_t i = 0; i < bids.n; i++) {
        const struct bid *b = (const struct bid *)bids.items + i;
        const struct bid *prev = i ? b - 1 : NULL;
        double rate = rate_of(&o, b->currency), median, amount;
        bool same =
            prev && strcmp(prev->category, b->category) == 0 &&
            (rate > 0 ? rate_of(&o, prev->currency) > 0 : strcmp(prev->currency, b->currency) == 0);
        if (!same) {
            m.amounts.n = 0;
            m.currency = rate > 0 ? NULL : b->currency;
            rc = db->store->ops->category_bids(db->store, b->category, take_amount, &m, diag);
            if (rc == SHN_ERR_TOO_LARGE)
                shn_diag_set(diag, rc, NULL, 0, "category", "more than %zu bids in '%s'",
                             SHN_ACCOUNTS_MARKET_MAX, b->category);
            if (rc != SHN_OK)
                goto out;
            if (m.amounts.n > 1)
                qsort(m.amounts.items, m.amounts.n, sizeof(double), cmp_double);
        }
        if (m.amounts.n < o.min_bids) {
            thin++;
            continue;
        }
        priced++;
        median = quantile(m.amounts.items, m.amounts.n, 0.5);
        amount = b->amount * (rate > 0 ? rate : 1);
        if (median <= 0)
            continue;
        if (amount / median < o.ratio)
            under++;
        if (!worst.bid || amount / median < worst.ratio) {
            worst.bid = b;
            worst.amount_base = amount;
            worst.median = median;
            worst.p25 = quantile(m.amounts.items, m.amounts.n, 0.25);
            worst.ratio = amount / median;
            worst.market_bids = m.amounts.n;
            worst.market_currency = rate > 0 ? "base" : b->currency;
        }
    }

    memset(&sig, 0, sizeof sig);
    snprintf(sig.signal, sizeof sig.signal, "underpriced");
    sig.weight = SHN_ACCOUNTS_WEIGHT_UNDERPRICED;
    /* Just under the threshold scores 0.5, a bid of nothing 1.0. */
    if (under)
        sig.score = 0.5 + 0.5 * (o.ratio - worst.ratio) / o.ratio;
    if (worst.bid)
        ev = json_pack("{s:I, s:I, s:I, s:I, s:f, s:{s:s, s:s, s:f, s:s, s:f, s:f}, "
                       "s:{s:I, s:s, s:f, s:f}}",
                       "bids", (json_int_t)bids.n, "priced_bids", (json_int_t)priced,
                       "thin_market_bids", (json_int_t)thin, "underpriced_bids", (json_int_t)under,
                       "threshold", o.ratio, "lowest", "bid", worst.bid->id, "category",
                       worst.bid->category, "amount", worst.bid->amount, "currency",
                       worst.bid->currency, "amount_base", worst.amount_base, "ratio_to_median",
                       worst.ratio, "market", "bids", (json_int_t)worst.market_bids, "currency",
                       worst.market_currency, "median", worst.median, "p25", worst.p25);
    else
        ev = json_pack("{s:I, s:I, s:I, s:f, s:I}", "bids", (json_int_t)bids.n, "priced_bids",
                       (json_int_t)priced, "thin_market_bids", (json_int_t)thin, "threshold",
                       o.ratio, "min_market_bids", (json_int_t)o.min_bids);
    if (!ev) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    {
        size_t need = json_dumpb(ev, sig.evidence, sizeof sig.evidence - 1,
                                 JSON_COMPACT | JSON_REAL_PRECISION(6));
        if (need == 0 || need >= sizeof sig.evidence) {
            rc = SHN_ERR_TOO_LARGE;
            goto out;
        }
        sig.evidence[need] = '\0';
    }
    *out = sig;
out:
    json_decref(ev);
    shn_free(bids.items);
    shn_free(m.amounts.items);
    return rc;
}
