/* bench_image: the figures issue 3 asks for.
 *
 *  1. Hashing throughput on ~1000-pixel JPEGs (the reference's workload: the
 *     12 bridge-mods files x 20), decode and hash timed separately, in the
 *     fast (DCT-scaled) and exact (full-size) modes, on one and two threads.
 *     Files are read into memory first: disk time is not decoding time.
 *  2. The index: build time and peak memory for N random hashes with planted
 *     near-duplicates (1M by default, --10m for 10M), written to a real index
 *     file, then reopened; queries/s at d=31 and d=16 through the
 *     multi-index tables and through the brute-force scan in the same run,
 *     on two threads, with the ratio and a check that the results agree.
 *
 * usage: bench_image [--10m] [--hashes N] [--skip-hashing] [--dir TMPDIR] */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image_internal.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

#define THREADS 2
#define REF_MS_PER_IMAGE 8.0 /* reference tool, in-process libjpeg, same workload */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Resident memory now (VmRSS), in MB; 0 when /proc is not there. */
static double rss_now_mb(void)
{
    char line[256];
    double kb = 0;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtod(line + 6, NULL);
    fclose(f);
    return kb / 1024.0;
}

static double peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* KiB on Linux */
}

/* ---------------------------------------------------------------- hashing */

struct blob {
    char *data;
    size_t len;
};

static struct blob files[16];
static int nfiles;

struct hash_work {
    int exact, reps, first, step;
    double decode_s, hash_s;
    int images, failures;
};

static void *hash_worker(void *arg)
{
    struct hash_work *w = arg;
    for (int rep = 0; rep < w->reps; rep++) {
        for (int i = w->first; i < nfiles; i += w->step) {
            struct shn_image img = {0};
            struct shn_image_hash h;
            double t0 = now();
            if (shn_image_decode(files[i].data, files[i].len, NULL,
                                 w->exact ? 0 : SHN__IMAGE_FAST_SIDE, "bench", &img,
                                 NULL) != SHN_OK) {
                w->failures++;
                continue;
            }
            double t1 = now();
            if (shn__image_hash_decoded(&img, &h) != SHN_OK)
                w->failures++;
            double t2 = now();
            shn_image_cleanup(&img);
            w->decode_s += t1 - t0;
            w->hash_s += t2 - t1;
            w->images++;
        }
    }
    return NULL;
}

static void bench_hashing(void)
{
    static const char *names[] = {
        "aaa-orig.jpg",        "blur-a-little.jpg",    "blur-a-lot.jpg",     "high-contrast.jpg",
        "high-saturation.jpg", "sharpen-a-little.jpg", "sharpen-a-lot.jpg",  "shrink-a-little.jpg",
        "shrink-a-lot.jpg",    "square-128x128.jpg",   "square-256x256.jpg", "square-512x512.jpg"};
    const int reps = 20;

    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/pdq/images/bridge-mods/%s", SHN_SHARED_DATA, names[i]);
        if (shn_file_read(path, 16u << 20, &files[nfiles].data, &files[nfiles].len, NULL) == SHN_OK)
            nfiles++;
    }
    if (nfiles == 0) {
        printf("hashing: SKIP (%s/pdq not found)\n\n", SHN_SHARED_DATA);
        return;
    }
    printf("hashing: %d bridge-mods JPEGs x %d = %d images (7 at 1600x1004, the rest smaller)\n",
           nfiles, reps, nfiles * reps);
    printf("  reference C++ tool, in-process libjpeg, one core: %.1f ms/image, %.0f images/s\n",
           REF_MS_PER_IMAGE, 1000.0 / REF_MS_PER_IMAGE);
    for (int exact = 1; exact >= 0; exact--) {
        /* one thread: the per-image split */
        struct hash_work one = {exact, reps, 0, 1, 0, 0, 0, 0};
        double t0 = now();
        hash_worker(&one);
        double wall1 = now() - t0;
        /* two threads: throughput */
        struct hash_work w[THREADS];
        pthread_t th[THREADS];
        t0 = now();
        for (int i = 0; i < THREADS; i++) {
            w[i] = (struct hash_work){exact, reps, i, THREADS, 0, 0, 0, 0};
            pthread_create(&th[i], NULL, hash_worker, &w[i]);
        }
        int images2 = 0;
        for (int i = 0; i < THREADS; i++) {
            pthread_join(th[i], NULL);
            images2 += w[i].images;
        }
        double wall2 = now() - t0;
        double per = wall1 * 1000.0 / one.images;
        printf("  %-6s decode %.2f ms + hash %.2f ms = %.2f ms/image; 1 thread %.0f images/s "
               "(%.1fx reference), %d threads %.0f images/s%s\n",
               exact ? "exact" : "fast", one.decode_s * 1000.0 / one.images,
               one.hash_s * 1000.0 / one.images, per, one.images / wall1, REF_MS_PER_IMAGE / per,
               THREADS, images2 / wall2, one.failures ? " (FAILURES)" : "");
    }
    for (int i = 0; i < nfiles; i++)
        shn_free(files[i].data);
    printf("  peak RSS so far %.0f MB\n\n", peak_rss_mb());
}

