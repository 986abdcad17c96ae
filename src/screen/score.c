/* Name similarity. A query reading and a list name are token lists of
 * folded keys; the score is the weighted share of their letters that align:
 *
 *   score = sum over aligned pairs of sim(q, n) * (|q| + |n|)
 *           / (sum of all query token lengths + all name token lengths)
 *
 * where sim is the mean of Jaro-Winkler and edit similarity over folded
 * keys (1.0 when equal); pairs are chosen greedily by similarity (order-free,
 * so surname-first and given-first match); pairs under min_sim() are not
 * aligned; a one-letter token (an initial) aligns with a token it begins at
 * 0.8 over one letter, and initials alone never match; and
 * an unmatched name token counts half when at least three tokens aligned,
 * or two and it is longer than three letters (a missing middle name). Adjacent tokens on
 * either side may be merged (Jong Un = Jongun) and the best segmentation
 * wins. */
#include <string.h>

#include "score.h"

#define SHN_MIN_PAIR_SIM 0.75
#define NO_PAIR UINT32_MAX

double shn__jaro_winkler(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char amatch[SHN_FOLD_MAX * 2] = {0}, bmatch[SHN_FOLD_MAX * 2] = {0};
    size_t window, matches = 0, transpositions = 0, prefix = 0, k = 0;
    double jaro;

    if (alen == blen && memcmp(a, b, alen) == 0)
        return 1.0;
    if (!alen || !blen)
        return 0.0;
    if (alen > sizeof amatch)
        alen = sizeof amatch;
    if (blen > sizeof bmatch)
        blen = sizeof bmatch;
    window = (alen > blen ? alen : blen) / 2;
    window = window ? window - 1 : 0;
    for (size_t i = 0; i < alen; i++) {
        size_t lo = i > window ? i - window : 0, hi = i + window + 1 < blen ? i + window + 1 : blen;
        for (size_t j = lo; j < hi; j++) {
            if (!bmatch[j] && a[i] == b[j]) {
                amatch[i] = bmatch[j] = 1;
                matches++;
                break;
            }
        }
    }
    if (!matches)
        return 0.0;
    for (size_t i = 0; i < alen; i++) {
        if (!amatch[i])
            continue;
        while (!bmatch[k])
            k++;
        if (a[i] != b[k])
            transpositions++;
        k++;
    }
    jaro = ((double)matches / alen + (double)matches / blen +
            (matches - transpositions / 2.0) / matches) /
           3.0;
    while (prefix < 4 && prefix < alen && prefix < blen && a[prefix] == b[prefix])
        prefix++;
    return jaro + prefix * 0.1 * (1.0 - jaro);
}

void shn__qtokens_init(struct shn_qtokens *q, const struct shn_token_list *t)
{
    q->n = t->n;
    for (int i = 0; i < t->n; i++) {
        q->s[i] = t->tok[i];
        q->len[i] = t->len[i];
    }
    for (int i = 0; i + 1 < t->n; i++) {
        size_t a = t->len[i], b = t->len[i + 1];
        if (!shn__pairable(a, b) || a + b >= sizeof q->pair_buf[i]) {
            q->s[t->n + i] = NULL;
            q->len[t->n + i] = 0;
            continue;
        }
        memcpy(q->pair_buf[i], t->tok[i], a);
        memcpy(q->pair_buf[i] + a, t->tok[i + 1], b);
        q->pair_buf[i][a + b] = '\0';
        q->s[t->n + i] = q->pair_buf[i];
        q->len[t->n + i] = (uint8_t)(a + b);
    }
}

