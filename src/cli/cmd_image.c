/* shinsa image hash|match|add|remove|stats|check: argument parsing and
 * output only; decoding, hashing, matching and repair happen in src/image. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/err.h"
#include "shinsa/image.h"

#define OUT_CAP ((size_t)16 << 20)

static const char usage_image[] =
    "usage: shinsa image COMMAND [ARGS]\n"
    "\n"
    "PDQ perceptual hashes of identity-document images, and an index of them\n"
    "that finds the same image re-uploaded by several accounts.\n"
    "\n"
    "commands:\n"
    "  hash     FILE... [--json] [--exact]          hash images (JPEG, PNG, WebP)\n"
    "  match    --index IDX [--max-distance D] (FILE... | --hash HEX) [--json]\n"
    "  add      --index IDX --owner ID (FILE... | --hash HEX [--quality Q]) [--json]\n"
    "  remove   --index IDX --owner ID [--json]     forget every hash of an owner\n"
    "  stats    --index IDX [--json]\n"
    "  check    --index IDX [--repair] [--json]    find (and drop) damaged records\n"
    "\n"
    "'shinsa image COMMAND --help' for a command. Image bytes are never stored.\n";

static const char usage_hash[] =
    "usage: shinsa image hash FILE... [--json] [--exact]\n"
    "\n"
    "Prints the PDQ hash (64 hex digits), quality (0-100; below 50 is unreliable)\n"
    "and size of each image, with its EXIF orientation applied. With --json, one\n"
    "object per line: {\"file\": ..., \"pdq\": ..., \"quality\": ..., \"width\": ...,\n"
    "\"height\": ...} or {\"file\": ..., \"error\": ...}. --exact decodes JPEGs at full\n"
    "size as the reference tool does (slower; hashes are bit-exact with it).\n"
    "Exit status 1 when any file failed.\n";

static const char usage_match[] =
    "usage: shinsa image match --index IDX [--max-distance D] (FILE... | --hash HEX) [--json]\n"
    "                          [--dihedral] [--brute-force] [--exact]\n"
    "\n"
    "Finds every owner with a stored hash within Hamming distance D (default 31)\n"
    "of each image, nearest first. With --json, one object per line:\n"
    "{\"file\": ..., \"pdq\": ..., \"matches\": [{\"owner\": ..., \"distance\": ...}]}.\n"
    "--dihedral also finds rotated and mirrored copies (the 8 dihedral forms of\n"
    "each image; not with --hash). --brute-force scans every hash instead of\n"
    "using the index (same results).\n";

static const char usage_add[] =
    "usage: shinsa image add --index IDX --owner ID (FILE... | --hash HEX [--quality Q])\n"
    "                        [--min-quality Q] [--json]\n"
    "\n"
    "Hashes each image and stores (hash, quality, owner, time) in the index,\n"
    "creating it when absent. Images below --min-quality (default 50) are refused.\n"
    "Only the hash is stored, never the image.\n";

static const char usage_remove[] =
    "usage: shinsa image remove --index IDX --owner ID [--json]\n"
    "\n"
    "Removes every hash of an owner, from memory and from the file (overwritten).\n";

static const char usage_stats[] =
    "usage: shinsa image stats --index IDX [--json]\n"
    "\n"
    "Counts of hashes, owners, removed hashes, damaged records and torn bytes.\n";

static const char usage_check[] =
    "usage: shinsa image check --index IDX [--repair] [--json]\n"
    "\n"
    "Reads the whole index and reports its intact records, damaged records (each\n"
    "with its byte offset), the bytes of a torn last append, and hashes of removed\n"
    "owners that a crash left in the file. Exit status 1 when any is found.\n"
    "--repair writes every intact record (and every removal) into a new file that\n"
    "replaces the index atomically, cuts a torn append off and completes removals;\n"
    "exit status 0 once the index is sound. A damaged file header cannot be\n"
    "repaired (exit status 1).\n";

struct image_args {
    const char *index, *owner, *hash;
    int json, exact, brute_force, dihedral, repair;
    int max_distance, quality, min_quality;
    int nfiles;
    char **files;
};

static int parse_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* Parses the options shared by the subcommands; files are the operands. */
static int parse_args(int argc, char **argv, struct image_args *a, const char *usage)
{
    memset(a, 0, sizeof *a);
    a->max_distance = SHN_PDQ_MATCH_DISTANCE;
    a->quality = SHN_IMAGE_QUALITY_UNKNOWN;
    a->min_quality = SHN_PDQ_MIN_QUALITY;
    a->files = argv;
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int bad = 0;
        if (strcmp(o, "--json") == 0) {
            a->json = 1;
        } else if (strcmp(o, "--exact") == 0) {
            a->exact = 1;
        } else if (strcmp(o, "--brute-force") == 0) {
            a->brute_force = 1;
        } else if (strcmp(o, "--dihedral") == 0) {
            a->dihedral = 1;
        } else if (strcmp(o, "--repair") == 0) {
            a->repair = 1;
        } else if (strcmp(o, "--index") == 0 || strcmp(o, "--owner") == 0 ||
                   strcmp(o, "--hash") == 0) {
            if (!v) {
                bad = 1;
            } else if (o[2] == 'i') {
                a->index = v;
            } else if (o[2] == 'o') {
                a->owner = v;
            } else {
                a->hash = v;
            }
            i++;
        } else if (strcmp(o, "--max-distance") == 0) {
            bad = !v || parse_int(v, 0, 256, &a->max_distance) != 0;
            i++;
        } else if (strcmp(o, "--quality") == 0) {
            bad = !v || parse_int(v, 0, 100, &a->quality) != 0;
            i++;
        } else if (strcmp(o, "--min-quality") == 0) {
            bad = !v || parse_int(v, 0, 100, &a->min_quality) != 0;
            i++;
        } else if (o[0] == '-' && o[1] != '\0') {
            fprintf(stderr, "shinsa image: unknown option '%s'\n%s", o, usage);
            return -1;
        } else {
            a->files[a->nfiles++] = argv[i]; /* compacts operands in place */
        }
        if (bad) {
            fprintf(stderr, "shinsa image: %s needs a valid value\n%s", o, usage);
            return -1;
        }
    }
    return 0;
}

