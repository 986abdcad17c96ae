/* Token similarity and alignment (src/names/similarity.c, align.c): the
 * rules the screen index's scorer and shn_names_similarity() share, with
 * exact scores worked out by hand from the formula in docs/names.md. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "shinsa/names.h"

struct job {
    struct shn_names_elements q, n;
};

static float sim(void *ctx, int qe, int ne)
{
    struct job *j = ctx;
    return shn_names_token_similarity(shn_names_element(&j->q, qe), j->q.side.len[qe],
                                      shn_names_element(&j->n, ne), j->n.side.len[ne]);
}

/* Aligns query keys against name keys (already folded, space-separated). */
static double align(const char *q, const char *n, struct shn_names_alignment *a)
{
    struct job j;
    shn_names_elements_init(&j.q, q);
    shn_names_elements_init(&j.n, n);
    return shn_names_align(&j.q.side, &j.n.side, sim, &j, a);
}

static bool near(double a, double b)
{
    return a > b - 1e-9 && a < b + 1e-9;
}

static void one_deletion_rule(void **state)
{
    (void)state;
    assert_true(shn_names_within_one_deletion("kim", 3, "kim", 3));
    assert_false(shn_names_within_one_deletion("kim", 3, "kin", 3)); /* too short for deletions */
    assert_true(shn_names_within_one_deletion("abcde", 5, "abcd", 4));
    assert_false(shn_names_within_one_deletion("abcd", 4, "abc", 3));
    assert_true(shn_names_within_one_deletion("abcdef", 6, "abxdef", 6)); /* substitution */
    assert_true(shn_names_within_one_deletion("abcdef", 6, "abdcef", 6)); /* transposition */
    assert_false(shn_names_within_one_deletion("abcdef", 6, "axcdyf", 6));
    assert_false(shn_names_within_one_deletion("abcdefg", 7, "abcde", 5));
    assert_true(shn_names_within_one_deletion("aabbcc", 6, "abbcc", 5));
}

static void token_similarity(void **state)
{
    (void)state;
    assert_true(shn_names_token_similarity("kim", 3, "kim", 3) == 1.0f);
    assert_true(shn_names_token_similarity("k", 1, "kim", 3) == 0.8f); /* an initial */
    assert_true(shn_names_token_similarity("kim", 3, "k", 1) == 0.8f);
    assert_true(shn_names_token_similarity("p", 1, "kim", 3) == 0.0f);
    assert_true(shn_names_token_similarity("k", 1, "k", 1) == 1.0f);
    /* One substitution in six letters: Jaro 8/9 with a two-letter prefix
     * (Winkler: 8/9 + 0.2 * 1/9), edit similarity 5/6, and their mean. */
    assert_true(fabs(shn_names_token_similarity("abcdef", 6, "abxdef", 6) -
                     (8.2 / 9.0 + 5.0 / 6.0) / 2.0) < 1e-6);
    /* Close by Jaro-Winkler, but two edits apart: never aligned. */
    assert_true(shn_names_token_similarity("abcdefgh", 8, "abdcefhg", 8) == 0.0f);
    /* A short token that begins a long one. */
    assert_true(shn_names_token_similarity("hani", 4, "hansubin", 8) == 0.0f);
}

static void elements(void **state)
{
    struct shn_names_elements e;
    (void)state;
    shn_names_elements_init(&e, "kim jong un");
    assert_int_equal(e.side.n, 3);
    assert_string_equal(shn_names_element(&e, 0), "kim");
    assert_string_equal(shn_names_element(&e, 2), "un");
    assert_string_equal(shn_names_element(&e, 3), "kimjong");
    assert_string_equal(shn_names_element(&e, 4), "jongun");
    assert_int_equal(e.side.len[4], 6);
    shn_names_elements_init(&e, "  korea   mining development ");
    assert_int_equal(e.side.n, 3);
    assert_string_equal(shn_names_element(&e, 0), "korea");
    assert_string_equal(shn_names_element(&e, 3), "koreamining");
    assert_int_equal(e.side.len[4], 0); /* development is over six letters: no pair */
    assert_string_equal(shn_names_element(&e, 4), "");
    shn_names_elements_init(&e, "");
    assert_int_equal(e.side.n, 0);
    shn_names_elements_init(&e, "a b c d e f g h i j k l m n");
    assert_int_equal(e.side.n, SHN_NAME_MAX_TOKENS);
}

static void alignment_rules(void **state)
{
    struct shn_names_alignment a;
    (void)state;
    /* Order-free. */
    assert_true(align("kim chol", "chol kim", &a) == 1.0);
    assert_int_equal(a.n_pairs, 2);
    /* A missing middle name longer than three letters counts half:
     * (6 + 8) / (14 + 5 / 2); three letters or fewer count in full. */
    assert_true(near(align("kim chol", "kim chol woong", &a), 14.0 / 16.5));
    assert_true(near(align("kim chol", "kim chol ung", &a), 14.0 / 17.0));
    /* The query side is never forgiven. */
    assert_true(near(align("kim chol woong", "kim chol", &a), 14.0 / 19.0));
    /* Adjacent tokens merge: "jong un" meets "jongun" (pair element 4). */
    assert_true(align("kim jong un", "kim jongun", &a) == 1.0);
    assert_int_equal(a.n_pairs, 2);
    assert_true((a.q[0] == 4 && a.n[0] == 1) || (a.q[1] == 4 && a.n[1] == 1));
    assert_true(align("kim jongun", "kim jong un", &a) == 1.0);
    /* An initial aligns one letter; the rest of its token stays
     * unexplained: (0.8 * 2 + 1 * 8) / (2 + 2 + 8). */
    assert_true(near(align("k chol", "kim chol", &a), (0.8f * 2.0 + 8.0) / 12.0));
    /* Initials alone never match (and a score of 0 keeps no alignment). */
    assert_true(align("k c", "kim chol", &a) == 0);
    assert_int_equal(a.n_pairs, 0);
    /* Tokens of up to four letters must be equal: chol is not chul. */
    assert_true(align("chol", "chul", &a) == 0);
    assert_int_equal(a.n_pairs, 0);
    assert_true(align("", "kim", &a) == 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(one_deletion_rule),
        cmocka_unit_test(token_similarity),
        cmocka_unit_test(elements),
        cmocka_unit_test(alignment_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
