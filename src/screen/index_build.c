/* Compiles a listset into the index file described in index_format.h.
 *
 * Every list name is analysed once here (scripts to Latin, romanization
 * folding), so queries never re-parse or re-analyse the lists. Arrays are
 * built in memory, then written through core's safe writer (shn_file_out),
 * which the caller commits. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "screen_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/log.h"
#include "shinsa/core/mask.h"
#include "shinsa/core/section.h"

#define MAX_INDEX_BYTES ((size_t)2 << 30)
#define MAX_VEC_ITEMS ((size_t)1 << 28)
#define NO_PAIR UINT32_MAX

struct vec {
    void *data;
    size_t n, cap, elem;
};

static int vec_push(struct vec *v, const void *item)
{
    if (v->n == v->cap) {
        size_t want = v->cap ? v->cap * 2 : 256, bytes;
        void *p;
        if (want > MAX_VEC_ITEMS || !shn_size_mul(want, v->elem, &bytes))
            return SHN_ERR_TOO_LARGE;
        p = shn_realloc(v->data, bytes);
        if (!p)
            return SHN_ERR_NOMEM;
        v->data = p;
        v->cap = want;
    }
    memcpy((char *)v->data + v->n * v->elem, item, v->elem);
    v->n++;
    return SHN_OK;
}

/* An open-addressing table of 64-bit hashes (0 = empty) with a 32-bit
 * value each; the string interner and the vocabulary both use it, each
 * with its own way of comparing the strings behind a hash. */
struct hmap {
    uint64_t *hashes;
    uint32_t *values;
    size_t cap, used;
};

static int hmap_grow(struct hmap *m, size_t first_cap)
{
    size_t cap = m->cap ? m->cap * 2 : first_cap;
    uint64_t *h = shn_calloc(cap, sizeof *h);
    uint32_t *v = shn_calloc(cap, sizeof *v);

    if (!h || !v) {
        shn_free(h);
        shn_free(v);
        return SHN_ERR_NOMEM;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->hashes[i])
            continue;
        size_t j = m->hashes[i] & (cap - 1);
        while (h[j])
            j = (j + 1) & (cap - 1);
        h[j] = m->hashes[i];
        v[j] = m->values[i];
    }
    shn_free(m->hashes);
    shn_free(m->values);
    m->hashes = h;
    m->values = v;
    m->cap = cap;
    return SHN_OK;
}

static void hmap_cleanup(struct hmap *m)
{
    shn_free(m->hashes);
    shn_free(m->values);
}

/* Interned strings: identical strings share one offset (the map's value). */
struct intern {
    struct shn_buf pool;
    struct hmap map;
};

/* Sets *off to the offset of s[0..len) in the pool, adding it if new. */
static int intern_n(struct intern *in, const char *s, size_t len, uint32_t *off)
{
    uint64_t h;
    size_t i;
    int rc;

    if (!s || !len) {
        *off = 0;
        return SHN_OK;
    }
    if ((in->map.used + 1) * 2 > in->map.cap && (rc = hmap_grow(&in->map, 1 << 16)) != SHN_OK)
        return rc;
    h = shn_hash64(s, len, 7) | 1;
    for (i = h & (in->map.cap - 1); in->map.hashes[i]; i = (i + 1) & (in->map.cap - 1)) {
        const char *cand = in->pool.data + in->map.values[i];
        if (in->map.hashes[i] == h && strncmp(cand, s, len) == 0 && cand[len] == '\0') {
            *off = in->map.values[i];
            return SHN_OK;
        }
    }
    if (in->pool.len > UINT32_MAX - len - 1)
        return SHN_ERR_TOO_LARGE;
    in->map.hashes[i] = h;
    in->map.values[i] = (uint32_t)in->pool.len;
    in->map.used++;
    *off = (uint32_t)in->pool.len;
    rc = shn_buf_append(&in->pool, s, len);
    if (rc == SHN_OK)
        rc = shn_buf_append_char(&in->pool, '\0');
    return rc;
}

