/* LINKDB: the graph on disk (docs/link.md), a section file (core's
 * section.h: magic "SHNLINK\0", version, a CRC-32 per section, written
 * through the safe writer, so a reader sees the old file or the whole new
 * one). Integers little-endian. Sections:
 *
 *   META    11 x f64 weights, f64 threshold, u32 soft_share, u32 max_share,
 *           char region[4], i32 pdq_distance, u32 flags (0),
 *           u32 nodes, u32 idents, u64 pairs, u64 occurrences
 *   POOL    string bytes
 *   NODES   u32 id_off, u32 id_len, u32 persona, u32 cluster
 *   IDENTS  u32 val_off, u32 val_len, u32 kind, u32 count, count x u32 node
 *   PAIRS   u64 each
 *
 * Version 2 moved the file onto the section file; version 1 (its own
 * header and one CRC before a tail magic) is refused by its version. */
#include <string.h>

#include "link_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/section.h"

#define LINKDB_VERSION 2u
#define LINKDB_MAX_BYTES ((size_t)16 << 30)
#define META_BYTES (SHN_LINK_KIND_COUNT * 8 + 8 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 8 + 8)

enum { SEC_META = 0, SEC_POOL, SEC_NODES, SEC_IDENTS, SEC_PAIRS, SEC__COUNT };

static const struct shn_section_format linkdb = {"SHNLINK", LINKDB_VERSION, "link database",
                                                 "shinsa link build"};

static int put32(struct shn_buf *b, uint32_t x)
{
    unsigned char p[4] = {(unsigned char)x, (unsigned char)(x >> 8), (unsigned char)(x >> 16),
                          (unsigned char)(x >> 24)};
    return shn_buf_append(b, p, 4);
}
static int put64(struct shn_buf *b, uint64_t x)
{
    int rc = put32(b, (uint32_t)x);
    return rc == SHN_OK ? put32(b, (uint32_t)(x >> 32)) : rc;
}
static int putf64(struct shn_buf *b, double d)
{
    uint64_t x;
    memcpy(&x, &d, 8);
    return put64(b, x);
}

static int put_meta(const struct shn_link *l, struct shn_buf *b)
{
    char region[4] = {0};
    int rc = SHN_OK;

    memcpy(region, l->opt.region, 2);
    for (int k = 0; k < SHN_LINK_KIND_COUNT; k++)
        rc = rc ? rc : putf64(b, l->opt.weight[k]);
    rc = rc ? rc : putf64(b, l->opt.threshold);
    rc = rc ? rc : put32(b, l->opt.soft_share);
    rc = rc ? rc : put32(b, l->opt.max_share);
    rc = rc ? rc : shn_buf_append(b, region, 4);
    rc = rc ? rc : put32(b, (uint32_t)l->opt.pdq_distance);
    rc = rc ? rc : put32(b, 0);
    rc = rc ? rc : put32(b, (uint32_t)l->n_nodes);
    rc = rc ? rc : put32(b, (uint32_t)l->n_idents);
    rc = rc ? rc : put64(b, l->n_pairs);
    rc = rc ? rc : put64(b, l->occurrences);
    return rc;
}

static int put_nodes(const struct shn_link *l, struct shn_buf *b)
{
    int rc = shn_buf_reserve(b, l->n_nodes * 16);

    for (size_t k = 0; rc == SHN_OK && k < l->n_nodes; k++) {
        const struct shn__link_node *n = &l->nodes[k];
        rc = put32(b, n->id_off);
        rc = rc ? rc : put32(b, n->id_len);
        rc = rc ? rc : put32(b, n->persona);
        rc = rc ? rc : put32(b, n->cluster);
    }
    return rc;
}

