/* trace engine tests: small graphs with answers worked out by hand
 * (docs/trace.md walks through the first one), import of malformed input,
 * damaged graph files, conservation, allocation failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "build_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/csv.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/log.h"
#include "shinsa/core/section.h"
#include "shinsa/trace.h"

/* The worked example: S is the thief, P and D pay clean funds, X is an
 * exchange. Rows are deliberately out of time order (the P row last); the
 * two t=500 rows share a second and keep their order. */
static const char example_csv[] = "time,tx,from,to,asset,amount\n"
                                  "50,t0,P,A,USDT,1000\n"
                                  "200,t2,S,A,ETH,300\n"
                                  "250,t3,S,A,USDT,1000\n"
                                  "300,t4,A,B,ETH,200\n"
                                  "350,t5,A,B,USDT,400\n"
                                  "400,t6,D,B,ETH,50\n"
                                  "500,t7,B,X,ETH,100\n"
                                  "500,t8,B,A,ETH,150\n"
                                  "1970-01-01T00:10:00Z,t9,A,C,ETH,35\n"
                                  "100,t1,P,A,ETH,100\n";

static const char example_labels[] = "address,kind,name\n"
                                     "X,exchange,Example Exchange\n"
                                     "S,hacker,Thief\n";

struct fixture {
    unsigned char *data;
    size_t len;
    struct shn_trace_graph *g;
};

static struct shn_trace_graph *build(struct fixture *f, const char *csv, const char *labels)
{
    struct shn_trace_builder *b = NULL;
    struct shn_diag diag = {0};

    assert_int_equal(shn_trace_builder_new(&b), SHN_OK);
    assert_int_equal(shn_trace_builder_add_csv(b, csv, strlen(csv), "t.csv", true, &diag), SHN_OK);
    if (labels)
        assert_int_equal(
            shn_trace_builder_add_labels_csv(b, labels, strlen(labels), "l.csv", true, &diag),
            SHN_OK);
    assert_int_equal(shn_trace_builder_to_memory(b, &f->data, &f->len, &diag), SHN_OK);
    shn_trace_builder_free(b);
    assert_int_equal(shn_trace_graph_open_mem(f->data, f->len, &f->g, &diag), SHN_OK);
    return f->g;
}

static void done(struct fixture *f)
{
    shn_trace_graph_close(f->g);
    shn_free(f->data);
}

static uint32_t id_of(const struct shn_trace_graph *g, const char *a)
{
    uint32_t id = 0;
    assert_int_equal(shn_trace_graph_find(g, a, &id), SHN_OK);
    return id;
}

static const struct shn_trace_entry *entry(const struct shn_trace_graph *g,
                                           const struct shn_trace_result *r, const char *addr,
                                           const char *asset)
{
    uint32_t a = id_of(g, addr), k = 0;
    assert_int_equal(shn_trace_graph_find_asset(g, asset, &k), SHN_OK);
    for (size_t i = 0; i < r->n_entries; i++)
        if (r->entries[i].address == a && r->entries[i].asset == k)
            return &r->entries[i];
    return NULL;
}

static void run(const struct shn_trace_graph *g, struct shn_trace_opts *o, int method,
                struct shn_trace_result *r)
{
    static uint32_t src;
    struct shn_diag diag = {0};

    src = id_of(g, "S");
    o->method = method;
    o->sources = &src;
    o->n_sources = 1;
    assert_int_equal(shn_trace_run(g, o, r, &diag), SHN_OK);
    assert_int_equal(shn_trace_check(g, r, &diag), SHN_OK);
}

#define EXPECT(r, addr, asset, recv, taint, held_, hops_)                                          \
    do {                                                                                           \
        const struct shn_trace_entry *e_ = entry(f.g, r, addr, asset);                             \
        assert_non_null(e_);                                                                       \
        assert_true(e_->received == (shn_u128)(recv));                                             \
        assert_true(e_->tainted == (shn_u128)(taint));                                             \
        assert_true(e_->held == (shn_u128)(held_));                                                \
        assert_int_equal(e_->hops, hops_);                                                         \
    } while (0)

static void test_import_sorts_and_indexes(void **state)
{
    struct fixture f = {0};
    struct shn_trace_transfer t;
    const uint32_t *list;
    uint64_t n;
    const char *name;

    (void)state;
    build(&f, example_csv, example_labels);
    assert_int_equal(shn_trace_graph_transfers(f.g), 10);
    assert_int_equal(shn_trace_graph_assets(f.g), 2);
    assert_int_equal(shn_trace_graph_addresses(f.g), 7);
    shn_trace_graph_transfer(f.g, 1, &t); /* the P->A ETH row moved to second */
    assert_int_equal(t.time, 100);
    assert_int_equal(t.from, id_of(f.g, "P"));
    for (uint64_t i = 1; i < 10; i++) {
        struct shn_trace_transfer u;
        shn_trace_graph_transfer(f.g, i - 1, &t);
        shn_trace_graph_transfer(f.g, i, &u);
        assert_true(t.time <= u.time);
    }
    shn_trace_graph_transfer(f.g, 7, &t); /* same second: input order kept */
    assert_int_equal(t.to, id_of(f.g, "X"));
    shn_trace_graph_transfer(f.g, 9, &t);
    assert_int_equal(t.time, 600);
    list = shn_trace_graph_out(f.g, id_of(f.g, "A"), &n);
    assert_int_equal(n, 3);
    assert_true(list[0] < list[1] && list[1] < list[2]);
    list = shn_trace_graph_in(f.g, id_of(f.g, "A"), &n);
    assert_int_equal(n, 5);
    (void)list;
    assert_int_equal(shn_trace_graph_label(f.g, id_of(f.g, "X"), &name), SHN_TRACE_KIND_EXCHANGE);
    assert_string_equal(name, "Example Exchange");
    assert_int_equal(shn_trace_graph_label(f.g, id_of(f.g, "A"), &name), SHN_TRACE_KIND_NONE);
    done(&f);
}

