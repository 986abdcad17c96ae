/* Test helper for the accounts signals: build a world from JSON Lines text,
 * run one signal on one account with an optional config (JSON text) and
 * engines, and hand back what it said; assert on its evidence as parsed
 * JSON (ev_*); and run it again with every allocation failing in turn.
 * Header-only: each signal test file includes it once. */
#ifndef SHN_TESTS_ACCOUNTS_SIGNAL_TEST_H
#define SHN_TESTS_ACCOUNTS_SIGNAL_TEST_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "shinsa/core/alloc.h"
#include "signals.h"

/* The world of `jsonl` (every line must be a valid event). */
static inline struct shn__world *world_of(const char *jsonl)
{
    struct shn__world *w = NULL;
    struct shn_diag d = {0};
    int rc = shn__world_from_jsonl(jsonl, strlen(jsonl), &w, &d);
    if (rc != SHN_OK)
        fail_msg("world: line %ld field '%s': %s", d.line, d.field, d.message);
    return w;
}

/* Runs `def` on `account`; `ctx` may carry engines (its w and config are
 * replaced). config_json NULL = the defaults. */
static inline void run_signal_ctx(const struct shn__signal_def *def, const struct shn__world *w,
                                  const char *config_json, const struct shn__score_ctx *engines,
                                  const char *account, struct shn_accounts_signal *out)
{
    struct shn__score_ctx c = {0};
    struct shn_diag d = {0};
    json_t *cfg = NULL;
    if (engines)
        c = *engines;
    c.w = w;
    if (config_json &&
        shn__config_parse(config_json, strlen(config_json), "test-config", &cfg, &d) != SHN_OK)
        fail_msg("config: %s: %s", d.field, d.message);
    c.config = cfg;
    assert_int_equal(shn__signal_run(def, &c, account, out, &d), SHN_OK);
    json_decref(cfg);
}

static inline void run_signal(const struct shn__signal_def *def, const struct shn__world *w,
                              const char *config_json, const char *account,
                              struct shn_accounts_signal *out)
{
    run_signal_ctx(def, w, config_json, NULL, account, out);
}

/* ---- evidence --------------------------------------------------------------
 * The evidence is parsed with jansson (the test fails when it is not a JSON
 * object) and a value is named by its path: keys joined by '.', array
 * elements by their index ("hits.0.entity"). Each assertion names the
 * path, what it wanted and the evidence when it fails. */

static inline json_t *ev_parse(const struct shn_accounts_signal *sig, const char *file, int line)
{
    json_error_t e;
    json_t *ev = json_loads(sig->evidence, 0, &e);
    if (!json_is_object(ev)) {
        json_decref(ev);
        print_error("%s: evidence is not a JSON object (%s): %s\n", sig->signal, e.text,
                    sig->evidence);
        _fail(file, line);
    }
    return ev;
}

static inline json_t *ev_path(json_t *v, const char *path)
{
    char key[128], *end;
    while (v && *path) {
        size_t n = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, path);
        if (json_is_array(v)) {
            unsigned long i = strtoul(key, &end, 10);
            v = end != key && !*end ? json_array_get(v, i) : NULL;
        } else {
            v = json_object_get(v, key);
        }
        path += n;
        path += *path == '.';
    }
    return v;
}

enum ev_check { EV_INT, EV_NUM, EV_STR, EV_BOOL, EV_NULL, EV_ABSENT, EV_LEN, EV_TEXT };

/* True when `s` (a string, or any string of the array `s`) contains sub. */
static inline bool ev_has_text(json_t *s, const char *sub)
{
    size_t i;
    json_t *x;
    if (json_is_string(s))
        return strstr(json_string_value(s), sub) != NULL;
    json_array_foreach(s, i, x)
    {
        if (json_is_string(x) && strstr(json_string_value(x), sub))
            return true;
    }
    return false;
}

static inline void ev_check_at(const struct shn_accounts_signal *sig, const char *path,
                               enum ev_check how, long long i, double x, const char *s,
                               const char *file, int line)
{
    json_t *ev = ev_parse(sig, file, line), *v = ev_path(ev, path);
    bool ok = false;
    char want[160];
    switch (how) {
    case EV_INT:
        ok = json_is_integer(v) && json_integer_value(v) == i;
        snprintf(want, sizeof want, "%lld", i);
        break;
    case EV_NUM: /* evidence reals carry 6 significant digits */
        ok = json_is_number(v) && fabs(json_number_value(v) - x) <= 1e-5 * (fabs(x) + 1e-3);
        snprintf(want, sizeof want, "%g", x);
        break;
    case EV_STR:
        ok = json_is_string(v) && strcmp(json_string_value(v), s) == 0;
        snprintf(want, sizeof want, "\"%s\"", s);
        break;
    case EV_BOOL:
        ok = json_is_boolean(v) && json_is_true(v) == (i != 0);
        snprintf(want, sizeof want, "%s", i ? "true" : "false");
        break;
    case EV_NULL:
        ok = json_is_null(v);
        snprintf(want, sizeof want, "null");
        break;
    case EV_ABSENT:
        ok = v == NULL;
        snprintf(want, sizeof want, "no such member");
        break;
    case EV_LEN:
        ok = (json_is_array(v) && json_array_size(v) == (size_t)i) ||
             (json_is_object(v) && json_object_size(v) == (size_t)i);
        snprintf(want, sizeof want, "%lld elements", i);
        break;
    case EV_TEXT:
        ok = ev_has_text(v, s);
        snprintf(want, sizeof want, "a string with \"%s\"", s);
        break;
    }
    json_decref(ev);
    if (!ok) {
        print_error("%s evidence %s: want %s in %s\n", sig->signal, path, want, sig->evidence);
        _fail(file, line);
    }
}

