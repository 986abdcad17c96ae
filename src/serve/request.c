/* One request, through libmicrohttpd's three callbacks:
 *
 *   begin   the request line arrived: a context with its own arena, an id
 *           and the start time (counted in flight from here, so a drain
 *           waits for it)
 *   handle  called once the headers are in (route, admission and the
 *           checks that need no body, answered at once when they fail),
 *           then once per piece of body (kept up to the cap), then once at
 *           the end (the handler runs and the answer is queued)
 *   end     the answer went out or the connection died: metrics, the log
 *           line, and everything the request held is let go. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"

#define MAX_OUTPUT (64u << 20) /* bytes of one answer */
#define ARENA_BLOCK 4096

static struct shn__serve_conn *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

    return info ? info->socket_context : NULL;
}

void *shn__serve_request_begin(void *cls, const char *uri, struct MHD_Connection *c)
{
    struct shn_server *srv = cls;
    struct shn__serve_request *req = shn_calloc(1, sizeof *req);
    unsigned long long n;

    if (!req)
        return NULL; /* handle() answers with the static 500 */
    req->srv = srv;
    req->t_start = shn__serve_now();
    req->route_index = -1;
    n = atomic_fetch_add_explicit(&srv->next_request, 1, memory_order_relaxed);
    snprintf(req->id, sizeof req->id, "%08x-%08llx", srv->id_prefix, n);
    shn_arena_init(&req->arena, ARENA_BLOCK, 4 * SHN__SERVE_MAX_TARGET + 2 * ARENA_BLOCK);
    /* One byte over the cap is enough for the parser to refuse it (414). */
    if (uri)
        req->uri = shn_arena_strndup(&req->arena, uri, SHN__SERVE_MAX_TARGET + 1);
    shn_buf_init(&req->body, atomic_load_explicit(&srv->body_max, memory_order_relaxed));
    shn_buf_init(&req->out, MAX_OUTPUT);
    req->conn = conn_of(c);
    shn__serve_conn_set_state(srv, req->conn, SHN__CONN_RECEIVING);
    atomic_fetch_add_explicit(&srv->metrics.in_flight, 1, memory_order_relaxed);
    return req;
}

/* The media type of a Content-Type value, without parameters. */
static bool is_json(const char *v)
{
    size_t n;

    while (*v == ' ' || *v == '\t')
        v++;
    n = strcspn(v, "; \t");
    return n == strlen("application/json") && strncasecmp(v, "application/json", n) == 0;
}

/* The checks made once the headers are in; an error is recorded in req. */
static void start(struct shn__serve_request *req, struct MHD_Connection *c)
{
    struct shn_server *srv = req->srv;
    const char *ctype, *clen;
    unsigned long len;

    req->screen = shn__serve_slot_acquire(&srv->slots[SHN__ENGINE_SCREEN]);
    if (!req->uri) {
        shn__serve_error(req, 500, "internal", "", "out of memory");
        return;
    }
    if (shn__serve_target_parse(req->uri, &req->arena, &req->target, &req->err) != SHN_OK)
        return;
    req->route =
        shn__serve_route_match(req->method, &req->target, req->allow, sizeof req->allow, &req->err);
    if (!req->route)
        return;
    req->route_index = (int)(req->route - shn__serve_routes);
    if (shn__serve_args_check(req->route, &req->target, &req->err) != SHN_OK)
        return;
    if (!shn__serve_admit(req))
        return;
    if ((req->route->flags & SHN__ROUTE_SCREEN) && !req->screen) {
        req->retry_after = 5;
        shn__serve_error(req, 503, "not_ready", "",
                         "the screen index is not loaded yet (see /readyz)");
        return;
    }
    if (!(req->route->flags & SHN__ROUTE_BODY))
        return;
    ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (ctype && !is_json(ctype)) {
        shn__serve_error(req, 415, "unsupported_media_type", "Content-Type",
                         "send the body as Content-Type: application/json");
        return;
    }
    clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (clen && (!shn__serve_parse_uint(clen, 0, (unsigned long)-1, &len) || len > req->body.cap))
        shn__serve_error(req, 413, "too_large", "body", "the body is larger than %zu bytes",
                         req->body.cap);
}

static bool announces_body(struct MHD_Connection *c)
{
    const char *len =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

    return (len && strcmp(len, "0") != 0) ||
           MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
}

/* Runs the handler unless an error is already recorded, and answers. */
static enum MHD_Result finish(struct shn__serve_request *req, struct MHD_Connection *c)
{
    shn__serve_conn_set_state(req->srv, req->conn, SHN__CONN_RESPONDING);
    if (!req->err.status && req->route && req->route->handler)
        req->route->handler(req);
    return shn__serve_respond(c, req);
}

