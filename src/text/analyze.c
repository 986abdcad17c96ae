/* The engine: MeCab over each sentence, rules over its tokens, the model's
 * word-class sequences, and the score that sums what fired. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/utf8.h"
#include "text_internal.h"

#define CHUNK_MAX 2048  /* bytes of one MeCab call (a sentence, or a cut) */
#define TOKENS_MAX 4096 /* tokens of one chunk, with the sentence ends */

/* A pair of word classes is reported when independence predicts at least
 * PAIR_EXPECT_MIN occurrences in the corpus and it was seen less than
 * PAIR_RATIO of that (count + 1, so that unseen is not infinitely odd); a
 * triple, when its two pairs predict TRIPLE_EXPECT_MIN and it was seen less
 * than TRIPLE_RATIO of that. Calibrated on the held-out sentences, where
 * these fire in 0.25% and 0.1% of sentences (docs/text.md). */
#define PAIR_EXPECT_MIN 10.0
#define PAIR_RATIO 0.01
#define TRIPLE_EXPECT_MIN 30.0
#define TRIPLE_RATIO 0.02

struct tok;

struct shn_text_engine {
    mecab_t *mecab;
    struct shn__text_model model;
    bool has_model;
    struct tok *toks; /* TOKENS_MAX + 1, reused by every check */
};

struct tok {
    size_t b0, b1; /* byte span in clean */
    uint32_t cls;  /* model id, or SHN__TEXT_NO_CLASS */
    const char *feature;
    bool unknown, bos, eos;
};

static bool file_exists(const char *path)
{
    struct stat st;
    return path && stat(path, &st) == 0;
}

int shn_text_engine_open(const struct shn_text_options *opt, struct shn_text_engine **out,
                         struct shn_diag *diag)
{
    int rc = SHN_OK;
    struct shn_text_engine *eng = NULL;
    const char *dicdir = opt && opt->dicdir ? opt->dicdir : SHN__TEXT_DEFAULT_DICDIR;
    const char *model = opt && opt->model_path ? opt->model_path : getenv("SHINSA_TEXT_MODEL");
    char a0[] = "mecab", a1[] = "-d", dir[1024];
    char *argv[] = {a0, a1, dir};

    if (!out)
        return SHN_ERR_INVALID;
    if (!model || !model[0])
        model = SHN_TEXT_MODEL_DEFAULT;
    if (snprintf(dir, sizeof dir, "%s", dicdir) >= (int)sizeof dir) {
        rc = shn_diag_set(diag, SHN_ERR_INVALID, NULL, 0, NULL, "dictionary path too long");
        goto out;
    }
    if (!file_exists(dir)) {
        rc = shn_diag_set(diag, SHN_ERR_NOT_FOUND, dir, 0, NULL,
                          "MeCab dictionary not found (install mecab-ipadic-utf8: "
                          "bash scripts/install-deps.sh)");
        goto out;
    }
    eng = shn_calloc(1, sizeof *eng);
    if (!eng) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    eng->toks = shn_malloc((TOKENS_MAX + 1) * sizeof *eng->toks);
    if (!eng->toks) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    eng->mecab = mecab_new(3, argv);
    if (!eng->mecab) {
        rc = shn_diag_set(diag, SHN_ERR_NOT_FOUND, dir, 0, NULL, "MeCab: %s", mecab_strerror(NULL));
        goto out;
    }
    if (file_exists(model)) {
        rc = shn__text_model_load(model, &eng->model, diag);
        if (rc != SHN_OK)
            goto out;
        eng->has_model = eng->model.tokens > 0;
    } else if (!(opt && opt->allow_missing_model)) {
        rc = shn_diag_set(diag, SHN_ERR_NOT_FOUND, model, 0, NULL,
                          "text model not found (the build makes it from the Japanese "
                          "documentation packages; or set SHINSA_TEXT_MODEL)");
        goto out;
    }
    *out = eng;
    eng = NULL;
out:
    shn_text_engine_free(eng);
    return rc;
}

void shn_text_engine_free(struct shn_text_engine *eng)
{
    if (!eng)
        return;
    if (eng->mecab)
        mecab_destroy(eng->mecab);
    shn__text_model_cleanup(&eng->model);
    shn_free(eng->toks);
    shn_free(eng);
}

