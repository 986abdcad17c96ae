/* Source addresses of a run, resolved to graph ids: one at a time (the
 * command line's --source, a request's list) or from a sources file, one
 * address a line. */
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "trace_internal.h"

#define MAX_SOURCES_FILE ((size_t)16 << 20) /* bytes in a sources file */

/* Resolves address[0..len) and appends it at ids[*n]. */
static int add(const struct shn_trace_graph *g, const char *address, size_t len, const char *file,
               long line, uint32_t *ids, size_t *n, struct shn_diag *diag)
{
    char text[SHN_TRACE_MAX_ADDRESS_LEN + 1];
    uint32_t id;

    if (*n >= SHN_TRACE_MAX_SOURCES)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, file, line, "", "more than %d sources",
                            SHN_TRACE_MAX_SOURCES);
    if (len > SHN_TRACE_MAX_ADDRESS_LEN)
        return shn_diag_set(diag, SHN_ERR_NOT_FOUND, file, line, "",
                            "source is longer than an address (%d bytes)",
                            SHN_TRACE_MAX_ADDRESS_LEN);
    memcpy(text, address, len);
    text[len] = '\0';
    if (shn_trace_graph_find(g, text, &id) != SHN_OK)
        return shn_diag_set(diag, SHN_ERR_NOT_FOUND, file, line, "",
                            "source %s is not in the graph", text);
    ids[(*n)++] = id;
    return SHN_OK;
}

int shn_trace_sources_add(const struct shn_trace_graph *g, const char *address, const char *where,
                          uint32_t *ids, size_t *n, struct shn_diag *diag)
{
    return add(g, address, strlen(address), where, 0, ids, n, diag);
}

int shn_trace_sources_parse(const struct shn_trace_graph *g, const char *text, size_t len,
                            const char *file, uint32_t *ids, size_t *n, struct shn_diag *diag)
{
    size_t count = *n, at = 0;
    long line = 0;
    int rc = SHN_OK;

    while (rc == SHN_OK && at < len) {
        const char *p = text + at, *nl = memchr(p, '\n', len - at);
        size_t n_line = nl ? (size_t)(nl - p) : len - at;
        at += n_line + (nl != NULL);
        line++;
        if (n_line && p[n_line - 1] == '\r')
            n_line--;
        if (!n_line || p[0] == '#')
            continue;
        rc = add(g, p, n_line, file, line, ids, &count, diag);
    }
    if (rc == SHN_OK)
        *n = count;
    return rc;
}

int shn_trace_sources_read(const struct shn_trace_graph *g, const char *path, uint32_t *ids,
                           size_t *n, struct shn_diag *diag)
{
    char *text = NULL;
    size_t len = 0;
    int rc = shn_file_read(path, MAX_SOURCES_FILE, &text, &len, diag);

    if (rc == SHN_OK)
        rc = shn_trace_sources_parse(g, text, len, path, ids, n, diag);
    shn_free(text);
    return rc;
}
