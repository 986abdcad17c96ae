/* dup_id_image: one identity document behind several accounts — the first
 * of the four signs the Japanese authorities named (borrowed licences). Two
 * ways to see it: the image hashes are within PDQ match distance
 * (recompression, crops and brightness edits stay close), or the document
 * number is the same once normalised by the link engine (spaces, dashes,
 * full-width digits, 第…号; countries must agree when both are given).
 *
 * prepare puts every document number in a sorted array and every image hash
 * in an in-memory image index (multi-index hashing, exact for the
 * distance), so eval costs a binary search and an index query per document. */
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/image.h"
#include "shinsa/link.h"
#include "signals.h"

#define EVIDENCE_MAX 5  /* other accounts listed in the evidence */
#define QUERY_CAP 256   /* image matches read per query */
#define OWN_DOCS_MAX 64 /* documents of one account compared */

struct number {
    char value[SHN_LINK_VALUE_MAX + 1];
    char country[3];
    const char *account;
};

struct state {
    struct number *numbers;
    size_t n_numbers;
    struct shn_image_index *images;
    int distance;
};

enum { P_PDQ_DISTANCE };
static const struct shn__param params[] = {
    [P_PDQ_DISTANCE] = SHN__INT("pdq_distance", SHN_PDQ_MATCH_DISTANCE, 0, 128, "bits",
                                "two document images within this PDQ distance match"),
};
#define SELF (&shn__signal_dup_id_image)

static bool normalise(const struct shn__w_doc *d, struct number *out)
{
    memset(out, 0, sizeof *out);
    if (!d->number ||
        shn_link_normalize(SHN_LINK_ID_NUMBER, d->number, strlen(d->number), NULL, out->value,
                           sizeof out->value) != SHN_OK ||
        !out->value[0])
        return false;
    if (d->country && strlen(d->country) == 2)
        memcpy(out->country, d->country, 3);
    return true;
}

static int cmp_number(const void *x, const void *y)
{
    return strcmp(((const struct number *)x)->value, ((const struct number *)y)->value);
}

static void release(void *p)
{
    struct state *s = p;
    if (!s)
        return;
    shn_free(s->numbers);
    shn_image_index_close(s->images);
    shn_free(s);
}

static int prepare(const struct shn__score_ctx *c, void **out, struct shn_diag *diag)
{
    struct state *s = shn_calloc(1, sizeof *s);
    size_t total = 0;
    int rc;
    if (!s)
        return SHN_ERR_NOMEM;
    s->distance = (int)shn__param_size(c, SELF, P_PDQ_DISTANCE);
    for (size_t i = 0; i < c->w->n_accounts; i++)
        total += c->w->accounts[i].n_docs;
    rc = shn_image_index_new_memory(&s->images);
    if (rc == SHN_OK && total && !(s->numbers = shn_calloc(total, sizeof *s->numbers)))
        rc = SHN_ERR_NOMEM;
    for (size_t i = 0; rc == SHN_OK && i < c->w->n_accounts; i++) {
        const struct shn__w_account *a = &c->w->accounts[i];
        for (size_t j = 0; rc == SHN_OK && j < a->n_docs; j++) {
            const struct shn__w_doc *d = &a->docs[j];
            if (normalise(d, &s->numbers[s->n_numbers]))
                s->numbers[s->n_numbers++].account = a->id;
            if (d->has_pdq) {
                struct shn_image_record r = {d->pdq, SHN_IMAGE_QUALITY_UNKNOWN, a->id, 1};
                rc = shn_image_index_add(s->images, &r, 1, diag);
            }
        }
    }
    if (rc != SHN_OK) {
        release(s);
        return rc;
    }
    if (s->n_numbers > 1)
        qsort(s->numbers, s->n_numbers, sizeof *s->numbers, cmp_number);
    *out = s;
    return SHN_OK;
}

/* Adds `account` to the evidence unless listed; keeps the closest match. */
static int note(json_t *matches, const char *account, const char *by, int distance, size_t *others)
{
    size_t i;
    json_t *m;
    json_array_foreach(matches, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "account")), account) == 0)
            return SHN_OK;
    }
    ++*others;
    if (json_array_size(matches) >= EVIDENCE_MAX)
        return SHN_OK;
    m = distance < 0
            ? json_pack("{s:s, s:s}", "account", account, "by", by)
            : json_pack("{s:s, s:s, s:i}", "account", account, "by", by, "distance", distance);
    return m && json_array_append_new(matches, m) == 0 ? SHN_OK : SHN_ERR_NOMEM;
}

