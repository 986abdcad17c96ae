/* Retrieval keys: the contract between candidate retrieval and the scorer
 * (see screen_internal.h). Both the index builder and the query path call
 * shn__keys_for_tokens(), so they cannot drift apart. */
#include <stdlib.h>
#include <string.h>

#include "screen_internal.h"
#include "shinsa/core/hash.h"

#define KEY_SEED 0x5348494e53414b31ULL /* "SHINSAK1" */
#define JOIN_MAX (2 * SHN_NAMES_PAIR_MAX_TOKEN)

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
 * and, for SHN_NAMES_DELETE_MIN..SHN_NAMES_DELETE_MAX bytes, each
 * one-deletion: exactly the elements shn_names_within_one_deletion() lets
 * align with it share one of these keys. */
static void emit(struct key_sink *k, const char *s, size_t len)
{
    char del[SHN_NAMES_DELETE_MAX];

    push(k, shn__key_hash(s, len));
    if (len < SHN_NAMES_DELETE_MIN || len > SHN_NAMES_DELETE_MAX)
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
        if (!shn_names_pairable(t->len[i], t->len[i + 1]))
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