static int intern(struct intern *in, const char *s, uint32_t *off)
{
    return intern_n(in, s, s ? strlen(s) : 0, off);
}

struct builder {
    struct intern strings;
    struct vec sources, entities, names, name_tokens, vocab, vocab_len, key_pairs, idents, id_pairs,
        dobs, nats;
    uint64_t *crypto_seen; /* normalized crypto hashes owned by non-crypto entities */
    size_t n_crypto_seen;
};

struct pair {
    uint64_t hash;
    uint32_t id;
    uint16_t mask; /* key tables: the name tokens the key came from */
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Folded token -> vocabulary id (the map's value). Ids are positions in
 * vocab[], which holds each token's offset in the string pool. */
static int token_id(struct builder *b, struct hmap *v, const char *tok, size_t len, uint32_t *id)
{
    const uint32_t *offsets = b->vocab.data;
    uint64_t h;
    uint32_t off;
    size_t i;
    int rc;

    if ((v->used + 1) * 2 > v->cap && (rc = hmap_grow(v, 1 << 15)) != SHN_OK)
        return rc;
    h = shn_hash64(tok, len, 11) | 1;
    for (i = h & (v->cap - 1); v->hashes[i]; i = (i + 1) & (v->cap - 1)) {
        const char *cand = b->strings.pool.data + offsets[v->values[i]];
        if (v->hashes[i] == h && strncmp(cand, tok, len) == 0 && cand[len] == '\0') {
            *id = v->values[i];
            return SHN_OK;
        }
    }
    uint8_t len8 = (uint8_t)(len > 255 ? 255 : len);
    if ((rc = intern_n(&b->strings, tok, len, &off)) != SHN_OK ||
        (rc = vec_push(&b->vocab, &off)) != SHN_OK ||
        (rc = vec_push(&b->vocab_len, &len8)) != SHN_OK)
        return rc;
    v->hashes[i] = h;
    v->values[i] = (uint32_t)(b->vocab.n - 1);
    v->used++;
    *id = v->values[i];
    return SHN_OK;
}

static bool crypto_owned(const struct builder *b, uint64_t h)
{
    return b->n_crypto_seen &&
           bsearch(&h, b->crypto_seen, b->n_crypto_seen, sizeof h, cmp_u64) != NULL;
}

/* Crypto-list addresses that another list already names under an entity
 * (OFAC remarks) are not indexed twice: the richer entity answers. */
static int collect_owned_crypto(struct builder *b, const struct shn_listset *set)
{
    size_t n = 0, cap = 0;
    char norm[256];

    for (uint32_t i = 0; i < set->n_entities; i++) {
        const struct shn_entity *e = set->entities[i];
        if (strcmp(e->source, "crypto") == 0)
            continue;
        for (uint32_t j = 0; j < e->n_idents; j++) {
            size_t len;
            if (e->idents[j].kind != SHN_ID_CRYPTO)
                continue;
            len = shn__ident_normalize(SHN_IDC_CRYPTO, e->idents[j].value, norm, sizeof norm);
            if (!len)
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                uint64_t *p = shn_realloc(b->crypto_seen, cap * sizeof *p);
                if (!p)
                    return SHN_ERR_NOMEM;
                b->crypto_seen = p;
            }
            b->crypto_seen[n++] = shn__ident_hash(SHN_IDC_CRYPTO, norm, len);
        }
    }
    if (n)
        qsort(b->crypto_seen, n, sizeof *b->crypto_seen, cmp_u64);
    b->n_crypto_seen = n;
    return SHN_OK;
}

static bool crypto_duplicate(const struct builder *b, const struct shn_entity *e)
{
    char norm[256];
    size_t len;

    if (strcmp(e->source, "crypto") != 0 || e->n_idents != 1)
        return false;
    len = shn__ident_normalize(SHN_IDC_CRYPTO, e->idents[0].value, norm, sizeof norm);
    return len && crypto_owned(b, shn__ident_hash(SHN_IDC_CRYPTO, norm, len));
}

static int add_name_variant(struct builder *b, struct hmap *m, uint32_t entity,
                            const struct shn_name *name, const struct shn_name_variant *v,
                            bool org_suffix)
{
    struct shn_idx_name rec = {0};
    struct shn_token_list t;
    struct shn_key keys[SHN_KEYS_MAX];
    uint32_t name_id = (uint32_t)b->names.n, id, letters = 0;
    size_t nkeys;
    int rc;

    shn__tokens_split(v->keys, &t);
    if (t.n == 0)
        return SHN_OK;
    rec.entity = entity;
    rec.ntokens = (uint8_t)t.n;
    rec.strength = name->strength;
    rec.origin = (uint8_t)v->origin;
    rec.flags = org_suffix ? SHN_NAME_F_ORG_SUFFIX : 0;
    rec.tokens = (uint32_t)b->name_tokens.n;
    if ((rc = intern(&b->strings, name->text, &rec.text)) != SHN_OK ||
        (rc = intern(&b->strings, v->text, &rec.latin)) != SHN_OK)
        return rc;
    for (int i = 0; i < t.n; i++) {
        letters += t.len[i];
        rec.tlen[i] = t.len[i];
    }
    rec.letters = (uint16_t)(letters > UINT16_MAX ? UINT16_MAX : letters);
    for (int i = 0; i < t.n; i++) {
        if ((rc = token_id(b, m, t.tok[i], t.len[i], &id)) != SHN_OK ||
            (rc = vec_push(&b->name_tokens, &id)) != SHN_OK)
            return rc;
    }
    for (int i = 0; i + 1 < t.n; i++) {
        char joined[2 * SHN_FOLD_MAX];
        size_t a = t.len[i], c = t.len[i + 1];
        id = NO_PAIR;
        if (shn_names_pairable(a, c) && a + c < sizeof joined) {
            memcpy(joined, t.tok[i], a);
            memcpy(joined + a, t.tok[i + 1], c);
            if ((rc = token_id(b, m, joined, a + c, &id)) != SHN_OK)
                return rc;
        }
        if ((rc = vec_push(&b->name_tokens, &id)) != SHN_OK)
            return rc;
    }
    if ((rc = vec_push(&b->names, &rec)) != SHN_OK)
        return rc;
    nkeys = shn__keys_for_tokens(&t, keys, SHN_KEYS_MAX);
    for (size_t k = 0; k < nkeys; k++) {
        struct pair p = {keys[k].hash, name_id, keys[k].mask};
        if ((rc = vec_push(&b->key_pairs, &p)) != SHN_OK)
            return rc;
    }
    return SHN_OK;
}

static int add_entity(struct builder *b, struct hmap *m, const struct shn_entity *e)
{
    struct shn_idx_entity rec = {0};
    struct shn_buf programs;
    uint32_t entity = (uint32_t)b->entities.n;
    bool index_names = strcmp(e->source, "crypto") != 0; /* their "name" is the address */
    int rc = SHN_OK;

    shn_buf_init(&programs, 4096);
    for (uint32_t i = 0; i < e->n_programs && rc == SHN_OK; i++) {
        if (i)
            rc = shn_buf_append_char(&programs, ',');
        if (rc == SHN_OK)
            rc = shn_buf_append_str(&programs, e->programs[i]);
    }
    if (rc != SHN_OK || (rc = intern(&b->strings, e->id, &rec.id)) != SHN_OK ||
        (rc = intern(&b->strings, e->source, &rec.source)) != SHN_OK ||
        (rc = intern(&b->strings, e->n_names ? e->names[0].text : e->id, &rec.primary_name)) !=
            SHN_OK ||
        (rc = intern(&b->strings, programs.data, &rec.programs)) != SHN_OK ||
        (rc = intern(&b->strings, e->remarks, &rec.remarks)) != SHN_OK)
        goto out;
    rec.kind = e->kind;
    rec.first_name = (uint32_t)b->names.n;
    for (uint32_t i = 0; index_names && i < e->n_names; i++) {
        struct shn_name_forms forms;
        if (shn_names_analyze(e->names[i].text, NULL, &forms) != SHN_OK) {
            char shown[SHN_MASK_MAX]; /* a custom list's names are people's */
            shn_mask(SHN_MASK_NAME, e->names[i].text, strlen(e->names[i].text), shown,
                     sizeof shown);
            shn_log(SHN_LOG_DEBUG, "%s: name not indexed (bad text): %s", e->id, shown);
            continue;
        }
        for (int v = 0; v < forms.nvariants; v++) {
            rc =
                add_name_variant(b, m, entity, &e->names[i], &forms.v[v], forms.org_suffix_removed);
            if (rc != SHN_OK)
                goto out;
        }
    }
    rec.n_names = (uint32_t)b->names.n - rec.first_name;
    rec.first_dob = (uint32_t)b->dobs.n;
    for (uint32_t i = 0; i < e->n_dobs; i++) {
        struct shn_idx_date d = {e->dobs[i].kind, e->dobs[i].month,  e->dobs[i].day, 0,
                                 e->dobs[i].year, e->dobs[i].year_to};
        if ((rc = vec_push(&b->dobs, &d)) != SHN_OK)
            goto out;
    }
    rec.n_dobs = e->n_dobs;
    rec.first_nat = (uint32_t)b->nats.n;
    for (uint32_t i = 0; i < e->n_nationalities; i++) {
        uint32_t off;
        if ((rc = intern(&b->strings, e->nationalities[i], &off)) != SHN_OK ||
            (rc = vec_push(&b->nats, &off)) != SHN_OK)
            goto out;
    }
    rec.n_nats = e->n_nationalities;
    for (uint32_t i = 0; i < e->n_idents; i++) {
        const struct shn_ident *id = &e->idents[i];
        struct shn_idx_ident irec = {.entity = entity, .kind = id->kind};
        int cls = shn__ident_class(id->kind);
        char norm[256];
        size_t len = shn__ident_normalize(cls, id->value, norm, sizeof norm);
        struct pair p = {0};
        if (!len)
            continue;
        if ((rc = intern(&b->strings, id->value, &irec.value)) != SHN_OK ||
            (rc = intern(&b->strings, id->chain, &irec.chain)) != SHN_OK)
            goto out;
        p.hash = shn__ident_hash(cls, norm, len);
        p.id = (uint32_t)b->idents.n;
        if ((rc = vec_push(&b->idents, &irec)) != SHN_OK ||
            (rc = vec_push(&b->id_pairs, &p)) != SHN_OK)
            goto out;
    }
    rc = vec_push(&b->entities, &rec);
out:
    shn_buf_cleanup(&programs);
    return rc;
}

/* Sorts (hash, id) pairs into a table: distinct hashes ascending, with
 * the range of each one's ids in `postings` (and their masks). */
static int make_table(struct vec *pairs, struct vec *hashes, struct vec *firsts,
                      struct vec *postings, struct vec *masks)
{
    struct pair *p = pairs->data;
    uint32_t first;
    size_t i = 0;
    int rc = SHN_OK;

