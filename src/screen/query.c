/* The query path: analyse the query name into readings, fetch candidate
 * names that share a retrieval key, score them, add birth-date and
 * nationality evidence, look identifiers up exactly, and explain every hit. */
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evidence.h"
#include "model.h"
#include "score.h"
#include "screen_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/country.h"
#include "shinsa/core/utf8.h"

struct name_mark {
    uint32_t stamp; /* last query reading that proposed the name */
    uint16_t qmask; /* query tokens that share a key with it */
    uint16_t nmask; /* its tokens that share a key with the query */
};

/* Per-thread working memory, sized to the index it last served. */
struct scratch {
    uint64_t serial;         /* of the index it is sized for */
    struct name_mark *marks; /* per name, one cache line touch per posting */
    uint32_t *cands;         /* names proposed for the current reading */
    uint32_t *entity_slot;   /* per entity: hit slot + 1 for the current query */
    uint32_t *entity_stamp;
    uint32_t query_stamp;   /* entity slots belong to one query */
    uint32_t reading_stamp; /* name stamps belong to one reading of it */
    struct shn_memo memo;
};

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p)
{
    struct scratch *s = p;
    if (!s)
        return;
    shn_free(s->marks);
    shn_free(s->cands);
    shn_free(s->entity_slot);
    shn_free(s->entity_stamp);
    shn_free(s);
}

static void scratch_key_init(void)
{
    pthread_key_create(&scratch_key, scratch_free);
}

static struct scratch *scratch_get(const struct shn_screen_index *idx)
{
    struct scratch *s;

    pthread_once(&scratch_once, scratch_key_init);
    s = pthread_getspecific(scratch_key);
    /* An index closed and another opened may share an address: the serial
     * number tells them apart. */
    if (s && s->serial == idx->serial)
        return s;
    scratch_free(s);
    pthread_setspecific(scratch_key, NULL);
    s = shn_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->serial = idx->serial;
    s->marks = shn_calloc(idx->h->n_names + 1, sizeof *s->marks);
    s->cands = shn_calloc(idx->h->n_names + 1, sizeof *s->cands);
    s->entity_slot = shn_calloc(idx->h->n_entities + 1, sizeof *s->entity_slot);
    s->entity_stamp = shn_calloc(idx->h->n_entities + 1, sizeof *s->entity_stamp);
    if (!s->marks || !s->cands || !s->entity_slot || !s->entity_stamp) {
        scratch_free(s);
        return NULL;
    }
    pthread_setspecific(scratch_key, s);
    return s;
}

static uint32_t next_stamp(uint32_t *stamp)
{
    if (++*stamp == 0)
        ++*stamp; /* stamps wrap after 4 billion queries; 0 means "never" */
    return *stamp;
}

void shn_screen_result_init(struct shn_screen_result *r)
{
    memset(r, 0, sizeof *r);
}

void shn_screen_result_cleanup(struct shn_screen_result *r)
{
    shn_free(r->hits);
    memset(r, 0, sizeof *r);
}

static void add_why(struct shn_screen_hit *h, const char *fmt, ...) SHN_PRINTF(2, 3);

static void add_why(struct shn_screen_hit *h, const char *fmt, ...)
{
    va_list ap;

    if (h->n_why >= SHN_SCREEN_MAX_WHY)
        return;
    va_start(ap, fmt);
    vsnprintf(h->why[h->n_why], sizeof h->why[0], fmt, ap);
    va_end(ap);
    h->n_why++;
}

/* The hit slot of `entity` in this query, created on first use. */
static struct shn_screen_hit *hit_for(struct shn_screen_result *r, struct scratch *s,
                                      uint32_t entity, int *rc)
{
    struct shn_screen_hit *h;

    if (s->entity_stamp[entity] == s->query_stamp)
        return &r->hits[s->entity_slot[entity]];
    if (r->n_hits == r->cap_hits) {
        size_t want = r->cap_hits ? r->cap_hits * 2 : 16;
        struct shn_screen_hit *p = shn_realloc(r->hits, want * sizeof *p);
        if (!p) {
            *rc = SHN_ERR_NOMEM;
            return NULL;
        }
        r->hits = p;
        r->cap_hits = want;
    }
    h = &r->hits[r->n_hits];
    memset(h, 0, offsetof(struct shn_screen_hit, why));
    h->entity = entity;
    h->score = -1;
    s->entity_stamp[entity] = s->query_stamp;
    s->entity_slot[entity] = (uint32_t)r->n_hits++;
    return h;
}

