/* Tests for src/image: PDQ against the reference (pixel arrays bit for bit,
 * whole files within 10 bits, dihedral forms, EXIF), near-duplicate and
 * false-match rates on the reference set, every decoder path and broken
 * file, and the index against its brute-force oracle, the reference's
 * needle/haystack matches, persistence, removal and torn writes.
 *
 * Shared data: SHN_SHARED_DATA/pdq (tests that need it skip without it).
 * Fixtures: SHN_TEST_DATA/image (made by tests/image/make_fixtures.c). */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/file.h"
#include "image/image.h"

#define PDQ_DIR SHN_SHARED_DATA "/pdq"
#define FIX_DIR SHN_TEST_DATA "/image"
#define MAX_IMAGES 64

/* ---------------------------------------------------------------- helpers */

static int have_pdq_data(void)
{
    struct stat st;
    return stat(PDQ_DIR "/reference_hashes.csv", &st) == 0;
}

#define NEED_PDQ_DATA()                                                                       \
    do {                                                                                      \
        if (!have_pdq_data()) {                                                               \
            printf("SKIP: %s not found; reference PDQ tests not run\n", PDQ_DIR);             \
            skip();                                                                           \
        }                                                                                     \
    } while (0)

static struct shn_pdq hex_hash(const char *hex)
{
    struct shn_pdq h;
    assert_int_equal(shn_image_pdq_from_hex(hex, strlen(hex), &h), SHN_OK);
    return h;
}

struct ref_image {
    char path[200];
    struct shn_pdq ref;                              /* reference_hashes.csv */
    int ref_quality;
    struct shn_pdq ref_dih[SHN_PDQ_DIHEDRAL_COUNT]; /* reference_dihedral.csv */
    struct shn_image_hash fast, exact;              /* ours */
};

static struct ref_image images[MAX_IMAGES];
static int nimages;

static int find_image(const char *path)
{
    for (int i = 0; i < nimages; i++)
        if (strcmp(images[i].path, path) == 0)
            return i;
    return -1;
}

/* Hashes the whole reference set once, in both modes, for all the tests. */
static int load_reference_set(void **state)
{
    char line[512];
    FILE *f;
    (void)state;
    if (!have_pdq_data())
        return 0;
    f = fopen(PDQ_DIR "/reference_hashes.csv", "r");
    if (!f || !fgets(line, sizeof line, f))
        return -1;
    while (nimages < MAX_IMAGES && fgets(line, sizeof line, f)) {
        struct ref_image *r = &images[nimages];
        char hex[80];
        int w, h;
        if (sscanf(line, "%199[^,],%79[^,],%d,%d,%d", r->path, hex, &r->ref_quality, &w, &h) != 5)
            continue;
        if (shn_image_pdq_from_hex(hex, strlen(hex), &r->ref) != SHN_OK)
            return -1;
        nimages++;
    }
    fclose(f);
    f = fopen(PDQ_DIR "/reference_dihedral.csv", "r");
    if (!f || !fgets(line, sizeof line, f))
        return -1;
    while (fgets(line, sizeof line, f)) {
        char path[200], form[16], hex[80];
        int q;
        if (sscanf(line, "%199[^,],%15[^,],%79[^,],%d", path, form, hex, &q) != 4)
            continue;
        int i = find_image(path);
        for (int d = 0; i >= 0 && d < SHN_PDQ_DIHEDRAL_COUNT; d++)
            if (strcmp(form, shn_image_dihedral_name((enum shn_pdq_dihedral)d)) == 0)
                shn_image_pdq_from_hex(hex, strlen(hex), &images[i].ref_dih[d]);
    }
    fclose(f);
    for (int i = 0; i < nimages; i++) {
        char path[512];
        struct shn_image_options fast = {0}, exact = {0};
        exact.exact = 1;
        snprintf(path, sizeof path, "%s/images/%.199s", PDQ_DIR, images[i].path);
        if (shn_image_hash_file(path, &fast, &images[i].fast, NULL) != SHN_OK ||
            shn_image_hash_file(path, &exact, &images[i].exact, NULL) != SHN_OK) {
            fprintf(stderr, "cannot hash %s\n", path);
            return -1;
        }
    }
    return 0;
}

/* What the reference would print for the image as we display it: its plain
 * hash, or for an EXIF-rotated image the matching dihedral form. */
