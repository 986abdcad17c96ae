/* The accounts engine: every event type parsed, every kind of invalid
 * event rejected with its line, field and reason, idempotent re-ingest,
 * schema migrations on a fresh and an old database, failing allocations,
 * and a kill -9 in the middle of an ingest. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db_test.h"
#include "shinsa/accounts.h"
#include "shinsa/core/alloc.h"
#include "store.h"

static int parse(const char *line, struct shn_accounts_event *ev, struct shn_diag *d)
{
    return shn_accounts_event_parse(line, strlen(line), "t.jsonl", 7, ev, d);
}

static void parses_every_event_type(void **state)
{
    struct shn_accounts_event ev;
    struct shn_diag d = {0};
    const char *account =
        "{\"event\":\"account\",\"id\":\"e1\",\"time\":\"2026-03-01T09:00:00+09:00\","
        "\"account\":\"a1\",\"name\":\"田中 健二\",\"name_reading\":\"タナカ ケンジ\","
        "\"name_latin\":\"Tanaka Kenji\",\"birth_date\":\"1990-02-28\",\"nationality\":\"JP\","
        "\"residence\":\"JP\",\"email\":\"k@example.jp\",\"phone\":\"+81 90 1234 5678\","
        "\"address\":\"東京都\",\"id_document\":{\"type\":\"passport\",\"number\":\"TK1234567\","
        "\"country\":\"JP\",\"image\":\"ids/a1.jpg\",\"image_pdq\":"
        "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF\"},"
        "\"payout\":[{\"type\":\"bank\",\"account\":\"MUFG 001-7654321\"},"
        "{\"type\":\"crypto\",\"chain\":\"TRON\",\"address\":\"TXyz\"}],"
        "\"profile\":\"Webエンジニアです。\\nよろしく\",\"skills\":[\"React\",\"Go\"],"
        "\"hourly_rate\":{\"amount\":3000,\"currency\":\"JPY\"},\"x_platform_tier\":2}";
    assert_int_equal(parse(account, &ev, &d), SHN_OK);
    assert_int_equal(ev.type, SHN_ACCOUNTS_EV_ACCOUNT);
    assert_string_equal(ev.id, "e1");
    assert_string_equal(ev.account, "a1");
    assert_int_equal(ev.time_unix, 1772323200LL); /* 2026-03-01T00:00:00Z */
    assert_ptr_equal(ev.raw, account);

    assert_int_equal(parse("{\"event\":\"login\",\"id\":\"e2\",\"time\":\"2026-03-01T00:00:00Z\","
                           "\"account\":\"a1\",\"ip\":\"2001:db8::1\",\"user_agent\":\"Mozilla\","
                           "\"device\":\"d-1\",\"utc_offset\":\"-05:30\"}",
                           &ev, &d),
                     SHN_OK);
    assert_int_equal(ev.type, SHN_ACCOUNTS_EV_LOGIN);
    assert_int_equal(ev.time_unix, 1772323200LL);

    assert_int_equal(
        parse("{\"event\":\"bid\",\"id\":\"e3\",\"time\":\"2026-03-01T09:00:00.250+09:00\","
              "\"account\":\"a1\",\"job\":\"j9\",\"category\":\"web\","
              "\"amount\":1200.5,\"currency\":\"USD\"}",
              &ev, &d),
        SHN_OK);
    assert_int_equal(ev.type, SHN_ACCOUNTS_EV_BID);
    assert_string_equal(ev.category, "web");
    assert_true(ev.amount == 1200.5);
    assert_string_equal(ev.currency, "USD");

    assert_int_equal(
        parse("{\"event\":\"message\",\"id\":\"e4\",\"time\":\"2026-03-01T09:00:00+09:00\","
              "\"account\":\"a1\",\"to\":\"c7\",\"text\":\"USDTで払ってください\"}",
              &ev, &d),
        SHN_OK);
    assert_int_equal(ev.type, SHN_ACCOUNTS_EV_MESSAGE);

    assert_int_equal(
        parse("{\"event\":\"payout\",\"id\":\"e5\",\"time\":\"2026-03-01T09:00:00+09:00\","
              "\"account\":\"a1\",\"method\":{\"type\":\"paypal\",\"account\":"
              "\"k@example.jp\"},\"amount\":50000,\"currency\":\"JPY\"}",
              &ev, &d),
        SHN_OK);
    assert_int_equal(ev.type, SHN_ACCOUNTS_EV_PAYOUT);
    assert_true(ev.amount == 50000);
    assert_string_equal(ev.currency, "JPY");
}

