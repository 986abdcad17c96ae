/* Han characters (Hanja, Kanji, Hanzi): Korean and Mandarin readings from
 * the Unihan table generated at build time (scripts/gen-unihan.py), and the
 * alignment of a caller's kana reading with a Japanese name's kanji.
 *
 * Japanese readings of kanji are never guessed: a kanji has many, and names
 * use irregular ones (nanori). The on/kun readings serve only to find where
 * the surname ends inside a reading such as たなかたろう for 田中太郎. */
#include <string.h>

#include "names_internal.h"

const struct shn__han_entry *shn__han_lookup(uint32_t cp)
{
    size_t lo = 0, hi = shn__han_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (shn__han_table[mid].cp < cp)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < shn__han_count && shn__han_table[lo].cp == cp)
        return &shn__han_table[lo];
    return NULL;
}

uint32_t shn__han_korean(uint32_t cp, bool surname)
{
    const struct shn__han_entry *e = shn__han_lookup(cp);
    uint16_t r;

    if (!e)
        return 0;
    /* 金 is 금 (gold) first and 김 as a name; 李 stays 리, which the fold
     * keys like 이, Ri, Lee and Yi. */
    r = surname ? e->ko_name : e->ko;
    return r ? SHN_HANGUL_FIRST + r - 1u : 0;
}

const char *shn__han_mandarin(uint32_t cp)
{
    const struct shn__han_entry *e = shn__han_lookup(cp);

    return e ? shn__han_pool + e->zh : "";
}

static const uint32_t compound_surnames[][2] = {
    {0x6B50, 0x967D}, /* 歐陽 */ {0x6B27, 0x9633}, /* 欧阳 */ {0x53F8, 0x99AC}, /* 司馬 */
    {0x53F8, 0x9A6C}, /* 司马 */ {0x8AF8, 0x845B}, /* 諸葛 */ {0x8BF8, 0x845B}, /* 诸葛 */
    {0x4E0A, 0x5B98}, /* 上官 */ {0x6771, 0x65B9}, /* 東方 */ {0x4E1C, 0x65B9}, /* 东方 */
    {0x7687, 0x752B}, /* 皇甫 */ {0x4EE4, 0x72D0}, /* 令狐 */ {0x516C, 0x5B6B}, /* 公孫 */
    {0x516C, 0x5B59}, /* 公孙 */ {0x590F, 0x4FAF}, /* 夏侯 */ {0x5C09, 0x9072}, /* 尉遲 */
    {0x5C09, 0x8FDF}, /* 尉迟 */ {0x9577, 0x5B6B}, /* 長孫 */ {0x957F, 0x5B59}, /* 长孙 */
    {0x6155, 0x5BB9}, /* 慕容 */ {0x5B87, 0x6587}, /* 宇文 */ {0x53F8, 0x5F92}, /* 司徒 */
    {0x5357, 0x5BAE}, /* 南宮 */ {0x5357, 0x5BAB}, /* 南宫 */ {0x9BAE, 0x4E8E}, /* 鮮于 */
    {0x9C9C, 0x4E8E}, /* 鲜于 */ {0x7368, 0x5B64}, /* 獨孤 */ {0x72EC, 0x5B64}, /* 独孤 */
    {0x53F8, 0x7A7A}, /* 司空 */ {0x897F, 0x9580},                              /* 西門 */
};

size_t shn__han_surname_len(const uint32_t *s, size_t n)
{
    if (n < 3)
        return 1;
    for (size_t i = 0; i < sizeof(compound_surnames) / sizeof(compound_surnames[0]); i++)
        if (s[0] == compound_surnames[i][0] && s[1] == compound_surnames[i][1])
            return 2;
    return 1;
}

/* ---- Aligning a kana reading with kanji ------------------------------ */

#define ALIGN_MAX_CHARS 12

/* The voiced form of a reading's first consonant (rendaku: 田 ta -> da in
 * 山田), written into v; false when it has none. */
