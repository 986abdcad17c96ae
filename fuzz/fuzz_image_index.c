/* libFuzzer target: an image index file from bytes (the loader that replays
 * records, resynchronises after damage, tells torn tails from damage), then
 * queries through the multi-index tables and the brute-force scan, which
 * must agree. The frame walker must cover every byte after the header
 * exactly once, in order, and the damaged spans it reports must lie in the
 * file. Seeds: fuzz/corpus/fuzz_image_index (tests/image/make_index_seeds.sh;
 * test_image checks that every seed passes the header). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "index_format.h"
#include "shinsa/core/alloc.h"
#include "shinsa/image.h"

static void check_walk(const uint8_t *data, size_t size)
{
    struct shn__image_walk w;
    struct shn__image_span s;
    size_t pos = size < SHN__IMAGE_HEADER_SIZE ? size : SHN__IMAGE_HEADER_SIZE;

    shn__image_walk_init(&w, data, size);
    for (shn__image_walk_next(&w, &s); s.kind != SHN__IMAGE_SPAN_END;
         shn__image_walk_next(&w, &s)) {
        if (s.offset != pos || s.length == 0 || s.length > size - pos)
            abort();
        if (s.kind == SHN__IMAGE_SPAN_TORN && s.offset + s.length != size)
            abort();
        pos += s.length;
    }
    if (pos != size)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats stats;
    struct shn_image_index_damage dmg;
    struct shn_pdq q;

    check_walk(data, size);
    if (shn_image_index_open_memory(data, size, &idx, NULL) != SHN_OK)
        return 0;
    shn_image_index_stats(idx, &stats);
    if (stats.file_bytes + stats.torn_bytes != size)
        abort();
    for (size_t i = 0; shn_image_index_damage(idx, i, &dmg) == SHN_OK; i++)
        if (dmg.offset < SHN__IMAGE_HEADER_SIZE || dmg.length == 0 || dmg.offset > size ||
            dmg.length > size - dmg.offset || i >= stats.damaged_records)
            abort();
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