static void flush_line(struct shn_buf *b)
{
    fwrite(b->data ? b->data : "", 1, b->len, stdout);
    fputc('\n', stdout);
    shn_buf_reset(b);
}

static void print_error(struct shn_buf *b, int json, const char *file, int rc,
                        const struct shn_diag *d)
{
    char text[512];
    if (d && d->message[0])
        shn_diag_format(d, text, sizeof text);
    else
        snprintf(text, sizeof text, "%s: %s", file ? file : "", shn_strerror(rc));
    if (json) {
        shn_buf_append_str(b, "{\"file\": ");
        shn_buf_append_json_string(b, file ? file : "");
        shn_buf_append_str(b, ", \"error\": ");
        shn_buf_append_json_string(b, text);
        shn_buf_append_char(b, '}');
        flush_line(b);
    }
    fprintf(stderr, "shinsa: %s\n", text);
}

static int hash_one(const char *file, const struct image_args *a, struct shn_image_hash *h,
                    struct shn_diag *d)
{
    struct shn_image_options o = {0};
    o.exact = a->exact;
    memset(d, 0, sizeof *d);
    return shn_image_hash_file(file, &o, h, d);
}

static int cmd_hash(int argc, char **argv)
{
    struct image_args a;
    struct shn_buf b;
    int status = SHN_EXIT_OK;

    if (shn_cli_wants_help(argc, argv)) {
        fputs(usage_hash, stdout);
        return SHN_EXIT_OK;
    }
    if (parse_args(argc, argv, &a, usage_hash) != 0)
        return SHN_EXIT_USAGE;
    if (a.nfiles == 0) {
        fprintf(stderr, "shinsa image hash: no files\n%s", usage_hash);
        return SHN_EXIT_USAGE;
    }
    shn_buf_init(&b, OUT_CAP);
    for (int i = 0; i < a.nfiles; i++) {
        struct shn_image_hash h;
        struct shn_diag d;
        char hex[SHN_PDQ_HEX_LEN + 1];
        int rc = hash_one(a.files[i], &a, &h, &d);
        if (rc != SHN_OK) {
            print_error(&b, a.json, a.files[i], rc, &d);
            status = SHN_EXIT_FAILURE;
            continue;
        }
        shn_image_pdq_to_hex(&h.pdq, hex);
        if (a.json) {
            shn_buf_append_str(&b, "{\"file\": ");
            shn_buf_append_json_string(&b, a.files[i]);
            shn_buf_appendf(&b,
                            ", \"pdq\": \"%s\", \"quality\": %d, \"width\": %u, \"height\": %u}",
                            hex, h.quality, h.width, h.height);
        } else {
            shn_buf_appendf(&b, "%s %d %ux%u ", hex, h.quality, h.width, h.height);
            shn_buf_append_str(&b, a.files[i]);
        }
        flush_line(&b);
    }
    shn_buf_cleanup(&b);
    return status;
}

