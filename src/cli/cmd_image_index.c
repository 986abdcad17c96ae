/* shinsa image add|remove|stats|check: the verbs that keep an index. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "cmd_image.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/file.h"
#include "shinsa/image.h"

#define INDEX_OPT(dest, what)                                                                      \
    {                                                                                              \
        "--index", SHN_ARG_STRING, dest, .arg = "IDX", .flags = SHN_CLI_REQUIRED, .help = what     \
    }
#define OWNER_OPT(dest, what)                                                                      \
    {                                                                                              \
        "--owner", SHN_ARG_STRING, dest, .arg = "ID", .flags = SHN_CLI_REQUIRED, .help = what      \
    }

/* Adds one record and prints it, or why it was not added. */
static int add_one(struct shn_image_index *idx, struct shn_image_record *r, const char *file,
                   const char *name, bool json, struct shn_buf *out, struct shn_diag *d)
{
    int rc = shn_image_index_add(idx, r, 1, d);

    if (rc == SHN_OK && (json || !shn_cli_quiet()))
        rc = shn_image_added_format(file, r, json, out);
    if (rc == SHN_OK)
        shn__cli_image_flush(out);
    else
        shn__cli_image_failed(out, json, name, rc, d);
    return rc;
}

int shn__cli_image_add(int argc, char **argv)
{
    struct shn_cli_rest files = {0};
    struct shn_image_index *idx = NULL;
    struct shn_image_record r = {0};
    struct shn_diag d = {0};
    struct shn_buf out;
    const char *index = NULL, *hash = NULL;
    long quality = SHN_IMAGE_QUALITY_UNKNOWN, min_quality = SHN_PDQ_MIN_QUALITY;
    bool json = false, exact = false;
    const struct shn_cli_opt opts[] = {
        INDEX_OPT(&index, "the index, created when absent (0600)"),
        OWNER_OPT(&r.owner, "the account the images belong to"),
        {"--hash", SHN_ARG_STRING, &hash, .arg = "HEX",
         .help = "store this PDQ hash (64 hex digits) instead of hashing images"},
        {"--quality", SHN_ARG_INT, &quality, 0, 100,
         "the quality of --hash, unknown when not given", .arg = "Q"},
        {"--min-quality", SHN_ARG_INT, &min_quality, 0, 100, "images below it are refused",
         .arg = "Q"},
        {"--exact", SHN_ARG_FLAG, &exact, .help = SHN_CLI_IMAGE_EXACT_HELP},
        {"--json", SHN_ARG_FLAG, &json,
         .help = "one object a line: {\"file\", \"pdq\", \"quality\", \"owner\", \"added\"}, or "
                 "{\"file\", \"error\"}"},
        {"FILE", SHN_ARG_OPERANDS, &files, .help = "JPEG, PNG or WebP images"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa image add",
        .about = "Hashes each image and stores (hash, quality, owner, time) in the index. Only "
                 "the hash is stored, never the image.",
        .opts = opts};
    int rc, status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    if ((files.argc == 0) == (hash == NULL))
        return shn_cli_usage_error(&spec, "give FILE... or --hash HEX");
    if (hash && shn_image_pdq_from_hex(hash, strlen(hash), &r.pdq) != SHN_OK)
        return shn_cli_usage_error(&spec, "--hash wants 64 hex digits, not '%s'", hash);
    /* the index is written: never over one of the images (issue 12 F2) */
    rc = shn_file_check_output(index, (const char *const *)files.argv, (size_t)files.argc, &d);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &d);
        return SHN_EXIT_FAILURE;
    }
    status = shn__cli_image_open(index, SHN_IMAGE_INDEX_WRITE, &idx);
    if (status != SHN_EXIT_OK)
        return status;
    shn_buf_init(&out, SHN_CLI_IMAGE_OUT_CAP);
    r.quality = (int)quality;
    if (hash && add_one(idx, &r, NULL, "--hash", json, &out, &d) != SHN_OK)
        status = SHN_EXIT_FAILURE;
    for (int i = 0; i < files.argc; i++) {
        struct shn_image_hash h;
        rc = shn__cli_image_hash(files.argv[i], exact, &h, &d);
        if (rc == SHN_OK && h.quality < min_quality)
            rc = shn_diag_set(&d, SHN_ERR_INVALID, files.argv[i], 0, "quality",
                              "quality %d is below the minimum %ld: not added", h.quality,
                              min_quality);
        if (rc == SHN_OK) {
            r.pdq = h.pdq;
            r.quality = h.quality;
            rc = add_one(idx, &r, files.argv[i], files.argv[i], json, &out, &d);
        } else {
            shn__cli_image_failed(&out, json, files.argv[i], rc, &d);
        }
        if (rc != SHN_OK)
            status = SHN_EXIT_FAILURE;
    }
    shn_buf_cleanup(&out);
    if (shn_image_index_close(idx) != SHN_OK) {
        fprintf(stderr, "shinsa: %s: fsync failed\n", index);
        status = SHN_EXIT_FAILURE;
    }
    return status;
}

