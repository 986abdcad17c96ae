/* Answers: the JSON error shape, and the headers every response carries
 * (the index version that answered, the request id). */
#include <stdio.h>
#include <string.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"

int shn__serve_fail(struct shn__serve_error *e, int status, const char *code, const char *field,
                    const char *fmt, ...)
{
    va_list ap;

    if (!e || e->status)
        return SHN_ERR_PARSE;
    e->status = status;
    e->code = code ? code : "error";
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return SHN_ERR_PARSE;
}

void shn__serve_error(struct shn__serve_request *req, int status, const char *code,
                      const char *field, const char *fmt, ...)
{
    char message[256];
    va_list ap;

    if (!req || req->err.status)
        return;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    shn__serve_fail(&req->err, status, code, field, "%s", message);
}

int shn__serve_error_json(const struct shn__serve_error *e, struct shn_buf *out)
{
    int rc;

    if (!e || !out)
        return SHN_ERR_INVALID;
    rc = shn_buf_append_str(out, "{\"error\": {\"code\": ");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, e->code ? e->code : "error");
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, ", \"message\": ");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, e->message);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, ", \"field\": ");
    if (rc == SHN_OK)
        rc = e->field[0] ? shn_buf_append_json_string(out, e->field)
                         : shn_buf_append_str(out, "null");
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, "}}\n");
    return rc;
}

/* The answer when there is no memory to build one. */
static const char oom_body[] =
    "{\"error\": {\"code\": \"internal\", \"message\": \"out of memory\", \"field\": null}}\n";

struct MHD_Response *shn__serve_oom_response(void)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(sizeof oom_body - 1, (void *)oom_body,
                                                             MHD_RESPMEM_PERSISTENT);

    if (r)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    return r;
}

static void free_body(void *p)
{
    shn_free(p);
}

static bool headers(struct MHD_Response *r, const struct shn__serve_request *req)
{
    char retry[16];
    bool ok = true;

    ok = ok && MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                                       req->content_type ? req->content_type
                                                         : "application/json") == MHD_YES;
    ok = ok && MHD_add_response_header(r, "X-Shinsa-Index-Version",
                                       req->screen ? req->screen->version : "none") == MHD_YES;
    ok = ok && MHD_add_response_header(r, "X-Request-Id", req->id) == MHD_YES;
    ok = ok && MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store") == MHD_YES;
    ok = ok && MHD_add_response_header(r, "X-Content-Type-Options", "nosniff") == MHD_YES;
    if (ok && req->status == 405 && req->allow[0])
        ok = MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, req->allow) == MHD_YES;
    if (ok && req->retry_after) {
        snprintf(retry, sizeof retry, "%u", req->retry_after);
        ok = MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, retry) == MHD_YES;
    }
    /* While draining, each connection ends after its current answer, so
     * clients reconnect (to the next server) instead of being cut off. */
    if (ok && atomic_load(&req->srv->draining))
        ok = MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close") == MHD_YES;
    return ok;
}

enum MHD_Result shn__serve_respond(struct MHD_Connection *c, struct shn__serve_request *req)
{
    struct MHD_Response *r;
    enum MHD_Result ok;
    bool oom = false;

    if (!c || !req || req->answered)
        return MHD_NO;
    if (req->err.status) {
        req->status = req->err.status;
        req->content_type = "application/json";
        shn_buf_reset(&req->out);
        if (shn__serve_error_json(&req->err, &req->out) != SHN_OK) {
            shn_buf_reset(&req->out);
            req->status = 500;
            oom = true;
        }
    }
    if (req->status == 0)
        req->status = 200;
    if (oom) {
        r = MHD_create_response_from_buffer(sizeof oom_body - 1, (void *)oom_body,
                                            MHD_RESPMEM_PERSISTENT);
    } else if (req->out.data && req->out.len) {
        r = MHD_create_response_from_buffer_with_free_callback(req->out.len, req->out.data,
                                                               free_body);
        if (r) { /* the response owns the bytes now */
            req->out.data = NULL;
            req->out.len = req->out.alloc = 0;
        }
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    if (!headers(r, req)) {
        MHD_destroy_response(r);
        return MHD_NO;
    }
    ok = MHD_queue_response(c, (unsigned)req->status, r);
    MHD_destroy_response(r);
    req->answered = ok == MHD_YES;
    return ok;
}
