/* trace: follow stolen crypto through a transfer graph.
 *
 * Lifecycle: feed transfer CSV files (ethereum-etl transactions.csv and
 * token_transfers.csv, or the generic `time,tx,from,to,asset,amount`) and a
 * labels CSV into a builder, write one graph file (versioned, CRC-checked,
 * read into memory by readers), open it, and run a taint propagation from a set
 * of source addresses (poison, haircut or FIFO; docs/trace.md).
 *
 * All functions return enum shn_err values; on failure out-parameters are
 * untouched and the diagnostic (when given) names file, line and field. */
#ifndef SHN_TRACE_TRACE_H
#define SHN_TRACE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/buf.h"
#include "shinsa/core/err.h"

typedef unsigned __int128 shn_u128;

/* Bounds on inputs (every table grows from input and has a cap). */
#define SHN_TRACE_MAX_ADDRESS_LEN 128       /* bytes in one address or asset */
#define SHN_TRACE_MAX_ADDRESSES (1u << 31)  /* distinct addresses */
#define SHN_TRACE_MAX_ASSETS (1u << 20)     /* distinct assets */
#define SHN_TRACE_MAX_TRANSFERS 4000000000u /* transfers in one graph */
#define SHN_TRACE_MAX_LABEL_NAME 200        /* bytes in a label's name */

enum shn_trace_kind {
    SHN_TRACE_KIND_NONE = 0,
    SHN_TRACE_KIND_EXCHANGE,
    SHN_TRACE_KIND_MIXER,
    SHN_TRACE_KIND_BRIDGE,
    SHN_TRACE_KIND_DEX,
    SHN_TRACE_KIND_DEFI,
    SHN_TRACE_KIND_SANCTIONED,
    SHN_TRACE_KIND_HACKER,
    SHN_TRACE_KIND_OTHER,
    SHN_TRACE_KIND__COUNT
};

/* "exchange", "mixer", ...; "" for NONE. Parse returns -1 for an unknown word. */
const char *shn_trace_kind_name(int kind);
int shn_trace_kind_parse(const char *s);

enum shn_trace_method { SHN_TRACE_POISON = 0, SHN_TRACE_HAIRCUT = 1, SHN_TRACE_FIFO = 2 };
const char *shn_trace_method_name(int method);
int shn_trace_method_parse(const char *s); /* -1 when unknown */

/* Exact decimal text of a 128-bit amount into buf (at least 40 bytes). */
void shn_trace_u128_format(shn_u128 v, char *buf, size_t size);
/* Parses an unsigned decimal integer (digits only, at most 39 digits, value
 * below 2^128). SHN_ERR_PARSE on anything else. */
int shn_trace_u128_parse(const char *s, size_t len, shn_u128 *out);
/* The times trace reads (core's shn_time_parse, shinsa/core/time.h):
 * Unix seconds or ISO 8601 UTC ("2025-02-21T14:13:35Z", with a space
 * instead of T, optional fraction, "Z", "+00:00", " UTC" or no zone), from
 * 1970 on, checked against the calendar. SHN_ERR_PARSE on anything else. */
int shn_trace_time_parse(const char *s, size_t len, int64_t *out);
/* "2025-02-21T14:13:35Z" into buf (at least 21 bytes); core's
 * shn_time_format ("" when t is out of its range). */
void shn_trace_time_format(int64_t t, char *buf, size_t size);

/* ---- Import --------------------------------------------------------------- */

struct shn_trace_builder; /* transfers and labels being collected */

struct shn_trace_import_stats {
    uint64_t rows;      /* data rows read */
    uint64_t transfers; /* transfers kept */
    uint64_t failed;    /* failed transactions skipped (receipt_status 0) */
    uint64_t skipped;   /* zero amounts, contract creations (no `to`) */
    uint64_t bad;       /* malformed rows (reported and counted) */
    uint64_t labels;    /* labels kept */
    uint64_t bad_labels;
};

/* Creates an empty builder; free it with shn_trace_builder_free. */
int shn_trace_builder_new(struct shn_trace_builder **out);
void shn_trace_builder_free(struct shn_trace_builder *b); /* NULL is fine */

/* Reads one transfer CSV from memory; its kind is told by its header.
 * `file` names it in diagnostics (caller-owned, must outlive the call).
 * Bad rows are logged (first few, with file and line), counted in the
 * builder's statistics and skipped; with `strict` the first bad row fails
 * the call with SHN_ERR_PARSE and the diagnostic. A bad header, a record the
 * CSV reader cannot parse, or a bound exceeded fails in any mode. */
int shn_trace_builder_add_csv(struct shn_trace_builder *b, const char *data, size_t len,
                              const char *file, bool strict, struct shn_diag *diag);
