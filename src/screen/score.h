/* Name scoring (module-internal): token alignment with Jaro-Winkler over
 * folded keys, adjacent-token merging, and the weights documented in
 * docs/screen.md. Shared by the indexed and the brute-force query paths so
 * that both give identical scores. */
#ifndef SHN_SCREEN_SCORE_H
#define SHN_SCREEN_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "screen_internal.h"

/* Query-side tokens of one reading: the tokens, then the adjacent pairs. */
struct shn_qtokens {
    int n; /* tokens; pairs are at n..2n-2 */
    const char *s[2 * SHN_NAME_MAX_TOKENS];
    uint8_t len[2 * SHN_NAME_MAX_TOKENS];
    char pair_buf[SHN_NAME_MAX_TOKENS][2 * SHN_FOLD_MAX];
};

void shn__qtokens_init(struct shn_qtokens *q, const struct shn_token_list *t);

/* Similarity memo for one query reading against vocabulary ids. */
#define SHN_MEMO_BITS 14
#define SHN_MEMO_SIZE (1u << SHN_MEMO_BITS)
struct shn_memo_entry {
    uint32_t stamp;
    uint32_t key; /* (query token << 24) | vocabulary id; ids < 2^24 */
    float sim;
};
struct shn_memo {
    uint32_t stamp;
    struct shn_memo_entry e[SHN_MEMO_SIZE];
};

#define SHN_ALIGN_MAX (2 * SHN_NAME_MAX_TOKENS)
struct shn_alignment {
    double score;
    int n_pairs;
    int16_t q[SHN_NAME_MAX_TOKENS];  /* query token (or pair) index */
    uint32_t v[SHN_NAME_MAX_TOKENS]; /* vocabulary id it met */
    float sim[SHN_NAME_MAX_TOKENS];
};

/* Scores query reading q against index name `name_id`; fills `a` with the
 * best alignment. The memo must be reset (stamp bumped) per query reading. */
double shn__score_name(const struct shn_screen_index *idx, const struct shn_qtokens *q,
                       struct shn_memo *memo, uint32_t name_id, struct shn_alignment *a);

#endif
