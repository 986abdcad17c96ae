/* Custom JSON Lines lists (module-internal): the from-memory entry point
 * behind shn_screen_load_custom(), for the fuzzer and for tests. */
#ifndef SHN_SCREEN_CUSTOM_INTERNAL_H
#define SHN_SCREEN_CUSTOM_INTERNAL_H

#include <stddef.h>

#include "model.h"

#define SHN_CUSTOM_MAX_FILE ((size_t)256 << 20) /* bytes in one custom list file */
#define SHN_CUSTOM_MAX_LINE ((size_t)1 << 20)   /* bytes in one JSON line */
#define SHN_CUSTOM_MAX_ID 256                   /* bytes in an entry's "id" */
#define SHN_CUSTOM_MAX_LISTNAME 64              /* bytes in a list name */
#define SHN_CUSTOM_MAX_LISTS 16                 /* distinct "list" names in one file */

/* Loads the JSON Lines text data[0..len) into `set`. `file` names the input
 * in diagnostics and in the source record (caller-owned; it must outlive
 * `diag`); `default_list` is the list name for entries without "list";
 * `date` (may be NULL) is recorded with the source.
 *
 * Two passes: every line is parsed and checked before anything is added,
 * so on SHN_ERR_PARSE, SHN_ERR_ENCODING or SHN_ERR_TOO_LARGE (a bound) the
 * set is unchanged. Only SHN_ERR_NOMEM in the second pass can leave some
 * entities added; the caller then discards the set. */
int shn__screen_load_custom_mem(struct shn_listset *set, const char *data, size_t len,
                                const char *file, const char *default_list, const char *date,
                                struct shn_diag *diag);

#endif
