/* Laundering patterns of tainted addresses, each with its evidence, read
 * from the per-address indexes after a run (docs/trace.md, "Patterns"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "trace_internal.h"

#define DAY 86400
#define MAX_SCAN 20000 /* transfers looked at per address and direction */

static const char *const pattern_names[SHN_TRACE_PAT__COUNT] = {
    "fan-out", "peel-chain", "rapid-pass-through", "short-lived", "consolidation"};

const char *shn_trace_pattern_name(int p)
{
    return p >= 0 && p < SHN_TRACE_PAT__COUNT ? pattern_names[p] : "";
}

struct addr_info {
    uint32_t addr, asset;
    int64_t first; /* first tainted receipt */
    bool source;
};

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_info(const void *pa, const void *pb)
{
    const struct addr_info *a = pa, *b = pb;
    return a->addr < b->addr ? -1 : a->addr > b->addr;
}

static bool tainted(const struct addr_info *set, size_t n, uint32_t addr)
{
    struct addr_info key = {.addr = addr};
    return bsearch(&key, set, n, sizeof *set, cmp_info) != NULL;
}

/* Did transfer i carry taint? (flows are in transfer order) */
static bool carried(const struct shn_trace_result *res, uint64_t i)
{
    size_t lo = 0, hi = res->n_flows;
    while (lo < hi) {
        size_t m = lo + (hi - lo) / 2;
        if (res->flows[m].transfer < i)
            lo = m + 1;
        else
            hi = m;
    }
    return lo < res->n_flows && res->flows[lo].transfer == i;
}

static size_t distinct(uint32_t *v, size_t n)
{
    size_t k = 0;
    qsort(v, n, sizeof *v, cmp_u32);
    for (size_t i = 0; i < n; i++)
        if (!i || v[i] != v[i - 1])
            k++;
    return k;
}

static int push(struct shn_trace_pattern **out, size_t *n, size_t *cap, uint32_t addr, int kind,
                const char *evidence)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 256;
        struct shn_trace_pattern *p = shn_realloc(*out, c * sizeof *p);
        if (!p)
            return SHN_ERR_NOMEM;
        *out = p;
        *cap = c;
    }
    (*out)[*n].address = addr;
    (*out)[*n].kind = kind;
    snprintf((*out)[*n].evidence, sizeof(*out)[*n].evidence, "%s", evidence);
    (*n)++;
    return SHN_OK;
}

/* A peel step: in the day after first taint, one outflow of the asset takes
 * at least 70% of what left and another at most 25%; the big one goes to a
 * tainted address. Returns the big receiver or UINT32_MAX. */
static uint32_t peel_step(const struct shn_trace_graph *g, const struct addr_info *a,
                          const struct addr_info *set, size_t n_set, double *big_share,
                          uint32_t *small_to)
{
    const uint32_t *list;
    uint64_t n;
    shn_u128 total = 0, big = 0, small = ~(shn_u128)0;
    uint32_t big_to = UINT32_MAX;
    size_t count = 0;

    list = shn_trace_graph_out(g, a->addr, &n);
    for (uint64_t j = 0; j < n && j < MAX_SCAN; j++) {
        const struct shn__trace_rec *r = &g->rec[list[j]];
        int64_t time = shn__trace_time(g, list[j]);
        shn_u128 y;
        if (time < a->first || time > a->first + DAY || shn__trace_asset(g, r) != a->asset)
            continue;
        y = shn__trace_amount(g, r);
        total += y;
        count++;
        if (y > big) {
            big = y;
            big_to = r->to;
        }
        if (y < small) {
            small = y;
            *small_to = r->to;
        }
    }
    if (count < 2 || !total || big_to == UINT32_MAX)
        return UINT32_MAX;
    *big_share = (double)big / (double)total;
    if (*big_share < 0.70 || (double)small / (double)total > 0.25 || !tainted(set, n_set, big_to))
        return UINT32_MAX;
    return big_to;
}

int shn_trace_patterns(const struct shn_trace_graph *g, const struct shn_trace_result *res,
                       struct shn_trace_pattern **out, size_t *n_out)
{
    struct addr_info *set = NULL;
    struct shn_trace_pattern *pats = NULL;
    uint32_t *tmp = NULL;
    size_t n_set = 0, n_pats = 0, cap_pats = 0;
    char ev[200];
    int rc = SHN_ERR_NOMEM;

