/* The builder's insides, shared by build.c (dictionaries, writer) and
 * import.c (CSV readers). */
#ifndef SHN_TRACE_BUILD_INTERNAL_H
#define SHN_TRACE_BUILD_INTERNAL_H

#include "trace_internal.h"

/* A dictionary slot: the entry's first bytes (all of an EVM address's 21),
 * its length and id + 1 (0: empty). 32 bytes, two to a cache line: a look-up
 * of an address reads its slot and nothing else, where a slot holding only
 * the entry's place cost a second miss in the blob for every row. */
#define SHN__TRACE_SLOT_KEY 26
struct shn__trace_dslot {
    unsigned char key[SHN__TRACE_SLOT_KEY]; /* zero-padded */
    uint8_t len;
    uint8_t pad;
    uint32_t id1;
};

/* Entries (the file's stored forms: an address's binary or text + NUL) to
 * dense ids: entries in one blob (at most 4 GB: u32 offsets), open
 * addressing. */
struct shn__trace_dict {
    unsigned char *blob;
    size_t blob_len, blob_cap;
    uint32_t *off;  /* off[id]..off[id+1] is the entry */
    uint64_t *hash; /* hash of each entry, kept for rehashing */
    uint32_t n;
    size_t cap;
    struct shn__trace_dslot *slots; /* inside slots_mem, 64-byte aligned */
    void *slots_mem;
    uint64_t n_slots;
};

/* Marks a staged amount that lives in the builder's big table. */
#define SHN__TRACE_STAGE_BIG 0x80000000u

/* A staged transfer: the file record plus its sort key within a second. */
struct shn__trace_stage {
    uint32_t time, from, to, asset;
    uint64_t amount;
    uint64_t order;
};

struct shn__trace_blabel {
    uint32_t addr, kind;
    uint64_t name_off, seq;
};

struct shn_trace_builder {
    struct shn__trace_dict addr, asset;
    struct shn__trace_stage *stage;
    size_t n_stage, cap_stage;
    bool unsorted;
    shn_u128 *big;
    size_t n_big, cap_big;
    struct shn__trace_blabel *labels;
    size_t n_labels, cap_labels;
    char *label_blob;
    size_t label_blob_len, label_blob_cap;
    uint64_t seq; /* rows read so far, the order of rows without a block */
    /* the asset of the last row: rows mostly repeat a handful of assets */
    char last_asset[SHN_TRACE_MAX_ADDRESS_LEN + 1];
    size_t last_asset_len; /* 0: none yet */
    uint32_t last_asset_id;
    struct shn_trace_import_stats stats;
};

/* Id of an entry (a stored form, see shn__trace_addr_key), added when new;
 * SHN_ERR_TOO_LARGE past `max` entries or a 4 GB blob. */
int shn__trace_dict_intern(struct shn__trace_dict *d, const void *entry, size_t len, uint32_t max,
                           uint32_t *id);

/* The hash of an entry for shn__trace_dict_intern_hashed; also starts
 * loading its slot, so that the look-ups of a row's two addresses overlap
 * their cache misses. */
uint64_t shn__trace_dict_hash(const struct shn__trace_dict *d, const void *entry, size_t len);

/* shn__trace_dict_intern with the entry's hash already computed. */
int shn__trace_dict_intern_hashed(struct shn__trace_dict *d, const void *entry, size_t len,
                                  uint64_t hash, uint32_t max, uint32_t *id);

struct shn_csv;
/* The transfer readers' record reader: shn_csv_next's records, fields and
 * errors, but common records (one LF-terminated line, no quote, CR or
 * Ctrl-Z) are not copied: their fields point into the input and are not
 * NUL-terminated. */
int shn__trace_next_record(struct shn_csv *r, size_t *count, struct shn_diag *diag);

int shn__trace_builder_add(struct shn_trace_builder *b, int64_t time, uint32_t from, uint32_t to,
                           uint32_t asset, shn_u128 amount, uint64_t order);

#endif
