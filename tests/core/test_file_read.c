/* Edge cases of reading and mapping files (shinsa/core/file.h) that
 * test_file.c (writers, inputs, locks) does not cover: empty files, the
 * exact size limit, bytes after a NUL, out-parameters left alone on every
 * failure, allocation failure, and a mapping that outlives the replacement
 * of its file (the index readers rely on it while `lists update` writes). */
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
#include "shinsa/core/err.h"
#include "shinsa/core/file.h"

static char *sentinel = (char *)"untouched";

static void temp_file(char *path, size_t size, const void *data, size_t len)
{
    int fd;
    snprintf(path, size, "/tmp/shn-core-read-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static void read_empty_and_exact_limit(void **state)
{
    char path[64];
    char *data = sentinel;
    size_t len = 99;
    (void)state;
    temp_file(path, sizeof path, "", 0);
    assert_int_equal(shn_file_read(path, 0, &data, &len, NULL), SHN_OK);
    assert_non_null(data);
    assert_int_equal(len, 0);
    assert_string_equal(data, "");
    shn_free(data);
    unlink(path);
    temp_file(path, sizeof path, "abcd", 4);
    assert_int_equal(shn_file_read(path, 4, &data, &len, NULL),
                     SHN_OK); /* the limit is inclusive */
    assert_int_equal(len, 4);
    shn_free(data);
    unlink(path);
}

static void read_keeps_bytes_after_a_nul(void **state)
{
    char path[64];
    char *data = NULL;
    size_t len = 0;
    (void)state;
    temp_file(path, sizeof path, "a\0b\xFF", 4);
    assert_int_equal(shn_file_read(path, 100, &data, &len, NULL), SHN_OK);
    assert_int_equal(len, 4);
    assert_memory_equal(data, "a\0b\xFF\0", 5); /* and NUL-terminated after them */
    shn_free(data);
    unlink(path);
}

/* Every failure names the file and leaves *data and *len as they were. */
static void read_failures_leave_outputs(void **state)
{
    char path[64];
    char *data = sentinel;
    size_t len = 99;
    struct shn_diag d = {0};
    unsigned long failures;
    (void)state;
    temp_file(path, sizeof path, "0123456789", 10);
    assert_int_equal(shn_file_read(path, 9, &data, &len, &d), SHN_ERR_TOO_LARGE);
    assert_string_equal(d.file, path);
    assert_string_equal(d.message, "file is 10 bytes, the limit is 9");
    assert_int_equal(shn_file_read(path, 0, &data, &len, &d), SHN_ERR_TOO_LARGE);
    failures = shn_alloc_failures();
    shn_alloc_fail_after(0);
    assert_int_equal(shn_file_read(path, 10, &data, &len, &d), SHN_ERR_NOMEM);
    shn_alloc_fail_after(-1);
    assert_int_equal(shn_alloc_failures(), failures + 1);
    assert_string_equal(d.file, path);
    assert_string_equal(d.message, "out of memory");
    unlink(path);
    assert_int_equal(shn_file_read(path, 10, &data, &len, &d), SHN_ERR_IO);
    assert_non_null(strstr(d.message, "cannot open"));
    assert_ptr_equal(data, sentinel);
    assert_int_equal(len, 99);
    /* no diag: the same errors */
    assert_int_equal(shn_file_read(path, 10, &data, &len, NULL), SHN_ERR_IO);
}

static void map_reads_the_whole_file(void **state)
{
    char path[64];
    struct shn_mapped_file m = {0};
    (void)state;
    temp_file(path, sizeof path, "SHNIDX\0\x01", 8);
    assert_int_equal(shn_file_map(path, &m, NULL), SHN_OK);
    assert_int_equal(m.size, 8);
    assert_memory_equal(m.data, "SHNIDX\0\x01", 8);
    shn_file_unmap(&m);
    assert_null(m.data);
    assert_int_equal(m.size, 0);
    shn_file_unmap(&m); /* twice, and on a zeroed struct: safe */
    unlink(path);
}

static void map_failures_leave_outputs(void **state)
{
    char path[64];
    struct shn_mapped_file m = {(const unsigned char *)"x", 1};
    struct shn_diag d = {0};
    (void)state;
    temp_file(path, sizeof path, "", 0);
    assert_int_equal(shn_file_map(path, &m, &d), SHN_ERR_FORMAT);
    assert_string_equal(d.file, path);
    assert_string_equal(d.message, "empty file");
    unlink(path);
    assert_int_equal(shn_file_map(path, &m, &d), SHN_ERR_IO);
    assert_string_equal(d.file, path);
    assert_memory_equal(m.data, "x", 1);
    assert_int_equal(m.size, 1);
}

/* A reader's mapping keeps the old bytes while a writer replaces the file
 * (rename over it) and after the file is gone. */
static void mapping_outlives_replacement(void **state)
{
    char path[64];
    struct shn_mapped_file m = {0}, now = {0};
    (void)state;
    temp_file(path, sizeof path, "old index", 9);
    assert_int_equal(shn_file_map(path, &m, NULL), SHN_OK);
    assert_int_equal(shn_file_write_atomic(path, "new index!", 10, NULL), SHN_OK);
    assert_memory_equal(m.data, "old index", 9);
    assert_int_equal(shn_file_map(path, &now, NULL), SHN_OK);
    assert_int_equal(now.size, 10);
    assert_memory_equal(now.data, "new index!", 10);
    unlink(path);
    assert_memory_equal(m.data, "old index", 9);
    shn_file_unmap(&m);
    shn_file_unmap(&now);
}

static void atomic_write_edge_cases(void **state)
{
    char path[64], missing[96];
    char *data = NULL;
    size_t len = 1;
    struct shn_diag d = {0};
    (void)state;
    temp_file(path, sizeof path, "previous", 8);
    assert_int_equal(shn_file_write_atomic(path, "", 0, &d), SHN_OK); /* an empty file */
    assert_int_equal(shn_file_read(path, 10, &data, &len, NULL), SHN_OK);
    assert_int_equal(len, 0);
    shn_free(data);
    unlink(path);
    snprintf(missing, sizeof missing, "%s.no-such-folder/out.bin", path);
    assert_int_equal(shn_file_write_atomic(missing, "x", 1, &d), SHN_ERR_IO);
    assert_true(access(missing, F_OK) != 0);
}

static void fopen_failure_leaves_output(void **state)
{
    FILE *f = (FILE *)sentinel;
    struct shn_diag d = {0};
    (void)state;
    assert_int_equal(shn_file_fopen_input("/nonexistent/shn", &f, &d), SHN_ERR_IO);
    assert_ptr_equal(f, (FILE *)sentinel);
    assert_string_equal(d.file, "/nonexistent/shn");
    assert_int_equal(shn_file_open_input(NULL, NULL, &d), SHN_ERR_INVALID);
}

int shn_test_core_file_read(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(read_empty_and_exact_limit),
        cmocka_unit_test(read_keeps_bytes_after_a_nul),
        cmocka_unit_test(read_failures_leave_outputs),
        cmocka_unit_test(map_reads_the_whole_file),
        cmocka_unit_test(map_failures_leave_outputs),
        cmocka_unit_test(mapping_outlives_replacement),
        cmocka_unit_test(atomic_write_edge_cases),
        cmocka_unit_test(fopen_failure_leaves_output),
    };
    return cmocka_run_group_tests_name("core file reading", tests, NULL, NULL);
}
