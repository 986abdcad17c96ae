/* libFuzzer target: the text engine (src/text) on arbitrary bytes, and the
 * model loader on inputs that start with the model's magic (resealed first,
 * so that mutations reach the bounds checks behind the checksums; model
 * seeds are trained at build time: build-fuzz/fuzz/seeds/fuzz_text).
 * Checks that the score is in [0,1] and that every span lies inside the
 * text, in order. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/err.h"
#include "shinsa/core/section.h"
#include "shinsa/text.h"
#include "text_internal.h"

static struct shn_text_engine *eng;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct shn_text_options o = {.allow_missing_model = true};

    (void)argc;
    (void)argv;
    if (shn_text_engine_open(&o, &eng, NULL) != SHN_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_text_result r;

    if (size >= 8 && memcmp(data, SHN__TEXT_MODEL_MAGIC, 8) == 0) {
        struct shn__text_model m;
        char *copy = shn_malloc(size);
        if (!copy)
            return 0;
        memcpy(copy, data, size);
        shn_section_reseal(copy, size);
        if (shn__text_model_from_memory(copy, size, &m, NULL) == SHN_OK) {
            for (uint32_t a = 0; a < m.vocab && a < 4; a++)
                (void)shn__text_model_tri(&m, a, a, a);
            shn__text_model_cleanup(&m);
        } else {
            shn_free(copy);
        }
        return 0;
    }
    if (shn_text_check(eng, (const char *)data, size, &r) != SHN_OK)
        return 0;
    if (!(r.score >= 0.0 && r.score <= 1.0) || r.count > SHN_TEXT_MAX_FINDINGS ||
        r.count > r.total_findings)
        __builtin_trap();
    for (size_t i = 0; i < r.count; i++) {
        const struct shn_text_finding *f = &r.findings[i];
        if (f->start > f->end || f->end > r.chars || f->kind < 0 ||
            f->kind >= SHN_TEXT_KIND__COUNT || strnlen(f->en, sizeof f->en) >= sizeof f->en ||
            strnlen(f->ja, sizeof f->ja) >= sizeof f->ja ||
            (i > 0 && r.findings[i - 1].start > f->start))
            __builtin_trap();
    }
    shn_text_result_cleanup(&r);
    return 0;
}
