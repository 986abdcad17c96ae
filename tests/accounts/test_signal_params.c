/* The signals' parameter tables (signals.h, struct shn__param): well
 * formed; checked by the config loader (names, types, ranges, each error
 * naming the file, the key and the range); read back by the lookups;
 * printed by `accounts config --defaults` as a config the loader accepts;
 * and documented in docs/signals.md with the same defaults, ranges and
 * units. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "shinsa/core/buf.h"
#include "signal_test.h"

#define SIGNALS_MD SHN_TEST_DATA "/../../docs/signals.md"

static const struct shn__signal_def *signal_named(const char *name)
{
    for (size_t i = 0; i < shn__n_signals; i++)
        if (strcmp(shn__signals[i]->name, name) == 0)
            return shn__signals[i];
    return NULL;
}

static bool whole(double v)
{
    return floor(v) == v;
}

static void tables_are_well_formed(void **state)
{
    (void)state;
    assert_int_equal(shn__n_signals, 13);
    for (size_t i = 0; i < shn__n_signals; i++) {
        const struct shn__signal_def *def = shn__signals[i];
        assert_true(signal_named(def->name) == def); /* names are unique */
        assert_true(def->default_weight >= 0 && def->default_weight <= SHN__WEIGHT_MAX);
        for (size_t k = 0; k < def->n_params; k++) {
            const struct shn__param *p = &def->params[k];
            assert_non_null(p->name);
            assert_true(strcmp(p->name, "weight") != 0 && strcmp(p->name, "enabled") != 0);
            for (size_t j = 0; j < k; j++)
                assert_true(strcmp(def->params[j].name, p->name) != 0);
            assert_non_null(p->unit);
            assert_true(p->help && p->help[0]);
            switch (p->kind) {
            case SHN__PARAM_INT:
                assert_true(whole(p->def) && whole(p->min) && whole(p->max) && p->min >= 0);
                /* fall through */
            case SHN__PARAM_NUMBER:
                assert_true(p->min <= p->def && p->def <= p->max);
                assert_null(p->file);
                break;
            case SHN__PARAM_BOOL:
                assert_true(p->def == 0 || p->def == 1);
                break;
            case SHN__PARAM_PATH:
                assert_true(p->file && p->file[0]);
                break;
            default:
                fail_msg("%s.%s: unknown kind", def->name, p->name);
            }
        }
    }
}

/* Parses `text` (a config) and expects an error on `field` saying `msg`. */
static void rejected(const char *text, const char *field, const char *msg)
{
    struct shn_diag d = {0};
    json_t *c = NULL;
    int rc = shn__config_parse(text, strlen(text), "cfg.json", &c, &d);
    if (rc != SHN_ERR_PARSE)
        fail_msg("%s: accepted (rc %d)", text, rc);
    assert_null(c);
    assert_string_equal(d.file, "cfg.json");
    assert_string_equal(d.field, field);
    if (msg)
        assert_string_equal(d.message, msg);
}

static void accepted(const char *text)
{
    struct shn_diag d = {0};
    json_t *c = NULL;
    if (shn__config_parse(text, strlen(text), "cfg.json", &c, &d) != SHN_OK)
        fail_msg("%s: %s: %s", text, d.field, d.message);
    json_decref(c);
}

/* Regression: out-of-range values were replaced by the default without a
 * word (ratio 1.7 scored as 0.40) although config.c promised an error. */
static void config_rejects_wrong_types_and_ranges(void **state)
{
    (void)state;
    rejected("{\"signals\":{\"underpriced\":{\"ratio\":1.7}}}", "signals.underpriced.ratio",
             "1.7 is out of range 0..1");
    rejected("{\"signals\":{\"underpriced\":{\"ratio\":\"0.3\"}}}", "signals.underpriced.ratio",
             "must be a number in 0..1");
    rejected("{\"signals\":{\"underpriced\":{\"min_bids\":2.5}}}", "signals.underpriced.min_bids",
             "2.5 is not a whole number (allowed: 2..1000000)");
    rejected("{\"signals\":{\"underpriced\":{\"min_bids\":1}}}", "signals.underpriced.min_bids",
             "1 is out of range 2..1000000");
    rejected("{\"signals\":{\"underpriced\":{\"min_bids\":null}}}", "signals.underpriced.min_bids",
             "must be a whole number in 2..1000000");
    rejected("{\"signals\":{\"underpriced\":{\"weight\":25}}}", "signals.underpriced.weight",
             "25 is out of range 0..20");
    rejected("{\"signals\":{\"underpriced\":{\"ratoi\":0.3}}}", "signals.underpriced.ratoi",
             "unknown parameter");
    rejected("{\"signals\":{\"wallet_exposure\":{\"include_sanctioned\":\"no\"}}}",
             "signals.wallet_exposure.include_sanctioned", "must be true or false");
    rejected("{\"signals\":{\"wallet_exposure\":{\"include_sanctioned\":2}}}",
             "signals.wallet_exposure.include_sanctioned", "must be true or false");
    rejected("{\"signals\":{\"crypto_payment\":{\"lexicon\":1}}}", "signals.crypto_payment.lexicon",
             "must be a file path (a string)");
    rejected("{\"signals\":{\"template_reuse\":{\"similarity\":0.2}}}",
             "signals.template_reuse.similarity", "0.2 is out of range 0.3..1");
    /* The longest key path still fits the diagnostic's field whole. */
    rejected("{\"signals\":{\"session_anomaly\":{\"max_accounts_per_device\":1}}}",
             "signals.session_anomaly.max_accounts_per_device", "1 is out of range 2..1000000");
    rejected("{\"signals\":{\"wallet_exposure\":{\"dust\":-1}}}", "signals.wallet_exposure.dust",
             "-1 is out of range 0..1e+18");
    /* 1/0 for include_sanctioned, as documented; 20.0 is a whole number. */
    accepted("{\"signals\":{\"wallet_exposure\":{\"include_sanctioned\":0}}}");
    accepted("{\"signals\":{\"underpriced\":{\"min_bids\":20.0}}}");
}

