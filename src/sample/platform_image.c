/* ID-document stand-ins for the sample platform: a synthetic card drawn
 * from a seed (background, header band, photo with a face, text lines, a
 * seal), and the edits a re-uploaded copy gets. Hashed with the image
 * engine's PDQ, so the distances the detectors see are real ones: edited
 * copies of one card stay well within SHN_PDQ_MATCH_DISTANCE of each
 * other, cards of different seeds land far apart (checked by the tests). */
#include <math.h>
#include <string.h>

#include "platform_internal.h"

#define W SHN__SAMPLE_IMG_W
#define H SHN__SAMPLE_IMG_H

static uint8_t clamp(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

static void rect(uint8_t *px, int x0, int y0, int x1, int y1, int level)
{
    for (int y = y0 < 0 ? 0 : y0; y < y1 && y < H; y++)
        for (int x = x0 < 0 ? 0 : x0; x < x1 && x < W; x++)
            px[y * W + x] = (uint8_t)level;
}

/* A filled ellipse blended towards `level`. */
static void ellipse(uint8_t *px, double cx, double cy, double rx, double ry, int level)
{
    for (int y = (int)(cy - ry) - 1; y <= (int)(cy + ry) + 1; y++) {
        if (y < 0 || y >= H)
            continue;
        for (int x = (int)(cx - rx) - 1; x <= (int)(cx + rx) + 1; x++) {
            double dx = (x - cx) / rx, dy = (y - cy) / ry;
            if (x >= 0 && x < W && dx * dx + dy * dy <= 1.0)
                px[y * W + x] = (uint8_t)level;
        }
    }
}

void shn__sample_id_card(uint64_t seed, uint8_t *px)
{
    struct shn_rng r = shn_rng_stream(seed, 0x1D0C);
    int base = 150 + (int)shn_rng_below(&r, 90);
    double gx = shn_rng_unit(&r) * 2 - 1, gy = shn_rng_unit(&r) * 2 - 1;
    double fx = 0.02 + shn_rng_unit(&r) * 0.12, fy = 0.02 + shn_rng_unit(&r) * 0.12;
    double wave = 6 + shn_rng_unit(&r) * 22, ph = shn_rng_unit(&r) * 6.283;
    int photo_right = (int)shn_rng_below(&r, 2);
    int band = 14 + (int)shn_rng_below(&r, 30), band_level = 20 + (int)shn_rng_below(&r, 120);
    int pw = 70 + (int)shn_rng_below(&r, 30), ph_h = 90 + (int)shn_rng_below(&r, 30);
    int px0 =
        photo_right ? W - pw - 10 - (int)shn_rng_below(&r, 20) : 10 + (int)shn_rng_below(&r, 20);
    int py0 = band + 8 + (int)shn_rng_below(&r, 20);

    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double v = base + 40 * (gx * x / W + gy * y / H) + wave * sin(fx * x + fy * y + ph);
            px[y * W + x] = clamp((int)v);
        }
    /* header band, sometimes at the bottom too */
    rect(px, 0, 0, W, band, band_level);
    if (shn_rng_below(&r, 2))
        rect(px, 0, H - band / 2, W, H, band_level + 40);
    /* photo: background, shoulders, face, hair, eyes */
    rect(px, px0, py0, px0 + pw, py0 + ph_h, 60 + (int)shn_rng_below(&r, 160));
    ellipse(px, px0 + pw / 2.0, py0 + ph_h + 10, pw * 0.55, ph_h * 0.35,
            20 + (int)shn_rng_below(&r, 80));
    {
        double cx = px0 + pw / 2.0 + (double)shn_rng_below(&r, 9) - 4;
        double cy = py0 + ph_h * (0.38 + shn_rng_unit(&r) * 0.1);
        double rx = pw * (0.25 + shn_rng_unit(&r) * 0.1),
               ry = ph_h * (0.25 + shn_rng_unit(&r) * 0.08);
        ellipse(px, cx, cy - ry * 0.45, rx * 1.1, ry * 0.8, 10 + (int)shn_rng_below(&r, 60));
        ellipse(px, cx, cy, rx, ry, 150 + (int)shn_rng_below(&r, 90));
        ellipse(px, cx - rx * 0.4, cy - ry * 0.1, rx * 0.15, ry * 0.08, 30);
        ellipse(px, cx + rx * 0.4, cy - ry * 0.1, rx * 0.15, ry * 0.08, 30);
        ellipse(px, cx, cy + ry * 0.5, rx * 0.35, ry * 0.07, 90);
    }
    /* text lines on the other side of the photo */
    {
        int tx0 = photo_right ? 12 : px0 + pw + 14, tx1 = photo_right ? px0 - 10 : W - 12;
        int lines = 5 + (int)shn_rng_below(&r, 5), y = band + 10 + (int)shn_rng_below(&r, 10);
        int ink = 10 + (int)shn_rng_below(&r, 70);
        for (int l = 0; l < lines && y < H - 12; l++) {
            int x = tx0 + (int)shn_rng_below(&r, 10), h = 6 + (int)shn_rng_below(&r, 5);
            int end = tx0 + (int)((tx1 - tx0) * (0.4 + shn_rng_unit(&r) * 0.6));
            while (x < end) {
                int cw = 4 + (int)shn_rng_below(&r, 6);
                rect(px, x, y, x + cw, y + h, ink);
                int gap = 2 + (int)shn_rng_below(&r, 3);
                x += cw + gap + (shn_rng_below(&r, 7) ? 0 : 8);
            }
            y += h + 7 + (int)shn_rng_below(&r, 8);
        }
    }
    /* seal: level, then position (see SEQUENCED in platform_internal.h) */
    {
        int level = 90 + (int)shn_rng_below(&r, 60);
        double sy = 40 + (double)shn_rng_below(&r, H - 60);
        double sx = 30 + (double)shn_rng_below(&r, W - 60);
        ellipse(px, sx, sy, 16, 16, level);
    }
}

