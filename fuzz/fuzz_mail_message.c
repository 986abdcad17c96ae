/* libFuzzer: one message through the whole mail engine (GMime, charset
 * conversion, every check, both outputs). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "shinsa/core/buf.h"
#include "shinsa/mail.h"

static struct shn_mail_engine *eng;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_mail_result *r = NULL;
    if (!eng) {
        struct shn_mail_options o = {.indicators = "", .no_ipdb = true};
        if (shn_mail_engine_new(&o, &eng, NULL) != SHN_OK)
            abort();
    }
    if (shn_mail_check(eng, (const char *)data, size, "fuzz", 0, &r, NULL) == SHN_OK) {
        struct shn_buf b;
        shn_buf_init(&b, 1u << 24);
        if (shn_mail_result_json(r, "ko", &b) != SHN_OK ||
            shn_mail_result_text(r, "ja", &b) != SHN_OK)
            abort();
        shn_buf_cleanup(&b);
        shn_mail_result_free(r);
    }
    return 0;
}
