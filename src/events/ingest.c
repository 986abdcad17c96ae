/* Ingest: events read line by line with a hard bound on a line, checked,
 * and written in batched transactions. A bad line is rejected (reject file
 * and count) and the next one read; only I/O and database failures stop the
 * load, and what was committed before them stays. */
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "events_internal.h"
#include "shinsa/core/alloc.h"

#define DEFAULT_BATCH 10000

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
 * error. A longer line is consumed whole and *too_long set. With `bom`
 * (the first line), a UTF-8 byte order mark that starts it is dropped:
 * some tools begin every text file with one (issue 12 F12). */
static int read_line(FILE *in, char *buf, size_t cap, bool bom, size_t *len, bool *too_long)
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
        if (bom && n == 3) {
            if (memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
                n = 0;
            bom = false;
        }
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

/* Ingest runs as a pipeline: worker threads take turns reading a batch of
 * lines (reading is sequential, under a lock) and then check them in
 * parallel (the JSON parse is most of the work); the caller's thread
 * writes rejects and events in file order — batch by batch, by sequence
 * number — and commits every `batch` events. */
#define PIPE_LINES 512 /* lines per batch */
#define PIPE_SLOTS 4
#define PIPE_WORKERS 2

enum { SLOT_FREE, SLOT_PARSING, SLOT_READY };

struct pline {
    size_t off, len;
    long line;
    bool too_long;
    int status; /* SHN_OK: ev is the event; else diag says why */
    struct shn_events_event ev;
    struct shn_diag diag;
};

struct pbatch {
    struct pline lines[PIPE_LINES];
    size_t n_lines;
    char *bytes;
    size_t used, cap;
    unsigned long long seq;
    unsigned long long lines_read; /* lines of the file read when it closed */
    bool eof;
    int read_error; /* SHN_ERR_IO / SHN_ERR_NOMEM */
    int state;
};

struct pipe {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    struct pbatch *slots[PIPE_SLOTS];
    FILE *in;
    const char *file;
    unsigned long long next_seq, lines;
    bool in_eof, stop;
};

/* Reads up to PIPE_LINES non-blank lines into b; called under the lock. */
static void read_batch(struct pipe *p, struct pbatch *b)
{
    b->n_lines = b->used = 0;
    b->read_error = SHN_OK;
    b->eof = false;
    while (b->n_lines < PIPE_LINES) {
        struct pline *l = &b->lines[b->n_lines];
        size_t len = 0, need;
        bool too_long;
        int r;
        if (!shn_size_add(b->used, SHN_EVENTS_LINE_MAX + 1, &need))
            need = SIZE_MAX;
        if (need > b->cap) {
            size_t cap = b->cap ? b->cap : 1u << 18;
            char *q;
            while (cap < need)
                cap *= 2;
            if (!(q = shn_realloc(b->bytes, cap))) {
                b->read_error = SHN_ERR_NOMEM;
                break;
            }
            b->bytes = q;
            b->cap = cap;
        }
        r = read_line(p->in, b->bytes + b->used, SHN_EVENTS_LINE_MAX, p->lines == 0, &len,
                      &too_long);
        if (r < 0)
            b->read_error = SHN_ERR_IO;
        if (r <= 0) {
            b->eof = true;
            break;
        }
        p->lines++;
        if (!too_long && blank(b->bytes + b->used, len))
            continue;
        l->off = b->used;
        l->len = len;
        l->line = (long)p->lines;
        l->too_long = too_long;
        b->used += len + 1;
        b->n_lines++;
    }
    if (b->read_error != SHN_OK)
        b->eof = true;
    b->lines_read = p->lines;
    b->seq = p->next_seq++;
    p->in_eof = b->eof;
}

static void parse_batch(struct pipe *p, struct pbatch *b)
{
    for (size_t i = 0; i < b->n_lines; i++) {
        struct pline *l = &b->lines[i];
        memset(&l->diag, 0, sizeof l->diag);
        if (l->too_long)
            l->status = shn_diag_set(&l->diag, SHN_ERR_TOO_LARGE, p->file, l->line, "",
                                     "line longer than %d bytes", SHN_EVENTS_LINE_MAX);
        else
            l->status =
                shn_events_parse(b->bytes + l->off, l->len, p->file, l->line, &l->ev, &l->diag);
    }
}

static void *worker(void *arg)
{
    struct pipe *p = arg;
    for (;;) {
        struct pbatch *b = NULL;
        pthread_mutex_lock(&p->mu);
        while (!p->stop && !p->in_eof && !b) {
            for (int i = 0; i < PIPE_SLOTS && !b; i++)
                if (p->slots[i]->state == SLOT_FREE)
                    b = p->slots[i];
            if (!b)
                pthread_cond_wait(&p->cond, &p->mu);
        }
        if (!b) {
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
        b->state = SLOT_PARSING;
        read_batch(p, b);
        pthread_mutex_unlock(&p->mu);
        parse_batch(p, b);
        pthread_mutex_lock(&p->mu);
        b->state = SLOT_READY;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->mu);
    }
}

static struct pbatch *next_ready(struct pipe *p, unsigned long long seq)
{
    struct pbatch *b = NULL;
    pthread_mutex_lock(&p->mu);
    while (!b) {
        for (int i = 0; i < PIPE_SLOTS && !b; i++)
            if (p->slots[i]->state == SLOT_READY && p->slots[i]->seq == seq)
                b = p->slots[i];
        if (!b)
            pthread_cond_wait(&p->cond, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void release_slot(struct pipe *p, struct pbatch *b, bool stop)
{
    pthread_mutex_lock(&p->mu);
    b->state = SLOT_FREE;
    p->stop |= stop;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

int shn_events_ingest(struct shn_events_db *db, FILE *in, const char *file,
                      const struct shn_events_ingest_opts *opts,
                      struct shn_events_ingest_stats *stats, struct shn_diag *diag)
{
    struct shn_events_ingest_stats st;
    struct shn_events_ingest_opts o;
    struct shn__events_store *s = NULL;
    struct pipe p;
    pthread_t threads[PIPE_WORKERS];
    int started = 0;
    bool open_tx = false, done = false;
    unsigned in_tx = 0;
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
    }
    for (; started < PIPE_WORKERS; started++)
        if (pthread_create(&threads[started], NULL, worker, &p) != 0)
            break;
    if (started == 0) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    for (unsigned long long seq = 0; !done && rc == SHN_OK; seq++) {
        struct pbatch *b = next_ready(&p, seq);
        done = b->eof;
        for (size_t i = 0; rc == SHN_OK && i < b->n_lines; i++) {
            struct pline *l = &b->lines[i];
            bool inserted = false;
            if (l->status != SHN_OK) {
                st.rejected++;
                if (o.rejects && (rc = write_reject(o.rejects, &l->diag, l->line)) != SHN_OK)
                    shn_diag_set(diag, rc, file, l->line, "", "cannot write a reject");
                continue;
            }
            if (!open_tx && (rc = s->ops->begin(s, diag)) != SHN_OK)
                break;
            open_tx = true;
            l->ev.raw = b->bytes + l->off;
            if ((rc = s->ops->put_event(s, &l->ev, &inserted, diag)) != SHN_OK)
                break;
            st.loaded += inserted;
            st.duplicates += !inserted;
            if (++in_tx >= o.batch) {
                if ((rc = s->ops->commit(s, diag)) != SHN_OK)
                    break;
                open_tx = false;
                in_tx = 0;
                st.committed = (unsigned long long)l->line;
                if (o.on_commit)
                    o.on_commit(o.ctx, &st);
            }
        }
        st.lines = b->lines_read;
        if (rc == SHN_OK && b->read_error != SHN_OK)
            rc = shn_diag_set(diag, b->read_error, file, (long)st.lines + 1, "",
                              b->read_error == SHN_ERR_IO ? "read error" : "out of memory");
        release_slot(&p, b, rc != SHN_OK || done);
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
    if (started) {
        pthread_mutex_lock(&p.mu); /* stop and wake the workers */
        p.stop = true;
        pthread_cond_broadcast(&p.cond);
        pthread_mutex_unlock(&p.mu);
        for (int i = 0; i < started; i++)
            pthread_join(threads[i], NULL);
    }
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
