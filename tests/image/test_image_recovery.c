/* Recovery of the index file (issue 12, F8 F9 F13 F15): a removal cut
 * short by a crash is completed by the next writer, a flipped bit anywhere
 * costs only the record it hits (and `repair` salvages every other one),
 * non-regular files are refused without blocking, new files are 0600, the
 * fuzz seeds pass the header. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image_tests.h"
#include "index_format.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

#define SEEDS SHN_TEST_DATA "/../../fuzz/corpus/fuzz_image_index"

static uint64_t seed = 0x243F6A8885A308D3u;

static uint64_t rnd(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
}

static struct shn_pdq rnd_hash(void)
{
    struct shn_pdq h;
    for (int i = 0; i < SHN_PDQ_BYTES; i += 8) {
        uint64_t v = rnd();
        memcpy(h.bytes + i, &v, 8);
    }
    return h;
}

static void path_in_tmp(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmp_dir, name);
    unlink(out);
}

static void read_all(const char *path, char **data, size_t *len)
{
    assert_int_equal(shn_file_read(path, 1 << 24, data, len, NULL), SHN_OK);
}

static void write_all(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static int contains(const char *data, size_t len, const void *needle, size_t n)
{
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(data + i, needle, n) == 0)
            return 1;
    return 0;
}

/* True when the file holds the 32 hash bytes followed by the owner id: an
 * ADD frame of that owner with that hash. */
static int holds(const char *path, const struct shn_pdq *h, const char *owner)
{
    char *data = NULL, needle[32 + SHN_IMAGE_OWNER_MAX];
    size_t len = 0, n = 32 + strlen(owner);
    int found;
    memcpy(needle, h->bytes, 32);
    memcpy(needle + 32, owner, strlen(owner));
    read_all(path, &data, &len);
    found = contains(data, len, needle, n);
    shn_free(data);
    return found;
}

static size_t matches(const struct shn_image_index *idx, const struct shn_pdq *q, int d)
{
    struct shn_image_match *m = NULL;
    size_t n = 0;
    assert_int_equal(shn_image_index_query(idx, q, d, 0, &m, &n), SHN_OK);
    shn_free(m);
    return n;
}

static void add(const char *path, const struct shn_pdq *h, const char *owner)
{
    struct shn_image_index *idx = NULL;
    struct shn_image_record r = {*h, 90, owner, 1700000000};
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    assert_int_equal(shn_image_index_add(idx, &r, 1, NULL), SHN_OK);
    assert_int_equal(shn_image_index_close(idx), SHN_OK);
}

static void stats_of(const char *path, struct shn_image_index_stats *s)
{
    struct shn_image_index *idx = NULL;
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, s);
    shn_image_index_close(idx);
}

/* F8: the state a kill -9 leaves between the removal record and the scrub,
 * made by hand: the REMOVE frame appended after the owner's ADD frames. */
