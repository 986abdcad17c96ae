/* shinsa trace: import transfer CSV files into a graph, run taint. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static const char usage[] =
    "usage: shinsa trace import --transfers FILE... --out GRAPH [--labels FILE]...\n"
    "                           [--sanctioned-dir DIR] [--strict] [--json]\n"
    "       shinsa trace run --graph GRAPH --source ADDR... [--sources-file FILE]\n"
    "                        [--method haircut|poison|fifo] [--since TIME]\n"
    "                        [--amount N --asset A] [--dust N] [--max-hops N]\n"
    "                        [--stop KINDS] [--check] [--load] [--json]\n"
    "       shinsa trace report --out PREFIX (and the options of run)\n"
    "       shinsa trace exposure [--paths N] (options of run) ADDR\n"
    "       shinsa trace gen --out DIR [--transfers N] [--fanout N] [--seed N]\n"
    "\n"
    "Follows stolen crypto through a transfer graph (docs/trace.md).\n"
    "import: compiles ethereum-etl transactions.csv / token_transfers.csv or generic\n"
    "  time,tx,from,to,asset,amount CSV files into one graph file.\n"
    "  --transfers FILE...  transfer files (more may follow the option)\n"
    "  --out GRAPH          graph file to write (atomically)\n"
    "  --labels FILE        address,kind,name (kinds: exchange, mixer, bridge, dex,\n"
    "                       defi, sanctioned, hacker, other)\n"
    "  --sanctioned-dir DIR OFAC sanctioned_addresses_<ASSET>.txt files, loaded as\n"
    "                       'sanctioned' labels\n"
    "  --strict             fail on the first bad row (default: report, count, skip)\n"
    "run: one pass over the transfers in time order from the sources.\n"
    "  --source ADDR        a source address (repeatable; more may follow)\n"
    "  --sources-file FILE  one source address a line\n"
    "  --method M           haircut (default), poison or fifo\n"
    "  --since TIME         start at this time (Unix seconds or ISO 8601 UTC)\n"
    "  --amount N --asset A only the first N base units of A the sources send\n"
    "  --dust N             tainted parts below N base units are not followed\n"
    "  --max-hops N         stop N hops from the sources\n"
    "  --stop KINDS         label kinds that hold taint, comma-separated\n"
    "                       (default exchange,bridge; 'none' for none)\n"
    "  --check              verify conservation of taint; exit 1 if violated\n"
    "  --load               copy the graph into memory (2 MB pages) instead of using\n"
    "                       its mapping: slower to open, 10-15% faster on big graphs\n"
    "  --json               the JSON object of docs/trace.md\n"
    "report: PREFIX.json (the run object plus \"patterns\": fan-out, peel-chain,\n"
    "  rapid-pass-through, short-lived, consolidation, each with its evidence) and\n"
    "  PREFIX.html (self-contained: exits, patterns, a chart of the main paths)\n"
    "exposure: how much of what ADDR received derives from the sources, and the\n"
    "  N heaviest paths (default 5) that brought it; --source takes one address\n"
    "gen: a synthetic laundering case in a background of ordinary transfers:\n"
    "  DIR/transfers.csv, labels.csv and truth.json (the planted exits and patterns)\n"
    "  --transfers N        background transfers (default 1000000)\n"
    "  --fanout N           fresh addresses the thief splits into (default 400)\n"
    "  --seed N             random seed (default fixed)\n"
    "\n"
    "Exit status: 0 on success, 1 on errors, 2 on a bad command line.\n";

static int add_sanctioned(void *ctx, const char *entity, const char *asset, const char *address)
{
    if (strlen(address) > SHN_TRACE_MAX_ADDRESS_LEN)
        return SHN_OK;
    return shn_trace_builder_add_label(ctx, address, SHN_TRACE_KIND_SANCTIONED, "OFAC SDN");
}

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

static int cmd_import(int argc, char **argv)
{
    static const struct option opts[] = {{"transfers", required_argument, 0, 't'},
                                         {"out", required_argument, 0, 'o'},
                                         {"labels", required_argument, 0, 'l'},
                                         {"sanctioned-dir", required_argument, 0, 's'},
                                         {"strict", no_argument, 0, 'S'},
                                         {"json", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *files[MAX_FILES], *labels[MAX_FILES], *out = NULL, *sdir = NULL;
    size_t n_files = 0, n_labels = 0;
    struct shn_trace_builder *b = NULL;
    struct shn_trace_import_stats st;
    struct shn_diag diag = {0};
    int opt, rc, json = 0, strict = 0, status = SHN_EXIT_FAILURE;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 't':
            if (n_files >= MAX_FILES)
                goto toomany;
            files[n_files++] = optarg;
            while (optind < argc && argv[optind][0] != '-' && n_files < MAX_FILES)
                files[n_files++] = argv[optind++];
            break;
        case 'o':
            out = optarg;
            break;
        case 'l':
            if (n_labels >= MAX_FILES)
                goto toomany;
            labels[n_labels++] = optarg;
            break;
        case 's':
            sdir = optarg;
            break;
        case 'S':
            strict = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return SHN_EXIT_OK;
        default:
            fputs(usage, stderr);
            return SHN_EXIT_USAGE;
        }
    }
    if (!n_files || !out || optind < argc) {
        fprintf(stderr, "shinsa: trace import needs --transfers FILE... and --out GRAPH\n%s",
                usage);
        return SHN_EXIT_USAGE;
    }
    rc = shn_trace_builder_new(&b);
    for (size_t i = 0; rc == SHN_OK && i < n_files; i++)
        rc = shn_trace_builder_add_file(b, files[i], MAX_INPUT, strict, &diag);
    for (size_t i = 0; rc == SHN_OK && i < n_labels; i++) {
        char *data = NULL;
        size_t len = 0;
        rc = shn_file_read(labels[i], MAX_INPUT, &data, &len, &diag);
        if (rc == SHN_OK)
            rc = shn_trace_builder_add_labels_csv(b, data, len, labels[i], strict, &diag);
        shn_free(data);
    }
    if (rc == SHN_OK && sdir)
        rc = load_sanctioned(b, sdir, &diag);
    if (rc == SHN_OK)
        rc = shn_trace_builder_write(b, out, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        goto out;
    }
    shn_trace_builder_stats(b, &st);
    if (json)
        printf("{\"rows\": %llu, \"transfers\": %llu, \"failed\": %llu, "
               "\"skipped\": %llu, \"bad\": %llu, \"labels\": %llu, \"bad_labels\": %llu}\n",
               (unsigned long long)st.rows, (unsigned long long)st.transfers,
               (unsigned long long)st.failed, (unsigned long long)st.skipped,
               (unsigned long long)st.bad, (unsigned long long)st.labels,
               (unsigned long long)st.bad_labels);
    else
        printf("%s: %llu transfers from %llu rows (%llu failed, %llu skipped, %llu bad), "
               "%llu labels\n",
               out, (unsigned long long)st.transfers, (unsigned long long)st.rows,
               (unsigned long long)st.failed, (unsigned long long)st.skipped,
               (unsigned long long)st.bad, (unsigned long long)st.labels);
    status = SHN_EXIT_OK;
out:
    shn_trace_builder_free(b);
    return status;
toomany:
    fprintf(stderr, "shinsa: at most %d files per option\n", MAX_FILES);
    return SHN_EXIT_USAGE;
}

static int parse_amount(const char *opt, const char *s, shn_u128 *out)
{
    if (shn_trace_u128_parse(s, strlen(s), out) != SHN_OK) {
        fprintf(stderr, "shinsa: %s wants an unsigned integer in base units, not '%s'\n", opt, s);
        return -1;
    }
    return 0;
}

static int parse_stops(const char *s, uint32_t *out)
{
    char word[32];
    uint32_t mask = 0;

    if (strcmp(s, "none") == 0) {
        *out = 0;
        return 0;
    }
    while (*s) {
        size_t n = strcspn(s, ",");
        int kind;
        if (n == 0 || n >= sizeof word)
            goto bad;
        memcpy(word, s, n);
        word[n] = '\0';
        kind = shn_trace_kind_parse(word);
        if (kind < 0)
            goto bad;
        mask |= 1u << kind;
        s += n + (s[n] == ',');
    }
    *out = mask;
    return 0;
bad:
    fprintf(stderr, "shinsa: --stop wants kinds (exchange,mixer,bridge,dex,defi,sanctioned,"
                    "hacker,other) or 'none'\n");
    return -1;
}

static int add_source(const struct shn_trace_graph *g, uint32_t *ids, size_t *n, const char *addr,
                      const char *where)
{
    uint32_t id;

    if (*n >= SHN_TRACE_MAX_SOURCES) {
        fprintf(stderr, "shinsa: more than %d sources\n", SHN_TRACE_MAX_SOURCES);
        return -1;
    }
    if (shn_trace_graph_find(g, addr, &id) != SHN_OK) {
        fprintf(stderr, "shinsa: %s%ssource %s is not in the graph\n", where ? where : "",
                where ? ": " : "", addr);
        return -1;
    }
    ids[(*n)++] = id;
    return 0;
}

enum { MODE_RUN, MODE_REPORT, MODE_EXPOSURE };

static int put_amount(struct shn_buf *b, shn_u128 v)
{
    char text[48];
    shn_trace_u128_format(v, text, sizeof text);
    return shn_buf_appendf(b, "\"%s\"", text);
}

/* The exposure object: {address, method, sources, assets: [...], paths: [...]}. */
static int exposure_json(const struct shn_trace_graph *g, const struct shn_trace_opts *o,
                         const struct shn_trace_result *res, uint32_t target,
                         const struct shn_trace_path *paths, size_t n_paths, struct shn_buf *b)
{
    char abuf[SHN_TRACE_ADDRESS_BUF];
    size_t k = 0;
    int rc = shn_buf_append_str(b, "{\"address\": ");

    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, shn_trace_graph_address(g, target, abuf));
    if (rc == SHN_OK)
        rc = shn_buf_appendf(b, ", \"method\": \"%s\", \"sources\": [",
                             shn_trace_method_name(o->method));
    for (size_t i = 0; rc == SHN_OK && i < o->n_sources; i++) {
        if (i)
            rc = shn_buf_append_str(b, ", ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(b, shn_trace_graph_address(g, o->sources[i], abuf));
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "], \"assets\": [");
    for (size_t i = 0; rc == SHN_OK && i < res->n_entries; i++) {
        const struct shn_trace_entry *e = &res->entries[i];
        if (e->address != target)
            continue;
        rc = shn_buf_append_str(b, k++ ? ", {\"asset\": " : "{\"asset\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(b, shn_trace_graph_asset(g, e->asset));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, ", \"received\": ");
        if (rc == SHN_OK)
            rc = put_amount(b, e->received);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, ", \"tainted\": ");
        if (rc == SHN_OK)
            rc = put_amount(b, e->tainted);
        if (rc == SHN_OK)
            rc = shn_buf_appendf(b, ", \"fraction\": %.6f, \"hops\": %u}",
                                 e->received ? (double)e->tainted / (double)e->received : 0.0,
                                 e->hops);
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "], \"paths\": [");
    for (size_t i = 0; rc == SHN_OK && i < n_paths; i++) {
        const struct shn_trace_path *p = &paths[i];
        rc = shn_buf_append_str(b, i ? ",\n  {\"tainted\": " : "\n  {\"tainted\": ");
        if (rc == SHN_OK)
            rc = put_amount(b, p->tainted);
        if (rc == SHN_OK)
            rc = shn_buf_appendf(b, ", \"hops\": %zu, \"from_source\": %s, \"steps\": [",
                                 p->n_steps, p->from_source ? "true" : "false");
        for (size_t s = 0; rc == SHN_OK && s < p->n_steps; s++) {
            struct shn_trace_transfer t;
            char when[32];
            shn_trace_graph_transfer(g, p->steps[s], &t);
            shn_trace_time_format(t.time, when, sizeof when);
            rc = shn_buf_append_str(b, s ? ", {\"from\": " : "{\"from\": ");
            if (rc == SHN_OK)
                rc = shn_buf_append_json_string(b, shn_trace_graph_address(g, t.from, abuf));
            if (rc == SHN_OK)
                rc = shn_buf_append_str(b, ", \"to\": ");
            if (rc == SHN_OK)
                rc = shn_buf_append_json_string(b, shn_trace_graph_address(g, t.to, abuf));
            if (rc == SHN_OK)
                rc = shn_buf_appendf(b, ", \"time\": \"%s\", \"asset\": ", when);
            if (rc == SHN_OK)
                rc = shn_buf_append_json_string(b, shn_trace_graph_asset(g, t.asset));
            if (rc == SHN_OK)
                rc = shn_buf_append_str(b, ", \"amount\": ");
            if (rc == SHN_OK)
                rc = put_amount(b, t.amount);
            if (rc == SHN_OK)
                rc = shn_buf_append_str(b, ", \"tainted\": ");
            if (rc == SHN_OK)
                rc = put_amount(b, p->step_tainted[s]);
            if (rc == SHN_OK)
                rc = shn_buf_append_char(b, '}');
        }
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, "]}");
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "]}\n");
    return rc;
}

