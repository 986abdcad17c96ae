/* A strict, bounded CSV record reader over an in-memory buffer (RFC 4180:
 * quoted fields, "" escapes, CRLF or LF, newlines inside quotes). Used for
 * OFAC's list files and the trace engine's transfer files.
 *
 * Fields are NUL-terminated copies in a scratch buffer owned by the reader
 * and valid until the next call. A trailing Ctrl-Z (0x1A, as OFAC's files
 * end with) is treated as end of input. */
#ifndef SHN_CORE_CSV_H
#define SHN_CORE_CSV_H

#include <stddef.h>

#include "shinsa/core/err.h"

#define SHN_CSV_MAX_FIELDS 256
#define SHN_CSV_MAX_RECORD (1u << 20) /* bytes in one record after unquoting */

struct shn_csv {
    const char *p, *end;
    const char *file; /* for diagnostics; caller-owned */
    long line;        /* current physical line, 1-based */
    long record_line; /* line where the last returned record started */
    char *scratch;
    size_t scratch_alloc;
    const char *fields[SHN_CSV_MAX_FIELDS];
    size_t lengths[SHN_CSV_MAX_FIELDS];
};

void shn_csv_init(struct shn_csv *r, const char *data, size_t len, const char *file);
void shn_csv_cleanup(struct shn_csv *r);

/* Reads the next record. Returns SHN_OK and sets *count (fields are in
 * r->fields / r->lengths), SHN_ERR_NOT_FOUND at end of input, SHN_ERR_PARSE
 * (unterminated quote, text after a closing quote) or SHN_ERR_TOO_LARGE with
 * the diagnostic naming file and line. Blank lines are skipped. */
int shn_csv_next(struct shn_csv *r, size_t *count, struct shn_diag *diag);

#endif
