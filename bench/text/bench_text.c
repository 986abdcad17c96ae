/* bench_text: the text engine's throughput on profile-sized texts (300 to
 * 2,000 characters), its model load time and peak memory (issue 7; target
 * at least 2 MB/s per core). One thread: the figure is per core.
 *
 *   bench_text [SECONDS]
 *
 * Texts are cut from the held-back natural sentences the build wrote (or,
 * without them, from a few built-in sentences), one in ten made unnatural
 * so that the finding paths are timed too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/buf.h"
#include "shinsa/core/file.h"
#include "shinsa/core/utf8.h"
#include "shinsa/text.h"

#define N_TEXTS 1000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of this process: the per-core figure, whatever else the
 * machine is running (the wall-clock figure is printed beside it). */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const fallback[] = {
    "五年間、受託開発の会社でウェブアプリケーションの設計と実装を担当してきました。",
    "納期を守ることと、丁寧なコミュニケーションを心がけています。",
    "設定ファイルを変更した後は、サービスを再起動してください。",
    "週末は家でのんびり映画を見て過ごしました。",
};

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? strtod(argv[1], NULL) : 3.0;
    char path[1024];
    char *corpus = NULL;
    size_t corpus_len = 0;
    struct shn_buf texts[N_TEXTS];
    struct shn_diag d = {0};
    struct shn_text_engine *eng = NULL;
    size_t total_bytes = 0, total_chars = 0;
    unsigned seed = 7;

    if (seconds <= 0)
        seconds = 3.0;
    /* model load: open and close a few times, report the mean */
    double t0 = now(), first_ms = 0;
    int opens = 5;
    for (int i = 0; i < opens; i++) {
        struct shn_text_engine *e = NULL;
        if (shn_text_engine_open(NULL, &e, &d) != SHN_OK) {
            fprintf(stderr, "bench_text: %s\n", d.message);
            return 1;
        }
        shn_text_engine_free(e);
        if (i == 0)
            first_ms = (now() - t0) * 1000.0;
    }
    double load_ms = (now() - t0) * 1000.0 / opens;
    if (shn_text_engine_open(NULL, &eng, &d) != SHN_OK)
        return 1;

    snprintf(path, sizeof path, "%s/text/heldout.txt", SHN_BUILD_DIR);
    if (shn_file_read(path, 64u << 20, &corpus, &corpus_len, NULL) != SHN_OK || !corpus_len) {
        shn_free(corpus);
        corpus = NULL;
    }
    /* texts of 300-2,000 characters from consecutive sentences */
    const char *p = corpus;
    size_t fb = 0;
    for (int i = 0; i < N_TEXTS; i++) {
        size_t want = 300 + (size_t)(rand_r(&seed) % 1701), chars = 0;
        shn_buf_init(&texts[i], 1u << 20);
        while (chars < want) {
            const char *s;
            size_t l;
            if (corpus) {
                if (p >= corpus + corpus_len)
                    p = corpus;
                const char *nl = memchr(p, '\n', (size_t)(corpus + corpus_len - p));
                l = nl ? (size_t)(nl - p) : (size_t)(corpus + corpus_len - p);
                s = p;
                p = nl ? nl + 1 : corpus + corpus_len;
            } else {
                s = fallback[fb++ % 4];
                l = strlen(s);
            }
            shn_buf_append(&texts[i], s, l);
            chars += shn_utf8_length(s, l);
        }
        if (i % 10 == 0)
            shn_buf_append_str(&texts[i], "私は 日本に行くです。这是안녕ｺﾝﾆﾁﾊ, 私の名前は");
        total_bytes += texts[i].len;
        total_chars += shn_utf8_length(texts[i].data, texts[i].len);
    }

    /* throughput: rounds over the texts until `seconds` have passed */
    size_t done = 0, bytes = 0, findings = 0;
    t0 = now();
    double c0 = cpu_now();
    double elapsed = 0;
    while (elapsed < seconds) {
        for (int i = 0; i < N_TEXTS; i++) {
            struct shn_text_result r;
            if (shn_text_check(eng, texts[i].data, texts[i].len, &r) != SHN_OK)
                return 1;
            findings += r.total_findings;
            shn_text_result_cleanup(&r);
            done++;
            bytes += texts[i].len;
        }
        elapsed = now() - t0;
    }
    double cpu = cpu_now() - c0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double mbps = (double)bytes / cpu / 1e6;
    printf("bench_text: %d texts of 300-2,000 characters (mean %zu characters, %zu bytes), "
           "from %s\n",
           N_TEXTS, total_chars / N_TEXTS, total_bytes / N_TEXTS,
           corpus ? "the held-out natural sentences" : "built-in sentences");
    printf("  texts/s           %.0f per CPU second (%.0f per wall second)\n", (double)done / cpu,
           (double)done / elapsed);
    printf("  MB/s per core     %.2f   (target >= 2.00: %s; %.2f per wall second)\n", mbps,
           mbps >= 2.0 ? "met" : "NOT met", (double)bytes / elapsed / 1e6);
    printf("  findings/text     %.2f\n", (double)findings / (double)done);
    printf("  model load        %.1f ms first, %.1f ms mean of %d (MeCab dictionary + model)\n",
           first_ms, load_ms, opens);
    printf("  peak memory       %.1f MB resident\n", (double)ru.ru_maxrss / 1024.0);
    for (int i = 0; i < N_TEXTS; i++)
        shn_buf_cleanup(&texts[i]);
    shn_free(corpus);
    shn_text_engine_free(eng);
    return 0;
}
