/* Name scoring against the index (module-internal): the names module's
 * alignment (shn_names_align) over a list name whose tokens are vocabulary
 * ids, with token similarities cached per query reading. Shared by the
 * indexed and the brute-force query paths so that both give identical
 * scores, and identical to shn_names_similarity() for the same tokens. */
#ifndef SHN_SCREEN_SCORE_H
#define SHN_SCREEN_SCORE_H

#include <stddef.h>
#include <stdint.h>

#include "screen_internal.h"

/* Similarity memo for one query reading against vocabulary ids. */
#define SHN_MEMO_BITS 14
#define SHN_MEMO_SIZE (1u << SHN_MEMO_BITS)
struct shn_memo_entry {
    uint32_t stamp;
    uint32_t key; /* (query element << 24) | vocabulary id; ids < 2^24 */
    float sim;
};
struct shn_memo {
    uint32_t stamp;
    struct shn_memo_entry e[SHN_MEMO_SIZE];
};

/* Scores query reading q against index name `name_id`; fills `a` with the
 * best alignment (name elements index the name's SHN_SEC_NAME_TOKENS ids).
 * The memo must be reset (stamp bumped) per query reading. */
double shn__score_name(const struct shn_screen_index *idx, const struct shn_names_elements *q,
                       struct shn_memo *memo, uint32_t name_id, struct shn_names_alignment *a);

#endif
