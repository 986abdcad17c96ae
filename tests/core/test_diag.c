/* Tests for diagnostics (shinsa/core/err.h): what shn_diag_set keeps, how
 * shn_diag_format writes "file:line: field: message" when parts are
 * missing, and truncation, which never leaves half a UTF-8 character (the
 * CLI prints diagnostics, the service will send them as JSON). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shinsa/core/err.h"
#include "shinsa/core/utf8.h"

static const char *format(const struct shn_diag *d, char *buf, size_t size)
{
    shn_diag_format(d, buf, size);
    return buf;
}

static void set_fills_every_part(void **state)
{
    struct shn_diag d;
    memset(&d, 0x5a, sizeof d);
    (void)state;
    assert_int_equal(shn_diag_set(&d, SHN_ERR_PARSE, "lists/un.xml", 42, "dateOfBirth",
                                  "expected %s, got '%s'", "a date", "1960-13-01"),
                     SHN_ERR_PARSE);
    assert_string_equal(d.file, "lists/un.xml");
    assert_int_equal(d.line, 42);
    assert_int_equal(d.column, 0); /* reset: the caller sets it after */
    assert_string_equal(d.field, "dateOfBirth");
    assert_string_equal(d.message, "expected a date, got '1960-13-01'");
    /* NULL diag: nothing happens, the error comes back */
    assert_int_equal(shn_diag_set(NULL, SHN_ERR_IO, "x", 1, "f", "m"), SHN_ERR_IO);
    /* NULL field is "" */
    shn_diag_set(&d, SHN_ERR_IO, NULL, 0, NULL, "cannot open");
    assert_null(d.file);
    assert_string_equal(d.field, "");
}

static void format_with_missing_parts(void **state)
{
    struct shn_diag d = {0};
    char buf[512];
    (void)state;
    shn_diag_set(&d, SHN_ERR_PARSE, "events.jsonl", 7, "payout[1].chain", "unknown chain");
    assert_string_equal(format(&d, buf, sizeof buf),
                        "events.jsonl:7: payout[1].chain: unknown chain");
    shn_diag_set(&d, SHN_ERR_PARSE, "events.jsonl", 7, "", "not JSON");
    assert_string_equal(format(&d, buf, sizeof buf), "events.jsonl:7: not JSON");
    shn_diag_set(&d, SHN_ERR_IO, "idx.bin", 0, NULL, "cannot open: No such file");
    assert_string_equal(format(&d, buf, sizeof buf), "idx.bin: cannot open: No such file");
    shn_diag_set(&d, SHN_ERR_PARSE, NULL, 3, "name", "empty");
    assert_string_equal(format(&d, buf, sizeof buf), "<input>:3: name: empty");
    shn_diag_set(&d, SHN_ERR_PARSE, NULL, -1, "", "%s", "");
    assert_string_equal(format(&d, buf, sizeof buf), "<input>: ");
}

static void format_truncates_to_the_buffer(void **state)
{
    struct shn_diag d = {0};
    char buf[16];
    (void)state;
    shn_diag_set(&d, SHN_ERR_PARSE, "a.csv", 12, "uid", "bad value");
    assert_string_equal(format(&d, buf, sizeof buf), "a.csv:12: uid: ");
    assert_string_equal(format(&d, buf, 1), "");
    buf[0] = 'x';
    shn_diag_format(&d, buf, 0); /* no room: nothing written */
    assert_int_equal(buf[0], 'x');
}

/* A cut through a multi-byte character drops the whole character. */
static void truncation_ends_on_a_character(void **state)
{
    struct shn_diag d = {0};
    char text[600], buf[64];
    (void)state;
    /* 0 to 3 ASCII letters, then 리 (3 bytes) and 'x' repeated: the cuts
     * fall on every byte of the character in turn */
    for (size_t shift = 0; shift < 4; shift++) {
        size_t n = 0;
        while (n < shift)
            text[n++] = 'y';
        while (n + 4 < sizeof text) {
            memcpy(text + n, "\xEB\xA6\xAC", 3);
            n += 3;
            text[n++] = 'x';
        }
        text[n] = '\0';
        shn_diag_set(&d, SHN_ERR_PARSE, "f", 1, text, "%s", text);
        assert_true(strlen(d.message) <= sizeof d.message - 1);
        assert_true(strlen(d.message) >= sizeof d.message - 3);
        assert_true(shn_utf8_valid(d.message, strlen(d.message), NULL));
        assert_true(strlen(d.field) >= sizeof d.field - 3);
        assert_true(shn_utf8_valid(d.field, strlen(d.field), NULL));
        for (size_t size = 1; size <= sizeof buf; size++) {
            shn_diag_format(&d, buf, size);
            assert_true(strlen(buf) < size);
            assert_true(strlen(buf) + 3 >= size);
            assert_true(shn_utf8_valid(buf, strlen(buf), NULL));
        }
    }
    /* a message that fits is kept byte for byte, even invalid UTF-8 */
    shn_diag_set(&d, SHN_ERR_ENCODING, "f", 1, "", "bad byte \xFF here");
    assert_string_equal(d.message, "bad byte \xFF here");
}

static void every_error_has_words(void **state)
{
    (void)state;
    for (int e = 0; e < SHN_ERR__COUNT; e++) {
        const char *s = shn_strerror(e);
        assert_non_null(s);
        assert_true(s[0] && strcmp(s, "unknown error") != 0);
    }
    assert_string_equal(shn_strerror(SHN_ERR__COUNT), "unknown error");
    assert_string_equal(shn_strerror(-1), "unknown error");
    assert_string_equal(shn_strerror(SHN_ERR_NOMEM), "out of memory");
}

int shn_test_core_diag(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(set_fills_every_part),
        cmocka_unit_test(format_with_missing_parts),
        cmocka_unit_test(format_truncates_to_the_buffer),
        cmocka_unit_test(truncation_ends_on_a_character),
        cmocka_unit_test(every_error_has_words),
    };
    return cmocka_run_group_tests_name("core diag", tests, NULL, NULL);
}
