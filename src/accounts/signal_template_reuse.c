/* template_reuse: near-identical profile or message texts across accounts.
 * Operators run many personas and paste the same self-introduction and the
 * same pitch into each, changing the name and a few words.
 *
 * Which texts: every distinct profile of an account (up to 4, newest
 * first), and its longest messages (up to max_messages, each at least
 * min_message_chars characters: short messages are formulaic in Japanese
 * business writing — お世話になっております… — and near-identical for
 * everyone). Bids carry no text. A text is normalised (width folding, lower
 * case, spaces and punctuation dropped, every digit read as 0 so that
 * years and prices do not separate two copies) and ignored below min_chars
 * characters.
 *
 * How: a 64-value MinHash of the character 3-grams, by one-permutation
 * hashing (one hash per shingle, 64 bins, empty bins filled by optimal
 * densification — Shrivastava, ICML 2017), 16 bits kept per value. Locality-
 * sensitive hashing: 16 bands of 4 values; texts that agree on a whole band
 * are candidates (a pair at Jaccard 0.7 is a candidate with probability
 * 0.98, at 0.3 with 0.12), checked by the share of equal values (the
 * Jaccard estimate, ±0.06). Per band the (band, text) pairs are sorted, so
 * prepare costs 16 sorts, not n² comparisons.
 *
 * Boilerplate: a band group holding more than max_accounts accounts (or
 * more than 64 texts) is not expanded into pairs; a text found in such a
 * crowded group in 4 of its 16 bands, or near-identical to texts of more
 * than max_accounts accounts, is platform boilerplate (a stock greeting, a
 * template the platform offers) and neither fires nor makes others fire.
 *
 * prepare does all of that; eval reads the account's neighbours. */
#include <stdlib.h>
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/utf8.h"
#include "signals.h"
#include "textscan.h"

#define NAME "template_reuse"
#define BINS 64
#define BANDS 16
#define ROWS 4
#define GROUP_MAX 64          /* texts in one band group expanded into pairs */
#define CROWDED_BOILERPLATE 4 /* crowded bands that make a text boilerplate */
#define PROFILES_MAX 4
#define CHARS_MAX 4096        /* characters of one text shingled */
#define EDGES_MAX (64u << 20) /* verified pairs kept (both directions) */
#define EVIDENCE_MAX 5
#define OTHERS_MAX 64          /* distinct other accounts tracked per account */
#define MESSAGES_LOOKED_AT 256 /* recent messages an account's longest are taken from */

enum { K_PROFILE = 0, K_MESSAGE = 1 };

struct text {
    uint32_t account;
    uint8_t kind, crowded, boilerplate;
    const char *src, *id; /* id: the message id */
    uint16_t sig[BINS];
};

/* Scratch for exact verification of candidate pairs (prepare only). */
struct verify {
    uint32_t *cps;
    char *scratch;
    uint64_t *a, *b; /* sorted distinct shingles */
    size_t na, nb;
    uint32_t a_text; /* whose shingles are in a; UINT32_MAX none */
    /* Pairs already decided: near-duplicates meet in many bands, so the
     * same pair comes up again and again (direct-mapped, a miss recomputes). */
    struct pair_slot {
        uint64_t key; /* a << 32 | b, a < b; 0 = empty */
        float sim;
    } * seen;
};

#define SEEN_SLOTS (1u << 18)

struct edge {
    uint32_t a, b;
    float sim;
};

struct state {
    struct text *texts;
    size_t n_texts;
    uint32_t *first; /* per account: its first text; n_accounts + 1 */
    struct edge *edges;
    size_t n_edges;
    uint32_t *edge_first; /* per text: its first edge; n_texts + 1 */
    double threshold, message_factor;
    size_t min_shared_messages;
    size_t max_accounts, min_chars, min_message_chars, boilerplate;
    bool edges_capped;
};

