/* OFAC legacy CSV set from memory. The input is up to four files separated
 * by lines "====": sdn.csv, then add.csv, alt.csv and sdn_comments.csv. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "loaders_internal.h"
#include "shinsa/core/log.h"

static const char *next_part(const char *p, const char *end, size_t *len)
{
    static const char sep[] = "\n====\n";
    const char *q = p;

    while (q + sizeof sep - 1 <= end && memcmp(q, sep, sizeof sep - 1) != 0)
        q++;
    if (q + sizeof sep - 1 > end)
        q = end;
    *len = (size_t)(q - p);
    return q < end ? q + sizeof sep - 1 : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_listset *set = NULL;
    struct shn_ofac_mem m = {0};
    struct shn_diag diag;
    const char *p = (const char *)data, *end = p + size;
    const char *parts[4] = {NULL, NULL, NULL, NULL};
    size_t lens[4] = {0, 0, 0, 0};

    shn_log_set_level(SHN_LOG_ERROR);
    for (int i = 0; i < 4 && p; i++) {
        parts[i] = p;
        p = next_part(p, end, &lens[i]);
    }
    m.prim = parts[0] ? parts[0] : "";
    m.prim_len = lens[0];
    m.add = parts[1];
    m.add_len = lens[1];
    m.alt = parts[2];
    m.alt_len = lens[2];
    m.comments = parts[3];
    m.comments_len = lens[3];
    m.prim_name = "sdn.csv";
    m.add_name = "add.csv";
    m.alt_name = "alt.csv";
    m.comments_name = "sdn_comments.csv";
    if (shn_screen_listset_new(&set) != SHN_OK)
        return 0;
    shn__ofac_load_mem(set, &m, "ofac", NULL, NULL, &diag);
    shn_screen_listset_free(set);
    return 0;
}
