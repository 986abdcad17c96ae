#define _GNU_SOURCE /* memmem */
/* Evidence that needs no model: scripts that do not belong in Japanese
 * (simplified Chinese, Hangul, half-width katakana), spaces between words,
 * Western punctuation after Japanese, and stiff machine-translation
 * phrases. Each finding is a character span with its reasons. */
#include <stdio.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/utf8.h"
#include "text_internal.h"

bool shn__text_is_hiragana(uint32_t cp)
{
    return cp >= 0x3041 && cp <= 0x309F;
}

bool shn__text_is_katakana(uint32_t cp)
{
    return (cp >= 0x30A0 && cp <= 0x30FF) || (cp >= 0x31F0 && cp <= 0x31FF);
}

bool shn__text_is_han(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F) || cp == 0x3005;
}

bool shn__text_is_hangul(uint32_t cp)
{
    return (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0x1100 && cp <= 0x11FF) ||
           (cp >= 0x3130 && cp <= 0x318F) || (cp >= 0xA960 && cp <= 0xA97F) ||
           (cp >= 0xD7B0 && cp <= 0xD7FF) || (cp >= 0xFFA0 && cp <= 0xFFDC);
}

bool shn__text_is_halfwidth_kana(uint32_t cp)
{
    return cp >= 0xFF66 && cp <= 0xFF9F;
}

static bool is_japanese(uint32_t cp)
{
    return shn__text_is_hiragana(cp) || shn__text_is_katakana(cp) || shn__text_is_han(cp);
}

