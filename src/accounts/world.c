/* Builds the scoring world (world.h) from one scan of the stored events in
 * storage order — a sequential read, several times faster than walking the
 * (account, time) index, whose row look-ups are random.
 *
 * The store's thread copies rows into batches; two workers locate the
 * JSON members (the events module's JSON view: checked, but no tree and no
 * allocation — the event parser checked every event at ingest) and, under
 * a lock, copy what the signals read into the world's arena as records
 * tagged with their account and storage sequence. At the end every record
 * kind is sorted by (account, time, sequence) and sliced per account, and
 * each account's profile events are replayed in time order to get its
 * latest profile, the values it ever declared and its changes. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/hash.h"
#include "shinsa/core/log.h"
#include "shinsa/core/time.h"
#include "world.h"

#define DISTINCT_MAX                                                                               \
    64 /* distinct names, emails, phones, profiles, documents and                                  \
        * payout methods kept per account: each new value is                                       \
        * compared with those kept, so the bound keeps the                                         \
        * replay linear in the account's events */
#define BATCH_ROWS 512
#define SLOTS 4
#define WORKERS 2

/* ------------------------------------------------------------ vectors */

struct vec {
    void *items;
    size_t n, cap, size;
};

static void *vec_push(struct vec *v)
{
    if (shn_grow(&v->items, &v->cap, v->n + 1, v->size) != SHN_OK)
        return NULL;
    return (char *)v->items + v->size * v->n++;
}

/* --------------------------------------------------------- the records */

/* One profile (account) event, kept until its account is replayed. */
struct profile_ev {
    const char *name, *name_reading, *name_latin, *birth_date, *nationality, *residence;
    const char *email, *phone, *address, *profile, *rate_currency;
    double rate_amount;
    bool has_doc;
    struct shn__w_doc doc;
    struct shn__w_pay *pays; /* the event's payout list, NULL when absent */
    size_t n_pays;
};

/* Every record carries its account (dense number), time and sequence. */
#define TAGGED(name, type)                                                                         \
    struct name {                                                                                  \
        uint32_t acct;                                                                             \
        uint64_t seq;                                                                              \
        int64_t t;                                                                                 \
        type v;                                                                                    \
    }
TAGGED(t_profile, struct profile_ev);
TAGGED(t_login, struct shn__w_login);
TAGGED(t_bid, struct shn__w_bid);
TAGGED(t_msg, struct shn__w_msg);
TAGGED(t_payout, struct shn__w_payout);

enum { K_PROFILE, K_LOGIN, K_BID, K_MSG, K_PAYOUT, K_COUNT };
static const size_t tagged_size[K_COUNT] = {sizeof(struct t_profile), sizeof(struct t_login),
                                            sizeof(struct t_bid), sizeof(struct t_msg),
                                            sizeof(struct t_payout)};

struct acct_slot {
    const char *id;
    int64_t first_t, last_t;
    size_t n_events;
};

struct builder {
    struct shn__world *w;
    struct vec recs[K_COUNT];
    struct vec accts; /* struct acct_slot, by dense number */
    uint32_t *map;    /* open addressing: dense number + 1, 0 = empty */
    size_t map_cap;
    unsigned long long events;
    int err;
    struct shn_diag *diag;
};

/* The string member `key` of o, decoded into the world's arena; NULL when
 * absent or not a string. */
static const char *str(struct builder *b, const struct shn_events_view *o, const char *key)
{
    struct shn_events_view_value v = shn_events_view_get(o, key);
    return shn_events_view_string(&v, &b->w->arena);
}

static int map_grow(struct builder *b)
{
    size_t cap = b->map_cap ? b->map_cap * 2 : 1024;
    uint32_t *m = shn_calloc(cap, sizeof *m);
    const struct acct_slot *a = b->accts.items;
    if (!m)
        return SHN_ERR_NOMEM;
    for (size_t i = 0; i < b->accts.n; i++) {
        size_t h = (size_t)shn_hash64(a[i].id, strlen(a[i].id), 0) & (cap - 1);
        while (m[h])
            h = (h + 1) & (cap - 1);
        m[h] = (uint32_t)i + 1;
    }
    shn_free(b->map);
    b->map = m;
    b->map_cap = cap;
    return SHN_OK;
}

