/* libFuzzer: an index file from arbitrary bytes must be refused cleanly
 * or, if it passes every check, answer queries without straying. The
 * checksums would reject nearly every mutation, so the target reseals the
 * section file (shn_section_reseal) to reach the structural checks behind
 * them. Seeds: fuzz/seeds/make_seeds.c writes current indexes at build
 * time (build-fuzz/fuzz/seeds/fuzz_screen_index). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "screen_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/section.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_screen_index *idx = NULL;
    struct shn_diag diag;
    uint8_t *copy;

    if (size > (1u << 24))
        return 0;
    copy = shn_malloc(size); /* 8-byte aligned, as the reader wants */
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    shn_section_reseal(copy, size);
    if (shn__screen_index_open_mem(copy, size, &idx, &diag) == SHN_OK) {
        static const char *const names[] = {"Kim Jong Un", "리만건", "キム", "Lazarus"};
        struct shn_screen_result r;
        shn_screen_result_init(&r);
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            struct shn_screen_query q = {.name = names[i], .crypto = "0xabc", .id = "123"};
            shn_screen_query(idx, &q, &r);
        }
        shn_screen_result_cleanup(&r);
        shn_screen_index_close(idx);
    }
    shn_free(copy);
    return 0;
}
