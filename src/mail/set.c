/* A string set with provenance: open addressing over 64-bit hashes, keys
 * and notes in an arena. Read-only once loaded, so lookups are safe from
 * several threads. */
#include <ctype.h>
#include <string.h>

#include "data.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/hash.h"

#define SET_MAX (4u << 20) /* entries of one set */

struct shn__mail_set {
    struct shn_arena arena;
    struct shn__mail_entry *slots;
    size_t cap, n; /* cap: a power of two */
};

int shn__mail_set_new(struct shn__mail_set **out)
{
    struct shn__mail_set *s = shn_calloc(1, sizeof *s);
    if (!s)
        return SHN_ERR_NOMEM;
    shn_arena_init(&s->arena, 0, 0);
    *out = s;
    return SHN_OK;
}

void shn__mail_set_free(struct shn__mail_set *s)
{
    if (!s)
        return;
    shn_arena_cleanup(&s->arena);
    shn_free(s->slots);
    shn_free(s);
}

size_t shn__mail_set_size(const struct shn__mail_set *s)
{
    return s ? s->n : 0;
}

static uint64_t hash_of(const char *key, size_t len)
{
    return shn_hash64(key, len, 0x6d61696cu);
}

static struct shn__mail_entry *slot_for(struct shn__mail_entry *slots, size_t cap, const char *key,
                                        size_t len)
{
    size_t i = (size_t)hash_of(key, len) & (cap - 1);
    while (slots[i].key && !(strlen(slots[i].key) == len && memcmp(slots[i].key, key, len) == 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static int rehash(struct shn__mail_set *s)
{
    size_t cap = s->cap ? s->cap * 2 : 64;
    struct shn__mail_entry *v = shn_calloc(cap, sizeof *v);
    if (!v)
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i].key)
            *slot_for(v, cap, s->slots[i].key, strlen(s->slots[i].key)) = s->slots[i];
    shn_free(s->slots);
    s->slots = v;
    s->cap = cap;
    return SHN_OK;
}

const char *shn__mail_set_intern(struct shn__mail_set *s, const char *str)
{
    return shn_arena_strdup(&s->arena, str ? str : "");
}

int shn__mail_set_add(struct shn__mail_set *s, const char *key, size_t len, const char *file,
                      long line, const char *tag, const char *note)
{
    struct shn__mail_entry *e;
    char *k;
    int rc;
    if (s->n >= SET_MAX)
        return SHN_ERR_TOO_LARGE;
    if ((s->n + 1) * 2 > s->cap && (rc = rehash(s)) != SHN_OK)
        return rc;
    if (!(k = shn_arena_strndup(&s->arena, key, len)))
        return SHN_ERR_NOMEM;
    for (char *c = k; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    e = slot_for(s->slots, s->cap, k, len);
    if (e->key)
        return SHN_OK;
    e->key = k;
    e->file = file ? file : "";
    e->line = line;
    e->tag = tag && *tag ? shn_arena_strdup(&s->arena, tag) : "";
    e->note = note && *note ? note : "";
    if (!e->tag) {
        e->key = NULL;
        return SHN_ERR_NOMEM;
    }
    s->n++;
    return SHN_OK;
}

const struct shn__mail_entry *shn__mail_set_get(const struct shn__mail_set *s, const char *key,
                                                size_t len)
{
    const struct shn__mail_entry *e;
    if (!s || !s->n)
        return NULL;
    e = slot_for(s->slots, s->cap, key, len);
    return e->key ? e : NULL;
}

const struct shn__mail_entry *shn__mail_set_suffix(const struct shn__mail_set *s, const char *host)
{
    for (const char *p = host; p && *p;) {
        const struct shn__mail_entry *e = shn__mail_set_get(s, p, strlen(p));
        if (e)
            return e;
        p = strchr(p, '.');
        if (p)
            p++;
    }
    return NULL;
}
