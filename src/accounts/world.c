/* Builds the scoring world (world.h): one pass over the stored events in
 * account and time order. Each event's JSON is parsed again with jansson
 * (it was checked at ingest) and the parts the signals read are copied into
 * the world's arena; an account's lists are gathered in reusable growable
 * vectors and copied out, exactly sized, when the next account starts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "accounts/world.h"
#include "core/alloc.h"
#include "core/log.h"

#define DISTINCT_MAX 64 /* distinct names, emails, phones, profiles kept */

struct vec {
    void *items;
    size_t n, cap, size;
};

static void *vec_push(struct vec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 16, bytes;
        void *p;
        if (!shn_size_mul(cap, v->size, &bytes) || !(p = shn_realloc(v->items, bytes)))
            return NULL;
        v->items = p;
        v->cap = cap;
    }
    return (char *)v->items + v->size * v->n++;
}

enum { V_NAMES, V_EMAILS, V_PHONES, V_PROFILES, V_DOCS, V_PAYS, V_CHANGES, V_LOGINS, V_BIDS,
       V_MSGS, V_PAYOUTS, V_COUNT };

struct builder {
    struct shn__world *w;
    struct vec accounts;
    struct vec v[V_COUNT];
    struct shn__w_account cur; /* the account being gathered */
    bool open;
    unsigned long long events;
    bool progress;
    time_t last_report;
    struct shn_diag *diag;
};

static const char *dup_str(struct builder *b, json_t *v)
{
    const char *s = json_string_value(v);
    return s ? shn_arena_strdup(&b->w->arena, s) : NULL;
}

/* Adds s to a distinct-value list unless present or full. */
static int add_distinct(struct builder *b, int which, const char *s)
{
    struct vec *v = &b->v[which];
    const char **p;
    if (!s || v->n >= DISTINCT_MAX)
        return SHN_OK;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(((const char **)v->items)[i], s) == 0)
            return SHN_OK;
    p = vec_push(v);
    if (!p)
        return SHN_ERR_NOMEM;
    *p = s;
    return SHN_OK;
}

