/* Exposure of one address: the heaviest paths that brought it taint,
 * followed back through the recorded tainted transfers. */
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "trace_internal.h"

struct by_to {
    uint32_t to;
    uint64_t transfer;
    shn_u128 tainted;
};

static int cmp_to(const void *pa, const void *pb)
{
    const struct by_to *a = pa, *b = pb;
    if (a->to != b->to)
        return a->to < b->to ? -1 : 1;
    return a->transfer < b->transfer ? -1 : a->transfer > b->transfer;
}

/* Flows into `to` strictly before transfer `before`: [*lo, *hi). */
static void range(const struct by_to *v, size_t n, uint32_t to, uint64_t before, size_t *lo,
                  size_t *hi)
{
    size_t a = 0, b = n;
    while (a < b) {
        size_t m = a + (b - a) / 2;
        if (v[m].to < to)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    b = a;
    while (b < n && v[b].to == to && v[b].transfer < before)
        b++;
    *hi = b;
}

static bool is_source(const struct shn_trace_opts *o, uint32_t a)
{
    for (size_t i = 0; i < o->n_sources; i++)
        if (o->sources[i] == a)
            return true;
    return false;
}

int shn_trace_exposure_paths(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                             const struct shn_trace_result *res, uint32_t address, size_t max_paths,
                             struct shn_trace_path **out, size_t *n_out)
{
    struct by_to *v = NULL;
    struct shn_trace_path *paths = NULL;
    size_t lo, hi, n_paths = 0;
    int rc = SHN_ERR_NOMEM;

    if (!max_paths || max_paths > 64)
        return SHN_ERR_INVALID;
    v = shn_calloc(res->n_flows + 1, sizeof *v);
    paths = shn_calloc(max_paths, sizeof *paths);
    if (!v || !paths)
        goto out;
    for (size_t i = 0; i < res->n_flows; i++) {
        v[i].to = g->rec[res->flows[i].transfer].to;
        v[i].transfer = res->flows[i].transfer;
        v[i].tainted = res->flows[i].tainted;
    }
    qsort(v, res->n_flows, sizeof *v, cmp_to);
    range(v, res->n_flows, address, UINT64_MAX, &lo, &hi);
    /* the heaviest flows into the address start the paths: keep the
     * max_paths heaviest, sorted, by insertion */
    for (size_t i = lo; i < hi; i++) {
        size_t j;
        if (n_paths == max_paths && paths[n_paths - 1].tainted >= v[i].tainted)
            continue;
        j = n_paths < max_paths ? n_paths++ : max_paths - 1;
        while (j > 0 && paths[j - 1].tainted < v[i].tainted) {
            paths[j] = paths[j - 1];
            j--;
        }
        memset(&paths[j], 0, sizeof paths[j]);
        paths[j].tainted = v[i].tainted;
        paths[j].steps[0] = v[i].transfer;
        paths[j].step_tainted[0] = v[i].tainted;
        paths[j].n_steps = 1;
    }
    for (size_t k = 0; k < n_paths; k++) {
        struct shn_trace_path *p = &paths[k];
        uint64_t at = p->steps[0];
        uint32_t from = g->rec[at].from;
        while (!is_source(opts, from) && p->n_steps < SHN_TRACE_MAX_PATH) {
            size_t a, b, best = SIZE_MAX;
            range(v, res->n_flows, from, at, &a, &b);
            for (size_t i = a; i < b; i++) /* same asset: taint never crosses assets */
                if (shn__trace_asset(g, &g->rec[v[i].transfer]) ==
                        shn__trace_asset(g, &g->rec[at]) &&
                    (best == SIZE_MAX || v[i].tainted > v[best].tainted))
                    best = i;
            if (best == SIZE_MAX)
                break;
            at = v[best].transfer;
            memmove(p->steps + 1, p->steps, p->n_steps * sizeof *p->steps);
            memmove(p->step_tainted + 1, p->step_tainted, p->n_steps * sizeof *p->step_tainted);
            p->steps[0] = at;
            p->step_tainted[0] = v[best].tainted;
            p->n_steps++;
            from = g->rec[at].from;
        }
        p->from_source = is_source(opts, from);
    }
    *out = paths;
    *n_out = n_paths;
    paths = NULL;
    rc = SHN_OK;
out:
    shn_free(v);
    shn_free(paths);
    return rc;
}

static int step_json(const struct shn_trace_graph *g, const struct shn_trace_path *p, size_t s,
                     struct shn_buf *b)
{
    char abuf[SHN_TRACE_ADDRESS_BUF], when[32];
    struct shn_trace_transfer t;
    int rc;

    shn_trace_graph_transfer(g, p->steps[s], &t);
    shn_trace_time_format(t.time, when, sizeof when);
    rc = shn_buf_append_str(b, s ? ", {\"from\": " : "{\"from\": ");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, shn_trace_graph_address(g, t.from, abuf));
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, ", \"to\": ");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, shn_trace_graph_address(g, t.to, abuf));
    if (rc == SHN_OK)
        rc = shn_buf_appendf(b, ", \"time\": \"%s\", \"asset\": ", when);
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, shn_trace_graph_asset(g, t.asset));
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, ", \"amount\": ");
    if (rc == SHN_OK)
        rc = shn__trace_json_amount(b, t.amount);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, ", \"tainted\": ");
    if (rc == SHN_OK)
        rc = shn__trace_json_amount(b, p->step_tainted[s]);
    if (rc == SHN_OK)
        rc = shn_buf_append_char(b, '}');
    return rc;
}

