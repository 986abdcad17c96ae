/* Name analysis: one name in any script to up to SHN_NAME_MAX_VARIANTS
 * Latin readings, each with its folded keys (see names.h for the pipeline
 * and docs/names.md for the rules and their limits).
 *
 * Everything lives on the stack: a query's name is at most 1 KiB, so the
 * work arrays are fixed-size and nothing is allocated. ASCII names never
 * reach ICU. */
#include <string.h>
#include <uchar.h>

#include <unicode/uchar.h>

#include "names_internal.h"
#include "shinsa/core/err.h"
#include "shinsa/core/utf8.h"

#define NAME_MAX_BYTES 1024
#define NAME_MAX_CPS (NAME_MAX_BYTES * 2)    /* NFKC may lengthen a little */
#define RAW_TOKENS (SHN_NAME_MAX_TOKENS + 8) /* before honorifics go */

struct token {
    size_t start, len; /* in the cleaned code points */
    bool dotted;       /* written with a full stop after it (Co., S.A.) */
    bool parens;       /* written alone in parentheses: (株), (주) */
};

struct tokens {
    uint32_t cp[NAME_MAX_CPS];
    size_t ncp;
    struct token t[RAW_TOKENS];
    int n;
};

/* ---- Normalisation and tokenisation --------------------------------- */