static void read_pay(struct builder *b, json_t *m, struct shn__w_pay *p)
{
    p->type = dup_str(b, json_object_get(m, "type"));
    p->account = dup_str(b, json_object_get(m, "account"));
    p->chain = dup_str(b, json_object_get(m, "chain"));
    p->address = dup_str(b, json_object_get(m, "address"));
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

static int has_pay(struct builder *b, const struct shn__w_pay *p)
{
    const struct shn__w_pay *all = b->v[V_PAYS].items;
    for (size_t i = 0; i < b->v[V_PAYS].n; i++)
        if (pay_equal(&all[i], p))
            return 1;
    return 0;
}

/* A string field that replaces the latest value; marks a change when an
 * earlier, different value existed. */
static const char *update(struct builder *b, json_t *o, const char *key, const char *old,
                          unsigned flag, unsigned *changed)
{
    json_t *v = json_object_get(o, key);
    const char *s;
    if (!json_is_string(v))
        return old;
    if (old && strcmp(old, json_string_value(v)) == 0)
        return old;
    s = dup_str(b, v);
    if (old && s)
        *changed |= flag;
    return s ? s : old;
}

static int account_event(struct builder *b, json_t *o, int64_t t)
{
    struct shn__w_account *a = &b->cur;
    unsigned changed = 0;
    json_t *doc = json_object_get(o, "id_document"), *pay = json_object_get(o, "payout");
    json_t *rate = json_object_get(o, "hourly_rate");
    int rc = SHN_OK;

    a->name = update(b, o, "name", a->name, SHN__W_CH_NAME, &changed);
    a->name_reading = update(b, o, "name_reading", a->name_reading, SHN__W_CH_NAME, &changed);
    a->name_latin = update(b, o, "name_latin", a->name_latin, SHN__W_CH_NAME, &changed);
    a->birth_date = update(b, o, "birth_date", a->birth_date, 0, &changed);
    a->nationality = update(b, o, "nationality", a->nationality, 0, &changed);
    a->residence = update(b, o, "residence", a->residence, SHN__W_CH_ADDRESS, &changed);
    a->email = update(b, o, "email", a->email, SHN__W_CH_EMAIL, &changed);
    a->phone = update(b, o, "phone", a->phone, SHN__W_CH_PHONE, &changed);
    a->address = update(b, o, "address", a->address, SHN__W_CH_ADDRESS, &changed);
    a->profile = update(b, o, "profile", a->profile, 0, &changed);
    if (rc == SHN_OK)
        rc = add_distinct(b, V_NAMES, a->name);
    if (rc == SHN_OK)
        rc = add_distinct(b, V_NAMES, a->name_latin);
    if (rc == SHN_OK)
        rc = add_distinct(b, V_EMAILS, a->email);
    if (rc == SHN_OK)
        rc = add_distinct(b, V_PHONES, a->phone);
    if (rc == SHN_OK)
        rc = add_distinct(b, V_PROFILES, a->profile);
    if (json_is_object(rate) && json_is_number(json_object_get(rate, "amount"))) {
        a->rate_amount = json_number_value(json_object_get(rate, "amount"));
        a->rate_currency = dup_str(b, json_object_get(rate, "currency"));
    }
    if (rc == SHN_OK && json_is_object(doc) && b->v[V_DOCS].n < SHN__W_PER_LIST_MAX) {
        struct shn__w_doc *d = vec_push(&b->v[V_DOCS]);
        const char *pdq = json_string_value(json_object_get(doc, "image_pdq"));
        if (!d)
            return SHN_ERR_NOMEM;
        memset(d, 0, sizeof *d);
        d->type = dup_str(b, json_object_get(doc, "type"));
        d->number = dup_str(b, json_object_get(doc, "number"));
        d->country = dup_str(b, json_object_get(doc, "country"));
        d->image = dup_str(b, json_object_get(doc, "image"));
        d->has_pdq = pdq && shn_image_pdq_from_hex(pdq, strlen(pdq), &d->pdq) == SHN_OK;
        if (b->v[V_DOCS].n > 1)
            changed |= SHN__W_CH_DOCUMENT;
    }
    if (rc == SHN_OK && json_is_array(pay)) {
        size_t i;
        json_t *m;
        bool had = b->v[V_PAYS].n > 0, added = false;
        json_array_foreach(pay, i, m)
        {
            struct shn__w_pay p, *slot;
            read_pay(b, m, &p);
            if (has_pay(b, &p) || b->v[V_PAYS].n >= SHN__W_PER_LIST_MAX)
                continue;
            if (!(slot = vec_push(&b->v[V_PAYS])))
                return SHN_ERR_NOMEM;
            *slot = p;
            added = true;
        }
        if (had && added)
            changed |= SHN__W_CH_PAYOUT;
    }
    if (rc == SHN_OK && changed && b->v[V_CHANGES].n < SHN__W_PER_LIST_MAX) {
        struct shn__w_change *c = vec_push(&b->v[V_CHANGES]);
        if (!c)
            return SHN_ERR_NOMEM;
        c->t = t;
        c->fields = changed;
    }
    return rc;
}

static int parse_offset(const char *s, int *minutes)
{
    int h, m;
    if (!s || strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
        return 0;
    h = (s[1] - '0') * 10 + (s[2] - '0');
    m = (s[4] - '0') * 10 + (s[5] - '0');
    *minutes = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
    return 1;
}

static int other_event(struct builder *b, const char *type, json_t *o, int64_t t, const char *id)
{
    int which = strcmp(type, "login") == 0    ? V_LOGINS
                : strcmp(type, "bid") == 0    ? V_BIDS
                : strcmp(type, "message") == 0 ? V_MSGS
                : strcmp(type, "payout") == 0 ? V_PAYOUTS
                                              : -1;
    void *slot;
    if (which < 0 || b->v[which].n >= SHN__W_PER_LIST_MAX)
        return SHN_OK;
    if (!(slot = vec_push(&b->v[which])))
        return SHN_ERR_NOMEM;
    memset(slot, 0, b->v[which].size);
    if (which == V_LOGINS) {
        struct shn__w_login *l = slot;
        l->t = t;
        l->ip = dup_str(b, json_object_get(o, "ip"));
        l->user_agent = dup_str(b, json_object_get(o, "user_agent"));
        l->device = dup_str(b, json_object_get(o, "device"));
        l->has_offset = parse_offset(json_string_value(json_object_get(o, "utc_offset")),
                                     &l->utc_offset_min);
    } else if (which == V_BIDS) {
        struct shn__w_bid *d = slot;
        d->t = t;
        d->id = shn_arena_strdup(&b->w->arena, id);
        d->job = dup_str(b, json_object_get(o, "job"));
        d->category = dup_str(b, json_object_get(o, "category"));
        d->currency = dup_str(b, json_object_get(o, "currency"));
        d->amount = json_number_value(json_object_get(o, "amount"));
    } else if (which == V_MSGS) {
        struct shn__w_msg *m = slot;
        m->t = t;
        m->id = shn_arena_strdup(&b->w->arena, id);
        m->to = dup_str(b, json_object_get(o, "to"));
        m->text = dup_str(b, json_object_get(o, "text"));
    } else {
        struct shn__w_payout *p = slot;
        p->t = t;
        p->id = shn_arena_strdup(&b->w->arena, id);
        p->currency = dup_str(b, json_object_get(o, "currency"));
        p->amount = json_number_value(json_object_get(o, "amount"));
        read_pay(b, json_object_get(o, "method"), &p->method);
    }
    return SHN_OK;
}

/* Copies the gathered lists into the arena and appends the account. */
static int close_account(struct builder *b)
{
    struct shn__w_account *a = &b->cur, *slot;
    struct {
        void **dst;
        size_t *n;
    } lists[V_COUNT] = {
        {(void **)&a->names, &a->n_names},       {(void **)&a->emails, &a->n_emails},
        {(void **)&a->phones, &a->n_phones},     {(void **)&a->profiles, &a->n_profiles},
        {(void **)&a->docs, &a->n_docs},         {(void **)&a->pays, &a->n_pays},
        {(void **)&a->changes, &a->n_changes},   {(void **)&a->logins, &a->n_logins},
        {(void **)&a->bids, &a->n_bids},         {(void **)&a->msgs, &a->n_msgs},
        {(void **)&a->payouts, &a->n_payouts},
    };
    if (!b->open)
        return SHN_OK;
    for (int i = 0; i < V_COUNT; i++) {
        struct vec *v = &b->v[i];
        *lists[i].n = v->n;
        *lists[i].dst = NULL;
        if (v->n) {
            void *p = shn_arena_alloc(&b->w->arena, v->n * v->size);
            if (!p)
                return SHN_ERR_NOMEM;
            memcpy(p, v->items, v->n * v->size);
            *lists[i].dst = p;
        }
        v->n = 0;
    }
    if (!(slot = vec_push(&b->accounts)))
        return SHN_ERR_NOMEM;
    *slot = *a;
    memset(a, 0, sizeof *a);
    b->open = false;
    return SHN_OK;
}

static int take_event(void *ctx, const char *account, const char *type, long long time_unix,
                      const char *id, const char *body, size_t body_len)
{
    struct builder *b = ctx;
    json_error_t jerr;
    json_t *o;
    int rc = SHN_OK;

    if (!account || !type || !id)
        return SHN_OK;
    if (b->open && strcmp(b->cur.id, account) != 0)
        rc = close_account(b);
    if (rc != SHN_OK)
        return rc;
    if (!b->open) {
        b->cur.id = shn_arena_strdup(&b->w->arena, account);
        if (!b->cur.id)
            return SHN_ERR_NOMEM;
        b->cur.first_t = time_unix;
        b->open = true;
    }
    b->cur.last_t = time_unix;
    b->cur.n_events++;
    b->events++;
    o = json_loadb(body, body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return shn_diag_set(b->diag, SHN_ERR_CORRUPT, NULL, 0, "", "stored event %s: %s", id,
                            jerr.text);
    }
    rc = strcmp(type, "account") == 0 ? account_event(b, o, time_unix)
                                      : other_event(b, type, o, time_unix, id);
    json_decref(o);
    if (b->progress && (b->events & 0xffff) == 0) {
        time_t now = time(NULL);
        if (now - b->last_report >= 2) {
            shn_progress("accounts score: events read", b->events, 0);
            b->last_report = now;
        }
    }
    return rc;
}

static void builder_init(struct builder *b, struct shn__world *w, bool progress,
                         struct shn_diag *diag)
{
    static const size_t sizes[V_COUNT] = {
        sizeof(const char *),        sizeof(const char *),          sizeof(const char *),
        sizeof(const char *),        sizeof(struct shn__w_doc),     sizeof(struct shn__w_pay),
        sizeof(struct shn__w_change), sizeof(struct shn__w_login),  sizeof(struct shn__w_bid),
        sizeof(struct shn__w_msg),   sizeof(struct shn__w_payout),
    };
    memset(b, 0, sizeof *b);
    b->w = w;
    b->accounts.size = sizeof(struct shn__w_account);
    for (int i = 0; i < V_COUNT; i++)
        b->v[i].size = sizes[i];
    b->progress = progress;
    b->last_report = time(NULL);
    b->diag = diag;
}

static int cmp_account(const void *x, const void *y)
{
    return strcmp(((const struct shn__w_account *)x)->id, ((const struct shn__w_account *)y)->id);
}

/* Hands the gathered accounts to the world, sorted by id (the store's
 * collation is byte order already; sorting makes the memory builder agree). */
static int builder_finish(struct builder *b, int rc)
{
    if (rc == SHN_OK)
        rc = close_account(b);
    for (int i = 0; i < V_COUNT; i++)
        shn_free(b->v[i].items);
    if (rc != SHN_OK) {
        shn_free(b->accounts.items);
        return rc;
    }
    b->w->accounts = b->accounts.items;
    b->w->n_accounts = b->accounts.n;
    b->w->n_events = b->events;
    if (b->w->n_accounts > 1)
        qsort(b->w->accounts, b->w->n_accounts, sizeof *b->w->accounts, cmp_account);
    return SHN_OK;
}

static struct shn__world *world_new(void)
{
    struct shn__world *w = shn_calloc(1, sizeof *w);
    if (w)
        shn_arena_init(&w->arena, 1 << 20, 0);
    return w;
}

int shn__world_load(struct shn__accounts_store *store, bool progress, struct shn__world **out,
                    struct shn_diag *diag)
{
    struct shn__world *w;
    struct builder b;
    int rc;
    if (!store || !out)
        return SHN_ERR_INVALID;
    if (!(w = world_new()))
        return SHN_ERR_NOMEM;
    builder_init(&b, w, progress, diag);
    rc = store->ops->each_event_all(store, take_event, &b, diag);
    rc = builder_finish(&b, rc);
    if (rc != SHN_OK) {
        shn__world_free(w);
        return rc;
    }
    *out = w;
    return SHN_OK;
}

/* One parsed line waiting to be sorted into account and time order. */
struct pending {
    struct shn_accounts_event ev;
    size_t seq;
};

static int cmp_pending(const void *x, const void *y)
{
    const struct pending *a = x, *b = y;
    int c = strcmp(a->ev.account, b->ev.account);
    if (c)
        return c;
    if (a->ev.time_unix != b->ev.time_unix)
        return a->ev.time_unix < b->ev.time_unix ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

int shn__world_from_jsonl(const char *data, size_t len, struct shn__world **out,
                          struct shn_diag *diag)
{
    struct vec lines = {NULL, 0, 0, sizeof(struct pending)};
    struct shn__world *w = NULL;
    struct builder b;
    size_t pos = 0;
    long line_no = 0;
    int rc = SHN_OK;

    if (!data || !out)
        return SHN_ERR_INVALID;
    while (rc == SHN_OK && pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len, n = end - pos;
        struct pending *p;
        line_no++;
        if (n && data[pos + n - 1] == '\r')
            n--;
        if (n) {
            if (!(p = vec_push(&lines)))
                rc = SHN_ERR_NOMEM;
            else {
                p->seq = lines.n;
                rc = shn_accounts_event_parse(data + pos, n, "events", line_no, &p->ev, diag);
            }
        }
        pos = end + 1;
    }
    if (rc == SHN_OK && !(w = world_new()))
        rc = SHN_ERR_NOMEM;
    if (rc == SHN_OK) {
        struct pending *all = lines.items;
        if (lines.n > 1)
            qsort(all, lines.n, sizeof *all, cmp_pending);
        builder_init(&b, w, false, diag);
        for (size_t i = 0; rc == SHN_OK && i < lines.n; i++)
            rc = take_event(&b, all[i].ev.account, shn_accounts_event_type_name(all[i].ev.type),
                            all[i].ev.time_unix, all[i].ev.id, all[i].ev.raw, all[i].ev.raw_len);
        rc = builder_finish(&b, rc);
    }
    shn_free(lines.items);
    if (rc != SHN_OK) {
        shn__world_free(w);
        return rc;
    }
    *out = w;
    return SHN_OK;
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
