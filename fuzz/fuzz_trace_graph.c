/* libFuzzer: the trace graph reader. A graph file from arbitrary bytes
 * (resealed, so that mutations reach the checks behind the checksums) must
 * be refused cleanly or, once open, be read and traced without straying.
 * Seeds: written at build time by fuzz/seeds/make_seeds.c from the trace
 * CSV seeds (build-fuzz/fuzz/seeds/fuzz_trace_graph). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/log.h"
#include "shinsa/core/section.h"
#include "shinsa/trace.h"

static void read_all(const struct shn_trace_graph *g)
{
    char buf[SHN_TRACE_ADDRESS_BUF];
    uint32_t n = shn_trace_graph_addresses(g), id;
    uint64_t m = shn_trace_graph_transfers(g), k;

    for (uint32_t a = 0; a < n; a++) {
        const char *name;
        const char *text = shn_trace_graph_address(g, a, buf);
        if (shn_trace_graph_find(g, text, &id) == SHN_OK && id >= n)
            __builtin_trap();
        (void)shn_trace_graph_label(g, a, &name);
        (void)shn_trace_graph_out(g, a, &k);
        (void)shn_trace_graph_in(g, a, &k);
    }
    for (uint32_t s = 0; s < shn_trace_graph_assets(g); s++)
        (void)shn_trace_graph_asset(g, s);
    for (uint64_t i = 0; i < m; i++) {
        struct shn_trace_transfer t;
        shn_trace_graph_transfer(g, i, &t);
        if (t.from >= n || t.to >= n || t.asset >= shn_trace_graph_assets(g))
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn_trace_graph *g = NULL;
    struct shn_trace_result r = {0};
    struct shn_diag diag;
    unsigned char *copy;
    uint32_t src = 0;

    if (size > (1u << 22))
        return 0;
    shn_log_set_level(SHN_LOG_ERROR);
    copy = shn_malloc(size); /* 8-byte aligned, as the reader wants */
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    shn_section_reseal(copy, size);
    if (shn_trace_graph_open_mem(copy, size, &g, &diag) == SHN_OK) {
        read_all(g);
        if (shn_trace_graph_addresses(g) > 0) {
            struct shn_trace_opts o = {.method = (int)(size % 3),
                                       .sources = &src,
                                       .n_sources = 1,
                                       .stop_kinds = SHN_TRACE_DEFAULT_STOPS};
            if (shn_trace_run(g, &o, &r, &diag) == SHN_OK && o.method != SHN_TRACE_POISON &&
                shn_trace_check(g, &r, &diag) != SHN_OK)
                __builtin_trap(); /* conservation must hold for any graph that opens */
            shn_trace_result_cleanup(&r);
        }
        shn_trace_graph_close(g);
    }
    shn_free(copy);
    return 0;
}
