/* The version of an open index: which lists answered a query, for a service
 * that swaps indexes while it runs. */
#include <stdio.h>
#include <time.h>

#include "screen_internal.h"
#include "shinsa/core/hash.h"

/* The header and the section table come first in the file and carry the
 * checksums of everything after them, so a CRC of the leading bytes tells
 * files apart without reading the whole index again. */
#define VERSION_PREFIX_BYTES 4096

int shn_screen_index_version(const struct shn_screen_index *idx, char *out, size_t size)
{
    size_t n;
    uint32_t crc;
    time_t t;
    struct tm tm;
    char built[20];

    if (!idx || !out || size < SHN_SCREEN_VERSION_MAX || !idx->map.data)
        return SHN_ERR_INVALID;
    n = idx->map.size < VERSION_PREFIX_BYTES ? idx->map.size : VERSION_PREFIX_BYTES;
    crc = shn_crc32(0, idx->map.data, n);
    t = (time_t)idx->h->built_at;
    if (!gmtime_r(&t, &tm) || strftime(built, sizeof built, "%Y%m%dT%H%M%SZ", &tm) == 0)
        snprintf(built, sizeof built, "%lld", (long long)idx->h->built_at);
    snprintf(out, size, "%s-%08x", built, (unsigned)crc);
    return SHN_OK;
}

int64_t shn_screen_index_built_at(const struct shn_screen_index *idx)
{
    return idx ? (int64_t)idx->h->built_at : 0;
}