/* On stderr: the damage the load skipped, so that a damaged index never
 * goes unnoticed; stdout stays as it is without damage. */
static void warn_damage(const struct shn_image_index *idx, const char *path)
{
    struct shn_image_index_stats s;
    struct shn_image_index_damage d;
    size_t i;

    shn_image_index_stats(idx, &s);
    for (i = 0; i < 5 && shn_image_index_damage(idx, i, &d) == SHN_OK; i++)
        fprintf(stderr,
                "shinsa: warning: %s: damaged record at byte %" PRIu64 " (%" PRIu64
                " bytes) skipped\n",
                path, d.offset, d.length);
    if (s.damaged_records > i)
        fprintf(stderr, "shinsa: warning: %s: %zu more damaged records skipped\n", path,
                s.damaged_records - i);
    if (s.damaged_records > 0)
        fprintf(stderr,
                "shinsa: warning: %s: 'shinsa image check --index %s --repair' keeps every "
                "intact record\n",
                path, path);
    if (s.unscrubbed > 0)
        fprintf(stderr,
                "shinsa: warning: %s: %zu hashes of removed owners are still in the file (a "
                "removal was cut short); the next add, remove or check --repair overwrites "
                "them\n",
                path, s.unscrubbed);
}

static int open_index(const struct image_args *a, enum shn_image_index_mode mode,
                      struct shn_image_index **idx, const char *usage)
{
    struct shn_diag d = {0};
    int rc;
    if (!a->index) {
        fprintf(stderr, "shinsa image: --index is required\n%s", usage);
        return SHN_EXIT_USAGE;
    }
    rc = shn_image_index_open(a->index, mode, idx, &d);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &d);
        return SHN_EXIT_FAILURE;
    }
    warn_damage(*idx, a->index);
    return SHN_EXIT_OK;
}

