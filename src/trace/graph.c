/* Opening a graph file: the section file's magic, version, checksums and
 * bounds (core), then every count and index here, checked once, so that
 * readers may then index its arrays without further checks. */
#include <string.h>
#include <sys/mman.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/section.h"
#include "trace_internal.h"

static int corrupt(struct shn_diag *diag, const char *what)
{
    return shn_diag_set(diag, SHN_ERR_CORRUPT, NULL, 0, "", "trace graph is corrupt: %s", what);
}

const struct shn_section_format shn__trace_format = {SHN__TRACE_MAGIC, SHN__TRACE_VERSION,
                                                     "trace graph", "shinsa trace import"};

/* The sections of a checked file, by id. */
struct secs {
    const unsigned char *p[SHN__SEC__COUNT];
    uint64_t len[SHN__SEC__COUNT];
};

/* Section `s` must hold `count` items of `size`. */
static bool sec_ok(const struct secs *x, int s, uint64_t count, uint64_t size)
{
    uint64_t need;

    return !__builtin_mul_overflow(count, size, &need) && need == x->len[s];
}

/* An asset table: offsets ascending, each entry a text and its NUL. */
static bool strings_ok(const uint32_t *off, uint64_t n, const char *blob, uint64_t blob_len)
{
    if (off[0] != 0 || off[n] != blob_len)
        return false;
    for (uint64_t i = 0; i < n; i++) {
        if (off[i + 1] <= off[i] || off[i + 1] - off[i] > SHN__TRACE_KEY_MAX)
            return false;
        if (blob[off[i + 1] - 1] != '\0' || memchr(blob + off[i], 0, off[i + 1] - off[i] - 1))
            return false;
    }
    return true;
}

/* The address table: each entry the EVM binary form (tag and 20 bytes) or a
 * text of bytes 0x21 and up and its NUL, so that both forms read back. */
static bool addresses_ok(const uint32_t *off, uint64_t n, const unsigned char *blob,
                         uint64_t blob_len)
{
    if (off[0] != 0 || off[n] != blob_len)
        return false;
    for (uint64_t i = 0; i < n; i++) {
        const unsigned char *e = blob + off[i];
        uint64_t len;
        if (off[i + 1] <= off[i])
            return false;
        len = off[i + 1] - off[i];
        if (e[0] == SHN__TRACE_BIN_TAG) {
            if (len != SHN__TRACE_BIN_LEN)
                return false;
            continue;
        }
        if (len < 2 || len > SHN__TRACE_KEY_MAX || e[len - 1] != '\0')
            return false;
        for (uint64_t j = 0; j + 1 < len; j++)
            if (e[j] < 0x21)
                return false;
    }
    return true;
}

static bool hash_ok(const uint32_t *slots, uint64_t n_slots, uint64_t n)
{
    uint64_t used = 0;
    if (n_slots < 16 || (n_slots & (n_slots - 1)) || n_slots < n)
        return false;
    for (uint64_t i = 0; i < n_slots; i++) {
        if (slots[i] > n)
            return false;
        used += slots[i] != 0;
    }
    return used == n && (n == 0 || used < n_slots);
}

static bool index_ok(const struct shn_trace_graph *g, const uint32_t *start, const uint32_t *list,
                     bool out)
{
    if (start[0] != 0 || start[g->n_addr] != g->n_transfers)
        return false;
    for (uint32_t a = 0; a < g->n_addr; a++) {
        if (start[a + 1] < start[a])
            return false;
        for (uint64_t j = start[a]; j < start[a + 1]; j++) {
            uint32_t t = list[j];
            if (t >= g->n_transfers || (j > start[a] && t <= list[j - 1]))
                return false;
            if ((out ? g->rec[t].from : g->rec[t].to) != a)
                return false;
        }
    }
    return true;
}

/* Records: ids in range, exponent and escape well formed, delta bits zero
 * in blocks with side times, times in order and below 2^32. */
