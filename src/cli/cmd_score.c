/* shinsa accounts score | explain | config, and shinsa alerts list: the
 * verdicts of the accounts engine and the alerts it raised. */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "shinsa/accounts.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/log.h"

_Static_assert(SHN_ACCOUNTS_THREADS_MAX == 64, "score_usage says --threads 1..64");

static const char score_usage[] =
    "usage: shinsa accounts score [--db DB] [--account ID] [--json] [--all] [options]\n"
    "       shinsa accounts explain [--db DB] [--lang en|ja] [--json] [options] ACCOUNT\n"
    "       shinsa accounts config (--check FILE | --defaults)\n"
    "\n"
    "score runs every signal on every account (or one), combines them into a score\n"
    "in 0..1 and a level (ok, review, block; docs/accounts.md) and records an alert\n"
    "for each review/block verdict whose evidence is new.\n"
    "  --db DB              accounts database (default: $SHINSA_DATA_DIR/accounts.db)\n"
    "  --account ID         score one account (the others still form its context)\n"
    "  --json               one JSON object per account: {\"account\", \"score\",\n"
    "                       \"level\", \"signals\": [{\"signal\", \"score\", \"weight\",\n"
    "                       \"evidence\"}]} (every account, fired signals only)\n"
    "  --all                text: list ok accounts too (default: review and block)\n"
    "  --config FILE        weights, thresholds, levels, rates, engines (JSON;\n"
    "                       'shinsa accounts config --defaults' prints the defaults)\n"
    "  --index IDX          screen index for the sanctions signal (default: the\n"
    "                       config's engines.screen_index, else the default index\n"
    "                       when it exists)\n"
    "  --graph GRAPH        trace graph for wallet_exposure (default: the config's)\n"
    "  --no-alerts          do not record alerts\n"
    "  --threads N          evaluation threads, 1..64 (default 2)\n"
    "explain prints why one account scored as it did, one line per fired signal,\n"
    "in English or Japanese (--lang ja); it records no alert.\n"
    "\n"
    "Exit status: 0 when scoring ran, 1 on errors (bad config: file and key),\n"
    "2 on a bad command line.\n";

static const char alerts_usage[] =
    "usage: shinsa alerts list [--db DB] [--level review|block] [--account ID] [--json]\n"
    "                          [--limit N]\n"
    "\n"
    "Lists the alerts raised by 'shinsa accounts score', newest first: when each\n"
    "was raised, the account, its level and score, and the signals that fired.\n"
    "An alert is raised once per account and evidence; new evidence raises a new one.\n"
    "  --level L     review (default) lists review and block; block lists block only\n"
    "  --json        one JSON object per alert: {\"id\", \"raised\", \"account\",\n"
    "                \"level\", \"score\", \"verdict\": <the score object then>}\n";

struct sargs {
    const char *db, *account, *config, *index, *graph, *lang, *check;
    int json, all, no_alerts, defaults, level;
    long threads, limit;
};

static int parse(int argc, char **argv, struct sargs *a, const char *usage)
{
    static const struct option opts[] = {
        {"db", required_argument, 0, 'd'},      {"account", required_argument, 0, 'a'},
        {"config", required_argument, 0, 'c'},  {"index", required_argument, 0, 'i'},
        {"graph", required_argument, 0, 'g'},   {"lang", required_argument, 0, 'L'},
        {"check", required_argument, 0, 'k'},   {"json", no_argument, 0, 'j'},
        {"all", no_argument, 0, 'A'},           {"no-alerts", no_argument, 0, 'n'},
        {"defaults", no_argument, 0, 'D'},      {"level", required_argument, 0, 'l'},
        {"threads", required_argument, 0, 't'}, {"limit", required_argument, 0, 'm'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    int opt;
    double v;
    memset(a, 0, sizeof *a);
    a->level = SHN_ACCOUNTS_REVIEW;
    optind = 0;
    while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            a->db = optarg;
            break;
        case 'a':
            a->account = optarg;
            break;
        case 'c':
            a->config = optarg;
            break;
        case 'i':
            a->index = optarg;
            break;
        case 'g':
            a->graph = optarg;
            break;
        case 'k':
            a->check = optarg;
            break;
        case 'j':
            a->json = 1;
            break;
        case 'A':
            a->all = 1;
            break;
        case 'n':
            a->no_alerts = 1;
            break;
        case 'D':
            a->defaults = 1;
            break;
        case 'L':
            if (strcmp(optarg, "en") != 0 && strcmp(optarg, "ja") != 0) {
                fprintf(stderr, "shinsa: --lang must be en or ja\n");
                return -1;
            }
            a->lang = optarg;
            break;
        case 'l':
            a->level = shn_accounts_level_parse(optarg);
            if (a->level < SHN_ACCOUNTS_REVIEW) {
                fprintf(stderr, "shinsa: --level must be review or block\n");
                return -1;
            }
            break;
        case 't':
            if (shn_cli_parse_int("--threads", optarg, 1, SHN_ACCOUNTS_THREADS_MAX, &a->threads) !=
                0)
                return -1;
            break;
        case 'm':
            if (shn_cli_parse_double("--limit", optarg, 1, 1e9, &v) != 0)
                return -1;
            a->limit = (long)v;
            break;
        case 'h':
            fputs(usage, stdout);
            return 1;
        default:
            fputs(usage, stderr);
            return -1;
        }
    }
    return 0;
}