/* Every numeric parameter: its bounds are accepted, just past them is an
 * error naming the key and the range. */
static void every_bound_is_checked(void **state)
{
    (void)state;
    for (size_t i = 0; i < shn__n_signals; i++) {
        const struct shn__signal_def *def = shn__signals[i];
        for (size_t k = 0; k < def->n_params; k++) {
            const struct shn__param *p = &def->params[k];
            char text[256], field[64], msg[128];
            double step = p->kind == SHN__PARAM_INT ? 1 : 0.001 + fabs(p->max) * 1e-3;
            if (p->kind != SHN__PARAM_NUMBER && p->kind != SHN__PARAM_INT)
                continue;
            snprintf(field, sizeof field, "signals.%s.%s", def->name, p->name);
            snprintf(text, sizeof text, "{\"signals\":{\"%s\":{\"%s\":%.17g}}}", def->name, p->name,
                     p->min);
            accepted(text);
            snprintf(text, sizeof text, "{\"signals\":{\"%s\":{\"%s\":%.17g}}}", def->name, p->name,
                     p->max);
            accepted(text);
            snprintf(text, sizeof text, "{\"signals\":{\"%s\":{\"%s\":%.17g}}}", def->name, p->name,
                     p->max + step);
            rejected(text, field, NULL);
            snprintf(text, sizeof text, "{\"signals\":{\"%s\":{\"%s\":%.17g}}}", def->name, p->name,
                     p->min - step);
            snprintf(msg, sizeof msg, "%.15g is out of range %.15g..%.15g", p->min - step, p->min,
                     p->max);
            rejected(text, field, msg);
        }
    }
}

/* The lookups read what the config sets, else the table's default; a
 * config the loader never saw cannot push a bad value into a signal. */
static void lookups_read_the_config_or_the_table(void **state)
{
    const struct shn__signal_def *u = &shn__signal_underpriced, *we = &shn__signal_wallet_exposure;
    const char *text = "{\"signals\":{\"underpriced\":{\"ratio\":0.25,\"min_bids\":7},"
                       "\"wallet_exposure\":{\"include_sanctioned\":false},"
                       "\"crypto_payment\":{\"lexicon\":\"/x/lex.txt\"}}}";
    struct shn__score_ctx c = {0};
    char path[256];
    (void)state;
    assert_int_equal(shn__config_parse(text, strlen(text), "t", &c.config, NULL), SHN_OK);
    assert_true(shn__param_num(&c, u, 0) == 0.25);
    assert_int_equal(shn__param_size(&c, u, 1), 7);
    assert_false(shn__param_bool(&c, we, 0));
    assert_string_equal(shn__param_path(&c, &shn__signal_crypto_payment, 0, path, sizeof path),
                        "/x/lex.txt");
    json_decref(c.config);

    assert_int_equal(shn__config_load(NULL, &c.config, NULL), SHN_OK);
    assert_true(shn__param_num(&c, u, 0) == 0.40);
    assert_int_equal(shn__param_size(&c, u, 1), 20);
    assert_true(shn__param_bool(&c, we, 0));
    shn__param_path(&c, &shn__signal_crypto_payment, 0, path, sizeof path);
    assert_non_null(strstr(path, "/crypto-lexicon.txt"));
    json_decref(c.config);

    /* Built by hand, past the loader: the defaults hold. */
    c.config =
        json_pack("{s:{s:{s:f, s:i}}}", "signals", "underpriced", "ratio", 1.7, "min_bids", -5);
    assert_non_null(c.config);
    assert_true(shn__param_num(&c, u, 0) == 0.40);
    assert_int_equal(shn__param_size(&c, u, 1), 20);
    json_decref(c.config);
}

