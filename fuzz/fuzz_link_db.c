/* libFuzzer: the LINKDB loader. The harness reseals the section file
 * (shn_section_reseal) so that mutations reach the bounds checks behind the
 * checksums, then explains and updates what loaded. Seeds: written at build
 * time by fuzz/seeds/make_seeds.c (build-fuzz/fuzz/seeds/fuzz_link_db). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/buf.h"
#include "shinsa/core/section.h"
#include "shinsa/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_link *l = NULL;
    struct shn_diag diag;
    struct shn_buf out;
    uint8_t *buf;

    if (size > (1u << 20))
        return 0;
    buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    shn_section_reseal(buf, size);
    if (shn_link_open_memory(buf, size, &l, &diag) == SHN_OK) {
        char cluster[20];
        shn_buf_init(&out, 1 << 24);
        if (shn_link_cluster_of(l, "acct-tanaka-web", cluster) == SHN_OK)
            shn_link_show_json(l, cluster, false, &out);
        shn_link_show_text(l, "u1", false, &out);
        shn_link_export(l, SHN_LINK_JSON, false, &out);
        shn_link_add(l, "u9", SHN_LINK_PHONE, "090-1111-2222", 13);
        shn_link_add(l, "u1", SHN_LINK_PHONE, "090-1111-2222", 13);
        shn_link_update(l);
        shn_buf_cleanup(&out);
        shn_link_free(l);
    }
    free(buf);
    return 0;
}
