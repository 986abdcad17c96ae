/* Transfer and label CSV readers. The file kind is told by its header:
 * ethereum-etl transactions.csv (from_address, value, receipt_status...),
 * token_transfers.csv (token_address...) or the generic
 * time,tx,from,to,asset,amount. */
#include <string.h>

#include "build_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/csv.h"
#include "shinsa/core/file.h"
#include "shinsa/core/log.h"

#define MAX_REPORTED 10 /* bad rows logged per file; all are counted */

enum { F_TIME, F_FROM, F_TO, F_AMOUNT, F_ASSET, F_BLOCK, F_POS, F_STATUS, F__COUNT };
enum { KIND_TX, KIND_TOKEN, KIND_GENERIC };

struct columns {
    int kind;
    int idx[F__COUNT]; /* -1 when absent */
    size_t n_fields;
};

static int col(const struct shn_csv *r, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(r->fields[i], name) == 0)
            return (int)i;
    return -1;
}

static int read_header(struct shn_csv *r, size_t n, struct columns *c, const char *file,
                       struct shn_diag *diag)
{
    for (int f = 0; f < F__COUNT; f++)
        c->idx[f] = -1;
    c->n_fields = n;
    if (col(r, n, "token_address") >= 0) {
        c->kind = KIND_TOKEN;
        c->idx[F_ASSET] = col(r, n, "token_address");
        c->idx[F_POS] = col(r, n, "log_index");
    } else if (col(r, n, "from_address") >= 0) {
        c->kind = KIND_TX;
        c->idx[F_POS] = col(r, n, "transaction_index");
        c->idx[F_STATUS] = col(r, n, "receipt_status");
    } else {
        c->kind = KIND_GENERIC;
    }
    if (c->kind != KIND_GENERIC) {
        c->idx[F_TIME] = col(r, n, "block_timestamp");
        c->idx[F_FROM] = col(r, n, "from_address");
        c->idx[F_TO] = col(r, n, "to_address");
        c->idx[F_AMOUNT] = col(r, n, "value");
        c->idx[F_BLOCK] = col(r, n, "block_number");
    } else {
        c->idx[F_TIME] = col(r, n, "time");
        c->idx[F_FROM] = col(r, n, "from");
        c->idx[F_TO] = col(r, n, "to");
        c->idx[F_AMOUNT] = col(r, n, "amount");
        c->idx[F_ASSET] = col(r, n, "asset");
    }
    if (c->idx[F_TIME] < 0 || c->idx[F_FROM] < 0 || c->idx[F_TO] < 0 || c->idx[F_AMOUNT] < 0 ||
        (c->kind != KIND_TX && c->idx[F_ASSET] < 0))
        return shn_diag_set(diag, SHN_ERR_PARSE, file, r->record_line, "header",
                            "not a transfer file: expected ethereum-etl transactions or token "
                            "transfers, or time,tx,from,to,asset,amount");
    return SHN_OK;
}

