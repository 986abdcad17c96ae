/* The index against its brute-force oracle (random and planted sets), the
 * reference's needle/haystack matches, persistence, removal (the right to
 * be forgotten), torn writes and damage, allocation failures. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_tests.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

/* ---------------------------------------------------------------- index */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

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

static void flip_bits(struct shn_pdq *h, int count)
{
    /* `count` distinct bits */
    int done = 0;
    uint8_t flipped[256] = {0};
    while (done < count) {
        int b = (int)(rng() % 256);
        if (flipped[b])
            continue;
        flipped[b] = 1;
        h->bytes[b / 8] ^= (uint8_t)(1u << (b % 8));
        done++;
    }
}

char tmp_dir[64];

int make_tmp_dir(void **state)
{
    (void)state;
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/shn-image-test-XXXXXX");
    return mkdtemp(tmp_dir) ? 0 : -1;
}

static void tmp_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", tmp_dir, name);
    unlink(out);
}

static int cmp_match_record(const void *pa, const void *pb)
{
    const struct shn_image_match *a = pa, *b = pb;
    return (a->record > b->record) - (a->record < b->record);
}

/* MIH and the brute-force scan must return the same records. */
static void assert_same_as_oracle(const struct shn_image_index *idx, const struct shn_pdq *q, int d,
                                  size_t *total)
{
    struct shn_image_match *a = NULL, *b = NULL;
    size_t na = 0, nb = 0;
    assert_int_equal(shn_image_index_query(idx, q, d, 0, &a, &na), SHN_OK);
    assert_int_equal(shn_image_index_query(idx, q, d, SHN_IMAGE_QUERY_BRUTE_FORCE, &b, &nb),
                     SHN_OK);
    assert_int_equal(na, nb);
    if (na) {
        qsort(a, na, sizeof *a, cmp_match_record);
        qsort(b, nb, sizeof *b, cmp_match_record);
        for (size_t i = 0; i < na; i++) {
            assert_int_equal(a[i].record, b[i].record);
            assert_int_equal(a[i].distance, b[i].distance);
        }
    }
    *total += na;
    shn_free(a);
    shn_free(b);
}

void index_equals_brute_force_on_random_and_planted(void **state)
{
    char path[128], owner[32];
    struct shn_image_index *idx = NULL;
    enum { N = 20000, QUERIES = 150 };
    static struct shn_image_record recs[N];
    static char owners[N][16];
    static struct shn_pdq queries[QUERIES];
    static const int distances[] = {0, 5, 15, 16, 24, 31, 32, 40, 47, 48, 63, 64, 90};
    size_t total = 0;
    (void)state;
    tmp_path(path, sizeof path, "random.idx");
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    /* Random hashes, then for each query planted neighbours at distances
     * around every probing radius boundary. */
    size_t n = 0;
    for (; n < N - QUERIES * 12; n++)
        random_hash(&recs[n].pdq);
    for (int q = 0; q < QUERIES; q++) {
        random_hash(&queries[q]);
        for (int k = 0; k < 12 && n < N; k++, n++) {
            recs[n].pdq = queries[q];
            flip_bits(&recs[n].pdq, distances[k] + (int)(rng() % 2));
        }
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(owners[i], sizeof owners[i], "acct-%zu", i % 5000);
        recs[i].owner = owners[i];
        recs[i].quality = 90;
        recs[i].time = 1700000000;
    }
    assert_int_equal(shn_image_index_add(idx, recs, n, NULL), SHN_OK);
    for (int q = 0; q < QUERIES; q++)
        for (size_t k = 0; k < sizeof distances / sizeof distances[0]; k++)
            assert_same_as_oracle(idx, &queries[q], distances[k], &total);
    /* Queries at the stored hashes themselves (dense neighbourhoods). */
    for (int q = 0; q < 50; q++)
        assert_same_as_oracle(idx, &recs[rng() % n].pdq, SHN_PDQ_MATCH_DISTANCE, &total);
    printf("  %zu hashes, %d queries x %zu distances: %zu matches, all equal to brute force\n", n,
           QUERIES, sizeof distances / sizeof distances[0], total);
    assert_true(total > (size_t)QUERIES * 6);

    /* Removing owners keeps the two equal. */
    for (int k = 0; k < 200; k++) {
        size_t removed = 0;
        snprintf(owner, sizeof owner, "acct-%d", (int)(rng() % 5000));
        assert_int_equal(shn_image_index_remove(idx, owner, &removed, NULL), SHN_OK);
    }
    total = 0;
    for (int q = 0; q < QUERIES; q++)
        assert_same_as_oracle(idx, &queries[q], SHN_PDQ_MATCH_DISTANCE, &total);
    assert_int_equal(shn_image_index_close(idx), SHN_OK);
    unlink(path);
}

