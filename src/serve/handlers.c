/* The service's own endpoints: liveness, readiness, metrics, and the lists
 * the screen index holds. */
#include <string.h>

#include "serve_internal.h"

void shn__serve_healthz(struct shn__serve_request *req)
{
    int rc = shn_buf_append_str(&req->out, "{\"status\": \"ok\", \"index_version\": ");

    if (rc == SHN_OK)
        rc = req->screen ? shn_buf_append_json_string(&req->out, req->screen->version)
                         : shn_buf_append_str(&req->out, "null");
    if (rc == SHN_OK)
        rc = shn_buf_append_str(&req->out, "}\n");
    if (rc != SHN_OK)
        shn__serve_error(req, 500, "internal", "", "%s", shn_strerror(rc));
}

/* Ready when every configured engine has its file open and the server is
 * not draining. Paths and error texts stay in the log: this endpoint is
 * open to anyone who can reach the port. */
void shn__serve_readyz(struct shn__serve_request *req)
{
    struct shn_server *srv = req->srv;
    bool ready = !atomic_load(&srv->draining), first = true;
    struct shn_buf *out = &req->out;
    int rc = shn_buf_append_str(out, "{\"engines\": {");

    for (int e = 0; rc == SHN_OK && e < SHN__ENGINE_COUNT; e++) {
        struct shn__serve_res *res;
        if (!atomic_load(&srv->slots[e].configured))
            continue;
        res = shn__serve_slot_acquire(&srv->slots[e]);
        ready = ready && res;
        rc = shn_buf_appendf(out, "%s\"%s\": {\"loaded\": %s, \"version\": ", first ? "" : ", ",
                             shn__serve_engine_name(e), res ? "true" : "false");
        if (rc == SHN_OK)
            rc = res ? shn_buf_append_json_string(out, res->version)
                     : shn_buf_append_str(out, "null");
        if (rc == SHN_OK)
            rc = shn_buf_append_char(out, '}');
        shn__serve_res_release(res);
        first = false;
    }
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out, "}, \"draining\": %s, \"ready\": %s}\n",
                             atomic_load(&srv->draining) ? "true" : "false",
                             ready ? "true" : "false");
    if (rc != SHN_OK) {
        shn__serve_error(req, 500, "internal", "", "%s", shn_strerror(rc));
        return;
    }
    if (!ready) {
        req->status = 503;
        req->retry_after = 5;
    }
}

void shn__serve_metrics_handler(struct shn__serve_request *req)
{
    int rc = shn__serve_metrics_text(req->srv, &req->out);

    if (rc != SHN_OK) {
        shn__serve_error(req, 500, "internal", "", "%s", shn_strerror(rc));
        return;
    }
    req->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/* What `shinsa lists info --json` prints for the index that answers, kept
 * from when it was opened. */
void shn__serve_lists(struct shn__serve_request *req)
{
    int rc = shn_buf_append(&req->out, req->screen->info, req->screen->info_len);

    if (rc != SHN_OK)
        shn__serve_error(req, 500, "internal", "", "%s", shn_strerror(rc));
}
