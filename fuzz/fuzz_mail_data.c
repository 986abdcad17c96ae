/* libFuzzer: the engine's data files — the protected-identity directory,
 * the lure lexicon and an indicator file — read from the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/fuzz_mail_dataXXXXXX";
    int fd = mkstemp(path);
    struct shn__mail_directory *d = NULL;
    struct shn__mail_lexicon *lx = NULL;
    struct shn__mail_iocs *io = NULL;
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    if (shn__mail_directory_load(path, &d, NULL) == SHN_OK)
        shn__mail_directory_free(d);
    if (shn__mail_lexicon_load(path, &lx, NULL) == SHN_OK)
        shn__mail_lexicon_free(lx);
    if (shn__mail_iocs_load(path, &io, NULL) == SHN_OK)
        shn__mail_iocs_free(io);
    unlink(path);
    return 0;
}
