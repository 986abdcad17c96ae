/* Lures: the subject and the text of the body matched against the lure
 * lexicon (data/mail/lures.tsv, the format of the accounts engine's
 * lexicons beside it: weight <TAB> kind <TAB> lang <TAB> term). Text and
 * terms are folded alike (lower case, full-width ASCII to ASCII, blanks
 * and punctuation dropped), so "계엄 령", "계엄령" and "ＣＯＶＩＤ" all
 * match. Each kind counts once, at its best term; the sum scales the
 * signal. The same pass picks up archive passwords given in the text. */
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "html.h"
#include "shinsa/core/alloc.h"

#define LEXICON_MAX_BYTES (1u << 20)
#define LEXICON_MAX_TERMS 4096
#define KINDS_MAX 32
#define SCAN_MAX (96u << 10) /* folded bytes of one message scanned */

struct term {
    char *folded, *shown;
    double weight;
    int kind;
};

struct shn__mail_lexicon {
    struct term *v;
    size_t n, cap;
    char kinds[KINDS_MAX][24];
    size_t n_kinds;
};

static int lex_line(void *ctx, char *line, long lineno, struct shn_diag *diag)
{
    struct shn__mail_lexicon *lx = ctx;
    char *f[4] = {line, NULL, NULL, NULL}, *end;
    struct term *t;
    size_t k;
    int rc;
    for (int i = 1; i < 4; i++) {
        char *tab = f[i - 1] ? strchr(f[i - 1], '\t') : NULL;
        if (tab) {
            *tab = '\0';
            f[i] = tab + 1;
        }
    }
    if (!f[3] || !*f[3])
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, lineno, "",
                            "not 'weight<TAB>kind<TAB>lang<TAB>term'");
    if (lx->n >= LEXICON_MAX_TERMS)
        return shn_diag_set(diag, SHN_ERR_TOO_LARGE, NULL, lineno, "", "more than %d terms",
                            LEXICON_MAX_TERMS);
    for (k = 0; k < lx->n_kinds && strcmp(lx->kinds[k], f[1]) != 0; k++)
        ;
    if (k == lx->n_kinds) {
        if (k >= KINDS_MAX || strlen(f[1]) >= sizeof lx->kinds[0])
            return shn_diag_set(diag, SHN_ERR_PARSE, NULL, lineno, "kind", "too many kinds");
        snprintf(lx->kinds[lx->n_kinds++], sizeof lx->kinds[0], "%s", f[1]);
    }
    if ((rc = shn_grow((void **)&lx->v, &lx->cap, lx->n + 1, sizeof *lx->v)) != SHN_OK)
        return rc;
    t = &lx->v[lx->n];
    t->weight = strtod(f[0], &end);
    if (end == f[0] || *end || !(t->weight > 0 && t->weight <= 10))
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, lineno, "weight", "not a weight in (0, 10]");
    t->kind = (int)k;
    t->shown = shn_strdup(f[3]);
    t->folded = shn_malloc(strlen(f[3]) * 2 + 8);
    if (!t->shown || !t->folded) {
        shn_free(t->shown);
        shn_free(t->folded);
        return SHN_ERR_NOMEM;
    }
    shn__mail_fold_name(f[3], t->folded, strlen(f[3]) * 2 + 8);
    if (!t->folded[0]) {
        shn_free(t->shown);
        shn_free(t->folded);
        return shn_diag_set(diag, SHN_ERR_PARSE, NULL, lineno, "term", "empty once folded");
    }
    lx->n++;
    return SHN_OK;
}

int shn__mail_lexicon_load(const char *path, struct shn__mail_lexicon **out, struct shn_diag *diag)
{
    struct shn__mail_lexicon *lx = shn_calloc(1, sizeof *lx);
    int rc;
    if (!lx)
        return SHN_ERR_NOMEM;
    rc = shn__mail_data_lines(path, LEXICON_MAX_BYTES, lex_line, lx, diag);
    if (rc != SHN_OK) {
        shn__mail_lexicon_free(lx);
        return rc;
    }
    *out = lx;
    return SHN_OK;
}

void shn__mail_lexicon_free(struct shn__mail_lexicon *lx)
{
    if (!lx)
        return;
    for (size_t i = 0; i < lx->n; i++) {
        shn_free(lx->v[i].folded);
        shn_free(lx->v[i].shown);
    }
    shn_free(lx->v);
    shn_free(lx);
}

/* ---- archive passwords in the text */

