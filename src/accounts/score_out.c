/* The scorer's outputs: the score object scripts read (the exact shape of
 * issue 6) and the reasons analysts read, in English or Japanese. */
#include <string.h>

#include "shinsa/core/buf.h"
#include "signals.h"

int shn_accounts_score_json(const struct shn_accounts_score *s, struct shn_buf *b)
{
    int rc = shn_buf_append_str(b, "{\"account\":");
    bool first = true;
    if (rc == SHN_OK)
        rc = shn_buf_append_json_string(b, s->account);
    if (rc == SHN_OK)
        rc = shn_buf_appendf(b, ",\"score\":%.4f,\"level\":\"%s\",\"signals\":[", s->score,
                             shn_accounts_level_name(s->level));
    for (size_t i = 0; rc == SHN_OK && i < s->n_signals; i++) {
        const struct shn_accounts_signal *g = &s->signals[i];
        if (g->score <= 0)
            continue;
        rc = shn_buf_appendf(b, "%s{\"signal\":\"%s\",\"score\":%.4f,\"weight\":%g,\"evidence\":",
                             first ? "" : ",", g->signal, g->score, g->weight);
        if (rc == SHN_OK)
            rc = shn_buf_append_str(b, g->evidence[0] ? g->evidence : "{}");
        if (rc == SHN_OK)
            rc = shn_buf_append_char(b, '}');
        first = false;
    }
    if (rc == SHN_OK)
        rc = shn_buf_append_str(b, "]}");
    return rc;
}

static const char *level_ja(int level)
{
    return level == SHN_ACCOUNTS_BLOCK    ? "停止（block）"
           : level == SHN_ACCOUNTS_REVIEW ? "要確認（review）"
                                          : "問題なし（ok）";
}

int shn_accounts_explain_text(const struct shn_accounts_score *s, const char *lang,
                              struct shn_buf *b)
{
    bool ja = lang && strcmp(lang, "ja") == 0;
    size_t fired = 0;
    int rc;

    if (ja)
        rc = shn_buf_appendf(b, "アカウント %s: スコア %.2f、判定 %s\n", s->account, s->score,
                             level_ja(s->level));
    else
        rc = shn_buf_appendf(b, "account %s: score %.2f, level %s\n", s->account, s->score,
                             shn_accounts_level_name(s->level));
    if (rc == SHN_OK && s->hard_by)
        rc = ja ? shn_buf_appendf(b, "  （%s の規則により判定を引き上げ）\n", s->hard_by)
                : shn_buf_appendf(b, "  (level set by the hard rule of %s)\n", s->hard_by);
    for (size_t i = 0; rc == SHN_OK && i < s->n_signals; i++) {
        const struct shn_accounts_signal *g = &s->signals[i];
        const char *why = ja ? g->reason_ja : g->reason_en;
        if (g->score <= 0)
            continue;
        fired++;
        rc = shn_buf_appendf(b, "  - %s (%.2f × %g): %s\n", g->signal, g->score, g->weight,
                             why[0] ? why : g->evidence);
    }
    if (rc == SHN_OK && fired == 0)
        rc = shn_buf_append_str(b,
                                ja ? "  該当するシグナルはありません。\n" : "  no signal fired.\n");
    return rc;
}
