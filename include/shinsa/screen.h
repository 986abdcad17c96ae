/* screen: watchlist screening of names, birth dates, ID numbers and crypto
 * addresses against OFAC, UN and custom lists.
 *
 * Lifecycle: load lists into a listset (shn_screen_load_*), compile it into
 * one binary index file (shn_screen_index_build), then open the index
 * (memory-mapped, no re-parsing) and run queries against it. All functions
 * return enum shn_err values; on failure out-parameters are untouched and
 * `diag` (optional) says which file, line and field. */
#ifndef SHN_SCREEN_SCREEN_H
#define SHN_SCREEN_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/buf.h"
#include "shinsa/core/err.h"

enum shn_entity_kind {
    SHN_KIND_UNKNOWN = 0,
    SHN_KIND_PERSON = 1,
    SHN_KIND_ORGANIZATION = 2,
    SHN_KIND_VESSEL = 3,
    SHN_KIND_AIRCRAFT = 4,
};
const char *shn_screen_kind_name(int kind); /* "person", "organization", ... */

/* ---- Lists ------------------------------------------------------------ */

struct shn_listset; /* entities loaded from one or more lists */

int shn_screen_listset_new(struct shn_listset **out);
void shn_screen_listset_free(struct shn_listset *set); /* NULL is fine */
size_t shn_screen_listset_count(const struct shn_listset *set);

/* Calls fn(ctx, entity id, asset or NULL, address) for every crypto address
 * of every entity in the set, in load order; stops at the first non-zero
 * return and returns it (SHN_OK when all were visited). */
typedef int (*shn_screen_crypto_fn)(void *ctx, const char *entity, const char *asset,
                                    const char *address);
int shn_screen_listset_each_crypto(const struct shn_listset *set, shn_screen_crypto_fn fn,
                                   void *ctx);

/* An OFAC legacy CSV set in `dir`: sdn.csv (+ add.csv, alt.csv,
 * sdn_comments.csv) and/or the consolidated cons_prim.csv (+ cons_add.csv,
 * cons_alt.csv, cons_comments.csv). Remarks are parsed into structured
 * fields (DOB, POB, nationality, passports, IDs, emails, websites, digital
 * currency addresses, a.k.a.s). At least one of sdn.csv/cons_prim.csv must
 * exist. */
int shn_screen_load_ofac_csv(struct shn_listset *set, const char *dir, struct shn_diag *diag);

/* The UN Security Council consolidated list XML, streamed. */
int shn_screen_load_un_xml(struct shn_listset *set, const char *path, struct shn_diag *diag);

/* A folder of sanctioned_addresses_<ASSET>.txt files, one address a line. */
int shn_screen_load_crypto_dir(struct shn_listset *set, const char *dir, struct shn_diag *diag);

/* A custom list in JSON Lines (docs/lists.md). */
int shn_screen_load_custom(struct shn_listset *set, const char *path, struct shn_diag *diag);

/* ---- Index ------------------------------------------------------------ */

/* Compiles the listset into a versioned binary index file at `path`,
 * written atomically (readers see the old file or the new, never half). */
int shn_screen_index_build(const struct shn_listset *set, const char *path, struct shn_diag *diag);

struct shn_screen_index; /* an open, memory-mapped index; read-only, thread-safe */

int shn_screen_index_open(const char *path, struct shn_screen_index **out, struct shn_diag *diag);
void shn_screen_index_close(struct shn_screen_index *idx); /* NULL is fine */

/* Sources, dates and counts, as JSON (`json` != 0) or text lines. */
int shn_screen_index_info(const struct shn_screen_index *idx, int json, struct shn_buf *out);

/* The version of an open index, for a service to say which index answered:
 * its build time (UTC) and a CRC-32 of the file's leading bytes, which hold
 * the checksums of all the rest, e.g. "20261204T190937Z-9f3a1c2e". Two
 * files have one version only when their contents are the same. Writes a
 * NUL-terminated string of at most SHN_SCREEN_VERSION_MAX - 1 bytes into
 * `out`. SHN_ERR_INVALID for a NULL argument or `size` <
 * SHN_SCREEN_VERSION_MAX (then `out` is untouched). */
#define SHN_SCREEN_VERSION_MAX 32
int shn_screen_index_version(const struct shn_screen_index *idx, char *out, size_t size);

/* When the index was built, in Unix seconds (0 for a NULL index). */
int64_t shn_screen_index_built_at(const struct shn_screen_index *idx);

/* ---- Queries ---------------------------------------------------------- */

#define SHN_SCREEN_DEFAULT_THRESHOLD 0.85
#define SHN_SCREEN_DEFAULT_LIMIT 10
#define SHN_SCREEN_MAX_FIELD 1024 /* bytes in one query field */

struct shn_screen_query {
    const char *name;        /* any script; NULL if none */
    const char *reading;     /* kana reading of a Japanese name (furigana) */
    const char *dob;         /* "YYYY-MM-DD", "YYYY-MM" or "YYYY" */
    const char *nationality; /* ISO 3166 alpha-2, or a country name */
    const char *id;          /* passport / national ID / other number */
    const char *crypto;      /* a crypto address */
    const char *email;
    const char *phone;
    const char *handle;
    double threshold; /* 0 = default */
    int limit;        /* 0 = default */
};

