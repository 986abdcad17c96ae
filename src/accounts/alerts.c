/* What `shinsa alerts list` prints for each recorded alert, so that the CLI
 * and a service print the same thing. The alerts themselves live in the
 * platform database (shinsa/events.h). */
#include "shinsa/accounts.h"
#include "shinsa/core/buf.h"

int shn_accounts_alert_json(const struct shn_events_alert *a, struct shn_buf *out)
{
    int rc =
        shn_buf_appendf(out, "{\"id\":%lld,\"raised\":\"%s\",\"account\":", a->id, a->raised_time);
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, a->account);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out, ",\"level\":\"%s\",\"score\":%.4f,\"verdict\":%s}\n",
                             shn_accounts_level_name(a->level), a->score, a->body);
    return rc;
}

int shn_accounts_alert_text_header(struct shn_buf *out)
{
    return shn_buf_appendf(out, "%-6s %-20s  %-24s %-6s %s\n", "id", "raised", "account", "level",
                           "score");
}

int shn_accounts_alert_text(const struct shn_events_alert *a, struct shn_buf *out)
{
    return shn_buf_appendf(out, "%-6lld %s  %-24s %-6s %.3f\n", a->id, a->raised_time, a->account,
                           shn_accounts_level_name(a->level), a->score);
}
