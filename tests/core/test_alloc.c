/* Tests for core allocation (shinsa/core/alloc.h): shn_grow's growth and
 * its overflow refusals, the checked size arithmetic, and the failure hook
 * every allocation-failure loop in the suite stands on: if the hook counted
 * wrong, those loops would skip failure points and prove nothing. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/err.h"

static void grow_starts_at_16_and_doubles(void **state)
{
    int *a = NULL;
    size_t cap = 0;
    (void)state;
    assert_int_equal(shn_grow((void **)&a, &cap, 0, sizeof *a), SHN_OK);
    assert_null(a); /* nothing needed, nothing taken */
    assert_int_equal(cap, 0);
    assert_int_equal(shn_grow((void **)&a, &cap, 1, sizeof *a), SHN_OK);
    assert_non_null(a);
    assert_int_equal(cap, 16);
    for (int i = 0; i < 16; i++)
        a[i] = i;
    assert_int_equal(shn_grow((void **)&a, &cap, 16, sizeof *a), SHN_OK);
    assert_int_equal(cap, 16); /* enough already */
    assert_int_equal(shn_grow((void **)&a, &cap, 17, sizeof *a), SHN_OK);
    assert_int_equal(cap, 32);
    assert_int_equal(shn_grow((void **)&a, &cap, 100, sizeof *a), SHN_OK);
    assert_int_equal(cap, 128); /* doubled until it holds `need` */
    for (int i = 0; i < 16; i++)
        assert_int_equal(a[i], i); /* kept across each move */
    a[127] = 127;
    shn_free(a);
}

static void grow_keeps_a_caller_capacity(void **state)
{
    char *a = shn_malloc(5);
    size_t cap = 5;
    (void)state;
    assert_non_null(a);
    memcpy(a, "abcde", 5);
    assert_int_equal(shn_grow((void **)&a, &cap, 6, 1), SHN_OK);
    assert_int_equal(cap, 10); /* doubles from what the caller had */
    assert_memory_equal(a, "abcde", 5);
    shn_free(a);
}

/* Sizes that overflow are refused before anything is allocated, and
 * nothing changes. */
static void grow_refuses_overflow(void **state)
{
    int *a = NULL;
    size_t cap = 0;
    (void)state;
    assert_int_equal(shn_grow((void **)&a, &cap, SIZE_MAX, 1), SHN_ERR_TOO_LARGE);
    assert_int_equal(shn_grow((void **)&a, &cap, SIZE_MAX / 2 + 2, 1), SHN_ERR_TOO_LARGE);
    assert_int_equal(shn_grow((void **)&a, &cap, SIZE_MAX / 8, 16), SHN_ERR_TOO_LARGE);
    assert_null(a);
    assert_int_equal(cap, 0);
    assert_int_equal(shn_grow((void **)&a, &cap, 20, sizeof *a), SHN_OK);
    a[0] = 1;
    assert_int_equal(shn_grow((void **)&a, &cap, SIZE_MAX / 2, sizeof *a), SHN_ERR_TOO_LARGE);
    assert_int_equal(cap, 32);
    assert_int_equal(a[0], 1);
    shn_free(a);
}

/* A failed allocation leaves the array and its capacity as they were. */
static void grow_failing_changes_nothing(void **state)
{
    int *a = NULL, *before;
    size_t cap = 0;
    unsigned long failures = shn_alloc_failures();
    (void)state;
    assert_int_equal(shn_grow((void **)&a, &cap, 3, sizeof *a), SHN_OK);
    a[2] = 42;
    before = a;
    shn_alloc_fail_after(0);
    assert_int_equal(shn_grow((void **)&a, &cap, 17, sizeof *a), SHN_ERR_NOMEM);
    shn_alloc_fail_after(-1);
    assert_ptr_equal(a, before);
    assert_int_equal(cap, 16);
    assert_int_equal(a[2], 42);
    assert_int_equal(shn_alloc_failures(), failures + 1);
    shn_free(a);
}

