/* Tests for serve's parts that need no server: the config (values, the
 * file's syntax, which value wins), the request target and the router,
 * the /v1/screen body, the error shape, the JSON log line, the metrics
 * buckets, and the screen index's version. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>
#include <unistd.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

#define DEMO_LIST SHN_TEST_DATA "/../../data/demo/demo-list.jsonl"

/* ---- Config --------------------------------------------------------------- */

static void test_values(void **state)
{
    struct sockaddr_storage a;
    socklen_t alen;
    size_t z = 0;
    unsigned long u = 0;

    (void)state;
    assert_true(shn__serve_parse_size("64K", 1024, 1 << 20, &z));
    assert_int_equal(z, 65536);
    assert_true(shn__serve_parse_size("1M", 1024, 1 << 20, &z));
    assert_int_equal(z, 1 << 20);
    assert_false(shn__serve_parse_size("2M", 1024, 1 << 20, &z));
    assert_false(shn__serve_parse_size("512", 1024, 1 << 20, &z));
    assert_false(shn__serve_parse_size("1MB", 1024, 1 << 20, &z));
    assert_false(shn__serve_parse_size("-1K", 1024, 1 << 20, &z));
    assert_false(shn__serve_parse_size("99999999999999999999K", 1024, 1 << 20, &z));
    assert_true(shn__serve_parse_uint("15", 1, 3600, &u));
    assert_int_equal(u, 15);
    assert_false(shn__serve_parse_uint("0", 1, 3600, &u));
    assert_false(shn__serve_parse_uint(" 5", 1, 3600, &u));
    assert_false(shn__serve_parse_uint("5s", 1, 3600, &u));
    assert_true(shn__serve_parse_listen("127.0.0.1:8080", &a, &alen));
    assert_int_equal(a.ss_family, AF_INET);
    assert_true(shn__serve_parse_listen("[::1]:0", &a, &alen));
    assert_int_equal(a.ss_family, AF_INET6);
    assert_true(shn__serve_parse_listen("localhost:1", &a, &alen));
    assert_false(shn__serve_parse_listen("127.0.0.1", &a, &alen));
    assert_false(shn__serve_parse_listen("127.0.0.1:65536", &a, &alen));
    assert_false(shn__serve_parse_listen("example.com:80", &a, &alen));
    assert_false(shn__serve_parse_listen("[::1:80", &a, &alen));
    assert_false(shn__serve_parse_listen(":80", &a, &alen));
}

static void test_set_checks_at_once(void **state)
{
    struct shn_serve_config *cfg = NULL;
    struct shn_diag diag = {0};

    (void)state;
    assert_int_equal(shn_serve_config_new(&cfg), SHN_OK);
    assert_int_equal(shn_serve_config_set(cfg, "--listen", "127.0.0.1:0", &diag), SHN_OK);
    assert_int_equal(shn_serve_config_set(cfg, "limits.queries", "5", &diag), SHN_OK);
    assert_int_equal(shn_serve_config_set(cfg, "--max-body", "5X", &diag), SHN_ERR_PARSE);
    assert_string_equal(diag.file, "command line");
    assert_string_equal(diag.field, "--max-body");
    assert_int_equal(shn_serve_config_set(cfg, "--no-such", "1", &diag), SHN_ERR_PARSE);
    assert_int_equal(shn_serve_config_set(cfg, NULL, "1", &diag), SHN_ERR_INVALID);
    shn_serve_config_free(cfg);
    shn_serve_config_free(NULL);
}

struct seen {
    int n;
    char last[128];
};

static int collect(void *ctx, const char *section, const char *key, const char *value, long line,
                   struct shn_diag *diag)
{
    struct seen *s = ctx;

    (void)diag;
    (void)line;
    if (key)
        snprintf(s->last, sizeof s->last, "%s.%s=%s", section, key, value);
    s->n++;
    return SHN_OK;
}

