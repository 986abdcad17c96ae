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
int shn_cli_image(int argc, char **argv);
int shn_cli_text(int argc, char **argv);
int shn_cli_trace(int argc, char **argv);
int shn_cli_link(int argc, char **argv);
int shn_cli_accounts(int argc, char **argv);
int shn_cli_accounts_score(int argc, char **argv); /* score, explain, config */
int shn_cli_alerts(int argc, char **argv);
/* The accounts database used when --db is not given. */
const char *shn_cli_default_accounts_db(int create_dir);

/* True when argv holds -h or --help. */
int shn_cli_wants_help(int argc, char **argv);

/* Prints "shinsa: <error>" for a failed call with its diagnostic. */
void shn_cli_report(int rc, const void *diag);

/* The data directory for default files ($SHINSA_DATA_DIR, else
 * /var/lib/shinsa when writable, else ~/.local/share/shinsa). */
const char *shn_cli_data_dir(void);

/* $DATA_DIR/screen.idx; with create_dir, the folder is created if missing. */
const char *shn_cli_default_index(int create_dir);

/* Strict number parsing for options: prints the error and returns -1. */
int shn_cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out);
int shn_cli_parse_int(const char *opt, const char *s, long lo, long hi, long *out);

#endif
