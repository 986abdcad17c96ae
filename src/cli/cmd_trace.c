/* shinsa trace: import transfer CSV files into a graph, run taint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/file.h"
#include "shinsa/core/log.h"
#include "shinsa/sample.h"
#include "shinsa/screen.h"
#include "shinsa/trace.h"

#define MAX_INPUT ((size_t)64 << 30) /* bytes in one transfer or label file */
#define MAX_FILES 1024
#define MAX_OUTPUT ((size_t)1 << 32)

static int add_sanctioned(void *ctx, const char *entity, const char *asset, const char *address)
{
    if (strlen(address) > SHN_TRACE_MAX_ADDRESS_LEN)
        return SHN_OK;
    return shn_trace_builder_add_label(ctx, address, SHN_TRACE_KIND_SANCTIONED, "OFAC SDN");
}

/* OFAC's sanctioned addresses, read by the screen engine's list loader, as
 * `sanctioned` labels of the graph. */
static int load_sanctioned(struct shn_trace_builder *b, const char *dir, struct shn_diag *diag)
{
    struct shn_listset *set = NULL;
    int rc;

    rc = shn_screen_listset_new(&set);
    if (rc == SHN_OK)
        rc = shn_screen_load_crypto_dir(set, dir, diag);
    if (rc == SHN_OK)
        rc = shn_screen_listset_each_crypto(set, add_sanctioned, b);
    shn_screen_listset_free(set);
    return rc;
}

/* Prints what an engine appended to `out`, or reports why it could not. */
static int print(int rc, const struct shn_buf *out, const struct shn_diag *diag)
{
    if (rc != SHN_OK) {
        shn_cli_report(rc, diag);
        return SHN_EXIT_FAILURE;
    }
    fwrite(out->data, 1, out->len, stdout);
    return SHN_EXIT_OK;
}

static int build(struct shn_trace_builder *b, const struct shn_cli_list *files,
                 const struct shn_cli_list *labels, const char *sdir, bool strict,
                 struct shn_diag *diag)
{
    int rc = SHN_OK;

    for (size_t i = 0; rc == SHN_OK && i < files->n; i++)
        rc = shn_trace_builder_add_file(b, files->v[i], MAX_INPUT, strict, diag);
    for (size_t i = 0; rc == SHN_OK && i < labels->n; i++) {
        char *data = NULL;
        size_t len = 0;
        rc = shn_file_read(labels->v[i], MAX_INPUT, &data, &len, diag);
        if (rc == SHN_OK)
            rc = shn_trace_builder_add_labels_csv(b, data, len, labels->v[i], strict, diag);
        shn_free(data);
    }
    if (rc == SHN_OK && sdir)
        rc = load_sanctioned(b, sdir, diag);
    return rc;
}

