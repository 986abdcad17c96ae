/* libFuzzer: the accounts event parser (docs/events.md), one line at a
 * time as ingest feeds it. Checks the contract: a rejection names the line
 * and gives a reason; an accepted event has an id, an account, a zone-
 * qualified time and borrows exactly the line it came from. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/accounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    long line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct shn_accounts_event ev;
        struct shn_diag diag;
        memset(&diag, 0, sizeof diag);
        line++;
        if (shn_accounts_event_parse(p, len, "fuzz", line, &ev, &diag) == SHN_OK) {
            if (ev.raw != p || ev.raw_len != len || !ev.id[0] || !ev.account[0] || !ev.time[0] ||
                !shn_accounts_event_type_name(ev.type)[0] ||
                strcmp(shn_accounts_event_type_name(ev.type), "?") == 0)
                abort();
            if ((ev.type == SHN_ACCOUNTS_EV_BID || ev.type == SHN_ACCOUNTS_EV_PAYOUT) &&
                (!(ev.amount > 0) || strlen(ev.currency) != 3))
                abort();
        } else if (diag.line != line || !diag.message[0]) {
            abort();
        }
        p += len + (nl ? 1 : 0);
    }
    return 0;
}
