/* Tests for the bounded line reader (issue 12 F4, F12). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/lines.h"

/* A reader over the bytes through a pipe, written by a child, so that reads
 * come back in pieces and nothing is a regular file. */
static pid_t feed(const void *data, size_t len, int *fd)
{
    int p[2];
    pid_t pid;
    assert_int_equal(pipe(p), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        const char *c = data;
        close(p[0]);
        while (len) {
            size_t n = len < 4093 ? len : 4093;
            ssize_t w = write(p[1], c, n);
            if (w <= 0)
                _exit(1);
            c += w;
            len -= (size_t)w;
        }
        _exit(0);
    }
    close(p[1]);
    *fd = p[0];
    return pid;
}

static void reap(pid_t pid, int fd)
{
    close(fd);
    waitpid(pid, NULL, 0);
}

static void reads_lines_bom_crlf_and_last_line(void **state)
{
    static const char in[] = "\xEF\xBB\xBF"
                             "first\r\n"
                             "\n"
                             "third\xEF\xBB\xBF\n"
                             "with\0nul\r\n"
                             "last";
    struct shn_lines r;
    char *line;
    size_t len;
    int fd;
    pid_t pid = feed(in, sizeof in - 1, &fd);
    (void)state;
    shn_lines_init_fd(&r, fd, "in.txt", 100);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_OK);
    assert_string_equal(line, "first"); /* BOM skipped, CR dropped */
    assert_int_equal(r.line, 1);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_OK);
    assert_int_equal(len, 0);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_OK);
    assert_string_equal(line, "third\xEF\xBB\xBF"); /* only a leading BOM is one */
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_OK);
    assert_int_equal(len, 8);
    assert_memory_equal(line, "with\0nul", 8);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_OK);
    assert_string_equal(line, "last");
    assert_int_equal(r.line, 5);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_ERR_NOT_FOUND);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_ERR_NOT_FOUND);
    shn_lines_cleanup(&r);
    reap(pid, fd);
}

/* F4: a 20 MB line with a 1000-byte cap is refused holding at most the cap
 * (plus CR, LF and NUL), and reading goes on after it. */
static void long_line_is_refused_before_it_is_held(void **state)
{
    size_t big = (size_t)20 << 20;
    char *in = shn_malloc(big + 64);
    struct shn_lines r;
    struct shn_diag d = {0};
    char *line;
    size_t len, n = 0;
    int fd;
    pid_t pid;
    (void)state;
    assert_non_null(in);
    n += (size_t)snprintf(in, 64, "short\n");
    memset(in + n, 'x', big);
    n += big;
    n += (size_t)snprintf(in + n, 64, "\nafter\n");
    pid = feed(in, n, &fd);
    shn_lines_init_fd(&r, fd, "queries.txt", 1000);
    assert_int_equal(shn_lines_next(&r, &line, &len, &d), SHN_OK);
    assert_int_equal(shn_lines_next(&r, &line, &len, &d), SHN_ERR_TOO_LARGE);
    assert_int_equal(d.line, 2);
    assert_string_equal(d.file, "queries.txt");
    assert_non_null(strstr(d.message, "longer than 1000 bytes"));
    assert_true(r.alloc <= 1003);
    assert_int_equal(shn_lines_next(&r, &line, &len, &d), SHN_OK);
    assert_string_equal(line, "after");
    assert_int_equal(r.line, 3);
    assert_true(r.alloc <= 1003);
    assert_int_equal(shn_lines_next(&r, &line, &len, &d), SHN_ERR_NOT_FOUND);
    shn_lines_cleanup(&r);
    reap(pid, fd);
    shn_free(in);
}

/* Exactly the cap is accepted, with or without CR, one more byte is not;
 * also for a last line without its LF. */
