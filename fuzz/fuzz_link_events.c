/* libFuzzer: account events and persona records (JSON Lines) into the link
 * engine, then clustering and the explanations. The first byte chooses the
 * format; every line must be either loaded or rejected with a diagnostic. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shinsa/core/buf.h"
#include "shinsa/link.h"

static void on_bad(void *ctx, const struct shn_diag *d)
{
    char msg[512];
    (void)ctx;
    shn_diag_format(d, msg, sizeof msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_link *l = NULL;
    struct shn_link_load_stats st;
    struct shn_buf out;
    char cluster[20];
    if (size < 1)
        return 0;
    if (shn_link_new(NULL, &l) != SHN_OK)
        return 0;
    shn_buf_init(&out, 1 << 24);
    if (data[0] & 1)
        shn_link_load_personas(l, (const char *)data + 1, size - 1, "fuzz", on_bad, NULL, &st);
    else
        shn_link_load_events(l, (const char *)data + 1, size - 1, "fuzz", on_bad, NULL, &st);
    if (shn_link_update(l) == SHN_OK) {
        const char *who[] = {"u1", "p1", "persona:x"};
        for (size_t k = 0; k < 3; k++) {
            shn_link_show_json(l, who[k], data[0] & 2, &out);
            shn_link_show_text(l, who[k], data[0] & 2, &out);
            if (shn_link_cluster_of(l, who[k], cluster) == SHN_OK)
                shn_link_show_json(l, cluster, false, &out);
        }
        shn_link_export(l, (enum shn_link_format)((data[0] >> 2) % 3), false, &out);
    }
    shn_buf_cleanup(&out);
    shn_link_free(l);
    return 0;
}
