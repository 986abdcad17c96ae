/* bench_screen: index build and load time, queries/s and latency on two
 * threads over 100,000+ mixed queries (hits and misses, several scripts),
 * peak memory; and, on a sample of the same queries, the brute-force scan
 * of the same scorer and a Python jellyfish Jaro-Winkler baseline, with the
 * ratios. Needs the real lists in ../shared/data/sanctions.
 *
 * usage: bench_screen [QUERIES (default 100000)] [SAMPLE (default 300)] */
#define _GNU_SOURCE
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "model.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/log.h"
#include "shinsa/screen.h"

#define SANCTIONS SHN_SHARED_DATA "/sanctions"
#define THREADS 2

extern char **environ;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

/* ---- Query generation -------------------------------------------------- */

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static unsigned rnd(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const multi_script[] = {
    "김정은",
    "김영철",
    "리만건",
    "이만건",
    "박영식",
    "최룡해",
    "김여정",
    "리수용",
    "박봉주",
    "김철웅",
    "キム・ジョンウン",
    "キム・ヨンチョル",
    "リ・マンゴン",
    "パク・ヨンシク",
    "チェ・リョンヘ",
    "金正恩",
    "金英哲",
    "李萬建",
    "朴永植",
    "崔龍海",
    "Ким Чен Ын",
    "Ли Ман Гон",
    "Пак Ен Сик",
    "Ким Ён Чхоль",
    "Владимир Петров",
    "Сергей Иванов",
    "محمد علي",
    "أسامة بن لادن",
    "田中太郎",
    "鈴木花子",
    "山本一郎",
    "佐藤健",
    "이민준",
    "박서연",
    "최지훈",
    "정하은",
    "王小明",
    "李伟",
    "张伟",
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Müller Hans",
    "José García",
    "François Dupont",
};

static const char *const syllables[] = {
    "ka",  "to",  "ren", "mi",  "sa",  "lo", "vin",  "der", "an", "el",  "mar", "tin", "ber", "gus",
    "so",  "phi", "ne",  "ra",  "don", "la", "chen", "wei", "hu", "ang", "mo",  "ri",  "son", "jo",
    "han", "sen", "vik", "tor", "lu",  "ca", "ste",  "fan", "ol", "iv",  "ne",  "ko",
};

static void random_name(char *out, size_t size)
{
    int words = 2 + (int)rnd(2);
    size_t n = 0;
    for (int w = 0; w < words && n + 16 < size; w++) {
        int syl = 1 + (int)rnd(3);
        if (w)
            out[n++] = ' ';
        for (int s = 0; s < syl; s++) {
            const char *x = syllables[rnd(sizeof syllables / sizeof syllables[0])];
            size_t len = strlen(x);
            if (n + len + 2 >= size)
                break;
            memcpy(out + n, x, len);
            if (s == 0)
                out[n] = (char)(out[n] - 32);
            n += len;
        }
    }
    out[n] = '\0';
}

/* A listed name as another writer would spell it. */
static void perturb(const char *name, char *out, size_t size)
{
    char tmp[512];
    const char *comma = strchr(name, ',');
    unsigned how = rnd(6);

    if (comma && how <= 1) { /* "KIM, Yong Chol" -> "Yong Chol Kim" / "Kim Yong-chol" */
        if (how == 0)
            snprintf(tmp, sizeof tmp, "%s %.*s", comma + 2 > name + strlen(name) ? "" : comma + 2,
                     (int)(comma - name), name);
        else
            snprintf(tmp, sizeof tmp, "%.*s%s", (int)(comma - name), name, comma + 1);
    } else {
        snprintf(tmp, sizeof tmp, "%s", name);
    }
    if (how == 1) { /* hyphenate the last space */
        char *sp = strrchr(tmp, ' ');
        if (sp && sp > tmp)
            *sp = '-';
    } else if (how == 2) { /* a typo: drop one letter */
        size_t len = strlen(tmp);
        if (len > 6) {
            size_t at = 1 + rnd((unsigned)len - 2);
            memmove(tmp + at, tmp + at + 1, len - at);
        }
    } else if (how == 3) { /* romanization swaps */
        static const char *const from[] = {"KIM",  "Kim",  "RI,",  "PAK",  "Pak",
                                           "CHOE", "Chol", "Jong", "Yong", "Song"};
        static const char *const to[] = {"GIM",  "Gim",   "LEE,", "PARK",  "Park",
                                         "CHOI", "Cheol", "Jung", "Yeong", "Seong"};
        for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
            char *p = strstr(tmp, from[i]);
            if (p && strlen(tmp) + 4 < sizeof tmp) {
                size_t fl = strlen(from[i]), tl = strlen(to[i]);
                memmove(p + tl, p + fl, strlen(p + fl) + 1);
                memcpy(p, to[i], tl);
                break;
            }
        }
    }
    snprintf(out, size, "%s", tmp);
}

