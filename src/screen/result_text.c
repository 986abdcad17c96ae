/* The text form of a screening result, for people at a terminal: the query
 * on one line, then each hit with its score, entity, source, the name that
 * matched and why. */
#include "screen_internal.h"

static int field(struct shn_buf *out, const char *label, const char *value, bool quoted)
{
    if (!value)
        return SHN_OK;
    return shn_buf_appendf(out, quoted ? " %s '%s'" : " %s %s", label, value);
}

int shn_screen_result_text(const struct shn_screen_index *idx, const struct shn_screen_query *q,
                           const struct shn_screen_result *r, struct shn_buf *out)
{
    int rc = shn_buf_append_str(out, "query:");

    if (rc == SHN_OK)
        rc = field(out, "name", q->name, true);
    if (rc == SHN_OK)
        rc = field(out, "reading", q->reading, true);
    if (rc == SHN_OK)
        rc = field(out, "dob", q->dob, false);
    if (rc == SHN_OK)
        rc = field(out, "nationality", q->nationality, false);
    if (rc == SHN_OK)
        rc = field(out, "id", q->id, false);
    if (rc == SHN_OK)
        rc = field(out, "crypto", q->crypto, false);
    if (rc == SHN_OK)
        rc = field(out, "email", q->email, false);
    if (rc == SHN_OK)
        rc = field(out, "phone", q->phone, false);
    if (rc == SHN_OK)
        rc = field(out, "handle", q->handle, false);
    if (rc == SHN_OK)
        rc = shn_buf_append_char(out, '\n');
    if (rc == SHN_OK && !r->n_hits)
        rc = shn_buf_appendf(out, "  no hits at threshold %.2f\n",
                             q->threshold > 0 ? q->threshold : SHN_SCREEN_DEFAULT_THRESHOLD);
    for (size_t i = 0; rc == SHN_OK && i < r->n_hits; i++) {
        const struct shn_screen_hit *h = &r->hits[i];
        rc = shn_buf_appendf(out, "%3zu. %.3f  %-22s %-13s %s\n", i + 1, h->score,
                             shn_screen_entity_id(idx, h->entity),
                             shn_screen_kind_name(shn_screen_entity_kind(idx, h->entity)),
                             shn_screen_entity_name(idx, h->entity));
        if (rc == SHN_OK)
            rc = shn_buf_appendf(out, "       source %s; matched '%s'\n",
                                 shn_screen_entity_source(idx, h->entity), h->matched);
        for (int w = 0; rc == SHN_OK && w < h->n_why; w++)
            rc = shn_buf_appendf(out, "       - %s\n", h->why[w]);
    }
    return rc;
}
