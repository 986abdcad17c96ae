/* shinsa screen: one query from options, or a batch from JSON Lines. */
#define _GNU_SOURCE
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/log.h"
#include "shinsa/screen.h"

#define MAX_LINE (64 * 1024)

static const char usage[] =
    "usage: shinsa screen [--index INDEX] --name NAME [--reading KANA] [--dob DATE]\n"
    "                     [--nationality CC] [--id NUMBER] [--crypto ADDRESS]\n"
    "                     [--email E] [--phone P] [--handle H]\n"
    "                     [--threshold T] [--limit N] [--json]\n"
    "       shinsa screen [--index INDEX] --file QUERIES.jsonl [--threshold T] [--limit N]\n"
    "\n"
    "Screens a person, organisation or identifier against the watchlist index.\n"
    "  --index INDEX      index file (default: $SHINSA_DATA_DIR/screen.idx)\n"
    "  --name NAME        a name in any script: 리만건, リ・マンゴン, Lee Man-geon...\n"
    "  --reading KANA     the kana reading of a Japanese name (furigana)\n"
    "  --dob DATE         birth date: YYYY-MM-DD, YYYY-MM or YYYY\n"
    "  --nationality CC   ISO 3166 code (KP) or country name\n"
    "  --id NUMBER        passport, national ID or other document number\n"
    "  --crypto ADDRESS   a crypto address (EVM case-insensitive)\n"
    "  --email, --phone, --handle   identifiers from custom lists\n"
    "  --threshold T      minimum score for a hit, 0-1 (default 0.85)\n"
    "  --limit N          at most N hits per query (default 10)\n"
    "  --file FILE        one JSON query per line with the fields above (name,\n"
    "                     reading, dob, nationality, id, crypto, email, phone,\n"
    "                     handle); '-' for standard input. One JSON result per\n"
    "                     line, in order; a bad line gives {\"line\": N, \"error\": ...}\n"
    "  --json             machine-readable output (always on with --file)\n"
    "\n"
    "Exit status: 0 when screening ran (with or without hits), 1 on errors,\n"
    "2 on a bad command line.\n";

static void print_text(const struct shn_screen_index *idx, const struct shn_screen_query *q,
                       const struct shn_screen_result *r)
{
    printf("query:");
    if (q->name)
        printf(" name '%s'", q->name);
    if (q->reading)
        printf(" reading '%s'", q->reading);
    if (q->dob)
        printf(" dob %s", q->dob);
    if (q->nationality)
        printf(" nationality %s", q->nationality);
    if (q->id)
        printf(" id %s", q->id);
    if (q->crypto)
        printf(" crypto %s", q->crypto);
    if (q->email)
        printf(" email %s", q->email);
    if (q->phone)
        printf(" phone %s", q->phone);
    if (q->handle)
        printf(" handle %s", q->handle);
    putchar('\n');
    if (!r->n_hits) {
        printf("  no hits at threshold %.2f\n",
               q->threshold > 0 ? q->threshold : SHN_SCREEN_DEFAULT_THRESHOLD);
        return;
    }
    for (size_t i = 0; i < r->n_hits; i++) {
        const struct shn_screen_hit *h = &r->hits[i];
        printf("%3zu. %.3f  %-22s %-13s %s\n", i + 1, h->score,
               shn_screen_entity_id(idx, h->entity),
               shn_screen_kind_name(shn_screen_entity_kind(idx, h->entity)),
               shn_screen_entity_name(idx, h->entity));
        printf("       source %s; matched '%s'\n", shn_screen_entity_source(idx, h->entity),
               h->matched);
        for (int w = 0; w < h->n_why; w++)
            printf("       - %s\n", h->why[w]);
    }
}

static const char *query_error(int rc)
{
    if (rc == SHN_ERR_INVALID)
        return "invalid query: no field given, a field over 1024 bytes, or a bad date";
    return shn_strerror(rc);
}

static const char *str_field(json_t *obj, const char *key, int *bad)
{
    json_t *v = json_object_get(obj, key);

    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

static int run_batch(const struct shn_screen_index *idx, const char *path, double threshold,
                     long limit)
{
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    struct shn_screen_result r;
    struct shn_buf out;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0, errors = 0, done = 0;

    if (!in) {
        fprintf(stderr, "shinsa: cannot open %s\n", path);
        return SHN_EXIT_FAILURE;
    }
    shn_screen_result_init(&r);
    shn_buf_init(&out, 16 << 20);
    while ((len = getline(&line, &cap, in)) >= 0) {
        struct shn_screen_query q = {.threshold = threshold, .limit = (int)limit};
        json_error_t jerr;
        json_t *obj = NULL;
        int bad = 0, rc;

        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len)
            continue;
        shn_buf_reset(&out);
        if (len > MAX_LINE) {
            printf("{\"line\": %ld, \"error\": \"line longer than %d bytes\"}\n", lineno, MAX_LINE);
            errors++;
            continue;
        }
        obj = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &jerr);
        if (!obj || !json_is_object(obj)) {
            shn_buf_appendf(&out, "{\"line\": %ld, \"error\": ", lineno);
            shn_buf_append_json_string(&out, obj ? "not a JSON object" : jerr.text);
            printf("%s}\n", out.data);
            fprintf(stderr, "shinsa: %s:%ld: %s\n", path, lineno,
                    obj ? "not a JSON object" : jerr.text);
            json_decref(obj);
            errors++;
            continue;
        }
        q.name = str_field(obj, "name", &bad);
        q.reading = str_field(obj, "reading", &bad);
        q.dob = str_field(obj, "dob", &bad);
        q.nationality = str_field(obj, "nationality", &bad);
        q.id = str_field(obj, "id", &bad);
        q.crypto = str_field(obj, "crypto", &bad);
        q.email = str_field(obj, "email", &bad);
        q.phone = str_field(obj, "phone", &bad);
        q.handle = str_field(obj, "handle", &bad);
        rc = bad ? SHN_ERR_INVALID : shn_screen_query(idx, &q, &r);
        if (rc == SHN_OK && shn_screen_result_json(idx, &q, &r, &out) == SHN_OK) {
            puts(out.data);
        } else {
            const char *msg = bad ? "a query field is not a string" : query_error(rc);
            printf("{\"line\": %ld, \"error\": \"%s\"}\n", lineno, msg);
            fprintf(stderr, "shinsa: %s:%ld: %s\n", path, lineno, msg);
            errors++;
        }
        json_decref(obj);
        done++;
        shn_progress("screening", (unsigned long long)done, 0);
    }
    shn_progress_end("screening", (unsigned long long)done);
    if (errors)
        fprintf(stderr, "shinsa: %ld of %ld lines had errors\n", errors, lineno);
    free(line);
    if (in != stdin)
        fclose(in);
    shn_buf_cleanup(&out);
    shn_screen_result_cleanup(&r);
    return errors ? SHN_EXIT_FAILURE : SHN_EXIT_OK;
}