static int put_idents(const struct shn_link *l, struct shn_buf *b)
{
    size_t est = l->n_idents * 16;
    int rc;

    for (size_t i = 0; i < l->n_idents; i++)
        est += (size_t)l->idents[i].nodes.n * 4;
    rc = shn_buf_reserve(b, est);
    for (size_t i = 0; rc == SHN_OK && i < l->n_idents; i++) {
        const struct shn__link_ident *e = &l->idents[i];
        rc = put32(b, e->val_off);
        rc = rc ? rc : put32(b, e->val_len);
        rc = rc ? rc : put32(b, e->kind);
        rc = rc ? rc : put32(b, e->nodes.n);
        if (rc == SHN_OK && e->nodes.n)
            rc = shn_buf_append(b, shn__vec(&e->nodes),
                                (size_t)e->nodes.n * 4); /* little-endian host */
    }
    return rc;
}

int shn_link_save(struct shn_link *l, const char *path, struct shn_diag *diag)
{
    struct shn_buf meta, nodes, idents, pairs;
    int rc;

    shn_buf_init(&meta, 4096);
    shn_buf_init(&nodes, LINKDB_MAX_BYTES);
    shn_buf_init(&idents, LINKDB_MAX_BYTES);
    shn_buf_init(&pairs, LINKDB_MAX_BYTES);
    rc = shn_link_update(l);
    if (rc != SHN_OK) {
        shn_diag_set(diag, rc, path, 0, "", "clustering failed");
        goto out;
    }
    rc = put_meta(l, &meta);
    rc = rc ? rc : put_nodes(l, &nodes);
    rc = rc ? rc : put_idents(l, &idents);
    rc = rc ? rc : shn_buf_reserve(&pairs, l->n_pairs * 8);
    for (size_t k = 0; rc == SHN_OK && k < l->n_pairs; k++)
        rc = put64(&pairs, l->pairs[k]);
    if (rc != SHN_OK) {
        shn_diag_set(diag, rc, path, 0, "", "cannot serialise the link database");
        goto out;
    }
    {
        const struct shn_section secs[SEC__COUNT] = {
            {SEC_META, meta.data, meta.len},    {SEC_POOL, l->pool, l->pool ? l->pool_len : 0},
            {SEC_NODES, nodes.data, nodes.len}, {SEC_IDENTS, idents.data, idents.len},
            {SEC_PAIRS, pairs.data, pairs.len},
        };
        rc = shn_section_write(path, &linkdb, secs, SEC__COUNT, diag);
    }
out:
    shn_buf_cleanup(&meta);
    shn_buf_cleanup(&nodes);
    shn_buf_cleanup(&idents);
    shn_buf_cleanup(&pairs);
    return rc;
}

struct cur {
    const unsigned char *p;
    size_t len, pos;
    bool bad;
};
static uint32_t get32(struct cur *c)
{
    uint32_t x;
    if (c->len - c->pos < 4) {
        c->bad = true;
        return 0;
    }
    x = (uint32_t)c->p[c->pos] | (uint32_t)c->p[c->pos + 1] << 8 |
        (uint32_t)c->p[c->pos + 2] << 16 | (uint32_t)c->p[c->pos + 3] << 24;
    c->pos += 4;
    return x;
}
static uint64_t get64(struct cur *c)
{
    uint64_t lo = get32(c);
    return lo | (uint64_t)get32(c) << 32;
}
static double getf64(struct cur *c)
{
    uint64_t x = get64(c);
    double d;
    memcpy(&d, &x, 8);
    return d;
}

static int corrupt(struct shn_diag *diag, const char *path, const char *what)
{
    return shn_diag_set(diag, SHN_ERR_CORRUPT, path, 0, "", "link database damaged: %s", what);
}

static bool section_cur(const struct shn_section_file *f, uint32_t id, struct cur *c)
{
    const void *p;
    uint64_t n;

    if (!shn_section_get(f, id, &p, &n))
        return false;
    *c = (struct cur){p, (size_t)n, 0, false};
    return true;
}

struct meta {
    struct shn_link_options opt;
    uint32_t n_nodes, n_idents;
    uint64_t n_pairs, occ;
};