static const struct shn_pdq *reference_for(const struct ref_image *r, const struct shn_image_hash *h)
{
    static const enum shn_pdq_dihedral form[9] = {
        SHN_PDQ_ORIG,  SHN_PDQ_ORIG,  SHN_PDQ_FLIPY,  SHN_PDQ_ROT180, SHN_PDQ_FLIPX,
        SHN_PDQ_FLIPP, SHN_PDQ_ROT270, SHN_PDQ_FLIPM, SHN_PDQ_ROT90};
    return h->orientation <= 1 ? &r->ref : &r->ref_dih[form[h->orientation <= 8 ? h->orientation : 1]];
}

/* ---------------------------------------------------------------- PDQ */

static void pdq_hasher_input_arrays_are_bit_exact(void **state)
{
    char line[512];
    int checked = 0;
    (void)state;
    NEED_PDQ_DATA();
    FILE *f = fopen(PDQ_DIR "/hasher-input/index.csv", "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f));
    while (fgets(line, sizeof line, f)) {
        char pnm[200], src[200], hex[80], path[512];
        int w, h, ch, q;
        if (sscanf(line, "%199[^,],%199[^,],%d,%d,%d,%79[^,],%d", pnm, src, &w, &h, &ch, hex, &q) != 7)
            continue;
        snprintf(path, sizeof path, "%s/hasher-input/%s", PDQ_DIR, pnm);
        char *data = NULL;
        size_t len = 0;
        assert_int_equal(shn_file_read(path, 16u << 20, &data, &len, NULL), SHN_OK);
        /* Binary PNM: "P6\n<w> <h>\n255\n" then the pixels. */
        int pw, ph, maxval, off = 0;
        char magic[3];
        assert_int_equal(sscanf(data, "%2s %d %d %d%n", magic, &pw, &ph, &maxval, &off), 4);
        assert_int_equal(pw, w);
        assert_int_equal(ph, h);
        off++;
        assert_true((size_t)off + (size_t)w * h * ch <= len);
        struct shn_image_hash r;
        assert_int_equal(shn_image_hash_pixels((const uint8_t *)data + off, (uint32_t)w, (uint32_t)h,
                                               (unsigned)ch, (size_t)w * ch, &r),
                         SHN_OK);
        struct shn_pdq ref = hex_hash(hex);
        char got[65];
        shn_image_pdq_to_hex(&r.pdq, got);
        printf("  hasher-input %-42s distance %d quality %d (reference %d)\n", pnm,
               shn_image_pdq_distance(&r.pdq, &ref), r.quality, q);
        assert_string_equal(got, hex);
        assert_int_equal(r.quality, q);
        shn_free(data);
        checked++;
    }
    fclose(f);
    assert_int_equal(checked, 4);
}

static void print_histogram(const char *label, const int *hist, int max, int n)
{
    printf("  %s: %d images, max distance %d; distribution:", label, n, max);
    for (int d = 0; d <= 256; d++)
        if (hist[d])
            printf(" %d:%d", d, hist[d]);
    printf("\n");
}

static void pdq_files_within_10_bits_of_reference(void **state)
{
    int hist_fast[257] = {0}, hist_exact[257] = {0}, max_fast = 0, max_exact = 0, n = 0;
    (void)state;
    NEED_PDQ_DATA();
    assert_int_equal(nimages, 47);
    for (int i = 0; i < nimages; i++) {
        const struct ref_image *r = &images[i];
        int df = shn_image_pdq_distance(&r->fast.pdq, reference_for(r, &r->fast));
        int de = shn_image_pdq_distance(&r->exact.pdq, reference_for(r, &r->exact));
        if (df > 0 || de > 0 || r->fast.quality != r->ref_quality)
            printf("  %-46s fast %2d exact %2d quality %3d/%3d (reference %3d)\n", r->path, df, de,
                   r->fast.quality, r->exact.quality, r->ref_quality);
        if (r->ref_quality < 80)
            continue; /* the repository's rule covers quality >= 80 */
        n++;
        hist_fast[df]++;
        hist_exact[de]++;
        max_fast = df > max_fast ? df : max_fast;
        max_exact = de > max_exact ? de : max_exact;
        assert_in_range(df, 0, 10);
        assert_in_range(de, 0, 10);
        assert_in_range(r->fast.quality, 80, 100);
        assert_int_equal(r->exact.quality, r->ref_quality);
    }
    print_histogram("fast (scaled JPEG decoding) vs reference", hist_fast, max_fast, n);
    print_histogram("exact (full-size decoding)  vs reference", hist_exact, max_exact, n);
    /* Full-size decoding follows the reference's pipeline: bit-exact. */
    assert_int_equal(max_exact, 0);
}

static void pdq_dihedral_forms_match_reference(void **state)
{
    int mismatches = 0;
    (void)state;
    NEED_PDQ_DATA();
    for (int i = 0; i < nimages; i++)
        for (int d = 0; d < SHN_PDQ_DIHEDRAL_COUNT; d++)
            mismatches += shn_image_pdq_distance(&images[i].exact.dihedral[d],
                                                 &images[i].ref_dih[d]) != 0;
    printf("  dihedral: %d of %d hashes differ from the reference\n", mismatches,
           nimages * SHN_PDQ_DIHEDRAL_COUNT);
    assert_int_equal(mismatches, 0);
}

static void pdq_exif_orientation_is_applied(void **state)
{
    (void)state;
    NEED_PDQ_DATA();
    int i = find_image("reg-test-input/exif-rotn/exif-rotn-8.jpg");
    assert_true(i >= 0);
    const struct shn_image_hash *h = &images[i].exact;
    assert_int_equal(h->orientation, 8);
    assert_int_equal(h->width, 3024); /* displayed: turned a quarter */
    assert_int_equal(h->height, 4032);
    /* Orientation 8 displays the stored pixels turned counter-clockwise. */
    assert_memory_equal(&h->pdq, &images[i].ref_dih[SHN_PDQ_ROT90], sizeof h->pdq);
    assert_true(shn_image_pdq_distance(&h->pdq, &images[i].ref) > 31);
    i = find_image("reg-test-input/exif-rotn/exif-rotn-1.jpg");
    assert_int_equal(images[i].exact.orientation, 1);
}

static int family(const char *path)
{
    /* The bridge photo in every edit, mode and the unrotated dihedral file. */
    if (strncmp(path, "bridge-mods/", 12) == 0 || strncmp(path, "misc-images/modes/", 18) == 0 ||
        strcmp(path, "reg-test-input/dih/bridge-1-original.jpg") == 0)
        return 0;
    return -1;
}

static void pdq_near_duplicates_match_and_unrelated_do_not(void **state)
{
    int orig = -1, false_matches = 0, pairs = 0, worst_dup = 0, closest_unrelated = 256;
    (void)state;
    NEED_PDQ_DATA();
    orig = find_image("bridge-mods/aaa-orig.jpg");
    assert_true(orig >= 0);
    for (int i = 0; i < nimages; i++) {
        if (strncmp(images[i].path, "bridge-mods/", 12) != 0)
            continue;
        int d = shn_image_pdq_distance(&images[i].fast.pdq, &images[orig].fast.pdq);
        worst_dup = d > worst_dup ? d : worst_dup;
        assert_in_range(d, 0, SHN_PDQ_MATCH_DISTANCE);
    }
    for (int i = 0; i < nimages; i++) {
        for (int j = i + 1; j < nimages; j++) {
            const struct ref_image *a = &images[i], *b = &images[j];
            if (a->fast.quality < SHN_PDQ_MIN_QUALITY || b->fast.quality < SHN_PDQ_MIN_QUALITY)
                continue; /* discarded by the PDQ guidance */
            if (family(a->path) == 0 && family(b->path) == 0)
                continue; /* the same photo */
            int d = shn_image_pdq_distance(&a->fast.pdq, &b->fast.pdq);
            pairs++;
            closest_unrelated = d < closest_unrelated ? d : closest_unrelated;
            if (d <= SHN_PDQ_MATCH_DISTANCE) {
                printf("  false match: %s ~ %s at %d\n", a->path, b->path, d);
                false_matches++;
            }
        }
    }
    printf("  bridge-mods edits: worst distance to the original %d (limit %d)\n", worst_dup,
           SHN_PDQ_MATCH_DISTANCE);
    printf("  unrelated pairs: %d, false matches at d<=%d: %d, closest %d\n", pairs,
           SHN_PDQ_MATCH_DISTANCE, false_matches, closest_unrelated);
    assert_int_equal(false_matches, 0);
}

static void pdq_hex_and_bit_order(void **state)
{
    char line[128], out[65];
    struct shn_pdq h[6];
    int n = 0;
    static const int popcounts[6] = {124, 122, 120, 119, 0, 256};
    static const int steps[5] = {4, 124, 3, 119, 256};
    struct shn_pdq zero = {{0}};
    (void)state;
    NEED_PDQ_DATA();
    FILE *f = fopen(PDQ_DIR "/hash-lists/short256.dat", "r");
    assert_non_null(f);
    while (n < 6 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        h[n] = hex_hash(line);
        shn_image_pdq_to_hex(&h[n], out);
        assert_string_equal(out, line);
        n++;
    }
    fclose(f);
    assert_int_equal(n, 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(shn_image_pdq_distance(&h[i], &zero), popcounts[i]);
    for (int i = 0; i < 5; i++)
        assert_int_equal(shn_image_pdq_distance(&h[i], &h[i + 1]), steps[i]);
    assert_int_equal(shn_image_pdq_from_hex("00", 2, &h[0]), SHN_ERR_PARSE);
    assert_int_equal(shn_image_pdq_from_hex(
                         "g000000000000000000000000000000000000000000000000000000000000000", 64, &h[0]),
                     SHN_ERR_PARSE);
}

static void pdq_tiny_images_hash_to_zero(void **state)
{
    uint8_t px[4 * 4 * 3] = {0};
    struct shn_image_hash h;
    struct shn_pdq zero = {{0}};
    (void)state;
    assert_int_equal(shn_image_hash_pixels(px, 4, 4, 3, 12, &h), SHN_OK);
    assert_int_equal(h.quality, 0);
    assert_memory_equal(&h.pdq, &zero, sizeof zero);
    assert_int_equal(shn_image_hash_pixels(px, 4, 4, 2, 12, &h), SHN_ERR_INVALID);
    assert_int_equal(shn_image_hash_pixels(px, 4, 4, 3, 4, &h), SHN_ERR_INVALID);
}

/* ---------------------------------------------------------------- decoders */

static int hash_fixture(const char *name, struct shn_image_hash *h, struct shn_diag *d)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", FIX_DIR, name);
    memset(d, 0, sizeof *d);
    return shn_image_hash_file(path, NULL, h, d);
}

static void decoders_handle_every_pixel_layout(void **state)
{
    static const struct {
        const char *name;
        int max_distance; /* to rgb.png */
    } cases[] = {
        {"rgb.png", 0},         {"rgba.png", 0},         {"rgb16.png", 0},
        {"interlaced.png", 0},  {"lossless.webp", 0},    {"png-named.jpg", 0},
        {"grey.png", 16},       {"grey-alpha.png", 16},  {"rgb.jpg", 16},
        {"progressive.jpg", 16}, {"grey.jpg", 16},       {"cmyk.jpg", 16},
        {"lossy.webp", 16},     {"exif-orientation-6.jpg", 16},
        {"palette-trns.png", 80}, {"bilevel.png", 100},
    };
    struct shn_image_hash base, h;
    struct shn_diag d;
    (void)state;
    assert_int_equal(hash_fixture("rgb.png", &base, &d), SHN_OK);
    assert_true(base.quality >= SHN_PDQ_MIN_QUALITY);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = hash_fixture(cases[i].name, &h, &d);
        if (rc != SHN_OK)
            printf("  %s: %s\n", cases[i].name, d.message);
        assert_int_equal(rc, SHN_OK);
        int dist = shn_image_pdq_distance(&base.pdq, &h.pdq);
        printf("  %-24s distance %3d quality %3d %ux%u orientation %u\n", cases[i].name, dist,
               h.quality, h.width, h.height, h.orientation);
        assert_in_range(dist, 0, cases[i].max_distance);
        assert_int_equal(h.width, 96);
        assert_int_equal(h.height, 64);
    }
    assert_int_equal(hash_fixture("exif-orientation-6.jpg", &h, &d), SHN_OK);
    assert_int_equal(h.orientation, 6);
}

