/* shinsa: one binary, one command per engine, dispatched from a table. */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "cli.h"
#include "shinsa/core/log.h"

/* The groups whose files are not yet on args.h parse their own verbs; their
 * verb tables live here so that an unknown verb is refused the same way
 * everywhere. Each entry calls the group's function with argv[0] = verb,
 * as it expects. A verb added to one of these groups must be added here
 * too (or it is refused as unknown). When a group moves to args.h, its
 * table moves into its file and its entry below points at it. */
static const struct shn_cli_command link_verbs[] = {
    {"build", shn_cli_link, "build a LINKDB from events and personas"},
    {"add", shn_cli_link, "add events and personas to a LINKDB (incremental)"},
    {"show", shn_cli_link, "an account's or a cluster's links"},
    {"export", shn_cli_link, "the clusters as GraphML, GEXF or JSON"},
    {0}};
static const struct shn_cli_command accounts_verbs[] = {
    {"ingest", shn_cli_accounts, "store a platform's events (JSON Lines) in the database"},
    {"show", shn_cli_accounts, "an account's stored events"},
    {"score", shn_cli_accounts, "score every account on the red flags, record alerts"},
    {"explain", shn_cli_accounts, "why one account scored as it did"},
    {"config", shn_cli_accounts, "check a scoring config, or print the defaults"},
    {"gen", shn_cli_accounts, "a synthetic platform with its ground truth"},
    {0}};
static const struct shn_cli_command alerts_verbs[] = {
    {"list", shn_cli_alerts, "the alerts raised by accounts score, newest first"}, {0}};

static const struct shn_cli_spec link_group = {
    .usage = "shinsa link",
    .about = "Groups accounts that share identifiers into operator clusters.",
    .commands = link_verbs};
static const struct shn_cli_spec accounts_group = {
    .usage = "shinsa accounts",
    .about = "Stores a platform's events and scores every account on the red flags.",
    .commands = accounts_verbs};
static const struct shn_cli_spec alerts_group = {
    .usage = "shinsa alerts",
    .about = "The alerts raised by 'shinsa accounts score'.",
    .commands = alerts_verbs};

/* A group not yet on args.h: its own help (which documents its options)
 * for no verb or -h, the common refusal for an unknown verb. */
static int legacy_group(const struct shn_cli_spec *group, int (*run)(int, char **), int argc,
                        char **argv)
{
    if (argc < 2 || shn_cli_wants_help(1, argv + 1) || strcmp(argv[1], "help") == 0)
        return run(argc - 1, argv + 1);
    return shn_cli_dispatch(group, argc - 1, argv + 1);
}

static int cli_link(int argc, char **argv)
{
    return legacy_group(&link_group, shn_cli_link, argc, argv);
}

static int cli_accounts(int argc, char **argv)
{
    return legacy_group(&accounts_group, shn_cli_accounts, argc, argv);
}

static int cli_alerts(int argc, char **argv)
{
    return legacy_group(&alerts_group, shn_cli_alerts, argc, argv);
}

static const struct shn_cli_command commands[] = {
    {"screen", shn_cli_screen, "screen names, birth dates, IDs and crypto addresses against lists"},
    {"lists", shn_cli_lists, "build, inspect and update the watchlist index"},
    {"image", shn_cli_image, "PDQ hashes of ID-document images and a near-duplicate index"},
    {"text", shn_cli_text, "how natural a Japanese text reads, with the odd spans marked"},
    {"trace", shn_cli_trace, "follow stolen crypto through a transfer graph (taint, exits)"},
    {"link", cli_link, "group accounts that share identifiers into operator clusters"},
    {"accounts", cli_accounts,
     "store a platform's events and score every account on the red flags"},
    {"alerts", cli_alerts, "list the alerts raised by accounts score"},
    {"mail", shn_cli_mail, "triage mail for North Korean phishing (HWP, LNK, lookalikes, lures)"},
    {"serve", shn_cli_serve, "answer screening over HTTP, as a long-running service"},
    {0}};

int main(int argc, char **argv)
{
    bool verbose = false, quiet = false, version = false;
    struct shn_cli_rest command = {0};
    const struct shn_cli_opt opts[] = {
        {"--verbose", SHN_ARG_FLAG, &verbose, .alias = "-v",
         .help = "progress and details on stderr"},
        {"--quiet", SHN_ARG_FLAG, &quiet, .alias = "-q", .help = "errors only"},
        {"--version", SHN_ARG_FLAG, &version, .help = "print the version and exit"},
        {"COMMAND", SHN_ARG_REST, &command, .help = ""},
        {0}};
    const struct shn_cli_spec spec = {
        .usage = "shinsa",
        .about = "Screening for DPRK-linked actors on freelancing and crypto platforms.",
        .opts = opts,
        .epilog = "Exit status: 0 on success, 1 on errors, 2 on a bad command line.",
        .commands = commands};
    int status = shn_cli_parse(&spec, argc, argv);

    shn_log_set_level(quiet ? SHN_LOG_ERROR : verbose ? SHN_LOG_DEBUG : SHN_LOG_INFO);
    if (status == SHN_CLI_RUN && version) {
        puts("shinsa 0.1.0");
        status = SHN_EXIT_OK;
    } else if (status == SHN_CLI_RUN) {
        status = shn_cli_dispatch(&spec, command.argc, command.argv);
    }
    return shn_cli_close_stdout(status);
}
