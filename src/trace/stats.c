/* What an import read and kept, for people and for scripts. */
#include "trace_internal.h"

int shn_trace_import_stats_format(const struct shn_trace_import_stats *st, const char *graph,
                                  int json, struct shn_buf *out)
{
    if (json)
        return shn_buf_appendf(out,
                               "{\"rows\": %llu, \"transfers\": %llu, \"failed\": %llu, "
                               "\"skipped\": %llu, \"bad\": %llu, \"labels\": %llu, "
                               "\"bad_labels\": %llu}\n",
                               (unsigned long long)st->rows, (unsigned long long)st->transfers,
                               (unsigned long long)st->failed, (unsigned long long)st->skipped,
                               (unsigned long long)st->bad, (unsigned long long)st->labels,
                               (unsigned long long)st->bad_labels);
    return shn_buf_appendf(out,
                           "%s: %llu transfers from %llu rows (%llu failed, %llu skipped, %llu "
                           "bad), %llu labels\n",
                           graph, (unsigned long long)st->transfers, (unsigned long long)st->rows,
                           (unsigned long long)st->failed, (unsigned long long)st->skipped,
                           (unsigned long long)st->bad, (unsigned long long)st->labels);
}