static int assets_json(const struct shn_trace_graph *g, const struct shn_trace_result *res,
                       uint32_t target, struct shn_buf *b)
{
    size_t k = 0;
    int rc = SHN_OK;

    for (size_t i = 0; rc == SHN_OK && i < res->n_entries; i++) {
        const struct shn_trace_entry *e = &res->entries[i];
        if (e->address != target)
            continue;
        rc = shn_buf_append_str(b, k++ ? ", {\"asset\": " : "{\"asset\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(b, shn_trace_graph_asset(g, e->asset));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, ", \"received\": ");
        if (rc == SHN_OK)
            rc = shn__trace_json_amount(b, e->received);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, ", \"tainted\": ");
        if (rc == SHN_OK)
            rc = shn__trace_json_amount(b, e->tainted);
        if (rc == SHN_OK)
            rc = shn_buf_appendf(b, ", \"fraction\": %.6f, \"hops\": %u}",
                                 e->received ? (double)e->tainted / (double)e->received : 0.0,
                                 e->hops);
    }
    return rc;
}

int shn_trace_exposure_json(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                            const struct shn_trace_result *res, uint32_t address,
                            const struct shn_trace_path *paths, size_t n_paths, struct shn_buf *b)
{
    char abuf[SHN_TRACE_ADDRESS_BUF];
    int rc = shn_buf_append_str(b, "{\"address\": ");

    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, shn_trace_graph_address(g, address, abuf));
    if (rc == SHN_OK)
        rc = shn_buf_appendf(b, ", \"method\": \"%s\", \"sources\": [",
                             shn_trace_method_name(opts->method));
    for (size_t i = 0; rc == SHN_OK && i < opts->n_sources; i++) {
        if (i)
            rc = shn_buf_append_str(b, ", ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(b, shn_trace_graph_address(g, opts->sources[i], abuf));
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "], \"assets\": [");
    if (rc == SHN_OK)
        rc = assets_json(g, res, address, b);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "], \"paths\": [");
    for (size_t i = 0; rc == SHN_OK && i < n_paths; i++) {
        const struct shn_trace_path *p = &paths[i];
        rc = shn_buf_append_str(b, i ? ",\n  {\"tainted\": " : "\n  {\"tainted\": ");
        if (rc == SHN_OK)
            rc = shn__trace_json_amount(b, p->tainted);
        if (rc == SHN_OK)
            rc = shn_buf_appendf(b, ", \"hops\": %zu, \"from_source\": %s, \"steps\": [",
                                 p->n_steps, p->from_source ? "true" : "false");
        for (size_t s = 0; rc == SHN_OK && s < p->n_steps; s++)
            rc = step_json(g, p, s, b);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, "]}");
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "]}\n");
    return rc;
}