static void decoders_reject_broken_files(void **state)
{
    static const struct {
        const char *name;
        int rc;
    } cases[] = {
        {"truncated.jpg", SHN_ERR_PARSE},         {"truncated.png", SHN_ERR_PARSE},
        {"truncated.webp", SHN_ERR_PARSE},        {"empty.jpg", SHN_ERR_PARSE},
        {"text-named.jpg", SHN_ERR_UNSUPPORTED},  {"huge-dimensions.png", SHN_ERR_TOO_LARGE},
        {"huge-dimensions.jpg", SHN_ERR_TOO_LARGE}, {"no-such-file.jpg", SHN_ERR_IO},
    };
    struct shn_image_hash h;
    struct shn_diag d;
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = hash_fixture(cases[i].name, &h, &d);
        printf("  %-22s -> %s\n", cases[i].name, d.message);
        assert_int_equal(rc, cases[i].rc);
        assert_true(d.message[0] != '\0');
    }
}

static void decoders_check_bounds_before_allocating(void **state)
{
    struct shn_image_options o = {0};
    struct shn_image_hash h;
    struct shn_diag d = {0};
    (void)state;
    o.max_file_bytes = 100;
    assert_int_equal(shn_image_hash_file(FIX_DIR "/rgb.jpg", &o, &h, &d), SHN_ERR_TOO_LARGE);
    memset(&o, 0, sizeof o);
    o.max_pixels = 1000; /* 96 x 64 = 6144 */
    assert_int_equal(shn_image_hash_file(FIX_DIR "/rgb.jpg", &o, &h, &d), SHN_ERR_TOO_LARGE);
    assert_int_equal(shn_image_hash_file(FIX_DIR "/rgb.png", &o, &h, &d), SHN_ERR_TOO_LARGE);
    assert_int_equal(shn_image_hash_file(FIX_DIR "/lossy.webp", &o, &h, &d), SHN_ERR_TOO_LARGE);
    memset(&o, 0, sizeof o);
    o.max_side = 90;
    assert_int_equal(shn_image_hash_file(FIX_DIR "/rgb.png", &o, &h, &d), SHN_ERR_TOO_LARGE);
}

