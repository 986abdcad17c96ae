/* Taint propagation: one pass over the transfers in time order, with state
 * only for tainted (address, asset) pairs (docs/trace.md has the rules). */
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/hash.h"
#include "trace_internal.h"

#define MAX_STATES (1u << 28)
#define PENDING_MAX 256 /* balance scans done together */

struct lot {
    shn_u128 amount;
    bool tainted;
};

/* Two cache lines, 64-byte aligned: the first holds what every transfer in
 * or out of a tainted address reads and writes, the second what changes
 * only when a transfer carries taint. */
struct state {
    _Alignas(64) shn_u128 balance; /* everything held (clean and tainted) */
    shn_u128 taint;                /* haircut: tainted part of balance */
    shn_u128 received;
    uint32_t addr, asset;
    uint32_t next; /* the address's next state (another asset): index + 1, 0 none */
    bool source, stopped;
    bool pending; /* balance and received lack the sums before `at` (see resolve) */
    shn_u128 tainted_in, tainted_out, returned;
    int64_t first;
    uint32_t hops;
    uint32_t at; /* the transfer that created it (pending scans stop there) */
};

/* FIFO only: lots[head..n_lots) in arrival order, one per state. */
struct fifo {
    struct lot *lots;
    uint32_t head, n_lots, cap_lots;
};

struct run {
    const struct shn_trace_graph *g;
    const struct shn_trace_opts *o;
    struct state *st; /* inside st_mem, 64-byte aligned */
    void *st_mem;
    struct fifo *fifo; /* FIFO: per state */
    uint32_t n_st, cap_st;
    /* Per address, its latest state (index + 1, 0 none); its others follow
     * through `next`. An array of n_addr u32 rather than a hash table of
     * (address, asset) keys: a look-up reads one word of a table a few times
     * smaller than such slots, with no probing, then the state. */
    uint32_t *head;
    /* States whose balance scans wait to be done in one batch. */
    struct pending {
        uint32_t st;
        uint32_t at;
        const uint32_t *in_list, *out_list;
        uint64_t n_in, n_out;
    } pend[PENDING_MAX];
    uint32_t n_pend;
    /* Set when a sum of amounts passed 2^128 - 1: one address received (or
     * held, or sent taint) more than that in one asset. Amounts are below
     * 2^128 each, but spam tokens move amounts near it; the run then fails
     * rather than report wrapped sums. */
    bool overflow;
    /* One bit per address: has it any state? Most transfers touch no
     * tainted address, and this answers that without a hash probe. */
    uint64_t *touched;
    size_t cap_flows;
    shn_u128 budget;
    struct shn_trace_result *res;
};

/* floor((hi * 2^128 + lo) / c) for c > hi, c >= 2^64, by Knuth's algorithm
 * D on 32-bit limbs (as in Hacker's Delight, divmnu): a few dozen word
 * operations where a bit-at-a-time division took 128 rounds. Amounts above
 * 2^64 (18.4 ETH in wei) are common, so this is on haircut's hot path. */