    if (pairs->n)
        qsort(p, pairs->n, sizeof *p, cmp_pair);
    while (i < pairs->n) {
        size_t j = i;
        first = (uint32_t)postings->n;
        if ((rc = vec_push(hashes, &p[i].hash)) != SHN_OK ||
            (rc = vec_push(firsts, &first)) != SHN_OK)
            return rc;
        while (j < pairs->n && p[j].hash == p[i].hash) {
            if (j == i || p[j].id != p[j - 1].id) {
                if ((rc = vec_push(postings, &p[j].id)) != SHN_OK ||
                    (masks && (rc = vec_push(masks, &p[j].mask)) != SHN_OK))
                    return rc;
            } else if (masks) {
                ((uint16_t *)masks->data)[masks->n - 1] |= p[j].mask;
            }
            j++;
        }
        i = j;
    }
    if (postings->n > UINT32_MAX)
        return SHN_ERR_TOO_LARGE;
    first = (uint32_t)postings->n;
    return vec_push(firsts, &first);
}

struct tables {
    struct vec key_hashes, key_first, key_post, key_masks, id_hashes, id_first, id_post;
};

static int write_file(struct builder *b, const struct tables *t, const char *path,
                      struct shn_file_out *o, struct shn_diag *diag)
{
    struct shn_idx_meta meta = {0};
    struct shn_section secs[SHN_SEC__COUNT];
    uint64_t total = 0;
    int rc;