/* Every prefix and a sprinkling of flipped bytes: an error or a hash,
 * never a crash (the sanitizer build makes this meaningful). */
static void decoders_survive_truncation_and_corruption(void **state)
{
    static const char *names[] = {"rgb.jpg", "progressive.jpg", "rgb.png", "interlaced.png",
                                  "lossy.webp", "lossless.webp", "exif-orientation-6.jpg"};
    (void)state;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[512], *data = NULL;
        size_t len = 0;
        int ok = 0, errors = 0;
        snprintf(path, sizeof path, "%s/%s", FIX_DIR, names[k]);
        assert_int_equal(shn_file_read(path, 1 << 20, &data, &len, NULL), SHN_OK);
        for (size_t cut = 0; cut < len; cut += 1 + cut / 16) {
            struct shn_image_hash h;
            if (shn_image_hash_memory(data, cut, NULL, names[k], &h, NULL) == SHN_OK)
                ok++;
            else
                errors++;
        }
        uint8_t *copy = shn_malloc(len);
        uint32_t seed = 7;
        for (int round = 0; round < 60; round++) {
            struct shn_image_hash h;
            memcpy(copy, data, len);
            for (int flips = 0; flips < 4; flips++) {
                seed = seed * 1664525u + 1013904223u;
                copy[16 + seed % (len - 16)] ^= (uint8_t)(seed >> 24 | 1);
            }
            (void)shn_image_hash_memory(copy, len, NULL, names[k], &h, NULL);
        }
        printf("  %-24s prefixes: %d decoded, %d refused\n", names[k], ok, errors);
        assert_true(errors > 0);
        shn_free(copy);
        shn_free(data);
    }
}