static void cap_is_exact(void **state)
{
    char in[64];
    struct shn_lines r;
    char *line;
    size_t len;
    FILE *f;
    (void)state;
    snprintf(in, sizeof in, "%s\r\n%s\n%s\n%s", "12345678", "12345678", "123456789", "123456789");
    f = fmemopen(in, strlen(in), "r");
    assert_non_null(f);
    shn_lines_init_file(&r, f, "s", 8);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_OK);
    assert_int_equal(len, 8);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_OK);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_ERR_TOO_LARGE);
    assert_int_equal(r.line, 3);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_ERR_TOO_LARGE);
    assert_int_equal(r.line, 4);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_ERR_NOT_FOUND);
    shn_lines_cleanup(&r);
    fclose(f);
}

/* Lines that straddle the first buffer (64 KiB) and its growth. */
static void lines_across_buffer_growth(void **state)
{
    size_t sizes[] = {65533, 65534, 65535, 65536, 1, 131072, 0, 200000};
    size_t total = 0, n = 0;
    char *in, *line;
    struct shn_lines r;
    size_t len;
    int fd;
    pid_t pid;
    (void)state;
    for (size_t i = 0; i < 8; i++)
        total += sizes[i] + 1;
    in = shn_malloc(total);
    assert_non_null(in);
    for (size_t i = 0; i < 8; i++) {
        memset(in + n, 'a' + (int)i, sizes[i]);
        n += sizes[i];
        in[n++] = '\n';
    }
    pid = feed(in, n, &fd);
    shn_lines_init_fd(&r, fd, "big", 200000);
    for (size_t i = 0; i < 8; i++) {
        assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_OK);
        assert_int_equal(len, sizes[i]);
        assert_true(len == 0 || (line[0] == 'a' + (int)i && line[len - 1] == 'a' + (int)i));
        assert_int_equal(line[len], '\0');
    }
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_ERR_NOT_FOUND);
    shn_lines_cleanup(&r);
    reap(pid, fd);
    shn_free(in);
}

static void open_checks_and_read_errors(void **state)
{
    struct shn_lines r;
    struct shn_diag d = {0};
    char *line;
    size_t len;
    char path[] = "/tmp/shn-lines-XXXXXX";
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "a\nb", 3), 3);
    close(fd);
    assert_int_equal(shn_lines_open(&r, path, 10, &d), SHN_OK);
    assert_int_equal(shn_lines_next(&r, &line, &len, &d), SHN_OK);
    assert_int_equal(shn_lines_next(&r, &line, &len, &d), SHN_OK);
    assert_string_equal(line, "b");
    shn_lines_cleanup(&r);
    unlink(path);
    assert_int_equal(shn_lines_open(&r, "/tmp", 10, &d), SHN_ERR_IO); /* a folder */
    /* a folder's fd read as lines: the read error is reported */
    fd = open("/tmp", O_RDONLY | O_DIRECTORY);
    assert_true(fd >= 0);
    shn_lines_init_fd(&r, fd, "dir", 10);
    assert_int_equal(shn_lines_next(&r, &line, &len, &d), SHN_ERR_IO);
    assert_non_null(strstr(d.message, "read failed"));
    shn_lines_cleanup(&r);
    close(fd);
}

static void allocation_failure_is_reported(void **state)
{
    struct shn_lines r;
    char *line;
    size_t len;
    FILE *f = fmemopen("abc\n", 4, "r");
    (void)state;
    assert_non_null(f);
    shn_lines_init_file(&r, f, "m", 10);
    shn_alloc_fail_after(0);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_ERR_NOMEM);
    shn_alloc_fail_after(-1);
    assert_int_equal(shn_lines_next(&r, &line, &len, NULL), SHN_OK);
    assert_string_equal(line, "abc");
    shn_lines_cleanup(&r);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_lines_bom_crlf_and_last_line),
        cmocka_unit_test(long_line_is_refused_before_it_is_held),
        cmocka_unit_test(cap_is_exact),
        cmocka_unit_test(lines_across_buffer_growth),
        cmocka_unit_test(open_checks_and_read_errors),
        cmocka_unit_test(allocation_failure_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