bool shn_text_engine_has_model(const struct shn_text_engine *eng)
{
    return eng && eng->has_model;
}

/* Field idx (0-based) of a MeCab feature CSV, as pointer and length. */
static size_t field(const char *feature, int idx, const char **f)
{
    const char *p = feature ? feature : "";

    for (int i = 0; i < idx; i++) {
        const char *c = strchr(p, ',');
        if (!c) {
            *f = "";
            return 0;
        }
        p = c + 1;
    }
    *f = p;
    const char *c = strchr(p, ',');
    return c ? (size_t)(c - p) : strlen(p);
}

static bool field_is(const char *feature, int idx, const char *lit)
{
    const char *f;
    size_t n = field(feature, idx, &f);
    return n == strlen(lit) && memcmp(f, lit, n) == 0;
}

/* Decodes the input into w: code points, the cleaned copy MeCab reads, and
 * the byte-to-character map. Invalid bytes become U+FFFD and findings. */
static int decode(struct shn__text_work *w, const char *text, size_t len)
{
    size_t cap, n = 0, ci = 0, bad_start = 0;
    bool in_bad = false;

    /* at worst every byte is invalid and becomes 3 bytes */
    if (!shn_size_mul(len, 3, &cap) || !shn_size_add(cap, 1, &cap))
        return SHN_ERR_TOO_LARGE;
    w->clean = shn_malloc(cap);
    w->char_at = shn_malloc(cap * sizeof *w->char_at);
    w->cps = shn_malloc((len + 1) * sizeof *w->cps);
    if (!w->clean || !w->char_at || !w->cps)
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t used = shn_utf8_decode(text + i, len - i, &cp);
        char u[4];
        size_t ul;

        if (used == 0) {
            if (!in_bad)
                bad_start = ci;
            in_bad = true;
            cp = 0xFFFD;
            used = 1;
        } else if (in_bad) {
            shn__text_add(w, SHN_TEXT_INVALID_UTF8, bad_start, ci, 0.0,
                          "bytes that are not UTF-8 (replaced)", "UTF-8 でないバイト（置換済み）");
            in_bad = false;
        }
        w->cps[ci] = cp;
        if (cp < 0x20 && cp != '\n')
            cp = ' '; /* MeCab stops at NUL; tabs and controls are spaces */
        ul = shn_utf8_encode(cp, u);
        for (size_t k = 0; k < ul; k++) {
            w->clean[n] = u[k];
            w->char_at[n] = (uint32_t)ci;
            n++;
        }
        ci++;
        i += used;
    }
    if (in_bad)
        shn__text_add(w, SHN_TEXT_INVALID_UTF8, bad_start, ci, 0.0,
                      "bytes that are not UTF-8 (replaced)", "UTF-8 でないバイト（置換済み）");
    w->clean[n] = '\0';
    w->char_at[n] = (uint32_t)ci;
    w->clean_len = n;
    w->n_chars = ci;
    return SHN_OK;
}

static void add_tokens(struct shn__text_work *w, const struct tok *t, size_t from, size_t to,
                       int kind, double weight, const char *en_fmt, const char *ja_fmt)
{
    char q[96], en[160], ja[192];
    size_t b0 = t[from].b0, b1 = t[to].b1;
    size_t n = b1 - b0 < sizeof q - 1 ? b1 - b0 : sizeof q - 1;

    while (n > 0 && n < b1 - b0 && ((unsigned char)w->clean[b0 + n] & 0xC0) == 0x80)
        n--;
    memcpy(q, w->clean + b0, n);
    q[n] = '\0';
    /* the formats are this file's literals with one %s: the quoted span */
    const char *en_at = strstr(en_fmt, "%s"), *ja_at = strstr(ja_fmt, "%s");
    snprintf(en, sizeof en, "%.*s%s%s", (int)(en_at - en_fmt), en_fmt, q, en_at + 2);
    snprintf(ja, sizeof ja, "%.*s%s%s", (int)(ja_at - ja_fmt), ja_fmt, q, ja_at + 2);
    shn__text_add(w, kind, w->char_at[b0], w->char_at[b1], weight, en, ja);
}

