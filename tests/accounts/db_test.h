/* Test helper: a fresh temporary database path per test, and its removal
 * with the WAL side files. Header-only and self-contained. */
#ifndef SHN_TESTS_ACCOUNTS_DB_TEST_H
#define SHN_TESTS_ACCOUNTS_DB_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

static inline void temp_db(char *path, size_t size)
{
    int fd;
    snprintf(path, size, "/tmp/shn-accounts-XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
}

static inline void remove_db(const char *path)
{
    char p[256];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

#endif
