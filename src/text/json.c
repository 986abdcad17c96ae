/* Kind names and the JSON shape scripts rely on. */
#include "shinsa/core/buf.h"
#include "text_internal.h"

static const char *const kind_names[SHN_TEXT_KIND__COUNT] = {
    "simplified_han",     "hangul",      "spacing",      "sequence",
    "doubled_particle",   "politeness",  "calque",       "unknown_word",
    "halfwidth_katakana", "punctuation", "invalid_utf8",
};

const char *shn_text_kind_name(int kind)
{
    if (kind < 0 || kind >= SHN_TEXT_KIND__COUNT)
        return "unknown";
    return kind_names[kind];
}

int shn_text_result_json(const struct shn_text_result *res, struct shn_buf *b)
{
    int rc = shn_buf_appendf(b, "{\"score\": %.3f, \"findings\": [", res->score);

    for (size_t i = 0; i < res->count && rc == SHN_OK; i++) {
        const struct shn_text_finding *f = &res->findings[i];
        rc = shn_buf_appendf(b, "%s{\"start\": %zu, \"end\": %zu, \"kind\": \"%s\", \"en\": ",
                             i ? ", " : "", f->start, f->end, shn_text_kind_name(f->kind));
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(b, f->en);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, ", \"ja\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(b, f->ja);
        if (rc == SHN_OK)
            rc = shn_buf_append_char(b, '}');
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "]}");
    return rc;
}
