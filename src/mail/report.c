/* A result as JSON and as a SpamAssassin-style text report (mail.h). The
 * CLI and the service print exactly these. */
#include <ctype.h>
#include <string.h>

#include "mail_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"

int shn_mail_result_verdict(const struct shn_mail_result *r)
{
    return r ? r->verdict : SHN_MAIL_CLEAN;
}

double shn_mail_result_likelihood(const struct shn_mail_result *r)
{
    return r ? r->likelihood : 0;
}

double shn_mail_result_dprk_score(const struct shn_mail_result *r)
{
    return r ? r->dprk : 0;
}

size_t shn_mail_result_signal_count(const struct shn_mail_result *r)
{
    return r ? r->n_signals : 0;
}

const char *shn_mail_result_signal_id(const struct shn_mail_result *r, size_t i)
{
    return r && i < r->n_signals ? shn__mail_checks[r->signals[i].check].id : NULL;
}

void shn_mail_result_free(struct shn_mail_result *r)
{
    shn_free(r);
}

static const char *template_of(const struct shn__mail_check *c, const char *lang)
{
    if (lang && strcmp(lang, "ja") == 0)
        return c->ja;
    if (lang && strcmp(lang, "ko") == 0)
        return c->ko;
    return c->en;
}

/* The sentence of signal s: its template with "{}" replaced by the detail. */
static int sentence(struct shn_buf *b, const struct shn__mail_signal *s, const char *lang)
{
    const char *t = template_of(&shn__mail_checks[s->check], lang);
    const char *hole = strstr(t, "{}");
    int rc;
    if (!hole)
        return shn_buf_append_str(b, t);
    if ((rc = shn_buf_append(b, t, (size_t)(hole - t))) != SHN_OK ||
        (rc = shn_buf_append_str(b, s->detail)) != SHN_OK)
        return rc;
    return shn_buf_append_str(b, hole + 2);
}

static int json_sentence(struct shn_buf *out, const struct shn__mail_signal *s, const char *lang)
{
    struct shn_buf tmp;
    int rc;
    shn_buf_init(&tmp, 4096);
    rc = sentence(&tmp, s, lang);
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, tmp.data ? tmp.data : "");
    shn_buf_cleanup(&tmp);
    return rc;
}

static int json_signal(struct shn_buf *b, const struct shn__mail_signal *s, const char *lang)
{
    const struct shn__mail_check *c = &shn__mail_checks[s->check];
    int rc = shn_buf_appendf(b, "{\"id\":");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, c->id);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(b,
                             ",\"group\":\"%s\",\"weight\":%.2f,\"dprk\":%s,\"attack\":\"%s\","
                             "\"source\":",
                             shn__mail_group_name(c->group), s->weight, c->dprk ? "true" : "false",
                             c->attack);
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, c->source);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, ",\"evidence\":{\"where\":");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, s->where);
    if (rc == SHN_OK && s->offset >= 0)
        rc = shn_buf_appendf(b, ",\"offset\":%lld", s->offset);
    if (rc == SHN_OK && s->line > 0)
        rc = shn_buf_appendf(b, ",\"line\":%ld", s->line);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, ",\"value\":");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, s->value);
    if (rc == SHN_OK && s->provenance[0]) {
        rc = shn_buf_append_str(b, ",\"provenance\":");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(b, s->provenance);
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "},\"sentence\":");
    if (rc == SHN_OK)
        rc = json_sentence(b, s, lang);
    if (rc == SHN_OK)
        rc = shn_buf_append_char(b, '}');
    return rc;
}