void recovery_completes_a_removal_cut_short(void **state)
{
    char path[128];
    struct shn_pdq a = rnd_hash(), b = rnd_hash(), c = rnd_hash();
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats s;
    uint8_t frame[SHN__IMAGE_MAX_FRAME];
    size_t removed = 99;
    (void)state;
    path_in_tmp(path, sizeof path, "cut-short.idx");
    add(path, &a, "victim");
    add(path, &b, "victim");
    add(path, &c, "bystander");
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    size_t n = shn__image_encode_remove(frame, "victim", 6, 1700000001);
    assert_int_equal(fwrite(frame, 1, n, f), n);
    fclose(f);
    /* Readers already see the removal; the hashes are still in the file. */
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 1);
    assert_int_equal(s.unscrubbed, 2);
    assert_int_equal(matches(idx, &a, 0), 0);
    shn_image_index_close(idx);
    assert_true(holds(path, &a, "victim") && holds(path, &b, "victim"));
    /* The next writer completes it; a second remove has nothing to do. */
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.unscrubbed, 0);
    assert_int_equal(s.removed, 2);
    assert_int_equal(shn_image_index_remove(idx, "victim", &removed, NULL), SHN_OK);
    assert_int_equal(removed, 0);
    shn_image_index_close(idx);
    assert_false(holds(path, &a, "victim"));
    assert_false(holds(path, &b, "victim"));
    assert_true(holds(path, &c, "bystander"));
    stats_of(path, &s);
    assert_int_equal(s.hashes, 1);
    assert_int_equal(s.removed, 2);
    assert_int_equal(s.damaged_records, 0);
    assert_int_equal(s.records, 4); /* 3 ADD frames (2 now scrubbed) and the REMOVE */

    /* A scrub torn by a power cut: the SCRUBBED frame's first bytes on the
     * ADD frame, the rest of it not. */
    char *data = NULL;
    size_t len = 0;
    unlink(path);
    add(path, &a, "torn-owner");
    add(path, &c, "bystander");
    read_all(path, &data, &len);
    n = shn__image_encode_remove(frame, "torn-owner", 10, 1700000001);
    char *crash = shn_malloc(len + n);
    memcpy(crash, data, len);
    memcpy(crash + len, frame, n);
    shn__image_encode_scrubbed(frame, SHN__IMAGE_ADD_FIXED + 10);
    memcpy(crash + 32, frame, 8 + 20); /* header and 20 payload bytes */
    write_all(path, crash, len + n);
    shn_free(data);
    stats_of(path, &s);
    assert_int_equal(s.unscrubbed, 1);
    assert_int_equal(s.damaged_records, 1);
    assert_false(holds(path, &a, "torn-owner")); /* its start is cut... */
    read_all(path, &data, &len);
    assert_true(contains(data, len, a.bytes + 20, 12)); /* ...its tail is still there */
    shn_free(data);
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    shn_image_index_close(idx);
    stats_of(path, &s);
    assert_int_equal(s.damaged_records, 0);
    assert_int_equal(s.unscrubbed, 0);
    assert_int_equal(s.hashes, 1);
    read_all(path, &data, &len);
    assert_false(contains(data, len, a.bytes + 20, 12)); /* gone now */
    shn_free(data);

    /* A damaged ADD frame (a flipped bit in its time) of an owner that is
     * removed afterwards: its hash is scrubbed with the live ones. */
    unlink(path);
    add(path, &a, "flipped");
    add(path, &b, "flipped");
    read_all(path, &data, &len);
    memcpy(crash, data, len);
    crash[32 + 8 + 5] ^= 4;
    write_all(path, crash, len);
    shn_free(data);
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 1);
    assert_int_equal(s.damaged_records, 1);
    assert_int_equal(shn_image_index_remove(idx, "flipped", &removed, NULL), SHN_OK);
    assert_int_equal(removed, 1);
    shn_image_index_close(idx);
    assert_false(holds(path, &a, "flipped"));
    assert_false(holds(path, &b, "flipped"));
    shn_free(crash);
    unlink(path);
}

/* ---------------------------------------------------------------- bit flips */

struct frame_info {
    size_t offset, length;
    int add; /* a live ADD frame */
    struct shn_pdq hash;
    char owner[16];
};

/* A small index with every kind of frame: adds, a completed removal
 * (scrubbed frames and a REMOVE), an owner added again after it. */
