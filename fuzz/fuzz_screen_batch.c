/* libFuzzer: JSON Lines batch queries (shn_screen_batch_line, the body of
 * screen --file) against a small index built once from a fixed custom list.
 * Every line must give one output line: a result or an error object. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "custom_internal.h"
#include "screen_internal.h"
#include "shinsa/core/log.h"

static const char list[] =
    "{\"id\": \"a\", \"kind\": \"person\", \"name\": \"KIM, Chol Ung\", \"aliases\": "
    "[\"김철웅\", \"キム・チョルン\"], \"birth_dates\": [\"1984-03-15\"], "
    "\"nationalities\": [\"KP\"], \"passports\": [\"836410025\"]}\n"
    "{\"id\": \"b\", \"kind\": \"person\", \"name\": \"HAN, Tae Ryong\", \"emails\": "
    "[\"x@example.com\"], \"phones\": [\"+86 139 0000 1234\"], \"wallets\": [{\"chain\": "
    "\"ETH\", \"address\": \"0xDEAD00000000000000000000000000000000bEEF\"}]}\n";

static struct shn_screen_index *index_once(void)
{
    static struct shn_screen_index *idx;
    static int tried;
    struct shn_listset *set = NULL;
    struct shn_diag diag;
    char path[64];

    if (tried)
        return idx;
    tried = 1;
    shn_log_set_level(SHN_LOG_ERROR);
    snprintf(path, sizeof path, "/tmp/fuzz_screen_batch.%ld.idx", (long)getpid());
    if (shn_screen_listset_new(&set) == SHN_OK &&
        shn__screen_load_custom_mem(set, list, sizeof list - 1, "list.jsonl", "fuzz", NULL,
                                    &diag) == SHN_OK &&
        shn_screen_index_build(set, path, &diag) == SHN_OK)
        shn_screen_index_open(path, &idx, &diag);
    shn_screen_listset_free(set);
    unlink(path); /* the mapping stays valid */
    return idx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct shn_screen_index *idx = index_once();
    const char *p = (const char *)data, *end = p + size;
    struct shn_screen_query defaults = {.threshold = 0.5, .limit = 3};
    struct shn_screen_result r;
    struct shn_buf out;
    long line = 0;

    if (!idx)
        __builtin_trap();
    shn_screen_result_init(&r);
    shn_buf_init(&out, 1 << 20);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct shn_diag diag = {0};
        int rc = shn_screen_batch_line(idx, p, len, ++line, &defaults, &r, &out, &diag);
        if (rc != SHN_OK && rc != SHN_ERR_NOMEM && (!out.len || diag.line != line))
            __builtin_trap(); /* a bad line has its error object and its line */
        p += len + (nl != NULL);
    }
    shn_buf_cleanup(&out);
    shn_screen_result_cleanup(&r);
    return 0;
}
