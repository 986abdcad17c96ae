/* args: the one command-line parser of the shinsa CLI.
 *
 * A command describes its options once, in a table; the same table parses
 * the command line, prints the synopsis of a usage error and prints --help.
 * A verb is then: table, shn_cli_parse, checks across options, call the
 * engine, print what the engine returned.
 *
 *     static int cmd_info(int argc, char **argv)   // argv[0] is "info"
 *     {
 *         const char *index = NULL;
 *         bool json = false;
 *         long limit = 10;                          // the default, shown in --help
 *         const struct shn_cli_opt opts[] = {
 *             {"--index", SHN_ARG_STRING, &index, .arg = "INDEX", .help = "the index file"},
 *             {"--limit", SHN_ARG_INT, &limit, 1, 100, "at most N rows", .arg = "N"},
 *             {"--json", SHN_ARG_FLAG, &json, .help = "JSON output"},
 *             {0}};
 *         const struct shn_cli_spec spec = {.usage = "shinsa lists info",
 *                                           .about = "Prints an index's sources.",
 *                                           .opts = opts};
 *         int status = shn_cli_parse(&spec, argc, argv);
 *
 *         if (status != SHN_CLI_RUN)
 *             return status;                        // help printed (0) or a usage error (2)
 *         ...
 *     }
 *
 * The rules the parser applies, the same for every command:
 * - Options are "--name VALUE" or "--name=VALUE" and may come in any order,
 *   before, between or after positional arguments; "--" ends the options.
 *   Names are matched whole (no abbreviations). An entry's `alias` is a
 *   second spelling ("-v" for "--verbose"); short options are not bundled.
 * - "-h" or "--help" anywhere before "--" prints the help on stdout, and the
 *   command exits 0, whatever else the line holds.
 * - Any error prints "shinsa: <what>" naming the option and what it wants,
 *   then the synopsis and a pointer to --help, on stderr; the command exits
 *   SHN_EXIT_USAGE (2). Values are checked fully: "2.5" is not an integer,
 *   "1e3" neither, "nan" is not a number, " 5" is not 5.
 * - A value the table stores is written only when the option is given: the
 *   destination's initial value is the default, and --help shows it
 *   ("(default: 10)") for integers and numbers within their range, strings
 *   that are not NULL and choices.
 *
 * Values point into argv (nothing is allocated, nothing needs freeing). */
#ifndef SHN_CLI_ARGS_H
#define SHN_CLI_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "shinsa/core/err.h"

/* What an entry takes and what its `dest` points at. */
enum shn_arg_kind {
    SHN_ARG_FLAG,     /* bool *: set to true; takes no value */
    SHN_ARG_STRING,   /* const char **: the value; given twice, the last wins */
    SHN_ARG_INT,      /* long *: a whole number (digits, optional '-') in [min, max] */
    SHN_ARG_NUMBER,   /* double *: a finite decimal number in [min, max] */
    SHN_ARG_CHOICE,   /* int *: the index in `choices` of the word given */
    SHN_ARG_LIST,     /* struct shn_cli_list *: repeatable, one value each time */
    SHN_ARG_VALUES,   /* struct shn_cli_list *: the value and every word after it up
                       * to the next option ("--transfers F1 F2 F3"); repeatable */
    SHN_ARG_CUSTOM,   /* any: `parse(value, dest)` converts; on -1 the error says
                       * "--x wants <want>, not 'value'" */
    SHN_ARG_REST,     /* struct shn_cli_rest *: positional only; this word and all
                       * after it, unparsed (a command and its arguments) */
    SHN_ARG_OPERANDS, /* struct shn_cli_rest *: positional only, the last one; every
                       * positional word left, in order, however many (files given by
                       * a shell glob or xargs); min: the fewest wanted. The words are
                       * gathered in argv itself, which the parse rearranges */
};

/* Flags of an entry. */
enum {
    SHN_CLI_REQUIRED = 1, /* must be given (for lists: use min, the count) */
};

