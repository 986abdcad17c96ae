/* A synthetic laundering case inside a background of ordinary transfers,
 * with its ground truth: a theft, fan-out to fresh addresses, peel chains,
 * bridge deposits, mixer deposits, DEX swaps, consolidation and exchange
 * deposits. Deterministic for a given seed. Writes transfers.csv (generic
 * format, in time order), labels.csv and truth.json into a folder. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/log.h"
#include "shinsa/core/rng.h"
#include "shinsa/core/time.h"
#include "shinsa/sample.h"
#include "shinsa/trace.h"

enum {
    K_USER = 1,
    K_EXCHANGE,
    K_BRIDGE,
    K_MIXER,
    K_DEX,
    K_HACKER,
    K_FRESH,
    K_PEEL,
    K_CONSOL,
    K_VICTIM
};
enum { N_EXCHANGES = 12, N_BRIDGES = 3, N_MIXERS = 2, N_DEXES = 2 };
enum { A_ETH, A_USDT, A_USDC, A_DAI };

static const char *const asset_names[] = {"ETH", "USDT", "USDC", "DAI"};
static const char *const exchange_names[N_EXCHANGES] = {
    "Huione Exchange", "Garantex", "OKX",  "Binance", "Bybit",  "HTX",
    "KuCoin",          "Gate.io",  "MEXC", "Bitget",  "Kraken", "Coinbase"};
static const char *const bridge_names[N_BRIDGES] = {"THORChain Router", "eXch Bridge",
                                                    "Avalanche Bridge"};
static const char *const mixer_names[N_MIXERS] = {"Tornado Cash 100 ETH", "Tornado Cash 10 ETH"};
static const char *const dex_names[N_DEXES] = {"Uniswap V3 Router", "1inch Router"};

#define ETH ((shn_u128)1000000000000000000ull)
#define START 1735689600u /* 2025-01-01 */
#define SPAN (30u * 86400u)

struct ev {
    uint32_t time;
    uint8_t asset;
    uint64_t from, to;
    shn_u128 amount;
};

struct pattern {
    uint64_t addr;
    const char *what;
};

struct gen {
    struct shn_rng rng;
    struct ev *ev;
    size_t n_ev, cap_ev;
    struct pattern *pat;
    size_t n_pat, cap_pat;
    shn_u128 exit_amount[N_EXCHANGES + N_BRIDGES + N_MIXERS + N_DEXES];
    uint64_t n_fresh;
    int err;
};

static uint64_t rnd(struct gen *G, uint64_t n)
{
    return shn_rng_below(&G->rng, n);
}

static uint64_t A(int kind, uint64_t i)
{
    return (uint64_t)kind << 48 | i;
}

static void addr_text(uint64_t a, char out[43])
{
    static const char hex[] = "0123456789abcdef";
    struct shn_rng s = shn_rng_seed(a * 0x2545F4914F6CDD1Dull + 17);
    uint64_t w = 0;

    out[0] = '0';
    out[1] = 'x';
    for (int i = 0; i < 40; i++) {
        if (i % 16 == 0)
            w = shn_rng_next(&s);
        out[2 + i] = hex[w & 15];
        w >>= 4;
    }
    out[42] = '\0';
}

static void add(struct gen *G, uint32_t time, int asset, uint64_t from, uint64_t to, shn_u128 amt)
{
    if (G->err || !amt)
        return;
    G->err = shn_grow((void **)&G->ev, &G->cap_ev, G->n_ev + 1, sizeof *G->ev);
    if (G->err == SHN_OK)
        G->ev[G->n_ev++] = (struct ev){time, (uint8_t)asset, from, to, amt};
}

static void mark(struct gen *G, uint64_t addr, const char *what)
{
    if (G->err)
        return;
    G->err = shn_grow((void **)&G->pat, &G->cap_pat, G->n_pat + 1, sizeof *G->pat);
    if (G->err == SHN_OK)
        G->pat[G->n_pat++] = (struct pattern){addr, what};
}

static void deposit(struct gen *G, uint32_t t, uint64_t from, int ex, shn_u128 amt)
{
    add(G, t, A_ETH, from, A(K_EXCHANGE, (uint64_t)ex), amt);
    G->exit_amount[ex] += amt;
}

