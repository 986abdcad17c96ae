/* The signals' parameters as data (signals.h, struct shn__param): how the
 * config loader checks them, how the signals read them, and the defaults
 * `accounts config --defaults` prints. Each default is written once, in
 * the signal's table; nothing here knows a signal by name. */
#include <math.h>
#include <string.h>

#include "signals.h"
#include "textscan.h" /* shn__accounts_data_path */

static const struct shn__signal_def *find_signal(const char *name)
{
    for (size_t i = 0; i < shn__n_signals; i++)
        if (strcmp(shn__signals[i]->name, name) == 0)
            return shn__signals[i];
    return NULL;
}

static const struct shn__param *find_param(const struct shn__signal_def *def, const char *key)
{
    for (size_t i = 0; i < def->n_params; i++)
        if (strcmp(def->params[i].name, key) == 0)
            return &def->params[i];
    return NULL;
}

static bool whole(double v)
{
    return floor(v) == v;
}

/* True when v is a valid value of p: what the loader accepts and what the
 * lookups trust. */
static bool valid(const struct shn__param *p, json_t *v)
{
    double x = json_number_value(v);
    switch (p->kind) {
    case SHN__PARAM_NUMBER:
        return json_is_number(v) && x >= p->min && x <= p->max;
    case SHN__PARAM_INT:
        return json_is_number(v) && whole(x) && x >= p->min && x <= p->max;
    case SHN__PARAM_BOOL:
        return json_is_boolean(v) || (json_is_integer(v) && (x == 0 || x == 1));
    case SHN__PARAM_PATH:
        return json_is_string(v);
    }
    return false;
}

/* Why v is not a valid value of p, as the loader's error. */
static int explain(const struct shn__param *p, json_t *v, const char *file, const char *key,
                   struct shn_diag *diag)
{
    double x = json_number_value(v);
    const char *kind = p->kind == SHN__PARAM_INT ? "a whole number" : "a number";
    switch (p->kind) {
    case SHN__PARAM_BOOL:
        return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, key, "must be true or false");
    case SHN__PARAM_PATH:
        return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, key, "must be a file path (a string)");
    case SHN__PARAM_NUMBER:
    case SHN__PARAM_INT:
        break;
    }
    if (!json_is_number(v))
        return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, key, "must be %s in %.15g..%.15g", kind,
                            p->min, p->max);
    if (p->kind == SHN__PARAM_INT && !whole(x))
        return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, key,
                            "%.15g is not a whole number (allowed: %.15g..%.15g)", x, p->min,
                            p->max);
    return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, key, "%.15g is out of range %.15g..%.15g", x,
                        p->min, p->max);
}

/* One signal's object: weight, enabled and its own parameters. */
static int check_signal(const struct shn__signal_def *def, json_t *params, const char *file,
                        struct shn_diag *diag)
{
    const char *key;
    json_t *v;
    char path[160];
    json_object_foreach(params, key, v)
    {
        const struct shn__param *p = find_param(def, key);
        snprintf(path, sizeof path, "signals.%s.%s", def->name, key);
        if (strcmp(key, "enabled") == 0) {
            if (!json_is_boolean(v))
                return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, path, "must be true or false");
        } else if (strcmp(key, "weight") == 0) {
            double w = json_number_value(v);
            if (!json_is_number(v))
                return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, path, "must be a number in 0..%d",
                                    SHN__WEIGHT_MAX);
            if (!(w >= 0 && w <= SHN__WEIGHT_MAX))
                return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, path,
                                    "%.15g is out of range 0..%d", w, SHN__WEIGHT_MAX);
        } else if (!p) {
            return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, path, "unknown parameter");
        } else if (!valid(p, v)) {
            return explain(p, v, file, path, diag);
        }
    }
    return SHN_OK;
}

int shn__params_check(json_t *signals, const char *file, struct shn_diag *diag)
{
    const char *name;
    json_t *params;
    char path[160];
    int rc = SHN_OK;
    if (!json_is_object(signals))
        return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, "signals", "must be an object");
    json_object_foreach(signals, name, params)
    {
        const struct shn__signal_def *def = find_signal(name);
        snprintf(path, sizeof path, "signals.%s", name);
        if (!def)
            return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, path, "unknown signal");
        if (!json_is_object(params))
            return shn_diag_set(diag, SHN_ERR_PARSE, file, 0, path, "must be an object");
        if ((rc = check_signal(def, params, file, diag)) != SHN_OK)
            break;
    }
    return rc;
}

/* The configured value of parameter i when valid, else NULL (the default
 * applies). */
static json_t *configured(const struct shn__score_ctx *c, const struct shn__signal_def *def,
                          size_t i)
{
    json_t *sig = json_object_get(json_object_get(c->config, "signals"), def->name);
    json_t *v = i < def->n_params ? json_object_get(sig, def->params[i].name) : NULL;
    return v && valid(&def->params[i], v) ? v : NULL;
}

double shn__param_num(const struct shn__score_ctx *c, const struct shn__signal_def *def, size_t i)
{
    json_t *v = configured(c, def, i);
    if (v)
        return json_number_value(v);
    return i < def->n_params ? def->params[i].def : 0;
}

size_t shn__param_size(const struct shn__score_ctx *c, const struct shn__signal_def *def, size_t i)
{
    double v = shn__param_num(c, def, i);
    return v > 0 ? (size_t)v : 0;
}

bool shn__param_bool(const struct shn__score_ctx *c, const struct shn__signal_def *def, size_t i)
{
    json_t *v = configured(c, def, i);
    if (v)
        return json_is_true(v) || (json_is_integer(v) && json_integer_value(v) == 1);
    return i < def->n_params && def->params[i].def != 0;
}

const char *shn__param_path(const struct shn__score_ctx *c, const struct shn__signal_def *def,
                            size_t i, char *buf, size_t size)
{
    json_t *v = configured(c, def, i);
    const char *file = i < def->n_params && def->params[i].file ? def->params[i].file : "";
    return shn__accounts_data_path(json_string_value(v), file, buf, size);
}

/* A number as JSON, whole numbers without a fraction ("30", not "30.0"). */
static json_t *number(double v)
{
    return whole(v) && fabs(v) < 1e15 ? json_integer((json_int_t)v) : json_real(v);
}

/* The default of p as a JSON value: paths print "" (the installed file),
 * which the loader reads back as the default. */
static json_t *default_value(const struct shn__param *p)
{
    switch (p->kind) {
    case SHN__PARAM_BOOL:
        return json_boolean(p->def != 0);
    case SHN__PARAM_PATH:
        return json_string("");
    case SHN__PARAM_NUMBER:
    case SHN__PARAM_INT:
        break;
    }
    return number(p->def);
}

json_t *shn__params_defaults(void)
{
    json_t *all = json_object();
    for (size_t i = 0; all && i < shn__n_signals; i++) {
        const struct shn__signal_def *def = shn__signals[i];
        json_t *one = json_object();
        bool ok = one && json_object_set_new(one, "weight", number(def->default_weight)) == 0;
        for (size_t k = 0; ok && k < def->n_params; k++)
            ok = json_object_set_new(one, def->params[k].name, default_value(&def->params[k])) == 0;
        if (!ok || json_object_set_new(all, def->name, one) != 0) {
            if (!ok)
                json_decref(one);
            json_decref(all);
            all = NULL;
        }
    }
    return all;
}
