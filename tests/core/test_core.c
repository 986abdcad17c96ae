/* Tests for src/core: UTF-8, CSV, arena, buffers, files, hashing, and the
 * allocation-failure hook; with the groups of test_time.c, test_rng.c,
 * test_alloc.c, test_country.c, test_diag.c and test_file_read.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/arena.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/csv.h"
#include "shinsa/core/err.h"
#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/utf8.h"

static void utf8_decodes_and_rejects(void **state)
{
    uint32_t cp = 0;
    (void)state;
    assert_int_equal(shn_utf8_decode("\xEB\xA6\xAC", 3, &cp), 3); /* 리 */
    assert_int_equal(cp, 0xB9AC);
    assert_int_equal(shn_utf8_decode("\xC0\x80", 2, &cp), 0);         /* overlong */
    assert_int_equal(shn_utf8_decode("\xED\xA0\x80", 3, &cp), 0);     /* surrogate */
    assert_int_equal(shn_utf8_decode("\xF4\x90\x80\x80", 4, &cp), 0); /* > U+10FFFF */
    assert_int_equal(shn_utf8_decode("\xE3\x82", 2, &cp), 0);         /* truncated */
    size_t bad = 0;
    assert_false(shn_utf8_valid("ab\xFF", 3, &bad));
    assert_int_equal(bad, 2);
    assert_int_equal(shn_utf8_length("キム", strlen("キム")), 2);
    char out[4];
    assert_int_equal(shn_utf8_encode(0x30AD, out), 3);
    assert_memory_equal(out, "キ", 3);
}

static void csv_reads_ofac_quirks(void **state)
{
    const char data[] = "36,\"AEROCARIBBEAN, \"\"AIR\"\"\",-0- ,\"CUBA\"\r\n"
                        "\r\n"
                        "37,\"multi\nline\",x\n\x1A";
    struct shn_csv r;
    size_t n = 0;
    (void)state;
    shn_csv_init(&r, data, sizeof data - 1, "t.csv");
    assert_int_equal(shn_csv_next(&r, &n, NULL), SHN_OK);
    assert_int_equal(n, 4);
    assert_string_equal(r.fields[1], "AEROCARIBBEAN, \"AIR\"");
    assert_string_equal(r.fields[2], "-0- ");
    assert_int_equal(shn_csv_next(&r, &n, NULL), SHN_OK);
    assert_int_equal(r.record_line, 3);
    assert_string_equal(r.fields[1], "multi\nline");
    assert_int_equal(shn_csv_next(&r, &n, NULL), SHN_ERR_NOT_FOUND);
    shn_csv_cleanup(&r);
}

static void csv_reports_line_of_bad_quote(void **state)
{
    const char data[] = "1,ok\n2,\"unterminated\n3,x\n";
    struct shn_csv r;
    struct shn_diag d = {0};
    size_t n;
    (void)state;
    shn_csv_init(&r, data, sizeof data - 1, "bad.csv");
    assert_int_equal(shn_csv_next(&r, &n, &d), SHN_OK);
    assert_int_equal(shn_csv_next(&r, &n, &d), SHN_ERR_PARSE);
    assert_int_equal(d.line, 2);
    assert_string_equal(d.file, "bad.csv");
    shn_csv_cleanup(&r);
}

static void arena_aligns_and_limits(void **state)
{
    struct shn_arena a;
    (void)state;
    shn_arena_init(&a, 128, 4096);
    char *p = shn_arena_alloc(&a, 3);
    char *q = shn_arena_alloc(&a, 1000); /* bigger than a block */
    assert_non_null(p);
    assert_non_null(q);
    assert_int_equal((uintptr_t)q % 16, 0);
    assert_null(shn_arena_alloc(&a, 8192)); /* past the limit */
    assert_string_equal(shn_arena_strdup(&a, "kim"), "kim");
    assert_null(shn_arena_alloc(&a, SIZE_MAX)); /* overflow is an error */
    shn_arena_cleanup(&a);
}