/* Queries q (and, with --dihedral, forms[0..8)) and prints the matches. */
static int print_matches(struct shn_buf *b, const struct image_args *a,
                         const struct shn_image_index *idx, const char *file,
                         const struct shn_pdq *q, const struct shn_pdq *forms)
{
    struct shn_image_match *m = NULL;
    size_t n = 0;
    char hex[SHN_PDQ_HEX_LEN + 1];
    unsigned flags =
        SHN_IMAGE_QUERY_BEST_PER_OWNER | (a->brute_force ? SHN_IMAGE_QUERY_BRUTE_FORCE : 0);
    int rc = forms ? shn_image_index_query_many(idx, forms, SHN_PDQ_DIHEDRAL_COUNT, a->max_distance,
                                                flags, &m, &n)
                   : shn_image_index_query(idx, q, a->max_distance, flags, &m, &n);

    if (rc != SHN_OK)
        return rc;
    shn_image_pdq_to_hex(q, hex);
    if (a->json) {
        shn_buf_append_char(b, '{');
        if (file) {
            shn_buf_append_str(b, "\"file\": ");
            shn_buf_append_json_string(b, file);
            shn_buf_append_str(b, ", ");
        }
        shn_buf_appendf(b, "\"pdq\": \"%s\", \"matches\": [", hex);
        for (size_t i = 0; i < n; i++) {
            shn_buf_append_str(b, i ? ", {\"owner\": " : "{\"owner\": ");
            shn_buf_append_json_string(b, m[i].owner);
            shn_buf_appendf(b, ", \"distance\": %d}", m[i].distance);
        }
        shn_buf_append_str(b, "]}");
        flush_line(b);
    } else {
        printf("%s %s: %zu match%s\n", file ? file : "hash", hex, n, n == 1 ? "" : "es");
        for (size_t i = 0; i < n; i++)
            printf("  %3d  %s\n", m[i].distance, m[i].owner);
    }
    shn_free(m);
    return SHN_OK;
}

static int cmd_match(int argc, char **argv)
{
    struct image_args a;
    struct shn_image_index *idx = NULL;
    struct shn_buf b;
    int status;

    if (shn_cli_wants_help(argc, argv)) {
        fputs(usage_match, stdout);
        return SHN_EXIT_OK;
    }
    if (parse_args(argc, argv, &a, usage_match) != 0)
        return SHN_EXIT_USAGE;
    if ((a.nfiles == 0) == (a.hash == NULL) || (a.hash && a.dihedral)) {
        fprintf(stderr, "shinsa image match: give FILE... or --hash HEX (no --dihedral)\n%s",
                usage_match);
        return SHN_EXIT_USAGE;
    }
    struct shn_pdq q;
    if (a.hash && shn_image_pdq_from_hex(a.hash, strlen(a.hash), &q) != SHN_OK) {
        fprintf(stderr, "shinsa image match: --hash needs 64 hex digits\n");
        return SHN_EXIT_USAGE;
    }
    status = open_index(&a, SHN_IMAGE_INDEX_READ, &idx, usage_match);
    if (status != SHN_EXIT_OK)
        return status;
    shn_buf_init(&b, OUT_CAP);
    if (a.hash && print_matches(&b, &a, idx, NULL, &q, NULL) != SHN_OK)
        status = SHN_EXIT_FAILURE;
    for (int i = 0; i < a.nfiles; i++) {
        struct shn_image_hash h;
        struct shn_diag d;
        int rc = hash_one(a.files[i], &a, &h, &d);
        if (rc == SHN_OK)
            rc = print_matches(&b, &a, idx, a.files[i], &h.pdq, a.dihedral ? h.dihedral : NULL);
        if (rc != SHN_OK) {
            print_error(&b, a.json, a.files[i], rc, &d);
            status = SHN_EXIT_FAILURE;
        }
    }
    shn_buf_cleanup(&b);
    shn_image_index_close(idx);
    return status;
}

static void print_added(struct shn_buf *b, const struct image_args *a, const char *file,
                        const struct shn_image_record *r)
{
    char hex[SHN_PDQ_HEX_LEN + 1];
    shn_image_pdq_to_hex(&r->pdq, hex);
    if (!a->json) {
        printf("added %s %s\n", hex, file ? file : "");
        return;
    }
    shn_buf_append_char(b, '{');
    if (file) {
        shn_buf_append_str(b, "\"file\": ");
        shn_buf_append_json_string(b, file);
        shn_buf_append_str(b, ", ");
    }
    shn_buf_appendf(b, "\"pdq\": \"%s\", \"quality\": ", hex);
    if (r->quality == SHN_IMAGE_QUALITY_UNKNOWN)
        shn_buf_append_str(b, "null");
    else
        shn_buf_appendf(b, "%d", r->quality);
    shn_buf_append_str(b, ", \"owner\": ");
    shn_buf_append_json_string(b, r->owner);
    shn_buf_append_str(b, ", \"added\": true}");
    flush_line(b);
}

