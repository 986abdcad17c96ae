#include "shinsa/core/csv.h"

#include <stdint.h>
#include <string.h>

#include "shinsa/core/alloc.h"

void shn_csv_init(struct shn_csv *r, const char *data, size_t len, const char *file)
{
    memset(r, 0, sizeof *r);
    r->p = data;
    r->end = data + len;
    r->file = file;
    r->line = 1;
}

void shn_csv_cleanup(struct shn_csv *r)
{
    shn_free(r->scratch);
    r->scratch = NULL;
    r->scratch_alloc = 0;
}

static int ensure_scratch(struct shn_csv *r, size_t need)
{
    size_t want;
    char *p;

    if (need <= r->scratch_alloc)
        return SHN_OK;
    want = r->scratch_alloc ? r->scratch_alloc : 4096;
    while (want < need)
        want *= 2;
    p = shn_realloc(r->scratch, want);
    if (!p)
        return SHN_ERR_NOMEM;
    r->scratch = p;
    r->scratch_alloc = want;
    return SHN_OK;
}

static int at_end(const struct shn_csv *r)
{
    return r->p >= r->end || (*r->p == 0x1A && r->p + 1 >= r->end);
}

int shn_csv_next(struct shn_csv *r, size_t *count, struct shn_diag *diag)
{
    size_t nfields = 0, out = 0, field_start = 0;
    int rc;

    /* Skip blank lines. */
    while (!at_end(r) && (*r->p == '\n' || *r->p == '\r')) {
        if (*r->p == '\n')
            r->line++;
        r->p++;
    }
    if (at_end(r))
        return SHN_ERR_NOT_FOUND;
    r->record_line = r->line;

    for (;;) {
        /* One field. */
        if (nfields == SHN_CSV_MAX_FIELDS)
            return shn_diag_set(diag, SHN_ERR_TOO_LARGE, r->file, r->line, NULL,
                                "more than %d fields in a record", SHN_CSV_MAX_FIELDS);
        field_start = out;
        if (r->p < r->end && *r->p == '"') {
            r->p++;
            for (;;) {
                if (r->p >= r->end)
                    return shn_diag_set(diag, SHN_ERR_PARSE, r->file, r->record_line, NULL,
                                        "unterminated quoted field (field %zu)", nfields + 1);
                if (*r->p == '"') {
                    if (r->p + 1 < r->end && r->p[1] == '"') {
                        r->p++; /* an escaped quote: copy one */
                    } else {
                        r->p++;
                        break;
                    }
                }
                if (*r->p == '\n')
                    r->line++;
                if (out + 1 >= SHN_CSV_MAX_RECORD)
                    return shn_diag_set(diag, SHN_ERR_TOO_LARGE, r->file, r->record_line, NULL,
                                        "record longer than %u bytes", SHN_CSV_MAX_RECORD);
                rc = ensure_scratch(r, out + 2);
                if (rc != SHN_OK)
                    return rc;
                r->scratch[out++] = *r->p++;
            }
            /* Only a separator, a line end, or (OFAC) spaces may follow. */
            while (r->p < r->end && *r->p == ' ')
                r->p++;
            if (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r' && *r->p != 0x1A)
                return shn_diag_set(diag, SHN_ERR_PARSE, r->file, r->line, NULL,
                                    "unexpected text after a closing quote (field %zu)",
                                    nfields + 1);
        } else {
            while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r') {
                if (*r->p == '"')
                    return shn_diag_set(diag, SHN_ERR_PARSE, r->file, r->line, NULL,
                                        "quote inside an unquoted field (field %zu)", nfields + 1);
                if (*r->p == 0x1A && r->p + 1 >= r->end)
                    break;
                if (out + 1 >= SHN_CSV_MAX_RECORD)
                    return shn_diag_set(diag, SHN_ERR_TOO_LARGE, r->file, r->record_line, NULL,
                                        "record longer than %u bytes", SHN_CSV_MAX_RECORD);
                rc = ensure_scratch(r, out + 2);
                if (rc != SHN_OK)
                    return rc;
                r->scratch[out++] = *r->p++;
            }
        }
        rc = ensure_scratch(r, out + 1);
        if (rc != SHN_OK)
            return rc;
        r->scratch[out++] = '\0';
        r->lengths[nfields] = out - 1 - field_start;
        /* Pointers are fixed up after the record: scratch may move. */
        r->fields[nfields] = (const char *)(uintptr_t)field_start;
        nfields++;
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        break;
    }
    /* End of record. */
    if (r->p < r->end && *r->p == '\r')
        r->p++;
    if (r->p < r->end && *r->p == '\n') {
        r->p++;
        r->line++;
    }
    for (size_t i = 0; i < nfields; i++)
        r->fields[i] = r->scratch + (uintptr_t)r->fields[i];
    *count = nfields;
    return SHN_OK;
}
