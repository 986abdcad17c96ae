/* The body of POST /v1/screen, read strictly: the CLI's query fields (as
 * in `shinsa screen --file`), strings or null, and nothing else; a batch is
 * {"queries": [...]} with optional defaults. Every refusal is a 400 that
 * names the field ("queries[2].dob"), so a client can fix its request. */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "serve_internal.h"
#include "shinsa/core/alloc.h"

#define MAX_LIMIT 1000 /* hits per query; the CLI allows more, a response should not */

static const char *const fields[] = {"name",   "reading", "dob",   "nationality", "id",
                                     "crypto", "email",   "phone", "handle"};
#define N_FIELDS (sizeof fields / sizeof fields[0])

static const char **field_slot(struct shn_screen_query *q, size_t i)
{
    const char **slots[N_FIELDS] = {&q->name,   &q->reading, &q->dob,   &q->nationality, &q->id,
                                    &q->crypto, &q->email,   &q->phone, &q->handle};
    return slots[i];
}

/* "queries[3].name" or "name". */
static void path(char *out, size_t size, const char *prefix, const char *key)
{
    snprintf(out, size, "%s%s%.48s", prefix, prefix[0] ? "." : "", key);
}

static int number(json_t *v, const char *field, double lo, double hi, double *out,
                  struct shn__serve_error *err)
{
    double d;

    if (!json_is_number(v))
        return shn__serve_fail(err, 400, "bad_type", field, "must be a number");
    d = json_number_value(v);
    if (!(d >= lo && d <= hi))
        return shn__serve_fail(err, 400, "bad_value", field, "must be from %g to %g", lo, hi);
    *out = d;
    return SHN_OK;
}

static int limit_of(json_t *v, const char *field, int *out, struct shn__serve_error *err)
{
    json_int_t n;

    if (!json_is_integer(v))
        return shn__serve_fail(err, 400, "bad_type", field, "must be a whole number");
    n = json_integer_value(v);
    if (n < 1 || n > MAX_LIMIT)
        return shn__serve_fail(err, 400, "bad_value", field, "must be from 1 to %d", MAX_LIMIT);
    *out = (int)n;
    return SHN_OK;
}

/* The options a batch or a query may carry besides its fields. */
static int option(const char *key, json_t *v, const char *field, struct shn_screen_query *q,
                  bool *known, struct shn__serve_error *err)
{
    *known = true;
    if (strcmp(key, "threshold") == 0)
        return number(v, field, 0.01, 1.0, &q->threshold, err);
    if (strcmp(key, "limit") == 0)
        return limit_of(v, field, &q->limit, err);
    *known = false;
    return SHN_OK;
}

static int one_query(json_t *obj, const char *prefix, const struct shn_screen_query *defaults,
                     struct shn_screen_query *q, struct shn__serve_error *err)
{
    const char *key;
    json_t *v;
    char field[96];
    bool searchable = false;

    if (!json_is_object(obj))
        return shn__serve_fail(err, 400, "bad_type", prefix[0] ? prefix : "body",
                               "a query must be a JSON object");
    *q = *defaults;
    json_object_foreach(obj, key, v)
    {
        size_t i = 0;
        bool known;
        path(field, sizeof field, prefix, key);
        if (option(key, v, field, q, &known, err) != SHN_OK)
            return SHN_ERR_PARSE;
        if (known)
            continue;
        while (i < N_FIELDS && strcmp(key, fields[i]) != 0)
            i++;
        if (i == N_FIELDS)
            return shn__serve_fail(err, 400, "unknown_field", field,
                                   "not a query field (name, reading, dob, nationality, id, "
                                   "crypto, email, phone, handle, threshold, limit)");
        if (json_is_null(v))
            continue;
        if (!json_is_string(v))
            return shn__serve_fail(err, 400, "bad_type", field, "must be a string or null");
        if (json_string_length(v) > SHN_SCREEN_MAX_FIELD)
            return shn__serve_fail(err, 400, "bad_value", field, "longer than %d bytes",
                                   SHN_SCREEN_MAX_FIELD);
        *field_slot(q, i) = json_string_value(v);
        if (i != 0 && i < 4)
            continue; /* reading, dob, nationality only refine a name */
        searchable = searchable || json_string_length(v) > 0;
    }
    if (!searchable)
        return shn__serve_fail(err, 400, "missing_field", prefix[0] ? prefix : "name",
                               "a query needs a name or an identifier (id, crypto, email, "
                               "phone, handle)");
    return SHN_OK;
}

static int batch(json_t *root, size_t max_queries, struct shn__serve_screen_batch *b,
                 struct shn__serve_error *err)
{
    struct shn_screen_query defaults = {0};
    json_t *list = NULL, *v;
    const char *key;
    char prefix[32];

    json_object_foreach(root, key, v)
    {
        bool known;
        if (strcmp(key, "queries") == 0) {
            list = v;
            continue;
        }
        if (option(key, v, key, &defaults, &known, err) != SHN_OK)
            return SHN_ERR_PARSE;
        if (!known)
            return shn__serve_fail(err, 400, "unknown_field", key,
                                   "a batch has only queries, threshold and limit");
    }
    if (!json_is_array(list))
        return shn__serve_fail(err, 400, "bad_type", "queries", "must be an array of queries");
    b->n = json_array_size(list);
    if (b->n == 0)
        return shn__serve_fail(err, 400, "bad_value", "queries", "no queries");
    if (b->n > max_queries)
        return shn__serve_fail(err, 413, "too_many_queries", "queries",
                               "%zu queries; at most %zu in one request", b->n, max_queries);
    b->queries = shn_calloc(b->n, sizeof *b->queries);
    if (!b->queries)
        return shn__serve_fail(err, 500, "internal", "", "out of memory");
    for (size_t i = 0; i < b->n; i++) {
        snprintf(prefix, sizeof prefix, "queries[%zu]", i);
        if (one_query(json_array_get(list, i), prefix, &defaults, &b->queries[i], err) != SHN_OK)
            return SHN_ERR_PARSE;
    }
    return SHN_OK;
}

int shn__serve_screen_parse(const char *body, size_t len, size_t max_queries,
                            struct shn__serve_screen_batch *out, struct shn__serve_error *err)
{
    struct shn__serve_screen_batch b = {0};
    struct shn_screen_query none = {0};
    json_error_t jerr;
    json_t *root;
    int rc;

    if (!out || !err || (!body && len))
        return SHN_ERR_INVALID;
    if (len == 0)
        return shn__serve_fail(err, 400, "bad_json", "body", "the body is empty: send a query");
    root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return shn__serve_fail(err, 400, "bad_json", "body",
                               "not JSON: %.160s (line %d, column %d)", jerr.text, jerr.line,
                               jerr.column);
    b.root = root;
    if (!json_is_object(root)) {
        rc = shn__serve_fail(err, 400, "bad_type", "body", "the body must be a JSON object");
    } else if (json_object_get(root, "queries")) {
        b.batch = true;
        rc = batch(root, max_queries, &b, err);
    } else {
        b.n = 1;
        b.queries = shn_calloc(1, sizeof *b.queries);
        rc = b.queries ? one_query(root, "", &none, b.queries, err)
                       : shn__serve_fail(err, 500, "internal", "", "out of memory");
    }
    if (rc != SHN_OK) {
        shn__serve_screen_batch_cleanup(&b);
        return rc;
    }
    *out = b;
    return SHN_OK;
}

void shn__serve_screen_batch_cleanup(struct shn__serve_screen_batch *b)
{
    if (!b)
        return;
    json_decref(b->root);
    shn_free(b->queries);
    memset(b, 0, sizeof *b);
}
