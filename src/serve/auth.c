/* Admission: who may call a route, and how often.
 *
 * AUTH HOOK (issue 13 §4, keys and roles). Today no key is checked: every
 * request is admitted whatever its route's role, and the request log's
 * key_id is empty. The keys work fills shn__serve_admit: read
 * `Authorization: Bearer <key>` (or yente's ?api_key=), look its hash up in
 * the keys file (server.keys), answer 401 (no or unknown key) or 403 (the
 * key's role does not cover req->route->role) with a JSON error, record the
 * key id for the log and the audit trail, then apply its per-key rate. Only
 * SHN__ROLE_OPEN routes (/healthz, /readyz) stay open.
 *
 * The rate limit below is one token bucket for the whole server
 * (limits.rate requests a second, bursts up to one second's worth); probes
 * are never limited, so a busy server still answers its health checks. */
#include <math.h>

#include "serve_internal.h"

static bool take_token(struct shn_server *srv, unsigned rate, unsigned *retry_after)
{
    double now = shn__serve_now();
    bool ok;

    pthread_mutex_lock(&srv->bucket.lock);
    if (srv->bucket.last == 0)
        srv->bucket.tokens = rate;
    else
        srv->bucket.tokens += (now - srv->bucket.last) * rate;
    if (srv->bucket.tokens > rate)
        srv->bucket.tokens = rate;
    srv->bucket.last = now;
    ok = srv->bucket.tokens >= 1.0;
    if (ok)
        srv->bucket.tokens -= 1.0;
    else
        *retry_after = (unsigned)ceil((1.0 - srv->bucket.tokens) / rate);
    pthread_mutex_unlock(&srv->bucket.lock);
    return ok;
}

bool shn__serve_admit(struct shn__serve_request *req)
{
    unsigned rate, retry = 1;

    if (!req || !req->route)
        return false;
    if (req->route->role == SHN__ROLE_OPEN)
        return true;
    /* AUTH HOOK: the key and role check goes here (see above). */
    rate = atomic_load_explicit(&req->srv->rate, memory_order_relaxed);
    if (rate && !take_token(req->srv, rate, &retry)) {
        req->retry_after = retry ? retry : 1;
        shn__serve_error(req, 429, "rate_limited", "",
                         "more than %u requests a second; retry after %u s", rate,
                         req->retry_after);
        return false;
    }
    return true;
}
