/* shinsa accounts: load a platform's events into the accounts database and
 * show what is stored for an account. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "shinsa/accounts.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/log.h"
#include "shinsa/events.h"
#include "shinsa/sample.h"

static const char usage[] =
    "usage: shinsa accounts ingest [--db DB] [--rejects FILE] (--events FILE | FILE)\n"
    "       shinsa accounts show [--db DB] [--json] ACCOUNT\n"
    "       shinsa accounts score|explain|config ...  (shinsa accounts score --help)\n"
    "       shinsa accounts gen --out DIR [--freelancers N] [--cells N] [--seed N]\n"
    "                           [--events-per-account N]\n"
    "\n"
    "Stores a platform's events (JSON Lines, docs/events.md) and shows them.\n"
    "  --db DB          SQLite database, created when missing\n"
    "                   (default: $SHINSA_DATA_DIR/accounts.db)\n"
    "  --events FILE    events to load; '-' for standard input. Loading the same\n"
    "                   events again adds nothing (idempotent by event id)\n"
    "  --rejects FILE   invalid lines as {\"line\", \"field\", \"reason\"} JSON Lines;\n"
    "                   they are counted and skipped, the valid ones still load\n"
    "  --json           show: one JSON object with the account and its events\n"
    "\n"
    "gen writes a synthetic platform, DIR/events.jsonl and its ground truth\n"
    "DIR/truth.jsonl: ordinary freelancers (default 3000), operator cells of 5-12\n"
    "personas (default 4) and one collaborator; all people FICTIONAL. The same\n"
    "options give the same bytes. --events-per-account: average, default 10.\n"
    "\n"
    "Exit status: 0 when the command ran (ingest: even with rejected lines),\n"
    "1 on errors, 2 on a bad command line.\n";

struct args {
    const char *db, *events, *rejects, *account;
    int json;
};

static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},      {"events", required_argument, 0, 'e'},
        {"rejects", required_argument, 0, 'r'}, {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    int opt;
    memset(a, 0, sizeof *a);
    optind = 0;
    for (;;) {
        opt = getopt_long(argc, argv, "h", opts, NULL);
        if (opt == -1)
            break;
        switch (opt) {
        case 'd':
            a->db = optarg;
            break;
        case 'e':
            a->events = optarg;
            break;
        case 'r':
            a->rejects = optarg;
            break;
        case 'j':
            a->json = 1;
            break;
        default:
            return -1;
        }
    }
    if (optind < argc)
        a->account = argv[optind++]; /* ingest: the events file; show: the account */
    if (optind < argc) {
        fprintf(stderr, "shinsa accounts: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

/* The default database beside the default index (whose folder
 * shn_cli_default_index creates when asked). */
const char *shn_cli_default_accounts_db(int create_dir)
{
    static char path[4096];
    int n;
    (void)shn_cli_default_index(create_dir);
    n = snprintf(path, sizeof path, "%s/accounts.db", shn_cli_data_dir());
    return n > 0 && (size_t)n < sizeof path ? path : "accounts.db";
}

static void on_commit(void *ctx, const struct shn_events_ingest_stats *st)
{
    (void)ctx;
    shn_progress("accounts ingest: lines", st->committed, 0);
}

static int cmd_ingest(struct args *a)
{
    struct shn_events_ingest_opts opts = {0};
    struct shn_events_ingest_stats st;
    struct shn_events_db *db = NULL;
    struct shn_diag diag = {0};
    FILE *in = NULL, *rej = NULL;
    const char *events = a->events ? a->events : a->account;
    int rc, exit_code = SHN_EXIT_FAILURE;

    if (!events || (a->events && a->account)) {
        fputs(usage, stderr);
        return SHN_EXIT_USAGE;
    }
    in = strcmp(events, "-") == 0 ? stdin : fopen(events, "rb");
    if (!in) {
        fprintf(stderr, "shinsa: %s: cannot open\n", events);
        goto out;
    }
    if (a->rejects) {
        rej = fopen(a->rejects, "w");
        if (!rej) {
            fprintf(stderr, "shinsa: %s: cannot create\n", a->rejects);
            goto out;
        }
    }
    rc = shn_events_open(a->db ? a->db : shn_cli_default_accounts_db(1), &db, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        goto out;
    }
    opts.rejects = rej;
    opts.on_commit = on_commit;
    rc = shn_events_ingest(db, in, events, &opts, &st, &diag);
    shn_progress_end("accounts ingest: lines", st.lines);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        fprintf(stderr, "shinsa: stopped; %llu lines committed before the error stay stored\n",
                st.committed);
        goto out;
    }
    fprintf(stderr,
            "accounts ingest: %llu lines, %llu events loaded, %llu already stored, "
            "%llu rejected\n",
            st.lines, st.loaded, st.duplicates, st.rejected);
    if (st.rejected && a->rejects)
        fprintf(stderr, "accounts ingest: rejected lines and reasons in %s\n", a->rejects);
    exit_code = SHN_EXIT_OK;
out:
    shn_events_close(db);
    if (in && in != stdin)
        fclose(in);
    if (rej && fclose(rej) != 0 && exit_code == SHN_EXIT_OK) {
        fprintf(stderr, "shinsa: %s: write error\n", a->rejects);
        exit_code = SHN_EXIT_FAILURE;
    }
    return exit_code;
}

/* The store's diagnostics name no file; the CLI knows the database. */
static void report(int rc, const struct shn_diag *diag, const struct args *a)
{
    if (rc == SHN_ERR_NOT_FOUND)
        fprintf(stderr, "shinsa: no account '%s' in %s\n", a->account,
                a->db ? a->db : shn_cli_default_accounts_db(0));
    else
        shn_cli_report(rc, diag);
}

/* What one account's show may print (its events as stored, each at most
 * SHN_EVENTS_LINE_MAX): far beyond any real account, still a bound. */
#define SHOW_OUTPUT_MAX ((size_t)1 << 31)

static int cmd_show(struct args *a)
{
    struct shn_events_db *db = NULL;
    struct shn_diag diag = {0};
    struct shn_buf out;
    int rc, exit_code = SHN_EXIT_FAILURE;

    if (!a->account || a->events || a->rejects) {
        fputs(usage, stderr);
        return SHN_EXIT_USAGE;
    }
    shn_buf_init(&out, SHOW_OUTPUT_MAX);
    rc = shn_events_open(a->db ? a->db : shn_cli_default_accounts_db(0), &db, &diag);
    if (rc == SHN_OK)
        rc = a->json ? shn_events_show_json(db, a->account, &out, &diag)
                     : shn_events_show_text(db, a->account, &out, &diag);
    if (rc == SHN_OK && a->json)
        rc = shn_buf_append_char(&out, '\n');
    if (rc != SHN_OK) {
        report(rc, &diag, a);
        goto out;
    }
    fwrite(out.data, 1, out.len, stdout);
    exit_code = SHN_EXIT_OK;
out:
    shn_buf_cleanup(&out);
    shn_events_close(db);
    return exit_code;
}

/* gen has options of its own, so it parses its own command line. */
static int cmd_gen(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, 0, 'o'},
                                         {"freelancers", required_argument, 0, 'f'},
                                         {"cells", required_argument, 0, 'c'},
                                         {"seed", required_argument, 0, 's'},
                                         {"events-per-account", required_argument, 0, 'e'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    struct shn_sample_platform_opts o = {0};
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
        case 'f':
            if (shn_cli_parse_int("--freelancers", optarg, 10,
                                  (long)SHN_SAMPLE_PLATFORM_FREELANCERS_MAX, &v))
                return SHN_EXIT_USAGE;
            o.freelancers = (unsigned long long)v;
            break;
        case 'c':
            if (shn_cli_parse_int("--cells", optarg, 1, SHN_SAMPLE_PLATFORM_CELLS_MAX, &v))
                return SHN_EXIT_USAGE;
            o.cells = (unsigned)v;
            break;
        case 's':
            if (shn_cli_parse_int("--seed", optarg, 1, 1L << 62, &v))
                return SHN_EXIT_USAGE;
            o.seed = (unsigned long long)v;
            break;
        case 'e':
            if (shn_cli_parse_int("--events-per-account", optarg, 2, SHN_SAMPLE_PLATFORM_EVENTS_MAX,
                                  &v))
                return SHN_EXIT_USAGE;
            o.events_per_account = (unsigned)v;
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
        fprintf(stderr, "shinsa: accounts gen needs --out DIR\n%s", usage);
        return SHN_EXIT_USAGE;
    }
    rc = shn_sample_platform(dir, &o, &diag);
    if (rc != SHN_OK) {
        shn_cli_report(rc, &diag);
        return SHN_EXIT_FAILURE;
    }
    printf("%s: events.jsonl, truth.jsonl\n", dir);
    return SHN_EXIT_OK;
}

int shn_cli_accounts(int argc, char **argv)
{
    struct args a;
    if (argc >= 1 && (strcmp(argv[0], "score") == 0 || strcmp(argv[0], "explain") == 0 ||
                      strcmp(argv[0], "config") == 0))
        return shn_cli_accounts_score(argc, argv);
    if (argc >= 1 && strcmp(argv[0], "gen") == 0)
        return cmd_gen(argc, argv);
    if (argc < 1 || shn_cli_wants_help(argc, argv)) {
        fputs(usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? SHN_EXIT_USAGE : SHN_EXIT_OK;
    }
    if (parse_args(argc, argv, &a) != 0) {
        fputs(usage, stderr);
        return SHN_EXIT_USAGE;
    }
    if (strcmp(argv[0], "ingest") == 0)
        return cmd_ingest(&a);
    if (strcmp(argv[0], "show") == 0)
        return cmd_show(&a);
    fprintf(stderr, "shinsa accounts: unknown command '%s'\n%s", argv[0], usage);
    return SHN_EXIT_USAGE;
}
