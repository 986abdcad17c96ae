/* wallet_exposure: a payout wallet that received the proceeds of a DPRK
 * hack. With a transfer graph configured (engines.trace_graph; docs/trace.md),
 * prepare runs ONE haircut taint propagation from every address the graph
 * labels `hacker` (and `sanctioned`, unless `include_sanctioned` is 0);
 * eval then reads, for each crypto payout wallet of the account (declared
 * or used), the share of what it received that is tainted, per asset.
 *
 * Haircut: every address passes on taint in proportion to its tainted share
 * of its balance, so the fraction read here is "how much of what reached
 * this wallet is stolen money", however far down the chain. Exchanges and
 * bridges stop the propagation (the trace engine's default stops): a wallet
 * paid by an exchange is not tainted by the exchange's other customers.
 *
 * Score: 0 without taint; any taint at or above `dust` (base units) 0.5,
 * growing linearly to 0.9 at `review_fraction` of the received amount
 * tainted and to 1.0 at all of it. Hard levels: review at
 * `review_fraction` (default 10%), block at `block_fraction` (default 50%:
 * most of what the wallet received is stolen) or when the wallet is itself
 * a labelled source. Without a graph the signal is neutral. */
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/trace.h"
#include "signals.h"

#define WALLETS_MAX 16 /* payout wallets of one account examined */
#define EXAMPLES_MAX 5

enum { P_SANCTIONED, P_DUST, P_REVIEW, P_BLOCK };
static const struct shn__param params[] = {
    [P_SANCTIONED] = SHN__BOOL("include_sanctioned", true,
                               "sanctioned addresses are taint sources besides hackers'"),
    [P_DUST] = SHN__NUM("dust", 0, 0, 1e18, "base units",
                        "smaller tainted amounts are not followed (one number for every asset)"),
    [P_REVIEW] = SHN__NUM("review_fraction", 0.1, 0, 1, "",
                          "tainted share of what a wallet received that forces review"),
    [P_BLOCK] = SHN__NUM("block_fraction", 0.5, 0, 1, "", "tainted share that forces block"),
};
#define SELF (&shn__signal_wallet_exposure)

struct by_address {
    uint32_t address;
    uint32_t entry; /* index in res.entries */
};

struct state {
    struct shn_trace_result res;
    struct by_address *index; /* entries sorted by address */
    size_t n_sources;
    bool sources_truncated;
};

static int cmp_addr(const void *x, const void *y)
{
    const struct by_address *a = x, *b = y;
    if (a->address != b->address)
        return a->address < b->address ? -1 : 1;
    return a->entry < b->entry ? -1 : a->entry > b->entry;
}

static void release(void *p)
{
    struct state *s = p;
    if (!s)
        return;
    shn_trace_result_cleanup(&s->res);
    shn_free(s->index);
    shn_free(s);
}

static int prepare(const struct shn__score_ctx *c, void **out, struct shn_diag *diag)
{
    const struct shn_trace_graph *g = c->graph;
    struct shn_trace_opts o = {.method = SHN_TRACE_HAIRCUT, .stop_kinds = SHN_TRACE_DEFAULT_STOPS};
    bool sanctioned = shn__param_bool(c, SELF, P_SANCTIONED);
    double dust = shn__param_num(c, SELF, P_DUST);
    uint32_t *sources = NULL, n_addr;
    struct state *s;
    int rc = SHN_OK;

    if (!g)
        return SHN_OK; /* neutral: eval says why */
    if (!(s = shn_calloc(1, sizeof *s)) ||
        !(sources = shn_calloc(SHN_TRACE_MAX_SOURCES, sizeof *sources))) {
        shn_free(s);
        return SHN_ERR_NOMEM;
    }
    n_addr = shn_trace_graph_addresses(g);
    for (uint32_t id = 0; id < n_addr; id++) {
        const char *name;
        int kind = shn_trace_graph_label(g, id, &name);
        if (kind != SHN_TRACE_KIND_HACKER && !(sanctioned && kind == SHN_TRACE_KIND_SANCTIONED))
            continue;
        if (s->n_sources == SHN_TRACE_MAX_SOURCES) {
            s->sources_truncated = true;
            break;
        }
        sources[s->n_sources++] = id;
    }
    if (s->n_sources) {
        o.sources = sources;
        o.n_sources = s->n_sources;
        o.dust = (shn_u128)dust; /* 0..1e18 (the table) */
        rc = shn_trace_run(g, &o, &s->res, diag);
    }
    if (rc == SHN_OK && s->res.n_entries) {
        if (s->res.n_entries > UINT32_MAX)
            rc = SHN_ERR_TOO_LARGE;
        else if (!(s->index = shn_calloc(s->res.n_entries, sizeof *s->index)))
            rc = SHN_ERR_NOMEM;
        for (size_t i = 0; rc == SHN_OK && i < s->res.n_entries; i++)
            s->index[i] = (struct by_address){s->res.entries[i].address, (uint32_t)i};
        if (rc == SHN_OK)
            qsort(s->index, s->res.n_entries, sizeof *s->index, cmp_addr);
    }
    shn_free(sources);
    if (rc != SHN_OK) {
        release(s);
        return rc;
    }
    *out = s;
    return SHN_OK;
}