static shn_u128 div_256(shn_u128 hi, shn_u128 lo, shn_u128 c)
{
    shn_u128 q = 0;
    uint32_t u[8], v[4], un[9], vn[4];
    int m = 8, n = 4, s, i, j;

    for (i = 0; i < 4; i++) {
        u[i] = (uint32_t)(lo >> (32 * i));
        u[i + 4] = (uint32_t)(hi >> (32 * i));
        v[i] = (uint32_t)(c >> (32 * i));
    }
    while (v[n - 1] == 0)
        n--;
    while (m > n && u[m - 1] == 0)
        m--;
    s = __builtin_clz(v[n - 1]);
    for (i = n - 1; i > 0; i--)
        vn[i] = (uint32_t)((v[i] << s) | ((uint64_t)v[i - 1] >> (32 - s)));
    vn[0] = v[0] << s;
    un[m] = (uint32_t)((uint64_t)u[m - 1] >> (32 - s));
    for (i = m - 1; i > 0; i--)
        un[i] = (uint32_t)((u[i] << s) | ((uint64_t)u[i - 1] >> (32 - s)));
    un[0] = u[0] << s;
    for (j = m - n; j >= 0; j--) {
        uint64_t num = ((uint64_t)un[j + n] << 32) | un[j + n - 1];
        uint64_t qhat = num / vn[n - 1], rhat = num - qhat * vn[n - 1];
        int64_t k = 0, t;

        while (qhat >> 32 || qhat * vn[n - 2] > ((rhat << 32) | un[j + n - 2])) {
            qhat--;
            rhat += vn[n - 1];
            if (rhat >> 32)
                break;
        }
        for (i = 0; i < n; i++) {
            uint64_t p = qhat * vn[i];
            t = (int64_t)un[i + j] - k - (int64_t)(p & 0xFFFFFFFFu);
            un[i + j] = (uint32_t)t;
            k = (int64_t)(p >> 32) - (t >> 32);
        }
        t = (int64_t)un[j + n] - k;
        un[j + n] = (uint32_t)t;
        if (t < 0) { /* qhat one too large (rare): add the divisor back */
            qhat--;
            k = 0;
            for (i = 0; i < n; i++) {
                uint64_t sum = (uint64_t)un[i + j] + vn[i] + (uint64_t)k;
                un[i + j] = (uint32_t)sum;
                k = (int64_t)(sum >> 32);
            }
            un[j + n] += (uint32_t)k;
        }
        if (j < 4)
            q |= (shn_u128)qhat << (32 * j);
    }
    return q;
}

/* floor(a * b / c) for a, b <= c, c > 0: the result fits 128 bits. */
static shn_u128 mul_div(shn_u128 a, shn_u128 b, shn_u128 c)
{
    const shn_u128 m64 = ((shn_u128)1 << 64) - 1;
    shn_u128 a0 = a & m64, a1 = a >> 64, b0 = b & m64, b1 = b >> 64;
    shn_u128 p00, p01, p10, p11, mid, lo, hi;

    if ((a >> 64) == 0 && (b >> 64) == 0)
        return a * b / c;
    p00 = a0 * b0;
    p01 = a0 * b1;
    p10 = a1 * b0;
    p11 = a1 * b1;
    mid = (p00 >> 64) + (p01 & m64) + (p10 & m64);
    lo = (p00 & m64) | (mid << 64);
    hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    if (hi == 0)
        return lo / c;
    /* hi != 0 and a, b <= c make c > hi and c >= 2^64 (three limbs or more) */
    return div_256(hi, lo, c);
}

/* a + b, noting an overflow in *over */
static inline shn_u128 add(bool *over, shn_u128 a, shn_u128 b)
{
    shn_u128 r;
    *over |= __builtin_add_overflow(a, b, &r);
    return r;
}

static inline bool touched(const struct run *R, uint32_t addr)
{
    return R->touched[addr >> 6] >> (addr & 63) & 1;
}

static struct state *find(const struct run *R, uint32_t addr, uint32_t asset)
{
    if (!touched(R, addr))
        return NULL;
    for (uint32_t i = R->head[addr]; i; i = R->st[i - 1].next)
        if (R->st[i - 1].asset == asset)
            return &R->st[i - 1];
    return NULL;
}

/* The pass is bound by cache misses on the state once the tainted set
 * outgrows the cache. Transfers are read in order, so the heads of the
 * tainted addresses of a transfer PREFETCH_FAR ahead are fetched early, and
 * PREFETCH_NEAR ahead their latest states. Hints only. */
#define PREFETCH_FAR 16
#define PREFETCH_NEAR 8

