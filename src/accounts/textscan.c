/* Text scanning for the lexicon signals: see textscan.h.
 *
 * Lexicon look-up is a hash of a term's first three bytes into 4,096
 * buckets: at each character of a text one bucket is probed and its few
 * terms compared, so a scan costs about one probe per character whatever
 * the lexicon's size (an Aho-Corasick automaton would be faster still, but
 * texts are short and the lexicons a few hundred terms). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/utf8.h"
#include "signals.h"
#include "textscan.h"

#ifndef SHN_ACCOUNTS_DATA_DIR
#define SHN_ACCOUNTS_DATA_DIR "data/accounts"
#endif

#define BUCKETS 4096
#define KEY_BYTES 3
#define ACCOUNT_SCAN_BYTES (1u << 20) /* bytes of text scanned per account */
#define PROFILES_MAX 8
#define TOP 3

struct shn__lexicon {
    struct shn__lex_term *terms; /* sorted by bucket */
    size_t n;
    uint32_t start[BUCKETS + 1];
    char *strings; /* every term and shown form */
};

/* ------------------------------------------------------------ folding */

/* U+FF61..U+FF9F (half-width katakana and marks) to full width. */
static const uint16_t halfwidth[63] = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9,
    0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB,
    0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1,
    0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5,
    0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9,
    0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3, 0x309B, 0x309C};

/* The voiced (mark 1) or semi-voiced (mark 2) form of katakana k, or 0. */
static uint32_t voiced(uint32_t k, int mark)
{
    bool ha = k >= 0x30CF && k <= 0x30DB && (k - 0x30CF) % 3 == 0;
    if (mark == 2)
        return ha ? k + 2 : 0;
    if (k == 0x30A6)
        return 0x30F4;
    if ((k >= 0x30AB && k <= 0x30C2 && (k - 0x30AB) % 2 == 0) || k == 0x30C4 || k == 0x30C6 ||
        k == 0x30C8 || ha)
        return k + 1;
    return 0;
}

size_t shn__scan_fold(const char *s, size_t len, char *out)
{
    size_t i = 0, n = 0, last = (size_t)-1; /* where the last katakana was written */
    uint32_t last_cp = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = shn_utf8_decode(s + i, len - i, &cp), w;
        if (k == 0) {
            out[n++] = '?';
            i++;
            last = (size_t)-1;
            continue;
        }
        i += k;
        if (cp >= 0xFF01 && cp <= 0xFF5E)
            cp -= 0xFEE0;
        else if (cp == 0x3000 || cp < 0x20 || cp == 0x7F)
            cp = ' ';
        else if (cp >= 0xFF61 && cp <= 0xFF9F)
            cp = halfwidth[cp - 0xFF61];
        if ((cp == 0x309B || cp == 0x309C) && last != (size_t)-1) {
            uint32_t v = voiced(last_cp, cp == 0x309B ? 1 : 2);
            if (v) { /* rewrite the katakana in place: same 3-byte length */
                shn_utf8_encode(v, out + last);
                last = (size_t)-1;
                continue;
            }
        }
        w = shn_utf8_encode(cp, out + n);
        if (cp >= 0x30A1 && cp <= 0x30FA) {
            last = n;
            last_cp = cp;
        } else {
            last = (size_t)-1;
        }
        n += w;
    }
    out[n] = '\0';
    return n;
}

