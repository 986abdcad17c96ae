/* The entity model: append-only arrays in the listset's arena, and an
 * id -> entity hash table for loaders that attach records to earlier ones. */
#include "model.h"

#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/hash.h"

int shn_screen_listset_new(struct shn_listset **out)
{
    struct shn_listset *set = shn_calloc(1, sizeof *set);

    if (!set)
        return SHN_ERR_NOMEM;
    shn_arena_init(&set->arena, 1 << 20, 0);
    *out = set;
    return SHN_OK;
}

void shn_screen_listset_free(struct shn_listset *set)
{
    if (!set)
        return;
    shn_arena_cleanup(&set->arena);
    shn_free(set->entities);
    shn_free(set->by_id_slots);
    shn_free(set);
}

size_t shn_screen_listset_count(const struct shn_listset *set)
{
    return set->n_entities;
}

int shn_screen_listset_each_crypto(const struct shn_listset *set, shn_screen_crypto_fn fn,
                                   void *ctx)
{
    int rc = SHN_OK;

    for (uint32_t i = 0; rc == SHN_OK && i < set->n_entities; i++) {
        const struct shn_entity *e = set->entities[i];
        for (uint32_t k = 0; rc == SHN_OK && k < e->n_idents; k++)
            if (e->idents[k].kind == SHN_ID_CRYPTO && e->idents[k].value[0])
                rc = fn(ctx, e->id, e->idents[k].chain, e->idents[k].value);
    }
    return rc;
}

/* Grows an arena-backed array to hold one more element. */
static int grow(struct shn_listset *set, void **items, uint32_t n, uint32_t *cap, size_t elem)
{
    uint32_t want;
    void *p;

    if (n < *cap)
        return SHN_OK;
    if (n >= SHN_MAX_PER_ENTITY)
        return SHN_ERR_TOO_LARGE;
    want = *cap ? *cap * 2 : 4;
    p = shn_arena_calloc(&set->arena, want, elem);
    if (!p)
        return SHN_ERR_NOMEM;
    if (n)
        memcpy(p, *items, (size_t)n * elem);
    *items = p;
    *cap = want;
    return SHN_OK;
}

static uint32_t id_slot(const struct shn_listset *set, const char *id)
{
    uint32_t mask = set->by_id_cap - 1;
    uint32_t i = (uint32_t)shn_hash64(id, strlen(id), 0) & mask;

    while (set->by_id_slots[i] && strcmp(set->by_id_slots[i]->id, id) != 0)
        i = (i + 1) & mask;
    return i;
}

struct shn_entity *shn__model_find(const struct shn_listset *set, const char *id)
{
    if (!set->by_id_cap)
        return NULL;
    return set->by_id_slots[id_slot(set, id)];
}

static int rehash(struct shn_listset *set)
{
    uint32_t new_cap = set->by_id_cap ? set->by_id_cap * 2 : 1024;
    struct shn_entity **old = set->by_id_slots;
    uint32_t old_cap = set->by_id_cap;
    struct shn_entity **slots = shn_calloc(new_cap, sizeof *slots);

    if (!slots)
        return SHN_ERR_NOMEM;
    set->by_id_slots = slots;
    set->by_id_cap = new_cap;
    for (uint32_t i = 0; i < old_cap; i++)
        if (old[i])
            slots[id_slot(set, old[i]->id)] = old[i];
    shn_free(old);
    return SHN_OK;
}

struct shn_entity *shn__model_entity(struct shn_listset *set, const char *id, const char *source,
                                     int kind)
{
    struct shn_entity *e = shn__model_find(set, id);

    if (e)
        return e;
    if (set->n_entities >= SHN_MAX_ENTITIES)
        return NULL;
    if ((set->n_entities + 1) * 2 > set->by_id_cap && rehash(set) != SHN_OK)
        return NULL;
    if (set->n_entities == set->cap_entities) {
        uint32_t want = set->cap_entities ? set->cap_entities * 2 : 1024;
        struct shn_entity **p = shn_realloc(set->entities, (size_t)want * sizeof *p);
        if (!p)
            return NULL;
        set->entities = p;
        set->cap_entities = want;
    }
    e = shn_arena_calloc(&set->arena, 1, sizeof *e);
    if (!e)
        return NULL;
    e->id = shn_arena_strdup(&set->arena, id);
    e->source = shn_arena_strdup(&set->arena, source);
    if (!e->id || !e->source)
        return NULL;
    e->kind = (uint8_t)kind;
    set->entities[set->n_entities++] = e;
    set->by_id_slots[id_slot(set, id)] = e;
    return e;
}

/* Copies text with surrounding spaces trimmed; NULL (not an error) when
 * nothing is left, so callers can skip empty fields. */
static int copy_trimmed(struct shn_listset *set, const char *text, const char **out)
{
    size_t len;

    *out = NULL;
    if (!text)
        return SHN_OK;
    while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r')
        text++;
    len = strlen(text);
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\n' ||
                   text[len - 1] == '\r'))
        len--;
    if (!len)
        return SHN_OK;
    if (len > SHN_MAX_TEXT)
        return SHN_ERR_TOO_LARGE;
    *out = shn_arena_strndup(&set->arena, text, len);
    return *out ? SHN_OK : SHN_ERR_NOMEM;
}