/* Each invalid line: the field the diagnostic must name and a piece of
 * its reason. */
static const struct {
    const char *line, *field, *reason;
} invalid[] = {
    {"not json", "", "invalid JSON"},
    {"[1,2]", "", "expected a JSON object"},
    {"{\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\"}", "event", "missing"},
    {"{\"event\":\"signup\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\"}",
     "event", "expected account, login"},
    {"{\"event\":\"login\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\",\"ip\":\"1.2.3.4\"}",
     "id", "missing"},
    {"{\"event\":\"login\",\"id\":\"\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\",\"ip\":"
     "\"1.2.3.4\"}",
     "id", "empty"},
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"ip\":\"1.2.3.4\"}",
     "account", "missing"},
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"2026-03-01 09:00\",\"account\":\"a\",\"ip\":"
     "\"1.2.3.4\"}",
     "time", "ISO 8601"},
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"2026-02-30T09:00:00Z\",\"account\":\"a\",\"ip\":"
     "\"1.2.3.4\"}",
     "time", "ISO 8601"},
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00\",\"account\":\"a\",\"ip\":"
     "\"1.2.3.4\"}",
     "time", "with a zone"},
    /* issue 12: dates the old parser let through (core time decides now) */
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"2026-02-29T09:00:00Z\",\"account\":\"a\",\"ip\":"
     "\"1.2.3.4\"}",
     "time", "ISO 8601"},
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"0000-01-01T09:00:00Z\",\"account\":\"a\",\"ip\":"
     "\"1.2.3.4\"}",
     "time", "ISO 8601"},
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"9999-12-31T23:59:60Z\",\"account\":\"a\",\"ip\":"
     "\"1.2.3.4\"}",
     "time", "ISO 8601"},
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00+14:59\",\"account\":\"a\","
     "\"ip\":\"1.2.3.4\"}",
     "time", "ISO 8601"},
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\",\"ip\":"
     "\"1.2.3.4\",\"utc_offset\":\"-12:30\"}",
     "utc_offset", "+HH:MM"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"birth_date\":\"1990-02-29\"}",
     "birth_date", "YYYY-MM-DD"},
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\",\"ip\":"
     "\"1.2.3.999\"}",
     "ip", "not an IPv4"},
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\",\"ip\":"
     "\"1.2.3.4\",\"utc_offset\":\"+9\"}",
     "utc_offset", "+HH:MM"},
    {"{\"event\":\"login\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\",\"ip\":"
     "\"1.2.3.4\",\"devise\":\"d\"}",
     "devise", "unknown field"},
    {"{\"event\":\"login\",\"id\":\"e\",\"id\":\"f\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
     "\"a\",\"ip\":\"1.2.3.4\"}",
     "", "duplicate"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"email\":42}",
     "email", "expected a string"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"name\":\"a\\u0000b\"}",
     "", "\\u0000 is not allowed"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"name\":\"a\\u0007b\"}",
     "name", "control character"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"birth_date\":\"1990-13-01\"}",
     "birth_date", "YYYY-MM-DD"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"residence\":\"Japan\"}",
     "residence", "longer than"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"nationality\":\"jp\"}",
     "nationality", "ISO 3166"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"id_document\":{\"image_pdq\":\"abc\"}}",
     "id_document.image_pdq", "64 hexadecimal"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"id_document\":{\"serial\":\"1\"}}",
     "id_document.serial", "unknown field"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"payout\":[{\"type\":\"bank\",\"account\":\"x\"},{\"type\":\"crypto\",\"address\":\"0x1\"}]"
     "}",
     "payout[1].chain", "missing"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"payout\":[{\"type\":\"cash\",\"account\":\"x\"}]}",
     "payout[0].type", "expected bank, crypto"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"payout\":{\"type\":\"bank\"}}",
     "payout", "expected an array"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"skills\":[\"C\",7]}",
     "skills[1]", "expected a string"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"hourly_rate\":{\"amount\":-5,\"currency\":\"JPY\"}}",
     "hourly_rate.amount", "positive"},
    {"{\"event\":\"bid\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"job\":\"j\",\"amount\":10,\"currency\":\"USD\"}",
     "category", "missing"},
    {"{\"event\":\"bid\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"job\":\"j\",\"category\":\"web\",\"amount\":\"10\",\"currency\":\"USD\"}",
     "amount", "expected a number"},
    {"{\"event\":\"bid\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"job\":\"j\",\"category\":\"web\",\"amount\":10,\"currency\":\"usd\"}",
     "currency", "ISO 4217"},
    {"{\"event\":\"message\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"to\":\"b\"}",
     "text", "missing"},
    {"{\"event\":\"payout\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"method\":{\"type\":\"crypto\",\"chain\":\"BTC\",\"address\":\"bc1q\",\"account\":\"x\"},"
     "\"amount\":1,\"currency\":\"BTC\"}",
     "method.account", "chain and address"},
};