static size_t build_small(const char *path, struct frame_info *fi, size_t cap)
{
    static const char *owners[] = {"ann", "bo", "cy", "bo", "dee", "bo", "ann", "eve"};
    struct shn_image_index *idx = NULL;
    struct shn__image_walk w;
    struct shn__image_span sp;
    char *data = NULL;
    size_t len = 0, n = 0, removed = 0;
    unlink(path);
    for (int i = 0; i < 8; i++) {
        struct shn_pdq h = rnd_hash();
        add(path, &h, owners[i]);
        if (i == 5) {
            assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
            assert_int_equal(shn_image_index_remove(idx, "bo", &removed, NULL), SHN_OK);
            assert_int_equal(removed, 3);
            shn_image_index_close(idx);
            add(path, &h, "bo"); /* back again */
        }
    }
    read_all(path, &data, &len);
    shn__image_walk_init(&w, (const uint8_t *)data, len);
    for (shn__image_walk_next(&w, &sp); sp.kind != SHN__IMAGE_SPAN_END;
         shn__image_walk_next(&w, &sp)) {
        assert_int_equal(sp.kind, SHN__IMAGE_SPAN_FRAME);
        assert_true(n < cap);
        memset(&fi[n], 0, sizeof fi[n]);
        fi[n].offset = sp.offset;
        fi[n].length = sp.length;
        fi[n].add = sp.payload[0] == SHN__IMAGE_TYPE_ADD;
        if (fi[n].add) {
            memcpy(fi[n].hash.bytes, sp.payload + 12, 32);
            memcpy(fi[n].owner, sp.payload + SHN__IMAGE_ADD_FIXED, sp.payload[2]);
        }
        n++;
    }
    shn_free(data);
    return n;
}

/* Every live record whose frame holds none of the flipped bytes is in the
 * repaired file, and the matches are those of an index of exactly them. */
static void check_repaired(const char *path, const struct frame_info *fi, size_t nf,
                           const size_t *flipped, int nflipped)
{
    struct shn_image_index *idx = NULL, *ref = NULL;
    struct shn_image_index_stats s;
    size_t expect = 0;
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_OK);
    assert_int_equal(shn_image_index_new_memory(&ref), SHN_OK);
    for (size_t k = 0; k < nf; k++) {
        int hit = 0;
        for (int j = 0; j < nflipped; j++)
            hit |= flipped[j] >= fi[k].offset && flipped[j] < fi[k].offset + fi[k].length;
        if (!fi[k].add || hit)
            continue;
        struct shn_image_record r = {fi[k].hash, 90, fi[k].owner, 1700000000};
        assert_int_equal(shn_image_index_add(ref, &r, 1, NULL), SHN_OK);
        expect++;
    }
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, expect);
    assert_int_equal(s.damaged_records, 0);
    assert_int_equal(s.torn_bytes, 0);
    for (size_t k = 0; k < nf; k++) {
        struct shn_image_match *m1 = NULL, *m2 = NULL;
        size_t n1 = 0, n2 = 0;
        if (!fi[k].add)
            continue;
        assert_int_equal(
            shn_image_index_query(idx, &fi[k].hash, 31, SHN_IMAGE_QUERY_BEST_PER_OWNER, &m1, &n1),
            SHN_OK);
        assert_int_equal(
            shn_image_index_query(ref, &fi[k].hash, 31, SHN_IMAGE_QUERY_BEST_PER_OWNER, &m2, &n2),
            SHN_OK);
        assert_int_equal(n1, n2);
        for (size_t i = 0; i < n1; i++) {
            assert_string_equal(m1[i].owner, m2[i].owner);
            assert_int_equal(m1[i].distance, m2[i].distance);
        }
        shn_free(m1);
        shn_free(m2);
    }
    shn_image_index_close(ref);
    shn_image_index_close(idx);
}

