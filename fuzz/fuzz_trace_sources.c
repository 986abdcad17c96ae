/* libFuzzer: a sources file (shn_trace_sources_parse, trace run
 * --sources-file) against a small fixed graph; every address it resolves
 * is then a source of a run whose JSON, text and exposure are written. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/log.h"
#include "shinsa/trace.h"

static const char transfers[] = "time,tx,from,to,asset,amount\n"
                                "50,t0,P,A,USDT,1000\n"
                                "200,t2,S,A,ETH,300\n"
                                "300,t4,A,B,ETH,200\n"
                                "400,t5,B,0x00000000000000000000000000000000000000aa,ETH,150\n"
                                "500,t6,0x00000000000000000000000000000000000000AA,X,ETH,60\n";

static const struct shn_trace_graph *graph_once(void)
{
    static struct shn_trace_graph *g;
    static unsigned char *bytes;
    static int tried;
    struct shn_trace_builder *b = NULL;
    struct shn_diag diag;
    size_t len = 0;

    if (tried)
        return g;
    tried = 1;
    shn_log_set_level(SHN_LOG_ERROR);
    if (shn_trace_builder_new(&b) == SHN_OK &&
        shn_trace_builder_add_csv(b, transfers, sizeof transfers - 1, "t.csv", true, &diag) ==
            SHN_OK &&
        shn_trace_builder_to_memory(b, &bytes, &len, &diag) == SHN_OK)
        shn_trace_graph_open_mem(bytes, len, &g, &diag);
    shn_trace_builder_free(b);
    return g;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct shn_trace_graph *g = graph_once();
    static uint32_t ids[SHN_TRACE_MAX_SOURCES];
    struct shn_trace_opts o = {.method = SHN_TRACE_HAIRCUT, .record_flows = true};
    struct shn_trace_result res = {0};
    struct shn_trace_path *paths = NULL;
    struct shn_diag diag = {0};
    struct shn_buf out;
    size_t n = 0, n_paths = 0;
    int rc;

    if (!g)
        __builtin_trap();
    rc = shn_trace_sources_parse(g, (const char *)data, size, "fuzz.txt", ids, &n, &diag);
    if (rc != SHN_OK && (n != 0 || !diag.message[0]))
        __builtin_trap(); /* on error: count untouched, a diagnostic */
    if (rc != SHN_OK || !n)
        return 0;
    o.sources = ids;
    o.n_sources = n;
    shn_buf_init(&out, 1 << 20);
    if (shn_trace_run(g, &o, &res, &diag) == SHN_OK) {
        shn_trace_result_json(g, &o, &res, &out);
        shn_trace_result_text(g, &o, &res, &out);
        if (shn_trace_exposure_paths(g, &o, &res, shn_trace_graph_addresses(g) - 1, 5, &paths,
                                     &n_paths) == SHN_OK)
            shn_trace_exposure_json(g, &o, &res, shn_trace_graph_addresses(g) - 1, paths, n_paths,
                                    &out);
    }
    shn_free(paths);
    shn_trace_result_cleanup(&res);
    shn_buf_cleanup(&out);
    return 0;
}