static int read_hash_list(const char *path, struct shn_pdq *out, int max)
{
    char line[128];
    int n = 0;
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    while (n < max && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0])
            out[n++] = hex_hash(line);
    }
    fclose(f);
    return n;
}

void index_reproduces_reference_needle_haystack_matches(void **state)
{
    static struct shn_pdq needles[200], hay[2000];
    static char owners[2000][16];
    static struct shn_image_record recs[2000];
    static unsigned char expected[101][1351];
    char path[128], line[128];
    struct shn_image_index *idx = NULL;
    int nexpected = 0, found = 0;
    (void)state;
    NEED_PDQ_DATA();
    int nn = read_hash_list(PDQ_DIR "/hash-lists/needles.txt", needles, 200);
    int nh = read_hash_list(PDQ_DIR "/hash-lists/haystack.txt", hay, 2000);
    assert_int_equal(nn, 100);
    assert_int_equal(nh, 1350);
    FILE *f = fopen(PDQ_DIR "/hash-lists/needles_vs_haystack_d31.csv", "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        int a, b, d;
        if (sscanf(line, "%d,%d,%d", &a, &b, &d) == 3 && a >= 1 && a <= 100 && b >= 1 &&
            b <= 1350) {
            expected[a][b] = (unsigned char)(d + 1);
            nexpected++;
        }
    }
    fclose(f);
    assert_int_equal(nexpected, 250);
    tmp_path(path, sizeof path, "haystack.idx");
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    for (int i = 0; i < nh; i++) {
        snprintf(owners[i], sizeof owners[i], "%d", i + 1); /* the line number */
        recs[i].pdq = hay[i];
        recs[i].owner = owners[i];
        recs[i].quality = SHN_IMAGE_QUALITY_UNKNOWN;
    }
    assert_int_equal(shn_image_index_add(idx, recs, (size_t)nh, NULL), SHN_OK);
    for (int a = 1; a <= nn; a++) {
        struct shn_image_match *m = NULL;
        size_t n = 0;
        assert_int_equal(shn_image_index_query(idx, &needles[a - 1], 31, 0, &m, &n), SHN_OK);
        for (size_t k = 0; k < n; k++) {
            int b = (int)strtol(m[k].owner, NULL, 10);
            assert_int_equal(expected[a][b], m[k].distance + 1);
            found++;
        }
        for (size_t k = 1; k < n; k++)
            assert_true(m[k - 1].distance <= m[k].distance);
        shn_free(m);
    }
    printf("  needles x haystack at d<=31: %d pairs found, %d expected\n", found, nexpected);
    assert_int_equal(found, nexpected);
    shn_image_index_close(idx);
    unlink(path);
}

static size_t count_matches(const struct shn_image_index *idx, const struct shn_pdq *q, int d,
                            unsigned flags)
{
    struct shn_image_match *m = NULL;
    size_t n = 0;
    assert_int_equal(shn_image_index_query(idx, q, d, flags, &m, &n), SHN_OK);
    shn_free(m);
    return n;
}

static int file_contains(const char *path, const void *needle, size_t n)
{
    char *data = NULL;
    size_t len = 0;
    int found = 0;
    assert_int_equal(shn_file_read(path, 1 << 24, &data, &len, NULL), SHN_OK);
    for (size_t i = 0; i + n <= len && !found; i++)
        found = memcmp(data + i, needle, n) == 0;
    shn_free(data);
    return found;
}