static void rejects_each_kind_of_invalid_event(void **state)
{
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        struct shn_accounts_event ev;
        struct shn_diag d = {0};
        memset(&ev, 0x5A, sizeof ev);
        int rc = parse(invalid[i].line, &ev, &d);
        if (rc == SHN_OK)
            fail_msg("accepted: %s", invalid[i].line);
        assert_int_equal(d.line, 7);
        assert_string_equal(d.file, "t.jsonl");
        if (strcmp(d.field, invalid[i].field) != 0 || !strstr(d.message, invalid[i].reason))
            fail_msg("%s\n  got field '%s' reason '%s', want '%s' / '%s'", invalid[i].line, d.field,
                     d.message, invalid[i].field, invalid[i].reason);
        assert_int_equal(ev.type, 0x5A5A5A5A); /* out-parameter untouched */
    }
}

static void rejects_an_overlong_line(void **state)
{
    struct shn_accounts_event ev;
    struct shn_diag d = {0};
    size_t n = SHN_ACCOUNTS_LINE_MAX + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    assert_int_equal(shn_accounts_event_parse(big, n, "f", 3, &ev, &d), SHN_ERR_TOO_LARGE);
    assert_int_equal(d.line, 3);
    free(big);
}

static void rejects_a_nul_byte_after_the_object(void **state)
{
    static const char line[] = "{\"event\":\"login\",\"id\":\"e\",\"time\":"
                               "\"2026-03-01T09:00:00Z\",\"account\":\"a\",\"ip\":"
                               "\"1.2.3.4\"}\0junk";
    struct shn_accounts_event ev;
    struct shn_diag d = {0};
    assert_int_equal(shn_accounts_event_parse(line, sizeof line - 1, "f", 2, &ev, &d),
                     SHN_ERR_PARSE);
    assert_non_null(strstr(d.message, "NUL"));
    assert_int_equal(shn_accounts_event_parse(line, strlen(line), "f", 2, &ev, &d), SHN_OK);
}