/* The dense number of an account, added on first sight. */
static int account_number(struct builder *b, const char *id, int64_t t, uint32_t *out)
{
    size_t h;
    struct acct_slot *a;
    if ((b->accts.n + 1) * 2 > b->map_cap && map_grow(b) != SHN_OK)
        return SHN_ERR_NOMEM;
    if (b->accts.n >= UINT32_MAX - 1)
        return SHN_ERR_TOO_LARGE;
    h = (size_t)shn_hash64(id, strlen(id), 0) & (b->map_cap - 1);
    for (; b->map[h]; h = (h + 1) & (b->map_cap - 1)) {
        a = (struct acct_slot *)b->accts.items + (b->map[h] - 1);
        if (strcmp(a->id, id) == 0) {
            *out = b->map[h] - 1;
            a->first_t = t < a->first_t ? t : a->first_t;
            a->last_t = t > a->last_t ? t : a->last_t;
            a->n_events++;
            return SHN_OK;
        }
    }
    if (!(a = vec_push(&b->accts)) || !(a->id = shn_arena_strdup(&b->w->arena, id)))
        return SHN_ERR_NOMEM;
    a->first_t = a->last_t = t;
    a->n_events = 1;
    *out = (uint32_t)(b->accts.n - 1);
    b->map[h] = *out + 1;
    return SHN_OK;
}

static void read_pay(struct builder *b, const struct shn_events_view_value *v, struct shn__w_pay *p)
{
    struct shn_events_view m;
    memset(p, 0, sizeof *p);
    if (!shn_events_view_as_object(v, &m))
        return;
    p->type = str(b, &m, "type");
    p->account = str(b, &m, "account");
    p->chain = str(b, &m, "chain");
    p->address = str(b, &m, "address");
}

static double number(const struct shn_events_view *o, const char *key)
{
    struct shn_events_view_value v = shn_events_view_get(o, key);
    return shn_events_view_number(&v);
}

/* The login's utc_offset in minutes, by the parser ingest checked it with. */
static int parse_offset(const char *s, int *minutes)
{
    return s && shn_time_parse_offset(s, strlen(s), minutes) == SHN_OK;
}

static int profile_record(struct builder *b, const struct shn_events_view *o, struct profile_ev *p)
{
    struct shn_events_view_value doc_v = shn_events_view_get(o, "id_document"),
                                 pay = shn_events_view_get(o, "payout");
    struct shn_events_view_value rate_v = shn_events_view_get(o, "hourly_rate");
    struct shn_events_view doc, rate;
    p->name = str(b, o, "name");
    p->name_reading = str(b, o, "name_reading");
    p->name_latin = str(b, o, "name_latin");
    p->birth_date = str(b, o, "birth_date");
    p->nationality = str(b, o, "nationality");
    p->residence = str(b, o, "residence");
    p->email = str(b, o, "email");
    p->phone = str(b, o, "phone");
    p->address = str(b, o, "address");
    p->profile = str(b, o, "profile");
    if (shn_events_view_as_object(&rate_v, &rate)) {
        struct shn_events_view_value amount = shn_events_view_get(&rate, "amount");
        if (amount.type == SHN_EVENTS_VIEW_NUMBER) {
            p->rate_amount = shn_events_view_number(&amount);
            p->rate_currency = str(b, &rate, "currency");
        }
    }
    if (shn_events_view_as_object(&doc_v, &doc)) {
        const char *pdq = str(b, &doc, "image_pdq");
        p->has_doc = true;
        p->doc.type = str(b, &doc, "type");
        p->doc.number = str(b, &doc, "number");
        p->doc.country = str(b, &doc, "country");
        p->doc.image = str(b, &doc, "image");
        p->doc.has_pdq = pdq && shn_image_pdq_from_hex(pdq, strlen(pdq), &p->doc.pdq) == SHN_OK;
    }
    if (pay.type == SHN_EVENTS_VIEW_ARRAY) {
        struct shn_events_view_value m;
        size_t pos = 0, n = 0;
        while (shn_events_view_next(&pay, &pos, &m))
            n++;
        p->pays = shn_arena_calloc(&b->w->arena, n ? n : 1, sizeof *p->pays);
        if (!p->pays)
            return SHN_ERR_NOMEM;
        for (pos = 0; p->n_pays < n && shn_events_view_next(&pay, &pos, &m);)
            read_pay(b, &m, &p->pays[p->n_pays++]);
    }
    return SHN_OK;
}