/* Flips the bits, checks what the load reports and what repair keeps. */
static void flip_and_repair(const char *path, const char *good, size_t len,
                            const struct frame_info *fi, size_t nf, const size_t *pos, int npos,
                            int repair)
{
    char *bad = shn_malloc(len);
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats s, before, after;
    struct shn_image_index_damage d;
    int header = 0, rewritten = -1;
    memcpy(bad, good, len);
    for (int j = 0; j < npos; j++) {
        bad[pos[j]] ^= (char)(1u << (rnd() % 8));
        header |= pos[j] < SHN__IMAGE_HEADER_SIZE;
    }
    write_all(path, bad, len);
    int rc = shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, NULL);
    if (header) { /* the file's own header: a clear error, never "repaired" */
        assert_true(rc == SHN_ERR_CORRUPT || rc == SHN_ERR_FORMAT);
        assert_int_equal(shn_image_index_repair(path, NULL, NULL, &rewritten, NULL), rc);
        shn_free(bad);
        return;
    }
    assert_int_equal(rc, SHN_OK);
    shn_image_index_stats(idx, &s);
    /* every flipped byte is in a reported damaged span or the torn tail */
    for (int j = 0; j < npos; j++) {
        int seen = pos[j] >= len - s.torn_bytes;
        for (size_t i = 0; shn_image_index_damage(idx, i, &d) == SHN_OK; i++)
            seen |= pos[j] >= d.offset && pos[j] < d.offset + d.length;
        assert_true(seen);
    }
    shn_image_index_close(idx);
    if (repair) {
        assert_int_equal(shn_image_index_repair(path, &before, &after, &rewritten, NULL), SHN_OK);
        assert_int_equal(rewritten, before.damaged_records > 0);
        check_repaired(path, fi, nf, pos, npos);
    }
    shn_free(bad);
}

void recovery_survives_a_bit_flip_anywhere(void **state)
{
    char path[128], *good = NULL;
    struct frame_info fi[32];
    size_t len = 0, nf, flips = 0, repairs = 0;
    (void)state;
    path_in_tmp(path, sizeof path, "flips.idx");
    nf = build_small(path, fi, 32);
    read_all(path, &good, &len);
    /* Every byte, one random bit, loaded; repaired (which fsyncs, slow on
     * a busy disk) for every byte of the frame headers and a sample of
     * the others. */
    for (size_t i = 0; i < len; i++) {
        int in_head = 0;
        for (size_t k = 0; k < nf; k++)
            in_head |= i >= fi[k].offset && i < fi[k].offset + SHN__IMAGE_FRAME_SIZE;
        flip_and_repair(path, good, len, fi, nf, &i, 1, in_head || i % 7 == 0);
        repairs += in_head || i % 7 == 0;
        flips++;
    }
    /* Two to four flips at once, anywhere after the header. */
    for (int t = 0; t < 30; t++) {
        size_t pos[4];
        int np = 2 + (int)(rnd() % 3);
        for (int j = 0; j < np; j++) {
            pos[j] = SHN__IMAGE_HEADER_SIZE + rnd() % (len - SHN__IMAGE_HEADER_SIZE);
            for (int k = 0; k < j; k++)
                if (pos[k] == pos[j])
                    j--; /* distinct bytes, so no flip undoes another */
        }
        flip_and_repair(path, good, len, fi, nf, pos, np, 1);
        repairs++;
        flips++;
    }
    printf("  %zu damaged copies of a %zu-byte index (%zu frames) loaded, %zu repaired\n", flips,
           len, nf, repairs);
    shn_free(good);
    unlink(path);
}

/* ---------------------------------------------------------------- files */

void index_refuses_non_regular_files_without_blocking(void **state)
{
    char fifo[128];
    struct shn_image_index *idx = NULL;
    struct shn_image_hash h;
    struct shn_diag d = {0};
    (void)state;
    path_in_tmp(fifo, sizeof fifo, "fifo.idx");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    alarm(20); /* a hang fails the test instead of the suite's timeout */
    assert_int_equal(shn_image_index_open(fifo, SHN_IMAGE_INDEX_READ, &idx, &d), SHN_ERR_IO);
    assert_non_null(strstr(d.message, "not a regular file"));
    assert_int_equal(shn_image_index_open(fifo, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_ERR_IO);
    assert_int_equal(shn_image_hash_file(fifo, NULL, &h, &d), SHN_ERR_IO);
    assert_non_null(strstr(d.message, "not a regular file"));
    assert_int_equal(shn_image_hash_file(tmp_dir, NULL, &h, NULL), SHN_ERR_IO);
    assert_int_equal(shn_image_index_open(tmp_dir, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_ERR_IO);
    assert_int_equal(shn_image_index_open("/dev/null", SHN_IMAGE_INDEX_READ, &idx, NULL),
                     SHN_ERR_IO);
    alarm(0);
    unlink(fifo);
}

void index_files_are_0600_whatever_the_umask(void **state)
{
    static const mode_t masks[] = {0, 022, 0277};
    char path[128];
    struct stat st;
    (void)state;
    path_in_tmp(path, sizeof path, "mode.idx");
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        struct shn_image_index *idx = NULL;
        mode_t old = umask(masks[i]);
        unlink(path);
        int rc = shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL);
        umask(old);
        assert_int_equal(rc, SHN_OK);
        shn_image_index_close(idx);
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
    }
    unlink(path);
}

