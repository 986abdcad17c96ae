/* Pairwise name similarity: two names, each in any script with an optional
 * kana reading, scored by the same analysis (names.c) and the same token
 * alignment (score.c) as a watchlist query, without an index. Used where
 * two names from one platform are compared (the holder name on a bank
 * account against the account holder's name).
 *
 * The scorer reads the list side of a comparison from an index's vocabulary;
 * here the second name's folded tokens (and their adjacent pairs, as the
 * index builder joins them) are laid out in a small index-shaped view on the
 * stack, so the alignment code is shared rather than copied. Every pair of
 * variants (readings) is scored in both directions — the scorer forgives an
 * unaligned middle name on the list side only, and neither side here is the
 * list — and the best score wins, scaled down for readings of Han
 * characters that are guesses, as the query path does. */
#include <string.h>

#include "score.h"
#include "screen_internal.h"

#define NO_PAIR UINT32_MAX
#define VOCAB_MAX (2 * SHN_NAME_MAX_TOKENS)
/* Tokens, then joined pairs, each NUL-terminated. */
#define STRINGS_MAX (SHN_NAME_MAX_TOKENS * SHN_FOLD_MAX + SHN_NAME_MAX_TOKENS * 2 * SHN_FOLD_MAX)

struct list_side {
    char strings[STRINGS_MAX];
    uint32_t vocab[VOCAB_MAX];
    uint8_t vocab_len[VOCAB_MAX];
    uint32_t name_tokens[VOCAB_MAX];
    struct shn_idx_name name;
    struct shn_screen_index idx;
};

/* The memo is 190 KiB: one per thread, reused (a stamp per reading). */
static _Thread_local struct shn_memo memo;

static uint32_t add_string(struct list_side *s, size_t *used, const char *a, size_t alen,
                           const char *b, size_t blen, uint32_t *n_vocab)
{
    uint32_t id;
    if (alen + blen > 255 || *used + alen + blen + 1 > sizeof s->strings || *n_vocab >= VOCAB_MAX)
        return NO_PAIR;
    id = (*n_vocab)++;
    s->vocab[id] = (uint32_t)*used;
    s->vocab_len[id] = (uint8_t)(alen + blen);
    memcpy(s->strings + *used, a, alen);
    memcpy(s->strings + *used + alen, b, blen);
    *used += alen + blen;
    s->strings[(*used)++] = '\0';
    return id;
}

/* Lays out the tokens of `v` as a one-name index. */
static void list_side_init(struct list_side *s, const struct shn_token_list *t)
{
    size_t used = 0;
    uint32_t n_vocab = 0;
    int n = t->n;

    memset(&s->name, 0, sizeof s->name);
    memset(&s->idx, 0, sizeof s->idx);
    for (int j = 0; j < n; j++) {
        s->name_tokens[j] = add_string(s, &used, t->tok[j], t->len[j], "", 0, &n_vocab);
        if (s->name_tokens[j] == NO_PAIR) { /* cannot happen within SHN_NAME_TEXT; be safe */
            n = j;
            break;
        }
    }
    for (int j = 0; j + 1 < n; j++)
        s->name_tokens[n + j] =
            shn__pairable(t->len[j], t->len[j + 1])
                ? add_string(s, &used, t->tok[j], t->len[j], t->tok[j + 1], t->len[j + 1], &n_vocab)
                : NO_PAIR;
    s->name.tokens = 0;
    s->name.ntokens = (uint8_t)n;
    s->idx.strings = s->strings;
    s->idx.strings_size = used;
    s->idx.vocab = s->vocab;
    s->idx.vocab_len = s->vocab_len;
    s->idx.names = &s->name;
    s->idx.name_tokens = s->name_tokens;
}

static double origin_factor(int origin)
{
    if (origin == SHN_ORIGIN_HANJA_KO)
        return 0.96;
    if (origin == SHN_ORIGIN_HAN_ZH)
        return 0.93;
    return 1.0;
}

static double score_one_way(const struct shn_name_variant *q, const struct shn_name_variant *n,
                            struct list_side *side)
{
    struct shn_token_list qt, nt;
    struct shn_qtokens qq;
    struct shn_alignment a;

    shn__tokens_split(q->keys, &qt);
    shn__tokens_split(n->keys, &nt);
    if (!qt.n || !nt.n)
        return 0;
    shn__qtokens_init(&qq, &qt);
    list_side_init(side, &nt);
    if (++memo.stamp == 0)
        memo.stamp = 1;
    return shn__score_name(&side->idx, &qq, &memo, 0, &a) * origin_factor(q->origin) *
           origin_factor(n->origin);
}

int shn_screen_name_similarity(const char *a, const char *a_reading, const char *b,
                               const char *b_reading, double *out)
{
    struct shn_name_forms fa, fb;
    struct list_side side;
    double best = 0;
    int rc;

    if (!a || !b || !out)
        return SHN_ERR_INVALID;
    rc = shn_names_analyze(a, a_reading, &fa);
    if (rc == SHN_OK)
        rc = shn_names_analyze(b, b_reading, &fb);
    if (rc != SHN_OK)
        return rc;
    for (int i = 0; i < fa.nvariants; i++)
        for (int j = 0; j < fb.nvariants; j++) {
            double s1 = score_one_way(&fa.v[i], &fb.v[j], &side);
            double s2 = score_one_way(&fb.v[j], &fa.v[i], &side);
            if (s1 > best)
                best = s1;
            if (s2 > best)
                best = s2;
        }
    *out = best > 1.0 ? 1.0 : best;
    return SHN_OK;
}
