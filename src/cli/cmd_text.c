/* shinsa text check: how natural a Japanese text reads, with the spans
 * that give it away marked. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/file.h"
#include "shinsa/core/utf8.h"
#include "shinsa/text.h"

static const char usage[] =
    "usage: shinsa text check [--json] [--lines] [--model MODEL] [FILE|-]\n"
    "\n"
    "Scores how natural a Japanese text reads (1 = natural) and lists the\n"
    "spans that look wrong: simplified Chinese or Hangul, spaces between words,\n"
    "word sequences natural Japanese does not use, doubled particles, mixed\n"
    "politeness, translation calques, unknown words, half-width katakana and\n"
    "Western punctuation. Reads FILE, or standard input when FILE is - or absent.\n"
    "  --json         {\"score\": S, \"findings\": [{\"start\", \"end\", \"kind\", \"en\", "
    "\"ja\"}]}\n"
    "                 (start and end are character offsets, end exclusive)\n"
    "  --lines        each input line is one text; one result per line\n"
    "  --model MODEL  the natural-Japanese model (default: $SHINSA_TEXT_MODEL,\n"
    "                 else the one the build trained)\n"
    "\n"
    "Exit status: 0 when the check ran (whatever the score), 1 on errors,\n"
    "2 on a bad command line.\n";

static void print_marked(const char *text, size_t len, const struct shn_text_result *r, bool tty)
{
    size_t ci = 0;

    for (size_t i = 0; i <= len;) {
        /* closes, then opens, at character ci */
        for (size_t k = 0; k < r->count; k++)
            if (r->findings[k].end == ci && r->findings[k].end > r->findings[k].start)
                printf(tty ? "\033[0m[%zu]" : "»[%zu]", k + 1);
        for (size_t k = 0; k < r->count; k++)
            if (r->findings[k].start == ci && r->findings[k].end > r->findings[k].start)
                fputs(tty ? "\033[1;4;31m" : "«", stdout);
        if (i == len)
            break;
        uint32_t cp;
        size_t used = shn_utf8_decode(text + i, len - i, &cp);
        if (used == 0) {
            fputs("\xEF\xBF\xBD", stdout);
            used = 1;
        } else {
            fwrite(text + i, 1, used, stdout);
        }
        i += used;
        ci++;
    }
    if (len == 0 || text[len - 1] != '\n')
        putchar('\n');
}

static void print_text(const char *text, size_t len, const struct shn_text_result *r, long line)
{
    bool tty = isatty(STDOUT_FILENO);

    if (line > 0)
        printf("line %ld: ", line);
    printf("score %.3f (%s), %zu finding%s; script mix: kana %.0f%% kanji %.0f%% "
           "hangul %.0f%% latin %.0f%% other %.0f%%\n",
           r->score, r->score < SHN_TEXT_DEFAULT_THRESHOLD ? "unnatural" : "natural",
           r->total_findings, r->total_findings == 1 ? "" : "s", r->mix.kana * 100,
           r->mix.han * 100, r->mix.hangul * 100, r->mix.latin * 100, r->mix.other * 100);
    if (r->count) {
        print_marked(text, len, r, tty);
        for (size_t k = 0; k < r->count; k++) {
            const struct shn_text_finding *f = &r->findings[k];
            printf("  [%zu] %zu-%zu %s (-%.2f): %s\n       %s\n", k + 1, f->start, f->end,
                   shn_text_kind_name(f->kind), f->weight, f->en, f->ja);
        }
    }
}

static int check_one(struct shn_text_engine *eng, const char *text, size_t len, bool json,
                     long line, struct shn_buf *b)
{
    struct shn_text_result r;
    int rc = shn_text_check(eng, text, len, &r);

    if (rc != SHN_OK) {
        if (json && line > 0) {
            printf("{\"line\": %ld, \"error\": \"%s\"}\n", line, shn_strerror(rc));
            return SHN_OK;
        }
        return rc;
    }
    if (json) {
        shn_buf_reset(b);
        rc = shn_text_result_json(&r, b);
        if (rc == SHN_OK)
            printf("%.*s\n", (int)b->len, b->data);
    } else {
        print_text(text, len, &r, line);
    }
    shn_text_result_cleanup(&r);
    return rc;
}

static int run_lines(struct shn_text_engine *eng, FILE *in, bool json, struct shn_buf *b)
{
    char *line = NULL;
    size_t alloc = 0;
    ssize_t n;
    long no = 0;
    int rc = SHN_OK;

    while (rc == SHN_OK && (n = getline(&line, &alloc, in)) >= 0) {
        no++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            n--;
        rc = check_one(eng, line, (size_t)n, json, no, b);
    }
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

int shn_cli_text(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, 0, 'j'},
                                         {"lines", no_argument, 0, 'l'},
                                         {"model", required_argument, 0, 'm'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct shn_text_options o = {0};
    struct shn_text_engine *eng = NULL;
    struct shn_diag diag = {0};
    struct shn_buf b;
    const char *path = "-";
    char *data = NULL;
    size_t len = 0;
    bool json = false, lines = false;
    int opt, rc, status = SHN_EXIT_FAILURE;
    FILE *in = NULL;

    shn_buf_init(&b, 16u << 20);
    if (argc < 1 || strcmp(argv[0], "check") != 0) {
        if (argc >= 1 && (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)) {
            fputs(usage, stdout);
            return SHN_EXIT_OK;
        }
        fputs(usage, stderr);
        return SHN_EXIT_USAGE;
    }
    optind = 1;
    while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            fputs(usage, stdout);
            return SHN_EXIT_OK;
        case 'j':
            json = true;
            break;
        case 'l':
            lines = true;
            break;
        case 'm':
            o.model_path = optarg;
            break;
        default:
            fputs(usage, stderr);
            return SHN_EXIT_USAGE;
        }
    }
    if (optind < argc)
        path = argv[optind++];
    if (optind < argc) {
        fputs(usage, stderr);
        return SHN_EXIT_USAGE;
    }
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