/* Rules over one sentence's tokens t[0..n) (t[0] and t[n-1] are the ends). */
static void token_rules(struct shn_text_engine *eng, struct shn__text_work *w, struct tok *t,
                        size_t n)
{
    const struct shn__text_model *m = &eng->model;
    size_t polite = 0, plain = 0, plain_at = 0;
    size_t last_seq_end = 0; /* token index after the last sequence finding */
    for (size_t i = 1; i + 1 < n; i++) {
        const char *ft = t[i].feature, *fp = t[i - 1].feature;
        bool flagged = false;

        /* doubled particle: をを, がが, はは */
        if (i >= 2 && field_is(ft, 0, "助詞") && field_is(fp, 0, "助詞") &&
            t[i].b1 - t[i].b0 == t[i - 1].b1 - t[i - 1].b0 &&
            memcmp(w->clean + t[i].b0, w->clean + t[i - 1].b0, t[i].b1 - t[i].b0) == 0 &&
            (field_is(ft, 1, "格助詞") || field_is(ft, 1, "係助詞"))) {
            add_tokens(w, t, i - 1, i, SHN_TEXT_DOUBLED_PARTICLE, 0.8,
                       "the same particle twice: %s", "助詞の重複「%s」");
            flagged = true;
        }
        /* plain verb (or た) + です/でし: 行くです, 行ったです (but 行くでしょう
         * is natural) */
        bool desu = field_is(ft, 0, "助動詞") && field_is(ft, 6, "です");
        size_t tl = t[i].b1 - t[i].b0;
        bool desu_or_deshi = desu && tl == 6 &&
                             (memcmp(w->clean + t[i].b0, "です", 6) == 0 ||
                              memcmp(w->clean + t[i].b0, "でし", 6) == 0);
        bool deshi = desu && tl == 6 && memcmp(w->clean + t[i].b0, "でし", 6) == 0;
        if (i >= 2 && desu_or_deshi &&
            ((field_is(fp, 0, "動詞") && field_is(fp, 5, "基本形")) ||
             (field_is(fp, 0, "助動詞") && field_is(fp, 6, "た")))) {
            add_tokens(w, t, i - 1, i, SHN_TEXT_POLITENESS, 0.7,
                       "plain verb followed by desu: %s (natural: -masu form)",
                       "動詞の普通形に「です」が続いている「%s」（自然には「〜ます」）");
            flagged = true;
        }
        /* adjective + でした: 面白いでした (natural: 面白かったです) */
        if (i >= 2 && deshi && field_is(fp, 0, "形容詞") && field_is(fp, 5, "基本形")) {
            add_tokens(w, t, i - 1, i, SHN_TEXT_POLITENESS, 0.7,
                       "adjective followed by deshita: %s (natural: -katta desu)",
                       "形容詞に「でした」が続いている「%s」（自然には「〜かったです」）");
            flagged = true;
        }
        /* の between a predicate and the noun it modifies: あるの開発者,
         * 良いのアイデア, 豊富なの経験 (Chinese 的 and Korean 의 carried over;
         * Japanese joins a verb or adjective to its noun directly) */
        if (i >= 2 && field_is(ft, 0, "助詞") && field_is(ft, 1, "連体化") &&
            field_is(t[i + 1].feature, 0, "名詞") && !field_is(t[i + 1].feature, 1, "非自立") &&
            !field_is(t[i + 1].feature, 1, "接尾") &&
            (((field_is(fp, 0, "動詞") || field_is(fp, 0, "形容詞")) &&
              field_is(fp, 5, "基本形")) ||
             (field_is(fp, 0, "助動詞") &&
              (field_is(fp, 5, "体言接続") || field_is(fp, 6, "た") || field_is(fp, 6, "ない"))))) {
            /* 0.75: on its own it marks a short text unnatural (score
             * 0.47): the issue's own example of non-native Japanese. */
            add_tokens(w, t, i - 1, i, SHN_TEXT_SEQUENCE, 0.75,
                       "'no' between a verb or adjective and its noun: %s",
                       "動詞・形容詞と名詞の間に不要な「の」「%s」");
            flagged = true;
            last_seq_end = i + 2;
        }
        /* politeness of the clauses of this sentence */
        if (field_is(ft, 0, "助動詞")) {
            if (field_is(ft, 6, "です") || field_is(ft, 6, "ます")) {
                polite++;
            } else if (field_is(ft, 6, "だ") && (t[i].b1 - t[i].b0 == 3) &&
                       memcmp(w->clean + t[i].b0, "だ", 3) == 0) {
                /* だ ending a clause: before 、。, a conjunctive particle or the end */
                const char *fn = t[i + 1].feature;
                bool quoted = field_is(fn, 1, "読点") && i + 2 < n &&
                              field_is(t[i + 2].feature, 1, "格助詞") &&
                              (field_is(t[i + 2].feature, 2, "引用") ||
                               field_is(t[i + 2].feature, 2, "連語"));
                if (!quoted && (t[i + 1].eos || field_is(fn, 1, "読点") ||
                                field_is(fn, 1, "句点") || field_is(fn, 1, "接続助詞"))) {
                    if (!plain++)
                        plain_at = i;
                }
            }
        }
        /* unknown words in kanji or hiragana (katakana and Latin unknowns
         * are usually loanwords and names) */
        if (t[i].unknown) {
            uint32_t cp;
            if (shn_utf8_decode(w->clean + t[i].b0, t[i].b1 - t[i].b0, &cp) &&
                (shn__text_is_han(cp) || shn__text_is_hiragana(cp)) &&
                !shn__text_is_simplified_only(cp))
                add_tokens(w, t, i, i, SHN_TEXT_UNKNOWN_WORD, 0.25,
                           "word unknown to the dictionary: %s", "辞書にない語「%s」");
        }
        /* the model: a pair, then a triple, that natural text never shows
         * although the parts are common enough that it would */
        if (!eng->has_model || flagged || i < last_seq_end || t[i].cls == SHN__TEXT_NO_CLASS ||
            t[i - 1].cls == SHN__TEXT_NO_CLASS || t[i].unknown || t[i - 1].unknown ||
            field_is(ft, 0, "記号") || field_is(fp, 0, "記号"))
            continue;
        double n_all = (double)m->tokens;
        double ub = m->uni[t[i - 1].cls], uc = m->uni[t[i].cls];
        uint32_t bc = shn__text_model_bi(m, t[i - 1].cls, t[i].cls);
        double expect = ub * uc / n_all;
        if (expect >= PAIR_EXPECT_MIN && ((double)bc + 1.0) / expect < PAIR_RATIO) {
            size_t from = t[i - 1].bos ? i : i - 1;
            add_tokens(w, t, from, i, SHN_TEXT_SEQUENCE, 0.45,
                       "word sequence natural Japanese does not use: %s",
                       "自然な日本語に現れない語の並び「%s」");
            last_seq_end = i + 1;
            continue;
        }
        if (i < 2 || t[i - 2].cls == SHN__TEXT_NO_CLASS || t[i - 2].unknown || ub == 0)
            continue;
        uint32_t ab = shn__text_model_bi(m, t[i - 2].cls, t[i - 1].cls);
        expect = (double)ab * (double)bc / ub;
        if (expect >= TRIPLE_EXPECT_MIN &&
            ((double)shn__text_model_tri(m, t[i - 2].cls, t[i - 1].cls, t[i].cls) + 1.0) / expect <
                TRIPLE_RATIO) {
            size_t from = t[i - 2].bos ? i - 1 : i - 2;
            add_tokens(w, t, from, i, SHN_TEXT_SEQUENCE, 0.45,
                       "word sequence natural Japanese does not use: %s",
                       "自然な日本語に現れない語の並び「%s」");
            last_seq_end = i + 1;
        }
    }
    /* the plain だ is marked: in a sentence that is polite elsewhere it is
     * the odd one */
    if (polite && plain) {
        add_tokens(w, t, plain_at, plain_at, SHN_TEXT_POLITENESS, 0.5,
                   "plain %s in a sentence that is polite (desu/masu) elsewhere",
                   "です・ます調の文の中に普通体の「%s」");
    }
}