/* Regression: `accounts config --defaults` printed "signals": {}. Now
 * every signal's weight and parameters, as a config the loader accepts
 * and that changes nothing. */
static void defaults_print_every_parameter(void **state)
{
    struct shn_buf b;
    struct shn_diag d = {0};
    json_t *doc, *cfg = NULL;
    (void)state;
    shn_buf_init(&b, 1u << 20);
    assert_int_equal(shn_accounts_config_default(&b), SHN_OK);
    assert_true(b.len > 0 && b.data[b.len - 1] == '\n');
    doc = json_loadb(b.data, b.len, 0, NULL);
    assert_non_null(doc);
    assert_true(json_is_number(json_object_get(doc, "prior_log_odds")));
    assert_int_equal(json_object_size(json_object_get(doc, "signals")), shn__n_signals);
    for (size_t i = 0; i < shn__n_signals; i++) {
        const struct shn__signal_def *def = shn__signals[i];
        json_t *sig = json_object_get(json_object_get(doc, "signals"), def->name);
        assert_non_null(sig);
        assert_int_equal(json_object_size(sig), def->n_params + 1);
        assert_true(json_number_value(json_object_get(sig, "weight")) == def->default_weight);
        for (size_t k = 0; k < def->n_params; k++) {
            const struct shn__param *p = &def->params[k];
            json_t *v = json_object_get(sig, p->name);
            if (p->kind == SHN__PARAM_BOOL)
                assert_true(json_is_boolean(v) && json_is_true(v) == (p->def != 0));
            else if (p->kind == SHN__PARAM_PATH)
                assert_string_equal(json_string_value(v), "");
            else
                assert_true(json_is_number(v) && json_number_value(v) == p->def);
            if (p->kind == SHN__PARAM_INT)
                assert_true(json_is_integer(v));
        }
    }
    json_decref(doc);
    /* config --check accepts it, and it means the defaults. */
    if (shn__config_parse(b.data, b.len, "defaults", &cfg, &d) != SHN_OK)
        fail_msg("defaults: %s: %s", d.field, d.message);
    for (size_t i = 0; i < shn__n_signals; i++) {
        const struct shn__signal_def *def = shn__signals[i];
        struct shn__score_ctx c = {.config = cfg};
        assert_true(shn__config_weight(cfg, def) == def->default_weight);
        for (size_t k = 0; k < def->n_params; k++)
            if (def->params[k].kind != SHN__PARAM_PATH)
                assert_true(shn__param_num(&c, def, k) == def->params[k].def ||
                            def->params[k].kind == SHN__PARAM_BOOL);
    }
    json_decref(cfg);
    shn_buf_cleanup(&b);
}

/* ---- docs/signals.md ------------------------------------------------------ */

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    text = malloc((size_t)n + 1);
    if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
        free(text);
        text = NULL;
    }
    if (text)
        text[n] = '\0';
    fclose(f);
    return text;
}

/* A number as the doc writes it: "2,000", "0.40", "1e18". */
static bool doc_number(const char *s, double *out)
{
    char buf[64], *end;
    size_t n = 0;
    for (; *s && n + 1 < sizeof buf; s++)
        if (*s != ',')
            buf[n++] = *s;
    buf[n] = '\0';
    *out = strtod(buf, &end);
    return n > 0 && *end == '\0';
}

static bool same(double a, double b)
{
    return fabs(a - b) <= 1e-12 * (fabs(b) > 1 ? fabs(b) : 1);
}

/* Splits "| a | b | c |" into trimmed cells (in place); returns the count. */
static size_t cells(char *line, char **out, size_t max)
{
    size_t n = 0;
    char *p = strchr(line, '|');
    while (p && n < max) {
        char *start = p + 1, *end = strchr(start, '|');
        if (!end)
            break;
        *end = '\0';
        while (*start == ' ')
            start++;
        for (char *t = end; t > start && t[-1] == ' ';)
            *--t = '\0';
        out[n++] = start;
        p = end;
    }
    return n;
}

