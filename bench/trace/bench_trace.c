/* bench_trace: the figures of issue 5 on a generated case.
 *
 *   bench_trace [--transfers N] [--big] [--dir DIR] [--no-baselines] [--reuse]
 *
 * Default: 2M background transfers (a few minutes at most on 2 cores);
 * --big: 100M. Import and propagation each run in a child process so that
 * their peak memory is measured apart. Then, on a 1M-transfer slice, the
 * same haircut in networkx (/usr/bin/python3) and a reachability pass with
 * libigraph, and the ratios. --reuse skips generation and import when the
 * case's graph is there already (to time propagation changes alone). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifdef SHN_HAVE_IGRAPH
#include <igraph.h>
#endif

#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/log.h"
#include "shinsa/sample.h"
#include "shinsa/trace.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: on a machine shared with other work, wall-clock
 * time also counts the time the process waited for a core. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs fn(arg) in a child; returns its peak resident memory in MB, or -1. */
static double in_child(int (*fn)(void *), void *arg, const char *what)
{
    struct rusage ru;
    int status = 0;
    pid_t pid;

    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int rc = fn(arg);
        fflush(stdout);
        _exit(rc);
    }
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_trace: %s failed\n", what);
        return -1;
    }
    return (double)ru.ru_maxrss / 1024.0;
}

struct job {
    char dir[1024], graph[1100], source[64];
    double seconds, rate;
    unsigned long long n;
    int runs;
};

static int do_import(void *p)
{
    struct job *j = p;
    struct shn_trace_builder *b = NULL;
    struct shn_trace_import_stats st;
    struct shn_diag diag = {0};
    char path[1200];
    double t0 = now();
    int rc;

    rc = shn_trace_builder_new(&b);
    snprintf(path, sizeof path, "%s/transfers.csv", j->dir);
    if (rc == SHN_OK)
        rc = shn_trace_builder_add_file(b, path, (size_t)1 << 42, false, &diag);
    snprintf(path, sizeof path, "%s/labels.csv", j->dir);
    if (rc == SHN_OK) {
        char *data = NULL;
        size_t len = 0;
        rc = shn_file_read(path, 1 << 20, &data, &len, &diag);
        if (rc == SHN_OK)
            rc = shn_trace_builder_add_labels_csv(b, data, len, path, false, &diag);
        shn_free(data);
    }
    if (rc == SHN_OK)
        rc = shn_trace_builder_write(b, j->graph, &diag);
    shn_trace_builder_stats(b, &st);
    shn_trace_builder_free(b);
    if (rc != SHN_OK) {
        char text[512];
        shn_diag_format(&diag, text, sizeof text);
        fprintf(stderr, "import: %s\n", text);
        return 1;
    }
    printf("  import: %llu rows in %.2f s = %.2f M rows/s\n", (unsigned long long)st.rows,
           now() - t0, (double)st.rows / (now() - t0) / 1e6);
    return 0;
}

