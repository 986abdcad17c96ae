/* The scoring world (world.c) built from a small store and from JSON Lines
 * with the Nth allocation failing, for every N: each failing build returns
 * SHN_ERR_NOMEM (or SHN_ERR_TOO_LARGE), frees what it took (the ASan build
 * checks leaks), never crashes, and the build that succeeds is the world
 * an undisturbed build makes. The store loader parses on worker threads;
 * the failure hook's count is atomic, so the loop reaches their
 * allocations too. jansson's allocations (the event parser) are among the
 * points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db_test.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/events.h"
#include "world.h"

/* A few accounts with every kind of event and list the world keeps:
 * profile changes (names, emails, phones, documents, payout methods),
 * logins, bids, messages and payouts, out of time order in the file. */
static const char platform[] =
    "{\"event\":\"account\",\"id\":\"a1\",\"time\":\"2026-03-01T09:00:00+09:00\",\"account\":"
    "\"u1\",\"name\":\"田中 健二\",\"name_latin\":\"Kenji Tanaka\",\"birth_date\":\"1990-04-01\","
    "\"nationality\":\"JP\",\"residence\":\"JP\",\"email\":\"k@example.jp\","
    "\"phone\":\"090-1234-5678\",\"id_document\":{\"type\":\"licence\",\"number\":\"123456789012\","
    "\"country\":\"JP\",\"image_pdq\":"
    "\"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\"},"
    "\"payout\":[{\"type\":\"bank\",\"account\":\"mizuho 1234567\"}],"
    "\"profile\":\"ウェブ開発者です。\",\"skills\":[\"php\",\"react\"],"
    "\"hourly_rate\":{\"amount\":3000,\"currency\":\"JPY\"}}\n"
    "{\"event\":\"login\",\"id\":\"l1\",\"time\":\"2026-03-01T10:00:00Z\",\"account\":\"u1\","
    "\"ip\":\"175.45.177.10\",\"device\":\"dev-1\",\"user_agent\":\"Mozilla/5.0\","
    "\"utc_offset\":\"+08:00\"}\n"
    "{\"event\":\"account\",\"id\":\"a2\",\"time\":\"2026-03-05T09:00:00Z\",\"account\":\"u1\","
    "\"name\":\"田中 健\",\"email\":\"k2@example.jp\",\"payout\":[{\"type\":\"crypto\","
    "\"chain\":\"TRON\",\"address\":\"TQ5NPj1Gc3Lp5vK9aZ7P5cS2W7gVn9kJ8f\"}]}\n"
    "{\"event\":\"message\",\"id\":\"m1\",\"time\":\"2026-03-02T10:00:00Z\",\"account\":\"u1\","
    "\"to\":\"u2\",\"text\":\"お支払いはUSDTでお願いします。\"}\n"
    "{\"event\":\"payout\",\"id\":\"p1\",\"time\":\"2026-03-09T12:00:00Z\",\"account\":\"u1\","
    "\"method\":{\"type\":\"crypto\",\"chain\":\"TRON\","
    "\"address\":\"TQ5NPj1Gc3Lp5vK9aZ7P5cS2W7gVn9kJ8f\"},\"amount\":20000,\"currency\":\"JPY\"}\n"
    "{\"event\":\"bid\",\"id\":\"b1\",\"time\":\"2026-03-02T11:00:00Z\",\"account\":\"u2\","
    "\"job\":\"j1\",\"category\":\"web\",\"amount\":1500,\"currency\":\"JPY\"}\n"
    "{\"event\":\"bid\",\"id\":\"b2\",\"time\":\"2026-03-01T11:00:00Z\",\"account\":\"u2\","
    "\"job\":\"j2\",\"category\":\"web\",\"amount\":90.5,\"currency\":\"USD\"}\n"
    "{\"event\":\"account\",\"id\":\"a3\",\"time\":\"2026-02-01T00:00:00Z\",\"account\":\"u2\","
    "\"name\":\"佐藤 一郎\",\"phone\":\"+81 90 1234 5678\"}\n"
    "{\"event\":\"login\",\"id\":\"l2\",\"time\":\"2026-03-03T10:00:00Z\",\"account\":\"u3\","
    "\"ip\":\"2001:db8::1\"}\n"
    "{\"event\":\"login\",\"id\":\"l3\",\"time\":\"2026-03-03T11:00:00Z\",\"account\":\"u3\","
    "\"ip\":\"192.0.2.7\",\"device\":\"dev-1\"}\n";

