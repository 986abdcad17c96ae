/* libFuzzer: the LINKDB loader. The input is a database body; the harness
 * appends a valid CRC-32 and tail so that mutations reach the bounds checks
 * behind the checksum, then explains and updates what loaded. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/buf.h"
#include "shinsa/core/hash.h"
#include "shinsa/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_link *l = NULL;
    struct shn_diag diag;
    struct shn_buf out;
    uint8_t *buf;
    uint32_t crc;
    if (size > (1u << 20))
        return 0;
    buf = malloc(size + 12);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    crc = shn_crc32(0, buf, size);
    memcpy(buf + size, &crc, 4);
    memcpy(buf + size + 4, "KNILNHS", 8);
    if (shn_link_open_memory(buf, size + 12, &l, &diag) == SHN_OK) {
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
