/* bench_accounts: issue 6 §6. Generates a platform with `shinsa accounts
 * gen` (100,000 ordinary freelancers and the planted cells: about 1M
 * events, not timed), then times the ingest into a fresh database and the
 * scoring of every account with every signal, and prints events/s,
 * accounts/s (with the time of each stage and signal), peak memory, the
 * database size, and precision/recall of review+block against the ground
 * truth. Targets: 100,000 events/s ingest and 20,000 accounts/s scoring on
 * 2 cores. No baseline is named by the issue.
 *
 * The sanctions signal uses the screen index given with --index (or none);
 * the rest needs nothing outside the project.
 *
 * usage: bench_accounts [--freelancers N] [--index SCREEN.idx] [--dir DIR] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "shinsa/accounts.h"
#include "shinsa/sample.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* The ground truth: account -> planted (operator or collaborator). */
struct truth {
    json_t *bad; /* object: account -> true */
    unsigned long planted, flagged, hit;
};

static int load_truth(const char *path, struct truth *t)
{
    char line[8192];
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    t->bad = json_object();
    while (fgets(line, sizeof line, f)) {
        json_t *o = json_loads(line, 0, NULL);
        const char *role = json_string_value(json_object_get(o, "role"));
        const char *account = json_string_value(json_object_get(o, "account"));
        if (role && account && strcmp(role, "ordinary") != 0) {
            json_object_set_new(t->bad, account, json_true());
            t->planted++;
        }
        json_decref(o);
    }
    fclose(f);
    return 0;
}

static int count_verdict(void *ctx, const struct shn_accounts_score *s)
{
    struct truth *t = ctx;
    if (s->level >= SHN_ACCOUNTS_REVIEW) {
        t->flagged++;
        t->hit += json_object_get(t->bad, s->account) != NULL;
    }
    return SHN_OK;
}

static void remove_db(const char *path)
{
    char side[4200];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int main(int argc, char **argv)
{
    struct shn_sample_platform_opts g = {.freelancers = 100000};
    struct shn_accounts_score_opts so = {.raise_alerts = true, .progress = true};
    struct shn_accounts_score_stats ss;
    struct shn_events_ingest_stats st;
    struct shn_events_db *db = NULL;
    struct shn_diag diag = {0};
    struct truth truth = {0};
    char dir[4096] = "", events[4200], truth_path[4200], db_path[4200];
    const char *keep_dir = NULL;
    struct rusage ru;
    struct stat sb;
    double t0, c0, t, c;
    FILE *in;
    int rc;

    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--freelancers") == 0 && k + 1 < argc)
            g.freelancers = strtoull(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--index") == 0 && k + 1 < argc)
            so.screen_index = argv[++k];
        else if (strcmp(argv[k], "--dir") == 0 && k + 1 < argc)
            keep_dir = argv[++k];
        else {
            fprintf(stderr, "usage: bench_accounts [--freelancers N] [--index SCREEN.idx] "
                            "[--dir DIR]\n");
            return 2;
        }
    }
    if (keep_dir) {
        snprintf(dir, sizeof dir, "%s", keep_dir);
    } else {
        snprintf(dir, sizeof dir, "/tmp/bench-accounts-XXXXXX");
        if (!mkdtemp(dir)) {
            perror("bench_accounts: mkdtemp");
            return 1;
        }
    }
    snprintf(events, sizeof events, "%s/events.jsonl", dir);
    snprintf(truth_path, sizeof truth_path, "%s/truth.jsonl", dir);
    snprintf(db_path, sizeof db_path, "%s/accounts.db", dir);
    remove_db(db_path);

    fprintf(stderr, "bench_accounts: generating %llu freelancers and the planted cells in %s\n",
            g.freelancers, dir);
    if (shn_sample_platform(dir, &g, &diag) != SHN_OK || load_truth(truth_path, &truth) != 0) {
        fprintf(stderr, "bench_accounts: gen: %s\n", diag.message);
        return 1;
    }

    in = fopen(events, "r");
    rc = in ? shn_events_open(db_path, &db, &diag) : SHN_ERR_IO;
    t0 = now();
    c0 = cpu();
    if (rc == SHN_OK)
        rc = shn_events_ingest(db, in, events, NULL, &st, &diag);
    t = now() - t0;
    c = cpu() - c0;
    if (in)
        fclose(in);
    if (rc != SHN_OK) {
        fprintf(stderr, "bench_accounts: ingest: %s (%s)\n", shn_strerror(rc), diag.message);
        shn_events_close(db);
        return 1;
    }
    printf("ingest: %llu events (%llu rejected) in %.2f s wall, %.2f s CPU: %.0f events/s "
           "(target 100,000/s)\n",
           st.loaded, st.rejected, t, c, (double)st.loaded / t);

    t0 = now();
    c0 = cpu();
    rc = shn_accounts_score_run(db, &so, count_verdict, &truth, &ss, &diag);
    t = now() - t0;
    c = cpu() - c0;
    shn_events_close(db);
    if (rc != SHN_OK) {
        fprintf(stderr, "bench_accounts: score: %s (%s)\n", shn_strerror(rc), diag.message);
        return 1;
    }
    printf("score: %llu accounts in %.2f s wall, %.2f s CPU: %.0f accounts/s (target 20,000/s)\n"
           "  load %.2f s (%llu events: %.0f events/s), prepare %.2f s, signals %.2f s "
           "(%.0f accounts/s); %llu review, %llu block, %llu alerts\n",
           ss.accounts, t, c, (double)ss.accounts / t, ss.load_seconds, ss.events,
           (double)ss.events / ss.load_seconds, ss.prepare_seconds, ss.eval_seconds,
           (double)ss.accounts / ss.eval_seconds, ss.review, ss.block, ss.alerts_raised);
    for (size_t i = 0; i < ss.n_signals; i++)
        printf("  %-20s prepare %6.2f s, eval %6.2f s (%5.1f us/account, summed over threads)\n",
               ss.signal_names[i], ss.signal_prepare[i], ss.signal_eval[i],
               1e6 * ss.signal_eval[i] / (double)(ss.accounts ? ss.accounts : 1));
    printf("verdicts: %lu review+block, %lu of %lu planted found: precision %.3f, recall %.3f "
           "(a smoke test: generator and detector share their authors)\n",
           truth.flagged, truth.hit, truth.planted,
           truth.flagged ? (double)truth.hit / (double)truth.flagged : 0.0,
           truth.planted ? (double)truth.hit / (double)truth.planted : 0.0);

    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    if (stat(db_path, &sb) == 0)
        printf("database: %.1f MB (%.0f bytes/event)\n", (double)sb.st_size / 1048576.0,
               (double)sb.st_size / (double)(st.loaded ? st.loaded : 1));
    json_decref(truth.bad);
    if (!keep_dir) {
        remove_db(db_path);
        unlink(events);
        unlink(truth_path);
        rmdir(dir);
    }
    return 0;
}
