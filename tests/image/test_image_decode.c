/* Every decoder path and pixel layout, broken and hostile files, bounds,
 * allocation failures. Fixtures: tests/data/image (make_fixtures.c). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_tests.h"
#include "shinsa/core/alloc.h"
#include "shinsa/core/file.h"

/* ---------------------------------------------------------------- decoders */

static int hash_fixture(const char *name, struct shn_image_hash *h, struct shn_diag *d)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", FIX_DIR, name);
    memset(d, 0, sizeof *d);
    return shn_image_hash_file(path, NULL, h, d);
}

void decoders_handle_every_pixel_layout(void **state)
{
    static const struct {
        const char *name;
        int max_distance; /* to rgb.png */
    } cases[] = {
        {"rgb.png", 0},           {"rgba.png", 0},
        {"rgb16.png", 0},         {"interlaced.png", 0},
        {"lossless.webp", 0},     {"png-named.jpg", 0},
        {"grey.png", 16},         {"grey-alpha.png", 16},
        {"rgb.jpg", 16},          {"progressive.jpg", 16},
        {"grey.jpg", 16},         {"cmyk.jpg", 16},
        {"lossy.webp", 16},       {"exif-orientation-6.jpg", 16},
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

void decoders_reject_broken_files(void **state)
{
    static const struct {
        const char *name;
        int rc;
    } cases[] = {
        {"truncated.jpg", SHN_ERR_PARSE},           {"truncated.png", SHN_ERR_PARSE},
        {"truncated.webp", SHN_ERR_PARSE},          {"empty.jpg", SHN_ERR_PARSE},
        {"text-named.jpg", SHN_ERR_UNSUPPORTED},    {"huge-dimensions.png", SHN_ERR_TOO_LARGE},
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

void decoders_check_bounds_before_allocating(void **state)
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
void decoders_survive_truncation_and_corruption(void **state)
{
    static const char *names[] = {
        "rgb.jpg",       "progressive.jpg",       "rgb.png", "interlaced.png", "lossy.webp",
        "lossless.webp", "exif-orientation-6.jpg"};
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

void decoders_fail_cleanly_without_memory(void **state)
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

void decode_and_orient_pixels(void **state)
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
    assert_int_equal(
        shn_image_hash_pixels(img.pixels, img.width, img.height, img.channels, img.stride, &a),
        SHN_OK);
    assert_int_equal(shn_image_hash_memory(data, len, NULL, "x", &b, NULL), SHN_OK);
    assert_in_range(shn_image_pdq_distance(&a.pdq, &b.pdq), 0, 16);
    shn_image_cleanup(&img);
    shn_image_cleanup(&img); /* twice is safe */
    shn_free(data);
}
