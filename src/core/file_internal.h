/* Shared by core's file readers and writers (file.c, file_out.c). */
#ifndef SHN_CORE_FILE_INTERNAL_H
#define SHN_CORE_FILE_INTERNAL_H

#include <stddef.h>

#include "shinsa/core/err.h"

/* Follows symbolic links from `path` to the file the writers replace (which
 * need not exist yet) and puts its path in out[size]. A link owned by
 * another user (other than root) is refused, as are loops and paths past
 * PATH_MAX: SHN_ERR_INVALID. SHN_ERR_IO when a component cannot be read. */
int shn__file_resolve(const char *path, char *out, size_t size, struct shn_diag *diag);

/* The folder part of `path` ("." when it has none) in out[size]; false
 * when it does not fit. */
int shn__file_dirname(const char *path, char *out, size_t size);

#endif