static size_t count_temps(void)
{
    DIR *d = opendir(tmp_dir);
    struct dirent *e;
    size_t n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL)
        n += strstr(e->d_name, "tmp") != NULL; /* .shinsa-tmp-*, and PATH.tmp.PID */
    closedir(d);
    return n;
}

void repair_follows_links_and_cleans_dead_temps(void **state)
{
    char path[128], link[128], stale[160], *data = NULL;
    struct shn_pdq a = rnd_hash(), b = rnd_hash();
    struct shn_image_index_stats before, after;
    struct stat st;
    size_t len = 0;
    int rewritten = 0, status;
    (void)state;
    path_in_tmp(path, sizeof path, "target.idx");
    path_in_tmp(link, sizeof link, "link.idx");
    add(path, &a, "one");
    add(path, &b, "two");
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(symlink("target.idx", link), 0);
    /* The temporary file of a repair whose process died. */
    pid_t child = fork();
    if (child == 0)
        _exit(0);
    assert_int_equal(waitpid(child, &status, 0), child);
    snprintf(stale, sizeof stale, "%s.tmp.%ld", path, (long)child);
    write_all(stale, "half a repair", 13);
    /* Damage the first record. */
    read_all(path, &data, &len);
    data[32 + 30] ^= 1;
    write_all(path, data, len);
    shn_free(data);
    assert_int_equal(shn_image_index_repair(link, &before, &after, &rewritten, NULL), SHN_OK);
    assert_int_equal(rewritten, 1);
    assert_int_equal(before.damaged_records, 1);
    assert_int_equal(after.damaged_records, 0);
    assert_int_equal(after.hashes, 1);
    assert_int_equal(count_temps(), 0);
    /* the link is still a link, its target replaced, 0600 (core's mode
     * for every file it writes) */
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    stats_of(link, &after);
    assert_int_equal(after.hashes, 1);
    assert_int_equal(after.damaged_records, 0);
    /* nothing to do on a clean index */
    assert_int_equal(shn_image_index_repair(link, NULL, NULL, &rewritten, NULL), SHN_OK);
    assert_int_equal(rewritten, 0);
    unlink(link);
    unlink(path);
}

void fuzz_seeds_pass_the_header(void **state)
{
    DIR *d = opendir(SEEDS);
    struct dirent *e;
    int seeds = 0;
    (void)state;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char path[512], *data = NULL;
        size_t len = 0;
        struct shn_image_index *idx = NULL;
        struct shn_image_index_stats s;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", SEEDS, e->d_name);
        read_all(path, &data, &len);
        if (shn_image_index_open_memory(data, len, &idx, NULL) != SHN_OK)
            fail_msg("seed %s does not load", e->d_name);
        shn_image_index_stats(idx, &s);
        if (s.records == 0)
            fail_msg("seed %s holds no intact record", e->d_name);
        shn_image_index_close(idx);
        shn_free(data);
        seeds++;
    }
    closedir(d);
    printf("  %d seeds load\n", seeds);
    assert_true(seeds >= 2);
}