enum {
    P_SIMILARITY,
    P_MIN_CHARS,
    P_MIN_MESSAGE_CHARS,
    P_MAX_ACCOUNTS,
    P_MAX_MESSAGES,
    P_MESSAGE_FACTOR,
    P_MIN_SHARED,
};
static const struct shn__param params[] = {
    /* Below 0.3 the bands (16 of 4 values) find too few of the pairs. */
    [P_SIMILARITY] = SHN__NUM("similarity", 0.7, 0.3, 1, "",
                              "3-gram Jaccard similarity at which two texts are copies"),
    [P_MIN_CHARS] = SHN__INT("min_chars", 40, 3, CHARS_MAX, "characters",
                             "shorter normalised texts are ignored"),
    [P_MIN_MESSAGE_CHARS] = SHN__INT("min_message_chars", 80, 3, CHARS_MAX, "characters",
                                     "shorter messages are not indexed"),
    [P_MAX_ACCOUNTS] = SHN__INT("max_accounts", 50, 2, 1e6, "accounts",
                                "a text shared by more accounts is boilerplate"),
    [P_MAX_MESSAGES] = SHN__INT("max_messages", 20, 0, 1000, "messages",
                                "longest messages indexed per account (0 = profiles only)"),
    [P_MESSAGE_FACTOR] = SHN__NUM("message_factor", 0.5, 0, 1, "",
                                  "multiplies the score of shared messages (no profile)"),
    [P_MIN_SHARED] = SHN__INT("min_shared_messages", 2, 1, 1000, "messages",
                              "distinct messages shared with one account that fire"),
};
#define SELF (&shn__signal_template_reuse)

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

static bool dropped(uint32_t cp)
{
    return cp <= 0x2F || (cp >= 0x3A && cp <= 0x40) || (cp >= 0x5B && cp <= 0x60) ||
           (cp >= 0x7B && cp <= 0x7F) || (cp >= 0x3000 && cp <= 0x303F) || cp == 0x30FB ||
           (cp >= 0x2000 && cp <= 0x206F);
}

/* The normalised code points of s (≤ CHARS_MAX). */
static size_t normalise(const char *s, uint32_t *cps, char *scratch)
{
    size_t len = strlen(s), n = 0, i = 0;
    if (len > SHN__SCAN_TEXT_MAX)
        len = SHN__SCAN_TEXT_MAX;
    len = shn__scan_fold(s, len, scratch);
    while (i < len && n < CHARS_MAX) {
        uint32_t cp;
        size_t k = shn_utf8_decode(scratch + i, len - i, &cp);
        if (!k) {
            i++;
            continue;
        }
        i += k;
        if (dropped(cp))
            continue;
        if (cp >= 'A' && cp <= 'Z')
            cp += 'a' - 'A';
        else if (cp >= '0' && cp <= '9')
            cp = '0';
        cps[n++] = cp;
    }
    return n;
}

/* One-permutation MinHash of the 3-grams of cps[0..n) (n ≥ 3). */
static void sketch(const uint32_t *cps, size_t n, uint16_t sig[BINS])
{
    uint64_t mins[BINS];
    bool full[BINS] = {false};
    for (int b = 0; b < BINS; b++)
        mins[b] = UINT64_MAX;
    for (size_t i = 0; i + 2 < n; i++) {
        uint64_t h = mix64((uint64_t)cps[i] << 42 ^ (uint64_t)cps[i + 1] << 21 ^ cps[i + 2]);
        unsigned b = (unsigned)(h >> 58);
        uint64_t v = h & 0x03FFFFFFFFFFFFFFull;
        if (v < mins[b])
            mins[b] = v;
        full[b] = true;
    }
    for (int b = 0; b < BINS; b++) {
        int from = b;
        /* optimal densification: an empty bin borrows from the bin a hash
         * of (bin, attempt) points at, the same for every text */
        for (uint64_t attempt = 1; !full[from] && attempt < 4096; attempt++)
            from = (int)(mix64((uint64_t)b << 32 | attempt) % BINS);
        sig[b] = full[from] ? (uint16_t)(mix64(mins[from] + (uint64_t)b * (from != b)) >> 48) : 0;
    }
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return (a > b) - (a < b);
}