static inline void prefetch_heads(const struct run *R, const struct shn__trace_rec *r)
{
    if (touched(R, r->from)) {
        __builtin_prefetch(&R->head[r->from]);
        if (!touched(R, r->to)) { /* `to` may be about to get state: see create */
            __builtin_prefetch(&R->g->in_start[r->to]);
            __builtin_prefetch(&R->g->out_start[r->to]);
            return;
        }
    }
    if (touched(R, r->to))
        __builtin_prefetch(&R->head[r->to]);
}

/* The heads of the index lists of an address about to get state, whose
 * starts prefetch_heads requested. */
static inline void prefetch_lists(const struct run *R, const struct shn__trace_rec *r)
{
    if (touched(R, r->from) && !touched(R, r->to)) {
        __builtin_prefetch(&R->g->in_list[R->g->in_start[r->to]]);
        __builtin_prefetch(&R->g->out_list[R->g->out_start[r->to]]);
    }
}

static inline void prefetch_state(const struct run *R, uint32_t addr)
{
    uint32_t i;

    if (!touched(R, addr))
        return;
    i = R->head[addr];
    if (i) {
        __builtin_prefetch(&R->st[i - 1]);
        __builtin_prefetch(&R->st[i - 1].tainted_in);
    }
}

static int push_lot(struct fifo *s, shn_u128 amount, bool tainted)
{
    if (!amount)
        return SHN_OK;
    if (s->n_lots > s->head && s->lots[s->n_lots - 1].tainted == tainted) {
        if (__builtin_add_overflow(s->lots[s->n_lots - 1].amount, amount,
                                   &s->lots[s->n_lots - 1].amount))
            return SHN_ERR_TOO_LARGE;
        return SHN_OK;
    }
    if (s->head && s->head * 2 >= s->n_lots) {
        memmove(s->lots, s->lots + s->head, (s->n_lots - s->head) * sizeof *s->lots);
        s->n_lots -= s->head;
        s->head = 0;
    }
    if (s->n_lots == s->cap_lots) {
        uint32_t cap = s->cap_lots ? s->cap_lots * 2 : 4;
        struct lot *p;
        if (cap > (1u << 30))
            return SHN_ERR_TOO_LARGE;
        p = shn_realloc(s->lots, cap * sizeof *p);
        if (!p)
            return SHN_ERR_NOMEM;
        s->lots = p;
        s->cap_lots = cap;
    }
    s->lots[s->n_lots].amount = amount;
    s->lots[s->n_lots].tainted = tainted;
    s->n_lots++;
    return SHN_OK;
}

/* The balance of a newly tainted address: sums of the amounts in its asset
 * of its listed transfers before `at`. Each listed record is a cache miss of
 * its own (an address's transfers are spread over the whole file), and this
 * scan is most of what a newly tainted address costs: the records are
 * fetched SCAN_AHEAD ahead so that their misses overlap, and the sum takes
 * no branch on the asset, which a mispredict would turn back into one miss
 * at a time. */
#define SCAN_AHEAD 16

