/* shinsa image hash|match and the group; add, remove, stats and check are
 * in cmd_image_index.c. Decoding, hashing, matching and every line printed
 * come from src/image. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "cmd_image.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/image.h"

int shn__cli_image_hash(const char *file, bool exact, struct shn_image_hash *h, struct shn_diag *d)
{
    struct shn_image_options o = {0};

    o.exact = exact;
    memset(d, 0, sizeof *d);
    return shn_image_hash_file(file, &o, h, d);
}

void shn__cli_image_flush(struct shn_buf *out)
{
    fwrite(out->data ? out->data : "", 1, out->len, stdout);
    shn_buf_reset(out);
}

void shn__cli_image_failed(struct shn_buf *out, bool json, const char *file, int rc,
                           const struct shn_diag *d)
{
    char text[512];

    if (d && d->message[0])
        shn_diag_format(d, text, sizeof text);
    else
        snprintf(text, sizeof text, "%s: %s", file ? file : "", shn_strerror(rc));
    if (json && shn_image_error_json(file, text, out) == SHN_OK)
        shn__cli_image_flush(out);
    shn_buf_reset(out);
    fprintf(stderr, "shinsa: %s\n", text);
}

int shn__cli_image_open(const char *path, enum shn_image_index_mode mode,
                        struct shn_image_index **idx)
{
    struct shn_diag d = {0};
    int rc = shn_image_index_open(path, mode, idx, &d);

    if (rc != SHN_OK) {
        shn_cli_report(rc, &d);
        return SHN_EXIT_FAILURE;
    }
    shn_image_index_warn_damage(*idx, path);
    return SHN_EXIT_OK;
}

static int cmd_hash(int argc, char **argv)
{
    struct shn_cli_rest files = {0};
    struct shn_buf out;
    bool json = false, exact = false;
    const struct shn_cli_opt opts[] = {
        {"--json", SHN_ARG_FLAG, &json,
         .help = "one object a line: {\"file\", \"pdq\", \"quality\", \"width\", \"height\"}, or "
                 "{\"file\", \"error\"}"},
        {"--exact", SHN_ARG_FLAG, &exact, .help = SHN_CLI_IMAGE_EXACT_HELP},
        {"FILE", SHN_ARG_OPERANDS, &files, 1, .help = "JPEG, PNG or WebP images"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa image hash",
        .about = "Prints the PDQ hash (64 hex digits), quality (0-100; below 50 is unreliable) "
                 "and size of each image, with its EXIF orientation applied.",
        .opts = opts,
        .epilog = "Exit status: 0 when every file was hashed, 1 when any failed, 2 on a bad "
                  "command line."};
    int status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    status = SHN_EXIT_OK;
    shn_buf_init(&out, SHN_CLI_IMAGE_OUT_CAP);
    for (int i = 0; i < files.argc; i++) {
        struct shn_image_hash h;
        struct shn_diag d;
        int rc = shn__cli_image_hash(files.argv[i], exact, &h, &d);
        if (rc == SHN_OK)
            rc = shn_image_hash_format(files.argv[i], &h, json, &out);
        if (rc == SHN_OK) {
            shn__cli_image_flush(&out);
        } else {
            shn__cli_image_failed(&out, json, files.argv[i], rc, &d);
            status = SHN_EXIT_FAILURE;
        }
    }
    shn_buf_cleanup(&out);
    return status;
}

struct match_args {
    bool json, dihedral, brute_force, exact;
    long max_distance;
};

/* Queries q (with dihedral forms, the eight of them) and prints the matches. */
static int match_one(const struct match_args *a, const struct shn_image_index *idx,
                     const char *file, const struct shn_pdq *q, const struct shn_pdq *forms,
                     struct shn_buf *out)
{
    struct shn_image_match *m = NULL;
    size_t n = 0;
    unsigned flags =
        SHN_IMAGE_QUERY_BEST_PER_OWNER | (a->brute_force ? SHN_IMAGE_QUERY_BRUTE_FORCE : 0);
    int rc = forms ? shn_image_index_query_many(idx, forms, SHN_PDQ_DIHEDRAL_COUNT,
                                                (int)a->max_distance, flags, &m, &n)
                   : shn_image_index_query(idx, q, (int)a->max_distance, flags, &m, &n);

    if (rc == SHN_OK)
        rc = shn_image_matches_format(file, q, m, n, a->json, out);
    if (rc == SHN_OK)
        shn__cli_image_flush(out);
    shn_free(m);
    return rc;
}

