/* A server in this process, and libcurl against it, to reach what a real
 * client cannot: every allocation of a request failing in turn must give
 * a 200 or a 500 with the JSON error body, never a crash, a hang or a
 * leak (under ASan); and stop() with a request in flight. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <curl/curl.h>
#include <jansson.h>
#include <unistd.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"

#define DEMO_LIST SHN_TEST_DATA "/../../data/demo/demo-list.jsonl"

struct fixture {
    char dir[64], index[96];
    struct shn_serve_config *cfg;
    struct shn_server *srv;
    char url[64];
    CURL *curl;
};

struct reply {
    long status;
    char body[1 << 16];
    size_t len;
};

static size_t on_data(char *data, size_t size, size_t n, void *ctx)
{
    struct reply *r = ctx;
    size_t len = size * n, room = sizeof r->body - 1 - r->len;

    memcpy(r->body + r->len, data, len < room ? len : room);
    r->len += len < room ? len : room;
    r->body[r->len] = '\0';
    return len;
}

static void call(struct fixture *f, const char *path, const char *post, struct reply *r)
{
    char url[256];
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");

    memset(r, 0, sizeof *r);
    snprintf(url, sizeof url, "%s%s", f->url, path);
    curl_easy_reset(f->curl);
    curl_easy_setopt(f->curl, CURLOPT_URL, url);
    curl_easy_setopt(f->curl, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, r);
    if (post) {
        curl_easy_setopt(f->curl, CURLOPT_POSTFIELDS, post);
        curl_easy_setopt(f->curl, CURLOPT_HTTPHEADER, h);
    }
    if (curl_easy_perform(f->curl) == CURLE_OK)
        curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct shn_listset *set = NULL;
    struct shn_diag diag = {0};

    snprintf(f->dir, sizeof f->dir, "/tmp/shinsa-serve-faults-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->index, sizeof f->index, "%s/demo.idx", f->dir);
    assert_int_equal(shn_screen_listset_new(&set), SHN_OK);
    assert_int_equal(shn_screen_load_custom(set, DEMO_LIST, NULL), SHN_OK);
    assert_int_equal(shn_screen_index_build(set, f->index, NULL), SHN_OK);
    shn_screen_listset_free(set);
    assert_int_equal(shn_serve_config_new(&f->cfg), SHN_OK);
    assert_int_equal(shn_serve_config_set(f->cfg, "--listen", "127.0.0.1:0", &diag), SHN_OK);
    assert_int_equal(shn_serve_config_set(f->cfg, "--index", f->index, &diag), SHN_OK);
    assert_int_equal(shn_serve_config_set(f->cfg, "--threads", "1", &diag), SHN_OK);
    assert_int_equal(shn_serve_config_set(f->cfg, "--log-requests", "no", &diag), SHN_OK);
    assert_int_equal(shn_serve_config_set(f->cfg, "--drain-timeout", "2", &diag), SHN_OK);
    shn_log_set_level(SHN_LOG_WARN);
    assert_int_equal(shn_serve_start(f->cfg, &f->srv, &diag), SHN_OK);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u", shn_serve_port(f->srv));
    f->curl = curl_easy_init();
    assert_non_null(f->curl);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;

    curl_easy_cleanup(f->curl);
    shn_serve_stop(f->srv);
    shn_serve_config_free(f->cfg);
    unlink(f->index);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void assert_internal_error(const struct reply *r)
{
    json_t *root = json_loads(r->body, 0, NULL), *err;

    if (!root)
        fprintf(stderr, "not JSON (%ld): %s\n", r->status, r->body);

    assert_non_null(root);
    err = json_object_get(root, "error");
    assert_non_null(err);
    assert_string_equal(json_string_value(json_object_get(err, "code")), "internal");
    assert_true(json_is_null(json_object_get(err, "field")));
    json_decref(root);
}

/* Fails the n-th allocation of one request, for every n until a request
 * goes through: each answer is whole, and the server survives them all. */
static void every_allocation_fails(struct fixture *f, const char *path, const char *post)
{
    struct reply r;
    int failures = 0;
    long n;

    for (n = 0; n < 400; n++) {
        shn_alloc_fail_after(n);
        call(f, path, post, &r);
        shn_alloc_fail_after(-1);
        assert_true(r.status == 200 || r.status == 500);
        if (r.status == 200)
            break;
        assert_internal_error(&r);
        failures++;
    }
    assert_true(n < 400);
    assert_true(failures > 0);
    call(f, "/healthz", NULL, &r);
    assert_int_equal(r.status, 200);
}

static void test_screen_allocations_fail(void **state)
{
    struct fixture *f = *state;

    every_allocation_fails(f, "/v1/screen", "{\"name\": \"김철웅\", \"dob\": \"1984-03-15\"}");
    every_allocation_fails(f, "/v1/screen",
                           "{\"queries\": [{\"name\": \"Hahn Tae-ryong\"}, {\"id\": \"x\"}]}");
}

static void test_other_allocations_fail(void **state)
{
    struct fixture *f = *state;

    every_allocation_fails(f, "/v1/lists", NULL);
    every_allocation_fails(f, "/metrics", NULL);
    every_allocation_fails(f, "/readyz", NULL);
}

static void test_answers_after_faults(void **state)
{
    struct fixture *f = *state;
    struct reply r;

    call(f, "/v1/screen", "{\"name\": \"Hahn Tae-ryong\"}", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "custom:demo-002"));
    call(f, "/metrics", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "status=\"500\""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_screen_allocations_fail),
        cmocka_unit_test(test_other_allocations_fail),
        cmocka_unit_test(test_answers_after_faults),
    };
    int rc;

    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
