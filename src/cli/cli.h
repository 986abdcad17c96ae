/* The thin command-line layer: argument parsing and printing only; every
 * decision and every output is made in the engines. Each command is a
 * function taking its own argc/argv (argv[0] is the command's or verb's
 * name) and returning the process exit code. Options are parsed with the
 * tables of args.h. */
#ifndef SHN_CLI_CLI_H
#define SHN_CLI_CLI_H

#include <stdbool.h>

/* Exit codes, stable for scripts. */
enum {
    SHN_EXIT_OK = 0,
    SHN_EXIT_FAILURE = 1, /* the command ran and failed (bad input, I/O) */
    SHN_EXIT_USAGE = 2,   /* bad command line */
};

/* Commands with argv[0] = "screen", "lists", "image", "text", "trace", "serve". */
int shn_cli_screen(int argc, char **argv);
int shn_cli_lists(int argc, char **argv);
int shn_cli_image(int argc, char **argv);
int shn_cli_text(int argc, char **argv);
int shn_cli_trace(int argc, char **argv);
int shn_cli_serve(int argc, char **argv);

/* Groups not yet on args.h (argv[0] = the verb): main.c dispatches to them
 * from its own tables until they are converted. */
int shn_cli_link(int argc, char **argv);
int shn_cli_accounts(int argc, char **argv);
int shn_cli_accounts_score(int argc, char **argv); /* score, explain, config */
int shn_cli_alerts(int argc, char **argv);
int shn_cli_mail(int argc, char **argv);
/* The accounts database used when --db is not given. */
const char *shn_cli_default_accounts_db(int create_dir);

/* True when argv holds -h or --help (for the groups not yet on args.h). */
int shn_cli_wants_help(int argc, char **argv);

/* True under -q (errors only): commands then print no summary or
 * confirmation, on stdout or stderr; results asked for (and --json) still
 * print. */
bool shn_cli_quiet(void);

/* Prints "shinsa: <error>" for a failed call with its diagnostic. */
void shn_cli_report(int rc, const void *diag);

/* The data directory for default files ($SHINSA_DATA_DIR, else
 * /var/lib/shinsa when writable, else ~/.local/share/shinsa). */
const char *shn_cli_data_dir(void);

/* $DATA_DIR/screen.idx; with create_dir, the folder is created if missing. */
const char *shn_cli_default_index(int create_dir);

/* Strict number parsing for the groups not yet on args.h (args.h does this
 * from the table): prints the error and returns -1. */
int shn_cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out);
int shn_cli_parse_int(const char *opt, const char *s, long lo, long hi, long *out);

/* Standard output (issue 12 F3): a write to a full disk or a closed pipe
 * must not go unnoticed. shn_cli_output_failed() is true once a write to
 * stdout has failed; long loops (a batch) check it after each result and
 * stop. shn_cli_close_stdout() flushes and closes stdout at the end of
 * main: on a failed write it prints "shinsa: cannot write standard output:
 * <reason>" and returns SHN_EXIT_FAILURE, else `status`. */
bool shn_cli_output_failed(void);
int shn_cli_close_stdout(int status);

#endif