static void test_file_syntax(void **state)
{
    static const char good[] = "\xEF\xBB\xBF# comment\n[server]\r\n  listen = 127.0.0.1:1  \n\n";
    struct shn_diag diag = {0};
    struct seen s = {0};

    (void)state;
    assert_int_equal(shn__serve_conf_parse(good, sizeof good - 1, "f", collect, &s, &diag), SHN_OK);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.last, "server.listen=127.0.0.1:1");
    assert_int_equal(shn__serve_conf_parse("[a]\nk\n", 6, "f", collect, &s, &diag), SHN_ERR_PARSE);
    assert_int_equal(diag.line, 2);
    assert_int_equal(shn__serve_conf_parse("[a b]\n", 6, "f", collect, &s, &diag), SHN_ERR_PARSE);
    assert_int_equal(shn__serve_conf_parse("k = v\n", 6, "f", collect, &s, &diag), SHN_ERR_PARSE);
    assert_string_equal(diag.field, "k");
    assert_int_equal(shn__serve_conf_parse("[a]\nk = \xff\n", 9, "f", collect, &s, &diag),
                     SHN_ERR_ENCODING);
    assert_int_equal(shn__serve_conf_parse("[a]\nk = a\0b\n", 11, "f", collect, &s, &diag),
                     SHN_ERR_ENCODING);
}

static void test_resolve_precedence(void **state)
{
    char path[] = "/tmp/shinsa-serve-test-XXXXXX";
    int fd = mkstemp(path);
    static const char text[] = "[data]\ndir = /srv/d\nscreen_index = s.idx\n"
                               "[limits]\nqueries = 7\nbody_size = 64K\n";
    struct shn_serve_config *cfg = NULL;
    struct shn__serve_settings s;
    struct shn_diag diag = {0};

    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, sizeof text - 1), (ssize_t)(sizeof text - 1));
    close(fd);
    assert_int_equal(shn_serve_config_new(&cfg), SHN_OK);
    assert_int_equal(shn_serve_config_set_file(cfg, path), SHN_OK);
    assert_int_equal(shn_serve_config_set(cfg, "--max-queries", "9", &diag), SHN_OK);
    assert_int_equal(shn__serve_settings_resolve(cfg, &s, &diag), SHN_OK);
    assert_int_equal(s.queries_max, 9); /* the command line wins */
    assert_int_equal(s.body_max, 65536);
    assert_string_equal(s.engine_path[SHN__ENGINE_SCREEN], "/srv/d/s.idx");
    assert_null(s.engine_path[SHN__ENGINE_LINK]);
    assert_int_equal(s.request_timeout, 30); /* the default */
    assert_true(s.threads >= 1);
    shn__serve_settings_cleanup(&s);
    assert_int_equal(shn_serve_config_set(cfg, "--index", "rel.idx", &diag), SHN_OK);
    assert_int_equal(shn__serve_settings_resolve(cfg, &s, &diag), SHN_OK);
    assert_string_equal(s.engine_path[SHN__ENGINE_SCREEN], "rel.idx");
    shn__serve_settings_cleanup(&s);
    unlink(path);
    assert_int_equal(shn__serve_settings_resolve(cfg, &s, &diag), SHN_ERR_IO);
    shn_serve_config_free(cfg);
}

/* ---- Target and router ------------------------------------------------------ */

static int target(const char *uri, struct shn_arena *a, struct shn__serve_target *t,
                  struct shn__serve_error *e)
{
    memset(e, 0, sizeof *e);
    return shn__serve_target_parse(uri, a, t, e);
}

static void test_target(void **state)
{
    struct shn_arena a;
    struct shn__serve_target t;
    struct shn__serve_error e;
    char *longer = shn_malloc(SHN__SERVE_MAX_TARGET + 2);

    (void)state;
    shn_arena_init(&a, 0, 0);
    assert_int_equal(target("/v1/a%20b/%E3%81%82?x=1&y&z=a+b%2B&&", &a, &t, &e), SHN_OK);
    assert_int_equal(t.n_segments, 3);
    assert_string_equal(t.segment[1], "a b");
    assert_string_equal(t.segment[2], "あ");
    assert_int_equal(t.n_args, 3);
    assert_string_equal(shn__serve_arg(&t, "y"), "");
    assert_string_equal(shn__serve_arg(&t, "z"), "a b+");
    assert_null(shn__serve_arg(&t, "w"));
    assert_int_equal(target("/", &a, &t, &e), SHN_OK);
    assert_int_equal(t.n_segments, 0);
    assert_int_equal(target("/a/", &a, &t, &e), SHN_OK);
    assert_int_equal(t.n_segments, 2);
    assert_int_equal(target("/a%2", &a, &t, &e), SHN_ERR_PARSE);
    assert_int_equal(e.status, 400);
    assert_int_equal(target("/a%00", &a, &t, &e), SHN_ERR_PARSE);
    assert_int_equal(target("/a%ff", &a, &t, &e), SHN_ERR_PARSE);
    assert_int_equal(target("/a b", &a, &t, &e), SHN_ERR_PARSE);
    assert_int_equal(target("http://x/", &a, &t, &e), SHN_ERR_PARSE);
    assert_int_equal(target("*", &a, &t, &e), SHN_ERR_PARSE);
    assert_int_equal(target("/?=1", &a, &t, &e), SHN_ERR_PARSE);
    memset(longer, 'a', SHN__SERVE_MAX_TARGET + 1);
    longer[0] = '/';
    longer[SHN__SERVE_MAX_TARGET + 1] = '\0';
    assert_int_equal(target(longer, &a, &t, &e), SHN_ERR_PARSE);
    assert_int_equal(e.status, 414);
    shn_free(longer);
    shn_arena_cleanup(&a);
}