/* How many of the (ascending) listed transfers come before `at`. */
static uint64_t count_before(const uint32_t *list, uint64_t n, uint64_t at)
{
    uint64_t lo = 0, hi = n;

    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (list[mid] < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void prefetch_records(const struct shn_trace_graph *g, const uint32_t *list, uint64_t n)
{
    for (uint64_t j = 0; j < n && j < SCAN_AHEAD; j++)
        __builtin_prefetch(&g->rec[list[j]]);
}

/* The sum of the amounts in `asset` of the first n listed transfers, whose
 * first SCAN_AHEAD records are being fetched already. */
static shn_u128 sum_records(const struct shn_trace_graph *g, const uint32_t *list, uint64_t n,
                            uint32_t asset, bool *over)
{
    shn_u128 sum = 0;

    for (uint64_t j = 0; j < n; j++) {
        const struct shn__trace_rec *r = &g->rec[list[j]];
        shn_u128 y;
        if (j + SCAN_AHEAD < n)
            __builtin_prefetch(&g->rec[list[j + SCAN_AHEAD]]);
        y = shn__trace_amount(g, r);
        sum = add(over, sum, shn__trace_asset(g, r) == asset ? y : 0);
    }
    return sum;
}

/* The lists of s's address and how many of each come before `at`. A stop's
 * balance is never read (it passes nothing on), and stops are the exchanges
 * and bridges with the longest histories: their outgoing transfers are not
 * scanned. */
static void scan_lists(const struct run *R, const struct state *s, uint64_t at,
                       const uint32_t **in_list, uint64_t *n_in, const uint32_t **out_list,
                       uint64_t *n_out)
{
    uint64_t n;

    *in_list = shn_trace_graph_in(R->g, s->addr, &n);
    *n_in = count_before(*in_list, n, at);
    *out_list = NULL;
    *n_out = 0;
    if (!s->stopped) {
        *out_list = shn_trace_graph_out(R->g, s->addr, &n);
        *n_out = count_before(*out_list, n, at);
    }
}

/* Adds the balance and receipts before a pending state's first taint. */
static void settle(struct run *R, struct state *s, shn_u128 in, shn_u128 outsum)
{
    s->received = add(&R->overflow, s->received, in);
    s->balance = add(&R->overflow, s->balance, in > outsum ? in - outsum : 0);
    s->pending = false;
}

/* The balance scans of the pending states, done together: a scan is a
 * chain of dependent misses (the address's index start, its list, the
 * listed records), and doing one at a time leaves the memory system idle
 * on each link; here each link is requested for all pending states before
 * any is waited for. */
static void resolve_pending(struct run *R)
{
    const struct shn_trace_graph *g = R->g;
    uint32_t n = R->n_pend;

    for (uint32_t k = 0; k < n; k++) {
        uint32_t a = R->st[R->pend[k].st].addr;
        __builtin_prefetch(&g->in_start[a]);
        __builtin_prefetch(&g->out_start[a]);
    }
    for (uint32_t k = 0; k < n; k++) {
        uint32_t a = R->st[R->pend[k].st].addr;
        __builtin_prefetch(&g->in_list[g->in_start[a]]);
        __builtin_prefetch(&g->out_list[g->out_start[a]]);
    }
    for (uint32_t k = 0; k < n; k++) {
        struct pending *p = &R->pend[k];
        if (!R->st[p->st].pending)
            continue;
        scan_lists(R, &R->st[p->st], p->at, &p->in_list, &p->n_in, &p->out_list, &p->n_out);
        prefetch_records(g, p->in_list, p->n_in);
        prefetch_records(g, p->out_list, p->n_out);
    }
    for (uint32_t k = 0; k < n; k++) {
        struct pending *p = &R->pend[k];
        struct state *s = &R->st[p->st];
        if (s->pending)
            settle(R, s, sum_records(g, p->in_list, p->n_in, s->asset, &R->overflow),
                   sum_records(g, p->out_list, p->n_out, s->asset, &R->overflow));
    }
    R->n_pend = 0;
}

/* Resolves one pending state now (it is about to send). */
static void resolve_one(struct run *R, struct state *s)
{
    const uint32_t *in_list, *out_list;
    uint64_t n_in, n_out;

    scan_lists(R, s, s->at, &in_list, &n_in, &out_list, &n_out);
    prefetch_records(R->g, in_list, n_in);
    prefetch_records(R->g, out_list, n_out);
    settle(R, s, sum_records(R->g, in_list, n_in, s->asset, &R->overflow),
           sum_records(R->g, out_list, n_out, s->asset, &R->overflow));
}

/* Doubles the state array (64-byte aligned by hand: the allocator promises
 * 16) and, under FIFO, the lot queues beside it. */
static int grow_states(struct run *R)
{
    uint32_t cap = R->cap_st ? R->cap_st * 2 : 256;
    size_t bytes;
    void *mem;
    struct state *st;

    if (!shn_size_mul(cap, sizeof *st, &bytes) || !shn_size_add(bytes, 64, &bytes))
        return SHN_ERR_TOO_LARGE;
    mem = shn_malloc(bytes);
    if (!mem)
        return SHN_ERR_NOMEM;
    shn__trace_advise_huge(mem, bytes);
    st = (struct state *)(void *)((unsigned char *)mem + (64 - (uintptr_t)mem % 64) % 64);
    if (R->o->method == SHN_TRACE_FIFO) {
        struct fifo *f = shn_realloc(R->fifo, (size_t)cap * sizeof *f);
        if (!f) {
            shn_free(mem);
            return SHN_ERR_NOMEM;
        }
        R->fifo = f;
    }
    if (R->n_st)
        memcpy(st, R->st, (size_t)R->n_st * sizeof *st);
    shn_free(R->st_mem);
    R->st_mem = mem;
    R->st = st;
    R->cap_st = cap;
    return SHN_OK;
}

/* A new state for (addr, asset) first touched by transfer `at`: its balance
 * and receipts before `at` come from the address's transfer indexes. */
static int create(struct run *R, uint32_t addr, uint32_t asset, uint64_t at, struct state **out)
{
    const struct shn_trace_graph *g = R->g;
    struct state *s;
    const uint32_t *in_list, *out_list;
    uint64_t n_in, n_out;
    const char *name;
    int kind, rc;

    if (R->n_st >= MAX_STATES)
        return SHN_ERR_TOO_LARGE;
    if (R->n_st == R->cap_st) {
        rc = grow_states(R);
        if (rc != SHN_OK)
            return rc;
    }
    s = &R->st[R->n_st];
    memset(s, 0, sizeof *s);
    s->addr = addr;
    s->asset = asset;
    s->first = -1;
    for (size_t i = 0; i < R->o->n_sources; i++)
        if (R->o->sources[i] == addr)
            s->source = true;
    kind = shn_trace_graph_label(g, addr, &name);
    if (!s->source && kind && (R->o->stop_kinds & (1u << kind)))
        s->stopped = true;
    if (R->o->method == SHN_TRACE_FIFO) {
        /* the balance is the first lot, ahead of any later receipt: no
         * deferring here */
        struct fifo *f = &R->fifo[R->n_st];
        shn_u128 in, outsum;
        scan_lists(R, s, at, &in_list, &n_in, &out_list, &n_out);
        prefetch_records(g, in_list, n_in);
        prefetch_records(g, out_list, n_out);
        in = sum_records(g, in_list, n_in, asset, &R->overflow);
        outsum = sum_records(g, out_list, n_out, asset, &R->overflow);
        s->received = in;
        s->balance = in > outsum ? in - outsum : 0;
        memset(f, 0, sizeof *f);
        rc = push_lot(f, s->balance, false);
        if (rc != SHN_OK) {
            shn_free(f->lots);
            return rc;
        }
    } else {
        /* Deferred: receipts only add to balance and received, so they may
         * come first; anything else resolves the state before using it. */
        if (R->n_pend == PENDING_MAX)
            resolve_pending(R);
        s->pending = true;
        s->at = (uint32_t)at;
        R->pend[R->n_pend].st = R->n_st;
        R->pend[R->n_pend].at = (uint32_t)at;
        R->n_pend++;
    }
    s->next = R->head[addr];
    R->head[addr] = ++R->n_st;
    R->touched[addr >> 6] |= 1ull << (addr & 63);
    *out = s;
    return SHN_OK;
}

static bool is_source(const struct run *R, uint32_t addr)
{
    if (!(R->touched[addr >> 6] >> (addr & 63) & 1))
        return false;
    for (size_t i = 0; i < R->o->n_sources; i++)
        if (R->o->sources[i] == addr)
            return true;
    return false;
}

/* The tainted part of an outflow of y from s; updates s's balance. */
static shn_u128 send(struct run *R, struct state *s, shn_u128 y)
{
    shn_u128 t = 0;

    if (s->source) {
        t = y;
        if (R->o->has_amount) {
            t = s->asset == R->o->amount_asset ? (y < R->budget ? y : R->budget) : 0;
            R->budget -= t;
            if (!R->budget)
                R->res->budget_exhausted = true;
        }
        s->balance = s->balance > y ? s->balance - y : 0;
        return t;
    }
    if (s->stopped) {
        s->balance = s->balance > y ? s->balance - y : 0;
        return 0;
    }
    switch (R->o->method) {
    case SHN_TRACE_POISON:
        t = s->tainted_in ? y : 0;
        s->balance = s->balance > y ? s->balance - y : 0;
        break;
    case SHN_TRACE_HAIRCUT:
        if (y > s->balance) /* funds we never saw arrive: counted clean */
            s->balance = y;
        t = s->taint ? mul_div(s->taint, y, s->balance) : 0;
        s->taint -= t;
        s->balance -= y;
        break;
    default: { /* FIFO */
        struct fifo *f = &R->fifo[s - R->st];
        shn_u128 left = y;
        while (left && f->head < f->n_lots) {
            struct lot *l = &f->lots[f->head];
            shn_u128 take = l->amount < left ? l->amount : left;
            if (l->tainted)
                t += take;
            l->amount -= take;
            left -= take;
            if (!l->amount)
                f->head++;
        }
        if (f->head == f->n_lots)
            f->head = f->n_lots = 0;
        s->balance = s->balance > y ? s->balance - y : 0;
        break;
    }
    }
    return t;
}

static int receive(struct run *R, struct state *s, shn_u128 y, shn_u128 t)
{
    s->received = add(&R->overflow, s->received, y);
    s->balance = add(&R->overflow, s->balance, y);
    if (R->o->method == SHN_TRACE_HAIRCUT)
        s->taint = add(&R->overflow, s->taint, t);
    if (R->o->method == SHN_TRACE_FIFO && !s->stopped) {
        /* Within one transfer the tainted part arrives first. */
        struct fifo *f = &R->fifo[s - R->st];
        int rc = push_lot(f, t, true);
        if (rc == SHN_OK)
            rc = push_lot(f, y - t, false);
        return rc;
    }
    return SHN_OK;
}

static int record(struct run *R, uint64_t i, shn_u128 t)
{
    struct shn_trace_result *res = R->res;

    if (res->n_flows == R->cap_flows) {
        size_t cap = R->cap_flows ? R->cap_flows * 2 : 1024;
        struct shn_trace_flow *p;
        if (cap > SHN_TRACE_MAX_TRANSFERS)
            return SHN_ERR_TOO_LARGE;
        p = shn_realloc(res->flows, cap * sizeof *p);
        if (!p)
            return SHN_ERR_NOMEM;
        res->flows = p;
        R->cap_flows = cap;
    }
    res->flows[res->n_flows].transfer = i;
    res->flows[res->n_flows++].tainted = t;
    return SHN_OK;
}

static int step(struct run *R, uint64_t i)
{
    const struct shn__trace_rec *r = &R->g->rec[i];
    uint32_t asset = shn__trace_asset(R->g, r);
    struct state *from = find(R, r->from, asset), *to;
    shn_u128 y, t;
    int rc;

    if (!from) {
        if (!is_source(R, r->from)) {
            to = find(R, r->to, asset);
            if (to)
                return receive(R, to, shn__trace_amount(R->g, r), 0);
            return SHN_OK;
        }
        rc = create(R, r->from, asset, i, &from);
        if (rc != SHN_OK)
            return rc;
    }
    if (from->pending)
        resolve_one(R, from);
    y = shn__trace_amount(R->g, r);
    t = send(R, from, y);
    if (t)
        from->tainted_out = add(&R->overflow, from->tainted_out, t);
    if (t && t < R->o->dust) {
        R->res->dust_dropped = add(&R->overflow, R->res->dust_dropped, t);
        t = 0;
    }
    if (t) {
        R->res->tainted_transfers++;
        if (R->o->record_flows) {
            rc = record(R, i, t);
            if (rc != SHN_OK)
                return rc;
        }
    }
    /* from may move when the state array grows */
    {
        uint32_t from_hops = from->hops;
        to = find(R, r->to, asset);
        if (!to && t) {
            rc = create(R, r->to, asset, i, &to);
            if (rc != SHN_OK)
                return rc;
            to->hops = from_hops + 1;
            if (R->o->max_hops && to->hops >= R->o->max_hops && !to->source)
                to->stopped = true;
        }
        if (!to)
            return SHN_OK;
        if (t) {
            if (to->first < 0)
                to->first = shn__trace_time(R->g, i);
            if (!to->source && from_hops + 1 < to->hops)
                to->hops = from_hops + 1;
            if (to->source) {
                to->returned = add(&R->overflow, to->returned, t);
                t = 0; /* a source's own funds are all stolen already */
            }
            to->tainted_in = add(&R->overflow, to->tainted_in, t);
        }
        if (to->source) {
            to->received = add(&R->overflow, to->received, y);
            to->balance = add(&R->overflow, to->balance, y);
            return SHN_OK;
        }
        return receive(R, to, y, t);
    }
}

static int cmp_entry(const void *pa, const void *pb)
{
    const struct shn_trace_entry *a = pa, *b = pb;
    if (a->first_tainted != b->first_tainted)
        return a->first_tainted < b->first_tainted ? -1 : 1;
    if (a->address != b->address)
        return a->address < b->address ? -1 : 1;
    return a->asset < b->asset ? -1 : a->asset > b->asset;
}

int shn_trace_run(const struct shn_trace_graph *g, const struct shn_trace_opts *o,
                  struct shn_trace_result *res, struct shn_diag *diag)
{
    struct run R;
    struct shn_trace_result out;
    uint64_t lo = 0, hi;
    int rc = SHN_OK;

    memset(&R, 0, sizeof R);
    memset(&out, 0, sizeof out);
    if (!g || !o || !res || o->method < SHN_TRACE_POISON || o->method > SHN_TRACE_FIFO ||
        !o->n_sources || o->n_sources > SHN_TRACE_MAX_SOURCES)
        return shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, "", "bad trace options");
    for (size_t i = 0; i < o->n_sources; i++)
        if (o->sources[i] >= g->n_addr)
            return shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, "source", "unknown address id");
    R.g = g;
    R.o = o;
    R.res = &out;
    R.budget = o->amount;
    R.head = shn_calloc((size_t)g->n_addr + 1, sizeof *R.head);
    R.touched = shn_calloc((size_t)g->n_addr / 64 + 1, sizeof *R.touched);
    if (!R.head || !R.touched) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    shn__trace_advise_huge(R.head, ((size_t)g->n_addr + 1) * sizeof *R.head);
    for (size_t i = 0; i < o->n_sources; i++)
        R.touched[o->sources[i] >> 6] |= 1ull << (o->sources[i] & 63);
    out.method = o->method;
    hi = g->n_transfers;
    while (lo < hi) { /* first transfer at or after `since` */
        uint64_t mid = lo + (hi - lo) / 2;
        if ((int64_t)shn__trace_time(g, mid) < o->since)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint64_t i = lo; i < g->n_transfers; i++) {
        if (i + PREFETCH_FAR < g->n_transfers)
            prefetch_heads(&R, &g->rec[i + PREFETCH_FAR]);
        if (i + PREFETCH_NEAR < g->n_transfers) {
            const struct shn__trace_rec *r = &g->rec[i + PREFETCH_NEAR];
            prefetch_state(&R, r->from);
            prefetch_state(&R, r->to);
            prefetch_lists(&R, r);
        }
        rc = step(&R, i);
        if (rc != SHN_OK) {
            rc = shn_diag_set(diag, rc, NULL, 0, "", "taint state: %s", shn_strerror(rc));
            goto out;
        }
    }
    resolve_pending(&R);
    if (R.overflow) {
        rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, 0, "",
                          "an address's sums in one asset pass 2^128 - 1 base units");
        goto out;
    }
    out.transfers_scanned = g->n_transfers - lo;
    out.entries = shn_calloc(R.n_st ? R.n_st : 1, sizeof *out.entries);
    if (!out.entries) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    for (uint32_t i = 0; i < R.n_st; i++) {
        const struct state *s = &R.st[i];
        struct shn_trace_entry *e = &out.entries[out.n_entries];
        if (!s->source && !s->tainted_in)
            continue;
        e->address = s->addr;
        e->asset = s->asset;
        e->received = s->received;
        e->source = s->source;
        e->stopped = s->stopped;
        e->hops = s->source ? 0 : s->hops;
        e->first_tainted = s->first < 0 ? 0 : s->first;
        if (s->source) {
            e->tainted = s->returned;
            e->tainted_out = s->tainted_out;
            e->held = s->returned;
        } else {
            e->tainted = s->tainted_in;
            e->tainted_out = s->tainted_out;
            if (o->method == SHN_TRACE_POISON)
                e->held = s->stopped ? s->tainted_in : s->balance;
            else
                e->held = s->tainted_in - s->tainted_out;
        }
        out.n_entries++;
    }
    qsort(out.entries, out.n_entries, sizeof *out.entries, cmp_entry);
    *res = out;
    out.entries = NULL;
    out.flows = NULL;