static int do_run(void *p)
{
    struct job *j = p;
    struct shn_trace_graph *g = NULL;
    struct shn_trace_result r = {0};
    struct shn_diag diag = {0};
    struct shn_trace_opts o = {.method = SHN_TRACE_HAIRCUT, .stop_kinds = SHN_TRACE_DEFAULT_STOPS};
    uint32_t src;
    double t0 = now(), t1, best = 1e30, best_cpu = 1e30;
    shn_u128 exits = 0;
    char text[64];

    if (shn_trace_graph_open_ex(j->graph, SHN_TRACE_OPEN_LOAD, &g, &diag) != SHN_OK ||
        shn_trace_graph_find(g, j->source, &src) != SHN_OK)
        return 1;
    t1 = now();
    o.sources = &src;
    o.n_sources = 1;
    for (int k = 0; k < j->runs; k++) {
        double s = now(), c = cpu_now();
        shn_trace_result_cleanup(&r);
        if (shn_trace_run(g, &o, &r, &diag) != SHN_OK)
            return 1;
        if (now() - s < best)
            best = now() - s;
        if (cpu_now() - c < best_cpu)
            best_cpu = cpu_now() - c;
    }
    if (shn_trace_check(g, &r, &diag) != SHN_OK)
        return 1;
    for (size_t i = 0; i < r.n_entries; i++) {
        int kind = shn_trace_graph_label(g, r.entries[i].address, NULL);
        if (kind == SHN_TRACE_KIND_EXCHANGE || kind == SHN_TRACE_KIND_BRIDGE)
            exits += r.entries[i].tainted;
    }
    shn_trace_u128_format(exits, text, sizeof text);
    printf("  open (checksum + bounds): %.2f s; graph %.1f bytes/transfer (%zu bytes)\n", t1 - t0,
           (double)shn_trace_graph_bytes(g) / (double)shn_trace_graph_transfers(g),
           shn_trace_graph_bytes(g));
    printf("  haircut: %llu transfers in %.4f s = %.1f M transfers/s (1 core; CPU time %.4f s = "
           "%.1f M/s); %zu tainted; exits %s\n",
           (unsigned long long)r.transfers_scanned, best, (double)r.transfers_scanned / best / 1e6,
           best_cpu, (double)r.transfers_scanned / best_cpu / 1e6, r.n_entries, text);
    {
        FILE *f = fopen("/dev/shm/bench_trace_run", "w");
        if (f) {
            fprintf(f, "%.9f %s\n", best, text);
            fclose(f);
        }
    }
    shn_trace_result_cleanup(&r);
    shn_trace_graph_close(g);
    return 0;
}

static int read_source(const char *dir, char *out, size_t size)
{
    char path[1200], buf[512], *p;
    FILE *f;

    snprintf(path, sizeof path, "%s/truth.json", dir);
    f = fopen(path, "r");
    if (!f || !fgets(buf, sizeof buf, f)) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    p = strstr(buf, "\"source\": \"");
    if (!p)
        return -1;
    p += 11;
    snprintf(out, size, "%.42s", p);
    return 0;
}

static int case_run(struct job *j, unsigned long long n, const char *title, int reuse)
{
    struct shn_sample_trace_case_opts go = {.transfers = n, .fanout = SHN_SAMPLE_TRACE_CASE_FANOUT};
    struct shn_diag diag = {0};
    struct stat st;
    double t0 = now(), mb;

    printf("%s: %llu background transfers\n", title, n);
    if (reuse && stat(j->graph, &st) == 0 &&
        read_source(j->dir, j->source, sizeof j->source) == 0) {
        printf("  generate, import: skipped (--reuse, %s)\n", j->graph);
    } else {
        if (shn_sample_trace_case(j->dir, &go, &diag) != SHN_OK ||
            read_source(j->dir, j->source, sizeof j->source))
            return -1;
        printf("  generate: %.1f s\n", now() - t0);
        mb = in_child(do_import, j, "import");
        if (mb < 0)
            return -1;
        printf("  import peak memory: %.0f MB\n", mb);
    }
    mb = in_child(do_run, j, "haircut");
    if (mb < 0)
        return -1;
    printf("  haircut peak memory (graph loaded + state): %.0f MB\n", mb);
    return 0;
}

#ifdef SHN_HAVE_IGRAPH
/* Reachability from the source with igraph over the same graph (BFS over
 * out-edges, ignoring time): build time excluded. */
