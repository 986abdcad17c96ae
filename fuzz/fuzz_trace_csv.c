/* Trace import from memory: the record reader against shn_csv_next, then a
 * transfer CSV (any of the three kinds), then
 * the labels reader over the same bytes; the graph is written to memory,
 * opened (all bounds checked) and a run made from the first address, with
 * its JSON, patterns, HTML report and exposure paths of the last address. */
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "build_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/csv.h"
#include "shinsa/core/log.h"
#include "shinsa/trace.h"

/* The import's copy-free record reader must agree with shn_csv_next on
 * every record of any input: fields, line numbers, position and errors. */
static void same_records(const char *data, size_t size)
{
    struct shn_csv a, b;

    shn_csv_init(&a, data, size, "a.csv");
    shn_csv_init(&b, data, size, "b.csv");
    for (;;) {
        size_t na = 0, nb = 0;
        int ra = shn__trace_next_record(&a, &na, NULL), rb = shn_csv_next(&b, &nb, NULL);
        if (ra != rb || (ra == SHN_OK && (na != nb || a.record_line != b.record_line ||
                                          a.line != b.line || a.p != b.p)))
            __builtin_trap();
        if (ra != SHN_OK)
            break;
        for (size_t i = 0; i < na; i++)
            if (a.lengths[i] != b.lengths[i] || memcmp(a.fields[i], b.fields[i], a.lengths[i]))
                __builtin_trap();
    }
    shn_csv_cleanup(&a);
    shn_csv_cleanup(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_trace_builder *b = NULL;
    struct shn_trace_graph *g = NULL;
    struct shn_trace_result r = {0};
    struct shn_diag diag;
    unsigned char *bytes = NULL;
    size_t len = 0;
    uint32_t src = 0;

    shn_log_set_level(SHN_LOG_ERROR);
    same_records((const char *)data, size);
    if (shn_trace_builder_new(&b) != SHN_OK)
        return 0;
    shn_trace_builder_add_csv(b, (const char *)data, size, "fuzz.csv", false, &diag);
    shn_trace_builder_add_labels_csv(b, (const char *)data, size, "fuzz.csv", false, &diag);
    if (shn_trace_builder_to_memory(b, &bytes, &len, &diag) == SHN_OK &&
        shn_trace_graph_open_mem(bytes, len, &g, &diag) == SHN_OK &&
        shn_trace_graph_addresses(g) > 0) {
        struct shn_trace_opts o = {.method = (int)(size % 3),
                                   .sources = &src,
                                   .n_sources = 1,
                                   .stop_kinds = SHN_TRACE_DEFAULT_STOPS,
                                   .record_flows = true};
        if (shn_trace_run(g, &o, &r, &diag) == SHN_OK) {
            struct shn_trace_pattern *pats = NULL;
            struct shn_trace_path *paths = NULL;
            struct shn_buf out;
            size_t n_pats = 0, n_paths = 0;
            uint32_t last = shn_trace_graph_addresses(g) - 1;

            if (o.method != SHN_TRACE_POISON && shn_trace_check(g, &r, &diag) != SHN_OK)
                __builtin_trap(); /* conservation must hold for any input */
            shn_buf_init(&out, 1 << 24);
            shn_trace_result_json(g, &o, &r, &out);
            if (shn_trace_patterns(g, &r, &pats, &n_pats) == SHN_OK)
                shn_trace_report_html(g, &o, &r, pats, n_pats, &out);
            if (shn_trace_exposure_paths(g, &o, &r, last, 3, &paths, &n_paths) == SHN_OK)
                shn_free(paths);
            shn_free(pats);
            shn_buf_cleanup(&out);
        }
        shn_trace_result_cleanup(&r);
    }
    shn_trace_graph_close(g);
    shn_free(bytes);
    shn_trace_builder_free(b);
    return 0;
}