/* trace report: PREFIX.json (the run object plus "patterns") and PREFIX.html. */
static int write_report(const struct shn_trace_graph *g, const struct shn_trace_opts *o,
                        const struct shn_trace_result *res, struct shn_buf *json,
                        const char *prefix, struct shn_diag *diag)
{
    struct shn_trace_pattern *pats = NULL;
    struct shn_buf html;
    char path[4096];
    size_t n_pats = 0;
    int rc;

    shn_buf_init(&html, (size_t)1 << 30);
    rc = shn_trace_patterns(g, res, &pats, &n_pats);
    if (rc == SHN_OK && json->len >= 2) { /* reopen the object: drop "}\n" */
        json->len -= 2;
        json->data[json->len] = '\0';
        rc = shn_buf_append_str(json, ",\n \"patterns\": ");
        if (rc == SHN_OK)
            rc = shn_trace_patterns_json(g, pats, n_pats, json);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(json, "}\n");
    }
    if (rc == SHN_OK)
        rc = shn_trace_report_html(g, o, res, pats, n_pats, &html);
    if (rc == SHN_OK) {
        snprintf(path, sizeof path, "%s.json", prefix);
        rc = shn_file_write_atomic(path, json->data, json->len, diag);
    }
    if (rc == SHN_OK) {
        snprintf(path, sizeof path, "%s.html", prefix);
        rc = shn_file_write_atomic(path, html.data, html.len, diag);
    }
    if (rc == SHN_OK)
        printf("%s.json, %s.html: %zu tainted address-assets, %zu patterns\n", prefix, prefix,
               res->n_entries, n_pats);
    shn_free(pats);
    shn_buf_cleanup(&html);
    return rc;
}

