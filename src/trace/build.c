/* The graph builder: address and asset dictionaries, staged transfers and
 * labels, and the writer of the graph file (sort, indexes, checksums). */
#include <stdlib.h>
#include <string.h>

#include "build_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/section.h"

/* ---- dictionaries ------------------------------------------------------- */

static void dict_cleanup(struct shn__trace_dict *d)
{
    shn_free(d->blob);
    shn_free(d->off);
    shn_free(d->slots_mem);
    shn_free(d->hash);
    memset(d, 0, sizeof *d);
}

static void slot_fill(struct shn__trace_dslot *sl, const unsigned char *entry, size_t len,
                      uint32_t id)
{
    memcpy(sl->key, entry, len < SHN__TRACE_SLOT_KEY ? len : SHN__TRACE_SLOT_KEY);
    sl->len = (uint8_t)len;
    sl->id1 = id + 1;
}

static int dict_grow_slots(struct shn__trace_dict *d)
{
    uint64_t n = shn__trace_slots(d->n + 1);
    struct shn__trace_dslot *slots;
    size_t bytes;
    void *mem;

    if (n <= d->n_slots)
        return SHN_OK;
    if (!shn_size_mul(n, sizeof *slots, &bytes) || !shn_size_add(bytes, 64, &bytes))
        return SHN_ERR_TOO_LARGE;
    mem = shn_calloc(1, bytes);
    if (!mem)
        return SHN_ERR_NOMEM;
    /* look-ups land anywhere in the table: on 4 KB pages each is also a TLB
     * miss, which stalls even the prefetch of the slot */
    shn__trace_advise_huge(mem, bytes);
    slots = (void *)((unsigned char *)mem + (64 - (uintptr_t)mem % 64) % 64);
    for (uint32_t id = 0; id < d->n; id++) {
        uint64_t h = d->hash[id] & (n - 1);
        while (slots[h].id1)
            h = (h + 1) & (n - 1);
        slot_fill(&slots[h], d->blob + d->off[id], d->off[id + 1] - d->off[id], id);
    }
    shn_free(d->slots_mem);
    d->slots_mem = mem;
    d->slots = slots;
    d->n_slots = n;
    return SHN_OK;
}

uint64_t shn__trace_dict_hash(const struct shn__trace_dict *d, const void *entry, size_t len)
{
    uint64_t h = shn_hash64(entry, len, 0);

    if (d->n_slots)
        __builtin_prefetch(&d->slots[h & (d->n_slots - 1)]);
    return h;
}

int shn__trace_dict_intern(struct shn__trace_dict *d, const void *entry, size_t len, uint32_t max,
                           uint32_t *id)
{
    return shn__trace_dict_intern_hashed(d, entry, len, shn_hash64(entry, len, 0), max, id);
}

int shn__trace_dict_intern_hashed(struct shn__trace_dict *d, const void *entry, size_t len,
                                  uint64_t h, uint32_t max, uint32_t *id)
{
    uint64_t pos;
    int rc;

    if (len == 0 || len > SHN__TRACE_KEY_MAX)
        return SHN_ERR_INVALID;
    if (d->n_slots) {
        /* the slot holds the entry's first bytes: an EVM address whole */
        size_t head = len < SHN__TRACE_SLOT_KEY ? len : SHN__TRACE_SLOT_KEY;
        for (pos = h & (d->n_slots - 1); d->slots[pos].id1; pos = (pos + 1) & (d->n_slots - 1)) {
            const struct shn__trace_dslot *sl = &d->slots[pos];
            uint32_t i = sl->id1 - 1;
            if (sl->len != len || memcmp(sl->key, entry, head) != 0)
                continue;
            if (len <= SHN__TRACE_SLOT_KEY ||
                memcmp(d->blob + d->off[i] + head, (const unsigned char *)entry + head,
                       len - head) == 0) {
                *id = i;
                return SHN_OK;
            }
        }
    }
    if (d->n >= max)
        return SHN_ERR_TOO_LARGE;
    /* offsets are u32 in the file */
    if (d->blob_len + len > UINT32_MAX)
        return SHN_ERR_TOO_LARGE;
    if (d->n + 1 >= d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        uint32_t *off = shn_realloc(d->off, (cap + 1) * sizeof *off);
        uint64_t *hash;
        if (!off)
            return SHN_ERR_NOMEM;
        d->off = off;
        hash = shn_realloc(d->hash, cap * sizeof *hash);
        if (!hash)
            return SHN_ERR_NOMEM;
        d->hash = hash;
        d->cap = cap;
        if (d->n == 0)
            d->off[0] = 0;
    }
    if (d->blob_len + len > d->blob_cap) {
        size_t cap = d->blob_cap ? d->blob_cap * 2 : 65536;
        unsigned char *blob;
        while (cap < d->blob_len + len)
            cap *= 2;
        blob = shn_realloc(d->blob, cap);
        if (!blob)
            return SHN_ERR_NOMEM;
        d->blob = blob;
        d->blob_cap = cap;
    }
    if (2 * ((uint64_t)d->n + 1) > d->n_slots) {
        rc = dict_grow_slots(d);
        if (rc != SHN_OK)
            return rc;
    }
    memcpy(d->blob + d->blob_len, entry, len);
    d->blob_len += len;
    d->hash[d->n] = h;
    d->off[d->n + 1] = (uint32_t)d->blob_len;
    for (pos = h & (d->n_slots - 1); d->slots[pos].id1; pos = (pos + 1) & (d->n_slots - 1))
        ;
    slot_fill(&d->slots[pos], entry, len, d->n);
    *id = d->n++;
    return SHN_OK;
}

