/* libFuzzer target: an image index file from bytes (the loader that replays
 * records, detects torn tails and damage), then queries through the
 * multi-index tables and the brute-force scan, which must agree. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats stats;
    struct shn_pdq q;

    if (shn_image_index_open_memory(data, size, &idx, NULL) != SHN_OK)
        return 0;
    shn_image_index_stats(idx, &stats);
    /* Query at the last 32 bytes of the input: often a stored hash. */
    memset(&q, 0, sizeof q);
    memcpy(q.bytes, data + size - (size < 32 ? size : 32), size < 32 ? size : 32);
    for (int d = 0; d <= 64; d += 16) {
        size_t a = 0, b = 0;
        shn_image_index_query_into(idx, &q, d + 15, 0, NULL, 0, &a);
        shn_image_index_query_into(idx, &q, d + 15, SHN_IMAGE_QUERY_BRUTE_FORCE, NULL, 0, &b);
        if (a != b)
            abort();
    }
    struct shn_image_match *m = NULL;
    size_t n = 0;
    if (shn_image_index_query(idx, &q, 31, SHN_IMAGE_QUERY_BEST_PER_OWNER, &m, &n) == SHN_OK)
        shn_free(m);
    shn_image_index_close(idx);
    return 0;
}