static void test_routes(void **state)
{
    struct shn_arena a;
    struct shn__serve_target t;
    struct shn__serve_error e;
    const struct shn__serve_route *r;
    char allow[64];

    (void)state;
    shn_arena_init(&a, 0, 0);
    assert_int_equal(target("/v1/screen", &a, &t, &e), SHN_OK);
    r = shn__serve_route_match("POST", &t, allow, sizeof allow, &e);
    assert_non_null(r);
    assert_int_equal(r->role, SHN__ROLE_SCREEN);
    assert_null(shn__serve_route_match("GET", &t, allow, sizeof allow, &e));
    assert_int_equal(e.status, 405);
    assert_string_equal(allow, "POST");
    assert_int_equal(target("/healthz", &a, &t, &e), SHN_OK);
    r = shn__serve_route_match("HEAD", &t, allow, sizeof allow, &e);
    assert_non_null(r);
    assert_int_equal(r->role, SHN__ROLE_OPEN);
    assert_int_equal(target("/healthz/", &a, &t, &e), SHN_OK);
    assert_null(shn__serve_route_match("GET", &t, allow, sizeof allow, &e));
    assert_int_equal(e.status, 404);
    assert_int_equal(target("/healthz?x=1", &a, &t, &e), SHN_OK);
    r = shn__serve_route_match("GET", &t, allow, sizeof allow, &e);
    memset(&e, 0, sizeof e);
    assert_int_equal(shn__serve_args_check(r, &t, &e), SHN_ERR_PARSE);
    assert_string_equal(e.field, "x");
    /* Every route in the table is well formed. */
    for (size_t i = 0; i < shn__serve_n_routes; i++) {
        assert_true(shn__serve_routes[i].pattern[0] == '/');
        assert_non_null(shn__serve_routes[i].handler);
        assert_true(shn__serve_role_name(shn__serve_routes[i].role)[0]);
    }
    shn_arena_cleanup(&a);
}

/* ---- The /v1/screen body ----------------------------------------------------- */

static int body(const char *text, struct shn__serve_screen_batch *b, struct shn__serve_error *e)
{
    memset(e, 0, sizeof *e);
    return shn__serve_screen_parse(text, strlen(text), 3, b, e);
}

static void refused(const char *text, int status, const char *code, const char *field)
{
    struct shn__serve_screen_batch b;
    struct shn__serve_error e;

    assert_int_equal(body(text, &b, &e), SHN_ERR_PARSE);
    assert_int_equal(e.status, status);
    assert_string_equal(e.code, code);
    assert_string_equal(e.field, field);
}