    secs[SHN_SEC_STRINGS] =
        (struct shn_section){SHN_SEC_STRINGS, b->strings.pool.data, b->strings.pool.len};
#define SEC(id, v) (secs[id] = (struct shn_section){id, (v)->data, (v)->n * (v)->elem})
    SEC(SHN_SEC_SOURCES, &b->sources);
    SEC(SHN_SEC_ENTITIES, &b->entities);
    SEC(SHN_SEC_NAMES, &b->names);
    SEC(SHN_SEC_NAME_TOKENS, &b->name_tokens);
    SEC(SHN_SEC_VOCAB, &b->vocab);
    SEC(SHN_SEC_VOCAB_LEN, &b->vocab_len);
    SEC(SHN_SEC_KEYS, &t->key_hashes);
    SEC(SHN_SEC_KEY_FIRST, &t->key_first);
    SEC(SHN_SEC_KEY_POSTINGS, &t->key_post);
    SEC(SHN_SEC_KEY_MASKS, &t->key_masks);
    SEC(SHN_SEC_IDENTS, &b->idents);
    SEC(SHN_SEC_ID_HASHES, &t->id_hashes);
    SEC(SHN_SEC_ID_FIRST, &t->id_first);
    SEC(SHN_SEC_ID_POSTINGS, &t->id_post);
    SEC(SHN_SEC_DOBS, &b->dobs);
    SEC(SHN_SEC_NATS, &b->nats);
#undef SEC
    meta.n_sources = (uint32_t)b->sources.n;
    meta.n_entities = (uint32_t)b->entities.n;
    meta.n_names = (uint32_t)b->names.n;
    meta.n_vocab = (uint32_t)b->vocab.n;
    meta.n_keys = (uint32_t)t->key_hashes.n;
    meta.n_idents = (uint32_t)b->idents.n;
    meta.n_id_hashes = (uint32_t)t->id_hashes.n;
    meta.built_at = (int64_t)time(NULL);
    secs[SHN_SEC_META] = (struct shn_section){SHN_SEC_META, &meta, sizeof meta};
    for (int s = 0; s < SHN_SEC__COUNT; s++)
        total += secs[s].size + 8;
    if (total > MAX_INDEX_BYTES)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, path, 0, NULL,
                            "index too large to build: %llu bytes", (unsigned long long)total);
    rc = shn_section_write_out(o, &shn__idx_format, secs, SHN_SEC__COUNT);
    if (rc != SHN_OK)
        rc = shn_file_out_flush(o, diag); /* says why */
    return rc;
}