/* The same from a file (read whole, up to `max_bytes`). */
int shn_trace_builder_add_file(struct shn_trace_builder *b, const char *path, size_t max_bytes,
                               bool strict, struct shn_diag *diag);

/* A labels CSV `address,kind,name` (header optional). Bad rows as above. */
int shn_trace_builder_add_labels_csv(struct shn_trace_builder *b, const char *data, size_t len,
                                     const char *file, bool strict, struct shn_diag *diag);
/* One label; a later label for the same address replaces an earlier one,
 * except that a `sanctioned` label never replaces another kind. */
int shn_trace_builder_add_label(struct shn_trace_builder *b, const char *address, int kind,
                                const char *name);

void shn_trace_builder_stats(const struct shn_trace_builder *b, struct shn_trace_import_stats *st);

/* The statistics appended to `out` as one JSON object {"rows", "transfers",
 * "failed", "skipped", "bad", "labels", "bad_labels"} (`json` != 0) or as
 * one line for people naming the `graph` written; newline-terminated. */
int shn_trace_import_stats_format(const struct shn_trace_import_stats *st, const char *graph,
                                  int json, struct shn_buf *out);

/* Sorts the transfers into time order and writes the graph file atomically.
 * The builder stays usable (it may be written again). */
int shn_trace_builder_write(struct shn_trace_builder *b, const char *path, struct shn_diag *diag);
/* The same into a new buffer (the caller frees *data with shn_free). */
int shn_trace_builder_to_memory(struct shn_trace_builder *b, unsigned char **data, size_t *len,
                                struct shn_diag *diag);

/* ---- Graph --------------------------------------------------------------- */

struct shn_trace_graph; /* an open graph file; read-only, thread-safe */

/* Opens a graph file after checking its version, checksum and bounds. The
 * file is read into memory (asked to be backed by 2 MB pages) and held until
 * shn_trace_graph_close. SHN_ERR_FORMAT for another kind of file or version,
 * SHN_ERR_CORRUPT for a damaged one. */
int shn_trace_graph_open(const char *path, struct shn_trace_graph **out, struct shn_diag *diag);

/* How shn_trace_graph_open_ex reads the file. MAP (shn_trace_graph_open):
 * readers use the file's mapping — opening costs the checksum pass, and
 * processes reading one graph share the page cache. LOAD: the file is
 * copied into memory backed by 2 MB pages; opening costs the copy (about
 * 1 s at 100M transfers) and the memory is the process's own, but the taint
 * pass, which reads each newly tainted address's records at random, runs
 * 10-15% faster at 20M transfers (fewer TLB misses). */
enum { SHN_TRACE_OPEN_MAP = 0, SHN_TRACE_OPEN_LOAD = 1 };
int shn_trace_graph_open_ex(const char *path, unsigned flags, struct shn_trace_graph **out,
                            struct shn_diag *diag);
/* The same over caller-owned bytes that must outlive the graph. */
int shn_trace_graph_open_mem(const unsigned char *data, size_t len, struct shn_trace_graph **out,
                             struct shn_diag *diag);
void shn_trace_graph_close(struct shn_trace_graph *g); /* NULL is fine */

struct shn_trace_transfer {
    int64_t time; /* Unix seconds */
    uint32_t from, to, asset;
    shn_u128 amount;
};

uint32_t shn_trace_graph_addresses(const struct shn_trace_graph *g);
uint64_t shn_trace_graph_transfers(const struct shn_trace_graph *g);
uint32_t shn_trace_graph_assets(const struct shn_trace_graph *g);
size_t shn_trace_graph_bytes(const struct shn_trace_graph *g);
/* Address text of an id: EVM addresses are stored as 20 bytes and formatted
 * ("0x" and 40 lower-case hex digits) into buf, which must hold
 * SHN_TRACE_ADDRESS_BUF bytes; other addresses are returned in place (inside
 * the mapping). The result is valid while both buf and the graph are. "" for
 * an id out of range. */
#define SHN_TRACE_ADDRESS_BUF 48
const char *shn_trace_graph_address(const struct shn_trace_graph *g, uint32_t id, char *buf);
/* Asset text of an id (NUL-terminated, inside the mapping). */
const char *shn_trace_graph_asset(const struct shn_trace_graph *g, uint32_t id);
/* Id of an address (EVM addresses in any case) or asset; SHN_ERR_NOT_FOUND. */
int shn_trace_graph_find(const struct shn_trace_graph *g, const char *address, uint32_t *id);
int shn_trace_graph_find_asset(const struct shn_trace_graph *g, const char *asset, uint32_t *id);
void shn_trace_graph_transfer(const struct shn_trace_graph *g, uint64_t i,
                              struct shn_trace_transfer *t);
