/* The server's life: check the config, open the engines' files, start
 * libmicrohttpd in its internal thread-pool mode (one epoll loop per
 * thread), and at the end drain and stop. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

#define MAX_PEM (1u << 20) /* bytes of a TLS certificate chain or key file */
#define NEW_CONN_GRACE                                                                             \
    1.0 /* seconds a new connection may take to start a request while draining                     \
         */

/* libmicrohttpd unescapes paths and query values by default; the router
 * does it instead, strictly, so it is told to leave the bytes alone. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

/* A diagnostic's file must outlive it, and the paths of a failed check or
 * start are freed with their settings: the one that failed is kept here,
 * per thread, until the next failure. */
static const char *keep_path(const char *path)
{
    static _Thread_local char kept[4096];

    if (!path)
        return NULL;
    snprintf(kept, sizeof kept, "%s", path);
    return kept;
}

static void keep_diag_file(struct shn_diag *diag, const struct shn__serve_settings *s)
{
    bool owned = false;

    if (!diag || !diag->file)
        return;
    owned = diag->file == s->tls_cert || diag->file == s->tls_key || diag->file == s->keys;
    for (int e = 0; e < SHN__ENGINE_COUNT; e++)
        owned = owned || diag->file == s->engine_path[e];
    if (owned)
        diag->file = keep_path(diag->file);
}

/* The files the config names can be read: TLS files into memory (the
 * caller frees them), the keys file's presence. */
static int check_files(const struct shn__serve_settings *s, char **cert, char **key,
                       struct shn_diag *diag)
{
    size_t len;
    int rc = SHN_OK;

    if (s->tls_cert) {
        if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
            return shn_diag_set(diag, SHN_ERR_UNSUPPORTED, s->tls_cert, 0, "server.tls_cert",
                                "this libmicrohttpd was built without TLS");
        rc = shn_file_read(s->tls_cert, MAX_PEM, cert, &len, diag);
        if (rc == SHN_OK)
            rc = shn_file_read(s->tls_key, MAX_PEM, key, &len, diag);
        if (rc != SHN_OK) {
            shn_free(*cert);
            *cert = NULL;
            if (diag && !diag->field[0])
                snprintf(diag->field, sizeof diag->field, "server.tls_*");
            return rc;
        }
    }
    if (s->keys && access(s->keys, R_OK) != 0) {
        int e = errno;
        shn_free(*cert);
        shn_free(*key);
        *cert = *key = NULL;
        return shn_diag_set(diag, SHN_ERR_IO, s->keys, 0, "server.keys", "cannot read: %s",
                            strerror(e));
    }
    return SHN_OK;
}

/* Opens the file of engine e. A screen index that does not exist yet is
 * not an error: the server starts unready and the watcher loads it when it
 * appears (a fresh install before its first `lists update`). */
static int open_engine(int e, const char *path, struct shn__serve_res **out, bool *missing,
                       struct shn_diag *diag)
{
    struct shn__serve_stamp st;
    int rc;

    *missing = false;
    shn__serve_stamp_of(path, &st);
    if (e == SHN__ENGINE_SCREEN && !st.exists) {
        *missing = true;
        return SHN_OK;
    }
    rc = shn__serve_res_open(e, path, out, diag);
    if (rc != SHN_OK && diag && !diag->field[0])
        snprintf(diag->field, sizeof diag->field, "%s", shn__serve_engine_key(e));
    if (rc != SHN_OK && diag && !diag->file)
        diag->file = path;
    return rc;
}

int shn_serve_config_check(const struct shn_serve_config *cfg, struct shn_buf *effective,
                           struct shn_diag *diag)
{
    struct shn__serve_settings s;
    char *cert = NULL, *key = NULL;
    bool missing = false, any_missing = false;
    int rc;

    if (!cfg)
        return SHN_ERR_INVALID;
    rc = shn__serve_settings_resolve(cfg, &s, diag);
    if (rc != SHN_OK)
        return rc;
    rc = check_files(&s, &cert, &key, diag);
    for (int e = 0; rc == SHN_OK && e < SHN__ENGINE_COUNT; e++) {
        struct shn__serve_res *res = NULL;
        if (!s.engine_path[e])
            continue;
        rc = open_engine(e, s.engine_path[e], &res, &missing, diag);
        any_missing = any_missing || missing;
        shn__serve_res_release(res);
    }
    if (rc == SHN_OK && effective) {
        rc = shn__serve_settings_dump(&s, effective);
        if (rc == SHN_OK && any_missing)
            rc = shn_buf_appendf(effective,
                                 "# warning: the screen index %s does not exist yet; the server "
                                 "will start unready and load it when it appears\n",
                                 s.engine_path[SHN__ENGINE_SCREEN]);
    }
    shn_free(cert);
    shn_free(key);
    if (rc != SHN_OK)
        keep_diag_file(diag, &s);
    shn__serve_settings_cleanup(&s);
    return rc;
}