int shn_cli_screen(int argc, char **argv)
{
    static const struct option opts[] = {{"index", required_argument, 0, 'i'},
                                         {"name", required_argument, 0, 'n'},
                                         {"reading", required_argument, 0, 'r'},
                                         {"dob", required_argument, 0, 'd'},
                                         {"nationality", required_argument, 0, 'N'},
                                         {"id", required_argument, 0, 'I'},
                                         {"crypto", required_argument, 0, 'c'},
                                         {"email", required_argument, 0, 'e'},
                                         {"phone", required_argument, 0, 'p'},
                                         {"handle", required_argument, 0, 'H'},
                                         {"threshold", required_argument, 0, 't'},
                                         {"limit", required_argument, 0, 'l'},
                                         {"file", required_argument, 0, 'f'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct shn_screen_query q = {0};
    struct shn_screen_index *idx = NULL;
    struct shn_screen_result r;
    struct shn_diag diag = {0};
    const char *index = NULL, *file = NULL;
    double threshold = 0;
    long limit = 0;
    int json = 0, opt, rc, status = SHN_EXIT_FAILURE;

    optind = 1;
    while ((opt = getopt_long(argc + 1, argv - 1, "+h", opts, NULL)) != -1) {
        switch (opt) {
        case 'h':
            fputs(usage, stdout);
            return SHN_EXIT_OK;
        case 'i':
            index = optarg;
            break;
        case 'n':
            q.name = optarg;
            break;
        case 'r':
            q.reading = optarg;
            break;
        case 'd':
            q.dob = optarg;
            break;
        case 'N':
            q.nationality = optarg;
            break;
        case 'I':
            q.id = optarg;
            break;
        case 'c':
            q.crypto = optarg;
            break;
        case 'e':
            q.email = optarg;
            break;
        case 'p':
            q.phone = optarg;
            break;
        case 'H':
            q.handle = optarg;
            break;
        case 'f':
            file = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 't':
            if (shn_cli_parse_double("--threshold", optarg, 0.01, 1.0, &threshold) != 0)
                return SHN_EXIT_USAGE;
            break;
        case 'l':
            if (shn_cli_parse_int("--limit", optarg, 1, 100000, &limit) != 0)
                return SHN_EXIT_USAGE;
            break;
        default:
            fputs(usage, stderr);
            return SHN_EXIT_USAGE;
        }
    }
    if (optind < argc + 1) {
        fprintf(stderr, "shinsa: unexpected argument '%s'\n%s", argv[optind - 1], usage);
        return SHN_EXIT_USAGE;
    }
    if (!file && !q.name && !q.id && !q.crypto && !q.email && !q.phone && !q.handle) {
        fprintf(stderr, "shinsa: screen needs --name, an identifier, or --file\n%s", usage);
        return SHN_EXIT_USAGE;
    }
    if (!index)
        index = shn_cli_default_index(0);
    rc = shn_screen_index_open(index, &idx, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        if (rc == SHN_ERR_IO)
            fprintf(stderr,
                    "shinsa: build an index first: shinsa lists build [--out %s] "
                    "--ofac-csv DIR --un-xml FILE ... (or run 'make demo')\n",
                    index);
        return SHN_EXIT_FAILURE;
    }
    if (file) {
        status = run_batch(idx, file, threshold, limit);
        shn_screen_index_close(idx);
        return status;
    }
    q.threshold = threshold;
    q.limit = (int)limit;
    shn_screen_result_init(&r);
    rc = shn_screen_query(idx, &q, &r);
    if (rc != SHN_OK) {
        fprintf(stderr, "shinsa: %s\n", query_error(rc));
        status = rc == SHN_ERR_INVALID ? SHN_EXIT_USAGE : SHN_EXIT_FAILURE;
    } else if (json) {
        struct shn_buf out;
        shn_buf_init(&out, 16 << 20);
        if (shn_screen_result_json(idx, &q, &r, &out) == SHN_OK) {
            puts(out.data);
            status = SHN_EXIT_OK;
        }
        shn_buf_cleanup(&out);
    } else {
        print_text(idx, &q, &r);
        status = SHN_EXIT_OK;
    }
    shn_screen_result_cleanup(&r);
    shn_screen_index_close(idx);
    return status;
}