static void decoders_fail_cleanly_without_memory(void **state)
{
    static const char *names[] = {"rgb.jpg", "cmyk.jpg", "rgba.png", "lossy.webp"};
    (void)state;
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", FIX_DIR, names[k]);
        for (long n = 0; n < 12; n++) {
            struct shn_image_hash h;
            shn_alloc_fail_after(n);
            int rc = shn_image_hash_file(path, NULL, &h, NULL);
            shn_alloc_fail_after(-1);
            assert_true(rc == SHN_OK || rc == SHN_ERR_NOMEM);
        }
    }
}

static void decode_and_orient_pixels(void **state)
{
    char *data = NULL;
    size_t len = 0;
    struct shn_image img = {0};
    (void)state;
    assert_int_equal(shn_file_read(FIX_DIR "/exif-orientation-6.jpg", 1 << 20, &data, &len, NULL),
                     SHN_OK);
    assert_int_equal(shn_image_decode(data, len, NULL, 0, "x", &img, NULL), SHN_OK);
    assert_int_equal(img.width, 64);
    assert_int_equal(img.height, 96);
    assert_int_equal(img.orientation, 6);
    assert_string_equal(img.format, "jpeg");
    assert_int_equal(shn_image_orient(&img), SHN_OK);
    assert_int_equal(img.width, 96);
    assert_int_equal(img.height, 64);
    /* Hashing the turned pixels agrees with the dihedral shortcut. */
    struct shn_image_hash a, b;
    assert_int_equal(shn_image_hash_pixels(img.pixels, img.width, img.height, img.channels,
                                           img.stride, &a),
                     SHN_OK);
    assert_int_equal(shn_image_hash_memory(data, len, NULL, "x", &b, NULL), SHN_OK);
    assert_in_range(shn_image_pdq_distance(&a.pdq, &b.pdq), 0, 16);
    shn_image_cleanup(&img);
    shn_image_cleanup(&img); /* twice is safe */
    shn_free(data);
}

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