int shn__cli_image_remove(int argc, char **argv)
{
    struct shn_image_index *idx = NULL;
    struct shn_diag d = {0};
    struct shn_buf out;
    const char *index = NULL, *owner = NULL;
    size_t removed = 0;
    bool json = false;
    const struct shn_cli_opt opts[] = {
        INDEX_OPT(&index, "the index"),
        OWNER_OPT(&owner, "the owner whose hashes go"),
        {"--json", SHN_ARG_FLAG, &json, .help = "{\"owner\", \"removed\"}"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa image remove",
        .about = "Removes every hash of an owner, from memory and from the file (overwritten).",
        .opts = opts};
    int rc, status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    status = shn__cli_image_open(index, SHN_IMAGE_INDEX_WRITE, &idx);
    if (status != SHN_EXIT_OK)
        return status;
    rc = shn_image_index_remove(idx, owner, &removed, &d);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &d);
        status = SHN_EXIT_FAILURE;
    }
    shn_buf_init(&out, SHN_CLI_IMAGE_OUT_CAP);
    if ((json || !shn_cli_quiet()) &&
        shn_image_removed_format(owner, removed, json, &out) == SHN_OK)
        shn__cli_image_flush(&out);
    shn_buf_cleanup(&out);
    if (shn_image_index_close(idx) != SHN_OK)
        status = SHN_EXIT_FAILURE;
    return status;
}

int shn__cli_image_stats(int argc, char **argv)
{
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats s;
    struct shn_buf out;
    const char *index = NULL;
    bool json = false;
    const struct shn_cli_opt opts[] = {
        INDEX_OPT(&index, "the index"),
        {"--json", SHN_ARG_FLAG, &json,
         .help = "{\"index\", \"hashes\", \"owners\", \"removed\", \"damaged_records\", "
                 "\"torn_bytes\", \"file_bytes\"}"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa image stats",
        .about = "Counts of hashes, owners, removed hashes, damaged records and torn bytes.",
        .opts = opts};
    int rc, status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    status = shn__cli_image_open(index, SHN_IMAGE_INDEX_READ, &idx);
    if (status != SHN_EXIT_OK)
        return status;
    shn_image_index_stats(idx, &s);
    shn_buf_init(&out, SHN_CLI_IMAGE_OUT_CAP);
    rc = shn_image_index_stats_format(index, &s, json, &out);
    if (rc == SHN_OK) {
        shn__cli_image_flush(&out);
    } else {
        shn_cli_report(rc, NULL);
        status = SHN_EXIT_FAILURE;
    }
    shn_buf_cleanup(&out);
    shn_image_index_close(idx);
    return status;
}

int shn__cli_image_check(int argc, char **argv)
{
    struct shn_diag d = {0};
    struct shn_buf out;
    const char *index = NULL;
    bool json = false, repair = false, sound = false;
    const struct shn_cli_opt opts[] = {
        INDEX_OPT(&index, "the index (never created)"),
        {"--repair", SHN_ARG_FLAG, &repair,
         .help = "write every intact record (and every removal) into a new file that replaces "
                 "the index atomically; cut a torn append off; complete removals"},
        {"--json", SHN_ARG_FLAG, &json,
         .help = "{\"index\", \"intact_records\", \"hashes\", \"removed\", \"damaged_records\", "
                 "\"damaged\": [{\"offset\", \"bytes\"}], \"torn_bytes\", \"unscrubbed\", "
                 "\"file_bytes\", \"repaired\", \"after\"}"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa image check",
        .about = "Reads the whole index and reports its intact records, damaged records (each "
                 "with its byte offset), the bytes of a torn last append, and hashes of removed "
                 "owners that a crash left in the file.",
        .opts = opts,
        .epilog = "Exit status: 0 when the index is sound (or was repaired), 1 when damage was "
                  "found or the repair failed (a damaged file header cannot be repaired), 2 on "
                  "a bad command line."};
    int rc, status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    shn_buf_init(&out, SHN_CLI_IMAGE_OUT_CAP);
    rc = shn_image_index_check(index, repair, json, &out, &sound, &d);
    shn__cli_image_flush(&out);
    if (rc != SHN_OK)
        shn_cli_report(rc, &d);
    shn_buf_cleanup(&out);
    return rc == SHN_OK && sound ? SHN_EXIT_OK : SHN_EXIT_FAILURE;
}
