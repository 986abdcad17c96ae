/* Hangul syllables to Latin by the Revised Romanization of Korean (2000),
 * applied one syllable at a time. Names are romanized that way in Korean
 * passports (김정은 -> Gim Jeongeun, 박영식 -> Bak Yeongsik), and working
 * per syllable keeps fold(a) + fold(b) == fold(a + b) for given names. */
#include "names_internal.h"

/* Initial jamo in Unicode order: ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ */
static const char *const initials[19] = {
    "g",  "kk", "n", "d",  "tt", "r", "m", "b", "pp", "s",
    "ss", "",   "j", "jj", "ch", "k", "t", "p", "h",
};

/* Medial vowels: ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ */
static const char *const medials[21] = {
    "a",  "ae", "ya", "yae", "eo", "e",  "yeo", "ye", "o",  "wa", "wae",
    "oe", "yo", "u",  "wo",  "we", "wi", "yu",  "eu", "ui", "i",
};

/* Finals by their representative sound:
 * (none) ㄱ ㄲ ㄳ ㄴ ㄵ ㄶ ㄷ ㄹ ㄺ ㄻ ㄼ ㄽ ㄾ ㄿ ㅀ ㅁ ㅂ ㅄ ㅅ ㅆ ㅇ ㅈ ㅊ ㅋ ㅌ ㅍ ㅎ */
static const char *const finals[28] = {
    "",  "k", "k", "k", "n", "n", "n", "t",  "l", "k", "m", "l", "l", "l",
    "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
};

void shn__hangul_romanize(uint32_t syllable, struct shn__latin *out)
{
    uint32_t s;

    if (!shn__is_hangul(syllable))
        return;
    s = syllable - SHN_HANGUL_FIRST;
    shn__latin_puts(out, initials[s / 588]);
    shn__latin_puts(out, medials[(s % 588) / 28]);
    shn__latin_puts(out, finals[s % 28]);
}

/* Two-syllable Korean surnames. */
static const uint32_t compound_surnames[][2] = {
    {0xB0A8, 0xAD81}, /* 남궁 */
    {0xD669, 0xBCF4}, /* 황보 */
    {0xC81C, 0xAC08}, /* 제갈 */
    {0xC120, 0xC6B0}, /* 선우 */
    {0xB3C5, 0xACE0}, /* 독고 */
    {0xC0AC, 0xACF5}, /* 사공 */
    {0xC11C, 0xBB38}, /* 서문 */
    {0xB3D9, 0xBC29}, /* 동방 */
};

size_t shn__hangul_surname_len(const uint32_t *s, size_t n)
{
    if (n < 3)
        return 1;
    for (size_t i = 0; i < sizeof(compound_surnames) / sizeof(compound_surnames[0]); i++)
        if (s[0] == compound_surnames[i][0] && s[1] == compound_surnames[i][1])
            return 2;
    return 1;
}
