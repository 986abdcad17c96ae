/* The sound-alike key of one Latin token (shn_names_fold_token).
 *
 * Korean names reach us in Revised Romanization (Gim Yeong-cheol),
 * McCune-Reischauer without its breves (Kim Yong-chol), North Korean
 * spellings (Ri, Ryong) and English habits (Lee, Park, Choi, Rhee). The key
 * merges what these systems write differently for the same sound: voiced
 * and voiceless stops, eo/o/u/eu, r/l, ch/j, sh/s, the initial-sound rule
 * (Ri/I, Ryong/Yong) and a few spelling habits (Park, Pack, Oh, Ahn).
 *
 * The rules look at a character and a couple of neighbours only, so that
 * fold(a) + fold(b) == fold(a + b) when a and b are syllables of one given
 * name ("man" + "gon" and "mangeon" both give "mankon"); the matcher relies
 * on that when it joins given-name tokens. The exceptions are the rules at
 * the start of a token (initial-sound rule, tense doubles) and at its end
 * (a final "ie"), and the whole-token surname rule Ro/Roh -> No.
 *
 * Table of examples: docs/names.md and
 * tests/data/names/fold_examples.tsv. */
#include <string.h>

#include "names_internal.h"

static bool is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static bool is_consonant(char c)
{
    return (c >= 'a' && c <= 'z') && !is_vowel(c);
}

/* Letter at t[i] or NUL past the end. */
static char at(const char *t, size_t len, size_t i)
{
    return i < len ? t[i] : '\0';
}

static bool starts(const char *t, size_t len, size_t i, const char *lit)
{
    size_t n = strlen(lit);

    return i + n <= len && memcmp(t + i, lit, n) == 0;
}

struct key {
    char s[SHN_FOLD_MAX];
    size_t len;
};

static char last(const struct key *k)
{
    return k->len ? k->s[k->len - 1] : '\0';
}

static void put(struct key *k, char c)
{
    /* Doubled vowels (aa, ii, and the o that eo/u/oo became) are one. */
    if (is_vowel(c) && last(k) == c)
        return;
    if (k->len + 1 < sizeof(k->s))
        k->s[k->len++] = c;
}

/* Matches a vowel group at t[i]; writes the key vowel and returns how many
 * input letters it used, 0 if t[i] starts no vowel group. `after_cons` says
 * the previous input letter was a consonant. */
static size_t vowel_group(const char *t, size_t len, size_t i, bool after_cons, char *v)
{
    char c = t[i];

    if (starts(t, len, i, "eui")) {
        *v = 'i';
        return 3;
    }
    if (starts(t, len, i, "woo")) {
        *v = 'o';
        return 3;
    }
    if (after_cons && starts(t, len, i, "wae")) {
        *v = 'e';
        return 3;
    }
    if (after_cons && starts(t, len, i, "we")) {
        *v = 'e';
        return 2;
    }
    if (starts(t, len, i, "wu")) {
        *v = 'o';
        return 2;
    }
    if (!is_vowel(c))
        return 0;
    switch (c) {
    case 'e':
        if (at(t, len, i + 1) == 'o' || at(t, len, i + 1) == 'u') {
            *v = 'o';
            return 2;
        }
        if (at(t, len, i + 1) == 'e') {
            *v = 'i';
            return 2;
        }
        *v = 'e';
        return 1;
    case 'a':
        if (at(t, len, i + 1) == 'e') {
            *v = 'e';
            return 2;
        }
        *v = 'a';
        return 1;
    case 'o':
        if (at(t, len, i + 1) == 'e' || at(t, len, i + 1) == 'i') {
            *v = 'e';
            return 2;
        }
        *v = 'o';
        return 1;
    case 'u':
        if (at(t, len, i + 1) == 'i') {
            *v = 'i';
            return 2;
        }
        *v = 'o';
        return 1;
    case 'i':
        /* Rhie, Lie: a final "ie" is the i of Ri. */
        if (at(t, len, i + 1) == 'e' && i + 2 == len) {
            *v = 'i';
            return 2;
        }
        *v = 'i';
        return 1;
    default:
        return 0;
    }
}

size_t shn_names_fold_token(const char *token, size_t len, char *out)
{
    char in[SHN_FOLD_MAX];
    size_t n = 0, i = 0, start = 0;
    struct key k;

    /* Keep only lowercase letters and digits; the caller passes lowercase
     * ASCII, but the key must not depend on that. */
    for (size_t j = 0; j < len && n + 1 < sizeof(in); j++) {
        char c = token[j];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            in[n++] = c;
    }
    in[n] = '\0';
    k.len = 0;

    if (starts(in, n, 0, "rh")) {
        put(&k, 'l');
        i = 2;
    }

    while (i < n) {
        char c = in[i], v;
        size_t used;
        bool after_cons = i > 0 && is_consonant(in[i - 1]);

        used = vowel_group(in, n, i, after_cons, &v);
        if (used) {
            put(&k, v);
            i += used;
            continue;
        }
        /* h after a vowel, at the end or before a consonant, only lengthens
         * it (Oh, Ahn, Taroh). */
        if (c == 'h' && k.len && is_vowel(last(&k)) && !is_vowel(at(in, n, i + 1)) &&
            at(in, n, i + 1) != 'y' && at(in, n, i + 1) != 'w') {
            i++;
            continue;
        }
        if ((c == 'c' || c == 's' || c == 'z') && at(in, n, i + 1) == 'h') {
            put(&k, c == 's' ? 's' : 'c');
            i += 2;
            continue;
        }
        if (c == 't' && starts(in, n, i + 1, "ch")) {
            put(&k, 'c');
            i += 3;
            continue;
        }
        if (c == 'c' && at(in, n, i + 1) == 'k') {
            put(&k, 'k');
            i += 2;
            continue;
        }
        /* Park, Kark: an English "ar" before a consonant is the vowel a. */
        if (c == 'r' && last(&k) == 'a' && is_consonant(at(in, n, i + 1)) &&
            at(in, n, i + 1) != 'y' && at(in, n, i + 1) != 'w') {
            i++;
            continue;
        }
        switch (c) {
        case 'g':
            c = 'k';
            break;
        case 'd':
            c = 't';
            break;
        case 'b':
            c = 'p';
            break;
        case 'j':
            c = 'c';
            break;
        case 'r':
            c = 'l';
            break;
        default:
            break;
        }
        put(&k, c);
        i++;
    }

    /* Initial-sound rule: Ri/Li/I, Ryong/Yong, Nyeo/Yeo, Yi/I. */
    if (k.len >= 2 && k.s[0] == 'l' && (k.s[1] == 'i' || k.s[1] == 'y'))
        start = 1;
    else if (k.len >= 2 && k.s[0] == 'n' && k.s[1] == 'y')
        start = 1;
    if (k.len - start >= 2 && k.s[start] == 'y' && k.s[start + 1] == 'i')
        start++;
    /* Tense initials written doubled (Kkot, Ssang, Ppal) are the plain one. */
    if (k.len - start >= 2 && is_consonant(k.s[start]) && k.s[start] == k.s[start + 1])
        start++;
    /* The one whole-token surname rule: 로/노 (Ro, Roh, No, Noh). */
    if (k.len - start == 2 && k.s[start] == 'l' && k.s[start + 1] == 'o')
        k.s[start] = 'n';

    memcpy(out, k.s + start, k.len - start);
    out[k.len - start] = '\0';
    return k.len - start;
}
