/* The scorer (score.c) end to end on a small platform: --threads is
 * honoured (the same verdicts on 1 to 64 threads, and that many threads
 * really run) and capped with an error naming the limit; and a scoring run
 * whose Nth allocation fails, for every N, returns an error, leaks nothing
 * (the ASan build checks leaks; jansson's allocations are among the
 * points), writes no alert, and the run that
 * succeeds gives the verdicts of an undisturbed run.
 *
 * The binary is linked with -Wl,--wrap=pthread_create (CMakeLists.txt) so
 * that the test can count the threads the scorer starts. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "db_test.h"
#include "shinsa/accounts.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"

int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg);

static unsigned long threads_started;

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    threads_started++;
    return __real_pthread_create(t, attr, fn, arg);
}

#define ACCOUNTS 150 /* three chunks of the scorer (64, 64, 22) */

/* ACCOUNTS ordinary bidders in one market, then a few accounts on which
 * most signals fire: a licence number and a phone shared by two (so that
 * the second pass runs), a DPRK login, crypto and off-platform asks, a
 * copied profile, a cheap bid. */
static char *platform(int accounts)
{
    static const char *const planted[] = {
        "{\"event\":\"account\",\"id\":\"x1\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
        "\"op1\","
        "\"name\":\"田中 健二\",\"residence\":\"JP\",\"phone\":\"090-1234-5678\","
        "\"id_document\":{\"number\":\"123456789012\",\"country\":\"JP\"},"
        "\"profile\":\"私は5年以上の経験を持つウェブ開発者です。PHPとReactで高品質なサイトを"
        "短期間で作ります。お気軽にご相談ください。\","
        "\"payout\":[{\"type\":\"crypto\",\"chain\":\"TRON\","
        "\"address\":\"TQ5NPj1Gc3Lp5vK9aZ7P5cS2W7gVn9kJ8f\"}]}",
        "{\"event\":\"account\",\"id\":\"x2\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
        "\"op2\","
        "\"name\":\"佐藤 一郎\",\"residence\":\"JP\",\"phone\":\"+81 90 1234 5678\","
        "\"id_document\":{\"number\":\"1234-5678-9012\",\"country\":\"JP\"},"
        "\"profile\":\"私は5年以上の経験を持つウェブ開発者です。PHPとReactで高品質なサイトを"
        "短期間で作ります。お気軽にご相談ください。\"}",
        "{\"event\":\"login\",\"id\":\"x3\",\"time\":\"2026-03-01T10:00:00Z\",\"account\":\"op1\","
        "\"ip\":\"175.45.177.10\",\"device\":\"dev-1\",\"utc_offset\":\"+08:00\"}",
        "{\"event\":\"message\",\"id\":\"x4\",\"time\":\"2026-03-02T10:00:00Z\",\"account\":"
        "\"op1\","
        "\"to\":\"c1\",\"text\":\"お支払いはUSDTでお願いします。Telegramで直接連絡してください\"}",
        "{\"event\":\"bid\",\"id\":\"x5\",\"time\":\"2026-03-02T11:00:00Z\",\"account\":\"op2\","
        "\"job\":\"j\",\"category\":\"web\",\"amount\":1500,\"currency\":\"JPY\"}",
        "{\"event\":\"payout\",\"id\":\"x6\",\"time\":\"2026-03-09T12:00:00Z\",\"account\":\"op1\","
        "\"method\":{\"type\":\"crypto\",\"chain\":\"TRON\","
        "\"address\":\"TQ5NPj1Gc3Lp5vK9aZ7P5cS2W7gVn9kJ8f\"},\"amount\":20000,\"currency\":"
        "\"JPY\"}",
    };
    size_t cap = (size_t)accounts * 200 + 4096, n = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int i = 0; i < accounts; i++)
        n += (size_t)snprintf(text + n, cap - n,
                              "{\"event\":\"bid\",\"id\":\"b%d\",\"time\":\"2026-03-01T09:00:00Z\","
                              "\"account\":\"u%03d\",\"job\":\"j\",\"category\":\"web\","
                              "\"amount\":%d,\"currency\":\"JPY\"}\n",
                              i, i, 9000 + 10 * i);
    for (size_t i = 0; i < sizeof planted / sizeof planted[0]; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s\n", planted[i]);
    assert_true(n < cap);
    return text;
}

