/* Kana to Latin: Hepburn romaji for Japanese, and a Korean-style reading of
 * katakana for Korean names written the Japanese way (キム・ジョンウン).
 *
 * Japanese transcriptions of Korean add a vowel to each final consonant
 * (김 -> キム, 박 -> パク, 철 -> チョル) and write both 은 and 영 with ン.
 * The Korean reading drops that vowel from ム ル ク プ when they close a
 * syllable (after an onset mora, before a consonant mora or at the end) and
 * guesses ng or n for ン from the mora before it; SHN_KANA_KO_N writes
 * every ン as n, so the caller can offer both readings. */
#include <string.h>

#include "names_internal.h"

/* Katakana U+30A1..U+30FA. Small kana are marked with a leading '~'. */
static const char *const kata[0x30FA - 0x30A1 + 1] = {
    "~a",  "a",   "~i",  "i",  "~u",   "u",   "~e", "e",  "~o", "o",  /* ァ..オ */
    "ka",  "ga",  "ki",  "gi", "ku",   "gu",  "ke", "ge", "ko", "go", /* カ..ゴ */
    "sa",  "za",  "shi", "ji", "su",   "zu",  "se", "ze", "so", "zo", /* サ..ゾ */
    "ta",  "da",  "chi", "ji", "~tsu", "tsu", "zu", "te", "de", "to", /* タ..ト */
    "do",  "na",  "ni",  "nu", "ne",   "no",                          /* ド..ノ */
    "ha",  "ba",  "pa",  "hi", "bi",   "pi",  "fu", "bu", "pu",       /* ハ..プ */
    "he",  "be",  "pe",  "ho", "bo",   "po",                          /* ヘ..ポ */
    "ma",  "mi",  "mu",  "me", "mo",                                  /* マ..モ */
    "~ya", "ya",  "~yu", "yu", "~yo",  "yo",                          /* ャ..ヨ */
    "ra",  "ri",  "ru",  "re", "ro",                                  /* ラ..ロ */
    "~wa", "wa",  "i",   "e",  "o",    "n",                           /* ヮ..ン */
    "vu",  "~ka", "~ke", "va", "vi",   "ve",  "vo",                   /* ヴ..ヺ */
};

/* Small katakana for Ainu and Korean finals, U+31F0..U+31FF. */
static const char *const kata_ext[16] = {
    "k", "sh", "s", "t", "n", "h", "h", "p", "h", "h", "m", "r", "r", "l", "r", "r",
};

#define KANA_SMALL_TSU 0x30C3u
#define KANA_N 0x30F3u
#define KANA_LONG 0x30FCu

static uint32_t to_katakana(uint32_t cp)
{
    if (cp >= 0x3041 && cp <= 0x3096)
        return cp + 0x60;
    if (cp == 0x309D || cp == 0x309E)
        return cp + 0x60;
    return cp;
}

static const char *romaji(uint32_t k)
{
    if (k >= 0x30A1 && k <= 0x30FA)
        return kata[k - 0x30A1];
    if (k >= 0x31F0 && k <= 0x31FF)
        return kata_ext[k - 0x31F0];
    return "";
}

static bool is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* One mora: its romaji and how many code points it used. */
struct mora {
    char s[8];
    size_t used;
    uint32_t base; /* the katakana that carried it */
};