static bool read_meta(struct cur *c, struct meta *m)
{
    memset(m, 0, sizeof *m);
    for (int k = 0; k < SHN_LINK_KIND_COUNT; k++)
        m->opt.weight[k] = getf64(c);
    m->opt.threshold = getf64(c);
    m->opt.soft_share = get32(c);
    m->opt.max_share = get32(c);
    if (c->len - c->pos >= 4) {
        memcpy(m->opt.region, c->p + c->pos, 2);
        c->pos += 4;
    }
    m->opt.pdq_distance = (int)get32(c);
    get32(c); /* flags */
    m->n_nodes = get32(c);
    m->n_idents = get32(c);
    m->n_pairs = get64(c);
    m->occ = get64(c);
    for (int k = 0; k < SHN_LINK_KIND_COUNT; k++)
        if (!(m->opt.weight[k] >= 0 && m->opt.weight[k] <= 1e6))
            m->opt.weight[k] = 0;
    return !c->bad && c->pos == c->len && m->opt.threshold > 0;
}

static int load_bytes(const unsigned char *data, size_t len, const char *path,
                      struct shn_link **out, struct shn_diag *diag)
{
    struct shn_section_file f;
    struct meta m;
    struct shn_link_options opt;
    struct shn_link *l = NULL;
    struct cur mc, pc, nc, ic, c;
    uint64_t pool_len, n_pairs, occ;
    uint32_t n_nodes, n_idents;
    int rc = shn_section_open(&f, data, len, &linkdb, path, diag);