static const char sample[] =
    "{\"event\":\"account\",\"id\":\"e1\",\"time\":\"2026-03-01T09:00:00+09:00\",\"account\":"
    "\"a1\","
    "\"name\":\"Sato\"}\n"
    "\n"
    "{\"event\":\"bid\",\"id\":\"e2\",\"time\":\"2026-03-02T09:00:00+09:00\",\"account\":\"a1\","
    "\"job\":\"j1\",\"category\":\"web\",\"amount\":900,\"currency\":\"JPY\"}\n"
    "{\"event\":\"bid\",\"id\":\"e3\",\"time\":\"2026-03-02T09:00:00+09:00\",\"account\":\"a1\"}\n"
    "{\"event\":\"login\",\"id\":\"e4\",\"time\":\"2026-02-28T09:00:00+09:00\",\"account\":\"a1\","
    "\"ip\":\"203.0.113.5\"}\r\n"
    "{\"event\":\"login\",\"id\":\"e4\",\"time\":\"2026-02-28T09:00:00+09:00\",\"account\":\"a1\","
    "\"ip\":\"203.0.113.5\"}\n"
    "{\"event\":\"message\",\"id\":\"e5\",\"time\":\"2026-03-03T09:00:00+09:00\",\"account\":"
    "\"a2\",\"to\":\"a1\",\"text\":\"hi\"}\n"
    "{oops\n"
    "{\"event\":\"payout\",\"id\":\"e6\",\"time\":\"2026-03-04T09:00:00+09:00\",\"account\":\"a1\","
    "\"method\":{\"type\":\"crypto\",\"chain\":\"TRON\",\"address\":\"T9\"},\"amount\":5,"
    "\"currency\":\"USD\"}";

static int ingest_string(struct shn_accounts_db *db, const char *text, FILE *rejects,
                         struct shn_accounts_ingest_stats *st)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    struct shn_accounts_ingest_opts o = {0};
    struct shn_diag d = {0};
    int rc;
    assert_non_null(in);
    o.batch = 2;
    o.rejects = rejects;
    rc = shn_accounts_ingest(db, in, "sample.jsonl", &o, st, &d);
    fclose(in);
    return rc;
}

struct collected {
    char text[4096];
    size_t n;
};

static int collect(void *ctx, const char *type, const char *id, const char *time, const char *json)
{
    struct collected *c = ctx;
    int w = snprintf(c->text + c->n, sizeof c->text - c->n, "%s %s;", type, id);
    assert_true(w > 0 && (size_t)w < sizeof c->text - c->n);
    c->n += (size_t)w;
    assert_non_null(strstr(json, id));
    assert_non_null(time);
    return 0;
}

static void ingest_rejects_and_is_idempotent(void **state)
{
    char path[64], rej[4096] = {0};
    struct shn_accounts_db *db = NULL;
    struct shn_accounts_ingest_stats st;
    struct shn_accounts_summary sum;
    struct collected c = {{0}, 0};
    long long n;
    FILE *rf = tmpfile();
    assert_non_null(rf);
    temp_db(path, sizeof path);
    assert_int_equal(shn_accounts_open(path, &db, NULL), SHN_OK);
    assert_int_equal(ingest_string(db, sample, rf, &st), SHN_OK);
    assert_int_equal(st.lines, 9);
    assert_int_equal(st.loaded, 5);
    assert_int_equal(st.duplicates, 1); /* e4 twice in the same file */
    assert_int_equal(st.rejected, 2);
    assert_int_equal(st.committed, 9);
    rewind(rf);
    assert_true(fread(rej, 1, sizeof rej - 1, rf) > 0);
    assert_non_null(strstr(rej, "{\"line\":4,\"field\":\"job\",\"reason\":\"missing\"}\n"));
    assert_non_null(strstr(rej, "{\"line\":8,\"field\":\"\",\"reason\":\"invalid JSON"));
    fclose(rf);

    /* Again, and again after reopening: nothing new. */
    assert_int_equal(ingest_string(db, sample, NULL, &st), SHN_OK);
    assert_int_equal(st.loaded, 0);
    assert_int_equal(st.duplicates, 6);
    shn_accounts_close(db);
    db = NULL;
    assert_int_equal(shn_accounts_open(path, &db, NULL), SHN_OK);
    assert_int_equal(ingest_string(db, sample, NULL, &st), SHN_OK);
    assert_int_equal(st.loaded, 0);
    assert_int_equal(shn_accounts_count_events(db, &n), SHN_OK);
    assert_int_equal(n, 5);

    /* What show returns: in time order, first and last from all events. */
    assert_int_equal(shn_accounts_show(db, "a1", &sum, collect, &c, NULL), SHN_OK);
    assert_string_equal(sum.account, "a1");
    assert_int_equal(sum.n_events, 4);
    assert_string_equal(sum.first_time, "2026-02-28T09:00:00+09:00");
    assert_string_equal(sum.last_time, "2026-03-04T09:00:00+09:00");
    assert_string_equal(c.text, "login e4;account e1;bid e2;payout e6;");
    assert_int_equal(shn_accounts_show(db, "nobody", &sum, collect, &c, NULL), SHN_ERR_NOT_FOUND);
    shn_accounts_close(db);
    remove_db(path);
}