/* Checks an address-like field and copies it, normalized, into out. */
static int take_text(const char *s, size_t len, char *out)
{
    bool hex = len >= 3 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

    if (len == 0 || len > SHN_TRACE_MAX_ADDRESS_LEN)
        return -1;
    /* one pass: check, copy, and lower-case as if it were 0x-hex */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c == 0x7f)
            return -1;
        if (i >= 2 && hex && !((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')))
            hex = false;
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
    }
    if (!hex) /* not 0x-hex: keep the case as written */
        memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

static const signed char hex_digit[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16}; /* digit value + 1, 0
                                                                                for anything else */

/* Checks an address field and makes its stored form (shn__trace_addr_key of
 * the normalized text). EVM addresses, nearly every row, go straight from
 * hex to the 20 binary bytes. */
static int take_address(const char *s, size_t len, unsigned char *key, size_t *key_len)
{
    char text[SHN_TRACE_MAX_ADDRESS_LEN + 1];

    if (len == 42 && s[0] == '0' && (s[1] | 0x20) == 'x') {
        const unsigned char *u = (const unsigned char *)s + 2;
        size_t i;
        for (i = 0; i < 20; i++) {
            int hi = hex_digit[u[2 * i]], lo = hex_digit[u[2 * i + 1]];
            if (!hi || !lo)
                break;
            key[1 + i] = (unsigned char)((hi - 1) << 4 | (lo - 1));
        }
        if (i == 20) {
            key[0] = SHN__TRACE_BIN_TAG;
            *key_len = SHN__TRACE_BIN_LEN;
            return 0;
        }
    }
    if (take_text(s, len, text))
        return -1;
    *key_len = shn__trace_addr_key(text, len, key);
    return 0;
}

static int parse_u64(const char *s, size_t len, uint64_t *out)
{
    shn_u128 v;
    if (shn_trace_u128_parse(s, len, &v) != SHN_OK || v > UINT64_MAX)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

/* A parsed data row, waiting for its dictionary look-ups. Rows are parsed
 * ROW_BATCH at a time, their addresses hashed and their slots requested,
 * and only then looked up, so that the cache misses of many rows overlap
 * (the dictionary outgrows the cache long before the import ends). */
#define ROW_BATCH 16
enum { ROW_ADD, ROW_FAILED, ROW_SKIPPED, ROW_BAD };

struct row {
    int status;
    long line;
    const char *field, *why; /* ROW_BAD */
    uint32_t time;
    size_t from_len, to_len, asset_len;
    uint64_t order, from_hash, to_hash;
    shn_u128 amount;
    unsigned char from[SHN__TRACE_KEY_MAX], to[SHN__TRACE_KEY_MAX];
    char asset[SHN_TRACE_MAX_ADDRESS_LEN + 1];
};

/* Parses one data row into w (its status says kept, skipped or bad, with
 * `field` and `why` for a bad one); `seq` is its number among all rows
 * read, the order of generic rows within a second. */
static void parse_row(struct shn_trace_builder *b, const struct shn_csv *r, size_t n,
                      const struct columns *c, uint64_t seq, struct row *w)
{
    uint64_t block = 0, pos = 0;
    int64_t time;

    w->status = ROW_BAD;
    w->line = r->record_line;
#define FIELD(f) (r->fields[c->idx[f]])
#define LEN(f) (r->lengths[c->idx[f]])
    if (n != c->n_fields) {
        w->field = "";
        w->why = "wrong number of fields";
        return;
    }
    if (c->idx[F_STATUS] >= 0 && LEN(F_STATUS) == 1 && FIELD(F_STATUS)[0] == '0') {
        w->status = ROW_FAILED;
        return;
    }
    w->field = "time";
    w->why = "not Unix seconds or ISO 8601 UTC, or out of range";
    if (shn_trace_time_parse(FIELD(F_TIME), LEN(F_TIME), &time) != SHN_OK || time < 0 ||
        time > UINT32_MAX)
        return;
    w->time = (uint32_t)time;
    w->field = "from";
    w->why = "empty, too long or with spaces or control characters";
    if (take_address(FIELD(F_FROM), LEN(F_FROM), w->from, &w->from_len))
        return;
    if (LEN(F_TO) == 0) { /* contract creation */
        w->status = ROW_SKIPPED;
        return;
    }
    w->field = "to";
    if (take_address(FIELD(F_TO), LEN(F_TO), w->to, &w->to_len))
        return;
    if (c->kind == KIND_TX) {
        memcpy(w->asset, "ETH", 4);
        w->asset_len = 3;
    } else {
        w->field = "asset";
        if (take_text(FIELD(F_ASSET), LEN(F_ASSET), w->asset))
            return;
        w->asset_len = LEN(F_ASSET);
    }
    w->field = "amount";
    w->why = "not an unsigned decimal integer below 2^128";
    if (shn_trace_u128_parse(FIELD(F_AMOUNT), LEN(F_AMOUNT), &w->amount) != SHN_OK)
        return;
    w->why = "not an unsigned integer";
    if (c->idx[F_BLOCK] >= 0 && LEN(F_BLOCK)) {
        w->field = "block_number";
        if (parse_u64(FIELD(F_BLOCK), LEN(F_BLOCK), &block) || block >= (1ull << 40))
            return;
    }
    if (c->idx[F_POS] >= 0 && LEN(F_POS)) {
        w->field = c->kind == KIND_TOKEN ? "log_index" : "transaction_index";
        if (parse_u64(FIELD(F_POS), LEN(F_POS), &pos))
            return;
        if (pos >= (1u << 24) - 1)
            pos = (1u << 24) - 2;
    }
#undef FIELD
#undef LEN
    if (w->amount == 0) {
        w->status = ROW_SKIPPED;
        return;
    }
    /* Within one second: etl rows by block and position in the block,
     * generic rows in the order read. */
    w->order = c->kind == KIND_GENERIC ? seq : (block << 24) | pos;
    w->from_hash = shn__trace_dict_hash(&b->addr, w->from, w->from_len);
    w->to_hash = shn__trace_dict_hash(&b->addr, w->to, w->to_len);
    w->status = ROW_ADD;
}

/* Looks up a kept row's addresses and asset and stages its transfer.
 * Errors are fatal (bounds, memory). */
static int add_row(struct shn_trace_builder *b, const struct row *w)
{
    uint32_t from_id, to_id, asset_id;
    int rc;

    rc = shn__trace_dict_intern_hashed(&b->addr, w->from, w->from_len, w->from_hash,
                                       SHN_TRACE_MAX_ADDRESSES - 1, &from_id);
    if (rc == SHN_OK)
        rc = shn__trace_dict_intern_hashed(&b->addr, w->to, w->to_len, w->to_hash,
                                           SHN_TRACE_MAX_ADDRESSES - 1, &to_id);
    if (rc == SHN_OK && b->last_asset_len == w->asset_len &&
        memcmp(b->last_asset, w->asset, w->asset_len) == 0) {
        asset_id = b->last_asset_id;
    } else if (rc == SHN_OK) {
        rc = shn__trace_dict_intern(&b->asset, w->asset, w->asset_len + 1, SHN_TRACE_MAX_ASSETS - 1,
                                    &asset_id);
        if (rc == SHN_OK) { /* ids never change, so the cache stays right */
            memcpy(b->last_asset, w->asset, w->asset_len);
            b->last_asset_len = w->asset_len;
            b->last_asset_id = asset_id;
        }
    }
    if (rc == SHN_OK)
        rc = shn__trace_builder_add(b, w->time, from_id, to_id, asset_id, w->amount, w->order);
    return rc;
}

/* shn_csv_next without the copy, for the common record: one line ending in
 * LF, with no quote, CR or Ctrl-Z. Its fields then point into the input and
 * are not NUL-terminated (add_row goes by length). Anything else (and the
 * last line when it has no LF) goes to shn_csv_next, which gives the fields,
 * errors and line numbers as always: both agree on every record this takes. */
int shn__trace_next_record(struct shn_csv *r, size_t *count, struct shn_diag *diag)
{
    const char *p = r->p, *end = r->end, *start;
    long line = r->line;
    size_t n = 0;

    while (p < end && (*p == '\n' || *p == '\r')) { /* blank lines, as shn_csv_next */
        if (*p == '\n')
            line++;
        p++;
    }
    start = p;
    r->fields[0] = p;
    for (; p < end; p++) {
        char c = *p;
        if (c == ',') {
            r->lengths[n] = (size_t)(p - r->fields[n]);
            if (++n == SHN_CSV_MAX_FIELDS)
                return shn_csv_next(r, count, diag);
            r->fields[n] = p + 1;
        } else if (c == '\n') {
            break;
        } else if (c == '"' || c == '\r' || c == 0x1A) {
            return shn_csv_next(r, count, diag);
        }
    }
    /* the reader's record bound: leave records near it to shn_csv_next */
    if (p == end || p == start || (size_t)(p - start) >= SHN_CSV_MAX_RECORD / 2)
        return shn_csv_next(r, count, diag);
    r->lengths[n] = (size_t)(p - r->fields[n]);
    r->record_line = line;
    r->line = line + 1;
    r->p = p + 1;
    *count = n + 1;
    return SHN_OK;
}

static int bad_row(struct shn_trace_builder *b, uint64_t *reported, bool strict, const char *file,
                   long line, const char *field, const char *why, uint64_t *counter,
                   struct shn_diag *diag)
{
    (*counter)++;
    if (strict)
        return shn_diag_set(diag, SHN_ERR_PARSE, file, line, field, "%s", why);
    if ((*reported)++ < MAX_REPORTED)
        shn_log(SHN_LOG_WARN, "%s:%ld: %s%s%s (row skipped)", file, line, field,
                field[0] ? ": " : "", why);
    return SHN_OK;
}

int shn_trace_builder_add_csv(struct shn_trace_builder *b, const char *data, size_t len,
                              const char *file, bool strict, struct shn_diag *diag)
{
    struct shn_csv r;
    struct columns c;
    struct row *rows = NULL;
    uint64_t reported = 0, bad_before = b->stats.bad;
    size_t n;
    int rc;

    shn_csv_init(&r, data, len, file);
    rc = shn_csv_next(&r, &n, diag);
    if (rc == SHN_ERR_NOT_FOUND) {
        rc = shn_diag_set(diag, SHN_ERR_PARSE, file, 1, "header", "empty file");
        goto out;
    }
    if (rc != SHN_OK)
        goto out;
    rc = read_header(&r, n, &c, file, diag);
    rows = rc == SHN_OK ? shn_malloc(ROW_BATCH * sizeof *rows) : NULL;
    if (rc == SHN_OK && !rows)
        rc = SHN_ERR_NOMEM;
    while (rc == SHN_OK) {
        size_t k = 0;
        int read_rc = SHN_OK;

        while (k < ROW_BATCH) {
            read_rc = shn__trace_next_record(&r, &n, diag);
            if (read_rc != SHN_OK)
                break;
            parse_row(b, &r, n, &c, b->seq + k + 1, &rows[k]);
            k++;
        }
        /* rows in order, as if each were read and added in turn: counts,
         * bad-row reports and the first error are the same */
        for (size_t i = 0; rc == SHN_OK && i < k; i++) {
            const struct row *w = &rows[i];
            b->stats.rows++;
            b->seq++;
            if (w->status == ROW_FAILED) {
                b->stats.failed++;
            } else if (w->status == ROW_SKIPPED) {
                b->stats.skipped++;
            } else if (w->status == ROW_BAD) {
                rc = bad_row(b, &reported, strict, file, w->line, w->field, w->why, &b->stats.bad,
                             diag);
            } else {
                rc = add_row(b, w);
                if (rc != SHN_OK)
                    rc = shn_diag_set(diag, rc, file, w->line, "", "%s", shn_strerror(rc));
            }
        }
        if (rc == SHN_OK)
            rc = read_rc;
    }
    if (rc == SHN_ERR_NOT_FOUND)
        rc = SHN_OK;
    if (rc == SHN_OK && reported > MAX_REPORTED)
        shn_log(SHN_LOG_WARN, "%s: %llu bad rows in all", file,
                (unsigned long long)(b->stats.bad - bad_before));
out:
    shn_free(rows);
    shn_csv_cleanup(&r);
    return rc;
}

int shn_trace_builder_add_file(struct shn_trace_builder *b, const char *path, size_t max_bytes,
                               bool strict, struct shn_diag *diag)
{
    struct shn_mapped_file m = {0};
    int rc;

    /* Mapped, not read: a file of 100M rows is several gigabytes that the
     * page cache can hold better than the heap. */
    rc = shn_file_map(path, &m, diag);
    if (rc == SHN_OK && m.size > max_bytes)
        rc = shn_diag_set(diag, SHN_ERR_TOO_LARGE, path, 0, "", "file larger than %zu bytes",
                          max_bytes);
    if (rc == SHN_OK)
        rc = shn_trace_builder_add_csv(b, (const char *)m.data, m.size, path, strict, diag);
    shn_file_unmap(&m);
    return rc;
}

int shn_trace_builder_add_labels_csv(struct shn_trace_builder *b, const char *data, size_t len,
                                     const char *file, bool strict, struct shn_diag *diag)
{
    char addr[SHN_TRACE_MAX_ADDRESS_LEN + 1];
    struct shn_csv r;
    uint64_t reported = 0;
    size_t n;
    bool first = true;
    int rc;

    shn_csv_init(&r, data, len, file);
    for (;;) {
        const char *why = NULL, *field = "";
        int kind;

        rc = shn_csv_next(&r, &n, diag);
        if (rc != SHN_OK)
            break;
        if (first && n >= 2 && strcmp(r.fields[0], "address") == 0 &&
            strcmp(r.fields[1], "kind") == 0) {
            first = false;
            continue;
        }
        first = false;
        kind = n >= 2 ? shn_trace_kind_parse(r.fields[1]) : -1;
        if (n < 2 || n > 3) {
            why = "expected address,kind,name";
        } else if (take_text(r.fields[0], r.lengths[0], addr)) {
            field = "address";
            why = "empty, too long or with spaces or control characters";
        } else if (kind < 0) {
            field = "kind";
            why = "not one of exchange, mixer, bridge, dex, defi, sanctioned, hacker, other";
        } else if (n == 3 && r.lengths[2] > SHN_TRACE_MAX_LABEL_NAME) {
            field = "name";
            why = "longer than 200 bytes";
        }
        if (why) {
            rc = bad_row(b, &reported, strict, file, r.record_line, field, why,
                         &b->stats.bad_labels, diag);
            if (rc != SHN_OK)
                break;
            continue;
        }
        rc = shn_trace_builder_add_label(b, addr, kind, n == 3 ? r.fields[2] : "");
        if (rc != SHN_OK) {
            rc = shn_diag_set(diag, rc, file, r.record_line, "", "%s", shn_strerror(rc));
            break;
        }
    }
    if (rc == SHN_ERR_NOT_FOUND)
        rc = SHN_OK;
    shn_csv_cleanup(&r);
    return rc;
}
