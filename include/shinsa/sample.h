/* Sample data with its ground truth, for the demo, the tests and the
 * benchmarks (docs/sample.md): a synthetic freelancing platform for the
 * accounts engine and a synthetic laundering case for the trace engine.
 *
 * Not part of the product: no engine library links shinsa_sample; only the
 * CLI's `gen` verbs, the tests and the benchmarks do. Everything written is
 * FICTIONAL. Both generators are deterministic: the same options give the
 * same bytes (their randomness is core's rng, whose sequences
 * tests/core/test_rng.c pins). Progress goes to stderr through
 * shn_progress. */
#ifndef SHN_SAMPLE_H
#define SHN_SAMPLE_H

#include <stdint.h>

#include "shinsa/core/err.h"

/* ------------------------------------------------------------ platform */

/* A synthetic freelancing platform (docs/accounts.md, "Sample platform"):
 * ordinary Japanese freelancers with realistic noise, DPRK IT-worker
 * operator cells and one Japanese collaborator lending a driver's licence.
 * Zeroed fields take the defaults. */
struct shn_sample_platform_opts {
    unsigned long long freelancers; /* ordinary freelancers; 0 = 3000 */
    unsigned cells;                 /* operator cells of 5-12 personas; 0 = 4 */
    unsigned long long seed;        /* 0 = a fixed seed */
    unsigned events_per_account;    /* average per ordinary account; 0 = 10 */
};

#define SHN_SAMPLE_PLATFORM_FREELANCERS_MAX 1000000ull /* and at least 10 */
#define SHN_SAMPLE_PLATFORM_CELLS_MAX 64u
#define SHN_SAMPLE_PLATFORM_EVENTS_MAX 1000u /* events per account, at least 2 */

/* Writes dir/events.jsonl (docs/events.md) and dir/truth.jsonl (one line
 * per account: {"account", "role": "ordinary"|"operator"|"collaborator",
 * "cell": "c1" or null, "planted": [...]}), creating dir when missing.
 * Errors: SHN_ERR_INVALID (options out of range, diag says which),
 * SHN_ERR_IO (diag names the file), SHN_ERR_TOO_LARGE (a line outgrew the
 * event format's bound: a generator bug), SHN_ERR_NOMEM. */
int shn_sample_platform(const char *dir, const struct shn_sample_platform_opts *o,
                        struct shn_diag *diag);

/* ------------------------------------------------------------ trace case */

/* A theft and its laundering (fan-out to fresh addresses, peel chains,
 * bridge, mixer and DEX deposits, consolidation, exchange deposits) inside
 * a background of ordinary transfers. Zeroed fields take the defaults. */
struct shn_sample_trace_case_opts {
    uint64_t transfers;  /* background transfers; 0 = 1,000,000 */
    uint32_t fanout;     /* fresh addresses the thief splits into; 0 = 400 */
    uint64_t stolen_eth; /* 0 = 100000 */
    uint64_t seed;       /* 0 = a fixed seed */
};

#define SHN_SAMPLE_TRACE_CASE_TRANSFERS 1000000ull /* the default */
#define SHN_SAMPLE_TRACE_CASE_TRANSFERS_MIN 1000ull
#define SHN_SAMPLE_TRACE_CASE_TRANSFERS_MAX 10000000000ull
#define SHN_SAMPLE_TRACE_CASE_FANOUT 400u /* the default */
#define SHN_SAMPLE_TRACE_CASE_FANOUT_MIN 5u
#define SHN_SAMPLE_TRACE_CASE_FANOUT_MAX 100000u

/* Writes dir/transfers.csv (the generic CSV, in time order), labels.csv
 * and truth.json (the source, the planted exits with the ETH amounts
 * deposited and the planted patterns per address), creating dir when
 * missing. Errors: SHN_ERR_INVALID (options out of range), SHN_ERR_IO
 * (diag names the file), SHN_ERR_NOMEM. */
int shn_sample_trace_case(const char *dir, const struct shn_sample_trace_case_opts *o,
                          struct shn_diag *diag);

#endif