/* MeCab over clean[b0..b1), then the token rules. */
static int analyze_chunk(struct shn_text_engine *eng, struct shn__text_work *w, struct tok *t,
                         size_t b0, size_t b1, size_t *n_tokens, size_t *n_unknown)
{
    const mecab_node_t *node = mecab_sparse_tonode2(eng->mecab, w->clean + b0, b1 - b0);
    size_t n = 0;
    char cls[SHN__TEXT_CLASS_MAX];

    if (!node)
        return SHN_ERR_NOMEM; /* MeCab fails only when it cannot allocate */
    for (const mecab_node_t *x = node; x && n < TOKENS_MAX; x = x->next) {
        struct tok *k = &t[n];
        memset(k, 0, sizeof *k);
        k->cls = SHN__TEXT_NO_CLASS;
        k->bos = x->stat == MECAB_BOS_NODE;
        k->eos = x->stat == MECAB_EOS_NODE;
        k->feature = k->bos || k->eos ? "" : x->feature;
        k->unknown = x->stat == MECAB_UNK_NODE;
        if (k->bos) {
            k->b0 = k->b1 = b0;
        } else if (k->eos) {
            k->b0 = k->b1 = b1;
        } else {
            k->b0 = (size_t)(x->surface - w->clean);
            k->b1 = k->b0 + x->length;
            (*n_tokens)++;
            if (k->unknown)
                (*n_unknown)++;
        }
        if (eng->has_model) {
            if (k->bos)
                k->cls = shn__text_model_id(&eng->model, SHN__TEXT_BOS, 1);
            else if (!k->eos)
                k->cls = shn__text_model_id(
                    &eng->model, cls, shn__text_class(x->feature, x->surface, x->length, cls));
        }
        n++;
    }
    if (n >= 2)
        token_rules(eng, w, t, n);
    return SHN_OK;
}