static void test_haircut_by_hand(void **state)
{
    struct fixture f = {0};
    struct shn_trace_opts o = {.stop_kinds = SHN_TRACE_DEFAULT_STOPS};
    struct shn_trace_result r;
    const struct shn_trace_entry *e;

    (void)state;
    build(&f, example_csv, example_labels);
    run(f.g, &o, SHN_TRACE_HAIRCUT, &r);
    /* A: 100 clean then 300 stolen; sends 200 (3/4 tainted = 150); gets 90
     * back from B; sends 35 of 350 with 240 tainted = 24. */
    EXPECT(&r, "A", "ETH", 550, 390, 216, 1);
    EXPECT(&r, "B", "ETH", 250, 150, 0, 2);
    EXPECT(&r, "X", "ETH", 100, 60, 60, 3);
    EXPECT(&r, "C", "ETH", 35, 24, 24, 2);
    EXPECT(&r, "A", "USDT", 2000, 1000, 800, 1);
    EXPECT(&r, "B", "USDT", 400, 200, 200, 2);
    e = entry(f.g, &r, "X", "ETH");
    assert_true(e->stopped);
    assert_int_equal(e->first_tainted, 500);
    assert_int_equal(entry(f.g, &r, "A", "ETH")->first_tainted, 200);
    assert_null(entry(f.g, &r, "D", "ETH"));
    assert_true(entry(f.g, &r, "S", "ETH")->tainted_out == 300);
    shn_trace_result_cleanup(&r);
    done(&f);
}

static void test_poison_by_hand(void **state)
{
    struct fixture f = {0};
    struct shn_trace_opts o = {.stop_kinds = SHN_TRACE_DEFAULT_STOPS};
    struct shn_trace_result r;

    (void)state;
    build(&f, example_csv, example_labels);
    run(f.g, &o, SHN_TRACE_POISON, &r);
    /* Poison: everything A sends after t=200 is tainted; held = balance. */
    EXPECT(&r, "A", "ETH", 550, 450, 315, 1);
    EXPECT(&r, "B", "ETH", 250, 200, 0, 2);
    EXPECT(&r, "X", "ETH", 100, 100, 100, 3);
    EXPECT(&r, "C", "ETH", 35, 35, 35, 2);
    EXPECT(&r, "B", "USDT", 400, 400, 400, 2);
    shn_trace_result_cleanup(&r);
    done(&f);
}

static void test_fifo_by_hand(void **state)
{
    struct fixture f = {0};
    struct shn_trace_opts o = {.stop_kinds = SHN_TRACE_DEFAULT_STOPS};
    struct shn_trace_result r;

    (void)state;
    build(&f, example_csv, example_labels);
    run(f.g, &o, SHN_TRACE_FIFO, &r);
    /* A's lots: clean 100, stolen 300. Sending 200 takes the clean 100 and
     * 100 stolen; B's lots: stolen 100, clean 100, clean 50 (from D); B
     * sends the stolen 100 to X and 150 clean back to A; A sends 35 stolen
     * to C. USDT: A's clean 1000 came first, so the 400 to B are clean. */
    EXPECT(&r, "A", "ETH", 550, 300, 165, 1);
    EXPECT(&r, "B", "ETH", 250, 100, 0, 2);
    EXPECT(&r, "X", "ETH", 100, 100, 100, 3);
    EXPECT(&r, "C", "ETH", 35, 35, 35, 2);
    EXPECT(&r, "A", "USDT", 2000, 1000, 1000, 1);
    assert_null(entry(f.g, &r, "B", "USDT"));
    shn_trace_result_cleanup(&r);
    done(&f);
}

static void test_stops_dust_hops_budget_since(void **state)
{
    struct fixture f = {0};
    struct shn_trace_opts o = {.stop_kinds = SHN_TRACE_DEFAULT_STOPS};
    struct shn_trace_result r;
    uint32_t eth = 0;

    (void)state;
    build(&f, example_csv, example_labels);
    o.dust = 30; /* C's 24 is dust */
    run(f.g, &o, SHN_TRACE_HAIRCUT, &r);
    assert_null(entry(f.g, &r, "C", "ETH"));
    assert_true(r.dust_dropped == 24);
    EXPECT(&r, "A", "ETH", 550, 390, 216, 1);
    shn_trace_result_cleanup(&r);

    memset(&o, 0, sizeof o);
    o.stop_kinds = SHN_TRACE_DEFAULT_STOPS;
    o.max_hops = 2; /* B holds what it got; A's 150 back from B is clean */
    run(f.g, &o, SHN_TRACE_HAIRCUT, &r);
    EXPECT(&r, "B", "ETH", 250, 150, 150, 2);
    EXPECT(&r, "A", "ETH", 550, 300, 135, 1);
    EXPECT(&r, "C", "ETH", 35, 15, 15, 2);
    assert_null(entry(f.g, &r, "X", "ETH"));
    shn_trace_result_cleanup(&r);

    memset(&o, 0, sizeof o); /* no stops: the exchange passes taint on (it sends nothing) */
    run(f.g, &o, SHN_TRACE_HAIRCUT, &r);
    assert_false(entry(f.g, &r, "X", "ETH")->stopped);
    shn_trace_result_cleanup(&r);

    memset(&o, 0, sizeof o);
    o.stop_kinds = SHN_TRACE_DEFAULT_STOPS;
    assert_int_equal(shn_trace_graph_find_asset(f.g, "ETH", &eth), SHN_OK);
    o.has_amount = true;
    o.amount = 100;
    o.amount_asset = eth; /* 100 of the 300 stolen: A has 100 of 400 tainted */
    run(f.g, &o, SHN_TRACE_HAIRCUT, &r);
    EXPECT(&r, "B", "ETH", 250, 50, 0, 2);
    assert_null(entry(f.g, &r, "A", "USDT"));
    assert_true(r.budget_exhausted);
    shn_trace_result_cleanup(&r);

    memset(&o, 0, sizeof o);
    o.since = 250; /* only the USDT theft */
    run(f.g, &o, SHN_TRACE_HAIRCUT, &r);
    assert_null(entry(f.g, &r, "A", "ETH"));
    EXPECT(&r, "B", "USDT", 400, 200, 200, 2);
    shn_trace_result_cleanup(&r);
    done(&f);
}

static shn_u128 p10(int n)
{
    shn_u128 v = 1;
    while (n--)
        v *= 10;
    return v;
}

