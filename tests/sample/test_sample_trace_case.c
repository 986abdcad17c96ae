/* The trace case generator (shinsa trace gen): the same seed gives the
 * same bytes; zeroed options take the documented defaults; options out of
 * range are refused; and the truth agrees with the transfers: the planted
 * exits add up to the stolen amount, the source is the labelled hacker and
 * sends to `fanout` fresh addresses, and the transfers are in time order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"
#include "shinsa/sample.h"
#include "shinsa/trace.h"

/* same_seed_same_bytes: {2000 transfers, fan-out 20, seed 7} */
#define PINNED_TRANSFERS 0x9BD792904C60893Full
#define PINNED_TRUTH 0x62A67E2E8B488982ull

struct trace_case {
    char dir[64];
    char *transfers, *labels, *truth;
    size_t transfers_len, labels_len, truth_len;
};

static char *read_in(const char *dir, const char *name, size_t *len)
{
    char path[128], *text = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(shn_file_read(path, (size_t)1 << 28, &text, len, NULL), SHN_OK);
    return text;
}

static void gen(struct trace_case *c, const struct shn_sample_trace_case_opts *o)
{
    struct shn_diag d = {0};

    snprintf(c->dir, sizeof c->dir, "/tmp/shn-trace-case-XXXXXX");
    assert_non_null(mkdtemp(c->dir));
    assert_int_equal(shn_sample_trace_case(c->dir, o, &d), SHN_OK);
    c->transfers = read_in(c->dir, "transfers.csv", &c->transfers_len);
    c->labels = read_in(c->dir, "labels.csv", &c->labels_len);
    c->truth = read_in(c->dir, "truth.json", &c->truth_len);
}

static void drop(struct trace_case *c)
{
    static const char *const names[] = {"transfers.csv", "labels.csv", "truth.json"};
    char path[128];
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/%s", c->dir, names[i]);
        unlink(path);
    }
    rmdir(c->dir);
    shn_free(c->transfers);
    shn_free(c->labels);
    shn_free(c->truth);
}

static void same_seed_same_bytes(void **state)
{
    struct shn_sample_trace_case_opts o = {.transfers = 2000, .fanout = 20, .seed = 7};
    struct trace_case a, b, c;
    (void)state;

    gen(&a, &o);
    gen(&b, &o);
    o.seed = 8;
    gen(&c, &o);
    assert_int_equal(a.transfers_len, b.transfers_len);
    assert_memory_equal(a.transfers, b.transfers, a.transfers_len);
    assert_int_equal(a.truth_len, b.truth_len);
    assert_memory_equal(a.truth, b.truth, a.truth_len);
    /* the bytes themselves, pinned (core's rng feeds every choice) */
    if (shn_hash64(a.transfers, a.transfers_len, 0) != PINNED_TRANSFERS ||
        shn_hash64(a.truth, a.truth_len, 0) != PINNED_TRUTH)
        fprintf(stderr, "transfers 0x%016llx, truth 0x%016llx\n",
                (unsigned long long)shn_hash64(a.transfers, a.transfers_len, 0),
                (unsigned long long)shn_hash64(a.truth, a.truth_len, 0));
    assert_int_equal(shn_hash64(a.transfers, a.transfers_len, 0), PINNED_TRANSFERS);
    assert_int_equal(shn_hash64(a.truth, a.truth_len, 0), PINNED_TRUTH);
    assert_true(a.transfers_len != c.transfers_len ||
                memcmp(a.transfers, c.transfers, a.transfers_len) != 0);
    drop(&a);
    drop(&b);
    drop(&c);
}

static void out_of_range_is_refused(void **state)
{
    static const struct shn_sample_trace_case_opts bad[] = {
        {.transfers = SHN_SAMPLE_TRACE_CASE_TRANSFERS_MIN - 1, .fanout = 20},
        {.transfers = SHN_SAMPLE_TRACE_CASE_TRANSFERS_MAX + 1, .fanout = 20},
        {.transfers = 2000, .fanout = SHN_SAMPLE_TRACE_CASE_FANOUT_MIN - 1},
        {.transfers = 2000, .fanout = SHN_SAMPLE_TRACE_CASE_FANOUT_MAX + 1},
    };
    (void)state;

    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct shn_diag d = {0};
        assert_int_equal(shn_sample_trace_case("/tmp/shn-trace-case-never", &bad[i], &d),
                         SHN_ERR_INVALID);
        assert_true(d.message[0] != '\0');
    }
    assert_int_equal(access("/tmp/shn-trace-case-never", F_OK), -1);
}

/* The number of transfers (time,tx,from,...) sent by `from`, and whether
 * their times never go back. */
static size_t count_from(const struct trace_case *c, const char *from, int *ordered)
{
    const char *end = c->transfers + c->transfers_len;
    const char *p = (const char *)memchr(c->transfers, '\n', c->transfers_len) + 1;
    unsigned long last = 0;
    size_t n = 0;

    *ordered = 1;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *tx = memchr(p, ',', (size_t)(nl - p));
        const char *sender = memchr(tx + 1, ',', (size_t)(nl - tx - 1)) + 1;
        unsigned long t = strtoul(p, NULL, 10);
        if (strncmp(sender, from, strlen(from)) == 0 && sender[strlen(from)] == ',')
            n++;
        if (t < last)
            *ordered = 0;
        last = t;
        p = nl + 1;
    }
    return n;
}

static void truth_agrees_with_the_transfers(void **state)
{
    /* fanout 0: the default, 400 fresh addresses */
    struct shn_sample_trace_case_opts o = {.transfers = 5000, .stolen_eth = 50000};
    struct trace_case c;
    json_error_t err;
    json_t *truth, *exits;
    shn_u128 stolen = 0, sum = 0;
    const char *source, *text;
    char label[128];
    size_t i;
    int ordered;
    (void)state;

    gen(&c, &o);
    truth = json_loadb(c.truth, c.truth_len, 0, &err);
    assert_non_null(truth);
    source = json_string_value(json_object_get(truth, "source"));
    assert_non_null(source);
    text = json_string_value(json_object_get(truth, "stolen"));
    assert_non_null(text);
    assert_int_equal(shn_trace_u128_parse(text, strlen(text), &stolen), SHN_OK);
    assert_true(stolen == (shn_u128)50000 * 1000000000000000000ull);
    exits = json_object_get(truth, "exits");
    assert_true(json_array_size(exits) > 0);
    for (i = 0; i < json_array_size(exits); i++) {
        const char *amount = json_string_value(json_object_get(json_array_get(exits, i), "amount"));
        const char *name = json_string_value(json_object_get(json_array_get(exits, i), "label"));
        shn_u128 v = 0;
        assert_int_equal(shn_trace_u128_parse(amount, strlen(amount), &v), SHN_OK);
        sum += v;
        snprintf(label, sizeof label, ",%s\n", name);
        assert_non_null(strstr(c.labels, label));
    }
    assert_true(sum == stolen); /* every wei stolen reaches a planted exit */
    snprintf(label, sizeof label, "%s,hacker,", source);
    assert_non_null(strstr(c.labels, label));
    assert_int_equal(count_from(&c, source, &ordered), SHN_SAMPLE_TRACE_CASE_FANOUT);
    assert_true(ordered);
    json_decref(truth);
    drop(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_bytes),
        cmocka_unit_test(out_of_range_is_refused),
        cmocka_unit_test(truth_agrees_with_the_transfers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
