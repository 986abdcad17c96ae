/* Ingest: events read line by line with a hard bound on a line, checked,
 * and written in batched transactions. A bad line is rejected (reject file
 * and count) and the next one read; only I/O and database failures stop the
 * load, and what was committed before them stays. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "accounts/accounts_internal.h"
#include "core/alloc.h"

#define DEFAULT_BATCH 10000

int shn_accounts_open(const char *path, struct shn_accounts_db **out, struct shn_diag *diag)
{
    struct shn_accounts_db *db = NULL;
    struct shn__accounts_store *store = NULL;
    int rc;
    if (!path || !out) {
        rc = SHN_ERR_INVALID;
        goto out;
    }
    db = shn_calloc(1, sizeof *db);
    if (!db) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    rc = shn__accounts_sqlite_open(path, SHN_ACCOUNTS_SCHEMA_VERSION, &store, diag);
    if (rc != SHN_OK)
        goto out;
    db->store = store;
    *out = db;
    db = NULL;
out:
    shn_free(db);
    return rc;
}

void shn_accounts_close(struct shn_accounts_db *db)
{
    if (!db)
        return;
    if (db->store)
        db->store->ops->close(db->store);
    shn_free(db);
}

int shn_accounts_schema_version(struct shn_accounts_db *db, int *version)
{
    if (!db || !version)
        return SHN_ERR_INVALID;
    return db->store->ops->schema_version(db->store, version);
}

int shn_accounts_count_events(struct shn_accounts_db *db, long long *n)
{
    if (!db || !n)
        return SHN_ERR_INVALID;
    return db->store->ops->count_events(db->store, n);
}

int shn_accounts_show(struct shn_accounts_db *db, const char *account,
                      struct shn_accounts_summary *summary, shn_accounts_event_fn fn, void *ctx,
                      struct shn_diag *diag)
{
    struct shn_accounts_summary sum;
    int rc;
    if (!db || !account) {
        rc = SHN_ERR_INVALID;
        goto out;
    }
    rc = db->store->ops->get_account(db->store, account, &sum, diag);
    if (rc == SHN_OK && summary)
        *summary = sum;
    if (rc == SHN_OK && fn)
        rc = db->store->ops->each_event(db->store, account, fn, ctx, diag);
out:
    return rc;
}

/* One reject as a JSON line; a failing write is an I/O error (the caller
 * asked for the file and must be able to trust it). */
static int write_reject(FILE *f, const struct shn_diag *d, long line)
{
    json_t *o = json_pack("{s:I, s:s, s:s}", "line", (json_int_t)line, "field", d->field, "reason",
                          d->message);
    int rc = SHN_ERR_NOMEM;
    if (!o)
        goto out;
    rc = json_dumpf(o, f, JSON_COMPACT) == 0 && fputc('\n', f) != EOF ? SHN_OK : SHN_ERR_IO;
out:
    json_decref(o);
    return rc;
}

/* Reads one line into buf (cap bytes + NUL) without its newline (and a
 * final \r). Returns 1 with *len set, 0 at end of input, -1 on a read
 * error. A longer line is consumed whole and *too_long set. */
static int read_line(FILE *in, char *buf, size_t cap, size_t *len, bool *too_long)
{
    size_t n = 0;
    int ch = EOF;
    bool any = false;
    *too_long = false;
    while ((ch = getc_unlocked(in)) != EOF) {
        any = true;
        if (ch == '\n')
            break;
        if (n < cap)
            buf[n++] = (char)ch;
        else
            *too_long = true;
    }
    if (ch == EOF && ferror(in))
        return -1;
    if (!any)
        return 0;
    if (n > 0 && buf[n - 1] == '\r' && !*too_long)
        n--;
    buf[n] = '\0';
    *len = n;
    return 1;
}

static bool blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t')
            return false;
    return true;
}

/* Ingest runs as a pipeline of two threads: a reader that reads and
 * checks lines (the JSON parse is a quarter of the work) and the caller's
 * thread, which writes rejects and events in file order and commits every
 * `batch` events. Batches of lines pass between them through a small pool. */
#define PIPE_EVENTS 512 /* parsed lines per hand-over */
#define PIPE_SLOTS 3

struct reject {
    long line;
    struct shn_diag d;
};