    set = shn_calloc(res->n_entries + 1, sizeof *set);
    tmp = shn_calloc(MAX_SCAN, sizeof *tmp);
    if (!set || !tmp)
        goto out;
    for (size_t i = 0; i < res->n_entries; i++) { /* entries are by first time */
        const struct shn_trace_entry *e = &res->entries[i];
        bool seen = false;
        for (size_t k = n_set; k-- > 0 && k + 64 > n_set;)
            if (set[k].addr == e->address)
                seen = true;
        if (seen)
            continue;
        set[n_set].addr = e->address;
        set[n_set].asset = e->asset;
        set[n_set].first = e->first_tainted;
        set[n_set++].source = e->source;
    }
    qsort(set, n_set, sizeof *set, cmp_info);
    /* duplicates (same address, other assets) left by the window above */
    {
        size_t k = 0;
        for (size_t i = 0; i < n_set; i++)
            if (!k || set[k - 1].addr != set[i].addr)
                set[k++] = set[i];
            else if (set[i].first < set[k - 1].first)
                set[k - 1] = set[i];
        n_set = k;
    }
    rc = SHN_OK;
    for (size_t i = 0; rc == SHN_OK && i < n_set; i++) {
        const struct addr_info *a = &set[i];
        const uint32_t *outl, *inl;
        uint64_t n_outl, n_inl;
        int64_t lo = INT64_MAX, hi = 0;
        size_t k = 0;
        int kind = shn_trace_graph_label(g, a->addr, NULL);

        if (kind && kind != SHN_TRACE_KIND_HACKER && kind != SHN_TRACE_KIND_SANCTIONED &&
            kind != SHN_TRACE_KIND_OTHER)
            continue; /* services are not launderers */
        outl = shn_trace_graph_out(g, a->addr, &n_outl);
        inl = shn_trace_graph_in(g, a->addr, &n_inl);
        if (a->source && n_outl) { /* a source's clock starts with its first payment */
            set[i].first = shn__trace_time(g, outl[0]);
            for (uint64_t j = 0; j < n_outl; j++)
                if (shn__trace_asset(g, &g->rec[outl[j]]) == a->asset) {
                    set[i].first = shn__trace_time(g, outl[j]);
                    break;
                }
        }
        /* short-lived */
        if (n_outl + n_inl <= 100 && n_outl) {
            for (uint64_t j = 0; j < n_outl; j++) {
                int64_t t = shn__trace_time(g, outl[j]);
                lo = t < lo ? t : lo;
                hi = t > hi ? t : hi;
            }
            for (uint64_t j = 0; j < n_inl; j++) {
                int64_t t = shn__trace_time(g, inl[j]);
                lo = t < lo ? t : lo;
                hi = t > hi ? t : hi;
            }
            if (hi - lo <= 7 * DAY) {
                snprintf(ev, sizeof ev, "active %.1f days, %llu transfers", (double)(hi - lo) / DAY,
                         (unsigned long long)(n_outl + n_inl));
                rc = push(&pats, &n_pats, &cap_pats, a->addr, SHN_TRACE_PAT_SHORT_LIVED, ev);
            }
        }
        /* fan-out: many receivers within a day of the first taint */
        k = 0;
        for (uint64_t j = 0; j < n_outl && k < MAX_SCAN; j++) {
            const struct shn__trace_rec *r = &g->rec[outl[j]];
            int64_t time = shn__trace_time(g, outl[j]);
            if (time >= a->first && time <= a->first + DAY)
                tmp[k++] = r->to;
        }
        if (rc == SHN_OK && k >= 10) {
            size_t d = distinct(tmp, k);
            if (d >= 10) {
                snprintf(ev, sizeof ev, "split into %zu addresses within 24 h of first taint", d);
                rc = push(&pats, &n_pats, &cap_pats, a->addr, SHN_TRACE_PAT_FAN_OUT, ev);
            }
        }
        /* consolidation: tainted inflows from many addresses, few outflows */
        k = 0;
        for (uint64_t j = 0; j < n_inl && k < MAX_SCAN; j++)
            if (res->flows ? carried(res, inl[j]) : tainted(set, n_set, g->rec[inl[j]].from))
                tmp[k++] = g->rec[inl[j]].from;
        /* most inflows tainted: a launderer's collector, not a bystander */
        if (rc == SHN_OK && k >= 5 && n_outl <= 3 && 5 * k >= 4 * n_inl) {
            size_t d = distinct(tmp, k);
            if (d >= 5) {
                snprintf(ev, sizeof ev, "merged tainted funds from %zu addresses, sent out in %llu",
                         d, (unsigned long long)n_outl);
                rc = push(&pats, &n_pats, &cap_pats, a->addr, SHN_TRACE_PAT_CONSOLIDATION, ev);
            }
        }
        /* rapid pass-through: >= 90% of the receipts out within ten minutes */
        if (rc == SHN_OK && !a->source) {
            shn_u128 in = 0, sent = 0;
            int64_t first_out = -1;
            for (uint64_t j = 0; j < n_inl; j++) {
                const struct shn__trace_rec *r = &g->rec[inl[j]];
                if (shn__trace_asset(g, r) == a->asset &&
                    (int64_t)shn__trace_time(g, inl[j]) <= a->first + 600)
                    in += shn__trace_amount(g, r);
            }
            for (uint64_t j = 0; j < n_outl; j++) {
                const struct shn__trace_rec *r = &g->rec[outl[j]];
                int64_t time = shn__trace_time(g, outl[j]);
                if (shn__trace_asset(g, r) != a->asset || time < a->first || time > a->first + 600)
                    continue;
                if (first_out < 0)
                    first_out = time;
                sent += shn__trace_amount(g, r);
            }
            if (in && first_out >= 0 && (double)sent >= 0.9 * (double)in) {
                snprintf(ev, sizeof ev, "sent on %.0f%% of its receipts, the first after %.0f min",
                         100.0 * (double)sent / (double)in, (double)(first_out - a->first) / 60.0);
                rc = push(&pats, &n_pats, &cap_pats, a->addr, SHN_TRACE_PAT_RAPID, ev);
            }
        }
        /* peel chain: a peel step whose big receiver peels again or that got
         * the big part of a peel step; or the end of a chain (the big part of
         * a peel step, not peeling itself) */
        if (rc == SHN_OK) {
            double share = 0, share2 = 0;
            uint32_t small_to = 0, small2 = 0, pred = UINT32_MAX;
            uint32_t next = peel_step(g, &set[i], set, n_set, &share, &small_to);
            bool chain = false;
            for (uint64_t j = 0; pred == UINT32_MAX && j < n_inl && j < 8; j++) {
                struct addr_info k2 = {.addr = g->rec[inl[j]].from};
                const struct addr_info *p = bsearch(&k2, set, n_set, sizeof *set, cmp_info);
                uint32_t s3 = 0;
                if (p && p->addr != a->addr && !p->source &&
                    peel_step(g, p, set, n_set, &share2, &s3) == a->addr)
                    pred = p->addr;
            }
            if (next != UINT32_MAX) {
                struct addr_info key = {.addr = next};
                const struct addr_info *b = bsearch(&key, set, n_set, sizeof *set, cmp_info);
                chain = pred != UINT32_MAX ||
                        (b && peel_step(g, b, set, n_set, &share2, &small2) != UINT32_MAX);
            }
            if (chain) {
                char next_buf[SHN_TRACE_ADDRESS_BUF], small_buf[SHN_TRACE_ADDRESS_BUF];
                const char *name = "";
                shn_trace_graph_label(g, small_to, &name);
                snprintf(ev, sizeof ev, "sent %.0f%% on to %.42s and peeled %.0f%% to %.60s",
                         100.0 * share, shn_trace_graph_address(g, next, next_buf),
                         100.0 * (1 - share),
                         name[0] ? name : shn_trace_graph_address(g, small_to, small_buf));
                rc = push(&pats, &n_pats, &cap_pats, a->addr, SHN_TRACE_PAT_PEEL, ev);
            } else if (pred != UINT32_MAX) {
                char pred_buf[SHN_TRACE_ADDRESS_BUF];
                snprintf(ev, sizeof ev,
                         "end of a peel chain: got the big part of a peel step "
                         "from %.42s",
                         shn_trace_graph_address(g, pred, pred_buf));
                rc = push(&pats, &n_pats, &cap_pats, a->addr, SHN_TRACE_PAT_PEEL, ev);
            }
        }
    }
    if (rc == SHN_OK) {
        *out = pats;
        *n_out = n_pats;
        pats = NULL;
    }
out:
    shn_free(pats);
    shn_free(set);
    shn_free(tmp);
    return rc;
}
