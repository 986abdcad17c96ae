/* The platform database: idempotent ingest with its rejects, show, schema
 * migrations on a fresh and an old database, failing allocations, and a
 * kill -9 in the middle of an ingest. */
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

#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/events.h"
#include "store.h"

/* A fresh database path in the build folder per call, and its removal with
 * SQLite's WAL side files. */
static void temp_db(char *path, size_t size)
{
    static int n;
    snprintf(path, size, "%s/test_events_%d_%d.db", SHN_BUILD_DIR, (int)getpid(), ++n);
}

static void remove_db(const char *path)
{
    static const char *const side[] = {"", "-wal", "-shm"};
    char p[512];
    for (size_t i = 0; i < sizeof side / sizeof side[0]; i++) {
        snprintf(p, sizeof p, "%s%s", path, side[i]);
        unlink(p);
    }
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

static int ingest_string(struct shn_events_db *db, const char *text, FILE *rejects,
                         struct shn_events_ingest_stats *st)
{
    FILE *in = fmemopen((void *)text, strlen(text), "r");
    struct shn_events_ingest_opts o = {0};
    struct shn_diag d = {0};
    int rc;
    assert_non_null(in);
    o.batch = 2;
    o.rejects = rejects;
    rc = shn_events_ingest(db, in, "sample.jsonl", &o, st, &d);
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
    char path[256], rej[4096] = {0};
    struct shn_events_db *db = NULL;
    struct shn_events_ingest_stats st;
    struct shn_events_summary sum;
    struct collected c = {{0}, 0};
    long long n;
    FILE *rf = tmpfile();
    assert_non_null(rf);
    temp_db(path, sizeof path);
    assert_int_equal(shn_events_open(path, &db, NULL), SHN_OK);
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
    shn_events_close(db);
    db = NULL;
    assert_int_equal(shn_events_open(path, &db, NULL), SHN_OK);
    assert_int_equal(ingest_string(db, sample, NULL, &st), SHN_OK);
    assert_int_equal(st.loaded, 0);
    assert_int_equal(shn_events_count(db, &n), SHN_OK);
    assert_int_equal(n, 5);

    /* What show returns: in time order, first and last from all events. */
    assert_int_equal(shn_events_show(db, "a1", &sum, collect, &c, NULL), SHN_OK);
    assert_string_equal(sum.account, "a1");
    assert_int_equal(sum.n_events, 4);
    assert_string_equal(sum.first_time, "2026-02-28T09:00:00+09:00");
    assert_string_equal(sum.last_time, "2026-03-04T09:00:00+09:00");
    assert_string_equal(c.text, "login e4;account e1;bid e2;payout e6;");
    assert_int_equal(shn_events_show(db, "nobody", &sum, collect, &c, NULL), SHN_ERR_NOT_FOUND);
    shn_events_close(db);
    remove_db(path);
}

/* What `accounts show` prints, built by the engine: the JSON document and
 * the text, byte for byte; a missing account; a buffer too small. */
static void show_json_and_text_are_the_cli_output(void **state)
{
    static const char two[] =
        "{\"event\":\"login\",\"id\":\"e1\",\"time\":\"2026-03-02T09:00:00+09:00\",\"account\":"
        "\"a1\",\"ip\":\"203.0.113.5\"}\n"
        "{\"event\":\"account\",\"id\":\"e2\",\"time\":\"2026-03-01T09:00:00+09:00\",\"account\":"
        "\"a1\",\"name\":\"\u4f50\u85e4\",\"x_n\":1.5}\n";
    char path[256];
    struct shn_events_db *db = NULL;
    struct shn_events_ingest_stats st;
    struct shn_diag d = {0};
    struct shn_buf b;
    (void)state;
    temp_db(path, sizeof path);
    assert_int_equal(shn_events_open(path, &db, NULL), SHN_OK);
    assert_int_equal(ingest_string(db, two, NULL, &st), SHN_OK);
    assert_int_equal(st.loaded, 2);
    shn_buf_init(&b, 1 << 20);
    assert_int_equal(shn_events_show_json(db, "a1", &b, &d), SHN_OK);
    assert_string_equal(
        b.data, "{\"account\":\"a1\",\"first_time\":\"2026-03-01T09:00:00+09:00\",\"last_time\":"
                "\"2026-03-02T09:00:00+09:00\",\"n_events\":2,\"events\":[{\"event\":\"account\","
                "\"id\":\"e2\",\"time\":\"2026-03-01T09:00:00+09:00\",\"account\":\"a1\",\"name\":"
                "\"\\u4F50\\u85E4\",\"x_n\":1.5},{\"event\":\"login\",\"id\":\"e1\",\"time\":"
                "\"2026-03-02T09:00:00+09:00\",\"account\":\"a1\",\"ip\":\"203.0.113.5\"}]}");
    shn_buf_reset(&b);
    assert_int_equal(shn_events_show_text(db, "a1", &b, &d), SHN_OK);
    assert_string_equal(b.data,
                        "account a1: 2 events from 2026-03-01T09:00:00+09:00 to "
                        "2026-03-02T09:00:00+09:00\n"
                        "2026-03-01T09:00:00+09:00 account  e2                   {\"event\":"
                        "\"account\",\"id\":\"e2\",\"time\":\"2026-03-01T09:00:00+09:00\","
                        "\"account\":\"a1\",\"name\":\"\u4f50\u85e4\",\"x_n\":1.5}\n"
                        "2026-03-02T09:00:00+09:00 login    e1                   {\"event\":"
                        "\"login\",\"id\":\"e1\",\"time\":\"2026-03-02T09:00:00+09:00\","
                        "\"account\":\"a1\",\"ip\":\"203.0.113.5\"}\n");
    shn_buf_reset(&b);
    assert_int_equal(shn_events_show_json(db, "nobody", &b, &d), SHN_ERR_NOT_FOUND);
    assert_int_equal(shn_events_show_text(db, "nobody", &b, &d), SHN_ERR_NOT_FOUND);
    assert_int_equal(b.len, 0);
    shn_buf_cleanup(&b);
    /* past the caller's cap: an error and nothing half-written */
    shn_buf_init(&b, 64);
    assert_int_equal(shn_buf_append_str(&b, "kept"), SHN_OK);
    assert_int_equal(shn_events_show_json(db, "a1", &b, &d), SHN_ERR_TOO_LARGE);
    assert_string_equal(b.data, "kept");
    shn_buf_cleanup(&b);
    shn_events_close(db);
    remove_db(path);
}

/* A UTF-8 byte order mark before the first event was a bad first line, and
 * ingest exited 0 having dropped that event (issue 12 F12). Only the start
 * of the input may carry one. */
static void regression_byte_order_mark_is_not_a_bad_line(void **state)
{
    static const char with_bom[] =
        "\xEF\xBB\xBF{\"event\":\"login\",\"id\":\"b1\",\"time\":\"2026-03-01T00:00:00Z\","
        "\"account\":\"a1\",\"ip\":\"192.0.2.1\"}\n"
        "\xEF\xBB\xBF{\"event\":\"login\",\"id\":\"b2\",\"time\":\"2026-03-01T00:00:00Z\","
        "\"account\":\"a1\",\"ip\":\"192.0.2.1\"}\n";
    char path[256];
    struct shn_events_db *db = NULL;
    struct shn_events_ingest_stats st;
    long long n = 0;
    (void)state;
    temp_db(path, sizeof path);
    assert_int_equal(shn_events_open(path, &db, NULL), SHN_OK);
    assert_int_equal(ingest_string(db, with_bom, NULL, &st), SHN_OK);
    assert_int_equal(st.lines, 2);
    assert_int_equal(st.loaded, 1);
    assert_int_equal(st.rejected, 1); /* the second line's mark is no mark */
    assert_int_equal(shn_events_count(db, &n), SHN_OK);
    assert_int_equal(n, 1);
    /* a mark alone is a blank first line; a short first line stays itself */
    assert_int_equal(ingest_string(db, "\xEF\xBB\xBF", NULL, &st), SHN_OK);
    assert_int_equal(st.lines, 1);
    assert_int_equal(st.rejected, 0);
    assert_int_equal(ingest_string(db, "\xEF\xBB\n", NULL, &st), SHN_OK);
    assert_int_equal(st.rejected, 1);
    shn_events_close(db);
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
    char path[256];
    struct shn__events_store *s = NULL;
    struct shn_events_db *db = NULL;
    struct shn_diag d = {0};
    sqlite3 *raw = NULL;
    int v = 0;

    /* Fresh: straight to the current version. */
    temp_db(path, sizeof path);
    assert_int_equal(shn_events_open(path, &db, NULL), SHN_OK);
    assert_int_equal(shn_events_schema_version(db, &v), SHN_OK);
    assert_int_equal(v, SHN_EVENTS_SCHEMA_VERSION);
    shn_events_close(db);
    db = NULL;
    remove_db(path);

    /* Existing at version 1, with a bid stored the old way: opening
     * migrates it through every version (version 2 filled a bids table
     * that version 5 drops) and keeps the event. */
    temp_db(path, sizeof path);
    assert_int_equal(shn__events_sqlite_open(path, 1, &s, NULL), SHN_OK);
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
    assert_int_equal(shn_events_open(path, &db, NULL), SHN_OK);
    assert_int_equal(shn_events_schema_version(db, &v), SHN_OK);
    assert_int_equal(v, SHN_EVENTS_SCHEMA_VERSION);
    shn_events_close(db);
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
    assert_int_equal(shn_events_open(path, &db, &d), SHN_ERR_FORMAT);
    assert_null(db);
    assert_non_null(strstr(d.message, "newer"));
    remove_db(path);
}

static void database_is_in_wal_mode(void **state)
{
    char path[256];
    struct shn_events_db *db = NULL;
    sqlite3 *raw = NULL;
    sqlite3_stmt *st = NULL;
    temp_db(path, sizeof path);
    assert_int_equal(shn_events_open(path, &db, NULL), SHN_OK);
    shn_events_close(db);
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
    char path[256];
    temp_db(path, sizeof path);
    for (long n = 0; n < 8; n++) {
        struct shn_events_db *db = NULL;
        struct shn_events_ingest_stats st;
        int rc;
        shn_alloc_fail_after(n);
        rc = shn_events_open(path, &db, NULL);
        if (rc == SHN_OK)
            rc = ingest_string(db, sample, NULL, &st);
        shn_alloc_fail_after(-1);
        assert_true(rc == SHN_OK || rc == SHN_ERR_NOMEM);
        shn_events_close(db);
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

static void report_commit(void *ctx, const struct shn_events_ingest_stats *st)
{
    int fd = *(int *)ctx;
    unsigned long long n = st->committed;
    if (write(fd, &n, sizeof n) != (ssize_t)sizeof n)
        _exit(3);
}

static void kill_9_loses_no_committed_event(void **state)
{
    char path[256], events[256], sql[128];
    struct shn_events_db *db = NULL;
    struct shn_events_ingest_stats st;
    struct shn_events_ingest_opts o = {0};
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
        if (!f || shn_events_open(path, &db, NULL) != SHN_OK)
            _exit(2);
        o.batch = KILL_BATCH;
        o.on_commit = report_commit;
        o.ctx = &fds[1];
        shn_events_ingest(db, f, events, &o, &st, NULL);
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
    assert_int_equal(shn_events_open(path, &db, NULL), SHN_OK);
    assert_int_equal(shn_events_ingest(db, f, events, NULL, &st, NULL), SHN_OK);
    fclose(f);
    assert_int_equal(st.loaded + (unsigned long long)stored, KILL_EVENTS);
    assert_int_equal(st.duplicates, (unsigned long long)stored);
    shn_events_close(db);
    unlink(events);
    remove_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ingest_rejects_and_is_idempotent),
        cmocka_unit_test(show_json_and_text_are_the_cli_output),
        cmocka_unit_test(regression_byte_order_mark_is_not_a_bad_line),
        cmocka_unit_test(migrations_fresh_and_existing),
        cmocka_unit_test(database_is_in_wal_mode),
        cmocka_unit_test(failing_allocations_fail_cleanly),
        cmocka_unit_test(kill_9_loses_no_committed_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
