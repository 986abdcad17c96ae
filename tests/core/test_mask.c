/* Pins the masking policy (shinsa/core/mask.h, docs/mask.md): what each
 * kind keeps, that short values stay mostly hidden, that no output is ever
 * cut inside a character or invalid UTF-8, free-text excerpts, and parser
 * errors that name the field without repeating the value (issue 12, F15). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shinsa/core/mask.h"
#include "shinsa/core/utf8.h"

static const char *masked(enum shn_mask_kind kind, const char *v)
{
    static char out[SHN_MASK_MAX];
    size_t n = shn_mask(kind, v, strlen(v), out, sizeof out);
    assert_int_equal(n, strlen(out));
    return out;
}

static void mask_keeps_what_each_kind_promises(void **state)
{
    (void)state;
    assert_string_equal(masked(SHN_MASK_EMAIL, "tanaka@gmail.com"), "t***@gmail.com");
    assert_string_equal(masked(SHN_MASK_EMAIL, "山田@example.jp"), "山***@example.jp");
    assert_string_equal(masked(SHN_MASK_PHONE, "+819012345678"), "+81***78");
    assert_string_equal(masked(SHN_MASK_PHONE, "090-1234-5678"), "090***78");
    assert_string_equal(masked(SHN_MASK_PHONE, "+86 139 0000 1234"), "+86***34");
    assert_string_equal(masked(SHN_MASK_NAME, "山田太郎"), "山***");
    assert_string_equal(masked(SHN_MASK_NAME, "kenji tanaka"), "k***");
    assert_string_equal(masked(SHN_MASK_ID, "TZ1234589"), "TZ***89");
    assert_string_equal(masked(SHN_MASK_ID, "dev-7f3a9c21"), "de***21");
    assert_string_equal(masked(SHN_MASK_BANK, "ES9121000418450200051332"), "ES***1332");
    assert_string_equal(masked(SHN_MASK_BANK, "GB29 NWBK 6016 1331 9268 19"), "GB***6819");
    /* the holder's name in a free-form account string is hidden too */
    assert_string_equal(masked(SHN_MASK_BANK, "三菱UFJ 普通 1234567 スズキ ハナコ"), "三菱***567");
    assert_string_equal(masked(SHN_MASK_WALLET, "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"),
                        "0x5aae…eaed");
    assert_string_equal(masked(SHN_MASK_WALLET, "TQ5NPj1Gc3Lp5vK9aZ7P5cS2W7gVn9kJ8f"),
                        "TQ5NPj…kJ8f");
    assert_string_equal(masked(SHN_MASK_IP, "203.0.113.5"), "203.0.*.*");
    assert_string_equal(masked(SHN_MASK_IP, "203.0.113.0/24"), "203.0.*.0/24");
    assert_string_equal(masked(SHN_MASK_IP, "2001:db8::1"), "2001:db8:*");
    assert_string_equal(masked(SHN_MASK_HANDLE, "github:kenjibuilds"), "github:k***");
    assert_string_equal(masked(SHN_MASK_HANDLE, "@dev_team_ab10"), "@d***");
    assert_string_equal(masked(SHN_MASK_HANDLE, "telegram:@dev_team"), "telegram:@d***");
    assert_string_equal(
        masked(SHN_MASK_DIGEST, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"),
        "0123456789abcdef…");
    assert_string_equal(masked(SHN_MASK_SHAPE, "1985/13/01"), "9999/99/99");
    assert_string_equal(masked(SHN_MASK_SHAPE, "tanaka@@ex.com"), "xxxxxx@@xx.xxx");
    assert_string_equal(masked(SHN_MASK_SHAPE, "\"山田\\u0000太郎\""), "\"**\\u0000**\"");
    assert_string_equal(masked(SHN_MASK_SHAPE, "a\tb"), "x?x");
    /* an unknown kind is masked as the strictest */
    assert_string_equal(masked((enum shn_mask_kind)99, "Kim"), "xxx");
    assert_string_equal(shn_mask_kind_name(SHN_MASK_BANK), "bank");
    assert_string_equal(shn_mask_kind_name((enum shn_mask_kind)99), "shape");
}

/* A value too short to hide half of keeps its first character only, and a
 * single character nothing: the marker never stands beside most of it. */
