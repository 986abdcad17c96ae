/* libFuzzer: the accounts scoring config (docs/accounts.md, "Scoring"):
 * any bytes either become an effective config whose levels are ordered,
 * whose weights are in range and whose every signal parameter is of its
 * table's type and within its range, or an error that names a key or a
 * line. */
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
        for (size_t i = 0; i < shn__n_signals; i++) {
            const struct shn__signal_def *def = shn__signals[i];
            json_t *sig = json_object_get(json_object_get(c, "signals"), def->name);
            if (shn__config_weight(c, def) > 20)
                abort();
            for (size_t k = 0; k < def->n_params; k++) {
                const struct shn__param *p = &def->params[k];
                json_t *v = json_object_get(sig, p->name);
                double x = json_number_value(v);
                if (!v)
                    continue;
                if ((p->kind == SHN__PARAM_NUMBER || p->kind == SHN__PARAM_INT) &&
                    !(json_is_number(v) && x >= p->min && x <= p->max))
                    abort();
                if (p->kind == SHN__PARAM_PATH && !json_is_string(v))
                    abort();
            }
        }
        json_decref(c);
    } else if (c || !diag.message[0]) {
        abort();
    }
    return 0;
}
