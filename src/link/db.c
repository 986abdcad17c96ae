/* LINKDB: the graph on disk (docs/link.md). Little-endian, versioned,
 * CRC-32 over everything before the trailer, written atomically (a reader
 * sees the old file or the whole new one).
 *
 *   "SHNLINK\0" u32 version u32 flags
 *   options: 11 x f64 weights, f64 threshold, u32 soft_share, u32 max_share,
 *            char region[4], i32 pdq_distance
 *   u64 pool_len, u32 nodes, u32 idents, u64 pairs, u64 occurrences
 *   pool bytes
 *   nodes:  u32 id_off, u32 id_len, u32 persona, u32 cluster
 *   idents: u32 val_off, u32 val_len, u32 kind, u32 count, count x u32 node
 *   pairs:  u64 each
 *   u32 crc32, "KNILNHS\0" */
#include <string.h>

#include "link_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"

#define LINKDB_VERSION 1u
#define LINKDB_MAX_BYTES ((size_t)16 << 30)
static const char magic[8] = "SHNLINK";
static const char tail_magic[8] = "KNILNHS";

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

int shn_link_save(struct shn_link *l, const char *path, struct shn_diag *diag)
{
    struct shn_buf b;
    int rc;
    shn_buf_init(&b, LINKDB_MAX_BYTES);
    rc = shn_link_update(l);
    if (rc != SHN_OK) {
        shn_diag_set(diag, rc, path, 0, "", "clustering failed");
        goto out;
    }
    size_t est = 128 + l->pool_len + l->n_nodes * 16 + l->n_idents * 16 + l->n_pairs * 8;
    for (size_t i = 0; i < l->n_idents; i++)
        est += (size_t)l->idents[i].nodes.n * 4;
    rc = shn_buf_reserve(&b, est);
    rc = rc ? rc : shn_buf_append(&b, magic, 8);
    rc = rc ? rc : put32(&b, LINKDB_VERSION);
    rc = rc ? rc : put32(&b, 0);
    for (int k = 0; k < SHN_LINK_KIND_COUNT; k++)
        rc = rc ? rc : putf64(&b, l->opt.weight[k]);
    rc = rc ? rc : putf64(&b, l->opt.threshold);
    rc = rc ? rc : put32(&b, l->opt.soft_share);
    rc = rc ? rc : put32(&b, l->opt.max_share);
    {
        char region[4] = {0};
        memcpy(region, l->opt.region, 2);
        rc = rc ? rc : shn_buf_append(&b, region, 4);
    }
    rc = rc ? rc : put32(&b, (uint32_t)l->opt.pdq_distance);
    rc = rc ? rc : put64(&b, l->pool_len);
    rc = rc ? rc : put32(&b, (uint32_t)l->n_nodes);
    rc = rc ? rc : put32(&b, (uint32_t)l->n_idents);
    rc = rc ? rc : put64(&b, l->n_pairs);
    rc = rc ? rc : put64(&b, l->occurrences);
    rc = rc ? rc : shn_buf_append(&b, l->pool ? l->pool : "", l->pool_len);
    for (size_t k = 0; rc == SHN_OK && k < l->n_nodes; k++) {
        const struct shn__link_node *n = &l->nodes[k];
        rc = put32(&b, n->id_off);
        rc = rc ? rc : put32(&b, n->id_len);
        rc = rc ? rc : put32(&b, n->persona);
        rc = rc ? rc : put32(&b, n->cluster);
    }
    for (size_t i = 0; rc == SHN_OK && i < l->n_idents; i++) {
        const struct shn__link_ident *e = &l->idents[i];
        rc = put32(&b, e->val_off);
        rc = rc ? rc : put32(&b, e->val_len);
        rc = rc ? rc : put32(&b, e->kind);
        rc = rc ? rc : put32(&b, e->nodes.n);
        if (rc == SHN_OK && e->nodes.n)
            rc = shn_buf_append(&b, shn__vec(&e->nodes),
                                (size_t)e->nodes.n * 4); /* little-endian host */
    }
    for (size_t k = 0; rc == SHN_OK && k < l->n_pairs; k++)
        rc = put64(&b, l->pairs[k]);
    if (rc == SHN_OK)
        rc = put32(&b, shn_crc32(0, b.data, b.len));
    rc = rc ? rc : shn_buf_append(&b, tail_magic, 8);
    if (rc != SHN_OK) {
        shn_diag_set(diag, rc, path, 0, "", "cannot serialise the link database");
        goto out;
    }
    rc = shn_file_write_atomic(path, b.data, b.len, diag);
out:
    shn_buf_cleanup(&b);
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

static int load_bytes(const unsigned char *data, size_t len, const char *path,
                      struct shn_link **out, struct shn_diag *diag)
{
    struct shn_link_options opt;
    struct shn_link *l = NULL;
    struct cur c = {data, len, 0, false};
    uint64_t pool_len, n_pairs, occ;
    uint32_t n_nodes, n_idents, crc;
    int rc = SHN_OK;
    if (len < 32 || memcmp(data, magic, 8) != 0) {
        rc = shn_diag_set(diag, SHN_ERR_FORMAT, path, 0, "", "not a shinsa link database");
        goto out;
    }
    if (memcmp(data + len - 8, tail_magic, 8) != 0) {
        rc = corrupt(diag, path, "truncated");
        goto out;
    }
    c.len = len - 12;
    memcpy(&crc, data + len - 12, 4);
    if (crc != shn_crc32(0, data, len - 12)) {
        rc = corrupt(diag, path, "checksum mismatch");
        goto out;
    }
    c.pos = 8;
    if (get32(&c) != LINKDB_VERSION) {
        rc = shn_diag_set(diag, SHN_ERR_FORMAT, path, 0, "", "unsupported link database version");
        goto out;
    }
    get32(&c);
    memset(&opt, 0, sizeof opt);
    for (int k = 0; k < SHN_LINK_KIND_COUNT; k++)
        opt.weight[k] = getf64(&c);
    opt.threshold = getf64(&c);
    opt.soft_share = get32(&c);
    opt.max_share = get32(&c);
    if (c.len - c.pos >= 4) {
        memcpy(opt.region, c.p + c.pos, 2);
        c.pos += 4;
    }
    opt.pdq_distance = (int)get32(&c);
    pool_len = get64(&c);
    n_nodes = get32(&c);
    n_idents = get32(&c);
    n_pairs = get64(&c);
    occ = get64(&c);
    if (c.bad || !(opt.threshold > 0) || pool_len > c.len - c.pos ||
        n_nodes > SHN__LINK_NODES_MAX || n_idents > (c.len - c.pos) / 16 ||
        n_nodes > (c.len - c.pos) / 16 || n_pairs > (c.len - c.pos) / 8) {
        rc = corrupt(diag, path, "bad header");
        goto out;
    }
    for (int k = 0; k < SHN_LINK_KIND_COUNT; k++)
        if (!(opt.weight[k] >= 0 && opt.weight[k] <= 1e6))
            opt.weight[k] = 0;
    rc = shn_link_new(&opt, &l);
    if (rc != SHN_OK) {
        rc = corrupt(diag, path, "bad options");
        goto out;
    }
    /* strings are interned again; pool_len bounds their total */
    rc = shn__link_reserve(l, n_nodes, n_idents, (size_t)pool_len + 1);
    if (rc != SHN_OK)
        goto out;
    const char *pool = (const char *)c.p + c.pos;
    c.pos += pool_len;
    for (uint32_t k = 0; k < n_nodes; k++) {
        uint32_t off = get32(&c), idlen = get32(&c), persona = get32(&c), cluster = get32(&c);
        uint32_t n;
        if (c.bad || off > pool_len || idlen > pool_len - off || cluster >= n_nodes ||
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
        uint32_t off = get32(&c), vlen = get32(&c), kind = get32(&c), count = get32(&c);
        if (c.bad || off > pool_len || vlen > pool_len - off || kind >= SHN_LINK_KIND_COUNT ||
            count > (c.len - c.pos) / 4 || count == 0) {
            rc = corrupt(diag, path, "bad identifier");
            goto out;
        }
        for (uint32_t r = 0; r < count; r++) {
            uint32_t node = get32(&c);
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
    if (c.pos != c.len) {
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
    if ((!data && len) || !out)
        return SHN_ERR_INVALID;
    return load_bytes(data, len, "-", out, diag);
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
