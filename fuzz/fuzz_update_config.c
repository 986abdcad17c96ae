/* libFuzzer target: the list update config parser (src/screen/update_config.c).
 * Parsing only: nothing is downloaded. */
#include <stddef.h>
#include <stdint.h>

#include "update_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn__update_config *cfg = NULL;
    struct shn_diag diag;

    if (shn__update_config_parse((const char *)data, size, "fuzz.conf", "/fuzz base", &cfg,
                                 &diag) == SHN_OK)
        shn__update_config_free(cfg);
    return 0;
}
