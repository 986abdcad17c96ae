/* The seeds of the binary formats' fuzz targets, written at build time by
 * the current writers so that they never lag behind a format change (issue
 * 12 F18: the screen index seeds were all of format version 5 while the
 * build wrote 6, so every mutation was refused at the header).
 *
 *   make_seeds generate SRC OUT   screen indexes, LINKDBs and trace graphs
 *                                 from the repository's fixtures into
 *                                 OUT/<target>/ (text models are trained by
 *                                 CMake with shinsa-text-train)
 *   make_seeds check SRC OUT      every seed of those targets, generated
 *                                 (OUT/<target>) or committed
 *                                 (SRC/fuzz/corpus/<target>), passes the
 *                                 header once resealed as the target does;
 *                                 generated ones must open whole
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"
#include "shinsa/core/log.h"
#include "shinsa/core/section.h"
#include "shinsa/link.h"
#include "shinsa/screen.h"
#include "shinsa/text.h"
#include "shinsa/trace.h"

/* The text model's magic (text_internal.h, which this file may not see:
 * it uses public interfaces only, as the check is about what readers
 * accept). */
#define TEXT_MODEL_MAGIC "SHNTXTM1"

static int failures;

static void fail(const char *what, const char *path, const struct shn_diag *d)
{
    char msg[512] = "";
    if (d && d->message[0])
        shn_diag_format(d, msg, sizeof msg);
    fprintf(stderr, "make_seeds: %s %s: %s\n", what, path, msg);
    failures++;
}

static void join(char *out, size_t size, const char *a, const char *b)
{
    if ((size_t)snprintf(out, size, "%s/%s", a, b) >= size) {
        fprintf(stderr, "make_seeds: path too long: %s/%s\n", a, b);
        exit(1);
    }
}

/* ---- generate --------------------------------------------------------------- */

static void screen_seed(const char *src, const char *out, const char *name, const char *kind,
                        const char *input)
{
    struct shn_listset *set = NULL;
    struct shn_diag d = {0};
    char in[4096], path[4096];
    int rc = shn_screen_listset_new(&set);

    join(in, sizeof in, src, input);
    join(path, sizeof path, out, name);
    if (rc == SHN_OK && strcmp(kind, "custom") == 0)
        rc = shn_screen_load_custom(set, in, &d);
    else if (rc == SHN_OK && strcmp(kind, "ofac") == 0)
        rc = shn_screen_load_ofac_csv(set, in, &d);
    else if (rc == SHN_OK && strcmp(kind, "un") == 0)
        rc = shn_screen_load_un_xml(set, in, &d);
    else if (rc == SHN_OK && strcmp(kind, "crypto") == 0)
        rc = shn_screen_load_crypto_dir(set, in, &d);
    if (rc == SHN_OK)
        rc = shn_screen_index_build(set, path, &d);
    if (rc != SHN_OK)
        fail("cannot write", path, &d);
    shn_screen_listset_free(set);
}

static void link_seed(const char *src, const char *out, const char *name, const char *events,
                      const char *personas)
{
    struct shn_link_options opt;
    struct shn_link *l = NULL;
    struct shn_diag d = {0};
    char in[4096], path[4096];
    const char *files[2] = {events, personas};
    int rc;

    shn_link_options_default(&opt);
    rc = shn_link_new(&opt, &l);
    for (int k = 0; k < 2 && rc == SHN_OK; k++) {
        struct shn_link_load_stats st = {0};
        char *data = NULL;
        size_t len = 0;
        if (!files[k])
            continue;
        join(in, sizeof in, src, files[k]);
        rc = shn_file_read(in, 1 << 20, &data, &len, &d);
        if (rc == SHN_OK && k == 0)
            rc = shn_link_load_events(l, data, len, in, NULL, NULL, &st);
        else if (rc == SHN_OK)
            rc = shn_link_load_personas(l, data, len, in, NULL, NULL, &st);
        shn_free(data);
    }
    join(path, sizeof path, out, name);
    if (rc == SHN_OK)
        rc = shn_link_save(l, path, &d);
    if (rc != SHN_OK)
        fail("cannot write", path, &d);
    shn_link_free(l);
}

static void trace_seed(const char *src, const char *out, const char *name, const char *csv,
                       const char *labels)
{
    struct shn_trace_builder *b = NULL;
    struct shn_diag d = {0};
    char in[4096], path[4096];
    int rc = shn_trace_builder_new(&b);

    join(in, sizeof in, src, csv);
    if (rc == SHN_OK)
        rc = shn_trace_builder_add_file(b, in, 1 << 20, false, &d);
    if (rc == SHN_OK && labels) {
        char *data = NULL;
        size_t len = 0;
        join(in, sizeof in, src, labels);
        rc = shn_file_read(in, 1 << 20, &data, &len, &d);
        if (rc == SHN_OK)
            rc = shn_trace_builder_add_labels_csv(b, data, len, in, false, &d);
        shn_free(data);
    }
    join(path, sizeof path, out, name);
    if (rc == SHN_OK)
        rc = shn_trace_builder_write(b, path, &d);
    if (rc != SHN_OK)
        fail("cannot write", path, &d);
    shn_trace_builder_free(b);
}

static void make_dir(const char *out, const char *target, char *path, size_t size)
{
    join(path, size, out, target);
    mkdir(out, 0755);
    mkdir(path, 0755);
}