static bool records_ok(const struct shn_trace_graph *g)
{
    const struct shn__trace_layout *l = &g->lay;
    uint32_t exp_mask = 31u << l->exp_shift;
    uint64_t prev = 0;

    for (uint64_t k = 0; k * SHN__TRACE_TBLOCK < g->n_transfers; k++)
        if (g->tblock[k].side != SHN__TRACE_NO_SIDE && g->tblock[k].side >= g->n_side)
            return false;
    for (uint64_t i = 0; i < g->n_transfers; i++) {
        const struct shn__trace_rec *r = &g->rec[i];
        const struct shn__trace_tblock *b = &g->tblock[i >> SHN__TRACE_TBLOCK_SHIFT];
        uint32_t asset = r->word & l->asset_mask, k = (r->word & exp_mask) >> l->exp_shift;
        bool escaped = (r->word & l->big_bit) != 0;
        uint64_t t;
        if (r->from >= g->n_addr || r->to >= g->n_addr || asset >= g->n_assets ||
            k > SHN__TRACE_EXP_MAX || (escaped && (k || r->mant >= g->n_big)))
            return false;
        if (b->side != SHN__TRACE_NO_SIDE) {
            if (r->word >> l->time_shift)
                return false;
            t = g->time_side[(uint64_t)b->side * SHN__TRACE_TBLOCK + (i & (SHN__TRACE_TBLOCK - 1))];
        } else {
            t = (uint64_t)b->base + (r->word >> l->time_shift);
        }
        if (t > UINT32_MAX || t < prev)
            return false;
        prev = t;
    }
    return true;
}

