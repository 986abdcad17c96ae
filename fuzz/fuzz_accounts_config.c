/* libFuzzer: the accounts scoring config (docs/accounts.md, "Scoring"):
 * any bytes either become an effective config whose levels are ordered
 * and whose weights are in range, or an error that names a key or a line. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "signals.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_diag diag = {0};
    json_t *c = NULL;
    int rc = shn__config_parse((const char *)data, size, "fuzz", &c, &diag);
    if (rc == SHN_OK) {
        json_t *lv = json_object_get(c, "levels");
        if (json_number_value(json_object_get(lv, "review")) >
            json_number_value(json_object_get(lv, "block")))
            abort();
        for (size_t i = 0; i < shn__n_signals; i++)
            if (shn__config_weight(c, shn__signals[i]) > 20)
                abort();
        json_decref(c);
    } else if (c || !diag.message[0]) {
        abort();
    }
    return 0;
}