struct pbatch {
    struct shn_accounts_event ev[PIPE_EVENTS];
    long ev_line[PIPE_EVENTS];
    size_t ev_off[PIPE_EVENTS]; /* raw line offsets into bytes */
    size_t n_ev;
    struct reject rej[PIPE_EVENTS];
    size_t n_rej;
    char *bytes;
    size_t used, cap;
    unsigned long long lines; /* lines read when the batch closed */
    bool eof;
    int read_error; /* SHN_ERR_IO / SHN_ERR_NOMEM from the reader */
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct pbatch *slots[PIPE_SLOTS];
    struct pbatch *full[PIPE_SLOTS]; /* FIFO of filled batches */
    size_t n_full, head;
    struct pbatch *free_list[PIPE_SLOTS];
    size_t n_free;
    bool stop; /* the writer gave up */
    FILE *in;
    const char *file;
};

static struct pbatch *take_free(struct pipe *p)
{
    struct pbatch *b = NULL;
    pthread_mutex_lock(&p->mu);
    while (p->n_free == 0 && !p->stop)
        pthread_cond_wait(&p->cond, &p->mu);
    if (!p->stop)
        b = p->free_list[--p->n_free];
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void put_full(struct pipe *p, struct pbatch *b)
{
    pthread_mutex_lock(&p->mu);
    p->full[(p->head + p->n_full++) % PIPE_SLOTS] = b;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

static struct pbatch *take_full(struct pipe *p)
{
    struct pbatch *b;
    pthread_mutex_lock(&p->mu);
    while (p->n_full == 0)
        pthread_cond_wait(&p->cond, &p->mu);
    b = p->full[p->head];
    p->head = (p->head + 1) % PIPE_SLOTS;
    p->n_full--;
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void put_free(struct pipe *p, struct pbatch *b, bool stop)
{
    pthread_mutex_lock(&p->mu);
    p->free_list[p->n_free++] = b;
    p->stop |= stop;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

/* Copies a checked line into the batch (the event borrows it). */
static int keep_line(struct pbatch *b, const char *line, size_t len)
{
    if (b->used + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1u << 18;
        char *p;
        while (cap < b->used + len + 1)
            cap *= 2;
        if (!(p = shn_realloc(b->bytes, cap)))
            return SHN_ERR_NOMEM;
        b->bytes = p;
        b->cap = cap;
    }
    memcpy(b->bytes + b->used, line, len);
    b->bytes[b->used + len] = '\0';
    b->ev_off[b->n_ev] = b->used;
    b->used += len + 1;
    return SHN_OK;
}

static void *reader(void *arg)
{
    struct pipe *p = arg;
    char *buf = shn_malloc(SHN_ACCOUNTS_LINE_MAX + 1);
    unsigned long long lines = 0;
    bool eof = false;
    while (!eof) {
        struct pbatch *b = take_free(p);
        if (!b)
            break; /* the writer stopped */
        b->n_ev = b->n_rej = b->used = 0;
        b->read_error = buf ? SHN_OK : SHN_ERR_NOMEM;
        while (b->read_error == SHN_OK && b->n_ev < PIPE_EVENTS && b->n_rej < PIPE_EVENTS) {
            size_t len = 0;
            bool too_long;
            int r = read_line(p->in, buf, SHN_ACCOUNTS_LINE_MAX, &len, &too_long);
            struct reject *rj = &b->rej[b->n_rej];
            if (r < 0)
                b->read_error = SHN_ERR_IO;
            if (r <= 0)
                break;
            lines++;
            if (!too_long && blank(buf, len))
                continue;
            memset(&rj->d, 0, sizeof rj->d);
            if (too_long)
                r = shn_diag_set(&rj->d, SHN_ERR_TOO_LARGE, p->file, (long)lines, "",
                                 "line longer than %d bytes", SHN_ACCOUNTS_LINE_MAX);
            else
                r = shn_accounts_event_parse(buf, len, p->file, (long)lines, &b->ev[b->n_ev],
                                             &rj->d);
            if (r != SHN_OK) {
                rj->line = (long)lines;
                b->n_rej++;
                continue;
            }
            b->read_error = keep_line(b, buf, len);
            if (b->read_error == SHN_OK)
                b->ev_line[b->n_ev++] = (long)lines;
        }
        eof = b->read_error != SHN_OK ||
              (b->n_ev < PIPE_EVENTS && b->n_rej < PIPE_EVENTS);
        b->eof = eof;
        b->lines = lines;
        put_full(p, b);
    }
    shn_free(buf);
    return NULL;
}

int shn_accounts_ingest(struct shn_accounts_db *db, FILE *in, const char *file,
                        const struct shn_accounts_ingest_opts *opts,
                        struct shn_accounts_ingest_stats *stats, struct shn_diag *diag)
{
    struct shn_accounts_ingest_stats st;
    struct shn_accounts_ingest_opts o;
    struct shn__accounts_store *s = NULL;
    struct pipe p;
    pthread_t thread;
    bool started = false, open_tx = false, done = false;
    unsigned in_tx = 0;
    long last_line = 0;
    int rc = SHN_OK;

    memset(&st, 0, sizeof st);
    memset(&o, 0, sizeof o);
    memset(&p, 0, sizeof p);
    if (!db || !in)
        return SHN_ERR_INVALID;
    if (opts)
        o = *opts;
    if (o.batch == 0)
        o.batch = DEFAULT_BATCH;
    s = db->store;
    p.in = in;
    p.file = file;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cond, NULL);
    for (int i = 0; i < PIPE_SLOTS; i++) {
        if (!(p.slots[i] = shn_calloc(1, sizeof *p.slots[i]))) {
            rc = SHN_ERR_NOMEM;
            goto out;
        }
        p.free_list[p.n_free++] = p.slots[i];
    }
    if (pthread_create(&thread, NULL, reader, &p) != 0) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    started = true;
    while (!done && rc == SHN_OK) {
        struct pbatch *b = take_full(&p);
        size_t r = 0;
        done = b->eof;
        /* Rejects and events in line order. */
        for (size_t e = 0; rc == SHN_OK && (e < b->n_ev || r < b->n_rej);) {
            bool inserted = false;
            if (r < b->n_rej && (e >= b->n_ev || b->rej[r].line < b->ev_line[e])) {
                st.rejected++;
                if (o.rejects && (rc = write_reject(o.rejects, &b->rej[r].d, b->rej[r].line)))
                    shn_diag_set(diag, rc, file, b->rej[r].line, "", "cannot write a reject");
                r++;
                continue;
            }
            if (!open_tx && (rc = s->ops->begin(s, diag)) != SHN_OK)
                break;
            open_tx = true;
            b->ev[e].raw = b->bytes + b->ev_off[e];
            if ((rc = s->ops->put_event(s, &b->ev[e], &inserted, diag)) != SHN_OK)
                break;
            st.loaded += inserted;
            st.duplicates += !inserted;
            last_line = b->ev_line[e++];
            if (++in_tx >= o.batch) {
                if ((rc = s->ops->commit(s, diag)) != SHN_OK)
                    break;
                open_tx = false;
                in_tx = 0;
                st.committed = (unsigned long long)last_line;
                if (o.on_commit)
                    o.on_commit(o.ctx, &st);
            }
        }
        st.lines = b->lines;
        if (rc == SHN_OK && b->read_error != SHN_OK)
            rc = shn_diag_set(diag, b->read_error, file, (long)st.lines + 1, "",
                              b->read_error == SHN_ERR_IO ? "read error" : "out of memory");
        put_free(&p, b, rc != SHN_OK || done);
    }
    if (rc == SHN_OK && open_tx) {
        rc = s->ops->commit(s, diag);
        open_tx = rc != SHN_OK;
    }
    if (rc == SHN_OK) {
        st.committed = st.lines;
        if (o.on_commit)
            o.on_commit(o.ctx, &st);
    }
out:
    if (started)
        pthread_join(thread, NULL);
    if (open_tx)
        s->ops->rollback(s);
    if (o.rejects && fflush(o.rejects) != 0 && rc == SHN_OK)
        rc = shn_diag_set(diag, SHN_ERR_IO, file, 0, "", "cannot write the reject file");
    for (int i = 0; i < PIPE_SLOTS; i++) {
        if (p.slots[i])
            shn_free(p.slots[i]->bytes);
        shn_free(p.slots[i]);
    }
    pthread_cond_destroy(&p.cond);
    pthread_mutex_destroy(&p.mu);
    if (stats)
        *stats = st;
    return rc;
}
