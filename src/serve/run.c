/* The service loop: signals, the watcher, reloads. Runs in the thread that
 * started the server; requests never wait for it, since a swap only takes
 * a slot's lock for the moment of the pointer change. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"

#define WATCH_PERIOD_MS 500

static void log_swap(int e, const char *event, const struct shn__serve_res *old,
                     const struct shn__serve_res *fresh)
{
    struct shn__serve_log l;

    shn__serve_log_begin(&l, SHN_LOG_INFO, event);
    shn__serve_log_str(&l, "engine", shn__serve_engine_name(e));
    shn__serve_log_str(&l, "old_version", old ? old->version : "");
    shn__serve_log_str(&l, "version", fresh->version);
    shn__serve_log_end(&l);
}

static void log_failure(int e, const char *path, const struct shn_diag *diag, int rc)
{
    char text[512];

    if (diag->message[0])
        shn_diag_format(diag, text, sizeof text);
    else
        snprintf(text, sizeof text, "%s: %s", path, shn_strerror(rc));
    shn__serve_log_msg(SHN_LOG_WARN, "swap_failed", "%s: %s; still serving the file open before",
                       shn__serve_engine_name(e), text);
}

/* Opens the slot's file and swaps it in: 1 on a swap, 0 when the file did
 * not open (logged; the failed file's stamp is kept so that it is tried
 * again only once it changes), SHN_ERR_NOMEM-like errors negated. */
static int reopen(struct shn__serve_slot *slot, int e, const struct shn__serve_stamp *now)
{
    struct shn__serve_res *fresh = NULL, *old;
    struct shn_diag diag = {0};
    int rc = shn__serve_res_open(e, slot->path, &fresh, &diag);

    if (rc != SHN_OK) {
        slot->failed = *now;
        snprintf(slot->error, sizeof slot->error, "%s", diag.message);
        atomic_fetch_add(&slot->failures, 1);
        log_failure(e, slot->path, &diag, rc);
        return 0;
    }
    memset(&slot->failed, 0, sizeof slot->failed);
    slot->error[0] = '\0';
    old = shn__serve_slot_acquire(slot);
    shn__serve_slot_swap(slot, fresh);
    log_swap(e, old ? "swapped" : "engine_loaded", old, fresh);
    shn__serve_res_release(old);
    return 1;
}

int shn_serve_watch(struct shn_server *srv)
{
    int swaps = 0;

    if (!srv)
        return 0;
    for (int e = 0; e < SHN__ENGINE_COUNT; e++) {
        struct shn__serve_slot *slot = &srv->slots[e];
        struct shn__serve_stamp now;
        struct shn__serve_res *cur;
        bool changed;

        if (!slot->path || !shn__serve_engine_watched(e))
            continue;
        shn__serve_stamp_of(slot->path, &now);
        if (!now.exists || shn__serve_stamp_same(&now, &slot->failed))
            continue; /* gone (keep serving the old one), or known not to open */
        cur = shn__serve_slot_acquire(slot);
        changed = !cur || !shn__serve_stamp_same(&now, &cur->stamp);
        shn__serve_res_release(cur);
        if (changed)
            swaps += reopen(slot, e, &now);
    }
    return swaps;
}

/* The keys only a restart applies: what libmicrohttpd was started with. */
static void restart_only(const struct shn__serve_settings *was, const struct shn__serve_settings *s)
{
    struct {
        const char *key;
        bool changed;
    } keys[] = {
        {"server.listen", strcmp(was->listen, s->listen) != 0},
        {"server.threads", was->threads != s->threads},
        {"server.tls_cert", !was->tls_cert != !s->tls_cert ||
                                (s->tls_cert && strcmp(was->tls_cert, s->tls_cert) != 0)},
        {"server.tls_key",
         !was->tls_key != !s->tls_key || (s->tls_key && strcmp(was->tls_key, s->tls_key) != 0)},
        {"limits.connections", was->connections_max != s->connections_max},
        {"limits.idle_timeout", was->idle_timeout != s->idle_timeout},
        {"limits.header_size", was->header_max != s->header_max},
    };

    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (keys[i].changed)
            shn__serve_log_msg(SHN_LOG_WARN, "needs_restart",
                               "%s changed; the new value applies at the next start", keys[i].key);
}

