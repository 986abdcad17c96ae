/* The link graph: interned nodes and identifiers, the occurrence lists in
 * both directions, and the clustering (full and incremental). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "link_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/hash.h"
#include "shinsa/image.h"

void shn_link_options_default(struct shn_link_options *o)
{
    memset(o, 0, sizeof *o);
    o->weight[SHN_LINK_WALLET] = 1.0;
    o->weight[SHN_LINK_PHONE] = 1.0;
    o->weight[SHN_LINK_BANK] = 1.0;
    o->weight[SHN_LINK_ID_NUMBER] = 1.0;
    o->weight[SHN_LINK_IMAGE] = 1.0;
    o->weight[SHN_LINK_EMAIL] = 0.6;
    o->weight[SHN_LINK_DEVICE] = 0.6;
    o->weight[SHN_LINK_HANDLE] = 0.6;
    o->weight[SHN_LINK_IP] = 0.3;
    o->weight[SHN_LINK_IP24] = 0.1;
    o->weight[SHN_LINK_NAME] = 0.2;
    o->threshold = 1.0;
    o->soft_share = 25;
    o->max_share = SHN_LINK_MAX_SHARE;
    memcpy(o->region, "JP", 3);
    o->pdq_distance = SHN_PDQ_MATCH_DISTANCE;
}

int shn__link_vec_reserve(struct shn__u32vec *v, uint32_t total)
{
    uint32_t *p;
    if (total <= 2 && v->cap == 0)
        return SHN_OK;
    if (total <= v->cap)
        return SHN_OK;
    if (total > (UINT32_MAX >> 2))
        return SHN_ERR_TOO_LARGE;
    if (v->cap) {
        p = shn_realloc(v->u.heap, (size_t)total * sizeof *p);
        if (!p)
            return SHN_ERR_NOMEM;
    } else {
        p = shn_malloc((size_t)total * sizeof *p);
        if (!p)
            return SHN_ERR_NOMEM;
        memcpy(p, v->u.one, (size_t)v->n * sizeof *p);
    }
    v->u.heap = p;
    v->cap = total;
    return SHN_OK;
}

int shn__link_vec_push(struct shn__u32vec *v, uint32_t x)
{
    uint32_t room = v->cap ? v->cap : 2;
    if (v->n == room) {
        int rc = shn__link_vec_reserve(v, room * 2);
        if (rc != SHN_OK)
            return rc;
    }
    shn__vec(v)[v->n++] = x;
    return SHN_OK;
}

void shn__link_vec_free(struct shn__u32vec *v)
{
    if (v->cap)
        shn_free(v->u.heap);
    memset(v, 0, sizeof *v);
}

int shn_link_new(const struct shn_link_options *opt, struct shn_link **out)
{
    struct shn_link *l = shn_calloc(1, sizeof *l);
    if (!l)
        return SHN_ERR_NOMEM;
    if (opt)
        l->opt = *opt;
    else
        shn_link_options_default(&l->opt);
    if (l->opt.threshold <= 0 || l->opt.max_share < 2 || l->opt.soft_share < 1 ||
        l->opt.pdq_distance < 0 || l->opt.pdq_distance > 256) {
        shn_free(l);
        return SHN_ERR_INVALID;
    }
    *out = l;
    return SHN_OK;
}

void shn_link_free(struct shn_link *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n_nodes; i++)
        shn__link_vec_free(&l->nodes[i].idents);
    for (size_t i = 0; i < l->n_idents; i++)
        shn__link_vec_free(&l->idents[i].nodes);
    shn_free(l->nodes);
    shn_free(l->idents);
    shn_free(l->pool);
    shn_free(l->node_map.slots);
    shn_free(l->ident_map.slots);
    shn_free(l->pairs);
    shn_free(l->touched);
    shn_free(l->fresh);
    shn_free(l->pdq_ident);
    shn_free(l->pdq);
    shn_free(l);
}

int shn__link_intern(struct shn_link *l, const char *s, size_t len, uint32_t *off)
{
    size_t need;
    int rc;
    if (!shn_size_add(l->pool_len, len + 1, &need) || need > SHN__LINK_POOL_MAX)
        return SHN_ERR_TOO_LARGE;
    if (need > l->pool_alloc) {
        size_t cap = l->pool_alloc ? l->pool_alloc : 4096;
        while (cap < need)
            cap *= 2;
        char *p = shn_realloc(l->pool, cap);
        if (!p)
            return SHN_ERR_NOMEM;
        l->pool = p;
        l->pool_alloc = cap;
    }
    rc = SHN_OK;
    memcpy(l->pool + l->pool_len, s, len);
    l->pool[l->pool_len + len] = '\0';
    *off = (uint32_t)l->pool_len;
    l->pool_len = need;
    return rc;
}

static uint64_t node_hash(const char *s, size_t len)
{
    return shn_hash64(s, len, 0x6c696e6b);
}
static uint64_t ident_hash(unsigned kind, const char *s, size_t len)
{
    return shn_hash64(s, len, 0x1d00 + kind);
}

static int map_grow(struct shn__link_map *m, size_t want)
{
    size_t cap = m->cap ? m->cap : 1024;
    while (cap < want * 2)
        cap *= 2;
    if (cap == m->cap)
        return SHN_OK;
    uint64_t *slots = shn_calloc(cap, sizeof *slots);
    if (!slots)
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        uint64_t x = m->slots[i];
        if (!x)
            continue;
        size_t j = (size_t)(x >> 32) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = x;
    }
    shn_free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return SHN_OK;
}

/* The table is at most half full, so a probe always meets an empty slot. */
static void map_insert(struct shn__link_map *m, uint64_t h, uint32_t index)
{
    uint64_t tag = h >> 32;
    size_t j = (size_t)tag & (m->cap - 1);
    while (m->slots[j])
        j = (j + 1) & (m->cap - 1);
    m->slots[j] = tag << 32 | (uint64_t)(index + 1);
    m->count++;
}

