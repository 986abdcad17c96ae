/* The names module: name analysis (any script in, comparable Latin keys
 * out) and name similarity, shared by screen, link and accounts.
 *
 * Pipeline for one name:
 *   1. NFKC, case folding, diacritics removed, punctuation to spaces, hyphens
 *      and apostrophes inside a word dropped (Jong-un -> jongun, Ch'ol -> chol);
 *      honorifics (Mr, Dr, 様, さん, 씨...) and organisation suffixes (LLC,
 *      Co., Ltd., Corporation, 株式会社, 有限公司, 주식회사...) removed.
 *   2. Script to Latin: Hangul by Korean rules; Kana to romaji (and a
 *      Korean-style reading of katakana: キム -> kim); Han characters through
 *      Unihan readings (Korean kHangul, and Mandarin via ICU); other scripts
 *      (Cyrillic, Arabic...) with ICU's Any-Latin; a kana `reading` given
 *      with a Japanese name is used in place of guessing the kanji.
 *   3. Each Latin token folded to a romanization-independent key
 *      (shn_names_fold_token): Kim/Gim, Ri/Lee/Yi, Pak/Park, Jong/Jung/Chong,
 *      Chol/Cheol/Chul... give the same key.
 *
 * One name can have several readings (kanji read as Korean or Chinese,
 * katakana read as Japanese or Korean): each is a variant. Query-time code
 * calls this per query, so it allocates nothing and is fast for ASCII.
 * Thread-safe (ICU objects are per thread).
 *
 * Rules, the fold table, limits and timings: docs/names.md. */
#ifndef SHN_NAMES_H
#define SHN_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHN_NAME_MAX_VARIANTS 4
#define SHN_NAME_MAX_TOKENS 12
#define SHN_NAME_TEXT 256 /* bytes, NUL included, of a variant's text or keys */
#define SHN_FOLD_MAX 64   /* bytes, NUL included, of one folded token */

enum shn_name_origin {
    SHN_ORIGIN_LATIN = 0,    /* written in Latin letters */
    SHN_ORIGIN_HANGUL = 1,   /* romanized from Hangul */
    SHN_ORIGIN_KANA = 2,     /* kana read as Japanese romaji */
    SHN_ORIGIN_KANA_KO = 3,  /* katakana read as a Korean name (キム -> kim) */
    SHN_ORIGIN_HANJA_KO = 4, /* Han characters read in Korean (Unihan kHangul) */
    SHN_ORIGIN_HAN_ZH = 5,   /* Han characters read in Mandarin (pinyin) */
    SHN_ORIGIN_READING = 6,  /* from the caller's kana reading */
    SHN_ORIGIN_OTHER = 7,    /* another script through ICU Any-Latin */
};

struct shn_name_variant {
    int origin;               /* enum shn_name_origin */
    int ntokens;              /* 0..SHN_NAME_MAX_TOKENS */
    char text[SHN_NAME_TEXT]; /* normalized Latin tokens, one space apart */
    char keys[SHN_NAME_TEXT]; /* folded keys, one space apart, same order */
};

struct shn_name_forms {
    int nvariants; /* 0 when nothing usable remained (e.g. only punctuation) */
    struct shn_name_variant v[SHN_NAME_MAX_VARIANTS];
    bool org_suffix_removed; /* an organisation suffix was dropped */
    bool honorific_removed;
};

/* Analyzes `name` (UTF-8, at most 1 KiB) and the optional kana `reading`
 * (NULL if none). Returns SHN_OK, SHN_ERR_ENCODING for invalid UTF-8 or
 * SHN_ERR_TOO_LARGE. Tokens past SHN_NAME_MAX_TOKENS are dropped.
 * Also SHN_ERR_INVALID for a NULL name or out, and SHN_ERR_NOMEM when a
 * thread's first name in another script cannot allocate its ICU cache. */
int shn_names_analyze(const char *name, const char *reading, struct shn_name_forms *out);

/* Folds one lowercase ASCII Latin token to its key (see docs/names.md);
 * writes at most SHN_FOLD_MAX bytes including the NUL. Returns the key
 * length (0 if nothing is left). */
size_t shn_names_fold_token(const char *token, size_t len, char *out);

#endif
