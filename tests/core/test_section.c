/* Tests for the section file (issue 11 §2): round trip, and a reader that
 * refuses every damaged byte, every truncation and every bad table before
 * anything is used. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/fault.h"
#include "shinsa/core/file.h"
#include "shinsa/core/section.h"

static const struct shn_section_format fmt = {"SHNTEST", 2, "test file", "shinsa test build"};

static void encode(struct shn_buf *out)
{
    static const uint64_t words[3] = {1, 2, 3};
    const struct shn_section secs[] = {
        {10, "strings\0here", 12}, {3, words, sizeof words}, {4, NULL, 0}, {0, "x", 1}};
    shn_buf_init(out, 1 << 20);
    assert_int_equal(shn_section_encode(&fmt, secs, 4, out), SHN_OK);
}

static void round_trip(void **state)
{
    struct shn_buf b;
    struct shn_section_file f;
    const void *p;
    const uint64_t *w;
    uint64_t size, count;
    (void)state;
    encode(&b);
    assert_int_equal(b.len % 8, 0);
    assert_int_equal(shn_section_open(&f, b.data, b.len, &fmt, "t", NULL), SHN_OK);
    assert_int_equal(f.version, 2);
    assert_int_equal(f.n_sections, 4);
    assert_true(shn_section_get(&f, 10, &p, &size));
    assert_int_equal(size, 12);
    assert_memory_equal(p, "strings\0here", 12);
    assert_int_equal((uintptr_t)p % 8, 0);
    assert_true(shn_section_array(&f, 3, 8, &p, &count));
    w = p;
    assert_int_equal(count, 3);
    assert_int_equal(w[2], 3);
    assert_false(shn_section_array(&f, 3, 16, &p, &count)); /* 24 bytes are not 16-byte items */
    assert_true(shn_section_get(&f, 4, &p, &size));
    assert_int_equal(size, 0);
    assert_true(shn_section_get(&f, 0, &p, &size));
    assert_false(shn_section_get(&f, 5, &p, &size));
    shn_buf_cleanup(&b);
}

/* Every byte flipped, padding included: refused. */
static void every_damaged_byte_is_refused(void **state)
{
    struct shn_buf b;
    struct shn_section_file f;
    unsigned char *copy;
    int refused = 0;
    (void)state;
    encode(&b);
    copy = shn_malloc(b.len);
    assert_non_null(copy);
    for (size_t at = 0; at < b.len; at++) {
        memcpy(copy, b.data, b.len);
        copy[at] ^= 0x10;
        assert_int_not_equal(shn_section_open(&f, copy, b.len, &fmt, "t", NULL), SHN_OK);
        refused++;
    }
    assert_int_equal(refused, b.len);
    /* and every truncation */
    for (size_t n = 0; n < b.len; n++)
        assert_int_not_equal(shn_section_open(&f, b.data, n, &fmt, "t", NULL), SHN_OK);
    shn_free(copy);
    shn_buf_cleanup(&b);
}

/* Damaged tables with valid checksums (resealed): the bounds checks hold. */
static void resealed_bad_tables_are_refused(void **state)
{
    struct shn_buf b;
    struct shn_section_file f;
    struct shn_diag d = {0};
    unsigned char *e;
    uint64_t v;
    (void)state;
    encode(&b);
    e = (unsigned char *)b.data + SHN_SECTION_HEADER_BYTES; /* the first entry */
    assert_true(shn_section_reseal(b.data, b.len));
    assert_int_equal(shn_section_open(&f, b.data, b.len, &fmt, "t", &d), SHN_OK);
    struct {
        size_t at; /* in the first entry */
        uint64_t value;
        const char *says;
    } bad[] = {
        {8, 1000000, "out-of-bounds section 10"},     /* offset past the end */
        {8, 132, "out-of-bounds section 10"},         /* not 8-aligned */
        {8, 8, "out-of-bounds section 10"},           /* inside the header */
        {16, UINT64_MAX, "out-of-bounds section 10"}, /* size wraps */
        {0, 3, "repeated section 3"},                 /* id of another */
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        unsigned char *copy = shn_malloc(b.len);
        assert_non_null(copy);
        memcpy(copy, b.data, b.len);
        v = bad[k].value;
        memcpy(copy + SHN_SECTION_HEADER_BYTES + bad[k].at, &v, bad[k].at == 0 ? 4 : 8);
        assert_true(shn_section_reseal(copy, b.len));
        assert_int_equal(shn_section_open(&f, copy, b.len, &fmt, "t.bin", &d), SHN_ERR_CORRUPT);
        assert_non_null(strstr(d.message, bad[k].says));
        assert_string_equal(d.file, "t.bin");
        shn_free(copy);
    }
    /* sections out of order (the second overlapping the first) */
    {
        unsigned char *copy = shn_malloc(b.len);
        assert_non_null(copy);
        memcpy(copy, b.data, b.len);
        memcpy(copy + SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES + 8, e + 8, 8);
        assert_true(shn_section_reseal(copy, b.len));
        assert_int_equal(shn_section_open(&f, copy, b.len, &fmt, "t", &d), SHN_ERR_CORRUPT);
        shn_free(copy);
    }
    /* too many sections for the header */
    {
        unsigned char *copy = shn_malloc(b.len);
        assert_non_null(copy);
        memcpy(copy, b.data, b.len);
        copy[24] = 65;
        assert_false(shn_section_reseal(copy, b.len));
        assert_int_equal(shn_section_open(&f, copy, b.len, &fmt, "t", &d), SHN_ERR_CORRUPT);
        shn_free(copy);
    }
    shn_buf_cleanup(&b);
}

