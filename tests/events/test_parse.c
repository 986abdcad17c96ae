/* The event parser (docs/events.md): every event type parsed, every kind
 * of invalid event rejected with its line, field and reason; and the
 * identifier reader the link engine uses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shinsa/core/alloc.h"
#include "shinsa/events.h"

static int parse(const char *line, struct shn_events_event *ev, struct shn_diag *d)
{
    return shn_events_parse(line, strlen(line), "t.jsonl", 7, ev, d);
}

static void parses_every_event_type(void **state)
{
    struct shn_events_event ev;
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
    assert_int_equal(ev.type, SHN_EVENTS_ACCOUNT);
    assert_string_equal(ev.id, "e1");
    assert_string_equal(ev.account, "a1");
    assert_int_equal(ev.time_unix, 1772323200LL); /* 2026-03-01T00:00:00Z */
    assert_ptr_equal(ev.raw, account);

    assert_int_equal(parse("{\"event\":\"login\",\"id\":\"e2\",\"time\":\"2026-03-01T00:00:00Z\","
                           "\"account\":\"a1\",\"ip\":\"2001:db8::1\",\"user_agent\":\"Mozilla\","
                           "\"device\":\"d-1\",\"utc_offset\":\"-05:30\"}",
                           &ev, &d),
                     SHN_OK);
    assert_int_equal(ev.type, SHN_EVENTS_LOGIN);
    assert_int_equal(ev.time_unix, 1772323200LL);

    assert_int_equal(
        parse("{\"event\":\"bid\",\"id\":\"e3\",\"time\":\"2026-03-01T09:00:00.250+09:00\","
              "\"account\":\"a1\",\"job\":\"j9\",\"category\":\"web\","
              "\"amount\":1200.5,\"currency\":\"USD\"}",
              &ev, &d),
        SHN_OK);
    assert_int_equal(ev.type, SHN_EVENTS_BID);
    assert_string_equal(ev.category, "web");
    assert_true(ev.amount == 1200.5);
    assert_string_equal(ev.currency, "USD");

    assert_int_equal(
        parse("{\"event\":\"message\",\"id\":\"e4\",\"time\":\"2026-03-01T09:00:00+09:00\","
              "\"account\":\"a1\",\"to\":\"c7\",\"text\":\"USDTで払ってください\"}",
              &ev, &d),
        SHN_OK);
    assert_int_equal(ev.type, SHN_EVENTS_MESSAGE);

    assert_int_equal(
        parse("{\"event\":\"payout\",\"id\":\"e5\",\"time\":\"2026-03-01T09:00:00+09:00\","
              "\"account\":\"a1\",\"method\":{\"type\":\"paypal\",\"account\":"
              "\"k@example.jp\"},\"amount\":50000,\"currency\":\"JPY\"}",
              &ev, &d),
        SHN_OK);
    assert_int_equal(ev.type, SHN_EVENTS_PAYOUT);
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
     "id", "duplicate"}, /* a JSON error names the key being read */
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"email\":42}",
     "email", "expected a string"},
    {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a\","
     "\"name\":\"a\\u0000b\"}",
     "name", "\\u0000 is not allowed"},
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
        struct shn_events_event ev;
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

/* Issue 12 F15: an error about a line with personal data in it names the
 * file, the line and the field, and repeats none of the data. */
