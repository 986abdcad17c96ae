/* text engine internals shared between its files (and the model trainer). */
#ifndef SHN_TEXT_TEXT_INTERNAL_H
#define SHN_TEXT_TEXT_INTERNAL_H

#include <mecab.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/buf.h"
#include "shinsa/core/err.h"
#include "shinsa/text.h"

#define SHN__TEXT_DEFAULT_DICDIR "/var/lib/mecab/dic/ipadic-utf8"

/* ---- word classes ----
 * A token's class is its part of speech (IPA tags: 品詞, 細分類1) and, for
 * conjugating words, its conjugation form; function words (particles,
 * auxiliaries, non-independent nouns and verbs, suffixes, prefixes,
 * pronouns, punctuation) also keep their base form, because which particle
 * follows which is exactly what non-native text gets wrong. "\x02" and
 * "\x03" are the sentence start and end. */
#define SHN__TEXT_BOS "\x02"
#define SHN__TEXT_EOS "\x03"
#define SHN__TEXT_CLASS_MAX 96

/* Writes the class of a MeCab node (feature CSV of the IPA dictionary) into
 * out[SHN__TEXT_CLASS_MAX]; returns its length. */
size_t shn__text_class(const char *feature, const char *surface, size_t surface_len, char *out);

/* ---- the model: counts of classes, class pairs and class triples ----
 * File layout: a section file (include/shinsa/core/section.h: magic
 * "SHNTXTM1", version, a CRC-32 per section, every bound checked), host
 * byte order inside the sections:
 *   META       struct shn__text_model_meta
 *   UNI        u32 uni[vocab]          STR_OFF  u32 str_off[vocab]
 *   STRINGS    NUL-terminated class strings
 *   BI_KEY     u64[n_bi]               BI_COUNT   u32[n_bi]
 *   TRI_KEY    u64[n_tri]              TRI_COUNT  u32[n_tri]
 * Keys are class ids packed 21 bits each (a<<42|b<<21|c), sorted. Triples
 * seen fewer than trigram_min times are left out (their count reads 0).
 * Version 2 moved the file onto the section file; version 1 is refused. */
#define SHN__TEXT_MODEL_MAGIC "SHNTXTM1"
#define SHN__TEXT_MODEL_VERSION 2u

enum {
    SHN__TEXT_SEC_META = 0,
    SHN__TEXT_SEC_UNI,
    SHN__TEXT_SEC_STR_OFF,
    SHN__TEXT_SEC_STRINGS,
    SHN__TEXT_SEC_BI_KEY,
    SHN__TEXT_SEC_BI_COUNT,
    SHN__TEXT_SEC_TRI_KEY,
    SHN__TEXT_SEC_TRI_COUNT,
    SHN__TEXT_SEC__COUNT
};

struct shn__text_model_meta {
    uint32_t vocab, n_bi, n_tri, trigram_min;
    uint64_t tokens, sentences;
};

struct shn_section_format;
extern const struct shn_section_format shn__text_model_format;
#define SHN__TEXT_MODEL_MAX_BYTES (256u << 20)
#define SHN__TEXT_NO_CLASS UINT32_MAX

struct shn__text_model {
    char *data; /* the whole file, owned */
    size_t size;
    uint32_t vocab;
    uint64_t tokens, sentences;
    uint32_t n_bi, n_tri, trigram_min;
    const uint32_t *uni, *str_off;
    const char *strings;
    size_t strings_bytes;
    const uint64_t *bi_key, *tri_key;
    const uint32_t *bi_count, *tri_count;
    /* class string -> id, open addressing over a power-of-two table */
    uint32_t *slots;
    size_t slot_mask;
};

static inline uint64_t shn__text_key(uint32_t a, uint32_t b, uint32_t c)
{
    return ((uint64_t)a << 42) | ((uint64_t)b << 21) | (uint64_t)c;
}

/* Loads and checks a model file; on success *m owns the data. */
int shn__text_model_load(const char *path, struct shn__text_model *m, struct shn_diag *diag);
/* Same from a caller-owned copy in memory (taken over on success). */
int shn__text_model_from_memory(char *data, size_t size, struct shn__text_model *m,
                                struct shn_diag *diag);
void shn__text_model_cleanup(struct shn__text_model *m);
uint32_t shn__text_model_id(const struct shn__text_model *m, const char *cls, size_t len);
uint32_t shn__text_model_bi(const struct shn__text_model *m, uint32_t a, uint32_t b);
uint32_t shn__text_model_tri(const struct shn__text_model *m, uint32_t a, uint32_t b, uint32_t c);

/* ---- character facts ---- */
bool shn__text_is_simplified_only(uint32_t cp);
bool shn__text_is_hiragana(uint32_t cp);
bool shn__text_is_katakana(uint32_t cp); /* full width, with ー */
bool shn__text_is_han(uint32_t cp);
bool shn__text_is_hangul(uint32_t cp);
bool shn__text_is_halfwidth_kana(uint32_t cp);

/* ---- one check's working state ----
 * `clean` is the text with invalid bytes replaced by U+FFFD and control
 * characters by spaces (what MeCab reads); cps[i] are the original code
 * points (invalid bytes as U+FFFD) and char_at[byte of clean] the code point
 * index, so that any byte span of clean maps back to a character span. */
struct shn__text_work {
    char *clean;
    size_t clean_len;
    uint32_t *cps;
    size_t n_chars;
    uint32_t *char_at; /* clean_len + 1 entries */
    struct shn_text_finding *f;
    size_t n, total;
    double weight_sum;
    int err; /* first allocation failure */
};

/* Records a finding (kept while fewer than SHN_TEXT_MAX_FINDINGS; always
 * counted in the score). */
void shn__text_add(struct shn__text_work *w, int kind, size_t start, size_t end, double weight,
                   const char *en, const char *ja);
/* Character-level evidence (scripts, spaces, punctuation) and the mix. */
void shn__text_char_evidence(struct shn__text_work *w, struct shn_text_mix *mix);
/* Stiff phrases typical of machine translation, found by substring. */
void shn__text_calques(struct shn__text_work *w);

#endif
