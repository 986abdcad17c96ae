/* shinsa link build|add|show|export: argument parsing and output only; the
 * normalisation, clustering and explanations live in src/link. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/err.h"
#include "shinsa/core/file.h"
#include "shinsa/link.h"

#define OUT_CAP ((size_t)1 << 31)

static const char usage_link[] =
    "usage: shinsa link COMMAND [ARGS]\n"
    "\n"
    "Groups accounts and threat-intel personas that share identifiers (wallets,\n"
    "phones, ID documents, emails, devices, handles, IPs) into operator clusters,\n"
    "and says what joined them.\n"
    "\n"
    "commands:\n"
    "  build   --events FILE [--personas FILE] --out LINKDB [--region CC] [--json]\n"
    "  add     --db LINKDB [--events FILE] [--personas FILE] [--json]   incremental\n"
    "  show    --db LINKDB ACCOUNT|CLUSTER [--json] [--unmask]\n"
    "  export  --db LINKDB --format graphml|gexf|json [--unmask]\n"
    "\n"
    "'shinsa link COMMAND --help' for a command. Formats: docs/link.md.\n";

static const char usage_build[] =
    "usage: shinsa link build --events FILE [--personas FILE] --out LINKDB\n"
    "                         [--region JP|KR|CN|US|RU] [--json]\n"
    "\n"
    "Reads account events and persona records (JSON Lines), clusters them and\n"
    "writes the link database. Bad lines are reported as file:line: field:\n"
    "message and skipped; the good ones load. --region is the default phone\n"
    "region for national numbers (JP). Exit 1 when a line was bad.\n";

static const char usage_add[] =
    "usage: shinsa link add --db LINKDB [--events FILE] [--personas FILE] [--json]\n"
    "\n"
    "Adds new events or personas to a link database and updates only the\n"
    "clusters they touch. The database is replaced atomically.\n";

static const char usage_show[] =
    "usage: shinsa link show --db LINKDB ACCOUNT|CLUSTER [--json] [--unmask]\n"
    "\n"
    "The cluster of an account (or a cluster by its id): members, and every join\n"
    "with its identifier kind, masked value, weight and how many accounts share\n"
    "it. --json prints {\"account\", \"cluster\", \"members\", \"joins\": [{\"a\", \"b\",\n"
    "\"kind\", \"value\", \"weight\", \"shared_by\"}], \"ignored\"}. --unmask shows values\n"
    "in full. Exit 1 when the account or cluster is unknown.\n";

static const char usage_export[] =
    "usage: shinsa link export --db LINKDB --format graphml|gexf|json [--unmask]\n"
    "\n"
    "Every account in a cluster of two or more, and every join, on stdout\n"
    "(GraphML and GEXF open in Gephi).\n";

struct link_args {
    const char *events, *personas, *out, *db, *format, *region;
    int json, unmask;
    int nrest;
    char **rest;
};

/* Parses the options every subcommand shares; returns -1 to go on, or the
 * exit code. */