static void regression_errors_repeat_no_personal_value(void **state)
{
    static const struct {
        const char *line, *field;
    } cases[] = {
        {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
         "\"a\",\"name\":\"山田\\u0000太郎\"}",
         "name"},
        {"{\"event\":\"account\",\"id\":\"e\",\"name\":\"山田 太郎\" \"tanaka@example.jp\"}",
         "name"},
        {"{\"event\":\"account\",\"id\":\"e\",\"email\":\"tanaka.taro@examp", "email"},
        {"{\"event\":\"account\",\"payout\":[{\"type\":\"bank\",\"account\":\"三菱 1234567 "
         "ヤマダ\"},{\"type\":\"bank\",\"account\":三菱}]}",
         "payout[1].account"},
        {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
         "\"a\",\"山田太郎\":\"x\"}",
         "****"},
        {"{\"event\":\"account\",\"id\":\"e\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":"
         "\"a\",\"tanaka@example.jp\":\"x\"}",
         "xxxxxx@xxxxxxx.xx"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct shn_events_event ev;
        struct shn_diag d = {0};
        char text[512];
        assert_int_equal(parse(cases[i].line, &ev, &d), SHN_ERR_PARSE);
        shn_diag_format(&d, text, sizeof text);
        if (d.line != 7 || strcmp(d.file, "t.jsonl") != 0 || strcmp(d.field, cases[i].field) != 0 ||
            strstr(text, "山田") || strstr(text, "太郎") || strstr(text, "tanaka") ||
            strstr(text, "1234567") || strstr(text, "三菱") || strstr(text, "ヤマダ"))
            fail_msg("%s\n  got %s (field '%s')", cases[i].line, text, d.field);
    }
}

static void rejects_an_overlong_line(void **state)
{
    struct shn_events_event ev;
    struct shn_diag d = {0};
    size_t n = SHN_EVENTS_LINE_MAX + 1;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, ' ', n);
    assert_int_equal(shn_events_parse(big, n, "f", 3, &ev, &d), SHN_ERR_TOO_LARGE);
    assert_int_equal(d.line, 3);
    free(big);
}

static void rejects_a_nul_byte_after_the_object(void **state)
{
    static const char line[] = "{\"event\":\"login\",\"id\":\"e\",\"time\":"
                               "\"2026-03-01T09:00:00Z\",\"account\":\"a\",\"ip\":"
                               "\"1.2.3.4\"}\0junk";
    struct shn_events_event ev;
    struct shn_diag d = {0};
    assert_int_equal(shn_events_parse(line, sizeof line - 1, "f", 2, &ev, &d), SHN_ERR_PARSE);
    assert_non_null(strstr(d.message, "NUL"));
    assert_int_equal(shn_events_parse(line, strlen(line), "f", 2, &ev, &d), SHN_OK);
}

/* The identifier reader: what it hands out, in order, and what it refuses
 * with the same words as the parser. */
struct seen {
    char text[1024];
    size_t n;
    bool account_null;
};

static int on_account(void *ctx, const char *value, size_t len)
{
    struct seen *s = ctx;
    s->account_null = value == NULL;
    s->n += (size_t)snprintf(s->text + s->n, sizeof s->text - s->n, "account=%.*s;", (int)len,
                             value ? value : "");
    return SHN_OK;
}

static int on_ident(void *ctx, const struct shn_events_ident_value *v)
{
    struct seen *s = ctx;
    s->n += (size_t)snprintf(s->text + s->n, sizeof s->text - s->n, "%d %s=%.*s%s%s;", v->ident,
                             v->field, (int)v->len, v->value, v->pay_type ? " type=" : "",
                             v->pay_type ? v->pay_type : "");
    return SHN_OK;
}

static int read_idents(const char *line, struct seen *s, struct shn_diag *d)
{
    struct shn_events_ident_reader r = {on_account, on_ident, s};
    memset(s, 0, sizeof *s);
    return shn_events_read_identifiers(line, strlen(line), "l.jsonl", 3, &r, d);
}

static void reads_the_identifiers_of_an_event(void **state)
{
    struct seen s;
    struct shn_diag d = {0};
    (void)state;
    /* no time, no id: still read (the link engine's exports) */
    assert_int_equal(
        read_idents("{\"account\":\"u1\",\"name\":\"A B\",\"email\":\"a@b.jp\",\"phone\":\"090\","
                    "\"device\":\"d\",\"ip\":\"192.0.2.1\",\"id_document\":{\"number\":\"X1\","
                    "\"image_pdq\":\"ff\"},\"payout\":[{\"type\":\"crypto\",\"address\":\"0xA\"},"
                    "{\"type\":\"paypal\",\"account\":\"p@q.jp\"},{\"account\":\"9-9\"},"
                    "{\"type\":\"bank\"}],\"method\":{\"type\":\"bank\",\"account\":\"1-2\"},"
                    "\"x_extra\":1}",
                    &s, &d),
        SHN_OK);
    assert_string_equal(s.text, "account=u1;1 name=A B;2 email=a@b.jp;3 phone=090;4 device=d;"
                                "5 ip=192.0.2.1;6 id_document.number=X1;7 id_document.image_pdq=ff;"
                                "8 payout[0].address=0xA type=crypto;"
                                "8 payout[1].account=p@q.jp type=paypal;"
                                "8 payout[2].account=9-9 type=;8 method.account=1-2 type=bank;");
    /* null is absent; a missing account is handed over as NULL */
    assert_int_equal(read_idents("{\"event\":\"login\",\"email\":null}", &s, &d), SHN_OK);
    assert_true(s.account_null);
    assert_string_equal(s.text, "account=;");
}