static int validate(struct shn_trace_graph *g, struct shn_diag *diag)
{
    struct shn_section_file f;
    struct secs x;
    struct shn__trace_meta meta;
    uint64_t n_blocks;
    int rc = shn_section_open(&f, g->base, g->size, &shn__trace_format, NULL, diag);

    if (rc != SHN_OK)
        return rc;
    for (int s = 0; s < SHN__SEC__COUNT; s++) {
        const void *p;
        if (!shn_section_get(&f, (uint32_t)s, &p, &x.len[s]))
            return corrupt(diag, "a section is missing");
        x.p[s] = p;
    }
    if (x.len[SHN__SEC_META] != sizeof meta)
        return corrupt(diag, "bad counts");
    memcpy(&meta, x.p[SHN__SEC_META], sizeof meta);
    g->n_addr = meta.n_addr;
    g->n_assets = meta.n_assets;
    g->n_labels = meta.n_labels;
    g->n_transfers = meta.n_transfers;
    g->n_big = meta.n_big;
    g->n_side = meta.n_side;
    n_blocks = (g->n_transfers + SHN__TRACE_TBLOCK - 1) / SHN__TRACE_TBLOCK;
    if (g->n_addr >= SHN_TRACE_MAX_ADDRESSES || g->n_assets >= SHN_TRACE_MAX_ASSETS ||
        g->n_transfers > SHN_TRACE_MAX_TRANSFERS || g->n_big > g->n_transfers ||
        g->n_labels > g->n_addr || g->n_side > n_blocks || meta.reserved || meta.reserved32)
        return corrupt(diag, "counts out of range");
    shn__trace_layout_init(&g->lay, g->n_assets);
    if (!sec_ok(&x, SHN__SEC_ADDR_OFF, (uint64_t)g->n_addr + 1, 4) ||
        x.len[SHN__SEC_ADDR_HASH] % 4 ||
        !sec_ok(&x, SHN__SEC_ASSET_OFF, (uint64_t)g->n_assets + 1, 4) ||
        x.len[SHN__SEC_ASSET_HASH] % 4 ||
        !sec_ok(&x, SHN__SEC_TRANSFERS, g->n_transfers, sizeof(struct shn__trace_rec)) ||
        !sec_ok(&x, SHN__SEC_TBLOCKS, n_blocks, sizeof(struct shn__trace_tblock)) ||
        !sec_ok(&x, SHN__SEC_TIME_SIDE, g->n_side, 4 * SHN__TRACE_TBLOCK) ||
        !sec_ok(&x, SHN__SEC_BIG, g->n_big, 16) ||
        !sec_ok(&x, SHN__SEC_OUT_START, (uint64_t)g->n_addr + 1, 4) ||
        !sec_ok(&x, SHN__SEC_OUT_LIST, g->n_transfers, 4) ||
        !sec_ok(&x, SHN__SEC_IN_START, (uint64_t)g->n_addr + 1, 4) ||
        !sec_ok(&x, SHN__SEC_IN_LIST, g->n_transfers, 4) ||
        !sec_ok(&x, SHN__SEC_LABELS, g->n_labels, sizeof(struct shn__trace_label)))
        return corrupt(diag, "section out of bounds");
#define SEC(s) ((const void *)x.p[s])
    g->addr_off = SEC(SHN__SEC_ADDR_OFF);
    g->addr_blob = SEC(SHN__SEC_ADDR_BLOB);
    g->addr_hash = SEC(SHN__SEC_ADDR_HASH);
    g->addr_slots = x.len[SHN__SEC_ADDR_HASH] / 4;
    g->asset_off = SEC(SHN__SEC_ASSET_OFF);
    g->asset_blob = SEC(SHN__SEC_ASSET_BLOB);
    g->asset_hash = SEC(SHN__SEC_ASSET_HASH);
    g->asset_slots = x.len[SHN__SEC_ASSET_HASH] / 4;
    g->rec = SEC(SHN__SEC_TRANSFERS);
    g->tblock = SEC(SHN__SEC_TBLOCKS);
    g->time_side = SEC(SHN__SEC_TIME_SIDE);
    g->big = SEC(SHN__SEC_BIG);
    g->out_start = SEC(SHN__SEC_OUT_START);
    g->out_list = SEC(SHN__SEC_OUT_LIST);
    g->in_start = SEC(SHN__SEC_IN_START);
    g->in_list = SEC(SHN__SEC_IN_LIST);
    g->labels = SEC(SHN__SEC_LABELS);
    g->label_blob = SEC(SHN__SEC_LABEL_BLOB);
    g->label_blob_len = x.len[SHN__SEC_LABEL_BLOB];
#undef SEC
    if (!addresses_ok(g->addr_off, g->n_addr, g->addr_blob, x.len[SHN__SEC_ADDR_BLOB]) ||
        !strings_ok(g->asset_off, g->n_assets, g->asset_blob, x.len[SHN__SEC_ASSET_BLOB]))
        return corrupt(diag, "bad string table");
    if (!hash_ok(g->addr_hash, g->addr_slots, g->n_addr) ||
        !hash_ok(g->asset_hash, g->asset_slots, g->n_assets))
        return corrupt(diag, "bad hash table");
    if (!records_ok(g))
        return corrupt(diag, "bad transfer record");
    if (!index_ok(g, g->out_start, g->out_list, true) ||
        !index_ok(g, g->in_start, g->in_list, false))
        return corrupt(diag, "bad address index");
    if (g->label_blob_len && g->label_blob[g->label_blob_len - 1] != '\0')
        return corrupt(diag, "bad label names");
    for (uint32_t i = 0; i < g->n_labels; i++) {
        const struct shn__trace_label *l = &g->labels[i];
        if (l->addr >= g->n_addr || (i && l->addr <= g->labels[i - 1].addr) || l->kind == 0 ||
            l->kind >= SHN_TRACE_KIND__COUNT || l->name_off >= g->label_blob_len)
            return corrupt(diag, "bad label");
    }
    return SHN_OK;
}

int shn_trace_graph_open_mem(const unsigned char *data, size_t len, struct shn_trace_graph **out,
                             struct shn_diag *diag)
{
    struct shn_trace_graph *g = NULL;
    int rc;

