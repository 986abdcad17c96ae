/* libFuzzer: the shell-link (LNK) reader. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "attach.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn__lnk l;
    if (shn__lnk_parse(data, size, &l) == SHN_OK &&
        (l.link_size > size || strlen(l.args) >= sizeof l.args ||
         strlen(l.target) >= sizeof l.target))
        abort();
    return 0;
}