#define SHN_SCREEN_MAX_WHY 8

struct shn_screen_hit {
    uint32_t entity;      /* index of the entity in the index */
    double score;         /* [0,1] */
    int exact_identifier; /* 1 when an identifier matched exactly */
    char matched[256];    /* the name or identifier that matched */
    int n_why;
    char why[SHN_SCREEN_MAX_WHY][160];
};

struct shn_screen_result {
    struct shn_screen_hit *hits; /* sorted by score, highest first */
    size_t n_hits;
    size_t cap_hits;
    size_t candidates; /* names that share a retrieval key with the query */
    size_t scored;     /* of those, names whose score bound could reach the threshold */
};

void shn_screen_result_init(struct shn_screen_result *r);
void shn_screen_result_cleanup(struct shn_screen_result *r);

/* Screens one query. `r` is reset first. SHN_ERR_INVALID for a query with
 * no field, or a field longer than SHN_SCREEN_MAX_FIELD; SHN_ERR_ENCODING
 * for invalid UTF-8. */
int shn_screen_query(const struct shn_screen_index *idx, const struct shn_screen_query *q,
                     struct shn_screen_result *r);

/* The same scorer applied to every name in the index, without candidate
 * retrieval: the test oracle and the benchmark's brute-force baseline. */
int shn_screen_query_bruteforce(const struct shn_screen_index *idx,
                                const struct shn_screen_query *q, struct shn_screen_result *r);

/* Appends {"query": {...}, "hits": [...]} (one line, no newline). */
int shn_screen_result_json(const struct shn_screen_index *idx, const struct shn_screen_query *q,
                           const struct shn_screen_result *r, struct shn_buf *out);

/* Appends the result for people: "query: name '...' dob ..." on one line,
 * then per hit its rank, score, entity id, kind and name, its source and
 * the name that matched, and one line per reason; or "no hits at threshold
 * T". Every line ends with a newline. */
int shn_screen_result_text(const struct shn_screen_index *idx, const struct shn_screen_query *q,
                           const struct shn_screen_result *r, struct shn_buf *out);

/* What a failed shn_screen_query means, in words for a person or a batch
 * error object (static, never NULL). */
const char *shn_screen_query_error(int err);

/* ---- Batches ---------------------------------------------------------- */

#define SHN_SCREEN_MAX_LINE (64 * 1024) /* bytes in one batch line */

/* Screens one line of a JSON Lines batch. `line` holds an object with the
 * string fields of struct shn_screen_query ("name", "reading", "dob",
 * "nationality", "id", "crypto", "email", "phone", "handle"; null or absent
 * = not given); threshold and limit come from `defaults` (NULL: the
 * defaults). A trailing CR/LF is ignored. `r` is the caller's result, reused
 * from line to line (shn_screen_result_init'ed).
 *
 * `out` is reset, then holds the line's output, one line without a newline:
 * the shn_screen_result_json object; for a bad line {"line": N, "error":
 * "..."}; nothing for a blank line. Returns SHN_OK for a screened or blank
 * line. For a bad line it returns the error — SHN_ERR_PARSE (not JSON, not
 * an object, a field that is not a string), SHN_ERR_TOO_LARGE (longer than
 * SHN_SCREEN_MAX_LINE) or the query's error — with the diagnostic's line
 * and message set (its file is left as the caller set it); unlike other
 * calls, `out` then holds the error object, which belongs in the output in
 * the line's place. */
int shn_screen_batch_line(const struct shn_screen_index *idx, const char *line, size_t len,
                          long lineno, const struct shn_screen_query *defaults,
                          struct shn_screen_result *r, struct shn_buf *out, struct shn_diag *diag);

/* Entity fields for display. Strings point into the mapped index. */
const char *shn_screen_entity_id(const struct shn_screen_index *idx, uint32_t entity);
const char *shn_screen_entity_source(const struct shn_screen_index *idx, uint32_t entity);
const char *shn_screen_entity_name(const struct shn_screen_index *idx, uint32_t entity);
int shn_screen_entity_kind(const struct shn_screen_index *idx, uint32_t entity);

/* ---- Updates ---------------------------------------------------------- */

/* Downloads the lists named in the config file (docs/lists.md), verifies
 * them by loading them, builds a new index and swaps it in over
 * `index_path` atomically. On any failure the existing index is untouched. */
int shn_screen_lists_update(const char *config_path, const char *index_path, struct shn_diag *diag);

struct shn_update_options {
    const char *config_path;
    const char *index_path;
    int force; /* accept a source that shrank below min_percent of the current index */
};

/* shn_screen_lists_update() with options. Returns SHN_OK or: SHN_ERR_PARSE
 * (config, a downloaded file that does not load, or a source that shrank
 * past min_percent without `force`), SHN_ERR_NETWORK (a download failed;
 * the diag names the URL), SHN_ERR_TOO_LARGE (a file past max_size),
 * SHN_ERR_CORRUPT (a pinned SHA-256 differs), SHN_ERR_IO, SHN_ERR_NOMEM, or
 * an index builder error. The diag's file is the config path (or the index
 * path for build errors), its line the config line naming the failing
 * file, its field the file's key. On any error the index at index_path is
 * untouched; the temp folder is always removed. */
int shn_screen_lists_update_ex(const struct shn_update_options *opt, struct shn_diag *diag);

#endif
