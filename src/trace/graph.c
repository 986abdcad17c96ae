/* Opening a graph file: version, checksum and every bound checked once, so
 * that readers may then index the mapped arrays without further checks. */
#include <string.h>

#include "core/alloc.h"
#include "core/hash.h"
#include "trace/trace_internal.h"

static int corrupt(struct shn_diag *diag, const char *what)
{
    return shn_diag_set(diag, SHN_ERR_CORRUPT, NULL, 0, "", "graph file: %s", what);
}

/* Section `s` must lie inside the file and hold `count` items of `size`. */
static bool sec_ok(const struct shn__trace_header *h, size_t file_size, int s, uint64_t count,
                   uint64_t size)
{
    uint64_t need, end;

    if (h->sec[s].off % 8 || h->sec[s].off < sizeof *h)
        return false;
    if (__builtin_mul_overflow(count, size, &need) || need != h->sec[s].len)
        return false;
    if (__builtin_add_overflow(h->sec[s].off, h->sec[s].len, &end) || end > file_size)
        return false;
    return true;
}

static bool sec_in(const struct shn__trace_header *h, size_t file_size, int s)
{
    uint64_t end;
    return h->sec[s].off % 8 == 0 && h->sec[s].off >= sizeof *h &&
           !__builtin_add_overflow(h->sec[s].off, h->sec[s].len, &end) && end <= file_size;
}

