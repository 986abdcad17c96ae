/* Pairwise name similarity: two names, each in any script with an optional
 * kana reading, scored by the same analysis (names.c), token similarity
 * (similarity.c) and alignment (align.c) as a watchlist query, without an
 * index. Used where two names from one platform are compared (the holder
 * name on a bank account against the account holder's name).
 *
 * Every pair of variants (readings) is scored in both directions — the
 * alignment forgives an unaligned middle name on the name side only, and
 * neither side here is a list — and the best score wins, scaled down for
 * readings of Han characters that are guesses, as the query path does. */
#include "names_internal.h"
#include "shinsa/core/err.h"

/* Token similarities of one direction, each computed once. */
struct pair_job {
    const struct shn_names_elements *q, *n;
    float cache[SHN_NAMES_ELEMENTS][SHN_NAMES_ELEMENTS]; /* < 0: not yet */
};

static float element_sim(void *ctx, int qe, int ne)
{
    struct pair_job *job = ctx;
    float *c = &job->cache[qe][ne];

    if (*c < 0)
        *c = shn_names_token_similarity(shn_names_element(job->q, qe), job->q->side.len[qe],
                                        shn_names_element(job->n, ne), job->n->side.len[ne]);
    return *c;
}

static double score_one_way(const struct shn_name_variant *qv, const struct shn_names_elements *q,
                            const struct shn_name_variant *nv, const struct shn_names_elements *n)
{
    struct pair_job job;
    struct shn_names_alignment a;

    job.q = q;
    job.n = n;
    for (int i = 0; i < SHN_NAMES_ELEMENTS; i++)
        for (int j = 0; j < SHN_NAMES_ELEMENTS; j++)
            job.cache[i][j] = -1.0f;
    return shn_names_align(&q->side, &n->side, element_sim, &job, &a) *
           shn_names_origin_factor(qv->origin) * shn_names_origin_factor(nv->origin);
}

int shn_names_similarity(const char *a, const char *a_reading, const char *b, const char *b_reading,
                         double *out)
{
    struct shn_name_forms fa, fb;
    struct shn_names_elements ea[SHN_NAME_MAX_VARIANTS], eb[SHN_NAME_MAX_VARIANTS];
    double best = 0;
    int rc;

    if (!a || !b || !out)
        return SHN_ERR_INVALID;
    rc = shn_names_analyze(a, a_reading, &fa);
    if (rc == SHN_OK)
        rc = shn_names_analyze(b, b_reading, &fb);
    if (rc != SHN_OK)
        return rc;
    for (int i = 0; i < fa.nvariants; i++)
        shn_names_elements_init(&ea[i], fa.v[i].keys);
    for (int j = 0; j < fb.nvariants; j++)
        shn_names_elements_init(&eb[j], fb.v[j].keys);
    for (int i = 0; i < fa.nvariants; i++)
        for (int j = 0; j < fb.nvariants; j++) {
            double s1 = score_one_way(&fa.v[i], &ea[i], &fb.v[j], &eb[j]);
            double s2 = score_one_way(&fb.v[j], &eb[j], &fa.v[i], &ea[i]);
            if (s1 > best)
                best = s1;
            if (s2 > best)
                best = s2;
        }
    *out = best > 1.0 ? 1.0 : best;
    return SHN_OK;
}
