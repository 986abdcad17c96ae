/* trace internals shared by the module's files: the graph file layout and
 * the open graph. Nothing here is part of the public API. */
#ifndef SHN_TRACE_INTERNAL_H
#define SHN_TRACE_INTERNAL_H

#include <stdint.h>

#include "shinsa/core/file.h"
#include "shinsa/trace.h"

/* Graph file, version 4: a section file (include/shinsa/core/section.h:
 * magic, version, a table of sections with a CRC-32 each, all checked at
 * open) holding the sections of the enum below, 8-byte aligned; META has
 * the counts. Integers little-endian as the host writes them (the builder
 * and readers are little-endian only). Version 3 had its own header with
 * two CRCs; it is refused by its version.
 *
 * A transfer is 16 bytes: from, to, a word and a 32-bit mantissa m. With A
 * the bits needed for an asset id (0..20, from the asset count), the word
 * holds the asset id in bits 0..A-1, a decimal exponent k (<= 19) in the
 * next 5 bits, the escape bit above them, and in the 26 - A bits left the
 * time as a delta from the base time of its block of 256 transfers. The
 * amount is exactly m * 10^k; an amount with no such form (more than 9-10
 * significant digits) sets the escape bit instead, with k = 0, and m
 * indexes the BIG section of 128-bit amounts. Base-unit amounts are mostly
 * round (1.5 ETH is 15 * 10^17 wei), so few need the escape. A block whose
 * times span more than the delta bits hold takes its times from the
 * TIME_SIDE section instead (its deltas are then zero).
 *
 * Addresses are stored as entries of a string table: an EVM address (0x and
 * 40 hex digits) as a tag byte 0x01 and its 20 bytes, anything else as its
 * text and a NUL (texts never hold bytes below 0x21). Offsets are u32.
 * Per-address indexes list transfer numbers (u32) in time order, 8 bytes per
 * transfer for both directions, with u32 start offsets. */
#define SHN__TRACE_MAGIC "SHNTRACE"
#define SHN__TRACE_VERSION 4u
#define SHN__TRACE_EXP_MAX 19u
#define SHN__TRACE_TBLOCK_SHIFT 8 /* 256 transfers per time block */
#define SHN__TRACE_TBLOCK (1u << SHN__TRACE_TBLOCK_SHIFT)
#define SHN__TRACE_NO_SIDE UINT32_MAX
#define SHN__TRACE_BIN_TAG 0x01
#define SHN__TRACE_BIN_LEN 21                              /* tag + 20 bytes */
#define SHN__TRACE_KEY_MAX (SHN_TRACE_MAX_ADDRESS_LEN + 1) /* text + NUL */

enum {
    SHN__SEC_ADDR_OFF = 0, /* u32[n_addr + 1] offsets into ADDR_BLOB */
    SHN__SEC_ADDR_BLOB,    /* entries: 0x01 + 20 bytes, or text + NUL */
    SHN__SEC_ADDR_HASH,    /* u32[power of two] open addressing, id + 1 */
    SHN__SEC_ASSET_OFF,    /* u32[n_assets + 1] */
    SHN__SEC_ASSET_BLOB,   /* text + NUL */
    SHN__SEC_ASSET_HASH,
    SHN__SEC_TRANSFERS, /* struct shn__trace_rec[n_transfers] */
    SHN__SEC_TBLOCKS,   /* struct shn__trace_tblock[ceil(n_transfers / 256)] */
    SHN__SEC_TIME_SIDE, /* u32[256 * n_side]: times of the blocks that need them */
    SHN__SEC_BIG,       /* u64 pairs (low, high) */
    SHN__SEC_OUT_START, /* u32[n_addr + 1] */
    SHN__SEC_OUT_LIST,  /* u32[n_transfers] */
    SHN__SEC_IN_START,
    SHN__SEC_IN_LIST,
    SHN__SEC_LABELS,     /* struct shn__trace_label[n_labels], by address */
    SHN__SEC_LABEL_BLOB, /* NUL-terminated names */
    SHN__SEC_META,       /* struct shn__trace_meta */
    SHN__SEC__COUNT
};

struct shn__trace_meta {
    uint32_t n_addr;
    uint32_t n_assets;
    uint32_t n_labels;
    uint32_t reserved32;
    uint64_t n_transfers;
    uint64_t n_big;
    uint64_t n_side; /* blocks with their times in TIME_SIDE */
    uint64_t reserved;
};

struct shn_section_format;
extern const struct shn_section_format shn__trace_format;

struct shn__trace_rec {
    uint32_t from, to;
    uint32_t word; /* asset id, exponent, escape bit, time delta (see above) */
    uint32_t mant;
};

