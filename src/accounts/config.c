/* The scoring config: weights, thresholds, levels, currency rates and the
 * engines to use, as one JSON file merged over built-in defaults. Every key
 * is checked — a misspelt weight must be an error, not a silent default —
 * and errors name the file and the key path. */
#include <string.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/file.h"
#include "shinsa/core/mask.h"
#include "signals.h"

#define CONFIG_MAX_BYTES (1u << 20)

/* The defaults (docs/accounts.md, "Scoring"). Signal weights and
 * parameters come from each signal's table (params.c), so "signals" stays
 * empty here: the lookups fall back to the tables. */
static const char default_config[] =
    "{\n"
    "  \"prior_log_odds\": -2.5,\n"
    "  \"max_log_odds\": 8,\n"
    "  \"levels\": {\"review\": 0.5, \"block\": 0.9},\n"
    "  \"hard_rules\": true,\n"
    "  \"rates\": {\"base\": \"JPY\", \"to_base\": {\"JPY\": 1, \"USD\": 150, \"EUR\": 160,"
    " \"GBP\": 190, \"CNY\": 21, \"KRW\": 0.11, \"TWD\": 4.7, \"HKD\": 19, \"SGD\": 110,"
    " \"PHP\": 2.6, \"VND\": 0.006, \"THB\": 4.2, \"RUB\": 1.6}},\n"
    "  \"engines\": {},\n"
    "  \"signals\": {}\n"
    "}\n";

static int append(const char *text, size_t n, void *buf)
{
    return shn_buf_append(buf, text, n) == SHN_OK ? 0 : -1;
}

int shn_accounts_config_default(struct shn_buf *out)
{
    json_error_t jerr;
    json_t *c, *signals;
    int rc = SHN_ERR_NOMEM;
    shn__accounts_route_allocations();
    c = json_loads(default_config, 0, &jerr);
    signals = shn__params_defaults();
    if (c && signals && json_object_set(c, "signals", signals) == 0 &&
        json_dump_callback(c, append, out,
                           JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) == 0)
        rc = shn_buf_append_char(out, '\n');
    json_decref(signals);
    json_decref(c);
    return rc;
}

static int bad(struct shn_diag *diag, const char *file, const char *key, const char *why)
{
    return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, key, "%s", why);
}

static int check_number(json_t *o, const char *key, const char *path, double lo, double hi,
                        const char *file, struct shn_diag *diag)
{
    json_t *v = json_object_get(o, key);
    if (v && (!json_is_number(v) || json_number_value(v) < lo || json_number_value(v) > hi)) {
        char why[96];
        snprintf(why, sizeof why, "must be a number in %g..%g", lo, hi);
        return bad(diag, file, path, why);
    }
    return SHN_OK;
}

static int check_top(json_t *c, const char *file, struct shn_diag *diag)
{
    static const char *const keys[] = {"prior_log_odds", "max_log_odds", "levels",  "hard_rules",
                                       "rates",          "engines",      "signals", NULL};
    const char *key;
    json_t *v, *x;
    int rc = SHN_OK;
    json_object_foreach(c, key, v)
    {
        bool known = false;
        for (const char *const *k = keys; *k; k++)
            known |= strcmp(*k, key) == 0;
        if (!known)
            return bad(diag, file, key, "unknown key");
    }
    if ((rc = check_number(c, "prior_log_odds", "prior_log_odds", -20, 20, file, diag)) ||
        (rc = check_number(c, "max_log_odds", "max_log_odds", 0, 50, file, diag)))
        return rc;
    if ((v = json_object_get(c, "levels"))) {
        if (!json_is_object(v))
            return bad(diag, file, "levels", "must be an object");
        json_object_foreach(v, key, x)
        {
            if (strcmp(key, "review") != 0 && strcmp(key, "block") != 0)
                return bad(diag, file, "levels", "only review and block may be set");
        }
        if ((rc = check_number(v, "review", "levels.review", 0, 1, file, diag)) ||
            (rc = check_number(v, "block", "levels.block", 0, 1, file, diag)))
            return rc;
    }
    return rc;
}