static int cmd_match(int argc, char **argv)
{
    struct match_args a = {.max_distance = SHN_PDQ_MATCH_DISTANCE};
    struct shn_cli_rest files = {0};
    struct shn_image_index *idx = NULL;
    struct shn_pdq q;
    struct shn_buf out;
    const char *index = NULL, *hash = NULL;
    const struct shn_cli_opt opts[] = {
        {"--index", SHN_ARG_STRING, &index, .arg = "IDX", .flags = SHN_CLI_REQUIRED,
         .help = "the index (image add --index)"},
        {"--max-distance", SHN_ARG_INT, &a.max_distance, 0, 256,
         "Hamming distance within which a stored hash matches", .arg = "D"},
        {"--hash", SHN_ARG_STRING, &hash, .arg = "HEX",
         .help = "a PDQ hash (64 hex digits) instead of images"},
        {"--dihedral", SHN_ARG_FLAG, &a.dihedral,
         .help = "also find rotated and mirrored copies (the 8 dihedral forms of each image; not "
                 "with --hash)"},
        {"--brute-force", SHN_ARG_FLAG, &a.brute_force,
         .help = "scan every hash instead of using the index (same results)"},
        {"--exact", SHN_ARG_FLAG, &a.exact, .help = SHN_CLI_IMAGE_EXACT_HELP},
        {"--json", SHN_ARG_FLAG, &a.json,
         .help = "one object a line: {\"file\", \"pdq\", \"matches\": [{\"owner\", "
                 "\"distance\"}]}"},
        {"FILE", SHN_ARG_OPERANDS, &files, .help = "images to look up"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa image match",
        .about = "Finds every owner with a stored hash near each image (or --hash), nearest "
                 "first.",
        .opts = opts};
    int status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    if ((files.argc == 0) == (hash == NULL) || (hash && a.dihedral))
        return shn_cli_usage_error(&spec, "give FILE... or --hash HEX (no --dihedral)");
    if (hash && shn_image_pdq_from_hex(hash, strlen(hash), &q) != SHN_OK)
        return shn_cli_usage_error(&spec, "--hash wants 64 hex digits, not '%s'", hash);
    status = shn__cli_image_open(index, SHN_IMAGE_INDEX_READ, &idx);
    if (status != SHN_EXIT_OK)
        return status;
    shn_buf_init(&out, SHN_CLI_IMAGE_OUT_CAP);
    if (hash) {
        int rc = match_one(&a, idx, NULL, &q, NULL, &out);
        if (rc != SHN_OK) {
            shn_cli_report(rc, NULL);
            status = SHN_EXIT_FAILURE;
        }
    }
    for (int i = 0; i < files.argc; i++) {
        struct shn_image_hash h;
        struct shn_diag d;
        int rc = shn__cli_image_hash(files.argv[i], a.exact, &h, &d);
        if (rc == SHN_OK)
            rc = match_one(&a, idx, files.argv[i], &h.pdq, a.dihedral ? h.dihedral : NULL, &out);
        if (rc != SHN_OK) {
            shn__cli_image_failed(&out, a.json, files.argv[i], rc, &d);
            status = SHN_EXIT_FAILURE;
        }
    }
    shn_buf_cleanup(&out);
    shn_image_index_close(idx);
    return status;
}

static const struct shn_cli_command verbs[] = {
    {"hash", cmd_hash, "PDQ hashes of images (JPEG, PNG, WebP)"},
    {"match", cmd_match, "near-duplicates of images or hashes in an index"},
    {"add", shn__cli_image_add, "add an owner's image hashes to an index"},
    {"remove", shn__cli_image_remove, "forget every hash of an owner"},
    {"stats", shn__cli_image_stats, "counts of an index"},
    {"check", shn__cli_image_check, "find (and with --repair drop) damaged records"},
    {0}};

int shn_cli_image(int argc, char **argv)
{
    const struct shn_cli_spec group = {
        .usage = "shinsa image",
        .about = "PDQ perceptual hashes of identity-document images, and an index of them that "
                 "finds the same image re-uploaded by several accounts. Image bytes are never "
                 "stored (docs/image.md).",
        .epilog = "Exit status: 0 on success, 1 on errors, 2 on a bad command line.",
        .commands = verbs};

    return shn_cli_dispatch(&group, argc - 1, argv + 1);
}