static void test_cycle_back_to_source_and_big_amounts(void **state)
{
    static const char csv[] = "time,tx,from,to,asset,amount\n"
                              "1,a,P,A,ETH,100000000000000000000000000000000000000\n"
                              "2,b,S,A,ETH,100000000000000000000000000000000000000\n"
                              "3,c,A,B,ETH,100000000000000000000000000000000000000\n"
                              "4,d,B,S,ETH,10000000000000000000000000000000000000\n"
                              "5,e,B,A,ETH,3\n";
    struct fixture f = {0};
    struct shn_trace_opts o = {0};
    struct shn_trace_result r;
    const struct shn_trace_entry *e;

    (void)state;
    build(&f, csv, NULL);
    run(f.g, &o, SHN_TRACE_HAIRCUT, &r);
    /* A: 1e38 clean + 1e38 stolen, sends 1e38: half tainted (256-bit path). */
    EXPECT(&r, "B", "ETH", p10(38), 5 * p10(37), 45 * p10(36) - 1, 2);
    /* B sends 1e37 of 1e38 (half tainted) back to S: 5e36 returns to the
     * thief; then 3 units to A: floor(4.5e37 * 3 / 9e37) = 1. */
    e = entry(f.g, &r, "S", "ETH");
    assert_true(e->source);
    assert_true(e->held == 5 * p10(36));
    e = entry(f.g, &r, "A", "ETH");
    assert_true(e->tainted == p10(38) + 1);
    shn_trace_result_cleanup(&r);
    done(&f);
}

static void test_json_shape(void **state)
{
    struct fixture f = {0};
    struct shn_trace_opts o = {.stop_kinds = SHN_TRACE_DEFAULT_STOPS};
    struct shn_trace_result r;
    struct shn_buf out;

    (void)state;
    build(&f, example_csv, example_labels);
    run(f.g, &o, SHN_TRACE_HAIRCUT, &r);
    shn_buf_init(&out, 1 << 20);
    assert_int_equal(shn_trace_result_json(f.g, &o, &r, &out), SHN_OK);
    assert_non_null(
        strstr(out.data, "{\"method\": \"haircut\", \"sources\": [\"S\"], \"addresses\": ["));
    assert_non_null(strstr(out.data,
                           "{\"address\": \"A\", \"asset\": \"ETH\", \"received\": \"550\", "
                           "\"tainted\": \"390\", \"fraction\": 0.709091, \"hops\": 1, "
                           "\"first_tainted\": \"1970-01-01T00:03:20Z\"}"));
    assert_non_null(strstr(out.data, "\"exits\": [\n  {\"label\": \"Example Exchange\", \"kind\": "
                                     "\"exchange\", \"address\": \"X\", \"asset\": \"ETH\", "
                                     "\"tainted\": \"60\"}]"));
    assert_non_null(strstr(out.data, "\"held\": [\n  {\"address\": \"A\", \"asset\": \"USDT\", "
                                     "\"tainted\": \"800\"}"));
    shn_buf_cleanup(&out);
    shn_trace_result_cleanup(&r);
    done(&f);
}

static void test_etl_files(void **state)
{
    char abuf[SHN_TRACE_ADDRESS_BUF];
    static const char tx[] =
        "hash,nonce,block_hash,block_number,transaction_index,from_address,to_address,value,gas,"
        "gas_price,input,block_timestamp,max_fee_per_gas,max_priority_fee_per_gas,"
        "transaction_type,receipt_status\n"
        "0x01,0,0xb,100,1,0xAAAA000000000000000000000000000000000001,"
        "0xbbbb000000000000000000000000000000000002,500,21000,1,0x,2025-02-21 14:13:35 UTC,,,2,1\n"
        "0x02,1,0xb,100,0,0xaaaa000000000000000000000000000000000001,"
        "0xbbbb000000000000000000000000000000000002,700,21000,1,0x,2025-02-21 14:13:35 UTC,,,2,0\n"
        "0x03,2,0xb,100,2,0xaaaa000000000000000000000000000000000001,,0,21000,1,0x,"
        "2025-02-21 14:13:35 UTC,,,2,1\n"
        "0x04,3,0xb,100,0,0xcccc000000000000000000000000000000000003,"
        "0xaaaa000000000000000000000000000000000001,9,21000,1,0x,1740147215,,,2,1\n";
    static const char tok[] =
        "token_address,from_address,to_address,value,transaction_hash,log_index,block_number,"
        "block_timestamp\n"
        "0xDAC17F958D2ee523a2206206994597C13D831ec7,0xbbbb000000000000000000000000000000000002,"
        "0xcccc000000000000000000000000000000000003,42,0x05,7,101,1740147227\n";
    struct shn_trace_builder *b = NULL;
    struct shn_trace_import_stats st;
    struct shn_diag diag = {0};
    struct shn_trace_transfer t;
    struct fixture f = {0};
    uint32_t id;

    (void)state;
    assert_int_equal(shn_trace_builder_new(&b), SHN_OK);
    assert_int_equal(shn_trace_builder_add_csv(b, tx, strlen(tx), "transactions.csv", true, &diag),
                     SHN_OK);
    assert_int_equal(
        shn_trace_builder_add_csv(b, tok, strlen(tok), "token_transfers.csv", true, &diag), SHN_OK);
    shn_trace_builder_stats(b, &st);
    assert_int_equal(st.rows, 5);
    assert_int_equal(st.transfers, 3);
    assert_int_equal(st.failed, 1);
    assert_int_equal(st.skipped, 1);
    assert_int_equal(st.bad, 0);
    assert_int_equal(shn_trace_builder_to_memory(b, &f.data, &f.len, &diag), SHN_OK);
    shn_trace_builder_free(b);
    assert_int_equal(shn_trace_graph_open_mem(f.data, f.len, &f.g, &diag), SHN_OK);
    /* same block: transaction_index 0 (the C->A row) before index 1 */
    shn_trace_graph_transfer(f.g, 0, &t);
    assert_true(t.amount == 9);
    assert_int_equal(t.time, 1740147215);
    shn_trace_graph_transfer(f.g, 1, &t);
    assert_true(t.amount == 500);
    assert_string_equal(shn_trace_graph_address(f.g, t.from, abuf),
                        "0xaaaa000000000000000000000000000000000001");
    assert_int_equal(shn_trace_graph_find(f.g, "0xAAAA000000000000000000000000000000000001", &id),
                     SHN_OK);
    assert_int_equal(id, t.from);
    assert_string_equal(shn_trace_graph_asset(f.g, t.asset), "ETH");
    shn_trace_graph_transfer(f.g, 2, &t);
    assert_string_equal(shn_trace_graph_asset(f.g, t.asset),
                        "0xdac17f958d2ee523a2206206994597c13d831ec7");
    done(&f);
}