static int cmd_add(int argc, char **argv)
{
    struct image_args a;
    struct shn_image_index *idx = NULL;
    struct shn_buf b;
    struct shn_diag d = {0};
    struct shn_image_record r = {0};
    int status, rc;

    if (shn_cli_wants_help(argc, argv)) {
        fputs(usage_add, stdout);
        return SHN_EXIT_OK;
    }
    if (parse_args(argc, argv, &a, usage_add) != 0)
        return SHN_EXIT_USAGE;
    if (!a.owner || (a.nfiles == 0) == (a.hash == NULL)) {
        fprintf(stderr, "shinsa image add: give --owner and FILE... or --hash HEX\n%s", usage_add);
        return SHN_EXIT_USAGE;
    }
    if (a.hash && shn_image_pdq_from_hex(a.hash, strlen(a.hash), &r.pdq) != SHN_OK) {
        fprintf(stderr, "shinsa image add: --hash needs 64 hex digits\n");
        return SHN_EXIT_USAGE;
    }
    status = open_index(&a, SHN_IMAGE_INDEX_WRITE, &idx, usage_add);
    if (status != SHN_EXIT_OK)
        return status;
    shn_buf_init(&b, OUT_CAP);
    r.owner = a.owner;
    if (a.hash) {
        r.quality = a.quality;
        rc = shn_image_index_add(idx, &r, 1, &d);
        if (rc == SHN_OK)
            print_added(&b, &a, NULL, &r);
        else
            print_error(&b, a.json, "--hash", rc, &d);
        status = rc == SHN_OK ? SHN_EXIT_OK : SHN_EXIT_FAILURE;
    }
    for (int i = 0; i < a.nfiles; i++) {
        struct shn_image_hash h;
        rc = hash_one(a.files[i], &a, &h, &d);
        if (rc == SHN_OK && h.quality < a.min_quality)
            rc = shn_diag_set(&d, SHN_ERR_INVALID, a.files[i], 0, "quality",
                              "quality %d is below the minimum %d: not added", h.quality,
                              a.min_quality);
        if (rc == SHN_OK) {
            r.pdq = h.pdq;
            r.quality = h.quality;
            rc = shn_image_index_add(idx, &r, 1, &d);
        }
        if (rc == SHN_OK) {
            print_added(&b, &a, a.files[i], &r);
        } else {
            print_error(&b, a.json, a.files[i], rc, &d);
            status = SHN_EXIT_FAILURE;
        }
    }
    shn_buf_cleanup(&b);
    if (shn_image_index_close(idx) != SHN_OK) {
        fprintf(stderr, "shinsa: %s: fsync failed\n", a.index);
        status = SHN_EXIT_FAILURE;
    }
    return status;
}

static int cmd_remove(int argc, char **argv)
{
    struct image_args a;
    struct shn_image_index *idx = NULL;
    struct shn_diag d = {0};
    struct shn_buf b;
    size_t removed = 0;
    int status, rc;

    if (shn_cli_wants_help(argc, argv)) {
        fputs(usage_remove, stdout);
        return SHN_EXIT_OK;
    }
    if (parse_args(argc, argv, &a, usage_remove) != 0)
        return SHN_EXIT_USAGE;
    if (!a.owner || a.nfiles > 0) {
        fprintf(stderr, "shinsa image remove: give --owner ID only\n%s", usage_remove);
        return SHN_EXIT_USAGE;
    }
    status = open_index(&a, SHN_IMAGE_INDEX_WRITE, &idx, usage_remove);
    if (status != SHN_EXIT_OK)
        return status;
    rc = shn_image_index_remove(idx, a.owner, &removed, &d);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &d);
        status = SHN_EXIT_FAILURE;
    }
    shn_buf_init(&b, OUT_CAP);
    if (a.json) {
        shn_buf_append_str(&b, "{\"owner\": ");
        shn_buf_append_json_string(&b, a.owner);
        shn_buf_appendf(&b, ", \"removed\": %zu}", removed);
        flush_line(&b);
    } else {
        printf("removed %zu hash%s of %s\n", removed, removed == 1 ? "" : "es", a.owner);
    }
    shn_buf_cleanup(&b);
    if (shn_image_index_close(idx) != SHN_OK)
        status = SHN_EXIT_FAILURE;
    return status;
}

