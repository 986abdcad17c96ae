/* Pairwise name similarity (src/names/compare.c): the same person across
 * scripts and readings, different people, argument errors, threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shinsa/core/err.h"
#include "shinsa/names.h"

static double sim(const char *a, const char *ar, const char *b, const char *br)
{
    double s = -1;
    assert_int_equal(shn_names_similarity(a, ar, b, br, &s), SHN_OK);
    assert_true(s >= 0 && s <= 1);
    return s;
}

static void same_person_across_scripts(void **state)
{
    (void)state;
    /* Kanji with its reading against the katakana a Japanese bank prints. */
    assert_true(sim("田中 健二", "たなか けんじ", "タナカ ケンジ", NULL) > 0.99);
    /* Latin, either order, either case. */
    assert_true(sim("Tanaka Kenji", NULL, "KENJI TANAKA", NULL) > 0.99);
    assert_true(sim("タナカ ケンジ", NULL, "Tanaka Kenji", NULL) > 0.99);
    /* Korean romanizations fold together, and Hangul meets Latin. */
    assert_true(sim("Kim Chol Ung", NULL, "KIM Cheol-woong", NULL) > 0.95);
    assert_true(sim("김철웅", NULL, "Kim Chol Ung", NULL) > 0.95);
    /* A missing given-name syllable costs, but stays high. */
    assert_true(sim("Kim Jong Un", NULL, "Kim Jongun", NULL) > 0.95);
    /* Symmetric: both directions are scored. */
    assert_true(sim("Tanaka Kenji", NULL, "Tanaka Kenji Taro", NULL) ==
                sim("Tanaka Kenji Taro", NULL, "Tanaka Kenji", NULL));
}

static void different_people(void **state)
{
    (void)state;
    assert_true(sim("田中 健二", "たなか けんじ", "スズキ ハナコ", NULL) < 0.3);
    assert_true(sim("Tanaka Kenji", NULL, "Kim Chol Ung", NULL) < 0.3);
    /* One shared surname is not the same person. */
    double s = sim("Tanaka Kenji", NULL, "Tanaka Hanako", NULL);
    assert_true(s > 0.2 && s < 0.7);
    /* Nothing comparable: 0, not an error. */
    assert_true(sim("...", NULL, "Tanaka", NULL) == 0);
}

static void bad_arguments(void **state)
{
    double s = 0.5;
    (void)state;
    assert_int_equal(shn_names_similarity(NULL, NULL, "a", NULL, &s), SHN_ERR_INVALID);
    assert_int_equal(shn_names_similarity("a", NULL, NULL, NULL, &s), SHN_ERR_INVALID);
    assert_int_equal(shn_names_similarity("a", NULL, "b", NULL, NULL), SHN_ERR_INVALID);
    assert_int_equal(shn_names_similarity("\xff\xfe", NULL, "b", NULL, &s), SHN_ERR_ENCODING);
    assert_true(s == 0.5); /* untouched on error */
}

static void *compare_many(void *arg)
{
    int *ok = arg;
    for (int i = 0; i < 200; i++) {
        double s = 0;
        if (shn_names_similarity("田中 健二", "たなか けんじ", "タナカ ケンジ", NULL, &s) !=
                SHN_OK ||
            s < 0.99)
            *ok = 0;
    }
    return NULL;
}

static void threads(void **state)
{
    pthread_t t[2];
    int ok[2] = {1, 1};
    (void)state;
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, compare_many, &ok[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_true(ok[0] && ok[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_person_across_scripts),
        cmocka_unit_test(different_people),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