    if (!data || !out)
        return SHN_ERR_INVALID;
    if ((uintptr_t)data % 8)
        return shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, "", "graph buffer not aligned");
    g = shn_calloc(1, sizeof *g);
    if (!g)
        return SHN_ERR_NOMEM;
    g->base = data;
    g->size = len;
    rc = validate(g, diag);
    if (rc != SHN_OK) {
        shn_free(g);
        return rc;
    }
    *out = g;
    return SHN_OK;
}

/* LOAD copies the file into memory rather than using its mapping: the taint
 * pass reads the records of each newly tainted address at random, and
 * anonymous memory can be backed by 2 MB pages where a file mapping gets 4 KB
 * ones (about a TLB miss per read). The memory used is the same (the mapping's
 * pages counted too, once read for the checksum); the copy goes in chunks,
 * each dropped from the mapping once copied, so the peak does not double. */
#define COPY_CHUNK ((size_t)64 << 20)

static int open_mapped(const char *path, struct shn_trace_graph **out, struct shn_diag *diag)
{
    struct shn_mapped_file m = {0};
    struct shn_trace_graph *g = NULL;
    int rc = shn_file_map(path, &m, diag);
    if (rc == SHN_OK)
        rc = shn_trace_graph_open_mem(m.data, m.size, &g, diag);
    if (rc != SHN_OK) {
        if (diag && !diag->file)
            diag->file = path;
        shn_file_unmap(&m);
        return rc;
    }
    g->map = m;
    *out = g;
    return SHN_OK;
}

int shn_trace_graph_open(const char *path, struct shn_trace_graph **out, struct shn_diag *diag)
{
    return shn_trace_graph_open_ex(path, SHN_TRACE_OPEN_MAP, out, diag);
}

int shn_trace_graph_open_ex(const char *path, unsigned flags, struct shn_trace_graph **out,
                            struct shn_diag *diag)
{
    const size_t huge = (size_t)2 << 20;
    struct shn_mapped_file m = {0};
    struct shn_trace_graph *g = NULL;
    unsigned char *mem = NULL, *data;
    size_t bytes;
    int rc;

    if (!(flags & SHN_TRACE_OPEN_LOAD))
        return open_mapped(path, out, diag);
    rc = shn_file_map(path, &m, diag);
    if (rc != SHN_OK)
        goto out;
    if (!shn_size_add(m.size, huge, &bytes)) {
        rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, path, 0, "", "graph file too large");
        goto out;
    }
    mem = shn_malloc(bytes);
    if (!mem) {
        rc = shn_diag_set(diag, SHN_ERR_NOMEM, path, 0, "", "no memory for the graph");
        goto out;
    }
    data = mem + (huge - (uintptr_t)mem % huge) % huge;
    shn__trace_advise_huge(data, m.size);
    for (size_t off = 0; off < m.size; off += COPY_CHUNK) {
        size_t n = m.size - off < COPY_CHUNK ? m.size - off : COPY_CHUNK;
        memcpy(data + off, m.data + off, n);
#ifdef MADV_DONTNEED
        (void)madvise((void *)(uintptr_t)(m.data + off), n, MADV_DONTNEED);
#endif
    }
    rc = shn_trace_graph_open_mem(data, m.size, &g, diag);
    if (rc != SHN_OK) {
        if (diag && !diag->file)
            diag->file = path;
        goto out;
    }
    g->mem = mem;
    mem = NULL;
    *out = g;
out:
    shn_free(mem);
    shn_file_unmap(&m);
    return rc;
}

void shn_trace_graph_close(struct shn_trace_graph *g)
{
    if (!g)
        return;
    shn_free(g->mem);
    shn_file_unmap(&g->map);
    shn_free(g);
}

uint32_t shn_trace_graph_addresses(const struct shn_trace_graph *g)
{
    return g->n_addr;
}
uint64_t shn_trace_graph_transfers(const struct shn_trace_graph *g)
{
    return g->n_transfers;
}
uint32_t shn_trace_graph_assets(const struct shn_trace_graph *g)
{
    return g->n_assets;
}
size_t shn_trace_graph_bytes(const struct shn_trace_graph *g)
{
    return g->size;
}

