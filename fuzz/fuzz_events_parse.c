/* libFuzzer: the event parser (docs/events.md), one line at a time as
 * ingest feeds it, and the identifier reader the link engine uses on the
 * same line. Checks the contract: a rejection names the line and gives a
 * reason; an accepted event has an id, an account, a zone-qualified time
 * and borrows exactly the line it came from; a line the parser accepts,
 * the identifier reader accepts too, handing out values of the line. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/events.h"

static int on_account(void *ctx, const char *value, size_t len)
{
    (void)ctx;
    if (value && strlen(value) > len)
        abort();
    return SHN_OK;
}

static int on_ident(void *ctx, const struct shn_events_ident_value *v)
{
    (void)ctx;
    if (!v->field[0] || (v->ident == SHN_EVENTS_IDENT_PAYOUT && !v->pay_type) ||
        v->ident < SHN_EVENTS_IDENT_NAME || v->ident > SHN_EVENTS_IDENT_PAYOUT)
        abort();
    return SHN_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const struct shn_events_ident_reader reader = {on_account, on_ident, NULL};
    const char *p = (const char *)data, *end = p + size;
    long line = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        struct shn_events_event ev;
        struct shn_diag diag;
        memset(&diag, 0, sizeof diag);
        line++;
        int idents = shn_events_read_identifiers(p, len, "fuzz", line, &reader, &diag);
        memset(&diag, 0, sizeof diag);
        if (shn_events_parse(p, len, "fuzz", line, &ev, &diag) == SHN_OK) {
            if (idents != SHN_OK)
                abort();
            if (ev.raw != p || ev.raw_len != len || !ev.id[0] || !ev.account[0] || !ev.time[0] ||
                !shn_events_type_name(ev.type)[0] ||
                strcmp(shn_events_type_name(ev.type), "?") == 0)
                abort();
            if ((ev.type == SHN_EVENTS_BID || ev.type == SHN_EVENTS_PAYOUT) &&
                (!(ev.amount > 0) || strlen(ev.currency) != 3))
                abort();
        } else if (diag.line != line || !diag.message[0]) {
            abort();
        }
        p += len + (nl ? 1 : 0);
    }
    return 0;
}