/* The case: a theft of `stolen` at time t0 and its laundering. */
static void plant(struct gen *G, uint32_t t0, uint32_t fanout, shn_u128 stolen)
{
    uint64_t hacker = A(K_HACKER, 0), peel = 0, consol = 0;
    shn_u128 left = stolen;

    add(G, t0, A_ETH, A(K_VICTIM, 0), hacker, stolen);
    mark(G, hacker, "fan-out");
    for (uint32_t i = 0; i < fanout; i++) {
        uint64_t f = A(K_FRESH, G->n_fresh++);
        uint32_t t = t0 + 600 + (uint32_t)rnd(G, 7200);
        shn_u128 amt = i + 1 == fanout ? left : stolen / fanout / 10 * (8 + rnd(G, 4));

        if (amt > left)
            amt = left;
        left -= amt;
        add(G, t, A_ETH, hacker, f, amt);
        mark(G, f, "short-lived");
        switch (i % 5) {
        case 0: { /* peel chain: 6 hops, 8% to an exchange at each */
            uint64_t cur = f;
            mark(G, f, "peel-chain");
            for (int h = 0; h < 6; h++) {
                uint64_t next = A(K_PEEL, peel++);
                shn_u128 off = amt / 100 * 8;
                t += 1200 + (uint32_t)rnd(G, 2400);
                deposit(G, t, cur, (int)rnd(G, N_EXCHANGES), off);
                add(G, t + 1, A_ETH, cur, next, amt - off);
                amt -= off;
                cur = next;
                mark(G, cur, "peel-chain");
                mark(G, cur, "short-lived");
            }
            deposit(G, t + 3600, cur, (int)rnd(G, N_EXCHANGES), amt);
            break;
        }
        case 1: { /* rapid pass-through to a bridge */
            int b = (int)rnd(G, N_BRIDGES);
            add(G, t + 60 + (uint32_t)rnd(G, 240), A_ETH, f, A(K_BRIDGE, (uint64_t)b), amt);
            G->exit_amount[N_EXCHANGES + b] += amt;
            mark(G, f, "rapid-pass-through");
            break;
        }
        case 2: { /* mixer deposits of 100 ETH, the rest to the 10 ETH pool */
            uint32_t k = 0;
            while (amt >= 100 * ETH) {
                add(G, t + 900 * ++k, A_ETH, f, A(K_MIXER, 0), 100 * ETH);
                G->exit_amount[N_EXCHANGES + N_BRIDGES] += 100 * ETH;
                amt -= 100 * ETH;
            }
            add(G, t + 900 * ++k, A_ETH, f, A(K_MIXER, 1), amt);
            G->exit_amount[N_EXCHANGES + N_BRIDGES + 1] += amt;
            break;
        }
        case 3: { /* DEX swap to USDT, then an exchange deposit of the USDT */
            int d = (int)rnd(G, N_DEXES);
            shn_u128 usdt = amt / ETH * 3000 * 1000000u;
            add(G, t + 300, A_ETH, f, A(K_DEX, (uint64_t)d), amt);
            add(G, t + 300, A_USDT, A(K_DEX, (uint64_t)d), f, usdt);
            add(G, t + 4000, A_USDT, f, A(K_EXCHANGE, rnd(G, N_EXCHANGES)), usdt);
            G->exit_amount[N_EXCHANGES + N_BRIDGES + N_MIXERS + d] += amt;
            mark(G, f, "rapid-pass-through");
            break;
        }
        default: { /* consolidation: every 5th group of ten merges into one */
            uint64_t c = A(K_CONSOL, consol / 10);
            add(G, t + 86400, A_ETH, f, c, amt);
            if (consol % 10 == 0) {
                mark(G, c, "consolidation");
                mark(G, c, "short-lived");
            }
            consol++;
            break;
        }
        }
    }
    /* each consolidation address empties into an exchange two days later */
    for (uint64_t c = 0; c < (consol + 9) / 10; c++) {
        shn_u128 sum = 0;
        for (size_t e = 0; e < G->n_ev; e++)
            if (G->ev[e].to == A(K_CONSOL, c))
                sum += G->ev[e].amount;
        deposit(G, t0 + 3 * 86400, A(K_CONSOL, c), (int)rnd(G, N_EXCHANGES), sum);
    }
}

static int cmp_ev(const void *pa, const void *pb)
{
    const struct ev *a = pa, *b = pb;
    return a->time < b->time ? -1 : a->time > b->time;
}