const char *shn_trace_graph_address(const struct shn_trace_graph *g, uint32_t id, char *buf)
{
    return id < g->n_addr ? shn__trace_addr_text(g->addr_blob + g->addr_off[id], buf) : "";
}

const char *shn_trace_graph_asset(const struct shn_trace_graph *g, uint32_t id)
{
    return id < g->n_assets ? g->asset_blob + g->asset_off[id] : "";
}

/* Looks up a stored entry (key, len) in a table of entries. */
static int find(const uint32_t *slots, uint64_t n_slots, const uint32_t *off,
                const unsigned char *blob, const unsigned char *key, size_t len, uint32_t *id)
{
    uint64_t h = shn_hash64(key, len, 0) & (n_slots - 1);

    for (uint64_t probe = 0; probe < n_slots; probe++, h = (h + 1) & (n_slots - 1)) {
        uint32_t v = slots[h];
        if (!v)
            break;
        if (off[v] - off[v - 1] == len && memcmp(blob + off[v - 1], key, len) == 0) {
            *id = v - 1;
            return SHN_OK;
        }
    }
    return SHN_ERR_NOT_FOUND;
}

int shn_trace_graph_find(const struct shn_trace_graph *g, const char *address, uint32_t *id)
{
    char norm[SHN_TRACE_MAX_ADDRESS_LEN + 1];
    unsigned char key[SHN__TRACE_KEY_MAX];
    size_t len = strlen(address);

    if (len == 0 || len > SHN_TRACE_MAX_ADDRESS_LEN)
        return SHN_ERR_NOT_FOUND;
    memcpy(norm, address, len + 1);
    shn__trace_normalize(norm, len);
    return find(g->addr_hash, g->addr_slots, g->addr_off, g->addr_blob, key,
                shn__trace_addr_key(norm, len, key), id);
}

int shn_trace_graph_find_asset(const struct shn_trace_graph *g, const char *asset, uint32_t *id)
{
    unsigned char key[SHN__TRACE_KEY_MAX];
    size_t len = strlen(asset);

    if (len == 0 || len > SHN_TRACE_MAX_ADDRESS_LEN)
        return SHN_ERR_NOT_FOUND;
    memcpy(key, asset, len + 1);
    shn__trace_normalize((char *)key, len);
    return find(g->asset_hash, g->asset_slots, g->asset_off, (const unsigned char *)g->asset_blob,
                key, len + 1, id);
}

void shn_trace_graph_transfer(const struct shn_trace_graph *g, uint64_t i,
                              struct shn_trace_transfer *t)
{
    const struct shn__trace_rec *r = &g->rec[i];
    t->time = shn__trace_time(g, i);
    t->from = r->from;
    t->to = r->to;
    t->asset = shn__trace_asset(g, r);
    t->amount = shn__trace_amount(g, r);
}

int shn_trace_graph_label(const struct shn_trace_graph *g, uint32_t id, const char **name)
{
    uint32_t lo = 0, hi = g->n_labels;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->labels[mid].addr < id) {
            lo = mid + 1;
        } else if (g->labels[mid].addr > id) {
            hi = mid;
        } else {
            if (name)
                *name = g->label_blob + g->labels[mid].name_off;
            return (int)g->labels[mid].kind;
        }
    }
    if (name)
        *name = "";
    return SHN_TRACE_KIND_NONE;
}

const uint32_t *shn_trace_graph_out(const struct shn_trace_graph *g, uint32_t id, uint64_t *n)
{
    *n = id < g->n_addr ? g->out_start[id + 1] - g->out_start[id] : 0;
    return id < g->n_addr ? g->out_list + g->out_start[id] : NULL;
}

const uint32_t *shn_trace_graph_in(const struct shn_trace_graph *g, uint32_t id, uint64_t *n)
{
    *n = id < g->n_addr ? g->in_start[id + 1] - g->in_start[id] : 0;
    return id < g->n_addr ? g->in_list + g->in_start[id] : NULL;
}