/* Label of an address: kind (NONE when unlabelled) and name ("" if none). */
int shn_trace_graph_label(const struct shn_trace_graph *g, uint32_t id, const char **name);
/* An address's transfers, ascending transfer indexes (time order). */
const uint32_t *shn_trace_graph_out(const struct shn_trace_graph *g, uint32_t id, uint64_t *n);
const uint32_t *shn_trace_graph_in(const struct shn_trace_graph *g, uint32_t id, uint64_t *n);

/* ---- Taint ----------------------------------------------------------------- */

#define SHN_TRACE_MAX_SOURCES 4096

/* Source addresses resolved to ids for shn_trace_opts.sources. `ids` holds
 * SHN_TRACE_MAX_SOURCES entries; *n is how many are filled, and each call
 * appends. sources_add resolves one address (EVM in any case); `where`
 * (may be NULL) names where it came from in the diagnostic's file.
 * sources_parse reads one address a line from text[0..len) (blank lines and
 * lines starting with '#' skipped, CRLF accepted), `file` naming it in the
 * diagnostic; sources_read does the same from a file (at most 16 MB).
 * Errors: SHN_ERR_NOT_FOUND for an address not in the graph (the diagnostic
 * names file and line: "source X is not in the graph"), SHN_ERR_TOO_LARGE
 * past SHN_TRACE_MAX_SOURCES, the file's read errors. On error *n is
 * unchanged (ids past *n may have been written). */
int shn_trace_sources_add(const struct shn_trace_graph *g, const char *address, const char *where,
                          uint32_t *ids, size_t *n, struct shn_diag *diag);
int shn_trace_sources_parse(const struct shn_trace_graph *g, const char *text, size_t len,
                            const char *file, uint32_t *ids, size_t *n, struct shn_diag *diag);
int shn_trace_sources_read(const struct shn_trace_graph *g, const char *path, uint32_t *ids,
                           size_t *n, struct shn_diag *diag);

struct shn_trace_opts {
    int method;              /* enum shn_trace_method */
    const uint32_t *sources; /* address ids */
    size_t n_sources;
    int64_t since; /* only transfers at or after this time; 0 = all */
    /* With has_amount, only the first `amount` base units of `amount_asset`
     * that the sources send are stolen (taint budget, in time order, shared
     * by all sources); otherwise everything they send is. */
    bool has_amount;
    shn_u128 amount;
    uint32_t amount_asset;
    shn_u128 dust;     /* tainted parts below this are not propagated */
    uint32_t max_hops; /* 0 = unlimited */
    /* Label kinds whose addresses record taint but do not pass it on;
     * bit (1 << kind). SHN_TRACE_DEFAULT_STOPS = exchange and bridge. */
    uint32_t stop_kinds;
    bool record_flows; /* keep every tainted transfer (for exposure paths) */
};

#define SHN_TRACE_DEFAULT_STOPS ((1u << SHN_TRACE_KIND_EXCHANGE) | (1u << SHN_TRACE_KIND_BRIDGE))

/* One tainted (address, asset). */
struct shn_trace_entry {
    uint32_t address, asset;
    shn_u128 received;     /* everything it received in the asset */
    shn_u128 tainted;      /* tainted part of what it received */
    shn_u128 tainted_out;  /* tainted part of what it sent on */
    shn_u128 held;         /* tainted still held (tainted - tainted_out) */
    uint32_t hops;         /* 0 for sources */
    bool source, stopped;  /* stopped: an exit or the hop limit */
    int64_t first_tainted; /* time of the first tainted receipt */
};

/* A transfer that carried taint (with opts.record_flows). */
struct shn_trace_flow {
    uint64_t transfer; /* index in the graph */
    shn_u128 tainted;
};

struct shn_trace_result {
    int method;
    struct shn_trace_flow *flows; /* in time order; NULL without record_flows */
    size_t n_flows;
    struct shn_trace_entry *entries; /* sorted by first_tainted, then address */
    size_t n_entries;
    uint64_t transfers_scanned;
    uint64_t tainted_transfers;
    shn_u128 dust_dropped; /* tainted parts dropped as dust (all assets) */
    bool budget_exhausted;
};

/* Runs one pass over the transfers in time order. State is kept only for
 * tainted (address, asset) pairs. The result is caller-owned: release it with
 * shn_trace_result_cleanup. SHN_ERR_INVALID for bad options. */
int shn_trace_run(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                  struct shn_trace_result *res, struct shn_diag *diag);
void shn_trace_result_cleanup(struct shn_trace_result *res);

