/* The link engine: groups accounts and threat-intel personas that share
 * identifiers (wallets, phones, ID documents, emails, devices, ...) into
 * operator clusters, and explains every cluster by the joins that made it.
 *
 * Model: accounts (and personas, which live in the same id namespace) are
 * nodes; a normalised identifier shared by several nodes is evidence that
 * they are one operator. Each kind has a weight (docs/link.md); a weight is
 * damped when an identifier is shared by more than `soft_share` nodes and an
 * identifier shared by more than `max_share` nodes is ignored (and reported).
 * An identifier whose damped weight reaches `threshold` joins its nodes at
 * once (union-find); weaker ones add up per pair of nodes, and a pair joins
 * when its sum reaches `threshold`.
 *
 * Clusters are stable: a cluster is named by a hash of its lexicographically
 * smallest member, so the same input always gives the same ids, and an
 * incremental update gives the same ids as a full build of the same input.
 *
 * Errors follow src/core/err.h: an enum shn_err, out-parameters untouched on
 * failure, details in an optional struct shn_diag. Not thread-safe: one
 * struct shn_link per thread. */
#ifndef SHN_LINK_LINK_H
#define SHN_LINK_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/buf.h"
#include "shinsa/core/err.h"

enum shn_link_kind {
    SHN_LINK_WALLET = 0,
    SHN_LINK_PHONE,
    SHN_LINK_EMAIL,
    SHN_LINK_DEVICE,
    SHN_LINK_BANK,
    SHN_LINK_ID_NUMBER,
    SHN_LINK_IMAGE, /* ID-document PDQ hash */
    SHN_LINK_IP,
    SHN_LINK_IP24, /* the /24 of an IPv4 address; "ip" in output */
    SHN_LINK_NAME,
    SHN_LINK_HANDLE, /* "github:name", "telegram:name", "x:name" */
    SHN_LINK_KIND_COUNT
};

/* "wallet", "phone", ... as in the JSON output ("ip" for both IP kinds). */
const char *shn_link_kind_name(enum shn_link_kind kind);

/* The display form of a normalised identifier value into out (size bytes,
 * NUL-terminated): masked by core's policy for its kind (docs/mask.md),
 * image hashes as "pdq:" and their start, or the value as it is when
 * `unmask`. Every engine that shows an identifier shows it through this,
 * so one value reads the same in `link show` and `accounts explain`. */
void shn_link_mask(enum shn_link_kind kind, const char *value, bool unmask, char *out, size_t size);

#define SHN_LINK_ID_MAX 256    /* bytes of an account or persona id */
#define SHN_LINK_VALUE_MAX 256 /* bytes of a normalised identifier */
#define SHN_LINK_LINE_MAX (1u << 20)
/* The default max_share: an identifier held by more nodes than this (a
 * shared office IP, a payment processor's account) links nobody. The
 * accounts engine's shared_identifiers signal uses the same default. */
#define SHN_LINK_MAX_SHARE 100

struct shn_link_options {
    double weight[SHN_LINK_KIND_COUNT]; /* evidence per kind */
    double threshold;                   /* a pair joins when its evidence sums to this */
    uint32_t soft_share;                /* above this many nodes, weight *= soft_share / n */
    uint32_t max_share;                 /* above this many nodes, the identifier is ignored */
    char region[3];                     /* default phone region: JP KR CN US RU */
    int pdq_distance;                   /* near-duplicate ID images: Hamming distance */
};

/* The documented defaults (docs/link.md). */
void shn_link_options_default(struct shn_link_options *o);

struct shn_link; /* opaque */

/* A new empty graph; NULL options take the defaults. Free with shn_link_free. */
int shn_link_new(const struct shn_link_options *opt, struct shn_link **out);
void shn_link_free(struct shn_link *l); /* NULL is a no-op */

/* Normalises one raw identifier of a kind into out (NUL-terminated).
 * `region` is the default phone region (NULL: JP). SHN_ERR_PARSE when the
 * value is empty or meaningless after normalisation, SHN_ERR_TOO_LARGE when
 * it does not fit. Handles take "service:name" or a URL. */
int shn_link_normalize(enum shn_link_kind kind, const char *raw, size_t len, const char *region,
                       char *out, size_t size);

