/* Test helper for the accounts signals: build a world from JSON Lines text,
 * run one signal on one account with an optional config (JSON text) and
 * engines, and hand back what it said. Header-only: each signal test file
 * includes it once. */
#ifndef SHN_TESTS_ACCOUNTS_SIGNAL_TEST_H
#define SHN_TESTS_ACCOUNTS_SIGNAL_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

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

#endif