/* Levenshtein distance of two short strings (at most SHN_FOLD_MAX * 2). */
static size_t edit_distance(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t row[SHN_FOLD_MAX * 2 + 1];

    if (alen > SHN_FOLD_MAX * 2)
        alen = SHN_FOLD_MAX * 2;
    if (blen > SHN_FOLD_MAX * 2)
        blen = SHN_FOLD_MAX * 2;
    for (size_t j = 0; j <= blen; j++)
        row[j] = j;
    for (size_t i = 1; i <= alen; i++) {
        size_t diag = row[0], best;
        row[0] = i;
        for (size_t j = 1; j <= blen; j++) {
            size_t up = row[j];
            best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[blen];
}

/* Token similarity: the mean of Jaro-Winkler and normalized edit
 * similarity. Jaro-Winkler alone rates a short token that begins a long
 * one (hani / hansubin) far too high; edit similarity alone is too harsh
 * on transpositions. Folding has already removed romanization noise, so
 * what is left to forgive is a letter or two. */
static float token_sim(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t longest = alen > blen ? alen : blen;
    double edit;

    if (alen == 1 && blen == 1)
        return a[0] == b[0] ? 1.0f : 0.0f;
    if (alen == 1 || blen == 1) /* an initial */
        return a[0] == b[0] ? 0.8f : 0.0f;
    if (alen == blen && memcmp(a, b, alen) == 0)
        return 1.0f;
    /* The length difference alone bounds the edit similarity; most pairs
     * of unrelated tokens stop here, before the quadratic work. */
    edit = 1.0 - (double)(longest - (alen < blen ? alen : blen)) / (double)longest;
    if ((1.0 + edit) / 2.0 < SHN_MIN_PAIR_SIM)
        return 0.0f;
    edit = 1.0 - (double)edit_distance(a, alen, b, blen) / (double)longest;
    return (float)((shn__jaro_winkler(a, alen, b, blen) + edit) / 2.0);
}

static float memo_sim(const struct shn_screen_index *idx, const struct shn_qtokens *q,
                      struct shn_memo *memo, int qi, uint32_t vid)
{
    uint32_t key = ((uint32_t)qi << 24) | (vid & 0xFFFFFF);
    uint32_t slot = (key * 2654435761u) >> (32 - SHN_MEMO_BITS);
    struct shn_memo_entry *e = &memo->e[slot];
    const char *s;
    float sim;

    if (e->stamp == memo->stamp && e->key == key)
        return e->sim;
    s = shn__idx_str(idx, idx->vocab[vid]);
    size_t slen = idx->vocab_len[vid];
    sim = token_sim(q->s[qi], q->len[qi], s, slen);
    /* Whole tokens align only when they share a retrieval key (at most one
     * deletion apart); initials are the one exception. This is what lets
     * the query path bound a name's score from the keys it shares. */
    if (sim > 0 && q->len[qi] > 1 && slen > 1 &&
        !shn__elements_share_key(q->s[qi], q->len[qi], s, slen))
        sim = 0;
    e->stamp = memo->stamp;
    e->key = key;
    e->sim = sim;
    return sim;
}

struct side {
    int n;
    int16_t idx[SHN_NAME_MAX_TOKENS]; /* query token indices */
    uint32_t vid[SHN_NAME_MAX_TOKENS];
    uint8_t len[SHN_NAME_MAX_TOKENS];
    bool merged[SHN_NAME_MAX_TOKENS]; /* two adjacent tokens joined */
};

/* The least similarity at which two tokens align. Folding has already
 * merged romanization variants, so what differs in a short token is
 * usually a different syllable (Hyon and Hyong are different names): short
 * tokens must agree exactly, longer ones may differ by a typo. A merged
 * token (Jong+Un) stands for a whole given name and must agree closely. */
static float min_sim(size_t qlen, size_t nlen, bool merged)
{
    size_t longest = qlen > nlen ? qlen : nlen;

    if (merged)
        return 0.93f;
    if (longest <= 4)
        return 0.95f;
    if (longest <= 6)
        return 0.85f;
    return (float)SHN_MIN_PAIR_SIM;
}

/* Aligns two token lists; keeps the better of this alignment and *best.
 * *qfree / *nfree (may be NULL) receive bit masks of the tokens left
 * unaligned, which tell the caller where merging could help. */
static double align(const struct shn_screen_index *idx, const struct shn_qtokens *q,
                    struct shn_memo *memo, const struct side *qs, const struct side *ns,
                    struct shn_alignment *best, uint32_t *qfree, uint32_t *nfree)
{
    float sim[SHN_NAME_MAX_TOKENS][SHN_NAME_MAX_TOKENS];
    bool qused[SHN_NAME_MAX_TOKENS] = {0}, nused[SHN_NAME_MAX_TOKENS] = {0};
    double matched = 0, total = 0;
    bool substantive = false;
    struct shn_alignment a = {0};

    for (int i = 0; i < qs->n; i++) {
        for (int j = 0; j < ns->n; j++) {
            float v = memo_sim(idx, q, memo, qs->idx[i], ns->vid[j]);
            bool initial = qs->len[i] == 1 || ns->len[j] == 1;
            if (!initial && v < min_sim(qs->len[i], ns->len[j], qs->merged[i] || ns->merged[j]))
                v = 0;
            sim[i][j] = v;
        }
    }
    for (;;) {
        int bi = -1, bj = -1;
        float bs = 0.5f;
        for (int i = 0; i < qs->n; i++) {
            if (qused[i])
                continue;
            for (int j = 0; j < ns->n; j++)
                if (!nused[j] && sim[i][j] >= bs && (bi < 0 || sim[i][j] > bs)) {
                    bs = sim[i][j];
                    bi = i;
                    bj = j;
                }
        }
        if (bi < 0)
            break;
        qused[bi] = nused[bj] = true;
        if ((qs->len[bi] == 1) != (ns->len[bj] == 1)) {
            /* An initial aligns one letter on each side; the rest of the
             * longer token stays unexplained. */
            size_t longer = qs->len[bi] > ns->len[bj] ? qs->len[bi] : ns->len[bj];
            matched += bs * 2.0;
            total += 2.0 + (double)(longer - 1);
        } else {
            double w = qs->len[bi] + ns->len[bj];
            matched += bs * w;
            total += w;
            substantive = true;
        }
        a.q[a.n_pairs] = qs->idx[bi];
        a.v[a.n_pairs] = ns->vid[bj];
        a.sim[a.n_pairs] = bs;
        a.n_pairs++;
    }
    for (int i = 0; i < qs->n; i++)
        if (!qused[i])
            total += qs->len[i];
    /* A name token left unaligned is a missing middle name, counted half,
     * when the rest of the name clearly matched: two aligned tokens and a
     * token longer than a syllable, or three or more aligned tokens (Usama
     * Muhammad Bin Ladin against "BIN LADIN, Usama bin Muhammad bin Awad").
     * With only two aligned, a missing syllable (Kim Jong vs Kim Jong Un)
     * counts in full. */
    for (int j = 0; j < ns->n; j++)
        if (!nused[j])
            total += (a.n_pairs >= 3 || (a.n_pairs >= 2 && ns->len[j] > 3)) ? ns->len[j] * 0.5
                                                                            : ns->len[j];
    if (qfree && nfree) {
        *qfree = *nfree = 0;
        for (int i = 0; i < qs->n; i++)
            *qfree |= qused[i] ? 0 : 1u << i;
        for (int j = 0; j < ns->n; j++)
            *nfree |= nused[j] ? 0 : 1u << j;
    }
    /* Initials alone never make a match. */
    a.score = total > 0 && substantive ? matched / total : 0;
    if (a.score > best->score)
        *best = a;
    return a.score;
}

static uint8_t vocab_len(const struct shn_screen_index *idx, uint32_t vid)
{
    return idx->vocab_len[vid];
}

double shn__score_name(const struct shn_screen_index *idx, const struct shn_qtokens *q,
                       struct shn_memo *memo, uint32_t name_id, struct shn_alignment *best)
{
    const struct shn_idx_name *nm = &idx->names[name_id];
    const uint32_t *ids = idx->name_tokens + nm->tokens;
    int n = nm->ntokens, m = q->n;
    struct side qs = {0}, ns = {0}, side = {0};
    uint32_t qfree = 0, nfree = 0;

    best->score = 0;
    best->n_pairs = 0;
    if (!m || !n)
        return 0;
    qs.n = m;
    for (int i = 0; i < m; i++) {
        qs.idx[i] = (int16_t)i;
        qs.len[i] = q->len[i];
    }
    ns.n = n;
    for (int j = 0; j < n; j++) {
        ns.vid[j] = ids[j];
        ns.len[j] = vocab_len(idx, ids[j]);
    }
    if (align(idx, q, memo, &qs, &ns, best, &qfree, &nfree) >= 0.999 || !qfree || !nfree)
        return best->score;
    /* Merging only helps where tokens were left unaligned on both sides. */
    /* Name side: merge tokens k and k+1 (their pair is in the vocabulary). */
    for (int k = 0; k + 1 < n; k++) {
        uint32_t pair = ids[n + k];
        if (pair == NO_PAIR || !(nfree & (3u << k)))
            continue;
        side.n = 0;
        for (int j = 0; j < n; j++) {
            if (j == k + 1)
                continue;
            side.vid[side.n] = j == k ? pair : ids[j];
            side.len[side.n] = j == k ? vocab_len(idx, pair) : ns.len[j];
            side.merged[side.n] = j == k;
            side.n++;
        }
        align(idx, q, memo, &qs, &side, best, NULL, NULL);
    }
    /* Query side: merge tokens k and k+1. */
    for (int k = 0; k + 1 < m; k++) {
        if (!q->s[m + k] || !(qfree & (3u << k)))
            continue;
        side.n = 0;
        for (int i = 0; i < m; i++) {
            if (i == k + 1)
                continue;
            side.idx[side.n] = (int16_t)(i == k ? m + k : i);
            side.len[side.n] = i == k ? q->len[m + k] : q->len[i];
            side.merged[side.n] = i == k;
            side.n++;
        }
        align(idx, q, memo, &side, &ns, best, NULL, NULL);
    }
    return best->score;
}
