/* libFuzzer: every signal of the accounts engine on a world built from
 * fuzzed events (JSON Lines). Lines the event parser rejects end the
 * input, as in the tests; a valid prefix of odd events (empty texts,
 * unknown currencies, strange IPs and user agents, huge amounts, many
 * documents) is scored by every signal without engines, and each result
 * must stay in range with JSON evidence. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "signals.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct shn__world *w = NULL;
    struct shn__score_ctx c = {0};
    const char *p = (const char *)data;
    size_t keep = size;
    /* The valid prefix: up to the first line the parser rejects. */
    for (size_t pos = 0, line = 1; pos < size; line++) {
        const char *nl = memchr(p + pos, '\n', size - pos);
        size_t end = nl ? (size_t)(nl - p) : size;
        struct shn_events_event ev;
        if (end > pos &&
            shn_events_parse(p + pos, end - pos, "fuzz", (long)line, &ev, NULL) != SHN_OK) {
            keep = pos;
            break;
        }
        pos = end + 1;
    }
    if (shn__world_from_jsonl(p, keep, &w, NULL) != SHN_OK)
        return 0;
    c.w = w;
    for (size_t s = 0; s < shn__n_signals; s++) {
        for (size_t a = 0; a < w->n_accounts && a < 8; a++) {
            struct shn_accounts_signal sig;
            json_t *ev;
            if (shn__signal_run(shn__signals[s], &c, w->accounts[a].id, &sig, NULL) != SHN_OK)
                continue;
            if (!(sig.score >= 0 && sig.score <= 1))
                abort();
            ev = sig.evidence[0] ? json_loads(sig.evidence, 0, NULL) : json_object();
            if (!json_is_object(ev))
                abort();
            json_decref(ev);
        }
    }
    shn__world_free(w);
    return 0;
}