/* Recompression stand-in: every 8x8 block pulled towards its mean by a
 * quantisation step, plus a little noise. */
static void recompress(uint8_t *px, int w, int h, struct shn_rng *r)
{
    int q = 4 + (int)shn_rng_below(r, 9);
    for (int by = 0; by < h; by += 8)
        for (int bx = 0; bx < w; bx += 8) {
            int sum = 0, n = 0;
            for (int y = by; y < by + 8 && y < h; y++)
                for (int x = bx; x < bx + 8 && x < w; x++, n++)
                    sum += px[y * w + x];
            for (int y = by; y < by + 8 && y < h; y++)
                for (int x = bx; x < bx + 8 && x < w; x++) {
                    int mean = sum / n, d = px[y * w + x] - mean;
                    int noise = (int)shn_rng_below(r, 7) - 3;
                    px[y * w + x] = clamp(mean + (d / q) * q + noise);
                }
        }
}

int shn__sample_id_hash(const uint8_t *card, uint64_t edit_seed, uint8_t *work, struct shn_pdq *out)
{
    struct shn_image_hash h;
    struct shn_rng r = shn_rng_seed(edit_seed);
    int x0 = 0, y0 = 0, w = W, ht = H, rc;

    if (edit_seed) {
        /* crop up to 1% off each side (up to 4% of the area: PDQ moves
         * about 10 bits per 1% of width cropped), brightness -25..+25 */
        int cl = (int)shn_rng_below(&r, W / 100 + 1), cr = (int)shn_rng_below(&r, W / 100 + 1);
        int ct = (int)shn_rng_below(&r, H / 100 + 1), cb = (int)shn_rng_below(&r, H / 100 + 1);
        int bright = (int)shn_rng_below(&r, 51) - 25;
        x0 = cl;
        y0 = ct;
        w = W - cl - cr;
        ht = H - ct - cb;
        for (int y = 0; y < ht; y++)
            for (int x = 0; x < w; x++)
                work[y * w + x] = clamp(card[(y + y0) * W + x + x0] + bright);
        recompress(work, w, ht, &r);
    } else {
        memcpy(work, card, (size_t)W * H);
    }
    rc = shn_image_hash_pixels(work, (uint32_t)w, (uint32_t)ht, 1, (size_t)w, &h);
    if (rc == SHN_OK)
        *out = h.pdq;
    return rc;
}

int shn__sample_id_hash_near(const uint8_t *card, const struct shn_pdq *unedited,
                             uint64_t edit_seed, int max_distance, uint8_t *work,
                             struct shn_pdq *out)
{
    struct shn_pdq best = *unedited, h;
    int best_d = 257, rc = SHN_OK;

    /* Edits are random; a few move PDQ further than a re-upload of the same
     * card usually does. Keeping only those within max_distance of the
     * unedited card bounds any two copies by 2 x max_distance (triangle
     * inequality), which is what lets the tests promise "within 31". */
    for (uint64_t k = 0; k < 256 && best_d > max_distance; k++) {
        rc = shn__sample_id_hash(card, shn_rng_mix(edit_seed, k) | 1, work, &h);
        if (rc != SHN_OK)
            return rc;
        int d = shn_image_pdq_distance(unedited, &h);
        if (d < best_d) {
            best_d = d;
            best = h;
        }
    }
    *out = best;
    return rc;
}