/* ---------------------------------------------------------------- index */

static uint64_t rng_state = 0x2545F4914F6CDD1Du;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void random_hash(struct shn_pdq *h)
{
    for (int i = 0; i < SHN_PDQ_BYTES; i += 8) {
        uint64_t v = rng();
        memcpy(h->bytes + i, &v, 8);
    }
}

static void near_copy(struct shn_pdq *h, const struct shn_pdq *from, int bits)
{
    *h = *from;
    for (int k = 0; k < bits; k++) {
        int b = (int)(rng() % 256);
        h->bytes[b / 8] ^= (uint8_t)(1u << (b % 8));
    }
}

struct query_work {
    const struct shn_image_index *idx;
    const struct shn_pdq *queries;
    int first, count, step, distance;
    unsigned flags;
    size_t matches;
    size_t *per_query; /* matches of each query, or NULL */
};

static void *query_worker(void *arg)
{
    struct query_work *w = arg;
    struct shn_image_match buf[256];
    for (int i = w->first; i < w->count; i += w->step) {
        size_t found = 0;
        shn_image_index_query_into(w->idx, &w->queries[i], w->distance, w->flags, buf, 256, &found);
        w->matches += found;
        if (w->per_query)
            w->per_query[i] = found;
    }
    return NULL;
}

/* Queries/s on THREADS threads; per_query gets each query's match count. */
static double run_queries(const struct shn_image_index *idx, const struct shn_pdq *q, int count,
                          int distance, unsigned flags, size_t *per_query, size_t *matches)
{
    struct query_work w[THREADS];
    pthread_t th[THREADS];
    double t0 = now();
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct query_work){idx, q, i, count, THREADS, distance, flags, 0, per_query};
        pthread_create(&th[i], NULL, query_worker, &w[i]);
    }
    *matches = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        *matches += w[i].matches;
    }
    return count / (now() - t0);
}