static void set_live(struct shn_server *srv, const struct shn__serve_settings *s)
{
    atomic_store(&srv->body_max, s->body_max);
    atomic_store(&srv->queries_max, s->queries_max);
    atomic_store(&srv->request_timeout, s->request_timeout);
    atomic_store(&srv->drain_timeout, s->drain_timeout);
    atomic_store(&srv->rate, s->rate);
    atomic_store(&srv->log_requests, s->log_requests);
}

static int open_all(struct shn_server *srv, struct shn_diag *diag)
{
    for (int e = 0; e < SHN__ENGINE_COUNT; e++) {
        struct shn__serve_slot *slot = &srv->slots[e];
        struct shn__serve_res *res = NULL;
        bool missing;
        int rc;

        if (!srv->set.engine_path[e])
            continue;
        slot->path = shn_strdup(srv->set.engine_path[e]);
        if (!slot->path)
            return SHN_ERR_NOMEM;
        atomic_store(&slot->configured, true);
        rc = open_engine(e, srv->set.engine_path[e], &res, &missing, diag);
        if (rc != SHN_OK)
            return rc;
        if (missing) {
            shn__serve_log_msg(SHN_LOG_WARN, "engine_missing",
                               "%s: %s does not exist yet; not ready until it does",
                               shn__serve_engine_name(e), slot->path);
            continue;
        }
        shn__serve_slot_swap(slot, res);
        {
            struct shn__serve_log l;
            shn__serve_log_begin(&l, SHN_LOG_INFO, "engine_loaded");
            shn__serve_log_str(&l, "engine", shn__serve_engine_name(e));
            shn__serve_log_str(&l, "version", res->version);
            shn__serve_log_str(&l, "path", slot->path);
            shn__serve_log_end(&l);
        }
    }
    return SHN_OK;
}

static struct MHD_Daemon *start_daemon(struct shn_server *srv)
{
    const struct shn__serve_settings *s = &srv->set;
    struct MHD_OptionItem tls[] = {{MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert_pem},
                                   {MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key_pem},
                                   {MHD_OPTION_END, 0, NULL}};
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC; /* ITC: quiesce (stop accepting) for the drain */

    if (s->addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (srv->tls_cert_pem)
        flags |= MHD_USE_TLS;
    else
        tls[0].option = MHD_OPTION_END;
    /* The logger comes first, so that no option's complaint escapes it.
     * A pool of 0 is libmicrohttpd's one internal thread (threads = 1). */
    return MHD_start_daemon(
        flags, 0, NULL, NULL, shn__serve_request_handle, srv, MHD_OPTION_EXTERNAL_LOGGER,
        shn__serve_log_mhd, NULL, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&s->addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(s->threads > 1 ? s->threads : 0),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)s->connections_max, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)s->idle_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)s->header_max,
        MHD_OPTION_URI_LOG_CALLBACK, shn__serve_request_begin, srv, MHD_OPTION_NOTIFY_COMPLETED,
        shn__serve_request_end, srv, MHD_OPTION_NOTIFY_CONNECTION, shn__serve_conn_notify, srv,
        MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL, MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
}

static int setup(struct shn_server *srv, const struct shn_serve_config *cfg, struct shn_diag *diag)
{
    int rc = shn__serve_settings_resolve(cfg, &srv->set, diag);

    if (rc == SHN_OK)
        rc = check_files(&srv->set, &srv->tls_cert_pem, &srv->tls_key_pem, diag);
    if (rc != SHN_OK)
        return rc;
    set_live(srv, &srv->set);
    if (getrandom(&srv->id_prefix, sizeof srv->id_prefix, GRND_NONBLOCK) !=
        (ssize_t)sizeof srv->id_prefix)
        srv->id_prefix = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
    rc = shn__serve_metrics_init(&srv->metrics, shn__serve_n_routes);
    if (rc == SHN_OK)
        rc = open_all(srv, diag);
    if (rc == SHN_OK)
        rc = shn__serve_conns_init(srv);
    if (rc == SHN_OK) {
        srv->oom_response = shn__serve_oom_response();
        if (!srv->oom_response)
            rc = SHN_ERR_NOMEM;
    }
    if (rc != SHN_OK)
        return rc;
    if (srv->set.keys)
        shn__serve_log_msg(SHN_LOG_WARN, "auth_not_enforced",
                           "server.keys is set but API keys are not checked yet: every request "
                           "is admitted");
    srv->daemon = start_daemon(srv);
    if (!srv->daemon)
        return shn_diag_set(diag, SHN_ERR_IO, "serve", 0, "server.listen",
                            "cannot listen on %.100s (in use, or not an address of this machine)",
                            srv->set.listen);
    return SHN_OK;
}

