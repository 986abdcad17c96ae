/* Token similarity: how alike two folded tokens (or joined pairs) are, and
 * which may align at all. The one implementation behind the screen index's
 * scorer and shn_names_similarity(); the alignment over whole names is in
 * align.c. */
#include <string.h>

#include "names_internal.h"

/* Jaro-Winkler similarity of two short strings (at most 2 * SHN_FOLD_MAX
 * bytes are read of each). */
static double jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char amatch[SHN_FOLD_MAX * 2] = {0}, bmatch[SHN_FOLD_MAX * 2] = {0};
    size_t window, matches = 0, transpositions = 0, prefix = 0, k = 0;
    double jaro;

    if (alen == blen && memcmp(a, b, alen) == 0)
        return 1.0;
    if (!alen || !blen)
        return 0.0;
    if (alen > sizeof amatch)
        alen = sizeof amatch;
    if (blen > sizeof bmatch)
        blen = sizeof bmatch;
    window = (alen > blen ? alen : blen) / 2;
    window = window ? window - 1 : 0;
    for (size_t i = 0; i < alen; i++) {
        size_t lo = i > window ? i - window : 0, hi = i + window + 1 < blen ? i + window + 1 : blen;
        for (size_t j = lo; j < hi; j++) {
            if (!bmatch[j] && a[i] == b[j]) {
                amatch[i] = bmatch[j] = 1;
                matches++;
                break;
            }
        }
    }
    if (!matches)
        return 0.0;
    for (size_t i = 0; i < alen; i++) {
        if (!amatch[i])
            continue;
        while (!bmatch[k])
            k++;
        if (a[i] != b[k])
            transpositions++;
        k++;
    }
    jaro = ((double)matches / alen + (double)matches / blen +
            (matches - transpositions / 2.0) / matches) /
           3.0;
    while (prefix < 4 && prefix < alen && prefix < blen && a[prefix] == b[prefix])
        prefix++;
    return jaro + prefix * 0.1 * (1.0 - jaro);
}

/* Levenshtein distance of two short strings (at most SHN_FOLD_MAX * 2). */
static size_t edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t row[SHN_FOLD_MAX * 2 + 1];

    if (alen > SHN_FOLD_MAX * 2)
        alen = SHN_FOLD_MAX * 2;
    if (blen > SHN_FOLD_MAX * 2)
        blen = SHN_FOLD_MAX * 2;
    for (size_t j = 0; j <= blen; j++)
        row[j] = j;
    for (size_t i = 1; i <= alen; i++) {
        size_t diag = row[0], best;
        row[0] = i;
        for (size_t j = 1; j <= blen; j++) {
            size_t up = row[j];
            best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[blen];
}

/* True when shorter[0..n-1) is longer[0..n) with one letter deleted. The
 * first letter where they differ is the one to delete (or the last). */
static bool is_one_deletion(const char *longer, size_t n, const char *shorter)
{
    size_t i = 0;

    while (i + 1 < n && longer[i] == shorter[i])
        i++;
    return memcmp(longer + i + 1, shorter + i, n - 1 - i) == 0;
}

static bool deletable(size_t len)
{
    return len >= SHN_NAMES_DELETE_MIN && len <= SHN_NAMES_DELETE_MAX;
}

bool shn_names_within_one_deletion(const char *a, size_t alen, const char *b, size_t blen)
{
    char del[SHN_NAMES_DELETE_MAX];

    if (alen == blen && memcmp(a, b, alen) == 0)
        return true;
    if (alen == blen + 1)
        return deletable(alen) && is_one_deletion(a, alen, b);
    if (blen == alen + 1)
        return deletable(blen) && is_one_deletion(b, blen, a);
    if (alen != blen || !deletable(alen))
        return false;
    /* Equal lengths: some deletion from a is a deletion from b. */
    for (size_t i = 0; i < alen; i++) {
        if (i > 0 && a[i] == a[i - 1])
            continue; /* deleting either of a doubled letter gives the same */
        memcpy(del, a, i);
        memcpy(del + i, a + i + 1, alen - i - 1);
        if (is_one_deletion(b, blen, del))
            return true;
    }
    return false;
}

float shn_names_token_similarity(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t longest = alen > blen ? alen : blen;
    double edit;

    if (alen == 1 && blen == 1)
        return a[0] == b[0] ? 1.0f : 0.0f;
    if (alen == 1 || blen == 1) /* an initial */
        return a[0] == b[0] ? 0.8f : 0.0f;
    if (alen == blen && memcmp(a, b, alen) == 0)
        return 1.0f;
    /* The length difference alone bounds the edit similarity; most pairs
     * of unrelated tokens stop here, before the quadratic work. */
    edit = 1.0 - (double)(longest - (alen < blen ? alen : blen)) / (double)longest;
    if ((1.0 + edit) / 2.0 < SHN_NAMES_MIN_PAIR_SIM)
        return 0.0f;
    /* Whole tokens align only when they are one deletion apart at most:
     * the contract with retrieval keys (names.h). */
    if (!shn_names_within_one_deletion(a, alen, b, blen))
        return 0.0f;
    /* The mean of Jaro-Winkler and normalized edit similarity. Jaro-Winkler
     * alone rates a short token that begins a long one (hani / hansubin)
     * far too high; edit similarity alone is too harsh on transpositions.
     * Folding has already removed romanization noise, so what is left to
     * forgive is a letter or two. */
    edit = 1.0 - (double)edit_distance(a, alen, b, blen) / (double)longest;
    return (float)((jaro_winkler(a, alen, b, blen) + edit) / 2.0);
}

double shn_names_origin_factor(int origin)
{
    /* Reading Han characters is a guess: Korean readings of a Hanja name
     * are usually right for DPRK names, Mandarin ones less often. */
    if (origin == SHN_ORIGIN_HANJA_KO)
        return 0.96;
    if (origin == SHN_ORIGIN_HAN_ZH)
        return 0.93;
    return 1.0;
}