static int cmd_stats(int argc, char **argv)
{
    struct image_args a;
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats s;
    struct shn_buf b;
    int status;

    if (shn_cli_wants_help(argc, argv)) {
        fputs(usage_stats, stdout);
        return SHN_EXIT_OK;
    }
    if (parse_args(argc, argv, &a, usage_stats) != 0)
        return SHN_EXIT_USAGE;
    if (a.nfiles > 0) {
        fprintf(stderr, "shinsa image stats: unexpected operand '%s'\n%s", a.files[0], usage_stats);
        return SHN_EXIT_USAGE;
    }
    status = open_index(&a, SHN_IMAGE_INDEX_READ, &idx, usage_stats);
    if (status != SHN_EXIT_OK)
        return status;
    shn_image_index_stats(idx, &s);
    shn_buf_init(&b, OUT_CAP);
    if (a.json) {
        shn_buf_append_str(&b, "{\"index\": ");
        shn_buf_append_json_string(&b, a.index);
    } else {
        shn_buf_appendf(&b, "index %s:", a.index);
    }
    shn_buf_appendf(
        &b,
        a.json ? ", \"hashes\": %zu, \"owners\": %zu, \"removed\": %zu, "
                 "\"damaged_records\": %zu, \"torn_bytes\": %zu, \"file_bytes\": %" PRIu64 "}"
               : " %zu hashes, %zu owners, %zu removed, %zu damaged records, "
                 "%zu torn bytes ignored, %" PRIu64 " bytes",
        s.hashes, s.owners, s.removed, s.damaged_records, s.torn_bytes, s.file_bytes);
    flush_line(&b);
    shn_buf_cleanup(&b);
    shn_image_index_close(idx);
    return status;
}

static void print_check(struct shn_buf *b, const struct image_args *a,
                        const struct shn_image_index *idx, const struct shn_image_index_stats *s)
{
    struct shn_image_index_damage d;

    if (a->json) {
        shn_buf_append_str(b, "{\"index\": ");
        shn_buf_append_json_string(b, a->index);
        shn_buf_appendf(b,
                        ", \"intact_records\": %zu, \"hashes\": %zu, \"removed\": %zu, "
                        "\"damaged_records\": %zu, \"damaged\": [",
                        s->records, s->hashes, s->removed, s->damaged_records);
        for (size_t i = 0; shn_image_index_damage(idx, i, &d) == SHN_OK; i++)
            shn_buf_appendf(b, "%s{\"offset\": %" PRIu64 ", \"bytes\": %" PRIu64 "}", i ? ", " : "",
                            d.offset, d.length);
        shn_buf_appendf(b, "], \"torn_bytes\": %zu, \"unscrubbed\": %zu, \"file_bytes\": %" PRIu64,
                        s->torn_bytes, s->unscrubbed, s->file_bytes);
        return; /* the caller closes the object */
    }
    printf("index %s: %zu intact records (%zu hashes, %zu removed), %zu damaged records, %zu "
           "torn bytes, %zu unscrubbed hashes of removed owners\n",
           a->index, s->records, s->hashes, s->removed, s->damaged_records, s->torn_bytes,
           s->unscrubbed);
    for (size_t i = 0; shn_image_index_damage(idx, i, &d) == SHN_OK; i++)
        printf("  damaged: byte %" PRIu64 ", %" PRIu64 " bytes\n", d.offset, d.length);
}