static void test_malformed_rows(void **state)
{
    static const char csv[] = "time,tx,from,to,asset,amount\n"
                              "1,a,P,A,ETH,100\n"
                              "2,b,P,A,ETH,12x\n"
                              "3,c,P,A,ETH\n"
                              "2025-13-01T00:00:00Z,d,P,A,ETH,1\n"
                              "4,e,P,A,ETH,340282366920938463463374607431768211456\n"
                              "5,f,P,has space,ETH,1\n"
                              "6,g,P,A,ETH,0\n";
    struct shn_trace_builder *b = NULL;
    struct shn_trace_import_stats st;
    struct shn_diag diag = {0};
    char text[512];

    (void)state;
    shn_log_set_level(SHN_LOG_ERROR);
    assert_int_equal(shn_trace_builder_new(&b), SHN_OK);
    assert_int_equal(shn_trace_builder_add_csv(b, csv, strlen(csv), "bad.csv", false, &diag),
                     SHN_OK);
    shn_trace_builder_stats(b, &st);
    assert_int_equal(st.rows, 7);
    assert_int_equal(st.transfers, 1);
    assert_int_equal(st.bad, 5);
    assert_int_equal(st.skipped, 1);
    shn_trace_builder_free(b);

    assert_int_equal(shn_trace_builder_new(&b), SHN_OK);
    assert_int_equal(shn_trace_builder_add_csv(b, csv, strlen(csv), "bad.csv", true, &diag),
                     SHN_ERR_PARSE);
    shn_diag_format(&diag, text, sizeof text);
    assert_int_equal(diag.line, 3);
    assert_string_equal(diag.field, "amount");
    assert_non_null(strstr(text, "bad.csv:3"));
    shn_trace_builder_free(b);

    /* an unterminated quote and an unknown header fail in any mode */
    assert_int_equal(shn_trace_builder_new(&b), SHN_OK);
    memset(&diag, 0, sizeof diag);
    assert_int_equal(shn_trace_builder_add_csv(b, "time,tx,from,to,asset,amount\n1,\"x,P,A,E,1\n",
                                               42, "q.csv", false, &diag),
                     SHN_ERR_PARSE);
    assert_int_equal(diag.line, 2);
    assert_int_equal(shn_trace_builder_add_csv(b, "a,b,c\n1,2,3\n", 12, "h.csv", false, &diag),
                     SHN_ERR_PARSE);
    assert_int_equal(diag.line, 1);
    assert_int_equal(shn_trace_builder_add_csv(b, "", 0, "e.csv", false, &diag), SHN_ERR_PARSE);
    memset(&diag, 0, sizeof diag);
    assert_int_equal(
        shn_trace_builder_add_labels_csv(b, "A,exchange,X\nB,casino,Y\n", 23, "l.csv", true, &diag),
        SHN_ERR_PARSE);
    assert_int_equal(diag.line, 2);
    assert_string_equal(diag.field, "kind");
    shn_trace_builder_free(b);
}

static void test_damaged_graph(void **state)
{
    struct fixture f = {0};
    struct shn_trace_graph *g = NULL;
    struct shn_diag diag = {0};
    unsigned char *copy;

    (void)state;
    build(&f, example_csv, example_labels);
    copy = shn_malloc(f.len);
    assert_non_null(copy);
    for (size_t pos = 0; pos < f.len; pos += 7) {
        memcpy(copy, f.data, f.len);
        copy[pos] ^= 0x20;
        assert_int_not_equal(shn_trace_graph_open_mem(copy, f.len, &g, &diag), SHN_OK);
    }
    memcpy(copy, f.data, f.len);
    assert_int_equal(shn_trace_graph_open_mem(copy, f.len - 8, &g, &diag), SHN_ERR_CORRUPT);
    assert_int_equal(shn_trace_graph_open_mem(copy, 10, &g, &diag), SHN_ERR_FORMAT);
    copy[0] = 'X';
    assert_int_equal(shn_trace_graph_open_mem(copy, f.len, &g, &diag), SHN_ERR_FORMAT);
    assert_null(g);
    shn_free(copy);
    done(&f);
}

static void test_file_roundtrip(void **state)
{
    struct shn_trace_builder *b = NULL;
    struct shn_trace_graph *g = NULL;
    struct shn_diag diag = {0};
    char path[512];

    (void)state;
    snprintf(path, sizeof path, "%s/test_trace.graph", SHN_BUILD_DIR);
    assert_int_equal(shn_trace_builder_new(&b), SHN_OK);
    assert_int_equal(
        shn_trace_builder_add_csv(b, example_csv, strlen(example_csv), "t.csv", true, &diag),
        SHN_OK);
    assert_int_equal(shn_trace_builder_write(b, path, &diag), SHN_OK);
    shn_trace_builder_free(b);
    /* Mapped (the default) and loaded into memory read the same graph. */
    assert_int_equal(shn_trace_graph_open(path, &g, &diag), SHN_OK);
    assert_int_equal(shn_trace_graph_transfers(g), 10);
    {
        struct shn_trace_graph *loaded = NULL;
        char a[SHN_TRACE_ADDRESS_BUF], b2[SHN_TRACE_ADDRESS_BUF];
        assert_int_equal(shn_trace_graph_open_ex(path, SHN_TRACE_OPEN_LOAD, &loaded, &diag),
                         SHN_OK);
        assert_int_equal(shn_trace_graph_transfers(loaded), 10);
        assert_int_equal(shn_trace_graph_addresses(loaded), shn_trace_graph_addresses(g));
        for (uint32_t i = 0; i < shn_trace_graph_addresses(g); i++)
            assert_string_equal(shn_trace_graph_address(g, i, a),
                                shn_trace_graph_address(loaded, i, b2));
        shn_trace_graph_close(loaded);
    }
    shn_trace_graph_close(g);
    remove(path);
}

