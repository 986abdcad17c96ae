/* The run result as the JSON object of issue 5. */
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "trace_internal.h"

#define EXIT_KINDS                                                                                 \
    ((1u << SHN_TRACE_KIND_EXCHANGE) | (1u << SHN_TRACE_KIND_BRIDGE) |                             \
     (1u << SHN_TRACE_KIND_MIXER) | (1u << SHN_TRACE_KIND_DEX) | (1u << SHN_TRACE_KIND_DEFI))

int shn__trace_json_amount(struct shn_buf *b, shn_u128 v)
{
    char text[48];
    shn_trace_u128_format(v, text, sizeof text);
    return shn_buf_appendf(b, "\"%s\"", text);
}

struct exit_row {
    uint32_t address, asset;
    shn_u128 tainted;
};

static int cmp_exit(const void *pa, const void *pb)
{
    const struct exit_row *a = pa, *b = pb;
    if (a->tainted != b->tainted)
        return a->tainted > b->tainted ? -1 : 1;
    if (a->address != b->address)
        return a->address < b->address ? -1 : 1;
    return a->asset < b->asset ? -1 : a->asset > b->asset;
}

bool shn__trace_is_exit(const struct shn_trace_graph *g, uint32_t address,
                        const struct shn_trace_entry *e)
{
    int kind = shn_trace_graph_label(g, address, NULL);
    return kind && ((EXIT_KINDS & (1u << kind)) || (e && e->stopped && kind));
}

int shn_trace_result_json(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                          const struct shn_trace_result *res, struct shn_buf *out)
{
    char abuf[SHN_TRACE_ADDRESS_BUF];
    struct exit_row *exits = NULL, *held = NULL;
    size_t n_exits = 0, n_held = 0;
    char when[32];
    int rc = SHN_OK;

    exits = shn_calloc(res->n_entries + 1, sizeof *exits);
    held = shn_calloc(res->n_entries + 1, sizeof *held);
    if (!exits || !held) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    rc = shn_buf_appendf(out, "{\"method\": \"%s\", \"sources\": [",
                         shn_trace_method_name(res->method));
    for (size_t i = 0; rc == SHN_OK && i < opts->n_sources; i++) {
        if (i)
            rc = shn_buf_append_str(out, ", ");
        if (rc == SHN_OK)
            rc =
                shn_buf_append_json_string(out, shn_trace_graph_address(g, opts->sources[i], abuf));
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, "], \"addresses\": [");
    for (size_t i = 0, k = 0; rc == SHN_OK && i < res->n_entries; i++) {
        const struct shn_trace_entry *e = &res->entries[i];
        double frac;
        if (e->source)
            continue;
        frac = e->received ? (double)e->tainted / (double)e->received : 0.0;
        if (frac > 1.0)
            frac = 1.0;
        shn_trace_time_format(e->first_tainted, when, sizeof when);
        rc = shn_buf_append_str(out, k++ ? ",\n  {\"address\": " : "\n  {\"address\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, shn_trace_graph_address(g, e->address, abuf));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, ", \"asset\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, shn_trace_graph_asset(g, e->asset));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, ", \"received\": ");
        if (rc == SHN_OK)
            rc = shn__trace_json_amount(out, e->received);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, ", \"tainted\": ");
        if (rc == SHN_OK)
            rc = shn__trace_json_amount(out, e->tainted);
        if (rc == SHN_OK)
            rc = shn_buf_appendf(out,
                                 ", \"fraction\": %.6f, \"hops\": %u, \"first_tainted\": \"%s\"}",
                                 frac, e->hops, when);
        if (shn__trace_is_exit(g, e->address, e)) {
            exits[n_exits].address = e->address;
            exits[n_exits].asset = e->asset;
            exits[n_exits++].tainted = e->tainted;
        } else if (e->held) {
            held[n_held].address = e->address;
            held[n_held].asset = e->asset;
            held[n_held++].tainted = e->held;
        }
    }
    qsort(exits, n_exits, sizeof *exits, cmp_exit);
    qsort(held, n_held, sizeof *held, cmp_exit);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, "],\n \"exits\": [");
    for (size_t i = 0; rc == SHN_OK && i < n_exits; i++) {
        const char *name;
        int kind = shn_trace_graph_label(g, exits[i].address, &name);
        rc = shn_buf_append_str(out, i ? ",\n  {\"label\": " : "\n  {\"label\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(
                out, name[0] ? name : shn_trace_graph_address(g, exits[i].address, abuf));
        if (rc == SHN_OK)
            rc = shn_buf_appendf(out,
                                 ", \"kind\": \"%s\", \"address\": ", shn_trace_kind_name(kind));
        if (rc == SHN_OK)
            rc =
                shn_buf_append_json_string(out, shn_trace_graph_address(g, exits[i].address, abuf));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, ", \"asset\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, shn_trace_graph_asset(g, exits[i].asset));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, ", \"tainted\": ");
        if (rc == SHN_OK)
            rc = shn__trace_json_amount(out, exits[i].tainted);
        if (rc == SHN_OK)
            rc = shn_buf_append_char(out, '}');
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, "],\n \"held\": [");
    for (size_t i = 0; rc == SHN_OK && i < n_held; i++) {
        rc = shn_buf_append_str(out, i ? ",\n  {\"address\": " : "\n  {\"address\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, shn_trace_graph_address(g, held[i].address, abuf));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, ", \"asset\": ");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, shn_trace_graph_asset(g, held[i].asset));
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, ", \"tainted\": ");
        if (rc == SHN_OK)
            rc = shn__trace_json_amount(out, held[i].tainted);
        if (rc == SHN_OK)
            rc = shn_buf_append_char(out, '}');
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, "]}\n");
out:
    shn_free(exits);
    shn_free(held);
    return rc;
}

int shn_trace_result_text(const struct shn_trace_graph *g, const struct shn_trace_opts *opts,
                          const struct shn_trace_result *res, struct shn_buf *out)
{
    char abuf[SHN_TRACE_ADDRESS_BUF], amount[48], when[32];
    int rc = shn_buf_appendf(out,
                             "%s from %zu source(s): %zu tainted address-assets, %llu tainted "
                             "transfers of %llu scanned\n",
                             shn_trace_method_name(res->method), opts->n_sources, res->n_entries,
                             (unsigned long long)res->tainted_transfers,
                             (unsigned long long)res->transfers_scanned);

    for (size_t i = 0; rc == SHN_OK && i < res->n_entries; i++) {
        const struct shn_trace_entry *e = &res->entries[i];
        int kind = shn_trace_graph_label(g, e->address, NULL);
        if (e->source)
            continue;
        shn_trace_u128_format(e->tainted, amount, sizeof amount);
        shn_trace_time_format(e->first_tainted, when, sizeof when);
        rc = shn_buf_appendf(out, "  %-44s %-8s %28s hops %-3u %s%s%s%s\n",
                             shn_trace_graph_address(g, e->address, abuf),
                             shn_trace_graph_asset(g, e->asset), amount, e->hops, when,
                             kind ? "  [" : "", kind ? shn_trace_kind_name(kind) : "",
                             kind ? "]" : "");
    }
    return rc;
}
