/* Name alignment. A query reading and a name are lists of folded tokens;
 * the score is the weighted share of their letters that align:
 *
 *   score = sum over aligned pairs of sim(q, n) * (|q| + |n|)
 *           / (sum of all query token lengths + all name token lengths)
 *
 * where sim is shn_names_token_similarity() (similarity.c); pairs are
 * chosen greedily by similarity (order-free, so surname-first and
 * given-first match); pairs under min_sim() are not aligned; a one-letter
 * token (an initial) aligns with a token it begins at 0.8 over one letter,
 * and initials alone never match; and an unmatched name token counts half
 * when at least three tokens aligned, or two and it is longer than three
 * letters (a missing middle name). Adjacent tokens on either side may be
 * merged (Jong Un = Jongun) and the best segmentation wins.
 *
 * The screen index's pruning bound (screen/query.c, score_bound) leans on
 * two of these rules: an unaligned name letter counts at least half, and
 * an initial adds at most two matched letters. */
#include <string.h>

#include "names_internal.h"

/* One segmentation of a side: which elements stand for its tokens. */
struct seg {
    int n;
    int8_t el[SHN_NAME_MAX_TOKENS]; /* element index on its side */
    uint8_t len[SHN_NAME_MAX_TOKENS];
    bool merged[SHN_NAME_MAX_TOKENS]; /* two adjacent tokens joined */
};

struct job {
    shn_names_similarity_fn sim;
    void *ctx;
};

void shn_names_elements_init(struct shn_names_elements *e, const char *keys)
{
    const char *p = keys;
    size_t used = 0;
    int n = 0;

    memset(&e->side, 0, sizeof e->side);
    memset(e->off, 0, sizeof e->off);
    e->text[used++] = '\0'; /* offset 0: the empty text of a pair not joined */
    while (*p && n < SHN_NAME_MAX_TOKENS) {
        const char *start;
        size_t len;
        while (*p == ' ')
            p++;
        start = p;
        while (*p && *p != ' ')
            p++;
        len = (size_t)(p - start);
        if (len > UINT8_MAX)
            len = UINT8_MAX;
        if (!len)
            continue;
        if (used + len + 1 >
            sizeof e->text - (SHN_NAME_MAX_TOKENS - 1) * (2 * SHN_NAMES_PAIR_MAX_TOKEN + 1))
            break; /* keep room for the pairs */
        e->off[n] = (uint16_t)used;
        e->side.len[n] = (uint8_t)len;
        memcpy(e->text + used, start, len);
        used += len;
        e->text[used++] = '\0';
        n++;
    }
    e->side.n = n;
    for (int k = 0; k + 1 < n; k++) {
        size_t a = e->side.len[k], b = e->side.len[k + 1];
        if (!shn_names_pairable(a, b))
            continue;
        e->off[n + k] = (uint16_t)used;
        e->side.len[n + k] = (uint8_t)(a + b);
        memcpy(e->text + used, e->text + e->off[k], a);
        memcpy(e->text + used + a, e->text + e->off[k + 1], b);
        used += a + b;
        e->text[used++] = '\0';
    }
}

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
    return (float)SHN_NAMES_MIN_PAIR_SIM;
}

/* Aligns two segmentations; keeps the better of this alignment and *best.
 * *qfree / *nfree (may be NULL) receive bit masks of the tokens left
 * unaligned, which tell the caller where merging could help. */
static double align(const struct job *job, const struct seg *qs, const struct seg *ns,
                    struct shn_names_alignment *best, uint32_t *qfree, uint32_t *nfree)
{
    float sim[SHN_NAME_MAX_TOKENS][SHN_NAME_MAX_TOKENS];
    bool qused[SHN_NAME_MAX_TOKENS] = {0}, nused[SHN_NAME_MAX_TOKENS] = {0};
    double matched = 0, total = 0;
    bool substantive = false;
    struct shn_names_alignment a = {0};

    for (int i = 0; i < qs->n; i++) {
        for (int j = 0; j < ns->n; j++) {
            float v = job->sim(job->ctx, qs->el[i], ns->el[j]);
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
        a.q[a.n_pairs] = qs->el[bi];
        a.n[a.n_pairs] = ns->el[bj];
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

/* The segmentation of `side` with tokens k and k+1 joined (k < 0: none). */
static void segment(const struct shn_names_side *side, int k, struct seg *s)
{
    s->n = 0;
    for (int i = 0; i < side->n; i++) {
        if (k >= 0 && i == k + 1)
            continue;
        s->el[s->n] = (int8_t)(i == k ? side->n + k : i);
        s->len[s->n] = side->len[i == k ? side->n + k : i];
        s->merged[s->n] = i == k;
        s->n++;
    }
}

double shn_names_align(const struct shn_names_side *query, const struct shn_names_side *name,
                       shn_names_similarity_fn sim, void *ctx, struct shn_names_alignment *best)
{
    struct job job = {sim, ctx};
    struct seg qs, ns, side;
    int m = query->n, n = name->n;
    uint32_t qfree = 0, nfree = 0;

    best->score = 0;
    best->n_pairs = 0;
    if (!m || !n)
        return 0;
    segment(query, -1, &qs);
    segment(name, -1, &ns);
    if (align(&job, &qs, &ns, best, &qfree, &nfree) >= 0.999 || !qfree || !nfree)
        return best->score;
    /* Merging only helps where tokens were left unaligned on both sides. */
    for (int k = 0; k + 1 < n; k++) {
        if (!name->len[n + k] || !(nfree & (3u << k)))
            continue;
        segment(name, k, &side);
        align(&job, &qs, &side, best, NULL, NULL);
    }
    for (int k = 0; k + 1 < m; k++) {
        if (!query->len[m + k] || !(qfree & (3u << k)))
            continue;
        segment(query, k, &side);
        align(&job, &side, &ns, best, NULL, NULL);
    }
    return best->score;
}