static void mask_hides_at_least_half_of_a_short_value(void **state)
{
    (void)state;
    assert_string_equal(masked(SHN_MASK_NAME, "李"), "***");
    assert_string_equal(masked(SHN_MASK_NAME, "李明"), "李***");
    assert_string_equal(masked(SHN_MASK_ID, "AB12"), "A***");
    assert_string_equal(masked(SHN_MASK_ID, "AB1234"), "A***");
    assert_string_equal(masked(SHN_MASK_ID, "AB123456"), "AB***56");
    assert_string_equal(masked(SHN_MASK_EMAIL, "a@x.com"), "***@x.com");
    assert_string_equal(masked(SHN_MASK_PHONE, "110"), "1***");
    assert_string_equal(masked(SHN_MASK_BANK, "1234"), "1***");
    assert_string_equal(masked(SHN_MASK_WALLET, "0x12345678"), "0…");
    assert_string_equal(masked(SHN_MASK_HANDLE, "@k"), "@***");
    assert_string_equal(masked(SHN_MASK_NAME, ""), "***");
    assert_string_equal(masked(SHN_MASK_IP, "10"), "1***");
}

/* Every prefix size of every kind's output is a whole-character prefix of
 * the full form; bytes that are not UTF-8 come out as '?'. */
static void mask_never_cuts_a_character(void **state)
{
    static const char *const values[] = {"山田花子@例え.jp",
                                         "+８１９０１２３４５６７８",
                                         "佐藤 健二",
                                         "ＡＢ１２３４５６７８",
                                         "みずほ 普通 7654321 サトウ",
                                         "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
                                         "2001:db8:1::1",
                                         "x:山田さん",
                                         "é\xff\xfe名前\xe3\x81",
                                         "\"a\\u00e9\\n\""};
    (void)state;
    for (int kind = 0; kind < SHN_MASK_KIND_COUNT + 1; kind++)
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            char full[SHN_MASK_MAX], part[SHN_MASK_MAX];
            size_t n =
                shn_mask((enum shn_mask_kind)kind, values[v], strlen(values[v]), full, sizeof full);
            assert_true(shn_utf8_valid(full, n, NULL));
            for (size_t size = 0; size <= n + 1; size++) {
                size_t k;
                memset(part, 'Z', sizeof part);
                k = shn_mask((enum shn_mask_kind)kind, values[v], strlen(values[v]), part, size);
                if (size == 0) {
                    assert_int_equal(k, 0);
                    continue;
                }
                assert_true(k < size);
                assert_int_equal(part[k], '\0');
                assert_true(shn_utf8_valid(part, k, NULL));
                assert_memory_equal(part, full, k);
            }
        }
    assert_string_equal(masked(SHN_MASK_NAME, "\xff\xfe"
                                              "abc"),
                        "?***");
}

static void excerpt_masks_the_values_in_a_text(void **state)
{
    const char *t =
        "連絡は tanaka.dev@gmail.com か 090-1234-5678 まで、Telegram @dev_team_ab10 も可";
    const char *mail = strstr(t, "tanaka"), *tel = strstr(t, "090"), *tg = strstr(t, "@dev");
    struct shn_mask_span spans[] = {
        {(size_t)(mail - t), (size_t)(mail - t) + strlen("tanaka.dev@gmail.com"), SHN_MASK_EMAIL},
        {(size_t)(tel - t), (size_t)(tel - t) + strlen("090-1234-5678"), SHN_MASK_PHONE},
        {(size_t)(tg - t), (size_t)(tg - t) + strlen("@dev_team_ab10"), SHN_MASK_HANDLE},
    };
    char out[512];
    (void)state;
    shn_mask_excerpt(t, strlen(t), spans[0].start, spans[0].end, 60, spans, 3, out, sizeof out);
    assert_string_equal(out, "連絡は t***@gmail.com か 090***78 まで、Telegram @d***…");
    assert_null(strstr(out, "tanaka"));
    /* a window in the middle: cut on both sides, marked */
    shn_mask_excerpt(t, strlen(t), spans[1].start, spans[1].end, 16, spans, 3, out, sizeof out);
    assert_string_equal(out, "… 090***78 ま…");
    /* a span reaching into the window is masked whole, never in part */
    shn_mask_excerpt(t, strlen(t), spans[0].end - 3, spans[0].end, 4, spans, 3, out, sizeof out);
    assert_string_equal(out, "…t***@gmail.com …");
    /* a NUL in the text does not end the excerpt early */
    shn_mask_excerpt("ab\0cd", 5, 0, 5, 60, NULL, 0, out, sizeof out);
    assert_string_equal(out, "ab?cd");
    /* a part longer than the window: its start */
    shn_mask_excerpt(t, strlen(t), 0, strlen(t), 3, NULL, 0, out, sizeof out);
    assert_string_equal(out, "連絡は…");
    /* a small buffer: whole characters, and the closing mark still fits */
    for (size_t size = 0; size < 40; size++) {
        size_t n = shn_mask_excerpt(t, strlen(t), 0, 3, 60, spans, 3, out, size);
        if (size)
            assert_true(shn_utf8_valid(out, n, NULL));
        assert_null(strstr(out, "tanaka"));
        assert_null(strstr(out, "1234"));
    }
}

