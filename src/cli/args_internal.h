/* What args.c (parsing) and args_help.c (help) share about table entries. */
#ifndef SHN_CLI_ARGS_INTERNAL_H
#define SHN_CLI_ARGS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "args.h"

/* A name without a leading '-' ("FILE") is a positional argument. */
static inline bool shn__cli_is_positional(const struct shn_cli_opt *o)
{
    return o->name[0] != '-';
}

static inline bool shn__cli_is_list(const struct shn_cli_opt *o)
{
    return o->kind == SHN_ARG_LIST || o->kind == SHN_ARG_VALUES || o->kind == SHN_ARG_OPERANDS;
}

static inline bool shn__cli_is_required(const struct shn_cli_opt *o)
{
    return (o->flags & SHN_CLI_REQUIRED) || (shn__cli_is_list(o) && o->min > 0);
}

/* INT and NUMBER: min == max == 0 means no range. */
static inline bool shn__cli_has_range(const struct shn_cli_opt *o)
{
    return o->min != 0 || o->max != 0;
}

/* The value's name in help and errors: .arg, else by kind ("N", "X",
 * "WORD", "VALUE"; a positional's own name). */
const char *shn__cli_arg_name(const struct shn_cli_opt *o);
/* "from 1 to 64" into buf. */
void shn__cli_range_text(const struct shn_cli_opt *o, char *buf, size_t size);
/* "poison, haircut or fifo" into buf. */
void shn__cli_choices_text(const struct shn_cli_opt *o, char *buf, size_t size);

#endif