/* One option or positional argument.
 *
 * `name` is "--long" for an option; a name without a leading '-' ("FILE")
 * is a positional argument: positionals are filled in table order from the
 * words that are not options, a single-value kind taking one word and a
 * LIST taking up to `max` words. A positional is optional unless
 * SHN_CLI_REQUIRED (or, for a LIST, `min` > 0).
 *
 * min, max: the range of an INT or NUMBER (both 0: no range beyond the
 * type's; bounds are doubles, exact for integers up to 2^53); the count of
 * values of a LIST or VALUES (max 0: SHN_CLI_MAX_VALUES; min > 0 makes it
 * required). Unused by other kinds.
 *
 * The first six fields are positional in the initializer, as in
 * {"--limit", SHN_ARG_INT, &limit, 1, 100, "at most N rows"}; the rest are
 * named (.arg = "N"). A table ends with {0}. */
struct shn_cli_opt {
    const char *name;
    int kind; /* enum shn_arg_kind */
    void *dest;
    double min, max;
    const char *help;           /* one or more sentences; '\n' breaks a line; NULL hides the
                                 * entry from --help (for spellings kept for old scripts) */
    const char *arg;            /* the value's name in help ("INDEX"); a default by kind */
    const char *alias;          /* another spelling ("-v") */
    const char *const *choices; /* CHOICE: the words, NULL-terminated */
    int (*parse)(const char *value, void *dest); /* CUSTOM: 0, or -1 when bad */
    const char *want;                            /* CUSTOM: what a value must be */
    unsigned flags;                              /* SHN_CLI_REQUIRED */
    int tag; /* LIST, VALUES: stored with each value, so that several options
              * can fill one list and the caller tells them apart in order */
};

/* Values of a LIST or VALUES entry, in command-line order. Zero it (or
 * declare it with = {0}) before parsing. Large (about 36 KB): one per
 * option, in the handler's frame, is fine. */
#define SHN_CLI_MAX_VALUES 4096
struct shn_cli_list {
    size_t n;
    const char *v[SHN_CLI_MAX_VALUES];
    unsigned char tag[SHN_CLI_MAX_VALUES]; /* the `tag` of the entry that added it */
};

/* What a REST positional holds: argv[0] is the first word it took. */
struct shn_cli_rest {
    int argc;
    char **argv;
};

/* A command of a group ("trace" has import, run, ...): `run` receives the
 * group's argv from the verb on (argv[0] is the verb's name) and returns the
 * exit status. */
struct shn_cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary; /* one line for the group's help */
};

/* A command line's description. */
struct shn_cli_spec {
    const char *usage;              /* the words that call it: "shinsa trace run" */
    const char *about;              /* what it does, printed under the synopsis ('\n' kept) */
    const struct shn_cli_opt *opts; /* ends with {0}; NULL: none */
    const char *epilog;             /* printed last (exit status, examples) */
    const struct shn_cli_command *commands; /* a group's verbs, ends with {0} */
};

/* shn_cli_parse's "go on" status (exit statuses are 0 and up). */
#define SHN_CLI_RUN (-1)

/* Parses argv[1..argc) (argv[0] is the command's own name) into the
 * destinations of spec->opts. Returns SHN_CLI_RUN when the command should
 * run; SHN_EXIT_OK when it printed the help (asked for with -h/--help);
 * SHN_EXIT_USAGE when it printed an error. Destinations may have been
 * written before an error was found. */
int shn_cli_parse(const struct shn_cli_spec *spec, int argc, char **argv);

/* Runs the verb argv[0] of a group from spec->commands, passing it argc and
 * argv unchanged. No verb: the group's help on stderr, SHN_EXIT_USAGE;
 * "-h", "--help" or "help": the help on stdout, SHN_EXIT_OK; an unknown
 * verb: "shinsa: unknown command 'X'" and the help on stderr,
 * SHN_EXIT_USAGE. */
int shn_cli_dispatch(const struct shn_cli_spec *spec, int argc, char **argv);

/* The command in spec->commands called `name`, or NULL. */
const struct shn_cli_command *shn_cli_find_command(const struct shn_cli_spec *spec,
                                                   const char *name);

/* The full help (synopsis, about, commands, options, epilog) into `out`. */
void shn_cli_help(const struct shn_cli_spec *spec, FILE *out);

/* For checks across options that a table cannot say ("--amount needs
 * --asset"): prints "shinsa: <message>", the synopsis and a pointer to
 * --help on stderr and returns SHN_EXIT_USAGE. */
int shn_cli_usage_error(const struct shn_cli_spec *spec, const char *fmt, ...) SHN_PRINTF(2, 3);

#endif