int shn__link_reserve(struct shn_link *l, size_t nodes, size_t idents, size_t pool)
{
    int rc = map_grow(&l->node_map, nodes);
    if (rc == SHN_OK)
        rc = map_grow(&l->ident_map, idents);
    if (rc == SHN_OK)
        rc = shn_grow((void **)&l->nodes, &l->nodes_alloc, nodes, sizeof *l->nodes);
    if (rc == SHN_OK)
        rc = shn_grow((void **)&l->fresh, &l->fresh_alloc, nodes, sizeof *l->fresh);
    if (rc == SHN_OK)
        rc = shn_grow((void **)&l->idents, &l->idents_alloc, idents, sizeof *l->idents);
    if (rc == SHN_OK)
        rc = shn_grow((void **)&l->touched, &l->touched_alloc, idents, sizeof *l->touched);
    if (rc == SHN_OK && pool > l->pool_alloc) {
        char *p = shn_realloc(l->pool, pool);
        if (!p)
            return SHN_ERR_NOMEM;
        l->pool = p;
        l->pool_alloc = pool;
    }
    return rc;
}

uint32_t shn__link_node_find(const struct shn_link *l, const char *id, size_t len)
{
    const struct shn__link_map *m = &l->node_map;
    if (!m->cap)
        return SHN__LINK_NONE;
    uint64_t tag = node_hash(id, len) >> 32;
    size_t j = (size_t)tag & (m->cap - 1);
    while (m->slots[j]) {
        uint32_t x = (uint32_t)m->slots[j] - 1;
        if ((m->slots[j] >> 32) == tag) {
            const struct shn__link_node *e = &l->nodes[x];
            if (e->id_len == len && memcmp(l->pool + e->id_off, id, len) == 0)
                return x;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return SHN__LINK_NONE;
}

int shn__link_node_get(struct shn_link *l, const char *id, size_t len, bool create, uint32_t *out)
{
    uint32_t n = shn__link_node_find(l, id, len), off;
    int rc = SHN_OK;
    if (n != SHN__LINK_NONE || !create) {
        if (n == SHN__LINK_NONE)
            return SHN_ERR_NOT_FOUND;
        *out = n;
        return SHN_OK;
    }
    if (len == 0 || len > SHN_LINK_ID_MAX || memchr(id, '\0', len))
        return SHN_ERR_INVALID;
    if (l->n_nodes >= SHN__LINK_NODES_MAX)
        return SHN_ERR_TOO_LARGE;
    if ((l->node_map.count + 1) * 2 > l->node_map.cap) {
        rc = map_grow(&l->node_map, l->node_map.count + 1);
        if (rc != SHN_OK)
            goto out;
    }
    rc = shn_grow((void **)&l->nodes, &l->nodes_alloc, l->n_nodes + 1, sizeof *l->nodes);
    if (rc == SHN_OK)
        rc = shn_grow((void **)&l->fresh, &l->fresh_alloc, l->n_fresh + 1, sizeof *l->fresh);
    if (rc == SHN_OK)
        rc = shn__link_intern(l, id, len, &off);
    if (rc != SHN_OK)
        goto out;
    n = (uint32_t)l->n_nodes++;
    memset(&l->nodes[n], 0, sizeof l->nodes[n]);
    l->nodes[n].id_off = off;
    l->nodes[n].id_len = (uint16_t)len;
    l->nodes[n].cluster = n;
    l->fresh[l->n_fresh++] = n;
    map_insert(&l->node_map, node_hash(id, len), n);
    *out = n;
out:
    return rc;
}

int shn_link_add_node(struct shn_link *l, const char *account, bool persona)
{
    uint32_t n;
    int rc;
    if (!l || !account)
        return SHN_ERR_INVALID;
    rc = shn__link_node_get(l, account, strlen(account), true, &n);
    if (rc == SHN_OK && persona)
        l->nodes[n].persona = 1;
    return rc;
}

static uint32_t ident_find(const struct shn_link *l, unsigned kind, const char *v, size_t len)
{
    const struct shn__link_map *m = &l->ident_map;
    if (!m->cap)
        return SHN__LINK_NONE;
    uint64_t tag = ident_hash(kind, v, len) >> 32;
    size_t j = (size_t)tag & (m->cap - 1);
    while (m->slots[j]) {
        uint32_t x = (uint32_t)m->slots[j] - 1;
        if ((m->slots[j] >> 32) == tag) {
            const struct shn__link_ident *e = &l->idents[x];
            if (e->kind == kind && e->val_len == len && memcmp(l->pool + e->val_off, v, len) == 0)
                return x;
        }
        j = (j + 1) & (m->cap - 1);
    }
    return SHN__LINK_NONE;
}

/* A near-duplicate ID image collapses onto the first hash seen within the
 * distance (in input order, so the result is deterministic). */
static uint32_t pdq_near(const struct shn_link *l, const struct shn_pdq *h)
{
    uint32_t best = SHN__LINK_NONE;
    int best_d = l->opt.pdq_distance + 1;
    if (l->n_pdq > SHN__LINK_PDQ_SCAN_MAX)
        return SHN__LINK_NONE;
    for (size_t i = 0; i < l->n_pdq; i++) {
        int d = shn_image_pdq_distance(&l->pdq[i], h);
        if (d < best_d) {
            best_d = d;
            best = l->pdq_ident[i];
        }
    }
    return best;
}

static int ident_get(struct shn_link *l, unsigned kind, const char *v, size_t len, uint32_t *out)
{
    uint32_t i = ident_find(l, kind, v, len), off;
    struct shn_pdq h;
    int rc = SHN_OK;
    if (i != SHN__LINK_NONE) {
        *out = i;
        return SHN_OK;
    }
    if (kind == SHN_LINK_IMAGE) {
        if (shn_image_pdq_from_hex(v, len, &h) != SHN_OK)
            return SHN_ERR_INVALID;
        i = pdq_near(l, &h);
        if (i != SHN__LINK_NONE) {
            *out = i;
            return SHN_OK;
        }
        rc = shn_grow((void **)&l->pdq, &l->pdq_alloc, l->n_pdq + 1, sizeof *l->pdq);
        if (rc != SHN_OK)
            goto out;
        /* pdq_ident grows with the same capacity */
        uint32_t *p = shn_realloc(l->pdq_ident, l->pdq_alloc * sizeof *p);
        if (!p) {
            rc = SHN_ERR_NOMEM;
            goto out;
        }
        l->pdq_ident = p;
    }
    if (l->n_idents >= SHN__LINK_NODES_MAX * 4) {
        rc = SHN_ERR_TOO_LARGE;
        goto out;
    }
    if ((l->ident_map.count + 1) * 2 > l->ident_map.cap) {
        rc = map_grow(&l->ident_map, l->ident_map.count + 1);
        if (rc != SHN_OK)
            goto out;
    }
    rc = shn_grow((void **)&l->idents, &l->idents_alloc, l->n_idents + 1, sizeof *l->idents);
    if (rc == SHN_OK)
        rc = shn__link_intern(l, v, len, &off);
    if (rc != SHN_OK)
        goto out;
    i = (uint32_t)l->n_idents++;
    memset(&l->idents[i], 0, sizeof l->idents[i]);
    l->idents[i].val_off = off;
    l->idents[i].val_len = (uint16_t)len;
    l->idents[i].kind = (uint8_t)kind;
    if (kind == SHN_LINK_IMAGE) {
        l->pdq[l->n_pdq] = h;
        l->pdq_ident[l->n_pdq++] = i;
    }
    map_insert(&l->ident_map, ident_hash(kind, v, len), i);
    *out = i;
out:
    return rc;
}

static bool vec_has(const struct shn__u32vec *v, uint32_t x)
{
    const uint32_t *d = shn__vec(v);
    for (uint32_t k = 0; k < v->n; k++)
        if (d[k] == x)
            return true;
    return false;
}

int shn__link_add_normalized(struct shn_link *l, uint32_t node, enum shn_link_kind kind,
                             const char *value, size_t len)
{
    uint32_t i;
    int rc;
    if ((unsigned)kind >= SHN_LINK_KIND_COUNT || len == 0 || len > SHN_LINK_VALUE_MAX)
        return SHN_ERR_INVALID;
    rc = ident_get(l, kind, value, len, &i);
    if (rc != SHN_OK)
        goto out;
    l->occurrences++;
    struct shn__link_ident *e = &l->idents[i];
    struct shn__link_node *nd = &l->nodes[node];
    /* Already linked? Search the shorter of the two lists. */
    if (e->nodes.n && shn__vec(&e->nodes)[e->nodes.n - 1] == node)
        goto out;
    if (nd->idents.n < e->nodes.n ? vec_has(&nd->idents, i) : vec_has(&e->nodes, node))
        goto out;
    if (!e->touched) {
        rc =
            shn_grow((void **)&l->touched, &l->touched_alloc, l->n_touched + 1, sizeof *l->touched);
        if (rc != SHN_OK)
            goto out;
    }
    rc = shn__link_vec_push(&nd->idents, i);
    if (rc != SHN_OK)
        goto out;
    rc = shn__link_vec_push(&e->nodes, node);
    if (rc != SHN_OK) {
        nd->idents.n--;
        goto out;
    }
    if (!e->touched) {
        e->touched = 1;
        l->touched[l->n_touched++] = i;
    }
out:
    return rc;
}

int shn_link_add(struct shn_link *l, const char *account, enum shn_link_kind kind, const char *raw,
                 size_t len)
{
    char v[SHN_LINK_VALUE_MAX + 1];
    uint32_t n;
    int rc;
    if (!l || !account || !raw)
        return SHN_ERR_INVALID;
    rc = shn_link_normalize(kind, raw, len, l->opt.region, v, sizeof v);
    if (rc != SHN_OK)
        goto out;
    rc = shn__link_node_get(l, account, strlen(account), true, &n);
    if (rc != SHN_OK)
        goto out;
    rc = shn__link_add_normalized(l, n, kind, v, strlen(v));
    if (rc == SHN_OK && kind == SHN_LINK_IP &&
        shn_link_normalize(SHN_LINK_IP24, raw, len, NULL, v, sizeof v) == SHN_OK)
        rc = shn__link_add_normalized(l, n, SHN_LINK_IP24, v, strlen(v));
out:
    return rc;
}

double shn__link_weight(const struct shn_link *l, uint32_t ident)
{
    const struct shn__link_ident *e = &l->idents[ident];
    uint32_t n = e->nodes.n;
    double w = l->opt.weight[e->kind];
    if (n < 2 || n > l->opt.max_share)
        return 0.0;
    if (n > l->opt.soft_share)
        w *= (double)l->opt.soft_share / (double)n;
    return w;
}

bool shn__link_ignored(const struct shn_link *l, uint32_t ident)
{
    return l->idents[ident].nodes.n > l->opt.max_share;
}

/* The comparison joins use: a small epsilon so that 0.6 + 0.4 reaches 1.0. */
static bool reaches(double w, double threshold)
{
    return w + 1e-9 >= threshold;
}

/* ------------------------------------------------------------ clustering */

struct uf {
    uint32_t *parent;
};

static uint32_t uf_find(struct uf *u, uint32_t x)
{
    while (u->parent[x] != x) {
        u->parent[x] = u->parent[u->parent[x]];
        x = u->parent[x];
    }
    return x;
}

static void uf_union(struct uf *u, uint32_t a, uint32_t b)
{
    a = uf_find(u, a);
    b = uf_find(u, b);
    if (a != b) {
        if (a < b)
            u->parent[b] = a;
        else
            u->parent[a] = b;
    }
}

/* Pair evidence: open addressing from (a << 32 | b) to a summed weight. */
struct pairmap {
    uint64_t *keys; /* 0 = empty (a pair never has a == b == 0) */
    double *sums;
    size_t cap, count;
};

static int pair_add(struct pairmap *m, uint64_t key, double w)
{
    if ((m->count + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 1024;
        uint64_t *k = shn_calloc(cap, sizeof *k);
        double *s = shn_calloc(cap, sizeof *s);
        if (!k || !s) {
            shn_free(k);
            shn_free(s);
            return SHN_ERR_NOMEM;
        }
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->keys[i])
                continue;
            size_t j = (size_t)shn_hash64(&m->keys[i], 8, 7) & (cap - 1);
            while (k[j])
                j = (j + 1) & (cap - 1);
            k[j] = m->keys[i];
            s[j] = m->sums[i];
        }
        shn_free(m->keys);
        shn_free(m->sums);
        m->keys = k;
        m->sums = s;
        m->cap = cap;
    }
    size_t j = (size_t)shn_hash64(&key, 8, 7) & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != key)
        j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) {
        m->keys[j] = key;
        m->count++;
    }
    m->sums[j] += w;
    return SHN_OK;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int node_cmp(const struct shn_link *l, uint32_t a, uint32_t b)
{
    return strcmp(shn__link_node_id(l, a), shn__link_node_id(l, b));
}