static double to_double(shn_u128 v)
{
    return (double)v;
}

struct worst {
    double fraction;
    const char *wallet;
    bool source;
};

/* Adds the tainted entries of one wallet to the evidence; updates *w. */
static int wallet(const struct shn__score_ctx *c, const struct state *s, const char *address,
                  json_t *list, size_t *tainted_wallets, struct worst *w)
{
    uint32_t id;
    size_t lo = 0, hi = s->res.n_entries;
    bool counted = false;
    if (shn_trace_graph_find(c->graph, address, &id) != SHN_OK)
        return SHN_OK;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->index[mid].address < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < s->res.n_entries && s->index[lo].address == id; lo++) {
        const struct shn_trace_entry *e = &s->res.entries[s->index[lo].entry];
        double f = e->source     ? 1.0
                   : e->received ? to_double(e->tainted) / to_double(e->received)
                                 : 0;
        char tainted[48], received[48];
        if (!e->tainted && !e->source)
            continue;
        if (f > 1)
            f = 1;
        if (!counted) {
            ++*tainted_wallets;
            counted = true;
        }
        if (f > w->fraction || (e->source && !w->source)) {
            w->fraction = f;
            w->wallet = address;
            w->source |= e->source;
        }
        if (json_array_size(list) >= EXAMPLES_MAX)
            continue;
        shn_trace_u128_format(e->tainted, tainted, sizeof tainted);
        shn_trace_u128_format(e->received, received, sizeof received);
        if (json_array_append_new(
                list,
                json_pack("{s:s, s:s, s:s, s:s, s:f, s:i, s:b}", "wallet", address, "asset",
                          shn_trace_graph_asset(c->graph, e->asset), "tainted", tainted, "received",
                          received, "fraction", f, "hops", (int)e->hops, "source", e->source)) != 0)
            return SHN_ERR_NOMEM;
    }
    return SHN_OK;
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    const struct state *s = state;
    double review = shn__param_num(c, SELF, P_REVIEW);
    double block = shn__param_num(c, SELF, P_BLOCK);
    const char *seen[WALLETS_MAX];
    size_t n_wallets = 0, tainted = 0;
    struct worst w = {0};
    json_t *list;
    int rc = SHN_OK;

    out->score = 0;
    if (!c->graph || !s)
        return shn__signal_set_evidence(out,
                                        json_pack("{s:s}", "neutral", "no trace graph configured"));
    if (!(list = json_array()))
        return SHN_ERR_NOMEM;
    for (size_t k = 0; rc == SHN_OK && k < a->n_pays + a->n_payouts && n_wallets < WALLETS_MAX;
         k++) {
        const char *addr =
            k < a->n_pays ? a->pays[k].address : a->payouts[k - a->n_pays].method.address;
        bool dup = false;
        if (!addr)
            continue;
        for (size_t j = 0; j < n_wallets && !dup; j++)
            dup = strcmp(seen[j], addr) == 0;
        if (dup)
            continue;
        seen[n_wallets++] = addr;
        rc = wallet(c, s, addr, list, &tainted, &w);
    }
    if (rc != SHN_OK) {
        json_decref(list);
        return rc;
    }
    if (tainted) {
        double f = w.fraction;
        out->score = review > 0 && f < review ? 0.5 + 0.4 * f / review
                     : review < 1             ? 0.9 + 0.1 * (f - review) / (1 - review)
                                              : 0.9;
        if (out->score > 1)
            out->score = 1;
        if (w.source || f >= block)
            out->hard = SHN_ACCOUNTS_BLOCK;
        else if (f >= review)
            out->hard = SHN_ACCOUNTS_REVIEW;
        if (w.source) {
            shn__signal_reason_en(out,
                                  "the payout wallet %s is itself labelled as a hacker or "
                                  "sanctioned address in the transfer graph",
                                  w.wallet);
            shn__signal_reason_ja(out,
                                  "振込先ウォレット%sが送金グラフでハッカーまたは制裁対象の"
                                  "アドレスとして登録されている",
                                  w.wallet);
        } else {
            shn__signal_reason_en(out,
                                  "%.1f%% of what the payout wallet %s received traces back "
                                  "to hack proceeds (haircut taint)",
                                  f * 100, w.wallet);
            shn__signal_reason_ja(out,
                                  "振込先ウォレット%sの受取額の%.1f%%がハッキング被害資金に"
                                  "由来する（ヘアカット方式）",
                                  w.wallet, f * 100);
        }
    }
    return shn__signal_set_evidence(
        out, json_pack("{s:s, s:I, s:b, s:I, s:I, s:f, s:o}", "method", "haircut", "sources",
                       (json_int_t)s->n_sources, "sources_truncated", s->sources_truncated,
                       "wallets", (json_int_t)n_wallets, "tainted_wallets", (json_int_t)tainted,
                       "max_fraction", w.fraction, "exposure", list));
}

const struct shn__signal_def shn__signal_wallet_exposure = {
    .name = "wallet_exposure",
    .default_weight = 4.0,
    SHN__PARAMS(params),
    .prepare = prepare,
    .eval = eval,
    .release = release,
};