static int check_rest(json_t *c, const char *file, struct shn_diag *diag)
{
    static const char *const engines[] = {"screen_index",    "text_model",  "trace_graph",
                                          "ip_country_mmdb", "ip_asn_mmdb", NULL};
    json_t *v = json_object_get(c, "hard_rules"), *e;
    const char *key;
    if (v && !json_is_boolean(v))
        return bad(diag, file, "hard_rules", "must be true or false");
    if ((v = json_object_get(c, "engines"))) {
        if (!json_is_object(v))
            return bad(diag, file, "engines", "must be an object");
        json_object_foreach(v, key, e)
        {
            bool known = false;
            char path[96];
            snprintf(path, sizeof path, "engines.%s", key);
            for (const char *const *k = engines; *k; k++)
                known |= strcmp(*k, key) == 0;
            if (!known)
                return bad(diag, file, path, "unknown engine");
            if (!json_is_string(e))
                return bad(diag, file, path, "must be a file path");
        }
    }
    if ((v = json_object_get(c, "rates"))) {
        json_t *to = json_object_get(v, "to_base");
        if (!json_is_object(v) || !json_is_string(json_object_get(v, "base")) ||
            !json_is_object(to))
            return bad(diag, file, "rates", "must be {\"base\": \"JPY\", \"to_base\": {...}}");
        json_object_foreach(to, key, e)
        {
            char path[96];
            snprintf(path, sizeof path, "rates.to_base.%s", key);
            if (strlen(key) != 3 || !json_is_number(e) || json_number_value(e) <= 0)
                return bad(diag, file, path, "must be a currency code with a positive rate");
        }
    }
    if ((v = json_object_get(c, "signals")))
        return shn__params_check(v, file, diag);
    return SHN_OK;
}

/* Merges `over` into `base`: objects key by key, anything else replaced. */
static int merge(json_t *base, json_t *over)
{
    const char *key;
    json_t *v;
    json_object_foreach(over, key, v)
    {
        json_t *b = json_object_get(base, key);
        if (json_is_object(b) && json_is_object(v) && strcmp(key, "to_base") != 0) {
            if (merge(b, v) != 0)
                return -1;
        } else if (json_object_set(base, key, v) != 0) {
            return -1;
        }
    }
    return 0;
}

/* Checks `user` (from `file`) and merges it over the defaults into *out. */
static int finish(json_t *user, const char *file, json_t **out, struct shn_diag *diag)
{
    json_error_t jerr;
    json_t *base = json_loads(default_config, 0, &jerr);
    int rc = SHN_OK;
    if (!base)
        return SHN_ERR_NOMEM;
    if (user) {
        rc = check_top(user, file, diag);
        if (rc == SHN_OK)
            rc = check_rest(user, file, diag);
        if (rc == SHN_OK && merge(base, user) != 0)
            rc = SHN_ERR_NOMEM;
    }
    if (rc == SHN_OK) {
        json_t *lv = json_object_get(base, "levels");
        if (json_number_value(json_object_get(lv, "review")) >
            json_number_value(json_object_get(lv, "block")))
            rc = bad(diag, file, "levels", "review must not exceed block");
    }
    if (rc != SHN_OK) {
        json_decref(base);
        return rc;
    }
    *out = base;
    return SHN_OK;
}

int shn__config_parse(const char *text, size_t len, const char *name, json_t **out,
                      struct shn_diag *diag)
{
    json_error_t jerr;
    json_t *user;
    int rc;
    shn__accounts_route_allocations();
    user = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!user && shn__json_out_of_memory())
        return SHN_ERR_NOMEM;
    if (!json_is_object(user)) {
        char field[48] = "", msg[sizeof jerr.text]; /* the excerpt by its shape (docs/mask.md) */
        if (!user)
            shn_mask_json_error(text, len, (size_t)jerr.position, jerr.text, field, sizeof field,
                                msg, sizeof msg);
        rc = shn_diag_set(diag, SHN_ERR_PARSE, name, user ? 1 : jerr.line, field, "%s",
                          user ? "the config must be a JSON object" : msg);
        json_decref(user);
        return rc;
    }
    rc = finish(user, name, out, diag);
    json_decref(user);
    return rc;
}

int shn__config_load(const char *path, json_t **out, struct shn_diag *diag)
{
    char *data = NULL;
    size_t len = 0;
    int rc;
    shn__accounts_route_allocations();
    if (!path)
        return finish(NULL, NULL, out, diag);
    rc = shn_file_read(path, CONFIG_MAX_BYTES, &data, &len, diag);
    if (rc == SHN_OK)
        rc = shn__config_parse(data, len, path, out, diag);
    shn_free(data);
    return rc;
}

int shn_accounts_config_check(const char *path, struct shn_diag *diag)
{
    json_t *c = NULL;
    int rc = shn__config_load(path, &c, diag);
    json_decref(c);
    return rc;
}

double shn__config_weight(json_t *config, const struct shn__signal_def *def)
{
    json_t *p = json_object_get(json_object_get(config, "signals"), def->name);
    json_t *w = json_object_get(p, "weight"), *en = json_object_get(p, "enabled");
    if (json_is_false(en))
        return -1;
    return json_is_number(w) ? json_number_value(w) : def->default_weight;
}
