/* libFuzzer: the OLE compound-file reader and the HWP inspection on it
 * (FileHeader, BinData, Scripts; raw inflate of the streams). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "attach.h"
#include "shinsa/core/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn__ole o;
    struct shn__hwp_report h;
    if (shn__ole_open(data, size, &o) != SHN_OK)
        return 0;
    for (size_t i = 0; i < o.n_entries; i++) {
        unsigned char *buf = NULL;
        size_t n = 0;
        if (o.entries[i].type == 2 &&
            shn__ole_read(&o, &o.entries[i], 1u << 16, &buf, &n) == SHN_OK) {
            if (n > (1u << 16))
                abort();
            shn_free(buf);
        }
    }
    shn__hwp_inspect(&o, &h);
    shn__ole_close(&o);
    return 0;
}