static void test_allocation_failures(void **state)
{
    int rc = SHN_ERR_NOMEM;

    (void)state;
    for (long n = 0; rc != SHN_OK && n < 500; n++) {
        struct shn_trace_builder *b = NULL;
        struct shn_trace_graph *g = NULL;
        struct shn_trace_result r = {0};
        struct shn_trace_opts o = {.method = SHN_TRACE_FIFO};
        unsigned char *data = NULL;
        size_t len = 0;
        uint32_t src = 0;

        shn_alloc_fail_after(n);
        rc = shn_trace_builder_new(&b);
        if (rc == SHN_OK)
            rc =
                shn_trace_builder_add_csv(b, example_csv, strlen(example_csv), "t.csv", true, NULL);
        if (rc == SHN_OK)
            rc = shn_trace_builder_add_labels_csv(b, example_labels, strlen(example_labels),
                                                  "l.csv", true, NULL);
        if (rc == SHN_OK)
            rc = shn_trace_builder_to_memory(b, &data, &len, NULL);
        if (rc == SHN_OK)
            rc = shn_trace_graph_open_mem(data, len, &g, NULL);
        if (rc == SHN_OK)
            rc = shn_trace_graph_find(g, "S", &src);
        o.sources = &src;
        o.n_sources = 1;
        if (rc == SHN_OK)
            rc = shn_trace_run(g, &o, &r, NULL);
        shn_alloc_fail_after(-1);
        shn_trace_result_cleanup(&r);
        shn_trace_graph_close(g);
        shn_free(data);
        shn_trace_builder_free(b);
    }
    assert_int_equal(rc, SHN_OK);
}

static void test_parsers(void **state)
{
    shn_u128 v;
    int64_t t;
    char buf[48];

    (void)state;
    assert_int_equal(shn_trace_u128_parse("340282366920938463463374607431768211455", 39, &v),
                     SHN_OK);
    assert_true(v == ~(shn_u128)0);
    shn_trace_u128_format(v, buf, sizeof buf);
    assert_string_equal(buf, "340282366920938463463374607431768211455");
    assert_int_equal(shn_trace_u128_parse("-1", 2, &v), SHN_ERR_PARSE);
    /* one above the largest, at each digit count where the parser changes step */
    assert_int_equal(shn_trace_u128_parse("340282366920938463463374607431768211456", 39, &v),
                     SHN_ERR_PARSE);
    assert_int_equal(shn_trace_u128_parse("350000000000000000000000000000000000000", 39, &v),
                     SHN_ERR_PARSE);
    assert_int_equal(shn_trace_u128_parse("999999999999999999999999999999999999999", 39, &v),
                     SHN_ERR_PARSE);
    assert_int_equal(shn_trace_u128_parse("000000000000000000000000000000000000042", 39, &v),
                     SHN_OK);
    assert_true(v == 42);
    assert_int_equal(shn_trace_u128_parse("9999999999999999999", 19, &v), SHN_OK);
    assert_true(v == 9999999999999999999ull);
    assert_int_equal(shn_trace_u128_parse("18446744073709551616", 20, &v), SHN_OK);
    assert_true(v == (shn_u128)1 << 64);
    assert_int_equal(shn_trace_u128_parse("12a", 3, &v), SHN_ERR_PARSE);
    assert_int_equal(shn_trace_u128_parse("12345678901234567890x", 21, &v), SHN_ERR_PARSE);
    assert_int_equal(shn_trace_u128_parse("\xff"
                                          "1",
                                          2, &v),
                     SHN_ERR_PARSE);
    assert_int_equal(shn_trace_u128_parse("", 0, &v), SHN_ERR_PARSE);
    assert_int_equal(shn_trace_time_parse("2025-02-21T14:13:35Z", 20, &t), SHN_OK);
    assert_int_equal(t, 1740147215);
    assert_int_equal(shn_trace_time_parse("2025-02-21T14:13:35.123+00:00", 29, &t), SHN_OK);
    assert_int_equal(t, 1740147215);
    assert_int_equal(shn_trace_time_parse("2025-02-21T14:13:35+09:00", 25, &t), SHN_ERR_PARSE);
    /* issue 12 F14: 2026-02-29 was read as 2026-03-01 */
    assert_int_equal(shn_trace_time_parse("2026-02-29T00:00:00Z", 20, &t), SHN_ERR_PARSE);
    assert_int_equal(shn_trace_time_parse("2026-02-29 00:00:00 UTC", 23, &t), SHN_ERR_PARSE);
    assert_int_equal(shn_trace_time_parse("1969-12-31T23:59:59Z", 20, &t), SHN_ERR_PARSE);
    assert_int_equal(shn_trace_time_parse("2025-02-21 14:13:35", 19, &t), SHN_OK);
    assert_int_equal(t, 1740147215);
    assert_int_equal(shn_trace_time_parse("1740147215", 10, &t), SHN_OK);
    assert_int_equal(t, 1740147215);
    shn_trace_time_format(1740147215, buf, sizeof buf);
    assert_string_equal(buf, "2025-02-21T14:13:35Z");
    assert_int_equal(shn_trace_kind_parse("bridge"), SHN_TRACE_KIND_BRIDGE);
    assert_int_equal(shn_trace_method_parse("fifo"), SHN_TRACE_FIFO);
}

static void test_exposure_paths(void **state)
{
    struct fixture f = {0};
    struct shn_trace_opts o = {.stop_kinds = SHN_TRACE_DEFAULT_STOPS, .record_flows = true};
    struct shn_trace_result r;
    struct shn_trace_path *paths = NULL;
    struct shn_trace_transfer t;
    size_t n = 0;

    (void)state;
    build(&f, example_csv, example_labels);
    run(f.g, &o, SHN_TRACE_HAIRCUT, &r);
    assert_int_equal(r.n_flows, r.tainted_transfers);
    assert_int_equal(shn_trace_exposure_paths(f.g, &o, &r, id_of(f.g, "X"), 3, &paths, &n), SHN_OK);
    /* X got 60 from B, whose taint came from A (150), whose from S (300) */
    assert_int_equal(n, 1);
    assert_true(paths[0].tainted == 60);
    assert_true(paths[0].from_source);
    assert_int_equal(paths[0].n_steps, 3);
    shn_trace_graph_transfer(f.g, paths[0].steps[0], &t);
    assert_int_equal(t.from, id_of(f.g, "S"));
    assert_true(paths[0].step_tainted[0] == 300 && paths[0].step_tainted[1] == 150);
    shn_free(paths);
    /* A: the heaviest of its two tainted receipts (USDT 1000, ETH 300...) first */
    assert_int_equal(shn_trace_exposure_paths(f.g, &o, &r, id_of(f.g, "A"), 2, &paths, &n), SHN_OK);
    assert_int_equal(n, 2);
    assert_true(paths[0].tainted == 1000 && paths[1].tainted == 300);
    shn_free(paths);
    shn_trace_result_cleanup(&r);
    done(&f);
}