/* ---- Names ------------------------------------------------------------- */

static const char *strength_name(int strength)
{
    static const char *const names[] = {"primary name", "a.k.a.", "f.k.a.", "weak a.k.a."};
    return strength >= 0 && strength <= SHN_ALIAS_WEAK ? names[strength] : "name";
}

static const char *origin_name(int origin)
{
    static const char *const names[] = {"Latin",
                                        "Hangul (Korean rules)",
                                        "kana (Japanese)",
                                        "katakana read as Korean",
                                        "Hanja read as Korean",
                                        "Han read as Mandarin",
                                        "the kana reading given",
                                        "transliterated"};
    return origin >= 0 && origin <= SHN_ORIGIN_OTHER ? names[origin] : "?";
}

/* Scales a name score by how much the list trusts the alias and how sure
 * the reading of the query is. */
static double name_factor(int strength, int origin)
{
    double f = strength == SHN_ALIAS_WEAK ? 0.9 : strength == SHN_ALIAS_FKA ? 0.98 : 1.0;
    return f * shn_names_origin_factor(origin);
}

struct reading {
    const struct shn_name_variant *v;
    struct shn_token_list t;
    struct shn_names_elements q;
    struct shn_key keys[SHN_KEYS_MAX];
    size_t nkeys;
    unsigned letters; /* total length of the query tokens */
    unsigned singles; /* one-letter tokens (possible initials) */
};

/* An upper bound of the name score from the keys a name shares with the
 * query. Aligned tokens share keys, so with Cq query letters and Cn name
 * letters in key-sharing tokens, An <= Cn name letters aligned, and Ln
 * letters in the name: matched <= Cq + An, and total >= Lq + An +
 * (Ln - An) / 2, since every query letter counts and an unaligned name
 * letter counts at least half (names/align.c). The bound grows with An, so
 * An = Cn gives it; each initial can add at most two letters more. Names
 * whose bound cannot reach the threshold are not scored. */
static double score_bound(const struct shn_screen_index *idx, const struct reading *rd,
                          uint32_t name_id, uint16_t qmask, uint16_t nmask)
{
    const struct shn_idx_name *nm = &idx->names[name_id];
    unsigned cq = 0, cn = 0, singles = rd->singles;

    for (int i = 0; i < rd->t.n; i++)
        if (qmask & (1u << i))
            cq += rd->t.len[i];
    for (int j = 0; j < nm->ntokens; j++) {
        unsigned len = nm->tlen[j];
        if (nmask & (1u << j))
            cn += len;
        singles += len == 1;
    }
    return (double)(cq + cn + 2 * singles) / (rd->letters + 0.5 * nm->letters + 0.5 * cn);
}

static void describe_alignment(const struct shn_screen_index *idx, const struct reading *rd,
                               const struct shn_idx_name *nm, const struct shn_names_alignment *a,
                               struct shn_screen_hit *h)
{
    char text[160];
    size_t used = 0;

