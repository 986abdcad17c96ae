/* libFuzzer: the mbox splitter; every message lies inside the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "shinsa/mail.h"

struct span {
    const char *base;
    size_t len;
};

static int on_msg(void *ctx, const char *msg, size_t len, long long offset, size_t index)
{
    const struct span *s = ctx;
    (void)index;
    if (msg < s->base || msg + len > s->base + s->len || offset != msg - s->base)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct span s = {(const char *)data, size};
    shn_mail_mbox_each((const char *)data, size, on_msg, &s, NULL);
    return 0;
}
