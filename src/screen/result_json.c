/* The JSON shape of a screening result: the contract scripts rely on.
 * {"query": {...}, "hits": [{"entity", "source", "kind", "name", "matched",
 *  "score", "why": [...], "programs": [...]}]} on one line. */
#include <string.h>

#include "screen_internal.h"

static int field(struct shn_buf *out, bool *first, const char *key, const char *value)
{
    int rc;

    if (!value || !*value)
        return SHN_OK;
    rc = shn_buf_append_str(out, *first ? "\"" : ", \"");
    *first = false;
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, key);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, "\": ");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, value);
    return rc;
}

static int programs_array(struct shn_buf *out, const char *joined)
{
    int rc = shn_buf_append_str(out, ", \"programs\": [");
    const char *p = joined;
    bool first = true;

    while (rc == SHN_OK && *p) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char item[128];
        if (len >= sizeof item)
            len = sizeof item - 1;
        memcpy(item, p, len);
        item[len] = '\0';
        rc = shn_buf_append_str(out, first ? "" : ", ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, item);
        first = false;
        p += comma ? (size_t)(comma - p) + 1 : len;
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_char(out, ']');
    return rc;
}

int shn_screen_result_json(const struct shn_screen_index *idx, const struct shn_screen_query *q,
                           const struct shn_screen_result *r, struct shn_buf *out)
{
    bool first = true;
    int rc = shn_buf_append_str(out, "{\"query\": {");

    if (rc == SHN_OK)
        rc = field(out, &first, "name", q->name);
    if (rc == SHN_OK)
        rc = field(out, &first, "reading", q->reading);
    if (rc == SHN_OK)
        rc = field(out, &first, "dob", q->dob);
    if (rc == SHN_OK)
        rc = field(out, &first, "nationality", q->nationality);
    if (rc == SHN_OK)
        rc = field(out, &first, "id", q->id);
    if (rc == SHN_OK)
        rc = field(out, &first, "crypto", q->crypto);
    if (rc == SHN_OK)
        rc = field(out, &first, "email", q->email);
    if (rc == SHN_OK)
        rc = field(out, &first, "phone", q->phone);
    if (rc == SHN_OK)
        rc = field(out, &first, "handle", q->handle);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, "}, \"hits\": [");
    for (size_t i = 0; rc == SHN_OK && i < r->n_hits; i++) {
        const struct shn_screen_hit *h = &r->hits[i];
        const struct shn_idx_entity *e = &idx->entities[h->entity];
        rc = shn_buf_append_str(out, i ? ", {\"entity\": " : "{\"entity\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, shn__idx_str(idx, e->id));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, ", \"source\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, shn__idx_str(idx, e->source));
        if (rc == SHN_OK)
            rc = shn_buf_appendf(out,
                                 ", \"kind\": \"%s\", \"name\": ", shn_screen_kind_name(e->kind));
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, shn__idx_str(idx, e->primary_name));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, ", \"matched\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, h->matched);
        if (rc == SHN_OK)
            rc = shn_buf_appendf(out, ", \"score\": %.3f, \"why\": [", h->score);
        for (int w = 0; rc == SHN_OK && w < h->n_why; w++) {
            if (w)
                rc = shn_buf_append_str(out, ", ");
            if (rc == SHN_OK)
                rc = shn_buf_append_json_string(out, h->why[w]);
        }
        if (rc == SHN_OK)
            rc = shn_buf_append_char(out, ']');
        if (rc == SHN_OK)
            rc = programs_array(out, shn__idx_str(idx, e->programs));
        if (rc == SHN_OK)
            rc = shn_buf_append_char(out, '}');
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, "]}");
    return rc;
}
