/* Opening an index file: map it, then check everything a reader will trust
 * (the section file's magic, version, size, checksums and section bounds in
 * core; here every count, range and id), so that the query path can index
 * arrays without further checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "screen_internal.h"
#include "shinsa/core/alloc.h"

static int bad(struct shn_diag *diag, const char *path, const char *what)
{
    return shn_diag_set(diag, SHN_ERR_CORRUPT, path, 0, NULL, "index is corrupt: %s", what);
}

const struct shn_section_format shn__idx_format = {SHN_IDX_MAGIC, SHN_IDX_VERSION, "screen index",
                                                   "shinsa lists build"};

/* Points *out at a section and checks its size is a whole number of items. */
static bool section(const struct shn_section_file *f, int s, size_t elem, const void **out,
                    uint64_t *count)
{
    return shn_section_array(f, (uint32_t)s, elem, out, count);
}

static bool range_ok(uint64_t first, uint64_t n, uint64_t total)
{
    return first <= total && n <= total - first;
}

/* Hashes strictly ascending, ranges ascending and covering the postings. */
static bool table_ok(const struct shn_hash_table *t, uint64_t n_first, uint64_t n_postings)
{
    if (n_first != (uint64_t)t->n + 1 || t->first[0] != 0 || t->first[t->n] != n_postings)
        return false;
    for (uint32_t i = 0; i < t->n; i++)
        if (t->first[i] > t->first[i + 1] || (i && t->hash[i - 1] >= t->hash[i]))
            return false;
    return true;
}

static int validate(struct shn_screen_index *idx, const struct shn_section_file *f,
                    const char *path, struct shn_diag *diag)
{
    const struct shn_idx_meta *h;
    uint64_t n, n_meta, n_masks = 0, n_sources, n_entities, n_names, n_vocab, n_vocab_len, n_keys,
                        n_key_first, n_idents, n_ids, n_id_first;

    if (!section(f, SHN_SEC_META, sizeof *h, (const void **)&h, &n_meta) || n_meta != 1)
        return bad(diag, path, "counts");
    idx->h = h;
    if (!section(f, SHN_SEC_STRINGS, 1, (const void **)&idx->strings, &idx->strings_size) ||
        !idx->strings_size || idx->strings[idx->strings_size - 1] != '\0')
        return bad(diag, path, "string pool");
    if (!section(f, SHN_SEC_SOURCES, sizeof *idx->sources, (const void **)&idx->sources,
                 &n_sources) ||
        !section(f, SHN_SEC_ENTITIES, sizeof *idx->entities, (const void **)&idx->entities,
                 &n_entities) ||
        !section(f, SHN_SEC_NAMES, sizeof *idx->names, (const void **)&idx->names, &n_names) ||
        !section(f, SHN_SEC_NAME_TOKENS, 4, (const void **)&idx->name_tokens,
                 &idx->n_name_tokens) ||
        !section(f, SHN_SEC_VOCAB, 4, (const void **)&idx->vocab, &n_vocab) ||
        !section(f, SHN_SEC_VOCAB_LEN, 1, (const void **)&idx->vocab_len, &n_vocab_len) ||
        !section(f, SHN_SEC_KEYS, 8, (const void **)&idx->keys.hash, &n_keys) ||
        !section(f, SHN_SEC_KEY_FIRST, 4, (const void **)&idx->keys.first, &n_key_first) ||
        !section(f, SHN_SEC_KEY_POSTINGS, 4, (const void **)&idx->key_postings,
                 &idx->n_key_postings) ||
        !section(f, SHN_SEC_KEY_MASKS, 2, (const void **)&idx->key_masks, &n_masks) ||
        !section(f, SHN_SEC_IDENTS, sizeof *idx->idents, (const void **)&idx->idents, &n_idents) ||
        !section(f, SHN_SEC_ID_HASHES, 8, (const void **)&idx->ids.hash, &n_ids) ||
        !section(f, SHN_SEC_ID_FIRST, 4, (const void **)&idx->ids.first, &n_id_first) ||
        !section(f, SHN_SEC_ID_POSTINGS, 4, (const void **)&idx->id_postings,
                 &idx->n_id_postings) ||
        !section(f, SHN_SEC_DOBS, sizeof *idx->dobs, (const void **)&idx->dobs, &idx->n_dobs) ||
        !section(f, SHN_SEC_NATS, 4, (const void **)&idx->nats, &idx->n_nats))
        return bad(diag, path, "section table");
    if (n_sources != h->n_sources || n_entities != h->n_entities || n_names != h->n_names ||
        n_vocab != h->n_vocab || n_vocab_len != n_vocab || n_keys != h->n_keys ||
        n_idents != h->n_idents || n_ids != h->n_id_hashes)
        return bad(diag, path, "counts");
    if (n_masks != idx->n_key_postings || n_vocab >= (1u << 24))
        return bad(diag, path, "key masks or vocabulary size");
    idx->keys.n = (uint32_t)n_keys;
    idx->ids.n = (uint32_t)n_ids;
    for (n = 0; n < n_entities; n++) {
        const struct shn_idx_entity *e = &idx->entities[n];
        if (!range_ok(e->first_name, e->n_names, n_names) ||
            !range_ok(e->first_dob, e->n_dobs, idx->n_dobs) ||
            !range_ok(e->first_nat, e->n_nats, idx->n_nats))
            return bad(diag, path, "entity ranges");
    }
    for (n = 0; n < n_names; n++) {
        const struct shn_idx_name *nm = &idx->names[n];
        uint64_t ids = nm->ntokens ? 2u * nm->ntokens - 1 : 0;
        if (nm->entity >= n_entities || !nm->ntokens || nm->ntokens > SHN_NAME_MAX_TOKENS ||
            !range_ok(nm->tokens, ids, idx->n_name_tokens))
            return bad(diag, path, "name records");
        /* Only a pair may be absent (UINT32_MAX); the scorer reads every
         * token's vocabulary entry. */
        for (uint32_t j = 0; j < nm->ntokens; j++)
            if (idx->name_tokens[nm->tokens + j] >= n_vocab)
                return bad(diag, path, "name records");
    }
    for (n = 0; n < idx->n_name_tokens; n++)
        if (idx->name_tokens[n] >= n_vocab && idx->name_tokens[n] != UINT32_MAX)
            return bad(diag, path, "name tokens");
    for (n = 0; n < n_vocab; n++)
        if (idx->vocab[n] >= idx->strings_size ||
            idx->vocab_len[n] >= idx->strings_size - idx->vocab[n])
            return bad(diag, path, "vocabulary");
    for (n = 0; n < idx->n_key_postings; n++)
        if (idx->key_postings[n] >= n_names)
            return bad(diag, path, "key postings");
    for (n = 0; n < idx->n_id_postings; n++)
        if (idx->id_postings[n] >= n_idents)
            return bad(diag, path, "identifier postings");
    for (n = 0; n < n_idents; n++)
        if (idx->idents[n].entity >= n_entities)
            return bad(diag, path, "identifiers");
    if (!table_ok(&idx->keys, n_key_first, idx->n_key_postings) ||
        !table_ok(&idx->ids, n_id_first, idx->n_id_postings))
        return bad(diag, path, "hash tables");
    return SHN_OK;
}