static void magic_version_and_alignment(void **state)
{
    static const struct shn_section_format v3 = {"SHNTEST", 3, "test file", "shinsa test build"};
    static const struct shn_section_format other = {"SHNOTHR", 2, "other file", "x"};
    struct shn_buf b;
    struct shn_section_file f;
    struct shn_diag d = {0};
    char *shifted;
    (void)state;
    encode(&b);
    assert_int_equal(shn_section_open(&f, b.data, b.len, &v3, "t", &d), SHN_ERR_FORMAT);
    assert_string_equal(d.message, "test file format version 2, this shinsa reads version 3: "
                                   "rebuild it with 'shinsa test build'");
    assert_int_equal(shn_section_open(&f, b.data, b.len, &other, "t", &d), SHN_ERR_FORMAT);
    assert_string_equal(d.message, "not a shinsa other file (build one with 'x')");
    assert_int_equal(shn_section_open(&f, "SHN", 3, &fmt, "t", &d), SHN_ERR_FORMAT);
    shifted = shn_malloc(b.len + 8);
    assert_non_null(shifted);
    memcpy(shifted + 1, b.data, b.len);
    assert_int_equal(shn_section_open(&f, shifted + 1, b.len, &fmt, "t", &d), SHN_ERR_INVALID);
    shn_free(shifted);
    shn_buf_cleanup(&b);
}

static void writer_refuses_bad_tables(void **state)
{
    struct shn_section many[SHN_SECTION_MAX + 1];
    const struct shn_section twice[] = {{1, "a", 1}, {1, "b", 1}};
    struct shn_buf b;
    (void)state;
    for (uint32_t i = 0; i <= SHN_SECTION_MAX; i++)
        many[i] = (struct shn_section){i, NULL, 0};
    shn_buf_init(&b, 1 << 20);
    assert_int_equal(shn_section_encode(&fmt, many, SHN_SECTION_MAX + 1, &b), SHN_ERR_INVALID);
    assert_int_equal(shn_section_encode(&fmt, twice, 2, &b), SHN_ERR_INVALID);
    assert_int_equal(shn_section_encode(&fmt, many, SHN_SECTION_MAX, &b), SHN_OK);
    shn_buf_cleanup(&b);
}

/* Through the safe writer to a file, then mapped and opened; a failed write
 * leaves the old file. */
static void written_through_the_safe_writer(void **state)
{
    char dir[] = "/tmp/shn-section-XXXXXX", path[64];
    const struct shn_section secs[] = {{1, "hello", 5}};
    struct shn_mapped_file m = {0};
    struct shn_section_file f;
    struct shn_diag d = {0};
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/x.bin", dir);
    assert_int_equal(shn_section_write(path, &fmt, secs, 1, &d), SHN_OK);
    assert_int_equal(shn_file_map(path, &m, &d), SHN_OK);
    assert_int_equal(shn_section_open(&f, m.data, m.size, &fmt, path, &d), SHN_OK);
    shn_file_unmap(&m);
    shn_io_fail_after(0);
    assert_int_equal(shn_section_write(path, &fmt, secs, 0, &d), SHN_ERR_IO);
    shn_io_fail_after(-1);
    assert_non_null(strstr(d.message, "write failed"));
    assert_int_equal(shn_file_map(path, &m, &d), SHN_OK);
    assert_int_equal(shn_section_open(&f, m.data, m.size, &fmt, path, &d), SHN_OK);
    assert_int_equal(f.n_sections, 1);
    shn_file_unmap(&m);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip),
        cmocka_unit_test(every_damaged_byte_is_refused),
        cmocka_unit_test(resealed_bad_tables_are_refused),
        cmocka_unit_test(magic_version_and_alignment),
        cmocka_unit_test(writer_refuses_bad_tables),
        cmocka_unit_test(written_through_the_safe_writer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
