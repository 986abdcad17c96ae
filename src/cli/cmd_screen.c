/* shinsa screen: one query from options, or a batch from JSON Lines. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/log.h"
#include "shinsa/screen.h"

#define MAX_OUTPUT (16u << 20) /* bytes of one result */

static int open_index(const char *path, struct shn_screen_index **idx)
{
    struct shn_diag diag = {0};
    int rc = shn_screen_index_open(path, idx, &diag);

    if (rc == SHN_OK)
        return SHN_EXIT_OK;
    shn_cli_report(rc, &diag);
    if (rc == SHN_ERR_IO)
        fprintf(stderr,
                "shinsa: build an index first: shinsa lists build [--out %s] "
                "--ofac-csv DIR --un-xml FILE ... (or run 'make demo')\n",
                path);
    return SHN_EXIT_FAILURE;
}

/* One result per line of `path`, in order; stops early when stdout fails. */
static int run_batch(const struct shn_screen_index *idx, const char *path,
                     const struct shn_screen_query *defaults)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    struct shn_screen_result r;
    struct shn_buf out;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0, errors = 0, done = 0;
    int status = SHN_EXIT_OK;

    if (!in) {
        fprintf(stderr, "shinsa: cannot open %s\n", path);
        return SHN_EXIT_FAILURE;
    }
    shn_screen_result_init(&r);
    shn_buf_init(&out, MAX_OUTPUT);
    while (!shn_cli_output_failed() && (len = getline(&line, &cap, in)) >= 0) {
        struct shn_diag diag = {0};
        int rc = shn_screen_batch_line(idx, line, (size_t)len, ++lineno, defaults, &r, &out, &diag);
        if (out.len)
            puts(out.data);
        if (rc != SHN_OK) {
            diag.file = path;
            shn_cli_report(rc, &diag);
            errors++;
        }
        if (out.len)
            shn_progress("screening", (unsigned long long)++done, 0);
    }
    shn_progress_end("screening", (unsigned long long)done);
    if (ferror(in)) {
        fprintf(stderr, "shinsa: cannot read %s\n", path);
        status = SHN_EXIT_FAILURE;
    }
    if (errors) {
        fprintf(stderr, "shinsa: %ld of %ld lines had errors\n", errors, lineno);
        status = SHN_EXIT_FAILURE;
    }
    if (shn_cli_output_failed())
        status = SHN_EXIT_FAILURE;
    free(line); /* getline's own allocation */
    if (in != stdin)
        fclose(in);
    shn_buf_cleanup(&out);
    shn_screen_result_cleanup(&r);
    return status;
}

static int run_one(const struct shn_screen_index *idx, const struct shn_screen_query *q, bool json)
{
    struct shn_screen_result r;
    struct shn_buf out;
    int rc, status = SHN_EXIT_FAILURE;

    shn_screen_result_init(&r);
    shn_buf_init(&out, MAX_OUTPUT);
    rc = shn_screen_query(idx, q, &r);
    if (rc != SHN_OK) {
        fprintf(stderr, "shinsa: %s\n", shn_screen_query_error(rc));
        status = rc == SHN_ERR_INVALID ? SHN_EXIT_USAGE : SHN_EXIT_FAILURE;
        goto out;
    }
    rc = json ? shn_screen_result_json(idx, q, &r, &out) : shn_screen_result_text(idx, q, &r, &out);
    if (rc != SHN_OK) {
        shn_cli_report(rc, NULL);
        goto out;
    }
    fputs(out.data, stdout);
    if (json)
        putchar('\n');
    status = SHN_EXIT_OK;
out:
    shn_buf_cleanup(&out);
    shn_screen_result_cleanup(&r);
    return status;
}

int shn_cli_screen(int argc, char **argv)
{
    struct shn_screen_query q = {0};
    struct shn_screen_index *idx = NULL;
    const char *index = NULL, *file = NULL;
    double threshold = SHN_SCREEN_DEFAULT_THRESHOLD;
    long limit = SHN_SCREEN_DEFAULT_LIMIT;
    bool json = false;
    const struct shn_cli_opt opts[] = {
        {"--index", SHN_ARG_STRING, &index, .arg = "INDEX",
         .help = "the index file (default: $SHINSA_DATA_DIR/screen.idx)"},
        {"--name", SHN_ARG_STRING, &q.name, .arg = "NAME",
         .help = "a name in any script: 리만건, リ・マンゴン, Lee Man-geon..."},
        {"--reading", SHN_ARG_STRING, &q.reading, .arg = "KANA",
         .help = "the kana reading of a Japanese name (furigana)"},
        {"--dob", SHN_ARG_STRING, &q.dob, .arg = "DATE",
         .help = "birth date: YYYY-MM-DD, YYYY-MM or YYYY"},
        {"--nationality", SHN_ARG_STRING, &q.nationality, .arg = "CC",
         .help = "ISO 3166 code (KP) or country name"},
        {"--id", SHN_ARG_STRING, &q.id, .arg = "NUMBER",
         .help = "passport, national ID or other document number"},
        {"--crypto", SHN_ARG_STRING, &q.crypto, .arg = "ADDRESS",
         .help = "a crypto address (EVM case-insensitive)"},
        {"--email", SHN_ARG_STRING, &q.email, .arg = "E", .help = "an email (custom lists)"},
        {"--phone", SHN_ARG_STRING, &q.phone, .arg = "P", .help = "a phone number (custom lists)"},
        {"--handle", SHN_ARG_STRING, &q.handle, .arg = "H", .help = "a handle (custom lists)"},
        {"--threshold", SHN_ARG_NUMBER, &threshold, 0.01, 1.0, "minimum score for a hit",
         .arg = "T"},
        {"--limit", SHN_ARG_INT, &limit, 1, 100000, "at most N hits per query", .arg = "N"},
        {"--file", SHN_ARG_STRING, &file, .arg = "FILE",
         .help = "one JSON query per line with the fields above (name, reading, dob, "
                 "nationality, id, crypto, email, phone, handle); '-' for standard input. "
                 "One JSON result per line, in order; a bad line gives "
                 "{\"line\": N, \"error\": ...}"},
        {"--json", SHN_ARG_FLAG, &json, .help = "machine-readable output (always on with --file)"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa screen",
        .about = "Screens a person, organisation or identifier against the watchlist index: give "
                 "--name (with any of --reading, --dob, --nationality), an identifier, or --file.",
        .opts = opts,
        .epilog =
            "Exit status: 0 when screening ran (with or without hits), 1 on errors, 2 on a bad "
            "command line."};
    int status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    if (!file && !q.name && !q.id && !q.crypto && !q.email && !q.phone && !q.handle)
        return shn_cli_usage_error(&spec, "screen needs --name, an identifier, or --file");
    q.threshold = threshold;
    q.limit = (int)limit;
    status = open_index(index ? index : shn_cli_default_index(0), &idx);
    if (status == SHN_EXIT_OK)
        status = file ? run_batch(idx, file, &q) : run_one(idx, &q, json);
    shn_screen_index_close(idx);
    return status;
}
