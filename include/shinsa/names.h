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

/* ---- Name similarity ------------------------------------------------- */

/* How alike two names are, 0..1, by the same name analysis and token
 * alignment as a watchlist query (any script; `a_reading`/`b_reading` are
 * optional kana readings that stand in for kanji, NULL if none): every
 * reading of one against every reading of the other, both ways, the best
 * kept. 0 when either name has nothing comparable left (only punctuation
 * or titles). Needs no index; thread-safe; allocates nothing. Returns
 * SHN_OK, SHN_ERR_INVALID (NULL a, b or out), SHN_ERR_ENCODING (invalid
 * UTF-8), SHN_ERR_TOO_LARGE (a field over 1 KiB) or SHN_ERR_NOMEM; *out is
 * untouched on error. */
int shn_names_similarity(const char *a, const char *a_reading, const char *b, const char *b_reading,
                         double *out);

/* ---- Token alignment ---------------------------------------------------
 * The rules shn_names_similarity() scores by, for a scorer that keeps one
 * side's tokens in its own store (the screen index keeps list names as
 * vocabulary ids and caches token similarities per query). One reading is
 * a list of folded tokens; its *elements* are the tokens (0..n-1), then
 * each adjacent pair joined (pair k = tokens k and k+1, at n + k), so that
 * "jong un" can meet "jongun". docs/names.md gives the formula. */

/* Only tokens of up to this many letters join into pairs: merging exists
 * for syllable-sized pieces of one name (Jong Un = Jongun, Abdul Rahman =
 * Abdulrahman); long words of company names never need it. */
#define SHN_NAMES_PAIR_MAX_TOKEN 6

static inline bool shn_names_pairable(size_t a, size_t b)
{
    return a <= SHN_NAMES_PAIR_MAX_TOKEN && b <= SHN_NAMES_PAIR_MAX_TOKEN;
}

/* Two whole tokens (or joined pairs) may align only when they are equal or
 * one deletion on each side apart, deletions counted in tokens of
 * SHN_NAMES_DELETE_MIN..SHN_NAMES_DELETE_MAX letters (shorter ones must be
 * equal to align anyway, see docs/names.md). A retrieval index that gives
 * every element these one-deletion keys therefore proposes every name that
 * can score above 0; the screen index does (screen/keys.c). */
#define SHN_NAMES_DELETE_MIN 5
#define SHN_NAMES_DELETE_MAX 24

/* True when a[0..alen) and b[0..blen) are equal or one deletion on each
 * side apart in the sense above. */
bool shn_names_within_one_deletion(const char *a, size_t alen, const char *b, size_t blen);

/* Similarity of two folded tokens or joined pairs, 0..1: the mean of
 * Jaro-Winkler and normalized edit similarity; 1 when equal; 0.8 for an
 * initial against a token it begins; 0 for tokens that may not align
 * (shn_names_within_one_deletion) or whose length difference alone rules
 * out the least pair similarity. */
float shn_names_token_similarity(const char *a, size_t alen, const char *b, size_t blen);

/* How much a reading is trusted: Han characters read in Korean (0.96) or
 * Mandarin (0.93) are guesses; every other origin is 1. */
double shn_names_origin_factor(int origin);

#define SHN_NAMES_ELEMENTS (2 * SHN_NAME_MAX_TOKENS - 1)

/* The shape of one side of an alignment: n tokens and the length of every
 * element (tokens at 0..n-1, pair k at n + k; 0 for a pair not joined). */
struct shn_names_side {
    int n;
    uint8_t len[SHN_NAMES_ELEMENTS];
};

/* The elements of one reading with their text, caller-owned and
 * self-contained (copies the tokens). text[] holds an empty string, the
 * tokens of a variant's keys and the joined pairs, each NUL-terminated. */
struct shn_names_elements {
    struct shn_names_side side;
    uint16_t off[SHN_NAMES_ELEMENTS]; /* of each element's text in text[] */
    char text[1 + SHN_NAME_TEXT + (SHN_NAME_MAX_TOKENS - 1) * (2 * SHN_NAMES_PAIR_MAX_TOKEN + 1)];
};

/* Fills `e` from space-separated folded keys (a variant's `keys`): at most
 * SHN_NAME_MAX_TOKENS tokens (and what fits in e->text), pairs joined where
 * shn_names_pairable(). */
void shn_names_elements_init(struct shn_names_elements *e, const char *keys);

/* The NUL-terminated text of element i ("" for a pair not joined). */
static inline const char *shn_names_element(const struct shn_names_elements *e, int i)
{
    return e->text + e->off[i];
}

/* The best alignment found: the aligned element pairs, in the order they
 * were chosen (most similar first). */
struct shn_names_alignment {
    double score;
    int n_pairs;
    int8_t q[SHN_NAME_MAX_TOKENS]; /* query element */
    int8_t n[SHN_NAME_MAX_TOKENS]; /* name element */
    float sim[SHN_NAME_MAX_TOKENS];
};

/* Similarity of query element qe and name element ne: the caller's
 * shn_names_token_similarity() of the two (possibly cached). */
typedef float (*shn_names_similarity_fn)(void *ctx, int qe, int ne);

/* Scores a query reading against a name, 0..1, by the alignment rules of
 * docs/names.md: greedy token pairs, the least similarity per token
 * length, initials, a missing middle name of the name side counted half,
 * and every segmentation that joins one adjacent pair on either side.
 * Asks `sim` only for the element pairs it needs. Fills *best with the
 * best alignment (score 0 and no pairs when nothing aligns). The side
 * that forgives a missing middle name is `name`. */
double shn_names_align(const struct shn_names_side *query, const struct shn_names_side *name,
                       shn_names_similarity_fn sim, void *ctx, struct shn_names_alignment *best);

#endif