static bool is_ascii_word(uint32_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_word(uint32_t c)
{
    int8_t type;

    if (c < 0x80)
        return is_ascii_word(c);
    if (shn__is_hangul(c) || shn__is_kana(c) || shn__is_han(c))
        return true;
    if (c == 0x30FB || c == 0xB7) /* ・ and · separate names */
        return false;
    type = u_charType((UChar32)c);
    return u_isalnum((UChar32)c) || type == U_NON_SPACING_MARK ||
           type == U_COMBINING_SPACING_MARK || type == U_ENCLOSING_MARK;
}

/* Apostrophes and hyphens between two letters are dropped (Ch'ol, Jong-un). */
static bool is_joiner(uint32_t c)
{
    return c == '\'' || c == '-' || c == '`' || c == 0x2018 || c == 0x2019 || c == 0x02BC ||
           c == 0x2010 || c == 0x2011 || c == 0x2012 || c == 0x2013 || c == 0x30A0;
}

static void tokenize(const uint32_t *in, size_t n, struct tokens *tk)
{
    size_t i = 0;

    tk->ncp = 0;
    tk->n = 0;
    while (i < n) {
        struct token tok;
        size_t seg_letters = 0;

        if (!is_word(in[i])) {
            i++;
            continue;
        }
        tok.start = tk->ncp;
        tok.parens = i > 0 && in[i - 1] == '(';
        tok.dotted = false;
        while (i < n) {
            uint32_t c = in[i];
            if (is_word(c)) {
                tk->cp[tk->ncp++] = c;
                seg_letters++;
                i++;
                continue;
            }
            if (i + 1 < n && is_word(in[i + 1]) &&
                (is_joiner(c) || (c == '.' && seg_letters == 1))) {
                /* Ch'ol, Jong-un, and S.A. / K.K. written with stops. */
                seg_letters = 0;
                i++;
                continue;
            }
            break;
        }
        tok.len = tk->ncp - tok.start;
        tok.dotted = i < n && in[i] == '.';
        tok.parens = tok.parens && i < n && in[i] == ')';
        if (tk->n < RAW_TOKENS)
            tk->t[tk->n++] = tok;
        else
            tk->ncp = tok.start; /* past the cap: dropped */
    }
}

/* Decodes valid UTF-8 to lowercase code points: ASCII by hand, the rest
 * through ICU (NFKC, case folding, Latin diacritics removed). */
static int normalize(const char *s, size_t len, uint32_t *out, size_t *n)
{
    bool ascii = true;

    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80) {
            ascii = false;
            break;
        }
    if (!ascii)
        return shn__normalize_icu(s, len, out, NAME_MAX_CPS, n);
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        out[i] = (uint32_t)(unsigned char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    *n = len;
    return SHN_OK;
}

/* ---- Honorifics and organisation suffixes --------------------------- */

/* True when the code points s[0..n) spell the literal `lit`. */
static bool spells(const uint32_t *s, size_t n, const char32_t *lit)
{
    size_t i = 0;

    for (; lit[i]; i++)
        if (i >= n || s[i] != lit[i])
            return false;
    return i == n;
}

static size_t lit_len(const char32_t *lit)
{
    size_t n = 0;

    while (lit[n])
        n++;
    return n;
}

/* The lists are short; a token is compared only with the entries that
 * start with its first character. */
static bool in_list(const uint32_t *s, size_t n, const char32_t *const *list)
{
    if (!n)
        return false;
    for (size_t i = 0; list[i]; i++)
        if (list[i][0] == s[0] && spells(s, n, list[i]))
            return true;
    return false;
}

static const char32_t *const org_clear[] = {
    U"llc",          U"inc",          U"ltd",
    U"limited",      U"corp",         U"corporation",
    U"company",      U"gmbh",         U"jsc",
    U"pjsc",         U"ojsc",         U"cjsc",
    U"ooo",          U"oao",          U"zao",
    U"pao",          U"plc",          U"llp",
    U"pte",          U"pty",          U"incorporated",
    U"sarl",         U"ооо",          U"оао",
    U"зао",          U"пао",          U"株式会社",
    U"有限会社",     U"合同会社",     U"合資会社",
    U"合名会社",     U"有限公司",     U"股份有限公司",
    U"有限责任公司", U"有限責任公司", U"주식회사",
    U"유한회사",     U"유한책임회사", NULL,
};
/* Short forms that are also name syllables (Sa, Co, Ag): only with a full
 * stop after them, or before another suffix (Co Ltd). */
static const char32_t *const org_ambiguous[] = {
    U"co", U"sa", U"ag", U"bv", U"nv", U"kk", U"lp", U"spa", U"srl", U"jv", NULL,
};
/* Written in parentheses: (株), (有), (주), ㈱ and ㈜ after NFKC. */
static const char32_t *const org_parens[] = {U"株", U"有", U"주", U"유", NULL};
/* Attached to a CJK name without a space: 株式会社トヨタ, 삼성전자주식회사. */
static const char32_t *const org_affix[] = {
    U"株式会社",     U"有限会社", U"合同会社", U"股份有限公司", U"有限责任公司",
    U"有限責任公司", U"有限公司", U"주식회사", U"유한회사",     NULL,
};
static const char32_t *const honorific_lead[] = {
    U"mr",   U"mrs",   U"ms",    U"miss",  U"mx",  U"dr",   U"prof", U"sir",
    U"haji", U"hajji", U"hadji", U"madam", U"mme", U"mlle", NULL,
};
static const char32_t *const honorific_suffix[] = {
    U"様", U"さま", U"さん", U"氏", U"殿", U"先生", U"씨", U"님", U"선생님", U"귀하", U"여사", NULL,
};

static bool token_is(const struct tokens *tk, int i, const char32_t *const *list)
{
    return in_list(tk->cp + tk->t[i].start, tk->t[i].len, list);
}

/* Removes an affix from list at the start or end of token i when at least
 * `keep` code points stay. Returns true if it did. */
static bool strip_affix(struct tokens *tk, int i, const char32_t *const *list, bool prefix,
                        bool suffix, size_t keep)
{
    struct token *t = &tk->t[i];

    /* Only CJK names carry attached affixes. */
    if (!t->len || (tk->cp[t->start] < 0x80 && tk->cp[t->start + t->len - 1] < 0x80))
        return false;
    for (size_t j = 0; list[j]; j++) {
        size_t l = lit_len(list[j]);
        if (t->len < l + keep)
            continue;
        if (suffix && spells(tk->cp + t->start + t->len - l, l, list[j])) {
            t->len -= l;
            return true;
        }
        if (prefix && spells(tk->cp + t->start, l, list[j])) {
            t->start += l;
            t->len -= l;
            return true;
        }
    }
    return false;
}

static void remove_token(struct tokens *tk, int i)
{
    memmove(&tk->t[i], &tk->t[i + 1], (size_t)(tk->n - i - 1) * sizeof(tk->t[0]));
    tk->n--;
}

/* Drops honorifics and organisation forms, never the last token. */
static void strip_titles(struct tokens *tk, struct shn_name_forms *f)
{
    bool removed_org = false;

    /* Trailing suffixes: Korea Mining Co., Ltd. / Acme S.A. */
    while (tk->n > 1) {
        int i = tk->n - 1;
        if (token_is(tk, i, org_clear) ||
            (token_is(tk, i, org_ambiguous) && (tk->t[i].dotted || removed_org)) ||
            (tk->t[i].parens && token_is(tk, i, org_parens))) {
            remove_token(tk, i);
            removed_org = true;
            continue;
        }
        break;
    }
    /* Leading legal forms (ООО Ромашка, LLC Foo, (株)トヨタ) and titles. */
    while (tk->n > 1) {
        if (token_is(tk, 0, org_clear) || (tk->t[0].parens && token_is(tk, 0, org_parens))) {
            remove_token(tk, 0);
            removed_org = true;
        } else if (token_is(tk, 0, honorific_lead)) {
            remove_token(tk, 0);
            f->honorific_removed = true;
        } else {
            break;
        }
    }
    /* A CJK honorific written apart (金正恩 様) or attached (田中様, 김정은씨). */
    if (tk->n > 1 && token_is(tk, tk->n - 1, honorific_suffix)) {
        remove_token(tk, tk->n - 1);
        f->honorific_removed = true;
    }
    if (tk->n >= 1 && strip_affix(tk, tk->n - 1, honorific_suffix, false, true, 2))
        f->honorific_removed = true;
    for (int i = 0; i < tk->n; i++)
        if (strip_affix(tk, i, org_affix, true, true, 1))
            removed_org = true;
    if (removed_org)
        f->org_suffix_removed = true;
}

/* ---- Romanization --------------------------------------------------- */

struct mode {
    bool han_korean; /* else Mandarin */
    enum shn__kana_style kana;
};

enum run_kind { RUN_ASCII, RUN_HANGUL, RUN_KANA, RUN_HAN, RUN_OTHER };

static enum run_kind kind_of(uint32_t c)
{
    if (c < 0x80)
        return RUN_ASCII;
    if (shn__is_hangul(c))
        return RUN_HANGUL;
    if (shn__is_kana(c))
        return RUN_KANA;
    if (shn__is_han(c))
        return RUN_HAN;
    return RUN_OTHER;
}

/* Romanizes s[0..n) (one token or part of one) into out. `surname`: the
 * first Han character is a surname (金 -> 김, not 금). */
static int romanize(const uint32_t *s, size_t n, const struct mode *m, bool surname,
                    struct shn__latin *out)
{
    size_t i = 0;
    int rc = SHN_OK;

    while (i < n) {
        enum run_kind k = kind_of(s[i]);
        size_t j = i + 1;

        while (j < n && kind_of(s[j]) == k)
            j++;
        switch (k) {
        case RUN_ASCII:
            for (size_t x = i; x < j; x++)
                shn__latin_putc(out, (char)s[x]);
            break;
        case RUN_HANGUL:
            for (size_t x = i; x < j; x++)
                shn__hangul_romanize(s[x], out);
            break;
        case RUN_KANA:
            shn__kana_romanize(s + i, j - i, m->kana, out);
            break;
        case RUN_HAN:
            for (size_t x = i; x < j; x++) {
                uint32_t c = s[x] == 0x3005 && x > 0 ? s[x - 1] : s[x];
                if (m->han_korean)
                    shn__hangul_romanize(shn__han_korean(c, surname && x == 0), out);
                else
                    shn__latin_puts(out, shn__han_mandarin(c));
            }
            break;
        case RUN_OTHER:
            rc = shn__translit_other(s + i, j - i, out);
            if (rc != SHN_OK)
                goto out;
            break;
        }
        i = j;
    }
out:
    return rc;
}

/* Appends one Latin token and its key to the variant; false when full. */
static bool add_token(struct shn_name_variant *v, const struct shn__latin *t, size_t *tlen,
                      size_t *klen)
{
    char key[SHN_FOLD_MAX];
    size_t kl;

    if (!t->len || v->ntokens >= SHN_NAME_MAX_TOKENS)
        return v->ntokens < SHN_NAME_MAX_TOKENS;
    kl = shn_names_fold_token(t->s, t->len, key);
    if (!kl)
        return true;
    if (*tlen + t->len + 2 > sizeof(v->text) || *klen + kl + 2 > sizeof(v->keys))
        return false;
    if (*tlen)
        v->text[(*tlen)++] = ' ';
    memcpy(v->text + *tlen, t->s, t->len);
    *tlen += t->len;
    v->text[*tlen] = '\0';
    if (*klen)
        v->keys[(*klen)++] = ' ';
    memcpy(v->keys + *klen, key, kl);
    *klen += kl;
    v->keys[*klen] = '\0';
    v->ntokens++;
    return true;
}

static bool all_of(const uint32_t *s, size_t n, enum run_kind k)
{
    for (size_t i = 0; i < n; i++)
        if (kind_of(s[i]) != k)
            return false;
    return true;
}

/* Builds one variant from the tokens. `split_at` > 0 splits a single
 * reading token there (surname | given name); `person` allows splitting a
 * one-word Hangul or Han name after its surname (not for organisations). */
static int build(const struct tokens *tk, const struct mode *m, int origin, size_t split_at,
                 bool person, struct shn_name_variant *v)
{
    size_t tlen = 0, klen = 0;
    int rc = SHN_OK;

    memset(v, 0, sizeof(*v));
    v->origin = origin;
    for (int i = 0; i < tk->n; i++) {
        const uint32_t *s = tk->cp + tk->t[i].start;
        size_t n = tk->t[i].len, sur = 0;
        struct shn__latin t = {.len = 0};

        /* 김정은 / 金正恩 written as one word: surname, then given name. */
        if (!person)
            sur = 0;
        else if (tk->n == 1 && n >= 2 && n <= 5 && all_of(s, n, RUN_HANGUL))
            sur = shn__hangul_surname_len(s, n);
        else if (tk->n == 1 && n >= 2 && n <= 5 && all_of(s, n, RUN_HAN) && !split_at)
            sur = shn__han_surname_len(s, n);
        if (sur && sur < n) {
            rc = romanize(s, sur, m, true, &t);
            if (rc != SHN_OK)
                goto out;
            if (!add_token(v, &t, &tlen, &klen))
                break;
            t.len = 0;
            s += sur;
            n -= sur;
        }
        rc = romanize(s, n, m, i == 0, &t);
        if (rc != SHN_OK)
            goto out;
        if (split_at && split_at < t.len) {
            struct shn__latin given = {.len = 0};
            for (size_t x = split_at; x < t.len; x++)
                shn__latin_putc(&given, t.s[x]);
            t.len = split_at;
            t.s[split_at] = '\0';
            if (!add_token(v, &t, &tlen, &klen) || !add_token(v, &given, &tlen, &klen))
                break;
            continue;
        }
        if (!add_token(v, &t, &tlen, &klen))
            break;
    }
out:
    return rc;
}

/* ---- The whole pipeline --------------------------------------------- */

struct work {
    struct tokens name, reading;
    uint32_t norm[NAME_MAX_CPS];
    struct shn_name_forms forms;
};

static int prepare(const char *s, struct tokens *tk, uint32_t *norm)
{
    size_t len = strnlen(s, NAME_MAX_BYTES + 1), n = 0;
    int rc = SHN_OK;

    if (len > NAME_MAX_BYTES) {
        rc = SHN_ERR_TOO_LARGE;
        goto out;
    }
    if (!shn_utf8_valid(s, len, NULL)) {
        rc = SHN_ERR_ENCODING;
        goto out;
    }
    rc = normalize(s, len, norm, &n);
    if (rc != SHN_OK)
        goto out;
    tokenize(norm, n, tk);
out:
    return rc;
}

static bool has_kind(const struct tokens *tk, enum run_kind k)
{
    for (size_t i = 0; i < tk->ncp; i++)
        if (kind_of(tk->cp[i]) == k)
            return true;
    return false;
}

static bool has_katakana(const struct tokens *tk)
{
    for (int i = 0; i < tk->n; i++)
        for (size_t j = 0; j < tk->t[i].len; j++)
            if (shn__is_katakana(tk->cp[tk->t[i].start + j]))
                return true;
    return false;
}

/* Adds v unless an earlier variant has the same keys. */
static void push(struct shn_name_forms *f, const struct shn_name_variant *v)
{
    if (!v->ntokens || f->nvariants >= SHN_NAME_MAX_VARIANTS)
        return;
    for (int i = 0; i < f->nvariants; i++)
        if (!strcmp(f->v[i].keys, v->keys))
            return;
    f->v[f->nvariants++] = *v;
}

/* Where a one-word kana reading of a one-word kanji name splits into
 * surname and given name (0: leave it whole). */
static size_t reading_split(const struct tokens *name, const struct tokens *reading)
{
    struct shn__latin r = {.len = 0};
    const struct mode ja = {.han_korean = false, .kana = SHN_KANA_JA};
    const uint32_t *s = name->cp + name->t[0].start;
    size_t n = name->t[0].len;

    if (name->n != 1 || reading->n != 1 || !all_of(s, n, RUN_HAN))
        return 0;
    if (romanize(reading->cp + reading->t[0].start, reading->t[0].len, &ja, false, &r) != SHN_OK)
        return 0;
    return shn__han_reading_split(s, n, r.s, r.len);
}

static int analyze(struct work *w, const char *name, const char *reading)
{
    struct shn_name_forms *f = &w->forms;
    struct shn_name_variant v;
    const struct mode ko = {.han_korean = true, .kana = SHN_KANA_KO};
    const struct mode ko_n = {.han_korean = true, .kana = SHN_KANA_KO_N};
    const struct mode base = {.han_korean = true, .kana = SHN_KANA_JA};
    const struct mode zh = {.han_korean = false, .kana = SHN_KANA_JA};
    bool han;
    int rc;

    memset(f, 0, sizeof(*f));
    rc = prepare(name, &w->name, w->norm);
    if (rc != SHN_OK)
        goto out;
    w->reading.n = 0;
    if (reading) {
        rc = prepare(reading, &w->reading, w->norm);
        if (rc != SHN_OK)
            goto out;
    }
    strip_titles(&w->name, f);
    if (w->name.n > SHN_NAME_MAX_TOKENS)
        w->name.n = SHN_NAME_MAX_TOKENS;
    if (w->reading.n > SHN_NAME_MAX_TOKENS)
        w->reading.n = SHN_NAME_MAX_TOKENS;
    han = has_kind(&w->name, RUN_HAN);

    if (w->reading.n > 0) {
        /* The caller's reading stands in for the kanji. */
        size_t split = w->name.n ? reading_split(&w->name, &w->reading) : 0;
        rc = build(&w->reading, &base, SHN_ORIGIN_READING, split, true, &v);
        if (rc != SHN_OK)
            goto out;
        push(f, &v);
        if (has_katakana(&w->reading)) {
            rc = build(&w->reading, &ko, SHN_ORIGIN_KANA_KO, 0, !f->org_suffix_removed, &v);
            if (rc == SHN_OK)
                push(f, &v);
        }
        if (han)
            goto out;
    }
    if (w->name.n == 0)
        goto out;
    if (han) {
        rc = build(&w->name, &base, SHN_ORIGIN_HANJA_KO, 0, !f->org_suffix_removed, &v);
        if (rc != SHN_OK)
            goto out;
        push(f, &v);
        rc = build(&w->name, &zh, SHN_ORIGIN_HAN_ZH, 0, !f->org_suffix_removed, &v);
        if (rc != SHN_OK)
            goto out;
        push(f, &v);
    } else {
        int origin = SHN_ORIGIN_LATIN;
        if (has_kind(&w->name, RUN_HANGUL))
            origin = SHN_ORIGIN_HANGUL;
        else if (has_kind(&w->name, RUN_KANA))
            origin = SHN_ORIGIN_KANA;
        else if (has_kind(&w->name, RUN_OTHER))
            origin = SHN_ORIGIN_OTHER;
        rc = build(&w->name, &base, origin, 0, !f->org_suffix_removed, &v);
        if (rc != SHN_OK)
            goto out;
        push(f, &v);
    }
    if (has_katakana(&w->name)) {
        rc = build(&w->name, &ko, SHN_ORIGIN_KANA_KO, 0, !f->org_suffix_removed, &v);
        if (rc != SHN_OK)
            goto out;
        push(f, &v);
        rc = build(&w->name, &ko_n, SHN_ORIGIN_KANA_KO, 0, !f->org_suffix_removed, &v);
        if (rc != SHN_OK)
            goto out;
        push(f, &v);
    }
out:
    return rc;
}

int shn_names_analyze(const char *name, const char *reading, struct shn_name_forms *out)
{
    /* About 40 KiB; on the stack so that a query allocates nothing. */
    struct work w;
    int rc;

    if (!name || !out)
        return SHN_ERR_INVALID;
    rc = analyze(&w, name, reading);
    if (rc == SHN_OK)
        memcpy(out, &w.forms, sizeof(w.forms));
    return rc;
}
