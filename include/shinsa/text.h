/* text: how natural a Japanese text reads, and the spans that give it away.
 *
 * One of the signs the National Police Agency gave platforms is Japanese
 * written by people who do not speak it, often through machine translation.
 * This engine scores a text (1 = reads as natural Japanese) and, above all,
 * lists findings: a character span, a kind, and a short reason in Japanese
 * and English, so that the judgement stays with the analyst.
 *
 * It stands on MeCab with the IPA dictionary (morphological analysis) and on
 * a small model of natural Japanese (counts of part-of-speech and function
 * word sequences) trained at build time from Japanese prose in Debian
 * packages; see docs/text.md.
 *
 * Use from another engine (the accounts engine's unnatural_japanese signal):
 *
 *     struct shn_text_engine *eng = NULL;
 *     struct shn_text_result res;
 *     if (shn_text_engine_open(NULL, &eng, &diag) == SHN_OK &&
 *         shn_text_check(eng, text, len, &res) == SHN_OK) {
 *         ... res.score, res.findings[0..res.count) ...
 *         shn_text_result_cleanup(&res);
 *     }
 *     shn_text_engine_free(eng);
 *
 * Threads: an engine is used by one thread at a time; open one per thread
 * (the dictionary and the model are shared read-only mappings, so a second
 * engine is cheap). */
#ifndef SHN_TEXT_TEXT_H
#define SHN_TEXT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shinsa/core/err.h"

/* Texts longer than this fail with SHN_ERR_TOO_LARGE (profiles and
 * messages are a few KB; the bound keeps one call's memory small). */
#define SHN_TEXT_MAX_BYTES (1u << 20)
/* At most this many findings are kept per text (the score counts all). */
#define SHN_TEXT_MAX_FINDINGS 128
/* Below this score a text is reported as unnatural (the CLI's verdict and
 * the false-alarm rate in docs/text.md use it). */
#define SHN_TEXT_DEFAULT_THRESHOLD 0.5

/* Kinds of finding. Values and names are stable (scripts read the names). */
enum shn_text_kind {
    SHN_TEXT_SIMPLIFIED_HAN = 0, /* a simplified-Chinese-only character */
    SHN_TEXT_HANGUL,             /* Hangul inside the text */
    SHN_TEXT_SPACING,            /* a space between words, Korean or Western style */
    SHN_TEXT_SEQUENCE,           /* a word-class sequence natural text does not produce */
    SHN_TEXT_DOUBLED_PARTICLE,   /* the same particle twice in a row */
    SHN_TEXT_POLITENESS,         /* polite and plain forms mixed, or plain verb + です */
    SHN_TEXT_CALQUE,             /* a stiff phrase typical of machine translation */
    SHN_TEXT_UNKNOWN_WORD,       /* a word the dictionary does not know */
    SHN_TEXT_HALFWIDTH_KANA,     /* half-width katakana */
    SHN_TEXT_PUNCTUATION,        /* Western , . after Japanese, or mixed 、。 and ，． */
    SHN_TEXT_INVALID_UTF8,       /* bytes that are not UTF-8 (replaced, not scored) */
    SHN_TEXT_KIND__COUNT
};

/* "simplified_han", "hangul", ...; never NULL ("unknown" when out of range). */
const char *shn_text_kind_name(int kind);

struct shn_text_finding {
    size_t start, end; /* code point offsets into the text, end exclusive */
    int kind;          /* enum shn_text_kind */
    double weight;     /* how much it lowered the score (0 = informative) */
    char en[160];      /* short reason in English, NUL-terminated */
    char ja[192];      /* the same in Japanese */
};

/* Share of the text's letters by script (each in [0,1]; they sum to 1 when
 * the text has letters, else all are 0). Digits, spaces and punctuation do
 * not count. */
struct shn_text_mix {
    double kana, han, hangul, latin, other;
};

/* Caller-owned result; shn_text_result_cleanup frees the findings. */
struct shn_text_result {
    double score; /* [0,1], 1 = reads as natural Japanese */
    struct shn_text_mix mix;
    size_t chars;  /* code points in the text */
    size_t tokens; /* MeCab tokens */
    size_t unknown_tokens;
    size_t total_findings; /* may exceed count when findings were capped */
    size_t count;
    struct shn_text_finding *findings;
};

struct shn_text_options {
    const char *model_path;   /* NULL: $SHINSA_TEXT_MODEL, else the one the build made */
    const char *dicdir;       /* NULL: the IPA dictionary, /var/lib/mecab/dic/ipadic-utf8 */
    bool allow_missing_model; /* true: run model-free when no model is found */
};

struct shn_text_engine;

/* Opens MeCab and loads the model. `opt` may be NULL (defaults). Errors:
 * SHN_ERR_NOT_FOUND (no dictionary or model: the diagnostic says how to get
 * one), SHN_ERR_FORMAT/SHN_ERR_CORRUPT (a bad model file), SHN_ERR_NOMEM.
 * On success *out is a new engine the caller frees. */
int shn_text_engine_open(const struct shn_text_options *opt, struct shn_text_engine **out,
                         struct shn_diag *diag);
void shn_text_engine_free(struct shn_text_engine *eng); /* NULL is a no-op */

/* True when a trained, non-empty model is loaded (sequence findings need
 * one; the model-free evidence works without). */
bool shn_text_engine_has_model(const struct shn_text_engine *eng);

/* Scores text[0..len) (UTF-8; invalid bytes are replaced and reported).
 * On success fills *res (the caller calls shn_text_result_cleanup). Errors:
 * SHN_ERR_TOO_LARGE past SHN_TEXT_MAX_BYTES, SHN_ERR_NOMEM, SHN_ERR_INVALID;
 * on error *res is untouched. */
int shn_text_check(struct shn_text_engine *eng, const char *text, size_t len,
                   struct shn_text_result *res);
void shn_text_result_cleanup(struct shn_text_result *res); /* zeroed is safe */

/* {"score": …, "findings": [{"start":…,"end":…,"kind":…,"en":…,"ja":…}]}
 * appended to `b` (a struct shn_buf from core/buf.h) without a newline. */
struct shn_buf;
int shn_text_result_json(const struct shn_text_result *res, struct shn_buf *b);

/* The result of checking text[0..len) for people, appended to `b`: "score
 * S (natural|unnatural), N findings; script mix: ..." (after "line L: "
 * when line > 0), then, when there are findings, the text with each span
 * marked («span»[k], or bold red with SHN_TEXT_FORMAT_COLOR, for a
 * terminal) and one "[k] start-end kind (-weight): en / ja" entry each.
 * Ends with a newline. */
enum { SHN_TEXT_FORMAT_COLOR = 1 };
int shn_text_result_text(const char *text, size_t len, const struct shn_text_result *res, long line,
                         unsigned flags, struct shn_buf *b);

/* {"line": L, "error": "<shn_strerror(err)>"} appended to `b` without a
 * newline: what a batch of texts, one a line, prints for a line whose
 * check failed. */
int shn_text_line_error_json(long line, int err, struct shn_buf *b);

#endif