/* Two platforms: ACCOUNTS bidders for the threads, 8 for the allocation
 * failures (each of whose thousands of runs scores every account). */
static struct {
    char path[64], small_path[64];
    struct shn_events_db *db, *small;
} fx;

static int open_platform(int accounts, char *path, size_t size, struct shn_events_db **db)
{
    char *text = platform(accounts);
    FILE *f = fmemopen(text, strlen(text), "r");
    int rc;
    temp_db(path, size);
    rc = shn_events_open(path, db, NULL);
    if (rc == SHN_OK)
        rc = shn_events_ingest(*db, f, "platform", NULL, NULL, NULL);
    fclose(f);
    free(text);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    /* The installed IP databases take 0.15 s to load: off, so that a
     * thousand failing runs stay quick. */
    setenv("SHINSA_IPDB_DIR", "/nonexistent", 1);
    return open_platform(ACCOUNTS, fx.path, sizeof fx.path, &fx.db) == SHN_OK &&
                   open_platform(8, fx.small_path, sizeof fx.small_path, &fx.small) == SHN_OK
               ? 0
               : -1;
}

static int teardown(void **state)
{
    (void)state;
    shn_events_close(fx.db);
    shn_events_close(fx.small);
    remove_db(fx.path);
    remove_db(fx.small_path);
    return 0;
}

struct verdicts {
    size_t n;
    char account[ACCOUNTS + 8][16];
    double score[ACCOUNTS + 8];
    int level[ACCOUNTS + 8];
    uint64_t json[ACCOUNTS + 8]; /* a hash of the score JSON: signals, scores, evidence */
};

static int collect(void *ctx, const struct shn_accounts_score *s)
{
    struct verdicts *v = ctx;
    struct shn_buf b;
    uint64_t h = 1469598103934665603ull;
    int rc;
    if (v->n >= ACCOUNTS + 8)
        return SHN_OK;
    shn_buf_init(&b, 1u << 20);
    rc = shn_accounts_score_json(s, &b);
    for (size_t i = 0; rc == SHN_OK && i < b.len; i++)
        h = (h ^ (unsigned char)b.data[i]) * 1099511628211ull;
    shn_buf_cleanup(&b);
    snprintf(v->account[v->n], sizeof v->account[0], "%s", s->account);
    v->score[v->n] = s->score;
    v->json[v->n] = h;
    v->level[v->n++] = s->level;
    return rc;
}

static void same_verdicts(const struct verdicts *a, const struct verdicts *b)
{
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_string_equal(a->account[i], b->account[i]);
        assert_true(a->score[i] == b->score[i]);
        assert_int_equal(a->level[i], b->level[i]);
        assert_true(a->json[i] == b->json[i]);
    }
}

static int score(struct shn_events_db *db, unsigned threads, const char *config, struct verdicts *v,
                 struct shn_diag *d)
{
    struct shn_accounts_score_opts o = {.threads = threads, .config_path = config};
    memset(v, 0, sizeof *v);
    return shn_accounts_score_run(db, &o, collect, v, NULL, d);
}