struct out {
    const struct sargs *a;
    struct shn_buf buf;
    bool explain;
};

static int print_score(void *ctx, const struct shn_accounts_score *s)
{
    struct out *o = ctx;
    int rc = SHN_OK;
    shn_buf_reset(&o->buf);
    if (o->explain && !o->a->json) {
        rc = shn_accounts_explain_text(s, o->a->lang ? o->a->lang : "en", &o->buf);
    } else if (o->a->json) {
        rc = shn_accounts_score_json(s, &o->buf);
        if (rc == SHN_OK)
            rc = shn_buf_append_char(&o->buf, '\n');
    } else if (o->a->all || s->level >= SHN_ACCOUNTS_REVIEW) {
        rc = shn_buf_appendf(&o->buf, "%-24s %.3f  %-6s", s->account, s->score,
                             shn_accounts_level_name(s->level));
        for (size_t i = 0; rc == SHN_OK && i < s->n_signals; i++)
            if (s->signals[i].score > 0)
                rc = shn_buf_appendf(&o->buf, " %s(%.2f)", s->signals[i].signal,
                                     s->signals[i].score);
        if (rc == SHN_OK)
            rc = shn_buf_append_char(&o->buf, '\n');
    }
    if (rc == SHN_OK && o->buf.len && fwrite(o->buf.data, 1, o->buf.len, stdout) != o->buf.len)
        rc = SHN_ERR_IO;
    return rc;
}

static void report(int rc, const struct shn_diag *d)
{
    if (d->file || d->field[0])
        fprintf(stderr, "shinsa: %s%s%s%s%s: %s\n", d->file ? d->file : "",
                d->file && d->field[0] ? ": " : "", d->field[0] ? "key " : "", d->field, "",
                d->message[0] ? d->message : shn_strerror(rc));
    else
        fprintf(stderr, "shinsa: %s\n", d->message[0] ? d->message : shn_strerror(rc));
}

static int run_score(const struct sargs *a, bool explain)
{
    struct shn_accounts_score_opts o = {0};
    struct shn_accounts_score_stats st;
    struct shn_events_db *db = NULL;
    struct shn_diag diag = {0};
    struct out out = {a, {0}, explain};
    const char *def_index = shn_cli_default_index(0);
    int rc;

    o.config_path = a->config;
    o.account = a->account;
    o.raise_alerts = !explain && !a->no_alerts;
    o.progress = true;
    o.threads = (unsigned)a->threads;
    o.screen_index = a->index;
    o.trace_graph = a->graph;
    /* The default index when it exists: the sanctions signal should not
     * need setup (--index and the config's engines.screen_index win). */
    if (access(def_index, R_OK) == 0)
        o.fallback_screen_index = def_index;
    shn_buf_init(&out.buf, 1u << 20);
    rc = shn_events_open(a->db ? a->db : shn_cli_default_accounts_db(0), &db, &diag);
    if (rc == SHN_OK)
        rc = shn_accounts_score_run(db, &o, print_score, &out, &st, &diag);
    shn_buf_cleanup(&out.buf);
    shn_events_close(db);
    if (rc != SHN_OK) {
        report(rc, &diag);
        return SHN_EXIT_FAILURE;
    }
    if (!explain)
        fprintf(stderr,
                "accounts score: %llu accounts (%llu events): %llu block, %llu review; "
                "%llu new alerts; load %.2f s, prepare %.2f s, scoring %.2f s\n",
                st.accounts, st.events, st.block, st.review, st.alerts_raised, st.load_seconds,
                st.prepare_seconds, st.eval_seconds);
    if (!explain && shn_log_get_level() >= SHN_LOG_DEBUG) /* -v */
        for (size_t i = 0; i < st.n_signals; i++)
            fprintf(stderr, "  %-20s prepare %6.2f s, eval %6.2f s (summed over threads)\n",
                    st.signal_names[i], st.signal_prepare[i], st.signal_eval[i]);
    return SHN_EXIT_OK;
}

