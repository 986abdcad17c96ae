/* PDQ against the reference: pixel arrays bit for bit, whole files within
 * 10 bits (the distance distribution is printed), the dihedral forms, EXIF
 * orientation, near-duplicates and false matches on the reference set. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_tests.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

#define MAX_IMAGES 64

struct ref_image {
    char path[200];
    struct shn_pdq ref; /* reference_hashes.csv */
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
int load_reference_set(void **state)
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
static const struct shn_pdq *reference_for(const struct ref_image *r,
                                           const struct shn_image_hash *h)
{
    static const enum shn_pdq_dihedral form[9] = {SHN_PDQ_ORIG,   SHN_PDQ_ORIG,  SHN_PDQ_FLIPY,
                                                  SHN_PDQ_ROT180, SHN_PDQ_FLIPX, SHN_PDQ_FLIPP,
                                                  SHN_PDQ_ROT270, SHN_PDQ_FLIPM, SHN_PDQ_ROT90};
    return h->orientation <= 1 ? &r->ref
                               : &r->ref_dih[form[h->orientation <= 8 ? h->orientation : 1]];
}

/* ---------------------------------------------------------------- PDQ */

void pdq_hasher_input_arrays_are_bit_exact(void **state)
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
        if (sscanf(line, "%199[^,],%199[^,],%d,%d,%d,%79[^,],%d", pnm, src, &w, &h, &ch, hex, &q) !=
            7)
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
        assert_int_equal(shn_image_hash_pixels((const uint8_t *)data + off, (uint32_t)w,
                                               (uint32_t)h, (unsigned)ch, (size_t)w * ch, &r),
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

void pdq_files_within_10_bits_of_reference(void **state)
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

void pdq_dihedral_forms_match_reference(void **state)
{
    int mismatches = 0;
    (void)state;
    NEED_PDQ_DATA();
    for (int i = 0; i < nimages; i++)
        for (int d = 0; d < SHN_PDQ_DIHEDRAL_COUNT; d++)
            mismatches +=
                shn_image_pdq_distance(&images[i].exact.dihedral[d], &images[i].ref_dih[d]) != 0;
    printf("  dihedral: %d of %d hashes differ from the reference\n", mismatches,
           nimages * SHN_PDQ_DIHEDRAL_COUNT);
    assert_int_equal(mismatches, 0);
}

void pdq_exif_orientation_is_applied(void **state)
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

void pdq_near_duplicates_match_and_unrelated_do_not(void **state)
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

void pdq_hex_and_bit_order(void **state)
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
    assert_int_equal(
        shn_image_pdq_from_hex("g000000000000000000000000000000000000000000000000000000000000000",
                               64, &h[0]),
        SHN_ERR_PARSE);
}

void pdq_tiny_images_hash_to_zero(void **state)
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
