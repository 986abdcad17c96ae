/* args: one table parses a command line (args.h); args_help.c prints it. */
#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "args_internal.h"
#include "cli.h"

#define MAX_OPTS 64 /* entries in one table */

struct walk {
    const struct shn_cli_spec *spec;
    bool store;             /* false: only look for -h/--help */
    bool help;              /* -h or --help seen */
    char error[512];        /* the first error, "" when none */
    size_t count[MAX_OPTS]; /* values given, per entry */
    size_t n_opts;
    size_t positional; /* next positional entry to fill */
};

/* A word that is an option: "-x..." (a lone "-" is a value: standard input). */
static bool is_option_word(const char *w)
{
    return w[0] == '-' && w[1] != '\0';
}

static bool is_help_word(const char *w)
{
    return strcmp(w, "-h") == 0 || strcmp(w, "--help") == 0;
}

static SHN_PRINTF(2, 3) void fail(struct walk *w, const char *fmt, ...)
{
    va_list ap;

    if (!w->store || w->error[0])
        return;
    va_start(ap, fmt);
    vsnprintf(w->error, sizeof w->error, fmt, ap);
    va_end(ap);
}

const char *shn__cli_arg_name(const struct shn_cli_opt *o)
{
    if (o->arg)
        return o->arg;
    switch (o->kind) {
    case SHN_ARG_INT:
        return "N";
    case SHN_ARG_NUMBER:
        return "X";
    case SHN_ARG_CHOICE:
        return "WORD";
    default:
        return shn__cli_is_positional(o) ? o->name : "VALUE";
    }
}

/* "from 1 to 64" (integers without a fraction). */
void shn__cli_range_text(const struct shn_cli_opt *o, char *buf, size_t size)
{
    if (o->kind == SHN_ARG_INT)
        snprintf(buf, size, "from %.0f to %.0f", o->min, o->max);
    else
        snprintf(buf, size, "from %g to %g", o->min, o->max);
}

/* "a, b or c" */
void shn__cli_choices_text(const struct shn_cli_opt *o, char *buf, size_t size)
{
    size_t n = 0, len = 0;

    buf[0] = '\0';
    while (o->choices && o->choices[n])
        n++;
    for (size_t i = 0; i < n && len < size; i++) {
        const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
        int k = snprintf(buf + len, size - len, "%s%s", sep, o->choices[i]);
        if (k < 0)
            break;
        len += (size_t)k;
    }
}