static bool voiced(const char *w, size_t wl, char *v, size_t cap)
{
    static const struct {
        const char *plain, *voiced;
    } pairs[] = {
        {"sh", "j"}, {"ch", "j"}, {"ts", "z"}, {"f", "b"},
        {"k", "g"},  {"s", "z"},  {"t", "d"},  {"h", "b"},
    };
    bool found = false;

    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]) && !found; i++) {
        size_t pl = strlen(pairs[i].plain), vl = strlen(pairs[i].voiced);
        if (wl < pl || strncmp(w, pairs[i].plain, pl) || vl + (wl - pl) + 1 > cap)
            continue;
        memcpy(v, pairs[i].voiced, vl);
        memcpy(v + vl, w + pl, wl - pl);
        v[vl + wl - pl] = '\0';
        found = true;
    }
    return found;
}

static bool vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* Records that a character can end at q when it starts at p (first path
 * found wins; any complete path will do). */
static void set(uint8_t *reach, size_t q, size_t p)
{
    if (!reach[q])
        reach[q] = (uint8_t)(p + 1);
}

/* Marks in `reach` every position of r where the reading w (len wl) can end
 * when it starts at p: whole, cut after any mora of at least two letters
 * (okurigana: 正 tadashii -> tada), or with its last mora turned into a
 * doubled consonant (っ: 日 nichi -> nit- in 日光 nikkou). */
static void mark(const char *r, size_t rl, size_t p, const char *w, size_t wl, uint8_t *reach)
{
    for (size_t cut = 2; cut <= wl; cut++) {
        if (cut < wl && !vowel(w[cut - 1]) && w[cut - 1] != 'n')
            continue;
        if (p + cut <= rl && !memcmp(r + p, w, cut))
            set(reach, p + cut, p);
    }
    if (wl == 1 && p + 1 <= rl && r[p] == w[0])
        set(reach, p + 1, p);
    if (wl >= 3 && (!strcmp(w + wl - 3, "tsu") || !strcmp(w + wl - 3, "chi") ||
                    !strcmp(w + wl - 2, "ku") || !strcmp(w + wl - 2, "ki"))) {
        size_t stem = wl - (w[wl - 3] == 't' || w[wl - 3] == 'c' ? 3 : 2);
        if (!strcmp(w + wl - 2, "ku") || !strcmp(w + wl - 2, "ki"))
            stem = wl - 2;
        if (stem && p + stem + 1 < rl && !memcmp(r + p, w, stem) && !vowel(r[p + stem]) &&
            (r[p + stem] == r[p + stem + 1] || (r[p + stem] == 't' && r[p + stem + 1] == 'c')))
            set(reach, p + stem + 1, p);
    }
}

size_t shn__han_reading_split(const uint32_t *s, size_t n, const char *reading, size_t len)
{
    /* reach[i][p] != 0: the first i characters can read as reading[0..p),
     * and the i-th character then starts at reach[i][p] - 1. */
    uint8_t reach[ALIGN_MAX_CHARS + 1][SHN_FOLD_MAX];
    size_t k, p, split = 0;

    if (n < 2 || n > ALIGN_MAX_CHARS || len == 0 || len >= SHN_FOLD_MAX)
        goto out;
    memset(reach, 0, sizeof(reach));
    reach[0][0] = 1;
    for (size_t i = 0; i < n; i++) {
        uint32_t cp = s[i] == 0x3005 && i > 0 ? s[i - 1] : s[i]; /* 々 repeats */
        const struct shn__han_entry *e = shn__han_lookup(cp);

        if (!e || !e->ja)
            goto out;
        for (p = 0; p < len; p++) {
            const char *w = shn__han_pool + e->ja;
            if (!reach[i][p])
                continue;
            while (*w) {
                size_t wl = strcspn(w, " ");
                char v[SHN_FOLD_MAX];
                if (wl < sizeof(v)) {
                    mark(reading, len, p, w, wl, reach[i + 1]);
                    if (i > 0 && voiced(w, wl, v, sizeof(v)))
                        mark(reading, len, p, v, strlen(v), reach[i + 1]);
                }
                w += wl;
                while (*w == ' ')
                    w++;
            }
        }
    }
    if (!reach[n][len])
        goto out;
    /* Surname length: half the characters, rounded up (田中|太郎, 山田|花子;
     * 佐藤|健 for three: a guess documented in docs/names.md). */
    k = (n + 1) / 2;
    p = len;
    for (size_t i = n; i > k; i--)
        p = (size_t)reach[i][p] - 1u;
    if (p < len)
        split = p;
out:
    return split;
}