/* A directory on the top bits of the hashes narrows a lookup to a few
 * entries; it lives in memory (256 KiB) and costs one pass at open. */
static int build_dir(struct shn_hash_table *t)
{
    size_t buckets = (size_t)1 << SHN_DIR_BITS;
    uint32_t i = 0;

    t->dir = shn_malloc((buckets + 1) * sizeof *t->dir);
    if (!t->dir)
        return SHN_ERR_NOMEM;
    for (size_t b = 0; b <= buckets; b++) {
        while (i < t->n && (t->hash[i] >> (64 - SHN_DIR_BITS)) < b)
            i++;
        t->dir[b] = i;
    }
    return SHN_OK;
}

static _Atomic uint64_t open_serial;

/* Checks and wires up an index whose bytes are in idx->map. */
static int open_mapped(struct shn_screen_index *idx, const char *path, struct shn_diag *diag)
{
    struct shn_section_file f;
    int rc;

    rc = shn_section_open(&f, idx->map.data, idx->map.size, &shn__idx_format, path, diag);
    if (rc != SHN_OK)
        return rc;
    rc = validate(idx, &f, path, diag);
    if (rc != SHN_OK)
        return rc;
    if (build_dir(&idx->keys) != SHN_OK || build_dir(&idx->ids) != SHN_OK)
        return shn_diag_set(diag, SHN_ERR_NOMEM, path, 0, NULL, "out of memory");
    idx->serial = ++open_serial;
    return SHN_OK;
}

int shn_screen_index_open(const char *path, struct shn_screen_index **out, struct shn_diag *diag)
{
    struct shn_screen_index *idx = shn_calloc(1, sizeof *idx);
    int rc;

    if (!idx)
        return shn_diag_set(diag, SHN_ERR_NOMEM, path, 0, NULL, "out of memory");
    idx->owns_map = true;
    rc = shn_file_map(path, &idx->map, diag);
    if (rc == SHN_OK)
        rc = open_mapped(idx, path, diag);
    if (rc != SHN_OK) {
        shn_screen_index_close(idx);
        return rc;
    }
    *out = idx;
    return SHN_OK;
}

int shn__screen_index_open_mem(const void *data, size_t size, struct shn_screen_index **out,
                               struct shn_diag *diag)
{
    struct shn_screen_index *idx = shn_calloc(1, sizeof *idx);
    int rc;

