/* What every signal needs to report: evidence that fits its field and
 * reasons that never cut a UTF-8 character in half. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "signals.h"

/* Set on the scorer's evaluation threads: the evidence of a signal that
 * did not fire is never shown (score JSON, explain and alert fingerprints
 * list fired signals only), and writing it out was 15% of scoring. */
static _Thread_local bool quiet;

void shn__signal_quiet_evidence(bool on)
{
    quiet = on;
}

/* Cuts s back to a whole UTF-8 character at or before byte n. */
static void cut_utf8(char *s, size_t n)
{
    size_t p = n;
    /* back over continuation bytes to the last character's lead byte */
    while (p > 0 && ((unsigned char)s[p - 1] & 0xC0) == 0x80)
        p--;
    if (p > 0) {
        unsigned char lead = (unsigned char)s[p - 1];
        size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (p - 1 + need > n)
            n = p - 1; /* that character did not fit whole */
    }
    s[n] = '\0';
}

SHN_PRINTF(3, 0) static void reason(char *dst, size_t size, const char *fmt, va_list ap)
{
    int n = vsnprintf(dst, size, fmt, ap);
    if (n < 0)
        dst[0] = '\0';
    else if ((size_t)n >= size)
        cut_utf8(dst, size - 1);
}

void shn__signal_reason_en(struct shn_accounts_signal *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reason(out->reason_en, sizeof out->reason_en, fmt, ap);
    va_end(ap);
}

void shn__signal_reason_ja(struct shn_accounts_signal *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    reason(out->reason_ja, sizeof out->reason_ja, fmt, ap);
    va_end(ap);
}

/* Drops the last element of the longest array in obj (depth one), so that
 * a list of examples shrinks before anything else does. */
static bool shrink(json_t *obj)
{
    const char *key, *longest = NULL;
    json_t *v;
    size_t most = 0;
    json_object_foreach(obj, key, v)
    {
        if (json_is_array(v) && json_array_size(v) > most) {
            most = json_array_size(v);
            longest = key;
        }
    }
    if (!longest)
        return false;
    json_array_remove(json_object_get(obj, longest), most - 1);
    json_object_set_new(obj, "truncated", json_true());
    return true;
}

bool shn__json_out_of_memory(void)
{
    json_t *probe = json_object();
    json_decref(probe);
    return probe == NULL;
}

int shn__signal_set_evidence(struct shn_accounts_signal *out, json_t *obj)
{
    int rc = SHN_OK;
    /* json_pack fails on text that is not UTF-8 or a number that is not
     * finite (a tampered database): one account's odd value must not stop
     * the scoring of all the others, so the evidence says so instead. */
    if (!obj) {
        if (shn__json_out_of_memory()) /* ...or no memory: the run fails */
            return SHN_ERR_NOMEM;
        snprintf(out->evidence, sizeof out->evidence, "{\"evidence\":\"unavailable\"}");
        return SHN_OK;
    }
    if (quiet && !(out->score > 0)) {
        json_decref(obj); /* nobody reads a quiet signal's evidence */
        out->evidence[0] = '\0';
        return SHN_OK;
    }
    for (;;) {
        size_t need = json_dumpb(obj, out->evidence, sizeof out->evidence - 1,
                                 JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
        if (need == 0) {
            rc = SHN_ERR_NOMEM;
            break;
        }
        if (need < sizeof out->evidence) {
            out->evidence[need] = '\0';
            break;
        }
        if (!shrink(obj)) {
            snprintf(out->evidence, sizeof out->evidence, "{\"truncated\":true}");
            break;
        }
    }
    json_decref(obj);
    return rc;
}
