/* trace internals shared by the module's files: the graph file layout and
 * the open graph. Nothing here is part of the public API. */
#ifndef SHN_TRACE_INTERNAL_H
#define SHN_TRACE_INTERNAL_H

#include <stdint.h>

#include "core/file.h"
#include "trace/trace.h"

/* Graph file, version 1. All integers little-endian as the host writes them
 * (the file is checked for the host's byte order through the magic word),
 * sections 8-byte aligned, described by (offset, length) pairs:
 *
 *   header   struct shn__trace_header (with CRC-32 of itself)
 *   sections see enum below; the payload after the header has a CRC-32
 *
 * A transfer is 24 bytes: time, from, to, asset (bit 31 set when the amount
 * does not fit 64 bits: then `amount` indexes the BIG section of 128-bit
 * amounts), amount. Per-address indexes list transfer numbers (u32) in time
 * order, 8 bytes per transfer for both directions. */
#define SHN__TRACE_MAGIC "SHNTRACE"
#define SHN__TRACE_VERSION 1u
#define SHN__TRACE_BIG_BIT 0x80000000u

enum {
    SHN__SEC_ADDR_OFF = 0, /* u64[n_addr + 1] offsets into ADDR_BLOB */
    SHN__SEC_ADDR_BLOB,    /* NUL-terminated address texts */
    SHN__SEC_ADDR_HASH,    /* u32[power of two] open addressing, id + 1 */
    SHN__SEC_ASSET_OFF,    /* u64[n_assets + 1] */
    SHN__SEC_ASSET_BLOB,
    SHN__SEC_ASSET_HASH,
    SHN__SEC_TRANSFERS, /* struct shn__trace_rec[n_transfers] */
    SHN__SEC_BIG,       /* u64 pairs (low, high) */
    SHN__SEC_OUT_START, /* u64[n_addr + 1] */
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
    uint32_t time, from, to, asset;
    uint64_t amount;
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
    const uint64_t *out_start, *in_start;
    const uint32_t *out_list, *in_list;
    const struct shn__trace_label *labels;
    const char *label_blob;
    uint64_t label_blob_len;
};

static inline shn_u128 shn__trace_amount(const struct shn_trace_graph *g,
                                         const struct shn__trace_rec *r)
{
    if (r->asset & SHN__TRACE_BIG_BIT)
        return ((shn_u128)g->big[2 * r->amount + 1] << 64) | g->big[2 * r->amount];
    return r->amount;
}

/* Lower-cases 0x-prefixed hex (EVM addresses and token contracts) in place. */
void shn__trace_normalize(char *s, size_t len);

/* True when a tainted entry at `address` is reported as an exit (a label of
 * kind exchange, bridge, mixer, dex or defi, or a labelled stop). */
bool shn__trace_is_exit(const struct shn_trace_graph *g, uint32_t address,
                        const struct shn_trace_entry *e);

/* The slot count of an open-addressing table for n keys (power of two). */
uint64_t shn__trace_slots(uint64_t n);

#endif
