/* The table of checks (checks.def), firing a signal, and the combination
 * of the signals into a likelihood, a DPRK score and a verdict. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mail_internal.h"

const struct shn__mail_check shn__mail_checks[SHN__C_COUNT] = {
#define SHN__MAIL_CHECK(sym, id, group, weight, dprk, attack, source, en, ja, ko)                  \
    [sym] = {id, group, weight, dprk, attack, source, en, ja, ko},
#include "checks.def"
#undef SHN__MAIL_CHECK
};

const char *shn__mail_group_name(enum shn__mail_group g)
{
    static const char *const names[] = {"parse",       "auth", "identity", "links",
                                        "attachments", "lure", "infra"};
    return (unsigned)g < sizeof names / sizeof names[0] ? names[g] : "?";
}

const char *shn_mail_verdict_name(int verdict)
{
    switch (verdict) {
    case SHN_MAIL_CLEAN:
        return "clean";
    case SHN_MAIL_SUSPICIOUS:
        return "suspicious";
    case SHN_MAIL_PHISHING:
        return "phishing";
    default:
        return "?";
    }
}

int shn_mail_exit_status(int worst_verdict)
{
    return worst_verdict == SHN_MAIL_PHISHING ? 4 : worst_verdict == SHN_MAIL_SUSPICIOUS ? 3 : 0;
}

void shn__mail_copy(char *out, size_t size, const char *s, size_t len)
{
    size_t n = len < size - 1 ? len : size - 1;
    /* back off to a UTF-8 lead byte so the copy stays valid */
    if (n < len)
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    memcpy(out, s, n);
    out[n] = '\0';
}

void shn__mail_lower(const char *s, size_t len, char *out, size_t size)
{
    size_t n = len < size - 1 ? len : size - 1;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)tolower((unsigned char)s[i]);
    out[n] = '\0';
}

bool shn__mail_host_in(const char *host, const char *suffix)
{
    size_t h = strlen(host), s = strlen(suffix);
    if (s == 0 || h < s || strncasecmp(host + h - s, suffix, s) != 0)
        return false;
    return h == s || host[h - s - 1] == '.';
}

struct shn__mail_signal *shn__mail_fire(struct shn_mail_result *r, const struct shn_mail_engine *e,
                                        int check, const char *where, long long offset, long line,
                                        const char *value, const char *detail)
{
    struct shn__mail_signal *s;
    double w = e->weights[check];
    if (w <= 0)
        return NULL; /* switched off in the config */
    for (size_t i = 0; i < r->n_signals; i++)
        if (r->signals[i].check == check && strcmp(r->signals[i].value, value ? value : "") == 0)
            return NULL;
    if (r->n_signals >= SHN__MAIL_SIGNALS_MAX) {
        r->dropped++;
        return NULL;
    }
    s = &r->signals[r->n_signals++];
    memset(s, 0, sizeof *s);
    s->check = check;
    s->weight = w;
    snprintf(s->where, sizeof s->where, "%s", where ? where : "");
    s->offset = offset;
    s->line = line;
    shn__mail_copy(s->value, sizeof s->value, value ? value : "", value ? strlen(value) : 0);
    shn__mail_copy(s->detail, sizeof s->detail, detail ? detail : s->value,
                   strlen(detail ? detail : s->value));
    return s;
}

void shn__mail_unknown(struct shn_mail_result *r, const char *what, const char *why)
{
    for (size_t i = 0; i < r->n_unknowns; i++)
        if (strcmp(r->unknowns[i].what, what) == 0)
            return;
    if (r->n_unknowns >= SHN__MAIL_UNKNOWNS_MAX)
        return;
    snprintf(r->unknowns[r->n_unknowns].what, sizeof r->unknowns[0].what, "%s", what);
    snprintf(r->unknowns[r->n_unknowns].why, sizeof r->unknowns[0].why, "%s", why);
    r->n_unknowns++;
}

/* A check may fire several times (three dyndns links); the repeats of one
 * check add with decaying weight (1, 1/2, 1/4 ...) so that one kind of
 * evidence cannot alone outweigh several kinds. The likelihood is the
 * logistic of prior + that sum; the DPRK score is 1 - e^(-x/4) of the same
 * sum over the DPRK-tradecraft checks. */
void shn__mail_score(struct shn_mail_result *r, const struct shn_mail_engine *e)
{
    double sum = 0, dprk = 0;
    unsigned seen[SHN__C_COUNT] = {0};
    for (size_t i = 0; i < r->n_signals; i++) {
        const struct shn__mail_signal *s = &r->signals[i];
        double w = s->weight / (double)(1u << (seen[s->check] < 8 ? seen[s->check] : 8));
        seen[s->check]++;
        sum += w;
        if (shn__mail_checks[s->check].dprk)
            dprk += w;
    }
    r->log_odds = e->prior + sum;
    if (r->log_odds > 30)
        r->log_odds = 30;
    r->likelihood = 1.0 / (1.0 + exp(-r->log_odds));
    r->dprk = 1.0 - exp(-dprk / 4.0);
    r->verdict = r->likelihood >= e->phishing     ? SHN_MAIL_PHISHING
                 : r->likelihood >= e->suspicious ? SHN_MAIL_SUSPICIOUS
                                                  : SHN_MAIL_CLEAN;
}
