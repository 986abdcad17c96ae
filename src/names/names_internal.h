/* Private to the names module: the similarity threshold its two halves
 * share, and for the name analyser (names.c, fold.c, hangul.c, kana.c,
 * han.c, translit.c) the pieces that turn one script into Latin letters.
 *
 * Every romanizer appends lowercase ASCII to a caller-owned `struct
 * shn__latin` that silently stops at its capacity (names are bounded, so
 * truncation is the documented behaviour rather than an error). */
#ifndef SHN_NAMES_INTERNAL_H
#define SHN_NAMES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/alloc.h"
#include "shinsa/names.h"

/* A bounded ASCII output buffer. `len` never exceeds SHN_FOLD_MAX - 1: one
 * romanized token is at most that long (longer tokens are cut). */
struct shn__latin {
    char s[SHN_FOLD_MAX];
    size_t len;
};

static inline void shn__latin_putc(struct shn__latin *o, char c)
{
    if (o->len + 1 < sizeof(o->s))
        o->s[o->len++] = c;
    o->s[o->len] = '\0';
}

static inline void shn__latin_puts(struct shn__latin *o, const char *str)
{
    while (*str)
        shn__latin_putc(o, *str++);
}

/* ---- Similarity (similarity.c, align.c) ------------------------------ */

/* The least similarity at which two long tokens align (align.c raises it
 * for short tokens); shn_names_token_similarity() gives 0 below it when
 * the length difference alone rules it out. */
#define SHN_NAMES_MIN_PAIR_SIM 0.75

/* ---- Hangul (hangul.c) ---------------------------------------------- */

#define SHN_HANGUL_FIRST 0xAC00u
#define SHN_HANGUL_LAST 0xD7A3u

static inline bool shn__is_hangul(uint32_t cp)
{
    return cp >= SHN_HANGUL_FIRST && cp <= SHN_HANGUL_LAST;
}

/* Appends the Revised Romanization of one precomposed syllable, syllable by
 * syllable (no sound changes across syllables, finals by representative
 * sound). */
void shn__hangul_romanize(uint32_t syllable, struct shn__latin *out);

/* Number of leading syllables of s[0..n) that form the surname: 2 for the
 * known two-syllable surnames (남궁, 황보...) when the name is long enough,
 * else 1. */
size_t shn__hangul_surname_len(const uint32_t *s, size_t n);

/* ---- Kana (kana.c) -------------------------------------------------- */

static inline bool shn__is_kana(uint32_t cp)
{
    return (cp >= 0x3041 && cp <= 0x3096) || (cp >= 0x30A1 && cp <= 0x30FA) || cp == 0x30FC ||
           cp == 0x3099 || cp == 0x309A || cp == 0x309D || cp == 0x309E || cp == 0x30FD ||
           cp == 0x30FE || (cp >= 0x31F0 && cp <= 0x31FF);
}

static inline bool shn__is_katakana(uint32_t cp)
{
    return (cp >= 0x30A1 && cp <= 0x30FA) || (cp >= 0x31F0 && cp <= 0x31FF);
}

enum shn__kana_style {
    SHN_KANA_JA = 0,   /* Hepburn romaji: キム -> kimu */
    SHN_KANA_KO = 1,   /* Korean-style: キム -> kim, ヨン -> yong (guessed ng) */
    SHN_KANA_KO_N = 2, /* Korean-style with every ン as n: ヨン -> yon */
};

/* Romanizes the kana run s[0..n) (code points) and appends it to `out`. */
void shn__kana_romanize(const uint32_t *s, size_t n, enum shn__kana_style style,
                        struct shn__latin *out);

/* ---- Han (han.c + the generated table) ------------------------------ */

struct shn__han_entry {
    uint32_t cp;
    uint16_t ko;      /* Hangul syllable - 0xAC00 + 1 of the first kHangul reading; 0 none */
    uint16_t ko_name; /* the same for the first reading marked N (used in names) */
    uint32_t zh;      /* offset in shn__han_pool of the toneless pinyin; 0 = none */
    uint32_t ja;      /* offset of the on/kun readings, space-separated; 0 = none */
};

extern const struct shn__han_entry shn__han_table[];
extern const size_t shn__han_count;
extern const char shn__han_pool[];

static inline bool shn__is_han(uint32_t cp)
{
    return (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3134F) || cp == 0x3005;
}

/* The table row of a Han character, or NULL. */
const struct shn__han_entry *shn__han_lookup(uint32_t cp);

/* Korean reading of one Han character as a Hangul syllable (0 if unknown);
 * `surname` prefers the reading marked as used in names (金 -> 김). */
uint32_t shn__han_korean(uint32_t cp, bool surname);

/* Mandarin reading without tones ("" if unknown); never NULL. */
const char *shn__han_mandarin(uint32_t cp);

/* Length in characters of a Chinese compound surname at the start of
 * s[0..n) (歐陽, 司馬, 諸葛...), else 1. */
size_t shn__han_surname_len(const uint32_t *s, size_t n);

/* Splits a romanized kana `reading` of the Han run s[0..n) into surname and
 * given name: aligns the reading with the characters' on/kun readings and
 * returns the byte offset in `reading` where the given name starts, or 0 if
 * the reading cannot be aligned. */
size_t shn__han_reading_split(const uint32_t *s, size_t n, const char *reading, size_t len);

/* ---- Other scripts through ICU (translit.c) ------------------------- */

/* Transliterates the run s[0..n) (code points, any script) to Latin ASCII
 * with a per-thread cached ICU transliterator; letters and digits are
 * appended lowercase, everything else is dropped. Returns SHN_OK,
 * SHN_ERR_NOMEM when this thread's cache cannot be allocated, or
 * SHN_ERR_ENCODING when ICU fails. */
int shn__translit_other(const uint32_t *s, size_t n, struct shn__latin *out);

/* NFKC with case folding of s[0..len) into out[0..cap) (code points);
 * Latin letters also lose their diacritics. Sets *n_out. Returns SHN_OK,
 * SHN_ERR_TOO_LARGE when the result does not fit, SHN_ERR_ENCODING. */
int shn__normalize_icu(const char *s, size_t len, uint32_t *out, size_t cap, size_t *n_out);

#endif
