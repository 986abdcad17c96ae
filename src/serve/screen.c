/* POST /v1/screen: the CLI's screening through the same engine calls.
 * One query answers exactly what `shinsa screen --json` prints for it (the
 * shn_screen_result_json line and its newline); a batch answers
 * {"results": [those objects, in order], "index_version": "..."}. A batch
 * is all or nothing: the first bad query fails the request, naming it. */
#include <stdio.h>

#include "serve_internal.h"

static void query_failed(struct shn__serve_request *req, const struct shn__serve_screen_batch *b,
                         size_t i, int rc)
{
    char field[48];

    if (rc == SHN_ERR_NOMEM) {
        shn__serve_error(req, 500, "internal", "", "out of memory");
        return;
    }
    /* The body parser checked presence, types and lengths; what the engine
     * still refuses is the date. */
    if (b->batch)
        snprintf(field, sizeof field, "queries[%zu].dob", i);
    else
        snprintf(field, sizeof field, "dob");
    if (rc == SHN_ERR_INVALID)
        shn__serve_error(req, 400, "bad_value", field, "not a date: YYYY-MM-DD, YYYY-MM or YYYY");
    else
        shn__serve_error(req, 400, "bad_value", b->batch ? field : "", "%s", shn_strerror(rc));
}

void shn__serve_screen(struct shn__serve_request *req)
{
    const struct shn_screen_index *idx = req->screen->obj;
    struct shn__serve_screen_batch b = {0};
    struct shn_screen_result r;
    struct shn_buf *out = &req->out;
    unsigned max = atomic_load_explicit(&req->srv->queries_max, memory_order_relaxed);
    int rc;

    if (shn__serve_screen_parse(req->body.data, req->body.len, max, &b, &req->err) != SHN_OK)
        return;
    shn_screen_result_init(&r);
    rc = b.batch ? shn_buf_append_str(out, "{\"results\": [") : SHN_OK;
    for (size_t i = 0; rc == SHN_OK && i < b.n; i++) {
        rc = shn_screen_query(idx, &b.queries[i], &r);
        if (rc != SHN_OK) {
            query_failed(req, &b, i, rc);
            break;
        }
        if (i)
            rc = shn_buf_append_str(out, ", ");
        if (rc == SHN_OK)
            rc = shn_screen_result_json(idx, &b.queries[i], &r, out);
    }
    if (rc == SHN_OK && b.batch) {
        rc = shn_buf_append_str(out, "], \"index_version\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, req->screen->version);
        if (rc == SHN_OK)
            rc = shn_buf_append_char(out, '}');
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_char(out, '\n');
    if (rc != SHN_OK && !req->err.status)
        shn__serve_error(req, 500, "internal", "", "the answer could not be built: %s",
                         shn_strerror(rc));
    shn_screen_result_cleanup(&r);
    shn__serve_screen_batch_cleanup(&b);
}