    for (int i = 0; i < a->n_pairs && used < sizeof text; i++) {
        uint32_t vid = idx->name_tokens[nm->tokens + (uint32_t)a->n[i]];
        int n = snprintf(text + used, sizeof text - used, "%s%s~%s %.2f", i ? ", " : "",
                         shn_names_element(&rd->q, a->q[i]), shn__idx_str(idx, idx->vocab[vid]),
                         a->sim[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
    add_why(h, "tokens aligned (folded keys): %s", used ? text : "none");
}

static int score_candidate(const struct shn_screen_index *idx, struct scratch *s,
                           const struct reading *rd, uint32_t name_id, uint16_t qmask,
                           uint16_t nmask, double threshold, struct shn_screen_result *r)
{
    const struct shn_idx_name *nm = &idx->names[name_id];
    double factor = name_factor(nm->strength, rd->v->origin);
    struct shn_names_alignment a;
    struct shn_screen_hit *h;
    double score;
    int rc = SHN_OK;

    r->candidates++;
    if (score_bound(idx, rd, name_id, qmask, nmask) * factor + SHN_MAX_BONUS < threshold)
        return SHN_OK;
    r->scored++;
    score = shn__score_name(idx, &rd->q, &s->memo, name_id, &a) * factor;
    /* Evidence can add at most SHN_MAX_BONUS: names far below the threshold
     * cannot become hits and need no slot. */
    if (score + SHN_MAX_BONUS < threshold)
        return SHN_OK;
    h = hit_for(r, s, nm->entity, &rc);
    if (!h)
        return rc;
    if (score <= h->score || h->exact_identifier)
        return SHN_OK;
    h->score = score;
    h->n_why = 0;
    snprintf(h->matched, sizeof h->matched, "%s", shn__idx_str(idx, nm->text));
    add_why(h, "name matched the list's %s '%s' (%.2f)", strength_name(nm->strength),
            shn__idx_str(idx, nm->text), score);
    if (rd->v->origin != SHN_ORIGIN_LATIN)
        add_why(h, "query read from %s as '%s'", origin_name(rd->v->origin), rd->v->text);
    if (nm->origin != SHN_ORIGIN_LATIN)
        add_why(h, "list name read from %s as '%s'", origin_name(nm->origin),
                shn__idx_str(idx, nm->latin));
    describe_alignment(idx, rd, nm, &a, h);
    return SHN_OK;
}

/* The brute-force path works out the same masks the index gives, by
 * generating the name's keys and intersecting them with the query's. */
static void shared_masks(const struct shn_screen_index *idx, const struct reading *rd,
                         uint32_t name_id, uint16_t *qmask, uint16_t *nmask)
{
    const struct shn_idx_name *nm = &idx->names[name_id];
    struct shn_token_list t;
    struct shn_key keys[SHN_KEYS_MAX];
    size_t n, i = 0, j = 0;

    *qmask = *nmask = 0;
    t.n = nm->ntokens;
    for (int k = 0; k < t.n; k++) {
        uint32_t vid = idx->name_tokens[nm->tokens + k];
        t.tok[k] = shn__idx_str(idx, idx->vocab[vid]);
        t.len[k] = idx->vocab_len[vid];
    }
    n = shn__keys_for_tokens(&t, keys, SHN_KEYS_MAX);
    while (i < n && j < rd->nkeys) {
        if (keys[i].hash == rd->keys[j].hash) {
            *nmask |= keys[i++].mask;
            *qmask |= rd->keys[j++].mask;
        } else if (keys[i].hash < rd->keys[j].hash) {
            i++;
        } else {
            j++;
        }
    }
}

static int screen_names(const struct shn_screen_index *idx, struct scratch *s,
                        const struct shn_screen_query *q, double threshold, bool brute,
                        struct shn_screen_result *r)
{
    struct shn_name_forms forms;
    struct reading *rd;
    int rc;

    rc = shn_names_analyze(q->name, q->reading, &forms);
    if (rc != SHN_OK)
        return rc;
    rd = shn_malloc(sizeof *rd);
    if (!rd)
        return SHN_ERR_NOMEM;
    for (int v = 0; v < forms.nvariants && rc == SHN_OK; v++) {
        rd->v = &forms.v[v];
        shn__tokens_split(rd->v->keys, &rd->t);
        if (!rd->t.n)
            continue;
        shn_names_elements_init(&rd->q, rd->v->keys);
        rd->nkeys = shn__keys_for_tokens(&rd->t, rd->keys, SHN_KEYS_MAX);
        rd->letters = rd->singles = 0;
        for (int i = 0; i < rd->t.n; i++) {
            rd->letters += rd->t.len[i];
            rd->singles += rd->t.len[i] == 1;
        }
        next_stamp(&s->memo.stamp);
        if (brute) {
            for (uint32_t n = 0; n < idx->h->n_names && rc == SHN_OK; n++) {
                uint16_t qm, nm;
                shared_masks(idx, rd, n, &qm, &nm);
                if (qm)
                    rc = score_candidate(idx, s, rd, n, qm, nm, threshold, r);
            }
            continue;
        }
        uint32_t reading_stamp = next_stamp(&s->reading_stamp);
        size_t ncands = 0;
        for (size_t k = 0; k < rd->nkeys; k++) {
            uint32_t first, count;
            if (!shn__idx_lookup(&idx->keys, rd->keys[k].hash, &first, &count))
                continue;
            for (uint32_t p = 0; p < count; p++) {
                uint32_t name_id = idx->key_postings[first + p];
                struct name_mark *mk = &s->marks[name_id];
                if (mk->stamp != reading_stamp) {
                    mk->stamp = reading_stamp;
                    mk->qmask = mk->nmask = 0;
                    s->cands[ncands++] = name_id;
                }
                mk->qmask |= rd->keys[k].mask;
                mk->nmask |= idx->key_masks[first + p];
            }
        }
        for (size_t c = 0; c < ncands && rc == SHN_OK; c++) {
            uint32_t name_id = s->cands[c];
            rc = score_candidate(idx, s, rd, name_id, s->marks[name_id].qmask,
                                 s->marks[name_id].nmask, threshold, r);
        }
    }
    shn_free(rd);
    return rc;
}

/* ---- Evidence ---------------------------------------------------------- */

struct qdate {
    int year, month, day; /* month/day 0 when not given */
};

static bool parse_query_date(const char *s, struct qdate *d)
{
    int y = 0, m = 0, day = 0, n = 0;

    if (!s || !*s)
        return false;
    if (sscanf(s, "%4d-%2d-%2d%n", &y, &m, &day, &n) == 3 && s[n] == '\0') {
    } else if (sscanf(s, "%4d-%2d%n", &y, &m, &n) == 2 && s[n] == '\0') {
        day = 0;
    } else if (sscanf(s, "%4d%n", &y, &n) == 1 && s[n] == '\0') {
        m = day = 0;
    } else {
        return false;
    }
    if (y < 1800 || y > 2200 || m < 0 || m > 12 || day < 0 || day > 31)
        return false;
    d->year = y;
    d->month = m;
    d->day = day;
    return true;
}

static void format_list_date(const struct shn_idx_date *d, char *out, size_t size)
{
    switch (d->kind) {
    case SHN_DATE_EXACT:
        snprintf(out, size, "%04u-%02u-%02u", d->year, d->month, d->day);
        break;
    case SHN_DATE_MONTH:
        snprintf(out, size, "%04u-%02u", d->year, d->month);
        break;
    case SHN_DATE_CIRCA:
        snprintf(out, size, "circa %u", d->year);
        break;
    case SHN_DATE_RANGE:
        snprintf(out, size, "%u to %u", d->year, d->year_to);
        break;
    default:
        snprintf(out, size, "%u", d->year);
    }
}

/* How far (in years) the query date is from one list date: 0 inside it.
 * *exact is set when day and month agree too. */
static int date_distance(const struct qdate *q, const struct shn_idx_date *d, bool *exact)
{
    int lo = d->year, hi = d->year_to >= d->year ? d->year_to : d->year;

    *exact = false;
    if (d->kind == SHN_DATE_CIRCA) {
        lo -= 2; /* "circa" is read as within two years */
        hi += 2;
    }
    if (q->year < lo)
        return lo - q->year;
    if (q->year > hi)
        return q->year - hi;
    if (d->kind == SHN_DATE_EXACT && q->month && q->day) {
        if (q->month == d->month && q->day == d->day)
            *exact = true;
        else
            return 1; /* same year, different day: a different birth date */
    }
    return 0;
}

static void add_dob_evidence(const struct shn_screen_index *idx, const struct qdate *qd,
                             struct shn_screen_hit *h)
{
    const struct shn_idx_entity *e = &idx->entities[h->entity];
    int best = 1 << 20;
    const struct shn_idx_date *best_date = NULL;
    bool exact = false;
    char listed[40];
    double w;

    for (uint32_t i = 0; i < e->n_dobs; i++) {
        bool ex;
        int dist = date_distance(qd, &idx->dobs[e->first_dob + i], &ex);
        if (dist < best || (dist == best && ex)) {
            best = dist;
            best_date = &idx->dobs[e->first_dob + i];
            exact = ex;
        }
    }
    if (!best_date)
        return; /* the list gives no birth date: no evidence either way */
    format_list_date(best_date, listed, sizeof listed);
    if (exact) {
        w = shn__evidence(SHN_EV_DOB_EXACT);
        add_why(h, "birth date matches the list's %s exactly (%+.2f)", listed, w);
    } else if (best == 0) {
        w = shn__evidence(SHN_EV_DOB_YEAR);
        add_why(h, "birth year fits the list's %s (%+.2f)", listed, w);
    } else if (best <= SHN_EV_DOB_NEAR_YEARS) {
        w = shn__evidence(SHN_EV_DOB_NEAR);
        add_why(h, "birth date differs from the list's %s (%d year%s off, %+.2f)", listed, best,
                best == 1 ? "" : "s", w);
    } else {
        w = shn__evidence(SHN_EV_DOB_FAR);
        add_why(h, "birth date far from the list's %s (%d years off, %+.2f)", listed, best, w);
    }
    h->score += w;
}

static void add_nationality_evidence(const struct shn_screen_index *idx, const char *code,
                                     struct shn_screen_hit *h)
{
    const struct shn_idx_entity *e = &idx->entities[h->entity];

    if (!e->n_nats)
        return;
    for (uint32_t i = 0; i < e->n_nats; i++) {
        if (strcasecmp(shn__idx_str(idx, idx->nats[e->first_nat + i]), code) == 0) {
            h->score += shn__evidence(SHN_EV_NAT_MATCH);
            add_why(h, "nationality %s matches the list (%+.2f)", code,
                    shn__evidence(SHN_EV_NAT_MATCH));
            return;
        }
    }
    h->score += shn__evidence(SHN_EV_NAT_OTHER);
    add_why(h, "nationality %s not among the list's (%s%s) (%+.2f)", code,
            shn__idx_str(idx, idx->nats[e->first_nat]), e->n_nats > 1 ? ", ..." : "",
            shn__evidence(SHN_EV_NAT_OTHER));
}

/* ---- Identifiers ------------------------------------------------------- */

static const char *ident_kind_name(int kind)
{
    static const char *const names[] = {"passport number",       "national ID number",
                                        "identification number", "email address",
                                        "phone number",          "website",
                                        "crypto address",        "handle"};
    return kind >= 0 && kind < SHN_ID__COUNT ? names[kind] : "identifier";
}

static int screen_ident(const struct shn_screen_index *idx, struct scratch *s, int cls,
                        const char *value, struct shn_screen_result *r)
{
    char norm[256];
    size_t len = shn__ident_normalize(cls, value, norm, sizeof norm);
    uint32_t first, count;
    int rc = SHN_OK;

    if (!len || !shn__idx_lookup(&idx->ids, shn__ident_hash(cls, norm, len), &first, &count))
        return SHN_OK;
    for (uint32_t p = 0; p < count; p++) {
        const struct shn_idx_ident *id = &idx->idents[idx->id_postings[first + p]];
        struct shn_screen_hit *h = hit_for(r, s, id->entity, &rc);
        const char *chain = shn__idx_str(idx, id->chain);
        if (!h)
            return rc;
        if (h->exact_identifier)
            continue;
        h->score = 1.0;
        h->exact_identifier = 1;
        h->n_why = 0;
        snprintf(h->matched, sizeof h->matched, "%s", shn__idx_str(idx, id->value));
        add_why(h, "exact %s%s%s%s match: '%s' (score 1.0)", ident_kind_name(id->kind),
                *chain ? " (" : "", chain, *chain ? ")" : "", shn__idx_str(idx, id->value));
    }
    return SHN_OK;
}

/* ---- Query ------------------------------------------------------------- */

static int cmp_hits(const void *a, const void *b)
{
    const struct shn_screen_hit *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->entity < y->entity ? -1 : x->entity > y->entity;
}

static int check_field(const char *s)
{
    size_t len;

    if (!s)
        return SHN_OK;
    len = strlen(s);
    if (len > SHN_SCREEN_MAX_FIELD)
        return SHN_ERR_INVALID;
    return shn_utf8_valid(s, len, NULL) ? SHN_OK : SHN_ERR_ENCODING;
}

static int run_query(const struct shn_screen_index *idx, const struct shn_screen_query *q,
                     struct shn_screen_result *r, bool brute)
{
    const char *fields[] = {q->name,   q->reading, q->dob,   q->nationality, q->id,
                            q->crypto, q->email,   q->phone, q->handle};
    double threshold = q->threshold > 0 ? q->threshold : SHN_SCREEN_DEFAULT_THRESHOLD;
    int limit = q->limit > 0 ? q->limit : SHN_SCREEN_DEFAULT_LIMIT;
    struct scratch *s;
    struct qdate qd = {0};
    bool have_dob, any = false;
    const char *nat = NULL;
    size_t kept = 0;
    int rc = SHN_OK;

    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        if ((rc = check_field(fields[i])) != SHN_OK)
            return rc;
        if (fields[i] && *fields[i])
            any = true;
    }
    if (!any)
        return SHN_ERR_INVALID;
    have_dob = parse_query_date(q->dob, &qd);
    if (q->dob && *q->dob && !have_dob)
        return SHN_ERR_INVALID;
    if (q->nationality && *q->nationality) {
        nat = shn_country_code(q->nationality);
        if (!nat)
            nat = q->nationality;
    }
    s = scratch_get(idx);
    if (!s)
        return SHN_ERR_NOMEM;
    r->n_hits = 0;
    r->candidates = 0;
    r->scored = 0;
    next_stamp(&s->query_stamp);

    if (q->name && *q->name)
        rc = screen_names(idx, s, q, threshold, brute, r);
    if (rc == SHN_OK && q->id && *q->id)
        rc = screen_ident(idx, s, SHN_IDC_DOCUMENT, q->id, r);
    if (rc == SHN_OK && q->crypto && *q->crypto)
        rc = screen_ident(idx, s, SHN_IDC_CRYPTO, q->crypto, r);
    if (rc == SHN_OK && q->email && *q->email)
        rc = screen_ident(idx, s, SHN_IDC_EMAIL, q->email, r);
    if (rc == SHN_OK && q->phone && *q->phone)
        rc = screen_ident(idx, s, SHN_IDC_PHONE, q->phone, r);
    if (rc == SHN_OK && q->handle && *q->handle)
        rc = screen_ident(idx, s, SHN_IDC_HANDLE, q->handle, r);
    if (rc != SHN_OK)
        return rc;

    for (size_t i = 0; i < r->n_hits; i++) {
        struct shn_screen_hit *h = &r->hits[i];
        if (!h->exact_identifier) { /* an exact identifier needs no more evidence */
            if (have_dob)
                add_dob_evidence(idx, &qd, h);
            if (nat)
                add_nationality_evidence(idx, nat, h);
        }
        if (h->score > 1.0)
            h->score = 1.0;
        if (h->score < 0)
            h->score = 0;
        if (h->score >= threshold)
            r->hits[kept++] = *h;
    }
    r->n_hits = kept;
    if (r->n_hits > 1)
        qsort(r->hits, r->n_hits, sizeof *r->hits, cmp_hits);
    if (r->n_hits > (size_t)limit)
        r->n_hits = (size_t)limit;
    return SHN_OK;
}

int shn_screen_query(const struct shn_screen_index *idx, const struct shn_screen_query *q,
                     struct shn_screen_result *r)
{
    return run_query(idx, q, r, false);
}

int shn_screen_query_bruteforce(const struct shn_screen_index *idx,
                                const struct shn_screen_query *q, struct shn_screen_result *r)
{
    return run_query(idx, q, r, true);
}