/* A string table: offsets ascending, each string NUL-terminated, no NUL inside. */
static bool strings_ok(const uint64_t *off, uint64_t n, const char *blob, uint64_t blob_len)
{
    if (off[0] != 0 || off[n] != blob_len)
        return false;
    for (uint64_t i = 0; i < n; i++) {
        if (off[i + 1] <= off[i] || off[i + 1] - off[i] > SHN_TRACE_MAX_ADDRESS_LEN + 1)
            return false;
        if (blob[off[i + 1] - 1] != '\0' || memchr(blob + off[i], 0, off[i + 1] - off[i] - 1))
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

static int validate(struct shn_trace_graph *g, struct shn_diag *diag)
{
    const struct shn__trace_header *h = (const void *)g->base;
    struct shn__trace_header copy;
    uint32_t crc;

    if (g->size < sizeof *h)
        return shn_diag_set(diag, SHN_ERR_FORMAT, NULL, 0, "", "not a shinsa trace graph");
    if (memcmp(h->magic, SHN__TRACE_MAGIC, 8) != 0)
        return shn_diag_set(diag, SHN_ERR_FORMAT, NULL, 0, "", "not a shinsa trace graph");
    if (h->version != SHN__TRACE_VERSION)
        return shn_diag_set(diag, SHN_ERR_FORMAT, NULL, 0, "",
                            "graph file version %u, this build reads %u", h->version,
                            SHN__TRACE_VERSION);
    memcpy(&copy, h, sizeof copy);
    copy.header_crc = 0;
    if (shn_crc32(0, &copy, sizeof copy) != h->header_crc)
        return corrupt(diag, "header checksum mismatch");
    if (h->file_size != g->size)
        return corrupt(diag, "truncated or extended");
    crc = shn_crc32(0, g->base + sizeof *h, g->size - sizeof *h);
    if (crc != h->payload_crc)
        return corrupt(diag, "checksum mismatch");
    g->n_addr = h->n_addr;
    g->n_assets = h->n_assets;
    g->n_labels = h->n_labels;
    g->n_transfers = h->n_transfers;
    g->n_big = h->n_big;
    if (g->n_addr >= SHN_TRACE_MAX_ADDRESSES || g->n_assets >= SHN_TRACE_MAX_ASSETS ||
        g->n_transfers > SHN_TRACE_MAX_TRANSFERS || g->n_big > g->n_transfers ||
        g->n_labels > g->n_addr)
        return corrupt(diag, "counts out of range");
    if (!sec_ok(h, g->size, SHN__SEC_ADDR_OFF, (uint64_t)g->n_addr + 1, 8) ||
        !sec_in(h, g->size, SHN__SEC_ADDR_BLOB) || !sec_in(h, g->size, SHN__SEC_ADDR_HASH) ||
        h->sec[SHN__SEC_ADDR_HASH].len % 4 ||
        !sec_ok(h, g->size, SHN__SEC_ASSET_OFF, (uint64_t)g->n_assets + 1, 8) ||
        !sec_in(h, g->size, SHN__SEC_ASSET_BLOB) || !sec_in(h, g->size, SHN__SEC_ASSET_HASH) ||
        h->sec[SHN__SEC_ASSET_HASH].len % 4 ||
        !sec_ok(h, g->size, SHN__SEC_TRANSFERS, g->n_transfers, sizeof(struct shn__trace_rec)) ||
        !sec_ok(h, g->size, SHN__SEC_BIG, g->n_big, 16) ||
        !sec_ok(h, g->size, SHN__SEC_OUT_START, (uint64_t)g->n_addr + 1, 4) ||
        !sec_ok(h, g->size, SHN__SEC_OUT_LIST, g->n_transfers, 4) ||
        !sec_ok(h, g->size, SHN__SEC_IN_START, (uint64_t)g->n_addr + 1, 4) ||
        !sec_ok(h, g->size, SHN__SEC_IN_LIST, g->n_transfers, 4) ||
        !sec_ok(h, g->size, SHN__SEC_LABELS, g->n_labels, sizeof(struct shn__trace_label)) ||
        !sec_in(h, g->size, SHN__SEC_LABEL_BLOB))
        return corrupt(diag, "section out of bounds");
#define SEC(s) ((const void *)(g->base + h->sec[s].off))
    g->addr_off = SEC(SHN__SEC_ADDR_OFF);
    g->addr_blob = SEC(SHN__SEC_ADDR_BLOB);
    g->addr_hash = SEC(SHN__SEC_ADDR_HASH);
    g->addr_slots = h->sec[SHN__SEC_ADDR_HASH].len / 4;
    g->asset_off = SEC(SHN__SEC_ASSET_OFF);
    g->asset_blob = SEC(SHN__SEC_ASSET_BLOB);
    g->asset_hash = SEC(SHN__SEC_ASSET_HASH);
    g->asset_slots = h->sec[SHN__SEC_ASSET_HASH].len / 4;
    g->rec = SEC(SHN__SEC_TRANSFERS);
    g->big = SEC(SHN__SEC_BIG);
    g->out_start = SEC(SHN__SEC_OUT_START);
    g->out_list = SEC(SHN__SEC_OUT_LIST);
    g->in_start = SEC(SHN__SEC_IN_START);
    g->in_list = SEC(SHN__SEC_IN_LIST);
    g->labels = SEC(SHN__SEC_LABELS);
    g->label_blob = SEC(SHN__SEC_LABEL_BLOB);
    g->label_blob_len = h->sec[SHN__SEC_LABEL_BLOB].len;
#undef SEC
    if (!strings_ok(g->addr_off, g->n_addr, g->addr_blob, h->sec[SHN__SEC_ADDR_BLOB].len) ||
        !strings_ok(g->asset_off, g->n_assets, g->asset_blob, h->sec[SHN__SEC_ASSET_BLOB].len))
        return corrupt(diag, "bad string table");
    if (!hash_ok(g->addr_hash, g->addr_slots, g->n_addr) ||
        !hash_ok(g->asset_hash, g->asset_slots, g->n_assets))
        return corrupt(diag, "bad hash table");
    for (uint64_t i = 0; i < g->n_transfers; i++) {
        const struct shn__trace_rec *r = &g->rec[i];
        uint32_t asset = shn__trace_asset(r), k = (r->word >> SHN__TRACE_EXP_SHIFT) & 31;
        bool escaped = (r->word & SHN__TRACE_BIG_BIT) != 0;
        if (r->from >= g->n_addr || r->to >= g->n_addr || asset >= g->n_assets ||
            (r->word & SHN__TRACE_RESERVED_BITS) || k > SHN__TRACE_EXP_MAX ||
            (escaped && (k || r->mant >= g->n_big)) || (i && r->time < g->rec[i - 1].time))
            return corrupt(diag, "bad transfer record");
    }
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

int shn_trace_graph_open(const char *path, struct shn_trace_graph **out, struct shn_diag *diag)
{
    struct shn_mapped_file m = {0};
    struct shn_trace_graph *g = NULL;
    int rc;

    rc = shn_file_map(path, &m, diag);
    if (rc != SHN_OK)
        goto out;
    rc = shn_trace_graph_open_mem(m.data, m.size, &g, diag);
    if (rc != SHN_OK) {
        if (diag && !diag->file)
            diag->file = path;
        goto out;
    }
    g->map = m;
    m.data = NULL;
    *out = g;
out:
    shn_file_unmap(&m);
    return rc;
}

void shn_trace_graph_close(struct shn_trace_graph *g)
{
    if (!g)
        return;
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

const char *shn_trace_graph_address(const struct shn_trace_graph *g, uint32_t id)
{
    return id < g->n_addr ? g->addr_blob + g->addr_off[id] : "";
}

const char *shn_trace_graph_asset(const struct shn_trace_graph *g, uint32_t id)
{
    return id < g->n_assets ? g->asset_blob + g->asset_off[id] : "";
}

static int find(const uint32_t *slots, uint64_t n_slots, const uint64_t *off, const char *blob,
                const char *key, uint32_t *id)
{
    char norm[SHN_TRACE_MAX_ADDRESS_LEN + 1];
    size_t len = strlen(key);
    uint64_t h;

    if (len == 0 || len > SHN_TRACE_MAX_ADDRESS_LEN)
        return SHN_ERR_NOT_FOUND;
    memcpy(norm, key, len + 1);
    shn__trace_normalize(norm, len);
    h = shn_hash64(norm, len, 0) & (n_slots - 1);
    for (uint64_t probe = 0; probe < n_slots; probe++, h = (h + 1) & (n_slots - 1)) {
        uint32_t v = slots[h];
        if (!v)
            break;
        if (off[v] - off[v - 1] == len + 1 && memcmp(blob + off[v - 1], norm, len) == 0) {
            *id = v - 1;
            return SHN_OK;
        }
    }
    return SHN_ERR_NOT_FOUND;
}

int shn_trace_graph_find(const struct shn_trace_graph *g, const char *address, uint32_t *id)
{
    return find(g->addr_hash, g->addr_slots, g->addr_off, g->addr_blob, address, id);
}

int shn_trace_graph_find_asset(const struct shn_trace_graph *g, const char *asset, uint32_t *id)
{
    return find(g->asset_hash, g->asset_slots, g->asset_off, g->asset_blob, asset, id);
}

void shn_trace_graph_transfer(const struct shn_trace_graph *g, uint64_t i,
                              struct shn_trace_transfer *t)
{
    const struct shn__trace_rec *r = &g->rec[i];
    t->time = r->time;
    t->from = r->from;
    t->to = r->to;
    t->asset = shn__trace_asset(r);
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
