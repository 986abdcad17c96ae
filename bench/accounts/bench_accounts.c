/* bench_accounts: generates a platform's events (a tenth sign-ups with ID
 * documents, then logins, bids, messages and payouts from 1 account in 10
 * of the events), times `ingest` of the file into a fresh database, and
 * `score` of every account with every signal.
 * Generation is not timed. The targets: 100,000 events/s ingest,
 * 20,000 accounts/s scoring, on 2 cores.
 *
 * usage: bench_accounts [--events N] [--db PATH] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accounts/accounts.h"

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

static uint64_t rng = 88172645463325252ULL;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

/* splitmix64: document hashes that look like real PDQ hashes (random
 * bits), as the image index expects; structured ones pile into few buckets. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static const char *const categories[] = {"web",  "mobile",  "design", "translation",
                                         "data", "writing", "qa",     "video"};

static int generate(const char *path, unsigned long n, unsigned long accounts)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (unsigned long i = 0; i < n; i++) {
        unsigned long a = i < accounts ? i : next() % accounts;
        unsigned kind = i < accounts ? 0 : 1 + next() % 9;
        int w;
        if (kind == 0) {
            unsigned long doc = next() % 50 == 0 ? next() % accounts : a; /* shared IDs */
            w = fprintf(
                f,
                "{\"event\":\"account\",\"id\":\"e%lu\",\"time\":\"2026-01-01T09:00:00+09:00\","
                "\"account\":\"a%lu\",\"name\":\"User %lu\",\"residence\":\"JP\","
                "\"email\":\"u%lu@example.jp\",\"id_document\":{\"type\":\"licence\","
                "\"number\":\"%012lu\",\"country\":\"JP\",\"image_pdq\":\"%016lx%016lx%016lx%"
                "016lx\"},"
                "\"payout\":[{\"type\":\"bank\",\"account\":\"B-%lu\"}]}\n",
                i, a, a, a, doc, (unsigned long)mix(doc), (unsigned long)mix(doc + 1),
                (unsigned long)mix(doc + 2), (unsigned long)mix(doc + 3), a);
        } else if (kind <= 4) {
            w = fprintf(
                f,
                "{\"event\":\"login\",\"id\":\"e%lu\",\"time\":\"2026-02-01T09:%02u:00+09:00\","
                "\"account\":\"a%lu\",\"ip\":\"198.51.%u.%u\",\"device\":\"d%lu\","
                "\"user_agent\":\"Mozilla/5.0\",\"utc_offset\":\"+09:00\"}\n",
                i, next() % 60, a, next() % 256, next() % 256, a);
        } else if (kind <= 7) {
            w = fprintf(f,
                        "{\"event\":\"bid\",\"id\":\"e%lu\",\"time\":\"2026-02-02T10:00:00+09:00\","
                        "\"account\":\"a%lu\",\"job\":\"j%u\",\"category\":\"%s\",\"amount\":%u,"
                        "\"currency\":\"JPY\"}\n",
                        i, a, next() % 100000, categories[next() % 8], 2000 + next() % 20000);
        } else if (kind == 8) {
            w = fprintf(
                f,
                "{\"event\":\"message\",\"id\":\"e%lu\",\"time\":\"2026-02-03T10:00:00+09:00\","
                "\"account\":\"a%lu\",\"to\":\"c%u\",\"text\":\"よろしくお願いいたします。"
                "納期は来週金曜日で問題ありません。\"}\n",
                i, a, next() % 1000);
        } else {
            w = fprintf(
                f,
                "{\"event\":\"payout\",\"id\":\"e%lu\",\"time\":\"2026-02-04T10:00:00+09:00\","
                "\"account\":\"a%lu\",\"method\":{\"type\":\"bank\",\"account\":\"B-%lu\"},"
                "\"amount\":%u,\"currency\":\"JPY\"}\n",
                i, a, a, 10000 + next() % 100000);
        }
        if (w < 0) {
            fclose(f);
            return -1;
        }
    }
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    unsigned long n = 1000000, accounts;
    const char *db_path = NULL;
    char events[] = "/tmp/bench-accounts-XXXXXX", dbtmp[64], side[80];
    struct shn_accounts_ingest_stats st;
    struct shn_accounts_db *db = NULL;
    struct shn_diag diag = {0};
    struct rusage ru;
    struct stat sb;
    double t0, c0, t, c;
    FILE *in;
    int fd, rc;

    for (int k = 1; k < argc; k++) {
        if (strcmp(argv[k], "--events") == 0 && k + 1 < argc)
            n = strtoul(argv[++k], NULL, 10);
        else if (strcmp(argv[k], "--db") == 0 && k + 1 < argc)
            db_path = argv[++k];
        else {
            fprintf(stderr, "usage: bench_accounts [--events N] [--db PATH]\n");
            return 2;
        }
    }
    if (n < 10)
        n = 10;
    accounts = n / 10;
    fd = mkstemp(events);
    if (fd < 0)
        return 1;
    close(fd);
    if (!db_path) {
        snprintf(dbtmp, sizeof dbtmp, "%s.db", events);
        db_path = dbtmp;
    }
    fprintf(stderr, "bench_accounts: generating %lu events for %lu accounts\n", n, accounts);
    if (generate(events, n, accounts) != 0) {
        fprintf(stderr, "bench_accounts: cannot write %s\n", events);
        unlink(events);
        return 1;
    }

    in = fopen(events, "r");
    rc = in ? shn_accounts_open(db_path, &db, &diag) : SHN_ERR_IO;
    t0 = now();
    c0 = cpu();
    if (rc == SHN_OK)
        rc = shn_accounts_ingest(db, in, events, NULL, &st, &diag);
    t = now() - t0;
    c = cpu() - c0;
    if (in)
        fclose(in);
    if (rc != SHN_OK) {
        fprintf(stderr, "bench_accounts: %s (%s)\n", shn_strerror(rc), diag.message);
        shn_accounts_close(db);
        unlink(events);
        return 1;
    }
    printf("ingest: %llu events (%llu rejected) in %.2f s wall, %.2f s CPU: %.0f events/s wall, "
           "%.0f per CPU second (target 100,000/s)\n",
           st.loaded, st.rejected, t, c, (double)st.loaded / t, (double)st.loaded / c);

    {
        struct shn_accounts_score_opts so = {.raise_alerts = true, .progress = true};
        struct shn_accounts_score_stats ss;
        t0 = now();
        c0 = cpu();
        rc = shn_accounts_score_run(db, &so, NULL, NULL, &ss, &diag);
        t = now() - t0;
        c = cpu() - c0;
        if (rc != SHN_OK) {
            fprintf(stderr, "bench_accounts: score: %s (%s)\n", shn_strerror(rc), diag.message);
        } else {
            printf("score: %llu accounts in %.2f s wall, %.2f s CPU: %.0f accounts/s (target "
                   "20,000/s); load %.2f s, prepare %.2f s, signals %.2f s; %llu review, %llu "
                   "block\n",
                   ss.accounts, t, c, (double)ss.accounts / t, ss.load_seconds,
                   ss.prepare_seconds, ss.eval_seconds, ss.review, ss.block);
        }
    }
    shn_accounts_close(db);

    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    if (stat(db_path, &sb) == 0)
        printf("database: %.1f MB (%.0f bytes/event)\n", (double)sb.st_size / 1048576.0,
               (double)sb.st_size / (double)(st.loaded ? st.loaded : 1));
    unlink(events);
    if (db_path == dbtmp) {
        unlink(dbtmp);
        snprintf(side, sizeof side, "%s-wal", dbtmp);
        unlink(side);
        snprintf(side, sizeof side, "%s-shm", dbtmp);
        unlink(side);
    }
    return 0;
}
