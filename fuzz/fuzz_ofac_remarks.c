/* The OFAC remarks parser on one remarks string, and the date parser on
 * the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "loaders_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_listset *set = NULL;
    struct shn_entity *e;
    struct shn_ofac_remarks_stats stats = {0};
    struct shn_date d;
    char *text;

    if (size > SHN_MAX_TEXT)
        return 0;
    shn_log_set_level(SHN_LOG_ERROR);
    text = shn_strndup((const char *)data, size); /* stops at an embedded NUL, as C strings do */
    if (!text)
        return 0;
    shn__ofac_parse_date(text, strlen(text), &d);
    if (shn_screen_listset_new(&set) == SHN_OK) {
        e = shn__model_entity(set, "ofac:1", "ofac", SHN_KIND_PERSON);
        if (e)
            shn__ofac_parse_remarks(set, e, text, &stats);
        shn_screen_listset_free(set);
    }
    shn_free(text);
    return 0;
}