static long long query_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    long long v = -1;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static void migrations_fresh_and_existing(void **state)
{
    char path[64];
    struct shn__accounts_store *s = NULL;
    struct shn_accounts_db *db = NULL;
    struct shn_diag d = {0};
    sqlite3 *raw = NULL;
    int v = 0;

    /* Fresh: straight to the current version. */
    temp_db(path, sizeof path);
    assert_int_equal(shn_accounts_open(path, &db, NULL), SHN_OK);
    assert_int_equal(shn_accounts_schema_version(db, &v), SHN_OK);
    assert_int_equal(v, SHN_ACCOUNTS_SCHEMA_VERSION);
    shn_accounts_close(db);
    db = NULL;
    remove_db(path);

    /* Existing at version 1, with a bid stored the old way: opening
     * migrates it through every version (version 2 filled a bids table
     * that version 5 drops) and keeps the event. */
    temp_db(path, sizeof path);
    assert_int_equal(shn__accounts_sqlite_open(path, 1, &s, NULL), SHN_OK);
    assert_int_equal(s->ops->schema_version(s, &v), SHN_OK);
    assert_int_equal(v, 1);
    s->ops->close(s);
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(raw,
                     "INSERT INTO events VALUES('e1','a1','bid','2026-03-01T00:00:00Z',"
                     "1772323200,'{\"event\":\"bid\",\"id\":\"e1\",\"time\":"
                     "\"2026-03-01T00:00:00Z\",\"account\":\"a1\",\"job\":\"j\",\"category\":"
                     "\"web\",\"amount\":700,\"currency\":\"JPY\"}');"
                     "INSERT INTO accounts VALUES('a1','2026-03-01T00:00:00Z',1772323200,"
                     "'2026-03-01T00:00:00Z',1772323200,1);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(shn_accounts_open(path, &db, NULL), SHN_OK);
    assert_int_equal(shn_accounts_schema_version(db, &v), SHN_OK);
    assert_int_equal(v, SHN_ACCOUNTS_SCHEMA_VERSION);
    shn_accounts_close(db);
    db = NULL;
    assert_int_equal(query_int(path, "SELECT count(*) FROM events WHERE id = 'e1'"), 1);
    assert_int_equal(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                                     "('bids', 'accounts')"),
                     0);
    assert_int_equal(query_int(path, "SELECT count(*) FROM schema_version"), 1);

    /* A database from a newer shinsa is refused, not touched. */
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_exec(raw, "UPDATE schema_version SET version = 99", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(raw);
    assert_int_equal(shn_accounts_open(path, &db, &d), SHN_ERR_FORMAT);
    assert_null(db);
    assert_non_null(strstr(d.message, "newer"));
    remove_db(path);
}

static void database_is_in_wal_mode(void **state)
{
    char path[64];
    struct shn_accounts_db *db = NULL;
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    temp_db(path, sizeof path);
    assert_int_equal(shn_accounts_open(path, &db, NULL), SHN_OK);
    shn_accounts_close(db);
    assert_int_equal(sqlite3_open(path, &raw), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(raw);
    remove_db(path);
}

static void failing_allocations_fail_cleanly(void **state)
{
    char path[64];
    temp_db(path, sizeof path);
    for (long n = 0; n < 8; n++) {
        struct shn_accounts_db *db = NULL;
        struct shn_accounts_ingest_stats st;
        int rc;
        shn_alloc_fail_after(n);
        rc = shn_accounts_open(path, &db, NULL);
        if (rc == SHN_OK)
            rc = ingest_string(db, sample, NULL, &st);
        shn_alloc_fail_after(-1);
        assert_true(rc == SHN_OK || rc == SHN_ERR_NOMEM);
        shn_accounts_close(db);
    }
    remove_db(path);
}

/* kill -9 in the middle of an ingest: the child reports each commit on a
 * pipe; after a few, the parent kills it. The database must then pass
 * integrity_check and hold at least every event the child had committed,
 * as a prefix of the file (nothing half-written), and a second ingest of
 * the same file completes it. */
#define KILL_EVENTS 60000
#define KILL_BATCH 500

static void report_commit(void *ctx, const struct shn_accounts_ingest_stats *st)
{
    int fd = *(int *)ctx;
    unsigned long long n = st->committed;
    if (write(fd, &n, sizeof n) != (ssize_t)sizeof n)
        _exit(3);
}

static void kill_9_loses_no_committed_event(void **state)
{
    char path[64], events[64], sql[128];
    struct shn_accounts_db *db = NULL;
    struct shn_accounts_ingest_stats st;
    struct shn_accounts_ingest_opts o = {0};
    unsigned long long committed = 0, n;
    int fds[2], status;
    long long stored;
    pid_t pid;
    FILE *f;

    temp_db(path, sizeof path);
    temp_db(events, sizeof events);
    f = fopen(events, "w");
    assert_non_null(f);
    for (int i = 1; i <= KILL_EVENTS; i++)
        fprintf(f,
                "{\"event\":\"bid\",\"id\":\"e%d\",\"time\":\"2026-03-01T09:00:00+09:00\","
                "\"account\":\"a%d\",\"job\":\"j%d\",\"category\":\"web\",\"amount\":%d,"
                "\"currency\":\"JPY\"}\n",
                i, i % 997, i, 1000 + i % 5000);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        f = fopen(events, "r");
        if (!f || shn_accounts_open(path, &db, NULL) != SHN_OK)
            _exit(2);
        o.batch = KILL_BATCH;
        o.on_commit = report_commit;
        o.ctx = &fds[1];
        shn_accounts_ingest(db, f, events, &o, &st, NULL);
        _exit(0); /* finished before the kill: the test below then fails */
    }
    close(fds[1]);
    while (read(fds[0], &n, sizeof n) == (ssize_t)sizeof n) {
        committed = n;
        if (committed >= 10 * KILL_BATCH)
            break;
    }
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    close(fds[0]);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    assert_true(committed >= 10 * KILL_BATCH);

    assert_int_equal(query_int(path, "SELECT count(*) FROM pragma_integrity_check"
                                     " WHERE integrity_check = 'ok'"),
                     1);
    stored = query_int(path, "SELECT count(*) FROM events");
    assert_true(stored >= (long long)committed);
    assert_true(stored < KILL_EVENTS);
    snprintf(sql, sizeof sql, "SELECT max(CAST(substr(id, 2) AS INTEGER)) FROM events");
    assert_int_equal(query_int(path, sql), stored); /* a prefix of the file, no holes */

    /* Resuming: the same file again loads exactly the rest. */
    f = fopen(events, "r");
    assert_non_null(f);
    assert_int_equal(shn_accounts_open(path, &db, NULL), SHN_OK);
    assert_int_equal(shn_accounts_ingest(db, f, events, NULL, &st, NULL), SHN_OK);
    fclose(f);
    assert_int_equal(st.loaded + (unsigned long long)stored, KILL_EVENTS);
    assert_int_equal(st.duplicates, (unsigned long long)stored);
    shn_accounts_close(db);
    unlink(events);
    remove_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_every_event_type),
        cmocka_unit_test(rejects_each_kind_of_invalid_event),
        cmocka_unit_test(rejects_an_overlong_line),
        cmocka_unit_test(rejects_a_nul_byte_after_the_object),
        cmocka_unit_test(ingest_rejects_and_is_idempotent),
        cmocka_unit_test(migrations_fresh_and_existing),
        cmocka_unit_test(database_is_in_wal_mode),
        cmocka_unit_test(failing_allocations_fail_cleanly),
        cmocka_unit_test(kill_9_loses_no_committed_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