/* The sorted distinct 3-gram hashes of src into out; returns their count. */
static size_t shingles(const char *src, struct verify *v, uint64_t *out)
{
    size_t n = normalise(src, v->cps, v->scratch), m = 0;
    for (size_t i = 0; i + 2 < n; i++)
        out[m++] = mix64((uint64_t)v->cps[i] << 42 ^ (uint64_t)v->cps[i + 1] << 21 ^ v->cps[i + 2]);
    if (m > 1)
        qsort(out, m, sizeof *out, cmp_u64);
    n = 0;
    for (size_t i = 0; i < m; i++)
        if (!n || out[i] != out[n - 1])
            out[n++] = out[i];
    return n;
}

/* The exact Jaccard similarity of the two texts' 3-gram sets. */
static double jaccard(const struct state *s, uint32_t x, uint32_t y, struct verify *v)
{
    size_t i = 0, j = 0, both = 0;
    uint64_t key = (uint64_t)(x < y ? x : y) << 32 | (x < y ? y : x);
    struct pair_slot *slot = &v->seen[mix64(key) & (SEEN_SLOTS - 1)];
    double sim;
    if (slot->key == key)
        return slot->sim;
    if (v->a_text != x) {
        v->na = shingles(s->texts[x].src, v, v->a);
        v->a_text = x;
    }
    v->nb = shingles(s->texts[y].src, v, v->b);
    while (i < v->na && j < v->nb) {
        if (v->a[i] == v->b[j]) {
            both++;
            i++;
            j++;
        } else if (v->a[i] < v->b[j]) {
            i++;
        } else {
            j++;
        }
    }
    sim = v->na + v->nb > both ? (double)both / (double)(v->na + v->nb - both) : 0;
    slot->key = key;
    slot->sim = (float)sim;
    return sim;
}

static double similarity(const struct text *x, const struct text *y)
{
    int same = 0;
    for (int b = 0; b < BINS; b++)
        same += x->sig[b] == y->sig[b];
    return same / (double)BINS;
}

struct keyed {
    uint64_t key;
    uint32_t text;
};

static int cmp_keyed(const void *x, const void *y)
{
    const struct keyed *a = x, *b = y;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->text > b->text) - (a->text < b->text);
}

static int cmp_edge(const void *x, const void *y)
{
    const struct edge *a = x, *b = y;
    if (a->a != b->a)
        return a->a < b->a ? -1 : 1;
    return (a->b > b->b) - (a->b < b->b);
}

static void release(void *p)
{
    struct state *s = p;
    if (!s)
        return;
    shn_free(s->texts);
    shn_free(s->first);
    shn_free(s->edges);
    shn_free(s->edge_first);
    shn_free(s);
}

struct msg_len {
    size_t len;
    const struct shn__w_msg *m;
};

static int cmp_msg_len(const void *x, const void *y)
{
    const struct msg_len *a = x, *b = y;
    return (a->len < b->len) - (a->len > b->len); /* longest first */
}

/* Adds one text of account ai when it is long enough. */
static void add_text(struct state *s, uint32_t ai, int kind, const char *src, const char *id,
                     size_t min_chars, uint32_t *cps, char *scratch)
{
    size_t n = normalise(src, cps, scratch);
    struct text *t = &s->texts[s->n_texts];
    if (n < min_chars || n < 3)
        return;
    for (uint32_t k = s->first[ai]; k < s->n_texts; k++)
        if (strcmp(s->texts[k].src, src) == 0)
            return; /* the same text twice in one account */
    memset(t, 0, sizeof *t);
    t->account = ai;
    t->kind = (uint8_t)kind;
    t->src = src;
    t->id = id;
    sketch(cps, n, t->sig);
    s->n_texts++;
}