/* Regression: score.c said `threads` threads but always ran two. */
static void threads_are_honoured(void **state)
{
    static const unsigned counts[] = {1, 2, 3, 7, 64};
    struct verdicts one, many;
    unsigned long base;
    (void)state;
    threads_started = 0;
    assert_int_equal(score(fx.db, 1, NULL, &one, NULL), SHN_OK);
    assert_int_equal(one.n, ACCOUNTS + 2);
    assert_string_equal(one.account[0], "op1");      /* account id order */
    assert_true(one.level[0] == SHN_ACCOUNTS_BLOCK); /* the DPRK login */
    base = threads_started;                          /* one thread: the scorer starts none */
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        unsigned t = counts[i];
        /* Per chunk of k accounts, min(t, k) - 1 threads besides the
         * caller's; the first pass scores the two accounts that share a
         * phone (one chunk of 2). */
        unsigned long want = 0;
        for (size_t left = ACCOUNTS + 2; left > 0;) {
            size_t k = left < 64 ? left : 64;
            want += (t < k ? t : k) - 1;
            left -= k;
        }
        want += (t < 2 ? t : 2) - 1;
        threads_started = 0;
        assert_int_equal(score(fx.db, t, NULL, &many, NULL), SHN_OK);
        same_verdicts(&one, &many);
        assert_int_equal(threads_started - base, want);
    }
    /* 0 is the default, two threads. */
    assert_int_equal(score(fx.db, 0, NULL, &many, NULL), SHN_OK);
    same_verdicts(&one, &many);
}

static void threads_over_the_limit_are_refused(void **state)
{
    struct verdicts v;
    struct shn_diag d = {0};
    (void)state;
    assert_int_equal(score(fx.db, SHN_ACCOUNTS_THREADS_MAX + 1, NULL, &v, &d), SHN_ERR_INVALID);
    assert_string_equal(d.field, "threads");
    assert_non_null(strstr(d.message, "at most 64"));
    assert_int_equal(v.n, 0);
}

static int count_alert(void *ctx, const struct shn_events_alert *a)
{
    (void)a;
    ++*(int *)ctx;
    return SHN_OK;
}

/* Every allocation of a run, world load to alerts, failing in turn. One
 * thread: the failure countdown is not thread-safe. The text engine is left
 * out (MeCab's dictionary takes long to load; unnatural_japanese has its
 * own loop in test_signal_text.c). */
static void scoring_survives_failing_allocations(void **state)
{
    static const char cfg[] = "{\"signals\":{\"unnatural_japanese\":{\"enabled\":false}}}";
    char cfg_path[80];
    struct verdicts want, got;
    struct shn_accounts_score_opts o = {.threads = 1, .raise_alerts = true};
    struct shn_accounts_score_stats st;
    FILE *f;
    long n;
    int rc = SHN_ERR_NOMEM, alerts = 0;
    (void)state;
    snprintf(cfg_path, sizeof cfg_path, "%s.json", fx.small_path);
    f = fopen(cfg_path, "w");
    assert_non_null(f);
    fputs(cfg, f);
    fclose(f);
    o.config_path = cfg_path;
    assert_int_equal(score(fx.small, 1, cfg_path, &want, NULL), SHN_OK);
    for (n = 0; rc != SHN_OK && n < 100000; n++) {
        memset(&got, 0, sizeof got);
        shn_alloc_fail_after(n);
        rc = shn_accounts_score_run(fx.small, &o, collect, &got, &st, NULL);
        shn_alloc_fail_after(-1);
        if (rc != SHN_OK && rc != SHN_ERR_NOMEM && rc != SHN_ERR_TOO_LARGE)
            fail_msg("allocation %ld failing: %s", n, shn_strerror(rc));
        /* A failed run rolls its alerts back. */
        alerts = 0;
        assert_int_equal(shn_accounts_alerts_each(fx.small, SHN_ACCOUNTS_REVIEW, NULL, count_alert,
                                                  &alerts, NULL),
                         SHN_OK);
        assert_int_equal(alerts, rc == SHN_OK ? (int)st.alerts_raised : 0);
    }
    print_message("scoring: %ld allocation failure points\n", n - 1);
    assert_int_equal(rc, SHN_OK);
    assert_true(st.alerts_raised >= 2);
    same_verdicts(&want, &got);
    remove(cfg_path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threads_are_honoured),
        cmocka_unit_test(threads_over_the_limit_are_refused),
        cmocka_unit_test(scoring_survives_failing_allocations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
