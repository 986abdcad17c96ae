/* The signals built on the scoring world: underpriced and dup_id_image
 * (each other signal has its own test file), the config loader, and the
 * scorer's combination, levels, hard rules and alerts. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db_test.h"
#include "signal_test.h"

/* A market of 30 web bids from 8,500 to 11,400 JPY, three
 * bids in a thin category, and the accounts under test. */
static struct shn__world *underpriced_market(void)
{
    static char text[16384];
    size_t n = 0;
    for (int i = 0; i < 30; i++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "{\"event\":\"bid\",\"id\":\"m%d\",\"time\":"
                              "\"2026-03-01T09:00:00Z\",\"account\":\"m%d\",\"job\":\"j\","
                              "\"category\":\"web\",\"amount\":%d,\"currency\":\"JPY\"}\n",
                              i, i, 8500 + 100 * i);
    for (int i = 0; i < 3; i++)
        n += (size_t)snprintf(text + n, sizeof text - n,
                              "{\"event\":\"bid\",\"id\":\"r%d\",\"time\":"
                              "\"2026-03-01T09:00:00Z\",\"account\":\"r%d\",\"job\":\"j\","
                              "\"category\":\"rare\",\"amount\":%d,\"currency\":\"JPY\"}\n",
                              i, i, 50000);
    n += (size_t)snprintf(
        text + n, sizeof text - n, "%s",
        "{\"event\":\"bid\",\"id\":\"c1\",\"time\":\"2026-03-02T09:00:00Z\",\"account\":"
        "\"cheap\",\"job\":\"j\",\"category\":\"web\",\"amount\":1990,\"currency\":\"JPY\"}\n"
        "{\"event\":\"bid\",\"id\":\"c2\",\"time\":\"2026-03-02T09:00:00Z\",\"account\":"
        "\"cheap\",\"job\":\"j\",\"category\":\"web\",\"amount\":9000,\"currency\":\"JPY\"}\n"
        "{\"event\":\"bid\",\"id\":\"c3\",\"time\":\"2026-03-02T09:00:00Z\",\"account\":"
        "\"cheap\",\"job\":\"j\",\"category\":\"rare\",\"amount\":100,\"currency\":\"JPY\"}\n"
        "{\"event\":\"bid\",\"id\":\"u1\",\"time\":\"2026-03-02T09:00:00Z\",\"account\":"
        "\"usd\",\"job\":\"j\",\"category\":\"web\",\"amount\":20,\"currency\":\"USD\"}\n"
        "{\"event\":\"bid\",\"id\":\"f1\",\"time\":\"2026-03-02T09:00:00Z\",\"account\":"
        "\"fair\",\"job\":\"j\",\"category\":\"web\",\"amount\":10000,\"currency\":\"JPY\"}\n");
    assert_true(n < sizeof text);
    return world_of(text);
}