/* Conservation: for every entry tainted <= received and tainted_out <= tainted;
 * under haircut and FIFO held + tainted_out == tainted for every non-source
 * entry, and the sources' tainted output equals everything held plus dust.
 * SHN_ERR_CORRUPT with the first violation in the diagnostic. */
int shn_trace_check(const struct shn_trace_graph *g, const struct shn_trace_result *res,
                    struct shn_diag *diag);

/* The JSON object of issue 5 (method, sources, addresses, exits, held). */
int shn_trace_result_json(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                          const struct shn_trace_result *res, struct shn_buf *out);

/* The result for people: a summary line (method, sources, tainted
 * address-assets and transfers), then one line per tainted non-source
 * entry in result order: address, asset, tainted base units, hops, first
 * tainted time and [kind] when labelled. Newline-terminated. */
int shn_trace_result_text(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                          const struct shn_trace_result *res, struct shn_buf *out);

/* ---- Exposure ------------------------------------------------------------ */

#define SHN_TRACE_MAX_PATH 32

struct shn_trace_path {
    shn_u128 tainted; /* tainted amount of the last hop into the address */
    size_t n_steps;
    uint64_t steps[SHN_TRACE_MAX_PATH]; /* transfer indexes, from the source side */
    shn_u128 step_tainted[SHN_TRACE_MAX_PATH];
    bool from_source; /* the walk back reached a source */
};

/* The heaviest paths (at most max_paths) that brought taint to `address`,
 * from a run made with record_flows: the heaviest tainted transfers into it,
 * each followed back by the heaviest earlier tainted transfer into its
 * sender, until a source. *out is a new array (shn_free). */
int shn_trace_exposure_paths(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                             const struct shn_trace_result *res, uint32_t address, size_t max_paths,
                             struct shn_trace_path **out, size_t *n);

/* The exposure object {"address", "method", "sources", "assets": [{"asset",
 * "received", "tainted", "fraction", "hops"}], "paths": [{"tainted", "hops",
 * "from_source", "steps": [{"from", "to", "time", "asset", "amount",
 * "tainted"}]}]} of `address`, from a run and its exposure paths, appended
 * to `out` with a final newline. Amounts are exact decimal strings. */
int shn_trace_exposure_json(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                            const struct shn_trace_result *res, uint32_t address,
                            const struct shn_trace_path *paths, size_t n_paths,
                            struct shn_buf *out);

/* ---- Patterns ------------------------------------------------------------ */

enum shn_trace_pattern_kind {
    SHN_TRACE_PAT_FAN_OUT = 0,   /* one input split into many outputs */
    SHN_TRACE_PAT_PEEL,          /* hops each sending most onward, peeling a little */
    SHN_TRACE_PAT_RAPID,         /* out within minutes of in */
    SHN_TRACE_PAT_SHORT_LIVED,   /* active only a few days */
    SHN_TRACE_PAT_CONSOLIDATION, /* many tainted inputs merged */
    SHN_TRACE_PAT__COUNT
};

struct shn_trace_pattern {
    uint32_t address;
    int kind;
    char evidence[200]; /* what was seen, in words with the figures */
};

const char *shn_trace_pattern_name(int kind); /* "fan-out", "peel-chain"... */

/* Patterns of the tainted addresses of a run (labelled services excluded),
 * each with its evidence. *out is a new array (shn_free) of *n items. */
int shn_trace_patterns(const struct shn_trace_graph *g, const struct shn_trace_result *res,
                       struct shn_trace_pattern **out, size_t *n);

/* The patterns as a JSON array of {address, pattern, evidence}. */
int shn_trace_patterns_json(const struct shn_trace_graph *g, const struct shn_trace_pattern *p,
                            size_t n, struct shn_buf *out);

/* A self-contained HTML report (no script, no network): summary, a flow
 * chart of the main paths (SVG; uses res->flows when recorded), exits,
 * patterns and the heaviest tainted addresses. */
int shn_trace_report_html(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                          const struct shn_trace_result *res, const struct shn_trace_pattern *pats,
                          size_t n_pats, struct shn_buf *out);

/* The report of a run as two files, each written atomically: PREFIX.json
 * (the shn_trace_result_json object plus "patterns", as
 * shn_trace_patterns_json) and PREFIX.html (shn_trace_report_html). The run
 * should record flows (for the chart). `summary` (may be NULL) gets one
 * line naming both files with the counts. Errors: the writers' (the
 * diagnostic names the file), SHN_ERR_TOO_LARGE for a prefix past 4 KB,
 * SHN_ERR_NOMEM. */
int shn_trace_report_write(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                           const struct shn_trace_result *res, const char *prefix,
                           struct shn_buf *summary, struct shn_diag *diag);

#endif