/* Reclusters the nodes in set[0..ns) (global indices, each node at most
 * once). The caller guarantees that the set is closed: every old cluster
 * that meets it lies inside it, and every node sharing a changed identifier
 * is in it. Then every join that can change has both ends in the set. */
static int recluster(struct shn_link *l, const uint32_t *set, size_t ns)
{
    uint32_t *local = NULL, *rep = NULL;
    struct uf u = {NULL};
    struct pairmap pm = {0};
    size_t kept = 0;
    int rc = SHN_OK;

    l->gen++;
    local = shn_malloc((l->n_nodes ? l->n_nodes : 1) * sizeof *local);
    u.parent = shn_malloc((ns ? ns : 1) * sizeof *u.parent);
    rep = shn_malloc((ns ? ns : 1) * sizeof *rep);
    if (!local || !u.parent || !rep) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    memset(local, 0xFF, l->n_nodes * sizeof *local);
    for (size_t k = 0; k < ns; k++) {
        local[set[k]] = (uint32_t)k;
        u.parent[k] = (uint32_t)k;
        rep[k] = SHN__LINK_NONE;
    }
    for (size_t k = 0; k < ns; k++) {
        const struct shn__link_node *nd = &l->nodes[set[k]];
        for (uint32_t q = 0; q < nd->idents.n; q++) {
            uint32_t i = shn__vec(&nd->idents)[q];
            struct shn__link_ident *e = &l->idents[i];
            if (e->stamp == l->gen)
                continue;
            e->stamp = l->gen;
            double w = shn__link_weight(l, i);
            if (w <= 0)
                continue;
            if (reaches(w, l->opt.threshold)) {
                uint32_t first = SHN__LINK_NONE;
                for (uint32_t r = 0; r < e->nodes.n; r++) {
                    uint32_t x = local[shn__vec(&e->nodes)[r]];
                    if (x == SHN__LINK_NONE)
                        continue;
                    if (first == SHN__LINK_NONE)
                        first = x;
                    else
                        uf_union(&u, first, x);
                }
                continue;
            }
            for (uint32_t r = 0; r < e->nodes.n; r++) {
                uint32_t a = shn__vec(&e->nodes)[r];
                if (local[a] == SHN__LINK_NONE)
                    continue;
                for (uint32_t s = r + 1; s < e->nodes.n; s++) {
                    uint32_t b = shn__vec(&e->nodes)[s];
                    if (local[b] == SHN__LINK_NONE)
                        continue;
                    uint64_t key = a < b ? ((uint64_t)a << 32 | b) : ((uint64_t)b << 32 | a);
                    rc = pair_add(&pm, key, w);
                    if (rc != SHN_OK)
                        goto out;
                }
            }
        }
    }
    /* Drop the old evidence joins inside the set, then add the new ones. */
    for (size_t k = 0; k < l->n_pairs; k++)
        if (local[(uint32_t)(l->pairs[k] >> 32)] == SHN__LINK_NONE)
            l->pairs[kept++] = l->pairs[k];
    l->n_pairs = kept;
    for (size_t j = 0; j < pm.cap; j++) {
        if (!pm.keys[j] || !reaches(pm.sums[j], l->opt.threshold))
            continue;
        rc = shn_grow((void **)&l->pairs, &l->pairs_alloc, l->n_pairs + 1, sizeof *l->pairs);
        if (rc != SHN_OK)
            goto out;
        l->pairs[l->n_pairs++] = pm.keys[j];
        uf_union(&u, local[(uint32_t)(pm.keys[j] >> 32)], local[(uint32_t)pm.keys[j]]);
    }
    if (l->n_pairs > 1)
        qsort(l->pairs, l->n_pairs, sizeof *l->pairs, cmp_u64);
    /* Name each cluster by its lexicographically smallest member. */
    for (size_t k = 0; k < ns; k++) {
        uint32_t r = uf_find(&u, (uint32_t)k);
        if (rep[r] == SHN__LINK_NONE || node_cmp(l, set[k], rep[r]) < 0)
            rep[r] = set[k];
    }
    for (size_t k = 0; k < ns; k++)
        l->nodes[set[k]].cluster = rep[uf_find(&u, (uint32_t)k)];
    for (size_t t = 0; t < l->n_touched; t++) {
        struct shn__link_ident *e = &l->idents[l->touched[t]];
        e->touched = 0;
        e->prev_n = e->nodes.n;
    }
    l->n_touched = 0;
    l->n_fresh = 0;
    l->clustered = true;
out:
    shn_free(local);
    shn_free(u.parent);
    shn_free(rep);
    shn_free(pm.keys);
    shn_free(pm.sums);
    return rc;
}

