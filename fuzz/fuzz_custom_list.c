/* libFuzzer target: custom JSON Lines lists (src/screen/load_custom.c),
 * through the in-memory entry point, into a fresh list set each run. Loads
 * twice into the same set so the cross-list id check runs too. */
#include <stddef.h>
#include <stdint.h>

#include "custom_internal.h"
#include "shinsa/core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_listset *set = NULL;
    struct shn_diag diag;

    shn_log_set_level(SHN_LOG_ERROR); /* unknown fields warn on every run */
    if (shn_screen_listset_new(&set) != SHN_OK)
        return 0;
    if (shn__screen_load_custom_mem(set, (const char *)data, size, "fuzz.jsonl", "fuzz", NULL,
                                    &diag) == SHN_OK)
        (void)shn__screen_load_custom_mem(set, (const char *)data, size, "fuzz2.jsonl", "fuzz2",
                                          NULL, &diag);
    shn_screen_listset_free(set);
    return 0;
}
