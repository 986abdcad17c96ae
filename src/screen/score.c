/* Name scoring against the index: the list side of an alignment is a name
 * record whose tokens and adjacent pairs are vocabulary ids (the index
 * builder joins pairs by shn_names_pairable), and each query element's
 * similarity to a vocabulary token is computed once per query reading in
 * a small direct-mapped memo. The similarity and the alignment rules are
 * the names module's (shinsa/names.h); nothing here weighs tokens. */
#include "score.h"

#define NO_PAIR UINT32_MAX

struct index_job {
    const struct shn_screen_index *idx;
    const struct shn_names_elements *q;
    struct shn_memo *memo;
    const uint32_t *ids; /* the name's tokens, then its pairs */
};

static float memo_sim(void *ctx, int qe, int ne)
{
    const struct index_job *job = ctx;
    uint32_t vid = job->ids[ne];
    uint32_t key = ((uint32_t)qe << 24) | (vid & 0xFFFFFF);
    uint32_t slot = (key * 2654435761u) >> (32 - SHN_MEMO_BITS);
    struct shn_memo_entry *e = &job->memo->e[slot];
    const struct shn_screen_index *idx = job->idx;

    if (e->stamp == job->memo->stamp && e->key == key)
        return e->sim;
    e->stamp = job->memo->stamp;
    e->key = key;
    e->sim = shn_names_token_similarity(shn_names_element(job->q, qe), job->q->side.len[qe],
                                        shn__idx_str(idx, idx->vocab[vid]), idx->vocab_len[vid]);
    return e->sim;
}

double shn__score_name(const struct shn_screen_index *idx, const struct shn_names_elements *q,
                       struct shn_memo *memo, uint32_t name_id, struct shn_names_alignment *best)
{
    const struct shn_idx_name *nm = &idx->names[name_id];
    struct index_job job = {idx, q, memo, idx->name_tokens + nm->tokens};
    struct shn_names_side name = {0};
    int n = nm->ntokens;

    name.n = n;
    for (int j = 0; j < n; j++)
        name.len[j] = idx->vocab_len[job.ids[j]];
    for (int k = 0; k + 1 < n; k++)
        name.len[n + k] = job.ids[n + k] == NO_PAIR ? 0 : idx->vocab_len[job.ids[n + k]];
    return shn_names_align(&q->side, &name, memo_sim, &job, best);
}