static void free_server(struct shn_server *srv)
{
    shn__serve_conns_cleanup(srv);
    for (int e = 0; e < SHN__ENGINE_COUNT; e++)
        shn__serve_slot_cleanup(&srv->slots[e]);
    shn__serve_metrics_cleanup(&srv->metrics);
    if (srv->oom_response)
        MHD_destroy_response(srv->oom_response);
    pthread_mutex_destroy(&srv->bucket.lock);
    shn_free(srv->tls_cert_pem);
    shn_free(srv->tls_key_pem);
    shn__serve_settings_cleanup(&srv->set);
    shn_free(srv);
}

int shn_serve_start(const struct shn_serve_config *cfg, struct shn_server **out,
                    struct shn_diag *diag)
{
    struct shn_server *srv;
    const union MHD_DaemonInfo *info;
    struct shn__serve_log l;
    int rc;

    if (!cfg || !out)
        return SHN_ERR_INVALID;
    srv = shn_calloc(1, sizeof *srv);
    if (!srv)
        return SHN_ERR_NOMEM;
    srv->cfg = cfg;
    pthread_mutex_init(&srv->bucket.lock, NULL);
    for (int e = 0; e < SHN__ENGINE_COUNT; e++)
        shn__serve_slot_init(&srv->slots[e]);
    /* The engines' own messages become JSON lines too, from here on. */
    shn_log_set_sink(shn__serve_log_sink, NULL);
    rc = setup(srv, cfg, diag);
    if (rc != SHN_OK) {
        keep_diag_file(diag, &srv->set);
        free_server(srv);
        shn_log_set_sink(NULL, NULL);
        return rc;
    }
    info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = info ? info->port : 0;
    shn__serve_log_begin(&l, SHN_LOG_INFO, "listening");
    shn__serve_log_str(&l, "listen", srv->set.listen);
    shn__serve_log_int(&l, "port", srv->port);
    shn__serve_log_int(&l, "threads", srv->set.threads);
    shn__serve_log_str(&l, "tls", srv->tls_cert_pem ? "on" : "off");
    shn__serve_log_end(&l);
    *out = srv;
    return SHN_OK;
}

unsigned shn_serve_port(const struct shn_server *srv)
{
    return srv ? srv->port : 0;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Stop accepting, let requests in flight end, close idle connections;
 * then stop. Returns the requests still in flight when time ran out. */
static long drain(struct shn_server *srv)
{
    double deadline = shn__serve_now() + atomic_load(&srv->drain_timeout);
    MHD_socket listen_fd;
    long in_flight = 0;

    atomic_store(&srv->draining, true);
    listen_fd = MHD_quiesce_daemon(srv->daemon);
    if (listen_fd != MHD_INVALID_SOCKET)
        close(listen_fd);
    shn__serve_log_msg(SHN_LOG_INFO, "draining", "no new connections; finishing requests");
    for (;;) {
        size_t open = shn__serve_conns_drain(srv, NEW_CONN_GRACE);
        in_flight = (long)atomic_load(&srv->metrics.in_flight);
        if ((in_flight == 0 && open == 0) || shn__serve_now() >= deadline)
            break;
        pause_ms(20);
    }
    return in_flight;
}

int shn_serve_stop(struct shn_server *srv)
{
    struct shn__serve_log l;
    long left = 0;

    if (!srv)
        return 0;
    if (srv->daemon) {
        left = drain(srv);
        MHD_stop_daemon(srv->daemon);
        srv->daemon = NULL;
    }
    shn__serve_log_begin(&l, SHN_LOG_INFO, "stopped");
    shn__serve_log_int(&l, "cut_requests", left);
    shn__serve_log_end(&l);
    free_server(srv);
    shn_log_set_sink(NULL, NULL);
    return (int)left;
}