    if (rc != SHN_OK)
        goto out;
    if (!section_cur(&f, SEC_META, &mc) || !section_cur(&f, SEC_POOL, &pc) ||
        !section_cur(&f, SEC_NODES, &nc) || !section_cur(&f, SEC_IDENTS, &ic) ||
        !section_cur(&f, SEC_PAIRS, &c)) {
        rc = corrupt(diag, path, "a section is missing");
        goto out;
    }
    if (mc.len != META_BYTES || !read_meta(&mc, &m) || m.n_nodes > SHN__LINK_NODES_MAX ||
        nc.len != (size_t)m.n_nodes * 16 || m.n_idents > ic.len / 16 || c.len % 8 ||
        m.n_pairs != c.len / 8) {
        rc = corrupt(diag, path, "bad header");
        goto out;
    }
    opt = m.opt;
    n_nodes = m.n_nodes;
    n_idents = m.n_idents;
    n_pairs = m.n_pairs;
    occ = m.occ;
    pool_len = pc.len;
    rc = shn_link_new(&opt, &l);
    if (rc != SHN_OK) {
        rc = corrupt(diag, path, "bad options");
        goto out;
    }
    /* strings are interned again; pool_len bounds their total */
    rc = shn__link_reserve(l, n_nodes, n_idents, (size_t)pool_len + 1);
    if (rc != SHN_OK)
        goto out;
    const char *pool = (const char *)pc.p;
    for (uint32_t k = 0; k < n_nodes; k++) {
        uint32_t off = get32(&nc), idlen = get32(&nc), persona = get32(&nc), cluster = get32(&nc);
        uint32_t n;
        if (nc.bad || off > pool_len || idlen > pool_len - off || cluster >= n_nodes ||
            persona > 1) {
            rc = corrupt(diag, path, "bad node");
            goto out;
        }
        rc = shn__link_node_get(l, pool + off, idlen, true, &n);
        if (rc == SHN_OK && n != k)
            rc = SHN_ERR_CORRUPT; /* a duplicate id */
        if (rc != SHN_OK) {
            rc = rc == SHN_ERR_NOMEM ? rc : corrupt(diag, path, "bad node id");
            goto out;
        }
        l->nodes[k].persona = (uint8_t)persona;
        l->nodes[k].cluster = cluster;
    }
    for (uint32_t i = 0; i < n_idents; i++) {
        uint32_t off = get32(&ic), vlen = get32(&ic), kind = get32(&ic), count = get32(&ic);
        if (ic.bad || off > pool_len || vlen > pool_len - off || kind >= SHN_LINK_KIND_COUNT ||
            count > (ic.len - ic.pos) / 4 || count == 0) {
            rc = corrupt(diag, path, "bad identifier");
            goto out;
        }
        for (uint32_t r = 0; r < count; r++) {
            uint32_t node = get32(&ic);
            size_t before = l->n_idents;
            if (node >= n_nodes) {
                rc = corrupt(diag, path, "bad occurrence");
                goto out;
            }
            rc = shn__link_add_normalized(l, node, (enum shn_link_kind)kind, pool + off, vlen);
            if (rc == SHN_OK && (l->n_idents != i + 1 || (r == 0 && before != i)))
                rc = SHN_ERR_CORRUPT; /* duplicate or near-duplicate identifier */
            if (rc != SHN_OK) {
                rc = rc == SHN_ERR_NOMEM ? rc : corrupt(diag, path, "bad identifier value");
                goto out;
            }
        }
    }
    for (uint64_t k = 0; k < n_pairs; k++) {
        uint64_t p = get64(&c);
        uint32_t a = (uint32_t)(p >> 32), b2 = (uint32_t)p;
        if (c.bad || a >= b2 || b2 >= n_nodes) {
            rc = corrupt(diag, path, "bad pair");
            goto out;
        }
        if (l->n_pairs == l->pairs_alloc) {
            size_t cap = l->pairs_alloc ? l->pairs_alloc * 2 : 64;
            uint64_t *np = shn_realloc(l->pairs, cap * sizeof *np);
            if (!np) {
                rc = SHN_ERR_NOMEM;
                goto out;
            }
            l->pairs = np;
            l->pairs_alloc = cap;
        }
        l->pairs[l->n_pairs++] = p;
    }
    if (ic.pos != ic.len) {
        rc = corrupt(diag, path, "trailing bytes");
        goto out;
    }
    /* Clusters come from the file; every representative must name itself. */
    for (uint32_t k = 0; k < n_nodes; k++) {
        uint32_t r = l->nodes[k].cluster;
        if (l->nodes[r].cluster != r) {
            rc = corrupt(diag, path, "bad cluster");
            goto out;
        }
    }
    for (size_t i = 0; i < l->n_idents; i++) {
        l->idents[i].touched = 0;
        l->idents[i].prev_n = l->idents[i].nodes.n;
    }
    l->n_touched = 0;
    l->n_fresh = 0;
    l->occurrences = (size_t)occ;
    l->clustered = true;
    *out = l;
    l = NULL;
out:
    if (rc == SHN_ERR_NOMEM)
        shn_diag_set(diag, rc, path, 0, "", "out of memory");
    shn_link_free(l);
    return rc;
}

int shn_link_open_memory(const void *data, size_t len, struct shn_link **out, struct shn_diag *diag)
{
    unsigned char *copy;
    int rc;

    if ((!data && len) || !out)
        return SHN_ERR_INVALID;
    if ((uintptr_t)data % 8 == 0)
        return load_bytes(data, len, "-", out, diag);
    /* the section file is read in place and wants 8-byte alignment */
    copy = shn_malloc(len);
    if (!copy)
        return shn_diag_set(diag, SHN_ERR_NOMEM, "-", 0, "", "out of memory");
    memcpy(copy, data, len);
    rc = load_bytes(copy, len, "-", out, diag);
    shn_free(copy);
    return rc;
}

int shn_link_open(const char *path, struct shn_link **out, struct shn_diag *diag)
{
    struct shn_mapped_file m = {0};
    int rc;
    if (!path || !out)
        return SHN_ERR_INVALID;
    rc = shn_file_map(path, &m, diag);
    if (rc != SHN_OK)
        goto out;
    rc = load_bytes(m.data, m.size, path, out, diag);
out:
    shn_file_unmap(&m);
    return rc;
}
