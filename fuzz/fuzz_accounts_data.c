/* libFuzzer: the accounts engine's data files and text scanners — the
 * input read as a lexicon (data/accounts/crypto-lexicon.txt) and as a list of
 * address ranges (dprk-ranges.txt), then scanned as a message text for
 * lexicon terms, wallet addresses and contact handles. Files go through
 * a temporary file because the loaders take paths, as the signals do. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netdb.h"
#include "shinsa/core/alloc.h"
#include "textscan.h"

#define TEXT_MAX 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[] = "/tmp/fuzz-accounts-data-XXXXXX";
    struct shn__lexicon *lx = NULL;
    struct shn__cidrs cidrs = {0};
    struct shn__scan_hit hits[16];
    int fd = mkstemp(path);
    if (fd < 0)
        return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        unlink(path);
        return 0;
    }
    close(fd);
    (void)shn__lexicon_load(path, &lx, NULL);
    (void)shn__cidrs_load(path, &cidrs, NULL);
    unlink(path);
    if (size <= TEXT_MAX) {
        char *folded = shn_malloc(size * 4 + 16), *lower = shn_malloc(size * 4 + 16);
        if (folded && lower) {
            size_t n = shn__scan_fold((const char *)data, size, folded);
            shn__scan_lower(folded, n, lower);
            if (lx)
                (void)shn__scan_terms(lx, lower, n, hits, 16);
            (void)shn__scan_addresses(folded, n, hits, 16);
            (void)shn__scan_contacts(folded, n, hits, 16);
        }
        shn_free(folded);
        shn_free(lower);
    }
    shn__lexicon_free(lx);
    shn__cidrs_cleanup(&cidrs);
    return 0;
}