int shn__link_recluster_all(struct shn_link *l)
{
    uint32_t *set = shn_malloc((l->n_nodes ? l->n_nodes : 1) * sizeof *set);
    int rc;
    if (!set)
        return SHN_ERR_NOMEM;
    for (size_t k = 0; k < l->n_nodes; k++)
        set[k] = (uint32_t)k;
    l->n_pairs = 0;
    rc = recluster(l, set, l->n_nodes);
    shn_free(set);
    return rc;
}

int shn_link_rebuild(struct shn_link *l)
{
    if (!l)
        return SHN_ERR_INVALID;
    return shn__link_recluster_all(l);
}

int shn_link_update(struct shn_link *l)
{
    uint8_t *mark = NULL;
    uint32_t *set = NULL;
    size_t ns = 0;
    int rc = SHN_OK;
    if (!l)
        return SHN_ERR_INVALID;
    if (!l->clustered)
        return shn__link_recluster_all(l);
    if (l->n_touched == 0 && l->n_fresh == 0)
        return SHN_OK;
    /* Mark the old clusters (by their representative) that a change meets:
     * fresh nodes, and every node of an identifier that gained a node,
     * unless it was and stays past max_share (ignored either way). */
    mark = shn_calloc(l->n_nodes, 1);
    if (!mark) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    for (size_t k = 0; k < l->n_fresh; k++)
        mark[l->nodes[l->fresh[k]].cluster] = 1;
    for (size_t t = 0; t < l->n_touched; t++) {
        const struct shn__link_ident *e = &l->idents[l->touched[t]];
        if (e->prev_n > l->opt.max_share && e->nodes.n > l->opt.max_share)
            continue;
        for (uint32_t r = 0; r < e->nodes.n; r++)
            mark[l->nodes[shn__vec(&e->nodes)[r]].cluster] = 1;
    }
    set = shn_malloc(l->n_nodes * sizeof *set);
    if (!set) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    for (size_t k = 0; k < l->n_nodes; k++)
        if (mark[l->nodes[k].cluster])
            set[ns++] = (uint32_t)k;
    rc = recluster(l, set, ns);
out:
    shn_free(mark);
    shn_free(set);
    return rc;
}

