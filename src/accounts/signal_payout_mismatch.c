/* payout_mismatch: money leaving for someone else, or somewhere else.
 *
 * 1. The holder name on a bank payout account is not the account holder's.
 *    A Japanese bank account string carries the holder's name in katakana
 *    after the number ("三菱UFJ 普通 1234567 タナカ ケンジ"): the words after
 *    the last word holding a digit are read as the holder name and compared,
 *    with the screen engine's name comparison (any script, kana readings),
 *    against every name the account used, its reading and Latin spelling;
 *    the best similarity under `min_similarity` is a mismatch.
 * 2. A payout account that names a country other than the residence: an
 *    IBAN at the start of the string (GB29 NWBK …: country GB), or a
 *    SWIFT/BIC code written after a "SWIFT" or "BIC" label (MHCBJPJT:
 *    country JP). Bare 8- or 11-letter words are not read as BICs: a
 *    romanized surname (YAMAMOTO) would be taken for one.
 *
 * Both look at declared payout methods and at the methods payouts used, of
 * type bank, paypal or other (crypto has no holder name; see
 * wallet_exposure and sanctions). No prepare: eval reads only the account. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "shinsa/core/country.h"
#include "shinsa/core/mask.h"
#include "shinsa/link.h"
#include "shinsa/names.h"
#include "signals.h"

#define METHODS_MAX 16 /* distinct payout account strings examined */
#define HOLDER_MAX 256 /* bytes of a holder name */
#define EXAMPLES_MAX 5

enum { P_MIN_SIMILARITY };
static const struct shn__param params[] = {
    [P_MIN_SIMILARITY] = SHN__NUM("min_similarity", 0.75, 0, 1, "",
                                  "a holder name less similar to every account name mismatches"),
};
#define SELF (&shn__signal_payout_mismatch)

static bool is_space_at(const char *s, size_t i, size_t *w)
{
    if (s[i] == ' ' || s[i] == '\t') {
        *w = 1;
        return true;
    }
    if ((unsigned char)s[i] == 0xE3 && (unsigned char)s[i + 1] == 0x80 &&
        (unsigned char)s[i + 2] == 0x80) { /* U+3000 ideographic space */
        *w = 3;
        return true;
    }
    return false;
}