/* Copies one parsed event into its record; called under the lock. */
static int add_event(struct builder *b, const char *account, const char *type, int64_t t,
                     const char *id, uint64_t seq, const struct shn_events_view *o)
{
    int kind = strcmp(type, "account") == 0   ? K_PROFILE
               : strcmp(type, "login") == 0   ? K_LOGIN
               : strcmp(type, "bid") == 0     ? K_BID
               : strcmp(type, "message") == 0 ? K_MSG
               : strcmp(type, "payout") == 0  ? K_PAYOUT
                                              : -1;
    uint32_t acct;
    void *slot;
    int rc;
    /* Ingest accepts years 0001-9999 only; a time outside them comes from
     * a database edited by hand and would overflow the signals' time
     * differences: such an event is left out. */
    if (t < -62167219200LL || t > 253402300799LL)
        return SHN_OK;
    rc = account_number(b, account, t, &acct);
    if (rc != SHN_OK)
        return rc;
    b->events++;
    if (kind < 0)
        return SHN_OK;
    if (!(slot = vec_push(&b->recs[kind])))
        return SHN_ERR_NOMEM;
    memset(slot, 0, tagged_size[kind]);
    /* acct, seq and t lead every tagged struct */
    ((struct t_login *)slot)->acct = acct;
    ((struct t_login *)slot)->seq = seq;
    ((struct t_login *)slot)->t = t;
    switch (kind) {
    case K_PROFILE:
        return profile_record(b, o, &((struct t_profile *)slot)->v);
    case K_LOGIN: {
        struct shn__w_login *l = &((struct t_login *)slot)->v;
        l->t = t;
        l->ip = str(b, o, "ip");
        l->user_agent = str(b, o, "user_agent");
        l->device = str(b, o, "device");
        l->has_offset = parse_offset(str(b, o, "utc_offset"), &l->utc_offset_min);
        break;
    }
    case K_BID: {
        struct shn__w_bid *d = &((struct t_bid *)slot)->v;
        d->t = t;
        d->id = shn_arena_strdup(&b->w->arena, id);
        d->job = str(b, o, "job");
        d->category = str(b, o, "category");
        d->currency = str(b, o, "currency");
        d->amount = number(o, "amount");
        break;
    }
    case K_MSG: {
        struct shn__w_msg *m = &((struct t_msg *)slot)->v;
        m->t = t;
        m->id = shn_arena_strdup(&b->w->arena, id);
        m->to = str(b, o, "to");
        m->text = str(b, o, "text");
        break;
    }
    default: {
        struct shn__w_payout *p = &((struct t_payout *)slot)->v;
        p->t = t;
        p->id = shn_arena_strdup(&b->w->arena, id);
        struct shn_events_view_value method = shn_events_view_get(o, "method");
        p->currency = str(b, o, "currency");
        p->amount = number(o, "amount");
        read_pay(b, &method, &p->method);
        break;
    }
    }
    return SHN_OK;
}

/* ----------------------------------------------------- replay, slicing */

static int cmp_tagged(const void *x, const void *y)
{
    const struct t_login *a = x, *b = y; /* the common prefix */
    if (a->acct != b->acct)
        return a->acct < b->acct ? -1 : 1;
    if (a->t != b->t)
        return a->t < b->t ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

static bool pay_equal(const struct shn__w_pay *a, const struct shn__w_pay *b)
{
    const char *x[] = {a->type, a->account, a->chain, a->address};
    const char *y[] = {b->type, b->account, b->chain, b->address};
    for (int i = 0; i < 4; i++)
        if (!!x[i] != !!y[i] || (x[i] && strcmp(x[i], y[i]) != 0))
            return false;
    return true;
}

enum { L_NAMES, L_EMAILS, L_PHONES, L_PROFILES, L_DOCS, L_PAYS, L_CHANGES, L_COUNT };

struct replay {
    struct builder *b;
    struct vec v[L_COUNT];
};

static int add_distinct(struct vec *v, const char *s)
{
    const char **p;
    if (!s || v->n >= DISTINCT_MAX)
        return SHN_OK;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(((const char **)v->items)[i], s) == 0)
            return SHN_OK;
    if (!(p = vec_push(v)))
        return SHN_ERR_NOMEM;
    *p = s;
    return SHN_OK;
}