out:
    shn_free(out.entries);
    shn_free(out.flows);
    for (uint32_t i = 0; R.fifo && i < R.n_st; i++)
        shn_free(R.fifo[i].lots);
    shn_free(R.fifo);
    shn_free(R.st_mem);
    shn_free(R.head);
    shn_free(R.touched);
    return rc;
}

void shn_trace_result_cleanup(struct shn_trace_result *res)
{
    if (!res)
        return;
    shn_free(res->entries);
    shn_free(res->flows);
    memset(res, 0, sizeof *res);
}

/* A 256-bit sum of 128-bit amounts (the check adds up every entry). */
struct sum256 {
    shn_u128 lo, hi;
};

static void sum256_add(struct sum256 *s, shn_u128 v)
{
    s->lo += v;
    s->hi += s->lo < v;
}

int shn_trace_check(const struct shn_trace_graph *g, const struct shn_trace_result *res,
                    struct shn_diag *diag)
{
    struct sum256 emitted = {0, 0}, absorbed = {0, 0};
    int rc = SHN_OK;

    sum256_add(&absorbed, res->dust_dropped);
    for (size_t i = 0; rc == SHN_OK && i < res->n_entries; i++) {
        const struct shn_trace_entry *e = &res->entries[i];
        char abuf[SHN_TRACE_ADDRESS_BUF];
        const char *why = NULL;

        if (e->tainted > e->received) {
            why = "tainted above received";
        } else if (e->source) {
            sum256_add(&emitted, e->tainted_out);
            sum256_add(&absorbed, e->held);
        } else if (res->method != SHN_TRACE_POISON) {
            if (e->tainted_out > e->tainted)
                why = "sent more taint than got";
            else if (e->held + e->tainted_out != e->tainted)
                why = "taint not conserved";
            sum256_add(&absorbed, e->held);
        }
        if (why)
            rc = shn_diag_set(diag, SHN_ERR_CORRUPT, NULL, 0, "", "%s: %s",
                              shn_trace_graph_address(g, e->address, abuf), why);
    }
    if (rc == SHN_OK && res->method != SHN_TRACE_POISON &&
        (emitted.lo != absorbed.lo || emitted.hi != absorbed.hi))
        rc = shn_diag_set(diag, SHN_ERR_CORRUPT, NULL, 0, "",
                          "taint sent by the sources differs from taint held plus dust");
    return rc;
}
