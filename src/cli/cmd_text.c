/* shinsa text check: how natural a Japanese text reads, with the spans
 * that give it away marked. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "args.h"
#include "cli.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/file.h"
#include "shinsa/text.h"

/* Checks one text and prints its result; in a JSON batch (line > 0) a
 * failed check prints an error object in the line's place instead. */
static int check_one(struct shn_text_engine *eng, const char *text, size_t len, bool json,
                     long line, struct shn_buf *b)
{
    unsigned flags = isatty(STDOUT_FILENO) ? SHN_TEXT_FORMAT_COLOR : 0;
    struct shn_text_result r;
    int rc = shn_text_check(eng, text, len, &r);

    shn_buf_reset(b);
    if (rc != SHN_OK && !(json && line > 0))
        return rc;
    if (rc != SHN_OK) {
        rc = shn_text_line_error_json(line, rc, b);
    } else {
        rc = json ? shn_text_result_json(&r, b)
                  : shn_text_result_text(text, len, &r, line, flags, b);
        shn_text_result_cleanup(&r);
    }
    if (rc == SHN_OK) {
        fwrite(b->data, 1, b->len, stdout);
        if (json)
            putchar('\n');
    }
    return rc;
}

/* One result per line; stops early when stdout fails (main reports it). */
static int run_lines(struct shn_text_engine *eng, FILE *in, bool json, struct shn_buf *b)
{
    char *line = NULL;
    size_t alloc = 0;
    ssize_t n;
    long no = 0;
    int rc = SHN_OK;

    while (rc == SHN_OK && !shn_cli_output_failed() && (n = getline(&line, &alloc, in)) >= 0) {
        no++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        rc = check_one(eng, line, (size_t)n, json, no, b);
    }
    if (rc == SHN_OK && ferror(in))
        rc = SHN_ERR_IO;
    free(line); /* getline's own allocation */
    return rc;
}

/* The whole of a file or of standard input, at most SHN_TEXT_MAX_BYTES. */
static int read_all(const char *path, char **data, size_t *len, struct shn_diag *diag)
{
    struct shn_buf b;
    char chunk[65536];
    size_t n;
    int rc = SHN_OK;

    if (strcmp(path, "-") != 0)
        return shn_file_read(path, SHN_TEXT_MAX_BYTES, data, len, diag);
    shn_buf_init(&b, SHN_TEXT_MAX_BYTES);
    while (rc == SHN_OK && (n = fread(chunk, 1, sizeof chunk, stdin)) > 0)
        rc = shn_buf_append(&b, chunk, n);
    if (rc == SHN_OK && ferror(stdin))
        rc = SHN_ERR_IO;
    if (rc == SHN_OK)
        rc = shn_buf_append_char(&b, '\0');
    if (rc != SHN_OK) {
        shn_buf_cleanup(&b);
        return rc;
    }
    *data = b.data;
    *len = b.len - 1;
    return SHN_OK;
}

static int cmd_check(int argc, char **argv)
{
    struct shn_text_options o = {0};
    struct shn_text_engine *eng = NULL;
    struct shn_diag diag = {0};
    struct shn_buf b;
    const char *path = "-";
    char *data = NULL;
    size_t len = 0;
    bool json = false, lines = false;
    FILE *in = NULL;
    const struct shn_cli_opt opts[] = {
        {"--json", SHN_ARG_FLAG, &json,
         .help = "{\"score\": S, \"findings\": [{\"start\", \"end\", \"kind\", \"en\", "
                 "\"ja\"}]} (start and end are character offsets, end exclusive)"},
        {"--lines", SHN_ARG_FLAG, &lines,
         .help = "each input line is one text; one result per line"},
        {"--model", SHN_ARG_STRING, &o.model_path, .arg = "MODEL",
         .help = "the natural-Japanese model (default: $SHINSA_TEXT_MODEL, else the one the "
                 "build trained)"},
        {"FILE", SHN_ARG_STRING, &path, .help = "the text; - for standard input"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa text check",
        .about =
            "Scores how natural a Japanese text reads (1 = natural) and lists the spans that look "
            "wrong: simplified Chinese or Hangul, spaces between words, word sequences natural "
            "Japanese does not use, doubled particles, mixed politeness, translation calques, "
            "unknown words, half-width katakana and Western punctuation.",
        .opts = opts,
        .epilog = "Exit status: 0 when the check ran (whatever the score), 1 on errors, 2 on a bad "
                  "command line."};
    int rc, status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    status = SHN_EXIT_FAILURE;
    shn_buf_init(&b, 16u << 20);
    rc = shn_text_engine_open(&o, &eng, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        goto out;
    }
    if (lines) {
        in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
        if (!in) {
            fprintf(stderr, "shinsa: %s: cannot open\n", path);
            goto out;
        }
        rc = run_lines(eng, in, json, &b);
    } else {
        rc = read_all(path, &data, &len, &diag);
        if (rc == SHN_OK)
            rc = check_one(eng, data, len, json, 0, &b);
    }
    if (rc != SHN_OK) {
        if (!diag.file && strcmp(path, "-") != 0)
            diag.file = path;
        shn_cli_report(rc, &diag);
        goto out;
    }
    status = SHN_EXIT_OK;
out:
    if (in && in != stdin)
        fclose(in);
    shn_free(data);
    shn_buf_cleanup(&b);
    shn_text_engine_free(eng);
    return status;
}

static const struct shn_cli_command verbs[] = {
    {"check", cmd_check, "how natural a Japanese text reads, with the odd spans marked"}, {0}};

int shn_cli_text(int argc, char **argv)
{
    const struct shn_cli_spec group = {
        .usage = "shinsa text",
        .about = "Japanese naturalness: a score and the spans that give a text away.",
        .commands = verbs};

    return shn_cli_dispatch(&group, argc - 1, argv + 1);
}