void shn__scan_lower(const char *s, size_t len, char *out)
{
    for (size_t i = 0; i < len; i++)
        out[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
    out[len] = '\0';
}

static bool alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ------------------------------------------------------------ lexicon */

static uint32_t bucket(const char *s)
{
    uint32_t k = (uint32_t)(unsigned char)s[0] << 16 | (uint32_t)(unsigned char)s[1] << 8 |
                 (unsigned char)s[2];
    return (uint32_t)((k * 0x9E3779B1u) >> 20) & (BUCKETS - 1);
}

static int cmp_term(const void *x, const void *y)
{
    uint32_t a = bucket(((const struct shn__lex_term *)x)->term);
    uint32_t b = bucket(((const struct shn__lex_term *)y)->term);
    return (a > b) - (a < b);
}

void shn__lexicon_free(struct shn__lexicon *lx)
{
    if (!lx)
        return;
    shn_free(lx->terms);
    shn_free(lx->strings);
    shn_free(lx);
}

size_t shn__lexicon_size(const struct shn__lexicon *lx)
{
    return lx ? lx->n : 0;
}

/* Splits line into 4 tab-separated fields; false when there are not 4. */
static bool fields(char *line, char *f[4])
{
    for (int i = 0; i < 4; i++) {
        char *tab = i < 3 ? strchr(line, '\t') : NULL;
        f[i] = line;
        if (i < 3) {
            if (!tab)
                return false;
            *tab = '\0';
            line = tab + 1;
        }
    }
    return true;
}

static int parse_line(struct shn__lexicon *lx, char *line, char **pool, const char *path,
                      long lineno, struct shn_diag *diag)
{
    char *f[4], *end;
    struct shn__lex_term *t = &lx->terms[lx->n];
    size_t len;
    double w;
    if (!fields(line, f))
        return shn_diag_set(diag, SHN_ERR_PARSE, path, lineno, "",
                            "expected weight, kind, lang and term separated by tabs");
    w = strtod(f[0], &end);
    if (end == f[0] || *end || !(w > 0 && w <= 1))
        return shn_diag_set(diag, SHN_ERR_PARSE, path, lineno, "weight",
                            "must be a number in (0, 1]");
    len = strlen(f[3]);
    if (strlen(f[1]) >= sizeof t->kind || strlen(f[2]) >= sizeof t->lang || !f[1][0])
        return shn_diag_set(diag, SHN_ERR_PARSE, path, lineno, "kind", "kind or lang too long");
    if (len < KEY_BYTES || len > 256 || !shn_utf8_valid(f[3], len, NULL))
        return shn_diag_set(diag, SHN_ERR_PARSE, path, lineno, "term",
                            "must be 3..256 bytes of UTF-8");
    t->weight = w;
    memcpy(t->kind, f[1], strlen(f[1]) + 1);
    memcpy(t->lang, f[2], strlen(f[2]) + 1);
    t->shown = *pool;
    memcpy(*pool, f[3], len + 1);
    *pool += len + 1;
    t->term = *pool;
    t->len = shn__scan_fold(f[3], len, *pool);
    shn__scan_lower(*pool, t->len, *pool);
    *pool += t->len + 1;
    if (t->len < KEY_BYTES)
        return shn_diag_set(diag, SHN_ERR_PARSE, path, lineno, "term", "too short once folded");
    lx->n++;
    return SHN_OK;
}

int shn__lexicon_load(const char *path, struct shn__lexicon **out, struct shn_diag *diag)
{
    struct shn__lexicon *lx = NULL;
    char *data = NULL, *pool, *line;
    size_t len = 0, pool_size;
    long lineno = 0;
    int rc = shn_file_read(path, SHN__LEXICON_MAX_BYTES, &data, &len, diag);
    if (rc != SHN_OK)
        return rc;
    /* every term is stored twice (as written, folded): 2 * len + 2 per line */
    pool_size = 2 * len + 2 * SHN__LEXICON_MAX_TERMS + 2;
    if (!(lx = shn_calloc(1, sizeof *lx)) ||
        !(lx->terms = shn_calloc(SHN__LEXICON_MAX_TERMS, sizeof *lx->terms)) ||
        !(lx->strings = shn_malloc(pool_size))) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    pool = lx->strings;
    line = data;
    while (line && *line && rc == SHN_OK) {
        char *nl = strchr(line, '\n'), *next = nl ? nl + 1 : NULL;
        size_t l;
        lineno++;
        if (nl)
            *nl = '\0';
        l = strlen(line);
        if (l && line[l - 1] == '\r')
            line[--l] = '\0';
        if (l && line[0] != '#') {
            if (lx->n >= SHN__LEXICON_MAX_TERMS)
                rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, path, lineno, "", "more than %d terms",
                                  SHN__LEXICON_MAX_TERMS);
            else
                rc = parse_line(lx, line, &pool, path, lineno, diag);
        }
        line = next;
    }
    if (rc != SHN_OK)
        goto out;
    qsort(lx->terms, lx->n, sizeof *lx->terms, cmp_term);
    for (size_t i = 0, b = 0; b <= BUCKETS; b++) {
        while (i < lx->n && bucket(lx->terms[i].term) < b)
            i++;
        lx->start[b] = (uint32_t)i;
    }
    *out = lx;
    lx = NULL;
out:
    shn__lexicon_free(lx);
    shn_free(data);
    return rc;
}

