/* libFuzzer: the HTML scanner (text, tags, attributes, entities). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

static int on_tag(void *ctx, const char *name, const char *body, size_t body_len, size_t offset,
                  const char *after, size_t after_len)
{
    char v[256] = "";
    (void)ctx;
    (void)name;
    (void)offset;
    (void)after;
    (void)after_len;
    shn__mail_html_attr(body, body_len, "href", v, sizeof v);
    if (strlen(v) >= sizeof v)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char out[4096];
    size_t n = shn__mail_html_text((const char *)data, size, out, sizeof out);
    if (n >= sizeof out || strlen(out) != n)
        abort();
    shn__mail_html_tags((const char *)data, size, on_tag, NULL);
    return 0;
}