static int add_string(struct shn_listset *set, const char ***items, uint32_t *n, uint32_t *cap,
                      const char *text)
{
    const char *copy;
    int rc = copy_trimmed(set, text, &copy);

    if (rc != SHN_OK || !copy)
        return rc;
    for (uint32_t i = 0; i < *n; i++)
        if (strcmp((*items)[i], copy) == 0)
            return SHN_OK;
    rc = grow(set, (void **)items, *n, cap, sizeof **items);
    if (rc != SHN_OK)
        return rc;
    (*items)[(*n)++] = copy;
    return SHN_OK;
}

int shn__model_add_name(struct shn_listset *set, struct shn_entity *e, const char *text,
                        int strength)
{
    const char *copy;
    int rc = copy_trimmed(set, text, &copy);

    if (rc != SHN_OK || !copy)
        return rc;
    for (uint32_t i = 0; i < e->n_names; i++) {
        if (strcmp(e->names[i].text, copy) == 0) {
            if (strength < e->names[i].strength)
                e->names[i].strength = (uint8_t)strength; /* keep the stronger */
            return SHN_OK;
        }
    }
    rc = grow(set, (void **)&e->names, e->n_names, &e->cap_names, sizeof *e->names);
    if (rc != SHN_OK)
        return rc;
    e->names[e->n_names].text = copy;
    e->names[e->n_names].strength = (uint8_t)strength;
    e->n_names++;
    return SHN_OK;
}

int shn__model_add_dob(struct shn_listset *set, struct shn_entity *e, const struct shn_date *d)
{
    int rc;

    for (uint32_t i = 0; i < e->n_dobs; i++)
        if (memcmp(&e->dobs[i], d, sizeof *d) == 0)
            return SHN_OK;
    rc = grow(set, (void **)&e->dobs, e->n_dobs, &e->cap_dobs, sizeof *e->dobs);
    if (rc != SHN_OK)
        return rc;
    e->dobs[e->n_dobs++] = *d;
    return SHN_OK;
}

int shn__model_add_pob(struct shn_listset *set, struct shn_entity *e, const char *text)
{
    return add_string(set, &e->pobs, &e->n_pobs, &e->cap_pobs, text);
}

int shn__model_add_nationality(struct shn_listset *set, struct shn_entity *e, const char *text)
{
    return add_string(set, &e->nationalities, &e->n_nationalities, &e->cap_nationalities, text);
}

int shn__model_add_address(struct shn_listset *set, struct shn_entity *e, const char *text)
{
    return add_string(set, &e->addresses, &e->n_addresses, &e->cap_addresses, text);
}

int shn__model_add_program(struct shn_listset *set, struct shn_entity *e, const char *text)
{
    return add_string(set, &e->programs, &e->n_programs, &e->cap_programs, text);
}

int shn__model_add_ident(struct shn_listset *set, struct shn_entity *e, int kind, const char *value,
                         const char *chain, const char *country)
{
    struct shn_ident id = {.kind = (uint8_t)kind};
    int rc = copy_trimmed(set, value, &id.value);

    if (rc != SHN_OK || !id.value)
        return rc;
    rc = copy_trimmed(set, chain, &id.chain);
    if (rc == SHN_OK)
        rc = copy_trimmed(set, country, &id.country);
    if (rc != SHN_OK)
        return rc;
    for (uint32_t i = 0; i < e->n_idents; i++)
        if (e->idents[i].kind == kind && strcmp(e->idents[i].value, id.value) == 0)
            return SHN_OK;
    rc = grow(set, (void **)&e->idents, e->n_idents, &e->cap_idents, sizeof *e->idents);
    if (rc != SHN_OK)
        return rc;
    e->idents[e->n_idents++] = id;
    return SHN_OK;
}

int shn__model_set_remarks(struct shn_listset *set, struct shn_entity *e, const char *text)
{
    const char *copy;
    int rc = copy_trimmed(set, text, &copy);

    if (rc == SHN_OK)
        e->remarks = copy;
    return rc;
}

int shn__model_add_source(struct shn_listset *set, const char *name, const char *path,
                          const char *date, uint32_t entities)
{
    struct shn_source_info *s;

    if (set->n_sources >= sizeof set->sources / sizeof set->sources[0])
        return SHN_ERR_TOO_LARGE;
    s = &set->sources[set->n_sources];
    s->name = shn_arena_strdup(&set->arena, name ? name : "");
    s->path = shn_arena_strdup(&set->arena, path ? path : "");
    s->date = shn_arena_strdup(&set->arena, date ? date : "");
    if (!s->name || !s->path || !s->date)
        return SHN_ERR_NOMEM;
    s->entities = entities;
    set->n_sources++;
    return SHN_OK;
}