static int cmd_run(int argc, char **argv, int mode)
{
    char abuf[SHN_TRACE_ADDRESS_BUF];
    static const struct option opts[] = {{"graph", required_argument, 0, 'g'},
                                         {"source", required_argument, 0, 's'},
                                         {"sources-file", required_argument, 0, 'f'},
                                         {"method", required_argument, 0, 'm'},
                                         {"since", required_argument, 0, 'S'},
                                         {"amount", required_argument, 0, 'a'},
                                         {"asset", required_argument, 0, 'A'},
                                         {"dust", required_argument, 0, 'd'},
                                         {"max-hops", required_argument, 0, 'H'},
                                         {"stop", required_argument, 0, 'p'},
                                         {"check", no_argument, 0, 'c'},
                                         {"json", no_argument, 0, 'j'},
                                         {"load", no_argument, 0, 'L'},
                                         {"out", required_argument, 0, 'o'},
                                         {"paths", required_argument, 0, 'P'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *prefix = NULL, *target_text = NULL;
    unsigned open_flags = SHN_TRACE_OPEN_MAP;
    struct shn_trace_path *paths = NULL;
    size_t n_paths = 0;
    long max_paths = 5;
    const char *graph = NULL, *sources_file = NULL, *asset = NULL, *srcs[SHN_TRACE_MAX_SOURCES];
    struct shn_trace_opts o = {.method = SHN_TRACE_HAIRCUT, .stop_kinds = SHN_TRACE_DEFAULT_STOPS};
    struct shn_trace_graph *g = NULL;
    struct shn_trace_result res = {0};
    struct shn_diag diag = {0};
    struct shn_buf out;
    uint32_t *ids = NULL;
    size_t n_srcs = 0, n_ids = 0;
    char *text = NULL;
    long hops;
    int opt, rc, json = 0, check = 0, status = SHN_EXIT_USAGE;

    shn_buf_init(&out, (size_t)1 << 32);
    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'g':
            graph = optarg;
            break;
        case 's':
            if (n_srcs >= SHN_TRACE_MAX_SOURCES)
                goto usage;
            srcs[n_srcs++] = optarg;
            while (mode != MODE_EXPOSURE && optind < argc && argv[optind][0] != '-' &&
                   n_srcs < SHN_TRACE_MAX_SOURCES)
                srcs[n_srcs++] = argv[optind++];
            break;
        case 'f':
            sources_file = optarg;
            break;
        case 'm':
            o.method = shn_trace_method_parse(optarg);
            if (o.method < 0) {
                fprintf(stderr, "shinsa: --method wants haircut, poison or fifo\n");
                goto out;
            }
            break;
        case 'S':
            if (shn_trace_time_parse(optarg, strlen(optarg), &o.since) != SHN_OK) {
                fprintf(stderr, "shinsa: --since wants Unix seconds or ISO 8601 UTC\n");
                goto out;
            }
            break;
        case 'a':
            if (parse_amount("--amount", optarg, &o.amount))
                goto out;
            o.has_amount = true;
            break;
        case 'A':
            asset = optarg;
            break;
        case 'd':
            if (parse_amount("--dust", optarg, &o.dust))
                goto out;
            break;
        case 'H':
            if (shn_cli_parse_int("--max-hops", optarg, 1, 1000000, &hops))
                goto out;
            o.max_hops = (uint32_t)hops;
            break;
        case 'p':
            if (parse_stops(optarg, &o.stop_kinds))
                goto out;
            break;
        case 'L':
            open_flags = SHN_TRACE_OPEN_LOAD;
            break;
        case 'c':
            check = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 'o':
            prefix = optarg;
            break;
        case 'P':
            if (shn_cli_parse_int("--paths", optarg, 1, 64, &max_paths))
                goto out;
            break;
        case 'h':
            fputs(usage, stdout);
            status = SHN_EXIT_OK;
            goto out;
        default:
            goto usage;
        }
    }
    if (mode == MODE_EXPOSURE && optind == argc - 1)
        target_text = argv[optind++];
    if (!graph || (!n_srcs && !sources_file) || optind < argc || (o.has_amount && !asset) ||
        (mode == MODE_REPORT && !prefix) || (mode == MODE_EXPOSURE && !target_text))
        goto usage;
    o.record_flows = mode != MODE_RUN;
    status = SHN_EXIT_FAILURE;
    rc = shn_trace_graph_open_ex(graph, open_flags, &g, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        goto out;
    }
    ids = shn_calloc(SHN_TRACE_MAX_SOURCES, sizeof *ids);
    if (!ids)
        goto out;
    for (size_t i = 0; i < n_srcs; i++)
        if (add_source(g, ids, &n_ids, srcs[i], NULL))
            goto out;
    if (sources_file) {
        size_t len = 0;
        long line = 0;
        char *p, *nl;
        rc = shn_file_read(sources_file, 16 << 20, &text, &len, &diag);
        if (rc != SHN_OK) {
            shn_cli_report(rc, &diag);
            goto out;
        }
        for (p = text; p && *p; p = nl) {
            char where[512];
            nl = strchr(p, '\n');
            if (nl)
                *nl++ = '\0';
            line++;
            if (*p && p[strlen(p) - 1] == '\r')
                p[strlen(p) - 1] = '\0';
            if (!*p || *p == '#')
                continue;
            snprintf(where, sizeof where, "%s:%ld", sources_file, line);
            if (add_source(g, ids, &n_ids, p, where))
                goto out;
        }
    }
    if (asset && shn_trace_graph_find_asset(g, asset, &o.amount_asset) != SHN_OK) {
        fprintf(stderr, "shinsa: asset %s is not in the graph\n", asset);
        goto out;
    }
    o.sources = ids;
    o.n_sources = n_ids;
    rc = shn_trace_run(g, &o, &res, &diag);
    if (rc == SHN_OK && check) {
        rc = shn_trace_check(g, &res, &diag);
        if (rc == SHN_OK)
            shn_log(SHN_LOG_INFO, "conservation check passed (%zu tainted address-assets)",
                    res.n_entries);
    }
    if (rc == SHN_OK && mode == MODE_EXPOSURE) {
        uint32_t target;
        if (shn_trace_graph_find(g, target_text, &target) != SHN_OK) {
            fprintf(stderr, "shinsa: address %s is not in the graph\n", target_text);
            goto out;
        }
        rc = shn_trace_exposure_paths(g, &o, &res, target, (size_t)max_paths, &paths, &n_paths);
        if (rc == SHN_OK)
            rc = exposure_json(g, &o, &res, target, paths, n_paths, &out);
        if (rc == SHN_OK) {
            fputs(out.data, stdout);
            status = SHN_EXIT_OK;
            goto out;
        }
    }
    if (rc == SHN_OK && (json || mode == MODE_REPORT))
        rc = shn_trace_result_json(g, &o, &res, &out);
    if (rc == SHN_OK && mode == MODE_REPORT) {
        rc = write_report(g, &o, &res, &out, prefix, &diag);
        if (rc == SHN_OK) {
            status = SHN_EXIT_OK;
            goto out;
        }
    }
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        goto out;
    }
    if (json) {
        fputs(out.data, stdout);
    } else {
        char amount[48], when[32];
        printf("%s from %zu source(s): %zu tainted address-assets, %llu tainted transfers of "
               "%llu scanned\n",
               shn_trace_method_name(o.method), n_ids, res.n_entries,
               (unsigned long long)res.tainted_transfers,
               (unsigned long long)res.transfers_scanned);
        for (size_t i = 0; i < res.n_entries; i++) {
            const struct shn_trace_entry *e = &res.entries[i];
            const char *name;
            int kind = shn_trace_graph_label(g, e->address, &name);
            if (e->source)
                continue;
            shn_trace_u128_format(e->tainted, amount, sizeof amount);
            shn_trace_time_format(e->first_tainted, when, sizeof when);
            printf("  %-44s %-8s %28s hops %-3u %s%s%s%s\n",
                   shn_trace_graph_address(g, e->address, abuf), shn_trace_graph_asset(g, e->asset),
                   amount, e->hops, when, kind ? "  [" : "", kind ? shn_trace_kind_name(kind) : "",
                   kind ? "]" : "");
        }
    }
    status = SHN_EXIT_OK;
    goto out;
