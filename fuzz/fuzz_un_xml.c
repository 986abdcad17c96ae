/* UN consolidated list XML from memory (xmlReaderForMemory). */
#include <stddef.h>
#include <stdint.h>

#include "loaders_internal.h"
#include "shinsa/core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_listset *set = NULL;
    struct shn_diag diag;

    shn_log_set_level(SHN_LOG_ERROR);
    if (shn_screen_listset_new(&set) != SHN_OK)
        return 0;
    shn__un_load_mem(set, (const char *)data, size, "un.xml", &diag);
    shn_screen_listset_free(set);
    return 0;
}