static int json_summary(struct shn_buf *b, const struct shn_mail_result *r)
{
    int rc = shn_buf_append_str(b, "\"summary\":{\"from\":");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, r->from);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, ",\"subject\":");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, r->subject);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, ",\"origin\":{\"ip\":");
    if (rc == SHN_OK)
        rc = r->origin_ip[0] ? shn_buf_append_json_string(b, r->origin_ip)
                             : shn_buf_append_str(b, "null");
    if (rc == SHN_OK)
        rc = shn_buf_appendf(b, ",\"country\":\"%s\",\"asn\":",
                             r->origin_country[0] ? r->origin_country : "unknown");
    if (rc == SHN_OK)
        rc = r->origin_asn ? shn_buf_appendf(b, "%u", (unsigned)r->origin_asn)
                           : shn_buf_append_str(b, "null");
    if (rc == SHN_OK)
        rc = shn_buf_appendf(b, "},\"parts\":%zu,\"links\":%zu,\"attachments\":%zu}", r->n_parts,
                             r->n_links, r->n_attachments);
    return rc;
}

int shn_mail_result_json(const struct shn_mail_result *r, const char *lang, struct shn_buf *out)
{
    int rc = shn_buf_append_str(out, "{\"message\":");
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(out, r->name);
    if (rc == SHN_OK)
        rc =
            shn_buf_appendf(out,
                            ",\"verdict\":\"%s\",\"phishing_likelihood\":%.4f,\"dprk_score\":%.4f,"
                            "\"log_odds\":%.2f,",
                            shn_mail_verdict_name(r->verdict), r->likelihood, r->dprk, r->log_odds);
    if (rc == SHN_OK)
        rc = json_summary(out, r);
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, ",\"signals\":[");
    for (size_t i = 0; rc == SHN_OK && i < r->n_signals; i++) {
        if (i)
            rc = shn_buf_append_char(out, ',');
        if (rc == SHN_OK)
            rc = json_signal(out, &r->signals[i], lang);
    }
    if (rc == SHN_OK)
        rc = shn_buf_appendf(out, "],\"signals_dropped\":%zu,\"unknowns\":[", r->dropped);
    for (size_t i = 0; rc == SHN_OK && i < r->n_unknowns; i++) {
        rc = shn_buf_appendf(out, "%s{\"check\":", i ? "," : "");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, r->unknowns[i].what);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(out, ",\"why\":");
        if (rc == SHN_OK)
            rc = shn_buf_append_json_string(out, r->unknowns[i].why);
        if (rc == SHN_OK)
            rc = shn_buf_append_char(out, '}');
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(out, "]}\n");
    return rc;
}

static const char *label(const char *lang, const char *en, const char *ja, const char *ko)
{
    if (lang && strcmp(lang, "ja") == 0)
        return ja;
    if (lang && strcmp(lang, "ko") == 0)
        return ko;
    return en;
}

int shn_mail_result_text(const struct shn_mail_result *r, const char *lang, struct shn_buf *out)
{
    int rc =
        shn_buf_appendf(out, "%s: %s, likelihood %.2f, DPRK %.2f (log-odds %.1f)\n", r->name,
                        shn_mail_verdict_name(r->verdict), r->likelihood, r->dprk, r->log_odds);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(
            out,
            " %s\n  pts rule name              %s\n ---- ---------------------- "
            "--------------------------------------------------\n",
            label(lang, "Content analysis details:", "内容分析の詳細：", "내용 분석 상세:"),
            label(lang, "description", "説明", "설명"));
    for (size_t i = 0; rc == SHN_OK && i < r->n_signals; i++) {
        const struct shn__mail_signal *s = &r->signals[i];
        char name[64];
        size_t k = 0;
        for (const char *p = shn__mail_checks[s->check].id; *p && k + 1 < sizeof name; p++)
            name[k++] = (char)toupper((unsigned char)*p);
        name[k] = '\0';
        rc = shn_buf_appendf(out, "%5.1f %-22s ", s->weight, name);
        if (rc == SHN_OK)
            rc = sentence(out, s, lang);
        if (rc == SHN_OK)
            rc = shn_buf_appendf(out, "\n%29s[%s %s%s%s]\n", "", shn__mail_checks[s->check].attack,
                                 s->where, s->provenance[0] ? "; " : "", s->provenance);
    }
    for (size_t i = 0; rc == SHN_OK && i < r->n_unknowns; i++)
        rc = shn_buf_appendf(out, "  ?   %-22s %s\n", r->unknowns[i].what, r->unknowns[i].why);
    return rc;
}