static const char *s(const char *v)
{
    return v ? v : "-";
}

/* Everything the signals read of a world, as text: two worlds are the same
 * when their digests are. */
static void digest(const struct shn__world *w, struct shn_buf *out)
{
    char line[1024];
    shn_buf_reset(out);
#define PUT(...)                                                                                   \
    do {                                                                                           \
        snprintf(line, sizeof line, __VA_ARGS__);                                                  \
        assert_int_equal(shn_buf_append_str(out, line), SHN_OK);                                   \
    } while (0)
    PUT("accounts %zu events %zu\n", w->n_accounts, w->n_events);
    for (size_t i = 0; i < w->n_accounts; i++) {
        const struct shn__w_account *a = &w->accounts[i];
        PUT("%s %lld..%lld n=%zu name=%s/%s/%s dob=%s nat=%s res=%s email=%s phone=%s "
            "address=%s profile=%s rate=%g %s\n",
            a->id, (long long)a->first_t, (long long)a->last_t, a->n_events, s(a->name),
            s(a->name_reading), s(a->name_latin), s(a->birth_date), s(a->nationality),
            s(a->residence), s(a->email), s(a->phone), s(a->address), s(a->profile), a->rate_amount,
            s(a->rate_currency));
        for (size_t k = 0; k < a->n_names; k++)
            PUT(" name %s\n", a->names[k]);
        for (size_t k = 0; k < a->n_emails; k++)
            PUT(" email %s\n", a->emails[k]);
        for (size_t k = 0; k < a->n_phones; k++)
            PUT(" phone %s\n", a->phones[k]);
        for (size_t k = 0; k < a->n_profiles; k++)
            PUT(" profile %s\n", a->profiles[k]);
        for (size_t k = 0; k < a->n_docs; k++)
            PUT(" doc %s %s %s %d\n", s(a->docs[k].type), s(a->docs[k].number),
                s(a->docs[k].country), a->docs[k].has_pdq);
        for (size_t k = 0; k < a->n_pays; k++)
            PUT(" pay %s %s %s %s\n", s(a->pays[k].type), s(a->pays[k].account),
                s(a->pays[k].chain), s(a->pays[k].address));
        for (size_t k = 0; k < a->n_changes; k++)
            PUT(" change %lld %u\n", (long long)a->changes[k].t, a->changes[k].fields);
        for (size_t k = 0; k < a->n_logins; k++)
            PUT(" login %lld %s %s %s %d %d\n", (long long)a->logins[k].t, s(a->logins[k].ip),
                s(a->logins[k].device), s(a->logins[k].user_agent), a->logins[k].has_offset,
                a->logins[k].utc_offset_min);
        for (size_t k = 0; k < a->n_bids; k++)
            PUT(" bid %lld %s %s %s %g %s\n", (long long)a->bids[k].t, s(a->bids[k].id),
                s(a->bids[k].job), s(a->bids[k].category), a->bids[k].amount,
                s(a->bids[k].currency));
        for (size_t k = 0; k < a->n_msgs; k++)
            PUT(" msg %lld %s %s %s\n", (long long)a->msgs[k].t, s(a->msgs[k].id), s(a->msgs[k].to),
                s(a->msgs[k].text));
        for (size_t k = 0; k < a->n_payouts; k++)
            PUT(" payout %lld %s %g %s %s\n", (long long)a->payouts[k].t, s(a->payouts[k].id),
                a->payouts[k].amount, s(a->payouts[k].currency), s(a->payouts[k].method.address));
    }
#undef PUT
}

