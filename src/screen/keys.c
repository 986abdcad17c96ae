/* Retrieval keys: the contract between candidate retrieval and the scorer
 * (see screen_internal.h). Both the index builder and the query path call
 * shn__keys_for_tokens(), so they cannot drift apart. */
#include <stdlib.h>
#include <string.h>

#include "screen_internal.h"
#include "shinsa/core/hash.h"

#define KEY_SEED 0x5348494e53414b31ULL /* "SHINSAK1" */
#define JOIN_MAX (2 * SHN_PAIR_MAX_TOKEN)

uint64_t shn__key_hash(const char *s, size_t len)
{
    uint64_t h = shn_hash64(s, len, KEY_SEED);
    return h ? h : 1; /* 0 marks an empty slot */
}

void shn__tokens_split(const char *keys, struct shn_token_list *out)
{
    const char *p = keys;

    out->n = 0;
    while (*p && out->n < SHN_NAME_MAX_TOKENS) {
        const char *start;
        while (*p == ' ')
            p++;
        start = p;
        while (*p && *p != ' ')
            p++;
        if (p > start) {
            size_t len = (size_t)(p - start);
            out->tok[out->n] = start;
            out->len[out->n] = (uint8_t)(len > 255 ? 255 : len);
            out->n++;
        }
    }
}

struct key_sink {
    struct shn_key *out;
    size_t n, max;
    uint16_t mask;
};

static void push(struct key_sink *k, uint64_t hash)
{
    if (k->n < k->max) {
        k->out[k->n].hash = hash;
        k->out[k->n].mask = k->mask;
        k->n++;
    }
}

/* The keys of one element (a token or a joined pair): the string itself
 * and, for SHN_KEY_MIN_DELETE..SHN_KEY_MAX_DELETE bytes, each one-deletion.
 * Shorter elements get no deletions because the scorer aligns tokens of up
 * to four letters only when they are equal (score.c, min_sim). */
static void emit(struct key_sink *k, const char *s, size_t len)
{
    char del[SHN_KEY_MAX_DELETE];

    push(k, shn__key_hash(s, len));
    if (len < SHN_KEY_MIN_DELETE || len > SHN_KEY_MAX_DELETE)
        return;
    for (size_t i = 0; i < len; i++) {
        /* Deleting either letter of a doubled pair gives the same string. */
        if (i > 0 && s[i] == s[i - 1])
            continue;
        memcpy(del, s, i);
        memcpy(del + i, s + i + 1, len - i - 1);
        push(k, shn__key_hash(del, len - 1));
    }
}

/* Shell sort: the lists are short (tens to a few hundred keys) and this
 * runs per query, where qsort's indirect comparisons showed in profiles. */
static void sort_keys(struct shn_key *k, size_t n)
{
    static const size_t gaps[] = {132, 57, 23, 10, 4, 1};

    for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
        size_t gap = gaps[g];
        for (size_t i = gap; i < n; i++) {
            struct shn_key v = k[i];
            size_t j = i;
            while (j >= gap && k[j - gap].hash > v.hash) {
                k[j] = k[j - gap];
                j -= gap;
            }
            k[j] = v;
        }
    }
}

size_t shn__keys_for_tokens(const struct shn_token_list *t, struct shn_key *out, size_t max)
{
    struct key_sink k = {out, 0, max, 0};
    char joined[JOIN_MAX];
    size_t w = 0;

    for (int i = 0; i < t->n; i++) {
        k.mask = (uint16_t)(1u << i);
        emit(&k, t->tok[i], t->len[i]);
    }
    for (int i = 0; i + 1 < t->n; i++) {
        if (!shn__pairable(t->len[i], t->len[i + 1]))
            continue;
        memcpy(joined, t->tok[i], t->len[i]);
        memcpy(joined + t->len[i], t->tok[i + 1], t->len[i + 1]);
        k.mask = (uint16_t)(3u << i);
        emit(&k, joined, (size_t)t->len[i] + t->len[i + 1]);
    }
    /* Sort by hash; a key made by several elements keeps all their tokens. */
    sort_keys(out, k.n);
    for (size_t i = 0; i < k.n; i++) {
        if (w && out[w - 1].hash == out[i].hash)
            out[w - 1].mask |= out[i].mask;
        else
            out[w++] = out[i];
    }
    return w;
}

bool shn__elements_share_key(const char *a, size_t alen, const char *b, size_t blen)
{
    struct shn_key ka[SHN_KEY_MAX_DELETE + 1], kb[SHN_KEY_MAX_DELETE + 1];
    struct key_sink sa = {ka, 0, SHN_KEY_MAX_DELETE + 1, 0},
                    sb = {kb, 0, SHN_KEY_MAX_DELETE + 1, 0};

    if (alen == blen && memcmp(a, b, alen) == 0)
        return true;
    if (alen > blen + 1 || blen > alen + 1)
        return false; /* one deletion each side cannot bridge two letters */
    emit(&sa, a, alen);
    emit(&sb, b, blen);
    for (size_t i = 0; i < sa.n; i++)
        for (size_t j = 0; j < sb.n; j++)
            if (ka[i].hash == kb[j].hash)
                return true;
    return false;
}