static bool same_str(const char *a, const char *b)
{
    return !a ? !b : b && strcmp(a, b) == 0;
}

/* The same document re-sent with a profile change is not a new one. */
static bool has_doc(const struct vec *v, const struct shn__w_doc *d)
{
    const struct shn__w_doc *all = v->items;
    for (size_t i = 0; i < v->n; i++)
        if (same_str(all[i].number, d->number) && same_str(all[i].country, d->country) &&
            all[i].has_pdq == d->has_pdq &&
            (!d->has_pdq || memcmp(&all[i].pdq, &d->pdq, sizeof d->pdq) == 0))
            return true;
    return false;
}

/* A new value replaces the latest; a different earlier value is a change. */
static const char *update(const char *old, const char *s, unsigned flag, unsigned *changed)
{
    if (!s || (old && strcmp(old, s) == 0))
        return old;
    if (old)
        *changed |= flag;
    return s;
}

/* Applies one profile event to the account. */
static int apply(struct replay *r, struct shn__w_account *a, const struct t_profile *e)
{
    const struct profile_ev *p = &e->v;
    unsigned ch = 0;
    int rc = SHN_OK;
    a->name = update(a->name, p->name, SHN__W_CH_NAME, &ch);
    a->name_reading = update(a->name_reading, p->name_reading, SHN__W_CH_NAME, &ch);
    a->name_latin = update(a->name_latin, p->name_latin, SHN__W_CH_NAME, &ch);
    a->birth_date = update(a->birth_date, p->birth_date, 0, &ch);
    a->nationality = update(a->nationality, p->nationality, 0, &ch);
    a->residence = update(a->residence, p->residence, SHN__W_CH_ADDRESS, &ch);
    a->email = update(a->email, p->email, SHN__W_CH_EMAIL, &ch);
    a->phone = update(a->phone, p->phone, SHN__W_CH_PHONE, &ch);
    a->address = update(a->address, p->address, SHN__W_CH_ADDRESS, &ch);
    a->profile = update(a->profile, p->profile, 0, &ch);
    if (p->rate_currency) {
        a->rate_amount = p->rate_amount;
        a->rate_currency = p->rate_currency;
    }
    if ((rc = add_distinct(&r->v[L_NAMES], a->name)) ||
        (rc = add_distinct(&r->v[L_NAMES], a->name_latin)) ||
        (rc = add_distinct(&r->v[L_EMAILS], a->email)) ||
        (rc = add_distinct(&r->v[L_PHONES], a->phone)) ||
        (rc = add_distinct(&r->v[L_PROFILES], a->profile)))
        return rc;
    if (p->has_doc && !has_doc(&r->v[L_DOCS], &p->doc) && r->v[L_DOCS].n < DISTINCT_MAX) {
        struct shn__w_doc *d = vec_push(&r->v[L_DOCS]);
        if (!d)
            return SHN_ERR_NOMEM;
        *d = p->doc;
        if (r->v[L_DOCS].n > 1)
            ch |= SHN__W_CH_DOCUMENT; /* a different document, not the same one re-sent */
    }
    if (p->pays) {
        bool had = r->v[L_PAYS].n > 0, added = false;
        for (size_t i = 0; i < p->n_pays; i++) {
            const struct shn__w_pay *all = r->v[L_PAYS].items;
            bool seen = false;
            struct shn__w_pay *slot;
            for (size_t k = 0; k < r->v[L_PAYS].n && !seen; k++)
                seen = pay_equal(&all[k], &p->pays[i]);
            if (seen || r->v[L_PAYS].n >= DISTINCT_MAX)
                continue;
            if (!(slot = vec_push(&r->v[L_PAYS])))
                return SHN_ERR_NOMEM;
            *slot = p->pays[i];
            added = true;
        }
        if (had && added)
            ch |= SHN__W_CH_PAYOUT;
    }
    if (ch && r->v[L_CHANGES].n < SHN__W_PER_LIST_MAX) {
        struct shn__w_change *c = vec_push(&r->v[L_CHANGES]);
        if (!c)
            return SHN_ERR_NOMEM;
        c->t = e->t;
        c->fields = ch;
    }
    return SHN_OK;
}

