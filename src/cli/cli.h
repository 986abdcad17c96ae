/* The thin command-line layer: argument parsing and output formatting only;
 * every decision is made in the engines. Each subcommand is a function
 * taking argc/argv after its own name and returning the process exit code. */
#ifndef SHN_CLI_CLI_H
#define SHN_CLI_CLI_H

/* Exit codes, stable for scripts. */
enum {
    SHN_EXIT_OK = 0,
    SHN_EXIT_FAILURE = 1, /* the command ran and failed (bad input, I/O) */
    SHN_EXIT_USAGE = 2,   /* bad command line */
};

int shn_cli_lists(int argc, char **argv);
int shn_cli_screen(int argc, char **argv);

/* True when argv holds -h or --help. */
int shn_cli_wants_help(int argc, char **argv);

/* Prints "shinsa: <error>" for a failed call with its diagnostic. */
void shn_cli_report(int rc, const void *diag);

/* The data directory for default files ($SHINSA_DATA_DIR, else
 * /var/lib/shinsa when writable, else ~/.local/share/shinsa). */
const char *shn_cli_data_dir(void);

#endif