static bool is_digit_at(const char *s, size_t i)
{
    /* ASCII or full-width (U+FF10..U+FF19: EF BC 90..99). */
    return (s[i] >= '0' && s[i] <= '9') ||
           ((unsigned char)s[i] == 0xEF && (unsigned char)s[i + 1] == 0xBC &&
            (unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0x99);
}

/* The words after the last word that holds a digit; false when none. */
static bool holder_name(const char *s, char *out, size_t size)
{
    size_t len = strlen(s), i = 0, after = 0, w;
    bool digits = false;
    while (i < len) {
        size_t start;
        bool has_digit = false;
        while (i < len && is_space_at(s, i, &w))
            i += w;
        start = i;
        while (i < len && !is_space_at(s, i, &w)) {
            has_digit |= is_digit_at(s, i);
            i++;
        }
        if (i > start && has_digit) {
            digits = true;
            after = i;
        }
    }
    if (!digits)
        return false;
    while (after < len && is_space_at(s, after, &w))
        after += w;
    if (after >= len || len - after >= size)
        return false;
    memcpy(out, s + after, len - after);
    out[len - after] = '\0';
    return true;
}

static bool upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

static bool alnum_upper(char c)
{
    return upper(c) || (c >= '0' && c <= '9');
}

/* The country an account string names (IBAN first, or a labelled BIC), as
 * an ISO code in out[3]; false when it names none we can read. */
static bool account_country(const char *s, char *out, const char **how)
{
    const char *p = s, *label;
    while (*p == ' ')
        p++;
    if (strncmp(p, "IBAN", 4) == 0) {
        p += 4;
        while (*p == ' ' || *p == ':')
            p++;
    }
    if (upper(p[0]) && upper(p[1]) && p[2] >= '0' && p[2] <= '9' && p[3] >= '0' && p[3] <= '9' &&
        (alnum_upper(p[4]) || (p[4] == ' ' && alnum_upper(p[5])))) {
        char cc[3] = {p[0], p[1], 0};
        if (shn_country_name(cc)) {
            memcpy(out, cc, 3);
            *how = "iban";
            return true;
        }
    }
    label = strstr(s, "SWIFT");
    if (!label)
        label = strstr(s, "BIC");
    if (label) {
        size_t n = 0;
        p = label + (label[0] == 'S' ? 5 : 3);
        while (*p == ' ' || *p == ':' || *p == '/')
            p++;
        while (alnum_upper(p[n]))
            n++;
        if ((n == 8 || n == 11) && upper(p[4]) && upper(p[5])) {
            char cc[3] = {p[4], p[5], 0};
            if (shn_country_name(cc)) {
                memcpy(out, cc, 3);
                *how = "bic";
                return true;
            }
        }
    }
    return false;
}

static void best_of(double *best, const char **with, const char *holder, const char *name,
                    const char *reading)
{
    double s = 0;
    if (!name)
        return;
    if (shn_names_similarity(holder, NULL, name, reading, &s) == SHN_OK && s > *best) {
        *best = s;
        *with = name;
    }
}

/* The best similarity of `holder` to any name of the account. */
static double name_similarity(const struct shn__w_account *a, const char *holder, const char **with)
{
    double best = 0;
    *with = NULL;
    best_of(&best, with, holder, a->name, a->name_reading);
    if (best < 0.999)
        best_of(&best, with, holder, a->name_reading, NULL);
    if (best < 0.999)
        best_of(&best, with, holder, a->name_latin, NULL);
    for (size_t i = 0; i < a->n_names && i < 16 && best < 0.999; i++)
        best_of(&best, with, holder, a->names[i], NULL);
    return best;
}

struct method {
    const char *account, *type;
};

/* A payout account as every engine shows it (shn_link_mask): normalised as
 * the link engine compares it, then masked by the core policy. */
static void show_account(const struct method *m, char *out, size_t size)
{
    enum shn_link_kind kind =
        strcmp(m->type, "paypal") == 0 && strchr(m->account, '@') ? SHN_LINK_EMAIL : SHN_LINK_BANK;
    char norm[SHN_LINK_VALUE_MAX + 1];
    if (shn_link_normalize(kind, m->account, strlen(m->account), NULL, norm, sizeof norm) ==
            SHN_OK &&
        norm[0])
        shn_link_mask(kind, norm, false, out, size);
    else /* nothing the link engine reads (no letter or digit) */
        shn_mask(SHN_MASK_BANK, m->account, strlen(m->account), out, size);
}

static size_t gather(const struct shn__w_account *a, struct method *m)
{
    size_t n = 0;
    for (size_t k = 0; k < a->n_pays + a->n_payouts && n < METHODS_MAX; k++) {
        const struct shn__w_pay *p =
            k < a->n_pays ? &a->pays[k] : &a->payouts[k - a->n_pays].method;
        bool dup = false;
        if (!p->account || !p->type || strcmp(p->type, "crypto") == 0)
            continue;
        for (size_t j = 0; j < n && !dup; j++)
            dup = strcmp(m[j].account, p->account) == 0;
        if (!dup) {
            m[n].account = p->account;
            m[n].type = p->type;
            n++;
        }
    }
    return n;
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    struct method m[METHODS_MAX];
    size_t n = gather(a, m), n_name = 0, n_country = 0, n_checked = 0;
    double min_sim = shn__param_num(c, SELF, P_MIN_SIMILARITY);
    double worst = 1; /* lowest best-similarity among the mismatches */
    const char *worst_holder = NULL;
    const struct method *first_country = NULL;
    char first_cc[3] = "";
    bool has_name = a->name || a->name_reading || a->name_latin || a->n_names;
    json_t *names = json_array(), *countries = json_array();
    (void)state;

    if (!names || !countries) {
        json_decref(names);
        json_decref(countries);
        return SHN_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        char holder[HOLDER_MAX], masked[SHN_MASK_MAX], cc[3];
        const char *how, *with;
        show_account(&m[i], masked, sizeof masked);
        if (has_name && strcmp(m[i].type, "bank") == 0 &&
            holder_name(m[i].account, holder, sizeof holder)) {
            double s = name_similarity(a, holder, &with);
            n_checked++;
            if (s < min_sim) {
                n_name++;
                if (s < worst || !worst_holder) {
                    worst = s;
                    worst_holder = m[i].account;
                }
                if (json_array_size(names) < EXAMPLES_MAX)
                    json_array_append_new(names,
                                          json_pack("{s:s, s:s, s:s?, s:f}", "payout_account",
                                                    masked, "holder", holder, "account_name",
                                                    a->name ? a->name : with, "similarity", s));
            }
        }
        if (a->residence && account_country(m[i].account, cc, &how) &&
            strcmp(cc, a->residence) != 0) {
            if (!n_country++) {
                memcpy(first_cc, cc, 3);
                first_country = &m[i];
            }
            if (json_array_size(countries) < EXAMPLES_MAX)
                json_array_append_new(countries, json_pack("{s:s, s:s, s:s, s:s}", "payout_account",
                                                           masked, "country", cc, "read_from", how,
                                                           "residence", a->residence));
        }
    }
    out->score = 0;
    if (n_name) /* 0.6 at the threshold, 0.9 when nothing of the name agrees */
        out->score = 0.6 + 0.3 * (min_sim > 0 ? (min_sim - worst) / min_sim : 0);
    if (n_country)
        out->score = out->score > 0 ? out->score + 0.1 : 0.5;
    if (out->score > 1)
        out->score = 1;
    if (n_name) {
        char holder[HOLDER_MAX] = "";
        holder_name(worst_holder, holder, sizeof holder);
        shn__signal_reason_en(out,
                              "%zu payout account(s) are in another name (e.g. '%s', "
                              "similarity %.2f to the account holder)%s",
                              n_name, holder, worst, n_country ? ", and payouts go abroad" : "");
        shn__signal_reason_ja(out, "振込先口座%zu件の名義が本人と異なる（例:「%s」、類似度%.2f）%s",
                              n_name, holder, worst, n_country ? "。海外口座への送金もある" : "");
    } else if (n_country) {
        char masked[SHN_MASK_MAX];
        show_account(first_country, masked, sizeof masked);
        shn__signal_reason_en(out,
                              "%zu payout account(s) are in a country (%s) other than the "
                              "residence %s, e.g. %s",
                              n_country, first_cc, a->residence, masked);
        shn__signal_reason_ja(out, "振込先口座%zu件が居住国%s以外の国（%s）にある（例: %s）",
                              n_country, a->residence, first_cc, masked);
    }
    return shn__signal_set_evidence(
        out, json_pack("{s:I, s:I, s:f, s:I, s:o, s:I, s:o}", "payout_accounts", (json_int_t)n,
                       "holder_names_checked", (json_int_t)n_checked, "min_similarity", min_sim,
                       "name_mismatches", (json_int_t)n_name, "names", names, "country_mismatches",
                       (json_int_t)n_country, "countries", countries));
}

const struct shn__signal_def shn__signal_payout_mismatch = {
    .name = "payout_mismatch",
    .default_weight = 1.5,
    SHN__PARAMS(params),
    .eval = eval,
};