static int by_number(const struct state *s, const struct shn__w_account *a,
                     const struct shn__w_doc *d, json_t *matches, size_t *others, size_t *docs,
                     bool *hit)
{
    struct number key;
    size_t lo = 0, hi = s->n_numbers;
    int rc = SHN_OK;
    if (!normalise(d, &key))
        return SHN_OK;
    while (lo < hi) { /* first entry >= key */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(s->numbers[mid].value, key.value) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; rc == SHN_OK && lo < s->n_numbers && strcmp(s->numbers[lo].value, key.value) == 0;
         lo++) {
        const struct number *n = &s->numbers[lo];
        if (strcmp(n->account, a->id) == 0 ||
            (key.country[0] && n->country[0] && strcmp(key.country, n->country) != 0))
            continue;
        ++*docs;
        *hit = true;
        rc = note(matches, n->account, "id_number", -1, others);
    }
    return rc;
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    const struct state *s = state;
    struct shn_image_match found[QUERY_CAP];
    json_t *matches = json_array();
    size_t others = 0, docs = 0, n_own = a->n_docs < OWN_DOCS_MAX ? a->n_docs : OWN_DOCS_MAX;
    int best = -2, rc = SHN_OK; /* -2 none, -1 by number, else distance */
    (void)c;

    if (!matches)
        return SHN_ERR_NOMEM;
    for (size_t i = 0; rc == SHN_OK && i < n_own; i++) {
        size_t n = 0;
        bool hit = false;
        rc = by_number(s, a, &a->docs[i], matches, &others, &docs, &hit);
        if (hit)
            best = -1;
        if (rc != SHN_OK || !a->docs[i].has_pdq)
            continue;
        rc = shn_image_index_query_into(s->images, &a->docs[i].pdq, s->distance,
                                        SHN_IMAGE_QUERY_BEST_PER_OWNER, found, QUERY_CAP, &n);
        for (size_t k = 0; rc == SHN_OK && k < n && k < QUERY_CAP; k++) {
            if (strcmp(found[k].owner, a->id) == 0)
                continue;
            docs++;
            if (best != -1 && (best == -2 || found[k].distance < best))
                best = found[k].distance;
            rc = note(matches, found[k].owner, "id_image", found[k].distance, &others);
        }
    }
    if (rc != SHN_OK) {
        json_decref(matches);
        return rc;
    }
    out->score = best == -1 ? 1.0 : best >= 0 ? 1.0 - best / 64.0 : 0;
    if (out->score > 0) {
        const char *first =
            json_string_value(json_object_get(json_array_get(matches, 0), "account"));
        if (best == -1) {
            shn__signal_reason_en(out,
                                  "the ID document number is also on %zu other account(s), "
                                  "e.g. %s",
                                  others, first);
            shn__signal_reason_ja(
                out, "本人確認書類の番号が他の%zu件のアカウント（例: %s）でも使われている", others,
                first);
        } else {
            shn__signal_reason_en(out,
                                  "the ID document image matches %zu other account(s) "
                                  "(closest PDQ distance %d, e.g. %s)",
                                  others, best, first);
            shn__signal_reason_ja(out,
                                  "本人確認書類の画像が他の%zu件のアカウントとほぼ同一"
                                  "（PDQ距離 最小%d、例: %s）",
                                  others, best, first);
        }
    }
    return shn__signal_set_evidence(
        out, json_pack("{s:I, s:i, s:I, s:I, s:o}", "documents", (json_int_t)a->n_docs,
                       "pdq_distance", s->distance, "matching_documents", (json_int_t)docs,
                       "other_accounts", (json_int_t)others, "matches", matches));
}

const struct shn__signal_def shn__signal_dup_id_image = {
    .name = "dup_id_image",
    .default_weight = 3.0,
    SHN__PARAMS(params),
    .prepare = prepare,
    .eval = eval,
    .release = release,
};