static int cmd_check(int argc, char **argv)
{
    struct image_args a;
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats s, after;
    struct shn_diag d = {0};
    struct shn_buf b;
    int status, problems, rewritten = 0, rc = SHN_OK;

    if (shn_cli_wants_help(argc, argv)) {
        fputs(usage_check, stdout);
        return SHN_EXIT_OK;
    }
    if (parse_args(argc, argv, &a, usage_check) != 0)
        return SHN_EXIT_USAGE;
    if (a.nfiles > 0) {
        fprintf(stderr, "shinsa image check: unexpected operand '%s'\n%s", a.files[0], usage_check);
        return SHN_EXIT_USAGE;
    }
    if (!a.index) {
        fprintf(stderr, "shinsa image: --index is required\n%s", usage_check);
        return SHN_EXIT_USAGE;
    }
    /* Read-only first: a check never creates or changes a file. */
    rc = shn_image_index_open(a.index, SHN_IMAGE_INDEX_READ, &idx, &d);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &d);
        return SHN_EXIT_FAILURE;
    }
    shn_image_index_stats(idx, &s);
    problems = s.damaged_records > 0 || s.torn_bytes > 0 || s.unscrubbed > 0;
    shn_buf_init(&b, OUT_CAP);
    print_check(&b, &a, idx, &s);
    shn_image_index_close(idx);
    status = problems ? SHN_EXIT_FAILURE : SHN_EXIT_OK;
    if (a.repair && problems) {
        rc = shn_image_index_repair(a.index, NULL, &after, &rewritten, &d);
        if (rc != SHN_OK)
            shn_cli_report(rc, &d);
        else
            status = SHN_EXIT_OK;
    }
    if (a.json) {
        shn_buf_appendf(&b, ", \"repaired\": %s",
                        a.repair && problems && rc == SHN_OK ? "true" : "false");
        if (a.repair && problems && rc == SHN_OK)
            shn_buf_appendf(&b,
                            ", \"after\": {\"intact_records\": %zu, \"hashes\": %zu, "
                            "\"file_bytes\": %" PRIu64 "}",
                            after.records, after.hashes, after.file_bytes);
        shn_buf_append_char(&b, '}');
        flush_line(&b);
    } else if (a.repair && problems && rc == SHN_OK) {
        printf("repaired %s: %zu intact records kept (%zu hashes), %" PRIu64 " bytes%s\n", a.index,
               after.records, after.hashes, after.file_bytes,
               rewritten ? "" : " (torn tail cut, removals completed; nothing rewritten)");
    } else if (problems && !a.repair) {
        printf("run 'shinsa image check --index %s --repair' to keep every intact record\n",
               a.index);
    }
    shn_buf_cleanup(&b);
    return status;
}

int shn_cli_image(int argc, char **argv)
{
    if (argc < 1) {
        fputs(usage_image, stderr);
        return SHN_EXIT_USAGE;
    }
    if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0 ||
        strcmp(argv[0], "help") == 0) {
        fputs(usage_image, stdout);
        return SHN_EXIT_OK;
    }
    if (strcmp(argv[0], "hash") == 0)
        return cmd_hash(argc - 1, argv + 1);
    if (strcmp(argv[0], "match") == 0)
        return cmd_match(argc - 1, argv + 1);
    if (strcmp(argv[0], "add") == 0)
        return cmd_add(argc - 1, argv + 1);
    if (strcmp(argv[0], "remove") == 0)
        return cmd_remove(argc - 1, argv + 1);
    if (strcmp(argv[0], "stats") == 0)
        return cmd_stats(argc - 1, argv + 1);
    if (strcmp(argv[0], "check") == 0)
        return cmd_check(argc - 1, argv + 1);
    fprintf(stderr, "shinsa image: unknown command '%s'\n%s", argv[0], usage_image);
    return SHN_EXIT_USAGE;
}