static void generate(const char *src, const char *out)
{
    static const char *const trace_csvs[] = {"address_forms.csv", "etl_tokens.csv", "etl_tx.csv",
                                             "generic.csv", "sums_near_2_128.csv"};
    char dir[4096];

    make_dir(out, "fuzz_screen_index", dir, sizeof dir);
    screen_seed(src, dir, "demo", "custom", "data/demo/demo-list.jsonl");
    screen_seed(src, dir, "custom", "custom", "tests/data/screen/custom/blocklist.jsonl");
    screen_seed(src, dir, "ofac", "ofac", "tests/data/screen/loaders/ofac");
    screen_seed(src, dir, "un", "un", "tests/data/screen/loaders/un/un_small.xml");
    screen_seed(src, dir, "crypto", "crypto", "tests/data/screen/loaders/crypto");
    screen_seed(src, dir, "empty", "custom", "tests/data/screen/custom/empty.jsonl");

    make_dir(out, "fuzz_link_db", dir, sizeof dir);
    link_seed(src, dir, "demo", "data/demo/link-events.jsonl", "data/demo/link-personas.jsonl");
    link_seed(src, dir, "events", "data/demo/link-events.jsonl", NULL);
    link_seed(src, dir, "empty", NULL, NULL);

    make_dir(out, "fuzz_trace_graph", dir, sizeof dir);
    trace_seed(src, dir, "example", "tests/data/trace/example.csv", "tests/data/trace/labels.csv");
    for (size_t i = 0; i < sizeof trace_csvs / sizeof trace_csvs[0]; i++) {
        char csv[256];
        snprintf(csv, sizeof csv, "fuzz/corpus/fuzz_trace_csv/%s", trace_csvs[i]);
        trace_seed(src, dir, trace_csvs[i], csv, NULL);
    }
}

/* ---- check ------------------------------------------------------------------ */

enum target { SCREEN, LINK, TRACE, TEXT, N_TARGETS };
static const char *const target_names[N_TARGETS] = {"fuzz_screen_index", "fuzz_link_db",
                                                    "fuzz_trace_graph", "fuzz_text"};

/* Opens resealed bytes with the target's reader: SHN_OK, or the error. The
 * screen index and the text model are opened from a file, as their public
 * readers take a path (`scratch`). */
static int open_as(enum target t, unsigned char *data, size_t len, const char *scratch,
                   struct shn_diag *d)
{
    int rc;

    shn_section_reseal(data, len);
    if (t == LINK) {
        struct shn_link *l = NULL;
        rc = shn_link_open_memory(data, len, &l, d);
        shn_link_free(l);
        return rc;
    }
    if (t == TRACE) {
        struct shn_trace_graph *g = NULL;
        rc = shn_trace_graph_open_mem(data, len, &g, d);
        shn_trace_graph_close(g);
        return rc;
    }
    rc = shn_file_write_atomic(scratch, data, len, d);
    if (rc == SHN_OK && t == SCREEN) {
        struct shn_screen_index *idx = NULL;
        rc = shn_screen_index_open(scratch, &idx, d);
        shn_screen_index_close(idx);
    } else if (rc == SHN_OK) {
        struct shn_text_options o = {.model_path = scratch};
        struct shn_text_engine *e = NULL;
        rc = shn_text_engine_open(&o, &e, d);
        shn_text_engine_free(e);
    }
    remove(scratch);
    return rc;
}

/* Every seed of `dir` must pass the header (a damaged body is what fuzzing
 * is for); `whole` seeds must open. Text seeds that are not models (the
 * target reads them as text) are skipped. Returns the count checked. */
static int check_dir(enum target t, const char *dir, const char *scratch, bool whole)
{
    struct dirent *de;
    DIR *d = opendir(dir);
    int n = 0;

    if (!d)
        return 0;
    while ((de = readdir(d)) != NULL) {
        char path[4096];
        char *data = NULL;
        size_t len = 0;
        struct shn_diag diag = {0};
        int rc;
        if (de->d_name[0] == '.')
            continue;
        join(path, sizeof path, dir, de->d_name);
        if (shn_file_read(path, 1 << 26, &data, &len, &diag) != SHN_OK) {
            fail("cannot read", path, &diag);
            continue;
        }
        if (t == TEXT && (len < 8 || memcmp(data, TEXT_MODEL_MAGIC, 8) != 0)) {
            shn_free(data);
            continue;
        }
        rc = open_as(t, (unsigned char *)data, len, scratch, &diag);
        if (rc == SHN_ERR_FORMAT || (whole && rc != SHN_OK))
            fail(rc == SHN_ERR_FORMAT ? "refused at the header:" : "does not open:", path, &diag);
        else
            n++;
        shn_free(data);
    }
    closedir(d);
    return n;
}

static void check(const char *src, const char *out)
{
    char scratch[4096];

    join(scratch, sizeof scratch, out, "check.tmp");
    for (int t = 0; t < N_TARGETS; t++) {
        char gen[4096], committed[4096];
        int n;
        join(gen, sizeof gen, out, target_names[t]);
        snprintf(committed, sizeof committed, "%s/fuzz/corpus/%s", src, target_names[t]);
        n = check_dir((enum target)t, gen, scratch, true);
        if (n == 0)
            fail("no generated seeds in", gen, NULL);
        n += check_dir((enum target)t, committed, scratch, false);
        printf("make_seeds: %s: %d seeds pass the header\n", target_names[t], n);
    }
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[1], "generate") != 0 && strcmp(argv[1], "check") != 0)) {
        fprintf(stderr, "usage: make_seeds generate|check SRC OUT\n");
        return 2;
    }
    shn_log_set_level(SHN_LOG_ERROR);
    if (strcmp(argv[1], "generate") == 0)
        generate(argv[2], argv[3]);
    else
        check(argv[2], argv[3]);
    return failures ? 1 : 0;
}