/* ---- builder ------------------------------------------------------------ */

int shn_trace_builder_new(struct shn_trace_builder **out)
{
    struct shn_trace_builder *b = shn_calloc(1, sizeof *b);
    if (!b)
        return SHN_ERR_NOMEM;
    *out = b;
    return SHN_OK;
}

void shn_trace_builder_free(struct shn_trace_builder *b)
{
    if (!b)
        return;
    dict_cleanup(&b->addr);
    dict_cleanup(&b->asset);
    shn_free(b->stage);
    shn_free(b->big);
    shn_free(b->labels);
    shn_free(b->label_blob);
    shn_free(b);
}

void shn_trace_builder_stats(const struct shn_trace_builder *b, struct shn_trace_import_stats *st)
{
    *st = b->stats;
}

int shn__trace_builder_add(struct shn_trace_builder *b, int64_t time, uint32_t from, uint32_t to,
                           uint32_t asset, shn_u128 amount, uint64_t order)
{
    struct shn__trace_stage *s;

    if (b->n_stage >= SHN_TRACE_MAX_TRANSFERS)
        return SHN_ERR_TOO_LARGE;
    if (b->n_stage == b->cap_stage) {
        size_t cap = b->cap_stage ? b->cap_stage * 2 : 4096, bytes;
        void *p;
        if (!shn_size_mul(cap, sizeof *b->stage, &bytes))
            return SHN_ERR_TOO_LARGE;
        p = shn_realloc(b->stage, bytes);
        if (!p)
            return SHN_ERR_NOMEM;
        b->stage = p;
        b->cap_stage = cap;
    }
    s = &b->stage[b->n_stage];
    s->time = (uint32_t)time;
    s->from = from;
    s->to = to;
    s->asset = asset;
    s->order = order;
    if (amount >> 64) {
        if (b->n_big == b->cap_big) {
            size_t cap = b->cap_big ? b->cap_big * 2 : 256;
            shn_u128 *p = shn_realloc(b->big, cap * sizeof *p);
            if (!p)
                return SHN_ERR_NOMEM;
            b->big = p;
            b->cap_big = cap;
        }
        b->big[b->n_big] = amount;
        s->asset |= SHN__TRACE_STAGE_BIG;
        s->amount = b->n_big++;
    } else {
        s->amount = (uint64_t)amount;
    }
    if (b->n_stage && (s[-1].time > s->time || (s[-1].time == s->time && s[-1].order > s->order)))
        b->unsorted = true;
    b->n_stage++;
    b->stats.transfers++;
    return SHN_OK;
}