void index_persists_and_forgets_owners(void **state)
{
    char path[128];
    struct shn_image_index *idx = NULL;
    struct shn_image_record r[4];
    struct shn_image_index_stats s;
    struct shn_pdq a, b;
    size_t removed = 0;
    (void)state;
    tmp_path(path, sizeof path, "persist.idx");
    random_hash(&a);
    random_hash(&b);
    memset(r, 0, sizeof r);
    r[0].pdq = a, r[0].owner = "alice", r[0].quality = 100;
    r[1].pdq = a, r[1].owner = "bob", r[1].quality = 90;
    flip_bits(&r[1].pdq, 5);
    r[2].pdq = b, r[2].owner = "alice", r[2].quality = 80;
    r[3].pdq = a, r[3].owner = "alice", r[3].quality = 70;
    flip_bits(&r[3].pdq, 12);
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    assert_int_equal(shn_image_index_add(idx, r, 1, NULL), SHN_OK);
    /* matchable as soon as add returns */
    assert_int_equal(count_matches(idx, &a, 0, 0), 1);
    assert_int_equal(shn_image_index_add(idx, r + 1, 3, NULL), SHN_OK);
    assert_int_equal(count_matches(idx, &a, 31, 0), 3);
    assert_int_equal(count_matches(idx, &a, 31, SHN_IMAGE_QUERY_BEST_PER_OWNER), 2);
    /* bad input adds nothing */
    struct shn_image_record bad = r[0];
    bad.owner = "tab\there";
    assert_int_equal(shn_image_index_add(idx, &bad, 1, NULL), SHN_ERR_INVALID);
    bad.owner = "ok";
    bad.quality = 101;
    assert_int_equal(shn_image_index_add(idx, &bad, 1, NULL), SHN_ERR_INVALID);
    assert_int_equal(shn_image_index_close(idx), SHN_OK);

    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 4);
    assert_int_equal(s.owners, 2);
    struct shn_image_match *m = NULL;
    size_t n = 0;
    assert_int_equal(shn_image_index_query(idx, &a, 31, 0, &m, &n), SHN_OK);
    assert_int_equal(n, 3);
    assert_string_equal(m[0].owner, "alice");
    assert_int_equal(m[0].distance, 0);
    assert_int_equal(m[0].quality, 100);
    assert_string_equal(m[1].owner, "bob");
    assert_int_equal(m[1].distance, 5);
    shn_free(m);
    assert_int_equal(shn_image_index_remove(idx, "alice", &removed, NULL), SHN_ERR_INVALID);
    shn_image_index_close(idx);

    /* Right to be forgotten: gone from memory, from the file, on reopen. */
    assert_true(file_contains(path, b.bytes, sizeof b.bytes));
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    assert_int_equal(shn_image_index_remove(idx, "alice", &removed, NULL), SHN_OK);
    assert_int_equal(removed, 3);
    assert_int_equal(count_matches(idx, &b, 31, 0), 0);
    assert_int_equal(count_matches(idx, &a, 31, 0), 1);
    assert_int_equal(shn_image_index_remove(idx, "nobody", &removed, NULL), SHN_OK);
    assert_int_equal(removed, 0);
    shn_image_index_close(idx);
    assert_false(file_contains(path, b.bytes, sizeof b.bytes));
    assert_false(file_contains(path, a.bytes, sizeof a.bytes));
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 1);
    assert_int_equal(s.owners, 1);
    assert_int_equal(s.removed, 3);
    assert_int_equal(s.damaged_records, 0);
    /* and the owner can come back */
    assert_int_equal(shn_image_index_add(idx, r + 2, 1, NULL), SHN_OK);
    assert_int_equal(count_matches(idx, &b, 0, 0), 1);
    shn_image_index_close(idx);
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_OK);
    assert_int_equal(count_matches(idx, &b, 0, 0), 1);
    shn_image_index_close(idx);
    unlink(path);
}

static void append_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