static int collect(const struct shn__score_ctx *c, struct state *s, size_t max_messages)
{
    const struct shn__world *w = c->w;
    size_t cap = 0;
    uint32_t *cps = shn_malloc(CHARS_MAX * sizeof *cps);
    char *scratch = shn_malloc(SHN__SCAN_TEXT_MAX + 1);
    struct msg_len *longest = shn_malloc(MESSAGES_LOOKED_AT * sizeof *longest);
    int rc = SHN_OK;

    for (size_t i = 0; i < w->n_accounts; i++) {
        const struct shn__w_account *a = &w->accounts[i];
        size_t np = a->n_profiles ? (a->n_profiles < PROFILES_MAX ? a->n_profiles : PROFILES_MAX)
                                  : a->profile != NULL;
        size_t nm = a->n_msgs < max_messages ? a->n_msgs : max_messages;
        if (!shn_size_add(cap, np + nm, &cap))
            rc = SHN_ERR_TOO_LARGE;
    }
    if (rc == SHN_OK && (!cps || !scratch || !longest ||
                         !(s->first = shn_calloc(w->n_accounts + 1, sizeof *s->first)) ||
                         (cap && !(s->texts = shn_calloc(cap, sizeof *s->texts)))))
        rc = SHN_ERR_NOMEM;
    if (rc == SHN_OK && cap > UINT32_MAX / 2)
        rc = SHN_ERR_TOO_LARGE;
    for (size_t i = 0; rc == SHN_OK && i < w->n_accounts; i++) {
        const struct shn__w_account *a = &w->accounts[i];
        size_t nl = 0;
        s->first[i] = (uint32_t)s->n_texts;
        if (a->n_profiles) {
            for (size_t k = 0; k < a->n_profiles && k < PROFILES_MAX; k++)
                if (a->profiles[a->n_profiles - 1 - k])
                    add_text(s, (uint32_t)i, K_PROFILE, a->profiles[a->n_profiles - 1 - k], NULL,
                             s->min_chars, cps, scratch);
        } else if (a->profile) {
            add_text(s, (uint32_t)i, K_PROFILE, a->profile, NULL, s->min_chars, cps, scratch);
        }
        if (!max_messages)
            continue;
        /* the longest among the most recent MESSAGES_LOOKED_AT */
        for (size_t k = a->n_msgs > MESSAGES_LOOKED_AT ? a->n_msgs - MESSAGES_LOOKED_AT : 0;
             k < a->n_msgs && nl < MESSAGES_LOOKED_AT; k++) {
            const char *t = a->msgs[k].text;
            size_t bytes = t ? strlen(t) : 0;
            /* a character is at most 4 bytes: a cheap bound before counting */
            if (bytes >= s->min_message_chars)
                longest[nl++] = (struct msg_len){shn_utf8_length(t, bytes), &a->msgs[k]};
        }
        qsort(longest, nl, sizeof *longest, cmp_msg_len);
        for (size_t k = 0; k < nl && k < max_messages; k++)
            if (longest[k].len >= s->min_message_chars)
                add_text(s, (uint32_t)i, K_MESSAGE, longest[k].m->text, longest[k].m->id,
                         s->min_message_chars > s->min_chars ? s->min_message_chars : s->min_chars,
                         cps, scratch);
    }
    if (s->first)
        s->first[w->n_accounts] = (uint32_t)s->n_texts;
    shn_free(cps);
    shn_free(scratch);
    shn_free(longest);
    return rc;
}

/* Expands one band group keys[0..g) into verified edges. */
static int expand(struct state *s, const struct keyed *keys, size_t g, size_t *cap,
                  struct verify *v)
{
    size_t accounts = 1;
    for (size_t i = 1; i < g; i++)
        accounts += s->texts[keys[i].text].account != s->texts[keys[i - 1].text].account;
    if (accounts < 2)
        return SHN_OK;
    if (accounts > s->max_accounts || g > GROUP_MAX) {
        for (size_t i = 0; i < g; i++)
            if (s->texts[keys[i].text].crowded < 255)
                s->texts[keys[i].text].crowded++;
        return SHN_OK;
    }
    for (size_t i = 0; i < g; i++) {
        for (size_t j = i + 1; j < g; j++) {
            const struct text *x = &s->texts[keys[i].text], *y = &s->texts[keys[j].text];
            double sim;
            /* the MinHash estimate (±0.06) picks, the exact Jaccard decides */
            if (x->account == y->account || similarity(x, y) < s->threshold - 0.1 ||
                (sim = jaccard(s, keys[i].text, keys[j].text, v)) < s->threshold)
                continue;
            if (s->n_edges + 2 > *cap) {
                size_t ncap = *cap ? *cap * 2 : 4096;
                struct edge *e;
                if (ncap > EDGES_MAX) {
                    s->edges_capped = true;
                    return SHN_OK;
                }
                if (!(e = shn_realloc(s->edges, ncap * sizeof *e)))
                    return SHN_ERR_NOMEM;
                s->edges = e;
                *cap = ncap;
            }
            s->edges[s->n_edges++] = (struct edge){keys[i].text, keys[j].text, (float)sim};
            s->edges[s->n_edges++] = (struct edge){keys[j].text, keys[i].text, (float)sim};
        }
    }
    return SHN_OK;
}

