/* args: the help, synopsis and usage errors printed from a command's table
 * (args.h). */
#include <stdarg.h>
#include <string.h>

#include "args.h"
#include "args_internal.h"
#include "cli.h"

#define HELP_COL 24 /* where option help starts */
#define WIDTH 79    /* help lines wrap before this column */

/* Display columns of UTF-8 text (one per code point; close enough). */
static size_t columns(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static void indent(FILE *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        fputc(' ', out);
}

/* Writes text from column `col`, wrapping words before WIDTH and going on
 * at column `margin`; '\n' in the text starts a new line at the margin. */
static size_t wrapped(FILE *out, const char *text, size_t col, size_t margin)
{
    const char *p = text;

    while (*p) {
        size_t word = strcspn(p, " \n"), w = columns(p, word);
        if (col > margin && col + 1 + w > WIDTH) {
            fputc('\n', out);
            indent(out, margin);
            col = margin;
        } else if (col > margin) {
            fputc(' ', out);
            col++;
        }
        fwrite(p, 1, word, out);
        col += w;
        p += word;
        if (*p == '\n') {
            fputc('\n', out);
            indent(out, margin);
            col = margin;
        }
        while (*p == ' ' || *p == '\n')
            p++;
    }
    return col;
}

/* One word group of the synopsis, wrapped before WIDTH. */
static void part(FILE *out, size_t *col, size_t margin, const char *text)
{
    size_t w = columns(text, strlen(text));

    if (*col > margin && *col + 1 + w > WIDTH) {
        fputc('\n', out);
        indent(out, margin);
        *col = margin;
    } else {
        fputc(' ', out);
        (*col)++;
    }
    fputs(text, out);
    *col += w;
}

/* "usage: shinsa trace run --graph GRAPH [OPTIONS] [FILE]": the required
 * options, [OPTIONS] for the others, then the positionals. */
static void synopsis(const struct shn_cli_spec *spec, FILE *out)
{
    const struct shn_cli_opt *o;
    size_t col = 7 + columns(spec->usage, strlen(spec->usage)), margin = col + 1;
    bool optional = false, rest = false;
    char text[256];

    fprintf(out, "usage: %s", spec->usage);
    for (o = spec->opts; o && o->name; o++) {
        if (shn__cli_is_positional(o))
            continue;
        if (!shn__cli_is_required(o)) {
            optional = optional || o->help;
            continue;
        }
        snprintf(text, sizeof text, "%s %s%s", o->name, shn__cli_arg_name(o),
                 o->kind == SHN_ARG_VALUES ? "..." : "");
        part(out, &col, margin, text);
    }
    if (optional)
        part(out, &col, margin, "[OPTIONS]");
    for (o = spec->opts; o && o->name; o++) {
        if (!shn__cli_is_positional(o))
            continue;
        if (o->kind == SHN_ARG_REST) {
            snprintf(text, sizeof text, "%s", o->arg ? o->arg : "COMMAND [ARGS]");
            rest = true;
        } else if (shn__cli_is_list(o)) {
            snprintf(text, sizeof text, shn__cli_is_required(o) ? "%s..." : "[%s...]",
                     shn__cli_arg_name(o));
        } else {
            snprintf(text, sizeof text, shn__cli_is_required(o) ? "%s" : "[%s]",
                     shn__cli_arg_name(o));
        }
        part(out, &col, margin, text);
    }
    if (spec->commands && !rest)
        part(out, &col, margin, "COMMAND [ARGS]");
    fputc('\n', out);
}

/* "(from 1 to 64; default: 10)" for the help of an entry, or "". */
static void notes(const struct shn_cli_opt *o, char *buf, size_t size)
{
    char range[256] = "", def[128] = "";

    if ((o->kind == SHN_ARG_INT || o->kind == SHN_ARG_NUMBER) && shn__cli_has_range(o))
        shn__cli_range_text(o, range, sizeof range);
    if (o->kind == SHN_ARG_CHOICE)
        shn__cli_choices_text(o, range, sizeof range);
    if (o->kind == SHN_ARG_INT) {
        long v = *(const long *)o->dest;
        if (!shn__cli_has_range(o) || ((long double)v >= o->min && (long double)v <= o->max))
            snprintf(def, sizeof def, "default: %ld", v);
    } else if (o->kind == SHN_ARG_NUMBER) {
        double v = *(const double *)o->dest;
        if (!shn__cli_has_range(o) || (v >= o->min && v <= o->max))
            snprintf(def, sizeof def, "default: %g", v);
    } else if (o->kind == SHN_ARG_STRING && *(const char *const *)o->dest) {
        snprintf(def, sizeof def, "default: %s", *(const char *const *)o->dest);
    } else if (o->kind == SHN_ARG_CHOICE) {
        int v = *(const int *)o->dest, n = 0;
        while (o->choices && o->choices[n])
            n++;
        if (v >= 0 && v < n)
            snprintf(def, sizeof def, "default: %s", o->choices[v]);
    }
    if (range[0] && def[0])
        snprintf(buf, size, "(%s; %s)", range, def);
    else if (range[0] || def[0])
        snprintf(buf, size, "(%s)", range[0] ? range : def);
    else
        buf[0] = '\0';
}

static void option_line(FILE *out, const char *left, const char *help, const char *note)
{
    size_t col = 2 + columns(left, strlen(left));

    fprintf(out, "  %s", left);
    if (col + 2 > HELP_COL) {
        fputc('\n', out);
        col = 0;
    }
    indent(out, HELP_COL - col);
    col = wrapped(out, help ? help : "", HELP_COL, HELP_COL);
    if (note && note[0])
        wrapped(out, note, col, HELP_COL);
    fputc('\n', out);
}

void shn_cli_help(const struct shn_cli_spec *spec, FILE *out)
{
    char left[160], note[512];
    size_t name_width = 0;

    synopsis(spec, out);
    if (spec->about) {
        fputc('\n', out);
        wrapped(out, spec->about, 0, 0);
        fputc('\n', out);
    }
    if (spec->commands) {
        fputs("\ncommands:\n", out);
        for (const struct shn_cli_command *c = spec->commands; c->name; c++)
            if (strlen(c->name) > name_width)
                name_width = strlen(c->name);
        for (const struct shn_cli_command *c = spec->commands; c->name; c++) {
            fprintf(out, "  %-*s  ", (int)name_width, c->name);
            wrapped(out, c->summary ? c->summary : "", name_width + 4, name_width + 4);
            fputc('\n', out);
        }
    }
    fputs("\noptions:\n", out);
    for (const struct shn_cli_opt *o = spec->opts; o && o->name; o++) {
        if (!o->help || (shn__cli_is_positional(o) && o->kind == SHN_ARG_REST && !o->help[0]))
            continue;
        if (shn__cli_is_positional(o))
            snprintf(left, sizeof left, "%s%s", shn__cli_arg_name(o),
                     o->kind == SHN_ARG_LIST || o->kind == SHN_ARG_OPERANDS ? "..." : "");
        else if (o->kind == SHN_ARG_FLAG)
            snprintf(left, sizeof left, "%s%s%s", o->alias ? o->alias : "", o->alias ? ", " : "",
                     o->name);
        else
            snprintf(left, sizeof left, "%s%s%s %s%s", o->alias ? o->alias : "",
                     o->alias ? ", " : "", o->name, shn__cli_arg_name(o),
                     o->kind == SHN_ARG_VALUES ? "..." : "");
        notes(o, note, sizeof note);
        option_line(out, left, o->help, note);
    }
    option_line(out, "-h, --help", "print this help and exit", NULL);
    if (spec->epilog) {
        fputc('\n', out);
        wrapped(out, spec->epilog, 0, 0);
        fputc('\n', out);
    }
    if (spec->commands)
        fprintf(out, "\n'%s COMMAND --help' prints the options of a command.\n", spec->usage);
}

int shn_cli_usage_error(const struct shn_cli_spec *spec, const char *fmt, ...)
{
    va_list ap;

    fputs("shinsa: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    synopsis(spec, stderr);
    fprintf(stderr, "'%s --help' for more.\n", spec->usage);
    return SHN_EXIT_USAGE;
}
