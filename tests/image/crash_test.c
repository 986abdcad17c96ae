/* Fault tests of the image index through the real CLI (issue 12, section
 * 9; F8; the image part of F6/section 3):
 *
 *   crash_test kill SHINSA FIXTURE_DIR
 *     kills `shinsa image add`, `image remove` and `image check --repair`
 *     with SIGKILL at random moments, at least 20 times, and after each
 *     kill checks that the next open succeeds, that every owner holds
 *     exactly the records committed so far (an add cut short: a prefix of
 *     its files, in order, no duplicates), that a removed owner's hashes
 *     are gone from the file once a writer has opened it, and that no
 *     temporary file is left behind.
 *
 *   crash_test concurrent SHINSA FIXTURE_DIR
 *     a writer waits for another's lock; then two processes add and remove
 *     concurrently while a third damages the file (under the lock) and
 *     repairs it, which renames a new file over the index under their
 *     feet; nothing may be lost and every command must succeed.
 *
 * Both are bounded (alarm) well under a minute. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/image.h"

#define MAX_FIX 32
#define MAX_OWNERS 256
#define FILES_PER_ADD 24

static const char *shinsa;
static char work[64], idx_path[128];
static struct shn_pdq fix_hash[MAX_FIX];
static char fix_path[MAX_FIX][512];
static int nfix;
static int failures;

static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Starts argv (stdout to /dev/null, stderr kept); returns the pid. */
static pid_t spawn(char *const argv[])
{
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int run(char *const argv[])
{
    int status;
    pid_t pid = spawn(argv);
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The fixtures that `image add` accepts, with distinct hashes. */
static void load_fixtures(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    if (!d) {
        fprintf(stderr, "cannot open %s\n", dir);
        exit(1);
    }
    while ((e = readdir(d)) != NULL && nfix < MAX_FIX) {
        struct shn_image_hash h;
        int dup = 0;
        if (e->d_name[0] == '.')
            continue;
        snprintf(fix_path[nfix], sizeof fix_path[nfix], "%s/%s", dir, e->d_name);
        if (shn_image_hash_file(fix_path[nfix], NULL, &h, NULL) != SHN_OK ||
            h.quality < SHN_PDQ_MIN_QUALITY)
            continue;
        for (int i = 0; i < nfix; i++)
            dup |= shn_image_pdq_distance(&fix_hash[i], &h.pdq) == 0;
        if (!dup)
            fix_hash[nfix++] = h.pdq;
    }
    closedir(d);
    if (nfix < 3) {
        fprintf(stderr, "too few usable fixtures in %s\n", dir);
        exit(1);
    }
}

/* ---------------------------------------------------------------- the model */

/* What each owner must hold: fixture numbers in file order. */
struct owner {
    char id[24];
    int seq[FILES_PER_ADD];
    int n;       /* committed records */
    int removed; /* gone, hashes must be out of the file */
};

static struct owner owners[MAX_OWNERS];
static int nowners;
static int partial_adds; /* adds killed with some of their records in */
static int cut_removals; /* removals found cut short (hashes still in the file) */

static int cmp_record(const void *a, const void *b)
{
    const int *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

/* The records of owner o in file order, as fixture numbers; *total gets
 * the number of records of all owners that match a fixture. */
static int records_of(const struct shn_image_index *idx, const char *owner, int *seq, int cap)
{
    int pairs[MAX_FIX * FILES_PER_ADD][2], n = 0;
    for (int f = 0; f < nfix; f++) {
        struct shn_image_match *m = NULL;
        size_t count = 0;
        if (shn_image_index_query(idx, &fix_hash[f], 0, SHN_IMAGE_QUERY_BRUTE_FORCE, &m, &count) !=
            SHN_OK)
            continue;
        for (size_t i = 0; i < count; i++)
            if (strcmp(m[i].owner, owner) == 0 && n < MAX_FIX * FILES_PER_ADD) {
                pairs[n][0] = (int)m[i].record;
                pairs[n++][1] = f;
            }
        shn_free(m);
    }
    qsort(pairs, (size_t)n, sizeof pairs[0], cmp_record);
    for (int i = 0; i < n && i < cap; i++)
        seq[i] = pairs[i][1];
    return n;
}

static int file_holds(const char *data, size_t len, const struct shn_pdq *h, const char *owner)
{
    char needle[64];
    size_t n = 32 + strlen(owner);
    memcpy(needle, h->bytes, 32);
    memcpy(needle + 32, owner, strlen(owner));
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(data + i, needle, n) == 0)
            return 1;
    return 0;
}

static size_t count_temps(void)
{
    DIR *d = opendir(work);
    struct dirent *e;
    size_t n = 0;
    while (d && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strcmp(e->d_name, "ids.idx") != 0)
            n++;
    if (d)
        closedir(d);
    return n;
}

/* The checks after every step. `last` (or -1) is an owner whose add was
 * cut short: it may hold any prefix of its files, which becomes its
 * committed state. `removing` (or -1): all of its records or none. */
static void verify(int last, int removing, int damage_allowed)
{
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats s;
    struct shn_diag d = {0};
    char *data = NULL;
    size_t len = 0;
    long total = 0;

    /* The next open must succeed, read-only first (nothing written yet). */
    int rc = shn_image_index_open(idx_path, SHN_IMAGE_INDEX_READ, &idx, &d);
    CHECK(rc == SHN_OK, "read open after a kill: %s", d.message);
    if (rc != SHN_OK)
        return;
    shn_image_index_stats(idx, &s);
    CHECK(damage_allowed || s.damaged_records == 0, "%zu damaged records", s.damaged_records);
    cut_removals += s.unscrubbed > 0;
    for (int o = 0; o < nowners; o++) {
        int seq[MAX_FIX * FILES_PER_ADD];
        int n = records_of(idx, owners[o].id, seq, MAX_FIX * FILES_PER_ADD);
        total += n;
        if (o == removing && n == 0 && owners[o].n > 0)
            owners[o].removed = 1; /* the removal record made it */
        if (o == last && n <= FILES_PER_ADD) {
            int prefix = 1;
            for (int i = 0; i < n; i++)
                prefix &= seq[i] == owners[o].seq[i];
            CHECK(prefix, "%s: %d records, not a prefix of its files", owners[o].id, n);
            owners[o].n = n;
            partial_adds += n > 0 && n < FILES_PER_ADD;
            continue;
        }
        int want = owners[o].removed ? 0 : owners[o].n;
        CHECK(n == want, "%s: %d records, %d committed", owners[o].id, n, want);
        for (int i = 0; i < n && i < want; i++)
            CHECK(seq[i] == owners[o].seq[i], "%s: record %d differs", owners[o].id, i);
    }
    CHECK(total == (long)s.hashes, "%ld known records, %zu hashes", total, s.hashes);
    shn_image_index_close(idx);

    /* A writer's open: cuts a torn tail, completes removals, cleans up. */
    rc = shn_image_index_open(idx_path, SHN_IMAGE_INDEX_WRITE, &idx, &d);
    CHECK(rc == SHN_OK, "write open after a kill: %s", d.message);
    if (rc != SHN_OK)
        return;
    shn_image_index_close(idx);
    rc = shn_image_index_open(idx_path, SHN_IMAGE_INDEX_READ, &idx, &d);
    CHECK(rc == SHN_OK, "reopen: %s", d.message);
    if (rc == SHN_OK) {
        shn_image_index_stats(idx, &s);
        CHECK(s.torn_bytes == 0 && s.unscrubbed == 0, "torn %zu, unscrubbed %zu", s.torn_bytes,
              s.unscrubbed);
        shn_image_index_close(idx);
    }
    CHECK(shn_file_read(idx_path, 1 << 26, &data, &len, NULL) == SHN_OK, "read the index");
    for (int o = 0; o < nowners; o++)
        for (int f = 0; owners[o].removed && f < nfix; f++)
            CHECK(!file_holds(data, len, &fix_hash[f], owners[o].id),
                  "removed %s: a hash is still in the file", owners[o].id);
    shn_free(data);
    CHECK(count_temps() == 0, "files left beside the index");
}

/* ---------------------------------------------------------------- kill loop */

static int cmd_args(char **argv, const char *verb, const char *owner)
{
    int n = 0;
    argv[n++] = (char *)shinsa;
    argv[n++] = "image";
    argv[n++] = (char *)verb;
    argv[n++] = "--index";
    argv[n++] = idx_path;
    if (owner) {
        argv[n++] = "--owner";
        argv[n++] = (char *)owner;
    }
    return n;
}

/* Runs argv and kills it after delay_us unless it ended; 1 when killed. */
static int run_and_kill(char *const argv[], long delay_us)
{
    int status;
    pid_t pid = spawn(argv);
    struct timespec t = {delay_us / 1000000, (delay_us % 1000000) * 1000};
    nanosleep(&t, NULL);
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        return 1;
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s %s exited with status %d", argv[1],
          argv[2], status);
    return 0;
}

static void append_garbage(void)
{
    char junk[1000];
    FILE *f = fopen(idx_path, "ab");
    memset(junk, 0x41, sizeof junk);
    if (f) {
        fwrite(junk, 1, sizeof junk, f);
        fclose(f);
    }
}

static int kill_loop(void)
{
    char *argv[8 + FILES_PER_ADD];
    double start = now_ms(), one_add, one_remove;
    int kills = 0, steps = 0, adds = 0, removes = 0, repairs = 0;

    /* How long one add takes here, for the range of the random delays. */
    snprintf(owners[0].id, sizeof owners[0].id, "owner-%04d", 0);
    int n = cmd_args(argv, "add", owners[0].id);
    for (int i = 0; i < FILES_PER_ADD; i++) {
        owners[0].seq[i] = (int)(rnd() % (uint64_t)nfix);
        argv[n + i] = fix_path[owners[0].seq[i]];
    }
    argv[n + FILES_PER_ADD] = NULL;
    one_add = now_ms();
    CHECK(run(argv) == 0, "first add");
    one_add = now_ms() - one_add;
    owners[0].n = FILES_PER_ADD;
    nowners = 1;
    verify(-1, -1, 0);
    /* and one remove (of an owner added for it) */
    snprintf(owners[1].id, sizeof owners[1].id, "owner-%04d", 1);
    memcpy(owners[1].seq, owners[0].seq, sizeof owners[0].seq);
    n = cmd_args(argv, "add", owners[1].id);
    for (int i = 0; i < FILES_PER_ADD; i++)
        argv[n + i] = fix_path[owners[1].seq[i]];
    CHECK(run(argv) == 0, "second add");
    n = cmd_args(argv, "remove", owners[1].id);
    argv[n] = NULL;
    one_remove = now_ms();
    CHECK(run(argv) == 0, "first remove");
    one_remove = now_ms() - one_remove;
    owners[1].n = FILES_PER_ADD;
    owners[1].removed = 1;
    nowners = 2;
    verify(-1, -1, 0);
    while ((kills < 30 || steps < 50) && steps < 200 && now_ms() - start < 40000 &&
           nowners < MAX_OWNERS) {
        /* µs: up to 1.2 runs, or half the time within the second half of
         * one, where an add has begun appending */
        double t = rnd() % 2 ? (double)(rnd() % 1200) / 1000 : 0.5 + (double)(rnd() % 500) / 1000;
        long delay = (long)(t * one_add * 1000), delay_rm = (long)(t * one_remove * 1000);
        int choice = (int)(rnd() % 10), victim = -1, last = -1, damage = 0;
        steps++;
        if (choice < 6) { /* add */
            struct owner *o = &owners[nowners];
            snprintf(o->id, sizeof o->id, "owner-%04d", nowners);
            n = cmd_args(argv, "add", o->id);
            for (int i = 0; i < FILES_PER_ADD; i++) {
                o->seq[i] = (int)(rnd() % (uint64_t)nfix);
                argv[n + i] = fix_path[o->seq[i]];
            }
            argv[n + FILES_PER_ADD] = NULL;
            last = nowners++;
            int killed = run_and_kill(argv, delay);
            o->n = killed ? 0 : FILES_PER_ADD;
            if (!killed)
                last = -1;
            kills += killed;
            adds++;
        } else if (choice < 9) { /* remove someone who has records */
            for (int tries = 0; tries < 20 && victim < 0; tries++) {
                int o = (int)(rnd() % (uint64_t)nowners);
                if (!owners[o].removed && owners[o].n > 0)
                    victim = o;
            }
            if (victim < 0)
                continue;
            n = cmd_args(argv, "remove", owners[victim].id);
            argv[n] = NULL;
            if (!run_and_kill(argv, delay_rm))
                owners[victim].removed = 1;
            else
                kills++;
            removes++;
        } else { /* damage, then a repair cut short */
            append_garbage();
            n = cmd_args(argv, "check", NULL);
            argv[n++] = "--repair";
            argv[n] = NULL;
            kills += run_and_kill(argv, delay_rm);
            damage = 1;
            repairs++;
        }
        verify(last, victim, damage);
        if (damage) { /* whichever file the kill left, a repair makes it clean */
            n = cmd_args(argv, "check", NULL);
            argv[n++] = "--repair";
            argv[n] = NULL;
            CHECK(run(argv) == 0, "check --repair");
            verify(-1, -1, 0);
        }
    }
    printf("kill loop: %d steps (%d adds, %d removes, %d repairs), %d processes killed (%d adds "
           "cut with part of their records in, %d removals cut before their scrub), %d owners, "
           "%.1f s, %d failures\n",
           steps, adds, removes, repairs, kills, partial_adds, cut_removals, nowners,
           (now_ms() - start) / 1e3, failures);
    CHECK(kills >= 20, "only %d kills", kills);
    return failures ? 1 : 0;
}

/* ---------------------------------------------------------------- concurrency */

static void hex_of(int worker, int i, char out[65])
{
    struct shn_pdq h;
    uint64_t x = 0x9E3779B97F4A7C15u * (uint64_t)(worker * 1000 + i + 1);
    for (int k = 0; k < 32; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        h.bytes[k] = (uint8_t)x;
    }
    shn_image_pdq_to_hex(&h, out);
}

/* Worker w: ROUNDS adds of its own owners; worker 1 also removes some. */
#define ROUNDS 16
static int worker(int w)
{
    char *argv[12], owner[32], hex[65];
    int bad = 0;
    for (int i = 0; i < ROUNDS; i++) {
        int n;
        snprintf(owner, sizeof owner, "w%d-%02d", w, i);
        hex_of(w, i, hex);
        n = cmd_args(argv, "add", owner);
        argv[n++] = "--hash";
        argv[n++] = hex;
        argv[n] = NULL;
        bad += run(argv) != 0;
        if (w == 1 && i % 4 == 3) {
            snprintf(owner, sizeof owner, "w%d-%02d", w, i - 2);
            n = cmd_args(argv, "remove", owner);
            argv[n] = NULL;
            bad += run(argv) != 0;
        }
    }
    return bad;
}

/* Worker 2: damages the file under the lock, as a flipped bit would, and
 * repairs it, each repair renaming a new file over the index. */
static int damager(void)
{
    char *argv[8];
    int bad = 0;
    for (int i = 0; i < 6; i++) {
        int fd = open(idx_path, O_RDWR | O_APPEND);
        struct stat a, b;
        if (fd >= 0 && flock(fd, LOCK_EX) == 0 && fstat(fd, &a) == 0 && stat(idx_path, &b) == 0 &&
            a.st_ino == b.st_ino) {
            char junk[400];
            memset(junk, 0x5A, sizeof junk);
            bad += write(fd, junk, sizeof junk) != (ssize_t)sizeof junk;
        }
        if (fd >= 0)
            close(fd);
        int n = cmd_args(argv, "check", NULL);
        argv[n++] = "--repair";
        argv[n] = NULL;
        bad += run(argv) != 0;
    }
    return bad;
}

static int concurrent(void)
{
    char *argv[12], hex[65];
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats s;
    double start = now_ms();
    int status, n;
    pid_t pids[3];

    /* 1. A writer waits while another holds the lock, then succeeds. */
    CHECK(shn_image_index_open(idx_path, SHN_IMAGE_INDEX_WRITE, &idx, NULL) == SHN_OK, "open");
    hex_of(9, 0, hex);
    n = cmd_args(argv, "add", "waiter");
    argv[n++] = "--hash";
    argv[n++] = hex;
    argv[n] = NULL;
    pid_t waiter = spawn(argv);
    struct timespec t = {0, 300 * 1000000L};
    nanosleep(&t, NULL);
    CHECK(waitpid(waiter, &status, WNOHANG) == 0, "add did not wait for the lock");
    shn_image_index_close(idx);
    CHECK(waitpid(waiter, &status, 0) == waiter && WIFEXITED(status) && WEXITSTATUS(status) == 0,
          "the waiting add failed");

    /* 2. Two writers and a damager-repairer at once. */
    for (int w = 0; w < 3; w++) {
        pids[w] = fork();
        if (pids[w] == 0)
            _exit(w < 2 ? worker(w) : damager());
    }
    for (int w = 0; w < 3; w++) {
        CHECK(waitpid(pids[w], &status, 0) == pids[w] && WIFEXITED(status) &&
                  WEXITSTATUS(status) == 0,
              "worker %d: %d commands failed", w, WEXITSTATUS(status));
    }
    n = cmd_args(argv, "check", NULL);
    argv[n++] = "--repair";
    argv[n] = NULL;
    CHECK(run(argv) == 0, "final repair");

    /* 3. Nothing lost, the removed gone. */
    CHECK(shn_image_index_open(idx_path, SHN_IMAGE_INDEX_READ, &idx, NULL) == SHN_OK, "reopen");
    if (!idx)
        return 1;
    shn_image_index_stats(idx, &s);
    size_t want = 1;
    for (int w = 0; w < 2; w++) {
        for (int i = 0; i < ROUNDS; i++) {
            struct shn_pdq h;
            struct shn_image_match *m = NULL;
            size_t count = 0;
            int gone = w == 1 && i % 4 == 1 && i + 2 < ROUNDS;
            hex_of(w, i, hex);
            shn_image_pdq_from_hex(hex, 64, &h);
            shn_image_index_query(idx, &h, 0, 0, &m, &count);
            CHECK(count == (size_t)!gone, "w%d-%02d: %zu records", w, i, count);
            shn_free(m);
            want += !gone;
        }
    }
    CHECK(s.hashes == want && s.damaged_records == 0, "%zu hashes (%zu expected), %zu damaged",
          s.hashes, want, s.damaged_records);
    shn_image_index_close(idx);
    CHECK(count_temps() == 0, "files left beside the index");
    printf("concurrent: 1 waiting writer, 2 writers x %d adds (+%d removes), 6 damages and "
           "repairs; %zu hashes, %.1f s, %d failures\n",
           ROUNDS, ROUNDS / 4, s.hashes, (now_ms() - start) / 1e3, failures);
    return failures ? 1 : 0;
}

static void cleanup(void)
{
    DIR *d = opendir(work);
    struct dirent *e;
    char p[600];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", work, e->d_name);
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(work);
}

int main(int argc, char **argv)
{
    int rc;
    if (argc != 4 || (strcmp(argv[1], "kill") != 0 && strcmp(argv[1], "concurrent") != 0)) {
        fprintf(stderr, "usage: crash_test kill|concurrent SHINSA FIXTURE_DIR\n");
        return 2;
    }
    shinsa = argv[2];
    rng_state = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    if (getenv("SHN_SEED"))
        rng_state = strtoull(getenv("SHN_SEED"), NULL, 10);
    if (!rng_state)
        rng_state = 1;
    printf("seed %llu (SHN_SEED to repeat)\n", (unsigned long long)rng_state);
    alarm(90); /* a hang is a failure, not a stuck suite */
    snprintf(work, sizeof work, "/tmp/shn-image-crash-XXXXXX");
    if (!mkdtemp(work))
        return 1;
    snprintf(idx_path, sizeof idx_path, "%s/ids.idx", work);
    load_fixtures(argv[3]);
    rc = strcmp(argv[1], "kill") == 0 ? kill_loop() : concurrent();
    cleanup();
    return rc;
}