static bool is_latin(uint32_t cp)
{
    return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
           (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
           (cp >= 0xFF21 && cp <= 0xFF3A) || (cp >= 0xFF41 && cp <= 0xFF5A);
}

/* Letters of other scripts (Cyrillic, Greek, Arabic, Thai...): anything
 * past Latin that is not CJK punctuation, a symbol or an emoji. */
static bool is_other_letter(uint32_t cp)
{
    if (cp < 0x370 || (cp >= 0x2000 && cp <= 0x2BFF) || (cp >= 0x3000 && cp <= 0x303F) ||
        (cp >= 0xFE00 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFFEF) || cp >= 0x1F000 ||
        cp == 0xFFFD)
        return false;
    return true;
}

void shn__text_add(struct shn__text_work *w, int kind, size_t start, size_t end, double weight,
                   const char *en, const char *ja)
{
    struct shn_text_finding *f;

    w->total++;
    w->weight_sum += weight;
    if (w->n >= SHN_TEXT_MAX_FINDINGS)
        return;
    if (!w->f) {
        w->f = shn_calloc(SHN_TEXT_MAX_FINDINGS, sizeof *w->f);
        if (!w->f) {
            w->err = SHN_ERR_NOMEM;
            return;
        }
    }
    f = &w->f[w->n++];
    f->start = start;
    f->end = end;
    f->kind = kind;
    f->weight = weight;
    snprintf(f->en, sizeof f->en, "%s", en);
    snprintf(f->ja, sizeof f->ja, "%s", ja);
}

/* The characters [start, end) as UTF-8, shortened to fit out. */
static void quote(const struct shn__text_work *w, size_t start, size_t end, char *out, size_t size)
{
    size_t len = 0;

    for (size_t i = start; i < end && i < w->n_chars; i++) {
        char u[4];
        size_t n = shn_utf8_encode(w->cps[i], u);
        if (n == 0 || len + n + 4 >= size) {
            if (len + 4 < size) {
                memcpy(out + len, "...", 3);
                len += 3;
            }
            break;
        }
        memcpy(out + len, u, n);
        len += n;
    }
    out[len] = '\0';
}

static size_t run_end(const struct shn__text_work *w, size_t i, bool (*in)(uint32_t))
{
    while (i < w->n_chars && in(w->cps[i]))
        i++;
    return i;
}

static bool is_space(uint32_t cp)
{
    return cp == ' ' || cp == 0x3000;
}

void shn__text_char_evidence(struct shn__text_work *w, struct shn_text_mix *mix)
{
    size_t kana = 0, han = 0, hangul = 0, latin = 0, other = 0, letters;
    bool has_ja_punct = false, has_wide_punct = false;
    char q[64], en[160], ja[192];

    for (size_t i = 0; i < w->n_chars; i++) {
        uint32_t cp = w->cps[i];
        if (cp == 0x3001 || cp == 0x3002)
            has_ja_punct = true;
        if (cp == 0xFF0C || cp == 0xFF0E)
            has_wide_punct = true;
    }
    for (size_t i = 0; i < w->n_chars;) {
        uint32_t cp = w->cps[i];
        uint32_t prev = i > 0 ? w->cps[i - 1] : 0;

        if (shn__text_is_hiragana(cp) || shn__text_is_katakana(cp) ||
            shn__text_is_halfwidth_kana(cp))
            kana++;
        else if (shn__text_is_han(cp))
            han++;
        else if (shn__text_is_hangul(cp))
            hangul++;
        else if (is_latin(cp))
            latin++;
        else if (is_other_letter(cp))
            other++;

        if (shn__text_is_simplified_only(cp)) {
            quote(w, i, i + 1, q, sizeof q);
            snprintf(en, sizeof en, "simplified Chinese character %s, not used in Japanese", q);
            snprintf(ja, sizeof ja, "日本語で使わない簡体字「%s」", q);
            shn__text_add(w, SHN_TEXT_SIMPLIFIED_HAN, i, i + 1, 0.8, en, ja);
        } else if (shn__text_is_hangul(cp)) {
            size_t end = run_end(w, i, shn__text_is_hangul);
            quote(w, i, end, q, sizeof q);
            snprintf(en, sizeof en, "Hangul %s inside the text", q);
            snprintf(ja, sizeof ja, "ハングル「%s」が混ざっている", q);
            shn__text_add(w, SHN_TEXT_HANGUL, i, end, 1.0, en, ja);
            hangul += end - i - 1;
            i = end;
            continue;
        } else if (shn__text_is_halfwidth_kana(cp)) {
            size_t end = run_end(w, i, shn__text_is_halfwidth_kana);
            quote(w, i, end, q, sizeof q);
            snprintf(en, sizeof en, "half-width katakana %s", q);
            snprintf(ja, sizeof ja, "半角カタカナ「%s」", q);
            shn__text_add(w, SHN_TEXT_HALFWIDTH_KANA, i, end, 0.3, en, ja);
            kana += end - i - 1;
            i = end;
            continue;
        } else if (is_space(cp) && i > 0 && is_japanese(prev)) {
            /* A space between two Japanese words. Not between two kanji or
             * two katakana words: that is how names are written. */
            size_t end = run_end(w, i, is_space);
            uint32_t next = end < w->n_chars ? w->cps[end] : 0;
            bool names = (shn__text_is_han(prev) && shn__text_is_han(next)) ||
                         (shn__text_is_katakana(prev) && shn__text_is_katakana(next));
            if (is_japanese(next) && !names) {
                bool wide = cp == 0x3000;
                snprintf(en, sizeof en, "%s between words (Japanese is written without spaces)",
                         wide ? "full-width space" : "space");
                snprintf(ja, sizeof ja, "単語の間に%s（日本語では分かち書きしない）",
                         wide ? "全角スペース" : "スペース");
                shn__text_add(w, SHN_TEXT_SPACING, i, end, wide ? 0.15 : 0.35, en, ja);
            }
            i = end;
            continue;
        } else if ((cp == ',' || cp == '.') && i > 0 && is_japanese(prev)) {
            uint32_t next = i + 1 < w->n_chars ? w->cps[i + 1] : 0;
            if (next == 0 || next == '\n' || is_space(next) || is_japanese(next)) {
                snprintf(en, sizeof en, "Western '%c' after Japanese (Japanese uses %s)", (char)cp,
                         cp == ',' ? "、" : "。");
                snprintf(ja, sizeof ja, "日本語の後に半角「%c」（通常は「%s」）", (char)cp,
                         cp == ',' ? "、" : "。");
                shn__text_add(w, SHN_TEXT_PUNCTUATION, i, i + 1, 0.3, en, ja);
            }
        } else if ((cp == 0xFF0C || cp == 0xFF0E) && has_ja_punct && has_wide_punct) {
            snprintf(en, sizeof en, "%s mixed with 、。 in the same text",
                     cp == 0xFF0C ? "，" : "．");
            snprintf(ja, sizeof ja, "「%s」と「、。」が混在している", cp == 0xFF0C ? "，" : "．");
            shn__text_add(w, SHN_TEXT_PUNCTUATION, i, i + 1, 0.2, en, ja);
        }
        i++;
    }
    letters = kana + han + hangul + latin + other;
    memset(mix, 0, sizeof *mix);
    if (letters) {
        mix->kana = (double)kana / (double)letters;
        mix->han = (double)han / (double)letters;
        mix->hangul = (double)hangul / (double)letters;
        mix->latin = (double)latin / (double)letters;
        mix->other = (double)other / (double)letters;
    }
}

/* Phrases that natural Japanese rarely writes but translation from English
 * or Korean produces: explicit pronouns and possessives, "have experience",
 * the self-introduction formula. Weights are low: each is weak alone. */
static const struct calque {
    const char *phrase;
    double weight;
    const char *en, *ja;
} calques[] = {
    {"私の名前は", 0.35, "'my name is' translated word for word",
     "「My name is」の直訳調（自然には「〜と申します」など）"},
    {"私は私の", 0.4, "pronoun repeated ('I ... my ...'), as translated", "代名詞の重複（翻訳調）"},
    {"あなたのために", 0.3, "'for you' translated word for word", "「for you」の直訳調"},
    {"あなたの", 0.2, "explicit 'your' that Japanese usually leaves out",
     "日本語では普通省く「あなたの」"},
    {"あなたは", 0.2, "explicit 'you' that Japanese usually leaves out",
     "日本語では普通省く「あなたは」"},
    {"あなたを", 0.2, "explicit 'you' that Japanese usually leaves out",
     "日本語では普通省く「あなたを」"},
    {"経験を持って", 0.35, "'have experience' translated word for word",
     "「have experience」の直訳（自然には「経験があります」）"},
    {"スキルを持って", 0.3, "'have skills' translated word for word", "「have skills」の直訳調"},
    {"知識を持って", 0.25, "'have knowledge' translated word for word",
     "「have knowledge」の直訳調"},
    {"こんにちは、私は", 0.3, "'Hello, I am' opening, as translated",
     "「Hello, I am」の直訳調の書き出し"},
    {"こんにちは！私は", 0.3, "'Hello, I am' opening, as translated",
     "「Hello, I am」の直訳調の書き出し"},
};

static void find_all(struct shn__text_work *w, const char *needle, double weight, const char *en,
                     const char *ja, size_t skip_first)
{
    size_t nlen = strlen(needle), seen = 0;
    const char *p = w->clean, *end = w->clean + w->clean_len;

    while (p < end) {
        const char *hit = memmem(p, (size_t)(end - p), needle, nlen);
        if (!hit)
            break;
        size_t b = (size_t)(hit - w->clean);
        if (seen++ >= skip_first)
            shn__text_add(w, SHN_TEXT_CALQUE, w->char_at[b], w->char_at[b + nlen], weight, en, ja);
        p = hit + nlen;
    }
}

void shn__text_calques(struct shn__text_work *w)
{
    bool covered_anata = false;

    for (size_t i = 0; i < sizeof calques / sizeof calques[0]; i++) {
        const struct calque *c = &calques[i];
        /* あなたのために already counts its あなたの */
        if (strcmp(c->phrase, "あなたの") == 0 && covered_anata)
            continue;
        size_t before = w->total;
        find_all(w, c->phrase, c->weight, c->en, c->ja, 0);
        if (strcmp(c->phrase, "あなたのために") == 0 && w->total > before)
            covered_anata = true;
    }
    /* 私は in every sentence: the subject English needs and Japanese drops.
     * The first two are fine; every one after is marked. */
    find_all(w, "私は", 0.2, "'I' as subject again and again, as translated",
             "「私は」の繰り返し（日本語では主語を省くのが自然）", 2);
}