static char tmp_dir[64];

static int make_tmp_dir(void **state)
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
    assert_int_equal(shn_image_index_query(idx, q, d, SHN_IMAGE_QUERY_BRUTE_FORCE, &b, &nb), SHN_OK);
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

static void index_equals_brute_force_on_random_and_planted(void **state)
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

static void index_reproduces_reference_needle_haystack_matches(void **state)
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
        if (sscanf(line, "%d,%d,%d", &a, &b, &d) == 3 && a >= 1 && a <= 100 && b >= 1 && b <= 1350) {
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

static void index_persists_and_forgets_owners(void **state)
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

static void index_detects_torn_writes_and_damage(void **state)
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

    /* Not an index; a damaged header; a broken frame mid-file. */
    assert_int_equal(shn_image_index_open(FIX_DIR "/rgb.png", SHN_IMAGE_INDEX_READ, &idx, &d),
                     SHN_ERR_FORMAT);
    assert_int_equal(shn_image_index_open_memory(data, 20, &idx, NULL), SHN_ERR_FORMAT);
    data[17] ^= 1;
    assert_int_equal(shn_image_index_open_memory(data, len, &idx, NULL), SHN_ERR_CORRUPT);
    data[17] ^= 1;
    char *big = shn_malloc(len + 1000);
    memcpy(big, data, len);
    memset(big + len, 0x41, 1000);
    assert_int_equal(shn_image_index_open_memory(big, len + 1000, &idx, NULL), SHN_ERR_CORRUPT);
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

static void index_fails_cleanly_without_memory(void **state)
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

int main(void)
{
    const struct CMUnitTest pdq_tests[] = {
        cmocka_unit_test(pdq_hasher_input_arrays_are_bit_exact),
        cmocka_unit_test(pdq_files_within_10_bits_of_reference),
        cmocka_unit_test(pdq_dihedral_forms_match_reference),
        cmocka_unit_test(pdq_exif_orientation_is_applied),
        cmocka_unit_test(pdq_near_duplicates_match_and_unrelated_do_not),
        cmocka_unit_test(pdq_hex_and_bit_order),
        cmocka_unit_test(pdq_tiny_images_hash_to_zero),
    };
    const struct CMUnitTest decoder_tests[] = {
        cmocka_unit_test(decoders_handle_every_pixel_layout),
        cmocka_unit_test(decoders_reject_broken_files),
        cmocka_unit_test(decoders_check_bounds_before_allocating),
        cmocka_unit_test(decoders_survive_truncation_and_corruption),
        cmocka_unit_test(decoders_fail_cleanly_without_memory),
        cmocka_unit_test(decode_and_orient_pixels),
    };
    const struct CMUnitTest index_tests[] = {
        cmocka_unit_test(index_equals_brute_force_on_random_and_planted),
        cmocka_unit_test(index_reproduces_reference_needle_haystack_matches),
        cmocka_unit_test(index_persists_and_forgets_owners),
        cmocka_unit_test(index_detects_torn_writes_and_damage),
        cmocka_unit_test(index_fails_cleanly_without_memory),
    };
    int failed = 0;
    failed += cmocka_run_group_tests_name("image_pdq", pdq_tests, load_reference_set, NULL);
    failed += cmocka_run_group_tests_name("image_decoders", decoder_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("image_index", index_tests, make_tmp_dir, NULL);
    if (tmp_dir[0])
        rmdir(tmp_dir);
    return failed ? 1 : 0;
}
