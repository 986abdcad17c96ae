/* libFuzzer target: name analysis (src/names/names.c) on arbitrary bytes.
 * The input is split at its first NUL byte into name and kana reading (no
 * NUL: no reading). Checks the bounds of what comes out, folds the raw
 * bytes as one token too, and compares the two halves as names
 * (shn_names_similarity, which must stay within 0..1). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/err.h"
#include "shinsa/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t name_len = nul ? (size_t)(nul - data) : size;
    char *name = shn_strndup((const char *)data, name_len);
    char *reading = nul ? shn_strndup((const char *)nul + 1, size - name_len - 1) : NULL;
    struct shn_name_forms f;
    char key[SHN_FOLD_MAX];
    double sim = -1;

    if (!name || (nul && !reading))
        goto out;
    if (shn_names_analyze(name, reading, &f) == SHN_OK) {
        if (f.nvariants < 0 || f.nvariants > SHN_NAME_MAX_VARIANTS)
            __builtin_trap();
        for (int i = 0; i < f.nvariants; i++) {
            if (f.v[i].ntokens < 1 || f.v[i].ntokens > SHN_NAME_MAX_TOKENS ||
                strnlen(f.v[i].text, SHN_NAME_TEXT) >= SHN_NAME_TEXT ||
                strnlen(f.v[i].keys, SHN_NAME_TEXT) >= SHN_NAME_TEXT)
                __builtin_trap();
        }
    }
    if (shn_names_fold_token((const char *)data, size, key) >= SHN_FOLD_MAX)
        __builtin_trap();
    if (reading && shn_names_similarity(name, NULL, reading, NULL, &sim) == SHN_OK &&
        !(sim >= 0 && sim <= 1))
        __builtin_trap();
out:
    shn_free(name);
    shn_free(reading);
    return 0;
}
