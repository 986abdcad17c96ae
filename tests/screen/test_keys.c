/* Retrieval keys against the names module's alignment rule: two elements
 * share a retrieval key exactly when shn_names_within_one_deletion() lets
 * them align. If keys missed an alignable pair, the index would lose hits
 * that a scan of every name finds; this is the contract that makes the
 * query path's candidates and score bound exact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "screen_internal.h"

static bool share_key(const char *a, const char *b)
{
    struct shn_token_list ta = {1, {a}, {(uint8_t)strlen(a)}};
    struct shn_token_list tb = {1, {b}, {(uint8_t)strlen(b)}};
    struct shn_key ka[SHN_KEYS_MAX], kb[SHN_KEYS_MAX];
    size_t na = shn__keys_for_tokens(&ta, ka, SHN_KEYS_MAX);
    size_t nb = shn__keys_for_tokens(&tb, kb, SHN_KEYS_MAX);

    for (size_t i = 0, j = 0; i < na && j < nb;) {
        if (ka[i].hash == kb[j].hash)
            return true;
        if (ka[i].hash < kb[j].hash)
            i++;
        else
            j++;
    }
    return false;
}

static uint32_t next(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

/* A random edit of s: a deletion, insertion, substitution or swap, over a
 * three-letter alphabet so that edits often cancel or repeat letters. */
static void mutate(char *s, uint32_t *rng)
{
    size_t len = strlen(s), i = len ? next(rng) % len : 0;
    char c = (char)('a' + next(rng) % 3);

    switch (next(rng) % 4) {
    case 0:
        if (len)
            memmove(s + i, s + i + 1, len - i);
        break;
    case 1:
        if (len < 30) {
            memmove(s + i + 1, s + i, len - i + 1);
            s[i] = c;
        }
        break;
    case 2:
        if (len)
            s[i] = c;
        break;
    default:
        if (i + 1 < len) {
            char t = s[i];
            s[i] = s[i + 1];
            s[i + 1] = t;
        }
    }
}

static void keys_meet_exactly_the_alignable_tokens(void **state)
{
    uint32_t rng = 11;
    int agree_yes = 0, agree_no = 0;
    (void)state;
    for (int round = 0; round < 20000; round++) {
        char a[40] = {0}, b[40];
        size_t len = 1 + next(&rng) % 27;
        int edits = 1 + (int)(next(&rng) % 3);
        bool keys, align;

        for (size_t i = 0; i < len; i++)
            a[i] = (char)('a' + next(&rng) % 3);
        memcpy(b, a, sizeof b);
        for (int e = 0; e < edits; e++)
            mutate(b, &rng);
        if (!b[0])
            continue;
        keys = share_key(a, b);
        align = shn_names_within_one_deletion(a, strlen(a), b, strlen(b));
        if (keys != align)
            fail_msg("'%s' / '%s': keys %d, alignment rule %d", a, b, keys, align);
        if (keys)
            agree_yes++;
        else
            agree_no++;
    }
    /* Both outcomes were exercised. */
    assert_true(agree_yes > 1000 && agree_no > 1000);
}

static void the_limits_are_the_names_modules(void **state)
{
    char a[32], b[32];
    (void)state;
    /* Four letters: no deletion keys, so one letter apart never meets. */
    assert_false(share_key("abcd", "abce"));
    assert_false(shn_names_within_one_deletion("abcd", 4, "abce", 4));
    assert_true(share_key("abcde", "abcdf"));
    /* The longest element with deletion keys, and one longer. */
    memset(a, 'a', sizeof a);
    memcpy(b, a, sizeof b);
    a[SHN_NAMES_DELETE_MAX] = b[SHN_NAMES_DELETE_MAX] = '\0';
    b[3] = 'b';
    assert_true(share_key(a, b));
    a[SHN_NAMES_DELETE_MAX] = b[SHN_NAMES_DELETE_MAX] = 'a';
    a[SHN_NAMES_DELETE_MAX + 1] = b[SHN_NAMES_DELETE_MAX + 1] = '\0';
    assert_false(share_key(a, b));
    assert_false(shn_names_within_one_deletion(a, strlen(a), b, strlen(b)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keys_meet_exactly_the_alignable_tokens),
        cmocka_unit_test(the_limits_are_the_names_modules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