static void size_arithmetic_is_checked(void **state)
{
    size_t r = 7;
    (void)state;
    assert_true(shn_size_add(1, 2, &r));
    assert_int_equal(r, 3);
    assert_false(shn_size_add(SIZE_MAX, 1, &r));
    assert_int_equal(r, 3); /* untouched on overflow */
    assert_true(shn_size_mul(SIZE_MAX, 1, &r));
    assert_true(r == SIZE_MAX);
    assert_true(shn_size_mul(0, SIZE_MAX, &r));
    assert_int_equal(r, 0);
    assert_false(shn_size_mul(SIZE_MAX / 2 + 1, 2, &r));
    assert_int_equal(r, 0);
}

/* fail_after(n): exactly n allocations succeed, then every one fails until
 * the hook is set again; each wrapper counts. */
static void hook_counts_every_wrapper(void **state)
{
    void *p[4];
    char *s;
    unsigned long failures = shn_alloc_failures();
    (void)state;
    shn_alloc_fail_after(3);
    p[0] = shn_malloc(8);
    p[1] = shn_calloc(2, 8);
    p[2] = shn_realloc(NULL, 8);
    p[3] = shn_malloc(8);
    s = shn_strdup("kim");
    assert_null(shn_calloc(0, 0));
    assert_null(shn_realloc(p[0], 64));
    shn_alloc_fail_after(-1);
    assert_non_null(p[0]);
    assert_non_null(p[1]);
    assert_non_null(p[2]);
    assert_null(p[3]);
    assert_null(s);
    assert_int_equal(shn_alloc_failures(), failures + 4);
    for (int i = 0; i < 3; i++)
        shn_free(p[i]);
    shn_free(NULL); /* a no-op */
}

static void zero_sizes_and_copies(void **state)
{
    unsigned char *z;
    char *s;
    (void)state;
    z = shn_calloc(4, 4);
    assert_non_null(z);
    for (int i = 0; i < 16; i++)
        assert_int_equal(z[i], 0);
    shn_free(z);
    z = shn_malloc(0); /* a pointer the caller may free, never NULL */
    assert_non_null(z);
    shn_free(z);
    z = shn_calloc(0, 8);
    assert_non_null(z);
    shn_free(z);
    s = shn_strndup("kimchi", 3);
    assert_string_equal(s, "kim");
    shn_free(s);
    s = shn_strndup("a\0b", 3); /* length-bounded: the NUL is copied */
    assert_memory_equal(s, "a\0b", 4);
    shn_free(s);
    assert_null(shn_strndup("x", SIZE_MAX)); /* n + 1 overflows */
}

/* Several threads allocating under the hook: exactly n allocations succeed
 * in all, none twice (the count is atomic), so loaders with worker threads
 * can run in allocation-failure loops. */
#define HOOK_THREADS 4
#define HOOK_EACH 5000

static void *allocate_many(void *arg)
{
    long *ok = arg;
    for (int i = 0; i < HOOK_EACH; i++) {
        void *p = shn_malloc(16);
        if (p)
            (*ok)++;
        shn_free(p);
    }
    return NULL;
}

static void hook_is_exact_across_threads(void **state)
{
    pthread_t t[HOOK_THREADS];
    long ok[HOOK_THREADS] = {0}, total = 0;
    (void)state;
    shn_alloc_fail_after(7777);
    for (int i = 0; i < HOOK_THREADS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, allocate_many, &ok[i]), 0);
    for (int i = 0; i < HOOK_THREADS; i++) {
        pthread_join(t[i], NULL);
        total += ok[i];
    }
    shn_alloc_fail_after(-1);
    assert_int_equal(total, 7777);
}

int shn_test_core_alloc(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grow_starts_at_16_and_doubles),
        cmocka_unit_test(grow_keeps_a_caller_capacity),
        cmocka_unit_test(grow_refuses_overflow),
        cmocka_unit_test(grow_failing_changes_nothing),
        cmocka_unit_test(size_arithmetic_is_checked),
        cmocka_unit_test(hook_counts_every_wrapper),
        cmocka_unit_test(zero_sizes_and_copies),
        cmocka_unit_test(hook_is_exact_across_threads),
    };
    return cmocka_run_group_tests_name("core alloc", tests, NULL, NULL);
}
