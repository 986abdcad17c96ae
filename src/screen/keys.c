/* Retrieval keys: the contract between candidate retrieval and the scorer
 * (see screen_internal.h). Both the index builder and the query path call
 * shn__keys_for_tokens(), so they cannot drift apart. */
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "screen/screen_internal.h"

#define KEY_SEED 0x5348494e53414b31ULL /* "SHINSAK1" */
#define JOIN_MAX 96

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
    uint64_t *out;
    size_t n, max;
};

static void emit(struct key_sink *k, const char *s, size_t len)
{
    char del[SHN_KEY_MAX_DELETE];

    if (k->n < k->max)
        k->out[k->n++] = shn__key_hash(s, len);
    if (len < 4 || len > SHN_KEY_MAX_DELETE)
        return;
    for (size_t i = 0; i < len; i++) {
        /* Deleting either letter of a doubled pair gives the same string. */
        if (i > 0 && s[i] == s[i - 1])
            continue;
        memcpy(del, s, i);
        memcpy(del + i, s + i + 1, len - i - 1);
        if (k->n < k->max)
            k->out[k->n++] = shn__key_hash(del, len - 1);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

size_t shn__keys_for_tokens(const struct shn_token_list *t, uint64_t *out, size_t max)
{
    struct key_sink k = {out, 0, max};
    char joined[JOIN_MAX];
    size_t jlen, w = 0;

    for (int i = 0; i < t->n; i++)
        emit(&k, t->tok[i], t->len[i]);
    for (int i = 0; i + 1 < t->n; i++) {
        if ((size_t)t->len[i] + t->len[i + 1] > JOIN_MAX)
            continue;
        memcpy(joined, t->tok[i], t->len[i]);
        memcpy(joined + t->len[i], t->tok[i + 1], t->len[i + 1]);
        emit(&k, joined, (size_t)t->len[i] + t->len[i + 1]);
    }
    if (t->n >= 3) {
        jlen = 0;
        for (int i = 0; i < t->n && jlen + t->len[i] <= JOIN_MAX; i++) {
            memcpy(joined + jlen, t->tok[i], t->len[i]);
            jlen += t->len[i];
        }
        emit(&k, joined, jlen);
    }
    qsort(out, k.n, sizeof *out, cmp_u64);
    for (size_t i = 0; i < k.n; i++)
        if (w == 0 || out[w - 1] != out[i])
            out[w++] = out[i];
    return w;
}