int shn_serve_reload(struct shn_server *srv, struct shn_diag *diag)
{
    struct shn__serve_settings s;
    int rc;

    if (!srv)
        return SHN_ERR_INVALID;
    rc = shn__serve_settings_resolve(srv->cfg, &s, diag);
    if (rc != SHN_OK) {
        char text[512] = "";
        if (diag)
            shn_diag_format(diag, text, sizeof text);
        shn__serve_log_msg(SHN_LOG_ERROR, "reload_failed", "%s; nothing changed",
                           text[0] ? text : shn_strerror(rc));
        return rc;
    }
    restart_only(&srv->set, &s);
    srv->set.log_requests = s.log_requests;
    srv->set.body_max = s.body_max;
    srv->set.queries_max = s.queries_max;
    srv->set.request_timeout = s.request_timeout;
    srv->set.drain_timeout = s.drain_timeout;
    srv->set.rate = s.rate;
    atomic_store(&srv->body_max, s.body_max);
    atomic_store(&srv->queries_max, s.queries_max);
    atomic_store(&srv->request_timeout, s.request_timeout);
    atomic_store(&srv->drain_timeout, s.drain_timeout);
    atomic_store(&srv->rate, s.rate);
    atomic_store(&srv->log_requests, s.log_requests);
    for (int e = 0; e < SHN__ENGINE_COUNT; e++) {
        struct shn__serve_slot *slot = &srv->slots[e];
        struct shn__serve_stamp now;

        if (!s.engine_path[e]) {
            /* No longer configured: let it go once its requests end. */
            atomic_store(&slot->configured, false);
            shn__serve_slot_swap(slot, NULL);
            shn_free(slot->path);
            slot->path = NULL;
            continue;
        }
        if (!slot->path || strcmp(slot->path, s.engine_path[e]) != 0) {
            char *path = shn_strdup(s.engine_path[e]);
            if (!path)
                continue;
            shn_free(slot->path);
            slot->path = path;
            memset(&slot->failed, 0, sizeof slot->failed);
        }
        atomic_store(&slot->configured, true);
        shn__serve_stamp_of(slot->path, &now);
        if (now.exists)
            reopen(slot, e, &now);
    }
    shn__serve_settings_cleanup(&s);
    shn__serve_log_msg(SHN_LOG_INFO, "reloaded", "config and files read again");
    return SHN_OK;
}

int shn_serve_run(const struct shn_serve_config *cfg, struct shn_diag *diag)
{
    struct shn_server *srv = NULL;
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old_pipe;
    sigset_t set, old;
    int rc, sig = 0;

    if (!cfg)
        return SHN_ERR_INVALID;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    /* A log reader that went away must not kill the server. */
    sigaction(SIGPIPE, &ignore, &old_pipe);
    rc = shn_serve_start(cfg, &srv, diag);
    while (rc == SHN_OK) {
        struct timespec tick = {0, WATCH_PERIOD_MS * 1000000L};
        sig = sigtimedwait(&set, NULL, &tick);
        if (sig == SIGINT || sig == SIGTERM)
            break;
        if (sig == SIGHUP) {
            struct shn_diag reload_diag = {0};
            shn_serve_reload(srv, &reload_diag);
        } else if (sig < 0 && errno != EAGAIN && errno != EINTR) {
            break;
        }
        shn_serve_watch(srv);
    }
    if (rc == SHN_OK) {
        shn__serve_log_msg(SHN_LOG_INFO, "stopping", "signal %s",
                           sig == SIGINT    ? "SIGINT"
                           : sig == SIGTERM ? "SIGTERM"
                                            : "none");
        shn_serve_stop(srv);
    }
    sigaction(SIGPIPE, &old_pipe, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}