static int cmd_import(int argc, char **argv)
{
    struct shn_cli_list files = {0}, labels = {0};
    struct shn_trace_builder *b = NULL;
    struct shn_trace_import_stats st;
    struct shn_diag diag = {0};
    struct shn_buf out;
    const char *graph = NULL, *sdir = NULL;
    bool json = false, strict = false;
    const struct shn_cli_opt opts[] = {
        {"--transfers", SHN_ARG_VALUES, &files, 1, MAX_FILES, .arg = "FILE",
         .help = "transfer files (more may follow the option): ethereum-etl transactions.csv "
                 "or token_transfers.csv, or generic time,tx,from,to,asset,amount"},
        {"--out", SHN_ARG_STRING, &graph, .arg = "GRAPH", .flags = SHN_CLI_REQUIRED,
         .help = "graph file to write (atomically)"},
        {"--labels", SHN_ARG_LIST, &labels, 0, MAX_FILES, .arg = "FILE",
         .help = "address,kind,name (kinds: exchange, mixer, bridge, dex, defi, sanctioned, "
                 "hacker, other); repeatable"},
        {"--sanctioned-dir", SHN_ARG_STRING, &sdir, .arg = "DIR",
         .help = "OFAC sanctioned_addresses_<ASSET>.txt files, loaded as 'sanctioned' labels"},
        {"--strict", SHN_ARG_FLAG, &strict,
         .help = "fail on the first bad row (default: report, count, skip)"},
        {"--json", SHN_ARG_FLAG, &json, .help = "the import statistics as one JSON object"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa trace import",
        .about = "Compiles transfer CSV files and labels into one graph file.",
        .opts = opts};
    int rc, status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    shn_buf_init(&out, 1 << 16);
    rc = shn_trace_builder_new(&b);
    if (rc == SHN_OK)
        rc = build(b, &files, &labels, sdir, strict, &diag);
    if (rc == SHN_OK)
        rc = shn_trace_builder_write(b, graph, &diag);
    if (rc == SHN_OK) {
        shn_trace_builder_stats(b, &st);
        rc = shn_trace_import_stats_format(&st, graph, json, &out);
    }
    status = print(rc, &out, &diag);
    shn_trace_builder_free(b);
    shn_buf_cleanup(&out);
    return status;
}

/* ---- run, report, exposure ------------------------------------------ */

struct run_args {
    const char *graph, *sources_file, *asset, *prefix, *target;
    struct shn_cli_list sources;
    struct shn_trace_opts o;
    bool check, load, json;
    long max_hops, paths;
    uint32_t ids[SHN_TRACE_MAX_SOURCES];
};

/* In the order of enum shn_trace_method, so that the choice is the value. */
static const char *const methods[] = {"poison", "haircut", "fifo", NULL};
_Static_assert(SHN_TRACE_POISON == 0 && SHN_TRACE_HAIRCUT == 1 && SHN_TRACE_FIFO == 2,
               "methods[] follows enum shn_trace_method");

static int parse_since(const char *s, void *dest)
{
    return shn_trace_time_parse(s, strlen(s), dest) == SHN_OK ? 0 : -1;
}

static int parse_units(const char *s, void *dest)
{
    return shn_trace_u128_parse(s, strlen(s), dest) == SHN_OK ? 0 : -1;
}

static int parse_amount(const char *s, void *dest)
{
    struct shn_trace_opts *o = dest;

    if (parse_units(s, &o->amount) != 0)
        return -1;
    o->has_amount = true;
    return 0;
}

static int parse_stops(const char *s, void *dest)
{
    char word[32];
    uint32_t mask = 0;

    if (strcmp(s, "none") == 0) {
        *(uint32_t *)dest = 0;
        return 0;
    }
    while (*s) {
        size_t n = strcspn(s, ",");
        int kind;
        if (n == 0 || n >= sizeof word)
            return -1;
        memcpy(word, s, n);
        word[n] = '\0';
        kind = shn_trace_kind_parse(word);
        if (kind < 0)
            return -1;
        mask |= 1u << kind;
        s += n + (s[n] == ',');
    }
    *(uint32_t *)dest = mask;
    return 0;
}

#define RUN_TABLE_MAX 24 /* entries of a run table, with the verb's own and the end */

/* The table of run, report and exposure: the options they share, then the
 * verb's own (`own`, ending with {0}). --source is VALUES for run and
 * report (--source A B C) and LIST for exposure, whose positional ADDRESS
 * must not be taken for a source. */
static void run_table(struct run_args *a, int source_kind, const struct shn_cli_opt *own,
                      struct shn_cli_opt *opts)
{
    const struct shn_cli_opt common[] = {
        {"--graph", SHN_ARG_STRING, &a->graph, .arg = "GRAPH", .flags = SHN_CLI_REQUIRED,
         .help = "the graph file (trace import --out)"},
        {"--source", source_kind, &a->sources, 0, SHN_TRACE_MAX_SOURCES, .arg = "ADDR",
         .help = source_kind == SHN_ARG_VALUES ? "source addresses (repeatable; more may follow)"
                                               : "a source address (repeatable)"},
        {"--sources-file", SHN_ARG_STRING, &a->sources_file, .arg = "FILE",
         .help = "one source address a line ('#' comments)"},
        {"--method", SHN_ARG_CHOICE, &a->o.method, .arg = "METHOD", .choices = methods,
         .help = "how taint mixes with clean funds (docs/trace.md)"},
        {"--since", SHN_ARG_CUSTOM, &a->o.since, .arg = "TIME", .parse = parse_since,
         .want = "Unix seconds or ISO 8601 UTC", .help = "start at this time"},
        {"--amount", SHN_ARG_CUSTOM, &a->o, .arg = "N", .parse = parse_amount,
         .want = "an unsigned integer in base units",
         .help = "only the first N base units of --asset that the sources send are stolen"},
        {"--asset", SHN_ARG_STRING, &a->asset, .arg = "A", .help = "the asset of --amount"},
        {"--dust", SHN_ARG_CUSTOM, &a->o.dust, .arg = "N", .parse = parse_units,
         .want = "an unsigned integer in base units",
         .help = "tainted parts below N base units are not followed"},
        {"--max-hops", SHN_ARG_INT, &a->max_hops, 1, 1000000, "stop N hops from the sources",
         .arg = "N"},
        {"--stop", SHN_ARG_CUSTOM, &a->o.stop_kinds, .arg = "KINDS", .parse = parse_stops,
         .want = "label kinds (exchange,mixer,bridge,dex,defi,sanctioned,hacker,other) or 'none'",
         .help = "label kinds that hold taint, comma-separated (default exchange,bridge; 'none' "
                 "for none)"},
        {"--check", SHN_ARG_FLAG, &a->check,
         .help = "verify conservation of taint; exit 1 if violated"},
        {"--load", SHN_ARG_FLAG, &a->load,
         .help = "copy the graph into memory (2 MB pages) instead of using its mapping: slower "
                 "to open, 10-15% faster on big graphs"},
        {"--json", SHN_ARG_FLAG, &a->json, .help = "the JSON object of docs/trace.md"},
    };
    size_t n = sizeof common / sizeof *common;

    memcpy(opts, common, sizeof common);
    for (size_t k = 0; own[k].name && n + 1 < RUN_TABLE_MAX; k++)
        opts[n++] = own[k];
    memset(&opts[n], 0, sizeof opts[n]);
}

/* Parses, then checks what the table cannot say. */
static int parse_run(const struct shn_cli_spec *spec, struct run_args *a, int argc, char **argv)
{
    int status = shn_cli_parse(spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    if (!a->sources.n && !a->sources_file)
        return shn_cli_usage_error(spec, "%s needs --source ADDR or --sources-file FILE",
                                   spec->usage + strlen("shinsa "));
    if (a->o.has_amount && !a->asset)
        return shn_cli_usage_error(spec, "--amount needs --asset");
    a->o.max_hops = (uint32_t)a->max_hops;
    return SHN_CLI_RUN;
}

/* Opens the graph, resolves the sources and runs the taint pass. */
static int start(struct run_args *a, bool flows, struct shn_trace_graph **g,
                 struct shn_trace_result *res)
{
    unsigned how = a->load ? SHN_TRACE_OPEN_LOAD : SHN_TRACE_OPEN_MAP;
    struct shn_diag diag = {0};
    size_t n = 0;
    int rc = shn_trace_graph_open_ex(a->graph, how, g, &diag);

    for (size_t i = 0; rc == SHN_OK && i < a->sources.n; i++)
        rc = shn_trace_sources_add(*g, a->sources.v[i], NULL, a->ids, &n, &diag);
    if (rc == SHN_OK && a->sources_file)
        rc = shn_trace_sources_read(*g, a->sources_file, a->ids, &n, &diag);
    if (rc == SHN_OK && a->asset && shn_trace_graph_find_asset(*g, a->asset, &a->o.amount_asset))
        rc = shn_diag_set(&diag, SHN_ERR_NOT_FOUND, NULL, 0, "", "asset %s is not in the graph",
                          a->asset);
    a->o.sources = a->ids;
    a->o.n_sources = n;
    a->o.record_flows = flows;
    if (rc == SHN_OK)
        rc = shn_trace_run(*g, &a->o, res, &diag);
    if (rc == SHN_OK && a->check)
        rc = shn_trace_check(*g, res, &diag);
    if (rc == SHN_OK && a->check)
        shn_log(SHN_LOG_INFO, "conservation check passed (%zu tainted address-assets)",
                res->n_entries);
    if (rc != SHN_OK)
        shn_cli_report(rc, &diag);
    return rc == SHN_OK ? SHN_EXIT_OK : SHN_EXIT_FAILURE;
}

/* What a verb makes of a finished run, appended to `out`. */
typedef int (*run_output)(struct run_args *a, const struct shn_trace_graph *g,
                          const struct shn_trace_result *res, struct shn_buf *out,
                          struct shn_diag *diag);

/* Parse (the shared table and the verb's `own` entries), run, output,
 * print. Frees `a`. */
static int run_verb(struct run_args *a, const struct shn_cli_spec *verb, int source_kind,
                    const struct shn_cli_opt *own, bool flows, run_output output, int argc,
                    char **argv)
{
    struct shn_cli_opt opts[RUN_TABLE_MAX];
    struct shn_cli_spec spec = *verb;
    struct shn_trace_graph *g = NULL;
    struct shn_trace_result res = {0};
    struct shn_diag diag = {0};
    struct shn_buf out;
    int rc, status;

    run_table(a, source_kind, own, opts);
    spec.opts = opts;
    shn_buf_init(&out, MAX_OUTPUT);
    status = parse_run(&spec, a, argc, argv);
    if (status == SHN_CLI_RUN)
        status = start(a, flows, &g, &res);
    if (status == SHN_EXIT_OK) {
        rc = output(a, g, &res, &out, &diag);
        status = print(rc, &out, &diag);
    }
    shn_trace_result_cleanup(&res);
    shn_trace_graph_close(g);
    shn_buf_cleanup(&out);
    shn_free(a);
    return status;
}

static struct run_args *run_args_new(void)
{
    struct run_args *a = shn_calloc(1, sizeof *a); /* 52 KB: not on the stack */

    if (a) {
        a->o.method = SHN_TRACE_HAIRCUT;
        a->o.stop_kinds = SHN_TRACE_DEFAULT_STOPS;
        a->paths = 5;
    }
    return a;
}

static int run_print(struct run_args *a, const struct shn_trace_graph *g,
                     const struct shn_trace_result *res, struct shn_buf *out, struct shn_diag *diag)
{
    return a->json ? shn_trace_result_json(g, &a->o, res, out)
                   : shn_trace_result_text(g, &a->o, res, out);
}

static int cmd_run(int argc, char **argv)
{
    struct run_args *a = run_args_new();
    const struct shn_cli_opt own[] = {{0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa trace run",
        .about = "One pass over the transfers in time order from the sources: which addresses hold "
                 "taint, how much, and where it left (exits)."};

    if (!a)
        return SHN_EXIT_FAILURE;
    return run_verb(a, &spec, SHN_ARG_VALUES, own, false, run_print, argc, argv);
}

static int report_write(struct run_args *a, const struct shn_trace_graph *g,
                        const struct shn_trace_result *res, struct shn_buf *out,
                        struct shn_diag *diag)
{
    return shn_trace_report_write(g, &a->o, res, a->prefix, out, diag);
}

static int cmd_report(int argc, char **argv)
{
    struct run_args *a = run_args_new();
    const struct shn_cli_spec spec = {
        .usage = "shinsa trace report",
        .about =
            "A run written as PREFIX.json (the run object plus \"patterns\": fan-out, peel-chain, "
            "rapid-pass-through, short-lived, consolidation, each with its evidence) and "
            "PREFIX.html (self-contained: exits, patterns, a chart of the main paths)."};

    if (!a)
        return SHN_EXIT_FAILURE;
    const struct shn_cli_opt own[] = {{"--out", SHN_ARG_STRING, &a->prefix, .arg = "PREFIX",
                                       .flags = SHN_CLI_REQUIRED,
                                       .help = "writes PREFIX.json and PREFIX.html"},
                                      {0}};
    return run_verb(a, &spec, SHN_ARG_VALUES, own, true, report_write, argc, argv);
}

static int exposure_print(struct run_args *a, const struct shn_trace_graph *g,
                          const struct shn_trace_result *res, struct shn_buf *out,
                          struct shn_diag *diag)
{
    struct shn_trace_path *paths = NULL;
    size_t n_paths = 0;
    uint32_t target;
    int rc = SHN_OK;

    if (shn_trace_graph_find(g, a->target, &target) != SHN_OK)
        rc = shn_diag_set(diag, SHN_ERR_NOT_FOUND, NULL, 0, "", "address %s is not in the graph",
                          a->target);
    if (rc == SHN_OK)
        rc = shn_trace_exposure_paths(g, &a->o, res, target, (size_t)a->paths, &paths, &n_paths);
    if (rc == SHN_OK)
        rc = shn_trace_exposure_json(g, &a->o, res, target, paths, n_paths, out);
    shn_free(paths);
    return rc;
}

static int cmd_exposure(int argc, char **argv)
{
    struct run_args *a = run_args_new();
    const struct shn_cli_spec spec = {
        .usage = "shinsa trace exposure",
        .about = "How much of what ADDRESS received derives from the sources, and the heaviest "
                 "paths that brought it (one JSON object)."};

    if (!a)
        return SHN_EXIT_FAILURE;
    const struct shn_cli_opt own[] = {
        {"--paths", SHN_ARG_INT, &a->paths, 1, 64, "the N heaviest paths", .arg = "N"},
        {"ADDRESS", SHN_ARG_STRING, &a->target, .flags = SHN_CLI_REQUIRED,
         .help = "the address whose exposure is asked"},
        {0}};
    return run_verb(a, &spec, SHN_ARG_LIST, own, true, exposure_print, argc, argv);
}

/* ---- gen ------------------------------------------------------------ */

static int cmd_gen(int argc, char **argv)
{
    struct shn_sample_trace_case_opts o = {0};
    struct shn_diag diag = {0};
    const char *dir = NULL;
    long transfers = (long)SHN_SAMPLE_TRACE_CASE_TRANSFERS, fanout = SHN_SAMPLE_TRACE_CASE_FANOUT,
         seed = 0;
    const struct shn_cli_opt opts[] = {
        {"--out", SHN_ARG_STRING, &dir, .arg = "DIR", .flags = SHN_CLI_REQUIRED,
         .help = "the folder to write"},
        {"--transfers", SHN_ARG_INT, &transfers, (double)SHN_SAMPLE_TRACE_CASE_TRANSFERS_MIN,
         4000000000.0, "background transfers", .arg = "N"},
        {"--fanout", SHN_ARG_INT, &fanout, SHN_SAMPLE_TRACE_CASE_FANOUT_MIN,
         SHN_SAMPLE_TRACE_CASE_FANOUT_MAX, "fresh addresses the thief splits into", .arg = "N"},
        {"--seed", SHN_ARG_INT, &seed, 1, 4611686018427387904.0, "random seed (default fixed)",
         .arg = "N"},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa trace gen",
        .about =
            "A synthetic laundering case in a background of ordinary transfers: DIR/transfers.csv, "
            "labels.csv and truth.json (the planted exits and patterns).",
        .opts = opts};
    int rc, status = shn_cli_parse(&spec, argc, argv);

    if (status != SHN_CLI_RUN)
        return status;
    o.transfers = (uint64_t)transfers;
    o.fanout = (uint32_t)fanout;
    o.seed = (uint64_t)seed;
    rc = shn_sample_trace_case(dir, &o, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        return SHN_EXIT_FAILURE;
    }
    printf("%s: transfers.csv, labels.csv, truth.json\n", dir);
    return SHN_EXIT_OK;
}

static const struct shn_cli_command verbs[] = {
    {"import", cmd_import, "compile transfer CSV files and labels into one graph file"},
    {"run", cmd_run, "taint from the sources: tainted addresses, exits, holders"},
    {"report", cmd_report, "a run as PREFIX.json and a self-contained PREFIX.html"},
    {"exposure", cmd_exposure, "how much of what one address received derives from the sources"},
    {"gen", cmd_gen, "a synthetic laundering case with its ground truth"},
    {0}};

int shn_cli_trace(int argc, char **argv)
{
    const struct shn_cli_spec group = {
        .usage = "shinsa trace",
        .about = "Follows stolen crypto through a transfer graph (docs/trace.md).",
        .epilog = "Exit status: 0 on success, 1 on errors, 2 on a bad command line.",
        .commands = verbs};

    return shn_cli_dispatch(&group, argc - 1, argv + 1);
}