static void buf_caps_growth(void **state)
{
    struct shn_buf b;
    (void)state;
    shn_buf_init(&b, 8);
    assert_int_equal(shn_buf_append_str(&b, "12345678"), SHN_OK);
    assert_int_equal(shn_buf_append_char(&b, '9'), SHN_ERR_TOO_LARGE);
    assert_string_equal(b.data, "12345678");
    shn_buf_cleanup(&b);
    shn_buf_init(&b, 1024);
    assert_int_equal(shn_buf_append_json_string(&b, "a\"b\\\n\x01"), SHN_OK);
    assert_string_equal(b.data, "\"a\\\"b\\\\\\n\\u0001\"");
    shn_buf_reset(&b);
    assert_int_equal(shn_buf_append_xml_escaped(&b, "<a href=\"x\">Tom's & co</a>"), SHN_OK);
    assert_string_equal(b.data, "&lt;a href=&quot;x&quot;&gt;Tom&#39;s &amp; co&lt;/a&gt;");
    shn_buf_cleanup(&b);
}

static void file_read_respects_limit(void **state)
{
    char path[] = "/tmp/shn-core-XXXXXX";
    int fd = mkstemp(path);
    char *data = NULL;
    size_t len = 0;
    struct shn_diag d = {0};
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0123456789", 10), 10);
    close(fd);
    assert_int_equal(shn_file_read(path, 5, &data, &len, &d), SHN_ERR_TOO_LARGE);
    assert_null(data);
    assert_int_equal(shn_file_read(path, 10, &data, &len, &d), SHN_OK);
    assert_int_equal(len, 10);
    assert_string_equal(data, "0123456789");
    shn_free(data);
    assert_int_equal(shn_file_write_atomic(path, "new", 3, &d), SHN_OK);
    assert_int_equal(shn_file_read(path, 10, &data, &len, &d), SHN_OK);
    assert_string_equal(data, "new");
    shn_free(data);
    unlink(path);
    assert_int_equal(shn_file_read("/nonexistent/x", 10, &data, &len, &d), SHN_ERR_IO);
    assert_string_equal(d.file, "/nonexistent/x");
}

static void hash_is_stable(void **state)
{
    (void)state;
    /* Index files store these values: they must never change. */
    assert_int_equal(shn_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_true(shn_hash64("kim", 3, 0) != shn_hash64("kin", 3, 0));
    assert_true(shn_hash64("kim", 3, 0) == shn_hash64("kim", 3, 0));
}

static void alloc_failure_is_reported(void **state)
{
    struct shn_buf b;
    (void)state;
    shn_buf_init(&b, 1 << 20);
    shn_alloc_fail_after(0);
    assert_int_equal(shn_buf_append_str(&b, "x"), SHN_ERR_NOMEM);
    assert_null(shn_strdup("x"));
    shn_alloc_fail_after(-1);
    assert_int_equal(shn_buf_append_str(&b, "x"), SHN_OK);
    shn_buf_cleanup(&b);
}

/* Groups of core tests kept in their own files. */
int shn_test_core_time(void);      /* test_time.c */
int shn_test_core_rng(void);       /* test_rng.c */
int shn_test_core_alloc(void);     /* test_alloc.c */
int shn_test_core_country(void);   /* test_country.c */
int shn_test_core_diag(void);      /* test_diag.c */
int shn_test_core_file_read(void); /* test_file_read.c */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_decodes_and_rejects),
        cmocka_unit_test(csv_reads_ofac_quirks),
        cmocka_unit_test(csv_reports_line_of_bad_quote),
        cmocka_unit_test(arena_aligns_and_limits),
        cmocka_unit_test(buf_caps_growth),
        cmocka_unit_test(file_read_respects_limit),
        cmocka_unit_test(hash_is_stable),
        cmocka_unit_test(alloc_failure_is_reported),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    failed += shn_test_core_time() + shn_test_core_rng() + shn_test_core_alloc();
    return failed + shn_test_core_country() + shn_test_core_diag() + shn_test_core_file_read();
}