int shn_trace_builder_add_label(struct shn_trace_builder *b, const char *address, int kind,
                                const char *name)
{
    char norm[SHN_TRACE_MAX_ADDRESS_LEN + 1];
    unsigned char key[SHN__TRACE_KEY_MAX];
    size_t len = strlen(address), nlen = strlen(name), key_len;
    struct shn__trace_blabel *l;
    uint32_t id;
    int rc;

    if (len == 0 || len > SHN_TRACE_MAX_ADDRESS_LEN || kind <= 0 || kind >= SHN_TRACE_KIND__COUNT ||
        nlen > SHN_TRACE_MAX_LABEL_NAME)
        return SHN_ERR_INVALID;
    memcpy(norm, address, len + 1);
    shn__trace_normalize(norm, len);
    key_len = shn__trace_addr_key(norm, len, key);
    rc = shn__trace_dict_intern(&b->addr, key, key_len, SHN_TRACE_MAX_ADDRESSES - 1, &id);
    if (rc != SHN_OK)
        return rc;
    if (b->n_labels >= SHN_TRACE_MAX_ADDRESSES)
        return SHN_ERR_TOO_LARGE;
    if (b->n_labels == b->cap_labels) {
        size_t cap = b->cap_labels ? b->cap_labels * 2 : 256;
        void *p = shn_realloc(b->labels, cap * sizeof *b->labels);
        if (!p)
            return SHN_ERR_NOMEM;
        b->labels = p;
        b->cap_labels = cap;
    }
    if (b->label_blob_len + nlen + 1 > b->label_blob_cap) {
        size_t cap = b->label_blob_cap ? b->label_blob_cap * 2 : 4096;
        char *p;
        while (cap < b->label_blob_len + nlen + 1)
            cap *= 2;
        p = shn_realloc(b->label_blob, cap);
        if (!p)
            return SHN_ERR_NOMEM;
        b->label_blob = p;
        b->label_blob_cap = cap;
    }
    l = &b->labels[b->n_labels++];
    l->addr = id;
    l->kind = (uint32_t)kind;
    l->name_off = b->label_blob_len;
    l->seq = b->n_labels;
    memcpy(b->label_blob + b->label_blob_len, name, nlen + 1);
    b->label_blob_len += nlen + 1;
    b->stats.labels++;
    return SHN_OK;
}

/* ---- writing ------------------------------------------------------------ */

static int cmp_stage(const void *pa, const void *pb)
{
    const struct shn__trace_stage *a = pa, *b = pb;
    if (a->time != b->time)
        return a->time < b->time ? -1 : 1;
    if (a->order != b->order)
        return a->order < b->order ? -1 : 1;
    /* Ties (a transaction and a token transfer at the same position in a
     * block) are broken by content so that the file does not depend on
     * qsort's whims. */
    if (a->asset != b->asset)
        return a->asset < b->asset ? -1 : 1;
    if (a->from != b->from)
        return a->from < b->from ? -1 : 1;
    if (a->to != b->to)
        return a->to < b->to ? -1 : 1;
    return a->amount < b->amount ? -1 : a->amount > b->amount;
}

static int cmp_label(const void *pa, const void *pb)
{
    const struct shn__trace_blabel *a = pa, *b = pb;
    if (a->addr != b->addr)
        return a->addr < b->addr ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Where each section lies in the buffer being built: after the section
 * file's header, in table order, 8-byte aligned (as shn_section_header
 * expects them). */
struct layout {
    uint64_t off[SHN__SEC__COUNT], len[SHN__SEC__COUNT];
};

/* Appends a section: records its offset and length and pads to 8 bytes. */
static int put(struct shn_buf *out, struct layout *h, int sec, const void *data, size_t len)
{
    static const char zero[8] = {0};
    int rc;

    h->off[sec] = out->len;
    h->len[sec] = len;
    rc = len ? shn_buf_append(out, data, len) : SHN_OK;
    if (rc == SHN_OK && out->len % 8)
        rc = shn_buf_append(out, zero, 8 - out->len % 8);
    return rc;
}

/* The file's hash table serves a few look-ups per run (sources, the address
 * asked about), not the import, so it is filled up to 80%: a power of two
 * of at least 1.25 slots per entry. */