static int index_bands(struct state *s)
{
    struct keyed *keys = s->n_texts ? shn_malloc(s->n_texts * sizeof *keys) : NULL;
    struct verify v = {shn_malloc(CHARS_MAX * sizeof *v.cps),
                       shn_malloc(SHN__SCAN_TEXT_MAX + 1),
                       shn_malloc(CHARS_MAX * sizeof *v.a),
                       shn_malloc(CHARS_MAX * sizeof *v.b),
                       0,
                       0,
                       UINT32_MAX,
                       shn_calloc(SEEN_SLOTS, sizeof *v.seen)};
    size_t cap = 0;
    int rc = SHN_OK;
    if ((s->n_texts && !keys) || !v.cps || !v.scratch || !v.a || !v.b || !v.seen)
        rc = SHN_ERR_NOMEM;
    for (int band = 0; band < BANDS && rc == SHN_OK && s->n_texts; band++) {
        for (size_t i = 0; i < s->n_texts; i++) {
            const uint16_t *sg = &s->texts[i].sig[band * ROWS];
            keys[i].key =
                (uint64_t)sg[0] << 48 | (uint64_t)sg[1] << 32 | (uint64_t)sg[2] << 16 | sg[3];
            keys[i].text = (uint32_t)i;
        }
        qsort(keys, s->n_texts, sizeof *keys, cmp_keyed);
        for (size_t i = 0; i < s->n_texts && rc == SHN_OK;) {
            size_t j = i + 1;
            while (j < s->n_texts && keys[j].key == keys[i].key)
                j++;
            if (j - i > 1)
                rc = expand(s, keys + i, j - i, &cap, &v);
            i = j;
        }
    }
    shn_free(keys);
    shn_free(v.cps);
    shn_free(v.scratch);
    shn_free(v.a);
    shn_free(v.b);
    shn_free(v.seen);
    return rc;
}

/* Sorts and deduplicates the edges, indexes them per text and marks
 * boilerplate texts. */
static int finish(struct state *s)
{
    size_t n = 0;
    if (s->n_edges > 1)
        qsort(s->edges, s->n_edges, sizeof *s->edges, cmp_edge);
    for (size_t i = 0; i < s->n_edges; i++)
        if (!n || s->edges[i].a != s->edges[n - 1].a || s->edges[i].b != s->edges[n - 1].b)
            s->edges[n++] = s->edges[i];
    s->n_edges = n;
    if (!(s->edge_first = shn_calloc(s->n_texts + 1, sizeof *s->edge_first)))
        return SHN_ERR_NOMEM;
    for (size_t i = 0, t = 0; t <= s->n_texts; t++) {
        while (i < n && s->edges[i].a < t)
            i++;
        s->edge_first[t] = (uint32_t)i;
    }
    for (size_t t = 0; t < s->n_texts; t++) {
        struct text *x = &s->texts[t];
        size_t accounts = 0;
        uint32_t last = UINT32_MAX;
        for (uint32_t e = s->edge_first[t]; e < s->edge_first[t + 1]; e++) {
            uint32_t acc = s->texts[s->edges[e].b].account;
            accounts += acc != last; /* neighbours are sorted, so accounts ascend */
            last = acc;
        }
        x->boilerplate = x->crowded >= CROWDED_BOILERPLATE || accounts > s->max_accounts;
        s->boilerplate += x->boilerplate;
    }
    return SHN_OK;
}

