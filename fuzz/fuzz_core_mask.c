/* libFuzzer target: core's masking policy (src/core/mask.c, mask_text.c)
 * on arbitrary bytes — every kind, excerpts with spans taken from the
 * input, and the JSON-error helper over a line a parser refused. Checks
 * that every output is NUL-terminated valid UTF-8 inside its buffer,
 * whatever the bytes, spans and positions. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/mask.h"
#include "shinsa/core/utf8.h"

static void check(const char *out, size_t n, size_t size)
{
    if (n >= size || out[n] != '\0' || strlen(out) != n || !shn_utf8_valid(out, n, NULL))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[SHN_MASK_MAX], small[7], field[48], msg[256], excerpt[256];
    const char *s = (const char *)data;
    struct shn_mask_span spans[4];
    size_t n, ns = 0;

    for (int kind = 0; kind <= SHN_MASK_KIND_COUNT; kind++) {
        n = shn_mask((enum shn_mask_kind)kind, s, size, out, sizeof out);
        check(out, n, sizeof out);
        n = shn_mask((enum shn_mask_kind)kind, s, size, small, sizeof small);
        check(small, n, sizeof small);
    }
    for (size_t i = 0; i + 2 < size && ns < 4; i += 2) {
        size_t a = data[i] % (size + 1), b = data[i + 1] % (size + 1);
        spans[ns++] = (struct shn_mask_span){a < b ? a : b, a < b ? b : a,
                                             (enum shn_mask_kind)(data[i] % SHN_MASK_KIND_COUNT)};
    }
    n = shn_mask_excerpt(s, size, size / 3, size / 2, size % 61, spans, ns, excerpt,
                         sizeof excerpt);
    check(excerpt, n, sizeof excerpt);
    {
        char message[160];
        size_t m = size < 100 ? size : 100;
        memcpy(message, "invalid token near '", 20);
        memcpy(message + 20, s, m);
        message[20 + m] = '\0';
        shn_mask_json_error(s, size, size ? data[0] % (size + 1) : 0, message, field, sizeof field,
                            msg, sizeof msg);
        if (strlen(field) >= sizeof field || !shn_utf8_valid(msg, strlen(msg), NULL))
            abort();
    }
    return 0;
}
