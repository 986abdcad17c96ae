/* Connections: a list of the open ones, and the reaper that holds each to
 * a deadline.
 *
 * libmicrohttpd's own timeout (limits.idle_timeout) closes a connection
 * that is silent; a client that sends one byte a second is never silent and
 * would hold its connection, and its memory, forever. So every connection
 * also has limits.request_timeout seconds to deliver each whole request,
 * counted from its connect or from the end of its previous answer. The
 * reaper shuts the socket down (libmicrohttpd still owns and closes it),
 * which its thread then sees as a closed connection. The socket stays
 * valid while the connection is listed: libmicrohttpd sends the "closed"
 * notice, which unlists it under the list's lock, before it closes the fd. */
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"

#define REAPER_PERIOD_MS 200

double shn__serve_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void unlink_conn(struct shn__serve_conn *c)
{
    c->prev->next = c->next;
    c->next->prev = c->prev;
    c->prev = c->next = c;
}

void shn__serve_conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                            enum MHD_ConnectionNotificationCode toe)
{
    struct shn_server *srv = cls;
    struct shn__serve_conns *cs = &srv->conns;
    struct shn__serve_conn *conn;

    if (!socket_context)
        return;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        conn = shn_calloc(1, sizeof *conn);
        *socket_context = conn;
        if (!conn)
            return; /* not tracked: only libmicrohttpd's idle timeout applies */
        conn->fd = info ? info->connect_fd : -1;
        conn->state = SHN__CONN_NEW;
        conn->since = shn__serve_now();
        pthread_mutex_lock(&cs->lock);
        conn->next = cs->head.next;
        conn->prev = &cs->head;
        cs->head.next->prev = conn;
        cs->head.next = conn;
        cs->open++;
        pthread_mutex_unlock(&cs->lock);
        atomic_fetch_add_explicit(&srv->metrics.connections_total, 1, memory_order_relaxed);
        return;
    }
    conn = *socket_context;
    if (!conn)
        return;
    pthread_mutex_lock(&cs->lock);
    unlink_conn(conn);
    cs->open--;
    pthread_mutex_unlock(&cs->lock);
    shn_free(conn);
    *socket_context = NULL;
}

void shn__serve_conn_set_state(struct shn_server *srv, struct shn__serve_conn *conn, int state)
{
    if (!srv || !conn)
        return;
    pthread_mutex_lock(&srv->conns.lock);
    if (conn->state != state) {
        conn->state = state;
        conn->since = shn__serve_now();
    }
    pthread_mutex_unlock(&srv->conns.lock);
}

/* Under the lock. */
static void shut(struct shn__serve_conn *c)
{
    if (c->shut || c->fd < 0)
        return;
    shutdown(c->fd, SHUT_RDWR);
    c->shut = true;
}

static void *reaper(void *arg)
{
    struct shn_server *srv = arg;
    struct shn__serve_conns *cs = &srv->conns;

    pthread_mutex_lock(&cs->lock);
    while (!cs->stop) {
        struct timespec until;
        double now = shn__serve_now(),
               limit = atomic_load_explicit(&srv->request_timeout, memory_order_relaxed);

        for (struct shn__serve_conn *c = cs->head.next; c != &cs->head; c = c->next) {
            if (c->shut || c->state == SHN__CONN_RESPONDING || now - c->since < limit)
                continue;
            shut(c);
            atomic_fetch_add_explicit(&srv->metrics.dropped_request_timeout, 1,
                                      memory_order_relaxed);
        }
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += REAPER_PERIOD_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&cs->wake, &cs->lock, &until);
    }
    pthread_mutex_unlock(&cs->lock);
    return NULL;
}

int shn__serve_conns_init(struct shn_server *srv)
{
    struct shn__serve_conns *cs = &srv->conns;

    memset(cs, 0, sizeof *cs);
    cs->head.next = cs->head.prev = &cs->head;
    pthread_mutex_init(&cs->lock, NULL);
    pthread_cond_init(&cs->wake, NULL);
    if (pthread_create(&cs->reaper, NULL, reaper, srv) != 0)
        return SHN_ERR_NOMEM;
    cs->reaper_started = true;
    return SHN_OK;
}

/* After libmicrohttpd has stopped (every connection closed and unlisted). */
void shn__serve_conns_cleanup(struct shn_server *srv)
{
    struct shn__serve_conns *cs = &srv->conns;

    if (!cs->head.next)
        return; /* never set up */
    if (cs->reaper_started) {
        pthread_mutex_lock(&cs->lock);
        cs->stop = true;
        pthread_cond_signal(&cs->wake);
        pthread_mutex_unlock(&cs->lock);
        pthread_join(cs->reaper, NULL);
        cs->reaper_started = false;
    }
    pthread_cond_destroy(&cs->wake);
    pthread_mutex_destroy(&cs->lock);
    cs->head.next = NULL;
}

size_t shn__serve_conns_drain(struct shn_server *srv, double new_grace)
{
    struct shn__serve_conns *cs = &srv->conns;
    double now = shn__serve_now();
    size_t open;

    pthread_mutex_lock(&cs->lock);
    for (struct shn__serve_conn *c = cs->head.next; c != &cs->head; c = c->next) {
        /* Idle between requests: closing it cuts nothing (HTTP lets a
         * server close an idle kept-alive connection at any time). A new
         * one may be sending its first request: it gets a grace period. */
        if (c->state == SHN__CONN_IDLE ||
            (c->state == SHN__CONN_NEW && now - c->since >= new_grace))
            shut(c);
    }
    open = cs->open;
    pthread_mutex_unlock(&cs->lock);
    return open;
}
