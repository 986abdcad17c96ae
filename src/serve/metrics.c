/* Counters kept with relaxed atomics (a request adds to a few of them and
 * never waits), written out as Prometheus text for GET /metrics. Labels are
 * bounded: the route's pattern (not the path), a fixed list of statuses. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"

/* Statuses counted on their own; anything else counts as "other". */
static const int statuses[] = {200, 308, 400, 401, 403, 404, 405, 408,
                               413, 414, 415, 429, 431, 500, 503};
#define N_STATUS (sizeof statuses / sizeof statuses[0] + 1)

static const double bounds[SHN__SERVE_N_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,    0.25,  0.5,    1,     2.5,  5,     10};

int shn__serve_metrics_init(struct shn__serve_metrics *m, size_t n_routes)
{
    size_t rows;

    if (!m || !shn_size_add(n_routes, 1, &rows))
        return SHN_ERR_INVALID;
    memset(m, 0, sizeof *m);
    m->n_rows = rows;
    m->requests = shn_calloc(rows * N_STATUS, sizeof *m->requests);
    m->buckets = shn_calloc(rows * SHN__SERVE_N_BUCKETS, sizeof *m->buckets);
    m->duration_us = shn_calloc(rows, sizeof *m->duration_us);
    m->started_at = (int64_t)time(NULL);
    if (!m->requests || !m->buckets || !m->duration_us) {
        shn__serve_metrics_cleanup(m);
        return SHN_ERR_NOMEM;
    }
    return SHN_OK;
}

void shn__serve_metrics_cleanup(struct shn__serve_metrics *m)
{
    if (!m)
        return;
    shn_free(m->requests);
    shn_free(m->buckets);
    shn_free(m->duration_us);
    m->requests = m->buckets = m->duration_us = NULL;
}

static size_t status_slot(int status)
{
    for (size_t i = 0; i < N_STATUS - 1; i++)
        if (statuses[i] == status)
            return i;
    return N_STATUS - 1;
}

void shn__serve_metrics_count(struct shn__serve_metrics *m, int route, int status, double seconds)
{
    size_t row, b = 0;

    if (!m || !m->requests)
        return;
    row = route >= 0 && (size_t)route < m->n_rows - 1 ? (size_t)route : m->n_rows - 1;
    atomic_fetch_add_explicit(&m->requests[row * N_STATUS + status_slot(status)], 1,
                              memory_order_relaxed);
    while (b < SHN__SERVE_N_BUCKETS && seconds > bounds[b])
        b++;
    if (b < SHN__SERVE_N_BUCKETS) /* past the last bound: only +Inf (the count) */
        atomic_fetch_add_explicit(&m->buckets[row * SHN__SERVE_N_BUCKETS + b], 1,
                                  memory_order_relaxed);
    atomic_fetch_add_explicit(&m->duration_us[row],
                              seconds > 0 ? (unsigned long long)(seconds * 1e6) : 0,
                              memory_order_relaxed);
}

static unsigned long long load(atomic_ullong *a)
{
    return atomic_load_explicit(a, memory_order_relaxed);
}

static const char *row_name(const struct shn__serve_metrics *m, size_t row)
{
    return row < m->n_rows - 1 ? shn__serve_routes[row].pattern : "unmatched";
}

static int requests_text(struct shn__serve_metrics *m, struct shn_buf *out)
{
    int rc = shn_buf_append_str(
        out, "# HELP shinsa_http_requests_total Requests answered, by endpoint and status.\n"
             "# TYPE shinsa_http_requests_total counter\n");

    for (size_t r = 0; rc == SHN_OK && r < m->n_rows; r++) {
        for (size_t s = 0; rc == SHN_OK && s < N_STATUS; s++) {
            unsigned long long n = load(&m->requests[r * N_STATUS + s]);
            char status[8] = "other";
            if (!n)
                continue;
            if (s < N_STATUS - 1)
                snprintf(status, sizeof status, "%d", statuses[s]);
            rc = shn_buf_appendf(out,
                                 "shinsa_http_requests_total{endpoint=\"%s\",status=\"%s\"} %llu\n",
                                 row_name(m, r), status, n);
        }
    }
    return rc;
}

static int latency_text(struct shn__serve_metrics *m, struct shn_buf *out)
{
    int rc = shn_buf_append_str(out, "# HELP shinsa_http_request_duration_seconds Time from the "
                                     "request line to the end of the answer.\n"
                                     "# TYPE shinsa_http_request_duration_seconds histogram\n");

    for (size_t r = 0; rc == SHN_OK && r < m->n_rows; r++) {
        unsigned long long cum = 0, count = 0;
        const char *name = row_name(m, r);
        for (size_t s = 0; s < N_STATUS; s++)
            count += load(&m->requests[r * N_STATUS + s]);
        for (size_t b = 0; rc == SHN_OK && b < SHN__SERVE_N_BUCKETS; b++) {
            cum += load(&m->buckets[r * SHN__SERVE_N_BUCKETS + b]);
            rc = shn_buf_appendf(out,
                                 "shinsa_http_request_duration_seconds_bucket{endpoint=\"%s\","
                                 "le=\"%g\"} %llu\n",
                                 name, bounds[b], cum);
        }
        if (rc == SHN_OK)
            rc = shn_buf_appendf(out,
                                 "shinsa_http_request_duration_seconds_bucket{endpoint=\"%s\","
                                 "le=\"+Inf\"} %llu\n"
                                 "shinsa_http_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n"
                                 "shinsa_http_request_duration_seconds_count{endpoint=\"%s\"} "
                                 "%llu\n",
                                 name, count < cum ? cum : count, name,
                                 (double)load(&m->duration_us[r]) / 1e6, name,
                                 count < cum ? cum : count);
    }
    return rc;
}