/* One row of a section's parameter table against the signal's table. */
static void check_row(const struct shn__signal_def *def, char **cell, bool *seen)
{
    char name[64], want[128];
    const struct shn__param *p = NULL;
    double v, lo, hi;
    char *dots;
    size_t len = strlen(cell[0]);
    if (len < 3 || cell[0][0] != '`' || cell[0][len - 1] != '`')
        fail_msg("signals.md, %s: parameter cell '%s' is not `name`", def->name, cell[0]);
    snprintf(name, sizeof name, "%.*s", (int)(len - 2), cell[0] + 1);
    for (size_t k = 0; k < def->n_params; k++)
        if (strcmp(def->params[k].name, name) == 0) {
            p = &def->params[k];
            seen[k] = true;
        }
    if (!p)
        fail_msg("signals.md documents %s.%s, which the code does not have", def->name, name);
    switch (p->kind) {
    case SHN__PARAM_NUMBER:
    case SHN__PARAM_INT:
        if (!doc_number(cell[1], &v) || !same(v, p->def))
            fail_msg("signals.md: %s.%s default '%s', the code says %.15g", def->name, name,
                     cell[1], p->def);
        dots = strstr(cell[2], "..");
        if (dots) {
            *dots = '\0';
            if (!doc_number(cell[2], &lo) || !doc_number(dots + 2, &hi) || !same(lo, p->min) ||
                !same(hi, p->max))
                fail_msg("signals.md: %s.%s range '%s..%s', the code says %.15g..%.15g", def->name,
                         name, cell[2], dots + 2, p->min, p->max);
        } else if (cell[2][0]) {
            fail_msg("signals.md: %s.%s range '%s' is not lo..hi", def->name, name, cell[2]);
        }
        break;
    case SHN__PARAM_BOOL:
        if (strcmp(cell[1], p->def != 0 ? "true" : "false") != 0)
            fail_msg("signals.md: %s.%s default '%s'", def->name, name, cell[1]);
        if (cell[2][0] && strcmp(cell[2], "true/false") != 0)
            fail_msg("signals.md: %s.%s range '%s'", def->name, name, cell[2]);
        break;
    case SHN__PARAM_PATH:
        snprintf(want, sizeof want, "installed `%s`", p->file);
        if (strcmp(cell[1], want) != 0)
            fail_msg("signals.md: %s.%s default '%s', the code says %s", def->name, name, cell[1],
                     want);
        if (cell[2][0] && strcmp(cell[2], "path") != 0)
            fail_msg("signals.md: %s.%s range '%s'", def->name, name, cell[2]);
        break;
    }
    if (cell[3][0] && strcmp(cell[3], p->unit) != 0)
        fail_msg("signals.md: %s.%s unit '%s', the code says '%s'", def->name, name, cell[3],
                 p->unit);
}

/* One "## name" section: its parameter table and its default weight. */
static void check_section(const struct shn__signal_def *def, char *sec)
{
    static const char header[] = "| parameter | default | range | unit | meaning |";
    bool seen[64] = {false}, in_table = false, weight = false;
    char *line = sec, *next;
    assert_true(def->n_params <= 64);
    for (; line && *line; line = next) {
        char *cell[8];
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (strncmp(line, "**Default weight ", 17) == 0) {
            double w = strtod(line + 17, NULL);
            if (!same(w, def->default_weight))
                fail_msg("signals.md: %s default weight %g, the code says %g", def->name, w,
                         def->default_weight);
            weight = true;
        }
        if (strcmp(line, header) == 0) {
            in_table = true;
        } else if (in_table && line[0] != '|') {
            in_table = false;
        } else if (in_table && strncmp(line, "|---", 4) != 0) {
            if (cells(line, cell, 8) != 5)
                fail_msg("signals.md, %s: a parameter row needs 5 cells: %s", def->name, line);
            check_row(def, cell, seen);
        }
    }
    if (!weight)
        fail_msg("signals.md: %s has no **Default weight**", def->name);
    for (size_t k = 0; k < def->n_params; k++)
        if (!seen[k])
            fail_msg("signals.md does not document %s.%s", def->name, def->params[k].name);
}

static void docs_match_the_tables(void **state)
{
    char *text = read_all(SIGNALS_MD), *p;
    bool seen[32] = {false};
    (void)state;
    if (!text)
        fail_msg("cannot read %s", SIGNALS_MD);
    /* Cut the page into "## name" sections, each checked alone. */
    for (p = strstr(text, "\n## "); p;) {
        char *name = p + 4, *end = strchr(name, '\n'), *next;
        const struct shn__signal_def *def;
        if (!end)
            break;
        *end = '\0';
        next = strstr(end + 1, "\n## ");
        if (next)
            *next = '\0';
        def = signal_named(name);
        if (!def)
            fail_msg("signals.md has a section '%s' that names no signal", name);
        for (size_t i = 0; i < shn__n_signals; i++)
            if (shn__signals[i] == def)
                seen[i] = true;
        check_section(def, end + 1);
        if (next)
            *next = '\n';
        p = next;
    }
    for (size_t i = 0; i < shn__n_signals; i++)
        if (!seen[i])
            fail_msg("signals.md has no section for %s", shn__signals[i]->name);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tables_are_well_formed),
        cmocka_unit_test(config_rejects_wrong_types_and_ranges),
        cmocka_unit_test(every_bound_is_checked),
        cmocka_unit_test(lookups_read_the_config_or_the_table),
        cmocka_unit_test(defaults_print_every_parameter),
        cmocka_unit_test(docs_match_the_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
