/* Ingest: events read line by line with a hard bound on a line, checked,
 * and written in batched transactions. A bad line is rejected (reject file
 * and count) and the next one read; only I/O and database failures stop the
 * load, and what was committed before them stays. */
#include <jansson.h>
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

int shn_accounts_ingest(struct shn_accounts_db *db, FILE *in, const char *file,
                        const struct shn_accounts_ingest_opts *opts,
                        struct shn_accounts_ingest_stats *stats, struct shn_diag *diag)
{
    struct shn_accounts_ingest_stats st;
    struct shn_accounts_ingest_opts o;
    struct shn__accounts_store *s = NULL;
    struct shn_accounts_event ev;
    struct shn_diag bad;
    char *buf = NULL;
    unsigned in_tx = 0;
    bool open_tx = false;
    int rc = SHN_OK, r;

    memset(&st, 0, sizeof st);
    memset(&o, 0, sizeof o);
    if (!db || !in) {
        rc = SHN_ERR_INVALID;
        goto out;
    }
    if (opts)
        o = *opts;
    if (o.batch == 0)
        o.batch = DEFAULT_BATCH;
    s = db->store;
    buf = shn_malloc(SHN_ACCOUNTS_LINE_MAX + 1);
    if (!buf) {
        rc = SHN_ERR_NOMEM;
        goto out;
    }
    for (;;) {
        size_t len = 0;
        bool too_long, inserted = false;
        r = read_line(in, buf, SHN_ACCOUNTS_LINE_MAX, &len, &too_long);
        if (r < 0) {
            rc = shn_diag_set(diag, SHN_ERR_IO, file, (long)st.lines + 1, "", "read error");
            goto out;
        }
        if (r == 0)
            break;
        st.lines++;
        if (!too_long && blank(buf, len))
            continue;
        memset(&bad, 0, sizeof bad);
        if (too_long)
            r = shn_diag_set(&bad, SHN_ERR_TOO_LARGE, file, (long)st.lines, "",
                             "line longer than %d bytes", SHN_ACCOUNTS_LINE_MAX);
        else
            r = shn_accounts_event_parse(buf, len, file, (long)st.lines, &ev, &bad);
        if (r != SHN_OK) {
            st.rejected++;
            if (o.rejects) {
                rc = write_reject(o.rejects, &bad, (long)st.lines);
                if (rc != SHN_OK) {
                    shn_diag_set(diag, rc, file, (long)st.lines, "", "cannot write a reject");
                    goto out;
                }
            }
            continue;
        }
        if (!open_tx) {
            rc = s->ops->begin(s, diag);
            if (rc != SHN_OK)
                goto out;
            open_tx = true;
        }
        rc = s->ops->put_event(s, &ev, &inserted, diag);
        if (rc != SHN_OK)
            goto out;
        if (inserted)
            st.loaded++;
        else
            st.duplicates++;
        if (++in_tx >= o.batch) {
            rc = s->ops->commit(s, diag);
            if (rc != SHN_OK)
                goto out;
            open_tx = false;
            in_tx = 0;
            st.committed = st.lines;
            if (o.on_commit)
                o.on_commit(o.ctx, &st);
        }
    }
    if (open_tx) {
        rc = s->ops->commit(s, diag);
        if (rc != SHN_OK)
            goto out;
        open_tx = false;
    }
    st.committed = st.lines;
    if (o.on_commit)
        o.on_commit(o.ctx, &st);
out:
    if (open_tx)
        s->ops->rollback(s);
    if (o.rejects && fflush(o.rejects) != 0 && rc == SHN_OK)
        rc = shn_diag_set(diag, SHN_ERR_IO, file, 0, "", "cannot write the reject file");
    shn_free(buf);
    if (stats)
        *stats = st;
    return rc;
}
