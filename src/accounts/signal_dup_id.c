/* dup_id_image: one identity document behind several accounts — the first
 * of the four signs the Japanese authorities named. Two ways to see it: the
 * image hashes are within PDQ match distance (recompression, crops and
 * brightness edits stay close), or the document number is the same once
 * normalised (spaces, dashes, full-width digits, 第…号). */
#include <jansson.h>
#include <string.h>

#include "accounts/accounts_internal.h"
#include "core/alloc.h"
#include "image/image.h"
#include "link/link.h"

#define OWN_DOCS_MAX 64 /* documents of the account under test we compare */
#define EVIDENCE_MAX 5 /* other accounts listed in the evidence (bounded size) */

struct doc {
    char number[SHN_LINK_VALUE_MAX + 1]; /* normalised; "" when none */
    char country[3];
    bool has_pdq;
    struct shn_pdq pdq;
};

struct scan {
    const char *account;
    int max_distance;
    struct doc own[OWN_DOCS_MAX];
    size_t n_own;
    json_t *matches; /* [{account, by, distance?}], one per account */
    size_t n_matches; /* other accounts' documents that matched */
    double score;
    int err;
};

static void to_doc(const char *number, const char *country, const char *pdq, struct doc *d)
{
    memset(d, 0, sizeof *d);
    if (number && shn_link_normalize(SHN_LINK_ID_NUMBER, number, strlen(number), NULL, d->number,
                                     sizeof d->number) != SHN_OK)
        d->number[0] = '\0';
    if (country && strlen(country) == 2)
        memcpy(d->country, country, 3);
    d->has_pdq = pdq && shn_image_pdq_from_hex(pdq, strlen(pdq), &d->pdq) == SHN_OK;
}

static int take_own(void *ctx, const char *account, const char *number, const char *country,
                    const char *pdq)
{
    struct scan *s = ctx;
    (void)account;
    if (s->n_own < OWN_DOCS_MAX)
        to_doc(number, country, pdq, &s->own[s->n_own++]);
    return SHN_OK;
}

/* The best match of another account's document against ours: by number
 * (distance -1) or by image (distance d), or none (returns false). */
static bool best_match(const struct scan *s, const struct doc *other, int *distance)
{
    bool found = false;
    int best = 1 << 20;
    for (size_t i = 0; i < s->n_own; i++) {
        const struct doc *own = &s->own[i];
        if (own->number[0] && strcmp(own->number, other->number) == 0 &&
            (!own->country[0] || !other->country[0] || strcmp(own->country, other->country) == 0)) {
            *distance = -1;
            return true;
        }
        if (own->has_pdq && other->has_pdq) {
            int d = shn_image_pdq_distance(&own->pdq, &other->pdq);
            if (d <= s->max_distance && d < best) {
                best = d;
                found = true;
            }
        }
    }
    if (found)
        *distance = best;
    return found;
}

static bool already_listed(json_t *matches, const char *account)
{
    size_t i;
    json_t *m;
    json_array_foreach(matches, i, m)
    {
        if (strcmp(json_string_value(json_object_get(m, "account")), account) == 0)
            return true;
    }
    return false;
}

static int take_other(void *ctx, const char *account, const char *number, const char *country,
                      const char *pdq)
{
    struct scan *s = ctx;
    struct doc other;
    int distance;
    double score;
    json_t *m;
    if (!account || strcmp(account, s->account) == 0)
        return SHN_OK;
    to_doc(number, country, pdq, &other);
    if (!best_match(s, &other, &distance))
        return SHN_OK;
    score = distance < 0 ? 1.0 : 1.0 - distance / 64.0;
    if (score > s->score)
        s->score = score;
    s->n_matches++;
    if (already_listed(s->matches, account))
        return SHN_OK;
    if (json_array_size(s->matches) >= EVIDENCE_MAX)
        return SHN_OK;
    m = distance < 0 ? json_pack("{s:s, s:s}", "account", account, "by", "id_number")
                     : json_pack("{s:s, s:s, s:i}", "account", account, "by", "id_image",
                                 "distance", distance);
    if (!m || json_array_append_new(s->matches, m) != 0)
        return SHN_ERR_NOMEM;
    return SHN_OK;
}

int shn_accounts_signal_dup_id_image(struct shn_accounts_db *db, const char *account,
                                     int pdq_distance, struct shn_accounts_signal *out,
                                     struct shn_diag *diag)
{
    struct shn_accounts_signal sig;
    struct scan *s = NULL;
    json_t *ev = NULL;
    size_t need;
    int rc;

    if (!db || !account || !out || pdq_distance < 0 || pdq_distance > 256) {
        rc = SHN_ERR_INVALID;
        goto out;
    }
    s = shn_calloc(1, sizeof *s);
    if (!s) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    s->account = account;
    s->max_distance = pdq_distance ? pdq_distance : SHN_PDQ_MATCH_DISTANCE;
    s->matches = json_array();
    if (!s->matches) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    rc = db->store->ops->each_id_document(db->store, account, take_own, s, diag);
    if (rc == SHN_OK && s->n_own)
        rc = db->store->ops->each_id_document(db->store, NULL, take_other, s, diag);
    if (rc != SHN_OK)
        goto out;
    memset(&sig, 0, sizeof sig);
    snprintf(sig.signal, sizeof sig.signal, "dup_id_image");
    sig.weight = SHN_ACCOUNTS_WEIGHT_DUP_ID_IMAGE;
    sig.score = s->score;
    ev = json_pack("{s:I, s:i, s:I, s:O}", "documents", (json_int_t)s->n_own, "pdq_distance",
                   s->max_distance, "matching_documents", (json_int_t)s->n_matches, "matches",
                   s->matches);
    if (!ev) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    need = json_dumpb(ev, sig.evidence, sizeof sig.evidence - 1, JSON_COMPACT);
    if (need == 0 || need >= sizeof sig.evidence) {
        rc = SHN_ERR_TOO_LARGE;
        goto out;
    }
    sig.evidence[need] = '\0';
    *out = sig;
out:
    json_decref(ev);
    if (s)
        json_decref(s->matches);
    shn_free(s);
    return rc;
}