static void identifier_reader_refuses_wrong_types(void **state)
{
    static const struct {
        const char *line, *field, *reason;
        int rc;
    } bad[] = {
        {"not json", "", "invalid JSON", SHN_ERR_PARSE},
        {"[1]", "", "expected a JSON object", SHN_ERR_PARSE},
        {"{\"account\":\"a\",\"account\":\"b\"}", "account", "duplicate", SHN_ERR_PARSE},
        {"{\"account\":\"a\",\"event\":7}", "event", "expected a string", SHN_ERR_PARSE},
        {"{\"account\":\"a\",\"email\":42}", "email", "expected a string", SHN_ERR_PARSE},
        {"{\"account\":\"a\",\"id_document\":[]}", "id_document", "expected an object",
         SHN_ERR_PARSE},
        {"{\"account\":\"a\",\"payout\":{}}", "payout", "expected an array", SHN_ERR_PARSE},
        {"{\"account\":\"a\",\"payout\":[1]}", "payout[0]", "expected an object", SHN_ERR_PARSE},
        {"{\"account\":\"a\",\"payout\":[{\"type\":1}]}", "payout[0].type", "expected a string",
         SHN_ERR_PARSE},
        {"{\"account\":\"a\",\"method\":{\"type\":\"bank\",\"account\":7}}", "method.account",
         "expected a string", SHN_ERR_PARSE},
    };
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct seen s;
        struct shn_diag d = {0};
        int rc = read_idents(bad[i].line, &s, &d);
        if (rc != bad[i].rc || strcmp(d.field, bad[i].field) != 0 ||
            !strstr(d.message, bad[i].reason))
            fail_msg("%s: rc %d field '%s' reason '%s'", bad[i].line, rc, d.field, d.message);
        assert_int_equal(d.line, 3);
    }
    /* more payout methods than any event has: bounded work */
    char line[4096];
    size_t n = (size_t)snprintf(line, sizeof line, "{\"account\":\"a\",\"payout\":[{}");
    for (int i = 1; i < 257; i++)
        n += (size_t)snprintf(line + n, sizeof line - n, ",{}");
    snprintf(line + n, sizeof line - n, "]}");
    struct seen s;
    struct shn_diag d = {0};
    assert_int_equal(read_idents(line, &s, &d), SHN_ERR_TOO_LARGE);
    assert_string_equal(d.field, "payout");
}

/* A callback's error stops the reading and comes back as it is. */
static int refuse_account(void *ctx, const char *value, size_t len)
{
    (void)ctx;
    (void)value;
    (void)len;
    return SHN_ERR_INVALID;
}

static void identifier_reader_stops_on_a_callback_error(void **state)
{
    struct seen s = {{0}, 0, false};
    struct shn_events_ident_reader r = {refuse_account, on_ident, &s};
    static const char line[] = "{\"account\":\"a\",\"email\":\"x@y.jp\"}";
    (void)state;
    assert_int_equal(shn_events_read_identifiers(line, strlen(line), "f", 1, &r, NULL),
                     SHN_ERR_INVALID);
    assert_int_equal(s.n, 0);
}

/* ---- failing allocations ------------------------------------------------
 * The parser and the identifier reader with the Nth allocation failing
 * (and every one after it), for N = 0, 1, ... until the call succeeds:
 * jansson's allocations are routed through shn_malloc, so the loop reaches
 * them. A failing call returns SHN_ERR_NOMEM (not the "invalid JSON" that
 * jansson itself would report), leaves the event untouched and leaks
 * nothing (ASan); the call that succeeds says what an undisturbed call
 * says. */