static int prepare(const struct shn__score_ctx *c, void **out, struct shn_diag *diag)
{
    struct state *s = shn_calloc(1, sizeof *s);
    int rc;
    (void)diag;
    if (!s)
        return SHN_ERR_NOMEM;
    s->threshold = shn__param_num(c, SELF, P_SIMILARITY);
    s->message_factor = shn__param_num(c, SELF, P_MESSAGE_FACTOR);
    s->min_shared_messages = shn__param_size(c, SELF, P_MIN_SHARED);
    s->min_chars = shn__param_size(c, SELF, P_MIN_CHARS);
    s->min_message_chars = shn__param_size(c, SELF, P_MIN_MESSAGE_CHARS);
    s->max_accounts = shn__param_size(c, SELF, P_MAX_ACCOUNTS);
    rc = collect(c, s, shn__param_size(c, SELF, P_MAX_MESSAGES));
    if (rc == SHN_OK)
        rc = index_bands(s);
    if (rc == SHN_OK)
        rc = finish(s);
    if (rc != SHN_OK) {
        release(s);
        return rc;
    }
    *out = s;
    return SHN_OK;
}

struct other {
    uint32_t account;
    float sim;
    uint8_t mine, theirs; /* kinds of the closest pair */
    bool by_profile;      /* one of the pair is the account's profile */
    uint32_t messages;    /* the account's distinct messages matched */
    uint32_t last_text;   /* the last own text counted in messages */
    const char *my_id;
};

static const char *kind_name(int k)
{
    return k == K_PROFILE ? "profile" : "message";
}

static int eval(const struct shn__score_ctx *c, const void *state, const struct shn__w_account *a,
                struct shn_accounts_signal *out)
{
    const struct state *s = state;
    size_t ai = shn__world_index(c->w, a), n_others = 0, more = 0, boiler = 0, own = 0;
    struct other others[OTHERS_MAX];
    double best[2] = {0, 0};
    size_t count[2] = {0, 0};
    const struct other *top = NULL;
    json_t *list, *ev;
    char excerpt[SHN__EXCERPT_CHARS * 4 + 8];