static struct {
    char path[64];
    struct shn_events_db *db;
} fx;

static int setup(void **state)
{
    FILE *f = fmemopen((void *)platform, sizeof platform - 1, "r");
    struct shn_events_ingest_stats st;
    int rc;
    (void)state;
    temp_db(fx.path, sizeof fx.path);
    rc = shn_events_open(fx.path, &fx.db, NULL);
    if (rc == SHN_OK)
        rc = shn_events_ingest(fx.db, f, "platform", NULL, &st, NULL);
    fclose(f);
    return rc == SHN_OK && st.rejected == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    shn_events_close(fx.db);
    remove_db(fx.path);
    return 0;
}

/* The world of the store and the world of the file are one world. */
static void store_and_file_give_one_world(void **state)
{
    struct shn__world *a = NULL, *b = NULL;
    struct shn_buf da, db;
    (void)state;
    shn_buf_init(&da, 1 << 20);
    shn_buf_init(&db, 1 << 20);
    assert_int_equal(shn__world_load(fx.db, false, &a, NULL), SHN_OK);
    assert_int_equal(shn__world_from_jsonl(platform, sizeof platform - 1, &b, NULL), SHN_OK);
    assert_int_equal(a->n_accounts, 3);
    assert_int_equal(a->n_events, 10);
    digest(a, &da);
    digest(b, &db);
    assert_string_equal(da.data, db.data);
    /* the latest profile wins; every name ever given is kept (both kanji
     * forms and the Latin one) */
    assert_string_equal(shn__world_find(a, "u1")->name, "田中 健");
    assert_int_equal(shn__world_find(a, "u1")->n_names, 3);
    assert_int_equal(shn__world_find(a, "u2")->n_bids, 2);
    shn__world_free(a);
    shn__world_free(b);
    shn_buf_cleanup(&da);
    shn_buf_cleanup(&db);
}

typedef int (*build_fn)(struct shn__world **out);

static int from_store(struct shn__world **out)
{
    return shn__world_load(fx.db, false, out, NULL);
}

static int from_file(struct shn__world **out)
{
    return shn__world_from_jsonl(platform, sizeof platform - 1, out, NULL);
}

static long build_failing(build_fn build, const char *what)
{
    struct shn__world *w = NULL;
    struct shn_buf want, got;
    long n;
    int rc = SHN_ERR_NOMEM;
    shn_buf_init(&want, 1 << 20);
    shn_buf_init(&got, 1 << 20);
    assert_int_equal(build(&w), SHN_OK);
    digest(w, &want);
    shn__world_free(w);
    for (n = 0; rc != SHN_OK && n < 100000; n++) {
        struct shn__world *sentinel = (struct shn__world *)&want;
        w = sentinel;
        shn_alloc_fail_after(n);
        rc = build(&w);
        shn_alloc_fail_after(-1);
        if (rc != SHN_OK) {
            if (rc != SHN_ERR_NOMEM && rc != SHN_ERR_TOO_LARGE)
                fail_msg("%s, allocation %ld failing: %s", what, n, shn_strerror(rc));
            assert_ptr_equal(w, sentinel); /* untouched on failure */
        }
    }
    assert_int_equal(rc, SHN_OK);
    digest(w, &got);
    assert_string_equal(got.data, want.data);
    shn__world_free(w);
    shn_buf_cleanup(&want);
    shn_buf_cleanup(&got);
    print_message("%s: %ld allocation failure points\n", what, n - 1);
    return n - 1;
}

static void store_world_survives_failing_allocations(void **state)
{
    (void)state;
    assert_true(build_failing(from_store, "world from the store") > 20);
}

static void file_world_survives_failing_allocations(void **state)
{
    (void)state;
    /* jansson parses every line: its allocations are most of the points */
    assert_true(build_failing(from_file, "world from JSON Lines") > 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(store_and_file_give_one_world),
        cmocka_unit_test(store_world_survives_failing_allocations),
        cmocka_unit_test(file_world_survives_failing_allocations),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