enum { Q_LISTED, Q_SCRIPTS, Q_RANDOM };

struct queries {
    char **name;
    unsigned char *kind; /* Q_* */
    size_t n;
};

static void make_queries(const struct shn_listset *set, size_t count, struct queries *q)
{
    char buf[512];
    size_t listed = 0;
    const struct shn_entity **pool = malloc(set->n_entities * sizeof *pool);

    for (uint32_t i = 0; i < set->n_entities; i++)
        if (strcmp(set->entities[i]->source, "crypto") != 0 && set->entities[i]->n_names)
            pool[listed++] = set->entities[i];
    q->name = calloc(count, sizeof *q->name);
    q->kind = calloc(count, 1);
    q->n = count;
    for (size_t i = 0; i < count; i++) {
        unsigned kind = rnd(100);
        if (kind < 35) {
            const struct shn_entity *e = pool[rnd((unsigned)listed)];
            perturb(e->names[rnd(e->n_names)].text, buf, sizeof buf);
            q->kind[i] = Q_LISTED;
        } else if (kind < 50) {
            q->kind[i] = Q_SCRIPTS;
            snprintf(buf, sizeof buf, "%s",
                     multi_script[rnd(sizeof multi_script / sizeof multi_script[0])]);
        } else {
            random_name(buf, sizeof buf);
            q->kind[i] = Q_RANDOM;
        }
        q->name[i] = strdup(buf);
    }
    free(pool);
}

/* ---- Timed runs -------------------------------------------------------- */

struct worker {
    const struct shn_screen_index *idx;
    const struct queries *q;
    size_t from, to;
    double *lat;
    size_t hits, hit_queries, candidates, scored;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    struct shn_screen_result r;

    shn_screen_result_init(&r);
    for (size_t i = w->from; i < w->to; i++) {
        struct shn_screen_query q = {.name = w->q->name[i]};
        double t = now();
        if (shn_screen_query(w->idx, &q, &r) == SHN_OK) {
            w->hits += r.n_hits;
            w->hit_queries += r.n_hits > 0;
            w->candidates += r.candidates;
            w->scored += r.scored;
        }
        w->lat[i] = now() - t;
    }
    shn_screen_result_cleanup(&r);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double run_jellyfish(const struct shn_listset *set, const struct queries *q, size_t sample,
                            size_t stride)
{
    char names_path[] = "/tmp/shn-bench-names-XXXXXX", queries_path[] = "/tmp/shn-bench-q-XXXXXX";
    int fn = mkstemp(names_path), fq = mkstemp(queries_path);
    FILE *f = fdopen(fn, "w"), *g = fdopen(fq, "w");
    char line[512], thr[16];
    double qps = 0;
    pid_t pid;
    int status;
    int pipefd[2];

    for (uint32_t i = 0; i < set->n_entities; i++)
        for (uint32_t n = 0; n < set->entities[i]->n_names; n++)
            if (strcmp(set->entities[i]->source, "crypto") != 0)
                fprintf(f, "%s\n", set->entities[i]->names[n].text);
    for (size_t i = 0; i < sample; i++)
        fprintf(g, "%s\n", q->name[i * stride]);
    fclose(f);
    fclose(g);
    snprintf(thr, sizeof thr, "%.2f", SHN_SCREEN_DEFAULT_THRESHOLD);
    char *argv[] = {"/usr/bin/python3",
                    SHN_BENCH_DIR "/jellyfish_baseline.py",
                    names_path,
                    queries_path,
                    thr,
                    NULL};
    posix_spawn_file_actions_t fa;
    if (pipe(pipefd) != 0)
        return 0;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1);
    posix_spawn_file_actions_addclose(&fa, pipefd[0]);
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) == 0) {
        FILE *out;
        close(pipefd[1]);
        out = fdopen(pipefd[0], "r");
        while (fgets(line, sizeof line, out)) {
            fputs("  ", stdout);
            fputs(line, stdout);
            char *p = strstr(line, "seconds, ");
            if (p)
                qps = strtod(p + 9, NULL);
        }
        fclose(out);
        waitpid(pid, &status, 0);
    } else {
        close(pipefd[0]);
        close(pipefd[1]);
        printf("  jellyfish baseline: cannot run /usr/bin/python3\n");
    }
    posix_spawn_file_actions_destroy(&fa);
    unlink(names_path);
    unlink(queries_path);
    return qps;
}