int shn__screen_index_write(const struct shn_listset *set, struct shn_file_out *o, const char *path,
                            struct shn_diag *diag)
{
    struct builder b;
    struct hmap m = {0};
    struct tables t = {.key_hashes = {.elem = 8},
                       .key_first = {.elem = 4},
                       .key_post = {.elem = 4},
                       .key_masks = {.elem = 2},
                       .id_hashes = {.elem = 8},
                       .id_first = {.elem = 4},
                       .id_post = {.elem = 4}};
    uint32_t zero = 0;
    int rc = SHN_OK;

    {
        const uint16_t probe = 1;
        if (*(const uint8_t *)&probe != 1)
            return shn_diag_set(diag, SHN_ERR_UNSUPPORTED, path, 0, NULL,
                                "index files are little-endian; this host is not");
    }
    memset(&b, 0, sizeof b);
    shn_buf_init(&b.strings.pool, MAX_INDEX_BYTES);
    b.sources.elem = sizeof(struct shn_idx_source);
    b.entities.elem = sizeof(struct shn_idx_entity);
    b.names.elem = sizeof(struct shn_idx_name);
    b.name_tokens.elem = b.vocab.elem = b.nats.elem = sizeof(uint32_t);
    b.vocab_len.elem = 1;
    b.key_pairs.elem = b.id_pairs.elem = sizeof(struct pair);
    b.idents.elem = sizeof(struct shn_idx_ident);
    b.dobs.elem = sizeof(struct shn_idx_date);