static int bench_index(size_t n, const char *dir)
{
    enum { BATCH = 10000, QUERIES = 20000, PLANTED = 10000 };
    char path[512];
    struct shn_image_index *idx = NULL;
    struct shn_image_record *recs = shn_calloc(BATCH, sizeof *recs);
    char(*owners)[24] = shn_calloc(BATCH, sizeof *owners);
    struct shn_pdq *queries = shn_calloc(QUERIES, sizeof *queries);
    size_t *mih_counts = shn_calloc(QUERIES, sizeof *mih_counts);
    size_t *bf_counts = shn_calloc(QUERIES, sizeof *bf_counts);
    struct shn_diag d = {0};
    int rc = 1;

    if (!recs || !owners || !queries || !mih_counts || !bf_counts)
        goto out;
    snprintf(path, sizeof path, "%s/bench-image-%ld.idx", dir, (long)getpid());
    unlink(path);
    /* Half the queries have planted near-duplicates in the index (1 to 3
     * copies at 0..30 bits); half are fresh random hashes. */
    for (int i = 0; i < QUERIES; i++)
        random_hash(&queries[i]);
    printf("index: %zu random hashes, %d of them planted near-duplicates of %d queries\n", n,
           PLANTED * 2, PLANTED);
    double rss0 = peak_rss_mb();
    double t0 = now();
    if (shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, &d) != SHN_OK) {
        fprintf(stderr, "bench: %s\n", d.message);
        goto out;
    }
    size_t planted = 0;
    for (size_t done = 0; done < n;) {
        size_t k = 0;
        for (; k < BATCH && done + k < n; k++) {
            size_t r = done + k;
            /* spread the planted copies through the build */
            if (planted < (size_t)PLANTED * 2 && r % (n / (PLANTED * 2) + 1) == 0) {
                near_copy(&recs[k].pdq, &queries[planted % PLANTED], (int)(rng() % 31));
                planted++;
            } else {
                random_hash(&recs[k].pdq);
            }
            snprintf(owners[k], sizeof owners[k], "acct-%zu",
                     (r / 3) % 100000000); /* 3 hashes an owner */
            recs[k].owner = owners[k];
            recs[k].quality = 100;
            recs[k].time = 1700000000 + (int64_t)r;
        }
        if (shn_image_index_add(idx, recs, k, &d) != SHN_OK) {
            fprintf(stderr, "bench: add: %s\n", d.message);
            goto out;
        }
        done += k;
    }
    shn_image_index_sync(idx, NULL);
    double build = now() - t0;
    struct shn_image_index_stats s;
    shn_image_index_stats(idx, &s);
    printf("  build (add in batches of %d, file written and fsynced): %.1f s, %.0f hashes/s; "
           "file %.0f MB; peak RSS %.0f MB (+%.0f MB)\n",
           BATCH, build, n / build, s.file_bytes / 1e6, peak_rss_mb(), peak_rss_mb() - rss0);
    /* a single add on the full index: matchable at once */
    struct shn_image_record one = recs[0];
    random_hash(&one.pdq);
    one.owner = "acct-new";
    double ta = now();
    shn_image_index_add(idx, &one, 1, NULL);
    size_t found = 0;
    shn_image_index_query_into(idx, &one.pdq, 0, 0, NULL, 0, &found);
    printf("  one more add then query: %.1f us, found %zu\n", (now() - ta) * 1e6, found);
    shn_image_index_close(idx);
    idx = NULL;

    t0 = now();
    if (shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, &d) != SHN_OK) {
        fprintf(stderr, "bench: reopen: %s\n", d.message);
        goto out;
    }
    printf("  reopen (load and replay the file): %.1f s; RSS now %.0f MB (%.0f bytes a hash), "
           "peak RSS %.0f MB\n",
           now() - t0, rss_now_mb(), rss_now_mb() * 1048576.0 / (double)n, peak_rss_mb());

    for (int distance = 31; distance >= 16; distance -= 15) {
        size_t mm = 0, bm = 0;
        int nbf = n >= 5000000 ? 100 : 400; /* the scan is slow: fewer queries */
        double mih = run_queries(idx, queries, QUERIES, distance, 0, mih_counts, &mm);
        double bf =
            run_queries(idx, queries, nbf, distance, SHN_IMAGE_QUERY_BRUTE_FORCE, bf_counts, &bm);
        int agree = 1;
        for (int i = 0; i < nbf; i++)
            agree &= mih_counts[i] == bf_counts[i];
        /* and record by record on a few */
        for (int i = 0; i < 20 && agree; i++) {
            struct shn_image_match *a = NULL, *b = NULL;
            size_t na = 0, nb = 0;
            shn_image_index_query(idx, &queries[i], distance, 0, &a, &na);
            shn_image_index_query(idx, &queries[i], distance, SHN_IMAGE_QUERY_BRUTE_FORCE, &b, &nb);
            agree &= na == nb;
            for (size_t k = 0; agree && k < na; k++)
                agree &= a[k].record == b[k].record && a[k].distance == b[k].distance;
            shn_free(a);
            shn_free(b);
        }
        printf("  d=%d: index %.0f queries/s (%d queries, %zu matches), brute force %.0f "
               "queries/s (%d queries), ratio %.0fx, results %s\n",
               distance, mih, QUERIES, mm, bf, nbf, mih / bf, agree ? "identical" : "DIFFER");
        if (!agree)
            goto out;
    }
    printf("  peak RSS %.0f MB\n\n", peak_rss_mb());
    rc = 0;
out:
    shn_image_index_close(idx);
    unlink(path);
    shn_free(recs);
    shn_free(owners);
    shn_free(queries);
    shn_free(mih_counts);
    shn_free(bf_counts);
    return rc;
}

int main(int argc, char **argv)
{
    size_t n = 1000000;
    int hashing = 1;
    const char *dir = "/tmp";

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--10m") == 0) {
            n = 10000000;
        } else if (strcmp(argv[i], "--hashes") == 0 && i + 1 < argc) {
            n = (size_t)strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--skip-hashing") == 0) {
            hashing = 0;
        } else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
            dir = argv[++i];
        } else {
            fprintf(stderr, "usage: bench_image [--10m] [--hashes N] [--skip-hashing] [--dir D]\n");
            return 2;
        }
    }
    if (n < 100000) {
        fprintf(stderr, "bench_image: --hashes must be at least 100000\n");
        return 2;
    }
    if (hashing)
        bench_hashing();
    return bench_index(n, dir);
}