static void test_screen_body(void **state)
{
    struct shn__serve_screen_batch b;
    struct shn__serve_error e;

    (void)state;
    assert_int_equal(body("{\"name\": \"x\", \"dob\": null, \"limit\": 3}", &b, &e), SHN_OK);
    assert_false(b.batch);
    assert_int_equal(b.n, 1);
    assert_string_equal(b.queries[0].name, "x");
    assert_null(b.queries[0].dob);
    assert_int_equal(b.queries[0].limit, 3);
    shn__serve_screen_batch_cleanup(&b);
    assert_int_equal(body("{\"threshold\": 0.5, \"queries\": [{\"id\": \"1\"}, {\"name\": \"y\", "
                          "\"threshold\": 0.9}]}",
                          &b, &e),
                     SHN_OK);
    assert_true(b.batch);
    assert_int_equal(b.n, 2);
    assert_true(b.queries[0].threshold == 0.5);
    assert_true(b.queries[1].threshold == 0.9);
    shn__serve_screen_batch_cleanup(&b);
    refused("", 400, "bad_json", "body");
    refused("{", 400, "bad_json", "body");
    refused("{\"name\": \"a\", \"name\": \"b\"}", 400, "bad_json", "body");
    refused("[\"x\"]", 400, "bad_type", "body");
    refused("{\"name\": []}", 400, "bad_type", "name");
    refused("{\"name\": \"x\", \"extra\": 1}", 400, "unknown_field", "extra");
    refused("{\"dob\": \"1984\"}", 400, "missing_field", "name");
    refused("{\"name\": \"\"}", 400, "missing_field", "name");
    refused("{\"name\": \"x\", \"limit\": 0}", 400, "bad_value", "limit");
    refused("{\"name\": \"x\", \"limit\": 2.5}", 400, "bad_type", "limit");
    refused("{\"name\": \"x\", \"threshold\": \"high\"}", 400, "bad_type", "threshold");
    refused("{\"queries\": []}", 400, "bad_value", "queries");
    refused("{\"queries\": [{\"name\": \"a\"}, 5]}", 400, "bad_type", "queries[1]");
    refused("{\"queries\": [{\"name\": \"a\"}, {\"nme\": \"b\"}]}", 400, "unknown_field",
            "queries[1].nme");
    refused("{\"queries\": [{\"name\": \"a\"}], \"name\": \"b\"}", 400, "unknown_field", "name");
    refused("{\"queries\": [{\"id\": \"1\"}, {\"id\": \"2\"}, {\"id\": \"3\"}, {\"id\": \"4\"}]}",
            413, "too_many_queries", "queries");
}

static void test_error_json(void **state)
{
    struct shn__serve_error e = {0};
    struct shn_buf out;
    json_t *root, *err;

    (void)state;
    shn__serve_fail(&e, 400, "bad_type", "queries[0].name", "must be \"a string\"");
    shn__serve_fail(&e, 500, "internal", "", "later errors do not replace the first");
    shn_buf_init(&out, 4096);
    assert_int_equal(shn__serve_error_json(&e, &out), SHN_OK);
    root = json_loads(out.data, 0, NULL);
    assert_non_null(root);
    err = json_object_get(root, "error");
    assert_string_equal(json_string_value(json_object_get(err, "code")), "bad_type");
    assert_string_equal(json_string_value(json_object_get(err, "field")), "queries[0].name");
    assert_string_equal(json_string_value(json_object_get(err, "message")), "must be \"a string\"");
    json_decref(root);
    memset(&e, 0, sizeof e);
    shn__serve_fail(&e, 404, "not_found", "", "no such endpoint");
    shn_buf_reset(&out);
    assert_int_equal(shn__serve_error_json(&e, &out), SHN_OK);
    assert_non_null(strstr(out.data, "\"field\": null"));
    shn_buf_cleanup(&out);
}

/* ---- Logs and metrics --------------------------------------------------------- */

static void test_log_line_stays_json(void **state)
{
    struct shn__serve_log l;
    char *big = shn_malloc(3 * SHN__SERVE_LOG_LINE);
    json_t *o;

    (void)state;
    shn_log_set_level(SHN_LOG_INFO);
    for (size_t i = 0; i < 3 * SHN__SERVE_LOG_LINE - 1; i += 3)
        memcpy(big + i, "\xE3\x81\x82", 3); /* あ: a cut must not split it */
    big[3 * SHN__SERVE_LOG_LINE - 1] = '\0';
    shn__serve_log_begin(&l, SHN_LOG_INFO, "test");
    shn__serve_log_str(&l, "quote", "a \"b\" \\ \n\x01");
    shn__serve_log_int(&l, "n", -5);
    shn__serve_log_str(&l, "big", big);
    shn__serve_log_str(&l, "after", "dropped");
    assert_true(l.len < SHN__SERVE_LOG_LINE);
    memcpy(l.buf + l.len, "}", 2);
    o = json_loads(l.buf, 0, NULL);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "quote")), "a \"b\" \\ \n\x01");
    assert_int_equal(json_integer_value(json_object_get(o, "n")), -5);
    assert_null(json_object_get(o, "after"));
    json_decref(o);
    shn__serve_log_begin(&l, SHN_LOG_DEBUG, "quiet"); /* below the level: off */
    assert_false(l.on);
    assert_int_equal(l.len, 0);
    shn_free(big);
}