/* Records that `account` has the identifier (raw, normalised here; an IPv4
 * address also adds its /24). A value that normalises to nothing returns
 * SHN_ERR_PARSE and changes nothing. */
int shn_link_add(struct shn_link *l, const char *account, enum shn_link_kind kind, const char *raw,
                 size_t len);
/* Makes sure a node exists (an account with no identifier yet). */
int shn_link_add_node(struct shn_link *l, const char *account, bool persona);

/* Called once per rejected line; the diagnostic is valid during the call. */
typedef void (*shn_link_bad_line_fn)(void *ctx, const struct shn_diag *d);

struct shn_link_load_stats {
    size_t lines; /* non-blank lines */
    size_t good;
    size_t bad;
    size_t identifiers; /* identifiers recorded (before deduplication) */
};

/* Reads account events (issue 6 format) or persona records (docs/link.md)
 * in JSON Lines from memory. A bad line is reported through on_bad (may be
 * NULL) with file:line:field and skipped; good lines still load, and nothing
 * of a bad line is kept. Returns SHN_ERR_NOMEM/SHN_ERR_TOO_LARGE only for
 * failures that stop the load; bad lines are counted in *stats, not errors. */
int shn_link_load_events(struct shn_link *l, const char *data, size_t len, const char *file,
                         shn_link_bad_line_fn on_bad, void *ctx, struct shn_link_load_stats *stats);
int shn_link_load_personas(struct shn_link *l, const char *data, size_t len, const char *file,
                           shn_link_bad_line_fn on_bad, void *ctx,
                           struct shn_link_load_stats *stats);

/* Brings the clusters up to date: only the clusters touched since the last
 * call are recomputed (the first call computes them all). */
int shn_link_update(struct shn_link *l);

/* Recomputes every cluster from scratch (the oracle for shn_link_update). */
int shn_link_rebuild(struct shn_link *l);

/* The cluster id of an account into out ("c" + 16 hex digits).
 * SHN_ERR_NOT_FOUND for an unknown account. Needs an up-to-date graph. */
int shn_link_cluster_of(const struct shn_link *l, const char *account, char out[20]);

struct shn_link_stats {
    size_t nodes, personas, identifiers, occurrences;
    size_t clusters;       /* clusters of two or more nodes */
    size_t largest;        /* nodes in the largest cluster */
    size_t ignored;        /* identifiers past max_share */
    size_t evidence_pairs; /* pairs joined by summed medium/weak evidence */
};
void shn_link_stats(const struct shn_link *l, struct shn_link_stats *out);

/* LINKDB: a versioned, checksummed file written atomically (docs/link.md).
 * shn_link_save first brings the clusters up to date (shn_link_update).
 * shn_link_open reads it into a new graph (free with shn_link_free); the
 * options come from the file. Errors: SHN_ERR_IO, SHN_ERR_FORMAT (not a
 * LINKDB or another version), SHN_ERR_CORRUPT, SHN_ERR_NOMEM. */
int shn_link_save(struct shn_link *l, const char *path, struct shn_diag *diag);
int shn_link_open(const char *path, struct shn_link **out, struct shn_diag *diag);
/* The same from bytes in memory (the fuzzing entry point). */
int shn_link_open_memory(const void *data, size_t len, struct shn_link **out,
                         struct shn_diag *diag);

/* The explanation of the cluster of an account, or of a cluster id, as the
 * JSON object of the issue ({"account","cluster","members","joins"}, plus
 * "ignored" for busy identifiers left out), appended to out. Values are
 * masked unless `unmask`. SHN_ERR_NOT_FOUND when `what` is neither. */
int shn_link_show_json(const struct shn_link *l, const char *what, bool unmask,
                       struct shn_buf *out);
/* The same for people: one line per member and per join. */
int shn_link_show_text(const struct shn_link *l, const char *what, bool unmask,
                       struct shn_buf *out);

enum shn_link_format { SHN_LINK_GRAPHML, SHN_LINK_GEXF, SHN_LINK_JSON };
/* Every node in a cluster of two or more, and every join, appended to out. */
int shn_link_export(const struct shn_link *l, enum shn_link_format fmt, bool unmask,
                    struct shn_buf *out);

#endif