static double igraph_reach(const char *graph, const char *source, long *reached)
{
    struct shn_trace_graph *g = NULL;
    struct shn_diag diag = {0};
    igraph_vector_int_t edges, res;
    igraph_t ig;
    uint32_t src;
    uint64_t n;
    double t0, t;

    if (shn_trace_graph_open_ex(graph, SHN_TRACE_OPEN_LOAD, &g, &diag) != SHN_OK ||
        shn_trace_graph_find(g, source, &src))
        return -1;
    n = shn_trace_graph_transfers(g);
    igraph_vector_int_init(&edges, (igraph_integer_t)(2 * n));
    for (uint64_t i = 0; i < n; i++) {
        struct shn_trace_transfer tr;
        shn_trace_graph_transfer(g, i, &tr);
        VECTOR(edges)[2 * i] = tr.from;
        VECTOR(edges)[2 * i + 1] = tr.to;
    }
    igraph_create(&ig, &edges, shn_trace_graph_addresses(g), IGRAPH_DIRECTED);
    igraph_vector_int_init(&res, 0);
    t0 = now();
    igraph_subcomponent(&ig, &res, src, IGRAPH_OUT);
    t = now() - t0;
    *reached = (long)igraph_vector_int_size(&res);
    igraph_vector_int_destroy(&res);
    igraph_destroy(&ig);
    igraph_vector_int_destroy(&edges);
    shn_trace_graph_close(g);
    return t;
}
#endif

int main(int argc, char **argv)
{
    struct job big = {.runs = 3}, slice = {.runs = 5};
    unsigned long long n = 2000000;
    const char *dir = "bench-trace-data";
    int baselines = 1, reuse = 0;
    char cmd[4096], line[512], ours_exits[64] = "";
    double ours = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--big") == 0)
            n = 100000000;
        else if (strcmp(argv[i], "--transfers") == 0 && i + 1 < argc)
            n = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "--no-baselines") == 0)
            baselines = 0;
        else if (strcmp(argv[i], "--reuse") == 0)
            reuse = 1;
        else {
            fprintf(stderr,
                    "usage: bench_trace [--transfers N | --big] [--dir DIR] [--no-baselines] "
                    "[--reuse]\n");
            return 2;
        }
    }
    shn_log_set_level(SHN_LOG_WARN);
    mkdir(dir, 0777);
    snprintf(big.dir, sizeof big.dir, "%s/case", dir);
    snprintf(big.graph, sizeof big.graph, "%s/case.graph", dir);
    if (case_run(&big, n, "case", reuse))
        return 1;
    if (!baselines)
        return 0;
    snprintf(slice.dir, sizeof slice.dir, "%s/slice", dir);
    snprintf(slice.graph, sizeof slice.graph, "%s/slice.graph", dir);
    if (case_run(&slice, 1000000, "1M slice", reuse))
        return 1;
    {
        FILE *f = fopen("/dev/shm/bench_trace_run", "r");
        if (!f || fscanf(f, "%lf %63s", &ours, ours_exits) != 2) {
            if (f)
                fclose(f);
            return 1;
        }
        fclose(f);
        remove("/dev/shm/bench_trace_run");
    }
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/networkx_haircut.py %s/transfers.csv %s/labels.csv %s",
             SHN_BENCH_DIR, slice.dir, slice.dir, slice.source);
    {
        FILE *p = popen(cmd, "r");
        double secs = 0;
        char *s;
        if (!p || !fgets(line, sizeof line, p)) {
            fprintf(stderr, "bench_trace: networkx baseline failed\n");
            if (p)
                pclose(p);
            return 1;
        }
        pclose(p);
        s = strstr(line, "\"seconds\": ");
        if (s)
            secs = strtod(s + 11, NULL);
        s = strstr(line, "\"exits_tainted\": \"");
        printf(
            "networkx haircut (1M slice): %.2f s; ours %.4f s; ratio %.0fx; exits %s (ours %s)\n",
            secs, ours, secs / ours, s ? "match check below" : "?", ours_exits);
        printf("  networkx result: %s", line);
        if (s && strncmp(s + 18, ours_exits, strlen(ours_exits)) == 0 &&
            s[18 + strlen(ours_exits)] == '"')
            printf("  tainted at exits: identical\n");
        else
            printf("  tainted at exits: DIFFERENT\n");
    }
#ifdef SHN_HAVE_IGRAPH
    {
        long reached = 0;
        double t = igraph_reach(slice.graph, slice.source, &reached);
        printf("igraph reachability (1M slice, BFS, no amounts or time): %.4f s, %ld reached; "
               "haircut/BFS time ratio %.2f\n",
               t, reached, ours / t);
    }
#endif
    return 0;
}