static bool is_sentence_end(uint32_t cp)
{
    return cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == '!' || cp == '?' || cp == '\n' ||
           cp == 0xFF0E;
}

static int cmp_finding(const void *a, const void *b)
{
    const struct shn_text_finding *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->kind - y->kind;
}

int shn_text_check(struct shn_text_engine *eng, const char *text, size_t len,
                   struct shn_text_result *res)
{
    int rc = SHN_OK;
    struct shn__text_work w;
    struct shn_text_mix mix;
    struct tok *toks = eng ? eng->toks : NULL;
    size_t n_tokens = 0, n_unknown = 0;

    memset(&w, 0, sizeof w);
    if (!eng || !res || (!text && len)) {
        rc = SHN_ERR_INVALID;
        goto out;
    }
    if (len > SHN_TEXT_MAX_BYTES) {
        rc = SHN_ERR_TOO_LARGE;
        goto out;
    }
    rc = decode(&w, text ? text : "", len);
    if (rc != SHN_OK)
        goto out;
    shn__text_char_evidence(&w, &mix);
    if (mix.kana + mix.han > 0) {
        shn__text_calques(&w);
        /* sentences: up to and with 。！？ or a line end; long runs are cut
         * at a character boundary */
        size_t start = 0;
        for (size_t b = 0; b < w.clean_len && rc == SHN_OK;) {
            uint32_t cp;
            size_t used = shn_utf8_decode(w.clean + b, w.clean_len - b, &cp);
            if (used == 0)
                used = 1;
            b += used;
            if (is_sentence_end(cp) || b == w.clean_len || b - start >= CHUNK_MAX - 4) {
                if (b > start)
                    rc = analyze_chunk(eng, &w, toks, start, b, &n_tokens, &n_unknown);
                start = b;
            }
        }
        if (rc != SHN_OK)
            goto out;
    }
    if (w.err) {
        rc = w.err;
        goto out;
    }
    if (w.n > 1)
        qsort(w.f, w.n, sizeof *w.f, cmp_finding);
    /* Evidence adds up; longer texts get more room, as one odd phrase in a
     * long profile says less than one in a line. */
    double norm = sqrt((double)w.n_chars / 200.0);
    if (norm < 1.0)
        norm = 1.0;
    memset(res, 0, sizeof *res);
    res->score = exp(-w.weight_sum / norm);
    res->mix = mix;
    res->chars = w.n_chars;
    res->tokens = n_tokens;
    res->unknown_tokens = n_unknown;
    res->total_findings = w.total;
    res->count = w.n;
    res->findings = w.f;
    w.f = NULL;
out:
    shn_free(w.f);
    shn_free(w.clean);
    shn_free(w.char_at);
    shn_free(w.cps);
    return rc;
}

void shn_text_result_cleanup(struct shn_text_result *res)
{
    if (!res)
        return;
    shn_free(res->findings);
    memset(res, 0, sizeof *res);
}