static void test_patterns(void **state)
{
    struct shn_buf csv, html;
    struct fixture f = {0};
    struct shn_trace_opts o = {.stop_kinds = SHN_TRACE_DEFAULT_STOPS, .record_flows = true};
    struct shn_trace_result r;
    struct shn_trace_pattern *p = NULL;
    size_t n = 0;
    bool fan = false, rapid = false, consol = false, short_lived = false;

    (void)state;
    shn_buf_init(&csv, 1 << 16);
    shn_buf_append_str(&csv, "time,tx,from,to,asset,amount\n");
    /* S splits 100 into ten; F0 passes its 10 on within a minute; F1..F5
     * merge into C, which pays X a day later */
    for (int i = 0; i < 10; i++)
        shn_buf_appendf(&csv, "%d,s%d,S,F%d,ETH,10\n", 1000 + i, i, i);
    shn_buf_append_str(&csv, "1060,r,F0,Y,ETH,10\n");
    for (int i = 1; i <= 5; i++)
        shn_buf_appendf(&csv, "%d,c%d,F%d,C,ETH,10\n", 5000 + i, i, i);
    shn_buf_append_str(&csv, "90000,x,C,X,ETH,50\n");
    build(&f, csv.data, example_labels);
    run(f.g, &o, SHN_TRACE_HAIRCUT, &r);
    assert_int_equal(shn_trace_patterns(f.g, &r, &p, &n), SHN_OK);
    for (size_t i = 0; i < n; i++) {
        char abuf[SHN_TRACE_ADDRESS_BUF];
        const char *a = shn_trace_graph_address(f.g, p[i].address, abuf);
        if (p[i].kind == SHN_TRACE_PAT_FAN_OUT && strcmp(a, "S") == 0)
            fan = strstr(p[i].evidence, "split into 10 addresses") != NULL;
        if (p[i].kind == SHN_TRACE_PAT_RAPID && strcmp(a, "F0") == 0)
            rapid = true;
        if (p[i].kind == SHN_TRACE_PAT_CONSOLIDATION) {
            assert_string_equal(a, "C");
            consol = strstr(p[i].evidence, "from 5 addresses") != NULL;
        }
        if (p[i].kind == SHN_TRACE_PAT_SHORT_LIVED && strcmp(a, "C") == 0)
            short_lived = true;
        assert_false(p[i].kind == SHN_TRACE_PAT_RAPID && strcmp(a, "C") == 0);
    }
    assert_true(fan && rapid && consol && short_lived);
    shn_buf_init(&html, 1 << 20);
    assert_int_equal(shn_trace_report_html(f.g, &o, &r, p, n, &html), SHN_OK);
    assert_non_null(strstr(html.data, "<svg"));
    assert_non_null(strstr(html.data, "Example Exchange"));
    assert_null(strstr(html.data, "<script"));
    shn_buf_cleanup(&html);
    shn_free(p);
    shn_trace_result_cleanup(&r);
    shn_buf_cleanup(&csv);
    done(&f);
}

/* Every amount comes back exactly, whether the file stores it as m * 10^k
 * or through the 128-bit escape (many significant digits, 2^128 - 1, 10^38,
 * mantissas at the 32-bit edge). */
static void test_amounts_exact(void **state)
{
    static const char *amounts[] = {
        "1",
        "10",
        "4294967295",
        "4294967296",
        "42949672950000000000",
        "42949672960000000000",
        "18446744073709551615",
        "18446744073709551616",
        "1500000000000000000",
        "100000000000000000000",
        "123456789012345678901",
        "10000000000000000000000000000000000000",
        "100000000000000000000000000000000000000",
        "340282366920938463463374607431768211455",
        "340282366920938463460000000000000000000",
        "99999999990000000000000000000",
    };
    size_t n = sizeof amounts / sizeof amounts[0];
    struct shn_buf csv;
    struct fixture f = {0};

    (void)state;
    shn_buf_init(&csv, 1 << 16);
    assert_int_equal(shn_buf_append(&csv, "time,tx,from,to,asset,amount\n", 29), SHN_OK);
    for (size_t i = 0; i < n; i++) {
        char row[128];
        int len = snprintf(row, sizeof row, "%zu,t,P,A,ETH,%s\n", i + 1, amounts[i]);
        assert_int_equal(shn_buf_append(&csv, row, (size_t)len), SHN_OK);
    }
    assert_int_equal(shn_buf_append(&csv, "", 1), SHN_OK);
    build(&f, csv.data, NULL);
    assert_int_equal(shn_trace_graph_transfers(f.g), n);
    for (size_t i = 0; i < n; i++) {
        struct shn_trace_transfer t;
        char text[64];
        shn_trace_graph_transfer(f.g, i, &t);
        shn_trace_u128_format(t.amount, text, sizeof text);
        assert_string_equal(text, amounts[i]);
    }
    shn_buf_cleanup(&csv);
    done(&f);
}

/* Graph file version 3: EVM addresses as 20 bytes and other addresses as
 * text, in one table; both read back as written (EVM in lower case) and are
 * found in any case. */