static int parse_args(int argc, char **argv, const char *usage, struct link_args *a)
{
    static const struct option opts[] = {
        {"events", required_argument, 0, 'e'}, {"personas", required_argument, 0, 'p'},
        {"out", required_argument, 0, 'o'},    {"db", required_argument, 0, 'd'},
        {"format", required_argument, 0, 'f'}, {"region", required_argument, 0, 'r'},
        {"json", no_argument, 0, 'j'},         {"unmask", no_argument, 0, 'u'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    int opt;
    memset(a, 0, sizeof *a);
    optind = 0;
    for (;;) {
        opt = getopt_long(argc, argv, "h", opts, NULL);
        if (opt == -1)
            break;
        switch (opt) {
        case 'h':
            fputs(usage, stdout);
            return SHN_EXIT_OK;
        case 'e':
            a->events = optarg;
            break;
        case 'p':
            a->personas = optarg;
            break;
        case 'o':
            a->out = optarg;
            break;
        case 'd':
            a->db = optarg;
            break;
        case 'f':
            a->format = optarg;
            break;
        case 'r':
            a->region = optarg;
            break;
        case 'j':
            a->json = 1;
            break;
        case 'u':
            a->unmask = 1;
            break;
        default:
            fputs(usage, stderr);
            return SHN_EXIT_USAGE;
        }
    }
    a->nrest = argc - optind;
    a->rest = argv + optind;
    return -1;
}

static void print_bad(void *ctx, const struct shn_diag *d)
{
    char msg[512];
    size_t *shown = ctx;
    if (++*shown > 20)
        return; /* the count says the rest */
    shn_diag_format(d, msg, sizeof msg);
    fprintf(stderr, "shinsa: %s\n", msg);
}

/* Loads one input file into the graph; returns the number of bad lines
 * through *bad, or an error. */
static int load_file(struct shn_link *l, const char *path, int personas, size_t *bad, size_t *good)
{
    struct shn_mapped_file m = {0};
    struct shn_diag diag = {0};
    struct shn_link_load_stats st = {0};
    size_t shown = 0;
    int rc = shn_file_map(path, &m, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        return rc;
    }
    if (personas)
        rc = shn_link_load_personas(l, (const char *)m.data, m.size, path, print_bad, &shown, &st);
    else
        rc = shn_link_load_events(l, (const char *)m.data, m.size, path, print_bad, &shown, &st);
    shn_file_unmap(&m);
    if (shown > 20)
        fprintf(stderr, "shinsa: %s: %zu more bad lines not shown\n", path, shown - 20);
    if (rc != SHN_OK) {
        fprintf(stderr, "shinsa: %s: %s\n", path, shn_strerror(rc));
        return rc;
    }
    *bad += st.bad;
    *good += st.good;
    return SHN_OK;
}

static int load_inputs(struct shn_link *l, const struct link_args *a, size_t *bad, size_t *good)
{
    int rc = SHN_OK;
    if (a->events)
        rc = load_file(l, a->events, 0, bad, good);
    if (rc == SHN_OK && a->personas)
        rc = load_file(l, a->personas, 1, bad, good);
    return rc;
}

/* One writer at a time per database (concurrent adds wait their turn
 * instead of losing each other's data), and never an input as the output. */
static int lock_db(const char *path, const struct link_args *a, struct shn_file_lock *lock)
{
    const char *inputs[] = {a->events, a->personas};
    struct shn_diag diag = {0};
    int rc = shn_file_check_output(path, inputs, 2, &diag);

    if (rc == SHN_OK)
        rc = shn_file_lock(path, SHN_FILE_LOCK_WAIT, lock, &diag);
    if (rc != SHN_OK)
        shn_cli_report(rc, &diag);
    return rc;
}

static int save_and_report(struct shn_link *l, const char *path, const struct link_args *a,
                           size_t bad, size_t good)
{
    struct shn_diag diag = {0};
    struct shn_link_stats st;
    int rc = shn_link_save(l, path, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        return SHN_EXIT_FAILURE;
    }
    shn_link_stats(l, &st);
    if (a->json) {
        struct shn_buf b;
        shn_buf_init(&b, 1 << 16);
        rc = shn_buf_append_str(&b, "{\"db\": ");
        rc = rc ? rc : shn_buf_append_json_string(&b, path);
        rc = rc ? rc
                : shn_buf_appendf(&b,
                                  ", \"lines\": %zu, \"bad_lines\": %zu, \"nodes\": %zu, "
                                  "\"identifiers\": %zu, \"clusters\": %zu, \"largest\": %zu, "
                                  "\"ignored_identifiers\": %zu}\n",
                                  good, bad, st.nodes, st.identifiers, st.clusters, st.largest,
                                  st.ignored);
        if (rc == SHN_OK)
            fputs(b.data, stdout);
        shn_buf_cleanup(&b);
        if (rc != SHN_OK)
            return SHN_EXIT_FAILURE;
    } else
        printf("%s: %zu lines loaded, %zu bad; %zu accounts and personas, %zu identifiers, "
               "%zu clusters of two or more (largest %zu); %zu identifiers ignored as shared "
               "by too many\n",
               path, good, bad, st.nodes, st.identifiers, st.clusters, st.largest, st.ignored);
    return bad ? SHN_EXIT_FAILURE : SHN_EXIT_OK;
}

static int cmd_build(int argc, char **argv)
{
    struct link_args a;
    struct shn_link_options opt;
    struct shn_link *l = NULL;
    struct shn_file_lock lock = {0};
    size_t bad = 0, good = 0;
    int status = parse_args(argc, argv, usage_build, &a);
    if (status >= 0)
        return status;
    if (!a.events || !a.out || a.nrest) {
        fputs(usage_build, stderr);
        return SHN_EXIT_USAGE;
    }
    shn_link_options_default(&opt);
    if (a.region) {
        static const char *const regions[] = {"JP", "KR", "CN", "US", "RU"};
        bool known = false;
        for (size_t k = 0; k < sizeof regions / sizeof regions[0]; k++)
            known = known || strcmp(a.region, regions[k]) == 0;
        if (!known) {
            fprintf(stderr, "shinsa: --region: one of JP KR CN US RU\n");
            return SHN_EXIT_USAGE;
        }
        memcpy(opt.region, a.region, 3);
    }
    status = SHN_EXIT_FAILURE;
    if (lock_db(a.out, &a, &lock) != SHN_OK || shn_link_new(&opt, &l) != SHN_OK)
        goto out;
    if (load_inputs(l, &a, &bad, &good) != SHN_OK)
        goto out;
    status = save_and_report(l, a.out, &a, bad, good);
out:
    shn_link_free(l);
    shn_file_unlock(&lock);
    return status;
}

static int open_db(const char *path, struct shn_link **l)
{
    struct shn_diag diag = {0};
    int rc = shn_link_open(path, l, &diag);
    if (rc != SHN_OK)
        shn_cli_report(rc, &diag);
    return rc;
}

static int cmd_add(int argc, char **argv)
{
    struct link_args a;
    struct shn_link *l = NULL;
    struct shn_file_lock lock = {0};
    size_t bad = 0, good = 0;
    int status = parse_args(argc, argv, usage_add, &a);
    if (status >= 0)
        return status;
    if (!a.db || (!a.events && !a.personas) || a.nrest) {
        fputs(usage_add, stderr);
        return SHN_EXIT_USAGE;
    }
    status = SHN_EXIT_FAILURE;
    if (lock_db(a.db, &a, &lock) != SHN_OK || open_db(a.db, &l) != SHN_OK)
        goto out;
    if (load_inputs(l, &a, &bad, &good) != SHN_OK)
        goto out;
    status = save_and_report(l, a.db, &a, bad, good);
out:
    shn_link_free(l);
    shn_file_unlock(&lock);
    return status;
}

static int cmd_show(int argc, char **argv)
{
    struct link_args a;
    struct shn_link *l = NULL;
    struct shn_buf out;
    int rc, status = parse_args(argc, argv, usage_show, &a);
    if (status >= 0)
        return status;
    if (!a.db || a.nrest != 1) {
        fputs(usage_show, stderr);
        return SHN_EXIT_USAGE;
    }
    shn_buf_init(&out, OUT_CAP);
    status = SHN_EXIT_FAILURE;
    if (open_db(a.db, &l) != SHN_OK)
        goto out;
    if (a.json)
        rc = shn_link_show_json(l, a.rest[0], a.unmask, &out);
    else
        rc = shn_link_show_text(l, a.rest[0], a.unmask, &out);
    if (rc == SHN_ERR_NOT_FOUND) {
        fprintf(stderr, "shinsa: '%s' is neither an account nor a cluster in %s\n", a.rest[0],
                a.db);
        goto out;
    }
    if (rc != SHN_OK) {
        fprintf(stderr, "shinsa: %s\n", shn_strerror(rc));
        goto out;
    }
    fwrite(out.data, 1, out.len, stdout);
    status = SHN_EXIT_OK;
out:
    shn_buf_cleanup(&out);
    shn_link_free(l);
    return status;
}

static int cmd_export(int argc, char **argv)
{
    struct link_args a;
    struct shn_link *l = NULL;
    struct shn_buf out;
    enum shn_link_format fmt;
    int rc, status = parse_args(argc, argv, usage_export, &a);
    if (status >= 0)
        return status;
    if (!a.db || !a.format || a.nrest) {
        fputs(usage_export, stderr);
        return SHN_EXIT_USAGE;
    }
    if (strcmp(a.format, "graphml") == 0) {
        fmt = SHN_LINK_GRAPHML;
    } else if (strcmp(a.format, "gexf") == 0) {
        fmt = SHN_LINK_GEXF;
    } else if (strcmp(a.format, "json") == 0) {
        fmt = SHN_LINK_JSON;
    } else {
        fprintf(stderr, "shinsa: --format: graphml, gexf or json\n");
        return SHN_EXIT_USAGE;
    }
    shn_buf_init(&out, OUT_CAP);
    status = SHN_EXIT_FAILURE;
    if (open_db(a.db, &l) != SHN_OK)
        goto out;
    rc = shn_link_export(l, fmt, a.unmask, &out);
    if (rc != SHN_OK) {
        fprintf(stderr, "shinsa: %s\n", shn_strerror(rc));
        goto out;
    }
    fwrite(out.data ? out.data : "", 1, out.len, stdout);
    status = SHN_EXIT_OK;
out:
    shn_buf_cleanup(&out);
    shn_link_free(l);
    return status;
}

int shn_cli_link(int argc, char **argv)
{
    if (argc < 1) {
        fputs(usage_link, stderr);
        return SHN_EXIT_USAGE;
    }
    if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0 ||
        strcmp(argv[0], "help") == 0) {
        fputs(usage_link, stdout);
        return SHN_EXIT_OK;
    }
    if (strcmp(argv[0], "build") == 0)
        return cmd_build(argc, argv);
    if (strcmp(argv[0], "add") == 0)
        return cmd_add(argc, argv);
    if (strcmp(argv[0], "show") == 0)
        return cmd_show(argc, argv);
    if (strcmp(argv[0], "export") == 0)
        return cmd_export(argc, argv);
    fprintf(stderr, "shinsa link: unknown command '%s'\n%s", argv[0], usage_link);
    return SHN_EXIT_USAGE;
}
