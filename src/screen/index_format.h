/* The screen index file: one versioned binary file that the screener maps
 * read-only and uses without parsing (module-internal; docs/screen.md has
 * the same layout in prose).
 *
 * Lookups go through sorted hash arrays with a parallel array of posting
 * ranges (no empty slots, 12 bytes per distinct key); readers build a small
 * directory on the top hash bits at open.
 *
 * Layout: a section file (include/shinsa/core/section.h: magic, version,
 * a table of sections with a CRC-32 each, all checked at open), whose
 * sections are below; SHN_SEC_META holds the counts. All integers
 * little-endian (the builder refuses big-endian hosts). Every offset and
 * count inside the sections is bounds-checked at open too, so a hostile
 * file cannot make a reader stray.
 *
 * Version 7 moved the file onto the section file (version 6 had its own
 * header with one CRC); readers refuse every other version. */
#ifndef SHN_SCREEN_INDEX_FORMAT_H
#define SHN_SCREEN_INDEX_FORMAT_H

#include <stdint.h>

#define SHN_IDX_MAGIC "SHNSCRN\0"
#define SHN_IDX_VERSION 7u

enum shn_idx_section {
    SHN_SEC_STRINGS = 0,  /* NUL-terminated UTF-8 strings; offset 0 is "" */
    SHN_SEC_SOURCES,      /* struct shn_idx_source[] */
    SHN_SEC_ENTITIES,     /* struct shn_idx_entity[] */
    SHN_SEC_NAMES,        /* struct shn_idx_name[]: one per (list name, reading) */
    SHN_SEC_NAME_TOKENS,  /* uint32_t vocabulary ids: a name's tokens, then its adjacent pairs */
    SHN_SEC_VOCAB,        /* uint32_t string offsets of distinct folded tokens */
    SHN_SEC_VOCAB_LEN,    /* uint8_t length of each vocabulary token */
    SHN_SEC_KEYS,         /* uint64_t retrieval key hashes, ascending, distinct */
    SHN_SEC_KEY_FIRST,    /* uint32_t[n_keys + 1]: key i's postings are [first[i], first[i+1]) */
    SHN_SEC_KEY_POSTINGS, /* uint32_t name ids, ascending within a key */
    SHN_SEC_KEY_MASKS,    /* uint16_t per posting: which of the name's tokens made the key */
    SHN_SEC_IDENTS,       /* struct shn_idx_ident[] */
    SHN_SEC_ID_HASHES,    /* uint64_t identifier hashes, ascending, distinct */
    SHN_SEC_ID_FIRST,     /* uint32_t[n_id_hashes + 1]: postings ranges as for keys */
    SHN_SEC_ID_POSTINGS,  /* uint32_t ident ids */
    SHN_SEC_DOBS,         /* struct shn_idx_date[] */
    SHN_SEC_NATS,         /* uint32_t string offsets (ISO codes or names) */
    SHN_SEC_META,         /* struct shn_idx_meta */
    SHN_SEC__COUNT
};

/* The counts, which the sections' sizes must match. */
struct shn_idx_meta {
    uint32_t n_sources;
    uint32_t n_entities;
    uint32_t n_names;
    uint32_t n_vocab;
    uint32_t n_keys; /* distinct retrieval keys */
    uint32_t n_idents;
    uint32_t n_id_hashes; /* distinct normalized identifiers */
    uint32_t reserved;
    int64_t built_at; /* Unix seconds */
};

struct shn_idx_source {
    uint32_t name, path, date; /* string offsets */
    uint32_t entities;
};

struct shn_idx_entity {
    uint32_t id, source, primary_name, programs,
        remarks; /* string offsets; programs comma-joined */
    uint8_t kind;
    uint8_t pad[3];
    uint32_t first_name, n_names; /* range in SHN_SEC_NAMES */
    uint32_t first_dob, n_dobs;   /* range in SHN_SEC_DOBS */
    uint32_t first_nat, n_nats;   /* range in SHN_SEC_NATS */
};

struct shn_idx_name {
    uint32_t entity;
    uint32_t text;   /* string offset: the name as the list writes it */
    uint32_t latin;  /* string offset: its normalized Latin reading */
    uint32_t tokens; /* index into SHN_SEC_NAME_TOKENS: ntokens ids, then ntokens-1 pair ids */
    uint8_t ntokens;
    uint8_t strength; /* enum shn_alias_strength */
    uint8_t origin;   /* enum shn_name_origin */
    uint8_t flags;    /* SHN_NAME_F_* */
    uint16_t letters; /* total length of the folded tokens */
    uint16_t pad;
    uint8_t tlen[12]; /* length of each folded token (SHN_NAME_MAX_TOKENS), for the score bound */
};

#define SHN_NAME_F_ORG_SUFFIX 1u /* an organisation suffix was removed */

struct shn_idx_ident {
    uint32_t entity;
    uint32_t value; /* string offset: as the list writes it */
    uint32_t chain; /* string offset: asset / platform, or 0 */
    uint8_t kind;   /* enum shn_ident_kind */
    uint8_t pad[3];
};

struct shn_idx_date {
    uint8_t kind, month, day, pad;
    uint16_t year, year_to;
};

#endif
