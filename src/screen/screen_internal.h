/* Declarations shared between the screen module's index builder, index
 * reader and matcher (module-internal). */
#ifndef SHN_SCREEN_INTERNAL_H
#define SHN_SCREEN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "index_format.h"
#include "shinsa/core/file.h"
#include "shinsa/core/section.h"
#include "shinsa/names.h"
#include "shinsa/screen.h"

/* ---- Retrieval keys (keys.c) -------------------------------------------
 * A name is proposed as a candidate for a query when they share a retrieval
 * key, and the scorer gives 0 to a name that shares none: candidate
 * retrieval therefore loses nothing that a scan of every name would find.
 * Keys of a token list: each token and each adjacent pair joined
 * ("jong"+"un", where shn_names_pairable); and for each of those of
 * SHN_NAMES_DELETE_MIN..SHN_NAMES_DELETE_MAX bytes, every string with one
 * byte deleted. Two elements share a key exactly when the names module
 * lets them align (shn_names_within_one_deletion), barring a collision of
 * 64-bit hashes, which can only add a candidate. */
#define SHN_KEYS_MAX 512

struct shn_token_list {
    int n;
    const char *tok[SHN_NAME_MAX_TOKENS];
    uint8_t len[SHN_NAME_MAX_TOKENS];
};

/* Splits space-separated keys (in place-free: pointers into `keys`). */
void shn__tokens_split(const char *keys, struct shn_token_list *out);

/* A retrieval key and the tokens (bit i = token i) whose element made it. */
struct shn_key {
    uint64_t hash; /* never 0 */
    uint16_t mask;
};

/* Writes the keys of a token list into out[] (at most max), sorted by hash
 * and unique (masks of equal keys OR-ed); returns how many. */
size_t shn__keys_for_tokens(const struct shn_token_list *t, struct shn_key *out, size_t max);

uint64_t shn__key_hash(const char *s, size_t len);

/* ---- Identifiers (ident.c) ---------------------------------------------
 * Identifier lookups are exact after normalisation per class: documents
 * (passport, national ID, other) in one namespace, upper-case letters and
 * digits only; EVM addresses lower-case; other crypto as written; emails
 * lower-case; phones digits only; handles lower-case without '@' or URL. */
enum shn_ident_class {
    SHN_IDC_DOCUMENT = 0,
    SHN_IDC_CRYPTO,
    SHN_IDC_EMAIL,
    SHN_IDC_PHONE,
    SHN_IDC_HANDLE,
    SHN_IDC_WEBSITE,
};

int shn__ident_class(int ident_kind);
/* Normalizes value into out (size >= 256); returns length, 0 if nothing usable. */
size_t shn__ident_normalize(int ident_class, const char *value, char *out, size_t size);
uint64_t shn__ident_hash(int ident_class, const char *normalized, size_t len);

/* ---- Open index (index_open.c) ----------------------------------------- */
struct shn_hash_table {
    const uint64_t *hash;  /* ascending */
    const uint32_t *first; /* n + 1 entries */
    uint32_t n;
    uint32_t *dir; /* built at open: dir[b] = first entry with hash >> 48 >= b */
};
#define SHN_DIR_BITS 16

struct shn_screen_index {
    struct shn_mapped_file map;
    bool owns_map;                /* false for an index opened from caller memory */
    uint64_t serial;              /* unique per open, for per-thread query scratch */
    const struct shn_idx_meta *h; /* the counts (SHN_SEC_META) */
    const char *strings;
    uint64_t strings_size;
    const struct shn_idx_source *sources;
    const struct shn_idx_entity *entities;
    const struct shn_idx_name *names;
    const uint32_t *name_tokens;
    uint64_t n_name_tokens;
    const uint32_t *vocab;
    const uint8_t *vocab_len;
    struct shn_hash_table keys;
    const uint32_t *key_postings;
    const uint16_t *key_masks; /* per posting: the name tokens the key came from */
    uint64_t n_key_postings;
    const struct shn_idx_ident *idents;
    struct shn_hash_table ids;
    const uint32_t *id_postings;
    uint64_t n_id_postings;
    const struct shn_idx_date *dobs;
    uint64_t n_dobs;
    const uint32_t *nats;
    uint64_t n_nats;
};

static inline const char *shn__idx_str(const struct shn_screen_index *idx, uint32_t off)
{
    return off < idx->strings_size ? idx->strings + off : "";
}

/* The index as a section file: magic, version, names for messages. */
extern const struct shn_section_format shn__idx_format;

struct shn_file_out;
/* Builds the index of `set` into the open writer `o` (the caller commits or
 * aborts it; shn_screen_index_build does both). `path` names it in
 * diagnostics. */
int shn__screen_index_write(const struct shn_listset *set, struct shn_file_out *o, const char *path,
                            struct shn_diag *diag);

/* Opens an index from caller-owned bytes that must outlive it (fuzzing,
 * tests); the same checks as shn_screen_index_open(). */
int shn__screen_index_open_mem(const void *data, size_t size, struct shn_screen_index **out,
                               struct shn_diag *diag);

/* Finds the postings of `hash`; false if absent. */
bool shn__idx_lookup(const struct shn_hash_table *t, uint64_t hash, uint32_t *first,
                     uint32_t *count);

#endif