static uint32_t *hash_slots(const struct shn__trace_dict *d, uint64_t *n_slots)
{
    uint64_t n = 16;
    uint32_t *slots;

    while (4 * n < 5 * (uint64_t)d->n)
        n <<= 1;
    slots = shn_calloc(n, sizeof *slots);
    if (!slots)
        return NULL;
    for (uint32_t id = 0; id < d->n; id++) {
        uint64_t h = d->hash[id] & (n - 1);
        while (slots[h])
            h = (h + 1) & (n - 1);
        slots[h] = id + 1;
    }
    *n_slots = n;
    return slots;
}

/* CSR index: start[a]..start[a+1] in list are a's transfers (from or to).
 * Starts fit u32: a graph holds at most SHN_TRACE_MAX_TRANSFERS < 2^32. */
static int build_index(const struct shn__trace_stage *st, uint64_t n, uint32_t n_addr, bool out,
                       uint32_t **start_out, uint32_t **list_out)
{
    uint32_t *start = shn_calloc((size_t)n_addr + 1, sizeof *start);
    uint32_t *list = shn_malloc(n ? n * sizeof *list : 1);
    int rc = SHN_ERR_NOMEM;

    if (!start || !list)
        goto out;
    /* both are filled at random (one entry per transfer, by address) */
    shn__trace_advise_huge(start, ((size_t)n_addr + 1) * sizeof *start);
    shn__trace_advise_huge(list, n * sizeof *list);
    for (uint64_t i = 0; i < n; i++)
        start[(out ? st[i].from : st[i].to) + 1]++;
    for (uint32_t a = 0; a < n_addr; a++)
        start[a + 1] += start[a];
    for (uint64_t i = 0; i < n; i++) {
        uint32_t a = out ? st[i].from : st[i].to;
        list[start[a]++] = (uint32_t)i;
    }
    for (uint32_t a = n_addr; a > 0; a--)
        start[a] = start[a - 1];
    start[0] = 0;
    *start_out = start;
    *list_out = list;
    start = NULL;
    list = NULL;
    rc = SHN_OK;
out:
    shn_free(start);
    shn_free(list);
    return rc;
}

/* Appends the transfer records (sorted stage) at out's end as the TRANSFERS
 * section, and makes the time blocks, the side times of blocks whose span
 * the delta bits cannot hold, and the BIG amounts (numbered afresh), each a
 * new array for the caller to free. */