static void underpriced_fires_on_a_fraction_of_the_median(void **state)
{
    struct shn__world *w = underpriced_market();
    struct shn_accounts_signal sig;
    (void)state;

    /* 1,990 against the web market (33 JPY bids with the account's own, and
     * the 20 USD bid at 3,000 JPY: 34 bids, median 9,850): ratio 0.202,
     * score 0.747; the rare-category bid has too thin a market (3 < 20). */
    run_signal(&shn__signal_underpriced, w, NULL, "cheap", &sig);
    assert_string_equal(sig.signal, "underpriced");
    assert_true(sig.weight == 1.0);
    assert_true(sig.score > 0.74 && sig.score < 0.76);
    ev_str(sig, "lowest.bid", "c1");
    ev_int(sig, "underpriced_bids", 1);
    ev_int(sig, "thin_market_bids", 1);
    ev_num(sig, "market.median", 9850);
    ev_int(sig, "market.bids", 34);
    assert_non_null(strstr(sig.reason_en, "1 bid(s) under 40% of the market"));
    assert_non_null(strstr(sig.reason_ja, "相場の40%未満の入札が1件"));

    /* A stricter threshold: 0.202 is no longer under it. */
    run_signal(&shn__signal_underpriced, w, "{\"signals\":{\"underpriced\":{\"ratio\":0.2}}}",
               "cheap", &sig);
    assert_true(sig.score == 0);

    /* A fair bid; an account without bids. */
    run_signal(&shn__signal_underpriced, w, NULL, "fair", &sig);
    assert_true(sig.score == 0);
    run_signal(&shn__signal_underpriced, w, NULL, "m3", &sig);
    assert_true(sig.score == 0);

    /* 20 USD is 3,000 JPY with the default rates: under the market. */
    run_signal(&shn__signal_underpriced, w, NULL, "usd", &sig);
    assert_true(sig.score > 0.5);
    ev_num(sig, "lowest.amount_base", 3000);
    ev_str(sig, "lowest.currency", "USD");
    ev_str(sig, "market.currency", "base");
    /* Without a USD rate it is alone in its own market: silent. */
    run_signal(&shn__signal_underpriced, w,
               "{\"rates\":{\"base\":\"JPY\",\"to_base\":{\"JPY\":1}}}", "usd", &sig);
    assert_true(sig.score == 0);
    ev_int(sig, "thin_market_bids", 1);
    /* min_bids above the market: silent. */
    run_signal(&shn__signal_underpriced, w, "{\"signals\":{\"underpriced\":{\"min_bids\":100}}}",
               "cheap", &sig);
    assert_true(sig.score == 0);
    shn__world_free(w);
}

static const char id_docs[] =
    "{\"event\":\"account\",\"id\":\"d1\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
    "\"p1\",\"id_document\":{\"type\":\"passport\",\"image_pdq\":"
    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}}\n"
    "{\"event\":\"account\",\"id\":\"d2\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
    "\"p2\",\"id_document\":{\"image_pdq\":"
    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abce10\"}}\n"
    "{\"event\":\"account\",\"id\":\"d2b\",\"time\":\"2026-03-02T09:00:00Z\",\"account\":"
    "\"p2\",\"id_document\":{\"image_pdq\":"
    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abce10\"}}\n"
    "{\"event\":\"account\",\"id\":\"d3\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
    "\"p3\",\"id_document\":{\"image_pdq\":"
    "\"0123456789abcdef0123456789abcdeffedcba9876543210fedcba9876543210\"}}\n"
    "{\"event\":\"account\",\"id\":\"d4\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
    "\"n1\",\"id_document\":{\"number\":\"第 1234-5678-9012 号\",\"country\":\"JP\"}}\n"
    "{\"event\":\"account\",\"id\":\"d5\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
    "\"n2\",\"id_document\":{\"number\":\"123456789012\",\"country\":\"JP\"}}\n"
    "{\"event\":\"account\",\"id\":\"d6\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
    "\"n3\",\"id_document\":{\"number\":\"123456789012\",\"country\":\"KR\"}}\n"
    "{\"event\":\"login\",\"id\":\"d7\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
    "\"solo\",\"ip\":\"192.0.2.1\"}\n";

static void dup_id_image_by_hash_distance_and_number(void **state)
{
    struct shn__world *w = world_of(id_docs);
    struct shn_accounts_signal sig;
    (void)state;

    /* p2's image is 10 bits from p1's (one document, though sent twice);
     * p3's is 128 bits away. */
    run_signal(&shn__signal_dup_id_image, w, NULL, "p1", &sig);
    assert_string_equal(sig.signal, "dup_id_image");
    assert_true(sig.weight == 3.0);
    assert_true(sig.score > 0.84 && sig.score < 0.85); /* 1 - 10/64 */
    ev_len(sig, "", 5);
    ev_int(sig, "documents", 1);
    ev_int(sig, "pdq_distance", 31);
    ev_int(sig, "matching_documents", 1);
    ev_int(sig, "other_accounts", 1);
    ev_len(sig, "matches", 1);
    ev_len(sig, "matches.0", 3);
    ev_str(sig, "matches.0.account", "p2");
    ev_str(sig, "matches.0.by", "id_image");
    ev_int(sig, "matches.0.distance", 10);
    assert_non_null(strstr(sig.reason_en, "closest PDQ distance 10"));
    run_signal(&shn__signal_dup_id_image, w, NULL, "p3", &sig);
    assert_true(sig.score == 0);
    /* A tighter distance than 10 bits: silent. */
    run_signal(&shn__signal_dup_id_image, w,
               "{\"signals\":{\"dup_id_image\":{\"pdq_distance\":8}}}", "p1", &sig);
    assert_true(sig.score == 0);

    /* The same licence number written two ways; a Korean document with
     * the same digits is another document. */
    run_signal(&shn__signal_dup_id_image, w, NULL, "n1", &sig);
    assert_true(sig.score == 1.0);
    ev_len(sig, "matches", 1);
    ev_len(sig, "matches.0", 2);
    ev_str(sig, "matches.0.account", "n2");
    ev_str(sig, "matches.0.by", "id_number");
    ev_nowhere(sig, "n3");

    /* No ID document at all: neutral. */
    run_signal(&shn__signal_dup_id_image, w, NULL, "solo", &sig);
    assert_true(sig.score == 0);
    ev_int(sig, "documents", 0);
    shn__world_free(w);
}