struct shn__trace_tblock {
    uint32_t base; /* time of the block's first transfer */
    uint32_t side; /* SHN__TRACE_NO_SIDE, or its block number in TIME_SIDE */
};

struct shn__trace_label {
    uint32_t addr;
    uint32_t kind;
    uint64_t name_off;
};

/* The layout of a record's word for a graph of n_assets assets. */
struct shn__trace_layout {
    uint32_t asset_mask; /* bits 0..A-1 */
    uint32_t exp_shift;  /* A */
    uint32_t big_bit;    /* 1 << (A + 5) */
    uint32_t time_shift; /* A + 6 */
};

void shn__trace_layout_init(struct shn__trace_layout *l, uint32_t n_assets);

struct shn_trace_graph {
    void *mem;                  /* the loaded file (SHN_TRACE_OPEN_LOAD), NULL otherwise */
    struct shn_mapped_file map; /* the mapped file (the default open) */
    const unsigned char *base;
    size_t size;
    uint32_t n_addr, n_assets, n_labels;
    uint64_t n_transfers, n_big, n_side;
    struct shn__trace_layout lay;
    const uint32_t *addr_off;
    const unsigned char *addr_blob;
    const uint32_t *addr_hash;
    uint64_t addr_slots;
    const uint32_t *asset_off;
    const char *asset_blob;
    const uint32_t *asset_hash;
    uint64_t asset_slots;
    const struct shn__trace_rec *rec;
    const struct shn__trace_tblock *tblock;
    const uint32_t *time_side;
    const uint64_t *big;
    const uint32_t *out_start, *in_start;
    const uint32_t *out_list, *in_list;
    const struct shn__trace_label *labels;
    const char *label_blob;
    uint64_t label_blob_len;
};

/* 10^0 .. 10^19 */
extern const uint64_t shn__trace_pow10[SHN__TRACE_EXP_MAX + 1];

static inline uint32_t shn__trace_asset(const struct shn_trace_graph *g,
                                        const struct shn__trace_rec *r)
{
    return r->word & g->lay.asset_mask;
}

/* Time of transfer i (Unix seconds). */
static inline uint32_t shn__trace_time(const struct shn_trace_graph *g, uint64_t i)
{
    const struct shn__trace_tblock *b = &g->tblock[i >> SHN__TRACE_TBLOCK_SHIFT];

    if (b->side != SHN__TRACE_NO_SIDE)
        return g->time_side[(uint64_t)b->side * SHN__TRACE_TBLOCK + (i & (SHN__TRACE_TBLOCK - 1))];
    return b->base + (g->rec[i].word >> g->lay.time_shift);
}

static inline shn_u128 shn__trace_amount(const struct shn_trace_graph *g,
                                         const struct shn__trace_rec *r)
{
    if (r->word & g->lay.big_bit)
        return ((shn_u128)g->big[2 * (uint64_t)r->mant + 1] << 64) | g->big[2 * (uint64_t)r->mant];
    return (shn_u128)r->mant * shn__trace_pow10[(r->word >> g->lay.exp_shift) & 31];
}

/* Encodes `amount` as m * 10^k (k <= 19, m < 2^32); false when it has no
 * such form. */
bool shn__trace_encode_amount(shn_u128 amount, uint32_t *k, uint32_t *m);

/* The stored form of an address (normalized text of `len` bytes, no NUL
 * needed): the EVM binary entry or the text and its NUL, into key (at least
 * SHN__TRACE_KEY_MAX bytes). Returns the entry's length. */
size_t shn__trace_addr_key(const char *text, size_t len, unsigned char *key);

/* The text of a stored address entry: in place for a text entry, else
 * formatted into buf (at least SHN_TRACE_ADDRESS_BUF bytes). */
const char *shn__trace_addr_text(const unsigned char *entry, char *buf);

/* Lower-cases 0x-prefixed hex (EVM addresses and token contracts) in place. */
void shn__trace_normalize(char *s, size_t len);

/* An amount as a JSON string of its exact decimal digits ("12345"). */
int shn__trace_json_amount(struct shn_buf *b, shn_u128 v);

/* True when a tainted entry at `address` is reported as an exit (a label of
 * kind exchange, bridge, mixer, dex or defi, or a labelled stop). */
bool shn__trace_is_exit(const struct shn_trace_graph *g, uint32_t address,
                        const struct shn_trace_entry *e);

/* Asks the kernel to back the whole 2 MB pages inside [p, p + len) with huge
 * pages (a hint, ignored where unsupported). The taint pass reads graph
 * records and its state at random: with 4 KB pages nearly every such read
 * is also a TLB miss, which cost about a fifth of the pass at 20M. */
void shn__trace_advise_huge(void *p, size_t len);

/* The slot count of an open-addressing table for n keys (power of two). */
uint64_t shn__trace_slots(uint64_t n);

#endif