void shn__link_cluster_name(const struct shn_link *l, uint32_t rep, char out[20])
{
    static const char hex[] = "0123456789abcdef";
    const char *id = shn__link_node_id(l, rep);
    uint64_t h = shn_hash64(id, l->nodes[rep].id_len, 0x636c7573);
    out[0] = 'c';
    for (int k = 0; k < 16; k++)
        out[1 + k] = hex[(h >> (60 - 4 * k)) & 15];
    out[17] = '\0';
}

int shn_link_cluster_of(const struct shn_link *l, const char *account, char out[20])
{
    uint32_t n;
    if (!l || !account)
        return SHN_ERR_INVALID;
    n = shn__link_node_find(l, account, strlen(account));
    if (n == SHN__LINK_NONE)
        return SHN_ERR_NOT_FOUND;
    shn__link_cluster_name(l, l->nodes[n].cluster, out);
    return SHN_OK;
}

void shn_link_stats(const struct shn_link *l, struct shn_link_stats *out)
{
    uint32_t *size = NULL;
    memset(out, 0, sizeof *out);
    out->nodes = l->n_nodes;
    out->identifiers = l->n_idents;
    out->occurrences = l->occurrences;
    out->evidence_pairs = l->n_pairs;
    for (size_t i = 0; i < l->n_idents; i++)
        if (shn__link_ignored(l, (uint32_t)i))
            out->ignored++;
    size = shn_calloc(l->n_nodes ? l->n_nodes : 1, sizeof *size);
    for (size_t k = 0; k < l->n_nodes; k++) {
        if (l->nodes[k].persona)
            out->personas++;
        if (size)
            size[l->nodes[k].cluster]++;
    }
    for (size_t k = 0; size && k < l->n_nodes; k++) {
        if (size[k] >= 2)
            out->clusters++;
        if (size[k] > out->largest)
            out->largest = size[k];
    }
    shn_free(size);
}