/* Every allocation of underpriced and dup_id_image failing in turn: an
 * error each time, nothing leaked, the same answer when it succeeds. */
static void signals_survive_failing_allocations(void **state)
{
    struct shn__world *m = underpriced_market(), *d = world_of(id_docs);
    (void)state;
    assert_true(run_signal_failing(&shn__signal_underpriced, m, NULL, NULL, "cheap") > 0);
    assert_true(run_signal_failing(&shn__signal_underpriced, m, NULL, NULL, "usd") > 0);
    assert_true(run_signal_failing(&shn__signal_dup_id_image, d, NULL, NULL, "p1") > 0);
    assert_true(run_signal_failing(&shn__signal_dup_id_image, d, NULL, NULL, "n1") > 0);
    shn__world_free(m);
    shn__world_free(d);
}

/* Every config mistake names the key. */
static void config_errors_name_the_key(void **state)
{
    static const struct {
        const char *text, *field;
    } bad[] = {
        {"{\"signals\":{\"underpricd\":{}}}", "signals.underpricd"},
        {"{\"signals\":{\"underpriced\":{\"ratoi\":0.3}}}", "signals.underpriced.ratoi"},
        {"{\"signals\":{\"underpriced\":{\"weight\":\"1\"}}}", "signals.underpriced.weight"},
        {"{\"signals\":{\"sanctions\":{\"enabled\":1}}}", "signals.sanctions.enabled"},
        {"{\"levels\":{\"review\":0.95,\"block\":0.9}}", "levels"},
        {"{\"levels\":{\"reviw\":0.5}}", "levels"},
        {"{\"level\":{}}", "level"},
        {"{\"engines\":{\"screen\":\"x\"}}", "engines.screen"},
        {"{\"rates\":{\"base\":\"JPY\",\"to_base\":{\"USD\":-1}}}", "rates.to_base.USD"},
        {"{\"prior_log_odds\":\"low\"}", "prior_log_odds"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct shn_diag d = {0};
        json_t *c = NULL;
        assert_int_equal(shn__config_parse(bad[i].text, strlen(bad[i].text), "cfg.json", &c, &d),
                         SHN_ERR_PARSE);
        assert_string_equal(d.field, bad[i].field);
        assert_string_equal(d.file, "cfg.json");
        assert_null(c);
    }
    {
        struct shn_diag d = {0};
        json_t *c = NULL;
        assert_int_equal(shn__config_parse("{oops", 5, "cfg.json", &c, &d), SHN_ERR_PARSE);
        assert_int_equal(d.line, 1);
    }
}

/* The built-in defaults parse, and a disabled signal has no weight. */
static void config_defaults_and_disabling(void **state)
{
    json_t *c = NULL;
    const char *text = "{\"signals\":{\"underpriced\":{\"enabled\":false},"
                       "\"dup_id_image\":{\"weight\":5}}}";
    (void)state;
    assert_int_equal(shn__config_load(NULL, &c, NULL), SHN_OK);
    assert_true(shn__config_weight(c, &shn__signal_underpriced) == 1.0);
    json_decref(c);
    assert_int_equal(shn__config_parse(text, strlen(text), "t", &c, NULL), SHN_OK);
    assert_true(shn__config_weight(c, &shn__signal_underpriced) < 0);
    assert_true(shn__config_weight(c, &shn__signal_dup_id_image) == 5.0);
    /* Rates not named keep their defaults when others are merged in. */
    assert_true(json_is_number(
        json_object_get(json_object_get(json_object_get(c, "rates"), "to_base"), "USD")));
    json_decref(c);
}

struct collected {
    char account[16][32];
    double score[16];
    int level[16];
    size_t n;
};

static int collect_score(void *ctx, const struct shn_accounts_score *s)
{
    struct collected *c = ctx;
    if (c->n < 16) {
        snprintf(c->account[c->n], sizeof c->account[0], "%s", s->account);
        c->score[c->n] = s->score;
        c->level[c->n++] = s->level;
    }
    return SHN_OK;
}

static int count_alert(void *ctx, const struct shn_events_alert *a)
{
    (void)a;
    ++*(int *)ctx;
    return SHN_OK;
}

/* Two accounts share a licence number: dup_id_image scores 1.0 with
 * weight 3, L = -2.5 + 3 = 0.5, score 1/(1+e^-0.5) = 0.6225: review. A
 * third account is ok (L = -2.5, 0.0759). Scoring twice raises the alerts
 * once; new evidence raises a new alert. */
static void score_combines_levels_and_alerts_once(void **state)
{
    const char *events =
        "{\"event\":\"account\",\"id\":\"e1\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
        "\"a1\",\"id_document\":{\"number\":\"123456789012\",\"country\":\"JP\"}}\n"
        "{\"event\":\"account\",\"id\":\"e2\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
        "\"a2\",\"id_document\":{\"number\":\"1234-5678-9012\",\"country\":\"JP\"}}\n"
        "{\"event\":\"account\",\"id\":\"e3\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
        "\"a3\",\"id_document\":{\"number\":\"999\",\"country\":\"JP\"}}\n";
    const char *more =
        "{\"event\":\"account\",\"id\":\"e4\",\"time\":\"2026-03-02T09:00:00Z\",\"account\":"
        "\"a4\",\"id_document\":{\"number\":\"123456789012\",\"country\":\"JP\"}}\n";
    char path[64];
    struct shn_events_db *db = NULL;
    struct shn_accounts_score_opts o = {.raise_alerts = true, .threads = 2};
    struct shn_accounts_score_stats st;
    struct collected c = {0};
    int alerts = 0;
    FILE *f;
    (void)state;

    temp_db(path, sizeof path);
    assert_int_equal(shn_events_open(path, &db, NULL), SHN_OK);
    f = fmemopen((void *)events, strlen(events), "r");
    assert_int_equal(shn_events_ingest(db, f, "events", NULL, NULL, NULL), SHN_OK);
    fclose(f);
    assert_int_equal(shn_accounts_score_run(db, &o, collect_score, &c, &st, NULL), SHN_OK);
    assert_int_equal(c.n, 3);
    assert_string_equal(c.account[0], "a1");
    assert_true(fabs(c.score[0] - 0.6225) < 0.001);
    assert_int_equal(c.level[0], SHN_ACCOUNTS_REVIEW);
    assert_int_equal(c.level[1], SHN_ACCOUNTS_REVIEW);
    assert_true(fabs(c.score[2] - 0.0759) < 0.001);
    assert_int_equal(c.level[2], SHN_ACCOUNTS_OK);
    assert_int_equal(st.review, 2);
    assert_int_equal(st.alerts_raised, 2);

    /* The same evidence again: no new alert. */
    assert_int_equal(shn_accounts_score_run(db, &o, NULL, NULL, &st, NULL), SHN_OK);
    assert_int_equal(st.alerts_raised, 0);
    /* A fourth account with the same number: a1's evidence changed. */
    f = fmemopen((void *)more, strlen(more), "r");
    assert_int_equal(shn_events_ingest(db, f, "more", NULL, NULL, NULL), SHN_OK);
    fclose(f);
    assert_int_equal(shn_accounts_score_run(db, &o, NULL, NULL, &st, NULL), SHN_OK);
    assert_int_equal(st.alerts_raised, 3);
    assert_int_equal(
        shn_accounts_alerts_each(db, SHN_ACCOUNTS_REVIEW, NULL, count_alert, &alerts, NULL),
        SHN_OK);
    assert_int_equal(alerts, 5);
    alerts = 0;
    assert_int_equal(
        shn_accounts_alerts_each(db, SHN_ACCOUNTS_BLOCK, NULL, count_alert, &alerts, NULL), SHN_OK);
    assert_int_equal(alerts, 0);

    /* One account; an unknown one. */
    memset(&c, 0, sizeof c);
    o.account = "a3";
    o.raise_alerts = false;
    assert_int_equal(shn_accounts_score_run(db, &o, collect_score, &c, NULL, NULL), SHN_OK);
    assert_int_equal(c.n, 1);
    o.account = "zz";
    assert_int_equal(shn_accounts_score_run(db, &o, NULL, NULL, NULL, NULL), SHN_ERR_NOT_FOUND);
    shn_events_close(db);
    remove_db(path);
}

/* Regressions from the review of the scoring world: */

/* 1. Old harmless events must not push an account's newest ones out of
 * the per-list cap: the latest SHN__W_PER_LIST_MAX are kept. */
static void world_keeps_the_latest_events(void **state)
{
    size_t n = SHN__W_PER_LIST_MAX + 50, cap = n * 160 + 256, o = 0;
    char *text = malloc(cap);
    struct shn__world *w;
    const struct shn__w_account *a;
    (void)state;
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        o += (size_t)snprintf(
            text + o, cap - o,
            "{\"event\":\"login\",\"id\":\"l%zu\",\"time\":\"2026-03-01T%02zu:%02zu:%02zuZ\","
            "\"account\":\"pad\",\"ip\":\"%s\"}\n",
            i, i / 3600 % 24, i / 60 % 60, i % 60, i + 1 == n ? "175.45.176.1" : "192.0.2.1");
    w = world_of(text);
    a = shn__world_find(w, "pad");
    assert_non_null(a);
    assert_int_equal(a->n_logins, SHN__W_PER_LIST_MAX);
    assert_string_equal(a->logins[a->n_logins - 1].ip, "175.45.176.1");
    shn__world_free(w);
    free(text);
}

/* 2. A key written with escapes is the same key (jansson decodes it at
 * ingest): "t\u0065xt" must not hide a message from the signals. */
static void world_reads_escaped_keys(void **state)
{
    struct shn__world *w = world_of(
        "{\"event\":\"message\",\"id\":\"m1\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
        "\"esc\",\"to\":\"c\",\"t\\u0065xt\":\"pay me in USDT\"}\n");
    const struct shn__w_account *a = shn__world_find(w, "esc");
    (void)state;
    assert_non_null(a);
    assert_int_equal(a->n_msgs, 1);
    assert_non_null(a->msgs[0].text);
    assert_string_equal(a->msgs[0].text, "pay me in USDT");
    shn__world_free(w);
}

/* 3. The same document re-sent with every profile change is one document
 * and no document change. */
static void world_documents_are_deduplicated(void **state)
{
    char text[8192];
    size_t o = 0;
    struct shn__world *w;
    const struct shn__w_account *a;
    (void)state;
    for (int i = 0; i < 20; i++)
        o += (size_t)snprintf(
            text + o, sizeof text - o,
            "{\"event\":\"account\",\"id\":\"d%d\",\"time\":\"2026-03-01T09:%02d:00Z\","
            "\"account\":\"doc\",\"id_document\":{\"number\":\"TK111\","
            "\"country\":\"JP\"}}\n",
            i, i);
    o += (size_t)snprintf(text + o, sizeof text - o,
                          "{\"event\":\"account\",\"id\":\"d99\",\"time\":\"2026-03-01T10:00:00Z\","
                          "\"account\":\"doc\",\"id_document\":{\"number\":\"TK222\"}}\n");
    w = world_of(text);
    a = shn__world_find(w, "doc");
    assert_int_equal(a->n_docs, 2);
    assert_int_equal(a->n_changes, 1); /* only TK222 is a change */
    shn__world_free(w);
}

/* 4. A crypto "address" that is not ASCII once stopped the whole run: its
 * masked form was cut inside a character and the evidence could not be
 * built. Now the signal fires with valid evidence. */
static void odd_address_does_not_stop_the_run(void **state)
{
    struct shn__world *w = world_of(
        "{\"event\":\"account\",\"id\":\"a1\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
        "\"odd\",\"payout\":[{\"type\":\"crypto\",\"chain\":\"ETH\","
        "\"address\":\"aウォレットアドレス\"}]}\n");
    struct shn_accounts_signal sig;
    (void)state;
    run_signal(&shn__signal_crypto_payment, w, NULL, "odd", &sig);
    assert_true(sig.score > 0);
    ev_len(sig, "methods", 1);
    ev_str(sig, "methods.0.source", "declared");
    shn__world_free(w);
}

/* 5. A database edited by hand with an impossible time: the event is left
 * out of the world (its time differences would overflow), the rest scores. */
static int count_scored(void *ctx, const struct shn_accounts_score *s)
{
    (void)s;
    ++*(int *)ctx;
    return SHN_OK;
}

static void tampered_time_is_left_out(void **state)
{
    const char *events =
        "{\"event\":\"login\",\"id\":\"t1\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
        "\"a1\",\"ip\":\"192.0.2.1\"}\n"
        "{\"event\":\"login\",\"id\":\"t2\",\"time\":\"2026-03-01T10:00:00Z\",\"account\":"
        "\"a1\",\"ip\":\"192.0.2.2\"}\n";
    char path[64];
    struct shn_events_db *db = NULL;
    struct shn_accounts_score_opts o = {.account = "a1"};
    struct shn_accounts_score_stats st;
    sqlite3 *raw = NULL;
    int scored = 0;
    FILE *f;
    (void)state;
    temp_db(path, sizeof path);
    assert_int_equal(shn_events_open(path, &db, NULL), SHN_OK);
    f = fmemopen((void *)events, strlen(events), "r");
    assert_int_equal(shn_events_ingest(db, f, "events", NULL, NULL, NULL), SHN_OK);
    fclose(f);
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw,
                                  "UPDATE events SET time_unix = 9000000000000000000 "
                                  "WHERE id = 't2'",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(shn_accounts_score_run(db, &o, count_scored, &scored, &st, NULL), SHN_OK);
    assert_int_equal(scored, 1);
    assert_int_equal(st.events, 1);
    shn_events_close(db);
    remove_db(path);
}

/* 6. Reasons cut to their field end on a whole character. */
static void reasons_are_cut_on_characters(void **state)
{
    struct shn_accounts_signal sig;
    char long_ja[2048];
    size_t o = 0, n;
    (void)state;
    memset(&sig, 0, sizeof sig);
    while (o + 3 < sizeof long_ja - 1) {
        memcpy(long_ja + o, "あ", 3);
        o += 3;
    }
    long_ja[o] = '\0';
    shn__signal_reason_ja(&sig, "x%s", long_ja); /* 1 + 3k bytes: cut mid-character */
    n = strlen(sig.reason_ja);
    assert_true(n < sizeof sig.reason_ja);
    assert_int_equal((n - 1) % 3, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(underpriced_fires_on_a_fraction_of_the_median),
        cmocka_unit_test(dup_id_image_by_hash_distance_and_number),
        cmocka_unit_test(signals_survive_failing_allocations),
        cmocka_unit_test(config_errors_name_the_key),
        cmocka_unit_test(config_defaults_and_disabling),
        cmocka_unit_test(score_combines_levels_and_alerts_once),
        cmocka_unit_test(world_keeps_the_latest_events),
        cmocka_unit_test(world_reads_escaped_keys),
        cmocka_unit_test(world_documents_are_deduplicated),
        cmocka_unit_test(odd_address_does_not_stop_the_run),
        cmocka_unit_test(reasons_are_cut_on_characters),
        cmocka_unit_test(tampered_time_is_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
