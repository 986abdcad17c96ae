/* trace internals shared by the module's files: the graph file layout and
 * the open graph. Nothing here is part of the public API. */
#ifndef SHN_TRACE_INTERNAL_H
#define SHN_TRACE_INTERNAL_H

#include <stdint.h>

#include "core/file.h"
#include "trace/trace.h"

/* Graph file, version 2. All integers little-endian as the host writes them
 * (the file is checked for the host's byte order through the magic word),
 * sections 8-byte aligned, described by (offset, length) pairs:
 *
 *   header   struct shn__trace_header (with CRC-32 of itself)
 *   sections see enum below; the payload after the header has a CRC-32
 *
 * A transfer is 20 bytes: time, from, to, a word packing the asset id
 * (bits 0-19) and a decimal exponent k (bits 20-24, k <= 19), and a 32-bit
 * mantissa m: the amount is exactly m * 10^k. Amounts that have no such form
 * (more than 9-10 significant digits) set bit 31 of the word instead, with
 * k = 0, and m indexes the BIG section of 128-bit amounts. Base-unit amounts
 * are mostly round (1.5 ETH is 15 * 10^17 wei), so few need the escape.
 * Per-address indexes list transfer numbers (u32) in time order, 8 bytes per
 * transfer for both directions, with u32 start offsets. */
#define SHN__TRACE_MAGIC "SHNTRACE"
#define SHN__TRACE_VERSION 2u
#define SHN__TRACE_BIG_BIT 0x80000000u
#define SHN__TRACE_ASSET_MASK 0x000FFFFFu
#define SHN__TRACE_EXP_SHIFT 20
#define SHN__TRACE_EXP_MAX 19u
#define SHN__TRACE_RESERVED_BITS 0x7E000000u /* must be zero */

enum {
    SHN__SEC_ADDR_OFF = 0, /* u64[n_addr + 1] offsets into ADDR_BLOB */
    SHN__SEC_ADDR_BLOB,    /* NUL-terminated address texts */
    SHN__SEC_ADDR_HASH,    /* u32[power of two] open addressing, id + 1 */
    SHN__SEC_ASSET_OFF,    /* u64[n_assets + 1] */
    SHN__SEC_ASSET_BLOB,
    SHN__SEC_ASSET_HASH,
    SHN__SEC_TRANSFERS, /* struct shn__trace_rec[n_transfers] */
    SHN__SEC_BIG,       /* u64 pairs (low, high) */
    SHN__SEC_OUT_START, /* u32[n_addr + 1] */
    SHN__SEC_OUT_LIST,  /* u32[n_transfers] */
    SHN__SEC_IN_START,
    SHN__SEC_IN_LIST,
    SHN__SEC_LABELS,     /* struct shn__trace_label[n_labels], by address */
    SHN__SEC_LABEL_BLOB, /* NUL-terminated names */
    SHN__SEC__COUNT
};

struct shn__trace_header {
    char magic[8];
    uint32_t version;
    uint32_t header_crc; /* CRC-32 of the header with this field zero */
    uint64_t file_size;
    uint32_t payload_crc;
    uint32_t n_addr;
    uint32_t n_assets;
    uint32_t n_labels;
    uint64_t n_transfers;
    uint64_t n_big;
    uint64_t reserved[2];
    struct {
        uint64_t off, len;
    } sec[SHN__SEC__COUNT];
};

struct shn__trace_rec {
    uint32_t time, from, to;
    uint32_t word; /* asset id, exponent, escape bit (see above) */
    uint32_t mant;
};

struct shn__trace_label {
    uint32_t addr;
    uint32_t kind;
    uint64_t name_off;
};

struct shn_trace_graph {
    struct shn_mapped_file map; /* zeroed when opened from memory */
    const unsigned char *base;
    size_t size;
    uint32_t n_addr, n_assets, n_labels;
    uint64_t n_transfers, n_big;
    const uint64_t *addr_off;
    const char *addr_blob;
    const uint32_t *addr_hash;
    uint64_t addr_slots;
    const uint64_t *asset_off;
    const char *asset_blob;
    const uint32_t *asset_hash;
    uint64_t asset_slots;
    const struct shn__trace_rec *rec;
    const uint64_t *big;
    const uint32_t *out_start, *in_start;
    const uint32_t *out_list, *in_list;
    const struct shn__trace_label *labels;
    const char *label_blob;
    uint64_t label_blob_len;
};

/* 10^0 .. 10^19 */
extern const uint64_t shn__trace_pow10[SHN__TRACE_EXP_MAX + 1];

static inline uint32_t shn__trace_asset(const struct shn__trace_rec *r)
{
    return r->word & SHN__TRACE_ASSET_MASK;
}

static inline shn_u128 shn__trace_amount(const struct shn_trace_graph *g,
                                         const struct shn__trace_rec *r)
{
    if (r->word & SHN__TRACE_BIG_BIT)
        return ((shn_u128)g->big[2 * (uint64_t)r->mant + 1] << 64) | g->big[2 * (uint64_t)r->mant];
    return (shn_u128)r->mant * shn__trace_pow10[(r->word >> SHN__TRACE_EXP_SHIFT) & 31];
}

/* Encodes `amount` as m * 10^k (k <= 19, m < 2^32) into r's word (whose
 * asset bits are set already) and mantissa; false when it has no such form. */
bool shn__trace_encode_amount(shn_u128 amount, struct shn__trace_rec *r);

/* Lower-cases 0x-prefixed hex (EVM addresses and token contracts) in place. */
void shn__trace_normalize(char *s, size_t len);

/* True when a tainted entry at `address` is reported as an exit (a label of
 * kind exchange, bridge, mixer, dex or defi, or a labelled stop). */
bool shn__trace_is_exit(const struct shn_trace_graph *g, uint32_t address,
                        const struct shn_trace_entry *e);

/* The slot count of an open-addressing table for n keys (power of two). */
uint64_t shn__trace_slots(uint64_t n);

#endif
