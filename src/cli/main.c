/* shinsa: one binary, one subcommand per engine. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "shinsa/core/err.h"
#include "shinsa/core/log.h"

static const char usage[] =
    "usage: shinsa [-v|-q] COMMAND [ARGS]\n"
    "\n"
    "Screening for DPRK-linked actors on freelancing and crypto platforms.\n"
    "\n"
    "commands:\n"
    "  screen   screen names, birth dates, IDs and crypto addresses against lists\n"
    "  lists    build, inspect and update the watchlist index\n"
    "  image    PDQ hashes of ID-document images and a near-duplicate index\n"
    "  text     how natural a Japanese text reads, with the odd spans marked\n"
    "  trace    follow stolen crypto through a transfer graph (taint, exits)\n"
    "  link     group accounts that share identifiers into operator clusters\n"
    "  accounts store a platform's events and score every account on the red flags\n"
    "  alerts   list the alerts raised by accounts score\n"
    "\n"
    "options:\n"
    "  -v, --verbose   progress and details on stderr\n"
    "  -q, --quiet     errors only\n"
    "  -h, --help      this help; 'shinsa COMMAND --help' for a command\n"
    "  --version       print the version\n";

int shn_cli_wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
            return 1;
    return 0;
}

void shn_cli_report(int rc, const void *diag_ptr)
{
    const struct shn_diag *diag = diag_ptr;
    char text[512];

    if (diag && diag->message[0]) {
        shn_diag_format(diag, text, sizeof text);
        fprintf(stderr, "shinsa: %s\n", text);
    } else {
        fprintf(stderr, "shinsa: %s\n", shn_strerror(rc));
    }
}

int main(int argc, char **argv)
{
    int i = 1;

    shn_log_set_level(SHN_LOG_INFO);
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
            shn_log_set_level(SHN_LOG_DEBUG);
        } else if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
            shn_log_set_level(SHN_LOG_ERROR);
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return SHN_EXIT_OK;
        } else if (strcmp(argv[i], "--version") == 0) {
            puts("shinsa 0.1.0");
            return SHN_EXIT_OK;
        } else {
            fprintf(stderr, "shinsa: unknown option '%s'\n%s", argv[i], usage);
            return SHN_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        fputs(usage, stderr);
        return SHN_EXIT_USAGE;
    }
    if (strcmp(argv[i], "screen") == 0)
        return shn_cli_screen(argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "lists") == 0)
        return shn_cli_lists(argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "image") == 0)
        return shn_cli_image(argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "text") == 0)
        return shn_cli_text(argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "trace") == 0)
        return shn_cli_trace(argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "link") == 0)
        return shn_cli_link(argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "accounts") == 0)
        return shn_cli_accounts(argc - i - 1, argv + i + 1);
    if (strcmp(argv[i], "alerts") == 0)
        return shn_cli_alerts(argc - i - 1, argv + i + 1);
    fprintf(stderr, "shinsa: unknown command '%s'\n%s", argv[i], usage);
    return SHN_EXIT_USAGE;
}