static void test_address_forms(void **state)
{
    static const char csv[] = "time,tx,from,to,asset,amount\n"
                              "10,a,0xAbCdEf0000000000000000000000000000000001,bc1qXyZ,ETH,5\n"
                              "11,b,bc1qXyZ,0X12,ETH,3\n"
                              "12,c,0X12,0xg000000000000000000000000000000000000001,ETH,2\n"
                              "13,d,0xg000000000000000000000000000000000000001,"
                              "0x00000000000000000000000000000000000000ff,ETH,1\n";
    struct fixture f = {0};
    char abuf[SHN_TRACE_ADDRESS_BUF];
    uint32_t id;

    (void)state;
    build(&f, csv, "0xABCDEF0000000000000000000000000000000001,exchange,Upper\n");
    assert_int_equal(shn_trace_graph_addresses(f.g), 5);
    id = id_of(f.g, "0xabcdef0000000000000000000000000000000001");
    assert_int_equal(id, id_of(f.g, "0XABCDEF0000000000000000000000000000000001"));
    assert_string_equal(shn_trace_graph_address(f.g, id, abuf),
                        "0xabcdef0000000000000000000000000000000001");
    assert_int_equal(shn_trace_graph_label(f.g, id, NULL), SHN_TRACE_KIND_EXCHANGE);
    /* not EVM: kept as written, found as written */
    assert_string_equal(shn_trace_graph_address(f.g, id_of(f.g, "bc1qXyZ"), abuf), "bc1qXyZ");
    assert_int_equal(shn_trace_graph_find(f.g, "BC1QXYZ", &id), SHN_ERR_NOT_FOUND);
    /* short hex is lower-cased text; 42 characters with a non-hex digit stay text */
    assert_string_equal(shn_trace_graph_address(f.g, id_of(f.g, "0x12"), abuf), "0x12");
    assert_string_equal(shn_trace_graph_address(
                            f.g, id_of(f.g, "0xg000000000000000000000000000000000000001"), abuf),
                        "0xg000000000000000000000000000000000000001");
    assert_string_equal(shn_trace_graph_address(
                            f.g, id_of(f.g, "0x00000000000000000000000000000000000000FF"), abuf),
                        "0x00000000000000000000000000000000000000ff");
    assert_string_equal(shn_trace_graph_address(f.g, 99, abuf), "");
    done(&f);
}

/* Times are a delta from the base of each block of 256 transfers, in the
 * word's bits the asset ids leave free; a block whose span does not fit
 * takes its times from the side table. With 300 assets (9 bits) the deltas
 * have 17 bits (up to 131071 s): the first block fits, the second spans
 * 10^6 s and needs the side table, the third fits again. */
static void test_time_blocks(void **state)
{
    struct shn_buf csv;
    struct fixture f = {0};
    struct shn_trace_transfer t;

    (void)state;
    shn_buf_init(&csv, 1 << 24);
    shn_buf_append_str(&csv, "time,tx,from,to,asset,amount\n");
    for (int i = 0; i < 768; i++) {
        long time = i < 256   ? 1000 + i * 100
                    : i < 512 ? 4000000000L - (512 - i) * 4000
                              : 4000000000L + i;
        shn_buf_appendf(&csv, "%ld,t%d,A%d,B%d,T%d,%d000000000000000000000\n", time, i, i % 7,
                        i % 5, i % 300, i + 1);
    }
    build(&f, csv.data, NULL);
    assert_int_equal(shn_trace_graph_transfers(f.g), 768);
    assert_int_equal(shn_trace_graph_assets(f.g), 300);
    for (uint64_t i = 0; i < 768; i++) {
        char name[16];
        long want = i < 256   ? 1000 + (long)i * 100
                    : i < 512 ? 4000000000L - (512 - (long)i) * 4000
                              : 4000000000L + (long)i;
        shn_trace_graph_transfer(f.g, i, &t);
        assert_int_equal(t.time, want);
        assert_true(t.amount == (shn_u128)(i + 1) * 1000000000 * 1000000000 * 1000);
        snprintf(name, sizeof name, "T%d", (int)(i % 300));
        assert_string_equal(shn_trace_graph_asset(f.g, t.asset), name);
    }
    done(&f);
    shn_buf_cleanup(&csv);
}

/* Recomputes the checksums of a graph in place, so that a test can hand
 * the reader a file that is damaged but checksummed. */
static void reseal(unsigned char *data, size_t len)
{
    assert_true(shn_section_reseal(data, len));
}

static uint64_t sec_off(const struct fixture *f, int sec, uint64_t *len)
{
    uint64_t off = 0;
    assert_true(shn_section_locate(f->data, f->len, (uint32_t)sec, &off, len));
    return off;
}

static void test_hostile_graph(void **state)
{
    struct fixture f = {0};
    struct shn_trace_graph *g = NULL;
    struct shn_diag diag = {0};
    unsigned char *copy;
    char text[256];
    const uint32_t v3 = 3;

    (void)state;
    build(&f, example_csv, example_labels);
    copy = shn_malloc(f.len);
    assert_non_null(copy);
    /* a version 3 file (before the section file) is refused by its version,
     * naming both */
    memcpy(copy, f.data, f.len);
    memcpy(copy + 8, &v3, 4);
    assert_int_equal(shn_trace_graph_open_mem(copy, f.len, &g, &diag), SHN_ERR_FORMAT);
    shn_diag_format(&diag, text, sizeof text);
    assert_non_null(strstr(text, "format version 3, this shinsa reads version 4"));
    /* resealed files with one bad value each */
    {
        struct {
            int sec;
            uint64_t at; /* byte offset inside the section */
            uint32_t value;
        } bad[] = {
            {SHN__SEC_ADDR_OFF, 4, 0xFFFFFFF0u},       /* offset past the blob */
            {SHN__SEC_ADDR_OFF, 8, 0},                 /* offsets not ascending */
            {SHN__SEC_ADDR_BLOB, 1, 0},                /* NUL inside a text */
            {SHN__SEC_ASSET_OFF, 4, 1000},             /* asset offset out of range */
            {SHN__SEC_TRANSFERS, 0, 1000},             /* from out of range */
            {SHN__SEC_TRANSFERS, 4, 1000},             /* to out of range */
            {SHN__SEC_TRANSFERS, 8, 0x3Fu},            /* asset id and exponent out of range */
            {SHN__SEC_TRANSFERS, 8, 0x40u},            /* escape to a missing BIG amount */
            {SHN__SEC_TRANSFERS, 16 + 8, 0xFFFFFF00u}, /* time beyond the next record's */
            {SHN__SEC_TBLOCKS, 4, 0},                  /* side block that is not there */
            {SHN__SEC_OUT_START, 4, 1000},             /* index start past the list */
            {SHN__SEC_OUT_LIST, 0, 1000},              /* transfer number out of range */
            {SHN__SEC_IN_LIST, 0, 1},                  /* list entry of another address */
            {SHN__SEC_LABELS, 0, 1000},                /* label of no address */
        };
        for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
            uint64_t len, off = sec_off(&f, bad[k].sec, &len), at = off + bad[k].at;
            assert_true(at + 4 <= off + len);
            memcpy(copy, f.data, f.len);
            memcpy(copy + at, &bad[k].value, 4);
            reseal(copy, f.len);
            g = NULL;
            assert_int_equal(shn_trace_graph_open_mem(copy, f.len, &g, &diag), SHN_ERR_CORRUPT);
            assert_null(g);
        }
    }
    /* and resealed unchanged it opens: the checks above are not the CRC's */
    memcpy(copy, f.data, f.len);
    reseal(copy, f.len);
    assert_int_equal(shn_trace_graph_open_mem(copy, f.len, &g, &diag), SHN_OK);
    shn_trace_graph_close(g);
    shn_free(copy);
    done(&f);
}