void index_detects_torn_writes_and_damage(void **state)
{
    char path[128];
    struct shn_image_index *idx = NULL;
    struct shn_image_index_stats s;
    struct shn_image_record r[3];
    struct shn_diag d = {0};
    struct stat st;
    (void)state;
    tmp_path(path, sizeof path, "torn.idx");
    memset(r, 0, sizeof r);
    for (int i = 0; i < 3; i++) {
        random_hash(&r[i].pdq);
        r[i].owner = i == 0 ? "first" : i == 1 ? "second" : "third";
        r[i].quality = 100;
    }
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    assert_int_equal(shn_image_index_add(idx, r, 2, NULL), SHN_OK);
    shn_image_index_close(idx);
    assert_int_equal(stat(path, &st), 0);
    off_t good = st.st_size;

    /* A torn append: the first 30 bytes of a record that never finished. */
    char *data = NULL;
    size_t len = 0;
    assert_int_equal(shn_file_read(path, 1 << 20, &data, &len, NULL), SHN_OK);
    append_bytes(path, data + 32, 30);
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 2);
    assert_int_equal(s.torn_bytes, 30);
    shn_image_index_close(idx);
    /* A whole frame whose payload never reached the disk (checksum fails). */
    assert_int_equal(truncate(path, good), 0);
    char frame[200];
    size_t flen = (size_t)(good - 32) / 2;
    memcpy(frame, data + 32, flen);
    memset(frame + 20, 0, 10);
    append_bytes(path, frame, flen);
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 2);
    assert_int_equal(s.torn_bytes, flen);
    shn_image_index_close(idx);
    /* Zeros the file system allocated but never filled. */
    static const char zeros[4096];
    append_bytes(path, zeros, sizeof zeros);
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 2);
    assert_true(s.torn_bytes > sizeof zeros);
    /* The writer cuts the torn tail off before appending. */
    assert_int_equal(shn_image_index_add(idx, r + 2, 1, NULL), SHN_OK);
    shn_image_index_close(idx);
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 3);
    assert_int_equal(s.torn_bytes, 0);
    assert_int_equal(count_matches(idx, &r[2].pdq, 0, 0), 1);
    shn_image_index_close(idx);

    /* A flipped bit inside the first record: skipped, the rest loads. */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fseek(f, 32 + 20, SEEK_SET);
    fputc(data[32 + 20] ^ 1, f);
    fclose(f);
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 2);
    assert_int_equal(s.damaged_records, 1);
    shn_image_index_close(idx);

    /* A creation that crashed inside the header: rewritten by a writer. */
    char torn[128];
    tmp_path(torn, sizeof torn, "torn-header.idx");
    append_bytes(torn, "SHNPD", 5);
    assert_int_equal(shn_image_index_open(torn, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_ERR_FORMAT);
    assert_int_equal(shn_image_index_open(torn, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    assert_int_equal(shn_image_index_add(idx, r, 1, NULL), SHN_OK);
    shn_image_index_close(idx);
    assert_int_equal(shn_image_index_open(torn, SHN_IMAGE_INDEX_READ, &idx, NULL), SHN_OK);
    shn_image_index_close(idx);
    unlink(torn);
    append_bytes(torn, "GIF89a", 6); /* short, but not ours: left alone */
    assert_int_equal(shn_image_index_open(torn, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_ERR_FORMAT);
    unlink(torn);

    /* Not an index; a damaged header (the file's own: an error). */
    assert_int_equal(shn_image_index_open(FIX_DIR "/rgb.png", SHN_IMAGE_INDEX_READ, &idx, &d),
                     SHN_ERR_FORMAT);
    assert_int_equal(shn_image_index_open_memory(data, 20, &idx, NULL), SHN_ERR_FORMAT);
    data[17] ^= 1;
    assert_int_equal(shn_image_index_open_memory(data, len, &idx, NULL), SHN_ERR_CORRUPT);
    data[17] ^= 1;
    /* Garbage longer than any append after the records: damage, skipped
     * and listed (it used to make the whole index unusable). */
    char *big = shn_malloc(len + 1000);
    struct shn_image_index_damage dmg;
    memcpy(big, data, len);
    memset(big + len, 0x41, 1000);
    assert_int_equal(shn_image_index_open_memory(big, len + 1000, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 2);
    assert_int_equal(s.damaged_records, 1);
    assert_int_equal(shn_image_index_damage(idx, 0, &dmg), SHN_OK);
    assert_int_equal(dmg.offset, len);
    assert_int_equal(dmg.length, 1000);
    assert_int_equal(shn_image_index_damage(idx, 1, &dmg), SHN_ERR_NOT_FOUND);
    shn_image_index_close(idx);
    /* A broken frame header mid-file: that record is skipped, the next one
     * is found again. */
    big[32 + 3] ^= 0x10; /* the first frame's magic byte */
    assert_int_equal(shn_image_index_open_memory(big, len, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 1);
    assert_int_equal(s.damaged_records, 1);
    assert_int_equal(shn_image_index_damage(idx, 0, &dmg), SHN_OK);
    assert_int_equal(dmg.offset, 32);
    assert_int_equal(count_matches(idx, &r[1].pdq, 0, 0), 1);
    shn_image_index_close(idx);
    assert_int_equal(shn_image_index_open_memory(data, len, &idx, NULL), SHN_OK);
    shn_image_index_stats(idx, &s);
    assert_int_equal(s.hashes, 2);
    assert_int_equal(shn_image_index_add(idx, r, 1, NULL), SHN_ERR_INVALID); /* read-only */
    shn_image_index_close(idx);
    shn_free(big);
    shn_free(data);
    assert_int_equal(shn_image_index_open("/nonexistent/dir/x.idx", SHN_IMAGE_INDEX_READ, &idx, &d),
                     SHN_ERR_IO);
    unlink(path);
}

void index_query_many_merges_forms(void **state)
{
    char path[128];
    struct shn_image_index *idx = NULL;
    struct shn_image_record r[3];
    struct shn_pdq q[2];
    struct shn_image_match *m = NULL;
    size_t n = 0;
    (void)state;
    tmp_path(path, sizeof path, "many.idx");
    memset(r, 0, sizeof r);
    random_hash(&q[0]);
    random_hash(&q[1]);
    r[0].pdq = q[0], r[0].owner = "a", r[0].quality = 90;
    r[1].pdq = q[0], r[1].owner = "b", r[1].quality = 90;
    flip_bits(&r[1].pdq, 20);
    r[2].pdq = q[1], r[2].owner = "b", r[2].quality = 90;
    flip_bits(&r[2].pdq, 3);
    assert_int_equal(shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL), SHN_OK);
    assert_int_equal(shn_image_index_add(idx, r, 3, NULL), SHN_OK);
    /* the same hash twice: each record once */
    struct shn_pdq twice[2] = {q[0], q[0]};
    assert_int_equal(shn_image_index_query_many(idx, twice, 2, 31, 0, &m, &n), SHN_OK);
    assert_int_equal(n, 2);
    shn_free(m);
    /* both: three records; per owner, b at its nearest (3) */
    assert_int_equal(shn_image_index_query_many(idx, q, 2, 31, 0, &m, &n), SHN_OK);
    assert_int_equal(n, 3);
    shn_free(m);
    assert_int_equal(
        shn_image_index_query_many(idx, q, 2, 31, SHN_IMAGE_QUERY_BEST_PER_OWNER, &m, &n), SHN_OK);
    assert_int_equal(n, 2);
    assert_string_equal(m[0].owner, "a");
    assert_int_equal(m[0].distance, 0);
    assert_string_equal(m[1].owner, "b");
    assert_int_equal(m[1].distance, 3);
    shn_free(m);
    assert_int_equal(shn_image_index_query_many(idx, q, 0, 31, 0, &m, &n), SHN_ERR_INVALID);
    shn_image_index_close(idx);
    unlink(path);
}

void index_fails_cleanly_without_memory(void **state)
{
    char path[128];
    struct shn_image_record r[8];
    (void)state;
    tmp_path(path, sizeof path, "nomem.idx");
    memset(r, 0, sizeof r);
    for (int i = 0; i < 8; i++) {
        random_hash(&r[i].pdq);
        r[i].owner = i % 2 ? "odd" : "even";
        r[i].quality = 60;
    }
    for (long n = 0; n < 60; n++) {
        struct shn_image_index *idx = NULL;
        shn_alloc_fail_after(-1);
        unlink(path);
        shn_alloc_fail_after(n);
        int rc = shn_image_index_open(path, SHN_IMAGE_INDEX_WRITE, &idx, NULL);
        if (rc == SHN_OK) {
            rc = shn_image_index_add(idx, r, 8, NULL);
            shn_alloc_fail_after(-1);
            struct shn_image_index_stats s;
            shn_image_index_stats(idx, &s);
            /* all or nothing */
            assert_true((rc == SHN_OK && s.hashes == 8) || (rc == SHN_ERR_NOMEM && s.hashes == 0));
            assert_int_equal(count_matches(idx, &r[3].pdq, 0, 0), rc == SHN_OK ? 1 : 0);
            shn_image_index_close(idx);
        }
        shn_alloc_fail_after(-1);
        assert_true(rc == SHN_OK || rc == SHN_ERR_NOMEM);
    }
    unlink(path);
}