    if (!idx)
        return shn_diag_set(diag, SHN_ERR_NOMEM, "<memory>", 0, NULL, "out of memory");
    idx->map.data = data;
    idx->map.size = size;
    rc = open_mapped(idx, "<memory>", diag);
    if (rc != SHN_OK) {
        shn_screen_index_close(idx);
        return rc;
    }
    *out = idx;
    return SHN_OK;
}

void shn_screen_index_close(struct shn_screen_index *idx)
{
    if (!idx)
        return;
    if (idx->owns_map)
        shn_file_unmap(&idx->map);
    shn_free(idx->keys.dir);
    shn_free(idx->ids.dir);
    shn_free(idx);
}

bool shn__idx_lookup(const struct shn_hash_table *t, uint64_t hash, uint32_t *first,
                     uint32_t *count)
{
    size_t b = hash >> (64 - SHN_DIR_BITS);
    uint32_t lo = t->dir[b], hi = t->dir[b + 1];

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->hash[mid] == hash) {
            *first = t->first[mid];
            *count = t->first[mid + 1] - t->first[mid];
            return true;
        }
        if (t->hash[mid] < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

const char *shn_screen_kind_name(int kind)
{
    static const char *const names[] = {"unknown", "person", "organization", "vessel", "aircraft"};
    return kind >= 0 && kind <= SHN_KIND_AIRCRAFT ? names[kind] : "unknown";
}

const char *shn_screen_entity_id(const struct shn_screen_index *idx, uint32_t e)
{
    return e < idx->h->n_entities ? shn__idx_str(idx, idx->entities[e].id) : "";
}

const char *shn_screen_entity_source(const struct shn_screen_index *idx, uint32_t e)
{
    return e < idx->h->n_entities ? shn__idx_str(idx, idx->entities[e].source) : "";
}

const char *shn_screen_entity_name(const struct shn_screen_index *idx, uint32_t e)
{
    return e < idx->h->n_entities ? shn__idx_str(idx, idx->entities[e].primary_name) : "";
}

int shn_screen_entity_kind(const struct shn_screen_index *idx, uint32_t e)
{
    return e < idx->h->n_entities ? idx->entities[e].kind : SHN_KIND_UNKNOWN;
}

int shn_screen_index_info(const struct shn_screen_index *idx, int json, struct shn_buf *out)
{
    const struct shn_idx_meta *h = idx->h;
    char built[32];
    time_t t = (time_t)h->built_at;
    struct tm tm;
    int rc;

    gmtime_r(&t, &tm);
    strftime(built, sizeof built, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (json) {
        rc = shn_buf_appendf(out,
                             "{\"format_version\": %u, \"built\": \"%s\", \"entities\": %u, "
                             "\"names\": %u, \"identifiers\": %u, \"bytes\": %llu, \"sources\": [",
                             SHN_IDX_VERSION, built, h->n_entities, h->n_names, h->n_idents,
                             (unsigned long long)idx->map.size);
        for (uint32_t i = 0; rc == SHN_OK && i < h->n_sources; i++) {
            const struct shn_idx_source *s = &idx->sources[i];
            rc = shn_buf_append_str(out, i ? ", {\"name\": " : "{\"name\": ");
            if (rc == SHN_OK)
                rc = shn_buf_append_json_string(out, shn__idx_str(idx, s->name));
            if (rc == SHN_OK)
                rc = shn_buf_append_str(out, ", \"path\": ");
            if (rc == SHN_OK)
                rc = shn_buf_append_json_string(out, shn__idx_str(idx, s->path));
            if (rc == SHN_OK)
                rc = shn_buf_append_str(out, ", \"date\": ");
            if (rc == SHN_OK)
                rc = shn_buf_append_json_string(out, shn__idx_str(idx, s->date));
            if (rc == SHN_OK)
                rc = shn_buf_appendf(out, ", \"entities\": %u}", s->entities);
        }
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, "]}\n");
        return rc;
    }
    rc = shn_buf_appendf(out,
                         "format version %u, built %s\n%u entities, %u indexed names, "
                         "%u identifiers, %llu bytes\nsources:\n",
                         SHN_IDX_VERSION, built, h->n_entities, h->n_names, h->n_idents,
                         (unsigned long long)idx->map.size);
    for (uint32_t i = 0; rc == SHN_OK && i < h->n_sources; i++) {
        const struct shn_idx_source *s = &idx->sources[i];
        rc = shn_buf_appendf(out, "  %-10s %7u entities  dated %-24s %s\n",
                             shn__idx_str(idx, s->name), s->entities, shn__idx_str(idx, s->date),
                             shn__idx_str(idx, s->path));
    }
    return rc;
}