static int write_records(const struct shn_trace_builder *b, struct shn_buf *out, struct layout *h,
                         struct shn__trace_tblock **tblocks_out, uint64_t *n_blocks_out,
                         uint32_t **side_out, uint64_t *n_side_out, uint64_t **big_out,
                         uint64_t *n_big_out)
{
    struct shn__trace_layout lay;
    struct shn__trace_tblock *tb = NULL;
    uint32_t *side = NULL;
    uint64_t *big = NULL, n_big = 0, n_side = 0, n_blocks, max_delta;
    size_t cap_big, bytes;
    int rc = SHN_OK;

    shn__trace_layout_init(&lay, b->asset.n);
    max_delta = UINT32_MAX >> lay.time_shift;
    n_blocks = (b->n_stage + SHN__TRACE_TBLOCK - 1) / SHN__TRACE_TBLOCK;
    tb = shn_malloc(n_blocks ? n_blocks * sizeof *tb : 1);
    if (!tb)
        return SHN_ERR_NOMEM;
    /* time blocks first: a block needs side times when its span is too wide */
    for (uint64_t k = 0; k < n_blocks; k++) {
        uint64_t first = k * SHN__TRACE_TBLOCK, last = first + SHN__TRACE_TBLOCK - 1;
        if (last >= b->n_stage)
            last = b->n_stage - 1;
        tb[k].base = b->stage[first].time;
        tb[k].side =
            b->stage[last].time - tb[k].base > max_delta ? (uint32_t)n_side++ : SHN__TRACE_NO_SIDE;
    }
    /* n_side <= n_blocks < 2^24: sizes below cannot overflow */
    side = shn_calloc(n_side ? n_side * SHN__TRACE_TBLOCK : 1, 4);
    cap_big = b->n_big ? b->n_big : 1;
    big = shn_malloc(cap_big * 16);
    h->off[SHN__SEC_TRANSFERS] = out->len;
    h->len[SHN__SEC_TRANSFERS] = b->n_stage * sizeof(struct shn__trace_rec);
    rc = side && big ? shn_buf_reserve(out, h->len[SHN__SEC_TRANSFERS]) : SHN_ERR_NOMEM;
    for (size_t i = 0; rc == SHN_OK && i < b->n_stage; i++) {
        const struct shn__trace_stage *st = &b->stage[i];
        const struct shn__trace_tblock *blk = &tb[i >> SHN__TRACE_TBLOCK_SHIFT];
        uint32_t asset = st->asset & ~SHN__TRACE_STAGE_BIG, k = 0, m = 0;
        struct shn__trace_rec r = {st->from, st->to, asset, 0};
        shn_u128 amount = st->asset & SHN__TRACE_STAGE_BIG ? b->big[st->amount] : st->amount;

        if (blk->side == SHN__TRACE_NO_SIDE)
            r.word |= (st->time - blk->base) << lay.time_shift;
        else
            side[(uint64_t)blk->side * SHN__TRACE_TBLOCK + (i & (SHN__TRACE_TBLOCK - 1))] =
                st->time;
        if (shn__trace_encode_amount(amount, &k, &m)) {
            r.word |= k << lay.exp_shift;
            r.mant = m;
        } else {
            /* at most one slot per record: n_big < n_stage < 2^32 */
            if (n_big >= cap_big) {
                size_t cap = 2 * cap_big;
                uint64_t *p;
                if (cap > b->n_stage)
                    cap = b->n_stage;
                if (!shn_size_mul(cap, 16, &bytes)) {
                    rc = SHN_ERR_TOO_LARGE;
                    break;
                }
                p = shn_realloc(big, bytes);
                if (!p) {
                    rc = SHN_ERR_NOMEM;
                    break;
                }
                big = p;
                cap_big = cap;
            }
            big[2 * n_big] = (uint64_t)amount;
            big[2 * n_big + 1] = (uint64_t)(amount >> 64);
            r.word |= lay.big_bit;
            r.mant = (uint32_t)n_big++;
        }
        rc = shn_buf_append(out, &r, sizeof r);
    }
    if (rc == SHN_OK && out->len % 8) {
        static const char zero[8] = {0};
        rc = shn_buf_append(out, zero, 8 - out->len % 8);
    }
    if (rc == SHN_OK) {
        *tblocks_out = tb;
        *n_blocks_out = n_blocks;
        *side_out = side;
        *n_side_out = n_side;
        *big_out = big;
        *n_big_out = n_big;
        tb = NULL;
        side = NULL;
        big = NULL;
    }
    shn_free(tb);
    shn_free(side);
    shn_free(big);
    return rc;
}