/* The transfer readers' record reader agrees with shn_csv_next on fields,
 * line numbers and errors, whichever path a record takes. */
static void test_record_reader(void **state)
{
    static const char *const inputs[] = {
        "a,b,c\nd,e,f\n",
        "a,b,c\n\n\r\nd,,f\n,,\n",
        "a,\"b,\"\"x\"\"\",c\nd,e,f",
        "a,b\r\nc,d\r\n",
        "a,b\rc,d\n",
        "x,y\n\x1a",
        "x,\x1ay\n",
        "x,\"unterminated\nmore\n",
        "x,y\"z\n",
        "\n\n\n",
        "",
        "1,2,3",
    };
    struct shn_buf many;

    (void)state;
    shn_buf_init(&many, 1 << 20);
    for (int i = 0; i < 300; i++)
        shn_buf_append_str(&many, i ? ",x" : "x");
    shn_buf_append_str(&many, "\na,b\n");
    for (size_t k = 0; k <= sizeof inputs / sizeof inputs[0]; k++) {
        const char *in = k < sizeof inputs / sizeof inputs[0] ? inputs[k] : many.data;
        size_t len = k < sizeof inputs / sizeof inputs[0] ? strlen(in) : many.len;
        struct shn_csv a, b;
        shn_csv_init(&a, in, len, "a.csv");
        shn_csv_init(&b, in, len, "b.csv");
        for (;;) {
            size_t na = 0, nb = 0;
            int ra = shn__trace_next_record(&a, &na, NULL), rb = shn_csv_next(&b, &nb, NULL);
            assert_int_equal(ra, rb);
            if (ra != SHN_OK)
                break;
            assert_int_equal(na, nb);
            assert_int_equal(a.record_line, b.record_line);
            assert_int_equal(a.line, b.line);
            assert_ptr_equal(a.p, b.p);
            for (size_t i = 0; i < na; i++) {
                assert_int_equal(a.lengths[i], b.lengths[i]);
                assert_memory_equal(a.fields[i], b.fields[i], a.lengths[i]);
            }
        }
        shn_csv_cleanup(&a);
        shn_csv_cleanup(&b);
    }
    shn_buf_cleanup(&many);
}

/* Regression (found by fuzz_trace_csv): amounts are below 2^128 each, but
 * an address receiving two of near 2^128 had its sums wrap around and the
 * run reported "tainted above received". Sums are now checked: up to
 * 2^128 - 1 exactly they are right, past it the run fails with
 * SHN_ERR_TOO_LARGE in every method. */
static void test_sums_near_2_128(void **state)
{
    static const char fits[] = "time,tx,from,to,asset,amount\n"
                               "1,a,S,A,ETH,170141183460469231731687303715884105728\n"
                               "2,b,S,A,ETH,170141183460469231731687303715884105727\n"
                               "3,c,S,B,USDT,340282366920938463463374607431768211455\n"
                               "4,d,A,C,ETH,340282366920938463463374607431768211455\n";
    static const char wraps[] = "time,tx,from,to,asset,amount\n"
                                "1,a,S,A,ETH,340282366920938463463374607431768211455\n"
                                "2,b,P,A,ETH,340282366920938463463374607431768211455\n";
    const shn_u128 max = ~(shn_u128)0;
    struct fixture f = {0};
    struct shn_trace_opts o = {.stop_kinds = SHN_TRACE_DEFAULT_STOPS};
    struct shn_trace_result r = {0};
    struct shn_diag diag = {0};
    uint32_t src;

    (void)state;
    build(&f, fits, NULL);
    for (int m = SHN_TRACE_POISON; m <= SHN_TRACE_FIFO; m++) {
        run(f.g, &o, m, &r); /* conservation checked with 256-bit totals */
        EXPECT(&r, "A", "ETH", max, max, 0, 1);
        EXPECT(&r, "C", "ETH", max, max, max, 2);
        EXPECT(&r, "B", "USDT", max, max, max, 1);
        shn_trace_result_cleanup(&r);
    }
    done(&f);
    build(&f, wraps, NULL);
    src = id_of(f.g, "S");
    o.sources = &src;
    o.n_sources = 1;
    for (int m = SHN_TRACE_POISON; m <= SHN_TRACE_FIFO; m++) {
        o.method = m;
        assert_int_equal(shn_trace_run(f.g, &o, &r, &diag), SHN_ERR_TOO_LARGE);
        assert_null(r.entries);
    }
    done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parsers),
        cmocka_unit_test(test_import_sorts_and_indexes),
        cmocka_unit_test(test_haircut_by_hand),
        cmocka_unit_test(test_poison_by_hand),
        cmocka_unit_test(test_fifo_by_hand),
        cmocka_unit_test(test_stops_dust_hops_budget_since),
        cmocka_unit_test(test_cycle_back_to_source_and_big_amounts),
        cmocka_unit_test(test_amounts_exact),
        cmocka_unit_test(test_json_shape),
        cmocka_unit_test(test_etl_files),
        cmocka_unit_test(test_malformed_rows),
        cmocka_unit_test(test_damaged_graph),
        cmocka_unit_test(test_file_roundtrip),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_exposure_paths),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_address_forms),
        cmocka_unit_test(test_time_blocks),
        cmocka_unit_test(test_hostile_graph),
        cmocka_unit_test(test_record_reader),
        cmocka_unit_test(test_sums_near_2_128),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
