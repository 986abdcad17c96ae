/* Bounded file reading, read-only mapping and atomic replacement. */
#ifndef SHN_CORE_FILE_H
#define SHN_CORE_FILE_H

#include <stddef.h>

#include "shinsa/core/err.h"

/* Reads the whole file into a new NUL-terminated buffer (the caller frees it
 * with shn_free). Fails with SHN_ERR_TOO_LARGE, before reading, when the file
 * is larger than max_bytes. Errors fill `diag` (may be NULL). */
int shn_file_read(const char *path, size_t max_bytes, char **data, size_t *len,
                  struct shn_diag *diag);

/* A read-only mapping of a whole file. Caller-owned struct. */
struct shn_mapped_file {
    const unsigned char *data;
    size_t size;
};

int shn_file_map(const char *path, struct shn_mapped_file *out, struct shn_diag *diag);
void shn_file_unmap(struct shn_mapped_file *m); /* safe on a zeroed struct */

/* Writes data to `path` so that readers see either the old file or the whole
 * new one: a temporary file beside it, fsync, rename, fsync of the folder. */
int shn_file_write_atomic(const char *path, const void *data, size_t len, struct shn_diag *diag);

/* Renames tmp_path over path atomically (fsyncs the file first). */
int shn_file_replace(const char *tmp_path, const char *path, struct shn_diag *diag);

#endif