static int serialize(struct shn_trace_builder *b, struct shn_buf *out, struct shn_diag *diag)
{
    static const char
        header_room[SHN_SECTION_HEADER_BYTES + SHN_SECTION_ENTRY_BYTES * SHN__SEC__COUNT] = {0};
    struct layout h;
    struct shn__trace_meta meta = {0};
    struct shn_section secs[SHN__SEC__COUNT];
    struct shn__trace_label *labels = NULL;
    uint32_t *addr_slots = NULL, *asset_slots = NULL, *out_list = NULL, *in_list = NULL;
    uint32_t *out_start = NULL, *in_start = NULL;
    uint64_t n_as = 0, n_ss = 0, zero_off = 0, *big = NULL, n_big = 0, n_blocks = 0, n_side = 0;
    struct shn__trace_tblock *tblocks = NULL;
    uint32_t *side = NULL;
    uint32_t n_labels = 0;
    size_t i;
    int rc = SHN_ERR_NOMEM;

    memset(&h, 0, sizeof h);
    if (b->unsorted) {
        qsort(b->stage, b->n_stage, sizeof *b->stage, cmp_stage);
        b->unsorted = false;
    }
    if (b->n_labels) {
        qsort(b->labels, b->n_labels, sizeof *b->labels, cmp_label);
        labels = shn_calloc(b->n_labels, sizeof *labels);
        if (!labels)
            goto out;
        for (i = 0; i < b->n_labels; i++) {
            const struct shn__trace_blabel *l = &b->labels[i];
            bool same = n_labels && labels[n_labels - 1].addr == l->addr;
            if (same && l->kind == SHN_TRACE_KIND_SANCTIONED &&
                labels[n_labels - 1].kind != SHN_TRACE_KIND_SANCTIONED)
                continue;
            if (!same)
                n_labels++;
            labels[n_labels - 1].addr = l->addr;
            labels[n_labels - 1].kind = l->kind;
            labels[n_labels - 1].name_off = l->name_off;
        }
    }
    addr_slots = hash_slots(&b->addr, &n_as);
    asset_slots = hash_slots(&b->asset, &n_ss);
    if (!addr_slots || !asset_slots)
        goto out;
    rc = build_index(b->stage, b->n_stage, b->addr.n, true, &out_start, &out_list);
    if (rc == SHN_OK)
        rc = build_index(b->stage, b->n_stage, b->addr.n, false, &in_start, &in_list);
    if (rc != SHN_OK)
        goto out;
    meta.n_addr = b->addr.n;
    meta.n_assets = b->asset.n;
    meta.n_labels = n_labels;
    meta.n_transfers = b->n_stage;
    /* room for the header, written last when the sections' CRCs are known */
    rc = shn_buf_append(out, header_room, sizeof header_room);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_ADDR_OFF, b->addr.n ? (const void *)b->addr.off : &zero_off,
                 ((size_t)b->addr.n + 1) * 4);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_ADDR_BLOB, b->addr.blob, b->addr.blob_len);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_ADDR_HASH, addr_slots, n_as * 4);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_ASSET_OFF, b->asset.n ? (const void *)b->asset.off : &zero_off,
                 ((size_t)b->asset.n + 1) * 4);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_ASSET_BLOB, b->asset.blob, b->asset.blob_len);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_ASSET_HASH, asset_slots, n_ss * 4);
    if (rc == SHN_OK)
        rc = write_records(b, out, &h, &tblocks, &n_blocks, &side, &n_side, &big, &n_big);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_TBLOCKS, tblocks, n_blocks * sizeof *tblocks);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_TIME_SIDE, side, n_side * SHN__TRACE_TBLOCK * 4);
    meta.n_side = n_side;
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_BIG, big, n_big * 16);
    meta.n_big = n_big;
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_OUT_START, out_start, ((size_t)b->addr.n + 1) * 4);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_OUT_LIST, out_list, b->n_stage * 4);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_IN_START, in_start, ((size_t)b->addr.n + 1) * 4);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_IN_LIST, in_list, b->n_stage * 4);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_LABELS, labels, (size_t)n_labels * sizeof *labels);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_LABEL_BLOB, b->label_blob, b->label_blob_len);
    if (rc == SHN_OK)
        rc = put(out, &h, SHN__SEC_META, &meta, sizeof meta);
    if (rc != SHN_OK) {
        rc = shn_diag_set(diag, rc, NULL, 0, "", "graph too large for memory");
        goto out;
    }
    for (int s = 0; s < SHN__SEC__COUNT; s++)
        secs[s] = (struct shn_section){(uint32_t)s, out->data + h.off[s], h.len[s]};
    rc = shn_section_header(&shn__trace_format, secs, SHN__SEC__COUNT, out->data);
out:
    shn_free(big);
    shn_free(tblocks);
    shn_free(side);
    shn_free(labels);
    shn_free(addr_slots);
    shn_free(asset_slots);
    shn_free(out_start);
    shn_free(out_list);
    shn_free(in_start);
    shn_free(in_list);
    return rc;
}

int shn_trace_builder_to_memory(struct shn_trace_builder *b, unsigned char **data, size_t *len,
                                struct shn_diag *diag)
{
    struct shn_buf out;
    int rc;

    shn_buf_init(&out, (size_t)1 << 40);
    rc = serialize(b, &out, diag);
    if (rc == SHN_OK) {
        *data = (unsigned char *)out.data;
        *len = out.len;
        out.data = NULL;
    }
    shn_buf_cleanup(&out);
    return rc;
}

int shn_trace_builder_write(struct shn_trace_builder *b, const char *path, struct shn_diag *diag)
{
    unsigned char *data = NULL;
    size_t len = 0;
    int rc;

    rc = shn_trace_builder_to_memory(b, &data, &len, diag);
    if (rc == SHN_OK)
        rc = shn_file_write_atomic(path, data, len, diag);
    shn_free(data);
    return rc;
}