int main(int argc, char **argv)
{
    size_t count = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    size_t sample = argc > 2 ? strtoul(argv[2], NULL, 10) : 300;
    struct shn_listset *set = NULL;
    struct shn_screen_index *idx = NULL;
    struct shn_diag d = {0};
    char path[] = "/tmp/shn-bench-index-XXXXXX";
    struct queries q;
    double t, load_times[11], wall;
    double *lat;
    pthread_t th[THREADS];
    struct worker w[THREADS];
    size_t hits = 0, hit_queries = 0, candidates = 0, scored = 0, lost = 0, brute_hits = 0, stride;

    if (access(SANCTIONS "/ofac-2021/sdn.csv", R_OK) != 0) {
        printf("SKIP: bench_screen needs the real lists under %s\n", SANCTIONS);
        return 0;
    }
    if (count < 1000)
        count = 1000;
    if (sample < 10 || sample > count)
        sample = 300;
    shn_log_set_level(SHN_LOG_WARN);
    close(mkstemp(path));

    printf("== shinsa screen benchmark (%d threads, %zu queries)\n", THREADS, count);
    t = now();
    if (shn_screen_listset_new(&set) != SHN_OK ||
        shn_screen_load_ofac_csv(set, SANCTIONS "/ofac-2021", &d) != SHN_OK ||
        shn_screen_load_un_xml(set, SANCTIONS "/un_consolidated.xml", &d) != SHN_OK ||
        shn_screen_load_crypto_dir(set, SANCTIONS "/crypto-2024", &d) != SHN_OK) {
        fprintf(stderr, "load failed: %s\n", d.message);
        return 1;
    }
    printf("lists parsed (SDN + consolidated + UN + crypto): %zu entities in %.0f ms\n",
           shn_screen_listset_count(set), (now() - t) * 1e3);
    t = now();
    if (shn_screen_index_build(set, path, &d) != SHN_OK) {
        fprintf(stderr, "build failed: %s\n", d.message);
        return 1;
    }
    printf("index build: %.0f ms\n", (now() - t) * 1e3);
    for (int i = 0; i < 11; i++) {
        t = now();
        if (shn_screen_index_open(path, &idx, &d) != SHN_OK) {
            fprintf(stderr, "open failed: %s\n", d.message);
            return 1;
        }
        load_times[i] = now() - t;
        if (i < 10)
            shn_screen_index_close(idx);
    }
    qsort(load_times, 11, sizeof load_times[0], cmp_double);
    {
        struct shn_buf info;
        shn_buf_init(&info, 1 << 20);
        shn_screen_index_info(idx, 0, &info);
        printf(
            "index load (map + checksum + validation), median of 11: %.1f ms   [target < 200 ms]\n",
            load_times[5] * 1e3);
        printf("%s", info.data);
        shn_buf_cleanup(&info);
    }

    make_queries(set, count, &q);
    lat = calloc(count, sizeof *lat);
    /* Warm-up: fault the index in, allocate per-thread scratch. */
    {
        struct worker warm = {idx, &q, 0, count < 2000 ? count : 2000, lat, 0, 0, 0, 0};
        work(&warm);
    }
    t = now();
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){idx, &q, count * i / THREADS, count * (i + 1) / THREADS, lat, 0, 0,
                               0,   0};
        pthread_create(&th[i], NULL, work, &w[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        hits += w[i].hits;
        hit_queries += w[i].hit_queries;
        candidates += w[i].candidates;
        scored += w[i].scored;
    }
    wall = now() - t;
    {
        /* The slowest queries, to see what the tail is made of. */
        double sum = 0;
        size_t worst[5] = {0};
        for (size_t i = 0; i < count; i++) {
            sum += lat[i];
            for (int k = 0; k < 5; k++) {
                if (lat[i] > lat[worst[k]]) {
                    memmove(worst + k + 1, worst + k, (4 - k) * sizeof worst[0]);
                    worst[k] = i;
                    break;
                }
            }
        }
        double ksum[3] = {0};
        size_t kn[3] = {0};
        for (size_t i = 0; i < count; i++) {
            ksum[q.kind[i]] += lat[i];
            kn[q.kind[i]]++;
        }
        printf("mean latency %.1f us: listed names perturbed %.1f us (%zu), other scripts %.1f us "
               "(%zu), unlisted random names %.1f us (%zu)\n",
               sum / count * 1e6, ksum[0] / kn[0] * 1e6, kn[0], ksum[1] / kn[1] * 1e6, kn[1],
               ksum[2] / kn[2] * 1e6, kn[2]);
        printf("slowest queries:");
        for (int k = 0; k < 5; k++)
            printf(" '%s' (%.0f us)%s", q.name[worst[k]], lat[worst[k]] * 1e6, k < 4 ? "," : "\n");
    }
    qsort(lat, count, sizeof *lat, cmp_double);
    double qps = count / wall;
    printf("\nindexed: %zu queries in %.2f s = %.0f queries/s on %d threads   [target >= 50,000]\n",
           count, wall, qps, THREADS);
    printf("latency: p50 %.1f us, p99 %.1f us, max %.1f us   [target p99 < 2 ms]\n",
           lat[count / 2] * 1e6, lat[count * 99 / 100] * 1e6, lat[count - 1] * 1e6);
    printf("per query: %.0f names share a key, %.1f survive the score bound and are scored\n",
           (double)candidates / count, (double)scored / count);
    printf("hits at threshold %.2f: %zu, on %.1f%% of the queries\n", SHN_SCREEN_DEFAULT_THRESHOLD,
           hits, 100.0 * hit_queries / count);

    /* Brute force: the same scorer over every name, on a sample. */
    stride = count / sample;
    {
        struct shn_screen_result a, b;
        double ti = 0, tb = 0;
        shn_screen_result_init(&a);
        shn_screen_result_init(&b);
        for (size_t i = 0; i < sample; i++) {
            struct shn_screen_query qq = {.name = q.name[i * stride]};
            t = now();
            shn_screen_query(idx, &qq, &a);
            ti += now() - t;
            t = now();
            shn_screen_query_bruteforce(idx, &qq, &b);
            tb += now() - t;
            brute_hits += b.n_hits;
            for (size_t k = 0; k < b.n_hits; k++) {
                bool found = false;
                for (size_t j = 0; j < a.n_hits; j++)
                    if (a.hits[j].entity == b.hits[k].entity && a.hits[j].score == b.hits[k].score)
                        found = true;
                lost += !found;
            }
        }
        double brute_qps = sample / tb, single_qps = sample / ti;
        printf("\nbrute force (same scorer, every name), %zu sampled queries, 1 thread: %.1f "
               "queries/s\n",
               sample, brute_qps);
        printf("indexed on the same sample, 1 thread: %.0f queries/s -> %.0fx brute force   "
               "[target >= 100x]\n",
               single_qps, single_qps / brute_qps);
        printf("hits lost against brute force: %zu of %zu\n", lost, brute_hits);
        shn_screen_result_cleanup(&a);
        shn_screen_result_cleanup(&b);

        printf("\npython3-jellyfish Jaro-Winkler over every name, same %zu queries, 1 thread:\n",
               sample);
        double jf = run_jellyfish(set, &q, sample, stride);
        if (jf > 0)
            printf("indexed (1 thread) vs jellyfish: %.0fx   [target >= 100x]\n", single_qps / jf);
    }
    printf("\npeak memory (max RSS): %ld MB\n", peak_rss_mb());

    shn_screen_index_close(idx);
    shn_screen_listset_free(set);
    unlink(path);
    for (size_t i = 0; i < q.n; i++)
        free(q.name[i]);
    free(q.name);
    free(q.kind);
    free(lat);
    return lost ? 1 : 0;
}