static void json_error(const char *line, size_t position, const char *message, char *field,
                       char *msg)
{
    shn_mask_json_error(line, strlen(line), position, message, field, 48, msg, 256);
}

/* F15: the parser's excerpt of a bad line is its shape, and the error says
 * which field it was in. */
static void regression_json_error_repeats_no_personal_value(void **state)
{
    char field[48], msg[256];
    const char *line = "{\"event\":\"account\",\"name\":\"山田\\u0000太郎\"}";
    (void)state;
    json_error(line, 46, "\\u0000 is not allowed without JSON_ALLOW_NUL near '\"山田\\u0000太郎\"'",
               field, msg);
    assert_string_equal(field, "name");
    assert_string_equal(msg,
                        "\\u0000 is not allowed without JSON_ALLOW_NUL near '\"**\\u0000**\"'");

    line = "{\"a\":1,\"email\":\"tanaka@ex";
    json_error(line, 25, "premature end of input near '\"tanaka@ex'", field, msg);
    assert_string_equal(field, "email");
    assert_string_equal(msg, "premature end of input near '\"xxxxxx@xx'");

    line = "{\"payout\":[{\"account\":\"123\"},{\"account\":12x}]}";
    json_error(line, 43, "'}' expected near 'x'", field, msg);
    assert_string_equal(field, "payout[1].account");
    assert_string_equal(msg, "'}' expected near 'x'");

    /* keys: field names as written, anything else by its shape */
    shn_mask_field("x_note", 6, field, sizeof field);
    assert_string_equal(field, "x_note");
    shn_mask_field("x_山田", strlen("x_山田"), field, sizeof field);
    assert_string_equal(field, "x_**");
    shn_mask_field("tanaka taro", 11, field, sizeof field);
    assert_string_equal(field, "xxxxxx xxxx");
    /* a duplicate key is the field */
    json_error("{\"name\":\"a\",\"name\":\"b\"}", 18, "duplicate object key near '\"name\"'", field,
               msg);
    assert_string_equal(field, "name");
    assert_string_equal(msg, "duplicate object key near '\"xxxx\"'");

    /* a key that is no field name may be the personal value itself */
    line = "{\"山田太郎\"}";
    json_error(line, 16, "':' expected near '}'", field, msg);
    assert_string_equal(field, "****");
    assert_string_equal(msg, "':' expected near '}'");

    line = "{\"name\":\"a\"}, {\"name\":\"b\"}";
    json_error(line, 14, "end of file expected near ','", field, msg);
    assert_string_equal(field, "");
    json_error("tanaka", 6, "'[' or '{' expected near 'tanaka'", field, msg);
    assert_string_equal(field, "");
    assert_string_equal(msg, "'[' or '{' expected near 'xxxxxx'");
    /* a message cut by the parser's own limit, and one with no excerpt */
    json_error("{\"k\":\"", 6, "invalid token near '\"abc", field, msg);
    assert_string_equal(msg, "invalid token near '\"xxx'");
    json_error("", 0, "unexpected end of input", field, msg);
    assert_string_equal(msg, "unexpected end of input");
    /* deeper than the locator follows: the part it could name */
    line = "{\"a\":[[[[[[[[[[[[1x";
    json_error(line, strlen(line), "'x' unexpected", field, msg);
    assert_string_equal(field, "a[0][0][0][0][0][0][0]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mask_keeps_what_each_kind_promises),
        cmocka_unit_test(mask_hides_at_least_half_of_a_short_value),
        cmocka_unit_test(mask_never_cuts_a_character),
        cmocka_unit_test(excerpt_masks_the_values_in_a_text),
        cmocka_unit_test(regression_json_error_repeats_no_personal_value),
    };
    return cmocka_run_group_tests_name("core mask", tests, NULL, NULL);
}