/* A piece of body: kept while it fits under the cap. A client that goes on
 * sending long past the cap is cut off rather than read to the end. */
static enum MHD_Result body_piece(struct shn__serve_request *req, const char *data, size_t n)
{
    int rc;

    if (!shn_size_add(req->body_seen, n, &req->body_seen))
        return MHD_NO;
    if (req->body_over)
        return req->body_seen > 2 * req->body.cap + (64u << 10) ? MHD_NO : MHD_YES;
    rc = shn_buf_append(&req->body, data, n);
    if (rc == SHN_OK)
        return MHD_YES;
    req->body_over = true;
    shn_buf_cleanup(&req->body);
    if (rc == SHN_ERR_TOO_LARGE)
        shn__serve_error(req, 413, "too_large", "body", "the body is larger than %zu bytes",
                         req->body.cap);
    else
        shn__serve_error(req, 500, "internal", "", "out of memory");
    return MHD_YES;
}

enum MHD_Result shn__serve_request_handle(void *cls, struct MHD_Connection *c, const char *url,
                                          const char *method, const char *version,
                                          const char *upload_data, size_t *upload_data_size,
                                          void **con_cls)
{
    struct shn_server *srv = cls;
    struct shn__serve_request *req = *con_cls;

    (void)url; /* the raw target came to begin(); this one is unescaped */
    (void)version;
    if (!req)
        return MHD_queue_response(c, 500, srv->oom_response);
    if (!req->started) {
        req->started = true;
        req->method = method;
        start(req, c);
        /* A refused request that announces a body is answered now, so that
         * libmicrohttpd reads none of it (and closes the connection after
         * the answer). Everything else is answered at the last call, which
         * keeps the connection alive for the next request. */
        if (req->err.status && announces_body(c))
            return finish(req, c);
        return MHD_YES;
    }
    if (req->answered)
        return MHD_YES;
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        return body_piece(req, upload_data, n);
    }
    return finish(req, c);
}

static const char *known_method(const char *m)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};

    for (size_t i = 0; m && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(m, known[i]) == 0)
            return known[i];
    return m ? "other" : "";
}

static const char *outcome(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return "completed";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "idle_timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "client_gone";
    default:
        return "error";
    }
}

static void log_request(const struct shn__serve_request *req, int status, double seconds,
                        enum MHD_RequestTerminationCode toe)
{
    struct shn__serve_log l;

    shn__serve_log_begin(&l, SHN_LOG_INFO, "request");
    l.on = true; /* server.log_requests decides, not the level */
    shn__serve_log_str(&l, "request_id", req->id);
    shn__serve_log_str(&l, "key_id", ""); /* AUTH HOOK: the key's id once keys exist */
    shn__serve_log_str(&l, "method", known_method(req->method));
    shn__serve_log_str(&l, "endpoint", req->route ? req->route->pattern : "");
    shn__serve_log_int(&l, "status", status);
    shn__serve_log_num(&l, "duration_ms", seconds * 1000.0);
    shn__serve_log_str(&l, "index_version", req->screen ? req->screen->version : "none");
    shn__serve_log_str(&l, "outcome", outcome(toe));
    shn__serve_log_end(&l);
}

void shn__serve_request_end(void *cls, struct MHD_Connection *c, void **con_cls,
                            enum MHD_RequestTerminationCode toe)
{
    struct shn_server *srv = cls;
    struct shn__serve_request *req = con_cls ? *con_cls : NULL;
    double seconds;
    int status;

    if (!req)
        return;
    seconds = shn__serve_now() - req->t_start;
    status = req->answered ? req->status : 0;
    if (!status) { /* answered by libmicrohttpd itself (431, 400), or not at all */
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_HTTP_STATUS);
        status = info ? (int)info->http_status : 0;
    }
    shn__serve_metrics_count(&srv->metrics, req->route_index, status, seconds);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        atomic_fetch_add_explicit(&srv->metrics.aborted, 1, memory_order_relaxed);
    if (atomic_load_explicit(&srv->log_requests, memory_order_relaxed))
        log_request(req, status, seconds, toe);
    shn__serve_conn_set_state(srv, req->conn, SHN__CONN_IDLE);
    shn__serve_res_release(req->screen);
    shn_buf_cleanup(&req->body);
    shn_buf_cleanup(&req->out);
    shn_arena_cleanup(&req->arena);
    shn_free(req);
    *con_cls = NULL;
    atomic_fetch_sub_explicit(&srv->metrics.in_flight, 1, memory_order_relaxed);
}