/* Copies a gathered list into the arena and resets it. */
static int flush_list(struct builder *b, struct vec *v, void **dst, size_t *n)
{
    *n = v->n;
    *dst = NULL;
    if (v->n) {
        void *p = shn_arena_alloc(&b->w->arena, v->n * v->size);
        if (!p)
            return SHN_ERR_NOMEM;
        memcpy(p, v->items, v->n * v->size);
        *dst = p;
    }
    v->n = 0;
    return SHN_OK;
}

static int replay_profiles(struct builder *b)
{
    struct replay r = {b, {{0}}};
    static const size_t sizes[L_COUNT] = {sizeof(const char *),        sizeof(const char *),
                                          sizeof(const char *),        sizeof(const char *),
                                          sizeof(struct shn__w_doc),   sizeof(struct shn__w_pay),
                                          sizeof(struct shn__w_change)};
    const struct t_profile *e = b->recs[K_PROFILE].items;
    size_t n = b->recs[K_PROFILE].n;
    int rc = SHN_OK;
    for (int i = 0; i < L_COUNT; i++)
        r.v[i].size = sizes[i];
    for (size_t i = 0; rc == SHN_OK && i < n;) {
        struct shn__w_account *a = &b->w->accounts[e[i].acct];
        size_t j = i;
        for (; rc == SHN_OK && j < n && e[j].acct == e[i].acct; j++)
            rc = apply(&r, a, &e[j]);
        if (rc == SHN_OK &&
            ((rc = flush_list(b, &r.v[L_NAMES], (void **)&a->names, &a->n_names)) ||
             (rc = flush_list(b, &r.v[L_EMAILS], (void **)&a->emails, &a->n_emails)) ||
             (rc = flush_list(b, &r.v[L_PHONES], (void **)&a->phones, &a->n_phones)) ||
             (rc = flush_list(b, &r.v[L_PROFILES], (void **)&a->profiles, &a->n_profiles)) ||
             (rc = flush_list(b, &r.v[L_DOCS], (void **)&a->docs, &a->n_docs)) ||
             (rc = flush_list(b, &r.v[L_PAYS], (void **)&a->pays, &a->n_pays)) ||
             (rc = flush_list(b, &r.v[L_CHANGES], (void **)&a->changes, &a->n_changes))))
            break;
        i = j;
    }
    for (int i = 0; i < L_COUNT; i++)
        shn_free(r.v[i].items);
    return rc;
}

/* Hands each account its slice of one (sorted) record kind, copied out of
 * the tags: at most SHN__W_PER_LIST_MAX, the latest — signals read the
 * recent activity, and padding an account with old harmless events must
 * not push its newest login out of sight. */
#define SLICE(kind, tag, field)                                                                    \
    static int slice_##field(struct builder *b)                                                    \
    {                                                                                              \
        struct tag *e = b->recs[kind].items;                                                       \
        size_t n = b->recs[kind].n;                                                                \
        for (size_t i = 0; i < n;) {                                                               \
            struct shn__w_account *a = &b->w->accounts[e[i].acct];                                 \
            size_t j = i, k;                                                                       \
            while (j < n && e[j].acct == e[i].acct)                                                \
                j++;                                                                               \
            k = j - i < SHN__W_PER_LIST_MAX ? j - i : SHN__W_PER_LIST_MAX;                         \
            a->field = shn_arena_calloc(&b->w->arena, k, sizeof *a->field);                        \
            if (!a->field)                                                                         \
                return SHN_ERR_NOMEM;                                                              \
            for (size_t m = 0; m < k; m++)                                                         \
                a->field[m] = e[j - k + m].v;                                                      \
            a->n_##field = k;                                                                      \
            i = j;                                                                                 \
        }                                                                                          \
        return SHN_OK;                                                                             \
    }
SLICE(K_LOGIN, t_login, logins)
SLICE(K_BID, t_bid, bids)
SLICE(K_MSG, t_msg, msgs)
SLICE(K_PAYOUT, t_payout, payouts)

struct rank_entry {
    const char *id;
    uint32_t old;
};