    /* Offset 0 of the pool is the empty string. */
    if ((rc = shn_buf_append(&b.strings.pool, &zero, 1)) != SHN_OK ||
        (rc = collect_owned_crypto(&b, set)) != SHN_OK)
        goto fail;
    for (uint32_t i = 0; i < set->n_sources; i++) {
        struct shn_idx_source s = {.entities = set->sources[i].entities};
        if ((rc = intern(&b.strings, set->sources[i].name, &s.name)) != SHN_OK ||
            (rc = intern(&b.strings, set->sources[i].path, &s.path)) != SHN_OK ||
            (rc = intern(&b.strings, set->sources[i].date, &s.date)) != SHN_OK ||
            (rc = vec_push(&b.sources, &s)) != SHN_OK)
            goto fail;
    }
    for (uint32_t i = 0; i < set->n_entities; i++) {
        if (crypto_duplicate(&b, set->entities[i]))
            continue;
        if ((rc = add_entity(&b, &m, set->entities[i])) != SHN_OK)
            goto fail;
        shn_progress("indexing entities", i + 1, set->n_entities);
    }
    if ((rc = make_table(&b.key_pairs, &t.key_hashes, &t.key_first, &t.key_post, &t.key_masks)) !=
            SHN_OK ||
        (rc = make_table(&b.id_pairs, &t.id_hashes, &t.id_first, &t.id_post, NULL)) != SHN_OK)
        goto fail;
    shn_log(SHN_LOG_INFO, "index: %zu entities, %zu names, %zu tokens, %zu keys, %zu identifiers",
            b.entities.n, b.names.n, b.vocab.n, t.key_hashes.n, b.idents.n);
    rc = write_file(&b, &t, path, o, diag);
    goto out;
fail:
    rc = shn_diag_set(diag, rc, path, 0, NULL, "cannot build index: %s", shn_strerror(rc));
out:
    shn_buf_cleanup(&b.strings.pool);
    hmap_cleanup(&b.strings.map);
    struct vec *vecs[] = {&b.sources,   &b.entities,   &b.names,     &b.name_tokens, &b.vocab,
                          &b.key_pairs, &b.idents,     &b.id_pairs,  &b.dobs,        &b.nats,
                          &b.vocab_len, &t.key_hashes, &t.key_first, &t.key_post,    &t.key_masks,
                          &t.id_hashes, &t.id_first,   &t.id_post};
    for (size_t i = 0; i < sizeof vecs / sizeof vecs[0]; i++)
        shn_free(vecs[i]->data);
    shn_free(b.crypto_seen);
    hmap_cleanup(&m);
    return rc;
}

int shn_screen_index_build(const struct shn_listset *set, const char *path, struct shn_diag *diag)
{
    struct shn_file_out *o = NULL;
    int rc = shn_file_out_open(path, &o, diag);

    if (rc != SHN_OK)
        return rc;
    rc = shn__screen_index_write(set, o, path, diag);
    if (rc != SHN_OK) {
        shn_file_out_abort(o);
        return rc;
    }
    return shn_file_out_commit(o, diag);
}
