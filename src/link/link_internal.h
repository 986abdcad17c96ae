/* Module-private declarations of the link engine. */
#ifndef SHN_LINK_LINK_INTERNAL_H
#define SHN_LINK_LINK_INTERNAL_H

#include "shinsa/image.h"
#include "shinsa/link.h"

/* Routes jansson's allocations through shn_malloc, once per process
 * (alloc_route.c); the persona reader calls it first. */
void shn__link_route_allocations(void);

#define SHN__LINK_NONE UINT32_MAX
/* Near-duplicate ID images are found by a linear scan over the distinct
 * hashes seen; past this many, new hashes match exactly only. */
#define SHN__LINK_PDQ_SCAN_MAX 50000u
#define SHN__LINK_POOL_MAX ((size_t)UINT32_MAX)
#define SHN__LINK_NODES_MAX ((size_t)1 << 30)

/* A vector of u32 that keeps up to two elements inline (cap == 0): most
 * identifiers belong to one or two nodes, and 10M small mallocs would cost
 * more than the data. Read it through shn__vec(). */
struct shn__u32vec {
    union {
        uint32_t *heap;
        uint32_t one[2];
    } u;
    uint32_t n, cap;
};

static inline uint32_t *shn__vec(const struct shn__u32vec *v)
{
    return v->cap ? v->u.heap : (uint32_t *)v->u.one;
}

struct shn__link_node {
    uint32_t id_off;
    uint16_t id_len;
    uint8_t persona;
    uint32_t cluster; /* node index of the cluster's smallest member */
    struct shn__u32vec idents;
};

struct shn__link_ident {
    uint32_t val_off;
    uint16_t val_len;
    uint8_t kind;
    uint8_t touched;
    uint32_t stamp;  /* reclustering generation that last visited it */
    uint32_t prev_n; /* nodes sharing it at the last clustering */
    struct shn__u32vec nodes;
};

/* Open addressing over indices: a slot holds (hash32 << 32 | index + 1),
 * 0 = empty; the stored hash spares a string compare per probe and lets the
 * table grow without reading the strings again. */
struct shn__link_map {
    uint64_t *slots;
    size_t cap, count;
};

struct shn_link {
    struct shn_link_options opt;
    char *pool;
    size_t pool_len, pool_alloc;
    struct shn__link_node *nodes;
    size_t n_nodes, nodes_alloc;
    struct shn__link_ident *idents;
    size_t n_idents, idents_alloc;
    struct shn__link_map node_map, ident_map;
    uint64_t *pairs; /* node pairs (a << 32 | b, a < b) joined by summed evidence */
    size_t n_pairs, pairs_alloc;
    uint32_t *touched; /* identifiers changed since the last clustering */
    size_t n_touched, touched_alloc;
    uint32_t *fresh; /* nodes created since the last clustering */
    size_t n_fresh, fresh_alloc;
    uint32_t *pdq_ident; /* image identifiers and their hashes, for near matches */
    struct shn_pdq *pdq;
    size_t n_pdq, pdq_alloc;
    size_t occurrences;
    uint32_t gen;
    bool clustered;
};

static inline const char *shn__link_node_id(const struct shn_link *l, uint32_t n)
{
    return l->pool + l->nodes[n].id_off;
}
static inline const char *shn__link_ident_value(const struct shn_link *l, uint32_t i)
{
    return l->pool + l->idents[i].val_off;
}

/* The evidence an identifier shared by n nodes carries: the kind's weight,
 * times soft_share / n past soft_share; 0 past max_share or below 2. */
double shn__link_weight(const struct shn_link *l, uint32_t ident);
bool shn__link_ignored(const struct shn_link *l, uint32_t ident);

int shn__link_vec_push(struct shn__u32vec *v, uint32_t x);
void shn__link_vec_free(struct shn__u32vec *v);
/* Room for `total` elements (the loader sizes vectors exactly). */
int shn__link_vec_reserve(struct shn__u32vec *v, uint32_t total);
int shn__link_intern(struct shn_link *l, const char *s, size_t len, uint32_t *off);
int shn__link_node_get(struct shn_link *l, const char *id, size_t len, bool create, uint32_t *out);
uint32_t shn__link_node_find(const struct shn_link *l, const char *id, size_t len);
/* Adds an already normalised value (the LINKDB loader and shn_link_add). */
int shn__link_add_normalized(struct shn_link *l, uint32_t node, enum shn_link_kind kind,
                             const char *value, size_t len);
int shn__link_recluster_all(struct shn_link *l);
/* Sizes the tables for a known graph (the LINKDB loader). */
int shn__link_reserve(struct shn_link *l, size_t nodes, size_t idents, size_t pool);

/* "c" + 16 hex digits of the hash of the cluster's smallest member. */
void shn__link_cluster_name(const struct shn_link *l, uint32_t rep, char out[20]);

#endif