static const char *const pw_words[] = {"password", "passwd", "pw:",        "pwd",      "비밀번호",
                                       "암호",     "비번",   "パスワード", "暗証番号", "密码"};

static bool pw_char(unsigned char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch && strchr("!@#$%^&*._-+=", ch));
}

/* After a password word: skip up to 24 bytes of separators and particles
 * (":", "：", "는", "は", "is"), then take a run of 3..32 password
 * characters. */
static void passwords(struct shn__mail_ctx *c, const char *t, size_t len)
{
    for (size_t w = 0; w < sizeof pw_words / sizeof pw_words[0]; w++) {
        const char *p = t, *end = t + len;
        size_t wl = strlen(pw_words[w]);
        while (c->n_passwords < 8 && (p = memmem(p, (size_t)(end - p), pw_words[w], wl))) {
            const char *q = p + wl, *stop = q + 24 < end ? q + 24 : end, *s;
            while (q < stop && !pw_char((unsigned char)*q))
                q++;
            if (q + 2 < end && (q[0] == 'i' && q[1] == 's' && q[2] == ' '))
                q += 3;
            s = q;
            while (q < end && q - s < 33 && pw_char((unsigned char)*q))
                q++;
            if (q - s >= 3 && q - s <= 32) {
                shn__mail_copy(c->body_passwords[c->n_passwords], sizeof c->body_passwords[0], s,
                               (size_t)(q - s));
                c->n_passwords++;
            }
            p += wl;
        }
    }
}

/* The message's text: subject, then every text and HTML body part (tags
 * dropped), at most SCAN_MAX bytes, in the arena. */
static const char *message_text(struct shn__mail_ctx *c, size_t *out_len)
{
    size_t cap = SCAN_MAX, n = 0;
    char *t = shn_arena_alloc(c->arena, cap + 1);
    if (!t)
        return NULL;
    n = strlen(c->m->subject) < cap ? strlen(c->m->subject) : cap;
    memcpy(t, c->m->subject, n);
    for (size_t i = 0; i < c->m->n_parts && n + 1 < cap; i++) {
        const struct shn__mail_part *p = &c->m->parts[i];
        if (!p->utf8 || p->attachment)
            continue;
        t[n++] = '\n';
        if (p->html)
            n += shn__mail_html_text(p->utf8, p->utf8_len, t + n, cap - n);
        else {
            size_t k = p->utf8_len < cap - n ? p->utf8_len : cap - n;
            memcpy(t + n, p->utf8, k);
            n += k;
        }
    }
    t[n] = '\0';
    *out_len = n;
    return t;
}

void shn__mail_check_lures(struct shn__mail_ctx *c)
{
    const struct shn__mail_lexicon *lx = c->e->lexicon;
    const struct term *best[KINDS_MAX] = {0};
    char *folded, detail[256] = "";
    size_t len = 0, shown = 0;
    double sum = 0;
    const char *text = message_text(c, &len);
    struct shn__mail_signal *s;
    bool large_file = false;

    if (!text)
        return;
    passwords(c, text, len);
    if (!lx || !lx->n || !(folded = shn_arena_alloc(c->arena, len * 2 + 8)))
        return;
    shn__mail_fold_name(text, folded, len * 2 + 8);
    for (size_t i = 0; i < lx->n; i++) {
        const struct term *t = &lx->v[i];
        if ((!best[t->kind] || best[t->kind]->weight < t->weight) && strstr(folded, t->folded))
            best[t->kind] = t;
    }
    for (size_t k = 0; k < lx->n_kinds; k++) {
        if (!best[k])
            continue;
        if (strcmp(lx->kinds[k], "large_file") == 0)
            large_file = true;
        sum += best[k]->weight;
        if (shown < 4) {
            size_t used = strlen(detail);
            snprintf(detail + used, sizeof detail - used, "%s%s: %s", shown ? "; " : "",
                     lx->kinds[k], best[k]->shown);
            shown++;
        }
    }
    if (sum >= 1.0 && (s = shn__mail_fire(c->r, c->e, SHN__C_LURE_THEME, "subject and body", -1, 0,
                                          detail, detail)))
        s->weight *= sum >= 2.0 ? 1.0 : sum / 2.0;
    if (large_file && (strstr(text, "http://") || strstr(text, "https://")))
        shn__mail_fire(c->r, c->e, SHN__C_LURE_DOWNLOAD, "body", -1, 0, "large attachment link",
                       best[0] ? NULL : NULL);
}