static int cmp_rank(const void *x, const void *y)
{
    return strcmp(((const struct rank_entry *)x)->id, ((const struct rank_entry *)y)->id);
}

/* Turns the gathered records into the world: accounts sorted by id,
 * records renumbered, sorted and sliced, profiles replayed. */
static int finish(struct builder *b)
{
    size_t n = b->accts.n;
    const struct acct_slot *slots = b->accts.items;
    struct rank_entry *order = shn_calloc(n ? n : 1, sizeof *order);
    uint32_t *rank = shn_calloc(n ? n : 1, sizeof *rank);
    struct shn__world *w = b->w;
    int rc = SHN_OK;

    w->accounts = shn_calloc(n ? n : 1, sizeof *w->accounts);
    if (!order || !rank || !w->accounts) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = (struct rank_entry){slots[i].id, (uint32_t)i};
    qsort(order, n, sizeof *order, cmp_rank);
    for (size_t i = 0; i < n; i++) {
        const struct acct_slot *s = &slots[order[i].old];
        rank[order[i].old] = (uint32_t)i;
        w->accounts[i].id = s->id;
        w->accounts[i].first_t = s->first_t;
        w->accounts[i].last_t = s->last_t;
        w->accounts[i].n_events = s->n_events;
    }
    w->n_accounts = n;
    w->n_events = b->events;
    for (int k = 0; k < K_COUNT; k++) {
        struct vec *v = &b->recs[k];
        for (size_t i = 0; i < v->n; i++) {
            struct t_login *e = (struct t_login *)((char *)v->items + i * v->size);
            e->acct = rank[e->acct];
        }
        if (v->n > 1)
            qsort(v->items, v->n, v->size, cmp_tagged);
    }
    if ((rc = replay_profiles(b)) || (rc = slice_logins(b)) || (rc = slice_bids(b)) ||
        (rc = slice_msgs(b)) || (rc = slice_payouts(b)))
        goto out;
out:
    shn_free(order);
    shn_free(rank);
    return rc;
}

static void builder_cleanup(struct builder *b)
{
    for (int k = 0; k < K_COUNT; k++)
        shn_free(b->recs[k].items);
    shn_free(b->accts.items);
    shn_free(b->map);
}

static void builder_init(struct builder *b, struct shn__world *w, struct shn_diag *diag)
{
    memset(b, 0, sizeof *b);
    b->w = w;
    for (int k = 0; k < K_COUNT; k++)
        b->recs[k].size = tagged_size[k];
    b->accts.size = sizeof(struct acct_slot);
    b->diag = diag;
}

static struct shn__world *world_new(void)
{
    struct shn__world *w = shn_calloc(1, sizeof *w);
    if (w)
        shn_arena_init(&w->arena, 1 << 20, 0);
    return w;
}

void shn__world_free(struct shn__world *w)
{
    if (!w)
        return;
    shn_free(w->accounts);
    shn_arena_cleanup(&w->arena);
    shn_free(w);
}

