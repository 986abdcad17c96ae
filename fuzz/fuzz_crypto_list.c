/* One sanctioned_addresses_<ASSET>.txt from memory. The first input byte
 * picks the asset code. */
#include <stddef.h>
#include <stdint.h>

#include "loaders_internal.h"
#include "shinsa/core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const assets[] = {"ETH", "XBT", "XMR", "USDT", "TRX", "BCH", "LTC", "ZEC"};
    struct shn_listset *set = NULL;
    struct shn_diag diag;
    uint32_t added = 0;

    if (size < 1)
        return 0;
    shn_log_set_level(SHN_LOG_ERROR);
    if (shn_screen_listset_new(&set) != SHN_OK)
        return 0;
    shn__crypto_load_mem(set, assets[data[0] % 8], (const char *)data + 1, size - 1,
                         "sanctioned_addresses.txt", &added, &diag);
    shn_screen_listset_free(set);
    return 0;
}