static void copy(char *dst, size_t cap, const char *src)
{
    size_t n = strlen(src);

    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Reads the mora at k[i] (katakana code points), combining a base kana with
 * a following small ャュョ or ァィゥェォ (キャ kya, シュ shu, チェ che,
 * ファ fa, ウィ wi, クァ kwa, イェ ye). */
static void read_mora(const uint32_t *k, size_t n, size_t i, struct mora *m)
{
    const char *r = romaji(k[i]);
    const char *small;
    char stem[8];
    size_t sl;

    m->used = 1;
    m->base = k[i];
    if (r[0] == '~')
        r++;
    copy(m->s, sizeof(m->s), r);
    if (i + 1 >= n || r[0] == '\0')
        return;
    small = romaji(k[i + 1]);
    if (small[0] != '~' || k[i + 1] == KANA_SMALL_TSU)
        return;
    small++;
    /* Only small vowels, ャュョ and ヮ combine (not ヵ ヶ). */
    if (!is_vowel(small[0]) && small[0] != 'y' && small[0] != 'w')
        return;
    sl = strlen(r);
    copy(stem, sizeof(stem), r);
    if (small[0] == 'y') {
        /* Yōon: the base must end in i (キ, シ, チ...). */
        if (sl < 2 || r[sl - 1] != 'i')
            return;
        stem[sl - 1] = '\0';
        if (!strcmp(stem, "sh") || !strcmp(stem, "ch") || !strcmp(stem, "j"))
            small++;
    } else if (!strcmp(r, "i")) {
        copy(stem, sizeof(stem), "y");
    } else if (!strcmp(r, "u") || !strcmp(r, "ku") || !strcmp(r, "gu")) {
        stem[sl - 1] = 'w';
    } else if (is_vowel(r[sl - 1]) && sl >= 2) {
        stem[sl - 1] = '\0'; /* シェ she, チェ che, ファ fa, ティ ti */
    } else {
        return;
    }
    if (small[0] == 'w')
        small++;
    if (strlen(stem) + strlen(small) + 1 > sizeof(m->s))
        return;
    copy(m->s, sizeof(m->s), stem);
    copy(m->s + strlen(m->s), sizeof(m->s) - strlen(m->s), small);
    m->used = 2;
}

/* Korean readings of ン after these morae are usually ng (영, 정, 경, 명,
 * 성, 홍, 동, 강, 장, 상, 광, 황, 양), else n (만, 건, 은, 진, 민, 현). */
static bool guess_ng(const char *prev)
{
    static const char *const ng_after[] = {
        "yo", "jo", "cho", "kyo", "gyo", "myo", "pyo", "byo", "ryo", "nyo", "so", "ho",  "do",
        "to", "ka", "ga",  "cha", "ja",  "sa",  "kwa", "gwa", "fa",  "hya", "ya", "ryu",
    };
    for (size_t i = 0; i < sizeof(ng_after) / sizeof(ng_after[0]); i++)
        if (!strcmp(prev, ng_after[i]))
            return true;
    return false;
}

/* ム ル ク プ and the small finals ㇺ ㇽ ㇰ ㇷ can close a Korean syllable. */
static char final_consonant(uint32_t k)
{
    switch (k) {
    case 0x30E0:
    case 0x31FA:
        return 'm';
    case 0x30EB:
    case 0x31FD:
        return 'l';
    case 0x30AF:
    case 0x31F0:
        return 'k';
    case 0x30D7:
    case 0x31F7:
        return 'p';
    default:
        return '\0';
    }
}

void shn__kana_romanize(const uint32_t *s, size_t n, enum shn__kana_style style,
                        struct shn__latin *out)
{
    uint32_t k[SHN_FOLD_MAX];
    size_t nk = 0, i = 0;
    bool gem = false, prev_onset = false;
    char prev[8] = "";

    /* Katakana only; voicing marks that did not compose are dropped, except
     * ㇷ゚ (a Korean final p). */
    for (size_t j = 0; j < n && nk < SHN_FOLD_MAX; j++) {
        uint32_t c = to_katakana(s[j]);
        if (c == 0x3099 || c == 0x309A)
            continue;
        k[nk++] = c;
    }

    while (i < nk) {
        struct mora m;
        uint32_t c = k[i];

        if (c == KANA_SMALL_TSU) {
            gem = true;
            prev_onset = false;
            i++;
            continue;
        }
        if (c == KANA_LONG || c == 0x30FD || c == 0x30FE) {
            i++;
            continue;
        }
        if (c == KANA_N) {
            if (style == SHN_KANA_KO && guess_ng(prev))
                shn__latin_puts(out, "ng");
            else
                shn__latin_putc(out, 'n');
            prev_onset = false;
            prev[0] = '\0';
            gem = false;
            i++;
            continue;
        }
        if (style != SHN_KANA_JA && final_consonant(c) && (prev_onset || (c >= 0x31F0))) {
            /* A final when nothing follows or a consonant mora does. */
            bool closes = c >= 0x31F0 || i + 1 >= nk;
            if (!closes) {
                struct mora next;
                read_mora(k, nk, i + 1, &next);
                closes = next.s[0] != '\0' && !is_vowel(next.s[0]) && next.s[0] != 'y' &&
                         next.s[0] != 'w' && k[i + 1] != KANA_N && k[i + 1] != KANA_LONG;
            }
            if (closes) {
                shn__latin_putc(out, final_consonant(c));
                prev_onset = false;
                prev[0] = '\0';
                gem = false;
                i++;
                continue;
            }
        }
        read_mora(k, nk, i, &m);
        if (gem && m.s[0] && !is_vowel(m.s[0]))
            shn__latin_putc(out, m.s[0] == 'c' ? 't' : m.s[0]);
        gem = false;
        shn__latin_puts(out, m.s);
        copy(prev, sizeof(prev), m.s);
        prev_onset = m.s[0] != '\0';
        i += m.used;
    }
}