const struct shn__w_account *shn__world_find(const struct shn__world *w, const char *id)
{
    size_t lo = 0, hi = w ? w->n_accounts : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(w->accounts[mid].id, id);
        if (c == 0)
            return &w->accounts[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ------------------------------------------------- the parallel loader */

struct row {
    size_t account, type, id, body; /* offsets into the batch's bytes */
    size_t body_len;
    int64_t t;
    uint64_t seq;
};

enum { SLOT_FREE, SLOT_FULL, SLOT_BUSY };

struct batch {
    struct row rows[BATCH_ROWS];
    size_t n;
    char *bytes;
    size_t used, cap;
    int state;
};

struct loader {
    struct builder *b;
    pthread_mutex_t mu; /* slots, done, the builder */
    pthread_cond_t cond;
    struct batch slots[SLOTS];
    struct batch *filling;
    bool done;
    uint64_t seq;
    bool progress;
    time_t last_report;
};

static int batch_copy(struct batch *bt, const char *s, size_t len, size_t *off)
{
    if (bt->used + len + 1 > bt->cap) {
        size_t cap = bt->cap ? bt->cap : 1u << 18;
        char *p;
        while (cap < bt->used + len + 1)
            cap *= 2;
        if (!(p = shn_realloc(bt->bytes, cap)))
            return SHN_ERR_NOMEM;
        bt->bytes = p;
        bt->cap = cap;
    }
    memcpy(bt->bytes + bt->used, s, len);
    bt->bytes[bt->used + len] = '\0';
    *off = bt->used;
    bt->used += len + 1;
    return SHN_OK;
}

/* Locates the members of a batch's events (no lock), then adds them to
 * the world (under the lock). The views are large: kept per worker. */
static int digest(struct loader *l, struct batch *bt, struct shn_events_view *objs)
{
    bool ok[BATCH_ROWS];
    int rc = SHN_OK;
    for (size_t i = 0; i < bt->n; i++)
        ok[i] =
            shn_events_view_object(bt->bytes + bt->rows[i].body, bt->rows[i].body_len, &objs[i]);
    pthread_mutex_lock(&l->mu);
    for (size_t i = 0; i < bt->n; i++) {
        const struct row *r = &bt->rows[i];
        if (rc == SHN_OK && !ok[i])
            rc = shn_diag_set(l->b->diag, SHN_ERR_CORRUPT, NULL, 0, "",
                              "stored event %s is not a JSON object", bt->bytes + r->id);
        if (rc == SHN_OK && l->b->err == SHN_OK)
            rc = add_event(l->b, bt->bytes + r->account, bt->bytes + r->type, r->t,
                           bt->bytes + r->id, r->seq, &objs[i]);
    }
    if (rc != SHN_OK && l->b->err == SHN_OK)
        l->b->err = rc;
    pthread_mutex_unlock(&l->mu);
    return rc;
}

static void *parse_worker(void *arg)
{
    struct loader *l = arg;
    struct shn_events_view *objs = shn_calloc(BATCH_ROWS, sizeof *objs);
    if (!objs) {
        pthread_mutex_lock(&l->mu);
        if (l->b->err == SHN_OK)
            l->b->err = SHN_ERR_NOMEM;
        pthread_cond_broadcast(&l->cond);
        pthread_mutex_unlock(&l->mu);
        return NULL;
    }
    for (;;) {
        struct batch *bt = NULL;
        pthread_mutex_lock(&l->mu);
        while (!bt) {
            for (int i = 0; i < SLOTS && !bt; i++)
                if (l->slots[i].state == SLOT_FULL)
                    bt = &l->slots[i];
            if (bt || l->done)
                break;
            pthread_cond_wait(&l->cond, &l->mu);
        }
        if (bt)
            bt->state = SLOT_BUSY;
        pthread_mutex_unlock(&l->mu);
        if (!bt) {
            shn_free(objs);
            return NULL;
        }
        digest(l, bt, objs);
        pthread_mutex_lock(&l->mu);
        bt->state = SLOT_FREE;
        pthread_cond_broadcast(&l->cond);
        pthread_mutex_unlock(&l->mu);
    }
}

/* Hands the filling batch to the workers and takes a free one. */
static int hand_over(struct loader *l)
{
    int rc;
    pthread_mutex_lock(&l->mu);
    if (l->filling)
        l->filling->state = SLOT_FULL;
    l->filling = NULL;
    pthread_cond_broadcast(&l->cond);
    while (!l->filling && l->b->err == SHN_OK) {
        for (int i = 0; i < SLOTS && !l->filling; i++)
            if (l->slots[i].state == SLOT_FREE)
                l->filling = &l->slots[i];
        if (!l->filling)
            pthread_cond_wait(&l->cond, &l->mu);
    }
    if (l->filling) {
        l->filling->state = SLOT_BUSY; /* the store's thread owns it */
        l->filling->n = l->filling->used = 0;
    }
    rc = l->b->err;
    pthread_mutex_unlock(&l->mu);
    return rc;
}

static int take_row(void *ctx, const char *account, const char *type, long long time_unix,
                    const char *id, const char *body, size_t body_len)
{
    struct loader *l = ctx;
    struct batch *bt = l->filling;
    struct row *r;
    int rc;
    if (!account || !type || !id)
        return SHN_OK;
    if (bt->n == BATCH_ROWS) {
        if ((rc = hand_over(l)) != SHN_OK)
            return rc;
        bt = l->filling;
    }
    r = &bt->rows[bt->n];
    if ((rc = batch_copy(bt, account, strlen(account), &r->account)) ||
        (rc = batch_copy(bt, type, strlen(type), &r->type)) ||
        (rc = batch_copy(bt, id, strlen(id), &r->id)) ||
        (rc = batch_copy(bt, body, body_len, &r->body)))
        return rc;
    r->body_len = body_len;
    r->t = time_unix;
    r->seq = l->seq++;
    bt->n++;
    if (l->progress && (l->seq & 0xffff) == 0 && time(NULL) - l->last_report >= 2) {
        l->last_report = time(NULL);
        shn_progress("accounts score: events read", l->seq, 0);
    }
    return SHN_OK;
}

int shn__world_load(struct shn_events_db *db, bool progress, struct shn__world **out,
                    struct shn_diag *diag)
{
    struct shn__world *w;
    struct builder b;
    struct loader l;
    pthread_t threads[WORKERS];
    int started = 0, rc;

    if (!db || !out)
        return SHN_ERR_INVALID;
    if (!(w = world_new()))
        return SHN_ERR_NOMEM;
    builder_init(&b, w, diag);
    memset(&l, 0, sizeof l);
    l.b = &b;
    l.progress = progress;
    l.last_report = time(NULL);
    pthread_mutex_init(&l.mu, NULL);
    pthread_cond_init(&l.cond, NULL);
    for (; started < WORKERS; started++)
        if (pthread_create(&threads[started], NULL, parse_worker, &l) != 0)
            break;
    rc = started ? hand_over(&l) : SHN_ERR_NOMEM;
    if (rc == SHN_OK)
        rc = shn_events_each_stored(db, take_row, &l, diag);
    if (rc == SHN_OK && l.filling && l.filling->n)
        rc = hand_over(&l); /* the last batch */
    /* Wait until the workers have digested every batch. */
    pthread_mutex_lock(&l.mu);
    while (rc == SHN_OK && b.err == SHN_OK) {
        bool idle = true;
        for (int i = 0; i < SLOTS; i++)
            idle &= l.slots[i].state == SLOT_FREE || &l.slots[i] == l.filling;
        if (idle)
            break;
        pthread_cond_wait(&l.cond, &l.mu);
    }
    l.done = true;
    pthread_cond_broadcast(&l.cond);
    pthread_mutex_unlock(&l.mu);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    if (rc == SHN_OK)
        rc = b.err;
    if (rc == SHN_OK)
        rc = finish(&b);
    for (int i = 0; i < SLOTS; i++)
        shn_free(l.slots[i].bytes);
    builder_cleanup(&b);
    pthread_cond_destroy(&l.cond);
    pthread_mutex_destroy(&l.mu);
    if (rc != SHN_OK) {
        shn__world_free(w);
        return rc;
    }
    *out = w;
    return SHN_OK;
}

int shn__world_from_jsonl(const char *data, size_t len, struct shn__world **out,
                          struct shn_diag *diag)
{
    struct shn__world *w;
    struct shn_events_view *view;
    struct builder b;
    size_t pos = 0;
    long line_no = 0;
    uint64_t seq = 0;
    int rc = SHN_OK;

    if (!data || !out)
        return SHN_ERR_INVALID;
    if (!(view = shn_malloc(sizeof *view)))
        return SHN_ERR_NOMEM;
    if (!(w = world_new())) {
        shn_free(view);
        return SHN_ERR_NOMEM;
    }
    builder_init(&b, w, diag);
    while (rc == SHN_OK && pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len, n = end - pos;
        struct shn_events_event ev;
        line_no++;
        if (n && data[pos + n - 1] == '\r')
            n--;
        if (n) {
            rc = shn_events_parse(data + pos, n, "events", line_no, &ev, diag);
            if (rc == SHN_OK)
                rc = shn_events_view_object(ev.raw, ev.raw_len, view)
                         ? add_event(&b, ev.account, shn_events_type_name(ev.type), ev.time_unix,
                                     ev.id, seq++, view)
                         : SHN_ERR_PARSE;
        }
        pos = end + 1;
    }
    if (rc == SHN_OK)
        rc = finish(&b);
    builder_cleanup(&b);
    shn_free(view);
    if (rc != SHN_OK) {
        shn__world_free(w);
        return rc;
    }
    *out = w;
    return SHN_OK;
}