static void write_ev(FILE *f, const struct ev *e, uint64_t n)
{
    char from[43], to[43], amt[48];
    addr_text(e->from, from);
    addr_text(e->to, to);
    shn_trace_u128_format(e->amount, amt, sizeof amt);
    fprintf(f, "%u,g%llu,%s,%s,%s,%s\n", e->time, (unsigned long long)n, from, to,
            asset_names[e->asset], amt);
}

/* One ordinary transfer number i of n: users pay each other and use
 * exchanges, DEXes, bridges and mixers. */
static void background(struct gen *G, uint64_t i, uint64_t n, uint64_t users, struct ev *e)
{
    uint64_t r = rnd(G, 100), u = rnd(G, users), v = rnd(G, users), q = rnd(G, 20);
    int asset = q < 12 ? A_ETH : q < 17 ? A_USDT : q < 19 ? A_USDC : A_DAI;
    double scale = (double)rnd(G, 1000000) / 1000000.0;
    shn_u128 unit = asset == A_ETH ? ETH / 1000 : asset == A_DAI ? ETH : 1000000;
    uint64_t mult = (uint64_t)(1.0 + 99999.0 * scale * scale * scale);

    e->time = START + (uint32_t)((double)i / (double)n * SPAN);
    e->asset = (uint8_t)asset;
    e->amount = unit * mult;
    e->from = A(K_USER, u);
    e->to = A(K_USER, v);
    if (r < 15)
        e->to = A(K_EXCHANGE, rnd(G, N_EXCHANGES));
    else if (r < 30)
        e->from = A(K_EXCHANGE, rnd(G, N_EXCHANGES));
    else if (r < 33)
        e->to = A(K_DEX, rnd(G, N_DEXES));
    else if (r < 36)
        e->from = A(K_DEX, rnd(G, N_DEXES));
    else if (r < 37)
        e->to = A(K_BRIDGE, rnd(G, N_BRIDGES));
    else if (r < 38 && asset == A_ETH) {
        e->to = A(K_MIXER, rnd(G, N_MIXERS));
        e->amount = (e->to & 1 ? 10 : 100) * ETH;
    } else if (r < 39 && asset == A_ETH) {
        e->from = A(K_MIXER, rnd(G, N_MIXERS));
        e->amount = (e->from & 1 ? 10 : 100) * ETH;
    }
}

static int write_labels(const char *path)
{
    FILE *f = fopen(path, "w");
    char a[43];

    if (!f)
        return SHN_ERR_IO;
    fprintf(f, "address,kind,name\n");
    for (int i = 0; i < N_EXCHANGES; i++) {
        addr_text(A(K_EXCHANGE, (uint64_t)i), a);
        fprintf(f, "%s,exchange,%s\n", a, exchange_names[i]);
    }
    for (int i = 0; i < N_BRIDGES; i++) {
        addr_text(A(K_BRIDGE, (uint64_t)i), a);
        fprintf(f, "%s,bridge,%s\n", a, bridge_names[i]);
    }
    for (int i = 0; i < N_MIXERS; i++) {
        addr_text(A(K_MIXER, (uint64_t)i), a);
        fprintf(f, "%s,mixer,%s\n", a, mixer_names[i]);
    }
    for (int i = 0; i < N_DEXES; i++) {
        addr_text(A(K_DEX, (uint64_t)i), a);
        fprintf(f, "%s,dex,%s\n", a, dex_names[i]);
    }
    addr_text(A(K_HACKER, 0), a);
    fprintf(f, "%s,hacker,Lazarus Group (planted theft)\n", a);
    return fclose(f) == 0 ? SHN_OK : SHN_ERR_IO;
}

