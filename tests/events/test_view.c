/* The JSON object view the scoring world reads stored events with
 * (src/events/jsonview.c): members, decoding, arrays, and every kind of
 * malformed text refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "shinsa/core/arena.h"
#include "shinsa/events.h"

static struct shn_events_view obj;

static bool view(const char *text)
{
    return shn_events_view_object(text, strlen(text), &obj);
}

static void members_strings_numbers(void **state)
{
    struct shn_arena arena;
    struct shn_events_view_value v;
    (void)state;
    shn_arena_init(&arena, 0, 0);
    assert_true(view(" {\"a\":\"x\\\"y\\\\z\\/\\n\",\"n\":-12.5e1,\"t\":true,\"z\":null,"
                     "\"u\":\"\\u7530\\u4e2d \\ud83d\\ude00 \\ud800!\",\"raw\":\"田中\"} "));
    assert_int_equal(obj.n, 6);
    v = shn_events_view_get(&obj, "a");
    assert_string_equal(shn_events_view_string(&v, &arena), "x\"y\\z/\n");
    v = shn_events_view_get(&obj, "n");
    assert_true(shn_events_view_number(&v) == -125.0);
    v = shn_events_view_get(&obj, "u");
    /* 田中, an emoji from its surrogate pair, a lone surrogate replaced */
    assert_string_equal(shn_events_view_string(&v, &arena), "田中 \xF0\x9F\x98\x80 \xEF\xBF\xBD!");
    v = shn_events_view_get(&obj, "raw");
    assert_string_equal(shn_events_view_string(&v, &arena), "田中");
    v = shn_events_view_get(&obj, "t");
    assert_int_equal(v.type, SHN_EVENTS_VIEW_OTHER);
    assert_null(shn_events_view_string(&v, &arena));
    v = shn_events_view_get(&obj, "missing");
    assert_int_equal(v.type, SHN_EVENTS_VIEW_NONE);
    assert_true(shn_events_view_number(&v) == 0);
    shn_arena_cleanup(&arena);
}

static void nested_objects_and_arrays(void **state)
{
    struct shn_arena arena;
    struct shn_events_view inner;
    struct shn_events_view_value arr, el;
    size_t pos = 0, n = 0;
    (void)state;
    shn_arena_init(&arena, 0, 0);
    assert_true(
        view("{\"payout\":[{\"type\":\"bank\",\"account\":\"B 1\"},{\"type\":\"crypto\"},[],"
             "{}],\"doc\":{\"number\":\"12\"},\"e\":[]}"));
    arr = shn_events_view_get(&obj, "payout");
    assert_int_equal(arr.type, SHN_EVENTS_VIEW_ARRAY);
    while (shn_events_view_next(&arr, &pos, &el)) {
        if (n == 0) {
            assert_true(shn_events_view_as_object(&el, &inner));
            el = shn_events_view_get(&inner, "account");
            assert_string_equal(shn_events_view_string(&el, &arena), "B 1");
        }
        n++;
    }
    assert_int_equal(n, 4);
    arr = shn_events_view_get(&obj, "e");
    pos = 0;
    assert_false(shn_events_view_next(&arr, &pos, &el));
    el = shn_events_view_get(&obj, "doc");
    assert_true(shn_events_view_as_object(&el, &inner));
    assert_int_equal(inner.n, 1);
    assert_false(shn_events_view_as_object(&arr, &inner)); /* an array is not an object */
    shn_arena_cleanup(&arena);
}

static void malformed_text_is_refused(void **state)
{
    static const char *const bad[] = {
        "",
        "[]",
        "\"s\"",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{\"a\":1} x",
        "{\"a\":\"unterminated}",
        "{\"a\":\"bad \\q escape\"}",
        "{\"a\":\"\\u12\"}",
        "{\"a\":\"ctrl \x01\"}",
        "{\"a\":tru}",
        "{\"a\":-}",
        "{\"a\":[1,2}",
        "{a:1}",
        "{\"a\":{\"b\":[1,{\"c\":]}}}",
    };
    char deep[200];
    size_t n = 0;
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(view(bad[i]));
    /* Nesting past SHN_EVENTS_VIEW_DEPTH is refused, not followed. */
    n += (size_t)snprintf(deep + n, sizeof deep - n, "{\"a\":");
    for (int i = 0; i < 40; i++)
        deep[n++] = '[';
    for (int i = 0; i < 40; i++)
        deep[n++] = ']';
    snprintf(deep + n, sizeof deep - n, "}");
    assert_false(view(deep));
    assert_true(view("{}"));
    assert_int_equal(obj.n, 0);
}

static void members_past_the_limit_are_ignored(void **state)
{
    char text[4096];
    size_t n = 0;
    (void)state;
    text[n++] = '{';
    for (int i = 0; i < SHN_EVENTS_VIEW_MEMBERS + 10; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "%s\"k%d\":%d", i ? "," : "", i, i);
    snprintf(text + n, sizeof text - n, "}");
    assert_true(view(text));
    assert_int_equal(obj.n, SHN_EVENTS_VIEW_MEMBERS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(members_strings_numbers),
        cmocka_unit_test(nested_objects_and_arrays),
        cmocka_unit_test(malformed_text_is_refused),
        cmocka_unit_test(members_past_the_limit_are_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