const char *shn__accounts_data_path(const char *given, const char *file, char *buf, size_t size)
{
    const char *env = getenv("SHINSA_ACCOUNTS_DATA");
    if (given && *given)
        snprintf(buf, size, "%s", given);
    else if (env && *env)
        snprintf(buf, size, "%s/%s", env, file);
    else
        snprintf(buf, size, "%s/%s", SHN_ACCOUNTS_DATA_DIR, file);
    return buf;
}

void *shn__lexicon_state_new(const struct shn__score_ctx *c, const struct shn__signal_def *def,
                             size_t lexicon, size_t size)
{
    struct shn__lexicon_state *s;
    struct shn_diag d = {0};
    int rc;
    if (size < sizeof *s || !(s = shn_calloc(1, size)))
        return NULL;
    shn__param_path(c, def, lexicon, s->path, sizeof s->path);
    rc = shn__lexicon_load(s->path, &s->lx, &d);
    if (rc == SHN_ERR_NOMEM) { /* no unreadable lexicon: the run fails */
        shn_free(s);
        return NULL;
    }
    if (rc != SHN_OK) {
        s->lx = NULL;
        snprintf(s->why, sizeof s->why, "%s", d.message[0] ? d.message : "unreadable");
    }
    s->opts.lx = s->lx;
    return s;
}

void shn__lexicon_state_free(void *state)
{
    struct shn__lexicon_state *s = state;
    if (!s)
        return;
    shn__lexicon_free(s->lx);
    shn_free(s);
}

/* ------------------------------------------------------------ scanning */

static size_t push(struct shn__scan_hit *hits, size_t n, size_t max, struct shn__scan_hit h)
{
    if (n < max)
        hits[n++] = h;
    return n;
}

size_t shn__scan_terms(const struct shn__lexicon *lx, const char *lower, size_t len,
                       struct shn__scan_hit *hits, size_t max)
{
    size_t n = 0, kept = 0;
    if (!lx || !lx->n)
        return 0;
    for (size_t i = 0; i + KEY_BYTES <= len; i++) {
        uint32_t b;
        if (((unsigned char)lower[i] & 0xC0) == 0x80)
            continue;
        b = bucket(lower + i);
        for (uint32_t k = lx->start[b]; k < lx->start[b + 1]; k++) {
            const struct shn__lex_term *t = &lx->terms[k];
            if (t->len > len - i || memcmp(lower + i, t->term, t->len) != 0)
                continue;
            if (alnum((unsigned char)t->term[0]) && i > 0 && alnum((unsigned char)lower[i - 1]))
                continue;
            if (alnum((unsigned char)t->term[t->len - 1]) && i + t->len < len &&
                alnum((unsigned char)lower[i + t->len]))
                continue;
            n = push(hits, n, max,
                     (struct shn__scan_hit){i, i + t->len, SHN__HIT_TERM, t, t->weight, false});
        }
    }
    /* a hit inside a longer one ("usdt" in "usdtでお支払い") is not new */
    for (size_t i = 0; i < n; i++) {
        bool inside = false;
        for (size_t j = 0; j < n && !inside; j++)
            inside = j != i && hits[j].start <= hits[i].start && hits[j].end >= hits[i].end &&
                     hits[j].end - hits[j].start > hits[i].end - hits[i].start;
        if (!inside)
            hits[kept++] = hits[i];
    }
    return kept;
}