static int write_truth(struct gen *G, const char *path, shn_u128 stolen, uint32_t t0)
{
    FILE *f = fopen(path, "w");
    char a[43], amt[48], when[32];
    size_t k = 0;

    if (!f)
        return SHN_ERR_IO;
    addr_text(A(K_HACKER, 0), a);
    shn_trace_u128_format(stolen, amt, sizeof amt);
    shn_time_format(t0, when, sizeof when);
    fprintf(f,
            "{\"source\": \"%s\", \"asset\": \"ETH\", \"stolen\": \"%s\", \"theft_time\": \"%s\",\n"
            " \"exits\": [",
            a, amt, when);
    for (int i = 0; i < N_EXCHANGES + N_BRIDGES + N_MIXERS + N_DEXES; i++) {
        const char *name, *kind;
        if (!G->exit_amount[i])
            continue;
        if (i < N_EXCHANGES) {
            name = exchange_names[i];
            kind = "exchange";
        } else if (i < N_EXCHANGES + N_BRIDGES) {
            name = bridge_names[i - N_EXCHANGES];
            kind = "bridge";
        } else if (i < N_EXCHANGES + N_BRIDGES + N_MIXERS) {
            name = mixer_names[i - N_EXCHANGES - N_BRIDGES];
            kind = "mixer";
        } else {
            name = dex_names[i - N_EXCHANGES - N_BRIDGES - N_MIXERS];
            kind = "dex";
        }
        shn_trace_u128_format(G->exit_amount[i], amt, sizeof amt);
        fprintf(
            f,
            "%s\n  {\"label\": \"%s\", \"kind\": \"%s\", \"asset\": \"ETH\", \"amount\": \"%s\"}",
            k++ ? "," : "", name, kind, amt);
    }
    fprintf(f, "],\n \"patterns\": [");
    for (size_t i = 0; i < G->n_pat; i++) {
        addr_text(G->pat[i].addr, a);
        fprintf(f, "%s\n  {\"address\": \"%s\", \"pattern\": \"%s\"}", i ? "," : "", a,
                G->pat[i].what);
    }
    fprintf(f, "]}\n");
    return fclose(f) == 0 ? SHN_OK : SHN_ERR_IO;
}

int shn_sample_trace_case(const char *dir, const struct shn_sample_trace_case_opts *o,
                          struct shn_diag *diag)
{
    struct gen G;
    char path[4096];
    FILE *f = NULL;
    uint64_t users, next = 0, n = o->transfers ? o->transfers : SHN_SAMPLE_TRACE_CASE_TRANSFERS;
    uint32_t fanout = o->fanout ? o->fanout : SHN_SAMPLE_TRACE_CASE_FANOUT;
    uint32_t t0 = START + SPAN / 3;
    shn_u128 stolen = (shn_u128)(o->stolen_eth ? o->stolen_eth : 100000) * ETH;
    int rc = SHN_OK;

    memset(&G, 0, sizeof G);
    G.rng = shn_rng_seed(o->seed ? o->seed : 0x5EED);
    if (n < SHN_SAMPLE_TRACE_CASE_TRANSFERS_MIN || n > SHN_SAMPLE_TRACE_CASE_TRANSFERS_MAX ||
        fanout < SHN_SAMPLE_TRACE_CASE_FANOUT_MIN || fanout > SHN_SAMPLE_TRACE_CASE_FANOUT_MAX)
        return shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, "",
                            "transfers 1000..1e10, fan-out 5..100000");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return shn_diag_set(diag, SHN_ERR_IO, dir, 0, "", "cannot create folder");
    users = n / 8 + 100;
    plant(&G, t0, fanout, stolen);
    if (G.err) {
        rc = G.err;
        goto out;
    }
    qsort(G.ev, G.n_ev, sizeof *G.ev, cmp_ev);
    snprintf(path, sizeof path, "%s/labels.csv", dir);
    rc = write_labels(path);
    if (rc == SHN_OK) {
        snprintf(path, sizeof path, "%s/truth.json", dir);
        rc = write_truth(&G, path, stolen, t0);
    }
    if (rc != SHN_OK) {
        rc = shn_diag_set(diag, rc, path, 0, "", "cannot write");
        goto out;
    }
    snprintf(path, sizeof path, "%s/transfers.csv", dir);
    f = fopen(path, "w");
    if (!f) {
        rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, "", "cannot write");
        goto out;
    }
    fprintf(f, "time,tx,from,to,asset,amount\n");
    for (uint64_t i = 0; i < n; i++) {
        struct ev e;
        background(&G, i, n, users, &e);
        while (next < G.n_ev && G.ev[next].time <= e.time) {
            write_ev(f, &G.ev[next], n + next);
            next++;
        }
        write_ev(f, &e, i);
        if ((i & 0xFFFFF) == 0)
            shn_progress("generating", i, n);
    }
    for (; next < G.n_ev; next++)
        write_ev(f, &G.ev[next], n + next);
    shn_progress_end("generating", n);
    if (fclose(f) != 0)
        rc = shn_diag_set(diag, SHN_ERR_IO, path, 0, "", "write failed");
    f = NULL;
out:
    if (f)
        fclose(f);
    shn_free(G.ev);
    shn_free(G.pat);
    return rc;
}