#define ev_int(sig, path, want)                                                                    \
    ev_check_at(&(sig), (path), EV_INT, (want), 0, NULL, __FILE__, __LINE__)
#define ev_num(sig, path, want)                                                                    \
    ev_check_at(&(sig), (path), EV_NUM, 0, (want), NULL, __FILE__, __LINE__)
#define ev_str(sig, path, want)                                                                    \
    ev_check_at(&(sig), (path), EV_STR, 0, 0, (want), __FILE__, __LINE__)
#define ev_bool(sig, path, want)                                                                   \
    ev_check_at(&(sig), (path), EV_BOOL, (want), 0, NULL, __FILE__, __LINE__)
#define ev_null(sig, path) ev_check_at(&(sig), (path), EV_NULL, 0, 0, NULL, __FILE__, __LINE__)
#define ev_absent(sig, path) ev_check_at(&(sig), (path), EV_ABSENT, 0, 0, NULL, __FILE__, __LINE__)
/* The array (or object) at path has n elements (members); "" is the whole
 * evidence. */
#define ev_len(sig, path, n) ev_check_at(&(sig), (path), EV_LEN, (n), 0, NULL, __FILE__, __LINE__)
/* The string at path, or one string of the array at path, contains `sub`
 * (free text: the screen engine's `why` lines, excerpts). */
#define ev_text(sig, path, sub)                                                                    \
    ev_check_at(&(sig), (path), EV_TEXT, 0, 0, (sub), __FILE__, __LINE__)

/* True when no key and no string anywhere in v contains sub. */
static inline bool ev_clean(json_t *v, const char *sub)
{
    const char *key;
    json_t *x;
    size_t i;
    if (json_is_string(v))
        return !strstr(json_string_value(v), sub);
    json_object_foreach(v, key, x)
    {
        if (strstr(key, sub) || !ev_clean(x, sub))
            return false;
    }
    json_array_foreach(v, i, x)
    {
        if (!ev_clean(x, sub))
            return false;
    }
    return true;
}

static inline void ev_nowhere_at(const struct shn_accounts_signal *sig, const char *sub,
                                 const char *file, int line)
{
    json_t *ev = ev_parse(sig, file, line);
    bool ok = ev_clean(ev, sub);
    json_decref(ev);
    if (!ok) {
        print_error("%s evidence holds \"%s\": %s\n", sig->signal, sub, sig->evidence);
        _fail(file, line);
    }
}

/* Nothing in the evidence (no key, no string) contains `sub`: what must
 * never be shown (an unmasked address, an account that did not match). */
#define ev_nowhere(sig, sub) ev_nowhere_at(&(sig), (sub), __FILE__, __LINE__)

/* ---- failing allocations ---------------------------------------------------
 * Runs `def` on `account` with the Nth allocation failing (and every one
 * after it), jansson's included (the module routes it through shn_malloc),
 * for N = 0, 1, … until a run succeeds: every failing run must return
 * SHN_ERR_NOMEM (or SHN_ERR_TOO_LARGE) and free what it took — the ASan
 * build checks leaks — and the run that succeeds must say exactly
 * what an undisturbed run says. Returns the number of failure points. */
static inline long run_signal_failing(const struct shn__signal_def *def, const struct shn__world *w,
                                      const char *config_json, const struct shn__score_ctx *engines,
                                      const char *account)
{
    struct shn__score_ctx c = {0};
    struct shn_accounts_signal want, got;
    struct shn_diag d = {0};
    json_t *cfg = NULL;
    long n;
    int rc = SHN_ERR_NOMEM;
    if (engines)
        c = *engines;
    c.w = w;
    if (config_json &&
        shn__config_parse(config_json, strlen(config_json), "test-config", &cfg, &d) != SHN_OK)
        fail_msg("config: %s: %s", d.field, d.message);
    if (!cfg)
        assert_int_equal(shn__config_load(NULL, &cfg, NULL), SHN_OK);
    c.config = cfg;
    assert_int_equal(shn__signal_run(def, &c, account, &want, &d), SHN_OK);
    for (n = 0; rc != SHN_OK && n < 1000000; n++) {
        shn_alloc_fail_after(n);
        rc = shn__signal_run(def, &c, account, &got, NULL);
        shn_alloc_fail_after(-1);
        if (rc != SHN_OK && rc != SHN_ERR_NOMEM && rc != SHN_ERR_TOO_LARGE)
            fail_msg("%s on %s, allocation %ld failing: %s", def->name, account, n,
                     shn_strerror(rc));
    }
    json_decref(cfg);
    assert_int_equal(rc, SHN_OK);
    assert_true(got.score == want.score);
    assert_int_equal(got.hard, want.hard);
    assert_string_equal(got.evidence, want.evidence);
    assert_string_equal(got.reason_en, want.reason_en);
    assert_string_equal(got.reason_ja, want.reason_ja);
    print_message("%s on %s: %ld allocation failure points\n", def->name, account, n - 1);
    return n - 1;
}

#endif
