/* Batch screening: one JSON query object a line in, one JSON result a line
 * out, in order (shinsa screen --file; a JSON Lines request body). */
#include <jansson.h>
#include <string.h>

#include "screen_internal.h"
#include "shinsa/core/mask.h"

static const char *str_field(json_t *obj, const char *key, const char **bad)
{
    json_t *v = json_object_get(obj, key);

    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = key;
        return NULL;
    }
    return json_string_value(v);
}

const char *shn_screen_query_error(int err)
{
    if (err == SHN_ERR_INVALID)
        return "invalid query: no field given, a field over 1024 bytes, or a bad date";
    return shn_strerror(err);
}

/* out := {"line": N, "error": "msg"}; the diag gets line, field and message. */
static int line_error(struct shn_buf *out, long lineno, int err, const char *field, const char *msg,
                      struct shn_diag *diag)
{
    shn_buf_reset(out);
    if (shn_buf_appendf(out, "{\"line\": %ld, \"error\": ", lineno) != SHN_OK ||
        shn_buf_append_json_string(out, msg) != SHN_OK || shn_buf_append_char(out, '}') != SHN_OK)
        shn_buf_reset(out);
    shn_diag_set(diag, err, diag ? diag->file : NULL, lineno, field, "%s", msg);
    return err;
}

int shn_screen_batch_line(const struct shn_screen_index *idx, const char *line, size_t len,
                          long lineno, const struct shn_screen_query *defaults,
                          struct shn_screen_result *r, struct shn_buf *out, struct shn_diag *diag)
{
    struct shn_screen_query q = {.threshold = defaults ? defaults->threshold : 0,
                                 .limit = defaults ? defaults->limit : 0};
    json_error_t jerr;
    json_t *obj = NULL;
    const char *bad = NULL; /* the field that is not a string */
    char msg[160];
    int rc;

    shn_buf_reset(out);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (!len)
        return SHN_OK;
    if (len > SHN_SCREEN_MAX_LINE) {
        snprintf(msg, sizeof msg, "line longer than %d bytes", SHN_SCREEN_MAX_LINE);
        return line_error(out, lineno, SHN_ERR_TOO_LARGE, "", msg, diag);
    }
    obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj) { /* the field, and the parser's excerpt by its shape only (F15) */
        char field[sizeof diag->field];
        shn_mask_json_error(line, len, (size_t)jerr.position, jerr.text, field, sizeof field, msg,
                            sizeof msg);
        rc = line_error(out, lineno, SHN_ERR_PARSE, field, msg, diag);
        goto out;
    }
    if (!json_is_object(obj)) {
        rc = line_error(out, lineno, SHN_ERR_PARSE, "", "not a JSON object", diag);
        goto out;
    }
    q.name = str_field(obj, "name", &bad);
    q.reading = str_field(obj, "reading", &bad);
    q.dob = str_field(obj, "dob", &bad);
    q.nationality = str_field(obj, "nationality", &bad);
    q.id = str_field(obj, "id", &bad);
    q.crypto = str_field(obj, "crypto", &bad);
    q.email = str_field(obj, "email", &bad);
    q.phone = str_field(obj, "phone", &bad);
    q.handle = str_field(obj, "handle", &bad);
    if (bad) {
        rc = line_error(out, lineno, SHN_ERR_PARSE, bad, "a query field is not a string", diag);
        goto out;
    }
    rc = shn_screen_query(idx, &q, r);
    if (rc == SHN_OK)
        rc = shn_screen_result_json(idx, &q, r, out);
    if (rc != SHN_OK)
        line_error(out, lineno, rc, "", shn_screen_query_error(rc), diag);
out:
    json_decref(obj);
    return rc;
}