static void test_metrics_buckets(void **state)
{
    struct shn__serve_metrics m;

    (void)state;
    assert_int_equal(shn__serve_metrics_init(&m, 2), SHN_OK);
    shn__serve_metrics_count(&m, 0, 200, 0.0001); /* first bucket */
    shn__serve_metrics_count(&m, 0, 200, 0.003);  /* 0.005 */
    shn__serve_metrics_count(&m, 1, 999, 99.0);   /* past every bound; status "other" */
    shn__serve_metrics_count(&m, -1, 404, 0.0);   /* unmatched row */
    shn__serve_metrics_count(&m, 77, 404, 0.0);   /* out of range: unmatched row */
    assert_int_equal(m.buckets[0], 1);
    assert_int_equal(m.buckets[3], 1);
    assert_int_equal(m.buckets[2 * SHN__SERVE_N_BUCKETS + 0], 2);
    for (size_t b = 0; b < SHN__SERVE_N_BUCKETS; b++)
        assert_int_equal(m.buckets[SHN__SERVE_N_BUCKETS + b], 0);
    assert_int_equal(m.duration_us[1], 99000000ULL);
    shn__serve_metrics_cleanup(&m);
}

/* ---- The index version ---------------------------------------------------------- */

static void build(const char *list, const char *path)
{
    struct shn_listset *set = NULL;

    assert_int_equal(shn_screen_listset_new(&set), SHN_OK);
    assert_int_equal(shn_screen_load_custom(set, list, NULL), SHN_OK);
    assert_int_equal(shn_screen_index_build(set, path, NULL), SHN_OK);
    shn_screen_listset_free(set);
}

static void test_index_version(void **state)
{
    char dir[] = "/tmp/shinsa-serve-idx-XXXXXX", a[64], b[64], list[80];
    char va[SHN_SCREEN_VERSION_MAX], vb[SHN_SCREEN_VERSION_MAX], small[8] = "keep";
    struct shn_screen_index *ia = NULL, *ib = NULL;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(a, sizeof a, "%s/a.idx", dir);
    snprintf(b, sizeof b, "%s/b.idx", dir);
    snprintf(list, sizeof list, "%s/one.jsonl", dir);
    f = fopen(list, "w");
    assert_non_null(f);
    fputs("{\"id\": \"x1\", \"name\": \"Test Person One\", \"kind\": \"person\"}\n", f);
    fclose(f);
    build(DEMO_LIST, a);
    build(list, b);
    assert_int_equal(shn_screen_index_open(a, &ia, NULL), SHN_OK);
    assert_int_equal(shn_screen_index_open(b, &ib, NULL), SHN_OK);
    assert_int_equal(shn_screen_index_version(ia, va, sizeof va), SHN_OK);
    assert_int_equal(shn_screen_index_version(ib, vb, sizeof vb), SHN_OK);
    assert_int_equal(strlen(va), 25); /* 20261204T190937Z-9f3a1c2e */
    assert_int_equal(va[8], 'T');
    assert_int_equal(va[16], '-');
    assert_string_not_equal(va, vb);
    assert_true(shn_screen_index_built_at(ia) > 1700000000);
    assert_int_equal(shn_screen_index_version(ia, small, sizeof small), SHN_ERR_INVALID);
    assert_string_equal(small, "keep");
    assert_int_equal(shn_screen_index_version(NULL, va, sizeof va), SHN_ERR_INVALID);
    shn_screen_index_close(ib);
    assert_int_equal(shn_screen_index_open(a, &ib, NULL), SHN_OK);
    assert_int_equal(shn_screen_index_version(ib, vb, sizeof vb), SHN_OK);
    assert_string_equal(va, vb); /* the same file: the same version */
    shn_screen_index_close(ia);
    shn_screen_index_close(ib);
    unlink(a);
    unlink(b);
    unlink(list);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_set_checks_at_once),
        cmocka_unit_test(test_file_syntax),
        cmocka_unit_test(test_resolve_precedence),
        cmocka_unit_test(test_target),
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_screen_body),
        cmocka_unit_test(test_error_json),
        cmocka_unit_test(test_log_line_stays_json),
        cmocka_unit_test(test_metrics_buckets),
        cmocka_unit_test(test_index_version),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