    if (!s || ai >= c->w->n_accounts)
        return shn__signal_set_evidence(out, json_pack("{s:s}", "status", "not prepared"));
    for (uint32_t t = s->first[ai]; t < s->first[ai + 1]; t++) {
        const struct text *x = &s->texts[t];
        own++;
        if (x->boilerplate) {
            boiler++;
            continue;
        }
        for (uint32_t e = s->edge_first[t]; e < s->edge_first[t + 1]; e++) {
            const struct edge *ed = &s->edges[e];
            const struct text *y = &s->texts[ed->b];
            bool profile = x->kind == K_PROFILE || y->kind == K_PROFILE;
            struct other *o;
            size_t k;
            if (y->boilerplate || y->account == ai)
                continue;
            for (k = 0; k < n_others && others[k].account != y->account; k++)
                ;
            if (k == n_others) {
                if (n_others == OTHERS_MAX) {
                    more++;
                    continue;
                }
                others[n_others++] =
                    (struct other){y->account, 0, x->kind, y->kind, false, 0, UINT32_MAX, x->id};
            }
            o = &others[k];
            if (!profile && o->last_text != t) {
                o->messages++;
                o->last_text = t;
            }
            /* a pair with a profile outranks a pair of messages */
            if ((profile && !o->by_profile) || (profile == o->by_profile && ed->sim > o->sim)) {
                o->sim = ed->sim;
                o->mine = x->kind;
                o->theirs = y->kind;
                o->my_id = x->id;
            }
            o->by_profile |= profile;
        }
    }
    /* Stock phrases make two people's messages alike once; an operator's
     * personas share their pitches again and again. */
    for (size_t i = 0; i < n_others;) {
        if (others[i].by_profile || others[i].messages >= s->min_shared_messages) {
            int k = others[i].by_profile ? K_PROFILE : K_MESSAGE;
            count[k]++;
            if (others[i].sim > best[k])
                best[k] = others[i].sim;
            i++;
        } else {
            others[i] = others[--n_others]; /* not evidence */
        }
    }
    for (int k = 0; k < 2; k++) {
        double sim_part, count_part, sc;
        if (!count[k])
            continue;
        sim_part = 0.6 + 0.4 * (best[k] - s->threshold) / (1 - s->threshold + 1e-9);
        count_part = 0.7 + 0.1 * (double)(count[k] - 1);
        sc = (sim_part > 1 ? 1 : sim_part) * (count_part > 1 ? 1 : count_part) *
             (k == K_MESSAGE ? s->message_factor : 1);
        if (sc > out->score)
            out->score = sc;
    }
    /* evidence: the closest others first */
    for (size_t i = 0; i < n_others; i++)
        for (size_t j = i + 1; j < n_others; j++)
            if (others[j].by_profile > others[i].by_profile ||
                (others[j].by_profile == others[i].by_profile && others[j].sim > others[i].sim)) {
                struct other tmp = others[i];
                others[i] = others[j];
                others[j] = tmp;
            }
    list = json_array();
    for (size_t i = 0; list && i < n_others && i < EVIDENCE_MAX; i++) {
        json_t *o =
            json_pack("{s:s, s:f, s:s, s:s}", "account", c->w->accounts[others[i].account].id,
                      "similarity", (double)others[i].sim, "text", kind_name(others[i].mine),
                      "their_text", kind_name(others[i].theirs));
        if (o && others[i].my_id)
            json_object_set_new(o, "message", json_string(others[i].my_id));
        if (o)
            json_array_append_new(list, o);
    }
    top = n_others ? &others[0] : NULL;
    excerpt[0] = '\0';
    if (top) {
        for (uint32_t t = s->first[ai]; t < s->first[ai + 1]; t++)
            if (s->texts[t].kind == top->mine && s->texts[t].id == top->my_id) {
                shn__scan_opening(s->texts[t].src, strlen(s->texts[t].src), excerpt,
                                  sizeof excerpt);
                break;
            }
    }
    ev = json_pack("{s:I, s:I, s:I, s:I, s:f, s:o*}", "texts_indexed", (json_int_t)own,
                   "boilerplate_texts", (json_int_t)boiler, "accounts_sharing",
                   (json_int_t)n_others, "accounts_sharing_profile", (json_int_t)count[K_PROFILE],
                   "threshold", s->threshold, "others", list);
    if (ev)
        for (size_t i = 0; i < n_others && i < EVIDENCE_MAX; i++)
            if (!others[i].by_profile)
                json_object_set_new(json_array_get(list, i), "shared_messages",
                                    json_integer(others[i].messages));
    if (ev && top)
        json_object_set_new(ev, "excerpt", json_string(excerpt));
    if (ev && s->edges_capped)
        json_object_set_new(ev, "index_capped", json_true());
    /* Past OTHERS_MAX accounts only pairs are counted (an account may be
     * several): the count above is then a lower bound. */
    if (ev && more)
        json_object_set_new(ev, "accounts_sharing_at_least", json_true());
    if (out->score > 0 && top) {
        const char *other = c->w->accounts[top->account].id;
        shn__signal_reason_en(out,
                              "its %s is near-identical (similarity %.2f) to a %s of %s; "
                              "%zu%s other account(s) share such texts: \"%s\"",
                              kind_name(top->mine), top->sim, kind_name(top->theirs), other,
                              n_others, more ? " or more" : "", excerpt);
        shn__signal_reason_ja(out,
                              "%sが%sの%sとほぼ同一（類似度%.2f）。同様の文面を共有する"
                              "他のアカウント%zu件%s:「%s」",
                              top->mine == K_PROFILE ? "プロフィール" : "メッセージ", other,
                              top->theirs == K_PROFILE ? "プロフィール" : "メッセージ", top->sim,
                              n_others, more ? "以上" : "", excerpt);
    }
    return shn__signal_set_evidence(out, ev);
}

const struct shn__signal_def shn__signal_template_reuse = {
    .name = NAME,
    .default_weight = 1.5,
    SHN__PARAMS(params),
    .prepare = prepare,
    .eval = eval,
    .release = release,
};