usage:
    fprintf(stderr,
            "shinsa: trace run needs --graph GRAPH and --source ADDR (and --asset with "
            "--amount)\n%s",
            usage);
    status = SHN_EXIT_USAGE;
out:
    shn_free(text);
    shn_free(ids);
    shn_free(paths);
    shn_trace_result_cleanup(&res);
    shn_trace_graph_close(g);
    shn_buf_cleanup(&out);
    return status;
}

static int cmd_gen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, 0, 'o'},    {"transfers", required_argument, 0, 't'},
        {"fanout", required_argument, 0, 'f'}, {"seed", required_argument, 0, 's'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    struct shn_sample_trace_case_opts o = {0};
    struct shn_diag diag = {0};
    const char *dir = NULL;
    long v;
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'o':
            dir = optarg;
            break;
        case 't':
            if (shn_cli_parse_int("--transfers", optarg, (long)SHN_SAMPLE_TRACE_CASE_TRANSFERS_MIN,
                                  4000000000L, &v))
                return SHN_EXIT_USAGE;
            o.transfers = (uint64_t)v;
            break;
        case 'f':
            if (shn_cli_parse_int("--fanout", optarg, SHN_SAMPLE_TRACE_CASE_FANOUT_MIN,
                                  SHN_SAMPLE_TRACE_CASE_FANOUT_MAX, &v))
                return SHN_EXIT_USAGE;
            o.fanout = (uint32_t)v;
            break;
        case 's':
            if (shn_cli_parse_int("--seed", optarg, 1, 1L << 62, &v))
                return SHN_EXIT_USAGE;
            o.seed = (uint64_t)v;
            break;
        case 'h':
            fputs(usage, stdout);
            return SHN_EXIT_OK;
        default:
            fputs(usage, stderr);
            return SHN_EXIT_USAGE;
        }
    }
    if (!dir || optind < argc) {
        fprintf(stderr, "shinsa: trace gen needs --out DIR\n%s", usage);
        return SHN_EXIT_USAGE;
    }
    rc = shn_sample_trace_case(dir, &o, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        return SHN_EXIT_FAILURE;
    }
    printf("%s: transfers.csv, labels.csv, truth.json\n", dir);
    return SHN_EXIT_OK;
}

int shn_cli_trace(int argc, char **argv)
{
    if (argc < 1 || strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0) {
        fputs(usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? SHN_EXIT_USAGE : SHN_EXIT_OK;
    }
    if (strcmp(argv[0], "import") == 0)
        return cmd_import(argc, argv);
    if (strcmp(argv[0], "run") == 0)
        return cmd_run(argc, argv, MODE_RUN);
    if (strcmp(argv[0], "report") == 0)
        return cmd_run(argc, argv, MODE_REPORT);
    if (strcmp(argv[0], "exposure") == 0)
        return cmd_run(argc, argv, MODE_EXPOSURE);
    if (strcmp(argv[0], "gen") == 0)
        return cmd_gen(argc, argv);
    fprintf(stderr, "shinsa: unknown trace command '%s'\n%s", argv[0], usage);
    return SHN_EXIT_USAGE;
}