static int run_config(const struct sargs *a)
{
    struct shn_diag diag = {0};
    int rc;
    if (a->defaults) {
        struct shn_buf b;
        shn_buf_init(&b, 1u << 20);
        rc = shn_accounts_config_default(&b);
        if (rc == SHN_OK && fwrite(b.data, 1, b.len, stdout) != b.len)
            rc = SHN_ERR_IO;
        shn_buf_cleanup(&b);
        if (rc != SHN_OK) {
            fprintf(stderr, "shinsa: %s\n", shn_strerror(rc));
            return SHN_EXIT_FAILURE;
        }
        return SHN_EXIT_OK;
    }
    if (!a->check) {
        fputs(score_usage, stderr);
        return SHN_EXIT_USAGE;
    }
    rc = shn_accounts_config_check(a->check, &diag);
    if (rc != SHN_OK) {
        report(rc, &diag);
        return SHN_EXIT_FAILURE;
    }
    printf("%s: ok\n", a->check);
    return SHN_EXIT_OK;
}

int shn_cli_accounts_score(int argc, char **argv)
{
    struct sargs a;
    int p = parse(argc, argv, &a, score_usage);
    if (p != 0)
        return p > 0 ? SHN_EXIT_OK : SHN_EXIT_USAGE;
    if (strcmp(argv[0], "config") == 0)
        return run_config(&a);
    if (strcmp(argv[0], "explain") == 0) {
        if (optind + 1 != argc || a.account) {
            fputs(score_usage, stderr);
            return SHN_EXIT_USAGE;
        }
        a.account = argv[optind];
        return run_score(&a, true);
    }
    if (optind != argc) {
        fprintf(stderr, "shinsa accounts score: unexpected argument '%s'\n", argv[optind]);
        return SHN_EXIT_USAGE;
    }
    return run_score(&a, false);
}

struct alerts_out {
    const struct sargs *a;
    long shown;
};

static int print_alert(void *ctx, const struct shn_events_alert *al)
{
    struct alerts_out *o = ctx;
    struct shn_buf b;
    int rc;
    if (o->a->limit && o->shown >= o->a->limit)
        return 1; /* stop */
    o->shown++;
    shn_buf_init(&b, 1u << 20);
    rc = o->a->json ? shn_accounts_alert_json(al, &b) : shn_accounts_alert_text(al, &b);
    if (rc == SHN_OK)
        fwrite(b.data, 1, b.len, stdout);
    shn_buf_cleanup(&b);
    return rc;
}

int shn_cli_alerts(int argc, char **argv)
{
    struct sargs a;
    struct shn_events_db *db = NULL;
    struct shn_diag diag = {0};
    struct alerts_out o = {&a, 0};
    int p, rc;
    if (argc < 1 || shn_cli_wants_help(argc, argv)) {
        fputs(alerts_usage, argc < 1 ? stderr : stdout);
        return argc < 1 ? SHN_EXIT_USAGE : SHN_EXIT_OK;
    }
    p = parse(argc, argv, &a, alerts_usage);
    if (p != 0)
        return p > 0 ? SHN_EXIT_OK : SHN_EXIT_USAGE;
    if (strcmp(argv[0], "list") != 0 || optind != argc) {
        fputs(alerts_usage, stderr);
        return SHN_EXIT_USAGE;
    }
    rc = shn_events_open(a.db ? a.db : shn_cli_default_accounts_db(0), &db, &diag);
    if (rc == SHN_OK) {
        struct shn_buf h;
        shn_buf_init(&h, 256);
        if (!a.json && shn_accounts_alert_text_header(&h) == SHN_OK)
            fputs(h.data, stdout);
        shn_buf_cleanup(&h);
        rc = shn_accounts_alerts_each(db, a.level, a.account, print_alert, &o, &diag);
        if (rc == 1)
            rc = SHN_OK;
    }
    shn_events_close(db);
    if (rc != SHN_OK) {
        report(rc, &diag);
        return SHN_EXIT_FAILURE;
    }
    return SHN_EXIT_OK;
}