static const char *const failing_lines[] = {
    "{\"event\":\"account\",\"id\":\"e1\",\"time\":\"2026-03-01T09:00:00+09:00\","
    "\"account\":\"a1\",\"name\":\"田中 健二\",\"email\":\"k@example.jp\","
    "\"id_document\":{\"number\":\"TK1234567\",\"image_pdq\":"
    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789ABCDEF\"},"
    "\"payout\":[{\"type\":\"bank\",\"account\":\"MUFG 001-7654321\"},"
    "{\"type\":\"crypto\",\"chain\":\"TRON\",\"address\":\"TXyz\"}],"
    "\"skills\":[\"React\",\"Go\"],\"hourly_rate\":{\"amount\":3000,\"currency\":\"JPY\"}}",
    "{\"event\":\"login\",\"id\":\"e2\",\"time\":\"2026-03-01T00:00:00Z\","
    "\"account\":\"a1\",\"ip\":\"2001:db8::1\",\"utc_offset\":\"-05:30\"}",
    "{\"event\":\"bid\",\"id\":\"e3\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a1\","
    "\"job\":\"j9\",\"category\":\"web\",\"amount\":1200.5,\"currency\":\"USD\"}",
    "{\"event\":\"message\",\"id\":\"e4\",\"time\":\"2026-03-01T09:00:00Z\","
    "\"account\":\"a1\",\"to\":\"a2\",\"text\":\"よろしくお願いします\"}",
    "{\"event\":\"payout\",\"id\":\"e5\",\"time\":\"2026-03-01T09:00:00Z\","
    "\"account\":\"a1\",\"method\":{\"type\":\"crypto\",\"chain\":\"ETH\","
    "\"address\":\"0xA\"},\"amount\":10,\"currency\":\"JPY\"}",
    /* invalid: the loop must still say NOMEM while memory fails, then
     * the parse error */
    "{\"event\":\"bid\",\"id\":\"e6\",\"time\":\"2026-03-01T09:00:00Z\",\"account\":\"a1\"}",
};

static void parser_survives_failing_allocations(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof failing_lines / sizeof failing_lines[0]; i++) {
        const char *line = failing_lines[i];
        struct shn_events_event want, got;
        struct shn_diag dw = {0}, dg;
        int want_rc = parse(line, &want, &dw), rc = SHN_ERR_NOMEM;
        long n;
        for (n = 0; rc == SHN_ERR_NOMEM && n < 10000; n++) {
            memset(&got, 0x5a, sizeof got);
            memset(&dg, 0, sizeof dg);
            shn_alloc_fail_after(n);
            rc = parse(line, &got, &dg);
            shn_alloc_fail_after(-1);
            if (rc == SHN_ERR_NOMEM) {
                assert_string_equal(dg.message, "out of memory");
                assert_int_equal(dg.line, 7);
                for (size_t b = 0; b < sizeof got; b++)
                    assert_int_equal(((unsigned char *)&got)[b], 0x5a);
            }
        }
        assert_int_equal(rc, want_rc);
        assert_true(n > 5); /* jansson's allocations were reached */
        if (rc == SHN_OK) {
            assert_int_equal(got.type, want.type);
            assert_string_equal(got.id, want.id);
            assert_string_equal(got.account, want.account);
            assert_true(got.time_unix == want.time_unix);
            assert_true(got.amount == want.amount);
        } else {
            assert_string_equal(dg.field, dw.field);
            assert_string_equal(dg.message, dw.message);
        }
    }
}

static void identifier_reader_survives_failing_allocations(void **state)
{
    const char *line = failing_lines[0];
    struct seen want, got;
    struct shn_diag d = {0};
    int rc = SHN_ERR_NOMEM;
    long n;
    (void)state;
    assert_int_equal(read_idents(line, &want, &d), SHN_OK);
    for (n = 0; rc == SHN_ERR_NOMEM && n < 10000; n++) {
        shn_alloc_fail_after(n);
        rc = read_idents(line, &got, &d);
        shn_alloc_fail_after(-1);
    }
    assert_int_equal(rc, SHN_OK);
    assert_true(n > 5);
    assert_string_equal(got.text, want.text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_every_event_type),
        cmocka_unit_test(rejects_each_kind_of_invalid_event),
        cmocka_unit_test(regression_errors_repeat_no_personal_value),
        cmocka_unit_test(rejects_an_overlong_line),
        cmocka_unit_test(rejects_a_nul_byte_after_the_object),
        cmocka_unit_test(reads_the_identifiers_of_an_event),
        cmocka_unit_test(identifier_reader_refuses_wrong_types),
        cmocka_unit_test(identifier_reader_stops_on_a_callback_error),
        cmocka_unit_test(parser_survives_failing_allocations),
        cmocka_unit_test(identifier_reader_survives_failing_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