static int engines_text(struct shn_server *srv, struct shn_buf *out)
{
    int64_t now = (int64_t)time(NULL);
    int rc = shn_buf_append_str(
        out, "# HELP shinsa_engine_loaded Whether an engine's file is open (1) or not (0).\n"
             "# TYPE shinsa_engine_loaded gauge\n"
             "# HELP shinsa_index_info The version of the file that answers, as a label.\n"
             "# TYPE shinsa_index_info gauge\n"
             "# HELP shinsa_index_age_seconds Seconds since the open file was built.\n"
             "# TYPE shinsa_index_age_seconds gauge\n"
             "# HELP shinsa_index_loaded_timestamp_seconds When the open file was opened.\n"
             "# TYPE shinsa_index_loaded_timestamp_seconds gauge\n"
             "# HELP shinsa_index_swaps_total Files swapped in while running.\n"
             "# TYPE shinsa_index_swaps_total counter\n"
             "# HELP shinsa_index_swap_failures_total New files that did not open.\n"
             "# TYPE shinsa_index_swap_failures_total counter\n");

    for (int e = 0; rc == SHN_OK && e < SHN__ENGINE_COUNT; e++) {
        struct shn__serve_slot *slot = &srv->slots[e];
        struct shn__serve_res *res;
        const char *name = shn__serve_engine_name(e);
        if (!atomic_load(&srv->slots[e].configured))
            continue;
        res = shn__serve_slot_acquire(slot);
        rc = shn_buf_appendf(out, "shinsa_engine_loaded{engine=\"%s\"} %d\n", name, res != NULL);
        if (rc == SHN_OK && res)
            rc = shn_buf_appendf(out,
                                 "shinsa_index_info{engine=\"%s\",version=\"%s\"} 1\n"
                                 "shinsa_index_age_seconds{engine=\"%s\"} %lld\n"
                                 "shinsa_index_loaded_timestamp_seconds{engine=\"%s\"} %lld\n",
                                 name, res->version, name,
                                 (long long)(res->built_at ? now - res->built_at : 0), name,
                                 (long long)res->loaded_at);
        if (rc == SHN_OK)
            rc = shn_buf_appendf(out,
                                 "shinsa_index_swaps_total{engine=\"%s\"} %llu\n"
                                 "shinsa_index_swap_failures_total{engine=\"%s\"} %llu\n",
                                 name, load(&slot->swaps) ? load(&slot->swaps) - 1 : 0, name,
                                 load(&slot->failures));
        shn__serve_res_release(res);
    }
    return rc;
}

static long long rss_bytes(void)
{
    long long pages = 0, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (!f)
        return 0;
    if (fscanf(f, "%lld %lld", &pages, &resident) != 2)
        resident = 0;
    fclose(f);
    return resident * (long long)sysconf(_SC_PAGESIZE);
}

int shn__serve_metrics_text(struct shn_server *srv, struct shn_buf *out)
{
    struct shn__serve_metrics *m;
    size_t open;
    int rc;

    if (!srv || !out)
        return SHN_ERR_INVALID;
    m = &srv->metrics;
    rc = requests_text(m, out);
    if (rc == SHN_OK)
        rc = latency_text(m, out);
    if (rc == SHN_OK) {
        pthread_mutex_lock(&srv->conns.lock);
        open = srv->conns.open;
        pthread_mutex_unlock(&srv->conns.lock);
        rc = shn_buf_appendf(
            out,
            "# HELP shinsa_http_requests_in_flight Requests begun and not yet answered.\n"
            "# TYPE shinsa_http_requests_in_flight gauge\n"
            "shinsa_http_requests_in_flight %lld\n"
            "# HELP shinsa_http_requests_aborted_total Requests that ended without an answer "
            "sent in full.\n"
            "# TYPE shinsa_http_requests_aborted_total counter\n"
            "shinsa_http_requests_aborted_total %llu\n"
            "# HELP shinsa_http_connections_open Connections open now.\n"
            "# TYPE shinsa_http_connections_open gauge\n"
            "shinsa_http_connections_open %zu\n"
            "# HELP shinsa_http_connections_total Connections accepted.\n"
            "# TYPE shinsa_http_connections_total counter\n"
            "shinsa_http_connections_total %llu\n"
            "# HELP shinsa_http_connections_dropped_total Connections closed for taking too "
            "long to send a request.\n"
            "# TYPE shinsa_http_connections_dropped_total counter\n"
            "shinsa_http_connections_dropped_total{reason=\"request_timeout\"} %llu\n",
            (long long)atomic_load_explicit(&m->in_flight, memory_order_relaxed), load(&m->aborted),
            open, load(&m->connections_total), load(&m->dropped_request_timeout));
    }
    if (rc == SHN_OK)
        rc = engines_text(srv, out);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out,
                             "# HELP process_resident_memory_bytes Resident memory.\n"
                             "# TYPE process_resident_memory_bytes gauge\n"
                             "process_resident_memory_bytes %lld\n"
                             "# HELP process_start_time_seconds When the server started.\n"
                             "# TYPE process_start_time_seconds gauge\n"
                             "process_start_time_seconds %lld\n",
                             rss_bytes(), (long long)m->started_at);
    return rc;
}