/* Digits with an optional '-': no spaces, no '+', no fraction, no exponent. */
static int parse_long(const char *s, long *out)
{
    const char *p = s + (*s == '-');
    char *end;
    long v;

    if (!*p)
        return -1;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

/* A finite decimal number: starts with a digit, a sign or a point; no hex,
 * no "inf" or "nan", nothing after it. */
static int parse_double(const char *s, double *out)
{
    char *end;
    double v;

    if (!((*s >= '0' && *s <= '9') || *s == '-' || *s == '+' || *s == '.'))
        return -1;
    if (strchr(s, 'x') || strchr(s, 'X'))
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static void store_int(struct walk *w, const struct shn_cli_opt *o, const char *value)
{
    char range[96] = "";
    long v;

    if (shn__cli_has_range(o)) {
        shn__cli_range_text(o, range + 1, sizeof range - 1);
        range[0] = ' ';
    }
    if (parse_long(value, &v) != 0 ||
        (shn__cli_has_range(o) && ((long double)v < o->min || (long double)v > o->max)))
        fail(w, "%s wants a whole number%s, not '%s'", o->name, range, value);
    else
        *(long *)o->dest = v;
}

static void store_number(struct walk *w, const struct shn_cli_opt *o, const char *value)
{
    char range[96] = "";
    double v;

    if (shn__cli_has_range(o)) {
        shn__cli_range_text(o, range + 1, sizeof range - 1);
        range[0] = ' ';
    }
    if (parse_double(value, &v) != 0 || (shn__cli_has_range(o) && (v < o->min || v > o->max)))
        fail(w, "%s wants a number%s, not '%s'", o->name, range, value);
    else
        *(double *)o->dest = v;
}

static void store_choice(struct walk *w, const struct shn_cli_opt *o, const char *value)
{
    char words[256];

    for (int i = 0; o->choices && o->choices[i]; i++) {
        if (strcmp(o->choices[i], value) == 0) {
            *(int *)o->dest = i;
            return;
        }
    }
    shn__cli_choices_text(o, words, sizeof words);
    fail(w, "%s wants %s, not '%s'", o->name, words, value);
}

/* Stores one value of entry `k`. */
static void store(struct walk *w, size_t k, const char *value)
{
    const struct shn_cli_opt *o = &w->spec->opts[k];
    size_t max = o->max > 0 ? (size_t)o->max : SHN_CLI_MAX_VALUES;
    struct shn_cli_list *list;
    struct shn_cli_rest *operands;

    w->count[k]++;
    if (!w->store)
        return;
    switch (o->kind) {
    case SHN_ARG_FLAG:
        *(bool *)o->dest = true;
        break;
    case SHN_ARG_STRING:
        *(const char **)o->dest = value;
        break;
    case SHN_ARG_INT:
        store_int(w, o, value);
        break;
    case SHN_ARG_NUMBER:
        store_number(w, o, value);
        break;
    case SHN_ARG_CHOICE:
        store_choice(w, o, value);
        break;
    case SHN_ARG_CUSTOM:
        if (o->parse(value, o->dest) != 0)
            fail(w, "%s wants %s, not '%s'", o->name, o->want ? o->want : "a valid value", value);
        break;
    case SHN_ARG_OPERANDS:
        /* argv[1 + argc] was read before argv[i] >= it: nothing unread is
         * overwritten (shn_cli_parse points rest->argv at argv + 1) */
        operands = o->dest;
        operands->argv[operands->argc++] = (char *)value;
        break;
    case SHN_ARG_LIST:
    case SHN_ARG_VALUES:
        list = o->dest;
        if (w->count[k] > max || list->n >= SHN_CLI_MAX_VALUES) {
            fail(w, "%s takes at most %zu values", o->name,
                 max < SHN_CLI_MAX_VALUES ? max : (size_t)SHN_CLI_MAX_VALUES);
            break;
        }
        list->v[list->n] = value;
        list->tag[list->n++] = (unsigned char)o->tag;
        break;
    default:
        fail(w, "%s: unknown kind of option in the table", o->name);
    }
}

/* The entry whose name or alias is word[0..len), or -1. */
static long find_option(const struct walk *w, const char *word, size_t len)
{
    for (size_t k = 0; k < w->n_opts; k++) {
        const struct shn_cli_opt *o = &w->spec->opts[k];
        if (shn__cli_is_positional(o))
            continue;
        if ((strlen(o->name) == len && strncmp(o->name, word, len) == 0) ||
            (o->alias && strlen(o->alias) == len && strncmp(o->alias, word, len) == 0))
            return (long)k;
    }
    return -1;
}

/* Handles the option at argv[*i]; *i ends on the last word it used. */
static void take_option(struct walk *w, int argc, char **argv, int *i)
{
    const char *word = argv[*i], *eq = strchr(word, '=');
    size_t len = eq ? (size_t)(eq - word) : strlen(word);
    long k = find_option(w, word, len);
    const struct shn_cli_opt *o;

    if (is_help_word(word)) {
        w->help = true;
        return;
    }
    if (k < 0) {
        fail(w, "unknown option '%.*s'", (int)len, word);
        return;
    }
    o = &w->spec->opts[k];
    if (o->kind == SHN_ARG_FLAG) {
        if (eq)
            fail(w, "%s takes no value", o->name);
        else
            store(w, (size_t)k, NULL);
        return;
    }
    if (eq) {
        store(w, (size_t)k, eq + 1);
    } else if (*i + 1 < argc) {
        store(w, (size_t)k, argv[++*i]);
    } else {
        fail(w, "%s needs a value (%s)", o->name, shn__cli_arg_name(o));
        return;
    }
    while (o->kind == SHN_ARG_VALUES && *i + 1 < argc && !is_option_word(argv[*i + 1]))
        store(w, (size_t)k, argv[++*i]);
}

/* Handles a positional word; returns false when the walk should stop (the
 * rest of the line belongs to a REST entry). */
static bool take_positional(struct walk *w, int argc, char **argv, int i)
{
    for (; w->positional < w->n_opts; w->positional++) {
        const struct shn_cli_opt *o = &w->spec->opts[w->positional];
        size_t k = w->positional;
        if (!shn__cli_is_positional(o))
            continue;
        if (o->kind == SHN_ARG_REST) {
            w->count[k]++;
            if (w->store) {
                struct shn_cli_rest *rest = o->dest;
                rest->argc = argc - i;
                rest->argv = argv + i;
            }
            return false;
        }
        if (o->kind == SHN_ARG_OPERANDS) {
            store(w, k, argv[i]);
            return true;
        }
        if (shn__cli_is_list(o)) {
            size_t max = o->max > 0 ? (size_t)o->max : SHN_CLI_MAX_VALUES;
            if (w->count[k] >= max)
                continue;
            store(w, k, argv[i]);
            return true;
        }
        if (w->count[k])
            continue;
        store(w, k, argv[i]);
        return true;
    }
    fail(w, "unexpected argument '%s'", argv[i]);
    return true;
}

/* "trace run" for "shinsa trace run": messages already start "shinsa: ". */
static const char *command_name(const struct shn_cli_spec *spec)
{
    return strncmp(spec->usage, "shinsa ", 7) == 0 ? spec->usage + 7 : spec->usage;
}

static void check_counts(struct walk *w)
{
    for (size_t k = 0; k < w->n_opts && !w->error[0]; k++) {
        const struct shn_cli_opt *o = &w->spec->opts[k];
        size_t need = shn__cli_is_list(o) && o->min > 0 ? (size_t)o->min
                      : shn__cli_is_required(o)         ? 1
                                                        : 0;
        if (w->count[k] >= need)
            continue;
        if (w->count[k] == 0 && shn__cli_is_positional(o))
            fail(w, "%s needs %s", command_name(w->spec), shn__cli_arg_name(o));
        else if (w->count[k] == 0)
            fail(w, "%s needs %s %s", command_name(w->spec), o->name, shn__cli_arg_name(o));
        else
            fail(w, "%s wants at least %zu values", o->name, need);
    }
}

static void walk(struct walk *w, int argc, char **argv)
{
    bool options = true;

    for (int i = 1; i < argc; i++) {
        if (options && strcmp(argv[i], "--") == 0) {
            options = false;
        } else if (options && is_option_word(argv[i])) {
            take_option(w, argc, argv, &i);
        } else if (!take_positional(w, argc, argv, i)) {
            break;
        }
    }
    if (w->store)
        check_counts(w);
}

int shn_cli_parse(const struct shn_cli_spec *spec, int argc, char **argv)
{
    struct walk w = {.spec = spec};

    while (spec->opts && spec->opts[w.n_opts].name)
        w.n_opts++;
    if (w.n_opts > MAX_OPTS) {
        fprintf(stderr, "shinsa: %s: more than %d options in its table\n", spec->usage, MAX_OPTS);
        return SHN_EXIT_USAGE;
    }
    /* First look for -h/--help only, so that the help shows the defaults
     * and wins over any error elsewhere on the line. */
    walk(&w, argc, argv);
    if (w.help) {
        shn_cli_help(spec, stdout);
        return SHN_EXIT_OK;
    }
    memset(w.count, 0, sizeof w.count);
    w.positional = 0;
    w.store = true;
    for (size_t k = 0; k < w.n_opts; k++) {
        if (spec->opts[k].kind == SHN_ARG_OPERANDS) {
            struct shn_cli_rest *rest = spec->opts[k].dest;
            rest->argc = 0;
            rest->argv = argv + 1;
        }
    }
    walk(&w, argc, argv);
    if (w.error[0])
        return shn_cli_usage_error(spec, "%s", w.error);
    return SHN_CLI_RUN;
}

/* ---- Groups ----------------------------------------------------------- */

const struct shn_cli_command *shn_cli_find_command(const struct shn_cli_spec *spec,
                                                   const char *name)
{
    for (const struct shn_cli_command *c = spec->commands; c && c->name; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int shn_cli_dispatch(const struct shn_cli_spec *spec, int argc, char **argv)
{
    const struct shn_cli_command *c;

    if (argc < 1) {
        shn_cli_help(spec, stderr);
        return SHN_EXIT_USAGE;
    }
    if (is_help_word(argv[0]) || strcmp(argv[0], "help") == 0) {
        shn_cli_help(spec, stdout);
        return SHN_EXIT_OK;
    }
    c = shn_cli_find_command(spec, argv[0]);
    if (!c) {
        fprintf(stderr, "shinsa: unknown command '%s'\n", argv[0]);
        shn_cli_help(spec, stderr);
        return SHN_EXIT_USAGE;
    }
    return c->run(argc, argv);
}