static bool b58(unsigned char c)
{
    return (c >= '1' && c <= '9') || (c >= 'A' && c <= 'H') || (c >= 'J' && c <= 'N') ||
           (c >= 'P' && c <= 'Z') || (c >= 'a' && c <= 'k') || (c >= 'm' && c <= 'z');
}

static bool hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static const char bech32_chars[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static int bech32_value(char c)
{
    const char *p;
    if (c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
    p = c ? strchr(bech32_chars, c) : NULL;
    return p ? (int)(p - bech32_chars) : -1;
}

/* BIP-173/350 checksum of a bc1 address s[0..len) (bech32 or bech32m). */
static bool bech32_ok(const char *s, size_t len)
{
    uint32_t chk = 1;
    static const uint32_t gen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
    const char hrp[2] = {'b', 'c'};
    uint32_t vals[2 * 2 + 1 + 90];
    size_t nv = 0;
    for (int i = 0; i < 2; i++)
        vals[nv++] = (uint32_t)hrp[i] >> 5;
    vals[nv++] = 0;
    for (int i = 0; i < 2; i++)
        vals[nv++] = (uint32_t)hrp[i] & 31;
    for (size_t i = 3; i < len && nv < sizeof vals / sizeof vals[0]; i++)
        vals[nv++] = (uint32_t)bech32_value(s[i]);
    for (size_t i = 0; i < nv; i++) {
        uint32_t top = chk >> 25;
        chk = (chk & 0x1ffffff) << 5 ^ vals[i];
        for (int g = 0; g < 5; g++)
            chk ^= (top >> g) & 1 ? gen[g] : 0;
    }
    return chk == 1 || chk == 0x2bc830a3;
}

/* The length of the run of chars satisfying ok from s. */
static size_t run(const char *s, size_t len, bool (*ok)(unsigned char))
{
    size_t n = 0;
    while (n < len && ok((unsigned char)s[n]))
        n++;
    return n;
}

static bool mixed_case(const char *s, size_t len)
{
    bool up = false, low = false;
    for (size_t i = 0; i < len; i++) {
        up |= s[i] >= 'A' && s[i] <= 'Z';
        low |= s[i] >= 'a' && s[i] <= 'z';
    }
    return up && low;
}

static bool is_bech32(unsigned char c)
{
    return bech32_value((char)c) >= 0;
}

size_t shn__scan_addresses(const char *s, size_t len, struct shn__scan_hit *hits, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        size_t rest = len - i, r;
        unsigned char c = (unsigned char)s[i];
        if (!alnum(c) || (i > 0 && alnum((unsigned char)s[i - 1])))
            continue;
        if (c == '0' && rest >= 42 && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
            r = run(s + i + 2, rest - 2, hex);
            if (r == 40 && (rest == 42 || !alnum((unsigned char)s[i + 42])) &&
                strspn(s + i + 2, "0") < 40) {
                n = push(hits, n, max,
                         (struct shn__scan_hit){i, i + 42, SHN__HIT_EVM, NULL, 0, false});
                i += 41;
            }
            continue;
        }
        if (rest >= 14 && (c == 'b' || c == 'B') && (s[i + 1] == 'c' || s[i + 1] == 'C') &&
            s[i + 2] == '1') {
            r = 3 + run(s + i + 3, rest - 3, is_bech32);
            if (r >= 42 && r <= 62 && (r == rest || !alnum((unsigned char)s[i + r])) &&
                !mixed_case(s + i, r)) {
                n = push(hits, n, max,
                         (struct shn__scan_hit){i, i + r, SHN__HIT_BECH32, NULL, 0,
                                                bech32_ok(s + i, r)});
                i += r - 1;
            }
            continue;
        }
        r = run(s + i, rest, b58);
        if (r && r < rest && alnum((unsigned char)s[i + r]))
            continue; /* runs into a character outside base58 (0, O, I, l) */
        if (c == 'T' && r == 34 && mixed_case(s + i + 1, 33)) {
            n = push(hits, n, max,
                     (struct shn__scan_hit){i, i + 34, SHN__HIT_TRON, NULL, 0, false});
            i += 33;
        } else if ((c == '1' || c == '3') && r >= 26 && r <= 35 && mixed_case(s + i, r)) {
            n = push(hits, n, max, (struct shn__scan_hit){i, i + r, SHN__HIT_BTC, NULL, 0, false});
            i += r - 1;
        }
    }
    return n;
}

static bool local_char(unsigned char c)
{
    return alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static bool domain_char(unsigned char c)
{
    return alnum(c) || c == '.' || c == '-';
}

static bool handle_char(unsigned char c)
{
    return alnum(c) || c == '_';
}

/* An e-mail address around the '@' at s[at]: its span, or false. */
static bool email_at(const char *s, size_t len, size_t at, size_t *from, size_t *to)
{
    size_t a = at, b = at + 1, dot = 0;
    while (a > 0 && local_char((unsigned char)s[a - 1]))
        a--;
    while (b < len && domain_char((unsigned char)s[b]))
        b++;
    while (b > at + 1 && (s[b - 1] == '.' || s[b - 1] == '-'))
        b--; /* a sentence's full stop */
    for (size_t k = at + 1; k < b; k++)
        if (s[k] == '.')
            dot = k;
    if (a == at || !dot || b - dot < 3 || dot == at + 1)
        return false;
    for (size_t k = dot + 1; k < b; k++)
        if (!((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z')))
            return false;
    *from = a;
    *to = b;
    return true;
}

/* A phone number from s[i] ('+' or a digit): its end, or 0. */
static size_t phone_at(const char *s, size_t len, size_t i)
{
    size_t k = i + (s[i] == '+'), digits = 0, end = 0;
    bool plus = s[i] == '+', sep = false;
    char first = 0;
    for (; k < len; k++) {
        char c = s[k];
        if (c >= '0' && c <= '9') {
            if (!first)
                first = c;
            if (++digits > 15)
                return 0;
            end = k + 1;
        } else if ((c == ' ' || c == '-' || c == '(' || c == ')' || c == '.') && digits) {
            if (c != ' ' || s[k - 1] != ' ')
                sep = true;
            else
                break;
        } else {
            break;
        }
    }
    if (!end || (end < len && alnum((unsigned char)s[end])))
        return 0;
    if (plus && digits >= 9 && digits <= 15)
        return end;
    if (!plus && first == '0' && digits >= 10 && digits <= 11 && (sep || end - i == digits))
        return end;
    return 0;
}

size_t shn__scan_contacts(const char *s, size_t len, struct shn__scan_hit *hits, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i], p = i ? (unsigned char)s[i - 1] : ' ';
        size_t from, to;
        if (c == '@') {
            if (email_at(s, len, i, &from, &to)) {
                n = push(hits, n, max,
                         (struct shn__scan_hit){from, to, SHN__HIT_EMAIL, NULL, 0, false});
                i = to - 1;
            } else if (!local_char(p)) {
                size_t r = run(s + i + 1, len - i - 1, handle_char);
                if (r >= 3 && r <= 32) {
                    n = push(hits, n, max,
                             (struct shn__scan_hit){i, i + 1 + r, SHN__HIT_HANDLE, NULL, 0, false});
                    i += r;
                }
            }
            continue;
        }
        if ((c == '+' || (c >= '0' && c <= '9')) && !alnum(p) && p != '+' && p != '.' && p != ',') {
            size_t e = phone_at(s, len, i);
            if (e) {
                n = push(hits, n, max,
                         (struct shn__scan_hit){i, e, SHN__HIT_PHONE, NULL, 0, false});
                i = e - 1;
            } else {
                while (i + 1 < len && alnum((unsigned char)s[i + 1]))
                    i++;
            }
        }
    }
    return n;
}

/* ------------------------------------------------------------ evidence */

enum shn_mask_kind shn__scan_mask_kind(int what)
{
    switch (what) {
    case SHN__HIT_EMAIL:
        return SHN_MASK_EMAIL;
    case SHN__HIT_PHONE:
        return SHN_MASK_PHONE;
    case SHN__HIT_HANDLE:
        return SHN_MASK_HANDLE;
    default:
        return SHN_MASK_WALLET;
    }
}

void shn__scan_mask(int what, const char *s, size_t len, char *out, size_t size)
{
    shn_mask(shn__scan_mask_kind(what), s, len, out, size);
}

void shn__scan_excerpt(const char *s, size_t len, size_t start, size_t end,
                       const struct shn__scan_hit *hits, size_t n_hits, char *out, size_t size)
{
    struct shn_mask_span spans[SHN__SCAN_HITS_MAX];
    size_t n = 0;
    for (size_t k = 0; k < n_hits && n < SHN__SCAN_HITS_MAX; k++)
        if (hits[k].what != SHN__HIT_TERM) /* lexicon terms are no personal data */
            spans[n++] = (struct shn_mask_span){hits[k].start, hits[k].end,
                                                shn__scan_mask_kind(hits[k].what)};
    shn_mask_excerpt(s, len, start, end, SHN__EXCERPT_CHARS, spans, n, out, size);
}

void shn__scan_opening(const char *text, size_t len, char *out, size_t size)
{
    /* a window wide enough that a value crossing the excerpt's end is
     * still found whole, and masked whole */
    char folded[SHN__EXCERPT_CHARS * 16 + 1];
    struct shn__scan_hit hits[SHN__SCAN_HITS_MAX];
    size_t w = len < sizeof folded - 1 ? len : sizeof folded - 1, n, flen;
    while (w > 0 && w < len && ((unsigned char)text[w] & 0xC0) == 0x80)
        w--;
    flen = shn__scan_fold(text, w, folded);
    n = shn__scan_addresses(folded, flen, hits, SHN__SCAN_HITS_MAX);
    n += shn__scan_contacts(folded, flen, hits + n, SHN__SCAN_HITS_MAX - n);
    /* the window holds more than SHN__EXCERPT_CHARS characters when it
     * is shorter than the text, so the excerpt marks that cut too */
    shn__scan_excerpt(folded, flen, 0, 0, hits, n, out, size);
}

/* ------------------------------------------------------------ one account */

struct text_ref {
    const char *text, *id; /* id: the message id, NULL for a profile */
    size_t len;
};

struct scored {
    double p;
    size_t ref;
};

struct scan_buf {
    char folded[SHN__SCAN_TEXT_MAX + 1], lower[SHN__SCAN_TEXT_MAX + 1];
    struct shn__scan_hit hits[SHN__SCAN_HITS_MAX];
    size_t n, len;
};

static const char *what_name(int what)
{
    static const char *const names[] = {"term",   "evm",   "tron",  "btc",
                                        "bech32", "email", "phone", "handle"};
    return what >= 0 && what <= SHN__HIT_HANDLE ? names[what] : "?";
}

/* Scans one text into b and returns its score (noisy-or of its distinct
 * terms and kinds of pattern). */
static double scan_text(const struct shn__scan_opts *o, const struct text_ref *t,
                        struct scan_buf *b)
{
    size_t len = t->len < SHN__SCAN_TEXT_MAX ? t->len : SHN__SCAN_TEXT_MAX, kept = 0;
    double keep = 1, factor = t->id ? 1 : o->profile_factor;
    unsigned patterns = 0;
    bool any_term;
    while (len > 0 && len < t->len && ((unsigned char)t->text[len] & 0xC0) == 0x80)
        len--;
    b->len = shn__scan_fold(t->text, len, b->folded);
    shn__scan_lower(b->folded, b->len, b->lower);
    b->n = shn__scan_terms(o->lx, b->lower, b->len, b->hits, SHN__SCAN_HITS_MAX);
    any_term = b->n > 0;
    if (o->addresses)
        b->n += shn__scan_addresses(b->folded, b->len, b->hits + b->n, SHN__SCAN_HITS_MAX - b->n);
    if (o->contacts)
        b->n += shn__scan_contacts(b->folded, b->len, b->hits + b->n, SHN__SCAN_HITS_MAX - b->n);
    for (size_t i = 0; i < b->n; i++) {
        struct shn__scan_hit *h = &b->hits[i];
        bool first = true;
        if (h->what == SHN__HIT_HANDLE && !any_term)
            continue; /* an @name alone is a mention; next to "Telegram" a contact */
        b->hits[kept++] = *h;
        if (h->what == SHN__HIT_TERM) {
            for (size_t j = 0; j + 1 < kept && first; j++)
                first = b->hits[j].term != h->term;
            if (first)
                keep *= 1 - h->weight * factor;
            continue;
        }
        h = &b->hits[kept - 1];
        h->weight = h->what == SHN__HIT_EMAIL    ? o->email_weight
                    : h->what == SHN__HIT_PHONE  ? o->phone_weight
                    : h->what == SHN__HIT_HANDLE ? o->handle_weight
                                                 : o->address_weight;
        if (!(patterns & (1u << h->what)))
            keep *= 1 - h->weight;
        patterns |= 1u << h->what;
    }
    b->n = kept;
    return 1 - keep;
}

static int add_unique_string(json_t *arr, const char *s, size_t cap)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (strcmp(json_string_value(v), s) == 0)
            return SHN_OK;
    }
    if (json_array_size(arr) >= cap)
        return SHN_OK;
    return json_array_append_new(arr, json_string(s)) == 0 ? SHN_OK : SHN_ERR_NOMEM;
}

/* Notes the text's terms, kinds and patterns into r. */
static int note_hits(const struct scan_buf *b, const char *const *kind_names,
                     struct shn__scan_result *r)
{
    int rc = SHN_OK;
    for (size_t i = 0; i < b->n && rc == SHN_OK; i++) {
        const struct shn__scan_hit *h = &b->hits[i];
        if (h->what == SHN__HIT_TERM) {
            for (unsigned k = 0; kind_names && kind_names[k] && k < 16; k++)
                if (strcmp(kind_names[k], h->term->kind) == 0)
                    r->kinds |= 1u << k;
            rc = add_unique_string(r->terms, h->term->shown, 8);
        } else {
            char masked[SHN_MASK_MAX];
            size_t i0;
            json_t *v;
            bool seen = false;
            shn__scan_mask(h->what, b->folded + h->start, h->end - h->start, masked, sizeof masked);
            json_array_foreach(r->found, i0, v)
            {
                seen |= strcmp(json_string_value(json_object_get(v, "value")), masked) == 0;
            }
            if (seen)
                continue;
            r->n_found++;
            if (json_array_size(r->found) < 5) {
                json_t *f =
                    h->what == SHN__HIT_BECH32
                        ? json_pack("{s:s, s:s, s:b}", "kind", what_name(h->what), "value", masked,
                                    "checksum_ok", h->checksum_ok)
                        : json_pack("{s:s, s:s}", "kind", what_name(h->what), "value", masked);
                if (!f || json_array_append_new(r->found, f) != 0)
                    rc = SHN_ERR_NOMEM;
            }
        }
    }
    return rc;
}

/* The example of one text for the evidence, around its strongest hit. */
static json_t *example(const struct text_ref *t, double p, const struct scan_buf *b, char *excerpt,
                       size_t size)
{
    const struct shn__scan_hit *best = &b->hits[0];
    json_t *terms = json_array(), *ex;
    for (size_t i = 0; i < b->n; i++) {
        if (b->hits[i].weight > best->weight)
            best = &b->hits[i];
        if (terms)
            add_unique_string(terms,
                              b->hits[i].what == SHN__HIT_TERM ? b->hits[i].term->shown
                                                               : what_name(b->hits[i].what),
                              6);
    }
    shn__scan_excerpt(b->folded, b->len, best->start, best->end, b->hits, b->n, excerpt, size);
    ex = json_pack("{s:s, s:s?, s:f, s:o*, s:s}", "in", t->id ? "message" : "profile", "id", t->id,
                   "score", p, "terms", terms, "excerpt", excerpt);
    return ex;
}

void shn__scan_result_cleanup(struct shn__scan_result *r)
{
    json_decref(r->terms);
    json_decref(r->examples);
    json_decref(r->found);
    memset(r, 0, sizeof *r);
}

int shn__scan_account(const struct shn__scan_opts *o, const struct shn__w_account *a,
                      const char *const *kind_names, struct shn__scan_result *r)
{
    struct scan_buf *b = shn_malloc(sizeof *b);
    struct scored top[TOP] = {{0, 0}};
    struct text_ref refs[PROFILES_MAX + 1];
    size_t n_refs = 0, budget = ACCOUNT_SCAN_BYTES, n_prof = a->n_profiles, n_msg;
    double keep = 1;
    int rc = SHN_OK;

    memset(r, 0, sizeof *r);
    r->terms = json_array();
    r->examples = json_array();
    r->found = json_array();
    if (!b || !r->terms || !r->examples || !r->found) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    /* every distinct profile (the latest is among them), newest first */
    if (n_prof > PROFILES_MAX)
        n_prof = PROFILES_MAX;
    for (size_t i = 0; i < n_prof; i++) {
        const char *p = a->profiles[a->n_profiles - 1 - i];
        if (p)
            refs[n_refs++] = (struct text_ref){p, NULL, strlen(p)};
    }
    if (!n_refs && a->profile)
        refs[n_refs++] = (struct text_ref){a->profile, NULL, strlen(a->profile)};
    n_msg = a->n_msgs < o->max_messages ? a->n_msgs : o->max_messages;
    for (size_t i = 0; i < n_refs + n_msg && budget > 0 && rc == SHN_OK; i++) {
        struct text_ref t;
        double p;
        if (i < n_refs) {
            t = refs[i];
        } else {
            const struct shn__w_msg *m = &a->msgs[a->n_msgs - 1 - (i - n_refs)];
            if (!m->text)
                continue;
            t = (struct text_ref){m->text, m->id ? m->id : "?", strlen(m->text)};
        }
        if (t.len > budget)
            t.len = budget;
        budget -= t.len;
        r->texts++;
        p = scan_text(o, &t, b);
        if (!(p > 0))
            continue;
        r->hit_texts++;
        r->hit_messages += t.id != NULL;
        r->profile_hit |= t.id == NULL;
        rc = note_hits(b, kind_names, r);
        /* keep the three best texts (index into the scan order) */
        for (size_t k = 0; k < TOP; k++) {
            if (p > top[k].p) {
                memmove(&top[k + 1], &top[k], (TOP - 1 - k) * sizeof top[0]);
                top[k] = (struct scored){p, i};
                break;
            }
        }
    }
    for (size_t k = 0; k < TOP && rc == SHN_OK && top[k].p > 0; k++) {
        size_t i = top[k].ref;
        struct text_ref t;
        char excerpt[256];
        json_t *ex;
        if (i < n_refs) {
            t = refs[i];
        } else {
            const struct shn__w_msg *m = &a->msgs[a->n_msgs - 1 - (i - n_refs)];
            t = (struct text_ref){m->text, m->id ? m->id : "?", strlen(m->text)};
        }
        keep *= 1 - top[k].p;
        scan_text(o, &t, b);
        if (!b->n)
            continue;
        ex = example(&t, top[k].p, b, excerpt, sizeof excerpt);
        if (!ex || json_array_append_new(r->examples, ex) != 0)
            rc = SHN_ERR_NOMEM;
        if (k == 0)
            snprintf(r->best_excerpt, sizeof r->best_excerpt, "%s", excerpt);
    }
    r->score = 1 - keep;
out:
    shn_free(b);
    if (rc != SHN_OK)
        shn__scan_result_cleanup(r);
    return rc;
}
